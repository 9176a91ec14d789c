//! A room's life: its history of moves, completion proposals, leaving, and
//! the lists managers and members read (with each room's sessions summed up).

use crate::decode::corrupt_row;
use crate::mentoring::codes_in;
use crate::page::{bind_keyset, keyset_sql, Page, Start};
use crate::pulse::ID_CHUNK;
use crate::{on_conn, AgreementRecord, HealthRecord, Result, RoomRecord, Tx};
use rapport_domain::health::Level;
use rapport_domain::mentoring::{EndReason, RoomEventKind, RoomStatus};
use rapport_domain::{PersonId, ProgrammeId, RoomId};
use sqlx::Row;
use std::collections::HashMap;

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

/// Which of a programme's rooms the managers' list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoomListFilter {
    /// Only rooms in this status.
    pub status: Option<RoomStatus>,
    /// Only open rooms whose stored health is at this level.
    pub level: Option<Level>,
}

/// A room in the managers' list: the room and its members, its stored
/// health (open rooms), its sessions summed up and its current agreement.
#[derive(Clone, Debug)]
pub struct RoomListRow {
    /// The room and its members.
    pub room: RoomRecord,
    /// Its stored health, while it is active or paused and was assessed.
    pub health: Option<HealthRecord>,
    /// Its sessions summed up.
    pub sessions: SessionSummary,
    /// Its current agreement, if the members wrote one.
    pub agreement: Option<AgreementRecord>,
}

/// The list's sort key is one number, so the keyset cursor (a time and an
/// id) pages it unchanged: the health rank (at risk 3, needs attention 2,
/// healthy 1, not assessed or not open 0) times this step, plus the room's
/// creation time. Times stay below the step (10^14 ms is the year 5138), so
/// "newest first" on the key reads worst first, then newest first.
const RANK_STEP: i64 = 100_000_000_000_000;

impl Tx {
    /// One page of a programme's rooms for its managers: worst stored health
    /// first (at risk, needs attention, healthy, then rooms not assessed:
    /// proposed, closed, or not yet assessed), newest first within a level,
    /// filtered by status and level. Each row carries its health, sessions
    /// (from `now`) and current agreement, read set-based: a fixed number of
    /// queries per page, never one per room.
    pub async fn programme_room_list(
        &mut self,
        programme: ProgrammeId,
        filter: RoomListFilter,
        start: Start,
        limit: i64,
        now: i64,
    ) -> Result<Page<RoomListRow>> {
        let sql = format!(
            "SELECT * FROM (SELECT r.id, (CASE h.level WHEN 'at_risk' THEN 3 WHEN 'needs_attention' THEN 2 WHEN 'healthy' THEN 1 ELSE 0 END) * {RANK_STEP} + r.created_at AS created_at FROM rooms r LEFT JOIN room_health h ON h.room_id = r.id AND r.status IN ('active', 'paused') WHERE r.programme_id = $1 AND ($2 = '' OR r.status = $2) AND ($3 = '' OR h.level = $3)) AS k {}",
            keyset_sql(start, 4, limit)
        );
        let status = filter.status.map_or("", RoomStatus::code);
        let level = filter.level.map_or("", Level::code);
        let keys: Vec<(uuid::Uuid, i64)> = on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(programme.0).bind(status).bind(level);
            let q = bind_keyset!(q, start);
            let rows = q.fetch_all(&mut *c).await?;
            rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("created_at")?))).collect::<Result<Vec<_>>>()
        })?;
        let page = Page::from_rows(start, keys, limit, |k| (k.1, k.0));
        let ids: Vec<RoomId> = page.items.iter().map(|k| RoomId(k.0)).collect();
        let mut rooms: HashMap<RoomId, RoomRecord> = self
            .rooms_by_ids(&ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let mut health = self.health_of_rooms(&ids).await?;
        let mut sessions = self.session_summaries(&ids, now).await?;
        let mut agreements = self.current_agreements(&ids).await?;
        let items = ids
            .iter()
            .filter_map(|id| {
                Some(RoomListRow {
                    room: rooms.remove(id)?,
                    health: health.remove(id),
                    sessions: sessions.remove(id).unwrap_or_default(),
                    agreement: agreements.remove(id),
                })
            })
            .collect();
        Ok(Page {
            items,
            next: page.next,
            prev: page.prev,
        })
    }

    /// Rooms with their members, by id (in no particular order; missing ids
    /// are left out), one query per 500 rooms.
    pub async fn rooms_by_ids(&mut self, rooms: &[RoomId]) -> Result<Vec<RoomRecord>> {
        let mut out = vec![];
        for chunk in rooms.chunks(ID_CHUNK) {
            let cond = format!(
                "r.id IN ({})",
                crate::params::leading(self.dialect(), chunk.len())
            );
            let args: Vec<uuid::Uuid> = chunk.iter().map(|r| r.0).collect();
            out.extend(self.rooms_where_all(&cond, &args).await?);
        }
        Ok(out)
    }

    /// The sessions of each of `rooms` summed up (as [`Tx::session_summary`]),
    /// by room, one query per 500 rooms; rooms without sessions are left out.
    pub async fn session_summaries(
        &mut self,
        rooms: &[RoomId],
        now: i64,
    ) -> Result<HashMap<RoomId, SessionSummary>> {
        let mut out = HashMap::new();
        for chunk in rooms.chunks(ID_CHUNK) {
            let next = chunk.len() + 1;
            let sql = format!("SELECT room_id, MAX(CASE WHEN status = 'held' THEN starts_at END) AS last_held, MIN(CASE WHEN status = 'scheduled' AND starts_at >= ${next} THEN starts_at END) AS next_scheduled, COUNT(CASE WHEN status = 'held' THEN 1 END) AS held FROM sessions WHERE room_id IN ({}) GROUP BY room_id", crate::params::leading(self.dialect(), chunk.len()));
            on_conn!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(id.0);
                }
                for r in q.bind(now).fetch_all(c).await?.iter() {
                    out.insert(RoomId(r.try_get("room_id")?), SessionSummary {
                        last_held: r.try_get("last_held")?,
                        next_scheduled: r.try_get("next_scheduled")?,
                        held: r.try_get("held")?,
                    });
                }
            });
        }
        Ok(out)
    }

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
        let sql = format!("SELECT * FROM (SELECT e.id, e.room_id, e.actor_id, p.name AS actor_name, e.action, e.from_status, e.to_status, e.reason, e.note, e.created_at FROM room_events e LEFT JOIN people p ON p.id = e.actor_id WHERE e.room_id = $1) AS h {}", keyset_sql(start, 2, limit));
        on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0);
            let q = bind_keyset!(q, start);
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
            keyset_sql(start, 2, limit)
        );
        let keys: Vec<(uuid::Uuid, i64)> = on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(programme.0);
            let q = bind_keyset!(q, start);
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
