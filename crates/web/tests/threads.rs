//! Growth Threads through the API (issue 19): visibility everywhere (thread,
//! posts, feed, search, follow), narrowing at once, links only to what the
//! author sees, comments one level deep, reactions once, the author's
//! batched notification, revisions, and reporting, hiding and restoring.

use rapport_domain::mentoring::{EnrolmentStatus, MemberState, RoomOrigin, RoomStatus};
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::{EnrolmentId, PersonId, ProgrammeId, RoomId};
use rapport_store::{EnrolmentRecord, NewRoom};
use rapport_web::testing::{test_database_kinds, Person, Reply, TestApp, START_MS};
use serde_json::{json, Value};

struct World {
    t: TestApp,
    /// Writes the threads: a mentee of "here", in a room with `mate`.
    author: Person,
    /// The author's mentor, in their active room.
    mate: Person,
    /// A mentee of "here" in no room with the author.
    peer: Person,
    /// A member of no programme.
    stranger: Person,
    manager: Person,
    elsewhere: Person,
    admin: Person,
    room: RoomId,
}

async fn world(kind: &'static str) -> World {
    let t = TestApp::new(kind).await;
    t.programme("Here", "one_to_one").await;
    t.programme("Elsewhere", "one_to_one").await;
    let admin = t.admin().await;
    let manager = t.manager_of("here", "mo@example.org", "Mo Manager").await;
    let elsewhere = t.manager_of("elsewhere", "el@example.org", "El Else").await;
    let author = t.member("bea@example.org", "Bea Author").await;
    let mate = t.member("ana@example.org", "Ana Mentor").await;
    let peer = t.member("cy@example.org", "Cy Peer").await;
    let stranger = t.member("st@example.org", "St Ranger").await;
    let room = RoomId::new();
    let mut tx = t.store().write().await.unwrap();
    let here = tx.programme_by_slug("here").await.unwrap().unwrap();
    for (who, role) in [
        (&author, ProgrammeRole::Mentee),
        (&mate, ProgrammeRole::Mentor),
        (&peer, ProgrammeRole::Mentee),
    ] {
        tx.grant_role(here.id, who.id, role, 0).await.unwrap();
        tx.insert_enrolment(&enrolment(here.id, who.id, role))
            .await
            .unwrap();
    }
    tx.insert_room(
        &NewRoom {
            id: room,
            programme_id: here.id,
            status: RoomStatus::Active,
            origin: RoomOrigin::Request,
            members: vec![
                (mate.id, ProgrammeRole::Mentor, MemberState::Accepted),
                (author.id, ProgrammeRole::Mentee, MemberState::Accepted),
            ],
            round_id: None,
        },
        START_MS,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    World {
        t,
        author,
        mate,
        peer,
        stranger,
        manager,
        elsewhere,
        admin,
        room,
    }
}

fn enrolment(programme: ProgrammeId, person: PersonId, role: ProgrammeRole) -> EnrolmentRecord {
    EnrolmentRecord {
        id: EnrolmentId::new(),
        programme_id: programme,
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
    }
}

fn id(r: &Reply) -> String {
    r.json["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {}", r.json))
        .to_string()
}

impl World {
    async fn call(&self, who: &Person, method: &str, path: &str, body: Option<Value>) -> Reply {
        self.t.call(method, path, who.auth(), body).await
    }

    /// A thread with one post whose body carries `marker`; returns both ids.
    async fn thread_with_post(&self, visibility: &str, marker: &str) -> (String, String) {
        let mut body =
            json!({"title": format!("Learning to delegate {marker}"), "visibility": visibility});
        if visibility == "programme" {
            body["programme"] = json!("here");
        }
        let thread = id(&self
            .call(&self.author, "POST", "/api/v1/threads", Some(body))
            .await
            .expect(201));
        let post = id(&self
            .call(
                &self.author,
                "POST",
                &format!("/api/v1/threads/{thread}/posts"),
                Some(json!({"kind": "challenge", "body": format!("Handing over the rota: {marker}")})),
            )
            .await
            .expect(201));
        (thread, post)
    }

    /// The thread's posts as `who` reads them through the API (200 expected).
    async fn posts_json(&self, who: &Person, thread: &str) -> Value {
        self.call(who, "GET", &format!("/api/v1/threads/{thread}/posts"), None)
            .await
            .expect(200)
            .json
    }

    /// Whether `who` finds `marker` by the thread, its posts, the feed and
    /// search's posts, in that order.
    async fn sees(&self, who: &Person, thread: &str, marker: &str) -> [bool; 4] {
        let get = |path: String| async move { self.call(who, "GET", &path, None).await };
        let t = get(format!("/api/v1/threads/{thread}")).await;
        let posts = get(format!("/api/v1/threads/{thread}/posts")).await;
        let feed = get("/api/v1/feed".into()).await.expect(200);
        let search = get(format!("/api/v1/search?q={marker}")).await.expect(200);
        [
            t.status == 200 && t.json.to_string().contains(marker),
            posts.status == 200 && posts.json.to_string().contains(marker),
            feed.json.to_string().contains(marker),
            search.json["posts"].to_string().contains(marker),
        ]
    }
}

