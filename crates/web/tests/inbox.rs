//! The action inbox, the getting-started checklist, and the bell, end to end
//! through the real router on each database: ordering by deadline, one
//! aggregated entry per programme for managers, person-by-person states,
//! privacy, notifications with their one unread count, and that every email
//! preference switches off a real email.

use rapport_domain::mentoring::{
    EnrolmentStatus, MemberState, ReportStatus, RequestDirection, RequestStatus, RoomOrigin,
    RoomStatus, RoundStatus, SessionStatus,
};
use rapport_domain::person::NotificationKind;
use rapport_domain::programme::{ProgrammeRole, ProgrammeStatus};
use rapport_domain::pulse::DAY_MS;
use rapport_domain::values::{PersonName, TimeZoneName};
use rapport_domain::{PersonId, ProgrammeId, ReportId, RequestId, RoomId, RoundId, SessionId};
use rapport_store::{
    EnrolmentRecord, NewRoom, ReportRecord, RequestRecord, RoundRecord, SessionRecord,
};
use rapport_web::testing::{active_pair_room, test_database_kinds, Person, TestApp, START_MS};
use serde_json::{json, Value};

const MARKER: &str = "okapi-marker-91c2";

fn enrolment(
    programme: ProgrammeId,
    person: PersonId,
    role: ProgrammeRole,
    status: EnrolmentStatus,
) -> EnrolmentRecord {
    EnrolmentRecord {
        status,
        created_at: START_MS,
        ..rapport_web::testing::approved_enrolment(programme, person, role)
    }
}

fn request(
    programme: ProgrammeId,
    mentee: PersonId,
    mentor: PersonId,
    status: RequestStatus,
    expires_at: i64,
) -> RequestRecord {
    RequestRecord {
        id: RequestId::new(),
        programme_id: programme,
        mentee_id: mentee,
        mentor_id: mentor,
        direction: RequestDirection::Request,
        status,
        message: "Would you mentor me?".into(),
        expires_at,
        created_at: START_MS,
        queue: vec![],
        question: None,
        answer: None,
        decline_reason: None,
    }
}

fn session(room: RoomId, mentor: PersonId, at: i64, status: SessionStatus) -> SessionRecord {
    SessionRecord {
        id: SessionId::new(),
        room_id: room,
        series_id: None,
        organiser_id: Some(mentor),
        starts_at: at,
        minutes: 60,
        zone: TimeZoneName::utc(),
        agenda: String::new(),
        link: None,
        place: None,
        status,
        cancelled_by: None,
        cancel_reason: None,
        uid: uuid::Uuid::new_v4().to_string(),
        sequence: 0,
        created_at: at,
        updated_at: at,
    }
}

/// A programme (open) with a manager, a mentor and a mentee who share an
/// active room that started at `START_MS`.
struct World {
    t: TestApp,
    slug: String,
    programme: ProgrammeId,
    manager: Person,
    mentor: Person,
    mentee: Person,
    room: RoomId,
}

async fn world(kind: &'static str) -> World {
    let t = TestApp::with(kind, rapport_web::WebConfig::default(), |c| {
        c.session_days = 400;
    })
    .await;
    let slug = t.programme("Leadership Foundations", "one_to_one").await;
    let manager = t.manager_of(&slug, "mo@example.org", "Mo Manager").await;
    let mentor = t.member("ana@example.org", "Ana Mentor").await;
    let mentee = t.member("bea@example.org", "Bea Mentee").await;
    let mut tx = t.store().write().await.unwrap();
    let mut p = tx.programme_by_slug(&slug).await.unwrap().unwrap();
    p.status = ProgrammeStatus::Open;
    tx.update_programme(&p, START_MS).await.unwrap();
    let room = active_pair_room(&mut tx, p.id, (mentor.id, mentee.id), START_MS, START_MS).await;
    tx.commit().await.unwrap();
    World {
        t,
        slug,
        programme: p.id,
        manager,
        mentor,
        mentee,
        room,
    }
}

