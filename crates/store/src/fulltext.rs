//! Full-text search over every kind of document (migration 0019): thread
//! titles, posts and roadmaps now, people later (issue 20), one module for all.
//!
//! # Contract
//! - Documents live in `fulltext_docs` (`kind`, `doc_id`, `body`), written
//!   by [`Tx::index_document`] in the same transaction as the document, so
//!   the index is never behind a committed write.
//! - SQLite: an external-content FTS5 table with the trigram tokenizer
//!   (partial words match anywhere in a word), kept current by triggers,
//!   ranked by bm25. PostgreSQL: a generated `tsvector` ('simple' config)
//!   with a GIN index, terms matched as prefixes, ranked by `ts_rank`.
//! - One query API: [`matches_sql`] is a derived table `(doc_id, rank)` of
//!   the documents of one kind that match, best first by ascending `rank`.
//!   Callers join it to their own rows and apply their visibility rules in
//!   the same query, before any `LIMIT`, never after.
//! - [`search_terms`] turns what a person typed into the text to bind: words
//!   of at least three letters, all required; `None` when there are none.
//!   Nothing the person typed reaches the query syntax unquoted.

use crate::{on_conn, Dialect, Result, Tx};
use uuid::Uuid;

/// The kinds of documents the index holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    /// A growth thread's title.
    Thread,
    /// A growth thread post's body.
    Post,
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

/// What to bind for [`matches_sql`] on `dialect`, or `None` when `q` has no
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

/// A derived table `(doc_id, rank)` of the documents of `kind` matching the
/// terms bound at placeholder `$param` (from [`search_terms`]); a lower
/// rank is a better match.
pub(crate) fn matches_sql(dialect: Dialect, kind: DocKind, param: usize) -> String {
    let kind = kind.code();
    match dialect {
        Dialect::Sqlite => format!(
            "(SELECT d.doc_id AS doc_id, fulltext.rank AS rank FROM fulltext JOIN fulltext_docs d ON d.seq = fulltext.rowid WHERE fulltext MATCH ${param} AND d.kind = '{kind}')"
        ),
        Dialect::Postgres => format!(
            "(SELECT d.doc_id AS doc_id, -ts_rank(d.tsv, to_tsquery('simple', ${param})) AS rank FROM fulltext_docs d WHERE d.kind = '{kind}' AND d.tsv @@ to_tsquery('simple', ${param}))"
        ),
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
}
