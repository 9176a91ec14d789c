//! Rooms: reading one, answering a proposal, and the caller's list.

use super::health::ReasonOut;
use super::programmes::parse;
use super::{paged_json, ApiJson, ApiQuery};
use crate::auth::{ApiActor, ApiCaller};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use rapport_app::lists::ListQuery;
use rapport_app::room_life::{RoomListQuery, RoomSummary, StatusChange};
use rapport_app::rooms::RoomView;
use rapport_app::AppError;
use rapport_domain::health::Health;
use rapport_domain::RoomId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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
    /// When it was proposed (Unix ms).
    pub proposed_at: i64,
    /// When it first became active (Unix ms).
    pub started_at: Option<i64>,
    /// When its current pause began (Unix ms); none unless paused.
    pub paused_at: Option<i64>,
    /// When it completed or ended (Unix ms).
    pub ended_at: Option<i64>,
    /// Why it ended early: `declined`, `goals_met`, `fit`, `time`,
    /// `left_organisation`, `inactive`, `conduct` or `other`.
    pub end_reason: Option<String>,
    /// The note given with the end (Markdown).
    pub end_note: Option<String>,
    /// The member whose completion proposal waits for (or got) confirmation.
    pub completion_proposed_by: Option<uuid::Uuid>,
    /// When completion was proposed (Unix ms).
    pub completion_proposed_at: Option<i64>,
    /// Members, mentors first.
    pub members: Vec<MemberOut>,
    /// Why it was proposed: member-safe for members, in full for managers.
    #[schema(value_type = Option<Object>)]
    pub explanation: Option<serde_json::Value>,
    /// Rooms a no-fault re-match from this room proposed, oldest first.
    /// Shown to the person re-matched and the programme's managers; empty
    /// for everyone else.
    pub rematched_to: Vec<uuid::Uuid>,
    /// The room this one was proposed from by a no-fault re-match. Shown to
    /// the person re-matched and the programme's managers; null otherwise.
    pub rematched_from: Option<uuid::Uuid>,
}

impl From<RoomView> for RoomOut {
    fn from(v: RoomView) -> Self {
        Self {
            id: v.room.id.0,
            programme: v.programme_slug,
            status: v.room.status.code().into(),
            proposed_at: v.room.created_at,
            started_at: v.room.started_at,
            paused_at: v.room.paused_at,
            ended_at: v.room.ended_at,
            end_reason: v.room.end_reason.map(|r| r.code().to_string()),
            end_note: v.room.end_note,
            completion_proposed_by: v.room.completion_proposed_by.map(|p| p.0),
            completion_proposed_at: v.room.completion_proposed_at,
            members: v.room.members.into_iter().map(MemberOut::from).collect(),
            explanation: v.explanation.and_then(|e| serde_json::to_value(e).ok()),
            rematched_to: v.rematch.to.iter().map(|r| r.0).collect(),
            rematched_from: v.rematch.from.map(|r| r.0),
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
    /// The start of the next scheduled session (Unix ms).
    pub next_session_at: Option<i64>,
    /// What the room waits for, in the caller's words (your answer to the
    /// proposal, your confirmation of completion, the other side's ...).
    pub waiting_for: Option<String>,
    /// The room's health as the caller may see it: the reasons that do not
    /// come from the rapport pulse and those from the caller's own answers,
    /// and the level those give (active and paused rooms, once assessed).
    pub health: Option<ListHealthOut>,
    /// How many sessions were held.
    pub sessions_held: i64,
    /// How many sessions the relationship expects in all, when known.
    pub sessions_expected: Option<i64>,
}

/// List my rooms
///
/// Newest first, one page at a time: the first page needs no cursor, and the
/// next page is in the `Link` header (`rel="next"`).
#[utoipa::path(get, path = "/api/v1/rooms", tag = "programmes", params(CursorParams), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of the caller's rooms, newest first.", body = Vec<MyRoomOut>,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 422, description = "`invalid_field`: `limit` is not 1 to 100, or `cursor` is not one Rapport made.", body = ErrorBody),
    ))]
