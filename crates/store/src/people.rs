//! People: accounts and profiles.

use crate::decode::corrupt_row;
use crate::fulltext::{long_words, partial_matches_sql, partial_terms, short_words, DocKind};
use crate::page::{Cursor, Direction, Page, Start, TOTAL_CAP};
use crate::{like_pattern, on_conn, Result, Tx};
use rapport_domain::person::{AccountStatus, Profile};
use rapport_domain::values::Email;
use rapport_domain::{PersonId, ProgrammeId};
use sqlx::Row;
use std::collections::HashMap;
use uuid::Uuid;

/// A stored person.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonRecord {
    /// Id.
    pub id: PersonId,
    /// Normalised email, parsed again on the way out of the database.
    pub email: Email,
    /// Invited or active.
    pub status: AccountStatus,
    /// Site admin.
    pub is_admin: bool,
    /// argon2id PHC string; none for invited people.
    pub password_hash: Option<String>,
    /// When the email was verified (ms).
    pub email_verified_at: Option<i64>,
    /// The profile.
    pub profile: Profile,
    /// Notification kinds switched off.
    pub notification_optouts: Vec<String>,
    /// Last activity (ms).
    pub last_active_at: Option<i64>,
    /// Created (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
    /// When an operator disabled the account (ms); none while it may sign in.
    pub disabled_at: Option<i64>,
}

/// A person to insert.
#[derive(Clone, Debug)]
pub struct NewPerson {
    /// Id.
    pub id: PersonId,
    /// Normalised email.
    pub email: String,
    /// Invited or active.
    pub status: AccountStatus,
    /// Site admin.
    pub is_admin: bool,
    /// Hash, if a password is set.
    pub password_hash: Option<String>,
    /// Verified at (ms), if already verified.
    pub email_verified_at: Option<i64>,
    /// Profile.
    pub profile: Profile,
    /// Now (ms).
    pub now: i64,
}

/// A directory search.
#[derive(Clone, Debug, Default)]
pub struct DirectoryQuery {
    /// Words to find in name, skills, interests, goals, department or languages.
    pub text: String,
    /// Include private profiles and invited accounts (admins).
    pub include_private: bool,
    /// Always include this person even if private (the searcher).
    pub include_self: Option<PersonId>,
    /// Page size.
    pub limit: i64,
    /// Rows to skip (the older `?page=` reads); ignored when `cursor` is set.
    pub offset: i64,
    /// Where to continue, from a previous page's `next` or `prev`.
    pub cursor: Option<Cursor>,
}

/// One page of the directory, with its total.
#[derive(Clone, Debug)]
pub struct DirectoryResult {
    /// The people, in list order, with the cursors of the neighbouring pages.
    pub page: Page<PersonRecord>,
    /// Matches in all: exact for the list without words; for a search,
    /// counted up to [`TOTAL_CAP`] (`more` when there are more), or, when
    /// `estimated`, estimated from the share of matches among the newest
    /// people.
    pub total: i64,
    /// Whether more than `total` match (a count that stopped at the cap).
    pub more: bool,
    /// Whether `total` is an estimate (a search for common words).
    pub estimated: bool,
}

/// People a search walks first from the page's start, newest first: a
/// common word fills the page within them.
pub(crate) const FIRST_WALK: i64 = 300;

/// People a search walks at most from the page's start when the first walk
/// found the words, but not often enough to fill the page; when this walk
/// does not fill it either, the words are rare and the full-text index
/// finds them.
pub(crate) const WALK: i64 = 2_000;

/// A value bound to a directory statement (and, as `plans::Arg`, to the
/// plan test's hot queries).
#[derive(Clone, Debug, PartialEq)]
pub enum Bind {
    /// Text: a pattern or the index's terms.
    Text(String),
    /// An id.
    Id(Uuid),
    /// A number: a cursor's key.
    Int(i64),
}

/// One directory statement and its values, in placeholder order.
#[derive(Clone, Debug)]
pub(crate) struct Stmt {
    /// The SQL.
    pub sql: String,
    /// The values.
    pub binds: Vec<Bind>,
    /// Placeholders taken before `binds` (bound by the caller first).
    before: usize,
}

impl Stmt {
    fn new() -> Self {
        Self::after(0)
    }

    /// A statement whose first `before` placeholders the caller binds.
    fn after(before: usize) -> Self {
        Self {
            sql: String::new(),
            binds: vec![],
            before,
        }
    }

    /// Binds `b` and answers its placeholder.
    fn arg(&mut self, b: Bind) -> String {
        self.binds.push(b);
        format!("${}", self.before + self.binds.len())
    }

    /// `ORDER BY` and `LIMIT` reading `rows` rows from `start`, newest first
    /// by `(k, id)` of a derived table (an offset page reads its offset
    /// more, from the top), and for a cursor the `WHERE` on the key. The
    /// bound is written `k <= $a AND (...)` so either database seeks its
    /// index to the key.
    fn tail(&mut self, start: Start, rows: i64) -> String {
        match start {
            Start::Offset(o) => format!("ORDER BY k DESC, id LIMIT {}", rows + o.max(0)),
            Start::Cursor(c) => {
                let a = self.arg(Bind::Int(c.created_at));
                let b = self.arg(Bind::Id(c.id));
                match c.direction {
                    Direction::Older => format!(
                        "WHERE k <= {a} AND (k < {a} OR id > {b}) ORDER BY k DESC, id LIMIT {rows}"
                    ),
                    Direction::Newer => format!(
                        "WHERE k >= {a} AND (k > {a} OR id < {b}) ORDER BY k, id DESC LIMIT {rows}"
                    ),
                }
            }
        }
    }

