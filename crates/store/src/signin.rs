//! Sign-in sessions, personal API tokens and one-time email tokens. Secrets are
//! never stored: only their SHA-256 hashes, computed by the caller.

use crate::decode::corrupt_row;
use crate::messages::{viewer_counts_of, viewer_counts_sql};
use crate::people::{decode as decode_person, person_columns_of};
use crate::{on_conn, PersonRecord, Result, Tx, ViewerCounts};
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::{ApiTokenId, LoginSessionId, PersonId, ProgrammeId};
use sqlx::Row;
use std::sync::LazyLock;
use uuid::Uuid;

/// A stored sign-in session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginSessionRecord {
    /// Id (shown in the session list; not the secret).
    pub id: LoginSessionId,
    /// Owner.
    pub person_id: PersonId,
    /// Created (ms).
    pub created_at: i64,
    /// Last request (ms).
    pub last_seen_at: i64,
    /// Expiry (ms).
    pub expires_at: i64,
    /// Browser, as reported.
    pub user_agent: String,
    /// Client address.
    pub ip: String,
}

/// Who a session or token belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionOwner {
    /// The session or token id.
    pub credential_id: uuid::Uuid,
    /// The person.
    pub person_id: PersonId,
    /// Last seen (ms), to decide when to refresh.
    pub last_seen_at: i64,
}

/// A stored API token (without its secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiTokenRecord {
    /// Id.
    pub id: ApiTokenId,
    /// Owner.
    pub person_id: PersonId,
    /// Name the person gave it.
    pub name: String,
    /// Created (ms).
    pub created_at: i64,
    /// Last used (ms).
    pub last_used_at: Option<i64>,
    /// Revoked (ms).
    pub revoked_at: Option<i64>,
}

