//! Extractors that answer in the API's error shape instead of axum's plain
//! text rejections: bodies and query strings a handler cannot read are 400
//! (413 when too large, 415 when not JSON), and a path id that does not parse
//! is 404, the same as an id that names nothing.

use crate::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use rapport_app::AppError;
use serde::de::DeserializeOwned;
use std::str::FromStr;

/// A JSON body. Unknown fields are ignored. A body without a JSON
/// `Content-Type` is 415 `unsupported_media_type`; one over the size limit
/// is 413 `payload_too_large`; one that is not JSON, or has a value of the
/// wrong type or a missing field, is 400 `bad_request` with `field` naming
/// the place (a dotted path such as `availability[2].day`).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::unsupported_media_type());
        }
        // `Bytes` honours the router's `DefaultBodyLimit`.
        let bytes = match Bytes::from_request(req, state).await {
            Ok(bytes) => bytes,
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(ApiError::too_large())
            }
            Err(rejection) => {
                return Err(ApiError::bad_request(format!(
                    "the body could not be read: {}",
                    rejection.body_text()
                )))
            }
        };
        parse_json(&bytes).map(Self)
    }
}

/// Whether the `Content-Type` is `application/json` or `application/*+json`
/// (parameters such as `charset` allowed), as axum's own `Json` accepts.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Decodes `bytes`, keeping the path to the value at fault so the error can
/// name the field rather than bury it in the message.
fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de);
    // Characters after the value make the body invalid JSON too.
    if value.is_ok() {
        if let Err(e) = de.end() {
            return Err(ApiError::bad_request(format!(
                "the body is not valid JSON: {e}"
            )));
        }
    }
    value.map_err(|e| {
        let inner = e.inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::bad_request(format!("the body is not valid JSON: {inner}"));
        }
        let detail = inner.to_string();
        let mut field = e.path().to_string();
        // serde reports a missing field at the object that lacks it.
        if let Some(missing) = detail
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
        {
            field = if field == "." {
                missing.to_string()
            } else {
                format!("{field}.{missing}")
            };
        }
        if field == "." {
            return ApiError::bad_request(format!(
                "the JSON body does not have the documented shape: {detail}"
            ));
        }
        ApiError::bad_field(
            field.clone(),
            format!("`{field}` does not have the documented type: {detail}"),
        )
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Slot {
        day: u8,
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Profile {
        name: String,
        #[serde(default)]
        availability: Vec<Slot>,
    }

    fn field_of(body: &str) -> Option<String> {
        let e = parse_json::<Profile>(body.as_bytes()).unwrap_err();
        let json: serde_json::Value = serde_json::from_slice(&futures_body(
            axum::response::IntoResponse::into_response(e),
        ))
        .unwrap();
        json["error"]["field"].as_str().map(String::from)
    }

    fn futures_body(r: axum::response::Response) -> Vec<u8> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(axum::body::to_bytes(r.into_body(), usize::MAX))
            .unwrap()
            .to_vec()
    }

    #[test]
    fn type_errors_and_missing_fields_name_the_path() {
        assert_eq!(field_of(r#"{"name": 5}"#).as_deref(), Some("name"));
        assert_eq!(
            field_of(r#"{"name": "A", "availability": [{"day": 1}, {"day": 2}, {"day": "x"}]}"#)
                .as_deref(),
            Some("availability[2].day")
        );
        assert_eq!(field_of(r#"{}"#).as_deref(), Some("name"));
        assert_eq!(
            field_of(r#"{"name": "A", "availability": [{}]}"#).as_deref(),
            Some("availability[0].day")
        );
        assert_eq!(
            field_of(r#"{"name": "#),
            None,
            "syntax errors have no field"
        );
        assert_eq!(
            field_of(r#""text""#),
            None,
            "a wrong top-level shape has no field"
        );
        assert_eq!(field_of(r#"{"name": "A"} x"#), None);
    }

    #[test]
    fn json_content_types() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, v.parse().unwrap());
            is_json(&h)
        };
        assert!(with("application/json"));
        assert!(with("Application/JSON; charset=utf-8"));
        assert!(with("application/merge-patch+json"));
        assert!(!with("text/plain"));
        assert!(!with("application/x-www-form-urlencoded"));
        assert!(!is_json(&HeaderMap::new()));
    }
}
