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
use crate::page::{bind_keyset, keyset_sql, Direction, Page, Start};
use crate::threads::visible;
use crate::{on_conn, Dialect, Result, StoreError, Tx, TxInner};
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

/// Posts a search walks, newest first, before it turns to the index instead.
const WALK: i64 = 1_000;

/// `ORDER BY` and `LIMIT` (and, from a cursor, the `WHERE` on the key) that
/// read `rows` rows from where `start` says, over a derived table with
/// columns `created_at` and `id`; the cursor's key is bound at `$first` and
/// `$first + 1`, as [`bind_keyset!`] binds it. An offset page reads from the
/// newest row, so it reads `offset` rows more.
fn tail(start: Start, first: usize, rows: i64) -> String {
    let (a, b) = (first, first + 1);
    match start {
        Start::Offset(offset) => {
            format!("ORDER BY created_at DESC, id LIMIT {}", rows + offset.max(0))
        }
        Start::Cursor(c) if c.direction == Direction::Older => format!(
            "WHERE created_at < ${a} OR (created_at = ${a} AND id > ${b}) ORDER BY created_at DESC, id LIMIT {rows}"
        ),
        Start::Cursor(_) => format!(
            "WHERE created_at > ${a} OR (created_at = ${a} AND id < ${b}) ORDER BY created_at, id DESC LIMIT {rows}"
        ),
    }
}