#[tokio::test]
async fn each_visibility_reaches_exactly_its_readers_everywhere_and_narrowing_is_immediate() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let cases = [
            ("only_me", "onlyme7q"),
            ("my_rooms", "myrooms7q"),
            ("programme", "programme7q"),
            ("members", "members7q"),
        ];
        let mut threads = vec![];
        for (visibility, marker) in cases {
            threads.push(w.thread_with_post(visibility, marker).await.0);
        }
        let readers: [(&Person, &str, [bool; 4]); 7] = [
            // (who, name, may read: only_me, my_rooms, programme, members)
            (&w.author, "author", [true, true, true, true]),
            (&w.mate, "mate", [false, true, true, true]),
            (&w.peer, "peer", [false, false, true, true]),
            (&w.manager, "manager", [false, false, true, true]),
            (&w.stranger, "stranger", [false, false, false, true]),
            (&w.elsewhere, "elsewhere", [false, false, false, true]),
            // Admins have no special sight of threads (this one made the
            // programmes, so it has a role in "here").
            (&w.admin, "admin", [false, false, true, true]),
        ];
        for (who, name, may) in readers {
            for (i, (visibility, marker)) in cases.iter().enumerate() {
                let seen = w.sees(who, &threads[i], marker).await;
                assert_eq!(
                    seen, [may[i]; 4],
                    "[{kind}] {name} on a {visibility} thread (thread, posts, feed, search)"
                );
            }
        }
        // Anonymous visitors see nothing, not even "every member" threads.
        w.t.get(
            &format!("/api/v1/threads/{}", threads[3]),
            rapport_web::testing::Auth::Anonymous,
        )
        .await
        .expect(401);

        // Narrowing "every member" to "only me" removes it from everyone at once.
        w.call(
            &w.author,
            "PUT",
            &format!("/api/v1/threads/{}", threads[3]),
            Some(json!({"title": "Learning to delegate members7q", "visibility": "only_me"})),
        )
        .await
        .expect(200);
        for who in [&w.mate, &w.peer, &w.stranger, &w.admin] {
            assert_eq!(
                w.sees(who, &threads[3], "members7q").await,
                [false; 4],
                "[{kind}]"
            );
        }
        assert_eq!(w.sees(&w.author, &threads[3], "members7q").await, [true; 4]);

        // "My rooms" means rooms open now: once the room ends, the mate is out.
        let mut tx = w.t.store().write().await.unwrap();
        tx.set_room_status(w.room, RoomStatus::Completed, START_MS + 1)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            w.sees(&w.mate, &threads[1], "myrooms7q").await,
            [false; 4],
            "[{kind}]"
        );
        w.t.finish().await;
    }
}

#[tokio::test]
async fn bad_input_names_its_field_and_writes_nothing() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let post = |who: &Person, path: &str, body: Value| {
            let (w, who, path) = (&w, who.clone(), path.to_string());
            async move { w.call(&who, "POST", &path, Some(body)).await }
        };
        post(
            &w.author,
            "/api/v1/threads",
            json!({"title": "X", "visibility": "friends"}),
        )
        .await
        .expect_error(422, "invalid_field");
        let r = post(
            &w.author,
            "/api/v1/threads",
            json!({"title": "X", "visibility": "friends"}),
        )
        .await;
        assert_eq!(r.error_field(), "visibility");
        let r = post(
            &w.author,
            "/api/v1/threads",
            json!({"title": "X", "visibility": "programme", "programme": "elsewhere"}),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.error_field()),
            (422, "programme"),
            "[{kind}] a programme the author is not in"
        );
        let mine = w
            .call(
                &w.author,
                "GET",
                &format!("/api/v1/threads?author={}", w.author.id),
                None,
            )
            .await
            .expect(200);
        assert_eq!(
            mine.json.as_array().unwrap().len(),
            0,
            "[{kind}] nothing half-written"
        );

        // The mate's goal in another room is not the author's to link.
        let (thread, _) = w.thread_with_post("members", "linky").await;
        let other_room = RoomId::new();
        let mut tx = w.t.store().write().await.unwrap();
        let here = tx.programme_by_slug("here").await.unwrap().unwrap();
        tx.insert_room(
            &NewRoom {
                id: other_room,
                programme_id: here.id,
                status: RoomStatus::Active,
                origin: RoomOrigin::Request,
                members: vec![
                    (w.mate.id, ProgrammeRole::Mentor, MemberState::Accepted),
                    (w.peer.id, ProgrammeRole::Mentee, MemberState::Accepted),
                ],
                round_id: None,
            },
            START_MS,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let private_goal = id(&post(
            &w.peer,
            &format!("/api/v1/rooms/{other_room}/goals"),
            json!({"title": "Peer's own goal"}),
        )
        .await
        .expect(201));
        let own_goal = id(&post(
            &w.author,
            &format!("/api/v1/rooms/{}/goals", w.room),
            json!({"title": "Run the planning meeting"}),
        )
        .await
        .expect(201));
        let posts = format!("/api/v1/threads/{thread}/posts");
        let r = post(&w.author, &posts, json!({"kind": "update", "body": "Linked", "link_kind": "goal", "link_id": private_goal})).await;
        assert_eq!(
            (r.status.as_u16(), r.error_field()),
            (422, "link_id"),
            "[{kind}] {}",
            r.json
        );
        let r = post(&w.author, &posts, json!({"kind": "rant", "body": "x"})).await;
        assert_eq!(r.error_field(), "kind");
        let ok = post(
            &w.author,
            &posts,
            json!({"kind": "update", "body": "Linked", "link_kind": "goal", "link_id": own_goal}),
        )
        .await
        .expect(201);
        assert_eq!(ok.json["link_id"], json!(own_goal));
        let listed = w.call(&w.author, "GET", &posts, None).await.expect(200);
        assert_eq!(
            listed.json.as_array().unwrap().len(),
            2,
            "[{kind}] the refused posts left nothing"
        );
        // Someone else's thread: 403 to a reader, 404 to one who cannot see it.
        post(&w.peer, &posts, json!({"kind": "update", "body": "Mine?"}))
            .await
            .expect(403);
        w.t.finish().await;
    }
}

