//! Importing and exporting a programme's participants as CSV.

use super::{render, Ctx};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use rapport_app::AppError;

/// Largest CSV file an import takes (about 50,000 rows).
pub const IMPORT_LIMIT: usize = 8 * 1024 * 1024;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    ctx: Ctx,
    title: String,
    name: String,
    slug: String,
    report: Option<rapport_app::csv_people::ImportReport>,
    error: Option<String>,
}

async fn import_page_for(
    s: &AppState,
    who: &PageActor,
    slug: &str,
    report: Option<rapport_app::csv_people::ImportReport>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let p = s.app.programme_to_manage(&who.actor, slug).await?;
    let status = match (&report, &error) {
        (_, Some(_)) => axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        (Some(r), _) if !r.errors.is_empty() => axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        _ => axum::http::StatusCode::OK,
    };
    Ok((
        status,
        render(&ImportPage {
            ctx: Ctx::new(Some(who), None),
            title: format!("Import participants into {}", p.name),
            name: p.name,
            slug: p.slug.into(),
            report,
            error,
        }),
    )
        .into_response())
}

async fn import_page(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    import_page_for(&s, &who, &slug, None, None).await
}

/// Reads the upload form (`file`, `dry_run`) from a multipart body, with
/// its own size limit: a CSV can be larger than an ordinary form.
async fn read_upload(
    headers: &axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<(Vec<u8>, bool), String> {
    let ctype = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = multer::parse_boundary(ctype)
        .map_err(|_| "send the form as multipart/form-data with a file".to_string())?;
    let constraints = multer::Constraints::new()
        .size_limit(multer::SizeLimit::new().whole_stream(IMPORT_LIMIT as u64));
    let mut form =
        multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    let (mut data, mut dry_run) = (Vec::new(), false);
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| format!("the upload could not be read: {e}"))?
    {
        match field.name() {
            Some("file") => {
                data = field
                    .bytes()
                    .await
                    .map_err(|e| format!("the file could not be read: {e}"))?
                    .to_vec()
            }
            Some("dry_run") => dry_run = field.text().await.map(|t| t == "true").unwrap_or(false),
            _ => {}
        }
    }
    Ok((data, dry_run))
}

async fn import(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, PageError> {
    // Permission first: a member learns nothing from the upload's errors.
    s.app.programme_to_manage(&who.actor, &slug).await?;
    let (data, dry_run) = match read_upload(&headers, body).await {
        Ok(v) => v,
        Err(e) => return import_page_for(&s, &who, &slug, None, Some(e)).await,
    };
    if data.is_empty() {
        return import_page_for(
            &s,
            &who,
            &slug,
            None,
            Some("choose a CSV file to import".into()),
        )
        .await;
    }
    match s.app.import_people(&who.actor, &slug, &data, dry_run).await {
        Ok(report) => import_page_for(&s, &who, &slug, Some(report), None).await,
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            import_page_for(&s, &who, &slug, None, Some(e.to_string())).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn export(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let csv = s.app.export_people(&who.actor, &slug).await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{slug}-participants.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}

/// The import and export pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .form("/programmes/{slug}/import", import_page, import)
        .get("/programmes/{slug}/export.csv", export)
}
