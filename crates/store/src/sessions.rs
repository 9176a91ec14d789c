//! Sessions: a room's meetings, one row per occurrence (see migration 0005).
//! Times are UTC milliseconds; `zone` is the organiser's IANA zone.

use crate::decode::corrupt_row;
use crate::page::{bind_keyset, Cursor, Direction, Page, Start};
use crate::{on_conn, Result, Tx};
use rapport_domain::mentoring::{Attendance, SessionStatus};
use rapport_domain::sessions::RescheduleStatus;
use rapport_domain::values::TimeZoneName;
use rapport_domain::{ActionItemId, PersonId, RescheduleId, RoomId, SeriesId, SessionId};
use sqlx::types::chrono::NaiveDate;
use sqlx::Row;

/// A day in milliseconds: the longest a session lasts (the table's check).
const DAY_MS: i64 = 86_400_000;

/// A stored session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    /// Id.
    pub id: SessionId,
    /// Its room.
    pub room_id: RoomId,
    /// The series it repeats in, if any.
    pub series_id: Option<SeriesId>,
    /// Who proposed it (none once their account is deleted).
    pub organiser_id: Option<PersonId>,
    /// Start (UTC ms).
    pub starts_at: i64,
    /// Length in minutes (1 to 1440).
    pub minutes: i32,
    /// The organiser's zone when they booked it.
    pub zone: TimeZoneName,
    /// Agenda (Markdown).
    pub agenda: String,
    /// Online link.
    pub link: Option<String>,
    /// Place.
    pub place: Option<String>,
    /// Status.
    pub status: SessionStatus,
    /// Who cancelled it.
    pub cancelled_by: Option<PersonId>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// iCalendar UID: fixed for ever.
    pub uid: String,
    /// iCalendar SEQUENCE: one more on every change a calendar must see.
    pub sequence: i32,
    /// Created (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

impl SessionRecord {
    /// End (UTC ms).
    pub fn ends_at(&self) -> i64 {
        self.starts_at + i64::from(self.minutes) * 60_000
    }
}

const COLUMNS: &str = "s.id, s.room_id, s.series_id, s.organiser_id, s.starts_at, s.minutes, s.zone, s.agenda, s.link, s.place, s.status, s.cancelled_by, s.cancel_reason, s.uid, s.sequence, s.created_at, s.updated_at";

