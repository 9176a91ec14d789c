//! A handler that panics answers 500 like any internal error, instead of
//! dropping the connection: JSON in the API's error shape under `/api`, an
//! HTML page elsewhere, each with the request id, which the log line carries
//! too so an operator can find the panic a person reports.

use crate::{request_id, ApiError};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::any::Any;

/// The answer to a panic, for `CatchPanicLayer::custom`. It runs inside
/// [`request_id::scope`], so it knows the request.
pub fn answer(panic: Box<dyn Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into());
    let current = request_id::current();
    let id = current.as_ref().map_or("-", |c| c.id.as_str());
    tracing::error!(request_id = %id, panic = %what, "a handler panicked; answered 500");
    if current.as_ref().is_none_or(|c| c.api) {
        return ApiError::panicked().into_response();
    }
    let message = crate::error::with_request_id(
        "Something went wrong on our side; nothing was changed. Please try again.".into(),
    );
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        crate::pages::message_page(None, "Something went wrong", &message),
    )
        .into_response()
}
