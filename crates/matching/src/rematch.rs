//! Incremental re-matching, referrals, and "how much higher would this pair need to score".
//!
//! # Contract
//! - [`rematch`]: given a solved instance and a set of mentees to re-match, finds the
//!   best assignment for those mentees only (same lexicographic objective as
//!   [`crate::assign`]), without moving anyone else: the others keep their mentors, and
//!   the movers share the capacity the others leave free (their own old slots included).
//! - [`referrals`]: the next-best mentors for one mentee, ranked: mentors who could take
//!   them now (a free slot) first, then the rest, each by score.
//! - [`shortfall`]: for a pair that was not chosen, how many points higher its score
//!   would need to be for every optimal answer to choose it — or that no score would,
//!   because choosing it would cost coverage or pairs. Computed exactly from the dual
//!   prices: the reduced cost of the pair plus the shortest path back through the
//!   residual graph (one Dijkstra on non-negative reduced costs).
//!
//! # Complexity
//! [`rematch`]: `O(C + E_R log V_R)` for `C` current matches and the movers' `E_R`
//! pairs (a small [`crate::assign::solve`]); independent of the rest of the graph.
//! [`referrals`]: `O(C + d log d)` for a mentee with `d` candidates.
//! [`shortfall`]: `O((E + V) log V)`.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use crate::assign::{solve, AssignError, Constraints, Edge, Lex, Problem, Solution};

/// The new assignment of the re-matched mentees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rematch {
    /// Edge indices (into the original problem) chosen for the movers, ascending.
    pub chosen: Vec<usize>,
    /// The full new assignment: everyone else's edges unchanged plus `chosen`, ascending.
    pub all: Vec<usize>,
}

/// Re-matches `movers` against the capacity left by everyone else in `current` (the
/// chosen edge indices of a solved instance), moving nobody else.
pub fn rematch(
    problem: &Problem,
    current: &[usize],
    movers: &[u32],
) -> Result<Rematch, AssignError> {
    rematch_indexed(problem, &MenteeIndex::new(problem), current, movers)
}

/// Edge indices grouped by mentee, built once per instance so that repeated
/// re-matches touch only the movers' edges.
#[derive(Clone, Debug)]
pub struct MenteeIndex {
    start: Vec<u32>,
    edges: Vec<u32>,
}

impl MenteeIndex {
    /// Groups `problem`'s edges by mentee in `O(E)`.
    pub fn new(problem: &Problem) -> MenteeIndex {
        let (start, edges) = crate::assign::group_by_key(
            problem.mentee_capacity.len(),
            problem.edges.iter().map(|e| e.mentee),
        );
        MenteeIndex { start, edges }
    }

    /// The edge indices of one mentee.
    pub fn of(&self, mentee: u32) -> &[u32] {
        let i = mentee as usize;
        &self.edges[self.start[i] as usize..self.start[i + 1] as usize]
    }
}

/// [`rematch`] with a prebuilt [`MenteeIndex`], to reuse across calls:
/// `O(C + E_R log V_R)`, independent of the other mentees' edges.
pub fn rematch_indexed(
    problem: &Problem,
    index: &MenteeIndex,
    current: &[usize],
    movers: &[u32],
) -> Result<Rematch, AssignError> {
    let n = problem.mentee_capacity.len();
    let m = problem.mentor_capacity.len();
    let mut is_mover = vec![false; n];
    for &i in movers {
        if let Some(flag) = is_mover.get_mut(i as usize) {
            *flag = true;
        }
    }
    let mut left = problem.mentor_capacity.clone();
    let mut kept = Vec::with_capacity(current.len());
    for &c in current {
        let e = problem.edges[c];
        if !is_mover[e.mentee as usize] {
            left[e.mentor as usize] = left[e.mentor as usize].saturating_sub(1);
            kept.push(c);
        }
    }
    // A small instance: movers and the mentors they can reach.
    let mut mentee_index: HashMap<u32, u32> = HashMap::new();
    let mut mentor_index: HashMap<u32, u32> = HashMap::new();
    let mut sub = Problem::default();
    let mut back = Vec::new();
    let mut movers_sorted: Vec<u32> = movers
        .iter()
        .copied()
        .filter(|&i| (i as usize) < n)
        .collect();
    movers_sorted.sort_unstable();
    movers_sorted.dedup();
    for &i in &movers_sorted {
        mentee_index.insert(i, sub.mentee_capacity.len() as u32);
        sub.mentee_capacity
            .push(problem.mentee_capacity[i as usize]);
    }
    for &i in &movers_sorted {
        let si = mentee_index[&i];
        for &idx in index.of(i) {
            let idx = idx as usize;
            let e = problem.edges[idx];
            let sj = *mentor_index.entry(e.mentor).or_insert_with(|| {
                sub.mentor_capacity.push(left[e.mentor as usize]);
                (sub.mentor_capacity.len() - 1) as u32
            });
            sub.edges.push(Edge {
                mentee: si,
                mentor: sj,
                score: e.score,
            });
            back.push(idx);
        }
    }
    debug_assert!(sub.mentor_capacity.len() <= m);
    let solved = solve(&sub, &Constraints::default())?;
    let mut chosen: Vec<usize> = solved.chosen.iter().map(|&c| back[c]).collect();
    chosen.sort_unstable();
    let mut all = kept;
    all.extend_from_slice(&chosen);
    all.sort_unstable();
    Ok(Rematch { chosen, all })
}

