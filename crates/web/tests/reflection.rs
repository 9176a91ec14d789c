//! Reflection prompts and the needs check (issue 19, H8): the schedule on a
//! moved clock, private and room answers, the admins' library, and the
//! needs check's result and live next steps. Runs on SQLite, and on
//! Postgres when `RAPPORT_TEST_DATABASE_URL` is set.

use rapport_domain::mentoring::{EnrolmentStatus, MemberState, RoomOrigin, RoomStatus};
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::{EnrolmentId, RoomId};
use rapport_store::{EnrolmentRecord, NewRoom};
use rapport_web::testing::{test_database_kinds, Person, TestApp, START_MS};
use serde_json::{json, Value};

const DAY: i64 = 86_400_000;
const FIRST: &str = "7e5f0000-0000-4000-8000-000000000001";

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

fn needs(l: i64, m: i64) -> Value {
    json!({"unclear_goals": l, "who_to_become": m, "unclear_priorities": l, "strengths": m,
           "deadlines": l, "career_path": m, "decision_rights": l, "outside_view": m})
}

#[tokio::test]
async fn prompts_arrive_on_the_members_schedule_by_email_and_on_the_home_page() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let bea = t.member("bea@example.org", "Bea Member").await;
        let quiet = t.member("quiet@example.org", "Quiet Member").await;
        assert_eq!(t.app.sweep_reflection_prompts().await.unwrap(), 0);
        t.call(
            "PUT",
            "/api/v1/me/reflection-schedule",
            bea.auth(),
            Some(json!({"cadence": "daily"})),
        )
        .await
        .expect_error(422, "invalid_field");
        let s = t
            .call(
                "PUT",
                "/api/v1/me/reflection-schedule",
                bea.auth(),
                Some(json!({"cadence": "weekly"})),
            )
            .await
            .expect(200);
        assert_eq!(s.json["cadence"], "weekly");
        // The first goes out at the next sweep; only once.
        assert_eq!(t.app.sweep_reflection_prompts().await.unwrap(), 1);
        assert_eq!(t.app.sweep_reflection_prompts().await.unwrap(), 0);
        let mail = t
            .expect_email("bea@example.org", "Your reflection prompt")
            .await;
        assert!(
            mail.body.contains(&format!("/prompts/{FIRST}")),
            "{}",
            mail.body
        );
        let inbox = t.get("/api/v1/me/inbox", bea.auth()).await.expect(200);
        assert!(
            inbox.json.to_string().contains("reflection"),
            "{}",
            inbox.json
        );
        let home = page(&t, "/", &bea).await;
        assert!(home.contains("Your reflection prompt is waiting"), "{home}");
        assert!(!page(&t, "/", &quiet).await.contains("reflection prompt"));
        // Answered: it leaves the home page.
        t.call(
            "POST",
            &format!("/api/v1/prompts/{FIRST}/answers"),
            bea.auth(),
            Some(json!({"body": "I borrowed *pauses* from Ana.", "visibility": "private"})),
        )
        .await
        .expect(201);
        assert!(!page(&t, "/", &bea)
            .await
            .contains("Your reflection prompt is waiting"));
        // Six days on: nothing. Seven: the next prompt of the library.
        t.clock.advance(6 * DAY);
        assert_eq!(t.app.sweep_reflection_prompts().await.unwrap(), 0);
        t.clock.advance(DAY);
        assert_eq!(t.app.sweep_reflection_prompts().await.unwrap(), 1);
        let second = t
            .expect_email("bea@example.org", "Your reflection prompt")
            .await;
        assert!(second.body.contains("7e5f0000-0000-4000-8000-000000000002"));
        // Fortnightly, then never: nothing more goes out.
        t.call(
            "PUT",
            "/api/v1/me/reflection-schedule",
            bea.auth(),
            Some(json!({"cadence": "never"})),
        )
        .await
        .expect(200);
        t.clock.advance(30 * DAY);
        assert_eq!(t.app.sweep_reflection_prompts().await.unwrap(), 0);
        t.finish().await;
    }
}

