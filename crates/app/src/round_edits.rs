//! Pair edits in a draft round (issue 18 §5): a manager rejects a proposed
//! pair, or swaps a mentee to another eligible mentor, before publishing.
//!
//! A swap is checked with the matching crate's own hard rules
//! ([`Rules::why_not`]) on a model built like the run's (the programme's
//! settings, forbids, blocks and past pairs), and against the mentor's space
//! left less the places this draft already proposes for them. After every
//! edit the round's totals (placed, total score, free slots) and its quality
//! signals (pairs with no shared hour, no shared goal) are computed again, the
//! round stops claiming to be proven optimal, and the edit is audited.

use crate::rounds::{
    lines, named, profile_of, round_result, ProposalMember, RoundView, UnmatchedPerson, MICROS,
};
use crate::rounds::{Proposal, RoundResult};
use crate::{App, AppError, AppResult};
use rapport_domain::mentoring::RoundStatus;
use rapport_domain::policy::Actor;
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole};
use rapport_domain::{PersonId, RoundId};
use rapport_matching::constraints::Rules;
use rapport_matching::profile::Profile;
use rapport_matching::score::{Audience, Model};
use rapport_store::{EnrolmentRecord, PersonRecord};
use std::collections::{HashMap, HashSet};

/// What a manager does to one mentee's place in a draft round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PairEdit {
    /// Take the mentee out of their proposed pair; they join the unplaced.
    /// With a mentor named, the pair must be with that mentor.
    Reject(Option<PersonId>),
    /// Propose the mentee with this mentor instead (an unplaced mentee can
    /// be placed this way too).
    Swap(PersonId),
}

impl PairEdit {
    /// The edit from the API's or the form's `action` and `mentor_id`.
    pub fn parse(action: &str, mentor: Option<PersonId>) -> AppResult<Self> {
        match action {
            "reject" => Ok(PairEdit::Reject(mentor)),
            "swap" => mentor.map(PairEdit::Swap).ok_or_else(|| {
                AppError::invalid("mentor_id", "Choose the mentor to swap the mentee to.")
            }),
            _ => Err(AppError::invalid("action", "Choose reject or swap.")),
        }
    }
}

/// The people an edit scores: the pool the run would use, plus any member
/// of the draft who has left it since (so every pair's signals can still be
/// computed), each with their index in the engine model.
struct Population {
    mentees: Vec<(PersonRecord, EnrolmentRecord)>,
    mentors: Vec<(PersonRecord, EnrolmentRecord, u32)>,
    /// Mentees still waiting (the first `waiting` of `mentees`).
    waiting: usize,
    /// Mentors with space, and how much (the first of `mentors`).
    space: HashMap<PersonId, u32>,
}

impl Population {
    fn mentee(&self, id: PersonId) -> Option<usize> {
        self.mentees.iter().position(|(p, _)| p.id == id)
    }

    fn mentor(&self, id: PersonId) -> Option<usize> {
        self.mentors.iter().position(|(p, _, _)| p.id == id)
    }
}

fn mentor_of(p: &Proposal) -> Option<&ProposalMember> {
    p.members.iter().find(|m| m.role == ProgrammeRole::Mentor)
}

fn mentee_of(p: &Proposal) -> Option<&ProposalMember> {
    p.members.iter().find(|m| m.role == ProgrammeRole::Mentee)
}

fn places(n: u32) -> String {
    format!("{n} {}", if n == 1 { "place" } else { "places" })
}

/// The totals and quality signals of an edited one-to-one round, computed
/// again from its proposals.
fn recount(result: &mut RoundResult, people: &Population, model: &Model) {
    let placed: HashSet<PersonId> = result
        .proposals
        .iter()
        .filter_map(mentee_of)
        .map(|m| m.person_id)
        .collect();
    result.placed = placed.len();
    result.total_score = result.proposals.iter().map(|p| p.score).sum();
    let (mut hours, mut goals) = (0, 0);
    for p in &result.proposals {
        let (Some(e), Some(r)) = (mentee_of(p), mentor_of(p)) else {
            continue;
        };
        if let (Some(i), Some(j)) = (people.mentee(e.person_id), people.mentor(r.person_id)) {
            let gaps = model.gaps(i, j);
            hours += usize::from(gaps.no_shared_hours);
            goals += usize::from(gaps.no_shared_goals);
        }
    }
    result.no_shared_hours = Some(hours);
    result.no_shared_goals = Some(goals);
    // Free mentor slots among the mentors with space, less this draft's use.
    let mut used: HashMap<PersonId, u32> = HashMap::new();
    for r in result.proposals.iter().filter_map(mentor_of) {
        *used.entry(r.person_id).or_default() += 1;
    }
    result.free_slots = people
        .space
        .iter()
        .map(|(id, left)| u64::from(left.saturating_sub(used.get(id).copied().unwrap_or(0))))
        .sum();
    // A hand-edited round is no longer the solver's proven optimum.
    result.certified = false;
}

