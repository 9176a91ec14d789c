//! The admin area: people and invitations, skill catalogue, settings (the
//! audit log is in `audit.rs`).

use super::{render, Ctx, Field, FormPage};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::profiles::DirectoryPage;
use rapport_app::AppError;
use rapport_domain::person::SignupMode;
use rapport_domain::policy;
use rapport_store::SkillRecord;
use std::collections::HashMap;

type Params = HashMap<String, String>;

fn admin_only(who: &PageActor) -> Result<(), PageError> {
    AppError::check(policy::administer(&who.actor), "the admin area").map_err(PageError)
}

#[derive(Template)]
#[template(path = "admin_people.html")]
struct PeopleAdmin {
    ctx: Ctx,
    title: &'static str,
    q: String,
    result: DirectoryPage,
    invite_error: Option<String>,
    invite_fields: Vec<(&'static str, String)>,
    invite_email: String,
    invite_name: String,
}

impl PeopleAdmin {
    /// The error to show next to an invitation field, if any.
    fn field_error(&self, field: &str) -> Option<&str> {
        self.invite_fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// Splits an error into messages for named fields and one for the form.
fn field_errors(e: &AppError) -> (Vec<(&'static str, String)>, Option<String>) {
    match e {
        AppError::Invalid(errs) => (
            errs.iter().map(|i| (i.field, i.message.clone())).collect(),
            None,
        ),
        AppError::Conflict {
            field: Some(f),
            message,
        } => (vec![(*f, message.clone())], None),
        other => (vec![], Some(other.to_string())),
    }
}

async fn people_admin(
    s: &AppState,
    who: &PageActor,
    q: &Params,
    invite: Option<(&Params, AppError)>,
) -> Result<Response, PageError> {
    admin_only(who)?;
    let text = q.get("q").cloned().unwrap_or_default();
    let list = rapport_app::lists::ListQuery {
        page: q.get("page").and_then(|p| p.parse().ok()),
        cursor: q.get("cursor").cloned(),
        limit: None,
    };
    let result = s.app.directory(&who.actor, &text, &list).await?;
    let (status, invite_fields, invite_error, invite_email, invite_name) = match invite {
        Some((form, e)) => (
            crate::error::status_of(&e),
            field_errors(&e).0,
            field_errors(&e).1,
            form.get("email").cloned().unwrap_or_default(),
            form.get("name").cloned().unwrap_or_default(),
        ),
        None => (
            axum::http::StatusCode::OK,
            vec![],
            None,
            String::new(),
            String::new(),
        ),
    };
    let page = PeopleAdmin {
        ctx: Ctx::new(Some(who), q.get("done").map(String::as_str)),
        title: "Administration",
        q: text,
        result,
        invite_error,
        invite_fields,
        invite_email,
        invite_name,
    };
    Ok((status, render(&page)).into_response())
}

async fn admin_home(
    State(s): State<AppState>,
    who: PageActor,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    people_admin(&s, &who, &q, None).await
}

async fn invite(
    State(s): State<AppState>,
    who: PageActor,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    admin_only(&who)?;
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
    match s
        .app
        .invite(&who.actor, get("email"), get("name"), get("admin") == "on")
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin?done=invited").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            people_admin(&s, &who, &Params::new(), Some((&f, e))).await
        }
        Err(e) => Err(PageError(e)),
    }
}

async fn set_admin(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    admin_only(&who)?;
    let id = id
        .parse()
        .map_err(|_| PageError(AppError::NotFound("that person was not found".into())))?;
    s.app
        .set_admin(&who.actor, id, f.get("admin").is_some_and(|v| v == "on"))
        .await?;
    Ok(Redirect::to("/admin?done=admin_changed").into_response())
}

#[derive(Template)]
#[template(path = "admin_skills.html")]
struct SkillsAdmin {
    ctx: Ctx,
    title: &'static str,
    skills: Vec<SkillRecord>,
    error: Option<String>,
    typed: String,
}

async fn skills_page(
    s: &AppState,
    who: &PageActor,
    notice: Option<&str>,
    error: Option<(AppError, String)>,
) -> Result<Response, PageError> {
    admin_only(who)?;
    let skills = s.app.skills().await?;
    let (error, typed) = match error {
        Some((e, typed)) => (Some(e), typed),
        None => (None, String::new()),
    };
    let status = super::status_for(error.as_ref());
    Ok((
        status,
        render(&SkillsAdmin {
            ctx: Ctx::new(Some(who), notice),
            title: "Skill catalogue",
            skills,
            error: error.map(|e| e.to_string()),
            typed,
        }),
    )
        .into_response())
}

async fn skills(
    State(s): State<AppState>,
    who: PageActor,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    skills_page(&s, &who, q.get("done").map(String::as_str), None).await
}

async fn add_skill(
    State(s): State<AppState>,
    who: PageActor,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    admin_only(&who)?;
    match s
        .app
        .add_skill(
            &who.actor,
            f.get("name").map(String::as_str).unwrap_or_default(),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/skills?done=skill_added").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            skills_page(
                &s,
                &who,
                None,
                Some((e, f.get("name").cloned().unwrap_or_default())),
            )
            .await
        }
        Err(e) => Err(PageError(e)),
    }
}

