//! Calendars: what a session change means for members' calendars and
//! reminders. The session use cases call [`App::session_changed`] inside
//! their transaction after every change a calendar must see.
//!
//! Three ways a session reaches a calendar, all built by [`session_calendar`]:
//! - the `.ics` download of one session ([`App::session_ics`]);
//! - each person's private subscription feed ([`App::calendar_feed`]), a
//!   secret URL that lists the sessions of all their rooms;
//! - invitations by email (METHOD:REQUEST, and METHOD:CANCEL on
//!   cancellation), sent from the hook, because feeds refresh only every few
//!   hours and a change must reach calendars at once.
//!
//! Every event carries the session's stored UID (a random UUID, fixed for
//! ever, with no personal data) and SEQUENCE (one more on every change), and
//! its times in UTC. Only what every member of the room sees goes in: the
//! programme, the members' names, the shared agenda, the link and the place.
//! Nobody's address is in a download or a feed; an invitation names its own
//! recipient as the one ATTENDEE, and the site's sending address as ORGANIZER
//! (with the organiser's name), so no member's address reaches another and a
//! calendar's reply goes nowhere private.
//!
//! # Reminders
//! Reminders go out 24 hours and 1 hour before each scheduled session, to
//! each accepted member of an active room, under the `sessions` kind. They
//! are found by a sweep ([`App::sweep_session_reminders`]) that the job
//! worker runs on every poll, rather than by jobs queued when a session
//! changes: the sweep decides from the stored sessions and the clock alone,
//! so a reschedule, a cancellation, a member who leaves or a room that
//! pauses needs no job to be found and withdrawn, and a worker that was down
//! catches up on its next pass. Exactly once: the sweep records each reminder
//! in `session_reminders` (unique per session, member, kind and start time)
//! in the same transaction that queues its email, so neither a second pass,
//! a second worker nor a restart queues it again; a rescheduled session has
//! a new start time, and so reminders of its own. At least once: the email
//! is an outbox row delivered by the `send_email` job with retries, and its
//! Message-ID derives from the row's id, so a retry carries the same one.
//! The 24-hour reminder goes out while the session is between 24 hours and
//! 1 hour away (a session booked 30 minutes ahead gets only the 1-hour one).

use crate::emails::{SessionInvitation, SessionNews, SessionReminder};
use crate::secrets::{hash_token, random_token, sign};
use crate::{App, AppError, AppResult};
use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, EventLike, EventStatus, Property};
use lettre::message::Mailbox;
use rapport_domain::mentoring::{MemberState, RoomStatus, SessionStatus};
use rapport_domain::policy::Actor;
use rapport_domain::{PersonId, RoomId, SessionId};
use rapport_store::{Attachment, MemberRecord, ReminderKind, RoomRecord, SessionRecord, Tx};
use std::collections::HashMap;

/// What happened to a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionChange {
    /// Newly scheduled.
    Scheduled,
    /// Its time, length, agenda or place changed.
    Changed,
    /// Cancelled.
    Cancelled,
}

/// How far back a feed reaches: past sessions stay in subscribers'
/// calendars for eight weeks.
pub const FEED_PAST_MS: i64 = 8 * 7 * 24 * 60 * 60 * 1000;

/// How long a feed's reader may cache it (`Cache-Control: max-age`, and the
/// refresh interval the file suggests): an hour.
pub const FEED_MAX_AGE_SECONDS: i64 = 3600;

const HOUR_MS: i64 = 60 * 60 * 1000;

/// How long before the session each reminder goes out.
fn lead_ms(kind: ReminderKind) -> i64 {
    match kind {
        ReminderKind::Day => 24 * HOUR_MS,
        ReminderKind::Hour => HOUR_MS,
    }
}

/// An iCalendar method (RFC 5546): what a file asks of the calendar that reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// A download or a feed: here are the events.
    Publish,
    /// An invitation, new or changed.
    Request,
    /// A cancellation.
    Cancel,
}

impl Method {
    fn code(self) -> &'static str {
        match self {
            Self::Publish => "PUBLISH",
            Self::Request => "REQUEST",
            Self::Cancel => "CANCEL",
        }
    }
}

/// An `.ics` file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IcsFile {
    /// The download's file name, like `session-2030-01-15.ics`.
    pub filename: String,
    /// The iCalendar text (CRLF line ends, folded lines).
    pub text: String,
}