impl World {
    fn at(&self, ms: i64) {
        let now = rapport_app::Clock::now_ms(&*self.t.clock);
        assert!(ms >= now, "time only moves forward");
        self.t.clock.advance(ms - now);
    }

    async fn inbox(&self, who: &Person) -> Vec<Value> {
        let r = self.t.get("/api/v1/me/inbox", who.auth()).await.expect(200);
        r.json.as_array().expect("a list").clone()
    }

    async fn page(&self, path: &str, who: &Person) -> String {
        let r = self
            .t
            .reply_text(
                TestApp::request("GET", path, who.auth())
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        r.text
    }

    /// `n` people, inserted directly (no email), enrolled in the programme.
    async fn people(&self, n: usize, prefix: &str, status: EnrolmentStatus) -> Vec<PersonId> {
        let mut tx = self.t.store().write().await.unwrap();
        let mut out = vec![];
        for i in 0..n {
            let id = PersonId::new();
            tx.insert_person(&rapport_store::NewPerson {
                id,
                email: format!("{prefix}{i}@big.example"),
                status: rapport_domain::person::AccountStatus::Active,
                is_admin: false,
                password_hash: None,
                email_verified_at: None,
                profile: rapport_domain::person::Profile::new(
                    PersonName::parse("name", &format!("{prefix} {i}")).unwrap(),
                ),
                now: 0,
            })
            .await
            .unwrap();
            tx.insert_enrolment(&enrolment(
                self.programme,
                id,
                ProgrammeRole::Mentee,
                status,
            ))
            .await
            .unwrap();
            out.push(id);
        }
        tx.commit().await.unwrap();
        out
    }
}

fn kinds(entries: &[Value]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn managers_get_one_counted_entry_per_programme_never_one_per_person() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        w.people(37, "waiting", EnrolmentStatus::Approved).await;
        w.people(3, "applicant", EnrolmentStatus::Applied).await;
        let mut tx = w.t.store().write().await.unwrap();
        for _ in 0..2 {
            tx.insert_report(&ReportRecord {
                id: ReportId::new(),
                programme_id: w.programme,
                reporter_id: Some(w.mentee.id),
                subject_id: Some(w.mentor.id),
                request_id: None,
                reason: format!("private words {MARKER}"),
                status: ReportStatus::Open,
                resolution: None,
                created_at: START_MS,
            })
            .await
            .unwrap();
        }
        tx.insert_round(&RoundRecord {
            id: RoundId::new(),
            programme_id: w.programme,
            status: RoundStatus::Draft,
            settings: json!({}),
            result: serde_json::to_value(rapport_app::rounds::RoundResult::default()).unwrap(),
            created_by: None,
            created_at: START_MS,
            published_at: None,
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let got = w.inbox(&w.manager).await;
        let mut k = kinds(&got);
        k.sort();
        assert_eq!(
            k,
            ["applications", "reports", "round_to_publish", "unplaced"],
            "{got:#?}"
        );
        let one = |kind: &str| got.iter().find(|e| e["kind"] == kind).unwrap().clone();
        let unplaced = one("unplaced");
        // The room's mentee has a seat; the 37 do not.
        assert_eq!(unplaced["count"], 37);
        assert_eq!(
            unplaced["title"],
            "37 people unplaced in Leadership Foundations"
        );
        assert_eq!(unplaced["link"], format!("/programmes/{}/matching", w.slug));
        assert_eq!(one("applications")["count"], 3);
        assert_eq!(
            one("applications")["title"],
            "3 applications to review in Leadership Foundations"
        );
        assert_eq!(one("reports")["count"], 2);
        assert_eq!(
            one("reports")["link"],
            format!("/programmes/{}/reports", w.slug)
        );
        assert!(!serde_json::to_string(&got).unwrap().contains(MARKER));
        // The home page shows the same entries, each linking where it is done.
        let home = w.page("/", &w.manager).await;
        assert!(
            home.contains("37 people unplaced in Leadership Foundations"),
            "{home}"
        );
        assert!(home.contains(&format!(
            "href=\"/programmes/{}/participants?status=applied\"",
            w.slug
        )));
        // None of it reaches a member.
        assert!(w.inbox(&w.mentee).await.is_empty());
        // Paging: one entry per page, following the Link header, visits all.
        let mut seen = vec![];
        let mut path = "/api/v1/me/inbox?limit=1".to_string();
        loop {
            let r = w.t.get(&path, w.manager.auth()).await.expect(200);
            let items = r.json.as_array().unwrap().clone();
            assert!(items.len() <= 1);
            seen.extend(kinds(&items));
            let link = r
                .headers
                .get("link")
                .map(|l| l.to_str().unwrap().to_string())
                .unwrap_or_default();
            let next = link
                .split(", ")
                .find(|l| l.ends_with("rel=\"next\""))
                .map(|l| {
                    l.trim_start_matches('<')
                        .split('>')
                        .next()
                        .unwrap()
                        .trim_start_matches(rapport_web::testing::BASE_URL)
                        .to_string()
                });
            match next {
                Some(n) => path = n,
                None => break,
            }
        }
        assert_eq!(seen, kinds(&got), "pages visit the inbox in its order");
        w.t.finish().await;
    }
}

#[tokio::test]
async fn a_members_entries_come_by_deadline_then_newest_and_link_to_where_they_are_done() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let other_mentor = w.t.member("cy@example.org", "Cy Mentor").await;
        let another_mentee = w.t.member("di@example.org", "Di Mentee").await;
        let proposed = RoomId::new();
        let mut tx = w.t.store().write().await.unwrap();
        // Bea asked Cy, and Cy asked her a question: hers to answer, by day 3.
        tx.insert_request(&request(
            w.programme,
            w.mentee.id,
            other_mentor.id,
            RequestStatus::NeedsInfo,
            START_MS + 3 * DAY_MS,
        ))
        .await
        .unwrap();
        // Di asks Ana, who has until day 5.
        tx.insert_request(&request(
            w.programme,
            another_mentee.id,
            w.mentor.id,
            RequestStatus::Pending,
            START_MS + 5 * DAY_MS,
        ))
        .await
        .unwrap();
        // A proposal to Ana and Di: no deadline.
        tx.insert_room(
            &NewRoom {
                id: proposed,
                programme_id: w.programme,
                status: RoomStatus::Proposed,
                origin: RoomOrigin::Round,
                members: vec![
                    (w.mentor.id, ProgrammeRole::Mentor, MemberState::Invited),
                    (
                        another_mentee.id,
                        ProgrammeRole::Mentee,
                        MemberState::Invited,
                    ),
                ],
                round_id: None,
            },
            START_MS,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let ana = w.inbox(&w.mentor).await;
        assert_eq!(kinds(&ana), ["request", "proposal"], "{ana:#?}");
        assert_eq!(ana[0]["link"], "/requests");
        assert_eq!(ana[0]["title"], "Di Mentee asks you to be their mentor");
        assert_eq!(ana[0]["deadline"], START_MS + 5 * DAY_MS);
        assert_eq!(ana[1]["link"], format!("/rooms/{proposed}"));
        let bea = w.inbox(&w.mentee).await;
        assert_eq!(kinds(&bea), ["question"], "{bea:#?}");
        assert_eq!(
            bea[0]["title"],
            "Cy Mentor has a question about your request"
        );
        // Cy asked; the question is not Cy's to answer.
        assert!(w.inbox(&other_mentor).await.is_empty());
        // Ana's home page lists them, the request first, with the deadline
        // in her zone.
        let home = w.page("/", &w.mentor).await;
        let (r, p) = (
            home.find("Di Mentee asks you").unwrap(),
            home.find("You are proposed a match").unwrap(),
        );
        assert!(r < p, "{home}");
        assert!(home.contains("by "), "{home}");
        w.t.finish().await;
    }
}

#[tokio::test]
async fn room_entries_ask_only_for_the_members_own_part_and_keep_the_others_private() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        // A session held on day 2 opens the first pulse on day 30.
        let mut tx = w.t.store().write().await.unwrap();
        tx.insert_session(&session(
            w.room,
            w.mentor.id,
            START_MS + 2 * DAY_MS,
            SessionStatus::Held,
        ))
        .await
        .unwrap();
        tx.commit().await.unwrap();
        w.at(START_MS + 31 * DAY_MS);
        let mut tx = w.t.store().write().await.unwrap();
        tx.insert_session(&session(
            w.room,
            w.mentor.id,
            START_MS + 30 * DAY_MS,
            SessionStatus::Held,
        ))
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // (A low pulse may nudge its author about their own room; nudges
        // are checked elsewhere.)
        let both = |e: &[Value]| {
            let mut k = kinds(e);
            k.retain(|k| k != "nudge");
            k.sort();
            k
        };
        assert_eq!(both(&w.inbox(&w.mentee).await), ["feedback", "pulse"]);
        assert_eq!(both(&w.inbox(&w.mentor).await), ["feedback", "pulse"]);
        // Ana answers her pulse with a private comment and writes a private note.
        let ana = w.t.actor(&w.mentor).await;
        w.t.app
            .answer_pulse(
                &ana,
                w.room,
                &rapport_app::pulse::PulseInput {
                    genuineness: Some(2),
                    empathy: Some(2),
                    acceptance: Some(2),
                    working: Some("no".into()),
                    comment: format!("I worry {MARKER}"),
                },
            )
            .await
            .unwrap();
        w.t.app
            .write_note(
                &ana,
                w.room,
                &rapport_app::notes::NoteInput {
                    body: format!("private {MARKER}"),
                    visibility: "private".into(),
                },
            )
            .await
            .unwrap();
        // Her pulse entry is gone; Bea's stays, and says nothing of Ana's.
        assert_eq!(both(&w.inbox(&w.mentor).await), ["feedback"]);
        let bea = w.inbox(&w.mentee).await;
        assert_eq!(both(&bea), ["feedback", "pulse"]);
        for who in [&w.mentee, &w.manager, &w.mentor] {
            let api = serde_json::to_string(&w.inbox(who).await).unwrap();
            assert!(!api.contains(MARKER), "{api}");
            let home = w.page("/", who).await;
            assert!(!home.contains(MARKER), "{home}");
        }
        let pulse = bea.iter().find(|e| e["kind"] == "pulse").unwrap();
        assert_eq!(pulse["link"], format!("/rooms/{}/pulse", w.room));
        assert!(pulse["deadline"].is_i64());
        // The pulse, with its deadline, comes before feedback (none).
        let mut order = kinds(&bea);
        order.retain(|k| k != "nudge");
        assert_eq!(order, ["pulse", "feedback"]);
        w.t.leave_work("health and pulse jobs are not the subject here");
        w.t.finish().await;
    }
}

