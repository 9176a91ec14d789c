//! People: accounts and profiles.

use crate::decode::corrupt_row;
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
    /// Rows to skip.
    pub offset: i64,
}

pub(crate) const PERSON_COLUMNS: &str = "id, email, status, is_admin, password_hash, email_verified_at, profile, notification_optouts, last_active_at, created_at, updated_at, disabled_at";

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

impl Tx {
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
        Ok(())
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
        Ok(())
    }

    /// Sets the password hash and activates the account.
    pub async fn set_password(&mut self, id: PersonId, hash: &str, now: i64) -> Result<()> {
        on_conn!(self, c => sqlx::query("UPDATE people SET password_hash = $2, status = 'active', updated_at = $3 WHERE id = $1")
            .bind(id.0).bind(hash).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
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

    /// Directory search, by name then id, with the total count.
    pub async fn search_people(&mut self, q: &DirectoryQuery) -> Result<(Vec<PersonRecord>, i64)> {
        let words: Vec<String> = q
            .text
            .split_whitespace()
            .take(6)
            .map(like_pattern)
            .collect();
        let mut filter = String::from(" WHERE 1 = 1");
        let mut n = 0;
        for _ in &words {
            n += 1;
            filter.push_str(&format!(" AND search_text LIKE ${n} ESCAPE '\\'"));
        }
        if !q.include_private {
            let me = q.include_self.map(|_| {
                n += 1;
                format!(" OR id = ${n}")
            });
            filter.push_str(&format!(
                " AND ((status = 'active' AND visibility = 'members'){})",
                me.unwrap_or_default()
            ));
        }
        let count_sql = format!("SELECT COUNT(*) AS n FROM people{filter}");
        let list_sql = format!(
            "SELECT {PERSON_COLUMNS} FROM people{filter} ORDER BY name, id LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        on_conn!(self, c => {
            let mut count = sqlx::query(sqlx::AssertSqlSafe(count_sql));
            let mut list = sqlx::query(sqlx::AssertSqlSafe(list_sql));
            for w in &words {
                count = count.bind(w.clone());
                list = list.bind(w.clone());
            }
            if !q.include_private {
                if let Some(me) = q.include_self {
                    count = count.bind(me.0);
                    list = list.bind(me.0);
                }
            }
            let total: i64 = count.fetch_one(&mut *c).await?.try_get("n")?;
            let rows = list.bind(q.limit).bind(q.offset).fetch_all(&mut *c).await?;
            let people = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
            Ok((people, total))
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
