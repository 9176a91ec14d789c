//! A room's life after the proposal: pause and resume, completion (a pair
//! proposes and confirms, a group's lead confirms, a manager completes
//! alone), early ends with a reason, leaving a group, the history of every
//! move, a programme's rooms completed at its end, and the lists managers
//! and members read.
//!
//! Who may make which move is [`RoomMoveRules::check`] (pure, table-tested in
//! the domain); this module reads the room once ([`App::room_access`]),
//! applies the move with the store's guarded updates, writes the history and
//! queues the emails, in one transaction.

use crate::agreements::terms_of;
use crate::emails::{RoomMove as MailMove, RoomMoved};
use crate::health::for_member;
use crate::lists::{Direction, ListQuery, Page, Start};
use crate::rooms::{viable, RoomAccess};
use crate::viewer::{ApiRead, ApiReader};
use crate::{App, AppError, AppResult};
use rapport_domain::agreement::AgreedTerms;
use rapport_domain::health::{Health, Level};
use rapport_domain::mentoring::{
    EndReason, MemberState, MoveRefusal, Mover, RoomAction, RoomEventKind, RoomMove, RoomMoveRules,
    RoomShape, RoomStatus,
};
use rapport_domain::policy::Actor;
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole};
use rapport_domain::{Invalid, PersonId, ProgrammeId, RoomId};
use rapport_store::{
    MemberRecord, ProgrammeRecord, RoomEventRecord, RoomListFilter, RoomRecord, SessionSummary, Tx,
};
use std::collections::HashMap;

/// The longest note a move takes.
pub const NOTE_MAX: usize = 2000;

/// A move asked of a room, as it arrived (`POST /api/v1/rooms/{id}/status`
/// or the page's form).
#[derive(Clone, Debug, Default)]
pub struct StatusChange {
    /// `pause`, `resume`, `propose_completion`, `confirm_completion`,
    /// `complete`, `end` or `leave`.
    pub action: String,
    /// An [`EndReason`] code: required to end a room, optional to leave one.
    pub reason: Option<String>,
    /// Optional free text (Markdown), kept in the history.
    pub note: Option<String>,
}

/// A room in a list, with its sessions summed up.
#[derive(Clone, Debug)]
pub struct RoomSummary {
    /// The room and its members.
    pub room: RoomRecord,
    /// The programme's name.
    pub programme: String,
    /// Its last held and next scheduled session, and how many were held.
    pub sessions: SessionSummary,
    /// What the room waits for, in the viewer's words (members' list only).
    pub waiting: Option<String>,
    /// Its stored health as the viewer may see it (every reason for the
    /// programme's managers; for members, the reasons not from the pulse and
    /// those from their own answers); none unless the room is active or
    /// paused and was assessed.
    pub health: Option<Health>,
    /// The terms in force (the agreement's, or the programme's before one):
    /// `expected_sessions` is the agreed number of sessions, when known.
    pub terms: AgreedTerms,
}

/// Which rooms the managers' list shows, as asked (`?status=`, `?health=`).
#[derive(Clone, Debug, Default)]
pub struct RoomListQuery {
    /// A room status code, or empty for all.
    pub status: Option<String>,
    /// A health level code (`at_risk`, `needs_attention`, `healthy`), or empty.
    pub health: Option<String>,
}

impl RoomListQuery {
    /// The checked filter; a bad code is 422 naming `status` or `health`.
    pub fn filter(&self) -> AppResult<RoomListFilter> {
        let code = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let mut errors = vec![];
        let status = code(&self.status)
            .map(|c| RoomStatus::parse(&c))
            .transpose()
            .map_err(|e| {
                errors.push(Invalid::new(
                    "status",
                    format!("status {}", rapport_domain::invalid::phrase(&e.message)),
                ))
            })
            .ok()
            .flatten();
        let level = code(&self.health)
            .map(|c| Level::parse(&c))
            .transpose()
            .map_err(|e| {
                errors.push(Invalid::new(
                    "health",
                    format!("health {}", rapport_domain::invalid::phrase(&e.message)),
                ))
            })
            .ok()
            .flatten();
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        Ok(RoomListFilter { status, level })
    }
}

/// Rooms a programme must complete before it closes.
pub(crate) const TO_COMPLETE: [RoomStatus; 2] = [RoomStatus::Active, RoomStatus::Paused];

