//! People: accounts and profiles.

use crate::decode::corrupt_row;
use crate::fulltext::{partial_matches_sql, partial_terms, short_words, DocKind};
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

/// One page of the directory, with its capped total.
#[derive(Clone, Debug)]
pub struct DirectoryResult {
    /// The people, in list order, with the cursors of the neighbouring pages.
    pub page: Page<PersonRecord>,
    /// Matches in all, counted up to [`TOTAL_CAP`] + 1: a figure above the
    /// cap means "more than [`TOTAL_CAP`]".
    pub total: i64,
}

/// The keyset tail over the derived table's `k` and `id` columns: `asc`
/// orders by `(k, id)`, otherwise by `(k DESC, id)`. The bound is written as
/// `k <= $a AND (...)` so that either database seeks the index to the key.
/// Binds as [`crate::page::bind_keyset`].
fn keyset_tail(start: Start, first: usize, asc: bool, limit: i64) -> String {
    let (a, b) = (first, first + 1);
    let lim = crate::page::limit_sql(start, limit);
    let (fwd, back) = if asc {
        ("k, id", "k DESC, id DESC")
    } else {
        ("k DESC, id", "k, id DESC")
    };
    // Reading onwards (`Older`) means later in list order.
    let (later, earlier) = if asc { (">", "<") } else { ("<", ">") };
    match start {
        Start::Offset(_) => format!("ORDER BY {fwd} {lim}"),
        Start::Cursor(Cursor {
            direction: Direction::Older,
            ..
        }) => {
            format!("WHERE k {later}= ${a} AND (k {later} ${a} OR id > ${b}) ORDER BY {fwd} {lim}")
        }
        Start::Cursor(Cursor {
            direction: Direction::Newer,
            ..
        }) => format!(
            "WHERE k {earlier}= ${a} AND (k {earlier} ${a} OR id < ${b}) ORDER BY {back} {lim}"
        ),
    }
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

/// The directory's two queries and what to bind to them, in order: the
/// text `binds`, then `me` (when set), then the page's keyset values
/// ([`crate::page::bind_keyset`], on `list` only).
pub(crate) struct DirectorySql {
    /// One page of people, each with its key `k`.
    pub list: String,
    /// The capped count (`n`).
    pub count: String,
    /// Search terms and patterns.
    pub binds: Vec<String>,
    /// The searcher's id, who always finds themself.
    pub me: Option<Uuid>,
    /// Where the page starts.
    pub start: Start,
    /// Ordered by rank (ascending `k`) rather than newest first.
    pub ranked: bool,
}

impl DirectorySql {
    pub(crate) fn new(dialect: crate::Dialect, q: &DirectoryQuery) -> Self {
        let terms = partial_terms(dialect, &q.text).unwrap_or_default();
        let ranked = !terms.is_empty();
        // With index words, everything is decided on the index's own rows
        // (`m.body` is the same text as `people.search_text`, `m.listed`
        // the directory's visibility), so only the page's people are read.
        let (t, id, listed) = if ranked {
            ("m.body", "m.doc_id", "m.listed")
        } else {
            (
                "p.search_text",
                "p.id",
                "(p.status = 'active' AND p.visibility = 'members')",
            )
        };
        let mut binds: Vec<String> = terms.clone();
        let mut n = binds.len();
        let mut filter = String::from(" WHERE 1 = 1");
        for w in short_words(&q.text) {
            n += 1;
            filter.push_str(&format!(" AND {t} LIKE ${n} ESCAPE '\\'"));
            binds.push(like_pattern(&w));
        }
        if !q.include_private {
            let me = q.include_self.map(|_| {
                n += 1;
                format!(" OR {id} = ${n}")
            });
            filter.push_str(&format!(" AND ({listed}{})", me.unwrap_or_default()));
        }
        let start = match q.cursor {
            Some(c) => Start::Cursor(c),
            None => Start::Offset(q.offset),
        };
        let columns = person_columns_of("p");
        let tail = keyset_tail(start, n + 1, ranked, q.limit);
        let (list, from) = if ranked {
            let from = format!(
                "{} m",
                partial_matches_sql(dialect, DocKind::Person, 1, terms.len())
            );
            (
                // bm25 and ts_rank are floats; the cursor carries an integer,
                // so the rank is kept to six decimals for ordering and keys.
                // The page's rows come back unordered from the join; the
                // caller puts them in list order.
                format!(
                    "SELECT {columns}, top.k AS k FROM (SELECT * FROM (SELECT m.doc_id AS id, CAST(m.rank * 1000000 AS BIGINT) AS k FROM {from}{filter}) s {tail}) top JOIN people p ON p.id = top.id"
                ),
                from,
            )
        } else {
            (
                format!(
                    "SELECT * FROM (SELECT {columns}, p.created_at AS k FROM people p{filter}) s {tail}"
                ),
                "people p".to_string(),
            )
        };
        Self {
            list,
            count: format!(
                "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM {from}{filter} LIMIT {}) c",
                TOTAL_CAP + 1
            ),
            binds,
            me: if q.include_private {
                None
            } else {
                q.include_self.map(|p| p.0)
            },
            start,
            ranked,
        }
    }
}

/// Whether a person's index entry is listed in the directory, read from
/// their row: active accounts with a profile visible to members.
const LIST_PERSON: &str = "UPDATE fulltext_docs SET listed = (SELECT status = 'active' AND visibility = 'members' FROM people WHERE id = $1) WHERE kind = 'person' AND doc_id = $1";

impl Tx {
    /// Puts a person's directory text in the full-text index (issue 20),
    /// with whether the directory lists them, in the caller's transaction.
    async fn index_person(&mut self, id: PersonId, text: &str) -> Result<()> {
        on_conn!(self, c => sqlx::query(
            "INSERT INTO fulltext_docs (kind, doc_id, body, listed) SELECT 'person', id, $2, status = 'active' AND visibility = 'members' FROM people WHERE id = $1 ON CONFLICT (kind, doc_id) DO UPDATE SET body = excluded.body, listed = excluded.listed")
            .bind(id.0).bind(text).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Inserts a person. A taken email is `Conflict { constraint: "people_email_key" }`.
    pub async fn insert_person(&mut self, p: &NewPerson) -> Result<()> {
        let profile = serde_json::to_string(&p.profile)?;
        let search = search_text(&p.email, &p.profile);
        on_conn!(self, c => sqlx::query(
            "INSERT INTO people (id, email, status, is_admin, password_hash, email_verified_at, name, level, visibility, manager_id, profile, search_text, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)")
            .bind(p.id.0).bind(&p.email).bind(status_code(p.status)).bind(p.is_admin)
            .bind(&p.password_hash).bind(p.email_verified_at).bind(&p.profile.name)
            .bind(p.profile.level.code()).bind(p.profile.visibility.code())
            .bind(p.profile.manager_id.map(|m| m.0)).bind(&profile).bind(&search).bind(p.now)
            .execute(c).await.map(|r| r.rows_affected()))?;
        self.index_person(p.id, &search).await
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
        self.index_person(id, &search).await
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

    /// Directory search: [`Tx::directory`]'s rows and capped total, for
    /// callers that read one page by offset.
    pub async fn search_people(&mut self, q: &DirectoryQuery) -> Result<(Vec<PersonRecord>, i64)> {
        let found = self.directory(q).await?;
        Ok((found.page.items, found.total))
    }

    /// One page of the directory. With words of three letters or more the
    /// full-text index finds the matches (each word anywhere inside a word),
    /// best first; shorter words then narrow those matches. With no search
    /// words, newest members first. Private profiles and invited accounts are
    /// left out before the `LIMIT` unless `include_private`. The total is
    /// counted only up to [`TOTAL_CAP`] + 1, never across every row.
    pub async fn directory(&mut self, q: &DirectoryQuery) -> Result<DirectoryResult> {
        let sql = DirectorySql::new(self.dialect(), q);
        let (start, limit, ranked) = (sql.start, q.limit, sql.ranked);
        on_conn!(self, c => {
            let mut count = sqlx::query(sqlx::AssertSqlSafe(sql.count));
            let mut list = sqlx::query(sqlx::AssertSqlSafe(sql.list));
            for b in &sql.binds {
                count = count.bind(b.clone());
                list = list.bind(b.clone());
            }
            if let Some(me) = sql.me {
                count = count.bind(me);
                list = list.bind(me);
            }
            let total: i64 = count.fetch_one(&mut *c).await?.try_get("n")?;
            let list = crate::page::bind_keyset!(list, start);
            let rows = list.fetch_all(&mut *c).await?;
            let mut rows = rows
                .iter()
                .map(|r| Ok((decode(r)?, r.try_get::<i64, _>("k")?)))
                .collect::<Result<Vec<_>>>()?;
            if ranked {
                // Reading order: by (k, id), backwards when reading newer.
                rows.sort_by_key(|(p, k)| (*k, p.id.0));
                if matches!(start, Start::Cursor(c) if c.direction == Direction::Newer) {
                    rows.reverse();
                }
            }
            let page = Page::from_rows(start, rows, limit, |(p, k)| (*k, p.id.0));
            Ok(DirectoryResult {
                page: Page {
                    items: page.items.into_iter().map(|(p, _)| p).collect(),
                    next: page.next,
                    prev: page.prev,
                },
                total,
            })
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
