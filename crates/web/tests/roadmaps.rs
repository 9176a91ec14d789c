//! Roadmaps through the real router (issue 19): drafts private to their
//! author, publishing version N+1, a published version never changing,
//! progress carrying over between versions by step id, reflections private
//! unless shared with one room, rooms and programmes recommending roadmaps,
//! and the admin setting of who may publish.

use rapport_domain::mentoring::{EnrolmentStatus, MemberState, RoomOrigin, RoomStatus};
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::{EnrolmentId, RoomId};
use rapport_store::{EnrolmentRecord, NewRoom};
use rapport_web::testing::{test_database_kinds, Person, TestApp};
use serde_json::{json, Value};

/// Mia mentors Ned in an active room of a programme Max manages; Oz is an
/// outsider with a room of his own elsewhere; the catalogue has two skills.
struct World {
    t: TestApp,
    slug: String,
    mentor: Person,
    mentee: Person,
    manager: Person,
    admin: Person,
    outsider: Person,
    room: RoomId,
    other_room: RoomId,
}

// Issue 19 remainder (H2): roadmaps in the search, paged lists, the
// followers' email, the needs check's recommendation, sharing a reflection
// answer into a thread, and the personal data export.

/// The next-page link of a list answer, as a path the test router takes.
fn next_link(r: &rapport_web::testing::Reply) -> Option<String> {
    let link = r.headers.get("link")?.to_str().unwrap().to_string();
    link.split(", ")
        .find(|l| l.ends_with("rel=\"next\""))
        .map(|l| {
            let url = l.trim_start_matches('<').split('>').next().unwrap();
            url[url.find("/api/").unwrap()..].to_string()
        })
}

