//! Peer matching on a general (non-bipartite) graph: maximum cardinality, then
//! maximum weight, exact.
//!
//! # Contract
//! - Input: `n` people (vertices `0..n`) and undirected weighted edges `(a, b, w)`
//!   with integer weights (micro-units, see [`crate::fixed`]), which may be negative
//!   or zero. An edge that is not listed is not allowed. Self-loops and endpoints out
//!   of range are refused; parallel edges are allowed (the best one can be used).
//! - [`Objective::MaxCardinality`]: among the matchings with the most pairs, one with
//!   the highest total weight. [`Objective::MaxWeight`]: the highest total weight,
//!   whatever the number of pairs (negative edges are then never used).
//! - Output: a [`PeerMatching`]; when several matchings are optimal, any one of them
//!   may be returned (compare objectives, not pairs). Results are deterministic.
//!
//! # Algorithm and complexity
//! Edmonds' primal-dual blossom algorithm with a forest of alternating trees grown
//! from every free vertex at once, in the style of Galil, Micali and Gabow: the next
//! dual change is found with priority queues keyed by the *time* (total dual change)
//! at which an edge becomes tight or an odd blossom's dual reaches zero, so the duals
//! of the whole forest move together without being touched. After an augmentation only
//! the two trees it joined are dissolved; the rest of the forest is kept. Queues use
//! lazy deletion: an entry is re-validated against the current labels when it comes
//! out. Each phase costs O(m log m) heap work plus the size of the blossoms it shrinks
//! or expands, so the worst case is O(n m log m) (O(n^2 m) in pathological nesting);
//! memory is O(n + m) plus the queues.
//!
//! Maximum cardinality needs no large constant: the algorithm simply never stops on
//! a free vertex's dual reaching zero, which is equivalent to adding a constant larger
//! than any weight difference to every edge. Duals are exact integers (weights are
//! doubled); they are kept in `i64` with an explicit bound check, and the solve is
//! redone in `i128` if a dual would ever leave the safe range.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::ops::{Add, Sub};

const NONE: u32 = u32::MAX;

/// Above this absolute weight (2^40 micro-units, about 1.1 million points) duals
/// are kept in `i128` from the start.
const I64_SAFE_WEIGHT: u64 = 1 << 40;

/// Which objective to optimise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objective {
    /// Most pairs first, then highest total weight.
    MaxCardinality,
    /// Highest total weight only.
    MaxWeight,
}

/// Why an input was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeerError {
    /// An edge names a vertex `>= n`.
    #[error("edge {edge} names person {vertex}, but there are only {n}")]
    OutOfRange {
        /// Index of the edge in the input.
        edge: usize,
        /// The bad endpoint.
        vertex: u32,
        /// Number of people.
        n: usize,
    },
    /// An edge joins a person to themself.
    #[error("edge {edge} joins person {vertex} to themself")]
    SelfLoop {
        /// Index of the edge in the input.
        edge: usize,
        /// The person.
        vertex: u32,
    },
    /// The duals would not fit even in 128-bit integers (astronomical weights on a
    /// huge graph); never seen in practice.
    #[error("weights are too large for an exact solve on this many people")]
    TooLarge,
}

/// An undirected weighted edge between two people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerEdge {
    /// One endpoint.
    pub a: u32,
    /// The other endpoint.
    pub b: u32,
    /// Weight in micro-units.
    pub weight: i64,
}

/// A solved peer matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerMatching {
    /// `mate[v]` is v's partner, or `None`.
    pub mate: Vec<Option<u32>>,
    /// `pair_edge[v]`: index in the input of the edge v is matched through.
    pub pair_edge: Vec<Option<u32>>,
    /// Number of pairs.
    pub pairs: usize,
    /// Sum of the weights of the chosen edges.
    pub total: i128,
}

impl PeerMatching {
    /// The pairs as `(a, b, edge index)` with `a < b`, sorted by `a`.
    pub fn pair_list(&self) -> Vec<(u32, u32, u32)> {
        let mut out = Vec::with_capacity(self.pairs);
        for (v, m) in self.mate.iter().enumerate() {
            if let (Some(m), Some(e)) = (m, self.pair_edge[v]) {
                if (v as u32) < *m {
                    out.push((v as u32, *m, e));
                }
            }
        }
        out
    }
}

/// Solves the matching problem on `n` vertices and `edges`.
pub fn max_weight_matching(
    n: usize,
    edges: &[PeerEdge],
    objective: Objective,
) -> Result<PeerMatching, PeerError> {
    for (i, e) in edges.iter().enumerate() {
        for v in [e.a, e.b] {
            if v as usize >= n {
                return Err(PeerError::OutOfRange {
                    edge: i,
                    vertex: v,
                    n,
                });
            }
        }
        if e.a == e.b {
            return Err(PeerError::SelfLoop {
                edge: i,
                vertex: e.a,
            });
        }
    }
    let max_card = objective == Objective::MaxCardinality;
    let max_abs = edges
        .iter()
        .map(|e| e.weight.unsigned_abs())
        .max()
        .unwrap_or(0);
    // Maximum cardinality first tries a jump start (see `Solver::new`), kept only
    // when its own certificate holds; otherwise, and for maximum weight, the
    // plain start.
    let jumped = if max_card && max_abs <= I64_SAFE_WEIGHT {
        Solver::<i64>::new(n, edges, true, true).run_jumped()
    } else {
        None
    };
    let narrow = match jumped {
        Some(m) => Some(m),
        None if max_abs <= I64_SAFE_WEIGHT => Solver::<i64>::new(n, edges, max_card, false).run(),
        None => None,
    };
    let mate_edge = match narrow {
        Some(m) => m,
        None => Solver::<i128>::new(n, edges, max_card, false)
            .run()
            .ok_or(PeerError::TooLarge)?,
    };
    let mut mate = vec![None; n];
    let mut pair_edge = vec![None; n];
    let mut pairs = 0;
    let mut total: i128 = 0;
    for (v, &k) in mate_edge.iter().enumerate() {
        if k == NONE {
            continue;
        }
        let e = edges[k as usize];
        let other = if e.a as usize == v { e.b } else { e.a };
        mate[v] = Some(other);
        pair_edge[v] = Some(k);
        if (v as u32) < other {
            pairs += 1;
            total += i128::from(e.weight);
        }
    }
    Ok(PeerMatching {
        mate,
        pair_edge,
        pairs,
        total,
    })
}

