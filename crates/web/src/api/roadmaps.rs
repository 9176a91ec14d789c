//! Roadmaps: versioned paths of steps, following them, and recommending
//! them in rooms and programmes (issue 19).

use super::notes::CursorParams;
use super::programmes::parse;
use super::{paged_json, ApiJson, ApiQuery, IdPath};
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use rapport_app::roadmaps::following::{FollowedRoadmap, ProgressInput};
use rapport_app::roadmaps::{
    ChangeTitles, ResourceInput, RoadmapInput, RoadmapSearch, RoadmapSummary, RoadmapView,
    StepInput, VersionSummary,
};
use rapport_domain::roadmaps::Progress;
use rapport_domain::{RoadmapId, RoadmapStepId, RoomId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A roadmap as listed.
#[derive(Serialize, ToSchema)]
pub struct RoadmapItem {
    /// Id.
    pub id: uuid::Uuid,
    /// Title of the newest published version.
    pub title: String,
    /// `professional_contributor`, `team_leader` or `leader_of_leaders`.
    pub level: String,
    /// The author's name, or "a former member".
    pub author: String,
    /// The newest published version (0: only a draft, which only its author sees).
    pub latest_version: i32,
    /// People following it.
    pub followers: i64,
    /// People who finished it.
    pub finishers: i64,
    /// Created (Unix ms).
    pub created_at: i64,
}

impl From<RoadmapSummary> for RoadmapItem {
    fn from(s: RoadmapSummary) -> Self {
        Self {
            id: s.record.id.0,
            title: s.record.title,
            level: s.record.level.code().into(),
            author: s.author,
            latest_version: s.record.latest_version,
            followers: s.record.followers,
            finishers: s.record.finishers,
            created_at: s.record.created_at,
        }
    }
}

/// A resource of a step.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ResourceBody {
    /// `article`, `video`, `book` or `exercise`.
    pub kind: String,
    /// What it is called.
    pub title: String,
    /// Where it is (http or https); an article or video needs one.
    pub url: Option<String>,
}

/// A step.
#[derive(Serialize, ToSchema)]
pub struct StepOut {
    /// Stable across versions: progress is kept against it.
    pub id: uuid::Uuid,
    /// Title.
    pub title: String,
    /// Markdown.
    pub body: String,
    /// The body as sanitised HTML.
    pub html: String,
    /// Resources.
    pub resources: Vec<ResourceBody>,
    /// Names of the catalogue skills it builds.
    pub skills: Vec<String>,
    /// The leadership level it is for.
    pub level: String,
    /// A question to reflect on.
    pub prompt: String,
    /// Expected effort in hours.
    pub effort_hours: u32,
    /// The caller's mark: `done`, `learning` or `skipped` (when following).
    pub status: Option<String>,
    /// The caller's own reflection (only ever shown to them).
    pub reflection: Option<String>,
    /// The room the caller shared the reflection with, if any.
    pub shared_room_id: Option<uuid::Uuid>,
}

/// Where the caller stands on a roadmap.
#[derive(Serialize, ToSchema)]
pub struct ProgressOut {
    /// The version they follow.
    pub version: i32,
    /// Steps done.
    pub done: usize,
    /// Steps skipped.
    pub skipped: usize,
    /// Steps being learnt.
    pub learning: usize,
    /// Steps in their version.
    pub total: usize,
    /// (done + skipped) / steps, in whole percent.
    pub percent: u32,
}

impl ProgressOut {
    fn new(version: i32, p: Progress) -> Self {
        Self {
            version,
            done: p.done,
            skipped: p.skipped,
            learning: p.learning,
            total: p.total,
            percent: p.percent(),
        }
    }
}

/// What a version changed, by step title.
#[derive(Serialize, ToSchema)]
pub struct ChangesOut {
    /// Steps added.
    pub added: Vec<String>,
    /// Steps removed.
    pub removed: Vec<String>,
    /// Steps changed.
    pub changed: Vec<String>,
}

impl From<ChangeTitles> for ChangesOut {
    fn from(c: ChangeTitles) -> Self {
        Self {
            added: c.added,
            removed: c.removed,
            changed: c.changed,
        }
    }
}

