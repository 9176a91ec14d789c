//! The signed-in person's own account: profile, sign-in sessions, API tokens,
//! email preferences, data export and deletion.

use super::people::PersonView;
use super::{ApiJson, IdPath, SessionToken};
use crate::auth::{clear_cookie, ApiActor, ApiCaller};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rapport_app::{Actor, AppError};
use rapport_domain::person::NotificationKind;
use rapport_domain::{ApiTokenId, Invalid, LoginSessionId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Your own profile
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "me",
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "Your profile, with your email.", body = PersonView)),
)]
pub async fn get_me(
    State(s): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<PersonView>, ApiError> {
    let me = s.app.my_profile_for(caller.reader()).await;
    Ok(Json(me.map_err(|e| caller.refused(e))?.into()))
}

/// Your password, to confirm a deletion.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct PasswordBody {
    /// Your current password.
    #[schema(required = true)]
    pub password: String,
}

/// Delete your account
///
/// Removes your account, profile, sessions, tokens and the emails queued for
/// you; other people's records stay whole, and the audit log keeps the fact of
/// the deletion without your personal data. Clears the session cookie.
#[utoipa::path(
    delete,
    path = "/api/v1/me",
    tag = "me",
    request_body = PasswordBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Your account and data are deleted.",
            headers(("set-cookie" = String, description = "Clears the session cookie."))),
        (status = 409, description = "`conflict`: you are the only administrator; make someone else one first.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `password`: the password is wrong.", body = ErrorBody),
    ),
)]
pub async fn delete_me(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<PasswordBody>,
) -> Result<Response, ApiError> {
    s.app
        .delete_account(&actor, actor.person_id, Some(&body.password))
        .await?;
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, clear_cookie(&s))]).into_response())
}

/// One sign-in session.
#[derive(Serialize, ToSchema)]
pub struct SessionView {
    /// Session id (not its secret).
    pub id: uuid::Uuid,
    /// Started, Unix milliseconds.
    pub created_at: i64,
    /// Last used, Unix milliseconds.
    pub last_seen_at: i64,
    /// Ends unless used again, Unix milliseconds.
    pub expires_at: i64,
    /// The browser, as it reported itself.
    pub user_agent: String,
    /// The client address.
    pub ip: String,
    /// Whether this request came with this session's cookie.
    pub current: bool,
}

/// Your sign-in sessions.
#[derive(Serialize, ToSchema)]
pub struct SessionList {
    /// Live sessions, newest first.
    pub sessions: Vec<SessionView>,
}

/// List your sign-in sessions
#[utoipa::path(
    get,
    path = "/api/v1/me/sessions",
    tag = "me",
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "Your live sessions.", body = SessionList)),
)]
pub async fn list_sessions(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    SessionToken(token): SessionToken,
) -> Result<Json<SessionList>, ApiError> {
    let current = match token {
        Some(t) => s.app.authenticate_session(&t).await.ok().map(|(_, id)| id),
        None => None,
    };
    let sessions = s
        .app
        .my_sessions(&actor)
        .await?
        .into_iter()
        .map(|r| SessionView {
            id: r.id.0,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            expires_at: r.expires_at,
            user_agent: r.user_agent,
            ip: r.ip,
            current: current == Some(r.id),
        })
        .collect();
    Ok(Json(SessionList { sessions }))
}

/// Sign out one of your sessions
#[utoipa::path(
    delete,
    path = "/api/v1/me/sessions/{id}",
    tag = "me",
    params(("id" = uuid::Uuid, Path, description = "Session id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "The session is ended."),
        (status = 404, description = "`not_found`: no such session of yours.", body = ErrorBody),
    ),
)]
pub async fn revoke_session(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<LoginSessionId>,
) -> Result<StatusCode, ApiError> {
    s.app.revoke_session(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One API token, without its secret.
#[derive(Serialize, ToSchema)]
pub struct TokenView {
    /// Token id.
    pub id: uuid::Uuid,
    /// The name you gave it.
    pub name: String,
    /// Created, Unix milliseconds.
    pub created_at: i64,
    /// Last used, Unix milliseconds.
    pub last_used_at: Option<i64>,
    /// Revoked, Unix milliseconds; a revoked token no longer works.
    pub revoked_at: Option<i64>,
}

/// Your API tokens.
#[derive(Serialize, ToSchema)]
pub struct TokenList {
    /// Tokens, active and revoked.
    pub tokens: Vec<TokenView>,
}

/// List your API tokens
#[utoipa::path(
    get,
    path = "/api/v1/me/tokens",
    tag = "me",
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "Your tokens (never their secrets).", body = TokenList)),
)]
pub async fn list_tokens(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<TokenList>, ApiError> {
    let tokens = s
        .app
        .my_api_tokens(&actor)
        .await?
        .into_iter()
        .map(|t| TokenView {
            id: t.id.0,
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        })
        .collect();
    Ok(Json(TokenList { tokens }))
}

/// A name for a new token.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct TokenName {
    /// What the token is for (1 to 60 characters).
    #[schema(required = true)]
    pub name: String,
}