impl App {
    /// Rejects a proposed pair, or swaps a mentee to another mentor, in a
    /// draft round (managers). 409 when the round is not a draft; 422 naming
    /// `mentee_id` or `mentor_id` when the edit does not fit (no such pair,
    /// the mentor is full, or the pair breaks a hard rule, named).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, round = %id, mentee = %mentee))]
    pub async fn edit_round_pair(
        &self,
        actor: &Actor,
        slug: &str,
        id: RoundId,
        mentee: PersonId,
        edit: PairEdit,
    ) -> AppResult<RoundView> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let r = tx
            .round(id)
            .await?
            .filter(|r| r.programme_id == p.id)
            .ok_or_else(|| AppError::NotFound("That round was not found.".into()))?;
        if r.status != RoundStatus::Draft {
            return Err(AppError::Conflict {
                field: None,
                message: format!(
                    "This round is {}, so its pairs can no longer be changed. Run matching again for a fresh draft.",
                    r.status.code()
                ),
            });
        }
        if !matches!(p.kind, ProgrammeKind::OneToOne | ProgrammeKind::Reverse) {
            return Err(AppError::Conflict {
                field: None,
                message: "Pairs can be edited in one-to-one and reverse programmes. Here, forbid or pin a pair and run matching again.".into(),
            });
        }
        let mut result = round_result(&r)?;

        // The engine population: the run's pool plus draft members who left it.
        let pool = self.pool(&mut tx, &p, now).await?;
        let mut people = Population {
            waiting: pool.seekers.len(),
            space: pool
                .givers
                .iter()
                .map(|(g, _, left)| (g.id, *left))
                .collect(),
            mentees: pool.seekers,
            mentors: pool.givers,
        };
        let mut missing: Vec<(PersonId, ProgrammeRole)> = vec![];
        for m in result.proposals.iter().flat_map(|pr| pr.members.iter()) {
            let known = match m.role {
                ProgrammeRole::Mentor => people.mentor(m.person_id).is_some(),
                _ => people.mentee(m.person_id).is_some(),
            };
            if !known {
                missing.push((m.person_id, m.role));
            }
        }
        if !missing.is_empty() {
            let records = tx.people_enrolled_in(p.id).await?;
            for (who, role) in missing {
                let (Some(person), Some(e)) = (
                    records.get(&who).cloned(),
                    tx.enrolment(p.id, who, role).await?,
                ) else {
                    continue;
                };
                match role {
                    ProgrammeRole::Mentor => people.mentors.push((person, e, 1)),
                    _ => people.mentees.push((person, e)),
                }
            }
        }
        let mut names: HashMap<String, String> = HashMap::new();
        for (person, _) in &people.mentees {
            names.insert(person.id.to_string(), person.profile.name.clone());
        }
        for (person, _, _) in &people.mentors {
            names.insert(person.id.to_string(), person.profile.name.clone());
        }
        let name_of = |id: PersonId| {
            names
                .get(&id.to_string())
                .cloned()
                .unwrap_or_else(|| "That person".into())
        };
        let mut settings = self.run_settings(&mut tx, &p).await?;
        settings.pinned.clear();
        let questions = p.questions.clone();
        let mentee_profiles: Vec<Profile> = people
            .mentees
            .iter()
            .map(|(person, e)| profile_of(person, e, &questions, 1))
            .collect();
        let mentor_profiles: Vec<Profile> = people
            .mentors
            .iter()
            .map(|(person, e, left)| profile_of(person, e, &questions, (*left).max(1)))
            .collect();
        let model = Model::build(&mentee_profiles, &mentor_profiles, &settings)
            .map_err(|e| AppError::invalid("settings", e.to_string()))?;