/// Whether members of rooms in a programme of `kind` may leave (a group or
/// circle), as opposed to a pair.
fn group(kind: ProgrammeKind) -> bool {
    matches!(kind, ProgrammeKind::Group | ProgrammeKind::Circle)
}

/// A current mentor or facilitator.
fn is_lead(m: &MemberRecord) -> bool {
    m.state.holds_seat() && matches!(m.role, ProgrammeRole::Mentor | ProgrammeRole::Facilitator)
}

/// The shape of a room, for [`RoomMoveRules::check`].
fn shape(kind: ProgrammeKind, room: &RoomRecord) -> RoomShape {
    RoomShape {
        group: group(kind),
        led: room.members.iter().any(is_lead),
    }
}

/// The checked reason and note of a move: a reason is required to end a
/// room, optional otherwise; the note is optional Markdown.
fn end_of(change: &StatusChange, required: bool) -> AppResult<(Option<EndReason>, Option<String>)> {
    let note = change
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    if let Some(n) = &note {
        if n.chars().count() > NOTE_MAX {
            return Err(AppError::invalid(
                "note",
                format!("the note must be at most {NOTE_MAX} characters"),
            ));
        }
        crate::markdown::check("note", n)?;
    }
    let raw = change
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let Some(raw) = raw else {
        if required {
            return Err(AppError::invalid(
                "reason",
                format!("choose why the room ends: {}", codes(&EndReason::chosen())),
            ));
        }
        return Ok((None, note));
    };
    let reason = EndReason::parse(raw).map_err(|e| AppError::Invalid(vec![e]))?;
    if reason == EndReason::Declined {
        return Err(AppError::invalid(
            "reason",
            format!(
                "declined is kept for proposals that were declined; choose one of: {}",
                codes(&EndReason::chosen())
            ),
        ));
    }
    Ok((Some(reason), note))
}

fn codes(reasons: &[EndReason]) -> String {
    reasons
        .iter()
        .map(|r| r.code())
        .collect::<Vec<_>>()
        .join(", ")
}

/// How a move's author is named to the members: by name when they are a
/// member, "A programme manager" otherwise.
fn mover_name(access: &RoomAccess) -> String {
    match access.me.as_ref().filter(|_| access.is_member()) {
        Some(me) => me.name.clone(),
        None => "A programme manager".into(),
    }
}

/// The store refused a guarded move: someone moved the room first.
fn moved() -> AppError {
    AppError::Conflict {
        field: None,
        message: "this room changed while you were working on it; reload the page and try again"
            .into(),
    }
}

impl App {
    /// A member or manager moves a room (section 1 of the rooms issue): the
    /// room's status afterwards. Unknown action or reason → 422 naming the
    /// field; a move the actor may not make → 403; one the room's state
    /// forbids → 409 naming the state.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %id, action = %change.action))]
    pub async fn move_room(
        &self,
        actor: &Actor,
        id: RoomId,
        change: &StatusChange,
    ) -> AppResult<RoomStatus> {
        let action = RoomAction::parse(&change.action).map_err(|e| AppError::Invalid(vec![e]))?;
        let given = end_of(change, action == RoomAction::End)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let access = self.room_access(&mut tx, actor, id).await?;
        let status = self
            .apply_move(&mut tx, actor, &access, action, given, now)
            .await?;
        // A pause stops the health clocks; a resume starts them again.
        if matches!(action, RoomAction::Pause | RoomAction::Resume) {
            self.refresh_health(&mut tx, id, now).await?;
        }
        tx.commit().await?;
        Ok(status)
    }