impl Tx {
    /// Stores a new session.
    pub async fn insert_login_session(
        &mut self,
        s: &LoginSessionRecord,
        token_hash: &str,
    ) -> Result<()> {
        on_conn!(self, c => sqlx::query(
            "INSERT INTO login_sessions (id, token_hash, person_id, created_at, last_seen_at, expires_at, user_agent, ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(s.id.0).bind(token_hash).bind(s.person_id.0).bind(s.created_at).bind(s.last_seen_at)
            .bind(s.expires_at).bind(&s.user_agent).bind(&s.ip).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The live session with this secret hash.
    pub async fn login_session_by_hash(
        &mut self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<SessionOwner>> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT id, person_id, last_seen_at FROM login_sessions WHERE token_hash = $1 AND expires_at > $2")
                .bind(token_hash).bind(now).fetch_optional(c).await?;
            row.map(|r| Ok(SessionOwner { credential_id: r.try_get("id")?, person_id: PersonId(r.try_get("person_id")?), last_seen_at: r.try_get("last_seen_at")? })).transpose()
        })
    }

    /// [`Tx::login_session_by_hash`], the session's person and their
    /// programme roles in one statement: every signed-in page and API call
    /// by cookie starts with them (issue 17, "Performance"; issue 20: a
    /// statement is a round trip).
    pub async fn session_person(&mut self, token_hash: &str, now: i64) -> Result<Option<SignedIn>> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            signed_in_sql(
                "s.id AS credential_id, s.last_seen_at AS credential_seen_at",
                "login_sessions",
                "s",
                "s.token_hash = $1 AND s.expires_at > $2",
            )
        });
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(SQL.as_str())).bind(token_hash).bind(now).fetch_all(c).await?;
            signed_in(&rows)
        })
    }

    /// [`Tx::session_person`] and [`Tx::viewer_counts`] of its person in one
    /// statement: what every signed-in page starts with (issue 20: each
    /// statement is a round trip, a seventh of the start page's on
    /// PostgreSQL). `None` when the session is unknown or expired.
    pub async fn session_viewer(
        &mut self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(SignedIn, ViewerCounts)>> {
        static SQL: LazyLock<String> = LazyLock::new(session_viewer_sql);
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(SQL.as_str())).bind(token_hash).bind(now).fetch_all(c).await?;
            let mut own = Vec::new();
            let mut counts = Vec::new();
            for r in rows {
                if r.try_get::<i32, _>("part")? == 0 {
                    own.push(r);
                } else {
                    counts.push(r);
                }
            }
            match signed_in(&own)? {
                Some(s) => Ok(Some((s, viewer_counts_of(&counts)?))),
                None => Ok(None),
            }
        })
    }

    /// Slides a session's expiry forward.
    pub async fn touch_login_session(
        &mut self,
        id: LoginSessionId,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        on_conn!(self, c => sqlx::query("UPDATE login_sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1")
            .bind(id.0).bind(now).bind(expires_at).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// A person's live sessions, newest first.
    pub async fn login_sessions_of(
        &mut self,
        person: PersonId,
        now: i64,
    ) -> Result<Vec<LoginSessionRecord>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT id, person_id, created_at, last_seen_at, expires_at, user_agent, ip FROM login_sessions WHERE person_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC, id")
                .bind(person.0).bind(now).fetch_all(c).await?;
            rows.iter().map(|r| Ok(LoginSessionRecord {
                id: LoginSessionId(r.try_get("id")?),
                person_id: PersonId(r.try_get("person_id")?),
                created_at: r.try_get("created_at")?,
                last_seen_at: r.try_get("last_seen_at")?,
                expires_at: r.try_get("expires_at")?,
                user_agent: r.try_get("user_agent")?,
                ip: r.try_get("ip")?,
            })).collect()
        })
    }

    /// Deletes one of a person's sessions; false if it was not theirs.
    pub async fn delete_login_session(
        &mut self,
        person: PersonId,
        id: LoginSessionId,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("DELETE FROM login_sessions WHERE id = $1 AND person_id = $2").bind(id.0).bind(person.0).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Deletes every session of a person (password reset, deletion).
    pub async fn delete_login_sessions_of(&mut self, person: PersonId) -> Result<()> {
        on_conn!(self, c => sqlx::query("DELETE FROM login_sessions WHERE person_id = $1").bind(person.0).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Stores a new API token.
    pub async fn insert_api_token(&mut self, t: &ApiTokenRecord, token_hash: &str) -> Result<()> {
        on_conn!(self, c => sqlx::query("INSERT INTO api_tokens (id, person_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(t.id.0).bind(t.person_id.0).bind(&t.name).bind(token_hash).bind(t.created_at).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The unrevoked token with this hash; records its use.
    pub async fn use_api_token(
        &mut self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<SessionOwner>> {
        on_conn!(self, c => {
            let row = sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL RETURNING id, person_id")
                .bind(token_hash).bind(now).fetch_optional(c).await?;
            row.map(|r| Ok(SessionOwner { credential_id: r.try_get("id")?, person_id: PersonId(r.try_get("person_id")?), last_seen_at: now })).transpose()
        })
    }

    /// The owner of a live (unrevoked) API token, their record and their
    /// programme roles, in one statement ([`TOKEN_PERSON`]), without
    /// touching the token; `last_seen_at` is its last use (0 if never
    /// used). Like [`Tx::session_person`]: every API call by token begins
    /// with this one (issue 20).
    pub async fn api_token_person(&mut self, token_hash: &str) -> Result<Option<SignedIn>> {
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(TOKEN_PERSON.as_str()))
                .bind(token_hash).fetch_all(c).await?;
            signed_in(&rows)
        })
    }

    /// A person's tokens, newest first, revoked ones included.
    pub async fn api_tokens_of(&mut self, person: PersonId) -> Result<Vec<ApiTokenRecord>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT id, person_id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE person_id = $1 ORDER BY created_at DESC, id")
                .bind(person.0).fetch_all(c).await?;
            rows.iter().map(|r| Ok(ApiTokenRecord {
                id: ApiTokenId(r.try_get("id")?),
                person_id: PersonId(r.try_get("person_id")?),
                name: r.try_get("name")?,
                created_at: r.try_get("created_at")?,
                last_used_at: r.try_get("last_used_at")?,
                revoked_at: r.try_get("revoked_at")?,
            })).collect()
        })
    }

    /// Revokes one of a person's tokens; false if not theirs or already revoked.
    pub async fn revoke_api_token(
        &mut self,
        person: PersonId,
        id: ApiTokenId,
        now: i64,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND person_id = $2 AND revoked_at IS NULL")
                .bind(id.0).bind(person.0).bind(now).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Stores a one-time email token (`verify`, `reset` or `invite`).
    pub async fn insert_email_token(
        &mut self,
        token_hash: &str,
        person: PersonId,
        purpose: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        on_conn!(self, c => sqlx::query("INSERT INTO email_tokens (token_hash, person_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash).bind(person.0).bind(purpose).bind(now).bind(expires_at).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Looks up an unused, unexpired token without using it (for the confirm page).
    pub async fn peek_email_token(
        &mut self,
        token_hash: &str,
        purpose: &str,
        now: i64,
    ) -> Result<Option<PersonId>> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT person_id FROM email_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3")
                .bind(token_hash).bind(purpose).bind(now).fetch_optional(c).await?;
            row.map(|r| Ok(PersonId(r.try_get("person_id")?))).transpose()
        })
    }

    /// Uses a token once: returns its person if it was unused and unexpired.
    pub async fn consume_email_token(
        &mut self,
        token_hash: &str,
        purpose: &str,
        now: i64,
    ) -> Result<Option<PersonId>> {
        on_conn!(self, c => {
            let row = sqlx::query("UPDATE email_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 RETURNING person_id")
                .bind(token_hash).bind(purpose).bind(now).fetch_optional(c).await?;
            row.map(|r| Ok(PersonId(r.try_get("person_id")?))).transpose()
        })
    }

    /// Counts one attempt under `key` (like `signin:203.0.113.7`) in a fixed
    /// window of `window_ms`, starting a new window when the current one
    /// began `window_ms` or more before `now`, and returns the attempts in the
    /// window, this one included. One statement, so that attempts arriving at
    /// the same moment through several servers are all counted.
    pub async fn count_attempt(&mut self, key: &str, now: i64, window_ms: i64) -> Result<i64> {
        on_conn!(self, c => {
            let row = sqlx::query(
                "INSERT INTO auth_attempts (key, window_start, hits) VALUES ($1, $2, 1) \
                 ON CONFLICT (key) DO UPDATE SET \
                 hits = CASE WHEN auth_attempts.window_start <= $3 THEN 1 ELSE auth_attempts.hits + 1 END, \
                 window_start = CASE WHEN auth_attempts.window_start <= $3 THEN excluded.window_start ELSE auth_attempts.window_start END \
                 RETURNING hits")
                .bind(key).bind(now).bind(now - window_ms).fetch_one(c).await?;
            Ok(row.try_get("hits")?)
        })
    }

    /// The attempts counted under `key` in the window still running at `now`
    /// (0 when none or when its window has passed); counts nothing.
    pub async fn attempts(&mut self, key: &str, now: i64, window_ms: i64) -> Result<i64> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT COALESCE(MAX(hits), 0) AS hits FROM auth_attempts WHERE key = $1 AND window_start > $2")
                .bind(key).bind(now - window_ms).fetch_one(c).await?;
            Ok(row.try_get::<i64, _>("hits")?)
        })
    }

    /// Deletes attempt counts whose window began `window_ms` or more before
    /// `now`; returns how many.
    pub async fn forget_old_attempts(&mut self, now: i64, window_ms: i64) -> Result<u64> {
        Ok(
            on_conn!(self, c => sqlx::query("DELETE FROM auth_attempts WHERE window_start <= $1")
            .bind(now - window_ms).execute(c).await.map(|r| r.rows_affected()))?,
        )
    }
}