        let mentee_name = name_of(mentee);
        let current = result.proposals.iter().position(|pr| {
            pr.members
                .iter()
                .any(|m| m.person_id == mentee && m.role == ProgrammeRole::Mentee)
        });
        let old_mentor = current
            .and_then(|k| mentor_of(&result.proposals[k]))
            .cloned();
        let (sentence, mut after) = match edit {
            PairEdit::Reject(named_mentor) => {
                let (Some(k), Some(old)) = (current, old_mentor.clone()) else {
                    return Err(AppError::invalid(
                        "mentee_id",
                        format!("{mentee_name} has no proposed pair in this round to reject."),
                    ));
                };
                if named_mentor.is_some_and(|m| m != old.person_id) {
                    return Err(AppError::invalid(
                        "mentor_id",
                        format!(
                            "{mentee_name} is proposed with {}, not with that mentor.",
                            old.name
                        ),
                    ));
                }
                result.proposals.remove(k);
                result.unmatched.retain(|u| u.person_id != mentee);
                result.unmatched.push(UnmatchedPerson {
                    person_id: mentee,
                    name: mentee_name.clone(),
                    reason: format!("A manager rejected their proposed pair with {}.", old.name),
                    fix: Some(
                        "Swap them to another mentor on this page, or run matching again.".into(),
                    ),
                    full_mentors: vec![],
                });
                (
                    format!("Rejected {mentee_name} with {}", old.name),
                    serde_json::json!({
                        "action": "reject",
                        "person": mentee.to_string(),
                        "mentee_name": mentee_name,
                        "from_name": old.name,
                    }),
                )
            }
            PairEdit::Swap(mentor) => {
                let mentor_name = name_of(mentor);
                if old_mentor.as_ref().is_some_and(|m| m.person_id == mentor) {
                    return Err(AppError::invalid(
                        "mentor_id",
                        format!("{mentee_name} is already proposed with {mentor_name}."),
                    ));
                }
                let Some(i) = people.mentee(mentee).filter(|&i| i < people.waiting) else {
                    return Err(AppError::invalid(
                        "mentee_id",
                        format!("{mentee_name} is not an approved mentee waiting for a match in this programme."),
                    ));
                };
                let Some(&left) = people.space.get(&mentor) else {
                    return Err(AppError::invalid(
                        "mentor_id",
                        "That person is not an approved mentor with space in this programme: they are full, paused, or not a mentor here.",
                    ));
                };
                let proposed = result
                    .proposals
                    .iter()
                    .filter_map(mentor_of)
                    .filter(|m| m.person_id == mentor)
                    .count() as u32;
                if proposed >= left {
                    return Err(AppError::invalid(
                        "mentor_id",
                        format!(
                            "{mentor_name} has no space left: {} free and {} already proposed in this round. Raise their capacity or reject one of their pairs first.",
                            places(left),
                            places(proposed)
                        ),
                    ));
                }
                let Some(j) = people.mentor(mentor) else {
                    return Err(AppError::invalid("mentor_id", "That mentor was not found."));
                };
                let rules = Rules::build(&model);
                let blockers = rules.why_not(&model, i, j);
                if !blockers.is_empty() {
                    return Err(AppError::invalid(
                        "mentor_id",
                        format!(
                            "{mentee_name} cannot be paired with {mentor_name}: {}.",
                            blockers
                                .iter()
                                .map(|b| named(&b.sentence, &names))
                                .collect::<Vec<_>>()
                                .join("; ")
                        ),
                    ));
                }
                let proposal = Proposal {
                    members: vec![
                        ProposalMember {
                            person_id: mentor,
                            name: mentor_name.clone(),
                            role: ProgrammeRole::Mentor,
                        },
                        ProposalMember {
                            person_id: mentee,
                            name: mentee_name.clone(),
                            role: ProgrammeRole::Mentee,
                        },
                    ],
                    score: model.score(i, j) as f64 / MICROS,
                    pinned: false,
                    explanation: lines(&model.explain(i, j, Audience::Manager)),
                    member_explanation: lines(&model.explain(i, j, Audience::Member)),
                };
                match current {
                    Some(k) => result.proposals[k] = proposal,
                    None => result.proposals.push(proposal),
                }
                result.unmatched.retain(|u| u.person_id != mentee);
                let sentence = match &old_mentor {
                    Some(old) => {
                        format!("Moved {mentee_name} from {} to {mentor_name}", old.name)
                    }
                    None => format!("Placed {mentee_name} with {mentor_name}"),
                };
                (
                    sentence,
                    serde_json::json!({
                        "action": "swap",
                        "person": mentee.to_string(),
                        "mentee_name": mentee_name,
                        "from_name": old_mentor.as_ref().map(|m| m.name.clone()),
                        "to_name": mentor_name,
                    }),
                )
            }
        };
        recount(&mut result, &people, &model);
        result.edits.push(sentence);
        let json = serde_json::to_value(&result)
            .map_err(|e| AppError::internal("the round result does not serialise", e))?;
        if !tx.set_draft_result(id, &json).await? {
            return Err(AppError::Conflict {
                field: None,
                message: "This round was published or replaced meanwhile, so its pairs can no longer be changed.".into(),
            });
        }
        after["placed"] = result.placed.into();
        after["total_score"] = serde_json::json!((result.total_score * 10.0).round() / 10.0);
        self.audit_by(
            &mut tx,
            actor,
            "round.pair_edit",
            format!("programme:{}", p.slug),
            None,
            Some(after),
        )
        .await?;
        tx.commit().await?;
        Ok(RoundView {
            id,
            status: RoundStatus::Draft,
            created_at: r.created_at,
            result,
        })
    }
}