    /// Applies one checked move inside the caller's transaction.
    async fn apply_move(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        access: &RoomAccess,
        action: RoomAction,
        (reason, note): (Option<EndReason>, Option<String>),
        now: i64,
    ) -> AppResult<RoomStatus> {
        let room = &access.room;
        let mover = Mover {
            member: access.is_member(),
            leads: access.leads(),
            manager: access.manager,
            proposed_completion: room.completion_proposed_by == Some(actor.person_id),
        };
        let decided = RoomMoveRules::check(
            action,
            shape(access.programme.kind, room),
            room.status,
            mover,
            room.completion_proposed_by.is_some(),
        )
        .map_err(|r| match r {
            MoveRefusal::NotYours(m) => AppError::Forbidden(m),
            MoveRefusal::State(message) => AppError::Conflict {
                field: None,
                message,
            },
        })?;
        let by = mover_name(access);
        let note = note.as_deref();
        // The history and the emails: (status after, event, email, whether
        // the mover is told too: they are when the room closes, since the
        // email carries the closure survey).
        let (to, kind, mail, everyone) = match decided {
            RoomMove::Leave => return self.leave(tx, actor, access, reason, note, &by, now).await,
            RoomMove::ProposeCompletion => {
                if !tx.propose_completion(room.id, actor.person_id, now).await? {
                    return Err(moved());
                }
                let mail = MailMove::CompletionProposed { by: by.clone() };
                (room.status, RoomEventKind::ProposeCompletion, mail, false)
            }
            RoomMove::To(to) => {
                let end = (to == RoomStatus::EndedEarly)
                    .then(|| (reason.unwrap_or(EndReason::Other), note));
                if !tx.end_room(room.id, to, end, now).await? {
                    return Err(moved());
                }
                match action {
                    RoomAction::Pause => (to, RoomEventKind::Pause, MailMove::Paused { by }, false),
                    RoomAction::Resume => {
                        (to, RoomEventKind::Resume, MailMove::Resumed { by }, false)
                    }
                    RoomAction::ConfirmCompletion => (
                        to,
                        RoomEventKind::ConfirmCompletion,
                        MailMove::Completed { by },
                        true,
                    ),
                    RoomAction::Complete => (
                        to,
                        RoomEventKind::Complete,
                        MailMove::Completed { by },
                        true,
                    ),
                    _ => {
                        let reason = reason.unwrap_or(EndReason::Other).label().to_string();
                        (to, RoomEventKind::End, MailMove::Ended { by, reason }, true)
                    }
                }
            }
        };
        let reason = reason.filter(|_| kind == RoomEventKind::End);
        tx.insert_room_event(
            room.id,
            Some(actor.person_id),
            kind,
            Some(room.status),
            to,
            reason,
            note,
            now,
        )
        .await?;
        let told = room
            .members
            .iter()
            .filter(|m| m.state.holds_seat() && (everyone || m.person_id != actor.person_id));
        // A mentor or facilitator who ends the room for fit reported a poor
        // fit: like one who re-matches, they are offered a mentor of their own.
        let support = (to == RoomStatus::EndedEarly && reason == Some(EndReason::Fit))
            .then_some(actor.person_id)
            .filter(|_| access.leads());
        self.tell_members(tx, access, told, mail, support).await?;
        Ok(to)
    }

    /// A member leaves a group or circle; the room ends when the members
    /// left no longer make a room of its kind ([`viable`]).
    #[allow(clippy::too_many_arguments)]
    async fn leave(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        access: &RoomAccess,
        reason: Option<EndReason>,
        note: Option<&str>,
        by: &str,
        now: i64,
    ) -> AppResult<RoomStatus> {
        let p = &access.programme;
        let why = format!(
            "{by} left, so the room no longer has what a {} needs",
            p.kind.label().to_lowercase()
        );
        let end = reason.unwrap_or(EndReason::Other);
        let (closed, members) = self
            .leave_room(
                tx,
                access,
                actor.person_id,
                actor.person_id,
                (reason, note),
                (end, &why),
                now,
            )
            .await?;
        let stay = members.iter().filter(|m| m.state.holds_seat());
        if !closed {
            self.tell_members(
                tx,
                access,
                stay,
                MailMove::Left { by: by.to_string() },
                None,
            )
            .await?;
            return Ok(access.room.status);
        }
        let mail = MailMove::Ended {
            by: by.to_string(),
            reason: format!("{} ({why})", end.label()),
        };
        self.tell_members(tx, access, stay, mail, None).await?;
        Ok(RoomStatus::EndedEarly)
    }

