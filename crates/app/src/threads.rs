//! Growth Threads: a member's learning-in-public journal (issue 19). Threads,
//! dated posts, comments one level deep, reactions, following people, the
//! feed and search. Moderation is in [`crate::thread_moderation`].
//!
//! # Who sees what
//! A thread declares its visibility (see [`ThreadVisibility`]); its posts,
//! comments and reactions have none of their own. The rule is one SQL
//! predicate in the store, applied inside every query that reads threads
//! or posts for someone (feed, search, thread page, API), so a narrowing
//! takes effect everywhere in the same instant. Someone who may not see a
//! thread gets 404 for it and anything in it, never 403: the answer must
//! not say that it exists. Admins have no special sight of threads; they
//! and programme managers see reported items through the moderation queue.
//!
//! # Notifying authors
//! A comment or reaction by someone else schedules one pending
//! notification for the post's author (the `thread_digests` key allows one
//! per author) and queues its job [`DIGEST_DELAY_MS`] later; the job counts
//! what arrived meanwhile and leaves one in-app notification. So an author
//! hears at most once per window, however busy their threads are, and the
//! notification names no content (nothing to leak once a thread narrows).

use crate::lists::{ListQuery, Page};
use crate::{markdown, App, AppError, AppResult};
use rapport_domain::person::NotificationKind;
use rapport_domain::policy::Actor;
use rapport_domain::threads::{LinkKind, PostKind, ReactionKind, ThreadVisibility};
use rapport_domain::{
    GoalId, PersonId, PostId, ProgrammeId, RoadmapStepId, SessionId, ThreadCommentId, ThreadId,
};
use rapport_store::fulltext::{search_terms, DocKind};
use rapport_store::{PostFilter, PostRecord, ThreadCommentRecord, ThreadRecord, Tx};
use serde::Serialize;
use uuid::Uuid;

/// How long after a response its author's notification waits.
pub const DIGEST_DELAY_MS: i64 = 15 * 60_000;
/// The job kind that leaves one author's notification.
pub const DIGEST_JOB: &str = "thread_digest";
/// The longest title.
const TITLE_MAX: usize = 120;

/// What a person asks for when starting or changing a thread.
#[derive(Clone, Debug, Default)]
pub struct ThreadInput {
    /// The title.
    pub title: String,
    /// A [`ThreadVisibility`] code.
    pub visibility: String,
    /// The programme's slug, for `programme` visibility.
    pub programme: Option<String>,
}

/// What a person writes in a post.
#[derive(Clone, Debug, Default)]
pub struct PostInput {
    /// A [`PostKind`] code.
    pub kind: String,
    /// Markdown.
    pub body: String,
    /// A [`LinkKind`] code, with `link_id`.
    pub link_kind: Option<String>,
    /// The goal's, session's or roadmap step's id.
    pub link_id: Option<Uuid>,
}

/// Which posts the feed shows.
#[derive(Clone, Debug, Default)]
pub struct FeedInput {
    /// A programme's slug: posts from threads shared with it.
    pub programme: Option<String>,
    /// A [`PostKind`] code.
    pub kind: Option<String>,
    /// Only people the reader follows.
    pub following: bool,
}

/// A thread as one reader sees it.
#[derive(Clone, Debug, Serialize)]
pub struct ThreadView {
    /// The stored thread.
    #[serde(skip)]
    pub record: ThreadRecord,
    /// The reader writes it.
    pub mine: bool,
    /// The programme it is shared with, by name.
    pub programme: Option<String>,
}

/// A reaction's tally on a post.
#[derive(Clone, Debug, Serialize)]
pub struct ReactionTally {
    /// Which.
    pub kind: ReactionKind,
    /// Its words.
    pub label: &'static str,
    /// How many gave it.
    pub count: i64,
    /// The reader gave it.
    pub mine: bool,
}

/// A comment as one reader sees it.
#[derive(Clone, Debug, Serialize)]
pub struct CommentView {
    /// The stored comment.
    #[serde(skip)]
    pub record: ThreadCommentRecord,
    /// Its body rendered; none when hidden from this reader.
    pub html: Option<String>,
    /// The reader wrote it.
    pub mine: bool,
    /// Why a moderator hid it (shown to its author).
    pub hidden_reason: Option<String>,
}

