//! The coverage dashboard's figures, counted by the database (issue 20).
//!
//! Every figure here is an aggregate (`COUNT(*) FILTER`, `GROUP BY`) or one
//! keyset page, so what leaves the database is bounded by the number of
//! buckets and the page size, never by the number of people. The dashboard
//! used to read every enrolment, seat and request of a programme and count
//! in Rust: 10 MB of JSON at 100,000 people.
//!
//! A seeker (a mentee, or a peer in peer programmes) is in exactly one state:
//! *matched* (a seat in an active or paused room), else *pending* (a seat in
//! a proposed room, or a request waiting for an answer), else *waiting*.

use crate::mentoring::codes_in;
use crate::page::{keyset_k as keyset, Page, Start};
use crate::{on_conn, Dialect, Result, Tx};
use rapport_domain::mentoring::{MemberState, RoomStatus};
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::{PersonId, ProgrammeId};
use sqlx::Row;

/// One day in ms.
pub const DAY: i64 = 86_400_000;

/// The upper bounds (exclusive, in days) of the time-waiting buckets; the
/// last bucket is open.
pub const WAIT_BUCKETS: [i64; 4] = [7, 14, 30, 90];

/// The upper bounds (inclusive, in thousandths of capacity) of the load
/// buckets after "empty": 1–25%, 26–50%, 51–75%, 76–99%; then full (100% or
/// more).
pub const LOAD_BUCKETS: [i64; 4] = [250, 500, 750, 999];

/// The dashboard's counts, one aggregate query.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CoverageCounts {
    /// Approved seekers.
    pub participants: i64,
    /// In an active or paused room.
    pub matched: i64,
    /// In a proposed room, or with a request waiting for an answer.
    pub pending: i64,
    /// Neither.
    pub waiting: i64,
    /// Enrolments (any role) waiting for a manager's decision.
    pub applications: i64,
    /// Approved mentors and facilitators.
    pub mentors: i64,
    /// Waiting people by days waited: `WAIT_BUCKETS.len() + 1` counts.
    pub waited: Vec<i64>,
    /// Mentors by load ÷ capacity: empty, the `LOAD_BUCKETS`, full.
    pub loads: Vec<i64>,
    /// Median days from enrolment to a matched room (None: nobody matched).
    pub median_days_to_match: Option<f64>,
}

/// A seeker still waiting for a match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitingRow {
    /// Who.
    pub person_id: PersonId,
    /// Their name.
    pub name: String,
    /// Approved (or enrolled) since (ms).
    pub since: i64,
}

/// A mentor's load in one programme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadRow {
    /// Who.
    pub person_id: PersonId,
    /// Their name.
    pub name: String,
    /// Mentor or facilitator.
    pub role: ProgrammeRole,
    /// Seats in proposed, active or paused rooms.
    pub seats: i64,
    /// Capacity in this programme.
    pub capacity: i32,
    /// Seats per thousand of capacity (the sort key).
    pub permille: i64,
}

/// How a list is sorted; each keeps its own keyset order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Sort {
    /// Waiting: longest first. Loads: fullest first.
    #[default]
    First,
    /// Waiting: newest first. Loads: emptiest first.
    Last,
}

/// A programme's kept dashboard (migration 0027) and the programme's
/// current version: the kept one may be read while the two versions agree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverageKept {
    /// The programme's version now: the database moves it whenever a row the
    /// dashboard counts changes.
    pub version: i64,
    /// The kept dashboard, if any: the version it was read at, when it was
    /// computed (ms), and its body (the app's JSON).
    pub snapshot: Option<(i64, i64, String)>,
}

/// `1` when the seeker `e.person_id` sits in a room of `statuses`.
fn seated_in(statuses: &[RoomStatus]) -> String {
    format!(
        "EXISTS (SELECT 1 FROM room_members m JOIN rooms r ON r.id = m.room_id WHERE m.programme_id = e.programme_id AND m.person_id = e.person_id AND m.role = e.role AND m.state IN ({}) AND r.status IN ({}))",
        codes_in(&MemberState::seated(), MemberState::code),
        codes_in(statuses, RoomStatus::code)
    )
}

