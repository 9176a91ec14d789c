//! Goals, milestones and comments.

use super::agreements::PageParams;
use super::{paged_json, ApiJson, ApiQuery, IdPath};
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rapport_app::goals::{GoalChanges, GoalItem, MilestoneInput, NewGoal};
use rapport_domain::{GoalId, MilestoneId, RoomId};
use rapport_store::{CommentRecord, GoalRecord, GoalSnapshotRecord, MilestoneRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn day(d: Option<chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

/// A milestone.
#[derive(Serialize, ToSchema)]
pub struct MilestoneOut {
    /// Id.
    pub id: uuid::Uuid,
    /// Its goal.
    pub goal_id: uuid::Uuid,
    /// Title.
    pub title: String,
    /// `YYYY-MM-DD`, if set.
    pub due_date: Option<String>,
    /// Done.
    pub done: bool,
    /// When it was marked done (Unix ms).
    pub done_at: Option<i64>,
}

impl From<MilestoneRecord> for MilestoneOut {
    fn from(m: MilestoneRecord) -> Self {
        Self {
            id: m.id.0,
            goal_id: m.goal_id.0,
            title: m.title,
            due_date: day(m.due_date),
            done: m.done,
            done_at: m.done_at,
        }
    }
}

/// A goal with its milestones.
#[derive(Serialize, ToSchema)]
pub struct GoalOut {
    /// Id.
    pub id: uuid::Uuid,
    /// The room it belongs to.
    pub room_id: uuid::Uuid,
    /// Its owner; null for a shared goal of a group room.
    pub owner_id: Option<uuid::Uuid>,
    /// The owner's name.
    pub owner_name: Option<String>,
    /// Title.
    pub title: String,
    /// Description (Markdown).
    pub description: String,
    /// Success criteria (Markdown).
    pub success_criteria: String,
    /// `YYYY-MM-DD`, if set.
    pub target_date: Option<String>,
    /// `open`, `achieved` or `dropped`.
    pub status: String,
    /// 0–100: the share of done milestones, or what the owner set.
    pub progress: u8,
    /// Milestones, by due day.
    pub milestones: Vec<MilestoneOut>,
    /// Created (Unix ms).
    pub created_at: i64,
    /// Last changed (Unix ms).
    pub updated_at: i64,
}

fn goal_out(g: GoalRecord, milestones: Vec<MilestoneRecord>) -> GoalOut {
    GoalOut {
        id: g.id.0,
        room_id: g.room_id.0,
        owner_id: g.owner_id.map(|p| p.0),
        owner_name: g.owner_name,
        title: g.title,
        description: g.description,
        success_criteria: g.success_criteria,
        target_date: day(g.target_date),
        status: g.status.code().into(),
        progress: g.progress,
        milestones: milestones.into_iter().map(Into::into).collect(),
        created_at: g.created_at,
        updated_at: g.updated_at,
    }
}

impl From<GoalItem> for GoalOut {
    fn from(i: GoalItem) -> Self {
        goal_out(i.goal, i.milestones)
    }
}

/// A goal that moved to another room with its owner, as it stood then.
#[derive(Serialize, ToSchema)]
pub struct MovedGoalOut {
    /// The goal's id (it lives on in `moved_to`).
    pub goal_id: uuid::Uuid,
    /// Its owner.
    pub owner_id: Option<uuid::Uuid>,
    /// The room it moved to.
    pub moved_to: uuid::Uuid,
    /// When (Unix ms).
    pub moved_at: i64,
    /// The goal as it stood: title, description, success_criteria,
    /// target_date, status, progress and milestones.
    #[schema(value_type = Object)]
    pub snapshot: serde_json::Value,
}

impl From<GoalSnapshotRecord> for MovedGoalOut {
    fn from(s: GoalSnapshotRecord) -> Self {
        Self {
            goal_id: s.goal_id.0,
            owner_id: s.owner_id.map(|p| p.0),
            moved_to: s.moved_to.0,
            moved_at: s.created_at,
            snapshot: serde_json::to_value(&s.snapshot).unwrap_or_default(),
        }
    }
}

/// One page of a room's goals.
#[derive(Serialize, ToSchema)]
pub struct GoalsOut {
    /// Goals, newest first.
    pub goals: Vec<GoalOut>,
    /// Read-only copies of goals that moved to another room with their owner.
    pub moved: Vec<MovedGoalOut>,
}

/// List a room's goals
///
/// Goals with their milestones and progress, newest first; the next page is
/// in the `Link` header. For the room's members and the programme's managers.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/goals", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Room id."), PageParams), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of goals.", body = GoalsOut,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `limit` or `cursor`.", body = ErrorBody),
    ))]
