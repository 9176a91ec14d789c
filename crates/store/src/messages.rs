//! A room's message thread (migration 0010), each member's read position in
//! it, and the pending "new messages" emails (one per recipient per room).

use crate::page::{bind_keyset, keyset_sql, Page, Start};
use crate::{on_conn, Result, Tx};
use rapport_domain::{MessageId, PersonId, RoomId};
use sqlx::Row;

/// A stored message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRecord {
    /// Id.
    pub id: MessageId,
    /// Its room.
    pub room_id: RoomId,
    /// Who wrote it; none once their account is deleted.
    pub author_id: Option<PersonId>,
    /// The author's name, if they still have an account.
    pub author_name: Option<String>,
    /// Markdown source; empty once deleted.
    pub body: String,
    /// Last edited (ms).
    pub edited_at: Option<i64>,
    /// Deleted (ms): the message keeps its place, without its body.
    pub deleted_at: Option<i64>,
    /// Posted (ms).
    pub created_at: i64,
}

const COLUMNS: &str = "m.id, m.room_id, m.author_id, p.name AS author_name, m.body, m.edited_at, m.deleted_at, m.created_at";

/// Members whose seat counts for reading and notifying: not those who
/// declined or left.
const CURRENT: &str = "rm.state IN ('invited', 'accepted')";

fn decode<R: Row>(r: &R) -> Result<MessageRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<uuid::Uuid>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(MessageRecord {
        id: MessageId(r.try_get("id")?),
        room_id: RoomId(r.try_get("room_id")?),
        author_id: r
            .try_get::<Option<uuid::Uuid>, _>("author_id")?
            .map(PersonId),
        author_name: r.try_get("author_name")?,
        body: r.try_get("body")?,
        edited_at: r.try_get("edited_at")?,
        deleted_at: r.try_get("deleted_at")?,
        created_at: r.try_get("created_at")?,
    })
}

