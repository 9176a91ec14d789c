//! The rapport pulse and room health, end to end through the real router on
//! each database, with the clock moved forward (never slept): activation
//! and cadence thresholds, paused time, the pulse schedule, nudges once per
//! change of level, the managers' alert, and privacy of the pulse by API and
//! page.

use rapport_domain::mentoring::{Attendance, MemberState, RoomStatus, SessionStatus};
use rapport_domain::programme::{Cadence, ProgrammeRole};
use rapport_domain::pulse::DAY_MS;
use rapport_domain::values::TimeZoneName;
use rapport_domain::{PersonId, ProgrammeId, RoomId, SessionId};
use rapport_store::{EnrolmentRecord, NewRoom, SessionRecord};
use rapport_web::testing::{active_pair_room, test_database_kinds, Person, TestApp, START_MS};
use serde_json::json;

const MARKER: &str = "zebra-marker-7f3a";

struct Room {
    t: TestApp,
    mentor: Person,
    mentee: Person,
    manager: Person,
    outsider: Person,
    id: RoomId,
}

fn day(n: i64) -> i64 {
    START_MS + n * DAY_MS
}

fn enrolment(programme: ProgrammeId, person: PersonId, role: ProgrammeRole) -> EnrolmentRecord {
    rapport_web::testing::approved_enrolment(programme, person, role)
}

/// An active one-to-one room that started at `START_MS`, meeting every two
/// weeks (the programme's cadence; no agreement yet).
async fn room(kind: &'static str) -> Room {
    // Sign-in sessions outlive the months these tests move through.
    let t = TestApp::with(kind, rapport_web::WebConfig::default(), |c| {
        c.session_days = 400;
    })
    .await;
    let slug = t.programme("Spring", "one_to_one").await;
    let manager = t.manager_of(&slug, "mo@example.org", "Mo Manager").await;
    let mentor = t.member("ana@example.org", "Ana Mentor").await;
    let mentee = t.member("bea@example.org", "Bea Mentee").await;
    let outsider = t.member("cy@example.org", "Cy Outsider").await;
    let mut tx = t.store().write().await.unwrap();
    let mut p = tx.programme_by_slug(&slug).await.unwrap().unwrap();
    p.cadence = Cadence::EveryTwoWeeks;
    tx.update_programme(&p, START_MS).await.unwrap();
    let id = active_pair_room(&mut tx, p.id, (mentor.id, mentee.id), 0, START_MS).await;
    tx.commit().await.unwrap();
    Room {
        t,
        mentor,
        mentee,
        manager,
        outsider,
        id,
    }
}

impl Room {
    fn at(&self, ms: i64) {
        let now = rapport_app::Clock::now_ms(&*self.t.clock);
        assert!(ms >= now, "time only moves forward");
        self.t.clock.advance(ms - now);
    }

    /// A session held at `at`, with the given attendance.
    async fn held(&self, at: i64, attendance: &[(PersonId, Attendance)]) {
        let mut tx = self.t.store().write().await.unwrap();
        let id = SessionId::new();
        tx.insert_session(&SessionRecord {
            id,
            room_id: self.id,
            series_id: None,
            organiser_id: Some(self.mentor.id),
            starts_at: at,
            minutes: 60,
            zone: TimeZoneName::utc(),
            agenda: String::new(),
            link: None,
            place: None,
            status: SessionStatus::Held,
            cancelled_by: None,
            cancel_reason: None,
            uid: uuid::Uuid::new_v4().to_string(),
            sequence: 0,
            created_at: at,
            updated_at: at,
        })
        .await
        .unwrap();
        tx.set_attendance(id, attendance).await.unwrap();
        tx.commit().await.unwrap();
    }

