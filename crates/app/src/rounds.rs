//! Bulk matching rounds: a manager runs the engine on a snapshot of the
//! programme's settings and enrolments, reads the proposals with their
//! explanations and the unmatched people with reasons and fixes, pins or
//! forbids pairs, re-runs, and publishes. Publishing turns each proposal into
//! a room in status `proposed`, re-checking capacity so a stale draft cannot
//! overfill a mentor.
//!
//! One-to-one, reverse and group programmes use the many-to-one assignment
//! (coverage first, then total score); a group room gathers one mentor's
//! mentees. Peer programmes use the exact non-bipartite matching, and circles
//! the group formation with its upper bound.

use crate::emails::MatchProposed;
use crate::programmes::settings_of;
use crate::{App, AppError, AppResult};
use rapport_domain::mentoring::{
    EnrolmentStatus, MemberState, RoomOrigin, RoomStatus, RoundStatus,
};
use rapport_domain::policy::Actor;
use rapport_domain::preferences::{self as stated, StatedPreferences};
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole, Question, QuestionKind};
use rapport_domain::{PersonId, ProgrammeId, RoomId, RoundId};
use rapport_matching::constraints::Rules;
use rapport_matching::peers::{self, PeerEdge};
use rapport_matching::pipeline::{self, Options, PipelineError};
use rapport_matching::profile::{
    Answer, DepartmentChoice, Level, Preference, Preferences, Profile, Skill, Strength, Weekday,
    Window,
};
use rapport_matching::reasons;
use rapport_matching::score::{Audience, Explanation, Model};
use rapport_matching::settings::{PairIds, Settings};
use rapport_store::{
    EnrolmentRecord, NewRoom, PairRule, PersonRecord, ProgrammeRecord, RoundRecord, Tx,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Micro-units per score point (scores run 0–100).
pub(crate) const MICROS: f64 = 1_000_000.0;

/// One line of an explanation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExplanationLine {
    /// The criterion (`skills`, `goals`, `level_gap`, …).
    pub criterion: String,
    /// Its contribution in points.
    pub points: f64,
    /// A sentence a person understands.
    pub sentence: String,
}

/// A member of a proposal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProposalMember {
    /// Who.
    pub person_id: PersonId,
    /// Their name.
    pub name: String,
    /// Their role in the room.
    pub role: ProgrammeRole,
}

/// A proposed pair or group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    /// Members, mentors first.
    pub members: Vec<ProposalMember>,
    /// Score in points (a group's is the mean over its pairs).
    pub score: f64,
    /// Placed because a manager pinned it.
    pub pinned: bool,
    /// The full explanation, for managers (per pair, for groups).
    pub explanation: Vec<ExplanationLine>,
    /// The explanation members see: nothing the other keeps private.
    pub member_explanation: Vec<ExplanationLine>,
}

/// Someone the round could not place.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnmatchedPerson {
    /// Who.
    pub person_id: PersonId,
    /// Their name.
    pub name: String,
    /// Why, in a sentence.
    pub reason: String,
    /// What would place them.
    pub fix: Option<String>,
    /// Mentors who suit them but are full: one more place with any of them
    /// places this person (empty for rounds stored before this was kept).
    #[serde(default)]
    pub full_mentors: Vec<ProposalMember>,
}

/// The outcome of a round, as stored and shown. Every field is required when
/// it is read back: a stored result missing one is damaged, not empty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RoundResult {
    /// The proposals.
    pub proposals: Vec<Proposal>,
    /// Everyone left unplaced, with reasons and fixes.
    pub unmatched: Vec<UnmatchedPerson>,
    /// Extra mentor slots that would cover the unmatched, in words.
    pub fixes: Vec<String>,
    /// People the round tried to place (mentees, or peers).
    pub pool: usize,
    /// Of them, placed.
    pub placed: usize,
    /// Mentors (or facilitators) with space who took part.
    pub mentors: usize,
    /// Sum of the proposals' scores, in points.
    pub total_score: f64,
    /// For circles: the upper bound on the mean score, in points.
    pub upper_bound: Option<f64>,
    /// Whether the assignment's optimality was certified by its dual prices.
    pub certified: bool,
    /// Mentor slots left free.
    pub free_slots: u64,
    /// Milliseconds the engine took.
    pub millis: u64,
    /// Proposed pairs that share no weekly availability (None for rounds
    /// stored before this was counted).
    #[serde(default)]
    pub no_shared_hours: Option<usize>,
    /// Proposed pairs that share no goal.
    #[serde(default)]
    pub no_shared_goals: Option<usize>,
    /// Issue 18 §5: the pair edits a manager made to this draft, one
    /// sentence each, oldest first (an edited round is no longer certified).
    #[serde(default)]
    pub edits: Vec<String>,
}

/// A round for display.
#[derive(Clone, Debug, Serialize)]
pub struct RoundView {
    /// Id.
    pub id: RoundId,
    /// Draft, published or discarded.
    pub status: RoundStatus,
    /// When it ran (ms).
    pub created_at: i64,
    /// The outcome.
    pub result: RoundResult,
}

/// A manager's pin or forbid, with names.
#[derive(Clone, Debug, Serialize)]
pub struct PairRuleView {
    /// Mentee (or first peer).
    pub mentee_id: PersonId,
    /// Their name.
    pub mentee_name: String,
    /// Mentor (or second peer).
    pub mentor_id: PersonId,
    /// Their name.
    pub mentor_name: String,
    /// `pin` or `forbid`.
    pub rule: &'static str,
}

/// What publishing did.
#[derive(Clone, Debug, Serialize)]
pub struct Published {
    /// Rooms proposed.
    pub rooms: Vec<RoomId>,
    /// Proposals skipped because things changed since the run, with why.
    pub skipped: Vec<String>,
}

