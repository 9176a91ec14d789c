//! End-to-end matching from profiles: scoring, candidates, solving, the
//! lossless re-check, explanations and CSV out.
//!
//! - `pipeline/end_to_end/100000x20000`: the target (< 10 s, < 1 GiB).
//! - `pipeline/lossless/20000x4000`: top-K with the re-check against the exact
//!   dense optimum over every eligible pair (checked once before timing).
//! - `regimes` (opt-in: `RAPPORT_BENCH_ONLY=regimes`): the same pipeline once per
//!   capacity regime and setting that changes its work (scarce and loose mentor
//!   slots, a quality floor, a time-zone limit, a minimum overlap, small and large
//!   `top_k`), each reported like the end-to-end case. Minutes, not seconds: it is
//!   for finding the settings a change makes slow, not for every run.
//!
//! Each case first runs once and prints phase timings, graph size, re-check
//! rounds and the process's peak resident memory (VmHWM). Sizes can be
//! overridden with `RAPPORT_BENCH_MENTEES` / `RAPPORT_BENCH_MENTORS`, and
//! `RAPPORT_BENCH_ONLY=end_to_end|lossless|regimes` runs one case; `RAPPORT_BENCH_ONCE=1`
//! runs each case once (report only, no criterion timing loop).

// The allocator of the `rapport` binary (see `crates/cli/src/main.rs`), so the
// bench measures what `rapport match assign --mentees --mentors` runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use rapport_matching::assign::{self, Problem};
use rapport_matching::candidates::Scanner;
use rapport_matching::constraints::Rules;
use rapport_matching::pipeline::{run, Options, Outcome};
use rapport_matching::profile::Profile;
use rapport_matching::score::{Audience, Model};
use rapport_matching::settings::Settings;
use rapport_matching::synthetic;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// User plus system CPU seconds of this process so far (from /proc/self/stat),
/// less sensitive than wall time to other jobs on a shared machine.
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(f64::NAN)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn env_size(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn end_to_end(mentees: &[Profile], mentors: &[Profile], s: &Settings) -> (Outcome, usize) {
    let out = run(
        mentees,
        mentors,
        s,
        &Options {
            explain: Some(Audience::Manager),
        },
    )
    .expect("pipeline runs");
    let csv = out
        .write_matches(Vec::with_capacity(out.matches.len() * 400), true)
        .expect("csv");
    let n = csv.len();
    (out, n)
}

fn report(label: &str, out: &Outcome, total: Duration, csv_bytes: usize) {
    let t = out.timings;
    eprintln!(
        "{label}: total {:.2} s (process CPU so far {:.1} s, load {}) | features {:.2} s, candidates {:.2} s, solve {:.2} s, re-check {:.2} s, report {:.2} s | \
         {} edges, {} solves, {} re-added, certified {} | covered {} of {}, total score {} | csv {} MiB | peak RSS {:.0} MiB",
        total.as_secs_f64(),
        cpu_secs(),
        load_average(),
        t.features.as_secs_f64(),
        t.candidates.as_secs_f64(),
        t.solve.as_secs_f64(),
        t.recheck.as_secs_f64(),
        t.report.as_secs_f64(),
        out.edges,
        out.solves,
        out.readded,
        out.certified,
        out.objective.covered,
        out.model.n_mentees(),
        rapport_matching::fixed::format_micros(out.objective.total_score),
        csv_bytes / (1 << 20),
        peak_rss_mib(),
    );
}

/// `RAPPORT_BENCH_ONCE=1`: run each case once (with its report), no timing loop.
fn once() -> bool {
    std::env::var_os("RAPPORT_BENCH_ONCE").is_some()
}

/// `RAPPORT_BENCH_ONLY=end_to_end` (or `lossless`, `regimes`) runs one case only.
fn wanted(case: &str) -> bool {
    std::env::var("RAPPORT_BENCH_ONLY").map_or(true, |v| v == case)
}

fn bench_end_to_end(c: &mut Criterion) {
    if !wanted("end_to_end") {
        return;
    }
    let n = env_size("RAPPORT_BENCH_MENTEES", 100_000);
    let m = env_size("RAPPORT_BENCH_MENTORS", 20_000);
    let (mentees, mentors) = synthetic::population(2026, n, m, 1.2);
    let mut s = Settings::default();
    if let Ok(k) = std::env::var("RAPPORT_BENCH_TOP_K") {
        s.top_k = k.parse().expect("RAPPORT_BENCH_TOP_K is a number");
    }
    let t = Instant::now();
    let (out, bytes) = end_to_end(&mentees, &mentors, &s);
    report(&format!("end_to_end {n}x{m}"), &out, t.elapsed(), bytes);
    drop(out);
    if once() {
        return;
    }
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(60));
    g.bench_function(format!("end_to_end/{n}x{m}"), |b| {
        b.iter(|| black_box(end_to_end(&mentees, &mentors, &s).1))
    });
    g.finish();
}

