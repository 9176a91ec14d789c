//! Sessions: a room's meetings, one row per occurrence (see migration 0005).
//! Times are UTC milliseconds; `zone` is the organiser's IANA zone.

use crate::decode::corrupt_row;
use crate::{on_conn, Result, Tx};
use rapport_domain::mentoring::{Attendance, SessionStatus};
use rapport_domain::values::TimeZoneName;
use rapport_domain::{PersonId, RoomId, SeriesId, SessionId};
use sqlx::Row;

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
