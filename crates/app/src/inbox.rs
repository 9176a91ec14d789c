//! The action inbox: everything waiting on one person, each entry linking
//! straight to where it is done, ordered by deadline, then newest.
//!
//! # Adding a kind of entry
//! One small change in this file: a variant in [`InboxKind`] (and in
//! [`InboxKind::ALL`]), its code, one arm in [`App::entries_of`] calling
//! a function that returns its entries, and one in `Sources::may_have`
//! saying what a person needs to have any (a programme they manage, a room,
//! or nothing). Nothing else changes: the home page, the API and the tests
//! read every kind through [`App::inbox`].
//!
//! # Contract
//! - Only what the person themselves must act on appears, in words they may
//!   read: names, programmes and links, never anyone's pulse answers, notes,
//!   feedback or reflections.
//! - Manager entries are one per programme with a count ("37 people unplaced
//!   in Leadership Foundations"), read with one `GROUP BY` query per kind over
//!   indexed columns, never a row per person: the cost does not grow with
//!   the programme's size.
//! - A member's entries read their own rooms and requests only.

use crate::closure::ClosureWindow;
use crate::lists::{Cursor, Direction, ListQuery, Page, Start};
use crate::requests::RequestView;
use crate::{App, AppResult};
use rapport_domain::mentoring::{MemberState, RequestStatus, RoomStatus};
use rapport_domain::policy::Actor;
use rapport_domain::PersonId;
use rapport_store::{RoomRecord, Tx};
use serde::Serialize;
use uuid::Uuid;

/// How far back a held session still asks for feedback in the inbox.
const FEEDBACK_DAYS: i64 = 14;
const DAY_MS: i64 = 86_400_000;

/// A kind of thing that waits on someone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxKind {
    /// A proposed room (from a round or match now) to accept or decline.
    Proposal,
    /// A mentoring request or offer to accept or decline.
    Request,
    /// A question about the person's own request to answer.
    Question,
    /// Applications to review, per programme (managers).
    Applications,
    /// A draft round to review and publish (managers).
    RoundToPublish,
    /// Approved mentees or peers with no room yet, per programme (managers).
    Unplaced,
    /// Open safety reports, per programme (managers).
    Reports,
    /// A room agreement version to confirm.
    Agreement,
    /// A rapport check-in (pulse) open and unanswered.
    Pulse,
    /// Feedback to give on a held session.
    Feedback,
    /// A room whose health needs the member, with one next step.
    Nudge,
    /// A proposal to move a session, to accept or decline.
    Reschedule,
    /// A closing reflection and outcome survey, while its window is open.
    Closure,
    /// A reflection prompt to answer: scheduled, or assigned to a room.
    Reflection,
}

impl InboxKind {
    /// Every kind, in the order their sources are read.
    pub const ALL: [Self; 14] = [
        Self::Proposal,
        Self::Request,
        Self::Question,
        Self::Applications,
        Self::RoundToPublish,
        Self::Unplaced,
        Self::Reports,
        Self::Agreement,
        Self::Pulse,
        Self::Feedback,
        Self::Nudge,
        Self::Reschedule,
        Self::Closure,
        Self::Reflection,
    ];

    /// Stable code (the API's `kind`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Proposal => "proposal",
            Self::Request => "request",
            Self::Question => "question",
            Self::Applications => "applications",
            Self::RoundToPublish => "round_to_publish",
            Self::Unplaced => "unplaced",
            Self::Reports => "reports",
            Self::Agreement => "agreement",
            Self::Pulse => "pulse",
            Self::Feedback => "feedback",
            Self::Nudge => "nudge",
            Self::Reschedule => "reschedule",
            Self::Closure => "closure",
            Self::Reflection => "reflection",
        }
    }

    fn index(self) -> u128 {
        Self::ALL.iter().position(|k| *k == self).unwrap_or(0) as u128 + 1
    }
}

