//! Reflection prompts, answers, schedules, room prompts and the needs check
//! (issue 19).

use super::notes::CursorParams;
use super::{paged_json, ApiJson, ApiQuery, IdPath};
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use rapport_app::lists::ListQuery;
use rapport_app::needs::{NeedsAdvice, NeedsInput, NeedsResult, NextStep};
use rapport_app::reflection::{AnswerInput, PromptInput, PromptView, ReflectionView, ScheduleView};
use rapport_domain::{PromptId, RoomId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A prompt in the library.
#[derive(Serialize, ToSchema)]
pub struct PromptOut {
    /// Id.
    pub id: uuid::Uuid,
    /// Theme code: `shaping`, `seeking`, `reverse`, `feedback`, `blind_spots`,
    /// `authenticity`, `transitions`, `learning_culture` or `other`.
    pub theme: String,
    /// The question (Markdown).
    pub body: String,
    /// The question as sanitised HTML.
    pub html: String,
    /// Retired (no longer sent or offered).
    pub retired: bool,
    /// Added (Unix ms).
    pub created_at: i64,
    /// Last changed (Unix ms).
    pub updated_at: i64,
}

impl From<PromptView> for PromptOut {
    fn from(v: PromptView) -> Self {
        Self {
            id: v.record.id.0,
            theme: v.record.theme.code().into(),
            body: v.record.body,
            html: v.html,
            retired: v.record.retired_at.is_some(),
            created_at: v.record.created_at,
            updated_at: v.record.updated_at,
        }
    }
}

/// Which prompts to list.
#[derive(Deserialize, IntoParams)]
pub struct PromptParams {
    /// Include retired prompts (administrators only).
    pub retired: Option<bool>,
    /// Where to continue: the cursor from the `Link` header.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 50).
    pub limit: Option<i64>,
}

/// A prompt to add, or its new state.
#[derive(Deserialize, ToSchema)]
pub struct PromptBody {
    /// Theme code (see `PromptOut.theme`).
    pub theme: String,
    /// The question, Markdown without HTML, at most 1000 characters.
    pub body: String,
    /// Retire it (true) or keep or bring it back in use (false, the default).
    #[serde(default)]
    pub retired: bool,
}

impl From<PromptBody> for PromptInput {
    fn from(b: PromptBody) -> Self {
        Self {
            theme: b.theme,
            body: b.body,
            retired: b.retired,
        }
    }
}

/// An answer to a prompt.
#[derive(Serialize, ToSchema)]
pub struct ReflectionOut {
    /// Id.
    pub id: uuid::Uuid,
    /// The prompt answered.
    pub prompt_id: uuid::Uuid,
    /// The prompt's question.
    pub prompt: String,
    /// The author's name.
    pub author: String,
    /// `private` (its author alone, ever), `room` or `thread`.
    pub visibility: String,
    /// The room whose mentor assigned the prompt, if one did.
    pub room_id: Option<uuid::Uuid>,
    /// The room prompt it answers.
    pub room_prompt_id: Option<uuid::Uuid>,
    /// The growth thread it was shared into.
    pub shared_thread_id: Option<uuid::Uuid>,
    /// Markdown.
    pub body: String,
    /// The answer as sanitised HTML.
    pub html: String,
    /// Written (Unix ms).
    pub created_at: i64,
}

impl From<ReflectionView> for ReflectionOut {
    fn from(v: ReflectionView) -> Self {
        let r = v.record;
        Self {
            id: r.id.0,
            prompt_id: r.prompt_id.0,
            prompt: r.prompt_body,
            author: r.author_name,
            visibility: r.visibility.code().into(),
            room_id: r.room_id.map(|x| x.0),
            room_prompt_id: r.room_prompt_id.map(|x| x.0),
            shared_thread_id: r.shared_thread_id,
            body: r.body,
            html: v.html,
            created_at: r.created_at,
        }
    }
}

/// An answer to write.
#[derive(Deserialize, ToSchema)]
pub struct AnswerBody {
    /// Markdown without HTML, at most 10000 characters.
    pub body: String,
    /// `private`: only you will ever see it, by any route. `room`: the
    /// members of the room whose mentor assigned the prompt (give
    /// `room_prompt_id`). `thread`: one of your growth threads (give
    /// `thread_id`).
    pub visibility: String,
    /// The room prompt it answers, when your mentor assigned the prompt.
    pub room_prompt_id: Option<String>,
    /// The growth thread to share it into.
    pub thread_id: Option<String>,
}

/// A prompt a mentor assigns to their room.
#[derive(Deserialize, ToSchema)]
pub struct RoomPromptBody {
    /// A prompt in use from the library.
    pub prompt_id: String,
}

/// A prompt assigned to a room.
#[derive(Serialize, ToSchema)]
pub struct RoomPromptOut {
    /// Id (answer with it as `room_prompt_id`).
    pub id: uuid::Uuid,
    /// The room.
    pub room_id: uuid::Uuid,
    /// The prompt.
    pub prompt_id: uuid::Uuid,
    /// The prompt's question.
    pub prompt: String,
    /// Assigned (Unix ms).
    pub created_at: i64,
}

/// How often the caller gets a prompt.
#[derive(Deserialize, ToSchema)]
pub struct ScheduleBody {
    /// `never`, `weekly` or `fortnightly`.
    pub cadence: String,
}

/// The caller's schedule.
#[derive(Serialize, ToSchema)]
pub struct ScheduleOut {
    /// `never`, `weekly` or `fortnightly`.
    pub cadence: String,
    /// When the next prompt goes out (Unix ms); null for never.
    pub next_at: Option<i64>,
    /// The prompt waiting for an answer, if one is.
    pub waiting_prompt_id: Option<uuid::Uuid>,
}

impl From<ScheduleView> for ScheduleOut {
    fn from(v: ScheduleView) -> Self {
        Self {
            cadence: v.cadence.code().into(),
            next_at: v.next_at,
            waiting_prompt_id: v.waiting.map(|p| p.id.0),
        }
    }
}

/// The eight answers of a needs check, each 1 (not at all true) to 5 (very
/// true). A missing or out-of-range answer is 422 naming its statement.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NeedsBody {
    /// "I am not sure what my team is expected to deliver this quarter."
    pub unclear_goals: Option<i64>,
    /// "I want help working out what kind of leader I want to become."
    pub who_to_become: Option<i64>,
    /// "When priorities clash, I do not know which one my leader wants first."
    pub unclear_priorities: Option<i64>,
    /// "I would like to understand my strengths and blind spots better."
    pub strengths: Option<i64>,
    /// "I often learn about deadlines too late to plan for them."
    pub deadlines: Option<i64>,
    /// "I am unsure which direction my career should take next."
    pub career_path: Option<i64>,
    /// "I am not sure which decisions are mine to make and which need my leader."
    pub decision_rights: Option<i64>,
    /// "I would value an outside view from someone who has walked this path before."
    pub outside_view: Option<i64>,
}

