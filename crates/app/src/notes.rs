//! Room notes: Markdown, private to their author or shared with the room.
//!
//! # Who reads a note
//! - A **private** note: its author, and nobody else, by any route. Not the
//!   other members, not the programme's managers, not admins. Everyone else
//!   gets the same 404 as for a note that does not exist.
//! - A **shared** note (`room`): the room's current members, and the
//!   programme's managers (and admins) only where the programme's room rules
//!   say `managers_read_shared_notes`.
//!
//! Only the author edits or deletes a note, and only while the room can be
//! written (an ended room's notes stay readable, fixed).

use crate::lists::{ListQuery, Page};
use crate::rooms::RoomAccess;
use crate::{markdown, App, AppError, AppResult};
use rapport_domain::mentoring::NoteVisibility;
use rapport_domain::policy::Actor;
use rapport_domain::{NoteId, RoomId};
use rapport_store::{ActivityKind, NoteRecord, NoteScope};
use serde::Serialize;

/// How a deleted account's shared notes and messages name their author.
pub const FORMER_MEMBER: &str = "a former member";

/// What a note's writer sends.
#[derive(Clone, Debug, Default)]
pub struct NoteInput {
    /// Markdown text.
    pub body: String,
    /// `private` or `room`.
    pub visibility: String,
}

/// A note as one reader sees it.
#[derive(Clone, Debug, Serialize)]
pub struct NoteView {
    /// The stored note.
    #[serde(skip)]
    pub record: NoteRecord,
    /// The author's name, or "a former member".
    pub author: String,
    /// The body rendered by the one Markdown renderer (safe to show as is).
    pub html: String,
    /// The reader wrote it (and so may edit or delete it).
    pub mine: bool,
}

impl NoteView {
    pub(crate) fn new(record: NoteRecord, reader: &Actor) -> Self {
        Self {
            author: record
                .author_name
                .clone()
                .unwrap_or_else(|| FORMER_MEMBER.into()),
            html: markdown::render(&record.body),
            mine: record.author_id == Some(reader.person_id),
            record,
        }
    }
}

/// Which notes of the room the reader may see; None when no note at all.
fn scope(access: &RoomAccess, actor: &Actor) -> Option<NoteScope> {
    let shared = access.is_member()
        || (access.manager && access.programme.room_rules.managers_read_shared_notes);
    match (shared, access.me.is_some()) {
        (true, true) => Some(NoteScope::OwnAndShared(actor.person_id)),
        (true, false) => Some(NoteScope::Shared),
        // A member who left still reads what they wrote.
        (false, true) => Some(NoteScope::Own(actor.person_id)),
        (false, false) => None,
    }
}

/// Whether `scope` lets its reader see `note`.
fn visible(scope: Option<NoteScope>, note: &NoteRecord) -> bool {
    let shared = note.visibility == NoteVisibility::Room;
    match scope {
        Some(NoteScope::OwnAndShared(p)) => note.author_id == Some(p) || shared,
        Some(NoteScope::Own(p)) => note.author_id == Some(p),
        Some(NoteScope::Shared) => shared,
        None => false,
    }
}

fn not_found() -> AppError {
    AppError::NotFound("that note was not found".into())
}

/// Checks a note's input: non-empty Markdown without HTML, and a known
/// visibility; every bad field is named.
fn parse_input(input: &NoteInput) -> AppResult<(String, NoteVisibility)> {
    let mut errors = vec![];
    let body = input.body.trim().to_string();
    if body.is_empty() {
        errors.push(rapport_domain::Invalid::new(
            "body",
            "write the note: it cannot be empty",
        ));
    } else if let Err(AppError::Invalid(mut e)) = markdown::check("body", &body) {
        errors.append(&mut e);
    }
    let visibility = match NoteVisibility::parse(&input.visibility) {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(rapport_domain::Invalid::new(
                "visibility",
                "choose private (only you will ever see it) or room (the room's members see it)",
            ));
            None
        }
    };
    match visibility {
        Some(v) if errors.is_empty() => Ok((body, v)),
        _ => Err(AppError::Invalid(errors)),
    }
}

impl App {
    /// One page of a room's notes the actor may read, newest first. Members
    /// see their own and the shared ones; managers the shared ones where the
    /// programme allows (else 403); anyone else 404.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room))]
    pub async fn room_notes(
        &self,
        actor: &Actor,
        room: RoomId,
        list: &ListQuery,
    ) -> AppResult<Page<NoteView>> {
        let (start, limit) = list.window()?;
        let mut tx = self.store.read().await?;
        let access = self.room_access(&mut tx, actor, room).await?;
        self.room_notes_in(&mut tx, actor, &access, (start, limit))
            .await
    }

