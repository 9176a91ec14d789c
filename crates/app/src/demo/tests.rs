//! The demo's generator (pure, no database) and its seeding (on every
//! database).

use super::catalogues::*;
use super::generator::*;
use super::*;
use rapport_domain::person::{
    AccountStatus, LeadershipLevel, ProfileInput, SignupMode, Visibility,
};
use rapport_domain::values::{Email, Slug};
use rapport_store::testing::{fresh_store, test_database_kinds};
use rapport_store::{NewPerson, Store};
use std::collections::HashMap;
use std::collections::HashSet;

const NOW: i64 = 1_795_000_000_000;

fn by_id(data: &DemoData) -> HashMap<PersonId, &DemoPerson> {
    data.people.iter().map(|p| (p.id, p)).collect()
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(demo_data(DEMO_SEED), demo_data(DEMO_SEED));
    assert_ne!(demo_people(DEMO_SEED), demo_people(DEMO_SEED + 1));
}

#[test]
fn about_two_hundred_people_across_all_levels() {
    for seed in [DEMO_SEED, 1, 42] {
        let people = demo_people(seed);
        assert!((190..=210).contains(&people.len()), "{}", people.len());
        let share = |l: LeadershipLevel| {
            people.iter().filter(|p| p.profile.level == l).count() as f64 / people.len() as f64
        };
        let (pc, tl, lol) = (
            share(LeadershipLevel::ProfessionalContributor),
            share(LeadershipLevel::TeamLeader),
            share(LeadershipLevel::LeaderOfLeaders),
        );
        assert!((0.55..=0.65).contains(&pc), "PC {pc}");
        assert!((0.25..=0.35).contains(&tl), "TL {tl}");
        assert!((0.07..=0.13).contains(&lol), "LoL {lol}");
        for p in &people {
            let y = p.profile.years_experience;
            let ok = match p.profile.level {
                LeadershipLevel::ProfessionalContributor => (1..=12).contains(&y),
                LeadershipLevel::TeamLeader => (6..=20).contains(&y),
                LeadershipLevel::LeaderOfLeaders => (13..=32).contains(&y),
            };
            assert!(ok, "{} has {y} years at {:?}", p.email, p.profile.level);
        }
        let departments: HashSet<&str> = people
            .iter()
            .map(|p| p.profile.department.as_str())
            .collect();
        assert_eq!(departments.len(), 10);
    }
}

#[test]
fn one_admin_with_the_documented_email() {
    let people = demo_people(DEMO_SEED);
    let admins: Vec<_> = people.iter().filter(|p| p.is_admin).collect();
    assert_eq!(admins.len(), 1);
    assert_eq!(admins[0].email, DEMO_ADMIN_EMAIL);
    assert_eq!(people[0].email, DEMO_ADMIN_EMAIL);
    assert_eq!(admins[0].profile.visibility, Visibility::Members);
}

#[test]
fn emails_are_unique_lower_case_ascii_and_valid() {
    for seed in [DEMO_SEED, 7] {
        let people = demo_people(seed);
        let mut seen = HashSet::new();
        for p in &people {
            assert!(seen.insert(p.email.clone()), "duplicate {}", p.email);
            let (local, domain) = p.email.split_once('@').unwrap();
            assert_eq!(domain, DEMO_DOMAIN);
            assert!(
                local.bytes().all(|b| b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b == b'.'
                    || b == b'-'),
                "{}",
                p.email
            );
            assert_eq!(Email::parse("email", &p.email).unwrap().as_str(), p.email);
            if !p.is_admin {
                assert!(local.contains('.'), "firstname.lastname: {}", p.email);
            }
        }
        let names: HashSet<&str> = people.iter().map(|p| p.profile.name.as_str()).collect();
        assert_eq!(names.len(), people.len(), "names are unique too");
    }
}

