//! The Notes tab of a room: the notes the viewer may read, a form to write
//! one (saying plainly who will see it), and edit/delete for their own.

use super::programmes::{parse_id, Params};
use super::rooms::RoomTabs;
use super::{render, Ctx};
use crate::auth::{PageActor, PageFor, PageSession};
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::lists::ListQuery;
use rapport_app::notes::{NoteInput, NoteView};
use rapport_app::room_pages::NotesTab;
use rapport_app::rooms::RoomAccess;
use rapport_app::AppError;
use rapport_domain::{NoteId, RoomId};

/// What the private choice promises, word for word on the form.
pub(crate) const PRIVATE_HINT: &str =
    "Private: only you will ever see it. Not the other members, not the programme's managers, not administrators.";

#[derive(Template)]
#[template(path = "notes.html")]
struct NotesPage {
    ctx: Ctx,
    title: String,
    tabs: RoomTabs,
    v: RoomAccess,
    notes: Vec<NoteView>,
    /// Older notes, if any.
    next: Option<String>,
    /// The cursor of the newer page, when this is not the first.
    prev: Option<String>,
    /// The viewer may write (a current member of an open room).
    can_write: bool,
    /// Who a shared note reaches, in this programme.
    shared_hint: String,
    private_hint: &'static str,
    /// A refused draft and why.
    draft: NoteInput,
    error: Option<(String, String)>,
}

/// Notes a page of the Notes tab shows, newest first: each may run to a few
/// hundred words, so a long relationship's notes come a page at a time.
const NOTES_PAGE: i64 = 10;

/// Renders the Notes tab; `draft` and `error` carry a refused note back.
async fn notes_page(
    s: &AppState,
    who: PageFor<'_>,
    id: RoomId,
    q: &Params,
    draft: NoteInput,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let list = ListQuery {
        page: None,
        cursor: q.get("cursor").cloned(),
        limit: Some(NOTES_PAGE),
    };
    // The room, the page of notes and who reads shared notes in one read.
    let NotesTab {
        viewer,
        access: v,
        page,
        managers_read_shared: managers,
    } = s.app.notes_tab(who.reader(), id, &list).await?;
    let who = who.actor(s, viewer)?;
    let can_write = v.is_member() && matches!(v.room.status.code(), "active" | "paused");
    let shared_hint = if managers {
        "Shared with the room: the room's members see it, and so do the programme's managers."
    } else {
        "Shared with the room: the room's members see it. The programme's managers do not."
    }
    .to_string();
    let status = crate::pages::status_for(error.as_ref());
    let error = error.map(|e| match &e {
        AppError::Invalid(errs) => (
            errs.first()
                .map(|e| e.field.to_string())
                .unwrap_or_default(),
            e.to_string(),
        ),
        _ => (String::new(), e.to_string()),
    });
    let title = format!("Notes · {}", v.room.member_names());
    Ok((
        status,
        render(&NotesPage {
            ctx: Ctx::new(Some(&who), q.get("done").map(String::as_str)),
            title,
            tabs: RoomTabs {
                id,
                current: "Notes",
                ended: !v.room.status.is_open(),
            },
            v,
            notes: page.items,
            next: page.next.map(|c| c.encode()),
            prev: page.prev.map(|c| c.encode()),
            can_write,
            shared_hint,
            private_hint: PRIVATE_HINT,
            draft,
            error,
        }),
    )
        .into_response())
}

async fn notes(
    State(s): State<AppState>,
    session: PageSession,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    notes_page(
        &s,
        PageFor::Session(&session),
        id,
        &q,
        NoteInput::default(),
        None,
    )
    .await
}

fn input(f: &Params) -> NoteInput {
    NoteInput {
        body: f.get("body").cloned().unwrap_or_default(),
        visibility: f.get("visibility").cloned().unwrap_or_default(),
    }
}

async fn write(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let draft = input(&f);
    match s.app.write_note(&who.actor, id, &draft).await {
        Ok(_) => Ok(Redirect::to(&format!("/rooms/{id}/notes?done=note_saved")).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            notes_page(&s, PageFor::Actor(&who), id, &Params::new(), draft, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: NoteId = parse_id(&id, "note")?;
    let draft = input(&f);
    match s.app.edit_note(&who.actor, id, &draft).await {
        Ok(n) => Ok(Redirect::to(&format!(
            "/rooms/{}/notes?done=note_saved",
            n.record.room_id
        ))
        .into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let room = s.app.note(&who.actor, id).await?.record.room_id;
            notes_page(
                &s,
                PageFor::Actor(&who),
                room,
                &Params::new(),
                NoteInput::default(),
                Some(e),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn delete(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: NoteId = parse_id(&id, "note")?;
    let room = s.app.note(&who.actor, id).await?.record.room_id;
    s.app.delete_note(&who.actor, id).await?;
    Ok(Redirect::to(&format!("/rooms/{room}/notes?done=note_deleted")).into_response())
}

/// The Notes pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .form("/rooms/{id}/notes", notes, write)
        .post("/notes/{id}/edit", edit)
        .post("/notes/{id}/delete", delete)
}
