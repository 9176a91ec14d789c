//! What the start page and the operator's probes need, so that no caller
//! outside `app` reads the store directly.

use crate::inbox::{InboxEntry, InboxFacts};
use crate::viewer::{PageReader, PageViewer};
use crate::{Actor, App, AppError, AppResult};
use rapport_domain::mentoring::EnrolmentStatus;
use rapport_store::{PersonRecord, ProgrammesOf, Tx};

/// The signed-in home page, read in one transaction: the viewer (when read
/// for a session cookie), the summary and the whole inbox.
#[derive(Clone, Debug)]
pub struct HomePage {
    /// The viewer, when the page was read for a session cookie.
    pub viewer: Option<PageViewer>,
    /// Profile, programmes and the getting-started checklist.
    pub summary: HomeSummary,
    /// Everything waiting on the viewer, in the inbox's order.
    pub inbox: Vec<InboxEntry>,
}

/// The signed-in start page: how complete the person's profile is, and their
/// role in each programme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HomeSummary {
    /// Profile completeness, 0 to 100 in steps of 10.
    pub completeness: u8,
    /// `(programme name, role in words)`, in the actor's role order.
    pub roles: Vec<(String, String)>,
    /// Each programme the person is part of, as a link: what they manage,
    /// and every enrolment with where it stands (an application waiting for
    /// review says so; it is not "not in a programme yet").
    pub programmes: Vec<MyProgramme>,
    /// The getting-started checklist; empty once every step is done.
    pub getting_started: Vec<StartStep>,
}

/// One programme on the home page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MyProgramme {
    /// Name.
    pub name: String,
    /// Slug, for the link.
    pub slug: String,
    /// The role in words ("mentee", "manager").
    pub role: String,
    /// Where it stands, in words ("application waiting for review").
    pub standing: String,
}

/// A step of a new member's getting-started checklist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartStepKind {
    /// Fill in the profile a matcher reads.
    Profile,
    /// Enrol in a programme (an application counts).
    Enrol,
    /// Take the needs check (issue 19, H8).
    NeedsCheck,
}

impl StartStepKind {
    /// The checklist, in order. The needs check joins here, one line, once
    /// it exists.
    pub const ALL: [Self; 3] = [Self::Profile, Self::NeedsCheck, Self::Enrol];
}

/// One step, and whether it is done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartStep {
    /// Which.
    pub kind: StartStepKind,
    /// What to do, in words.
    pub label: String,
    /// Where it is done.
    pub link: String,
    /// Done already.
    pub done: bool,
}

/// A profile counts as complete for the checklist from this many percent.
pub const PROFILE_COMPLETE: u8 = 70;

/// Jobs still to run, and jobs that failed for good.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobCounts {
    /// Waiting: neither done nor failed.
    pub pending: i64,
    /// Given up after every attempt.
    pub failed: i64,
}

impl App {
    /// The signed-in start page for `actor`.
    pub async fn home_summary(&self, actor: &Actor) -> AppResult<HomeSummary> {
        let mut tx = self.store.read().await?;
        let took_check = self.took_needs_check_in(&mut tx, actor).await?;
        self.home_summary_in(&mut tx, actor, None, took_check).await
    }

    /// The signed-in home page: [`App::home_summary`] and [`App::inbox`],
    /// with the viewer when `reader` is a session cookie, in one read
    /// transaction (issue 20: the page opened a dozen, and on PostgreSQL
    /// each is a pool checkout and two round trips more).
    #[tracing::instrument(skip_all)]
    pub async fn home_page(&self, reader: PageReader<'_>) -> AppResult<HomePage> {
        let (mut tx, actor, viewer, me) = self.page_read_person(reader).await?;
        // The viewer's counts say whether the needs check was taken and a
        // reflection prompt sent: two statements fewer (issue 20).
        let (took_check, facts) = match &viewer {
            Some(v) => (v.took_needs_check, v.inbox),
            None => {
                let c = tx.viewer_counts(actor.person_id).await?;
                (c.took_needs_check, InboxFacts::from(&c))
            }
        };
        let summary = self
            .home_summary_in(&mut tx, &actor, me, took_check)
            .await?;
        let inbox = self.inbox_in(&mut tx, &actor, facts).await?;
        Ok(HomePage {
            viewer,
            summary,
            inbox,
        })
    }