/// One session in a person's calendar.
#[derive(Clone, Debug)]
pub struct CalendarEntry {
    /// The session.
    pub session: SessionRecord,
    /// Its event's summary: `Programme: Ana & Bo`.
    pub summary: String,
}

/// What an event says about its session, besides the session row itself.
pub(crate) struct EventFacts {
    /// `Programme: Ana & Bo`.
    pub summary: String,
    /// The agenda as plain text, then the link and the session page.
    pub description: String,
    /// For an invitation: the organiser's name and the recipient (name, address).
    pub invitation: Option<(String, String, String)>,
}

/// `Mentoring: Ana & Bo`, `Circle: Ana, Bo & Cy`: the programme and the
/// current members' names.
pub(crate) fn summary(programme: &str, members: &[&MemberRecord]) -> String {
    let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
    let joined = match names.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} & {last}", rest.join(", ")),
    };
    if joined.is_empty() {
        programme.to_string()
    } else {
        format!("{programme}: {joined}")
    }
}

fn utc(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// One VEVENT for a session, as `method` needs it.
fn event(
    s: &SessionRecord,
    facts: &EventFacts,
    method: Method,
    from: &Mailbox,
    now: i64,
) -> icalendar::Event {
    let mut e = icalendar::Event::new();
    e.uid(&s.uid)
        .sequence(u32::try_from(s.sequence).unwrap_or(0))
        .timestamp(utc(now))
        .starts(utc(s.starts_at))
        .ends(utc(s.ends_at()))
        .summary(&facts.summary)
        .description(&facts.description)
        .status(
            if s.status == SessionStatus::Cancelled || method == Method::Cancel {
                EventStatus::Cancelled
            } else {
                EventStatus::Confirmed
            },
        );
    match (&s.place, &s.link) {
        (Some(place), _) => e.location(place),
        (None, Some(link)) => e.location(link),
        (None, None) => &mut e,
    };
    if let Some(link) = &s.link {
        e.url(link);
    }
    if let Some((organiser, name, address)) = &facts.invitation {
        let cn = from.name.as_deref().map_or_else(
            || organiser.clone(),
            |site| format!("{organiser} via {site}"),
        );
        e.append_property(
            Property::new("ORGANIZER", format!("mailto:{}", from.email))
                .add_parameter("CN", &cn)
                .done(),
        );
        e.append_multi_property(
            Property::new("ATTENDEE", format!("mailto:{address}"))
                .add_parameter("CN", name)
                .add_parameter("ROLE", "REQ-PARTICIPANT")
                .add_parameter(
                    "PARTSTAT",
                    if method == Method::Cancel {
                        "DECLINED"
                    } else {
                        "NEEDS-ACTION"
                    },
                )
                .add_parameter("RSVP", "FALSE")
                .done(),
        );
    }
    e.done()
}

/// A whole file: the calendar's header and one event per session.
fn calendar_text(method: Method, name: Option<&str>, events: Vec<icalendar::Event>) -> String {
    let mut c = Calendar::empty();
    c.append_property(("VERSION", "2.0"));
    c.append_property(("PRODID", "-//Rapport//Rapport mentoring//EN"));
    c.append_property(("CALSCALE", "GREGORIAN"));
    c.append_property(("METHOD", method.code()));
    if let Some(name) = name {
        c.name(name);
        c.ttl(&chrono::Duration::seconds(FEED_MAX_AGE_SECONDS));
    }
    for e in events {
        c.push(e);
    }
    c.done().to_string()
}

/// The calendar of one session, for tests and callers that have the facts.
pub(crate) fn session_calendar(
    s: &SessionRecord,
    facts: &EventFacts,
    method: Method,
    from: &Mailbox,
    now: i64,
) -> String {
    calendar_text(method, None, vec![event(s, facts, method, from, now)])
}

/// The file name of a session's download: its date where it was booked.
fn filename(s: &SessionRecord) -> String {
    let date = utc(s.starts_at)
        .with_timezone(&s.zone.tz())
        .format("%Y-%m-%d");
    format!("session-{date}.ics")
}

impl App {
    /// The site's sending address, which invitations name as ORGANIZER.
    fn calendar_from(&self) -> AppResult<Mailbox> {
        self.config.mail_from.parse().map_err(|e| {
            AppError::internal(
                format!(
                    "mail_from {:?} is not a valid address",
                    self.config.mail_from
                ),
                e,
            )
        })
    }

    /// The session's page, which every event links to.
    fn session_page(&self, s: &SessionRecord) -> String {
        format!("{}/sessions/{}", self.config.base_url, s.id)
    }

    /// What every member may see of a session, as an event's summary and
    /// description.
    fn facts(&self, s: &SessionRecord, room: &RoomRecord, programme: &str) -> EventFacts {
        let members: Vec<&MemberRecord> = room
            .members
            .iter()
            .filter(|m| m.state.holds_seat())
            .collect();
        let mut description = crate::markdown::plain(&s.agenda).trim().to_string();
        if let Some(link) = &s.link {
            description.push_str(&format!("\n\nJoin online: {link}"));
        }
        description.push_str(&format!("\n\nSession page: {}", self.session_page(s)));
        EventFacts {
            summary: summary(programme, &members),
            description: description.trim_start().to_string(),
            invitation: None,
        }
    }

    /// The `.ics` download of one session, for the room's members and the
    /// programme's managers; 404 for anyone else, like every room route.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, session = %id))]
    pub async fn session_ics(&self, actor: &Actor, id: SessionId) -> AppResult<IcsFile> {
        let not_found = || AppError::NotFound("that session was not found".into());
        let now = self.now();
        let mut tx = self.store.read().await?;
        let s = tx.session(id).await?.ok_or_else(not_found)?;
        let access = self
            .room_access(&mut tx, actor, s.room_id)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => not_found(),
                e => e,
            })?;
        let facts = self.facts(&s, &access.room, &access.programme.name);
        Ok(IcsFile {
            filename: filename(&s),
            text: session_calendar(&s, &facts, Method::Publish, &self.calendar_from()?, now),
        })
    }

    /// The actor's sessions from now on, in every room they are a member
    /// of, earliest first: what their feed holds ahead, for the calendar page.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn upcoming_sessions(&self, actor: &Actor) -> AppResult<Vec<CalendarEntry>> {
        let now = self.now();
        let mut tx = self.store.read().await?;
        let sessions = tx.sessions_of_person(actor.person_id, now).await?;
        let mut rooms: HashMap<RoomId, (RoomRecord, String)> = HashMap::new();
        let mut out = Vec::with_capacity(sessions.len());
        for s in sessions {
            if !cache_room(&mut tx, &mut rooms, s.room_id).await? {
                continue;
            }
            let (room, programme) = &rooms[&s.room_id];
            out.push(CalendarEntry {
                summary: self.facts(&s, room, programme).summary,
                session: s,
            });
        }
        Ok(out)
    }

    /// The secret of a feed: derived from the site key and the feed's
    /// nonce, so the account page can show the URL again while the database
    /// holds only its hash.
    fn feed_token(&self, person: PersonId, nonce: &str) -> String {
        sign(&self.secret, &format!("calendar-feed:{person}:{nonce}"))
    }

    fn feed_url(&self, token: &str) -> String {
        format!("{}/calendar/{token}.ics", self.config.base_url)
    }

    /// The actor's private feed URL, created on first use.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn calendar_feed_url(&self, actor: &Actor) -> AppResult<String> {
        let mut tx = self.store.write().await?;
        let nonce = match tx.calendar_feed_nonce(actor.person_id).await? {
            Some(n) => n,
            None => {
                let n = random_token();
                let token = self.feed_token(actor.person_id, &n);
                tx.set_calendar_feed(actor.person_id, &n, &hash_token(&token), self.now())
                    .await?;
                n
            }
        };
        tx.commit().await?;
        Ok(self.feed_url(&self.feed_token(actor.person_id, &nonce)))
    }

    /// Replaces the actor's feed URL; the old one answers 404 from now on.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn reset_calendar_feed(&self, actor: &Actor) -> AppResult<String> {
        let nonce = random_token();
        let token = self.feed_token(actor.person_id, &nonce);
        let mut tx = self.store.write().await?;
        tx.set_calendar_feed(actor.person_id, &nonce, &hash_token(&token), self.now())
            .await?;
        tx.commit().await?;
        Ok(self.feed_url(&token))
    }

    /// The feed behind `/calendar/{file}`: `file` is `{token}.ics`. The
    /// sessions of every room the token's owner is a member of, from
    /// [`FEED_PAST_MS`] ago on, cancelled ones as STATUS:CANCELLED. Anything
    /// else, an unknown token or a reset one, is 404.
    #[tracing::instrument(skip_all)]
    pub async fn calendar_feed(&self, file: &str) -> AppResult<String> {
        let not_found = || AppError::NotFound("there is no calendar at this address".into());
        let token = file.strip_suffix(".ics").ok_or_else(not_found)?;
        if token.is_empty() {
            return Err(not_found());
        }
        let now = self.now();
        let mut tx = self.store.read().await?;
        let person = tx
            .calendar_feed_owner(&hash_token(token))
            .await?
            .ok_or_else(not_found)?;
        let from = self.calendar_from()?;
        let sessions = tx.sessions_of_person(person, now - FEED_PAST_MS).await?;
        let mut rooms: HashMap<RoomId, (RoomRecord, String)> = HashMap::new();
        let mut events = Vec::with_capacity(sessions.len());
        for s in &sessions {
            if !cache_room(&mut tx, &mut rooms, s.room_id).await? {
                continue;
            }
            let (room, programme) = &rooms[&s.room_id];
            let facts = self.facts(s, room, programme);
            events.push(event(s, &facts, Method::Publish, &from, now));
        }
        let name = format!("{} sessions", crate::mail::organisation(&self.config));
        Ok(calendar_text(Method::Publish, Some(&name), events))
    }

    /// Hook for invitations (METHOD:REQUEST / CANCEL), run in the caller's
    /// transaction. The one acting is taken from the session: its organiser
    /// when it is scheduled, whoever cancelled it when it is cancelled; on
    /// other changes every member hears (use [`App::session_changed_by`] to
    /// leave out the one who made the change). Reminders need nothing from
    /// here: the sweep reads the stored session.
    #[allow(dead_code)]
    pub(crate) async fn session_changed(
        &self,
        tx: &mut Tx,
        session: SessionId,
        change: SessionChange,
        now: i64,
    ) -> AppResult<()> {
        self.session_changed_by(tx, session, change, None, now)
            .await
    }

    /// Like [`App::session_changed`], naming the one acting, who gets no
    /// invitation of their own change. Every other current member gets an
    /// email with the `.ics` file attached (METHOD:REQUEST when scheduled or
    /// changed, METHOD:CANCEL when cancelled), times in their own zone,
    /// unless they switched session emails off.
    pub(crate) async fn session_changed_by(
        &self,
        tx: &mut Tx,
        session: SessionId,
        change: SessionChange,
        actor: Option<PersonId>,
        now: i64,
    ) -> AppResult<()> {
        let s = tx
            .session(session)
            .await?
            .ok_or_else(|| AppError::internal_msg(format!("session {session} vanished")))?;
        let room = tx
            .room(s.room_id)
            .await?
            .ok_or_else(|| AppError::internal_msg(format!("room {} vanished", s.room_id)))?;
        let programme = tx
            .programme(room.programme_id)
            .await?
            .map(|p| p.name)
            .unwrap_or_default();
        let acting = actor.or(match change {
            SessionChange::Scheduled => s.organiser_id,
            SessionChange::Cancelled => s.cancelled_by,
            SessionChange::Changed => None,
        });
        let name_of = |id: Option<PersonId>| {
            id.and_then(|id| room.members.iter().find(|m| m.person_id == id))
                .map(|m| m.name.clone())
        };
        let organiser = name_of(s.organiser_id).unwrap_or_else(|| "A former member".into());
        let by = name_of(acting);
        let method = if change == SessionChange::Cancelled {
            Method::Cancel
        } else {
            Method::Request
        };
        let from = self.calendar_from()?;
        let base = self.facts(&s, &room, &programme);
        for m in room.members.iter().filter(|m| m.state.holds_seat()) {
            if Some(m.person_id) == acting {
                continue;
            }
            let zone = self.zone_of(tx, m.person_id).await?;
            let facts = EventFacts {
                invitation: Some((organiser.clone(), m.name.clone(), m.email.clone())),
                summary: base.summary.clone(),
                description: base.description.clone(),
            };
            let attachment = Attachment {
                name: filename(&s),
                content_type: format!("text/calendar; method={}", method.code()),
                text: session_calendar(&s, &facts, method, &from, now),
            };
            let mail = SessionInvitation {
                name: m.name.clone(),
                programme: programme.clone(),
                with: others(&room, m.person_id),
                when: zone.local_at(s.starts_at, now),
                minutes: s.minutes,
                agenda: crate::markdown::plain(&s.agenda).trim().to_string(),
                link: s.link.clone(),
                place: s.place.clone(),
                session: s.id.to_string(),
                news: match change {
                    SessionChange::Scheduled => SessionNews::Scheduled,
                    SessionChange::Changed => SessionNews::Changed,
                    SessionChange::Cancelled => SessionNews::Cancelled {
                        reason: s.cancel_reason.clone().filter(|r| !r.trim().is_empty()),
                    },
                },
                by: by.clone(),
            };
            self.queue_mail_with(tx, Some(m.person_id), &m.email, &mail, Some(&attachment))
                .await?;
        }
        Ok(())
    }

    /// Queues the reminders that are due: see the module's doc. Safe to run
    /// on every poll; returns how many it queued.
    #[tracing::instrument(skip_all)]
    pub async fn sweep_session_reminders(&self) -> AppResult<usize> {
        let now = self.now();
        // Most passes find nothing: they only read, and never wait for the
        // write lock.
        let mut dues = vec![];
        let mut tx = self.store.read().await?;
        for kind in ReminderKind::ALL {
            // The 24-hour reminder stops where the 1-hour one starts.
            let after = match kind {
                ReminderKind::Day => now + lead_ms(ReminderKind::Hour),
                ReminderKind::Hour => now,
            };
            for due in tx.reminders_due(kind, after, now + lead_ms(kind)).await? {
                dues.push((kind, due));
            }
        }
        drop(tx);
        if dues.is_empty() {
            return Ok(0);
        }
        let mut tx = self.store.write().await?;
        let mut queued = 0;
        let mut rooms: HashMap<RoomId, (RoomRecord, String)> = HashMap::new();
        for (kind, due) in dues {
            // Read again under the write lock: the session may have moved or
            // been cancelled since, and the room may have paused.
            let Some(s) = tx.session(due.session_id).await? else {
                continue;
            };
            if s.status != SessionStatus::Scheduled || s.starts_at != due.starts_at {
                continue;
            }
            if !cache_room(&mut tx, &mut rooms, s.room_id).await? {
                continue;
            }
            let (room, programme) = &rooms[&s.room_id];
            let Some(m) = room
                .members
                .iter()
                .find(|m| m.person_id == due.person_id && m.state == MemberState::Accepted)
            else {
                continue;
            };
            if room.status != RoomStatus::Active || !tx.record_reminder(&due, kind, now).await? {
                continue;
            }
            let zone = self.zone_of(&mut tx, m.person_id).await?;
            let mail = SessionReminder {
                name: m.name.clone(),
                programme: programme.clone(),
                with: others(room, m.person_id),
                when: zone.local_at(s.starts_at, now),
                soon: kind == ReminderKind::Hour,
                minutes: s.minutes,
                link: s.link.clone(),
                place: s.place.clone(),
                session: s.id.to_string(),
            };
            self.queue_mail(&mut tx, Some(m.person_id), &m.email, &mail)
                .await?;
            queued += 1;
        }
        tx.commit().await?;
        Ok(queued)
    }
}

