//! Programmes, enrolment, matching rounds and rooms.

use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use rapport_app::enrolment::EnrolInput;
use rapport_app::programmes::{ProgrammeInput, ProgrammeView};
use rapport_app::rooms::RoomView;
use rapport_app::rounds::RoundView;
use rapport_app::AppError;
use rapport_domain::{EnrolmentId, PersonId, RoomId};
use rapport_store::EnrolmentView;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

fn parse<T: std::str::FromStr>(raw: &str, what: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| {
        AppError::NotFound(format!("no {what} has this id; check the id in the path")).into()
    })
}

/// A programme's definition, as written by managers. Missing fields take
/// their defaults; every invalid field is reported at once.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ProgrammeBody {
    /// Name, 2–120 characters.
    #[schema(required = true)]
    pub name: String,
    /// URL slug; made from the name when empty.
    pub slug: String,
    /// Description.
    pub description: String,
    /// `one_to_one`, `group`, `peer`, `reverse` or `circle` (creation only).
    pub kind: String,
    /// First day, `YYYY-MM-DD`.
    pub starts_on: String,
    /// Last day, `YYYY-MM-DD`.
    pub ends_on: String,
    /// `weekly`, `every_two_weeks` (default) or `monthly`.
    pub cadence: String,
    /// Default mentor capacity, 1–50 (default 2), as a number or a string.
    #[schema(value_type = String)]
    pub default_capacity: serde_json::Value,
    /// `managers` (default), `mentees_request` or `mentors_choose`.
    pub matching_mode: String,
    /// Keep taking enrolments and rounds while running.
    pub rolling_admission: bool,
    /// Days a request waits for an answer, 1–90 (default 14).
    #[schema(value_type = String)]
    pub request_expiry_days: serde_json::Value,
    /// Enrolment questions, one per line: `single: Question? | A | B | weight=10`,
    /// `multiple: …`, or `text: …`.
    pub questions: String,
    /// Goal catalogue, comma-separated.
    pub goals: String,
    /// Smallest peer circle, 2–20 (default 4).
    #[schema(value_type = String)]
    pub group_min: serde_json::Value,
    /// Largest peer circle, 2–20 (default 8).
    #[schema(value_type = String)]
    pub group_max: serde_json::Value,
}

