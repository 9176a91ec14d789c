//! Profiles to explained matches, end to end.
//!
//! 1. **Features**: [`Model::build`] (interning, TF-IDF, reference-week availability).
//! 2. **Candidates**: [`Scanner::generate`], the top-K eligible mentors per mentee.
//! 3. **Solve**: [`crate::assign::solve`], coverage first, then pairs, then score;
//!    pinned pairs are placed first.
//! 4. **Lossless re-check**: the solver's dual prices give every pruned pair a
//!    reduced gain; [`Scanner::improving`] finds every eligible pair with a positive
//!    one, they are added, and the graph is solved again until none is left (usually
//!    one round). The answer is then optimal over *all* eligible pairs, not just the
//!    top-K.
//! 5. **Explanations** for every match, and the **unmatched report**: a reason for each
//!    unmatched mentee (the constraints that bind when no mentor is eligible, or the
//!    blocking group when every eligible mentor is full), the blocking groups found
//!    by alternating search from the uncovered mentees (a Hall violator: a set of
//!    mentees whose eligible mentors have fewer slots than they need), and the
//!    smallest fix: mentor slots to add, described by language, level, time zone and
//!    skills, one slot per uncovered mentee.
//!
//! # Complexity
//! Candidates and the re-check run in parallel (see [`crate::candidates`]); the solver's
//! bound is in [`crate::assign`]; explanations are `O(matches)`. Memory is dominated by
//! the candidate graph: 16 bytes per edge here and about 24 in the solver.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::assign::{self, AssignError, Lex, Objective, Problem, Solution};
use crate::candidates::{CandidateGraph, Edge, Scanner, NO_PRUNED};
use crate::constraints::{PinRefused, Rule, Rules};
use crate::profile::{Level, Profile, Skill, Strength};
use crate::reasons;
use crate::score::{Audience, Explanation, Model, ModelError};
use crate::settings::{SeniorityRule, Settings};

/// What to compute besides the matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Explain every match for this audience (`None`: no explanations).
    pub explain: Option<Audience>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            explain: Some(Audience::Manager),
        }
    }
}

/// A chosen pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Mentee index.
    pub mentee: u32,
    /// Mentor index.
    pub mentor: u32,
    /// Score in micro-units.
    pub score: i64,
    /// Placed because a manager pinned it.
    pub pinned: bool,
    /// The explanation, when asked for.
    pub explanation: Option<Explanation>,
}

/// Why a mentee is unmatched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnmatchedKind {
    /// No mentor passes the hard constraints.
    NoEligibleMentor,
    /// Every eligible mentor is at capacity.
    MentorsFull,
}

/// An unmatched mentee with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatched {
    /// Mentee index.
    pub mentee: u32,
    /// Which kind of reason.
    pub kind: UnmatchedKind,
    /// A sentence for the programme manager.
    pub reason: String,
    /// Index into [`Outcome::groups`] for capacity-blocked mentees.
    pub group: Option<usize>,
}

/// A set of mentees whose eligible mentors have fewer slots than they need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockedGroup {
    /// By attributes, for example "portuguese speakers at Team Leader level: 40 mentees, 12 slots".
    pub description: String,
    /// Mentees in the group (matched and not).
    pub mentees: Vec<u32>,
    /// Mentors they can use.
    pub mentors: Vec<u32>,
    /// Total capacity of those mentors.
    pub slots: u64,
    /// Mentees left uncovered.
    pub uncovered: u32,
}

/// Extra mentor slots that would cover a set of unmatched mentees.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    /// Slots to add (one per mentee covered; fewer cannot cover them all).
    pub slots: u32,
    /// A mentor profile that is eligible for every mentee listed; its
    /// `capacity` equals `slots`.
    pub mentor: Profile,
    /// The mentees it covers.
    pub mentees: Vec<u32>,
    /// The suggestion in words.
    pub sentence: String,
}

/// Time spent in each phase.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    /// Features and rules.
    pub features: Duration,
    /// Candidate generation.
    pub candidates: Duration,
    /// All solves.
    pub solve: Duration,
    /// All re-check scans.
    pub recheck: Duration,
    /// Explanations and the unmatched report.
    pub report: Duration,
}