    fn bind<'q, DB: sqlx::Database>(
        &'q self,
        q: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    ) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
    where
        String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        Uuid: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        bind_all(q, &self.binds)
    }
}

/// `q` with `values` bound in order.
pub(crate) fn bind_all<'q, DB: sqlx::Database>(
    mut q: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    values: &[Bind],
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
where
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Uuid: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    for b in values {
        q = match b {
            Bind::Text(t) => q.bind(t.clone()),
            Bind::Id(id) => q.bind(*id),
            Bind::Int(n) => q.bind(*n),
        };
    }
    q
}

/// The directory's statements for one query. Every list is newest first by
/// `(created_at, id)`, read with the house keyset; each statement answers
/// `id` and `k` (the creation time) of the people it finds.
///
/// A search is not ranked: a rank (bm25, ts_rank) is known only after every
/// match is scored, and a common word matches thousands (19 ms for a page
/// of "coaching" among 10,000 people, where the target is well under 1 ms of
/// the server's time). Newest first is an order an index walks, so a page
/// of a common word stops after a few hundred people, and a rare word comes
/// from the full-text index.
pub(crate) struct DirectorySql {
    dialect: crate::Dialect,
    /// `LIKE` patterns of every word, tested on `search_text` in a walk.
    patterns: Vec<String>,
    /// The full-text index's terms for the words of three letters or more
    /// ([`partial_terms`]); none when the search has no such word.
    terms: Option<Vec<String>>,
    /// `LIKE` patterns of the words too short for the index.
    short: Vec<String>,
    /// The searcher, who always finds themself; none for admins, who see
    /// everyone.
    me: Option<Uuid>,
}

impl DirectorySql {
    pub(crate) fn new(dialect: crate::Dialect, q: &DirectoryQuery) -> Self {
        let short: Vec<String> = short_words(&q.text)
            .iter()
            .map(|w| like_pattern(w))
            .collect();
        let patterns = long_words(&q.text)
            .iter()
            .map(|w| like_pattern(w))
            .chain(short.iter().cloned())
            .collect();
        Self {
            dialect,
            patterns,
            terms: partial_terms(dialect, &q.text),
            short,
            me: if q.include_private {
                None
            } else {
                Some(q.include_self.map(|p| p.0).unwrap_or_else(Uuid::nil))
            },
        }
    }

    /// Whether the query has words to search for.
    pub(crate) fn searching(&self) -> bool {
        !self.patterns.is_empty()
    }

    /// Who the directory shows of the people aliased `p` (with `id`,
    /// `status` and `visibility`), as ` AND …`: members see listed people
    /// (active, profile visible to members) and themselves.
    fn visible(&self, s: &mut Stmt, p: &str) -> String {
        match self.me {
            None => String::new(),
            Some(me) => {
                let me = s.arg(Bind::Id(me));
                format!(
                    " AND ({p}.status = 'active' AND {p}.visibility = 'members' OR {p}.id = {me})"
                )
            }
        }
    }

    /// Every word tested on `column`.
    fn likes(&self, s: &mut Stmt, column: &str, patterns: &[String]) -> String {
        patterns
            .iter()
            .map(|p| {
                let n = s.arg(Bind::Text(p.clone()));
                format!(" AND {column} LIKE {n} ESCAPE '\\'")
            })
            .collect()
    }

    /// The list without words: `rows` people from `start`.
    pub(crate) fn list(&self, start: Start, rows: i64) -> Stmt {
        let mut s = Stmt::new();
        let vis = self.visible(&mut s, "p");
        let tail = s.tail(start, rows);
        s.sql = format!(
            "SELECT id, k FROM (SELECT p.id AS id, p.created_at AS k FROM people p WHERE 1 = 1{vis}) w {tail}"
        );
        s
    }

