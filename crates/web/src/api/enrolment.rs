//! Enrolment: applying to a programme, managers' decisions, and leaving.

use super::programmes::parse;
use super::{paged_json, ApiJson, ApiQuery};
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use rapport_app::enrolment::EnrolInput;
use rapport_app::lists::ListQuery;
use rapport_app::participants::ParticipantQuery;
use rapport_domain::EnrolmentId;
use rapport_store::EnrolmentView;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

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
    /// 1–5: "How confident are you that you can reach your development
    /// goals?" (optional; the same question is asked at closure).
    #[schema(minimum = 1, maximum = 5)]
    pub self_efficacy: Option<i64>,
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
            self_efficacy: b.self_efficacy.map(|n| n.to_string()).unwrap_or_default(),
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
        (status = 422, description = "`invalid_field`: every bad field is named (`answers`, `accept_conduct`, `self_efficacy`, …).", body = ErrorBody),
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
    /// The answer to the self-efficacy question at enrolment (1–5), if given.
    pub self_efficacy: Option<i32>,
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
            self_efficacy: v.self_efficacy,
        }
    }
}

/// Which participants, in which order, and which page.
#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct EnrolmentParams {
    /// Only this status: `applied` (new applications), `approved`,
    /// `waitlisted`, `declined` or `withdrawn`. None or `all`: every status.
    pub status: Option<String>,
    /// Only this role (one the programme enrols, or `manager`). None or
    /// `all`: every role.
    pub role: Option<String>,
    /// Only people whose name or email contains this text (any case, up to
    /// 100 characters).
    pub q: Option<String>,
    /// `newest` (the default: new applications first) or `oldest`.
    pub sort: Option<String>,
    /// Where to continue: the opaque cursor from the `Link` header of the
    /// previous answer. None: the first page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 50).
    pub limit: Option<i64>,
}

/// List enrolments (managers)
///
/// One page of the programme's enrolments, newest first (`sort=oldest` for
/// the oldest first), narrowed by `status`, `role` and `q`. Paginated by
/// cursor: a request without `cursor` gets the first page, and the next (and
/// previous) page is in the `Link` header, which keeps the filters. The
/// `X-Applications` header counts the applications waiting for a decision
/// (up to 1,000; `1001` means more).
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/enrolments", tag = "programmes", params(("slug" = String, Path, description = "Programme slug."), EnrolmentParams), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of enrolments.", body = Vec<EnrolmentOut>,
            headers(
                ("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."),
                ("x-applications" = i64, description = "Applications waiting for a decision, counted up to 1,001."),
            )),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such programme, or a draft the caller does not manage.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `status`, `role`, `q` or `sort` is not one the list takes, `limit` is not 1 to 100, or `cursor` is not one Rapport made.", body = ErrorBody),
    ))]
pub async fn list_enrolments(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiQuery(params): ApiQuery<EnrolmentParams>,
) -> Result<Response, ApiError> {
    let list = ListQuery {
        page: None,
        cursor: params.cursor,
        limit: params.limit,
    };
    let query = ParticipantQuery {
        status: params.status,
        role: params.role,
        q: params.q,
        sort: params.sort,
    };
    let (_, limit) = list.window()?;
    let found = s.app.participants(&actor, &slug, &query, &list).await?;
    let path = format!(
        "/api/v1/programmes/{slug}{}",
        crate::pages::participants_query(&found, "enrolments")
    );
    let mut response = paged_json(&s, &path, limit, found.page, |items| {
        items
            .into_iter()
            .map(EnrolmentOut::from)
            .collect::<Vec<_>>()
    });
    response.headers_mut().insert(
        "x-applications",
        axum::http::HeaderValue::from(found.applications),
    );
    Ok(response)
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