/// The approved seekers of programme `$1` in role `$2`, each with `since`
/// and `placed` (2 matched, 1 pending, 0 waiting).
fn seekers_sql() -> String {
    format!(
        "SELECT e.person_id, e.created_at, COALESCE(e.decided_at, e.created_at) AS since, \
         CASE WHEN {matched} THEN 2 WHEN {proposed} OR EXISTS (SELECT 1 FROM requests q WHERE q.mentee_id = e.person_id AND q.programme_id = e.programme_id AND q.status IN ('pending', 'needs_info')) THEN 1 ELSE 0 END AS placed \
         FROM enrolments e WHERE e.programme_id = $1 AND e.role = $2 AND e.status = 'approved'",
        matched = seated_in(&[RoomStatus::Active, RoomStatus::Paused]),
        proposed = seated_in(&[RoomStatus::Proposed]),
    )
}

/// [`seekers_sql`] for reading every seeker at once, as the counts do: each
/// seeker's seat and open request are read once for the whole programme and
/// joined, instead of three lookups per seeker (17 ms against 4 ms for 9,000
/// seekers on SQLite). Same columns, same `placed`.
fn all_seekers_sql() -> String {
    format!(
        "SELECT e.person_id, e.created_at, COALESCE(e.decided_at, e.created_at) AS since, \
         CASE WHEN s.best = 2 THEN 2 WHEN s.best = 1 OR q.mentee_id IS NOT NULL THEN 1 ELSE 0 END AS placed \
         FROM enrolments e \
         LEFT JOIN (SELECT m.person_id, MAX(CASE WHEN r.status IN ({matched}) THEN 2 ELSE 1 END) AS best FROM room_members m JOIN rooms r ON r.id = m.room_id \
          WHERE m.programme_id = $1 AND m.role = $2 AND m.state IN ({seated}) AND r.status IN ({open}) GROUP BY m.person_id) s ON s.person_id = e.person_id \
         LEFT JOIN (SELECT DISTINCT mentee_id FROM requests WHERE programme_id = $1 AND status IN ('pending', 'needs_info')) q ON q.mentee_id = e.person_id \
         WHERE e.programme_id = $1 AND e.role = $2 AND e.status = 'approved'",
        matched = codes_in(&[RoomStatus::Active, RoomStatus::Paused], RoomStatus::code),
        seated = codes_in(&MemberState::seated(), MemberState::code),
        open = codes_in(&[RoomStatus::Proposed, RoomStatus::Active, RoomStatus::Paused], RoomStatus::code),
    )
}

/// Seats of mentors and facilitators in open rooms, per person (`e` in scope).
fn mentor_seats() -> String {
    format!(
        "(SELECT COUNT(*) FROM room_members m JOIN rooms r ON r.id = m.room_id WHERE m.programme_id = e.programme_id AND m.person_id = e.person_id AND m.role IN ('mentor', 'facilitator') AND m.state IN ({}) AND r.status IN ({}))",
        codes_in(&MemberState::seated(), MemberState::code),
        codes_in(&RoomStatus::open(), RoomStatus::code)
    )
}

/// The loads of approved mentors and facilitators of programme `$1`, with
/// the sort key `k` (permille of capacity) and `id`.
fn loads_sql(role_filter: &str) -> String {
    format!(
        "SELECT id, name, role, seats, capacity, seats * 1000 / (CASE WHEN capacity < 1 THEN 1 ELSE capacity END) AS k FROM \
         (SELECT e.person_id AS id, p.name, e.role, e.capacity, {seats} AS seats FROM enrolments e JOIN people p ON p.id = e.person_id \
          WHERE e.programme_id = $1 AND e.status = 'approved' AND {role_filter}) AS l",
        seats = mentor_seats()
    )
}

impl Tx {
    /// The programme's coverage version and its kept dashboard, in one
    /// statement. A programme with no version row (none is possible after
    /// migration 0027) reads as version 0 with nothing kept.
    pub async fn coverage_kept(&mut self, programme: ProgrammeId) -> Result<CoverageKept> {
        on_conn!(self, c => {
            let row = sqlx::query(
                "SELECT v.version, s.version AS kept, s.computed_at, s.body FROM coverage_versions v \
                 LEFT JOIN coverage_snapshots s ON s.programme_id = v.programme_id WHERE v.programme_id = $1")
                .bind(programme.0).fetch_optional(c).await?;
            let Some(r) = row else {
                return Ok(CoverageKept { version: 0, snapshot: None });
            };
            let kept: Option<i64> = r.try_get("kept")?;
            let snapshot = match kept {
                Some(v) => Some((v, r.try_get("computed_at")?, r.try_get("body")?)),
                None => None,
            };
            Ok(CoverageKept { version: r.try_get("version")?, snapshot })
        })
    }

