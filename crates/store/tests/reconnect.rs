//! PostgreSQL connections. A pooled connection the server has closed costs
//! no request, and a server on this machine is spoken to without TLS unless
//! the URL asks for it.
//! The pools do not ping a connection before handing it out (that was a
//! round trip before every transaction; issue 20). A transaction's `BEGIN`
//! finds a closed one instead, and the store tries another
//! (`pg_begin` in `crates/store/src/lib.rs`); a read, which has no `BEGIN`,
//! pings a connection that sat idle for over a second (a server restart
//! takes longer than that). Runs when
//! `RAPPORT_TEST_DATABASE_URL` is set (CI sets it); SQLite has no server to
//! hang up.

use rapport_store::testing::{fresh_database_url, test_database_kinds};
use rapport_store::{AuditRecord, Store, StoreError};

/// An audit entry: something to write.
fn audit() -> AuditRecord {
    AuditRecord {
        id: uuid::Uuid::new_v4(),
        actor_id: None,
        actor_name: "Test".into(),
        action: "test.write".into(),
        subject: "test:read-pool".into(),
        before_json: None,
        after_json: None,
        created_at: 0,
    }
}

#[tokio::test]
async fn transactions_replace_connections_the_server_closed() {
    if !test_database_kinds().contains(&"postgres") {
        return;
    }
    let (url, _dir) = fresh_database_url("postgres").await.unwrap();
    let store = Store::connect_with(&url, Some(4)).await.unwrap();
    // Four idle connections in each pool: four reads of each kind and four
    // writes at once, then released (a release pings and returns the
    // connection in a task of its own).
    let mut open = Vec::new();
    for _ in 0..4 {
        open.push(store.read().await.unwrap());
        open.push(store.read_generic_plans().await.unwrap());
        open.push(store.write().await.unwrap());
    }
    drop(open);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(store.pool_stats(), (12, 12), "twelve idle connections");

    // What a server restart does to them, waiting until each has gone.
    let other = sqlx::PgPool::connect(&url).await.unwrap();
    let closed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .fetch_one(&other)
    .await
    .unwrap();
    other.close().await;
    assert_eq!(
        closed, 12,
        "the server closed the pools' twelve connections"
    );
    // As long as a restart takes, at least: reads ping connections idle
    // for over a second.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;

    // Reads and a write, each on what the pool holds: dead connections
    // first, replaced without an error reaching the caller.
    for _ in 0..6 {
        store
            .ping()
            .await
            .expect("a read after the server closed the pool's connections");
    }
    for _ in 0..6 {
        let mut tx = store
            .read_generic_plans()
            .await
            .expect("a generic-plan read after the server closed them");
        tx.transaction_state_for_tests()
            .await
            .expect("its statements run");
    }
    for _ in 0..6 {
        let tx = store
            .write()
            .await
            .expect("a write after the server closed them");
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn reads_run_without_a_transaction_and_cannot_write() {
    if !test_database_kinds().contains(&"postgres") {
        return;
    }
    let (url, _dir) = fresh_database_url("postgres").await.unwrap();
    let store = Store::connect(&url).await.unwrap();
    // No BEGIN: the connection is outside any transaction block.
    let mut tx = store.read().await.unwrap();
    let (in_block, read_only, generic) = tx.transaction_state_for_tests().await.unwrap();
    assert!(!in_block, "a read on PostgreSQL is no transaction block");
    assert!(read_only, "and refuses to write");
    assert!(!generic, "and plans as PostgreSQL chooses");
    let refused = tx.insert_audit(&audit()).await.unwrap_err();
    let code = match &refused {
        StoreError::Database(sqlx::Error::Database(d)) => d.code().map(|c| c.to_string()),
        _ => None,
    };
    // 25006: read_only_sql_transaction.
    assert_eq!(
        code.as_deref(),
        Some("25006"),
        "a write through a read is refused: {refused:?}"
    );
    drop(tx);
    // Reads planned once: no transaction either, and no writes.
    let mut tx = store.read_generic_plans().await.unwrap();
    let (in_block, read_only, generic) = tx.transaction_state_for_tests().await.unwrap();
    assert!(
        !in_block && read_only && generic,
        "a generic-plan read is a read-only connection planning once, outside a transaction block"
    );
    assert!(tx.insert_audit(&audit()).await.is_err(), "it cannot write");
    drop(tx);
    // Writes are transactions that may write.
    let mut tx = store.write().await.unwrap();
    let (in_block, read_only, generic) = tx.transaction_state_for_tests().await.unwrap();
    assert!(
        in_block && !read_only && !generic,
        "a write is a read-write transaction"
    );
    tx.insert_audit(&audit()).await.unwrap();
    tx.commit().await.unwrap();
}

/// Whether the connections other than this one to `url`'s database use TLS.
async fn others_use_tls(url: &str) -> bool {
    let plain = format!("{url}?sslmode=disable");
    let other = sqlx::PgPool::connect(&plain).await.unwrap();
    let tls: Option<bool> = sqlx::query_scalar(
        "SELECT bool_or(s.ssl) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()",
    )
    .fetch_one(&other)
    .await
    .unwrap();
    other.close().await;
    tls.expect("the store holds a connection")
}

#[tokio::test]
async fn a_server_on_this_machine_is_spoken_to_without_tls_unless_asked() {
    if !test_database_kinds().contains(&"postgres") {
        return;
    }
    let (url, _dir) = fresh_database_url("postgres").await.unwrap();
    assert!(
        url.contains("@127.0.0.1") || url.contains("@localhost"),
        "the test server is on this machine: {url}"
    );
    let store = Store::connect_with(&url, Some(2)).await.unwrap();
    store.ping().await.unwrap();
    assert!(
        !others_use_tls(&url).await,
        "plain on the loopback interface"
    );
    store.close().await;

    // The URL's own sslmode is kept: "require" encrypts when the server
    // offers TLS at all (Debian's does, with its snakeoil certificate).
    let other = sqlx::PgPool::connect(&url).await.unwrap();
    let offers: String = sqlx::query_scalar("SHOW ssl")
        .fetch_one(&other)
        .await
        .unwrap();
    other.close().await;
    if offers == "on" {
        let store = Store::connect_with(&format!("{url}?sslmode=require"), Some(2))
            .await
            .unwrap();
        store.ping().await.unwrap();
        assert!(others_use_tls(&url).await, "sslmode=require is kept");
        store.close().await;
    }
}
