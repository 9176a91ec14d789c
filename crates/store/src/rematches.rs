//! Re-match links (migration 0014): which room a re-match proposed, the room
//! that ended (or was left) for fit, and who is being re-matched. The chain
//! of one re-match is every link pointing at the same first room.

use crate::{on_conn, Result, Tx};
use rapport_domain::{PersonId, RoomId};
use sqlx::Row;

/// One room proposed by a re-match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RematchLink {
    /// The proposed room.
    pub room_id: RoomId,
    /// The room that ended, or that the person left, for fit.
    pub from_room_id: RoomId,
    /// The person being re-matched (the mentee, or the peer who asked).
    pub person_id: PersonId,
    /// Who started the re-match; none for the system's next referral or a
    /// deleted account.
    pub started_by: Option<PersonId>,
    /// When the room was proposed (ms).
    pub created_at: i64,
}

const COLUMNS: &str = "room_id, from_room_id, person_id, started_by, created_at";

fn decode<R: Row>(r: &R) -> Result<RematchLink>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(RematchLink {
        room_id: RoomId(r.try_get("room_id")?),
        from_room_id: RoomId(r.try_get("from_room_id")?),
        person_id: PersonId(r.try_get("person_id")?),
        started_by: r
            .try_get::<Option<uuid::Uuid>, _>("started_by")?
            .map(PersonId),
        created_at: r.try_get("created_at")?,
    })
}

impl Tx {
    /// Marks `link.room_id` as proposed by a re-match.
    pub async fn insert_rematch(&mut self, link: &RematchLink) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO room_rematches (room_id, from_room_id, person_id, started_by, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(link.room_id.0).bind(link.from_room_id.0).bind(link.person_id.0)
                .bind(link.started_by.map(|p| p.0)).bind(link.created_at)
                .execute(c).await?;
            Ok(())
        })
    }

    /// The re-match that proposed `room`, if one did.
    pub async fn rematch_of(&mut self, room: RoomId) -> Result<Option<RematchLink>> {
        let sql = format!("SELECT {COLUMNS} FROM room_rematches WHERE room_id = $1");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0).fetch_optional(c).await?;
            row.as_ref().map(decode).transpose()
        })
    }

    /// Every room proposed by re-matches from `from` (for anyone), oldest first.
    pub async fn rematches_from(&mut self, from: RoomId) -> Result<Vec<RematchLink>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM room_rematches WHERE from_room_id = $1 ORDER BY created_at, room_id"
        );
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(from.0).fetch_all(c).await?;
            rows.iter().map(decode).collect()
        })
    }
}
