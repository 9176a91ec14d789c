//! The signed-in person as every page needs them: who they are (the actor),
//! their name and zone for the layout, and the counts the navigation shows,
//! read in one transaction per page (issue 17, "Performance": a page used to
//! open five read transactions before reading anything of its own).

use crate::{Actor, App, AppResult};
use rapport_domain::values::TimeZoneName;
use rapport_domain::{LoginSessionId, RoomId};

/// What every signed-in page reads about its viewer.
#[derive(Clone, Debug)]
pub struct PageViewer {
    /// The actor.
    pub actor: Actor,
    /// The sign-in session the cookie names.
    pub session: LoginSessionId,
    /// Display name (their profile's).
    pub name: String,
    /// The zone their pages show times in (their profile's).
    pub time_zone: TimeZoneName,
    /// Unread messages per room, rooms with none left out.
    pub unread: Vec<(RoomId, i64)>,
    /// Unread in-app notifications.
    pub unread_notifications: i64,
}

impl App {
    /// The viewer behind a session cookie: the same answers as
    /// [`App::authenticate_session`], [`App::profile`] (of oneself),
    /// [`App::unread_counts`] and [`App::unread_notification_count`], from
    /// one read transaction. The session's expiry slides as
    /// `authenticate_session` slides it (a write of its own, at most every
    /// five minutes).
    #[tracing::instrument(skip_all)]
    pub async fn page_viewer(&self, token: &str) -> AppResult<PageViewer> {
        let mut tx = self.store.read().await?;
        let owner = self.session_owner(&mut tx, token).await?;
        if self.session_touch_due(&owner) {
            // Not while holding a read connection: under load every request
            // could hold one and wait for another.
            drop(tx);
            self.touch_session_if_due(&owner).await?;
            tx = self.store.read().await?;
        }
        let (actor, record) = self.actor_in(&mut tx, owner.person_id).await?;
        let unread = tx.unread_counts(owner.person_id).await?;
        let unread_notifications = tx.unread_notifications(owner.person_id).await?;
        Ok(PageViewer {
            actor,
            session: LoginSessionId(owner.credential_id),
            name: record.profile.name,
            time_zone: record.profile.time_zone,
            unread,
            unread_notifications,
        })
    }
}
