//! Closure: when a room completes or ends, each member writes a closing
//! reflection and answers the outcome survey (self-efficacy, skills gained,
//! the career step taken, and whether they would mentor someone).
//!
//! The survey opens when the room has ended and stays open for
//! [`crate::rooms::GRACE_MS`] after the end. Each member answers once. The
//! reflection is its author's alone: it is read by [`App::closure`] for the
//! author only and never by [`App::programme_outcomes`], whose report counts
//! the typed outcomes. A mentee who would mentor someone is invited to
//! enrol as a mentor ("one up, one down").

use crate::emails::MentorInvitation;
use crate::rooms::{RoomAccess, GRACE_MS};
use crate::{markdown, App, AppError, AppResult};
use rapport_domain::closure::{CareerStep, SelfEfficacy, WouldMentor};
use rapport_domain::mentoring::{MemberState, RoomStatus};
use rapport_domain::policy::Actor;
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::{ClosureId, Invalid, RoomId};
use rapport_store::{
    ClosureRecord, GainedSkill, OutcomeRecord, ProgrammeRecord, RoomRecord, SkillRecord, Tx,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a member answers at closure. Text fields come as forms send them.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ClosureInput {
    /// The closing reflection (Markdown), private to its author; may be empty.
    pub reflection: String,
    /// 1 to 5: the answer to the self-efficacy question.
    pub self_efficacy: String,
    /// Skills gained, by their names in the skill catalogue.
    pub skills: Vec<String>,
    /// `promotion`, `new_role`, `new_responsibility` or `none_yet`.
    pub career_step: String,
    /// `yes`, `maybe` or `no`.
    pub would_mentor: String,
}

/// Whether the closure survey can be answered now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ClosureWindow {
    /// The room has not ended yet.
    NotEnded,
    /// The room ended before it ever started (a declined proposal).
    NeverStarted,
    /// Open until this time (ms).
    Open {
        /// The last moment answers are taken.
        until: i64,
    },
    /// Closed since this time (ms).
    Closed {
        /// When the window closed.
        since: i64,
    },
}

/// The next programme a would-be mentor may enrol in: (name, slug).
pub type NextProgramme = Option<(String, String)>;

/// A room's closure as one viewer sees it.
#[derive(Clone, Debug)]
pub struct ClosureView {
    /// The room and its members.
    pub room: RoomRecord,
    /// Programme name.
    pub programme_name: String,
    /// Programme slug.
    pub programme_slug: String,
    /// The viewer is a member who may answer (a manager who is not one
    /// reads the room but never a closure).
    pub member: bool,
    /// The viewer manages the programme.
    pub manager: bool,
    /// Whether answers are taken now.
    pub window: ClosureWindow,
    /// The viewer's own closure, if they answered.
    pub mine: Option<ClosureRecord>,
    /// Their reflection, rendered (for their own eyes only).
    pub reflection_html: String,
    /// The skill catalogue, for the form.
    pub catalogue: Vec<SkillRecord>,
    /// The viewer was invited to mentor: the next programme, if any.
    pub invited_to_mentor: Option<NextProgramme>,
}

/// A programme's outcomes, for its managers. Built from the typed outcomes
/// only: no reflection reaches it.
#[derive(Clone, Debug, Serialize)]
pub struct OutcomesReport {
    /// Programme name.
    pub programme_name: String,
    /// Programme slug.
    pub programme_slug: String,
    /// Closures answered.
    pub closures: usize,
    /// Count per career step, every step listed.
    pub career_steps: Vec<(CareerStep, usize)>,
    /// Count per answer to "would you mentor someone?".
    pub would_mentor: Vec<(WouldMentor, usize)>,
    /// Mentees who would mentor someone.
    pub mentees_who_would_mentor: usize,
    /// Mean self-efficacy at closure.
    pub self_efficacy_at_closure: Option<f64>,
    /// Mean change from enrolment to closure, over the closures whose
    /// author answered at enrolment too.
    pub self_efficacy_change: Option<f64>,
    /// How many closures that mean change is over.
    pub self_efficacy_compared: usize,
    /// The skills gained most often, with counts: most first, then by name.
    pub top_skills: Vec<(String, usize)>,
}

