//! Sessions: a room's meetings, from proposal to held, cancelled or missed,
//! with rescheduling, attendance, shared notes, action items that carry over,
//! and blind feedback.
//!
//! Every use case starts from [`App::room_access`] (404 for people outside
//! the room). Members write; the programme's managers read, and see every
//! member's feedback, which no member sees of another. Times are stored as
//! UTC instants with the organiser's zone; a repeating series keeps its local
//! wall-clock time (see `rapport_domain::sessions`).
//!
//! Moving a session is in [`reschedule`]; action items and feedback, the
//! work that follows a session, in [`follow_up`].

mod follow_up;
mod reschedule;

use crate::calendar::SessionChange;
use crate::markdown;
use crate::rooms::RoomAccess;
use crate::{App, AppError, AppResult};
use rapport_domain::mentoring::{Attendance, SessionStatus};
use rapport_domain::policy::Actor;
use rapport_domain::programme::Cadence;
use rapport_domain::sessions::{self as rules, MemberAvailability, RescheduleStatus};
use rapport_domain::values::TimeZoneName;
use rapport_domain::{Invalid, PersonId, RoomId, SeriesId, SessionId};
use rapport_store::{
    ActionItemRecord, ActivityKind, FeedbackRecord, MemberRecord, RescheduleRecord, SessionRecord,
    Tx,
};

/// The longest agenda, notes text or feedback comment, in characters.
pub const MAX_TEXT: usize = 20_000;
/// How far ahead suggested times are looked for, in days.
pub const SUGGESTION_DAYS: i64 = 14;

/// When a session starts, as a client gives it: either an RFC 3339 instant
/// (`starts_at`, e.g. `2026-12-08T14:30:00Z`), or a local date and time with
/// an IANA zone (`date` `2026-12-08`, `time` `14:30`, `zone`
/// `Europe/Lisbon`). The zone defaults to the organiser's profile zone; it is
/// the zone a repeating series keeps its wall-clock time in.
#[derive(Clone, Debug, Default)]
pub struct StartInput {
    /// An RFC 3339 instant.
    pub starts_at: Option<String>,
    /// A local date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// A local time, `HH:MM`.
    pub time: Option<String>,
    /// The IANA zone of `date` and `time` (and of the series).
    pub zone: Option<String>,
}

/// A proposed session (or series).
#[derive(Clone, Debug, Default)]
pub struct ScheduleInput {
    /// When the (first) session starts.
    pub start: StartInput,
    /// Length in minutes.
    pub minutes: i64,
    /// Agenda (Markdown).
    pub agenda: String,
    /// Online link (http/https), or empty.
    pub link: String,
    /// Place, or empty.
    pub place: String,
    /// `weekly`, `every_two_weeks` or `monthly` to repeat; empty for a one-off.
    pub repeat: String,
    /// How many occurrences a repeating series has (2 to 52).
    pub occurrences: i64,
}

/// Changes to a session: its details (while it is scheduled) and its shared
/// notes (at any time). Fields left out stay as they are.
#[derive(Clone, Debug, Default)]
pub struct SessionEdit {
    /// Length in minutes.
    pub minutes: Option<i64>,
    /// Agenda (Markdown).
    pub agenda: Option<String>,
    /// Online link; empty removes it.
    pub link: Option<String>,
    /// Place; empty removes it.
    pub place: Option<String>,
    /// Shared notes (Markdown).
    pub notes: Option<String>,
}

/// A move to held, cancelled or missed.
#[derive(Clone, Debug, Default)]
pub struct StatusInput {
    /// `held`, `cancelled` or `missed`.
    pub status: String,
    /// For `held`: each current member's `attended`, `late` or `no_show`,
    /// keyed by person id.
    pub attendance: Vec<(String, String)>,
    /// For `cancelled`: why.
    pub reason: String,
}

/// A new action item, or changes to one (fields left out stay).
#[derive(Clone, Debug, Default)]
pub struct ActionItemInput {
    /// What to do.
    pub title: Option<String>,
    /// Who does it: a current member's id.
    pub owner_id: Option<String>,
    /// Due date `YYYY-MM-DD`; empty for none.
    pub due_on: Option<String>,
    /// Done or not.
    pub done: Option<bool>,
}

/// A suggested start, shown in the viewer's zone.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SuggestedTime {
    /// The start (UTC ms).
    pub starts_at: i64,
    /// The start in the viewer's zone, with the zone named.
    pub local: String,
    /// The viewer's local date (`YYYY-MM-DD`) and time (`HH:MM`), for the
    /// propose form.
    pub date: String,
    /// See `date`.
    pub time: String,
}