pub async fn list_rooms(
    State(s): State<AppState>,
    caller: ApiCaller,
    ApiQuery(params): ApiQuery<CursorParams>,
) -> Result<Response, ApiError> {
    let query = params.query();
    let page = s
        .app
        .my_room_summaries_page_for(caller.reader(), &query)
        .await;
    let page = page.map_err(|e| caller.refused(e))?;
    let (_, limit) = query.window()?;
    Ok(paged_json(&s, "/api/v1/rooms", limit, page, |rooms| {
        rooms
            .into_iter()
            .map(|r| MyRoomOut {
                id: r.room.id.0,
                programme: r.programme,
                status: r.room.status.code().into(),
                members: r.room.members.into_iter().map(MemberOut::from).collect(),
                next_session_at: r.sessions.next_scheduled,
                waiting_for: r.waiting,
                health: r.health.map(ListHealthOut::from),
                sessions_held: r.sessions.held,
                sessions_expected: r.terms.expected_sessions,
            })
            .collect::<Vec<_>>()
    }))
}

/// A move asked of a room.
#[derive(Deserialize, ToSchema)]
pub struct StatusBody {
    /// `pause`, `resume`, `propose_completion`, `confirm_completion`,
    /// `complete` (managers), `end` or `leave` (groups and circles).
    pub action: String,
    /// Why it ends (required with `end`, optional with `leave`): `goals_met`,
    /// `fit`, `time`, `left_organisation`, `inactive`, `conduct` or `other`.
    #[serde(default)]
    pub reason: Option<String>,
    /// Optional note (Markdown, at most 2,000 characters), kept in the history.
    #[serde(default)]
    pub note: Option<String>,
}

/// Move a room: pause, resume, complete, end or leave
///
/// In a pair either member pauses or resumes, one member proposes completion
/// and the other confirms; in a group with a mentor or facilitator, they do.
/// A manager of the programme completes or ends a room alone. A member of a
/// group or circle leaves it; the room carries on while it still has what
/// its kind needs. Ending or completing frees the mentor's seat at once.
/// Answers the room as it is after the move.
#[utoipa::path(post, path = "/api/v1/rooms/{id}/status", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Room id.")), request_body = StatusBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Moved.", body = RoomOut),
        (status = 403, description = "`forbidden`: the caller may not make this move (the message says who may).", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: the room's state forbids the move (the message names the state), or it changed meanwhile.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `action`, `reason` or `note`.", body = ErrorBody),
    ))]
pub async fn move_room(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StatusBody>,
) -> Result<Json<RoomOut>, ApiError> {
    let id: RoomId = parse(&id, "room")?;
    let change = StatusChange {
        action: body.action,
        reason: body.reason,
        note: body.note,
    };
    s.app.move_room(&actor, id, &change).await?;
    Ok(Json(s.app.room(&actor, id).await?.into()))
}

/// Which page of a list: `cursor` (from the `Link` header) and `limit`.
#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct CursorParams {
    /// Where to continue: the opaque cursor from the `Link` header of the
    /// previous answer.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 50).
    pub limit: Option<i64>,
}

impl CursorParams {
    fn query(self) -> ListQuery {
        ListQuery {
            page: None,
            cursor: self.cursor,
            limit: self.limit,
        }
    }
}

/// One move in a room's history.
#[derive(Serialize, ToSchema)]
pub struct RoomEventOut {
    /// Event id.
    pub id: uuid::Uuid,
    /// `propose`, `accept`, `decline`, `activate`, `pause`, `resume`,
    /// `propose_completion`, `confirm_completion`, `complete`, `end` or `leave`.
    pub action: String,
    /// Who made it; none for the system or a deleted account.
    pub actor_id: Option<uuid::Uuid>,
    /// Their name, when they still have an account.
    pub actor_name: Option<String>,
    /// The room's status before (none for the proposal itself).
    pub from: Option<String>,
    /// The room's status after.
    pub to: String,
    /// The end reason code, for an early end.
    pub reason: Option<String>,
    /// The note given (Markdown).
    pub note: Option<String>,
    /// When (Unix ms).
    pub created_at: i64,
}

