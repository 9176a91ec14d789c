//! Self-selected matching: recommendations, requests and a mentor's pause.

use super::notes::CursorParams;
use super::{ApiJson, ApiQuery};
use crate::auth::{ApiActor, ApiCaller};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use rapport_app::recommend::Recommendation;
use rapport_app::requests::RequestView;
use rapport_app::AppError;
use rapport_domain::{PersonId, RequestId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn request_id(raw: &str) -> Result<RequestId, ApiError> {
    raw.parse().map_err(|_| {
        AppError::NotFound("no request has this id; check the id in the path".into()).into()
    })
}

/// A recommended mentor.
#[derive(Serialize, ToSchema)]
pub struct RecommendationOut {
    /// The mentor's person id.
    pub mentor_id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// Compatibility, 0–100.
    pub score: f64,
    /// Why, as sentences with their points; never an attribute the mentor keeps private.
    pub explanation: Vec<String>,
    /// No space left in this programme.
    pub full: bool,
    /// The caller already has an open request to them.
    pub requested: bool,
}

impl From<Recommendation> for RecommendationOut {
    fn from(r: Recommendation) -> Self {
        Self {
            mentor_id: r.mentor_id.0,
            name: r.name,
            score: r.score,
            explanation: r
                .explanation
                .into_iter()
                .map(|l| format!("{} (+{:.1})", l.sentence, l.points))
                .collect(),
            full: r.full,
            requested: r.requested,
        }
    }
}

/// Recommended mentors (approved mentees)
///
/// Best first, full mentors last; paused and blocked people, past pairs and
/// pairs that break a hard rule are left out.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/recommendations", tag = "requests", params(("slug" = String, Path, description = "Programme slug.")), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Up to 20 mentors.", body = Vec<RecommendationOut>),
        (status = 403, description = "`forbidden`: the caller is not an approved mentee here.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such programme.", body = ErrorBody),
    ))]
pub async fn recommendations(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<RecommendationOut>>, ApiError> {
    Ok(Json(
        s.app
            .recommendations(&actor, &slug)
            .await?
            .into_iter()
            .map(RecommendationOut::from)
            .collect(),
    ))
}

/// A request to ranked mentors.
#[derive(Deserialize, ToSchema)]
pub struct RequestBody {
    /// Up to three mentors, best first: the request goes to the first and rolls over in order.
    pub mentor_ids: Vec<uuid::Uuid>,
    /// The mentee's message and goals (up to 2000 characters).
    #[serde(default)]
    pub message: String,
}

/// The new request.
#[derive(Serialize, ToSchema)]
pub struct RequestCreated {
    /// Id of the request to the first-ranked mentor.
    pub id: uuid::Uuid,
}

/// Send a request (approved mentees)
///
/// At most 3 open requests per mentee per programme; one open request per pair.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/requests", tag = "requests", params(("slug" = String, Path, description = "Programme slug.")), request_body = RequestBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "Sent.", body = RequestCreated),
        (status = 403, description = "`forbidden`: the caller is not an approved mentee here.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such programme.", body = ErrorBody),
        (status = 409, description = "`conflict`: too many open requests, an open request to this mentor, a mentor who declined before, is paused or full.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `mentor_ids` or `message`.", body = ErrorBody),
    ))]
pub async fn send_request(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<RequestBody>,
) -> Result<(StatusCode, Json<RequestCreated>), ApiError> {
    let ranked: Vec<PersonId> = body.mentor_ids.into_iter().map(PersonId).collect();
    let id = s
        .app
        .request_mentors(&actor, &slug, &ranked, &body.message)
        .await?;
    Ok((StatusCode::CREATED, Json(RequestCreated { id: id.0 })))
}

/// A request as its sender or recipient sees it.
#[derive(Serialize, ToSchema)]
pub struct RequestOut {
    /// Id.
    pub id: uuid::Uuid,
    /// Programme name.
    pub programme: String,
    /// `request` (mentee → mentor) or `offer` (mentor → mentee).
    pub direction: String,
    /// `pending`, `needs_info`, `accepted`, `declined`, `withdrawn` or `expired`.
    pub status: String,
    /// Whether the caller is the one to answer.
    pub incoming: bool,
    /// Mentee.
    pub mentee_id: uuid::Uuid,
    /// Mentee's name.
    pub mentee_name: String,
    /// Mentor.
    pub mentor_id: uuid::Uuid,
    /// Mentor's name.
    pub mentor_name: String,
    /// The sender's message.
    pub message: String,
    /// The mentor's question.
    pub question: Option<String>,
    /// The mentee's answer.
    pub answer: Option<String>,
    /// Why it was declined.
    pub decline_reason: Option<String>,
    /// Expires (Unix ms).
    pub expires_at: i64,
}