/// A post as one reader sees it.
#[derive(Clone, Debug, Serialize)]
pub struct PostView {
    /// The stored post.
    #[serde(skip)]
    pub record: PostRecord,
    /// The body rendered by the one Markdown renderer.
    pub html: String,
    /// The reader wrote it.
    pub mine: bool,
    /// Reactions, every kind, in the fixed order.
    pub reactions: Vec<ReactionTally>,
    /// Comments, oldest first; replies follow their parent.
    pub comments: Vec<CommentView>,
}

/// One thing a search found.
#[derive(Clone, Debug)]
pub enum Found {
    /// A thread whose title matches.
    Thread(ThreadView),
    /// A post that matches.
    Post(PostView),
    /// A roadmap whose title, summary or step titles match.
    Roadmap(crate::roadmaps::RoadmapSummary),
}

/// A page of search hits, by kind (each kind newest first).
#[derive(Clone, Debug, Default)]
pub struct SearchResults {
    /// Threads whose titles match.
    pub threads: Vec<ThreadView>,
    /// Posts that match.
    pub posts: Vec<PostView>,
    /// Roadmaps that match.
    pub roadmaps: Vec<crate::roadmaps::RoadmapSummary>,
}

impl SearchResults {
    /// Sorts a page's hits by kind, keeping their order.
    pub fn of(hits: Vec<Found>) -> Self {
        let mut out = Self::default();
        for h in hits {
            match h {
                Found::Thread(t) => out.threads.push(t),
                Found::Post(p) => out.posts.push(p),
                Found::Roadmap(r) => out.roadmaps.push(r),
            }
        }
        out
    }
}

fn thread_not_found() -> AppError {
    AppError::NotFound("that thread was not found".into())
}

pub(crate) fn post_not_found() -> AppError {
    AppError::NotFound("that post was not found".into())
}

pub(crate) fn comment_not_found() -> AppError {
    AppError::NotFound("that comment was not found".into())
}

fn invalid(e: rapport_domain::Invalid) -> AppError {
    AppError::Invalid(vec![e])
}

/// A Markdown body: not empty, and safe for the one renderer.
pub(crate) fn parse_body(field: &'static str, body: &str) -> AppResult<String> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid(
            field,
            "write something: it cannot be empty",
        ));
    }
    markdown::check(field, body)?;
    Ok(body.to_string())
}

fn parse_title(title: &str) -> AppResult<String> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > TITLE_MAX {
        return Err(AppError::invalid(
            "title",
            format!("give the thread a title of 1 to {TITLE_MAX} characters, like \"Learning to delegate\""),
        ));
    }
    Ok(title.to_string())
}

impl CommentView {
    fn new(record: ThreadCommentRecord, reader: PersonId) -> Self {
        let mine = record.author_id == reader;
        // A hidden comment keeps its place; only its author reads it, and why.
        let shown = record.hidden.is_none() || mine;
        Self {
            html: shown.then(|| markdown::render(&record.body)),
            hidden_reason: if mine {
                record.hidden.as_ref().map(|(_, r)| r.clone())
            } else {
                None
            },
            mine,
            record,
        }
    }
}

impl App {
    /// The thread `id` if `actor` may see it now; 404 otherwise.
    pub(crate) async fn visible_thread(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: ThreadId,
    ) -> AppResult<ThreadRecord> {
        if !tx.thread_visible_to(id, actor.person_id).await? {
            return Err(thread_not_found());
        }
        tx.thread(id).await?.ok_or_else(thread_not_found)
    }

    /// The post `id` if `actor` may see it now (its thread visible, and not
    /// hidden unless theirs); 404 otherwise.
    pub(crate) async fn visible_post(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: PostId,
    ) -> AppResult<PostRecord> {
        let post = tx.post(id).await?.ok_or_else(post_not_found)?;
        let hidden_from_me = post.hidden.is_some() && post.author_id != actor.person_id;
        if hidden_from_me
            || !tx
                .thread_visible_to(post.thread_id, actor.person_id)
                .await?
        {
            return Err(post_not_found());
        }
        Ok(post)
    }

    async fn thread_view(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        record: ThreadRecord,
    ) -> AppResult<ThreadView> {
        let programme = match record.programme_id {
            Some(p) => tx.programme(p).await?.map(|p| p.name),
            None => None,
        };
        Ok(ThreadView {
            mine: record.author_id == actor.person_id,
            programme,
            record,
        })
    }

