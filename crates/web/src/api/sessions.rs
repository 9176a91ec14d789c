//! Sessions: proposing, suggested times, reading and editing, rescheduling,
//! status with attendance, action items and blind feedback.
//!
//! Times go out as RFC 3339 UTC instants with the organiser's IANA zone
//! (`zone`), and as `local`: the time in the caller's own zone, named.

use super::programmes::parse;
use super::{paged_json, ApiJson, ApiQuery, Created};
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use rapport_app::lists::ListQuery;
use rapport_app::sessions::{
    ActionItemInput, ScheduleInput, SessionEdit, SessionView, StartInput, StatusInput,
};
use rapport_app::AppError;
use rapport_domain::values::TimeZoneName;
use rapport_domain::{ActionItemId, RoomId, SessionId};
use rapport_store::{ActionItemRecord, SessionRecord};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// A session in a list.
#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    /// Id.
    pub id: uuid::Uuid,
    /// Its room.
    pub room_id: uuid::Uuid,
    /// The series it repeats in, if any.
    pub series_id: Option<uuid::Uuid>,
    /// Who proposed it.
    pub organiser_id: Option<uuid::Uuid>,
    /// Start, RFC 3339 in UTC.
    pub starts_at: String,
    /// End, RFC 3339 in UTC.
    pub ends_at: String,
    /// The start in the caller's zone, with the zone named.
    pub local: String,
    /// Length in minutes.
    pub minutes: i32,
    /// The organiser's IANA zone.
    pub zone: String,
    /// Agenda (Markdown).
    pub agenda: String,
    /// Online link.
    pub link: Option<String>,
    /// Place.
    pub place: Option<String>,
    /// `scheduled`, `held`, `cancelled` or `missed`.
    pub status: String,
    /// Who cancelled it.
    pub cancelled_by: Option<uuid::Uuid>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// The iCalendar UID (fixed for ever).
    pub uid: String,
    /// The iCalendar SEQUENCE.
    pub sequence: i32,
}

fn session_out(s: SessionRecord, viewer: &TimeZoneName) -> SessionOut {
    SessionOut {
        id: s.id.0,
        room_id: s.room_id.0,
        series_id: s.series_id.map(|x| x.0),
        organiser_id: s.organiser_id.map(|x| x.0),
        starts_at: rfc3339(s.starts_at),
        ends_at: rfc3339(s.ends_at()),
        local: viewer.local(s.starts_at),
        minutes: s.minutes,
        zone: s.zone.to_string(),
        agenda: s.agenda,
        link: s.link,
        place: s.place,
        status: s.status.code().into(),
        cancelled_by: s.cancelled_by.map(|x| x.0),
        cancel_reason: s.cancel_reason,
        uid: s.uid,
        sequence: s.sequence,
    }
}

/// An action item.
#[derive(Serialize, ToSchema)]
pub struct ActionItemOut {
    /// Id.
    pub id: uuid::Uuid,
    /// The session it was written in.
    pub session_id: uuid::Uuid,
    /// Who does it.
    pub owner_id: Option<uuid::Uuid>,
    /// What to do.
    pub title: String,
    /// Due date, `YYYY-MM-DD`.
    pub due_on: Option<String>,
    /// Done or not.
    pub done: bool,
    /// When it was done, RFC 3339.
    pub done_at: Option<String>,
}

impl From<ActionItemRecord> for ActionItemOut {
    fn from(a: ActionItemRecord) -> Self {
        Self {
            id: a.id.0,
            session_id: a.session_id.0,
            owner_id: a.owner_id.map(|x| x.0),
            title: a.title,
            due_on: a.due_on.map(|d| d.format("%Y-%m-%d").to_string()),
            done: a.done_at.is_some(),
            done_at: a.done_at.map(rfc3339),
        }
    }
}

/// One member's feedback.
#[derive(Serialize, ToSchema)]
pub struct FeedbackOut {
    /// Who gave it.
    pub person_id: uuid::Uuid,
    /// 1 to 4.
    pub rating: i32,
    /// Comment.
    pub comment: String,
}

/// An open proposal to move a session.
#[derive(Serialize, ToSchema)]
pub struct RescheduleOut {
    /// Id.
    pub id: uuid::Uuid,
    /// Who proposed it.
    pub proposed_by: Option<uuid::Uuid>,
    /// The proposed start, RFC 3339 in UTC.
    pub starts_at: String,
    /// The proposed start in the caller's zone.
    pub local: String,
    /// Who accepted so far.
    pub accepted_by: Vec<uuid::Uuid>,
}