/// One version of a roadmap, as the caller sees it.
#[derive(Serialize, ToSchema)]
pub struct RoadmapOut {
    /// Id.
    pub id: uuid::Uuid,
    /// The version shown.
    pub version: i32,
    /// When it was published; null for the author's draft.
    pub published_at: Option<i64>,
    /// The newest published version (0 while only a draft exists).
    pub latest_version: i32,
    /// The author's draft waiting to be published (the author only).
    pub draft_version: Option<i32>,
    /// Title.
    pub title: String,
    /// Markdown summary.
    pub summary: String,
    /// The summary as sanitised HTML.
    pub summary_html: String,
    /// The leadership level it is for.
    pub level: String,
    /// The author's name.
    pub author: String,
    /// The caller wrote it.
    pub mine: bool,
    /// People following it.
    pub followers: i64,
    /// People who finished it.
    pub finishers: i64,
    /// Total expected effort in hours.
    pub effort_hours: u32,
    /// Steps, in order.
    pub steps: Vec<StepOut>,
    /// The caller's progress, when they follow it.
    pub progress: Option<ProgressOut>,
    /// What the newest version changed since the caller's, when they are behind.
    pub changes_since_your_version: Option<ChangesOut>,
}

impl From<RoadmapView> for RoadmapOut {
    fn from(v: RoadmapView) -> Self {
        let steps = v
            .steps
            .into_iter()
            .map(|s| StepOut {
                id: s.step.id.0,
                title: s.step.title,
                body: s.step.body,
                html: s.html,
                resources: s
                    .step
                    .resources
                    .into_iter()
                    .map(|r| ResourceBody {
                        kind: r.kind.code().into(),
                        title: r.title,
                        url: r.url,
                    })
                    .collect(),
                skills: s.skill_names,
                level: s.step.level.code().into(),
                prompt: s.step.prompt,
                effort_hours: s.step.effort_hours,
                status: s.mark.as_ref().map(|m| m.status.code().into()),
                reflection: s.mark.as_ref().and_then(|m| m.reflection.clone()),
                shared_room_id: s.mark.and_then(|m| m.shared_room_id.map(|r| r.0)),
            })
            .collect();
        Self {
            id: v.summary.record.id.0,
            version: v.version.number,
            published_at: v.version.published_at,
            latest_version: v.summary.record.latest_version,
            draft_version: v.draft,
            title: v.version.content.title,
            summary: v.version.content.summary,
            summary_html: v.summary_html,
            level: v.version.content.level.code().into(),
            author: v.summary.author,
            mine: v.mine,
            followers: v.summary.record.followers,
            finishers: v.summary.record.finishers,
            effort_hours: v.effort_hours,
            steps,
            progress: match (v.follow, v.progress) {
                (Some(f), Some(p)) => Some(ProgressOut::new(f.version, p)),
                _ => None,
            },
            changes_since_your_version: v.behind.map(ChangesOut::from),
        }
    }
}

/// A step as the author sends it.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct StepBody {
    /// The id of a step of an earlier version to keep it (and its
    /// followers' progress); leave out for a new step.
    pub id: Option<String>,
    /// Title, 1 to 120 characters.
    pub title: String,
    /// Markdown, without HTML.
    pub body: String,
    /// Up to 12 resources.
    pub resources: Vec<ResourceBody>,
    /// Catalogue skills, by name or id.
    pub skills: Vec<String>,
    /// `professional_contributor`, `team_leader` or `leader_of_leaders`.
    pub level: String,
    /// A reflection prompt, up to 500 characters.
    pub prompt: String,
    /// Expected effort, 0 to 200 hours.
    pub effort_hours: i64,
}

/// A roadmap as its author writes it: the whole draft.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct RoadmapBody {
    /// Title, 3 to 120 characters.
    pub title: String,
    /// Markdown summary.
    pub summary: String,
    /// `professional_contributor`, `team_leader` or `leader_of_leaders`.
    pub level: String,
    /// Up to 30 steps, in order.
    pub steps: Vec<StepBody>,
    /// The version being edited, if the client wants it checked: naming a
    /// published version is 409 on `version` (published versions never change).
    pub version: Option<i32>,
}

