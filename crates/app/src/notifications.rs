//! Notification preferences, one-click unsubscribe links, and the in-app
//! notifications behind the navigation's bell.

use crate::lists::{ListQuery, Page};
use crate::secrets::{sign, verify};
use crate::{App, AppError, AppResult};
use rapport_domain::person::NotificationKind;
use rapport_domain::policy::Actor;
use rapport_domain::{NotificationId, PersonId};
pub use rapport_store::NotificationRecord;
use rapport_store::Tx;

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

/// The bell: in-app notifications. Every email queued for a person (all but
/// account mail) leaves one, so the site shows the news even to someone who
/// switched that kind of email off.
impl App {
    /// Records an in-app notification for `person` (inside the use case's
    /// transaction, with the email it goes with).
    pub(crate) async fn notify_in_app(
        &self,
        tx: &mut Tx,
        person: PersonId,
        kind: NotificationKind,
        subject: &str,
        link: &str,
    ) -> AppResult<()> {
        tx.insert_notification(&NotificationRecord {
            id: NotificationId::new(),
            person_id: person,
            kind: kind.code().into(),
            subject: subject.into(),
            link: link.into(),
            created_at: self.now(),
            read_at: None,
        })
        .await?;
        Ok(())
    }

    /// One page of the actor's notifications, newest first.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn my_notifications(
        &self,
        actor: &Actor,
        list: &ListQuery,
    ) -> AppResult<Page<NotificationRecord>> {
        let (start, limit) = list.window()?;
        let mut tx = self.store.read().await?;
        Ok(tx.notifications_page(actor.person_id, start, limit).await?)
    }

    /// How many of the actor's notifications are unread.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn unread_notification_count(&self, actor: &Actor) -> AppResult<i64> {
        let mut tx = self.store.read().await?;
        Ok(tx.unread_notifications(actor.person_id).await?)
    }

    /// Marks the actor's notifications read: those named, or all with
    /// `None`. Ids that are not theirs (or already read) change nothing; the
    /// answer is how many changed.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn mark_notifications_read(
        &self,
        actor: &Actor,
        ids: Option<&[NotificationId]>,
    ) -> AppResult<u64> {
        if ids.is_some_and(|i| i.len() > crate::lists::MAX_LIMIT as usize) {
            return Err(AppError::invalid(
                "ids",
                format!(
                    "name at most {} notifications at a time, or mark them all read",
                    crate::lists::MAX_LIMIT
                ),
            ));
        }
        let mut tx = self.store.write().await?;
        let n = tx
            .mark_notifications_read(actor.person_id, ids, self.now())
            .await?;
        tx.commit().await?;
        Ok(n)
    }
}
