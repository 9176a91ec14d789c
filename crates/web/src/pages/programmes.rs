//! Programme pages: the list, a programme's overview with its coverage
//! dashboard, the create and edit forms, managers, status moves and the
//! matching settings. Enrolment, rounds, rooms, reports and the CSV
//! import/export have their own modules, as they do in `rapport_app`.

use super::{render, Ctx, Field, FormPage};
use crate::auth::{PageActor, PageFor, PageSession};
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::coverage::Coverage;
use rapport_app::programme_page::ProgrammePage;
use rapport_app::programmes::{ProgrammeInput, ProgrammeView};
use rapport_app::AppError;
use rapport_domain::mentoring::EnrolmentStatus;
use rapport_domain::policy;
use rapport_domain::programme::{
    Cadence, MatchingMode, ProgrammeKind, ProgrammeRole, ProgrammeStatus,
};
use rapport_domain::PersonId;
use rapport_store::EnrolmentRecord;
use std::collections::HashMap;

pub(super) type Params = HashMap<String, String>;

/// Ids in paths that do not parse are "not found", never a 400 or 500.
pub(super) fn parse_id<T: std::str::FromStr>(raw: &str, what: &str) -> Result<T, PageError> {
    raw.parse()
        .map_err(|_| PageError(AppError::NotFound(format!("that {what} was not found"))))
}

/// Back to a programme page (`tail`), with the notice `done` shows.
pub(super) fn back(slug: &str, tail: &str, done: &str) -> Response {
    Redirect::to(&format!("/programmes/{slug}{tail}?done={done}")).into_response()
}

#[derive(Template)]
#[template(path = "programmes.html")]
struct ListPage {
    ctx: Ctx,
    title: &'static str,
    list: Vec<ProgrammeView>,
    can_create: bool,
}

async fn list(
    State(s): State<AppState>,
    who: PageActor,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let list = s.app.programmes(&who.actor).await?;
    Ok(render(&ListPage {
        ctx: Ctx::new(Some(&who), q.get("done").map(String::as_str)),
        title: "Programmes",
        can_create: policy::administer(&who.actor) == policy::Access::Allowed,
        list,
    })
    .into_response())
}

fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (code(*v).to_string(), label(*v).to_string()))
        .collect()
}

/// Kinds whose mentors take several mentees (a capacity applies).
const WITH_MENTORS: &str = "one_to_one group reverse";
/// Kinds that form circles (circle sizes apply).
const CIRCLES: &str = "circle";

fn programme_form(who: &PageActor, action: String, v: &ProgrammeInput, creating: bool) -> FormPage {
    let mut fields = vec![
        Field::new("name", "Name", "text").value(&v.name),
        Field::new("slug", "Address", "text")
            .value(&v.slug)
            .hint("Lowercase letters, digits and dashes; made from the name when empty."),
        Field::new("description", "Description", "textarea").value(&v.description),
    ];
    if creating {
        fields.push(
            Field::new("kind", "Kind", "select")
                .value(&v.kind)
                .options(options(
                    &ProgrammeKind::ALL,
                    ProgrammeKind::code,
                    ProgrammeKind::label,
                )),
        );
    }
    fields.extend([
        Field::new("matching_mode", "Who makes the matches", "select")
            .value(&v.matching_mode)
            .options(options(
                &MatchingMode::ALL,
                MatchingMode::code,
                MatchingMode::label,
            )),
        Field::new("starts_on", "Starts on", "date").value(&v.starts_on),
        Field::new("ends_on", "Ends on", "date").value(&v.ends_on),
        Field::new("cadence", "Meeting cadence", "select")
            .value(&v.cadence)
            .options(options(&Cadence::ALL, Cadence::code, Cadence::label)),
        Field::new("default_capacity", "Default mentor capacity", "number")
            .value(&v.default_capacity)
            .hint("Mentees per mentor unless the mentor sets their own (1–50).")
            .only_for(WITH_MENTORS),
        Field::new(
            "request_expiry_days",
            "Days a request waits for an answer",
            "number",
        )
        .value(&v.request_expiry_days),
        Field::new(
            "rolling_admission",
            "Rolling admission: keep taking enrolments and matching while running",
            "checkbox",
        )
        .value(if v.rolling_admission { "true" } else { "" }),
        super::question_editor::field(v),
        Field::new("group_min", "Smallest peer circle", "number")
            .value(&v.group_min)
            .hint("Circles only: the fewest members a circle starts with (2–20).")
            .only_for(CIRCLES),
        Field::new("group_max", "Largest peer circle", "number")
            .value(&v.group_max)
            .hint("Circles only: the most members in one circle (2–20).")
            .only_for(CIRCLES),
        Field::new("goals", "Goal catalogue", "text")
            .value(&v.goals)
            .hint("Comma-separated goals members can pick."),
    ]);
    if !creating {
        // The kind never changes after creation, so fields of other kinds
        // are not shown; they post back unchanged.
        for f in &mut fields {
            if !f.only_for.is_empty() && !f.only_for.split(' ').any(|k| k == v.kind) {
                f.kind = "hidden";
            }
        }
    }
    FormPage {
        ctx: Ctx::new(Some(who), None),
        title: if creating {
            "New programme"
        } else {
            "Edit programme"
        },
        intro: String::new(),
        action,
        fields,
        submit: if creating {
            "Create programme"
        } else {
            "Save programme"
        },
        form_error: None,
        links: vec![],
    }
}