pub async fn list_goals(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<RoomId>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Response, ApiError> {
    let query = params.query();
    let goals = s.app.room_goals(&actor, id, &query).await?;
    let (_, limit) = query.window()?;
    let moved = goals.moved;
    Ok(paged_json(
        &s,
        &format!("/api/v1/rooms/{id}/goals"),
        limit,
        goals.page,
        |items| GoalsOut {
            goals: items.into_iter().map(Into::into).collect(),
            moved: moved.into_iter().map(Into::into).collect(),
        },
    ))
}

/// A new goal.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewGoalBody {
    /// Title, 1–200 characters.
    #[schema(required = true)]
    pub title: String,
    /// Description (Markdown, no HTML).
    pub description: String,
    /// Success criteria (Markdown, no HTML).
    pub success_criteria: String,
    /// `YYYY-MM-DD`, or empty.
    pub target_date: String,
    /// A shared goal of a group room or circle (no owner).
    pub shared: bool,
}

/// Set a goal (members)
///
/// A mentee or peer sets a goal of their own; in group rooms and circles any
/// member may set a shared goal (`shared: true`).
#[utoipa::path(post, path = "/api/v1/rooms/{id}/goals", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Room id.")), request_body = NewGoalBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The goal.", body = GoalOut),
        (status = 403, description = "`forbidden`: a mentor's own goal, or a manager who is not a member.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: the room is proposed or has ended.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `title`, `target_date`, `shared`, or a Markdown field carrying HTML.", body = ErrorBody),
    ))]
pub async fn create_goal(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<RoomId>,
    ApiJson(b): ApiJson<NewGoalBody>,
) -> Result<Response, ApiError> {
    let input = NewGoal {
        title: b.title,
        description: b.description,
        success_criteria: b.success_criteria,
        target_date: b.target_date,
        shared: b.shared,
    };
    let goal = s.app.create_goal(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(goal_out(goal, vec![]))).into_response())
}

/// Changes to a goal; fields left out stay as they are.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct GoalChangesBody {
    /// Title, 1–200 characters.
    pub title: Option<String>,
    /// Description (Markdown, no HTML).
    pub description: Option<String>,
    /// Success criteria (Markdown, no HTML).
    pub success_criteria: Option<String>,
    /// `YYYY-MM-DD`, or empty to clear it.
    pub target_date: Option<String>,
    /// `open`, `achieved` or `dropped`.
    pub status: Option<String>,
    /// 0–100, for a goal without milestones.
    pub progress: Option<i64>,
}

/// Change a goal (its owner)
#[utoipa::path(put, path = "/api/v1/goals/{id}", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Goal id.")), request_body = GoalChangesBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The goal.", body = GoalOut),
        (status = 403, description = "`forbidden`: not the goal's owner.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: the room has ended.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `title`, `target_date`, `status`, `progress` (0 to 100, and only without milestones), or a Markdown field carrying HTML.", body = ErrorBody),
    ))]
pub async fn update_goal(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<GoalId>,
    ApiJson(b): ApiJson<GoalChangesBody>,
) -> Result<Json<GoalOut>, ApiError> {
    let changes = GoalChanges {
        title: b.title,
        description: b.description,
        success_criteria: b.success_criteria,
        target_date: b.target_date,
        status: b.status,
        progress: b.progress,
    };
    Ok(Json(s.app.update_goal(&actor, id, &changes).await?.into()))
}

/// A milestone, or changes to one (fields left out stay as they are).
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct MilestoneBody {
    /// Title, 1–200 characters (required for a new milestone).
    pub title: Option<String>,
    /// `YYYY-MM-DD`, or empty for none.
    pub due_date: Option<String>,
    /// Done.
    pub done: Option<bool>,
}

