//! Reflection prompts, schedules, room prompts, answers and needs checks
//! (migration 0020). Who may read which answer is the app's rule; the store
//! reads exactly the set it is asked for and never widens it.

use crate::decode::corrupt_row;
use crate::page::{bind_keyset, keyset_sql, Page, Start};
use crate::{on_conn, Result, Tx};
use rapport_domain::needs::NeedsAnswers;
use rapport_domain::reflection::{AnswerVisibility, Cadence, PromptTheme};
use rapport_domain::{NeedsCheckId, PersonId, PromptId, ReflectionId, RoomId, RoomPromptId};
use sqlx::Row;

/// A prompt in the library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromptRecord {
    /// Id.
    pub id: PromptId,
    /// What it is about.
    pub theme: PromptTheme,
    /// The question (Markdown).
    pub body: String,
    /// When an admin retired it (ms); none while in use.
    pub retired_at: Option<i64>,
    /// Added (ms; 0 for the seeded library).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

/// A member's reflection schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleRecord {
    /// The member.
    pub person_id: PersonId,
    /// How often.
    pub cadence: Cadence,
    /// When the next prompt goes out (ms); none for never.
    pub next_at: Option<i64>,
    /// The prompt sent last, waiting on the home page until answered.
    pub last_prompt_id: Option<PromptId>,
    /// When it was sent (ms).
    pub last_sent_at: Option<i64>,
}

/// A prompt a mentor assigned to their room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomPromptRecord {
    /// Id.
    pub id: RoomPromptId,
    /// The room.
    pub room_id: RoomId,
    /// The prompt.
    pub prompt_id: PromptId,
    /// The prompt's question (read with it).
    pub prompt_body: String,
    /// Who assigned it (none once their account is deleted).
    pub assigned_by: Option<PersonId>,
    /// When (ms).
    pub created_at: i64,
}

/// An answer to a prompt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReflectionRecord {
    /// Id.
    pub id: ReflectionId,
    /// The prompt answered.
    pub prompt_id: PromptId,
    /// The prompt's question (read with it).
    pub prompt_body: String,
    /// The author.
    pub person_id: PersonId,
    /// The author's name (read with it).
    pub author_name: String,
    /// The room prompt it answers, if a mentor assigned it.
    pub room_prompt_id: Option<RoomPromptId>,
    /// That room prompt's room.
    pub room_id: Option<RoomId>,
    /// Who reads it.
    pub visibility: AnswerVisibility,
    /// The growth thread it was shared into.
    pub shared_thread_id: Option<uuid::Uuid>,
    /// Markdown.
    pub body: String,
    /// Written (ms).
    pub created_at: i64,
}

/// One needs check a person took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeedsCheckRecord {
    /// Id.
    pub id: NeedsCheckId,
    /// Who took it.
    pub person_id: PersonId,
    /// The eight answers.
    pub answers: NeedsAnswers,
    /// When (ms).
    pub created_at: i64,
}

const PROMPT_COLUMNS: &str = "id, theme, body, retired_at, created_at, updated_at";

fn decode_prompt<R: Row>(r: &R) -> Result<PromptRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id = PromptId(r.try_get("id")?);
    let theme: String = r.try_get("theme")?;
    Ok(PromptRecord {
        id,
        theme: PromptTheme::parse("theme", &theme)
            .map_err(|e| corrupt_row("reflection_prompts", id, e))?,
        body: r.try_get("body")?,
        retired_at: r.try_get("retired_at")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn decode_schedule<R: Row>(r: &R) -> Result<ScheduleRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<uuid::Uuid>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let person_id = PersonId(r.try_get("person_id")?);
    let cadence: String = r.try_get("cadence")?;
    Ok(ScheduleRecord {
        person_id,
        cadence: Cadence::parse("cadence", &cadence)
            .map_err(|e| corrupt_row("reflection_schedules", person_id, e))?,
        next_at: r.try_get("next_at")?,
        last_prompt_id: r
            .try_get::<Option<uuid::Uuid>, _>("last_prompt_id")?
            .map(PromptId),
        last_sent_at: r.try_get("last_sent_at")?,
    })
}

const ROOM_PROMPT_COLUMNS: &str =
    "rp.id, rp.room_id, rp.prompt_id, p.body AS prompt_body, rp.assigned_by, rp.created_at";

fn decode_room_prompt<R: Row>(r: &R) -> Result<RoomPromptRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<uuid::Uuid>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(RoomPromptRecord {
        id: RoomPromptId(r.try_get("id")?),
        room_id: RoomId(r.try_get("room_id")?),
        prompt_id: PromptId(r.try_get("prompt_id")?),
        prompt_body: r.try_get("prompt_body")?,
        assigned_by: r
            .try_get::<Option<uuid::Uuid>, _>("assigned_by")?
            .map(PersonId),
        created_at: r.try_get("created_at")?,
    })
}

