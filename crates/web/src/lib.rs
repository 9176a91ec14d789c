//! `rapport-web`: thin axum handlers over `rapport-app`.
//!
//! HTML pages are rendered on the server (askama) and work without
//! JavaScript: plain forms that POST, then redirect. The JSON API lives under
//! `/api/v1`, described by an OpenAPI document generated from the code at
//! `/api/v1/openapi.json`. [`router`] builds the one router used by the server
//! and by the in-process tests.

pub mod api;
mod auth;
mod bodies;
pub mod charts;
pub mod client_address;
mod error;
mod guard;
pub mod metrics;
pub mod openapi;
pub mod pages;
mod panics;
mod ratelimit;
mod request_id;
mod routes;
pub mod security_headers;
// Issue 20 (H8): Cache-Control, ETag and 304 for /static/.
pub mod static_files;
#[cfg(feature = "testing")]
pub mod testing;

pub use pages::page_routes;

pub use auth::SESSION_COOKIE;
pub use client_address::TrustedProxies;
pub use error::{ApiError, PageError};

use axum::extract::DefaultBodyLimit;
use axum::Router;
use rapport_app::App;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Request bodies larger than this are refused with 413.
pub const BODY_LIMIT: usize = 256 * 1024;

/// Web-only settings.
#[derive(Clone, Debug, Default)]
pub struct WebConfig {
    /// Bearer token that `/metrics` requires; none disables `/metrics` on the
    /// main listener (serve it on a separate address instead).
    pub metrics_token: Option<String>,
    /// Trust proxies on this machine (loopback) for `X-Forwarded-For`; the
    /// same as adding 127.0.0.0/8 and ::1 to `trusted_proxies`.
    pub trust_proxy: bool,
    /// Proxies whose `X-Forwarded-For` entries are believed: the client is
    /// the rightmost entry that is not one of them (see [`client_address`]).
    pub trusted_proxies: TrustedProxies,
    /// Mark cookies `Secure` (the site is served over HTTPS).
    pub secure_cookies: bool,
    /// Sign-up and reset attempts allowed per client per 15 minutes (failed
    /// sign-ins have their own fixed limits in `rapport_app::accounts`).
    pub auth_attempts_per_window: u32,
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub app: App,
    /// Web settings.
    pub web: Arc<WebConfig>,
    /// Prometheus metrics.
    pub metrics: Arc<metrics::Metrics>,
}

impl AppState {
    /// State for `app` with `web` settings.
    pub fn new(app: App, mut web: WebConfig) -> Self {
        if web.auth_attempts_per_window == 0 {
            web.auth_attempts_per_window = 20;
        }
        if web.trust_proxy {
            web.trusted_proxies =
                std::mem::take(&mut web.trusted_proxies).with(TrustedProxies::loopback());
        }
        Self {
            app,
            web: Arc::new(web),
            metrics: Arc::new(metrics::Metrics::new()),
        }
    }
}

/// The whole router: pages, API, health and metrics, behind [`edge`].
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .merge(pages::routes().layer(axum::middleware::from_fn_with_state(
            state.clone(),
            pages::error_menu,
        )))
        .nest("/api/v1", api::routes())
        .merge(metrics::routes());
    // Issue 20 (H8): static files are tagged inside, then every answer is
    // compressed for clients that accept gzip or brotli. Quality 4, not
    // brotli's default 11, which costs far more CPU than it saves bytes on
    // pages rendered per request.
    edge(routes, state)
        .layer(axum::middleware::from_fn(static_files::cache))
        .layer(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::CompressionLevel::Precise(4)),
        )
}

/// Wraps `routes` in what every answer goes through, from the outside in:
/// request ids, security headers, tracing, the request's task-local context
/// (error bodies quote its id), the body limit and axum's rejections
/// redrawn, the cross-site guard, metrics, and panics caught as 500 right
/// around the handlers (so metrics count them). [`router`]
/// uses it; tests use it to put routes of their own (one that panics)
/// behind the same edge.
pub fn edge(routes: Router<AppState>, state: AppState) -> Router {
    routes
        .layer(CatchPanicLayer::custom(panics::answer))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(axum::middleware::from_fn(guard::refuse_cross_site))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(bodies::guard))
        .layer(axum::middleware::from_fn(request_id::scope))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            // The route pattern (`/api/v1/people/{id}`), which log systems can
            // group by; "-" when nothing matched.
            let route = req.extensions().get::<axum::extract::MatchedPath>().map_or("-", |m| m.as_str());
            tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), route = %route, request_id = %id)
        }).on_response(|res: &axum::http::Response<_>, latency: std::time::Duration, _: &tracing::Span| {
            // One line per answered request, inside the request's span (so
            // with its id and route), for access logs in text or JSON.
            tracing::info!(status = res.status().as_u16(), latency_ms = latency.as_secs_f64() * 1000.0, "answered");
        }))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security_headers::add))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}