/// How many skills the report lists.
pub const TOP_SKILLS: usize = 10;

/// The window of a room's closure survey at `now`.
pub fn closure_window(room: &RoomRecord, now: i64) -> ClosureWindow {
    match (room.status, room.started_at, room.ended_at) {
        (RoomStatus::Completed | RoomStatus::EndedEarly, None, _) => ClosureWindow::NeverStarted,
        (RoomStatus::Completed | RoomStatus::EndedEarly, Some(_), Some(end)) => {
            let until = end + GRACE_MS;
            if now <= until {
                ClosureWindow::Open { until }
            } else {
                ClosureWindow::Closed { since: until }
            }
        }
        // An ended room without an end time predates the room clock; its
        // survey is long closed.
        (RoomStatus::Completed | RoomStatus::EndedEarly, Some(_), None) => ClosureWindow::Closed {
            since: room.created_at,
        },
        _ => ClosureWindow::NotEnded,
    }
}

/// Whether the actor answers this room's closure: a member who has not
/// declined it (one who left answers too); 403 for anyone else who may read
/// the room. (A member still invited never gets an open survey: a room ends
/// from proposed only before it started.)
fn closing_member(access: &RoomAccess) -> AppResult<ProgrammeRole> {
    match &access.me {
        Some(m) if m.state != MemberState::Declined => Ok(m.role),
        _ => Err(AppError::Forbidden(
            "the closure survey is answered by the room's members, each for themselves; its reflections are private".into(),
        )),
    }
}

impl App {
    /// A room's closure for the actor: the window, the catalogue and their
    /// own answer. Members and the programme's managers read it (anyone
    /// else 404); a manager sees no one's answers.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %id))]
    pub async fn closure(&self, actor: &Actor, id: RoomId) -> AppResult<ClosureView> {
        let mut tx = self.store.read().await?;
        self.closure_in(&mut tx, actor, id).await
    }

