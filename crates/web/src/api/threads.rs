//! Growth Threads: threads, posts, comments, reactions, moderation, follows,
//! the feed and search (issue 19).
//!
//! Anything in a thread the caller may not see answers 404, exactly like
//! something that does not exist.

use super::notes::CursorParams;
use super::{paged_json, ApiJson, ApiQuery, IdPath};
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use rapport_app::lists::ListQuery;
use rapport_app::threads::{
    CommentView, FeedInput, PostInput, PostView, SearchResults, ThreadInput, ThreadView,
};
use rapport_app::AppError;
use rapport_domain::threads::Moderated;
use rapport_domain::{PersonId, PostId, ThreadCommentId, ThreadId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A growth thread.
#[derive(Serialize, ToSchema)]
pub struct ThreadOut {
    /// Id.
    pub id: uuid::Uuid,
    /// The author's id.
    pub author_id: uuid::Uuid,
    /// The author's name.
    pub author: String,
    /// Title.
    pub title: String,
    /// `only_me`, `my_rooms`, `programme` or `members`.
    pub visibility: String,
    /// The programme it is shared with (`programme` only), by name.
    pub programme: Option<String>,
    /// The caller writes it.
    pub mine: bool,
    /// Started (Unix ms).
    pub created_at: i64,
    /// Last changed (Unix ms).
    pub updated_at: i64,
}

impl From<ThreadView> for ThreadOut {
    fn from(v: ThreadView) -> Self {
        Self {
            id: v.record.id.0,
            author_id: v.record.author_id.0,
            author: v.record.author_name,
            title: v.record.title,
            visibility: v.record.visibility.code().into(),
            programme: v.programme,
            mine: v.mine,
            created_at: v.record.created_at,
            updated_at: v.record.updated_at,
        }
    }
}

/// A reaction's tally on a post.
#[derive(Serialize, ToSchema)]
pub struct ReactionOut {
    /// `helpful`, `been_there` or `cheering_you_on`.
    pub kind: String,
    /// How many gave it.
    pub count: i64,
    /// The caller gave it.
    pub mine: bool,
}

/// A comment on a post.
#[derive(Serialize, ToSchema)]
pub struct CommentOut {
    /// Id.
    pub id: uuid::Uuid,
    /// Its post.
    pub post_id: uuid::Uuid,
    /// The top-level comment it replies to, if any.
    pub parent_id: Option<uuid::Uuid>,
    /// The author's id.
    pub author_id: uuid::Uuid,
    /// The author's name.
    pub author: String,
    /// Markdown source; null when hidden by a moderator (except to its author).
    pub body: Option<String>,
    /// The body as sanitised HTML; null when hidden (except to its author).
    pub html: Option<String>,
    /// Hidden by a moderator.
    pub hidden: bool,
    /// Why it was hidden: shown to its author only.
    pub hidden_reason: Option<String>,
    /// The caller wrote it.
    pub mine: bool,
    /// Written (Unix ms).
    pub created_at: i64,
    /// Last edited (Unix ms).
    pub edited_at: Option<i64>,
}

impl From<CommentView> for CommentOut {
    fn from(v: CommentView) -> Self {
        let shown = v.html.is_some();
        Self {
            id: v.record.id.0,
            post_id: v.record.post_id.0,
            parent_id: v.record.parent_id.map(|p| p.0),
            author_id: v.record.author_id.0,
            author: v.record.author_name,
            body: shown.then_some(v.record.body),
            html: v.html,
            hidden: v.record.hidden.is_some(),
            hidden_reason: v.hidden_reason,
            mine: v.mine,
            created_at: v.record.created_at,
            edited_at: v.record.edited_at,
        }
    }
}

/// A dated post in a thread.
#[derive(Serialize, ToSchema)]
pub struct PostOut {
    /// Id.
    pub id: uuid::Uuid,
    /// Its thread.
    pub thread_id: uuid::Uuid,
    /// The thread's title.
    pub thread_title: String,
    /// The author's id.
    pub author_id: uuid::Uuid,
    /// The author's name.
    pub author: String,
    /// `challenge`, `breakthrough`, `question` or `update`.
    pub kind: String,
    /// Markdown source.
    pub body: String,
    /// The body as sanitised HTML.
    pub html: String,
    /// `goal`, `session` or `roadmap_step`, when it links to one.
    pub link_kind: Option<String>,
    /// The linked goal's, session's or roadmap step's id (a step's page is
    /// `/roadmap-steps/{id}`, which leads to it on its roadmap).
    pub link_id: Option<uuid::Uuid>,
    /// Hidden by a moderator (only its author still sees it).
    pub hidden: bool,
    /// Why it was hidden: shown to its author.
    pub hidden_reason: Option<String>,
    /// The caller wrote it.
    pub mine: bool,
    /// Every reaction kind with its tally.
    pub reactions: Vec<ReactionOut>,
    /// Comments, oldest first; replies follow their parent.
    pub comments: Vec<CommentOut>,
    /// Posted (Unix ms).
    pub created_at: i64,
    /// Last edited (Unix ms).
    pub edited_at: Option<i64>,
}

impl From<PostView> for PostOut {
    fn from(v: PostView) -> Self {
        let r = v.record;
        Self {
            id: r.id.0,
            thread_id: r.thread_id.0,
            thread_title: r.thread_title,
            author_id: r.author_id.0,
            author: r.author_name,
            kind: r.kind.code().into(),
            body: r.body,
            html: v.html,
            link_kind: r.link.map(|(k, _)| k.code().into()),
            link_id: r.link.map(|(_, id)| id),
            hidden: r.hidden.is_some(),
            hidden_reason: r.hidden.map(|(_, why)| why),
            mine: v.mine,
            reactions: v
                .reactions
                .into_iter()
                .map(|t| ReactionOut {
                    kind: t.kind.code().into(),
                    count: t.count,
                    mine: t.mine,
                })
                .collect(),
            comments: v.comments.into_iter().map(CommentOut::from).collect(),
            created_at: r.created_at,
            edited_at: r.edited_at,
        }
    }
}

/// A thread's title and visibility.
#[derive(Deserialize, ToSchema)]
pub struct ThreadBody {
    /// 1 to 120 characters.
    pub title: String,
    /// `only_me`, `my_rooms` (the members of your proposed, active or paused
    /// rooms, now), `programme` or `members` (every signed-in member).
    pub visibility: String,
    /// The programme's slug, for `programme`: one you belong to.
    pub programme: Option<String>,
}

impl ThreadBody {
    fn input(self) -> ThreadInput {
        ThreadInput {
            title: self.title,
            visibility: self.visibility,
            programme: self.programme,
        }
    }
}

/// A post's content.
#[derive(Deserialize, ToSchema)]
pub struct PostBody {
    /// `challenge`, `breakthrough`, `question` or `update`.
    pub kind: String,
    /// Markdown, without HTML.
    pub body: String,
    /// `goal`, `session` or `roadmap_step` (with `link_id`, a step's id, kept across versions): something you can see.
    pub link_kind: Option<String>,
    /// The goal's or session's id.
    pub link_id: Option<uuid::Uuid>,
}

impl PostBody {
    fn input(self) -> PostInput {
        PostInput {
            kind: self.kind,
            body: self.body,
            link_kind: self.link_kind,
            link_id: self.link_id,
        }
    }
}

/// A comment's text.
#[derive(Deserialize, ToSchema)]
pub struct CommentBody {
    /// Markdown, without HTML.
    pub body: String,
    /// The top-level comment this replies to (one level deep).
    pub parent_id: Option<uuid::Uuid>,
}

/// A comment's new text.
#[derive(Deserialize, ToSchema)]
pub struct CommentEdit {
    /// Markdown, without HTML.
    pub body: String,
}

/// Why something is reported.
#[derive(Deserialize, ToSchema)]
pub struct ReportBody {
    /// 1 to 1,000 characters.
    pub reason: String,
}

/// Hiding, with the reason its author sees.
#[derive(Deserialize, ToSchema)]
pub struct HideBody {
    /// 1 to 1,000 characters; the author sees it.
    pub reason: String,
    /// Must be true: without it nothing changes (409 naming `confirm`).
    #[serde(default)]
    pub confirm: bool,
}

/// Restoring.
#[derive(Deserialize, ToSchema, Default)]
pub struct RestoreBody {
    /// Must be true: without it nothing changes (409 naming `confirm`).
    #[serde(default)]
    pub confirm: bool,
}

/// Which threads to list.
#[derive(Deserialize, IntoParams)]
pub struct ThreadListParams {
    /// Only this person's threads (yours: "my threads").
    pub author: Option<uuid::Uuid>,
    /// Where to continue (from the `Link` header).
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 50).
    pub limit: Option<i64>,
}

