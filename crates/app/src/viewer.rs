//! The signed-in person as every page needs them: who they are (the actor),
//! their name and zone for the layout, and the counts the navigation shows,
//! read in one transaction per page (issue 17, "Performance": a page used to
//! open five read transactions before reading anything of its own).

use crate::accounts::session_ended;
use crate::secrets::hash_token;
use crate::{Actor, App, AppResult};
use rapport_domain::values::TimeZoneName;
use rapport_domain::{LoginSessionId, RoomId};
use rapport_store::{PersonRecord, Tx};

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
        Ok(self.page_viewer_person(token).await?.0)
    }

    /// [`App::page_viewer`], with the viewer's own record as read (for a
    /// page that shows their profile: no second read of it) and the read
    /// transaction still open for the page's own reads: a room tab reads its
    /// viewer and its content in one transaction ([`PageReader::Session`]).
    async fn page_viewer_person(&self, token: &str) -> AppResult<(PageViewer, PersonRecord, Tx)> {
        let mut tx = self.store.read().await?;
        // The session and its person in one statement, the unread counts in
        // another: each statement is a round trip to the database's thread.
        let (owner, record) = tx
            .session_person(&hash_token(token), self.now())
            .await?
            .ok_or_else(session_ended)?;
        if self.session_touch_due(&owner) {
            // Not while holding a read connection: under load every request
            // could hold one and wait for another.
            drop(tx);
            self.touch_session_if_due(&owner).await?;
            tx = self.store.read().await?;
        }
        let (actor, record) = self.actor_of(&mut tx, record).await?;
        let (unread, unread_notifications) = tx.unread_summary(owner.person_id).await?;
        let viewer = PageViewer {
            actor,
            session: LoginSessionId(owner.credential_id),
            name: record.profile.name.clone(),
            time_zone: record.profile.time_zone.clone(),
            unread,
            unread_notifications,
        };
        Ok((viewer, record, tx))
    }

    /// A read transaction for a page, and the actor it reads for: with the
    /// viewer read in it when `reader` is a session cookie.
    pub(crate) async fn page_read(
        &self,
        reader: PageReader<'_>,
    ) -> AppResult<(Tx, Actor, Option<PageViewer>)> {
        let (tx, actor, viewer, _) = self.page_read_person(reader).await?;
        Ok((tx, actor, viewer))
    }

    /// [`App::page_read`], with the reader's own record when the read
    /// already had it (a session cookie).
    pub(crate) async fn page_read_person(
        &self,
        reader: PageReader<'_>,
    ) -> AppResult<(Tx, Actor, Option<PageViewer>, Option<PersonRecord>)> {
        match reader {
            PageReader::Actor(actor) => Ok((self.store.read().await?, actor.clone(), None, None)),
            PageReader::Session(token) => {
                let (viewer, me, tx) = self.page_viewer_person(token).await?;
                Ok((tx, viewer.actor.clone(), Some(viewer), Some(me)))
            }
        }
    }
}

/// Who a page is read for.
#[derive(Clone, Copy, Debug)]
pub enum PageReader<'a> {
    /// An actor the caller already has (a form shown again with its errors,
    /// after the request's viewer was read).
    Actor(&'a Actor),
    /// A session cookie: the viewer is read as [`App::page_viewer`] reads
    /// it, in the page's own read transaction (one round of BEGIN, ROLLBACK
    /// and pool checkout fewer per page; issue 17, "Performance"), and the
    /// page's answer carries it.
    Session(&'a str),
}
