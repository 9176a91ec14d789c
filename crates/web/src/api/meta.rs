//! The API's own description.

use axum::response::{IntoResponse, Response};
use axum::Json;

/// The OpenAPI document of this API
///
/// The document every other endpoint is described in (OpenAPI 3.1), generated
/// from the code. `docs/api.md` is rendered from it.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI document.", body = Object)),
)]
pub async fn openapi_json() -> Response {
    static JSON: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    Json(JSON.get_or_init(|| serde_json::to_value(crate::openapi::document()).unwrap_or_default()))
        .into_response()
}
