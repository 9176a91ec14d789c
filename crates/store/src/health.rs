//! Room health (migration 0011): each open room's stored assessment, what
//! its members were last nudged about, and the facts the assessment reads,
//! fetched set-based for many rooms at once (the daily sweep reads 10,000
//! rooms in a handful of queries per 500 rooms, never one per room).

use crate::decode::{corrupt_row, json_column};
use crate::pulse::{PulseRecord, ID_CHUNK};
use crate::{on_conn, MemberRecord, Result, Tx};
use rapport_domain::health::{Level, Reason};
use rapport_domain::mentoring::{MemberState, RoomStatus};
use rapport_domain::programme::{Cadence, ProgrammeRole};
use rapport_domain::{PersonId, ProgrammeId, RoomId};
use sqlx::Row;
use std::collections::HashMap;

/// A room's stored health.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthRecord {
    /// The room.
    pub room_id: RoomId,
    /// Its level.
    pub level: Level,
    /// Every reason, worst first.
    pub reasons: Vec<Reason>,
    /// When it was assessed (ms).
    pub computed_at: i64,
    /// The level the programme's managers were last alerted about.
    pub alerted_level: Option<Level>,
}

/// What the health rules read about one open room, and what was stored and
/// notified last time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthFacts {
    /// The room.
    pub room_id: RoomId,
    /// Its programme.
    pub programme_id: ProgrammeId,
    /// Its status.
    pub status: RoomStatus,
    /// When it first became active (ms); its creation for a room opened
    /// active without a recorded start (rooms from accepted requests).
    pub started_at: Option<i64>,
    /// When its current pause began (ms).
    pub paused_at: Option<i64>,
    /// Every pause from the room's history, oldest first: (start, end), the
    /// end none while it lasts.
    pub pauses: Vec<(i64, Option<i64>)>,
    /// The cadence of the room's current agreement, if it has one.
    pub agreed_cadence: Option<Cadence>,
    /// Current members (invited or accepted), mentors first.
    pub members: Vec<MemberRecord>,
    /// Start of the first held session at or before now (ms).
    pub first_held_at: Option<i64>,
    /// Start of the latest held session at or before now (ms).
    pub last_held_at: Option<i64>,
    /// Start of the session of each no-show since the given time, in
    /// sessions that were not cancelled.
    pub no_shows: Vec<i64>,
    /// Every pulse answer in the room.
    pub pulses: Vec<PulseRecord>,
    /// The stored assessment.
    pub stored: Option<HealthRecord>,
    /// The level each member was last nudged about.
    pub nudged: Vec<(PersonId, Level)>,
}

fn level_of(raw: &str, room: RoomId) -> Result<Level> {
    Level::parse(raw).map_err(|e| corrupt_row("room_health", room, e))
}

fn decode_health<R: Row>(r: &R, room: RoomId) -> Result<Option<HealthRecord>>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let Some(level) = r.try_get::<Option<String>, _>("level")? else {
        return Ok(None);
    };
    let alerted: Option<String> = r.try_get("alerted_level")?;
    Ok(Some(HealthRecord {
        room_id: room,
        level: level_of(&level, room)?,
        reasons: json_column(r, "reasons", "room_health", room)?,
        computed_at: r.try_get::<Option<i64>, _>("computed_at")?.unwrap_or(0),
        alerted_level: alerted.as_deref().map(|l| level_of(l, room)).transpose()?,
    }))
}

/// Orders levels worst first in SQL.
const WORST_FIRST: &str =
    "CASE h.level WHEN 'at_risk' THEN 0 WHEN 'needs_attention' THEN 1 ELSE 2 END";

