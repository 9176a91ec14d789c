//! Activation and inactivity: the room sweep.
//!
//! First contact is the earliest of a room's first message, first session
//! and first goal ([`rapport_store::RoomActivity::first_contact_at`]). With
//! none `first_contact_days` after the room started, both members are
//! prompted; with none after `first_contact_manager_days`, the programme's
//! managers are too. Each prompt goes once per room.
//!
//! An active room with no activity for `inactivity_days` (counted from its
//! latest activity, or its start) warns both members, once per inactive
//! spell. With still none `inactivity_grace_days` after the warning, the room
//! ends as inactive and its members and managers hear. Activity after the
//! warning starts a new spell. Paused rooms are never prompted, warned or
//! ended: the sweep reads active rooms only.
//!
//! The sweep decides from stored state and the clock alone, so it is safe to
//! run on every poll of the worker.

use crate::emails::{
    FirstContactManager, FirstContactPrompt, InactivityWarning, RoomEndedInactive,
};
use crate::rooms::GRACE_MS;
use crate::{App, AppResult};
use rapport_domain::mentoring::{EndReason, RoomEventKind, RoomStatus};
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::room_rules::RoomRules;
use rapport_domain::values::TimeZoneName;
use rapport_domain::ProgrammeId;
use rapport_store::{ActivationRecord, ProgrammeRecord, RoomRecord, Tx};
use std::collections::HashMap;

/// A day in milliseconds.
pub const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// What the sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ActivationSweep {
    /// Rooms whose members were prompted about first contact.
    pub members_prompted: usize,
    /// Rooms whose managers were.
    pub managers_prompted: usize,
    /// Rooms whose members were warned about inactivity.
    pub warned: usize,
    /// Rooms ended as inactive.
    pub ended: usize,
}

/// One thing the sweep does to a room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Prompt the members: no first contact yet.
    PromptMembers,
    /// Prompt the managers: still no first contact.
    PromptManagers,
    /// Warn the members: no activity since `spell_start`.
    Warn {
        /// The latest activity, or the start.
        spell_start: i64,
    },
    /// End the room as inactive: warned, and nothing since.
    End {
        /// The latest activity, or the start.
        spell_start: i64,
    },
}

/// What is due for an active room at `now` under `rules`.
pub fn due_steps(a: &ActivationRecord, rules: &RoomRules, now: i64) -> Vec<Step> {
    let days = |n: u32| i64::from(n) * DAY_MS;
    let mut steps = vec![];
    if a.activity.first_contact_at().is_none() {
        let waited = now - a.started_at;
        if a.members_prompted_at.is_none() && waited >= days(rules.first_contact_days) {
            steps.push(Step::PromptMembers);
        }
        if a.managers_prompted_at.is_none() && waited >= days(rules.first_contact_manager_days) {
            steps.push(Step::PromptManagers);
        }
    }
    let spell_start = a
        .activity
        .last_activity_at
        .map_or(a.started_at, |last| last.max(a.started_at));
    // A warning counts for this spell only if nothing happened after it.
    match a.inactivity_warned_at.filter(|w| *w >= spell_start) {
        None if now - spell_start >= days(rules.inactivity_days) => {
            steps.push(Step::Warn { spell_start })
        }
        Some(warned) if now - warned >= days(rules.inactivity_grace_days) => {
            steps.push(Step::End { spell_start })
        }
        _ => {}
    }
    steps
}

/// A date in `zone`, with the zone named by its city: `8 Dec 2026 (Lisbon)`.
fn day_in(zone: &TimeZoneName, ms: i64) -> String {
    format!("{} ({})", zone.local_date(ms), zone.city())
}

/// The members' names, for managers.
fn names(room: &RoomRecord) -> String {
    room.members
        .iter()
        .filter(|m| m.state.holds_seat())
        .map(|m| m.name.as_str())
        .collect::<Vec<_>>()
        .join(" & ")
}

