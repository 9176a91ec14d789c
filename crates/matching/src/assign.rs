//! Many-to-one assignment: most mentees covered, then most pairs, then highest score.
//!
//! # Contract
//! Input: mentees with capacities `a_i` (usually 1), mentors with capacities `b_j`, and
//! sparse edges `(mentee, mentor, score)` with exact scores in micro-units (may be
//! negative). A pair not listed is not allowed; each pair may be listed once.
//! Output: a set of chosen edges with at most `a_i` per mentee and `b_j` per mentor that
//! maximises, lexicographically,
//! 1. the number of distinct mentees with at least one mentor (coverage),
//! 2. the number of pairs (only differs from 1 when some `a_i > 1`),
//! 3. the total score.
//!
//! Pinned edges are placed first and count against both capacities; a pin that does not
//! fit is refused and reported as a [`PinConflict`]. Forbidden edges are ignored.
//! Ties between optimal answers are broken arbitrarily but deterministically: checkers
//! must compare objectives, not pairs.
//!
//! Every answer carries a certificate, [`Duals`]: a lexicographic price for every
//! mentee and mentor. [`verify`] checks primal feasibility and complementary slackness
//! in exact integer arithmetic, which proves optimality without trusting the solver.
//! The same prices give the re-check for pruned pairs ([`improving_pairs`]): a pair
//! that was left out of the candidate graph can improve the answer only if its
//! reduced gain is positive.
//!
//! # Method
//! A min-cost circulation on source → mentee → mentor → sink, with lexicographic costs
//! (coverage, pairs, score) packed exactly into one `i128`: the coverage bonus sits
//! only on each mentee's first unit, so coverage counts people, not pairs. Mentee units
//! are added one at a time (all first units, best candidates first, then extra units);
//! each addition cancels the cheapest cycle through the new source arc, found by
//! Dijkstra on reduced costs with node potentials. Two things keep the searches short:
//! - *early exit*: the search stops at the first free mentor slot, and it never expands
//!   the sink (every path through the sink is no shorter than closing the cycle there);
//! - *a threshold*: the search stops as soon as no cycle through the new arc can be
//!   negative. Once a region of mentors is saturated its prices rise by a whole coverage
//!   unit, so a mentee who cannot displace anyone is rejected after a short search, or
//!   without any search at all, instead of exploring its whole component.
//!
//! Each step keeps the flow optimal for the arcs added so far, so the final flow is
//! optimal, and the potentials are the certificate.
//!
//! When every mentee takes at most one mentor and nothing is pinned (the common case),
//! `split` takes over: one maximum matching fixes coverage and splits the graph into a
//! deficient part (mentors always full) and a surplus part (mentees always covered),
//! each solved on score alone from its easier side; very dense inputs are first solved
//! on each mentee's best edges and repaired by pricing the rest with the duals. See the
//! `split` module for details; the certificate is the same kind and [`verify`] checks it.
//!
//! # Complexity
//! `O(U · (E + V) log V)` in the worst case for `U` mentee units, `E` edges and `V`
//! nodes; in practice a search settles few nodes (the first candidate is usually free,
//! and saturated regions are priced out). Memory is `O(E + V)`: about 24 bytes per edge.

// Index loops over parallel per-node arrays read more clearly than zipped iterators.
#![allow(clippy::needless_range_loop)]

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt;

use rayon::prelude::*;

/// One candidate pair with its score in micro-units (see [`crate::fixed`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    /// Mentee index, `0..mentee_capacity.len()`.
    pub mentee: u32,
    /// Mentor index, `0..mentor_capacity.len()`.
    pub mentor: u32,
    /// Score in micro-units.
    pub score: i64,
}

/// An assignment instance.
#[derive(Clone, Debug, Default)]
pub struct Problem {
    /// Maximum number of mentors per mentee (usually 1).
    pub mentee_capacity: Vec<u32>,
    /// Maximum number of mentees per mentor.
    pub mentor_capacity: Vec<u32>,
    /// Candidate pairs; each `(mentee, mentor)` at most once.
    pub edges: Vec<Edge>,
}

/// Hard decisions made before solving, as indices into [`Problem::edges`].
#[derive(Clone, Debug, Default)]
pub struct Constraints {
    /// Edges forced in, placed in this order before anything else.
    pub pinned: Vec<usize>,
    /// Edges forced out.
    pub forbidden: Vec<usize>,
}

/// Why a pin was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinConflictReason {
    /// The mentor's capacity was already used by earlier pins.
    MentorFull,
    /// The mentee's capacity was already used by earlier pins.
    MenteeFull,
    /// The same edge is also forbidden.
    Forbidden,
    /// The same edge was pinned twice.
    Duplicate,
}

/// A pin that could not be placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinConflict {
    /// Index into [`Problem::edges`].
    pub edge: usize,
    /// Why it was refused.
    pub reason: PinConflictReason,
}

/// A lexicographic quantity: coverage first, then pairs, then score (micro-units).
/// The derived order is lexicographic in field order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lex {
    /// Distinct mentees (coverage units).
    pub coverage: i64,
    /// Pairs.
    pub pairs: i64,
    /// Score in micro-units.
    pub score: i64,
}

