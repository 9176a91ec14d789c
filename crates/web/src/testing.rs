//! The one test harness every suite shares: [`TestApp`] (feature `testing`).
//!
//! A `TestApp` is the real router (`rapport_web::router`) on a fresh, migrated
//! database of one kind, with a [`ManualClock`] the test moves, emails
//! captured in the database's outbox (and delivered to a temporary folder),
//! and a helper per role. Run every test on each database kind:
//!
//! ```ignore
//! use rapport_web::testing::{test_database_kinds, Auth, TestApp};
//!
//! #[tokio::test]
//! async fn members_see_their_profile() {
//!     for kind in test_database_kinds() {
//!         let t = TestApp::new(kind).await;
//!         let ana = t.member("ana@example.org", "Ana Lima").await;
//!         t.call("GET", "/api/v1/me", ana.auth(), None).await.expect(200);
//!         t.finish().await; // fails on emails or jobs the test did not expect
//!     }
//! }
//! ```
//!
//! **No surprise work.** A test ends with [`TestApp::finish`], which runs the
//! due jobs and fails if an email was queued that the test did not consume
//! with [`TestApp::expect_email`] or [`TestApp::take_emails`], or if a job is
//! left waiting or failed. Dropping a `TestApp` without calling `finish`
//! panics, so the check cannot be forgotten. A test that leaves work behind
//! on purpose says why with [`TestApp::leave_work`].
//!
//! To adopt it in an existing suite: replace the local app/store/outbox set-up
//! with `TestApp::new(kind)` (or [`TestApp::with`] for web or app settings),
//! use `t.app` for use cases and `t.store()` for set-up that has no use case,
//! and end each database's run with `t.finish().await`.
//!
//! Pages, and answers that may not be JSON, are read with
//! [`TestApp::reply_text`]. A test that needs routes of its own (one that
//! panics) serves them behind the real edge with [`TestApp::serve_only`]; one
//! that needs a client address adds `axum::extract::ConnectInfo(addr)` to its
//! request's extensions, as the server does for each connection.

use crate::{AppState, WebConfig};
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::response::Response;
use axum::Router;
use rapport_app::programmes::ProgrammeInput;
use rapport_app::{Actor, App, AppConfig, ManualClock};
use rapport_domain::PersonId;
use rapport_store::{OutboxMessage, Store};
use serde_json::Value;
use std::collections::HashSet;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tower::ServiceExt;
use uuid::Uuid;

pub use rapport_store::testing::{fresh_database_url, fresh_store, test_database_kinds};

/// The password every account a [`TestApp`] creates signs in with.
pub const PASSWORD: &str = "correct horse battery";
/// Where the [`ManualClock`] starts, in Unix milliseconds.
pub const START_MS: i64 = 1_780_000_000_000;
/// The base URL email links use; requests carry it as their Host.
pub const BASE_URL: &str = "http://rapport.test";

/// A free TCP port on 127.0.0.1, for tests that start a server or a
/// process. (Another process may take it before it is used; tests accept
/// that small race.)
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free local port")
        .port()
}

/// How a request authenticates.
#[derive(Clone, Copy, Debug)]
pub enum Auth<'a> {
    /// No credentials.
    Anonymous,
    /// A `Cookie` header value, like `rapport_session=…`.
    Cookie(&'a str),
    /// An API token, sent as `Authorization: Bearer …`.
    Bearer(&'a str),
}

/// A signed-in person made by a role helper.
#[derive(Clone, Debug)]
pub struct Person {
    /// Their id.
    pub id: PersonId,
    /// Their email address.
    pub email: String,
    /// The session cookie (`rapport_session=…`).
    pub cookie: String,
}

impl Person {
    /// Authenticates a request as this person, by cookie.
    pub fn auth(&self) -> Auth<'_> {
        Auth::Cookie(&self.cookie)
    }
}

/// An answer: status, headers and the JSON body (null when empty).
#[derive(Debug)]
pub struct Reply {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// The body as JSON; `Value::Null` when empty.
    pub json: Value,
}

impl Reply {
    /// The path (from `/api/`) of the `Link` header's `rel` URL, if any: the
    /// next or previous page of a list.
    pub fn link(&self, rel: &str) -> Option<String> {
        let all = self.headers.get("link")?.to_str().ok()?;
        all.split(',')
            .find(|l| l.contains(&format!("rel=\"{rel}\"")))
            .and_then(|l| l.split('<').nth(1)?.split('>').next())
            .and_then(|url| url.find("/api/").map(|at| url[at..].to_string()))
    }