impl From<RoadmapBody> for RoadmapInput {
    fn from(b: RoadmapBody) -> Self {
        Self {
            title: b.title,
            summary: b.summary,
            level: b.level,
            version: b.version,
            steps: b
                .steps
                .into_iter()
                .map(|s| StepInput {
                    id: s.id.unwrap_or_default(),
                    title: s.title,
                    body: s.body,
                    resources: s
                        .resources
                        .into_iter()
                        .map(|r| ResourceInput {
                            kind: r.kind,
                            title: r.title,
                            url: r.url.unwrap_or_default(),
                        })
                        .collect(),
                    skills: s.skills,
                    level: s.level,
                    prompt: s.prompt,
                    effort_hours: s.effort_hours,
                })
                .collect(),
        }
    }
}

/// Discovery filters and the page to read.
#[derive(Deserialize, IntoParams)]
pub struct SearchParams {
    /// A catalogue skill, by name or id.
    pub skill: Option<String>,
    /// `professional_contributor`, `team_leader` or `leader_of_leaders`.
    pub level: Option<String>,
    /// Words to find in titles, summaries and step titles.
    pub q: Option<String>,
    /// The opaque cursor from the previous answer's `Link` header.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 50).
    pub limit: Option<i64>,
}

/// Which version to show.
#[derive(Deserialize, IntoParams)]
pub struct VersionParams {
    /// A published version's number (or, for its author, the draft's);
    /// by default the caller's own version if they follow it, else the newest.
    pub version: Option<i32>,
}

/// A mark on a step.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ProgressBody {
    /// `done`, `learning` or `skipped`.
    pub status: String,
    /// A Markdown reflection, private to the caller unless shared.
    pub reflection: Option<String>,
    /// One of the caller's rooms to share the reflection with; null keeps it private.
    pub room_id: Option<uuid::Uuid>,
}

/// A roadmap the caller follows.
#[derive(Serialize, ToSchema)]
pub struct MyRoadmapOut {
    /// The roadmap.
    pub roadmap: RoadmapItem,
    /// Progress on the caller's version.
    pub progress: ProgressOut,
    /// The title of the caller's current step, if any is left.
    pub current_step: Option<String>,
    /// Followed (Unix ms).
    pub followed_at: i64,
    /// When they finished their version, if they have.
    pub finished_at: Option<i64>,
}

impl From<FollowedRoadmap> for MyRoadmapOut {
    fn from(f: FollowedRoadmap) -> Self {
        Self {
            progress: ProgressOut::new(f.follow.version, f.progress),
            current_step: f.current_step,
            followed_at: f.follow.created_at,
            finished_at: f.follow.finished_at,
            roadmap: f.summary.into(),
        }
    }
}

/// A version in a roadmap's history.
#[derive(Serialize, ToSchema)]
pub struct VersionOut {
    /// 1, 2, …
    pub number: i32,
    /// Its title.
    pub title: String,
    /// Steps in it.
    pub steps: usize,
    /// Published (Unix ms); null for the author's draft.
    pub published_at: Option<i64>,
    /// What it changed from the version before.
    pub changes: Option<ChangesOut>,
}

impl From<VersionSummary> for VersionOut {
    fn from(v: VersionSummary) -> Self {
        Self {
            number: v.number,
            title: v.title,
            steps: v.steps,
            published_at: v.published_at,
            changes: v.changes.map(ChangesOut::from),
        }
    }
}

/// Browse and search roadmaps
///
/// Published roadmaps, newest first, filtered by skill, level and words.
#[utoipa::path(get, path = "/api/v1/roadmaps", tag = "roadmaps", params(SearchParams),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of roadmaps.", body = Vec<RoadmapItem>,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 422, description = "`invalid_field` on `skill` (not in the catalogue), `level`, `limit` or `cursor`.", body = ErrorBody),
    ))]
pub async fn list_roadmaps(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Response, ApiError> {
    let search = RoadmapSearch {
        skill: p.skill.unwrap_or_default(),
        level: p.level.unwrap_or_default(),
        q: p.q.unwrap_or_default(),
    };
    let query = CursorParams {
        cursor: p.cursor,
        limit: p.limit,
    }
    .query();
    let page = s.app.roadmaps(&actor, &search, &query).await?;
    let (_, limit) = query.window()?;
    let mut path = String::from("/api/v1/roadmaps");
    let filters: Vec<String> = [
        ("skill", &search.skill),
        ("level", &search.level),
        ("q", &search.q),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", query_escape(v)))
    .collect();
    if !filters.is_empty() {
        path = format!("{path}?{}", filters.join("&"));
    }
    Ok(paged_json(&s, &path, limit, page, |items| {
        items.into_iter().map(RoadmapItem::from).collect::<Vec<_>>()
    }))
}

/// Start a roadmap (mentors, managers, admins)
///
/// Stores the first draft (version 1), which only its author sees.
#[utoipa::path(post, path = "/api/v1/roadmaps", tag = "roadmaps", request_body = RoadmapBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The draft.", body = RoadmapOut),
        (status = 403, description = "`forbidden`: not a mentor, manager or admin.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `title`, `summary`, `level`, `steps` (the message names the step) or `version`.", body = ErrorBody),
    ))]