/// The people a round works on, with their engine profiles.
pub(crate) struct Pool {
    /// Mentees, or peers.
    pub(crate) seekers: Vec<(PersonRecord, EnrolmentRecord)>,
    /// Mentors (or facilitators) with their remaining capacity.
    pub(crate) givers: Vec<(PersonRecord, EnrolmentRecord, u32)>,
}

fn level_of(l: rapport_domain::person::LeadershipLevel) -> Level {
    use rapport_domain::person::LeadershipLevel as L;
    match l {
        L::ProfessionalContributor => Level::ProfessionalContributor,
        L::TeamLeader => Level::TeamLeader,
        L::LeaderOfLeaders => Level::LeaderOfLeaders,
    }
}

/// The engine's form of an enrolment's stated preferences: the same
/// statements, with people named by the id strings profiles use.
fn engine_preferences(p: &StatedPreferences) -> Preferences {
    fn strength(s: stated::Strength) -> Strength {
        match s {
            stated::Strength::Soft => Strength::Soft,
            stated::Strength::Hard => Strength::Hard,
        }
    }
    Preferences {
        gender: p.gender.as_ref().map(|g| Preference {
            value: g.value.clone(),
            strength: strength(g.strength),
        }),
        department: p.department.as_ref().map(|d| Preference {
            value: match d.value {
                stated::DepartmentChoice::Same => DepartmentChoice::Same,
                stated::DepartmentChoice::Different => DepartmentChoice::Different,
            },
            strength: strength(d.strength),
        }),
        avoid: p
            .avoid
            .iter()
            .map(|a| Preference {
                value: a.value.to_string(),
                strength: strength(a.strength),
            })
            .collect(),
    }
}

/// The engine profile of a participant. Gender and department are used only
/// with the person's consent; the reporting line is always used, and only
/// ever to keep a manager and their reports apart.
pub(crate) fn profile_of(
    person: &PersonRecord,
    e: &EnrolmentRecord,
    questions: &[Question],
    capacity: u32,
) -> Profile {
    let pr = &person.profile;
    let mut p = Profile::new(person.id.to_string(), level_of(pr.level));
    p.years = u16::from(pr.years_experience);
    let skill = |s: &String| Skill {
        name: s.clone(),
        priority: 1,
    };
    p.skills_offered = pr.skills_offered.iter().map(skill).collect();
    p.skills_wanted = pr.skills_wanted.iter().map(skill).collect();
    p.goals = pr.goal_tags.clone();
    p.goals_text = pr.goals.clone();
    p.interests = pr.interests.clone();
    p.languages = pr.languages.clone();
    p.time_zone = pr.time_zone.to_string();
    p.availability = pr
        .availability
        .iter()
        .filter_map(|w| {
            Some(Window {
                day: Weekday::from_index(w.weekday)?,
                start_minute: w.start_minute,
                end_minute: w.end_minute,
            })
        })
        .collect();
    p.manager = pr.manager_id.map(|m| m.to_string());
    if e.consent_sensitive {
        p.gender = Some(pr.gender.clone()).filter(|g| !g.trim().is_empty());
        p.department = Some(pr.department.clone()).filter(|d| !d.trim().is_empty());
    }
    p.preferences = engine_preferences(&e.preferences);
    for (id, values) in e.answers.clone() {
        let kind = questions.iter().find(|q| q.id == id).map(|q| q.kind);
        let answer = match kind {
            Some(QuestionKind::Text) => Answer::Text(values.join(" ")),
            Some(_) => Answer::Choices(values),
            None => continue,
        };
        p.answers.insert(id, answer);
    }
    p.capacity = capacity;
    p
}

/// An engine explanation as lines in points.
/// Points every pair earns alike (nobody stated a preference) come last, as
/// one line, so the lines still add up to the score.
pub(crate) fn lines(e: &Explanation) -> Vec<ExplanationLine> {
    let mut lines: Vec<ExplanationLine> = e
        .items
        .iter()
        .map(|i| ExplanationLine {
            criterion: i.criterion.name().to_string(),
            points: i.points as f64 / MICROS,
            sentence: i.sentence.clone(),
        })
        .collect();
    if e.unstated > 0 {
        lines.push(ExplanationLine {
            criterion: rapport_matching::score::UNSTATED_NAME.to_string(),
            points: e.unstated as f64 / MICROS,
            sentence: rapport_matching::score::UNSTATED_SENTENCE.to_string(),
        });
    }
    lines
}

/// Replaces engine ids (person UUIDs) in a sentence with names.
pub(crate) fn named(sentence: &str, names: &HashMap<String, String>) -> String {
    let mut out = sentence.to_string();
    for (id, name) in names {
        if out.contains(id.as_str()) {
            out = out.replace(id.as_str(), name);
        }
    }
    out
}

fn engine_error(e: PipelineError, names: &HashMap<String, String>) -> AppError {
    match e {
        PipelineError::Pin(p) => AppError::Conflict {
            field: Some("pin"),
            message: named(&p.to_string(), names),
        },
        PipelineError::PinCapacity { .. } => AppError::Conflict {
            field: Some("pin"),
            message: named(&e.to_string(), names),
        },
        PipelineError::Model(m) => AppError::invalid("settings", m.to_string()),
        PipelineError::Assign(a) => AppError::internal("the solver refused the instance", a),
    }
}

/// How many open seats each person holds in one role, from a programme's
/// [`Tx::open_seats`]: a mentor's load there.
pub(crate) fn seat_counts(
    seats: &[rapport_store::Seat],
    role: ProgrammeRole,
) -> HashMap<PersonId, u32> {
    let mut load = HashMap::new();
    for s in seats.iter().filter(|s| s.role == role) {
        *load.entry(s.person_id).or_default() += 1;
    }
    load
}