    /// [`App::closure`] in the caller's transaction.
    pub(crate) async fn closure_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: RoomId,
    ) -> AppResult<ClosureView> {
        let now = self.now();
        let access = self.room_access(tx, actor, id).await?;
        let member = closing_member(&access).is_ok();
        let mine = if member {
            tx.closure_of(id, actor.person_id).await?
        } else {
            None
        };
        let invited_to_mentor = match &mine {
            Some(c) if invites_to_mentor(&c.outcome) => {
                Some(next_programme(tx, actor, &access.programme).await?)
            }
            _ => None,
        };
        Ok(ClosureView {
            window: closure_window(&access.room, now),
            reflection_html: mine
                .as_ref()
                .map(|c| markdown::render(&c.reflection))
                .unwrap_or_default(),
            mine,
            catalogue: tx.skills().await?,
            member,
            manager: access.manager,
            programme_name: access.programme.name,
            programme_slug: access.programme.slug.to_string(),
            invited_to_mentor,
            room: access.room,
        })
    }

    /// A member answers the closure survey of a room that completed or
    /// ended, within 30 days of the end, once. A mentee who would mentor
    /// someone is invited to enrol as a mentor.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %id))]
    pub async fn submit_closure(
        &self,
        actor: &Actor,
        id: RoomId,
        input: &ClosureInput,
    ) -> AppResult<ClosureView> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let access = self.room_access(&mut tx, actor, id).await?;
        let role = closing_member(&access)?;
        match closure_window(&access.room, now) {
            ClosureWindow::Open { .. } => access.within_grace(now)?,
            ClosureWindow::NotEnded => {
                return Err(conflict(
                    "the closure survey opens when the room completes or ends",
                ))
            }
            ClosureWindow::NeverStarted => {
                return Err(conflict(
                    "this room ended before it started, so it has no closure survey",
                ))
            }
            ClosureWindow::Closed { .. } => {
                return Err(conflict(
                    "the closure survey closed 30 days after the room ended",
                ))
            }
        }
        if tx.closure_of(id, actor.person_id).await?.is_some() {
            return Err(already_answered());
        }
        let catalogue = tx.skills().await?;
        let (answer, skills) = check_closure(input, &catalogue)?;
        let before = tx
            .enrolment_self_efficacy(access.programme.id, actor.person_id, role)
            .await?;
        let record = ClosureRecord {
            outcome: OutcomeRecord {
                id: ClosureId::new(),
                room_id: id,
                person_id: actor.person_id,
                programme_id: access.programme.id,
                role,
                self_efficacy: answer.self_efficacy,
                self_efficacy_at_enrolment: before,
                career_step: answer.career_step,
                would_mentor: answer.would_mentor,
                skills: skills.iter().map(|s| s.name.clone()).collect(),
                created_at: now,
            },
            reflection: answer.reflection,
        };
        match tx.insert_closure(&record, &skills).await {
            Err(rapport_store::StoreError::Conflict { constraint })
                if constraint == "closures_room_id_person_id_key" =>
            {
                return Err(already_answered())
            }
            other => other?,
        }
        if invites_to_mentor(&record.outcome) {
            let next = next_programme(&mut tx, actor, &access.programme).await?;
            if let Some(me) = tx.person(actor.person_id).await? {
                let mail = MentorInvitation {
                    name: me.profile.name.clone(),
                    programme: access.programme.name.clone(),
                    next,
                };
                self.queue_mail(&mut tx, Some(me.id), me.email.as_str(), &mail)
                    .await?;
            }
        }
        tx.commit().await?;
        self.closure(actor, id).await
    }

    /// A programme's outcomes for its managers: counts per career step and
    /// per answer to "would you mentor someone?", the mean self-efficacy
    /// change from enrolment to closure, and the skills gained most often.
    /// Reflections never reach it.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn programme_outcomes(&self, actor: &Actor, slug: &str) -> AppResult<OutcomesReport> {
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let outcomes = tx.outcomes_in(p.id).await?;
        Ok(outcomes_report(&p, &outcomes))
    }
}

/// A person's own closures, reflections included, for their data export.
pub(crate) async fn export_of(
    tx: &mut Tx,
    person: rapport_domain::PersonId,
) -> AppResult<serde_json::Value> {
    let closures: Vec<_> = tx
        .closures_by(person)
        .await?
        .into_iter()
        .map(|c| {
            let o = c.outcome;
            serde_json::json!({
                "room_id": o.room_id, "role": o.role.code(), "reflection": c.reflection,
                "self_efficacy": o.self_efficacy, "self_efficacy_at_enrolment": o.self_efficacy_at_enrolment,
                "skills_gained": o.skills, "career_step": o.career_step.code(),
                "would_mentor": o.would_mentor.code(), "created_at": o.created_at,
            })
        })
        .collect();
    Ok(closures.into())
}

