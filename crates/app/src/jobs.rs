//! The job worker: claims due jobs, runs them, retries failures with
//! exponential backoff, and gives up after `max_attempts`.

use crate::{error_chain, mail, App, AppError, AppResult};
use std::time::Duration;

/// Backoff before attempt `attempts + 1`: 30 s, 1 min, 2 min … capped at 1 h.
pub fn backoff_ms(attempts: i32) -> i64 {
    let exp = attempts.clamp(1, 20) - 1;
    (30_000i64 << exp).min(3_600_000)
}

impl App {
    /// Runs every job that is due now; returns how many ran (success or not).
    pub async fn run_due_jobs(&self) -> AppResult<usize> {
        self.run_jobs_until(|| false).await
    }

    /// Runs due jobs until none is left or `stop` says so (checked before
    /// each job, so a server asked to stop finishes the job in hand and
    /// leaves the rest of a backlog to the other servers, or to its next
    /// start, rather than draining it first).
    #[tracing::instrument(skip_all)]
    async fn run_jobs_until(&self, stop: impl Fn() -> bool) -> AppResult<usize> {
        let mut ran = 0;
        let lease_ms = self.config.job_lease_seconds.max(1) * 1000;
        loop {
            if stop() {
                break;
            }
            let now = self.now();
            let mut tx = self.store.write().await?;
            let Some(job) = tx.claim_job(now, lease_ms).await? else {
                break;
            };
            tx.commit().await?;
            ran += 1;
            let outcome = self.run_job(&job.kind, &job.payload).await;
            let now = self.now();
            let mut tx = self.store.write().await?;
            match outcome {
                Ok(()) => tx.finish_job(job.id, now).await?,
                Err(e) => {
                    let give_up = job.attempts >= job.max_attempts;
                    // The whole chain, so the log and the job's row both say
                    // why (e.g. which SMTP reply), not just what we were doing.
                    let chain = error_chain(&e);
                    tracing::warn!(job = %job.id, kind = %job.kind, attempts = job.attempts, give_up, error = %chain, "job failed");
                    tx.fail_job(job.id, &chain, now + backoff_ms(job.attempts), give_up, now)
                        .await?;
                }
            }
            tx.commit().await?;
        }
        Ok(ran)
    }

    async fn run_job(&self, kind: &str, payload: &str) -> AppResult<()> {
        match kind {
            "send_email" => {
                let id = payload.parse().map_err(|e| {
                    AppError::internal(format!("bad send_email payload {payload:?}"), e)
                })?;
                let mut tx = self.store.read().await?;
                let Some(message) = tx.outbox_message(id).await? else {
                    return Ok(()); // deleted with its account: nothing to send
                };
                drop(tx);
                if message.sent_at.is_some() {
                    return Ok(());
                }
                mail::deliver(&self.config, &message).await?;
                let mut tx = self.store.write().await?;
                tx.mark_sent(id, self.now()).await?;
                tx.commit().await?;
                Ok(())
            }
            crate::messages::DIGEST_JOB => self.run_room_digest(payload).await,
            // Growth Threads (H7): an author's batched responses notification.
            crate::threads::DIGEST_JOB => self.run_thread_digest(payload).await,
            other => Err(AppError::internal_msg(format!(
                "unknown job kind {other:?}"
            ))),
        }
    }

    /// One pass of the worker's sweeps, everything it does on a poll but
    /// run the due jobs: request expiry, room health, session reminders,
    /// room activation, reflection prompts and old sign-in attempts. Each
    /// failure is logged and the pass goes on.
    pub async fn run_sweeps(&self) {
        if let Err(e) = self.sweep_requests().await {
            tracing::error!(error = %error_chain(&e), "request expiry sweep failed");
        }
        if let Err(e) = self.sweep_health().await {
            tracing::error!(error = %error_chain(&e), "room health sweep failed");
        }
        if let Err(e) = self.sweep_session_reminders().await {
            tracing::error!(error = %error_chain(&e), "session reminder sweep failed");
        }
        if let Err(e) = self.sweep_room_activation().await {
            tracing::error!(error = %error_chain(&e), "room activation sweep failed");
        }
        if let Err(e) = self.sweep_reflection_prompts().await {
            tracing::error!(error = %error_chain(&e), "reflection prompt sweep failed");
        }
        if let Err(e) = self.forget_old_auth_attempts().await {
            tracing::error!(error = %error_chain(&e), "attempt count sweep failed");
        }
    }

    /// Runs jobs until `shutdown` resolves, polling every `poll`.
    pub async fn run_worker(
        &self,
        poll: Duration,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        // Issue 20: the planner's statistics of the tables that changed
        // enough, every minute (the first check counts from start-up,
        // when migrations may already have refreshed them).
        let mut statistics_at = self.now();
        loop {
            statistics_at = self.refresh_statistics_if_due(statistics_at).await;
            self.run_sweeps().await;
            let stopping = shutdown.clone();
            if let Err(e) = self.run_jobs_until(|| *stopping.borrow()).await {
                tracing::error!(error = %error_chain(&e), "job worker pass failed");
            }
            if *shutdown.borrow() {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = shutdown.changed() => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(super::backoff_ms(1), 30_000);
        assert_eq!(super::backoff_ms(2), 60_000);
        assert_eq!(super::backoff_ms(30), 3_600_000);
    }
}