fn text_of(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl From<ProgrammeBody> for ProgrammeInput {
    fn from(b: ProgrammeBody) -> Self {
        Self {
            default_capacity: text_of(&b.default_capacity),
            request_expiry_days: text_of(&b.request_expiry_days),
            group_min: text_of(&b.group_min),
            group_max: text_of(&b.group_max),
            name: b.name,
            slug: b.slug,
            description: b.description,
            kind: b.kind,
            starts_on: b.starts_on,
            ends_on: b.ends_on,
            cadence: b.cadence,
            matching_mode: b.matching_mode,
            rolling_admission: b.rolling_admission,
            questions: b.questions,
            goals: b.goals,
        }
    }
}

/// A programme question.
#[derive(Serialize, ToSchema)]
pub struct QuestionOut {
    /// Id (`q1`, …): the key of answers.
    pub id: String,
    /// What is asked.
    pub prompt: String,
    /// `single`, `multiple` or `text`.
    pub kind: String,
    /// Options of a choice question.
    pub options: Vec<String>,
    /// Weight of similar answers in matching (0: none).
    pub weight: u32,
}

/// A programme as the caller sees it.
#[derive(Serialize, ToSchema)]
pub struct ProgrammeOut {
    /// Id.
    pub id: uuid::Uuid,
    /// URL slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Kind.
    pub kind: String,
    /// `draft`, `open`, `running` or `closed`.
    pub status: String,
    /// First day.
    pub starts_on: Option<String>,
    /// Last day.
    pub ends_on: Option<String>,
    /// Meeting cadence.
    pub cadence: String,
    /// Default mentor capacity.
    pub default_capacity: i32,
    /// Matching mode.
    pub matching_mode: String,
    /// Rolling admission.
    pub rolling_admission: bool,
    /// Days a request waits.
    pub request_expiry_days: i32,
    /// Enrolment questions.
    pub questions: Vec<QuestionOut>,
    /// Goal catalogue.
    pub goals: Vec<String>,
    /// Smallest peer circle.
    pub group_min: i32,
    /// Largest peer circle.
    pub group_max: i32,
    /// Whether the caller manages it.
    pub can_manage: bool,
    /// The caller's roles in it.
    pub my_roles: Vec<String>,
    /// Whether it takes enrolments now.
    pub taking_enrolments: bool,
}

impl From<ProgrammeView> for ProgrammeOut {
    fn from(v: ProgrammeView) -> Self {
        let p = v.record;
        Self {
            id: p.id.0,
            slug: p.slug,
            name: p.name,
            description: p.description,
            kind: p.kind.code().into(),
            status: p.status.code().into(),
            starts_on: p.starts_on,
            ends_on: p.ends_on,
            cadence: p.cadence.code().into(),
            default_capacity: p.default_capacity,
            matching_mode: p.matching_mode.code().into(),
            rolling_admission: p.rolling_admission,
            request_expiry_days: p.request_expiry_days,
            questions: v
                .questions
                .into_iter()
                .map(|q| QuestionOut {
                    kind: serde_json::to_value(q.kind)
                        .ok()
                        .and_then(|k| k.as_str().map(String::from))
                        .unwrap_or_default(),
                    id: q.id,
                    prompt: q.prompt,
                    options: q.options,
                    weight: q.weight,
                })
                .collect(),
            goals: v.goals,
            group_min: p.group_min,
            group_max: p.group_max,
            can_manage: v.can_manage,
            my_roles: v.my_roles.iter().map(|r| r.code().to_string()).collect(),
            taking_enrolments: v.taking_enrolments,
        }
    }
}

/// List programmes
///
/// Every open, running or closed programme, and the drafts the caller manages.
#[utoipa::path(get, path = "/api/v1/programmes", tag = "programmes", security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "The programmes.", body = Vec<ProgrammeOut>)))]
pub async fn list_programmes(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<ProgrammeOut>>, ApiError> {
    Ok(Json(
        s.app
            .programmes(&actor)
            .await?
            .into_iter()
            .map(ProgrammeOut::from)
            .collect(),
    ))
}

/// Create a programme (admin)
///
/// The programme starts as a draft and the caller becomes its manager.
#[utoipa::path(post, path = "/api/v1/programmes", tag = "programmes", request_body = ProgrammeBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The new programme.", body = ProgrammeOut),
        (status = 403, description = "`forbidden`: only admins create programmes.", body = ErrorBody),
        (status = 409, description = "`conflict` on `slug`: the address is taken.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: every bad field is named.", body = ErrorBody),
    ))]
pub async fn create_programme(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<ProgrammeBody>,
) -> Result<(StatusCode, Json<ProgrammeOut>), ApiError> {
    let p = s.app.create_programme(&actor, &body.into()).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

/// Read a programme
///
/// Drafts are 404 for everyone but their managers and admins.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}", tag = "programmes", params(("slug" = String, Path, description = "Programme slug.")), security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "The programme.", body = ProgrammeOut), (status = 404, description = "`not_found`.", body = ErrorBody)))]
pub async fn get_programme(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<ProgrammeOut>, ApiError> {
    Ok(Json(s.app.programme(&actor, &slug).await?.into()))
}

/// Replace a programme's definition (managers)
///
/// Every field of the definition; the kind cannot change and the status
/// moves with `POST …/status`.
#[utoipa::path(put, path = "/api/v1/programmes/{slug}", tag = "programmes", params(("slug" = String, Path, description = "Programme slug.")), request_body = ProgrammeBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The saved programme.", body = ProgrammeOut),
        (status = 403, description = "`forbidden`: not a manager of this programme.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: every bad field is named.", body = ErrorBody),
    ))]