/// Exact integer type for duals and times.
trait Dual: Copy + Ord + Default + std::fmt::Debug + Add<Output = Self> + Sub<Output = Self> {
    /// Values whose magnitude stays below this can be added a few times safely.
    const LIMIT: Self;
    fn from_i64(x: i64) -> Self;
    fn halve(self) -> Self;
    fn neg(self) -> Self;
    /// Number of significant bits of `a ^ b` for non-negative `a`, `b` (radix bucket).
    fn radix_bucket(a: Self, b: Self) -> usize;
    /// Number of radix buckets (bits + 1).
    const BUCKETS: usize;
}

impl Dual for i64 {
    const LIMIT: i64 = 1 << 58;
    fn from_i64(x: i64) -> Self {
        x
    }
    fn halve(self) -> Self {
        self / 2
    }
    fn neg(self) -> Self {
        -self
    }
    fn radix_bucket(a: Self, b: Self) -> usize {
        (64 - ((a ^ b) as u64).leading_zeros()) as usize
    }
    const BUCKETS: usize = 65;
}

impl Dual for i128 {
    const LIMIT: i128 = 1 << 120;
    fn from_i64(x: i64) -> Self {
        i128::from(x)
    }
    fn halve(self) -> Self {
        self / 2
    }
    fn neg(self) -> Self {
        -self
    }
    fn radix_bucket(a: Self, b: Self) -> usize {
        (128 - ((a ^ b) as u128).leading_zeros()) as usize
    }
    const BUCKETS: usize = 129;
}

/// Monotone priority queue on non-negative integer keys (a radix heap): every key
/// pushed is at least the last key popped, which holds here because keys are event
/// times and time only moves forward. Push is O(1); pop is amortised O(bits), with
/// sequential memory access, which matters far more than the bound at this size.
struct RadixHeap<T: Dual> {
    last: T,
    len: usize,
    buckets: Vec<Vec<(T, u32)>>,
}

impl<T: Dual> RadixHeap<T> {
    fn new() -> Self {
        RadixHeap {
            last: T::default(),
            len: 0,
            buckets: (0..T::BUCKETS).map(|_| Vec::new()).collect(),
        }
    }

    fn push(&mut self, key: T, item: u32) {
        debug_assert!(key >= self.last, "radix heap keys must not decrease");
        self.buckets[T::radix_bucket(key, self.last)].push((key, item));
        self.len += 1;
    }

    /// Smallest key, without moving anything (so `last` stays put: a caller may
    /// still push keys between `last` and this minimum).
    fn min_key(&self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        if !self.buckets[0].is_empty() {
            return Some(self.last);
        }
        let i = (1..self.buckets.len()).find(|&i| !self.buckets[i].is_empty())?;
        self.buckets[i].iter().map(|e| e.0).min()
    }

    /// Moves entries so that bucket 0 holds the smallest key.
    fn refill(&mut self) {
        if self.len == 0 || !self.buckets[0].is_empty() {
            return;
        }
        let i = (1..self.buckets.len())
            .find(|&i| !self.buckets[i].is_empty())
            .expect("len > 0");
        let mut moved = std::mem::take(&mut self.buckets[i]);
        let min = moved.iter().map(|e| e.0).min().expect("non-empty");
        self.last = min;
        for e in &moved {
            self.buckets[T::radix_bucket(e.0, min)].push(*e);
        }
        // Keep the allocation of the emptied bucket.
        moved.clear();
        if self.buckets[i].is_empty() {
            self.buckets[i] = moved;
        }
    }

    fn pop(&mut self) -> Option<(T, u32)> {
        self.refill();
        let e = self.buckets[0].pop()?;
        self.len -= 1;
        Some(e)
    }
}

const FREE: u8 = 0; // not in any tree
const EVEN: u8 = 1;
const ODD: u8 = 2;

/// An edge's doubled weight and its two ends (endpoint `p` is `ends[p & 1]` of
/// edge `p >> 1`), together for locality.
#[derive(Clone, Copy)]
struct EdgeHot<T> {
    w2: T,
    ends: [u32; 2],
}

/// Hot per-vertex data: read for every edge the solver looks at.
#[derive(Clone, Copy)]
struct VertexHot<T> {
    ybase: T,
    top: u32,
}

/// Hot per-blossom data: a vertex's dual is `ybase + off(top)`, and `off` needs
/// all three fields.
#[derive(Clone, Copy)]
struct BlossomHot<T> {
    obase: T,
    tlab: T,
    label: u8,
}

/// Signalled when a dual leaves the safe range of the current integer type.
struct Overflow;