impl From<RequestView> for RequestOut {
    fn from(v: RequestView) -> Self {
        let r = v.request;
        Self {
            id: r.id.0,
            programme: v.programme,
            direction: r.direction.code().into(),
            status: r.status.code().into(),
            incoming: v.incoming,
            mentee_id: r.mentee_id.0,
            mentee_name: v.mentee_name,
            mentor_id: r.mentor_id.0,
            mentor_name: v.mentor_name,
            message: r.message,
            question: r.question,
            answer: r.answer,
            decline_reason: r.decline_reason,
            expires_at: r.expires_at,
        }
    }
}

/// List my requests
///
/// One page at a time, newest first. The `Link` header carries the next
/// (and previous) page's URL; a client that sends no cursor gets the first
/// page, as before.
#[utoipa::path(get, path = "/api/v1/requests", tag = "requests", params(CursorParams), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of requests sent or received, newest first.", body = Vec<RequestOut>,
            headers(("link" = String, description = "`<…>; rel=\"next\"` (older) and `<…>; rel=\"prev\"` (newer) when there are such pages."))),
        (status = 422, description = "`invalid_field`: `limit` is not 1 to 100, or `cursor` is not one Rapport made.", body = ErrorBody),
    ))]
pub async fn list_requests(
    State(s): State<AppState>,
    caller: ApiCaller,
    ApiQuery(params): ApiQuery<CursorParams>,
) -> Result<axum::response::Response, ApiError> {
    let query = params.query();
    let page = s.app.my_requests_page_for(caller.reader(), &query).await;
    let page = page.map_err(|e| caller.refused(e))?;
    let (_, limit) = query.window()?;
    Ok(super::paged_json(
        &s,
        "/api/v1/requests",
        limit,
        page,
        |items| items.into_iter().map(RequestOut::from).collect::<Vec<_>>(),
    ))
}

/// The sender of a request as the one answering it sees them.
#[derive(Serialize, ToSchema)]
pub struct SenderOut {
    /// Person id; their profile is `/api/v1/people/{id}`.
    pub id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// Leadership level code.
    pub level: String,
    /// Skills they want to grow.
    pub skills_wanted: Vec<String>,
    /// Skills they offer.
    pub skills_offered: Vec<String>,
    /// Goal tags.
    pub goal_tags: Vec<String>,
    /// Goals in their own words (Markdown).
    pub goals: String,
    /// IANA time zone.
    pub time_zone: String,
    /// Their local time now, zone named.
    pub local_time: String,
    /// Their profile page.
    pub profile_url: String,
}

/// One request, and for the one answering it, who sent it.
#[derive(Serialize, ToSchema)]
pub struct RequestDetailOut {
    /// The request, as the list shows it.
    pub request: RequestOut,
    /// The sender's level, skills, goals and time zone: present when the
    /// caller is the one to answer.
    pub sender: Option<SenderOut>,
}

/// A request, with its sender (sender or recipient)
///
/// The one answering sees the sender's level, skills wanted, goals and time
/// zone (with their local time now), so they can decide here.
#[utoipa::path(get, path = "/api/v1/requests/{id}", tag = "requests", params(("id" = uuid::Uuid, Path, description = "Request id.")), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The request.", body = RequestDetailOut),
        (status = 404, description = "`not_found`: no such request, or not the caller's.", body = ErrorBody),
    ))]
pub async fn get_request(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<RequestDetailOut>, ApiError> {
    let v = s.app.request_detail(&actor, request_id(&id)?).await?;
    let sender = v.sender.clone().map(|c| SenderOut {
        id: c.id.0,
        profile_url: format!("{}/people/{}", s.app.config.base_url, c.id),
        name: c.name,
        level: c.level_code,
        skills_wanted: c.skills_wanted,
        skills_offered: c.skills_offered,
        goal_tags: c.goal_tags,
        goals: c.goals,
        time_zone: c.time_zone,
        local_time: c.local_now,
    });
    Ok(Json(RequestDetailOut {
        request: RequestOut::from(v),
        sender,
    }))
}

/// The room an accepted request opened.
#[derive(Serialize, ToSchema)]
pub struct AcceptedOut {
    /// Room id.
    pub room: uuid::Uuid,
}

/// Accept a request (its recipient)
///
/// Opens an active room. A mentor with no space left gets 409 and nothing changes.
#[utoipa::path(post, path = "/api/v1/requests/{id}/accept", tag = "requests", params(("id" = uuid::Uuid, Path, description = "Request id.")), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Accepted.", body = AcceptedOut),
        (status = 403, description = "`forbidden`: the caller sent it.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: no longer open (answered, withdrawn, expired) or the mentor is full.", body = ErrorBody),
    ))]