    /// The first `rows` matches among the `window` people from `start`, in
    /// list order. The window is every person, whoever may see them: its
    /// plan (the newest `window` of `people_directory_walk_idx`, read alone)
    /// then never rests on how many people the planner guesses are visible
    /// (PostgreSQL, guessing from statistics older than an import's
    /// activations, sorted every person instead). Visibility and the words
    /// are tested on each, and the walk stops at the `rows`th match: the
    /// outer `LIMIT` takes the window's rows in the order the inner query
    /// yields them, which is the list's.
    ///
    /// On PostgreSQL each match comes with its place in the window (`n`:
    /// how many people, visible or not, lie from `start` to it, itself
    /// included) and everyone's count (`everyone`, the directory's
    /// counter): when the walk fills the page, the matches' share of the
    /// people passed estimates the total with no statement more (each is a
    /// round trip; they were two, [`DirectorySql::span`] and the counter).
    /// SQLite, whose statements are no round trip but which sorts a
    /// window's rows into a temporary table (three times the walk's time),
    /// counts them apart.
    pub(crate) fn walk(&self, start: Start, window: i64, rows: i64) -> Stmt {
        let mut s = Stmt::new();
        let tail = s.tail(start, window);
        let rows = match start {
            Start::Offset(o) => rows + o.max(0),
            Start::Cursor(_) => rows,
        };
        let walk = match self.dialect {
            // Each person's test is a column (`hit`) computed as the window
            // reads them, so the rows numbered are narrow: numbering rows
            // that carried the search text cost a sixth of the statement
            // (pgbench, 10,000 people: 0.305 → 0.265 ms for "maria"). They
            // are numbered in the order the window yields them, the list's
            // (`OVER ()`: no sort, and no peer test on each).
            crate::Dialect::Postgres => {
                let vis = self.visible(&mut s, "p");
                let likes = self.likes(&mut s, "p.search_text", &self.patterns);
                format!(
                    "SELECT id, k, n, (SELECT people FROM directory_size WHERE one = 1) AS everyone FROM (SELECT v.id, v.k, v.hit, row_number() OVER () AS n FROM (SELECT * FROM (SELECT p.id AS id, p.created_at AS k, TRUE{vis}{likes} AS hit FROM people p) w {tail}) v) x WHERE x.hit LIMIT {rows}"
                )
            }
            crate::Dialect::Sqlite => {
                let vis = self.visible(&mut s, "x");
                let likes = self.likes(&mut s, "x.t", &self.patterns);
                format!(
                    "SELECT id, k, NULL AS n, NULL AS everyone FROM (SELECT * FROM (SELECT p.id AS id, p.created_at AS k, p.status AS status, p.visibility AS visibility, p.search_text AS t FROM people p) w {tail}) x WHERE 1 = 1{vis}{likes} LIMIT {rows}"
                )
            }
        };
        // The matches' own rows come with them: when the walk fills the
        // page, the page is read (a statement less on a common word).
        s.sql = format!(
            "SELECT m.k AS k, m.n AS n, m.everyone AS everyone, {} FROM ({walk}) m JOIN people p ON p.id = m.id",
            person_columns_of("p")
        );
        s
    }

    /// How many people, visible or not, lie from `start` (after a cursor's
    /// key, or from the top) to `last` (included), the last match a walk
    /// took, in list order (`n`): the matches' share of them estimates the
    /// total. Reading newer, `last` is the newest match and the people lie
    /// from it to the cursor's key.
    ///
    /// Counted as index ranges: the people strictly between the two times,
    /// and those sharing each end's time on the right side of its id. (An
    /// import gives thousands of people one time: a single condition on
    /// `(created_at, id)` read every one of them.)
    ///
    /// SQLite only, with everyone's count (`everyone`) in the same
    /// statement: PostgreSQL's walk numbers its rows itself (see
    /// [`DirectorySql::walk`]), but SQLite sorts a window's rows into a
    /// temporary table, which made its walk three times slower.
    pub(crate) fn span(&self, start: Start, last: (i64, Uuid)) -> Stmt {
        let mut s = Stmt::new();
        // `(time, id, included)` of the newer end and the older end.
        let (newer, older) = match start {
            Start::Offset(_) => (None, (last, true)),
            Start::Cursor(c) => match c.direction {
                Direction::Older => (Some(((c.created_at, c.id), false)), (last, true)),
                Direction::Newer => (Some((last, true)), ((c.created_at, c.id), false)),
            },
        };
        let count = |cond: String| format!("(SELECT COUNT(*) FROM people p WHERE {cond})");
        let ((ok, oid), o_in) = older;
        let ok_ = s.arg(Bind::Int(ok));
        let oid_ = s.arg(Bind::Id(oid));
        // Ids sort ascending within a time: the older end's side is up to
        // its id.
        let o_cmp = if o_in { "<=" } else { "<" };
        s.sql = match newer {
            None => format!(
                "SELECT {} + {} AS n",
                count(format!("p.created_at > {ok_}")),
                count(format!("p.created_at = {ok_} AND p.id {o_cmp} {oid_}")),
            ),
            Some(((nk, nid), n_in)) => {
                let nk_ = s.arg(Bind::Int(nk));
                let nid_ = s.arg(Bind::Id(nid));
                let n_cmp = if n_in { ">=" } else { ">" };
                if nk == ok {
                    format!(
                        "SELECT {} AS n",
                        count(format!(
                            "p.created_at = {ok_} AND p.id {n_cmp} {nid_} AND p.id {o_cmp} {oid_}"
                        ))
                    )
                } else {
                    format!(
                        "SELECT {} + {} + {} AS n",
                        count(format!("p.created_at > {ok_} AND p.created_at < {nk_}")),
                        count(format!("p.created_at = {nk_} AND p.id {n_cmp} {nid_}")),
                        count(format!("p.created_at = {ok_} AND p.id {o_cmp} {oid_}")),
                    )
                }
            }
        };
        s.sql = s.sql.replacen(
            "SELECT ",
            "SELECT (SELECT people FROM directory_size WHERE one = 1) AS everyone, ",
            1,
        );
        s
    }

