//! The no-fault re-match (issue 17, section 8).
//!
//! A member who answered "no" to "this mentorship is working for me" at
//! their latest pulse, or a manager of the programme, starts a re-match of a
//! room. In one transaction:
//! - the room ends with reason `fit`, in words that blame no one; in a group
//!   or circle of more than two only the person re-matched leaves, and the
//!   room carries on while [`viable`] holds. The mentor's seat is freed.
//! - in mentor programmes, the engine (the same solve as "match now", for
//!   that one person against the space mentors have left) picks the best new
//!   mentor, excluding every mentor already tried in this re-match, keeping
//!   every hard rule and capacity and moving nobody else. Rapport proposes a
//!   room with them, linked to the old room (`room_rematches`); both answer
//!   through the usual `answer`. A decline proposes the next referral
//!   ([`App::next_referral`], called from `answer_room`). When nobody can
//!   take them, the answer says why and what would fix it, the person waits
//!   in the pool, and the managers are told.
//! - in peer and circle programmes the person gets a ranked referral list
//!   instead ([`App::rematch_referrals`]); picking one proposes a room
//!   ([`App::pick_referral`], peers only: a circle is formed by a run).
//! - everyone in the old room is told in neutral words and, when it closed,
//!   asked for the closure survey; a mentor who reported a poor fit is
//!   offered a mentor of their own ([`App::mentor_support`]).
//!
//! Goals follow when the new room **opens** (everyone accepted), not at the
//! proposal: a proposal may be declined, and goals should not wander through
//! rooms that never start. Notes are copied one by one, by their author's
//! choice ([`App::carry_note`]), during the old room's grace period.

use crate::emails::{MatchProposed, RematchMail, RematchNext, RoomRematched};
use crate::notes::NoteView;
use crate::rooms::RoomAccess;
use crate::rounds::{lines, profile_of, ExplanationLine, Proposal};
use crate::{markdown, App, AppError, AppResult};
use rapport_domain::mentoring::{EndReason, MemberState, RoomOrigin, RoomStatus};
use rapport_domain::policy::Actor;
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole, Question};
use rapport_domain::pulse::Working;
use rapport_domain::{NoteId, PersonId, RoomId};
use rapport_matching::constraints::Rules;
use rapport_matching::score::{Audience, Model, Reader};
use rapport_matching::settings::PairIds;
use rapport_store::{MemberRecord, NewRoom, ProgrammeRecord, RematchLink, Tx};
use serde::Serialize;

/// The longest note a re-match takes.
pub const NOTE_MAX: usize = 2000;

/// Most referrals listed.
pub const MAX_REFERRALS: usize = 10;

/// The words the old room's history keeps: neutral, blaming no one.
pub const NEUTRAL: &str =
    "Ended for a no-fault re-match: a change of fit is nobody's fault, and everyone is free to be matched again.";

/// What starting a re-match takes (`POST /api/v1/rooms/{id}/rematch` or the
/// confirmation page).
#[derive(Clone, Debug, Default)]
pub struct RematchInput {
    /// Must be true; without it nothing changes (409 naming `confirm`).
    pub confirm: bool,
    /// Optional note (Markdown), kept in the room's history.
    pub note: Option<String>,
    /// Who to re-match, for a manager when the room has more than one
    /// mentee or peer (a person id).
    pub person: Option<String>,
}

/// One ranked referral (peers and circles).
#[derive(Clone, Debug, Serialize)]
pub struct Referral {
    /// The person referred.
    pub person_id: PersonId,
    /// Their name.
    pub name: String,
    /// Compatibility, 0–100.
    pub score: f64,
    /// Why, in member-safe words.
    pub explanation: Vec<ExplanationLine>,
}

/// Why nobody can take the person now, and what would fix it.
#[derive(Clone, Debug, Serialize)]
pub struct Waiting {
    /// Why.
    pub reason: String,
    /// What would place them.
    pub fix: Option<String>,
}

/// What a re-match did, or where one stands.
#[derive(Clone, Debug, Serialize)]
pub struct RematchOutcome {
    /// The old room.
    pub from_room: RoomId,
    /// Its status now: `ended_early`, or still open when only the person left a group.
    pub from_status: RoomStatus,
    /// Who is re-matched.
    pub person_id: PersonId,
    /// Their name.
    pub person_name: String,
    /// The room proposed with a new mentor (or picked peer), if any.
    pub proposed: Option<RoomId>,
    /// The new mentor's (or peer's) name.
    pub proposed_with: Option<String>,
    /// Nobody can take them now (mentor programmes).
    pub waiting: Option<Waiting>,
    /// Peers and circles: who they could meet next, best first.
    pub referrals: Vec<Referral>,
}

