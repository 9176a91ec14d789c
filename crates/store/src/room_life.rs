//! A room's life: its history of moves, completion proposals, leaving, and
//! the lists managers and members read (with each room's sessions summed up).

use crate::decode::corrupt_row;
use crate::mentoring::codes_in;
use crate::page::{bind_keyset, keyset_sql, Page, Start};
use crate::{on_conn, Result, RoomRecord, Tx};
use rapport_domain::mentoring::{EndReason, RoomEventKind, RoomStatus};
use rapport_domain::{PersonId, ProgrammeId, RoomId};
use sqlx::Row;

/// One move in a room's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomEventRecord {
    /// Id.
    pub id: uuid::Uuid,
    /// The room.
    pub room_id: RoomId,
    /// Who made the move; none for the system (a round's proposal, the
    /// room opening once everyone accepted) or a deleted account.
    pub actor_id: Option<PersonId>,
    /// Their name now, when they still have an account.
    pub actor_name: Option<String>,
    /// The move.
    pub action: RoomEventKind,
    /// The room's status before it; none for the proposal itself.
    pub from: Option<RoomStatus>,
    /// The room's status after it.
    pub to: RoomStatus,
    /// The reason given, for an early end.
    pub reason: Option<EndReason>,
    /// The note given with it.
    pub note: Option<String>,
    /// When (ms).
    pub created_at: i64,
}

/// A room's sessions summed up, for the lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionSummary {
    /// The start of the latest held session (ms).
    pub last_held: Option<i64>,
    /// The start of the next scheduled session from now on (ms).
    pub next_scheduled: Option<i64>,
    /// How many sessions were held.
    pub held: i64,
}

impl Tx {
    /// Adds one move to a room's history.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_room_event(
        &mut self,
        room: RoomId,
        actor: Option<PersonId>,
        action: RoomEventKind,
        from: Option<RoomStatus>,
        to: RoomStatus,
        reason: Option<EndReason>,
        note: Option<&str>,
        now: i64,
    ) -> Result<()> {
        let reason = reason.map(EndReason::code);
        on_conn!(self, c => {
            sqlx::query("INSERT INTO room_events (id, room_id, actor_id, action, from_status, to_status, reason, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(uuid::Uuid::new_v4()).bind(room.0).bind(actor.map(|a| a.0)).bind(action.code())
                .bind(from.map(RoomStatus::code)).bind(to.code()).bind(reason).bind(note).bind(now)
                .execute(c).await?;
            Ok(())
        })
    }

    /// One page of a room's history, newest first.
    pub async fn room_events_page(
        &mut self,
        room: RoomId,
        start: Start,
        limit: i64,
    ) -> Result<Page<RoomEventRecord>> {
        let sql = format!("SELECT * FROM (SELECT e.id, e.room_id, e.actor_id, p.name AS actor_name, e.action, e.from_status, e.to_status, e.reason, e.note, e.created_at FROM room_events e LEFT JOIN people p ON p.id = e.actor_id WHERE e.room_id = $1) AS h {}", keyset_sql(start, 2));
        on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0);
            let q = bind_keyset!(q, start, limit);
            let rows = q.fetch_all(&mut *c).await?;
            let events = rows.iter().map(|r| {
                let id: uuid::Uuid = r.try_get("id")?;
                let bad = |e| corrupt_row("room_events", id, e);
                let (action, to): (String, String) = (r.try_get("action")?, r.try_get("to_status")?);
                Ok(RoomEventRecord {
                    id,
                    room_id: RoomId(r.try_get("room_id")?),
                    actor_id: r.try_get::<Option<uuid::Uuid>, _>("actor_id")?.map(PersonId),
                    actor_name: r.try_get("actor_name")?,
                    action: RoomEventKind::parse(&action).map_err(bad)?,
                    from: r.try_get::<Option<String>, _>("from_status")?.map(|s| RoomStatus::parse(&s).map_err(bad)).transpose()?,
                    to: RoomStatus::parse(&to).map_err(bad)?,
                    reason: r.try_get::<Option<String>, _>("reason")?.map(|s| EndReason::parse(&s).map_err(bad)).transpose()?,
                    note: r.try_get("note")?,
                    created_at: r.try_get("created_at")?,
                })
            }).collect::<Result<Vec<_>>>()?;
            Ok(Page::from_rows(start, events, limit, |e| (e.created_at, e.id)))
        })
    }

    /// Records `person`'s proposal to complete an active or paused room that
    /// has none yet. False when the room moved on or someone proposed first.
    pub async fn propose_completion(
        &mut self,
        room: RoomId,
        person: PersonId,
        now: i64,
    ) -> Result<bool> {
        let sql = format!(
            "UPDATE rooms SET completion_proposed_by = $2, completion_proposed_at = $3, updated_at = $3 WHERE id = $1 AND completion_proposed_by IS NULL AND status IN ('{}', '{}')",
            RoomStatus::Active.code(),
            RoomStatus::Paused.code()
        );
        on_conn!(self, c => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0).bind(person.0).bind(now).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// The programme's rooms in `statuses`, oldest first (for completing a
    /// whole programme's rooms, and for counting them).
    pub async fn room_ids_in(
        &mut self,
        programme: ProgrammeId,
        statuses: &[RoomStatus],
    ) -> Result<Vec<RoomId>> {
        let sql = format!(
            "SELECT id FROM rooms WHERE programme_id = $1 AND status IN ({}) ORDER BY created_at, id",
            codes_in(statuses, RoomStatus::code)
        );
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(programme.0).fetch_all(c).await?;
            rows.iter().map(|r| Ok(RoomId(r.try_get("id")?))).collect()
        })
    }

    /// One page of a programme's rooms, newest first, with their members.
    pub async fn rooms_page(
        &mut self,
        programme: ProgrammeId,
        start: Start,
        limit: i64,
    ) -> Result<Page<RoomRecord>> {
        let sql = format!(
            "SELECT * FROM (SELECT id, created_at FROM rooms WHERE programme_id = $1) AS r {}",
            keyset_sql(start, 2)
        );
        let keys: Vec<(uuid::Uuid, i64)> = on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(programme.0);
            let q = bind_keyset!(q, start, limit);
            let rows = q.fetch_all(&mut *c).await?;
            rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("created_at")?))).collect::<Result<Vec<_>>>()
        })?;
        let mut rooms = Vec::with_capacity(keys.len());
        for (id, _) in keys {
            if let Some(room) = self.room(RoomId(id)).await? {
                rooms.push(room);
            }
        }
        Ok(Page::from_rows(start, rooms, limit, |r| {
            (r.created_at, r.id.0)
        }))
    }

    /// A room's sessions summed up: the last held, the next scheduled from
    /// `now`, and how many were held.
    pub async fn session_summary(&mut self, room: RoomId, now: i64) -> Result<SessionSummary> {
        on_conn!(self, c => {
            let r = sqlx::query("SELECT MAX(CASE WHEN status = 'held' THEN starts_at END) AS last_held, MIN(CASE WHEN status = 'scheduled' AND starts_at >= $2 THEN starts_at END) AS next_scheduled, COUNT(CASE WHEN status = 'held' THEN 1 END) AS held FROM sessions WHERE room_id = $1")
                .bind(room.0).bind(now).fetch_one(c).await?;
            Ok(SessionSummary {
                last_held: r.try_get("last_held")?,
                next_scheduled: r.try_get("next_scheduled")?,
                held: r.try_get("held")?,
            })
        })
    }
}
