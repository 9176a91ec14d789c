//! The no-fault re-match: starting one, where it stands (and a peer's
//! ranked referrals), picking a referral, and carrying notes over.

use super::programmes::parse;
use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::Json;
use rapport_app::rematch::{CarryOver, RematchInput, RematchOutcome};
use rapport_domain::RoomId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Starts a re-match.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct RematchBody {
    /// Must be `true`; without it nothing changes and the answer (409 on
    /// `confirm`) says what would happen.
    pub confirm: bool,
    /// Optional note (Markdown, at most 2,000 characters), kept in the
    /// room's history after the neutral words Rapport writes.
    pub note: Option<String>,
    /// For a manager, when the room has more than one mentee (or peer):
    /// the person id of the one to re-match.
    pub person: Option<String>,
}

/// One ranked referral.
#[derive(Serialize, ToSchema)]
pub struct ReferralOut {
    /// Person id.
    pub person_id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// Compatibility, 0–100.
    pub score: f64,
    /// Why, in sentences (nothing the other keeps private).
    pub explanation: Vec<String>,
}

/// Why nobody can take the person now, and what would fix it.
#[derive(Serialize, ToSchema)]
pub struct WaitingOut {
    /// Why.
    pub reason: String,
    /// What would place them.
    pub fix: Option<String>,
}

/// What a re-match did, or where it stands.
#[derive(Serialize, ToSchema)]
pub struct RematchOut {
    /// The old room.
    pub from_room: uuid::Uuid,
    /// Its status now: `ended_early`, or `active`/`paused` when only the
    /// person left a group or circle that carries on.
    pub from_status: String,
    /// The person re-matched.
    pub person_id: uuid::Uuid,
    /// Their name.
    pub person_name: String,
    /// The proposed room with the new mentor (or picked peer); both answer
    /// through `POST /api/v1/rooms/{id}/answer`. A decline proposes the
    /// next referral.
    pub proposed_room: Option<uuid::Uuid>,
    /// Who the proposed room is with.
    pub proposed_with: Option<String>,
    /// Mentor programmes: nobody can take them now (they wait in the pool;
    /// the managers are told).
    pub waiting: Option<WaitingOut>,
    /// Peers and circles: who they could meet next, best first.
    pub referrals: Vec<ReferralOut>,
}

impl From<RematchOutcome> for RematchOut {
    fn from(o: RematchOutcome) -> Self {
        Self {
            from_room: o.from_room.0,
            from_status: o.from_status.code().into(),
            person_id: o.person_id.0,
            person_name: o.person_name,
            proposed_room: o.proposed.map(|r| r.0),
            proposed_with: o.proposed_with,
            waiting: o.waiting.map(|w| WaitingOut {
                reason: w.reason,
                fix: w.fix,
            }),
            referrals: o
                .referrals
                .into_iter()
                .map(|r| ReferralOut {
                    person_id: r.person_id.0,
                    name: r.name,
                    score: r.score,
                    explanation: r.explanation.into_iter().map(|l| l.sentence).collect(),
                })
                .collect(),
        }
    }
}

/// Start a no-fault re-match of a room
///
/// For a member who answered "no" to "this mentorship is working for me" at
/// their latest check-in, or a manager of the programme. In one
/// transaction: the room ends with reason `fit` in words that blame no one
/// (in a group or circle of more than two only the person re-matched
/// leaves), the mentor's seat is freed, and the engine proposes the best
/// mentor who can take them now, never one already tried, moving nobody
/// else. Peers and circles get a ranked referral list instead. Everyone in
/// the old room is told, and asked for the closure survey when it closed.
#[utoipa::path(post, path = "/api/v1/rooms/{id}/rematch", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Room id.")), request_body = RematchBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Re-matched: the proposal, the wait (with why and what would fix it), or the referrals.", body = RematchOut),
        (status = 403, description = "`forbidden`: a member who did not answer no at their latest check-in.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict` on `confirm` (not confirmed; the message says what would happen), or the room is not active or paused (the message names its state).", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `note` or `person`.", body = ErrorBody),
    ))]
pub async fn start_rematch(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RematchBody>,
) -> Result<Json<RematchOut>, ApiError> {
    let id: RoomId = parse(&id, "room")?;
    let input = RematchInput {
        confirm: body.confirm,
        note: body.note,
        person: body.person,
    };
    Ok(Json(s.app.start_rematch(&actor, id, &input).await?.into()))
}

/// Where a re-match from this room stands for the caller
///
/// For the person re-matched from the room: the room proposed now, or
/// (peers and circles) the ranked referrals to pick from.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/rematch", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "The old room's id.")), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Where it stands.", body = RematchOut),
        (status = 404, description = "`not_found`: no such room for the caller, or no re-match from it for them.", body = ErrorBody),
    ))]
