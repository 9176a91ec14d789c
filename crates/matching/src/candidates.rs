//! Sparse candidate generation: the top-K eligible mentors of every mentee,
//! with what the lossless re-check needs to prove nothing better was pruned.
//!
//! # How
//! Mentors are ordered by (level, UTC offset) into runs ("groups") whose level gap
//! and time-zone points are the same for a given mentee, so one bound serves a
//! whole run; a run whose level breaks the seniority rule, or whose offset breaks
//! the time-zone limit, is skipped outright. Within a run mentors are sorted by
//! years, so the seniority rule keeps one range of it; a mentor who shares no
//! language gets a bound below any score. An inverted index maps each skill, goal
//! tag, interest and answer option to the positions of the mentors who have it;
//! walking the postings of a mentee's own keys accumulates those "sparse" points
//! exactly (a key held by at least one mentor in eight is added from a bitset
//! instead, 8 positions at a time, without scattered stores). Every other part has
//! a cheap bound: goal text at most its weight, availability capped by the smaller
//! weekly total in the run, preferences at most their weight. Mentors are then
//! evaluated best bound first (in buckets of about a quarter point) until K
//! eligible mentors score at least every bound left, so only about the mentors
//! whose bound reaches the final K-th score are evaluated. Chunks of 16 positions
//! are ordered by their best bound and only opened when their bucket comes up, so
//! most positions are never looked at one by one. An evaluation goes from the
//! cheapest stage to the dearest: a text bound from 64-bit term signatures
//! (Cauchy–Schwarz over the shared bits), the exact availability, the exact text,
//! then the rules. The exact score reproduces [`Model::score`] to the micro-unit
//! (see [`crate::score`]).
//!
//! # Contract
//! For every mentee `i`, [`CandidateGraph::row`] holds eligible pairs only, at
//! most K, and they are the K best (ties broken towards the lower mentor
//! index). `pruned_bound[i]` is an upper bound on the score of every eligible
//! pair of `i` that is not in the row, or [`NO_PRUNED`] when nothing was
//! pruned. [`Scanner::improving`] finds every eligible pair above a per-mentor
//! threshold (the dual-price re-check) exactly.
//!
//! # Complexity
//! Per mentee: `O(M)` for clearing the accumulator and for the best value of each
//! chunk (vectorised), plus the postings of its rarer keys and `M / 8` steps for
//! each popular one, plus `O(16)` for each chunk opened, plus an exact score
//! (`O(text terms)`) for each mentor whose bound reaches the K-th score, plus
//! `O(log K)` per heap update. The re-check scan is the same per mentee it has to
//! revisit. Mentees run in parallel with rayon in chunks concatenated in order, so
//! the output is deterministic.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use crate::constraints::Rules;
use crate::prefetch::prefetch;
use crate::runs::split_runs;
use crate::score::{text_part, Criterion, Model};

/// `pruned_bound` value when no eligible pair of the mentee was left out.
pub const NO_PRUNED: i64 = i64::MIN;

/// One candidate pair: the solver's own edge type, so that a candidate graph's
/// edges go to [`crate::assign::solve`] without a copy.
pub use crate::assign::Edge;

/// The sparse pair graph, grouped by mentee.
#[derive(Debug, Clone, Default)]
pub struct CandidateGraph {
    /// Edges grouped by mentee (ascending), mentors ascending within a mentee.
    pub edges: Vec<Edge>,
    /// `edges[offsets[i]..offsets[i + 1]]` is mentee `i`'s row.
    pub offsets: Vec<usize>,
    /// Per mentee: an upper bound on every pruned eligible pair's score.
    pub pruned_bound: Vec<i64>,
}

