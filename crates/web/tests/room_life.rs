//! A room's life, through the API, the pages and the use cases, on every
//! database: pause and resume, completion by proposal and confirmation,
//! early ends with a reason, leaving a group, the history, seats and the
//! pool after an end, the programme-close guard and complete-all, and the
//! emails each move sends.

use axum::body::Body;
use rapport_domain::mentoring::{EnrolmentStatus, MemberState, RoomOrigin, RoomStatus};
use rapport_domain::programme::{MatchingMode, ProgrammeKind, ProgrammeRole, ProgrammeStatus};
use rapport_domain::values::Slug;
use rapport_domain::{EnrolmentId, ProgrammeId, RoomId};
use rapport_store::{EnrolmentRecord, NewRoom, ProgrammeRecord};
use rapport_web::testing::{test_database_kinds, Person, TestApp, TextReply};
use serde_json::{json, Value};

/// A programme of `kind` (open, `mode`), with its manager.
async fn programme(t: &TestApp, kind: ProgrammeKind, mode: MatchingMode) -> (ProgrammeId, Person) {
    let p = ProgrammeRecord {
        matching_mode: mode,
        ..ProgrammeRecord::new(
            Slug::parse("slug", "spring").unwrap(),
            "Spring",
            kind,
            ProgrammeStatus::Open,
            0,
        )
    };
    let mut tx = t.store().write().await.unwrap();
    tx.insert_programme(&p).await.unwrap();
    tx.commit().await.unwrap();
    let manager = t
        .manager_of("spring", "manager@example.org", "Max Manager")
        .await;
    (p.id, manager)
}