    /// `subject` leaves the room in `access` (a leave in its history, made
    /// by `by`, with its reason and note); when the members left no longer
    /// make a room of its kind ([`viable`]) the room ends early too, with
    /// `end`'s reason and words, freeing its seats. The one way anyone
    /// leaves a room: a member leaving a group, a re-match moving one member
    /// on. Returns whether the room ended, and its members afterwards.
    /// Emails are the caller's.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn leave_room(
        &self,
        tx: &mut Tx,
        access: &RoomAccess,
        subject: PersonId,
        by: PersonId,
        (reason, note): (Option<EndReason>, Option<&str>),
        end: (EndReason, &str),
        now: i64,
    ) -> AppResult<(bool, Vec<MemberRecord>)> {
        let room = &access.room;
        if !tx
            .set_member_state(room.id, subject, MemberState::Left)
            .await?
        {
            return Err(moved());
        }
        tx.insert_room_event(
            room.id,
            Some(by),
            RoomEventKind::Leave,
            Some(room.status),
            room.status,
            reason,
            note,
            now,
        )
        .await?;
        let mut after = room.clone();
        for m in after.members.iter_mut().filter(|m| m.person_id == subject) {
            m.state = MemberState::Left;
        }
        if viable(access.programme.kind, &after.members) {
            return Ok((false, after.members));
        }
        self.close_room(tx, &after, Some(by), Some((end.0, Some(end.1))), now)
            .await?;
        Ok((true, after.members))
    }

    /// Queues one [`RoomMoved`] email per member in `to`; the member
    /// `support` names (a mentor who ended the room for fit) is offered a
    /// mentor of their own in theirs.
    async fn tell_members<'a>(
        &self,
        tx: &mut Tx,
        access: &RoomAccess,
        to: impl Iterator<Item = &'a MemberRecord>,
        change: MailMove,
        support: Option<PersonId>,
    ) -> AppResult<()> {
        for m in to {
            let mail = RoomMoved {
                name: m.name.clone(),
                programme: access.programme.name.clone(),
                room: access.room.id.to_string(),
                change: change.clone(),
                mentor_support: support == Some(m.person_id),
            };
            self.queue_mail(tx, Some(m.person_id), &m.email, &mail)
                .await?;
        }
        Ok(())
    }

    /// A room's history, newest first: every move with who made it and when.
    /// For the room's members (in any state) and the programme's managers.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %id))]
    pub async fn room_history(
        &self,
        actor: &Actor,
        id: RoomId,
        list: &ListQuery,
    ) -> AppResult<Page<RoomEventRecord>> {
        let (start, limit) = list.window()?;
        let mut tx = self.store.read().await?;
        self.room_access(&mut tx, actor, id).await?;
        Ok(tx.room_events_page(id, start, limit).await?)
    }

    /// How many rooms a programme must complete before it closes: its active
    /// and paused rooms.
    pub(crate) async fn rooms_to_complete(
        &self,
        tx: &mut Tx,
        programme: rapport_domain::ProgrammeId,
    ) -> AppResult<usize> {
        Ok(tx.room_ids_in(programme, &TO_COMPLETE).await?.len())
    }

    /// Closes a room (completed, or ended early with a reason and note) and
    /// writes the move in its history, inside the caller's transaction: the
    /// one way other use cases (the inactivity sweep, a re-match) end a room,
    /// so the seat is freed and the history stays whole. `by` is none for the
    /// system. 409 when the room had moved on. Emails are the caller's.
    pub(crate) async fn close_room(
        &self,
        tx: &mut Tx,
        room: &RoomRecord,
        by: Option<PersonId>,
        end: Option<(EndReason, Option<&str>)>,
        now: i64,
    ) -> AppResult<RoomStatus> {
        let (to, kind) = match end {
            Some(_) => (RoomStatus::EndedEarly, RoomEventKind::End),
            None => (RoomStatus::Completed, RoomEventKind::Complete),
        };
        if !tx.end_room(room.id, to, end, now).await? {
            return Err(moved());
        }
        let (reason, note) = end.map_or((None, None), |(r, n)| (Some(r), n));
        tx.insert_room_event(room.id, by, kind, Some(room.status), to, reason, note, now)
            .await?;
        Ok(to)
    }

    /// How many rooms completing a programme's rooms would complete, with
    /// the programme's name (for the confirmation page). Managers only.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn open_room_count(&self, actor: &Actor, slug: &str) -> AppResult<(String, usize)> {
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let n = self.rooms_to_complete(&mut tx, p.id).await?;
        Ok((p.name, n))
    }

    /// A manager completes every active and paused room of a programme, in
    /// one transaction, as the programme ends; every member of each room is
    /// told and asked for the closure survey. Without `confirm` nothing
    /// changes: 409 saying how many rooms it would complete.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, confirm = confirm))]
    pub async fn complete_programme_rooms(
        &self,
        actor: &Actor,
        slug: &str,
        confirm: bool,
    ) -> AppResult<usize> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let ids = tx.room_ids_in(p.id, &TO_COMPLETE).await?;
        if !confirm {
            return Err(AppError::Conflict {
                field: Some("confirm"),
                message: format!(
                    "this completes {} open room{} of {} and asks every member for the closure survey; send confirm: true to go ahead",
                    ids.len(),
                    if ids.len() == 1 { "" } else { "s" },
                    p.name
                ),
            });
        }
        for id in &ids {
            let access = self.room_access(&mut tx, actor, *id).await?;
            self.close_room(&mut tx, &access.room, Some(actor.person_id), None, now)
                .await?;
            let seated = access.room.members.iter().filter(|m| m.state.holds_seat());
            self.tell_members(&mut tx, &access, seated, MailMove::ProgrammeEnded, None)
                .await?;
        }
        self.audit_by(
            &mut tx,
            actor,
            "programme.rooms_completed",
            format!("programme:{}", p.slug),
            None,
            Some(serde_json::json!({"rooms": ids.len()})),
        )
        .await?;
        tx.commit().await?;
        Ok(ids.len())
    }

    /// One page of a programme's rooms for its managers, worst health first
    /// (at risk, needs attention, healthy, then rooms not assessed: proposed,
    /// closed or not yet assessed), newest first within a level; each with
    /// its status, stored health and every reason, last and next session,
    /// and sessions held against the agreed number. Filtered by status and
    /// health. A fixed number of queries per page, whatever its size.
    /// Managers only.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn programme_rooms(
        &self,
        actor: &Actor,
        slug: &str,
        list: &ListQuery,
        query: &RoomListQuery,
    ) -> AppResult<Page<RoomSummary>> {
        let (start, limit) = list.window()?;
        let filter = query.filter()?;
        let now = self.now();
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let page = tx
            .programme_room_list(p.id, filter, start, limit, now)
            .await?;
        let items = page
            .items
            .into_iter()
            .map(|row| RoomSummary {
                terms: terms_of(&row.room, row.agreement.as_ref(), &p),
                health: row.health.map(|h| Health::of(h.reasons)),
                room: row.room,
                programme: p.name.clone(),
                sessions: row.sessions,
                waiting: None,
            })
            .collect();
        Ok(Page {
            items,
            next: page.next,
            prev: page.prev,
        })
    }

    /// Every room the actor is a member of, newest first, with its next
    /// session, what it waits for, and its health as they may see it (the
    /// reasons not from the pulse, and those from their own answers). Read
    /// set-based: a fixed number of queries, whatever the number of rooms.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn my_room_summaries(&self, actor: &Actor) -> AppResult<Vec<RoomSummary>> {
        let mut tx = self.store.read().await?;
        let rooms = tx.rooms_of(actor.person_id).await?;
        self.summaries_of(&mut tx, actor, rooms).await
    }

    /// One page of [`App::my_room_summaries`], newest first, with the cursor
    /// pattern of every list (first page without a cursor). A person's rooms
    /// are few, so they are read once and the page is cut before anything
    /// else about them is read.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn my_room_summaries_page(
        &self,
        actor: &Actor,
        list: &ListQuery,
    ) -> AppResult<Page<RoomSummary>> {
        let mut tx = self.store.read().await?;
        self.my_room_summaries_page_in(&mut tx, actor, list).await
    }

    /// [`App::my_room_summaries_page`] for an API call, its credential
    /// checked in the list's own read transaction ([`App::api_read`]).
    #[tracing::instrument(skip_all)]
    pub async fn my_room_summaries_page_for(
        &self,
        who: ApiReader<'_>,
        list: &ListQuery,
    ) -> AppResult<Page<RoomSummary>> {
        let ApiRead { mut tx, actor, .. } = self.api_read(who, false).await?;
        self.my_room_summaries_page_in(&mut tx, &actor, list).await
    }

    /// [`App::my_room_summaries_page`] in the caller's transaction.
    async fn my_room_summaries_page_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        list: &ListQuery,
    ) -> AppResult<Page<RoomSummary>> {
        let (start, limit) = list.window()?;
        let rooms = tx.rooms_of(actor.person_id).await?;
        let page = page_of(rooms, start, limit);
        let items = self.summaries_of(tx, actor, page.items).await?;
        Ok(Page {
            items,
            next: page.next,
            prev: page.prev,
        })
    }

    /// The summaries of `rooms`, in their order, for the actor (a member).
    async fn summaries_of(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        rooms: Vec<RoomRecord>,
    ) -> AppResult<Vec<RoomSummary>> {
        let now = self.now();
        let ids: Vec<RoomId> = rooms.iter().map(|r| r.id).collect();
        let mut sessions = tx.session_summaries(&ids, now).await?;
        let mut health = tx.health_of_rooms(&ids).await?;
        let mut agreements = tx.current_agreements(&ids).await?;
        let mut programmes: HashMap<ProgrammeId, ProgrammeRecord> = HashMap::new();
        let mut out = Vec::with_capacity(rooms.len());
        for room in rooms {
            if !programmes.contains_key(&room.programme_id) {
                let Some(p) = tx.programme(room.programme_id).await? else {
                    continue;
                };
                programmes.insert(p.id, p);
            }
            let p = &programmes[&room.programme_id];
            let waiting = waiting_for(&room, p.kind, actor.person_id);
            let mine = room
                .members
                .iter()
                .any(|m| m.person_id == actor.person_id && m.state.holds_seat());
            out.push(RoomSummary {
                terms: terms_of(&room, agreements.remove(&room.id).as_ref(), p),
                health: health
                    .remove(&room.id)
                    .filter(|_| mine)
                    .map(|h| for_member(&Health::of(h.reasons), actor.person_id)),
                sessions: sessions.remove(&room.id).unwrap_or_default(),
                programme: p.name.clone(),
                waiting,
                room,
            });
        }
        Ok(out)
    }
}