/// Issue 20: the token lookup every API request makes, with its person
/// and roles, a hot read the plan test explains.
pub(crate) static TOKEN_PERSON: LazyLock<String> = LazyLock::new(|| {
    signed_in_sql(
        "t.id AS credential_id, COALESCE(t.last_used_at, 0) AS credential_seen_at",
        "api_tokens",
        "t",
        "t.token_hash = $1 AND t.revoked_at IS NULL",
    )
});

/// A credential's owner, read with their record and roles
/// ([`Tx::session_person`], [`Tx::api_token_person`]).
#[derive(Clone, Debug)]
pub struct SignedIn {
    /// The session or token, and its person.
    pub owner: SessionOwner,
    /// The person's record.
    pub person: PersonRecord,
    /// Their programme roles, oldest first (as [`Tx::roles_of`]).
    pub roles: Vec<(ProgrammeId, ProgrammeRole)>,
}

/// The statement of a credential (`columns`: its `credential_id` and
/// `credential_seen_at`; `table`: its table, aliased `alias`), its person
/// and their roles: a row per role (one, with no role, when they have none),
/// the person's columns repeated on each.
fn signed_in_sql(columns: &str, table: &str, alias: &str, filter: &str) -> String {
    format!(
        "SELECT {columns}, {}, r.programme_id AS role_programme, r.role AS role_name FROM {table} {alias} JOIN people p ON p.id = {alias}.person_id LEFT JOIN programme_roles r ON r.person_id = p.id WHERE {filter} ORDER BY r.created_at, r.role",
        person_columns_of("p")
    )
}

