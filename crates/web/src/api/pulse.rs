//! The rapport pulse: a member answers the open check-in and reads their
//! own answers. Nobody else reads them here (managers see them only through
//! the room's health).

use super::programmes::parse;
use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use rapport_app::pulse::{PulseInput, PulseView};
use rapport_domain::RoomId;
use rapport_store::PulseRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A member's answers to the open pulse.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct PulseBody {
    /// "I can be myself in this relationship", 1 to 5.
    pub genuineness: Option<i64>,
    /// "I feel understood", 1 to 5.
    pub empathy: Option<i64>,
    /// "I feel accepted, strengths and flaws alike", 1 to 5.
    pub acceptance: Option<i64>,
    /// "This mentorship is working for me": `yes`, `not_sure` or `no`.
    pub working: Option<String>,
    /// Anything else, in your own words (Markdown, optional, at most 2,000
    /// characters). The programme's managers read it; the other members never do.
    pub comment: String,
}

/// One of the caller's own answers.
#[derive(Serialize, ToSchema)]
pub struct PulseOut {
    /// Id.
    pub id: uuid::Uuid,
    /// Which check-in: 1 is the first.
    pub check_in: u32,
    /// 1 to 5.
    pub genuineness: u8,
    /// 1 to 5.
    pub empathy: u8,
    /// 1 to 5.
    pub acceptance: u8,
    /// `yes`, `not_sure` or `no`.
    pub working: String,
    /// The comment as written (Markdown).
    pub comment: String,
    /// When (Unix ms).
    pub answered_at: i64,
}

impl From<&PulseRecord> for PulseOut {
    fn from(p: &PulseRecord) -> Self {
        Self {
            id: p.id.0,
            check_in: p.round + 1,
            genuineness: p.answers.genuineness.get(),
            empathy: p.answers.empathy.get(),
            acceptance: p.answers.acceptance.get(),
            working: p.answers.working.code().into(),
            comment: p.comment.clone(),
            answered_at: p.answered_at,
        }
    }
}

/// The check-in open now.
#[derive(Serialize, ToSchema)]
pub struct DueOut {
    /// Which check-in: 1 is the first.
    pub check_in: u32,
    /// When it opened (Unix ms).
    pub opened_at: i64,
    /// When it closes, as the next one opens (Unix ms).
    pub closes_at: i64,
}

/// The pulse as the caller sees it.
#[derive(Serialize, ToSchema)]
pub struct PulseStatusOut {
    /// The check-in open now, if any.
    pub due: Option<DueOut>,
    /// The caller answered the open check-in.
    pub answered: bool,
    /// When the next check-in opens (Unix ms); none until a session is held.
    pub next_opens_at: Option<i64>,
    /// The caller's own answers, newest first.
    pub answers: Vec<PulseOut>,
}

impl From<PulseView> for PulseStatusOut {
    fn from(v: PulseView) -> Self {
        Self {
            due: v.due.map(|d| DueOut {
                check_in: d.round + 1,
                opened_at: d.opened_at,
                closes_at: d.closes_at,
            }),
            answered: v.answered,
            next_opens_at: v.next_opens_at,
            answers: v.mine.iter().map(|m| PulseOut::from(&m.record)).collect(),
        }
    }
}

/// Read my rapport pulse (members)
///
/// What is open and the caller's own answers; never anyone else's.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/pulse", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Room id.")), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The open check-in and the caller's own answers.", body = PulseStatusOut),
        (status = 403, description = "`forbidden`: a manager who is not a member (managers read the pulse through the room's health).", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
pub async fn get_pulse(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<PulseStatusOut>, ApiError> {
    let id: RoomId = parse(&id, "room")?;
    Ok(Json(s.app.my_pulse(&actor, id).await?.into()))
}

/// Answer the rapport pulse (members)
///
/// Answers the check-in that is open, once. It never blocks anything else in
/// the room.
#[utoipa::path(post, path = "/api/v1/rooms/{id}/pulse", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Room id.")), request_body = PulseBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "Answered.", body = PulseOut),
        (status = 403, description = "`forbidden`: a manager who is not a member.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: no check-in is open, it is already answered, or the room is not open.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `genuineness`, `empathy`, `acceptance`, `working` or `comment`.", body = ErrorBody),
    ))]
pub async fn answer_pulse(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PulseBody>,
) -> Result<(StatusCode, Json<PulseOut>), ApiError> {
    let id: RoomId = parse(&id, "room")?;
    let input = PulseInput {
        genuineness: body.genuineness,
        empathy: body.empathy,
        acceptance: body.acceptance,
        working: body.working,
        comment: body.comment,
    };
    let record = s.app.answer_pulse(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(PulseOut::from(&record))))
}
