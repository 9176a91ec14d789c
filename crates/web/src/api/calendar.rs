//! Calendars: a session's `.ics` download, and the signed-in person's
//! private feed URL. (The feed itself is `GET /calendar/{token}.ics`, outside
//! the API: a calendar app fetches it without a cookie or a token.)

use super::programmes::parse;
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rapport_domain::SessionId;
use serde::Serialize;
use utoipa::ToSchema;

/// Download a session as an `.ics` file (room members and managers)
///
/// One VEVENT (METHOD:PUBLISH) with the session's fixed UID, its SEQUENCE,
/// and times in UTC. The same file a calendar app imports.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/ics", tag = "calendars",
    params(("id" = uuid::Uuid, Path, description = "Session id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The iCalendar file, as an attachment named `session-<date>.ics` (the date where it was booked).",
            body = String, content_type = "text/calendar",
            headers(("content-disposition" = String, description = "`attachment; filename=\"session-<date>.ics\"`"))),
        (status = 404, description = "`not_found`: no such session, or not in one of your rooms.", body = ErrorBody),
    ))]
pub async fn session_ics(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: SessionId = parse(&id, "session")?;
    let file = s.app.session_ics(&actor, id).await?;
    Ok(ics_response(file))
}

/// An `.ics` download.
pub(crate) fn ics_response(file: rapport_app::calendar::IcsFile) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file.filename),
            ),
        ],
        file.text,
    )
        .into_response()
}

/// Your private calendar feed.
#[derive(Serialize, ToSchema)]
pub struct CalendarFeed {
    /// The feed's secret URL (`…/calendar/<token>.ics`): subscribe to it in
    /// a calendar app. Anyone with it can read your sessions; reset it if it
    /// leaks.
    pub url: String,
}

/// Your private calendar feed URL
///
/// Creates the feed on first use. The feed lists the sessions of all your
/// rooms, from eight weeks back on, cancelled ones as cancelled.
#[utoipa::path(get, path = "/api/v1/me/calendar", tag = "calendars",
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "The feed URL.", body = CalendarFeed)))]
pub async fn get_calendar(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<CalendarFeed>, ApiError> {
    Ok(Json(CalendarFeed {
        url: s.app.calendar_feed_url(&actor).await?,
    }))
}

/// Reset your calendar feed URL
///
/// Replaces the feed's secret: the old URL answers 404 from now on, and
/// calendars subscribed to it need the new one.
#[utoipa::path(post, path = "/api/v1/me/calendar/reset", tag = "calendars",
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "The new feed URL.", body = CalendarFeed)))]
pub async fn reset_calendar(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<CalendarFeed>, ApiError> {
    Ok(Json(CalendarFeed {
        url: s.app.reset_calendar_feed(&actor).await?,
    }))
}
