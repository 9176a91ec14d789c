//! Closure: a member's closure survey of a room that ended, and a
//! programme's outcomes for its managers.

use super::programmes::parse;
use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use rapport_app::closure::{ClosureInput, ClosureView, ClosureWindow, OutcomesReport};
use rapport_domain::RoomId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A closure survey answer.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ClosureBody {
    /// The closing reflection (Markdown). Private to its author: nobody
    /// else reads it, by any route.
    pub reflection: String,
    /// 1–5: "How confident are you that you can reach your development
    /// goals?" (the question asked at enrolment).
    #[schema(required = true, minimum = 1, maximum = 5)]
    pub self_efficacy: Option<i64>,
    /// Skills gained, by their names in the skill catalogue (`GET /api/v1/admin/skills`).
    pub skills: Vec<String>,
    /// `promotion`, `new_role`, `new_responsibility` or `none_yet`.
    #[schema(required = true)]
    pub career_step: String,
    /// Would you mentor someone? `yes`, `maybe` or `no`.
    #[schema(required = true)]
    pub would_mentor: String,
}

/// The caller's own closure answer.
#[derive(Serialize, ToSchema)]
pub struct ClosureAnswerOut {
    /// Id.
    pub id: uuid::Uuid,
    /// The reflection (Markdown), as its author wrote it.
    pub reflection: String,
    /// 1–5 at closure.
    pub self_efficacy: i64,
    /// 1–5 at enrolment, if answered then.
    pub self_efficacy_at_enrolment: Option<i64>,
    /// Skills gained.
    pub skills: Vec<String>,
    /// The career step taken.
    pub career_step: String,
    /// Would mentor someone.
    pub would_mentor: String,
    /// Answered (Unix ms).
    pub created_at: i64,
}

/// A room's closure survey, as the caller sees it.
#[derive(Serialize, ToSchema)]
pub struct ClosureOut {
    /// The room.
    pub room: uuid::Uuid,
    /// `not_ended`, `never_started`, `open` or `closed`.
    pub window: String,
    /// While open: the last moment answers are taken (Unix ms).
    pub open_until: Option<i64>,
    /// The caller's answer, if they gave one (nobody else's, ever).
    pub answer: Option<ClosureAnswerOut>,
    /// For a mentee who would mentor someone: where to enrol as a mentor
    /// (a programme's enrolment page, or the programmes list).
    pub mentor_invitation: Option<String>,
}

impl From<ClosureView> for ClosureOut {
    fn from(v: ClosureView) -> Self {
        let (window, open_until) = match v.window {
            ClosureWindow::NotEnded => ("not_ended", None),
            ClosureWindow::NeverStarted => ("never_started", None),
            ClosureWindow::Open { until } => ("open", Some(until)),
            ClosureWindow::Closed { .. } => ("closed", None),
        };
        Self {
            room: v.room.id.0,
            window: window.into(),
            open_until,
            answer: v.mine.map(|c| ClosureAnswerOut {
                id: c.outcome.id.0,
                reflection: c.reflection,
                self_efficacy: c.outcome.self_efficacy.into(),
                self_efficacy_at_enrolment: c.outcome.self_efficacy_at_enrolment.map(i64::from),
                skills: c.outcome.skills,
                career_step: c.outcome.career_step.code().into(),
                would_mentor: c.outcome.would_mentor.code().into(),
                created_at: c.outcome.created_at,
            }),
            mentor_invitation: v.invited_to_mentor.map(|next| match next {
                Some((_, slug)) => format!("/programmes/{slug}/enrol"),
                None => "/programmes".into(),
            }),
        }
    }
}