async fn new_thread(t: &TestApp, who: &Person, title: &str, visibility: &str) -> String {
    t.call(
        "POST",
        "/api/v1/threads",
        who.auth(),
        Some(json!({"title": title, "visibility": visibility})),
    )
    .await
    .expect(201)
    .json["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn new_post(t: &TestApp, who: &Person, thread: &str, body: &str) -> String {
    t.call(
        "POST",
        &format!("/api/v1/threads/{thread}/posts"),
        who.auth(),
        Some(json!({"kind": "challenge", "body": body})),
    )
    .await
    .expect(201)
    .json["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn needs_check(t: &TestApp, who: &Person, answers: &Value) -> Value {
    t.call(
        "POST",
        "/api/v1/me/needs-check",
        who.auth(),
        Some(answers.clone()),
    )
    .await
    .expect(201)
    .json
}

/// Every page of a list, following the `Link` header from `first`.
async fn all_pages(t: &TestApp, first: &str, who: &Person) -> Vec<Value> {
    let mut out = vec![];
    let mut next = Some(first.to_string());
    while let Some(path) = next {
        let r = t.get(&path, who.auth()).await.expect(200);
        next = next_link(&r);
        out.push(r.json);
        assert!(out.len() < 20, "the pages never end");
    }
    out
}

async fn page_text(t: &TestApp, path: &str, who: &Person) -> (u16, String) {
    let r = t
        .reply_text(
            TestApp::request("GET", path, who.auth())
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    (r.status.as_u16(), r.text)
}

#[tokio::test]
async fn search_finds_published_roadmaps_and_only_its_author_finds_a_draft() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let t = &w.t;
        let created = w
            .create(
                &w.mentor,
                roadmap("Quokkaplan for new leads", vec![step("Hand over the rota")]),
            )
            .await;
        let id = created["id"].as_str().unwrap().to_string();
        let found = |who: &'static str, r: &Value| {
            let ids: Vec<&str> = r["roadmaps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["id"].as_str().unwrap())
                .collect();
            assert!(
                r["threads"].is_array() && r["posts"].is_array(),
                "{who}: {r}"
            );
            ids.contains(&id.as_str())
        };
        // A draft: its author finds it, by title and by a step's title; nobody else.
        for q in ["quokka", "rota"] {
            let mine = t
                .get(&format!("/api/v1/search?q={q}"), w.mentor.auth())
                .await
                .expect(200);
            assert!(found("author", &mine.json), "[{kind}] {q}: {}", mine.json);
            for other in [&w.mentee, &w.admin, &w.manager] {
                let theirs = t
                    .get(&format!("/api/v1/search?q={q}"), other.auth())
                    .await
                    .expect(200);
                assert!(!found("other", &theirs.json), "[{kind}] {}", theirs.json);
            }
        }
        // Published: every member finds it, on the API and on the search page.
        t.call(
            "POST",
            &format!("/api/v1/roadmaps/{id}/publish"),
            w.mentor.auth(),
            None,
        )
        .await
        .expect(200);
        let theirs = t
            .get("/api/v1/search?q=quokkaplan", w.outsider.auth())
            .await
            .expect(200);
        assert!(found("outsider", &theirs.json), "[{kind}] {}", theirs.json);
        let (status, html) = page_text(t, "/search?q=quokka", &w.outsider).await;
        assert_eq!(status, 200);
        assert!(html.contains(&format!("/roadmaps/{id}")), "{html}");
        assert!(html.contains("Quokkaplan for new leads"));
        assert!(html.contains("Found, newest first"), "{html}");
        // Nothing found: a helpful empty state, and no "Found" heading over nothing.
        let (status, html) = page_text(t, "/search?q=zzyzxnothing", &w.outsider).await;
        assert_eq!(status, 200);
        assert!(!html.contains("Found"), "{html}");
        assert!(html.contains("No results"), "{html}");
        assert!(html.contains("try fewer words"), "{html}");
        let (status, html) = page_text(t, "/search?q=a", &w.outsider).await;
        assert_eq!(status, 422);
        assert!(html.contains("three letters"), "{html}");
        // A newer draft's words are nobody's to find until it is published.
        let mut v2 = roadmap("Quokkaplan for new leads", vec![step("Hand over the rota")]);
        v2["summary"] = json!("Now with a wombatstep.");
        t.call(
            "PUT",
            &format!("/api/v1/roadmaps/{id}"),
            w.mentor.auth(),
            Some(v2),
        )
        .await
        .expect(200);
        for who in [&w.mentor, &w.mentee] {
            let r = t
                .get("/api/v1/search?q=wombatstep", who.auth())
                .await
                .expect(200);
            assert!(!found("draft words", &r.json), "[{kind}] {}", r.json);
        }
        w.t.finish().await;
    }
}

#[tokio::test]
async fn search_and_roadmap_versions_page_by_cursor_without_repeats() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let t = &w.t;
        let thread = t
            .call(
                "POST",
                "/api/v1/threads",
                w.mentee.auth(),
                Some(json!({"title": "My delegation journal", "visibility": "members"})),
            )
            .await
            .expect(201)
            .json;
        let thread = thread["id"].as_str().unwrap();
        for n in 0..3 {
            t.call(
                "POST",
                &format!("/api/v1/threads/{thread}/posts"),
                w.mentee.auth(),
                Some(json!({"kind": "update", "body": format!("Delegation, week {n}")})),
            )
            .await
            .expect(201);
        }
        let r = w
            .create(&w.mentor, roadmap("Delegation basics", vec![step("One")]))
            .await;
        let id = r["id"].as_str().unwrap().to_string();
        let publish = format!("/api/v1/roadmaps/{id}/publish");
        t.call("POST", &publish, w.mentor.auth(), None)
            .await
            .expect(200);

        // Five hits, two a page: three pages, each hit once.
        let pages = all_pages(t, "/api/v1/search?q=delegation&limit=2", &w.outsider).await;
        assert_eq!(pages.len(), 3, "[{kind}] {pages:?}");
        let mut seen: Vec<String> = pages
            .iter()
            .flat_map(|p| {
                ["threads", "posts", "roadmaps"]
                    .into_iter()
                    .flat_map(move |k| p[k].as_array().unwrap().iter())
                    .map(|x| x["id"].as_str().unwrap().to_string())
            })
            .collect();
        assert_eq!(seen.len(), 5, "[{kind}] {pages:?}");
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 5, "no hit repeats");
        t.get(
            "/api/v1/search?q=delegation&cursor=nonsense",
            w.outsider.auth(),
        )
        .await
        .expect_error(422, "invalid_field");

        // Versions: three published, a page of one at a time, newest first,
        // each with what it changed even across a page boundary.
        for title in ["Two", "Three"] {
            t.call(
                "PUT",
                &format!("/api/v1/roadmaps/{id}"),
                w.mentor.auth(),
                Some(roadmap("Delegation basics", vec![step(title)])),
            )
            .await
            .expect(200);
            t.call("POST", &publish, w.mentor.auth(), None)
                .await
                .expect(200);
        }
        let pages = all_pages(
            t,
            &format!("/api/v1/roadmaps/{id}/versions?limit=1"),
            &w.mentee,
        )
        .await;
        let numbers: Vec<i64> = pages
            .iter()
            .map(|p| p[0]["number"].as_i64().unwrap())
            .collect();
        assert_eq!(numbers, [3, 2, 1], "[{kind}] {pages:?}");
        assert!(pages.iter().all(|p| p.as_array().unwrap().len() == 1));
        assert_eq!(
            pages[0][0]["changes"]["added"],
            json!(["Three"]),
            "{pages:?}"
        );
        assert_eq!(pages[0][0]["changes"]["removed"], json!(["Two"]));
        assert_eq!(pages[2][0]["changes"], Value::Null);
        // The author also sees the draft, first.
        t.call(
            "PUT",
            &format!("/api/v1/roadmaps/{id}"),
            w.mentor.auth(),
            Some(roadmap("Delegation basics", vec![step("Four")])),
        )
        .await
        .expect(200);
        let mine = t
            .get(
                &format!("/api/v1/roadmaps/{id}/versions?limit=2"),
                w.mentor.auth(),
            )
            .await
            .expect(200);
        assert_eq!(mine.json[0]["number"], 4);
        assert_eq!(mine.json[0]["published_at"], Value::Null);
        assert!(next_link(&mine).is_some());
        let theirs = t
            .get(&format!("/api/v1/roadmaps/{id}/versions"), w.mentee.auth())
            .await
            .expect(200);
        assert_eq!(theirs.json.as_array().unwrap().len(), 3);
        w.t.finish().await;
    }
}

