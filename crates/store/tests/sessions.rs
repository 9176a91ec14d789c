//! Conformance for the session work (migration 0008) on SQLite, and on
//! PostgreSQL when `RAPPORT_TEST_DATABASE_URL` is set: guarded moves, notes,
//! action items that carry over, one open reschedule per session, and one
//! feedback answer per member, each enforced by the database.

use rapport_domain::mentoring::{
    EnrolmentStatus, MemberState, RoomOrigin, RoomStatus, SessionStatus,
};
use rapport_domain::person::{AccountStatus, Profile};
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole, ProgrammeStatus};
use rapport_domain::sessions::RescheduleStatus;
use rapport_domain::values::{PersonName, Slug, TimeZoneName};
use rapport_domain::{ActionItemId, EnrolmentId, PersonId, RescheduleId, RoomId, SessionId};
use rapport_store::testing::{fresh_store, test_database_kinds};
use rapport_store::*;

fn person(email: &str, name: &str) -> NewPerson {
    NewPerson {
        id: PersonId::new(),
        email: email.into(),
        status: AccountStatus::Active,
        is_admin: false,
        password_hash: Some("hash".into()),
        email_verified_at: None,
        profile: Profile::new(PersonName::parse("name", name).unwrap()),
        now: 1_000,
    }
}

fn session(room: RoomId, starts_at: i64) -> SessionRecord {
    SessionRecord {
        id: SessionId::new(),
        room_id: room,
        series_id: None,
        organiser_id: None,
        starts_at,
        minutes: 60,
        zone: TimeZoneName::parse("zone", "Asia/Kolkata").unwrap(),
        agenda: "Agenda".into(),
        link: None,
        place: None,
        status: SessionStatus::Scheduled,
        cancelled_by: None,
        cancel_reason: None,
        uid: uuid::Uuid::new_v4().to_string(),
        sequence: 0,
        created_at: 1,
        updated_at: 1,
    }
}

