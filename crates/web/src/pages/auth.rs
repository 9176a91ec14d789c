//! Sign-up, sign-in, sign-out, verification, password reset, invitations,
//! unsubscribe, and the start page.

use super::{render, Ctx, Field, FormPage};
use crate::auth::{
    clear_cookie, cookie, session_cookie, Client, MaybeSession, PageFor, SESSION_COOKIE,
};
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::accounts::SignUp;
use rapport_app::AppError;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize, Default)]
#[serde(default)]
struct Notice {
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    title: &'static str,
    completeness: u8,
    /// Everything waiting on the person (the action inbox).
    inbox: Vec<rapport_app::inbox::InboxEntry>,
    /// Their programmes, as links, with where each stands.
    programmes: Vec<rapport_app::home::MyProgramme>,
    /// The getting-started checklist (empty once done).
    getting_started: Vec<rapport_app::home::StartStep>,
}

/// How many inbox entries the home page shows; the rest are one link away
/// in the API's pages (a manager's entries are aggregated, so this is rare).
const HOME_INBOX: usize = 50;

async fn home(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Query(n): Query<Notice>,
) -> Result<Response, PageError> {
    // The viewer, the summary and the inbox in one read transaction (issue
    // 20); an ended session is the signed-out home page, as elsewhere.
    let read = match &session {
        Some(sess) => match s.app.home_page(PageFor::Session(sess).reader()).await {
            Ok(page) => Some((sess, page)),
            Err(AppError::Unauthenticated(_)) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let (mut completeness, mut inbox, mut programmes, mut getting_started) =
        (0, vec![], vec![], vec![]);
    let mut who = None;
    if let Some((sess, page)) = read {
        who = Some(PageFor::Session(sess).actor(&s, page.viewer)?);
        completeness = page.summary.completeness;
        programmes = page.summary.programmes;
        getting_started = page.summary.getting_started;
        inbox = page.inbox;
        inbox.truncate(HOME_INBOX);
    }
    let ctx = Ctx::new(who.as_ref(), n.done.as_deref());
    Ok(render(&HomePage {
        ctx,
        title: "Home",
        completeness,
        inbox,
        programmes,
        getting_started,
    })
    .into_response())
}

fn sign_up_form(v: &SignUp) -> FormPage {
    FormPage {
        ctx: Ctx::default(),
        title: "Create your account",
        intro: "Join your organisation's mentoring programmes.".into(),
        action: "/sign-up".into(),
        fields: vec![
            Field::new("name", "Your name", "text")
                .value(&v.name)
                .auto("name"),
            Field::new("email", "Email", "email")
                .value(&v.email)
                .auto("email"),
            Field::new("password", "Password", "password")
                .hint("At least 10 characters.")
                .auto("new-password"),
        ],
        submit: "Create account",
        form_error: None,
        links: vec![("/sign-in", "Already have an account? Sign in")],
    }
}

async fn sign_up_page() -> Response {
    render(&sign_up_form(&SignUp::default())).into_response()
}

async fn sign_up(
    State(s): State<AppState>,
    Client(client): Client,
    Form(input): Form<SignUp>,
) -> Response {
    let result = match crate::ratelimit::check(&s, "signup", &client).await {
        Ok(()) => s.app.sign_up(&input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to("/sign-in?done=signed_up").into_response(),
        Err(e) => sign_up_form(&input).with_error(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SignInForm {
    email: String,
    password: String,
}

fn sign_in_form(email: &str, notice: Option<&str>) -> FormPage {
    FormPage {
        ctx: Ctx::new(None, notice),
        title: "Sign in",
        intro: String::new(),
        action: "/sign-in".into(),
        fields: vec![
            Field::new("email", "Email", "email")
                .value(email)
                .auto("email"),
            Field::new("password", "Password", "password").auto("current-password"),
        ],
        submit: "Sign in",
        form_error: None,
        links: vec![
            ("/forgot-password", "Forgot your password?"),
            ("/resend-verification", "Need a new confirmation email?"),
            ("/sign-up", "Create an account"),
        ],
    }
}

async fn sign_in_page(Query(n): Query<Notice>) -> Response {
    render(&sign_in_form("", n.done.as_deref())).into_response()
}

async fn sign_in(State(s): State<AppState>, parts: Parts, Form(f): Form<SignInForm>) -> Response {
    let client = crate::auth::client_info(&parts, &s);
    let previous = cookie(&parts, SESSION_COOKIE);
    // Sign-in counts its own failures (per account and address, and per
    // address) inside the use case: successful sign-ins never count.
    let result = s
        .app
        .sign_in(&f.email, &f.password, &client, previous)
        .await;
    match result {
        Ok(session) => (
            [(SET_COOKIE, session_cookie(&s, &session.token))],
            Redirect::to("/"),
        )
            .into_response(),
        Err(e) => sign_in_form(&f.email, None).with_error(e),
    }
}

async fn sign_out(State(s): State<AppState>, parts: Parts) -> Response {
    if let Some(token) = cookie(&parts, SESSION_COOKIE) {
        if let Err(e) = s.app.sign_out(token).await {
            return PageError(e).into_response();
        }
    }
    (
        [(SET_COOKIE, clear_cookie(&s))],
        Redirect::to("/sign-in?done=signed_out"),
    )
        .into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EmailForm {
    email: String,
}

fn email_form(
    title: &'static str,
    action: &str,
    intro: &str,
    submit: &'static str,
    email: &str,
) -> FormPage {
    FormPage {
        ctx: Ctx::default(),
        title,
        intro: intro.into(),
        action: action.into(),
        fields: vec![Field::new("email", "Email", "email")
            .value(email)
            .auto("email")],
        submit,
        form_error: None,
        links: vec![("/sign-in", "Back to sign in")],
    }
}

fn forgot_form(email: &str) -> FormPage {
    email_form(
        "Reset your password",
        "/forgot-password",
        "We will email you a link to choose a new password.",
        "Send reset link",
        email,
    )
}

fn resend_form(email: &str) -> FormPage {
    email_form(
        "Confirm your email",
        "/resend-verification",
        "We will email you a new confirmation link.",
        "Send link",
        email,
    )
}

async fn forgot_page() -> Response {
    render(&forgot_form("")).into_response()
}

async fn forgot(
    State(s): State<AppState>,
    Client(client): Client,
    Form(f): Form<EmailForm>,
) -> Response {
    let result = match crate::ratelimit::check(&s, "reset", &client).await {
        Ok(()) => s.app.forgot_password(&f.email).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to("/sign-in?done=reset_sent").into_response(),
        Err(e) => forgot_form(&f.email).with_error(e),
    }
}

async fn resend_page() -> Response {
    render(&resend_form("")).into_response()
}

async fn resend(
    State(s): State<AppState>,
    Client(client): Client,
    Form(f): Form<EmailForm>,
) -> Response {
    let result = match crate::ratelimit::check(&s, "reset", &client).await {
        Ok(()) => s.app.resend_verification(&f.email).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to("/sign-in?done=resent").into_response(),
        Err(e) => resend_form(&f.email).with_error(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenForm {
    token: String,
    password: String,
}

fn token_form(
    title: &'static str,
    action: &str,
    intro: String,
    token: &str,
    with_password: bool,
    submit: &'static str,
) -> FormPage {
    let mut fields = vec![Field::new("token", "Token", "hidden").value(token)];
    if with_password {
        fields.push(
            Field::new("password", "New password", "password")
                .hint("At least 10 characters.")
                .auto("new-password"),
        );
    }
    FormPage {
        ctx: Ctx::default(),
        title,
        intro,
        action: action.into(),
        fields,
        submit,
        form_error: None,
        links: vec![],
    }
}

async fn token_page(s: &AppState, token: &str, purpose: &str) -> Response {
    let (title, action, with_password, submit): (&'static str, &str, bool, &'static str) =
        match purpose {
            "verify" => (
                "Confirm your email",
                "/verify-email",
                false,
                "Confirm my email",
            ),
            "reset" => (
                "Choose a new password",
                "/reset-password",
                true,
                "Save new password",
            ),
            _ => (
                "Accept your invitation",
                "/accept-invitation",
                true,
                "Set password and sign in",
            ),
        };
    match s.app.check_email_token(token, purpose).await {
        Ok(person) => {
            let intro = match purpose {
                "verify" => format!("Confirm that {} is your email address.", person.email),
                "reset" => format!("Choose a new password for {}.", person.email),
                _ => format!(
                    "Welcome, {}. Choose a password for {}.",
                    person.profile.name, person.email
                ),
            };
            render(&token_form(
                title,
                action,
                intro,
                token,
                with_password,
                submit,
            ))
            .into_response()
        }
        Err(e) => PageError(e).into_response(),
    }
}

/// The `token` query parameter of an email link.
fn token_in(q: &HashMap<String, String>) -> &str {
    q.get("token").map(String::as_str).unwrap_or_default()
}

/// An error the person can fix on the form (a too-short password), as
/// opposed to a bad or used link, which gets an error page.
fn fixable_on_form(e: &AppError) -> bool {
    matches!(e, AppError::Invalid(v) if v.iter().all(|i| i.field != "token"))
}

async fn verify_page(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    token_page(&s, token_in(&q), "verify").await
}

async fn verify(State(s): State<AppState>, Form(f): Form<TokenForm>) -> Response {
    match s.app.verify_email(&f.token).await {
        Ok(_) => Redirect::to("/sign-in?done=verified").into_response(),
        Err(e) => PageError(e).into_response(),
    }
}

async fn reset_page(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    token_page(&s, token_in(&q), "reset").await
}

async fn reset(State(s): State<AppState>, Form(f): Form<TokenForm>) -> Response {
    match s.app.reset_password(&f.token, &f.password).await {
        Ok(_) => Redirect::to("/sign-in?done=password_reset").into_response(),
        Err(e) if fixable_on_form(&e) => token_form(
            "Choose a new password",
            "/reset-password",
            "Choose a new password.".into(),
            &f.token,
            true,
            "Save new password",
        )
        .with_error(e),
        Err(e) => PageError(e).into_response(),
    }
}

async fn invite_page(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    token_page(&s, token_in(&q), "invite").await
}

async fn accept_invite(
    State(s): State<AppState>,
    Client(client): Client,
    Form(f): Form<TokenForm>,
) -> Response {
    match s
        .app
        .accept_invitation(&f.token, &f.password, &client)
        .await
    {
        Ok(session) => (
            [(SET_COOKIE, session_cookie(&s, &session.token))],
            Redirect::to("/"),
        )
            .into_response(),
        Err(e) if fixable_on_form(&e) => token_form(
            "Accept your invitation",
            "/accept-invitation",
            "Choose a password.".into(),
            &f.token,
            true,
            "Set password and sign in",
        )
        .with_error(e),
        Err(e) => PageError(e).into_response(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Unsubscribe {
    person: String,
    kind: String,
    sig: String,
}

fn unsubscribe_form(u: &Unsubscribe, label: &str) -> FormPage {
    FormPage {
        ctx: Ctx::default(),
        title: "Stop these emails",
        intro: format!("Press the button to stop emails about: {label}. You can turn them on again from your account page."),
        action: "/unsubscribe".into(),
        fields: vec![Field::new("person", "Person", "hidden").value(&u.person), Field::new("kind", "Kind", "hidden").value(&u.kind), Field::new("sig", "Signature", "hidden").value(&u.sig)],
        submit: "Unsubscribe",
        form_error: None,
        links: vec![],
    }
}

async fn unsubscribe_page(State(s): State<AppState>, Query(u): Query<Unsubscribe>) -> Response {
    let checked = u
        .person
        .parse()
        .map_err(|_| AppError::invalid("person", "this unsubscribe link is not valid"))
        .and_then(|p| s.app.check_unsubscribe(p, &u.kind, &u.sig));
    match checked {
        Ok(kind) => render(&unsubscribe_form(&u, &kind.label().to_lowercase())).into_response(),
        Err(e) => PageError(e).into_response(),
    }
}

/// Applies an unsubscribe link. Two callers: the confirmation form, which
/// posts the signed fields in its body, and a mail provider's one-click
/// button (RFC 8058), which POSTs `List-Unsubscribe=One-Click` (form or
/// multipart encoded) to the link itself, so the fields are in the query.
/// Neither needs a sign-in or passes the cross-site guard: the signature is
/// the credential.
async fn unsubscribe(
    State(s): State<AppState>,
    Query(link): Query<Unsubscribe>,
    form: Result<Form<Unsubscribe>, FormRejection>,
) -> Response {
    let u = match form {
        _ if !link.sig.is_empty() => link,
        Ok(Form(u)) => u,
        Err(_) => Unsubscribe::default(),
    };
    let person = match u.person.parse() {
        Ok(p) => p,
        Err(_) => {
            return PageError(AppError::invalid(
                "person",
                "this unsubscribe link is not valid",
            ))
            .into_response()
        }
    };
    match s.app.unsubscribe(person, &u.kind, &u.sig).await {
        Ok(_) => Redirect::to("/?done=unsubscribed").into_response(),
        Err(e) => PageError(e).into_response(),
    }
}

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/", home)
        .form("/sign-up", sign_up_page, sign_up)
        .form("/sign-in", sign_in_page, sign_in)
        .post("/sign-out", sign_out)
        .form("/forgot-password", forgot_page, forgot)
        .form("/resend-verification", resend_page, resend)
        .form("/verify-email", verify_page, verify)
        .form("/reset-password", reset_page, reset)
        .form("/accept-invitation", invite_page, accept_invite)
        .form("/unsubscribe", unsubscribe_page, unsubscribe)
}
