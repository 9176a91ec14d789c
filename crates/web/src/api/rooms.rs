//! Rooms: reading one, answering a proposal, and the caller's list.

use super::programmes::parse;
use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::Json;
use rapport_app::rooms::RoomView;
use rapport_app::AppError;
use rapport_domain::RoomId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A room member.
#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    /// Person id.
    pub person_id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// `mentor`, `mentee`, `peer` or `facilitator`.
    pub role: String,
    /// `invited`, `accepted`, `declined` or `left`.
    pub state: String,
}

impl From<rapport_store::MemberRecord> for MemberOut {
    fn from(m: rapport_store::MemberRecord) -> Self {
        Self {
            person_id: m.person_id.0,
            name: m.name,
            role: m.role.code().into(),
            state: m.state.code().into(),
        }
    }
}

/// A room.
#[derive(Serialize, ToSchema)]
pub struct RoomOut {
    /// Id.
    pub id: uuid::Uuid,
    /// Programme slug.
    pub programme: String,
    /// `proposed`, `active`, `paused`, `completed` or `ended_early`.
    pub status: String,
    /// Why it ended early.
    pub end_reason: Option<String>,
    /// Members, mentors first.
    pub members: Vec<MemberOut>,
    /// Why it was proposed: member-safe for members, in full for managers.
    #[schema(value_type = Option<Object>)]
    pub explanation: Option<serde_json::Value>,
}

impl From<RoomView> for RoomOut {
    fn from(v: RoomView) -> Self {
        Self {
            id: v.room.id.0,
            programme: v.programme_slug,
            status: v.room.status.code().into(),
            end_reason: v.room.end_reason,
            members: v.room.members.into_iter().map(MemberOut::from).collect(),
            explanation: v.explanation.and_then(|e| serde_json::to_value(e).ok()),
        }
    }
}

/// Read a room
///
/// For its members and the programme's managers; anyone else 404.
#[utoipa::path(get, path = "/api/v1/rooms/{id}", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Room id.")), security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "The room.", body = RoomOut), (status = 404, description = "`not_found`.", body = ErrorBody)))]
pub async fn get_room(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<RoomOut>, ApiError> {
    let id: RoomId = parse(&id, "room")?;
    Ok(Json(s.app.room(&actor, id).await?.into()))
}

/// An answer to a proposal.
#[derive(Deserialize, ToSchema)]
pub struct AnswerBody {
    /// `accept` or `decline`.
    pub answer: String,
}

/// The room's status after an answer.
#[derive(Serialize, ToSchema)]
pub struct AnswerOut {
    /// `proposed` (others still to answer), `active` or `ended_early`.
    pub status: String,
}

/// Accept or decline a proposed room (members)
#[utoipa::path(post, path = "/api/v1/rooms/{id}/answer", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Room id.")), request_body = AnswerBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Answered.", body = AnswerOut),
        (status = 403, description = "`forbidden`: a manager who is not a member.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: already answered, or the room is no longer proposed.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `answer`.", body = ErrorBody),
    ))]
pub async fn answer_room(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AnswerBody>,
) -> Result<Json<AnswerOut>, ApiError> {
    let id: RoomId = parse(&id, "room")?;
    let accept = match body.answer.as_str() {
        "accept" => true,
        "decline" => false,
        _ => return Err(AppError::invalid("answer", "answer accept or decline").into()),
    };
    let status = s.app.answer_room(&actor, id, accept).await?;
    Ok(Json(AnswerOut {
        status: status.code().into(),
    }))
}

/// A room in the caller's list.
#[derive(Serialize, ToSchema)]
pub struct MyRoomOut {
    /// Room id.
    pub id: uuid::Uuid,
    /// Programme name.
    pub programme: String,
    /// Status.
    pub status: String,
    /// Members, mentors first.
    pub members: Vec<MemberOut>,
}

/// List my rooms
#[utoipa::path(get, path = "/api/v1/rooms", tag = "programmes", security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "The caller's rooms, newest first.", body = Vec<MyRoomOut>)))]
pub async fn list_rooms(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<MyRoomOut>>, ApiError> {
    let rooms = s.app.my_rooms(&actor).await?;
    Ok(Json(
        rooms
            .into_iter()
            .map(|(r, programme)| MyRoomOut {
                id: r.id.0,
                programme,
                status: r.status.code().into(),
                members: r.members.into_iter().map(MemberOut::from).collect(),
            })
            .collect(),
    ))
}