/// Seats a mentor (or facilitator) has left in a programme: its capacity less
/// the open seats it holds there (`load`), within the personal maximum across
/// programmes. `None` while the mentor is paused.
pub(crate) fn space_left(
    e: &EnrolmentRecord,
    load: &HashMap<PersonId, u32>,
    limits: Option<&(Option<i32>, Option<i64>, i64)>,
    now: i64,
) -> Option<u32> {
    let (max_total, paused_until, total) = limits.copied().unwrap_or((None, None, 0));
    if paused_until.is_some_and(|t| t > now) {
        return None;
    }
    let here = load.get(&e.person_id).copied().unwrap_or(0);
    let mut left = (e.capacity.max(0) as u32).saturating_sub(here);
    if let Some(max) = max_total {
        left = left.min((max.max(0) as u32).saturating_sub(total.max(0) as u32));
    }
    Some(left)
}

impl App {
    /// Who a round (or "match now") works on: approved seekers without an
    /// open seat, and approved, unpaused mentors with space left.
    pub(crate) async fn pool(&self, tx: &mut Tx, p: &ProgrammeRecord, now: i64) -> AppResult<Pool> {
        let seats = tx.open_seats(p.id).await?;
        let (seeker_role, giver_role) = match p.kind {
            ProgrammeKind::Peer | ProgrammeKind::Circle => {
                (ProgrammeRole::Peer, ProgrammeRole::Facilitator)
            }
            _ => (ProgrammeRole::Mentee, ProgrammeRole::Mentor),
        };
        let seated: HashSet<PersonId> = seats
            .iter()
            .filter(|s| s.role == seeker_role)
            .map(|s| s.person_id)
            .collect();
        let load = seat_counts(&seats, giver_role);
        let mut pool = Pool {
            seekers: vec![],
            givers: vec![],
        };
        let people = tx.people_enrolled_in(p.id).await?;
        let limits = tx.mentor_limits_in(p.id).await?;
        for view in tx.enrolments_in(p.id).await? {
            let e = view.enrolment;
            if e.status != EnrolmentStatus::Approved {
                continue;
            }
            let Some(person) = people.get(&e.person_id).cloned() else {
                continue;
            };
            if e.role == seeker_role && !seated.contains(&e.person_id) {
                pool.seekers.push((person, e));
            } else if e.role == giver_role {
                let Some(left) = space_left(&e, &load, limits.get(&e.person_id), now) else {
                    continue;
                };
                if left > 0 {
                    pool.givers.push((person, e, left));
                }
            }
        }
        Ok(pool)
    }

    /// The settings a run uses: the programme's, with its question weights,
    /// pins and forbids, blocks, and pairs that met or declined before.
    pub(crate) async fn run_settings(
        &self,
        tx: &mut Tx,
        p: &ProgrammeRecord,
    ) -> AppResult<Settings> {
        let mut s = settings_of(p)?;
        let questions: Vec<Question> = p.questions.clone();
        for q in questions.iter().filter(|q| q.weight > 0) {
            s.questions.entry(q.id.clone()).or_insert(q.weight);
        }
        let pair = |a: PersonId, b: PersonId| PairIds {
            mentee: a.to_string(),
            mentor: b.to_string(),
        };
        for rule in tx.pair_rules(p.id).await? {
            if rule.pin {
                s.pinned.push(pair(rule.mentee_id, rule.mentor_id));
            } else {
                s.excluded.push(pair(rule.mentee_id, rule.mentor_id));
            }
        }
        for (a, b) in tx.blocks_in(p.id).await? {
            s.excluded.push(pair(a, b));
            s.excluded.push(pair(b, a));
        }
        for (a, b) in tx.past_pairs(p.id).await? {
            s.previous.push(pair(a, b));
        }
        Ok(s)
    }