/// Suggested times for a room.
#[derive(Clone, Debug)]
pub struct Suggestions {
    /// The viewer's zone, in which `times` are shown.
    pub zone: TimeZoneName,
    /// The length asked for.
    pub minutes: i32,
    /// The next times everyone who set availability is free.
    pub times: Vec<SuggestedTime>,
    /// Members who have not set weekly availability (they do not constrain
    /// the search).
    pub without_availability: Vec<String>,
}

/// A room's sessions as one viewer sees them.
#[derive(Clone, Debug)]
pub struct RoomSessions {
    /// The viewer's standing in the room.
    pub access: RoomAccess,
    /// Every session, earliest first.
    pub sessions: Vec<SessionRecord>,
    /// The cadence a series repeats on by default (the programme's).
    pub cadence: Cadence,
    /// The viewer may propose sessions.
    pub can_propose: bool,
}

/// One session as one viewer sees it.
#[derive(Clone, Debug)]
pub struct SessionView {
    /// The viewer's standing in the session's room.
    pub access: RoomAccess,
    /// The session.
    pub session: SessionRecord,
    /// The agenda, rendered.
    pub agenda_html: String,
    /// Shared notes (Markdown), when the viewer may read them.
    pub notes: Option<String>,
    /// The notes, rendered.
    pub notes_html: String,
    /// How each member attended (held sessions).
    pub attendance: Vec<(PersonId, Attendance)>,
    /// Action items written in this session (when the viewer may read them).
    pub items: Vec<ActionItemRecord>,
    /// Open action items of earlier sessions, carried over.
    pub carried: Vec<ActionItemRecord>,
    /// The open proposal to move it.
    pub reschedule: Option<RescheduleRecord>,
    /// The feedback the viewer may read: their own, or everyone's for a manager.
    pub feedback: Vec<FeedbackRecord>,
    /// The viewer may give feedback now.
    pub can_give_feedback: bool,
    /// The programme's lateness rule, in minutes.
    pub late_after_minutes: u32,
    /// Session notes and action items are hidden from this viewer (a manager
    /// of a programme that keeps them to the members).
    pub private_to_members: bool,
}

impl SessionView {
    /// The viewer may write in the room (a current member of an open room).
    pub fn writable(&self) -> bool {
        self.access.member_writes().is_ok()
    }

    /// The name of a member (or "a former member").
    pub fn name_of(&self, id: Option<PersonId>) -> String {
        id.and_then(|id| self.access.room.members.iter().find(|m| m.person_id == id))
            .map_or_else(|| "a former member".into(), |m| m.name.clone())
    }
}

/// The action items of a session.
#[derive(Clone, Debug)]
pub struct ActionItems {
    /// Written in this session.
    pub items: Vec<ActionItemRecord>,
    /// Open items of earlier sessions, carried over.
    pub carried: Vec<ActionItemRecord>,
}