impl From<MilestoneBody> for MilestoneInput {
    fn from(b: MilestoneBody) -> Self {
        Self {
            title: b.title,
            due_date: b.due_date,
            done: b.done,
        }
    }
}

/// Add a milestone to a goal (its owner)
#[utoipa::path(post, path = "/api/v1/goals/{id}/milestones", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Goal id.")), request_body = MilestoneBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The milestone.", body = MilestoneOut),
        (status = 403, description = "`forbidden`: not the goal's owner.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: the room has ended.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `title` or `due_date`.", body = ErrorBody),
    ))]
pub async fn add_milestone(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<GoalId>,
    ApiJson(b): ApiJson<MilestoneBody>,
) -> Result<Response, ApiError> {
    let m = s.app.add_milestone(&actor, id, &b.into()).await?;
    Ok((StatusCode::CREATED, Json(MilestoneOut::from(m))).into_response())
}

/// Change a milestone (the goal's owner)
///
/// Mark it done or not, or change its title or due day; the goal's progress
/// follows.
#[utoipa::path(put, path = "/api/v1/milestones/{id}", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Milestone id.")), request_body = MilestoneBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The milestone.", body = MilestoneOut),
        (status = 403, description = "`forbidden`: not the goal's owner.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: the room has ended.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `title` or `due_date`.", body = ErrorBody),
    ))]
pub async fn update_milestone(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<MilestoneId>,
    ApiJson(b): ApiJson<MilestoneBody>,
) -> Result<Json<MilestoneOut>, ApiError> {
    let (m, _) = s.app.update_milestone(&actor, id, &b.into()).await?;
    Ok(Json(m.into()))
}

/// A comment on a goal.
#[derive(Serialize, ToSchema)]
pub struct CommentOut {
    /// Id.
    pub id: uuid::Uuid,
    /// Author (null once their account is deleted).
    pub author_id: Option<uuid::Uuid>,
    /// Their name, or "a former member".
    pub author_name: String,
    /// Text (Markdown).
    pub body: String,
    /// When (Unix ms).
    pub created_at: i64,
}

impl From<CommentRecord> for CommentOut {
    fn from(c: CommentRecord) -> Self {
        Self {
            id: c.id.0,
            author_id: c.author_id.map(|p| p.0),
            author_name: c.author_name.unwrap_or_else(|| "a former member".into()),
            body: c.body,
            created_at: c.created_at,
        }
    }
}

/// One page of comments.
#[derive(Serialize, ToSchema)]
pub struct CommentsOut {
    /// Comments, newest first.
    pub comments: Vec<CommentOut>,
}

/// List a goal's comments
#[utoipa::path(get, path = "/api/v1/goals/{id}/comments", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Goal id."), PageParams), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of comments, newest first.", body = CommentsOut,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `limit` or `cursor`.", body = ErrorBody),
    ))]
pub async fn list_goal_comments(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<GoalId>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Response, ApiError> {
    let query = params.query();
    let page = s.app.goal_comments(&actor, id, &query).await?;
    let (_, limit) = query.window()?;
    Ok(paged_json(
        &s,
        &format!("/api/v1/goals/{id}/comments"),
        limit,
        page,
        |items| CommentsOut {
            comments: items.into_iter().map(Into::into).collect(),
        },
    ))
}

/// A comment.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct CommentBody {
    /// Text (Markdown, no HTML), up to 5,000 characters.
    #[schema(required = true)]
    pub body: String,
}

/// Comment on a goal
///
/// The goal's owner, the room's mentor or facilitator, and in peer rooms and
/// circles the other members.
#[utoipa::path(post, path = "/api/v1/goals/{id}/comments", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Goal id.")), request_body = CommentBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The comment.", body = CommentOut),
        (status = 403, description = "`forbidden`: another mentee of a group room, or a manager.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: the room has ended.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `body` empty, too long, or carrying HTML.", body = ErrorBody),
    ))]
pub async fn comment_on_goal(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<GoalId>,
    ApiJson(b): ApiJson<CommentBody>,
) -> Result<Response, ApiError> {
    let c = s.app.comment_on_goal(&actor, id, &b.body).await?;
    Ok((StatusCode::CREATED, Json(CommentOut::from(c))).into_response())
}
