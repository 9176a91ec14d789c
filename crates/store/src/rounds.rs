//! Matching rounds, the pins and forbids managers set on pairs, blocks
//! between people, and confidential reports.

use crate::decode::{corrupt_row, json_column};
use crate::{on_conn, Result, Tx};
use rapport_domain::mentoring::{ReportStatus, RoundStatus};
use rapport_domain::{PersonId, ProgrammeId, ReportId, RequestId, RoundId};
use sqlx::Row;
use uuid::Uuid;

/// A stored matching round: the settings it ran with and its result.
///
/// Both are snapshots of the engine's and the app's own types, which the
/// store cannot name (it does not depend on them): it checks that they are
/// JSON when it reads the row, and the app decodes them into its types in one
/// place, so neither ever falls back to a default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundRecord {
    /// Id.
    pub id: RoundId,
    /// Programme.
    pub programme_id: ProgrammeId,
    /// Draft, published or discarded.
    pub status: RoundStatus,
    /// The settings snapshot.
    pub settings: serde_json::Value,
    /// Proposals, unmatched people and fixes.
    pub result: serde_json::Value,
    /// Who ran it.
    pub created_by: Option<PersonId>,
    /// When (ms).
    pub created_at: i64,
    /// When it was published (ms).
    pub published_at: Option<i64>,
}

/// A manager's rule on one pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PairRule {
    /// The mentee (or first peer).
    pub mentee_id: PersonId,
    /// The mentor (or second peer).
    pub mentor_id: PersonId,
    /// Pinned in (true) or forbidden (false).
    pub pin: bool,
}

/// A confidential report to a programme's managers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportRecord {
    /// Id.
    pub id: ReportId,
    /// Programme whose managers handle it.
    pub programme_id: ProgrammeId,
    /// Who reported (gone if they deleted their account).
    pub reporter_id: Option<PersonId>,
    /// The person reported.
    pub subject_id: Option<PersonId>,
    /// The request reported, if any.
    pub request_id: Option<RequestId>,
    /// Why.
    pub reason: String,
    /// Open or resolved.
    pub status: ReportStatus,
    /// What the manager did.
    pub resolution: Option<String>,
    /// When (ms).
    pub created_at: i64,
}

fn pid(v: Option<Uuid>) -> Option<PersonId> {
    v.map(PersonId)
}