    /// Runs matching and stores the result as a draft round (earlier drafts
    /// are discarded). Managers only; the programme must take rounds.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn run_round(&self, actor: &Actor, slug: &str) -> AppResult<RoundView> {
        let now = self.now();
        // The snapshot is read in a read transaction and the engine runs
        // outside any transaction, so a long solve never holds the write
        // lock; publishing re-checks everything against the live data.
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        if !crate::programmes::taking_enrolments(&p) {
            return Err(AppError::Conflict {
                field: None,
                message: format!("{} takes matching rounds while it is open (or running with rolling admission); it is {}", p.name, p.status.code()),
            });
        }
        let settings = self.run_settings(&mut tx, &p).await?;
        let pool = self.pool(&mut tx, &p, now).await?;
        let questions: Vec<Question> = p.questions.clone();
        let settings_json = serde_json::to_value(&settings)
            .map_err(|e| AppError::internal("settings do not serialise", e))?;
        drop(tx);
        let kind = p.kind;
        let sizes = (p.group_min.max(2) as usize, p.group_max.max(2) as usize);
        let result =
            tokio::task::spawn_blocking(move || solve(kind, sizes, &pool, &settings, &questions))
                .await
                .map_err(|e| AppError::internal("matching stopped", e))??;
        let mut tx = self.store.write().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let record = RoundRecord {
            id: RoundId::new(),
            programme_id: p.id,
            status: RoundStatus::Draft,
            settings: settings_json,
            result: serde_json::to_value(&result)
                .map_err(|e| AppError::internal("the round result does not serialise", e))?,
            created_by: Some(actor.person_id),
            created_at: now,
            published_at: None,
        };
        tx.discard_drafts(p.id).await?;
        tx.insert_round(&record).await?;
        self.audit_by(
            &mut tx,
            actor,
            "round.run",
            format!("programme:{}", p.slug),
            None,
            Some(serde_json::json!({"placed": result.placed, "pool": result.pool})),
        )
        .await?;
        tx.commit().await?;
        Ok(RoundView {
            id: record.id,
            status: record.status,
            created_at: now,
            result,
        })
    }

    /// The programme's rounds, newest first.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn rounds(&self, actor: &Actor, slug: &str) -> AppResult<Vec<RoundView>> {
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        tx.rounds_in(p.id)
            .await?
            .into_iter()
            .map(round_view)
            .collect()
    }

    /// One round.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, round = %id))]
    pub async fn round(&self, actor: &Actor, slug: &str, id: RoundId) -> AppResult<RoundView> {
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let r = tx
            .round(id)
            .await?
            .filter(|r| r.programme_id == p.id)
            .ok_or_else(|| AppError::NotFound("that round was not found".into()))?;
        round_view(r)
    }

    /// Pins (`pin`) or forbids (`forbid`) a pair for the next runs, or clears
    /// a rule (`clear`). A pin that breaks a hard rule is refused with the
    /// rule named.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, mentee = %mentee, mentor = %mentor, rule = %rule))]
    pub async fn set_pair_rule(
        &self,
        actor: &Actor,
        slug: &str,
        mentee: PersonId,
        mentor: PersonId,
        rule: &str,
    ) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        if mentee == mentor {
            return Err(AppError::invalid(
                "mentor_id",
                "choose two different people",
            ));
        }
        let (seeker_role, giver_role) = match p.kind {
            ProgrammeKind::Peer | ProgrammeKind::Circle => {
                (ProgrammeRole::Peer, ProgrammeRole::Peer)
            }
            _ => (ProgrammeRole::Mentee, ProgrammeRole::Mentor),
        };
        let approved =
            |e: Option<EnrolmentRecord>| e.filter(|e| e.status == EnrolmentStatus::Approved);
        let (Some(me), Some(mr)) = (
            approved(tx.enrolment(p.id, mentee, seeker_role).await?),
            approved(tx.enrolment(p.id, mentor, giver_role).await?),
        ) else {
            return Err(AppError::invalid(
                "mentor_id",
                format!(
                    "both people must be approved in this programme, as {} and {}",
                    seeker_role.code(),
                    giver_role.code()
                ),
            ));
        };
        match rule {
            "clear" => {
                tx.clear_pair_rule(p.id, mentee, mentor).await?;
            }
            "forbid" => {
                tx.set_pair_rule(
                    p.id,
                    PairRule {
                        mentee_id: mentee,
                        mentor_id: mentor,
                        pin: false,
                    },
                    actor.person_id,
                    now,
                )
                .await?
            }
            "pin" => {
                let mut settings = self.run_settings(&mut tx, &p).await?;
                settings.pinned.clear();
                let questions: Vec<Question> = p.questions.clone();
                let (Some(a), Some(b)) = (tx.person(mentee).await?, tx.person(mentor).await?)
                else {
                    return Err(AppError::NotFound("that person was not found".into()));
                };
                let names: HashMap<String, String> = [
                    (a.id.to_string(), a.profile.name.clone()),
                    (b.id.to_string(), b.profile.name.clone()),
                ]
                .into();
                let model = Model::build(
                    &[profile_of(&a, &me, &questions, 1)],
                    &[profile_of(&b, &mr, &questions, 1)],
                    &settings,
                )
                .map_err(|e| AppError::invalid("settings", e.to_string()))?;
                let rules = Rules::build(&model);
                let blockers = rules.why_not(&model, 0, 0);
                if !blockers.is_empty() {
                    return Err(AppError::Conflict {
                        field: Some("pin"),
                        message: format!(
                            "this pin is refused: it breaks a hard rule: {}",
                            blockers
                                .iter()
                                .map(|b| format!(
                                    "{} ({})",
                                    named(&b.sentence, &names),
                                    b.rule.name()
                                ))
                                .collect::<Vec<_>>()
                                .join("; ")
                        ),
                    });
                }
                tx.set_pair_rule(
                    p.id,
                    PairRule {
                        mentee_id: mentee,
                        mentor_id: mentor,
                        pin: true,
                    },
                    actor.person_id,
                    now,
                )
                .await?;
            }
            _ => return Err(AppError::invalid("rule", "choose pin, forbid or clear")),
        }
        self.audit_by(
            &mut tx,
            actor,
            "round.pair_rule",
            format!("programme:{}", p.slug),
            None,
            Some(serde_json::json!({"rule": rule, "mentee": mentee.to_string(), "mentor": mentor.to_string()})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The programme's pins and forbids, with names.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn pair_rules(&self, actor: &Actor, slug: &str) -> AppResult<Vec<PairRuleView>> {
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let mut out = vec![];
        for r in tx.pair_rules(p.id).await? {
            let name = |p: Option<PersonRecord>| p.map(|p| p.profile.name).unwrap_or_default();
            out.push(PairRuleView {
                mentee_id: r.mentee_id,
                mentee_name: name(tx.person(r.mentee_id).await?),
                mentor_id: r.mentor_id,
                mentor_name: name(tx.person(r.mentor_id).await?),
                rule: if r.pin { "pin" } else { "forbid" },
            });
        }
        Ok(out)
    }

    /// Publishes a draft round: one proposed room per proposal, every member
    /// invited to accept. Proposals that no longer fit (someone withdrew, was
    /// matched meanwhile, or a mentor filled up) are skipped and listed.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, round = %id))]
    pub async fn publish_round(
        &self,
        actor: &Actor,
        slug: &str,
        id: RoundId,
    ) -> AppResult<Published> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let r = tx
            .round(id)
            .await?
            .filter(|r| r.programme_id == p.id)
            .ok_or_else(|| AppError::NotFound("that round was not found".into()))?;
        if !tx
            .move_round(id, RoundStatus::Draft, RoundStatus::Published, now)
            .await?
        {
            return Err(AppError::Conflict {
                field: None,
                message: format!(
                    "this round is {}, not a draft; run matching again for a fresh one",
                    r.status.code()
                ),
            });
        }
        let result = round_result(&r)?;
        let pool = self.pool(&mut tx, &p, now).await?;
        let mut free: HashSet<PersonId> =
            pool.seekers.iter().map(|(person, _)| person.id).collect();
        let mut space: HashMap<PersonId, u32> = pool
            .givers
            .iter()
            .map(|(person, _, left)| (person.id, *left))
            .collect();
        let mut published = Published {
            rooms: vec![],
            skipped: vec![],
        };
        for proposal in &result.proposals {
            let names = proposal
                .members
                .iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let mut problem = None;
            for m in &proposal.members {
                let ok = match m.role {
                    ProgrammeRole::Mentor | ProgrammeRole::Facilitator => {
                        space.get(&m.person_id).copied().unwrap_or(0) > 0
                    }
                    _ => free.contains(&m.person_id),
                };
                if !ok {
                    problem = Some(match m.role {
                        ProgrammeRole::Mentor | ProgrammeRole::Facilitator => {
                            format!("{} has no space left", m.name)
                        }
                        _ => format!("{} is no longer waiting for a match", m.name),
                    });
                    break;
                }
            }
            if let Some(why) = problem {
                published.skipped.push(format!("{names}: {why}"));
                continue;
            }
            for m in &proposal.members {
                match m.role {
                    ProgrammeRole::Mentor | ProgrammeRole::Facilitator => {
                        if let Some(s) = space.get_mut(&m.person_id) {
                            *s -= 1;
                        }
                    }
                    _ => {
                        free.remove(&m.person_id);
                    }
                }
            }
            let room = self
                .propose_room(&mut tx, &p, proposal, Some(id), now)
                .await?;
            if proposal.pinned {
                // A published pin has done its work; keeping it would pin a
                // pair that has now met (and that the rules then refuse).
                for a in &proposal.members {
                    for b in &proposal.members {
                        tx.clear_pair_rule(p.id, a.person_id, b.person_id).await?;
                    }
                }
            }
            published.rooms.push(room);
        }
        tx.discard_drafts(p.id).await?;
        self.audit_by(
            &mut tx,
            actor,
            "round.publish",
            format!("programme:{}", p.slug),
            None,
            Some(serde_json::json!({
                "rooms": published.rooms.len(),
                "skipped": published.skipped.len(),
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(published)
    }

    /// "Match now" for one waiting person: solves for them alone against the
    /// space mentors have left and proposes the best room at once. When no
    /// mentor can take them, the 409 says why and what would fix it.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, person = %person))]
    pub async fn match_now(
        &self,
        actor: &Actor,
        slug: &str,
        person: PersonId,
    ) -> AppResult<RoomId> {
        self.match_now_expecting(actor, slug, person, None).await
    }

    /// What "match now" would propose for one waiting person, committing
    /// nothing (issue 18 §5): the mentor and the explanation, for the
    /// manager to confirm. The same 404/409 as [`App::match_now`].
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, person = %person))]
    pub async fn match_now_preview(
        &self,
        actor: &Actor,
        slug: &str,
        person: PersonId,
    ) -> AppResult<Proposal> {
        let now = self.now();
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        self.match_now_plan(&mut tx, &p, person, now).await
    }

    /// "Match now", committed only when the best mentor is still `mentor`
    /// (the one the manager saw in the preview); otherwise 409 on
    /// `mentor_id`, so nothing the manager did not see is proposed.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, person = %person))]
    pub async fn match_now_expecting(
        &self,
        actor: &Actor,
        slug: &str,
        person: PersonId,
        mentor: Option<PersonId>,
    ) -> AppResult<RoomId> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let proposal = self.match_now_plan(&mut tx, &p, person, now).await?;
        if let Some(expected) = mentor {
            if !proposal.members.iter().any(|m| m.person_id == expected) {
                return Err(AppError::Conflict {
                    field: Some("mentor_id"),
                    message: "The best mentor for them changed since you looked (someone filled up or enrolled). Look at the new proposal before confirming.".into(),
                });
            }
        }
        let room = self.propose_room(&mut tx, &p, &proposal, None, now).await?;
        self.audit_by(
            &mut tx,
            actor,
            "round.match_now",
            format!("programme:{}", p.slug),
            None,
            Some(serde_json::json!({"person": person.to_string()})),
        )
        .await?;
        tx.commit().await?;
        Ok(room)
    }

    /// The proposal "match now" makes for one waiting person.
    async fn match_now_plan(
        &self,
        tx: &mut Tx,
        p: &ProgrammeRecord,
        person: PersonId,
        now: i64,
    ) -> AppResult<Proposal> {
        if matches!(p.kind, ProgrammeKind::Peer | ProgrammeKind::Circle) {
            return Err(AppError::Conflict { field: None, message: "peer and circle programmes place people together; run matching for the whole pool".into() });
        }
        let settings = self.run_settings(tx, p).await?;
        let mut pool = self.pool(tx, p, now).await?;
        pool.seekers.retain(|(s, _)| s.id == person);
        if pool.seekers.is_empty() {
            return Err(AppError::NotFound(
                "that person is not waiting for a match in this programme".into(),
            ));
        }
        let questions: Vec<Question> = p.questions.clone();
        let sizes = (p.group_min.max(2) as usize, p.group_max.max(2) as usize);
        let result = solve(p.kind, sizes, &pool, &settings, &questions)?;
        let Some(proposal) = result.proposals.into_iter().next() else {
            let u = result.unmatched.first();
            return Err(AppError::Conflict {
                field: None,
                message: format!(
                    "no mentor can take them now: {}{}",
                    u.map(|u| u.reason.as_str())
                        .unwrap_or("no eligible mentor has space"),
                    u.and_then(|u| u.fix.as_deref())
                        .map(|f| format!(". {f}"))
                        .unwrap_or_default()
                ),
            });
        };
        Ok(proposal)
    }

    /// Creates a proposed room for a proposal, every member invited, and
    /// emails each of them with the others' names and the room's link.
    async fn propose_room(
        &self,
        tx: &mut Tx,
        p: &ProgrammeRecord,
        proposal: &Proposal,
        round: Option<RoundId>,
        now: i64,
    ) -> AppResult<RoomId> {
        let room = NewRoom {
            round_id: round,
            id: RoomId::new(),
            programme_id: p.id,
            status: RoomStatus::Proposed,
            origin: RoomOrigin::Round,
            members: proposal
                .members
                .iter()
                .map(|m| (m.person_id, m.role, MemberState::Invited))
                .collect(),
        };
        tx.insert_room(&room, now).await?;
        for m in &proposal.members {
            if let Some(person) = tx.person(m.person_id).await? {
                let others = proposal
                    .members
                    .iter()
                    .filter(|o| o.person_id != m.person_id)
                    .map(|o| o.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                let mail = MatchProposed {
                    name: person.profile.name.clone(),
                    programme: p.name.clone(),
                    others,
                    room: room.id.to_string(),
                };
                self.queue_mail(tx, Some(person.id), &person.email, &mail)
                    .await?;
            }
        }
        Ok(room.id)
    }

    /// The member-safe explanation of a room's match, from the round that
    /// proposed it (none for rooms from requests).
    pub(crate) async fn room_explanation(
        &self,
        tx: &mut Tx,
        programme: ProgrammeId,
        round: Option<RoundId>,
        members: &[PersonId],
        manager: bool,
    ) -> AppResult<Option<Vec<ExplanationLine>>> {
        let Some(round) = round else { return Ok(None) };
        let Some(r) = tx
            .round(round)
            .await?
            .filter(|r| r.programme_id == programme)
        else {
            return Ok(None);
        };
        let result = round_result(&r)?;
        Ok(result
            .proposals
            .into_iter()
            .find(|p| p.members.iter().all(|m| members.contains(&m.person_id)))
            .map(|p| {
                if manager {
                    p.explanation
                } else {
                    p.member_explanation
                }
            }))
    }
}

