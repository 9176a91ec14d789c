//! Matching rounds: running, reading and publishing them, pair rules, and
//! the coverage dashboard that tells managers who is still waiting.

use super::programmes::parse;
use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use rapport_app::rounds::RoundView;
use rapport_app::AppError;
use rapport_domain::PersonId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A matching round.
#[derive(Serialize, ToSchema)]
pub struct RoundOut {
    /// Id.
    pub id: uuid::Uuid,
    /// `draft`, `published` or `discarded`.
    pub status: String,
    /// When it ran (Unix ms).
    pub created_at: i64,
    /// `proposals` (members, `score`, `pinned`, `explanation` lines of
    /// `criterion`/`points`/`sentence`, `member_explanation`), `unmatched`
    /// (`person_id`, `name`, `reason`, `fix`, `full_mentors`: full mentors who
    /// suit them), `fixes`, `pool`, `placed`, `mentors`, `total_score`,
    /// `upper_bound` (circles), `certified`, `free_slots`, `millis`,
    /// `no_shared_hours` and `no_shared_goals` (pairs that share no weekly
    /// hour, no goal).
    #[schema(value_type = Object)]
    pub result: rapport_app::rounds::RoundResult,
}

impl From<RoundView> for RoundOut {
    fn from(r: RoundView) -> Self {
        Self {
            id: r.id.0,
            status: r.status.code().into(),
            created_at: r.created_at,
            result: r.result,
        }
    }
}

/// Run matching (managers)
///
/// Snapshots the settings and enrolments, runs the engine for the programme's
/// kind, and stores a draft round (earlier drafts are discarded).
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/rounds", tag = "programmes", params(("slug" = String, Path, description = "Programme slug.")), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The draft round.", body = RoundOut),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody), (status = 404, description = "`not_found`: no such programme, or a draft the caller does not manage.", body = ErrorBody),
        (status = 409, description = "`conflict`: the programme is not taking rounds, or a pin breaks a hard rule.", body = ErrorBody),
    ))]
pub async fn run_round(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<(StatusCode, Json<RoundOut>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(s.app.run_round(&actor, &slug).await?.into()),
    ))
}

/// Read a round (managers)
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/rounds/{id}", tag = "programmes",
    params(("slug" = String, Path, description = "Programme slug."), ("id" = uuid::Uuid, Path, description = "Round id.")), security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "The round.", body = RoundOut), (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody), (status = 404, description = "`not_found`.", body = ErrorBody)))]
pub async fn get_round(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<RoundOut>, ApiError> {
    let id: rapport_domain::RoundId = parse(&id, "round")?;
    Ok(Json(s.app.round(&actor, &slug, id).await?.into()))
}

/// What publishing did.
#[derive(Serialize, ToSchema)]
pub struct PublishedOut {
    /// Rooms proposed.
    pub rooms: Vec<uuid::Uuid>,
    /// Proposals skipped because things changed since the run.
    pub skipped: Vec<String>,
}

/// Publish a round (managers)
///
/// Each proposal becomes a proposed room; capacity is checked again.
/// Publishing must be confirmed (issue 18 §5): send `{"confirm": true}` (or
/// `?confirm=true`); without it nothing changes, and the 409 on `confirm`
/// says how many rooms would be proposed and how many people emailed.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/rounds/{id}/publish", tag = "programmes",
    params(("slug" = String, Path, description = "Programme slug."), ("id" = uuid::Uuid, Path, description = "Round id."), ("confirm" = Option<bool>, Query, description = "`true` confirms publishing.")),
    request_body(content = Option<super::confirming::ConfirmBody>, description = "`{\"confirm\": true}` confirms publishing."), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Published.", body = PublishedOut),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: not confirmed (on `confirm`), or the round is not a draft.", body = ErrorBody),
    ))]
pub async fn publish_round(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
    super::confirming::Confirmation(confirm): super::confirming::Confirmation,
) -> Result<Json<PublishedOut>, ApiError> {
    let id: rapport_domain::RoundId = parse(&id, "round")?;
    let p = s
        .app
        .publish_round_confirmed(&actor, &slug, id, confirm)
        .await?;
    Ok(Json(PublishedOut {
        rooms: p.rooms.into_iter().map(|r| r.0).collect(),
        skipped: p.skipped,
    }))
}

/// A pin, forbid or clear on a pair.
#[derive(Deserialize, ToSchema)]
pub struct PairRuleBody {
    /// The mentee (or first peer).
    pub mentee_id: uuid::Uuid,
    /// The mentor (or second peer).
    pub mentor_id: uuid::Uuid,
    /// `pin`, `forbid` or `clear`.
    pub rule: String,
}

/// Pin, forbid or clear a pair (managers)
///
/// A pin that breaks a hard rule is 409 on `pin`, naming the rule.
#[utoipa::path(put, path = "/api/v1/programmes/{slug}/pair-rules", tag = "programmes", params(("slug" = String, Path, description = "Programme slug.")), request_body = PairRuleBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Saved."),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody), (status = 404, description = "`not_found`: no such programme, or a draft the caller does not manage.", body = ErrorBody),
        (status = 409, description = "`conflict` on `pin`: the pin breaks a hard rule.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: not two approved participants, or a bad rule.", body = ErrorBody),
    ))]
pub async fn set_pair_rule(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<PairRuleBody>,
) -> Result<StatusCode, ApiError> {
    s.app
        .set_pair_rule(
            &actor,
            &slug,
            PersonId(body.mentee_id),
            PersonId(body.mentor_id),
            &body.rule,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Read the coverage dashboard (managers)
///
/// Counts, histograms and the first page of each list, counted by the
/// database, so the answer stays the same size however many people enrol:
/// `participants`, `matched`, `pending`, `unmatched`, `median_days_to_match`,
/// `applications` waiting for a decision and `mentors`; `time_waiting`,
/// `mentor_load` (seats ÷ capacity) and `unplaced_by_reason` (the latest
/// round) as `{label, count}` buckets; `over_time` (running totals by day:
/// `day`, `approved`, `matched`); and the first 20 of `waiting` (longest
/// first) and `loads` (fullest first). When a list has more, `waiting_next`
/// or `loads_next` is the cursor of its next page: follow it with
/// `GET /programmes/{slug}/coverage/waiting?cursor=…` or
/// `/coverage/loads?cursor=…`, which page on with `Link: rel="next"`.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/coverage", tag = "programmes", params(("slug" = String, Path, description = "Programme slug.")), security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "The dashboard.", body = Object), (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody), (status = 404, description = "`not_found`: no such programme, or a draft the caller does not manage.", body = ErrorBody)))]
pub async fn coverage(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let c = s.app.coverage(&actor, &slug).await?;
    Ok(Json(serde_json::to_value(c).map_err(|e| {
        AppError::internal("coverage does not serialise", e)
    })?))
}