/// One thing waiting on the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxEntry {
    /// What kind.
    pub kind: InboxKind,
    /// A key stable while the entry waits (its subject's id, mixed with the
    /// kind so one room's pulse and agreement differ).
    pub id: Uuid,
    /// One sentence: what waits.
    pub title: String,
    /// More, when it helps (a reason and a next step, a programme).
    pub detail: String,
    /// Where it is done: a site path.
    pub link: String,
    /// The link's words ("Accept or decline").
    pub action: &'static str,
    /// By when it must be done (ms), if it has a deadline.
    pub deadline: Option<i64>,
    /// When it arrived (ms).
    pub at: i64,
    /// For an aggregated entry, how many it stands for.
    pub count: Option<i64>,
}

/// Where an entry without a deadline sorts: after every deadline, newest
/// first. Times are ms since 1970, far below this.
const NO_DEADLINE: i64 = 10_000_000_000_000;

impl InboxEntry {
    /// The position key: deadline first, then newest. Ascending, with the id
    /// breaking ties, it is the inbox's order and its cursor.
    pub fn order(&self) -> i64 {
        match self.deadline {
            Some(d) => d.min(NO_DEADLINE - 1),
            None => NO_DEADLINE + (NO_DEADLINE - self.at.clamp(0, NO_DEADLINE - 1)),
        }
    }
}

fn key(kind: InboxKind, subject: Uuid) -> Uuid {
    Uuid::from_u128(subject.as_u128() ^ kind.index())
}

fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The other current members of a room, by name.
fn others(room: &RoomRecord, me: PersonId) -> String {
    let names: Vec<&str> = room
        .members
        .iter()
        .filter(|m| m.person_id != me && m.state.holds_seat())
        .map(|m| m.name.as_str())
        .collect();
    match names.len() {
        0 => "your room".into(),
        _ => format!("your room with {}", names.join(", ")),
    }
}

/// What every source may read, loaded once per inbox.
struct Sources<'a> {
    actor: &'a Actor,
    now: i64,
    /// The person's rooms with their programme's name.
    rooms: Vec<(RoomRecord, String)>,
    /// The person's open requests, incoming and outgoing (two kinds read
    /// them; answered ones wait on nobody).
    requests: Vec<RequestView>,
    /// Whether their reflection schedule ever sent them a prompt.
    prompted: bool,
}

impl Sources<'_> {
    /// Whether entries of `kind` can exist at all: a manager's kinds need a
    /// programme the person manages, a room's kinds a room (any state; the
    /// store's queries read the same roles and room members in the same
    /// transaction). A kind that cannot is not asked for: most people in a
    /// large organisation manage nothing and many have no room, and each
    /// kind is a statement (issue 20, the home page).
    fn may_have(&self, kind: InboxKind) -> bool {
        match kind {
            InboxKind::Applications
            | InboxKind::RoundToPublish
            | InboxKind::Unplaced
            | InboxKind::Reports => self.actor.managed().next().is_some(),
            InboxKind::Agreement
            | InboxKind::Pulse
            | InboxKind::Feedback
            | InboxKind::Nudge
            | InboxKind::Reschedule
            | InboxKind::Closure => !self.rooms.is_empty(),
            // A scheduled prompt, or one assigned to a room.
            InboxKind::Reflection => self.prompted || !self.rooms.is_empty(),
            InboxKind::Proposal | InboxKind::Request | InboxKind::Question => true,
        }
    }
}

/// What the statement that read the viewer's counts already says about
/// them ([`rapport_store::ViewerCounts`]): an inbox does not read what
/// cannot be there.
#[derive(Clone, Copy, Debug)]
pub(crate) struct InboxFacts {
    /// Whether their reflection schedule ever sent them a prompt.
    pub prompted: bool,
    /// Whether they are a member of any room, in any state.
    pub in_rooms: bool,
    /// Whether they sent or received a request still open.
    pub open_requests: bool,
}

impl From<&rapport_store::ViewerCounts> for InboxFacts {
    fn from(c: &rapport_store::ViewerCounts) -> Self {
        Self {
            prompted: c.reflection_prompted,
            in_rooms: c.in_rooms,
            open_requests: c.open_requests,
        }
    }
}