/// One referral: a mentor the mentee could be sent to next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Referral {
    /// Mentor index.
    pub mentor: u32,
    /// Pair score in micro-units.
    pub score: i64,
    /// Free slots the mentor has now.
    pub free_slots: u32,
}

/// The next-best mentors for `mentee` under the assignment `current`, excluding the
/// mentors already assigned to them: those with a free slot first, then by score
/// (highest first), at most `limit`.
pub fn referrals(problem: &Problem, current: &[usize], mentee: u32, limit: usize) -> Vec<Referral> {
    let mut load = vec![0u32; problem.mentor_capacity.len()];
    let mut mine = Vec::new();
    for &c in current {
        let e = problem.edges[c];
        load[e.mentor as usize] += 1;
        if e.mentee == mentee {
            mine.push(e.mentor);
        }
    }
    let mut out: Vec<Referral> = problem
        .edges
        .iter()
        .filter(|e| e.mentee == mentee && !mine.contains(&e.mentor))
        .map(|e| Referral {
            mentor: e.mentor,
            score: e.score,
            free_slots: problem.mentor_capacity[e.mentor as usize]
                .saturating_sub(load[e.mentor as usize]),
        })
        .collect();
    out.sort_by_key(|r| (r.free_slots == 0, Reverse(r.score), r.mentor));
    out.truncate(limit);
    out
}

/// How far a pair is from being chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortfall {
    /// The pair is chosen already.
    Chosen,
    /// The pair would be chosen by every optimal answer if its score were more than
    /// this many micro-units higher (0 means it ties with the current answer).
    Points(i64),
    /// No score makes it chosen: choosing it always costs coverage or pairs.
    Never,
}

