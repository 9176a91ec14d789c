//! Calendars: private feed tokens and the record of session reminders
//! (migration 0009).

use crate::{on_conn, Result, Tx};
use rapport_domain::{PersonId, SessionId};
use sqlx::Row;

/// Which reminder: a day or an hour before a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReminderKind {
    /// 24 hours before.
    Day,
    /// 1 hour before.
    Hour,
}

impl ReminderKind {
    /// Both, the earlier first.
    pub const ALL: [ReminderKind; 2] = [ReminderKind::Day, ReminderKind::Hour];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Hour => "hour",
        }
    }
}

/// A member who has not had a reminder of this kind for a session's
/// current start time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReminderDue {
    /// The session.
    pub session_id: SessionId,
    /// The member.
    pub person_id: PersonId,
    /// The start time the reminder is for (UTC ms).
    pub starts_at: i64,
}

impl Tx {
    /// The nonce of a person's feed token, if they have a feed.
    pub async fn calendar_feed_nonce(&mut self, person: PersonId) -> Result<Option<String>> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT nonce FROM calendar_feeds WHERE person_id = $1")
                .bind(person.0).fetch_optional(c).await?;
            row.map(|r| Ok(r.try_get("nonce")?)).transpose()
        })
    }

    /// Creates or replaces a person's feed: the old token's hash is gone, so
    /// its URL no longer finds anyone.
    pub async fn set_calendar_feed(
        &mut self,
        person: PersonId,
        nonce: &str,
        token_hash: &str,
        now: i64,
    ) -> Result<()> {
        on_conn!(self, c => sqlx::query("INSERT INTO calendar_feeds (person_id, nonce, token_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (person_id) DO UPDATE SET nonce = excluded.nonce, token_hash = excluded.token_hash, created_at = excluded.created_at")
            .bind(person.0).bind(nonce).bind(token_hash).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Whose feed a token's hash opens.
    pub async fn calendar_feed_owner(&mut self, token_hash: &str) -> Result<Option<PersonId>> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT person_id FROM calendar_feeds WHERE token_hash = $1")
                .bind(token_hash).fetch_optional(c).await?;
            row.map(|r| Ok(PersonId(r.try_get("person_id")?))).transpose()
        })
    }

    /// The (session, member) pairs owed a reminder of `kind`: scheduled
    /// sessions of active rooms starting in `(after, until]`, each accepted
    /// member who has no reminder of that kind for the session's current
    /// start time. Earliest first.
    pub async fn reminders_due(
        &mut self,
        kind: ReminderKind,
        after: i64,
        until: i64,
    ) -> Result<Vec<ReminderDue>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT s.id AS session_id, m.person_id AS person_id, s.starts_at AS starts_at FROM sessions s JOIN rooms r ON r.id = s.room_id JOIN room_members m ON m.room_id = s.room_id WHERE s.status = 'scheduled' AND r.status = 'active' AND m.state = 'accepted' AND s.starts_at > $1 AND s.starts_at <= $2 AND NOT EXISTS (SELECT 1 FROM session_reminders sr WHERE sr.session_id = s.id AND sr.person_id = m.person_id AND sr.kind = $3 AND sr.starts_at = s.starts_at) ORDER BY s.starts_at, s.id, m.person_id")
                .bind(after).bind(until).bind(kind.code()).fetch_all(c).await?;
            rows.iter().map(|r| Ok(ReminderDue {
                session_id: SessionId(r.try_get("session_id")?),
                person_id: PersonId(r.try_get("person_id")?),
                starts_at: r.try_get("starts_at")?,
            })).collect()
        })
    }

    /// Records that a reminder is queued; false when one already was (by an
    /// earlier pass, or by another worker at the same moment), in which case
    /// the caller queues nothing.
    pub async fn record_reminder(
        &mut self,
        due: &ReminderDue,
        kind: ReminderKind,
        now: i64,
    ) -> Result<bool> {
        let n = on_conn!(self, c => sqlx::query("INSERT INTO session_reminders (session_id, person_id, kind, starts_at, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
            .bind(due.session_id.0).bind(due.person_id.0).bind(kind.code()).bind(due.starts_at).bind(now)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}

#[cfg(feature = "testing")]
impl Tx {
    /// Moves a session to a new start, one SEQUENCE up, as a reschedule
    /// does (the calendar tests' stand-in for the session use cases).
    pub async fn move_session_for_tests(
        &mut self,
        id: SessionId,
        starts_at: i64,
        now: i64,
    ) -> Result<()> {
        on_conn!(self, c => sqlx::query("UPDATE sessions SET starts_at = $2, sequence = sequence + 1, updated_at = $3 WHERE id = $1")
            .bind(id.0).bind(starts_at).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
