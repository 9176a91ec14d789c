//! Health checks and Prometheus metrics.
//!
//! `/metrics` answers only with `Authorization: Bearer <metrics token>`; with
//! no token configured it answers 404 on the main listener, and the server can
//! expose it on a separate address instead ([`metrics_only_router`]).

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};
use std::time::Instant;

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    jobs_pending: IntGauge,
    jobs_failed: IntGauge,
    pool_size: IntGauge,
    pool_idle: IntGauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "rapport_http_requests_total",
                "HTTP requests by route, method and status",
            ),
            &["route", "method", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "rapport_http_request_duration_seconds",
                "HTTP request latency by route",
            ),
            &["route"],
        )
        .expect("valid metric");
        let jobs_pending =
            IntGauge::new("rapport_jobs_pending", "Jobs waiting to run").expect("valid metric");
        let jobs_failed = IntGauge::new("rapport_jobs_failed", "Jobs that failed for good")
            .expect("valid metric");
        let pool_size = IntGauge::new("rapport_db_pool_connections", "Open database connections")
            .expect("valid metric");
        let pool_idle = IntGauge::new(
            "rapport_db_pool_idle_connections",
            "Idle database connections",
        )
        .expect("valid metric");
        for m in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(jobs_pending.clone()),
            Box::new(jobs_failed.clone()),
            Box::new(pool_size.clone()),
            Box::new(pool_idle.clone()),
        ] {
            registry.register(m).expect("metric names are unique");
        }
        Self {
            registry,
            requests,
            latency,
            jobs_pending,
            jobs_failed,
            pool_size,
            pool_idle,
        }
    }

    async fn render(&self, state: &AppState) -> String {
        // A failed count keeps the last values: metrics must not fail the scrape.
        if let Ok(jobs) = state.app.job_counts().await {
            self.jobs_pending.set(jobs.pending);
            self.jobs_failed.set(jobs.failed);
        }
        let (size, idle) = state.app.pool_stats();
        self.pool_size.set(i64::from(size));
        self.pool_idle.set(idle as i64);
        let mut buf = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}

/// Middleware: counts requests and observes latency by matched route.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let start = Instant::now();
    let resp = next.run(req).await;
    state
        .metrics
        .latency
        .with_label_values(&[route.as_str()])
        .observe(start.elapsed().as_secs_f64());
    state
        .metrics
        .requests
        .with_label_values(&[route.as_str(), method.as_str(), resp.status().as_str()])
        .inc();
    resp
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.app.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

async fn metrics_guarded(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Response {
    let Some(expected) = state.web.metrics_token.as_deref() else {
        return (
            StatusCode::NOT_FOUND,
            "metrics are not served on this address",
        )
            .into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if given.map(|g| constant_eq(g.as_bytes(), expected.as_bytes())) != Some(true) {
        return (
            StatusCode::UNAUTHORIZED,
            "send the metrics token as Authorization: Bearer <token>",
        )
            .into_response();
    }
    metrics_open(State(state)).await
}

async fn metrics_open(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(&state).await,
    )
        .into_response()
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `/healthz`, `/readyz` and token-guarded `/metrics`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_guarded))
}

/// A router serving only `/metrics` without a token, for a separate
/// (private) listen address.
pub fn metrics_only_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics_open))
        .with_state(state)
}
