//! Group and circle formation: partition people into groups of size `[min, max]`,
//! optionally with leaders (mentors or facilitators) in every group.
//!
//! # Contract
//! - Input: a [`GroupsProblem`]: `people` people (indices `0..people`), a sparse list
//!   of pairwise scores (undirected, micro-units; a pair listed twice is refused),
//!   and what a pair that is *not* listed means ([`MissingPairs`]): either the two
//!   people may not share a group (a hard constraint), or they may, scoring 0.
//! - Group sizes count everyone in the group, leaders included. With
//!   `leaders_per_group = L > 0`, every group has at least `L` people from `leaders`;
//!   leaders beyond `G * L` join groups as extra leaders where there is room.
//! - Objective: the mean, over groups, of the mean pairwise score within the group.
//! - Everyone is placed when the sizes, leaders and hard constraints allow it; anyone
//!   who cannot be placed is listed in [`Grouping::unplaced`] with a reason.
//! - Every result carries two upper bounds: no grouping of the placed people can
//!   score higher than either.
//!   - [`Grouping::per_person_bound`]: when all groups must have one size `k`, the
//!     average, over people, of the mean of each person's best `k - 1` scores (a
//!     group's mean pairwise score is at most the mean of its members' values).
//!     With a size range, the best such value over every feasible size pattern (a
//!     small dynamic programme), or a looser bound on very large ranges.
//!   - [`Grouping::upper_bound`], the one to compare against: with one size `k` (up
//!     to 8), the tighter dual bound of the set-partitioning LP. It starts from the
//!     per-person prices and lowers each one as far as every possible group allows
//!     (a branch-and-bound search over the connected sets around each person; see
//!     `dual_bound`), so it is never looser. On points in a plane (the circles bench)
//!     it is 3.5% below the per-person bound. With a size range, it equals the
//!     per-person bound.
//!
//! # Algorithm and complexity
//! The problem is NP-hard; this is a heuristic with an honest bound.
//! 1. *Merge rounds on the exact blossom* ([`crate::peers`]): start from singletons;
//!    in each round, clusters still below `min` are matched (maximum cardinality,
//!    then maximum total cross score) with partners whose union fits in `max`, and
//!    merged. For circles of four this is pair-then-pair: people into pairs, pairs
//!    into quads. Each round costs one blossom solve on the cluster graph,
//!    O(n m log n) worst case, near-linear in practice.
//! 2. *Repair*: clusters still below `min` are merged with each other or dissolved,
//!    their members inserted where they fit best.
//! 3. *Leaders*, when asked: non-leaders are grouped to sizes `[min - L, max - L]`,
//!    then each group receives its leaders through `L` more blossom rounds.
//! 4. *Local search*: moves and swaps of single people between groups that share a
//!    neighbour, accepted while they raise the objective, in seeded random order,
//!    for at most `max_passes` passes. One pass costs O(sum of deg^2 * max).
//! 5. *Bounds*: the per-person bound sorts each person's scores, O(m log m). The dual
//!    bound runs one coordinate-descent sweep; each person's search visits the
//!    connected sets of size `<= k` around them that survive its cut, O(n deg^(k-1))
//!    in the worst case and far fewer in practice (0.57 M sets for 8,000 people of
//!    degree 20 with `k = 4`). It is skipped above a work estimate.
//!
//! Deterministic for a given seed.

use std::collections::HashMap;

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::peers::{max_weight_matching, Objective, PeerEdge};

/// What a pair that is not listed in the scores means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingPairs {
    /// The two people may not be in the same group.
    Forbidden,
    /// The two people may be grouped; their pairwise score is 0.
    Zero,
}

/// A group formation problem.
#[derive(Debug, Clone)]
pub struct GroupsProblem<'a> {
    /// Number of people, indexed `0..people`.
    pub people: usize,
    /// Pairwise scores, undirected, in micro-units.
    pub scores: &'a [PeerEdge],
    /// Meaning of a pair that is not listed.
    pub missing: MissingPairs,
    /// Smallest group size (at least 2).
    pub min: usize,
    /// Largest group size (at least `min`).
    pub max: usize,
    /// People who may lead a group.
    pub leaders: &'a [u32],
    /// Leaders each group needs (0 for none).
    pub leaders_per_group: usize,
    /// Seed for the local search order.
    pub seed: u64,
    /// Most local search passes (each visits everyone once).
    pub max_passes: usize,
    /// Annealing steps per placed person after the local search (0: none); see
    /// [`form_groups`]. Total steps are capped at [`MAX_ANNEAL_STEPS`].
    pub anneal_steps: usize,
}

/// Most annealing steps in one run, whatever the number of people.
pub const MAX_ANNEAL_STEPS: usize = 8_000_000;

impl<'a> GroupsProblem<'a> {
    /// A problem with no leaders, seed 0 and 50 local search passes.
    pub fn new(
        people: usize,
        scores: &'a [PeerEdge],
        missing: MissingPairs,
        min: usize,
        max: usize,
    ) -> Self {
        GroupsProblem {
            people,
            scores,
            missing,
            min,
            max,
            leaders: &[],
            leaders_per_group: 0,
            seed: 0,
            max_passes: 50,
            anneal_steps: 200,
        }
    }
}

/// Why a problem was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GroupsError {
    /// Sizes are not `2 <= min <= max`.
    #[error("group sizes must satisfy 2 <= min <= max, got min {min}, max {max}")]
    Sizes {
        /// Requested minimum.
        min: usize,
        /// Requested maximum.
        max: usize,
    },
    /// Leaders per group do not fit in the largest group.
    #[error("{leaders} leaders per group do not fit in groups of at most {max}")]
    Leaders {
        /// Leaders per group.
        leaders: usize,
        /// Largest size.
        max: usize,
    },
    /// A score or leader names a person out of range, a self-pair, or a duplicate.
    #[error("invalid input: {0}")]
    Input(String),
}

/// One group.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Members, leaders first.
    pub members: Vec<u32>,
    /// How many of `members` (at the front) are leaders.
    pub leaders: usize,
    /// Mean pairwise score within the group, in micro-units.
    pub mean: f64,
}

/// Why someone could not be placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnplacedReason {
    /// Fewer compatible people than a group of `min` needs.
    TooFewCompatible {
        /// Compatible people they have.
        have: usize,
        /// Compatible people a smallest group needs.
        need: usize,
    },
    /// No group had room, or every group with room holds someone they may not meet.
    NoRoom,
    /// Not enough leaders for the group this person would need.
    NotEnoughLeaders,
}

impl std::fmt::Display for UnplacedReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UnplacedReason::TooFewCompatible { have, need } => write!(
                f,
                "only {have} people may be grouped with them; a group of the smallest size needs {need}"
            ),
            UnplacedReason::NoRoom => write!(
                f,
                "no group has room for them without breaking a size limit or a hard constraint"
            ),
            UnplacedReason::NotEnoughLeaders => {
                write!(f, "there are not enough leaders for another group")
            }
        }
    }
}

/// Someone left out, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unplaced {
    /// The person.
    pub person: u32,
    /// Why.
    pub reason: UnplacedReason,
}

/// A solved grouping.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouping {
    /// The groups.
    pub groups: Vec<Group>,
    /// Everyone left out, with a reason.
    pub unplaced: Vec<Unplaced>,
    /// Mean over groups of the mean pairwise score, in micro-units (0 with no groups).
    pub objective: f64,
    /// No grouping of the placed people scores higher (micro-units): the tighter of
    /// `per_person_bound` and, when every group has one size, the LP dual bound
    /// (see the module doc).
    pub upper_bound: f64,
    /// The per-person bound: each person's best `size - 1` scores, averaged
    /// (with a size range, the best over feasible size patterns).
    pub per_person_bound: f64,
}

/// Sparse symmetric scores with sorted adjacency.
struct Scores {
    start: Vec<u32>,
    nbr: Vec<u32>,
    w: Vec<i64>,
    missing: MissingPairs,
}