/// [`Tx::session_viewer`]'s statement: the rows of [`Tx::session_person`]
/// (`part` 0, in its order), then those of [`Tx::viewer_counts`] for the
/// session's person (`part` 1), padded to the same columns.
fn session_viewer_sql() -> String {
    let person = person_columns_of("p");
    let nulls = vec!["NULL"; person.split(", ").count()].join(", ");
    format!(
        "WITH me AS (SELECT person_id FROM login_sessions WHERE token_hash = $1 AND expires_at > $2) \
         SELECT 0 AS part, s.id AS credential_id, s.last_seen_at AS credential_seen_at, {person}, r.programme_id AS role_programme, r.role AS role_name, r.created_at AS role_at, \
           NULL AS room_id, CAST(0 AS BIGINT) AS n, FALSE AS took_check, FALSE AS prompted, FALSE AS in_rooms, FALSE AS requested \
         FROM login_sessions s JOIN people p ON p.id = s.person_id LEFT JOIN programme_roles r ON r.person_id = p.id WHERE s.token_hash = $1 AND s.expires_at > $2 \
         UNION ALL \
         SELECT 1, NULL, NULL, {nulls}, NULL, NULL, NULL, v.room_id, v.n, v.took_check, v.prompted, v.in_rooms, v.requested FROM ({}) v \
         ORDER BY part, role_at, role_name",
        viewer_counts_sql("(SELECT person_id FROM me)")
    )
}

/// [`SignedIn`] from the rows of a [`signed_in_sql`] statement.
fn signed_in<R: Row>(rows: &[R]) -> Result<Option<SignedIn>>
where
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> Uuid: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<Uuid>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let person = decode_person(first)?;
    let owner = SessionOwner {
        credential_id: first.try_get("credential_id")?,
        person_id: person.id,
        last_seen_at: first.try_get("credential_seen_at")?,
    };
    let mut roles = Vec::new();
    for r in rows {
        let programme: Option<Uuid> = r.try_get("role_programme")?;
        let role: Option<String> = r.try_get("role_name")?;
        if let (Some(programme), Some(role)) = (programme, role) {
            let programme = ProgrammeId(programme);
            let bad = |e| corrupt_row("programme_roles", format!("{programme}/{}", person.id), e);
            roles.push((programme, ProgrammeRole::parse("role", &role).map_err(bad)?));
        }
    }
    Ok(Some(SignedIn {
        owner,
        person,
        roles,
    }))
}
