//! The managers' list of a programme's rooms (worst health first, with
//! reasons, sessions against the agreed number, filters and cursor pages),
//! the members' own list (health as they may see it), and the rooms part of
//! a person's data export (with markers proving nobody else's private items
//! leak), on every database, with the clock moved forward.

use rapport_domain::agreement::{AgreedDuration, MeetingFormat};
use rapport_domain::mentoring::{
    EnrolmentStatus, MemberState, RoomOrigin, RoomStatus, SessionStatus,
};
use rapport_domain::programme::{Cadence, ProgrammeRole};
use rapport_domain::pulse::DAY_MS;
use rapport_domain::values::TimeZoneName;
use rapport_domain::{AgreementId, EnrolmentId, PersonId, ProgrammeId, RoomId, SessionId};
use rapport_store::{AgreementRecord, EnrolmentRecord, NewRoom, SessionRecord};
use rapport_web::testing::{test_database_kinds, Person, TestApp, START_MS};
use serde_json::{json, Value};

fn day(n: i64) -> i64 {
    START_MS + n * DAY_MS
}

fn at(t: &TestApp, ms: i64) {
    let now = rapport_app::Clock::now_ms(&*t.clock);
    assert!(ms >= now, "time only moves forward");
    t.clock.advance(ms - now);
}

/// A millisecond later: rooms created one after the other.
fn tick(t: &TestApp) {
    t.clock.advance(1);
}

async fn app(kind: &'static str) -> (TestApp, ProgrammeId, String, Person) {
    let t = TestApp::with(kind, rapport_web::WebConfig::default(), |c| {
        c.session_days = 400;
    })
    .await;
    let slug = t.programme("Spring", "one_to_one").await;
    let manager = t.manager_of(&slug, "mo@example.org", "Mo Manager").await;
    let mut tx = t.store().write().await.unwrap();
    let mut p = tx.programme_by_slug(&slug).await.unwrap().unwrap();
    p.cadence = Cadence::Weekly;
    tx.update_programme(&p, START_MS).await.unwrap();
    tx.commit().await.unwrap();
    (t, p.id, slug, manager)
}

/// A pair room (mentor, mentee) created now, moved to `status`.
async fn pair(
    t: &TestApp,
    programme: ProgrammeId,
    n: usize,
    status: RoomStatus,
) -> (RoomId, Person, Person) {
    let mentor = t
        .member(&format!("mentor{n}@example.org"), &format!("Mentor {n}"))
        .await;
    let mentee = t
        .member(&format!("mentee{n}@example.org"), &format!("Mentee {n}"))
        .await;
    let id = RoomId::new();
    let now = rapport_app::Clock::now_ms(&*t.clock);
    let mut tx = t.store().write().await.unwrap();
    for (who, role) in [
        (&mentor, ProgrammeRole::Mentor),
        (&mentee, ProgrammeRole::Mentee),
    ] {
        tx.grant_role(programme, who.id, role, 0).await.unwrap();
        tx.insert_enrolment(&EnrolmentRecord {
            id: EnrolmentId::new(),
            programme_id: programme,
            person_id: who.id,
            role,
            status: EnrolmentStatus::Approved,
            capacity: if role == ProgrammeRole::Mentor { 3 } else { 0 },
            answers: Default::default(),
            preferences: Default::default(),
            consent_sensitive: false,
            created_at: 0,
            conduct_accepted_at: Some(0),
            decided_at: None,
        })
        .await
        .unwrap();
    }
    let state = if status == RoomStatus::Proposed {
        MemberState::Invited
    } else {
        MemberState::Accepted
    };
    tx.insert_room(
        &NewRoom {
            id,
            programme_id: programme,
            status: RoomStatus::Proposed,
            origin: RoomOrigin::Round,
            members: vec![
                (mentor.id, ProgrammeRole::Mentor, state),
                (mentee.id, ProgrammeRole::Mentee, state),
            ],
            round_id: None,
        },
        now,
    )
    .await
    .unwrap();
    if status != RoomStatus::Proposed {
        assert!(tx
            .set_room_status(id, RoomStatus::Active, now)
            .await
            .unwrap());
    }
    if status == RoomStatus::Completed {
        assert!(tx
            .end_room(id, RoomStatus::Completed, None, now)
            .await
            .unwrap());
    }
    tx.commit().await.unwrap();
    (id, mentor, mentee)
}

