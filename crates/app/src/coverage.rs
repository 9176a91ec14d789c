//! The coverage dashboard: the promise that everyone gets mentored, made
//! visible. Who is matched, who waits for an answer, who waits for a match
//! (longest first), how long matching takes, and each mentor's load.
//!
//! # Bounded at any size (issue 20)
//! The database counts ([`rapport_store::coverage`]): the dashboard is a
//! handful of counts, four small histograms and the *first page* of each
//! list, so its size does not grow with the number of people. The lists
//! page on with their own routes ([`App::coverage_waiting`],
//! [`App::coverage_loads`]) by keyset cursor.
//!
//! # Computed once, read many times
//! Even as aggregates, the figures read every seeker and mentor: about
//! 300 ms at 10,000 people, seconds at 100,000. So a computed dashboard is
//! kept in the database with the programme's *coverage version*, a number
//! the database's triggers move whenever a row the dashboard counts changes
//! (migration 0027). A request reads the kept dashboard and the version in
//! one statement, and serves it while the two agree: the figures are then
//! exactly what a computation would give, except the clock's part (days
//! waited, recomputed from `since` on every read; the time-waiting chart,
//! at most [`KEPT_FOR_MS`] old). When they disagree, one request per
//! programme computes again while the others wait for it and read its
//! result; when only the clock has moved on, the others serve the kept one.

use crate::lists::{ListQuery, Page};
use crate::{App, AppError, AppResult};
use rapport_domain::policy::Actor;
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole};
use rapport_domain::{PersonId, ProgrammeId};
use rapport_store::coverage::{CoverageKept, Sort, DAY, LOAD_BUCKETS, WAIT_BUCKETS};
use rapport_store::{ProgrammeRecord, Tx};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Rows of each list on the dashboard itself; the list routes page on.
pub const FIRST_PAGE: i64 = 20;
/// Reasons the unplaced chart names; the rest are "Other reasons".
pub const REASONS_SHOWN: i64 = 7;
/// How long a kept dashboard may be served when nothing it counts changed,
/// only the clock (its time-waiting chart), in ms.
pub const KEPT_FOR_MS: i64 = 60_000;

/// A lock per programme, so that the requests finding its kept dashboard out
/// of date compute it once between them, not once each.
#[derive(Clone, Default)]
pub struct Recompute(Arc<Mutex<HashMap<ProgrammeId, Arc<tokio::sync::Mutex<()>>>>>);

impl Recompute {
    fn lock_of(&self, programme: ProgrammeId) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.0.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry(programme).or_default().clone()
    }
}

/// What a kept dashboard is good for at `now`.
enum Kept {
    /// Nothing it counts changed, and it is recent: serve it.
    Fresh(Box<Coverage>),
    /// Nothing it counts changed, but the clock moved on.
    Aged(Box<Coverage>),
    /// Out of date, unreadable, or none.
    Stale,
}

fn judge(kept: &CoverageKept, now: i64) -> Kept {
    let Some((version, at, body)) = &kept.snapshot else {
        return Kept::Stale;
    };
    if *version != kept.version {
        return Kept::Stale;
    }
    // A body an older build wrote may not read: computed again.
    let Ok(mut c) = serde_json::from_str::<Coverage>(body) else {
        return Kept::Stale;
    };
    for w in &mut c.waiting {
        w.days = (now - w.since).max(0) / DAY;
    }
    if (0..KEPT_FOR_MS).contains(&(now - at)) {
        Kept::Fresh(Box::new(c))
    } else {
        Kept::Aged(Box::new(c))
    }
}

/// Someone still waiting for a match.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Waiting {
    /// Who.
    pub person_id: PersonId,
    /// Name.
    pub name: String,
    /// Enrolled (approved) since (ms).
    pub since: i64,
    /// Days waited, rounded down.
    pub days: i64,
}

/// A mentor's load.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Load {
    /// Who.
    pub person_id: PersonId,
    /// Name.
    pub name: String,
    /// Mentor or facilitator.
    pub role: ProgrammeRole,
    /// Seats in proposed, active or paused rooms.
    pub seats: i64,
    /// Capacity in this programme.
    pub capacity: i32,
    /// Seats as a whole percent of capacity.
    pub percent: i64,
}

/// One bar of a histogram: what it counts, and how many.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    /// The bar's label ("1–2 weeks").
    pub label: String,
    /// How many.
    pub count: i64,
}

