//! Circles of four on seeded synthetic people, printing the objective as a share of
//! the upper bound next to the timing.
//!
//! People are points in the unit square; each keeps its 20 nearest others, scored
//! 100 * exp(-d^2 / s^2) points, where s^2 is the area holding 20 people on average
//! (`width` scales s). A pair that is not kept scores 0 (unlisted pairs may meet).
//!
//! `RAPPORT_BENCH_ONCE=1` prints each case once without the timing loop;
//! `RAPPORT_BENCH_ANNEAL=<steps per person>` overrides the annealing budget.

use criterion::{criterion_group, criterion_main, Criterion};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rapport_matching::groups::{form_groups, GroupsProblem, MissingPairs};
use rapport_matching::peers::PeerEdge;
use std::collections::HashSet;
use std::hint::black_box;

fn people(n: usize, k: usize, width: f64, seed: u64) -> Vec<PeerEdge> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let pts: Vec<(f64, f64)> = (0..n)
        .map(|_| (rng.random::<f64>(), rng.random::<f64>()))
        .collect();
    let s2 = width * width * k as f64 / (n as f64 * std::f64::consts::PI);
    let mut seen = HashSet::new();
    let mut edges = Vec::new();
    let mut d: Vec<(f64, usize)> = Vec::with_capacity(n);
    for a in 0..n {
        d.clear();
        d.extend((0..n).filter(|&b| b != a).map(|b| {
            let (dx, dy) = (pts[a].0 - pts[b].0, pts[a].1 - pts[b].1);
            (dx * dx + dy * dy, b)
        }));
        d.select_nth_unstable_by(k, |x, y| x.0.total_cmp(&y.0));
        for &(d2, b) in &d[..k] {
            if seen.insert((a.min(b), a.max(b))) {
                let w = (100_000_000.0 * (-d2 / s2).exp()).round() as i64;
                edges.push(PeerEdge {
                    a: a as u32,
                    b: b as u32,
                    weight: w,
                });
            }
        }
    }
    edges
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("circles_of_4");
    g.sample_size(10);
    for n in [2_000usize, 8_000] {
        for width in [1.0, 2.0] {
            let edges = people(n, 20, width, 1);
            let mut p = GroupsProblem::new(n, &edges, MissingPairs::Zero, 4, 4);
            if let Ok(a) = std::env::var("RAPPORT_BENCH_ANNEAL") {
                p.anneal_steps = a.parse().expect("RAPPORT_BENCH_ANNEAL is a number");
            }
            let t = std::time::Instant::now();
            let r = form_groups(&p).unwrap();
            let secs = t.elapsed().as_secs_f64();
            println!(
                "circles of 4, n {n}, width {width}: objective {:.0} / dual bound {:.0} = {:.2}% (per-person bound {:.0}: {:.2}%; {} unplaced) in {secs:.2} s",
                r.objective,
                r.upper_bound,
                100.0 * r.objective / r.upper_bound,
                r.per_person_bound,
                100.0 * r.objective / r.per_person_bound,
                r.unplaced.len()
            );
            if std::env::var_os("RAPPORT_BENCH_ONCE").is_some() {
                continue;
            }
            g.bench_function(format!("n{n}_width{width}"), |b| {
                b.iter(|| black_box(form_groups(&p).unwrap()))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