struct Solver<T: Dual> {
    n: usize,
    max_card: bool,
    // Edges: endpoint p of edge k is `end(p)`, p = 2k or 2k + 1; p ^ 1 is the other end.
    ed: Vec<EdgeHot<T>>,
    // Adjacency (CSR): remote endpoints of the edges incident to each vertex.
    adj_start: Vec<u32>,
    adj: Vec<u32>,
    // Per vertex.
    mate: Vec<u32>, // remote endpoint of the matched edge
    /// Per vertex: top-level blossom and dual base, together for locality.
    vx: Vec<VertexHot<T>>,
    // Per blossom (0..n trivial, n..2n non-trivial).
    parent: Vec<u32>,
    childs: Vec<Vec<u32>>,
    endps: Vec<Vec<u32>>,
    base: Vec<u32>,
    size: Vec<u32>,
    /// Per blossom: label and dual offset data, together for locality.
    bh: Vec<BlossomHot<T>>,
    labelend: Vec<u32>,
    tree: Vec<u32>,
    zbase: Vec<T>,
    stamp: Vec<u32>,
    unused: Vec<u32>,
    mark: Vec<u32>,
    mark_gen: u32,
    // Forest.
    members: Vec<Vec<u32>>, // per root vertex: blossoms ever labelled in its tree
    // Time and queues.
    t: T,
    y0: T,
    /// Free vertices with at least one edge; an augmentation needs two of them.
    free_roots: usize,
    edge_q: RadixHeap<T>,
    blossom_q: BinaryHeap<Reverse<(T, u32, u32)>>,
    scratch: Vec<u32>,
}

impl<T: Dual> Solver<T> {
    fn new(n: usize, edges: &[PeerEdge], max_card: bool, jump: bool) -> Self {
        let m = edges.len();
        let mut ed = Vec::with_capacity(m);
        let mut deg = vec![0u32; n + 1];
        for e in edges {
            ed.push(EdgeHot {
                w2: T::from_i64(e.weight) + T::from_i64(e.weight),
                ends: [e.a, e.b],
            });
            deg[e.a as usize] += 1;
            deg[e.b as usize] += 1;
        }
        let mut adj_start = vec![0u32; n + 1];
        for v in 0..n {
            adj_start[v + 1] = adj_start[v] + deg[v];
        }
        let mut fill = adj_start.clone();
        let mut adj = vec![0u32; 2 * m];
        for (k, e) in edges.iter().enumerate() {
            let (a, b) = (e.a as usize, e.b as usize);
            adj[fill[a] as usize] = (2 * k + 1) as u32;
            fill[a] += 1;
            adj[fill[b] as usize] = (2 * k) as u32;
            fill[b] += 1;
        }
        let maxw = edges.iter().map(|e| e.weight).max().unwrap_or(0);
        let y0 = T::from_i64(maxw);
        let nb = 2 * n.max(1);
        let mut s = Solver {
            n,
            max_card,
            ed,
            adj_start,
            adj,
            mate: vec![NONE; n],
            vx: (0..n as u32)
                .map(|v| VertexHot { top: v, ybase: y0 })
                .collect(),
            parent: vec![NONE; nb],
            childs: vec![Vec::new(); nb],
            endps: vec![Vec::new(); nb],
            base: (0..nb as u32)
                .map(|b| if (b as usize) < n { b } else { NONE })
                .collect(),
            size: vec![1; nb],
            bh: vec![
                BlossomHot {
                    obase: T::default(),
                    tlab: T::default(),
                    label: FREE,
                };
                nb
            ],
            labelend: vec![NONE; nb],
            tree: vec![NONE; nb],
            zbase: vec![T::default(); nb],
            stamp: vec![0; nb],
            unused: (n as u32..nb as u32).rev().collect(),
            mark: vec![0; nb],
            mark_gen: 0,
            members: vec![Vec::new(); n],
            t: T::default(),
            y0,
            free_roots: 0,
            edge_q: RadixHeap::new(),
            blossom_q: BinaryHeap::new(),
            scratch: Vec::new(),
        };
        s.free_roots = (0..n)
            .filter(|&v| s.adj_start[v] < s.adj_start[v + 1])
            .count();
        for v in 0..n {
            s.bh[v].label = EVEN;
            s.tree[v] = v as u32;
            s.members[v].push(v as u32);
        }
        if jump {
            // Jump start (maximum cardinality only): each vertex's dual starts at
            // its own heaviest edge (rounded up to even, so every vertex dual
            // keeps one parity and even-even slacks stay even), not at the global
            // heaviest. Duals stay feasible (y_a + y_b >= 2w) and every edge that
            // is the heaviest at both ends is tight at once, so the forest starts
            // near the final duals. The plain start's proof that the weight is
            // maximum among maximum matchings uses that the free vertices share
            // the smallest dual; here that is checked at the end instead
            // (`run_jumped`).
            let mut best = vec![i64::MIN; n];
            for e in edges {
                for v in [e.a as usize, e.b as usize] {
                    best[v] = best[v].max(e.weight);
                }
            }
            for (v, &b) in best.iter().enumerate() {
                if b != i64::MIN {
                    s.vx[v].ybase = T::from_i64(b + b.rem_euclid(2));
                }
            }
        }
        // Every edge joins two free (even) roots: it becomes tight when its slack,
        // shared by both ends, is used up.
        for k in 0..m {
            let [a, b] = s.ed[k].ends;
            let slack = s.vx[a as usize].ybase + s.vx[b as usize].ybase - s.ed[k].w2;
            s.edge_q.push(slack.halve(), k as u32);
        }
        s
    }

    /// The vertex at endpoint `p`.
    #[inline]
    fn end(&self, p: usize) -> u32 {
        self.ed[p >> 1].ends[p & 1]
    }

    #[inline]
    fn rate(&self, b: usize) -> i8 {
        match self.bh[b].label {
            EVEN => -1,
            ODD => 1,
            _ => 0,
        }
    }

