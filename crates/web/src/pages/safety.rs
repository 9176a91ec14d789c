//! Safety pages: blocking a person, reporting them to a programme's
//! managers, and the managers' reports queue.

use super::people::person_id;
use super::programmes::{back, parse_id, Params};
use super::{render, Ctx, Field, FormPage};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::AppError;
use rapport_domain::PersonId;
use std::collections::HashMap;

async fn block(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let id = person_id(&id)?;
    if f.get("block").map(String::as_str) == Some("false") {
        s.app.unblock(&who.actor, id).await?;
        return Ok(Redirect::to(&format!("/people/{id}?done=unblocked")).into_response());
    }
    s.app.block(&who.actor, id).await?;
    Ok(Redirect::to(&format!("/people/{id}?done=blocked")).into_response())
}

fn report_form(
    who: &PageActor,
    id: PersonId,
    programmes: Vec<(String, String)>,
    v: &HashMap<String, String>,
) -> FormPage {
    let value = |k: &str| v.get(k).cloned().unwrap_or_default();
    FormPage {
        ctx: Ctx::new(Some(who), None),
        title: "Report a person",
        intro: "Your report goes to the programme's managers only. They will not tell the person who reported them.".into(),
        action: format!("/people/{id}/report"),
        fields: vec![
            Field::new("programme", "Programme", "select").value(value("programme")).options(programmes),
            Field::new("reason", "What happened", "textarea").value(value("reason")),
            Field::new("request_id", "Request", "hidden").value(value("request_id")),
        ],
        submit: "Send report",
        form_error: None,
        links: vec![],
    }
}

async fn my_programmes(s: &AppState, who: &PageActor) -> Result<Vec<(String, String)>, PageError> {
    Ok(s.app
        .programmes(&who.actor)
        .await?
        .into_iter()
        .filter(|p| !p.my_roles.is_empty() || who.actor.is_admin)
        .map(|p| (p.record.slug.into(), p.record.name))
        .collect())
}

async fn report_page(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let id = person_id(&id)?;
    s.app.profile(&who.actor, id).await?;
    let programmes = my_programmes(&s, &who).await?;
    let mut values = HashMap::new();
    if let Some(r) = q.get("request").filter(|r| r.parse::<uuid::Uuid>().is_ok()) {
        values.insert("request_id".to_string(), r.clone());
        if let Some(p) = q.get("programme") {
            values.insert("programme".to_string(), p.clone());
        }
    }
    Ok(render(&report_form(&who, id, programmes, &values)).into_response())
}

async fn report(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let id = person_id(&id)?;
    s.app.profile(&who.actor, id).await?;
    let slug = f.get("programme").cloned().unwrap_or_default();
    match s
        .app
        .report(
            &who.actor,
            &slug,
            Some(id),
            f.get("request_id").and_then(|r| r.parse().ok()),
            f.get("reason").map(String::as_str).unwrap_or(""),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/people/{id}?done=reported")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. } | AppError::Forbidden(_))) => {
            let programmes = my_programmes(&s, &who).await?;
            Ok(report_form(&who, id, programmes, &f).with_error(e))
        }
        Err(e) => Err(e.into()),
    }
}

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
            slug: p.record.slug.into(),
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
    let id: rapport_domain::ReportId = parse_id(&id, "report")?;
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
        .post("/people/{id}/block", block)
        .form("/people/{id}/report", report_page, report)
        .get("/programmes/{slug}/reports", reports)
        .post("/programmes/{slug}/reports/{id}/resolve", resolve)
}