pub async fn create_roadmap(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<RoadmapBody>,
) -> Result<(StatusCode, Json<RoadmapOut>), ApiError> {
    let id = s.app.create_roadmap(&actor, &body.into()).await?;
    let view = s.app.roadmap(&actor, id, None).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// Read a roadmap
///
/// The caller's own version if they follow it, else the newest published
/// one, with the caller's marks and reflections. A draft-only roadmap is
/// its author's alone (404 for anyone else).
#[utoipa::path(get, path = "/api/v1/roadmaps/{id}", tag = "roadmaps",
    params(("id" = uuid::Uuid, Path, description = "Roadmap id."), VersionParams),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The roadmap.", body = RoadmapOut),
        (status = 404, description = "`not_found`: no such roadmap or version, or someone else's draft.", body = ErrorBody),
    ))]
pub async fn get_roadmap(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<RoadmapId>,
    ApiQuery(p): ApiQuery<VersionParams>,
) -> Result<Json<RoadmapOut>, ApiError> {
    Ok(Json(s.app.roadmap(&actor, id, p.version).await?.into()))
}

/// Edit the draft (its author)
///
/// Replaces the draft (making one when the newest version is published).
/// Steps keep their ids by sending them. A published version never changes:
/// naming one in `version` is 409 on `version`.
#[utoipa::path(put, path = "/api/v1/roadmaps/{id}", tag = "roadmaps",
    params(("id" = uuid::Uuid, Path, description = "Roadmap id.")), request_body = RoadmapBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The draft as saved.", body = RoadmapOut),
        (status = 403, description = "`forbidden`: someone else's roadmap.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such roadmap, or someone else's draft.", body = ErrorBody),
        (status = 409, description = "`conflict` on `version`: editing a published version.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `title`, `summary`, `level`, `steps` or `version`.", body = ErrorBody),
    ))]
pub async fn update_roadmap(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<RoadmapId>,
    ApiJson(body): ApiJson<RoadmapBody>,
) -> Result<Json<RoadmapOut>, ApiError> {
    let draft = s.app.edit_roadmap(&actor, id, &body.into()).await?;
    Ok(Json(s.app.roadmap(&actor, id, Some(draft)).await?.into()))
}

/// Publish the draft (its author, where the site allows)
///
/// The draft becomes version N+1, fixed from then on. Followers stay on
/// their version and are told what changed.
#[utoipa::path(post, path = "/api/v1/roadmaps/{id}/publish", tag = "roadmaps",
    params(("id" = uuid::Uuid, Path, description = "Roadmap id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The published version.", body = RoadmapOut),
        (status = 403, description = "`forbidden`: someone else's roadmap, or the site's setting keeps publishing to others.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such roadmap, or someone else's draft.", body = ErrorBody),
        (status = 409, description = "`conflict` on `version`: there is no draft.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `steps`: no step yet.", body = ErrorBody),
    ))]
pub async fn publish_roadmap(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<RoadmapId>,
) -> Result<Json<RoadmapOut>, ApiError> {
    let n = s.app.publish_roadmap(&actor, id).await?;
    Ok(Json(s.app.roadmap(&actor, id, Some(n)).await?.into()))
}

/// A roadmap's versions
///
/// Newest first, each with what it changed; the author sees the draft too.
/// Paged by cursor like every list.
#[utoipa::path(get, path = "/api/v1/roadmaps/{id}/versions", tag = "roadmaps",
    params(("id" = uuid::Uuid, Path, description = "Roadmap id."), CursorParams),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of versions.", body = Vec<VersionOut>,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 404, description = "`not_found`: no such roadmap, or someone else's draft.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `limit` or `cursor`.", body = ErrorBody),
    ))]
