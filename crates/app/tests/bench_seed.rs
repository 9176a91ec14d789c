//! The room benchmarks' seeder (`rapport bench seed`, see bench/rooms) on
//! every database: the measured room holds what it was asked for, written
//! through the use cases (sessions held, cancelled and ahead; messages; notes
//! private and shared), its sign-in session and API token work, and a
//! database with people in it is refused.

use rapport_app::bench::{seed, RoomSize};
use rapport_app::lists::ListQuery;
use rapport_app::{AppConfig, AppError};
use rapport_domain::mentoring::SessionStatus;
use rapport_web::testing::{test_database_kinds, TestApp};

#[tokio::test]
async fn seeds_the_measured_room_through_the_use_cases() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let config = || AppConfig {
            outbox_dir: t.outbox_dir().to_path_buf(),
            ..AppConfig::default()
        };
        let size = RoomSize {
            sessions: 10,
            messages: 24,
            notes: 6,
        };
        let now = t.app.now();
        let s = seed(t.store(), config(), 5, size, now).await.unwrap();
        assert_eq!(s.rooms, 5);

        let (ben, _) = t.app.authenticate_session(&s.mentee_cookie).await.unwrap();
        assert_eq!(
            t.app
                .authenticate_token(&s.mentee_token)
                .await
                .unwrap()
                .person_id,
            ben.person_id
        );
        let sessions = t.app.room_sessions(&ben, s.room).await.unwrap().sessions;
        assert_eq!(sessions.len(), 10, "{kind}");
        let count = |st: SessionStatus| sessions.iter().filter(|x| x.status == st).count();
        // Eight sessions are over by `now`: the eighth was cancelled, the rest
        // held; the other two have not ended.
        assert_eq!(count(SessionStatus::Held), 7, "{kind}");
        assert_eq!(count(SessionStatus::Cancelled), 1, "{kind}");
        assert_eq!(count(SessionStatus::Scheduled), 2, "{kind}");
        assert!(sessions
            .iter()
            .filter(|x| x.status == SessionStatus::Scheduled)
            .all(|x| x.ends_at() > now));

        let all = ListQuery {
            limit: Some(100),
            ..ListQuery::default()
        };
        let messages = t.app.room_messages(&ben, s.room, &all).await.unwrap();
        assert_eq!(messages.items.len(), 24, "{kind}");
        // The mentee reads their two private notes and the four shared ones.
        let notes = t.app.room_notes(&ben, s.room, &all).await.unwrap();
        assert_eq!(notes.items.len(), 6, "{kind}");
        let (mia, _) = t.app.authenticate_session(&s.manager_cookie).await.unwrap();
        assert_ne!(mia.person_id, ben.person_id);

        let again = seed(t.store(), config(), 5, size, now).await;
        assert!(matches!(again, Err(AppError::Conflict { .. })), "{kind}");
        // The seeder delivers what the room queued, as the worker would.
        t.take_emails().await;
        t.finish().await;
    }
}