impl Scores {
    fn new(n: usize, edges: &[PeerEdge], missing: MissingPairs) -> Result<Scores, GroupsError> {
        let mut deg = vec![0u32; n];
        for e in edges {
            if e.a as usize >= n || e.b as usize >= n {
                return Err(GroupsError::Input(format!(
                    "a score names person {}, but there are only {n}",
                    e.a.max(e.b)
                )));
            }
            if e.a == e.b {
                return Err(GroupsError::Input(format!(
                    "person {} is scored against themself",
                    e.a
                )));
            }
            deg[e.a as usize] += 1;
            deg[e.b as usize] += 1;
        }
        let mut start = vec![0u32; n + 1];
        for v in 0..n {
            start[v + 1] = start[v] + deg[v];
        }
        let mut adj: Vec<(u32, i64)> = vec![(0, 0); start[n] as usize];
        let mut fill = start.clone();
        for e in edges {
            adj[fill[e.a as usize] as usize] = (e.b, e.weight);
            fill[e.a as usize] += 1;
            adj[fill[e.b as usize] as usize] = (e.a, e.weight);
            fill[e.b as usize] += 1;
        }
        for v in 0..n {
            let s = &mut adj[start[v] as usize..start[v + 1] as usize];
            s.sort_unstable();
            if let Some(p) = s.windows(2).find(|p| p[0].0 == p[1].0) {
                return Err(GroupsError::Input(format!(
                    "the pair {v},{} is scored twice",
                    p[0].0
                )));
            }
        }
        Ok(Scores {
            start,
            nbr: adj.iter().map(|x| x.0).collect(),
            w: adj.iter().map(|x| x.1).collect(),
            missing,
        })
    }

    fn range(&self, v: u32) -> std::ops::Range<usize> {
        self.start[v as usize] as usize..self.start[v as usize + 1] as usize
    }

    /// Score of the pair, or `None` when they may not meet.
    fn get(&self, a: u32, b: u32) -> Option<i64> {
        let r = self.range(a);
        match self.nbr[r.clone()].binary_search(&b) {
            Ok(i) => Some(self.w[r.start + i]),
            Err(_) => match self.missing {
                MissingPairs::Forbidden => None,
                MissingPairs::Zero => Some(0),
            },
        }
    }

    fn degree(&self, v: u32) -> usize {
        self.range(v).len()
    }
}

fn pairs_in(s: usize) -> f64 {
    (s * (s.saturating_sub(1)) / 2) as f64
}

/// Mean over groups of the mean pairwise score (micro-units), computed from scratch.
/// Returns `None` if a group holds a pair that may not meet or has fewer than 2 people.
pub fn evaluate(
    people: usize,
    scores: &[PeerEdge],
    missing: MissingPairs,
    groups: &[Vec<u32>],
) -> Option<f64> {
    let s = Scores::new(people, scores, missing).ok()?;
    let mut total = 0.0;
    for g in groups {
        if g.len() < 2 {
            return None;
        }
        let mut sum: i128 = 0;
        for i in 0..g.len() {
            for j in i + 1..g.len() {
                sum += i128::from(s.get(g[i], g[j])?);
            }
        }
        total += sum as f64 / pairs_in(g.len());
    }
    Some(if groups.is_empty() {
        0.0
    } else {
        total / groups.len() as f64
    })
}

/// Working state: group of each person, members of each group, and sums.
struct State<'s> {
    sc: &'s Scores,
    min: usize,
    max: usize,
    need_leaders: usize,
    is_leader: Vec<bool>,
    group_of: Vec<u32>,
    members: Vec<Vec<u32>>,
    sum: Vec<i64>,
    leaders_in: Vec<usize>,
}

const NO_GROUP: u32 = u32::MAX;

/// Starting annealing temperature, as a share of the mean listed score.
const ANNEAL_T0: f64 = 0.02;
/// Final annealing temperature, as a share of the mean listed score.
const ANNEAL_T1: f64 = 0.0002;

impl<'s> State<'s> {
    /// Sum of x's scores to the members of group g (excluding x), and how many of
    /// them x may meet.
    fn affinity(&self, x: u32, g: u32) -> (i64, usize) {
        let mut s = 0i64;
        let mut c = 0usize;
        for i in self.sc.range(x) {
            let y = self.sc.nbr[i];
            if y != x && self.group_of[y as usize] == g {
                s += self.sc.w[i];
                c += 1;
            }
        }
        let others = self.members[g as usize].len() - usize::from(self.group_of[x as usize] == g);
        if self.sc.missing == MissingPairs::Zero {
            c = others;
        }
        (s, c)
    }

    fn term(sum: i64, size: usize) -> f64 {
        if size < 2 {
            0.0
        } else {
            sum as f64 / pairs_in(size)
        }
    }

    fn add(&mut self, x: u32, g: u32) {
        let (a, _) = self.affinity(x, g);
        self.sum[g as usize] += a;
        self.members[g as usize].push(x);
        self.group_of[x as usize] = g;
        if self.is_leader[x as usize] {
            self.leaders_in[g as usize] += 1;
        }
    }

    fn remove(&mut self, x: u32) {
        let g = self.group_of[x as usize];
        let (a, _) = self.affinity(x, g);
        self.sum[g as usize] -= a;
        let m = &mut self.members[g as usize];
        let pos = m.iter().position(|&y| y == x).expect("member");
        m.swap_remove(pos);
        self.group_of[x as usize] = NO_GROUP;
        if self.is_leader[x as usize] {
            self.leaders_in[g as usize] -= 1;
        }
    }

    /// Local search, then exact two-group re-partitions alternating with it,
    /// until neither improves (or `passes` rounds run out).
    fn polish(&mut self, rng: &mut ChaCha8Rng, passes: usize) {
        self.local_search(rng, passes);
        for _ in 0..passes {
            if !self.pair_pass(rng) {
                break;
            }
            self.local_search(rng, passes);
        }
    }

    /// Improves by moves and swaps until a pass finds nothing or `passes` run out.
    fn local_search(&mut self, rng: &mut ChaCha8Rng, passes: usize) {
        let n = self.group_of.len();
        let mut order: Vec<u32> = (0..n as u32)
            .filter(|&x| self.group_of[x as usize] != NO_GROUP)
            .collect();
        let mut cand: Vec<u32> = Vec::new();
        for _ in 0..passes {
            order.shuffle(rng);
            let mut improved = false;
            for &x in &order {
                let a = self.group_of[x as usize];
                cand.clear();
                for i in self.sc.range(x) {
                    let g = self.group_of[self.sc.nbr[i] as usize];
                    if g != a && g != NO_GROUP {
                        cand.push(g);
                    }
                }
                cand.sort_unstable();
                cand.dedup();
                if let Some(best) = self.best_change(x, &cand) {
                    self.apply(x, best);
                    improved = true;
                }
            }
            if !improved {
                break;
            }
        }
    }