/// One session with everything the caller may read about it.
#[derive(Serialize, ToSchema)]
pub struct SessionDetailOut {
    /// The session.
    pub session: SessionOut,
    /// Shared notes (Markdown); absent for a manager of a programme that
    /// keeps notes to the room's members.
    pub notes: Option<String>,
    /// Attendance of a held session: person id → `attended`, `late` or `no_show`.
    pub attendance: BTreeMap<String, String>,
    /// Action items written in this session.
    pub action_items: Vec<ActionItemOut>,
    /// Open action items of earlier sessions, carried over.
    pub carried_over: Vec<ActionItemOut>,
    /// The open proposal to move it.
    pub reschedule: Option<RescheduleOut>,
    /// Feedback: the caller's own; a manager sees everyone's.
    pub feedback: Vec<FeedbackOut>,
    /// The caller may give feedback now.
    pub can_give_feedback: bool,
    /// The programme's rule: more than this many minutes late counts as late.
    pub late_after_minutes: u32,
}

fn detail_out(v: SessionView, viewer: &TimeZoneName) -> SessionDetailOut {
    SessionDetailOut {
        notes: v.notes,
        attendance: v
            .attendance
            .into_iter()
            .map(|(p, a)| (p.to_string(), a.code().to_string()))
            .collect(),
        action_items: v.items.into_iter().map(ActionItemOut::from).collect(),
        carried_over: v.carried.into_iter().map(ActionItemOut::from).collect(),
        reschedule: v.reschedule.map(|r| RescheduleOut {
            id: r.id.0,
            proposed_by: r.proposed_by.map(|x| x.0),
            starts_at: rfc3339(r.starts_at),
            local: viewer.local(r.starts_at),
            accepted_by: r
                .answers
                .iter()
                .filter(|(_, yes)| *yes)
                .map(|(p, _)| p.0)
                .collect(),
        }),
        feedback: v
            .feedback
            .into_iter()
            .map(|f| FeedbackOut {
                person_id: f.person_id.0,
                rating: f.rating,
                comment: f.comment,
            })
            .collect(),
        can_give_feedback: v.can_give_feedback,
        late_after_minutes: v.late_after_minutes,
        session: session_out(v.session, viewer),
    }
}

/// Which page of a room's sessions.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionListParams {
    /// A cursor from a previous answer's `Link` header.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 50).
    pub limit: Option<i64>,
    /// 1-based page number (instead of a cursor).
    pub page: Option<i64>,
}

/// List a room's sessions
///
/// The room's sessions, latest start first, for its members and the
/// programme's managers; the next page is in the `Link` header.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/sessions", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Room id."), SessionListParams), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of sessions.", body = Vec<SessionOut>,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `limit` is not 1 to 100, `page` is out of range, or `cursor` is not one Rapport made (or came with `page`).", body = ErrorBody),
    ))]
pub async fn list_room_sessions(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<SessionListParams>,
) -> Result<Response, ApiError> {
    let id: RoomId = parse(&id, "room")?;
    let query = ListQuery {
        page: params.page,
        cursor: params.cursor,
        limit: params.limit,
    };
    let zone = s.app.time_zone_of(actor.person_id).await?;
    let page = s.app.room_sessions_page(&actor, id, &query).await?;
    let (_, limit) = query.window()?;
    Ok(paged_json(
        &s,
        &format!("/api/v1/rooms/{id}/sessions"),
        limit,
        page,
        |items| {
            items
                .into_iter()
                .map(|x| session_out(x, &zone))
                .collect::<Vec<_>>()
        },
    ))
}

/// A proposed session. Give the start either as `starts_at` (an RFC 3339
/// instant) or as a local `date` and `time` in `zone`; `zone` defaults to
/// the caller's profile zone and is the zone a series keeps its local time in.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ScheduleBody {
    /// RFC 3339 start, e.g. `2026-12-08T14:30:00Z`.
    pub starts_at: Option<String>,
    /// Local date `YYYY-MM-DD` (with `time`).
    pub date: Option<String>,
    /// Local time `HH:MM` (with `date`).
    pub time: Option<String>,
    /// IANA zone, e.g. `Europe/Lisbon`.
    pub zone: Option<String>,
    /// Length in minutes, 1 to 1440.
    pub minutes: i64,
    /// Agenda (Markdown).
    pub agenda: String,
    /// Online link (http or https).
    pub link: String,
    /// Place.
    pub place: String,
    /// `weekly`, `every_two_weeks` or `monthly` to repeat; empty for a one-off.
    pub repeat: String,
    /// Occurrences of a repeating session, 2 to 52.
    pub occurrences: i64,
}

