//! The split path for one-mentor-per-mentee instances without pins.
//!
//! One maximum matching (phases of breadth-first augmentation) fixes the coverage, and
//! the last, unsuccessful, alternating search from the uncovered mentees splits the
//! graph (the Dulmage–Mendelsohn split on the mentee side):
//! - the **deficient part** `D`: mentees reachable from an uncovered mentee by
//!   alternating paths, and their mentors `N(D)`. Every maximum matching fills every
//!   mentor of `N(D)` with mentees of `D`, and leaves `|D| − slots(N(D))` of `D`
//!   uncovered;
//! - the **surplus part**: every other mentee, covered by every maximum matching, with
//!   the mentors outside `N(D)`. Its edges into `N(D)` are never chosen.
//!
//! Each part is then a transportation problem whose short side must be placed whole:
//! the surplus part from the mentee side (every mentee finds a slot), the deficient part
//! from the mentor side (every slot finds a mentee). Both are solved by successive
//! shortest paths on score alone in `i64`, each search stopping at the first free place;
//! no unit ever has to be priced out, and an uncoverable mentee is never searched from.
//!
//! The certificate combines the two parts' potentials with the coverage level of the
//! split: surplus mentees `(0, 1, x)`, surplus mentors `(0, 0, y)`, deficient mentees
//! `(−1, 0, y)`, deficient mentors `(1, 1, x)`; the edges between the parts then have a
//! positive coverage slack, so [`super::verify`] accepts the union.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use crate::prefetch::prefetch;
use crate::runs::split_runs;

use super::{
    objective_of, AssignError, Constraints, Duals, Lex, Network, Problem, Solution, SolveStats,
    WarmStart, PAIR, SCORE_LIMIT,
};

const NONE: u32 = u32::MAX;

/// Whether the split path applies: every mentee takes at most one mentor and no pin
/// was placed (the network then holds the whole problem).
pub(crate) fn applies(net: &Network, pinned: &[usize]) -> bool {
    pinned.is_empty() && net.mentee_cap.iter().all(|&c| c <= 1)
}

/// Solves the network with the split; marks `net.chosen` and returns the duals.
///
/// With `warm` (a previous solution of the same instance with fewer edges), the
/// maximum matching starts from the previous pairs, and the surplus part, when it
/// is solved from the mentee side, starts from the previous placement and prices
/// (see [`run_warm`]); the answer is the same exact optimum either way.
///
/// `force_other_side` solves every part from the side the heuristics below would not
/// pick (see [`super::Tuning`]); the answer is again the same.
pub(crate) fn solve(
    net: &mut Network,
    stats: &mut SolveStats,
    warm: Option<&WarmStart>,
    force_other_side: bool,
) -> (Vec<Lex>, Vec<Lex>) {
    let n = net.n;
    let m = net.m;
    let usable = |net: &Network, slot: usize| net.mentor_cap[net.to[slot] as usize] > 0;
    // The previous mentor of each mentee (warm starts only).
    let mut prev_mentor = vec![NONE; if warm.is_some() { n } else { 0 }];
    if let Some(w) = warm {
        for &(i, j) in w.pairs {
            if let Some(x) = prev_mentor.get_mut(i as usize) {
                *x = j;
            }
        }
    }
    // Maximum matching: the previous pairs, greedy on the best free mentor, then
    // augmenting phases.
    let mut mate = vec![NONE; n]; // CSR slot of the mentee's edge
    let mut load = vec![0u32; m];
    for (i, &pj) in prev_mentor.iter().enumerate() {
        if pj == NONE || net.mentee_cap[i] == 0 {
            continue;
        }
        for slot in net.start[i] as usize..net.start[i + 1] as usize {
            let j = net.to[slot] as usize;
            if j == pj as usize && load[j] < net.mentor_cap[j] {
                mate[i] = slot as u32;
                load[j] += 1;
                break;
            }
        }
    }
    for i in 0..n {
        if net.mentee_cap[i] == 0 || mate[i] != NONE {
            continue;
        }
        let mut best = NONE;
        for slot in net.start[i] as usize..net.start[i + 1] as usize {
            let j = net.to[slot] as usize;
            if load[j] < net.mentor_cap[j]
                && (best == NONE || net.score[slot] > net.score[best as usize])
            {
                best = slot as u32;
            }
        }
        if best != NONE {
            mate[i] = best;
            load[net.to[best as usize] as usize] += 1;
        }
    }
    // Mentees held by each mentor, as a CSR-like list rebuilt per phase.
    let mut reached_mentee = vec![0u32; n]; // phase stamp
    let mut reached_mentor = vec![0u32; m];
    let mut root = vec![0u32; n];
    let mut parent_mentor = vec![NONE; n]; // slot by which a mentee's mentor was left
    let mut via = vec![NONE; m]; // slot by which a mentor was reached
    let mut done_root = vec![0u32; n];
    let mut phase = 0u32;
    let mut queue: Vec<u32> = Vec::new();
    let mut holders: Vec<Vec<u32>> = vec![Vec::new(); m];
    for i in 0..n {
        if mate[i] != NONE {
            holders[net.to[mate[i] as usize] as usize].push(i as u32);
        }
    }
    loop {
        phase += 1;
        queue.clear();
        for i in 0..n {
            if net.mentee_cap[i] == 1 && mate[i] == NONE {
                reached_mentee[i] = phase;
                root[i] = i as u32;
                parent_mentor[i] = NONE;
                queue.push(i as u32);
            }
        }
        let mut augmented = 0usize;
        let mut head = 0;
        while head < queue.len() {
            let i = queue[head] as usize;
            head += 1;
            let r = root[i] as usize;
            if done_root[r] == phase {
                continue;
            }
            for slot in net.start[i] as usize..net.start[i + 1] as usize {
                if !usable(net, slot) || mate[i] == slot as u32 {
                    continue;
                }
                let j = net.to[slot] as usize;
                if reached_mentor[j] == phase {
                    continue;
                }
                reached_mentor[j] = phase;
                via[j] = slot as u32;
                if load[j] < net.mentor_cap[j] {
                    // Augment: walk back from mentor j to the root.
                    let mut jj = j;
                    loop {
                        let s = via[jj] as usize;
                        let ii = net.owner[s] as usize;
                        let old = mate[ii];
                        mate[ii] = s as u32;
                        holders[jj].push(ii as u32);
                        load[jj] += 1;
                        if old == NONE {
                            break;
                        }
                        let oj = net.to[old as usize] as usize;
                        let h = &mut holders[oj];
                        if let Some(p) = h.iter().position(|&x| x as usize == ii) {
                            h.swap_remove(p);
                        }
                        load[oj] -= 1;
                        jj = oj;
                    }
                    done_root[r] = phase;
                    augmented += 1;
                    break;
                }
                for h in 0..holders[j].len() {
                    let i2 = holders[j][h] as usize;
                    if reached_mentee[i2] != phase {
                        reached_mentee[i2] = phase;
                        root[i2] = r as u32;
                        parent_mentor[i2] = mate[i2];
                        queue.push(i2 as u32);
                    }
                }
            }
        }
        if augmented == 0 {
            break;
        }
    }
    // The last phase found no augmenting path: what it reached is the deficient part.
    let in_d = |i: usize| reached_mentee[i] == phase;
    let in_nd = |j: usize| reached_mentor[j] == phase;

    let d_mentee = |i: usize| in_d(i);
    let d_mentor = |j: usize| in_nd(j);
    let a_mentee = |i: usize| !in_d(i);
    let a_mentor = |j: usize| !in_nd(j);
    let lex = |coverage: i64, pairs: i64, score: i64| Lex {
        coverage,
        pairs,
        score,
    };
    let mut mentee = vec![lex(1, 0, 0); n];
    let mut mentor = vec![lex(2, 0, 0); m];
    // Surplus part: short side mentees; deficient part: short side mentors.
    for deficient in [false, true] {
        let (mi, mj): (&dyn Fn(usize) -> bool, &dyn Fn(usize) -> bool) = if deficient {
            (&d_mentee, &d_mentor)
        } else {
            (&a_mentee, &a_mentor)
        };
        // The short side needs no dummy: every search ends at the first free place.
        // The deficient part is short on the mentor side, but when its mentees are
        // barely more than its slots, the mentor side's searches must find one of few
        // free mentees far away; the mentee side (a dummy takes the few uncovered)
        // scans five to ten times fewer edges per node then.
        let side = if deficient {
            let (slots, people) = part_size(net, mi, mj);
            let tight = people.saturating_sub(slots) * 20 < slots;
            if tight {
                Side::Mentees
            } else {
                Side::Mentors
            }
        } else if mentors_set_the_price(net, mi, mj) {
            // Everyone wants the same mentors: from the mentee side every search climbs
            // the whole ladder of mentor quality; from the mentor side that quality is
            // a constant per source and the potentials absorb it.
            Side::Mentors
        } else {
            Side::Mentees
        };
        let side = if force_other_side { side.other() } else { side };
        let short = if deficient {
            Side::Mentors
        } else {
            Side::Mentees
        };
        let o = orient(net, side, mi, mj, (side != short).then_some(()));
        // The surplus part from the mentor side: each mentor places all its units in
        // turn, best mentor first (see `Order::Whole`).
        let whole = !deficient && side == Side::Mentors;
        let (o, chosen, xd, yd) = match warm {
            Some(w) if !deficient && o.side == Side::Mentees && !o.dummy => {
                run_warm(o, &prev_mentor, w, stats)
            }
            _ => run(o, whole, stats),
        };
        for (k, &c) in chosen.iter().enumerate() {
            if c && o.id[k] != NONE {
                net.chosen[o.id[k] as usize] = true;
            }
        }
        // With a dummy sink, shift so that its dual is zero.
        let shift = if o.dummy { yd[yd.len() - 1] } else { 0 };
        let (cm, pm, cj, pj) = if deficient {
            (-1, 0, 1, 1)
        } else {
            (0, 1, 0, 0)
        };
        match o.side {
            Side::Mentees => {
                for (k, &i) in o.xs.iter().enumerate() {
                    mentee[i as usize] = lex(cm, pm, xd[k] + shift);
                }
                for j in 0..m {
                    if net.mentor_cap[j] > 0 && mj(j) {
                        mentor[j] = lex(cj, pj, yd[j] - shift);
                    }
                }
            }
            Side::Mentors => {
                for (k, &j) in o.xs.iter().enumerate() {
                    mentor[j as usize] = lex(cj, pj, xd[k] + shift);
                }
                for i in 0..n {
                    if net.mentee_cap[i] == 1 && mi(i) {
                        mentee[i] = lex(cm, pm, yd[i] - shift);
                    }
                }
            }
        }
    }
    (mentee, mentor)
}