impl Tx {
    /// Stores a new message.
    pub async fn insert_message(&mut self, m: &MessageRecord) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO messages (id, room_id, author_id, body, edited_at, deleted_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(m.id.0).bind(m.room_id.0).bind(m.author_id.map(|a| a.0)).bind(&m.body)
                .bind(m.edited_at).bind(m.deleted_at).bind(m.created_at)
                .execute(c).await?;
            Ok(())
        })
    }

    /// One message.
    pub async fn message(&mut self, id: MessageId) -> Result<Option<MessageRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM messages m LEFT JOIN people p ON p.id = m.author_id WHERE m.id = $1");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(c).await?;
            row.as_ref().map(decode).transpose()
        })
    }

    /// One page of a room's thread, newest first (deleted messages included,
    /// without their bodies).
    pub async fn messages_page(
        &mut self,
        room: RoomId,
        start: Start,
        limit: i64,
    ) -> Result<Page<MessageRecord>> {
        let sql = format!(
            "SELECT * FROM (SELECT {COLUMNS} FROM messages m LEFT JOIN people p ON p.id = m.author_id WHERE m.room_id = $1) AS t {}",
            keyset_sql(start, 2, limit)
        );
        on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0);
            let q = bind_keyset!(q, start);
            let rows = q.fetch_all(&mut *c).await?;
            let messages = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
            Ok(Page::from_rows(start, messages, limit, |m| (m.created_at, m.id.0)))
        })
    }

    /// Replaces the body of a message that is not deleted; false otherwise.
    pub async fn edit_message(&mut self, id: MessageId, body: &str, now: i64) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("UPDATE messages SET body = $2, edited_at = $3 WHERE id = $1 AND deleted_at IS NULL")
                .bind(id.0).bind(body).bind(now).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Deletes a message's body, keeping its place; false when it already was.
    pub async fn delete_message(&mut self, id: MessageId, now: i64) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("UPDATE messages SET body = '', deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL")
                .bind(id.0).bind(now).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Moves `person`'s read position in `room` forward to `at` (never back).
    pub async fn mark_read(&mut self, room: RoomId, person: PersonId, at: i64) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO message_reads (room_id, person_id, read_at) VALUES ($1, $2, $3) ON CONFLICT (room_id, person_id) DO UPDATE SET read_at = CASE WHEN excluded.read_at > message_reads.read_at THEN excluded.read_at ELSE message_reads.read_at END")
                .bind(room.0).bind(person.0).bind(at).execute(c).await?;
            Ok(())
        })
    }

    /// `person`'s read position in `room`, if they ever read it.
    pub async fn read_position(&mut self, room: RoomId, person: PersonId) -> Result<Option<i64>> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT read_at FROM message_reads WHERE room_id = $1 AND person_id = $2")
                .bind(room.0).bind(person.0).fetch_optional(c).await?;
            row.map(|r| r.try_get("read_at")).transpose().map_err(Into::into)
        })
    }

    /// The unread messages `person` has in each room they are a current
    /// member of: others' messages, not deleted, after their read position.
    /// Rooms with none are left out.
    ///
    /// Every signed-in page asks this (the navigation's counts), so each
    /// room's count walks its message index from the read position on, and
    /// reads only the unread messages: written as a join with "no read
    /// position, or after it", it read every message the room ever had.
    pub async fn unread_counts(&mut self, person: PersonId) -> Result<Vec<(RoomId, i64)>> {
        let sql = unread_counts_sql();
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person.0).fetch_all(c).await?;
            rows.iter().map(|r| Ok((RoomId(r.try_get("room_id")?), r.try_get("n")?))).collect()
        })
    }

    /// What every signed-in page counts for its viewer, in one statement:
    /// [`Tx::unread_counts`] and [`Tx::unread_notifications`] for the
    /// navigation, and two facts the start page needs, whose own statements
    /// would each be a round trip more on PostgreSQL (issue 20).
    pub async fn viewer_counts(&mut self, person: PersonId) -> Result<ViewerCounts> {
        let sql = viewer_counts_sql("$1");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person.0).fetch_all(c).await?;
            viewer_counts_of(&rows)
        })
    }

    /// `person`'s unread messages in `room`, oldest first (what a digest
    /// email summarises). Empty when they are no longer a current member.
    pub async fn unread_messages(
        &mut self,
        room: RoomId,
        person: PersonId,
    ) -> Result<Vec<MessageRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM messages m JOIN room_members rm ON rm.room_id = m.room_id AND rm.person_id = $2 AND {CURRENT} LEFT JOIN people p ON p.id = m.author_id LEFT JOIN message_reads r ON r.room_id = m.room_id AND r.person_id = $2 WHERE m.room_id = $1 AND m.deleted_at IS NULL AND (m.author_id IS NULL OR m.author_id <> $2) AND (r.read_at IS NULL OR m.created_at > r.read_at) ORDER BY m.created_at, m.id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0).bind(person.0).fetch_all(c).await?;
            rows.iter().map(decode).collect()
        })
    }

    /// Every message in every room `person` is or was a member of, oldest
    /// first: their data export (what they wrote and what they received).
    pub async fn messages_of_member(&mut self, person: PersonId) -> Result<Vec<MessageRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM messages m LEFT JOIN people p ON p.id = m.author_id WHERE m.room_id IN (SELECT room_id FROM room_members WHERE person_id = $1) ORDER BY m.created_at, m.id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person.0).fetch_all(c).await?;
            rows.iter().map(decode).collect()
        })
    }

    /// Records a pending digest email for `person` in `room` at `run_at`,
    /// unless one is already pending (the table's key allows one). True when
    /// this call made it, so the caller queues its job exactly once.
    pub async fn schedule_digest(
        &mut self,
        room: RoomId,
        person: PersonId,
        run_at: i64,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("INSERT INTO message_digests (room_id, person_id, run_at) VALUES ($1, $2, $3) ON CONFLICT (room_id, person_id) DO NOTHING")
                .bind(room.0).bind(person.0).bind(run_at).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Removes the pending digest of `person` in `room`, so the next message
    /// schedules a new one; false when there was none.
    pub async fn take_digest(&mut self, room: RoomId, person: PersonId) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("DELETE FROM message_digests WHERE room_id = $1 AND person_id = $2")
                .bind(room.0).bind(person.0).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }
}