    /// `error.code`, or "".
    pub fn error_code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or("")
    }

    /// `error.field`, or "".
    pub fn error_field(&self) -> &str {
        self.json["error"]["field"].as_str().unwrap_or("")
    }

    /// The fields named in `error.fields`, or `error.field` alone.
    pub fn fields(&self) -> Vec<String> {
        let listed: Vec<String> = self.json["error"]["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["field"].as_str().map(String::from))
            .collect();
        if listed.is_empty() {
            vec![self.error_field().to_string()]
        } else {
            listed
        }
    }

    /// The `Set-Cookie` header, or "".
    pub fn set_cookie(&self) -> String {
        self.headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    /// The `rapport_session=…` cookie this answer sets; panics if none.
    #[track_caller]
    pub fn session_cookie(&self) -> String {
        let set = self.set_cookie();
        let value = set
            .strip_prefix("rapport_session=")
            .and_then(|v| v.split(';').next())
            .unwrap_or_default();
        assert!(!value.is_empty(), "no session cookie in {set:?}");
        format!("rapport_session={value}")
    }

    /// Asserts the status; returns the reply for more checks.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected answer: {}",
            self.json
        );
        self
    }

    /// Asserts the status and error code, and that the error has a message.
    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str) -> Self {
        let s = self.expect(status);
        assert_eq!(s.error_code(), code, "unexpected error: {}", s.json);
        assert!(
            s.json["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "errors carry a message: {}",
            s.json
        );
        s
    }
}

/// An answer read as text: pages, and bodies that may not be JSON.
#[derive(Debug)]
pub struct TextReply {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// The body, as UTF-8 (lossily).
    pub text: String,
}

impl TextReply {
    /// The body as JSON; panics, showing it, if it is not.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|_| panic!("{}: the body is not JSON: {}", self.status, self.text))
    }

    /// The `x-request-id` the edge gave this answer; panics if none.
    #[track_caller]
    pub fn request_id(&self) -> String {
        self.headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .expect("every answer carries an x-request-id header")
            .to_string()
    }
}

/// The real router on a fresh database of one kind; see the module docs.
pub struct TestApp {
    /// The application, for use cases.
    pub app: App,
    /// The whole router, as the server runs it.
    pub router: Router,
    /// The clock every use case reads; move it with `advance`.
    pub clock: Arc<ManualClock>,
    /// "sqlite" or "postgres".
    pub kind: &'static str,
    /// The state the router was built with, for routes a test adds.
    state: AppState,
    outbox: tempfile::TempDir,
    _db: Option<tempfile::TempDir>,
    /// Outbox ids the test has consumed.
    expected: Mutex<HashSet<Uuid>>,
    admin: tokio::sync::Mutex<Option<Person>>,
    finished: AtomicBool,
    leave_work: Mutex<Option<String>>,
}

impl TestApp {
    /// Default web and app settings.
    pub async fn new(kind: &'static str) -> Self {
        Self::with(kind, WebConfig::default(), |_| {}).await
    }

    /// `web` settings, and app settings changed by `configure` (the outbox
    /// folder and base URL are set before it runs).
    pub async fn with(
        kind: &'static str,
        web: WebConfig,
        configure: impl FnOnce(&mut AppConfig),
    ) -> Self {
        let (store, db) = fresh_store(kind).await.expect("a fresh database");
        let outbox = tempfile::tempdir().expect("a temporary outbox folder");
        let clock = Arc::new(ManualClock::new(START_MS));
        let mut config = AppConfig {
            outbox_dir: outbox.path().to_path_buf(),
            base_url: BASE_URL.into(),
            ..AppConfig::default()
        };
        configure(&mut config);
        let app = App::new(store, clock.clone(), config)
            .await
            .expect("the app starts");
        let state = AppState::new(app.clone(), web);
        let router = crate::router(state.clone());
        Self {
            app,
            router,
            clock,
            kind,
            state,
            outbox,
            _db: db,
            expected: Mutex::new(HashSet::new()),
            admin: tokio::sync::Mutex::new(None),
            finished: AtomicBool::new(false),
            leave_work: Mutex::new(None),
        }
    }