async fn new_page(who: PageActor) -> Result<Response, PageError> {
    AppError::check(policy::administer(&who.actor), "programmes")?;
    let v = ProgrammeInput {
        default_capacity: "2".into(),
        request_expiry_days: "14".into(),
        ..Default::default()
    };
    Ok(render(&programme_form(&who, "/programmes/new".into(), &v, true)).into_response())
}

async fn create(
    State(s): State<AppState>,
    who: PageActor,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    AppError::check(policy::administer(&who.actor), "programmes")?;
    let (mut v, moved) = super::question_editor::read(&body)?;
    if let Some(m) = moved {
        // An editor button: the list changes, nothing is saved yet.
        m.apply(v.question_list.get_or_insert_with(Vec::new));
        return Ok(
            render(&programme_form(&who, "/programmes/new".into(), &v, true)).into_response(),
        );
    }
    match s.app.create_programme(&who.actor, &v).await {
        Ok(p) => Ok(back(&p.record.slug, "", "programme_created")),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            Ok(programme_form(&who, "/programmes/new".into(), &v, true).with_error(e))
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_page(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let p = s.app.programme(&who.actor, &slug).await?;
    if !p.can_manage {
        return Err(AppError::Forbidden("only the programme's managers can edit it".into()).into());
    }
    let v = ProgrammeInput::from_record(&p.record);
    Ok(render(&programme_form(
        &who,
        format!("/programmes/{slug}/edit"),
        &v,
        false,
    ))
    .into_response())
}

async fn save(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let (mut v, moved) = super::question_editor::read(&body)?;
    if let Some(m) = moved {
        // An editor button: the list changes, nothing is saved yet. Only
        // the programme's managers get the form back.
        let p = s.app.programme(&who.actor, &slug).await?;
        if !p.can_manage {
            return Err(
                AppError::Forbidden("only the programme's managers can edit it".into()).into(),
            );
        }
        m.apply(v.question_list.get_or_insert_with(Vec::new));
        return Ok(render(&programme_form(
            &who,
            format!("/programmes/{slug}/edit"),
            &v,
            false,
        ))
        .into_response());
    }
    match s.app.update_programme(&who.actor, &slug, &v).await {
        Ok(p) => Ok(back(&p.record.slug, "", "programme_saved")),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            Ok(programme_form(&who, format!("/programmes/{slug}/edit"), &v, false).with_error(e))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "programme.html")]
struct OverviewPage {
    ctx: Ctx,
    title: String,
    p: ProgrammeView,
    mine: Vec<EnrolmentRecord>,
    coverage: Option<Coverage>,
    moves: Vec<(&'static str, &'static str)>,
    mentee_approved: bool,
    mentor_approved: bool,
    managers: Vec<(PersonId, String, String)>,
    /// An admin may reopen it (closed less than 30 days ago).
    reopenable: bool,
    /// Roadmaps (H6): recommended roadmaps, and what managers could add.
    recommended: Vec<rapport_app::roadmaps::RoadmapSummary>,
    roadmap_choices: Vec<(rapport_domain::RoadmapId, String)>,
}

async fn overview(
    State(s): State<AppState>,
    session: PageSession,
    Path(slug): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    // The viewer and the whole page in one read (issue 20).
    let who = PageFor::Session(&session);
    let ProgrammePage {
        viewer,
        programme: p,
        mine,
        recommended,
        roadmap_choices,
        coverage,
        managers,
        reopening,
    } = s.app.programme_page(who.reader(), &slug).await?;
    let who = who.actor(&s, viewer)?;
    let moves = [
        (ProgrammeStatus::Open, "open", "Open for enrolment"),
        (ProgrammeStatus::Running, "running", "Start running"),
        (ProgrammeStatus::Closed, "closed", "Close"),
    ]
    .into_iter()
    .filter(|(to, _, _)| p.record.status.move_to(*to).is_ok())
    .map(|(_, code, label)| (code, label))
    .collect();
    let mentee_approved = mine
        .iter()
        .any(|e| e.role == ProgrammeRole::Mentee && e.status == EnrolmentStatus::Approved);
    let mentor_approved = mine
        .iter()
        .any(|e| e.role == ProgrammeRole::Mentor && e.status == EnrolmentStatus::Approved);
    Ok(render(&OverviewPage {
        recommended,
        roadmap_choices,
        ctx: Ctx::new(Some(&who), q.get("done").map(String::as_str)),
        title: p.record.name.clone(),
        p,
        mine,
        coverage,
        moves,
        mentee_approved,
        mentor_approved,
        managers,
        reopenable: reopening.is_some(),
    })
    .into_response())
}

async fn add_manager(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    s.app
        .add_manager(
            &who.actor,
            &slug,
            f.get("email").map(String::as_str).unwrap_or(""),
        )
        .await?;
    Ok(back(&slug, "", "manager_added"))
}

async fn remove_manager(
    State(s): State<AppState>,
    who: PageActor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id: PersonId = parse_id(&id, "manager")?;
    s.app.remove_manager(&who.actor, &slug, id).await?;
    Ok(back(&slug, "", "manager_removed"))
}

async fn move_status(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let to = f.get("status").cloned().unwrap_or_default();
    s.app.move_programme(&who.actor, &slug, &to).await?;
    Ok(back(&slug, "", "status_changed"))
}

/// The programme pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/programmes", list)
        .form("/programmes/new", new_page, create)
        .get("/programmes/{slug}", overview)
        .form("/programmes/{slug}/edit", edit_page, save)
        .post("/programmes/{slug}/status", move_status)
        .post("/programmes/{slug}/managers", add_manager)
        .post("/programmes/{slug}/managers/{id}/remove", remove_manager)
}
