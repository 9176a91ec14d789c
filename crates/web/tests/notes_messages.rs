//! Room notes and messages through the real router: who sees what (a private
//! note reaches its author only, by every route), edits and deletions, read
//! positions and unread counts, batched message emails driven by the clock,
//! account deletion and the data export.

use rapport_domain::mentoring::{EnrolmentStatus, MemberState, RoomOrigin, RoomStatus};
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::{EnrolmentId, ProgrammeId, RoomId};
use rapport_store::{EnrolmentRecord, NewRoom};
use rapport_web::testing::{test_database_kinds, Person, TestApp, PASSWORD};
use serde_json::{json, Value};

/// An active one-to-one room (Mia mentors Ned) in a programme Max manages,
/// with an admin and an outsider around it.
struct World {
    t: TestApp,
    mentor: Person,
    mentee: Person,
    manager: Person,
    admin: Person,
    outsider: Person,
    programme: ProgrammeId,
    room: RoomId,
}

async fn world(kind: &'static str) -> World {
    let t = TestApp::new(kind).await;
    let slug = t.programme("Spring", "one_to_one").await;
    let mentor = t.member("mia@example.org", "Mia Mentor").await;
    let mentee = t.member("ned@example.org", "Ned Mentee").await;
    let outsider = t.member("oz@example.org", "Oz Outsider").await;
    let manager = t.manager_of(&slug, "max@example.org", "Max Manager").await;
    let admin = t.admin().await;
    let mut tx = t.store().write().await.unwrap();
    let p = tx.programme_by_slug(&slug).await.unwrap().unwrap();
    for (person, role) in [
        (mentor.id, ProgrammeRole::Mentor),
        (mentee.id, ProgrammeRole::Mentee),
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
    let room = NewRoom {
        round_id: None,
        id: RoomId::new(),
        programme_id: p.id,
        status: RoomStatus::Active,
        origin: RoomOrigin::Round,
        members: vec![
            (mentor.id, ProgrammeRole::Mentor, MemberState::Accepted),
            (mentee.id, ProgrammeRole::Mentee, MemberState::Accepted),
        ],
    };
    tx.insert_room(&room, 0).await.unwrap();
    tx.commit().await.unwrap();
    World {
        t,
        mentor,
        mentee,
        manager,
        admin,
        outsider,
        programme: p.id,
        room: room.id,
    }
}

impl World {
    fn notes(&self) -> String {
        format!("/api/v1/rooms/{}/notes", self.room)
    }

    fn messages(&self) -> String {
        format!("/api/v1/rooms/{}/messages", self.room)
    }

    async fn note(&self, who: &Person, body: &str, visibility: &str) -> Value {
        self.t
            .call(
                "POST",
                &self.notes(),
                who.auth(),
                Some(json!({"body": body, "visibility": visibility})),
            )
            .await
            .expect(201)
            .json
    }

    async fn say(&self, who: &Person, body: &str) -> Value {
        self.t
            .call(
                "POST",
                &self.messages(),
                who.auth(),
                Some(json!({"body": body})),
            )
            .await
            .expect(201)
            .json
    }

    async fn page(&self, who: &Person, path: &str) -> (u16, String) {
        let r = self
            .t
            .reply_text(
                TestApp::request("GET", path, who.auth())
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        (r.status.as_u16(), r.text)
    }

    async fn set_managers_read_shared_notes(&self, allowed: bool) {
        let mut tx = self.t.store().write().await.unwrap();
        let mut p = tx.programme(self.programme).await.unwrap().unwrap();
        p.room_rules.managers_read_shared_notes = allowed;
        tx.update_programme(&p, 0).await.unwrap();
        tx.commit().await.unwrap();
    }

    async fn end_room(&self) {
        let mut tx = self.t.store().write().await.unwrap();
        assert!(tx
            .end_room(self.room, RoomStatus::Completed, None, 1)
            .await
            .unwrap());
        tx.commit().await.unwrap();
    }

    /// Moves past the digest delay and runs the worker.
    async fn after_digest_delay(&self) {
        self.t
            .clock
            .advance(rapport_app::messages::DIGEST_DELAY_MS + 1_000);
        self.t.app.run_due_jobs().await.unwrap();
    }
}

fn bodies(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|n| n["body"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn a_private_note_reaches_its_author_and_nobody_else_by_any_route() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let marker = "PRIVATE-MARKER-7f3a";
        let private = w
            .note(&w.mentee, &format!("I worry about **{marker}**"), "private")
            .await;
        let shared = w.note(&w.mentee, "Agenda: *pacing*", "room").await;
        assert_eq!(private["visibility"], "private");
        assert!(private["html"]
            .as_str()
            .unwrap()
            .contains(&format!("<strong>{marker}</strong>")));
        let id = private["id"].as_str().unwrap().to_string();

        // The author sees both, newest first, on the API and the page.
        let mine = w.t.get(&w.notes(), w.mentee.auth()).await.expect(200).json;
        assert_eq!(bodies(&mine).len(), 2);
        assert!(bodies(&mine)[1].contains(marker));
        let (status, html) = w.page(&w.mentee, &format!("/rooms/{}/notes", w.room)).await;
        assert_eq!(status, 200);
        assert!(html.contains(marker));

        // The other member sees the shared note only; by id, 404.
        let theirs = w.t.get(&w.notes(), w.mentor.auth()).await.expect(200).json;
        assert_eq!(bodies(&theirs), ["Agenda: *pacing*"]);
        // Managers read shared notes only where the programme allows: not by default.
        w.t.get(&w.notes(), w.manager.auth())
            .await
            .expect_error(403, "forbidden");
        w.t.get(&w.notes(), w.admin.auth())
            .await
            .expect_error(403, "forbidden");
        w.set_managers_read_shared_notes(true).await;
        for reader in [&w.mentor, &w.manager, &w.admin] {
            let list = w.t.get(&w.notes(), reader.auth()).await.expect(200).json;
            assert_eq!(bodies(&list), ["Agenda: *pacing*"], "{list}");
        }
        w.t.get(&w.notes(), w.outsider.auth())
            .await
            .expect_error(404, "not_found");
        for other in [&w.mentor, &w.manager, &w.admin, &w.outsider] {
            let edit = json!({"body": "mine now", "visibility": "room"});
            w.t.call(
                "PUT",
                &format!("/api/v1/notes/{id}"),
                other.auth(),
                Some(edit),
            )
            .await
            .expect_error(404, "not_found");
            w.t.call("DELETE", &format!("/api/v1/notes/{id}"), other.auth(), None)
                .await
                .expect_error(404, "not_found");
            let (_, html) = w.page(other, &format!("/rooms/{}/notes", w.room)).await;
            assert!(!html.contains(marker), "a notes page shows it");
            for page in [
                "/rooms",
                "/",
                &format!("/rooms/{}", w.room),
                &format!("/rooms/{}/messages", w.room),
            ] {
                let (_, html) = w.page(other, page).await;
                assert!(!html.contains(marker), "{page} shows it");
            }
            let export = w.t.get("/api/v1/me/export", other.auth()).await.expect(200);
            assert!(
                !export.json.to_string().contains(marker),
                "an export holds it"
            );
        }
        // The author's own export holds it, marked private.
        let export =
            w.t.get("/api/v1/me/export", w.mentee.auth())
                .await
                .expect(200)
                .json;
        let notes = export["notes"].as_array().unwrap();
        assert_eq!(notes.len(), 2);
        assert!(notes
            .iter()
            .any(|n| n["visibility"] == "private" && n["body"].as_str().unwrap().contains(marker)));
        // Someone else's shared note is not in a reader's export as theirs.
        let export =
            w.t.get("/api/v1/me/export", w.mentor.auth())
                .await
                .expect(200)
                .json;
        assert_eq!(export["notes"], json!([]));
        // No email carries it.
        for m in w.t.take_emails().await {
            assert!(!m.body.contains(marker) && !m.html.unwrap_or_default().contains(marker));
        }
        let _ = shared;
        w.t.finish().await;
    }
}

#[tokio::test]
async fn authors_edit_and_delete_their_notes_and_bad_notes_name_the_field() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let note = w.note(&w.mentee, "First draft", "room").await;
        let path = format!("/api/v1/notes/{}", note["id"].as_str().unwrap());
        // The other member reads it but may not change it.
        w.t.call(
            "PUT",
            &path,
            w.mentor.auth(),
            Some(json!({"body": "x", "visibility": "room"})),
        )
        .await
        .expect_error(403, "forbidden");
        w.t.call("DELETE", &path, w.mentor.auth(), None)
            .await
            .expect_error(403, "forbidden");
        // Making it private hides it from the mentor at once.
        let edited =
            w.t.call(
                "PUT",
                &path,
                w.mentee.auth(),
                Some(json!({"body": "Second draft", "visibility": "private"})),
            )
            .await
            .expect(200)
            .json;
        assert_eq!(edited["body"], "Second draft");
        assert_eq!(edited["visibility"], "private");
        let theirs = w.t.get(&w.notes(), w.mentor.auth()).await.expect(200).json;
        assert_eq!(theirs, json!([]));

        for (body, field) in [
            (
                json!({"body": "<script>alert(1)</script>", "visibility": "room"}),
                "body",
            ),
            (
                json!({"body": "[x](javascript:alert(1))", "visibility": "room"}),
                "body",
            ),
            (json!({"body": "   ", "visibility": "room"}), "body"),
            (
                json!({"body": "fine", "visibility": "public"}),
                "visibility",
            ),
        ] {
            let r =
                w.t.call("POST", &w.notes(), w.mentee.auth(), Some(body.clone()))
                    .await
                    .expect_error(422, "invalid_field");
            assert_eq!(r.fields(), [field], "{body}");
            w.t.call("PUT", &path, w.mentee.auth(), Some(body))
                .await
                .expect_error(422, "invalid_field");
        }
        // Managers are not members: they cannot write in the room.
        w.t.call(
            "POST",
            &w.notes(),
            w.manager.auth(),
            Some(json!({"body": "hi", "visibility": "room"})),
        )
        .await
        .expect_error(403, "forbidden");

        // The page form writes a note and says who will see it.
        let (_, html) = w.page(&w.mentee, &format!("/rooms/{}/notes", w.room)).await;
        assert!(html.contains("only you will ever see it"));
        assert!(
            html.contains("The programme&#39;s managers do not")
                || html.contains("The programme's managers do not")
        );
        let r =
            w.t.reply_text(
                TestApp::request("POST", &format!("/rooms/{}/notes", w.room), w.mentee.auth())
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("origin", "http://rapport.test")
                    .body(axum::body::Body::from("body=From+the+page&visibility=room"))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status.as_u16(), 303);
        let r =
            w.t.reply_text(
                TestApp::request("POST", &format!("/rooms/{}/notes", w.room), w.mentee.auth())
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("origin", "http://rapport.test")
                    .body(axum::body::Body::from(
                        "body=%3Cscript%3Ex%3C%2Fscript%3E&visibility=room",
                    ))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status.as_u16(), 422);
        assert!(r.text.contains("role=\"alert\""));
        let theirs = w.t.get(&w.notes(), w.mentor.auth()).await.expect(200).json;
        assert_eq!(bodies(&theirs), ["From the page"]);

        // Paging: a cursor list with a Link header.
        for i in 0..3 {
            w.note(&w.mentor, &format!("note {i}"), "room").await;
        }
        let first =
            w.t.get(&format!("{}?limit=2", w.notes()), w.mentor.auth())
                .await
                .expect(200);
        assert_eq!(bodies(&first.json), ["note 2", "note 1"]);
        let link = first.headers["link"].to_str().unwrap().to_string();
        let next = link.split('<').nth(1).unwrap().split('>').next().unwrap();
        let next = next.trim_start_matches("http://rapport.test");
        let second = w.t.get(next, w.mentor.auth()).await.expect(200);
        assert_eq!(bodies(&second.json), ["note 0", "From the page"]);

        // An ended room's notes stay readable, and fixed.
        w.end_room().await;
        w.t.get(&w.notes(), w.mentee.auth()).await.expect(200);
        w.t.call(
            "POST",
            &w.notes(),
            w.mentee.auth(),
            Some(json!({"body": "late", "visibility": "room"})),
        )
        .await
        .expect_error(409, "conflict");
        w.t.call("DELETE", &path, w.mentee.auth(), None)
            .await
            .expect_error(409, "conflict");
        w.t.call(
            "DELETE",
            &format!("/api/v1/notes/{}", edited["id"].as_str().unwrap()),
            w.mentee.auth(),
            None,
        )
        .await
        .expect_error(409, "conflict");
        w.t.finish().await;
    }
}