const ANSWER_COLUMNS: &str = "a.id, a.prompt_id, p.body AS prompt_body, a.person_id, pe.name AS author_name, a.room_prompt_id, rp.room_id, a.visibility, a.shared_thread_id, a.body, a.created_at";
const ANSWER_FROM: &str = "reflection_answers a JOIN reflection_prompts p ON p.id = a.prompt_id JOIN people pe ON pe.id = a.person_id LEFT JOIN room_prompts rp ON rp.id = a.room_prompt_id";

fn decode_answer<R: Row>(r: &R) -> Result<ReflectionRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<uuid::Uuid>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id = ReflectionId(r.try_get("id")?);
    let visibility: String = r.try_get("visibility")?;
    Ok(ReflectionRecord {
        id,
        prompt_id: PromptId(r.try_get("prompt_id")?),
        prompt_body: r.try_get("prompt_body")?,
        person_id: PersonId(r.try_get("person_id")?),
        author_name: r.try_get("author_name")?,
        room_prompt_id: r
            .try_get::<Option<uuid::Uuid>, _>("room_prompt_id")?
            .map(RoomPromptId),
        room_id: r.try_get::<Option<uuid::Uuid>, _>("room_id")?.map(RoomId),
        visibility: AnswerVisibility::parse("visibility", &visibility)
            .map_err(|e| corrupt_row("reflection_answers", id, e))?,
        shared_thread_id: r.try_get("shared_thread_id")?,
        body: r.try_get("body")?,
        created_at: r.try_get("created_at")?,
    })
}

fn decode_check<R: Row>(r: &R) -> Result<NeedsCheckRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id = NeedsCheckId(r.try_get("id")?);
    let scores: String = r.try_get("scores")?;
    Ok(NeedsCheckRecord {
        id,
        person_id: PersonId(r.try_get("person_id")?),
        answers: NeedsAnswers::from_code(&scores)
            .map_err(|e| corrupt_row("needs_checks", id, e))?,
        created_at: r.try_get("created_at")?,
    })
}

