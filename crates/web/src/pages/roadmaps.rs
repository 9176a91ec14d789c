//! Roadmap pages: browse and search, a roadmap with the reader's progress,
//! the editor (steps as a plain form list, no script needed), and the small
//! sections the room and programme pages include.

use super::confirm::Confirm;
use super::programmes::{parse_id, Params};
use super::{render, Ctx};
use crate::auth::PageActor;
use crate::charts::ProgressBar;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::lists::ListQuery;
use rapport_app::roadmaps::attached::{MenteeStanding, RoomRoadmaps};
use rapport_app::roadmaps::following::{FollowedRoadmap, ProgressInput};
use rapport_app::roadmaps::{
    ResourceInput, RoadmapInput, RoadmapSearch, RoadmapSummary, RoadmapView, StepInput,
    VersionSummary,
};
use rapport_app::AppError;
use rapport_domain::person::LeadershipLevel;
use rapport_domain::roadmaps::{Publishers, ResourceKind, StepStatus};
use rapport_domain::{RoadmapId, RoadmapStepId, RoomId};
use rapport_store::SkillRecord;

/// Blank step rows the editor offers after the existing ones.
const BLANK_STEPS: usize = 2;

fn levels() -> Vec<(&'static str, &'static str)> {
    LeadershipLevel::ALL
        .iter()
        .map(|l| (l.code(), l.label()))
        .collect()
}

fn errors_of(e: &AppError) -> Vec<String> {
    match e {
        AppError::Invalid(list) => list
            .iter()
            .map(|i| format!("{}: {}", i.field, i.message))
            .collect(),
        AppError::Conflict {
            field: Some(f),
            message,
        } => vec![format!("{f}: {message}")],
        other => vec![other.to_string()],
    }
}

#[derive(Template)]
#[template(path = "roadmaps/browse.html")]
struct BrowsePage {
    ctx: Ctx,
    title: &'static str,
    q: String,
    skill: String,
    level: String,
    skills: Vec<SkillRecord>,
    levels: Vec<(&'static str, &'static str)>,
    found: Vec<RoadmapSummary>,
    next: Option<String>,
    following: Vec<(FollowedRoadmap, ProgressBar)>,
    authored: Vec<RoadmapSummary>,
    can_write: bool,
    publishers: Option<(Publishers, Vec<(&'static str, &'static str)>)>,
    error: Option<String>,
}

async fn browse(
    State(s): State<AppState>,
    who: PageActor,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let search = RoadmapSearch {
        skill: get("skill"),
        level: get("level"),
        q: get("q"),
    };
    let list = ListQuery {
        page: None,
        cursor: q.get("cursor").cloned(),
        limit: Some(20),
    };
    let (found, next, error) = match s.app.roadmaps(&who.actor, &search, &list).await {
        Ok(page) => (page.items, page.next.map(|c| c.encode()), None),
        Err(e @ AppError::Invalid(_)) => (vec![], None, Some(errors_of(&e).join("; "))),
        Err(e) => return Err(e.into()),
    };
    let following = s
        .app
        .my_roadmaps(
            &who.actor,
            &ListQuery {
                limit: Some(100),
                ..ListQuery::default()
            },
        )
        .await?
        .items
        .into_iter()
        .map(|f| {
            let bar = ProgressBar {
                id: format!("bar-{}", f.summary.record.id),
                title: format!("Progress on {}", f.summary.record.title),
                done: f.progress.done + f.progress.skipped,
                total: f.progress.total,
            };
            (f, bar)
        })
        .collect();
    let publishers = if who.actor.is_admin {
        Some((
            s.app.roadmap_publishers().await?,
            Publishers::ALL
                .iter()
                .map(|p| (p.code(), p.label()))
                .collect(),
        ))
    } else {
        None
    };
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let page = BrowsePage {
        ctx: Ctx::new(Some(&who), q.get("done").map(String::as_str)),
        title: "Roadmaps",
        skills: s.app.roadmap_skills().await?,
        levels: levels(),
        found,
        next,
        following,
        authored: s.app.my_authored_roadmaps(&who.actor).await?,
        can_write: rapport_domain::roadmaps::may_write(&who.actor),
        publishers,
        error,
        q: search.q,
        skill: search.skill,
        level: search.level,
    };
    Ok((status, render(&page)).into_response())
}

