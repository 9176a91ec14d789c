//! Site administration: sign-up mode, skill catalogue, admin rights, audit log.

use crate::lists::ListQuery;
use crate::{App, AppError, AppResult};
use rapport_domain::person::SignupMode;
use rapport_domain::policy::{self, Actor};
use rapport_domain::{PersonId, SkillId};
use rapport_store::page::Page;
use rapport_store::{AuditRecord, SkillRecord, Tx};

impl App {
    pub(crate) async fn audit_by(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        action: &str,
        subject: String,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> AppResult<()> {
        let name = tx
            .person(actor.person_id)
            .await?
            .map(|p| p.profile.name)
            .unwrap_or_default();
        tx.insert_audit(&AuditRecord {
            id: uuid::Uuid::new_v4(),
            actor_id: Some(actor.person_id),
            actor_name: name,
            action: action.into(),
            subject,
            before_json: before,
            after_json: after,
            created_at: self.now(),
        })
        .await?;
        Ok(())
    }

    /// The sign-up mode, for the settings page (admins only).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn site_settings(&self, actor: &Actor) -> AppResult<SignupMode> {
        AppError::check(policy::administer(actor), "site settings")?;
        self.signup_mode().await
    }

    /// Sets how people may join.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, mode = %mode))]
    pub async fn set_signup_mode(
        &self,
        actor: &Actor,
        mode: &str,
        domains: &str,
    ) -> AppResult<SignupMode> {
        AppError::check(policy::administer(actor), "site settings")?;
        let mode = SignupMode::parse(mode, domains)?;
        let before = self.signup_mode().await?;
        let mut tx = self.store.write().await?;
        let json = serde_json::to_string(&mode)
            .map_err(|e| AppError::internal("the signup mode does not serialise", e))?;
        tx.put_setting("signup_mode", &json).await?;
        self.audit_by(
            &mut tx,
            actor,
            "settings.signup_mode",
            "site".into(),
            Some(
                serde_json::to_value(&before)
                    .map_err(|e| AppError::internal("an audit state does not serialise", e))?,
            ),
            Some(
                serde_json::to_value(&mode)
                    .map_err(|e| AppError::internal("an audit state does not serialise", e))?,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(mode)
    }

    /// The skill catalogue (any signed-in person may read it).
    #[tracing::instrument(skip_all)]
    pub async fn skills(&self) -> AppResult<Vec<SkillRecord>> {
        let mut tx = self.store.read().await?;
        Ok(tx.skills().await?)
    }

    /// Adds a catalogue skill.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn add_skill(&self, actor: &Actor, name: &str) -> AppResult<SkillRecord> {
        AppError::check(policy::administer(actor), "the skill catalogue")?;
        let tags = rapport_domain::values::tags("name", [name], 1)?;
        let Some(name) = tags.into_iter().next() else {
            return Err(AppError::invalid("name", "enter a skill name"));
        };
        let skill = SkillRecord {
            id: SkillId::new(),
            name,
        };
        let mut tx = self.store.write().await?;
        tx.insert_skill(&skill, self.now()).await?;
        self.audit_by(
            &mut tx,
            actor,
            "skill.add",
            format!("skill:{}", skill.name),
            None,
            Some(serde_json::json!({"name": skill.name})),
        )
        .await?;
        tx.commit().await?;
        Ok(skill)
    }

    /// Removes a catalogue skill (profiles keep the text they have).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, skill = %id))]
    pub async fn remove_skill(&self, actor: &Actor, id: SkillId) -> AppResult<()> {
        AppError::check(policy::administer(actor), "the skill catalogue")?;
        let mut tx = self.store.write().await?;
        let Some(skill) = tx.delete_skill(id).await? else {
            return Err(AppError::NotFound("that skill was not found".into()));
        };
        self.audit_by(
            &mut tx,
            actor,
            "skill.remove",
            format!("skill:{}", skill.name),
            Some(serde_json::json!({"name": skill.name})),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Grants or removes site admin; the last admin cannot be removed.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, target = %target, is_admin = is_admin))]
    pub async fn set_admin(
        &self,
        actor: &Actor,
        target: PersonId,
        is_admin: bool,
    ) -> AppResult<()> {
        AppError::check(policy::administer(actor), "administrator rights")?;
        let mut tx = self.store.write().await?;
        let rec = tx
            .person(target)
            .await?
            .ok_or_else(|| AppError::NotFound("that person was not found".into()))?;
        if rec.is_admin && !is_admin && tx.count_admins().await? <= 1 {
            return Err(AppError::Conflict {
                field: Some("is_admin"),
                message: "this is the only administrator; make someone else an administrator first"
                    .into(),
            });
        }
        tx.set_admin(target, is_admin, self.now()).await?;
        self.audit_by(
            &mut tx,
            actor,
            "person.set_admin",
            format!("person:{}", rec.email),
            Some(serde_json::json!({"is_admin": rec.is_admin})),
            Some(serde_json::json!({"is_admin": is_admin})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One page of the audit log, newest first, with the total (counted up
    /// to [`TOTAL_CAP`](rapport_store::page::TOTAL_CAP); true when capped).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn audit_log(
        &self,
        actor: &Actor,
        list: &ListQuery,
    ) -> AppResult<(Page<AuditRecord>, i64, bool)> {
        AppError::check(policy::administer(actor), "the audit log")?;
        let (start, limit) = list.window()?;
        let mut tx = self.store.read().await?;
        let page = tx.audit_page(start, limit).await?;
        let (total, capped) = tx.audit_total().await?;
        Ok((page, total, capped))
    }
}