/// An active room in "here": Ana mentors Bea.
async fn room(t: &TestApp, mentor: &Person, mentee: &Person) -> RoomId {
    t.programme("Here", "one_to_one").await;
    let id = RoomId::new();
    let mut tx = t.store().write().await.unwrap();
    let p = tx.programme_by_slug("here").await.unwrap().unwrap();
    tx.grant_role(p.id, mentor.id, ProgrammeRole::Mentor, 0)
        .await
        .unwrap();
    tx.grant_role(p.id, mentee.id, ProgrammeRole::Mentee, 0)
        .await
        .unwrap();
    for (who, role) in [
        (mentor, ProgrammeRole::Mentor),
        (mentee, ProgrammeRole::Mentee),
    ] {
        tx.insert_enrolment(&EnrolmentRecord {
            id: EnrolmentId::new(),
            programme_id: p.id,
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
    tx.insert_room(
        &NewRoom {
            id,
            programme_id: p.id,
            status: RoomStatus::Active,
            origin: RoomOrigin::Request,
            members: vec![
                (mentor.id, ProgrammeRole::Mentor, MemberState::Accepted),
                (mentee.id, ProgrammeRole::Mentee, MemberState::Accepted),
            ],
            round_id: None,
        },
        START_MS,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn private_answers_are_the_authors_alone_and_room_answers_reach_the_room() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let ana = t.member("ana@example.org", "Ana Mentor").await;
        let bea = t.member("bea@example.org", "Bea Mentee").await;
        let room = room(&t, &ana, &bea).await;
        let mo = t.manager_of("here", "mo@example.org", "Mo Manager").await;
        let admin = t.admin().await;
        // Only the mentor assigns.
        t.call(
            "POST",
            &format!("/api/v1/rooms/{room}/prompts"),
            bea.auth(),
            Some(json!({"prompt_id": FIRST})),
        )
        .await
        .expect_error(403, "forbidden");
        let rp = t
            .call(
                "POST",
                &format!("/api/v1/rooms/{room}/prompts"),
                ana.auth(),
                Some(json!({"prompt_id": FIRST})),
            )
            .await
            .expect(201);
        let rp_id = rp.json["id"].as_str().unwrap().to_string();
        t.call(
            "POST",
            &format!("/api/v1/rooms/{room}/prompts"),
            ana.auth(),
            Some(json!({"prompt_id": FIRST})),
        )
        .await
        .expect_error(409, "conflict");
        // Bea sees it waiting, answers it privately and shares a second one.
        assert!(page(&t, "/", &bea)
            .await
            .contains("A reflection prompt for your room with Ana Mentor"));
        let answers = format!("/api/v1/prompts/{FIRST}/answers");
        let answer = |body: &str, visibility: &str| {
            t.call(
                "POST",
                &answers,
                bea.auth(),
                Some(json!({"body": body, "visibility": visibility, "room_prompt_id": rp_id})),
            )
        };
        answer("secretanswer-z9", "private").await.expect(201);
        answer("sharedanswer-y8", "room").await.expect(201);
        assert!(!page(&t, "/", &bea)
            .await
            .contains("A reflection prompt for your room"));
        // A room answer needs a room prompt; an unknown visibility or a
        // thread that is not theirs is 422 naming the field; nothing is kept.
        for (body, field) in [
            (json!({"body": "x", "visibility": "room"}), "visibility"),
            (json!({"body": "x", "visibility": "public"}), "visibility"),
            (json!({"body": "", "visibility": "private"}), "body"),
            (
                json!({"body": "x", "visibility": "thread", "thread_id": uuid::Uuid::new_v4().to_string()}),
                "thread_id",
            ),
        ] {
            let r = t
                .call(
                    "POST",
                    &format!("/api/v1/prompts/{FIRST}/answers"),
                    bea.auth(),
                    Some(body),
                )
                .await
                .expect_error(422, "invalid_field");
            assert_eq!(r.error_field(), field);
        }
        let mine = t
            .get("/api/v1/me/reflections", bea.auth())
            .await
            .expect(200);
        assert_eq!(mine.json.as_array().unwrap().len(), 2, "{}", mine.json);
        // Ana reads the shared answer, never the private one; the manager and
        // the admin read neither (403), nor anything on their own lists.
        let ana_view = page(&t, &format!("/rooms/{room}/prompts"), &ana).await;
        assert!(ana_view.contains("sharedanswer-y8"));
        assert!(!ana_view.contains("secretanswer-z9"));
        let bea_view = page(&t, &format!("/rooms/{room}/prompts"), &bea).await;
        assert!(bea_view.contains("secretanswer-z9") && bea_view.contains("sharedanswer-y8"));
        for who in [&mo, &admin] {
            let r = t
                .reply_text(
                    TestApp::request("GET", &format!("/rooms/{room}/prompts"), who.auth())
                        .body(axum::body::Body::empty())
                        .unwrap(),
                )
                .await;
            assert_eq!(r.status, 403);
            assert!(!r.text.contains("answer-"));
        }
        for who in [&ana, &mo, &admin] {
            let list = t
                .get("/api/v1/me/reflections", who.auth())
                .await
                .expect(200);
            assert!(!list.json.to_string().contains("secretanswer-z9"));
            let export = t.get("/api/v1/me/export", who.auth()).await.expect(200);
            assert!(!export.json.to_string().contains("secretanswer-z9"));
        }
        let export = t.get("/api/v1/me/export", bea.auth()).await.expect(200);
        assert!(export.json["reflection"]
            .to_string()
            .contains("secretanswer-z9"));
        t.finish().await;
    }
}

#[tokio::test]
async fn admins_keep_the_library_and_retired_prompts_are_not_offered() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let bea = t.member("bea@example.org", "Bea Member").await;
        let admin = t.admin().await;
        let list = t
            .get("/api/v1/prompts?limit=100", bea.auth())
            .await
            .expect(200);
        assert!(
            list.json.as_array().unwrap().len() >= 15,
            "the seeded library"
        );
        t.call(
            "POST",
            "/api/v1/prompts",
            bea.auth(),
            Some(json!({"theme": "other", "body": "Mine?"})),
        )
        .await
        .expect_error(403, "forbidden");
        t.get("/api/v1/prompts?retired=true", bea.auth())
            .await
            .expect_error(403, "forbidden");
        let bad = t
            .call(
                "POST",
                "/api/v1/prompts",
                admin.auth(),
                Some(json!({"theme": "misc", "body": "Fine"})),
            )
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(bad.error_field(), "theme");
        let p = t
            .call(
                "POST",
                "/api/v1/prompts",
                admin.auth(),
                Some(json!({"theme": "reverse", "body": "Who taught you something this week?"})),
            )
            .await
            .expect(201);
        let id = p.json["id"].as_str().unwrap().to_string();
        t.call(
            "PUT",
            &format!("/api/v1/prompts/{id}"),
            admin.auth(),
            Some(json!({"theme": "reverse", "body": "Who taught you something this week?", "retired": true})),
        )
        .await
        .expect(200);
        let list = t
            .get("/api/v1/prompts?limit=100", bea.auth())
            .await
            .expect(200);
        assert!(!list.json.to_string().contains(&id));
        let gone = t
            .reply_text(
                TestApp::request("GET", &format!("/prompts/{id}"), bea.auth())
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(gone.status, 404);
        t.call(
            "POST",
            &format!("/api/v1/prompts/{id}/answers"),
            bea.auth(),
            Some(json!({"body": "x", "visibility": "private"})),
        )
        .await
        .expect_error(404, "not_found");
        let all = t
            .get("/api/v1/prompts?retired=true&limit=100", admin.auth())
            .await
            .expect(200);
        assert!(all.json.to_string().contains(&id));
        assert!(page(&t, "/admin/prompts", &admin).await.contains("Retired"));
        t.finish().await;
    }
}

#[tokio::test]
async fn the_needs_check_names_the_gap_and_recommends_what_is_live() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let eve = t.member("eve@example.org", "Eve New").await;
        // First visit: the check is offered.
        let home = page(&t, "/", &eve).await;
        assert!(home.contains("href=\"/needs-check\""), "{home}");
        let mut missing = needs(3, 3);
        missing["career_path"] = json!(null);
        missing["strengths"] = json!(7);
        let r = t
            .call("POST", "/api/v1/me/needs-check", eve.auth(), Some(missing))
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(r.fields(), ["strengths", "career_path"]);
        // A mentorship gap with nothing open: keep reflecting.
        let a = t
            .call(
                "POST",
                "/api/v1/me/needs-check",
                eve.auth(),
                Some(needs(2, 5)),
            )
            .await
            .expect(201);
        assert_eq!(a.json["result"]["gap"], "mentorship");
        let kinds = |v: &Value| -> Vec<String> {
            v["next_steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["kind"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(kinds(&a.json), ["reflect"]);
        // The start page's checklist ticks the step (its counts say so).
        let home = page(&t, "/", &eve).await;
        assert!(
            home.contains(
                "Done: </span><span aria-hidden=\"true\">&#10003;</span> Take the needs check"
            ),
            "{home}"
        );
        // A programme opens: the same result now recommends enrolling.
        let slug = t.programme("Leaders Growing", "one_to_one").await;
        let admin = t.admin().await;
        t.app
            .move_programme(&t.actor(&admin).await, &slug, "open")
            .await
            .unwrap();
        let now = t
            .get("/api/v1/me/needs-check", eve.auth())
            .await
            .expect(200);
        assert_eq!(kinds(&now.json["latest"]), ["enrol"]);
        assert_eq!(
            now.json["latest"]["next_steps"][0]["link"],
            format!("/programmes/{slug}")
        );
        assert_eq!(now.json["statements"].as_array().unwrap().len(), 8);
        // A leadership gap: talk to your own leader, with the guide.
        t.clock.advance(DAY);
        let l = t
            .call(
                "POST",
                "/api/v1/me/needs-check",
                eve.auth(),
                Some(needs(5, 2)),
            )
            .await
            .expect(201);
        assert_eq!(l.json["result"]["gap"], "leadership");
        assert_eq!(kinds(&l.json), ["talk_to_leader"]);
        assert_eq!(l.json["leader_guide"].as_array().unwrap().len(), 5);
        let p = page(&t, "/needs-check", &eve).await;
        assert!(p.contains("id=\"leader-guide\""), "{p}");
        // Both are kept, newest first, and the step is done.
        let h = t
            .get("/api/v1/me/needs-check?limit=1", eve.auth())
            .await
            .expect(200);
        assert_eq!(h.json["history"][0]["gap"], "leadership");
        assert!(h.headers.get("link").is_some());
        let history = page(&t, "/needs-check/history", &eve).await;
        assert!(history.contains("A mentorship gap") && history.contains("A leadership gap"));
        assert!(!page(&t, "/", &eve)
            .await
            .contains("To do: </span><a href=\"/needs-check\""));
        // Nobody else sees any of it.
        let other = t.member("oto@example.org", "Oto Other").await;
        let theirs = t
            .get("/api/v1/me/needs-check", other.auth())
            .await
            .expect(200);
        assert_eq!(theirs.json["history"], json!([]));
        assert_eq!(theirs.json["latest"], Value::Null);
        t.finish().await;
    }
}

#[tokio::test]
async fn every_page_answers_for_a_member() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let bea = t.member("bea@example.org", "Bea Member").await;
        for path in [
            "/reflection",
            &format!("/prompts/{FIRST}"),
            "/needs-check",
            "/needs-check/history",
        ] {
            page(&t, path, &bea).await;
        }
        t.finish().await;
    }
}
