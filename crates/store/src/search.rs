//! One search over every kind of document a member may read (issue 19):
//! growth threads, posts and roadmaps, paged with a keyset cursor.
//!
//! # Contract
//! - Each kind's matches come from the one index ([`matches_sql`]) and are
//!   joined to their rows with that kind's visibility rule in the same
//!   query, before the `LIMIT`: threads and posts by [`visible`] (hidden
//!   posts only to their authors), roadmaps when published or the reader's
//!   own draft. So a page is always full, and nothing a reader may not see
//!   reaches the app, even as a count.
//! - The kinds are one list, newest first by `(created_at, id)`, read with
//!   the house keyset ([`crate::page`]): a cursor neither repeats nor skips a
//!   hit while documents are written meanwhile. (Relevance cannot be a
//!   keyset: a document's rank moves as the index changes.)

use crate::fulltext::{matches_sql, DocKind};
use crate::page::{bind_keyset, keyset_sql, Page, Start};
use crate::threads::visible;
use crate::{on_conn, Result, StoreError, Tx};
use sqlx::Row;
use uuid::Uuid;

/// One document that matched: which kind, its id and when it was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SearchHit {
    /// Thread, post or roadmap.
    pub kind: DocKind,
    /// Its id (a thread's, post's or roadmap's).
    pub id: Uuid,
    /// Made (ms): the list's order.
    pub created_at: i64,
}

impl Tx {
    /// One page of the threads, posts and roadmaps `reader` may see that
    /// match `terms` (from [`crate::fulltext::search_terms`]), newest first.
    pub async fn search_page(
        &mut self,
        reader: Uuid,
        terms: &str,
        start: Start,
        limit: i64,
    ) -> Result<Page<SearchHit>> {
        let d = self.dialect();
        let sql = format!(
            "SELECT * FROM (\
             SELECT 'thread' AS kind, t.id AS id, t.created_at AS created_at FROM {} m JOIN threads t ON t.id = m.doc_id WHERE {vis} \
             UNION ALL \
             SELECT 'post' AS kind, p.id AS id, p.created_at AS created_at FROM {} m JOIN thread_posts p ON p.id = m.doc_id JOIN threads t ON t.id = p.thread_id WHERE {vis} AND (p.hidden_at IS NULL OR p.author_id = $1) \
             UNION ALL \
             SELECT 'roadmap' AS kind, r.id AS id, r.created_at AS created_at FROM {} m JOIN roadmaps r ON r.id = m.doc_id WHERE (r.latest_version > 0 OR r.author_id = $1)\
             ) AS x {}",
            matches_sql(d, DocKind::Thread, 2),
            matches_sql(d, DocKind::Post, 2),
            matches_sql(d, DocKind::Roadmap, 2),
            keyset_sql(start, 3),
            vis = visible(1),
        );
        on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(reader).bind(terms);
            let q = bind_keyset!(q, start, limit);
            let rows = q.fetch_all(&mut *c).await?;
            let hits = rows.iter().map(|r| {
                let id: Uuid = r.try_get("id")?;
                let kind: String = r.try_get("kind")?;
                let kind = match kind.as_str() {
                    "thread" => DocKind::Thread,
                    "post" => DocKind::Post,
                    "roadmap" => DocKind::Roadmap,
                    other => return Err(StoreError::corrupt("fulltext_docs", Some(id.to_string()), format!("unknown kind {other}"))),
                };
                Ok(SearchHit { kind, id, created_at: r.try_get("created_at")? })
            }).collect::<Result<Vec<_>>>()?;
            Ok(Page::from_rows(start, hits, limit, |h| (h.created_at, h.id)))
        })
    }
}