impl App {
    /// Everything waiting on the actor, ordered by deadline, then newest.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn inbox(&self, actor: &Actor) -> AppResult<Vec<InboxEntry>> {
        let mut tx = self.store.read().await?;
        let facts = InboxFacts::from(&tx.viewer_counts(actor.person_id).await?);
        self.inbox_in(&mut tx, actor, facts).await
    }

    /// [`App::inbox`] in the caller's read transaction: every source reads
    /// the same snapshot, and the home page reads its viewer, summary and
    /// inbox in one transaction (issue 20: on PostgreSQL each transaction
    /// is a pool checkout and two round trips more).
    /// `facts`: what the viewer's counts say of the actor, read in `tx`:
    /// their rooms and their open requests are read only when they have
    /// some (issue 20: two statements of a new member's start page).
    pub(crate) async fn inbox_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        facts: InboxFacts,
    ) -> AppResult<Vec<InboxEntry>> {
        let rooms = match facts.in_rooms {
            true => self.my_rooms_in(tx, actor).await?,
            false => vec![],
        };
        let requests = match facts.open_requests {
            true => self.open_requests_in(tx, actor).await?,
            false => vec![],
        };
        let cx = Sources {
            actor,
            now: self.now(),
            rooms,
            requests,
            prompted: facts.prompted,
        };
        let mut all = vec![];
        for kind in InboxKind::ALL {
            if cx.may_have(kind) {
                all.extend(self.entries_of(tx, kind, &cx).await?);
            }
        }
        all.sort_by_key(|e| (e.order(), e.id));
        Ok(all)
    }

    /// One page of the actor's inbox (`?cursor=&limit=`, like every list).
    /// The inbox is computed whole (it is short: aggregated for managers,
    /// a member's own rooms and requests otherwise) and paged by its order.
    pub async fn inbox_page(&self, actor: &Actor, list: &ListQuery) -> AppResult<Page<InboxEntry>> {
        let (start, limit) = list.window()?;
        let all = self.inbox(actor).await?;
        let pos = |e: &InboxEntry| (e.order(), e.id);
        let rows: Vec<InboxEntry> = match start {
            Start::Offset(skip) => all
                .into_iter()
                .skip(skip.max(0) as usize)
                .take(limit as usize + 1)
                .collect(),
            Start::Cursor(Cursor {
                created_at,
                id,
                direction: Direction::Older,
            }) => all
                .into_iter()
                .filter(|e| pos(e) > (created_at, id))
                .take(limit as usize + 1)
                .collect(),
            Start::Cursor(Cursor {
                created_at,
                id,
                direction: Direction::Newer,
            }) => all
                .into_iter()
                .rev()
                .filter(|e| pos(e) < (created_at, id))
                .take(limit as usize + 1)
                .collect(),
        };
        Ok(Page::from_rows(start, rows, limit, pos))
    }

    /// The entries of one kind: the one place a kind's source is named.
    async fn entries_of(
        &self,
        tx: &mut Tx,
        kind: InboxKind,
        cx: &Sources<'_>,
    ) -> AppResult<Vec<InboxEntry>> {
        match kind {
            InboxKind::Proposal => Ok(proposals(cx)),
            InboxKind::Request | InboxKind::Question => Ok(requests_waiting(kind, cx)),
            InboxKind::Applications => self.applications_waiting(tx, cx).await,
            InboxKind::RoundToPublish => self.rounds_to_publish(tx, cx).await,
            InboxKind::Unplaced => self.unplaced_waiting(tx, cx).await,
            InboxKind::Reports => self.reports_waiting(tx, cx).await,
            InboxKind::Agreement => self.agreements_to_confirm(tx, cx).await,
            InboxKind::Pulse => self.pulses_due(tx, cx).await,
            InboxKind::Feedback => self.feedback_to_give(tx, cx).await,
            InboxKind::Nudge => self.nudges_waiting(tx, cx).await,
            InboxKind::Reschedule => self.reschedules_waiting(tx, cx).await,
            InboxKind::Closure => self.closures_due(tx, cx).await,
            InboxKind::Reflection => self.reflection_entries(tx, cx).await,
        }
    }

    async fn applications_waiting(
        &self,
        tx: &mut Tx,
        cx: &Sources<'_>,
    ) -> AppResult<Vec<InboxEntry>> {
        Ok(tx
            .applications_waiting(cx.actor.person_id)
            .await?
            .into_iter()
            .map(|c| InboxEntry {
                kind: InboxKind::Applications,
                id: key(InboxKind::Applications, c.programme_id.0),
                title: format!(
                    "{} to review in {}",
                    plural(c.count, "application", "applications"),
                    c.name
                ),
                detail: String::new(),
                link: format!("/programmes/{}/participants?status=applied", c.slug),
                action: "Review applications",
                deadline: None,
                at: c.oldest_at,
                count: Some(c.count),
            })
            .collect())
    }

    async fn rounds_to_publish(&self, tx: &mut Tx, cx: &Sources<'_>) -> AppResult<Vec<InboxEntry>> {
        let mut out: Vec<InboxEntry> = vec![];
        // Newest first: one entry per programme, for its latest draft.
        for r in tx.draft_rounds(cx.actor.person_id).await? {
            if out
                .iter()
                .any(|e| e.id == key(InboxKind::RoundToPublish, r.programme_id.0))
            {
                continue;
            }
            out.push(InboxEntry {
                kind: InboxKind::RoundToPublish,
                id: key(InboxKind::RoundToPublish, r.programme_id.0),
                title: format!("A matching round in {} is ready to publish", r.name),
                detail: "Review the proposed pairs, then publish them.".into(),
                link: format!("/programmes/{}/matching", r.slug),
                action: "Review and publish",
                deadline: None,
                at: r.created_at,
                count: None,
            });
        }
        Ok(out)
    }

    async fn unplaced_waiting(&self, tx: &mut Tx, cx: &Sources<'_>) -> AppResult<Vec<InboxEntry>> {
        Ok(tx
            .unplaced_counts(cx.actor.person_id)
            .await?
            .into_iter()
            .map(|c| InboxEntry {
                kind: InboxKind::Unplaced,
                id: key(InboxKind::Unplaced, c.programme_id.0),
                title: format!(
                    "{} unplaced in {}",
                    plural(c.count, "person", "people"),
                    c.name
                ),
                detail: "Approved, with no room yet.".into(),
                link: format!("/programmes/{}/matching", c.slug),
                action: "Match them",
                deadline: None,
                at: c.oldest_at,
                count: Some(c.count),
            })
            .collect())
    }

    async fn reports_waiting(&self, tx: &mut Tx, cx: &Sources<'_>) -> AppResult<Vec<InboxEntry>> {
        Ok(tx
            .reports_waiting(cx.actor.person_id)
            .await?
            .into_iter()
            .map(|c| InboxEntry {
                kind: InboxKind::Reports,
                id: key(InboxKind::Reports, c.programme_id.0),
                title: format!(
                    "{} to resolve in {}",
                    plural(c.count, "safety report", "safety reports"),
                    c.name
                ),
                detail: "Only the programme's managers read them.".into(),
                link: format!("/programmes/{}/reports", c.slug),
                action: "Resolve reports",
                deadline: None,
                at: c.oldest_at,
                count: Some(c.count),
            })
            .collect())
    }

    async fn agreements_to_confirm(
        &self,
        tx: &mut Tx,
        cx: &Sources<'_>,
    ) -> AppResult<Vec<InboxEntry>> {
        let mut out = vec![];
        for (room, programme) in open_rooms(cx) {
            let v = self.agreement_in(tx, cx.actor, room.id).await?;
            let Some(current) = v.current.as_ref().filter(|_| v.can_confirm) else {
                continue;
            };
            out.push(InboxEntry {
                kind: InboxKind::Agreement,
                id: key(InboxKind::Agreement, room.id.0),
                title: format!(
                    "Confirm the agreement of {}",
                    others(room, cx.actor.person_id)
                ),
                detail: format!("Version {} · {programme}", current.version),
                link: format!("/rooms/{}/agreement", room.id),
                action: "Read and confirm",
                deadline: None,
                at: current.created_at,
                count: None,
            });
        }
        Ok(out)
    }

    async fn pulses_due(&self, tx: &mut Tx, cx: &Sources<'_>) -> AppResult<Vec<InboxEntry>> {
        let mut out = vec![];
        for (room, programme) in open_rooms(cx) {
            let v = self.my_pulse_in(tx, cx.actor, room.id).await?;
            let Some(due) = v.due.filter(|_| v.can_answer()) else {
                continue;
            };
            out.push(InboxEntry {
                kind: InboxKind::Pulse,
                id: key(InboxKind::Pulse, room.id.0),
                title: format!(
                    "Your rapport check-in for {} is due",
                    others(room, cx.actor.person_id)
                ),
                detail: format!(
                    "Four short questions; only you and {programme}'s managers see your answers."
                ),
                link: format!("/rooms/{}/pulse", room.id),
                action: "Answer the check-in",
                deadline: Some(due.closes_at),
                at: due.opened_at,
                count: None,
            });
        }
        Ok(out)
    }

    async fn feedback_to_give(&self, tx: &mut Tx, cx: &Sources<'_>) -> AppResult<Vec<InboxEntry>> {
        let since = cx.now - FEEDBACK_DAYS * DAY_MS;
        let mut out: Vec<InboxEntry> = vec![];
        // Newest first: one entry per room, for its latest held session.
        for s in tx.feedback_to_give(cx.actor.person_id, since).await? {
            if out
                .iter()
                .any(|e| e.id == key(InboxKind::Feedback, s.room_id.0))
            {
                continue;
            }
            let with = cx
                .rooms
                .iter()
                .find(|(r, _)| r.id == s.room_id)
                .map_or_else(
                    || "your room".into(),
                    |(r, _)| others(r, cx.actor.person_id),
                );
            out.push(InboxEntry {
                kind: InboxKind::Feedback,
                id: key(InboxKind::Feedback, s.room_id.0),
                title: format!("How did your last session in {with} go?"),
                detail: "Your feedback is blind: only you and the programme's managers read it."
                    .into(),
                link: format!("/sessions/{}", s.session_id),
                action: "Give feedback",
                deadline: None,
                at: s.at,
                count: None,
            });
        }
        Ok(out)
    }

    async fn nudges_waiting(&self, tx: &mut Tx, cx: &Sources<'_>) -> AppResult<Vec<InboxEntry>> {
        Ok(self
            .health_nudges_in(tx, cx.actor)
            .await?
            .into_iter()
            .map(|n| InboxEntry {
                kind: InboxKind::Nudge,
                id: key(InboxKind::Nudge, n.room_id.0),
                title: if n.with.is_empty() {
                    format!("Your room needs attention: {}", n.level.label())
                } else {
                    format!(
                        "Your room with {} needs attention: {}",
                        n.with,
                        n.level.label()
                    )
                },
                detail: {
                    let reasons: Vec<&str> = n.reasons.iter().map(|r| r.text.as_str()).collect();
                    format!("{} Next step: {}", reasons.join(" "), n.next_step)
                        .trim()
                        .to_string()
                },
                link: format!("/rooms/{}/health", n.room_id),
                action: "See the room's health",
                deadline: None,
                at: cx.now,
                count: None,
            })
            .collect())
    }

    async fn reschedules_waiting(
        &self,
        tx: &mut Tx,
        cx: &Sources<'_>,
    ) -> AppResult<Vec<InboxEntry>> {
        let zone = self.zone_of(tx, cx.actor.person_id).await?;
        Ok(tx
            .reschedules_to_answer(cx.actor.person_id)
            .await?
            .into_iter()
            .map(|s| InboxEntry {
                kind: InboxKind::Reschedule,
                id: key(InboxKind::Reschedule, s.session_id.0),
                title: format!(
                    "A new time is proposed for your session of {}",
                    zone.local_at(s.starts_at, cx.now)
                ),
                detail: s
                    .proposed_at
                    .map(|p| format!("Proposed: {}", zone.local_at(p, cx.now)))
                    .unwrap_or_default(),
                link: format!("/sessions/{}", s.session_id),
                action: "Accept or decline the new time",
                deadline: Some(s.starts_at),
                at: s.at,
                count: None,
            })
            .collect())
    }

    async fn closures_due(&self, tx: &mut Tx, cx: &Sources<'_>) -> AppResult<Vec<InboxEntry>> {
        let mut out = vec![];
        for (room, programme) in &cx.rooms {
            let mine = room
                .members
                .iter()
                .find(|m| m.person_id == cx.actor.person_id);
            if !matches!(room.status, RoomStatus::Completed | RoomStatus::EndedEarly)
                || mine.is_none_or(|m| m.state == MemberState::Declined)
            {
                continue;
            }
            let ClosureWindow::Open { until } = crate::closure::closure_window(room, cx.now) else {
                continue;
            };
            let v = self.closure_in(tx, cx.actor, room.id).await?;
            if !v.member || v.mine.is_some() {
                continue;
            }
            out.push(InboxEntry {
                kind: InboxKind::Closure,
                id: key(InboxKind::Closure, room.id.0),
                title: format!("Look back on {}", others(room, cx.actor.person_id)),
                detail: format!("A closing reflection and a short outcome survey for {programme}."),
                link: format!("/rooms/{}/closure", room.id),
                action: "Write your closure",
                deadline: Some(until),
                at: room.ended_at.unwrap_or(room.created_at),
                count: None,
            });
        }
        Ok(out)
    }
}