#[tokio::test]
async fn comments_reactions_revisions_and_the_batched_notification() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let (_, post) = w.thread_with_post("programme", "respond7").await;
        let comments = format!("/api/v1/posts/{post}/comments");
        let top = id(&w
            .call(
                &w.peer,
                "POST",
                &comments,
                Some(json!({"body": "Have you tried a rota?"})),
            )
            .await
            .expect(201));
        let reply = id(&w
            .call(
                &w.author,
                "POST",
                &comments,
                Some(json!({"body": "Yes!", "parent_id": top})),
            )
            .await
            .expect(201));
        let deeper = w
            .call(
                &w.mate,
                "POST",
                &comments,
                Some(json!({"body": "Deeper", "parent_id": reply})),
            )
            .await;
        assert_eq!(
            (deeper.status.as_u16(), deeper.error_field()),
            (422, "parent_id"),
            "[{kind}] one level deep"
        );
        // Outsiders of the programme cannot comment (404, like a missing post).
        w.call(&w.stranger, "POST", &comments, Some(json!({"body": "Hi"})))
            .await
            .expect(404);

        let reaction = format!("/api/v1/posts/{post}/reactions/been_there");
        w.call(&w.peer, "PUT", &reaction, None).await.expect(201);
        w.call(&w.peer, "PUT", &reaction, None).await.expect(200);
        w.call(&w.mate, "PUT", &reaction, None).await.expect(201);
        w.call(
            &w.peer,
            "PUT",
            &format!("/api/v1/posts/{post}/reactions/meh"),
            None,
        )
        .await
        .expect(422);
        let thread = w
            .call(&w.author, "GET", "/api/v1/feed", None)
            .await
            .expect(200);
        let p = &thread.json[0];
        let tally = p["reactions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kind"] == "been_there")
            .unwrap()
            .clone();
        assert_eq!(tally["count"], json!(2), "[{kind}] {p}");
        assert_eq!(p["comments"].as_array().unwrap().len(), 2);
        assert_eq!(
            p["comments"][1]["parent_id"],
            json!(top),
            "the reply follows its parent"
        );

        // Editing keeps the earlier text.
        w.call(
            &w.author,
            "PUT",
            &format!("/api/v1/posts/{post}"),
            Some(json!({"kind": "breakthrough", "body": "It worked"})),
        )
        .await
        .expect(200);
        w.call(
            &w.peer,
            "PUT",
            &format!("/api/v1/posts/{post}"),
            Some(json!({"kind": "update", "body": "x"})),
        )
        .await
        .expect(403);
        let actor = w.t.actor(&w.author).await;
        let revisions =
            w.t.app
                .post_revisions(&actor, rapport_domain::PostId(post.parse().unwrap()))
                .await
                .unwrap();
        assert_eq!(revisions.len(), 1);
        assert!(revisions[0].1.contains("respond7"));

        // One notification for the whole batch, after the window.
        w.t.clock.advance(rapport_app::threads::DIGEST_DELAY_MS + 1);
        w.t.app.run_due_jobs().await.unwrap();
        let bell = w
            .call(&w.author, "GET", "/api/v1/me/notifications/feed", None)
            .await;
        let text = bell.json.to_string();
        assert!(
            text.contains("3 new responses to your growth threads"),
            "[{kind}] {text}"
        );
        w.t.finish().await;
    }
}