/// Everything a run produces.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The features (ids, interned names, settings) the indices refer to.
    pub model: Model,
    /// The rules applied.
    pub rules: Rules,
    /// Chosen pairs, by mentee then mentor.
    pub matches: Vec<Match>,
    /// Unmatched mentees with reasons (mentees with capacity 0 are not listed).
    pub unmatched: Vec<Unmatched>,
    /// Capacity-blocked groups.
    pub groups: Vec<BlockedGroup>,
    /// The smallest fix: mentor slots to add.
    pub fixes: Vec<Fix>,
    /// Coverage, pairs and total score.
    pub objective: Objective,
    /// Solves run (1 + re-check rounds that found something).
    pub solves: u32,
    /// Pruned pairs added back by the re-check.
    pub readded: u64,
    /// Edges in the final candidate graph.
    pub edges: u64,
    /// True when the last re-check found nothing, so the answer is optimal
    /// over all eligible pairs (false only if `max_recheck_rounds` ran out).
    pub certified: bool,
    /// Time per phase.
    pub timings: Timings,
}

/// A run that cannot complete.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// Bad profiles or settings.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A pinned pair breaks a hard rule.
    #[error(transparent)]
    Pin(#[from] PinRefused),
    /// Pinned pairs exceed a capacity.
    #[error("pinned pair {mentee} / {mentor} refused: {reason}")]
    PinCapacity {
        /// Mentee id.
        mentee: String,
        /// Mentor id.
        mentor: String,
        /// Why.
        reason: String,
    },
    /// The solver refused the instance (a bug if it happens).
    #[error(transparent)]
    Assign(#[from] AssignError),
}

/// Reduced-gain margin (micro-units) of the re-check scan: pairs within it of
/// improving are added with the improving ones (see [`run`]).
const RECHECK_MARGIN: i128 = 2 * crate::fixed::SCALE as i128;

fn edge_index(graph: &CandidateGraph, i: u32, j: u32) -> Option<usize> {
    let row = graph.row(i as usize);
    row.binary_search_by_key(&j, |e| e.mentor)
        .ok()
        .map(|k| graph.offsets[i as usize] + k)
}

/// Runs the whole pipeline.
pub fn run(
    mentees: &[Profile],
    mentors: &[Profile],
    settings: &Settings,
    options: &Options,
) -> Result<Outcome, PipelineError> {
    let t0 = Instant::now();
    let model = Model::build(mentees, mentors, settings)?;
    let rules = Rules::build(&model);
    let pins = rules.pins(&model)?;
    let mut timings = Timings {
        features: t0.elapsed(),
        ..Timings::default()
    };

    let t = Instant::now();
    let scanner = Scanner::new(&model, &rules);
    let mut graph = scanner.generate(settings.top_k as usize);
    let missing: Vec<Edge> = pins
        .iter()
        .filter(|&&(i, j)| edge_index(&graph, i, j).is_none())
        .map(|&(i, j)| Edge {
            mentee: i,
            mentor: j,
            score: model.score(i as usize, j as usize),
        })
        .collect();
    graph.add(missing);
    timings.candidates = t.elapsed();

    let mentee_capacity: Vec<u32> = model.mentees.iter().map(|f| f.capacity).collect();
    let mentor_capacity: Vec<u32> = model.mentors.iter().map(|f| f.capacity).collect();
    // Mentees whose capacity pins use up are outside the certified problem.
    let mut pinned_load = vec![0u32; model.n_mentees()];
    for &(i, _) in &pins {
        pinned_load[i as usize] += 1;
    }
    let recheck: Vec<u32> = (0..model.n_mentees() as u32)
        .filter(|&i| pinned_load[i as usize] < mentee_capacity[i as usize])
        .collect();
    let unit = Lex {
        coverage: 0,
        pairs: 1,
        score: 0,
    }
    .pack();
    let mut solves = 0u32;
    let mut readded = 0u64;
    let mut certified = false;
    // After a re-check round, the next solve starts from the last answer.
    let mut previous: Option<(Vec<(u32, u32)>, assign::Duals)> = None;
    // What the last re-check proved per mentee: every eligible pair outside the
    // graph scores at most `known[i] + price[j]` (prices of that round), or None.
    let mut known: Vec<Option<i128>> = vec![None; model.n_mentees()];
    let mut last_price: Option<Vec<i128>> = None;
    // Mentees with no eligible mentor at all (an empty row that nothing was
    // pruned from) are unmatched whatever the solver does: their reasons, a scan
    // of every mentor's rules, are worked out on the core the solver's
    // searches leave idle.
    let hopeless: Vec<u32> = (0..model.n_mentees() as u32)
        .filter(|&i| {
            graph.row(i as usize).is_empty()
                && graph.pruned_bound[i as usize] == NO_PRUNED
                && model.mentees[i as usize].capacity > 0
        })
        .collect();
    let (reasons, solved) = rayon::join(
        || {
            hopeless
                .par_iter()
                .map(|&i| (i, no_eligible_reason(&model, &rules, i as usize)))
                .collect::<Vec<(u32, String)>>()
        },
        || -> Result<Solution, PipelineError> {
            loop {
                let t = Instant::now();
                let cons = assign::Constraints {
                    pinned: pins
                        .iter()
                        .filter_map(|&(i, j)| edge_index(&graph, i, j))
                        .collect(),
                    forbidden: Vec::new(),
                };
                // The solver takes the graph's edges as they are (80 MB at 100k ×
                // 20k), and gives them back: the solution's edge indices are
                // indices into `graph.edges`.
                let problem = Problem {
                    mentee_capacity: mentee_capacity.clone(),
                    mentor_capacity: mentor_capacity.clone(),
                    edges: std::mem::take(&mut graph.edges),
                };
                let solved = match &previous {
                    Some((pairs, duals)) => {
                        assign::solve_warm(&problem, &cons, &assign::WarmStart { pairs, duals })
                    }
                    None => assign::solve(&problem, &cons),
                };
                graph.edges = problem.edges;
                let solution = solved?;
                solves += 1;
                timings.solve += t.elapsed();
                if let Some(c) = solution.pin_conflicts.first() {
                    let e = graph.edges[c.edge];
                    return Err(PipelineError::PinCapacity {
                        mentee: model.mentee_ids[e.mentee as usize].clone(),
                        mentor: model.mentor_ids[e.mentor as usize].clone(),
                        reason: format!("{:?}", c.reason),
                    });
                }
                let t = Instant::now();
                let base: Vec<i128> = solution
                    .duals
                    .mentee
                    .iter()
                    .map(|u| u.pack() - unit)
                    .collect();
                let price: Vec<i128> = solution.duals.mentor.iter().map(|v| v.pack()).collect();
                // Scan with a margin: pairs that are nearly improving now tend to become
                // improving once the prices move, and each avoided re-check round saves a
                // whole solve. Only strictly improving pairs decide whether to solve again.
                let limit = settings.top_k as usize;
                let threshold = |i: usize| base[i] - RECHECK_MARGIN;
                // A mentee whose last proof still rules out an improving pair under the new
                // prices needs no scan: pairs outside the graph score at most known + old
                // price ≤ known + max_drop + new price (the largest fall of any price),
                // and that is not above base + new price. The scan's margin leaves room for
                // the small drops of a warm re-solve.
                let max_drop = last_price.as_ref().map_or(i128::MAX, |old| {
                    old.iter()
                        .zip(price.iter())
                        .map(|(o, n)| (o - n).max(0))
                        .max()
                        .unwrap_or(0)
                });
                let mut scan = Vec::with_capacity(recheck.len());
                for &i in &recheck {
                    match known[i as usize] {
                        Some(k) if max_drop != i128::MAX && k + max_drop <= base[i as usize] => {
                            known[i as usize] = Some(k + max_drop)
                        }
                        _ => scan.push(i),
                    }
                }
                let extra = scanner.improving(&graph, &scan, &threshold, &price, limit);
                let mut found = vec![0u32; model.n_mentees()];
                for e in &extra {
                    found[e.mentee as usize] += 1;
                }
                for &i in &scan {
                    // A mentee capped at `limit` pairs may have more above the threshold.
                    known[i as usize] =
                        (found[i as usize] < limit.max(1) as u32).then(|| threshold(i as usize));
                }
                last_price = Some(price.clone());
                let improving = extra.iter().any(|e| {
                    i128::from(e.score) > base[e.mentee as usize] + price[e.mentor as usize]
                });
                timings.recheck += t.elapsed();
                if !improving {
                    certified = true;
                    break Ok(solution);
                }
                if solves > settings.max_recheck_rounds {
                    break Ok(solution);
                }
                let pairs = solution
                    .chosen
                    .iter()
                    .map(|&k| (graph.edges[k].mentee, graph.edges[k].mentor))
                    .collect();
                previous = Some((pairs, solution.duals));
                readded += extra.len() as u64;
                graph.add(extra);
            }
        },
    );
    let solution = solved?;

    let t = Instant::now();
    let pinned_set: Vec<(u32, u32)> = {
        let mut v = pins.clone();
        v.sort_unstable();
        v
    };
    let mut matches: Vec<Match> = solution
        .chosen
        .par_iter()
        .map(|&k| {
            let e = graph.edges[k];
            Match {
                mentee: e.mentee,
                mentor: e.mentor,
                score: e.score,
                pinned: pinned_set.binary_search(&(e.mentee, e.mentor)).is_ok(),
                explanation: options
                    .explain
                    .map(|a| model.explain(e.mentee as usize, e.mentor as usize, a)),
            }
        })
        .collect();
    matches.sort_by_key(|m| (m.mentee, m.mentor));
    let (unmatched, groups, fixes) = unmatched_report(
        &model, &rules, &graph, &matches, mentees, settings, &reasons,
    );
    timings.report = t.elapsed();
    let edges = graph.edges.len() as u64;
    drop(scanner);
    Ok(Outcome {
        model,
        rules,
        matches,
        unmatched,
        groups,
        fixes,
        objective: solution.objective,
        solves,
        readded,
        edges,
        certified,
        timings,
    })
}

impl Outcome {
    /// Writes the matches as CSV: `mentee,mentor,score`, plus `explanation`
    /// when `explain` is set (matches without one get an empty cell).
    ///
    /// Rows are formatted in parallel, in runs of [`ROWS_PER_PART`] matches, and
    /// written in order once all are formatted: the text is held in memory
    /// meanwhile (69 MiB for 100k matches with explanations).
    pub fn write_matches<W: std::io::Write>(&self, w: W, explain: bool) -> std::io::Result<W> {
        self.write_matches_in(w, explain, ROWS_PER_PART)
    }

    /// [`Outcome::write_matches`] in parts of `rows` matches.
    fn write_matches_in<W: std::io::Write>(
        &self,
        w: W,
        explain: bool,
        rows: usize,
    ) -> std::io::Result<W> {
        let mut cols = vec!["mentee", "mentor", "score"];
        if explain {
            cols.push("explanation");
        }
        let mut w = crate::table::TableWriter::new(w, &cols)?.finish()?;
        let parts: Vec<std::io::Result<Vec<u8>>> = self
            .matches
            .par_chunks(rows.max(1))
            .map(|part| {
                let mut t = crate::table::TableWriter::rows_only(Vec::new());
                for m in part {
                    let score = crate::fixed::format_micros(i128::from(m.score));
                    let mentee = self.model.mentee_ids[m.mentee as usize].as_str();
                    let mentor = self.model.mentor_ids[m.mentor as usize].as_str();
                    if explain {
                        let x = m
                            .explanation
                            .as_ref()
                            .map(Explanation::render)
                            .unwrap_or_default();
                        t.row([mentee, mentor, score.as_str(), x.as_str()])?;
                    } else {
                        t.row([mentee, mentor, score.as_str()])?;
                    }
                }
                t.finish()
            })
            .collect();
        for part in parts {
            w.write_all(&part?)?;
        }
        Ok(w)
    }

    /// Writes the unmatched mentees as CSV: `mentee,reason`.
    pub fn write_unmatched<W: std::io::Write>(&self, w: W) -> std::io::Result<W> {
        let mut t = crate::table::TableWriter::new(w, &["mentee", "reason"])?;
        for u in &self.unmatched {
            t.row([
                self.model.mentee_ids[u.mentee as usize].as_str(),
                u.reason.as_str(),
            ])?;
        }
        t.finish()
    }
}

/// Matches per part of [`Outcome::write_matches`]: small enough that the parts
/// spread over every core, large enough that each is worth a task.
const ROWS_PER_PART: usize = 4096;

struct UnionFind(Vec<u32>);

impl UnionFind {
    fn find(&mut self, x: u32) -> u32 {
        let mut r = x;
        while self.0[r as usize] != r {
            r = self.0[r as usize];
        }
        let mut y = x;
        while self.0[y as usize] != r {
            let next = self.0[y as usize];
            self.0[y as usize] = r;
            y = next;
        }
        r
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb) as usize] = ra.min(rb);
        }
    }
}