pub async fn accept_request(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<AcceptedOut>, ApiError> {
    let room = s.app.accept_request(&actor, request_id(&id)?).await?;
    Ok(Json(AcceptedOut { room: room.0 }))
}

/// A decline's reason.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct DeclineBody {
    /// Why (optional, up to 1000 characters); the mentee sees it.
    pub reason: String,
}

/// Decline a request (its recipient)
///
/// With ranked mentors left, the request rolls over to the next one.
#[utoipa::path(post, path = "/api/v1/requests/{id}/decline", tag = "requests", params(("id" = uuid::Uuid, Path, description = "Request id.")), request_body = DeclineBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Declined."),
        (status = 403, description = "`forbidden`: the caller sent it.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: no longer open.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `reason`: over 1000 characters, or only invisible characters.", body = ErrorBody),
    ))]
pub async fn decline_request(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DeclineBody>,
) -> Result<StatusCode, ApiError> {
    s.app
        .decline_request(&actor, request_id(&id)?, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The mentor's question.
#[derive(Deserialize, ToSchema)]
pub struct AskBody {
    /// The question (1–1000 characters).
    pub question: String,
}

/// The mentee's answer.
#[derive(Deserialize, ToSchema)]
pub struct AnswerInfoBody {
    /// The answer (1–2000 characters).
    pub answer: String,
}

/// Ask for more information (the mentor)
///
/// The request moves to `needs_info` until the mentee answers.
#[utoipa::path(post, path = "/api/v1/requests/{id}/ask", tag = "requests", params(("id" = uuid::Uuid, Path, description = "Request id.")), request_body = AskBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Asked."),
        (status = 403, description = "`forbidden`: only the recipient asks.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: the request is not pending.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `question`.", body = ErrorBody),
    ))]
pub async fn ask_request(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AskBody>,
) -> Result<StatusCode, ApiError> {
    s.app
        .ask_about_request(&actor, request_id(&id)?, &body.question)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Answer the mentor's question (the mentee)
///
/// The request is pending again.
#[utoipa::path(post, path = "/api/v1/requests/{id}/answer", tag = "requests", params(("id" = uuid::Uuid, Path, description = "Request id.")), request_body = AnswerInfoBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Answered."),
        (status = 403, description = "`forbidden`: only the sender answers.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: no question waits.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `answer`.", body = ErrorBody),
    ))]
pub async fn answer_request(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AnswerInfoBody>,
) -> Result<StatusCode, ApiError> {
    s.app
        .answer_about_request(&actor, request_id(&id)?, &body.answer)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraw a request (its sender)
#[utoipa::path(post, path = "/api/v1/requests/{id}/withdraw", tag = "requests", params(("id" = uuid::Uuid, Path, description = "Request id.")), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Withdrawn."),
        (status = 403, description = "`forbidden`: only the sender withdraws.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: no longer open.", body = ErrorBody),
    ))]
pub async fn withdraw_request(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    s.app.withdraw_request(&actor, request_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A pause.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct PauseBody {
    /// `YYYY-MM-DD` in the future, or empty to resume.
    pub until: String,
    /// Most mentees across all programmes (0–100), or empty for no maximum.
    pub max_mentees: String,
}

/// The pause as saved.
#[derive(Serialize, ToSchema)]
pub struct PauseOut {
    /// Not taking mentees until (Unix ms), or null.
    pub paused_until: Option<i64>,
    /// Most mentees across all programmes, or null.
    pub max_mentees: Option<i32>,
}

/// Pause, resume, and set a personal maximum of mentees
///
/// Paused mentors drop out of recommendations and matching rounds. The
/// personal maximum caps mentor seats across all programmes; the database
/// enforces it like programme capacity.
#[utoipa::path(put, path = "/api/v1/me/pause", tag = "requests", request_body = PauseBody, security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "Saved.", body = PauseOut), (status = 422, description = "`invalid_field` on `until` or `max_mentees`.", body = ErrorBody)))]
pub async fn set_pause(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<PauseBody>,
) -> Result<Json<PauseOut>, ApiError> {
    let (paused_until, max_mentees) = s
        .app
        .set_mentor_pause(&actor, &body.until, &body.max_mentees)
        .await?;
    Ok(Json(PauseOut {
        paused_until,
        max_mentees,
    }))
}

/// A waiting mentee a mentor might offer to mentor.
#[derive(Serialize, ToSchema)]
pub struct MenteeOut {
    /// The mentee's person id.
    pub mentee_id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// Compatibility, 0–100.
    pub score: f64,
    /// Why, never revealing what the mentee keeps private.
    pub explanation: Vec<String>,
    /// An offer from the caller is open.
    pub offered: bool,
}

/// Waiting mentees (approved mentors)
///
/// For programmes where mentors choose: waiting mentees who suit the caller, best first.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/mentees", tag = "requests", params(("slug" = String, Path, description = "Programme slug.")), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Waiting mentees.", body = Vec<MenteeOut>),
        (status = 403, description = "`forbidden`: the caller is not an approved mentor here.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such programme.", body = ErrorBody),
    ))]