/// Requests waiting on the person (`Request`) and their requests with a
/// question to answer (`Question`).
fn requests_waiting(kind: InboxKind, cx: &Sources<'_>) -> Vec<InboxEntry> {
    let mut out = vec![];
    for v in &cx.requests {
        let r = &v.request;
        let offer = r.direction == rapport_domain::mentoring::RequestDirection::Offer;
        let from = if offer {
            &v.mentor_name
        } else {
            &v.mentee_name
        };
        let entry = match (kind, r.status, v.incoming) {
            (InboxKind::Request, RequestStatus::Pending, true) => InboxEntry {
                kind,
                id: key(kind, r.id.0),
                title: if offer {
                    format!("{from} offers to mentor you")
                } else {
                    format!("{from} asks you to be their mentor")
                },
                detail: v.programme.clone(),
                link: "/requests".into(),
                action: "Accept or decline",
                deadline: Some(r.expires_at),
                at: r.created_at,
                count: None,
            },
            (InboxKind::Question, RequestStatus::NeedsInfo, false) => {
                let to = if offer {
                    &v.mentee_name
                } else {
                    &v.mentor_name
                };
                InboxEntry {
                    kind,
                    id: key(kind, r.id.0),
                    title: format!("{to} has a question about your request"),
                    detail: v.programme.clone(),
                    link: "/requests".into(),
                    action: "Answer the question",
                    deadline: Some(r.expires_at),
                    at: r.created_at,
                    count: None,
                }
            }
            _ => continue,
        };
        out.push(entry);
    }
    out
}

