//! Property tests of the assignment solver against brute force, plus certificate checks.

use super::*;
use proptest::prelude::*;

/// Best objective by enumerating every subset of edges (small instances only).
/// `pinned` edges are forced in (assumed to fit); `forbidden` are forced out.
pub(crate) fn brute_force(problem: &Problem, pinned: &[usize], forbidden: &[usize]) -> Objective {
    let ne = problem.edges.len();
    assert!(ne <= 16, "brute force is for small instances");
    let mut best: Option<Objective> = None;
    'subsets: for mask in 0u32..(1 << ne) {
        for &p in pinned {
            if mask & (1 << p) == 0 {
                continue 'subsets;
            }
        }
        for &f in forbidden {
            if mask & (1 << f) != 0 && !pinned.contains(&f) {
                continue 'subsets;
            }
        }
        let mut k = vec![0u32; problem.mentee_capacity.len()];
        let mut load = vec![0u32; problem.mentor_capacity.len()];
        let mut chosen = Vec::new();
        for (idx, e) in problem.edges.iter().enumerate() {
            if mask & (1 << idx) != 0 {
                k[e.mentee as usize] += 1;
                load[e.mentor as usize] += 1;
                if k[e.mentee as usize] > problem.mentee_capacity[e.mentee as usize]
                    || load[e.mentor as usize] > problem.mentor_capacity[e.mentor as usize]
                {
                    continue 'subsets;
                }
                chosen.push(idx);
            }
        }
        let obj = objective_of(problem, &chosen);
        if best.is_none_or(|b| obj > b) {
            best = Some(obj);
        }
    }
    best.unwrap_or_default()
}

/// Random small instances: ties, isolated nodes, zero capacities, negative scores and
/// mentee capacities above 1 all occur.
pub(crate) fn small_problem() -> impl Strategy<Value = Problem> {
    (1usize..=5, 1usize..=4)
        .prop_flat_map(|(n, m)| {
            let pairs: Vec<(u32, u32)> = (0..n as u32)
                .flat_map(|i| (0..m as u32).map(move |j| (i, j)))
                .collect();
            let np = pairs.len();
            (
                proptest::collection::vec(prop_oneof![3 => Just(1u32), 1 => 0u32..=3], n),
                proptest::collection::vec(0u32..=3, m),
                proptest::sample::subsequence(pairs, 0..=np.min(12)),
                proptest::collection::vec(-4i64..=8, 12),
            )
        })
        .prop_map(|(a, b, pairs, scores)| Problem {
            mentee_capacity: a,
            mentor_capacity: b,
            edges: pairs
                .into_iter()
                .zip(scores)
                .map(|((i, j), w)| Edge {
                    mentee: i,
                    mentor: j,
                    score: w * 1000,
                })
                .collect(),
        })
}

fn check(problem: &Problem, constraints: &Constraints) -> Result<(), TestCaseError> {
    check_tuned(problem, constraints, Tuning::default())
}