#[tokio::test]
async fn followers_are_emailed_a_new_version_unless_they_switched_growth_email_off() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let t = &w.t;
        let r = w
            .create(
                &w.mentor,
                roadmap("Feedback habits", vec![step("Ask"), step("Listen")]),
            )
            .await;
        let id = r["id"].as_str().unwrap().to_string();
        let publish = format!("/api/v1/roadmaps/{id}/publish");
        t.call("POST", &publish, w.mentor.auth(), None)
            .await
            .expect(200);
        for who in [&w.mentee, &w.outsider] {
            t.call(
                "POST",
                &format!("/api/v1/roadmaps/{id}/follow"),
                who.auth(),
                None,
            )
            .await
            .expect(201);
        }
        // "Ask" keeps its id, so it is the same step in version 2.
        let mut ask = step("Ask");
        ask["id"] = r["steps"][0]["id"].clone();
        // Oz keeps every kind of email but growth tools; Ned every kind but
        // reminders and digests, which no longer govern roadmap news.
        use rapport_domain::person::NotificationKind;
        for (who, off) in [
            (&w.outsider, NotificationKind::Growth),
            (&w.mentee, NotificationKind::Digest),
        ] {
            let on: Vec<_> = NotificationKind::OPTIONAL
                .into_iter()
                .filter(|k| *k != off)
                .collect();
            t.app
                .set_notification_preferences(&t.actor(who).await, &on)
                .await
                .unwrap();
        }
        t.call(
            "PUT",
            &format!("/api/v1/roadmaps/{id}"),
            w.mentor.auth(),
            Some(roadmap("Feedback habits", vec![ask, step("Reflect")])),
        )
        .await
        .expect(200);
        t.call("POST", &publish, w.mentor.auth(), None)
            .await
            .expect(200);
        let mails = t
            .take_emails_about("Feedback habits has a new version 2")
            .await;
        let to: Vec<&str> = mails.iter().map(|m| m.to.as_str()).collect();
        assert_eq!(to, [w.mentee.email.as_str()], "[{kind}]");
        assert_eq!(mails[0].kind, "growth", "[{kind}]");
        let body = &mails[0].body;
        assert!(body.contains("Steps added:\n- Reflect"), "{body}");
        assert!(body.contains("Steps removed:\n- Listen"), "{body}");
        assert!(!body.contains("Steps changed"), "{body}");
        assert!(body.contains(&format!("/roadmaps/{id}")), "{body}");
        // Oz still hears it in the product.
        let bell = t
            .get("/api/v1/me/notifications/feed", w.outsider.auth())
            .await
            .expect(200);
        assert!(
            bell.json.to_string().contains("new version 2"),
            "{}",
            bell.json
        );
        w.t.finish().await;
    }
}

#[tokio::test]
async fn the_needs_check_recommends_live_roadmaps_for_the_members_level() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let t = &w.t;
        let ned = t.actor(&w.mentee).await;
        let level = t
            .app
            .profile(&ned, ned.person_id)
            .await
            .unwrap()
            .profile
            .level;
        let other = rapport_domain::person::LeadershipLevel::ALL
            .into_iter()
            .find(|l| *l != level)
            .unwrap();
        // A mentorship gap: who to become, not direction.
        let answers = json!({"unclear_goals":1,"who_to_become":5,"unclear_priorities":1,"strengths":5,"deadlines":1,"career_path":5,"decision_rights":1,"outside_view":5});
        let roadmap_links = |r: &Value| -> Vec<String> {
            r["next_steps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["kind"] == "roadmap")
                .map(|s| s["link"].as_str().unwrap().to_string())
                .collect()
        };
        // No roadmaps live: none recommended.
        assert!(roadmap_links(&needs_check(t, &w.mentee, &answers).await).is_empty());
        // One for another level, one draft, one published for Ned's level.
        let mut ids = vec![];
        for (title, lvl, publish) in [
            ("Elsewhere", other, true),
            ("Unfinished", level, false),
            ("For you", level, true),
        ] {
            let mut body = roadmap(title, vec![step("One")]);
            body["level"] = json!(lvl.code());
            let id = w.create(&w.mentor, body).await["id"]
                .as_str()
                .unwrap()
                .to_string();
            if publish {
                t.call(
                    "POST",
                    &format!("/api/v1/roadmaps/{id}/publish"),
                    w.mentor.auth(),
                    None,
                )
                .await
                .expect(200);
            }
            ids.push(id);
        }
        let advice = needs_check(t, &w.mentee, &answers).await;
        assert_eq!(
            roadmap_links(&advice),
            [format!("/roadmaps/{}", ids[2])],
            "[{kind}] {advice}"
        );
        // Once followed, it is no longer a next step.
        t.call(
            "POST",
            &format!("/api/v1/roadmaps/{}/follow", ids[2]),
            w.mentee.auth(),
            None,
        )
        .await
        .expect(201);
        assert!(roadmap_links(&needs_check(t, &w.mentee, &answers).await).is_empty());
        w.t.finish().await;
    }
}

#[tokio::test]
async fn a_reflection_answer_shared_into_an_own_thread_is_read_as_the_thread_is() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let t = &w.t;
        let prompt = "7e5f0000-0000-4000-8000-000000000001";
        let only_me = new_thread(t, &w.mentee, "ned only_me", "only_me").await;
        let my_rooms = new_thread(t, &w.mentee, "ned my_rooms", "my_rooms").await;
        let mias = new_thread(t, &w.mentor, "mia members", "members").await;
        let answer = |thread: &str, body: &str| json!({"body": body, "visibility": "thread", "thread_id": thread});
        let answers = format!("/api/v1/prompts/{prompt}/answers");
        // Someone else's thread, or none: 422 naming thread_id, nothing kept.
        for bad in [
            mias.as_str(),
            "7e5f0000-0000-4000-8000-00000000ffff",
            "nope",
        ] {
            t.call(
                "POST",
                &answers,
                w.mentee.auth(),
                Some(answer(bad, "stolen-h2q")),
            )
            .await
            .expect_error(422, "invalid_field");
        }
        let mine = t
            .get("/api/v1/me/reflections", w.mentee.auth())
            .await
            .expect(200);
        assert!(!mine.json.to_string().contains("stolen-h2q"));
        let posts = t
            .get(&format!("/api/v1/threads/{mias}/posts"), w.mentor.auth())
            .await
            .expect(200);
        assert!(!posts.json.to_string().contains("stolen-h2q"));

        // Into the "only me" thread: a post there, read by Ned alone.
        t.call(
            "POST",
            &answers,
            w.mentee.auth(),
            Some(answer(&only_me, "solo-h2q")),
        )
        .await
        .expect(201);
        let posts = t
            .get(&format!("/api/v1/threads/{only_me}/posts"), w.mentee.auth())
            .await
            .expect(200);
        assert_eq!(posts.json[0]["kind"], "update", "{}", posts.json);
        assert!(posts.json[0]["body"].as_str().unwrap().contains("solo-h2q"));
        assert!(posts.json[0]["body"].as_str().unwrap().starts_with("> "));
        for other in [&w.mentor, &w.outsider, &w.admin] {
            t.get(&format!("/api/v1/threads/{only_me}/posts"), other.auth())
                .await
                .expect(404);
            let feed = t.get("/api/v1/feed", other.auth()).await.expect(200);
            assert!(!feed.json.to_string().contains("solo-h2q"));
            let found = t
                .get("/api/v1/search?q=solo", other.auth())
                .await
                .expect(200);
            assert!(!found.json.to_string().contains("solo-h2q"));
        }
        // Into the "my rooms" thread: Mia, his room's mentor, reads it; Oz does not.
        t.call(
            "POST",
            &answers,
            w.mentee.auth(),
            Some(answer(&my_rooms, "roomy-h2q")),
        )
        .await
        .expect(201);
        let feed = t.get("/api/v1/feed", w.mentor.auth()).await.expect(200);
        assert!(feed.json.to_string().contains("roomy-h2q"), "{}", feed.json);
        let feed = t.get("/api/v1/feed", w.outsider.auth()).await.expect(200);
        assert!(!feed.json.to_string().contains("roomy-h2q"));
        // The prompt page offers Ned's own threads, and nobody else's.
        let (status, html) = page_text(t, &format!("/prompts/{prompt}"), &w.mentee).await;
        assert_eq!(status, 200);
        assert!(html.contains(&only_me) && html.contains(&my_rooms) && !html.contains(&mias));
        w.t.finish().await;
    }
}