pub async fn roadmap_versions(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<RoadmapId>,
    ApiQuery(p): ApiQuery<CursorParams>,
) -> Result<Response, ApiError> {
    let query = p.query();
    let page = s.app.roadmap_versions_page(&actor, id, &query).await?;
    let (_, limit) = query.window()?;
    Ok(paged_json(
        &s,
        &format!("/api/v1/roadmaps/{id}/versions"),
        limit,
        page,
        |items| items.into_iter().map(VersionOut::from).collect::<Vec<_>>(),
    ))
}

/// Follow a roadmap
///
/// On its newest version; marks from an earlier follow still count.
#[utoipa::path(post, path = "/api/v1/roadmaps/{id}/follow", tag = "roadmaps",
    params(("id" = uuid::Uuid, Path, description = "Roadmap id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "Following.", body = ProgressOut),
        (status = 404, description = "`not_found`: no such roadmap, or someone else's draft.", body = ErrorBody),
        (status = 409, description = "`conflict`: already following, or a draft.", body = ErrorBody),
    ))]
pub async fn follow_roadmap(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<RoadmapId>,
) -> Result<(StatusCode, Json<ProgressOut>), ApiError> {
    s.app.follow_roadmap(&actor, id).await?;
    let view = s.app.roadmap(&actor, id, None).await?;
    let out = RoadmapOut::from(view)
        .progress
        .ok_or_else(|| rapport_app::AppError::internal_msg("a new follow has no progress"))?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// Stop following a roadmap
///
/// The caller's marks and reflections stay theirs. Stopping twice is fine.
#[utoipa::path(delete, path = "/api/v1/roadmaps/{id}/follow", tag = "roadmaps",
    params(("id" = uuid::Uuid, Path, description = "Roadmap id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Not following."),
        (status = 404, description = "`not_found`: no such roadmap, or someone else's draft.", body = ErrorBody),
    ))]
pub async fn unfollow_roadmap(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<RoadmapId>,
) -> Result<StatusCode, ApiError> {
    s.app.unfollow_roadmap(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Move to the newest version
///
/// Marks on steps that still exist carry over; answers what changed.
#[utoipa::path(post, path = "/api/v1/roadmaps/{id}/move-to-latest", tag = "roadmaps",
    params(("id" = uuid::Uuid, Path, description = "Roadmap id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "What changed from the caller's version.", body = ChangesOut),
        (status = 404, description = "`not_found`: no such roadmap.", body = ErrorBody),
        (status = 409, description = "`conflict`: not following it.", body = ErrorBody),
    ))]
pub async fn move_to_latest(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<RoadmapId>,
) -> Result<Json<ChangesOut>, ApiError> {
    Ok(Json(s.app.move_to_latest_roadmap(&actor, id).await?.into()))
}

/// Mark a step
///
/// `done`, `learning` or `skipped`, with an optional reflection that stays
/// private unless shared with one of the caller's rooms.
#[utoipa::path(put, path = "/api/v1/roadmaps/{id}/progress/{step_id}", tag = "roadmaps",
    params(("id" = uuid::Uuid, Path, description = "Roadmap id."), ("step_id" = uuid::Uuid, Path, description = "Step id.")),
    request_body = ProgressBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The caller's progress.", body = ProgressOut),
        (status = 404, description = "`not_found`: no such roadmap, or the step is not in the caller's version.", body = ErrorBody),
        (status = 409, description = "`conflict`: not following it.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `status`, `reflection` or `room_id` (not one of the caller's rooms).", body = ErrorBody),
    ))]
pub async fn mark_step(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, step)): Path<(String, String)>,
    ApiJson(body): ApiJson<ProgressBody>,
) -> Result<Json<ProgressOut>, ApiError> {
    let id: RoadmapId = parse(&id, "roadmap")?;
    let step: RoadmapStepId = parse(&step, "step")?;
    let input = ProgressInput {
        status: body.status,
        reflection: body.reflection.unwrap_or_default(),
        share_with_room: body.room_id.map(RoomId),
    };
    let p = s.app.mark_roadmap_step(&actor, id, step, &input).await?;
    let view = s.app.roadmap(&actor, id, None).await?;
    let version = view.follow.map(|f| f.version).unwrap_or_default();
    Ok(Json(ProgressOut::new(version, p)))
}