/// One day of coverage over time: running totals at the end of the day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageDay {
    /// The day's start (UTC midnight, ms).
    pub day: i64,
    /// Seekers approved by then (of those approved now).
    pub approved: i64,
    /// Seekers whose first room had become active by then.
    pub matched: i64,
}

/// The dashboard's figures.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Coverage {
    /// Approved mentees (or peers).
    pub participants: usize,
    /// In an active or paused room.
    pub matched: usize,
    /// In a proposed room, or with a request waiting for an answer.
    pub pending: usize,
    /// Neither: waiting for a match.
    pub unmatched: usize,
    /// Median days from enrolment to a room, over matched people (none yet: `None`).
    pub median_days_to_match: Option<f64>,
    /// The first page of everyone waiting, longest first.
    pub waiting: Vec<Waiting>,
    /// The cursor of the next page of `waiting` (for `/coverage/waiting`).
    pub waiting_next: Option<String>,
    /// The first page of mentor loads, fullest first.
    pub loads: Vec<Load>,
    /// The cursor of the next page of `loads` (for `/coverage/loads`).
    pub loads_next: Option<String>,
    /// Applications waiting for a manager.
    pub applications: usize,
    /// Approved mentors and facilitators.
    pub mentors: usize,
    /// People waiting for a match, by how long.
    pub time_waiting: Vec<Bucket>,
    /// Mentors by seats ÷ capacity.
    pub mentor_load: Vec<Bucket>,
    /// The latest round's unplaced people by reason (empty: no round yet).
    pub unplaced_by_reason: Vec<Bucket>,
    /// Coverage over time, one point per day something changed.
    pub over_time: Vec<CoverageDay>,
}

/// Which list order a client asked for; a bad value is 422 naming `sort`.
pub fn parse_sort(raw: Option<&str>, first: &str, last: &str) -> AppResult<Sort> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Sort::First),
        Some(s) if s == first => Ok(Sort::First),
        Some(s) if s == last => Ok(Sort::Last),
        Some(_) => Err(AppError::invalid(
            "sort",
            format!("sort must be {first} or {last}"),
        )),
    }
}

/// Which mentors a load list keeps; a bad value is 422 naming `role`.
pub fn parse_load_role(raw: Option<&str>) -> AppResult<Option<ProgrammeRole>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some("mentor") => Ok(Some(ProgrammeRole::Mentor)),
        Some("facilitator") => Ok(Some(ProgrammeRole::Facilitator)),
        Some(_) => Err(AppError::invalid(
            "role",
            "role must be mentor or facilitator, or left out for both",
        )),
    }
}

/// The labels of the time-waiting histogram, one per bucket.
pub fn waiting_labels() -> Vec<String> {
    let words = |d: i64| {
        if d % 7 == 0 && d < 30 {
            let w = d / 7;
            format!("{w} week{}", if w == 1 { "" } else { "s" })
        } else {
            format!("{d} days")
        }
    };
    let mut out = vec![format!("Under {}", words(WAIT_BUCKETS[0]))];
    for pair in WAIT_BUCKETS.windows(2) {
        out.push(format!("{} to under {}", words(pair[0]), words(pair[1])));
    }
    out.push(format!(
        "{} or more",
        words(WAIT_BUCKETS[WAIT_BUCKETS.len() - 1])
    ));
    out
}

/// The labels of the mentor-load histogram, one per bucket.
pub fn load_labels() -> Vec<String> {
    let mut out = vec!["Empty (0%)".to_string()];
    let mut lo = 0;
    for hi in LOAD_BUCKETS {
        out.push(format!("{}–{}%", lo / 10 + 1, hi / 10));
        lo = hi;
    }
    out.push("Full (100% or more)".into());
    out
}

fn buckets(labels: Vec<String>, counts: &[i64]) -> Vec<Bucket> {
    labels
        .into_iter()
        .zip(counts.iter().copied().chain(std::iter::repeat(0)))
        .map(|(label, count)| Bucket { label, count })
        .collect()
}

