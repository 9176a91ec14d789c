//! Self-selected matching: recommendations, requests and their answers, and
//! a mentor's pause.

use super::{render, Ctx};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::recommend::Recommendation;
use rapport_app::requests::RequestView;
use rapport_app::AppError;
use rapport_domain::{PersonId, RequestId};
use std::collections::HashMap;

type Params = HashMap<String, String>;

#[derive(Template)]
#[template(path = "mentors.html")]
struct MentorsPage {
    ctx: Ctx,
    title: String,
    name: String,
    slug: String,
    list: Vec<Recommendation>,
    message: String,
    error: Option<String>,
    /// Issue 18 §4: where mentees do not request (managers match, or mentors
    /// offer), the page says where the programme stands instead of offering
    /// to rank and send a request.
    mentees_request: bool,
    status: &'static str,
    managers_match: bool,
}

async fn mentors_page(
    s: &AppState,
    who: &PageActor,
    slug: &str,
    message: String,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let p = s.app.programme(&who.actor, slug).await?;
    let mode = p.record.matching_mode;
    let mentees_request = mode == rapport_domain::programme::MatchingMode::MenteesRequest;
    let list = if mentees_request {
        s.app.recommendations(&who.actor, slug).await?
    } else {
        vec![]
    };
    let status = super::status_for(error.as_ref());
    Ok((
        status,
        render(&MentorsPage {
            ctx: Ctx::new(Some(who), None),
            title: format!("Mentors for you in {}", p.record.name),
            name: p.record.name,
            slug: p.record.slug.into(),
            list,
            message,
            error: error.map(|e| e.to_string()),
            mentees_request,
            status: p.record.status.code(),
            managers_match: mode == rapport_domain::programme::MatchingMode::Managers,
        }),
    )
        .into_response())
}

async fn mentors(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    mentors_page(&s, &who, &slug, String::new(), None).await
}

/// `rank_<mentor id>=N` fields, in rank order.
fn ranked(form: &Params) -> Result<Vec<PersonId>, AppError> {
    let mut picks: Vec<(u8, PersonId)> = vec![];
    for (k, v) in form {
        let Some(id) = k.strip_prefix("rank_") else {
            continue;
        };
        if v.trim().is_empty() {
            continue;
        }
        let rank = v
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|r| (1..=3).contains(r))
            .ok_or_else(|| AppError::invalid("mentor_ids", "ranks are 1, 2 or 3"))?;
        let id = id
            .parse()
            .map_err(|_| AppError::invalid("mentor_ids", "that mentor was not found"))?;
        if picks.iter().any(|(r, _)| *r == rank) {
            return Err(AppError::invalid(
                "mentor_ids",
                format!("you gave rank {rank} to two mentors; give each a different rank"),
            ));
        }
        picks.push((rank, id));
    }
    picks.sort();
    Ok(picks.into_iter().map(|(_, id)| id).collect())
}

