//! The job queue and the email outbox.
//!
//! Jobs are rows claimed with a lease: a worker that dies leaves its job to be
//! claimed again when the lease runs out. Claiming is the one place the
//! dialects differ: Postgres uses `FOR UPDATE SKIP LOCKED` so several servers
//! can share the queue; SQLite has one writer at a time, and the claim runs
//! inside `BEGIN IMMEDIATE`.

use crate::{on_conn, Result, Tx, TxInner};
use rapport_domain::PersonId;
use sqlx::Row;
use uuid::Uuid;

/// An email to queue.
#[derive(Clone, Debug)]
pub struct NewEmail {
    /// The recipient's account, if any.
    pub person_id: Option<PersonId>,
    /// Address.
    pub to: String,
    /// Notification kind code.
    pub kind: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// HTML body, the alternative to the text.
    pub html: Option<String>,
    /// The one-click unsubscribe URL for `List-Unsubscribe` (none for
    /// account mail, which cannot be switched off).
    pub unsubscribe_url: Option<String>,
}

/// A stored outbox message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxMessage {
    /// Id.
    pub id: Uuid,
    /// Address.
    pub to: String,
    /// Kind code.
    pub kind: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// HTML body; none for messages queued before emails had one.
    pub html: Option<String>,
    /// The one-click unsubscribe URL, if the message can be unsubscribed from.
    pub unsubscribe_url: Option<String>,
    /// Its one attachment, if any (an invitation's `.ics` file).
    pub attachment: Option<Attachment>,
    /// Queued (ms).
    pub created_at: i64,
    /// Delivered (ms).
    pub sent_at: Option<i64>,
}

/// A text attachment to an email, stored with the message so a retry sends
/// the same bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// File name, like `session-2030-01-15.ics`.
    pub name: String,
    /// Full MIME type with parameters, like `text/calendar; method=REQUEST`
    /// (sent with `charset=utf-8`).
    pub content_type: String,
    /// The file's text.
    pub text: String,
}

/// The outbox columns [`decode_outbox`] reads, in every query that loads messages.
pub(crate) const OUTBOX_COLUMNS: &str = "id, to_addr, kind, subject, body_text, body_html, unsubscribe_url, attachment_name, attachment_type, attachment_text, created_at, sent_at";

/// A job claimed by a worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedJob {
    /// Id.
    pub id: Uuid,
    /// Kind, like `send_email`.
    pub kind: String,
    /// JSON payload.
    pub payload: String,
    /// Attempts so far, this one included.
    pub attempts: i32,
    /// Attempts allowed.
    pub max_attempts: i32,
}

pub(crate) fn decode_outbox<R: Row>(r: &R) -> Result<OutboxMessage>
where
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> Uuid: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(OutboxMessage {
        id: r.try_get("id")?,
        to: r.try_get("to_addr")?,
        kind: r.try_get("kind")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body_text")?,
        html: r.try_get("body_html")?,
        unsubscribe_url: r.try_get("unsubscribe_url")?,
        attachment: match (
            r.try_get::<Option<String>, _>("attachment_name")?,
            r.try_get::<Option<String>, _>("attachment_type")?,
            r.try_get::<Option<String>, _>("attachment_text")?,
        ) {
            (Some(name), Some(content_type), Some(text)) => Some(Attachment {
                name,
                content_type,
                text,
            }),
            (None, None, None) => None,
            _ => {
                let id: Uuid = r.try_get("id")?;
                return Err(crate::StoreError::corrupt(
                    "outbox",
                    Some(id.to_string()),
                    "an attachment needs its name, type and text",
                ));
            }
        },
        created_at: r.try_get("created_at")?,
        sent_at: r.try_get("sent_at")?,
    })
}

