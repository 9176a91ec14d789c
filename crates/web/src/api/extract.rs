//! Extractors that answer in the API's error shape instead of axum's plain
//! text rejections: bodies and query strings a handler cannot read are 400
//! (413 when too large), and a path id that does not parse is 404, the same
//! as an id that names nothing.

use crate::ApiError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use rapport_app::AppError;
use serde::de::DeserializeOwned;
use std::str::FromStr;

/// A JSON body. Unknown fields are ignored; a body that is not JSON, lacks
/// `Content-Type: application/json`, or has a value of the wrong type is 400
/// `bad_request`, and one over the size limit is 413 `payload_too_large`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::too_large();
    }
    let detail = std::error::Error::source(&rejection)
        .map(ToString::to_string)
        .unwrap_or_else(|| rejection.body_text());
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::bad_request("send the body as JSON with `Content-Type: application/json`")
        }
        JsonRejection::JsonSyntaxError(_) => {
            ApiError::bad_request(format!("the body is not valid JSON: {detail}"))
        }
        JsonRejection::JsonDataError(_) => ApiError::bad_request(format!(
            "the JSON body does not have the documented shape: {detail}"
        )),
        _ => ApiError::bad_request(format!("the body could not be read: {detail}")),
    }
}

/// A query string; one that does not parse is 400 `bad_request`.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(Self(value)),
            Err(rejection) => {
                let detail = std::error::Error::source(&rejection)
                    .map(ToString::to_string)
                    .unwrap_or_else(|| rejection.body_text());
                Err(ApiError::bad_request(format!(
                    "the query string does not have the documented parameters: {detail}"
                )))
            }
        }
    }
}

/// The one `{id}` of a path, parsed as a typed id. An id that does not parse
/// names nothing, so it is 404 `not_found` like an unknown one, never 400.
pub struct IdPath<T>(pub T);

impl<T: FromStr, S: Send + Sync> FromRequestParts<S> for IdPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let raw = Path::<String>::from_request_parts(parts, state).await.ok();
        match raw.and_then(|Path(raw)| raw.parse().ok()) {
            Some(id) => Ok(Self(id)),
            None => Err(
                AppError::NotFound("nothing has this id; check the id in the path".into()).into(),
            ),
        }
    }
}

/// The session cookie's secret, if the request carries one.
pub struct SessionToken(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for SessionToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let token = crate::auth::cookie(parts, crate::SESSION_COOKIE).filter(|t| !t.is_empty());
        Ok(Self(token.map(String::from)))
    }
}