/// An active room of a mentor and a mentee, and its ids.
async fn active_room(store: &Store) -> (RoomId, PersonId, PersonId) {
    let mentor = person("mentor@example.org", "Mentor");
    let mentee = person("mentee@example.org", "Mentee");
    let programme = ProgrammeRecord::new(
        Slug::parse("slug", "sessions").unwrap(),
        "Sessions",
        ProgrammeKind::OneToOne,
        ProgrammeStatus::Running,
        0,
    );
    let mut tx = store.write().await.unwrap();
    tx.insert_programme(&programme).await.unwrap();
    for (p, role) in [
        (&mentor, ProgrammeRole::Mentor),
        (&mentee, ProgrammeRole::Mentee),
    ] {
        tx.insert_person(p).await.unwrap();
        tx.insert_enrolment(&EnrolmentRecord {
            id: EnrolmentId::new(),
            programme_id: programme.id,
            person_id: p.id,
            role,
            status: EnrolmentStatus::Approved,
            capacity: 1,
            answers: Default::default(),
            preferences: Default::default(),
            consent_sensitive: false,
            created_at: 0,
            conduct_accepted_at: None,
            decided_at: None,
        })
        .await
        .unwrap();
    }
    let room = RoomId::new();
    tx.insert_room(
        &NewRoom {
            id: room,
            programme_id: programme.id,
            status: RoomStatus::Active,
            origin: RoomOrigin::Request,
            members: vec![
                (mentor.id, ProgrammeRole::Mentor, MemberState::Accepted),
                (mentee.id, ProgrammeRole::Mentee, MemberState::Accepted),
            ],
            round_id: None,
        },
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (room, mentor.id, mentee.id)
}

fn constraint(e: StoreError) -> String {
    match e {
        StoreError::Conflict { constraint } => constraint,
        other => panic!("expected a constraint error, got {other:?}"),
    }
}

#[tokio::test]
async fn session_work_round_trips_and_the_database_keeps_its_rules() {
    for kind in test_database_kinds() {
        let (store, _dir) = fresh_store(kind).await.unwrap();
        let (room, mentor, mentee) = active_room(&store).await;
        let (first, second) = (session(room, 100_000), session(room, 200_000));
        let mut tx = store.write().await.unwrap();
        tx.insert_session(&first).await.unwrap();
        tx.insert_session(&second).await.unwrap();

        // Details and moves change only a scheduled session, each a new sequence.
        assert!(tx
            .update_session_details(
                first.id,
                90,
                "New",
                Some("https://x.example"),
                Some("Café"),
                5
            )
            .await
            .unwrap());
        assert!(tx.move_session(first.id, 150_000, 6).await.unwrap());
        let got = tx.session(first.id).await.unwrap().unwrap();
        assert_eq!(
            (
                got.minutes,
                got.agenda.as_str(),
                got.starts_at,
                got.sequence,
                got.place.as_deref()
            ),
            (90, "New", 150_000, 2, Some("Café"))
        );
        assert!(tx
            .set_session_status(first.id, SessionStatus::Held, None, None, 7)
            .await
            .unwrap());
        assert!(!tx.move_session(first.id, 160_000, 8).await.unwrap());
        assert!(!tx
            .update_session_details(first.id, 30, "", None, None, 8)
            .await
            .unwrap());
        assert!(!tx
            .set_session_status(
                first.id,
                SessionStatus::Cancelled,
                Some(mentor),
                Some("x"),
                8
            )
            .await
            .unwrap());

        // A room's sessions page latest first by start.
        let page = tx
            .sessions_of_room_page(room, rapport_store::page::Start::Offset(0), 1)
            .await
            .unwrap();
        assert_eq!(page.items[0].id, second.id);
        let next = tx
            .sessions_of_room_page(
                room,
                rapport_store::page::Start::Cursor(page.next.unwrap()),
                1,
            )
            .await
            .unwrap();
        assert_eq!(next.items[0].id, first.id);
        assert!(next.next.is_none() && next.prev.is_some());

        // Notes: one text per session, replaced on save.
        assert!(tx.session_notes(first.id).await.unwrap().is_none());
        tx.set_session_notes(first.id, "one", mentor, 9)
            .await
            .unwrap();
        tx.set_session_notes(first.id, "two", mentee, 10)
            .await
            .unwrap();
        let notes = tx.session_notes(first.id).await.unwrap().unwrap();
        assert_eq!(
            (notes.body.as_str(), notes.updated_by, notes.updated_at),
            ("two", Some(mentee), 10)
        );

        // Action items carry over to later sessions until done.
        let mut item = ActionItemRecord {
            id: ActionItemId::new(),
            session_id: first.id,
            room_id: room,
            owner_id: Some(mentee),
            title: "Read".into(),
            due_on: sqlx::types::chrono::NaiveDate::from_ymd_opt(2026, 12, 8),
            done_at: None,
            created_by: Some(mentor),
            created_at: 11,
            updated_at: 11,
        };
        tx.insert_action_item(&item).await.unwrap();
        assert_eq!(tx.action_item(item.id).await.unwrap().unwrap(), item);
        assert_eq!(
            tx.action_items_of_session(first.id).await.unwrap(),
            [item.clone()]
        );
        assert_eq!(
            tx.open_action_items_before(room, second.starts_at)
                .await
                .unwrap(),
            [item.clone()]
        );
        assert!(tx
            .open_action_items_before(room, 150_000)
            .await
            .unwrap()
            .is_empty());
        item.done_at = Some(12);
        tx.update_action_item(&item).await.unwrap();
        assert!(tx
            .open_action_items_before(room, second.starts_at)
            .await
            .unwrap()
            .is_empty());
        tx.commit().await.unwrap();
        let mut empty = item.clone();
        empty.id = ActionItemId::new();
        empty.title = String::new();
        let mut tx = store.write().await.unwrap();
        assert!(
            tx.insert_action_item(&empty).await.is_err(),
            "a title is required"
        );
        drop(tx);

        // One open reschedule proposal per session.
        let proposal = |id| RescheduleRecord {
            id,
            session_id: second.id,
            proposed_by: Some(mentor),
            starts_at: 300_000,
            zone: TimeZoneName::utc(),
            status: RescheduleStatus::Open,
            created_at: 13,
            decided_at: None,
            answers: vec![],
        };
        let open = proposal(RescheduleId::new());
        let mut tx = store.write().await.unwrap();
        tx.insert_reschedule(&open).await.unwrap();
        tx.answer_reschedule(open.id, mentor, true, 14)
            .await
            .unwrap();
        tx.answer_reschedule(open.id, mentee, false, 15)
            .await
            .unwrap();
        tx.answer_reschedule(open.id, mentee, true, 16)
            .await
            .unwrap();
        let read = tx.open_reschedule(second.id).await.unwrap().unwrap();
        assert_eq!(read.answers, [(mentor, true), (mentee, true)]);
        tx.commit().await.unwrap();
        let mut tx = store.write().await.unwrap();
        let e = tx
            .insert_reschedule(&proposal(RescheduleId::new()))
            .await
            .unwrap_err();
        assert_eq!(
            constraint(e),
            "session_reschedules_session_id_key",
            "{kind}"
        );
        drop(tx);
        let mut tx = store.write().await.unwrap();
        assert!(tx
            .close_reschedule(open.id, RescheduleStatus::Accepted, 17)
            .await
            .unwrap());
        assert!(!tx
            .close_reschedule(open.id, RescheduleStatus::Declined, 18)
            .await
            .unwrap());
        assert!(tx.open_reschedule(second.id).await.unwrap().is_none());
        tx.insert_reschedule(&proposal(RescheduleId::new()))
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // Feedback: one answer per member, rated 1 to 4.
        let feedback = |person, rating| FeedbackRecord {
            session_id: first.id,
            person_id: person,
            rating,
            comment: "fine".into(),
            created_at: 20,
        };
        let mut tx = store.write().await.unwrap();
        tx.insert_feedback(&feedback(mentor, 4)).await.unwrap();
        tx.insert_feedback(&feedback(mentee, 1)).await.unwrap();
        assert_eq!(tx.session_feedback(first.id, None).await.unwrap().len(), 2);
        assert_eq!(
            tx.session_feedback(first.id, Some(mentee)).await.unwrap(),
            [feedback(mentee, 1)]
        );
        tx.commit().await.unwrap();
        let mut tx = store.write().await.unwrap();
        let e = tx.insert_feedback(&feedback(mentee, 2)).await.unwrap_err();
        assert_eq!(
            constraint(e),
            "session_feedback_session_id_person_id_key",
            "{kind}"
        );
        drop(tx);
        let mut tx = store.write().await.unwrap();
        let e = tx
            .insert_feedback(&FeedbackRecord {
                session_id: second.id,
                ..feedback(mentee, 5)
            })
            .await
            .unwrap_err();
        assert!(
            constraint(e).contains("rating") || kind == "postgres",
            "{kind}"
        );
        drop(tx);
        store.close().await;
    }
}

#[tokio::test]
async fn the_sessions_tab_reads_what_is_ahead_and_pages_the_rest() {
    const HOUR: i64 = 3_600_000;
    for kind in test_database_kinds() {
        let (store, _dir) = fresh_store(kind).await.unwrap();
        let (room, mentor, _) = active_room(&store).await;
        let now = 100 * HOUR;
        // Held yesterday; over but not marked; under way now; next week;
        // cancelled for tomorrow.
        let held = session(room, now - 24 * HOUR);
        let unmarked = session(room, now - 2 * HOUR);
        let under_way = session(room, now - HOUR / 2);
        let ahead = session(room, now + 7 * 24 * HOUR);
        let cancelled = session(room, now + 24 * HOUR);
        let mut tx = store.write().await.unwrap();
        for s in [&held, &unmarked, &under_way, &ahead, &cancelled] {
            tx.insert_session(s).await.unwrap();
        }
        tx.set_session_status(held.id, SessionStatus::Held, None, None, 2)
            .await
            .unwrap();
        tx.set_session_status(
            cancelled.id,
            SessionStatus::Cancelled,
            Some(mentor),
            Some("ill"),
            2,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.read().await.unwrap();
        let upcoming: Vec<SessionId> = tx
            .upcoming_sessions(room, now)
            .await
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(upcoming, vec![under_way.id, ahead.id], "{kind:?}");

        // The rest, latest start first, two at a time.
        let first = tx
            .past_sessions_page(room, now, page::Start::Offset(0), 2)
            .await
            .unwrap();
        let ids: Vec<SessionId> = first.items.iter().map(|s| s.id).collect();
        assert_eq!(ids, vec![cancelled.id, unmarked.id], "{kind:?}");
        assert!(first.prev.is_none());
        let second = tx
            .past_sessions_page(room, now, page::Start::Cursor(first.next.unwrap()), 2)
            .await
            .unwrap();
        let ids: Vec<SessionId> = second.items.iter().map(|s| s.id).collect();
        assert_eq!(ids, vec![held.id], "{kind:?}");
        assert!(second.next.is_none());
        let back = tx
            .past_sessions_page(room, now, page::Start::Cursor(second.prev.unwrap()), 2)
            .await
            .unwrap();
        let ids: Vec<SessionId> = back.items.iter().map(|s| s.id).collect();
        assert_eq!(ids, vec![cancelled.id, unmarked.id], "{kind:?}");
    }
}