    /// Keeps a dashboard computed at `version`, unless one of a later
    /// version is kept already (a slower computation finishing last).
    pub async fn keep_coverage(
        &mut self,
        programme: ProgrammeId,
        version: i64,
        computed_at: i64,
        body: &str,
    ) -> Result<()> {
        on_conn!(self, c => sqlx::query(
            "INSERT INTO coverage_snapshots (programme_id, version, computed_at, body) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (programme_id) DO UPDATE SET version = excluded.version, computed_at = excluded.computed_at, body = excluded.body \
             WHERE coverage_snapshots.version <= excluded.version")
            .bind(programme.0).bind(version).bind(computed_at).bind(body).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// The dashboard's counts and histograms for seekers in `seeker` role.
    pub async fn coverage_counts(
        &mut self,
        programme: ProgrammeId,
        seeker: ProgrammeRole,
        now: i64,
    ) -> Result<CoverageCounts> {
        // Waited days per person, bucketed with FILTER clauses (both
        // dialects); a negative wait (a clock moved back) counts as the first.
        let mut waited = vec![];
        let mut lo: Option<i64> = None;
        for hi in WAIT_BUCKETS.iter().map(Some).chain([None]) {
            let from = lo.map_or(String::new(), |lo| {
                format!(" AND ($3 - since) >= {}", lo * DAY)
            });
            let to = hi.map_or(String::new(), |hi| {
                format!(" AND ($3 - since) < {}", hi * DAY)
            });
            waited.push(format!("COUNT(*) FILTER (WHERE placed = 0{from}{to})"));
            lo = hi.copied();
        }
        let sql = format!(
            "SELECT COUNT(*) AS participants, COUNT(*) FILTER (WHERE placed = 2) AS matched, COUNT(*) FILTER (WHERE placed = 1) AS pending, COUNT(*) FILTER (WHERE placed = 0) AS waiting, {} FROM ({}) AS s",
            waited
                .iter()
                .enumerate()
                .map(|(i, w)| format!("{w} AS w{i}"))
                .collect::<Vec<_>>()
                .join(", "),
            all_seekers_sql()
        );
        let mut load = vec!["COUNT(*) FILTER (WHERE k = 0) AS l0".to_string()];
        let mut lo = 0;
        for (i, hi) in LOAD_BUCKETS.iter().enumerate() {
            load.push(format!(
                "COUNT(*) FILTER (WHERE k > {lo} AND k <= {hi}) AS l{}",
                i + 1
            ));
            lo = *hi;
        }
        load.push(format!(
            "COUNT(*) FILTER (WHERE k > {lo}) AS l{}",
            LOAD_BUCKETS.len() + 1
        ));
        let load_sql = format!(
            "SELECT COUNT(*) AS mentors, {} FROM ({}) AS x",
            load.join(", "),
            loads_sql("e.role IN ('mentor', 'facilitator')")
        );
        // The median of days to match: the middle one or two of the matched,
        // read by offset from an ordered list (no list leaves the database).
        let to_match = format!(
            "SELECT (MIN(r.created_at) - e.created_at) AS d FROM enrolments e JOIN room_members m ON m.programme_id = e.programme_id AND m.person_id = e.person_id AND m.role = e.role JOIN rooms r ON r.id = m.room_id \
             WHERE e.programme_id = $1 AND e.role = $2 AND e.status = 'approved' AND m.state IN ({}) AND r.status IN ('active', 'paused') GROUP BY e.person_id, e.created_at",
            codes_in(&MemberState::seated(), MemberState::code)
        );
        let median_sql = format!("SELECT d FROM ({to_match}) AS t ORDER BY d LIMIT $3 OFFSET $4");
        let role = seeker.code();
        let mut c = on_conn!(self, c => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(programme.0).bind(role).bind(now).fetch_one(&mut *c).await?;
            let mut out = CoverageCounts {
                participants: r.try_get("participants")?,
                matched: r.try_get("matched")?,
                pending: r.try_get("pending")?,
                waiting: r.try_get("waiting")?,
                ..CoverageCounts::default()
            };
            for i in 0..=WAIT_BUCKETS.len() {
                out.waited.push(r.try_get(format!("w{i}").as_str())?);
            }
            let r = sqlx::query(sqlx::AssertSqlSafe(load_sql.as_str()))
                .bind(programme.0).fetch_one(&mut *c).await?;
            out.mentors = r.try_get("mentors")?;
            for i in 0..=LOAD_BUCKETS.len() + 1 {
                out.loads.push(r.try_get(format!("l{i}").as_str())?);
            }
            out.applications = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM enrolments WHERE programme_id = $1 AND status = 'applied'")
                .bind(programme.0).fetch_one(&mut *c).await?;
            Result::<CoverageCounts>::Ok(out)
        })?;
        if c.matched > 0 {
            let (offset, take) = if c.matched % 2 == 1 {
                (c.matched / 2, 1i64)
            } else {
                (c.matched / 2 - 1, 2)
            };
            let ds: Vec<i64> = on_conn!(self, c => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(median_sql.as_str()))
                .bind(programme.0).bind(role).bind(take).bind(offset).fetch_all(&mut *c).await?);
            if !ds.is_empty() {
                let mean = ds.iter().map(|d| (*d).max(0) as f64).sum::<f64>() / ds.len() as f64;
                c.median_days_to_match = Some(mean / DAY as f64);
            }
        }
        Ok(c)
    }