pub async fn mentee_suggestions(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<MenteeOut>>, ApiError> {
    let list = s.app.mentee_suggestions(&actor, &slug).await?;
    Ok(Json(
        list.into_iter()
            .map(|m| MenteeOut {
                mentee_id: m.mentee_id.0,
                name: m.name,
                score: m.score,
                explanation: m
                    .explanation
                    .into_iter()
                    .map(|l| format!("{} (+{:.1})", l.sentence, l.points))
                    .collect(),
                offered: m.offered,
            })
            .collect(),
    ))
}

/// An offer to mentor.
#[derive(Deserialize, ToSchema)]
pub struct OfferBody {
    /// The mentee.
    pub mentee_id: uuid::Uuid,
    /// The mentor's message (up to 2000 characters).
    #[serde(default)]
    pub message: String,
}

/// Offer to mentor someone (approved mentors, where mentors choose)
///
/// An offer is a request in the other direction, with the same states; the
/// mentee accepts or declines it.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/offers", tag = "requests", params(("slug" = String, Path, description = "Programme slug.")), request_body = OfferBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "Sent.", body = RequestCreated),
        (status = 403, description = "`forbidden`: the caller is not an approved mentor here.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such programme.", body = ErrorBody),
        (status = 409, description = "`conflict`: mentors do not choose here, the caller is full, or the mentee is matched, blocked or a past pair.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `mentee_id` or `message`.", body = ErrorBody),
    ))]
pub async fn send_offer(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<OfferBody>,
) -> Result<(StatusCode, Json<RequestCreated>), ApiError> {
    let id = s
        .app
        .send_offer(&actor, &slug, PersonId(body.mentee_id), &body.message)
        .await?;
    Ok((StatusCode::CREATED, Json(RequestCreated { id: id.0 })))
}

/// Search filters.
#[derive(Deserialize, utoipa::IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct MentorSearch {
    /// A skill the mentor offers (part of its name).
    pub skill: String,
    /// `professional_contributor`, `team_leader` or `leader_of_leaders`.
    pub level: String,
    /// A language the mentor speaks.
    pub language: String,
    /// At most this many hours from the caller's time zone.
    pub max_hours: String,
    /// Available on this day: `mon` … `sun`.
    pub day: String,
}

/// A mentor in a programme's directory.
#[derive(Serialize, ToSchema)]
pub struct MentorListingOut {
    /// Person id.
    pub mentor_id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// Level.
    pub level: String,
    /// Skills offered.
    pub skills: Vec<String>,
    /// Languages.
    pub languages: Vec<String>,
    /// Time zone.
    pub time_zone: String,
    /// Weekly availability.
    pub availability: Vec<String>,
    /// No space left (or paused).
    pub full: bool,
}

/// Search a programme's mentors
///
/// Anyone who can see the programme; full mentors are listed last, marked full.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/mentors", tag = "requests", params(("slug" = String, Path, description = "Programme slug."), MentorSearch), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Matching mentors.", body = Vec<MentorListingOut>),
        (status = 404, description = "`not_found`: no such programme.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `level`, `max_hours` or `day`.", body = ErrorBody),
    ))]
pub async fn search_mentors(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    super::ApiQuery(q): super::ApiQuery<MentorSearch>,
) -> Result<Json<Vec<MentorListingOut>>, ApiError> {
    let f = rapport_app::recommend::MentorFilter {
        skill: q.skill,
        level: q.level,
        language: q.language,
        max_hours: q.max_hours,
        day: q.day,
    };
    let list = s.app.mentor_directory(&actor, &slug, &f).await?;
    Ok(Json(
        list.into_iter()
            .map(|m| MentorListingOut {
                mentor_id: m.mentor_id.0,
                name: m.name,
                level: m.level,
                skills: m.skills,
                languages: m.languages,
                time_zone: m.time_zone,
                availability: m.availability,
                full: m.full,
            })
            .collect(),
    ))
}
