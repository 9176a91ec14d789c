//! One error type per surface: [`ApiError`] answers JSON in the documented
//! shape `{"error": {"code", "message", "field", "request_id"}}`;
//! [`PageError`] answers an HTML page (or a redirect to sign-in for 401).
//! Both quote the request id, so a person can hand it to an operator, who
//! finds the request in the logs by it. Internal errors are logged with
//! context and never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use rapport_app::AppError;
use rapport_domain::invalid::sentence;
use serde::Serialize;

/// Status code for an app error.
pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Logs a 500's whole cause chain ("context: cause: root cause") as the
/// `error` field. The event fires inside the request's span, so the line also
/// carries the request id a person can quote. The chain may name tables,
/// paths and addresses, so it goes to the log only, never into a response.
pub fn log_internal(e: &AppError) {
    tracing::error!(error = %rapport_app::error_chain(e), "internal error");
}

/// The body of every API error.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code (see docs/api.md).
    pub code: String,
    /// A sentence saying what to do next.
    pub message: String,
    /// The field at fault, or null.
    pub field: Option<String>,
    /// Every invalid field, when there are several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// The id of the request (its `x-request-id` header); quote it when
    /// reporting a problem, and operators find the request in the logs by it.
    pub request_id: Option<String>,
}

/// One invalid field.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Field name.
    pub field: String,
    /// What to do.
    pub message: String,
}

/// What a person reads about a fault on our side.
const INTERNAL_MESSAGE: &str = "something went wrong on our side; nothing was changed. Please try again, and if it keeps happening, report it with the request id";

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<String>,
    fields: Vec<(String, String)>,
}

impl ApiError {
    /// A 400 for a body that is not what the endpoint reads.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "bad_request",
            message: message.into(),
            field: None,
            fields: vec![],
        }
    }
    /// A 400 for a body value of the wrong type or a missing field, naming
    /// the field (a dotted path such as `availability[2].day`).
    pub fn bad_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.into()),
            ..Self::bad_request(message)
        }
    }
    /// A 413 for an oversized body.
    pub fn too_large() -> Self {
        Self::too_large_over(crate::BODY_LIMIT)
    }
    /// A 413 for a body over `limit` bytes.
    pub fn too_large_over(limit: usize) -> Self {
        Self {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "payload_too_large",
            message: format!(
                "the request body is larger than the limit of {} KiB; send less at once",
                limit / 1024
            ),
            field: None,
            fields: vec![],
        }
    }
    /// A 415 for a body that is not JSON by its `Content-Type`.
    pub fn unsupported_media_type() -> Self {
        Self {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code: "unsupported_media_type",
            message: "send the body as JSON with the header `Content-Type: application/json`"
                .into(),
            field: None,
            fields: vec![],
        }
    }
    /// A 405 for a known path with another method.
    pub fn method_not_allowed() -> Self {
        Self {
            status: StatusCode::METHOD_NOT_ALLOWED,
            code: "method_not_allowed",
            message: "this endpoint does not accept that method; see /api/v1/openapi.json".into(),
            field: None,
            fields: vec![],
        }
    }
    /// A 500 for a handler that panicked; the panic is logged by the caller.
    pub fn panicked() -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: INTERNAL_MESSAGE.into(),
            field: None,
            fields: vec![],
        }
    }
    /// A 422 listing several problems whose names are built at run time
    /// (for example `line 12: email` in an uploaded file).
    pub fn invalid_fields(message: impl Into<String>, fields: Vec<(String, String)>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_field",
            message: message.into(),
            field: fields.first().map(|(f, _)| f.clone()),
            fields,
        }
    }
    /// A 403 for a cross-site request.
    pub fn cross_site() -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            code: "cross_site_request",
            message: "cross-site requests are refused; submit the form from Rapport itself".into(),
            field: None,
            fields: vec![],
        }
    }
    /// A 404 for an unknown route.
    pub fn no_route() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: "there is no such API endpoint; see /api/v1/openapi.json".into(),
            field: None,
            fields: vec![],
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let status = status_of(&e);
        if let AppError::Internal { .. } = &e {
            log_internal(&e);
            return Self {
                status,
                code: "internal",
                message: INTERNAL_MESSAGE.into(),
                field: None,
                fields: vec![],
            };
        }
        let (field, fields, message) = match &e {
            AppError::Invalid(errs) => (
                errs.first().map(|i| i.field.to_string()),
                errs.iter()
                    .map(|i| (i.field.to_string(), i.message.clone()))
                    .collect(),
                errs.first().map(|i| i.message.clone()).unwrap_or_default(),
            ),
            AppError::Conflict { field, message } => {
                (field.map(String::from), vec![], sentence(message.as_str()))
            }
            other => (None, vec![], other.to_string()),
        };
        Self {
            status,
            code: e.code(),
            message,
            field,
            fields,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let fields = if self.fields.len() > 1 {
            self.fields
                .into_iter()
                .map(|(field, message)| FieldError {
                    field,
                    message: sentence(message),
                })
                .collect()
        } else {
            vec![]
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.into(),
                // Every message a person reads is a sentence (issue 18, §7),
                // the web layer's own as much as the app's.
                message: sentence(self.message),
                field: self.field,
                fields,
                request_id: crate::request_id::id(),
            },
        };
        (self.status, Json(body)).into_response()
    }
}

/// An error answered as an HTML page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        if status == StatusCode::UNAUTHORIZED {
            return Redirect::to("/sign-in").into_response();
        }
        let message = match &self.0 {
            e @ AppError::Internal { .. } => {
                log_internal(e);
                "Something went wrong on our side; nothing was changed. Please try again."
                    .to_string()
            }
            // The fields' messages, each already a sentence naming its field
            // ("Time zone must be an IANA name …"), without the codes.
            AppError::Invalid(errs) => errs
                .iter()
                .map(|i| i.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        };
        let title = match status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::CONFLICT => "Conflict",
            StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
            StatusCode::UNPROCESSABLE_ENTITY => "Please check your input",
            _ => "Something went wrong",
        };
        let message = with_request_id(message);
        let mut response =
            (status, crate::pages::message_page(None, title, &message)).into_response();
        // The page is drawn without knowing who asked; the pages' middleware
        // redraws it with their menu (see `pages::error_menu`).
        response
            .extensions_mut()
            .insert(ErrorPageText { title, message });
        response
    }
}

/// What an error page says, left on its response for the pages' middleware.
#[derive(Clone, Debug)]
pub struct ErrorPageText {
    /// Heading.
    pub title: &'static str,
    /// The sentence.
    pub message: String,
}

/// `message` followed by the request id to quote, when there is a request.
pub fn with_request_id(message: String) -> String {
    match crate::request_id::id() {
        Some(id) => {
            // App messages are sentences without a full stop; end the one
            // before ours so the two read as two sentences.
            let stop = if message.ends_with(['.', '!', '?']) {
                ""
            } else {
                "."
            };
            format!("{message}{stop} If you report this, quote this id: {id}.")
        }
        None => message,
    }
}
