//! The coverage dashboard's lists, one page at a time (issue 20): the people
//! waiting for a match and the mentors' loads. The dashboard itself
//! (`rounds::coverage`) carries counts and the first page of each.

use super::{paged_json, ApiQuery};
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::response::Response;
use rapport_app::coverage::{Load, Waiting};
use rapport_app::lists::ListQuery;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Which page of the waiting list, in which order.
#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct WaitingParams {
    /// Where to continue: the opaque cursor from the `Link` header of the
    /// previous answer (or the dashboard's `waiting_next`). None: the first page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 50).
    pub limit: Option<i64>,
    /// `longest` (waiting longest first, the default) or `newest`.
    pub sort: Option<String>,
}

/// Someone waiting for a match.
#[derive(Serialize, ToSchema)]
pub struct WaitingOut {
    /// Who.
    pub person_id: uuid::Uuid,
    /// Their name.
    pub name: String,
    /// Approved since (Unix ms).
    pub since: i64,
    /// Whole days waited.
    pub days: i64,
}

impl From<Waiting> for WaitingOut {
    fn from(w: Waiting) -> Self {
        Self {
            person_id: w.person_id.0,
            name: w.name,
            since: w.since,
            days: w.days,
        }
    }
}

/// One page of people waiting.
#[derive(Serialize, ToSchema)]
pub struct WaitingPageOut {
    /// The people, in the order asked for.
    pub waiting: Vec<WaitingOut>,
}

/// Which page of mentor loads, which mentors, in which order.
#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct LoadParams {
    /// Where to continue: the opaque cursor from the `Link` header of the
    /// previous answer (or the dashboard's `loads_next`). None: the first page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 50).
    pub limit: Option<i64>,
    /// `fullest` (seats ÷ capacity, highest first, the default) or `emptiest`.
    pub sort: Option<String>,
    /// Only `mentor` or only `facilitator`; none for both.
    pub role: Option<String>,
}

/// A mentor's load.
#[derive(Serialize, ToSchema)]
pub struct LoadOut {
    /// Who.
    pub person_id: uuid::Uuid,
    /// Their name.
    pub name: String,
    /// `mentor` or `facilitator`.
    pub role: String,
    /// Seats in proposed, active or paused rooms.
    pub seats: i64,
    /// Capacity in this programme.
    pub capacity: i32,
    /// Seats as a whole percent of capacity.
    pub percent: i64,
}

impl From<Load> for LoadOut {
    fn from(l: Load) -> Self {
        Self {
            person_id: l.person_id.0,
            name: l.name,
            role: l.role.code().into(),
            seats: l.seats,
            capacity: l.capacity,
            percent: l.percent,
        }
    }
}

/// One page of mentor loads.
#[derive(Serialize, ToSchema)]
pub struct LoadPageOut {
    /// The mentors, in the order asked for.
    pub loads: Vec<LoadOut>,
}

/// The path with the list's filters, for the `Link` header (the values were
/// checked by the app, so they need no escaping).
fn with_filters(path: String, filters: &[(&str, Option<String>)]) -> String {
    let mut path = path;
    let mut sep = '?';
    for (k, v) in filters {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            path.push_str(&format!("{sep}{k}={v}"));
            sep = '&';
        }
    }
    path
}

/// List the people waiting for a match (managers)
///
/// Approved mentees (peers in peer programmes) with no match and no request
/// waiting for an answer, waiting longest first (`sort=newest` for the most
/// recent first). Paginated by cursor: a request without `cursor` gets the
/// first page, and the next page is in the `Link` header (`rel="next"`),
/// which keeps `sort`. The dashboard (`GET /programmes/{slug}/coverage`)
/// carries the first page and its cursor as `waiting_next`.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/coverage/waiting", tag = "programmes", params(("slug" = String, Path, description = "Programme slug."), WaitingParams), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of people waiting.", body = WaitingPageOut,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 403, description = "`forbidden`: managers of the programme only.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `limit` is not 1 to 100, `cursor` is not one Rapport made, or `sort` is not `longest` or `newest`.", body = ErrorBody),
    ))]
pub async fn coverage_waiting(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiQuery(params): ApiQuery<WaitingParams>,
) -> Result<Response, ApiError> {
    let query = ListQuery {
        page: None,
        cursor: params.cursor,
        limit: params.limit,
    };
    let page = s
        .app
        .coverage_waiting(&actor, &slug, params.sort.as_deref(), &query)
        .await?;
    let (_, limit) = query.window()?;
    let path = with_filters(
        format!("/api/v1/programmes/{slug}/coverage/waiting"),
        &[("sort", params.sort)],
    );
    Ok(paged_json(&s, &path, limit, page, |items| WaitingPageOut {
        waiting: items.into_iter().map(WaitingOut::from).collect(),
    }))
}

/// List mentor loads (managers)
///
/// Approved mentors and facilitators with their seats in proposed, active
/// or paused rooms against their capacity, fullest first (`sort=emptiest`
/// for the emptiest first), optionally only one `role`. Paginated by cursor:
/// a request without `cursor` gets the first page, and the next page is in
/// the `Link` header (`rel="next"`), which keeps `sort` and `role`. The
/// dashboard carries the first page and its cursor as `loads_next`.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/coverage/loads", tag = "programmes", params(("slug" = String, Path, description = "Programme slug."), LoadParams), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of mentor loads.", body = LoadPageOut,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 403, description = "`forbidden`: managers of the programme only.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `limit` is not 1 to 100, `cursor` is not one Rapport made, `sort` is not `fullest` or `emptiest`, or `role` is not `mentor` or `facilitator`.", body = ErrorBody),
    ))]
pub async fn coverage_loads(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiQuery(params): ApiQuery<LoadParams>,
) -> Result<Response, ApiError> {
    let query = ListQuery {
        page: None,
        cursor: params.cursor,
        limit: params.limit,
    };
    let page = s
        .app
        .coverage_loads(
            &actor,
            &slug,
            params.role.as_deref(),
            params.sort.as_deref(),
            &query,
        )
        .await?;
    let (_, limit) = query.window()?;
    let path = with_filters(
        format!("/api/v1/programmes/{slug}/coverage/loads"),
        &[("sort", params.sort), ("role", params.role)],
    );
    Ok(paged_json(&s, &path, limit, page, |items| LoadPageOut {
        loads: items.into_iter().map(LoadOut::from).collect(),
    }))
}
