//! Site settings, the skill catalogue and the audit log.

use crate::decode::corrupt_row;
use crate::page::{bind_keyset, keyset_sql, Page, Start, TOTAL_CAP};
use crate::{on_conn, Result, StoreError, Tx};
use rapport_domain::{PersonId, SkillId};
use sqlx::Row;
use uuid::Uuid;

/// A catalogue skill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkillRecord {
    /// Id.
    pub id: SkillId,
    /// Display name.
    pub name: String,
}

/// Which audit events a page keeps; `None` keeps any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Who acted.
    pub actor: Option<PersonId>,
    /// The action, like `round.publish`.
    pub action: Option<String>,
    /// The subject, like `programme:spring`.
    pub subject: Option<String>,
    /// From this time (ms, inclusive).
    pub from: Option<i64>,
    /// Before this time (ms).
    pub until: Option<i64>,
}

/// An audit event: who did what, when, with before and after.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    /// Id.
    pub id: Uuid,
    /// The actor, if the account still exists.
    pub actor_id: Option<PersonId>,
    /// The actor's name at the time.
    pub actor_name: String,
    /// What was done, like `person.invite`.
    pub action: String,
    /// What it was done to, like `person:ana@example.org`.
    pub subject: String,
    /// The state before, if any: always a JSON object.
    pub before_json: Option<serde_json::Value>,
    /// The state after, if any: always a JSON object.
    pub after_json: Option<serde_json::Value>,
    /// When (ms).
    pub created_at: i64,
}