/// Collects a check's invalid fields into `errors` (so every bad field is
/// reported at once); any other error stops the use case.
fn gather<T>(r: AppResult<T>, errors: &mut Vec<Invalid>) -> AppResult<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(AppError::Invalid(v)) => {
            errors.extend(v);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

fn one(e: Invalid) -> AppError {
    AppError::Invalid(vec![e])
}

fn session_not_found() -> AppError {
    AppError::NotFound("that session was not found".into())
}

fn session_moved() -> AppError {
    AppError::Conflict {
        field: Some("status"),
        message: "this session changed while you were working on it; reload and try again".into(),
    }
}

/// The current members (invited or accepted).
fn current(access: &RoomAccess) -> Vec<&MemberRecord> {
    access
        .room
        .members
        .iter()
        .filter(|m| m.state.holds_seat())
        .collect()
}

/// Checks a Markdown text: no HTML or `javascript:` links, at most [`MAX_TEXT`].
fn text(field: &'static str, raw: &str) -> AppResult<String> {
    let s = raw.trim();
    if s.chars().count() > MAX_TEXT {
        return Err(AppError::invalid(
            field,
            format!("{field} can be at most {MAX_TEXT} characters"),
        ));
    }
    markdown::check(field, s)?;
    Ok(s.to_string())
}

fn place(raw: &str) -> AppResult<Option<String>> {
    let s = raw.trim();
    if s.chars().count() > 300 {
        return Err(AppError::invalid(
            "place",
            "place can be at most 300 characters",
        ));
    }
    markdown::check("place", s)?;
    Ok((!s.is_empty()).then(|| s.to_string()))
}

impl StartInput {
    /// The local wall-clock start and its zone. `default_zone` is the
    /// organiser's profile zone.
    fn resolve(
        &self,
        default_zone: &TimeZoneName,
    ) -> Result<(chrono::NaiveDateTime, TimeZoneName), Vec<Invalid>> {
        let zone = match self
            .zone
            .as_deref()
            .map(str::trim)
            .filter(|z| !z.is_empty())
        {
            Some(z) => TimeZoneName::parse("zone", z).map_err(|e| vec![e])?,
            None => default_zone.clone(),
        };
        if let Some(raw) = self
            .starts_at
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let at = chrono::DateTime::parse_from_rfc3339(raw).map_err(|_| {
                vec![Invalid::new(
                    "starts_at",
                    "starts_at must be an RFC 3339 time such as 2026-12-08T14:30:00Z",
                )]
            })?;
            let local = rules::utc_to_local(zone.tz(), at.timestamp_millis())
                .ok_or_else(|| vec![Invalid::new("starts_at", "starts_at is out of range")])?;
            return Ok((local, zone));
        }
        let date = self.date.as_deref().unwrap_or_default();
        let time = self.time.as_deref().unwrap_or_default();
        if date.trim().is_empty() && time.trim().is_empty() {
            return Err(vec![Invalid::new(
                "starts_at",
                "give starts_at (an RFC 3339 time), or a date and time with a zone",
            )]);
        }
        rules::parse_local(date, time)
            .map(|l| (l, zone))
            .map_err(|e| vec![e])
    }

    /// Which field a start in the past is reported on.
    fn field(&self) -> &'static str {
        if self
            .starts_at
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty())
        {
            "starts_at"
        } else {
            "date"
        }
    }
}