#[tokio::test]
async fn a_report_reaches_the_programme_managers_who_hide_and_restore_with_confirmation() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let (thread, post) = w.thread_with_post("programme", "report7").await;
        let p = |s: &str| format!("/api/v1/posts/{post}/{s}");
        // Not reported yet: the manager reads it (a member of the programme) but may not hide it.
        w.call(
            &w.manager,
            "POST",
            &p("hide"),
            Some(json!({"reason": "x", "confirm": true})),
        )
        .await
        .expect(403);
        w.call(&w.peer, "POST", &p("report"), Some(json!({"reason": ""})))
            .await
            .expect(422);
        w.call(
            &w.peer,
            "POST",
            &p("report"),
            Some(json!({"reason": "Names a colleague"})),
        )
        .await
        .expect(201);
        w.call(
            &w.peer,
            "POST",
            &p("report"),
            Some(json!({"reason": "Again"})),
        )
        .await
        .expect(200);
        // A manager elsewhere does not moderate it, and cannot see it.
        w.call(
            &w.elsewhere,
            "POST",
            &p("hide"),
            Some(json!({"reason": "x", "confirm": true})),
        )
        .await
        .expect(404);
        let r = w
            .call(
                &w.manager,
                "POST",
                &p("hide"),
                Some(json!({"reason": "Names a colleague"})),
            )
            .await;
        assert_eq!(
            (r.status.as_u16(), r.error_field()),
            (409, "confirm"),
            "[{kind}]"
        );
        assert!(
            w.sees(&w.peer, &thread, "report7").await[1],
            "nothing changed without confirm"
        );
        w.call(
            &w.manager,
            "POST",
            &p("hide"),
            Some(json!({"reason": "Names a colleague", "confirm": true})),
        )
        .await
        .expect(204);
        assert_eq!(
            w.sees(&w.peer, &thread, "report7").await[1..],
            [false; 3],
            "[{kind}] hidden"
        );
        let own = w.posts_json(&w.author, &thread).await;
        assert_eq!(
            own[0]["hidden_reason"],
            json!("Names a colleague"),
            "the author sees why"
        );

        // The queue shows it to the manager and the admin, and every view is audited.
        let actor = w.t.actor(&w.manager).await;
        assert_eq!(w.t.app.moderation_queue(&actor).await.unwrap().len(), 1);
        let other = w.t.actor(&w.elsewhere).await;
        assert!(w.t.app.moderation_queue(&other).await.unwrap().is_empty());
        let admin = w.t.actor(&w.admin).await;
        assert_eq!(w.t.app.moderation_queue(&admin).await.unwrap().len(), 1);
        let peer = w.t.actor(&w.peer).await;
        assert!(w.t.app.moderation_queue(&peer).await.is_err());
        let audit = w
            .call(&w.admin, "GET", "/api/v1/admin/audit", None)
            .await
            .expect(200)
            .json
            .to_string();
        for action in ["thread.report", "thread.hide", "thread.report.view"] {
            assert!(audit.contains(action), "[{kind}] {action} in {audit}");
        }

        w.call(&w.manager, "POST", &p("restore"), Some(json!({})))
            .await
            .expect(409);
        w.call(
            &w.manager,
            "POST",
            &p("restore"),
            Some(json!({"confirm": true})),
        )
        .await
        .expect(204);
        assert!(
            w.sees(&w.peer, &thread, "report7").await[1],
            "[{kind}] restored"
        );
        w.t.finish().await;
    }
}

#[tokio::test]
async fn people_follow_only_those_whose_threads_they_see_and_filter_the_feed() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        w.thread_with_post("only_me", "secret9").await;
        let follow = format!("/api/v1/people/{}/follow", w.author.id);
        w.call(&w.peer, "PUT", &follow, None).await.expect(404);
        w.thread_with_post("programme", "open9").await;
        w.call(&w.peer, "PUT", &follow, None).await.expect(204);
        w.call(&w.peer, "PUT", &follow, None).await.expect(204);
        let self_follow = format!("/api/v1/people/{}/follow", w.peer.id);
        w.call(&w.peer, "PUT", &self_follow, None).await.expect(422);
        let feed = w
            .call(
                &w.peer,
                "GET",
                "/api/v1/feed?following=true&kind=challenge&programme=here",
                None,
            )
            .await
            .expect(200);
        assert_eq!(
            feed.json.as_array().unwrap().len(),
            1,
            "[{kind}] {}",
            feed.json
        );
        let none = w
            .call(&w.peer, "GET", "/api/v1/feed?kind=question", None)
            .await
            .expect(200);
        assert_eq!(none.json.as_array().unwrap().len(), 0);
        w.call(&w.peer, "DELETE", &follow, None).await.expect(204);
        let feed = w
            .call(&w.peer, "GET", "/api/v1/feed?following=true", None)
            .await
            .expect(200);
        assert_eq!(feed.json.as_array().unwrap().len(), 0);
        w.call(&w.peer, "GET", "/api/v1/search?q=a", None)
            .await
            .expect(422);
        // Partial words match.
        let found = w
            .call(&w.peer, "GET", "/api/v1/search?q=rot", None)
            .await
            .expect(200);
        assert_eq!(
            found.json["posts"].as_array().unwrap().len(),
            1,
            "[{kind}] {}",
            found.json
        );
        w.t.finish().await;
    }
}

// Issue 19 (H1): the page forms around threads.

/// A page as `who` sees it: status and text.
async fn page_as(w: &World, who: &Person, path: &str) -> rapport_web::testing::TextReply {
    let req = TestApp::request("GET", path, who.auth())
        .body(axum::body::Body::empty())
        .unwrap();
    w.t.reply_text(req).await
}