pub async fn update_programme(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<ProgrammeBody>,
) -> Result<Json<ProgrammeOut>, ApiError> {
    Ok(Json(
        s.app
            .update_programme(&actor, &slug, &body.into())
            .await?
            .into(),
    ))
}

/// A status move.
#[derive(Deserialize, ToSchema)]
pub struct StatusBody {
    /// `open`, `running` or `closed`.
    pub status: String,
}

/// Move a programme's status (managers)
///
/// Allowed: draft → open → running → closed, and open → closed. Any other
/// move is 409 with the allowed moves in the message.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/status", tag = "programmes", params(("slug" = String, Path, description = "Programme slug.")), request_body = StatusBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The programme after the move.", body = ProgrammeOut),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody), (status = 404, description = "`not_found`: no such programme, or a draft the caller does not manage.", body = ErrorBody),
        (status = 409, description = "`conflict` on `status`: the move is not allowed.", body = ErrorBody),
    ))]
pub async fn move_programme(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<StatusBody>,
) -> Result<Json<ProgrammeOut>, ApiError> {
    Ok(Json(
        s.app
            .move_programme(&actor, &slug, &body.status)
            .await?
            .into(),
    ))
}

/// An application to a programme.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct EnrolBody {
    /// `mentee`, `mentor`, `both` (one-to-one, group, reverse), `peer`, or `facilitator` (circles, groups).
    #[schema(required = true)]
    pub role: String,
    /// Answers by question id: a list of chosen options, or `[text]`.
    pub answers: BTreeMap<String, Vec<String>>,
    /// Mentors: mentees they can take (1–50); empty for the programme's default.
    pub capacity: String,
    /// Preferred gender of the other person.
    pub preferred_gender: String,
    /// Whether the gender preference is a must.
    pub gender_is_hard: bool,
    /// `same`, `different` or empty.
    pub department: String,
    /// Whether the department preference is a must.
    pub department_is_hard: bool,
    /// Emails of people not to be matched with, comma-separated.
    pub avoid: String,
    /// Consent to use gender, department and reporting line for matching.
    pub consent_sensitive: bool,
    /// Acceptance of the code of conduct (required).
    #[schema(required = true)]
    pub accept_conduct: bool,
}

impl From<EnrolBody> for EnrolInput {
    fn from(b: EnrolBody) -> Self {
        Self {
            role: b.role,
            answers: b.answers,
            capacity: b.capacity,
            preferred_gender: b.preferred_gender,
            gender_is_hard: b.gender_is_hard,
            department: b.department,
            department_is_hard: b.department_is_hard,
            avoid: b.avoid,
            consent_sensitive: b.consent_sensitive,
            accept_conduct: b.accept_conduct,
        }
    }
}

/// Enrolment ids.
#[derive(Serialize, ToSchema)]
pub struct EnrolledOut {
    /// One per role applied for.
    pub enrolments: Vec<uuid::Uuid>,
}

/// Apply to a programme
///
/// The application waits for a manager. Enrolling twice in a role is 409.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/enrolments", tag = "programmes", params(("slug" = String, Path, description = "Programme slug.")), request_body = EnrolBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "Applied.", body = EnrolledOut),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: already enrolled, or the programme is not taking enrolments.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: every bad field is named (`answers`, `accept_conduct`, …).", body = ErrorBody),
    ))]
pub async fn enrol(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<EnrolBody>,
) -> Result<(StatusCode, Json<EnrolledOut>), ApiError> {
    let ids = s.app.enrol(&actor, &slug, &body.into()).await?;
    Ok((
        StatusCode::CREATED,
        Json(EnrolledOut {
            enrolments: ids.into_iter().map(|i| i.0).collect(),
        }),
    ))
}