/// Slots of the part's mentors and the number of its mentees.
fn part_size(net: &Network, mi: &dyn Fn(usize) -> bool, mj: &dyn Fn(usize) -> bool) -> (u64, u64) {
    let slots = (0..net.m)
        .filter(|&j| mj(j))
        .map(|j| u64::from(net.mentor_cap[j]))
        .sum();
    let people = (0..net.n)
        .filter(|&i| net.mentee_cap[i] == 1 && mi(i))
        .count() as u64;
    (slots, people)
}

/// Whether a mentor-wide offset dominates the part's scores (see [`price_spread`]).
fn mentors_set_the_price(
    net: &Network,
    mi: &dyn Fn(usize) -> bool,
    mj: &dyn Fn(usize) -> bool,
) -> bool {
    let rows = (0..net.n)
        .filter(|&i| net.mentee_cap[i] == 1 && mi(i))
        .map(|i| {
            (net.start[i] as usize..net.start[i + 1] as usize)
                .filter(|&slot| {
                    let j = net.to[slot] as usize;
                    net.mentor_cap[j] > 0 && mj(j)
                })
                .map(|slot| (net.to[slot] as usize, net.score[slot]))
        });
    price_spread(net.m, rows)
}

/// Whether a mentor-wide offset dominates the scores of `rows` (one iterator of
/// `(mentor, score)` per mentee): the spread of the mentors' mean scores is well
/// above that of the mentees' means and a fair share of the spread of all scores.
/// Everyone then wants the same mentors.
pub(crate) fn price_spread<R, E>(m: usize, rows: R) -> bool
where
    R: Iterator<Item = E>,
    E: Iterator<Item = (usize, i64)>,
{
    let mut by_mentor = vec![(0f64, 0u32); m];
    let mut mentee_means = Vec::new();
    let (mut sum, mut sq, mut count) = (0f64, 0f64, 0f64);
    for row in rows {
        let (mut s_i, mut c_i) = (0f64, 0u32);
        for (j, score) in row {
            let w = score as f64;
            by_mentor[j].0 += w;
            by_mentor[j].1 += 1;
            s_i += w;
            c_i += 1;
            sum += w;
            sq += w * w;
            count += 1.0;
        }
        if c_i > 0 {
            mentee_means.push(s_i / f64::from(c_i));
        }
    }
    if count < 2.0 {
        return false;
    }
    let spread = |xs: &mut dyn Iterator<Item = f64>| {
        let (mut s, mut q, mut c) = (0f64, 0f64, 0f64);
        for x in xs {
            s += x;
            q += x * x;
            c += 1.0;
        }
        if c < 2.0 {
            0.0
        } else {
            ((q - s * s / c) / c).max(0.0).sqrt()
        }
    };
    let all = ((sq - sum * sum / count) / count).max(0.0).sqrt();
    let mentors = spread(
        &mut by_mentor
            .iter()
            .filter(|p| p.1 > 0)
            .map(|p| p.0 / f64::from(p.1)),
    );
    let mentees = spread(&mut mentee_means.into_iter());
    mentors > 2.0 * mentees && mentors > 0.25 * all
}

/// Which side the sources of a transport are on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Mentees,
    Mentors,
}

impl Side {
    fn other(self) -> Side {
        match self {
            Side::Mentees => Side::Mentors,
            Side::Mentors => Side::Mentees,
        }
    }
}

/// One part as a transport in one orientation, with the way back to network slots.
struct Oriented {
    side: Side,
    tp: Transport,
    /// Network slot of each transport edge (`NONE` for an edge into the dummy sink).
    id: Vec<u32>,
    /// Mentee or mentor index of each source.
    xs: Vec<u32>,
    /// Whether the last sink is a dummy that takes the long side's excess.
    dummy: bool,
}

