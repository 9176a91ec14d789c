//! Sessions through the API and the pages, on every database: proposing
//! (one-off and series across a daylight-saving change), bad input, status
//! and attendance, rescheduling, action items that carry over, notes, and
//! blind feedback (the other member never sees it; managers do).

use axum::body::Body;
use rapport_domain::mentoring::{EnrolmentStatus, MemberState, RoomOrigin, RoomStatus};
use rapport_domain::person::AvailabilityWindow;
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole, ProgrammeStatus};
use rapport_domain::values::{Slug, TimeZoneName};
use rapport_domain::{EnrolmentId, PersonId, ProgrammeId, RoomId};
use rapport_store::{EnrolmentRecord, NewRoom, ProgrammeRecord};
use rapport_web::testing::{test_database_kinds, Auth, Person, TestApp, START_MS};
use serde_json::{json, Value};

const DAY: i64 = 24 * 3_600_000;

struct Room {
    t: TestApp,
    id: RoomId,
    /// Mentor, in Europe/Lisbon.
    ana: Person,
    /// Mentee, in Asia/Kolkata.
    ben: Person,
    /// Manager of the programme.
    mia: Person,
    /// A member of the site outside the room.
    out: Person,
}

fn enrolment(programme: ProgrammeId, person: PersonId, role: ProgrammeRole) -> EnrolmentRecord {
    EnrolmentRecord {
        id: EnrolmentId::new(),
        programme_id: programme,
        person_id: person,
        role,
        status: EnrolmentStatus::Approved,
        capacity: if role == ProgrammeRole::Mentor { 5 } else { 0 },
        answers: Default::default(),
        preferences: Default::default(),
        consent_sensitive: false,
        created_at: 0,
        conduct_accepted_at: Some(0),
        decided_at: None,
    }
}