/// The feed's filters.
#[derive(Deserialize, IntoParams)]
pub struct FeedParams {
    /// A programme's slug: posts from threads shared with it.
    pub programme: Option<String>,
    /// `challenge`, `breakthrough`, `question` or `update`.
    pub kind: Option<String>,
    /// Only people you follow.
    #[serde(default)]
    pub following: bool,
    /// Where to continue (from the `Link` header).
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 50).
    pub limit: Option<i64>,
}

/// What to search for.
#[derive(Deserialize, IntoParams)]
pub struct SearchParams {
    /// Words (at least one of three letters or more); partial words match.
    pub q: String,
    /// Where to continue (from the `Link` header).
    pub cursor: Option<String>,
    /// Hits per page, all kinds together, 1 to 100 (default 50).
    pub limit: Option<i64>,
}

/// One page of what a search found, by kind. The page holds the newest
/// `limit` hits of every kind together; each list keeps that order.
#[derive(Serialize, ToSchema)]
pub struct SearchOut {
    /// Threads whose titles match.
    pub threads: Vec<ThreadOut>,
    /// Posts that match.
    pub posts: Vec<PostOut>,
    /// Roadmaps whose title, summary or step titles match: published ones,
    /// and your own drafts.
    pub roadmaps: Vec<super::roadmaps::RoadmapItem>,
}