impl From<NeedsBody> for NeedsInput {
    fn from(b: NeedsBody) -> Self {
        Self {
            scores: [
                b.unclear_goals,
                b.who_to_become,
                b.unclear_priorities,
                b.strengths,
                b.deadlines,
                b.career_path,
                b.decision_rights,
                b.outside_view,
            ],
        }
    }
}

/// One needs check's result.
#[derive(Serialize, ToSchema)]
pub struct NeedsResultOut {
    /// Id.
    pub id: uuid::Uuid,
    /// `leadership`, `mentorship`, `both` or `neither`.
    pub gap: String,
    /// The result in words.
    pub label: String,
    /// Mean of the four leadership statements.
    pub leadership_mean: f64,
    /// Mean of the four mentorship statements.
    pub mentorship_mean: f64,
    /// The eight answers, in statement order.
    pub scores: Vec<u8>,
    /// Taken (Unix ms).
    pub created_at: i64,
}

impl From<&NeedsResult> for NeedsResultOut {
    fn from(r: &NeedsResult) -> Self {
        Self {
            id: r.record.id.0,
            gap: r.assessment.gap.code().into(),
            label: r.assessment.gap.label().into(),
            leadership_mean: r.assessment.leadership_mean,
            mentorship_mean: r.assessment.mentorship_mean,
            scores: r.record.answers.scores().to_vec(),
            created_at: r.record.created_at,
        }
    }
}

/// A recommended next step.
#[derive(Serialize, ToSchema)]
pub struct NextStepOut {
    /// `enrol`, `request_mentor`, `roadmap`, `circle`, `talk_to_leader` or `reflect`.
    pub kind: String,
    /// What to do.
    pub title: String,
    /// Why, or with whom.
    pub detail: String,
    /// Where it is done (a site path).
    pub link: String,
}

impl From<NextStep> for NextStepOut {
    fn from(s: NextStep) -> Self {
        Self {
            kind: serde_json::to_value(s.kind)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            title: s.title,
            detail: s.detail,
            link: s.link,
        }
    }
}