fn most_common<T: Ord + Clone>(items: impl IntoIterator<Item = T>) -> Option<(T, usize)> {
    let mut counts: BTreeMap<T, usize> = BTreeMap::new();
    for x in items {
        *counts.entry(x).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
}

fn level_label(rank: u8) -> &'static str {
    Level::from_rank(rank).map_or("?", Level::label)
}

/// Describes a set of mentees by their shared language and level.
fn describe(model: &Model, mentees: &[u32]) -> String {
    let n = mentees.len();
    let lang = most_common(
        mentees
            .iter()
            .flat_map(|&i| model.mentees[i as usize].languages.iter().copied()),
    );
    let level = most_common(mentees.iter().map(|&i| model.mentees[i as usize].level));
    let mut s = String::new();
    if let Some((l, c)) = lang {
        s.push_str(if c == n { "" } else { "Mostly " });
        s.push_str(&reasons::language(model.languages.name(l)));
        s.push_str(" speakers");
    } else {
        s.push_str("Mentees");
    }
    if let Some((lv, c)) = level {
        s.push_str(if c == n { " at " } else { " mostly at " });
        s.push_str(level_label(lv));
        s.push_str(" level");
    }
    s
}

type Report = (Vec<Unmatched>, Vec<BlockedGroup>, Vec<Fix>);