/// A member approved in the programme in `role` (mentors with capacity 1).
async fn enrolled(
    t: &TestApp,
    programme: ProgrammeId,
    email: &str,
    name: &str,
    role: ProgrammeRole,
) -> Person {
    let person = t.member(email, name).await;
    let mut tx = t.store().write().await.unwrap();
    tx.grant_role(programme, person.id, role, 0).await.unwrap();
    tx.insert_enrolment(&EnrolmentRecord {
        id: EnrolmentId::new(),
        programme_id: programme,
        person_id: person.id,
        role,
        status: EnrolmentStatus::Approved,
        capacity: if role == ProgrammeRole::Mentor { 1 } else { 0 },
        answers: Default::default(),
        preferences: Default::default(),
        consent_sensitive: false,
        created_at: 0,
        conduct_accepted_at: Some(0),
        decided_at: None,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    person
}

/// A room with `members`, in `status` (active: everyone accepted).
async fn room(
    t: &TestApp,
    programme: ProgrammeId,
    status: RoomStatus,
    members: &[(&Person, ProgrammeRole)],
) -> RoomId {
    let state = if status == RoomStatus::Proposed {
        MemberState::Invited
    } else {
        MemberState::Accepted
    };
    let room = NewRoom {
        id: RoomId::new(),
        programme_id: programme,
        status,
        origin: if status == RoomStatus::Proposed {
            RoomOrigin::Round
        } else {
            RoomOrigin::Request
        },
        members: members.iter().map(|(p, r)| (p.id, *r, state)).collect(),
        round_id: None,
    };
    let mut tx = t.store().write().await.unwrap();
    tx.insert_room(&room, t.app.now()).await.unwrap();
    tx.commit().await.unwrap();
    room.id
}

async fn status(
    t: &TestApp,
    room: RoomId,
    who: &Person,
    body: Value,
) -> rapport_web::testing::Reply {
    t.call(
        "POST",
        &format!("/api/v1/rooms/{room}/status"),
        who.auth(),
        Some(body),
    )
    .await
}

/// A page request as a browser sends it (same-origin), with a form body.
async fn page(t: &TestApp, method: &str, path: &str, who: &Person, form: &str) -> TextReply {
    let mut b = TestApp::request(method, path, who.auth()).header("origin", "http://rapport.test");
    if !form.is_empty() {
        b = b.header("content-type", "application/x-www-form-urlencoded");
    }
    t.reply_text(b.body(Body::from(form.to_string())).unwrap())
        .await
}

fn actions(history: &Value) -> Vec<String> {
    history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_pair_pauses_resumes_and_completes_by_proposal_and_confirmation() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let (p, _) = programme(&t, ProgrammeKind::OneToOne, MatchingMode::MenteesRequest).await;
        let mona = enrolled(
            &t,
            p,
            "mona@example.org",
            "Mona Mentor",
            ProgrammeRole::Mentor,
        )
        .await;
        let ana = enrolled(
            &t,
            p,
            "ana@example.org",
            "Ana Mentee",
            ProgrammeRole::Mentee,
        )
        .await;
        let id = room(
            &t,
            p,
            RoomStatus::Active,
            &[
                (&mona, ProgrammeRole::Mentor),
                (&ana, ProgrammeRole::Mentee),
            ],
        )
        .await;

        // Either member pauses; the other hears.
        let r = status(&t, id, &ana, json!({"action": "pause"}))
            .await
            .expect(200);
        assert_eq!(r.json["status"], "paused");
        assert!(r.json["paused_at"].is_i64() && r.json["started_at"].is_i64());
        t.expect_email("mona@example.org", "is paused").await;
        let r = status(&t, id, &mona, json!({"action": "pause"})).await;
        r.expect_error(409, "conflict");

        // The other resumes, from the page.
        let r = page(
            &t,
            "POST",
            &format!("/rooms/{id}/status"),
            &mona,
            "action=resume",
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.text);
        assert_eq!(
            r.headers["location"],
            format!("/rooms/{id}?done=room_resume").as_str()
        );
        t.expect_email("ana@example.org", "active again").await;

        // One proposes completion; they cannot confirm it themselves.
        let r = status(&t, id, &mona, json!({"action": "confirm_completion"})).await;
        assert_eq!(r.status, 409, "no proposal yet: {}", r.json);
        let r = status(&t, id, &mona, json!({"action": "propose_completion"}))
            .await
            .expect(200);
        assert_eq!(r.json["completion_proposed_by"], mona.id.to_string());
        assert_eq!(r.json["status"], "active");
        t.expect_email("ana@example.org", "Confirm that your room")
            .await;
        let rooms = t.get("/api/v1/rooms", ana.auth()).await.expect(200);
        assert_eq!(
            rooms.json[0]["waiting_for"],
            "Your confirmation of completion"
        );
        let rooms = t.get("/api/v1/rooms", mona.auth()).await.expect(200);
        assert_eq!(
            rooms.json[0]["waiting_for"],
            "The other side's confirmation of completion"
        );
        status(&t, id, &mona, json!({"action": "confirm_completion"}))
            .await
            .expect_error(403, "forbidden");

        let r = status(&t, id, &ana, json!({"action": "confirm_completion"}))
            .await
            .expect(200);
        assert_eq!(r.json["status"], "completed");
        assert!(r.json["ended_at"].is_i64());
        assert!(r.json["end_reason"].is_null());
        for to in ["mona@example.org", "ana@example.org"] {
            let mail = t.expect_email(to, "is complete").await;
            assert!(
                mail.body.contains(&format!("/rooms/{id}/closure")),
                "{}",
                mail.body
            );
        }

        // Read-only now: a move is 409 naming the state; reads still work.
        let r = status(&t, id, &ana, json!({"action": "pause"})).await;
        r.expect_error(409, "conflict");
        let r = status(&t, id, &ana, json!({"action": "pause"})).await;
        assert!(
            r.json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("completed"),
            "{}",
            r.json
        );

        // Every move is in the history, newest first, with who made it.
        let h = t
            .get(&format!("/api/v1/rooms/{id}/history"), mona.auth())
            .await
            .expect(200);
        let got = actions(&h.json);
        assert_eq!(
            &got[..4],
            [
                "confirm_completion",
                "propose_completion",
                "resume",
                "pause"
            ]
        );
        assert_eq!(got.len(), 6, "{got:?}");
        assert_eq!(h.json["events"][0]["actor_name"], "Ana Mentee");
        assert_eq!(h.json["events"][0]["from"], "active");
        assert_eq!(h.json["events"][0]["to"], "completed");
        let page1 = t
            .get(&format!("/api/v1/rooms/{id}/history?limit=2"), mona.auth())
            .await
            .expect(200);
        assert_eq!(actions(&page1.json).len(), 2);
        let link = page1.headers["link"].to_str().unwrap().to_string();
        assert!(link.contains("rel=\"next\""), "{link}");
        t.get(&format!("/api/v1/rooms/{id}/history?limit=0"), mona.auth())
            .await
            .expect_error(422, "invalid_field");

        // The seat is free at once: the mentor (capacity 1) takes a new mentee.
        let bea = enrolled(
            &t,
            p,
            "bea@example.org",
            "Bea Mentee",
            ProgrammeRole::Mentee,
        )
        .await;
        let bea_actor = t.actor(&bea).await;
        let request = t
            .app
            .send_request(&bea_actor, p, mona.id, "Hello")
            .await
            .unwrap();
        t.expect_email("mona@example.org", "").await;
        t.app
            .accept_request(&t.actor(&mona).await, request)
            .await
            .unwrap();
        t.expect_email("bea@example.org", "").await;
        t.finish().await;
    }
}

#[tokio::test]
async fn ending_takes_a_reason_writes_nothing_on_bad_input_and_returns_the_mentee_to_the_pool() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let (p, _) = programme(&t, ProgrammeKind::OneToOne, MatchingMode::MentorsChoose).await;
        let mona = enrolled(
            &t,
            p,
            "mona@example.org",
            "Mona Mentor",
            ProgrammeRole::Mentor,
        )
        .await;
        let ana = enrolled(
            &t,
            p,
            "ana@example.org",
            "Ana Mentee",
            ProgrammeRole::Mentee,
        )
        .await;
        let otto = enrolled(
            &t,
            p,
            "otto@example.org",
            "Otto Mentor",
            ProgrammeRole::Mentor,
        )
        .await;
        let id = room(
            &t,
            p,
            RoomStatus::Active,
            &[
                (&mona, ProgrammeRole::Mentor),
                (&ana, ProgrammeRole::Mentee),
            ],
        )
        .await;

        for (body, field) in [
            (json!({"action": "end"}), "reason"),
            (json!({"action": "end", "reason": "bored"}), "reason"),
            (json!({"action": "end", "reason": "declined"}), "reason"),
            (json!({"action": "explode"}), "action"),
            (
                json!({"action": "end", "reason": "time", "note": "<script>alert(1)</script>"}),
                "note",
            ),
            (
                json!({"action": "end", "reason": "time", "note": "x".repeat(2001)}),
                "note",
            ),
        ] {
            let r = status(&t, id, &ana, body.clone()).await;
            assert_eq!(
                (r.status.as_u16(), r.error_field()),
                (422, field),
                "{body}: {}",
                r.json
            );
        }
        let r = t
            .get(&format!("/api/v1/rooms/{id}"), ana.auth())
            .await
            .expect(200);
        assert_eq!(r.json["status"], "active", "nothing was written");
        let h = t
            .get(&format!("/api/v1/rooms/{id}/history"), ana.auth())
            .await
            .expect(200);
        assert_eq!(
            actions(&h.json).len(),
            2,
            "only the proposal and activation"
        );

        // While the room is open, the mentee is not in the pool.
        let offer = t
            .app
            .send_offer(&t.actor(&otto).await, "spring", ana.id, "Hi")
            .await;
        assert!(
            matches!(offer, Err(rapport_app::AppError::Conflict { .. })),
            "{offer:?}"
        );

        let r = status(
            &t,
            id,
            &ana,
            json!({"action": "end", "reason": "time", "note": "New job, **sorry**"}),
        )
        .await
        .expect(200);
        assert_eq!(r.json["status"], "ended_early");
        assert_eq!(r.json["end_reason"], "time");
        assert_eq!(r.json["end_note"], "New job, **sorry**");
        for to in ["mona@example.org", "ana@example.org"] {
            let mail = t.expect_email(to, "has ended").await;
            assert!(mail.body.contains("Not enough time"), "{}", mail.body);
        }
        let h = t
            .get(&format!("/api/v1/rooms/{id}/history"), mona.auth())
            .await
            .expect(200);
        assert_eq!(h.json["events"][0]["action"], "end");
        assert_eq!(h.json["events"][0]["reason"], "time");
        assert_eq!(h.json["events"][0]["note"], "New job, **sorry**");

        // The mentee is back in the pool: another mentor may offer now.
        t.app
            .send_offer(&t.actor(&otto).await, "spring", ana.id, "Hi")
            .await
            .unwrap();
        t.expect_email("ana@example.org", "").await;
        // The room page shows the reason and no more actions.
        let r = page(&t, "GET", &format!("/rooms/{id}"), &mona, "").await;
        assert_eq!(r.status, 200);
        assert!(
            r.text.contains("Not enough time") && r.text.contains("<strong>sorry</strong>"),
            "{}",
            r.text
        );
        assert!(!r.text.contains("Room actions"));
        t.finish().await;
    }
}