impl Lex {
    /// Zero in every component.
    pub const ZERO: Lex = Lex {
        coverage: 0,
        pairs: 0,
        score: 0,
    };

    /// Packs into the solver's exact `i128` encoding.
    pub fn pack(self) -> i128 {
        i128::from(self.coverage) * COV + i128::from(self.pairs) * PAIR + i128::from(self.score)
    }

    /// Unpacks the solver's `i128` encoding (exact while each lower component stays
    /// within half its radix, which [`solve`] guarantees by bounding scores).
    pub fn unpack(v: i128) -> Lex {
        let coverage = (v + COV / 2).div_euclid(COV);
        let rest = v - coverage * COV;
        let pairs = (rest + PAIR / 2).div_euclid(PAIR);
        let score = rest - pairs * PAIR;
        Lex {
            coverage: coverage as i64,
            pairs: pairs as i64,
            score: score as i64,
        }
    }
}

impl fmt::Display for Lex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "(coverage {}, pairs {}, score {})",
            self.coverage,
            self.pairs,
            crate::fixed::format_micros(i128::from(self.score))
        )
    }
}

/// Radix of the coverage component in the packed encoding.
const COV: i128 = 1 << 100;
/// Radix of the pairs component in the packed encoding.
const PAIR: i128 = 1 << 64;
/// Largest magnitude a packed score component may reach (half the pairs radix, with margin).
const SCORE_LIMIT: i128 = 1 << 61;

/// Dual prices: the optimality certificate.
///
/// With `u` = [`Duals::mentee`] and `v` = [`Duals::mentor`] and `W(e) = (0, 1, score)`:
/// - every edge not chosen has `u_i + v_j ≥ W(e)`; every chosen edge has `u_i + v_j ≤ W(e)`
///   (so `=` for chosen edges that are not pinned);
/// - a mentor below capacity has `v_j ≤ 0`; a mentor with a mentee has `v_j ≥ 0`;
/// - a mentee with no mentor has `u_i ≤ (−1, 0, 0)`, one with a mentor `u_i ≥ (−1, 0, 0)`;
///   one below its capacity `u_i ≤ 0`, one with two or more mentors `u_i ≥ 0` (for a
///   mentee already covered by a pin, `(−1, 0, 0)` reads as `0`).
///
/// Pinned edges and the capacity they use are outside the certified problem.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Duals {
    /// Mentee values `u_i`.
    pub mentee: Vec<Lex>,
    /// Mentor prices `v_j`.
    pub mentor: Vec<Lex>,
}

impl Duals {
    /// Reduced gain of adding pair `(mentee, mentor)` with `score`: `W − u − v`.
    /// Positive means the pair, if it were a candidate, would improve the answer.
    pub fn reduced_gain(&self, mentee: u32, mentor: u32, score: i64) -> Lex {
        let u = self.mentee[mentee as usize];
        let v = self.mentor[mentor as usize];
        Lex::unpack(
            Lex::pack(Lex {
                coverage: 0,
                pairs: 1,
                score,
            }) - u.pack()
                - v.pack(),
        )
    }
}

/// The objective of an assignment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Objective {
    /// Distinct mentees with at least one mentor.
    pub covered: u64,
    /// Pairs.
    pub pairs: u64,
    /// Total score in micro-units.
    pub total_score: i128,
}

/// Counters describing how much work the solver did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SolveStats {
    /// Mentee units considered.
    pub units: u64,
    /// Units placed without any search (their best candidate was free).
    pub greedy: u64,
    /// Units rejected by the threshold without a search.
    pub priced_out: u64,
    /// Dijkstra searches run.
    pub searches: u64,
    /// Nodes settled over all searches.
    pub settled: u64,
}

/// A solved assignment.
#[derive(Clone, Debug, Default)]
pub struct Solution {
    /// Chosen edges (pins included), ascending indices into [`Problem::edges`].
    pub chosen: Vec<usize>,
    /// Pins that were refused.
    pub pin_conflicts: Vec<PinConflict>,
    /// Objective of `chosen`.
    pub objective: Objective,
    /// Certificate of optimality (see [`Duals`]).
    pub duals: Duals,
    /// Work counters.
    pub stats: SolveStats,
}

impl Solution {
    /// The pins that were placed (each once, in order).
    pub fn accepted_pins(&self, constraints: &Constraints) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for &p in &constraints.pinned {
            let refused = self
                .pin_conflicts
                .iter()
                .any(|c| c.edge == p && c.reason != PinConflictReason::Duplicate);
            if !refused && !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }
}

