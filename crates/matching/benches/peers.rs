//! Peer matching (maximum cardinality, then maximum weight) on seeded random graphs:
//! every person names 10 random neighbours, scores 0–100 points in micro-units.
//!
//! `RAPPORT_BENCH_ONCE=1` solves each size once and prints the time, the result
//! and the load average, without the criterion timing loop.

use criterion::{criterion_group, criterion_main, Criterion};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rapport_matching::peers::{max_weight_matching, Objective, PeerEdge};
use std::collections::HashSet;
use std::hint::black_box;

/// `n` people, each naming `k` distinct random others; duplicates (a names b and b
/// names a) are kept once.
fn graph(n: usize, k: usize, seed: u64) -> Vec<PeerEdge> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut seen = HashSet::with_capacity(n * k);
    let mut edges = Vec::with_capacity(n * k);
    for a in 0..n as u32 {
        let mut got = 0;
        while got < k {
            let b = rng.random_range(0..n as u32);
            if b == a {
                continue;
            }
            let key = (u64::from(a.min(b)) << 32) | u64::from(a.max(b));
            if seen.insert(key) {
                edges.push(PeerEdge {
                    a,
                    b,
                    weight: rng.random_range(0..=100_000_000),
                });
            }
            got += 1;
        }
    }
    edges
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("peers");
    g.sample_size(10);
    for n in [4_000usize, 100_000] {
        let edges = graph(n, 10, 42);
        if std::env::var_os("RAPPORT_BENCH_ONCE").is_some() {
            let t = std::time::Instant::now();
            let m = max_weight_matching(n, &edges, Objective::MaxCardinality).unwrap();
            println!(
                "peers n {n} k 10 ({} edges): {:.3} s, {} pairs, total {} (load {})",
                edges.len(),
                t.elapsed().as_secs_f64(),
                m.pairs,
                m.total,
                std::fs::read_to_string("/proc/loadavg")
                    .unwrap_or_default()
                    .trim()
            );
            continue;
        }
        g.bench_function(format!("n{n}_k10"), |b| {
            b.iter(|| black_box(max_weight_matching(n, &edges, Objective::MaxCardinality).unwrap()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