/// Running totals by day from per-day counts of both series.
fn running(approved: &[(i64, i64)], matched: &[(i64, i64)]) -> Vec<CoverageDay> {
    let mut days: Vec<i64> = approved.iter().chain(matched).map(|d| d.0).collect();
    days.sort_unstable();
    days.dedup();
    let (mut a, mut m) = (0, 0);
    let (mut ai, mut mi) = (approved.iter().peekable(), matched.iter().peekable());
    days.into_iter()
        .map(|day| {
            while let Some((_, n)) = ai.next_if(|d| d.0 <= day) {
                a += n;
            }
            while let Some((_, n)) = mi.next_if(|d| d.0 <= day) {
                m += n;
            }
            CoverageDay {
                day,
                approved: a,
                matched: m,
            }
        })
        .collect()
}

/// The role that waits for a match in a programme of this kind.
fn seeker_of(kind: ProgrammeKind) -> ProgrammeRole {
    match kind {
        ProgrammeKind::Peer | ProgrammeKind::Circle => ProgrammeRole::Peer,
        _ => ProgrammeRole::Mentee,
    }
}

fn to_usize(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

impl App {
    /// The coverage dashboard of a programme; managers only. Served from
    /// the kept dashboard while nothing it counts changed (module docs).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn coverage(&self, actor: &Actor, slug: &str) -> AppResult<Coverage> {
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        self.coverage_in(tx, &p).await
    }

    /// [`App::coverage`] of a programme the caller has checked the actor
    /// manages, read in `tx` when the kept one serves (the caller's other
    /// reads done first: the read may be ended to wait for another request
    /// computing it).
    pub(crate) async fn coverage_in(&self, mut tx: Tx, p: &ProgrammeRecord) -> AppResult<Coverage> {
        let now = self.now();
        let lock = self.coverage_locks.lock_of(p.id);
        let _turn = match judge(&tx.coverage_kept(p.id).await?, now) {
            Kept::Fresh(c) => return Ok(*c),
            // Another request is computing it already: the kept one will do.
            Kept::Aged(c) => match lock.try_lock() {
                Ok(turn) => turn,
                Err(_) => return Ok(*c),
            },
            Kept::Stale => {
                drop(tx);
                let turn = lock.lock().await;
                tx = self.store.read().await?;
                turn
            }
        };
        // Read the version before the figures: a change committed between
        // the two is then in the figures but not the version, and costs one
        // more computation, never a dashboard that misses it.
        let kept = tx.coverage_kept(p.id).await?;
        if let Kept::Fresh(c) = judge(&kept, now) {
            return Ok(*c);
        }
        let c = compute(&mut tx, p.id, seeker_of(p.kind), now).await?;
        drop(tx);
        let body = serde_json::to_string(&c)
            .map_err(|e| AppError::internal("writing the coverage dashboard as JSON", e))?;
        let kept_now = async {
            let mut w = self.store.write().await?;
            w.keep_coverage(p.id, kept.version, now, &body).await?;
            w.commit().await
        };
        // Not kept, it is computed again next time; the figures stand.
        if let Err(e) = kept_now.await {
            tracing::warn!(programme = %p.slug, error = %crate::error::error_chain(&e), "coverage: could not keep the dashboard");
        }
        Ok(c)
    }

    /// One page of the people waiting for a match; managers only. `sort`:
    /// `longest` (default) or `newest`.
    pub async fn coverage_waiting(
        &self,
        actor: &Actor,
        slug: &str,
        sort: Option<&str>,
        q: &ListQuery,
    ) -> AppResult<Page<Waiting>> {
        let sort = parse_sort(sort, "longest", "newest")?;
        let (start, limit) = q.window()?;
        let now = self.now();
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let page = tx
            .coverage_waiting(p.id, seeker_of(p.kind), sort, start, limit)
            .await?;
        Ok(Page {
            items: page.items.into_iter().map(|w| waiting_of(w, now)).collect(),
            next: page.next,
            prev: page.prev,
        })
    }

    /// One page of mentor loads; managers only. `sort`: `fullest` (default)
    /// or `emptiest`; `role`: `mentor`, `facilitator` or both.
    pub async fn coverage_loads(
        &self,
        actor: &Actor,
        slug: &str,
        role: Option<&str>,
        sort: Option<&str>,
        q: &ListQuery,
    ) -> AppResult<Page<Load>> {
        let role = parse_load_role(role)?;
        let sort = parse_sort(sort, "fullest", "emptiest")?;
        let (start, limit) = q.window()?;
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let page = tx.coverage_loads(p.id, role, sort, start, limit).await?;
        Ok(Page {
            items: page.items.into_iter().map(load_of).collect(),
            next: page.next,
            prev: page.prev,
        })
    }
}

