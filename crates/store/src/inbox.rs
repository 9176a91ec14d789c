//! What waits on a person (the action inbox) and their in-app notifications
//! (migration 0015).
//!
//! A manager's entries are counts per programme, one `GROUP BY` each over
//! indexed columns, so the home page costs the same at 100 or 100,000
//! people. A member's entries read only their own rows.

use crate::page::{bind_keyset, keyset_sql, Page, Start};
use crate::{on_conn, Result, Tx};
use rapport_domain::{NotificationId, PersonId, ProgrammeId, RoomId, RoundId, SessionId};
use sqlx::Row;

/// A count of things waiting in one programme the person manages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgrammeCount {
    /// The programme.
    pub programme_id: ProgrammeId,
    /// Its name.
    pub name: String,
    /// Its slug, for links.
    pub slug: String,
    /// How many.
    pub count: i64,
    /// The oldest of them (ms): how long the longest has waited.
    pub oldest_at: i64,
}

/// A draft round waiting to be published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftRound {
    /// The round.
    pub id: RoundId,
    /// Its programme.
    pub programme_id: ProgrammeId,
    /// Programme name.
    pub name: String,
    /// Programme slug.
    pub slug: String,
    /// When it was run (ms).
    pub created_at: i64,
}

/// A session of the person's, in an open room, that asks something of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionWaiting {
    /// The session.
    pub session_id: SessionId,
    /// Its room.
    pub room_id: RoomId,
    /// When the session starts (ms; for a reschedule, its current time).
    pub starts_at: i64,
    /// For a reschedule, the proposed new start (ms).
    pub proposed_at: Option<i64>,
    /// When the thing waiting arrived (ms).
    pub at: i64,
}

/// A stored in-app notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationRecord {
    /// Id.
    pub id: NotificationId,
    /// Whose.
    pub person_id: PersonId,
    /// The notification kind's code (`matching`, `sessions`, …).
    pub kind: String,
    /// One line: the email's subject.
    pub subject: String,
    /// Where it is dealt with: a site path.
    pub link: String,
    /// When (ms).
    pub created_at: i64,
    /// When they read it, if they did.
    pub read_at: Option<i64>,
}

const MANAGES: &str = "JOIN programme_roles pr ON pr.programme_id = p.id AND pr.person_id = $1 AND pr.role = 'manager'";

fn counts<R: Row>(rows: &[R]) -> Result<Vec<ProgrammeCount>>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    rows.iter()
        .map(|r| {
            Ok(ProgrammeCount {
                programme_id: ProgrammeId(r.try_get("id")?),
                name: r.try_get("name")?,
                slug: r.try_get("slug")?,
                count: r.try_get("n")?,
                oldest_at: r.try_get("oldest_at")?,
            })
        })
        .collect()
}

fn session_waiting<R: Row>(r: &R) -> Result<SessionWaiting>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(SessionWaiting {
        session_id: SessionId(r.try_get("session_id")?),
        room_id: RoomId(r.try_get("room_id")?),
        starts_at: r.try_get("starts_at")?,
        proposed_at: r.try_get("proposed_at")?,
        at: r.try_get("at")?,
    })
}

fn notification<R: Row>(r: &R) -> Result<NotificationRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(NotificationRecord {
        id: NotificationId(r.try_get("id")?),
        person_id: PersonId(r.try_get("person_id")?),
        kind: r.try_get("kind")?,
        subject: r.try_get("subject")?,
        link: r.try_get("link")?,
        created_at: r.try_get("created_at")?,
        read_at: r.try_get("read_at")?,
    })
}

