//! Room notes: private to their author or shared with the room.

use super::{paged_json, ApiJson, ApiQuery, IdPath};
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use rapport_app::lists::ListQuery;
use rapport_app::notes::{NoteInput, NoteView};
use rapport_domain::{NoteId, RoomId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Which page of a list to read.
#[derive(Deserialize, IntoParams)]
pub struct CursorParams {
    /// Where to continue: the opaque cursor from the `Link` header of the
    /// previous answer.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 50).
    pub limit: Option<i64>,
}

impl CursorParams {
    /// As the app's list query.
    pub fn query(self) -> ListQuery {
        ListQuery {
            page: None,
            cursor: self.cursor,
            limit: self.limit,
        }
    }
}

/// A note.
#[derive(Serialize, ToSchema)]
pub struct NoteOut {
    /// Id.
    pub id: uuid::Uuid,
    /// Its room.
    pub room_id: uuid::Uuid,
    /// The author's id; null once their account is deleted.
    pub author_id: Option<uuid::Uuid>,
    /// The author's name, or "a former member".
    pub author: String,
    /// `private` (the author alone, ever) or `room` (shared with the room).
    pub visibility: String,
    /// Markdown source.
    pub body: String,
    /// The body as sanitised HTML.
    pub html: String,
    /// The caller wrote it (and may edit or delete it).
    pub mine: bool,
    /// The note this one was copied from, for a copy carried into a new room.
    pub copied_from: Option<uuid::Uuid>,
    /// Written (Unix ms).
    pub created_at: i64,
    /// Last changed (Unix ms).
    pub updated_at: i64,
}

impl From<NoteView> for NoteOut {
    fn from(v: NoteView) -> Self {
        Self {
            id: v.record.id.0,
            room_id: v.record.room_id.0,
            author_id: v.record.author_id.map(|a| a.0),
            author: v.author,
            visibility: v.record.visibility.code().into(),
            body: v.record.body,
            html: v.html,
            mine: v.mine,
            copied_from: v.record.copied_from.map(|c| c.0),
            created_at: v.record.created_at,
            updated_at: v.record.updated_at,
        }
    }
}

/// A note to write or its new text.
#[derive(Deserialize, ToSchema)]
pub struct NoteBody {
    /// Markdown, without HTML (a script or `javascript:` link is 422 on `body`).
    pub body: String,
    /// `private`: only you will ever see it, by any route. `room`: the room's
    /// members see it, and its managers where the programme allows.
    pub visibility: String,
}

impl From<NoteBody> for NoteInput {
    fn from(b: NoteBody) -> Self {
        Self {
            body: b.body,
            visibility: b.visibility,
        }
    }
}

/// List a room's notes
///
/// The caller's own notes (private and shared) and the notes shared with the
/// room, newest first; managers see the shared ones only where the programme
/// allows. The next page is in the `Link` header.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/notes", tag = "programmes",
    params(("id" = uuid::Uuid, Path, description = "Room id."), CursorParams),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of notes.", body = Vec<NoteOut>,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 403, description = "`forbidden`: a manager of a programme that keeps notes to the room's members.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such room, or not the caller's.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `limit` is not 1 to 100, or `cursor` is not one Rapport made.", body = ErrorBody),
    ))]
pub async fn list_notes(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<RoomId>,
    ApiQuery(params): ApiQuery<CursorParams>,
) -> Result<Response, ApiError> {
    let query = params.query();
    let page = s.app.room_notes(&actor, id, &query).await?;
    let (_, limit) = query.window()?;
    Ok(paged_json(
        &s,
        &format!("/api/v1/rooms/{id}/notes"),
        limit,
        page,
        |items| items.into_iter().map(NoteOut::from).collect::<Vec<_>>(),
    ))
}

/// Write a note in a room (members)
#[utoipa::path(post, path = "/api/v1/rooms/{id}/notes", tag = "programmes",
    params(("id" = uuid::Uuid, Path, description = "Room id.")), request_body = NoteBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The note.", body = NoteOut),
        (status = 403, description = "`forbidden`: a manager who is not a member.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such room, or not the caller's.", body = ErrorBody),
        (status = 409, description = "`conflict`: the room is proposed or has ended.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `body` (empty, too long, HTML or script) or `visibility` (not `private` or `room`).", body = ErrorBody),
    ))]
pub async fn create_note(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<RoomId>,
    ApiJson(body): ApiJson<NoteBody>,
) -> Result<(StatusCode, Json<NoteOut>), ApiError> {
    let note = s.app.write_note(&actor, id, &body.into()).await?;
    Ok((StatusCode::CREATED, Json(note.into())))
}

/// Change a note (its author)
#[utoipa::path(put, path = "/api/v1/notes/{id}", tag = "programmes",
    params(("id" = uuid::Uuid, Path, description = "Note id.")), request_body = NoteBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The note as changed.", body = NoteOut),
        (status = 403, description = "`forbidden`: someone else's note.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such note, or not the caller's to read.", body = ErrorBody),
        (status = 409, description = "`conflict`: the room has ended.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `body` or `visibility`.", body = ErrorBody),
    ))]
pub async fn update_note(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<NoteId>,
    ApiJson(body): ApiJson<NoteBody>,
) -> Result<Json<NoteOut>, ApiError> {
    Ok(Json(
        s.app.edit_note(&actor, id, &body.into()).await?.into(),
    ))
}

/// Delete a note (its author)
#[utoipa::path(delete, path = "/api/v1/notes/{id}", tag = "programmes",
    params(("id" = uuid::Uuid, Path, description = "Note id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 403, description = "`forbidden`: someone else's note.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such note, or not the caller's to read.", body = ErrorBody),
        (status = 409, description = "`conflict`: the room has ended.", body = ErrorBody),
    ))]
pub async fn delete_note(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<NoteId>,
) -> Result<StatusCode, ApiError> {
    s.app.delete_note(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
