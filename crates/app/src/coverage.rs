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

use crate::lists::{ListQuery, Page};
use crate::{App, AppError, AppResult};
use rapport_domain::policy::Actor;
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole};
use rapport_domain::PersonId;
use rapport_store::coverage::{Sort, DAY, LOAD_BUCKETS, WAIT_BUCKETS};
use serde::Serialize;

/// Rows of each list on the dashboard itself; the list routes page on.
pub const FIRST_PAGE: i64 = 20;
/// Reasons the unplaced chart names; the rest are "Other reasons".
pub const REASONS_SHOWN: i64 = 7;

/// Someone still waiting for a match.
#[derive(Clone, Debug, Serialize)]
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
#[derive(Clone, Debug, Serialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// The bar's label ("1–2 weeks").
    pub label: String,
    /// How many.
    pub count: i64,
}

/// One day of coverage over time: running totals at the end of the day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CoverageDay {
    /// The day's start (UTC midnight, ms).
    pub day: i64,
    /// Seekers approved by then (of those approved now).
    pub approved: i64,
    /// Seekers whose first room had become active by then.
    pub matched: i64,
}

/// The dashboard's figures.
#[derive(Clone, Debug, Serialize)]
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
    /// The coverage dashboard of a programme; managers only.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn coverage(&self, actor: &Actor, slug: &str) -> AppResult<Coverage> {
        let now = self.now();
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let seeker = seeker_of(p.kind);
        let counts = tx.coverage_counts(p.id, seeker, now).await?;
        let first = crate::lists::Start::Offset(0);
        let waiting = tx
            .coverage_waiting(p.id, seeker, Sort::First, first, FIRST_PAGE)
            .await?;
        let loads = tx
            .coverage_loads(p.id, None, Sort::First, first, FIRST_PAGE)
            .await?;
        let (approved, matched) = tx.coverage_days(p.id, seeker).await?;
        let (reasons, unplaced) = tx.unplaced_by_reason(p.id, REASONS_SHOWN).await?;
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