    /// Dresses posts for a reader: rendered bodies, reaction tallies, and
    /// the comments (hidden ones kept in place without their text).
    pub(crate) async fn post_views(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        posts: Vec<PostRecord>,
    ) -> AppResult<Vec<PostView>> {
        let ids: Vec<PostId> = posts.iter().map(|p| p.id).collect();
        let tallies = tx.reactions_on(&ids, actor.person_id).await?;
        let mut comments = tx.comments_on(&ids).await?;
        Ok(posts
            .into_iter()
            .map(|p| {
                let reactions = ReactionKind::ALL
                    .iter()
                    .map(|&kind| {
                        let hit = tallies.iter().find(|t| t.0 == p.id && t.1 == kind);
                        ReactionTally {
                            kind,
                            label: kind.label(),
                            count: hit.map_or(0, |t| t.2),
                            mine: hit.is_some_and(|t| t.3),
                        }
                    })
                    .collect();
                let (mine_comments, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut comments)
                    .into_iter()
                    .partition(|c| c.post_id == p.id);
                comments = rest;
                PostView {
                    html: markdown::render(&p.body),
                    mine: p.author_id == actor.person_id,
                    reactions,
                    comments: threaded(mine_comments)
                        .into_iter()
                        .map(|c| CommentView::new(c, actor.person_id))
                        .collect(),
                    record: p,
                }
            })
            .collect())
    }

    /// Parses a thread's input: 422 naming `title`, `visibility` or
    /// `programme` (which must be one the author belongs to).
    async fn parse_thread(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        input: &ThreadInput,
    ) -> AppResult<(String, ThreadVisibility, Option<ProgrammeId>)> {
        let title = parse_title(&input.title)?;
        let visibility =
            ThreadVisibility::parse("visibility", &input.visibility).map_err(invalid)?;
        let slug = input
            .programme
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let programme =
            match (visibility, slug) {
                (ThreadVisibility::Programme, Some(slug)) => {
                    let p = tx.programme_by_slug(slug).await?;
                    match p {
                        Some(p) if actor.roles.iter().any(|(id, _)| *id == p.id) => Some(p.id),
                        _ => return Err(AppError::invalid(
                            "programme",
                            "choose a programme you belong to: share the thread with its members",
                        )),
                    }
                }
                (ThreadVisibility::Programme, None) => {
                    return Err(AppError::invalid(
                        "programme",
                        "choose the programme to share this thread with",
                    ))
                }
                _ => None,
            };
        Ok((title, visibility, programme))
    }

    /// Starts a thread.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn create_thread(&self, actor: &Actor, input: &ThreadInput) -> AppResult<ThreadView> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (title, visibility, programme_id) = self.parse_thread(&mut tx, actor, input).await?;
        let record = ThreadRecord {
            id: ThreadId::new(),
            author_id: actor.person_id,
            author_name: String::new(),
            title,
            visibility,
            programme_id,
            created_at: now,
            updated_at: now,
        };
        tx.insert_thread(&record).await?;
        let stored = tx.thread(record.id).await?.ok_or_else(thread_not_found)?;
        let view = self.thread_view(&mut tx, actor, stored).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// One thread (404 unless the actor may see it).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, thread = %id))]
    pub async fn thread(&self, actor: &Actor, id: ThreadId) -> AppResult<ThreadView> {
        let mut tx = self.store.read().await?;
        let record = self.visible_thread(&mut tx, actor, id).await?;
        self.thread_view(&mut tx, actor, record).await
    }

    /// The thread if the actor may see it and wrote it: 404, else 403.
    async fn own_thread(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: ThreadId,
    ) -> AppResult<ThreadRecord> {
        let record = self.visible_thread(tx, actor, id).await?;
        let author = record.author_id;
        only_author(record, author, actor, "thread")
    }

    /// The thread as its author sees it, for the pages that only its author
    /// may open (deleting it asks first): 404 unless visible, 403 unless
    /// theirs.
    pub async fn own_thread_view(&self, actor: &Actor, id: ThreadId) -> AppResult<ThreadView> {
        let mut tx = self.store.read().await?;
        let record = self.own_thread(&mut tx, actor, id).await?;
        self.thread_view(&mut tx, actor, record).await
    }