/// Every unmatched mentee with its reason, the blocked groups and the fixes.
/// `no_eligible` holds the reasons already worked out during the solve, by
/// mentee, ascending; a mentee with an empty row not among them gets its
/// reason here.
fn unmatched_report(
    model: &Model,
    rules: &Rules,
    graph: &CandidateGraph,
    matches: &[Match],
    profiles: &[Profile],
    settings: &Settings,
    no_eligible: &[(u32, String)],
) -> Report {
    let n = model.n_mentees();
    let m = model.n_mentors();
    let mut load_e = vec![0u32; n];
    let mut mentees_of: Vec<Vec<u32>> = vec![Vec::new(); m];
    for x in matches {
        load_e[x.mentee as usize] += 1;
        mentees_of[x.mentor as usize].push(x.mentee);
    }
    let uncovered: Vec<u32> = (0..n as u32)
        .filter(|&i| load_e[i as usize] == 0 && model.mentees[i as usize].capacity > 0)
        .collect();

    // Capacity-blocked: alternating search from the uncovered mentees that have
    // candidates: mentee -> its candidate mentors -> their mentees.
    let mut uf = UnionFind((0..(n + m) as u32).collect());
    let mut seen_e = vec![false; n];
    let mut seen_r = vec![false; m];
    let mut queue: Vec<u32> = Vec::new();
    for &i in &uncovered {
        if !graph.row(i as usize).is_empty() {
            seen_e[i as usize] = true;
            queue.push(i);
        }
    }
    while let Some(i) = queue.pop() {
        for e in graph.row(i as usize) {
            let j = e.mentor;
            uf.union(i, n as u32 + j);
            if !seen_r[j as usize] {
                seen_r[j as usize] = true;
                for &k in &mentees_of[j as usize] {
                    uf.union(k, n as u32 + j);
                    if !seen_e[k as usize] {
                        seen_e[k as usize] = true;
                        queue.push(k);
                    }
                }
            }
        }
    }
    let mut comp: BTreeMap<u32, (Vec<u32>, Vec<u32>)> = BTreeMap::new();
    for i in 0..n as u32 {
        if seen_e[i as usize] {
            let r = uf.find(i);
            comp.entry(r).or_default().0.push(i);
        }
    }
    for j in 0..m as u32 {
        if seen_r[j as usize] {
            let r = uf.find(n as u32 + j);
            comp.entry(r).or_default().1.push(j);
        }
    }
    let mut group_of = vec![usize::MAX; n];
    let mut groups = Vec::new();
    for (_, (es, rs)) in comp {
        let slots: u64 = rs
            .iter()
            .map(|&j| u64::from(model.mentors[j as usize].capacity))
            .sum();
        let unc = es.iter().filter(|&&i| load_e[i as usize] == 0).count() as u32;
        let description = reasons::group(&describe(model, &es), es.len(), slots);
        for &i in &es {
            group_of[i as usize] = groups.len();
        }
        groups.push(BlockedGroup {
            description,
            mentees: es,
            mentors: rs,
            slots,
            uncovered: unc,
        });
    }

    let unmatched: Vec<Unmatched> = uncovered
        .par_iter()
        .map(|&i| {
            if graph.row(i as usize).is_empty() {
                // Worked out while solving when nothing was pruned from the row.
                let reason = match no_eligible.binary_search_by_key(&i, |(k, _)| *k) {
                    Ok(at) => no_eligible[at].1.clone(),
                    Err(_) => no_eligible_reason(model, rules, i as usize),
                };
                Unmatched {
                    mentee: i,
                    kind: UnmatchedKind::NoEligibleMentor,
                    reason,
                    group: None,
                }
            } else {
                let g = group_of[i as usize];
                let eligible = graph.row(i as usize).len();
                Unmatched {
                    mentee: i,
                    kind: UnmatchedKind::MentorsFull,
                    reason: reasons::mentors_full(
                        eligible,
                        groups.get(g).map_or("", |x| x.description.as_str()),
                    ),
                    group: (g != usize::MAX).then_some(g),
                }
            }
        })
        .collect();
    let fixes = suggest_fixes(model, &uncovered, profiles, settings);
    (unmatched, groups, fixes)
}