impl App {
    /// The session and the actor's standing in its room (404 for anyone
    /// outside the room, and for sessions that do not exist).
    async fn session_access(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: SessionId,
    ) -> AppResult<(SessionRecord, RoomAccess)> {
        let s = tx.session(id).await?.ok_or_else(session_not_found)?;
        let access = self
            .room_access(tx, actor, s.room_id)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => session_not_found(),
                e => e,
            })?;
        Ok((s, access))
    }

    /// The zone of a person's profile (UTC when they have none or their
    /// account is gone).
    pub(crate) async fn zone_of(&self, tx: &mut Tx, person: PersonId) -> AppResult<TimeZoneName> {
        Ok(tx
            .person(person)
            .await?
            .map(|p| p.profile.time_zone)
            .unwrap_or_default())
    }

    /// The zone a person reads times in (their profile's; UTC when unset).
    pub async fn time_zone_of(&self, person: PersonId) -> AppResult<TimeZoneName> {
        let mut tx = self.store.read().await?;
        self.zone_of(&mut tx, person).await
    }

    /// A room's sessions, for its members and the programme's managers.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room))]
    pub async fn room_sessions(&self, actor: &Actor, room: RoomId) -> AppResult<RoomSessions> {
        let mut tx = self.store.read().await?;
        let access = self.room_access(&mut tx, actor, room).await?;
        let sessions = tx.sessions_of_room(room).await?;
        let can_propose = access.member_writes().is_ok();
        Ok(RoomSessions {
            cadence: access.programme.cadence,
            access,
            sessions,
            can_propose,
        })
    }

    /// One page of a room's sessions, latest start first (the API's list).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room))]
    pub async fn room_sessions_page(
        &self,
        actor: &Actor,
        room: RoomId,
        query: &crate::lists::ListQuery,
    ) -> AppResult<crate::lists::Page<SessionRecord>> {
        let (start, limit) = query.window()?;
        let mut tx = self.store.read().await?;
        self.room_access(&mut tx, actor, room).await?;
        Ok(tx.sessions_of_room_page(room, start, limit).await?)
    }

    /// A member proposes a session, or a series repeating on a cadence (one
    /// session per occurrence, sharing a series id). Returns the new ids,
    /// earliest first.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room))]
    pub async fn schedule_session(
        &self,
        actor: &Actor,
        room: RoomId,
        input: &ScheduleInput,
    ) -> AppResult<Vec<SessionId>> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let access = self.room_access(&mut tx, actor, room).await?;
        access.member_writes()?;
        let default_zone = self.zone_of(&mut tx, actor.person_id).await?;
        let mut errors = vec![];
        let start = input
            .start
            .resolve(&default_zone)
            .map_err(|e| errors.extend(e))
            .ok();
        let minutes = rules::check_minutes(input.minutes)
            .map_err(|e| errors.push(e))
            .ok();
        let link = rules::check_link(&input.link)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let repeat = input.repeat.trim();
        let (cadence, count) = if repeat.is_empty() || repeat == "none" {
            (Cadence::Weekly, 1)
        } else {
            let c = Cadence::parse("repeat", repeat)
                .map_err(|e| errors.push(e))
                .unwrap_or(Cadence::Weekly);
            if !(2..=i64::from(rules::MAX_OCCURRENCES)).contains(&input.occurrences) {
                errors.push(Invalid::new(
                    "occurrences",
                    format!(
                        "a repeating session has 2 to {} occurrences",
                        rules::MAX_OCCURRENCES
                    ),
                ));
            }
            (
                c,
                input
                    .occurrences
                    .clamp(1, i64::from(rules::MAX_OCCURRENCES)) as u32,
            )
        };
        let agenda = gather(text("agenda", &input.agenda), &mut errors)?;
        let place = gather(place(&input.place), &mut errors)?;
        let times = start
            .as_ref()
            .map(|(local, zone)| rules::occurrences(zone.tz(), *local, cadence, count))
            .unwrap_or_default();
        if times.first().is_some_and(|t| *t <= now) {
            errors.push(Invalid::new(
                input.start.field(),
                "the session must start in the future",
            ));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let (Some((_, zone)), Some(minutes), Some(agenda), Some(place)) =
            (start, minutes, agenda, place)
        else {
            return Err(AppError::internal_msg(
                "session input checked but incomplete",
            ));
        };
        let series_id = (times.len() > 1).then(SeriesId::new);
        let mut ids = vec![];
        for starts_at in times {
            let s = SessionRecord {
                id: SessionId::new(),
                room_id: room,
                series_id,
                organiser_id: Some(actor.person_id),
                starts_at,
                minutes,
                zone: zone.clone(),
                agenda: agenda.clone(),
                link: link.clone(),
                place: place.clone(),
                status: SessionStatus::Scheduled,
                cancelled_by: None,
                cancel_reason: None,
                uid: uuid::Uuid::new_v4().to_string(),
                sequence: 0,
                created_at: now,
                updated_at: now,
            };
            tx.insert_session(&s).await?;
            self.session_changed(&mut tx, s.id, SessionChange::Scheduled, now)
                .await?;
            ids.push(s.id);
        }
        tx.note_room_activity(room, ActivityKind::SessionScheduled, now)
            .await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// The next times every member who set weekly availability is free for
    /// `minutes`, avoiding the room's scheduled sessions, shown in the
    /// viewer's zone.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room))]
    pub async fn suggested_times(
        &self,
        actor: &Actor,
        room: RoomId,
        minutes: i64,
        limit: i64,
    ) -> AppResult<Suggestions> {
        let minutes = rules::check_minutes(minutes).map_err(one)?;
        if !(1..=20).contains(&limit) {
            return Err(AppError::invalid("limit", "limit must be between 1 and 20"));
        }
        let mut tx = self.store.read().await?;
        let access = self.room_access(&mut tx, actor, room).await?;
        let sessions = tx.sessions_of_room(room).await?;
        self.suggestions_in(&mut tx, actor, &access, &sessions, minutes, limit as usize)
            .await
    }

    /// [`App::suggested_times`] in the caller's transaction, from the room's
    /// access and sessions already read (the Sessions tab reads them once).
    pub(crate) async fn suggestions_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        access: &RoomAccess,
        sessions: &[SessionRecord],
        minutes: i32,
        limit: usize,
    ) -> AppResult<Suggestions> {
        let now = self.now();
        let mut people = vec![];
        let mut without = vec![];
        let mut viewer_zone = None;
        let members = current(access);
        let ids: Vec<PersonId> = members.iter().map(|m| m.person_id).collect();
        let mut records = tx.people_by_ids(&ids).await?;
        for m in members {
            if let Some(p) = records.remove(&m.person_id) {
                if p.profile.availability.is_empty() {
                    without.push(m.name.clone());
                }
                if p.id == actor.person_id {
                    viewer_zone = Some(p.profile.time_zone.clone());
                }
                people.push(p.profile);
            }
        }
        let viewer_zone = match viewer_zone {
            Some(z) => z,
            None => self.zone_of(tx, actor.person_id).await?,
        };
        let members: Vec<MemberAvailability<'_>> = people
            .iter()
            .map(|p| MemberAvailability {
                zone: p.time_zone.tz(),
                windows: &p.availability,
            })
            .collect();
        let busy: Vec<(i64, i64)> = sessions
            .iter()
            .filter(|s| s.status == SessionStatus::Scheduled)
            .map(|s| (s.starts_at, s.ends_at()))
            .collect();
        let times = rules::suggest_times(&members, &busy, now, minutes, SUGGESTION_DAYS, limit)
            .into_iter()
            .map(|t| {
                let local = rules::utc_to_local(viewer_zone.tz(), t).unwrap_or_default();
                SuggestedTime {
                    starts_at: t,
                    local: viewer_zone.local_at(t, now),
                    date: local.format("%Y-%m-%d").to_string(),
                    time: local.format("%H:%M").to_string(),
                }
            })
            .collect();
        Ok(Suggestions {
            zone: viewer_zone,
            minutes,
            times,
            without_availability: without,
        })
    }

    /// One session with its notes, action items, carried-over items, open
    /// reschedule proposal and the feedback the viewer may read.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, session = %id))]
    pub async fn session(&self, actor: &Actor, id: SessionId) -> AppResult<SessionView> {
        let now = self.now();
        let mut tx = self.store.read().await?;
        let (session, access) = self.session_access(&mut tx, actor, id).await?;
        let private_to_members =
            access.me.is_none() && !access.programme.room_rules.managers_read_shared_notes;
        let (notes, items, carried) = if private_to_members {
            (None, vec![], vec![])
        } else {
            let notes = tx
                .session_notes(id)
                .await?
                .map(|n| n.body)
                .unwrap_or_default();
            let items = tx.action_items_of_session(id).await?;
            let carried = tx
                .open_action_items_before(session.room_id, session.starts_at)
                .await?
                .into_iter()
                .filter(|a| a.session_id != id)
                .collect();
            (Some(notes), items, carried)
        };
        let feedback = if access.manager {
            tx.session_feedback(id, None).await?
        } else {
            tx.session_feedback(id, Some(actor.person_id)).await?
        };
        let can_give_feedback = access.is_member()
            && feedback.iter().all(|f| f.person_id != actor.person_id)
            && self
                .feedback_open(&mut tx, &access, &session, now)
                .await?
                .is_ok();
        Ok(SessionView {
            agenda_html: markdown::render(&session.agenda),
            notes_html: notes.as_deref().map(markdown::render).unwrap_or_default(),
            notes,
            attendance: tx.attendance(id).await?,
            items,
            carried,
            reschedule: tx.open_reschedule(id).await?,
            feedback,
            can_give_feedback,
            late_after_minutes: access.programme.room_rules.late_after_minutes,
            private_to_members,
            access,
            session,
        })
    }

    /// A member changes a session's details (while it is scheduled: a
    /// calendar change, sequence + 1) or its shared notes (at any time).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, session = %id))]
    pub async fn edit_session(
        &self,
        actor: &Actor,
        id: SessionId,
        edit: &SessionEdit,
    ) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (s, access) = self.session_access(&mut tx, actor, id).await?;
        access.member_writes()?;
        let mut errors = vec![];
        let minutes = match edit.minutes {
            Some(m) => rules::check_minutes(m).map_err(|e| errors.push(e)).ok(),
            None => Some(s.minutes),
        };
        let link = match &edit.link {
            Some(l) => rules::check_link(l)
                .map_err(|e| errors.push(e))
                .ok()
                .flatten(),
            None => s.link.clone(),
        };
        let agenda = match &edit.agenda {
            Some(a) => gather(text("agenda", a), &mut errors)?,
            None => Some(s.agenda.clone()),
        };
        let place = match &edit.place {
            Some(p) => gather(place(p), &mut errors)?.flatten(),
            None => s.place.clone(),
        };
        let notes = match &edit.notes {
            Some(n) => gather(text("notes", n), &mut errors)?,
            None => None,
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let details = edit.minutes.is_some()
            || edit.agenda.is_some()
            || edit.link.is_some()
            || edit.place.is_some();
        if details {
            if s.status != SessionStatus::Scheduled {
                return Err(AppError::Conflict {
                    field: Some("status"),
                    message: format!(
                        "this session is {}; only its notes can change now",
                        s.status.code()
                    ),
                });
            }
            let (Some(minutes), Some(agenda)) = (minutes, agenda) else {
                return Err(AppError::internal_msg(
                    "session edit checked but incomplete",
                ));
            };
            if !tx
                .update_session_details(
                    id,
                    minutes,
                    &agenda,
                    link.as_deref(),
                    place.as_deref(),
                    now,
                )
                .await?
            {
                return Err(session_moved());
            }
            self.session_changed_by(
                &mut tx,
                id,
                SessionChange::Changed,
                Some(actor.person_id),
                now,
            )
            .await?;
        }
        if let Some(notes) = notes {
            tx.set_session_notes(id, &notes, actor.person_id, now)
                .await?;
            tx.note_room_activity(s.room_id, ActivityKind::Note, now)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A member marks a scheduled session held (with everyone's attendance),
    /// cancelled (with a reason; no attendance) or missed.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, session = %id))]
    pub async fn set_session_status(
        &self,
        actor: &Actor,
        id: SessionId,
        input: &StatusInput,
    ) -> AppResult<SessionStatus> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (s, access) = self.session_access(&mut tx, actor, id).await?;
        access.member_writes()?;
        let to = SessionStatus::parse(&input.status).map_err(one)?;
        if to == SessionStatus::Scheduled {
            return Err(AppError::invalid(
                "status",
                "status must be held, cancelled or missed",
            ));
        }
        s.status.move_to(to).map_err(|e| AppError::Conflict {
            field: Some("status"),
            message: e.message,
        })?;
        let members = current(&access);
        let mut attendance = vec![];
        let reason = input.reason.trim();
        match to {
            SessionStatus::Held => {
                let mut errors = vec![];
                for (who, how) in &input.attendance {
                    let Some(m) = members
                        .iter()
                        .find(|m| m.person_id.to_string() == who.trim())
                    else {
                        errors.push(Invalid::new(
                            "attendance",
                            format!("{who} is not a member of this room"),
                        ));
                        continue;
                    };
                    match Attendance::parse(how) {
                        Ok(a) => attendance.push((m.person_id, a)),
                        Err(_) => errors.push(Invalid::new(
                            "attendance",
                            format!("{}: answer attended, late or no_show", m.name),
                        )),
                    }
                }
                for m in &members {
                    if !input
                        .attendance
                        .iter()
                        .any(|(who, _)| m.person_id.to_string() == who.trim())
                    {
                        errors.push(Invalid::new(
                            "attendance",
                            format!("say how {} attended", m.name),
                        ));
                    }
                }
                if !errors.is_empty() {
                    return Err(AppError::Invalid(errors));
                }
            }
            _ if !input.attendance.is_empty() => {
                return Err(AppError::invalid(
                    "attendance",
                    format!(
                        "attendance is recorded for held sessions only; a {} session has none",
                        to.code()
                    ),
                ));
            }
            _ => {}
        }
        if to == SessionStatus::Cancelled {
            if reason.is_empty() {
                return Err(AppError::invalid(
                    "reason",
                    "say why the session is cancelled",
                ));
            }
            if reason.chars().count() > 1000 {
                return Err(AppError::invalid(
                    "reason",
                    "the reason can be at most 1000 characters",
                ));
            }
            markdown::check("reason", reason)?;
        } else if s.starts_at > now {
            return Err(AppError::Conflict {
                field: Some("status"),
                message: format!(
                    "this session has not started yet; it can be marked {} once it has",
                    to.code()
                ),
            });
        }
        let (by, why) = if to == SessionStatus::Cancelled {
            (Some(actor.person_id), Some(reason))
        } else {
            (None, None)
        };
        if !tx.set_session_status(id, to, by, why, now).await? {
            return Err(session_moved());
        }
        if let Some(open) = tx.open_reschedule(id).await? {
            tx.close_reschedule(open.id, RescheduleStatus::Declined, now)
                .await?;
        }
        match to {
            SessionStatus::Held => {
                tx.set_attendance(id, &attendance).await?;
                tx.note_room_activity(s.room_id, ActivityKind::SessionHeld, now)
                    .await?;
            }
            SessionStatus::Cancelled => {
                self.session_changed(&mut tx, id, SessionChange::Cancelled, now)
                    .await?;
            }
            _ => {}
        }
        // A held session closes a gap; a no-show may open one.
        self.refresh_health(&mut tx, s.room_id, now).await?;
        tx.commit().await?;
        Ok(to)
    }
}
