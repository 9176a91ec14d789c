//! A 500 tells the person only that something went wrong on our side; the
//! cause goes whole, with the request id, to the operator's log.
//!
//! The fault is provoked by corrupting a stored setting directly through SQL
//! on the temporary SQLite file, so these tests run on SQLite only.

use axum::body::Body;
use axum::http::StatusCode;
use rapport_web::testing::{Auth, TestApp};
use std::io;
use std::sync::{Arc, Mutex, OnceLock};

/// Text that only the corrupt row holds: it may reach the log, never a body.
const MARKER: &str = "internal-marker-7f3a";

/// Collects what the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// The one log of this test binary, installed as the global subscriber.
///
/// A per-test `set_default` subscriber is not enough: tracing caches each
/// callsite's interest for the whole process the first time any thread
/// reaches it. A test that signs in before installing its subscriber (or a
/// sibling test on another thread with none) could cache the request span as
/// never wanted, and the error line would then lose its request id. With one
/// global subscriber every callsite is judged against the same collector; the
/// tests run in parallel, so each finds its own line by its request id.
fn log() -> &'static Captured {
    static LOG: OnceLock<Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Captured::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("nothing else in this binary installs a subscriber");
        log
    })
}

/// Stores a signup mode no version of Rapport wrote, behind the store's back.
async fn corrupt_signup_mode(t: &TestApp) {
    let dir = t
        .database_dir()
        .expect("SQLite lives in a temporary directory");
    let url = format!("sqlite://{}", dir.join("rapport.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query(
        "INSERT INTO site_settings (key, value) VALUES ('signup_mode', $1) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(format!(r#"{{"mode": "{MARKER}"}}"#))
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
}

/// The answer's status, request id and body, with the log it produced. The
/// request comes from the site itself (Origin), as a form post would.
async fn logged(
    t: &TestApp,
    method: &str,
    uri: &str,
    body: (&str, &str),
    auth: Auth<'_>,
) -> (StatusCode, String, String, String) {
    let (content_type, body) = body;
    let mut req = TestApp::request(method, uri, auth).header("origin", "http://rapport.test");
    if !body.is_empty() {
        req = req.header("content-type", content_type);
    }
    let req = req.body(Body::from(body.to_string())).unwrap();
    let reply = t.reply_text(req).await;
    (reply.status, reply.request_id(), reply.text, log().text())
}

#[track_caller]
fn assert_hidden_and_logged(body: &str, id: &str, log: &str) {
    for internal in [MARKER, "signup_mode", "malformed", "unknown variant"] {
        assert!(
            !body.contains(internal),
            "the body shows {internal:?}: {body}"
        );
    }
    // The request's own line names its id; sibling tests log theirs too.
    let line = log
        .lines()
        .find(|l| l.contains("internal error") && l.contains(id))
        .unwrap_or_else(|| panic!("no internal error logged with request id {id}:\n{log}"));
    // The whole chain, down to the decoder's own words, on the request's line.
    assert!(
        line.contains("stored signup_mode is malformed: unknown variant") && line.contains(MARKER),
        "{line}"
    );
}

#[tokio::test]
async fn an_api_500_says_nothing_internal_and_logs_the_chain() {
    log();
    let t = TestApp::new("sqlite").await;
    corrupt_signup_mode(&t).await;
    let (status, id, body, log) = logged(
        &t,
        "POST",
        "/api/v1/auth/sign-up",
        (
            "application/json",
            r#"{"email": "ana@example.org", "name": "Ana", "password": "correct horse battery"}"#,
        ),
        Auth::Anonymous,
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["error"]["code"], "internal", "{body}");
    assert!(
        json["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("try again")),
        "the message says what to do next: {body}"
    );
    assert_hidden_and_logged(&body, &id, &log);
    t.finish().await;
}

#[tokio::test]
async fn a_form_500_says_nothing_internal_and_logs_the_chain() {
    log();
    let t = TestApp::new("sqlite").await;
    corrupt_signup_mode(&t).await;
    let (status, id, body, log) = logged(
        &t,
        "POST",
        "/sign-up",
        (
            "application/x-www-form-urlencoded",
            "name=Ana+Lima&email=ana%40example.org&password=long+enough+pw",
        ),
        Auth::Anonymous,
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert!(body.contains("Something went wrong on our side"), "{body}");
    assert_hidden_and_logged(&body, &id, &log);
    t.finish().await;
}

#[tokio::test]
async fn a_page_500_says_nothing_internal_and_logs_the_chain() {
    log();
    let t = TestApp::new("sqlite").await;
    // Signed in before the fault, so the page is reached at all.
    let admin = t.admin().await;
    corrupt_signup_mode(&t).await;
    let (status, id, body, log) =
        logged(&t, "GET", "/admin/settings", ("", ""), admin.auth()).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert!(body.contains("Something went wrong on our side"), "{body}");
    assert_hidden_and_logged(&body, &id, &log);
    t.finish().await;
}