async fn session(
    t: &TestApp,
    room: RoomId,
    by: PersonId,
    at: i64,
    status: SessionStatus,
) -> SessionId {
    let mut tx = t.store().write().await.unwrap();
    let id = SessionId::new();
    tx.insert_session(&SessionRecord {
        id,
        room_id: room,
        series_id: None,
        organiser_id: Some(by),
        starts_at: at,
        minutes: 60,
        zone: TimeZoneName::utc(),
        agenda: "Catch up".into(),
        link: None,
        place: None,
        status,
        cancelled_by: None,
        cancel_reason: None,
        uid: uuid::Uuid::new_v4().to_string(),
        sequence: 0,
        created_at: START_MS,
        updated_at: START_MS,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn agreement(t: &TestApp, room: RoomId, version: i32, by: PersonId, text: &str) {
    let mut tx = t.store().write().await.unwrap();
    tx.insert_agreement(&AgreementRecord {
        id: AgreementId::new(),
        room_id: room,
        version,
        duration: AgreedDuration::Months(6),
        cadence: Cadence::Weekly,
        format: MeetingFormat::Video,
        mentee_wants: text.into(),
        expectations: "Meet weekly".into(),
        confidentiality: "Between us".into(),
        ending: "Say thank you".into(),
        changed_by: Some(by),
        changed_by_name: None,
        created_at: rapport_app::Clock::now_ms(&*t.clock),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn page(t: &TestApp, path: &str, who: &Person) -> String {
    let r = t
        .reply_text(
            TestApp::request("GET", path, who.auth())
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, 200, "{path}: {}", r.text);
    r.text
}

async fn post(t: &TestApp, who: &Person, path: String, body: Value) -> rapport_web::testing::Reply {
    t.call("POST", &path, who.auth(), Some(body)).await
}

fn ids(list: &Value) -> Vec<String> {
    list["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

fn next_link(r: &rapport_web::testing::Reply) -> Option<String> {
    let link = r.headers.get("link")?.to_str().unwrap().to_string();
    link.split(", ")
        .find(|l| l.ends_with("rel=\"next\""))
        .map(|l| {
            let url = l.trim_start_matches('<').split('>').next().unwrap();
            // Relative to the site: the test router takes paths.
            url[url.find("/api/").unwrap()..].to_string()
        })
}

#[tokio::test]
async fn managers_see_rooms_worst_first_with_reasons_and_the_agreed_number_of_sessions() {
    for kind in test_database_kinds() {
        let (t, p, slug, manager) = app(kind).await;
        // Oldest first: the completed and proposed rooms are the newest, so
        // sorting by health, not age, is what puts them last.
        let (healthy, c_mentor, c_mentee) = pair(&t, p, 1, RoomStatus::Active).await;
        tick(&t);
        let (attention, _, _) = pair(&t, p, 2, RoomStatus::Active).await;
        tick(&t);
        let (risk, _, a_mentee) = pair(&t, p, 3, RoomStatus::Active).await;
        tick(&t);
        let (proposed, _, _) = pair(&t, p, 4, RoomStatus::Proposed).await;
        tick(&t);
        let (completed, _, _) = pair(&t, p, 5, RoomStatus::Completed).await;
        agreement(&t, healthy, 1, c_mentee.id, "Grow as a lead").await;
        session(&t, healthy, c_mentor.id, day(29), SessionStatus::Held).await;
        session(&t, healthy, c_mentor.id, day(33), SessionStatus::Scheduled).await;
        session(&t, attention, c_mentor.id, day(20), SessionStatus::Held).await;
        at(&t, day(31));
        assert_eq!(t.app.sweep_health().await.unwrap(), 3);
        t.take_emails().await;

        let url = format!("/api/v1/programmes/{slug}/rooms");
        let list = t.get(&url, manager.auth()).await.expect(200).json;
        let want: Vec<String> = [risk, attention, healthy, completed, proposed]
            .iter()
            .map(|r| r.to_string())
            .collect();
        assert_eq!(ids(&list), want, "{list:#}");
        let rooms = list["rooms"].as_array().unwrap();
        assert_eq!(rooms[0]["health"]["level"], "at_risk");
        assert_eq!(rooms[0]["health"]["reasons"][0]["code"], "no_session_yet");
        assert_eq!(rooms[1]["health"]["level"], "needs_attention");
        assert_eq!(rooms[1]["health"]["reasons"][0]["code"], "gap_long");
        assert_eq!(rooms[1]["agreed"], false);
        assert_eq!(rooms[1]["cadence"], "weekly");
        assert_eq!(rooms[2]["health"]["level"], "healthy");
        assert_eq!(rooms[2]["sessions_held"], 1);
        assert_eq!(rooms[2]["last_session_at"], day(29));
        assert_eq!(rooms[2]["next_session_at"], day(33));
        assert_eq!(rooms[2]["agreed"], true);
        // Six months from the start, weekly: 26 sessions.
        let expected = rooms[2]["sessions_expected"].as_i64().unwrap();
        assert!((25..=26).contains(&expected), "{expected}");
        assert!(rooms[3]["health"].is_null() && rooms[4]["health"].is_null());
        assert_eq!(rooms[3]["status"], "completed");

        // Filters, and bad codes named.
        let only = t
            .get(&format!("{url}?health=at_risk"), manager.auth())
            .await
            .expect(200);
        assert_eq!(ids(&only.json), vec![risk.to_string()]);
        let only = t
            .get(&format!("{url}?status=proposed"), manager.auth())
            .await
            .expect(200);
        assert_eq!(ids(&only.json), vec![proposed.to_string()]);
        for (q, field) in [("health=fine", "health"), ("status=open", "status")] {
            let bad = t
                .get(&format!("{url}?{q}"), manager.auth())
                .await
                .expect_error(422, "invalid_field");
            assert_eq!(bad.error_field(), field);
        }
        t.get(&url, a_mentee.auth())
            .await
            .expect_error(403, "forbidden");

        // Cursor pages keep the order and the filters.
        let mut seen = vec![];
        let mut next = Some(format!("{url}?status=active&limit=1"));
        while let Some(u) = next {
            assert!(u.contains("status=active"), "{u}");
            let r = t.get(&u, manager.auth()).await.expect(200);
            seen.extend(ids(&r.json));
            next = next_link(&r);
            assert!(seen.len() <= 3, "{seen:?}");
        }
        assert_eq!(seen, want[..3].to_vec());

        // The page: worst first, reasons, held of expected, filters.
        let html = page(&t, &format!("/programmes/{slug}/rooms"), &manager).await;
        let (r, a) = (
            html.find("Mentor 3").unwrap(),
            html.find("Mentor 2").unwrap(),
        );
        assert!(r < a && a < html.find("Mentor 1").unwrap(), "{html}");
        assert!(html.contains("No session has been held yet"), "{html}");
        assert!(html.contains(&format!("1 of {expected}")), "{html}");
        assert!(html.contains("<label for=\"filter-health\">Health</label>"));
        let html = page(
            &t,
            &format!("/programmes/{slug}/rooms?health=needs_attention"),
            &manager,
        )
        .await;
        assert!(
            html.contains("Mentor 2") && !html.contains("Mentor 3"),
            "{html}"
        );

        // Pulse answers reach managers only: the mentor's low score shows
        // in the managers' list, in the mentor's own list, and not in the
        // mentee's.
        let r = t
            .call(
                "POST",
                &format!("/api/v1/rooms/{healthy}/pulse"),
                c_mentor.auth(),
                Some(json!({"genuineness": 1, "empathy": 4, "acceptance": 4, "working": "yes", "comment": ""})),
            )
            .await
            .expect(201);
        drop(r);
        t.take_emails().await;
        let list = t
            .get(&format!("{url}?health=at_risk"), manager.auth())
            .await
            .expect(200)
            .json;
        assert!(ids(&list).contains(&healthy.to_string()), "{list:#}");
        let mine = |v: &Value| -> Value {
            v.as_array()
                .unwrap()
                .iter()
                .find(|r| r["id"] == healthy.to_string())
                .unwrap()
                .clone()
        };
        let mentee_view = mine(
            &t.get("/api/v1/rooms", c_mentee.auth())
                .await
                .expect(200)
                .json,
        );
        assert_eq!(mentee_view["health"]["level"], "healthy", "{mentee_view:#}");
        assert!(
            !mentee_view.to_string().contains("pulse"),
            "{mentee_view:#}"
        );
        assert_eq!(mentee_view["sessions_held"], 1);
        let mentor_view = mine(
            &t.get("/api/v1/rooms", c_mentor.auth())
                .await
                .expect(200)
                .json,
        );
        assert_eq!(mentor_view["health"]["level"], "at_risk", "{mentor_view:#}");
        let html = page(&t, "/rooms", &c_mentee).await;
        assert!(html.contains("Healthy") && html.contains("1 of"), "{html}");
        let html = page(&t, "/rooms", &a_mentee).await;
        assert!(
            html.contains("At risk") && html.contains("Schedule your first session"),
            "{html}"
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn the_export_holds_the_rooms_contents_and_nobody_elses_private_items() {
    for kind in test_database_kinds() {
        let (t, p, _slug, _manager) = app(kind).await;
        let (room, ana, bea) = pair(&t, p, 1, RoomStatus::Active).await;
        agreement(&t, room, 1, bea.id, "AGREEMENT-V1-marker").await;
        agreement(&t, room, 2, ana.id, "AGREEMENT-V2-marker").await;
        let held = session(&t, room, ana.id, day(2), SessionStatus::Held).await;
        {
            let mut tx = t.store().write().await.unwrap();
            tx.set_session_notes(held, "SESSION-NOTES-marker", ana.id, day(2))
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        at(&t, day(3));
        let goal = post(
            &t,
            &bea,
            format!("/api/v1/rooms/{room}/goals"),
            json!({"title": "GOAL-marker", "description": "", "success_criteria": "", "target_date": "", "shared": false}),
        )
        .await
        .expect(201)
        .json;
        let goal = goal["id"].as_str().unwrap().to_string();
        post(
            &t,
            &bea,
            format!("/api/v1/goals/{goal}/milestones"),
            json!({"title": "MILESTONE-marker"}),
        )
        .await
        .expect(201);
        post(
            &t,
            &ana,
            format!("/api/v1/goals/{goal}/comments"),
            json!({"body": "COMMENT-marker"}),
        )
        .await
        .expect(201);
        post(
            &t,
            &ana,
            format!("/api/v1/sessions/{held}/action-items"),
            json!({"title": "ACTION-marker"}),
        )
        .await
        .expect(201);
        for (who, text) in [(&ana, "ANA"), (&bea, "BEA")] {
            post(
                &t,
                who,
                format!("/api/v1/sessions/{held}/feedback"),
                json!({"rating": 3, "comment": format!("{text}-FEEDBACK-secret")}),
            )
            .await
            .expect(204);
            post(
                &t,
                who,
                format!("/api/v1/rooms/{room}/notes"),
                json!({"body": format!("{text}-PRIVATE-note"), "visibility": "private"}),
            )
            .await
            .expect(201);
            post(
                &t,
                who,
                format!("/api/v1/rooms/{room}/messages"),
                json!({"body": format!("{text}-MESSAGE")}),
            )
            .await
            .expect(201);
        }
        at(&t, day(31));
        for (who, text) in [(&ana, "ANA"), (&bea, "BEA")] {
            post(&t, who, format!("/api/v1/rooms/{room}/pulse"), json!({"genuineness": 4, "empathy": 4, "acceptance": 4, "working": "yes", "comment": format!("{text}-PULSE-secret")}))
                .await
                .expect(201);
        }
        t.take_emails().await;

        for (me, mine, theirs) in [(&bea, "BEA", "ANA"), (&ana, "ANA", "BEA")] {
            let export = t.get("/api/v1/me/export", me.auth()).await.expect(200).json;
            let text = export.to_string();
            for shared in [
                "AGREEMENT-V1-marker",
                "AGREEMENT-V2-marker",
                "GOAL-marker",
                "MILESTONE-marker",
                "COMMENT-marker",
                "SESSION-NOTES-marker",
                "ACTION-marker",
                "ANA-MESSAGE",
                "BEA-MESSAGE",
            ] {
                assert!(text.contains(shared), "{mine} misses {shared}: {export:#}");
            }
            for own in ["FEEDBACK-secret", "PRIVATE-note", "PULSE-secret"] {
                assert!(
                    text.contains(&format!("{mine}-{own}")),
                    "{mine} misses {own}"
                );
                assert!(
                    !text.contains(&format!("{theirs}-{own}")),
                    "{mine} holds {theirs}'s {own}"
                );
            }
            let room_out = export["rooms"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["room"] == room.to_string())
                .unwrap();
            assert_eq!(room_out["agreement_versions"].as_array().unwrap().len(), 2);
            assert_eq!(
                room_out["sessions"][0]["your_feedback"]
                    .as_array()
                    .unwrap()
                    .len(),
                1
            );
            assert_eq!(
                room_out["your_pulse_answers"][0]["answers"]["genuineness"],
                4
            );
            // Other members by name and role, never by address.
            let other = if mine == "BEA" {
                "mentor1@example.org"
            } else {
                "mentee1@example.org"
            };
            assert!(!text.contains(other), "{mine}'s export holds {other}");
        }
        // The message digests, batched a quarter of an hour later.
        t.app.run_due_jobs().await.unwrap();
        t.take_emails().await;
        t.finish().await;
    }
}

#[tokio::test]
async fn cancelling_a_session_is_confirmed_first_and_takes_a_reason() {
    for kind in test_database_kinds() {
        let (t, p, _slug, manager) = app(kind).await;
        let (room, ana, bea) = pair(&t, p, 1, RoomStatus::Active).await;
        let id = session(&t, room, ana.id, day(5), SessionStatus::Scheduled).await;
        let html = page(&t, &format!("/sessions/{id}"), &ana).await;
        assert!(
            html.contains(&format!("href=\"/sessions/{id}/cancel\"")),
            "{html}"
        );
        let html = page(&t, &format!("/sessions/{id}/cancel"), &ana).await;
        assert!(
            html.contains("Cancel this session?") && html.contains("with Mentee 1"),
            "{html}"
        );
        assert!(
            html.contains("calendar cancellation") && html.contains("Why cancel?"),
            "{html}"
        );
        assert!(
            html.contains(&format!("href=\"/sessions/{id}\"")),
            "a way back: {html}"
        );
        let r = t
            .reply_text(
                TestApp::request("GET", &format!("/sessions/{id}/cancel"), manager.auth())
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, 403);
        let post = |form: &'static str| {
            let t = &t;
            let ana = &ana;
            async move {
                t.reply_text(
                    TestApp::request("POST", &format!("/sessions/{id}/status"), ana.auth())
                        .header("origin", "http://rapport.test")
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(axum::body::Body::from(form))
                        .unwrap(),
                )
                .await
            }
        };
        // No reason: the same page, the error next to the field; nothing changes.
        let r = post("status=cancelled&reason=").await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert!(r.text.contains("Cancel this session?"), "{}", r.text);
        let s = t
            .get(&format!("/api/v1/sessions/{id}"), ana.auth())
            .await
            .expect(200)
            .json;
        assert_eq!(s["session"]["status"], "scheduled");
        let r = post("status=cancelled&reason=I+am+ill").await;
        assert_eq!(r.status, 303, "{}", r.text);
        let s = t
            .get(&format!("/api/v1/sessions/{id}"), bea.auth())
            .await
            .expect(200)
            .json;
        assert_eq!(s["session"]["status"], "cancelled");
        assert!(!t.take_emails().await.is_empty(), "the others are told");
        t.finish().await;
    }
}

/// A rough timing of the managers' list over a programme of 10,000 rooms,
/// 1,000 of them at risk (the figures go in `docs/performance.md`): run with
/// `cargo test -p rapport-web --test room_list -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "timing, not a check"]
async fn list_of_ten_thousand_rooms() {
    use rapport_domain::health::Level;
    let (t, p, slug, manager) = app("sqlite").await;
    let mut tx = t.store().write().await.unwrap();
    let mut mentors = vec![];
    let person = |email: String, name: String| rapport_store::NewPerson {
        id: PersonId::new(),
        email,
        status: rapport_domain::person::AccountStatus::Active,
        is_admin: false,
        password_hash: None,
        email_verified_at: None,
        profile: rapport_domain::person::Profile::new(
            rapport_domain::values::PersonName::parse("name", &name).unwrap(),
        ),
        now: 0,
    };
    for i in 0..500 {
        let n = person(format!("mentor{i}@big.example"), format!("Mentor {i}"));
        tx.insert_person(&n).await.unwrap();
        tx.insert_enrolment(&EnrolmentRecord {
            id: EnrolmentId::new(),
            programme_id: p,
            person_id: n.id,
            role: ProgrammeRole::Mentor,
            status: EnrolmentStatus::Approved,
            capacity: 20,
            answers: Default::default(),
            preferences: Default::default(),
            consent_sensitive: false,
            created_at: 0,
            conduct_accepted_at: Some(0),
            decided_at: None,
        })
        .await
        .unwrap();
        mentors.push(n.id);
    }
    let mut rooms = vec![];
    for i in 0..10_000 {
        let mentee = person(format!("mentee{i}@big.example"), format!("Mentee {i}"));
        tx.insert_person(&mentee).await.unwrap();
        let id = RoomId::new();
        tx.insert_room(
            &NewRoom {
                id,
                programme_id: p,
                status: RoomStatus::Active,
                origin: RoomOrigin::Round,
                members: vec![
                    (
                        mentors[i / 20],
                        ProgrammeRole::Mentor,
                        MemberState::Accepted,
                    ),
                    (mentee.id, ProgrammeRole::Mentee, MemberState::Accepted),
                ],
                round_id: None,
            },
            START_MS + i as i64,
        )
        .await
        .unwrap();
        rooms.push(id);
    }
    tx.commit().await.unwrap();
    assert_eq!(t.app.sweep_health().await.unwrap(), 10_000);
    let mut tx = t.store().write().await.unwrap();
    let risky: Vec<rapport_store::HealthRecord> = rooms
        .iter()
        .step_by(10)
        .map(|r| rapport_store::HealthRecord {
            room_id: *r,
            level: Level::AtRisk,
            reasons: vec![],
            computed_at: START_MS,
            alerted_level: Some(Level::AtRisk),
        })
        .collect();
    tx.save_health(&risky).await.unwrap();
    tx.commit().await.unwrap();
    let url = format!("/api/v1/programmes/{slug}/rooms");
    for (what, u) in [
        ("first page of 50", format!("{url}?limit=50")),
        ("first page of 100", format!("{url}?limit=100")),
        ("at risk only, 50", format!("{url}?health=at_risk&limit=50")),
    ] {
        let mut times = vec![];
        for _ in 0..20 {
            let clock = std::time::Instant::now();
            let r = t.get(&u, manager.auth()).await.expect(200);
            times.push(clock.elapsed());
            assert!(!ids(&r.json).is_empty());
        }
        times.sort();
        eprintln!("{what}: median {:?}, max {:?}", times[10], times[19]);
    }
    t.finish().await;
}