/// The binding constraints for a mentee no mentor is eligible for, in
/// sentences (see [`crate::reasons`]).
fn no_eligible_reason(model: &Model, rules: &Rules, i: usize) -> String {
    let m = model.n_mentors();
    if m == 0 {
        return reasons::NO_MENTORS.into();
    }
    let mut counts = [0usize; 16];
    let mut alone = [0usize; 16];
    for j in 0..m {
        let mask = rules.blocking(model, i, j);
        for r in Rule::ALL {
            if mask & (1 << r as u16) != 0 {
                counts[r as usize] += 1;
                if mask == 1 << r as u16 {
                    alone[r as usize] += 1;
                }
            }
        }
    }
    let e = &model.mentees[i];
    let languages: Vec<&str> = e
        .languages
        .iter()
        .map(|&l| model.languages.name(l))
        .collect();
    let who = reasons::Seeker {
        languages: &languages,
        level: e.level,
        years: e.years,
        zone: model.zones.name(e.zone),
    };
    let parts: Vec<String> = Rule::ALL
        .iter()
        .filter(|&&r| counts[r as usize] == m)
        .map(|&r| reasons::every_mentor_blocked(r, &who))
        .collect();
    let closest: Vec<(Rule, usize)> = Rule::ALL
        .iter()
        .filter(|&&r| alone[r as usize] > 0)
        .map(|&r| (r, alone[r as usize]))
        .collect();
    if parts.is_empty() {
        let mut v: Vec<(Rule, usize)> = Rule::ALL
            .iter()
            .map(|&r| (r, counts[r as usize]))
            .filter(|x| x.1 > 0)
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        return reasons::mixed_rules(m, &v, &closest);
    }
    let mut s = parts.join(" ");
    s.push_str(&reasons::closest_sentence(&closest));
    s
}