/// The dashboard's figures, read from the database in `tx`.
async fn compute(
    tx: &mut Tx,
    programme: ProgrammeId,
    seeker: ProgrammeRole,
    now: i64,
) -> AppResult<Coverage> {
    let counts = tx.coverage_counts(programme, seeker, now).await?;
    let first = crate::lists::Start::Offset(0);
    let waiting = tx
        .coverage_waiting(programme, seeker, Sort::First, first, FIRST_PAGE)
        .await?;
    let loads = tx
        .coverage_loads(programme, None, Sort::First, first, FIRST_PAGE)
        .await?;
    let (approved, matched) = tx.coverage_days(programme, seeker).await?;
    let (reasons, unplaced) = tx.unplaced_by_reason(programme, REASONS_SHOWN).await?;
    let mut unplaced_by_reason: Vec<Bucket> = reasons
        .into_iter()
        .map(|(label, count)| Bucket { label, count })
        .collect();
    let named: i64 = unplaced_by_reason.iter().map(|b| b.count).sum();
    if unplaced > named {
        unplaced_by_reason.push(Bucket {
            label: "Other reasons".into(),
            count: unplaced - named,
        });
    }
    Ok(Coverage {
        participants: to_usize(counts.participants),
        matched: to_usize(counts.matched),
        pending: to_usize(counts.pending),
        unmatched: to_usize(counts.waiting),
        median_days_to_match: counts.median_days_to_match,
        waiting_next: waiting.next.map(|c| c.encode()),
        waiting: waiting
            .items
            .into_iter()
            .map(|w| waiting_of(w, now))
            .collect(),
        loads_next: loads.next.map(|c| c.encode()),
        loads: loads.items.into_iter().map(load_of).collect(),
        applications: to_usize(counts.applications),
        mentors: to_usize(counts.mentors),
        time_waiting: buckets(waiting_labels(), &counts.waited),
        mentor_load: buckets(load_labels(), &counts.loads),
        unplaced_by_reason,
        over_time: running(&approved, &matched),
    })
}

fn waiting_of(w: rapport_store::coverage::WaitingRow, now: i64) -> Waiting {
    Waiting {
        person_id: w.person_id,
        name: w.name,
        since: w.since,
        days: (now - w.since).max(0) / DAY,
    }
}

fn load_of(l: rapport_store::coverage::LoadRow) -> Load {
    Load {
        person_id: l.person_id,
        name: l.name,
        role: l.role,
        seats: l.seats,
        capacity: l.capacity,
        percent: l.permille / 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_every_bucket_in_words() {
        assert_eq!(
            waiting_labels(),
            [
                "Under 1 week",
                "1 week to under 2 weeks",
                "2 weeks to under 30 days",
                "30 days to under 90 days",
                "90 days or more"
            ]
        );
        assert_eq!(
            load_labels(),
            [
                "Empty (0%)",
                "1–25%",
                "26–50%",
                "51–75%",
                "76–99%",
                "Full (100% or more)"
            ]
        );
    }

    #[test]
    fn running_totals_join_both_series_by_day() {
        let d = |n| n * DAY;
        let r = running(&[(d(1), 2), (d(3), 1)], &[(d(2), 1), (d(3), 1)]);
        let t: Vec<(i64, i64, i64)> = r.iter().map(|c| (c.day, c.approved, c.matched)).collect();
        assert_eq!(t, [(d(1), 2, 0), (d(2), 2, 1), (d(3), 3, 2)]);
    }

    #[test]
    fn bad_sorts_and_roles_name_their_field() {
        assert_eq!(parse_sort(None, "a", "b").unwrap(), Sort::First);
        assert_eq!(parse_sort(Some("b"), "a", "b").unwrap(), Sort::Last);
        assert!(
            matches!(parse_sort(Some("x"), "a", "b"), Err(AppError::Invalid(e)) if e[0].field == "sort")
        );
        assert!(
            matches!(parse_load_role(Some("mentee")), Err(AppError::Invalid(e)) if e[0].field == "role")
        );
        assert_eq!(
            parse_load_role(Some("mentor")).unwrap(),
            Some(ProgrammeRole::Mentor)
        );
    }
}