#[test]
fn every_time_zone_parses_and_windows_are_sane() {
    let people = demo_people(DEMO_SEED);
    let mut zones = HashSet::new();
    for p in &people {
        let tz: chrono_tz::Tz = p
            .profile
            .time_zone
            .parse()
            .unwrap_or_else(|_| panic!("{}: bad zone {}", p.email, p.profile.time_zone));
        assert_eq!(p.profile.time_zone, tz.name(), "canonical name");
        zones.insert(tz);
        let w = &p.profile.availability;
        assert!(
            (1..=5).contains(&w.len()),
            "{}: {} windows",
            p.email,
            w.len()
        );
        for win in w {
            assert!(win.weekday < 7);
            assert!(win.start_minute < win.end_minute && win.end_minute <= 24 * 60);
        }
        let days: HashSet<u8> = w.iter().map(|x| x.weekday).collect();
        assert_eq!(days.len(), w.len(), "one window a day");
    }
    assert!(zones.len() >= 25, "zones across regions: {}", zones.len());
    for region in ["America/", "Europe/", "Asia/", "Africa/", "Australia/"] {
        assert!(
            zones.iter().any(|z| z.name().starts_with(region)),
            "{region}"
        );
    }
}

#[test]
fn every_manager_exists_earlier_and_is_one_level_up_in_the_same_department() {
    for seed in [DEMO_SEED, 3] {
        let people = demo_people(seed);
        let mut position = HashMap::new();
        for (i, p) in people.iter().enumerate() {
            position.insert(p.id, i);
        }
        assert_eq!(position.len(), people.len(), "ids are unique");
        for (i, p) in people.iter().enumerate() {
            match (p.profile.level, p.profile.manager_id) {
                (LeadershipLevel::LeaderOfLeaders, None) => {}
                (LeadershipLevel::LeaderOfLeaders, Some(_)) => {
                    panic!("{} has no level above", p.email)
                }
                (_, None) => panic!("{} has no manager", p.email),
                (level, Some(m)) => {
                    let at = *position.get(&m).expect("manager exists");
                    assert!(at < i, "{}'s manager is inserted first", p.email);
                    let boss = &people[at];
                    assert_eq!(Some(boss.profile.level), level_above(level), "{}", p.email);
                    assert_eq!(boss.profile.department, p.profile.department);
                }
            }
        }
    }
}

#[test]
fn profiles_pass_the_same_validation_as_the_profile_form() {
    let people = demo_people(DEMO_SEED);
    for p in &people {
        let input = ProfileInput::from_profile(&p.profile, None);
        let parsed = input
            .parse(p.profile.manager_id)
            .unwrap_or_else(|e| panic!("{}: {e:?}", p.email));
        assert_eq!(parsed, p.profile, "{}", p.email);
        assert!(!p.profile.bio.is_empty() && !p.profile.goals.is_empty());
        assert!(!p.profile.interests.is_empty() && !p.profile.goal_tags.is_empty());
        assert!(p.profile.skills_wanted.len() >= 2 && !p.profile.skills_offered.is_empty());
        assert!(
            !p.profile
                .skills_offered
                .iter()
                .any(|s| p.profile.skills_wanted.contains(s)),
            "{} wants what they offer",
            p.email
        );
    }
    let bios: HashSet<&str> = people.iter().map(|p| p.profile.bio.as_str()).collect();
    assert_eq!(bios.len(), people.len(), "bios vary");
    let private = people
        .iter()
        .filter(|p| p.profile.visibility == Visibility::Private)
        .count();
    assert!(
        (1..=25).contains(&private),
        "a few private profiles: {private}"
    );
}

#[test]
fn skills_come_from_the_catalogue() {
    let catalogue = skill_catalogue();
    assert!((40..=50).contains(&catalogue.len()), "{}", catalogue.len());
    let folded: HashSet<String> = catalogue.iter().map(|s| s.to_lowercase()).collect();
    assert_eq!(folded.len(), catalogue.len(), "no duplicates");
    for d in DEPARTMENTS {
        for s in d.skills {
            assert!(catalogue.contains(s), "{} skill {s}", d.name);
        }
    }
    for p in demo_people(DEMO_SEED) {
        for s in p
            .profile
            .skills_offered
            .iter()
            .chain(&p.profile.skills_wanted)
        {
            assert!(catalogue.contains(&s.as_str()), "{}: {s}", p.email);
        }
    }
}

#[test]
fn languages_are_realistic_mixes() {
    let people = demo_people(DEMO_SEED);
    let english = people
        .iter()
        .filter(|p| p.profile.languages.iter().any(|l| l == "English"))
        .count();
    assert!(english * 100 >= people.len() * 90, "most speak English");
    let spoken: HashSet<&str> = people
        .iter()
        .flat_map(|p| p.profile.languages.iter().map(String::as_str))
        .collect();
    for l in [
        "Portuguese",
        "Spanish",
        "French",
        "German",
        "Hindi",
        "Japanese",
        "Mandarin",
        "Arabic",
        "Swahili",
    ] {
        assert!(spoken.contains(l), "{l}");
    }
    assert!(people.iter().any(|p| p.profile.languages.len() >= 3));
}

