//! Growth Threads (migration 0019): threads, posts, comments, reactions,
//! revisions, reports, follows and the authors' pending notifications.
//!
//! # Visibility lives in the query
//! Every read that returns a thread, post or comment to a reader takes the
//! reader's id and applies [`visible`] in its `WHERE`, before any `LIMIT`:
//! nothing is filtered after the fact, so a page is always full and a
//! narrowed thread disappears from every list in the same instant.

use crate::decode::corrupt_row;
use crate::fulltext::DocKind;
use crate::page::{bind_keyset, keyset_sql, Page, Start};
use crate::{on_conn, Result, Tx};
use rapport_domain::threads::{LinkKind, Moderated, PostKind, ReactionKind, ThreadVisibility};
use rapport_domain::{PersonId, PostId, ProgrammeId, ThreadCommentId, ThreadId};
use sqlx::Row;
use uuid::Uuid;

/// Whether the reader bound at `$n` may see thread `t`: its author; every
/// signed-in member for `members`; anyone with a role in its programme for
/// `programme`; for `my_rooms`, anyone seated now with the author in a
/// proposed, active or paused room.
pub(crate) fn visible(n: usize) -> String {
    format!(
        "(t.author_id = ${n} OR t.visibility = 'members' \
         OR (t.visibility = 'programme' AND EXISTS (SELECT 1 FROM programme_roles vr WHERE vr.programme_id = t.programme_id AND vr.person_id = ${n})) \
         OR (t.visibility = 'my_rooms' AND EXISTS (SELECT 1 FROM room_members vme JOIN rooms vro ON vro.id = vme.room_id AND vro.status IN ('proposed', 'active', 'paused') JOIN room_members vau ON vau.room_id = vme.room_id AND vau.person_id = t.author_id AND vau.state IN ('invited', 'accepted') WHERE vme.person_id = ${n} AND vme.state IN ('invited', 'accepted'))))"
    )
}

/// A stored thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadRecord {
    /// Id.
    pub id: ThreadId,
    /// Who writes it.
    pub author_id: PersonId,
    /// Their name.
    pub author_name: String,
    /// Its title ("Learning to delegate").
    pub title: String,
    /// Who may read it.
    pub visibility: ThreadVisibility,
    /// The programme it is shared with (`programme` visibility only).
    pub programme_id: Option<ProgrammeId>,
    /// Started (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

/// A stored post, with the thread facts its readers need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostRecord {
    /// Id.
    pub id: PostId,
    /// Its thread.
    pub thread_id: ThreadId,
    /// The thread's title.
    pub thread_title: String,
    /// The thread's visibility (the post has none of its own).
    pub visibility: ThreadVisibility,
    /// The thread's programme, if shared with one.
    pub programme_id: Option<ProgrammeId>,
    /// Who wrote it (the thread's author).
    pub author_id: PersonId,
    /// Their name.
    pub author_name: String,
    /// What it is.
    pub kind: PostKind,
    /// Markdown source.
    pub body: String,
    /// What it links to, if anything.
    pub link: Option<(LinkKind, Uuid)>,
    /// Hidden by a moderator (ms), with the reason its author sees.
    pub hidden: Option<(i64, String)>,
    /// Posted (ms).
    pub created_at: i64,
    /// Last edited (ms).
    pub edited_at: Option<i64>,
}

/// A stored comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadCommentRecord {
    /// Id.
    pub id: ThreadCommentId,
    /// Its post.
    pub post_id: PostId,
    /// The comment it replies to (top-level comments have none).
    pub parent_id: Option<ThreadCommentId>,
    /// Who wrote it.
    pub author_id: PersonId,
    /// Their name.
    pub author_name: String,
    /// Markdown source.
    pub body: String,
    /// Hidden by a moderator (ms), with the reason its author sees.
    pub hidden: Option<(i64, String)>,
    /// Written (ms).
    pub created_at: i64,
    /// Last edited (ms).
    pub edited_at: Option<i64>,
}

/// A member's report of a post or comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadReportRecord {
    /// Id.
    pub id: Uuid,
    /// A post or a comment.
    pub target: Moderated,
    /// The post's or comment's id.
    pub target_id: Uuid,
    /// The post (itself, or the comment's).
    pub post_id: PostId,
    /// Who reported it.
    pub reporter_id: PersonId,
    /// Why.
    pub reason: String,
    /// When (ms).
    pub created_at: i64,
}