fn decode<R: Row>(r: &R) -> Result<SessionRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i32: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id = SessionId(r.try_get("id")?);
    let bad = |e| corrupt_row("sessions", id, e);
    let status: String = r.try_get("status")?;
    let zone: String = r.try_get("zone")?;
    Ok(SessionRecord {
        id,
        room_id: RoomId(r.try_get("room_id")?),
        series_id: r
            .try_get::<Option<uuid::Uuid>, _>("series_id")?
            .map(SeriesId),
        organiser_id: r
            .try_get::<Option<uuid::Uuid>, _>("organiser_id")?
            .map(PersonId),
        starts_at: r.try_get("starts_at")?,
        minutes: r.try_get("minutes")?,
        zone: TimeZoneName::parse("zone", &zone).map_err(bad)?,
        agenda: r.try_get("agenda")?,
        link: r.try_get("link")?,
        place: r.try_get("place")?,
        status: SessionStatus::parse(&status).map_err(bad)?,
        cancelled_by: r
            .try_get::<Option<uuid::Uuid>, _>("cancelled_by")?
            .map(PersonId),
        cancel_reason: r.try_get("cancel_reason")?,
        uid: r.try_get("uid")?,
        sequence: r.try_get("sequence")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Tx {
    /// Stores a new session (status, uid and sequence as given).
    pub async fn insert_session(&mut self, s: &SessionRecord) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO sessions (id, room_id, series_id, organiser_id, starts_at, minutes, zone, agenda, link, place, status, cancelled_by, cancel_reason, uid, sequence, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)")
                .bind(s.id.0).bind(s.room_id.0).bind(s.series_id.map(|x| x.0)).bind(s.organiser_id.map(|x| x.0))
                .bind(s.starts_at).bind(s.minutes).bind(s.zone.as_str()).bind(&s.agenda).bind(&s.link).bind(&s.place)
                .bind(s.status.code()).bind(s.cancelled_by.map(|x| x.0)).bind(&s.cancel_reason).bind(&s.uid).bind(s.sequence)
                .bind(s.created_at).bind(s.updated_at)
                .execute(c).await?;
            Ok(())
        })
    }

    /// One session.
    pub async fn session(&mut self, id: SessionId) -> Result<Option<SessionRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM sessions s WHERE s.id = $1");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(c).await?;
            row.as_ref().map(decode).transpose()
        })
    }

    /// A room's sessions, earliest first.
    pub async fn sessions_of_room(&mut self, room: RoomId) -> Result<Vec<SessionRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM sessions s WHERE s.room_id = $1 ORDER BY s.starts_at, s.id"
        );
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0).fetch_all(c).await?;
            rows.iter().map(decode).collect()
        })
    }

    /// One page of a room's sessions, latest start first, keyed by
    /// `(starts_at, id)` (the cursor's time is the start).
    pub async fn sessions_of_room_page(
        &mut self,
        room: RoomId,
        start: Start,
        limit: i64,
    ) -> Result<Page<SessionRecord>> {
        // At the end of time every session is behind.
        self.past_sessions_page(room, i64::MAX, start, limit).await
    }

    /// A room's sessions still ahead at `now` (scheduled, not yet over),
    /// earliest first. A session lasts at most a day, so the index is read
    /// from a day before `now` on.
    pub async fn upcoming_sessions(
        &mut self,
        room: RoomId,
        now: i64,
    ) -> Result<Vec<SessionRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM sessions s WHERE s.room_id = $1 AND s.starts_at > $2 AND s.status = 'scheduled' AND s.starts_at + s.minutes * 60000 > $3 ORDER BY s.starts_at, s.id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0).bind(now - DAY_MS).bind(now).fetch_all(c).await?;
            rows.iter().map(decode).collect()
        })
    }

    /// One page of a room's other sessions at `now` (those
    /// [`Tx::upcoming_sessions`] leaves out: held, cancelled, missed, or
    /// over and not marked yet), latest start first, keyed as
    /// [`Tx::sessions_of_room_page`].
    pub async fn past_sessions_page(
        &mut self,
        room: RoomId,
        now: i64,
        start: Start,
        limit: i64,
    ) -> Result<Page<SessionRecord>> {
        let lim = crate::page::limit_sql(start, limit);
        let tail = match start {
            Start::Offset(_) => format!("ORDER BY s.starts_at DESC, s.id {lim}"),
            Start::Cursor(Cursor {
                direction: Direction::Older,
                ..
            }) => format!("AND (s.starts_at < $3 OR (s.starts_at = $3 AND s.id > $4)) ORDER BY s.starts_at DESC, s.id {lim}"),
            Start::Cursor(Cursor {
                direction: Direction::Newer,
                ..
            }) => format!("AND (s.starts_at > $3 OR (s.starts_at = $3 AND s.id < $4)) ORDER BY s.starts_at, s.id DESC {lim}"),
        };
        let sql = format!("SELECT {COLUMNS} FROM sessions s WHERE s.room_id = $1 AND NOT (s.status = 'scheduled' AND s.starts_at + s.minutes * 60000 > $2) {tail}");
        on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0).bind(now);
            let q = bind_keyset!(q, start);
            let rows = q.fetch_all(c).await?;
            let list = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
            Ok(Page::from_rows(start, list, limit, |s| (s.starts_at, s.id.0)))
        })
    }

    /// The sessions of every room `person` is a current member of (invited or
    /// accepted), starting at or after `from`, earliest first: what their
    /// calendar feed lists.
    pub async fn sessions_of_person(
        &mut self,
        person: PersonId,
        from: i64,
    ) -> Result<Vec<SessionRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM sessions s JOIN room_members m ON m.room_id = s.room_id WHERE m.person_id = $1 AND m.state IN ('invited', 'accepted') AND s.starts_at >= $2 ORDER BY s.starts_at, s.id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person.0).bind(from).fetch_all(c).await?;
            rows.iter().map(decode).collect()
        })
    }

    /// Moves a session to `status` from a state the domain allows, bumping its
    /// sequence; false when it had already moved on.
    pub async fn set_session_status(
        &mut self,
        id: SessionId,
        status: SessionStatus,
        cancelled_by: Option<PersonId>,
        cancel_reason: Option<&str>,
        now: i64,
    ) -> Result<bool> {
        let states = SessionStatus::sources_of(status)
            .iter()
            .map(|s| format!("'{}'", s.code()))
            .collect::<Vec<_>>()
            .join(", ");
        let states = if states.is_empty() {
            "NULL".into()
        } else {
            states
        };
        let sql = format!("UPDATE sessions SET status = $2, cancelled_by = $3, cancel_reason = $4, sequence = sequence + 1, updated_at = $5 WHERE id = $1 AND status IN ({states})");
        on_conn!(self, c => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).bind(status.code()).bind(cancelled_by.map(|x| x.0)).bind(cancel_reason).bind(now).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Records how each member attended a session (replacing earlier answers).
    pub async fn set_attendance(
        &mut self,
        session: SessionId,
        attendance: &[(PersonId, Attendance)],
    ) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("DELETE FROM session_attendance WHERE session_id = $1").bind(session.0).execute(&mut *c).await?;
            for (p, a) in attendance {
                sqlx::query("INSERT INTO session_attendance (session_id, person_id, attendance) VALUES ($1, $2, $3)")
                    .bind(session.0).bind(p.0).bind(a.code()).execute(&mut *c).await?;
            }
            Ok(())
        })
    }

    /// How each member attended a session.
    pub async fn attendance(&mut self, session: SessionId) -> Result<Vec<(PersonId, Attendance)>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT person_id, attendance FROM session_attendance WHERE session_id = $1 ORDER BY person_id")
                .bind(session.0).fetch_all(c).await?;
            rows.iter().map(|r| {
                let a: String = r.try_get("attendance")?;
                Ok((PersonId(r.try_get("person_id")?), Attendance::parse(&a).map_err(|e| corrupt_row("session_attendance", session, e))?))
            }).collect()
        })
    }
}