fn list_query(cursor: Option<String>, limit: Option<i64>) -> ListQuery {
    ListQuery {
        page: None,
        cursor,
        limit,
    }
}

/// `/posts/{id}/reactions/{kind}`'s two parameters; an id that does not
/// parse is 404 like an unknown one.
fn reaction_path(raw: (String, String)) -> Result<(PostId, String), ApiError> {
    let id = raw
        .0
        .parse()
        .map_err(|_| AppError::NotFound("nothing has this id; check the id in the path".into()))?;
    Ok((id, raw.1))
}

/// List the threads you may see
///
/// Newest first; `author` narrows to one person's (your own: "my threads").
#[utoipa::path(get, path = "/api/v1/threads", tag = "threads",
    params(ThreadListParams),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of threads.", body = Vec<ThreadOut>,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 422, description = "`invalid_field`: `limit` or `cursor`.", body = ErrorBody),
    ))]
pub async fn list_threads(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<ThreadListParams>,
) -> Result<Response, ApiError> {
    let query = list_query(params.cursor, params.limit);
    let page = s
        .app
        .threads(&actor, params.author.map(PersonId), &query)
        .await?;
    let (_, limit) = query.window()?;
    let path = match params.author {
        Some(a) => format!("/api/v1/threads?author={a}"),
        None => "/api/v1/threads".into(),
    };
    Ok(paged_json(&s, &path, limit, page, |items| {
        items.into_iter().map(ThreadOut::from).collect::<Vec<_>>()
    }))
}

/// Start a thread
#[utoipa::path(post, path = "/api/v1/threads", tag = "threads",
    request_body = ThreadBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The thread.", body = ThreadOut),
        (status = 422, description = "`invalid_field` on `title`, `visibility` or `programme`.", body = ErrorBody),
    ))]
pub async fn create_thread(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<ThreadBody>,
) -> Result<(StatusCode, Json<ThreadOut>), ApiError> {
    let t = s.app.create_thread(&actor, &body.input()).await?;
    Ok((StatusCode::CREATED, Json(t.into())))
}