/// [`check`] along a path production does not take.
fn check_tuned(
    problem: &Problem,
    constraints: &Constraints,
    tuning: Tuning,
) -> Result<(), TestCaseError> {
    let sol = solve_with(problem, constraints, None, tuning).unwrap();
    verify(problem, constraints, &sol).map_err(|e| TestCaseError::fail(e.0))?;
    let pins = sol.accepted_pins(constraints);
    let best = brute_force(problem, &pins, &constraints.forbidden);
    prop_assert_eq!(sol.objective, best);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn matches_brute_force(problem in small_problem()) {
        check(&problem, &Constraints::default())?;
    }

    #[test]
    fn matches_brute_force_in_any_edge_order(problem in small_problem()) {
        // Reversed, the edges are no longer grouped by ascending mentee: the
        // network is then built by the counting sort, not by copying.
        let mut problem = problem;
        problem.edges.reverse();
        check(&problem, &Constraints::default())?;
    }

    #[test]
    fn matches_brute_force_with_pins_and_forbidden(
        problem in small_problem(),
        pins in proptest::collection::vec(0usize..12, 0..3),
        forbidden in proptest::collection::vec(0usize..12, 0..3),
    ) {
        let ne = problem.edges.len();
        let constraints = Constraints {
            pinned: pins.into_iter().filter(|&p| p < ne).collect(),
            forbidden: forbidden.into_iter().filter(|&f| f < ne).collect(),
        };
        check(&problem, &constraints)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// The split path solved from each part's long side, with the dummy sink.
    #[test]
    fn split_long_side_matches_brute_force(problem in small_problem()) {
        let mut problem = problem;
        for c in &mut problem.mentee_capacity {
            *c = (*c).min(1);
        }
        let tuning = Tuning { force_other_side: true, ..Tuning::default() };
        check_tuned(&problem, &Constraints::default(), tuning)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// Pruned to `keep` edges per mentee, then repaired by pricing: still exact.
    #[test]
    fn pruned_matches_brute_force(
        problem in small_problem(),
        keep in 0usize..3,
        forbidden in proptest::collection::vec(0usize..12, 0..3),
    ) {
        let mut problem = problem;
        for c in &mut problem.mentee_capacity {
            *c = (*c).min(1);
        }
        let ne = problem.edges.len();
        let constraints = Constraints {
            pinned: vec![],
            forbidden: forbidden.into_iter().filter(|&f| f < ne).collect(),
        };
        let tuning = Tuning { prune_keep: Some(keep), ..Tuning::default() };
        check_tuned(&problem, &constraints, tuning)?;
    }
}

/// Keeps the edges whose bit is set in `mask` (cycled), in order.
fn subset(problem: &Problem, mask: &[bool]) -> Problem {
    Problem {
        edges: problem
            .edges
            .iter()
            .enumerate()
            .filter(|(k, _)| mask[k % mask.len()])
            .map(|(_, e)| *e)
            .collect(),
        ..problem.clone()
    }
}

/// Solves `sub`, then `full` warm from that answer (or from `junk` duals and pairs),
/// and checks the warm answer's certificate and objective against a cold solve.
fn check_warm(
    full: &Problem,
    sub: &Problem,
    junk: Option<(Vec<(u32, u32)>, Duals)>,
) -> Result<Objective, TestCaseError> {
    let (pairs, duals) = match junk {
        Some(j) => j,
        None => {
            let first = solve(sub, &Constraints::default()).unwrap();
            let pairs = first
                .chosen
                .iter()
                .map(|&k| (sub.edges[k].mentee, sub.edges[k].mentor))
                .collect();
            (pairs, first.duals)
        }
    };
    let warm = solve_warm(
        full,
        &Constraints::default(),
        &WarmStart {
            pairs: &pairs,
            duals: &duals,
        },
    )
    .unwrap();
    verify(full, &Constraints::default(), &warm).map_err(|e| TestCaseError::fail(e.0))?;
    let cold = solve(full, &Constraints::default()).unwrap();
    prop_assert_eq!(warm.objective, cold.objective);
    Ok(warm.objective)
}

/// Random instances larger than brute force allows, one mentor per mentee: many
/// mentees per mentor, so a warm start meets full mentors with positive prices.
fn medium_problem() -> impl Strategy<Value = Problem> {
    (5usize..40, 2usize..10).prop_flat_map(|(n, m)| {
        (
            proptest::collection::vec(0u32..=4, m),
            proptest::collection::vec((0..n as u32, 0..m as u32, -5i64..=30), 0..200),
        )
            .prop_map(move |(caps, raw)| {
                let mut seen = std::collections::HashSet::new();
                let mut edges: Vec<Edge> = raw
                    .into_iter()
                    .filter(|&(i, j, _)| seen.insert((i, j)))
                    .map(|(i, j, w)| Edge {
                        mentee: i,
                        mentor: j,
                        score: w * 1000,
                    })
                    .collect();
                edges.sort_by_key(|e| (e.mentee, e.mentor));
                Problem {
                    mentee_capacity: vec![1; n],
                    mentor_capacity: caps,
                    edges,
                }
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// A warm start from the answer on a subset of the edges (as after a re-check
    /// round), or from nonsense, gives the exact optimum with a valid certificate.
    #[test]
    fn warm_start_matches_brute_force(
        problem in small_problem(),
        mask in proptest::collection::vec(any::<bool>(), 1..6),
        junk in proptest::option::of((
            proptest::collection::vec((0u32..5, 0u32..4), 0..5),
            proptest::collection::vec(-8i64..8, 9),
        )),
    ) {
        let mut problem = problem;
        for c in &mut problem.mentee_capacity {
            *c = (*c).min(1);
        }
        let sub = subset(&problem, &mask);
        let junk = junk.map(|(pairs, xs)| {
            let lex = |x: i64| Lex { coverage: 0, pairs: 0, score: x * 1000 };
            let duals = Duals {
                mentee: xs[..5].iter().map(|&x| lex(x)).collect(),
                mentor: xs[5..].iter().map(|&x| lex(x)).collect(),
            };
            (pairs, duals)
        });
        let got = check_warm(&problem, &sub, junk)?;
        prop_assert_eq!(got, brute_force(&problem, &[], &[]));
    }

    #[test]
    fn warm_start_matches_cold_solve(
        problem in medium_problem(),
        mask in proptest::collection::vec(any::<bool>(), 1..8),
    ) {
        check_warm(&problem, &subset(&problem, &mask), None)?;
    }
}

#[test]
fn coverage_beats_score() {
    // Mentor 0 (capacity 1) is everyone's favourite; mentee 1 has a weak second choice.
    let problem = Problem {
        mentee_capacity: vec![1, 1],
        mentor_capacity: vec![1, 1],
        edges: vec![
            Edge {
                mentee: 0,
                mentor: 0,
                score: 100,
            },
            Edge {
                mentee: 1,
                mentor: 0,
                score: 90,
            },
            Edge {
                mentee: 1,
                mentor: 1,
                score: -50,
            },
        ],
    };
    let sol = solve(&problem, &Constraints::default()).unwrap();
    assert_eq!(sol.chosen, vec![0, 2]);
    assert_eq!(sol.objective.covered, 2);
    assert_eq!(sol.objective.total_score, 50);
    verify(&problem, &Constraints::default(), &sol).unwrap();
}

#[test]
fn coverage_counts_people_not_pairs() {
    // Mentee 0 could take both slots (two pairs) but covering mentee 1 is worth more.
    let problem = Problem {
        mentee_capacity: vec![2, 1],
        mentor_capacity: vec![1, 1],
        edges: vec![
            Edge {
                mentee: 0,
                mentor: 0,
                score: 10,
            },
            Edge {
                mentee: 0,
                mentor: 1,
                score: 10,
            },
            Edge {
                mentee: 1,
                mentor: 1,
                score: 1,
            },
        ],
    };
    let sol = solve(&problem, &Constraints::default()).unwrap();
    assert_eq!(
        sol.objective,
        Objective {
            covered: 2,
            pairs: 2,
            total_score: 11
        }
    );
}

#[test]
fn pins_are_placed_first_and_conflicts_reported() {
    let problem = Problem {
        mentee_capacity: vec![1, 1],
        mentor_capacity: vec![1],
        edges: vec![
            Edge {
                mentee: 0,
                mentor: 0,
                score: 1,
            },
            Edge {
                mentee: 1,
                mentor: 0,
                score: 100,
            },
        ],
    };
    let constraints = Constraints {
        pinned: vec![0, 1],
        forbidden: vec![],
    };
    let sol = solve(&problem, &constraints).unwrap();
    assert_eq!(sol.chosen, vec![0]);
    assert_eq!(
        sol.pin_conflicts,
        vec![PinConflict {
            edge: 1,
            reason: PinConflictReason::MentorFull
        }]
    );
    verify(&problem, &constraints, &sol).unwrap();
}

#[test]
fn refuses_duplicates_and_huge_scores() {
    let dup = Problem {
        mentee_capacity: vec![1],
        mentor_capacity: vec![1],
        edges: vec![
            Edge {
                mentee: 0,
                mentor: 0,
                score: 1,
            },
            Edge {
                mentee: 0,
                mentor: 0,
                score: 2,
            },
        ],
    };
    assert!(matches!(
        solve(&dup, &Constraints::default()),
        Err(AssignError::DuplicatePair {
            first: 0,
            second: 1,
            ..
        })
    ));
    let huge = Problem {
        mentee_capacity: vec![1],
        mentor_capacity: vec![1],
        edges: vec![Edge {
            mentee: 0,
            mentor: 0,
            score: i64::MAX,
        }],
    };
    assert!(matches!(
        solve(&huge, &Constraints::default()),
        Err(AssignError::ScoresTooLarge { .. })
    ));
}

#[test]
fn lex_pack_round_trips() {
    for c in [-3i64, -1, 0, 1, 5] {
        for p in [-100i64, -1, 0, 1, 7] {
            for s in [-(1i64 << 60), -5, 0, 3, 1 << 60] {
                let x = Lex {
                    coverage: c,
                    pairs: p,
                    score: s,
                };
                assert_eq!(Lex::unpack(x.pack()), x);
            }
        }
    }
}

#[test]
fn improving_pairs_finds_pruned_pairs_that_help() {
    // Solve without pair (1, 1); the duals must flag it when it would help.
    let problem = Problem {
        mentee_capacity: vec![1, 1],
        mentor_capacity: vec![1, 1],
        edges: vec![
            Edge {
                mentee: 0,
                mentor: 0,
                score: 10,
            },
            Edge {
                mentee: 1,
                mentor: 0,
                score: 9,
            },
        ],
    };
    let sol = solve(&problem, &Constraints::default()).unwrap();
    let found = improving_pairs(&sol.duals, [(1u32, 1u32), (0, 1)], |i, j| match (i, j) {
        (1, 1) => Some(-5),
        (0, 1) => Some(-5),
        _ => None,
    });
    // Both help: (1, 1) covers mentee 1 directly, and (0, 1) frees mentor 0 for mentee 1.
    assert_eq!(
        found,
        vec![
            Edge {
                mentee: 1,
                mentor: 1,
                score: -5
            },
            Edge {
                mentee: 0,
                mentor: 1,
                score: -5
            }
        ]
    );
    let found = improving_pairs(&sol.duals, [(0u32, 1u32)], |_, _| Some(-5));
    assert_eq!(found.len(), 1);
}

/// A dense 1:1 instance of `n` by `n` whose pair `(i, j)` scores `score(i, j)`.
fn dense_with(n: u32, score: impl Fn(u32, u32) -> i64) -> Problem {
    Problem {
        mentee_capacity: vec![1; n as usize],
        mentor_capacity: vec![1; n as usize],
        edges: (0..n)
            .flat_map(|i| (0..n).map(move |j| (i, j)))
            .map(|(i, j)| Edge {
                mentee: i,
                mentor: j,
                score: score(i, j),
            })
            .collect(),
    }
}

/// The same instance with its edges listed backwards: not grouped by mentee, so
/// it always takes the general path.
fn reversed(problem: &Problem) -> Problem {
    let mut p = problem.clone();
    p.edges.reverse();
    p
}

/// Pseudo-random scores in `0..=10_000` micro-units.
fn noise(i: u32, j: u32) -> i64 {
    i64::from((i.wrapping_mul(2_654_435_761) ^ j.wrapping_mul(40_503)) % 10_001)
}

#[test]
fn pruning_serves_dense_instances_with_varied_preferences() {
    let problem = dense_with(300, noise);
    let pruned = split::solve_pruned(&problem, &Constraints::default(), None)
        .expect("a dense instance with varied preferences is pruned")
        .unwrap();
    let general = solve(&reversed(&problem), &Constraints::default()).unwrap();
    assert_eq!(pruned.objective, general.objective);
    assert_eq!(pruned.objective.covered, 300);
}

#[test]
fn pruning_steps_aside_when_everyone_wants_the_same_mentors() {
    // A mentor-wide quality dominates: each mentee's best edges all lead to the
    // same few mentors, and pruned rounds would add back most of the graph.
    let problem = dense_with(300, |i, j| i64::from(j) * 1_000_000 + noise(i, j));
    fn rows(p: &Problem) -> impl Iterator<Item = impl Iterator<Item = (usize, i64)> + '_> {
        p.edges
            .chunks(300)
            .map(|row| row.iter().map(|e| (e.mentor as usize, e.score)))
    }
    assert!(split::price_spread(300, rows(&problem)));
    assert!(!split::price_spread(300, rows(&dense_with(300, noise))));
    assert!(split::solve_pruned(&problem, &Constraints::default(), None).is_none());
    let sol = solve(&problem, &Constraints::default()).unwrap();
    let general = solve(&reversed(&problem), &Constraints::default()).unwrap();
    assert_eq!(sol.objective, general.objective);
}

#[test]
fn pruning_gives_up_when_the_first_round_adds_back_much_of_the_graph() {
    // Every mentee's sixteen best edges go to the same sixteen mentors, but the
    // mentees' own offsets dominate the spread, so no mentor-wide price shows
    // beforehand. The first round covers sixteen mentees; the others' pruned edges
    // all improve on it.
    let problem = dense_with(300, |i, j| {
        i64::from(i) * 1_000_000 + if j < 16 { 100_000 } else { 0 } + noise(i, j)
    });
    assert!(split::solve_pruned(&problem, &Constraints::default(), None).is_none());
    let sol = solve(&problem, &Constraints::default()).unwrap();
    let general = solve(&reversed(&problem), &Constraints::default()).unwrap();
    assert_eq!(sol.objective, general.objective);
    assert_eq!(sol.objective.covered, 300);
}

#[test]
fn the_first_bad_edge_is_reported_in_a_large_instance() {
    // Many mentees, two duplicates and two edges out of range far apart: the
    // lowest mentee's duplicate and the first bad edge are the ones reported.
    let n = 40_000u32;
    let mut edges: Vec<Edge> = (0..n)
        .flat_map(|i| {
            (0..3).map(move |k| Edge {
                mentee: i,
                mentor: (i + k) % 50,
                score: i64::from(k),
            })
        })
        .collect();
    let problem = |edges: Vec<Edge>| Problem {
        mentee_capacity: vec![1; n as usize],
        mentor_capacity: vec![1; 50],
        edges,
    };
    let mut dup = edges.clone();
    dup[3 * 35_000 + 2].mentor = dup[3 * 35_000].mentor;
    dup[3 * 20_000 + 1].mentor = dup[3 * 20_000].mentor;
    assert!(matches!(
        solve(&problem(dup), &Constraints::default()),
        Err(AssignError::DuplicatePair {
            first: 60_000,
            second: 60_001,
            mentee: 20_000,
            ..
        })
    ));
    edges[110_000].mentor = 50;
    edges[70_000].mentee = n;
    assert!(matches!(
        solve(&problem(edges), &Constraints::default()),
        Err(AssignError::OutOfRange { edge: 70_000, .. })
    ));
}