/// Invalid input to [`solve`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AssignError {
    /// An edge refers to a mentee or mentor that does not exist.
    #[error("edge {edge} refers to mentee {mentee} or mentor {mentor}, which does not exist")]
    OutOfRange {
        /// Edge index.
        edge: usize,
        /// Mentee index.
        mentee: u32,
        /// Mentor index.
        mentor: u32,
    },
    /// The same pair appears twice.
    #[error("edges {first} and {second} are the same pair (mentee {mentee}, mentor {mentor})")]
    DuplicatePair {
        /// First edge index.
        first: usize,
        /// Second edge index.
        second: usize,
        /// Mentee index.
        mentee: u32,
        /// Mentor index.
        mentor: u32,
    },
    /// A pinned or forbidden index is not an edge.
    #[error("constraint refers to edge {0}, which does not exist")]
    NoSuchEdge(usize),
    /// Scores too large for exact arithmetic at this instance size.
    #[error("scores up to {max_abs} micro-units are too large for exact arithmetic with {nodes} people; the largest allowed here is {limit}")]
    ScoresTooLarge {
        /// Largest |score|.
        max_abs: i64,
        /// Number of mentees plus mentors.
        nodes: usize,
        /// Largest allowed |score|.
        limit: i64,
    },
}

/// The compact graph the solver works on: mentee-major edge arrays without pinned or
/// forbidden edges, residual capacities after pins, and the current flow.
pub(crate) struct Network {
    pub(crate) n: usize,
    pub(crate) m: usize,
    /// CSR offsets per mentee into the edge arrays.
    pub(crate) start: Vec<u32>,
    pub(crate) to: Vec<u32>,
    pub(crate) score: Vec<i64>,
    /// Original edge index of each CSR slot.
    pub(crate) orig: Vec<u32>,
    /// Mentee owning each CSR slot.
    pub(crate) owner: Vec<u32>,
    pub(crate) chosen: Vec<bool>,
    /// Units each mentee may still take (after pins).
    pub(crate) mentee_cap: Vec<u32>,
    /// Whether a pin already covers the mentee (its units then carry no coverage bonus).
    pub(crate) pin_covered: Vec<bool>,
    pub(crate) mentor_cap: Vec<u32>,
    /// Units each mentee holds (non-pinned).
    pub(crate) k: Vec<u32>,
    /// CSR slots chosen at each mentor.
    pub(crate) held: Vec<Vec<u32>>,
    /// Potentials (packed lexicographic), indexed mentees, mentors, s, t.
    pub(crate) pi: Vec<i128>,
}

impl Network {
    pub(crate) fn s(&self) -> usize {
        self.n + self.m
    }
    pub(crate) fn t(&self) -> usize {
        self.n + self.m + 1
    }

    /// Cost (packed) of the arc mentee → source that undoes one unit of mentee `i`,
    /// or `None` when `i` holds no unit.
    pub(crate) fn drop_cost(&self, i: usize) -> Option<i128> {
        match self.k[i] {
            0 => None,
            1 if !self.pin_covered[i] => Some(COV),
            _ => Some(0),
        }
    }

    /// Cost (packed) of the source arc for mentee `i`'s next unit, or `None` at capacity.
    pub(crate) fn unit_cost(&self, i: usize) -> Option<i128> {
        if self.k[i] >= self.mentee_cap[i] {
            None
        } else if self.k[i] == 0 && !self.pin_covered[i] {
            Some(-COV)
        } else {
            Some(0)
        }
    }
}

/// Cost of choosing an edge of score `w` (packed): one pair and the score, negated.
#[inline]
fn edge_cost(w: i64) -> i128 {
    -PAIR - i128::from(w)
}