/// A form posted as `who`.
async fn form_as(
    w: &World,
    who: &Person,
    path: &str,
    body: &str,
) -> rapport_web::testing::TextReply {
    let req = TestApp::request("POST", path, who.auth())
        .header(
            axum::http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    w.t.reply_text(req).await
}

#[tokio::test]
async fn the_hide_and_restore_confirmations_answer_as_their_action_would() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let (_, post) = w.thread_with_post("programme", "confirm7").await;
        let comment = id(&w
            .call(
                &w.peer,
                "POST",
                &format!("/api/v1/posts/{post}/comments"),
                Some(json!({"body": "A comment"})),
            )
            .await
            .expect(201));
        let pages = |what: &str, id: &str| {
            [
                format!("/{what}/{id}/hide"),
                format!("/{what}/{id}/restore"),
            ]
        };
        let all: Vec<String> = pages("posts", &post)
            .into_iter()
            .chain(pages("comments", &comment))
            .collect();
        // Nobody reported anything yet: not even the programme's manager is
        // asked; the page answers what the action answers (and changes nothing).
        for path in &all {
            for who in [&w.manager, &w.admin] {
                let r = page_as(&w, who, path).await;
                let action = form_as(&w, who, path, "reason=x&confirm=true").await;
                assert!(
                    matches!(r.status.as_u16(), 403 | 404),
                    "[{kind}] {path}: {}",
                    r.text
                );
                assert_eq!(r.status, action.status, "[{kind}] {path}");
            }
        }
        for (target, id) in [("posts", &post), ("comments", &comment)] {
            w.call(
                &w.mate,
                "POST",
                &format!("/api/v1/{target}/{id}/report"),
                Some(json!({"reason": "Names a colleague"})),
            )
            .await
            .expect(201);
        }
        for path in &all {
            // A reader who may not moderate gets what the action answers (403),
            // a manager elsewhere and a stranger, who cannot see it, 404; no one
            // of them sees the confirmation.
            for (who, want) in [
                (&w.peer, 403),
                (&w.author, 403),
                (&w.elsewhere, 404),
                (&w.stranger, 404),
            ] {
                let r = page_as(&w, who, path).await;
                assert_eq!(r.status.as_u16(), want, "[{kind}] {path}: {}", r.text);
                assert!(!r.text.contains("Here is what happens"), "[{kind}] {path}");
                let action = form_as(&w, who, path, "reason=x&confirm=true").await;
                assert_eq!(action.status.as_u16(), want, "[{kind}] POST {path}");
            }
            for who in [&w.manager, &w.admin] {
                let r = page_as(&w, who, path).await;
                assert_eq!(r.status.as_u16(), 200, "[{kind}] {path}: {}", r.text);
                assert!(r.text.contains("Here is what happens"), "[{kind}] {path}");
            }
        }
        w.t.clock.advance(rapport_app::threads::DIGEST_DELAY_MS + 1);
        w.t.app.run_due_jobs().await.unwrap();
        w.t.finish().await;
    }
}

#[tokio::test]
async fn a_member_replies_to_a_comment_from_the_thread_page_one_level_deep() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let (thread, post) = w.thread_with_post("programme", "reply7").await;
        let top = id(&w
            .call(
                &w.peer,
                "POST",
                &format!("/api/v1/posts/{post}/comments"),
                Some(json!({"body": "Have you tried a rota?"})),
            )
            .await
            .expect(201));
        let page = page_as(&w, &w.mate, &format!("/threads/{thread}")).await;
        assert_eq!(page.status.as_u16(), 200, "[{kind}] {}", page.text);
        // The page offers a reply to the comment: a plain form naming its parent.
        assert!(
            page.text.contains(&format!(
                r#"<input type="hidden" name="parent_id" value="{top}">"#
            )),
            "[{kind}] {}",
            page.text
        );
        assert!(page.text.contains("Your reply to Cy Peer"), "[{kind}]");
        let r = form_as(
            &w,
            &w.mate,
            &format!("/posts/{post}/comments"),
            &format!("parent_id={top}&body=A+rota+saved+me+too"),
        )
        .await;
        assert_eq!(r.status.as_u16(), 303, "[{kind}] {}", r.text);
        let posts = w.posts_json(&w.author, &thread).await;
        let comments = posts[0]["comments"].as_array().unwrap().clone();
        assert_eq!(comments.len(), 2, "[{kind}] {comments:?}");
        assert_eq!(comments[1]["parent_id"], json!(top), "[{kind}]");
        assert!(comments[1]["html"]
            .to_string()
            .contains("A rota saved me too"));
        // The reply itself offers no reply: threads go one level deep.
        let page = page_as(&w, &w.mate, &format!("/threads/{thread}")).await;
        let reply = comments[1]["id"].as_str().unwrap();
        assert!(
            !page
                .text
                .contains(&format!(r#"name="parent_id" value="{reply}""#)),
            "[{kind}]"
        );
        assert_eq!(
            page.text.matches(r#"name="parent_id""#).count(),
            1,
            "[{kind}] one reply form, on the top comment"
        );
        w.t.clock.advance(rapport_app::threads::DIGEST_DELAY_MS + 1);
        w.t.app.run_due_jobs().await.unwrap();
        w.t.finish().await;
    }
}

/// The main navigation links search for everyone signed in, and the
/// moderation queue only for those `app` lets open it: programme managers
/// and admins, never a member (on the wide bar and in the narrow menu alike).
#[tokio::test]
async fn the_navigation_links_search_for_all_and_moderation_for_moderators() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        for (who, moderates) in [
            (&w.manager, true),
            (&w.elsewhere, true),
            (&w.admin, true),
            (&w.peer, false),
            (&w.stranger, false),
        ] {
            let page = page_as(&w, who, "/rooms").await;
            assert_eq!(page.status.as_u16(), 200, "[{kind}] {}", page.text);
            let nav = &page.text[page.text.find("<nav aria-label=\"Main\"").unwrap()..];
            let nav = &nav[..nav.find("</nav>").unwrap()];
            assert_eq!(
                nav.matches("<a href=\"/search\">Search</a>").count(),
                2,
                "[{kind}] {} sees search, wide and narrow: {nav}",
                who.email
            );
            assert_eq!(
                nav.matches("<a href=\"/moderation\">Moderation</a>")
                    .count(),
                if moderates { 2 } else { 0 },
                "[{kind}] {}: {nav}",
                who.email
            );
            // The link leads somewhere they may go.
            let queue = page_as(&w, who, "/moderation").await;
            assert_eq!(
                queue.status.as_u16() == 200,
                moderates,
                "[{kind}] {}",
                who.email
            );
        }
        w.t.finish().await;
    }
}

