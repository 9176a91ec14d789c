//! `rapport-app`: every use case of Rapport.
//!
//! Each use case takes the acting person, checks the permission policy from
//! `rapport-domain`, applies the domain rules, writes through the store in one
//! transaction, and queues emails and jobs. Web handlers and CLI commands call
//! these functions and nothing else.

pub mod accounts;
pub mod activation;
pub mod admin;
pub mod agreements;
#[doc(hidden)]
pub mod bench;
pub mod calendar;
pub mod clock;
pub mod closure;
pub mod coverage;
pub mod csv_people;
pub mod demo;
mod emails;
pub mod enrolment;
mod error;
pub mod goals;
pub mod health;
pub mod home;
pub mod inbox;
pub mod jobs;
pub mod lists;
pub mod mail;
pub mod markdown;
/// Forms that help (H3): the matching settings as form controls.
pub mod matching_form;
pub mod messages;
pub mod notes;
pub mod notifications;
pub mod operator;
pub mod profiles;
pub mod programmes;
pub mod pulse;
pub mod recommend;
pub mod rematch;
pub mod requests;
// Roadmaps (H6).
pub mod roadmaps;
mod room_export;
pub mod room_life;
pub mod rooms;
pub mod rounds;
pub mod safety;
pub mod secrets;
pub mod sessions;
// Issue 17: a programme's room rules (pulse schedule, health thresholds).
pub mod room_rules;
// Safe actions (issue 18 §5, H4): reopening a closed programme.
pub mod reopening;
// Managers' tools in plain words (issue 18 §6).
pub mod audit_log;
pub mod placement;
// Growth Threads (H7).
pub mod thread_moderation;
pub mod threads;
// Reflection and the needs check (issue 19, H8).
pub mod needs;
pub mod reflection;
// Issue 17 performance (H1): one read transaction per page.
mod mail_batch;
pub mod programme_page;
pub mod room_pages;
pub mod viewer;
// Issue 20 (H7): fast at 100k people, the planner's statistics.
pub mod statistics;
// Issue 18 §5 safe actions remainder (H4): pair edits in a draft round.
pub mod confirmations;
pub mod round_edits;
// Issue 20 cause 5 and issue 18 §6 (H6): requests paged, and who is asking.
pub mod request_list;
// Issues 18 and 20: the participants list paged and filtered.
pub mod participants;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{error_chain, AppError, AppResult, BoxError};
pub use home::{HomePage, HomeSummary, JobCounts};
pub use rapport_domain::policy::Actor;

use rapport_store::Store;
use std::path::PathBuf;
use std::sync::Arc;

/// Configuration the use cases need.
#[derive(Clone, Debug)]
pub struct AppConfig {
    /// Public base URL, used in email links (no trailing slash).
    pub base_url: String,
    /// SMTP URL for lettre (`smtp://host:port`, `smtps://user:pass@host`); none
    /// means messages are written as `.eml` files into `outbox_dir`.
    pub smtp_url: Option<String>,
    /// Where `.eml` files go when there is no SMTP server.
    pub outbox_dir: PathBuf,
    /// The From address of every email.
    pub mail_from: String,
    /// Sign-in session lifetime since last use, in days.
    pub session_days: i64,
    /// How long a worker holds a claimed job before another may take it
    /// over, in seconds: a server that dies mid-job leaves the job to others
    /// after this long. Longer than any job takes.
    pub job_lease_seconds: i64,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            base_url: "http://127.0.0.1:8080".into(),
            smtp_url: None,
            outbox_dir: PathBuf::from("rapport-data/outbox"),
            mail_from: "Rapport <rapport@localhost>".into(),
            session_days: 30,
            job_lease_seconds: 300,
        }
    }
}

/// The application: store, clock and configuration. Cheap to clone.
#[derive(Clone)]
pub struct App {
    /// The database: private, so that every read and write goes through a
    /// use case here. Tests reach it with the `testing` feature
    /// (`App::store_for_tests`).
    pub(crate) store: Store,
    /// Where time comes from.
    pub clock: Arc<dyn Clock>,
    /// Configuration.
    pub config: Arc<AppConfig>,
    /// Key for signed links (unsubscribe), loaded from the database.
    secret: Arc<[u8; 32]>,
    /// One coverage computation at a time per programme
    /// ([`coverage::Recompute`]).
    coverage_locks: coverage::Recompute,
}

impl App {
    /// Builds the app on a migrated store, loading (or creating) the site's
    /// signing key.
    pub async fn new(store: Store, clock: Arc<dyn Clock>, config: AppConfig) -> AppResult<Self> {
        let secret = secrets::site_key(&store).await?;
        Ok(Self {
            store,
            clock,
            config: Arc::new(config),
            secret: Arc::new(secret),
            coverage_locks: coverage::Recompute::default(),
        })
    }

    /// The store, for test set-up and checks that have no use case (the
    /// `testing` feature only: production callers go through use cases).
    #[cfg(feature = "testing")]
    pub fn store_for_tests(&self) -> &Store {
        &self.store
    }

    /// Now, in Unix milliseconds.
    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }
}
