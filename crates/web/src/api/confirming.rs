//! Issue 18 §5: the API's far-reaching actions take `"confirm": true`,
//! as a JSON body or as `?confirm=true` (handy on `DELETE`). Without it the
//! app answers 409 on `confirm`, saying what would happen.

use crate::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde::Deserialize;
use utoipa::ToSchema;

/// A confirmation of a far-reaching action.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ConfirmBody {
    /// Must be true; without it nothing changes (409 on `confirm`, whose
    /// message says what would happen). `?confirm=true` does the same.
    pub confirm: bool,
}

/// Whether the request confirms: `?confirm=true`, or a JSON body with
/// `"confirm": true`. An empty body confirms nothing.
pub struct Confirmation(pub bool);

impl<S: Send + Sync> FromRequest<S> for Confirmation {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let in_query = req
            .uri()
            .query()
            .is_some_and(|q| q.split('&').any(|kv| kv == "confirm=true"));
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim()
                    .to_ascii_lowercase()
                    .starts_with("application/json")
            });
        let bytes = match Bytes::from_request(req, state).await {
            Ok(bytes) => bytes,
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(ApiError::too_large())
            }
            Err(_) => {
                return Err(ApiError::bad_request(
                    "the body could not be read".to_string(),
                ))
            }
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Confirmation(in_query));
        }
        if !json {
            return Err(ApiError::unsupported_media_type());
        }
        let body: ConfirmBody = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::bad_request(format!("the body is not a confirmation: {e}")))?;
        Ok(Confirmation(in_query || body.confirm))
    }
}