/// Builds the network, places pins, and checks the input.
fn build(
    problem: &Problem,
    constraints: &Constraints,
) -> Result<(Network, Vec<usize>, Vec<PinConflict>), AssignError> {
    let n = problem.mentee_capacity.len();
    let m = problem.mentor_capacity.len();
    let ne = problem.edges.len();
    for (idx, e) in problem.edges.iter().enumerate() {
        if e.mentee as usize >= n || e.mentor as usize >= m {
            return Err(AssignError::OutOfRange {
                edge: idx,
                mentee: e.mentee,
                mentor: e.mentor,
            });
        }
    }
    let max_abs = problem
        .edges
        .iter()
        .map(|e| e.score.unsigned_abs())
        .max()
        .unwrap_or(0);
    let nodes = n + m;
    // Potentials are shortest-path lengths: at most (nodes + 2) arcs of |cost| ≤ max_abs + 1.
    let limit = SCORE_LIMIT / (nodes as i128 + 4) - 1;
    if i128::from(max_abs) > limit {
        return Err(AssignError::ScoresTooLarge {
            max_abs: max_abs.min(i64::MAX as u64) as i64,
            nodes,
            limit: limit.min(i128::from(i64::MAX)) as i64,
        });
    }
    let mut excluded = vec![false; ne];
    for &f in &constraints.forbidden {
        if f >= ne {
            return Err(AssignError::NoSuchEdge(f));
        }
        excluded[f] = true;
    }
    let mut mentee_cap = problem.mentee_capacity.clone();
    let mut mentor_cap = problem.mentor_capacity.clone();
    let mut pin_covered = vec![false; n];
    let mut pinned = Vec::new();
    let mut conflicts = Vec::new();
    let mut is_pinned = vec![false; ne];
    for &p in &constraints.pinned {
        if p >= ne {
            return Err(AssignError::NoSuchEdge(p));
        }
        let e = problem.edges[p];
        let reason = if is_pinned[p] {
            Some(PinConflictReason::Duplicate)
        } else if excluded[p] {
            Some(PinConflictReason::Forbidden)
        } else if mentee_cap[e.mentee as usize] == 0 {
            Some(PinConflictReason::MenteeFull)
        } else if mentor_cap[e.mentor as usize] == 0 {
            Some(PinConflictReason::MentorFull)
        } else {
            None
        };
        match reason {
            Some(reason) => conflicts.push(PinConflict { edge: p, reason }),
            None => {
                is_pinned[p] = true;
                mentee_cap[e.mentee as usize] -= 1;
                mentor_cap[e.mentor as usize] -= 1;
                pin_covered[e.mentee as usize] = true;
                pinned.push(p);
            }
        }
    }
    for (idx, ex) in excluded.iter_mut().enumerate() {
        *ex |= is_pinned[idx];
    }
    // Counting sort of edges by mentee.
    let mut start = vec![0u32; n + 1];
    for (idx, e) in problem.edges.iter().enumerate() {
        if !excluded[idx] {
            start[e.mentee as usize + 1] += 1;
        }
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let live = start[n] as usize;
    let (to, score, orig, owner) = if live == ne && problem.edges.is_sorted_by_key(|e| e.mentee) {
        // Already grouped by mentee (as candidate graphs are): the CSR arrays
        // are the edges' own fields, copied in parallel.
        let edges = &problem.edges;
        (
            edges.par_iter().map(|e| e.mentor).collect::<Vec<u32>>(),
            edges.par_iter().map(|e| e.score).collect::<Vec<i64>>(),
            (0..ne as u32).into_par_iter().collect::<Vec<u32>>(),
            edges.par_iter().map(|e| e.mentee).collect::<Vec<u32>>(),
        )
    } else {
        let mut fill = start.clone();
        let (mut t, mut sc, mut o, mut ow) = (
            vec![0u32; live],
            vec![0i64; live],
            vec![0u32; live],
            vec![0u32; live],
        );
        for (idx, e) in problem.edges.iter().enumerate() {
            if excluded[idx] {
                continue;
            }
            let slot = fill[e.mentee as usize] as usize;
            fill[e.mentee as usize] += 1;
            t[slot] = e.mentor;
            sc[slot] = e.score;
            o[slot] = idx as u32;
            ow[slot] = e.mentee;
        }
        (t, sc, o, ow)
    };
    // Duplicate check within each mentee's list (pinned and forbidden copies included).
    let mut seen_at = vec![u32::MAX; m];
    let mut seen_edge = vec![0usize; m];
    let mut by_mentee: Vec<Vec<usize>> = Vec::new();
    if problem.edges.len() != live {
        // Slow path only when constraints removed edges: check all edges.
        by_mentee = vec![Vec::new(); n];
        for (idx, e) in problem.edges.iter().enumerate() {
            by_mentee[e.mentee as usize].push(idx);
        }
    }
    let mut check = |i: usize, idx: usize| {
        let j = problem.edges[idx].mentor as usize;
        if seen_at[j] == i as u32 {
            let (first, second) = (seen_edge[j].min(idx), seen_edge[j].max(idx));
            return Err(AssignError::DuplicatePair {
                first,
                second,
                mentee: i as u32,
                mentor: j as u32,
            });
        }
        seen_at[j] = i as u32;
        seen_edge[j] = idx;
        Ok(())
    };
    for i in 0..n {
        if by_mentee.is_empty() {
            for s in start[i] as usize..start[i + 1] as usize {
                check(i, orig[s] as usize)?;
            }
        } else {
            for idx in std::mem::take(&mut by_mentee[i]) {
                check(i, idx)?;
            }
        }
    }
    // Initial potentials: mentors and terminals 0; a mentee at its best arc, so every
    // arc has a non-negative reduced cost.
    let mut pi = vec![0i128; n + m + 2];
    for i in 0..n {
        let best = (start[i] as usize..start[i + 1] as usize)
            .map(|s| score[s])
            .max()
            .unwrap_or(0);
        pi[i] = PAIR + i128::from(best);
    }
    let net = Network {
        n,
        m,
        start,
        to,
        score,
        orig,
        owner,
        chosen: vec![false; live],
        mentee_cap,
        pin_covered,
        mentor_cap,
        k: vec![0; n],
        held: vec![Vec::new(); m],
        pi,
    };
    Ok((net, pinned, conflicts))
}

/// Reusable Dijkstra state (distances stamped per search, so nothing is cleared).
pub(crate) struct Search {
    dist: Vec<i128>,
    stamp: Vec<u32>,
    done: Vec<u32>,
    /// Predecessor arc: CSR slot of the edge, or `NO_PRED`; direction is implied by
    /// the node kind (a mentor was reached forward, a mentee backward).
    pred: Vec<u32>,
    round: u32,
    heap: BinaryHeap<Reverse<(i128, u32)>>,
    settled: Vec<u32>,
    /// Smallest of the threshold and the tentative distances of the terminals.
    cutoff: i128,
    /// Whether the last call ran a Dijkstra search.
    pub(crate) searched: bool,
}

const NO_PRED: u32 = u32::MAX;

impl Search {
    pub(crate) fn new(nodes: usize) -> Search {
        Search {
            dist: vec![0; nodes],
            stamp: vec![0; nodes],
            done: vec![0; nodes],
            pred: vec![NO_PRED; nodes],
            round: 0,
            heap: BinaryHeap::new(),
            settled: Vec::new(),
            cutoff: i128::MAX,
            searched: false,
        }
    }

    fn begin(&mut self) {
        next_round(&mut self.round, &mut self.stamp, &mut self.done);
        self.heap.clear();
        self.settled.clear();
    }

    #[inline]
    fn relax(&mut self, node: usize, d: i128, pred: u32) {
        // A node at or beyond the best target found so far can never be on a shorter
        // path: do not queue it.
        if d >= self.cutoff || self.done[node] == self.round {
            return;
        }
        if self.stamp[node] != self.round || d < self.dist[node] {
            self.stamp[node] = self.round;
            self.dist[node] = d;
            self.pred[node] = pred;
            self.heap.push(Reverse((d, node as u32)));
        }
    }
}

/// Outcome of one cycle search from a mentee.
pub(crate) enum Found {
    /// A negative cycle closing through the sink (free slot at this mentor).
    FreeSlot(usize),
    /// A negative cycle closing by dropping one unit of this mentee.
    Drop(usize),
    /// No negative cycle.
    None,
}

/// Advances a search's round stamp. Nodes count as reached or settled when their
/// stamp equals the round, so nothing is cleared between searches, except when the
/// counter wraps.
pub(crate) fn next_round(round: &mut u32, stamp: &mut [u32], done: &mut [u32]) -> u32 {
    *round = round.wrapping_add(1);
    if *round == 0 {
        stamp.iter_mut().for_each(|s| *s = 0);
        done.iter_mut().for_each(|s| *s = 0);
        *round = 1;
    }
    *round
}

/// Items grouped by key with a counting sort: `items[start[k]..start[k + 1]]` are the
/// indices (ascending) of the items whose key is `k`. `keys` yields each item's key.
pub(crate) fn group_by_key(
    n_keys: usize,
    keys: impl Iterator<Item = u32> + Clone,
) -> (Vec<u32>, Vec<u32>) {
    let mut start = vec![0u32; n_keys + 1];
    for k in keys.clone() {
        start[k as usize + 1] += 1;
    }
    for k in 0..n_keys {
        start[k + 1] += start[k];
    }
    let mut fill = start.clone();
    let mut items = vec![0u32; start[n_keys] as usize];
    for (idx, k) in keys.enumerate() {
        items[fill[k as usize] as usize] = idx as u32;
        fill[k as usize] += 1;
    }
    (start, items)
}

/// Finds and applies the cheapest cycle through the source arc of mentee `a`, whose
/// packed cost is `arc_cost`. Updates potentials so that every residual arc, the new
/// one included, keeps a non-negative reduced cost. Returns whether it augmented.
pub(crate) fn add_unit(net: &mut Network, search: &mut Search, a: usize, arc_cost: i128) -> bool {
    let s = net.s();
    let t = net.t();
    // Scan the mentee's arcs once: the cheapest reduced cost, and the cheapest way
    // straight into a free slot.
    let t_pi = net.pi[t];
    let mut cheapest = i128::MAX;
    let mut free_best = i128::MAX;
    let mut free_slot = usize::MAX;
    for slot in net.start[a] as usize..net.start[a + 1] as usize {
        if net.chosen[slot] {
            continue;
        }
        let j = net.to[slot] as usize;
        let rc = edge_cost(net.score[slot]) + net.pi[a] - net.pi[net.n + j];
        cheapest = cheapest.min(rc);
        if (net.held[j].len() as u32) < net.mentor_cap[j] {
            let total = rc + net.pi[net.n + j] - t_pi;
            if total < free_best {
                free_best = total;
                free_slot = slot;
            }
        }
    }
    // A mentee holding no unit has no arc into it except from the source, so its
    // potential may drop to the tightest valid value. Once its mentors are saturated
    // and priced up by a coverage unit, this prices the mentee out (or bounds its
    // search to score differences) instead of exploring the whole saturated region.
    if net.k[a] == 0 {
        if cheapest == i128::MAX {
            net.pi[a] = net.pi[s] + arc_cost;
            return false;
        }
        if cheapest > 0 {
            net.pi[a] -= cheapest;
            free_best = free_best.saturating_sub(cheapest);
            cheapest = 0;
        }
    }
    let rc_new = arc_cost + net.pi[s] - net.pi[a];
    if rc_new >= 0 {
        return false;
    }
    let threshold = -rc_new;
    // Fast path: every path from `a` costs at least its cheapest arc; when a free
    // mentor sits at exactly that cost, that arc is a shortest path and no search is
    // needed. This is the common case while capacity is slack.
    if free_slot != usize::MAX && free_best == cheapest && cheapest < threshold {
        net.pi[a] -= cheapest;
        let j = net.to[free_slot] as usize;
        net.chosen[free_slot] = true;
        net.held[j].push(free_slot as u32);
        net.k[a] += 1;
        search.settled.clear();
        return true;
    }
    search.begin();
    search.searched = true;
    search.cutoff = threshold;
    search.relax(a, 0, NO_PRED);
    let mut found = Found::None;
    let mut bound = threshold;
    while let Some(Reverse((d, x))) = search.heap.pop() {
        let x = x as usize;
        if search.done[x] == search.round || d > search.dist[x] {
            continue;
        }
        if d >= threshold {
            break;
        }
        if x == s || x == t {
            bound = d;
            found = if x == t {
                Found::FreeSlot(search.pred[t] as usize)
            } else {
                Found::Drop(search.pred[s] as usize)
            };
            break;
        }
        search.done[x] = search.round;
        search.settled.push(x as u32);
        let px = net.pi[x];
        if x < net.n {
            // Mentee: forward arcs on unchosen edges, and the drop arc to the source.
            for slot in net.start[x] as usize..net.start[x + 1] as usize {
                if net.chosen[slot] {
                    continue;
                }
                let j = net.n + net.to[slot] as usize;
                let nd = d + edge_cost(net.score[slot]) + px - net.pi[j];
                search.relax(j, nd, slot as u32);
            }
            if x != a {
                if let Some(c) = net.drop_cost(x) {
                    let nd = d + c + px - net.pi[s];
                    if search.done[s] != search.round
                        && nd < search.cutoff
                        && (search.stamp[s] != search.round || nd < search.dist[s])
                    {
                        search.stamp[s] = search.round;
                        search.dist[s] = nd;
                        search.cutoff = nd;
                        // Remember which mentee drops, not an edge.
                        search.pred[s] = x as u32;
                        search.heap.push(Reverse((nd, s as u32)));
                    }
                }
            }
        } else {
            // Mentor: backward arcs on chosen edges, and the sink arc if a slot is free.
            let j = x - net.n;
            if (net.held[j].len() as u32) < net.mentor_cap[j] {
                let nd = d + px - net.pi[t];
                if nd < search.cutoff && (search.stamp[t] != search.round || nd < search.dist[t]) {
                    search.stamp[t] = search.round;
                    search.dist[t] = nd;
                    search.cutoff = nd;
                    search.pred[t] = j as u32;
                    search.heap.push(Reverse((nd, t as u32)));
                }
            }
            for h in 0..net.held[j].len() {
                let slot = net.held[j][h] as usize;
                let i = net.mentee_of_slot_fast(slot);
                let nd = d - edge_cost(net.score[slot]) + px - net.pi[i];
                search.relax(i, nd, slot as u32);
            }
        }
    }
    // Potentials: settled nodes move by d − bound (≤ 0); the rest stay.
    for &x in &search.settled {
        let x = x as usize;
        net.pi[x] += search.dist[x] - bound;
    }
    match found {
        Found::None => false,
        Found::FreeSlot(j) => {
            net_augment(net, search, j + net.n);
            true
        }
        Found::Drop(i) => {
            net_augment(net, search, i);
            true
        }
    }
}

impl Network {
    /// Mentee owning CSR slot `slot`.
    #[inline]
    pub(crate) fn mentee_of_slot_fast(&self, slot: usize) -> usize {
        self.owner[slot] as usize
    }
}

/// Flips the arcs on the predecessor path ending at `end` (a mentor with a free slot,
/// or a mentee that drops a unit).
fn net_augment(net: &mut Network, search: &Search, end: usize) {
    let mut x = end;
    loop {
        let slot = search.pred[x];
        if slot == NO_PRED {
            break;
        }
        let slot = slot as usize;
        if x >= net.n {
            // Reached mentor x forward over `slot`: choose the edge.
            let i = net.mentee_of_slot_fast(slot);
            net.chosen[slot] = true;
            net.held[x - net.n].push(slot as u32);
            net.k[i] += 1;
            x = i;
        } else {
            // Reached mentee x backward over `slot`: un-choose the edge.
            let j = net.to[slot] as usize;
            net.chosen[slot] = false;
            let list = &mut net.held[j];
            if let Some(p) = list.iter().position(|&h| h as usize == slot) {
                list.swap_remove(p);
            }
            net.k[x] -= 1;
            x = net.n + j;
        }
    }
}

/// A previous solution to start [`solve_warm`] from.
#[derive(Clone, Copy, Debug)]
pub struct WarmStart<'a> {
    /// The previous solution's pairs, as `(mentee, mentor)`.
    pub pairs: &'a [(u32, u32)],
    /// The previous solution's duals.
    pub duals: &'a Duals,
}

