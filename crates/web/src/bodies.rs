//! The edge's answers about request bodies.
//!
//! The size limit is checked here against `Content-Length` before any
//! handler or extractor runs, so it holds on every route, even one that reads
//! no body or checks the caller first (`DefaultBodyLimit` still catches
//! bodies sent without a length, when an extractor reads them). CSV imports
//! have their own, larger limit.
//!
//! axum's own extractors (the pages' `Form`) refuse bad bodies with a plain
//! text answer; those are redrawn here in the surface's error shape: JSON
//! under `/api`, an HTML page elsewhere, each saying what to do next.

use crate::{request_id, ApiError, BODY_LIMIT};
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest body `path` takes: CSV imports take [`crate::pages::IMPORT_LIMIT`],
/// everything else [`BODY_LIMIT`].
pub fn limit_for(path: &str) -> usize {
    if path.ends_with("/import") {
        crate::pages::IMPORT_LIMIT
    } else {
        BODY_LIMIT
    }
}

/// Middleware: 413 for a declared length over the limit, and axum's
/// plain-text rejections redrawn in the error shape.
pub async fn guard(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let api = request_id::is_api_path(&path);
    let limit = limit_for(&path);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return refusal(api, StatusCode::PAYLOAD_TOO_LARGE, limit, "");
    }
    let response = next.run(req).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    let redrawn = [
        StatusCode::BAD_REQUEST,
        StatusCode::PAYLOAD_TOO_LARGE,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        StatusCode::UNPROCESSABLE_ENTITY,
    ];
    if !plain || !redrawn.contains(&status) {
        return response;
    }
    let text = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    refusal(api, status, limit, &text)
}

/// The answer for a body refused with `status`; `detail` is axum's reason.
fn refusal(api: bool, status: StatusCode, limit: usize, detail: &str) -> Response {
    if api {
        return match status {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::too_large_over(limit),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::unsupported_media_type(),
            _ => ApiError::bad_request(format!("the request could not be read: {detail}")),
        }
        .into_response();
    }
    let (title, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "Too much at once",
            format!(
                "What you sent is larger than the limit of {} KiB. Shorten it and send it again.",
                limit / 1024
            ),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "Not a form",
            "This address takes a web form. Go back to the page and send the form from there."
                .to_string(),
        ),
        _ => (
            "Please check your input",
            format!(
                "The form could not be read ({detail}). Go back to the page, check the form and send it again."
            ),
        ),
    };
    let message = crate::error::with_request_id(message);
    (status, crate::pages::message_page(None, title, &message)).into_response()
}
