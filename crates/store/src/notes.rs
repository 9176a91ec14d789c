//! Room notes (migration 0010): Markdown, private to their author or shared
//! with the room. Who may read which note is the app's rule; the store reads
//! exactly the set it is asked for and never widens it.

use crate::decode::corrupt_row;
use crate::page::{bind_keyset, keyset_sql, Page, Start};
use crate::{on_conn, Result, Tx};
use rapport_domain::mentoring::NoteVisibility;
use rapport_domain::{NoteId, PersonId, RoomId};
use sqlx::Row;

/// A stored note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteRecord {
    /// Id.
    pub id: NoteId,
    /// Its room.
    pub room_id: RoomId,
    /// Who wrote it; none once their account is deleted (only shared notes
    /// outlive their author).
    pub author_id: Option<PersonId>,
    /// The author's name, if they still have an account.
    pub author_name: Option<String>,
    /// Private or shared with the room.
    pub visibility: NoteVisibility,
    /// Markdown source.
    pub body: String,
    /// The note it was copied from, for a copy carried into a new room.
    pub copied_from: Option<NoteId>,
    /// Written (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

/// Which notes of a room to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteScope {
    /// The reader's own notes (private and shared) and the room's shared ones.
    OwnAndShared(PersonId),
    /// The reader's own notes only.
    Own(PersonId),
    /// Shared notes only (a manager allowed to read them).
    Shared,
}

impl NoteScope {
    fn condition(self) -> (&'static str, Option<PersonId>) {
        match self {
            Self::OwnAndShared(p) => ("(n.author_id = $2 OR n.visibility = 'room')", Some(p)),
            Self::Own(p) => ("n.author_id = $2", Some(p)),
            Self::Shared => ("n.visibility = 'room'", None),
        }
    }
}

const COLUMNS: &str = "n.id, n.room_id, n.author_id, p.name AS author_name, n.visibility, n.body, n.copied_from, n.created_at, n.updated_at";

fn decode<R: Row>(r: &R) -> Result<NoteRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<uuid::Uuid>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id = NoteId(r.try_get("id")?);
    let visibility: String = r.try_get("visibility")?;
    Ok(NoteRecord {
        id,
        room_id: RoomId(r.try_get("room_id")?),
        author_id: r
            .try_get::<Option<uuid::Uuid>, _>("author_id")?
            .map(PersonId),
        author_name: r.try_get("author_name")?,
        visibility: NoteVisibility::parse(&visibility).map_err(|e| corrupt_row("notes", id, e))?,
        body: r.try_get("body")?,
        copied_from: r
            .try_get::<Option<uuid::Uuid>, _>("copied_from")?
            .map(NoteId),
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Tx {
    /// Stores a new note (`author_name` is ignored: it is read from people).
    pub async fn insert_note(&mut self, n: &NoteRecord) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO notes (id, room_id, author_id, visibility, body, copied_from, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(n.id.0).bind(n.room_id.0).bind(n.author_id.map(|a| a.0)).bind(n.visibility.code())
                .bind(&n.body).bind(n.copied_from.map(|x| x.0)).bind(n.created_at).bind(n.updated_at)
                .execute(c).await?;
            Ok(())
        })
    }

    /// One note, whoever may read it (the caller decides).
    pub async fn note(&mut self, id: NoteId) -> Result<Option<NoteRecord>> {
        let sql =
            format!("SELECT {COLUMNS} FROM notes n LEFT JOIN people p ON p.id = n.author_id WHERE n.id = $1");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(c).await?;
            row.as_ref().map(decode).transpose()
        })
    }

    /// One page of a room's notes in `scope`, newest first.
    pub async fn notes_page(
        &mut self,
        room: RoomId,
        scope: NoteScope,
        start: Start,
        limit: i64,
    ) -> Result<Page<NoteRecord>> {
        let (cond, person) = scope.condition();
        // The keyset tail reads `created_at` and `id` of the inner rows.
        let first = if person.is_some() { 3 } else { 2 };
        let sql = format!(
            "SELECT * FROM (SELECT {COLUMNS} FROM notes n LEFT JOIN people p ON p.id = n.author_id WHERE n.room_id = $1 AND {cond}) AS t {}",
            keyset_sql(start, first, limit)
        );
        on_conn!(self, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0);
            if let Some(p) = person {
                q = q.bind(p.0);
            }
            let q = bind_keyset!(q, start);
            let rows = q.fetch_all(&mut *c).await?;
            let notes = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
            Ok(Page::from_rows(start, notes, limit, |n| (n.created_at, n.id.0)))
        })
    }

    /// Every note `person` wrote, in any room, oldest first: their data export.
    pub async fn notes_by(&mut self, person: PersonId) -> Result<Vec<NoteRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM notes n LEFT JOIN people p ON p.id = n.author_id WHERE n.author_id = $1 ORDER BY n.created_at, n.id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person.0).fetch_all(c).await?;
            rows.iter().map(decode).collect()
        })
    }

    /// Replaces a note's body and visibility; false when it is gone.
    pub async fn update_note(
        &mut self,
        id: NoteId,
        body: &str,
        visibility: NoteVisibility,
        now: i64,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("UPDATE notes SET body = $2, visibility = $3, updated_at = $4 WHERE id = $1")
                .bind(id.0).bind(body).bind(visibility.code()).bind(now).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Deletes a note; false when it was already gone.
    pub async fn delete_note(&mut self, id: NoteId) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("DELETE FROM notes WHERE id = $1").bind(id.0).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Copies `note` into `to_room` as a new note by the same author with the
    /// same visibility and body, remembering where it came from (the re-match
    /// carry-over, one note at a time). Returns the copy's id.
    pub async fn copy_note(
        &mut self,
        note: &NoteRecord,
        to_room: RoomId,
        now: i64,
    ) -> Result<NoteId> {
        let copy = NoteRecord {
            id: NoteId::new(),
            room_id: to_room,
            copied_from: Some(note.id),
            created_at: now,
            updated_at: now,
            ..note.clone()
        };
        self.insert_note(&copy).await?;
        Ok(copy.id)
    }

    /// Deletes every private note `person` wrote: the first step of deleting
    /// their account (their shared notes stay, authorless).
    pub async fn delete_private_notes_of(&mut self, person: PersonId) -> Result<u64> {
        on_conn!(self, c => {
            let r = sqlx::query("DELETE FROM notes WHERE author_id = $1 AND visibility = 'private'")
                .bind(person.0).execute(c).await?;
            Ok(r.rows_affected())
        })
    }
}
