//! One search over every kind of document a member may read (issue 19):
//! growth threads, posts and roadmaps, paged with a keyset cursor.
//!
//! # Contract
//! - Each kind is read newest first with its visibility rule in the same
//!   query, before the `LIMIT`: threads and posts by [`visible`] (hidden
//!   posts only to their authors), roadmaps when published or the reader's
//!   own draft. A document matches when its indexed text (the full-text
//!   table's) holds every word: tested row by row while walking, or read
//!   from the index for a word rare among the newest posts
//!   ([`Tx::search_page`] says when). So a page is always full, and nothing
//!   a reader may not see reaches the app, even as a count.
//! - The kinds are one list, newest first by `(created_at, id)`, read with
//!   the house keyset ([`crate::page`]): a cursor neither repeats nor skips a
//!   hit while documents are written meanwhile. (Relevance cannot be a
//!   keyset: a document's rank moves as the index changes.)

use crate::fulltext::DocKind;
use crate::page::{Direction, Page, Start};
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

/// Posts a search walks first, newest first.
const FIRST_WALK: i64 = 200;

/// Posts a search walks at most, newest first, before it turns to the index.
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

/// Whether the indexed text of document `key` (an SQL expression) of `kind`
/// matches the search: on SQLite every word's `LIKE` pattern (bound from
/// `$3`), on PostgreSQL the tsquery bound at `$2`, each read by the
/// document's key, one row at a time.
fn text_matches(d: Dialect, kind: DocKind, key: &str, words: usize) -> String {
    let kind = kind.code();
    match d {
        Dialect::Sqlite => format!(
            "COALESCE((SELECT 1 FROM fulltext_docs d WHERE d.kind = '{kind}' AND d.doc_id = {key} AND {}), 0) = 1",
            likes("d.body", words)
        ),
        Dialect::Postgres => format!(
            "COALESCE((SELECT d.tsv @@ to_tsquery('simple', $2) FROM fulltext_docs d WHERE d.kind = '{kind}' AND d.doc_id = {key}), false)"
        ),
    }
}