    /// Re-partitions two groups at a time, exactly: for each group `a` and each
    /// group `b` holding one of its members' neighbours, tries every split of
    /// `a ∪ b` into two groups that respect sizes, leaders and hard constraints, and
    /// keeps the best. Covers every swap of one or two people between the two.
    /// Returns whether anything improved. Skipped when `a ∪ b` exceeds 12 people.
    fn pair_pass(&mut self, rng: &mut ChaCha8Rng) -> bool {
        let mut order: Vec<u32> = (0..self.members.len() as u32)
            .filter(|&g| !self.members[g as usize].is_empty())
            .collect();
        order.shuffle(rng);
        let mut improved = false;
        let mut cand: Vec<u32> = Vec::new();
        let mut u: Vec<u32> = Vec::new();
        let mut sums: Vec<i64> = Vec::new();
        for &a in &order {
            cand.clear();
            for &x in &self.members[a as usize] {
                for i in self.sc.range(x) {
                    let g = self.group_of[self.sc.nbr[i] as usize];
                    if g != a && g != NO_GROUP {
                        cand.push(g);
                    }
                }
            }
            cand.sort_unstable();
            cand.dedup();
            for &b in &cand {
                let (na, nb) = (
                    self.members[a as usize].len(),
                    self.members[b as usize].len(),
                );
                let n = na + nb;
                if n > 12 || na == 0 || nb == 0 {
                    continue;
                }
                u.clear();
                u.extend_from_slice(&self.members[a as usize]);
                u.extend_from_slice(&self.members[b as usize]);
                // Pair scores; forbidden pairs poison any subset holding both.
                let mut m = [[0i64; 12]; 12];
                let mut bad = [0u16; 12];
                for i in 0..n {
                    for j in i + 1..n {
                        match self.sc.get(u[i], u[j]) {
                            Some(w) => {
                                m[i][j] = w;
                                m[j][i] = w;
                            }
                            None => {
                                bad[i] |= 1 << j;
                                bad[j] |= 1 << i;
                            }
                        }
                    }
                }
                let full: u16 = ((1u32 << n) - 1) as u16;
                sums.clear();
                sums.resize(1 << n, 0);
                let mut ok = vec![true; 1 << n];
                for sset in 1..(1usize << n) {
                    let i = sset.trailing_zeros() as usize;
                    let rest = sset & (sset - 1);
                    let mut add = 0;
                    let mut r = rest;
                    while r != 0 {
                        let j = r.trailing_zeros() as usize;
                        add += m[i][j];
                        r &= r - 1;
                    }
                    sums[sset] = sums[rest] + add;
                    ok[sset] = ok[rest] && (bad[i] as usize & rest) == 0;
                }
                let leader_mask: usize = (0..n)
                    .filter(|&i| self.is_leader[u[i] as usize])
                    .map(|i| 1usize << i)
                    .sum();
                let amask: usize = (1 << na) - 1;
                let current =
                    Self::term(sums[amask], na) + Self::term(sums[full as usize ^ amask], nb);
                let mut best = current + 1e-9 * current.abs().max(1.0);
                let mut best_set = None;
                // Subsets holding u[0] (the other side is the complement).
                for sset in (1..(1usize << n)).step_by(2) {
                    let t = full as usize ^ sset;
                    let (ls, lt) = (sset.count_ones() as usize, t.count_ones() as usize);
                    if ls < self.min || ls > self.max || lt < self.min || lt > self.max {
                        continue;
                    }
                    if !ok[sset] || !ok[t] {
                        continue;
                    }
                    if self.need_leaders > 0
                        && ((sset & leader_mask).count_ones() as usize) < self.need_leaders
                        || ((t & leader_mask).count_ones() as usize) < self.need_leaders
                    {
                        continue;
                    }
                    let v = Self::term(sums[sset], ls) + Self::term(sums[t], lt);
                    if v > best {
                        best = v;
                        best_set = Some(sset);
                    }
                }
                if let Some(sset) = best_set {
                    for &x in &u {
                        self.remove(x);
                    }
                    for (i, &x) in u.iter().enumerate() {
                        self.add(x, if sset >> i & 1 == 1 { a } else { b });
                    }
                    improved = true;
                }
            }
        }
        improved
    }

    /// Gain of moving `x` into group `b` (`y = None`) or swapping it with `y` in `b`,
    /// or `None` when the change breaks sizes, leaders or hard constraints.
    fn change_gain(&self, x: u32, b: u32, y: Option<u32>) -> Option<f64> {
        let a = self.group_of[x as usize];
        let (sa, na) = (self.sum[a as usize], self.members[a as usize].len());
        let (sb, nb) = (self.sum[b as usize], self.members[b as usize].len());
        let base = Self::term(sa, na) + Self::term(sb, nb);
        let (ax, _) = self.affinity(x, a);
        let (bx, cx) = self.affinity(x, b);
        let x_leader = self.is_leader[x as usize];
        match y {
            None => {
                let leaders_ok = !x_leader || self.leaders_in[a as usize] > self.need_leaders;
                (na > self.min && nb < self.max && cx == nb && leaders_ok)
                    .then(|| Self::term(sa - ax, na - 1) + Self::term(sb + bx, nb + 1) - base)
            }
            Some(y) => {
                let y_leader = self.is_leader[y as usize];
                if x_leader != y_leader {
                    let lose = if x_leader { a } else { b };
                    if self.leaders_in[lose as usize] <= self.need_leaders {
                        return None;
                    }
                }
                let sxy = self.sc.get(x, y);
                let x_meets_y = usize::from(sxy.is_some());
                let (ay, cy) = self.affinity(y, a);
                if cy - x_meets_y != na - 1 || cx - x_meets_y != nb - 1 {
                    return None;
                }
                let sxy = sxy.unwrap_or(0);
                let (by, _) = self.affinity(y, b);
                let new_a = sa - ax + ay - sxy;
                let new_b = sb - by + bx - sxy;
                Some(Self::term(new_a, na) + Self::term(new_b, nb) - base)
            }
        }
    }

    /// Simulated annealing over moves and swaps towards the groups of a random
    /// neighbour: a change is taken when it gains, or with probability
    /// `exp(gain / T)` when it loses, with `T` falling geometrically from `t0` to
    /// `t1` over `steps` steps. It escapes the local optima the exact moves stop
    /// at; the caller polishes the result and keeps it only when it is better.
    fn anneal(&mut self, rng: &mut ChaCha8Rng, steps: usize, t0: f64, t1: f64) {
        let people: Vec<u32> = (0..self.group_of.len() as u32)
            .filter(|&x| self.group_of[x as usize] != NO_GROUP && self.sc.degree(x) > 0)
            .collect();
        if people.is_empty() || steps == 0 || t0 <= 0.0 || t1 <= 0.0 {
            return;
        }
        let decay = (t1 / t0).powf(1.0 / steps as f64);
        let moves = self.min < self.max;
        let mut t = t0;
        for _ in 0..steps {
            t *= decay;
            let x = people[rng.random_range(0..people.len())];
            let r = self.sc.range(x);
            let y = self.sc.nbr[r.start + rng.random_range(0..r.len())];
            let (a, b) = (self.group_of[x as usize], self.group_of[y as usize]);
            if b == NO_GROUP || a == b {
                continue;
            }
            let other = if moves && rng.random_range(0..4u32) == 0 {
                None
            } else {
                let m = &self.members[b as usize];
                Some(m[rng.random_range(0..m.len())])
            };
            let Some(gain) = self.change_gain(x, b, other) else {
                continue;
            };
            if gain > 0.0 || rng.random::<f64>() < (gain / t).exp() {
                self.apply(x, (b, other));
            }
        }
    }

    /// Sum over groups of the mean pairwise score.
    fn total(&self) -> f64 {
        (0..self.members.len())
            .map(|g| Self::term(self.sum[g], self.members[g].len()))
            .sum()
    }

    /// Best improving move or swap of x into one of `cand` groups.
    fn best_change(&self, x: u32, cand: &[u32]) -> Option<(u32, Option<u32>)> {
        let a = self.group_of[x as usize];
        let (sa, na) = (self.sum[a as usize], self.members[a as usize].len());
        let (ax, _) = self.affinity(x, a);
        let x_leader = self.is_leader[x as usize];
        let base_a = Self::term(sa, na);
        let mut best: Option<(u32, Option<u32>)> = None;
        let mut best_gain = 1e-9;
        for &b in cand {
            let (sb, nb) = (self.sum[b as usize], self.members[b as usize].len());
            let base = base_a + Self::term(sb, nb);
            let (bx, cx) = self.affinity(x, b);
            // Move x from a to b.
            let leaders_ok = !x_leader || self.leaders_in[a as usize] > self.need_leaders;
            if na > self.min && nb < self.max && cx == nb && leaders_ok {
                let gain = Self::term(sa - ax, na - 1) + Self::term(sb + bx, nb + 1) - base;
                if gain > best_gain {
                    best_gain = gain;
                    best = Some((b, None));
                }
            }
            // Swap x with y in b.
            for &y in &self.members[b as usize] {
                let y_leader = self.is_leader[y as usize];
                if x_leader != y_leader {
                    let (lose, gain_g) = if x_leader { (a, b) } else { (b, a) };
                    let _ = gain_g;
                    if self.leaders_in[lose as usize] <= self.need_leaders {
                        continue;
                    }
                }
                let sxy = self.sc.get(x, y).unwrap_or(0);
                let (ay, cy) = self.affinity(y, a);
                // y meets everyone in a except x; x meets everyone in b except y.
                let x_meets_y = usize::from(self.sc.get(x, y).is_some());
                if cy - x_meets_y != na - 1 || cx - x_meets_y != nb - 1 {
                    continue;
                }
                let (by, _) = self.affinity(y, b);
                let new_a = sa - ax + ay - sxy;
                let new_b = sb - by + bx - sxy;
                let gain = Self::term(new_a, na) + Self::term(new_b, nb) - base;
                if gain > best_gain {
                    best_gain = gain;
                    best = Some((b, Some(y)));
                }
            }
        }
        best
    }

