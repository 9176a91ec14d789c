//! The query planner's statistics (issue 20): refreshed after migrations (by
//! the store), after bulk imports, for the tables that changed enough every
//! minute by the worker (as often as PostgreSQL's autovacuum looks, which may
//! be off), and when the server stops. Without them PostgreSQL guesses row
//! counts (on a fresh database it picks the wrong index for the enrolment
//! lookup, and an import turns quadratic); SQLite's `PRAGMA optimize` is the
//! same idea, cheap when nothing changed.

use crate::{error_chain, App};

/// How often the worker refreshes the statistics of tables that changed
/// enough ([`rapport_store::Store::refresh_stale_statistics`]).
pub const EVERY_MS: i64 = 60 * 1000;

/// An import of at least this many rows refreshes the statistics after it
/// commits: smaller ones change too little to matter.
pub const AFTER_IMPORT_ROWS: usize = 500;

impl App {
    /// Refreshes the planner's statistics. A failure is logged, never
    /// returned: the work it follows has already been committed.
    pub async fn refresh_statistics(&self) {
        if let Err(e) = self.store.refresh_statistics().await {
            let e = crate::AppError::from(e);
            tracing::warn!(error = %error_chain(&e), "refreshing the planner's statistics failed");
        }
    }

    /// Refreshes the statistics of the tables that changed enough when
    /// `last` (ms) is [`EVERY_MS`] old or more; returns when they were last
    /// checked.
    pub async fn refresh_statistics_if_due(&self, last: i64) -> i64 {
        let now = self.now();
        if now - last < EVERY_MS {
            return last;
        }
        self.refresh_stale_statistics().await;
        now
    }

    /// The worker's check: refreshes the statistics of the tables that
    /// changed enough ([`rapport_store::Store::refresh_stale_statistics`])
    /// and returns their names (PostgreSQL). A failure is logged, as in
    /// [`App::refresh_statistics`], and returns none.
    pub async fn refresh_stale_statistics(&self) -> Vec<String> {
        match self.store.refresh_stale_statistics().await {
            Ok(tables) => {
                if !tables.is_empty() {
                    tracing::info!(tables = %tables.join(", "), "refreshed the planner's statistics");
                }
                tables
            }
            Err(e) => {
                let e = crate::AppError::from(e);
                tracing::warn!(error = %error_chain(&e), "refreshing the planner's statistics failed");
                vec![]
            }
        }
    }
}
