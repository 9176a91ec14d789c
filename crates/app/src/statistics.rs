//! The query planner's statistics (issue 20): refreshed after migrations (by
//! the store), after bulk imports, once a day by the worker, and when the
//! server stops. Without them PostgreSQL guesses row counts (on a fresh
//! database it picks the wrong index for the enrolment lookup, and an import
//! turns quadratic); SQLite's `PRAGMA optimize` is the same idea, cheap when
//! nothing changed.

use crate::{error_chain, App};

/// How often the worker refreshes the statistics.
pub const EVERY_MS: i64 = 24 * 60 * 60 * 1000;

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

    /// [`App::refresh_statistics`] when `last` (ms) is a day old or more;
    /// returns when they were last refreshed.
    pub async fn refresh_statistics_if_due(&self, last: i64) -> i64 {
        let now = self.now();
        if now - last < EVERY_MS {
            return last;
        }
        self.refresh_statistics().await;
        now
    }
}