/// Paths through the solver that production never takes, so the property tests can
/// hold each one against brute force on small instances. The default is what
/// [`solve`] and [`solve_warm`] use.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Tuning {
    /// Solve every part of the split path from its long side (with the dummy sink),
    /// the side the size heuristics would not pick.
    pub(crate) force_other_side: bool,
    /// Prune every one-mentor-per-mentee instance down to this many edges per mentee,
    /// however sparse it is, before repairing by pricing.
    pub(crate) prune_keep: Option<usize>,
}

/// Solves an instance exactly; see the module docs for the objective and method.
pub fn solve(problem: &Problem, constraints: &Constraints) -> Result<Solution, AssignError> {
    solve_with(problem, constraints, None, Tuning::default())
}

/// [`solve`], starting from a previous solution: typically of the same instance
/// before some edges were added, as in a lossless re-check round. The answer is the
/// same exact optimum whatever `warm` holds; a good start only makes it cheaper.
///
/// Only the one-mentor-per-mentee path without pins uses the start, and within it
/// the part solved from the mentee side (see [`split`]); there the work is in
/// proportion to the mentees whose previous choice the new edges beat, instead of
/// to all mentees. Other instances are solved from nothing.
pub fn solve_warm(
    problem: &Problem,
    constraints: &Constraints,
    warm: &WarmStart,
) -> Result<Solution, AssignError> {
    solve_with(problem, constraints, Some(warm), Tuning::default())
}

