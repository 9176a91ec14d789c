//! Room health, explained: the use cases around the pure rules in
//! [`rapport_domain::health`].
//!
//! - **Who sees what.** Members see the reasons that do not come from the
//!   pulse, plus those from their own answers, and a level made of those
//!   alone ([`for_member`]); a reason comparing two members' answers derives
//!   from the other side's, so no member sees it. Managers see every reason,
//!   and the members' latest pulse comments.
//! - **Stored and recomputed.** Each open room's assessment is stored (level,
//!   reasons, time) so the managers' list sorts worst first cheaply. Use
//!   cases call [`App::refresh_health`] when something happens in a room; the
//!   worker's [`App::sweep_health`] reassesses every open room a day after its
//!   last assessment, set-based, 500 rooms a query.
//! - **Escalation.** When what a member sees worsens to needs attention or at
//!   risk, they get a nudge (email, kind `rooms`, and their home page) with
//!   the reasons they may see and one next step. When a room becomes at risk,
//!   the programme's managers get an alert. Each goes out once per change of
//!   level: the last level told is stored.

use crate::emails::{HealthAlert, HealthNudge};
use crate::mail_batch::Outgoing;
use crate::{markdown, Actor, App, AppError, AppResult};
use rapport_domain::health::{
    assess, cadence_interval_days, Health, HealthInput, HealthMember, Level, Pause, PulseEntry,
    Reason,
};
use rapport_domain::mentoring::RoomStatus;
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::pulse::{pulse_due, DAY_MS};
use rapport_domain::{PersonId, ProgrammeId, RoomId};
use rapport_store::{HealthFacts, HealthRecord, ProgrammeRecord, Tx};
use std::collections::HashMap;

/// How many rooms the sweep assesses per transaction.
const SWEEP_CHUNK: usize = 1000;

/// A member's latest pulse comment, for managers.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PulseComment {
    /// Who wrote it.
    pub person_id: PersonId,
    /// Their name.
    pub name: String,
    /// Their role in the room.
    pub side: ProgrammeRole,
    /// Which check-in (1 is the first).
    pub check_in: u32,
    /// The comment, rendered (sanitised HTML).
    pub html: String,
}

/// A room's health as one viewer may see it.
#[derive(Clone, Debug)]
pub struct HealthView {
    /// The room.
    pub room_id: RoomId,
    /// The room's status: health is assessed while it is active or paused.
    pub status: RoomStatus,
    /// The viewer manages the programme (and sees every reason).
    pub manager: bool,
    /// The level and the reasons the viewer may see; none when the room is
    /// not open.
    pub health: Option<Health>,
    /// One concrete next step.
    pub next_step: Option<&'static str>,
    /// When it was assessed (now: the page shows it fresh).
    pub assessed_at: i64,
    /// Managers only: each member's latest pulse comment.
    pub comments: Vec<PulseComment>,
}

/// A nudge on a member's home page.
#[derive(Clone, Debug)]
pub struct Nudge {
    /// The room.
    pub room_id: RoomId,
    /// The other members' names.
    pub with: String,
    /// The level as the member sees it.
    pub level: Level,
    /// The reasons the member may see.
    pub reasons: Vec<Reason>,
    /// One concrete next step.
    pub next_step: &'static str,
}

/// The meeting interval the cadence rule compares the gap with, in days.
///
/// The interval the cadence rule measures gaps against: the room's agreed
/// cadence, or the programme's before an agreement exists.
pub(crate) fn agreed_interval_days(
    programme: &ProgrammeRecord,
    agreed: Option<rapport_domain::programme::Cadence>,
) -> Option<u32> {
    Some(cadence_interval_days(agreed.unwrap_or(programme.cadence)))
}

/// The pauses the gap and activation clocks leave out: every pause in the
/// room's history, and the current one when the history has none (a room
/// paused before histories were kept).
pub(crate) fn pauses_of(history: &[(i64, Option<i64>)], paused_at: Option<i64>) -> Vec<Pause> {
    let mut out: Vec<Pause> = history
        .iter()
        .map(|&(from, until)| Pause { from, until })
        .collect();
    if let Some(from) = paused_at {
        if !out.iter().any(|p| p.until.is_none()) {
            out.push(Pause { from, until: None });
        }
    }
    out
}