#[tokio::test]
async fn the_personal_export_holds_my_threads_and_progress_and_nobody_elses_private_items() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let t = &w.t;
        // Ned's own: a private thread and post; Mia's: a room thread Ned
        // comments on and reacts to, and a private thread of her own.
        let neds = new_thread(t, &w.mentee, "nedthread-h2x", "only_me").await;
        let neds_post = new_post(t, &w.mentee, &neds, "nedpost-h2x").await;
        let mias = new_thread(t, &w.mentor, "miaroom-h2x", "my_rooms").await;
        let mias_post = new_post(t, &w.mentor, &mias, "miapost-h2x").await;
        let mias_private = new_thread(t, &w.mentor, "miasecret-h2x", "only_me").await;
        new_post(t, &w.mentor, &mias_private, "miasecretpost-h2x").await;
        t.call(
            "POST",
            &format!("/api/v1/posts/{mias_post}/comments"),
            w.mentee.auth(),
            Some(json!({"body": "nedcomment-h2x"})),
        )
        .await
        .expect(201);
        t.call(
            "PUT",
            &format!("/api/v1/posts/{mias_post}/reactions/helpful"),
            w.mentee.auth(),
            None,
        )
        .await;
        // Mia answers on Ned's (private) post? She cannot see it; she
        // comments on her own post instead, which Ned's export leaves out.
        t.call(
            "POST",
            &format!("/api/v1/posts/{mias_post}/comments"),
            w.mentor.auth(),
            Some(json!({"body": "miacomment-h2x"})),
        )
        .await
        .expect(201);
        // A roadmap Ned follows, with a step done.
        let r = w
            .create(&w.mentor, roadmap("Export path", vec![step("One")]))
            .await;
        let id = r["id"].as_str().unwrap().to_string();
        let step_id = r["steps"][0]["id"].as_str().unwrap().to_string();
        t.call(
            "POST",
            &format!("/api/v1/roadmaps/{id}/publish"),
            w.mentor.auth(),
            None,
        )
        .await
        .expect(200);
        t.call(
            "POST",
            &format!("/api/v1/roadmaps/{id}/follow"),
            w.mentee.auth(),
            None,
        )
        .await
        .expect(201);
        t.call(
            "PUT",
            &format!("/api/v1/roadmaps/{id}/progress/{step_id}"),
            w.mentee.auth(),
            Some(json!({"status": "done", "reflection": "nedstep-h2x"})),
        )
        .await
        .expect(200);

        let export = t
            .get("/api/v1/me/export", w.mentee.auth())
            .await
            .expect(200)
            .json;
        let g = &export["growth_threads"];
        assert_eq!(g["threads"][0]["id"], json!(neds), "[{kind}] {g}");
        assert_eq!(g["threads"][0]["visibility"], "only_me");
        assert_eq!(g["posts"][0]["id"], json!(neds_post));
        assert_eq!(g["posts"][0]["body"], "nedpost-h2x");
        assert_eq!(g["comments"][0]["body"], "nedcomment-h2x");
        assert_eq!(g["reactions"][0]["post_id"], json!(mias_post));
        assert_eq!(g["reactions"][0]["kind"], "helpful");
        assert_eq!(export["roadmap_follows"][0]["roadmap_id"], json!(id));
        assert_eq!(export["roadmap_follows"][0]["version"], 1);
        assert!(export["roadmap_follows"][0]["finished_at"].is_i64());
        assert_eq!(export["roadmap_marks"][0]["reflection"], "nedstep-h2x");
        let text = export.to_string();
        for theirs in [
            "miaroom-h2x",
            "miapost-h2x",
            "miasecret-h2x",
            "miasecretpost-h2x",
            "miacomment-h2x",
        ] {
            assert!(
                !text.contains(theirs),
                "[{kind}] Ned's export holds {theirs}"
            );
        }
        // And Mia's export holds none of Ned's words.
        let hers = t
            .get("/api/v1/me/export", w.mentor.auth())
            .await
            .expect(200)
            .json
            .to_string();
        for his in [
            "nedthread-h2x",
            "nedpost-h2x",
            "nedcomment-h2x",
            "nedstep-h2x",
        ] {
            assert!(!hers.contains(his), "[{kind}] Mia's export holds {his}");
        }
        assert!(hers.contains("miasecretpost-h2x"));
        w.t.leave_work("Mia's digest of responses waits 15 minutes");
        w.t.finish().await;
    }
}