pub(crate) fn solve_with(
    problem: &Problem,
    constraints: &Constraints,
    warm: Option<&WarmStart>,
    tuning: Tuning,
) -> Result<Solution, AssignError> {
    if let Some(result) = split::solve_pruned(problem, constraints, tuning.prune_keep) {
        return result;
    }
    let (mut net, pinned, pin_conflicts) = build(problem, constraints)?;
    if split::applies(&net, &pinned) {
        let mut stats = SolveStats::default();
        let (mentee, mentor) = split::solve(&mut net, &mut stats, warm, tuning.force_other_side);
        let mut sol = finish(problem, &net, pinned, pin_conflicts, stats);
        sol.duals = Duals { mentee, mentor };
        return Ok(sol);
    }
    let mut search = Search::new(net.n + net.m + 2);
    let mut stats = SolveStats::default();
    // First units, strongest candidates first: they claim their favourite mentors
    // greedily, and weaker ones are then priced out quickly once mentors fill up.
    let mut order: Vec<u32> = (0..net.n as u32)
        .filter(|&i| net.mentee_cap[i as usize] > 0)
        .collect();
    order.sort_by_key(|&i| Reverse(net.pi[i as usize]));
    let mut round = 0u32;
    while !order.is_empty() {
        for &i in &order {
            let i = i as usize;
            let Some(cost) = net.unit_cost(i) else {
                continue;
            };
            stats.units += 1;
            search.settled.clear();
            search.searched = false;
            let placed = add_unit(&mut net, &mut search, i, cost);
            if search.searched {
                stats.searches += 1;
                stats.settled += search.settled.len() as u64;
            } else if placed {
                stats.greedy += 1;
            } else {
                stats.priced_out += 1;
            }
        }
        round += 1;
        // Extra units for mentees with capacity above 1, one round per unit.
        order.retain(|&i| net.mentee_cap[i as usize] > round && net.k[i as usize] >= round);
    }
    Ok(finish(problem, &net, pinned, pin_conflicts, stats))
}

