//! Stable matching with mentor capacities (hospitals/residents), mentee-proposing
//! deferred acceptance.
//!
//! # Contract
//! - Input: a [`StableInstance`] with, for every mentee, the mentors it ranks (best
//!   first), for every mentor, the mentees it ranks (best first), and every mentor's
//!   capacity. Preferences are strict (each list holds distinct indices).
//! - A pair is *acceptable* when each side ranks the other. Only acceptable pairs are
//!   ever matched.
//! - Output: the mentee-optimal stable matching: no *blocking pair* exists (an
//!   acceptable mentee and mentor who both prefer each other to what they got, where
//!   a mentor with free capacity prefers any acceptable mentee to an empty slot), and
//!   every mentee gets the best mentor it can have in any stable matching. By the
//!   rural hospitals theorem the set of matched mentees is the same in every stable
//!   matching.
//! - [`is_stable`] checks a proposed matching independently and names a blocking pair.
//!
//! # Complexity
//! O(L) expected time and memory, where L is the total length of all preference
//! lists: each mentee proposes to each listed mentor at most once, and each mentor
//! keeps a pointer to its worst held rank that moves monotonically (up while the
//! mentor fills, down once it is full, since a full mentor never becomes free again).

use std::collections::HashMap;

/// Sentinel for "no index".
const NONE: u32 = u32::MAX;

/// A stable matching instance. Indices are dense: mentees `0..mentee_prefs.len()`,
/// mentors `0..mentor_prefs.len()`.
#[derive(Debug, Clone, Default)]
pub struct StableInstance {
    /// For each mentee, the mentors it ranks, best first.
    pub mentee_prefs: Vec<Vec<u32>>,
    /// For each mentor, the mentees it ranks, best first.
    pub mentor_prefs: Vec<Vec<u32>>,
    /// For each mentor, how many mentees it can take.
    pub capacities: Vec<u32>,
}

/// Why an instance was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StableError {
    /// `capacities` and `mentor_prefs` have different lengths.
    #[error("{mentors} mentors have preferences but {capacities} capacities were given")]
    CapacityCount {
        /// Number of mentor preference lists.
        mentors: usize,
        /// Number of capacities.
        capacities: usize,
    },
    /// A preference list names an index out of range.
    #[error("{side} {who} ranks {ranked}, which does not exist")]
    OutOfRange {
        /// "mentee" or "mentor".
        side: &'static str,
        /// The index whose list is wrong.
        who: u32,
        /// The index it ranks.
        ranked: u32,
    },
    /// A preference list names the same index twice.
    #[error("{side} {who} ranks {ranked} twice; preferences must be strict")]
    Duplicate {
        /// "mentee" or "mentor".
        side: &'static str,
        /// The index whose list is wrong.
        who: u32,
        /// The repeated index.
        ranked: u32,
    },
}

/// The result: each mentee's mentor, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StableMatching {
    /// `mentor_of[mentee]` is the mentor index, or `None` when unmatched.
    pub mentor_of: Vec<Option<u32>>,
}

impl StableMatching {
    /// Number of matched mentees.
    pub fn matched(&self) -> usize {
        self.mentor_of.iter().filter(|m| m.is_some()).count()
    }
}

/// A pair that proves a matching unstable (or not even admissible).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instability {
    /// Mentee and mentor who both prefer each other to what they got.
    Blocking {
        /// The mentee.
        mentee: u32,
        /// The mentor.
        mentor: u32,
    },
    /// A matched pair that is not acceptable to both sides.
    Unacceptable {
        /// The mentee.
        mentee: u32,
        /// The mentor.
        mentor: u32,
    },
    /// A mentor holds more mentees than its capacity.
    OverCapacity {
        /// The mentor.
        mentor: u32,
    },
    /// The matching has the wrong number of mentees or names a missing mentor.
    Shape,
}

