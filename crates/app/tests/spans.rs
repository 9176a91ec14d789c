//! Every use case opens a span named after itself that carries the acting
//! person's id and the ids it was given, so an operator can follow one request
//! from the web's request span (which has the request id) into the use case
//! and down to the store's debug events.

use rapport_app::{Actor, App, AppConfig, ManualClock};
use rapport_domain::PersonId;
use rapport_store::testing::fresh_store;
use std::io;
use std::sync::{Arc, Mutex};
use tracing_subscriber::fmt::format::FmtSpan;

/// Collects what the subscriber writes, so the test can read the log lines.
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

#[tokio::test]
async fn a_use_case_span_carries_the_actor_and_the_programme() {
    let (store, _db) = fresh_store("sqlite").await.unwrap();
    let outbox = tempfile::tempdir().unwrap();
    let app = App::new(
        store,
        Arc::new(ManualClock::new(1_800_000_000_000)),
        AppConfig {
            outbox_dir: outbox.path().into(),
            ..AppConfig::default()
        },
    )
    .await
    .unwrap();
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        // Plain text: another crate in the build may turn on colours.
        .with_ansi(false)
        // One line when a span opens, so the span's fields show without an event in it.
        .with_span_events(FmtSpan::NEW)
        .with_max_level(tracing::Level::TRACE)
        .finish();
    let actor = Actor {
        person_id: PersonId::new(),
        is_admin: false,
        roles: vec![],
    };
    {
        let _guard = tracing::subscriber::set_default(subscriber);
        // Unknown to this actor: the answer does not matter, the span does.
        let _ = app.programme(&actor, "nowhere").await;
    }
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let span = format!("programme{{actor={} programme=nowhere}}", actor.person_id);
    assert!(text.contains(&span), "no span {span} in:\n{text}");
}