/// An enrolment, for managers.
#[derive(Serialize, ToSchema)]
pub struct EnrolmentOut {
    /// Id.
    pub id: uuid::Uuid,
    /// Person.
    pub person_id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Role.
    pub role: String,
    /// `applied`, `approved`, `waitlisted`, `declined` or `withdrawn`.
    pub status: String,
    /// Mentor capacity.
    pub capacity: i32,
    /// Answers by question id.
    #[schema(value_type = Object)]
    pub answers: serde_json::Value,
    /// Applied (Unix ms).
    pub created_at: i64,
}

impl From<EnrolmentView> for EnrolmentOut {
    fn from(v: EnrolmentView) -> Self {
        let e = v.enrolment;
        Self {
            id: e.id.0,
            person_id: e.person_id.0,
            name: v.name,
            email: v.email,
            role: e.role.code().into(),
            status: e.status.code().into(),
            capacity: e.capacity,
            answers: e
                .answers
                .into_iter()
                .map(|(k, v)| (k, v.into()))
                .collect::<serde_json::Map<_, _>>()
                .into(),
            created_at: e.created_at,
        }
    }
}

/// List enrolments (managers)
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/enrolments", tag = "programmes", params(("slug" = String, Path, description = "Programme slug.")), security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "Every enrolment, oldest first.", body = Vec<EnrolmentOut>), (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody), (status = 404, description = "`not_found`: no such programme, or a draft the caller does not manage.", body = ErrorBody)))]
pub async fn list_enrolments(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<EnrolmentOut>>, ApiError> {
    let (_, list) = s.app.enrolments(&actor, &slug).await?;
    Ok(Json(list.into_iter().map(EnrolmentOut::from).collect()))
}

/// A manager's decision.
#[derive(Deserialize, ToSchema)]
pub struct DecisionBody {
    /// `approved`, `waitlisted` or `declined`.
    pub decision: String,
}

/// Decide on an application (managers)
///
/// Approval grants the role; the person is told by email.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/enrolments/{id}/decision", tag = "programmes",
    params(("slug" = String, Path, description = "Programme slug."), ("id" = uuid::Uuid, Path, description = "Enrolment id.")), request_body = DecisionBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Decided."),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such enrolment in this programme.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `decision`.", body = ErrorBody),
    ))]
pub async fn decide_enrolment(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<StatusCode, ApiError> {
    let id: EnrolmentId = parse(&id, "enrolment")?;
    s.app
        .decide_enrolment(&actor, &slug, id, &body.decision)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Matching settings as TOML.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct SettingsBody {
    /// The settings in the schema `rapport match assign --settings` reads.
    pub toml: String,
}

/// Read the matching settings (managers)
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/settings", tag = "programmes", params(("slug" = String, Path, description = "Programme slug.")), security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "The settings.", body = SettingsBody), (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody), (status = 404, description = "`not_found`: no such programme, or a draft the caller does not manage.", body = ErrorBody)))]
pub async fn get_matching_settings(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<SettingsBody>, ApiError> {
    Ok(Json(SettingsBody {
        toml: s.app.matching_settings(&actor, &slug).await?,
    }))
}

/// Replace the matching settings (managers)
///
/// Unknown settings and bad values are 422 on `settings`, naming the setting.
#[utoipa::path(put, path = "/api/v1/programmes/{slug}/settings", tag = "programmes", params(("slug" = String, Path, description = "Programme slug.")), request_body = SettingsBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Saved."),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody), (status = 404, description = "`not_found`: no such programme, or a draft the caller does not manage.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `settings`.", body = ErrorBody),
    ))]
pub async fn put_matching_settings(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<SettingsBody>,
) -> Result<StatusCode, ApiError> {
    s.app
        .set_matching_settings(&actor, &slug, &body.toml)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

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
    /// (`person_id`, `name`, `reason`, `fix`), `fixes`, `pool`, `placed`,
    /// `mentors`, `total_score`, `upper_bound` (circles), `certified`,
    /// `free_slots`, `millis`.
    #[schema(value_type = Object)]
    pub result: serde_json::Value,
}