impl CandidateGraph {
    /// Mentee `i`'s candidate edges.
    pub fn row(&self, i: usize) -> &[Edge] {
        &self.edges[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Number of mentees.
    pub fn n_mentees(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Adds edges (which must be new pairs), keeping rows sorted.
    ///
    /// Runs of rows are merged in parallel into a fresh array: with 6,000 new
    /// edges into 5 M, 35 ms against 54 ms for one pass, most of which is
    /// writing 80 MB of new memory.
    pub fn add(&mut self, mut extra: Vec<Edge>) {
        if extra.is_empty() {
            return;
        }
        extra.par_sort_unstable_by_key(|e| (e.mentee, e.mentor));
        let n = self.n_mentees();
        // Each row's new edges, and the rows' new starts.
        let mut new_start = Vec::with_capacity(n + 1);
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0);
        let mut x = 0;
        for i in 0..n {
            new_start.push(x);
            while x < extra.len() && extra[x].mentee as usize == i {
                x += 1;
            }
            offsets.push(offsets[i] + self.row(i).len() + (x - new_start[i]));
        }
        new_start.push(x);
        let mut edges = blank_edges(offsets[n]);
        // Disjoint runs of rows, each with its part of the new array.
        let rows = (0..n)
            .step_by(ROWS_PER_RUN)
            .map(|i0| i0..(i0 + ROWS_PER_RUN).min(n));
        let lens = rows.clone().map(|r| offsets[r.end] - offsets[r.start]);
        let runs: Vec<_> = rows.zip(split_runs(&mut edges, lens)).collect();
        runs.into_par_iter().for_each(|(rows, part)| {
            let mut k = 0;
            for i in rows {
                let old = self.row(i);
                let new = &extra[new_start[i]..new_start[i + 1]];
                if new.is_empty() {
                    // Most rows: copied whole.
                    part[k..k + old.len()].copy_from_slice(old);
                    k += old.len();
                    continue;
                }
                let (mut a, mut b) = (0, 0);
                while a < old.len() || b < new.len() {
                    part[k] = if b == new.len() || (a < old.len() && old[a].mentor < new[b].mentor)
                    {
                        a += 1;
                        old[a - 1]
                    } else {
                        b += 1;
                        new[b - 1]
                    };
                    k += 1;
                }
            }
        });
        self.edges = edges;
        self.offsets = offsets;
    }
}

/// Rows per parallel run in [`CandidateGraph::add`].
const ROWS_PER_RUN: usize = 4096;

/// `len` placeholder edges, written in parallel: the fresh memory's page
/// faults then happen on every core.
fn blank_edges(len: usize) -> Vec<Edge> {
    let blank = Edge {
        mentee: 0,
        mentor: 0,
        score: 0,
    };
    rayon::iter::repeat_n(blank, len).collect()
}

/// Inverted index over mentors plus a structure-of-arrays copy of the fields
/// the hot loop reads.
#[derive(Debug, Clone)]
pub struct Scanner<'m> {
    model: &'m Model,
    rules: &'m Rules,
    /// Mentors ordered by (level, UTC offset): position -> mentor index.
    perm: Vec<u32>,
    /// Runs of positions sharing a level and an offset.
    groups: Vec<Group>,
    /// Postings by position, ascending (skills, goals, interests, answers).
    pos_postings: [Vec<Vec<u32>>; 4],
    /// The same postings as bitsets by position (bit `p % 8` of byte `p / 8`)
    /// for keys held by at least one mentor in [`DENSE_SHARE`], empty for the
    /// others: [`add_dense`] adds those keys from the bitsets instead.
    pos_bits: [Vec<Vec<u8>>; 4],
    /// Largest weight of each text term over all mentors.
    max_term_weight: Vec<f32>,
    /// Language masks by position.
    pos_lang: Vec<u64>,
    /// Availability bitsets by position.
    pos_avail: Vec<[u64; crate::score::WEEK_WORDS]>,
    /// Coarse availability signatures by position (see [`coarse`]).
    pos_sig: Vec<u64>,
    /// Text signatures by position ([`crate::score::Features::text_mask`]).
    pos_text_sig: Vec<u64>,
    /// Text vectors by position, flattened: position `p` owns
    /// `pos_text_off[p]..pos_text_off[p + 1]`.
    pos_text_off: Vec<u32>,
    /// Flattened text term ids.
    pos_text_terms: Vec<u32>,
    /// Flattened text weights.
    pos_text_weights: Vec<f32>,
    /// What the rules read of each mentor, by position (see [`PosRules`]).
    pos_rules: Vec<PosRules>,
    /// Years of experience by position: the seniority rule's binary searches
    /// probe this small array, not the much larger [`PosRules`].
    pos_years: Vec<u16>,
}

/// The fields of a mentor that eligibility reads, copied by position so the
/// scan does not touch the mentor's (large, scattered) features in the common
/// case where nobody states a preference.
#[derive(Debug, Clone, Copy)]
struct PosRules {
    person: u32,
    tour: (u32, u32),
    offset_minutes: i32,
    years: u16,
    level: u8,
    /// The mentor offers a reverse-mentoring skill area.
    reverse_area: bool,
    gender: Option<u32>,
    department: Option<u32>,
    /// The mentor states a preference (the slow path handles it).
    prefs: bool,
}

/// Preference points of a pair where only the mentee states preferences, or
/// `None` when a hard one is enforced and broken: the mentee's half of
/// [`Model::preference_points`] and [`crate::constraints::hard_preference_broken`],
/// which is all of them when the mentor states none.
fn mentee_side_prefs(m: &Model, e: &crate::score::Features, r: &PosRules) -> Option<i64> {
    let cap = m.cap[Criterion::Preferences as usize];
    let (mut n, mut met) = (0u64, 0u64);
    if let Some((g, hard)) = e.prefs.gender {
        let ok = r.gender == Some(g);
        if hard && m.enforce_hard && !ok {
            return None;
        }
        n += 1;
        met += u64::from(ok);
    }
    if let Some((d, hard)) = e.prefs.department {
        use crate::profile::DepartmentChoice;
        let ok = match (e.department, r.department) {
            (Some(a), Some(b)) => match d {
                DepartmentChoice::Same => a == b,
                DepartmentChoice::Different => a != b,
            },
            _ => false,
        };
        if hard && m.enforce_hard && !ok {
            return None;
        }
        n += 1;
        met += u64::from(ok);
    }
    for &(who, hard) in &e.prefs.avoid {
        if who == r.person {
            if hard && m.enforce_hard {
                return None;
            }
            n += 1;
        }
    }
    Some(if n == 0 {
        cap
    } else {
        crate::score::share(cap, met, n)
    })
}

/// True when a person states any preference.
fn has_prefs(f: &crate::score::Features) -> bool {
    f.prefs.gender.is_some() || f.prefs.department.is_some() || !f.prefs.avoid.is_empty()
}

/// Text points of a mentor's sparse vector against the mentee's, spread densely
/// over the vocabulary (zero for the mentee's missing terms), exactly as
/// [`Model::score`] sums them: a term the mentee lacks adds `text_part(cap, 0, w)`,
/// which is 0. A branch-free gather instead of a merge of the two term lists.
#[inline]
fn text_points(cap: i64, dense: &[f32], bt: &[u32], bw: &[f32]) -> i64 {
    bt.iter()
        .zip(bw.iter())
        .map(|(&t, &w)| text_part(cap, dense[t as usize], w))
        .sum()
}

/// Mentors at one level and one UTC offset: level and time-zone points are
/// the same for all of them, so one bound serves the whole run.
#[derive(Debug, Clone)]
struct Group {
    start: usize,
    end: usize,
    level: u8,
    offset: i32,
    max_quarters: u32,
    union: [u64; crate::score::WEEK_WORDS],
}

/// A mentee's best mentors so far as (score, mentor), the lowest on top.
type TopHeap = BinaryHeap<Reverse<(i64, Reverse<u32>)>>;

/// The K-th best score once the heap holds K mentors (a newcomer must beat it).
fn kth(heap: &TopHeap, k: usize) -> Option<i64> {
    if heap.len() >= k {
        heap.peek().map(|r| r.0 .0)
    } else {
        None
    }
}

/// A mentor's position, its group and its bound; or, in the chunk order of
/// [`Scanner::order_chunks`], a chunk's first position, its group and the best
/// bound in it.
#[derive(Debug, Clone, Copy, Default)]
struct Found {
    p: u32,
    g: u32,
    bound: i64,
}

/// Width of a bucket of [`Scanner::top_k`]'s best-first order: about a quarter
/// point (2^18 micro-units), a power of two so that finding a bucket is a shift.
const BUCKET_SHIFT: u32 = 18;
const BUCKET: i64 = 1 << BUCKET_SHIFT;

/// Buckets of the best-first order; the last one takes every lower bound.
const BUCKETS: usize = 256;

/// The bucket of a bound under the best bound `top` (never above it).
#[inline]
fn bucket(top: i64, bound: i64) -> usize {
    debug_assert!(bound <= top);
    (((top - bound) as u64 >> BUCKET_SHIFT) as usize).min(BUCKETS - 1)
}

/// The largest value of a chunk (at least one value).
#[inline]
fn max_of(acc: &[i32]) -> i32 {
    acc.iter().fold(i32::MIN, |m, &x| m.max(x))
}

/// A mentor past the availability stage of [`Scanner::evaluate`].
#[derive(Debug, Clone, Copy)]
struct Passed {
    p: u32,
    overlap: u32,
    /// Its points so far: exact but for the text (still at its bound) and the
    /// preferences (at their cap).
    part: i64,
}

/// The accumulator's start for a mentor who cannot be eligible for lack of
/// overlap: far below any bound, and far from `i32` overflow (sparse points are
/// at most 100 points, 10^8 micro-units).
const NO_OVERLAP_CUT: i64 = 1 << 30;

/// Quarters of the week per bit of a coarse availability signature.
const BLOCK_QUARTERS: u32 = crate::score::WEEK_QUARTERS.div_ceil(64);

/// The coarse signature of a weekly availability bitset: bit `k` is set when
/// any quarter-hour of block `k` (of [`BLOCK_QUARTERS`]) is. Two people whose
/// signatures share no bit share no quarter-hour, so their overlap is zero.
fn coarse(avail: &[u64; crate::score::WEEK_WORDS]) -> u64 {
    let mut sig = 0u64;
    for (w, &word) in avail.iter().enumerate() {
        let mut bits = word;
        while bits != 0 {
            let q = w as u32 * 64 + bits.trailing_zeros();
            sig |= 1 << (q / BLOCK_QUARTERS);
            bits &= bits - 1;
        }
    }
    sig
}

/// How many mentors ahead [`Scanner::evaluate`] prefetches.
const AHEAD: usize = 8;

/// Positions per chunk of the scan's vectorised pre-test.
const LANES: usize = 16;

/// `start..end` in chunks of [`LANES`] positions (the last one shorter).
fn chunks(start: usize, end: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    (start..end)
        .step_by(LANES)
        .map(move |c| c..(c + LANES).min(end))
}

/// Whether any accumulator value lies in `lo..=hi`. Written branch-free over a
/// whole chunk so that it compiles to a few vector compares; a chunk with no
/// such value is skipped without looking at its mentors one by one.
#[inline]
fn any_within(acc: &[i32], lo: i64, hi: i64) -> bool {
    let clamp = |x: i64| x.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
    if lo > i64::from(i32::MAX) || hi < i64::from(i32::MIN) || lo > hi {
        return false;
    }
    let (lo, hi) = (clamp(lo), clamp(hi));
    match <&[i32; LANES]>::try_from(acc) {
        Ok(full) => full
            .iter()
            .fold(false, |any, &x| any | ((x >= lo) & (x <= hi))),
        Err(_) => acc.iter().any(|&x| x >= lo && x <= hi),
    }
}

/// A key held by at least one mentor in this many is also kept as a bitset:
/// adding its points to every position from the bitset (8 at a time, no
/// scattered stores) is then cheaper than walking its postings.
const DENSE_SHARE: usize = 8;

/// Lane masks of a byte: lane `j` of entry `b` is all ones when bit `j` of `b`
/// is set.
static EXPAND: [[i32; 8]; 256] = {
    let mut t = [[0i32; 8]; 256];
    let mut b = 0;
    while b < 256 {
        let mut j = 0;
        while j < 8 {
            if b & (1 << j) != 0 {
                t[b][j] = -1;
            }
            j += 1;
        }
        b += 1;
    }
    t
};

/// Adds each key's points to the positions its bitset holds, for the bytes
/// `bytes` (positions `8 * bytes.start..8 * bytes.end`). Wrapping, as the
/// posting walk of [`Scanner::prepare`]. Blocks of 2,048 positions (8 KiB of
/// accumulator) take every key in turn while they sit in the L1 cache.
fn add_dense(acc: &mut [i32], bytes: std::ops::Range<usize>, keys: &[(&[u8], i32)]) {
    const BLOCK: usize = 256;
    for lo in bytes.clone().step_by(BLOCK) {
        let hi = (lo + BLOCK).min(bytes.end);
        let a = &mut acc[8 * lo..8 * hi];
        for &(bits, c) in keys {
            for (out, &byte) in a.chunks_exact_mut(8).zip(bits[lo..hi].iter()) {
                let mask = &EXPAND[byte as usize];
                for (x, &m) in out.iter_mut().zip(mask.iter()) {
                    *x = x.wrapping_add(c & m);
                }
            }
        }
    }
}

/// The bitset of a posting list over `n` positions (see [`Scanner::pos_bits`]),
/// padded to whole bytes; empty for a list shorter than `min` (or empty).
fn bitset(list: &[u32], n: usize, min: usize) -> Vec<u8> {
    if list.is_empty() || list.len() < min {
        return Vec::new();
    }
    let mut bits = vec![0u8; n.div_ceil(8)];
    for &p in list {
        bits[p as usize / 8] |= 1 << (p % 8);
    }
    bits
}

fn postings(n_keys: usize, lists: impl Iterator<Item = (u32, Vec<u32>)>) -> Vec<Vec<u32>> {
    let mut p: Vec<Vec<u32>> = vec![Vec::new(); n_keys];
    for (j, keys) in lists {
        for k in keys {
            p[k as usize].push(j);
        }
    }
    p
}

/// Per-thread scratch space of [`Scanner::top_k`]: sparse points by position,
/// group bounds, the best-first order and the mentee's text weights.
struct FastScratch {
    acc: Vec<i32>,
    bounds: Vec<Option<i64>>,
    avail_parts: Vec<i64>,
    /// Per group: what the bound drops for a mentor with no overlap.
    cuts: Vec<i64>,
    /// Per group: the positions whose years pass the seniority rule.
    ranges: Vec<std::ops::Range<usize>>,
    /// Live chunks (by first position, with their best bound) as found, and
    /// ordered by bucket: `chunks[chunk_start[b]..chunk_start[b + 1]]` is bucket
    /// `b` (see [`Scanner::order_chunks`]).
    found: Vec<Found>,
    chunks: Vec<Found>,
    chunk_start: [usize; BUCKETS + 1],
    /// Mentors of opened chunks waiting for their bucket, and those past the
    /// availability stage (see [`Scanner::evaluate`]).
    waiting: Vec<Vec<Found>>,
    passed: Vec<Passed>,
    /// The mentee's coarse availability signature.
    sig: u64,
    /// The mentee's text signature, and per bit the sum of the squared
    /// weights of its terms there (see [`Scanner::text_bound`]).
    text_sig: u64,
    text_sq: [f64; 64],
    text_ub: i64,
    /// The mentee's text weights by term (zero elsewhere), and the terms set.
    dense: Vec<f32>,
    dense_terms: Vec<u32>,
}

impl FastScratch {
    fn new(model: &Model) -> FastScratch {
        FastScratch {
            // Whole bytes of positions for `add_dense`.
            acc: vec![0; model.n_mentors().next_multiple_of(8)],
            bounds: Vec::new(),
            avail_parts: Vec::new(),
            cuts: Vec::new(),
            ranges: Vec::new(),
            found: Vec::new(),
            chunks: Vec::new(),
            chunk_start: [0; BUCKETS + 1],
            waiting: vec![Vec::new(); BUCKETS],
            passed: Vec::new(),
            sig: 0,
            text_sig: 0,
            text_sq: [0.0; 64],
            text_ub: 0,
            dense: vec![0.0; model.text.len()],
            dense_terms: Vec::new(),
        }
    }
}

impl<'m> Scanner<'m> {
    /// Builds the index for a model.
    pub fn new(model: &'m Model, rules: &'m Rules) -> Scanner<'m> {
        let min = (model.n_mentors() / DENSE_SHARE).max(1);
        Scanner::with_dense_min(model, rules, min)
    }