#[test]
fn programmes_have_managers_mentors_and_mentees() {
    let data = demo_data(DEMO_SEED);
    let people = by_id(&data);
    assert_eq!(data.programmes.len(), 7);
    let slugs: HashSet<&str> = data.programmes.iter().map(|p| p.slug).collect();
    assert_eq!(slugs.len(), 7);
    for prog in &data.programmes {
        Slug::parse("slug", prog.slug).unwrap();
        let count = |r: ProgrammeRole| prog.roles.iter().filter(|(_, x)| *x == r).count();
        assert_eq!(count(ProgrammeRole::Manager), 2, "{}", prog.slug);
        let mut seen = HashSet::new();
        for (id, role) in &prog.roles {
            let p = people.get(id).expect("role holder exists");
            assert!(
                seen.insert(*id),
                "{} holds one role in {}",
                p.email,
                prog.slug
            );
            if *role == ProgrammeRole::Manager {
                assert_ne!(p.profile.level, LeadershipLevel::ProfessionalContributor);
            }
        }
    }
    let get = |slug: &str| data.programmes.iter().find(|p| p.slug == slug).unwrap();
    let holders = |slug: &str, role: ProgrammeRole| -> Vec<&DemoPerson> {
        get(slug)
            .roles
            .iter()
            .filter(|(_, r)| *r == role)
            .map(|(id, _)| people[id])
            .collect()
    };

    let f = get("leadership-foundations-2027");
    assert_eq!(
        (f.kind, f.status),
        (ProgrammeKind::OneToOne, ProgrammeStatus::Open)
    );
    let mentees = holders(f.slug, ProgrammeRole::Mentee);
    let mentors = holders(f.slug, ProgrammeRole::Mentor);
    assert_eq!((mentees.len(), mentors.len()), (60, 25));
    assert!(mentees
        .iter()
        .all(|p| p.profile.level == LeadershipLevel::ProfessionalContributor));
    assert!(mentors
        .iter()
        .all(|p| p.profile.level != LeadershipLevel::ProfessionalContributor));

    // The running cohort the demo's rooms live in: one seat fewer than
    // mentees, and none of them in the 2027 cohort.
    let past = get("leadership-foundations-2026");
    assert_eq!(
        (past.kind, past.status),
        (ProgrammeKind::OneToOne, ProgrammeStatus::Running)
    );
    let past_mentees = holders(past.slug, ProgrammeRole::Mentee);
    assert_eq!(
        (
            past_mentees.len(),
            holders(past.slug, ProgrammeRole::Mentor).len()
        ),
        (
            super::generator::PAST_MENTEES,
            super::generator::PAST_MENTORS
        )
    );
    assert!(past_mentees
        .iter()
        .all(|p| !mentees.iter().any(|m| m.id == p.id)));

    let peer = get("peer-circles");
    assert_eq!(
        (peer.kind, peer.status),
        (ProgrammeKind::Peer, ProgrammeStatus::Running)
    );
    assert!(holders(peer.slug, ProgrammeRole::Peer).len() >= 20);

    let r = get("reverse-mentoring-ai-data");
    assert_eq!(
        (r.kind, r.status),
        (ProgrammeKind::Reverse, ProgrammeStatus::Open)
    );
    let r_mentors = holders(r.slug, ProgrammeRole::Mentor);
    let r_mentees = holders(r.slug, ProgrammeRole::Mentee);
    assert!(r_mentors.len() >= 8 && r_mentees.len() >= 8);
    assert!(r_mentors
        .iter()
        .all(|p| p.profile.level == LeadershipLevel::ProfessionalContributor));
    assert!(r_mentees
        .iter()
        .all(|p| p.profile.level != LeadershipLevel::ProfessionalContributor));

    let g = get("new-managers-cohort");
    assert_eq!(
        (g.kind, g.status),
        (ProgrammeKind::Group, ProgrammeStatus::Draft)
    );

    // Rooms of more than two: a running group programme whose two mentors
    // take three mentees each, and a running circle programme.
    let lead = get(super::generator::GROUP_PROGRAMME);
    assert_eq!(
        (lead.kind, lead.status),
        (ProgrammeKind::Group, ProgrammeStatus::Running)
    );
    assert_eq!(
        (
            holders(lead.slug, ProgrammeRole::Mentor).len(),
            holders(lead.slug, ProgrammeRole::Mentee).len()
        ),
        (2, 6)
    );
    let circle = get(super::generator::CIRCLE_PROGRAMME);
    assert_eq!(
        (circle.kind, circle.status),
        (ProgrammeKind::Circle, ProgrammeStatus::Running)
    );
    assert_eq!(holders(circle.slug, ProgrammeRole::Peer).len(), 8);

    // Somebody is a mentor in one programme and a mentee in another, both ways.
    let mentee_then_mentor = mentees
        .iter()
        .any(|m| r_mentors.iter().any(|x| x.id == m.id));
    let mentor_then_mentee = mentors
        .iter()
        .any(|m| r_mentees.iter().any(|x| x.id == m.id));
    assert!(mentee_then_mentor && mentor_then_mentee);
}