    fn apply(&mut self, x: u32, change: (u32, Option<u32>)) {
        let (b, y) = change;
        let a = self.group_of[x as usize];
        self.remove(x);
        if let Some(y) = y {
            self.remove(y);
            self.add(y, a);
        }
        self.add(x, b);
    }
}

/// Forms groups; see the module documentation for the contract.
pub fn form_groups(p: &GroupsProblem<'_>) -> Result<Grouping, GroupsError> {
    if p.min < 2 || p.max < p.min {
        return Err(GroupsError::Sizes {
            min: p.min,
            max: p.max,
        });
    }
    if p.leaders_per_group >= p.max {
        return Err(GroupsError::Leaders {
            leaders: p.leaders_per_group,
            max: p.max,
        });
    }
    let sc = Scores::new(p.people, p.scores, p.missing)?;
    let n = p.people;
    let mut is_leader = vec![false; n];
    for &l in p.leaders {
        if l as usize >= n {
            return Err(GroupsError::Input(format!(
                "leader {l} is out of range ({n} people)"
            )));
        }
        is_leader[l as usize] = true;
    }
    let lpg = p.leaders_per_group;
    let mut unplaced: Vec<Unplaced> = Vec::new();
    // People who cannot meet enough others for a smallest group.
    let mut active = vec![true; n];
    if p.missing == MissingPairs::Forbidden {
        for v in 0..n as u32 {
            let have = sc.degree(v);
            if have < p.min - 1 {
                active[v as usize] = false;
                unplaced.push(Unplaced {
                    person: v,
                    reason: UnplacedReason::TooFewCompatible {
                        have,
                        need: p.min - 1,
                    },
                });
            }
        }
    } else if n < p.min {
        for v in 0..n as u32 {
            active[v as usize] = false;
            unplaced.push(Unplaced {
                person: v,
                reason: UnplacedReason::TooFewCompatible {
                    have: n.saturating_sub(1),
                    need: p.min - 1,
                },
            });
        }
    }
    let mut st = State {
        sc: &sc,
        min: p.min,
        max: p.max,
        need_leaders: lpg,
        is_leader: is_leader.clone(),
        group_of: vec![NO_GROUP; n],
        members: Vec::new(),
        sum: Vec::new(),
        leaders_in: Vec::new(),
    };
    // Who is grouped first: everyone, or the non-leaders when leaders are required.
    let first: Vec<u32> = (0..n as u32)
        .filter(|&v| active[v as usize] && (lpg == 0 || !is_leader[v as usize]))
        .collect();
    let (cmin, cmax) = if lpg == 0 {
        (p.min, p.max)
    } else {
        ((p.min - lpg).max(1), p.max - lpg)
    };
    let mut clusters = merge_rounds(&sc, &first, cmin, cmax);
    let n_leaders = (0..n).filter(|&v| active[v] && is_leader[v]).count();
    let max_groups = n_leaders.checked_div(lpg).unwrap_or(usize::MAX);
    repair(
        &sc,
        &mut clusters,
        cmin,
        cmax,
        max_groups,
        &mut unplaced,
        lpg > 0,
    );
    for c in &clusters {
        let g = st.members.len() as u32;
        st.members.push(Vec::new());
        st.sum.push(0);
        st.leaders_in.push(0);
        for &x in c {
            st.add(x, g);
        }
    }
    if lpg > 0 {
        assign_leaders(&mut st, &sc, &active, lpg, &mut unplaced);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
    st.polish(&mut rng, p.max_passes);
    let placed = st.group_of.iter().filter(|&&g| g != NO_GROUP).count();
    let steps = p.anneal_steps.saturating_mul(placed).min(MAX_ANNEAL_STEPS);
    if steps > 0 {
        // Temperatures relative to the mean listed score: a loss of a few
        // percent of a typical pair is often taken at first, hardly ever at the end.
        let mean_w = if sc.w.is_empty() {
            0.0
        } else {
            sc.w.iter().map(|&w| w.unsigned_abs() as f64).sum::<f64>() / sc.w.len() as f64
        };
        let before = (
            st.total(),
            st.group_of.clone(),
            st.members.clone(),
            st.sum.clone(),
            st.leaders_in.clone(),
        );
        st.anneal(&mut rng, steps, ANNEAL_T0 * mean_w, ANNEAL_T1 * mean_w);
        st.polish(&mut rng, p.max_passes);
        if st.total() < before.0 {
            (_, st.group_of, st.members, st.sum, st.leaders_in) = before;
        }
    }

    // Results.
    let mut groups = Vec::new();
    let mut total = 0.0;
    for g in 0..st.members.len() {
        let mut m = st.members[g].clone();
        if m.is_empty() {
            continue;
        }
        m.sort_unstable_by_key(|&x| (!st.is_leader[x as usize], x));
        let leaders = if lpg == 0 {
            0
        } else {
            m.iter().filter(|&&x| st.is_leader[x as usize]).count()
        };
        let mean = State::term(st.sum[g], m.len());
        total += mean;
        groups.push(Group {
            members: m,
            leaders,
            mean,
        });
    }
    groups.sort_by_key(|g| g.members[0]);
    let objective = if groups.is_empty() {
        0.0
    } else {
        total / groups.len() as f64
    };
    let placed: Vec<u32> = groups
        .iter()
        .flat_map(|g| g.members.iter().copied())
        .collect();
    let per_person_bound = upper_bound(&sc, &placed, p.min, p.max).max(objective);
    let upper_bound = if p.min == p.max {
        dual_bound(&sc, &placed, p.min, DUAL_SWEEPS)
            .map_or(per_person_bound, |d| d.min(per_person_bound))
            .max(objective)
    } else {
        per_person_bound
    };
    unplaced.sort_by_key(|u| u.person);
    Ok(Grouping {
        groups,
        unplaced,
        objective,
        upper_bound,
        per_person_bound,
    })
}

/// Clusters `people` by rounds of maximum matchings between clusters below `min`.
fn merge_rounds(sc: &Scores, people: &[u32], min: usize, max: usize) -> Vec<Vec<u32>> {
    let n = sc.start.len() - 1;
    let mut clusters: Vec<Vec<u32>> = people.iter().map(|&v| vec![v]).collect();
    let mut cluster_of = vec![u32::MAX; n];
    loop {
        for (i, c) in clusters.iter().enumerate() {
            for &x in c {
                cluster_of[x as usize] = i as u32;
            }
        }
        // Cross sums and counts between clusters that may merge.
        let mut cross: HashMap<(u32, u32), (i64, usize)> = HashMap::new();
        for (i, c) in clusters.iter().enumerate() {
            if c.len() >= min {
                continue;
            }
            for &x in c {
                for k in sc.range(x) {
                    let j = cluster_of[sc.nbr[k] as usize];
                    if j == u32::MAX || j as usize == i {
                        continue;
                    }
                    let other = &clusters[j as usize];
                    if c.len() + other.len() > max || (other.len() >= min && (j as usize) < i) {
                        continue;
                    }
                    // Count each cross pair once: from the smaller index when both are small.
                    if other.len() < min && (j as usize) < i {
                        continue;
                    }
                    let e = cross.entry((i as u32, j)).or_insert((0, 0));
                    e.0 += sc.w[k];
                    e.1 += 1;
                }
            }
        }
        let mut edges: Vec<PeerEdge> = cross
            .into_iter()
            .filter(|&((i, j), (_, cnt))| {
                sc.missing == MissingPairs::Zero
                    || cnt == clusters[i as usize].len() * clusters[j as usize].len()
            })
            .map(|((i, j), (s, _))| PeerEdge {
                a: i,
                b: j,
                weight: s,
            })
            .collect();
        edges.sort_unstable_by_key(|e| (e.a, e.b));
        if edges.is_empty() {
            return clusters;
        }
        let m = max_weight_matching(clusters.len(), &edges, Objective::MaxCardinality)
            .expect("cluster graph is valid");
        if m.pairs == 0 {
            return clusters;
        }
        let mut next = Vec::with_capacity(clusters.len() - m.pairs);
        for (i, c) in clusters.iter().enumerate() {
            match m.mate[i] {
                Some(j) if (j as usize) < i => {}
                Some(j) => {
                    let mut merged = c.clone();
                    merged.extend_from_slice(&clusters[j as usize]);
                    next.push(merged);
                }
                None => next.push(c.clone()),
            }
        }
        clusters = next;
    }
}

/// Whether x may join cluster c (meets everyone in it).
fn fits(sc: &Scores, x: u32, c: &[u32]) -> bool {
    sc.missing == MissingPairs::Zero || c.iter().all(|&y| sc.get(x, y).is_some())
}

fn cross_sum(sc: &Scores, x: u32, c: &[u32]) -> i64 {
    c.iter().map(|&y| sc.get(x, y).unwrap_or(0)).sum()
}

/// The cluster with room that `x` fits best: clusters below `min` first, then the
/// highest mean score towards the members.
fn best_home(sc: &Scores, x: u32, clusters: &[Vec<u32>], min: usize, max: usize) -> Option<usize> {
    let mut best: Option<(usize, (bool, f64))> = None;
    for (j, c) in clusters.iter().enumerate() {
        if c.len() >= max || !fits(sc, x, c) {
            continue;
        }
        let mean = cross_sum(sc, x, c) as f64 / c.len().max(1) as f64;
        let key = (c.len() < min, mean);
        if best.is_none_or(|(_, b)| key > b) {
            best = Some((j, key));
        }
    }
    best.map(|(j, _)| j)
}

/// Fixes clusters below `min` (merging or dissolving them) and, when `max_groups` is
/// limited, dissolves the weakest clusters until few enough remain.
fn repair(
    sc: &Scores,
    clusters: &mut Vec<Vec<u32>>,
    min: usize,
    max: usize,
    max_groups: usize,
    unplaced: &mut Vec<Unplaced>,
    leaders: bool,
) {
    let mut homeless: Vec<u32> = Vec::new();
    // Too many clusters for the leaders: dissolve the smallest, weakest ones.
    if clusters.len() > max_groups {
        clusters.sort_by_key(|c| std::cmp::Reverse(c.len()));
        let extra = clusters.split_off(max_groups);
        for x in extra.into_iter().flatten() {
            match best_home(sc, x, clusters, min, max) {
                Some(j) => clusters[j].push(x),
                None => homeless.push(x),
            }
        }
    }
    // Small clusters: merge with another small one if the union fits, else
    // dissolve, inserting each member where it fits best (small clusters first).
    // Every round removes one cluster, so this ends.
    loop {
        clusters.sort_by_key(|c| c.len());
        let Some(pos) = clusters.iter().position(|c| c.len() < min) else {
            break;
        };
        let small = clusters.remove(pos);
        let mut best: Option<(usize, f64)> = None;
        for (j, c) in clusters.iter().enumerate() {
            if c.len() >= min || c.len() + small.len() > max {
                continue;
            }
            if !small.iter().all(|&x| fits(sc, x, c)) {
                continue;
            }
            let s: i64 = small.iter().map(|&x| cross_sum(sc, x, c)).sum();
            let mean = s as f64 / (small.len() * c.len()) as f64;
            if best.is_none_or(|(_, b)| mean > b) {
                best = Some((j, mean));
            }
        }
        if let Some((j, _)) = best {
            clusters[j].extend(small);
            continue;
        }
        // Take people from clusters above min when there are enough of them.
        let surplus: usize = clusters.iter().map(|c| c.len().saturating_sub(min)).sum();
        if surplus >= min - small.len() {
            let mut small = small;
            while small.len() < min {
                let mut pick: Option<(usize, usize, i64)> = None;
                for (j, c) in clusters.iter().enumerate() {
                    if c.len() <= min {
                        continue;
                    }
                    for (i, &y) in c.iter().enumerate() {
                        if !fits(sc, y, &small) {
                            continue;
                        }
                        let gain = cross_sum(sc, y, &small) - cross_sum(sc, y, c);
                        if pick.is_none_or(|(_, _, g)| gain > g) {
                            pick = Some((j, i, gain));
                        }
                    }
                }
                let Some((j, i, _)) = pick else { break };
                let y = clusters[j].swap_remove(i);
                small.push(y);
            }
            if small.len() >= min {
                clusters.push(small);
                continue;
            }
            for x in small {
                match best_home(sc, x, clusters, min, max) {
                    Some(j) => clusters[j].push(x),
                    None => homeless.push(x),
                }
            }
            continue;
        }
        for x in small {
            match best_home(sc, x, clusters, min, max) {
                Some(j) => clusters[j].push(x),
                None => homeless.push(x),
            }
        }
    }
    // Insert the homeless where they fit best (clusters below min first).
    homeless.sort_unstable();
    let mut retry = true;
    while retry && !homeless.is_empty() {
        retry = false;
        let mut left = Vec::new();
        for x in std::mem::take(&mut homeless) {
            let best = best_home(sc, x, clusters, min, max);
            match best {
                Some(j) => {
                    clusters[j].push(x);
                    retry = true;
                }
                None => left.push(x),
            }
        }
        homeless = left;
    }
    // Whatever could not be placed, and clusters still too small, are reported.
    let mut keep = Vec::new();
    for c in clusters.drain(..) {
        if c.len() >= min {
            keep.push(c);
        } else {
            homeless.extend(c);
        }
    }
    *clusters = keep;
    for x in homeless {
        unplaced.push(Unplaced {
            person: x,
            reason: if leaders {
                UnplacedReason::NotEnoughLeaders
            } else {
                UnplacedReason::NoRoom
            },
        });
    }
}

/// Gives every group `lpg` leaders through blossom rounds (a bipartite matching of
/// leaders to groups by affinity), then places extra leaders where there is room.
fn assign_leaders(
    st: &mut State<'_>,
    sc: &Scores,
    active: &[bool],
    lpg: usize,
    unplaced: &mut Vec<Unplaced>,
) {
    let n = active.len();
    let groups = st.members.len();
    let mut free: Vec<u32> = (0..n as u32)
        .filter(|&v| active[v as usize] && st.is_leader[v as usize])
        .collect();
    for _ in 0..lpg {
        // Vertices: groups 0..G, then free leaders G..G+L.
        let mut edges = Vec::new();
        for (li, &l) in free.iter().enumerate() {
            for g in 0..groups {
                let c = &st.members[g];
                if c.len() >= st.max || !fits(sc, l, c) {
                    continue;
                }
                let w = cross_sum(sc, l, c);
                if sc.missing == MissingPairs::Zero && w == 0 && groups > 64 {
                    continue; // keep the graph sparse; zero-affinity leaders come later
                }
                edges.push(PeerEdge {
                    a: g as u32,
                    b: (groups + li) as u32,
                    weight: w,
                });
            }
        }
        let m = max_weight_matching(groups + free.len(), &edges, Objective::MaxCardinality)
            .expect("leader graph is valid");
        let mut used = vec![false; free.len()];
        for g in 0..groups {
            if let Some(v) = m.mate[g] {
                let li = v as usize - groups;
                used[li] = true;
                st.add(free[li], g as u32);
            }
        }
        free = free
            .iter()
            .enumerate()
            .filter(|(i, _)| !used[*i])
            .map(|(_, &l)| l)
            .collect();
        // Groups the matching could not serve take any leader that fits.
        for g in 0..groups {
            if st.leaders_in[g] >= st.need_leaders.min(lpg) {
                continue;
            }
            if let Some(pos) = free
                .iter()
                .position(|&l| st.members[g].len() < st.max && fits(sc, l, &st.members[g]))
            {
                let l = free.remove(pos);
                st.add(l, g as u32);
            }
        }
    }
    // Groups still without enough leaders are dissolved: their people cannot be placed.
    for g in 0..groups {
        if st.leaders_in[g] < lpg {
            for x in std::mem::take(&mut st.members[g]) {
                st.group_of[x as usize] = NO_GROUP;
                if st.is_leader[x as usize] {
                    free.push(x);
                } else {
                    unplaced.push(Unplaced {
                        person: x,
                        reason: UnplacedReason::NotEnoughLeaders,
                    });
                }
            }
            st.sum[g] = 0;
            st.leaders_in[g] = 0;
        }
    }
    // Extra leaders join where they fit best.
    for l in free {
        let mut best: Option<(usize, f64)> = None;
        for g in 0..groups {
            let c = &st.members[g];
            if c.is_empty() || c.len() >= st.max || !fits(sc, l, c) {
                continue;
            }
            let mean = cross_sum(sc, l, c) as f64 / c.len() as f64;
            if best.is_none_or(|(_, b)| mean > b) {
                best = Some((g, mean));
            }
        }
        match best {
            Some((g, _)) => st.add(l, g as u32),
            None => unplaced.push(Unplaced {
                person: l,
                reason: UnplacedReason::NoRoom,
            }),
        }
    }
}

/// Coordinate-descent sweeps of [`dual_bound`]. On the bench instances a second
/// sweep moved the bound by less than one part in 10^9, at twice the cost.
const DUAL_SWEEPS: usize = 1;

/// Upper bound on the objective for groups made of `placed` (see the module doc).
fn upper_bound(sc: &Scores, placed: &[u32], min: usize, max: usize) -> f64 {
    let n = placed.len();
    if n < 2 {
        return 0.0;
    }
    let in_set = {
        let mut v = vec![false; sc.start.len() - 1];
        for &x in placed {
            v[x as usize] = true;
        }
        v
    };
    // a[x][s - min] = mean of x's best s - 1 scores towards other placed people.
    let sizes: Vec<usize> = (min..=max.min(n)).collect();
    let mut vals: Vec<Vec<f64>> = vec![Vec::with_capacity(n); sizes.len()];
    let mut buf: Vec<i64> = Vec::new();
    for &x in placed {
        buf.clear();
        for k in sc.range(x) {
            if in_set[sc.nbr[k] as usize] {
                buf.push(sc.w[k]);
            }
        }
        if sc.missing == MissingPairs::Zero {
            let zeros = (n - 1).saturating_sub(buf.len()).min(max);
            buf.extend(std::iter::repeat_n(0, zeros));
        }
        buf.sort_unstable_by(|a, b| b.cmp(a));
        let mut prefix: i128 = 0;
        let mut si = 0;
        for t in 1..=max.min(n) - 1 {
            prefix += i128::from(buf.get(t - 1).copied().unwrap_or(i64::MIN / 4));
            if si < sizes.len() && sizes[si] == t + 1 {
                vals[si].push(prefix as f64 / t as f64);
                si += 1;
            }
        }
    }
    if sizes.len() == 1 {
        return vals[0].iter().sum::<f64>() / n as f64;
    }
    // Values of the smallest size bound every larger size; sort them.
    let mut a = vals[0].clone();
    a.sort_unstable_by(|x, y| y.total_cmp(x));
    let prefix: Vec<f64> = std::iter::once(0.0)
        .chain(a.iter().scan(0.0, |s, &v| {
            *s += v;
            Some(*s)
        }))
        .collect();
    let gmax = n / min;
    let work = n.saturating_mul(gmax).saturating_mul(max - min + 1);
    if work > 50_000_000 {
        // Loose: a group's mean is at most its best member's value.
        let mut best = f64::NEG_INFINITY;
        for (g, p) in prefix
            .iter()
            .enumerate()
            .take(gmax + 1)
            .skip(n.div_ceil(max))
        {
            best = best.max(p / g as f64);
        }
        return best;
    }
    // best[i][g]: max sum of block means over the first i values in g blocks.
    let neg = f64::NEG_INFINITY;
    let mut best = vec![neg; (n + 1) * (gmax + 1)];
    best[0] = 0.0;
    for i in 1..=n {
        for g in 1..=gmax.min(i / min) {
            let mut v = neg;
            for s in min..=max.min(i) {
                let prev = best[(i - s) * (gmax + 1) + g - 1];
                if prev > neg {
                    v = v.max(prev + (prefix[i] - prefix[i - s]) / s as f64);
                }
            }
            best[i * (gmax + 1) + g] = v;
        }
    }
    let mut ub = neg;
    for g in 1..=gmax {
        let v = best[n * (gmax + 1) + g];
        if v > neg {
            ub = ub.max(v / g as f64);
        }
    }
    ub
}

/// Branch and bound over the connected sets containing one person (ESU order:
/// every set once), for [`dual_bound`].
struct Search<'a> {
    k: usize,
    pairs: f64,
    start: &'a [usize],
    nbr: &'a [u32],
    w: &'a [f64],
    /// Per person: the most adding them can raise phi (cap less price).
    gain: Vec<f64>,
    /// Per person: the largest `gain` among their neighbours.
    near: Vec<f64>,
    gmax: f64,
    best: f64,
    /// Extension lists, stacked: a call owns `arena[lo..hi]` and pushes its
    /// children's lists above `hi`.
    arena: Vec<u32>,
}