/// One mentor template per group of unmatched mentees that one kind of mentor
/// can serve: same first language, level, hard preferences and (when a
/// time-zone or availability rule applies) time zone.
fn suggest_fixes(
    model: &Model,
    uncovered: &[u32],
    profiles: &[Profile],
    settings: &Settings,
) -> Vec<Fix> {
    let tz_matters =
        settings.reach.max_time_zone_hours.is_some() || settings.reach.min_overlap_hours.is_some();
    type Key = (String, u8, String, String, String);
    let mut by_key: BTreeMap<Key, Vec<u32>> = BTreeMap::new();
    for &i in uncovered {
        let f = &model.mentees[i as usize];
        let p = &profiles[i as usize];
        let lang = f
            .languages
            .first()
            .map_or(String::new(), |&l| model.languages.name(l).to_string());
        let zone = if tz_matters {
            model.zones.name(f.zone).to_string()
        } else {
            String::new()
        };
        let hard = |s: Strength| model.enforce_hard && s == Strength::Hard;
        let gender = p
            .preferences
            .gender
            .as_ref()
            .filter(|g| hard(g.strength))
            .map_or(String::new(), |g| g.value.clone());
        let dept = p
            .preferences
            .department
            .as_ref()
            .filter(|d| hard(d.strength))
            .map_or(String::new(), |d| {
                format!("{:?}:{}", d.value, p.department.as_deref().unwrap_or(""))
            });
        by_key
            .entry((lang, f.level, zone, gender, dept))
            .or_default()
            .push(i);
    }
    let rule = settings.kind.seniority_rule();
    let n_years = settings.seniority.min_years_ahead;
    let mut fixes = Vec::new();
    for (k, ((lang, level, zone, gender, dept), members)) in by_key.into_iter().enumerate() {
        let ps: Vec<&Profile> = members.iter().map(|&i| &profiles[i as usize]).collect();
        let max_years = ps.iter().map(|p| p.years).max().unwrap_or(0);
        let min_years = ps.iter().map(|p| p.years).min().unwrap_or(0);
        let (mlevel, myears) = match rule {
            SeniorityRule::Ahead => match Level::from_rank(level + 1) {
                Some(l) => (l, max_years),
                None => (Level::LeaderOfLeaders, max_years + n_years),
            },
            SeniorityRule::Reverse => match level.checked_sub(1).and_then(Level::from_rank) {
                Some(l) => (l, min_years),
                None => (
                    Level::ProfessionalContributor,
                    min_years.saturating_sub(n_years),
                ),
            },
            SeniorityRule::Similar => (
                Level::from_rank(level).unwrap_or(Level::TeamLeader),
                (min_years + max_years) / 2,
            ),
        };
        let (mlevel, myears) =
            within_level_gap(settings, level, mlevel, myears, (min_years, max_years));
        let mut t = Profile::new(format!("suggested-mentor-{}", k + 1), mlevel);
        t.years = myears;
        t.capacity = members.len() as u32;
        if !lang.is_empty() {
            t.languages = vec![lang.clone()];
        }
        t.time_zone = if zone.is_empty() {
            most_common(ps.iter().map(|p| p.time_zone.clone())).map_or("UTC".into(), |x| x.0)
        } else {
            zone.clone()
        };
        let mut wanted: BTreeMap<String, u32> = BTreeMap::new();
        for p in &ps {
            for s in &p.skills_wanted {
                *wanted
                    .entry(crate::profile::normalise_name(&s.name))
                    .or_default() += u32::from(s.priority.max(1));
            }
        }
        let mut top: Vec<(String, u32)> = wanted.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut offered: Vec<String> = settings
            .seniority
            .reverse_skill_areas
            .iter()
            .take(usize::from(rule == SeniorityRule::Reverse))
            .cloned()
            .collect();
        offered.extend(top.iter().map(|x| x.0.clone()));
        t.skills_offered = offered
            .into_iter()
            .map(|name| Skill { name, priority: 3 })
            .collect();
        let mut goals: Vec<String> = ps.iter().flat_map(|p| p.goals.iter().cloned()).collect();
        goals.sort();
        goals.dedup();
        t.goals = goals;
        t.goals_text = ps
            .iter()
            .map(|p| p.goals_text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let mut windows = Vec::new();
        let mut seen = HashMap::new();
        for p in &ps {
            for w in &p.availability {
                if seen
                    .insert((w.day, w.start_minute, w.end_minute), ())
                    .is_none()
                {
                    windows.push(*w);
                }
            }
        }
        t.availability = windows;
        if !gender.is_empty() {
            t.gender = Some(gender.clone());
        }
        if !dept.is_empty() {
            let same = dept.starts_with("Same:");
            let own = dept.split_once(':').map_or("", |x| x.1);
            t.department = Some(if same {
                own.to_string()
            } else {
                format!("not {own}")
            });
        }
        let skills_text = top
            .iter()
            .take(3)
            .map(|x| x.0.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let sentence = fix_sentence(
            &describe(model, &members),
            members.len(),
            &lang,
            (
                mlevel,
                (rule == SeniorityRule::Ahead && mlevel.rank() == level).then_some(myears),
            ),
            &zone,
            &skills_text,
            &gender,
        );
        fixes.push(Fix {
            slots: members.len() as u32,
            mentor: t,
            mentees: members,
            sentence,
        });
    }
    fixes
}

/// "Add 3 mentor places for Hindi speakers at Team Leader level: mentors who
/// speak Hindi, at Senior Leader level, near Asia/Kolkata, offering delegation."
#[allow(clippy::too_many_arguments)]
fn fix_sentence(
    who: &str,
    slots: usize,
    lang: &str,
    (level, min_years): (Level, Option<u16>),
    zone: &str,
    skills: &str,
    gender: &str,
) -> String {
    let mut s = format!(
        "Add {} for {}: mentors who speak {}, at {} level",
        reasons::count(slots, "mentor place", "mentor places"),
        lowercase_first(who),
        if lang.is_empty() {
            "any language".to_string()
        } else {
            reasons::language(lang)
        },
        level.label()
    );
    if let Some(y) = min_years {
        s.push_str(&format!(
            " with at least {} of experience",
            reasons::years(y)
        ));
    }
    if !zone.is_empty() {
        s.push_str(&format!(", in or near {zone}"));
    }
    if !skills.is_empty() {
        s.push_str(&format!(", offering {skills}"));
    }
    if !gender.is_empty() {
        s.push_str(&format!(", who are {gender} (a firm preference)"));
    }
    s.push('.');
    s
}

/// "Mostly Hindi speakers" inside a sentence: "mostly Hindi speakers".
fn lowercase_first(s: &str) -> String {
    match s.strip_prefix("Mostly ") {
        Some(rest) => format!("mostly {rest}"),
        None => match s.strip_prefix("Mentees") {
            Some(rest) => format!("mentees{rest}"),
            None => s.to_string(),
        },
    }
}

/// The suggested mentor's level and years moved inside the level-gap limits
/// (`seniority.min_level_gap`, `seniority.max_level_gap`) when the seniority rule's
/// nearest level is outside them: to the allowed gap closest to it. At a gap of 0 the
/// years keep the seniority rule's margin. Unchanged when no level fits.
fn within_level_gap(
    settings: &Settings,
    level: u8,
    mlevel: Level,
    myears: u16,
    (min_years, max_years): (u16, u16),
) -> (Level, u16) {
    let rule = settings.kind.seniority_rule();
    let dir: i8 = if rule == SeniorityRule::Reverse {
        -1
    } else {
        1
    };
    let gap = dir * (mlevel.rank() as i8 - level as i8);
    let lo = settings.seniority.min_level_gap.unwrap_or(i8::MIN);
    let hi = settings.seniority.max_level_gap.unwrap_or(i8::MAX);
    if (lo..=hi).contains(&gap) {
        return (mlevel, myears);
    }
    let want = gap.clamp(lo, hi);
    let rank = level as i8 + dir * want;
    let Some(l) = u8::try_from(rank).ok().and_then(Level::from_rank) else {
        return (mlevel, myears);
    };
    let n = settings.seniority.min_years_ahead;
    let years = match (want, rule) {
        (0, SeniorityRule::Ahead) => max_years.saturating_add(n),
        (0, SeniorityRule::Reverse) => min_years.saturating_sub(n),
        _ => myears,
    };
    (l, years)
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
mod tests;
