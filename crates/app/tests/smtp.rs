//! Email over real SMTP: a sign-up's confirmation email goes through the
//! outbox and the job worker to aiosmtpd (a maintained SMTP server from PyPI)
//! on loopback, and the message that arrives is checked. With the server
//! down, the job fails, is retried with backoff, and is delivered once the
//! server is up, exactly once.
//!
//! aiosmtpd is installed by `tests-support/setup-smtp.sh` into
//! `.ci/cache/smtp-venv`; `RAPPORT_TEST_SMTP_PYTHON` names another Python
//! that has it. Without it the tests say why and pass, except under
//! `CI=true`, where that is a failure.

#[path = "support/calendar_room.rs"]
mod calendar_room;

use base64::Engine as _;
use rapport_app::accounts::SignUp;
use rapport_app::jobs::backoff_ms;
use rapport_web::testing::{free_port, TestApp, START_MS};
use rapport_web::WebConfig;
use std::collections::HashMap;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// 2030-01-01T00:00:00Z, so nothing depends on the real date.
const T0: i64 = 1_893_456_000_000;
const BASE_URL: &str = "https://rapport.example.org";
const FROM: &str = "Rapport <noreply@rapport.example.org>";

/// The Python that has aiosmtpd, or None (after saying why) when the test
/// should not run here.
fn smtp_python() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = match std::env::var_os("RAPPORT_TEST_SMTP_PYTHON") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => root.join(".ci/cache/smtp-venv/bin/python"),
    };
    let ok = python.exists()
        && Command::new(&python)
            .args(["-c", "import aiosmtpd.handlers"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if ok {
        return Some(python);
    }
    let why = format!(
        "no Python with aiosmtpd at {}; run tests-support/setup-smtp.sh or set RAPPORT_TEST_SMTP_PYTHON",
        python.display()
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true and the SMTP delivery test cannot run: {why}");
    }
    eprintln!("skipping the SMTP delivery test: {why}");
    None
}

/// aiosmtpd on 127.0.0.1:`port`, saving every message into a maildir.
struct SmtpServer {
    child: Child,
    maildir: PathBuf,
    log: PathBuf,
}

impl SmtpServer {
    fn start(python: &Path, port: u16, dir: &Path) -> Self {
        // aiosmtpd's Mailbox handler creates the maildir itself and refuses
        // an existing folder without its cur/new/tmp.
        let maildir = dir.join("maildir");
        let log = dir.join(format!("aiosmtpd-{port}.log"));
        let out = std::fs::File::create(&log).expect("create the aiosmtpd log");
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("clone the log handle"))
            .stderr(out)
            .spawn()
            .expect("start aiosmtpd");
        let mut server = Self {
            child,
            maildir,
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("aiosmtpd exited with {status}:\n{}", server.log_text());
            }
            if Instant::now() > deadline {
                panic!(
                    "aiosmtpd did not listen on port {port} within 30 s:\n{}",
                    server.log_text()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Every message the server has stored, oldest first.
    fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return vec![];
        };
        let mut files: Vec<_> = entries.map(|e| e.expect("maildir entry").path()).collect();
        files.sort();
        files
            .iter()
            .map(|f| std::fs::read_to_string(f).expect("read a stored message"))
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One received message: headers (names lower-cased, unfolded) and the
/// decoded text body.
struct Received {
    headers: HashMap<String, String>,
    body: String,
}

fn decode_quoted_printable(s: &str) -> Vec<u8> {
    // Soft line breaks join lines (a long link is split by one).
    let s = s.replace("\r\n", "\n").replace("=\n", "");
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let escaped = (b[i] == b'=')
            .then(|| b.get(i + 1..i + 3))
            .flatten()
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    out
}

fn parse(raw: &str) -> Received {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw
        .split_once("\n\n")
        .expect("a blank line after the headers");
    let mut headers = HashMap::new();
    for line in head.replace("\n ", " ").replace("\n\t", " ").lines() {
        let (name, value) = line.split_once(':').expect("a header line");
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
    }
    let encoding = headers
        .get("content-transfer-encoding")
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_else(|| "7bit".into());
    let bytes = match encoding.as_str() {
        "quoted-printable" => decode_quoted_printable(body),
        "base64" => base64::engine::general_purpose::STANDARD
            .decode(body.split_whitespace().collect::<String>())
            .expect("a base64 body"),
        "7bit" | "8bit" => body.as_bytes().to_vec(),
        other => panic!("unexpected Content-Transfer-Encoding {other}"),
    };
    Received {
        headers,
        body: String::from_utf8(bytes).expect("a UTF-8 body"),
    }
}

/// The parts of a `multipart/alternative` message, in order.
fn alternatives(whole: &Received) -> Vec<Received> {
    let content_type = &whole.headers["content-type"];
    assert!(
        content_type.starts_with("multipart/alternative"),
        "{content_type}"
    );
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .expect("a boundary")
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    whole
        .body
        .split(&delimiter)
        .skip(1)
        .filter(|p| !p.starts_with("--"))
        .map(|p| parse(p.trim_start_matches('\n').trim_end_matches('\n')))
        .collect()
}

/// The shared harness on SQLite, sending by SMTP to 127.0.0.1:`port`, with
/// the clock at `T0`.
async fn app_with_smtp(port: u16) -> TestApp {
    let t = TestApp::with("sqlite", WebConfig::default(), |c| {
        c.base_url = BASE_URL.into();
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.mail_from = FROM.into();
    })
    .await;
    t.clock.advance(T0 - START_MS);
    t
}

/// (pending jobs, failed jobs) and when the person's one email was sent.
async fn state(
    store: &rapport_store::Store,
    person: rapport_domain::PersonId,
) -> ((i64, i64), Option<i64>) {
    let mut tx = store.read().await.expect("a read transaction");
    let counts = tx.job_counts().await.expect("job counts");
    let outbox = tx.outbox_of(person).await.expect("the outbox");
    assert_eq!(outbox.len(), 1, "one email queued");
    (counts, outbox[0].sent_at)
}

fn joana() -> SignUp {
    SignUp {
        // A name outside ASCII makes lettre encode the body.
        name: "Joana Gonçalves".into(),
        email: "joana@example.org".into(),
        password: "correct horse battery staple".into(),
    }
}

#[tokio::test]
async fn the_confirmation_email_arrives_over_smtp() {
    let Some(python) = smtp_python() else { return };
    let dir = tempfile::tempdir().expect("a folder for the server");
    let port = free_port();
    let server = SmtpServer::start(&python, port, dir.path());
    let t = app_with_smtp(port).await;
    let (app, store) = (&t.app, t.store());

    let person = app.sign_up(&joana()).await.expect("sign-up works");
    assert_eq!(app.run_due_jobs().await.expect("the worker runs"), 1);

    let messages = server.messages();
    assert_eq!(
        messages.len(),
        1,
        "exactly one message arrives; server log:\n{}",
        server.log_text()
    );
    let whole = parse(&messages[0]);
    assert_eq!(whole.headers["subject"], "Confirm your email for Rapport");
    assert_eq!(whole.headers["to"], "joana@example.org");
    assert_eq!(whole.headers["from"], FROM);
    // The envelope, as aiosmtpd records it.
    assert_eq!(whole.headers["x-mailfrom"], "noreply@rapport.example.org");
    assert_eq!(whole.headers["x-rcptto"], "joana@example.org");
    assert_eq!(whole.headers["date"], "Tue, 01 Jan 2030 00:00:00 +0000");
    assert!(
        !whole.headers.contains_key("list-unsubscribe"),
        "account mail cannot be unsubscribed from"
    );
    assert_eq!(
        whole.headers["auto-submitted"], "auto-generated",
        "automatic mail says so (RFC 3834), so auto-responders stay quiet"
    );
    assert!(
        whole.headers["mime-version"] == "1.0",
        "a MIME message: {:?}",
        whole.headers
    );
    let parts = alternatives(&whole);
    assert_eq!(
        parts
            .iter()
            .map(|p| p.headers["content-type"]
                .split(';')
                .next()
                .unwrap_or_default())
            .collect::<Vec<_>>(),
        ["text/plain", "text/html"],
        "text first, then HTML, as multipart/alternative wants"
    );
    let m = &parts[0];
    assert!(
        m.body.starts_with("Hello Joana Gonçalves,\n"),
        "the body decodes: {:?}",
        m.body
    );
    assert!(
        parts[1].body.contains("<html lang=\"en\">"),
        "{}",
        parts[1].body
    );
    let prefix = format!("{BASE_URL}/verify-email?token=");
    let start = m
        .body
        .find(&prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in {:?}", m.body));
    let token: String = m.body[start + prefix.len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    // The HTML part carries the same working link as the text part.
    assert!(
        parts[1].body.contains(&format!("{prefix}{token}")),
        "the HTML part links to the same token: {}",
        parts[1].body
    );
    // The token that arrived is the one that confirms the account.
    let checked = app
        .check_email_token(&token, "verify")
        .await
        .expect("the mailed token is valid");
    assert_eq!(checked.id, person);

    let mut tx = store.read().await.expect("a read transaction");
    let outbox = tx.outbox_of(person).await.expect("the outbox");
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        whole.headers["message-id"],
        format!("<{}@rapport.example.org>", outbox[0].id)
    );
    assert_eq!(outbox[0].sent_at, Some(T0), "marked sent");
    assert_eq!(tx.job_counts().await.expect("job counts"), (0, 0));
    drop(tx);
    assert!(
        std::fs::read_dir(t.outbox_dir())
            .expect("the outbox folder")
            .next()
            .is_none(),
        "with SMTP configured no .eml file is written"
    );
    // Nothing is due any more, and nothing is sent twice.
    assert_eq!(app.run_due_jobs().await.expect("the worker runs"), 0);
    assert_eq!(server.messages().len(), 1);
    t.expect_email("joana@example.org", "Confirm your email")
        .await;
    t.finish().await;
}

#[tokio::test]
async fn a_message_is_retried_with_backoff_until_the_server_is_up() {
    let Some(python) = smtp_python() else { return };
    let dir = tempfile::tempdir().expect("a folder for the server");
    let port = free_port(); // nobody listens here yet
    let t = app_with_smtp(port).await;
    let (app, store, clock) = (&t.app, t.store(), &t.clock);
    let person = app.sign_up(&joana()).await.expect("sign-up works");
    // First attempt: connection refused; the job waits for its retry.
    assert_eq!(app.run_due_jobs().await.expect("the worker runs"), 1);
    assert_eq!(state(store, person).await, ((1, 0), None));
    assert_eq!(
        app.run_due_jobs().await.expect("the worker runs"),
        0,
        "not retried at once"
    );
    clock.advance(backoff_ms(1) - 1);
    assert_eq!(
        app.run_due_jobs().await.expect("the worker runs"),
        0,
        "not retried before its backoff"
    );

    // Second attempt, still down; the next wait is longer.
    clock.advance(1);
    assert_eq!(app.run_due_jobs().await.expect("the worker runs"), 1);
    assert_eq!(state(store, person).await, ((1, 0), None));
    assert!(backoff_ms(2) > backoff_ms(1), "backoff grows");
    clock.advance(backoff_ms(1));
    assert_eq!(
        app.run_due_jobs().await.expect("the worker runs"),
        0,
        "the second wait is longer than the first"
    );

    // The server comes up; the third attempt delivers.
    let server = SmtpServer::start(&python, port, dir.path());
    clock.advance(backoff_ms(2) - backoff_ms(1));
    assert_eq!(app.run_due_jobs().await.expect("the worker runs"), 1);
    let delivered_at = T0 + backoff_ms(1) + backoff_ms(2);
    assert_eq!(state(store, person).await, ((0, 0), Some(delivered_at)));
    let messages = server.messages();
    assert_eq!(
        messages.len(),
        1,
        "delivered once; server log:\n{}",
        server.log_text()
    );
    let m = parse(&messages[0]);
    assert_eq!(m.headers["subject"], "Confirm your email for Rapport");
    assert_eq!(m.headers["x-rcptto"], "joana@example.org");
    assert!(alternatives(&m)[0]
        .body
        .contains(&format!("{BASE_URL}/verify-email?token=")));

    // Much later: nothing is due and nothing arrives twice.
    clock.advance(24 * 3_600_000);
    assert_eq!(app.run_due_jobs().await.expect("the worker runs"), 0);
    assert_eq!(server.messages().len(), 1, "no duplicate delivery");
    t.expect_email("joana@example.org", "Confirm your email")
        .await;
    t.finish().await;
}

/// The token in a link that arrived, after `prefix`.
fn token_after(body: &str, prefix: &str) -> String {
    let start = body
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in {body:?}"));
    body[start + prefix.len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// A password reset by mail, end to end over SMTP: the message arrives
/// marked automatic, both parts carry the same link, and the link sets the
/// new password.
#[tokio::test]
async fn a_password_reset_link_arrives_and_works() {
    use rapport_app::accounts::ClientInfo;
    let Some(python) = smtp_python() else { return };
    let dir = tempfile::tempdir().expect("a folder for the server");
    let port = free_port();
    let server = SmtpServer::start(&python, port, dir.path());
    let t = app_with_smtp(port).await;
    let app = &t.app;
    app.sign_up(&joana()).await.expect("sign-up works");
    app.run_due_jobs().await.expect("the worker runs");
    let confirm = parse(&server.messages()[0]);
    let token = token_after(
        &alternatives(&confirm)[0].body,
        &format!("{BASE_URL}/verify-email?token="),
    );
    app.verify_email(&token)
        .await
        .expect("the confirmation link works");

    app.forgot_password("joana@example.org")
        .await
        .expect("a reset is asked for");
    assert_eq!(app.run_due_jobs().await.expect("the worker runs"), 1);
    let messages = server.messages();
    assert_eq!(messages.len(), 2, "server log:\n{}", server.log_text());
    // Maildir file names do not sort by arrival: the reset is the message
    // that is not the confirmation.
    let reset = messages
        .iter()
        .map(|m| parse(m))
        .find(|m| m.headers["message-id"] != confirm.headers["message-id"])
        .expect("the reset arrived");
    assert_eq!(reset.headers["to"], "joana@example.org");
    assert_eq!(reset.headers["auto-submitted"], "auto-generated");
    assert!(reset.headers["message-id"].ends_with("@rapport.example.org>"));
    let parts = alternatives(&reset);
    assert_eq!(parts.len(), 2, "a text and an HTML part");
    let prefix = format!("{BASE_URL}/reset-password?token=");
    let token = token_after(&parts[0].body, &prefix);
    assert_eq!(
        token,
        token_after(&parts[1].body, &prefix),
        "the same link in both parts"
    );
    app.reset_password(&token, "a new and longer passphrase")
        .await
        .expect("the mailed link sets the password");
    app.sign_in(
        "joana@example.org",
        "a new and longer passphrase",
        &ClientInfo::default(),
        None,
    )
    .await
    .expect("the new password signs in");
    assert!(
        app.reset_password(&token, "yet another passphrase")
            .await
            .is_err(),
        "the link works once"
    );
    t.expect_emails(&[
        ("joana@example.org", "Confirm your email"),
        ("joana@example.org", "password"),
    ])
    .await;
    t.finish().await;
}

/// The parts of a multipart message, in order.
fn parts(whole: &Received, kind: &str) -> Vec<Received> {
    let content_type = &whole.headers["content-type"];
    assert!(content_type.starts_with(kind), "{content_type}");
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .expect("a boundary")
        .split(';')
        .next()
        .unwrap_or_default()
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    whole
        .body
        .split(&delimiter)
        .skip(1)
        .filter(|p| !p.starts_with("--"))
        .map(|p| parse(p.trim_start_matches('\n').trim_end_matches('\n')))
        .collect()
}

#[tokio::test]
async fn an_invitation_arrives_as_multipart_mixed_with_the_ics_attached() {
    use calendar_room::{add_session, calendar_room};
    use rapport_app::calendar::SessionChange;
    let Some(python) = smtp_python() else { return };
    let dir = tempfile::tempdir().expect("a folder for the server");
    let port = free_port();
    let server = SmtpServer::start(&python, port, dir.path());
    let t = app_with_smtp(port).await;
    let r = calendar_room(&t, "Europe/Lisbon", "Asia/Kolkata").await;
    let s = add_session(
        &t,
        r.room,
        r.ana.id,
        T0 + 48 * 3_600_000,
        60,
        "Europe/Lisbon",
    )
    .await;
    t.app
        .session_changed_for_tests(s.id, SessionChange::Scheduled, None)
        .await
        .expect("the hook runs");
    assert_eq!(t.app.run_due_jobs().await.expect("the worker runs"), 1);
    let messages = server.messages();
    assert_eq!(messages.len(), 1, "server log:\n{}", server.log_text());
    let whole = parse(&messages[0]);
    assert_eq!(whole.headers["x-rcptto"], "bo@example.org");
    assert!(
        whole.headers.contains_key("list-unsubscribe"),
        "session mail can be switched off"
    );
    let mixed = parts(&whole, "multipart/mixed");
    assert_eq!(mixed.len(), 2, "the message, then the file");
    let inner = alternatives(&mixed[0]);
    assert!(
        inner[0]
            .body
            .contains("Ana Lima scheduled a session with you"),
        "{}",
        inner[0].body
    );
    assert!(
        inner[0].body.contains("(Kolkata)"),
        "in Bo's zone: {}",
        inner[0].body
    );
    let file = &mixed[1];
    let content_type = file.headers["content-type"].to_ascii_lowercase();
    assert!(content_type.starts_with("text/calendar"), "{content_type}");
    assert!(content_type.contains("method=request"), "{content_type}");
    assert!(
        file.headers["content-disposition"].contains("attachment")
            && file.headers["content-disposition"].contains(".ics"),
        "{:?}",
        file.headers
    );
    assert!(file.body.contains("METHOD:REQUEST"), "{}", file.body);
    assert!(
        file.body.contains(&format!("UID:{}", s.uid)),
        "{}",
        file.body
    );
    t.expect_email("bo@example.org", "Session with Ana Lima")
        .await;
    t.finish().await;
}