    /// The full-text index's matches, for words too rare to walk to: the
    /// derived table `m` (`doc_id`, `listed`, `body`) and the conditions on
    /// it (` AND …`: the short words, the visibility rule). `None` when the
    /// search has no word of three letters.
    fn indexed(&self, s: &mut Stmt) -> Option<(String, String)> {
        let terms = self.terms.as_ref()?;
        let first = s.before + s.binds.len() + 1;
        for t in terms {
            s.arg(Bind::Text(t.clone()));
        }
        let m = partial_matches_sql(self.dialect, DocKind::Person, first, terms.len());
        let mut filter = self.likes(s, "m.body", &self.short);
        if let Some(me) = self.me {
            let me = s.arg(Bind::Id(me));
            filter.push_str(&format!(" AND (m.listed OR m.doc_id = {me})"));
        }
        Some((m, filter))
    }

    /// For a rare word: the ids of every match from the index, by
    /// themselves and once (`m`), their count (`n`), and `rows` of their
    /// people from `start` with each one's row (a single row with only `n`
    /// when none is on the page). One statement, and one search of the
    /// index: a rare word's search was three statements (PostgreSQL: the
    /// ids, the page among them and its people, each a round trip) or four
    /// (SQLite: the count and the page each searched the index, 0.4 ms
    /// apiece at 10,000 people, and then the page's people).
    ///
    /// The matches reach `people` differently: PostgreSQL cannot tell how
    /// many a `LIKE` on the trigram index matches, and joined to people
    /// directly, or through `IN`, it walked them all, so the ids go to
    /// people as an array, one key lookup each; SQLite takes them as the
    /// outer loop of a join (`CROSS JOIN` keeps that order).
    pub(crate) fn index_page(&self, start: Start, rows: i64) -> Option<Stmt> {
        let mut s = Stmt::new();
        let (m, filter) = self.indexed(&mut s)?;
        let tail = s.tail(start, rows);
        let matched = match self.dialect {
            crate::Dialect::Postgres => "people p WHERE p.id = ANY(ARRAY(SELECT id FROM m))",
            crate::Dialect::Sqlite => "m CROSS JOIN people p WHERE p.id = m.id",
        };
        s.sql = format!(
            "WITH m AS MATERIALIZED (SELECT m.doc_id AS id FROM {m} m WHERE 1 = 1{filter}) SELECT c.n AS n, f.k AS k, {} FROM (SELECT COUNT(*) AS n FROM m) c LEFT JOIN (SELECT id, k FROM (SELECT p.id AS id, p.created_at AS k FROM {matched}) f {tail}) f ON TRUE LEFT JOIN people p ON p.id = f.id",
            person_columns_of("p")
        );
        Some(s)
    }

    /// The matches of a search whose words are all too short for the
    /// full-text index, counted up to [`TOTAL_CAP`] + 1 (`n`) by walking
    /// (the `LIMIT` bounds it).
    pub(crate) fn count(&self) -> Stmt {
        let mut s = Stmt::new();
        let vis = self.visible(&mut s, "p");
        let likes = self.likes(&mut s, "p.search_text", &self.patterns);
        s.sql = format!(
            "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM people p WHERE 1 = 1{vis}{likes} LIMIT {}) c",
            TOTAL_CAP + 1
        );
        s
    }

    /// The directory's size: everyone (`everyone`), and as this reader
    /// sees it (`n`): everyone for an admin; otherwise the listed people,
    /// and the reader when unlisted.
    pub(crate) fn size(&self) -> Stmt {
        let mut s = Stmt::new();
        s.sql = match self.me {
            None => {
                "SELECT people AS everyone, people AS n FROM directory_size WHERE one = 1".into()
            }
            Some(me) => {
                let me = s.arg(Bind::Id(me));
                format!("SELECT people AS everyone, listed + (SELECT COUNT(*) FROM fulltext_docs d WHERE d.kind = 'person' AND d.doc_id = {me} AND NOT d.listed) AS n FROM directory_size WHERE one = 1")
            }
        };
        s
    }
}

/// One match of a walk: its key, its row, and on PostgreSQL its place in
/// the walk (1 for the first person walked past) and everyone's count.
struct Walked {
    key: i64,
    place: Option<i64>,
    everyone: Option<i64>,
    person: PersonRecord,
}

/// Sorts `items` by their `(created_at, id)` keys in the order a page reads
/// them: newest first, or oldest first when reading `newer`.
fn reading_order<T>(items: &mut [T], newer: bool, key: impl Fn(&T) -> (i64, Uuid)) {
    items.sort_by_key(|item| {
        let (k, id) = key(item);
        (std::cmp::Reverse(k), id)
    });
    if newer {
        items.reverse();
    }
}

/// `n` to two significant figures: an estimate says no more than it knows.
fn rounded(n: i64) -> i64 {
    let mut scale = 1;
    while n / scale >= 100 {
        scale *= 10;
    }
    (n + scale / 2) / scale * scale
}

pub(crate) const PERSON_COLUMNS: &str = "id, email, status, is_admin, password_hash, email_verified_at, profile, notification_optouts, last_active_at, created_at, updated_at, disabled_at";