/// A page of a room's history.
#[derive(Serialize, ToSchema)]
pub struct HistoryOut {
    /// Moves, newest first.
    pub events: Vec<RoomEventOut>,
}

/// Read a room's history
///
/// Every move with who made it and when, newest first; the next page is in
/// the `Link` header.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/history", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Room id."), CursorParams), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of moves.", body = HistoryOut,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `limit` is not 1 to 100, or `cursor` is not one Rapport made.", body = ErrorBody),
    ))]
pub async fn room_history(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<CursorParams>,
) -> Result<Response, ApiError> {
    let id: RoomId = parse(&id, "room")?;
    let query = params.query();
    let page = s.app.room_history(&actor, id, &query).await?;
    let (_, limit) = query.window()?;
    Ok(paged_json(
        &s,
        &format!("/api/v1/rooms/{id}/history"),
        limit,
        page,
        |items| HistoryOut {
            events: items
                .into_iter()
                .map(|e| RoomEventOut {
                    id: e.id,
                    action: e.action.code().into(),
                    actor_id: e.actor_id.map(|a| a.0),
                    actor_name: e.actor_name,
                    from: e.from.map(|f| f.code().into()),
                    to: e.to.code().into(),
                    reason: e.reason.map(|r| r.code().into()),
                    note: e.note,
                    created_at: e.created_at,
                })
                .collect(),
        },
    ))
}

/// A room's health in a list: its level and the reasons the caller may see.
#[derive(Serialize, ToSchema)]
pub struct ListHealthOut {
    /// `healthy`, `needs_attention` or `at_risk`.
    pub level: String,
    /// Every reason the caller may see, worst first (managers see all).
    pub reasons: Vec<ReasonOut>,
    /// One concrete next step, when something needs doing.
    pub next_step: Option<String>,
}

impl From<Health> for ListHealthOut {
    fn from(h: Health) -> Self {
        Self {
            level: h.level.code().into(),
            next_step: h.next_step().map(str::to_string),
            reasons: h.reasons.iter().map(ReasonOut::from).collect(),
        }
    }
}

/// A room in a programme's list.
#[derive(Serialize, ToSchema)]
pub struct ProgrammeRoomOut {
    /// Room id.
    pub id: uuid::Uuid,
    /// Status.
    pub status: String,
    /// Members, mentors first.
    pub members: Vec<MemberOut>,
    /// When it was proposed (Unix ms).
    pub proposed_at: i64,
    /// When it first became active (Unix ms).
    pub started_at: Option<i64>,
    /// When it completed or ended (Unix ms).
    pub ended_at: Option<i64>,
    /// The end reason code, when it ended early.
    pub end_reason: Option<String>,
    /// Its stored health with every reason (active and paused rooms, once
    /// assessed; assessed when something happens in the room and daily).
    pub health: Option<ListHealthOut>,
    /// The start of the last held session (Unix ms).
    pub last_session_at: Option<i64>,
    /// The start of the next scheduled session (Unix ms).
    pub next_session_at: Option<i64>,
    /// How many sessions were held.
    pub sessions_held: i64,
    /// How many sessions the relationship expects in all, from the agreed
    /// duration and cadence (the programme's cadence and end before an
    /// agreement); none when no end is known.
    pub sessions_expected: Option<i64>,
    /// The cadence in force: `weekly`, `every_two_weeks` or `monthly`.
    pub cadence: String,
    /// Whether the cadence and duration come from the room's agreement
    /// (false: the programme's, as no agreement exists yet).
    pub agreed: bool,
}

impl From<RoomSummary> for ProgrammeRoomOut {
    fn from(r: RoomSummary) -> Self {
        Self {
            id: r.room.id.0,
            status: r.room.status.code().into(),
            proposed_at: r.room.created_at,
            started_at: r.room.started_at,
            ended_at: r.room.ended_at,
            end_reason: r.room.end_reason.map(|e| e.code().into()),
            members: r.room.members.into_iter().map(MemberOut::from).collect(),
            health: r.health.map(ListHealthOut::from),
            last_session_at: r.sessions.last_held,
            next_session_at: r.sessions.next_scheduled,
            sessions_held: r.sessions.held,
            sessions_expected: r.terms.expected_sessions,
            cadence: r.terms.cadence.code().into(),
            agreed: r.terms.from_agreement,
        }
    }
}

