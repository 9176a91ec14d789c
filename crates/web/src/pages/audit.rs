//! The audit log page (admins): each event in a sentence, newest first, with
//! filters by person, action, programme and date, cursor paging that keeps
//! the filters, and the stored JSON behind a disclosure (issue 18 §6).

use super::programmes::Params;
use super::{render, Ctx};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::TimeZone;
use rapport_app::audit_log::{AuditQuery, ACTIONS};
use rapport_app::lists::{Cursor, ListQuery};
use rapport_app::placement::percent;
use rapport_app::AppError;
use rapport_domain::values::TimeZoneName;
use rapport_domain::PersonId;

/// One row of the log.
struct Event {
    when: String,
    sentence: String,
    /// The stored before and after, pretty-printed.
    detail: String,
}

/// One option of a filter: value, label, selected.
type Choice = (String, String, bool);

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    ctx: Ctx,
    title: &'static str,
    events: Vec<Event>,
    people: Vec<Choice>,
    actions: Vec<Choice>,
    programmes: Vec<Choice>,
    from: String,
    until: String,
    filtered: bool,
    newer: Option<String>,
    older: Option<String>,
}

/// Local midnight of `date` (YYYY-MM-DD) in `zone`, in ms; `days` later.
fn midnight(
    field: &'static str,
    date: &str,
    zone: &TimeZoneName,
    days: i64,
) -> Result<Option<i64>, AppError> {
    let date = date.trim();
    if date.is_empty() {
        return Ok(None);
    }
    let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|_| AppError::invalid(field, "Enter a date like 2026-12-05."))?
        + chrono::Duration::days(days);
    let local = day.and_time(chrono::NaiveTime::MIN);
    zone.tz()
        .from_local_datetime(&local)
        .earliest()
        .map(|t| Some(t.timestamp_millis()))
        .ok_or_else(|| AppError::invalid(field, "Enter a date like 2026-12-05."))
}

async fn audit(
    State(s): State<AppState>,
    who: PageActor,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let get = |k: &str| {
        q.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let from = get("from").unwrap_or_default();
    let until = get("until").unwrap_or_default();
    let filter = AuditQuery {
        person: get("person").and_then(|p| p.parse::<PersonId>().ok()),
        action: get("action"),
        programme: get("programme"),
        from: midnight("from", &from, &who.time_zone, 0)?,
        // The last day counts whole: until the next midnight.
        until: midnight("until", &until, &who.time_zone, 1)?,
    };
    // `?page=` links from before cursors keep working; a page number that
    // does not parse is the first page, as it always was here.
    let list = ListQuery {
        page: q.get("page").and_then(|p| p.parse().ok()),
        cursor: q.get("cursor").cloned(),
        limit: None,
    };
    let page = s.app.audit_entries(&who.actor, &filter, &list).await?;
    let choices = s.app.audit_choices(&who.actor).await?;
    let kept: String = [
        ("person", get("person")),
        ("action", filter.action.clone()),
        ("programme", filter.programme.clone()),
        ("from", Some(from.clone()).filter(|v| !v.is_empty())),
        ("until", Some(until.clone()).filter(|v| !v.is_empty())),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| format!("&{k}={}", percent(&v))))
    .collect();
    let link = |c: Option<Cursor>| c.map(|c| format!("/admin/audit?cursor={}{kept}", c.encode()));
    let (newer, older) = (link(page.prev), link(page.next));
    let events = page
        .items
        .into_iter()
        .map(|e| Event {
            when: who.when(e.record.created_at),
            sentence: e.sentence,
            detail: serde_json::to_string_pretty(&serde_json::json!({
                "action": e.record.action,
                "subject": e.record.subject,
                "before": e.record.before_json,
                "after": e.record.after_json,
            }))
            .unwrap_or_default(),
        })
        .collect();
    let person = get("person").unwrap_or_default();
    Ok(render(&AuditPage {
        ctx: Ctx::new(Some(&who), None),
        title: "Audit log",
        events,
        people: choices
            .people
            .into_iter()
            .map(|(id, name)| {
                let id = id.to_string();
                let on = id == person;
                (id, name, on)
            })
            .collect(),
        actions: ACTIONS
            .iter()
            .map(|(code, label)| {
                (
                    code.to_string(),
                    label.to_string(),
                    filter.action.as_deref() == Some(*code),
                )
            })
            .collect(),
        programmes: choices
            .programmes
            .into_iter()
            .map(|(slug, name)| {
                let on = filter.programme.as_deref() == Some(slug.as_str());
                (slug, name, on)
            })
            .collect(),
        filtered: !kept.is_empty(),
        from,
        until,
        newer,
        older,
    })
    .into_response())
}

/// The audit log page.
pub(super) fn routes() -> Routes {
    Routes::new().get("/admin/audit", audit)
}
