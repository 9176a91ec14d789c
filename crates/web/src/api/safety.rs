//! Safety: blocking people, and confidential reports to a programme's
//! managers.

use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use rapport_app::AppError;
use rapport_domain::{PersonId, RequestId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Block a person
///
/// You are never matched or recommended to each other, neither can send the
/// other requests or offers, and open requests between you are closed.
#[utoipa::path(put, path = "/api/v1/people/{id}/block", tag = "safety", params(("id" = uuid::Uuid, Path, description = "Person id.")), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Blocked (blocking twice is fine)."),
        (status = 404, description = "`not_found`: no such person, or not yours to see.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `person_id`: yourself.", body = ErrorBody),
    ))]
pub async fn block_person(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    super::IdPath(id): super::IdPath<PersonId>,
) -> Result<StatusCode, ApiError> {
    s.app.block(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lift a block
#[utoipa::path(delete, path = "/api/v1/people/{id}/block", tag = "safety", params(("id" = uuid::Uuid, Path, description = "Person id.")), security(("cookie" = []), ("bearer" = [])),
    responses((status = 204, description = "Lifted."), (status = 404, description = "`not_found`: you had not blocked them.", body = ErrorBody)))]
pub async fn unblock_person(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    super::IdPath(id): super::IdPath<PersonId>,
) -> Result<StatusCode, ApiError> {
    s.app.unblock(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A report to a programme's managers.
#[derive(Deserialize, ToSchema)]
pub struct ReportBody {
    /// The person reported.
    pub person_id: Option<uuid::Uuid>,
    /// A request of yours that is reported.
    pub request_id: Option<uuid::Uuid>,
    /// What happened (10–4000 characters).
    pub reason: String,
}

/// The new report.
#[derive(Serialize, ToSchema)]
pub struct ReportCreated {
    /// Report id.
    pub id: uuid::Uuid,
}

/// Report a person or a request (participants)
///
/// Confidential: only the programme's managers and admins read it.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/reports", tag = "safety", params(("slug" = String, Path, description = "Programme slug.")), request_body = ReportBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "Filed.", body = ReportCreated),
        (status = 403, description = "`forbidden`: the caller takes no part in this programme.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such programme.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `reason`, `person_id` or `request_id`.", body = ErrorBody),
    ))]
pub async fn file_report(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<ReportBody>,
) -> Result<(StatusCode, Json<ReportCreated>), ApiError> {
    let id = s
        .app
        .report(
            &actor,
            &slug,
            body.person_id.map(PersonId),
            body.request_id.map(RequestId),
            &body.reason,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(ReportCreated { id: id.0 })))
}

/// A report in the managers' queue.
#[derive(Serialize, ToSchema)]
pub struct ReportOut {
    /// Id.
    pub id: uuid::Uuid,
    /// Reporter's name.
    pub reporter: Option<String>,
    /// Reported person's name.
    pub subject: Option<String>,
    /// Reported person's id.
    pub subject_id: Option<uuid::Uuid>,
    /// Reported request.
    pub request_id: Option<uuid::Uuid>,
    /// What happened.
    pub reason: String,
    /// `open` or `resolved`.
    pub status: String,
    /// What the managers did.
    pub resolution: Option<String>,
    /// Filed (Unix ms).
    pub created_at: i64,
}

/// The reports queue (managers)
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/reports", tag = "safety", params(("slug" = String, Path, description = "Programme slug.")), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Open reports first, oldest first.", body = Vec<ReportOut>),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such programme.", body = ErrorBody),
    ))]
pub async fn list_reports(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<ReportOut>>, ApiError> {
    let list = s.app.reports(&actor, &slug).await?;
    Ok(Json(
        list.into_iter()
            .map(|r| ReportOut {
                id: r.id.0,
                reporter: r.reporter,
                subject: r.subject,
                subject_id: r.subject_id.map(|p| p.0),
                request_id: r.request_id.map(|p| p.0),
                reason: r.reason,
                status: r.status.code().into(),
                resolution: r.resolution,
                created_at: r.created_at,
            })
            .collect(),
    ))
}

/// What the managers did.
#[derive(Deserialize, ToSchema)]
pub struct ResolveBody {
    /// What was done (3–4000 characters).
    pub resolution: String,
}

/// Resolve a report (managers)
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/reports/{id}/resolve", tag = "safety",
    params(("slug" = String, Path, description = "Programme slug."), ("id" = uuid::Uuid, Path, description = "Report id.")), request_body = ResolveBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Resolved."),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody),
        (status = 404, description = "`not_found`: no open report with this id here.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `resolution`.", body = ErrorBody),
    ))]
pub async fn resolve_report(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<ResolveBody>,
) -> Result<StatusCode, ApiError> {
    let id: rapport_domain::ReportId = id
        .parse()
        .map_err(|_| ApiError::from(AppError::NotFound("no report has this id".into())))?;
    s.app
        .resolve_report(&actor, &slug, id, &body.resolution)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