/// A stored round's result, decoded in this one place. The store has checked
/// it is JSON; JSON that is not a [`RoundResult`] is a bug or a damaged row,
/// so it is an internal error naming the round, never an empty result.
pub(crate) fn round_result(r: &RoundRecord) -> AppResult<RoundResult> {
    RoundResult::deserialize(&r.result).map_err(|e| {
        AppError::internal(
            format!(
                "stored match_rounds row {} has a result that does not decode",
                r.id
            ),
            e,
        )
    })
}

pub(crate) fn round_view(r: RoundRecord) -> AppResult<RoundView> {
    Ok(RoundView {
        id: r.id,
        status: r.status,
        created_at: r.created_at,
        result: round_result(&r)?,
    })
}

/// Runs the engine for a programme kind. Pure: no store access.
pub(crate) fn solve(
    kind: ProgrammeKind,
    sizes: (usize, usize),
    pool: &Pool,
    settings: &Settings,
    questions: &[Question],
) -> AppResult<RoundResult> {
    let started = std::time::Instant::now();
    let mut names: HashMap<String, String> = HashMap::new();
    for (p, _) in &pool.seekers {
        names.insert(p.id.to_string(), p.profile.name.clone());
    }
    for (p, _, _) in &pool.givers {
        names.insert(p.id.to_string(), p.profile.name.clone());
    }
    let mut result = match kind {
        ProgrammeKind::Peer | ProgrammeKind::Circle => {
            solve_peers(kind, sizes, pool, settings, questions, &names)?
        }
        _ => solve_assignment(kind, pool, settings, questions, &names)?,
    };
    result.millis = started.elapsed().as_millis() as u64;
    Ok(result)
}