#[test]
fn sentences_read_naturally() {
    assert_eq!(phrase("Giving feedback"), "giving feedback");
    assert_eq!(phrase("SQL"), "SQL");
    assert_eq!(phrase("Setting OKRs"), "setting OKRs");
    assert_eq!(phrase("Rust"), "Rust");
    assert_eq!(
        and_list(&["Coaching".into(), "SQL".into(), "Board games".into()]),
        "coaching, SQL and board games"
    );
    assert_eq!(article("engineering manager"), "an");
    assert_eq!(article("UX researcher"), "a");
    assert_eq!(article("VP of sales"), "a");
    assert_eq!(article("FP&A analyst"), "an");
    assert_eq!(ascii_fold("Gonçalves"), "goncalves");
    assert_eq!(ascii_fold("O'Brien"), "obrien");
    assert_eq!(ascii_fold("Müller"), "muller");
    assert_eq!(ascii_fold("El-Amin"), "el-amin");
    assert_eq!(ascii_fold("Zając"), "zajac");
}

async fn snapshot(store: &Store) -> String {
    let mut tx = store.read().await.unwrap();
    format!(
        "{:?}",
        (
            tx.count_people().await.unwrap(),
            tx.programmes().await.unwrap(),
            tx.skills().await.unwrap(),
            tx.person_by_email(DEMO_ADMIN_EMAIL).await.unwrap(),
            tx.setting("signup_mode").await.unwrap(),
            tx.audit_events(1000, 0).await.unwrap(),
        )
    )
}

