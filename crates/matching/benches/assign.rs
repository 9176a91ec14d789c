//! Many-to-one assignment benches on seeded synthetic instances, one per capacity regime.
//!
//! Instances: `n` mentees, `m` mentors, `k` distinct candidate mentors per mentee, scores
//! in hundredths (a mentor-wide quality plus pair noise, so mentees compete for the same
//! good mentors), mentor capacities uniform with the given mean slots per mentee.
//!
//! `cargo bench -p rapport-matching --bench assign` runs criterion on a reduced size;
//! `RAPPORT_BENCH_ONCE=1 cargo bench -p rapport-matching --bench assign` solves each
//! full-size instance once and prints its objective, time and solver counters.

use std::time::Instant;

use criterion::{BenchmarkId, Criterion};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rapport_matching::assign::{solve, Constraints, Edge, Problem};
use rapport_matching::rematch;

/// A sparse instance: `ratio` mentor slots per mentee on average (capacities uniform
/// on `1..=max_cap` when given, else on `1..=2·avg−1`).
pub fn sparse(
    seed: u64,
    n: usize,
    m: usize,
    k: usize,
    ratio: f64,
    max_cap: Option<u32>,
    competitive: bool,
) -> Problem {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Competitive instances add a mentor-wide quality, so everyone wants the same mentors.
    let quality: Vec<i64> = (0..m)
        .map(|_| {
            if competitive {
                rng.random_range(0..=5000)
            } else {
                0
            }
        })
        .collect();
    let mut edges = Vec::with_capacity(n * k);
    let mut picked = Vec::with_capacity(k);
    for i in 0..n {
        picked.clear();
        while picked.len() < k.min(m) {
            let j = rng.random_range(0..m as u32);
            if !picked.contains(&j) {
                picked.push(j);
            }
        }
        for &j in &picked {
            let noise: i64 = rng.random_range(0..=if competitive { 5000 } else { 10_000 });
            edges.push(Edge {
                mentee: i as u32,
                mentor: j,
                score: (quality[j as usize] + noise) * 10_000,
            });
        }
    }
    let avg = ratio * n as f64 / m as f64;
    let hi = max_cap.unwrap_or(((2.0 * avg - 1.0).round() as u32).max(1));
    Problem {
        mentee_capacity: vec![1; n],
        mentor_capacity: (0..m).map(|_| rng.random_range(1..=hi)).collect(),
        edges,
    }
}

/// A dense 1:1 instance: every pair, scores 0..=100.00.
pub fn dense(seed: u64, n: usize) -> Problem {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut edges = Vec::with_capacity(n * n);
    for i in 0..n {
        for j in 0..n {
            edges.push(Edge {
                mentee: i as u32,
                mentor: j as u32,
                score: rng.random_range(0..=10_000i64) * 10_000,
            });
        }
    }
    Problem {
        mentee_capacity: vec![1; n],
        mentor_capacity: vec![1; n],
        edges,
    }
}

fn regimes(scale: usize) -> Vec<(&'static str, Problem)> {
    let n = 100_000 / scale;
    let m = 10_000 / scale;
    vec![
        (
            "tight-1.05x-cap1-20",
            sparse(1, n, m, 50, 1.05, Some(20), false),
        ),
        ("loose-3x", sparse(2, n, m, 50, 3.0, None, false)),
        ("tight-1.0x", sparse(3, n, m, 50, 1.0, None, false)),
        ("scarce-0.8x", sparse(4, n, m, 50, 0.8, None, false)),
        (
            "competitive-1.05x",
            sparse(6, n, m, 50, 1.05, Some(20), true),
        ),
        ("dense-1to1", dense(5, 4000 / scale)),
    ]
}

fn once() {
    let filter = std::env::var("RAPPORT_BENCH_FILTER").unwrap_or_default();
    let scale = std::env::var("RAPPORT_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    for (name, problem) in regimes(scale) {
        if !name.contains(&filter) {
            continue;
        }
        let start = Instant::now();
        let sol = solve(&problem, &Constraints::default()).expect("valid instance");
        let took = start.elapsed();
        println!(
            "{name}: {} mentees x {} mentors, {} edges: covered {}, score {}, {:.3}s, {:?}",
            problem.mentee_capacity.len(),
            problem.mentor_capacity.len(),
            problem.edges.len(),
            sol.objective.covered,
            rapport_matching::fixed::format_micros(sol.objective.total_score),
            took.as_secs_f64(),
            sol.stats
        );
        // Re-matching one person against the solved instance, and one shortfall query.
        let mover = sol.chosen.first().map_or(0, |&c| problem.edges[c].mentee);
        let index = rematch::MenteeIndex::new(&problem);
        let start = Instant::now();
        let r = rematch::rematch_indexed(&problem, &index, &sol.chosen, &[mover]).expect("valid");
        let rematch_time = start.elapsed();
        let unchosen = (0..problem.edges.len())
            .find(|e| sol.chosen.binary_search(e).is_err())
            .unwrap_or(0);
        let start = Instant::now();
        let gap = rematch::shortfall(&problem, &Constraints::default(), &sol, unchosen);
        println!(
            "  rematch one mentee: {:.2} ms ({} edges kept); shortfall of edge {unchosen}: {gap:?} in {:.2} ms",
            rematch_time.as_secs_f64() * 1e3,
            r.all.len(),
            start.elapsed().as_secs_f64() * 1e3
        );
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("assign");
    group.sample_size(10);
    for (name, problem) in regimes(10) {
        group.bench_with_input(BenchmarkId::from_parameter(name), &problem, |b, p| {
            b.iter(|| solve(p, &Constraints::default()).expect("valid instance"))
        });
    }
    group.finish();
}

fn main() {
    if std::env::var_os("RAPPORT_BENCH_ONCE").is_some() {
        once();
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