/// What a signed-in page counts for its viewer ([`Tx::viewer_counts`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ViewerCounts {
    /// Unread messages per room they are a current member of; rooms with
    /// none left out.
    pub unread: Vec<(RoomId, i64)>,
    /// Unread in-app notifications.
    pub unread_notifications: i64,
    /// Whether they have taken the needs check.
    pub took_needs_check: bool,
    /// Whether their reflection schedule has ever sent them a prompt (one
    /// may be waiting for an answer).
    pub reflection_prompted: bool,
    /// Whether they are a member of any room, in any state
    /// ([`Tx::rooms_of`] finds some): with none, a page has no room of
    /// theirs to read.
    pub in_rooms: bool,
    /// Whether they sent or received a request still open
    /// ([`Tx::open_requests_of`] finds some).
    pub open_requests: bool,
}

/// [`Tx::unread_counts`]'s statement, with `$1` the person.
fn unread_counts_sql() -> String {
    unread_counts_of_sql("$1")
}

/// [`unread_counts_sql`] for the person `me` (a parameter or an expression).
fn unread_counts_of_sql(me: &str) -> String {
    format!("SELECT room_id, n FROM (SELECT rm.room_id, (SELECT COUNT(*) FROM messages m WHERE m.room_id = rm.room_id AND m.created_at > COALESCE(r.read_at, -1) AND m.deleted_at IS NULL AND (m.author_id IS NULL OR m.author_id <> {me})) AS n FROM room_members rm LEFT JOIN message_reads r ON r.room_id = rm.room_id AND r.person_id = {me} WHERE rm.person_id = {me} AND {CURRENT}) counts WHERE n > 0")
}

/// [`Tx::viewer_counts`]'s statement for the person `me` (a parameter or
/// an expression): a row per room with unread messages, then the person's
/// own row, the one without a room. The facts on that row are each an
/// index lookup; they spare a page the statements that would find nothing
/// (issue 20: the start page of a member with no room and no open request
/// read both, two round trips of four on PostgreSQL).
pub(crate) fn viewer_counts_sql(me: &str) -> String {
    let open = crate::mentoring::request_open();
    format!(
        "SELECT room_id, n, FALSE AS took_check, FALSE AS prompted, FALSE AS in_rooms, FALSE AS requested FROM ({}) rooms UNION ALL \
         SELECT NULL, (SELECT COUNT(*) FROM notifications WHERE person_id = {me} AND read_at IS NULL), \
           EXISTS (SELECT 1 FROM needs_checks WHERE person_id = {me}), \
           EXISTS (SELECT 1 FROM reflection_schedules WHERE person_id = {me} AND last_sent_at IS NOT NULL), \
           EXISTS (SELECT 1 FROM room_members WHERE person_id = {me}), \
           EXISTS (SELECT 1 FROM requests WHERE mentee_id = {me} AND {open}) OR EXISTS (SELECT 1 FROM requests WHERE mentor_id = {me} AND {open})",
        unread_counts_of_sql(me)
    )
}

/// [`ViewerCounts`] from the rows of a [`viewer_counts_sql`] statement.
pub(crate) fn viewer_counts_of<R: Row>(rows: &[R]) -> Result<ViewerCounts>
where
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> Option<uuid::Uuid>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let mut counts = ViewerCounts::default();
    for r in rows {
        let n: i64 = r.try_get("n")?;
        match r.try_get::<Option<uuid::Uuid>, _>("room_id")? {
            Some(room) => counts.unread.push((RoomId(room), n)),
            None => {
                counts.unread_notifications = n;
                counts.took_needs_check = r.try_get("took_check")?;
                counts.reflection_prompted = r.try_get("prompted")?;
                counts.in_rooms = r.try_get("in_rooms")?;
                counts.open_requests = r.try_get("requested")?;
            }
        }
    }
    Ok(counts)
}
