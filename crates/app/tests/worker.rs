//! The job worker of `rapport serve`: asked to stop (SIGTERM, a rolling
//! upgrade), it does not drain a backlog first. The jobs it leaves are
//! still queued, for the other servers or its next start.

use rapport_web::testing::{test_database_kinds, TestApp};
use std::time::Duration;

#[tokio::test]
async fn a_worker_asked_to_stop_leaves_the_backlog_queued() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        t.app
            .create_user("ana@example.org", "Ana", "long enough pw", false)
            .await
            .unwrap();
        for _ in 0..3 {
            t.app.forgot_password("ana@example.org").await.unwrap();
        }
        let pending = || async {
            let mut tx = t.app.store_for_tests().read().await.unwrap();
            tx.job_counts().await.unwrap().0
        };
        assert_eq!(pending().await, 3, "{kind}");

        let (stop, rx) = tokio::sync::watch::channel(false);
        stop.send(true).unwrap();
        tokio::time::timeout(
            Duration::from_secs(30),
            t.app.run_worker(Duration::from_secs(3600), rx),
        )
        .await
        .expect("a stopped worker returns at once, without waiting for the next poll");
        assert_eq!(pending().await, 3, "{kind}: nothing ran after the stop");

        // The backlog is intact: the next worker delivers it.
        assert_eq!(t.app.run_due_jobs().await.unwrap(), 3, "{kind}");
        for _ in 0..3 {
            t.expect_email("ana@example.org", "password").await;
        }
        t.finish().await;
    }
}