/// [`PERSON_COLUMNS`] of the table aliased `alias`, for a join.
pub(crate) fn person_columns_of(alias: &str) -> String {
    PERSON_COLUMNS
        .split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn search_text(email: &str, p: &Profile) -> String {
    let mut s = format!("{} {} {} {} ", p.name, email, p.department, p.level.label());
    for list in [
        &p.skills_offered,
        &p.skills_wanted,
        &p.interests,
        &p.goal_tags,
        &p.languages,
    ] {
        s.push_str(&list.join(" | "));
        s.push(' ');
    }
    s.push_str(&p.time_zone);
    s.to_lowercase()
}

pub(crate) fn decode<R: Row>(row: &R) -> Result<PersonRecord>
where
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> Uuid: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let status: String = row.try_get("status")?;
    let profile: String = row.try_get("profile")?;
    let optouts: String = row.try_get("notification_optouts")?;
    let id = PersonId(row.try_get("id")?);
    let email: String = row.try_get("email")?;
    Ok(PersonRecord {
        id,
        email: Email::parse("email", &email).map_err(|e| corrupt_row("people", id, e))?,
        status: match status.as_str() {
            "invited" => AccountStatus::Invited,
            "active" => AccountStatus::Active,
            other => {
                return Err(corrupt_row(
                    "people",
                    id,
                    format!("unknown account status {other}"),
                ))
            }
        },
        is_admin: row.try_get("is_admin")?,
        password_hash: row.try_get("password_hash")?,
        email_verified_at: row.try_get("email_verified_at")?,
        profile: serde_json::from_str(&profile)
            .map_err(|e| corrupt_row("people", id, format!("profile: {e}")))?,
        notification_optouts: optouts
            .split(',')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        last_active_at: row.try_get("last_active_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        disabled_at: row.try_get("disabled_at")?,
    })
}

fn status_code(s: AccountStatus) -> &'static str {
    match s {
        AccountStatus::Invited => "invited",
        AccountStatus::Active => "active",
    }
}

/// Whether a person's index entry is listed in the directory, read from
/// their row: active accounts with a profile visible to members.
const LIST_PERSON: &str = "UPDATE fulltext_docs SET listed = (SELECT status = 'active' AND visibility = 'members' FROM people WHERE id = $1) WHERE kind = 'person' AND doc_id = $1";

/// Ids bound in one statement by [`Tx::index_people`] (SQLite allows
/// 32,766 parameters, PostgreSQL 65,535).
const BULK_IDS: usize = 1_000;