async fn remove_skill(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    admin_only(&who)?;
    let id = id
        .parse()
        .map_err(|_| PageError(AppError::NotFound("that skill was not found".into())))?;
    s.app.remove_skill(&who.actor, id).await?;
    Ok(Redirect::to("/admin/skills?done=skill_removed").into_response())
}

fn settings_form(who: &PageActor, mode: &str, domains: &str, notice: Option<&str>) -> FormPage {
    FormPage {
        ctx: Ctx::new(Some(who), notice),
        title: "Site settings",
        intro: "Choose who may create an account.".into(),
        action: "/admin/settings".into(),
        fields: vec![
            Field::new("signup_mode", "Sign-up", "select").value(mode).options(vec![
                ("open".into(), "Anyone may sign up".into()),
                ("invite_only".into(), "Invitation only".into()),
                ("domains".into(), "Only these email domains".into()),
            ]),
            Field::new("allowed_domains", "Allowed email domains", "text").value(domains).hint("Comma-separated, for example example.org, example.com. Used when sign-up is limited to domains."),
        ],
        submit: "Save settings",
        form_error: None,
        links: vec![("/admin", "Back to administration")],
    }
}

async fn settings(
    State(s): State<AppState>,
    who: PageActor,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let mode = s.app.site_settings(&who.actor).await?;
    let domains = match &mode {
        SignupMode::Domains { domains } => domains.join(", "),
        _ => String::new(),
    };
    Ok(render(&settings_form(
        &who,
        mode.code(),
        &domains,
        q.get("done").map(String::as_str),
    ))
    .into_response())
}

async fn save_settings(
    State(s): State<AppState>,
    who: PageActor,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    admin_only(&who)?;
    let (mode, domains) = (
        f.get("signup_mode").cloned().unwrap_or_default(),
        f.get("allowed_domains").cloned().unwrap_or_default(),
    );
    Ok(
        match s.app.set_signup_mode(&who.actor, &mode, &domains).await {
            Ok(_) => Redirect::to("/admin/settings?done=settings_saved").into_response(),
            Err(e @ AppError::Invalid(_)) => {
                settings_form(&who, &mode, &domains, None).with_error(e)
            }
            Err(e) => return Err(PageError(e)),
        },
    )
}

fn conduct_form(who: &PageActor, body: String) -> FormPage {
    FormPage {
        ctx: Ctx::new(Some(who), None),
        title: "Code of conduct",
        intro: "Members accept this when they enrol in a programme.".into(),
        action: "/admin/conduct".into(),
        fields: vec![Field::new("code_of_conduct", "Code of conduct", "textarea").value(body)],
        submit: "Save code of conduct",
        form_error: None,
        links: vec![("/admin", "Back to the admin area")],
    }
}

async fn conduct(State(s): State<AppState>, who: PageActor) -> Result<Response, PageError> {
    admin_only(&who)?;
    let body = s.app.code_of_conduct().await?;
    Ok(render(&conduct_form(&who, body)).into_response())
}

async fn save_conduct(
    State(s): State<AppState>,
    who: PageActor,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let body = f.get("code_of_conduct").cloned().unwrap_or_default();
    match s.app.set_code_of_conduct(&who.actor, &body).await {
        Ok(()) => Ok(Redirect::to("/admin/conduct?done=conduct_saved").into_response()),
        Err(e @ AppError::Invalid(_)) => Ok(conduct_form(&who, body).with_error(e)),
        Err(e) => Err(PageError(e)),
    }
}

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/admin", admin_home)
        .post("/admin/invitations", invite)
        .post("/admin/people/{id}/admin", set_admin)
        .form("/admin/skills", skills, add_skill)
        .post("/admin/skills/{id}/delete", remove_skill)
        .form("/admin/settings", settings, save_settings)
        .form("/admin/conduct", conduct, save_conduct)
}