impl App {
    /// Prompts, warns and ends rooms as their activation and inactivity
    /// rules say (see the module doc). Idempotent: run it on every poll.
    #[tracing::instrument(skip_all)]
    pub async fn sweep_room_activation(&self) -> AppResult<ActivationSweep> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let mut done = ActivationSweep::default();
        let mut programmes: HashMap<ProgrammeId, Option<ProgrammeRecord>> = HashMap::new();
        // Every rule counts whole days, so a room active within the last day
        // has nothing due but, perhaps, a first-contact prompt.
        for a in tx.rooms_for_activation(now - DAY_MS).await? {
            let p = match programmes.get(&a.programme_id) {
                Some(p) => p.clone(),
                None => {
                    let p = tx.programme(a.programme_id).await?;
                    programmes.insert(a.programme_id, p.clone());
                    p
                }
            };
            let Some(p) = p else {
                continue;
            };
            let steps = due_steps(&a, &p.room_rules, now);
            if steps.is_empty() {
                continue;
            }
            let Some(room) = tx.room(a.room_id).await? else {
                continue;
            };
            for step in steps {
                match step {
                    Step::PromptMembers => {
                        if tx.mark_members_prompted(room.id, now).await? {
                            self.prompt_members(&mut tx, &p, &room, &a, now).await?;
                            done.members_prompted += 1;
                        }
                    }
                    Step::PromptManagers => {
                        if tx.mark_managers_prompted(room.id, now).await? {
                            self.prompt_managers(&mut tx, &p, &room, &a, now).await?;
                            done.managers_prompted += 1;
                        }
                    }
                    Step::Warn { spell_start } => {
                        if tx.mark_inactivity_warned(room.id, spell_start, now).await? {
                            self.warn_members(&mut tx, &p, &room, spell_start, now)
                                .await?;
                            done.warned += 1;
                        }
                    }
                    Step::End { spell_start } => {
                        let end = Some((EndReason::Inactive, None));
                        if tx
                            .end_room(room.id, RoomStatus::EndedEarly, end, now)
                            .await?
                        {
                            tx.insert_room_event(
                                room.id,
                                None,
                                RoomEventKind::End,
                                Some(room.status),
                                RoomStatus::EndedEarly,
                                Some(EndReason::Inactive),
                                None,
                                now,
                            )
                            .await?;
                            self.tell_ended(&mut tx, &p, &room, spell_start, now)
                                .await?;
                            done.ended += 1;
                        }
                    }
                }
            }
        }
        tx.commit().await?;
        if done != ActivationSweep::default() {
            tracing::info!(?done, "room activation sweep");
        }
        Ok(done)
    }

    async fn prompt_members(
        &self,
        tx: &mut Tx,
        p: &ProgrammeRecord,
        room: &RoomRecord,
        a: &ActivationRecord,
        now: i64,
    ) -> AppResult<()> {
        for m in room.members.iter().filter(|m| m.state.holds_seat()) {
            let Some(person) = tx.person(m.person_id).await? else {
                continue;
            };
            let mail = FirstContactPrompt {
                name: person.profile.name.clone(),
                programme: p.name.clone(),
                room: room.id.to_string(),
                started: day_in(&person.profile.time_zone, a.started_at),
                days: u32::try_from((now - a.started_at) / DAY_MS).unwrap_or(u32::MAX),
            };
            self.queue_mail(tx, Some(person.id), person.email.as_str(), &mail)
                .await?;
        }
        Ok(())
    }

    async fn prompt_managers(
        &self,
        tx: &mut Tx,
        p: &ProgrammeRecord,
        room: &RoomRecord,
        a: &ActivationRecord,
        now: i64,
    ) -> AppResult<()> {
        for id in tx.holders(p.id, ProgrammeRole::Manager).await? {
            let Some(person) = tx.person(id).await? else {
                continue;
            };
            let mail = FirstContactManager {
                name: person.profile.name.clone(),
                programme: p.name.clone(),
                room: room.id.to_string(),
                members: names(room),
                started: day_in(&person.profile.time_zone, a.started_at),
                days: u32::try_from((now - a.started_at) / DAY_MS).unwrap_or(u32::MAX),
            };
            self.queue_mail(tx, Some(person.id), person.email.as_str(), &mail)
                .await?;
        }
        Ok(())
    }

    async fn warn_members(
        &self,
        tx: &mut Tx,
        p: &ProgrammeRecord,
        room: &RoomRecord,
        spell_start: i64,
        now: i64,
    ) -> AppResult<()> {
        let ends = now + i64::from(p.room_rules.inactivity_grace_days) * DAY_MS;
        for m in room.members.iter().filter(|m| m.state.holds_seat()) {
            let Some(person) = tx.person(m.person_id).await? else {
                continue;
            };
            let zone = &person.profile.time_zone;
            let mail = InactivityWarning {
                name: person.profile.name.clone(),
                programme: p.name.clone(),
                room: room.id.to_string(),
                since: day_in(zone, spell_start),
                ends_on: day_in(zone, ends),
            };
            self.queue_mail(tx, Some(person.id), person.email.as_str(), &mail)
                .await?;
        }
        Ok(())
    }

    async fn tell_ended(
        &self,
        tx: &mut Tx,
        p: &ProgrammeRecord,
        room: &RoomRecord,
        spell_start: i64,
        now: i64,
    ) -> AppResult<()> {
        let members: Vec<_> = room
            .members
            .iter()
            .filter(|m| m.state.holds_seat())
            .map(|m| (m.person_id, true))
            .collect();
        let managers: Vec<_> = tx
            .holders(p.id, ProgrammeRole::Manager)
            .await?
            .into_iter()
            .filter(|id| !members.iter().any(|(m, _)| m == id))
            .map(|id| (id, false))
            .collect();
        for (id, member) in members.into_iter().chain(managers) {
            let Some(person) = tx.person(id).await? else {
                continue;
            };
            let zone = &person.profile.time_zone;
            let mail = RoomEndedInactive {
                name: person.profile.name.clone(),
                programme: p.name.clone(),
                room: room.id.to_string(),
                members: names(room),
                member,
                since: day_in(zone, spell_start),
                closure_until: day_in(zone, now + GRACE_MS),
            };
            self.queue_mail(tx, Some(person.id), person.email.as_str(), &mail)
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_domain::RoomId;
    use rapport_store::RoomActivity;

    fn room(started: i64) -> ActivationRecord {
        ActivationRecord {
            room_id: RoomId::new(),
            programme_id: ProgrammeId::new(),
            started_at: started,
            activity: RoomActivity::default(),
            members_prompted_at: None,
            managers_prompted_at: None,
            inactivity_warned_at: None,
        }
    }

    #[test]
    fn first_contact_prompts_at_seven_and_fourteen_days() {
        let rules = RoomRules::default();
        let a = room(0);
        assert!(due_steps(&a, &rules, 7 * DAY_MS - 1).is_empty());
        assert_eq!(due_steps(&a, &rules, 7 * DAY_MS), vec![Step::PromptMembers]);
        let prompted = ActivationRecord {
            members_prompted_at: Some(7 * DAY_MS),
            ..a.clone()
        };
        assert!(due_steps(&prompted, &rules, 13 * DAY_MS).is_empty());
        assert_eq!(
            due_steps(&prompted, &rules, 14 * DAY_MS),
            vec![Step::PromptManagers]
        );
        let contact = ActivationRecord {
            activity: RoomActivity {
                first_session_at: Some(DAY_MS),
                ..RoomActivity::default()
            },
            ..a
        };
        assert!(due_steps(&contact, &rules, 14 * DAY_MS).is_empty());
    }

    #[test]
    fn inactivity_warns_then_ends_unless_someone_acts() {
        let rules = RoomRules::default();
        let mut a = room(0);
        a.activity.first_message_at = Some(DAY_MS);
        a.activity.last_activity_at = Some(DAY_MS);
        assert!(due_steps(&a, &rules, 91 * DAY_MS - 1).is_empty());
        assert_eq!(
            due_steps(&a, &rules, 91 * DAY_MS),
            vec![Step::Warn {
                spell_start: DAY_MS
            }]
        );
        a.inactivity_warned_at = Some(91 * DAY_MS);
        assert!(due_steps(&a, &rules, 98 * DAY_MS - 1).is_empty());
        assert_eq!(
            due_steps(&a, &rules, 98 * DAY_MS),
            vec![Step::End {
                spell_start: DAY_MS
            }]
        );
        // Activity after the warning starts a new spell.
        a.activity.last_activity_at = Some(95 * DAY_MS);
        assert!(due_steps(&a, &rules, 98 * DAY_MS).is_empty());
        assert_eq!(
            due_steps(&a, &rules, 185 * DAY_MS),
            vec![Step::Warn {
                spell_start: 95 * DAY_MS
            }]
        );
    }
}
