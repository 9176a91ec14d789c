//! Programmes: their definition and status, matching settings, managers and
//! the code of conduct. Enrolment, rounds, rooms and the CSV import/export
//! live in their sibling modules, as they do in `rapport_app`.

use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use rapport_app::programmes::{ProgrammeInput, ProgrammeView};
use rapport_app::AppError;
use rapport_domain::PersonId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Parses an id from the path; one that does not parse names no record, so
/// it is a 404 like any other unknown id.
pub(super) fn parse<T: std::str::FromStr>(raw: &str, what: &str) -> Result<T, ApiError> {
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
    /// Enrolment questions: a list of question objects (send back each
    /// question's `id` to keep its answers with it), or the older one-line
    /// form as one string (`single: Question? | A | B | weight=10`,
    /// `multiple: …`, `text: …`, `scale: …`).
    pub questions: QuestionsIn,
    /// Goal catalogue, comma-separated.
    pub goals: String,
    /// Smallest peer circle, 2–20 (default 4).
    #[schema(value_type = String)]
    pub group_min: serde_json::Value,
    /// Largest peer circle, 2–20 (default 8).
    #[schema(value_type = String)]
    pub group_max: serde_json::Value,
}

/// Enrolment questions as a client sends them.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(untagged)]
pub enum QuestionsIn {
    /// The list (issue 18 §2).
    List(Vec<QuestionIn>),
    /// The one-line form, one question per line.
    Lines(String),
}

impl Default for QuestionsIn {
    fn default() -> Self {
        Self::Lines(String::new())
    }
}

/// One enrolment question as a client sends it. Errors name it as
/// `questions[i].prompt`, `questions[i].kind`, `questions[i].choices` or
/// `questions[i].weight` (`i` from 0).
#[derive(Deserialize, Serialize, ToSchema)]
pub struct QuestionIn {
    /// The id of an existing question this keeps (its answers stay with
    /// it); omit for a new question, which gets a new id.
    #[serde(default)]
    pub id: String,
    /// What is asked, 1–300 characters.
    pub prompt: String,
    /// `text`, `single`, `multiple` or `scale` (1 to 5).
    pub kind: String,
    /// Options of a choice question (two or more), or a scale's labels
    /// (none, two for 1 and 5, or five).
    #[serde(default, alias = "options")]
    pub choices: Vec<String>,
    /// Whether enrolling needs an answer.
    #[serde(default)]
    pub required: bool,
    /// Weight of similar answers in matching, 0–100.
    #[serde(default)]
    pub weight: u32,
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
            questions: match &b.questions {
                QuestionsIn::Lines(lines) => lines.clone(),
                QuestionsIn::List(_) => String::new(),
            },
            question_list: match b.questions {
                QuestionsIn::Lines(_) => None,
                QuestionsIn::List(list) => Some(
                    list.into_iter()
                        .map(|q| rapport_domain::questions::QuestionDraft {
                            id: q.id,
                            prompt: q.prompt,
                            kind: q.kind,
                            choices: q.choices,
                            required: q.required,
                            weight: q.weight.to_string(),
                        })
                        .collect(),
                ),
            },
            goals: b.goals,
        }
    }
}

/// A programme question.
#[derive(Serialize, ToSchema)]
pub struct QuestionOut {
    /// Stable id: the key of answers; it never changes when questions are
    /// reordered or others removed.
    pub id: String,
    /// What is asked.
    pub prompt: String,
    /// `single`, `multiple`, `text` or `scale`.
    pub kind: String,
    /// Options of a choice question, or a scale's labels.
    pub options: Vec<String>,
    /// Weight of similar answers in matching (0: none).
    pub weight: u32,
    /// Whether enrolling needs an answer.
    pub required: bool,
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
            slug: p.slug.into(),
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
                    kind: q.kind.code().into(),
                    required: q.required,
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
    /// The status to move to: `open`, `running` or `closed` (`draft` is a
    /// valid status but no move leads back to it).
    pub status: String,
    /// Closing must be confirmed (issue 18 §5): without `true`, a move to
    /// `closed` changes nothing and answers 409 on `confirm`, saying what
    /// closing would do.
    #[serde(default)]
    pub confirm: bool,
}

/// Move a programme's status (managers)
///
/// The statuses are `draft`, `open`, `running` and `closed`. Allowed moves:
/// draft → open → running → closed, and open → closed. Any other status is
/// 422; any other move between valid statuses is 409 with the allowed moves
/// in the message.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/status", tag = "programmes", params(("slug" = String, Path, description = "Programme slug.")), request_body = StatusBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The programme after the move.", body = ProgrammeOut),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody), (status = 404, description = "`not_found`: no such programme, or a draft the caller does not manage.", body = ErrorBody),
        (status = 409, description = "`conflict` on `status`: the move is not allowed; on `confirm`: closing was not confirmed (the message says what closing would do).", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `status`: not one of `draft`, `open`, `running` or `closed`.", body = ErrorBody),
    ))]
pub async fn move_programme(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<StatusBody>,
) -> Result<Json<ProgrammeOut>, ApiError> {
    Ok(Json(
        s.app
            .move_programme_confirmed(&actor, &slug, &body.status, body.confirm)
            .await?
            .into(),
    ))
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
/// The last manager cannot be removed (409). Removing must be confirmed
/// (issue 18 §5): send `?confirm=true` or the body `{"confirm": true}`;
/// without it nothing changes (409 on `confirm`, saying what would happen).
#[utoipa::path(delete, path = "/api/v1/programmes/{slug}/managers/{id}", tag = "programmes",
    params(("slug" = String, Path, description = "Programme slug."), ("id" = uuid::Uuid, Path, description = "The manager's person id."), ("confirm" = Option<bool>, Query, description = "`true` confirms the removal.")),
    request_body(content = Option<super::confirming::ConfirmBody>, description = "Optional: `{\"confirm\": true}` confirms the removal."), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Removed."),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such programme or manager.", body = ErrorBody),
        (status = 409, description = "`conflict`: not confirmed (on `confirm`), or the last manager.", body = ErrorBody),
    ))]
pub async fn remove_manager(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
    super::confirming::Confirmation(confirm): super::confirming::Confirmation,
) -> Result<StatusCode, ApiError> {
    let id: PersonId = parse(&id, "manager")?;
    s.app
        .remove_manager_confirmed(&actor, &slug, id, confirm)
        .await?;
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