impl Search<'_> {
    fn weight(&self, a: u32, b: u32) -> Option<f64> {
        let r = self.start[a as usize]..self.start[a as usize + 1];
        self.nbr[r.clone()]
            .binary_search(&b)
            .ok()
            .map(|i| self.w[r.start + i])
    }

    /// Explores every connected set `set[..len] + some of arena[lo..hi] + ...`.
    fn extend(
        &mut self,
        set: &mut [u32; 8],
        len: usize,
        phi: f64,
        u: &[f64],
        lo: usize,
        hi: usize,
    ) {
        if phi > self.best {
            self.best = phi;
        }
        let room = self.k - len;
        if room == 0 || lo == hi {
            return;
        }
        let top = self.arena[lo..hi]
            .iter()
            .map(|&y| self.gain[y as usize])
            .fold(0.0f64, f64::max);
        for i in lo..hi {
            let wv = self.arena[i];
            let mut add = 0.0;
            for &s in &set[..len] {
                if let Some(x) = self.weight(s, wv) {
                    add += x;
                }
            }
            let next_phi = phi + add / self.pairs - u[wv as usize];
            // The rest of the set: one more from the remaining extension or wv's
            // neighbours, then any (two steps out or more). Every term is >= 0.
            let later = if room >= 2 {
                top.max(self.near[wv as usize]) + (room - 2) as f64 * self.gmax
            } else {
                0.0
            };
            if next_phi + later <= self.best {
                continue;
            }
            let mark = self.arena.len();
            if room >= 2 {
                self.arena.extend_from_within(i + 1..hi);
                let (a, b) = (self.start[wv as usize], self.start[wv as usize + 1]);
                for t in a..b {
                    let z = self.nbr[t];
                    // ESU: only neighbours of wv that no earlier member reaches.
                    if set[..len]
                        .iter()
                        .all(|&s| s != z && self.weight(s, z).is_none())
                    {
                        self.arena.push(z);
                    }
                }
            }
            set[len] = wv;
            let end = self.arena.len();
            self.extend(set, len + 1, next_phi, u, mark, end);
            self.arena.truncate(mark);
        }
    }
}