fn validate(inst: &StableInstance) -> Result<(), StableError> {
    let n_mentees = inst.mentee_prefs.len();
    let n_mentors = inst.mentor_prefs.len();
    if inst.capacities.len() != n_mentors {
        return Err(StableError::CapacityCount {
            mentors: n_mentors,
            capacities: inst.capacities.len(),
        });
    }
    let check = |lists: &[Vec<u32>], other: usize, side: &'static str| {
        let mut seen = vec![NONE; other];
        for (who, list) in lists.iter().enumerate() {
            for &r in list {
                if r as usize >= other {
                    return Err(StableError::OutOfRange {
                        side,
                        who: who as u32,
                        ranked: r,
                    });
                }
                if seen[r as usize] == who as u32 {
                    return Err(StableError::Duplicate {
                        side,
                        who: who as u32,
                        ranked: r,
                    });
                }
                seen[r as usize] = who as u32;
            }
        }
        Ok(())
    };
    check(&inst.mentee_prefs, n_mentors, "mentee")?;
    check(&inst.mentor_prefs, n_mentees, "mentor")
}

fn pair_key(mentor: u32, mentee: u32) -> u64 {
    (u64::from(mentor) << 32) | u64::from(mentee)
}

/// Each mentor's rank of each mentee it lists (0 = best).
fn mentor_ranks(inst: &StableInstance) -> HashMap<u64, u32> {
    let total: usize = inst.mentor_prefs.iter().map(Vec::len).sum();
    let mut rank = HashMap::with_capacity(total);
    for (mentor, list) in inst.mentor_prefs.iter().enumerate() {
        for (r, &mentee) in list.iter().enumerate() {
            rank.insert(pair_key(mentor as u32, mentee), r as u32);
        }
    }
    rank
}

/// Mentee-proposing deferred acceptance. Returns the mentee-optimal stable matching.
pub fn stable_match(inst: &StableInstance) -> Result<StableMatching, StableError> {
    validate(inst)?;
    let n_mentees = inst.mentee_prefs.len();
    let rank = mentor_ranks(inst);
    // held[mentor][r] is true when the mentor holds the mentee at rank r.
    let mut held: Vec<Vec<bool>> = inst
        .mentor_prefs
        .iter()
        .map(|l| vec![false; l.len()])
        .collect();
    let mut count = vec![0u32; inst.mentor_prefs.len()];
    // Worst held rank while count > 0 (meaningless otherwise).
    let mut worst = vec![0u32; inst.mentor_prefs.len()];
    let mut next = vec![0usize; n_mentees];
    let mut mentor_of = vec![None; n_mentees];
    let mut free: Vec<u32> = (0..n_mentees as u32).rev().collect();

    while let Some(mentee) = free.pop() {
        let prefs = &inst.mentee_prefs[mentee as usize];
        while next[mentee as usize] < prefs.len() {
            let mentor = prefs[next[mentee as usize]];
            next[mentee as usize] += 1;
            let m = mentor as usize;
            let Some(&r) = rank.get(&pair_key(mentor, mentee)) else {
                continue; // the mentor does not rank this mentee
            };
            let cap = inst.capacities[m];
            if cap == 0 {
                continue;
            }
            if count[m] < cap {
                held[m][r as usize] = true;
                worst[m] = if count[m] == 0 { r } else { worst[m].max(r) };
                count[m] += 1;
                mentor_of[mentee as usize] = Some(mentor);
                break;
            }
            if r > worst[m] {
                continue; // rejected
            }
            // Full and prefers this mentee: evict the worst one.
            let w = worst[m] as usize;
            held[m][w] = false;
            let evicted = inst.mentor_prefs[m][w];
            mentor_of[evicted as usize] = None;
            free.push(evicted);
            held[m][r as usize] = true;
            let mut p = w;
            while !held[m][p] {
                p -= 1; // terminates: held[m][r] is true and r < w
            }
            worst[m] = p as u32;
            mentor_of[mentee as usize] = Some(mentor);
            break;
        }
    }
    Ok(StableMatching { mentor_of })
}