/// Bounds for the generic row decoders below (the same on both dialects).
macro_rules! row_bounds {
    ($r:ident) => {
        impl<$r: Row> DecodeRow for $r
        where
            for<'a> &'a str: sqlx::ColumnIndex<$r>,
            for<'a> String: sqlx::Decode<'a, $r::Database> + sqlx::Type<$r::Database>,
            for<'a> Option<String>: sqlx::Decode<'a, $r::Database> + sqlx::Type<$r::Database>,
            for<'a> i64: sqlx::Decode<'a, $r::Database> + sqlx::Type<$r::Database>,
            for<'a> Option<i64>: sqlx::Decode<'a, $r::Database> + sqlx::Type<$r::Database>,
            for<'a> i32: sqlx::Decode<'a, $r::Database> + sqlx::Type<$r::Database>,
            for<'a> uuid::Uuid: sqlx::Decode<'a, $r::Database> + sqlx::Type<$r::Database>,
            for<'a> Option<uuid::Uuid>: sqlx::Decode<'a, $r::Database> + sqlx::Type<$r::Database>,
        {
            fn text(&self, col: &str) -> Result<String> {
                Ok(self.try_get(col)?)
            }
            fn opt_text(&self, col: &str) -> Result<Option<String>> {
                Ok(self.try_get(col)?)
            }
            fn int(&self, col: &str) -> Result<i64> {
                Ok(self.try_get(col)?)
            }
            fn opt_int(&self, col: &str) -> Result<Option<i64>> {
                Ok(self.try_get(col)?)
            }
            fn small(&self, col: &str) -> Result<i32> {
                Ok(self.try_get(col)?)
            }
            fn id(&self, col: &str) -> Result<uuid::Uuid> {
                Ok(self.try_get(col)?)
            }
            fn opt_id(&self, col: &str) -> Result<Option<uuid::Uuid>> {
                Ok(self.try_get(col)?)
            }
        }
    };
}