/// Read a thread
#[utoipa::path(get, path = "/api/v1/threads/{id}", tag = "threads",
    params(("id" = uuid::Uuid, Path, description = "Thread id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The thread.", body = ThreadOut),
        (status = 404, description = "`not_found`: no such thread, or not yours to see.", body = ErrorBody),
    ))]
pub async fn get_thread(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<ThreadId>,
) -> Result<Json<ThreadOut>, ApiError> {
    Ok(Json(s.app.thread(&actor, id).await?.into()))
}

/// Change a thread's title or visibility (its author)
///
/// A narrowing applies at once to every post, comment and reaction in it,
/// everywhere.
#[utoipa::path(put, path = "/api/v1/threads/{id}", tag = "threads",
    params(("id" = uuid::Uuid, Path, description = "Thread id.")), request_body = ThreadBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The thread as changed.", body = ThreadOut),
        (status = 403, description = "`forbidden`: someone else's thread.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such thread, or not yours to see.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `title`, `visibility` or `programme`.", body = ErrorBody),
    ))]
pub async fn update_thread(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<ThreadId>,
    ApiJson(body): ApiJson<ThreadBody>,
) -> Result<Json<ThreadOut>, ApiError> {
    Ok(Json(
        s.app.update_thread(&actor, id, &body.input()).await?.into(),
    ))
}

/// Delete a thread with everything in it (its author)
#[utoipa::path(delete, path = "/api/v1/threads/{id}", tag = "threads",
    params(("id" = uuid::Uuid, Path, description = "Thread id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 403, description = "`forbidden`: someone else's thread.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such thread, or not yours to see.", body = ErrorBody),
    ))]
pub async fn delete_thread(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<ThreadId>,
) -> Result<StatusCode, ApiError> {
    s.app.delete_thread(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Read a thread's posts
///
/// Newest first, each with its reactions and comments.
#[utoipa::path(get, path = "/api/v1/threads/{id}/posts", tag = "threads",
    params(("id" = uuid::Uuid, Path, description = "Thread id."), CursorParams),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of posts.", body = Vec<PostOut>,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 404, description = "`not_found`: no such thread, or not yours to see.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `limit` or `cursor`.", body = ErrorBody),
    ))]
pub async fn list_thread_posts(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<ThreadId>,
    ApiQuery(params): ApiQuery<CursorParams>,
) -> Result<Response, ApiError> {
    let query = params.query();
    let page = s.app.thread_posts(&actor, id, &query).await?;
    let (_, limit) = query.window()?;
    Ok(paged_json(
        &s,
        &format!("/api/v1/threads/{id}/posts"),
        limit,
        page,
        |items| items.into_iter().map(PostOut::from).collect::<Vec<_>>(),
    ))
}

/// Post in your thread
///
/// A post may link to a goal, session or roadmap step you can see.
#[utoipa::path(post, path = "/api/v1/threads/{id}/posts", tag = "threads",
    params(("id" = uuid::Uuid, Path, description = "Thread id.")), request_body = PostBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The post.", body = PostOut),
        (status = 403, description = "`forbidden`: someone else's thread.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such thread, or not yours to see.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `kind`, `body`, `link_kind` or `link_id` (a goal, session or roadmap step you cannot see).", body = ErrorBody),
    ))]
pub async fn create_thread_post(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<ThreadId>,
    ApiJson(body): ApiJson<PostBody>,
) -> Result<(StatusCode, Json<PostOut>), ApiError> {
    let p = s.app.create_post(&actor, id, &body.input()).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

/// Edit a post (its author)
///
/// The earlier text is kept as a revision.
#[utoipa::path(put, path = "/api/v1/posts/{id}", tag = "threads",
    params(("id" = uuid::Uuid, Path, description = "Post id.")), request_body = PostBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The post as edited.", body = PostOut),
        (status = 403, description = "`forbidden`: someone else's post.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such post, or not yours to see.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `kind` or `body`.", body = ErrorBody),
    ))]
pub async fn update_thread_post(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<PostId>,
    ApiJson(body): ApiJson<PostBody>,
) -> Result<Json<PostOut>, ApiError> {
    Ok(Json(
        s.app.edit_post(&actor, id, &body.input()).await?.into(),
    ))
}