impl From<RoundView> for RoundOut {
    fn from(r: RoundView) -> Self {
        Self {
            id: r.id.0,
            status: r.status.code().into(),
            created_at: r.created_at,
            result: serde_json::to_value(r.result).unwrap_or_default(),
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
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/rounds/{id}/publish", tag = "programmes",
    params(("slug" = String, Path, description = "Programme slug."), ("id" = uuid::Uuid, Path, description = "Round id.")), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Published.", body = PublishedOut),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: the round is not a draft.", body = ErrorBody),
    ))]
pub async fn publish_round(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<PublishedOut>, ApiError> {
    let id: rapport_domain::RoundId = parse(&id, "round")?;
    let p = s.app.publish_round(&actor, &slug, id).await?;
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
/// `participants`, `matched`, `pending`, `unmatched`, `median_days_to_match`,
/// `waiting` (oldest first), `loads` (mentor seats against capacity) and
/// `applications` waiting for a decision.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/coverage", tag = "programmes", params(("slug" = String, Path, description = "Programme slug.")), security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "The dashboard.", body = Object), (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody), (status = 404, description = "`not_found`: no such programme, or a draft the caller does not manage.", body = ErrorBody)))]
pub async fn coverage(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let c = s.app.coverage(&actor, &slug).await?;
    Ok(Json(
        serde_json::to_value(c).map_err(|e| AppError::Internal(e.to_string()))?,
    ))
}

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

/// The import's options.
#[derive(Deserialize, utoipa::IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Check the file and report, writing nothing.
    pub dry_run: bool,
}

/// What an import did, or would do.
#[derive(Serialize, ToSchema)]
pub struct ImportOut {
    /// Data rows read.
    pub rows: usize,
    /// Invitations sent (new accounts).
    pub created: usize,
    /// Existing profiles changed.
    pub updated: usize,
    /// Enrolments created, approved or changed.
    pub enrolled: usize,
    /// Whether this was a dry run.
    pub dry_run: bool,
}

/// Import participants from CSV (managers)
///
/// The body is the CSV file itself (`Content-Type: text/csv`, UTF-8, a BOM
/// and CRLF are fine), up to 8 MiB; its columns are in the programme
/// manager's guide. Every row is checked first: with any error nothing is
/// imported and the answer is 422 `invalid_field`, whose `fields` name each
/// problem as `line N: column`.
/// People without an account are invited.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/import", tag = "programmes",
    params(("slug" = String, Path, description = "Programme slug."), ImportParams),
    request_body(content = String, content_type = "text/csv", description = "The CSV file."),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Imported (or, with `dry_run`, clean).", body = ImportOut),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such programme, or a draft the caller does not manage.", body = ErrorBody),
        (status = 409, description = "`conflict`: the programme is closed.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: the file has problems (each in `fields` as `line N: column`); nothing was imported.", body = ErrorBody),
    ))]
pub async fn import_people(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    super::ApiQuery(params): super::ApiQuery<ImportParams>,
    body: axum::body::Body,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    // Permission first, then the upload.
    s.app.enrolments(&actor, &slug).await?;
    let data = axum::body::to_bytes(body, crate::pages::IMPORT_LIMIT)
        .await
        .map_err(|_| ApiError::too_large())?;
    let r = s
        .app
        .import_people(&actor, &slug, &data, params.dry_run)
        .await?;
    if !r.errors.is_empty() {
        return Err(ApiError::invalid_fields(
            format!(
                "{} problems in the file; nothing was imported",
                r.errors.len()
            ),
            r.errors
                .into_iter()
                .map(|e| (format!("line {}: {}", e.line, e.field), e.message))
                .collect(),
        ));
    }
    let out = ImportOut {
        rows: r.rows,
        created: r.created,
        updated: r.updated,
        enrolled: r.enrolled,
        dry_run: r.dry_run,
    };
    Ok((StatusCode::OK, Json(out)).into_response())
}

/// Export participants as CSV (managers)
///
/// The same columns the import reads, one row per approved participant.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/export", tag = "programmes",
    params(("slug" = String, Path, description = "Programme slug.")), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The CSV file.", body = String, content_type = "text/csv"),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such programme, or a draft the caller does not manage.", body = ErrorBody),
    ))]