impl Tx {
    /// Inserts a round.
    pub async fn insert_round(&mut self, r: &RoundRecord) -> Result<()> {
        let (settings, result) = (r.settings.to_string(), r.result.to_string());
        on_conn!(self, c => sqlx::query("INSERT INTO match_rounds (id, programme_id, status, settings, result, created_by, created_at, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(r.id.0).bind(r.programme_id.0).bind(r.status.code()).bind(&settings).bind(&result).bind(r.created_by.map(|p| p.0)).bind(r.created_at).bind(r.published_at)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Moves a round from `from` to `to`; false when it was not in `from`
    /// (someone published or discarded it first).
    pub async fn move_round(
        &mut self,
        id: RoundId,
        from: RoundStatus,
        to: RoundStatus,
        now: i64,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("UPDATE match_rounds SET status = $3, published_at = CASE WHEN $3 = 'published' THEN $4 ELSE published_at END WHERE id = $1 AND status = $2")
                .bind(id.0).bind(from.code()).bind(to.code()).bind(now).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Replaces a draft round's result (a manager's pair edit, issue 18 §5);
    /// false when the round is no longer a draft (published or discarded
    /// meanwhile), and then nothing changes.
    pub async fn set_draft_result(
        &mut self,
        id: RoundId,
        result: &serde_json::Value,
    ) -> Result<bool> {
        let result = result.to_string();
        on_conn!(self, c => {
            let r = sqlx::query("UPDATE match_rounds SET result = $2 WHERE id = $1 AND status = 'draft'")
                .bind(id.0).bind(&result).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Discards every draft round of a programme (a new run supersedes them).
    pub async fn discard_drafts(&mut self, programme: ProgrammeId) -> Result<()> {
        on_conn!(self, c => sqlx::query("UPDATE match_rounds SET status = 'discarded' WHERE programme_id = $1 AND status = 'draft'")
            .bind(programme.0).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// A round by id.
    pub async fn round(&mut self, id: RoundId) -> Result<Option<RoundRecord>> {
        Ok(self.rounds_where("id = $1", id.0).await?.pop())
    }

    /// Rounds of a programme, newest first.
    pub async fn rounds_in(&mut self, programme: ProgrammeId) -> Result<Vec<RoundRecord>> {
        self.rounds_where("programme_id = $1", programme.0).await
    }

    async fn rounds_where(&mut self, cond: &str, arg: Uuid) -> Result<Vec<RoundRecord>> {
        let sql = format!("SELECT id, programme_id, status, settings, result, created_by, created_at, published_at FROM match_rounds WHERE {cond} ORDER BY created_at DESC, id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(arg).fetch_all(c).await?;
            rows.iter().map(|r| {
                let id = RoundId(r.try_get("id")?);
                let status: String = r.try_get("status")?;
                Ok(RoundRecord {
                id,
                programme_id: ProgrammeId(r.try_get("programme_id")?),
                status: RoundStatus::parse(&status).map_err(|e| corrupt_row("match_rounds", id, e))?,
                settings: json_column(r, "settings", "match_rounds", id)?,
                result: json_column(r, "result", "match_rounds", id)?,
                created_by: pid(r.try_get("created_by")?),
                created_at: r.try_get("created_at")?,
                published_at: r.try_get("published_at")?,
            })}).collect::<Result<Vec<_>>>()
        })
    }

    /// Pins or forbids a pair, replacing any earlier rule on it.
    pub async fn set_pair_rule(
        &mut self,
        programme: ProgrammeId,
        rule: PairRule,
        by: PersonId,
        now: i64,
    ) -> Result<()> {
        on_conn!(self, c => sqlx::query("INSERT INTO pair_rules (programme_id, mentee_id, mentor_id, rule, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (programme_id, mentee_id, mentor_id) DO UPDATE SET rule = excluded.rule, created_by = excluded.created_by, created_at = excluded.created_at")
            .bind(programme.0).bind(rule.mentee_id.0).bind(rule.mentor_id.0).bind(if rule.pin { "pin" } else { "forbid" }).bind(by.0).bind(now)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Removes the rule on a pair; returns whether there was one.
    pub async fn clear_pair_rule(
        &mut self,
        programme: ProgrammeId,
        mentee: PersonId,
        mentor: PersonId,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("DELETE FROM pair_rules WHERE programme_id = $1 AND mentee_id = $2 AND mentor_id = $3")
                .bind(programme.0).bind(mentee.0).bind(mentor.0).execute(c).await?;
            Ok(r.rows_affected() > 0)
        })
    }

    /// Every pin and forbid in a programme.
    pub async fn pair_rules(&mut self, programme: ProgrammeId) -> Result<Vec<PairRule>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT mentee_id, mentor_id, rule FROM pair_rules WHERE programme_id = $1 ORDER BY created_at")
                .bind(programme.0).fetch_all(c).await?;
            rows.iter().map(|r| Ok(PairRule {
                mentee_id: PersonId(r.try_get("mentee_id")?),
                mentor_id: PersonId(r.try_get("mentor_id")?),
                pin: r.try_get::<String, _>("rule")? == "pin",
            })).collect::<Result<Vec<_>>>()
        })
    }

    /// `blocker` blocks `blocked`; blocking twice is a no-op.
    pub async fn block(&mut self, blocker: PersonId, blocked: PersonId, now: i64) -> Result<()> {
        on_conn!(self, c => sqlx::query("INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(blocker.0).bind(blocked.0).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Lifts a block; returns whether there was one.
    pub async fn unblock(&mut self, blocker: PersonId, blocked: PersonId) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2").bind(blocker.0).bind(blocked.0).execute(c).await?;
            Ok(r.rows_affected() > 0)
        })
    }

    /// Whether either person blocks the other.
    pub async fn blocked_either_way(&mut self, a: PersonId, b: PersonId) -> Result<bool> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM blocks WHERE (blocker_id = $1 AND blocked_id = $2) OR (blocker_id = $2 AND blocked_id = $1)")
                .bind(a.0).bind(b.0).fetch_one(c).await?;
            Ok(row.try_get::<i64, _>("n")? > 0)
        })
    }

    /// Every block (blocker, blocked) involving someone enrolled in a programme.
    pub async fn blocks_in(&mut self, programme: ProgrammeId) -> Result<Vec<(PersonId, PersonId)>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT blocker_id, blocked_id FROM blocks WHERE blocker_id IN (SELECT person_id FROM enrolments WHERE programme_id = $1)")
                .bind(programme.0).fetch_all(c).await?;
            rows.iter().map(|r| Ok((PersonId(r.try_get("blocker_id")?), PersonId(r.try_get("blocked_id")?)))).collect()
        })
    }

    /// The people a person blocks.
    pub async fn blocked_by(&mut self, blocker: PersonId) -> Result<Vec<PersonId>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT blocked_id FROM blocks WHERE blocker_id = $1 ORDER BY created_at").bind(blocker.0).fetch_all(c).await?;
            rows.iter().map(|r| Ok(PersonId(r.try_get("blocked_id")?))).collect()
        })
    }

    /// Files a report.
    pub async fn insert_report(&mut self, r: &ReportRecord) -> Result<()> {
        on_conn!(self, c => sqlx::query("INSERT INTO reports (id, programme_id, reporter_id, subject_id, request_id, reason, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(r.id.0).bind(r.programme_id.0).bind(r.reporter_id.map(|p| p.0)).bind(r.subject_id.map(|p| p.0)).bind(r.request_id.map(|p| p.0))
            .bind(&r.reason).bind(r.status.code()).bind(r.created_at)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Reports to a programme's managers, open ones first, oldest first.
    pub async fn reports_in(&mut self, programme: ProgrammeId) -> Result<Vec<ReportRecord>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT id, programme_id, reporter_id, subject_id, request_id, reason, status, resolution, created_at FROM reports WHERE programme_id = $1 ORDER BY CASE status WHEN 'open' THEN 0 ELSE 1 END, created_at")
                .bind(programme.0).fetch_all(c).await?;
            rows.iter().map(|r| {
                let id = ReportId(r.try_get("id")?);
                let status: String = r.try_get("status")?;
                Ok(ReportRecord {
                id,
                programme_id: ProgrammeId(r.try_get("programme_id")?),
                reporter_id: pid(r.try_get("reporter_id")?),
                subject_id: pid(r.try_get("subject_id")?),
                request_id: r.try_get::<Option<Uuid>, _>("request_id")?.map(RequestId),
                reason: r.try_get("reason")?,
                status: ReportStatus::parse(&status).map_err(|e| corrupt_row("reports", id, e))?,
                resolution: r.try_get("resolution")?,
                created_at: r.try_get("created_at")?,
            })}).collect::<Result<Vec<_>>>()
        })
    }

    /// Resolves an open report; false if it is not open in that programme.
    pub async fn resolve_report(
        &mut self,
        programme: ProgrammeId,
        id: ReportId,
        by: PersonId,
        resolution: &str,
        now: i64,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("UPDATE reports SET status = 'resolved', resolution = $3, resolved_by = $4, resolved_at = $5 WHERE id = $1 AND programme_id = $2 AND status = 'open'")
                .bind(id.0).bind(programme.0).bind(resolution).bind(by.0).bind(now).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }
}