#[tokio::test]
async fn in_a_group_the_mentor_pauses_and_members_leave_until_it_cannot_go_on() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let (p, _) = programme(&t, ProgrammeKind::Group, MatchingMode::Managers).await;
        let mona = enrolled(
            &t,
            p,
            "mona@example.org",
            "Mona Mentor",
            ProgrammeRole::Mentor,
        )
        .await;
        let ana = enrolled(
            &t,
            p,
            "ana@example.org",
            "Ana Mentee",
            ProgrammeRole::Mentee,
        )
        .await;
        let bea = enrolled(
            &t,
            p,
            "bea@example.org",
            "Bea Mentee",
            ProgrammeRole::Mentee,
        )
        .await;
        let members = [
            (&mona, ProgrammeRole::Mentor),
            (&ana, ProgrammeRole::Mentee),
            (&bea, ProgrammeRole::Mentee),
        ];
        let id = room(&t, p, RoomStatus::Active, &members).await;

        status(&t, id, &ana, json!({"action": "pause"}))
            .await
            .expect_error(403, "forbidden");
        status(&t, id, &mona, json!({"action": "pause"}))
            .await
            .expect(200);
        t.expect_emails(&[
            ("ana@example.org", "is paused"),
            ("bea@example.org", "is paused"),
        ])
        .await;

        // Leaving asks first: the page says what happens.
        let r = page(
            &t,
            "GET",
            &format!("/rooms/{id}/status?action=leave"),
            &ana,
            "",
        )
        .await;
        assert_eq!(r.status, 200);
        assert!(
            r.text.contains("Here is what happens")
                && r.text.contains(&format!("href=\"/rooms/{id}\"")),
            "{}",
            r.text
        );
        let r = page(
            &t,
            "POST",
            &format!("/rooms/{id}/status"),
            &ana,
            "action=leave&reason=time",
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.text);
        t.expect_emails(&[
            ("mona@example.org", "A member left"),
            ("bea@example.org", "A member left"),
        ])
        .await;
        let r = t
            .get(&format!("/api/v1/rooms/{id}"), ana.auth())
            .await
            .expect(200);
        assert_eq!(r.json["status"], "paused", "the room carries on");
        assert_eq!(r.json["members"][1]["state"], "left");
        // A member who left reads the room but moves it no more.
        status(&t, id, &ana, json!({"action": "end", "reason": "time"}))
            .await
            .expect_error(403, "forbidden");

        // The last mentee leaves: no longer a group, so the room ends.
        let r = status(&t, id, &bea, json!({"action": "leave"}))
            .await
            .expect(200);
        assert_eq!(r.json["status"], "ended_early");
        assert_eq!(r.json["end_reason"], "other");
        assert!(r.json["end_note"]
            .as_str()
            .unwrap()
            .contains("Bea Mentee left"));
        t.expect_email("mona@example.org", "has ended").await;
        let h = t
            .get(&format!("/api/v1/rooms/{id}/history"), mona.auth())
            .await
            .expect(200);
        let got = actions(&h.json);
        assert!(
            got.iter().filter(|a| *a == "leave").count() == 2 && got.contains(&"end".to_string()),
            "{got:?}"
        );

        t.finish().await;
    }
}