    /// The thread a post or comment of the actor's own is in, for the pages
    /// that ask before deleting it (they ask only someone the delete would
    /// let through): 404 unless visible, 403 unless theirs.
    pub async fn own_thread_item(
        &self,
        actor: &Actor,
        target: rapport_domain::threads::Moderated,
        id: Uuid,
    ) -> AppResult<ThreadId> {
        use rapport_domain::threads::Moderated;
        let mut tx = self.store.read().await?;
        let post = match target {
            Moderated::Post => self.own_post(&mut tx, actor, PostId(id)).await?,
            Moderated::Comment => {
                let c = self
                    .own_comment(&mut tx, actor, ThreadCommentId(id))
                    .await?;
                self.visible_post(&mut tx, actor, c.post_id).await?
            }
        };
        Ok(post.thread_id)
    }

    /// The author renames a thread or changes who sees it; a narrowing
    /// applies at once to every post, comment and reaction in it.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, thread = %id))]
    pub async fn update_thread(
        &self,
        actor: &Actor,
        id: ThreadId,
        input: &ThreadInput,
    ) -> AppResult<ThreadView> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let mut record = self.own_thread(&mut tx, actor, id).await?;
        let (title, visibility, programme_id) = self.parse_thread(&mut tx, actor, input).await?;
        record.title = title;
        record.visibility = visibility;
        record.programme_id = programme_id;
        record.updated_at = now;
        tx.update_thread(&record).await?;
        let view = self.thread_view(&mut tx, actor, record).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// The author deletes a thread with everything in it.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, thread = %id))]
    pub async fn delete_thread(&self, actor: &Actor, id: ThreadId) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        self.own_thread(&mut tx, actor, id).await?;
        tx.delete_thread(id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One page of the threads the actor may see, newest first; only
    /// `author`'s when given (the actor's own: "my threads").
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn threads(
        &self,
        actor: &Actor,
        author: Option<PersonId>,
        list: &ListQuery,
    ) -> AppResult<Page<ThreadView>> {
        let (start, limit) = list.window()?;
        let mut tx = self.store.read().await?;
        let page = tx
            .threads_page(actor.person_id, author, start, limit)
            .await?;
        let mut items = Vec::with_capacity(page.items.len());
        for t in page.items {
            items.push(self.thread_view(&mut tx, actor, t).await?);
        }
        Ok(Page {
            items,
            next: page.next,
            prev: page.prev,
        })
    }

    /// One page of a thread's posts, newest first (404 unless visible).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, thread = %id))]
    pub async fn thread_posts(
        &self,
        actor: &Actor,
        id: ThreadId,
        list: &ListQuery,
    ) -> AppResult<Page<PostView>> {
        let (start, limit) = list.window()?;
        let mut tx = self.store.read().await?;
        self.visible_thread(&mut tx, actor, id).await?;
        let filter = PostFilter {
            thread: Some(id),
            ..PostFilter::default()
        };
        let page = tx
            .posts_page(actor.person_id, &filter, start, limit)
            .await?;
        let items = self.post_views(&mut tx, actor, page.items).await?;
        Ok(Page {
            items,
            next: page.next,
            prev: page.prev,
        })
    }

    /// Checks a post's link: a goal, session or roadmap step the author can
    /// see now
    /// (422 naming `link_id` otherwise, without saying whether it exists).
    async fn parse_link(
        &self,
        actor: &Actor,
        input: &PostInput,
    ) -> AppResult<Option<(LinkKind, Uuid)>> {
        let kind = input
            .link_kind
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty());
        let (kind, id) = match (kind, input.link_id) {
            (None, None) => return Ok(None),
            (Some(_), None) => {
                return Err(AppError::invalid(
                    "link_id",
                    "give the id of the goal, session or roadmap step to link to",
                ))
            }
            (None, Some(_)) => {
                return Err(AppError::invalid(
                    "link_kind",
                    "say what the link is: goal, session or roadmap_step",
                ))
            }
            (Some(k), Some(id)) => (LinkKind::parse("link_kind", k).map_err(invalid)?, id),
        };
        let cannot_see = || {
            AppError::invalid(
                "link_id",
                "link to a goal, session or roadmap step you can see: this one is not yours to link",
            )
        };
        match kind {
            LinkKind::Goal => self.goal(actor, GoalId(id)).await.map(|_| ()),
            LinkKind::Session => self.session(actor, SessionId(id)).await.map(|_| ()),
            LinkKind::RoadmapStep => self
                .roadmap_of_step(actor, RoadmapStepId(id))
                .await
                .map(|_| ()),
        }
        .map_err(|e| match e {
            AppError::NotFound(_) | AppError::Forbidden(_) => cannot_see(),
            other => other,
        })?;
        Ok(Some((kind, id)))
    }