/// A note of the old room its author may carry over.
#[derive(Clone, Debug, Serialize)]
pub struct CarryNote {
    /// The note.
    pub note: NoteView,
    /// It was already copied to the new room.
    pub copied: bool,
}

/// The carry-over step: the author's notes in the old room and where copies go.
#[derive(Clone, Debug, Serialize)]
pub struct CarryOver {
    /// The old room.
    pub from_room: RoomId,
    /// The new room copies go to; none until one is active or paused.
    pub to_room: Option<RoomId>,
    /// The author's notes, newest first.
    pub notes: Vec<CarryNote>,
}

/// Where a mentor who reported a poor fit may find a mentor of their own.
#[derive(Clone, Debug, Serialize)]
pub struct MentorSupport {
    /// An open programme they may enrol in as a mentee: (name, slug).
    pub programme: Option<(String, String)>,
}

/// Where a room's re-match leads, as one viewer may follow it: the rooms
/// proposed from it, and the room it was proposed from. A link is shown to
/// the person re-matched (a member of both rooms) and to the programme's
/// managers, never to the others (the old mentor does not learn the new
/// room, the new mentor not the old one).
#[derive(Clone, Debug, Default, Serialize)]
pub struct RematchLinks {
    /// Rooms a re-match from this room proposed, oldest first.
    pub to: Vec<RoomId>,
    /// The room this one was proposed from by a re-match.
    pub from: Option<RoomId>,
}

/// The re-match links of room `id` that `viewer` may follow.
pub(crate) async fn links(
    tx: &mut Tx,
    id: RoomId,
    viewer: PersonId,
    manager: bool,
) -> AppResult<RematchLinks> {
    let shown = |l: &RematchLink| manager || l.person_id == viewer;
    Ok(RematchLinks {
        to: tx
            .rematches_from(id)
            .await?
            .iter()
            .filter(|l| shown(l))
            .map(|l| l.room_id)
            .collect(),
        from: tx
            .rematch_of(id)
            .await?
            .filter(shown)
            .map(|l| l.from_room_id),
    })
}

fn checked_note(note: &Option<String>) -> AppResult<Option<String>> {
    let note = note
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
        markdown::check("note", n)?;
    }
    Ok(note)
}

/// Whether `kind` gets a mentor proposed (rather than a referral list).
fn mentored(kind: ProgrammeKind) -> bool {
    !matches!(kind, ProgrammeKind::Peer | ProgrammeKind::Circle)
}

/// The role a re-matched person holds in a programme of `kind`.
fn seeker_role(kind: ProgrammeKind) -> ProgrammeRole {
    if mentored(kind) {
        ProgrammeRole::Mentee
    } else {
        ProgrammeRole::Peer
    }
}

/// Whether `person` answered "no" to "this is working for me" at their
/// latest pulse in `room`.
async fn said_no(tx: &mut Tx, room: RoomId, person: PersonId) -> AppResult<bool> {
    Ok(tx
        .pulses_of(room, person)
        .await?
        .first()
        .is_some_and(|p| p.answers.working == Working::No))
}

fn forbidden() -> AppError {
    AppError::Forbidden(
        "a re-match is started by a member who answered no to \u{201c}this mentorship is working for me\u{201d} at their latest check-in, or by a manager of the programme".into(),
    )
}

impl App {
    /// Who a re-match of the room in `access` would move, for `actor`: the
    /// member record of the person re-matched. Members who answered "no"
    /// (a mentee or peer moves themselves; a pair's mentor moves the mentee),
    /// or managers (naming `person` when the room has several to choose from).
    async fn rematch_subject(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        access: &RoomAccess,
        person: Option<&str>,
    ) -> AppResult<MemberRecord> {
        let room = &access.room;
        let role = seeker_role(access.programme.kind);
        let seekers: Vec<&MemberRecord> = room
            .members
            .iter()
            .filter(|m| m.state.holds_seat() && m.role == role)
            .collect();
        if access.is_member() && said_no(tx, room.id, actor.person_id).await? {
            let me = access.me.as_ref().expect("a member has a membership");
            if me.role == role {
                return Ok(me.clone());
            }
            if let [only] = seekers.as_slice() {
                return Ok((*only).clone());
            }
            if !access.manager {
                return Err(AppError::Conflict {
                    field: None,
                    message: "in a group the mentor or facilitator ends the room, or asks the programme's manager to re-match one member".into(),
                });
            }
        }
        if !access.manager {
            return Err(forbidden());
        }
        match person.map(str::trim).filter(|p| !p.is_empty()) {
            Some(raw) => {
                let id = raw.parse::<uuid::Uuid>().map(PersonId).map_err(|_| {
                    AppError::invalid("person", "choose one of the room's members to re-match")
                })?;
                seekers
                    .iter()
                    .find(|m| m.person_id == id)
                    .map(|m| (*m).clone())
                    .ok_or_else(|| {
                        AppError::invalid(
                            "person",
                            format!("choose a current {} of this room", role.code()),
                        )
                    })
            }
            None => match seekers.as_slice() {
                [only] => Ok((*only).clone()),
                [] => Err(AppError::Conflict {
                    field: None,
                    message: format!("this room has no current {} to re-match", role.code()),
                }),
                _ => Err(AppError::invalid(
                    "person",
                    format!(
                        "this room has {} {}s: choose which one to re-match",
                        seekers.len(),
                        role.code()
                    ),
                )),
            },
        }
    }