fn finish(
    problem: &Problem,
    net: &Network,
    pinned: Vec<usize>,
    pin_conflicts: Vec<PinConflict>,
    stats: SolveStats,
) -> Solution {
    let mut chosen: Vec<usize> = pinned;
    for (slot, &c) in net.chosen.iter().enumerate() {
        if c {
            chosen.push(net.orig[slot] as usize);
        }
    }
    chosen.sort_unstable();
    let objective = objective_of(problem, &chosen);
    let ps = net.pi[net.s()];
    let duals = Duals {
        mentee: (0..net.n).map(|i| Lex::unpack(net.pi[i] - ps)).collect(),
        mentor: (0..net.m)
            .map(|j| Lex::unpack(ps - net.pi[net.n + j]))
            .collect(),
    };
    Solution {
        chosen,
        pin_conflicts,
        objective,
        duals,
        stats,
    }
}

/// The objective of a set of chosen edges (assumed feasible).
pub fn objective_of(problem: &Problem, chosen: &[usize]) -> Objective {
    let mut covered = vec![false; problem.mentee_capacity.len()];
    let mut objective = Objective::default();
    for &c in chosen {
        let e = problem.edges[c];
        if !covered[e.mentee as usize] {
            covered[e.mentee as usize] = true;
            objective.covered += 1;
        }
        objective.pairs += 1;
        objective.total_score += i128::from(e.score);
    }
    objective
}

/// Why a claimed solution is not proven optimal.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct VerifyError(pub String);

