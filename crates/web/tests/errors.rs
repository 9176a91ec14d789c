//! A 500 tells the person only that something went wrong on our side; the
//! cause goes whole, with the request id, to the operator's log.
//!
//! The fault is provoked by corrupting a stored setting directly through SQL
//! on the temporary SQLite file, so these tests run on SQLite only.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::Response;
use rapport_app::{App, AppConfig, ManualClock};
use rapport_store::testing::fresh_store;
use rapport_web::{AppState, WebConfig};
use std::io;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

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

struct Site {
    app: App,
    router: axum::Router,
    db: tempfile::TempDir,
    _outbox: tempfile::TempDir,
}

async fn site() -> Site {
    let (store, db) = fresh_store("sqlite").await.unwrap();
    let outbox = tempfile::tempdir().unwrap();
    let config = AppConfig {
        outbox_dir: outbox.path().to_path_buf(),
        base_url: "http://rapport.test".into(),
        ..AppConfig::default()
    };
    let app = App::new(store, Arc::new(ManualClock::new(1_800_000_000_000)), config)
        .await
        .unwrap();
    let router = rapport_web::router(AppState::new(app.clone(), WebConfig::default()));
    Site {
        app,
        router,
        db: db.expect("SQLite lives in a temporary directory"),
        _outbox: outbox,
    }
}

impl Site {
    /// Stores a signup mode no version of Rapport wrote, behind the store's back.
    async fn corrupt_signup_mode(&self) {
        let url = format!("sqlite://{}", self.db.path().join("rapport.db").display());
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

    async fn send(
        &self,
        method: &str,
        uri: &str,
        body: (&str, &str),
        cookie: Option<&str>,
    ) -> Response {
        let (content_type, body) = body;
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("host", "rapport.test")
            .header("origin", "http://rapport.test");
        if !body.is_empty() {
            req = req.header("content-type", content_type);
        }
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        self.router
            .clone()
            .oneshot(req.body(Body::from(body.to_string())).unwrap())
            .await
            .unwrap()
    }
}

/// The answer's status, request id and body, with the log it produced.
async fn logged(
    site: &Site,
    method: &str,
    uri: &str,
    body: (&str, &str),
    cookie: Option<&str>,
) -> (StatusCode, String, String, String) {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .finish();
    let response = {
        let _guard = tracing::subscriber::set_default(subscriber);
        site.send(method, uri, body, cookie).await
    };
    let status = response.status();
    let id = response
        .headers()
        .get("x-request-id")
        .expect("every answer carries a request id")
        .to_str()
        .unwrap()
        .to_string();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        id,
        String::from_utf8(bytes.to_vec()).unwrap(),
        logs.text(),
    )
}

#[track_caller]
fn assert_hidden_and_logged(body: &str, id: &str, log: &str) {
    for internal in [MARKER, "signup_mode", "malformed", "unknown variant"] {
        assert!(
            !body.contains(internal),
            "the body shows {internal:?}: {body}"
        );
    }
    let line = log
        .lines()
        .find(|l| l.contains("internal error"))
        .unwrap_or_else(|| panic!("no internal error logged:\n{log}"));
    // The whole chain, down to the decoder's own words, on the request's line.
    assert!(
        line.contains("stored signup_mode is malformed: unknown variant") && line.contains(MARKER),
        "{line}"
    );
    assert!(
        line.contains(id),
        "the line names the request id {id}: {line}"
    );
}

#[tokio::test]
async fn an_api_500_says_nothing_internal_and_logs_the_chain() {
    let s = site().await;
    s.corrupt_signup_mode().await;
    let (status, id, body, log) = logged(
        &s,
        "POST",
        "/api/v1/auth/sign-up",
        (
            "application/json",
            r#"{"email": "ana@example.org", "name": "Ana", "password": "correct horse battery"}"#,
        ),
        None,
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
}

#[tokio::test]
async fn a_form_500_says_nothing_internal_and_logs_the_chain() {
    let s = site().await;
    s.corrupt_signup_mode().await;
    let (status, id, body, log) = logged(
        &s,
        "POST",
        "/sign-up",
        (
            "application/x-www-form-urlencoded",
            "name=Ana+Lima&email=ana%40example.org&password=long+enough+pw",
        ),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert!(body.contains("Something went wrong on our side"), "{body}");
    assert_hidden_and_logged(&body, &id, &log);
}

#[tokio::test]
async fn a_page_500_says_nothing_internal_and_logs_the_chain() {
    let s = site().await;
    s.app
        .create_user("admin@example.org", "Ada Admin", "long enough pw", true)
        .await
        .unwrap();
    let resp = s
        .send(
            "POST",
            "/sign-in",
            (
                "application/x-www-form-urlencoded",
                "email=admin%40example.org&password=long+enough+pw",
            ),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let cookie = resp.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    s.corrupt_signup_mode().await;
    let (status, id, body, log) =
        logged(&s, "GET", "/admin/settings", ("", ""), Some(&cookie)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert!(body.contains("Something went wrong on our side"), "{body}");
    assert_hidden_and_logged(&body, &id, &log);
}