async fn set_publishers(
    State(s): State<AppState>,
    who: PageActor,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let code = f.get("publishers").cloned().unwrap_or_default();
    s.app.set_roadmap_publishers(&who.actor, &code).await?;
    Ok(Redirect::to("/roadmaps?done=settings_saved").into_response())
}

/// A step's mark form, as the page shows it.
struct MarkForm {
    status: String,
    reflection: String,
    room: String,
}

#[derive(Template)]
#[template(path = "roadmaps/roadmap.html")]
struct RoadmapPage {
    ctx: Ctx,
    title: String,
    v: RoadmapView,
    bar: Option<ProgressBar>,
    /// Each step with the reader's mark form.
    rows: Vec<(rapport_app::roadmaps::StepView, MarkForm)>,
    /// The reader follows the version shown, so may mark its steps.
    can_mark: bool,
    statuses: Vec<(&'static str, &'static str)>,
    rooms: Vec<(RoomId, String)>,
    versions: Vec<VersionSummary>,
    level_label: &'static str,
}

async fn show(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let id: RoadmapId = parse_id(&id, "roadmap")?;
    let version = match q.get("version") {
        Some(v) => Some(parse_id::<i32>(v, "version")?),
        None => None,
    };
    let v = s.app.roadmap(&who.actor, id, version).await?;
    let bar = v.progress.map(|p| ProgressBar {
        id: "roadmap-progress".into(),
        title: format!("Your progress on {}", v.version.content.title),
        done: p.done + p.skipped,
        total: p.total,
    });
    let can_mark = v.version.published_at.is_some()
        && v.follow.as_ref().map(|f| f.version) == Some(v.version.number);
    let rows = v
        .steps
        .iter()
        .map(|s| {
            let form = MarkForm {
                status: s
                    .mark
                    .as_ref()
                    .map(|m| m.status.code().to_string())
                    .unwrap_or_default(),
                reflection: s
                    .mark
                    .as_ref()
                    .and_then(|m| m.reflection.clone())
                    .unwrap_or_default(),
                room: s
                    .mark
                    .as_ref()
                    .and_then(|m| m.shared_room_id)
                    .map(|r| r.to_string())
                    .unwrap_or_default(),
            };
            (s.clone(), form)
        })
        .collect();
    let rooms = if v.follow.is_some() {
        s.app.reflection_rooms(&who.actor).await?
    } else {
        vec![]
    };
    let page = RoadmapPage {
        ctx: Ctx::new(Some(&who), q.get("done").map(String::as_str)),
        title: v.version.content.title.clone(),
        level_label: v.version.content.level.label(),
        versions: s.app.roadmap_versions(&who.actor, id).await?,
        bar,
        rows,
        can_mark,
        statuses: StepStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        rooms,
        v,
    };
    Ok(render(&page).into_response())
}

async fn follow(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: RoadmapId = parse_id(&id, "roadmap")?;
    s.app.follow_roadmap(&who.actor, id).await?;
    Ok(Redirect::to(&format!("/roadmaps/{id}?done=roadmap_followed")).into_response())
}

async fn unfollow(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: RoadmapId = parse_id(&id, "roadmap")?;
    s.app.unfollow_roadmap(&who.actor, id).await?;
    Ok(Redirect::to(&format!("/roadmaps/{id}?done=roadmap_unfollowed")).into_response())
}

async fn move_to_latest(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: RoadmapId = parse_id(&id, "roadmap")?;
    s.app.move_to_latest_roadmap(&who.actor, id).await?;
    Ok(Redirect::to(&format!("/roadmaps/{id}?done=roadmap_moved")).into_response())
}

async fn publish(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: RoadmapId = parse_id(&id, "roadmap")?;
    s.app.publish_roadmap(&who.actor, id).await?;
    Ok(Redirect::to(&format!("/roadmaps/{id}?done=roadmap_published")).into_response())
}

