//! The people directory, profile pages and the profile form.

use super::{profile_form, render, Ctx, Field, FormPage};
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

#[derive(Deserialize, Default)]
#[serde(default)]
struct Search {
    q: String,
    page: Option<i64>,
    cursor: Option<String>,
    done: Option<String>,
}

impl Search {
    /// Which page of the directory: by cursor (the links the page shows) or
    /// by number (older links and bookmarks).
    fn list(&self) -> rapport_app::lists::ListQuery {
        rapport_app::lists::ListQuery {
            page: self.page,
            cursor: self.cursor.clone(),
            limit: None,
        }
    }
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
    let result = s.app.directory(&who.actor, &q.q, &q.list()).await?;
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
    /// Whether the viewer follows this person's growth threads (none when
    /// they cannot: their own page, or no thread of theirs to see).
    following: Option<bool>,
}

/// Ids in paths that do not parse are "not found", never a 400 or 500.
pub(super) fn person_id(raw: &str) -> Result<PersonId, PageError> {
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
    let following = s.app.follow_standing(&who.actor, id).await?;
    Ok(render(&PersonPage {
        ctx: Ctx::new(Some(&who), q.done.as_deref()),
        title: p.profile.name.clone(),
        p,
        blocked,
        following,
    })
    .into_response())
}

fn profile_form(who: &PageActor, id: PersonId, v: &ProfileInput, catalogue: &[String]) -> FormPage {
    let levels = LeadershipLevel::ALL
        .iter()
        .map(|l| (l.code().to_string(), l.label().to_string()))
        .collect();
    let other_hint = "Comma-separated, for skills not in the list above.";
    FormPage {
        ctx: Ctx::new(Some(who), None),
        title: "Edit profile",
        intro: "Your email, gender and manager are never shown to other members.".into(),
        action: format!("/people/{id}/edit"),
        fields: vec![
            Field::new("name", "Name", "text")
                .value(&v.name)
                .auto("name"),
            Field::new("pronouns", "Pronouns", "text")
                .value(&v.pronouns)
                .hint("Optional, for example she/her."),
            Field::new("gender", "Gender (self-described, optional)", "text")
                .value(&v.gender)
                .hint(
                    "Used only when someone states a matching preference. Never shown to others.",
                ),
            Field::new("bio", "About you", "textarea").value(&v.bio),
            Field::new("level", "Leadership level", "select")
                .value(&v.level)
                .options(levels),
            Field::new("years_experience", "Years of experience", "number")
                .value(&v.years_experience),
            Field::checkboxes(
                "skills_offered",
                "Skills you can offer",
                catalogue,
                &v.skills_offered,
            )
            .hint("Tick every skill you could help someone grow."),
            Field::new("skills_offered_other", "Other skills you can offer", "text")
                .value(profile_form::outside(catalogue, &v.skills_offered))
                .hint(other_hint),
            Field::checkboxes(
                "skills_wanted",
                "Skills you want to grow",
                catalogue,
                &v.skills_wanted,
            )
            .hint("Tick the skills you want a mentor for."),
            Field::new(
                "skills_wanted_other",
                "Other skills you want to grow",
                "text",
            )
            .value(profile_form::outside(catalogue, &v.skills_wanted))
            .hint(other_hint),
            Field::new("goal_tags", "Goal tags", "text")
                .value(&v.goal_tags)
                .hint("Comma-separated, for example: First management role, Career change"),
            Field::new("goals", "Your goals in your own words", "textarea").value(&v.goals),
            Field::new("interests", "Interests", "text")
                .value(&v.interests)
                .hint("Comma-separated."),
            Field::new("languages", "Languages", "text")
                .value(&v.languages)
                .hint("Comma-separated, for example: English, Portuguese"),
            Field::new("time_zone", "Time zone", "zone")
                .value(&v.time_zone)
                .options(profile_form::zones())
                .hint("Start typing a city or region, such as Europe/Lisbon or America/New_York."),
            Field::new("availability", "Weekly availability", "week")
                .value(&v.availability)
                .hint("Tick the hours you are usually free, in your time zone."),
            Field::new("department", "Department", "text").value(&v.department),
            Field::new("manager_email", "Your manager's email", "email")
                .value(&v.manager_email)
                .hint("Used so you are never matched with your own reporting line."),
            Field::new("visibility", "Who can see your profile", "select")
                .value(&v.visibility)
                .options(vec![
                    ("members".into(), "All members".into()),
                    (
                        "private".into(),
                        "Only me, administrators and my programme managers".into(),
                    ),
                ]),
        ],
        submit: "Save profile",
        form_error: None,
        links: vec![],
    }
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
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = person_id(&id)?;
    let input = profile_form::profile_input(pairs);
    Ok(match s.app.update_profile(&who.actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/people/{id}?done=profile_saved")).into_response(),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            profile_form(&who, id, &input, &catalogue(&s).await?).with_error(e)
        }
        Err(e) => return Err(PageError(e)),
    })
}

/// Follows or stops following someone's growth threads (the feed can then
/// show only the people followed), from their profile page.
async fn follow(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<std::collections::HashMap<String, String>>,
) -> Result<Response, PageError> {
    let id = person_id(&id)?;
    // Back to the thread the button was on, or to the profile: only a
    // thread's own address is taken, never a redirect elsewhere.
    let back = f
        .get("back")
        .and_then(|b| b.strip_prefix("/threads/"))
        .and_then(|t| t.parse::<rapport_domain::ThreadId>().ok())
        .map_or_else(|| format!("/people/{id}"), |t| format!("/threads/{t}"));
    let done = if f.get("follow").map(String::as_str) == Some("false") {
        s.app.unfollow(&who.actor, id).await?;
        "unfollowed"
    } else {
        s.app.follow(&who.actor, id).await?;
        "followed"
    };
    Ok(Redirect::to(&format!("{back}?done={done}")).into_response())
}

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/people", directory)
        .get("/people/{id}", person)
        .post("/people/{id}/follow", follow)
        .form("/people/{id}/edit", edit_page, edit)
        .get("/static/forms.js", profile_form::script)
}
