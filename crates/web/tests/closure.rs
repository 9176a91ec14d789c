//! Closure and activation: the closure survey's rules and privacy, the
//! self-efficacy question at enrolment, a programme's outcomes, and the
//! room sweep's first-contact prompts, inactivity warning and ending, with
//! the clock moved and never slept.

use axum::body::Body;
use rapport_domain::mentoring::{MemberState, RoomOrigin, RoomStatus};
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::RoomId;
use rapport_store::{ActivityKind, NewRoom};
use rapport_web::testing::{test_database_kinds, Person, TestApp};
use serde_json::{json, Value};

const DAY: i64 = 24 * 60 * 60 * 1000;
const MARKER: &str = "h7-private-reflection-marker";

struct Fixture {
    t: TestApp,
    slug: String,
    mentor: Person,
    mentee: Person,
    manager: Person,
    outsider: Person,
    room: RoomId,
}

/// An open one-to-one programme with a manager, an approved mentor, a
/// mentee who answered the self-efficacy question with 2, and an active
/// room of the two (started now).
async fn fixture(kind: &'static str) -> Fixture {
    let t = TestApp::new(kind).await;
    let slug = t.programme("Spring", "one_to_one").await;
    let admin = t.admin().await;
    t.app
        .move_programme(&t.actor(&admin).await, &slug, "open")
        .await
        .expect("the programme opens");
    let manager = t.manager_of(&slug, "mia@example.org", "Mia Manager").await;
    let mentor = t.member("ana@example.org", "Ana Mentor").await;
    let mentee = t.member("ben@example.org", "Ben Mentee").await;
    let outsider = t.member("olga@example.org", "Olga Outsider").await;
    let enrol = |role: &str, efficacy: Option<i64>| json!({"role": role, "accept_conduct": true, "self_efficacy": efficacy});
    let path = format!("/api/v1/programmes/{slug}/enrolments");
    let r = t
        .call("POST", &path, mentor.auth(), Some(enrol("mentor", None)))
        .await
        .expect(201);
    let mentor_enrolment = r.json["enrolments"][0].as_str().unwrap().to_string();
    t.call("POST", &path, mentee.auth(), Some(enrol("mentee", Some(2))))
        .await
        .expect(201);
    t.call(
        "POST",
        &format!("{path}/{mentor_enrolment}/decision"),
        manager.auth(),
        Some(json!({"decision": "approved"})),
    )
    .await
    .expect(204);
    t.expect_email("ana@example.org", "Your application").await;
    let room = RoomId::new();
    let store = t.store();
    let mut tx = store.write().await.unwrap();
    let programme = tx.programme_by_slug(&slug).await.unwrap().unwrap();
    tx.insert_room(
        &NewRoom {
            id: room,
            programme_id: programme.id,
            status: RoomStatus::Proposed,
            origin: RoomOrigin::Round,
            members: vec![
                (mentor.id, ProgrammeRole::Mentor, MemberState::Accepted),
                (mentee.id, ProgrammeRole::Mentee, MemberState::Accepted),
            ],
            round_id: None,
        },
        t.app.now(),
    )
    .await
    .unwrap();
    assert!(tx
        .set_room_status(room, RoomStatus::Active, t.app.now())
        .await
        .unwrap());
    tx.commit().await.unwrap();
    Fixture {
        t,
        slug,
        mentor,
        mentee,
        manager,
        outsider,
        room,
    }
}

impl Fixture {
    async fn set_status(&self, status: RoomStatus) {
        let mut tx = self.t.store().write().await.unwrap();
        assert!(tx
            .set_room_status(self.room, status, self.t.app.now())
            .await
            .unwrap());
        tx.commit().await.unwrap();
    }

