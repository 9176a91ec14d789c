//! A programme end to end at the use-case level, on every database: create
//! and open it, enrol and approve, run a round with explanations and an
//! unmatched mentee with a reason, a refused pin, publish, answer the rooms,
//! and read the coverage dashboard.

use rapport_app::enrolment::EnrolInput;
use rapport_app::programmes::ProgrammeInput;
use rapport_app::{Actor, App, AppError, ManualClock};
use rapport_domain::mentoring::RoomStatus;
use rapport_domain::person::ProfileInput;
use rapport_domain::PersonId;
use rapport_web::testing::{test_database_kinds, TestApp};
use std::sync::Arc;

struct World {
    app: App,
    clock: Arc<ManualClock>,
    admin: Actor,
    /// The shared harness; `app` and `clock` are its own.
    t: TestApp,
}

async fn world(kind: &'static str) -> World {
    let t = TestApp::new(kind).await;
    let (app, clock) = (t.app.clone(), t.clock.clone());
    let admin_id = app
        .create_user("admin@example.org", "Ada Admin", "long enough pw", true)
        .await
        .unwrap();
    let admin = app.actor(admin_id).await.unwrap();
    World {
        app,
        clock,
        admin,
        t,
    }
}

async fn member(
    w: &World,
    email: &str,
    name: &str,
    level: &str,
    languages: &str,
    manager: &str,
) -> PersonId {
    let id = w
        .app
        .create_user(email, name, "long enough pw", false)
        .await
        .unwrap();
    let input = ProfileInput {
        name: name.into(),
        level: level.into(),
        years_experience: if level == "leader_of_leaders" {
            "15".into()
        } else {
            "3".into()
        },
        skills_offered: "Public speaking, Hiring".into(),
        skills_wanted: "Public speaking".into(),
        goal_tags: "speaking".into(),
        languages: languages.into(),
        time_zone: "Europe/Lisbon".into(),
        availability: "mon 09:00-12:00\nwed 14:00-17:00".into(),
        manager_email: manager.into(),
        visibility: "members".into(),
        ..Default::default()
    };
    w.app.update_profile(&w.admin, id, &input).await.unwrap();
    id
}