impl Tx {
    /// One page of the prompt library, newest first; retired prompts only
    /// when `with_retired`.
    pub async fn prompts_page(
        &mut self,
        with_retired: bool,
        start: Start,
        limit: i64,
    ) -> Result<Page<PromptRecord>> {
        let filter = if with_retired {
            ""
        } else {
            "WHERE retired_at IS NULL"
        };
        let sql = format!(
            "SELECT * FROM (SELECT {PROMPT_COLUMNS} FROM reflection_prompts {filter}) AS t {}",
            keyset_sql(start, 1, limit)
        );
        on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql));
            let rows = bind_keyset!(q, start).fetch_all(&mut *c).await?;
            let items = rows.iter().map(decode_prompt).collect::<Result<Vec<_>>>()?;
            Ok(Page::from_rows(start, items, limit, |p| (p.created_at, p.id.0)))
        })
    }

    /// Every prompt in use, oldest first: the order prompts are sent in.
    pub async fn active_prompts(&mut self) -> Result<Vec<PromptRecord>> {
        let sql = format!("SELECT {PROMPT_COLUMNS} FROM reflection_prompts WHERE retired_at IS NULL ORDER BY created_at, id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(c).await?;
            rows.iter().map(decode_prompt).collect()
        })
    }

    /// One prompt, retired or not.
    pub async fn prompt(&mut self, id: PromptId) -> Result<Option<PromptRecord>> {
        let sql = format!("SELECT {PROMPT_COLUMNS} FROM reflection_prompts WHERE id = $1");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(c).await?;
            row.as_ref().map(decode_prompt).transpose()
        })
    }

    /// Stores a new prompt.
    pub async fn insert_prompt(&mut self, p: &PromptRecord) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO reflection_prompts (id, theme, body, retired_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(p.id.0).bind(p.theme.code()).bind(&p.body).bind(p.retired_at)
                .bind(p.created_at).bind(p.updated_at)
                .execute(c).await?;
            Ok(())
        })
    }

    /// Replaces a prompt's theme, text and retirement; false when it is gone.
    pub async fn update_prompt(&mut self, p: &PromptRecord) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("UPDATE reflection_prompts SET theme = $2, body = $3, retired_at = $4, updated_at = $5 WHERE id = $1")
                .bind(p.id.0).bind(p.theme.code()).bind(&p.body).bind(p.retired_at).bind(p.updated_at)
                .execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// A member's schedule; none means never.
    pub async fn reflection_schedule(
        &mut self,
        person: PersonId,
    ) -> Result<Option<ScheduleRecord>> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT person_id, cadence, next_at, last_prompt_id, last_sent_at FROM reflection_schedules WHERE person_id = $1")
                .bind(person.0).fetch_optional(c).await?;
            row.as_ref().map(decode_schedule).transpose()
        })
    }

    /// Stores a member's schedule, whole.
    pub async fn put_reflection_schedule(&mut self, s: &ScheduleRecord, now: i64) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO reflection_schedules (person_id, cadence, next_at, last_prompt_id, last_sent_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
                ON CONFLICT (person_id) DO UPDATE SET cadence = $2, next_at = $3, last_prompt_id = $4, last_sent_at = $5, updated_at = $6")
                .bind(s.person_id.0).bind(s.cadence.code()).bind(s.next_at)
                .bind(s.last_prompt_id.map(|p| p.0)).bind(s.last_sent_at).bind(now)
                .execute(c).await?;
            Ok(())
        })
    }

    /// Schedules whose next prompt is due at `now`, soonest first.
    pub async fn reflection_schedules_due(&mut self, now: i64) -> Result<Vec<ScheduleRecord>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT person_id, cadence, next_at, last_prompt_id, last_sent_at FROM reflection_schedules WHERE next_at <= $1 ORDER BY next_at")
                .bind(now).fetch_all(c).await?;
            rows.iter().map(decode_schedule).collect()
        })
    }

    /// Assigns a prompt to a room; false when it already is.
    pub async fn insert_room_prompt(&mut self, r: &RoomPromptRecord) -> Result<bool> {
        on_conn!(self, c => {
            let done = sqlx::query("INSERT INTO room_prompts (id, room_id, prompt_id, assigned_by, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (room_id, prompt_id) DO NOTHING")
                .bind(r.id.0).bind(r.room_id.0).bind(r.prompt_id.0).bind(r.assigned_by.map(|p| p.0)).bind(r.created_at)
                .execute(c).await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// One room prompt.
    pub async fn room_prompt(&mut self, id: RoomPromptId) -> Result<Option<RoomPromptRecord>> {
        let sql = format!("SELECT {ROOM_PROMPT_COLUMNS} FROM room_prompts rp JOIN reflection_prompts p ON p.id = rp.prompt_id WHERE rp.id = $1");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(c).await?;
            row.as_ref().map(decode_room_prompt).transpose()
        })
    }

    /// The prompts assigned in each of `rooms`, newest first.
    pub async fn room_prompts_in(&mut self, rooms: &[RoomId]) -> Result<Vec<RoomPromptRecord>> {
        let mut out = vec![];
        for room in rooms {
            let sql = format!("SELECT {ROOM_PROMPT_COLUMNS} FROM room_prompts rp JOIN reflection_prompts p ON p.id = rp.prompt_id WHERE rp.room_id = $1 ORDER BY rp.created_at DESC, rp.id");
            let rows = on_conn!(self, c => {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0).fetch_all(c).await?;
                rows.iter().map(decode_room_prompt).collect::<Result<Vec<_>>>()
            })?;
            out.extend(rows);
        }
        Ok(out)
    }

    /// Stores an answer.
    pub async fn insert_reflection(&mut self, a: &ReflectionRecord) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO reflection_answers (id, prompt_id, person_id, room_prompt_id, visibility, shared_thread_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(a.id.0).bind(a.prompt_id.0).bind(a.person_id.0).bind(a.room_prompt_id.map(|r| r.0))
                .bind(a.visibility.code()).bind(a.shared_thread_id).bind(&a.body).bind(a.created_at)
                .execute(c).await?;
            Ok(())
        })
    }

    /// One answer, whoever may read it (the caller decides).
    pub async fn reflection(&mut self, id: ReflectionId) -> Result<Option<ReflectionRecord>> {
        let sql = format!("SELECT {ANSWER_COLUMNS} FROM {ANSWER_FROM} WHERE a.id = $1");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(c).await?;
            row.as_ref().map(decode_answer).transpose()
        })
    }

    /// One page of `person`'s own answers, newest first.
    pub async fn reflections_page(
        &mut self,
        person: PersonId,
        start: Start,
        limit: i64,
    ) -> Result<Page<ReflectionRecord>> {
        let sql = format!(
            "SELECT * FROM (SELECT {ANSWER_COLUMNS} FROM {ANSWER_FROM} WHERE a.person_id = $1) AS t {}",
            keyset_sql(start, 2, limit)
        );
        on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person.0);
            let rows = bind_keyset!(q, start).fetch_all(&mut *c).await?;
            let items = rows.iter().map(decode_answer).collect::<Result<Vec<_>>>()?;
            Ok(Page::from_rows(start, items, limit, |a| (a.created_at, a.id.0)))
        })
    }

    /// Every answer `person` wrote, oldest first: their data export.
    pub async fn reflections_by(&mut self, person: PersonId) -> Result<Vec<ReflectionRecord>> {
        let sql = format!("SELECT {ANSWER_COLUMNS} FROM {ANSWER_FROM} WHERE a.person_id = $1 ORDER BY a.created_at, a.id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person.0).fetch_all(c).await?;
            rows.iter().map(decode_answer).collect()
        })
    }

    /// The answers to a room prompt: those shared with the room, and
    /// `reader`'s own (private or not), oldest first.
    pub async fn room_prompt_answers(
        &mut self,
        room_prompt: RoomPromptId,
        reader: PersonId,
    ) -> Result<Vec<ReflectionRecord>> {
        let sql = format!("SELECT {ANSWER_COLUMNS} FROM {ANSWER_FROM} WHERE a.room_prompt_id = $1 AND (a.visibility = 'room' OR a.person_id = $2) ORDER BY a.created_at, a.id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room_prompt.0).bind(reader.0).fetch_all(c).await?;
            rows.iter().map(decode_answer).collect()
        })
    }

    /// Whether `person` answered `prompt` at or after `since` (ms).
    pub async fn answered_since(
        &mut self,
        person: PersonId,
        prompt: PromptId,
        since: i64,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reflection_answers WHERE person_id = $1 AND prompt_id = $2 AND created_at >= $3")
                .bind(person.0).bind(prompt.0).bind(since).fetch_one(c).await?;
            Ok(n > 0)
        })
    }

    /// Every room prompt `person` has answered.
    pub async fn answered_room_prompts(&mut self, person: PersonId) -> Result<Vec<RoomPromptId>> {
        on_conn!(self, c => {
            let ids: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT room_prompt_id FROM reflection_answers WHERE person_id = $1 AND room_prompt_id IS NOT NULL")
                .bind(person.0).fetch_all(c).await?;
            Ok(ids.into_iter().map(RoomPromptId).collect())
        })
    }

    /// Stores a needs check.
    pub async fn insert_needs_check(&mut self, n: &NeedsCheckRecord) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO needs_checks (id, person_id, scores, created_at) VALUES ($1, $2, $3, $4)")
                .bind(n.id.0).bind(n.person_id.0).bind(n.answers.code()).bind(n.created_at)
                .execute(c).await?;
            Ok(())
        })
    }

    /// One page of `person`'s needs checks, newest first.
    pub async fn needs_checks_page(
        &mut self,
        person: PersonId,
        start: Start,
        limit: i64,
    ) -> Result<Page<NeedsCheckRecord>> {
        let sql = format!(
            "SELECT * FROM (SELECT id, person_id, scores, created_at FROM needs_checks WHERE person_id = $1) AS t {}",
            keyset_sql(start, 2, limit)
        );
        on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person.0);
            let rows = bind_keyset!(q, start).fetch_all(&mut *c).await?;
            let items = rows.iter().map(decode_check).collect::<Result<Vec<_>>>()?;
            Ok(Page::from_rows(start, items, limit, |n| (n.created_at, n.id.0)))
        })
    }

    /// Every needs check `person` took, oldest first: their data export.
    pub async fn needs_checks_by(&mut self, person: PersonId) -> Result<Vec<NeedsCheckRecord>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT id, person_id, scores, created_at FROM needs_checks WHERE person_id = $1 ORDER BY created_at, id")
                .bind(person.0).fetch_all(c).await?;
            rows.iter().map(decode_check).collect()
        })
    }
}
