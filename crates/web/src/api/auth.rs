//! Sign-up, sign-in and out, email verification, password reset and
//! invitations. Sign-in answers with the same `HttpOnly; SameSite=Lax`
//! session cookie the pages use, so a browser client needs nothing else.

use super::{Accepted, ApiJson, Created, SessionToken};
use crate::auth::{clear_cookie, session_cookie, Client};
use crate::error::ErrorBody;
use crate::ratelimit::check as check_rate;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rapport_app::accounts::SignUp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new account.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct SignUpBody {
    /// Email address; a verification link is sent to it.
    #[schema(required = true)]
    pub email: String,
    /// Display name.
    #[schema(required = true)]
    pub name: String,
    /// Password, at least 10 characters.
    #[schema(required = true)]
    pub password: String,
}

/// Email and password.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct SignInBody {
    /// Email address.
    #[schema(required = true)]
    pub email: String,
    /// Password.
    #[schema(required = true)]
    pub password: String,
}

/// Who is now signed in.
#[derive(Serialize, ToSchema)]
pub struct SignedIn {
    /// The signed-in person.
    pub person_id: uuid::Uuid,
}

/// An email address.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct EmailBody {
    /// Email address.
    #[schema(required = true)]
    pub email: String,
}

/// A one-time token from an emailed link, and a new password.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct TokenPasswordBody {
    /// The `token` parameter of the emailed link.
    #[schema(required = true)]
    pub token: String,
    /// The new password, at least 10 characters.
    #[schema(required = true)]
    pub password: String,
}

/// A one-time token from an emailed link.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct TokenBody {
    /// The `token` parameter of the emailed link.
    #[schema(required = true)]
    pub token: String,
}

fn with_cookie(status: StatusCode, cookie: String, body: impl Serialize) -> Response {
    (status, [(SET_COOKIE, cookie)], Json(body)).into_response()
}

/// Create an account
///
/// Creates an account (when the site's sign-up mode allows the address) and
/// emails a verification link. Every invalid field is reported at once.
#[utoipa::path(
    post,
    path = "/api/v1/auth/sign-up",
    tag = "auth",
    request_body = SignUpBody,
    responses(
        (status = 201, description = "The account exists; confirm the email before signing in.", body = Created),
        (status = 403, description = "`forbidden`: sign-up is by invitation or limited to some email domains.", body = ErrorBody),
        (status = 409, description = "`conflict` on `email`: an account with this email already exists.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `email`, `name` or `password` (every bad field is listed in `fields`).", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many attempts from this address.", body = ErrorBody),
    ),
)]
pub async fn sign_up(
    State(s): State<AppState>,
    Client(client): Client,
    ApiJson(body): ApiJson<SignUpBody>,
) -> Result<Response, ApiError> {
    check_rate(&s, "signup", &client).await?;
    let id = s
        .app
        .sign_up(&SignUp {
            email: body.email,
            name: body.name,
            password: body.password,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })).into_response())
}

/// Sign in
///
/// Checks the email and password and starts a session: the answer sets the
/// `rapport_session` cookie (`HttpOnly; SameSite=Lax`, `Secure` over HTTPS).
/// A session cookie sent with the request is ended, so the session id rotates
/// at every sign-in.
#[utoipa::path(
    post,
    path = "/api/v1/auth/sign-in",
    tag = "auth",
    request_body = SignInBody,
    responses(
        (status = 200, description = "Signed in; the `Set-Cookie` header carries the session.", body = SignedIn,
            headers(("set-cookie" = String, description = "The session cookie."))),
        (status = 401, description = "`unauthenticated`: the email or password is incorrect.", body = ErrorBody),
        (status = 403, description = "`forbidden`: the email is not confirmed yet.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `email` or `password` is missing or malformed.", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many attempts from this address.", body = ErrorBody),
    ),
)]
pub async fn sign_in(
    State(s): State<AppState>,
    Client(client): Client,
    SessionToken(previous): SessionToken,
    ApiJson(body): ApiJson<SignInBody>,
) -> Result<Response, ApiError> {
    // Failed sign-ins are counted by the use case itself; successes never.
    let session = s
        .app
        .sign_in(&body.email, &body.password, &client, previous.as_deref())
        .await?;
    Ok(with_cookie(
        StatusCode::OK,
        session_cookie(&s, &session.token),
        SignedIn {
            person_id: session.person_id.0,
        },
    ))
}