/// "Publish version N?": the confirmation in front of publishing, saying
/// what changes and how many followers are told.
async fn publish_page(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: RoadmapId = parse_id(&id, "roadmap")?;
    let p = s.app.roadmap_publish_preview(&who.actor, id).await?;
    let steps = |n: usize| format!("{n} {}", if n == 1 { "step" } else { "steps" });
    let mut c = Confirm::new(
        format!("Publish version {} of {}?", p.number, p.title),
        format!("/roadmaps/{id}/publish"),
        format!("/roadmaps/{id}?version={}", p.number),
    );
    c.intro = match p.followers {
        0 => "Nobody follows this roadmap yet, so nobody is told.".into(),
        1 => "1 follower will be told what changed.".into(),
        n => format!("{n} followers will be told what changed."),
    };
    c.consequences = vec![format!(
        "Version {} ({}) becomes what every member finds and reads. It never changes afterwards: editing makes a new draft.",
        p.number,
        steps(p.steps)
    )];
    if let Some((since, ch)) = &p.changes {
        c.consequences
            .push(format!("Since version {since}: {}.", ch.sentence()));
    }
    if p.followers > 0 {
        c.consequences.push(
            "Followers stay on their version until they choose to move; steps they marked that still exist keep their marks."
                .into(),
        );
    }
    c.submit = format!("Publish version {}", p.number);
    Ok(c.page(&who))
}

async fn mark(
    State(s): State<AppState>,
    who: PageActor,
    Path((id, step)): Path<(String, String)>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: RoadmapId = parse_id(&id, "roadmap")?;
    let step: RoadmapStepId = parse_id(&step, "step")?;
    let room = match f.get("room_id").map(|r| r.trim()).filter(|r| !r.is_empty()) {
        Some(r) => Some(r.parse::<RoomId>().map_err(|_| {
            PageError(AppError::invalid(
                "room_id",
                "choose one of your rooms, or keep it private",
            ))
        })?),
        None => None,
    };
    let input = ProgressInput {
        status: f.get("status").cloned().unwrap_or_default(),
        reflection: f.get("reflection").cloned().unwrap_or_default(),
        share_with_room: room,
    };
    s.app
        .mark_roadmap_step(&who.actor, id, step, &input)
        .await?;
    Ok(Redirect::to(&format!("/roadmaps/{id}?done=roadmap_marked#step-{step}")).into_response())
}

/// One step's rows in the editor.
struct StepForm {
    n: usize,
    id: String,
    title: String,
    body: String,
    level: String,
    skills: String,
    prompt: String,
    effort: String,
    resources: String,
}

#[derive(Template)]
#[template(path = "roadmaps/editor.html")]
struct EditorPage {
    ctx: Ctx,
    title: String,
    action: String,
    name: String,
    summary: String,
    level: String,
    steps: Vec<StepForm>,
    levels: Vec<(&'static str, &'static str)>,
    skills: Vec<SkillRecord>,
    errors: Vec<String>,
    kinds: String,
}