async fn world(kind: &'static str) -> World {
    let t = TestApp::new(kind).await;
    let slug = t.programme("Spring", "one_to_one").await;
    let mentor = t.member("mia@example.org", "Mia Mentor").await;
    let mentee = t.member("ned@example.org", "Ned Mentee").await;
    let outsider = t.member("oz@example.org", "Oz Outsider").await;
    let buddy = t.member("bo@example.org", "Bo Buddy").await;
    let manager = t.manager_of(&slug, "max@example.org", "Max Manager").await;
    let admin = t.admin().await;
    let admin_actor = t.actor(&admin).await;
    for skill in ["Delegation", "Feedback"] {
        t.app.add_skill(&admin_actor, skill).await.unwrap();
    }
    let mut tx = t.store().write().await.unwrap();
    let p = tx.programme_by_slug(&slug).await.unwrap().unwrap();
    for (person, role) in [
        (mentor.id, ProgrammeRole::Mentor),
        (mentee.id, ProgrammeRole::Mentee),
        (outsider.id, ProgrammeRole::Mentee),
        (buddy.id, ProgrammeRole::Mentor),
    ] {
        tx.grant_role(p.id, person, role, 0).await.unwrap();
        tx.insert_enrolment(&EnrolmentRecord {
            id: EnrolmentId::new(),
            programme_id: p.id,
            person_id: person,
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
    let mut rooms = vec![];
    for (lead, mentee) in [(mentor.id, mentee.id), (buddy.id, outsider.id)] {
        let room = NewRoom {
            round_id: None,
            id: RoomId::new(),
            programme_id: p.id,
            status: RoomStatus::Active,
            origin: RoomOrigin::Round,
            members: vec![
                (lead, ProgrammeRole::Mentor, MemberState::Accepted),
                (mentee, ProgrammeRole::Mentee, MemberState::Accepted),
            ],
        };
        tx.insert_room(&room, 0).await.unwrap();
        rooms.push(room.id);
    }
    tx.commit().await.unwrap();
    World {
        t,
        slug,
        mentor,
        mentee,
        manager,
        admin,
        outsider,
        room: rooms[0],
        other_room: rooms[1],
    }
}

fn step(title: &str) -> Value {
    json!({
        "title": title,
        "body": format!("Do **{title}** this week."),
        "resources": [{"kind": "article", "title": "Read this", "url": "https://example.org/read"},
                      {"kind": "book", "title": "The Book"}],
        "skills": ["Delegation"],
        "level": "team_leader",
        "prompt": "What surprised you?",
        "effort_hours": 3,
    })
}

fn roadmap(title: &str, steps: Vec<Value>) -> Value {
    json!({"title": title, "summary": "A path.", "level": "team_leader", "steps": steps})
}

impl World {
    async fn create(&self, who: &Person, body: Value) -> Value {
        self.t
            .call("POST", "/api/v1/roadmaps", who.auth(), Some(body))
            .await
            .expect(201)
            .json
    }
}

#[tokio::test]
async fn a_roadmap_is_drafted_published_followed_and_versioned_without_losing_progress() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let t = &w.t;
        // Only mentors, managers and admins write; bad input names its fields.
        t.call(
            "POST",
            "/api/v1/roadmaps",
            w.mentee.auth(),
            Some(roadmap("Mine", vec![])),
        )
        .await
        .expect_error(403, "forbidden");
        let bad = t
            .call(
                "POST",
                "/api/v1/roadmaps",
                w.mentor.auth(),
                Some(json!({"title": "x", "level": "boss", "steps": [{"title": "", "level": "team_leader", "skills": ["Juggling"]}]})),
            )
            .await
            .expect(422);
        let mut fields = bad.fields();
        fields.sort();
        fields.dedup();
        assert_eq!(fields, ["level", "steps", "title"], "{:?}", bad.json);

        let created = w
            .create(
                &w.mentor,
                roadmap("Lead a team", vec![step("One"), step("Two"), step("Three")]),
            )
            .await;
        let id = created["id"].as_str().unwrap().to_string();
        assert_eq!(created["version"], 1);
        assert_eq!(created["published_at"], Value::Null);
        assert_eq!(created["steps"][0]["skills"], json!(["Delegation"]));
        let path = format!("/api/v1/roadmaps/{id}");
        // A draft is its author's alone.
        t.get(&path, w.mentee.auth())
            .await
            .expect_error(404, "not_found");
        t.get(&path, w.admin.auth())
            .await
            .expect_error(404, "not_found");
        t.call("POST", &format!("{path}/follow"), w.mentee.auth(), None)
            .await
            .expect(404);
        let listed = t.get("/api/v1/roadmaps", w.mentee.auth()).await.expect(200);
        assert_eq!(listed.json, json!([]));
        // Someone else cannot publish it, nor see that it exists.
        t.call("POST", &format!("{path}/publish"), w.outsider.auth(), None)
            .await
            .expect(404);
        let v1 = t
            .call("POST", &format!("{path}/publish"), w.mentor.auth(), None)
            .await
            .expect(200)
            .json;
        assert_eq!(v1["version"], 1);
        assert!(v1["published_at"].is_i64());
        let steps: Vec<String> = v1["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect();
        // Publishing again without a draft is refused.
        t.call("POST", &format!("{path}/publish"), w.mentor.auth(), None)
            .await
            .expect_error(409, "conflict");

        // Discovery: by level, by skill, by text.
        for q in ["level=team_leader", "skill=delegation", "q=lead%20team", ""] {
            let found = t
                .get(&format!("/api/v1/roadmaps?{q}"), w.mentee.auth())
                .await
                .expect(200)
                .json;
            assert_eq!(found[0]["id"], json!(id), "{q}");
        }
        for q in ["level=leader_of_leaders", "skill=feedback", "q=gardening"] {
            let found = t
                .get(&format!("/api/v1/roadmaps?{q}"), w.mentee.auth())
                .await
                .expect(200)
                .json;
            assert_eq!(found, json!([]), "{q}");
        }
        t.get("/api/v1/roadmaps?skill=juggling", w.mentee.auth())
            .await
            .expect(422);

        // The mentee follows and marks steps, one reflection shared with
        // their room, one private.
        t.call("POST", &format!("{path}/follow"), w.mentee.auth(), None)
            .await
            .expect(201);
        t.call("POST", &format!("{path}/follow"), w.mentee.auth(), None)
            .await
            .expect_error(409, "conflict");
        macro_rules! mark {
            ($step:expr, $body:expr) => {
                t.call(
                    "PUT",
                    &format!("{path}/progress/{}", $step),
                    w.mentee.auth(),
                    Some($body),
                )
            };
        }
        let p = mark!(
            &steps[0],
            json!({"status": "done", "reflection": "Shared thought", "room_id": w.room})
        )
        .await
        .expect(200)
        .json;
        assert_eq!(
            (
                p["done"].as_i64(),
                p["total"].as_i64(),
                p["percent"].as_i64()
            ),
            (Some(1), Some(3), Some(33))
        );
        mark!(
            &steps[1],
            json!({"status": "learning", "reflection": "Private thought"})
        )
        .await
        .expect(200);
        mark!(
            &steps[2],
            json!({"status": "done", "reflection": "x", "room_id": w.other_room})
        )
        .await
        .expect_error(422, "invalid_field");
        let r = mark!(&steps[2], json!({"status": "finished"}))
            .await
            .expect(422);
        assert_eq!(r.error_field(), "status");
        mark!(&uuid::Uuid::new_v4().to_string(), json!({"status": "done"}))
            .await
            .expect(404);

        // The author edits: a published version never changes.
        macro_rules! edit {
            ($body:expr) => {
                t.call("PUT", &path, w.mentor.auth(), Some($body))
            };
        }
        let mut refused = roadmap("Lead a team", vec![step("One")]);
        refused["version"] = json!(1);
        let r = edit!(refused).await.expect_error(409, "conflict");
        assert_eq!(r.error_field(), "version");
        let mut made_up = step("Invented");
        made_up["id"] = json!(uuid::Uuid::new_v4());
        edit!(roadmap("Lead a team", vec![made_up]))
            .await
            .expect(422);
        // Keep One as it was, change Two, drop Three, add Four.
        let mut one = step("One");
        one["id"] = json!(steps[0]);
        let mut two = step("Two, revised");
        two["id"] = json!(steps[1]);
        let draft = edit!(roadmap("Lead a team", vec![one, two, step("Four")]))
            .await
            .expect(200)
            .json;
        assert_eq!(draft["version"], 2);
        assert_eq!(draft["published_at"], Value::Null);
        // Followers still read version 1 while the draft waits.
        let seen = t.get(&path, w.mentee.auth()).await.expect(200).json;
        assert_eq!(
            (seen["version"].as_i64(), seen["draft_version"].as_i64()),
            (Some(1), None)
        );
        t.get(&format!("{path}?version=2"), w.mentee.auth())
            .await
            .expect(404);
        let v2 = t
            .call("POST", &format!("{path}/publish"), w.mentor.auth(), None)
            .await
            .expect(200)
            .json;
        assert_eq!(v2["version"], 2);
        // Issue 19 (H2): the follower is emailed what changed, by step title.
        let mail = t.expect_email(&w.mentee.email, "has a new version 2").await;
        for line in [
            "Steps added:\n- Four",
            "Steps removed:\n- Three",
            "Steps changed:\n- Two, revised",
            "You stay on version 1",
        ] {
            assert!(mail.body.contains(line), "{line:?} in {}", mail.body);
        }

        // The follower is told, stays on version 1, and sees what changed.
        let bell = t
            .get("/api/v1/me/notifications/feed", w.mentee.auth())
            .await;
        if bell.status == 200 {
            let text = bell.json.to_string();
            assert!(text.contains("version 2"), "{text}");
        }
        let seen = t.get(&path, w.mentee.auth()).await.expect(200).json;
        assert_eq!(seen["version"], 1);
        assert_eq!(seen["latest_version"], 2);
        assert_eq!(
            seen["changes_since_your_version"],
            json!({"added": ["Four"], "removed": ["Three"], "changed": ["Two, revised"]})
        );
        let versions = t
            .get(&format!("{path}/versions"), w.mentee.auth())
            .await
            .expect(200)
            .json;
        assert_eq!(versions.as_array().unwrap().len(), 2);
        assert_eq!(versions[0]["changes"]["added"], json!(["Four"]));
        // Moving carries the done step over.
        let moved = t
            .call(
                "POST",
                &format!("{path}/move-to-latest"),
                w.mentee.auth(),
                None,
            )
            .await
            .expect(200)
            .json;
        assert_eq!(moved["removed"], json!(["Three"]));
        let seen = t.get(&path, w.mentee.auth()).await.expect(200).json;
        assert_eq!(seen["version"], 2);
        assert_eq!(seen["progress"]["done"], 1);
        assert_eq!(seen["progress"]["learning"], 1);
        assert_eq!(seen["steps"][0]["status"], "done");
        assert_eq!(seen["steps"][0]["reflection"], "Shared thought");
        // Nobody else reads the follower's marks or reflections.
        let other = t
            .get(&path, w.mentor.auth())
            .await
            .expect(200)
            .json
            .to_string();
        assert!(!other.contains("Private thought") && !other.contains("Shared thought"));

        // Finishing counts; my roadmaps lists it.
        let four = seen["steps"][2]["id"].as_str().unwrap().to_string();
        mark!(&steps[1], json!({"status": "skipped"}))
            .await
            .expect(200);
        let p = mark!(&four, json!({"status": "done"}))
            .await
            .expect(200)
            .json;
        assert_eq!(p["percent"], 100);
        let listed = t.get(&path, w.outsider.auth()).await.expect(200).json;
        assert_eq!(
            (listed["followers"].as_i64(), listed["finishers"].as_i64()),
            (Some(1), Some(1))
        );
        let mine = t
            .get("/api/v1/me/roadmaps?limit=1", w.mentee.auth())
            .await
            .expect(200)
            .json;
        assert_eq!(mine[0]["roadmap"]["id"], json!(id));
        assert!(mine[0]["finished_at"].is_i64());

        // Unfollowing keeps the marks; following again finds them.
        t.call("DELETE", &format!("{path}/follow"), w.mentee.auth(), None)
            .await
            .expect(204);
        t.call("POST", &format!("{path}/follow"), w.mentee.auth(), None)
            .await
            .expect(201);
        let seen = t.get(&path, w.mentee.auth()).await.expect(200).json;
        assert_eq!(seen["progress"]["percent"], 100);

        // The database refuses a change to a published version, whatever the app does.
        let mut tx = t.store().write().await.unwrap();
        let rid: rapport_domain::RoadmapId = id.parse().unwrap();
        let v = tx.roadmap_version(rid, 1).await.unwrap().unwrap();
        let err = tx
            .put_roadmap_draft(rid, 1, &v.content, 5)
            .await
            .unwrap_err();
        assert!(
            format!("{err:?}").contains("roadmap_versions_published_immutable"),
            "{err:?}"
        );
        drop(tx);
        t.leave_work("notifications only; no email is sent for a new version");
        w.t.finish().await;
    }
}

#[tokio::test]
async fn rooms_and_programmes_recommend_roadmaps_and_mentors_see_only_whats_shared() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let t = &w.t;
        let id = w
            .create(
                &w.mentor,
                roadmap("Lead a team", vec![step("One"), step("Two")]),
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let attach = format!("/api/v1/rooms/{}/roadmaps/{id}", w.room);
        // A draft cannot be recommended.
        t.call("PUT", &attach, w.mentor.auth(), None)
            .await
            .expect(409);
        let v1 = t
            .call(
                "POST",
                &format!("/api/v1/roadmaps/{id}/publish"),
                w.mentor.auth(),
                None,
            )
            .await
            .expect(200)
            .json;
        let (one, two) = (
            v1["steps"][0]["id"].as_str().unwrap(),
            v1["steps"][1]["id"].as_str().unwrap(),
        );
        t.call("PUT", &attach, w.mentee.auth(), None)
            .await
            .expect(403);
        t.call("PUT", &attach, w.outsider.auth(), None)
            .await
            .expect(404);
        t.call("PUT", &attach, w.mentor.auth(), None)
            .await
            .expect(204);
        t.call("PUT", &attach, w.manager.auth(), None)
            .await
            .expect(204);

        let path = format!("/api/v1/roadmaps/{id}");
        t.call("POST", &format!("{path}/follow"), w.mentee.auth(), None)
            .await
            .expect(201);
        for (step, text, room) in [
            (one, "SHARED-REFLECTION", Some(w.room)),
            (two, "PRIVATE-REFLECTION", None),
        ] {
            t.call(
                "PUT",
                &format!("{path}/progress/{step}"),
                w.mentee.auth(),
                Some(json!({"status": "done", "reflection": text, "room_id": room})),
            )
            .await
            .expect(200);
        }
        let section = |who: &Person| {
            let app = t.app.clone();
            let who = who.clone();
            let room = w.room;
            async move {
                let actor = app.actor(who.id).await.unwrap();
                app.room_roadmaps(&actor, room).await.unwrap()
            }
        };
        let seen = section(&w.mentor).await;
        assert_eq!(seen.items.len(), 1);
        let ned = &seen.items[0].mentees[0];
        assert_eq!(ned.progress.map(|p| p.percent()), Some(100));
        let shared: Vec<_> = ned.reflections.iter().map(|r| r.html.clone()).collect();
        assert!(
            shared.iter().any(|h| h.contains("SHARED-REFLECTION")),
            "{shared:?}"
        );
        assert!(
            !shared.iter().any(|h| h.contains("PRIVATE-REFLECTION")),
            "{shared:?}"
        );
        // The manager sees the roadmap, never the mentee's progress.
        assert!(section(&w.manager).await.items[0].mentees.is_empty());
        // Detached: the mentor sees nothing of it any more.
        t.call("DELETE", &attach, w.mentor.auth(), None)
            .await
            .expect(204);
        assert!(section(&w.mentor).await.items.is_empty());
        // The room page shows the section to its members.
        t.call("PUT", &attach, w.mentor.auth(), None)
            .await
            .expect(204);
        let page = t
            .reply_text(
                TestApp::request("GET", &format!("/rooms/{}", w.room), w.mentor.auth())
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert!(
            page.text.contains("SHARED-REFLECTION") && !page.text.contains("PRIVATE-REFLECTION")
        );

        // Programmes: managers recommend, members see.
        let overview = |auth| {
            let path = format!("/programmes/{}", w.slug);
            async move {
                t.reply_text(
                    TestApp::request("GET", &path, auth)
                        .body(axum::body::Body::empty())
                        .unwrap(),
                )
                .await
                .text
            }
        };
        let choice = format!("<option value=\"{id}\">");
        let page = overview(w.manager.auth()).await;
        assert!(
            page.contains(&choice) && !page.contains("Stop recommending"),
            "a published roadmap is the manager's to recommend: {page}"
        );
        assert!(!overview(w.mentee.auth()).await.contains(&choice));
        let p = format!("/api/v1/programmes/{}/roadmaps/{id}", w.slug);
        t.call("PUT", &p, w.mentee.auth(), None).await.expect(403);
        t.call("PUT", &p, w.manager.auth(), None).await.expect(204);
        let page = overview(w.manager.auth()).await;
        assert!(
            !page.contains(&choice) && page.contains("Stop recommending Lead"),
            "recommended, it is no longer offered"
        );
        let page = overview(w.mentee.auth()).await;
        assert!(
            page.contains(&format!("href=\"/roadmaps/{id}\""))
                && !page.contains("Stop recommending")
        );
        let actor = t.app.actor(w.mentee.id).await.unwrap();
        let recommended = t.app.programme_roadmaps(&actor, &w.slug).await.unwrap();
        assert_eq!(recommended[0].record.id.to_string(), id);
        t.call("DELETE", &p, w.manager.auth(), None)
            .await
            .expect(204);
        assert!(t
            .app
            .programme_roadmaps(&actor, &w.slug)
            .await
            .unwrap()
            .is_empty());
        w.t.finish().await;
    }
}

#[tokio::test]
async fn the_admin_setting_decides_who_publishes() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let t = &w.t;
        let id = w
            .create(&w.mentor, roadmap("Lead a team", vec![step("One")]))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let admin = t.app.actor(w.admin.id).await.unwrap();
        let mentor = t.app.actor(w.mentor.id).await.unwrap();
        assert!(t
            .app
            .set_roadmap_publishers(&mentor, "admins")
            .await
            .is_err());
        assert!(t
            .app
            .set_roadmap_publishers(&admin, "everyone")
            .await
            .is_err());
        t.app
            .set_roadmap_publishers(&admin, "managers")
            .await
            .unwrap();
        let publish = format!("/api/v1/roadmaps/{id}/publish");
        t.call("POST", &publish, w.mentor.auth(), None)
            .await
            .expect_error(403, "forbidden");
        // A manager's own roadmap publishes.
        let theirs = w
            .create(&w.manager, roadmap("Grow leaders", vec![step("One")]))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        t.call(
            "POST",
            &format!("/api/v1/roadmaps/{theirs}/publish"),
            w.manager.auth(),
            None,
        )
        .await
        .expect(200);
        t.app
            .set_roadmap_publishers(&admin, "mentors")
            .await
            .unwrap();
        t.call("POST", &publish, w.mentor.auth(), None)
            .await
            .expect(200);
        w.t.finish().await;
    }
}