/// Delete a post (its author)
#[utoipa::path(delete, path = "/api/v1/posts/{id}", tag = "threads",
    params(("id" = uuid::Uuid, Path, description = "Post id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Deleted, with its comments and reactions."),
        (status = 403, description = "`forbidden`: someone else's post.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such post, or not yours to see.", body = ErrorBody),
    ))]
pub async fn delete_thread_post(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<PostId>,
) -> Result<StatusCode, ApiError> {
    s.app.delete_post(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Comment on a post
///
/// Or reply to a top-level comment (`parent_id`): comments go one level deep.
/// The post's author is notified, batched.
#[utoipa::path(post, path = "/api/v1/posts/{id}/comments", tag = "threads",
    params(("id" = uuid::Uuid, Path, description = "Post id.")), request_body = CommentBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The comment.", body = CommentOut),
        (status = 404, description = "`not_found`: no such post, or not yours to see.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `body` or `parent_id`.", body = ErrorBody),
    ))]
pub async fn create_thread_comment(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<PostId>,
    ApiJson(body): ApiJson<CommentBody>,
) -> Result<(StatusCode, Json<CommentOut>), ApiError> {
    let c = s
        .app
        .add_comment(&actor, id, &body.body, body.parent_id.map(ThreadCommentId))
        .await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

/// Edit a comment (its author)
///
/// The earlier text is kept as a revision.
#[utoipa::path(put, path = "/api/v1/comments/{id}", tag = "threads",
    params(("id" = uuid::Uuid, Path, description = "Comment id.")), request_body = CommentEdit,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The comment as edited.", body = CommentOut),
        (status = 403, description = "`forbidden`: someone else's comment.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such comment, or not yours to see.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `body`.", body = ErrorBody),
    ))]
pub async fn update_thread_comment(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<ThreadCommentId>,
    ApiJson(body): ApiJson<CommentEdit>,
) -> Result<Json<CommentOut>, ApiError> {
    Ok(Json(
        s.app.edit_comment(&actor, id, &body.body).await?.into(),
    ))
}

/// Delete a comment (its author)
#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "threads",
    params(("id" = uuid::Uuid, Path, description = "Comment id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Deleted, with its replies."),
        (status = 403, description = "`forbidden`: someone else's comment.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such comment, or not yours to see.", body = ErrorBody),
    ))]
pub async fn delete_thread_comment(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<ThreadCommentId>,
) -> Result<StatusCode, ApiError> {
    s.app.delete_comment(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// React to a post
///
/// One of each kind per person: a repeat answers 200 and changes nothing.
#[utoipa::path(put, path = "/api/v1/posts/{id}/reactions/{kind}", tag = "threads",
    params(("id" = uuid::Uuid, Path, description = "Post id."),
        ("kind" = String, Path, description = "`helpful`, `been_there` or `cheering_you_on`.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "Reacted."),
        (status = 200, description = "You had already given this reaction; nothing changed."),
        (status = 404, description = "`not_found`: no such post, or not yours to see.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `kind`.", body = ErrorBody),
    ))]
pub async fn put_reaction(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (id, kind) = reaction_path(raw)?;
    Ok(if s.app.react(&actor, id, &kind).await? {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    })
}

/// Take a reaction back
#[utoipa::path(delete, path = "/api/v1/posts/{id}/reactions/{kind}", tag = "threads",
    params(("id" = uuid::Uuid, Path, description = "Post id."),
        ("kind" = String, Path, description = "`helpful`, `been_there` or `cheering_you_on`.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Gone (or there was none)."),
        (status = 404, description = "`not_found`: no such post, or not yours to see.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `kind`.", body = ErrorBody),
    ))]
