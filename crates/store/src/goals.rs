//! Goals, their milestones, progress events and comments, and the snapshots
//! a goal leaves behind when its owner moves to a new room (migration 0007).

use crate::decode::{corrupt_row, json_column};
use crate::page::{bind_keyset, keyset_sql, Page, Start};
use crate::{on_conn, Result, StoreError, Tx};
use chrono::NaiveDate;
use rapport_domain::agreement::parse_day;
use rapport_domain::goals::{GoalSnapshot, GoalStatus, SnapshotMilestone};
use rapport_domain::{CommentId, GoalId, MilestoneId, PersonId, RoomId};
use sqlx::Row;

/// A stored goal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoalRecord {
    /// Id.
    pub id: GoalId,
    /// The room it belongs to now.
    pub room_id: RoomId,
    /// Its owner; none for a room's shared goal.
    pub owner_id: Option<PersonId>,
    /// The owner's name, read with the row.
    pub owner_name: Option<String>,
    /// Title.
    pub title: String,
    /// Description (Markdown).
    pub description: String,
    /// Success criteria (Markdown).
    pub success_criteria: String,
    /// Target day.
    pub target_date: Option<NaiveDate>,
    /// Status.
    pub status: GoalStatus,
    /// The progress the owner set, read while there are no milestones.
    pub manual_progress: u8,
    /// The progress in force (0–100).
    pub progress: u8,
    /// Who set the goal.
    pub created_by: Option<PersonId>,
    /// Created (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

/// A milestone of a goal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MilestoneRecord {
    /// Id.
    pub id: MilestoneId,
    /// Its goal.
    pub goal_id: GoalId,
    /// Title.
    pub title: String,
    /// Due day.
    pub due_date: Option<NaiveDate>,
    /// Done.
    pub done: bool,
    /// When it was marked done (ms).
    pub done_at: Option<i64>,
    /// Created (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

/// A comment on a goal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommentRecord {
    /// Id.
    pub id: CommentId,
    /// Its goal.
    pub goal_id: GoalId,
    /// Who wrote it (none once their account is deleted: "a former member").
    pub author_id: Option<PersonId>,
    /// Their name, read with the row.
    pub author_name: Option<String>,
    /// Text (Markdown).
    pub body: String,
    /// When (ms).
    pub created_at: i64,
}

/// What a goal looked like when its owner moved on, kept in the old room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoalSnapshotRecord {
    /// The goal, which lives on in `moved_to`.
    pub goal_id: GoalId,
    /// The room that keeps this copy.
    pub room_id: RoomId,
    /// The owner.
    pub owner_id: Option<PersonId>,
    /// The room the goal moved to.
    pub moved_to: RoomId,
    /// The goal as it stood.
    pub snapshot: GoalSnapshot,
    /// When it moved (ms).
    pub created_at: i64,
}

const GOAL_COLUMNS: &str = "g.id, g.room_id, g.owner_id, p.name AS owner_name, g.title, g.description, g.success_criteria, g.target_date, g.status, g.manual_progress, g.progress, g.created_by, g.created_at, g.updated_at";
const MILESTONE_COLUMNS: &str =
    "id, goal_id, title, due_date, done, done_at, created_at, updated_at";

fn day(
    table: &'static str,
    id: impl std::fmt::Display,
    raw: Option<String>,
) -> Result<Option<NaiveDate>> {
    raw.map(|d| parse_day("date", &d).map_err(|e| corrupt_row(table, &id, e)))
        .transpose()
}

fn percent(table: &'static str, id: impl std::fmt::Display, raw: i32) -> Result<u8> {
    u8::try_from(raw)
        .ok()
        .filter(|p| *p <= 100)
        .ok_or_else(|| corrupt_row(table, id, format!("progress {raw} is not 0 to 100")))
}

