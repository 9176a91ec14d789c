//! The account page: sessions, API tokens, email preferences, export, deletion.

use super::{render, Ctx};
use crate::auth::{clear_cookie, PageActor};
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::AppError;
use rapport_domain::person::NotificationKind;
use std::collections::HashMap;

struct SessionRow {
    id: String,
    user_agent: String,
    ip: String,
    last_seen: String,
}

struct TokenRow {
    id: String,
    name: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: Ctx,
    title: &'static str,
    sessions: Vec<SessionRow>,
    tokens: Vec<TokenRow>,
    prefs: Vec<(&'static str, &'static str, bool)>,
    new_token: Option<String>,
}

async fn account_page(
    s: &AppState,
    who: &PageActor,
    notice: Option<&str>,
    new_token: Option<String>,
) -> Result<Response, PageError> {
    let sessions = s
        .app
        .my_sessions(&who.actor)
        .await?
        .into_iter()
        .map(|r| SessionRow {
            id: r.id.to_string(),
            user_agent: r.user_agent,
            ip: r.ip,
            last_seen: who.when(r.last_seen_at),
        })
        .collect();
    let tokens = s
        .app
        .my_api_tokens(&who.actor)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id.to_string(),
            name: t.name,
            created: who.when(t.created_at),
            last_used: t
                .last_used_at
                .map(|t| who.when(t))
                .unwrap_or_else(|| "never".into()),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    let prefs = s
        .app
        .notification_preferences(&who.actor)
        .await?
        .into_iter()
        .map(|(k, on)| (k.code(), k.label(), on))
        .collect();
    Ok(render(&AccountPage {
        ctx: Ctx::new(Some(who), notice),
        title: "Your account",
        sessions,
        tokens,
        prefs,
        new_token,
    })
    .into_response())
}

async fn account(
    State(s): State<AppState>,
    who: PageActor,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    account_page(&s, &who, q.get("done").map(String::as_str), None).await
}

fn not_found(what: &str) -> PageError {
    PageError(AppError::NotFound(format!("that {what} was not found")))
}

async fn revoke_session(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = id.parse().map_err(|_| not_found("session"))?;
    s.app.revoke_session(&who.actor, id).await?;
    Ok(Redirect::to("/account?done=session_revoked").into_response())
}

async fn create_token(
    State(s): State<AppState>,
    who: PageActor,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let created = s
        .app
        .create_api_token(
            &who.actor,
            f.get("name").map(String::as_str).unwrap_or_default(),
        )
        .await?;
    // The secret is shown once, on this response; it is never stored.
    account_page(&s, &who, None, Some(created.secret)).await
}

async fn revoke_token(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = id.parse().map_err(|_| not_found("token"))?;
    s.app.revoke_api_token(&who.actor, id).await?;
    Ok(Redirect::to("/account?done=token_revoked").into_response())
}

async fn save_prefs(
    State(s): State<AppState>,
    who: PageActor,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let enabled: Vec<NotificationKind> = NotificationKind::OPTIONAL
        .into_iter()
        .filter(|k| f.get(k.code()).is_some_and(|v| v == "on"))
        .collect();
    s.app
        .set_notification_preferences(&who.actor, &enabled)
        .await?;
    Ok(Redirect::to("/account?done=prefs_saved").into_response())
}

async fn export(State(s): State<AppState>, who: PageActor) -> Result<Response, PageError> {
    let data = s.app.export_my_data(&who.actor).await?;
    let body = serde_json::to_string_pretty(&data)
        .map_err(|e| PageError(AppError::internal("the data export does not serialise", e)))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"rapport-my-data.json\"",
            ),
        ],
        body,
    )
        .into_response())
}

async fn delete(
    State(s): State<AppState>,
    who: PageActor,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    // Issue 18 §5: a wrong password shows the confirmation again, with the
    // error next to the field.
    if let Err(e) = s
        .app
        .delete_account(
            &who.actor,
            who.actor.person_id,
            f.get("password").map(String::as_str),
        )
        .await
    {
        return match e {
            AppError::Invalid(_) => {
                Ok(super::confirmations::delete_account_confirm().with_error(&who, e))
            }
            e => Err(e.into()),
        };
    }
    Ok((
        [(header::SET_COOKIE, clear_cookie(&s))],
        Redirect::to("/sign-in?done=deleted"),
    )
        .into_response())
}

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/account", account)
        .post("/account/sessions/{id}/revoke", revoke_session)
        .post("/account/tokens", create_token)
        .post("/account/tokens/{id}/revoke", revoke_token)
        .post("/account/notifications", save_prefs)
        .get("/account/export", export)
        .post("/account/delete", delete)
}
