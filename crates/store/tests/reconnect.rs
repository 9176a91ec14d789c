//! PostgreSQL: a pooled connection the server has closed costs no request.
//! The pool does not ping a connection before handing it out (that was a
//! round trip before every transaction; issue 20). A transaction's `BEGIN`
//! finds a closed one instead, and the store tries another
//! (`pg_begin` in `crates/store/src/lib.rs`). Runs when
//! `RAPPORT_TEST_DATABASE_URL` is set (CI sets it); SQLite has no server to
//! hang up.

use rapport_store::testing::{fresh_database_url, test_database_kinds};
use rapport_store::Store;

#[tokio::test]
async fn transactions_replace_connections_the_server_closed() {
    if !test_database_kinds().contains(&"postgres") {
        return;
    }
    let (url, _dir) = fresh_database_url("postgres").await.unwrap();
    let store = Store::connect_with(&url, Some(4)).await.unwrap();
    // Four idle connections: four transactions at once, then released
    // (a release pings and returns the connection in a task of its own).
    let mut open = Vec::new();
    for _ in 0..4 {
        open.push(store.read().await.unwrap());
    }
    drop(open);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(store.pool_stats(), (4, 4), "four idle connections");

    // What a server restart does to them, waiting until each has gone.
    let other = sqlx::PgPool::connect(&url).await.unwrap();
    let closed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .fetch_one(&other)
    .await
    .unwrap();
    other.close().await;
    assert_eq!(closed, 4, "the server closed the pool's four connections");

    // Reads and a write, each on what the pool holds: dead connections
    // first, replaced without an error reaching the caller.
    for _ in 0..6 {
        store
            .ping()
            .await
            .expect("a read after the server closed the pool's connections");
    }
    let tx = store
        .write()
        .await
        .expect("a write after the server closed them");
    tx.commit().await.unwrap();
}
