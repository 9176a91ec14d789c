//! Importing and exporting a programme's participants as CSV.

use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
    s.app.programme_to_manage(&actor, &slug).await?;
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