// Issue 19 (H1): publishing asks first, saying what happens.

/// A page as `who` sees it: status and text.
async fn page_as(t: &TestApp, who: &Person, path: &str) -> rapport_web::testing::TextReply {
    let req = TestApp::request("GET", path, who.auth())
        .body(axum::body::Body::empty())
        .unwrap();
    t.reply_text(req).await
}

#[tokio::test]
async fn publishing_asks_first_and_counts_the_followers_it_tells() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let t = &w.t;
        let created = w
            .create(&w.mentor, roadmap("Lead a team", vec![step("One")]))
            .await;
        let id = created["id"].as_str().unwrap().to_string();
        let one = created["steps"][0]["id"].clone();
        let confirm = format!("/roadmaps/{id}/publish");

        // The roadmap page links to the confirmation, which the dialog script enhances.
        let shown = page_as(t, &w.mentor, &format!("/roadmaps/{id}?version=1")).await;
        assert!(
            shown.text.contains(&format!(
                r#"data-confirm href="{confirm}">Publish version 1<"#
            )),
            "[{kind}] {}",
            shown.text
        );
        let first = page_as(t, &w.mentor, &confirm).await;
        assert_eq!(first.status.as_u16(), 200, "[{kind}] {}", first.text);
        for said in [
            "Publish version 1 of Lead a team?",
            "Nobody follows this roadmap yet, so nobody is told.",
            "Version 1 (1 step) becomes what every member finds and reads.",
            &format!(r#"action="{confirm}""#),
        ] {
            assert!(first.text.contains(said), "[{kind}] {said}: {}", first.text);
        }
        // Nobody else may publish it, so nobody else is asked: a draft is
        // unseen (404), the admin included.
        for who in [&w.mentee, &w.admin, &w.outsider] {
            let r = page_as(t, who, &confirm).await;
            assert_eq!(r.status.as_u16(), 404, "[{kind}] {}", r.text);
        }
        t.call(
            "POST",
            &format!("/api/v1/roadmaps/{id}/publish"),
            w.mentor.auth(),
            None,
        )
        .await
        .expect(200);
        // Published and no draft: nothing to confirm.
        assert_eq!(page_as(t, &w.mentor, &confirm).await.status.as_u16(), 409);
        for who in [&w.mentee, &w.outsider] {
            t.call(
                "POST",
                &format!("/api/v1/roadmaps/{id}/follow"),
                who.auth(),
                None,
            )
            .await
            .expect(201);
        }
        let mut kept = step("One");
        kept["id"] = one;
        t.call(
            "PUT",
            &format!("/api/v1/roadmaps/{id}"),
            w.mentor.auth(),
            Some(roadmap("Lead a team", vec![kept, step("Two")])),
        )
        .await
        .expect(200);
        let second = page_as(t, &w.mentor, &confirm).await;
        assert_eq!(second.status.as_u16(), 200, "[{kind}] {}", second.text);
        for said in [
            "Publish version 2 of Lead a team?",
            "2 followers will be told what changed.",
            "Since version 1: 1 step added, 0 removed, 0 changed.",
            "steps they marked that still exist keep their marks",
        ] {
            assert!(
                second.text.contains(said),
                "[{kind}] {said}: {}",
                second.text
            );
        }
        // A follower reads the roadmap but may not publish it (403, as the action).
        let r = page_as(t, &w.mentee, &confirm).await;
        assert_eq!(r.status.as_u16(), 403, "[{kind}] {}", r.text);
        w.t.finish().await;
    }
}