/// One keyset page of `rooms` (newest first, then by id), cut in memory the
/// way the store's keyset queries cut theirs.
fn page_of(mut rooms: Vec<RoomRecord>, start: Start, limit: i64) -> Page<RoomRecord> {
    let key = |r: &RoomRecord| (r.created_at, r.id.0);
    rooms.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.0.cmp(&b.id.0)));
    let take = (limit + 1).max(0) as usize;
    let rows: Vec<RoomRecord> = match start {
        Start::Offset(o) => rooms
            .into_iter()
            .skip(o.max(0) as usize)
            .take(take)
            .collect(),
        Start::Cursor(c) => {
            // Older: after the cursor in list order; newer: before it, nearest first.
            let after = |r: &RoomRecord| {
                r.created_at < c.created_at || (r.created_at == c.created_at && r.id.0 > c.id)
            };
            match c.direction {
                Direction::Older => rooms.into_iter().filter(after).take(take).collect(),
                Direction::Newer => rooms
                    .into_iter()
                    .rev()
                    .filter(|r| !after(r) && key(r) != (c.created_at, c.id))
                    .take(take)
                    .collect(),
            }
        }
    };
    Page::from_rows(start, rows, limit, key)
}

/// What a room waits for, as `me` should read it; none when nothing is due.
pub fn waiting_for(room: &RoomRecord, kind: ProgrammeKind, me: PersonId) -> Option<String> {
    let mine = room.members.iter().find(|m| m.person_id == me)?;
    if !mine.state.holds_seat() {
        return None;
    }
    match room.status {
        RoomStatus::Proposed => {
            if mine.state == MemberState::Invited {
                Some("Your answer to the proposal".into())
            } else {
                let n = room
                    .members
                    .iter()
                    .filter(|m| m.state == MemberState::Invited)
                    .count();
                Some(format!("The other side's answer ({n} still to answer)"))
            }
        }
        RoomStatus::Active | RoomStatus::Paused => {
            let s = shape(kind, room);
            let Some(by) = room.completion_proposed_by else {
                return (room.status == RoomStatus::Paused).then(|| "Someone to resume it".into());
            };
            if s.lead_decides() {
                if is_lead(mine) {
                    Some("Your confirmation of completion".into())
                } else {
                    Some("The mentor's or facilitator's confirmation of completion".into())
                }
            } else if by == me {
                Some("The other side's confirmation of completion".into())
            } else {
                Some("Your confirmation of completion".into())
            }
        }
        RoomStatus::Completed | RoomStatus::EndedEarly => None,
    }
}

/// The moves `me` may make on the room in `v` now, in the order a page
/// offers them (the same rules the use case applies).
pub fn available_moves(v: &crate::rooms::RoomView, me: PersonId) -> Vec<RoomAction> {
    let room = &v.room;
    let mine = room.members.iter().find(|m| m.person_id == me);
    let mover = Mover {
        member: mine.is_some_and(|m| m.state.holds_seat()),
        leads: mine.is_some_and(is_lead),
        manager: v.manager,
        proposed_completion: room.completion_proposed_by == Some(me),
    };
    let s = shape(v.programme_kind, room);
    RoomAction::ALL
        .iter()
        .copied()
        .filter(|a| {
            RoomMoveRules::check(
                *a,
                s,
                room.status,
                mover,
                room.completion_proposed_by.is_some(),
            )
            .is_ok()
        })
        .collect()
}