/// Every word's `LIKE` pattern (bound from `$3`) tested on `column`.
/// SQLite's `LIKE` ignores the case of ASCII letters, as its `lower()` folds
/// only those: so no `lower()` copy of each text.
fn likes(column: &str, words: usize) -> String {
    (0..words)
        .map(|i| format!("{column} LIKE ${} ESCAPE '\\'", 3 + i))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// [`text_matches`] for the post `p` being walked. A post's indexed text is
/// its body (`Tx::insert_post` and `Tx::edit_post` index exactly that), so
/// SQLite tests the row in hand instead of looking its document up.
fn post_matches(d: Dialect, words: usize) -> String {
    match d {
        Dialect::Sqlite => likes("p.body", words),
        Dialect::Postgres => text_matches(d, DocKind::Post, "p.id", words),
    }
}

impl Tx {
    /// One page of the threads, posts and roadmaps `reader` may see that
    /// match `terms` (from [`crate::fulltext::search_terms`]), newest first.
    ///
    /// One index holds every kind, and a common word matches most of it
    /// (every one of 100,000 posts says "delegation"): reading a kind's
    /// matches from the index and sorting them took seconds a page, and even
    /// the 160 threads paid for the 100,000 posts' matches. So each kind is
    /// read newest first, testing each document's own indexed text, and
    /// stops at the page's end:
    /// - threads and roadmaps are few: all of them are walked;
    /// - posts are many: the newest [`FIRST_WALK`] from the page's start are
    ///   walked, then up to [`WALK`] when the rate of matches seen promises
    ///   to fill the page; when a walk fills the page's posts, they are the
    ///   newest that match (every post left out is older). Otherwise the
    ///   word is rare among them, and the matching posts come from the index
    ///   instead.
    ///
    /// The kinds are merged into the page here, in the list's order.
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
        let patterns: Vec<String> = match d {
            Dialect::Sqlite => terms
                .split('"')
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(crate::like_pattern)
                .collect(),
            Dialect::Postgres => vec![],
        };
        let first = 3 + patterns.len();
        let rows = limit + 1;
        let offset = match start {
            Start::Offset(o) => o.max(0),
            Start::Cursor(_) => 0,
        };
        // Threads, roadmaps, and the walk over the newest posts.
        let others = format!(
            "SELECT * FROM (SELECT * FROM (SELECT 'thread' AS kind, t.id AS id, t.created_at AS created_at FROM threads t WHERE {vis} AND {}) AS xt {page}) AS at \
             UNION ALL \
             SELECT * FROM (SELECT * FROM (SELECT 'roadmap' AS kind, r.id AS id, r.created_at AS created_at FROM roadmaps r WHERE (r.latest_version > 0 OR r.author_id = $1) AND {}) AS xr {page}) AS ar",
            text_matches(d, DocKind::Thread, "t.id", patterns.len()),
            text_matches(d, DocKind::Roadmap, "r.id", patterns.len()),
            page = tail(start, first, rows),
        );
        // CROSS JOIN keeps the window of posts the outer loop.
        let walk = |window: i64| {
            format!(
                "SELECT * FROM (SELECT 'post' AS kind, p.id AS id, p.created_at AS created_at FROM (SELECT * FROM thread_posts {window}) AS p CROSS JOIN threads t WHERE t.id = p.thread_id AND {vis} AND {hidden} AND {}) AS xp {page}",
                post_matches(d, patterns.len()),
                window = tail(start, first, window),
                page = tail(start, first, rows),
            )
        };
        let mut hits = self.hits(others, reader, terms, &patterns, start).await?;
        // The first FIRST_WALK posts tell how common the word is among what
        // the reader sees: a common word fills the page there; a word not
        // found there goes to the index at once (a rare word cost 1,000
        // posts' tests, 9 ms on PostgreSQL); a word found but not often
        // enough is walked on to WALK when, at the rate seen, that fills the
        // page (the index costs more for a word in thousands of posts: 29 ms
        // for one in 10,000 on PostgreSQL).
        let wanted = rows + offset;
        let mut walked = self
            .hits(walk(FIRST_WALK), reader, terms, &patterns, start)
            .await?;
        let seen = walked.len() as i64;
        if seen < wanted && seen > 0 && wanted * FIRST_WALK <= WALK * seen {
            walked = self
                .hits(walk(WALK), reader, terms, &patterns, start)
                .await?;
        }
        if walked.len() as i64 >= wanted {
            hits.extend(walked);
        } else {
            hits.extend(self.posts_from_index(reader, terms, start, rows).await?);
        }
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
        Ok(Page::from_rows(start, hits, limit, |h| {
            (h.created_at, h.id)
        }))
    }

    /// The hits of `sql`, which reads `$1` the reader, `$2` the terms, then
    /// the `patterns`, then (from a cursor) the cursor's key.
    async fn hits(
        &mut self,
        sql: String,
        reader: Uuid,
        terms: &str,
        patterns: &[String],
        start: Start,
    ) -> Result<Vec<SearchHit>> {
        on_conn!(self, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(reader).bind(terms);
            for p in patterns {
                q = q.bind(p.as_str());
            }
            if let Start::Cursor(k) = start {
                q = q.bind(k.created_at).bind(k.id);
            }
            hits_of(&q.fetch_all(&mut *c).await?)
        })
    }

    /// The posts `reader` may see that match `terms`, from the index, the
    /// page's `rows` of them from `start` (for a rare word). SQLite: the
    /// index's matches are the outer loop (CROSS JOIN). PostgreSQL: the
    /// matching posts' ids are read first, by themselves: it cannot tell how
    /// many a prefix query matches, guesses 2%, and otherwise walks every
    /// post (400 ms for a word in three posts).
    async fn posts_from_index(
        &mut self,
        reader: Uuid,
        terms: &str,
        start: Start,
        rows: i64,
    ) -> Result<Vec<SearchHit>> {
        let vis = visible(1);
        let hidden = "(p.hidden_at IS NULL OR p.author_id = $1)";
        match &mut self.inner {
            TxInner::Sqlite(_) => {
                let sql = format!(
                    "SELECT * FROM (SELECT 'post' AS kind, p.id AS id, p.created_at AS created_at FROM fulltext CROSS JOIN fulltext_docs d CROSS JOIN thread_posts p CROSS JOIN threads t WHERE d.seq = fulltext.rowid AND fulltext MATCH $2 AND d.kind = 'post' AND p.id = d.doc_id AND t.id = p.thread_id AND {vis} AND {hidden}) AS xp {}",
                    tail(start, 3, rows)
                );
                self.hits(sql, reader, terms, &[], start).await
            }
            TxInner::Postgres(c) => {
                let ids: Vec<Uuid> = sqlx::query_scalar(
                    "SELECT doc_id FROM fulltext_docs WHERE kind = 'post' AND tsv @@ to_tsquery('simple', $1)",
                )
                .bind(terms)
                .fetch_all(&mut **c)
                .await?;
                let sql = format!(
                    "SELECT * FROM (SELECT 'post' AS kind, p.id AS id, p.created_at AS created_at FROM thread_posts p CROSS JOIN threads t WHERE p.id = ANY($3) AND t.id = p.thread_id AND {vis} AND {hidden} AND $2 <> '') AS xp {}",
                    tail(start, 4, rows)
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(reader)
                    .bind(terms)
                    .bind(ids);
                if let Start::Cursor(k) = start {
                    q = q.bind(k.created_at).bind(k.id);
                }
                hits_of(&q.fetch_all(&mut **c).await?)
            }
        }
    }
}