/// The latest result and what to do next.
#[derive(Serialize, ToSchema)]
pub struct NeedsAdviceOut {
    /// The check just taken, or the latest.
    pub result: NeedsResultOut,
    /// Next steps chosen from what is live on the site now.
    pub next_steps: Vec<NextStepOut>,
    /// The guide for a conversation with one's own leader (with a leadership gap).
    pub leader_guide: Vec<String>,
}

impl From<NeedsAdvice> for NeedsAdviceOut {
    fn from(a: NeedsAdvice) -> Self {
        let talk = a
            .steps
            .iter()
            .any(|s| s.kind == rapport_app::needs::StepKind::TalkToLeader);
        Self {
            result: (&a.latest).into(),
            next_steps: a.steps.into_iter().map(Into::into).collect(),
            leader_guide: if talk {
                rapport_app::needs::LEADER_GUIDE
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            } else {
                vec![]
            },
        }
    }
}

/// The caller's needs-check history and, for the latest, what to do next.
#[derive(Serialize, ToSchema)]
pub struct NeedsHistoryOut {
    /// The statements, in the order the answers are given.
    pub statements: Vec<StatementOut>,
    /// The latest result with fresh next steps; null before the first check.
    pub latest: Option<NeedsAdviceOut>,
    /// One page of results, newest first.
    pub history: Vec<NeedsResultOut>,
}

/// One statement of the check.
#[derive(Serialize, ToSchema)]
pub struct StatementOut {
    /// The field name of its answer.
    pub code: String,
    /// Its words.
    pub text: String,
    /// `leadership` or `mentorship`.
    pub gap: String,
}

/// List the prompt library
///
/// The prompts in use, newest first; administrators add `retired=true` to
/// see retired ones too. The next page is in the `Link` header.
#[utoipa::path(get, path = "/api/v1/prompts", tag = "reflection",
    params(PromptParams), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of prompts.", body = Vec<PromptOut>,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 403, description = "`forbidden`: `retired=true` from someone who is not an administrator.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `limit` or `cursor`.", body = ErrorBody),
    ))]
pub async fn list_prompts(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<PromptParams>,
) -> Result<Response, ApiError> {
    let retired = params.retired.unwrap_or(false);
    let query = ListQuery {
        page: None,
        cursor: params.cursor,
        limit: params.limit,
    };
    let page = s.app.prompts(&actor, retired, &query).await?;
    let (_, limit) = query.window()?;
    let path = if retired {
        "/api/v1/prompts?retired=true"
    } else {
        "/api/v1/prompts"
    };
    Ok(paged_json(&s, path, limit, page, |items| {
        items.into_iter().map(PromptOut::from).collect::<Vec<_>>()
    }))
}

/// Add a prompt (administrators)
#[utoipa::path(post, path = "/api/v1/prompts", tag = "reflection", request_body = PromptBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The prompt.", body = PromptOut),
        (status = 403, description = "`forbidden`: not an administrator.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `theme` or `body`.", body = ErrorBody),
    ))]
pub async fn create_prompt(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<PromptBody>,
) -> Result<(StatusCode, Json<PromptOut>), ApiError> {
    let p = s.app.add_prompt(&actor, &body.into()).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

/// Change or retire a prompt (administrators)
#[utoipa::path(put, path = "/api/v1/prompts/{id}", tag = "reflection",
    params(("id" = uuid::Uuid, Path, description = "Prompt id.")), request_body = PromptBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The prompt as changed.", body = PromptOut),
        (status = 403, description = "`forbidden`: not an administrator.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `theme` or `body`.", body = ErrorBody),
    ))]
pub async fn update_prompt(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<PromptId>,
    ApiJson(body): ApiJson<PromptBody>,
) -> Result<Json<PromptOut>, ApiError> {
    Ok(Json(
        s.app.edit_prompt(&actor, id, &body.into()).await?.into(),
    ))
}

/// Answer a prompt
///
/// Privately (only the caller, ever), with the room whose mentor assigned
/// it, or into one of the caller's growth threads.
#[utoipa::path(post, path = "/api/v1/prompts/{id}/answers", tag = "reflection",
    params(("id" = uuid::Uuid, Path, description = "Prompt id.")), request_body = AnswerBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The answer.", body = ReflectionOut),
        (status = 404, description = "`not_found`: no such prompt (or retired), or a room prompt that is not the caller's.", body = ErrorBody),
        (status = 409, description = "`conflict`: the room is not open.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `body`, `visibility`, `room_prompt_id` or `thread_id`.", body = ErrorBody),
    ))]