/// The sessions just created.
#[derive(Serialize, ToSchema)]
pub struct ScheduledOut {
    /// Their ids, earliest first.
    pub ids: Vec<uuid::Uuid>,
}

/// Propose a session or a series (members)
#[utoipa::path(post, path = "/api/v1/rooms/{id}/sessions", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Room id.")), request_body = ScheduleBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "Scheduled.", body = ScheduledOut),
        (status = 403, description = "`forbidden`: a manager who is not a member.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: the room is not active or paused.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `starts_at`, `date`, `time`, `zone`, `minutes`, `link`, `place`, `agenda`, `repeat` or `occurrences`.", body = ErrorBody),
    ))]
pub async fn create_room_session(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ScheduleBody>,
) -> Result<(StatusCode, Json<ScheduledOut>), ApiError> {
    let id: RoomId = parse(&id, "room")?;
    let input = ScheduleInput {
        start: StartInput {
            starts_at: b.starts_at,
            date: b.date,
            time: b.time,
            zone: b.zone,
        },
        minutes: b.minutes,
        agenda: b.agenda,
        link: b.link,
        place: b.place,
        repeat: b.repeat,
        occurrences: b.occurrences,
    };
    let ids = s.app.schedule_session(&actor, id, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(ScheduledOut {
            ids: ids.into_iter().map(|i| i.0).collect(),
        }),
    ))
}

/// Parameters of the suggested-times search.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestParams {
    /// Length in minutes (default 60).
    pub minutes: Option<i64>,
    /// How many times (1 to 20, default 5).
    pub limit: Option<i64>,
}

/// A suggested start.
#[derive(Serialize, ToSchema)]
pub struct SuggestedOut {
    /// RFC 3339 in UTC.
    pub starts_at: String,
    /// In the caller's zone, with the zone named.
    pub local: String,
}

/// Suggested times.
#[derive(Serialize, ToSchema)]
pub struct SuggestionsOut {
    /// The caller's zone, in which `local` is written.
    pub zone: String,
    /// The next times every member who set weekly availability is free.
    pub times: Vec<SuggestedOut>,
    /// Members who have not set weekly availability.
    pub without_availability: Vec<String>,
}

/// Suggest times from the members' weekly availability
///
/// Looks two weeks ahead for times when every member who set weekly
/// availability (each in their own zone) is free, avoiding the room's
/// scheduled sessions.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/suggested-times", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Room id."), SuggestParams), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Suggested times.", body = SuggestionsOut),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `minutes` or `limit`.", body = ErrorBody),
    ))]
pub async fn suggested_times(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<SuggestParams>,
) -> Result<Json<SuggestionsOut>, ApiError> {
    let id: RoomId = parse(&id, "room")?;
    let found = s
        .app
        .suggested_times(&actor, id, q.minutes.unwrap_or(60), q.limit.unwrap_or(5))
        .await?;
    Ok(Json(SuggestionsOut {
        zone: found.zone.to_string(),
        times: found
            .times
            .into_iter()
            .map(|t| SuggestedOut {
                starts_at: rfc3339(t.starts_at),
                local: t.local,
            })
            .collect(),
        without_availability: found.without_availability,
    }))
}

/// Read a session
///
/// With its notes, action items (and those carried over from earlier
/// sessions), the open proposal to move it, and feedback: a member sees
/// only their own, the programme's managers see everyone's.
#[utoipa::path(get, path = "/api/v1/sessions/{id}", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Session id.")), security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "The session.", body = SessionDetailOut), (status = 404, description = "`not_found`.", body = ErrorBody)))]
pub async fn get_session(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<SessionDetailOut>, ApiError> {
    let id: SessionId = parse(&id, "session")?;
    let zone = s.app.time_zone_of(actor.person_id).await?;
    Ok(Json(detail_out(s.app.session(&actor, id).await?, &zone)))
}

/// Changes to a session; fields left out stay as they are.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct SessionEditBody {
    /// Length in minutes (scheduled sessions).
    pub minutes: Option<i64>,
    /// Agenda, Markdown (scheduled sessions).
    pub agenda: Option<String>,
    /// Online link; empty removes it (scheduled sessions).
    pub link: Option<String>,
    /// Place; empty removes it (scheduled sessions).
    pub place: Option<String>,
    /// Shared notes, Markdown (any time).
    pub notes: Option<String>,
}