    /// The thread's author posts in it; 422 naming `kind`, `body`,
    /// `link_kind` or `link_id`.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, thread = %thread))]
    pub async fn create_post(
        &self,
        actor: &Actor,
        thread: ThreadId,
        input: &PostInput,
    ) -> AppResult<PostView> {
        let kind = PostKind::parse("kind", &input.kind).map_err(invalid)?;
        let body = parse_body("body", &input.body)?;
        let link = self.parse_link(actor, input).await?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let t = self.own_thread(&mut tx, actor, thread).await?;
        let record = PostRecord {
            id: PostId::new(),
            thread_id: t.id,
            thread_title: t.title,
            visibility: t.visibility,
            programme_id: t.programme_id,
            author_id: actor.person_id,
            author_name: t.author_name,
            kind,
            body,
            link,
            hidden: None,
            created_at: now,
            edited_at: None,
        };
        tx.insert_post(&record).await?;
        let mut views = self.post_views(&mut tx, actor, vec![record]).await?;
        tx.commit().await?;
        Ok(views.remove(0))
    }

    /// The post if the actor may see it and wrote it: 404, else 403.
    async fn own_post(&self, tx: &mut Tx, actor: &Actor, id: PostId) -> AppResult<PostRecord> {
        let post = self.visible_post(tx, actor, id).await?;
        let author = post.author_id;
        only_author(post, author, actor, "post")
    }

    /// The author edits a post; the earlier text is kept as a revision.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, post = %id))]
    pub async fn edit_post(
        &self,
        actor: &Actor,
        id: PostId,
        input: &PostInput,
    ) -> AppResult<PostView> {
        let kind = PostKind::parse("kind", &input.kind).map_err(invalid)?;
        let body = parse_body("body", &input.body)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let old = self.own_post(&mut tx, actor, id).await?;
        tx.edit_post(&old, kind, &body, now).await?;
        let stored = tx.post(id).await?.ok_or_else(post_not_found)?;
        let mut views = self.post_views(&mut tx, actor, vec![stored]).await?;
        tx.commit().await?;
        Ok(views.remove(0))
    }

    /// The author deletes a post with its comments and reactions.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, post = %id))]
    pub async fn delete_post(&self, actor: &Actor, id: PostId) -> AppResult<ThreadId> {
        let mut tx = self.store.write().await?;
        let post = self.own_post(&mut tx, actor, id).await?;
        tx.delete_post(id).await?;
        tx.commit().await?;
        Ok(post.thread_id)
    }

    /// The earlier texts of a post (its author only).
    pub async fn post_revisions(&self, actor: &Actor, id: PostId) -> AppResult<Vec<(i64, String)>> {
        let mut tx = self.store.read().await?;
        self.own_post(&mut tx, actor, id).await?;
        Ok(tx.revisions(id.0).await?)
    }

    /// Someone who sees a post comments on it, or replies to a top-level
    /// comment (`parent`; a reply to a reply is 422 naming `parent_id`).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, post = %post))]
    pub async fn add_comment(
        &self,
        actor: &Actor,
        post: PostId,
        body: &str,
        parent: Option<ThreadCommentId>,
    ) -> AppResult<CommentView> {
        let body = parse_body("body", body)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let p = self.visible_post(&mut tx, actor, post).await?;
        if let Some(parent) = parent {
            match tx.thread_comment(parent).await? {
                Some(c) if c.post_id == post && c.parent_id.is_none() => {}
                _ => {
                    return Err(AppError::invalid(
                        "parent_id",
                        "reply to a top-level comment of this post: comments go one level deep",
                    ))
                }
            }
        }
        let record = ThreadCommentRecord {
            id: ThreadCommentId::new(),
            post_id: post,
            parent_id: parent,
            author_id: actor.person_id,
            author_name: String::new(),
            body,
            hidden: None,
            created_at: now,
            edited_at: None,
        };
        tx.insert_thread_comment(&record).await?;
        self.tell_author(&mut tx, &p, actor, now).await?;
        let stored = tx
            .thread_comment(record.id)
            .await?
            .ok_or_else(comment_not_found)?;
        tx.commit().await?;
        Ok(CommentView::new(stored, actor.person_id))
    }

    /// The comment if the actor may see its post and wrote it: 404, else 403.
    pub(crate) async fn visible_comment(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: ThreadCommentId,
    ) -> AppResult<ThreadCommentRecord> {
        let c = tx.thread_comment(id).await?.ok_or_else(comment_not_found)?;
        self.visible_post(tx, actor, c.post_id)
            .await
            .map_err(|_| comment_not_found())?;
        if c.hidden.is_some() && c.author_id != actor.person_id {
            return Err(comment_not_found());
        }
        Ok(c)
    }