#[tokio::test]
async fn a_manager_completes_rooms_and_the_programme_closes_only_when_none_are_open() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let (p, max) = programme(&t, ProgrammeKind::OneToOne, MatchingMode::MenteesRequest).await;
        let mona = enrolled(
            &t,
            p,
            "mona@example.org",
            "Mona Mentor",
            ProgrammeRole::Mentor,
        )
        .await;
        let otto = enrolled(
            &t,
            p,
            "otto@example.org",
            "Otto Mentor",
            ProgrammeRole::Mentor,
        )
        .await;
        let ana = enrolled(
            &t,
            p,
            "ana@example.org",
            "Ana Mentee",
            ProgrammeRole::Mentee,
        )
        .await;
        let bea = enrolled(
            &t,
            p,
            "bea@example.org",
            "Bea Mentee",
            ProgrammeRole::Mentee,
        )
        .await;
        let first = room(
            &t,
            p,
            RoomStatus::Active,
            &[
                (&mona, ProgrammeRole::Mentor),
                (&ana, ProgrammeRole::Mentee),
            ],
        )
        .await;
        let second = room(
            &t,
            p,
            RoomStatus::Active,
            &[
                (&otto, ProgrammeRole::Mentor),
                (&bea, ProgrammeRole::Mentee),
            ],
        )
        .await;

        // Members cannot complete alone; the manager can.
        status(&t, first, &ana, json!({"action": "complete"}))
            .await
            .expect_error(403, "forbidden");
        let r = status(&t, first, &max, json!({"action": "complete"}))
            .await
            .expect(200);
        assert_eq!(r.json["status"], "completed");
        for to in ["mona@example.org", "ana@example.org"] {
            let mail = t.expect_email(to, "is complete").await;
            assert!(
                mail.body.contains("A programme manager confirmed it"),
                "{}",
                mail.body
            );
        }

        // The manager's list: every room, with its sessions.
        let list = t
            .get("/api/v1/programmes/spring/rooms", max.auth())
            .await
            .expect(200);
        assert_eq!(list.json["rooms"].as_array().unwrap().len(), 2);
        assert_eq!(list.json["rooms"][0]["sessions_held"], 0);
        t.get("/api/v1/programmes/spring/rooms", ana.auth())
            .await
            .expect_error(403, "forbidden");
        let r = page(&t, "GET", "/programmes/spring/rooms", &max, "").await;
        assert_eq!(r.status, 200);
        assert!(
            r.text.contains("Complete all open rooms") && r.text.contains("Bea Mentee"),
            "{}",
            r.text
        );

        // The programme cannot close while a room is open.
        let r = t
            .call(
                "POST",
                "/api/v1/programmes/spring/status",
                max.auth(),
                Some(json!({"status": "closed", "confirm": true})),
            )
            .await;
        let r = r.expect_error(409, "conflict");
        let message = r.json["error"]["message"].as_str().unwrap().to_string();
        assert!(
            message.contains("1 room") && message.contains("/rooms/complete"),
            "{message}"
        );

        // Complete-all asks first: 409 with the count, nothing changed.
        let r = t
            .call(
                "POST",
                "/api/v1/programmes/spring/rooms/complete",
                max.auth(),
                Some(json!({})),
            )
            .await;
        let r = r.expect_error(409, "conflict");
        assert!(
            r.json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("completes 1 open room"),
            "{}",
            r.json
        );
        let r = page(&t, "GET", "/programmes/spring/rooms/complete", &max, "").await;
        assert!(
            r.text.contains("Complete 1 room") && r.text.contains("Here is what happens"),
            "{}",
            r.text
        );
        t.call(
            "POST",
            "/api/v1/programmes/spring/rooms/complete",
            ana.auth(),
            Some(json!({"confirm": true})),
        )
        .await
        .expect_error(403, "forbidden");
        let r = t
            .call(
                "POST",
                "/api/v1/programmes/spring/rooms/complete",
                max.auth(),
                Some(json!({"confirm": true})),
            )
            .await
            .expect(200);
        assert_eq!(r.json["completed"], 1);
        for to in ["otto@example.org", "bea@example.org"] {
            let mail = t.expect_email(to, "is complete").await;
            assert!(
                mail.body.contains("has ended")
                    && mail.body.contains(&format!("/rooms/{second}/closure")),
                "{}",
                mail.body
            );
        }
        let h = t
            .get(&format!("/api/v1/rooms/{second}/history"), bea.auth())
            .await
            .expect(200);
        assert_eq!(h.json["events"][0]["action"], "complete");

        t.call(
            "POST",
            "/api/v1/programmes/spring/status",
            max.auth(),
            Some(json!({"status": "closed", "confirm": true})),
        )
        .await
        .expect(200);
        t.finish().await;
    }
}