impl App {
    /// Reflection prompts waiting on the person: the one their schedule sent,
    /// and those assigned to their open rooms (issue 19, H8).
    async fn reflection_entries(
        &self,
        tx: &mut Tx,
        cx: &Sources<'_>,
    ) -> AppResult<Vec<InboxEntry>> {
        use crate::reflection::RoomPromptOrPrompt;
        let rooms: Vec<rapport_domain::RoomId> = open_rooms(cx).map(|(r, _)| r.id).collect();
        let kind = InboxKind::Reflection;
        Ok(self
            .reflections_waiting(tx, cx.actor, &rooms)
            .await?
            .into_iter()
            .map(|(w, at)| match w {
                RoomPromptOrPrompt::Prompt(p) => InboxEntry {
                    kind,
                    id: key(kind, p.id.0),
                    title: "Your reflection prompt is waiting".into(),
                    detail: p.body,
                    link: format!("/prompts/{}", p.id),
                    action: "Reflect",
                    deadline: None,
                    at,
                    count: None,
                },
                RoomPromptOrPrompt::Room(rp) => {
                    let with = cx
                        .rooms
                        .iter()
                        .find(|(r, _)| r.id == rp.room_id)
                        .map_or_else(
                            || "your room".into(),
                            |(r, _)| others(r, cx.actor.person_id),
                        );
                    InboxEntry {
                        kind,
                        id: key(kind, rp.id.0),
                        title: format!("A reflection prompt for {with}"),
                        detail: rp.prompt_body,
                        link: format!("/rooms/{}/prompts", rp.room_id),
                        action: "Reflect",
                        deadline: None,
                        at,
                        count: None,
                    }
                }
            })
            .collect())
    }
}

