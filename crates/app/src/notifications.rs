//! Notification preferences and one-click unsubscribe links.

use crate::secrets::{sign, verify};
use crate::{App, AppError, AppResult};
use rapport_domain::person::NotificationKind;
use rapport_domain::policy::Actor;
use rapport_domain::PersonId;

fn unsubscribe_message(person: PersonId, kind: NotificationKind) -> String {
    format!("unsubscribe:{person}:{}", kind.code())
}

impl App {
    /// A signed link that switches off one kind of email for one person.
    pub fn unsubscribe_link(&self, person: PersonId, kind: NotificationKind) -> String {
        let sig = sign(&self.secret, &unsubscribe_message(person, kind));
        format!(
            "{}/unsubscribe?person={person}&kind={}&sig={sig}",
            self.config.base_url,
            kind.code()
        )
    }

    /// Checks an unsubscribe link's signature; returns the kind.
    pub fn check_unsubscribe(
        &self,
        person: PersonId,
        kind: &str,
        sig: &str,
    ) -> AppResult<NotificationKind> {
        let kind = NotificationKind::parse("kind", kind)?;
        if kind == NotificationKind::Account
            || !verify(&self.secret, &unsubscribe_message(person, kind), sig)
        {
            return Err(AppError::invalid("sig", "this unsubscribe link is not valid; manage your email preferences from your account page"));
        }
        Ok(kind)
    }

    /// Applies a signed unsubscribe link (no sign-in needed: the signature is the proof).
    #[tracing::instrument(skip_all, fields(person = %person, kind = %kind))]
    pub async fn unsubscribe(
        &self,
        person: PersonId,
        kind: &str,
        sig: &str,
    ) -> AppResult<NotificationKind> {
        let kind = self.check_unsubscribe(person, kind, sig)?;
        let mut tx = self.store.write().await?;
        let Some(rec) = tx.person(person).await? else {
            return Err(AppError::NotFound("that account no longer exists".into()));
        };
        let mut off: Vec<&str> = rec
            .notification_optouts
            .iter()
            .map(String::as_str)
            .collect();
        if !off.contains(&kind.code()) {
            off.push(kind.code());
        }
        tx.set_notification_optouts(person, &off, self.now())
            .await?;
        tx.commit().await?;
        Ok(kind)
    }

    /// The kinds of email the actor receives (true) or not (false).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn notification_preferences(
        &self,
        actor: &Actor,
    ) -> AppResult<Vec<(NotificationKind, bool)>> {
        let mut tx = self.store.read().await?;
        let rec = tx
            .person(actor.person_id)
            .await?
            .ok_or_else(|| AppError::NotFound("your account was not found".into()))?;
        Ok(NotificationKind::OPTIONAL
            .iter()
            .map(|k| (*k, !rec.notification_optouts.iter().any(|o| o == k.code())))
            .collect())
    }

    /// Sets which optional kinds of email the actor receives.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn set_notification_preferences(
        &self,
        actor: &Actor,
        enabled: &[NotificationKind],
    ) -> AppResult<()> {
        let off: Vec<&str> = NotificationKind::OPTIONAL
            .iter()
            .filter(|k| !enabled.contains(k))
            .map(|k| k.code())
            .collect();
        let mut tx = self.store.write().await?;
        tx.set_notification_optouts(actor.person_id, &off, self.now())
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