/// Read my closure survey of a room (members)
///
/// Whether the survey is open, and the caller's own answer. Closure
/// answers are each member's own: managers read the programme's outcomes.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/closure", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Room id.")), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The survey's window and the caller's answer.", body = ClosureOut),
        (status = 403, description = "`forbidden`: not a member (a manager reads outcomes, never answers).", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
pub async fn get_closure(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ClosureOut>, ApiError> {
    let id: RoomId = parse(&id, "room")?;
    let v = s.app.closure(&actor, id).await?;
    if !v.member {
        return Err(rapport_app::AppError::Forbidden(
            "closure answers are each member's own; managers read the programme's outcomes".into(),
        )
        .into());
    }
    Ok(Json(v.into()))
}

/// Answer the closure survey of a room (members)
///
/// Once per member, after the room completed or ended and up to 30 days
/// after the end. A mentee who answers `would_mentor: yes` is invited by
/// email to enrol as a mentor.
#[utoipa::path(post, path = "/api/v1/rooms/{id}/closure", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Room id.")), request_body = ClosureBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "Answered.", body = ClosureOut),
        (status = 403, description = "`forbidden`: not a member of the room.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: the room has not ended, the survey closed (30 days after the end), or the caller already answered.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: every bad field is named (`self_efficacy`, `skills`, `career_step`, `would_mentor`, `reflection`).", body = ErrorBody),
    ))]
pub async fn post_closure(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ClosureBody>,
) -> Result<(StatusCode, Json<ClosureOut>), ApiError> {
    let id: RoomId = parse(&id, "room")?;
    let input = ClosureInput {
        reflection: body.reflection,
        self_efficacy: body
            .self_efficacy
            .map(|n| n.to_string())
            .unwrap_or_default(),
        skills: body.skills,
        career_step: body.career_step,
        would_mentor: body.would_mentor,
    };
    let v = s.app.submit_closure(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

/// A count of one answer.
#[derive(Serialize, ToSchema)]
pub struct CountOut {
    /// The answer's code, or the skill's name.
    pub value: String,
    /// How many closures gave it.
    pub count: usize,
}

/// A programme's outcomes.
#[derive(Serialize, ToSchema)]
pub struct OutcomesOut {
    /// Programme slug.
    pub programme: String,
    /// Closure surveys answered.
    pub closures: usize,
    /// Count per career step (`promotion`, `new_role`, `new_responsibility`, `none_yet`).
    pub career_steps: Vec<CountOut>,
    /// Count per answer to "would you mentor someone?".
    pub would_mentor: Vec<CountOut>,
    /// Mentees who would mentor someone.
    pub mentees_who_would_mentor: usize,
    /// Mean self-efficacy at closure (1–5).
    pub self_efficacy_at_closure: Option<f64>,
    /// Mean change of self-efficacy from enrolment to closure.
    pub self_efficacy_change: Option<f64>,
    /// How many closures that change is measured over (those answered at enrolment too).
    pub self_efficacy_compared: usize,
    /// The skills gained most often, most first.
    pub top_skills: Vec<CountOut>,
}

impl From<OutcomesReport> for OutcomesOut {
    fn from(r: OutcomesReport) -> Self {
        let counts = |v: Vec<(String, usize)>| {
            v.into_iter()
                .map(|(value, count)| CountOut { value, count })
                .collect()
        };
        Self {
            programme: r.programme_slug,
            closures: r.closures,
            career_steps: counts(
                r.career_steps
                    .into_iter()
                    .map(|(s, n)| (s.code().to_string(), n))
                    .collect(),
            ),
            would_mentor: counts(
                r.would_mentor
                    .into_iter()
                    .map(|(w, n)| (w.code().to_string(), n))
                    .collect(),
            ),
            mentees_who_would_mentor: r.mentees_who_would_mentor,
            self_efficacy_at_closure: r.self_efficacy_at_closure,
            self_efficacy_change: r.self_efficacy_change,
            self_efficacy_compared: r.self_efficacy_compared,
            top_skills: counts(r.top_skills),
        }
    }
}

/// A programme's closure outcomes (managers)
///
/// Counts and means over every closure survey in the programme; never a
/// reflection.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/outcomes", tag = "programmes", params(("slug" = String, Path, description = "Programme slug.")), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The outcomes.", body = OutcomesOut),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
pub async fn programme_outcomes(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<OutcomesOut>, ApiError> {
    Ok(Json(s.app.programme_outcomes(&actor, &slug).await?.into()))
}