/// The roadmaps I follow
#[utoipa::path(get, path = "/api/v1/me/roadmaps", tag = "roadmaps", params(CursorParams),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page, newest follow first.", body = Vec<MyRoadmapOut>,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 422, description = "`invalid_field` on `limit` or `cursor`.", body = ErrorBody),
    ))]
pub async fn my_roadmaps(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<CursorParams>,
) -> Result<Response, ApiError> {
    let query = p.query();
    let page = s.app.my_roadmaps(&actor, &query).await?;
    let (_, limit) = query.window()?;
    Ok(paged_json(
        &s,
        "/api/v1/me/roadmaps",
        limit,
        page,
        |items| {
            items
                .into_iter()
                .map(MyRoadmapOut::from)
                .collect::<Vec<_>>()
        },
    ))
}

/// Percent-encodes a query value (unreserved characters stay as they are).
pub(crate) fn query_escape(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn room_and_roadmap(room: &str, roadmap: &str) -> Result<(RoomId, RoadmapId), ApiError> {
    Ok((parse(room, "room")?, parse(roadmap, "roadmap")?))
}

/// Attach a roadmap to a room (its mentors, the programme's managers)
///
/// Offered to the room's mentees; their mentors then see their progress on it.
#[utoipa::path(put, path = "/api/v1/rooms/{id}/roadmaps/{roadmap_id}", tag = "roadmaps",
    params(("id" = uuid::Uuid, Path, description = "Room id."), ("roadmap_id" = uuid::Uuid, Path, description = "Roadmap id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Attached (or already was)."),
        (status = 403, description = "`forbidden`: a mentee of the room.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such room or roadmap, or not the caller's.", body = ErrorBody),
        (status = 409, description = "`conflict`: the room is not open, or the roadmap is a draft.", body = ErrorBody),
    ))]
pub async fn attach_room_roadmap(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((room, roadmap)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (room, roadmap) = room_and_roadmap(&room, &roadmap)?;
    s.app.attach_roadmap_to_room(&actor, room, roadmap).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Detach a roadmap from a room
#[utoipa::path(delete, path = "/api/v1/rooms/{id}/roadmaps/{roadmap_id}", tag = "roadmaps",
    params(("id" = uuid::Uuid, Path, description = "Room id."), ("roadmap_id" = uuid::Uuid, Path, description = "Roadmap id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Detached (or was not attached)."),
        (status = 403, description = "`forbidden`: a mentee of the room.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such room, or not the caller's.", body = ErrorBody),
    ))]
pub async fn detach_room_roadmap(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((room, roadmap)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (room, roadmap) = room_and_roadmap(&room, &roadmap)?;
    s.app
        .detach_roadmap_from_room(&actor, room, roadmap)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Recommend a roadmap in a programme (managers)
#[utoipa::path(put, path = "/api/v1/programmes/{slug}/roadmaps/{roadmap_id}", tag = "roadmaps",
    params(("slug" = String, Path, description = "Programme slug."), ("roadmap_id" = uuid::Uuid, Path, description = "Roadmap id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Recommended (or already was)."),
        (status = 403, description = "`forbidden`: not a manager of the programme.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such programme or roadmap.", body = ErrorBody),
        (status = 409, description = "`conflict`: the roadmap is a draft.", body = ErrorBody),
    ))]
pub async fn attach_programme_roadmap(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, roadmap)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let roadmap: RoadmapId = parse(&roadmap, "roadmap")?;
    s.app
        .attach_roadmap_to_programme(&actor, &slug, roadmap)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stop recommending a roadmap in a programme (managers)
#[utoipa::path(delete, path = "/api/v1/programmes/{slug}/roadmaps/{roadmap_id}", tag = "roadmaps",
    params(("slug" = String, Path, description = "Programme slug."), ("roadmap_id" = uuid::Uuid, Path, description = "Roadmap id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "No longer recommended."),
        (status = 403, description = "`forbidden`: not a manager of the programme.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such programme.", body = ErrorBody),
    ))]
pub async fn detach_programme_roadmap(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, roadmap)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let roadmap: RoadmapId = parse(&roadmap, "roadmap")?;
    s.app
        .detach_roadmap_from_programme(&actor, &slug, roadmap)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