/// Builds the transport of the part given by `mi`/`mj` with sources on `side`. With
/// `dummy`, every source also has an edge of score 0 into an extra sink whose capacity
/// is the excess of the sources over the real sinks, so that every unit is placed.
fn orient(
    net: &Network,
    side: Side,
    mi: &dyn Fn(usize) -> bool,
    mj: &dyn Fn(usize) -> bool,
    dummy: Option<()>,
) -> Oriented {
    let n = net.n;
    let m = net.m;
    let mentee_ok = |i: usize| net.mentee_cap[i] == 1 && mi(i);
    let mentor_ok = |j: usize| net.mentor_cap[j] > 0 && mj(j);
    let extra = u32::from(dummy.is_some());
    let mut xs: Vec<u32> = Vec::new();
    let mut start = vec![0u32];
    let mut arcs: Vec<Arc>;
    let mut id: Vec<u32>;
    let mut demand = Vec::new();
    let mut cap: Vec<u32>;
    match side {
        Side::Mentees => {
            cap = (0..m)
                .map(|j| if mentor_ok(j) { net.mentor_cap[j] } else { 0 })
                .collect();
            // A mentor of the part has capacity in it, and only such a mentor.
            let usable = &cap;
            let edges = |i: usize| {
                (net.start[i] as usize..net.start[i + 1] as usize)
                    .filter(|&slot| usable[net.to[slot] as usize] > 0)
            };
            // Sources grouped by their best mentor: a search reaches a mentor and
            // then the mentees it holds, who mostly wanted it most, so their data
            // then sit side by side in memory instead of scattered.
            let ok: Vec<u32> = (0..n as u32).filter(|&i| mentee_ok(i as usize)).collect();
            let mut sources: Vec<(u32, Reverse<i64>, u32, u32)> = ok
                .par_iter()
                .map(|&i| {
                    let (mut best, mut len) = ((0, u32::MAX), 0u32);
                    for slot in edges(i as usize) {
                        let (w, j) = (net.score[slot], net.to[slot]);
                        if len == 0 || (w, Reverse(j)) > (best.0, Reverse(best.1)) {
                            best = (w, j);
                        }
                        len += 1;
                    }
                    (best.1, Reverse(best.0), i, len + extra)
                })
                .collect();
            sources.sort_unstable();
            for &(_, _, i, len) in &sources {
                xs.push(i);
                demand.push(1);
                start.push(start[start.len() - 1] + len);
            }
            let total = start[xs.len()] as usize;
            (arcs, id) = blank_arcs(total);
            fill_rows(&start, &mut arcs, &mut id, true, |x, row| {
                for slot in edges(xs[x] as usize) {
                    let arc = Arc {
                        w: net.score[slot],
                        to: net.to[slot],
                    };
                    row.push((arc, slot as u32));
                }
                if dummy.is_some() {
                    row.push((Arc { w: 0, to: m as u32 }, NONE));
                }
            });
        }
        Side::Mentors => {
            cap = (0..n).map(|i| u32::from(mentee_ok(i))).collect();
            let mut index = vec![NONE; m];
            for j in 0..m {
                if mentor_ok(j) {
                    index[j] = xs.len() as u32;
                    xs.push(j as u32);
                    demand.push(net.mentor_cap[j]);
                }
            }
            let mut count = vec![0u32; xs.len() + 1];
            for i in 0..n {
                if !mentee_ok(i) {
                    continue;
                }
                for slot in net.start[i] as usize..net.start[i + 1] as usize {
                    let b = index[net.to[slot] as usize];
                    if b != NONE {
                        count[b as usize + 1] += 1;
                    }
                }
            }
            // The dummy takes up to a mentor's whole capacity: one parallel edge per unit.
            for b in 0..xs.len() {
                count[b + 1] += count[b] + extra * demand[b];
            }
            let total = count[xs.len()] as usize;
            let mut fill = count.clone();
            (arcs, id) = blank_arcs(total);
            for i in 0..n {
                if !mentee_ok(i) {
                    continue;
                }
                for slot in net.start[i] as usize..net.start[i + 1] as usize {
                    let b = index[net.to[slot] as usize];
                    if b != NONE {
                        let k = fill[b as usize] as usize;
                        fill[b as usize] += 1;
                        arcs[k] = Arc {
                            w: net.score[slot],
                            to: i as u32,
                        };
                        id[k] = slot as u32;
                    }
                }
            }
            if dummy.is_some() {
                for b in 0..xs.len() {
                    for k in fill[b]..count[b + 1] {
                        arcs[k as usize].to = n as u32;
                    }
                }
            }
            start = count;
            fill_rows(&start, &mut arcs, &mut id, false, |_, _| {});
        }
    }
    if dummy.is_some() {
        let supply: u64 = demand.iter().map(|&d| u64::from(d)).sum();
        let room: u64 = cap.iter().map(|&c| u64::from(c)).sum();
        cap.push(supply.saturating_sub(room) as u32);
    }
    Oriented {
        side,
        tp: Transport {
            start,
            arcs,
            demand,
            cap,
        },
        id,
        xs,
        dummy: dummy.is_some(),
    }
}

/// `total` arcs and their ids, blank, written in parallel: at 5 M arcs the
/// first touch of 100 MB of fresh memory is a cost of its own.
fn blank_arcs(total: usize) -> (Vec<Arc>, Vec<u32>) {
    (
        rayon::iter::repeat_n(Arc { w: 0, to: 0 }, total).collect(),
        rayon::iter::repeat_n(NONE, total).collect(),
    )
}

/// Writes each source's row, best edge first (ties by sink), in parallel over
/// runs of sources. With `fresh`, `fill(x, row)` receives an empty `row` and
/// pushes source `x`'s edges and ids; otherwise it receives the edges already
/// in place and may replace them. Either way the row keeps the length given
/// by `start`.
///
/// Best first, because a search stops scanning a row at the first edge that
/// cannot beat the best way out found so far (see [`place`]).
fn fill_rows(
    start: &[u32],
    arcs: &mut [Arc],
    id: &mut [u32],
    fresh: bool,
    fill: impl Fn(usize, &mut Vec<(Arc, u32)>) + Sync,
) {
    let n = start.len() - 1;
    let pieces = n.div_ceil(4096).max(1);
    let sources: Vec<std::ops::Range<usize>> = (0..pieces)
        .map(|k| n * k / pieces..n * (k + 1) / pieces)
        .collect();
    let lens = sources
        .iter()
        .map(|xs| (start[xs.end] - start[xs.start]) as usize);
    let parts: Vec<_> = sources
        .iter()
        .cloned()
        .zip(split_runs(arcs, lens.clone()))
        .zip(split_runs(id, lens))
        .map(|((xs, a), b)| (start[xs.start] as usize, xs, a, b))
        .collect();
    parts.into_par_iter().for_each(|(base, xs, a, b)| {
        let mut row: Vec<(Arc, u32)> = Vec::new();
        for x in xs {
            let (lo, hi) = (start[x] as usize - base, start[x + 1] as usize - base);
            row.clear();
            if !fresh {
                row.extend(a[lo..hi].iter().copied().zip(b[lo..hi].iter().copied()));
            }
            fill(x, &mut row);
            debug_assert_eq!(row.len(), hi - lo, "a row keeps its length");
            row.sort_by_key(|(arc, _)| (Reverse(arc.w), arc.to));
            for (k, &(arc, i)) in row.iter().enumerate() {
                a[lo + k] = arc;
                b[lo + k] = i;
            }
        }
    });
}