    /// Serves only `routes` (test-only handlers, such as one that panics)
    /// in place of the real ones, behind the same edge ([`crate::edge`]) and
    /// with this app's state, so the test sees what every answer goes through.
    pub fn serve_only(mut self, routes: Router<AppState>) -> Self {
        self.router = crate::edge(routes, self.state.clone());
        self
    }

    /// The folder of a SQLite database (`rapport.db` is in it), for a test
    /// that must write behind the store's back; `None` on PostgreSQL.
    pub fn database_dir(&self) -> Option<&std::path::Path> {
        self._db.as_ref().map(|d| d.path())
    }

    /// The store, for set-up and checks that have no use case.
    pub fn store(&self) -> &Store {
        self.app.store_for_tests()
    }

    /// The folder delivered emails are written to (`.eml` files).
    pub fn outbox_dir(&self) -> &std::path::Path {
        self.outbox.path()
    }

    /// Sends a request through the router, as the server would.
    pub async fn send(&self, request: Request<Body>) -> Response {
        self.router
            .clone()
            .oneshot(request)
            .await
            .expect("the router is infallible")
    }

    /// A request builder for `path` with the site's Host header and `auth`.
    pub fn request(method: &str, path: &str, auth: Auth) -> axum::http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "rapport.test");
        match auth {
            Auth::Anonymous => {}
            Auth::Cookie(c) => b = b.header(header::COOKIE, c),
            Auth::Bearer(t) => b = b.header(header::AUTHORIZATION, format!("Bearer {t}")),
        }
        b
    }

    /// Sends `request` and reads the answer as JSON. Every such request
    /// takes a second on the clock, so queued emails are ordered in time.
    pub async fn reply(&self, request: Request<Body>) -> Reply {
        self.clock.advance(1_000);
        let response = self.send(request).await;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 4 << 20)
            .await
            .expect("a body");
        let json = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                panic!(
                    "{status}: the body is not JSON: {}",
                    String::from_utf8_lossy(&bytes)
                )
            })
        };
        Reply {
            status,
            headers,
            json,
        }
    }

    /// Sends `request` and reads the answer as text, for pages and bodies
    /// that may not be JSON. Takes a second on the clock, like [`TestApp::reply`].
    pub async fn reply_text(&self, request: Request<Body>) -> TextReply {
        self.clock.advance(1_000);
        let response = self.send(request).await;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
            .await
            .expect("a body");
        TextReply {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A JSON API call: `body` is sent as `application/json` when given.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        auth: Auth<'_>,
        body: Option<Value>,
    ) -> Reply {
        let b = Self::request(method, path, auth);
        let request = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        };
        self.reply(request.expect("a valid request")).await
    }

    /// `GET path` as JSON.
    pub async fn get(&self, path: &str, auth: Auth<'_>) -> Reply {
        self.call("GET", path, auth, None).await
    }

    /// Signs in over the API; the reply carries the session cookie.
    pub async fn sign_in(&self, email: &str, password: &str) -> Reply {
        self.call(
            "POST",
            "/api/v1/auth/sign-in",
            Auth::Anonymous,
            Some(serde_json::json!({"email": email, "password": password})),
        )
        .await
    }

    async fn account(&self, email: &str, name: &str, admin: bool) -> Person {
        let id = self
            .app
            .create_user(email, name, PASSWORD, admin)
            .await
            .unwrap_or_else(|e| panic!("cannot create {email}: {e}"));
        let cookie = self
            .sign_in(email, PASSWORD)
            .await
            .expect(200)
            .session_cookie();
        Person {
            id,
            email: email.into(),
            cookie,
        }
    }

    /// The site admin `admin@example.org` ("Ada Admin"), created on first use
    /// as from the command line, signed in.
    pub async fn admin(&self) -> Person {
        let mut admin = self.admin.lock().await;
        if admin.is_none() {
            *admin = Some(self.account("admin@example.org", "Ada Admin", true).await);
        }
        admin.clone().expect("created above")
    }

    /// An active, verified member (no admin rights, no programme), signed in.
    /// Created as from the command line, so no email is queued.
    pub async fn member(&self, email: &str, name: &str) -> Person {
        self.account(email, name, false).await
    }

    /// A draft programme of `kind` (`one_to_one`, `group`, `peer`, …) named
    /// `name`, created by the admin; returns its slug.
    pub async fn programme(&self, name: &str, kind: &str) -> String {
        let admin = self.admin().await;
        let input = ProgrammeInput {
            name: name.into(),
            kind: kind.into(),
            ..ProgrammeInput::default()
        };
        self.app
            .create_programme(&self.actor(&admin).await, &input)
            .await
            .unwrap_or_else(|e| panic!("cannot create programme {name}: {e}"))
            .record
            .slug
            .into()
    }

    /// A member who manages the programme `slug`, signed in.
    pub async fn manager_of(&self, slug: &str, email: &str, name: &str) -> Person {
        let person = self.member(email, name).await;
        let admin = self.admin().await;
        self.app
            .add_manager(&self.actor(&admin).await, slug, email)
            .await
            .unwrap_or_else(|e| panic!("cannot make {email} a manager of {slug}: {e}"));
        person
    }

    /// The person as an [`Actor`] with their current roles, for use cases.
    pub async fn actor(&self, person: &Person) -> Actor {
        self.app.actor(person.id).await.expect("the person exists")
    }

    /// The newest email to `to` whose subject contains `subject` that the
    /// test has not consumed yet (or, failing that, the newest it has: an
    /// email may be read twice); it counts as expected from now on. Panics
    /// if there is none.
    pub async fn expect_email(&self, to: &str, subject: &str) -> OutboxMessage {
        let all = rapport_store::testing::all_outbox(self.store())
            .await
            .expect("the outbox");
        let mut expected = self.expected.lock().expect("not poisoned");
        let matches =
            |m: &&OutboxMessage| m.to.eq_ignore_ascii_case(to) && m.subject.contains(subject);
        let found = all
            .iter()
            .rev()
            .filter(matches)
            .find(|m| !expected.contains(&m.id))
            .or_else(|| all.iter().rev().find(matches))
            .cloned()
            .unwrap_or_else(|| {
                let queued: Vec<_> = all.iter().map(|m| (&m.to, &m.subject)).collect();
                panic!("no email to {to} about {subject:?}; queued: {queued:#?}")
            });
        expected.insert(found.id);
        found
    }

    /// [`TestApp::expect_email`] for each `(to, subject)`: a step that told
    /// several people, listed once per email.
    pub async fn expect_emails(&self, emails: &[(&str, &str)]) {
        for (to, subject) in emails {
            self.expect_email(to, subject).await;
        }
    }

    /// Every email queued so far that the test has not consumed yet, oldest
    /// first; they count as expected from now on.
    pub async fn take_emails(&self) -> Vec<OutboxMessage> {
        let all = rapport_store::testing::all_outbox(self.store())
            .await
            .expect("the outbox");
        let mut expected = self.expected.lock().expect("not poisoned");
        all.into_iter().filter(|m| expected.insert(m.id)).collect()
    }

    /// The emails not consumed yet whose subject contains `subject`, oldest
    /// first; they count as expected from now on. Assert on what comes back
    /// (how many, to whom).
    pub async fn take_emails_about(&self, subject: &str) -> Vec<OutboxMessage> {
        let all = rapport_store::testing::all_outbox(self.store())
            .await
            .expect("the outbox");
        let mut expected = self.expected.lock().expect("not poisoned");
        all.into_iter()
            .filter(|m| m.subject.contains(subject) && expected.insert(m.id))
            .collect()
    }

    /// Runs the due jobs and returns the newest email as delivered (the
    /// `.eml` file's RFC 5322 text, quoted-printable undone); it counts as
    /// expected. Panics if nothing was queued.
    pub async fn last_delivered_email(&self) -> String {
        self.app.run_due_jobs().await.expect("the due jobs run");
        let newest = rapport_store::testing::all_outbox(self.store())
            .await
            .expect("the outbox")
            .pop()
            .expect("an email was queued");
        self.expected
            .lock()
            .expect("not poisoned")
            .insert(newest.id);
        let path = self
            .outbox_dir()
            .join(format!("{}-{}.eml", newest.created_at, newest.id));
        let raw = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("the email {} was not delivered: {e}", path.display()));
        // Undo quoted-printable soft line breaks and the encoded '='.
        raw.replace("=\r\n", "").replace("=3D", "=")
    }

    /// Lets this test end with unconsumed emails or unfinished jobs; `reason`
    /// says why that is what the test is about.
    pub fn leave_work(&self, reason: &str) {
        assert!(!reason.trim().is_empty(), "say why work is left behind");
        *self.leave_work.lock().expect("not poisoned") = Some(reason.into());
    }

    /// Ends the test on this database: runs the due jobs, then fails if any
    /// email was queued that the test did not consume, or any job is still
    /// waiting or failed (unless [`TestApp::leave_work`] said why).
    pub async fn finish(self) {
        self.finished.store(true, Ordering::SeqCst);
        if self.leave_work.lock().expect("not poisoned").is_some() {
            return;
        }
        self.app.run_due_jobs().await.expect("the due jobs run");
        let expected = self.expected.lock().expect("not poisoned").clone();
        let surprises: Vec<String> = rapport_store::testing::all_outbox(self.store())
            .await
            .expect("the outbox")
            .into_iter()
            .filter(|m| !expected.contains(&m.id))
            .map(|m| format!("to {} about {:?}", m.to, m.subject))
            .collect();
        assert!(
            surprises.is_empty(),
            "[{}] emails the test did not expect: {surprises:#?}\n\
             consume them with expect_email/take_emails, or call leave_work(reason)",
            self.kind
        );
        let jobs = rapport_store::testing::unfinished_jobs(self.store())
            .await
            .expect("the jobs");
        assert!(
            jobs.is_empty(),
            "[{}] jobs left waiting or failed: {jobs:#?}\ncall leave_work(reason) if that is the point",
            self.kind
        );
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Not while a test is already failing: that would abort the process
        // and hide the real failure.
        if !self.finished.load(Ordering::SeqCst) && !std::thread::panicking() {
            panic!(
                "[{}] a TestApp was dropped without `finish().await`: end each test with it, so leftover emails and jobs are caught",
                self.kind
            );
        }
    }
}