pub async fn get_rematch(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<RematchOut>, ApiError> {
    let id: RoomId = parse(&id, "room")?;
    Ok(Json(s.app.rematch_referrals(&actor, id).await?.into()))
}

/// Picks a referral.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct PickBody {
    /// The person id of someone on the caller's referral list.
    #[schema(required = true)]
    pub person_id: String,
}

/// The room proposed.
#[derive(Serialize, ToSchema)]
pub struct PickOut {
    /// The proposed room; both answer through `POST /api/v1/rooms/{id}/answer`.
    pub room: uuid::Uuid,
}

/// Pick a peer from the re-match referrals
///
/// For a peer re-matched from the room: proposes a room with the person
/// picked, which both answer as usual. Circles are formed by the
/// programme's matching run instead (409).
#[utoipa::path(post, path = "/api/v1/rooms/{id}/rematch/pick", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "The old room's id.")), request_body = PickBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Proposed.", body = PickOut),
        (status = 404, description = "`not_found`: no such room for the caller, or no re-match from it for them.", body = ErrorBody),
        (status = 409, description = "`conflict` on `person_id`: no longer on the list; or a circle.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `person_id`.", body = ErrorBody),
    ))]
pub async fn pick_referral(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PickBody>,
) -> Result<Json<PickOut>, ApiError> {
    let id: RoomId = parse(&id, "room")?;
    let room = s.app.pick_referral(&actor, id, &body.person_id).await?;
    Ok(Json(PickOut { room: room.0 }))
}

/// One of the caller's notes in the old room.
#[derive(Serialize, ToSchema)]
pub struct CarryNoteOut {
    /// Note id.
    pub id: uuid::Uuid,
    /// `private` or `room`.
    pub visibility: String,
    /// Markdown source.
    pub body: String,
    /// Written (Unix ms).
    pub created_at: i64,
    /// Already copied to the new room.
    pub copied: bool,
}

/// The carry-over step.
#[derive(Serialize, ToSchema)]
pub struct CarryOverOut {
    /// The old room.
    pub from_room: uuid::Uuid,
    /// The new room copies go to; none until it opens.
    pub to_room: Option<uuid::Uuid>,
    /// The caller's notes in the old room, newest first.
    pub notes: Vec<CarryNoteOut>,
}

impl From<CarryOver> for CarryOverOut {
    fn from(c: CarryOver) -> Self {
        Self {
            from_room: c.from_room.0,
            to_room: c.to_room.map(|r| r.0),
            notes: c
                .notes
                .into_iter()
                .map(|n| CarryNoteOut {
                    id: n.note.record.id.0,
                    visibility: n.note.record.visibility.code().into(),
                    body: n.note.record.body,
                    created_at: n.note.record.created_at,
                    copied: n.copied,
                })
                .collect(),
        }
    }
}

/// The caller's notes they may carry over after a re-match
///
/// For the person re-matched from the room, during its 30-day grace
/// period: their own notes (private and shared) and whether each was copied.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/carry-over", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "The old room's id.")), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The notes.", body = CarryOverOut),
        (status = 404, description = "`not_found`: no such room for the caller, or no re-match from it for them.", body = ErrorBody),
        (status = 409, description = "`conflict`: the grace period has passed.", body = ErrorBody),
    ))]
pub async fn get_carry_over(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<CarryOverOut>, ApiError> {
    let id: RoomId = parse(&id, "room")?;
    Ok(Json(s.app.carry_over(&actor, id).await?.into()))
}

/// Copies one note.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct CarryBody {
    /// The id of one of the caller's notes in the old room.
    #[schema(required = true)]
    pub note_id: String,
}

/// The copy.
#[derive(Serialize, ToSchema)]
pub struct CarryOut {
    /// The copy's note id, in the new room.
    pub note: uuid::Uuid,
}

/// Copy one note to the new room
///
/// One note at a time, by the author's choice; its visibility is kept.
#[utoipa::path(post, path = "/api/v1/rooms/{id}/carry-over", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "The old room's id.")), request_body = CarryBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Copied.", body = CarryOut),
        (status = 404, description = "`not_found`: no such room or note for the caller, or no re-match from it for them.", body = ErrorBody),
        (status = 409, description = "`conflict`: the new room is not open yet, the note was already copied (`note_id`), or the grace period has passed.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `note_id`.", body = ErrorBody),
    ))]
pub async fn carry_note(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CarryBody>,
) -> Result<Json<CarryOut>, ApiError> {
    let id: RoomId = parse(&id, "room")?;
    let copy = s.app.carry_note(&actor, id, &body.note_id).await?;
    Ok(Json(CarryOut { note: copy.0 }))
}