fn decode_goal<R: Row>(r: &R) -> Result<GoalRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i32: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id = GoalId(r.try_get("id")?);
    let status: String = r.try_get("status")?;
    Ok(GoalRecord {
        id,
        room_id: RoomId(r.try_get("room_id")?),
        owner_id: r
            .try_get::<Option<uuid::Uuid>, _>("owner_id")?
            .map(PersonId),
        owner_name: r.try_get("owner_name")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        success_criteria: r.try_get("success_criteria")?,
        target_date: day("goals", id, r.try_get("target_date")?)?,
        status: GoalStatus::parse(&status).map_err(|e| corrupt_row("goals", id, e))?,
        manual_progress: percent("goals", id, r.try_get("manual_progress")?)?,
        progress: percent("goals", id, r.try_get("progress")?)?,
        created_by: r
            .try_get::<Option<uuid::Uuid>, _>("created_by")?
            .map(PersonId),
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn decode_milestone<R: Row>(r: &R) -> Result<MilestoneRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> bool: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id = MilestoneId(r.try_get("id")?);
    Ok(MilestoneRecord {
        id,
        goal_id: GoalId(r.try_get("goal_id")?),
        title: r.try_get("title")?,
        due_date: day("milestones", id, r.try_get("due_date")?)?,
        done: r.try_get("done")?,
        done_at: r.try_get("done_at")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn decode_comment<R: Row>(r: &R) -> Result<CommentRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(CommentRecord {
        id: CommentId(r.try_get("id")?),
        goal_id: GoalId(r.try_get("goal_id")?),
        author_id: r
            .try_get::<Option<uuid::Uuid>, _>("author_id")?
            .map(PersonId),
        author_name: r.try_get("author_name")?,
        body: r.try_get("body")?,
        created_at: r.try_get("created_at")?,
    })
}

fn date_text(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

impl Tx {
    /// Stores a new goal (owner name is not stored: it is read by join).
    pub async fn insert_goal(&mut self, g: &GoalRecord) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO goals (id, room_id, owner_id, title, description, success_criteria, target_date, status, manual_progress, progress, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
                .bind(g.id.0).bind(g.room_id.0).bind(g.owner_id.map(|p| p.0)).bind(&g.title).bind(&g.description)
                .bind(&g.success_criteria).bind(date_text(g.target_date)).bind(g.status.code())
                .bind(i32::from(g.manual_progress)).bind(i32::from(g.progress)).bind(g.created_by.map(|p| p.0))
                .bind(g.created_at).bind(g.updated_at)
                .execute(c).await?;
            Ok(())
        })
    }

    /// One goal.
    pub async fn goal(&mut self, id: GoalId) -> Result<Option<GoalRecord>> {
        let sql = format!("SELECT {GOAL_COLUMNS} FROM goals g LEFT JOIN people p ON p.id = g.owner_id WHERE g.id = $1");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(c).await?;
            row.as_ref().map(decode_goal).transpose()
        })
    }

    /// One page of a room's goals, newest first.
    pub async fn goals_page(
        &mut self,
        room: RoomId,
        start: Start,
        limit: i64,
    ) -> Result<Page<GoalRecord>> {
        let sql = format!(
            "SELECT * FROM (SELECT {GOAL_COLUMNS} FROM goals g LEFT JOIN people p ON p.id = g.owner_id WHERE g.room_id = $1) AS q {}",
            keyset_sql(start, 2, limit)
        );
        on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0);
            let q = bind_keyset!(q, start);
            let rows = q.fetch_all(&mut *c).await?;
            let items = rows.iter().map(decode_goal).collect::<Result<Vec<_>>>()?;
            Ok(Page::from_rows(start, items, limit, |g| (g.created_at, g.id.0)))
        })
    }

    /// Saves a goal's fields and progress; false if it does not exist.
    pub async fn update_goal(&mut self, g: &GoalRecord) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("UPDATE goals SET title = $2, description = $3, success_criteria = $4, target_date = $5, status = $6, manual_progress = $7, progress = $8, updated_at = $9 WHERE id = $1")
                .bind(g.id.0).bind(&g.title).bind(&g.description).bind(&g.success_criteria)
                .bind(date_text(g.target_date)).bind(g.status.code()).bind(i32::from(g.manual_progress))
                .bind(i32::from(g.progress)).bind(g.updated_at)
                .execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Stores a new milestone.
    pub async fn insert_milestone(&mut self, m: &MilestoneRecord) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO milestones (id, goal_id, title, due_date, done, done_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(m.id.0).bind(m.goal_id.0).bind(&m.title).bind(date_text(m.due_date)).bind(m.done)
                .bind(m.done_at).bind(m.created_at).bind(m.updated_at)
                .execute(c).await?;
            Ok(())
        })
    }

    /// One milestone.
    pub async fn milestone(&mut self, id: MilestoneId) -> Result<Option<MilestoneRecord>> {
        let sql = format!("SELECT {MILESTONE_COLUMNS} FROM milestones WHERE id = $1");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(c).await?;
            row.as_ref().map(decode_milestone).transpose()
        })
    }

    /// A goal's milestones, by due day (undated last), then as added.
    pub async fn milestones_of(&mut self, goal: GoalId) -> Result<Vec<MilestoneRecord>> {
        let sql = format!("SELECT {MILESTONE_COLUMNS} FROM milestones WHERE goal_id = $1 ORDER BY CASE WHEN due_date IS NULL THEN 1 ELSE 0 END, due_date, created_at, id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(goal.0).fetch_all(c).await?;
            rows.iter().map(decode_milestone).collect()
        })
    }

    /// Saves a milestone's title, due day and done flag.
    pub async fn update_milestone(&mut self, m: &MilestoneRecord) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("UPDATE milestones SET title = $2, due_date = $3, done = $4, done_at = $5, updated_at = $6 WHERE id = $1")
                .bind(m.id.0).bind(&m.title).bind(date_text(m.due_date)).bind(m.done).bind(m.done_at).bind(m.updated_at)
                .execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Records that a goal's progress became `value` at `at` (ms).
    pub async fn insert_progress_event(&mut self, goal: GoalId, value: u8, at: i64) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO goal_progress_events (id, goal_id, value, at) VALUES ($1, $2, $3, $4)")
                .bind(uuid::Uuid::new_v4()).bind(goal.0).bind(i32::from(value)).bind(at)
                .execute(c).await?;
            Ok(())
        })
    }

    /// A goal's progress over time: `(at ms, value)`, earliest first.
    pub async fn progress_events(&mut self, goal: GoalId) -> Result<Vec<(i64, u8)>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT id, value, at FROM goal_progress_events WHERE goal_id = $1 ORDER BY at, id")
                .bind(goal.0).fetch_all(c).await?;
            rows.iter().map(|r| {
                let id: uuid::Uuid = r.try_get("id")?;
                Ok((r.try_get("at")?, percent("goal_progress_events", id, r.try_get("value")?)?))
            }).collect()
        })
    }

    /// Stores a comment.
    pub async fn insert_goal_comment(&mut self, c: &CommentRecord) -> Result<()> {
        let comment = c;
        on_conn!(self, c => {
            sqlx::query("INSERT INTO goal_comments (id, goal_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(comment.id.0).bind(comment.goal_id.0).bind(comment.author_id.map(|p| p.0)).bind(&comment.body).bind(comment.created_at)
                .execute(c).await?;
            Ok(())
        })
    }

    /// One page of a goal's comments, newest first.
    pub async fn goal_comments_page(
        &mut self,
        goal: GoalId,
        start: Start,
        limit: i64,
    ) -> Result<Page<CommentRecord>> {
        let sql = format!(
            "SELECT * FROM (SELECT k.id, k.goal_id, k.author_id, p.name AS author_name, k.body, k.created_at FROM goal_comments k LEFT JOIN people p ON p.id = k.author_id WHERE k.goal_id = $1) AS q {}",
            keyset_sql(start, 2, limit)
        );
        on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(goal.0);
            let q = bind_keyset!(q, start);
            let rows = q.fetch_all(&mut *c).await?;
            let items = rows.iter().map(decode_comment).collect::<Result<Vec<_>>>()?;
            Ok(Page::from_rows(start, items, limit, |k| (k.created_at, k.id.0)))
        })
    }

    /// Moves every goal `owner` holds in `from` to `to` (a re-match), and
    /// leaves in `from` a read-only snapshot of each, milestones and all.
    /// Returns how many goals moved. Shared goals (no owner) stay.
    pub async fn move_goals(
        &mut self,
        owner: PersonId,
        from: RoomId,
        to: RoomId,
        now: i64,
    ) -> Result<usize> {
        let sql = format!("SELECT {GOAL_COLUMNS} FROM goals g LEFT JOIN people p ON p.id = g.owner_id WHERE g.room_id = $1 AND g.owner_id = $2 ORDER BY g.created_at, g.id");
        let goals = on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(from.0).bind(owner.0).fetch_all(c).await?;
            rows.iter().map(decode_goal).collect::<Result<Vec<_>>>()
        })?;
        for g in &goals {
            let milestones = self.milestones_of(g.id).await?;
            let snapshot = GoalSnapshot {
                title: g.title.clone(),
                description: g.description.clone(),
                success_criteria: g.success_criteria.clone(),
                target_date: date_text(g.target_date),
                status: g.status,
                progress: g.progress,
                milestones: milestones
                    .into_iter()
                    .map(|m| SnapshotMilestone {
                        title: m.title,
                        due_date: date_text(m.due_date),
                        done: m.done,
                    })
                    .collect(),
            };
            let json = serde_json::to_string(&snapshot).map_err(|e| {
                StoreError::corrupt("goal_snapshots", Some(g.id.to_string()), e.to_string())
            })?;
            on_conn!(self, c => {
                sqlx::query("INSERT INTO goal_snapshots (id, room_id, goal_id, owner_id, moved_to, snapshot, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(uuid::Uuid::new_v4()).bind(from.0).bind(g.id.0).bind(owner.0).bind(to.0).bind(&json).bind(now)
                    .execute(&mut *c).await?;
                sqlx::query("UPDATE goals SET room_id = $2, updated_at = $3 WHERE id = $1")
                    .bind(g.id.0).bind(to.0).bind(now).execute(&mut *c).await?;
                Ok::<(), StoreError>(())
            })?;
        }
        Ok(goals.len())
    }

    /// The snapshots of goals that moved out of `room`, oldest first.
    pub async fn goal_snapshots(&mut self, room: RoomId) -> Result<Vec<GoalSnapshotRecord>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT id, room_id, goal_id, owner_id, moved_to, snapshot, created_at FROM goal_snapshots WHERE room_id = $1 ORDER BY created_at, id")
                .bind(room.0).fetch_all(c).await?;
            rows.iter().map(|r| {
                let id: uuid::Uuid = r.try_get("id")?;
                Ok(GoalSnapshotRecord {
                    goal_id: GoalId(r.try_get("goal_id")?),
                    room_id: RoomId(r.try_get("room_id")?),
                    owner_id: r.try_get::<Option<uuid::Uuid>, _>("owner_id")?.map(PersonId),
                    moved_to: RoomId(r.try_get("moved_to")?),
                    snapshot: json_column(r, "snapshot", "goal_snapshots", id)?,
                    created_at: r.try_get("created_at")?,
                })
            }).collect()
        })
    }
}
