//! Headers that tell browsers to refuse what Rapport never does: run inline
//! or foreign script and style, be framed by another site, sniff a content
//! type, leak the path to other sites, or fall back to plain HTTP.
//!
//! Pages use one stylesheet and no script of their own kind inline, so the
//! policy has no `'unsafe-inline'`: an injected `<script>` or `style=""`
//! that got past the Markdown sanitiser would not run.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The Content-Security-Policy of every answer.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// Strict-Transport-Security when the public URL is https. A year, without
/// `includeSubDomains`: other hosts of the organisation's domain are not ours
/// to pin to HTTPS.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// Middleware: adds the security headers to every answer (pages, API,
/// static files, errors, 404s, panics), leaving any a handler set itself.
pub async fn add(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "same-origin");
    if state.app.config.base_url.starts_with("https://") {
        set(header::STRICT_TRANSPORT_SECURITY, STRICT_TRANSPORT_SECURITY);
    }
    response
}