fn solve_assignment(
    kind: ProgrammeKind,
    pool: &Pool,
    settings: &Settings,
    questions: &[Question],
    names: &HashMap<String, String>,
) -> AppResult<RoundResult> {
    let mentees: Vec<Profile> = pool
        .seekers
        .iter()
        .map(|(p, e)| profile_of(p, e, questions, 1))
        .collect();
    let mentors: Vec<Profile> = pool
        .givers
        .iter()
        .map(|(p, e, left)| profile_of(p, e, questions, *left))
        .collect();
    let mut result = RoundResult {
        pool: mentees.len(),
        mentors: mentors.len(),
        ..RoundResult::default()
    };
    if mentees.is_empty() {
        return Ok(result);
    }
    // Pins naming people who are no longer in the pool are dropped, not refused.
    let mut settings = settings.clone();
    let in_pool: HashSet<&str> = mentees
        .iter()
        .chain(mentors.iter())
        .map(|p| p.id.as_str())
        .collect();
    settings.pinned.retain(|pair| {
        in_pool.contains(pair.mentee.as_str()) && in_pool.contains(pair.mentor.as_str())
    });
    let outcome = pipeline::run(
        &mentees,
        &mentors,
        &settings,
        &Options {
            explain: Some(Audience::Manager),
        },
    )
    .map_err(|e| engine_error(e, names))?;
    let member = |m: &pipeline::Match| {
        lines(
            &outcome
                .model
                .explain(m.mentee as usize, m.mentor as usize, Audience::Member),
        )
    };
    let person = |p: &PersonRecord, role| ProposalMember {
        person_id: p.id,
        name: p.profile.name.clone(),
        role,
    };
    let mut used = vec![0u64; mentors.len()];
    if kind == ProgrammeKind::Group {
        let mut by_mentor: BTreeMap<u32, Vec<&pipeline::Match>> = BTreeMap::new();
        for m in &outcome.matches {
            by_mentor.entry(m.mentor).or_default().push(m);
        }
        for (j, ms) in by_mentor {
            let giver = &pool.givers[j as usize].0;
            let mut members = vec![person(giver, ProgrammeRole::Mentor)];
            let mut explanation = vec![];
            let mut member_explanation = vec![];
            let mut total = 0.0;
            for m in &ms {
                let seeker = &pool.seekers[m.mentee as usize].0;
                members.push(person(seeker, ProgrammeRole::Mentee));
                total += m.score as f64 / MICROS;
                for (list, src) in [
                    (
                        &mut explanation,
                        m.explanation.as_ref().map(lines).unwrap_or_default(),
                    ),
                    (&mut member_explanation, member(m)),
                ] {
                    list.extend(src.into_iter().map(|mut l| {
                        l.sentence = format!("{}: {}", seeker.profile.name, l.sentence);
                        l
                    }));
                }
            }
            used[j as usize] += ms.len() as u64;
            result.total_score += total;
            result.proposals.push(Proposal {
                members,
                score: total / ms.len() as f64,
                pinned: ms.iter().any(|m| m.pinned),
                explanation,
                member_explanation,
            });
        }
    } else {
        for m in &outcome.matches {
            let (seeker, giver) = (
                &pool.seekers[m.mentee as usize].0,
                &pool.givers[m.mentor as usize].0,
            );
            used[m.mentor as usize] += 1;
            result.total_score += m.score as f64 / MICROS;
            result.proposals.push(Proposal {
                members: vec![
                    person(giver, ProgrammeRole::Mentor),
                    person(seeker, ProgrammeRole::Mentee),
                ],
                score: m.score as f64 / MICROS,
                pinned: m.pinned,
                explanation: m.explanation.as_ref().map(lines).unwrap_or_default(),
                member_explanation: member(m),
            });
        }
    }
    result.placed = outcome
        .matches
        .iter()
        .map(|m| m.mentee)
        .collect::<HashSet<_>>()
        .len();
    result.free_slots = mentors
        .iter()
        .zip(&used)
        .map(|(m, u)| u64::from(m.capacity).saturating_sub(*u))
        .sum();
    result.certified = outcome.certified;
    let fix_for: HashMap<u32, String> = outcome
        .fixes
        .iter()
        .flat_map(|f| {
            f.mentees
                .iter()
                .map(move |&i| (i, named(&f.sentence, names)))
        })
        .collect();
    let (no_hours, no_goals) = outcome.matches.iter().fold((0, 0), |(h, g), m| {
        let gaps = outcome.model.gaps(m.mentee as usize, m.mentor as usize);
        (
            h + usize::from(gaps.no_shared_hours),
            g + usize::from(gaps.no_shared_goals),
        )
    });
    result.no_shared_hours = Some(no_hours);
    result.no_shared_goals = Some(no_goals);
    for u in &outcome.unmatched {
        let seeker = &pool.seekers[u.mentee as usize].0;
        let fix = fix_for
            .get(&u.mentee)
            .cloned()
            .or_else(|| Some(crate::placement::fallback_fix(u.kind).to_string()));
        // A few of the full mentors who suit them, each a one-click fix.
        let full_mentors = u
            .group
            .and_then(|g| outcome.groups.get(g))
            .map(|g| {
                g.mentors
                    .iter()
                    .take(3)
                    .map(|&j| person(&pool.givers[j as usize].0, ProgrammeRole::Mentor))
                    .collect()
            })
            .unwrap_or_default();
        result.unmatched.push(UnmatchedPerson {
            person_id: seeker.id,
            name: seeker.profile.name.clone(),
            reason: named(&u.reason, names),
            fix,
            full_mentors,
        });
    }
    result.fixes = outcome
        .fixes
        .iter()
        .map(|f| named(&f.sentence, names))
        .collect();
    Ok(result)
}