impl Tx {
    /// A site setting.
    pub async fn setting(&mut self, key: &str) -> Result<Option<String>> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT value FROM site_settings WHERE key = $1").bind(key).fetch_optional(c).await?;
            row.map(|r| Ok(r.try_get("value")?)).transpose()
        })
    }

    /// Sets a site setting.
    pub async fn put_setting(&mut self, key: &str, value: &str) -> Result<()> {
        on_conn!(self, c => sqlx::query("INSERT INTO site_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key).bind(value).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The site setting `key`, storing `value` first when it has none, in one
    /// statement: when several servers start together on an empty database,
    /// they all read back the one value that was stored first (a read, then an
    /// upsert, would leave each with its own).
    pub async fn setting_or_insert(&mut self, key: &str, value: &str) -> Result<String> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO site_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                .bind(key).bind(value).execute(&mut *c).await?;
            let row = sqlx::query("SELECT value FROM site_settings WHERE key = $1").bind(key).fetch_one(&mut *c).await?;
            Ok(row.try_get("value")?)
        })
    }

    /// The skill catalogue, by name.
    pub async fn skills(&mut self) -> Result<Vec<SkillRecord>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT id, name FROM skills ORDER BY folded").fetch_all(c).await?;
            rows.iter().map(|r| Ok(SkillRecord { id: SkillId(r.try_get("id")?), name: r.try_get("name")? })).collect()
        })
    }

    /// Adds a skill; a duplicate (case-insensitive) is `Conflict skills_folded_key`.
    pub async fn insert_skill(&mut self, s: &SkillRecord, now: i64) -> Result<()> {
        on_conn!(self, c => sqlx::query("INSERT INTO skills (id, name, folded, created_at) VALUES ($1, $2, $3, $4)")
            .bind(s.id.0).bind(&s.name).bind(s.name.to_lowercase()).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Removes a skill; returns it if it existed.
    pub async fn delete_skill(&mut self, id: SkillId) -> Result<Option<SkillRecord>> {
        on_conn!(self, c => {
            let row = sqlx::query("DELETE FROM skills WHERE id = $1 RETURNING id, name").bind(id.0).fetch_optional(c).await?;
            row.map(|r| Ok(SkillRecord { id: SkillId(r.try_get("id")?), name: r.try_get("name")? })).transpose()
        })
    }

    /// Appends an audit event. A state that is not a JSON object is refused
    /// here, because [`Tx::audit_page`] would refuse to read it back.
    pub async fn insert_audit(&mut self, e: &AuditRecord) -> Result<()> {
        let text = |side: &str, v: &Option<serde_json::Value>| match v {
            None => Ok(None),
            Some(v @ serde_json::Value::Object(_)) => Ok(Some(v.to_string())),
            Some(other) => Err(StoreError::corrupt(
                "audit_events",
                Some(e.id.to_string()),
                format!("{side} must be a JSON object, not {other}"),
            )),
        };
        let (before, after) = (
            text("before", &e.before_json)?,
            text("after", &e.after_json)?,
        );
        on_conn!(self, c => sqlx::query("INSERT INTO audit_events (id, actor_id, actor_name, action, subject, before_json, after_json, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(e.id).bind(e.actor_id.map(|a| a.0)).bind(&e.actor_name).bind(&e.action).bind(&e.subject)
            .bind(before).bind(after).bind(e.created_at).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// One page of the audit events `filter` keeps, newest first (issue 18
    /// §6: the audit log's filters by person, action, programme and date).
    pub async fn audit_page_filtered(
        &mut self,
        filter: &AuditFilter,
        start: Start,
        limit: i64,
    ) -> Result<Page<AuditRecord>> {
        let sql = format!(
            "SELECT id, actor_id, actor_name, action, subject, before_json, after_json, created_at FROM \
             (SELECT * FROM audit_events WHERE ($1 IS NULL OR actor_id = $1) AND ($2 IS NULL OR action = $2) \
             AND ($3 IS NULL OR subject = $3) AND ($4 IS NULL OR created_at >= $4) AND ($5 IS NULL OR created_at < $5)) AS kept {}",
            keyset_sql(start, 6, limit)
        );
        on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(filter.actor.map(|a| a.0))
                .bind(filter.action.clone())
                .bind(filter.subject.clone())
                .bind(filter.from)
                .bind(filter.until);
            let q = bind_keyset!(q, start);
            let rows = q.fetch_all(&mut *c).await?;
            let events = rows.iter().map(decode_audit).collect::<Result<Vec<_>>>()?;
            Ok(Page::from_rows(start, events, limit, |e| (e.created_at, e.id)))
        })
    }

    /// Everyone who has acted in the audit log, by name, for its person filter.
    pub async fn audit_actors(&mut self) -> Result<Vec<(PersonId, String)>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT DISTINCT actor_id, actor_name FROM audit_events WHERE actor_id IS NOT NULL ORDER BY actor_name LIMIT 500")
                .fetch_all(c).await?;
            rows.iter().map(|r| Ok((PersonId(r.try_get("actor_id")?), r.try_get("actor_name")?))).collect()
        })
    }

    /// One page of audit events, newest first. `limit` is the page size.
    pub async fn audit_page(&mut self, start: Start, limit: i64) -> Result<Page<AuditRecord>> {
        let sql = format!("SELECT id, actor_id, actor_name, action, subject, before_json, after_json, created_at FROM audit_events {}", keyset_sql(start, 1, limit));
        on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql));
            let q = bind_keyset!(q, start);
            let rows = q.fetch_all(&mut *c).await?;
            let events = rows.iter().map(decode_audit).collect::<Result<Vec<_>>>()?;
            Ok(Page::from_rows(start, events, limit, |e| (e.created_at, e.id)))
        })
    }

    /// Audit events by offset, newest first, with the exact total: for tests
    /// and tools that read the whole log. Pages for people use [`Tx::audit_page`].
    pub async fn audit_events(
        &mut self,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<AuditRecord>, i64)> {
        let page = self.audit_page(Start::Offset(offset), limit).await?;
        let total = on_conn!(self, c => {
            let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_events").fetch_one(&mut *c).await?.try_get("n")?;
            Ok::<_, StoreError>(n)
        })?;
        Ok((page.items, total))
    }

    /// How many audit events there are, counted up to [`TOTAL_CAP`]; true
    /// when there are more than that (counting every row of a long log on
    /// each page view costs more than the number is worth).
    pub async fn audit_total(&mut self) -> Result<(i64, bool)> {
        on_conn!(self, c => {
            let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM (SELECT 1 FROM audit_events LIMIT $1) AS capped")
                .bind(TOTAL_CAP + 1).fetch_one(&mut *c).await?.try_get("n")?;
            Ok((n.min(TOTAL_CAP), n > TOTAL_CAP))
        })
    }

    /// Audit events where the person acted (for their data export).
    pub async fn audit_events_by(
        &mut self,
        person: PersonId,
    ) -> Result<Vec<(String, String, i64)>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT action, subject, created_at FROM audit_events WHERE actor_id = $1 ORDER BY created_at")
                .bind(person.0).fetch_all(c).await?;
            rows.iter().map(|r| Ok((r.try_get("action")?, r.try_get("subject")?, r.try_get("created_at")?))).collect()
        })
    }
}

/// Decodes an audit row; a state that is not a JSON object is corrupt data,
/// named by table and id, never passed on as text.
fn decode_audit<R: Row>(r: &R) -> Result<AuditRecord>
where
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> Uuid: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<Uuid>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let id: Uuid = r.try_get("id")?;
    let state = |column: &str| -> Result<Option<serde_json::Value>> {
        let Some(text) = r.try_get::<Option<String>, _>(column)? else {
            return Ok(None);
        };
        match serde_json::from_str(&text) {
            Ok(v @ serde_json::Value::Object(_)) => Ok(Some(v)),
            _ => Err(corrupt_row(
                "audit_events",
                id,
                format!("{column} is not a JSON object"),
            )),
        }
    };
    Ok(AuditRecord {
        id,
        actor_id: r.try_get::<Option<Uuid>, _>("actor_id")?.map(PersonId),
        actor_name: r.try_get("actor_name")?,
        action: r.try_get("action")?,
        subject: r.try_get("subject")?,
        before_json: state("before_json")?,
        after_json: state("after_json")?,
        created_at: r.try_get("created_at")?,
    })
}