pub async fn delete_reaction(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (id, kind) = reaction_path(raw)?;
    s.app.unreact(&actor, id, &kind).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn report(
    s: &AppState,
    actor: &rapport_app::Actor,
    target: Moderated,
    id: uuid::Uuid,
    reason: &str,
) -> Result<StatusCode, ApiError> {
    Ok(
        if s.app.report_thread_item(actor, target, id, reason).await? {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
    )
}

/// Report a post
///
/// Admins, and the managers of a programme its thread is shared with, then
/// see it. A repeat answers 200 and changes nothing.
#[utoipa::path(post, path = "/api/v1/posts/{id}/report", tag = "threads",
    params(("id" = uuid::Uuid, Path, description = "Post id.")), request_body = ReportBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "Reported."),
        (status = 200, description = "You had already reported it."),
        (status = 404, description = "`not_found`: no such post, or not yours to see.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `reason`.", body = ErrorBody),
    ))]
pub async fn report_post(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<PostId>,
    ApiJson(body): ApiJson<ReportBody>,
) -> Result<StatusCode, ApiError> {
    report(&s, &actor, Moderated::Post, id.0, &body.reason).await
}

/// Report a comment
///
/// A repeat answers 200 and changes nothing.
#[utoipa::path(post, path = "/api/v1/comments/{id}/report", tag = "threads",
    params(("id" = uuid::Uuid, Path, description = "Comment id.")), request_body = ReportBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "Reported."),
        (status = 200, description = "You had already reported it."),
        (status = 404, description = "`not_found`: no such comment, or not yours to see.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `reason`.", body = ErrorBody),
    ))]
pub async fn report_comment(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<ThreadCommentId>,
    ApiJson(body): ApiJson<ReportBody>,
) -> Result<StatusCode, ApiError> {
    report(&s, &actor, Moderated::Comment, id.0, &body.reason).await
}

/// Hide a reported post (admins; managers of its thread's programme)
///
/// Its author still sees it, with the reason. Audited.
#[utoipa::path(post, path = "/api/v1/posts/{id}/hide", tag = "threads",
    params(("id" = uuid::Uuid, Path, description = "Post id.")), request_body = HideBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Hidden."),
        (status = 403, description = "`forbidden`: you see it but do not moderate it.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such post, not reported, or not yours to see.", body = ErrorBody),
        (status = 409, description = "`conflict` on `confirm`: send `confirm: true`.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `reason`.", body = ErrorBody),
    ))]
pub async fn hide_post(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<PostId>,
    ApiJson(body): ApiJson<HideBody>,
) -> Result<StatusCode, ApiError> {
    s.app
        .hide_thread_item(&actor, Moderated::Post, id.0, &body.reason, body.confirm)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Restore a hidden post (admins; managers of its thread's programme)
#[utoipa::path(post, path = "/api/v1/posts/{id}/restore", tag = "threads",
    params(("id" = uuid::Uuid, Path, description = "Post id.")), request_body = RestoreBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Restored."),
        (status = 403, description = "`forbidden`: you see it but do not moderate it.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such post, or not yours to see.", body = ErrorBody),
        (status = 409, description = "`conflict` on `confirm`: send `confirm: true`.", body = ErrorBody),
    ))]
pub async fn restore_post(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<PostId>,
    ApiJson(body): ApiJson<RestoreBody>,
) -> Result<StatusCode, ApiError> {
    s.app
        .restore_thread_item(&actor, Moderated::Post, id.0, body.confirm)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hide a reported comment (admins; managers of its thread's programme)
#[utoipa::path(post, path = "/api/v1/comments/{id}/hide", tag = "threads",
    params(("id" = uuid::Uuid, Path, description = "Comment id.")), request_body = HideBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Hidden."),
        (status = 403, description = "`forbidden`: you see it but do not moderate it.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such comment, not reported, or not yours to see.", body = ErrorBody),
        (status = 409, description = "`conflict` on `confirm`: send `confirm: true`.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `reason`.", body = ErrorBody),
    ))]
pub async fn hide_comment(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<ThreadCommentId>,
    ApiJson(body): ApiJson<HideBody>,
) -> Result<StatusCode, ApiError> {
    s.app
        .hide_thread_item(&actor, Moderated::Comment, id.0, &body.reason, body.confirm)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Restore a hidden comment (admins; managers of its thread's programme)
#[utoipa::path(post, path = "/api/v1/comments/{id}/restore", tag = "threads",
    params(("id" = uuid::Uuid, Path, description = "Comment id.")), request_body = RestoreBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Restored."),
        (status = 403, description = "`forbidden`: you see it but do not moderate it.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such comment, or not yours to see.", body = ErrorBody),
        (status = 409, description = "`conflict` on `confirm`: send `confirm: true`.", body = ErrorBody),
    ))]