/// The report of a programme's outcomes.
pub fn outcomes_report(p: &ProgrammeRecord, outcomes: &[OutcomeRecord]) -> OutcomesReport {
    let count_of = |f: &dyn Fn(&OutcomeRecord) -> bool| outcomes.iter().filter(|o| f(o)).count();
    let mean = |xs: &[f64]| (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64);
    let at_closure: Vec<f64> = outcomes
        .iter()
        .map(|o| f64::from(o.self_efficacy.get()))
        .collect();
    let changes: Vec<f64> = outcomes
        .iter()
        .filter_map(|o| {
            o.self_efficacy_at_enrolment
                .map(|b| f64::from(o.self_efficacy.get()) - f64::from(b.get()))
        })
        .collect();
    let mut skills: BTreeMap<&str, usize> = BTreeMap::new();
    for s in outcomes.iter().flat_map(|o| o.skills.iter()) {
        *skills.entry(s.as_str()).or_default() += 1;
    }
    let mut top_skills: Vec<(String, usize)> = skills
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect();
    // Stable sort: equal counts keep the names' order.
    top_skills.sort_by_key(|s| std::cmp::Reverse(s.1));
    top_skills.truncate(TOP_SKILLS);
    OutcomesReport {
        programme_name: p.name.clone(),
        programme_slug: p.slug.to_string(),
        closures: outcomes.len(),
        career_steps: CareerStep::ALL
            .iter()
            .map(|s| (*s, count_of(&|o| o.career_step == *s)))
            .collect(),
        would_mentor: WouldMentor::ALL
            .iter()
            .map(|w| (*w, count_of(&|o| o.would_mentor == *w)))
            .collect(),
        mentees_who_would_mentor: count_of(&invites_to_mentor),
        self_efficacy_at_closure: mean(&at_closure),
        self_efficacy_change: mean(&changes),
        self_efficacy_compared: changes.len(),
        top_skills,
    }
}

/// "One up, one down": a mentee who would mentor someone is invited to.
fn invites_to_mentor(o: &OutcomeRecord) -> bool {
    o.role == ProgrammeRole::Mentee && o.would_mentor == WouldMentor::Yes
}

/// The programme a would-be mentor is pointed to: another one taking
/// mentor enrolments, the one that starts first (and that they are not a
/// mentor in yet).
async fn next_programme(
    tx: &mut Tx,
    actor: &Actor,
    current: &ProgrammeRecord,
) -> AppResult<NextProgramme> {
    let open =
        crate::programmes::next_open_programme(tx, actor, ProgrammeRole::Mentor, Some(current.id))
            .await?;
    Ok(open.map(|p| (p.name, p.slug.to_string())))
}

/// The checked answers of a closure.
struct Answer {
    reflection: String,
    self_efficacy: SelfEfficacy,
    career_step: CareerStep,
    would_mentor: WouldMentor,
}

/// Checks a closure form against the catalogue; every bad field is named.
fn check_closure(
    input: &ClosureInput,
    catalogue: &[SkillRecord],
) -> AppResult<(Answer, Vec<GainedSkill>)> {
    let mut errors: Vec<Invalid> = vec![];
    if let Err(AppError::Invalid(e)) = markdown::check("reflection", &input.reflection) {
        errors.extend(e);
    }
    let self_efficacy = SelfEfficacy::parse("self_efficacy", &input.self_efficacy)
        .map_err(|e| errors.push(e))
        .ok();
    let career_step = CareerStep::parse(&input.career_step)
        .map_err(|e| errors.push(e))
        .ok();
    let would_mentor = WouldMentor::parse(&input.would_mentor)
        .map_err(|e| errors.push(e))
        .ok();
    let mut skills: Vec<GainedSkill> = vec![];
    for raw in input
        .skills
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        match catalogue.iter().find(|s| s.name.eq_ignore_ascii_case(raw)) {
            Some(s) if !skills.iter().any(|g| g.id == s.id) => skills.push(GainedSkill {
                id: s.id,
                name: s.name.clone(),
            }),
            Some(_) => {}
            None => errors.push(Invalid::new(
                "skills",
                format!("{raw} is not in the skill catalogue; choose skills from the list"),
            )),
        }
    }
    match (self_efficacy, career_step, would_mentor) {
        (Some(self_efficacy), Some(career_step), Some(would_mentor)) if errors.is_empty() => Ok((
            Answer {
                reflection: input.reflection.trim().to_string(),
                self_efficacy,
                career_step,
                would_mentor,
            },
            skills,
        )),
        _ => Err(AppError::Invalid(errors)),
    }
}

fn conflict(message: &str) -> AppError {
    AppError::Conflict {
        field: None,
        message: message.into(),
    }
}

