//! Calendar pages: the private feed's URL with a reset behind a confirm
//! step, the person's upcoming sessions with their `.ics` downloads, and the
//! feed itself (`/calendar/{token}.ics`), which calendar apps fetch without
//! a cookie.

use super::{render, Ctx};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use rapport_app::calendar::FEED_MAX_AGE_SECONDS;
use std::collections::HashMap;

struct SessionRow {
    id: String,
    summary: String,
    when: String,
    minutes: i32,
    cancelled: bool,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    ctx: Ctx,
    title: &'static str,
    url: String,
    sessions: Vec<SessionRow>,
}

async fn calendar(
    State(s): State<AppState>,
    who: PageActor,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let url = s.app.calendar_feed_url(&who.actor).await?;
    let sessions = s
        .app
        .upcoming_sessions(&who.actor)
        .await?
        .into_iter()
        .map(|e| SessionRow {
            id: e.session.id.to_string(),
            summary: e.summary,
            when: who.when(e.session.starts_at),
            minutes: e.session.minutes,
            cancelled: e.session.status == rapport_domain::mentoring::SessionStatus::Cancelled,
        })
        .collect();
    Ok(render(&CalendarPage {
        ctx: Ctx::new(Some(&who), q.get("done").map(String::as_str)),
        title: "Your calendar",
        url,
        sessions,
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "calendar_reset.html")]
struct ResetPage {
    ctx: Ctx,
    title: &'static str,
}

/// The confirm step before a reset: it breaks every calendar subscribed to
/// the old URL.
async fn confirm_reset(who: PageActor) -> Response {
    render(&ResetPage {
        ctx: Ctx::new(Some(&who), None),
        title: "Reset your calendar feed?",
    })
    .into_response()
}

async fn reset(State(s): State<AppState>, who: PageActor) -> Result<Response, PageError> {
    s.app.reset_calendar_feed(&who.actor).await?;
    Ok(Redirect::to("/account/calendar?done=calendar_reset").into_response())
}

/// The feed: `file` must be `{token}.ics`; anything else, or a token that
/// was reset, is 404. Private: a shared cache must not keep it.
async fn feed(State(s): State<AppState>, Path(file): Path<String>) -> Result<Response, PageError> {
    let text = s.app.calendar_feed(&file).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CACHE_CONTROL,
                format!("private, max-age={FEED_MAX_AGE_SECONDS}"),
            ),
        ],
        text,
    )
        .into_response())
}

/// The calendar pages and the feed.
pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/account/calendar", calendar)
        .get("/account/calendar/reset", confirm_reset)
        .post("/account/calendar/reset", reset)
        .get("/calendar/{file}", feed)
}