/// Peers (exact maximum matching) and circles (groups with an upper bound):
/// everyone is on both sides, and a pair is eligible when both directions
/// pass the hard rules; its weight is the mean of the two scores.
fn solve_peers(
    kind: ProgrammeKind,
    (min, max): (usize, usize),
    pool: &Pool,
    settings: &Settings,
    questions: &[Question],
    names: &HashMap<String, String>,
) -> AppResult<RoundResult> {
    let people: Vec<Profile> = pool
        .seekers
        .iter()
        .map(|(p, e)| profile_of(p, e, questions, 1))
        .collect();
    let n = people.len();
    let mut result = RoundResult {
        pool: n,
        ..RoundResult::default()
    };
    if n < 2 {
        for (p, _) in &pool.seekers {
            result.unmatched.push(UnmatchedPerson {
                person_id: p.id,
                name: p.profile.name.clone(),
                reason: reasons::peer::ALONE.into(),
                fix: Some(crate::placement::PEER_FIX_ALONE.into()),
                full_mentors: vec![],
            });
        }
        return Ok(result);
    }
    let mut settings = settings.clone();
    settings.pinned.clear();
    let model = Model::build(&people, &people, &settings)
        .map_err(|e| AppError::invalid("settings", e.to_string()))?;
    let rules = Rules::build(&model);
    let mut edges = vec![];
    for a in 0..n {
        for b in a + 1..n {
            if let (Some(x), Some(y)) = (rules.eligible(&model, a, b), rules.eligible(&model, b, a))
            {
                edges.push(PeerEdge {
                    a: a as u32,
                    b: b as u32,
                    weight: (x + y) / 2,
                });
            }
        }
    }
    let degree = {
        let mut d = vec![0u32; n];
        for e in &edges {
            d[e.a as usize] += 1;
            d[e.b as usize] += 1;
        }
        d
    };
    let member = |i: usize, role| ProposalMember {
        person_id: pool.seekers[i].0.id,
        name: pool.seekers[i].0.profile.name.clone(),
        role,
    };
    let pair_lines = |a: usize, b: usize, audience| {
        let mut l = lines(&model.explain(a, b, audience));
        if kind == ProgrammeKind::Circle {
            for x in &mut l {
                x.sentence = format!(
                    "{} & {}: {}",
                    pool.seekers[a].0.profile.name, pool.seekers[b].0.profile.name, x.sentence
                );
            }
        }
        l
    };
    let mut placed = vec![false; n];
    if kind == ProgrammeKind::Peer {
        let m = peers::max_weight_matching(n, &edges, peers::Objective::MaxCardinality)
            .map_err(|e| AppError::internal("peer matching failed", e))?;
        for a in 0..n {
            if let Some(b) = m.mate[a].map(|b| b as usize).filter(|&b| b > a) {
                let w = m.pair_edge[a]
                    .map(|k| edges[k as usize].weight)
                    .unwrap_or(0) as f64
                    / MICROS;
                placed[a] = true;
                placed[b] = true;
                result.total_score += w;
                result.proposals.push(Proposal {
                    members: vec![
                        member(a, ProgrammeRole::Peer),
                        member(b, ProgrammeRole::Peer),
                    ],
                    score: w,
                    pinned: false,
                    explanation: pair_lines(a, b, Audience::Manager),
                    member_explanation: pair_lines(a, b, Audience::Member),
                });
            }
        }
    } else {
        let problem = rapport_matching::groups::GroupsProblem::new(
            n,
            &edges,
            rapport_matching::groups::MissingPairs::Forbidden,
            min,
            max,
        );
        let g = rapport_matching::groups::form_groups(&problem)
            .map_err(|e| AppError::internal("circle formation failed", e))?;
        // Facilitators (optional) join circles in turn, each up to their capacity.
        let mut facilitators: Vec<(usize, u32)> = pool
            .givers
            .iter()
            .enumerate()
            .map(|(k, (_, _, left))| (k, *left))
            .collect();
        let mut next = 0;
        for group in &g.groups {
            let mut facilitator = None;
            let count = facilitators.len();
            for _ in 0..count {
                let slot = &mut facilitators[next % count];
                next += 1;
                if slot.1 > 0 {
                    slot.1 -= 1;
                    facilitator = Some(slot.0);
                    break;
                }
            }
            let mut explanation = vec![];
            let mut member_explanation = vec![];
            for (k, &a) in group.members.iter().enumerate() {
                placed[a as usize] = true;
                for &b in &group.members[k + 1..] {
                    explanation.extend(pair_lines(a as usize, b as usize, Audience::Manager));
                    member_explanation.extend(pair_lines(a as usize, b as usize, Audience::Member));
                }
            }
            result.total_score += group.mean / MICROS;
            let lead = facilitator.map(|k| {
                let f = &pool.givers[k].0;
                ProposalMember {
                    person_id: f.id,
                    name: f.profile.name.clone(),
                    role: ProgrammeRole::Facilitator,
                }
            });
            result.proposals.push(Proposal {
                members: lead
                    .into_iter()
                    .chain(
                        group
                            .members
                            .iter()
                            .map(|&i| member(i as usize, ProgrammeRole::Peer)),
                    )
                    .collect(),
                score: group.mean / MICROS,
                pinned: false,
                explanation,
                member_explanation,
            });
        }
        result.upper_bound = Some(g.upper_bound / MICROS);
    }
    result.placed = placed.iter().filter(|p| **p).count();
    for i in (0..n).filter(|&i| !placed[i]) {
        let (reason, fix) = if degree[i] == 0 {
            let why: Vec<rapport_matching::constraints::Rule> = (0..n)
                .filter(|&j| j != i)
                .flat_map(|j| rules.why_not(&model, i, j))
                .map(|b| b.rule)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            (
                reasons::peer::none_compatible(&why),
                crate::placement::PEER_FIX_NONE,
            )
        } else if kind == ProgrammeKind::Peer {
            (
                reasons::peer::ODD_ONE_OUT.to_string(),
                crate::placement::PEER_FIX_ODD,
            )
        } else {
            (
                reasons::peer::TOO_FEW.to_string(),
                crate::placement::PEER_FIX_CIRCLE,
            )
        };
        result.unmatched.push(UnmatchedPerson {
            person_id: pool.seekers[i].0.id,
            name: pool.seekers[i].0.profile.name.clone(),
            reason: named(&reason, names),
            fix: Some(fix.to_string()),
            full_mentors: vec![],
        });
    }
    result.certified = kind == ProgrammeKind::Peer;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_replace_ids() {
        let names: HashMap<String, String> = [("abc-1".to_string(), "Ana".to_string())].into();
        assert_eq!(
            named("abc-1 cannot mentor themselves", &names),
            "Ana cannot mentor themselves"
        );
    }

    #[test]
    fn stated_preferences_reach_the_engine_whole() {
        let avoided = PersonId::new();
        let hard = stated::Strength::Hard;
        let p = StatedPreferences {
            gender: Some(stated::Stated {
                value: "nonbinary".into(),
                strength: stated::Strength::Soft,
            }),
            department: Some(stated::Stated {
                value: stated::DepartmentChoice::Same,
                strength: hard,
            }),
            avoid: vec![stated::Stated {
                value: avoided,
                strength: hard,
            }],
        };
        // Profiles name people by `PersonId::to_string`, so an avoided id
        // must come out in exactly that form to keep the pair apart.
        assert_eq!(
            engine_preferences(&p),
            Preferences {
                gender: Some(Preference {
                    value: "nonbinary".into(),
                    strength: Strength::Soft,
                }),
                department: Some(Preference {
                    value: DepartmentChoice::Same,
                    strength: Strength::Hard,
                }),
                avoid: vec![Preference {
                    value: avoided.to_string(),
                    strength: Strength::Hard,
                }],
            }
        );
        assert!(engine_preferences(&StatedPreferences::default()).is_empty());
    }

    #[test]
    fn a_stored_result_that_is_not_a_round_result_names_the_round() {
        let mut r = RoundRecord {
            id: RoundId::new(),
            programme_id: ProgrammeId::new(),
            status: RoundStatus::Draft,
            settings: serde_json::json!({}),
            result: serde_json::json!({"placed": "many"}),
            created_by: None,
            created_at: 0,
            published_at: None,
        };
        for damaged in [
            serde_json::json!({"placed": "many"}),
            serde_json::json!({}),
            serde_json::json!([]),
        ] {
            r.result = damaged;
            let e = round_view(r.clone()).unwrap_err();
            assert!(matches!(e, AppError::Internal { .. }), "{e:?}");
            assert!(e.to_string().contains(&r.id.to_string()), "{e}");
        }
        let result = RoundResult {
            placed: 3,
            ..RoundResult::default()
        };
        r.result = serde_json::to_value(&result).unwrap();
        assert_eq!(round_view(r).unwrap().result, result);
    }
}