/// Typed column reads shared by the session-work decoders, so each decoder
/// is written once for both dialects.
trait DecodeRow {
    fn text(&self, col: &str) -> Result<String>;
    fn opt_text(&self, col: &str) -> Result<Option<String>>;
    fn int(&self, col: &str) -> Result<i64>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>>;
    fn small(&self, col: &str) -> Result<i32>;
    fn id(&self, col: &str) -> Result<uuid::Uuid>;
    fn opt_id(&self, col: &str) -> Result<Option<uuid::Uuid>>;
}
row_bounds!(R);

/// A session's shared notes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionNotesRecord {
    /// The session.
    pub session_id: SessionId,
    /// Markdown.
    pub body: String,
    /// Who saved them last (none once their account is deleted).
    pub updated_by: Option<PersonId>,
    /// When (ms).
    pub updated_at: i64,
}

/// An action item. It belongs to the session it was written in and shows,
/// as carried over, on the room's later sessions until it is done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionItemRecord {
    /// Id.
    pub id: ActionItemId,
    /// The session it was written in.
    pub session_id: SessionId,
    /// Its room.
    pub room_id: RoomId,
    /// Who does it (a member; none once their account is deleted).
    pub owner_id: Option<PersonId>,
    /// What to do.
    pub title: String,
    /// When it is due.
    pub due_on: Option<NaiveDate>,
    /// When it was done (ms); none while open.
    pub done_at: Option<i64>,
    /// Who wrote it.
    pub created_by: Option<PersonId>,
    /// Created (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

const ITEM_COLUMNS: &str = "a.id, a.session_id, a.room_id, a.owner_id, a.title, a.due_on, a.done_at, a.created_by, a.created_at, a.updated_at";

fn decode_item(r: &impl DecodeRow) -> Result<ActionItemRecord> {
    let id = ActionItemId(r.id("id")?);
    let due_on = r
        .opt_text("due_on")?
        .map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d"))
        .transpose()
        .map_err(|e| corrupt_row("action_items", id, e))?;
    Ok(ActionItemRecord {
        id,
        session_id: SessionId(r.id("session_id")?),
        room_id: RoomId(r.id("room_id")?),
        owner_id: r.opt_id("owner_id")?.map(PersonId),
        title: r.text("title")?,
        due_on,
        done_at: r.opt_int("done_at")?,
        created_by: r.opt_id("created_by")?.map(PersonId),
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
    })
}

/// A proposal to move a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RescheduleRecord {
    /// Id.
    pub id: RescheduleId,
    /// The session.
    pub session_id: SessionId,
    /// Who proposed it.
    pub proposed_by: Option<PersonId>,
    /// The proposed start (UTC ms).
    pub starts_at: i64,
    /// The proposer's zone.
    pub zone: TimeZoneName,
    /// Where it stands.
    pub status: RescheduleStatus,
    /// Proposed (ms).
    pub created_at: i64,
    /// Accepted or declined (ms).
    pub decided_at: Option<i64>,
    /// Each member's answer so far: (person, accepted).
    pub answers: Vec<(PersonId, bool)>,
}

fn decode_reschedule(r: &impl DecodeRow) -> Result<RescheduleRecord> {
    let id = RescheduleId(r.id("id")?);
    let bad = |e: rapport_domain::Invalid| corrupt_row("session_reschedules", id, e);
    Ok(RescheduleRecord {
        id,
        session_id: SessionId(r.id("session_id")?),
        proposed_by: r.opt_id("proposed_by")?.map(PersonId),
        starts_at: r.int("starts_at")?,
        zone: TimeZoneName::parse("zone", &r.text("zone")?).map_err(bad)?,
        status: RescheduleStatus::parse(&r.text("status")?).map_err(bad)?,
        created_at: r.int("created_at")?,
        decided_at: r.opt_int("decided_at")?,
        answers: vec![],
    })
}

/// One member's feedback on a held session (blind: see the app's rules).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedbackRecord {
    /// The session.
    pub session_id: SessionId,
    /// Who gave it.
    pub person_id: PersonId,
    /// 1 to 4.
    pub rating: i32,
    /// Optional comment.
    pub comment: String,
    /// Given (ms).
    pub created_at: i64,
}

fn decode_feedback(r: &impl DecodeRow) -> Result<FeedbackRecord> {
    Ok(FeedbackRecord {
        session_id: SessionId(r.id("session_id")?),
        person_id: PersonId(r.id("person_id")?),
        rating: r.small("rating")?,
        comment: r.text("comment")?,
        created_at: r.int("created_at")?,
    })
}

