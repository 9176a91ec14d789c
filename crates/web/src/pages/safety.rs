//! Safety pages: the managers' reports queue.

use super::programmes::{back, parse_id, Params};
use super::{render, Ctx};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Form;
use rapport_app::AppError;

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    ctx: Ctx,
    title: String,
    name: String,
    slug: String,
    list: Vec<rapport_app::safety::ReportView>,
    error: Option<String>,
}

async fn reports_page(
    s: &AppState,
    who: &PageActor,
    slug: &str,
    notice: Option<&str>,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let list = s.app.reports(&who.actor, slug).await?;
    let p = s.app.programme(&who.actor, slug).await?;
    let status = super::status_for(error.as_ref());
    Ok((
        status,
        render(&ReportsPage {
            ctx: Ctx::new(Some(who), notice),
            title: format!("Reports in {}", p.record.name),
            name: p.record.name,
            slug: p.record.slug,
            list,
            error: error.map(|e| e.to_string()),
        }),
    )
        .into_response())
}

async fn reports(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    reports_page(&s, &who, &slug, q.get("done").map(String::as_str), None).await
}

async fn resolve(
    State(s): State<AppState>,
    who: PageActor,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: uuid::Uuid = parse_id(&id, "report")?;
    match s
        .app
        .resolve_report(
            &who.actor,
            &slug,
            id,
            f.get("resolution").map(String::as_str).unwrap_or(""),
        )
        .await
    {
        Ok(()) => Ok(back(&slug, "/reports", "report_resolved")),
        Err(e @ AppError::Invalid(_)) => reports_page(&s, &who, &slug, None, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

/// The safety pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/programmes/{slug}/reports", reports)
        .post("/programmes/{slug}/reports/{id}/resolve", resolve)
}