    /// Offset added to the y of every vertex of top-level blossom `b`.
    #[inline]
    fn off(&self, b: usize) -> T {
        let d = self.t - self.bh[b].tlab;
        match self.rate(b) {
            -1 => self.bh[b].obase - d,
            1 => self.bh[b].obase + d,
            _ => self.bh[b].obase,
        }
    }

    /// Dual of non-trivial top-level blossom `b` (its z moves opposite to its vertices).
    #[inline]
    fn z(&self, b: usize) -> T {
        let d = self.t - self.bh[b].tlab;
        match self.rate(b) {
            -1 => self.zbase[b] + d,
            1 => self.zbase[b] - d,
            _ => self.zbase[b],
        }
    }

    #[inline]
    fn y(&self, v: u32) -> T {
        self.vx[v as usize].ybase + self.off(self.vx[v as usize].top as usize)
    }

    #[inline]
    fn slack(&self, k: usize) -> T {
        self.y(self.end(2 * k)) + self.y(self.end(2 * k + 1)) - self.ed[k].w2
    }

    fn check(x: T) -> Result<(), Overflow> {
        if x > T::LIMIT || x < T::LIMIT.neg() {
            Err(Overflow)
        } else {
            Ok(())
        }
    }

    /// Changes the label of top-level blossom `b`, freezing its duals at the current time.
    fn relabel(&mut self, b: usize, label: u8) -> Result<(), Overflow> {
        let o = self.off(b);
        let z = self.z(b);
        Self::check(o)?;
        Self::check(z)?;
        self.bh[b].obase = o;
        self.zbase[b] = z;
        self.bh[b].tlab = self.t;
        self.bh[b].label = label;
        self.stamp[b] = self.stamp[b].wrapping_add(1);
        Ok(())
    }

    /// Leaves (vertices) of blossom `b`, into `out`.
    fn leaves(&self, b: u32, out: &mut Vec<u32>) {
        if (b as usize) < self.n {
            out.push(b);
            return;
        }
        let mut stack = vec![b];
        while let Some(x) = stack.pop() {
            if (x as usize) < self.n {
                out.push(x);
            } else {
                stack.extend(self.childs[x as usize].iter().rev());
            }
        }
    }

    /// Pushes the edges of vertex `v` whose slack now shrinks (v is even or free).
    fn scan_vertex(&mut self, v: u32) {
        let bv = self.vx[v as usize].top as usize;
        let v_even = self.bh[bv].label == EVEN;
        let yv = self.y(v);
        let (s, e) = (
            self.adj_start[v as usize] as usize,
            self.adj_start[v as usize + 1] as usize,
        );
        for i in s..e {
            let p = self.adj[i];
            let x = self.end(p as usize);
            let bx = self.vx[x as usize].top as usize;
            if bx == bv {
                continue;
            }
            let lx = self.bh[bx].label;
            let k = (p >> 1) as usize;
            let slack = yv + self.y(x) - self.ed[k].w2;
            let key = match (v_even, lx) {
                (true, EVEN) => self.t + slack.halve(),
                (true, FREE) | (false, EVEN) => self.t + slack,
                _ => continue,
            };
            self.edge_q.push(key, k as u32);
        }
    }

    fn scan_blossom(&mut self, b: u32) {
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        self.leaves(b, &mut buf);
        for &v in &buf {
            self.scan_vertex(v);
        }
        self.scratch = buf;
    }

    /// Labels the top-level blossom containing `w`, reached through remote endpoint `p`.
    fn assign_label(&mut self, w: u32, label: u8, p: u32, root: u32) -> Result<(), Overflow> {
        let b = self.vx[w as usize].top as usize;
        self.relabel(b, label)?;
        self.labelend[b] = p;
        self.tree[b] = root;
        self.members[root as usize].push(b as u32);
        if label == EVEN {
            self.scan_blossom(b as u32);
        } else {
            if b >= self.n {
                let key = self.t + self.zbase[b];
                self.blossom_q.push(Reverse((key, b as u32, self.stamp[b])));
            }
            let base = self.base[b] as usize;
            let mp = self.mate[base];
            debug_assert!(mp != NONE, "a free blossom is always matched");
            self.assign_label(self.end(mp as usize), EVEN, mp ^ 1, root)?;
        }
        Ok(())
    }

    fn next_mark(&mut self) -> u32 {
        self.mark_gen = self.mark_gen.wrapping_add(1);
        if self.mark_gen == 0 {
            self.mark.iter_mut().for_each(|m| *m = 0);
            self.mark_gen = 1;
        }
        self.mark_gen
    }

    /// Base of the blossom closed by an even-even edge between `v` and `w` in one tree.
    fn find_base(&mut self, v: u32, w: u32) -> u32 {
        let g = self.next_mark();
        let (mut v, mut w) = (v, w);
        loop {
            if v != NONE {
                let b = self.vx[v as usize].top as usize;
                if self.mark[b] == g {
                    return self.base[b];
                }
                self.mark[b] = g;
                if self.labelend[b] == NONE {
                    v = NONE;
                } else {
                    let t = self.end(self.labelend[b] as usize);
                    let bt = self.vx[t as usize].top as usize;
                    v = self.end(self.labelend[bt] as usize);
                }
            }
            if w != NONE {
                std::mem::swap(&mut v, &mut w);
            }
        }
    }

    /// Moves the structure of non-trivial blossom `c` (not top-level any more) to a
    /// fresh id, so that id `c` can be reused by its new parent or by itself after
    /// its parent expands. Cost: O(number of c's children).
    fn relocate(&mut self, c: usize, parent: u32) -> u32 {
        let c2 = self.unused.pop().expect("at most n/2 non-trivial blossoms") as usize;
        self.childs[c2] = std::mem::take(&mut self.childs[c]);
        self.endps[c2] = std::mem::take(&mut self.endps[c]);
        self.base[c2] = self.base[c];
        self.size[c2] = self.size[c];
        self.zbase[c2] = self.zbase[c];
        self.parent[c2] = parent;
        self.bh[c2].label = FREE;
        self.labelend[c2] = NONE;
        self.tree[c2] = NONE;
        self.bh[c2].obase = T::default();
        self.stamp[c2] = self.stamp[c2].wrapping_add(1);
        for i in 0..self.childs[c2].len() {
            let s = self.childs[c2][i] as usize;
            self.parent[s] = c2 as u32;
        }
        c2 as u32
    }