#[tokio::test]
async fn a_post_links_a_roadmap_step_its_author_can_see_and_readers_follow_it() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        // The mentor writes a roadmap and publishes it, and keeps another
        // as a draft: its steps are the mentor's alone.
        let steps = json!([{"title": "Hand over one meeting", "body": "Pick one.", "level": "team_leader", "effort_hours": 2}]);
        let body = json!({"title": "Delegating well", "summary": "A path.", "level": "team_leader", "steps": steps});
        let published = w
            .call(&w.mate, "POST", "/api/v1/roadmaps", Some(body.clone()))
            .await
            .expect(201)
            .json;
        let roadmap = published["id"].as_str().unwrap().to_string();
        let step = published["steps"][0]["id"].as_str().unwrap().to_string();
        w.call(
            &w.mate,
            "POST",
            &format!("/api/v1/roadmaps/{roadmap}/publish"),
            None,
        )
        .await
        .expect(200);
        let draft = w
            .call(&w.mate, "POST", "/api/v1/roadmaps", Some(body))
            .await
            .expect(201)
            .json;
        let draft_step = draft["steps"][0]["id"].as_str().unwrap().to_string();

        let (thread, _) = w.thread_with_post("members", "stepping").await;
        let posts = format!("/api/v1/threads/{thread}/posts");
        let link = |id: &str| json!({"kind": "update", "body": "On this step", "link_kind": "roadmap_step", "link_id": id});
        // Someone else's draft, and a step that exists nowhere: 422 on
        // `link_id`, the same answer for both, and nothing written.
        for bad in [draft_step.clone(), uuid::Uuid::new_v4().to_string()] {
            let r = w.call(&w.author, "POST", &posts, Some(link(&bad))).await;
            assert_eq!(
                (r.status.as_u16(), r.error_field()),
                (422, "link_id"),
                "[{kind}] {}",
                r.json
            );
        }
        let ok = w
            .call(&w.author, "POST", &posts, Some(link(&step)))
            .await
            .expect(201);
        assert_eq!(ok.json["link_kind"], json!("roadmap_step"), "[{kind}]");
        assert_eq!(ok.json["link_id"], json!(step), "[{kind}]");
        // Its author may link their own draft's step.
        let own = w
            .call(
                &w.mate,
                "POST",
                "/api/v1/threads",
                Some(json!({"title": "Drafting", "visibility": "only_me"})),
            )
            .await
            .expect(201);
        w.call(
            &w.mate,
            "POST",
            &format!("/api/v1/threads/{}/posts", id(&own)),
            Some(link(&draft_step)),
        )
        .await
        .expect(201);

        // Readers follow the link to the step on its roadmap; a draft's step
        // is not found by anyone but its author.
        let page = page_as(&w, &w.peer, &format!("/threads/{thread}")).await;
        assert!(
            page.text
                .contains(&format!("href=\"/roadmap-steps/{step}\"")),
            "[{kind}] {}",
            page.text
        );
        let to = page_as(&w, &w.peer, &format!("/roadmap-steps/{step}")).await;
        assert_eq!(to.status.as_u16(), 303, "[{kind}]");
        assert_eq!(
            to.headers["location"].to_str().unwrap(),
            format!("/roadmaps/{roadmap}#step-{step}"),
            "[{kind}]"
        );
        let hidden = page_as(&w, &w.peer, &format!("/roadmap-steps/{draft_step}")).await;
        assert_eq!(hidden.status.as_u16(), 404, "[{kind}]");
        let theirs = page_as(&w, &w.mate, &format!("/roadmap-steps/{draft_step}")).await;
        assert_eq!(theirs.status.as_u16(), 303, "[{kind}]");
        let roadmap_page = page_as(&w, &w.author, &format!("/roadmaps/{roadmap}")).await;
        assert!(
            roadmap_page
                .text
                .contains(&format!("href=\"/roadmap-steps/{step}\"")),
            "[{kind}]"
        );

        // The form takes the step's address as pasted, and says the kind.
        let address = format!("https://rapport.example/roadmap-steps/{step}");
        let r = form_as(
            &w,
            &w.author,
            &format!("/threads/{thread}/new-post"),
            &format!(
                "kind=update&body=From+the+form&link_kind=&link_id={}",
                urlencode(&address)
            ),
        )
        .await;
        assert_eq!(r.status.as_u16(), 303, "[{kind}] {}", r.text);
        let listed = w.call(&w.author, "GET", &posts, None).await.expect(200);
        let newest = &listed.json.as_array().unwrap()[0];
        assert_eq!(
            (newest["body"].as_str(), newest["link_kind"].as_str()),
            (Some("From the form"), Some("roadmap_step")),
            "[{kind}]"
        );
        let r = form_as(
            &w,
            &w.author,
            &format!("/threads/{thread}/new-post"),
            "kind=update&body=Nowhere&link_kind=&link_id=https%3A%2F%2Fexample.org%2Fnothing",
        )
        .await;
        assert_eq!(r.status.as_u16(), 422, "[{kind}]");
        assert!(
            r.text.contains("the id or the address of a goal"),
            "[{kind}] {}",
            r.text
        );
        w.t.finish().await;
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn a_member_follows_and_unfollows_from_a_profile_or_a_thread_page() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let profile = format!("/people/{}", w.author.id);
        // Nothing of the author's to read yet: no button, and following
        // through the form is refused as the API refuses it.
        w.thread_with_post("only_me", "hush").await;
        let page = page_as(&w, &w.peer, &profile).await;
        assert!(
            !page.text.contains("Follow their growth threads"),
            "[{kind}]"
        );
        let r = form_as(&w, &w.peer, &format!("{profile}/follow"), "follow=true").await;
        assert_eq!(r.status.as_u16(), 404, "[{kind}]");
        let (thread, _) = w.thread_with_post("members", "open").await;
        let page = page_as(&w, &w.peer, &profile).await;
        assert!(
            page.text.contains("Follow their growth threads"),
            "[{kind}]"
        );
        // From the profile, back to it.
        let r = form_as(&w, &w.peer, &format!("{profile}/follow"), "follow=true").await;
        assert_eq!(r.status.as_u16(), 303, "[{kind}]");
        assert_eq!(
            r.headers["location"],
            format!("{profile}?done=followed").as_str()
        );
        assert!(w
            .t
            .app
            .is_following(&w.t.actor(&w.peer).await, w.author.id)
            .await
            .unwrap());
        let page = page_as(&w, &w.peer, &format!("/threads/{thread}")).await;
        assert!(page.text.contains("Stop following Bea Author"), "[{kind}]");
        // From the thread, back to the thread; any other "back" is ignored.
        let r = form_as(
            &w,
            &w.peer,
            &format!("{profile}/follow"),
            &format!("follow=false&back=%2Fthreads%2F{thread}"),
        )
        .await;
        assert_eq!(
            r.headers["location"],
            format!("/threads/{thread}?done=unfollowed").as_str()
        );
        assert!(!w
            .t
            .app
            .is_following(&w.t.actor(&w.peer).await, w.author.id)
            .await
            .unwrap());
        let r = form_as(
            &w,
            &w.peer,
            &format!("{profile}/follow"),
            "follow=true&back=https%3A%2F%2Fevil.example%2F",
        )
        .await;
        assert_eq!(
            r.headers["location"],
            format!("{profile}?done=followed").as_str()
        );
        // No button on one's own thread or profile.
        let own = page_as(&w, &w.author, &format!("/threads/{thread}")).await;
        assert!(!own.text.contains("Follow Bea Author"), "[{kind}]");
        let own = page_as(&w, &w.author, &profile).await;
        assert!(!own.text.contains("growth threads</button>"), "[{kind}]");
        w.t.finish().await;
    }
}