    /// What a re-match of room `id` would do, for its confirmation page:
    /// the person it would move (none when a manager must choose) and the
    /// choices. 403/404/409 as [`App::start_rematch`].
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %id))]
    pub async fn rematch_preview(
        &self,
        actor: &Actor,
        id: RoomId,
    ) -> AppResult<(Option<MemberRecord>, Vec<MemberRecord>, bool)> {
        let mut tx = self.store.read().await?;
        let access = self.room_access(&mut tx, actor, id).await?;
        access.writable()?;
        let role = seeker_role(access.programme.kind);
        let choices: Vec<MemberRecord> = access
            .room
            .members
            .iter()
            .filter(|m| m.state.holds_seat() && m.role == role)
            .cloned()
            .collect();
        let subject = match self.rematch_subject(&mut tx, actor, &access, None).await {
            Ok(m) => Some(m),
            Err(AppError::Invalid(_)) => None,
            Err(e) => return Err(e),
        };
        let group = access
            .room
            .members
            .iter()
            .filter(|m| m.state.holds_seat())
            .count()
            > 2;
        Ok((subject, choices, group))
    }

    /// Starts a no-fault re-match of room `id` (see the module doc). 404 to
    /// anyone who may not see the room; 403 to a member who did not answer
    /// "no"; 409 on a room that is not active or paused, or without
    /// `confirm`; 422 naming `note` or `person`.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %id))]
    pub async fn start_rematch(
        &self,
        actor: &Actor,
        id: RoomId,
        input: &RematchInput,
    ) -> AppResult<RematchOutcome> {
        let note = checked_note(&input.note)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let access = self.room_access(&mut tx, actor, id).await?;
        access.writable()?;
        let subject = self
            .rematch_subject(&mut tx, actor, &access, input.person.as_deref())
            .await?;
        let room = &access.room;
        let p = &access.programme;
        let seated = room.members.iter().filter(|m| m.state.holds_seat()).count();
        let leave_only = seated > 2;
        if !input.confirm {
            let what = if leave_only {
                format!("{} leaves the room and the others carry on", subject.name)
            } else {
                "the room ends for fit (no fault) and the mentor's seat is freed".to_string()
            };
            let next = if mentored(p.kind) {
                "the best mentor who can take them is proposed"
            } else {
                "they get a ranked list of peers to choose from"
            };
            return Err(AppError::Conflict {
                field: Some("confirm"),
                message: format!(
                    "this re-matches {}: {what}, and {next}; send confirm: true to go ahead",
                    subject.name
                ),
            });
        }
        let words = match &note {
            Some(n) => format!("{NEUTRAL}\n\n{n}"),
            None => NEUTRAL.to_string(),
        };
        // The old room: the person leaves a larger room, or the room ends.
        let closed = if leave_only {
            self.leave_room(
                &mut tx,
                &access,
                subject.person_id,
                actor.person_id,
                (Some(EndReason::Fit), Some(&words)),
                (EndReason::Fit, &words),
                now,
            )
            .await?
            .0
        } else {
            self.close_room(
                &mut tx,
                room,
                Some(actor.person_id),
                Some((EndReason::Fit, Some(&words))),
                now,
            )
            .await?;
            true
        };
        let mut outcome = RematchOutcome {
            from_room: room.id,
            from_status: if closed {
                RoomStatus::EndedEarly
            } else {
                room.status
            },
            person_id: subject.person_id,
            person_name: subject.name.clone(),
            proposed: None,
            proposed_with: None,
            waiting: None,
            referrals: vec![],
        };
        let next = if mentored(p.kind) {
            match self
                .propose_referral(&mut tx, p, room.id, &subject, Some(actor.person_id), now)
                .await?
            {
                Ok((room_id, mentor)) => {
                    outcome.proposed = Some(room_id);
                    outcome.proposed_with = Some(mentor.clone());
                    RematchNext::Proposed {
                        mentor,
                        room: room_id.to_string(),
                    }
                }
                Err(w) => {
                    outcome.waiting = Some(w.clone());
                    RematchNext::Waiting {
                        reason: w.reason,
                        fix: w.fix,
                    }
                }
            }
        } else {
            outcome.referrals = self
                .peer_referrals(&mut tx, p, room.id, subject.person_id, now)
                .await?;
            RematchNext::Referrals
        };
        // Everyone in the old room hears, in neutral words.
        for m in room.members.iter().filter(|m| m.state.holds_seat()) {
            let mail = if m.person_id == subject.person_id {
                RematchMail::Moved {
                    next: next.clone(),
                    closed,
                }
            } else {
                let lead = matches!(m.role, ProgrammeRole::Mentor | ProgrammeRole::Facilitator);
                let support = lead
                    && (m.person_id == actor.person_id && access.is_member()
                        || said_no(&mut tx, room.id, m.person_id).await?);
                RematchMail::Others {
                    person: subject.name.clone(),
                    closed,
                    mentor_support: support,
                }
            };
            let mail = RoomRematched {
                name: m.name.clone(),
                programme: p.name.clone(),
                room: room.id.to_string(),
                mail,
            };
            self.queue_mail(&mut tx, Some(m.person_id), &m.email, &mail)
                .await?;
        }
        self.audit_by(
            &mut tx,
            actor,
            "room.rematch",
            format!("room:{}", room.id),
            None,
            Some(serde_json::json!({
                "person": subject.person_id.to_string(),
                "closed": closed,
                "proposed": outcome.proposed.map(|r| r.to_string()),
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Proposes the best mentor who can take `subject` now, excluding the
    /// mentors of `from` and of every room this re-match proposed before;
    /// `Err(Waiting)` (and the managers told) when nobody can. Inside the
    /// caller's transaction.
    async fn propose_referral(
        &self,
        tx: &mut Tx,
        p: &ProgrammeRecord,
        from: RoomId,
        subject: &MemberRecord,
        by: Option<PersonId>,
        now: i64,
    ) -> AppResult<Result<(RoomId, String), Waiting>> {
        let tried = self.tried(tx, from, subject.person_id).await?;
        let mut settings = self.run_settings(tx, p).await?;
        for mentor in &tried {
            settings.excluded.push(PairIds {
                mentee: subject.person_id.to_string(),
                mentor: mentor.to_string(),
            });
        }
        let mut pool = self.pool(tx, p, now).await?;
        pool.seekers.retain(|(s, _)| s.id == subject.person_id);
        pool.givers.retain(|(g, _, _)| !tried.contains(&g.id));
        let waiting = if pool.seekers.is_empty() {
            Waiting {
                reason: format!(
                    "{} already has another open room in {}, or their enrolment is no longer approved",
                    subject.name, p.name
                ),
                fix: Some("check their enrolment and rooms in the programme".into()),
            }
        } else {
            let questions: Vec<Question> = p.questions.clone();
            let sizes = (p.group_min.max(2) as usize, p.group_max.max(2) as usize);
            let result = crate::rounds::solve(p.kind, sizes, &pool, &settings, &questions)?;
            if let Some(proposal) = result.proposals.first() {
                let mentor = proposal
                    .members
                    .iter()
                    .find(|m| m.role == ProgrammeRole::Mentor)
                    .map(|m| m.name.clone())
                    .unwrap_or_default();
                let room = self
                    .insert_rematch_room(tx, p, proposal, from, subject.person_id, by, now)
                    .await?;
                return Ok(Ok((room, mentor)));
            }
            let u = result.unmatched.first();
            Waiting {
                reason: u
                    .map(|u| u.reason.clone())
                    .unwrap_or_else(|| "no other eligible mentor has space".into()),
                fix: u.and_then(|u| u.fix.clone()).or_else(|| {
                    Some("add one mentor place: a suitable mentor raises their capacity, or recruit one".into())
                }),
            }
        };
        for id in tx.holders(p.id, ProgrammeRole::Manager).await? {
            let Some(manager) = tx.person(id).await? else {
                continue;
            };
            let mail = RoomRematched {
                name: manager.profile.name.clone(),
                programme: p.name.clone(),
                room: from.to_string(),
                mail: RematchMail::NoneFound {
                    person: subject.name.clone(),
                    reason: waiting.reason.clone(),
                    fix: waiting.fix.clone(),
                },
            };
            self.queue_mail(tx, Some(id), &manager.email, &mail).await?;
        }
        Ok(Err(waiting))
    }

    /// The mentors (or peers) already tried for `person` in the re-match
    /// from `from`: the old room's other members and everyone in the rooms
    /// proposed since.
    async fn tried(&self, tx: &mut Tx, from: RoomId, person: PersonId) -> AppResult<Vec<PersonId>> {
        let mut rooms = vec![from];
        rooms.extend(
            tx.rematches_from(from)
                .await?
                .into_iter()
                .filter(|l| l.person_id == person)
                .map(|l| l.room_id),
        );
        let mut out = vec![];
        for r in rooms {
            if let Some(room) = tx.room(r).await? {
                for m in room.members.iter().map(|m| m.person_id) {
                    if m != person && !out.contains(&m) {
                        out.push(m);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Creates the proposed room of a re-match, linked to `from`; the new
    /// mentor (or peer) gets the usual proposal email, the person re-matched
    /// hears through the caller.
    #[allow(clippy::too_many_arguments)]
    async fn insert_rematch_room(
        &self,
        tx: &mut Tx,
        p: &ProgrammeRecord,
        proposal: &Proposal,
        from: RoomId,
        person: PersonId,
        by: Option<PersonId>,
        now: i64,
    ) -> AppResult<RoomId> {
        let room = NewRoom {
            id: RoomId::new(),
            programme_id: p.id,
            status: RoomStatus::Proposed,
            origin: RoomOrigin::Round,
            // A peer who picked from their referrals has answered already.
            members: proposal
                .members
                .iter()
                .map(|m| {
                    let picked = by == Some(person) && m.person_id == person && !mentored(p.kind);
                    let state = if picked {
                        MemberState::Accepted
                    } else {
                        MemberState::Invited
                    };
                    (m.person_id, m.role, state)
                })
                .collect(),
            round_id: None,
        };
        tx.insert_room(&room, now).await?;
        tx.insert_rematch(&RematchLink {
            room_id: room.id,
            from_room_id: from,
            person_id: person,
            started_by: by,
            created_at: now,
        })
        .await?;
        for m in proposal.members.iter().filter(|m| m.person_id != person) {
            let Some(rec) = tx.person(m.person_id).await? else {
                continue;
            };
            let mail = MatchProposed {
                name: rec.profile.name.clone(),
                programme: p.name.clone(),
                others: proposal
                    .members
                    .iter()
                    .filter(|o| o.person_id != m.person_id)
                    .map(|o| o.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                room: room.id.to_string(),
            };
            self.queue_mail(tx, Some(rec.id), &rec.email, &mail).await?;
        }
        Ok(room.id)
    }

    /// Called by `answer_room` inside its transaction once room `id` closed
    /// because someone declined: when it was a re-match's proposal in a
    /// mentor programme, the next referral follows (the person re-matched
    /// hears of it; the managers when nobody is left).
    pub(crate) async fn next_referral(
        &self,
        tx: &mut Tx,
        p: &ProgrammeRecord,
        id: RoomId,
        now: i64,
    ) -> AppResult<()> {
        let Some(link) = tx.rematch_of(id).await? else {
            return Ok(());
        };
        if !mentored(p.kind) {
            return Ok(());
        }
        let Some(person) = tx.person(link.person_id).await? else {
            return Ok(());
        };
        let subject = MemberRecord {
            person_id: person.id,
            name: person.profile.name.clone(),
            email: person.email.to_string(),
            role: ProgrammeRole::Mentee,
            state: MemberState::Accepted,
        };
        let next = match self
            .propose_referral(tx, p, link.from_room_id, &subject, None, now)
            .await?
        {
            Ok((room, mentor)) => RematchNext::Proposed {
                mentor,
                room: room.to_string(),
            },
            Err(w) => RematchNext::Waiting {
                reason: w.reason,
                fix: w.fix,
            },
        };
        let mail = RoomRematched {
            name: subject.name.clone(),
            programme: p.name.clone(),
            room: link.from_room_id.to_string(),
            mail: RematchMail::Moved {
                next,
                closed: false,
            },
        };
        self.queue_mail(tx, Some(person.id), &subject.email, &mail)
            .await
    }

    /// Called by `answer_room` inside its transaction once room `id` opened:
    /// when a re-match proposed it, the person's goals and milestones move
    /// into it from the old room, which keeps a read-only snapshot.
    pub(crate) async fn rematch_opened(&self, tx: &mut Tx, id: RoomId, now: i64) -> AppResult<()> {
        if let Some(link) = tx.rematch_of(id).await? {
            tx.move_goals(link.person_id, link.from_room_id, id, now)
                .await?;
        }
        Ok(())
    }

    /// Ranked peers for `person` to meet next: approved peers waiting in the
    /// pool, both directions passing every hard rule, excluding everyone
    /// already tried in this re-match; best first.
    async fn peer_referrals(
        &self,
        tx: &mut Tx,
        p: &ProgrammeRecord,
        from: RoomId,
        person: PersonId,
        now: i64,
    ) -> AppResult<Vec<Referral>> {
        let tried = self.tried(tx, from, person).await?;
        let mut settings = self.run_settings(tx, p).await?;
        settings.pinned.clear();
        let pool = self.pool(tx, p, now).await?;
        let questions: Vec<Question> = p.questions.clone();
        let Some((me, mine)) = pool.seekers.iter().find(|(s, _)| s.id == person) else {
            return Ok(vec![]);
        };
        let others: Vec<_> = pool
            .seekers
            .iter()
            .filter(|(s, _)| s.id != person && !tried.contains(&s.id))
            .collect();
        if others.is_empty() {
            return Ok(vec![]);
        }
        let me_profile = profile_of(me, mine, &questions, 1);
        let profiles: Vec<_> = others
            .iter()
            .map(|(s, e)| profile_of(s, e, &questions, 1))
            .collect();
        let there = Model::build(std::slice::from_ref(&me_profile), &profiles, &settings)
            .map_err(|e| AppError::internal("matching settings are unusable", e))?;
        let back = Model::build(&profiles, std::slice::from_ref(&me_profile), &settings)
            .map_err(|e| AppError::internal("matching settings are unusable", e))?;
        let (rules_there, rules_back) = (Rules::build(&there), Rules::build(&back));
        let mut out: Vec<Referral> = (0..others.len())
            .filter_map(|j| {
                let a = rules_there.eligible(&there, 0, j)?;
                let b = rules_back.eligible(&back, j, 0)?;
                let (s, _) = others[j];
                Some(Referral {
                    person_id: s.id,
                    name: s.profile.name.clone(),
                    score: (a as f64 + b as f64) / 2.0 / 1_000_000.0,
                    explanation: lines(&there.explain_to(0, j, Audience::Member, Reader::Mentee)),
                })
            })
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.name.cmp(&b.name)));
        out.truncate(MAX_REFERRALS);
        Ok(out)
    }

    /// Where a re-match from room `id` stands for the actor (the person
    /// re-matched, or a manager): the room proposed, or why they wait, or
    /// (peers and circles) the ranked referrals. 404 when no re-match
    /// started from this room for them.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %id))]
    pub async fn rematch_referrals(&self, actor: &Actor, id: RoomId) -> AppResult<RematchOutcome> {
        let now = self.now();
        let mut tx = self.store.read().await?;
        let access = self.room_access(&mut tx, actor, id).await?;
        let Some(person) = rematched_from(&access).cloned() else {
            return Err(AppError::NotFound(
                "no re-match started from this room for you".into(),
            ));
        };
        let links: Vec<RematchLink> = tx
            .rematches_from(id)
            .await?
            .into_iter()
            .filter(|l| l.person_id == person.person_id)
            .collect();
        let mut outcome = RematchOutcome {
            from_room: id,
            from_status: access.room.status,
            person_id: person.person_id,
            person_name: person.name.clone(),
            proposed: None,
            proposed_with: None,
            waiting: None,
            referrals: vec![],
        };
        if let Some(last) = links.last() {
            if let Some(r) = tx.room(last.room_id).await? {
                if r.status.is_open() {
                    outcome.proposed = Some(r.id);
                    outcome.proposed_with = Some(
                        r.members
                            .iter()
                            .filter(|m| m.person_id != person.person_id)
                            .map(|m| m.name.clone())
                            .collect::<Vec<_>>()
                            .join(", "),
                    );
                }
            }
        }
        if outcome.proposed.is_none() && !mentored(access.programme.kind) {
            outcome.referrals = self
                .peer_referrals(&mut tx, &access.programme, id, person.person_id, now)
                .await?;
        }
        Ok(outcome)
    }

    /// A peer or circle member re-matched from room `id` picks `peer` from
    /// their referrals: Rapport proposes a room of the two (peers), or a new
    /// circle of the two and the next best on the list up to the smallest
    /// circle the programme forms (circles); everyone answers as usual. The
    /// pick must still be on the list, and a circle needs enough people
    /// free (409 otherwise, saying why).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %id))]
    pub async fn pick_referral(&self, actor: &Actor, id: RoomId, peer: &str) -> AppResult<RoomId> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let access = self.room_access(&mut tx, actor, id).await?;
        let p = access.programme.clone();
        let me = match &access.me {
            Some(m) if m.role == ProgrammeRole::Peer => m.clone(),
            _ => {
                return Err(AppError::NotFound(
                    "no re-match started from this room for you".into(),
                ))
            }
        };
        if access.room.end_reason != Some(EndReason::Fit) && me.state != MemberState::Left {
            return Err(AppError::NotFound(
                "no re-match started from this room for you".into(),
            ));
        }
        // The field is checked once the room is known to be theirs, so
        // nobody learns anything about a room from a 422.
        let peer = peer
            .trim()
            .parse::<uuid::Uuid>()
            .map(PersonId)
            .map_err(|_| {
                AppError::invalid("person_id", "choose someone from your referral list")
            })?;
        let referrals = self
            .peer_referrals(&mut tx, &p, id, me.person_id, now)
            .await?;
        let Some(pick) = referrals.iter().find(|r| r.person_id == peer) else {
            return Err(AppError::Conflict {
                field: Some("person_id"),
                message: "that person is no longer free to meet (or was never on your list): reload your referrals and choose again".into(),
            });
        };
        // A pair of peers is the two; a circle is the two and the next best
        // on the list, up to the smallest circle the programme forms.
        let size = if p.kind == ProgrammeKind::Circle {
            (p.group_min.max(0) as usize).max(crate::rooms::MIN_CIRCLE)
        } else {
            2
        };
        let mut chosen: Vec<&Referral> = vec![pick];
        chosen.extend(
            referrals
                .iter()
                .filter(|r| r.person_id != peer)
                .take(size.saturating_sub(2)),
        );
        if chosen.len() + 1 < size {
            return Err(AppError::Conflict {
                field: None,
                message: format!(
                    "a circle in {} needs at least {size} members, and only {} people are free to meet you now: you wait in the programme's pool, and its next matching run places you",
                    p.name,
                    referrals.len() + 1
                ),
            });
        }
        let member = |person_id: PersonId, name: &str| crate::rounds::ProposalMember {
            person_id,
            name: name.to_string(),
            role: ProgrammeRole::Peer,
        };
        let mut members = vec![member(me.person_id, &me.name)];
        members.extend(chosen.iter().map(|r| member(r.person_id, &r.name)));
        let proposal = Proposal {
            members,
            score: pick.score,
            pinned: false,
            explanation: vec![],
            member_explanation: pick.explanation.clone(),
        };
        let room = self
            .insert_rematch_room(
                &mut tx,
                &p,
                &proposal,
                id,
                me.person_id,
                Some(actor.person_id),
                now,
            )
            .await?;
        tx.commit().await?;
        Ok(room)
    }

    /// The carry-over step of a re-match from room `id`: the actor's own
    /// notes there (private and shared) and the new room copies go to. For
    /// the person re-matched, within the old room's grace period.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %id))]
    pub async fn carry_over(&self, actor: &Actor, id: RoomId) -> AppResult<CarryOver> {
        let now = self.now();
        let mut tx = self.store.read().await?;
        let (to, _) = self.carry_target(&mut tx, actor, id, now).await?;
        let copies: Vec<NoteId> = tx
            .notes_by(actor.person_id)
            .await?
            .into_iter()
            .filter(|n| to.is_some_and(|t| n.room_id == t))
            .filter_map(|n| n.copied_from)
            .collect();
        let mut notes: Vec<CarryNote> = tx
            .notes_by(actor.person_id)
            .await?
            .into_iter()
            .filter(|n| n.room_id == id)
            .map(|n| CarryNote {
                copied: copies.contains(&n.id),
                note: NoteView::new(n, actor),
            })
            .collect();
        notes.sort_by_key(|n| std::cmp::Reverse(n.note.record.created_at));
        Ok(CarryOver {
            from_room: id,
            to_room: to,
            notes,
        })
    }

    /// The room copies from room `id` go to for the actor (none until it
    /// opens), after checking the actor was re-matched from it and the grace
    /// period holds.
    async fn carry_target(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: RoomId,
        now: i64,
    ) -> AppResult<(Option<RoomId>, RoomAccess)> {
        let access = self.room_access(tx, actor, id).await?;
        let links: Vec<RematchLink> = tx
            .rematches_from(id)
            .await?
            .into_iter()
            .filter(|l| l.person_id == actor.person_id)
            .collect();
        if links.is_empty() || access.me.is_none() {
            return Err(AppError::NotFound(
                "no re-match started from this room for you".into(),
            ));
        }
        // The carry-over step is allowed on the ended room for its grace period.
        if !(access.room.status.is_open() && access.room.status != RoomStatus::Proposed) {
            match access.room.ended_at {
                Some(end) if now - end <= crate::rooms::GRACE_MS => {}
                _ => return Err(AppError::Conflict {
                    field: None,
                    message:
                        "notes can be copied for 30 days after the room ended; that time has passed"
                            .into(),
                }),
            }
        }
        let mut to = None;
        for l in links.iter().rev() {
            if let Some(r) = tx.room(l.room_id).await? {
                if r.status.is_under_way()
                    && r.members
                        .iter()
                        .any(|m| m.person_id == actor.person_id && m.state.holds_seat())
                {
                    to = Some(r.id);
                    break;
                }
            }
        }
        Ok((to, access))
    }

    /// Copies one of the actor's notes from the old room `id` into their new
    /// room (its visibility kept), once. 409 while no new room is open, or
    /// when that note was already copied; 404 for a note that is not theirs
    /// in that room.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %id))]
    pub async fn carry_note(&self, actor: &Actor, id: RoomId, note: &str) -> AppResult<NoteId> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (to, _) = self.carry_target(&mut tx, actor, id, now).await?;
        let note: NoteId = note.trim().parse().map_err(|_| {
            AppError::invalid("note_id", "choose one of your notes in the old room")
        })?;
        let rec = tx
            .note(note)
            .await?
            .filter(|n| n.room_id == id && n.author_id == Some(actor.person_id))
            .ok_or_else(|| AppError::NotFound("that note was not found".into()))?;
        let Some(to) = to else {
            return Err(AppError::Conflict {
                field: None,
                message: "your new room is not open yet: notes can be copied once everyone has accepted it".into(),
            });
        };
        if tx
            .notes_by(actor.person_id)
            .await?
            .iter()
            .any(|n| n.room_id == to && n.copied_from == Some(rec.id))
        {
            return Err(AppError::Conflict {
                field: Some("note_id"),
                message: "that note is already in your new room".into(),
            });
        }
        let copy = tx.copy_note(&rec, to, now).await?;
        tx.commit().await?;
        Ok(copy)
    }

    /// For a mentor of room `id` who reported a poor fit (a "no" at their
    /// latest pulse, or the room ended for fit while they led it): where to
    /// find a mentor of their own. None for anyone else.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %id))]
    pub async fn mentor_support(
        &self,
        actor: &Actor,
        id: RoomId,
    ) -> AppResult<Option<MentorSupport>> {
        let mut tx = self.store.read().await?;
        let access = self.room_access(&mut tx, actor, id).await?;
        mentor_support_in(&mut tx, actor, &access).await
    }

    /// Whether the viewer may start a re-match of the room from its
    /// Overview: [`App::rematch_preview`] would answer, without building
    /// the preview.
    pub(crate) async fn may_rematch_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        access: &RoomAccess,
    ) -> AppResult<bool> {
        if !access.room.status.is_open() || access.writable().is_err() {
            return Ok(false);
        }
        Ok(match self.rematch_subject(tx, actor, access, None).await {
            Ok(_) | Err(AppError::Invalid(_)) => true,
            Err(e @ AppError::Internal { .. }) => return Err(e),
            Err(_) => false,
        })
    }
}

/// [`App::mentor_support`] inside `tx`, for a viewer whose access is known.
pub(crate) async fn mentor_support_in(
    tx: &mut Tx,
    actor: &Actor,
    access: &RoomAccess,
) -> AppResult<Option<MentorSupport>> {
    let id = access.room.id;
    let lead = access
        .me
        .as_ref()
        .is_some_and(|m| matches!(m.role, ProgrammeRole::Mentor | ProgrammeRole::Facilitator));
    if !lead {
        return Ok(None);
    }
    let poor_fit =
        access.room.end_reason == Some(EndReason::Fit) || said_no(tx, id, actor.person_id).await?;
    if !poor_fit {
        return Ok(None);
    }
    let open =
        crate::programmes::next_open_programme(tx, actor, ProgrammeRole::Mentee, None).await?;
    Ok(Some(MentorSupport {
        programme: open.map(|p| (p.name, p.slug.to_string())),
    }))
}

/// The viewer's membership of a room they were re-matched from: a seeker
/// (mentee, peer) whose room ended for fit or who left it. None otherwise,
/// and then [`App::rematch_referrals`] answers 404.
pub(crate) fn rematched_from(access: &RoomAccess) -> Option<&MemberRecord> {
    access.me.as_ref().filter(|m| {
        m.role == seeker_role(access.programme.kind)
            && (access.room.end_reason == Some(EndReason::Fit) || m.state == MemberState::Left)
    })
}