/// Loads a room and its programme's name into `cache`, once; false when the
/// room is gone.
async fn cache_room(
    tx: &mut Tx,
    cache: &mut HashMap<RoomId, (RoomRecord, String)>,
    id: RoomId,
) -> AppResult<bool> {
    if let std::collections::hash_map::Entry::Vacant(e) = cache.entry(id) {
        let Some(room) = tx.room(id).await? else {
            return Ok(false);
        };
        let programme = tx
            .programme(room.programme_id)
            .await?
            .map(|p| p.name)
            .unwrap_or_default();
        e.insert((room, programme));
    }
    Ok(true)
}

/// The other current members' names, for "your session with …".
fn others(room: &RoomRecord, me: PersonId) -> String {
    let names: Vec<&str> = room
        .members
        .iter()
        .filter(|m| m.person_id != me && m.state.holds_seat())
        .map(|m| m.name.as_str())
        .collect();
    match names.split_last() {
        None => "your room".into(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(feature = "testing")]
impl App {
    /// Runs the calendar hook in its own transaction, as a session use case
    /// would inside its own (tests of the calendar only; the session use
    /// cases call the hook themselves).
    pub async fn session_changed_for_tests(
        &self,
        session: SessionId,
        change: SessionChange,
        actor: Option<PersonId>,
    ) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        self.session_changed_by(&mut tx, session, change, actor, now)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