#[tokio::test]
async fn the_thread_shows_edits_and_deletions_and_counts_what_is_unread() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        w.say(&w.mentor, "Hi Ned").await;
        let first = w.say(&w.mentee, "Hello **Mia**").await;
        let second = w.say(&w.mentee, "Are you free on Thursday?").await;
        let first_path = format!("/api/v1/messages/{}", first["id"].as_str().unwrap());
        let second_path = format!("/api/v1/messages/{}", second["id"].as_str().unwrap());

        // Newest first; edits and deletions in place.
        w.t.call(
            "PUT",
            &first_path,
            w.mentor.auth(),
            Some(json!({"body": "no"})),
        )
        .await
        .expect_error(403, "forbidden");
        let edited =
            w.t.call(
                "PUT",
                &first_path,
                w.mentee.auth(),
                Some(json!({"body": "Hello *Mia*!"})),
            )
            .await
            .expect(200)
            .json;
        assert!(edited["edited_at"].is_i64());
        w.t.call("DELETE", &second_path, w.mentee.auth(), None)
            .await
            .expect(204);
        w.t.call(
            "PUT",
            &second_path,
            w.mentee.auth(),
            Some(json!({"body": "again"})),
        )
        .await
        .expect_error(409, "conflict");
        let thread =
            w.t.get(&w.messages(), w.mentor.auth())
                .await
                .expect(200)
                .json;
        let thread = thread.as_array().unwrap();
        assert_eq!(thread.len(), 3);
        assert!(thread[0]["deleted_at"].is_i64());
        assert_eq!(thread[0]["body"], Value::Null);
        assert_eq!(thread[0]["html"], Value::Null);
        assert_eq!(thread[1]["body"], "Hello *Mia*!");
        assert_eq!(thread[2]["body"], "Hi Ned");
        // Managers and outsiders do not read the thread.
        w.t.get(&w.messages(), w.manager.auth())
            .await
            .expect_error(403, "forbidden");
        w.t.get(&w.messages(), w.admin.auth())
            .await
            .expect_error(403, "forbidden");
        w.t.get(&w.messages(), w.outsider.auth())
            .await
            .expect_error(404, "not_found");
        for bad in [json!({"body": ""}), json!({"body": "<script>x</script>"})] {
            let r =
                w.t.call("POST", &w.messages(), w.mentee.auth(), Some(bad))
                    .await
                    .expect_error(422, "invalid_field");
            assert_eq!(r.fields(), ["body"]);
        }

        // The mentor has one unread message (the deleted one no longer
        // counts); the count shows on the tabs, the rooms list and the menu.
        let counts =
            w.t.app
                .unread_counts(&w.t.actor(&w.mentor).await)
                .await
                .unwrap();
        assert_eq!(counts.get(&w.room), Some(&1));
        let (_, rooms) = w.page(&w.mentor, "/rooms").await;
        assert!(rooms.contains("1 unread message<"), "{rooms}");
        assert!(rooms.contains("title=\"unread messages and notifications\">1<"));
        let (_, overview) = w.page(&w.mentor, &format!("/rooms/{}", w.room)).await;
        assert!(overview.contains(&format!(
            "/rooms/{}/messages\">Messages <span class=\"count\"",
            w.room
        )));
        // Opening the thread marks it read.
        let (status, thread_page) = w
            .page(&w.mentor, &format!("/rooms/{}/messages", w.room))
            .await;
        assert_eq!(status, 200);
        assert!(thread_page.contains("Message deleted."));
        assert!(thread_page.contains("· edited"));
        assert!(thread_page.contains("<em>Mia</em>"));
        assert!(!thread_page.contains("title=\"unread messages"));
        let counts =
            w.t.app
                .unread_counts(&w.t.actor(&w.mentor).await)
                .await
                .unwrap();
        assert!(counts.is_empty());

        // Marking read up to a message leaves the later ones unread.
        let a = w.say(&w.mentee, "one").await;
        w.say(&w.mentee, "two").await;
        let read = format!("{}/read", w.messages());
        w.t.call(
            "POST",
            &read,
            w.mentor.auth(),
            Some(json!({"up_to": a["id"]})),
        )
        .await
        .expect(204);
        let counts =
            w.t.app
                .unread_counts(&w.t.actor(&w.mentor).await)
                .await
                .unwrap();
        assert_eq!(counts.get(&w.room), Some(&1));
        let r =
            w.t.call(
                "POST",
                &read,
                w.mentor.auth(),
                Some(json!({"up_to": uuid::Uuid::new_v4()})),
            )
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(r.fields(), ["up_to"]);
        w.t.call("POST", &read, w.mentor.auth(), Some(json!({})))
            .await
            .expect(204);
        let counts =
            w.t.app
                .unread_counts(&w.t.actor(&w.mentor).await)
                .await
                .unwrap();
        assert!(counts.is_empty());
        w.t.call("POST", &read, w.manager.auth(), Some(json!({})))
            .await
            .expect_error(403, "forbidden");

        // Pages: the compose form posts and redirects.
        let r =
            w.t.reply_text(
                TestApp::request(
                    "POST",
                    &format!("/rooms/{}/messages", w.room),
                    w.mentor.auth(),
                )
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", "http://rapport.test")
                .body(axum::body::Body::from("body=From+the+page"))
                .unwrap(),
            )
            .await;
        assert_eq!(r.status.as_u16(), 303);

        // An ended room's thread stays readable and fixed.
        w.end_room().await;
        w.t.get(&w.messages(), w.mentee.auth()).await.expect(200);
        w.t.call(
            "POST",
            &w.messages(),
            w.mentee.auth(),
            Some(json!({"body": "late"})),
        )
        .await
        .expect_error(409, "conflict");
        w.t.call(
            "PUT",
            &first_path,
            w.mentee.auth(),
            Some(json!({"body": "late"})),
        )
        .await
        .expect_error(409, "conflict");

        // Each side was sent one digest about what was still unread.
        w.after_digest_delay().await;
        let mails = w.t.take_emails_about("new message").await;
        let to: Vec<_> = mails.iter().map(|m| m.to.as_str()).collect();
        assert_eq!(to, ["ned@example.org"], "{mails:#?}");
        w.t.finish().await;
    }
}

