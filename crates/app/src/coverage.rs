//! The coverage dashboard: the promise that everyone gets mentored, made
//! visible. Who is matched, who waits for an answer, who waits for a match
//! (oldest first), how long matching takes, and each mentor's load.

use crate::{App, AppResult};
use rapport_domain::mentoring::{EnrolmentStatus, RoomStatus};
use rapport_domain::policy::Actor;
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole};
use rapport_domain::PersonId;
use serde::Serialize;
use std::collections::HashMap;

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
    /// Seats in proposed, active or paused rooms.
    pub seats: i64,
    /// Capacity in this programme.
    pub capacity: i32,
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
    /// Everyone waiting, oldest first.
    pub waiting: Vec<Waiting>,
    /// Mentor loads, fullest first.
    pub loads: Vec<Load>,
    /// Applications waiting for a manager.
    pub applications: usize,
}

/// The median of a list (`None` when empty).
pub fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

impl App {
    /// The coverage dashboard of a programme; managers only.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn coverage(&self, actor: &Actor, slug: &str) -> AppResult<Coverage> {
        let now = self.now();
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let seeker = match p.kind {
            ProgrammeKind::Peer | ProgrammeKind::Circle => ProgrammeRole::Peer,
            _ => ProgrammeRole::Mentee,
        };
        let enrolments = tx.enrolments_in(p.id).await?;
        let seats = tx.open_seats(p.id).await?;
        let open_requests: std::collections::HashSet<PersonId> = tx
            .requests_in(p.id)
            .await?
            .into_iter()
            .filter(|r| r.status.is_open())
            .map(|r| r.mentee_id)
            .collect();
        let mut seat_of: HashMap<PersonId, (RoomStatus, i64)> = HashMap::new();
        let mut load: HashMap<PersonId, i64> = HashMap::new();
        for s in &seats {
            if s.role == seeker {
                seat_of.insert(s.person_id, (s.room_status, s.room_created_at));
            } else if matches!(s.role, ProgrammeRole::Mentor | ProgrammeRole::Facilitator) {
                *load.entry(s.person_id).or_default() += 1;
            }
        }
        let mut c = Coverage {
            participants: 0,
            matched: 0,
            pending: 0,
            unmatched: 0,
            median_days_to_match: None,
            waiting: vec![],
            loads: vec![],
            applications: 0,
        };
        let mut days = vec![];
        const DAY: f64 = 86_400_000.0;
        for v in &enrolments {
            let e = &v.enrolment;
            if e.status == EnrolmentStatus::Applied {
                c.applications += 1;
            }
            if e.status != EnrolmentStatus::Approved {
                continue;
            }
            if e.role == seeker {
                c.participants += 1;
                match seat_of.get(&e.person_id) {
                    Some((RoomStatus::Active | RoomStatus::Paused, at)) => {
                        c.matched += 1;
                        days.push(((at - e.created_at).max(0)) as f64 / DAY);
                    }
                    Some(_) => c.pending += 1,
                    None if open_requests.contains(&e.person_id) => c.pending += 1,
                    None => {
                        c.unmatched += 1;
                        let since = e.decided_at.unwrap_or(e.created_at);
                        c.waiting.push(Waiting {
                            person_id: e.person_id,
                            name: v.name.clone(),
                            since,
                            days: (now - since).max(0) / 86_400_000,
                        });
                    }
                }
            } else if matches!(e.role, ProgrammeRole::Mentor | ProgrammeRole::Facilitator) {
                c.loads.push(Load {
                    person_id: e.person_id,
                    name: v.name.clone(),
                    seats: load.get(&e.person_id).copied().unwrap_or(0),
                    capacity: e.capacity,
                });
            }
        }
        c.median_days_to_match = median(days);
        c.waiting.sort_by_key(|w| w.since);
        c.loads.sort_by(|a, b| {
            (b.seats * 1000 / i64::from(b.capacity.max(1)))
                .cmp(&(a.seats * 1000 / i64::from(a.capacity.max(1))))
                .then(a.name.cmp(&b.name))
        });
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }
}
