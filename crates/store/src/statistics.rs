//! Planner statistics (issue 20, "Statistics and query plans"): after a bulk
//! write the planner's picture of the tables is stale. On a fresh Postgres
//! (or one with autovacuum off) the enrolment lookup then picks the wrong
//! index and a large import turns quadratic.

use crate::{Pool, Result, Store};

impl Store {
    /// Refreshes the planner's statistics: `ANALYZE` on PostgreSQL, `PRAGMA
    /// optimize` on SQLite (which analyzes only the tables whose statistics
    /// are missing or out of date, so it is cheap to call often). The
    /// `0x10002` mask asks SQLite to look at every table, not only those this
    /// connection happened to query.
    pub async fn optimize_statistics(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(p) => {
                // A bounded analysis per index keeps this quick on big tables.
                let mut c = p.acquire().await?;
                sqlx::query("PRAGMA analysis_limit = 1000")
                    .execute(&mut *c)
                    .await?;
                sqlx::query("PRAGMA optimize = 0x10002")
                    .execute(&mut *c)
                    .await?;
            }
            Pool::Postgres(p) => {
                sqlx::query("ANALYZE").execute(p).await?;
            }
        }
        Ok(())
    }
}