impl EditorPage {
    fn new(ctx: Ctx, action: String, skills: Vec<SkillRecord>) -> Self {
        Self {
            ctx,
            title: "Edit the roadmap".into(),
            action,
            name: String::new(),
            summary: String::new(),
            level: String::new(),
            steps: vec![],
            levels: levels(),
            skills,
            errors: vec![],
            kinds: ResourceKind::ALL
                .iter()
                .map(|k| k.code())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// Fills the form from what was typed, keeping blank rows to add steps.
    fn filled_from(mut self, f: &Params) -> Self {
        let get = |k: String| f.get(&k).cloned().unwrap_or_default();
        self.name = get("title".into());
        self.summary = get("summary".into());
        self.level = get("level".into());
        let count = step_count(f);
        self.steps = (0..count + BLANK_STEPS)
            .map(|i| StepForm {
                n: i,
                id: get(format!("s{i}_id")),
                title: get(format!("s{i}_title")),
                body: get(format!("s{i}_body")),
                level: get(format!("s{i}_level")),
                skills: get(format!("s{i}_skills")),
                prompt: get(format!("s{i}_prompt")),
                effort: get(format!("s{i}_effort")),
                resources: get(format!("s{i}_resources")),
            })
            .collect();
        self
    }
}

/// How many step rows the form sent (the highest `sN_title` + 1).
fn step_count(f: &Params) -> usize {
    f.keys()
        .filter_map(|k| {
            k.strip_prefix('s')?
                .strip_suffix("_title")?
                .parse::<usize>()
                .ok()
        })
        .map(|n| n + 1)
        .max()
        .unwrap_or(0)
        .min(rapport_domain::roadmaps::MAX_STEPS + BLANK_STEPS)
}

/// The form as the app's input: rows with an empty title are left out
/// (the blank rows, and steps the author cleared to remove them).
fn input_of(f: &Params) -> RoadmapInput {
    let get = |k: String| f.get(&k).cloned().unwrap_or_default();
    let steps = (0..step_count(f))
        .filter(|i| !get(format!("s{i}_title")).trim().is_empty())
        .map(|i| StepInput {
            id: get(format!("s{i}_id")),
            title: get(format!("s{i}_title")),
            body: get(format!("s{i}_body")),
            level: get(format!("s{i}_level")),
            skills: get(format!("s{i}_skills"))
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            prompt: get(format!("s{i}_prompt")),
            // Not a number: an effort no step may have, so the app names it.
            effort_hours: match get(format!("s{i}_effort")).trim() {
                "" => 0,
                e => e.parse().unwrap_or(-1),
            },
            resources: get(format!("s{i}_resources"))
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    let mut parts = l.splitn(3, '|').map(|p| p.trim().to_string());
                    ResourceInput {
                        kind: parts.next().unwrap_or_default(),
                        title: parts.next().unwrap_or_default(),
                        url: parts.next().unwrap_or_default(),
                    }
                })
                .collect(),
        })
        .collect();
    RoadmapInput {
        title: get("title".into()),
        summary: get("summary".into()),
        level: get("level".into()),
        steps,
        version: None,
    }
}

/// The editor's text form of what a version says.
fn form_of(v: &RoadmapView) -> Params {
    let mut f = Params::new();
    let c = &v.version.content;
    f.insert("title".into(), c.title.clone());
    f.insert("summary".into(), c.summary.clone());
    f.insert("level".into(), c.level.code().into());
    for (i, s) in v.steps.iter().enumerate() {
        f.insert(format!("s{i}_id"), s.step.id.to_string());
        f.insert(format!("s{i}_title"), s.step.title.clone());
        f.insert(format!("s{i}_body"), s.step.body.clone());
        f.insert(format!("s{i}_level"), s.step.level.code().into());
        f.insert(format!("s{i}_skills"), s.skill_names.join(", "));
        f.insert(format!("s{i}_prompt"), s.step.prompt.clone());
        f.insert(format!("s{i}_effort"), s.step.effort_hours.to_string());
        let lines: Vec<String> = s
            .step
            .resources
            .iter()
            .map(|r| {
                format!(
                    "{} | {} | {}",
                    r.kind.code(),
                    r.title,
                    r.url.clone().unwrap_or_default()
                )
            })
            .collect();
        f.insert(format!("s{i}_resources"), lines.join("\n"));
    }
    f
}

async fn new_form(State(s): State<AppState>, who: PageActor) -> Result<Response, PageError> {
    if !rapport_domain::roadmaps::may_write(&who.actor) {
        return Err(PageError(AppError::Forbidden(
            "mentors and managers write roadmaps".into(),
        )));
    }
    let mut page = EditorPage::new(
        Ctx::new(Some(&who), None),
        "/roadmaps/new".into(),
        s.app.roadmap_skills().await?,
    )
    .filled_from(&Params::new());
    page.title = "Start a roadmap".into();
    Ok(render(&page).into_response())
}