    /// Shrinks the cycle closed by edge `k` into a new even blossom with base `base`.
    ///
    /// The new blossom takes over the id of its largest non-trivial child (whose
    /// structure moves to a fresh id), so only the vertices of the other children are
    /// touched: growing a big blossom piece by piece stays cheap.
    fn add_blossom(&mut self, base: u32, k: usize) -> Result<(), Overflow> {
        let (mut v, mut w) = (self.end(2 * k), self.end(2 * k + 1));
        let bb = self.vx[base as usize].top;
        let mut bv = self.vx[v as usize].top;
        let mut bw = self.vx[w as usize].top;
        let root = self.tree[bb as usize];
        let mut path = Vec::new();
        let mut endps = Vec::new();
        while bv != bb {
            path.push(bv);
            endps.push(self.labelend[bv as usize]);
            v = self.end(self.labelend[bv as usize] as usize);
            bv = self.vx[v as usize].top;
        }
        path.push(bb);
        path.reverse();
        endps.reverse();
        endps.push(2 * k as u32);
        while bw != bb {
            path.push(bw);
            endps.push(self.labelend[bw as usize] ^ 1);
            w = self.end(self.labelend[bw as usize] as usize);
            bw = self.vx[w as usize].top;
        }
        let labelend = self.labelend[bb as usize];
        // The largest non-trivial child lends its id to the new blossom.
        let big = path
            .iter()
            .enumerate()
            .filter(|(_, &c)| c as usize >= self.n)
            .max_by_key(|(i, &c)| (self.size[c as usize], std::cmp::Reverse(*i)))
            .map(|(i, _)| i);
        let mut newly_even = Vec::new();
        let mut buf = std::mem::take(&mut self.scratch);
        let b;
        let mut size = 0;
        let b_obase;
        match big {
            Some(i) => {
                let c = path[i] as usize;
                b = c;
                let o = self.off(c);
                let z = self.z(c);
                Self::check(o)?;
                Self::check(z)?;
                let was_odd = self.bh[c].label == ODD;
                self.zbase[c] = z;
                if was_odd {
                    buf.clear();
                    self.leaves(c as u32, &mut buf);
                    newly_even.extend_from_slice(&buf);
                }
                let c2 = self.relocate(c, c as u32);
                path[i] = c2;
                b_obase = o;
            }
            None => {
                b = self.unused.pop().expect("at most n/2 non-trivial blossoms") as usize;
                b_obase = T::default();
            }
        }
        for &c in &path {
            let c = c as usize;
            self.parent[c] = b as u32;
            size += self.size[c];
            if big.is_some_and(|i| path[i] as usize == c) {
                continue; // its vertices already point at b with the right offset
            }
            let o = self.off(c);
            let z = self.z(c);
            Self::check(z)?;
            self.zbase[c] = z;
            let was_odd = self.bh[c].label == ODD;
            buf.clear();
            self.leaves(c as u32, &mut buf);
            for &x in &buf {
                let y = self.vx[x as usize].ybase + o - b_obase;
                Self::check(y)?;
                self.vx[x as usize].ybase = y;
                self.vx[x as usize].top = b as u32;
                if was_odd {
                    newly_even.push(x);
                }
            }
            self.bh[c].obase = T::default();
            self.bh[c].label = FREE;
            self.tree[c] = NONE;
            self.labelend[c] = NONE;
            self.stamp[c] = self.stamp[c].wrapping_add(1);
        }
        self.scratch = buf;
        self.base[b] = base;
        self.size[b] = size;
        self.parent[b] = NONE;
        self.childs[b] = path;
        self.endps[b] = endps;
        self.bh[b].label = EVEN;
        self.labelend[b] = labelend;
        self.tree[b] = root;
        self.members[root as usize].push(b as u32);
        self.bh[b].obase = b_obase;
        self.zbase[b] = T::default();
        self.bh[b].tlab = self.t;
        self.stamp[b] = self.stamp[b].wrapping_add(1);
        for x in newly_even {
            self.scan_vertex(x);
        }
        Ok(())
    }