impl Tx {
    /// Queues an email and the job that delivers it.
    pub async fn queue_email(&mut self, e: &NewEmail, now: i64) -> Result<Uuid> {
        let id = Uuid::new_v4();
        on_conn!(self, c => sqlx::query("INSERT INTO outbox (id, person_id, to_addr, kind, subject, body_text, body_html, unsubscribe_url, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(id).bind(e.person_id.map(|p| p.0)).bind(&e.to).bind(&e.kind).bind(&e.subject).bind(&e.body).bind(&e.html).bind(&e.unsubscribe_url).bind(now)
            .execute(c).await.map(|r| r.rows_affected()))?;
        self.queue_job("send_email", &id.to_string(), now).await?;
        Ok(id)
    }

    /// Attaches a file to a message queued in this transaction, before its
    /// delivery job can run (the job reads the row after the commit).
    pub async fn attach_to_email(&mut self, id: Uuid, a: &Attachment) -> Result<()> {
        on_conn!(self, c => sqlx::query("UPDATE outbox SET attachment_name = $2, attachment_type = $3, attachment_text = $4 WHERE id = $1")
            .bind(id).bind(&a.name).bind(&a.content_type).bind(&a.text).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Queues a job to run at `run_at`.
    pub async fn queue_job(&mut self, kind: &str, payload: &str, run_at: i64) -> Result<Uuid> {
        let id = Uuid::new_v4();
        on_conn!(self, c => sqlx::query("INSERT INTO jobs (id, kind, payload, run_at, created_at) VALUES ($1, $2, $3, $4, $4)")
            .bind(id).bind(kind).bind(payload).bind(run_at).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(id)
    }

    /// Claims the oldest due job for `lease_ms`, counting the attempt.
    pub async fn claim_job(&mut self, now: i64, lease_ms: i64) -> Result<Option<ClaimedJob>> {
        const DUE: &str = "done_at IS NULL AND failed_at IS NULL AND run_at <= $1 AND (locked_until IS NULL OR locked_until < $1)";
        let sql = match self.inner {
            TxInner::Sqlite(_) => format!("UPDATE jobs SET locked_until = $2, attempts = attempts + 1 WHERE id = (SELECT id FROM jobs WHERE {DUE} ORDER BY run_at, id LIMIT 1) RETURNING id, kind, payload, attempts, max_attempts"),
            TxInner::Postgres(_) => format!("UPDATE jobs SET locked_until = $2, attempts = attempts + 1 WHERE id = (SELECT id FROM jobs WHERE {DUE} ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, kind, payload, attempts, max_attempts"),
        };
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now).bind(now + lease_ms).fetch_optional(c).await?;
            row.map(|r| Ok(ClaimedJob {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                payload: r.try_get("payload")?,
                attempts: r.try_get("attempts")?,
                max_attempts: r.try_get("max_attempts")?,
            })).transpose()
        })
    }

    /// Marks a job done.
    pub async fn finish_job(&mut self, id: Uuid, now: i64) -> Result<()> {
        on_conn!(self, c => sqlx::query("UPDATE jobs SET done_at = $2, locked_until = NULL, last_error = NULL WHERE id = $1").bind(id).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Records a failure: retried at `retry_at`, or given up if `give_up`.
    pub async fn fail_job(
        &mut self,
        id: Uuid,
        error: &str,
        retry_at: i64,
        give_up: bool,
        now: i64,
    ) -> Result<()> {
        on_conn!(self, c => sqlx::query("UPDATE jobs SET last_error = $2, run_at = $3, locked_until = NULL, failed_at = CASE WHEN $4 THEN $5 ELSE NULL END WHERE id = $1")
            .bind(id).bind(error).bind(retry_at).bind(give_up).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Jobs waiting (not done, not failed), and jobs that failed for good.
    pub async fn job_counts(&mut self) -> Result<(i64, i64)> {
        on_conn!(self, c => {
            let r = sqlx::query("SELECT COALESCE(SUM(CASE WHEN done_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0) AS pending, COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS failed FROM jobs")
                .fetch_one(c).await?;
            Ok((r.try_get("pending")?, r.try_get("failed")?))
        })
    }

    /// An outbox message.
    pub async fn outbox_message(&mut self, id: Uuid) -> Result<Option<OutboxMessage>> {
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE id = $1"))).bind(id).fetch_optional(c).await?;
            row.as_ref().map(decode_outbox).transpose()
        })
    }

    /// Marks an outbox message delivered.
    pub async fn mark_sent(&mut self, id: Uuid, now: i64) -> Result<()> {
        on_conn!(self, c => sqlx::query("UPDATE outbox SET sent_at = $2 WHERE id = $1").bind(id).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Messages to a person, newest first (for their data export).
    pub async fn outbox_of(&mut self, person: PersonId) -> Result<Vec<OutboxMessage>> {
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE person_id = $1 ORDER BY created_at DESC"))).bind(person.0).fetch_all(c).await?;
            rows.iter().map(decode_outbox).collect()
        })
    }

    /// Deletes the messages sent to a person (account deletion).
    pub async fn delete_outbox_of(&mut self, person: PersonId) -> Result<()> {
        on_conn!(self, c => sqlx::query("DELETE FROM outbox WHERE person_id = $1").bind(person.0).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