#[tokio::test]
async fn getting_started_until_done_and_an_application_is_not_no_programme() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let new = w.t.member("eve@example.org", "Eve New").await;
        let home = w.page("/", &new).await;
        assert!(home.contains("Getting started"), "{home}");
        assert!(home.contains("Complete your profile"));
        assert!(home.contains("Enrol in a programme"));
        assert!(home.contains("You are not in a programme yet"));
        assert!(home.contains("Nothing is waiting for you right now."));
        // She applies: her programme shows with where it stands.
        let mut tx = w.t.store().write().await.unwrap();
        tx.insert_enrolment(&enrolment(
            w.programme,
            new.id,
            ProgrammeRole::Mentee,
            EnrolmentStatus::Applied,
        ))
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let home = w.page("/", &new).await;
        assert!(!home.contains("You are not in a programme yet"), "{home}");
        assert!(home.contains("application waiting for review"), "{home}");
        assert!(home.contains(&format!("href=\"/programmes/{}\"", w.slug)));
        // Enrolled, profile still thin: the checklist stays, enrolment ticked.
        assert!(home.contains("Getting started"));
        assert!(
            home.contains(
                "Done: </span><span aria-hidden=\"true\">&#10003;</span> Enrol in a programme"
            ),
            "{home}"
        );
        // Someone with nothing left to do sees no checklist: the manager.
        let summary = w.t.app.home_summary(&w.t.actor(&new).await).await.unwrap();
        // Profile, needs check (issue 19) and enrolment.
        assert_eq!(summary.getting_started.len(), 3);
        assert!(summary.getting_started.iter().any(|s| s.done));
        w.t.leave_work("the applicant's confirmation is not the subject here");
        w.t.finish().await;
    }
}