/// Which posts a page holds (all given filters apply).
#[derive(Clone, Debug, Default)]
pub struct PostFilter {
    /// Only this thread's.
    pub thread: Option<ThreadId>,
    /// Only from threads shared with this programme.
    pub programme: Option<ProgrammeId>,
    /// Only of this kind.
    pub kind: Option<PostKind>,
    /// Only by people the reader follows.
    pub followed: bool,
}

const THREAD_COLUMNS: &str = "t.id, t.author_id, a.name AS author_name, t.title, t.visibility, t.programme_id, t.created_at, t.updated_at";
const POST_COLUMNS: &str = "p.id, p.thread_id, t.title AS thread_title, t.visibility, t.programme_id, p.author_id, a.name AS author_name, p.kind, p.body, p.link_kind, p.link_id, p.hidden_at, p.hidden_reason, p.created_at, p.edited_at";
const COMMENT_COLUMNS: &str = "c.id, c.post_id, c.parent_id, c.author_id, a.name AS author_name, c.body, c.hidden_at, c.hidden_reason, c.created_at, c.edited_at";
const REPORT_COLUMNS: &str =
    "r.id, r.target_kind, r.target_id, r.post_id, r.reporter_id, r.reason, r.created_at";

/// The bounds every decoder here needs.
macro_rules! row_fn {
    ($name:ident -> $out:ty, $r:ident => $body:expr) => {
        fn $name<R: Row>($r: &R) -> Result<$out>
        where
            for<'a> &'a str: sqlx::ColumnIndex<R>,
            for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> Option<Uuid>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        {
            $body
        }
    };
}

fn hidden(at: Option<i64>, reason: Option<String>) -> Option<(i64, String)> {
    at.map(|at| (at, reason.unwrap_or_default()))
}