    /// Expands odd top-level blossom `b` whose dual has reached zero.
    ///
    /// Its largest non-trivial child takes over id `b`, so only the vertices of the
    /// other children are touched.
    fn expand_odd(&mut self, b: usize) -> Result<(), Overflow> {
        let o = self.off(b);
        let root = self.tree[b];
        let b_labelend = self.labelend[b];
        let mut childs = std::mem::take(&mut self.childs[b]);
        let endps = std::mem::take(&mut self.endps[b]);
        let big = childs
            .iter()
            .enumerate()
            .filter(|(_, &c)| c as usize >= self.n)
            .max_by_key(|(i, &c)| (self.size[c as usize], std::cmp::Reverse(*i)))
            .map(|(i, _)| i);
        let mut buf = std::mem::take(&mut self.scratch);
        for (i, &c) in childs.iter().enumerate() {
            let c = c as usize;
            self.parent[c] = NONE;
            if big == Some(i) {
                continue;
            }
            buf.clear();
            self.leaves(c as u32, &mut buf);
            for &x in &buf {
                let y = self.vx[x as usize].ybase + o;
                Self::check(y)?;
                self.vx[x as usize].ybase = y;
                self.vx[x as usize].top = c as u32;
            }
            self.bh[c].obase = T::default();
            self.bh[c].tlab = self.t;
            self.bh[c].label = FREE;
            self.tree[c] = NONE;
        }
        self.scratch = buf;
        if let Some(i) = big {
            // Child c becomes id b: its vertices already point at b, offset o.
            let c = childs[i] as usize;
            self.childs[b] = std::mem::take(&mut self.childs[c]);
            self.endps[b] = std::mem::take(&mut self.endps[c]);
            self.base[b] = self.base[c];
            self.size[b] = self.size[c];
            self.zbase[b] = self.zbase[c];
            for j in 0..self.childs[b].len() {
                let s = self.childs[b][j] as usize;
                self.parent[s] = b as u32;
            }
            self.bh[b].obase = o;
            self.bh[b].tlab = self.t;
            self.bh[b].label = FREE;
            self.tree[b] = NONE;
            self.labelend[b] = NONE;
            self.parent[b] = NONE;
            self.stamp[b] = self.stamp[b].wrapping_add(1);
            self.base[c] = NONE;
            self.stamp[c] = self.stamp[c].wrapping_add(1);
            self.unused.push(c as u32);
            childs[i] = b as u32;
        } else {
            self.bh[b].label = FREE;
            self.labelend[b] = NONE;
            self.tree[b] = NONE;
            self.base[b] = NONE;
            self.stamp[b] = self.stamp[b].wrapping_add(1);
            self.unused.push(b as u32);
        }
        // Relabel the even-length path from the entry child to the base child.
        let entry = self.vx[self.end((b_labelend ^ 1) as usize) as usize].top;
        let len = childs.len() as isize;
        let idx = |j: isize| (j.rem_euclid(len)) as usize;
        let mut j = childs.iter().position(|&c| c == entry).expect("entry") as isize;
        let (jstep, trick): (isize, u32) = if j & 1 == 1 {
            j -= len;
            (1, 0)
        } else {
            (-1, 1)
        };
        let mut p = b_labelend;
        let mut on_path = vec![false; childs.len()];
        while j != 0 {
            on_path[idx(j)] = true;
            self.assign_label(self.end((p ^ 1) as usize), ODD, p, root)?;
            j += jstep;
            on_path[idx(j)] = true;
            p = endps[idx(j - trick as isize)] ^ trick;
            j += jstep;
        }
        // The base child becomes odd without stepping to its mate (already even).
        on_path[0] = true;
        let bv = childs[0] as usize;
        self.relabel(bv, ODD)?;
        self.labelend[bv] = p;
        self.tree[bv] = root;
        self.members[root as usize].push(bv as u32);
        if bv >= self.n {
            let key = self.t + self.zbase[bv];
            self.blossom_q
                .push(Reverse((key, bv as u32, self.stamp[bv])));
        }
        // The other children leave the tree; their edges to even vertices may grow it.
        for (i, &c) in childs.iter().enumerate() {
            if !on_path[i] {
                self.stamp[c as usize] = self.stamp[c as usize].wrapping_add(1);
                self.scan_blossom(c);
            }
        }
        Ok(())
    }

    /// Swaps matched and unmatched edges inside blossom `b` so that vertex `v` becomes its base.
    fn augment_blossom(&mut self, b: usize, v: u32) {
        let mut t = v;
        while self.parent[t as usize] as usize != b {
            t = self.parent[t as usize];
        }
        if t as usize >= self.n {
            self.augment_blossom(t as usize, v);
        }
        let len = self.childs[b].len() as isize;
        let i = self.childs[b].iter().position(|&c| c == t).expect("child") as isize;
        let mut j = i;
        let (jstep, trick): (isize, u32) = if i & 1 == 1 {
            j -= len;
            (1, 0)
        } else {
            (-1, 1)
        };
        let idx = |j: isize| (j.rem_euclid(len)) as usize;
        while j != 0 {
            j += jstep;
            let t = self.childs[b][idx(j)];
            let p = self.endps[b][idx(j - trick as isize)] ^ trick;
            if t as usize >= self.n {
                self.augment_blossom(t as usize, self.end(p as usize));
            }
            j += jstep;
            let t = self.childs[b][idx(j)];
            if t as usize >= self.n {
                self.augment_blossom(t as usize, self.end((p ^ 1) as usize));
            }
            let (x, y) = (self.end(p as usize), self.end((p ^ 1) as usize));
            self.mate[x as usize] = p ^ 1;
            self.mate[y as usize] = p;
        }
        self.childs[b].rotate_left(i as usize);
        self.endps[b].rotate_left(i as usize);
        self.base[b] = self.base[self.childs[b][0] as usize];
        debug_assert_eq!(self.base[b], v);
    }

    /// Augments along the path through even-even edge `k` joining two trees.
    fn augment(&mut self, k: usize) {
        for (mut s, mut p) in [
            (self.end(2 * k), (2 * k + 1) as u32),
            (self.end(2 * k + 1), (2 * k) as u32),
        ] {
            loop {
                let bs = self.vx[s as usize].top as usize;
                if bs >= self.n {
                    self.augment_blossom(bs, s);
                }
                self.mate[s as usize] = p;
                if self.labelend[bs] == NONE {
                    break;
                }
                let t = self.end(self.labelend[bs] as usize);
                let bt = self.vx[t as usize].top as usize;
                s = self.end(self.labelend[bt] as usize);
                let j = self.end((self.labelend[bt] ^ 1) as usize);
                if bt >= self.n {
                    self.augment_blossom(bt, j);
                }
                self.mate[j as usize] = self.labelend[bt];
                p = self.labelend[bt] ^ 1;
            }
        }
    }