#[tokio::test]
async fn the_bell_counts_notifications_and_messages_once_and_marks_them_read() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        // Ana switches matching email off; the news still reaches her bell.
        let ana = w.t.actor(&w.mentor).await;
        w.t.app
            .set_notification_preferences(
                &ana,
                &[
                    NotificationKind::Digest,
                    NotificationKind::Sessions,
                    NotificationKind::Rooms,
                ],
            )
            .await
            .unwrap();
        let mut tx = w.t.store().write().await.unwrap();
        let req = request(
            w.programme,
            w.mentee.id,
            w.mentor.id,
            RequestStatus::Pending,
            START_MS + 9 * DAY_MS,
        );
        tx.insert_request(&req).await.unwrap();
        tx.commit().await.unwrap();
        let bea = w.t.actor(&w.mentee).await;
        // Bea posts a message; Ana asks Bea a question (matching news for Bea).
        w.t.app
            .post_message(&bea, w.room, "Hello Ana")
            .await
            .unwrap();
        w.t.app
            .ask_about_request(&ana, req.id, "What would you like to work on?")
            .await
            .unwrap();
        let feed =
            w.t.get("/api/v1/me/notifications/feed", w.mentee.auth())
                .await
                .expect(200)
                .json;
        let feed = feed.as_array().unwrap().clone();
        assert_eq!(feed.len(), 1, "{feed:#?}");
        assert_eq!(feed[0]["kind"], "matching");
        assert_eq!(feed[0]["link"], "/requests");
        assert!(feed[0]["read_at"].is_null());
        w.t.expect_email(&w.mentee.email, "").await;
        // Ana: one unread message. Bea: one unread notification. Each bell
        // shows one number.
        let nav = |html: &str| {
            html.split("id=\"attention-count\"").nth(1).map(|s| {
                s.split('>')
                    .nth(1)
                    .unwrap()
                    .split('<')
                    .next()
                    .unwrap()
                    .to_string()
            })
        };
        assert_eq!(nav(&w.page("/", &w.mentor).await).as_deref(), Some("1"));
        assert_eq!(nav(&w.page("/", &w.mentee).await).as_deref(), Some("1"));
        let page = w.page("/notifications", &w.mentee).await;
        assert!(page.contains("Mark all read"), "{page}");
        // Marking someone else's id changes nothing; her own, one.
        let r =
            w.t.call(
                "POST",
                "/api/v1/me/notifications/read",
                w.mentor.auth(),
                Some(json!({ "ids": [feed[0]["id"]] })),
            )
            .await
            .expect(200)
            .json;
        assert_eq!(r["marked"], 0);
        w.t.call(
            "POST",
            "/api/v1/me/notifications/read",
            w.mentee.auth(),
            Some(json!({})),
        )
        .await
        .expect_error(422, "invalid_field");
        let r =
            w.t.call(
                "POST",
                "/api/v1/me/notifications/read",
                w.mentee.auth(),
                Some(json!({ "ids": [feed[0]["id"]] })),
            )
            .await
            .expect(200)
            .json;
        assert_eq!(
            (r["marked"].as_u64(), r["unread"].as_i64()),
            (Some(1), Some(0))
        );
        assert_eq!(nav(&w.page("/", &w.mentee).await), None);
        w.t.leave_work("the message digest waits 15 minutes");
        w.t.finish().await;
    }
}