fn already_answered() -> AppError {
    conflict("you already answered this room's closure survey")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_domain::{PersonId, ProgrammeId, SkillId};

    fn outcome(
        role: ProgrammeRole,
        score: i64,
        before: Option<i64>,
        step: CareerStep,
        mentor: WouldMentor,
        skills: &[&str],
    ) -> OutcomeRecord {
        OutcomeRecord {
            id: ClosureId::new(),
            room_id: RoomId::new(),
            person_id: PersonId::new(),
            programme_id: ProgrammeId::new(),
            role,
            self_efficacy: SelfEfficacy::new("s", score).unwrap(),
            self_efficacy_at_enrolment: before.map(|b| SelfEfficacy::new("s", b).unwrap()),
            career_step: step,
            would_mentor: mentor,
            skills: skills.iter().map(|s| s.to_string()).collect(),
            created_at: 0,
        }
    }

    #[test]
    fn the_report_counts_steps_means_and_skills() {
        use CareerStep::*;
        use ProgrammeRole::*;
        let p = ProgrammeRecord::new(
            rapport_domain::values::Slug::parse("slug", "spring").unwrap(),
            "Spring",
            rapport_domain::programme::ProgrammeKind::OneToOne,
            rapport_domain::programme::ProgrammeStatus::Running,
            0,
        );
        let report = outcomes_report(
            &p,
            &[
                outcome(
                    Mentee,
                    4,
                    Some(2),
                    Promotion,
                    WouldMentor::Yes,
                    &["Rust", "Speaking"],
                ),
                outcome(Mentor, 5, Some(4), NoneYet, WouldMentor::Yes, &["Speaking"]),
                outcome(Mentee, 3, None, Promotion, WouldMentor::No, &[]),
            ],
        );
        assert_eq!(report.closures, 3);
        assert_eq!(report.career_steps[0], (Promotion, 2));
        assert_eq!(report.career_steps.len(), CareerStep::ALL.len());
        assert_eq!(
            report.mentees_who_would_mentor, 1,
            "mentors are not invited"
        );
        assert_eq!(report.self_efficacy_at_closure, Some(4.0));
        assert_eq!(report.self_efficacy_change, Some(1.5));
        assert_eq!(report.self_efficacy_compared, 2);
        assert_eq!(
            report.top_skills,
            vec![("Speaking".into(), 2), ("Rust".into(), 1)]
        );
        let empty = outcomes_report(&p, &[]);
        assert_eq!((empty.self_efficacy_change, empty.closures), (None, 0));
    }

    #[test]
    fn closure_answers_name_every_bad_field() {
        let catalogue = vec![SkillRecord {
            id: SkillId::new(),
            name: "Public speaking".into(),
        }];
        let bad = ClosureInput {
            reflection: "<script>x</script>".into(),
            self_efficacy: "6".into(),
            skills: vec!["Juggling".into()],
            career_step: "ceo".into(),
            would_mentor: "perhaps".into(),
        };
        let Err(AppError::Invalid(errors)) = check_closure(&bad, &catalogue) else {
            panic!("refused")
        };
        let mut fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        fields.sort();
        assert_eq!(
            fields,
            [
                "career_step",
                "reflection",
                "self_efficacy",
                "skills",
                "would_mentor"
            ]
        );
        let good = ClosureInput {
            reflection: "I learnt a lot.".into(),
            self_efficacy: "4".into(),
            skills: vec![
                "public SPEAKING".into(),
                "Public speaking".into(),
                " ".into(),
            ],
            career_step: "new_role".into(),
            would_mentor: "maybe".into(),
        };
        let (answer, skills) = check_closure(&good, &catalogue).expect("accepted");
        assert_eq!(answer.self_efficacy.get(), 4);
        assert_eq!(skills.len(), 1, "named once, whatever the case");
        assert_eq!(skills[0].name, "Public speaking");
    }
}