    /// Removes every blossom of the trees rooted at `roots` from the forest, then
    /// queues their edges to even vertices (they may be grown again).
    fn dissolve(&mut self, roots: [u32; 2]) -> Result<(), Overflow> {
        let mut freed = Vec::new();
        for root in roots {
            let list = std::mem::take(&mut self.members[root as usize]);
            for &b in &list {
                let bu = b as usize;
                if self.tree[bu] == root && self.parent[bu] == NONE && self.bh[bu].label != FREE {
                    self.relabel(bu, FREE)?;
                    self.tree[bu] = NONE;
                    self.labelend[bu] = NONE;
                    freed.push(b);
                }
            }
        }
        for b in freed {
            self.scan_blossom(b);
        }
        Ok(())
    }

    /// [`Solver::run`] after a jump start, or `None` when the result is not
    /// certified: every vertex with an edge left free must have the same dual
    /// `λ`, and no vertex with an edge a dual below `λ`. Then for any maximum
    /// matching `M'` (as many free vertices, each with a dual of at least `λ`),
    /// `w(M') <= Σ y + Σ z⌊|B|/2⌋ - |free| λ = w(M)` by feasibility and tight
    /// matched edges, as in the plain start's argument. With no free vertex
    /// the condition is empty (a perfect matching on the vertices with edges).
    fn run_jumped(mut self) -> Option<Vec<u32>> {
        self.solve().ok()?;
        let has_edge = |v: usize| self.adj_start[v] < self.adj_start[v + 1];
        let free: Vec<T> = (0..self.n)
            .filter(|&v| has_edge(v) && self.mate[v] == NONE)
            .map(|v| self.y(v as u32))
            .collect();
        if let Some(&lambda) = free.first() {
            if free.iter().any(|&y| y != lambda)
                || (0..self.n).any(|v| has_edge(v) && self.y(v as u32) < lambda)
            {
                return None;
            }
        }
        self.run_finish()
    }

    fn run(mut self) -> Option<Vec<u32>> {
        self.solve().ok()?;
        self.run_finish()
    }

    fn run_finish(self) -> Option<Vec<u32>> {
        Some(
            (0..self.n)
                .map(|v| {
                    let p = self.mate[v];
                    if p == NONE {
                        NONE
                    } else {
                        p >> 1
                    }
                })
                .collect(),
        )
    }