    /// [`App::room_notes`] in the caller's transaction, for a room whose
    /// access is already read.
    pub(crate) async fn room_notes_in(
        &self,
        tx: &mut rapport_store::Tx,
        actor: &Actor,
        access: &RoomAccess,
        (start, limit): (crate::lists::Start, i64),
    ) -> AppResult<Page<NoteView>> {
        let Some(scope) = scope(access, actor) else {
            return Err(AppError::Forbidden(
                "this programme keeps the room's notes to its members".into(),
            ));
        };
        let page = tx.notes_page(access.room.id, scope, start, limit).await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|n| NoteView::new(n, actor))
                .collect(),
            next: page.next,
            prev: page.prev,
        })
    }

    /// Whether the programme of room `room` lets its managers read the notes
    /// shared with the room (what the note form tells the writer).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room))]
    pub async fn managers_read_shared_notes(&self, actor: &Actor, room: RoomId) -> AppResult<bool> {
        let mut tx = self.store.read().await?;
        let access = self.room_access(&mut tx, actor, room).await?;
        Ok(access.programme.room_rules.managers_read_shared_notes)
    }

    /// Reads one note and the room it is in, as the actor may: 404 when the
    /// note does not exist or is not theirs to read.
    async fn readable_note(
        &self,
        tx: &mut rapport_store::Tx,
        actor: &Actor,
        id: NoteId,
    ) -> AppResult<(NoteRecord, RoomAccess)> {
        let note = tx.note(id).await?.ok_or_else(not_found)?;
        // A room the actor may not see hides its notes with the same words.
        let access = self
            .room_access(tx, actor, note.room_id)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => not_found(),
                other => other,
            })?;
        if !visible(scope(&access, actor), &note) {
            return Err(not_found());
        }
        Ok((note, access))
    }

    /// One note, for whoever may read it; anyone else 404.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, note = %id))]
    pub async fn note(&self, actor: &Actor, id: NoteId) -> AppResult<NoteView> {
        let mut tx = self.store.read().await?;
        let (note, _) = self.readable_note(&mut tx, actor, id).await?;
        Ok(NoteView::new(note, actor))
    }

    /// A current member writes a note in an active or paused room.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room))]
    pub async fn write_note(
        &self,
        actor: &Actor,
        room: RoomId,
        input: &NoteInput,
    ) -> AppResult<NoteView> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let access = self.room_access(&mut tx, actor, room).await?;
        access.member_writes()?;
        let (body, visibility) = parse_input(input)?;
        let record = NoteRecord {
            id: NoteId::new(),
            room_id: room,
            author_id: Some(actor.person_id),
            author_name: None,
            visibility,
            body,
            copied_from: None,
            created_at: now,
            updated_at: now,
        };
        tx.insert_note(&record).await?;
        tx.note_room_activity(room, ActivityKind::Note, now).await?;
        let stored = tx
            .note(record.id)
            .await?
            .ok_or_else(|| AppError::internal_msg("a note just written is missing"))?;
        tx.commit().await?;
        Ok(NoteView::new(stored, actor))
    }

    /// The author changes their note's text or who sees it.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, note = %id))]
    pub async fn edit_note(
        &self,
        actor: &Actor,
        id: NoteId,
        input: &NoteInput,
    ) -> AppResult<NoteView> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (note, access) = self.own_note(&mut tx, actor, id).await?;
        access.writable()?;
        let (body, visibility) = parse_input(input)?;
        if !tx.update_note(note.id, &body, visibility, now).await? {
            return Err(not_found());
        }
        let stored = tx.note(id).await?.ok_or_else(not_found)?;
        tx.commit().await?;
        Ok(NoteView::new(stored, actor))
    }

    /// The author deletes their note.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, note = %id))]
    pub async fn delete_note(&self, actor: &Actor, id: NoteId) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        let (note, access) = self.own_note(&mut tx, actor, id).await?;
        access.writable()?;
        if !tx.delete_note(note.id).await? {
            return Err(not_found());
        }
        tx.commit().await?;
        Ok(())
    }

    /// A note the actor may read and wrote: 404 if unreadable, 403 if
    /// someone else's.
    async fn own_note(
        &self,
        tx: &mut rapport_store::Tx,
        actor: &Actor,
        id: NoteId,
    ) -> AppResult<(NoteRecord, RoomAccess)> {
        let (note, access) = self.readable_note(tx, actor, id).await?;
        if note.author_id != Some(actor.person_id) {
            return Err(AppError::Forbidden(
                "only the note's author can change or delete it".into(),
            ));
        }
        Ok((note, access))
    }
}

/// The notes and messages part of a person's data export: every note they
/// wrote (private ones too), and every message of the rooms they are or were
/// in (what they wrote and what they received). Never another person's
/// private note: only the person's own notes are read at all.
pub(crate) async fn export_of(
    tx: &mut rapport_store::Tx,
    person: rapport_domain::PersonId,
) -> AppResult<(Vec<serde_json::Value>, Vec<serde_json::Value>)> {
    let notes = tx
        .notes_by(person)
        .await?
        .into_iter()
        .map(|n| {
            serde_json::json!({
                "id": n.id, "room_id": n.room_id, "visibility": n.visibility.code(),
                "body": n.body, "copied_from": n.copied_from,
                "created_at": n.created_at, "updated_at": n.updated_at,
            })
        })
        .collect();
    let messages = tx
        .messages_of_member(person)
        .await?
        .into_iter()
        .map(|m| {
            serde_json::json!({
                "id": m.id, "room_id": m.room_id,
                "author": if m.author_id == Some(person) { "you".to_string() } else { m.author_name.unwrap_or_else(|| FORMER_MEMBER.into()) },
                "yours": m.author_id == Some(person),
                "body": m.deleted_at.is_none().then_some(m.body),
                "created_at": m.created_at, "edited_at": m.edited_at, "deleted_at": m.deleted_at,
            })
        })
        .collect();
    Ok((notes, messages))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_names_every_field() {
        let bad = NoteInput {
            body: "  ".into(),
            visibility: "public".into(),
        };
        match parse_input(&bad) {
            Err(AppError::Invalid(e)) => {
                let fields: Vec<_> = e.iter().map(|e| e.field.to_string()).collect();
                assert_eq!(fields, ["body", "visibility"]);
            }
            other => panic!("{other:?}"),
        }
        let script = NoteInput {
            body: "hi <script>alert(1)</script>".into(),
            visibility: "room".into(),
        };
        assert!(matches!(parse_input(&script), Err(AppError::Invalid(e)) if e[0].field == "body"));
        let good = NoteInput {
            body: " **fine** ".into(),
            visibility: "private".into(),
        };
        assert_eq!(
            parse_input(&good).unwrap(),
            ("**fine**".into(), NoteVisibility::Private)
        );
    }
}