/// The health rules' input for one room.
pub(crate) fn health_input(facts: &HealthFacts, programme: &ProgrammeRecord) -> HealthInput {
    let members: Vec<HealthMember> = facts
        .members
        .iter()
        .filter(|m| m.state.holds_seat())
        .map(|m| HealthMember {
            person: m.person_id,
            name: m.name.clone(),
            role: m.role,
        })
        .collect();
    HealthInput {
        started_at: facts.started_at.unwrap_or(0),
        agreed_interval_days: agreed_interval_days(programme, facts.agreed_cadence),
        pauses: pauses_of(&facts.pauses, facts.paused_at),
        last_held_at: facts.last_held_at,
        no_shows: facts.no_shows.clone(),
        pulses: facts
            .pulses
            .iter()
            .filter(|p| members.iter().any(|m| m.person == p.person_id))
            .map(|p| PulseEntry {
                person: p.person_id,
                round: p.round,
                answers: p.answers,
            })
            .collect(),
        members,
    }
}

/// Whether `person` (a member) may see `reason`: not from the pulse, or from
/// their own answers.
pub(crate) fn member_may_see(reason: &Reason, person: PersonId) -> bool {
    match reason.source {
        rapport_domain::health::Source::Pulse { person: p, .. } => p == person,
        rapport_domain::health::Source::PulseGap { .. } => false,
        _ => true,
    }
}

/// The health a member sees: the reasons they may see, and the level those
/// alone give.
pub fn for_member(health: &Health, person: PersonId) -> Health {
    Health::of(
        health
            .reasons
            .iter()
            .filter(|r| member_may_see(r, person))
            .cloned()
            .collect(),
    )
}

/// How far back the no-show rule looks for any of `programmes`.
fn no_show_lookback(programmes: &HashMap<ProgrammeId, ProgrammeRecord>) -> i64 {
    programmes
        .values()
        .map(|p| i64::from(p.room_rules.no_show_window_days))
        .max()
        .unwrap_or(30)
        * DAY_MS
}

/// The alert each of a programme's `managers` gets when room `f` becomes
/// at risk.
fn alert_managers(
    f: &HealthFacts,
    p: &ProgrammeRecord,
    health: &Health,
    managers: &[rapport_store::PersonRecord],
) -> Vec<Outgoing<HealthAlert>> {
    let members = f
        .members
        .iter()
        .filter(|m| m.state.holds_seat())
        .map(|m| format!("{} ({})", m.name, m.role.code()))
        .collect::<Vec<_>>()
        .join(", ");
    let reasons: Vec<String> = health
        .reasons
        .iter()
        .filter(|r| r.level == Level::AtRisk)
        .map(|r| r.text.clone())
        .collect();
    managers
        .iter()
        .map(|manager| Outgoing {
            person: Some(manager.id),
            to: manager.email.to_string(),
            mail: HealthAlert {
                name: manager.profile.name.clone(),
                programme: p.name.clone(),
                room: f.room_id.to_string(),
                members: members.clone(),
                reasons: reasons.clone(),
            },
        })
        .collect()
}

impl App {
    /// Reassesses one room now, stores the result, and sends the nudges and
    /// alert a change of level calls for, in the caller's transaction. A
    /// room that is not open is left alone. Every use case that changes
    /// what health reads (a session held, a no-show, a pulse answer, a pause)
    /// calls this.
    pub(crate) async fn refresh_health(
        &self,
        tx: &mut Tx,
        room: RoomId,
        now: i64,
    ) -> AppResult<()> {
        let Some(r) = tx.room(room).await? else {
            return Ok(());
        };
        let Some(p) = tx.programme(r.programme_id).await? else {
            return Ok(());
        };
        let since = now - i64::from(p.room_rules.no_show_window_days) * DAY_MS;
        let facts = tx.health_facts(&[room], now, since).await?;
        let programmes = HashMap::from([(p.id, p)]);
        self.reassess(tx, facts, &programmes, now).await?;
        Ok(())
    }