/// Edit a session's details or shared notes (members)
///
/// Details change while the session is scheduled (calendars see the change);
/// notes change at any time. To move it, propose a new time.
#[utoipa::path(put, path = "/api/v1/sessions/{id}", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Session id.")), request_body = SessionEditBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Saved; the session as it is now.", body = SessionDetailOut),
        (status = 403, description = "`forbidden`: a manager who is not a member.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: the room is not open, or the session is no longer scheduled.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `minutes`, `agenda`, `link`, `place` or `notes`.", body = ErrorBody),
    ))]
pub async fn update_session(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SessionEditBody>,
) -> Result<Json<SessionDetailOut>, ApiError> {
    let id: SessionId = parse(&id, "session")?;
    let edit = SessionEdit {
        minutes: b.minutes,
        agenda: b.agenda,
        link: b.link,
        place: b.place,
        notes: b.notes,
    };
    s.app.edit_session(&actor, id, &edit).await?;
    let zone = s.app.time_zone_of(actor.person_id).await?;
    Ok(Json(detail_out(s.app.session(&actor, id).await?, &zone)))
}

/// A proposed new time: `starts_at` (RFC 3339), or `date` and `time` in
/// `zone` (default: the caller's profile zone).
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct RescheduleBody {
    /// RFC 3339 start.
    pub starts_at: Option<String>,
    /// Local date `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Local time `HH:MM`.
    pub time: Option<String>,
    /// IANA zone.
    pub zone: Option<String>,
}

/// Propose a new time for a session (members)
///
/// The other members accept or decline; one open proposal per session.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/reschedule", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Session id.")), request_body = RescheduleBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "Proposed.", body = Created),
        (status = 403, description = "`forbidden`: a manager who is not a member.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: a proposal is already open, the session is not scheduled, or the room is not open.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `starts_at`, `date`, `time` or `zone`.", body = ErrorBody),
    ))]
pub async fn reschedule_session(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RescheduleBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id: SessionId = parse(&id, "session")?;
    let start = StartInput {
        starts_at: b.starts_at,
        date: b.date,
        time: b.time,
        zone: b.zone,
    };
    let r = s.app.propose_reschedule(&actor, id, &start).await?;
    Ok((StatusCode::CREATED, Json(Created { id: r.0 })))
}

/// An answer to the open proposal.
#[derive(Deserialize, ToSchema)]
pub struct RescheduleAnswerBody {
    /// `accept` or `decline`.
    pub answer: String,
}

/// Where the proposal stands after an answer.
#[derive(Serialize, ToSchema)]
pub struct RescheduleAnswerOut {
    /// `open` (others still to answer), `accepted` (the session moved) or `declined`.
    pub status: String,
}

/// Accept or decline a proposed new time (members)
#[utoipa::path(post, path = "/api/v1/sessions/{id}/reschedule/answer", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Session id.")), request_body = RescheduleAnswerBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Answered.", body = RescheduleAnswerOut),
        (status = 403, description = "`forbidden`: a manager who is not a member.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: no open proposal, the caller proposed it, or the room is not open.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `answer`.", body = ErrorBody),
    ))]
pub async fn answer_reschedule(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RescheduleAnswerBody>,
) -> Result<Json<RescheduleAnswerOut>, ApiError> {
    let id: SessionId = parse(&id, "session")?;
    let accept = match b.answer.trim() {
        "accept" => true,
        "decline" => false,
        _ => return Err(AppError::invalid("answer", "answer accept or decline").into()),
    };
    let status = s.app.answer_reschedule(&actor, id, accept).await?;
    Ok(Json(RescheduleAnswerOut {
        status: status.code().into(),
    }))
}

/// A move to held, cancelled or missed.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct StatusBody {
    /// `held`, `cancelled` or `missed`.
    pub status: String,
    /// For `held`: every current member's id → `attended`, `late` or `no_show`.
    pub attendance: BTreeMap<String, String>,
    /// For `cancelled`: why (required).
    pub reason: String,
}

/// The session's status now.
#[derive(Serialize, ToSchema)]
pub struct StatusOut {
    /// `held`, `cancelled` or `missed`.
    pub status: String,
}