/// Checks that `matching` is admissible (acceptable pairs, capacities respected) and
/// stable. Returns the first problem found.
pub fn is_stable(inst: &StableInstance, matching: &StableMatching) -> Result<(), Instability> {
    let n_mentors = inst.mentor_prefs.len();
    if matching.mentor_of.len() != inst.mentee_prefs.len() || inst.capacities.len() != n_mentors {
        return Err(Instability::Shape);
    }
    let rank = mentor_ranks(inst);
    let mut count = vec![0u32; n_mentors];
    // Worst rank (largest) each mentor holds.
    let mut worst: Vec<Option<u32>> = vec![None; n_mentors];
    for (mentee, m) in matching.mentor_of.iter().enumerate() {
        let Some(mentor) = *m else { continue };
        if mentor as usize >= n_mentors {
            return Err(Instability::Shape);
        }
        let acceptable_to_mentee = inst.mentee_prefs[mentee].contains(&mentor);
        let Some(&r) = rank.get(&pair_key(mentor, mentee as u32)) else {
            return Err(Instability::Unacceptable {
                mentee: mentee as u32,
                mentor,
            });
        };
        if !acceptable_to_mentee {
            return Err(Instability::Unacceptable {
                mentee: mentee as u32,
                mentor,
            });
        }
        count[mentor as usize] += 1;
        let w = &mut worst[mentor as usize];
        *w = Some(w.map_or(r, |x| x.max(r)));
    }
    for (mentor, &c) in count.iter().enumerate() {
        if c > inst.capacities[mentor] {
            return Err(Instability::OverCapacity {
                mentor: mentor as u32,
            });
        }
    }
    for (mentee, prefs) in inst.mentee_prefs.iter().enumerate() {
        for &mentor in prefs {
            if matching.mentor_of[mentee] == Some(mentor) {
                break; // every later mentor is worse for this mentee
            }
            let Some(&r) = rank.get(&pair_key(mentor, mentee as u32)) else {
                continue;
            };
            let m = mentor as usize;
            let mentor_wants = count[m] < inst.capacities[m] || worst[m].is_some_and(|w| r < w);
            if mentor_wants {
                return Err(Instability::Blocking {
                    mentee: mentee as u32,
                    mentor,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn inst(mentee: Vec<Vec<u32>>, mentor: Vec<Vec<u32>>, cap: Vec<u32>) -> StableInstance {
        StableInstance {
            mentee_prefs: mentee,
            mentor_prefs: mentor,
            capacities: cap,
        }
    }

    #[test]
    fn classic_example_is_mentee_optimal() {
        // Two mentees, two mentors, opposite preferences: mentees get their first choice.
        let i = inst(
            vec![vec![0, 1], vec![1, 0]],
            vec![vec![1, 0], vec![0, 1]],
            vec![1, 1],
        );
        let m = stable_match(&i).unwrap();
        assert_eq!(m.mentor_of, vec![Some(0), Some(1)]);
        assert_eq!(is_stable(&i, &m), Ok(()));
        // The mentor-optimal matching is also stable but not what we return.
        let other = StableMatching {
            mentor_of: vec![Some(1), Some(0)],
        };
        assert_eq!(is_stable(&i, &other), Ok(()));
    }

    #[test]
    fn capacity_evicts_worst() {
        // Mentor 0 (capacity 2) prefers 2 > 0 > 1.
        let i = inst(
            vec![vec![0], vec![0, 1], vec![0]],
            vec![vec![2, 0, 1], vec![1]],
            vec![2, 1],
        );
        let m = stable_match(&i).unwrap();
        assert_eq!(m.mentor_of, vec![Some(0), Some(1), Some(0)]);
        assert_eq!(is_stable(&i, &m), Ok(()));
    }

    #[test]
    fn checker_finds_blocking_pair_and_free_capacity() {
        let i = inst(vec![vec![0]], vec![vec![0]], vec![1]);
        let empty = StableMatching {
            mentor_of: vec![None],
        };
        assert_eq!(
            is_stable(&i, &empty),
            Err(Instability::Blocking {
                mentee: 0,
                mentor: 0
            })
        );
    }

    #[test]
    fn unacceptable_pairs_are_never_matched() {
        // Mentor 0 does not rank mentee 0.
        let i = inst(vec![vec![0]], vec![vec![]], vec![1]);
        let m = stable_match(&i).unwrap();
        assert_eq!(m.mentor_of, vec![None]);
        let bad = StableMatching {
            mentor_of: vec![Some(0)],
        };
        assert!(matches!(
            is_stable(&i, &bad),
            Err(Instability::Unacceptable { .. })
        ));
    }

    #[test]
    fn refuses_duplicates_and_out_of_range() {
        let i = inst(vec![vec![0, 0]], vec![vec![0]], vec![1]);
        assert!(matches!(
            stable_match(&i),
            Err(StableError::Duplicate { .. })
        ));
        let i = inst(vec![vec![3]], vec![vec![0]], vec![1]);
        assert!(matches!(
            stable_match(&i),
            Err(StableError::OutOfRange { .. })
        ));
        let i = inst(vec![vec![0]], vec![vec![0]], vec![]);
        assert!(matches!(
            stable_match(&i),
            Err(StableError::CapacityCount { .. })
        ));
    }

    /// Every admissible matching of a small instance (acceptable pairs, capacities).
    fn all_matchings(i: &StableInstance) -> Vec<StableMatching> {
        fn rec(
            i: &StableInstance,
            mentee: usize,
            load: &mut Vec<u32>,
            cur: &mut Vec<Option<u32>>,
            out: &mut Vec<StableMatching>,
        ) {
            if mentee == i.mentee_prefs.len() {
                out.push(StableMatching {
                    mentor_of: cur.clone(),
                });
                return;
            }
            cur[mentee] = None;
            rec(i, mentee + 1, load, cur, out);
            for &m in &i.mentee_prefs[mentee] {
                let mu = m as usize;
                if load[mu] < i.capacities[mu] && i.mentor_prefs[mu].contains(&(mentee as u32)) {
                    load[mu] += 1;
                    cur[mentee] = Some(m);
                    rec(i, mentee + 1, load, cur, out);
                    load[mu] -= 1;
                    cur[mentee] = None;
                }
            }
        }
        let mut out = Vec::new();
        let mut load = vec![0; i.mentor_prefs.len()];
        let mut cur = vec![None; i.mentee_prefs.len()];
        rec(i, 0, &mut load, &mut cur, &mut out);
        out
    }

    fn arb_instance() -> impl Strategy<Value = StableInstance> {
        (1usize..6, 1usize..4).prop_flat_map(|(n_mentees, n_mentors)| {
            let mentee = proptest::collection::vec(
                Just((0..n_mentors as u32).collect::<Vec<_>>())
                    .prop_shuffle()
                    .prop_flat_map(move |v| {
                        let len = v.len();
                        (Just(v), 0..=len).prop_map(|(v, k)| v[..k].to_vec())
                    }),
                n_mentees,
            );
            let mentor = proptest::collection::vec(
                Just((0..n_mentees as u32).collect::<Vec<_>>())
                    .prop_shuffle()
                    .prop_flat_map(move |v| {
                        let len = v.len();
                        (Just(v), 0..=len).prop_map(|(v, k)| v[..k].to_vec())
                    }),
                n_mentors,
            );
            let caps = proptest::collection::vec(0u32..3, n_mentors);
            (mentee, mentor, caps).prop_map(|(a, b, c)| inst(a, b, c))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn result_is_stable_and_mentee_optimal(i in arb_instance()) {
            let m = stable_match(&i).unwrap();
            prop_assert_eq!(is_stable(&i, &m), Ok(()));
            let pos = |mentee: usize, mentor: Option<u32>| match mentor {
                Some(x) => i.mentee_prefs[mentee].iter().position(|&y| y == x).unwrap(),
                None => usize::MAX,
            };
            let mut stable_count = 0;
            for other in all_matchings(&i) {
                if is_stable(&i, &other).is_ok() {
                    stable_count += 1;
                    for mentee in 0..i.mentee_prefs.len() {
                        prop_assert!(pos(mentee, m.mentor_of[mentee]) <= pos(mentee, other.mentor_of[mentee]));
                    }
                    // Rural hospitals: same matched set in every stable matching.
                    prop_assert_eq!(other.matched(), m.matched());
                }
            }
            prop_assert!(stable_count >= 1);
        }
    }
}