#[tokio::test]
async fn message_emails_are_batched_and_never_about_read_messages() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        // Three messages within 15 minutes: one email, 15 minutes after the first.
        w.say(&w.mentee, "One").await;
        w.t.clock.advance(5 * 60_000);
        w.say(&w.mentee, "Two **bold**").await;
        w.t.clock.advance(5 * 60_000);
        w.say(&w.mentee, "Three").await;
        w.t.app.run_due_jobs().await.unwrap();
        assert!(
            w.t.take_emails_about("new message").await.is_empty(),
            "not yet"
        );
        w.t.clock.advance(5 * 60_000);
        w.t.app.run_due_jobs().await.unwrap();
        let mails = w.t.take_emails_about("new message").await;
        assert_eq!(mails.len(), 1, "{mails:#?}");
        let mail = &mails[0];
        assert_eq!(mail.to, "mia@example.org");
        assert_eq!(mail.subject, "3 new messages in your room in Spring");
        assert!(mail.body.contains("Ned Mentee: Two bold"), "{}", mail.body);
        assert!(mail.body.contains(&format!("/rooms/{}/messages", w.room)));
        assert!(mail
            .unsubscribe_url
            .as_deref()
            .unwrap_or("")
            .contains("kind=rooms"));

        // Read before the 15 minutes are up: no email.
        w.say(&w.mentee, "Four").await;
        w.t.clock.advance(60_000);
        w.t.call(
            "POST",
            &format!("{}/read", w.messages()),
            w.mentor.auth(),
            Some(json!({})),
        )
        .await
        .expect(204);
        w.after_digest_delay().await;
        assert!(w.t.take_emails_about("new message").await.is_empty());

        // Switched off: no email.
        w.t.call(
            "PUT",
            "/api/v1/me/notifications",
            w.mentor.auth(),
            Some(json!({"enabled": ["matching"]})),
        )
        .await
        .expect(200);
        w.say(&w.mentee, "Five").await;
        w.after_digest_delay().await;
        assert!(w.t.take_emails_about("new message").await.is_empty());
        w.t.finish().await;
    }
}