    /// One page of the seekers still waiting for a match: longest waiting
    /// first ([`Sort::First`]) or newest first.
    pub async fn coverage_waiting(
        &mut self,
        programme: ProgrammeId,
        seeker: ProgrammeRole,
        sort: Sort,
        start: Start,
        limit: i64,
    ) -> Result<Page<WaitingRow>> {
        let desc = sort == Sort::Last;
        let sql = format!(
            "SELECT * FROM (SELECT s.person_id AS id, s.since AS k, p.name FROM ({}) AS s JOIN people p ON p.id = s.person_id WHERE s.placed = 0) AS w {}",
            seekers_sql(),
            keyset(start, 3, desc, limit)
        );
        let role = seeker.code();
        let rows = on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(programme.0).bind(role);
            let rows = crate::page::bind_keyset!(q, start).fetch_all(c).await?;
            rows.iter().map(|r| Ok(WaitingRow {
                person_id: PersonId(r.try_get("id")?),
                name: r.try_get("name")?,
                since: r.try_get("k")?,
            })).collect::<Result<Vec<_>>>()?
        });
        Ok(Page::from_rows(start, rows, limit, |w| {
            (w.since, w.person_id.0)
        }))
    }

    /// One page of mentor loads: fullest first ([`Sort::First`]) or
    /// emptiest first; `role` keeps only mentors or only facilitators.
    pub async fn coverage_loads(
        &mut self,
        programme: ProgrammeId,
        role: Option<ProgrammeRole>,
        sort: Sort,
        start: Start,
        limit: i64,
    ) -> Result<Page<LoadRow>> {
        let filter = match role {
            Some(r) => format!("e.role = '{}'", r.code()),
            None => "e.role IN ('mentor', 'facilitator')".into(),
        };
        let sql = format!(
            "SELECT * FROM ({}) AS x {}",
            loads_sql(&filter),
            keyset(start, 2, sort == Sort::First, limit)
        );
        let rows = on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(programme.0);
            let rows = crate::page::bind_keyset!(q, start).fetch_all(c).await?;
            rows.iter().map(|r| {
                let id = PersonId(r.try_get("id")?);
                let role: String = r.try_get("role")?;
                Ok(LoadRow {
                    person_id: id,
                    name: r.try_get("name")?,
                    role: ProgrammeRole::parse("role", &role).map_err(|e| crate::decode::corrupt_row("enrolments", id, e))?,
                    seats: r.try_get("seats")?,
                    capacity: r.try_get("capacity")?,
                    permille: r.try_get("k")?,
                })
            }).collect::<Result<Vec<_>>>()?
        });
        Ok(Page::from_rows(start, rows, limit, |l| {
            (l.permille, l.person_id.0)
        }))
    }

    /// Approved seekers by the day (UTC, as the ms of its midnight) they
    /// were approved, and seekers by the day their first room became active
    /// (from the room events): the points of "coverage over time".
    pub async fn coverage_days(
        &mut self,
        programme: ProgrammeId,
        seeker: ProgrammeRole,
    ) -> Result<(Vec<(i64, i64)>, Vec<(i64, i64)>)> {
        let enrolled = format!(
            "SELECT (COALESCE(e.decided_at, e.created_at) / {DAY}) * {DAY} AS day, COUNT(*) AS n FROM enrolments e WHERE e.programme_id = $1 AND e.role = $2 AND e.status = 'approved' GROUP BY 1 ORDER BY 1"
        );
        let matched = format!(
            "SELECT (t / {DAY}) * {DAY} AS day, COUNT(*) AS n FROM (SELECT m.person_id, MIN(v.created_at) AS t FROM room_members m JOIN room_events v ON v.room_id = m.room_id AND v.to_status = 'active' \
             WHERE m.programme_id = $1 AND m.role = $2 GROUP BY m.person_id) AS f GROUP BY 1 ORDER BY 1"
        );
        let role = seeker.code();
        on_conn!(self, c => {
            let mut out = vec![];
            for sql in [&enrolled, &matched] {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(programme.0).bind(role).fetch_all(&mut *c).await?;
                out.push(rows.iter().map(|r| Ok((r.try_get::<i64, _>("day")?, r.try_get::<i64, _>("n")?))).collect::<Result<Vec<_>>>()?);
            }
            let matched = out.pop().unwrap_or_default();
            let enrolled = out.pop().unwrap_or_default();
            Ok((enrolled, matched))
        })
    }

    /// The unplaced people of the programme's latest round that was not
    /// discarded, counted by reason (most common first, at most `limit`
    /// reasons), and how many it left unplaced in all. Counted inside the
    /// database from the stored result, so the round's JSON stays there.
    pub async fn unplaced_by_reason(
        &mut self,
        programme: ProgrammeId,
        limit: i64,
    ) -> Result<(Vec<(String, i64)>, i64)> {
        const LATEST: &str = "SELECT result FROM match_rounds WHERE programme_id = $1 AND status <> 'discarded' ORDER BY created_at DESC LIMIT 1";
        let (groups, total) = match self.dialect() {
            Dialect::Sqlite => (
                format!("SELECT CAST(json_extract(j.value, '$.reason') AS TEXT) AS reason, COUNT(*) AS n FROM ({LATEST}) AS r, json_each(r.result, '$.unmatched') AS j GROUP BY 1 ORDER BY n DESC, reason LIMIT $2"),
                format!("SELECT COALESCE(SUM(json_array_length(r.result, '$.unmatched')), 0) FROM ({LATEST}) AS r"),
            ),
            Dialect::Postgres => (
                format!("SELECT j ->> 'reason' AS reason, COUNT(*) AS n FROM ({LATEST}) AS r, jsonb_array_elements(r.result::jsonb -> 'unmatched') AS j GROUP BY 1 ORDER BY n DESC, reason LIMIT $2"),
                format!("SELECT COALESCE(SUM(jsonb_array_length(r.result::jsonb -> 'unmatched')), 0)::BIGINT FROM ({LATEST}) AS r"),
            ),
        };
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(groups.as_str())).bind(programme.0).bind(limit).fetch_all(&mut *c).await?;
            let groups = rows.iter().map(|r| Ok((r.try_get::<Option<String>, _>("reason")?.unwrap_or_default(), r.try_get::<i64, _>("n")?))).collect::<Result<Vec<_>>>()?;
            let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(total.as_str())).bind(programme.0).fetch_one(&mut *c).await?;
            Ok((groups, total))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::{Cursor, Direction};
    use uuid::Uuid;

    #[test]
    fn keyset_tails_follow_the_list_order() {
        assert_eq!(
            keyset(Start::Offset(0), 2, true, 20),
            "ORDER BY k DESC, id LIMIT 21"
        );
        let c = |direction| {
            Start::Cursor(Cursor {
                created_at: 1,
                id: Uuid::nil(),
                direction,
            })
        };
        assert_eq!(
            keyset(c(Direction::Older), 3, false, 20),
            "WHERE k > $3 OR (k = $3 AND id > $4) ORDER BY k, id LIMIT 21"
        );
        assert_eq!(
            keyset(c(Direction::Newer), 3, false, 20),
            "WHERE k < $3 OR (k = $3 AND id < $4) ORDER BY k DESC, id DESC LIMIT 21"
        );
    }
}