    async fn health(&self, who: &Person) -> serde_json::Value {
        self.t
            .get(&format!("/api/v1/rooms/{}/health", self.id), who.auth())
            .await
            .expect(200)
            .json
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

    async fn pulse(&self, who: &Person, body: serde_json::Value) -> rapport_web::testing::Reply {
        self.t
            .call(
                "POST",
                &format!("/api/v1/rooms/{}/pulse", self.id),
                who.auth(),
                Some(body),
            )
            .await
    }
}

fn level(h: &serde_json::Value) -> &str {
    h["level"].as_str().unwrap_or("none")
}

fn codes(h: &serde_json::Value) -> Vec<String> {
    h["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn activation_nudges_members_once_per_level_and_alerts_managers_at_risk() {
    for kind in test_database_kinds() {
        let r = room(kind).await;
        // Day 13: healthy; the sweep sends nothing.
        r.at(day(14) - 60_000);
        assert_eq!(r.t.app.sweep_health().await.unwrap(), 1);
        assert_eq!(level(&r.health(&r.mentee).await), "healthy");
        // Day 14 (the sweep reassesses a day after the last time): needs attention.
        r.at(day(15));
        r.t.app.sweep_health().await.unwrap();
        let h = r.health(&r.mentor).await;
        assert_eq!(level(&h), "needs_attention");
        assert_eq!(codes(&h), vec!["no_session_yet"]);
        assert_eq!(h["next_step"], "Schedule your first session.");
        for m in [&r.mentor, &r.mentee] {
            let mail = r.t.expect_email(&m.email, "needs attention").await;
            assert!(
                mail.body.contains("Schedule your first session."),
                "{}",
                mail.body
            );
        }
        // The home page carries the nudge.
        let home = r.page("/", &r.mentee).await;
        assert!(home.contains("class=\"inbox-nudge\""), "{home}");
        assert!(home.contains("Schedule your first session."));
        // The next day's sweep: same level, no second nudge.
        r.at(day(16) + 1);
        assert_eq!(r.t.app.sweep_health().await.unwrap(), 1);
        assert!(r.t.take_emails().await.is_empty());
        // Running the sweep again at once assesses nothing.
        assert_eq!(r.t.app.sweep_health().await.unwrap(), 0);
        // Day 30: at risk. The managers are alerted once, the members nudged again.
        r.at(day(31));
        r.t.app.sweep_health().await.unwrap();
        assert_eq!(level(&r.health(&r.manager).await), "at_risk");
        // The programme's creator (the admin) manages it too.
        for to in [r.manager.email.as_str(), "admin@example.org"] {
            let alert = r.t.expect_email(to, "is at risk").await;
            assert!(
                alert.body.contains("No session has been held yet"),
                "{}",
                alert.body
            );
        }
        assert_eq!(r.t.take_emails_about("needs attention").await.len(), 2);
        r.at(day(33));
        r.t.app.sweep_health().await.unwrap();
        assert!(
            r.t.take_emails().await.is_empty(),
            "no alert on every sweep"
        );
        // A held session clears it; the room's managers may see that too.
        r.held(day(33), &[]).await;
        r.at(day(35));
        r.t.app.sweep_health().await.unwrap();
        assert_eq!(level(&r.health(&r.manager).await), "healthy");
        let home = r.page("/", &r.mentee).await;
        assert!(!home.contains("class=\"inbox-nudge\""));
        r.t.finish().await;
    }
}

#[tokio::test]
async fn the_cadence_gap_counts_no_paused_time() {
    for kind in test_database_kinds() {
        let r = room(kind).await;
        r.held(day(1), &[]).await;
        // Every two weeks: needs attention after 21 days, at risk after 28.
        r.at(day(22) - 60_000);
        assert_eq!(level(&r.health(&r.mentee).await), "healthy");
        r.at(day(22) + 1);
        let h = r.health(&r.mentee).await;
        assert_eq!(
            (level(&h), codes(&h)),
            ("needs_attention", vec!["gap_long".to_string()])
        );
        r.at(day(29) + 1);
        let h = r.health(&r.mentee).await;
        assert_eq!(
            (level(&h), codes(&h)),
            ("at_risk", vec!["gap_at_risk".to_string()])
        );
        // Paused from day 10: the gap stands at 9 days however long the pause.
        let mut tx = r.t.store().write().await.unwrap();
        assert!(tx
            .set_room_status(r.id, RoomStatus::Paused, day(10))
            .await
            .unwrap());
        tx.commit().await.unwrap();
        r.at(day(100));
        assert_eq!(level(&r.health(&r.mentee).await), "healthy");
        r.t.finish().await;
    }
}

#[tokio::test]
async fn the_agreed_cadence_and_the_pause_history_set_the_gap() {
    use rapport_app::agreements::AgreementInput;
    use rapport_app::room_life::StatusChange;
    for kind in test_database_kinds() {
        let r = room(kind).await;
        r.held(day(1), &[]).await;
        let mentee = r.t.actor(&r.mentee).await;
        let weekly = AgreementInput {
            duration_months: Some(6),
            cadence: "weekly".into(),
            format: "video".into(),
            ..Default::default()
        };
        r.t.app
            .save_agreement(&mentee, r.id, &weekly)
            .await
            .unwrap();
        let change = |action: &str| StatusChange {
            action: action.into(),
            ..Default::default()
        };
        // Paused on day 5 and resumed on day 40 through the room's own moves:
        // the 35 paused days do not count towards the gap.
        r.at(day(5));
        r.t.app
            .move_room(&mentee, r.id, &change("pause"))
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        r.at(day(40));
        r.t.app
            .move_room(&mentee, r.id, &change("resume"))
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        // Day 45: 44 days since the session, 35 of them paused: 9 days.
        r.at(day(45));
        assert_eq!(level(&r.health(&r.mentee).await), "healthy", "{kind}");
        // Day 47: 11 days. Weekly needs attention after 10.5 days; the
        // programme's every two weeks would still read healthy until 21.
        r.at(day(47));
        let h = r.health(&r.mentee).await;
        assert_eq!(
            (level(&h), codes(&h)),
            ("needs_attention", vec!["gap_long".to_string()]),
            "{kind}"
        );
        r.t.take_emails().await;
        r.t.finish().await;
    }
}

#[tokio::test]
async fn two_no_shows_in_thirty_days_need_attention() {
    for kind in test_database_kinds() {
        let r = room(kind).await;
        r.held(day(2), &[(r.mentee.id, Attendance::NoShow)]).await;
        r.held(
            day(9),
            &[
                (r.mentee.id, Attendance::NoShow),
                (r.mentor.id, Attendance::Attended),
            ],
        )
        .await;
        r.at(day(10));
        let h = r.health(&r.mentor).await;
        assert_eq!(
            (level(&h), codes(&h)),
            ("needs_attention", vec!["no_shows".to_string()])
        );
        r.at(day(32) + 1);
        r.held(day(32), &[]).await;
        assert_eq!(level(&r.health(&r.mentor).await), "healthy");
        r.t.finish().await;
    }
}

#[tokio::test]
async fn the_pulse_opens_on_schedule_and_only_the_managers_see_it() {
    for kind in test_database_kinds() {
        let r = room(kind).await;
        let url = format!("/api/v1/rooms/{}/pulse", r.id);
        let good = json!({"genuineness": 4, "empathy": 2, "acceptance": 4, "working": "not_sure", "comment": format!("I feel unheard {MARKER}")});
        // Before any held session: nothing is open.
        r.at(day(1));
        let s = r.t.get(&url, r.mentee.auth()).await.expect(200).json;
        assert!(s["due"].is_null());
        assert!(s["next_opens_at"].is_null());
        r.pulse(&r.mentee, good.clone())
            .await
            .expect_error(409, "conflict");
        // Sessions held on days 2 and 25: the first check-in opens on day 30.
        r.held(day(2), &[]).await;
        r.held(day(25), &[]).await;
        r.at(day(20));
        let s = r.t.get(&url, r.mentee.auth()).await.expect(200).json;
        assert_eq!(s["next_opens_at"], day(30));
        r.pulse(&r.mentee, good.clone())
            .await
            .expect_error(409, "conflict");
        r.at(day(30));
        let s = r.t.get(&url, r.mentee.auth()).await.expect(200).json;
        assert_eq!(s["due"]["check_in"], 1);
        // A score of 6 names its field; nothing is written.
        let mut six = good.clone();
        six["empathy"] = json!(6);
        let bad = r
            .pulse(&r.mentee, six)
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(bad.error_field(), "empathy");
        let mut script = good.clone();
        script["comment"] = json!("<script>alert(1)</script>");
        assert_eq!(
            r.pulse(&r.mentee, script).await.expect(422).error_field(),
            "comment"
        );
        // Managers do not answer or read the pulse (403); outsiders 404.
        r.pulse(&r.manager, good.clone())
            .await
            .expect_error(403, "forbidden");
        r.t.get(&url, r.manager.auth())
            .await
            .expect_error(403, "forbidden");
        r.t.get(&url, r.outsider.auth())
            .await
            .expect_error(404, "not_found");
        // The mentee answers, once.
        let a = r.pulse(&r.mentee, good.clone()).await.expect(201).json;
        assert_eq!(a["check_in"], 1);
        assert_eq!(a["empathy"], 2);
        r.pulse(&r.mentee, good.clone())
            .await
            .expect_error(409, "conflict");
        // At risk at once (the answer reassesses the room): the managers are
        // alerted, and the mentee is nudged about their own answer.
        for to in [r.manager.email.as_str(), "admin@example.org"] {
            let alert = r.t.expect_email(to, "is at risk").await;
            assert!(
                alert
                    .body
                    .contains("Mentee Bea Mentee scored empathy 2 of 5"),
                "{}",
                alert.body
            );
            assert!(
                !alert.body.contains(MARKER),
                "comments stay on the health page"
            );
        }
        let nudge = r.t.expect_email(&r.mentee.email, "needs attention").await;
        assert!(nudge.body.contains("scored empathy 2"), "{}", nudge.body);
        // The mentor answers too, far apart on empathy.
        let mentor_answers =
            json!({"genuineness": 4, "empathy": 5, "acceptance": 4, "working": "yes"});
        r.pulse(&r.mentor, mentor_answers).await.expect(201);
        // Managers: every reason, naming the item and the side, and the comment.
        let m = r.health(&r.manager).await;
        assert_eq!(level(&m), "at_risk");
        assert_eq!(codes(&m), vec!["pulse_low_score", "pulse_sides_differ"]);
        assert!(m["reasons"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Mentee Bea Mentee scored empathy 2"));
        assert_eq!(m["reasons"][0]["sides"], json!(["mentee"]));
        assert!(m["comments"][0]["html"].as_str().unwrap().contains(MARKER));
        let page = r.page(&format!("/rooms/{}/health", r.id), &r.manager).await;
        assert!(page.contains(MARKER) && page.contains("scored empathy 2"));
        // The mentor: nothing from the pulse, by API or page.
        let h = r.health(&r.mentor).await;
        assert_eq!(level(&h), "healthy");
        assert!(codes(&h).is_empty());
        let text = h.to_string();
        assert!(
            !text.contains(MARKER) && !text.contains("empathy"),
            "{text}"
        );
        let s =
            r.t.get(&url, r.mentor.auth())
                .await
                .expect(200)
                .json
                .to_string();
        assert!(!s.contains(MARKER) && !s.contains("not_sure"), "{s}");
        for path in [
            format!("/rooms/{}/health", r.id),
            format!("/rooms/{}/pulse", r.id),
            format!("/rooms/{}", r.id),
            "/".into(),
        ] {
            let page = r.page(&path, &r.mentor).await;
            assert!(!page.contains(MARKER), "{path} leaks the comment");
            assert!(!page.contains("scored"), "{path} leaks a score");
            assert!(!page.contains("differ"), "{path} leaks the comparison");
        }
        // The mentee sees their own answer and its reason, never the comparison.
        let h = r.health(&r.mentee).await;
        assert_eq!(codes(&h), vec!["pulse_low_score"]);
        assert!(h["comments"].as_array().unwrap().is_empty());
        let page = r.page(&format!("/rooms/{}/pulse", r.id), &r.mentee).await;
        assert!(page.contains(MARKER) && page.contains("You answered check-in 1"));
        // The next check-in opens on day 90.
        r.at(day(90));
        let s = r.t.get(&url, r.mentee.auth()).await.expect(200).json;
        assert_eq!(s["due"]["check_in"], 2);
        assert_eq!(s["answers"].as_array().unwrap().len(), 1);
        r.t.leave_work("later sweeps would nudge about the long gap; this test is about the pulse");
        r.t.take_emails().await;
        r.t.finish().await;
    }
}

#[tokio::test]
async fn the_check_in_form_posts_and_redirects_or_names_the_field() {
    for kind in test_database_kinds() {
        let r = room(kind).await;
        r.held(day(2), &[]).await;
        r.held(day(25), &[]).await;
        r.at(day(30));
        let form = |body: &str| {
            TestApp::request("POST", &format!("/rooms/{}/pulse", r.id), r.mentor.auth())
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", "http://rapport.test")
                .body(axum::body::Body::from(body.to_string()))
                .unwrap()
        };
        let page = r.page(&format!("/rooms/{}/pulse", r.id), &r.mentor).await;
        assert!(page.contains("<legend>I feel understood"), "{page}");
        let bad =
            r.t.reply_text(form("genuineness=4&empathy=6&acceptance=4&working=yes"))
                .await;
        assert_eq!(bad.status, 422);
        assert!(bad.text.contains("id=\"e-empathy\""), "{}", bad.text);
        let ok =
            r.t.reply_text(form(
                "genuineness=4&empathy=4&acceptance=5&working=yes&comment=Good+start",
            ))
            .await;
        assert_eq!(ok.status, 303);
        let page = r
            .page(
                &format!("/rooms/{}/pulse?done=pulse_saved", r.id),
                &r.mentor,
            )
            .await;
        assert!(page.contains("your check-in answers are saved"));
        assert!(page.contains("Good start"));
        let page = r.page(&format!("/rooms/{}/health", r.id), &r.mentor).await;
        assert!(page.contains("aria-current=\"page\">Health"), "{page}");
        r.t.finish().await;
    }
}

/// A rough timing of the daily sweep over 10,000 open rooms (the benchmark
/// proper lives with the other performance figures): run with
/// `cargo test -p rapport-web --test pulse_health -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "timing, not a check"]
async fn sweep_of_ten_thousand_rooms() {
    let t = TestApp::new("sqlite").await;
    let slug = t.programme("Big", "one_to_one").await;
    let mut tx = t.store().write().await.unwrap();
    let p = tx.programme_by_slug(&slug).await.unwrap().unwrap();
    let mut mentors = vec![];
    for i in 0..500 {
        let n = rapport_store::NewPerson {
            id: PersonId::new(),
            email: format!("mentor{i}@big.example"),
            status: rapport_domain::person::AccountStatus::Active,
            is_admin: false,
            password_hash: None,
            email_verified_at: None,
            profile: rapport_domain::person::Profile::new(
                rapport_domain::values::PersonName::parse("name", &format!("Mentor {i}")).unwrap(),
            ),
            now: 0,
        };
        tx.insert_person(&n).await.unwrap();
        let mut e = enrolment(p.id, n.id, ProgrammeRole::Mentor);
        e.capacity = 20;
        tx.insert_enrolment(&e).await.unwrap();
        mentors.push(n.id);
    }
    for i in 0..10_000 {
        let mentee = rapport_store::NewPerson {
            id: PersonId::new(),
            email: format!("mentee{i}@big.example"),
            status: rapport_domain::person::AccountStatus::Active,
            is_admin: false,
            password_hash: None,
            email_verified_at: None,
            profile: rapport_domain::person::Profile::new(
                rapport_domain::values::PersonName::parse("name", &format!("Mentee {i}")).unwrap(),
            ),
            now: 0,
        };
        tx.insert_person(&mentee).await.unwrap();
        let id = RoomId::new();
        tx.insert_room(
            &NewRoom {
                id,
                programme_id: p.id,
                status: RoomStatus::Active,
                origin: rapport_domain::mentoring::RoomOrigin::Round,
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
            START_MS,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let clock = std::time::Instant::now();
    assert_eq!(t.app.sweep_health().await.unwrap(), 10_000);
    eprintln!("sweep of 10,000 rooms: {:?}", clock.elapsed());
    t.finish().await;
}