impl Tx {
    /// Applications waiting for review, per programme `manager` manages.
    pub async fn applications_waiting(&mut self, manager: PersonId) -> Result<Vec<ProgrammeCount>> {
        let sql = format!("SELECT p.id, p.name, p.slug, COUNT(*) AS n, MIN(e.created_at) AS oldest_at FROM programmes p {MANAGES} JOIN enrolments e ON e.programme_id = p.id AND e.status = 'applied' GROUP BY p.id, p.name, p.slug ORDER BY p.name, p.id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(manager.0).fetch_all(c).await?;
            counts(&rows)
        })
    }

    /// Open safety reports, per programme `manager` manages (managers are
    /// the ones who resolve them).
    pub async fn reports_waiting(&mut self, manager: PersonId) -> Result<Vec<ProgrammeCount>> {
        let sql = format!("SELECT p.id, p.name, p.slug, COUNT(*) AS n, MIN(x.created_at) AS oldest_at FROM programmes p {MANAGES} JOIN reports x ON x.programme_id = p.id AND x.status = 'open' GROUP BY p.id, p.name, p.slug ORDER BY p.name, p.id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(manager.0).fetch_all(c).await?;
            counts(&rows)
        })
    }

    /// Approved mentees and peers with no seat in an open room, per open or
    /// running programme `manager` manages: the people still to place. The
    /// seated are read once (a materialised set the database indexes), then
    /// each enrolment is one probe into it.
    pub async fn unplaced_counts(&mut self, manager: PersonId) -> Result<Vec<ProgrammeCount>> {
        let sql = format!("WITH seated AS MATERIALIZED (SELECT m.programme_id, m.person_id FROM room_members m JOIN rooms r ON r.id = m.room_id JOIN programme_roles pr ON pr.programme_id = m.programme_id AND pr.person_id = $1 AND pr.role = 'manager' WHERE m.role IN ('mentee', 'peer') AND m.state IN ('invited', 'accepted') AND r.status IN ('proposed', 'active', 'paused')) SELECT p.id, p.name, p.slug, COUNT(*) AS n, MIN(e.updated_at) AS oldest_at FROM programmes p {MANAGES} JOIN enrolments e ON e.programme_id = p.id AND e.status = 'approved' AND e.role IN ('mentee', 'peer') WHERE p.status IN ('open', 'running') AND NOT EXISTS (SELECT 1 FROM seated s WHERE s.programme_id = e.programme_id AND s.person_id = e.person_id) GROUP BY p.id, p.name, p.slug ORDER BY p.name, p.id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(manager.0).fetch_all(c).await?;
            counts(&rows)
        })
    }

    /// Draft rounds in programmes `manager` manages, newest first.
    pub async fn draft_rounds(&mut self, manager: PersonId) -> Result<Vec<DraftRound>> {
        let sql = format!("SELECT x.id AS round_id, p.id, p.name, p.slug, x.created_at FROM programmes p {MANAGES} JOIN match_rounds x ON x.programme_id = p.id AND x.status = 'draft' ORDER BY x.created_at DESC, x.id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(manager.0).fetch_all(c).await?;
            rows.iter().map(|r| Ok(DraftRound {
                id: RoundId(r.try_get("round_id")?),
                programme_id: ProgrammeId(r.try_get("id")?),
                name: r.try_get("name")?,
                slug: r.try_get("slug")?,
                created_at: r.try_get("created_at")?,
            })).collect()
        })
    }

    /// Open proposals to move a session of `person`'s open rooms that
    /// someone else made and they have not answered.
    pub async fn reschedules_to_answer(&mut self, person: PersonId) -> Result<Vec<SessionWaiting>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT s.id AS session_id, s.room_id, s.starts_at, rs.starts_at AS proposed_at, rs.created_at AS at FROM session_reschedules rs JOIN sessions s ON s.id = rs.session_id JOIN room_members m ON m.room_id = s.room_id AND m.person_id = $1 AND m.state = 'accepted' JOIN rooms r ON r.id = s.room_id AND r.status IN ('active', 'paused') WHERE rs.status = 'open' AND s.status = 'scheduled' AND (rs.proposed_by IS NULL OR rs.proposed_by <> $1) AND NOT EXISTS (SELECT 1 FROM reschedule_answers a WHERE a.reschedule_id = rs.id AND a.person_id = $1) ORDER BY s.starts_at, s.id")
                .bind(person.0).fetch_all(c).await?;
            rows.iter().map(session_waiting).collect()
        })
    }

    /// Sessions held since `since` in `person`'s open rooms that they have
    /// not given feedback on, newest first.
    pub async fn feedback_to_give(
        &mut self,
        person: PersonId,
        since: i64,
    ) -> Result<Vec<SessionWaiting>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT s.id AS session_id, s.room_id, s.starts_at, CAST(NULL AS BIGINT) AS proposed_at, s.starts_at AS at FROM sessions s JOIN room_members m ON m.room_id = s.room_id AND m.person_id = $1 AND m.state = 'accepted' JOIN rooms r ON r.id = s.room_id AND r.status IN ('active', 'paused') WHERE s.status = 'held' AND s.starts_at >= $2 AND NOT EXISTS (SELECT 1 FROM session_feedback f WHERE f.session_id = s.id AND f.person_id = $1) ORDER BY s.starts_at DESC, s.id")
                .bind(person.0).bind(since).fetch_all(c).await?;
            rows.iter().map(session_waiting).collect()
        })
    }

    /// Stores an in-app notification.
    pub async fn insert_notification(&mut self, n: &NotificationRecord) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO notifications (id, person_id, kind, subject, link, created_at, read_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(n.id.0).bind(n.person_id.0).bind(&n.kind).bind(&n.subject).bind(&n.link)
                .bind(n.created_at).bind(n.read_at)
                .execute(c).await?;
            Ok(())
        })
    }

    /// One page of `person`'s notifications, newest first.
    pub async fn notifications_page(
        &mut self,
        person: PersonId,
        start: Start,
        limit: i64,
    ) -> Result<Page<NotificationRecord>> {
        let sql = format!(
            "SELECT * FROM (SELECT id, person_id, kind, subject, link, created_at, read_at FROM notifications WHERE person_id = $1) AS t {}",
            keyset_sql(start, 2, limit)
        );
        on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person.0);
            let q = bind_keyset!(q, start);
            let rows = q.fetch_all(&mut *c).await?;
            let items = rows.iter().map(notification).collect::<Result<Vec<_>>>()?;
            Ok(Page::from_rows(start, items, limit, |n| (n.created_at, n.id.0)))
        })
    }

    /// How many of `person`'s notifications are unread.
    pub async fn unread_notifications(&mut self, person: PersonId) -> Result<i64> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM notifications WHERE person_id = $1 AND read_at IS NULL")
                .bind(person.0).fetch_one(c).await?;
            Ok(row.try_get("n")?)
        })
    }

    /// Marks `person`'s notifications read: the ones named, or all of them
    /// when `ids` is `None`. Returns how many changed; another person's ids
    /// change nothing.
    pub async fn mark_notifications_read(
        &mut self,
        person: PersonId,
        ids: Option<&[NotificationId]>,
        now: i64,
    ) -> Result<u64> {
        let mut changed = 0;
        match ids {
            None => on_conn!(self, c => {
                changed += sqlx::query("UPDATE notifications SET read_at = $2 WHERE person_id = $1 AND read_at IS NULL")
                    .bind(person.0).bind(now).execute(c).await?.rows_affected();
            }),
            Some(ids) => {
                for id in ids {
                    on_conn!(self, c => {
                        changed += sqlx::query("UPDATE notifications SET read_at = $3 WHERE person_id = $1 AND id = $2 AND read_at IS NULL")
                            .bind(person.0).bind(id.0).bind(now).execute(c).await?.rows_affected();
                    });
                }
            }
        }
        Ok(changed)
    }

    /// Every notification of `person`, oldest first (their data export).
    pub async fn notifications_of(&mut self, person: PersonId) -> Result<Vec<NotificationRecord>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT id, person_id, kind, subject, link, created_at, read_at FROM notifications WHERE person_id = $1 ORDER BY created_at, id")
                .bind(person.0).fetch_all(c).await?;
            rows.iter().map(notification).collect()
        })
    }
}