row_fn!(thread_row -> ThreadRecord, r => {
    let id: Uuid = r.try_get("id")?;
    let visibility: String = r.try_get("visibility")?;
    Ok(ThreadRecord {
        id: ThreadId(id),
        author_id: PersonId(r.try_get("author_id")?),
        author_name: r.try_get("author_name")?,
        title: r.try_get("title")?,
        visibility: ThreadVisibility::parse("visibility", &visibility)
            .map_err(|e| corrupt_row("threads", id, e))?,
        programme_id: r.try_get::<Option<Uuid>, _>("programme_id")?.map(ProgrammeId),
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
});

row_fn!(post_row -> PostRecord, r => {
    let id: Uuid = r.try_get("id")?;
    let bad = |e| corrupt_row("thread_posts", id, e);
    let visibility: String = r.try_get("visibility")?;
    let kind: String = r.try_get("kind")?;
    let link_kind: Option<String> = r.try_get("link_kind")?;
    let link_id: Option<Uuid> = r.try_get("link_id")?;
    let link = match (link_kind, link_id) {
        (Some(k), Some(id)) => Some((LinkKind::parse("link_kind", &k).map_err(bad)?, id)),
        _ => None,
    };
    Ok(PostRecord {
        id: PostId(id),
        thread_id: ThreadId(r.try_get("thread_id")?),
        thread_title: r.try_get("thread_title")?,
        visibility: ThreadVisibility::parse("visibility", &visibility).map_err(bad)?,
        programme_id: r.try_get::<Option<Uuid>, _>("programme_id")?.map(ProgrammeId),
        author_id: PersonId(r.try_get("author_id")?),
        author_name: r.try_get("author_name")?,
        kind: PostKind::parse("kind", &kind).map_err(bad)?,
        body: r.try_get("body")?,
        link,
        hidden: hidden(r.try_get("hidden_at")?, r.try_get("hidden_reason")?),
        created_at: r.try_get("created_at")?,
        edited_at: r.try_get("edited_at")?,
    })
});

row_fn!(comment_row -> ThreadCommentRecord, r => {
    Ok(ThreadCommentRecord {
        id: ThreadCommentId(r.try_get("id")?),
        post_id: PostId(r.try_get("post_id")?),
        parent_id: r.try_get::<Option<Uuid>, _>("parent_id")?.map(ThreadCommentId),
        author_id: PersonId(r.try_get("author_id")?),
        author_name: r.try_get("author_name")?,
        body: r.try_get("body")?,
        hidden: hidden(r.try_get("hidden_at")?, r.try_get("hidden_reason")?),
        created_at: r.try_get("created_at")?,
        edited_at: r.try_get("edited_at")?,
    })
});

row_fn!(report_row -> ThreadReportRecord, r => {
    let id: Uuid = r.try_get("id")?;
    let target: String = r.try_get("target_kind")?;
    let target = match target.as_str() {
        "post" => Moderated::Post,
        "comment" => Moderated::Comment,
        other => return Err(corrupt_row("thread_reports", id, format!("unknown target_kind {other}"))),
    };
    Ok(ThreadReportRecord {
        id,
        target,
        target_id: r.try_get("target_id")?,
        post_id: PostId(r.try_get("post_id")?),
        reporter_id: PersonId(r.try_get("reporter_id")?),
        reason: r.try_get("reason")?,
        created_at: r.try_get("created_at")?,
    })
});

/// `$first, $first+1, …` for `n` values.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Tx {
    /// Stores a new thread and indexes its title.
    pub async fn insert_thread(&mut self, t: &ThreadRecord) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO threads (id, author_id, title, visibility, programme_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(t.id.0).bind(t.author_id.0).bind(&t.title).bind(t.visibility.code())
                .bind(t.programme_id.map(|p| p.0)).bind(t.created_at).bind(t.updated_at)
                .execute(c).await?;
        });
        self.index_document(DocKind::Thread, t.id.0, &t.title).await
    }

    /// Changes a thread's title and visibility, and re-indexes the title.
    pub async fn update_thread(&mut self, t: &ThreadRecord) -> Result<bool> {
        let n = on_conn!(self, c => {
            sqlx::query("UPDATE threads SET title = $2, visibility = $3, programme_id = $4, updated_at = $5 WHERE id = $1")
                .bind(t.id.0).bind(&t.title).bind(t.visibility.code())
                .bind(t.programme_id.map(|p| p.0)).bind(t.updated_at)
                .execute(c).await?.rows_affected()
        });
        self.index_document(DocKind::Thread, t.id.0, &t.title)
            .await?;
        Ok(n == 1)
    }

    /// Deletes a thread with everything in it (the triggers clear the index).
    pub async fn delete_thread(&mut self, id: ThreadId) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("DELETE FROM threads WHERE id = $1").bind(id.0).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// One thread, whoever may read it (the app decides).
    pub async fn thread(&mut self, id: ThreadId) -> Result<Option<ThreadRecord>> {
        let sql = format!("SELECT {THREAD_COLUMNS} FROM threads t JOIN people a ON a.id = t.author_id WHERE t.id = $1");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(c).await?;
            row.as_ref().map(thread_row).transpose()
        })
    }

    /// Whether `reader` may see thread `id` now.
    pub async fn thread_visible_to(&mut self, id: ThreadId, reader: PersonId) -> Result<bool> {
        let sql = format!(
            "SELECT t.id FROM threads t WHERE t.id = $2 AND {}",
            visible(1)
        );
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(reader.0).bind(id.0).fetch_optional(c).await?;
            Ok(row.is_some())
        })
    }

    /// One page of the threads `reader` may see, newest first; only
    /// `author`'s when given.
    pub async fn threads_page(
        &mut self,
        reader: PersonId,
        author: Option<PersonId>,
        start: Start,
        limit: i64,
    ) -> Result<Page<ThreadRecord>> {
        let by = if author.is_some() {
            " AND t.author_id = $2"
        } else {
            ""
        };
        let first = if author.is_some() { 3 } else { 2 };
        let sql = format!(
            "SELECT * FROM (SELECT {THREAD_COLUMNS} FROM threads t JOIN people a ON a.id = t.author_id WHERE {}{by}) AS x {}",
            visible(1),
            keyset_sql(start, first, limit)
        );
        on_conn!(self, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(reader.0);
            if let Some(a) = author {
                q = q.bind(a.0);
            }
            let q = bind_keyset!(q, start);
            let rows = q.fetch_all(&mut *c).await?;
            let items = rows.iter().map(thread_row).collect::<Result<Vec<_>>>()?;
            Ok(Page::from_rows(start, items, limit, |t| (t.created_at, t.id.0)))
        })
    }

    /// Whether `reader` may see at least one of `author`'s threads.
    pub async fn sees_threads_of(&mut self, reader: PersonId, author: PersonId) -> Result<bool> {
        let sql = format!(
            "SELECT t.id FROM threads t WHERE t.author_id = $2 AND {} LIMIT 1",
            visible(1)
        );
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(reader.0).bind(author.0).fetch_optional(c).await?;
            Ok(row.is_some())
        })
    }

    /// Stores a new post and indexes its body.
    pub async fn insert_post(&mut self, p: &PostRecord) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO thread_posts (id, thread_id, author_id, kind, body, link_kind, link_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(p.id.0).bind(p.thread_id.0).bind(p.author_id.0).bind(p.kind.code()).bind(&p.body)
                .bind(p.link.map(|(k, _)| k.code())).bind(p.link.map(|(_, id)| id)).bind(p.created_at)
                .execute(c).await?;
        });
        self.index_document(DocKind::Post, p.id.0, &p.body).await
    }

    /// One post, whoever may read it (the app decides).
    pub async fn post(&mut self, id: PostId) -> Result<Option<PostRecord>> {
        Ok(self.posts_by_ids(&[id]).await?.pop())
    }

    /// The posts with these ids that exist, in no particular order, whoever
    /// may read them (the app decides): one query for a page of search hits.
    pub async fn posts_by_ids(&mut self, ids: &[PostId]) -> Result<Vec<PostRecord>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!(
            "SELECT {POST_COLUMNS} FROM thread_posts p JOIN threads t ON t.id = p.thread_id JOIN people a ON a.id = p.author_id WHERE p.id IN ({})",
            crate::params::leading(self.dialect(), ids.len())
        );
        on_conn!(self, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in ids {
                q = q.bind(id.0);
            }
            let rows = q.fetch_all(c).await?;
            rows.iter().map(post_row).collect()
        })
    }

    /// One page of the posts `reader` may see, newest first: visible
    /// threads only, and hidden posts only to their authors.
    pub async fn posts_page(
        &mut self,
        reader: PersonId,
        filter: &PostFilter,
        start: Start,
        limit: i64,
    ) -> Result<Page<PostRecord>> {
        let mut clauses = vec![
            visible(1),
            "(p.hidden_at IS NULL OR p.author_id = $1)".to_string(),
        ];
        let mut n = 2;
        let mut next = |clause: &str| {
            clauses.push(clause.replace("$?", &format!("${n}")));
            n += 1;
        };
        if filter.thread.is_some() {
            next("p.thread_id = $?");
        }
        if filter.programme.is_some() {
            next("t.programme_id = $?");
        }
        if filter.kind.is_some() {
            next("p.kind = $?");
        }
        if filter.followed {
            clauses.push("p.author_id IN (SELECT f.followee_id FROM person_follows f WHERE f.follower_id = $1)".into());
        }
        // CROSS JOIN keeps the posts as the outer loop on SQLite (PostgreSQL
        // plans it as the inner join it is): the page then walks the posts
        // newest first and stops after `limit` visible ones. Left to choose,
        // SQLite started from the 40 authors or the 160 threads and sorted
        // all 100,000 posts for every page (1.5 s; 2 ms this way).
        let sql = format!(
            "SELECT * FROM (SELECT {POST_COLUMNS} FROM thread_posts p CROSS JOIN threads t CROSS JOIN people a WHERE t.id = p.thread_id AND a.id = p.author_id AND {}) AS x {}",
            clauses.join(" AND "),
            keyset_sql(start, n, limit)
        );
        on_conn!(self, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(reader.0);
            if let Some(t) = filter.thread {
                q = q.bind(t.0);
            }
            if let Some(p) = filter.programme {
                q = q.bind(p.0);
            }
            if let Some(k) = filter.kind {
                q = q.bind(k.code());
            }
            let q = bind_keyset!(q, start);
            let rows = q.fetch_all(&mut *c).await?;
            let items = rows.iter().map(post_row).collect::<Result<Vec<_>>>()?;
            Ok(Page::from_rows(start, items, limit, |p| (p.created_at, p.id.0)))
        })
    }

    /// Replaces a post's kind and body, keeping the old body as a revision,
    /// and re-indexes it.
    pub async fn edit_post(
        &mut self,
        old: &PostRecord,
        kind: PostKind,
        body: &str,
        now: i64,
    ) -> Result<()> {
        self.keep_revision(Moderated::Post, old.id.0, &old.body, now)
            .await?;
        on_conn!(self, c => {
            sqlx::query("UPDATE thread_posts SET kind = $2, body = $3, edited_at = $4 WHERE id = $1")
                .bind(old.id.0).bind(kind.code()).bind(body).bind(now).execute(c).await?;
        });
        self.index_document(DocKind::Post, old.id.0, body).await
    }

    async fn keep_revision(
        &mut self,
        target: Moderated,
        id: Uuid,
        body: &str,
        now: i64,
    ) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO thread_revisions (id, target_kind, target_id, body, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(Uuid::new_v4()).bind(target.code()).bind(id).bind(body).bind(now).execute(c).await?;
            Ok(())
        })
    }

    /// The earlier bodies of a post or comment, oldest first.
    pub async fn revisions(&mut self, id: Uuid) -> Result<Vec<(i64, String)>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT created_at, body FROM thread_revisions WHERE target_id = $1 ORDER BY created_at, id")
                .bind(id).fetch_all(c).await?;
            rows.iter().map(|r| Ok((r.try_get("created_at")?, r.try_get("body")?))).collect()
        })
    }

    /// Deletes a post with its comments, reactions and reports.
    pub async fn delete_post(&mut self, id: PostId) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("DELETE FROM thread_posts WHERE id = $1").bind(id.0).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Hides (with a reason) or restores (`None`) a post or comment.
    pub async fn set_hidden(
        &mut self,
        target: Moderated,
        id: Uuid,
        hidden: Option<(i64, &str)>,
    ) -> Result<bool> {
        let table = match target {
            Moderated::Post => "thread_posts",
            Moderated::Comment => "thread_comments",
        };
        let sql = format!("UPDATE {table} SET hidden_at = $2, hidden_reason = $3 WHERE id = $1");
        on_conn!(self, c => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id)
                .bind(hidden.map(|(at, _)| at)).bind(hidden.map(|(_, why)| why.to_string()))
                .execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Stores a new comment.
    pub async fn insert_thread_comment(&mut self, cm: &ThreadCommentRecord) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO thread_comments (id, post_id, parent_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(cm.id.0).bind(cm.post_id.0).bind(cm.parent_id.map(|p| p.0)).bind(cm.author_id.0)
                .bind(&cm.body).bind(cm.created_at).execute(c).await?;
            Ok(())
        })
    }

    /// One comment.
    pub async fn thread_comment(
        &mut self,
        id: ThreadCommentId,
    ) -> Result<Option<ThreadCommentRecord>> {
        let sql = format!("SELECT {COMMENT_COLUMNS} FROM thread_comments c JOIN people a ON a.id = c.author_id WHERE c.id = $1");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(c).await?;
            row.as_ref().map(comment_row).transpose()
        })
    }

    /// Every comment on the given posts, oldest first.
    pub async fn comments_on(&mut self, posts: &[PostId]) -> Result<Vec<ThreadCommentRecord>> {
        if posts.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!(
            "SELECT {COMMENT_COLUMNS} FROM thread_comments c JOIN people a ON a.id = c.author_id WHERE c.post_id IN ({}) ORDER BY c.created_at, c.id",
            crate::params::leading(self.dialect(), posts.len())
        );
        on_conn!(self, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for p in posts {
                q = q.bind(p.0);
            }
            let rows = q.fetch_all(c).await?;
            rows.iter().map(comment_row).collect()
        })
    }

    /// Replaces a comment's body, keeping the old one as a revision.
    pub async fn edit_thread_comment(
        &mut self,
        old: &ThreadCommentRecord,
        body: &str,
        now: i64,
    ) -> Result<()> {
        self.keep_revision(Moderated::Comment, old.id.0, &old.body, now)
            .await?;
        on_conn!(self, c => {
            sqlx::query("UPDATE thread_comments SET body = $2, edited_at = $3 WHERE id = $1")
                .bind(old.id.0).bind(body).bind(now).execute(c).await?;
            Ok(())
        })
    }

    /// Deletes a comment with its replies.
    pub async fn delete_thread_comment(&mut self, id: ThreadCommentId) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("DELETE FROM thread_comments WHERE id = $1").bind(id.0).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Adds a reaction; false when the person had already given it (the key
    /// makes a repeat a no-op).
    pub async fn add_reaction(
        &mut self,
        post: PostId,
        person: PersonId,
        kind: ReactionKind,
        now: i64,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("INSERT INTO post_reactions (post_id, person_id, kind, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (post_id, person_id, kind) DO NOTHING")
                .bind(post.0).bind(person.0).bind(kind.code()).bind(now).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Takes a reaction back; false when there was none.
    pub async fn remove_reaction(
        &mut self,
        post: PostId,
        person: PersonId,
        kind: ReactionKind,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("DELETE FROM post_reactions WHERE post_id = $1 AND person_id = $2 AND kind = $3")
                .bind(post.0).bind(person.0).bind(kind.code()).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// `(post, kind, count, whether reader gave it)` for the given posts.
    pub async fn reactions_on(
        &mut self,
        posts: &[PostId],
        reader: PersonId,
    ) -> Result<Vec<(PostId, ReactionKind, i64, bool)>> {
        if posts.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!(
            "SELECT post_id, kind, COUNT(*) AS n, SUM(CASE WHEN person_id = $1 THEN 1 ELSE 0 END) AS mine FROM post_reactions WHERE post_id IN ({}) GROUP BY post_id, kind",
            placeholders(2, posts.len())
        );
        on_conn!(self, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(reader.0);
            for p in posts {
                q = q.bind(p.0);
            }
            let rows = q.fetch_all(c).await?;
            rows.iter().map(|r| {
                let post: Uuid = r.try_get("post_id")?;
                let kind: String = r.try_get("kind")?;
                let kind = ReactionKind::parse("kind", &kind).map_err(|e| corrupt_row("post_reactions", post, e))?;
                let mine: i64 = r.try_get("mine")?;
                Ok((PostId(post), kind, r.try_get("n")?, mine > 0))
            }).collect()
        })
    }

    /// Records a report; false when this reporter already reported it.
    pub async fn insert_thread_report(&mut self, r: &ThreadReportRecord) -> Result<bool> {
        on_conn!(self, c => {
            let done = sqlx::query("INSERT INTO thread_reports (id, target_kind, target_id, post_id, reporter_id, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (target_id, reporter_id) DO NOTHING")
                .bind(r.id).bind(r.target.code()).bind(r.target_id).bind(r.post_id.0)
                .bind(r.reporter_id.0).bind(&r.reason).bind(r.created_at).execute(c).await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Whether the post or comment `id` has been reported.
    pub async fn is_reported(&mut self, id: Uuid) -> Result<bool> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT id FROM thread_reports WHERE target_id = $1 LIMIT 1").bind(id).fetch_optional(c).await?;
            Ok(row.is_some())
        })
    }

    /// The reports a moderator sees, newest first: every one when
    /// `everything` (admins), else those on threads shared with a programme
    /// `moderator` manages.
    pub async fn thread_reports_for(
        &mut self,
        moderator: PersonId,
        everything: bool,
        limit: i64,
    ) -> Result<Vec<ThreadReportRecord>> {
        let scope = if everything {
            "TRUE"
        } else {
            "t.visibility = 'programme' AND EXISTS (SELECT 1 FROM programme_roles pr WHERE pr.programme_id = t.programme_id AND pr.person_id = $1 AND pr.role = 'manager')"
        };
        let sql = format!("SELECT {REPORT_COLUMNS} FROM thread_reports r JOIN thread_posts p ON p.id = r.post_id JOIN threads t ON t.id = p.thread_id WHERE {scope} ORDER BY r.created_at DESC, r.id LIMIT $2");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(moderator.0).bind(limit).fetch_all(c).await?;
            rows.iter().map(report_row).collect()
        })
    }

    /// Starts following; false when already following.
    pub async fn follow_person(
        &mut self,
        follower: PersonId,
        followee: PersonId,
        now: i64,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("INSERT INTO person_follows (follower_id, followee_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (follower_id, followee_id) DO NOTHING")
                .bind(follower.0).bind(followee.0).bind(now).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Stops following; false when not following.
    pub async fn unfollow_person(
        &mut self,
        follower: PersonId,
        followee: PersonId,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("DELETE FROM person_follows WHERE follower_id = $1 AND followee_id = $2")
                .bind(follower.0).bind(followee.0).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Whether `follower` follows `followee`.
    pub async fn follows(&mut self, follower: PersonId, followee: PersonId) -> Result<bool> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT created_at FROM person_follows WHERE follower_id = $1 AND followee_id = $2")
                .bind(follower.0).bind(followee.0).fetch_optional(c).await?;
            Ok(row.is_some())
        })
    }

    /// Records a pending responses notification for `author`, unless one is
    /// pending (the key allows one). True when this call made it.
    pub async fn schedule_thread_digest(
        &mut self,
        author: PersonId,
        since: i64,
        run_at: i64,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("INSERT INTO thread_digests (person_id, since, run_at) VALUES ($1, $2, $3) ON CONFLICT (person_id) DO NOTHING")
                .bind(author.0).bind(since).bind(run_at).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Removes `author`'s pending notification, returning since when it
    /// counts responses; none when there was none.
    pub async fn take_thread_digest(&mut self, author: PersonId) -> Result<Option<i64>> {
        on_conn!(self, c => {
            let row = sqlx::query("DELETE FROM thread_digests WHERE person_id = $1 RETURNING since")
                .bind(author.0).fetch_optional(c).await?;
            row.map(|r| r.try_get("since")).transpose().map_err(Into::into)
        })
    }

    /// How many comments and reactions others gave `author`'s posts since
    /// `since` (ms, inclusive).
    pub async fn responses_since(&mut self, author: PersonId, since: i64) -> Result<i64> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT (SELECT COUNT(*) FROM thread_comments c JOIN thread_posts p ON p.id = c.post_id WHERE p.author_id = $1 AND c.author_id <> $1 AND c.created_at >= $2) + (SELECT COUNT(*) FROM post_reactions r JOIN thread_posts p ON p.id = r.post_id WHERE p.author_id = $1 AND r.person_id <> $1 AND r.created_at >= $2) AS n")
                .bind(author.0).bind(since).fetch_one(c).await?;
            Ok(row.try_get("n")?)
        })
    }

    /// Every post `person` wrote, oldest first (their data export).
    pub async fn posts_of_author(&mut self, person: PersonId) -> Result<Vec<PostRecord>> {
        let sql = format!("SELECT {POST_COLUMNS} FROM thread_posts p JOIN threads t ON t.id = p.thread_id JOIN people a ON a.id = p.author_id WHERE p.author_id = $1 ORDER BY p.created_at, p.id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person.0).fetch_all(c).await?;
            rows.iter().map(post_row).collect()
        })
    }
}