/// The rows of a query built with [`tail`], as hits.
fn hits_of<R: Row>(rows: &[R]) -> Result<Vec<SearchHit>>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    rows.iter()
        .map(|r| {
            let id: Uuid = r.try_get("id")?;
            let kind: String = r.try_get("kind")?;
            let kind = match kind.as_str() {
                "thread" => DocKind::Thread,
                "post" => DocKind::Post,
                "roadmap" => DocKind::Roadmap,
                other => {
                    return Err(StoreError::corrupt(
                        "fulltext_docs",
                        Some(id.to_string()),
                        format!("unknown kind {other}"),
                    ))
                }
            };
            Ok(SearchHit {
                kind,
                id,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

impl Tx {
    /// One page of the threads, posts and roadmaps `reader` may see that
    /// match `terms` (from [`crate::fulltext::search_terms`]), newest first.
    ///
    /// Posts are the many documents, and a common word matches most of them
    /// (every one of 100,000 posts says "delegation"): reading its matches
    /// from the index and sorting them took 0.7 s a page. So the newest
    /// [`WALK`] posts from the page's start are read first, newest first,
    /// each tested against its own text, and when that fills the page's
    /// posts, they are the newest posts that match: every post left out is
    /// older. Otherwise the word is rare there, and the matches come from the
    /// index and are sorted (few, by then). Threads and roadmaps are few and
    /// always come from the index.
    pub async fn search_page(
        &mut self,
        reader: Uuid,
        terms: &str,
        start: Start,
        limit: i64,
    ) -> Result<Page<SearchHit>> {
        let d = self.dialect();
        let vis = visible(1);
        let hidden = "(p.hidden_at IS NULL OR p.author_id = $1)";
        // The test of one post's text: the same words the index matches,
        // within the post's indexed text.
        let (test, patterns, first) = match d {
            Dialect::Sqlite => {
                let patterns: Vec<String> = terms
                    .split('"')
                    .map(str::trim)
                    .filter(|w| !w.is_empty())
                    .map(crate::like_pattern)
                    .collect();
                let test = (0..patterns.len())
                    .map(|i| format!("LOWER(p.body) LIKE ${} ESCAPE '\\'", 3 + i))
                    .collect::<Vec<_>>()
                    .join(" AND ");
                let first = 3 + patterns.len();
                (test, patterns, first)
            }
            // A scalar subquery, so PostgreSQL tests each post by its key
            // (as an EXISTS it built the whole set of matches first: 60 ms).
            Dialect::Postgres => (
                "(SELECT d.tsv @@ to_tsquery('simple', $2) FROM fulltext_docs d WHERE d.kind = 'post' AND d.doc_id = p.id)".to_string(),
                vec![],
                3,
            ),
        };
        let rows = limit + 1;
        // 1. The walk: CROSS JOIN keeps the window of posts the outer loop.
        let walk = format!(
            "SELECT * FROM (SELECT 'post' AS kind, p.id AS id, p.created_at AS created_at FROM (SELECT * FROM thread_posts {window}) AS p CROSS JOIN threads t WHERE t.id = p.thread_id AND {vis} AND {hidden} AND {test}) AS xp {page}",
            window = tail(start, first, WALK),
            page = tail(start, first, rows),
        );
        let walked = on_conn!(self, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(walk)).bind(reader).bind(terms);
            for p in &patterns {
                q = q.bind(p.as_str());
            }
            if let Start::Cursor(k) = start {
                q = q.bind(k.created_at).bind(k.id);
            }
            hits_of(&q.fetch_all(&mut *c).await?)?
        });
        let offset = match start {
            Start::Offset(o) => o.max(0),
            Start::Cursor(_) => 0,
        };
        if walked.len() as i64 >= rows + offset {
            // The posts are settled; add the threads and roadmaps that
            // match, and keep the page's rows in its order.
            let others = format!(
                "SELECT * FROM (\
                 SELECT 'thread' AS kind, t.id AS id, t.created_at AS created_at FROM {} m JOIN threads t ON t.id = m.doc_id WHERE {vis} \
                 UNION ALL \
                 SELECT 'roadmap' AS kind, r.id AS id, r.created_at AS created_at FROM {} m JOIN roadmaps r ON r.id = m.doc_id WHERE (r.latest_version > 0 OR r.author_id = $1)\
                 ) AS x {}",
                matches_sql(d, DocKind::Thread, 2),
                matches_sql(d, DocKind::Roadmap, 2),
                tail(start, 3, rows),
            );
            let mut hits = on_conn!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(others)).bind(reader).bind(terms);
                if let Start::Cursor(k) = start {
                    q = q.bind(k.created_at).bind(k.id);
                }
                hits_of(&q.fetch_all(&mut *c).await?)?
            });
            hits.extend(walked);
            let newer = matches!(start, Start::Cursor(c) if c.direction == Direction::Newer);
            hits.sort_by(|a, b| {
                let order = b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id));
                if newer {
                    order.reverse()
                } else {
                    order
                }
            });
            let hits: Vec<SearchHit> = hits
                .into_iter()
                .skip(offset as usize)
                .take(rows as usize)
                .collect();
            return Ok(Page::from_rows(start, hits, limit, |h| {
                (h.created_at, h.id)
            }));
        }
        // 2. Rare among the newest posts: everything from the index. On
        // PostgreSQL the matching posts are read first, by themselves: it
        // cannot tell how many a prefix query matches, guesses 2%, and then
        // walks every post instead (400 ms for a word in three posts).
        if d == Dialect::Postgres {
            return self.search_from_index_pg(reader, terms, start, limit).await;
        }
        let sql = format!(
            "SELECT * FROM (\
             SELECT 'thread' AS kind, t.id AS id, t.created_at AS created_at FROM {} m JOIN threads t ON t.id = m.doc_id WHERE {vis} \
             UNION ALL \
             SELECT 'post' AS kind, p.id AS id, p.created_at AS created_at FROM {} m JOIN thread_posts p ON p.id = m.doc_id JOIN threads t ON t.id = p.thread_id WHERE {vis} AND {hidden} \
             UNION ALL \
             SELECT 'roadmap' AS kind, r.id AS id, r.created_at AS created_at FROM {} m JOIN roadmaps r ON r.id = m.doc_id WHERE (r.latest_version > 0 OR r.author_id = $1)\
             ) AS x {}",
            matches_sql(d, DocKind::Thread, 2),
            matches_sql(d, DocKind::Post, 2),
            matches_sql(d, DocKind::Roadmap, 2),
            keyset_sql(start, 3),
        );
        on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(reader).bind(terms);
            let q = bind_keyset!(q, start, limit);
            let hits = hits_of(&q.fetch_all(&mut *c).await?)?;
            Ok(Page::from_rows(start, hits, limit, |h| (h.created_at, h.id)))
        })
    }

    /// [`Tx::search_page`]'s reading from the index on PostgreSQL: the ids of
    /// the matching posts, then the page over those posts, the matching
    /// threads and roadmaps.
    async fn search_from_index_pg(
        &mut self,
        reader: Uuid,
        terms: &str,
        start: Start,
        limit: i64,
    ) -> Result<Page<SearchHit>> {
        let TxInner::Postgres(c) = &mut self.inner else {
            unreachable!("called on PostgreSQL only")
        };
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT doc_id FROM fulltext_docs WHERE kind = 'post' AND tsv @@ to_tsquery('simple', $1)",
        )
        .bind(terms)
        .fetch_all(&mut **c)
        .await?;
        let sql = format!(
            "SELECT * FROM (\
             SELECT 'thread' AS kind, t.id AS id, t.created_at AS created_at FROM {} m JOIN threads t ON t.id = m.doc_id WHERE {vis} \
             UNION ALL \
             SELECT 'post' AS kind, p.id AS id, p.created_at AS created_at FROM thread_posts p CROSS JOIN threads t WHERE p.id = ANY($3) AND t.id = p.thread_id AND {vis} AND (p.hidden_at IS NULL OR p.author_id = $1) \
             UNION ALL \
             SELECT 'roadmap' AS kind, r.id AS id, r.created_at AS created_at FROM {} m JOIN roadmaps r ON r.id = m.doc_id WHERE (r.latest_version > 0 OR r.author_id = $1)\
             ) AS x {}",
            matches_sql(Dialect::Postgres, DocKind::Thread, 2),
            matches_sql(Dialect::Postgres, DocKind::Roadmap, 2),
            keyset_sql(start, 4),
            vis = visible(1),
        );
        let q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(reader)
            .bind(terms)
            .bind(ids);
        let q = bind_keyset!(q, start, limit);
        let hits = hits_of(&q.fetch_all(&mut **c).await?)?;
        Ok(Page::from_rows(start, hits, limit, |h| {
            (h.created_at, h.id)
        }))
    }
}