#[tokio::test]
async fn seeds_an_empty_database_once() {
    for kind in test_database_kinds() {
        let (store, _dir) = fresh_store(kind).await.unwrap();
        let hash = "$argon2id$v=19$m=19456,t=2,p=1$demo$demo";
        let summary = seed(&store, hash, NOW)
            .await
            .unwrap()
            .expect("an empty database is seeded");
        let data = demo_data(DEMO_SEED);
        assert_eq!(
            summary,
            DemoSummary {
                people: data.people.len(),
                programmes: 7,
                admin_email: DEMO_ADMIN_EMAIL.into(),
            }
        );

        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.count_people().await.unwrap() as usize, data.people.len());
        assert_eq!(tx.count_admins().await.unwrap(), 1);
        let admin = tx.person_by_email(DEMO_ADMIN_EMAIL).await.unwrap().unwrap();
        assert!(admin.is_admin);
        assert_eq!(admin.status, AccountStatus::Active);
        assert_eq!(admin.password_hash.as_deref(), Some(hash));
        assert!(admin.email_verified_at.is_some());
        assert_eq!(admin.profile, data.people[0].profile);
        assert!(!tx.direct_reports(admin.id).await.unwrap().is_empty());
        let someone = &data.people[data.people.len() - 1];
        let stored = tx.person(someone.id).await.unwrap().unwrap();
        assert_eq!(stored.profile, someone.profile);
        assert_eq!(stored.email, someone.email);

        assert_eq!(tx.skills().await.unwrap().len(), skill_catalogue().len());
        assert_eq!(
            tx.setting("signup_mode").await.unwrap(),
            Some(serde_json::to_string(&SignupMode::Open).unwrap())
        );
        let programmes = tx.programmes().await.unwrap();
        assert_eq!(programmes.len(), 7);
        let f = programmes
            .iter()
            .find(|p| p.slug == "leadership-foundations-2027")
            .unwrap();
        assert_eq!(
            tx.count_role(f.id, ProgrammeRole::Mentee).await.unwrap(),
            60
        );
        assert_eq!(
            tx.count_role(f.id, ProgrammeRole::Mentor).await.unwrap(),
            25
        );
        assert_eq!(
            tx.count_role(f.id, ProgrammeRole::Manager).await.unwrap(),
            2
        );
        let roles = tx.roles_of(admin.id).await.unwrap();
        assert!(roles.contains(&(f.id, ProgrammeRole::Manager)));
        // Applications wait for a manager's decision in the first open
        // one-to-one programme, and nowhere else.
        let waiting = data.applications_programme().unwrap();
        for p in &programmes {
            let applied = tx
                .enrolments_in_status(p.id, rapport_domain::mentoring::EnrolmentStatus::Applied)
                .await
                .unwrap();
            assert_eq!(
                applied,
                if p.id == waiting.id { 3 } else { 0 },
                "{}",
                p.slug
            );
        }

        let (found, total) = tx
            .search_people(&rapport_store::DirectoryQuery {
                text: "engineering".into(),
                limit: 20,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(total >= 20 && found.len() == 20, "directory has engineers");
        drop(tx);

        // A second start leaves the database alone.
        let before = snapshot(&store).await;
        assert_eq!(seed(&store, "another-hash", NOW + 1).await.unwrap(), None);
        assert_eq!(snapshot(&store).await, before);
        store.close().await;
    }
}

#[tokio::test]
async fn a_database_with_anyone_in_it_is_left_alone() {
    for kind in test_database_kinds() {
        let (store, _dir) = fresh_store(kind).await.unwrap();
        let mut tx = store.write().await.unwrap();
        let name = rapport_domain::values::PersonName::parse("name", "Ana Lima").unwrap();
        tx.insert_person(&NewPerson {
            id: PersonId::new(),
            email: "ana@example.org".into(),
            status: AccountStatus::Active,
            is_admin: true,
            password_hash: Some("hash".into()),
            email_verified_at: None,
            profile: Profile::new(name),
            now: NOW,
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let before = snapshot(&store).await;
        assert_eq!(seed(&store, "hash", NOW).await.unwrap(), None);
        assert_eq!(snapshot(&store).await, before);
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.count_people().await.unwrap(), 1);
        assert!(tx.programmes().await.unwrap().is_empty());
        assert!(tx.skills().await.unwrap().is_empty());
        drop(tx);
        store.close().await;
    }
}

/// Everything a room can be, reached through the use cases: each storyline
/// ends in its state, with the intended health and the reasons behind it,
/// and nothing private reaches anyone else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_live_through_three_months_of_use_cases() {
    use crate::lists::ListQuery;
    use rapport_domain::health::{Level, ReasonCode};
    use rapport_domain::mentoring::NoteVisibility;
    use rapport_domain::mentoring::{RoomStatus, SessionStatus};
    use std::sync::Arc;

    for kind in test_database_kinds() {
        let (store, _dir) = fresh_store(kind).await.unwrap();
        seed(&store, "hash", NOW).await.unwrap().unwrap();
        let outbox = tempfile::tempdir().unwrap();
        let config = crate::AppConfig {
            outbox_dir: outbox.path().to_path_buf(),
            ..Default::default()
        };
        let app = crate::App::new(
            store.clone(),
            Arc::new(crate::ManualClock::new(NOW)),
            config,
        )
        .await
        .unwrap();
        // Written but not played: a start now refuses to serve it.
        assert!(super::rooms::rooms_unfinished(&app).await.unwrap());
        let took = std::time::Instant::now();
        let rooms = seed_rooms(&app, NOW).await.unwrap();
        assert!(!super::rooms::rooms_unfinished(&app).await.unwrap());
        eprintln!("{kind:?}: {} rooms in {:?}", rooms.rooms, took.elapsed());

        let mut tx = store.read().await.unwrap();
        let mut seen = HashSet::new();
        let mut records = vec![];
        for (id, story) in &rooms.arcs {
            let room = tx.room(*id).await.unwrap().unwrap();
            seen.insert(format!("{story:?}"));
            let want = match story {
                Storyline::Paused => RoomStatus::Paused,
                Storyline::Completed => RoomStatus::Completed,
                Storyline::Proposed => RoomStatus::Proposed,
                Storyline::PeersEnded | Storyline::NotWorking => RoomStatus::EndedEarly,
                _ => RoomStatus::Active,
            };
            assert_eq!(room.status, want, "{story:?}");
            assert!(
                room.created_at >= NOW - rooms::HISTORY_DAYS * 86_400_000 - 86_400_000,
                "the story starts about a hundred days back"
            );
            records.push((room, *story));
        }
        drop(tx);
        for s in [
            "Healthy",
            "Drifting",
            "AtRisk",
            "NotWorking",
            "Paused",
            "Completed",
            "Proposed",
            "Peers",
            "PeersEnded",
            "Group",
            "Circle",
        ] {
            assert!(seen.contains(s), "{s} is in the demo");
        }
        let started = records
            .iter()
            .filter_map(|(r, _)| r.started_at)
            .min()
            .unwrap();
        assert!(
            NOW - started > 90 * 86_400_000,
            "the story spans three months"
        );

        let admin = tx_admin(&store).await;
        let admin = app.actor(admin).await.unwrap();
        let q = ListQuery::default();
        for (room, story) in &records {
            let mentor = app.actor(room.members[0].person_id).await.unwrap();
            let mentee = app.actor(room.members[1].person_id).await.unwrap();
            // Managers see every reason; the health is what the story meant.
            let health = app.room_health(&admin, room.id).await.unwrap();
            let codes: Vec<ReasonCode> = health
                .health
                .as_ref()
                .map(|h| h.reasons.iter().map(|r| r.code).collect())
                .unwrap_or_default();
            let level = health.health.as_ref().map(|h| h.level);
            match story {
                Storyline::Healthy | Storyline::Peers => {
                    assert_eq!(level, Some(Level::Healthy), "{story:?}: {codes:?}")
                }
                Storyline::Group | Storyline::Circle => {
                    // Everyone accepted and confirmed, and every member's
                    // attendance was taken.
                    assert!(room.members.len() > 2, "{story:?}: {:?}", room.members);
                    assert_eq!(level, Some(Level::Healthy), "{story:?}: {codes:?}");
                    let agreement = app.agreement(&mentee, room.id).await.unwrap();
                    assert!(agreement.waiting_for.is_empty(), "all confirmed");
                    let sessions = app.room_sessions(&mentee, room.id).await.unwrap();
                    assert!(sessions
                        .sessions
                        .iter()
                        .any(|s| s.status == SessionStatus::Held));
                }
                Storyline::Drifting => {
                    assert_eq!(level, Some(Level::NeedsAttention), "{codes:?}");
                    assert!(codes.contains(&ReasonCode::GapLong), "{codes:?}");
                }
                Storyline::AtRisk => {
                    assert_eq!(level, Some(Level::AtRisk), "{codes:?}");
                    for c in [
                        ReasonCode::PulseLowScore,
                        ReasonCode::PulseSidesDiffer,
                        ReasonCode::GapAtRisk,
                    ] {
                        assert!(codes.contains(&c), "{c:?} in {codes:?}");
                    }
                }
                Storyline::NotWorking => {
                    // The manager re-matched the mentee without fault: the
                    // old room ended for fit, and a new room holds the goals.
                    assert_eq!(
                        room.end_reason,
                        Some(rapport_domain::mentoring::EndReason::Fit)
                    );
                    let mut tx = store.read().await.unwrap();
                    let theirs = tx.rooms_of(mentee.person_id).await.unwrap();
                    let new_room = theirs
                        .iter()
                        .find(|r| r.id != room.id && r.status == RoomStatus::Active)
                        .expect("the re-matched mentee has a new active room");
                    assert!(
                        !new_room
                            .members
                            .iter()
                            .any(|m| m.person_id == mentor.person_id),
                        "the new mentor is not the old one"
                    );
                    drop(tx);
                    let goals = app.room_goals(&mentee, new_room.id, &q).await.unwrap();
                    assert!(!goals.page.items.is_empty(), "the goals moved");
                }
                _ => {}
            }
            if matches!(story, Storyline::AtRisk | Storyline::NotWorking) {
                // The mentor sees no reason drawn from the mentee's answers,
                // and nothing of their words.
                let theirs = app.room_health(&mentor, room.id).await.unwrap();
                let reasons = theirs.health.map(|h| h.reasons).unwrap_or_default();
                assert!(
                    reasons.iter().all(|r| !matches!(
                        r.code,
                        ReasonCode::PulseLowScore
                            | ReasonCode::PulseNotWorking
                            | ReasonCode::PulseSidesDiffer
                    )),
                    "{reasons:?}"
                );
                assert!(theirs.comments.is_empty());
                let mine = app.my_pulse(&mentor, room.id).await.unwrap();
                assert!(mine
                    .mine
                    .iter()
                    .all(|p| p.record.person_id == mentor.person_id));
            }
            if *story == Storyline::Healthy {
                let agreement = app.agreement(&mentee, room.id).await.unwrap();
                assert!(agreement.current.is_some());
                assert!(agreement.waiting_for.is_empty(), "both confirmed");
                let goals = app.room_goals(&mentee, room.id, &q).await.unwrap();
                assert_eq!(goals.page.items.len(), 2);
                assert!(goals
                    .page
                    .items
                    .iter()
                    .any(|g| g.goal.progress > 0 && g.goal.progress < 100));
                let sessions = app.room_sessions(&mentee, room.id).await.unwrap();
                let held = sessions
                    .sessions
                    .iter()
                    .filter(|s| s.status == SessionStatus::Held)
                    .count();
                assert!(held >= 6, "{held} held");
                assert!(sessions
                    .sessions
                    .iter()
                    .any(|s| s.status == SessionStatus::Scheduled && s.starts_at > NOW));
                let messages = app.room_messages(&mentee, room.id, &q).await.unwrap();
                assert!(messages.items.len() >= 6);
                // The mentee reads their own private note and the shared one,
                // never the mentor's private note.
                let notes = app.room_notes(&mentee, room.id, &q).await.unwrap();
                assert!(notes
                    .items
                    .iter()
                    .any(|n| n.record.visibility == NoteVisibility::Room));
                assert!(notes
                    .items
                    .iter()
                    .all(|n| n.record.visibility == NoteVisibility::Room
                        || n.record.author_id == Some(mentee.person_id)));
                assert!(notes
                    .items
                    .iter()
                    .any(|n| n.record.visibility == NoteVisibility::Private));
            }
            if *story == Storyline::Completed {
                for who in [&mentor, &mentee] {
                    let closure = app.closure(who, room.id).await.unwrap();
                    assert!(closure.mine.is_some(), "both answered the closure survey");
                }
            }
        }

        // The story's mail went into the demo history, all of it sent; none
        // carries a pulse comment or a private note.
        let history = outbox.path().join("demo-history");
        let mut files = 0;
        for entry in std::fs::read_dir(&history).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            files += 1;
            for secret in [
                room_words::PULSE_STRAINED,
                room_words::PULSE_NOT_WORKING,
                room_words::MENTEE_PRIVATE[0],
                room_words::MENTOR_PRIVATE[0],
            ] {
                assert!(!text.contains(&secret[..40]), "a secret reached email");
            }
        }
        assert!(files > 50, "{files} emails in the history");
        // Growth Threads (H7): the demo threads play through the use cases.
        assert_eq!(super::threads::seed_threads(&app, &rooms).await.unwrap(), 7);
        // One of the mentee's posts links the roadmap step it is about.
        let mut tx = store.read().await.unwrap();
        let mentee = tx
            .person_by_email(&rooms.mentee_email)
            .await
            .unwrap()
            .unwrap();
        let linked = tx.posts_of_author(mentee.id).await.unwrap();
        drop(tx);
        assert!(
            linked.iter().any(|p| matches!(
                p.link,
                Some((rapport_domain::threads::LinkKind::RoadmapStep, _))
            )),
            "no demo post links a roadmap step"
        );
        let counts = app.job_counts().await.unwrap();
        assert_eq!(counts.failed, 0);
        store.close().await;
    }
}

async fn tx_admin(store: &Store) -> PersonId {
    let mut tx = store.read().await.unwrap();
    tx.person_by_email(DEMO_ADMIN_EMAIL)
        .await
        .unwrap()
        .unwrap()
        .id
}