/// Every kind on the preferences page controls a real email: with the kind
/// switched off, that email no longer goes to Ana, while the other kinds
/// still do; the news still reaches her bell.
#[tokio::test]
async fn switching_off_each_kind_stops_a_real_email_of_that_kind() {
    for kind in test_database_kinds() {
        for off in NotificationKind::OPTIONAL {
            let w = world(kind).await;
            let ana = w.t.actor(&w.mentor).await;
            let on: Vec<_> = NotificationKind::OPTIONAL
                .into_iter()
                .filter(|k| *k != off)
                .collect();
            w.t.app
                .set_notification_preferences(&ana, &on)
                .await
                .unwrap();
            // Rooms: two weeks without a session, the health sweep nudges.
            w.at(START_MS + 16 * DAY_MS);
            w.t.app.sweep_health().await.unwrap();
            let now = START_MS + 16 * DAY_MS + 1;
            let admin = w.t.actor(&w.t.admin().await).await;
            let second = w.t.programme("Second Steps", "one_to_one").await;
            let mut tx = w.t.store().write().await.unwrap();
            let p2 = tx.programme_by_slug(&second).await.unwrap().unwrap();
            let application = enrolment(
                p2.id,
                w.mentor.id,
                ProgrammeRole::Mentor,
                EnrolmentStatus::Applied,
            );
            tx.insert_enrolment(&application).await.unwrap();
            // Digest: a request to Ana that expires within the reminder window.
            tx.insert_request(&request(
                w.programme,
                w.mentee.id,
                w.mentor.id,
                RequestStatus::Pending,
                now + 3_600_000,
            ))
            .await
            .unwrap();
            // Sessions: a session tomorrow gets its 24-hour reminder.
            tx.insert_session(&session(
                w.room,
                w.mentor.id,
                now + 23 * 3_600_000,
                SessionStatus::Scheduled,
            ))
            .await
            .unwrap();
            tx.commit().await.unwrap();
            // Matching: the programme's manager (the admin) decides Ana's application.
            w.t.app
                .decide_enrolment(&admin, &second, application.id, "approved")
                .await
                .unwrap();
            w.t.app.sweep_requests().await.unwrap();
            w.t.app.sweep_session_reminders().await.unwrap();
            // Growth: Ana follows the admin's roadmap, which gets a version 2.
            let ada = w.t.admin().await;
            let map = |step: &str| {
                json!({"title": "Feedback habits", "summary": "A path.", "level": "team_leader",
                       "steps": [{"title": step, "body": "Do it.", "level": "team_leader",
                                  "resources": [], "skills": [],
                                  "prompt": "What surprised you?", "effort_hours": 2}]})
            };
            let roadmap =
                w.t.call("POST", "/api/v1/roadmaps", ada.auth(), Some(map("Ask")))
                    .await
                    .expect(201)
                    .json;
            let id = roadmap["id"].as_str().unwrap();
            let publish = format!("/api/v1/roadmaps/{id}/publish");
            w.t.call("POST", &publish, ada.auth(), None)
                .await
                .expect(200);
            w.t.call(
                "POST",
                &format!("/api/v1/roadmaps/{id}/follow"),
                w.mentor.auth(),
                None,
            )
            .await
            .expect(201);
            w.t.call(
                "PUT",
                &format!("/api/v1/roadmaps/{id}"),
                ada.auth(),
                Some(map("Listen")),
            )
            .await
            .expect(200);
            w.t.call("POST", &publish, ada.auth(), None)
                .await
                .expect(200);
            let to_ana: Vec<String> =
                w.t.take_emails()
                    .await
                    .into_iter()
                    .filter(|m| m.to == w.mentor.email)
                    .map(|m| m.kind)
                    .collect();
            for k in NotificationKind::OPTIONAL {
                assert_eq!(
                    to_ana.contains(&k.code().to_string()),
                    k != off,
                    "{kind}: with {} off, Ana got {to_ana:?}",
                    off.code()
                );
            }
            // The bell still has the news the email would have carried.
            let feed =
                w.t.get("/api/v1/me/notifications/feed", w.mentor.auth())
                    .await
                    .expect(200)
                    .json;
            assert!(
                feed.as_array()
                    .unwrap()
                    .iter()
                    .any(|n| n["kind"] == off.code()),
                "{feed:#?}"
            );
            w.t.leave_work("sweeps leave follow-up jobs");
            w.t.finish().await;
        }
    }
}