fn dense_optimum(mentees: &[Profile], mentors: &[Profile], s: &Settings) -> assign::Objective {
    let model = Model::build(mentees, mentors, s).expect("model");
    let rules = Rules::build(&model);
    let scanner = Scanner::new(&model, &rules);
    let edges: Vec<assign::Edge> = (0..model.n_mentees())
        .flat_map(|i| scanner.all_eligible(i))
        .map(|e| assign::Edge {
            mentee: e.mentee,
            mentor: e.mentor,
            score: e.score,
        })
        .collect();
    eprintln!("dense graph: {} eligible pairs", edges.len());
    let problem = Problem {
        mentee_capacity: model.mentees.iter().map(|f| f.capacity).collect(),
        mentor_capacity: model.mentors.iter().map(|f| f.capacity).collect(),
        edges,
    };
    assign::solve(&problem, &assign::Constraints::default())
        .expect("dense solve")
        .objective
}

fn bench_lossless(c: &mut Criterion) {
    if !wanted("lossless") {
        return;
    }
    let (n, m) = (20_000, 4_000);
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10);
    for slots in [1.2, 0.8] {
        let (mentees, mentors) = synthetic::population(7, n, m, slots);
        let s = Settings {
            quality_floor: 20.0,
            ..Settings::default()
        };
        let t = Instant::now();
        let (out, bytes) = end_to_end(&mentees, &mentors, &s);
        report(
            &format!("lossless {n}x{m} slots {slots}"),
            &out,
            t.elapsed(),
            bytes,
        );
        let t = Instant::now();
        let dense = dense_optimum(&mentees, &mentors, &s);
        eprintln!(
            "dense optimum in {:.2} s: covered {}, total {}; pruned+re-check: covered {}, total {}; equal: {}",
            t.elapsed().as_secs_f64(),
            dense.covered,
            rapport_matching::fixed::format_micros(dense.total_score),
            out.objective.covered,
            rapport_matching::fixed::format_micros(out.objective.total_score),
            dense == out.objective
        );
        assert_eq!(
            dense, out.objective,
            "lossless pruning must equal the dense optimum"
        );
        if once() {
            continue;
        }
        g.bench_function(format!("lossless/{n}x{m}/slots{slots}"), |b| {
            b.iter(|| black_box(end_to_end(&mentees, &mentors, &s).1))
        });
    }
    g.finish();
}

/// One report per regime at the end-to-end size; only when asked for by name.
fn bench_regimes(_: &mut Criterion) {
    if std::env::var("RAPPORT_BENCH_ONLY").as_deref() != Ok("regimes") {
        return;
    }
    let n = env_size("RAPPORT_BENCH_MENTEES", 100_000);
    let m = env_size("RAPPORT_BENCH_MENTORS", 20_000);
    let with = |f: fn(&mut Settings)| {
        let mut s = Settings::default();
        f(&mut s);
        s
    };
    let cases: [(&str, f64, Settings); 8] = [
        ("slots 1.2 (the target's)", 1.2, Settings::default()),
        ("slots 0.8 (scarce)", 0.8, Settings::default()),
        ("slots 3.0 (loose)", 3.0, Settings::default()),
        ("quality floor 30", 1.2, with(|s| s.quality_floor = 30.0)),
        (
            "time zones within 3 h",
            1.2,
            with(|s| s.reach.max_time_zone_hours = Some(3.0)),
        ),
        (
            "overlap at least 1 h",
            1.2,
            with(|s| s.reach.min_overlap_hours = Some(1.0)),
        ),
        ("top_k 10", 1.2, with(|s| s.top_k = 10)),
        ("top_k 200", 1.2, with(|s| s.top_k = 200)),
    ];
    for (name, slots, s) in cases {
        let (mentees, mentors) = synthetic::population(2026, n, m, slots);
        let t = Instant::now();
        let (out, bytes) = end_to_end(&mentees, &mentors, &s);
        report(&format!("regimes {n}x{m} {name}"), &out, t.elapsed(), bytes);
    }
}

criterion_group!(benches, bench_end_to_end, bench_lossless, bench_regimes);
criterion_main!(benches);