/// A tighter bound for groups that all have size `k`, from the dual of the
/// set-partitioning LP: any `u` with `mean(g) <= sum of u over g` for every
/// possible group `g` gives `objective <= k * sum(u) / n`.
///
/// This is checkable because a group's score splits: divide `g` into the
/// components of its listed pairs; `mean(g) - u(g)` is the sum, over components
/// `C`, of `phi(C) = T(C) / pairs(k) - u(C)` (unlisted pairs add 0 or are
/// forbidden). So `phi(C) <= 0` for every connected set of at most `k` placed
/// people is enough. Starting from `u_x = b_x / (k (k - 1))`, with `b_x` the sum of
/// `x`'s best `k - 1` positive scores (the per-person bound of [`upper_bound`]),
/// coordinate descent lowers each `u_x` by its slack, `-max phi(C)` over the
/// connected sets containing `x` (enumerated once each from `x`, ESU style, with a
/// branch-and-bound cut). Every step keeps `u` feasible, so the result is a valid
/// bound however few sweeps run. `None` for `k` outside `2..=8` or when the work
/// estimate is too large.
///
/// Cost: per sweep, the connected sets of size `<= k` around each person that
/// survive the cut; `O(n deg^(k-1))` in the worst case.
fn dual_bound(sc: &Scores, placed: &[u32], k: usize, sweeps: usize) -> Option<f64> {
    let n = placed.len();
    if !(2..=8).contains(&k) || n < k {
        return None;
    }
    let total = sc.start.len() - 1;
    let mut local = vec![u32::MAX; total];
    for (i, &x) in placed.iter().enumerate() {
        local[x as usize] = i as u32;
    }
    // Adjacency among placed people, local ids, sorted, with weights.
    let mut start = Vec::with_capacity(n + 1);
    let mut nbr: Vec<u32> = Vec::new();
    let mut w: Vec<f64> = Vec::new();
    start.push(0usize);
    let mut tmp: Vec<(u32, f64)> = Vec::new();
    for &x in placed {
        tmp.clear();
        for e in sc.range(x) {
            let y = local[sc.nbr[e] as usize];
            if y != u32::MAX {
                tmp.push((y, sc.w[e] as f64));
            }
        }
        tmp.sort_unstable_by_key(|t| t.0);
        nbr.extend(tmp.iter().map(|t| t.0));
        w.extend(tmp.iter().map(|t| t.1));
        start.push(nbr.len());
    }
    let work: usize = (0..n)
        .map(|v| (start[v + 1] - start[v]).pow(2))
        .sum::<usize>()
        .saturating_mul(k.saturating_sub(2).max(1));
    if work > 200_000_000 {
        return None;
    }
    let pairs = pairs_in(k);
    // b_x / pairs: the most a person can add to a set's T / pairs.
    let mut gain_cap = vec![0.0f64; n];
    let mut u = vec![0.0f64; n];
    let mut buf: Vec<f64> = Vec::new();
    for v in 0..n {
        buf.clear();
        buf.extend(
            w[start[v]..start[v + 1]]
                .iter()
                .copied()
                .filter(|&s| s > 0.0),
        );
        buf.sort_unstable_by(|a, b| b.total_cmp(a));
        let b: f64 = buf.iter().take(k - 1).sum();
        gain_cap[v] = b / pairs;
        u[v] = b / pairs / 2.0;
    }
    // `gain[v] = gain_cap[v] - u[v]` bounds what adding `v` to any set can
    // raise phi by; `near[v]` is its largest value over v's neighbours, and
    // `gmax` over everyone. Both only grow as prices fall.
    let gain: Vec<f64> = (0..n).map(|v| gain_cap[v] - u[v]).collect();
    let near: Vec<f64> = (0..n)
        .map(|v| {
            nbr[start[v]..start[v + 1]]
                .iter()
                .map(|&z| gain[z as usize])
                .fold(0.0f64, f64::max)
        })
        .collect();
    let gmax = near.iter().copied().fold(0.0f64, f64::max);
    let mut search = Search {
        k,
        pairs,
        start: &start,
        nbr: &nbr,
        w: &w,
        gain,
        near,
        gmax,
        best: 0.0,
        arena: Vec::new(),
    };
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_unstable_by(|&a, &b| u[b as usize].total_cmp(&u[a as usize]));
    for _ in 0..sweeps {
        let mut lowered = 0.0;
        for &x in &order {
            let x = x as usize;
            search.best = -u[x];
            search.arena.clear();
            search.arena.extend_from_slice(&nbr[start[x]..start[x + 1]]);
            let mut set = [x as u32; 8];
            search.extend(&mut set, 1, -u[x], &u, 0, search.arena.len());
            // best >= -u[x] (the singleton); lower u[x] by the slack, less a hair
            // for rounding so every constraint still holds.
            let cut = -search.best - 1e-9 * (1.0 + u[x].abs());
            if cut > 0.0 {
                u[x] -= cut;
                lowered += cut;
                let g = gain_cap[x] - u[x];
                search.gain[x] = g;
                search.gmax = search.gmax.max(g);
                for &z in &nbr[start[x]..start[x + 1]] {
                    search.near[z as usize] = search.near[z as usize].max(g);
                }
            }
        }
        let sum: f64 = u.iter().sum();
        if lowered <= 1e-6 * sum.abs().max(1.0) {
            break;
        }
    }
    Some(k as f64 * u.iter().sum::<f64>() / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e(a: u32, b: u32, w: i64) -> PeerEdge {
        PeerEdge { a, b, weight: w }
    }

    /// Best objective over every partition of 0..n into groups of [min, max]
    /// (everyone placed), or None when impossible.
    fn brute(
        n: usize,
        scores: &[PeerEdge],
        missing: MissingPairs,
        min: usize,
        max: usize,
    ) -> Option<f64> {
        fn rec(next: usize, n: usize, groups: &mut Vec<Vec<u32>>, f: &mut dyn FnMut(&[Vec<u32>])) {
            if next == n {
                f(groups);
                return;
            }
            for g in 0..groups.len() {
                groups[g].push(next as u32);
                rec(next + 1, n, groups, f);
                groups[g].pop();
            }
            groups.push(vec![next as u32]);
            rec(next + 1, n, groups, f);
            groups.pop();
        }
        let mut best: Option<f64> = None;
        let mut groups = Vec::new();
        rec(0, n, &mut groups, &mut |gs| {
            if gs.iter().all(|g| g.len() >= min && g.len() <= max) {
                if let Some(v) = evaluate(n, scores, missing, gs) {
                    if best.is_none_or(|b| v > b) {
                        best = Some(v);
                    }
                }
            }
        });
        best
    }

    fn check_result(p: &GroupsProblem<'_>, r: &Grouping) {
        let mut seen = vec![false; p.people];
        for g in &r.groups {
            assert!(
                g.members.len() >= p.min && g.members.len() <= p.max,
                "{g:?}"
            );
            assert!(g.leaders >= p.leaders_per_group);
            for &x in &g.members {
                assert!(!seen[x as usize]);
                seen[x as usize] = true;
            }
        }
        for u in &r.unplaced {
            assert!(!seen[u.person as usize]);
            seen[u.person as usize] = true;
        }
        assert!(seen.iter().all(|&s| s), "everyone is placed or reported");
        let groups: Vec<Vec<u32>> = r.groups.iter().map(|g| g.members.clone()).collect();
        let v = evaluate(p.people, p.scores, p.missing, &groups).expect("hard constraints hold");
        assert!(
            (v - r.objective).abs() <= 1e-6 * v.abs().max(1.0),
            "{v} vs {}",
            r.objective
        );
        assert!(r.objective <= r.upper_bound + 1e-6 * r.upper_bound.abs().max(1.0));
    }

    #[test]
    fn two_obvious_circles() {
        // Two cliques of four with strong ties, weak ties across.
        let mut s = Vec::new();
        for a in 0..8u32 {
            for b in a + 1..8 {
                let w = if a / 4 == b / 4 { 90 } else { 10 };
                s.push(e(a, b, w));
            }
        }
        let p = GroupsProblem::new(8, &s, MissingPairs::Forbidden, 4, 4);
        let r = form_groups(&p).unwrap();
        check_result(&p, &r);
        assert_eq!(r.objective, 90.0);
        assert_eq!(r.upper_bound, 90.0);
    }

    #[test]
    fn isolated_person_is_reported() {
        let s = vec![e(0, 1, 5), e(1, 2, 5), e(0, 2, 5)];
        let p = GroupsProblem::new(4, &s, MissingPairs::Forbidden, 3, 3);
        let r = form_groups(&p).unwrap();
        check_result(&p, &r);
        assert_eq!(r.groups.len(), 1);
        assert_eq!(
            r.unplaced,
            vec![Unplaced {
                person: 3,
                reason: UnplacedReason::TooFewCompatible { have: 0, need: 2 }
            }]
        );
    }

    #[test]
    fn leaders_are_spread() {
        // Leaders 0 and 1 like each other most, but each group needs one.
        let mut s = vec![e(0, 1, 100)];
        for m in 2..6u32 {
            s.push(e(0, m, 10));
            s.push(e(1, m, 10));
        }
        s.push(e(2, 3, 50));
        s.push(e(4, 5, 50));
        let mut p = GroupsProblem::new(6, &s, MissingPairs::Zero, 3, 3);
        p.leaders = &[0, 1];
        p.leaders_per_group = 1;
        let r = form_groups(&p).unwrap();
        check_result(&p, &r);
        assert_eq!(r.groups.len(), 2);
        for g in &r.groups {
            assert_eq!(g.leaders, 1);
            assert!(g.members[0] <= 1);
        }
    }

    #[test]
    fn refuses_bad_sizes() {
        let p = GroupsProblem::new(3, &[], MissingPairs::Zero, 1, 3);
        assert!(matches!(form_groups(&p), Err(GroupsError::Sizes { .. })));
        let p = GroupsProblem::new(3, &[], MissingPairs::Zero, 4, 3);
        assert!(matches!(form_groups(&p), Err(GroupsError::Sizes { .. })));
    }

    fn arb_problem() -> impl Strategy<Value = (usize, Vec<PeerEdge>, bool, usize, usize)> {
        (4usize..=8, any::<bool>(), 2usize..=4, 0usize..=2).prop_flat_map(
            |(n, zero, min, extra)| {
                let pairs: Vec<(u32, u32)> = (0..n as u32)
                    .flat_map(|a| (a + 1..n as u32).map(move |b| (a, b)))
                    .collect();
                let len = pairs.len();
                (
                    Just(n),
                    proptest::collection::vec((any::<bool>(), 0i64..100), len).prop_map(
                        move |ws| {
                            pairs
                                .iter()
                                .zip(ws)
                                .filter(|(_, (keep, _))| *keep || !zero)
                                .map(|(&(a, b), (keep, w))| e(a, b, if keep { w } else { w / 2 }))
                                .collect::<Vec<_>>()
                        },
                    ),
                    Just(zero),
                    Just(min),
                    Just(min + extra),
                )
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn never_above_optimum_and_often_at_it(
            (n, s, zero, min, max) in arb_problem()
        ) {
            let missing = if zero { MissingPairs::Zero } else { MissingPairs::Forbidden };
            let p = GroupsProblem::new(n, &s, missing, min, max);
            let r = form_groups(&p).unwrap();
            check_result(&p, &r);
            if let Some(opt) = brute(n, &s, missing, min, max) {
                // A feasible partition of everyone exists: the heuristic must find one.
                prop_assert!(r.unplaced.is_empty() || missing == MissingPairs::Forbidden);
                if r.unplaced.is_empty() {
                    prop_assert!(r.objective <= opt + 1e-9);
                    prop_assert!(r.upper_bound + 1e-9 >= opt);
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// The LP dual bound is never below the true optimum, with negative scores,
        /// sparse graphs, isolated people and both meanings of an unlisted pair.
        #[test]
        fn dual_bound_is_never_below_the_optimum(
            (n, k) in prop_oneof![Just((4usize, 2usize)), Just((6, 2)), Just((6, 3)), Just((8, 4)), Just((9, 3)), Just((10, 2))],
            ws in proptest::collection::vec((0u8..4, -30i64..100), 45),
            zero in any::<bool>(),
        ) {
            let mut s = Vec::new();
            let mut t = 0;
            for a in 0..n as u32 {
                for b in a + 1..n as u32 {
                    let (keep, w) = ws[t];
                    t += 1;
                    // A quarter of the pairs are unlisted.
                    if keep != 0 {
                        s.push(e(a, b, w));
                    }
                }
            }
            let missing = if zero { MissingPairs::Zero } else { MissingPairs::Forbidden };
            let sc = Scores::new(n, &s, missing).unwrap();
            let placed: Vec<u32> = (0..n as u32).collect();
            let bound = dual_bound(&sc, &placed, k, 3).expect("small");
            if let Some(opt) = brute(n, &s, missing, k, k) {
                prop_assert!(bound + 1e-6 >= opt, "bound {bound} < optimum {opt}");
            }
        }
    }

    #[test]
    fn dual_bound_is_tighter_on_points_in_a_plane() {
        // Random points, scores falling with distance: a person's three nearest
        // are rarely each other's nearest, which no grouping can give everyone.
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        use rand::RngExt;
        let pts: Vec<(f64, f64)> = (0..400)
            .map(|_| (rng.random_range(0.0..1.0), rng.random_range(0.0..1.0)))
            .collect();
        let mut s = Vec::new();
        for a in 0..pts.len() {
            for b in a + 1..pts.len() {
                let d2 = (pts[a].0 - pts[b].0).powi(2) + (pts[a].1 - pts[b].1).powi(2);
                let w = (1e6 * (-d2 / 0.004).exp()) as i64;
                if w > 1000 {
                    s.push(e(a as u32, b as u32, w));
                }
            }
        }
        let p = GroupsProblem::new(pts.len(), &s, MissingPairs::Zero, 4, 4);
        let r = form_groups(&p).unwrap();
        check_result(&p, &r);
        assert!(r.upper_bound < 0.99 * r.per_person_bound, "{r:?}");
        assert!(r.objective <= r.upper_bound);
    }

    #[test]
    fn annealing_never_loses_to_the_local_search_alone() {
        use rand::RngExt;
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for round in 0..40 {
            let n = rng.random_range(8..=40usize);
            let mut s = Vec::new();
            for a in 0..n as u32 {
                for b in a + 1..n as u32 {
                    if rng.random_range(0..3u32) != 0 {
                        s.push(e(a, b, rng.random_range(0..100)));
                    }
                }
            }
            let missing = if round % 2 == 0 {
                MissingPairs::Zero
            } else {
                MissingPairs::Forbidden
            };
            let (min, max) = if round % 3 == 0 { (3, 5) } else { (4, 4) };
            let mut p = GroupsProblem::new(n, &s, missing, min, max);
            p.seed = round;
            p.anneal_steps = 0;
            let plain = form_groups(&p).unwrap();
            p.anneal_steps = 500;
            let annealed = form_groups(&p).unwrap();
            check_result(&p, &annealed);
            if plain.unplaced == annealed.unplaced {
                assert!(
                    annealed.objective >= plain.objective - 1e-9,
                    "round {round}"
                );
            }
        }
    }

    #[test]
    fn reaches_the_optimum_on_most_small_instances() {
        use rand::RngExt;
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let (mut hit, mut total) = (0, 0);
        for _ in 0..200 {
            let n = rng.random_range(4..=8usize);
            let min = rng.random_range(2..=3usize);
            let max = min + rng.random_range(0..=1usize);
            let mut s = Vec::new();
            for a in 0..n as u32 {
                for b in a + 1..n as u32 {
                    s.push(e(a, b, rng.random_range(0..100)));
                }
            }
            let p = GroupsProblem::new(n, &s, MissingPairs::Forbidden, min, max);
            let r = form_groups(&p).unwrap();
            check_result(&p, &r);
            let Some(opt) = brute(n, &s, MissingPairs::Forbidden, min, max) else {
                continue;
            };
            total += 1;
            if r.unplaced.is_empty() && (r.objective - opt).abs() < 1e-9 {
                hit += 1;
            }
        }
        assert!(hit * 10 >= total * 8, "optimum on {hit} of {total}");
    }
}
