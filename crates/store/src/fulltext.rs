//! Full-text search over every kind of document (migration 0019): thread
//! titles and posts, roadmaps, and people's directory entries (issue 20,
//! migration 0021), one module for all.
//!
//! # Contract
//! - Documents live in `fulltext_docs` (`kind`, `doc_id`, `body`), written
//!   by [`Tx::index_document`] in the same transaction as the document, so
//!   the index is never behind a committed write.
//! - SQLite: an external-content FTS5 table with the trigram tokenizer
//!   (partial words match anywhere in a word), kept current by triggers.
//!   PostgreSQL: a generated `tsvector` ('simple' config) with a GIN index,
//!   terms matched as prefixes. No search ranks by relevance (bm25,
//!   `ts_rank`): a rank is known only after every match is scored, so lists
//!   are newest first, an order an index walks.
//! - Callers read their own rows with their visibility rules in the same
//!   query, before any `LIMIT`, never after, and match them against the
//!   index ([`crate::Tx`]'s `search_page` for threads, posts and roadmaps;
//!   [`partial_matches_sql`] for people).
//! - [`search_terms`] turns what a person typed into the text to bind: words
//!   of at least three letters, all required; `None` when there are none.
//!   Nothing the person typed reaches the query syntax unquoted.
//! - Partial words ([`partial_terms`], [`partial_matches_sql`], people only):
//!   every word matches anywhere inside a word on both databases ("ana"
//!   finds "Mariana"). SQLite's trigram FTS5 does that already; PostgreSQL
//!   answers `LIKE '%w%'` from a pg_trgm GIN index kept for `person`
//!   documents (a partial index). The directory does not rank its matches
//!   (`crates/store/src/people.rs` says why).

use crate::{on_conn, Dialect, Result, Tx};
use uuid::Uuid;

/// The kinds of documents the index holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    /// A growth thread's title.
    Thread,
    /// A growth thread post's body.
    Post,
    /// A person's directory entry (name, skills, interests, languages, ...).
    Person,
    /// A roadmap: its newest published version's title, summary and step
    /// titles, or, while it has only a draft, the draft's (which only its
    /// author finds). A newer draft of a published roadmap is not indexed:
    /// a match on its words would tell others what the draft says.
    Roadmap,
}

impl DocKind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Thread => "thread",
            Self::Post => "post",
            Self::Person => "person",
            Self::Roadmap => "roadmap",
        }
    }
}

/// Shorter words are left out: the trigram tokenizer cannot match them.
const MIN_WORD: usize = 3;
/// At most this many words are searched for.
const MAX_WORDS: usize = 8;

/// The words of `q` to search for, lower-cased, each at least three letters.
fn words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= MIN_WORD)
        .take(MAX_WORDS)
        .map(str::to_lowercase)
        .collect()
}

/// What to bind for a search on `dialect`, or `None` when `q` has no
/// word long enough to search for.
pub fn search_terms(dialect: Dialect, q: &str) -> Option<String> {
    let words = words(q);
    if words.is_empty() {
        return None;
    }
    Some(match dialect {
        // Each word quoted as an FTS5 string (the words hold no quotes):
        // all must occur, anywhere inside a word.
        Dialect::Sqlite => words
            .iter()
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(" "),
        // Each word a prefix; all must occur.
        Dialect::Postgres => words
            .iter()
            .map(|w| format!("{w}:*"))
            .collect::<Vec<_>>()
            .join(" & "),
    })
}

/// The words of `q` the index can find (three letters or more), lower-cased.
pub fn long_words(q: &str) -> Vec<String> {
    words(q)
}

/// The words of `q` too short for the index (one or two letters), lower-cased:
/// a caller filters the index's matches by them, or scans when `q` has no
/// longer word.
pub fn short_words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| (1..MIN_WORD).contains(&w.chars().count()))
        .take(MAX_WORDS)
        .map(str::to_lowercase)
        .collect()
}

/// What to bind, in order, for [`partial_matches_sql`] on `dialect`, or
/// `None` when `q` has no word long enough. SQLite: the FTS5 phrases.
/// PostgreSQL: one `LIKE` pattern per word.
pub fn partial_terms(dialect: Dialect, q: &str) -> Option<Vec<String>> {
    let terms = search_terms(dialect, q)?;
    Some(match dialect {
        Dialect::Sqlite => vec![terms],
        Dialect::Postgres => words(q).iter().map(|w| crate::like_pattern(w)).collect(),
    })
}

/// A derived table `(doc_id, listed, body)` of the documents of `kind` in
/// which every bound word occurs anywhere inside a word, unordered; `binds`
/// is the length of [`partial_terms`]' answer, bound from placeholder
/// `$first`. `listed` and `body` let a caller
/// filter before its `LIMIT` without joining its own table first. On
/// PostgreSQL only `person` documents have the trigram index that makes
/// this fast.
pub(crate) fn partial_matches_sql(
    dialect: Dialect,
    kind: DocKind,
    first: usize,
    binds: usize,
) -> String {
    let kind = kind.code();
    match dialect {
        Dialect::Sqlite => format!(
            "(SELECT d.doc_id AS doc_id, d.listed AS listed, d.body AS body FROM fulltext CROSS JOIN fulltext_docs d WHERE fulltext MATCH ${first} AND d.seq = fulltext.rowid AND d.kind = '{kind}')"
        ),
        Dialect::Postgres => {
            let likes: String = (first..first + binds)
                .map(|n| format!(" AND d.body LIKE ${n}"))
                .collect();
            format!(
                "(SELECT d.doc_id AS doc_id, d.listed AS listed, d.body AS body FROM fulltext_docs d WHERE d.kind = '{kind}'{likes})"
            )
        }
    }
}

impl Tx {
    /// Puts `text` in the index as document `id` of `kind`, replacing what
    /// it held before.
    pub async fn index_document(&mut self, kind: DocKind, id: Uuid, text: &str) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO fulltext_docs (kind, doc_id, body) VALUES ($1, $2, $3) ON CONFLICT (kind, doc_id) DO UPDATE SET body = excluded.body")
                .bind(kind.code()).bind(id).bind(text).execute(c).await?;
            Ok(())
        })
    }

    /// Takes document `id` of `kind` out of the index (nothing if absent).
    pub async fn unindex_document(&mut self, kind: DocKind, id: Uuid) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("DELETE FROM fulltext_docs WHERE kind = $1 AND doc_id = $2")
                .bind(kind.code()).bind(id).execute(c).await?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_quoted_words_of_three_letters_or_more() {
        assert_eq!(
            search_terms(Dialect::Sqlite, "Deleg* to \"team\" OR x").as_deref(),
            Some("\"deleg\" \"team\"")
        );
        assert_eq!(
            search_terms(Dialect::Postgres, "deleg team").as_deref(),
            Some("deleg:* & team:*")
        );
        assert_eq!(search_terms(Dialect::Sqlite, "a, to & ()"), None);
    }

    #[test]
    fn partial_terms_bind_a_rank_and_a_pattern_per_word_on_postgres() {
        assert_eq!(
            partial_terms(Dialect::Postgres, "Mari 100%_x").unwrap(),
            vec!["%mari%", "%100%"]
        );
        assert_eq!(
            partial_terms(Dialect::Sqlite, "Mari").unwrap(),
            vec!["\"mari\""]
        );
        assert_eq!(short_words("Li Mari x-y"), vec!["li", "x", "y"]);
        let sql = partial_matches_sql(Dialect::Postgres, DocKind::Person, 4, 2);
        assert!(sql.contains("d.body LIKE $4 AND d.body LIKE $5"), "{sql}");
    }
}