/// Proposed rooms the person has not answered yet.
fn proposals(cx: &Sources<'_>) -> Vec<InboxEntry> {
    cx.rooms
        .iter()
        .filter(|(r, _)| r.status == RoomStatus::Proposed)
        .filter(|(r, _)| {
            r.members
                .iter()
                .any(|m| m.person_id == cx.actor.person_id && m.state == MemberState::Invited)
        })
        .map(|(r, programme)| InboxEntry {
            kind: InboxKind::Proposal,
            id: key(InboxKind::Proposal, r.id.0),
            title: format!(
                "You are proposed a match: {}",
                others(r, cx.actor.person_id)
            ),
            detail: programme.clone(),
            link: format!("/rooms/{}", r.id),
            action: "See why, then accept or decline",
            deadline: None,
            at: r.created_at,
            count: None,
        })
        .collect()
}

/// The person's rooms that are open (active or paused) with them seated.
fn open_rooms<'a>(cx: &'a Sources<'_>) -> impl Iterator<Item = (&'a RoomRecord, &'a String)> {
    cx.rooms
        .iter()
        .filter(|(r, _)| r.status.is_under_way())
        .filter(|(r, _)| {
            r.members
                .iter()
                .any(|m| m.person_id == cx.actor.person_id && m.state == MemberState::Accepted)
        })
        .map(|(r, p)| (r, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(deadline: Option<i64>, at: i64) -> InboxEntry {
        InboxEntry {
            kind: InboxKind::Proposal,
            id: Uuid::new_v4(),
            title: String::new(),
            detail: String::new(),
            link: "/".into(),
            action: "",
            deadline,
            at,
            count: None,
        }
    }

    #[test]
    fn deadlines_come_first_soonest_first_then_the_newest() {
        let mut v = [
            entry(None, 1_000),
            entry(Some(5_000), 10),
            entry(None, 3_000),
            entry(Some(2_000), 20),
        ];
        v.sort_by_key(InboxEntry::order);
        let got: Vec<(Option<i64>, i64)> = v.iter().map(|e| (e.deadline, e.at)).collect();
        assert_eq!(
            got,
            vec![
                (Some(2_000), 20),
                (Some(5_000), 10),
                (None, 3_000),
                (None, 1_000)
            ]
        );
    }

    #[test]
    fn every_kind_has_its_own_code_and_key() {
        let codes: std::collections::HashSet<_> = InboxKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes.len(), InboxKind::ALL.len());
        let subject = Uuid::new_v4();
        let keys: std::collections::HashSet<_> =
            InboxKind::ALL.iter().map(|k| key(*k, subject)).collect();
        assert_eq!(keys.len(), InboxKind::ALL.len());
    }

    #[test]
    fn counts_read_as_words() {
        assert_eq!(plural(1, "person", "people"), "1 person");
        assert_eq!(plural(37, "person", "people"), "37 people");
    }
}
