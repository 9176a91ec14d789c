//! The request being answered, for code that builds an answer without the
//! request at hand: error bodies and pages quote its id, and the panic
//! handler needs both the id and whether to answer JSON or HTML.
//!
//! [`scope`] runs everything inside it (handlers, extractors, the panic
//! handler) with a task-local [`Current`]. Outside a request (unit tests that
//! build an error directly) there is none, and errors simply carry no id.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// What the edge knows about the request being answered.
#[derive(Clone, Debug)]
pub struct Current {
    /// The `x-request-id` set by `SetRequestIdLayer` (or sent by a proxy).
    pub id: String,
    /// Whether the path is under the JSON API, so errors answer JSON.
    pub api: bool,
}

tokio::task_local! {
    static CURRENT: Current;
}

/// The request being answered, if any.
pub fn current() -> Option<Current> {
    CURRENT.try_with(Clone::clone).ok()
}

/// The id of the request being answered, if any.
pub fn id() -> Option<String> {
    current().map(|c| c.id)
}

/// Whether `path` is answered by the JSON API (errors in its shape). Any
/// `/api/` path is, even an unknown version, as the pages' 404 does.
pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Middleware: runs the rest of the stack with the request's [`Current`].
/// It must sit inside `SetRequestIdLayer`, which makes the id.
pub async fn scope(req: Request, next: Next) -> Response {
    let current = Current {
        id: req
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-")
            .to_string(),
        api: is_api_path(req.uri().path()),
    };
    CURRENT.scope(current, next.run(req)).await
}