/// Solves one part from the side `pick` chooses, building only that orientation.
fn run(
    o: Oriented,
    whole: bool,
    stats: &mut SolveStats,
) -> (Oriented, Vec<bool>, Vec<i64>, Vec<i64>) {
    let order = if whole {
        Order::Whole
    } else if o.side == Side::Mentees && !o.dummy {
        Order::Steepest
    } else {
        Order::BestFirst
    };
    let mut r = Run::new(&o.tp, order);
    r.advance(u64::MAX);
    *stats = add(*stats, r.stats);
    let (c, x, y) = r.finish();
    (o, c, x, y)
}

/// [`run`] for a part solved from the mentee side (one unit per source, no dummy),
/// starting from a previous solution instead of from nothing.
///
/// Potentials start at the previous duals (sink potentials capped at 0). A source
/// keeps its previous mentor when that edge is still tight and none of its edges has
/// a negative reduced cost (a new edge may have); every other source is unplaced,
/// with its potential raised so its edges are feasible. Every residual arc then has
/// a non-negative reduced cost, except the way out of a sink with room whose
/// potential is below zero (its price was positive). [`fix_room`] repairs each such
/// sink, and the unplaced sources are then placed by [`place`] as in a cold run, so
/// the result carries the same certificate.
fn run_warm(
    o: Oriented,
    prev_mentor: &[u32],
    warm: &WarmStart,
    stats: &mut SolveStats,
) -> (Oriented, Vec<bool>, Vec<i64>, Vec<i64>) {
    let tp = &o.tp;
    let nx = tp.demand.len();
    let ny = tp.cap.len();
    let mut r = Run::new(tp, Order::BestFirst);
    for y in 0..ny {
        r.pi[nx + y] = warm
            .duals
            .mentor
            .get(y)
            .map_or(0, |v| v.score.saturating_neg())
            .min(0);
    }
    let mut unplaced: Vec<u32> = Vec::new();
    for (x, &i) in o.xs.iter().enumerate() {
        let (lo, hi) = (tp.start[x] as usize, tp.start[x + 1] as usize);
        let px = warm.duals.mentee.get(i as usize).map_or(0, |u| u.score);
        let pj = prev_mentor[i as usize];
        let mut keep = NONE;
        let mut feasible = true;
        for e in lo..hi {
            let y = tp.arcs[e].to as usize;
            let rc = (px - tp.arcs[e].w).saturating_sub(r.pi[nx + y]);
            if rc < 0 {
                feasible = false;
                break;
            }
            if rc == 0 && y as u32 == pj && r.st.room[y] > 0 {
                keep = e as u32;
            }
        }
        if feasible && keep != NONE {
            r.pi[x] = px;
            let e = keep as usize;
            r.st.hold(tp.arcs[e].to as usize, keep, x as u32, tp.arcs[e].w);
            r.placed[x] = 1;
        } else {
            r.pi[x] = (lo..hi)
                .map(|e| tp.arcs[e].w + r.pi[nx + tp.arcs[e].to as usize])
                .max()
                .unwrap_or(0);
            unplaced.push(x as u32);
        }
    }
    // Sinks with room must sit at potential 0 before any search.
    let rooms: Vec<usize> = (0..ny)
        .filter(|&y| r.pi[nx + y] < 0 && r.st.room[y] > 0)
        .collect();
    if !rooms.is_empty() {
        let into = SinkIndex::new(tp);
        for y in rooms {
            while r.pi[nx + y] < 0 && r.st.room[y] > 0 {
                r.work += fix_room(tp, &mut r.st, &mut r.pi, &into, y, &mut r.stats);
            }
        }
    }
    unplaced.sort_by_key(|&x| (Reverse(r.pi[x as usize]), x));
    r.order = unplaced;
    r.advance(u64::MAX);
    *stats = add(*stats, r.stats);
    let (c, x, y) = r.finish();
    (o, c, x, y)
}

/// The edges into each sink of a [`Transport`] (CSR by sink).
struct SinkIndex {
    start: Vec<u32>,
    edges: Vec<u32>,
}

impl SinkIndex {
    fn new(tp: &Transport) -> SinkIndex {
        let (start, edges) = super::group_by_key(tp.cap.len(), tp.arcs.iter().map(|a| a.to));
        SinkIndex { start, edges }
    }
}

/// Repairs sink `y0`, which has room but a potential below zero, for a transport
/// with one unit per source: one step of successive shortest paths with a
/// "phantom" unit in the room. A reverse Dijkstra from `y0` looks for the cheapest
/// way to fill the room: a source moves into `y0` along a forward edge, from the
/// sink that held it, and so on, until the room lands on a sink that held a unit,
/// at the cost of that sink's potential (or stays at `y0` at the cost of its own).
/// Potentials of settled nodes rise by `bound − distance`, which keeps every reduced
/// cost non-negative and brings the sink left with the room to potential 0.
/// Returns the work done.
fn fix_room(
    tp: &Transport,
    st: &mut SspState,
    pi: &mut [i64],
    into: &SinkIndex,
    y0: usize,
    stats: &mut SolveStats,
) -> u64 {
    let nx = tp.demand.len();
    stats.searches += 1;
    let round = st.begin();
    // Leaving the room where it is costs −π(y0) (the phantom's way back).
    let mut bound = -pi[nx + y0];
    let mut via = y0;
    st.reach(nx + y0, 0, NONE);
    let mut work = 1u64;
    while let Some(Reverse((d, v))) = st.heap.pop() {
        let v = v as usize;
        if d >= bound {
            break;
        }
        if st.node[v].done == round || d > st.node[v].dist {
            continue;
        }
        st.node[v].done = round;
        st.settled.push(v as u32);
        if v >= nx {
            let y = v - nx;
            if y != y0 && !st.held[y].is_empty() && d - pi[v] < bound {
                bound = d - pi[v];
                via = y;
            }
            // A source moves into y over a forward edge it does not use.
            for k in into.start[y] as usize..into.start[y + 1] as usize {
                let e = into.edges[k] as usize;
                work += 1;
                if st.chosen[e] {
                    continue;
                }
                let x = st.owner[e] as usize;
                let rc = -tp.arcs[e].w + pi[x] - pi[v];
                st.relax(x, d + rc, e as u32, bound);
            }
        } else {
            // The source leaves the sink it holds (one unit per source).
            let (lo, hi) = (tp.start[v] as usize, tp.start[v + 1] as usize);
            if let Some(e) = (lo..hi).find(|&e| st.chosen[e]) {
                work += (e - lo + 1) as u64;
                let y = nx + tp.arcs[e].to as usize;
                let rc = tp.arcs[e].w + pi[y] - pi[v];
                st.relax(y, d + rc, e as u32, bound);
            }
        }
    }
    stats.settled += st.settled.len() as u64;
    for &v in &st.settled {
        let v = v as usize;
        if st.node[v].dist < bound {
            pi[v] += bound - st.node[v].dist;
        }
    }
    // Move the sources along the path: from `via`, each source leaves its sink for
    // the next one, until one enters y0 (which has room). Each sink gives up its
    // unit before it takes the next one, so its room never goes below zero.
    let mut y = via;
    let mut pending = None;
    while y != y0 {
        let back = st.pred[nx + y] as usize;
        let x = st.owner[back] as usize;
        st.release(y, back as u32);
        if let Some((e, x)) = pending.take() {
            st.hold(y, e, x, tp.arcs[e as usize].w);
        }
        let e = st.pred[x] as usize;
        pending = Some((e as u32, x as u32));
        y = tp.arcs[e].to as usize;
    }
    if let Some((e, x)) = pending {
        st.hold(y0, e, x, tp.arcs[e as usize].w);
    }
    work
}

