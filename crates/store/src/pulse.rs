//! Pulse answers (migration 0011): one row per member per pulse of a room,
//! scores checked 1 to 5 by the database too.

use crate::decode::corrupt_row;
use crate::{on_conn, Result, Tx};
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::pulse::{PulseAnswers, PulseScore, Working};
use rapport_domain::{PersonId, PulseId, RoomId};
use sqlx::Row;

/// One member's stored answers to one pulse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PulseRecord {
    /// Id.
    pub id: PulseId,
    /// The room.
    pub room_id: RoomId,
    /// Who answered.
    pub person_id: PersonId,
    /// Which pulse (0 is the first).
    pub round: u32,
    /// Their role in the room when they answered.
    pub role: ProgrammeRole,
    /// The answers.
    pub answers: PulseAnswers,
    /// Anything else, in their own words (Markdown; may be empty).
    pub comment: String,
    /// When (ms).
    pub answered_at: i64,
}

const COLUMNS: &str = "q.id, q.room_id, q.person_id, q.round, q.role, q.genuineness, q.empathy, q.acceptance, q.working, q.comment, q.answered_at";

fn decode<R: Row>(r: &R) -> Result<PulseRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i32: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id = PulseId(r.try_get("id")?);
    let bad = |e| corrupt_row("pulse_answers", id, e);
    let score = |field: &'static str| -> Result<PulseScore> {
        let raw: i32 = r.try_get(field)?;
        PulseScore::parse(field, i64::from(raw)).map_err(bad)
    };
    let role: String = r.try_get("role")?;
    let working: String = r.try_get("working")?;
    let round: i32 = r.try_get("round")?;
    Ok(PulseRecord {
        id,
        room_id: RoomId(r.try_get("room_id")?),
        person_id: PersonId(r.try_get("person_id")?),
        round: u32::try_from(round).map_err(|e| corrupt_row("pulse_answers", id, e))?,
        role: ProgrammeRole::parse("role", &role).map_err(bad)?,
        answers: PulseAnswers {
            genuineness: score("genuineness")?,
            empathy: score("empathy")?,
            acceptance: score("acceptance")?,
            working: Working::parse(&working).map_err(bad)?,
        },
        comment: r.try_get("comment")?,
        answered_at: r.try_get("answered_at")?,
    })
}

/// How many ids go into one `IN (…)` list.
pub(crate) const ID_CHUNK: usize = 500;

impl Tx {
    /// Stores a member's answers to a pulse; false when they had already
    /// answered that pulse (nothing is written).
    pub async fn insert_pulse(&mut self, p: &PulseRecord) -> Result<bool> {
        let round = i32::try_from(p.round).unwrap_or(i32::MAX);
        on_conn!(self, c => {
            let r = sqlx::query("INSERT INTO pulse_answers (id, room_id, person_id, round, role, genuineness, empathy, acceptance, working, comment, answered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (room_id, person_id, round) DO NOTHING")
                .bind(p.id.0).bind(p.room_id.0).bind(p.person_id.0).bind(round).bind(p.role.code())
                .bind(i32::from(p.answers.genuineness.get())).bind(i32::from(p.answers.empathy.get()))
                .bind(i32::from(p.answers.acceptance.get())).bind(p.answers.working.code())
                .bind(&p.comment).bind(p.answered_at)
                .execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// A member's own answers in a room, newest pulse first.
    pub async fn pulses_of(&mut self, room: RoomId, person: PersonId) -> Result<Vec<PulseRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM pulse_answers q WHERE q.room_id = $1 AND q.person_id = $2 ORDER BY q.round DESC");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0).bind(person.0).fetch_all(c).await?;
            rows.iter().map(decode).collect()
        })
    }

    /// Every answer in these rooms, by room, then pulse, then person.
    pub async fn pulses_in_rooms(&mut self, rooms: &[RoomId]) -> Result<Vec<PulseRecord>> {
        let mut out = vec![];
        for chunk in rooms.chunks(ID_CHUNK) {
            let sql = format!(
                "SELECT {COLUMNS} FROM pulse_answers q WHERE q.room_id IN ({}) ORDER BY q.room_id, q.round, q.person_id",
                crate::params::leading(self.dialect(), chunk.len())
            );
            on_conn!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(id.0);
                }
                for r in q.fetch_all(c).await?.iter() {
                    out.push(decode(r)?);
                }
            });
        }
        Ok(out)
    }
}
