//! The needs check: a person rates eight statements, learns whether what
//! they miss is direction from their own leader (a leadership gap) or
//! guidance on who to become (a mentorship gap), and gets next steps chosen
//! from what is live on the site now.
//!
//! # Privacy
//! Results are the person's alone: every use case here reads the actor's own
//! rows and nobody else's, and no route takes another person's id.
//!
//! # Next steps
//! Chosen from live data, so two sites (or one site on two days) give
//! different advice: programmes open for enrolment the person is not in yet,
//! mentors of their programmes whose offered skills match the skills they
//! want, circles open to join, roadmaps for their level (through
//! `App::roadmap_steps`, the one place roadmaps join in), and, for a leadership
//! gap, a conversation with their own team leader, with a short guide.

use crate::lists::{ListQuery, Page};
use crate::{Actor, App, AppError, AppResult};
use rapport_domain::needs::{assess, Assessment, Gap, NeedsAnswers, STATEMENTS};
use rapport_domain::person::LeadershipLevel;
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole, ProgrammeStatus};
use rapport_domain::NeedsCheckId;
use rapport_store::{NeedsCheckRecord, RoadmapFilter, Tx};
use serde::Serialize;

/// At most this many steps of one kind, so the list stays short.
const PER_KIND: usize = 3;

/// The guide for a conversation with one's own team leader, shown with a
/// leadership gap.
pub const LEADER_GUIDE: [&str; 5] = [
    "Ask for 30 minutes and say why up front: you want to be sure you are working on what matters most to the team.",
    "Bring your own list of what you think you are expected to deliver this quarter, and ask your leader to correct it.",
    "Ask which of those comes first when two clash, and who decides if something new arrives.",
    "Agree dates for the two or three things that matter most, and how you will both know they are on track.",
    "Close by agreeing when you will check in again, and write down what you agreed in a short note to both of you.",
];

/// One kind of next step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Enrol in a programme open for enrolment.
    Enrol,
    /// Ask a mentor whose offered skills fit.
    RequestMentor,
    /// Follow a roadmap for one's level.
    Roadmap,
    /// Join a peer circle.
    Circle,
    /// Talk to one's own team leader.
    TalkToLeader,
    /// Keep reflecting with prompts.
    Reflect,
}

/// One recommended next step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NextStep {
    /// What kind.
    pub kind: StepKind,
    /// One sentence: what to do.
    pub title: String,
    /// Why, or with whom.
    pub detail: String,
    /// Where it is done: a site path.
    pub link: String,
}

/// What a person sends: one answer per statement, 1 to 5, in
/// [`STATEMENTS`] order.
#[derive(Clone, Debug, Default)]
pub struct NeedsInput {
    /// The answers.
    pub scores: [Option<i64>; 8],
}

/// One check, with its result.
#[derive(Clone, Debug)]
pub struct NeedsResult {
    /// The stored answers.
    pub record: NeedsCheckRecord,
    /// What they mean.
    pub assessment: Assessment,
}

impl NeedsResult {
    fn new(record: NeedsCheckRecord) -> Self {
        Self {
            assessment: assess(&record.answers),
            record,
        }
    }
}

/// The person's latest result and the next steps it leads to now.
#[derive(Clone, Debug)]
pub struct NeedsAdvice {
    /// The latest check.
    pub latest: NeedsResult,
    /// What to do next, chosen from what is live now.
    pub steps: Vec<NextStep>,
}