fn add(a: SolveStats, b: SolveStats) -> SolveStats {
    SolveStats {
        units: a.units + b.units,
        greedy: a.greedy + b.greedy,
        priced_out: a.priced_out + b.priced_out,
        searches: a.searches + b.searches,
        settled: a.settled + b.settled,
    }
}

/// A transportation problem whose sources must all be placed: `demand[x]` units from
/// each source `x` over edges `x → to` of score `w`, at most `cap[y]` units into each
/// sink `y`, maximising the total score. The caller guarantees that a placement of
/// every unit exists.
struct Transport {
    start: Vec<u32>,
    /// Edges by source, each source's best first.
    arcs: Vec<Arc>,
    demand: Vec<u32>,
    cap: Vec<u32>,
}

/// One edge of a [`Transport`]: its score and sink side by side, so a search that
/// reaches a source's row finds both in one cache line.
#[derive(Clone, Copy, Debug)]
struct Arc {
    w: i64,
    to: u32,
}

/// Successive shortest paths on a [`Transport`], resumable so that two can be raced.
struct Run<'a> {
    tp: &'a Transport,
    st: SspState,
    pi: Vec<i64>,
    order: Vec<u32>,
    pos: usize,
    round: u32,
    /// `order` lists every unit (see [`Run::new`]): one pass places them all.
    whole: bool,
    placed: Vec<u32>,
    work: u64,
    stats: SolveStats,
}

/// The order in which a [`Run`] takes its sources. Every order gives the exact
/// optimum; they differ in how far the searches go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    /// Highest best edge first, one unit each per round.
    BestFirst,
    /// Highest best edge first, each source placing all its units before the next.
    /// It suits the surplus part from the mentor side with a mentor-wide quality:
    /// round by round, the strong mentors' last units arrive when the mentees are
    /// taken and must push the excess down long chains to the weakest mentors, while
    /// best mentor first, whole, leaves the weakest mentors to find the mentees taken
    /// and go straight to the dummy (competitive: 26% fewer nodes settled, solve
    /// 1.33 s → 0.92 s).
    Whole,
    /// Steepest first: the largest fall from a source's best edge to its
    /// [`STEEP`]-th next one (sources with fewer edges first of all), then highest
    /// best edge; one unit each per round. A mentee with close alternatives gives
    /// way cheaply, so letting those with none claim first spares the long
    /// displacement chains. Mentee side at 100,000 × 20,000: 13% fewer nodes
    /// settled than best first (6.67 M against 7.65 M), 50,085 → 44,941 searches.
    /// Only for sources that all fit (no dummy sink): the deficient part of the
    /// tight 1.0× instance, from the mentee side with a dummy, took 7.3–8.3 s this
    /// way against 5.1–5.4 s best first.
    Steepest,
}

/// How far down a source's row [`Order::Steepest`] measures the fall.
const STEEP: usize = 4;

