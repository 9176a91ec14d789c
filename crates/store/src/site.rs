//! Site settings, the skill catalogue and the audit log.

use crate::{on_conn, Result, Tx};
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
    /// JSON before, if any.
    pub before_json: Option<String>,
    /// JSON after, if any.
    pub after_json: Option<String>,
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

    /// Appends an audit event.
    pub async fn insert_audit(&mut self, e: &AuditRecord) -> Result<()> {
        on_conn!(self, c => sqlx::query("INSERT INTO audit_events (id, actor_id, actor_name, action, subject, before_json, after_json, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(e.id).bind(e.actor_id.map(|a| a.0)).bind(&e.actor_name).bind(&e.action).bind(&e.subject)
            .bind(&e.before_json).bind(&e.after_json).bind(e.created_at).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Audit events, newest first, with the total.
    pub async fn audit_events(
        &mut self,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<AuditRecord>, i64)> {
        on_conn!(self, c => {
            let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_events").fetch_one(&mut *c).await?.try_get("n")?;
            let rows = sqlx::query("SELECT id, actor_id, actor_name, action, subject, before_json, after_json, created_at FROM audit_events ORDER BY created_at DESC, id LIMIT $1 OFFSET $2")
                .bind(limit).bind(offset).fetch_all(&mut *c).await?;
            let events = rows.iter().map(|r| Ok(AuditRecord {
                id: r.try_get("id")?,
                actor_id: r.try_get::<Option<Uuid>, _>("actor_id")?.map(PersonId),
                actor_name: r.try_get("actor_name")?,
                action: r.try_get("action")?,
                subject: r.try_get("subject")?,
                before_json: r.try_get("before_json")?,
                after_json: r.try_get("after_json")?,
                created_at: r.try_get("created_at")?,
            })).collect::<Result<Vec<_>>>()?;
            Ok((events, total))
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