impl Tx {
    /// Puts the directory text of `ids` (as their rows hold it, in
    /// `people.search_text`) in the full-text index (issue 20), with whether
    /// the directory lists them, in the caller's transaction: one statement
    /// for up to [`BULK_IDS`] people. On SQLite, FTS5 writes what
    /// it holds to disk whenever a statement of the transaction begins, so
    /// indexing people one statement each made a one-document segment per
    /// person, and merging those took 60% of a 100,000-person import.
    async fn index_people(&mut self, ids: &[PersonId]) -> Result<()> {
        for chunk in ids.chunks(BULK_IDS) {
            let list = (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO fulltext_docs (kind, doc_id, body, listed) SELECT 'person', id, search_text, status = 'active' AND visibility = 'members' FROM people WHERE id IN ({list}) \
                 ON CONFLICT (kind, doc_id) DO UPDATE SET body = excluded.body, listed = excluded.listed"
            );
            on_conn!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                for id in chunk {
                    q = q.bind(id.0);
                }
                q.execute(c).await.map(|_| ())
            })?;
        }
        Ok(())
    }

    /// Inserts a person. A taken email is `Conflict { constraint: "people_email_key" }`.
    pub async fn insert_person(&mut self, p: &NewPerson) -> Result<()> {
        self.insert_people(std::slice::from_ref(p)).await
    }

    /// Inserts many people (an import's batch), as [`Tx::insert_person`]
    /// would one by one, with their full-text entries written together at
    /// the end ([`Tx::index_people`]).
    /// Rows go in 500 to a statement: one at a time, an import of 100,000
    /// people was 100,000 statements, and on PostgreSQL each also fired the
    /// directory's size trigger, leaving a dead version of its counter row
    /// (issue 20).
    pub async fn insert_people(&mut self, list: &[NewPerson]) -> Result<()> {
        const ROWS: usize = 500;
        for chunk in list.chunks(ROWS) {
            let sql = format!(
                "INSERT INTO people (id, email, status, is_admin, password_hash, email_verified_at, name, level, visibility, manager_id, profile, search_text, created_at, updated_at) VALUES {}",
                crate::params::value_rows(self.dialect(), chunk.len(), 14)
            );
            let rows = chunk
                .iter()
                .map(|p| {
                    Ok((
                        serde_json::to_string(&p.profile)?,
                        search_text(&p.email, &p.profile),
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            on_conn!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (p, (profile, search)) in chunk.iter().zip(&rows) {
                    q = q.bind(p.id.0).bind(&p.email).bind(status_code(p.status)).bind(p.is_admin)
                        .bind(&p.password_hash).bind(p.email_verified_at).bind(&p.profile.name)
                        .bind(p.profile.level.code()).bind(p.profile.visibility.code())
                        .bind(p.profile.manager_id.map(|m| m.0)).bind(profile).bind(search)
                        .bind(p.now).bind(p.now);
                }
                q.execute(c).await?;
            });
        }
        let ids: Vec<PersonId> = list.iter().map(|p| p.id).collect();
        self.index_people(&ids).await
    }

    /// A person by id.
    pub async fn person(&mut self, id: PersonId) -> Result<Option<PersonRecord>> {
        let sql = format!("SELECT {PERSON_COLUMNS} FROM people WHERE id = $1");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(c).await?;
            row.as_ref().map(decode).transpose()
        })
    }

    /// Everyone enrolled in a programme (any role or status), by id: one query
    /// for the rounds and pages that would otherwise load people one at a time.
    pub async fn people_enrolled_in(
        &mut self,
        programme: ProgrammeId,
    ) -> Result<HashMap<PersonId, PersonRecord>> {
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE id IN (SELECT person_id FROM enrolments WHERE programme_id = $1)"
        );
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(programme.0).fetch_all(c).await?;
            rows.iter().map(|r| decode(r).map(|p| (p.id, p))).collect()
        })
    }

    /// The people among `emails` (normalised) who have an account, in no
    /// particular order: 500 emails a statement, where an import of 100,000
    /// rows would otherwise look each one up in a round trip of its own.
    pub async fn people_by_emails(&mut self, emails: &[&str]) -> Result<Vec<PersonRecord>> {
        const ROWS: usize = 500;
        let mut found = vec![];
        for chunk in emails.chunks(ROWS) {
            let sql = format!(
                "SELECT {PERSON_COLUMNS} FROM people WHERE email IN ({})",
                crate::params::leading(self.dialect(), chunk.len())
            );
            on_conn!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for e in chunk {
                    q = q.bind(*e);
                }
                for r in q.fetch_all(c).await? {
                    found.push(decode(&r)?);
                }
            });
        }
        Ok(found)
    }

    /// A person by normalised email.
    pub async fn person_by_email(&mut self, email: &str) -> Result<Option<PersonRecord>> {
        let sql = format!("SELECT {PERSON_COLUMNS} FROM people WHERE email = $1");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(email).fetch_optional(c).await?;
            row.as_ref().map(decode).transpose()
        })
    }

    /// Replaces a person's profile.
    pub async fn update_profile(
        &mut self,
        id: PersonId,
        email: &str,
        profile: &Profile,
        now: i64,
    ) -> Result<()> {
        let json = serde_json::to_string(profile)?;
        let search = search_text(email, profile);
        on_conn!(self, c => sqlx::query(
            "UPDATE people SET name = $2, level = $3, visibility = $4, manager_id = $5, profile = $6, search_text = $7, updated_at = $8 WHERE id = $1")
            .bind(id.0).bind(&profile.name).bind(profile.level.code()).bind(profile.visibility.code())
            .bind(profile.manager_id.map(|m| m.0)).bind(&json).bind(&search).bind(now)
            .execute(c).await.map(|r| r.rows_affected()))?;
        self.index_people(&[id]).await
    }

    /// Sets the password hash and activates the account.
    pub async fn set_password(&mut self, id: PersonId, hash: &str, now: i64) -> Result<()> {
        on_conn!(self, c => sqlx::query("UPDATE people SET password_hash = $2, status = 'active', updated_at = $3 WHERE id = $1")
            .bind(id.0).bind(hash).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
        // Active now: listed in the directory if the profile says so.
        on_conn!(self, c => sqlx::query(LIST_PERSON)
            .bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Marks the email verified (keeps the first verification time).
    pub async fn mark_email_verified(&mut self, id: PersonId, now: i64) -> Result<()> {
        on_conn!(self, c => sqlx::query("UPDATE people SET email_verified_at = COALESCE(email_verified_at, $2), updated_at = $2 WHERE id = $1")
            .bind(id.0).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Grants or removes site admin.
    pub async fn set_admin(&mut self, id: PersonId, is_admin: bool, now: i64) -> Result<()> {
        on_conn!(self, c => sqlx::query("UPDATE people SET is_admin = $2, updated_at = $3 WHERE id = $1")
            .bind(id.0).bind(is_admin).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Disables the account (`Some(now)`) or enables it again (`None`).
    /// False when it already was in that state, so a repeated command
    /// changes nothing.
    pub async fn set_disabled(
        &mut self,
        id: PersonId,
        disabled_at: Option<i64>,
        now: i64,
    ) -> Result<bool> {
        let sql = if disabled_at.is_some() {
            "UPDATE people SET disabled_at = $2, updated_at = $3 WHERE id = $1 AND disabled_at IS NULL"
        } else {
            "UPDATE people SET disabled_at = $2, updated_at = $3 WHERE id = $1 AND disabled_at IS NOT NULL"
        };
        let n = on_conn!(self, c => sqlx::query(sql)
            .bind(id.0).bind(disabled_at).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Records activity, at most once a minute per person to spare writes.
    pub async fn touch_person(&mut self, id: PersonId, now: i64) -> Result<()> {
        on_conn!(self, c => sqlx::query("UPDATE people SET last_active_at = $2 WHERE id = $1 AND (last_active_at IS NULL OR last_active_at < $3)")
            .bind(id.0).bind(now).bind(now - 60_000).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Sets the notification kinds a person has switched off.
    pub async fn set_notification_optouts(
        &mut self,
        id: PersonId,
        kinds: &[&str],
        now: i64,
    ) -> Result<()> {
        on_conn!(self, c => sqlx::query("UPDATE people SET notification_optouts = $2, updated_at = $3 WHERE id = $1")
            .bind(id.0).bind(kinds.join(",")).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Directory search: [`Tx::directory`]'s rows and total, for callers
    /// that read one page by offset.
    pub async fn search_people(&mut self, q: &DirectoryQuery) -> Result<(Vec<PersonRecord>, i64)> {
        let found = self.directory(q).await?;
        Ok((found.page.items, found.total))
    }

    /// One page of the directory, newest first ([`DirectorySql`] says why
    /// not best first). Without words, the list, counted exactly by the
    /// database's own counters. With words, each one (a partial word: "mari"
    /// finds Mariana) must occur in the person's text:
    /// - the [`FIRST_WALK`] people from the page's start are tested, newest
    ///   first, stopping at the page's end; a common word fills the page
    ///   there. One found, but not often enough, is walked on to [`WALK`]
    ///   when, at the rate seen, that fills the page. The total is then
    ///   estimated, to two figures, from the share of matches among the
    ///   people walked past (in a directory of [`FIRST_WALK`] people or
    ///   fewer, counted);
    /// - otherwise the words are rare: the full-text index finds the page
    ///   and counts the matches, up to [`TOTAL_CAP`].
    ///
    /// Private profiles and invited accounts are left out unless
    /// `include_private`; the searcher always finds themself.
    pub async fn directory(&mut self, q: &DirectoryQuery) -> Result<DirectoryResult> {
        let sql = DirectorySql::new(self.dialect(), q);
        let start = match q.cursor {
            Some(c) => Start::Cursor(c),
            None => Start::Offset(q.offset.max(0)),
        };
        let offset = match start {
            Start::Offset(o) => o,
            Start::Cursor(_) => 0,
        };
        let rows = q.limit.max(0) + 1;
        let wanted = rows + offset;
        let newer = matches!(start, Start::Cursor(c) if c.direction == Direction::Newer);
        // Reading order: newest first, or oldest first when reading newer.
        let in_order = |keys: &mut Vec<(i64, Uuid)>| reading_order(keys, newer, |&key| key);
        // People a walk read with their keys.
        let mut read: HashMap<PersonId, PersonRecord> = HashMap::new();
        let (mut keys, total, more, estimated) = if !sql.searching() {
            let (_, visible) = self.directory_size(&sql).await?;
            (
                self.keys_of(&sql.list(start, rows)).await?,
                visible,
                false,
                false,
            )
        } else {
            let mut walked = self.walk_of(&sql.walk(start, FIRST_WALK, rows)).await?;
            let seen = walked.len() as i64;
            if seen < wanted && seen > 0 && wanted * FIRST_WALK <= WALK * seen {
                walked = self.walk_of(&sql.walk(start, WALK, rows)).await?;
            }
            // In reading order: the `wanted`th is the last the page needs.
            reading_order(&mut walked, newer, |w| (w.key, w.person.id.0));
            let filled = walked.len() as i64 >= wanted;
            let (everyone, passed) = match walked.get(wanted as usize - 1) {
                Some(last) if filled => match (last.everyone, last.place) {
                    (Some(everyone), Some(place)) => (everyone, place),
                    // SQLite: counted apart.
                    _ => {
                        let last = (last.key, last.person.id.0);
                        self.span_and_everyone(&sql.span(start, last)).await?
                    }
                },
                _ => (0, 0),
            };
            let walked: Vec<(i64, Uuid)> = walked
                .into_iter()
                .map(|w| {
                    let key = (w.key, w.person.id.0);
                    read.insert(w.person.id, w.person);
                    key
                })
                .collect();
            if everyone > FIRST_WALK {
                let total = rounded(wanted * everyone / passed.max(1));
                (walked, total, false, true)
            } else {
                let walked = filled.then_some(walked);
                let (keys, n) = self
                    .directory_from_index(&sql, start, rows, walked, &mut read)
                    .await?;
                (keys, n.min(TOTAL_CAP), n > TOTAL_CAP, false)
            }
        };
        in_order(&mut keys);
        let keys: Vec<(i64, Uuid)> = keys
            .into_iter()
            .skip(offset as usize)
            .take(rows as usize)
            .collect();
        // The page's people: those a walk did not read already.
        let missing: Vec<PersonId> = keys
            .iter()
            .map(|&(_, id)| PersonId(id))
            .filter(|id| !read.contains_key(id))
            .collect();
        let mut people = read;
        if !missing.is_empty() {
            people.extend(self.people_by_ids(&missing).await?);
        }
        let listed: Vec<(PersonRecord, i64)> = keys
            .iter()
            .filter_map(|&(k, id)| people.remove(&PersonId(id)).map(|p| (p, k)))
            .collect();
        let page = Page::from_rows(start, listed, q.limit, |(p, k)| (*k, p.id.0));
        Ok(DirectoryResult {
            page: Page {
                items: page.items.into_iter().map(|(p, _)| p).collect(),
                next: page.next,
                prev: page.prev,
            },
            total,
            more,
            estimated,
        })
    }

    /// Everyone, and the directory's size as its reader sees it.
    async fn directory_size(&mut self, sql: &DirectorySql) -> Result<(i64, i64)> {
        let s = sql.size();
        on_conn!(self, c => {
            let row = s.bind(sqlx::query(sqlx::AssertSqlSafe(s.sql.clone()))).fetch_one(c).await?;
            Ok((row.try_get("everyone")?, row.try_get("n")?))
        })
    }

    /// `rows` matches from `start` found by the full-text index (or
    /// `walked`, when a walk already found them), and how many match in all:
    /// the ids of every match in one search of the index (the words are
    /// rare, so they are few), counted, and the page among them with its
    /// people's rows, added to `read` ([`DirectorySql::index_page`]). With
    /// only words too short for the index, they are counted up to
    /// [`TOTAL_CAP`] + 1 by walking ([`DirectorySql::count`]), and the page
    /// is walked to, however far.
    async fn directory_from_index(
        &mut self,
        sql: &DirectorySql,
        start: Start,
        rows: i64,
        walked: Option<Vec<(i64, Uuid)>>,
        read: &mut HashMap<PersonId, PersonRecord>,
    ) -> Result<(Vec<(i64, Uuid)>, i64)> {
        // With the page walked, only the count is wanted from the index.
        let page_rows = if walked.is_some() { 0 } else { rows };
        match sql.index_page(start, page_rows) {
            Some(s) => {
                let (keys, n) = on_conn!(self, c => {
                    let found = s.bind(sqlx::query(sqlx::AssertSqlSafe(s.sql.clone()))).fetch_all(c).await?;
                    let mut n = 0;
                    let mut keys = Vec::new();
                    for r in &found {
                        n = r.try_get("n")?;
                        if let Some(k) = r.try_get::<Option<i64>, _>("k")? {
                            let person = decode(r)?;
                            keys.push((k, person.id.0));
                            read.insert(person.id, person);
                        }
                    }
                    (keys, n)
                });
                Ok((walked.unwrap_or(keys), n))
            }
            None => {
                let n = self.count_of(&sql.count()).await?;
                let keys = match walked {
                    Some(keys) => keys,
                    None => self.keys_of(&sql.walk(start, i64::MAX / 4, rows)).await?,
                };
                Ok((keys, n))
            }
        }
    }

    /// The `(k, id)` rows of a directory statement.
    async fn keys_of(&mut self, s: &Stmt) -> Result<Vec<(i64, Uuid)>> {
        on_conn!(self, c => {
            let rows = s.bind(sqlx::query(sqlx::AssertSqlSafe(s.sql.clone()))).fetch_all(c).await?;
            rows.iter()
                .map(|r| Ok((r.try_get("k")?, r.try_get("id")?)))
                .collect()
        })
    }

    /// The `n` of a directory statement.
    async fn count_of(&mut self, s: &Stmt) -> Result<i64> {
        on_conn!(self, c => {
            let row = s.bind(sqlx::query(sqlx::AssertSqlSafe(s.sql.clone()))).fetch_one(c).await?;
            Ok(row.try_get("n")?)
        })
    }

    /// The `everyone` and `n` of [`DirectorySql::span`].
    async fn span_and_everyone(&mut self, s: &Stmt) -> Result<(i64, i64)> {
        on_conn!(self, c => {
            let row = s.bind(sqlx::query(sqlx::AssertSqlSafe(s.sql.clone()))).fetch_one(c).await?;
            Ok((row.try_get("everyone")?, row.try_get("n")?))
        })
    }

    /// The matches of a walk ([`DirectorySql::walk`]).
    async fn walk_of(&mut self, s: &Stmt) -> Result<Vec<Walked>> {
        on_conn!(self, c => {
            let rows = s.bind(sqlx::query(sqlx::AssertSqlSafe(s.sql.clone()))).fetch_all(c).await?;
            rows.iter()
                .map(|r| {
                    let person = decode(r)?;
                    Ok(Walked {
                        key: r.try_get("k")?,
                        place: r.try_get("n")?,
                        everyone: r.try_get("everyone")?,
                        person,
                    })
                })
                .collect()
        })
    }

    /// Number of people.
    pub async fn count_people(&mut self) -> Result<i64> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM people").fetch_one(c).await?;
            Ok(row.try_get("n")?)
        })
    }

    /// Number of site admins.
    pub async fn count_admins(&mut self) -> Result<i64> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM people WHERE is_admin").fetch_one(c).await?;
            Ok(row.try_get("n")?)
        })
    }

    /// People whose manager is `id` (direct reports).
    pub async fn direct_reports(&mut self, id: PersonId) -> Result<Vec<PersonId>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT id FROM people WHERE manager_id = $1").bind(id.0).fetch_all(c).await?;
            rows.iter().map(|r| Ok(PersonId(r.try_get("id")?))).collect()
        })
    }

    /// Deletes a person. Their sessions, tokens, email tokens and programme roles
    /// go with them (cascades); reports lose their manager link; outbox rows and
    /// audit events keep no reference.
    pub async fn delete_person(&mut self, id: PersonId) -> Result<bool> {
        on_conn!(self, c => {
            sqlx::query("UPDATE audit_events SET actor_id = NULL WHERE actor_id = $1").bind(id.0).execute(&mut *c).await?;
            let r = sqlx::query("DELETE FROM people WHERE id = $1").bind(id.0).execute(&mut *c).await?;
            Ok(r.rows_affected() == 1)
        })
    }
}