/// Sign out
///
/// Ends the session of the cookie sent with the request (if any) and clears
/// the cookie. API tokens are not affected; revoke them under `/me/tokens`.
#[utoipa::path(
    post,
    path = "/api/v1/auth/sign-out",
    tag = "auth",
    responses(
        (status = 204, description = "Signed out; the cookie is cleared.",
            headers(("set-cookie" = String, description = "Clears the session cookie."))),
    ),
)]
pub async fn sign_out(
    State(s): State<AppState>,
    SessionToken(token): SessionToken,
) -> Result<Response, ApiError> {
    if let Some(token) = token {
        s.app.sign_out(&token).await?;
    }
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, clear_cookie(&s))]).into_response())
}

/// Ask for a password-reset link
///
/// Emails a link to reset the password when an active account uses this
/// address. The answer is the same whether or not one does, so it reveals
/// nothing about who has an account.
#[utoipa::path(
    post,
    path = "/api/v1/auth/forgot-password",
    tag = "auth",
    request_body = EmailBody,
    responses(
        (status = 202, description = "If an account uses the address, a link is on its way.", body = Accepted),
        (status = 422, description = "`invalid_field`: `email` is not an email address.", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many attempts from this address.", body = ErrorBody),
    ),
)]
pub async fn forgot_password(
    State(s): State<AppState>,
    Client(client): Client,
    ApiJson(body): ApiJson<EmailBody>,
) -> Result<Response, ApiError> {
    check_rate(&s, "reset", &client).await?;
    s.app.forgot_password(&body.email).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            message: "if an account uses that address, we sent it a link to reset the password"
                .into(),
        }),
    )
        .into_response())
}

/// Set a new password with a reset token
///
/// Uses the token from the reset email (once). Every existing session of the
/// account ends; sign in again with the new password.
#[utoipa::path(
    post,
    path = "/api/v1/auth/reset-password",
    tag = "auth",
    request_body = TokenPasswordBody,
    responses(
        (status = 204, description = "The password is changed."),
        (status = 422, description = "`invalid_field`: `token` is invalid, used or expired, or `password` is too weak.", body = ErrorBody),
    ),
)]
pub async fn reset_password(
    State(s): State<AppState>,
    ApiJson(body): ApiJson<TokenPasswordBody>,
) -> Result<StatusCode, ApiError> {
    s.app.reset_password(&body.token, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Confirm an email address
///
/// Uses the token from the verification email (once).
#[utoipa::path(
    post,
    path = "/api/v1/auth/verify-email",
    tag = "auth",
    request_body = TokenBody,
    responses(
        (status = 204, description = "The email is confirmed; the person can sign in."),
        (status = 422, description = "`invalid_field`: `token` is invalid, used or expired.", body = ErrorBody),
    ),
)]
pub async fn verify_email(
    State(s): State<AppState>,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<StatusCode, ApiError> {
    s.app.verify_email(&body.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ask for a new verification link
///
/// Emails a fresh link when an unconfirmed account uses this address. The
/// answer is the same either way.
#[utoipa::path(
    post,
    path = "/api/v1/auth/resend-verification",
    tag = "auth",
    request_body = EmailBody,
    responses(
        (status = 202, description = "If the account still needs confirming, a link is on its way.", body = Accepted),
        (status = 422, description = "`invalid_field`: `email` is not an email address.", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many attempts from this address.", body = ErrorBody),
    ),
)]
pub async fn resend_verification(
    State(s): State<AppState>,
    Client(client): Client,
    ApiJson(body): ApiJson<EmailBody>,
) -> Result<Response, ApiError> {
    check_rate(&s, "reset", &client).await?;
    s.app.resend_verification(&body.email).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            message: "if that account still needs confirming, we sent a new link".into(),
        }),
    )
        .into_response())
}

/// Accept an invitation
///
/// Uses the token from the invitation email: sets the password, confirms the
/// email and signs in (the answer sets the session cookie).
#[utoipa::path(
    post,
    path = "/api/v1/auth/accept-invitation",
    tag = "auth",
    request_body = TokenPasswordBody,
    responses(
        (status = 200, description = "Signed in; the `Set-Cookie` header carries the session.", body = SignedIn,
            headers(("set-cookie" = String, description = "The session cookie."))),
        (status = 422, description = "`invalid_field`: `token` is invalid, used or expired, or `password` is too weak.", body = ErrorBody),
    ),
)]
pub async fn accept_invitation(
    State(s): State<AppState>,
    Client(client): Client,
    ApiJson(body): ApiJson<TokenPasswordBody>,
) -> Result<Response, ApiError> {
    let session = s
        .app
        .accept_invitation(&body.token, &body.password, &client)
        .await?;
    Ok(with_cookie(
        StatusCode::OK,
        session_cookie(&s, &session.token),
        SignedIn {
            person_id: session.person_id.0,
        },
    ))
}