    fn solve(&mut self) -> Result<(), Overflow> {
        loop {
            if self.max_card && self.free_roots < 2 {
                // No augmenting path can exist; the matching is already optimal.
                return Ok(());
            }
            let te = self.edge_q.min_key();
            let tb = self.blossom_q.peek().map(|Reverse((k, _, _))| *k);
            let next = match (te, tb) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) => a,
                (None, Some(b)) => b,
                (None, None) => return Ok(()),
            };
            if !self.max_card && next >= self.y0 {
                // Free vertices' duals reach zero first: the matching is optimal.
                return Ok(());
            }
            if next > self.t {
                Self::check(next)?;
                self.t = next;
            }
            if tb == Some(next) {
                let Some(Reverse((_, b, st))) = self.blossom_q.pop() else {
                    continue;
                };
                let b = b as usize;
                if self.stamp[b] == st && self.bh[b].label == ODD && self.parent[b] == NONE {
                    debug_assert!(self.z(b) == T::default());
                    self.expand_odd(b)?;
                }
                continue;
            }
            let Some((_, k)) = self.edge_q.pop() else {
                continue;
            };
            let k = k as usize;
            let (u, v) = (self.end(2 * k), self.end(2 * k + 1));
            let (bu, bv) = (
                self.vx[u as usize].top as usize,
                self.vx[v as usize].top as usize,
            );
            if bu == bv {
                continue;
            }
            let (lu, lv) = (self.bh[bu].label, self.bh[bv].label);
            let slack = self.slack(k);
            debug_assert!(
                lu == ODD || lv == ODD || slack >= T::default(),
                "dual infeasible"
            );
            match (lu, lv) {
                (EVEN, EVEN) => {
                    debug_assert!(slack.halve() + slack.halve() == slack, "odd slack");
                    if slack > T::default() {
                        self.edge_q.push(self.t + slack.halve(), k as u32);
                    } else if self.tree[bu] == self.tree[bv] {
                        let base = self.find_base(u, v);
                        self.add_blossom(base, k)?;
                    } else {
                        let (r1, r2) = (self.tree[bu], self.tree[bv]);
                        self.augment(k);
                        self.free_roots -= 2;
                        self.dissolve([r1, r2])?;
                    }
                }
                (EVEN, FREE) | (FREE, EVEN) => {
                    if slack > T::default() {
                        self.edge_q.push(self.t + slack, k as u32);
                    } else {
                        let (even_b, p, x) = if lu == EVEN {
                            (bu, 2 * k as u32, v)
                        } else {
                            (bv, (2 * k + 1) as u32, u)
                        };
                        let root = self.tree[even_b];
                        self.assign_label(x, ODD, p, root)?;
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e(a: u32, b: u32, w: i64) -> PeerEdge {
        PeerEdge { a, b, weight: w }
    }

    /// Best (pairs, total) over all matchings, by enumeration.
    fn brute(n: usize, edges: &[PeerEdge], objective: Objective) -> (usize, i128) {
        fn rec(
            i: usize,
            edges: &[PeerEdge],
            used: &mut Vec<bool>,
            pairs: usize,
            total: i128,
            best: &mut (usize, i128),
            objective: Objective,
        ) {
            if i == edges.len() {
                let better = match objective {
                    Objective::MaxCardinality => (pairs, total) > *best,
                    Objective::MaxWeight => total > best.1,
                };
                if better {
                    *best = (pairs, total);
                }
                return;
            }
            rec(i + 1, edges, used, pairs, total, best, objective);
            let ed = edges[i];
            if !used[ed.a as usize] && !used[ed.b as usize] {
                used[ed.a as usize] = true;
                used[ed.b as usize] = true;
                rec(
                    i + 1,
                    edges,
                    used,
                    pairs + 1,
                    total + i128::from(ed.weight),
                    best,
                    objective,
                );
                used[ed.a as usize] = false;
                used[ed.b as usize] = false;
            }
        }
        let mut best = (0, 0);
        rec(0, edges, &mut vec![false; n], 0, 0, &mut best, objective);
        best
    }

    fn check_valid(n: usize, edges: &[PeerEdge], m: &PeerMatching) {
        let mut total = 0i128;
        let mut pairs = 0;
        for v in 0..n {
            if let Some(u) = m.mate[v] {
                assert_eq!(m.mate[u as usize], Some(v as u32));
                let k = m.pair_edge[v].unwrap() as usize;
                let ed = edges[k];
                assert!((ed.a == v as u32 && ed.b == u) || (ed.b == v as u32 && ed.a == u));
                if (v as u32) < u {
                    pairs += 1;
                    total += i128::from(ed.weight);
                }
            }
        }
        assert_eq!((pairs, total), (m.pairs, m.total));
    }

    #[test]
    fn empty_and_isolated() {
        let m = max_weight_matching(3, &[], Objective::MaxCardinality).unwrap();
        assert_eq!(m.pairs, 0);
        let m = max_weight_matching(0, &[], Objective::MaxWeight).unwrap();
        assert_eq!(m.pairs, 0);
    }

    #[test]
    fn cardinality_beats_weight() {
        // Path a-b-c-d: the heavy middle edge alone loses to the two light ends.
        let edges = [e(0, 1, 1), e(1, 2, 100), e(2, 3, 1)];
        let m = max_weight_matching(4, &edges, Objective::MaxCardinality).unwrap();
        assert_eq!((m.pairs, m.total), (2, 2));
        let m = max_weight_matching(4, &edges, Objective::MaxWeight).unwrap();
        assert_eq!((m.pairs, m.total), (1, 100));
    }

    #[test]
    fn negative_edges_only_for_cardinality() {
        let edges = [e(0, 1, -5)];
        let m = max_weight_matching(2, &edges, Objective::MaxCardinality).unwrap();
        assert_eq!((m.pairs, m.total), (1, -5));
        let m = max_weight_matching(2, &edges, Objective::MaxWeight).unwrap();
        assert_eq!((m.pairs, m.total), (0, 0));
    }

    #[test]
    fn odd_cycle_blossom() {
        // Triangle with a pendant: needs a blossom to find the perfect matching.
        let edges = [e(0, 1, 6), e(1, 2, 6), e(2, 0, 6), e(2, 3, 1)];
        let m = max_weight_matching(4, &edges, Objective::MaxCardinality).unwrap();
        assert_eq!((m.pairs, m.total), (2, 7));
        check_valid(4, &edges, &m);
    }

    #[test]
    fn refuses_bad_edges() {
        assert!(matches!(
            max_weight_matching(2, &[e(0, 0, 1)], Objective::MaxWeight),
            Err(PeerError::SelfLoop { .. })
        ));
        assert!(matches!(
            max_weight_matching(2, &[e(0, 2, 1)], Objective::MaxWeight),
            Err(PeerError::OutOfRange { .. })
        ));
    }

    #[test]
    fn huge_weights_are_exact() {
        let w = i64::MAX / 4;
        let edges = [
            e(0, 1, w),
            e(1, 2, w),
            e(2, 3, w),
            e(3, 0, -w),
            e(0, 2, w - 1),
        ];
        let m = max_weight_matching(4, &edges, Objective::MaxCardinality).unwrap();
        assert_eq!(
            (m.pairs, m.total),
            brute(4, &edges, Objective::MaxCardinality)
        );
    }

    fn arb_graph(
        max_n: usize,
        max_m: usize,
        wmax: i64,
    ) -> impl Strategy<Value = (usize, Vec<PeerEdge>)> {
        (1..=max_n).prop_flat_map(move |n| {
            let edge = (0..n as u32, 0..n as u32, -wmax..=wmax);
            (
                Just(n),
                proptest::collection::vec(edge, 0..=max_m).prop_map(|v| {
                    v.into_iter()
                        .filter(|(a, b, _)| a != b)
                        .map(|(a, b, w)| e(a, b, w))
                        .collect::<Vec<_>>()
                }),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn matches_brute_force_small_weights((n, edges) in arb_graph(9, 14, 4)) {
            for obj in [Objective::MaxCardinality, Objective::MaxWeight] {
                let m = max_weight_matching(n, &edges, obj).unwrap();
                check_valid(n, &edges, &m);
                let want = brute(n, &edges, obj);
                match obj {
                    Objective::MaxCardinality => prop_assert_eq!((m.pairs, m.total), want),
                    Objective::MaxWeight => prop_assert_eq!(m.total, want.1),
                }
            }
        }

        #[test]
        fn matches_brute_force_wide_weights((n, edges) in arb_graph(12, 16, 1_000_000)) {
            for obj in [Objective::MaxCardinality, Objective::MaxWeight] {
                let m = max_weight_matching(n, &edges, obj).unwrap();
                check_valid(n, &edges, &m);
                let want = brute(n, &edges, obj);
                match obj {
                    Objective::MaxCardinality => prop_assert_eq!((m.pairs, m.total), want),
                    Objective::MaxWeight => prop_assert_eq!(m.total, want.1),
                }
            }
        }
    }
}
