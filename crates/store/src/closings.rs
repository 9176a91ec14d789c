//! When a programme was closed and from which status (migration 0017), so an
//! admin can reopen it within 30 days into the status it had before.

use crate::decode::corrupt_row;
use crate::{on_conn, Result, Tx};
use rapport_domain::programme::ProgrammeStatus;
use rapport_domain::ProgrammeId;
use sqlx::Row;

impl Tx {
    /// Records that `programme` closed at `at`, coming from `from`
    /// (replacing an older record, if any).
    pub async fn record_closing(
        &mut self,
        programme: ProgrammeId,
        at: i64,
        from: ProgrammeStatus,
    ) -> Result<()> {
        on_conn!(self, c => sqlx::query(
            "INSERT INTO programme_closings (programme_id, closed_at, closed_from) VALUES ($1, $2, $3) \
             ON CONFLICT (programme_id) DO UPDATE SET closed_at = excluded.closed_at, closed_from = excluded.closed_from")
            .bind(programme.0).bind(at).bind(from.code()).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// When `programme` closed and the status it had before, if recorded.
    pub async fn closing(
        &mut self,
        programme: ProgrammeId,
    ) -> Result<Option<(i64, ProgrammeStatus)>> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT closed_at, closed_from FROM programme_closings WHERE programme_id = $1")
                .bind(programme.0).fetch_optional(c).await?;
            row.map(|r| {
                let from: String = r.try_get("closed_from")?;
                let status = ProgrammeStatus::parse("closed_from", &from)
                    .map_err(|e| corrupt_row("programme_closings", programme.to_string(), e))?;
                Ok((r.try_get("closed_at")?, status))
            })
            .transpose()
        })
    }

    /// Forgets the closing of `programme` (it was reopened).
    pub async fn forget_closing(&mut self, programme: ProgrammeId) -> Result<()> {
        on_conn!(self, c => sqlx::query("DELETE FROM programme_closings WHERE programme_id = $1")
            .bind(programme.0).execute(c).await.map(|_| ()))?;
        Ok(())
    }
}