async fn send(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let message = f.get("message").cloned().unwrap_or_default();
    let result = match ranked(&f) {
        Ok(list) => s
            .app
            .request_mentors(&who.actor, &slug, &list, &message)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/requests?done=request_sent").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            mentors_page(&s, &who, &slug, message, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Requests on one page of `/requests`.
const PAGE: i64 = 20;

#[derive(Template)]
#[template(path = "requests.html")]
struct RequestsPage {
    ctx: Ctx,
    title: &'static str,
    list: Vec<RequestView>,
    /// `?cursor=` of the older and newer pages, when there are such pages.
    older: Option<String>,
    newer: Option<String>,
    paused: Option<String>,
    /// The pause date as the form field holds it (`YYYY-MM-DD`), so saving
    /// the form again keeps the pause.
    until: String,
    max_mentees: String,
    seats: i64,
    /// The pause box is for mentors: people who mentor nobody and hold no
    /// mentor role never see it.
    mentors: bool,
    error: Option<String>,
}

/// What the person typed into the pause form, shown back when it is refused.
struct PauseEntered<'a> {
    until: &'a str,
    max_mentees: &'a str,
}

async fn requests_page(
    s: &AppState,
    who: &PageActor,
    notice: Option<&str>,
    error: Option<AppError>,
    entered: Option<PauseEntered<'_>>,
    cursor: Option<&str>,
) -> Result<Response, PageError> {
    // A page at a time, like the API (issue 20): a cursor that does not
    // parse starts again from the newest rather than failing the page.
    let mut query = rapport_app::lists::ListQuery {
        cursor: cursor.map(str::to_string),
        limit: Some(PAGE),
        ..Default::default()
    };
    if query.window().is_err() {
        query.cursor = None;
    }
    let page = s.app.my_requests_page(&who.actor, &query).await?;
    let (older, newer) = (page.next.map(|c| c.encode()), page.prev.map(|c| c.encode()));
    let list = page.items;
    let paused_at = s.app.my_pause(&who.actor).await?;
    // The pause is saved as the start of the chosen day (UTC), so the page
    // names that same day, whatever the viewer's zone.
    let day = |t: i64| {
        chrono::DateTime::from_timestamp_millis(t)
            .map(|d| d.date_naive())
            .unwrap_or_default()
    };
    let paused = paused_at.map(|t| day(t).format("%-d %B %Y").to_string());
    let (max, seats) = s.app.my_load(&who.actor).await?;
    let mentors = seats > 0
        || paused_at.is_some()
        || who
            .actor
            .roles
            .iter()
            .any(|(_, r)| *r == rapport_domain::programme::ProgrammeRole::Mentor);
    let (until, max_mentees) = match entered {
        Some(e) => (e.until.to_string(), e.max_mentees.to_string()),
        None => (
            paused_at
                .map(|t| day(t).format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            max.map(|m| m.to_string()).unwrap_or_default(),
        ),
    };
    let status = super::status_for(error.as_ref());
    Ok((
        status,
        render(&RequestsPage {
            ctx: Ctx::new(Some(who), notice),
            title: "Requests",
            list,
            older,
            newer,
            paused,
            until,
            max_mentees,
            seats,
            mentors,
            error: error.map(|e| e.to_string()),
        }),
    )
        .into_response())
}

async fn requests(
    State(s): State<AppState>,
    who: PageActor,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    requests_page(
        &s,
        &who,
        q.get("done").map(String::as_str),
        None,
        None,
        q.get("cursor").map(String::as_str),
    )
    .await
}

async fn act(
    State(s): State<AppState>,
    who: PageActor,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: RequestId = id
        .parse()
        .map_err(|_| PageError(AppError::NotFound("that request was not found".into())))?;
    let text = |k: &str| f.get(k).cloned().unwrap_or_default();
    let result = match action.as_str() {
        "accept" => s
            .app
            .accept_request(&who.actor, id)
            .await
            .map(|room| Some(room.to_string())),
        "decline" => s
            .app
            .decline_request(&who.actor, id, &text("reason"))
            .await
            .map(|_| None),
        "ask" => s
            .app
            .ask_about_request(&who.actor, id, &text("question"))
            .await
            .map(|_| None),
        "answer" => s
            .app
            .answer_about_request(&who.actor, id, &text("answer"))
            .await
            .map(|_| None),
        "withdraw" => s.app.withdraw_request(&who.actor, id).await.map(|_| None),
        _ => return Err(AppError::NotFound("there is no such action".into()).into()),
    };
    match result {
        Ok(Some(room)) => {
            Ok(Redirect::to(&format!("/rooms/{room}?done=request_accepted")).into_response())
        }
        Ok(None) => Ok(Redirect::to(&format!("/requests?done=request_{action}")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            requests_page(&s, &who, None, Some(e), None, None).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn pause(
    State(s): State<AppState>,
    who: PageActor,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let field = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    let saved = s
        .app
        .set_mentor_pause(&who.actor, field("until"), field("max_mentees"))
        .await;
    match saved {
        Ok(_) => Ok(Redirect::to("/requests?done=pause_saved").into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let entered = PauseEntered {
                until: field("until"),
                max_mentees: field("max_mentees"),
            };
            requests_page(&s, &who, None, Some(e), Some(entered), None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "mentees.html")]
struct MenteesPage {
    ctx: Ctx,
    title: String,
    name: String,
    slug: String,
    list: Vec<rapport_app::recommend::MenteeSuggestion>,
    error: Option<String>,
}

async fn mentees_page(
    s: &AppState,
    who: &PageActor,
    slug: &str,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let p = s.app.programme(&who.actor, slug).await?;
    let list = s.app.mentee_suggestions(&who.actor, slug).await?;
    let status = super::status_for(error.as_ref());
    Ok((
        status,
        render(&MenteesPage {
            ctx: Ctx::new(Some(who), None),
            title: format!("Mentees waiting in {}", p.record.name),
            name: p.record.name,
            slug: p.record.slug.into(),
            list,
            error: error.map(|e| e.to_string()),
        }),
    )
        .into_response())
}

async fn mentees(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    mentees_page(&s, &who, &slug, None).await
}

async fn offer(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let mentee: PersonId = f
        .get("mentee_id")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| PageError(AppError::invalid("mentee_id", "choose a mentee")))?;
    match s
        .app
        .send_offer(
            &who.actor,
            &slug,
            mentee,
            f.get("message").map(String::as_str).unwrap_or(""),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to("/requests?done=offer_sent").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            mentees_page(&s, &who, &slug, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryPage {
    ctx: Ctx,
    title: String,
    name: String,
    slug: String,
    f: rapport_app::recommend::MentorFilter,
    list: Vec<rapport_app::recommend::MentorListing>,
    levels: Vec<(String, String)>,
    days: Vec<(String, String)>,
    error: Option<String>,
}

async fn directory(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Query(f): Query<rapport_app::recommend::MentorFilter>,
) -> Result<Response, PageError> {
    let p = s.app.programme(&who.actor, &slug).await?;
    let (list, error) = match s.app.mentor_directory(&who.actor, &slug, &f).await {
        Ok(list) => (list, None),
        Err(e @ AppError::Invalid(_)) => (vec![], Some(e)),
        Err(e) => return Err(e.into()),
    };
    let levels = std::iter::once((String::new(), "Any level".to_string()))
        .chain(
            rapport_domain::person::LeadershipLevel::ALL
                .iter()
                .map(|l| (l.code().to_string(), l.label().to_string())),
        )
        .collect();
    let days = [
        ("", "Any day"),
        ("mon", "Monday"),
        ("tue", "Tuesday"),
        ("wed", "Wednesday"),
        ("thu", "Thursday"),
        ("fri", "Friday"),
        ("sat", "Saturday"),
        ("sun", "Sunday"),
    ]
    .iter()
    .map(|(c, l)| (c.to_string(), l.to_string()))
    .collect();
    let status = super::status_for(error.as_ref());
    Ok((
        status,
        render(&DirectoryPage {
            ctx: Ctx::new(Some(&who), None),
            title: format!("Mentors in {}", p.record.name),
            name: p.record.name,
            slug: p.record.slug.into(),
            f,
            list,
            levels,
            days,
            error: error.map(|e| e.to_string()),
        }),
    )
        .into_response())
}

/// The self-selected matching pages.
pub fn routes() -> Routes {
    Routes::new()
        .get("/programmes/{slug}/mentors", mentors)
        .get("/programmes/{slug}/directory", directory)
        .post("/programmes/{slug}/requests", send)
        .get("/programmes/{slug}/mentees", mentees)
        .post("/programmes/{slug}/offers", offer)
        .get("/requests", requests)
        .post("/requests/pause", pause)
        .post("/requests/{id}/{action}", act)
}
