//! Request rules at the use-case level, on every database: permissions, the
//! limit of open requests, expiry, and fifty concurrent accepts against a
//! capacity of two.

use rapport_app::{Actor, App, AppError, ManualClock};
use rapport_domain::mentoring::EnrolmentStatus;
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole, ProgrammeStatus};
use rapport_domain::values::Slug;
use rapport_domain::{EnrolmentId, PersonId, ProgrammeId};
use rapport_store::{EnrolmentRecord, ProgrammeRecord};
use rapport_web::testing::{test_database_kinds, TestApp};
use std::sync::Arc;

struct Setup {
    app: App,
    clock: Arc<ManualClock>,
    programme: ProgrammeId,
    mentor: Actor,
    mentees: Vec<Actor>,
    /// The shared harness; `app` and `clock` are its own.
    t: TestApp,
}

async fn setup(kind: &'static str, mentees: usize, capacity: i32) -> Setup {
    let t = TestApp::new(kind).await;
    let (app, clock) = (t.app.clone(), t.clock.clone());
    let store = t.store().clone();
    let programme = ProgrammeRecord {
        matching_mode: rapport_domain::programme::MatchingMode::MenteesRequest,
        ..ProgrammeRecord::new(
            Slug::parse("slug", "spring").unwrap(),
            "Spring",
            ProgrammeKind::OneToOne,
            ProgrammeStatus::Open,
            0,
        )
    };
    let mut tx = store.write().await.unwrap();
    tx.insert_programme(&programme).await.unwrap();
    tx.commit().await.unwrap();
    let enrol = |person: PersonId, role: ProgrammeRole| EnrolmentRecord {
        id: EnrolmentId::new(),
        programme_id: programme.id,
        person_id: person,
        role,
        status: EnrolmentStatus::Approved,
        capacity: if role == ProgrammeRole::Mentor {
            capacity
        } else {
            0
        },
        answers: Default::default(),
        preferences: Default::default(),
        consent_sensitive: false,
        created_at: 0,
        conduct_accepted_at: None,
        decided_at: None,
    };
    let mentor_id = app
        .create_user("mentor@example.org", "Mona Mentor", "long enough pw", false)
        .await
        .unwrap();
    let mut ids = vec![];
    for i in 0..mentees {
        ids.push(
            app.create_user(
                &format!("m{i}@example.org"),
                &format!("Mentee {i}"),
                "long enough pw",
                false,
            )
            .await
            .unwrap(),
        );
    }
    let mut tx = store.write().await.unwrap();
    tx.insert_enrolment(&enrol(mentor_id, ProgrammeRole::Mentor))
        .await
        .unwrap();
    for id in &ids {
        tx.insert_enrolment(&enrol(*id, ProgrammeRole::Mentee))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let mentor = app.actor(mentor_id).await.unwrap();
    let mut actors = vec![];
    for id in ids {
        actors.push(app.actor(id).await.unwrap());
    }
    Setup {
        app,
        clock,
        programme: programme.id,
        mentor,
        mentees: actors,
        t,
    }
}

#[tokio::test]
async fn fifty_concurrent_accepts_at_capacity_two() {
    for kind in test_database_kinds() {
        let s = setup(kind, 50, 2).await;
        let mut requests = vec![];
        for m in &s.mentees {
            requests.push(
                s.app
                    .send_request(m, s.programme, s.mentor.person_id, "Hello")
                    .await
                    .unwrap(),
            );
        }
        let handles: Vec<_> = requests
            .into_iter()
            .map(|id| {
                let (app, mentor) = (s.app.clone(), s.mentor.clone());
                tokio::spawn(async move { app.accept_request(&mentor, id).await })
            })
            .collect();
        let (mut ok, mut full) = (0, 0);
        for h in handles {
            match h.await.unwrap() {
                Ok(_) => ok += 1,
                Err(AppError::Conflict { message, .. }) if message.contains("no space left") => {
                    full += 1
                }
                Err(other) => panic!("{kind}: a refused accept must be a clear 409, got {other:?}"),
            }
        }
        assert_eq!((ok, full), (2, 48), "{kind}");
        let mut in_rooms = 0;
        for m in &s.mentees {
            in_rooms += s.app.export_my_data(m).await.unwrap()["rooms"]
                .as_array()
                .unwrap()
                .len();
        }
        assert_eq!(in_rooms, 2, "exports list the rooms people belong to");
        let mut tx = s.app.store_for_tests().read().await.unwrap();
        assert_eq!(
            tx.mentor_load(s.programme, s.mentor.person_id)
                .await
                .unwrap(),
            2
        );
        let asked = s.t.take_emails_about("asks you to be their mentor").await;
        assert_eq!(asked.len(), 50, "every request told the mentor");
        let accepted =
            s.t.take_emails_about("Your mentoring request was accepted")
                .await;
        assert_eq!(
            accepted.len(),
            2,
            "only the accepts within capacity told the mentee"
        );
        s.t.finish().await;
    }
}

#[tokio::test]
async fn request_rules() {
    for kind in test_database_kinds() {
        let s = setup(kind, 3, 5).await;
        let (a, b) = (&s.mentees[0], &s.mentees[1]);
        // Nobody can ask themselves, and only enrolled mentors can be asked.
        assert!(
            matches!(s.app.send_request(a, s.programme, a.person_id, "").await, Err(AppError::Invalid(e)) if e[0].field == "mentor_id")
        );
        assert!(
            matches!(s.app.send_request(a, s.programme, b.person_id, "").await, Err(AppError::Invalid(e)) if e[0].field == "mentor_id")
        );
        // A mentor who is not enrolled as a mentee cannot send requests.
        assert!(matches!(
            s.app
                .send_request(&s.mentor, s.programme, a.person_id, "")
                .await,
            Err(AppError::Forbidden(_))
        ));

        let r = s
            .app
            .send_request(a, s.programme, s.mentor.person_id, "Hi")
            .await
            .unwrap();
        assert!(
            matches!(
                s.app
                    .send_request(a, s.programme, s.mentor.person_id, "Again")
                    .await,
                Err(AppError::Conflict {
                    field: Some("mentor_id"),
                    ..
                })
            ),
            "one open request per pair"
        );
        // Only the recipient answers; only the sender withdraws; outsiders do not see it.
        assert!(matches!(
            s.app.accept_request(a, r).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            s.app.accept_request(b, r).await,
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            s.app.withdraw_request(&s.mentor, r).await,
            Err(AppError::Forbidden(_))
        ));
        s.app
            .decline_request(&s.mentor, r, "I am away this quarter")
            .await
            .unwrap();
        assert!(
            matches!(
                s.app.accept_request(&s.mentor, r).await,
                Err(AppError::Conflict { .. })
            ),
            "a declined request cannot be accepted"
        );

        // The mentee's data export holds their enrolment and the request.
        let export = s.app.export_my_data(a).await.unwrap();
        assert_eq!(export["enrolments"].as_array().unwrap().len(), 1);
        // Answers and preferences are exported as JSON objects, not as
        // JSON text inside JSON.
        assert!(export["enrolments"][0]["answers"].is_object());
        assert_eq!(
            export["enrolments"][0]["preferences"],
            serde_json::json!({"gender": null, "department": null, "avoid": []})
        );
        assert_eq!(export["requests"][0]["status"], "declined");
        assert_eq!(export["requests"][0]["your_side"], "mentee");

        // Expired requests cannot be accepted.
        let r2 = s
            .app
            .send_request(b, s.programme, s.mentor.person_id, "Hi")
            .await
            .unwrap();
        s.clock
            .advance(rapport_app::requests::DEFAULT_EXPIRY_MS + 1);
        assert!(matches!(
            s.app.accept_request(&s.mentor, r2).await,
            Err(AppError::Conflict { .. })
        ));

        // The mentor's email arrived for each request (matching kind, with an unsubscribe link).
        let mut tx = s.app.store_for_tests().read().await.unwrap();
        let mails = tx.outbox_of(s.mentor.person_id).await.unwrap();
        assert!(mails
            .iter()
            .any(|m| m.subject == "Mentee 0 asks you to be their mentor"
                && m.body.contains("/unsubscribe?")));
        s.t.expect_emails(&[
            ("mentor@example.org", "Mentee 0 asks you to be their mentor"),
            ("mentor@example.org", "Mentee 1 asks you to be their mentor"),
            ("m0@example.org", "Your request in Spring"),
        ])
        .await;
        s.t.finish().await;
    }
}

/// The rule lives in `App::block`, so every caller (web, API, CLI) keeps it:
/// blocking someone whose profile you cannot see is 404, as seeing it is.
#[tokio::test]
async fn you_can_only_block_someone_you_can_see() {
    let s = setup("sqlite", 1, 1).await;
    let hidden = s
        .app
        .create_user("hana@example.org", "Hana Hidden", "long enough pw", false)
        .await
        .unwrap();
    let hana = s.app.actor(hidden).await.unwrap();
    let input = rapport_domain::person::ProfileInput {
        name: "Hana Hidden".into(),
        level: "team_leader".into(),
        years_experience: "3".into(),
        skills_offered: "Coaching".into(),
        skills_wanted: "Coaching".into(),
        languages: "English".into(),
        time_zone: "Europe/Lisbon".into(),
        visibility: "private".into(),
        ..Default::default()
    };
    s.app.update_profile(&hana, hidden, &input).await.unwrap();
    let mentee = &s.mentees[0];
    let err = s.app.block(mentee, hidden).await.unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    assert!(
        !s.app.blocks(mentee, hidden).await.unwrap(),
        "nothing stored"
    );
    // Someone the actor can see is blocked, and a private person can still
    // block whoever they can see.
    s.app.block(mentee, s.mentor.person_id).await.unwrap();
    assert!(s.app.blocks(mentee, s.mentor.person_id).await.unwrap());
    s.app.block(&hana, mentee.person_id).await.unwrap();
    assert!(s.app.blocks(&hana, mentee.person_id).await.unwrap());
    s.t.finish().await;
}

/// An operator disables a mentee, then the mentor (`rapport admin
/// disable-user`): each can no longer sign in, their sessions and tokens stop
/// working, and their open requests are closed with the other side told.
#[tokio::test]
async fn disabling_an_account_closes_its_requests_and_tells_the_other_side() {
    use rapport_app::accounts::ClientInfo;
    for kind in test_database_kinds() {
        let s = setup(kind, 2, 5).await;
        let (a, b) = (&s.mentees[0], &s.mentees[1]);
        s.app
            .send_request(a, s.programme, s.mentor.person_id, "Hi")
            .await
            .unwrap();
        s.app
            .send_request(b, s.programme, s.mentor.person_id, "Hello")
            .await
            .unwrap();
        s.t.expect_emails(&[
            ("mentor@example.org", "Mentee 0 asks you"),
            ("mentor@example.org", "Mentee 1 asks you"),
        ])
        .await;
        let session = s
            .app
            .sign_in(
                "m0@example.org",
                "long enough pw",
                &ClientInfo::default(),
                None,
            )
            .await
            .unwrap();
        let token = s.app.create_api_token(a, "scripts").await.unwrap();

        let change = s
            .app
            .operator_set_disabled("M0@example.org", true)
            .await
            .unwrap();
        assert!(
            change.changed && change.sessions_ended,
            "{kind}: {change:?}"
        );
        assert_eq!(
            (change.tokens_revoked, change.requests_closed),
            (1, 1),
            "{kind}"
        );
        s.t.expect_email(
            "mentor@example.org",
            "A mentoring request in Spring is closed",
        )
        .await;
        assert!(
            s.app.authenticate_session(&session.token).await.is_err(),
            "{kind}: the session ended"
        );
        assert!(
            s.app.authenticate_token(&token.secret).await.is_err(),
            "{kind}: the token is revoked"
        );
        let refused = s
            .app
            .sign_in(
                "m0@example.org",
                "long enough pw",
                &ClientInfo::default(),
                None,
            )
            .await;
        assert!(
            matches!(&refused, Err(AppError::Forbidden(m)) if m.contains("disabled")),
            "{kind}: {refused:?}"
        );
        let again = s
            .app
            .operator_set_disabled("m0@example.org", true)
            .await
            .unwrap();
        assert!(!again.changed, "{kind}: disabling twice changes nothing");

        // The mentor leaves: Mentee 1's request is closed and, with no other
        // mentor on their list, they are told.
        let change = s
            .app
            .operator_set_disabled("mentor@example.org", true)
            .await
            .unwrap();
        assert_eq!(change.requests_closed, 1, "{kind}");
        s.t.expect_email("m1@example.org", "Your request in Spring")
            .await;
        let mine = s.app.my_requests(b).await.unwrap();
        assert!(mine.iter().all(|r| !r.request.status.is_open()), "{kind}");

        // Enabled again, the mentee signs in; what was closed stays closed.
        assert!(
            s.app
                .operator_set_disabled("m0@example.org", false)
                .await
                .unwrap()
                .changed
        );
        s.app
            .sign_in(
                "m0@example.org",
                "long enough pw",
                &ClientInfo::default(),
                None,
            )
            .await
            .unwrap();
        s.t.finish().await;
    }
}

#[tokio::test]
async fn disabling_an_account_ends_its_open_rooms_as_left_organisation() {
    use rapport_domain::mentoring::{EndReason, RoomStatus};
    for kind in test_database_kinds() {
        let s = setup(kind, 1, 1).await;
        let mentee = &s.mentees[0];
        let request = s
            .app
            .send_request(mentee, s.programme, s.mentor.person_id, "Hi")
            .await
            .unwrap();
        let room = s.app.accept_request(&s.mentor, request).await.unwrap();
        s.t.take_emails().await;
        assert_eq!(
            s.app.room(&s.mentor, room).await.unwrap().room.status,
            RoomStatus::Active,
            "{kind}"
        );

        s.app
            .operator_set_disabled("m0@example.org", true)
            .await
            .unwrap();
        let v = s.app.room(&s.mentor, room).await.unwrap();
        assert_eq!(v.room.status, RoomStatus::EndedEarly, "{kind}");
        assert_eq!(
            v.room.end_reason,
            Some(EndReason::LeftOrganisation),
            "{kind}"
        );
        let history = s
            .app
            .room_history(&s.mentor, room, &Default::default())
            .await
            .unwrap();
        assert!(
            history.items.iter().any(|e| e.to == RoomStatus::EndedEarly),
            "{kind}: the ending is in the room's history"
        );
        s.t.expect_email("mentor@example.org", "Your room in Spring has ended")
            .await;
        s.t.finish().await;
    }
}

/// Every time in a request's emails is the recipient's, with the zone named:
/// a mentor in Asia/Kolkata (UTC+5:30) reads the expiry in their own zone,
/// in the request email and in the reminder.
#[tokio::test]
async fn request_emails_show_the_expiry_in_the_recipients_zone() {
    for kind in test_database_kinds() {
        let s = setup(kind, 1, 1).await;
        let input = rapport_domain::person::ProfileInput {
            name: "Mona Mentor".into(),
            level: "team_leader".into(),
            years_experience: "3".into(),
            skills_offered: "Coaching".into(),
            skills_wanted: "Coaching".into(),
            languages: "English".into(),
            time_zone: "Asia/Kolkata".into(),
            visibility: "members".into(),
            ..Default::default()
        };
        s.app
            .update_profile(&s.mentor, s.mentor.person_id, &input)
            .await
            .unwrap();
        let now = rapport_app::Clock::now_ms(&*s.clock);
        s.app
            .send_request(&s.mentees[0], s.programme, s.mentor.person_id, "Hi")
            .await
            .unwrap();
        let mut tx = s.t.store().read().await.unwrap();
        let p = tx.programme(s.programme).await.unwrap().unwrap();
        drop(tx);
        let expires = now + i64::from(p.request_expiry_days.max(1)) * rapport_domain::pulse::DAY_MS;
        let local = rapport_domain::values::TimeZoneName::parse("zone", "Asia/Kolkata")
            .unwrap()
            .local_at(expires, now);
        assert!(local.ends_with("(Kolkata)"), "{local}");
        let mail =
            s.t.expect_email("mentor@example.org", "Mentee 0 asks you to be their mentor")
                .await;
        assert!(mail.body.contains(&local), "{}", mail.body);
        assert!(!mail.body.contains("UTC"), "{}", mail.body);
        s.clock
            .advance(expires - now - rapport_app::requests::REMIND_BEFORE_MS + 1);
        assert_eq!(s.app.sweep_requests().await.unwrap().1, 1);
        let mail =
            s.t.expect_email("mentor@example.org", "A mentoring request expires soon")
                .await;
        assert!(mail.body.contains(&local), "{}", mail.body);
        assert!(!mail.body.contains("UTC"), "{}", mail.body);
        s.t.finish().await;
    }
}