async fn set_zone(t: &TestApp, who: &Person, zone: &str, windows: &[&str]) {
    let mut tx = t.store().write().await.unwrap();
    let mut p = tx.person(who.id).await.unwrap().unwrap();
    p.profile.time_zone = TimeZoneName::parse("zone", zone).unwrap();
    p.profile.availability = windows
        .iter()
        .map(|w| AvailabilityWindow::parse("availability", w).unwrap())
        .collect();
    tx.update_profile(who.id, p.email.as_str(), &p.profile, 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// An active one-to-one room: Ana mentors Ben; Mia manages the programme.
async fn room(kind: &'static str) -> Room {
    let t = TestApp::new(kind).await;
    let programme = ProgrammeRecord::new(
        Slug::parse("slug", "here").unwrap(),
        "Here",
        ProgrammeKind::OneToOne,
        ProgrammeStatus::Running,
        0,
    );
    {
        let mut tx = t.store().write().await.unwrap();
        tx.insert_programme(&programme).await.unwrap();
        tx.commit().await.unwrap();
    }
    let ana = t.member("ana@example.org", "Ana Mentor").await;
    let ben = t.member("ben@example.org", "Ben Mentee").await;
    let out = t.member("out@example.org", "Olu Outsider").await;
    let mia = t.manager_of("here", "mia@example.org", "Mia Manager").await;
    set_zone(&t, &ana, "Europe/Lisbon", &[]).await;
    set_zone(&t, &ben, "Asia/Kolkata", &[]).await;
    let id = RoomId::new();
    let mut tx = t.store().write().await.unwrap();
    for (p, r) in [(&ana, ProgrammeRole::Mentor), (&ben, ProgrammeRole::Mentee)] {
        tx.grant_role(programme.id, p.id, r, 0).await.unwrap();
        tx.insert_enrolment(&enrolment(programme.id, p.id, r))
            .await
            .unwrap();
    }
    tx.insert_room(
        &NewRoom {
            id,
            programme_id: programme.id,
            status: RoomStatus::Active,
            origin: RoomOrigin::Request,
            members: vec![
                (ana.id, ProgrammeRole::Mentor, MemberState::Accepted),
                (ben.id, ProgrammeRole::Mentee, MemberState::Accepted),
            ],
            round_id: None,
        },
        START_MS,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Room {
        t,
        id,
        ana,
        ben,
        mia,
        out,
    }
}

fn rfc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Room {
    /// Consumes the session emails (invitations, changes, cancellations)
    /// the calendar hook queued, asserting there were some.
    async fn invitations_went_out(&self) {
        let sent = self.t.take_emails_about("Session").await;
        assert!(
            !sent.is_empty(),
            "[{}] no session email went out",
            self.t.kind
        );
    }

    /// Ana proposes a one-off session `after` ms from now, for an hour.
    async fn session_in(&self, after: i64) -> String {
        let at = self.t.app.now() + after;
        let r = self
            .t
            .call(
                "POST",
                &format!("/api/v1/rooms/{}/sessions", self.id),
                self.ana.auth(),
                Some(json!({"starts_at": rfc(at), "minutes": 60, "agenda": "Goals"})),
            )
            .await
            .expect(201);
        r.json["ids"][0].as_str().unwrap().to_string()
    }

    async fn sessions(&self) -> Vec<Value> {
        self.t
            .get(
                &format!("/api/v1/rooms/{}/sessions", self.id),
                self.ana.auth(),
            )
            .await
            .expect(200)
            .json
            .as_array()
            .unwrap()
            .clone()
    }

    async fn hold(&self, session: &str) {
        self.t
            .call(
                "POST",
                &format!("/api/v1/sessions/{session}/status"),
                self.ana.auth(),
                Some(json!({"status": "held", "attendance": {
                    self.ana.id.to_string(): "attended", self.ben.id.to_string(): "late"}})),
            )
            .await
            .expect(200);
    }

    async fn page(&self, path: &str, who: &Person) -> (u16, String) {
        let r = self
            .t
            .reply_text(
                TestApp::request("GET", path, who.auth())
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        (r.status.as_u16(), r.text)
    }

    async fn post_form(&self, path: &str, who: &Person, body: &str) -> (u16, String, String) {
        let r = self
            .t
            .reply_text(
                TestApp::request("POST", path, who.auth())
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("origin", "http://rapport.test")
                    .body(Body::from(body.to_string()))
                    .unwrap(),
            )
            .await;
        let location = r
            .headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (r.status.as_u16(), location, r.text)
    }
}

#[tokio::test]
async fn a_series_keeps_its_local_time_across_daylight_saving() {
    for kind in test_database_kinds() {
        let r = room(kind).await;
        // Lisbon leaves summer time on Sunday 25 October 2026.
        let reply =
            r.t.call(
                "POST",
                &format!("/api/v1/rooms/{}/sessions", r.id),
                r.ana.auth(),
                Some(
                    json!({"date": "2026-10-20", "time": "09:00", "zone": "Europe/Lisbon",
                    "minutes": 45, "agenda": "Check-in", "repeat": "weekly", "occurrences": 3,
                    "link": "https://meet.example/ana"}),
                ),
            )
            .await
            .expect(201);
        assert_eq!(reply.json["ids"].as_array().unwrap().len(), 3);
        let list = r.sessions().await;
        let starts: Vec<&str> = list
            .iter()
            .map(|s| s["starts_at"].as_str().unwrap())
            .collect();
        // Latest first, as every list.
        assert_eq!(
            starts,
            [
                "2026-11-03T09:00:00Z",
                "2026-10-27T09:00:00Z",
                "2026-10-20T08:00:00Z"
            ]
        );
        let series = list[0]["series_id"].as_str().unwrap();
        let mut uids = std::collections::HashSet::new();
        for s in &list {
            assert_eq!(s["series_id"], series);
            assert_eq!(s["zone"], "Europe/Lisbon");
            assert_eq!(s["sequence"], 0);
            assert_eq!(s["status"], "scheduled");
            let uid = s["uid"].as_str().unwrap();
            assert!(uuid::Uuid::parse_str(uid).is_ok(), "{uid}");
            uids.insert(uid.to_string());
        }
        assert_eq!(uids.len(), 3, "every session has its own uid");
        // Ben reads them in his own zone, named; Ana in hers.
        let ben_view =
            r.t.get(&format!("/api/v1/rooms/{}/sessions", r.id), r.ben.auth())
                .await
                .expect(200);
        assert_eq!(ben_view.json[0]["local"], "Tue 3 Nov 2026, 14:30 (Kolkata)");
        assert_eq!(list[1]["local"], "Tue 27 Oct 2026, 09:00 (Lisbon)");
        // An RFC 3339 instant books a one-off in the organiser's profile zone.
        r.session_in(3 * DAY).await;
        assert_eq!(r.sessions().await.len(), 4);
        // The list pages with a cursor in the Link header.
        let first =
            r.t.get(
                &format!("/api/v1/rooms/{}/sessions?limit=3", r.id),
                r.ana.auth(),
            )
            .await
            .expect(200);
        assert_eq!(first.json.as_array().unwrap().len(), 3);
        let link = first
            .headers
            .get("link")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let next = link
            .split(['<', '>'])
            .nth(1)
            .unwrap()
            .trim_start_matches("http://rapport.test")
            .to_string();
        assert!(link.contains(r#"rel="next""#), "{link}");
        let rest = r.t.get(&next, r.ana.auth()).await.expect(200);
        assert_eq!(rest.json.as_array().unwrap().len(), 1);
        assert!(
            rest.json[0]["starts_at"]
                .as_str()
                .unwrap()
                .starts_with("2026-05-31T"),
            "the one-off, three days from the start, is the earliest: {}",
            rest.json
        );
        assert!(!rest
            .headers
            .get("link")
            .map(|l| l.to_str().unwrap().contains(r#"rel="next""#))
            .unwrap_or(false));
        r.t.get(
            &format!("/api/v1/rooms/{}/sessions?limit=0", r.id),
            r.ana.auth(),
        )
        .await
        .expect_error(422, "invalid_field");
        // Invitations and changes go to the other members (their content is
        // tested in tests/calendars.rs and crates/app/tests/calendars.rs).
        r.invitations_went_out().await;
        r.t.finish().await;
    }
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    for kind in test_database_kinds() {
        let r = room(kind).await;
        let future = rfc(START_MS + 2 * DAY);
        let cases = [
            (
                json!({"date": "2020-01-01", "time": "10:00", "minutes": 60}),
                "date",
            ),
            (
                json!({"starts_at": rfc(START_MS - DAY), "minutes": 60}),
                "starts_at",
            ),
            (json!({"starts_at": "tomorrow", "minutes": 60}), "starts_at"),
            (json!({"starts_at": future, "minutes": 0}), "minutes"),
            (json!({"starts_at": future, "minutes": -5}), "minutes"),
            (json!({"starts_at": future, "minutes": 1441}), "minutes"),
            (
                json!({"date": "2026-12-01", "time": "10:00", "zone": "Mars/Olympus", "minutes": 60}),
                "zone",
            ),
            (
                json!({"starts_at": future, "minutes": 60, "link": "javascript:alert(1)"}),
                "link",
            ),
            (
                json!({"starts_at": future, "minutes": 60, "agenda": "<script>alert(1)</script>"}),
                "agenda",
            ),
            (
                json!({"starts_at": future, "minutes": 60, "repeat": "daily", "occurrences": 3}),
                "repeat",
            ),
            (
                json!({"starts_at": future, "minutes": 60, "repeat": "weekly", "occurrences": 99}),
                "occurrences",
            ),
            (json!({"minutes": 60}), "starts_at"),
        ];
        for (body, field) in cases {
            let reply =
                r.t.call(
                    "POST",
                    &format!("/api/v1/rooms/{}/sessions", r.id),
                    r.ana.auth(),
                    Some(body.clone()),
                )
                .await
                .expect_error(422, "invalid_field");
            assert!(
                reply.fields().contains(&field.to_string()),
                "{body} should name {field}: {}",
                reply.json
            );
        }
        assert!(r.sessions().await.is_empty(), "nothing was written");
        // Who may write: managers read but do not propose; outsiders see nothing.
        let body = json!({"starts_at": future, "minutes": 60});
        r.t.call(
            "POST",
            &format!("/api/v1/rooms/{}/sessions", r.id),
            r.mia.auth(),
            Some(body.clone()),
        )
        .await
        .expect_error(403, "forbidden");
        r.t.call(
            "POST",
            &format!("/api/v1/rooms/{}/sessions", r.id),
            r.out.auth(),
            Some(body),
        )
        .await
        .expect(404);
        r.t.get(&format!("/api/v1/rooms/{}/sessions", r.id), r.mia.auth())
            .await
            .expect(200);
        r.t.finish().await;
    }
}

#[tokio::test]
async fn status_takes_attendance_and_only_a_scheduled_session_moves() {
    for kind in test_database_kinds() {
        let r = room(kind).await;
        let s = r.session_in(DAY).await;
        let status = |body: Value| {
            let path = format!("/api/v1/sessions/{s}/status");
            let t = &r.t;
            let auth = r.ana.auth();
            async move { t.call("POST", &path, auth, Some(body)).await }
        };
        let both = json!({r.ana.id.to_string(): "attended", r.ben.id.to_string(): "no_show"});
        // Not started yet.
        status(json!({"status": "held", "attendance": both}))
            .await
            .expect_error(409, "conflict");
        r.t.clock.advance(DAY + 5 * 60_000);
        let e = status(json!({"status": "held"})).await.expect(422);
        assert_eq!(e.fields(), ["attendance", "attendance"]);
        let stranger = json!({r.ana.id.to_string(): "attended", r.ben.id.to_string(): "late", r.out.id.to_string(): "attended"});
        status(json!({"status": "held", "attendance": stranger}))
            .await
            .expect(422);
        let bad = json!({r.ana.id.to_string(): "asleep", r.ben.id.to_string(): "late"});
        assert_eq!(
            status(json!({"status": "held", "attendance": bad}))
                .await
                .expect(422)
                .error_field(),
            "attendance"
        );
        assert_eq!(
            status(json!({"status": "cancelled", "attendance": both, "reason": "ill"}))
                .await
                .expect(422)
                .error_field(),
            "attendance"
        );
        assert_eq!(
            status(json!({"status": "cancelled"}))
                .await
                .expect(422)
                .error_field(),
            "reason"
        );
        assert_eq!(
            status(json!({"status": "scheduled"}))
                .await
                .expect(422)
                .error_field(),
            "status"
        );
        status(json!({"status": "held", "attendance": both}))
            .await
            .expect(200);
        let got =
            r.t.get(&format!("/api/v1/sessions/{s}"), r.ben.auth())
                .await
                .expect(200)
                .json;
        assert_eq!(got["session"]["status"], "held");
        assert_eq!(got["session"]["sequence"], 1);
        assert_eq!(got["attendance"][r.ben.id.to_string()], "no_show");
        assert_eq!(got["late_after_minutes"], 10);
        status(json!({"status": "missed"}))
            .await
            .expect_error(409, "conflict");
        // A cancellation records who and why, and has no attendance.
        let c = r.session_in(2 * DAY).await;
        r.t.call(
            "POST",
            &format!("/api/v1/sessions/{c}/status"),
            r.ben.auth(),
            Some(json!({"status": "cancelled", "reason": "Travelling"})),
        )
        .await
        .expect(200);
        let got =
            r.t.get(&format!("/api/v1/sessions/{c}"), r.ana.auth())
                .await
                .expect(200)
                .json;
        assert_eq!(got["session"]["status"], "cancelled");
        assert_eq!(got["session"]["cancelled_by"], r.ben.id.to_string());
        assert_eq!(got["session"]["cancel_reason"], "Travelling");
        assert_eq!(got["attendance"], json!({}));
        // Invitations and changes go to the other members (their content is
        // tested in tests/calendars.rs and crates/app/tests/calendars.rs).
        r.invitations_went_out().await;
        r.t.finish().await;
    }
}

#[tokio::test]
async fn a_new_time_moves_the_session_when_everyone_accepts() {
    for kind in test_database_kinds() {
        let r = room(kind).await;
        let s = r.session_in(3 * DAY).await;
        let new_time = rfc(START_MS + 4 * DAY);
        let propose = |who: &Person, at: &str| {
            let path = format!("/api/v1/sessions/{s}/reschedule");
            let body = json!({ "starts_at": at });
            let t = &r.t;
            let cookie = who.cookie.clone();
            async move {
                t.call("POST", &path, Auth::Cookie(&cookie), Some(body))
                    .await
            }
        };
        let answer = |who: &Person, a: &str| {
            let path = format!("/api/v1/sessions/{s}/reschedule/answer");
            let body = json!({ "answer": a });
            let t = &r.t;
            let cookie = who.cookie.clone();
            async move {
                t.call("POST", &path, Auth::Cookie(&cookie), Some(body))
                    .await
            }
        };
        assert_eq!(
            propose(&r.ana, &rfc(START_MS - DAY))
                .await
                .expect(422)
                .error_field(),
            "starts_at"
        );
        answer(&r.ben, "accept").await.expect_error(409, "conflict");
        propose(&r.ana, &new_time).await.expect(201);
        propose(&r.ben, &new_time)
            .await
            .expect_error(409, "conflict");
        answer(&r.ana, "accept").await.expect_error(409, "conflict");
        answer(&r.ben, "maybe").await.expect(422);
        let open =
            r.t.get(&format!("/api/v1/sessions/{s}"), r.ben.auth())
                .await
                .json;
        assert_eq!(open["reschedule"]["starts_at"], new_time.as_str());
        assert_eq!(
            answer(&r.ben, "accept").await.expect(200).json["status"],
            "accepted"
        );
        let got =
            r.t.get(&format!("/api/v1/sessions/{s}"), r.ana.auth())
                .await
                .json;
        assert_eq!(got["session"]["starts_at"], new_time.as_str());
        assert_eq!(got["session"]["sequence"], 1);
        assert_eq!(got["reschedule"], Value::Null);
        // A declined proposal leaves the session where it is.
        propose(&r.ben, &rfc(START_MS + 5 * DAY)).await.expect(201);
        assert_eq!(
            answer(&r.ana, "decline").await.expect(200).json["status"],
            "declined"
        );
        let got =
            r.t.get(&format!("/api/v1/sessions/{s}"), r.ana.auth())
                .await
                .json;
        assert_eq!(got["session"]["starts_at"], new_time.as_str());
        assert_eq!(got["session"]["sequence"], 1);
        // Invitations and changes go to the other members (their content is
        // tested in tests/calendars.rs and crates/app/tests/calendars.rs).
        r.invitations_went_out().await;
        r.t.finish().await;
    }
}

#[tokio::test]
async fn open_action_items_carry_over_until_done_and_notes_are_shared() {
    for kind in test_database_kinds() {
        let r = room(kind).await;
        let first = r.session_in(DAY).await;
        let second = r.session_in(8 * DAY).await;
        let add = |body: Value| {
            let path = format!("/api/v1/sessions/{first}/action-items");
            let t = &r.t;
            let auth = r.ana.auth();
            async move { t.call("POST", &path, auth, Some(body)).await }
        };
        assert_eq!(
            add(json!({"title": ""})).await.expect(422).error_field(),
            "title"
        );
        assert_eq!(
            add(json!({"title": "Read", "owner_id": r.out.id.to_string()}))
                .await
                .expect(422)
                .error_field(),
            "owner_id"
        );
        assert_eq!(
            add(json!({"title": "Read", "due_on": "soon"}))
                .await
                .expect(422)
                .error_field(),
            "due_on"
        );
        let item = add(json!({"title": "Read chapter 2", "owner_id": r.ben.id.to_string(), "due_on": "2026-06-05"}))
            .await
            .expect(201)
            .json["id"]
            .as_str()
            .unwrap()
            .to_string();
        let items = |s: String, who: &Person| {
            let t = &r.t;
            let cookie = who.cookie.clone();
            async move {
                t.get(
                    &format!("/api/v1/sessions/{s}/action-items"),
                    Auth::Cookie(&cookie),
                )
                .await
                .expect(200)
                .json
            }
        };
        let on_first = items(first.clone(), &r.ben).await;
        assert_eq!(on_first["items"][0]["id"], item.as_str());
        assert_eq!(on_first["carried_over"], json!([]));
        let on_second = items(second.clone(), &r.ben).await;
        assert_eq!(on_second["items"], json!([]));
        assert_eq!(
            on_second["carried_over"][0]["id"],
            item.as_str(),
            "the same item, not a copy"
        );
        assert_eq!(on_second["carried_over"][0]["due_on"], "2026-06-05");
        let detail =
            r.t.get(&format!("/api/v1/sessions/{second}"), r.ana.auth())
                .await
                .json;
        assert_eq!(detail["carried_over"][0]["title"], "Read chapter 2");
        let (_, page) = r.page(&format!("/sessions/{second}"), &r.ben).await;
        assert!(
            page.contains("Carried over from earlier sessions") && page.contains("Read chapter 2")
        );
        // Ben marks it done from the later session's page; it stops carrying over.
        let (status, location, _) = r
            .post_form(
                &format!("/action-items/{item}"),
                &r.ben,
                &format!("back={second}&done=true"),
            )
            .await;
        assert_eq!(
            (status, location.as_str()),
            (303, format!("/sessions/{second}?done=item_saved").as_str())
        );
        assert_eq!(
            items(second.clone(), &r.ben).await["carried_over"],
            json!([])
        );
        assert_eq!(items(first.clone(), &r.ana).await["items"][0]["done"], true);
        r.t.call(
            "PUT",
            &format!("/api/v1/action-items/{item}"),
            r.ana.auth(),
            Some(json!({"done": false})),
        )
        .await
        .expect(200);
        assert_eq!(
            items(second.clone(), &r.ben).await["carried_over"][0]["id"],
            item.as_str()
        );
        // Shared notes: members read and write them; this programme keeps
        // them (and the action items) from its managers.
        r.t.call(
            "PUT",
            &format!("/api/v1/sessions/{first}"),
            r.ben.auth(),
            Some(json!({"notes": "We agreed *three* things"})),
        )
        .await
        .expect(200);
        r.t.call(
            "PUT",
            &format!("/api/v1/sessions/{first}"),
            r.ben.auth(),
            Some(json!({"notes": "<script>x</script>"})),
        )
        .await
        .expect_error(422, "invalid_field");
        let got =
            r.t.get(&format!("/api/v1/sessions/{first}"), r.ana.auth())
                .await
                .json;
        assert_eq!(got["notes"], "We agreed *three* things");
        assert_eq!(
            got["session"]["sequence"], 0,
            "notes are not a calendar change"
        );
        let manager =
            r.t.get(&format!("/api/v1/sessions/{first}"), r.mia.auth())
                .await
                .expect(200)
                .json;
        assert_eq!(manager["notes"], Value::Null);
        assert_eq!(manager["action_items"], json!([]));
        r.t.get(
            &format!("/api/v1/sessions/{first}/action-items"),
            r.mia.auth(),
        )
        .await
        .expect_error(403, "forbidden");
        let (_, page) = r.page(&format!("/sessions/{first}"), &r.mia).await;
        assert!(!page.contains("three") && !page.contains("Read chapter 2"));
        // Details change while scheduled, and calendars see it.
        r.t.call(
            "PUT",
            &format!("/api/v1/sessions/{first}"),
            r.ana.auth(),
            Some(json!({"minutes": 90, "place": "Café"})),
        )
        .await
        .expect(200);
        let got =
            r.t.get(&format!("/api/v1/sessions/{first}"), r.ana.auth())
                .await
                .json;
        assert_eq!(
            (
                got["session"]["minutes"].as_i64(),
                got["session"]["sequence"].as_i64()
            ),
            (Some(90), Some(1))
        );
        assert_eq!(
            r.t.call(
                "PUT",
                &format!("/api/v1/sessions/{first}"),
                r.ana.auth(),
                Some(json!({"minutes": 0}))
            )
            .await
            .expect(422)
            .error_field(),
            "minutes"
        );
        // Invitations and changes go to the other members (their content is
        // tested in tests/calendars.rs and crates/app/tests/calendars.rs).
        r.invitations_went_out().await;
        r.t.finish().await;
    }
}

#[tokio::test]
async fn feedback_is_blind_to_the_other_member_and_open_to_managers() {
    for kind in test_database_kinds() {
        let r = room(kind).await;
        let s = r.session_in(DAY).await;
        let give = |who: &Person, body: Value| {
            let path = format!("/api/v1/sessions/{s}/feedback");
            let t = &r.t;
            let cookie = who.cookie.clone();
            async move {
                t.call("POST", &path, Auth::Cookie(&cookie), Some(body))
                    .await
            }
        };
        give(&r.ana, json!({"rating": 4}))
            .await
            .expect_error(409, "conflict");
        r.t.clock.advance(DAY + 60_000);
        r.hold(&s).await;
        assert_eq!(
            give(&r.ana, json!({"rating": 5}))
                .await
                .expect(422)
                .error_field(),
            "rating"
        );
        assert_eq!(
            give(&r.ana, json!({"rating": 0}))
                .await
                .expect(422)
                .error_field(),
            "rating"
        );
        give(&r.mia, json!({"rating": 3}))
            .await
            .expect_error(403, "forbidden");
        give(&r.ana, json!({"rating": 4, "comment": "MARKER-ana-7731"}))
            .await
            .expect(204);
        give(&r.ana, json!({"rating": 3}))
            .await
            .expect_error(409, "conflict");
        give(&r.ben, json!({"rating": 2, "comment": "MARKER-ben-5512"}))
            .await
            .expect(204);
        // Each member sees only their own, by API and page.
        for (me, mine, theirs) in [
            (&r.ana, "MARKER-ana-7731", "MARKER-ben-5512"),
            (&r.ben, "MARKER-ben-5512", "MARKER-ana-7731"),
        ] {
            let got =
                r.t.get(&format!("/api/v1/sessions/{s}"), me.auth())
                    .await
                    .expect(200);
            let text = got.json.to_string();
            assert!(text.contains(mine) && !text.contains(theirs), "{text}");
            assert_eq!(got.json["feedback"].as_array().unwrap().len(), 1);
            assert_eq!(got.json["can_give_feedback"], false);
            for path in [
                format!("/sessions/{s}"),
                format!("/rooms/{}/sessions", r.id),
                format!("/rooms/{}", r.id),
            ] {
                let (status, page) = r.page(&path, me).await;
                assert_eq!(status, 200);
                assert!(
                    !page.contains(theirs),
                    "{path} leaks the other member's feedback"
                );
            }
            let list =
                r.t.get(&format!("/api/v1/rooms/{}/sessions", r.id), me.auth())
                    .await;
            assert!(!list.json.to_string().contains(theirs));
            let items =
                r.t.get(&format!("/api/v1/sessions/{s}/action-items"), me.auth())
                    .await;
            assert!(!items.json.to_string().contains(theirs));
        }
        // The programme's manager sees every rating and comment.
        let got =
            r.t.get(&format!("/api/v1/sessions/{s}"), r.mia.auth())
                .await
                .expect(200);
        assert_eq!(got.json["feedback"].as_array().unwrap().len(), 2);
        let (_, page) = r.page(&format!("/sessions/{s}"), &r.mia).await;
        assert!(page.contains("MARKER-ana-7731") && page.contains("MARKER-ben-5512"));
        // Invitations and changes go to the other members (their content is
        // tested in tests/calendars.rs and crates/app/tests/calendars.rs).
        r.invitations_went_out().await;
        r.t.finish().await;
    }
}

#[tokio::test]
async fn feedback_on_the_last_held_session_stays_open_30_days_after_the_end() {
    for kind in test_database_kinds() {
        let r = room(kind).await;
        let first = r.session_in(DAY).await;
        let last = r.session_in(3 * DAY).await;
        r.t.clock.advance(3 * DAY + 60_000);
        r.hold(&first).await;
        r.hold(&last).await;
        {
            let mut tx = r.t.store().write().await.unwrap();
            assert!(tx
                .set_room_status(r.id, RoomStatus::Completed, r.t.app.now())
                .await
                .unwrap());
            tx.commit().await.unwrap();
        }
        let give = |who: &Person, s: &str| {
            let path = format!("/api/v1/sessions/{s}/feedback");
            let t = &r.t;
            let cookie = who.cookie.clone();
            async move {
                t.call(
                    "POST",
                    &path,
                    Auth::Cookie(&cookie),
                    Some(json!({"rating": 3})),
                )
                .await
            }
        };
        give(&r.ben, &first).await.expect_error(409, "conflict");
        // Everything else is read-only now.
        r.t.call(
            "POST",
            &format!("/api/v1/sessions/{last}/action-items"),
            r.ben.auth(),
            Some(json!({"title": "x"})),
        )
        .await
        .expect_error(409, "conflict");
        r.t.clock.advance(28 * DAY);
        give(&r.ben, &last).await.expect(204);
        // (Ana signs in again now and then, so her sign-in session stays alive.)
        r.t.get(&format!("/api/v1/sessions/{last}"), r.ana.auth())
            .await
            .expect(200);
        r.t.clock.advance(3 * DAY);
        give(&r.ana, &last).await.expect_error(409, "conflict");
        // Invitations and changes go to the other members (their content is
        // tested in tests/calendars.rs and crates/app/tests/calendars.rs).
        r.invitations_went_out().await;
        r.t.finish().await;
    }
}

#[tokio::test]
async fn suggested_times_meet_everyones_availability_in_each_zone() {
    for kind in test_database_kinds() {
        let r = room(kind).await;
        let path = format!("/api/v1/rooms/{}/suggested-times?minutes=60", r.id);
        let none = r.t.get(&path, r.ana.auth()).await.expect(200).json;
        assert_eq!(none["times"], json!([]));
        assert_eq!(none["without_availability"].as_array().unwrap().len(), 2);
        // START_MS is Thu 28 May 2026, 20:26 UTC. Ana (Lisbon, UTC+1 in
        // summer) is free Mon 13:00-15:00; Ben (Kolkata, UTC+5:30) Mon
        // 17:30-20:00, i.e. 12:00-14:30 UTC: they share 12:00-14:00 UTC.
        set_zone(&r.t, &r.ana, "Europe/Lisbon", &["mon 13:00-15:00"]).await;
        set_zone(&r.t, &r.ben, "Asia/Kolkata", &["mon 17:30-20:00"]).await;
        let got = r.t.get(&path, r.ben.auth()).await.expect(200).json;
        assert_eq!(got["zone"], "Asia/Kolkata");
        let times: Vec<&str> = got["times"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["starts_at"].as_str().unwrap())
            .collect();
        assert_eq!(
            times,
            [
                "2026-06-01T12:00:00Z",
                "2026-06-01T12:30:00Z",
                "2026-06-01T13:00:00Z",
                "2026-06-08T12:00:00Z",
                "2026-06-08T12:30:00Z"
            ]
        );
        assert_eq!(got["times"][0]["local"], "Mon 1 Jun, 17:30 (Kolkata)");
        let ana = r.t.get(&path, r.ana.auth()).await.json;
        assert_eq!(ana["times"][0]["local"], "Mon 1 Jun, 13:00 (Lisbon)");
        r.t.get(
            &format!("/api/v1/rooms/{}/suggested-times?minutes=0", r.id),
            r.ana.auth(),
        )
        .await
        .expect_error(422, "invalid_field");
        // The page offers them to prefill the propose form.
        let (status, page) = r.page(&format!("/rooms/{}/sessions", r.id), &r.ben).await;
        assert_eq!(status, 200);
        assert!(page.contains("Mon 1 Jun, 17:30 (Kolkata)"), "{page}");
        assert!(page.contains("date=2026-06-01&amp;time=17:30&amp;zone=Asia/Kolkata"));
        r.t.finish().await;
    }
}

#[tokio::test]
async fn the_pages_propose_hold_and_rate_a_session_without_javascript() {
    for kind in test_database_kinds() {
        let r = room(kind).await;
        let tab = format!("/rooms/{}/sessions", r.id);
        let (status, page) = r.page(&tab, &r.ana).await;
        assert_eq!(status, 200);
        assert!(
            page.contains(r#"aria-current="page">Sessions</a>"#),
            "the tab is current"
        );
        assert!(page.contains("Propose a session") && page.contains("Europe/Lisbon"));
        let (status, page) = r.page(&format!("/rooms/{}", r.id), &r.ana).await;
        assert_eq!(status, 200);
        assert!(page.contains(&format!(r#"href="/rooms/{}/sessions""#, r.id)));
        // A time in the past: the form comes back naming the problem.
        let (status, _, page) = r
            .post_form(&tab, &r.ana, "date=2020-01-01&time=10:00&zone=Europe%2FLisbon&minutes=60&agenda=&repeat=&occurrences=6")
            .await;
        assert_eq!(status, 422);
        assert!(
            page.contains("The session must start in the future")
                && page.contains(r#"aria-invalid="true""#)
        );
        let (status, _, page) = r
            .post_form(
                &tab,
                &r.ana,
                "date=2026-06-02&time=10:00&zone=Nowhere%2FLand&minutes=60&repeat=&occurrences=6",
            )
            .await;
        assert_eq!(status, 422);
        assert!(page.contains("IANA"));
        assert!(r.sessions().await.is_empty());
        let (status, location, _) = r
            .post_form(&tab, &r.ana, "date=2026-06-02&time=10:00&zone=Europe%2FLisbon&minutes=60&agenda=**Goals**&link=&place=Library&repeat=&occurrences=6")
            .await;
        assert_eq!(
            (status, location.as_str()),
            (303, format!("{tab}?done=session_scheduled").as_str())
        );
        let s = r.sessions().await[0]["id"].as_str().unwrap().to_string();
        let (status, page) = r.page(&format!("/sessions/{s}"), &r.ben).await;
        assert_eq!(status, 200);
        assert!(
            page.contains("<strong>Goals</strong>"),
            "the agenda is rendered Markdown"
        );
        assert!(
            page.contains("Tue 2 Jun, 14:30 (Kolkata)"),
            "Ben reads it in his zone"
        );
        assert!(page.contains("Attendance is recorded once the session has started."));
        r.t.clock.advance(6 * DAY);
        let (_, page) = r.page(&format!("/sessions/{s}"), &r.ben).await;
        assert!(page.contains("More than 10 minutes late counts as late."));
        let body = format!(
            "status=held&attendance_{}=attended&attendance_{}=late",
            r.ana.id, r.ben.id
        );
        let (status, location, _) = r
            .post_form(&format!("/sessions/{s}/status"), &r.ben, &body)
            .await;
        assert_eq!(
            (status, location.as_str()),
            (303, format!("/sessions/{s}?done=session_status").as_str())
        );
        let (status, _, page) = r
            .post_form(
                &format!("/sessions/{s}/feedback"),
                &r.ben,
                "rating=9&comment=",
            )
            .await;
        assert_eq!(status, 422);
        assert!(page.contains("Rating must be 1, 2, 3 or 4"));
        let (status, location, _) = r
            .post_form(
                &format!("/sessions/{s}/feedback"),
                &r.ben,
                "rating=3&comment=Useful",
            )
            .await;
        assert_eq!(
            (status, location.as_str()),
            (303, format!("/sessions/{s}?done=feedback_saved").as_str())
        );
        let (_, page) = r
            .page(&format!("/sessions/{s}?done=feedback_saved"), &r.ben)
            .await;
        assert!(page.contains("Useful") && page.contains("only you and the programme"));
        let (_, page) = r.page(&format!("/sessions/{s}"), &r.ana).await;
        assert!(!page.contains("Useful"));
        // Notes and action items from the page.
        let (status, _, _) = r
            .post_form(
                &format!("/sessions/{s}"),
                &r.ana,
                "notes=Talked+about+goals",
            )
            .await;
        assert_eq!(status, 303);
        let (status, _, _) = r
            .post_form(
                &format!("/sessions/{s}/action-items"),
                &r.ana,
                &format!("title=Draft+plan&owner_id={}&due_on=", r.ben.id),
            )
            .await;
        assert_eq!(status, 303);
        let (_, page) = r.page(&format!("/sessions/{s}"), &r.ben).await;
        assert!(page.contains("Talked about goals") && page.contains("Draft plan"));
        // Managers and outsiders.
        assert_eq!(r.page(&tab, &r.mia).await.0, 200);
        assert_eq!(r.page(&tab, &r.out).await.0, 404);
        assert_eq!(r.page(&format!("/sessions/{s}"), &r.out).await.0, 404);
        // Invitations and changes go to the other members (their content is
        // tested in tests/calendars.rs and crates/app/tests/calendars.rs).
        r.invitations_went_out().await;
        r.t.finish().await;
    }
}

#[tokio::test]
async fn a_manager_may_not_write_and_unknown_ids_are_404() {
    for kind in test_database_kinds() {
        let r = room(kind).await;
        let s = r.session_in(DAY).await;
        let random = uuid::Uuid::new_v4();
        for (method, path, body) in [
            ("GET", format!("/api/v1/sessions/{random}"), None),
            ("GET", "/api/v1/sessions/not-an-id".to_string(), None),
            (
                "PUT",
                format!("/api/v1/action-items/{random}"),
                Some(json!({"done": true})),
            ),
        ] {
            r.t.call(method, &path, r.ana.auth(), body)
                .await
                .expect_error(404, "not_found");
        }
        for (path, body) in [
            (
                format!("/api/v1/sessions/{s}/status"),
                json!({"status": "cancelled", "reason": "x"}),
            ),
            (
                format!("/api/v1/sessions/{s}/reschedule"),
                json!({"starts_at": rfc(START_MS + 9 * DAY)}),
            ),
            (
                format!("/api/v1/sessions/{s}/action-items"),
                json!({"title": "x"}),
            ),
        ] {
            r.t.call("POST", &path, r.mia.auth(), Some(body.clone()))
                .await
                .expect_error(403, "forbidden");
            r.t.call("POST", &path, r.out.auth(), Some(body))
                .await
                .expect_error(404, "not_found");
        }
        r.t.call(
            "PUT",
            &format!("/api/v1/sessions/{s}"),
            Auth::Anonymous,
            Some(json!({"notes": "x"})),
        )
        .await
        .expect(401);
        // Invitations and changes go to the other members (their content is
        // tested in tests/calendars.rs and crates/app/tests/calendars.rs).
        r.invitations_went_out().await;
        r.t.finish().await;
    }
}

#[tokio::test]
async fn the_sessions_tab_lists_what_is_ahead_and_pages_the_past() {
    for kind in test_database_kinds() {
        let r = room(kind).await;
        // Fourteen hour-long sessions two hours apart from tomorrow; when
        // the twelfth is over, two are still ahead.
        const HOUR: i64 = 3_600_000;
        let mut ids = vec![];
        for n in 0..14 {
            ids.push(r.session_in(DAY + n * 2 * HOUR).await);
        }
        let invitations = r.t.take_emails_about("Session with").await;
        assert_eq!(invitations.len(), 14, "[{kind}] one to Ben for each");
        r.t.clock.advance(DAY + 23 * HOUR + HOUR / 2);
        let tab = format!("/rooms/{}/sessions", r.id);
        let (status, page) = r.page(&tab, &r.ana).await;
        assert_eq!(status, 200, "[{kind}]");
        let links = |html: &str| -> Vec<String> {
            ids.iter()
                .filter(|id| html.contains(&format!("/sessions/{id}\"")))
                .cloned()
                .collect()
        };
        // Both sessions ahead, and the ten latest of the twelve behind.
        let shown = links(&page);
        assert_eq!(shown.len(), 12, "[{kind}] {shown:?}");
        assert!(shown.contains(&ids[13]) && shown.contains(&ids[2]));
        assert!(!shown.contains(&ids[1]) && !shown.contains(&ids[0]));
        assert!(page.contains("not marked yet"));
        let earlier = page
            .split("href=\"")
            .find(|p| p.contains(">Earlier sessions<"))
            .and_then(|p| p.split('"').next())
            .expect("a link to earlier sessions")
            .split('#')
            .next()
            .unwrap()
            .to_string();
        let (status, older) = r.page(&earlier, &r.ana).await;
        assert_eq!(status, 200);
        let shown = links(&older);
        // The two earliest behind, and again both ahead.
        assert_eq!(shown.len(), 4, "[{kind}] {shown:?}");
        assert!(shown.contains(&ids[0]) && shown.contains(&ids[1]));
        assert!(older.contains(">Later sessions<") && !older.contains(">Earlier sessions<"));
        // A cursor that is not Rapport's is refused, naming it.
        let (status, page) = r.page(&format!("{tab}?cursor=nope"), &r.ana).await;
        assert_eq!(status, 422, "[{kind}]");
        assert!(page.contains("cursor"));
        r.t.finish().await;
    }
}

/// Each room tab reads its viewer in the tab's own read (issue 17,
/// "Performance"): the page still knows who asks and what they have not
/// read, someone outside the room still gets a 404, and the cookie of an
/// ended session is sent to sign in.
#[tokio::test]
async fn the_room_tabs_read_their_viewer_with_the_tab() {
    for kind in test_database_kinds() {
        let r = room(kind).await;
        let (status, _, _) = r
            .post_form(
                &format!("/rooms/{}/messages", r.id),
                &r.ben,
                "body=Hello+from+Ben",
            )
            .await;
        assert_eq!(status, 303, "[{kind}]");
        let tabs =
            ["", "/sessions", "/notes", "/messages"].map(|tab| format!("/rooms/{}{tab}", r.id));
        for tab in &tabs {
            let (status, page) = r.page(tab, &r.ana).await;
            assert_eq!(status, 200, "[{kind}] {tab}");
            assert!(page.contains("Ben Mentee"), "[{kind}] {tab}");
            if !tab.ends_with("/messages") {
                // Opening the thread reads it, so only the other tabs count it.
                assert!(
                    page.contains(r#"title="unread messages">1<"#),
                    "[{kind}] {tab}: Ben's message counts as unread for Ana"
                );
            }
            let (status, _) = r.page(tab, &r.out).await;
            assert_eq!(status, 404, "[{kind}] {tab}");
            let ended =
                r.t.reply_text(
                    TestApp::request("GET", tab, Auth::Cookie("rapport_session=ended-or-never"))
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            assert_eq!(ended.status.as_u16(), 303, "[{kind}] {tab}");
            assert_eq!(ended.headers["location"], "/sign-in", "[{kind}] {tab}");
        }
        r.t.leave_work("the message digest waits 15 minutes");
        r.t.finish().await;
    }
}