impl<'a> Run<'a> {
    /// A run that takes the sources in `order`.
    fn new(tp: &'a Transport, order_by: Order) -> Run<'a> {
        let nx = tp.demand.len();
        let ny = tp.cap.len();
        let ne = tp.arcs.len();
        let mut owner = vec![0u32; ne];
        for x in 0..nx {
            for e in tp.start[x] as usize..tp.start[x + 1] as usize {
                owner[e] = x as u32;
            }
        }
        // Potentials: sources first, then sinks; the terminal stays at 0.
        let mut pi = vec![0i64; nx + ny];
        for x in 0..nx {
            pi[x] = (tp.start[x] as usize..tp.start[x + 1] as usize)
                .map(|e| tp.arcs[e].w)
                .max()
                .unwrap_or(0);
        }
        let mut order: Vec<u32> = (0..nx as u32)
            .filter(|&x| tp.demand[x as usize] > 0)
            .collect();
        let whole = order_by == Order::Whole;
        if order_by == Order::Steepest {
            let fall = |x: usize| {
                let (lo, hi) = (tp.start[x] as usize, tp.start[x + 1] as usize);
                if hi - lo > STEEP {
                    tp.arcs[lo].w - tp.arcs[lo + STEEP].w
                } else {
                    i64::MAX
                }
            };
            order
                .sort_unstable_by_key(|&x| (Reverse(fall(x as usize)), Reverse(pi[x as usize]), x));
        } else {
            order.sort_by_key(|&x| (Reverse(pi[x as usize]), x));
        }
        if whole {
            order = order
                .iter()
                .flat_map(|&x| std::iter::repeat_n(x, tp.demand[x as usize] as usize))
                .collect();
        }
        Run {
            tp,
            st: SspState {
                chosen: vec![false; ne],
                held: vec![Vec::new(); ny],
                room: tp.cap.clone(),
                node: vec![Mark::default(); nx + ny + 1],
                pred: vec![NONE; nx + ny + 1],
                round: 0,
                heap: BinaryHeap::new(),
                settled: Vec::new(),
                owner,
                unit: tp.demand.iter().all(|&d| d <= 1),
            },
            pi,
            order,
            pos: 0,
            round: 0,
            whole,
            placed: vec![0; nx],
            work: 0,
            stats: SolveStats::default(),
        }
    }

    /// Places units until done (returns true) or until the work reaches `limit`.
    fn advance(&mut self, limit: u64) -> bool {
        loop {
            if self.pos == self.order.len() {
                if self.whole {
                    return true;
                }
                self.round += 1;
                let (tp, round) = (self.tp, self.round);
                self.order.retain(|&x| tp.demand[x as usize] > round);
                self.pos = 0;
                if self.order.is_empty() {
                    return true;
                }
            }
            if self.work >= limit {
                return false;
            }
            let x = self.order[self.pos] as usize;
            self.pos += 1;
            self.stats.units += 1;
            let fresh = self.placed[x] == 0;
            self.work += place(
                self.tp,
                &mut self.st,
                &mut self.pi,
                x,
                fresh,
                &mut self.stats,
            );
            self.placed[x] += 1;
        }
    }

    /// Chosen edges and duals `x` (per source) and `y` (per sink): `x + y ≥ w` on every
    /// edge with equality on chosen ones, `y ≤ 0` at a sink with room and `y ≥ 0` at a
    /// sink in use.
    fn finish(self) -> (Vec<bool>, Vec<i64>, Vec<i64>) {
        let nx = self.tp.demand.len();
        // The bookkeeping of `SspState::hold` and `release` (debug builds, so every
        // test solve checks it): each sink's holders are exactly its chosen edges,
        // with their sources and scores, and its room is what they leave free.
        #[cfg(debug_assertions)]
        {
            let st = &self.st;
            let mut chosen = 0usize;
            for (y, list) in st.held.iter().enumerate() {
                assert_eq!(
                    list.len() as u32 + st.room[y],
                    self.tp.cap[y],
                    "room of {y}"
                );
                for h in list {
                    let (e, x) = (h.e as usize, h.x as usize);
                    assert!(st.chosen[e] && self.tp.arcs[e].to as usize == y);
                    assert!((self.tp.start[x] as usize..self.tp.start[x + 1] as usize).contains(&e));
                    assert_eq!(h.w, self.tp.arcs[e].w);
                }
                chosen += list.len();
            }
            assert_eq!(chosen, st.chosen.iter().filter(|&&c| c).count());
        }
        let xd = self.pi[..nx].to_vec();
        let yd = self.pi[nx..].iter().map(|&p| -p).collect();
        (self.st.chosen, xd, yd)
    }
}

/// Places one unit of source `a` along a shortest path to a sink with room; returns
/// the work done (edges and nodes scanned). `fresh`: `a` holds no unit yet.
fn place(
    tp: &Transport,
    st: &mut SspState,
    pi: &mut [i64],
    a: usize,
    fresh: bool,
    stats: &mut SolveStats,
) -> u64 {
    let nx = tp.demand.len();
    let t = pi.len();
    // Reduced costs: edge x → y costs −w + π_x − π_y; the way back y → x costs
    // w + π_y − π_x; a sink with room closes at π_y (the terminal's potential is 0).
    let mut cheapest = i64::MAX;
    let mut free_best = i64::MAX;
    let mut free_edge = NONE;
    let (lo, hi) = (tp.start[a] as usize, tp.start[a + 1] as usize);
    // Sinks' potentials never rise above 0 and a sink with room sits at exactly 0, so
    // an edge costs at least −w + π_a: with edges best first, the scan stops once that
    // bound reaches the best way into a free sink (the minimum is then already seen).
    let mut work = 1u64;
    for e in lo..hi {
        let lb = -tp.arcs[e].w + pi[a];
        if lb >= free_best {
            break;
        }
        work += 1;
        if st.chosen[e] {
            continue;
        }
        let y = tp.arcs[e].to as usize;
        let rc = lb - pi[nx + y];
        cheapest = cheapest.min(rc);
        if st.room[y] > 0 {
            let total = rc + pi[nx + y];
            if total < free_best {
                free_best = total;
                free_edge = e as u32;
            }
        }
    }
    // A source holding nothing has no arc into it: tighten its potential.
    if fresh && cheapest != i64::MAX && cheapest > 0 {
        pi[a] -= cheapest;
        free_best -= cheapest;
        cheapest = 0;
    }
    if free_edge != NONE && free_best == cheapest {
        pi[a] -= cheapest;
        let e = free_edge as usize;
        st.hold(tp.arcs[e].to as usize, e as u32, a as u32, tp.arcs[e].w);
        stats.greedy += 1;
        return work;
    }
    stats.searches += 1;
    let round = st.begin();
    let mut cutoff = i64::MAX;
    st.reach(a, 0, NONE);
    let mut bound = i64::MAX;
    while let Some(Reverse((d, v))) = st.heap.pop() {
        let v = v as usize;
        if st.node[v].done == round || d > st.node[v].dist {
            continue;
        }
        if v == t {
            bound = d;
            break;
        }
        st.node[v].done = round;
        st.settled.push(v as u32);
        let pv = pi[v];
        if v < nx {
            let (lo, hi) = (tp.start[v] as usize, tp.start[v + 1] as usize);
            work += 1;
            // With one unit per source, the only edge a source reached here uses is
            // the one it was reached by (none for `a`, which holds nothing yet), so
            // the scan need not read `chosen`.
            let held = if v == a { NONE } else { st.pred[v] };
            for e in lo..hi {
                // Lower bound of this and every later edge (π_y ≤ 0).
                let lb = d - tp.arcs[e].w + pv;
                if lb >= cutoff {
                    break;
                }
                work += 1;
                let used = if st.unit {
                    e as u32 == held
                } else {
                    st.chosen[e]
                };
                if used {
                    continue;
                }
                let yy = tp.arcs[e].to as usize;
                let y = nx + yy;
                let nd = lb - pi[y];
                if st.relax(y, nd, e as u32, cutoff) {
                    prefetch(&st.held[yy]);
                }
                // A sink with room (potential 0) closes the path right away.
                let close = nd + pi[y];
                if close < cutoff && st.room[yy] > 0 {
                    cutoff = close;
                    st.reach(t, close, yy as u32);
                }
            }
        } else {
            let y = v - nx;
            work += st.held[y].len() as u64 + 1;
            if st.room[y] > 0 {
                let nd = d + pv;
                if nd < cutoff {
                    cutoff = nd;
                    st.reach(t, nd, y as u32);
                }
            }
            // The holders' marks and potentials are read just below: start their
            // loads together, so their misses overlap.
            for h in &st.held[y] {
                prefetch(&st.node[h.x as usize..]);
                prefetch(&pi[h.x as usize..]);
            }
            for h in 0..st.held[y].len() {
                let Held { e, x, w } = st.held[y][h];
                let nd = d + w + pv - pi[x as usize];
                if st.relax(x as usize, nd, e, cutoff) {
                    // Its row is read when it is settled, likely soon: start
                    // loading its first two cache lines now, so the misses of
                    // several holders overlap.
                    let row = &tp.arcs[tp.start[x as usize] as usize..];
                    prefetch(row);
                    prefetch(row.get(64 / std::mem::size_of::<Arc>()..).unwrap_or(row));
                }
            }
        }
    }
    assert!(bound != i64::MAX, "a placement of every unit exists");
    stats.settled += st.settled.len() as u64;
    for &v in &st.settled {
        let v = v as usize;
        pi[v] += st.node[v].dist - bound;
    }
    // Flip the path: from the sink with room back to `a`.
    let mut y = st.pred[t] as usize;
    loop {
        let e = st.pred[nx + y] as usize;
        let x = st.owner[e] as usize;
        st.hold(y, e as u32, x as u32, tp.arcs[e].w);
        if x == a {
            break;
        }
        let back = st.pred[x] as usize;
        let yy = tp.arcs[back].to as usize;
        st.release(yy, back as u32);
        y = yy;
    }
    work
}

/// A unit held by a sink: its edge, the edge's source and score, so that a search
/// reaching the sink reads its holders from one list instead of from their rows.
#[derive(Clone, Copy, Debug)]
struct Held {
    e: u32,
    x: u32,
    w: i64,
}

/// A node's distance in the search of round `stamp`, settled when `done` is that
/// round: one cache line per node visited.
#[derive(Clone, Copy, Debug, Default)]
struct Mark {
    dist: i64,
    stamp: u32,
    done: u32,
}

struct SspState {
    chosen: Vec<bool>,
    held: Vec<Vec<Held>>,
    /// Free units of each sink (its capacity less its holders).
    room: Vec<u32>,
    /// Search marks by node (sources, then sinks, then the terminal).
    node: Vec<Mark>,
    pred: Vec<u32>,
    round: u32,
    heap: BinaryHeap<Reverse<(i64, u32)>>,
    settled: Vec<u32>,
    owner: Vec<u32>,
    /// Every source has one unit (see [`place`]).
    unit: bool,
}

impl SspState {
    /// Starts a search: a fresh round stamp (clearing the stamps when it wraps),
    /// an empty heap and no settled nodes.
    fn begin(&mut self) -> u32 {
        self.round = self.round.wrapping_add(1);
        if self.round == 0 {
            self.node.iter_mut().for_each(|m| *m = Mark::default());
            self.round = 1;
        }
        self.heap.clear();
        self.settled.clear();
        self.round
    }