#[tokio::test]
async fn a_deleted_account_leaves_its_shared_words_as_a_former_member() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        w.note(&w.mentee, "my secret", "private").await;
        w.note(&w.mentee, "shared plan", "room").await;
        w.say(&w.mentee, "See you Thursday").await;
        w.say(&w.mentor, "Great").await;
        // The mentee's data export holds the thread, both sides.
        let export =
            w.t.get("/api/v1/me/export", w.mentee.auth())
                .await
                .expect(200)
                .json;
        let messages = export["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0]["author"], "you");
        assert_eq!(messages[1]["author"], "Mia Mentor");
        assert_eq!(messages[1]["body"], "Great");

        w.t.call(
            "DELETE",
            "/api/v1/me",
            w.mentee.auth(),
            Some(json!({"password": PASSWORD})),
        )
        .await
        .expect(204);
        let notes = w.t.get(&w.notes(), w.mentor.auth()).await.expect(200).json;
        assert_eq!(bodies(&notes), ["shared plan"]);
        assert_eq!(notes[0]["author"], "a former member");
        assert_eq!(notes[0]["author_id"], Value::Null);
        let thread =
            w.t.get(&w.messages(), w.mentor.auth())
                .await
                .expect(200)
                .json;
        assert_eq!(thread[1]["author"], "a former member");
        assert_eq!(thread[1]["body"], "See you Thursday");
        let (_, html) = w
            .page(&w.mentor, &format!("/rooms/{}/messages", w.room))
            .await;
        assert!(html.contains("a former member"));
        // The private note went with its author: nobody, not even an
        // admin with the programme's permission, can find it.
        w.set_managers_read_shared_notes(true).await;
        let all = w.t.get(&w.notes(), w.admin.auth()).await.expect(200).json;
        assert_eq!(bodies(&all), ["shared plan"]);
        // The mentee's pending digest went with the account; the mentor
        // replied after the mentee's message, so read it: no email at all.
        w.after_digest_delay().await;
        assert!(w.t.take_emails_about("new message").await.is_empty());
        w.t.finish().await;
    }
}

#[tokio::test]
async fn descriptions_and_the_code_of_conduct_are_markdown_through_the_one_renderer() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let admin = t.admin().await;
        let r = t
            .call(
                "POST",
                "/api/v1/programmes",
                admin.auth(),
                Some(json!({"name": "Bad", "kind": "one_to_one", "description": "Hi <script>alert(1)</script>"})),
            )
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(r.fields(), ["description"]);
        t.call(
            "POST",
            "/api/v1/programmes",
            admin.auth(),
            Some(json!({"name": "Good", "kind": "one_to_one", "description": "We meet **every** week.\n\n- one\n- two"})),
        )
        .await
        .expect(201);
        let page = t
            .reply_text(
                TestApp::request("GET", "/programmes/good", admin.auth())
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert!(
            page.text.contains("We meet <strong>every</strong> week."),
            "{}",
            page.text
        );
        assert!(page.text.contains("<li>one</li>"));
        let r = t
            .call(
                "PUT",
                "/api/v1/code-of-conduct",
                admin.auth(),
                Some(json!({"code_of_conduct": "Be kind. [Click](javascript:alert(1)) for more rules."})),
            )
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(r.fields(), ["code_of_conduct"]);
        t.finish().await;
    }
}