    async fn own_comment(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: ThreadCommentId,
    ) -> AppResult<ThreadCommentRecord> {
        let c = self.visible_comment(tx, actor, id).await?;
        let author = c.author_id;
        only_author(c, author, actor, "comment")
    }

    /// The author edits a comment; the earlier text is kept as a revision.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, comment = %id))]
    pub async fn edit_comment(
        &self,
        actor: &Actor,
        id: ThreadCommentId,
        body: &str,
    ) -> AppResult<CommentView> {
        let body = parse_body("body", body)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let old = self.own_comment(&mut tx, actor, id).await?;
        tx.edit_thread_comment(&old, &body, now).await?;
        let stored = tx.thread_comment(id).await?.ok_or_else(comment_not_found)?;
        tx.commit().await?;
        Ok(CommentView::new(stored, actor.person_id))
    }

    /// The author deletes a comment (with its replies).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, comment = %id))]
    pub async fn delete_comment(&self, actor: &Actor, id: ThreadCommentId) -> AppResult<PostId> {
        let mut tx = self.store.write().await?;
        let c = self.own_comment(&mut tx, actor, id).await?;
        tx.delete_thread_comment(id).await?;
        tx.commit().await?;
        Ok(c.post_id)
    }

    /// Gives a reaction; true when it is new (a repeat changes nothing).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, post = %post))]
    pub async fn react(&self, actor: &Actor, post: PostId, kind: &str) -> AppResult<bool> {
        let kind = ReactionKind::parse("kind", kind).map_err(invalid)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let p = self.visible_post(&mut tx, actor, post).await?;
        let added = tx.add_reaction(post, actor.person_id, kind, now).await?;
        if added {
            self.tell_author(&mut tx, &p, actor, now).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Takes a reaction back; true when there was one.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, post = %post))]
    pub async fn unreact(&self, actor: &Actor, post: PostId, kind: &str) -> AppResult<bool> {
        let kind = ReactionKind::parse("kind", kind).map_err(invalid)?;
        let mut tx = self.store.write().await?;
        self.visible_post(&mut tx, actor, post).await?;
        let removed = tx.remove_reaction(post, actor.person_id, kind).await?;
        tx.commit().await?;
        Ok(removed)
    }

    /// Schedules the post author's batched notification (see the module
    /// docs); nothing when the author responds to themselves.
    async fn tell_author(
        &self,
        tx: &mut Tx,
        post: &PostRecord,
        actor: &Actor,
        now: i64,
    ) -> AppResult<()> {
        if post.author_id == actor.person_id {
            return Ok(());
        }
        let run_at = now + DIGEST_DELAY_MS;
        if tx
            .schedule_thread_digest(post.author_id, now, run_at)
            .await?
        {
            tx.queue_job(DIGEST_JOB, &post.author_id.to_string(), run_at)
                .await?;
        }
        Ok(())
    }

    /// Runs one `thread_digest` job (payload: the author's id): one in-app
    /// notification counting the responses since it was scheduled.
    pub(crate) async fn run_thread_digest(&self, payload: &str) -> AppResult<()> {
        let person: PersonId = payload.parse().map_err(|e: uuid::Error| {
            AppError::internal_msg(format!("bad thread_digest payload {payload:?}: {e}"))
        })?;
        let mut tx = self.store.write().await?;
        let Some(since) = tx.take_thread_digest(person).await? else {
            tx.commit().await?;
            return Ok(());
        };
        let n = tx.responses_since(person, since).await?;
        if n > 0 {
            let subject = format!(
                "{n} new response{} to your growth threads",
                if n == 1 { "" } else { "s" }
            );
            self.notify_in_app(
                &mut tx,
                person,
                NotificationKind::Growth,
                &subject,
                "/threads",
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Follows a member whose threads the actor can see (404 otherwise, and
    /// for oneself 422 naming `id`); true when new.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, person = %person))]
    pub async fn follow(&self, actor: &Actor, person: PersonId) -> AppResult<bool> {
        if person == actor.person_id {
            return Err(AppError::invalid("id", "you cannot follow yourself"));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        if !tx.sees_threads_of(actor.person_id, person).await? {
            return Err(AppError::NotFound(
                "no threads of that person are yours to see, so you cannot follow them".into(),
            ));
        }
        let added = tx.follow_person(actor.person_id, person, now).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Stops following; true when the actor was following.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, person = %person))]
    pub async fn unfollow(&self, actor: &Actor, person: PersonId) -> AppResult<bool> {
        let mut tx = self.store.write().await?;
        let removed = tx.unfollow_person(actor.person_id, person).await?;
        tx.commit().await?;
        Ok(removed)
    }

    /// A programme's slug and name (for choosing one to share a thread with).
    pub async fn programme_slug_and_name(
        &self,
        id: ProgrammeId,
    ) -> AppResult<Option<(String, String)>> {
        let mut tx = self.store.read().await?;
        Ok(tx
            .programme(id)
            .await?
            .map(|p| (p.slug.to_string(), p.name)))
    }

    /// Whether the actor follows `person`.
    pub async fn is_following(&self, actor: &Actor, person: PersonId) -> AppResult<bool> {
        let mut tx = self.store.read().await?;
        Ok(tx.follows(actor.person_id, person).await?)
    }

    /// What a profile page offers about following `person`: `None` when the
    /// actor cannot follow them (themself, or no thread of theirs is the
    /// actor's to see, as [`App::follow`] refuses), otherwise whether the
    /// actor follows them now. Someone already followed whose threads went
    /// out of sight can still be unfollowed.
    pub async fn follow_standing(
        &self,
        actor: &Actor,
        person: PersonId,
    ) -> AppResult<Option<bool>> {
        if person == actor.person_id {
            return Ok(None);
        }
        let mut tx = self.store.read().await?;
        if tx.follows(actor.person_id, person).await? {
            return Ok(Some(true));
        }
        Ok(tx
            .sees_threads_of(actor.person_id, person)
            .await?
            .then_some(false))
    }

    /// The actor's feed: the newest posts they may see, filtered by
    /// programme, kind and the people they follow.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn feed(
        &self,
        actor: &Actor,
        input: &FeedInput,
        list: &ListQuery,
    ) -> AppResult<Page<PostView>> {
        let (start, limit) = list.window()?;
        let kind = match input
            .kind
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
        {
            Some(k) => Some(PostKind::parse("kind", k).map_err(invalid)?),
            None => None,
        };
        let mut tx = self.store.read().await?;
        let programme = match input
            .programme
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(slug) => Some(
                tx.programme_by_slug(slug)
                    .await?
                    .ok_or_else(|| AppError::invalid("programme", "no programme has that slug"))?
                    .id,
            ),
            None => None,
        };
        let filter = PostFilter {
            thread: None,
            programme,
            kind,
            followed: input.following,
        };
        let page = tx
            .posts_page(actor.person_id, &filter, start, limit)
            .await?;
        let items = self.post_views(&mut tx, actor, page.items).await?;
        Ok(Page {
            items,
            next: page.next,
            prev: page.prev,
        })
    }

    /// One page of what the actor may see that matches `q`: threads, posts
    /// and roadmaps (published ones, and their own drafts), newest first,
    /// paged by cursor. The visibility is part of the query (see
    /// `rapport_store::search`). 422 naming `q` without a word of three
    /// letters or more.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn search(&self, actor: &Actor, q: &str, list: &ListQuery) -> AppResult<Page<Found>> {
        let (start, limit) = list.window()?;
        let mut tx = self.store.read().await?;
        let terms = search_terms(tx.dialect(), q).ok_or_else(|| {
            AppError::invalid("q", "search for at least one word of three letters or more")
        })?;
        let page = tx
            .search_page(actor.person_id.0, &terms, start, limit)
            .await?;
        // The page's posts in one query, in the same transaction as the
        // page; a hit deleted meanwhile is left out.
        let ids: Vec<PostId> = page
            .items
            .iter()
            .filter(|h| h.kind == DocKind::Post)
            .map(|h| PostId(h.id))
            .collect();
        let found = tx.posts_by_ids(&ids).await?;
        let mut posts: std::collections::HashMap<PostId, PostView> = self
            .post_views(&mut tx, actor, found)
            .await?
            .into_iter()
            .map(|v| (v.record.id, v))
            .collect();
        let mut items = Vec::with_capacity(page.items.len());
        for h in &page.items {
            match h.kind {
                DocKind::Thread => {
                    if let Some(t) = tx.thread(ThreadId(h.id)).await? {
                        items.push(Found::Thread(self.thread_view(&mut tx, actor, t).await?));
                    }
                }
                DocKind::Post => items.extend(posts.remove(&PostId(h.id)).map(Found::Post)),
                DocKind::Roadmap => {
                    if let Some(r) = tx.roadmap(rapport_domain::RoadmapId(h.id)).await? {
                        items.push(Found::Roadmap(crate::roadmaps::RoadmapSummary::new(r)));
                    }
                }
                // People are found in the directory's own search, never here:
                // `search_page` joins only threads, posts and roadmaps.
                DocKind::Person => {}
            }
        }
        Ok(Page {
            items,
            next: page.next,
            prev: page.prev,
        })
    }
}