pub async fn export_people(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let csv = s.app.export_people(&actor, &slug).await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        csv,
    )
        .into_response())
}

/// A programme manager.
#[derive(Serialize, ToSchema)]
pub struct ManagerOut {
    /// Person id.
    pub person_id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
}

/// List a programme's managers (managers)
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/managers", tag = "programmes", params(("slug" = String, Path, description = "Programme slug.")), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The managers.", body = Vec<ManagerOut>),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such programme, or a draft the caller does not manage.", body = ErrorBody),
    ))]
pub async fn list_managers(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<ManagerOut>>, ApiError> {
    let list = s.app.programme_managers(&actor, &slug).await?;
    Ok(Json(
        list.into_iter()
            .map(|(id, name, email)| ManagerOut {
                person_id: id.0,
                name,
                email,
            })
            .collect(),
    ))
}

/// A new manager.
#[derive(Deserialize, ToSchema)]
pub struct ManagerBody {
    /// Email of an existing account.
    pub email: String,
}

/// Add a manager (managers)
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/managers", tag = "programmes", params(("slug" = String, Path, description = "Programme slug.")), request_body = ManagerBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Added (adding a manager twice is fine)."),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such programme, or a draft the caller does not manage.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `email`: not an email, or nobody has that account.", body = ErrorBody),
    ))]
pub async fn add_manager(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<ManagerBody>,
) -> Result<StatusCode, ApiError> {
    s.app.add_manager(&actor, &slug, &body.email).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a manager (managers)
///
/// The last manager cannot be removed (409).
#[utoipa::path(delete, path = "/api/v1/programmes/{slug}/managers/{id}", tag = "programmes",
    params(("slug" = String, Path, description = "Programme slug."), ("id" = uuid::Uuid, Path, description = "The manager's person id.")), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Removed."),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such programme or manager.", body = ErrorBody),
        (status = 409, description = "`conflict`: the last manager.", body = ErrorBody),
    ))]
pub async fn remove_manager(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id: PersonId = parse(&id, "manager")?;
    s.app.remove_manager(&actor, &slug, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The community's code of conduct.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ConductBody {
    /// The text members accept when they enrol (20–20,000 characters).
    pub code_of_conduct: String,
}

/// Read the code of conduct
#[utoipa::path(get, path = "/api/v1/code-of-conduct", tag = "programmes", security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "The code of conduct.", body = ConductBody)))]
pub async fn get_conduct(
    State(s): State<AppState>,
    ApiActor(_actor): ApiActor,
) -> Result<Json<ConductBody>, ApiError> {
    Ok(Json(ConductBody {
        code_of_conduct: s.app.code_of_conduct().await?,
    }))
}

/// Replace the code of conduct (admin)
#[utoipa::path(put, path = "/api/v1/code-of-conduct", tag = "programmes", request_body = ConductBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Saved."),
        (status = 403, description = "`forbidden`: admins only.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `code_of_conduct`.", body = ErrorBody),
    ))]
pub async fn put_conduct(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<ConductBody>,
) -> Result<StatusCode, ApiError> {
    s.app
        .set_code_of_conduct(&actor, &body.code_of_conduct)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Leave a programme in one role
///
/// The caller's own enrolment is withdrawn and the role taken away; they can
/// apply again later.
#[utoipa::path(delete, path = "/api/v1/programmes/{slug}/enrolments/mine/{role}", tag = "programmes",
    params(("slug" = String, Path, description = "Programme slug."), ("role" = String, Path, description = "`mentee`, `mentor`, `peer` or `facilitator`.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Withdrawn."),
        (status = 404, description = "`not_found`: no such programme, or not enrolled in that role.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `role`.", body = ErrorBody),
    ))]
pub async fn withdraw_enrolment(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, role)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    s.app.withdraw_enrolment(&actor, &slug, &role).await?;
    Ok(StatusCode::NO_CONTENT)
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