    /// [`Scanner::new`] with keys held by at least `min` mentors kept as bitsets.
    fn with_dense_min(model: &'m Model, rules: &'m Rules, min: usize) -> Scanner<'m> {
        let ms = &model.mentors;
        let ids = |f: fn(&crate::score::Features) -> &Vec<u32>| {
            ms.iter()
                .enumerate()
                .map(move |(j, r)| (j as u32, f(r).clone()))
        };
        let mut perm: Vec<u32> = (0..ms.len() as u32).collect();
        // Within a run, by years: the seniority rule then admits one range of it.
        perm.sort_by_key(|&j| {
            let r = &ms[j as usize];
            (r.level, r.offset_minutes, r.years, j)
        });
        let mut pos = vec![0u32; ms.len()];
        for (p, &j) in perm.iter().enumerate() {
            pos[j as usize] = p as u32;
        }
        let mut groups: Vec<Group> = Vec::new();
        for (p, &j) in perm.iter().enumerate() {
            let r = &ms[j as usize];
            match groups.last_mut() {
                Some(g) if g.level == r.level && g.offset == r.offset_minutes => {
                    g.end = p + 1;
                    g.max_quarters = g.max_quarters.max(r.avail_quarters);
                    for (u, a) in g.union.iter_mut().zip(r.avail.iter()) {
                        *u |= a;
                    }
                }
                _ => groups.push(Group {
                    start: p,
                    end: p + 1,
                    level: r.level,
                    offset: r.offset_minutes,
                    max_quarters: r.avail_quarters,
                    union: r.avail,
                }),
            }
        }
        let by_pos = |n: usize, f: fn(&crate::score::Features) -> &Vec<u32>| {
            let mut v = postings(n, ids(f));
            for list in v.iter_mut() {
                for x in list.iter_mut() {
                    *x = pos[*x as usize];
                }
                // Ascending: the adds then walk the accumulator in order, and
                // `prepare` trims each list by binary search.
                list.sort_unstable();
            }
            v
        };
        let pos_postings = [
            by_pos(model.skills.len(), |r| &r.offered),
            by_pos(model.goals.len(), |r| &r.goals),
            by_pos(model.interests.len(), |r| &r.interests),
            by_pos(model.answers.len(), |r| &r.answers),
        ];
        let mut max_term_weight = vec![0f32; model.text.len()];
        for r in ms {
            for (t, w) in r.text.terms.iter().zip(r.text.weights.iter()) {
                let x = &mut max_term_weight[*t as usize];
                *x = x.max(*w);
            }
        }
        let mut pos_text_off = Vec::with_capacity(ms.len() + 1);
        let mut pos_text_terms = Vec::new();
        let mut pos_text_weights = Vec::new();
        pos_text_off.push(0u32);
        for &j in &perm {
            let r = &ms[j as usize];
            pos_text_terms.extend_from_slice(&r.text.terms);
            pos_text_weights.extend_from_slice(&r.text.weights);
            pos_text_off.push(pos_text_terms.len() as u32);
        }
        let pos_rules = perm
            .iter()
            .map(|&j| {
                let r = &ms[j as usize];
                PosRules {
                    person: r.person,
                    tour: rules.tour(r.person),
                    offset_minutes: r.offset_minutes,
                    years: r.years,
                    level: r.level,
                    reverse_area: r.offers_reverse_area,
                    gender: r.gender,
                    department: r.department,
                    prefs: has_prefs(r),
                }
            })
            .collect();
        let pos_bits = pos_postings
            .each_ref()
            .map(|lists| lists.iter().map(|l| bitset(l, ms.len(), min)).collect());
        Scanner {
            pos_bits,
            pos_years: perm.iter().map(|&j| ms[j as usize].years).collect(),
            pos_rules,
            pos_text_off,
            pos_text_terms,
            pos_text_weights,
            pos_lang: perm.iter().map(|&j| ms[j as usize].lang_mask).collect(),
            pos_avail: perm.iter().map(|&j| ms[j as usize].avail).collect(),
            pos_text_sig: perm.iter().map(|&j| ms[j as usize].text_mask).collect(),
            pos_sig: perm
                .iter()
                .map(|&j| coarse(&ms[j as usize].avail))
                .collect(),
            max_term_weight,
            perm,
            groups,
            pos_postings,
            model,
            rules,
        }
    }

    /// The model scanned.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    /// The rules applied.
    pub fn rules(&self) -> &'m Rules {
        self.rules
    }

    /// The score of any pair if eligible (for re-adding pruned pairs).
    pub fn score_pair(&self, i: usize, j: usize) -> Option<i64> {
        self.rules.eligible(self.model, i, j)
    }

    /// Sparse points by position and the group bounds for mentee `i`.
    ///
    /// A mentor whose coarse availability signature shares no block with the
    /// mentee's has no overlap at all, so its group's availability bound does
    /// not apply to it: its accumulator starts at minus that bound (minus its
    /// group's `cuts` entry; see [`Scanner::sparse`] for the sparse points alone).
    fn prepare(&self, i: usize, s: &mut FastScratch) {
        let model = self.model;
        let e = &model.mentees[i];
        self.group_bounds(e, s);
        s.sig = coarse(&e.avail);
        s.text_sig = e.text_mask;
        s.text_sq = [0.0; 64];
        for (&t, &w) in e.text.terms.iter().zip(e.text.weights.iter()) {
            s.text_sq[crate::score::text_bit(t)] += f64::from(w) * f64::from(w);
        }
        for &t in &s.dense_terms {
            s.dense[t as usize] = 0.0;
        }
        for (&t, &w) in e.text.terms.iter().zip(e.text.weights.iter()) {
            s.dense[t as usize] = w;
        }
        s.dense_terms.clear();
        s.dense_terms.extend_from_slice(&e.text.terms);
        // Without a shared language a mentor is ineligible: its accumulator
        // starts far below any bound, so the scan never evaluates it.
        let (no_lang, lang) = (model.settings.reach.require_shared_language, e.lang_mask);
        for ((b, &cut), range) in s.bounds.iter().zip(s.cuts.iter()).zip(s.ranges.iter()) {
            if b.is_none() {
                // Never read: the group is skipped.
                continue;
            }
            let cut = cut as i32;
            let acc = &mut s.acc[range.clone()];
            for ((x, &sig), &lm) in acc
                .iter_mut()
                .zip(self.pos_sig[range.clone()].iter())
                .zip(self.pos_lang[range.clone()].iter())
            {
                let v = if sig & s.sig == 0 { -cut } else { 0 };
                *x = if no_lang && lm & lang == 0 {
                    -(NO_OVERLAP_CUT as i32)
                } else {
                    v
                };
            }
        }
        // Positions outside the first and last live ones are never read: trim
        // each posting list to them (the levels a mentee's rule excludes form
        // the head or the tail of the order).
        let live = s.ranges.iter().filter(|r| !r.is_empty());
        let first = live.clone().map(|r| r.start).min().unwrap_or(0) as u32;
        let last = live.map(|r| r.end).max().unwrap_or(0) as u32;
        let mut dense: Vec<(&[u8], i32)> = Vec::new();
        for ((keyed, post), bits) in [
            (&e.wanted, &self.pos_postings[0]),
            (&e.goals_keyed, &self.pos_postings[1]),
            (&e.interests_keyed, &self.pos_postings[2]),
            (&e.answers_keyed, &self.pos_postings[3]),
        ]
        .into_iter()
        .zip(self.pos_bits.iter())
        {
            for &(key, c) in keyed.iter() {
                let c = c as i32;
                if !bits[key as usize].is_empty() {
                    dense.push((&bits[key as usize], c));
                    continue;
                }
                // A local slice: through `s` the compiler reloads the vector's
                // pointer after every store.
                let acc = &mut s.acc[..];
                let list = &post[key as usize][..];
                let list = &list[list.partition_point(|&p| p < first)..];
                let list = &list[..list.partition_point(|&p| p < last)];
                for &p in list {
                    // Wrapping: positions outside this mentee's ranges were not
                    // reset above and are never read for it; a mentor no mentee's
                    // rule admits would otherwise add up until it overflowed.
                    acc[p as usize] = acc[p as usize].wrapping_add(c);
                }
            }
        }
        if !dense.is_empty() && first < last {
            add_dense(
                &mut s.acc,
                first as usize / 8..(last as usize).div_ceil(8),
                &dense,
            );
        }
    }

    /// The sparse points of the mentor at position `p` in group `g`, from its
    /// accumulator value `a` (which may hold the no-overlap cut).
    #[inline]
    fn sparse(&self, s: &FastScratch, g: usize, p: usize, a: i64) -> i64 {
        if self.pos_sig[p] & s.sig == 0 {
            a + s.cuts[g]
        } else {
            a
        }
    }

    /// Group bounds for mentee `e`, the text bound, and each group's cut for
    /// mentors with no availability overlap.
    fn group_bounds(&self, e: &crate::score::Features, s: &mut FastScratch) {
        let model = self.model;
        let max_tz = model
            .settings
            .reach
            .max_time_zone_hours
            .map(|h| (h * 60.0).round() as u32);
        // Text points are at most cap * sum(a_t * max_b_t) (rounded up).
        let text_cap = model.cap[Criterion::GoalText as usize];
        let dot: f64 = e
            .text
            .terms
            .iter()
            .zip(e.text.weights.iter())
            .map(|(t, a)| f64::from(*a) * f64::from(self.max_term_weight[*t as usize]))
            .sum();
        s.text_ub = ((text_cap as f64 * dot).ceil() as i64 + 1).min(text_cap);
        let fixed = model.cap[Criterion::Preferences as usize] + s.text_ub;
        // Group bounds; None when no mentor of the group can be eligible.
        s.bounds.clear();
        s.avail_parts.clear();
        s.cuts.clear();
        s.ranges.clear();
        // With a minimum overlap, a mentor without any overlap is ineligible.
        let no_overlap_ineligible = model
            .settings
            .reach
            .min_overlap_hours
            .is_some_and(|h| h > 0.0);
        for g in &self.groups {
            // The positions whose level and years pass the seniority rule.
            let range = self.rules.years_range(e.level, e.years, g.level).map_or(
                g.start..g.start,
                |(lo, hi)| {
                    let ys = &self.pos_years[g.start..g.end];
                    g.start + ys.partition_point(|&y| y < lo)
                        ..g.start + ys.partition_point(|&y| y <= hi)
                },
            );
            let d = (e.offset_minutes - g.offset).unsigned_abs() % 1440;
            let d = d.min(1440 - d);
            if range.is_empty() || max_tz.is_some_and(|m| d > m) {
                s.bounds.push(None);
                s.avail_parts.push(0);
                s.cuts.push(0);
                s.ranges.push(g.start..g.start);
                continue;
            }
            s.ranges.push(range);
            let avail = model.avail_table
                [crate::score::overlap_quarters(&e.avail, &g.union).min(g.max_quarters) as usize];
            s.bounds.push(Some(
                model.level_table[e.level as usize][g.level as usize]
                    + model.tz_table[(d / 15) as usize]
                    + avail
                    + fixed,
            ));
            s.avail_parts.push(avail);
            s.cuts.push(if no_overlap_ineligible {
                NO_OVERLAP_CUT
            } else {
                avail - model.avail_table[0]
            });
        }
    }

    /// Shared quarter-hours with the mentor at position `p`, and their points.
    #[inline]
    fn availability(&self, e: &crate::score::Features, p: usize) -> (u32, i64) {
        let overlap = crate::score::overlap_quarters(&e.avail, &self.pos_avail[p]);
        (overlap, self.model.avail_table[overlap as usize])
    }

    /// An upper bound on the text points of the mentor at position `p`, from the
    /// signatures alone: the text points are at most `cap · Σ a_t b_t` over the
    /// shared terms, so by Cauchy–Schwarz at most `cap · ‖a_S‖ · ‖b_S‖`, where
    /// `‖b_S‖ ≤ ‖b‖ < 1` and every shared term lies in a shared bit, so
    /// `‖a_S‖²` is at most the mentee's squared weights summed over the shared
    /// bits. Never above `s.text_ub`.
    #[inline]
    fn text_bound(&self, s: &FastScratch, p: usize) -> i64 {
        let mut shared = s.text_sig & self.pos_text_sig[p];
        if shared == 0 {
            return 0;
        }
        let mut sq = 0.0;
        while shared != 0 {
            sq += s.text_sq[shared.trailing_zeros() as usize];
            shared &= shared - 1;
        }
        let cap = self.model.cap[Criterion::GoalText as usize] as f64;
        // The relative margin covers the rounding of the weights and of this sum.
        ((cap * sq.sqrt() * (1.0 + 1e-6)).ceil() as i64 + 1).min(s.text_ub)
    }

    /// Prefetches what the last stages read of the mentor at position `p`: its
    /// text terms and weights, and its copied rule fields.
    #[inline]
    fn prefetch_last_stages(&self, p: usize) {
        let lo = self.pos_text_off[p] as usize;
        prefetch(&self.pos_text_terms[lo..]);
        prefetch(&self.pos_text_weights[lo..]);
        prefetch(&self.pos_rules[p..]);
    }

    /// Exact text points of the mentor at position `p` against the mentee whose
    /// weights `s.dense` holds.
    #[inline]
    fn text(&self, s: &FastScratch, p: usize) -> i64 {
        let (lo, hi) = (
            self.pos_text_off[p] as usize,
            self.pos_text_off[p + 1] as usize,
        );
        text_points(
            self.model.cap[Criterion::GoalText as usize],
            &s.dense,
            &self.pos_text_terms[lo..hi],
            &self.pos_text_weights[lo..hi],
        )
    }

    /// The preference points of the mentor at position `p` when every rule but
    /// the language (checked before) and the quality floor lets the pair through.
    #[inline]
    fn rules_and_prefs(
        &self,
        e: &crate::score::Features,
        forbidden: &[(u32, crate::constraints::Rule)],
        p: usize,
        overlap: u32,
    ) -> Option<i64> {
        let m = self.model;
        let j = self.perm[p];
        if forbidden.iter().any(|&(f, _)| f == j) {
            return None;
        }
        let pr = &self.pos_rules[p];
        if !pr.prefs && m.lang_mask_exact {
            // Without mentor preferences the rules need only the copied fields.
            if !self.rules.compatible_plain(
                e,
                pr.person,
                pr.tour,
                pr.level,
                pr.years,
                pr.reverse_area,
                pr.offset_minutes,
                overlap,
            ) {
                return None;
            }
            if has_prefs(e) {
                mentee_side_prefs(m, e, pr)
            } else {
                Some(m.cap[Criterion::Preferences as usize])
            }
        } else {
            let r = &m.mentors[j as usize];
            if !self.rules.compatible(m, e, r) {
                return None;
            }
            Some(m.preference_points(e, r))
        }
    }

    /// Exact score of the mentor at position `p` when it is eligible and scores
    /// at least `need`, from the cheapest check to the dearest: the language mask
    /// (no shared bit, no shared language), exact availability with the text's
    /// signature bound ([`Scanner::text_bound`]), exact text, then the rules and
    /// preferences on the mentor's features. `a` is the sparse points, `lt` the
    /// group's level and time-zone points plus the text bound `s.text_ub` and the
    /// preference cap.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn staged(
        &self,
        e: &crate::score::Features,
        forbidden: &[(u32, crate::constraints::Rule)],
        s: &FastScratch,
        p: usize,
        a: i64,
        lt: i64,
        need: i64,
    ) -> Option<i64> {
        let m = self.model;
        if m.settings.reach.require_shared_language && self.pos_lang[p] & e.lang_mask == 0 {
            return None;
        }
        let (overlap, av) = self.availability(e, p);
        if a + lt + av - s.text_ub + self.text_bound(s, p) < need {
            return None;
        }
        let text = self.text(s, p);
        if a + lt + av - s.text_ub + text < need {
            return None;
        }
        let prefs = self.rules_and_prefs(e, forbidden, p, overlap)?;
        let sc = a + lt - s.text_ub - m.cap[Criterion::Preferences as usize] + av + text + prefs;
        (sc >= need && sc >= self.rules.floor()).then_some(sc)
    }

    /// [`Scanner::staged`] over a batch of mentors, one stage at a time: each
    /// stage's loads do not wait on the previous mentor's branches, so their
    /// cache misses overlap. Adds every mentor scoring at least the heap's
    /// floor (and `lowest`) to the heap, which keeps the `k` best.
    ///
    /// Language was already settled by [`Scanner::prepare`]: a mentor sharing
    /// no language never reaches the heap's floor.
    #[allow(clippy::too_many_arguments)]
    fn evaluate(
        &self,
        e: &crate::score::Features,
        forbidden: &[(u32, crate::constraints::Rule)],
        s: &mut FastScratch,
        batch: &[Found],
        lowest: i64,
        k: usize,
        heap: &mut TopHeap,
    ) {
        let floor = |heap: &TopHeap| kth(heap, k).map_or(lowest, |x| x.max(lowest));
        let need = floor(heap);
        let mut passed = std::mem::take(&mut s.passed);
        passed.clear();
        for (k, f) in batch.iter().enumerate() {
            // The weekly bitsets of the mentors a few places on (two cache lines
            // each): their loads then overlap with this mentor's work.
            if let Some(next) = batch.get(k + AHEAD) {
                let avail = &self.pos_avail[next.p as usize];
                prefetch(&avail[..]);
                prefetch(&avail[avail.len() - 1..]);
            }
            if f.bound < need {
                continue;
            }
            let (p, gi) = (f.p as usize, f.g as usize);
            let a = self.sparse(s, gi, p, i64::from(s.acc[p]));
            // Sparse, level and time-zone points, the preferences at their cap;
            // no availability or text yet.
            let no_text = a + s.bounds[gi].unwrap_or(0) - s.avail_parts[gi] - s.text_ub;
            // The text bound is cheap (one word by position); the availability
            // overlap reads the mentor's weekly bitset.
            let tb = self.text_bound(s, p);
            if no_text + s.avail_parts[gi] + tb < need {
                continue;
            }
            let (overlap, av) = self.availability(e, p);
            if no_text + av + tb >= need {
                passed.push(Passed {
                    p: p as u32,
                    overlap,
                    part: no_text + av,
                });
            }
        }
        for x in passed.iter().take(AHEAD) {
            self.prefetch_last_stages(x.p as usize);
        }
        for k in 0..passed.len() {
            if let Some(next) = passed.get(k + AHEAD) {
                self.prefetch_last_stages(next.p as usize);
            }
            passed[k].part += self.text(s, passed[k].p as usize);
        }
        passed.retain(|x| x.part >= need);
        let prefs_cap = self.model.cap[Criterion::Preferences as usize];
        for x in &passed {
            let need = floor(heap).max(self.rules.floor());
            if x.part < need {
                continue;
            }
            let p = x.p as usize;
            let Some(prefs) = self.rules_and_prefs(e, forbidden, p, x.overlap) else {
                continue;
            };
            let sc = x.part - prefs_cap + prefs;
            if sc < need {
                continue;
            }
            heap.push(Reverse((sc, Reverse(self.perm[p]))));
            if heap.len() > k {
                heap.pop();
            }
        }
        s.passed = passed;
    }

    /// Every live chunk of [`LANES`] positions with the best bound in it, in
    /// `s.chunks` ordered by buckets of that bound (a counting sort; see
    /// [`FastScratch::chunk_start`]). Chunks whose best bound is under `lowest`
    /// are left out. Returns the best bound of all (`None`: no chunk left).
    fn order_chunks(&self, s: &mut FastScratch, lowest: i64) -> Option<i64> {
        let mut found = std::mem::take(&mut s.found);
        found.clear();
        let mut top = i64::MIN;
        for (gi, b) in s.bounds.iter().enumerate() {
            let Some(b) = *b else { continue };
            for chunk in chunks(s.ranges[gi].start, s.ranges[gi].end) {
                let best = i64::from(max_of(&s.acc[chunk.clone()])) + b;
                if best >= lowest {
                    top = top.max(best);
                    found.push(Found {
                        p: chunk.start as u32,
                        g: gi as u32,
                        bound: best,
                    });
                }
            }
        }
        let top = (!found.is_empty()).then_some(top)?;
        let mut count = [0usize; BUCKETS + 1];
        for f in &found {
            count[bucket(top, f.bound) + 1] += 1;
        }
        for b in 0..BUCKETS {
            count[b + 1] += count[b];
        }
        s.chunk_start = count;
        s.chunks.clear();
        s.chunks.resize(found.len(), Found::default());
        for f in &found {
            let b = bucket(top, f.bound);
            s.chunks[count[b]] = *f;
            count[b] += 1;
        }
        s.found = found;
        Some(top)
    }

    /// Top-K row of mentee `i` and the bound on what was pruned.
    ///
    /// Sparse points are accumulated by position; every mentor then has the
    /// bound `sparse + group bound`. Mentors are evaluated exactly best bound
    /// first, by buckets of [`BUCKET`], until the heap holds K and no bound left
    /// reaches its K-th score; so only (about) the mentors whose bound reaches
    /// the final K-th score are evaluated. To find them without a pass over
    /// every position, chunks of [`LANES`] positions are ordered by their best
    /// bound, and a chunk is opened when its bucket comes up: its mentors then
    /// wait in their own buckets, which are complete once the scan reaches them.
    fn top_k(&self, i: usize, k: usize, s: &mut FastScratch, out: &mut Vec<Edge>) -> i64 {
        self.prepare(i, s);
        let forbidden = self.rules.forbidden_for(i);
        let mut heap: TopHeap = BinaryHeap::with_capacity(k + 1);
        let lowest = self.rules.floor().max(0);
        let e = &self.model.mentees[i];
        if let Some(top) = self.order_chunks(s, lowest) {
            for w in s.waiting.iter_mut() {
                w.clear();
            }
            for cb in 0..BUCKETS {
                // Every bound from here on is at most this.
                if kth(&heap, k).is_some_and(|m| top - cb as i64 * BUCKET < m) {
                    break;
                }
                let need = kth(&heap, k).map_or(lowest, |m| m.max(lowest));
                for c in s.chunk_start[cb]..s.chunk_start[cb + 1] {
                    let Found { p: start, g, .. } = s.chunks[c];
                    let b = s.bounds[g as usize].unwrap_or(i64::MIN / 2);
                    let end = (start as usize + LANES).min(s.ranges[g as usize].end);
                    for p in start as usize..end {
                        let bound = i64::from(s.acc[p]) + b;
                        if bound >= need {
                            s.waiting[bucket(top, bound)].push(Found {
                                p: p as u32,
                                g,
                                bound,
                            });
                        }
                    }
                }
                // Every mentor with a bound in this bucket is waiting now: its
                // chunk's best bound is at least its own.
                if !s.waiting[cb].is_empty() {
                    let batch = std::mem::take(&mut s.waiting[cb]);
                    self.evaluate(e, forbidden, s, &batch, lowest, k, &mut heap);
                    s.waiting[cb] = batch;
                }
            }
        }
        let bound = kth(&heap, k).unwrap_or(NO_PRUNED);
        let start = out.len();
        out.extend(heap.into_iter().map(|Reverse((sc, Reverse(j)))| Edge {
            mentee: i as u32,
            mentor: j,
            score: sc,
        }));
        out[start..].sort_unstable_by_key(|e| e.mentor);
        bound
    }

    /// The top-K candidate graph of every mentee, in parallel.
    pub fn generate(&self, k: usize) -> CandidateGraph {
        let n = self.model.n_mentees();
        const CHUNK: usize = 512;
        let parts: Vec<(Vec<Edge>, Vec<usize>, Vec<i64>)> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map_init(
                || FastScratch::new(self.model),
                |s, c| {
                    let lo = c * CHUNK;
                    let hi = (lo + CHUNK).min(n);
                    let mut edges = Vec::with_capacity((hi - lo) * k);
                    let mut lens = Vec::with_capacity(hi - lo);
                    let mut bounds = Vec::with_capacity(hi - lo);
                    for i in lo..hi {
                        let before = edges.len();
                        bounds.push(self.top_k(i, k.max(1), s, &mut edges));
                        lens.push(edges.len() - before);
                    }
                    (edges, lens, bounds)
                },
            )
            .collect();
        let total: usize = parts.iter().map(|p| p.0.len()).sum();
        let mut g = CandidateGraph {
            // Copied into place in parallel: on one core, 80 MB of edges at
            // 100k x 20k took 0.11 s while the other core waited.
            edges: blank_edges(total),
            offsets: Vec::with_capacity(n + 1),
            pruned_bound: Vec::with_capacity(n),
        };
        let runs = split_runs(&mut g.edges, parts.iter().map(|p| p.0.len()));
        runs.into_par_iter()
            .zip(parts.par_iter())
            .for_each(|(run, part)| run.copy_from_slice(&part.0));
        g.offsets.push(0);
        for (_, lens, bounds) in parts {
            for l in lens {
                let last = *g.offsets.last().unwrap_or(&0);
                g.offsets.push(last + l);
            }
            g.pruned_bound.extend(bounds);
        }
        g
    }

    /// For each of the given mentees, the eligible pairs not yet in `graph` whose
    /// score is strictly above `base[i] + price[j]` (the pruned pairs with positive
    /// reduced cost), at most `limit` per mentee: those with the largest reduced
    /// cost, so a mentee with any such pair always returns one. The cap keeps a
    /// re-check round's memory in proportion to the graph when the prices are far
    /// from final (a small K); the caller repeats rounds until none is left. Runs
    /// in parallel.
    pub fn improving(
        &self,
        graph: &CandidateGraph,
        mentees: &[u32],
        base: &(dyn Fn(usize) -> i128 + Sync),
        price: &[i128],
        limit: usize,
    ) -> Vec<Edge> {
        let limit = limit.max(1);
        let min_price = price.iter().copied().min().unwrap_or(0);
        // Prices by position (read in scan order, not scattered by mentor), and
        // each group's lowest.
        let pos_price: Vec<i128> = self.perm.iter().map(|&j| price[j as usize]).collect();
        let group_min: Vec<i128> = self
            .groups
            .iter()
            .map(|g| {
                pos_price[g.start..g.end]
                    .iter()
                    .copied()
                    .min()
                    .unwrap_or(i128::MAX)
            })
            .collect();
        let mut found: Vec<Vec<Edge>> = mentees
            .par_iter()
            .map_init(
                || FastScratch::new(self.model),
                |s, &i| {
                    let i = i as usize;
                    let b = base(i);
                    if graph.pruned_bound[i] == NO_PRUNED
                        || i128::from(graph.pruned_bound[i]) <= b + min_price
                    {
                        return Vec::new();
                    }
                    self.prepare(i, s);
                    let row = graph.row(i);
                    let forbidden = self.rules.forbidden_for(i);
                    // The `limit` pairs with the largest reduced gain (ties: the first
                    // found), as (gain, mentor, score).
                    let mut best: BinaryHeap<Reverse<(i128, u32, i64)>> = BinaryHeap::new();
                    // A new pair must beat the lowest kept gain once `limit` are kept.
                    let over = |best: &BinaryHeap<Reverse<(i128, u32, i64)>>| {
                        if best.len() >= limit {
                            best.peek().map_or(0, |r| r.0 .0)
                        } else {
                            0
                        }
                    };
                    let e = &self.model.mentees[i];
                    for (gi, (gb, avail_part)) in
                        s.bounds.iter().zip(s.avail_parts.iter()).enumerate()
                    {
                        let Some(gb) = *gb else { continue };
                        for chunk in chunks(s.ranges[gi].start, s.ranges[gi].end) {
                            // Nobody in the chunk beats the group's cheapest price.
                            let lo = (b + group_min[gi] + over(&best) + 1 - i128::from(gb))
                                .clamp(i128::from(i64::MIN), i128::from(i64::MAX))
                                as i64;
                            if !any_within(&s.acc[chunk.clone()], lo, i64::MAX) {
                                continue;
                            }
                            for p in chunk {
                                let a = i64::from(s.acc[p]);
                                let need = b + pos_price[p] + over(&best);
                                if i128::from(a + gb) <= need {
                                    continue;
                                }
                                let j = self.perm[p] as usize;
                                if row.binary_search_by_key(&(j as u32), |e| e.mentor).is_ok() {
                                    continue;
                                }
                                let need64 = (need + 1)
                                    .clamp(i128::from(i64::MIN), i128::from(i64::MAX))
                                    as i64;
                                if let Some(sc) = self.staged(
                                    e,
                                    forbidden,
                                    s,
                                    p,
                                    self.sparse(s, gi, p, a),
                                    gb - avail_part,
                                    need64,
                                ) {
                                    let gain = i128::from(sc) - b - price[j];
                                    best.push(Reverse((gain, j as u32, sc)));
                                    if best.len() > limit {
                                        best.pop();
                                    }
                                }
                            }
                        }
                    }
                    best.into_iter()
                        .map(|Reverse((_, j, sc))| Edge {
                            mentee: i as u32,
                            mentor: j,
                            score: sc,
                        })
                        .collect()
                },
            )
            .collect();
        let mut all = Vec::with_capacity(found.iter().map(Vec::len).sum());
        for v in found.iter_mut() {
            all.append(v);
        }
        all
    }

    /// Every eligible pair of mentee `i` (dense; for tests and small runs).
    pub fn all_eligible(&self, i: usize) -> Vec<Edge> {
        (0..self.model.n_mentors())
            .filter_map(|j| {
                self.score_pair(i, j).map(|sc| Edge {
                    mentee: i as u32,
                    mentor: j as u32,
                    score: sc,
                })
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::profile::{DepartmentChoice, Level, Preference, Profile, Skill, Strength};
    use crate::score::tests::person;
    use crate::settings::Settings;
    use proptest::prelude::*;

    fn world(seed: u64, n: usize, m: usize) -> (Vec<Profile>, Vec<Profile>) {
        let mut x = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut next = |k: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % k
        };
        let skills = ["speaking", "finance", "hiring", "strategy", "design", "sql"];
        let zones = [
            "Europe/London",
            "Europe/Lisbon",
            "America/New_York",
            "Asia/Tokyo",
        ];
        let mk = |id: String, mentor: bool, next: &mut dyn FnMut(u64) -> u64| {
            let lvl = Level::from_rank(next(3) as u8).unwrap_or(Level::TeamLeader);
            let mut p = person(&id, lvl, next(25) as u16);
            p.time_zone = zones[next(4) as usize].into();
            // One or two windows on random days and hours: many pairs share no
            // quarter-hour at all, some share a coarse block but no quarter-hour.
            p.availability = (0..1 + next(2))
                .map(|_| {
                    let start = (next(40) * 30) as u16;
                    crate::profile::Window {
                        day: crate::profile::Weekday::from_index(next(3) as u8)
                            .unwrap_or(crate::profile::Weekday::Tue),
                        start_minute: start,
                        end_minute: start + 30 * (1 + next(6) as u16),
                    }
                })
                .collect();
            if next(5) == 0 {
                p.languages = vec!["Portuguese".into()];
            }
            let list: Vec<Skill> = (0..1 + next(3))
                .map(|_| Skill {
                    name: skills[next(6) as usize].into(),
                    priority: 1 + next(5) as u8,
                })
                .collect();
            if mentor {
                p.skills_offered = list;
                p.capacity = 1 + next(3) as u32;
            } else {
                p.skills_wanted = list;
            }
            p.goals = vec![skills[next(6) as usize].into()];
            p.goals_text = format!(
                "{} and {}",
                skills[next(6) as usize],
                skills[next(6) as usize]
            );
            if next(3) == 0 {
                p.manager = Some(format!("r{}", next(m as u64)));
            }
            // Genders, departments and stated preferences (soft and hard, on
            // either side) exercise both eligibility paths of the scan.
            let genders = ["woman", "man", "non-binary"];
            if next(4) != 0 {
                p.gender = Some(genders[next(3) as usize].into());
            }
            if next(4) != 0 {
                p.department = Some(["Sales", "Legal"][next(2) as usize].into());
            }
            let strength = |x: u64| {
                if x == 0 {
                    Strength::Hard
                } else {
                    Strength::Soft
                }
            };
            let odds = if mentor { 8 } else { 3 };
            if next(odds) == 0 {
                p.preferences.gender = Some(Preference {
                    value: genders[next(3) as usize].into(),
                    strength: strength(next(2)),
                });
            }
            if next(odds) == 0 {
                p.preferences.department = Some(Preference {
                    value: if next(2) == 0 {
                        DepartmentChoice::Same
                    } else {
                        DepartmentChoice::Different
                    },
                    strength: strength(next(2)),
                });
            }
            if next(odds) == 0 {
                let other = if mentor { "e" } else { "r" };
                p.preferences.avoid.push(Preference {
                    value: format!("{other}{}", next(m.max(n) as u64)),
                    strength: strength(next(2)),
                });
            }
            p
        };
        let mentees = (0..n)
            .map(|i| mk(format!("e{i}"), false, &mut next))
            .collect();
        let mentors = (0..m)
            .map(|j| mk(format!("r{j}"), true, &mut next))
            .collect();
        (mentees, mentors)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]
        #[test]
        fn top_k_matches_brute_force(
            seed in 0u64..10_000,
            k in 1usize..6,
            floor in 0u32..40,
            enforce in any::<bool>(),
            min_overlap in prop::option::of(0.25f64..2.0),
            kind in 0usize..3,
            years in 0u16..8,
            require_lang in any::<bool>(),
            dense_min in prop::sample::select(vec![1usize, 4, usize::MAX]),
            min_gap in prop::option::of(-2i8..=2),
            max_gap in prop::option::of(-2i8..=2),
        ) {
            let (e, r) = world(seed, 12, 15);
            let mut s = Settings::default();
            // Every seniority rule, with year limits that split a level's run.
            s.kind = [
                crate::settings::ProgrammeKind::OneToOne,
                crate::settings::ProgrammeKind::Reverse,
                crate::settings::ProgrammeKind::Peer,
            ][kind];
            s.seniority.min_years_ahead = years;
            s.seniority.similar_max_years_gap = years;
            s.reach.require_shared_language = require_lang;
            s.quality_floor = f64::from(floor);
            s.reach.min_overlap_hours = min_overlap;
            // The level-gap limits, in either order's valid form.
            (s.seniority.min_level_gap, s.seniority.max_level_gap) = match (min_gap, max_gap) {
                (Some(a), Some(b)) => (Some(a.min(b)), Some(a.max(b))),
                other => other,
            };
            if !enforce {
                s.hard_preferences = crate::settings::HardPreferences::AsSoft;
            }
            let model = Model::build(&e, &r, &s).unwrap();
            let rules = Rules::build(&model);
            // Keys as bitsets: all of them, the more popular ones, none.
            let sc = Scanner::with_dense_min(&model, &rules, dense_min);
            let g = sc.generate(k);
            for i in 0..model.n_mentees() {
                let mut all = sc.all_eligible(i);
                all.sort_by_key(|e| (Reverse(e.score), e.mentor));
                let mut want: Vec<Edge> = all.iter().take(k).copied().collect();
                want.sort_by_key(|e| e.mentor);
                prop_assert_eq!(g.row(i), &want[..]);
                for e in g.row(i) {
                    prop_assert_eq!(e.score, model.score(i, e.mentor as usize));
                }
                let bound = g.pruned_bound[i];
                if all.len() > k {
                    prop_assert!(all[k..].iter().all(|e| e.score <= bound));
                } else {
                    prop_assert!(bound == NO_PRUNED || bound >= all.last().map_or(0, |e| e.score));
                }
            }
            // The re-check finds exactly the pruned pairs above a threshold.
            let price: Vec<i128> = (0..model.n_mentors()).map(|j| (j as i128 % 3) * 5_000_000).collect();
            let base = |i: usize| (i as i128 % 4) * 10_000_000;
            let mentees: Vec<u32> = (0..model.n_mentees() as u32).collect();
            let mut got = sc.improving(&g, &mentees, &base, &price, usize::MAX);
            got.sort_by_key(|e| (e.mentee, e.mentor));
            let mut capped = sc.improving(&g, &mentees, &base, &price, 2);
            capped.sort_by_key(|e| (e.mentee, e.mentor));
            let mut want = Vec::new();
            for i in 0..model.n_mentees() {
                for e in sc.all_eligible(i) {
                    let in_row = g.row(i).iter().any(|x| x.mentor == e.mentor);
                    if !in_row && i128::from(e.score) > base(i) + price[e.mentor as usize] {
                        want.push(e);
                    }
                }
            }
            // With a cap of 2: each mentee's two largest reduced gains.
            let gain = |e: &Edge| i128::from(e.score) - base(e.mentee as usize) - price[e.mentor as usize];
            for i in 0..model.n_mentees() as u32 {
                let mut w: Vec<i128> = want.iter().filter(|e| e.mentee == i).map(gain).collect();
                w.sort_unstable_by(|a, b| b.cmp(a));
                w.truncate(2);
                let mut c: Vec<i128> = capped.iter().filter(|e| e.mentee == i).map(gain).collect();
                c.sort_unstable_by(|a, b| b.cmp(a));
                prop_assert_eq!(c, w);
            }
            prop_assert!(capped.iter().all(|e| want.contains(e)));
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn bitsets_add_the_same_points_as_postings() {
        let n = 203;
        let mut x = 7u64;
        let mut next = |k: u64| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            (x >> 33) % k
        };
        let lists: Vec<Vec<u32>> = (0..5)
            .map(|k| (0..n as u32).filter(|_| next(5) <= k).collect())
            .collect();
        let points = [3, -7, 1 << 20, 11, 5];
        // Not below `min`: no bitset.
        assert!(bitset(&lists[0], n, lists[0].len() + 1).is_empty());
        assert!(bitset(&[], n, 0).is_empty());
        let bits: Vec<Vec<u8>> = lists.iter().map(|l| bitset(l, n, 1)).collect();
        for (l, b) in lists.iter().zip(&bits) {
            let back: Vec<u32> = (0..n as u32)
                .filter(|&p| b[p as usize / 8] & (1 << (p % 8)) != 0)
                .collect();
            assert_eq!(&back, l);
        }
        let keys: Vec<(&[u8], i32)> = bits.iter().map(|b| &b[..]).zip(points).collect();
        for bytes in [0..n.div_ceil(8), 3..17, 25..26, 9..9] {
            let mut got = vec![100i32; n.next_multiple_of(8)];
            add_dense(&mut got, bytes.clone(), &keys);
            let mut want = vec![100i32; n.next_multiple_of(8)];
            for (l, c) in lists.iter().zip(points) {
                for &p in l.iter().filter(|&&p| bytes.contains(&(p as usize / 8))) {
                    want[p as usize] += c;
                }
            }
            assert_eq!(got, want, "bytes {bytes:?}");
        }
    }

    #[test]
    fn text_bound_never_undercuts_the_text_points() {
        // The synthetic population's texts share a small vocabulary, so most
        // pairs share terms and the bound is tested where it has work to do.
        let (e, r) = crate::synthetic::population(11, 150, 150, 1.2);
        let model = Model::build(&e, &r, &Settings::default()).unwrap();
        let rules = Rules::build(&model);
        let sc = Scanner::new(&model, &rules);
        let mut s = FastScratch::new(&model);
        let (mut below_cap, mut pairs) = (0, 0);
        for i in 0..model.n_mentees() {
            sc.prepare(i, &mut s);
            for p in 0..model.n_mentors() {
                let (bound, exact) = (sc.text_bound(&s, p), sc.text(&s, p));
                assert!(
                    bound >= exact,
                    "mentee {i}, position {p}: {bound} < {exact}"
                );
                below_cap += usize::from(bound < s.text_ub);
                pairs += 1;
            }
        }
        // And it is tighter than the plain cap for most pairs.
        assert!(below_cap * 2 > pairs, "{below_cap} of {pairs}");
    }

    #[test]
    fn graph_add_merges_rows_across_parallel_runs() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let n = 2 * ROWS_PER_RUN + 5;
        let edge = |i: usize, j: u32| Edge {
            mentee: i as u32,
            mentor: j,
            score: i64::from(j) * 7 - i as i64,
        };
        // Even mentors in the graph, odd ones added; some rows get nothing.
        let mut want: Vec<Vec<Edge>> = Vec::with_capacity(n);
        let mut g = CandidateGraph {
            offsets: vec![0],
            ..CandidateGraph::default()
        };
        let mut extra = Vec::new();
        for i in 0..n {
            let mut row: Vec<u32> = (0..rng.random_range(0..6u32)).map(|k| 2 * k).collect();
            g.edges.extend(row.iter().map(|&j| edge(i, j)));
            g.offsets.push(g.edges.len());
            g.pruned_bound.push(NO_PRUNED);
            if rng.random_range(0..3) == 0 {
                for k in 0..rng.random_range(1..4u32) {
                    extra.push(edge(i, 2 * k + 1));
                    row.push(2 * k + 1);
                }
            }
            row.sort_unstable();
            want.push(row.into_iter().map(|j| edge(i, j)).collect());
        }
        extra.reverse();
        g.add(extra);
        assert_eq!(g.n_mentees(), n);
        for (i, row) in want.iter().enumerate() {
            assert_eq!(g.row(i), &row[..], "row {i}");
        }
    }

    #[test]
    fn graph_add_keeps_rows_sorted() {
        let (e, r) = world(7, 5, 8);
        let model = Model::build(&e, &r, &Settings::default()).unwrap();
        let rules = Rules::build(&model);
        let sc = Scanner::new(&model, &rules);
        let mut g = sc.generate(1);
        let extra: Vec<Edge> = (0..5)
            .flat_map(|i| sc.all_eligible(i))
            .filter(|e| {
                !g.row(e.mentee as usize)
                    .iter()
                    .any(|x| x.mentor == e.mentor)
            })
            .collect();
        let n = extra.len() + g.edges.len();
        g.add(extra);
        assert_eq!(g.edges.len(), n);
        for i in 0..5 {
            assert!(g.row(i).windows(2).all(|w| w[0].mentor < w[1].mentor));
            assert_eq!(g.row(i).len(), sc.all_eligible(i).len());
        }
    }
}