pub async fn answer_prompt(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<PromptId>,
    ApiJson(body): ApiJson<AnswerBody>,
) -> Result<(StatusCode, Json<ReflectionOut>), ApiError> {
    let input = AnswerInput {
        body: body.body,
        visibility: body.visibility,
        room_prompt_id: body.room_prompt_id,
        thread_id: body.thread_id,
    };
    let a = s.app.answer_prompt(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

/// List my reflections
///
/// Every answer the caller wrote, private or shared, newest first. Nobody
/// reads another person's list.
#[utoipa::path(get, path = "/api/v1/me/reflections", tag = "reflection",
    params(CursorParams), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of answers.", body = Vec<ReflectionOut>,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 422, description = "`invalid_field`: `limit` or `cursor`.", body = ErrorBody),
    ))]
pub async fn my_reflections(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<CursorParams>,
) -> Result<Response, ApiError> {
    let query = params.query();
    let page = s.app.my_reflections(&actor, &query).await?;
    let (_, limit) = query.window()?;
    Ok(paged_json(
        &s,
        "/api/v1/me/reflections",
        limit,
        page,
        |items| {
            items
                .into_iter()
                .map(ReflectionOut::from)
                .collect::<Vec<_>>()
        },
    ))
}

/// Assign a prompt to a room (its mentor)
#[utoipa::path(post, path = "/api/v1/rooms/{id}/prompts", tag = "reflection",
    params(("id" = uuid::Uuid, Path, description = "Room id.")), request_body = RoomPromptBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The assignment; each other member may now answer it.", body = RoomPromptOut),
        (status = 403, description = "`forbidden`: not the room's mentor.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such room, or not the caller's.", body = ErrorBody),
        (status = 409, description = "`conflict`: the room is not open, or already has this prompt.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `prompt_id`.", body = ErrorBody),
    ))]
pub async fn assign_room_prompt(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<RoomId>,
    ApiJson(body): ApiJson<RoomPromptBody>,
) -> Result<(StatusCode, Json<RoomPromptOut>), ApiError> {
    let r = s
        .app
        .assign_room_prompt(&actor, id, &body.prompt_id)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(RoomPromptOut {
            id: r.id.0,
            room_id: r.room_id.0,
            prompt_id: r.prompt_id.0,
            prompt: r.prompt_body,
            created_at: r.created_at,
        }),
    ))
}

/// Choose how often I get a prompt
#[utoipa::path(put, path = "/api/v1/me/reflection-schedule", tag = "reflection",
    request_body = ScheduleBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The schedule.", body = ScheduleOut),
        (status = 422, description = "`invalid_field` on `cadence`.", body = ErrorBody),
    ))]
pub async fn put_reflection_schedule(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<ScheduleBody>,
) -> Result<Json<ScheduleOut>, ApiError> {
    Ok(Json(
        s.app
            .set_reflection_schedule(&actor, &body.cadence)
            .await?
            .into(),
    ))
}

/// Read my needs checks
///
/// The statements, the latest result with next steps chosen from what is
/// live now, and one page of the caller's results, newest first. Private to
/// the caller.
#[utoipa::path(get, path = "/api/v1/me/needs-check", tag = "reflection",
    params(CursorParams), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The caller's results.", body = NeedsHistoryOut,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` for more history."))),
        (status = 422, description = "`invalid_field`: `limit` or `cursor`.", body = ErrorBody),
    ))]
pub async fn get_needs_check(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<CursorParams>,
) -> Result<Response, ApiError> {
    let query = params.query();
    let page = s.app.needs_history(&actor, &query).await?;
    let (_, limit) = query.window()?;
    let latest = s.app.needs_advice(&actor).await?.map(NeedsAdviceOut::from);
    Ok(paged_json(
        &s,
        "/api/v1/me/needs-check",
        limit,
        page,
        |items| NeedsHistoryOut {
            statements: rapport_app::needs::statements()
                .map(|(code, text, gap)| StatementOut {
                    code: code.into(),
                    text: text.into(),
                    gap: gap.into(),
                })
                .collect(),
            latest,
            history: items.iter().map(NeedsResultOut::from).collect(),
        },
    ))
}

/// Take the needs check
#[utoipa::path(post, path = "/api/v1/me/needs-check", tag = "reflection",
    request_body = NeedsBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The result, kept in the caller's history, and what to do next.", body = NeedsAdviceOut),
        (status = 422, description = "`invalid_field` naming each statement left out or outside 1 to 5.", body = ErrorBody),
    ))]
pub async fn take_needs_check(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<NeedsBody>,
) -> Result<(StatusCode, Json<NeedsAdviceOut>), ApiError> {
    let advice = s.app.take_needs_check(&actor, &body.into()).await?;
    Ok((StatusCode::CREATED, Json(advice.into())))
}