#[tokio::test]
async fn a_declined_proposal_ends_with_the_declined_code_and_is_in_the_history() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let (p, max) = programme(&t, ProgrammeKind::OneToOne, MatchingMode::Managers).await;
        let mona = enrolled(
            &t,
            p,
            "mona@example.org",
            "Mona Mentor",
            ProgrammeRole::Mentor,
        )
        .await;
        let ana = enrolled(
            &t,
            p,
            "ana@example.org",
            "Ana Mentee",
            ProgrammeRole::Mentee,
        )
        .await;
        let id = room(
            &t,
            p,
            RoomStatus::Proposed,
            &[
                (&mona, ProgrammeRole::Mentor),
                (&ana, ProgrammeRole::Mentee),
            ],
        )
        .await;
        // A programme matched by its managers: while the room is proposed
        // the mentee is pending, not waiting for a match.
        let manager = t.actor(&max).await;
        let waiting =
            |c: &rapport_app::coverage::Coverage| c.waiting.iter().any(|w| w.person_id == ana.id);
        assert!(!waiting(&t.app.coverage(&manager, "spring").await.unwrap()));
        // Moves wait for the proposal to be answered.
        status(&t, id, &ana, json!({"action": "pause"}))
            .await
            .expect_error(409, "conflict");
        t.call(
            "POST",
            &format!("/api/v1/rooms/{id}/answer"),
            ana.auth(),
            Some(json!({"answer": "decline"})),
        )
        .await
        .expect(200);
        t.expect_email("mona@example.org", "will not go ahead")
            .await;
        let r = t
            .get(&format!("/api/v1/rooms/{id}"), mona.auth())
            .await
            .expect(200);
        // The room ended: the mentee is back in the pool the managers match from.
        assert!(waiting(&t.app.coverage(&manager, "spring").await.unwrap()));
        assert_eq!(r.json["end_reason"], "declined");
        assert!(r.json["end_note"]
            .as_str()
            .unwrap()
            .contains("Ana Mentee declined"));
        let h = t
            .get(&format!("/api/v1/rooms/{id}/history"), mona.auth())
            .await
            .expect(200);
        let got = actions(&h.json);
        assert!(
            got.contains(&"decline".to_string())
                && got.contains(&"end".to_string())
                && got.contains(&"propose".to_string()),
            "{got:?}"
        );
        let r = page(&t, "GET", &format!("/rooms/{id}/history"), &mona, "").await;
        assert_eq!(r.status, 200);
        assert!(
            r.text.contains("declined the proposal") && r.text.contains("Ana Mentee"),
            "{}",
            r.text
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn the_room_pages_offer_the_moves_and_ending_asks_first() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let (p, _) = programme(&t, ProgrammeKind::OneToOne, MatchingMode::MenteesRequest).await;
        let mona = enrolled(
            &t,
            p,
            "mona@example.org",
            "Mona Mentor",
            ProgrammeRole::Mentor,
        )
        .await;
        let ana = enrolled(
            &t,
            p,
            "ana@example.org",
            "Ana Mentee",
            ProgrammeRole::Mentee,
        )
        .await;
        let id = room(
            &t,
            p,
            RoomStatus::Active,
            &[
                (&mona, ProgrammeRole::Mentor),
                (&ana, ProgrammeRole::Mentee),
            ],
        )
        .await;

        let r = page(&t, "GET", &format!("/rooms/{id}"), &ana, "").await;
        assert_eq!(r.status, 200);
        for want in [
            "Room actions",
            "Pause the room",
            "Propose completing the room",
            &format!("href=\"/rooms/{id}/status?action=end\""),
            "History",
        ] {
            assert!(r.text.contains(want), "{want}: {}", r.text);
        }
        assert!(!r.text.contains("Leave the room"), "a pair cannot be left");

        let r = page(
            &t,
            "GET",
            &format!("/rooms/{id}/status?action=end"),
            &ana,
            "",
        )
        .await;
        assert_eq!(r.status, 200);
        for want in [
            "End this room early?",
            "Here is what happens",
            "seat is freed at once",
            "<select id=\"f-reason\" name=\"reason\"",
            "Cancel",
        ] {
            assert!(r.text.contains(want), "{want}: {}", r.text);
        }
        // Without a reason, the same page comes back with the error, 422.
        let r = page(
            &t,
            "POST",
            &format!("/rooms/{id}/status"),
            &ana,
            "action=end&note=Bye",
        )
        .await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert!(
            r.text.contains("Choose why the room ends") && r.text.contains(">Bye</textarea>"),
            "{}",
            r.text
        );
        let r = page(
            &t,
            "GET",
            &format!("/rooms/{id}/status?action=explode"),
            &ana,
            "",
        )
        .await;
        assert_eq!(r.status, 422);

        let r = page(
            &t,
            "POST",
            &format!("/rooms/{id}/status"),
            &ana,
            "action=end&reason=goals_met&note=Thanks",
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.text);
        assert_eq!(
            r.headers["location"],
            format!("/rooms/{id}?done=room_end").as_str()
        );
        t.expect_emails(&[
            ("mona@example.org", "has ended"),
            ("ana@example.org", "has ended"),
        ])
        .await;
        let r = page(&t, "GET", &format!("/rooms/{id}?done=room_end"), &ana, "").await;
        assert!(
            r.text.contains("The room has ended") && r.text.contains("The goals were met"),
            "{}",
            r.text
        );
        let r = page(&t, "GET", &format!("/rooms/{id}/history"), &ana, "").await;
        assert!(
            r.text.contains("ended the room") && r.text.contains("<p>Thanks</p>"),
            "{}",
            r.text
        );

        // My rooms: status and what each waits for.
        let other = room(
            &t,
            p,
            RoomStatus::Proposed,
            &[
                (&mona, ProgrammeRole::Mentor),
                (&ana, ProgrammeRole::Mentee),
            ],
        )
        .await;
        let r = page(&t, "GET", "/rooms", &ana, "").await;
        assert!(
            r.text.contains("Your answer to the proposal") && r.text.contains("ended early"),
            "{}",
            r.text
        );
        let r = page(&t, "GET", &format!("/rooms/{other}"), &ana, "").await;
        assert!(
            r.text.contains("Accept") && !r.text.contains("Room actions"),
            "{}",
            r.text
        );
        t.finish().await;
    }
}
