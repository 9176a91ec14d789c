//! A room's message thread.

use super::notes::CursorParams;
use super::{paged_json, ApiJson, ApiQuery, IdPath};
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use rapport_app::messages::MessageView;
use rapport_domain::{MessageId, RoomId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A message in a room's thread.
#[derive(Serialize, ToSchema)]
pub struct MessageOut {
    /// Id.
    pub id: uuid::Uuid,
    /// Its room.
    pub room_id: uuid::Uuid,
    /// The author's id; null once their account is deleted.
    pub author_id: Option<uuid::Uuid>,
    /// The author's name, or "a former member".
    pub author: String,
    /// Markdown source; null once deleted.
    pub body: Option<String>,
    /// The body as sanitised HTML; null once deleted.
    pub html: Option<String>,
    /// The caller wrote it.
    pub mine: bool,
    /// Posted (Unix ms).
    pub created_at: i64,
    /// Last edited (Unix ms), if it was.
    pub edited_at: Option<i64>,
    /// Deleted (Unix ms), if it was: the message keeps its place without its text.
    pub deleted_at: Option<i64>,
}

impl From<MessageView> for MessageOut {
    fn from(v: MessageView) -> Self {
        let deleted = v.record.deleted_at.is_some();
        Self {
            id: v.record.id.0,
            room_id: v.record.room_id.0,
            author_id: v.record.author_id.map(|a| a.0),
            author: v.author,
            body: (!deleted).then_some(v.record.body),
            html: v.html,
            mine: v.mine,
            created_at: v.record.created_at,
            edited_at: v.record.edited_at,
            deleted_at: v.record.deleted_at,
        }
    }
}

/// A message's text.
#[derive(Deserialize, ToSchema)]
pub struct MessageBody {
    /// Markdown, without HTML (a script or `javascript:` link is 422 on `body`).
    pub body: String,
}

/// How far the caller has read.
#[derive(Deserialize, ToSchema, Default)]
pub struct ReadBody {
    /// Every message up to and including this one counts as read; leave it
    /// out to mark the whole thread read.
    pub up_to: Option<uuid::Uuid>,
}

/// Read a room's thread (members)
///
/// Newest first: the first page holds the latest messages (show them oldest
/// to newest); the `Link` header's `next` goes further back. Deleted
/// messages keep their place, without their text.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/messages", tag = "programmes",
    params(("id" = uuid::Uuid, Path, description = "Room id."), CursorParams),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of messages, newest first.", body = Vec<MessageOut>,
            headers(("link" = String, description = "`<…>; rel=\"next\"` (older) and `<…>; rel=\"prev\"` (newer) when there are such pages."))),
        (status = 403, description = "`forbidden`: a manager who is not a member (the thread is the members' own).", body = ErrorBody),
        (status = 404, description = "`not_found`: no such room, or not the caller's.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `limit` is not 1 to 100, or `cursor` is not one Rapport made.", body = ErrorBody),
    ))]
pub async fn list_messages(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<RoomId>,
    ApiQuery(params): ApiQuery<CursorParams>,
) -> Result<Response, ApiError> {
    let query = params.query();
    let page = s.app.room_messages(&actor, id, &query).await?;
    let (_, limit) = query.window()?;
    Ok(paged_json(
        &s,
        &format!("/api/v1/rooms/{id}/messages"),
        limit,
        page,
        |items| items.into_iter().map(MessageOut::from).collect::<Vec<_>>(),
    ))
}

/// Post a message (members)
///
/// The other members get one email about new messages at most every
/// 15 minutes per room, and none about messages they have read.
#[utoipa::path(post, path = "/api/v1/rooms/{id}/messages", tag = "programmes",
    params(("id" = uuid::Uuid, Path, description = "Room id.")), request_body = MessageBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The message.", body = MessageOut),
        (status = 403, description = "`forbidden`: a manager who is not a member.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such room, or not the caller's.", body = ErrorBody),
        (status = 409, description = "`conflict`: the room is proposed or has ended.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `body`: empty, too long, or HTML or script.", body = ErrorBody),
    ))]
pub async fn create_message(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<RoomId>,
    ApiJson(body): ApiJson<MessageBody>,
) -> Result<(StatusCode, Json<MessageOut>), ApiError> {
    let m = s.app.post_message(&actor, id, &body.body).await?;
    Ok((StatusCode::CREATED, Json(m.into())))
}

/// Edit a message (its author)
///
/// The thread shows that it was edited.
#[utoipa::path(put, path = "/api/v1/messages/{id}", tag = "programmes",
    params(("id" = uuid::Uuid, Path, description = "Message id.")), request_body = MessageBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The message as edited.", body = MessageOut),
        (status = 403, description = "`forbidden`: someone else's message.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such message, or not the caller's to read.", body = ErrorBody),
        (status = 409, description = "`conflict`: the message is deleted, or the room has ended.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `body`.", body = ErrorBody),
    ))]
pub async fn update_message(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<MessageId>,
    ApiJson(body): ApiJson<MessageBody>,
) -> Result<Json<MessageOut>, ApiError> {
    Ok(Json(
        s.app.edit_message(&actor, id, &body.body).await?.into(),
    ))
}

/// Delete a message (its author)
///
/// It keeps its place in the thread as "message deleted"; its text is gone.
#[utoipa::path(delete, path = "/api/v1/messages/{id}", tag = "programmes",
    params(("id" = uuid::Uuid, Path, description = "Message id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 403, description = "`forbidden`: someone else's message.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such message, or not the caller's to read.", body = ErrorBody),
        (status = 409, description = "`conflict`: already deleted, or the room has ended.", body = ErrorBody),
    ))]
pub async fn delete_message(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<MessageId>,
) -> Result<StatusCode, ApiError> {
    s.app.delete_message(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Mark a room's thread read (members)
///
/// Up to now, or up to the message `up_to`. The read position never moves
/// back.
#[utoipa::path(post, path = "/api/v1/rooms/{id}/messages/read", tag = "programmes",
    params(("id" = uuid::Uuid, Path, description = "Room id.")), request_body = ReadBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Marked read."),
        (status = 403, description = "`forbidden`: a manager who is not a member.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such room, or not the caller's.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `up_to`: not a message of this room.", body = ErrorBody),
    ))]
pub async fn read_messages(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<RoomId>,
    ApiJson(body): ApiJson<ReadBody>,
) -> Result<StatusCode, ApiError> {
    s.app
        .mark_messages_read(&actor, id, body.up_to.map(MessageId))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