async fn create(
    State(s): State<AppState>,
    who: PageActor,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    match s.app.create_roadmap(&who.actor, &input_of(&f)).await {
        Ok(id) => Ok(Redirect::to(&format!("/roadmaps/{id}?done=roadmap_saved")).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let mut page = EditorPage::new(
                Ctx::new(Some(&who), None),
                "/roadmaps/new".into(),
                s.app.roadmap_skills().await?,
            )
            .filled_from(&f);
            page.title = "Start a roadmap".into();
            page.errors = errors_of(&e);
            Ok((crate::error::status_of(&e), render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_form(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: RoadmapId = parse_id(&id, "roadmap")?;
    let v = s.app.roadmap(&who.actor, id, None).await?;
    if !v.mine {
        return Err(PageError(AppError::Forbidden(
            "only the roadmap's author can change it".into(),
        )));
    }
    // The draft if one waits, else the newest published version to start from.
    let v = match v.draft {
        Some(n) if n != v.version.number => s.app.roadmap(&who.actor, id, Some(n)).await?,
        _ => v,
    };
    let page = EditorPage::new(
        Ctx::new(Some(&who), None),
        format!("/roadmaps/{id}/edit"),
        s.app.roadmap_skills().await?,
    )
    .filled_from(&form_of(&v));
    Ok(render(&page).into_response())
}

async fn save(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: RoadmapId = parse_id(&id, "roadmap")?;
    match s.app.edit_roadmap(&who.actor, id, &input_of(&f)).await {
        Ok(n) => Ok(
            Redirect::to(&format!("/roadmaps/{id}?version={n}&done=roadmap_saved")).into_response(),
        ),
        Err(e @ AppError::Invalid(_)) => {
            let mut page = EditorPage::new(
                Ctx::new(Some(&who), None),
                format!("/roadmaps/{id}/edit"),
                s.app.roadmap_skills().await?,
            )
            .filled_from(&f);
            page.errors = errors_of(&e);
            Ok((crate::error::status_of(&e), render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The room page's roadmap section.
/// A mentee's standing on an attached roadmap, with a bar when they follow it.
pub(crate) type MenteeProgress = (MenteeStanding, Option<ProgressBar>);

pub(crate) struct RoomSection {
    /// Each attached roadmap, with the mentees the viewer may see and a
    /// progress bar for each one who follows it.
    pub items: Vec<(RoadmapSummary, Vec<MenteeProgress>)>,
    /// The viewer may attach and detach.
    pub can_attach: bool,
    /// The viewer may pull a current step into the next session's agenda.
    pub can_pull: bool,
    /// Published roadmaps the viewer could attach: (id, title).
    pub choices: Vec<(RoadmapId, String)>,
}

/// Reads the room's roadmap section for the room page.
pub(crate) async fn room_section(
    s: &AppState,
    who: &PageActor,
    roadmaps: RoomRoadmaps,
) -> Result<RoomSection, PageError> {
    let RoomRoadmaps {
        items,
        can_attach,
        can_pull,
    } = roadmaps;
    let choices = if can_attach {
        let list = ListQuery {
            limit: Some(100),
            ..ListQuery::default()
        };
        s.app
            .roadmaps(&who.actor, &RoadmapSearch::default(), &list)
            .await?
            .items
            .into_iter()
            .filter(|r| !items.iter().any(|i| i.summary.record.id == r.record.id))
            .map(|r| (r.record.id, r.record.title))
            .collect()
    } else {
        vec![]
    };
    let items = items
        .into_iter()
        .map(|r| {
            let id = r.summary.record.id;
            let title = r.summary.record.title.clone();
            let mentees = r
                .mentees
                .into_iter()
                .map(|m| {
                    let bar = m.progress.map(|p| ProgressBar {
                        id: format!("bar-{id}-{}", m.person_id),
                        title: format!("{} on {title}", m.name),
                        done: p.done + p.skipped,
                        total: p.total,
                    });
                    (m, bar)
                })
                .collect();
            (r.summary, mentees)
        })
        .collect();
    Ok(RoomSection {
        items,
        can_attach,
        can_pull,
        choices,
    })
}

async fn room_attach(
    State(s): State<AppState>,
    who: PageActor,
    Path(room): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let room: RoomId = parse_id(&room, "room")?;
    let roadmap: RoadmapId = f
        .get("roadmap_id")
        .and_then(|r| r.parse().ok())
        .ok_or_else(|| PageError(AppError::invalid("roadmap_id", "choose a roadmap")))?;
    s.app
        .attach_roadmap_to_room(&who.actor, room, roadmap)
        .await?;
    Ok(Redirect::to(&format!("/rooms/{room}?done=roadmap_attached#roadmaps")).into_response())
}

async fn room_detach(
    State(s): State<AppState>,
    who: PageActor,
    Path((room, roadmap)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let room: RoomId = parse_id(&room, "room")?;
    let roadmap: RoadmapId = parse_id(&roadmap, "roadmap")?;
    s.app
        .detach_roadmap_from_room(&who.actor, room, roadmap)
        .await?;
    Ok(Redirect::to(&format!("/rooms/{room}?done=roadmap_detached#roadmaps")).into_response())
}

async fn room_agenda(
    State(s): State<AppState>,
    who: PageActor,
    Path((room, roadmap)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let room: RoomId = parse_id(&room, "room")?;
    let roadmap: RoadmapId = parse_id(&roadmap, "roadmap")?;
    let session = s
        .app
        .pull_roadmap_step_into_agenda(&who.actor, room, roadmap)
        .await?;
    Ok(Redirect::to(&format!("/sessions/{session}?done=session_saved")).into_response())
}

async fn programme_attach(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let roadmap: RoadmapId = f
        .get("roadmap_id")
        .and_then(|r| r.parse().ok())
        .ok_or_else(|| PageError(AppError::invalid("roadmap_id", "choose a roadmap")))?;
    s.app
        .attach_roadmap_to_programme(&who.actor, &slug, roadmap)
        .await?;
    Ok(Redirect::to(&format!(
        "/programmes/{slug}?done=roadmap_attached#roadmaps"
    ))
    .into_response())
}

async fn programme_detach(
    State(s): State<AppState>,
    who: PageActor,
    Path((slug, roadmap)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let roadmap: RoadmapId = parse_id(&roadmap, "roadmap")?;
    s.app
        .detach_roadmap_from_programme(&who.actor, &slug, roadmap)
        .await?;
    Ok(Redirect::to(&format!(
        "/programmes/{slug}?done=roadmap_detached#roadmaps"
    ))
    .into_response())
}

/// Where a post's link to a roadmap step leads: the step on its roadmap's
/// page, when the viewer may read a version that holds it (404 otherwise).
async fn step_link(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let step: RoadmapStepId = parse_id(&id, "roadmap step")?;
    let roadmap = s.app.roadmap_of_step(&who.actor, step).await?;
    Ok(Redirect::to(&format!("/roadmaps/{roadmap}#step-{step}")).into_response())
}

/// The roadmap pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/roadmaps", browse)
        .post("/roadmaps/settings", set_publishers)
        .get("/roadmaps/new", new_form)
        .post("/roadmaps/new", create)
        .get("/roadmaps/{id}", show)
        .get("/roadmaps/{id}/edit", edit_form)
        .post("/roadmaps/{id}/edit", save)
        .post("/roadmaps/{id}/publish", publish)
        // Issue 19: publishing asks first.
        .get("/roadmaps/{id}/publish", publish_page)
        .post("/roadmaps/{id}/follow", follow)
        .post("/roadmaps/{id}/unfollow", unfollow)
        .post("/roadmaps/{id}/move-to-latest", move_to_latest)
        .post("/roadmaps/{id}/steps/{step_id}", mark)
        .get("/roadmap-steps/{id}", step_link)
        .post("/rooms/{id}/roadmaps", room_attach)
        .post("/rooms/{id}/roadmaps/{roadmap_id}/detach", room_detach)
        .post("/rooms/{id}/roadmaps/{roadmap_id}/agenda", room_agenda)
        .post("/programmes/{slug}/roadmaps", programme_attach)
        .post(
            "/programmes/{slug}/roadmaps/{roadmap_id}/detach",
            programme_detach,
        )
}
