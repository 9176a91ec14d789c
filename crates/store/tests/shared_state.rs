//! State that several servers share through one database (issue 21): the
//! site's signing key, stored once however many servers start together, and
//! the sign-in attempt counts, which every server adds to. Each test opens two
//! pools on one database, as two `rapport serve` processes would.

use rapport_store::testing::{fresh_database_url, test_database_kinds};
use rapport_store::Store;

/// Two stores on one fresh database: two servers.
async fn two_servers(kind: &str) -> (Store, Store, Option<tempfile::TempDir>) {
    let (url, dir) = fresh_database_url(kind).await.unwrap();
    let a = Store::connect(&url).await.unwrap();
    let b = Store::connect(&url).await.unwrap();
    (a, b, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn servers_starting_together_keep_the_first_stored_setting() {
    for kind in test_database_kinds() {
        let (a, b, _dir) = two_servers(kind).await;
        // Every "server" offers its own fresh value at the same moment; all
        // must read back one and the same (a read, then an upsert, let the
        // last writer win while the others kept their own).
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let store = if i % 2 == 0 { a.clone() } else { b.clone() };
                tokio::spawn(async move {
                    let mut tx = store.write().await.unwrap();
                    let v = tx
                        .setting_or_insert("site_key", &format!("key-{i}"))
                        .await
                        .unwrap();
                    tx.commit().await.unwrap();
                    v
                })
            })
            .collect();
        let mut seen = vec![];
        for h in handles {
            seen.push(h.await.unwrap());
        }
        seen.dedup();
        assert_eq!(
            seen.len(),
            1,
            "{kind}: every server keeps one key: {seen:?}"
        );
        let mut tx = a.read().await.unwrap();
        assert_eq!(
            tx.setting("site_key").await.unwrap().as_ref(),
            Some(&seen[0]),
            "{kind}: the stored key is the one they all kept"
        );
        drop(tx);
        // Once stored, a setting is never replaced by a later offer.
        let mut tx = b.write().await.unwrap();
        assert_eq!(
            tx.setting_or_insert("site_key", "another").await.unwrap(),
            seen[0],
            "{kind}"
        );
        tx.commit().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn attempts_through_two_servers_are_counted_once_each() {
    const WINDOW: i64 = 15 * 60_000;
    for kind in test_database_kinds() {
        let (a, b, _dir) = two_servers(kind).await;
        let now = 1_800_000_000_000i64;
        let handles: Vec<_> = (0..40)
            .map(|i| {
                let store = if i % 2 == 0 { a.clone() } else { b.clone() };
                tokio::spawn(async move {
                    let mut tx = store.write().await.unwrap();
                    let n = tx
                        .count_attempt("signin:203.0.113.7", now + i, WINDOW)
                        .await
                        .unwrap();
                    tx.commit().await.unwrap();
                    n
                })
            })
            .collect();
        let mut counts = vec![];
        for h in handles {
            counts.push(h.await.unwrap());
        }
        counts.sort();
        assert_eq!(
            counts,
            (1..=40).collect::<Vec<i64>>(),
            "{kind}: each attempt sees the ones before it, whichever server counted them"
        );

        let mut tx = a.write().await.unwrap();
        assert_eq!(
            tx.count_attempt("signin:203.0.113.8", now, WINDOW)
                .await
                .unwrap(),
            1,
            "{kind}: another address has its own count"
        );
        assert_eq!(
            tx.count_attempt("signup:203.0.113.7", now, WINDOW)
                .await
                .unwrap(),
            1,
            "{kind}: another bucket has its own count"
        );
        // The window is fixed: it began at the first attempt counted, which
        // is whichever of the 40 won the race (between `now` and `now + 39`).
        assert_eq!(
            tx.count_attempt("signin:203.0.113.7", now + WINDOW - 1, WINDOW)
                .await
                .unwrap(),
            41,
            "{kind}: still in the window"
        );
        assert_eq!(
            tx.count_attempt("signin:203.0.113.7", now + 40 + WINDOW, WINDOW)
                .await
                .unwrap(),
            1,
            "{kind}: a new window starts the count again"
        );
        // The sweep forgets the counts whose window has passed, only those.
        assert_eq!(
            tx.forget_old_attempts(now + WINDOW, WINDOW).await.unwrap(),
            2,
            "{kind}: the other address's and the other bucket's"
        );
        assert_eq!(
            tx.count_attempt("signin:203.0.113.7", now + 40 + WINDOW + 1, WINDOW)
                .await
                .unwrap(),
            2,
            "{kind}: the current window survives the sweep"
        );
        tx.commit().await.unwrap();
    }
}