    /// Sink `y` takes the unit of edge `e` (of score `w` from source `x`).
    #[inline]
    fn hold(&mut self, y: usize, e: u32, x: u32, w: i64) {
        self.chosen[e as usize] = true;
        self.held[y].push(Held { e, x, w });
        self.room[y] -= 1;
    }

    /// Sink `y` gives up the unit of edge `e`.
    fn release(&mut self, y: usize, e: u32) {
        self.chosen[e as usize] = false;
        let list = &mut self.held[y];
        let p = list.iter().position(|h| h.e == e);
        debug_assert!(p.is_some(), "a sink releases only a unit it holds");
        if let Some(p) = p {
            list.swap_remove(p);
            self.room[y] += 1;
        }
    }

    /// Reaches `v` at distance `d` (by `pred`) in this round, whatever it held.
    #[inline]
    fn reach(&mut self, v: usize, d: i64, pred: u32) {
        let mark = &mut self.node[v];
        mark.dist = d;
        mark.stamp = self.round;
        self.pred[v] = pred;
        self.heap.push(Reverse((d, v as u32)));
    }

    /// Lowers `v`'s distance to `d` (by `pred`) if that beats what it has and the
    /// cutoff; returns whether it did.
    ///
    /// It writes the mark through the borrow it tested instead of calling
    /// [`SspState::reach`]: a version that copied the mark and then called `reach`
    /// made the solve at 100k slower in seven of eight alternating pairs (mean
    /// 2.47 s against 2.32 s).
    #[inline]
    fn relax(&mut self, v: usize, d: i64, pred: u32, cutoff: i64) -> bool {
        let mark = &mut self.node[v];
        if d >= cutoff || mark.done == self.round {
            return false;
        }
        if mark.stamp != self.round || d < mark.dist {
            mark.dist = d;
            mark.stamp = self.round;
            self.pred[v] = pred;
            self.heap.push(Reverse((d, v as u32)));
            return true;
        }
        false
    }
}

/// Edges each mentee keeps at first when it has many (see [`solve_pruned`]).
const KEEP: usize = 16;
/// Pruning pays when mentees have at least this many edges on average. Below it the
/// whole graph is cheap to build, and sixteen edges of a few dozen make the searches
/// longer (at 100,000 × 20,000 with 70 each, the first round alone took longer than
/// the whole graph).
const PRUNE_DEGREE: usize = 256;

/// Dense instances (many edges per mentee, listed grouped by mentee, one mentor per
/// mentee, no pins): solve on each mentee's [`KEEP`] best edges, then price every
/// pruned edge with the duals and add those with a positive reduced gain, until none
/// has one. The duals then certify the whole instance, so the answer is exact; the
/// full edge list is only streamed, never sorted or copied.
///
/// Returns `None` when the instance does not qualify (the caller takes the general
/// path, which repeats the same validation): fewer than [`PRUNE_DEGREE`] edges per
/// mentee, a mentor-wide price that dominates the scores ([`price_spread`]), or a
/// first round that adds back more than one edge per four mentees. In the last two
/// cases the rounds would rebuild much of the graph one solve at a time: 3.5 to 4
/// times slower than the whole graph at once on 20,000 × 4,000 instances with 256 to
/// 600 edges per mentee, and at 100,000 × 20,000 with 70 (50 s against 14 s).
///
/// `forced` prunes to that many edges per mentee whatever the degree (see
/// [`super::Tuning`]).
pub(crate) fn solve_pruned(
    problem: &Problem,
    constraints: &Constraints,
    forced: Option<usize>,
) -> Option<Result<Solution, AssignError>> {
    let n = problem.mentee_capacity.len();
    let m = problem.mentor_capacity.len();
    let ne = problem.edges.len();
    let keep = forced.unwrap_or(KEEP);
    if !constraints.pinned.is_empty()
        || problem.mentee_capacity.iter().any(|&c| c > 1)
        || (forced.is_none() && ne < PRUNE_DEGREE * n.max(1))
    {
        return None;
    }
    // Validation in the order of the general path.
    let mut grouped = true;
    let mut prev = 0u32;
    let mut max_abs = 0u64;
    for (idx, e) in problem.edges.iter().enumerate() {
        if e.mentee as usize >= n || e.mentor as usize >= m {
            return Some(Err(AssignError::OutOfRange {
                edge: idx,
                mentee: e.mentee,
                mentor: e.mentor,
            }));
        }
        grouped &= e.mentee >= prev;
        prev = e.mentee;
        max_abs = max_abs.max(e.score.unsigned_abs());
    }
    if !grouped {
        return None;
    }
    let nodes = n + m;
    let limit = SCORE_LIMIT / (nodes as i128 + 4) - 1;
    if i128::from(max_abs) > limit {
        return Some(Err(AssignError::ScoresTooLarge {
            max_abs: max_abs.min(i64::MAX as u64) as i64,
            nodes,
            limit: limit.min(i128::from(i64::MAX)) as i64,
        }));
    }
    let mut excluded = vec![
        false;
        if constraints.forbidden.is_empty() {
            0
        } else {
            ne
        }
    ];
    for &f in &constraints.forbidden {
        if f >= ne {
            return Some(Err(AssignError::NoSuchEdge(f)));
        }
        excluded[f] = true;
    }
    let is_excluded = |idx: usize| !excluded.is_empty() && excluded[idx];
    // When everyone wants the same mentors, most mentees' best few edges lead to
    // the same full mentors: the rounds then add back much of the graph, each one
    // a solve of its own (3.5 to 4 times slower than no pruning on such instances).
    if forced.is_none() {
        let rows = problem
            .edges
            .chunk_by(|a, b| a.mentee == b.mentee)
            .scan(0, |next, row| {
                let first = *next;
                *next += row.len();
                Some((first, row))
            })
            .filter(|(_, row)| problem.mentee_capacity[row[0].mentee as usize] == 1)
            .map(|(first, row)| {
                row.iter()
                    .enumerate()
                    .filter(move |&(k, e)| {
                        problem.mentor_capacity[e.mentor as usize] > 0 && !is_excluded(first + k)
                    })
                    .map(|(_, e)| (e.mentor as usize, e.score))
            });
        if price_spread(m, rows) {
            return None;
        }
    }
    // One pass per mentee group: duplicates, and the best edges.
    let mut seen_at = vec![u32::MAX; m];
    let mut seen_edge = vec![0usize; m];
    let mut kept: Vec<u32> = Vec::with_capacity(n * KEEP);
    let mut buf: Vec<(i64, u32)> = Vec::new();
    let mut lo = 0usize;
    while lo < ne {
        let i = problem.edges[lo].mentee;
        let mut hi = lo;
        buf.clear();
        while hi < ne && problem.edges[hi].mentee == i {
            let e = problem.edges[hi];
            let j = e.mentor as usize;
            if seen_at[j] == i {
                return Some(Err(AssignError::DuplicatePair {
                    first: seen_edge[j],
                    second: hi,
                    mentee: i,
                    mentor: e.mentor,
                }));
            }
            seen_at[j] = i;
            seen_edge[j] = hi;
            if !is_excluded(hi) && problem.mentee_capacity[i as usize] == 1 {
                buf.push((-e.score, hi as u32));
            }
            hi += 1;
        }
        if buf.len() > keep {
            if keep > 0 {
                buf.select_nth_unstable(keep - 1);
            }
            buf.truncate(keep);
        }
        kept.extend(buf.iter().map(|&(_, idx)| idx));
        lo = hi;
    }
    let mut stats = SolveStats::default();
    let mut is_kept = vec![false; ne];
    for &k in &kept {
        is_kept[k as usize] = true;
    }
    // Each round after the first starts from the previous round's answer.
    let mut previous: Option<(Vec<(u32, u32)>, Duals)> = None;
    loop {
        kept.sort_unstable();
        let mut net = sub_network(problem, &kept);
        let warm = previous
            .as_ref()
            .map(|(pairs, duals)| WarmStart { pairs, duals });
        // The rounds take the sides the heuristics pick: forcing the other side is
        // tested on the unpruned path, and pruning only changes which edges exist.
        let (mentee, mentor) = solve(&mut net, &mut stats, warm.as_ref(), false);
        let u: Vec<i128> = mentee.iter().map(|l| l.pack()).collect();
        let v: Vec<i128> = mentor.iter().map(|l| l.pack()).collect();
        let before = kept.len();
        for (idx, e) in problem.edges.iter().enumerate() {
            if is_kept[idx] || is_excluded(idx) {
                continue;
            }
            let gain = PAIR + i128::from(e.score) - u[e.mentee as usize] - v[e.mentor as usize];
            if gain > 0 {
                is_kept[idx] = true;
                kept.push(idx as u32);
            }
        }
        // Pruning pays when the first round's prices already hold for nearly every
        // pruned edge. When they do not, the rounds would add back much of the graph,
        // one warm solve at a time: the whole graph at once is faster then.
        if previous.is_none() && forced.is_none() && kept.len() - before > n / 4 {
            return None;
        }
        if kept.len() == before {
            let mut chosen: Vec<usize> = (0..net.chosen.len())
                .filter(|&s| net.chosen[s])
                .map(|s| net.orig[s] as usize)
                .collect();
            chosen.sort_unstable();
            let objective = objective_of(problem, &chosen);
            return Some(Ok(Solution {
                chosen,
                pin_conflicts: Vec::new(),
                objective,
                duals: Duals { mentee, mentor },
                stats,
            }));
        }
        let pairs = (0..net.chosen.len())
            .filter(|&s| net.chosen[s])
            .map(|s| (net.owner[s], net.to[s]))
            .collect();
        previous = Some((pairs, Duals { mentee, mentor }));
    }
}

/// The network on the edges `kept` (ascending, so grouped by mentee), without pins.
fn sub_network(problem: &Problem, kept: &[u32]) -> Network {
    let n = problem.mentee_capacity.len();
    let mut start = vec![0u32; n + 1];
    for &k in kept {
        start[problem.edges[k as usize].mentee as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let edges = kept.iter().map(|&k| problem.edges[k as usize]);
    Network {
        n,
        m: problem.mentor_capacity.len(),
        start,
        to: edges.clone().map(|e| e.mentor).collect(),
        score: edges.clone().map(|e| e.score).collect(),
        orig: kept.to_vec(),
        owner: edges.map(|e| e.mentee).collect(),
        chosen: vec![false; kept.len()],
        mentee_cap: problem.mentee_capacity.clone(),
        pin_covered: vec![false; n],
        mentor_cap: problem.mentor_capacity.clone(),
        k: Vec::new(),
        held: Vec::new(),
        pi: Vec::new(),
    }
}

#[cfg(test)]
mod order_tests {
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::{Arc, Order, Run, Transport};

    /// A transport from rows of (score, sink), each sorted best first as `orient`
    /// leaves them, with one unit per source.
    fn transport(rows: &[Vec<(i64, u32)>], cap: Vec<u32>) -> Transport {
        let mut start = vec![0u32];
        let mut arcs = Vec::new();
        for row in rows {
            let mut row = row.clone();
            row.sort_by_key(|&(w, to)| (std::cmp::Reverse(w), to));
            arcs.extend(row.iter().map(|&(w, to)| Arc { w, to }));
            start.push(arcs.len() as u32);
        }
        Transport {
            start,
            arcs,
            demand: vec![1; rows.len()],
            cap,
        }
    }

    #[test]
    fn steepest_takes_sources_with_no_close_alternative_first() {
        let tp = transport(
            &[
                // Falls 40 from its best to its fifth edge.
                vec![(90, 0), (80, 1), (70, 2), (60, 3), (50, 4), (40, 5)],
                // Five nearly equal edges: falls 4, and the best edge of all.
                vec![(100, 0), (99, 1), (98, 2), (97, 3), (96, 4)],
                // Fewer than five edges: first of all.
                vec![(30, 0), (10, 1)],
            ],
            vec![1; 6],
        );
        assert_eq!(Run::new(&tp, Order::Steepest).order, vec![2, 0, 1]);
        assert_eq!(Run::new(&tp, Order::BestFirst).order, vec![1, 0, 2]);
    }

    #[test]
    fn every_order_reaches_the_same_optimum() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for _ in 0..200 {
            let (nx, ny) = (rng.random_range(1..30usize), rng.random_range(1..12u32));
            let rows: Vec<Vec<(i64, u32)>> = (0..nx)
                .map(|_| {
                    let mut sinks: Vec<u32> = (0..ny).collect();
                    let k = rng.random_range(1..=ny as usize);
                    (0..k)
                        .map(|_| {
                            let y = sinks.swap_remove(rng.random_range(0..sinks.len()));
                            (rng.random_range(-5..40i64), y)
                        })
                        .collect()
                })
                .collect();
            // Room for everyone: each source's first sink gets a slot of its own.
            let mut cap = vec![0u32; ny as usize];
            for row in &rows {
                cap[row[0].1 as usize] += 1;
            }
            for c in cap.iter_mut() {
                *c += rng.random_range(0..2);
            }
            let tp = transport(&rows, cap);
            let total = |order: Order| {
                let mut r = Run::new(&tp, order);
                assert!(r.advance(u64::MAX));
                let (chosen, _, _) = r.finish();
                let placed = chosen.iter().filter(|&&c| c).count();
                assert_eq!(placed, nx, "every source is placed");
                (0..tp.arcs.len())
                    .filter(|&e| chosen[e])
                    .map(|e| tp.arcs[e].w)
                    .sum::<i64>()
            };
            let best = total(Order::BestFirst);
            assert_eq!(total(Order::Steepest), best);
            assert_eq!(total(Order::Whole), best);
        }
    }
}