/// The shortfall of edge `edge` under an optimal `solution` (see the module docs).
pub fn shortfall(
    problem: &Problem,
    constraints: &Constraints,
    solution: &Solution,
    edge: usize,
) -> Shortfall {
    let n = problem.mentee_capacity.len();
    let m = problem.mentor_capacity.len();
    if solution.chosen.binary_search(&edge).is_ok() {
        return Shortfall::Chosen;
    }
    if constraints.forbidden.contains(&edge) {
        return Shortfall::Never;
    }
    let pins = solution.accepted_pins(constraints);
    let mut pinned = vec![false; problem.edges.len()];
    let mut pin_covered = vec![false; n];
    let mut cap_a = problem.mentee_capacity.clone();
    let mut cap_b = problem.mentor_capacity.clone();
    for &p in &pins {
        let e = problem.edges[p];
        pinned[p] = true;
        pin_covered[e.mentee as usize] = true;
        cap_a[e.mentee as usize] -= 1;
        cap_b[e.mentor as usize] -= 1;
    }
    let mut forbidden = vec![false; problem.edges.len()];
    for &f in &constraints.forbidden {
        forbidden[f] = true;
    }
    let mut chosen = vec![false; problem.edges.len()];
    for &c in &solution.chosen {
        chosen[c] = true;
    }
    // Residual graph over mentees 0..n, mentors n..n+m, s, t (packed lexicographic costs).
    let s = n + m;
    let t = n + m + 1;
    let mut k = vec![0u32; n];
    let mut load = vec![0u32; m];
    let mut adj: Vec<Vec<(u32, i128)>> = vec![Vec::new(); n + m + 2];
    for (idx, e) in problem.edges.iter().enumerate() {
        if pinned[idx] || forbidden[idx] {
            continue;
        }
        let (i, j) = (e.mentee as usize, n + e.mentor as usize);
        let w = Lex {
            coverage: 0,
            pairs: 1,
            score: e.score,
        }
        .pack();
        if chosen[idx] {
            adj[j].push((i as u32, w));
            k[i] += 1;
            load[j - n] += 1;
        } else if idx != edge {
            adj[i].push((j as u32, -w));
        }
    }
    let cov = Lex {
        coverage: 1,
        pairs: 0,
        score: 0,
    }
    .pack();
    let mut any_flow = false;
    for i in 0..n {
        if k[i] >= 2 || (k[i] == 1 && pin_covered[i]) {
            adj[i].push((s as u32, 0));
        } else if k[i] == 1 {
            adj[i].push((s as u32, cov));
        }
        if k[i] < cap_a[i] {
            let c = if k[i] == 0 && !pin_covered[i] {
                -cov
            } else {
                0
            };
            adj[s].push((i as u32, c));
        }
        any_flow |= k[i] > 0;
    }
    for j in 0..m {
        if load[j] < cap_b[j] {
            adj[n + j].push((t as u32, 0));
        }
        if load[j] > 0 {
            adj[t].push(((n + j) as u32, 0));
        }
    }
    adj[t].push((s as u32, 0));
    if any_flow {
        adj[s].push((t as u32, 0));
    }
    let mut pi = vec![0i128; n + m + 2];
    for (p, d) in pi.iter_mut().zip(&solution.duals.mentee).take(n) {
        *p = d.pack();
    }
    for j in 0..m {
        pi[n + j] = -solution.duals.mentor[j].pack();
    }
    let e = problem.edges[edge];
    let (from, target) = (n + e.mentor as usize, e.mentee as usize);
    let arc = -Lex {
        coverage: 0,
        pairs: 1,
        score: e.score,
    }
    .pack();
    let rc_arc = arc + pi[target] - pi[from];
    // Dijkstra from the mentor back to the mentee.
    let mut dist = vec![i128::MAX; n + m + 2];
    let mut heap = BinaryHeap::new();
    dist[from] = 0;
    heap.push(Reverse((0i128, from as u32)));
    let mut reached = None;
    while let Some(Reverse((d, x))) = heap.pop() {
        let x = x as usize;
        if d > dist[x] {
            continue;
        }
        if x == target {
            reached = Some(d);
            break;
        }
        for &(y, c) in &adj[x] {
            let y = y as usize;
            // Reduced costs are non-negative for an optimal solution; clamp defensively.
            let rc = (c + pi[x] - pi[y]).max(0);
            let nd = d + rc;
            if nd < dist[y] {
                dist[y] = nd;
                heap.push(Reverse((nd, y as u32)));
            }
        }
    }
    let Some(d) = reached else {
        return Shortfall::Never;
    };
    let cycle = Lex::unpack(rc_arc + d);
    if cycle.coverage > 0 || (cycle.coverage == 0 && cycle.pairs > 0) {
        Shortfall::Never
    } else if cycle.coverage < 0 || cycle.pairs < 0 {
        // Cannot happen for an optimal solution (the cycle would improve it).
        Shortfall::Points(0)
    } else {
        Shortfall::Points(cycle.score.max(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assign::tests::{brute_force, small_problem};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Raising a pair's score by its shortfall plus one micro-unit makes every
        /// optimum choose it; raising it by one micro-unit less than the shortfall does
        /// not; "never" pairs stay out even with a huge raise.
        #[test]
        fn shortfall_is_exact(problem in small_problem()) {
            let none = Constraints::default();
            let sol = solve(&problem, &none).unwrap();
            for idx in 0..problem.edges.len() {
                let raised = |delta: i64| {
                    let mut p = problem.clone();
                    p.edges[idx].score += delta;
                    let s = solve(&p, &none).unwrap();
                    s.chosen.contains(&idx)
                };
                match shortfall(&problem, &none, &sol, idx) {
                    Shortfall::Chosen => prop_assert!(sol.chosen.contains(&idx)),
                    Shortfall::Points(p) => {
                        prop_assert!(raised(p + 1), "edge {} not chosen after raising {} + 1", idx, p);
                        if p >= 1 {
                            prop_assert!(!raised(p - 1), "edge {} chosen below its shortfall {}", idx, p);
                        }
                    }
                    Shortfall::Never => prop_assert!(!raised(1_000_000_000)),
                }
            }
        }

        /// Re-matching moves nobody else and is optimal for the movers.
        #[test]
        fn rematch_is_optimal_for_movers_only(problem in small_problem(), pick in proptest::collection::vec(any::<bool>(), 5)) {
            let sol = solve(&problem, &Constraints::default()).unwrap();
            let n = problem.mentee_capacity.len();
            let movers: Vec<u32> = (0..n as u32).filter(|&i| pick[i as usize]).collect();
            let r = rematch(&problem, &sol.chosen, &movers).unwrap();
            // Everyone else keeps exactly their edges.
            let others = |set: &[usize]| -> Vec<usize> {
                set.iter().copied().filter(|&c| !movers.contains(&problem.edges[c].mentee)).collect()
            };
            prop_assert_eq!(others(&r.all), others(&sol.chosen));
            // The movers' part is optimal: brute force with the others pinned.
            let pinned = others(&sol.chosen);
            let best = brute_force(&problem, &pinned, &[]);
            prop_assert_eq!(crate::assign::objective_of(&problem, &r.all), best);
        }
    }

    #[test]
    fn referrals_put_free_mentors_first() {
        let problem = Problem {
            mentee_capacity: vec![1, 1],
            mentor_capacity: vec![1, 1, 2],
            edges: vec![
                Edge {
                    mentee: 0,
                    mentor: 0,
                    score: 9,
                },
                Edge {
                    mentee: 0,
                    mentor: 1,
                    score: 8,
                },
                Edge {
                    mentee: 0,
                    mentor: 2,
                    score: 1,
                },
                Edge {
                    mentee: 1,
                    mentor: 1,
                    score: 5,
                },
            ],
        };
        let current = vec![0, 3];
        let r = referrals(&problem, &current, 0, 5);
        assert_eq!(r.iter().map(|x| x.mentor).collect::<Vec<_>>(), vec![2, 1]);
        assert_eq!(r[0].free_slots, 2);
    }
}