    /// [`App::home_summary`] in the caller's transaction, the person's own
    /// row included (their own profile is always theirs to see).
    /// `me`: their record, when the caller read it in `tx` already;
    /// `took_check`: whether they took the needs check.
    async fn home_summary_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        me: Option<PersonRecord>,
        took_check: bool,
    ) -> AppResult<HomeSummary> {
        let me = match me {
            Some(me) => me,
            None => tx
                .person(actor.person_id)
                .await?
                .ok_or_else(|| AppError::NotFound("that person was not found".into()))?,
        };
        let p = &me.profile;
        // Ten things a matcher can use; each counts for a tenth.
        let filled = [
            !p.bio.is_empty(),
            !p.skills_offered.is_empty(),
            !p.skills_wanted.is_empty(),
            !p.interests.is_empty(),
            !p.goals.is_empty() || !p.goal_tags.is_empty(),
            !p.languages.is_empty(),
            p.time_zone != "UTC",
            !p.availability.is_empty(),
            !p.department.is_empty(),
            p.years_experience > 0,
        ];
        let completeness = (filled.iter().filter(|f| **f).count() * 10) as u8;
        let ProgrammesOf {
            programmes: progs,
            enrolments,
        } = tx.programmes_of(actor.person_id).await?;
        let roles = actor
            .roles
            .iter()
            .filter_map(|(pid, r)| {
                progs
                    .iter()
                    .find(|p| p.id == *pid)
                    .map(|p| (p.name.clone(), r.code().replace('_', " ")))
            })
            .collect();
        let mut programmes = vec![];
        for pid in actor.managed() {
            if let Some(p) = progs.iter().find(|p| p.id == pid) {
                programmes.push(MyProgramme {
                    name: p.name.clone(),
                    slug: p.slug.to_string(),
                    role: "manager".into(),
                    standing: format!("you manage it; it is {}", p.status.code()),
                });
            }
        }
        for e in &enrolments {
            let Some(p) = progs.iter().find(|p| p.id == e.programme_id) else {
                continue;
            };
            let standing = match e.status {
                EnrolmentStatus::Applied => "application waiting for review",
                EnrolmentStatus::Approved => "approved",
                EnrolmentStatus::Waitlisted => "on the waiting list",
                EnrolmentStatus::Declined => "application declined",
                EnrolmentStatus::Withdrawn => continue,
            };
            programmes.push(MyProgramme {
                name: p.name.clone(),
                slug: p.slug.to_string(),
                role: e.role.code().replace('_', " "),
                standing: standing.into(),
            });
        }
        let enrolled = enrolments.iter().any(|e| {
            matches!(
                e.status,
                EnrolmentStatus::Applied | EnrolmentStatus::Approved | EnrolmentStatus::Waitlisted
            )
        });
        let steps: Vec<StartStep> = StartStepKind::ALL
            .iter()
            .map(|k| match k {
                StartStepKind::Profile => StartStep {
                    kind: *k,
                    label: format!("Complete your profile (now {completeness}%)"),
                    link: format!("/people/{}/edit", actor.person_id),
                    done: completeness >= PROFILE_COMPLETE,
                },
                StartStepKind::Enrol => StartStep {
                    kind: *k,
                    label: "Enrol in a programme".into(),
                    link: "/programmes".into(),
                    done: enrolled || actor.managed().next().is_some(),
                },
                StartStepKind::NeedsCheck => StartStep {
                    kind: *k,
                    label: "Take the needs check: find out what kind of help you need".into(),
                    link: "/needs-check".into(),
                    // Managers run programmes; the check is for the people in them.
                    done: took_check || actor.managed().next().is_some(),
                },
            })
            .collect();
        let getting_started = if steps.iter().all(|s| s.done) {
            vec![]
        } else {
            steps
        };
        Ok(HomeSummary {
            completeness,
            roles,
            programmes,
            getting_started,
        })
    }

    /// Whether the database answers (readiness probe).
    pub async fn ping(&self) -> AppResult<()> {
        Ok(self.store.ping().await?)
    }

    /// Pending and failed jobs, for metrics.
    pub async fn job_counts(&self) -> AppResult<JobCounts> {
        let mut tx = self.store.read().await?;
        let (pending, failed) = tx.job_counts().await?;
        Ok(JobCounts { pending, failed })
    }

    /// Open and idle database connections, for metrics.
    pub fn pool_stats(&self) -> (u32, usize) {
        self.store.pool_stats()
    }

    /// Closes the database connections; for commands that exit afterwards.
    /// Refreshes the planner's statistics first (issue 20: SQLite's advice
    /// is `PRAGMA optimize` before closing a connection).
    pub async fn close(&self) {
        self.refresh_statistics().await;
        self.store.close().await;
    }
}
