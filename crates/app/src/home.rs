//! What the start page and the operator's probes need, so that no caller
//! outside `app` reads the store directly.

use crate::{Actor, App, AppResult};

/// The signed-in start page: how complete the person's profile is, and their
/// role in each programme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HomeSummary {
    /// Profile completeness, 0 to 100 in steps of 10.
    pub completeness: u8,
    /// `(programme name, role in words)`, in the actor's role order.
    pub roles: Vec<(String, String)>,
}

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
        let view = self.profile(actor, actor.person_id).await?;
        let p = &view.profile;
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
        let mut tx = self.store.read().await?;
        let progs = tx.programmes().await?;
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
        Ok(HomeSummary {
            completeness,
            roles,
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
    pub async fn close(&self) {
        self.store.close().await;
    }
}