/// A page of a programme's rooms.
#[derive(Serialize, ToSchema)]
pub struct ProgrammeRoomsOut {
    /// Rooms, worst health first (at risk, needs attention, healthy, then
    /// rooms not assessed), newest first within a level.
    pub rooms: Vec<ProgrammeRoomOut>,
}

/// Which page, and which rooms, of a programme's list.
#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeRoomsParams {
    /// Where to continue: the opaque cursor from the `Link` header of the
    /// previous answer.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 50).
    pub limit: Option<i64>,
    /// Only rooms in this status: `proposed`, `active`, `paused`,
    /// `completed` or `ended_early`.
    pub status: Option<String>,
    /// Only open rooms at this health: `at_risk`, `needs_attention` or `healthy`.
    pub health: Option<String>,
}

/// List a programme's rooms, worst health first (managers)
///
/// Each room's status and health with every reason, members, start and end,
/// last and next session, and sessions held against the agreed number.
/// Sorted at risk, needs attention, healthy, then rooms not assessed
/// (proposed, completed, ended), newest first within each; filter with
/// `status` and `health`. The next page is in the `Link` header, which keeps
/// the filters.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/rooms", tag = "programmes", params(("slug" = String, Path, description = "Programme slug."), ProgrammeRoomsParams), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of rooms.", body = ProgrammeRoomsOut,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 403, description = "`forbidden`: managers of the programme only.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `limit` is not 1 to 100, `cursor` is not one Rapport made, or `status` or `health` is not a known code.", body = ErrorBody),
    ))]
pub async fn programme_rooms(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiQuery(params): ApiQuery<ProgrammeRoomsParams>,
) -> Result<Response, ApiError> {
    let query = ListQuery {
        page: None,
        cursor: params.cursor,
        limit: params.limit,
    };
    let filter = RoomListQuery {
        status: params.status,
        health: params.health,
    };
    let page = s
        .app
        .programme_rooms(&actor, &slug, &query, &filter)
        .await?;
    let (_, limit) = query.window()?;
    // Codes were checked above, so they need no escaping.
    let checked = filter.filter()?;
    let mut path = format!("/api/v1/programmes/{slug}/rooms");
    let mut sep = '?';
    if let Some(st) = checked.status {
        path.push_str(&format!("{sep}status={}", st.code()));
        sep = '&';
    }
    if let Some(l) = checked.level {
        path.push_str(&format!("{sep}health={}", l.code()));
    }
    Ok(paged_json(&s, &path, limit, page, |items| {
        ProgrammeRoomsOut {
            rooms: items.into_iter().map(ProgrammeRoomOut::from).collect(),
        }
    }))
}

/// Confirms completing every open room.
#[derive(Deserialize, ToSchema)]
pub struct CompleteAllBody {
    /// Must be `true`; without it nothing changes and the answer (409) says
    /// how many rooms would complete.
    #[serde(default)]
    pub confirm: bool,
}

/// How many rooms completed.
#[derive(Serialize, ToSchema)]
pub struct CompleteAllOut {
    /// Rooms completed.
    pub completed: usize,
}

/// Complete every active and paused room of a programme (managers)
///
/// As a programme ends: one transaction, and every member of each room is
/// told and asked for the closure survey. Requires `{"confirm": true}`;
/// without it, 409 says how many rooms it would complete.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/rooms/complete", tag = "programmes", params(("slug" = String, Path, description = "Programme slug.")), request_body = CompleteAllBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Completed.", body = CompleteAllOut),
        (status = 403, description = "`forbidden`: managers of the programme only.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict` on `confirm`: not confirmed; the message says how many rooms would complete.", body = ErrorBody),
    ))]
pub async fn complete_programme_rooms(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<CompleteAllBody>,
) -> Result<Json<CompleteAllOut>, ApiError> {
    let completed = s
        .app
        .complete_programme_rooms(&actor, &slug, body.confirm)
        .await?;
    Ok(Json(CompleteAllOut { completed }))
}