impl Tx {
    /// Changes a scheduled session's details, bumping its sequence; false
    /// when it is no longer scheduled.
    pub async fn update_session_details(
        &mut self,
        id: SessionId,
        minutes: i32,
        agenda: &str,
        link: Option<&str>,
        place: Option<&str>,
        now: i64,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("UPDATE sessions SET minutes = $2, agenda = $3, link = $4, place = $5, sequence = sequence + 1, updated_at = $6 WHERE id = $1 AND status = 'scheduled'")
                .bind(id.0).bind(minutes).bind(agenda).bind(link).bind(place).bind(now)
                .execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Moves a scheduled session to a new start, bumping its sequence; false
    /// when it is no longer scheduled.
    pub async fn move_session(&mut self, id: SessionId, starts_at: i64, now: i64) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("UPDATE sessions SET starts_at = $2, sequence = sequence + 1, updated_at = $3 WHERE id = $1 AND status = 'scheduled'")
                .bind(id.0).bind(starts_at).bind(now)
                .execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// A session's shared notes, if anyone wrote some.
    pub async fn session_notes(&mut self, id: SessionId) -> Result<Option<SessionNotesRecord>> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT session_id, body, updated_by, updated_at FROM session_notes WHERE session_id = $1")
                .bind(id.0).fetch_optional(c).await?;
            row.map(|r| Ok(SessionNotesRecord {
                session_id: id,
                body: r.try_get("body")?,
                updated_by: r.try_get::<Option<uuid::Uuid>, _>("updated_by")?.map(PersonId),
                updated_at: r.try_get("updated_at")?,
            })).transpose()
        })
    }

    /// Saves a session's shared notes (replacing the earlier text).
    pub async fn set_session_notes(
        &mut self,
        id: SessionId,
        body: &str,
        by: PersonId,
        now: i64,
    ) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO session_notes (session_id, body, updated_by, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (session_id) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at")
                .bind(id.0).bind(body).bind(by.0).bind(now).execute(c).await?;
            Ok(())
        })
    }

    /// Stores a new action item.
    pub async fn insert_action_item(&mut self, a: &ActionItemRecord) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO action_items (id, session_id, room_id, owner_id, title, due_on, done_at, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .bind(a.id.0).bind(a.session_id.0).bind(a.room_id.0).bind(a.owner_id.map(|x| x.0))
                .bind(&a.title).bind(a.due_on.map(|d| d.format("%Y-%m-%d").to_string())).bind(a.done_at)
                .bind(a.created_by.map(|x| x.0)).bind(a.created_at).bind(a.updated_at)
                .execute(c).await?;
            Ok(())
        })
    }

    /// One action item.
    pub async fn action_item(&mut self, id: ActionItemId) -> Result<Option<ActionItemRecord>> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM action_items a WHERE a.id = $1");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(c).await?;
            row.as_ref().map(decode_item).transpose()
        })
    }

    /// The action items written in a session, oldest first.
    pub async fn action_items_of_session(
        &mut self,
        session: SessionId,
    ) -> Result<Vec<ActionItemRecord>> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM action_items a WHERE a.session_id = $1 ORDER BY a.created_at, a.id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(session.0).fetch_all(c).await?;
            rows.iter().map(decode_item).collect()
        })
    }

    /// The open action items of `room` written in sessions that start before
    /// `before` (UTC ms): what a session starting then carries over.
    pub async fn open_action_items_before(
        &mut self,
        room: RoomId,
        before: i64,
    ) -> Result<Vec<ActionItemRecord>> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM action_items a JOIN sessions s ON s.id = a.session_id WHERE a.room_id = $1 AND a.done_at IS NULL AND s.starts_at < $2 ORDER BY s.starts_at, a.created_at, a.id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0).bind(before).fetch_all(c).await?;
            rows.iter().map(decode_item).collect()
        })
    }

    /// Saves an action item's owner, title, due date and done time.
    pub async fn update_action_item(&mut self, a: &ActionItemRecord) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("UPDATE action_items SET owner_id = $2, title = $3, due_on = $4, done_at = $5, updated_at = $6 WHERE id = $1")
                .bind(a.id.0).bind(a.owner_id.map(|x| x.0)).bind(&a.title)
                .bind(a.due_on.map(|d| d.format("%Y-%m-%d").to_string())).bind(a.done_at).bind(a.updated_at)
                .execute(c).await?;
            Ok(())
        })
    }

    /// Stores a new, open proposal to move a session (the database allows
    /// one open proposal per session: `session_reschedules_session_id_key`).
    pub async fn insert_reschedule(&mut self, r: &RescheduleRecord) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO session_reschedules (id, session_id, proposed_by, starts_at, zone, status, created_at, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(r.id.0).bind(r.session_id.0).bind(r.proposed_by.map(|x| x.0)).bind(r.starts_at)
                .bind(r.zone.as_str()).bind(r.status.code()).bind(r.created_at).bind(r.decided_at)
                .execute(c).await?;
            Ok(())
        })
    }

    /// A session's open proposal to move it, with the answers so far.
    pub async fn open_reschedule(
        &mut self,
        session: SessionId,
    ) -> Result<Option<RescheduleRecord>> {
        let found = on_conn!(self, c => {
            let row = sqlx::query("SELECT id, session_id, proposed_by, starts_at, zone, status, created_at, decided_at FROM session_reschedules WHERE session_id = $1 AND status = 'open'")
                .bind(session.0).fetch_optional(c).await?;
            row.as_ref().map(decode_reschedule).transpose()
        })?;
        let Some(mut r) = found else { return Ok(None) };
        r.answers = on_conn!(self, c => {
            let rows = sqlx::query("SELECT person_id, answer FROM reschedule_answers WHERE reschedule_id = $1 ORDER BY answered_at, person_id")
                .bind(r.id.0).fetch_all(c).await?;
            rows.iter().map(|row| {
                let answer: String = row.try_get("answer")?;
                Ok((PersonId(row.try_get("person_id")?), answer == "accept"))
            }).collect::<Result<Vec<_>>>()
        })?;
        Ok(Some(r))
    }

    /// Records one member's answer to a proposal (a second answer replaces
    /// the first).
    pub async fn answer_reschedule(
        &mut self,
        id: RescheduleId,
        person: PersonId,
        accept: bool,
        now: i64,
    ) -> Result<()> {
        let answer = if accept { "accept" } else { "decline" };
        on_conn!(self, c => {
            sqlx::query("INSERT INTO reschedule_answers (reschedule_id, person_id, answer, answered_at) VALUES ($1, $2, $3, $4) ON CONFLICT (reschedule_id, person_id) DO UPDATE SET answer = excluded.answer, answered_at = excluded.answered_at")
                .bind(id.0).bind(person.0).bind(answer).bind(now).execute(c).await?;
            Ok(())
        })
    }

    /// Closes an open proposal as accepted or declined; false when it was
    /// no longer open.
    pub async fn close_reschedule(
        &mut self,
        id: RescheduleId,
        status: RescheduleStatus,
        now: i64,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("UPDATE session_reschedules SET status = $2, decided_at = $3 WHERE id = $1 AND status = 'open'")
                .bind(id.0).bind(status.code()).bind(now).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Stores one member's feedback; the database refuses a second answer
    /// (`session_feedback_session_id_person_id_key`).
    pub async fn insert_feedback(&mut self, f: &FeedbackRecord) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO session_feedback (session_id, person_id, rating, comment, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(f.session_id.0).bind(f.person_id.0).bind(f.rating).bind(&f.comment).bind(f.created_at)
                .execute(c).await?;
            Ok(())
        })
    }

    /// The feedback on a session: everyone's, or only `person`'s. The app
    /// decides which a viewer may read.
    pub async fn session_feedback(
        &mut self,
        session: SessionId,
        person: Option<PersonId>,
    ) -> Result<Vec<FeedbackRecord>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT session_id, person_id, rating, comment, created_at FROM session_feedback WHERE session_id = $1 AND ($2 IS NULL OR person_id = $2) ORDER BY created_at, person_id")
                .bind(session.0).bind(person.map(|p| p.0)).fetch_all(c).await?;
            rows.iter().map(decode_feedback).collect()
        })
    }
}
