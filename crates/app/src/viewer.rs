//! The signed-in person as every page needs them: who they are (the actor),
//! their name and zone for the layout, and the counts the navigation shows,
//! read in one transaction per page (issue 17, "Performance": a page used to
//! open five read transactions before reading anything of its own).

use crate::accounts::session_ended;
use crate::inbox::InboxFacts;
use crate::secrets::hash_token;
use crate::{Actor, App, AppError, AppResult};
use rapport_domain::values::TimeZoneName;
use rapport_domain::{LoginSessionId, RoomId};
use rapport_store::{PersonRecord, SignedIn, Tx, ViewerCounts};

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
    /// Whether they have taken the needs check (the start page's
    /// checklist).
    pub took_needs_check: bool,
    /// What the counts say the start page's inbox need not read: a
    /// reflection prompt never sent, rooms or requests they have none of.
    pub(crate) inbox: InboxFacts,
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
        // The session, its person and their roles in one statement, the
        // counts in another: each statement is a round trip to the
        // database's thread (or server).
        let ApiRead {
            tx,
            actor,
            me: record,
            credential,
            counts,
        } = self
            .api_read_with(ApiReader::Session(token), false, true)
            .await?;
        let counts = counts.ok_or_else(|| AppError::internal_msg("a page read lost its counts"))?;
        let inbox = InboxFacts::from(&counts);
        let viewer = PageViewer {
            actor,
            session: LoginSessionId(credential),
            name: record.profile.name.clone(),
            time_zone: record.profile.time_zone.clone(),
            unread: counts.unread,
            unread_notifications: counts.unread_notifications,
            took_needs_check: counts.took_needs_check,
            inbox,
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

/// Who an API call reads for: its credential, checked in the call's own
/// read transaction ([`App::api_read`]). The hot reads of the API (the
/// directory, one's own profile, rooms and requests) take one, so that a
/// call is one read: on PostgreSQL each transaction is a `BEGIN` and a
/// `ROLLBACK` (with sqlx's ping on release), two round trips of a search's
/// eight (issue 20).
#[derive(Clone, Copy, Debug)]
pub enum ApiReader<'a> {
    /// A bearer token.
    Token(&'a str),
    /// A session cookie.
    Session(&'a str),
}

/// An API call's read: the transaction, the actor, their own record, and
/// the credential's id (the token's or the sign-in session's).
pub(crate) struct ApiRead {
    pub tx: Tx,
    pub actor: Actor,
    pub me: PersonRecord,
    pub credential: uuid::Uuid,
    /// The viewer's counts, when asked for and read with a session cookie
    /// ([`App::api_read_with`]).
    pub counts: Option<ViewerCounts>,
}

impl App {
    /// Checks `who` and reads its person and roles in a read transaction
    /// left open for the call's own reads; `generic` begins it with
    /// [`rapport_store::Store::read_generic_plans`]. A token's use (or a
    /// session's expiry) is recorded at most every five minutes, in a write
    /// of its own, so that a client's reads do not each become a write
    /// (issue 20); the person is then read again, after the write.
    pub(crate) async fn api_read(&self, who: ApiReader<'_>, generic: bool) -> AppResult<ApiRead> {
        self.api_read_with(who, generic, false).await
    }

    /// [`App::api_read`]; with `counts`, a session cookie's read also
    /// brings the viewer's counts ([`Tx::viewer_counts`]) in the same
    /// statement (every page's navigation shows them).
    pub(crate) async fn api_read_with(
        &self,
        who: ApiReader<'_>,
        generic: bool,
        counts: bool,
    ) -> AppResult<ApiRead> {
        let begin = || async {
            if generic {
                self.store.read_generic_plans().await
            } else {
                self.store.read().await
            }
        };
        let now = self.now();
        let mut tx = begin().await?;
        let (signed_in, counts) = match who {
            ApiReader::Token(token) => {
                let unknown =
                    || AppError::Unauthenticated("the API token is unknown or revoked".into());
                let hash = hash_token(token);
                let signed_in = tx.api_token_person(&hash).await?.ok_or_else(unknown)?;
                if now - signed_in.owner.last_seen_at > 5 * 60_000 {
                    // Not while holding a read connection (see `page_viewer`).
                    drop(tx);
                    let mut write = self.store.write().await?;
                    let owner = write.use_api_token(&hash, now).await?.ok_or_else(unknown)?;
                    write.touch_person(owner.person_id, now).await?;
                    write.commit().await?;
                    tx = begin().await?;
                    (tx.api_token_person(&hash).await?.ok_or_else(unknown)?, None)
                } else {
                    (signed_in, None)
                }
            }
            ApiReader::Session(token) => {
                let hash = hash_token(token);
                let (signed_in, c) = session_read(&mut tx, &hash, now, counts)
                    .await?
                    .ok_or_else(session_ended)?;
                if self.session_touch_due(&signed_in.owner) {
                    drop(tx);
                    self.touch_session_if_due(&signed_in.owner).await?;
                    tx = begin().await?;
                    session_read(&mut tx, &hash, now, counts)
                        .await?
                        .ok_or_else(session_ended)?
                } else {
                    (signed_in, c)
                }
            }
        };
        let credential = signed_in.owner.credential_id;
        let (actor, me) = self.actor_with(signed_in.person, signed_in.roles)?;
        Ok(ApiRead {
            tx,
            actor,
            me,
            credential,
            counts,
        })
    }
}

/// A session's person and roles, with their counts when `counts` (one
/// statement either way).
async fn session_read(
    tx: &mut Tx,
    hash: &str,
    now: i64,
    counts: bool,
) -> AppResult<Option<(SignedIn, Option<ViewerCounts>)>> {
    Ok(if counts {
        tx.session_viewer(hash, now)
            .await?
            .map(|(s, c)| (s, Some(c)))
    } else {
        tx.session_person(hash, now).await?.map(|s| (s, None))
    })
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