// Issue 19 (H2): the rest of a person's own thread data, for their export.
// Each reads only rows `person` wrote or made; never anyone else's.
impl Tx {
    /// Every thread `person` writes, oldest first.
    pub async fn threads_of_author(&mut self, person: PersonId) -> Result<Vec<ThreadRecord>> {
        let sql = format!("SELECT {THREAD_COLUMNS} FROM threads t JOIN people a ON a.id = t.author_id WHERE t.author_id = $1 ORDER BY t.created_at, t.id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person.0).fetch_all(c).await?;
            rows.iter().map(thread_row).collect()
        })
    }

    /// Every comment `person` wrote, on anyone's post, oldest first.
    pub async fn comments_of_author(
        &mut self,
        person: PersonId,
    ) -> Result<Vec<ThreadCommentRecord>> {
        let sql = format!("SELECT {COMMENT_COLUMNS} FROM thread_comments c JOIN people a ON a.id = c.author_id WHERE c.author_id = $1 ORDER BY c.created_at, c.id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person.0).fetch_all(c).await?;
            rows.iter().map(comment_row).collect()
        })
    }

    /// Every reaction `person` gave: `(post, kind, when)`, oldest first.
    pub async fn reactions_of(
        &mut self,
        person: PersonId,
    ) -> Result<Vec<(PostId, ReactionKind, i64)>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT post_id, kind, created_at FROM post_reactions WHERE person_id = $1 ORDER BY created_at, post_id, kind")
                .bind(person.0).fetch_all(c).await?;
            rows.iter().map(|r| {
                let post: Uuid = r.try_get("post_id")?;
                let kind: String = r.try_get("kind")?;
                let kind = ReactionKind::parse("kind", &kind).map_err(|e| corrupt_row("post_reactions", post, e))?;
                Ok((PostId(post), kind, r.try_get("created_at")?))
            }).collect()
        })
    }

    /// The people `person` follows: `(followee, since)`, oldest first.
    pub async fn followees_of(&mut self, person: PersonId) -> Result<Vec<(PersonId, i64)>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT followee_id, created_at FROM person_follows WHERE follower_id = $1 ORDER BY created_at, followee_id")
                .bind(person.0).fetch_all(c).await?;
            rows.iter().map(|r| Ok((PersonId(r.try_get("followee_id")?), r.try_get("created_at")?))).collect()
        })
    }
}