/// `item` if the actor wrote it (`author`); 403 otherwise (they may read it).
fn only_author<T>(item: T, author: PersonId, actor: &Actor, what: &str) -> AppResult<T> {
    if author != actor.person_id {
        return Err(AppError::Forbidden(format!(
            "only the {what}'s author changes or deletes it"
        )));
    }
    Ok(item)
}

/// Orders comments so each reply follows its parent (both oldest first).
fn threaded(comments: Vec<ThreadCommentRecord>) -> Vec<ThreadCommentRecord> {
    let (top, replies): (Vec<_>, Vec<_>) =
        comments.into_iter().partition(|c| c.parent_id.is_none());
    let mut out = Vec::with_capacity(top.len() + replies.len());
    for t in top {
        let id = t.id;
        out.push(t);
        out.extend(replies.iter().filter(|r| r.parent_id == Some(id)).cloned());
    }
    out
}

/// Issue 19 (H2): the growth threads part of a person's data export: the
/// threads and posts they write (private ones too: their own words), the
/// comments and reactions they gave on anyone's posts, and the people they
/// follow. Only rows the person made are read: nobody else's comments on
/// their posts, nor the posts they commented on.
pub(crate) async fn export_of(tx: &mut Tx, person: PersonId) -> AppResult<serde_json::Value> {
    let threads: Vec<serde_json::Value> = tx
        .threads_of_author(person)
        .await?
        .into_iter()
        .map(|t| {
            serde_json::json!({
                "id": t.id, "title": t.title, "visibility": t.visibility.code(),
                "programme_id": t.programme_id, "created_at": t.created_at, "updated_at": t.updated_at,
            })
        })
        .collect();
    let posts: Vec<serde_json::Value> = tx
        .posts_of_author(person)
        .await?
        .into_iter()
        .map(|p| {
            serde_json::json!({
                "id": p.id, "thread_id": p.thread_id, "kind": p.kind.code(), "body": p.body,
                "link_kind": p.link.map(|(k, _)| k.code()), "link_id": p.link.map(|(_, id)| id),
                "hidden_reason": p.hidden.map(|(_, r)| r),
                "created_at": p.created_at, "edited_at": p.edited_at,
            })
        })
        .collect();
    let comments: Vec<serde_json::Value> = tx
        .comments_of_author(person)
        .await?
        .into_iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id, "post_id": c.post_id, "parent_id": c.parent_id, "body": c.body,
                "hidden_reason": c.hidden.map(|(_, r)| r),
                "created_at": c.created_at, "edited_at": c.edited_at,
            })
        })
        .collect();
    let reactions: Vec<serde_json::Value> = tx
        .reactions_of(person)
        .await?
        .into_iter()
        .map(|(post, kind, at)| serde_json::json!({"post_id": post, "kind": kind.code(), "created_at": at}))
        .collect();
    let following: Vec<serde_json::Value> = tx
        .followees_of(person)
        .await?
        .into_iter()
        .map(|(p, at)| serde_json::json!({"person_id": p, "since": at}))
        .collect();
    Ok(serde_json::json!({
        "threads": threads,
        "posts": posts,
        "comments": comments,
        "reactions": reactions,
        "following": following,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_bodies_are_checked_naming_their_field() {
        assert!(matches!(parse_title("  "), Err(AppError::Invalid(e)) if e[0].field == "title"));
        assert!(
            matches!(parse_title(&"x".repeat(121)), Err(AppError::Invalid(e)) if e[0].field == "title")
        );
        assert_eq!(
            parse_title(" Learning to delegate ").unwrap(),
            "Learning to delegate"
        );
        assert!(
            matches!(parse_body("body", ""), Err(AppError::Invalid(e)) if e[0].field == "body")
        );
    }
}