#[tokio::test]
async fn authors_edit_and_delete_posts_comments_and_threads_from_the_pages() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let (thread, post) = w.thread_with_post("members", "draft1").await;
        let page = page_as(&w, &w.author, &format!("/threads/{thread}")).await;
        assert!(
            page.text
                .contains(&format!("action=\"/posts/{post}/edit\"")),
            "[{kind}]"
        );
        assert!(
            page.text
                .contains("Handing over the rota: draft1</textarea>"),
            "[{kind}]"
        );
        // Nobody else is offered the author's forms, nor may use them.
        let other = page_as(&w, &w.peer, &format!("/threads/{thread}")).await;
        assert!(
            !other.text.contains(&format!("/posts/{post}/edit")),
            "[{kind}]"
        );
        assert!(!other.text.contains("Delete this thread"), "[{kind}]");
        let r = form_as(
            &w,
            &w.peer,
            &format!("/posts/{post}/edit"),
            "kind=update&body=Mine+now",
        )
        .await;
        assert_eq!(r.status.as_u16(), 403, "[{kind}]");

        // The author edits the post; the old body is kept as a revision.
        let r = form_as(
            &w,
            &w.author,
            &format!("/posts/{post}/edit"),
            "kind=breakthrough&body=Handed+over+the+rota",
        )
        .await;
        assert_eq!(r.status.as_u16(), 303, "[{kind}] {}", r.text);
        assert_eq!(
            r.headers["location"],
            format!("/threads/{thread}?done=post_saved#p-{post}").as_str()
        );
        let listed = w.posts_json(&w.author, &thread).await;
        assert_eq!(listed[0]["body"], json!("Handed over the rota"), "[{kind}]");
        assert_eq!(listed[0]["kind"], json!("breakthrough"), "[{kind}]");
        let bad = form_as(
            &w,
            &w.author,
            &format!("/posts/{post}/edit"),
            "kind=update&body=",
        )
        .await;
        assert_eq!(bad.status.as_u16(), 422, "[{kind}]");

        // A reader comments; they alone edit and delete it.
        form_as(
            &w,
            &w.peer,
            &format!("/posts/{post}/comments"),
            "body=Nice+one",
        )
        .await;
        let c = w.posts_json(&w.peer, &thread).await;
        let comment = c[0]["comments"][0]["id"].as_str().unwrap().to_string();
        let peer_page = page_as(&w, &w.peer, &format!("/threads/{thread}")).await;
        assert!(
            peer_page
                .text
                .contains(&format!("/comments/{comment}/edit")),
            "[{kind}]"
        );
        let author_page = page_as(&w, &w.author, &format!("/threads/{thread}")).await;
        assert!(
            !author_page
                .text
                .contains(&format!("/comments/{comment}/edit")),
            "[{kind}]"
        );
        let r = form_as(&w, &w.author, &format!("/comments/{comment}/delete"), "").await;
        assert_eq!(r.status.as_u16(), 403, "[{kind}]");
        let r = form_as(
            &w,
            &w.peer,
            &format!("/comments/{comment}/edit"),
            "body=Really+nice+one",
        )
        .await;
        assert_eq!(
            r.headers["location"],
            format!("/threads/{thread}?done=comment_saved#p-{post}").as_str(),
            "[{kind}]"
        );
        let c = w.posts_json(&w.peer, &thread).await;
        assert_eq!(
            c[0]["comments"][0]["body"],
            json!("Really nice one"),
            "[{kind}] {}",
            c
        );
        // Deleting a comment asks first, and only its author.
        let ask = page_as(&w, &w.peer, &format!("/comments/{comment}/delete")).await;
        assert_eq!(ask.status.as_u16(), 200, "[{kind}]");
        assert!(ask.text.contains("The replies to it"), "[{kind}]");
        assert_eq!(
            page_as(&w, &w.author, &format!("/comments/{comment}/delete"))
                .await
                .status
                .as_u16(),
            403,
            "[{kind}]"
        );
        let r = form_as(&w, &w.peer, &format!("/comments/{comment}/delete"), "").await;
        assert_eq!(
            r.headers["location"],
            format!("/threads/{thread}?done=comment_deleted#p-{post}").as_str(),
            "[{kind}]"
        );
        let c = w.posts_json(&w.peer, &thread).await;
        assert_eq!(c[0]["comments"], json!([]), "[{kind}]");

        // So does deleting a post.
        let ask = page_as(&w, &w.author, &format!("/posts/{post}/delete")).await;
        assert_eq!(ask.status.as_u16(), 200, "[{kind}]");
        assert!(ask.text.contains("Its comments and reactions"), "[{kind}]");
        assert!(
            page_as(&w, &w.author, &format!("/threads/{thread}"))
                .await
                .text
                .contains(&format!("data-confirm href=\"/posts/{post}/delete\"")),
            "[{kind}]"
        );
        assert_eq!(
            page_as(&w, &w.peer, &format!("/posts/{post}/delete"))
                .await
                .status
                .as_u16(),
            403,
            "[{kind}]"
        );
        // Deleting the thread asks first, and only its author.
        let ask = page_as(&w, &w.author, &format!("/threads/{thread}/delete")).await;
        assert_eq!(ask.status.as_u16(), 200, "[{kind}]");
        assert!(ask.text.contains("This cannot be undone"), "[{kind}]");
        assert_eq!(
            page_as(&w, &w.peer, &format!("/threads/{thread}/delete"))
                .await
                .status
                .as_u16(),
            403
        );
        assert_eq!(
            form_as(&w, &w.peer, &format!("/threads/{thread}/delete"), "")
                .await
                .status
                .as_u16(),
            403
        );
        let r = form_as(&w, &w.author, &format!("/threads/{thread}/delete"), "").await;
        assert_eq!(
            r.headers["location"], "/threads?done=thread_deleted",
            "[{kind}]"
        );
        w.call(&w.peer, "GET", &format!("/api/v1/threads/{thread}"), None)
            .await
            .expect(404);
        // The comment's batched notification finds nothing left to tell.
        w.t.clock.advance(rapport_app::threads::DIGEST_DELAY_MS + 1);
        w.t.app.run_due_jobs().await.unwrap();
        w.t.finish().await;
    }
}