impl Tx {
    /// Up to `limit` open (active or paused) rooms whose health was never
    /// assessed or was assessed at or before `before`, by id.
    pub async fn stale_health_rooms(&mut self, before: i64, limit: i64) -> Result<Vec<RoomId>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT r.id FROM rooms r LEFT JOIN room_health h ON h.room_id = r.id WHERE r.status IN ('active', 'paused') AND (h.room_id IS NULL OR h.computed_at <= $1) ORDER BY r.id LIMIT $2")
                .bind(before).bind(limit).fetch_all(c).await?;
            rows.iter().map(|r| Ok(RoomId(r.try_get("id")?))).collect()
        })
    }

    /// The health facts of `rooms` that are open (active or paused), read at
    /// `now`; no-shows from sessions after `no_shows_since`.
    pub async fn health_facts(
        &mut self,
        rooms: &[RoomId],
        now: i64,
        no_shows_since: i64,
    ) -> Result<Vec<HealthFacts>> {
        let mut out = vec![];
        for chunk in rooms.chunks(ID_CHUNK) {
            out.extend(self.health_facts_chunk(chunk, now, no_shows_since).await?);
        }
        Ok(out)
    }

    /// Every query here finds its rows by room id alone. A filter on a
    /// status column (the rooms' `active`/`paused`, the sessions' `held`)
    /// would let the planner, on tables without statistics, walk the status
    /// index instead: every open room, or every held session of every room,
    /// once per 500 rooms. So open rooms are picked in Rust, and held
    /// sessions inside the aggregate.
    async fn health_facts_chunk(
        &mut self,
        rooms: &[RoomId],
        now: i64,
        no_shows_since: i64,
    ) -> Result<Vec<HealthFacts>> {
        let list = crate::params::leading(self.dialect(), rooms.len());
        let next = rooms.len() + 1;
        let mut facts: Vec<HealthFacts> = vec![];
        let sql = format!("SELECT r.id, r.programme_id, r.status, COALESCE(r.started_at, r.created_at) AS started_at, r.paused_at, (SELECT a.cadence FROM agreement_versions a WHERE a.room_id = r.id ORDER BY a.version DESC LIMIT 1) AS agreed_cadence, h.level, h.reasons, h.computed_at, h.alerted_level FROM rooms r LEFT JOIN room_health h ON h.room_id = r.id WHERE r.id IN ({list}) ORDER BY r.id");
        on_conn!(self, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in rooms {
                q = q.bind(id.0);
            }
            for r in q.fetch_all(c).await?.iter() {
                let id = RoomId(r.try_get("id")?);
                let status: String = r.try_get("status")?;
                let status = RoomStatus::parse(&status).map_err(|e| corrupt_row("rooms", id, e))?;
                if !status.is_under_way() {
                    continue;
                }
                let cadence: Option<String> = r.try_get("agreed_cadence")?;
                let agreed_cadence = cadence
                    .map(|c| Cadence::parse("cadence", &c))
                    .transpose()
                    .map_err(|e| corrupt_row("agreement_versions", id, e))?;
                facts.push(HealthFacts {
                    room_id: id,
                    programme_id: ProgrammeId(r.try_get("programme_id")?),
                    status,
                    started_at: r.try_get("started_at")?,
                    paused_at: r.try_get("paused_at")?,
                    pauses: vec![],
                    agreed_cadence,
                    members: vec![],
                    first_held_at: None,
                    last_held_at: None,
                    no_shows: vec![],
                    pulses: vec![],
                    stored: decode_health(r, id)?,
                    nudged: vec![],
                });
            }
        });
        let at: HashMap<RoomId, usize> = facts
            .iter()
            .enumerate()
            .map(|(i, f)| (f.room_id, i))
            .collect();
        let sql = format!("SELECT m.room_id, m.person_id, m.role, m.state, p.name, p.email FROM room_members m JOIN people p ON p.id = m.person_id WHERE m.room_id IN ({list}) AND m.state IN ('invited', 'accepted') ORDER BY m.room_id, CASE m.role WHEN 'mentor' THEN 0 WHEN 'facilitator' THEN 1 ELSE 2 END, m.created_at, p.name");
        on_conn!(self, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in rooms {
                q = q.bind(id.0);
            }
            for r in q.fetch_all(c).await?.iter() {
                let room = RoomId(r.try_get("room_id")?);
                let Some(i) = at.get(&room) else { continue };
                let bad = |e| corrupt_row("room_members", room, e);
                let (role, state): (String, String) = (r.try_get("role")?, r.try_get("state")?);
                facts[*i].members.push(MemberRecord {
                    person_id: PersonId(r.try_get("person_id")?),
                    name: r.try_get("name")?,
                    email: r.try_get("email")?,
                    role: ProgrammeRole::parse("role", &role).map_err(bad)?,
                    state: MemberState::parse(&state).map_err(bad)?,
                });
            }
        });
        let sql = format!("SELECT s.room_id, MIN(CASE WHEN s.status = 'held' THEN s.starts_at END) AS first_held, MAX(CASE WHEN s.status = 'held' THEN s.starts_at END) AS last_held FROM sessions s WHERE s.room_id IN ({list}) AND s.starts_at <= ${next} GROUP BY s.room_id");
        on_conn!(self, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in rooms {
                q = q.bind(id.0);
            }
            for r in q.bind(now).fetch_all(c).await?.iter() {
                let room = RoomId(r.try_get("room_id")?);
                if let Some(i) = at.get(&room) {
                    facts[*i].first_held_at = r.try_get("first_held")?;
                    facts[*i].last_held_at = r.try_get("last_held")?;
                }
            }
        });
        let sql = format!("SELECT s.room_id, s.starts_at FROM session_attendance a JOIN sessions s ON s.id = a.session_id WHERE s.room_id IN ({list}) AND a.attendance = 'no_show' AND s.status <> 'cancelled' AND s.starts_at > ${next} AND s.starts_at <= ${} ORDER BY s.starts_at", next + 1);
        on_conn!(self, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in rooms {
                q = q.bind(id.0);
            }
            for r in q.bind(no_shows_since).bind(now).fetch_all(c).await?.iter() {
                let room = RoomId(r.try_get("room_id")?);
                if let Some(i) = at.get(&room) {
                    facts[*i].no_shows.push(r.try_get("starts_at")?);
                }
            }
        });
        // The pauses, from the room's history of moves.
        let sql = format!("SELECT room_id, action, created_at FROM room_events WHERE room_id IN ({list}) AND action IN ('pause', 'resume') ORDER BY room_id, created_at");
        on_conn!(self, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in rooms {
                q = q.bind(id.0);
            }
            for r in q.fetch_all(c).await?.iter() {
                let room = RoomId(r.try_get("room_id")?);
                let Some(i) = at.get(&room) else { continue };
                let (action, at_ms): (String, i64) = (r.try_get("action")?, r.try_get("created_at")?);
                let pauses = &mut facts[*i].pauses;
                match action.as_str() {
                    "pause" => pauses.push((at_ms, None)),
                    _ => {
                        if let Some(last) = pauses.last_mut().filter(|p| p.1.is_none()) {
                            last.1 = Some(at_ms);
                        }
                    }
                }
            }
        });
        let sql = format!(
            "SELECT room_id, person_id, level FROM health_nudges WHERE room_id IN ({list})"
        );
        on_conn!(self, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in rooms {
                q = q.bind(id.0);
            }
            for r in q.fetch_all(c).await?.iter() {
                let room = RoomId(r.try_get("room_id")?);
                let level: String = r.try_get("level")?;
                if let Some(i) = at.get(&room) {
                    let level = Level::parse(&level).map_err(|e| corrupt_row("health_nudges", room, e))?;
                    facts[*i].nudged.push((PersonId(r.try_get("person_id")?), level));
                }
            }
        });
        for p in self.pulses_in_rooms(rooms).await? {
            if let Some(i) = at.get(&p.room_id) {
                facts[*i].pulses.push(p);
            }
        }
        Ok(facts)
    }

    /// Stores assessments, replacing earlier ones (batched).
    pub async fn save_health(&mut self, records: &[HealthRecord]) -> Result<()> {
        // Five values a row; 100 rows a statement keeps well under every
        // dialect's parameter limit.
        for chunk in records.chunks(100) {
            let values = crate::params::value_rows(self.dialect(), chunk.len(), 5);
            let sql = format!("INSERT INTO room_health (room_id, level, reasons, computed_at, alerted_level) VALUES {values} ON CONFLICT (room_id) DO UPDATE SET level = excluded.level, reasons = excluded.reasons, computed_at = excluded.computed_at, alerted_level = excluded.alerted_level");
            let mut reasons = Vec::with_capacity(chunk.len());
            for h in chunk {
                reasons.push(serde_json::to_string(&h.reasons)?);
            }
            on_conn!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (h, json) in chunk.iter().zip(&reasons) {
                    q = q.bind(h.room_id.0).bind(h.level.code()).bind(json.as_str()).bind(h.computed_at).bind(h.alerted_level.map(Level::code));
                }
                q.execute(c).await?;
            });
        }
        Ok(())
    }

    /// Records the level each member was last nudged about (batched).
    pub async fn save_nudge_levels(
        &mut self,
        levels: &[(RoomId, PersonId, Level)],
        now: i64,
    ) -> Result<()> {
        for chunk in levels.chunks(100) {
            let values = crate::params::value_rows(self.dialect(), chunk.len(), 4);
            let sql = format!("INSERT INTO health_nudges (room_id, person_id, level, notified_at) VALUES {values} ON CONFLICT (room_id, person_id) DO UPDATE SET level = excluded.level, notified_at = excluded.notified_at");
            on_conn!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (room, person, level) in chunk {
                    q = q.bind(room.0).bind(person.0).bind(level.code()).bind(now);
                }
                q.execute(c).await?;
            });
        }
        Ok(())
    }

    /// A room's stored health.
    pub async fn room_health(&mut self, room: RoomId) -> Result<Option<HealthRecord>> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT h.level, h.reasons, h.computed_at, h.alerted_level FROM room_health h WHERE h.room_id = $1")
                .bind(room.0).fetch_optional(c).await?;
            match row {
                Some(r) => decode_health(&r, room),
                None => Ok(None),
            }
        })
    }

    /// The stored health of those of `rooms` that are open (active or
    /// paused), by room, in one query per 500 rooms.
    pub async fn health_of_rooms(
        &mut self,
        rooms: &[RoomId],
    ) -> Result<HashMap<RoomId, HealthRecord>> {
        let mut out = HashMap::new();
        for chunk in rooms.chunks(ID_CHUNK) {
            let sql = format!("SELECT h.room_id, h.level, h.reasons, h.computed_at, h.alerted_level FROM room_health h JOIN rooms r ON r.id = h.room_id WHERE h.room_id IN ({}) AND r.status IN ('active', 'paused')", crate::params::leading(self.dialect(), chunk.len()));
            on_conn!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(id.0);
                }
                for r in q.fetch_all(c).await?.iter() {
                    let room = RoomId(r.try_get("room_id")?);
                    if let Some(h) = decode_health(r, room)? {
                        out.insert(room, h);
                    }
                }
            });
        }
        Ok(out)
    }

    /// The stored health of a programme's open rooms, worst first (then the
    /// oldest assessment first): what the managers' room list sorts by.
    pub async fn health_in_programme(
        &mut self,
        programme: ProgrammeId,
    ) -> Result<Vec<HealthRecord>> {
        let sql = format!("SELECT h.room_id, h.level, h.reasons, h.computed_at, h.alerted_level FROM room_health h JOIN rooms r ON r.id = h.room_id WHERE r.programme_id = $1 AND r.status IN ('active', 'paused') ORDER BY {WORST_FIRST}, h.computed_at, h.room_id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(programme.0).fetch_all(c).await?;
            let mut out = vec![];
            for r in &rows {
                let room = RoomId(r.try_get("room_id")?);
                out.extend(decode_health(r, room)?);
            }
            Ok(out)
        })
    }

    /// The stored health of the open rooms `person` is a current member of
    /// that are not healthy, worst first: the nudges on their home page.
    pub async fn unhealthy_rooms_of(&mut self, person: PersonId) -> Result<Vec<HealthRecord>> {
        let sql = format!("SELECT h.room_id, h.level, h.reasons, h.computed_at, h.alerted_level FROM room_health h JOIN rooms r ON r.id = h.room_id JOIN room_members m ON m.room_id = r.id WHERE m.person_id = $1 AND m.state IN ('invited', 'accepted') AND r.status IN ('active', 'paused') AND h.level <> 'healthy' ORDER BY {WORST_FIRST}, h.room_id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person.0).fetch_all(c).await?;
            let mut out = vec![];
            for r in &rows {
                let room = RoomId(r.try_get("room_id")?);
                out.extend(decode_health(r, room)?);
            }
            Ok(out)
        })
    }

    /// Forgets the health of rooms that are no longer open (completed,
    /// ended, or back to proposed); returns how many.
    pub async fn forget_closed_health(&mut self) -> Result<u64> {
        on_conn!(self, c => {
            let r = sqlx::query("DELETE FROM room_health WHERE room_id IN (SELECT id FROM rooms WHERE status NOT IN ('active', 'paused'))")
                .execute(&mut *c).await?;
            sqlx::query("DELETE FROM health_nudges WHERE room_id IN (SELECT id FROM rooms WHERE status NOT IN ('active', 'paused'))")
                .execute(&mut *c).await?;
            Ok(r.rows_affected())
        })
    }
}