impl App {
    /// The actor takes the check: 422 naming each statement left out or
    /// rated outside 1 to 5 (by its code); otherwise the result is kept in
    /// their history and the advice for it returned.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn take_needs_check(
        &self,
        actor: &Actor,
        input: &NeedsInput,
    ) -> AppResult<NeedsAdvice> {
        let answers = NeedsAnswers::parse(&input.scores).map_err(AppError::Invalid)?;
        let record = NeedsCheckRecord {
            id: NeedsCheckId::new(),
            person_id: actor.person_id,
            answers,
            created_at: self.now(),
        };
        let mut tx = self.store.write().await?;
        tx.insert_needs_check(&record).await?;
        tx.commit().await?;
        let latest = NeedsResult::new(record);
        let steps = self.next_steps(actor, latest.assessment.gap).await?;
        Ok(NeedsAdvice { latest, steps })
    }

    /// The actor's latest result with fresh advice; none before their first
    /// check.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn needs_advice(&self, actor: &Actor) -> AppResult<Option<NeedsAdvice>> {
        let mut tx = self.store.read().await?;
        let page = tx
            .needs_checks_page(actor.person_id, crate::lists::Start::Offset(0), 1)
            .await?;
        drop(tx);
        let Some(record) = page.items.into_iter().next() else {
            return Ok(None);
        };
        let latest = NeedsResult::new(record);
        let steps = self.next_steps(actor, latest.assessment.gap).await?;
        Ok(Some(NeedsAdvice { latest, steps }))
    }

    /// One page of the actor's own results, newest first.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn needs_history(
        &self,
        actor: &Actor,
        list: &ListQuery,
    ) -> AppResult<Page<NeedsResult>> {
        let (start, limit) = list.window()?;
        let mut tx = self.store.read().await?;
        let page = tx.needs_checks_page(actor.person_id, start, limit).await?;
        Ok(Page {
            items: page.items.into_iter().map(NeedsResult::new).collect(),
            next: page.next,
            prev: page.prev,
        })
    }

    /// Whether the person has taken the check (the getting-started step).
    pub(crate) async fn took_needs_check_in(&self, tx: &mut Tx, actor: &Actor) -> AppResult<bool> {
        let page = tx
            .needs_checks_page(actor.person_id, crate::lists::Start::Offset(0), 1)
            .await?;
        Ok(!page.items.is_empty())
    }

    /// Roadmaps for the person's level, as next steps: the one place
    /// roadmaps join the needs check. Up to [`PER_KIND`] published roadmaps
    /// written for `level` that the actor does not follow yet, newest first,
    /// each linked to its page; none when the site has none for that level.
    async fn roadmap_steps(
        &self,
        actor: &Actor,
        level: LeadershipLevel,
    ) -> AppResult<Vec<NextStep>> {
        let mut tx = self.store.read().await?;
        let filter = RoadmapFilter {
            level: Some(level),
            ..Default::default()
        };
        // A few more than shown, so roadmaps already followed can be passed over.
        let page = tx
            .roadmaps_page(&filter, crate::lists::Start::Offset(0), 4 * PER_KIND as i64)
            .await?;
        let mut steps = vec![];
        for r in page.items {
            if steps.len() == PER_KIND {
                break;
            }
            if tx.roadmap_follow(r.id, actor.person_id).await?.is_some() {
                continue;
            }
            steps.push(NextStep {
                kind: StepKind::Roadmap,
                title: format!("Follow the roadmap {}", r.title),
                detail: format!(
                    "Written for your level ({}); {} following it.",
                    level.label().to_lowercase(),
                    crate::roadmaps::plural(r.followers as usize, "person")
                        .replace("persons", "people")
                ),
                link: format!("/roadmaps/{}", r.id),
            });
        }
        Ok(steps)
    }

    /// The next steps for `gap`, from what is live now.
    async fn next_steps(&self, actor: &Actor, gap: Gap) -> AppResult<Vec<NextStep>> {
        let me = self.profile(actor, actor.person_id).await?.profile;
        let programmes = self.programmes(actor).await?;
        let mut steps = vec![];
        let wants_mentor = matches!(gap, Gap::Mentorship | Gap::Both);
        if matches!(gap, Gap::Leadership | Gap::Both) {
            let leader = match me.manager_id {
                Some(id) => self.profile(actor, id).await.ok().map(|v| v.profile.name),
                None => None,
            };
            steps.push(NextStep {
                kind: StepKind::TalkToLeader,
                title: match &leader {
                    Some(name) => format!("Talk to {name}, your team leader"),
                    None => "Talk to your own team leader".into(),
                },
                detail: "Direction, clear goals and deadlines come from your own leader, not a mentor. The guide below helps you ask for them.".into(),
                link: "/needs-check#leader-guide".into(),
            });
        }
        if wants_mentor {
            // Mentors whose offered skills fit, in programmes where the
            // person is a mentee.
            let wanted: Vec<String> = me.skills_wanted.iter().map(|s| s.to_lowercase()).collect();
            let mut mentors = vec![];
            for p in programmes.iter().filter(|p| {
                p.my_roles.contains(&ProgrammeRole::Mentee)
                    && matches!(
                        p.record.status,
                        ProgrammeStatus::Open | ProgrammeStatus::Running
                    )
            }) {
                let slug = p.record.slug.to_string();
                let listing = self
                    .mentor_directory(actor, &slug, &Default::default())
                    .await?;
                for m in listing
                    .into_iter()
                    .filter(|m| !m.full && m.mentor_id != actor.person_id)
                {
                    let fit: Vec<&String> = m
                        .skills
                        .iter()
                        .filter(|s| wanted.contains(&s.to_lowercase()))
                        .collect();
                    if !fit.is_empty() && mentors.len() < PER_KIND {
                        mentors.push(NextStep {
                            kind: StepKind::RequestMentor,
                            title: format!("Ask {} to mentor you", m.name),
                            detail: format!(
                                "Offers {} in {}.",
                                fit.iter()
                                    .map(|s| s.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                p.record.name
                            ),
                            link: format!("/programmes/{slug}/mentors"),
                        });
                    }
                }
            }
            steps.extend(mentors);
            steps.extend(joinable(&programmes, false).map(|p| NextStep {
                kind: StepKind::Enrol,
                title: format!("Enrol in {}", p.record.name),
                detail: "Open for enrolment now: a mentor can help you work out who you want to become.".into(),
                link: format!("/programmes/{}", p.record.slug),
            }));
            steps.extend(self.roadmap_steps(actor, me.level).await?);
        }
        if gap != Gap::Leadership {
            steps.extend(joinable(&programmes, true).map(|p| NextStep {
                kind: StepKind::Circle,
                title: format!("Join the circle {}", p.record.name),
                detail: "Peers at your stage, meeting regularly to learn from each other.".into(),
                link: format!("/programmes/{}", p.record.slug),
            }));
        }
        if gap == Gap::Neither || (wants_mentor && steps.is_empty()) {
            steps.push(NextStep {
                kind: StepKind::Reflect,
                title: "Keep reflecting with a regular prompt".into(),
                detail: "A short question every week or two helps you notice when your needs change; take the check again then.".into(),
                link: "/reflection".into(),
            });
        }
        Ok(steps)
    }
}

/// Up to [`PER_KIND`] programmes taking enrolments that the person is not
/// in yet: circles, or every other kind.
fn joinable(
    programmes: &[crate::programmes::ProgrammeView],
    circles: bool,
) -> impl Iterator<Item = &crate::programmes::ProgrammeView> {
    programmes
        .iter()
        .filter(move |p| {
            p.taking_enrolments
                && p.my_roles.is_empty()
                && (p.record.kind == ProgrammeKind::Circle) == circles
        })
        .take(PER_KIND)
}

/// The statements, for forms and the API: `(code, text, gap)`.
pub fn statements() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    STATEMENTS.iter().map(|s| {
        (
            s.code,
            s.text,
            match s.gap {
                rapport_domain::needs::GapKind::Leadership => "leadership",
                rapport_domain::needs::GapKind::Mentorship => "mentorship",
            },
        )
    })
}