/// Mark a session held, cancelled or missed (members)
///
/// Only a scheduled session moves. Held takes every member's attendance; a
/// cancelled session has no attendance and needs a reason; held and missed
/// are for sessions that have started.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/status", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Session id.")), request_body = StatusBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Moved.", body = StatusOut),
        (status = 403, description = "`forbidden`: a manager who is not a member.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: the session already moved on or has not started, or the room is not open.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `status`, `attendance` or `reason`.", body = ErrorBody),
    ))]
pub async fn session_status(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<StatusBody>,
) -> Result<Json<StatusOut>, ApiError> {
    let id: SessionId = parse(&id, "session")?;
    let input = StatusInput {
        status: b.status,
        attendance: b.attendance.into_iter().collect(),
        reason: b.reason,
    };
    let status = s.app.set_session_status(&actor, id, &input).await?;
    Ok(Json(StatusOut {
        status: status.code().into(),
    }))
}

/// A session's action items.
#[derive(Serialize, ToSchema)]
pub struct ActionItemsOut {
    /// Written in this session.
    pub items: Vec<ActionItemOut>,
    /// Open items of earlier sessions, carried over until done.
    pub carried_over: Vec<ActionItemOut>,
}

/// List a session's action items
///
/// With the open items of earlier sessions, carried over until done.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/action-items", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Session id.")), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The action items.", body = ActionItemsOut),
        (status = 403, description = "`forbidden`: a manager of a programme that keeps session notes to the members.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
pub async fn list_action_items(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ActionItemsOut>, ApiError> {
    let id: SessionId = parse(&id, "session")?;
    let a = s.app.action_items(&actor, id).await?;
    Ok(Json(ActionItemsOut {
        items: a.items.into_iter().map(ActionItemOut::from).collect(),
        carried_over: a.carried.into_iter().map(ActionItemOut::from).collect(),
    }))
}

/// An action item, or changes to one (fields left out stay).
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ActionItemBody {
    /// What to do (required when adding).
    pub title: Option<String>,
    /// Who does it: a member's id (default: the caller).
    pub owner_id: Option<String>,
    /// Due date `YYYY-MM-DD`; empty for none.
    pub due_on: Option<String>,
    /// Done or not.
    pub done: Option<bool>,
}

impl From<ActionItemBody> for ActionItemInput {
    fn from(b: ActionItemBody) -> Self {
        Self {
            title: b.title,
            owner_id: b.owner_id,
            due_on: b.due_on,
            done: b.done,
        }
    }
}

/// Add an action item to a session (members)
#[utoipa::path(post, path = "/api/v1/sessions/{id}/action-items", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Session id.")), request_body = ActionItemBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "Added.", body = Created),
        (status = 403, description = "`forbidden`: a manager who is not a member.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: the room is not open.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `title`, `owner_id` or `due_on`.", body = ErrorBody),
    ))]
pub async fn create_action_item(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ActionItemBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id: SessionId = parse(&id, "session")?;
    let item = s.app.add_action_item(&actor, id, &b.into()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: item.0 })))
}

/// Change an action item, or mark it done (members)
#[utoipa::path(put, path = "/api/v1/action-items/{id}", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Action item id.")), request_body = ActionItemBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Saved.", body = ActionItemOut),
        (status = 403, description = "`forbidden`: a manager who is not a member.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: the room is not open.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `title`, `owner_id` or `due_on`.", body = ErrorBody),
    ))]
pub async fn update_action_item(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ActionItemBody>,
) -> Result<Json<ActionItemOut>, ApiError> {
    let id: ActionItemId = parse(&id, "action item")?;
    Ok(Json(
        s.app
            .update_action_item(&actor, id, &b.into())
            .await?
            .into(),
    ))
}

/// Feedback on a held session.
#[derive(Deserialize, ToSchema)]
pub struct FeedbackBody {
    /// 1 (poor) to 4 (very good).
    pub rating: i64,
    /// Optional comment.
    #[serde(default)]
    pub comment: String,
}

/// Rate a held session (members, once)
///
/// Blind: the other members never see it; the programme's managers do. Open
/// while the room is open, and for the last held session up to 30 days
/// after the room ended.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/feedback", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Session id.")), request_body = FeedbackBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Saved."),
        (status = 403, description = "`forbidden`: a manager who is not a member.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: already given, the session was not held, or the room ended (more than 30 days ago, or this is not its last held session).", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `rating` or `comment`.", body = ErrorBody),
    ))]
pub async fn give_feedback(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<FeedbackBody>,
) -> Result<StatusCode, ApiError> {
    let id: SessionId = parse(&id, "session")?;
    s.app
        .give_feedback(&actor, id, b.rating, &b.comment)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