fn field(e: &AppError) -> Vec<&'static str> {
    match e {
        AppError::Invalid(v) => v.iter().map(|i| i.field).collect(),
        AppError::Conflict { field, .. } => field.iter().copied().collect(),
        _ => vec![],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_programme_from_draft_to_rooms() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let app = &w.app;
        let created = app
            .create_programme(
                &w.admin,
                &ProgrammeInput {
                    name: "Spring Leaders".into(),
                    kind: "one_to_one".into(),
                    questions: "single: Format? | In person | Video | weight=10".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let slug = created.record.slug.clone();
        assert_eq!(slug, "spring-leaders");

        // Mentors at the top level, mentees at the first; one mentee speaks only Portuguese.
        let mentors = [
            member(
                &w,
                "mona@example.org",
                "Mona",
                "leader_of_leaders",
                "English",
                "",
            )
            .await,
            member(
                &w,
                "max@example.org",
                "Max",
                "leader_of_leaders",
                "English",
                "",
            )
            .await,
            member(
                &w,
                "mia@example.org",
                "Mia",
                "leader_of_leaders",
                "English",
                "",
            )
            .await,
        ];
        let mut mentees = vec![];
        for i in 0..5 {
            mentees.push(
                member(
                    &w,
                    &format!("e{i}@example.org"),
                    &format!("Mentee {i}"),
                    "professional_contributor",
                    "English",
                    if i == 0 { "mona@example.org" } else { "" },
                )
                .await,
            );
        }
        let lusa = member(
            &w,
            "lusa@example.org",
            "Lusa",
            "professional_contributor",
            "Portuguese",
            "",
        )
        .await;
        let member_actor = app.actor(mentees[1]).await.unwrap();

        // A draft is hidden from members; only allowed moves pass.
        assert!(matches!(
            app.programme(&member_actor, &slug).await,
            Err(AppError::NotFound(_))
        ));
        let e = app
            .move_programme(&w.admin, &slug, "running")
            .await
            .unwrap_err();
        assert_eq!(field(&e), ["status"], "{e}");
        app.move_programme(&w.admin, &slug, "open").await.unwrap();
        assert!(app.programme(&member_actor, &slug).await.is_ok());

        // Mentors apply themselves; the code of conduct and the answer are checked.
        let mona = app.actor(mentors[0]).await.unwrap();
        let bad = EnrolInput {
            role: "mentor".into(),
            answers: [("q1".to_string(), vec!["Phone".to_string()])].into(),
            ..Default::default()
        };
        let e = app.enrol(&mona, &slug, &bad).await.unwrap_err();
        let fields = field(&e);
        assert!(
            fields.contains(&"answers") && fields.contains(&"accept_conduct"),
            "{fields:?}"
        );
        for (m, cap) in mentors.iter().zip(["2", "2", "1"]) {
            let actor = app.actor(*m).await.unwrap();
            let ids = app
                .enrol(
                    &actor,
                    &slug,
                    &EnrolInput {
                        role: "mentor".into(),
                        capacity: cap.into(),
                        accept_conduct: true,
                        answers: [("q1".to_string(), vec!["Video".to_string()])].into(),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            app.decide_enrolment(&w.admin, &slug, ids[0], "approved")
                .await
                .unwrap();
        }
        let again = app
            .enrol(
                &mona,
                &slug,
                &EnrolInput {
                    role: "mentor".into(),
                    accept_conduct: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(again, AppError::Conflict { .. }), "{again}");
        let emails: Vec<String> = (0..5)
            .map(|i| format!("e{i}@example.org"))
            .chain(["lusa@example.org".to_string()])
            .collect();
        assert_eq!(
            app.enrol_in_bulk(&w.admin, &slug, &emails.join(", "), "mentee")
                .await
                .unwrap(),
            6
        );

        // A pin across a reporting line is refused with the rule named.
        let e = app
            .set_pair_rule(&w.admin, &slug, mentees[0], mentors[0], "pin")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("reporting_line"), "{e}");
        app.set_pair_rule(&w.admin, &slug, mentees[1], mentors[2], "pin")
            .await
            .unwrap();

        let round = app.run_round(&w.admin, &slug).await.unwrap();
        let r = &round.result;
        assert_eq!((r.pool, r.placed, r.mentors), (6, 5, 3));
        assert!(r.certified);
        assert_eq!(r.unmatched.len(), 1);
        assert_eq!(r.unmatched[0].person_id, lusa);
        assert!(
            r.unmatched[0].reason.to_lowercase().contains("language"),
            "{}",
            r.unmatched[0].reason
        );
        assert!(r.unmatched[0].fix.is_some());
        let pinned = r
            .proposals
            .iter()
            .find(|p| p.pinned)
            .expect("the pin is placed");
        assert!(
            pinned.members.iter().any(|m| m.person_id == mentees[1])
                && pinned.members.iter().any(|m| m.person_id == mentors[2])
        );
        for p in &r.proposals {
            let sum: f64 = p.explanation.iter().map(|l| l.points).sum();
            assert!(
                (sum - p.score).abs() < 1e-6,
                "explanation adds up: {sum} vs {}",
                p.score
            );
            assert!(
                !p.members.iter().any(|m| m.person_id == mentees[0])
                    || !p.members.iter().any(|m| m.person_id == mentors[0]),
                "never the mentee's own manager"
            );
        }

        let published = app.publish_round(&w.admin, &slug, round.id).await.unwrap();
        assert_eq!((published.rooms.len(), published.skipped.len()), (5, 0));
        assert!(matches!(
            app.publish_round(&w.admin, &slug, round.id).await,
            Err(AppError::Conflict { .. })
        ));
        let cov = app.coverage(&w.admin, &slug).await.unwrap();
        assert_eq!(
            (cov.participants, cov.matched, cov.pending, cov.unmatched),
            (6, 0, 5, 1)
        );
        assert_eq!(cov.waiting[0].person_id, lusa);

        // Both accept: active. A decline ends a room and returns the mentee to the pool.
        let rooms = published.rooms;
        let view = app.room(&w.admin, rooms[0]).await.unwrap();
        let people: Vec<PersonId> = view.room.members.iter().map(|m| m.person_id).collect();
        let outsider = app.actor(lusa).await.unwrap();
        assert!(matches!(
            app.room(&outsider, rooms[0]).await,
            Err(AppError::NotFound(_))
        ));
        assert!(view.explanation.is_some_and(|e| !e.is_empty()));
        assert_eq!(
            app.answer_room(&app.actor(people[0]).await.unwrap(), rooms[0], true)
                .await
                .unwrap(),
            RoomStatus::Proposed
        );
        assert_eq!(
            app.answer_room(&app.actor(people[1]).await.unwrap(), rooms[0], true)
                .await
                .unwrap(),
            RoomStatus::Active
        );
        let second = app.room(&w.admin, rooms[1]).await.unwrap();
        let mentee = second
            .room
            .members
            .iter()
            .find(|m| m.role == rapport_domain::programme::ProgrammeRole::Mentee)
            .unwrap()
            .person_id;
        assert_eq!(
            app.answer_room(&app.actor(mentee).await.unwrap(), rooms[1], false)
                .await
                .unwrap(),
            RoomStatus::EndedEarly
        );
        assert!(matches!(
            app.answer_room(&app.actor(mentee).await.unwrap(), rooms[1], true)
                .await,
            Err(AppError::Conflict { .. })
        ));
        let cov = app.coverage(&w.admin, &slug).await.unwrap();
        assert_eq!((cov.matched, cov.pending, cov.unmatched), (1, 3, 2));

        // The declined pair is never proposed again; "match now" finds another mentor or says why.
        match app.match_now(&w.admin, &slug, mentee).await {
            Ok(room) => {
                let v = app.room(&w.admin, room).await.unwrap();
                assert!(!v
                    .room
                    .members
                    .iter()
                    .any(|m| second.room.members.iter().any(|s| s.role
                        == rapport_domain::programme::ProgrammeRole::Mentor
                        && s.person_id == m.person_id)));
            }
            Err(AppError::Conflict { message, .. }) => {
                assert!(message.contains("no mentor can take them"), "{message}")
            }
            Err(e) => panic!("{e}"),
        }
        let e = app.match_now(&w.admin, &slug, lusa).await.unwrap_err();
        assert!(e.to_string().to_lowercase().contains("language"), "{e}");
        // Applications, the round's matches, one withdrawal and the active rooms were all told by email.
        w.t.expect_emails(&[
            ("max@example.org", "Your application to Spring Leaders"),
            ("mona@example.org", "Your application to Spring Leaders"),
            ("mia@example.org", "Your application to Spring Leaders"),
            (
                "mia@example.org",
                "Your match in Spring Leaders will not go ahead",
            ),
            ("max@example.org", "Your room is active"),
            ("e0@example.org", "Your room is active"),
        ])
        .await;
        let matches = w.t.take_emails_about("Your match in Spring Leaders").await;
        assert_eq!(matches.len(), 10, "{matches:#?}");
        w.t.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_and_managers_are_checked() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let app = &w.app;
        let p = app
            .create_programme(
                &w.admin,
                &ProgrammeInput {
                    name: "Peers".into(),
                    kind: "peer".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let slug = p.record.slug;
        let toml = app.matching_settings(&w.admin, &slug).await.unwrap();
        assert!(toml.contains("kind = \"peer\""), "{toml}");
        let e = app
            .set_matching_settings(&w.admin, &slug, "quality_floor = 500.0")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("quality_floor"), "{e}");
        let e = app
            .set_matching_settings(&w.admin, &slug, "qualityfloor = 5.0")
            .await
            .unwrap_err();
        assert_eq!(field(&e), ["settings"]);
        app.set_matching_settings(
            &w.admin,
            &slug,
            "quality_floor = 10.0\n[reach]\nmax_time_zone_hours = 4.0",
        )
        .await
        .unwrap();
        assert!(app
            .matching_settings(&w.admin, &slug)
            .await
            .unwrap()
            .contains("quality_floor = 10.0"));
        let m = app
            .create_user("mo@example.org", "Mo", "long enough pw", false)
            .await
            .unwrap();
        let mo = app.actor(m).await.unwrap();
        assert!(matches!(
            app.matching_settings(&mo, &slug).await,
            Err(AppError::NotFound(_))
        ));
        app.add_manager(&w.admin, &slug, "mo@example.org")
            .await
            .unwrap();
        let mo = app.actor(m).await.unwrap();
        assert!(app.matching_settings(&mo, &slug).await.is_ok());
        app.remove_manager(&mo, &slug, w.admin.person_id)
            .await
            .unwrap();
        assert!(matches!(
            app.remove_manager(&mo, &slug, m).await,
            Err(AppError::Conflict { .. })
        ));
        w.t.finish().await;
    }
}

const DAY: i64 = 86_400_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ranked_requests_roll_over_expire_and_ask() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let app = &w.app;
        let slug = open_in_mode(&w, "Self", "one_to_one", "mentees_request").await;
        let mut mentors = vec![];
        for (i, name) in ["Ana", "Ben", "Cy", "Dee"].iter().enumerate() {
            mentors.push(
                member(
                    &w,
                    &format!("m{i}@example.org"),
                    name,
                    "leader_of_leaders",
                    "English",
                    "",
                )
                .await,
            );
        }
        let mentee = member(
            &w,
            "e@example.org",
            "Eve",
            "professional_contributor",
            "English",
            "",
        )
        .await;
        let emails: Vec<String> = (0..4).map(|i| format!("m{i}@example.org")).collect();
        app.enrol_in_bulk(&w.admin, &slug, &emails.join(","), "mentor")
            .await
            .unwrap();
        app.enrol_in_bulk(&w.admin, &slug, "e@example.org", "mentee")
            .await
            .unwrap();
        let eve = app.actor(mentee).await.unwrap();
        let actor = |i: usize| app.actor(mentors[i]);

        // A paused mentor drops out of recommendations; the rest are ranked with reasons.
        app.set_pause(&actor(3).await.unwrap(), "2099-01-01")
            .await
            .unwrap();
        let recs = app.recommendations(&eve, &slug).await.unwrap();
        assert_eq!(recs.len(), 3, "{recs:?}");
        assert!(!recs.iter().any(|r| r.mentor_id == mentors[3]));
        assert!(recs.iter().all(|r| !r.explanation.is_empty() && !r.full));
        assert!(matches!(
            app.recommendations(&actor(0).await.unwrap(), &slug).await,
            Err(AppError::Forbidden(_))
        ));
        let e = app
            .request_mentors(&eve, &slug, &[mentors[3]], "hi")
            .await
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("not taking mentees until 1 Jan 2099"),
            "{e}"
        );
        let e = app
            .request_mentors(
                &eve,
                &slug,
                &[mentors[0], mentors[1], mentors[2], mentors[3]],
                "hi",
            )
            .await
            .unwrap_err();
        assert_eq!(field(&e), ["mentor_ids"]);

        // Ranked: the first declines with a reason, and the request rolls over to the second.
        let first = app
            .request_mentors(&eve, &slug, &mentors[..3], "I want to grow as a speaker")
            .await
            .unwrap();
        app.decline_request(&actor(0).await.unwrap(), first, "I am away this quarter")
            .await
            .unwrap();
        let mine = app.my_requests(&eve).await.unwrap();
        let declined = mine.iter().find(|v| v.request.id == first).unwrap();
        assert_eq!(
            declined.request.decline_reason.as_deref(),
            Some("I am away this quarter")
        );
        let second = mine
            .iter()
            .find(|v| v.request.mentor_id == mentors[1])
            .expect("rolled over to the second");
        assert!(second.request.status.is_open());
        let e = app
            .request_mentors(&eve, &slug, &[mentors[0]], "again?")
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Conflict { .. }),
            "re-requesting a declined mentor: {e}"
        );

        // Nobody answers: a reminder three days before, then expiry rolls over to the third.
        w.clock.advance(12 * DAY);
        assert_eq!(app.sweep_requests().await.unwrap(), (0, 1));
        assert_eq!(
            app.sweep_requests().await.unwrap(),
            (0, 0),
            "one reminder only"
        );
        w.clock.advance(2 * DAY + 1);
        assert_eq!(app.sweep_requests().await.unwrap().0, 1);
        let mine = app.my_requests(&eve).await.unwrap();
        assert_eq!(
            mine.iter()
                .find(|v| v.request.mentor_id == mentors[1])
                .unwrap()
                .request
                .status
                .code(),
            "expired"
        );
        let third = mine
            .iter()
            .find(|v| v.request.mentor_id == mentors[2])
            .expect("rolled over to the third")
            .request
            .id;
        assert!(
            matches!(
                app.accept_request(&actor(1).await.unwrap(), second.request.id)
                    .await,
                Err(AppError::Conflict { .. })
            ),
            "accepting an expired request"
        );

        // The third asks for more information; the mentee answers; the mentor accepts.
        let cy = actor(2).await.unwrap();
        assert!(matches!(
            app.answer_about_request(&eve, third, "early").await,
            Err(AppError::Conflict { .. })
        ));
        app.ask_about_request(&cy, third, "What is your goal?")
            .await
            .unwrap();
        assert!(matches!(
            app.ask_about_request(&eve, third, "me?").await,
            Err(AppError::Forbidden(_))
        ));
        app.answer_about_request(&eve, third, "Speak at a conference")
            .await
            .unwrap();
        let room = app.accept_request(&cy, third).await.unwrap();
        assert_eq!(
            app.room(&eve, room).await.unwrap().room.status,
            RoomStatus::Active
        );
        let cov = app.coverage(&w.admin, &slug).await.unwrap();
        assert_eq!((cov.matched, cov.unmatched), (1, 0));
        w.t.expect_emails(&[
            ("m0@example.org", "Eve asks you to be their mentor"),
            ("m1@example.org", "Eve asks you to be their mentor"),
            ("m1@example.org", "A mentoring request expires soon"),
            ("m2@example.org", "Eve asks you to be their mentor"),
            ("e@example.org", "A question about your mentoring request"),
            ("m2@example.org", "An answer about a mentoring request"),
            ("e@example.org", "Your mentoring request was accepted"),
        ])
        .await;
        w.t.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocks_keep_people_apart_and_reports_stay_with_managers() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let app = &w.app;
        let slug = open_in_mode(&w, "Safe", "one_to_one", "mentees_request").await;
        let mentor = member(
            &w,
            "m@example.org",
            "Mo",
            "leader_of_leaders",
            "English",
            "",
        )
        .await;
        let mentee = member(
            &w,
            "e@example.org",
            "Eve",
            "professional_contributor",
            "English",
            "",
        )
        .await;
        app.enrol_in_bulk(&w.admin, &slug, "m@example.org", "mentor")
            .await
            .unwrap();
        app.enrol_in_bulk(&w.admin, &slug, "e@example.org", "mentee")
            .await
            .unwrap();
        let (mo, eve) = (
            app.actor(mentor).await.unwrap(),
            app.actor(mentee).await.unwrap(),
        );

        // An open request is closed by the block, and no new one can be sent.
        let r = app
            .request_mentors(&eve, &slug, &[mentor], "hello")
            .await
            .unwrap();
        app.block(&mo, mentee).await.unwrap();
        let mine = app.my_requests(&eve).await.unwrap();
        assert_eq!(
            mine.iter()
                .find(|v| v.request.id == r)
                .unwrap()
                .request
                .status
                .code(),
            "withdrawn"
        );
        let e = app
            .request_mentors(&eve, &slug, &[mentor], "again")
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Conflict { .. }), "{e}");
        assert!(app.recommendations(&eve, &slug).await.unwrap().is_empty());
        let round = app.run_round(&w.admin, &slug).await.unwrap();
        assert_eq!(round.result.placed, 0, "a blocked pair is never proposed");
        assert!(matches!(
            app.block(&mo, mentor).await,
            Err(AppError::Invalid(_))
        ));

        // Lifting the block lets them be matched again.
        app.unblock(&mo, mentee).await.unwrap();
        assert!(matches!(
            app.unblock(&mo, mentee).await,
            Err(AppError::NotFound(_))
        ));
        assert_eq!(
            app.run_round(&w.admin, &slug).await.unwrap().result.placed,
            1
        );

        // Reports reach the managers only.
        let e = app
            .report(&eve, &slug, Some(mentor), None, "short")
            .await
            .unwrap_err();
        assert_eq!(field(&e), ["reason"]);
        let id = app
            .report(&eve, &slug, Some(mentor), None, "He was rude in our chat")
            .await
            .unwrap();
        assert!(matches!(
            app.reports(&eve, &slug).await,
            Err(AppError::Forbidden(_))
        ));
        let queue = app.reports(&w.admin, &slug).await.unwrap();
        assert_eq!(
            (queue.len(), queue[0].subject.as_deref(), queue[0].status),
            (1, Some("Mo"), rapport_domain::mentoring::ReportStatus::Open)
        );
        // A request can be reported by the people in it, and only by them.
        let by_request = app
            .report(
                &eve,
                &slug,
                None,
                Some(r),
                "The request message was abusive",
            )
            .await
            .unwrap();
        let e = app
            .report(
                &app.actor(w.admin.person_id).await.unwrap(),
                &slug,
                None,
                Some(r),
                "Not mine to report",
            )
            .await
            .unwrap_err();
        assert_eq!(field(&e), ["request_id"]);
        assert!(app
            .reports(&w.admin, &slug)
            .await
            .unwrap()
            .iter()
            .any(|q| q.id == by_request && q.request_id == Some(r)));
        app.resolve_report(&w.admin, &slug, id, "Spoke with both")
            .await
            .unwrap();
        assert!(matches!(
            app.resolve_report(&w.admin, &slug, id, "again").await,
            Err(AppError::NotFound(_))
        ));
        let outsider = app
            .create_user("o@example.org", "Out", "long enough pw", false)
            .await
            .unwrap();
        let e = app
            .report(
                &app.actor(outsider).await.unwrap(),
                &slug,
                Some(mentor),
                None,
                "I heard things",
            )
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e}");
        // Reports go to the programme's managers (here the admin who made it).
        w.t.expect_emails(&[
            ("m@example.org", "Eve asks you to be their mentor"),
            ("admin@example.org", "A report in Safe"),
            ("admin@example.org", "A report in Safe"),
        ])
        .await;
        w.t.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mentors_choose_by_offering() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let app = &w.app;
        let slug = open_in_mode(&w, "Pick", "one_to_one", "mentors_choose").await;
        let mentor = member(
            &w,
            "m@example.org",
            "Mo",
            "leader_of_leaders",
            "English",
            "",
        )
        .await;
        let mentee = member(
            &w,
            "e@example.org",
            "Eve",
            "professional_contributor",
            "English",
            "",
        )
        .await;
        let far = member(
            &w,
            "f@example.org",
            "Fay",
            "professional_contributor",
            "Portuguese",
            "",
        )
        .await;
        app.enrol_in_bulk(&w.admin, &slug, "m@example.org", "mentor")
            .await
            .unwrap();
        app.enrol_in_bulk(&w.admin, &slug, "e@example.org, f@example.org", "mentee")
            .await
            .unwrap();
        let (mo, eve) = (
            app.actor(mentor).await.unwrap(),
            app.actor(mentee).await.unwrap(),
        );

        // The mentor sees the waiting mentees who suit them (not the one with no shared language).
        let list = app.mentee_suggestions(&mo, &slug).await.unwrap();
        assert_eq!(
            list.iter().map(|m| m.mentee_id).collect::<Vec<_>>(),
            vec![mentee]
        );
        assert!(!list[0].explanation.is_empty());
        assert!(matches!(
            app.mentee_suggestions(&eve, &slug).await,
            Err(AppError::Forbidden(_))
        ));
        // Mentees do not send requests here; mentors send offers.
        let e = app
            .request_mentors(&eve, &slug, &[mentor], "hi")
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Conflict { .. }), "{e:?}");
        assert!(matches!(
            app.send_offer(&eve, &slug, mentor, "hi").await,
            Err(AppError::Forbidden(_))
        ));
        let offer = app
            .send_offer(&mo, &slug, mentee, "I would love to help")
            .await
            .unwrap();
        assert!(app.mentee_suggestions(&mo, &slug).await.unwrap()[0].offered);
        assert!(
            matches!(
                app.accept_request(&mo, offer).await,
                Err(AppError::Forbidden(_))
            ),
            "the sender cannot accept"
        );
        let room = app.accept_request(&eve, offer).await.unwrap();
        assert_eq!(
            app.room(&mo, room).await.unwrap().room.status,
            RoomStatus::Active
        );
        let e = app
            .send_offer(&mo, &slug, mentee, "again")
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Conflict { .. }), "{e}");
        let _ = far;

        // The programme's mentor directory filters by skill, language, level and day.
        use rapport_app::recommend::MentorFilter;
        let (eve_r, slug_r) = (&eve, slug.as_str());
        let search =
            move |f: MentorFilter| async move { app.mentor_directory(eve_r, slug_r, &f).await };
        let names = |v: Vec<rapport_app::recommend::MentorListing>| {
            v.into_iter().map(|m| m.name).collect::<Vec<_>>()
        };
        assert_eq!(
            names(
                search(MentorFilter {
                    skill: "hir".into(),
                    ..Default::default()
                })
                .await
                .unwrap()
            ),
            ["Mo"]
        );
        assert!(search(MentorFilter {
            language: "Portuguese".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .is_empty());
        assert!(search(MentorFilter {
            level: "team_leader".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .is_empty());
        assert_eq!(
            names(
                search(MentorFilter {
                    day: "wed".into(),
                    max_hours: "1".into(),
                    ..Default::default()
                })
                .await
                .unwrap()
            ),
            ["Mo"]
        );
        assert!(search(MentorFilter {
            day: "sat".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .is_empty());
        let e = search(MentorFilter {
            max_hours: "lots".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
        assert_eq!(field(&e), ["max_hours"]);
        // A member leaves in one role: the enrolment is withdrawn and the role taken away.
        app.withdraw_enrolment(&app.actor(far).await.unwrap(), &slug, "mentee")
            .await
            .unwrap();
        let fay = app.actor(far).await.unwrap();
        assert!(fay.roles.is_empty(), "{:?}", fay.roles);
        assert!(matches!(
            app.withdraw_enrolment(&fay, &slug, "mentee").await,
            Err(AppError::NotFound(_))
        ));
        assert_eq!(
            app.my_enrolments(&fay, &slug).await.unwrap()[0]
                .status
                .code(),
            "withdrawn"
        );
        app.set_pause(&mo, "2099-01-01").await.unwrap();
        assert!(
            search(MentorFilter::default()).await.unwrap()[0].full,
            "a paused mentor shows as full"
        );
        w.t.expect_emails(&[
            ("e@example.org", "Mo offers to mentor you"),
            ("m@example.org", "Your mentoring request was accepted"),
        ])
        .await;
        w.t.finish().await;
    }
}

/// Enrols `n` people as `role` at `level`, all speaking English in one zone.
async fn crowd(
    w: &World,
    slug: &str,
    prefix: &str,
    n: usize,
    level: &str,
    role: &str,
) -> Vec<PersonId> {
    let mut ids = vec![];
    let mut emails = vec![];
    for i in 0..n {
        let email = format!("{prefix}{i}@example.org");
        ids.push(member(w, &email, &format!("{prefix} {i}"), level, "English", "").await);
        emails.push(email);
    }
    w.app
        .enrol_in_bulk(&w.admin, slug, &emails.join(","), role)
        .await
        .unwrap();
    ids
}

async fn open_programme(w: &World, name: &str, kind: &str) -> String {
    open_in_mode(w, name, kind, "managers").await
}

/// Creates and opens a programme with a matching mode; returns its slug.
async fn open_in_mode(w: &World, name: &str, kind: &str, mode: &str) -> String {
    let p = w
        .app
        .create_programme(
            &w.admin,
            &ProgrammeInput {
                name: name.into(),
                kind: kind.into(),
                matching_mode: mode.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    w.app
        .move_programme(&w.admin, &p.record.slug, "open")
        .await
        .unwrap();
    p.record.slug.into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_uses_its_own_matching() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let app = &w.app;

        // Peers: seven at the same level make three exact pairs and one odd one out.
        let slug = open_programme(&w, "Peers", "peer").await;
        crowd(&w, &slug, "peer", 7, "team_leader", "peer").await;
        let r = app.run_round(&w.admin, &slug).await.unwrap().result;
        assert_eq!((r.pool, r.placed, r.proposals.len()), (7, 6, 3));
        assert!(r.proposals.iter().all(|p| p.members.len() == 2
            && p.members
                .iter()
                .all(|m| m.role == rapport_domain::programme::ProgrammeRole::Peer)));
        assert_eq!(r.unmatched.len(), 1);
        assert!(
            r.unmatched[0].reason.contains("odd one out"),
            "{}",
            r.unmatched[0].reason
        );
        let published = app
            .publish_round(
                &w.admin,
                &slug,
                app.rounds(&w.admin, &slug).await.unwrap()[0].id,
            )
            .await
            .unwrap();
        assert_eq!(published.rooms.len(), 3);

        // Circles: ten people form groups within the programme's sizes, each with a
        // facilitator while facilitators have room, under the reported upper bound.
        let slug = open_programme(&w, "Circles", "circle").await;
        app.update_programme(
            &w.admin,
            &slug,
            &ProgrammeInput {
                name: "Circles".into(),
                slug: slug.clone(),
                group_min: "4".into(),
                group_max: "6".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        crowd(&w, &slug, "circ", 10, "professional_contributor", "peer").await;
        let lead = crowd(&w, &slug, "lead", 1, "leader_of_leaders", "facilitator").await[0];
        let r = app.run_round(&w.admin, &slug).await.unwrap().result;
        assert_eq!(r.placed, 10);
        let peers_in = |p: &rapport_app::rounds::Proposal| {
            p.members
                .iter()
                .filter(|m| m.role == rapport_domain::programme::ProgrammeRole::Peer)
                .count()
        };
        assert!(r.proposals.iter().all(|p| (4..=6).contains(&peers_in(p))));
        assert!(
            r.proposals
                .iter()
                .all(|p| p.members.iter().any(|m| m.person_id == lead
                    && m.role == rapport_domain::programme::ProgrammeRole::Facilitator)),
            "capacity 2 covers both circles"
        );
        let bound = r.upper_bound.expect("circles report an upper bound");
        let mean = r.total_score / r.proposals.len() as f64;
        assert!(
            mean <= bound + 1e-9,
            "the mean {mean} never exceeds the bound {bound}"
        );
        let e = app
            .update_programme(
                &w.admin,
                &slug,
                &ProgrammeInput {
                    name: "Circles".into(),
                    slug: slug.clone(),
                    group_min: "6".into(),
                    group_max: "4".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(field(&e), ["group_max"]);

        // Group: one mentor's mentees share one room.
        let slug = open_programme(&w, "Groups", "group").await;
        let mentor = member(
            &w,
            "gm@example.org",
            "Gus Mentor",
            "leader_of_leaders",
            "English",
            "",
        )
        .await;
        app.enrol_in_bulk(&w.admin, &slug, "gm@example.org", "mentor")
            .await
            .unwrap();
        let p = app.programme(&w.admin, &slug).await.unwrap();
        let (_, list) = app.enrolments(&w.admin, &slug).await.unwrap();
        let e = list
            .iter()
            .find(|v| v.enrolment.person_id == mentor)
            .unwrap()
            .enrolment
            .id;
        app.decide_enrolment(&w.admin, &slug, e, "approved")
            .await
            .unwrap();
        assert_eq!(p.record.default_capacity, 2);
        crowd(&w, &slug, "grp", 2, "professional_contributor", "mentee").await;
        let r = app.run_round(&w.admin, &slug).await.unwrap().result;
        assert_eq!((r.placed, r.proposals.len()), (2, 1));
        assert_eq!(
            r.proposals[0].members.len(),
            3,
            "a mentor with both mentees in one room"
        );
        let rooms = app
            .publish_round(
                &w.admin,
                &slug,
                app.rounds(&w.admin, &slug).await.unwrap()[0].id,
            )
            .await
            .unwrap()
            .rooms;
        let room = app.room(&w.admin, rooms[0]).await.unwrap().room;
        // One mentee declines: the group goes on with the mentor and the other.
        let mentees: Vec<PersonId> = room
            .members
            .iter()
            .filter(|m| m.role == rapport_domain::programme::ProgrammeRole::Mentee)
            .map(|m| m.person_id)
            .collect();
        assert_eq!(
            app.answer_room(&app.actor(mentees[0]).await.unwrap(), room.id, false)
                .await
                .unwrap(),
            RoomStatus::Proposed
        );
        assert_eq!(
            app.answer_room(&app.actor(mentor).await.unwrap(), room.id, true)
                .await
                .unwrap(),
            RoomStatus::Proposed
        );
        assert_eq!(
            app.answer_room(&app.actor(mentees[1]).await.unwrap(), room.id, true)
                .await
                .unwrap(),
            RoomStatus::Active
        );

        // Reverse: the more senior person is the mentee, and the reverse mentor offers a named area.
        let slug = open_programme(&w, "Reverse", "reverse").await;
        app.set_matching_settings(
            &w.admin,
            &slug,
            "[seniority]\nreverse_skill_areas = [\"Coaching\"]",
        )
        .await
        .unwrap();
        let junior = member(
            &w,
            "jr@example.org",
            "Jo Junior",
            "professional_contributor",
            "English",
            "",
        )
        .await;
        let senior = member(
            &w,
            "sr@example.org",
            "Sam Senior",
            "leader_of_leaders",
            "English",
            "",
        )
        .await;
        app.enrol_in_bulk(&w.admin, &slug, "jr@example.org", "mentor")
            .await
            .unwrap();
        app.enrol_in_bulk(&w.admin, &slug, "sr@example.org", "mentee")
            .await
            .unwrap();
        let r = app.run_round(&w.admin, &slug).await.unwrap().result;
        assert_eq!(
            r.placed, 0,
            "the junior offers Public speaking and Hiring, not Coaching"
        );
        assert!(r.unmatched[0].person_id == senior);
        app.set_matching_settings(
            &w.admin,
            &slug,
            "[seniority]\nreverse_skill_areas = [\"Hiring\"]",
        )
        .await
        .unwrap();
        let r = app.run_round(&w.admin, &slug).await.unwrap().result;
        assert_eq!(r.placed, 1);
        let pair: Vec<_> = r.proposals[0]
            .members
            .iter()
            .map(|m| (m.person_id, m.role))
            .collect();
        assert!(
            pair.contains(&(junior, rapport_domain::programme::ProgrammeRole::Mentor))
                && pair.contains(&(senior, rapport_domain::programme::ProgrammeRole::Mentee))
        );
        w.t.expect_emails(&[
            ("gm@example.org", "Your application to Groups"),
            ("grp1@example.org", "A change to your match in Groups"),
            ("gm@example.org", "A change to your match in Groups"),
            ("gm@example.org", "Your room is active"),
            ("grp0@example.org", "Your room is active"),
            ("grp1@example.org", "Your room is active"),
        ])
        .await;
        let groups = w.t.take_emails_about("Your match in Groups").await;
        assert_eq!(groups.len(), 3, "{groups:#?}");
        let peers = w.t.take_emails_about("Your match in Peers").await;
        assert_eq!(peers.len(), 6, "{peers:#?}");
        w.t.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_never_read_what_the_other_keeps_private() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let app = &w.app;
        let slug = open_programme(&w, "Private", "one_to_one").await;
        let mentor = member(
            &w,
            "m@example.org",
            "Mo",
            "leader_of_leaders",
            "English",
            "",
        )
        .await;
        let mentee = member(
            &w,
            "e@example.org",
            "Eve",
            "professional_contributor",
            "English",
            "",
        )
        .await;
        // The mentor describes a gender and consents; the mentee prefers that gender.
        let mut input = ProfileInput {
            name: "Mo".into(),
            level: "leader_of_leaders".into(),
            years_experience: "15".into(),
            gender: "Nonbinary".into(),
            languages: "English".into(),
            time_zone: "Europe/Lisbon".into(),
            visibility: "members".into(),
            skills_offered: "Public speaking".into(),
            ..Default::default()
        };
        app.update_profile(&w.admin, mentor, &input).await.unwrap();
        input.name = "Eve".into();
        input.gender = String::new();
        input.level = "professional_contributor".into();
        input.skills_wanted = "Public speaking".into();
        app.update_profile(&w.admin, mentee, &input).await.unwrap();
        let mo = app.actor(mentor).await.unwrap();
        let eve = app.actor(mentee).await.unwrap();
        let ids = app
            .enrol(
                &mo,
                &slug,
                &EnrolInput {
                    role: "mentor".into(),
                    consent_sensitive: true,
                    accept_conduct: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        app.decide_enrolment(&w.admin, &slug, ids[0], "approved")
            .await
            .unwrap();
        let ids = app
            .enrol(
                &eve,
                &slug,
                &EnrolInput {
                    role: "mentee".into(),
                    preferred_gender: "nonbinary".into(),
                    consent_sensitive: true,
                    accept_conduct: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        app.decide_enrolment(&w.admin, &slug, ids[0], "approved")
            .await
            .unwrap();
        let round = app.run_round(&w.admin, &slug).await.unwrap();
        let p = &round.result.proposals[0];
        let text = |lines: &[rapport_app::rounds::ExplanationLine]| {
            lines
                .iter()
                .map(|l| l.sentence.to_lowercase())
                .collect::<Vec<_>>()
                .join(" | ")
        };
        let (manager, members) = (text(&p.explanation), text(&p.member_explanation));
        assert!(
            members.contains("preference"),
            "members read that a stated preference is met: {members}"
        );
        assert!(
            !members.contains("nonbinary"),
            "members never read the other's gender: {members}"
        );
        let _ = manager;
        let rooms = app
            .publish_round(&w.admin, &slug, round.id)
            .await
            .unwrap()
            .rooms;
        let seen = app.room(&eve, rooms[0]).await.unwrap().explanation.unwrap();
        assert!(!text(&seen).contains("nonbinary"));
        // Without consent, gender is not used at all: the preference cannot be met.
        app.update_my_enrolment(
            &mo,
            &slug,
            &EnrolInput {
                role: "mentor".into(),
                consent_sensitive: false,
                accept_conduct: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let e = app
            .update_my_enrolment(
                &eve,
                &slug,
                &EnrolInput {
                    role: "mentee".into(),
                    preferred_gender: "nonbinary".into(),
                    consent_sensitive: false,
                    accept_conduct: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(field(&e), ["consent_sensitive"]);
        w.t.expect_emails(&[
            ("e@example.org", "Your application to Private"),
            ("m@example.org", "Your application to Private"),
            ("e@example.org", "Your match in Private"),
            ("m@example.org", "Your match in Private"),
        ])
        .await;
        w.t.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_rechecks_a_stale_draft() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let app = &w.app;
        let slug = open_programme(&w, "Stale", "one_to_one").await;
        let mentors = crowd(&w, &slug, "mentor", 1, "leader_of_leaders", "mentor").await;
        let mentees = crowd(&w, &slug, "mentee", 3, "professional_contributor", "mentee").await;
        let round = app.run_round(&w.admin, &slug).await.unwrap();
        assert_eq!(round.result.placed, 2, "one mentor, capacity 2");
        // Meanwhile a manager matches one of the proposed mentees by hand.
        let proposed: Vec<PersonId> = round
            .result
            .proposals
            .iter()
            .flat_map(|p| p.members.iter())
            .filter(|m| mentees.contains(&m.person_id))
            .map(|m| m.person_id)
            .collect();
        let room = app.match_now(&w.admin, &slug, proposed[0]).await.unwrap();
        assert!(app
            .room(&w.admin, room)
            .await
            .unwrap()
            .room
            .members
            .iter()
            .any(|m| m.person_id == mentors[0]));
        let published = app.publish_round(&w.admin, &slug, round.id).await.unwrap();
        assert_eq!(
            published.rooms.len(),
            1,
            "the other proposal still fits: {:?}",
            published.skipped
        );
        assert_eq!(published.skipped.len(), 1);
        assert!(
            published.skipped[0].contains("no longer waiting"),
            "{}",
            published.skipped[0]
        );
        let cov = app.coverage(&w.admin, &slug).await.unwrap();
        assert_eq!((cov.pending, cov.unmatched), (2, 1));
        assert_eq!(cov.loads[0].seats, 2);
        w.t.expect_emails(&[
            ("mentee0@example.org", "Your match in Stale"),
            ("mentee1@example.org", "Your match in Stale"),
            ("mentor0@example.org", "Your match in Stale"),
            ("mentor0@example.org", "Your match in Stale"),
        ])
        .await;
        w.t.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_personal_maximum_caps_a_mentor_across_programmes() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let app = &w.app;
        let slug = open_in_mode(&w, "Cap", "one_to_one", "mentees_request").await;
        let mentor = crowd(&w, &slug, "cap-mentor", 1, "leader_of_leaders", "mentor").await[0];
        let mentees = crowd(
            &w,
            &slug,
            "cap-mentee",
            2,
            "professional_contributor",
            "mentee",
        )
        .await;
        let mo = app.actor(mentor).await.unwrap();
        assert_eq!(
            field(&app.set_max_mentees(&mo, "-1").await.unwrap_err()),
            ["max_mentees"]
        );
        app.set_max_mentees(&mo, "1").await.unwrap();
        let (a, b) = (
            app.actor(mentees[0]).await.unwrap(),
            app.actor(mentees[1]).await.unwrap(),
        );
        let ra = app
            .request_mentors(&a, &slug, &[mentor], "hi")
            .await
            .unwrap();
        let rb = app
            .request_mentors(&b, &slug, &[mentor], "hi")
            .await
            .unwrap();
        app.accept_request(&mo, ra).await.unwrap();
        // Programme capacity is 2, but the personal maximum of 1 is reached.
        let e = app.accept_request(&mo, rb).await.unwrap_err();
        assert!(e.to_string().contains("personal maximum"), "{e}");
        assert_eq!(app.my_load(&mo).await.unwrap(), (Some(1), 1));
        let round = app.run_round(&w.admin, &slug).await.unwrap();
        assert_eq!(
            round.result.mentors, 0,
            "a mentor at their maximum takes no part in a round"
        );
        w.t.expect_emails(&[
            (
                "cap-mentor0@example.org",
                "cap-mentee 0 asks you to be their mentor",
            ),
            (
                "cap-mentor0@example.org",
                "cap-mentee 1 asks you to be their mentor",
            ),
            (
                "cap-mentee0@example.org",
                "Your mentoring request was accepted",
            ),
        ])
        .await;
        w.t.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_programme_matches_out_of_the_box() {
    let t = TestApp::new("sqlite").await;
    let (app, store) = (t.app.clone(), t.store().clone());
    rapport_app::demo::seed(&store, "not-a-real-hash", app.now())
        .await
        .unwrap()
        .expect("seeded");
    let mut tx = store.read().await.unwrap();
    let admin = tx
        .person_by_email(rapport_app::demo::DEMO_ADMIN_EMAIL)
        .await
        .unwrap()
        .unwrap()
        .id;
    drop(tx);
    let admin = app.actor(admin).await.unwrap();
    let round = app
        .run_round(&admin, "leadership-foundations-2027")
        .await
        .unwrap();
    let r = &round.result;
    assert!(
        r.pool > 20 && r.placed * 2 > r.pool,
        "most demo mentees are placed: {} of {}",
        r.placed,
        r.pool
    );
    assert!(r.certified);
    assert!(r
        .unmatched
        .iter()
        .all(|u| !u.reason.is_empty() && u.fix.is_some()));
    let cov = app
        .coverage(&admin, "leadership-foundations-2027")
        .await
        .unwrap();
    assert_eq!(cov.unmatched, r.pool, "nothing is published yet");
    t.finish().await;
}