pub async fn restore_comment(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<ThreadCommentId>,
    ApiJson(body): ApiJson<RestoreBody>,
) -> Result<StatusCode, ApiError> {
    s.app
        .restore_thread_item(&actor, Moderated::Comment, id.0, body.confirm)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Follow a person whose threads you can see
#[utoipa::path(put, path = "/api/v1/people/{id}/follow", tag = "threads",
    params(("id" = uuid::Uuid, Path, description = "Person id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Following (a repeat changes nothing)."),
        (status = 404, description = "`not_found`: none of their threads is yours to see.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `id`: yourself.", body = ErrorBody),
    ))]
pub async fn follow_person(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<PersonId>,
) -> Result<StatusCode, ApiError> {
    s.app.follow(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stop following a person
#[utoipa::path(delete, path = "/api/v1/people/{id}/follow", tag = "threads",
    params(("id" = uuid::Uuid, Path, description = "Person id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Not following (whether or not you were)."),
        (status = 404, description = "`not_found`: the path holds no valid id.", body = ErrorBody),
    ))]
pub async fn unfollow_person(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<PersonId>,
) -> Result<StatusCode, ApiError> {
    s.app.unfollow(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Your feed
///
/// The newest posts you may see, filtered by programme, kind and the people
/// you follow.
#[utoipa::path(get, path = "/api/v1/feed", tag = "threads",
    params(FeedParams),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of posts, newest first.", body = Vec<PostOut>,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 422, description = "`invalid_field` on `kind`, `programme`, `limit` or `cursor`.", body = ErrorBody),
    ))]
pub async fn get_feed(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<FeedParams>,
) -> Result<Response, ApiError> {
    let input = FeedInput {
        programme: params.programme.clone(),
        kind: params.kind.clone(),
        following: params.following,
    };
    let query = list_query(params.cursor, params.limit);
    let page = s.app.feed(&actor, &input, &query).await?;
    let (_, limit) = query.window()?;
    // Both were checked by the use case: a slug and a kind code need no escaping.
    let mut filters = vec![];
    if let Some(p) = &params.programme {
        filters.push(format!("programme={p}"));
    }
    if let Some(k) = &params.kind {
        filters.push(format!("kind={k}"));
    }
    if params.following {
        filters.push("following=true".into());
    }
    let path = if filters.is_empty() {
        "/api/v1/feed".to_string()
    } else {
        format!("/api/v1/feed?{}", filters.join("&"))
    };
    Ok(paged_json(&s, &path, limit, page, |items| {
        items.into_iter().map(PostOut::from).collect::<Vec<_>>()
    }))
}

/// Search threads, posts and roadmaps
///
/// Over the threads, posts and roadmaps you may see; partial words match.
/// Newest first, paged by cursor like every list (the `Link` header).
#[utoipa::path(get, path = "/api/v1/search", tag = "threads",
    params(SearchParams),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of what matched.", body = SearchOut,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 400, description = "`bad_request`: the query string has no `q`.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `q` (no word of three letters or more), `limit` or `cursor`.", body = ErrorBody),
    ))]
pub async fn search_threads(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Result<Response, ApiError> {
    let list = list_query(params.cursor, params.limit);
    let page = s.app.search(&actor, &params.q, &list).await?;
    let (_, limit) = list.window()?;
    let path = format!(
        "/api/v1/search?q={}",
        super::roadmaps::query_escape(&params.q)
    );
    Ok(paged_json(&s, &path, limit, page, |items| {
        let found = SearchResults::of(items);
        SearchOut {
            threads: found.threads.into_iter().map(ThreadOut::from).collect(),
            posts: found.posts.into_iter().map(PostOut::from).collect(),
            roadmaps: found.roadmaps.into_iter().map(Into::into).collect(),
        }
    }))
}