/// Checks that `solution` is feasible and optimal for `problem` under `constraints`,
/// using only its [`Duals`] (complementary slackness, exact arithmetic).
pub fn verify(
    problem: &Problem,
    constraints: &Constraints,
    solution: &Solution,
) -> Result<(), VerifyError> {
    let n = problem.mentee_capacity.len();
    let m = problem.mentor_capacity.len();
    let fail = |msg: String| Err(VerifyError(msg));
    if solution.duals.mentee.len() != n || solution.duals.mentor.len() != m {
        return fail("duals have the wrong length".into());
    }
    let ne = problem.edges.len();
    let mut is_chosen = vec![false; ne];
    for &c in &solution.chosen {
        if c >= ne || is_chosen[c] {
            return fail(format!("edge {c} chosen twice or out of range"));
        }
        is_chosen[c] = true;
    }
    let mut forbidden = vec![false; ne];
    for &f in &constraints.forbidden {
        forbidden[f] = true;
    }
    let mut pinned = vec![false; ne];
    for p in solution.accepted_pins(constraints) {
        if !is_chosen[p] {
            return fail(format!("pinned edge {p} is not chosen"));
        }
        pinned[p] = true;
    }
    let mut k = vec![0u32; n];
    let mut kp = vec![0u32; n];
    let mut load = vec![0u32; m];
    let mut loadp = vec![0u32; m];
    for &c in &solution.chosen {
        let e = problem.edges[c];
        if forbidden[c] && !pinned[c] {
            return fail(format!("forbidden edge {c} is chosen"));
        }
        k[e.mentee as usize] += 1;
        if pinned[c] {
            kp[e.mentee as usize] += 1;
            loadp[e.mentor as usize] += 1;
        }
        load[e.mentor as usize] += 1;
    }
    for i in 0..n {
        if k[i] > problem.mentee_capacity[i] {
            return fail(format!("mentee {i} over capacity"));
        }
    }
    for j in 0..m {
        if load[j] > problem.mentor_capacity[j] {
            return fail(format!("mentor {j} over capacity"));
        }
    }
    if objective_of(problem, &solution.chosen) != solution.objective {
        return fail("reported objective does not match the chosen edges".into());
    }
    let u = &solution.duals.mentee;
    let v = &solution.duals.mentor;
    let neg_cov = Lex {
        coverage: -1,
        pairs: 0,
        score: 0,
    };
    for i in 0..n {
        let free = k[i] - kp[i];
        let cap = problem.mentee_capacity[i] - kp[i];
        let first_bonus = kp[i] == 0;
        let ui = u[i];
        if first_bonus {
            if free == 0 && cap >= 1 && ui > neg_cov {
                return fail(format!("mentee {i} uncovered but u = {ui} > (-1,0,0)"));
            }
            if free >= 1 && ui < neg_cov {
                return fail(format!("mentee {i} covered but u = {ui} < (-1,0,0)"));
            }
            if free < cap && cap >= 2 && ui > Lex::ZERO {
                return fail(format!("mentee {i} below capacity but u = {ui} > 0"));
            }
            if free >= 2 && ui < Lex::ZERO {
                return fail(format!("mentee {i} has extra units but u = {ui} < 0"));
            }
        } else {
            if free < cap && ui > Lex::ZERO {
                return fail(format!("mentee {i} below capacity but u = {ui} > 0"));
            }
            if free >= 1 && ui < Lex::ZERO {
                return fail(format!("mentee {i} has units but u = {ui} < 0"));
            }
        }
    }
    for j in 0..m {
        let cap = problem.mentor_capacity[j] - loadp[j];
        let free = load[j] - loadp[j];
        if free < cap && v[j] > Lex::ZERO {
            return fail(format!("mentor {j} below capacity but v = {} > 0", v[j]));
        }
        if free > 0 && v[j] < Lex::ZERO {
            return fail(format!("mentor {j} has mentees but v = {} < 0", v[j]));
        }
    }
    for (idx, e) in problem.edges.iter().enumerate() {
        if pinned[idx] || forbidden[idx] {
            continue;
        }
        let gain = solution.duals.reduced_gain(e.mentee, e.mentor, e.score);
        if is_chosen[idx] && gain < Lex::ZERO {
            return fail(format!(
                "chosen edge {idx} has negative reduced gain {gain}"
            ));
        }
        if !is_chosen[idx] && gain > Lex::ZERO {
            return fail(format!(
                "edge {idx} left out has positive reduced gain {gain}"
            ));
        }
    }
    Ok(())
}

/// Lossless pruning re-check: among `candidates` (pairs outside the solved graph),
/// those whose reduced gain under `duals` is positive, with their scores. Adding them
/// and re-solving is required; when this returns nothing, the answer is optimal over
/// the candidates too. `score` returns `None` for ineligible pairs.
pub fn improving_pairs<I, F>(duals: &Duals, candidates: I, mut score: F) -> Vec<Edge>
where
    I: IntoIterator<Item = (u32, u32)>,
    F: FnMut(u32, u32) -> Option<i64>,
{
    let mut out = Vec::new();
    for (i, j) in candidates {
        if let Some(w) = score(i, j) {
            if duals.reduced_gain(i, j, w) > Lex::ZERO {
                out.push(Edge {
                    mentee: i,
                    mentor: j,
                    score: w,
                });
            }
        }
    }
    out
}

mod split;

#[cfg(test)]
pub(crate) mod tests;