/// A new API token with its secret.
#[derive(Serialize, ToSchema)]
pub struct NewToken {
    /// Token id.
    pub id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// The secret, sent as `Authorization: Bearer <secret>`. Shown this once only.
    pub secret: String,
}

/// Create an API token
///
/// The answer holds the secret; it is stored hashed and never shown again.
#[utoipa::path(
    post,
    path = "/api/v1/me/tokens",
    tag = "me",
    request_body = TokenName,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The token, with its secret.", body = NewToken),
        (status = 409, description = "`conflict` on `name`: you have 20 active tokens already.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `name`.", body = ErrorBody),
    ),
)]
pub async fn create_token(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<TokenName>,
) -> Result<Response, ApiError> {
    let t = s.app.create_api_token(&actor, &body.name).await?;
    let body = NewToken {
        id: t.id.0,
        name: t.name,
        secret: t.secret,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Revoke one of your API tokens
#[utoipa::path(
    delete,
    path = "/api/v1/me/tokens/{id}",
    tag = "me",
    params(("id" = uuid::Uuid, Path, description = "Token id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "The token no longer works."),
        (status = 404, description = "`not_found`: no such active token of yours.", body = ErrorBody),
    ),
)]
pub async fn revoke_token(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<ApiTokenId>,
) -> Result<StatusCode, ApiError> {
    s.app.revoke_api_token(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One kind of email you may switch off.
#[derive(Serialize, ToSchema)]
pub struct NotificationPreference {
    /// `matching`, `programme` or `digest`.
    pub kind: String,
    /// What it covers.
    pub label: String,
    /// Whether you receive it.
    pub enabled: bool,
}

/// Your email preferences. Account and security email is always sent.
#[derive(Serialize, ToSchema)]
pub struct NotificationPreferences {
    /// Every optional kind.
    pub preferences: Vec<NotificationPreference>,
}

/// The kinds of email to receive.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct EnabledKinds {
    /// Kinds to receive (`matching`, `digest`, `sessions`, `rooms`, `growth`); the others are switched off.
    #[schema(required = true)]
    pub enabled: Vec<String>,
}

/// The optional kinds' codes as a list in words ("matching, …, rooms or growth").
fn optional_codes() -> String {
    let codes: Vec<&str> = NotificationKind::OPTIONAL
        .iter()
        .map(|k| k.code())
        .collect();
    match codes.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => codes.join(""),
    }
}

async fn preferences(s: &AppState, actor: &Actor) -> Result<NotificationPreferences, ApiError> {
    let preferences = s
        .app
        .notification_preferences(actor)
        .await?
        .into_iter()
        .map(|(k, enabled)| NotificationPreference {
            kind: k.code().into(),
            label: k.label().into(),
            enabled,
        })
        .collect();
    Ok(NotificationPreferences { preferences })
}

/// Your email preferences
#[utoipa::path(
    get,
    path = "/api/v1/me/notifications",
    tag = "me",
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "Which kinds of email you receive.", body = NotificationPreferences)),
)]
pub async fn get_notifications(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<NotificationPreferences>, ApiError> {
    Ok(Json(preferences(&s, &actor).await?))
}

/// Set your email preferences
///
/// Lists the optional kinds to receive; every kind not listed is switched off.
#[utoipa::path(
    put,
    path = "/api/v1/me/notifications",
    tag = "me",
    request_body = EnabledKinds,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The saved preferences.", body = NotificationPreferences),
        (status = 422, description = "`invalid_field` on `enabled`: an unknown kind.", body = ErrorBody),
    ),
)]
pub async fn set_notifications(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<EnabledKinds>,
) -> Result<Json<NotificationPreferences>, ApiError> {
    let kinds = body
        .enabled
        .iter()
        .map(|k| {
            NotificationKind::parse("enabled", k).map_err(|_| {
                Invalid::new(
                    "enabled",
                    format!("\"{k}\" is not a kind of email; use {}", optional_codes()),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(AppError::from)?;
    s.app.set_notification_preferences(&actor, &kinds).await?;
    Ok(Json(preferences(&s, &actor).await?))
}

/// Export your data
///
/// Everything Rapport stores about you, as one JSON document
/// (`format: rapport-personal-data/1`): account, profile, programme roles,
/// enrolments, requests, rooms, notes, messages, emails sent to you, in-app
/// notifications, sessions, API tokens and your admin actions.
#[utoipa::path(
    get,
    path = "/api/v1/me/export",
    tag = "me",
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "Your personal data.", body = Object)),
)]
pub async fn export_data(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(s.app.export_my_data(&actor).await?))
}