    async fn activity(&self, kind: ActivityKind) {
        let mut tx = self.t.store().write().await.unwrap();
        tx.note_room_activity(self.room, kind, self.t.app.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
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

    async fn post_form(&self, path: &str, who: &Person, form: &str) -> (u16, String, String) {
        let r = self
            .t
            .reply_text(
                TestApp::request("POST", path, who.auth())
                    .header("origin", "http://rapport.test")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(Body::from(form.to_string()))
                    .unwrap(),
            )
            .await;
        let location = r
            .headers
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (r.status.as_u16(), location, r.text)
    }

    fn closure(&self) -> String {
        format!("/api/v1/rooms/{}/closure", self.room)
    }

    /// The room's status and end reason, read through the use case (the
    /// clock moves months, past any sign-in session).
    async fn room_status(&self) -> (RoomStatus, Option<rapport_domain::mentoring::EndReason>) {
        let v = self
            .t
            .app
            .room(&self.t.actor(&self.mentee).await, self.room)
            .await
            .unwrap();
        (v.room.status, v.room.end_reason)
    }
}

fn answer(efficacy: i64, step: &str, mentor: &str) -> Value {
    json!({
        "reflection": format!("I grew a lot. {MARKER}"),
        "self_efficacy": efficacy,
        "skills": ["public speaking"],
        "career_step": step,
        "would_mentor": mentor,
    })
}

#[tokio::test]
async fn self_efficacy_is_asked_at_enrolment() {
    for kind in test_database_kinds() {
        let f = fixture(kind).await;
        let t = &f.t;
        let path = format!("/api/v1/programmes/{}/enrolments", f.slug);
        let bad = t
            .call(
                "POST",
                &path,
                f.outsider.auth(),
                Some(json!({"role": "mentee", "accept_conduct": true, "self_efficacy": 6})),
            )
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(bad.fields(), vec!["self_efficacy".to_string()]);
        let both = t
            .call(
                "POST",
                &path,
                f.outsider.auth(),
                Some(json!({"role": "mentee", "self_efficacy": 0})),
            )
            .await
            .expect(422);
        let mut fields = both.fields();
        fields.sort();
        assert_eq!(
            fields,
            ["accept_conduct", "self_efficacy"],
            "every bad field is named"
        );
        let list = t.get(&path, f.manager.auth()).await.expect(200).json;
        let score = |email: &str| {
            list.as_array()
                .unwrap()
                .iter()
                .find(|e| e["email"] == email)
                .map(|e| e["self_efficacy"].clone())
                .unwrap()
        };
        assert_eq!(score("ben@example.org"), json!(2));
        assert_eq!(score("ana@example.org"), Value::Null, "optional");

        // The form asks the same question, optionally; a bad answer is named.
        let form = format!("/programmes/{}/enrol", f.slug);
        let (status, page) = f.page(&form, &f.outsider).await;
        assert_eq!(status, 200);
        assert!(page.contains("How confident are you that you can reach your development goals?"));
        assert!(page.contains("Prefer not to answer"));
        let (status, _, page) = f
            .post_form(
                &form,
                &f.outsider,
                "role=mentee&accept_conduct=true&self_efficacy=9",
            )
            .await;
        assert_eq!(status, 422);
        assert!(page.contains("on the scale from 1 to 5"), "{page}");
        let (status, _, _) = f
            .post_form(
                &form,
                &f.outsider,
                "role=mentee&accept_conduct=true&self_efficacy=5",
            )
            .await;
        assert_eq!(status, 303);
        f.t.finish().await;
    }
}

#[tokio::test]
async fn closure_opens_at_the_end_for_30_days_once_per_member_and_stays_private() {
    for kind in test_database_kinds() {
        let f = fixture(kind).await;
        let t = &f.t;
        let admin = t.admin().await;
        t.app
            .add_skill(&t.actor(&admin).await, "Public speaking")
            .await
            .unwrap();
        // An open programme taking mentors: where "one up, one down" points.
        let autumn = t.programme("Autumn", "one_to_one").await;
        t.app
            .move_programme(&t.actor(&admin).await, &autumn, "open")
            .await
            .unwrap();

        // Not before the room has ended.
        let r = t.get(&f.closure(), f.mentee.auth()).await.expect(200);
        assert_eq!(r.json["window"], "not_ended");
        t.call(
            "POST",
            &f.closure(),
            f.mentee.auth(),
            Some(answer(4, "promotion", "yes")),
        )
        .await
        .expect_error(409, "conflict");
        let (_, room_page) = f.page(&format!("/rooms/{}", f.room), &f.mentee).await;
        assert!(
            !room_page.contains("/closure\""),
            "no closure tab before the end"
        );

        // Nobody else answers: managers 403, outsiders 404.
        t.call(
            "POST",
            &f.closure(),
            f.manager.auth(),
            Some(answer(4, "promotion", "yes")),
        )
        .await
        .expect_error(403, "forbidden");
        t.get(&f.closure(), f.outsider.auth()).await.expect(404);

        f.set_status(RoomStatus::Completed).await;
        let (_, room_page) = f.page(&format!("/rooms/{}", f.room), &f.mentee).await;
        assert!(room_page.contains(&format!("href=\"/rooms/{}/closure\"", f.room)));
        let open = t.get(&f.closure(), f.mentee.auth()).await.expect(200).json;
        assert_eq!(open["window"], "open");
        assert!(open["answer"].is_null());

        // Bad values: 422 naming every field, nothing written.
        let bad = t
            .call(
                "POST",
                &f.closure(),
                f.mentee.auth(),
                Some(json!({"self_efficacy": 6, "skills": ["Juggling"], "career_step": "ceo", "would_mentor": "perhaps", "reflection": "<script>alert(1)</script>"})),
            )
            .await
            .expect_error(422, "invalid_field");
        let mut fields = bad.fields();
        fields.sort();
        assert_eq!(
            fields,
            [
                "career_step",
                "reflection",
                "self_efficacy",
                "skills",
                "would_mentor"
            ]
        );
        t.call(
            "POST",
            &f.closure(),
            f.mentee.auth(),
            Some(json!({"career_step": "promotion", "would_mentor": "yes"})),
        )
        .await
        .expect_error(422, "invalid_field");

        // The mentee answers, and is invited to mentor.
        let done = t
            .call(
                "POST",
                &f.closure(),
                f.mentee.auth(),
                Some(answer(4, "promotion", "yes")),
            )
            .await
            .expect(201)
            .json;
        assert_eq!(done["answer"]["self_efficacy"], 4);
        assert_eq!(done["answer"]["self_efficacy_at_enrolment"], 2);
        assert_eq!(done["answer"]["skills"], json!(["Public speaking"]));
        assert!(done["answer"]["reflection"]
            .as_str()
            .unwrap()
            .contains(MARKER));
        assert_eq!(
            done["mentor_invitation"],
            json!(format!("/programmes/{autumn}/enrol")),
            "the open programme taking mentors"
        );
        let mail = t
            .expect_email("ben@example.org", "Would you mentor someone?")
            .await;
        assert!(mail.body.contains(&format!("/programmes/{autumn}/enrol")));
        assert!(!mail.body.contains(MARKER));

        // The author's data export holds it; the other member's does not.
        let export = t
            .get("/api/v1/me/export", f.mentee.auth())
            .await
            .expect(200)
            .json;
        assert_eq!(export["closures"][0]["self_efficacy"], 4);
        assert!(export["closures"][0]["reflection"]
            .as_str()
            .unwrap()
            .contains(MARKER));
        let theirs = t
            .get("/api/v1/me/export", f.mentor.auth())
            .await
            .expect(200)
            .json;
        assert!(!theirs.to_string().contains(MARKER));

        // Once only.
        t.call(
            "POST",
            &f.closure(),
            f.mentee.auth(),
            Some(answer(5, "none_yet", "no")),
        )
        .await
        .expect_error(409, "conflict");

        // The author reads it, by API and page; nobody else does, by any route.
        let (status, mine) = f
            .page(&format!("/rooms/{}/closure", f.room), &f.mentee)
            .await;
        assert_eq!(status, 200);
        assert!(mine.contains(MARKER));
        assert!(mine.contains("One up, one down"));
        let other = t.get(&f.closure(), f.mentor.auth()).await.expect(200).json;
        assert!(
            other["answer"].is_null(),
            "the other member sees only their own"
        );
        t.get(&f.closure(), f.manager.auth()).await.expect(403);
        t.get(&f.closure(), admin.auth()).await.expect(403);
        let outcomes = format!("/programmes/{}/outcomes", f.slug);
        for who in [&f.mentor, &f.manager, &admin] {
            for path in [
                format!("/rooms/{}/closure", f.room),
                format!("/rooms/{}", f.room),
                outcomes.clone(),
            ] {
                let (_, text) = f.page(&path, who).await;
                assert!(
                    !text.contains(MARKER),
                    "{path} shows the reflection to {}",
                    who.email
                );
            }
            let api = t.get(&format!("/api/v1{outcomes}"), who.auth()).await;
            assert!(!api.json.to_string().contains(MARKER));
            let room = t
                .get(&format!("/api/v1/rooms/{}", f.room), who.auth())
                .await;
            assert!(!room.json.to_string().contains(MARKER));
        }

        // The outcomes, for managers.
        let report = t
            .get(&format!("/api/v1{outcomes}"), f.manager.auth())
            .await
            .expect(200)
            .json;
        assert_eq!(report["closures"], 1);
        assert_eq!(
            report["career_steps"][0],
            json!({"value": "promotion", "count": 1})
        );
        assert_eq!(report["self_efficacy_change"], json!(2.0));
        assert_eq!(report["self_efficacy_compared"], 1);
        assert_eq!(report["mentees_who_would_mentor"], 1);
        assert_eq!(
            report["top_skills"],
            json!([{"value": "Public speaking", "count": 1}])
        );
        t.get(&format!("/api/v1{outcomes}"), f.mentee.auth())
            .await
            .expect(403);
        let (status, page) = f.page(&outcomes, &f.manager).await;
        assert_eq!(status, 200);
        assert!(page.contains("+2.0"), "{page}");
        assert!(page.contains("Public speaking"));

        // 30 days after the end, the survey is closed.
        t.clock.advance(31 * DAY);
        let mentor = t.actor(&f.mentor).await;
        let closed = t.app.closure(&mentor, f.room).await.unwrap();
        assert!(matches!(
            closed.window,
            rapport_app::closure::ClosureWindow::Closed { .. }
        ));
        let input = rapport_app::closure::ClosureInput {
            self_efficacy: "5".into(),
            career_step: "none_yet".into(),
            would_mentor: "maybe".into(),
            ..Default::default()
        };
        let late = t
            .app
            .submit_closure(&mentor, f.room, &input)
            .await
            .unwrap_err();
        assert!(
            matches!(&late, rapport_app::AppError::Conflict { message, .. } if message.contains("30 days")),
            "{late:?}"
        );
        f.t.finish().await;
    }
}

#[tokio::test]
async fn the_closure_page_works_without_javascript() {
    for kind in test_database_kinds() {
        let f = fixture(kind).await;
        let t = &f.t;
        let admin = t.admin().await;
        t.app
            .add_skill(&t.actor(&admin).await, "Negotiation")
            .await
            .unwrap();
        let path = format!("/rooms/{}/closure", f.room);
        let (status, page) = f.page(&path, &f.mentor).await;
        assert_eq!(status, 200);
        assert!(page.contains("opens when the room completes or ends"));
        f.set_status(RoomStatus::EndedEarly).await;
        let (_, page) = f.page(&path, &f.mentor).await;
        assert!(page.contains(
            "<legend>How confident are you that you can reach your development goals?</legend>"
        ));
        assert!(page.contains("value=\"Negotiation\""));
        let (status, _, page) = f
            .post_form(
                &path,
                &f.mentor,
                "self_efficacy=7&career_step=none_yet&skills=Negotiation",
            )
            .await;
        assert_eq!(status, 422);
        assert!(page.contains("id=\"e-self_efficacy\""));
        assert!(page.contains("id=\"e-would_mentor\""));
        assert!(
            page.contains("value=\"Negotiation\" checked"),
            "the answer is kept"
        );
        let (status, location, _) = f
            .post_form(
                &path,
                &f.mentor,
                "reflection=Proud+of+Ben&self_efficacy=5&career_step=new_responsibility&skills=Negotiation&would_mentor=yes",
            )
            .await;
        assert_eq!(
            (status, location.as_str()),
            (303, format!("{path}?done=closure_saved").as_str())
        );
        let (_, page) = f
            .page(&format!("{path}?done=closure_saved"), &f.mentor)
            .await;
        assert!(page.contains("Your closure is saved"));
        assert!(page.contains("Proud of Ben"));
        assert!(
            !page.contains("One up, one down"),
            "mentors are not invited to mentor"
        );
        let (status, _, _) = f
            .post_form(
                &path,
                &f.mentor,
                "self_efficacy=5&career_step=none_yet&would_mentor=no",
            )
            .await;
        assert_eq!(status, 409);
        // A manager reads the page, never an answer.
        let (status, page) = f.page(&path, &f.manager).await;
        assert_eq!(status, 200);
        assert!(page.contains("Closure is each member's own"));
        assert!(!page.contains("Proud of Ben"));
        f.t.finish().await;
    }
}

#[tokio::test]
async fn no_first_contact_prompts_members_at_7_days_and_managers_at_14_once() {
    for kind in test_database_kinds() {
        let f = fixture(kind).await;
        let t = &f.t;
        t.clock.advance(7 * DAY - 60_000);
        assert_eq!(
            t.app
                .sweep_room_activation()
                .await
                .unwrap()
                .members_prompted,
            0
        );
        t.clock.advance(60_000);
        let done = t.app.sweep_room_activation().await.unwrap();
        assert_eq!((done.members_prompted, done.managers_prompted), (1, 0));
        let to_members = t.take_emails_about("Say hello in your room").await;
        let mut to: Vec<_> = to_members.iter().map(|m| m.to.as_str()).collect();
        to.sort();
        assert_eq!(to, ["ana@example.org", "ben@example.org"]);
        assert!(
            to_members[0].body.contains("(UTC)"),
            "the date names the zone"
        );
        assert_eq!(
            t.app.sweep_room_activation().await.unwrap(),
            Default::default(),
            "once"
        );
        t.clock.advance(7 * DAY);
        let done = t.app.sweep_room_activation().await.unwrap();
        assert_eq!((done.members_prompted, done.managers_prompted), (0, 1));
        let managers = t.take_emails_about("has not started").await;
        assert!(managers.iter().any(|m| m.to == "mia@example.org"));
        assert!(managers.iter().all(|m| m.to != "ben@example.org"));
        t.clock.advance(DAY);
        assert_eq!(
            t.app.sweep_room_activation().await.unwrap(),
            Default::default(),
            "once"
        );
        f.t.finish().await;
    }
}

#[tokio::test]
async fn first_contact_stops_the_prompts_and_paused_rooms_are_left_alone() {
    for kind in test_database_kinds() {
        let f = fixture(kind).await;
        let t = &f.t;
        t.clock.advance(DAY);
        f.activity(ActivityKind::SessionScheduled).await;
        t.clock.advance(20 * DAY);
        assert_eq!(
            t.app.sweep_room_activation().await.unwrap(),
            Default::default()
        );
        // Paused for good: never warned, never ended.
        f.set_status(RoomStatus::Paused).await;
        t.clock.advance(200 * DAY);
        assert_eq!(
            t.app.sweep_room_activation().await.unwrap(),
            Default::default()
        );
        assert_eq!(f.room_status().await.0, RoomStatus::Paused);
        f.t.finish().await;
    }
}

#[tokio::test]
async fn inactivity_warns_at_90_days_ends_at_97_and_activity_resets_it() {
    for kind in test_database_kinds() {
        let f = fixture(kind).await;
        let t = &f.t;
        f.activity(ActivityKind::Message).await;
        t.clock.advance(90 * DAY - 60_000);
        assert_eq!(t.app.sweep_room_activation().await.unwrap().warned, 0);
        t.clock.advance(60_000);
        assert_eq!(t.app.sweep_room_activation().await.unwrap().warned, 1);
        t.expect_emails(&[
            ("ana@example.org", "has been quiet"),
            ("ben@example.org", "has been quiet"),
        ])
        .await;
        assert_eq!(
            t.app.sweep_room_activation().await.unwrap(),
            Default::default(),
            "once per spell"
        );

        // Someone acts: the warning no longer counts.
        t.clock.advance(2 * DAY);
        f.activity(ActivityKind::Note).await;
        t.clock.advance(10 * DAY);
        assert_eq!(
            t.app.sweep_room_activation().await.unwrap(),
            Default::default()
        );
        assert_eq!(f.room_status().await.0, RoomStatus::Active);

        // A new spell: warned again after 90 quiet days, ended 7 days later.
        t.clock.advance(80 * DAY);
        assert_eq!(t.app.sweep_room_activation().await.unwrap().warned, 1);
        t.take_emails_about("has been quiet").await;
        t.clock.advance(7 * DAY - 60_000);
        assert_eq!(t.app.sweep_room_activation().await.unwrap().ended, 0);
        t.clock.advance(60_000);
        assert_eq!(t.app.sweep_room_activation().await.unwrap().ended, 1);
        assert_eq!(
            f.room_status().await,
            (
                RoomStatus::EndedEarly,
                Some(rapport_domain::mentoring::EndReason::Inactive)
            )
        );
        let member = t
            .expect_email("ben@example.org", "Your room in Spring ended as inactive")
            .await;
        assert!(member.body.contains(&format!("/rooms/{}/closure", f.room)));
        t.expect_email("ana@example.org", "Your room in Spring ended as inactive")
            .await;
        let managers = t
            .take_emails_about("A room in Spring ended as inactive")
            .await;
        assert!(managers.iter().any(|m| m.to == "mia@example.org"));
        assert!(managers.iter().all(|m| !m.body.contains("/closure")));
        assert_eq!(
            t.app.sweep_room_activation().await.unwrap(),
            Default::default()
        );
        // The ended room's closure survey is open.
        let closure = t
            .app
            .closure(&t.actor(&f.mentee).await, f.room)
            .await
            .unwrap();
        assert!(matches!(
            closure.window,
            rapport_app::closure::ClosureWindow::Open { .. }
        ));
        f.t.finish().await;
    }
}