/// An approved enrolment of `person` in `programme` as `role`, written
/// straight to the store by tests that set a room up without the use cases:
/// mentors take three mentees, the code of conduct was accepted at 0. Change
/// a field with struct update syntax (`EnrolmentRecord { status, ..approved(…) }`).
pub fn approved_enrolment(
    programme: rapport_domain::ProgrammeId,
    person: PersonId,
    role: rapport_domain::programme::ProgrammeRole,
) -> rapport_store::EnrolmentRecord {
    rapport_store::EnrolmentRecord {
        id: rapport_domain::EnrolmentId::new(),
        programme_id: programme,
        person_id: person,
        role,
        status: rapport_domain::mentoring::EnrolmentStatus::Approved,
        capacity: if role == rapport_domain::programme::ProgrammeRole::Mentor {
            3
        } else {
            0
        },
        answers: Default::default(),
        preferences: Default::default(),
        consent_sensitive: false,
        created_at: 0,
        conduct_accepted_at: Some(0),
        decided_at: None,
    }
}

/// Inside `tx`: `mentor` and `mentee` granted their roles in `programme`
/// and enrolled there (approved, the enrolments dated `enrolled_at`), and an
/// active one-to-one room between them, both accepted, proposed by a round
/// and started at `started_at`. The "a programme with a room" set-up many
/// suites share; returns the room's id.
pub async fn active_pair_room(
    tx: &mut rapport_store::Tx,
    programme: rapport_domain::ProgrammeId,
    (mentor, mentee): (PersonId, PersonId),
    enrolled_at: i64,
    started_at: i64,
) -> rapport_domain::RoomId {
    use rapport_domain::mentoring::{MemberState, RoomOrigin, RoomStatus};
    use rapport_domain::programme::ProgrammeRole;
    for (who, role) in [
        (mentor, ProgrammeRole::Mentor),
        (mentee, ProgrammeRole::Mentee),
    ] {
        tx.grant_role(programme, who, role, 0).await.unwrap();
        tx.insert_enrolment(&rapport_store::EnrolmentRecord {
            created_at: enrolled_at,
            ..approved_enrolment(programme, who, role)
        })
        .await
        .unwrap();
    }
    let room = rapport_domain::RoomId::new();
    tx.insert_room(
        &rapport_store::NewRoom {
            id: room,
            programme_id: programme,
            status: RoomStatus::Proposed,
            origin: RoomOrigin::Round,
            members: vec![
                (mentor, ProgrammeRole::Mentor, MemberState::Accepted),
                (mentee, ProgrammeRole::Mentee, MemberState::Accepted),
            ],
            round_id: None,
        },
        started_at,
    )
    .await
    .unwrap();
    assert!(tx
        .set_room_status(room, RoomStatus::Active, started_at)
        .await
        .unwrap());
    room
}