    /// The daily reassessment: every open room whose health is a day old or
    /// was never assessed, 1,000 rooms a transaction, and the health of rooms
    /// that closed forgotten. Idempotent: safe to run on every worker poll.
    /// Returns how many rooms it assessed.
    #[tracing::instrument(skip_all)]
    pub async fn sweep_health(&self) -> AppResult<usize> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        tx.forget_closed_health().await?;
        // Which rooms are due, and the programmes' rules, read once for the
        // whole sweep (not once per chunk).
        let due = tx.stale_health_rooms(now - DAY_MS, i64::MAX).await?;
        let programmes: HashMap<ProgrammeId, ProgrammeRecord> = tx
            .programmes()
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        tx.commit().await?;
        let since = now - no_show_lookback(&programmes);
        let chunks: Vec<&[RoomId]> = due.chunks(SWEEP_CHUNK).collect();
        // On PostgreSQL two chunks are under way at once, so that one renders
        // its emails while the database writes the other's (the scan spent
        // half its time with one of the two idle). SQLite has one writer.
        let lanes = match self.store.dialect() {
            rapport_store::Dialect::Postgres => 2,
            rapport_store::Dialect::Sqlite => 1,
        };
        let lane = |first: usize| {
            let (chunks, programmes) = (&chunks, &programmes);
            async move {
                let mut done = 0;
                for rooms in chunks.iter().skip(first).step_by(lanes) {
                    done += self.sweep_chunk(rooms, programmes, now, since).await?;
                }
                Ok::<usize, AppError>(done)
            }
        };
        if lanes == 1 {
            return lane(0).await;
        }
        let (a, b) = tokio::join!(lane(0), lane(1));
        Ok(a? + b?)
    }

    /// Reassesses one chunk of the sweep's rooms in a transaction of its own;
    /// returns how many rooms it covered.
    async fn sweep_chunk(
        &self,
        rooms: &[RoomId],
        programmes: &HashMap<ProgrammeId, ProgrammeRecord>,
        now: i64,
        since: i64,
    ) -> AppResult<usize> {
        let mut tx = self.store.write().await?;
        let facts = tx.health_facts(rooms, now, since).await?;
        let assessed: std::collections::HashSet<RoomId> = self
            .reassess(&mut tx, facts, programmes, now)
            .await?
            .into_iter()
            .collect();
        // A room that could not be assessed (it moved on while we read)
        // is marked as seen, so the sweep moves on; tomorrow's retries it.
        let skipped: Vec<HealthRecord> = rooms
            .iter()
            .filter(|id| !assessed.contains(*id))
            .map(|id| HealthRecord {
                room_id: *id,
                level: Level::Healthy,
                reasons: vec![],
                computed_at: now,
                alerted_level: None,
            })
            .collect();
        tx.save_health(&skipped).await?;
        tx.commit().await?;
        Ok(rooms.len())
    }

    /// Assesses rooms from their facts, stores each result, and notifies on
    /// changes of level. The results, the levels told and the emails are
    /// written a hundred rows a statement (see `mail_batch.rs`).
    async fn reassess(
        &self,
        tx: &mut Tx,
        facts: Vec<HealthFacts>,
        programmes: &HashMap<ProgrammeId, ProgrammeRecord>,
        now: i64,
    ) -> AppResult<Vec<RoomId>> {
        let mut records = Vec::with_capacity(facts.len());
        let mut nudged = vec![];
        let mut nudges = vec![];
        let mut alerts = vec![];
        // Each programme's managers, read once, when a room first needs them.
        let mut managers: HashMap<ProgrammeId, Vec<rapport_store::PersonRecord>> = HashMap::new();
        for f in &facts {
            let Some(p) = programmes.get(&f.programme_id) else {
                continue;
            };
            let health = assess(&health_input(f, p), &p.room_rules, now);
            let was_alerted = f.stored.as_ref().and_then(|s| s.alerted_level);
            let alerted_level = if health.level == Level::AtRisk {
                if was_alerted != Some(Level::AtRisk) {
                    let list = match managers.entry(p.id) {
                        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                        std::collections::hash_map::Entry::Vacant(e) => {
                            let mut list = vec![];
                            for id in tx.holders(p.id, ProgrammeRole::Manager).await? {
                                list.extend(tx.person(id).await?);
                            }
                            e.insert(list)
                        }
                    };
                    alerts.extend(alert_managers(f, p, &health, list));
                }
                Some(Level::AtRisk)
            } else {
                Some(health.level)
            };
            for m in f.members.iter().filter(|m| m.state.holds_seat()) {
                let mine = for_member(&health, m.person_id);
                let last = f
                    .nudged
                    .iter()
                    .find(|(who, _)| *who == m.person_id)
                    .map_or(Level::Healthy, |(_, l)| *l);
                if mine.level == last {
                    continue;
                }
                if mine.level > last {
                    let others = f
                        .members
                        .iter()
                        .filter(|o| o.person_id != m.person_id && o.state.holds_seat())
                        .map(|o| o.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ");
                    nudges.push(Outgoing {
                        person: Some(m.person_id),
                        to: m.email.clone(),
                        mail: HealthNudge {
                            name: m.name.clone(),
                            programme: p.name.clone(),
                            room: f.room_id.to_string(),
                            with: others,
                            at_risk: mine.level == Level::AtRisk,
                            reasons: mine.reasons.iter().map(|r| r.text.clone()).collect(),
                            next_step: mine.next_step().unwrap_or_default().into(),
                        },
                    });
                }
                nudged.push((f.room_id, m.person_id, mine.level));
            }
            records.push(HealthRecord {
                room_id: f.room_id,
                level: health.level,
                reasons: health.reasons,
                computed_at: now,
                alerted_level,
            });
        }
        self.queue_mails(tx, &alerts).await?;
        self.queue_mails(tx, &nudges).await?;
        tx.save_health(&records).await?;
        tx.save_nudge_levels(&nudged, now).await?;
        Ok(records.iter().map(|r| r.room_id).collect())
    }

    /// A room's health, assessed now, as the actor may see it: every reason
    /// for the programme's managers; for members, the reasons that do not
    /// come from the pulse and those from their own answers. 404 for anyone
    /// else.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %id))]
    pub async fn room_health(&self, actor: &Actor, id: RoomId) -> AppResult<HealthView> {
        let now = self.now();
        let mut tx = self.store.read().await?;
        let access = self.room_access(&mut tx, actor, id).await?;
        let status = access.room.status;
        let mut view = HealthView {
            room_id: id,
            status,
            manager: access.manager,
            health: None,
            next_step: None,
            assessed_at: now,
            comments: vec![],
        };
        if !status.is_under_way() {
            return Ok(view);
        }
        let rules = &access.programme.room_rules;
        let since = now - i64::from(rules.no_show_window_days) * DAY_MS;
        let Some(facts) = tx.health_facts(&[id], now, since).await?.pop() else {
            return Ok(view);
        };
        let full = assess(&health_input(&facts, &access.programme), rules, now);
        let health = match (&access.me, access.manager) {
            (_, true) => full,
            (Some(me), false) => for_member(&full, me.person_id),
            (None, false) => return Ok(view),
        };
        view.next_step = health.next_step();
        if view.next_step.is_none() && !access.manager {
            // Nothing wrong: the one thing left to do may be the check-in.
            let due = pulse_due(facts.started_at, facts.first_held_at, rules, now);
            let answered = due.is_some_and(|d| {
                facts
                    .pulses
                    .iter()
                    .any(|p| p.person_id == actor.person_id && p.round == d.round)
            });
            if due.is_some() && !answered && access.is_member() {
                view.next_step = Some("Answer the rapport check-in.");
            }
        }
        view.health = Some(health);
        if access.manager {
            let mut latest: HashMap<PersonId, &rapport_store::PulseRecord> = HashMap::new();
            for p in &facts.pulses {
                if latest.get(&p.person_id).is_none_or(|q| q.round < p.round) {
                    latest.insert(p.person_id, p);
                }
            }
            for m in &facts.members {
                if let Some(p) = latest
                    .get(&m.person_id)
                    .filter(|p| !p.comment.trim().is_empty())
                {
                    view.comments.push(PulseComment {
                        person_id: m.person_id,
                        name: m.name.clone(),
                        side: p.role,
                        check_in: p.round + 1,
                        html: markdown::render(&p.comment),
                    });
                }
            }
        }
        Ok(view)
    }

    /// The nudges for the actor's home page: each open room of theirs whose
    /// stored health, as they may see it, is not healthy; worst first.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn health_nudges(&self, actor: &Actor) -> AppResult<Vec<Nudge>> {
        let mut tx = self.store.read().await?;
        self.health_nudges_in(&mut tx, actor).await
    }

    /// [`App::health_nudges`] in the caller's transaction.
    pub(crate) async fn health_nudges_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
    ) -> AppResult<Vec<Nudge>> {
        let mut out = vec![];
        for h in tx.unhealthy_rooms_of(actor.person_id).await? {
            let mine = for_member(&Health::of(h.reasons), actor.person_id);
            let Some(step) = mine.next_step() else {
                continue;
            };
            let with = tx
                .room(h.room_id)
                .await?
                .map(|r| {
                    r.members
                        .iter()
                        .filter(|m| m.person_id != actor.person_id && m.state.holds_seat())
                        .map(|m| m.name.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            out.push(Nudge {
                room_id: h.room_id,
                with,
                level: mine.level,
                reasons: mine.reasons,
                next_step: step,
            });
        }
        out.sort_by_key(|n| std::cmp::Reverse(n.level));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_domain::health::{ReasonCode, Source};

    fn reason(code: ReasonCode, source: Source, level: Level) -> Reason {
        Reason {
            code,
            text: code.code().into(),
            source,
            level,
        }
    }

    #[test]
    fn members_see_their_own_pulse_reasons_and_managers_see_all() {
        let (mentor, mentee) = (PersonId::new(), PersonId::new());
        let full = Health::of(vec![
            reason(ReasonCode::GapLong, Source::Cadence, Level::NeedsAttention),
            reason(ReasonCode::NoShows, Source::NoShow, Level::NeedsAttention),
            reason(
                ReasonCode::PulseLowScore,
                Source::Pulse {
                    side: ProgrammeRole::Mentee,
                    person: mentee,
                },
                Level::AtRisk,
            ),
            reason(
                ReasonCode::PulseSidesDiffer,
                Source::PulseGap {
                    sides: [ProgrammeRole::Mentor, ProgrammeRole::Mentee],
                    people: [mentor, mentee],
                },
                Level::AtRisk,
            ),
        ]);
        assert_eq!(full.level, Level::AtRisk);
        // The mentor: no pulse reason at all, and the level those give.
        let m = for_member(&full, mentor);
        assert_eq!(m.level, Level::NeedsAttention);
        assert!(m.reasons.iter().all(|r| !r.source.is_pulse()));
        assert_eq!(m.reasons.len(), 2);
        // The mentee: their own low score, never the comparison.
        let e = for_member(&full, mentee);
        assert_eq!(e.level, Level::AtRisk);
        assert_eq!(
            e.reasons.iter().map(|r| r.code).collect::<Vec<_>>(),
            vec![
                ReasonCode::PulseLowScore,
                ReasonCode::GapLong,
                ReasonCode::NoShows
            ]
        );
        // Someone else entirely sees only what is not from the pulse.
        assert_eq!(for_member(&full, PersonId::new()).reasons.len(), 2);
    }

    #[test]
    fn the_interval_comes_from_the_programme_cadence_until_agreements_exist() {
        let mut p = ProgrammeRecord::new(
            rapport_domain::values::Slug::parse("slug", "prog-one").unwrap(),
            "P",
            rapport_domain::programme::ProgrammeKind::OneToOne,
            rapport_domain::programme::ProgrammeStatus::Running,
            0,
        );
        p.cadence = rapport_domain::programme::Cadence::Monthly;
        assert_eq!(agreed_interval_days(&p, None), Some(30));
        assert_eq!(
            agreed_interval_days(&p, Some(rapport_domain::programme::Cadence::Weekly)),
            Some(7)
        );
        assert_eq!(
            pauses_of(&[], Some(5)),
            vec![Pause {
                from: 5,
                until: None
            }]
        );
        assert_eq!(
            pauses_of(&[(1, Some(3)), (5, None)], Some(5)),
            vec![
                Pause {
                    from: 1,
                    until: Some(3)
                },
                Pause {
                    from: 5,
                    until: None
                }
            ]
        );
        assert!(pauses_of(&[], None).is_empty());
    }
}
