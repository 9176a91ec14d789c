//! The people directory, profile pages and the profile form.

use super::{render, Ctx, Field, FormPage};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::profiles::{DirectoryPage, ProfileView};
use rapport_app::AppError;
use rapport_domain::person::{LeadershipLevel, ProfileInput};
use rapport_domain::PersonId;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize, Default)]
#[serde(default)]
struct Search {
    q: String,
    page: Option<i64>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    ctx: Ctx,
    title: &'static str,
    q: String,
    result: DirectoryPage,
}

async fn directory(
    State(s): State<AppState>,
    who: PageActor,
    Query(q): Query<Search>,
) -> Result<Response, PageError> {
    let result = s
        .app
        .directory(&who.actor, &q.q, q.page.unwrap_or(1))
        .await?;
    Ok(render(&PeoplePage {
        ctx: Ctx::new(Some(&who), None),
        title: "People",
        q: q.q,
        result,
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    ctx: Ctx,
    title: String,
    p: ProfileView,
    /// Whether the viewer blocks this person (none on one's own page).
    blocked: Option<bool>,
}

/// Ids in paths that do not parse are "not found", never a 400 or 500.
fn person_id(raw: &str) -> Result<PersonId, PageError> {
    raw.parse()
        .map_err(|_| PageError(AppError::NotFound("that person was not found".into())))
}

async fn person(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Query(q): Query<Search>,
) -> Result<Response, PageError> {
    let id = person_id(&id)?;
    let p = s.app.profile(&who.actor, id).await?;
    let blocked = if id == who.actor.person_id {
        None
    } else {
        Some(s.app.blocks(&who.actor, id).await?)
    };
    Ok(render(&PersonPage {
        ctx: Ctx::new(Some(&who), q.done.as_deref()),
        title: p.profile.name.clone(),
        p,
        blocked,
    })
    .into_response())
}

async fn block(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let id = person_id(&id)?;
    if f.get("block").map(String::as_str) == Some("false") {
        s.app.unblock(&who.actor, id).await?;
        return Ok(Redirect::to(&format!("/people/{id}?done=unblocked")).into_response());
    }
    s.app.block(&who.actor, id).await?;
    Ok(Redirect::to(&format!("/people/{id}?done=blocked")).into_response())
}

fn report_form(
    who: &PageActor,
    id: PersonId,
    programmes: Vec<(String, String)>,
    v: &HashMap<String, String>,
) -> FormPage {
    let value = |k: &str| v.get(k).cloned().unwrap_or_default();
    FormPage {
        ctx: Ctx::new(Some(who), None),
        title: "Report a person",
        intro: "Your report goes to the programme's managers only. They will not tell the person who reported them.".into(),
        action: format!("/people/{id}/report"),
        fields: vec![
            Field::new("programme", "Programme", "select").value(value("programme")).options(programmes),
            Field::new("reason", "What happened", "textarea").value(value("reason")),
            Field::new("request_id", "Request", "hidden").value(value("request_id")),
        ],
        submit: "Send report",
        form_error: None,
        links: vec![],
    }
}

async fn my_programmes(s: &AppState, who: &PageActor) -> Result<Vec<(String, String)>, PageError> {
    Ok(s.app
        .programmes(&who.actor)
        .await?
        .into_iter()
        .filter(|p| !p.my_roles.is_empty() || who.actor.is_admin)
        .map(|p| (p.record.slug, p.record.name))
        .collect())
}

async fn report_page(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let id = person_id(&id)?;
    s.app.profile(&who.actor, id).await?;
    let programmes = my_programmes(&s, &who).await?;
    let mut values = HashMap::new();
    if let Some(r) = q.get("request").filter(|r| r.parse::<uuid::Uuid>().is_ok()) {
        values.insert("request_id".to_string(), r.clone());
        if let Some(p) = q.get("programme") {
            values.insert("programme".to_string(), p.clone());
        }
    }
    Ok(render(&report_form(&who, id, programmes, &values)).into_response())
}

async fn report(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let id = person_id(&id)?;
    s.app.profile(&who.actor, id).await?;
    let slug = f.get("programme").cloned().unwrap_or_default();
    match s
        .app
        .report(
            &who.actor,
            &slug,
            Some(id),
            f.get("request_id").and_then(|r| r.parse().ok()),
            f.get("reason").map(String::as_str).unwrap_or(""),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/people/{id}?done=reported")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. } | AppError::Forbidden(_))) => {
            let programmes = my_programmes(&s, &who).await?;
            Ok(report_form(&who, id, programmes, &f).with_error(e))
        }
        Err(e) => Err(e.into()),
    }
}

fn profile_form(who: &PageActor, id: PersonId, v: &ProfileInput, catalogue: &[String]) -> FormPage {
    let levels = LeadershipLevel::ALL
        .iter()
        .map(|l| (l.code().to_string(), l.label().to_string()))
        .collect();
    FormPage {
        ctx: Ctx::new(Some(who), None),
        title: "Edit profile",
        intro: "Lists are comma-separated. Your email, gender and manager are never shown to other members.".into(),
        action: format!("/people/{id}/edit"),
        fields: vec![
            Field::new("name", "Name", "text").value(&v.name).auto("name"),
            Field::new("pronouns", "Pronouns", "text").value(&v.pronouns).hint("Optional, for example she/her."),
            Field::new("gender", "Gender (self-described, optional)", "text").value(&v.gender).hint("Used only when someone states a matching preference. Never shown to others."),
            Field::new("bio", "About you", "textarea").value(&v.bio),
            Field::new("level", "Leadership level", "select").value(&v.level).options(levels),
            Field::new("years_experience", "Years of experience", "number").value(&v.years_experience),
            Field::new("skills_offered", "Skills you can offer", "text").value(&v.skills_offered).hint(skills_hint(catalogue)),
            Field::new("skills_wanted", "Skills you want to grow", "text").value(&v.skills_wanted).hint(skills_hint(catalogue)),
            Field::new("goal_tags", "Goal tags", "text").value(&v.goal_tags).hint("For example: First management role, Career change"),
            Field::new("goals", "Your goals in your own words", "textarea").value(&v.goals),
            Field::new("interests", "Interests", "text").value(&v.interests),
            Field::new("languages", "Languages", "text").value(&v.languages).hint("For example: English, Portuguese"),
            Field::new("time_zone", "Time zone", "text").value(&v.time_zone).hint("An IANA name such as Europe/Lisbon or America/New_York."),
            Field::new("availability", "Weekly availability", "textarea").value(&v.availability).hint("One window per line in your time zone, like: mon 09:00-11:00"),
            Field::new("department", "Department", "text").value(&v.department),
            Field::new("manager_email", "Your manager's email", "email").value(&v.manager_email).hint("Used so you are never matched with your own reporting line."),
            Field::new("visibility", "Who can see your profile", "select").value(&v.visibility).options(vec![("members".into(), "All members".into()), ("private".into(), "Only me, administrators and my programme managers".into())]),
        ],
        submit: "Save profile",
        form_error: None,
        links: vec![],
    }
}

/// The catalogue as a hint; people may still add skills of their own.
fn skills_hint(catalogue: &[String]) -> String {
    if catalogue.is_empty() {
        return "Comma-separated, for example: Coaching, Public speaking".into();
    }
    format!(
        "Comma-separated. From the catalogue: {}. You may add your own.",
        catalogue.join(", ")
    )
}

async fn catalogue(s: &AppState) -> Result<Vec<String>, PageError> {
    Ok(s.app.skills().await?.into_iter().map(|k| k.name).collect())
}

async fn edit_page(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = person_id(&id)?;
    let view = s.app.profile(&who.actor, id).await?;
    if !view.editable {
        return Err(PageError(AppError::Forbidden(
            "you can only edit your own profile".into(),
        )));
    }
    let input = ProfileInput::from_profile(&view.profile, view.manager_email.as_deref());
    Ok(render(&profile_form(&who, id, &input, &catalogue(&s).await?)).into_response())
}

async fn edit(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(input): Form<ProfileInput>,
) -> Result<Response, PageError> {
    let id = person_id(&id)?;
    Ok(match s.app.update_profile(&who.actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/people/{id}?done=profile_saved")).into_response(),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            profile_form(&who, id, &input, &catalogue(&s).await?).with_error(e)
        }
        Err(e) => return Err(PageError(e)),
    })
}

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/people", directory)
        .get("/people/{id}", person)
        .post("/people/{id}/block", block)
        .form("/people/{id}/report", report_page, report)
        .form("/people/{id}/edit", edit_page, edit)
}
