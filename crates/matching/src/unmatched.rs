//! Why mentees are left unmatched, and the smallest fix, at the level of the pair graph.
//!
//! # Contract
//! Given a [`Problem`] and an optimal [`Solution`] from [`crate::assign::solve`], every
//! mentee left without a mentor gets a [`Reason`]:
//! - [`Reason::NoEligibleMentor`]: no candidate pair at all (the profile layer names
//!   the hard constraints that bind);
//! - [`Reason::AllEligibleMentorsFull`]: every candidate mentor is at capacity, and no
//!   chain of moves can free a slot without unmatching someone else;
//! - [`Reason::NoCapacity`]: the mentee's own capacity is 0.
//!
//! The second kind is grouped into [`BlockingGroup`]s: exact Hall violators. A group is
//! a set `S` of mentees whose combined mentor neighbourhood `N(S)` has total capacity
//! `|S| − d`, where `d` (the deficiency) is the number of its mentees left unmatched.
//! Every group needs exactly `d` more slots among `N(S)`: fewer cannot cover everyone
//! (Hall's theorem), and [`suggest_slots`] finds a placement of `d` slots that does.
//!
//! The groups are the connected pieces of the min cut of the coverage flow: the
//! mentees reachable from unmatched mentees by alternating paths (any candidate pair
//! to a mentor, then a chosen pair back to a mentee), with the mentors they reach.
//!
//! # Complexity
//! [`analyse`]: `O(E + V)` (one alternating search and a union-find).
//! [`suggest_slots`]: `O(d · (E_S + V_S))` for a group with `E_S` pairs.

// Index loops over parallel per-node arrays read more clearly than zipped iterators.
#![allow(clippy::needless_range_loop)]

use std::collections::VecDeque;

use crate::assign::{Problem, Solution};

/// Why one mentee is unmatched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// No candidate pair exists for the mentee.
    NoEligibleMentor,
    /// Every candidate mentor is full, and no chain of moves frees a slot.
    AllEligibleMentorsFull,
    /// The mentee's own capacity is 0.
    NoCapacity,
}

impl Reason {
    /// A sentence a person understands.
    pub fn describe(self) -> &'static str {
        match self {
            Reason::NoEligibleMentor => "no eligible mentor",
            Reason::AllEligibleMentorsFull => "every eligible mentor is at capacity",
            Reason::NoCapacity => "mentee capacity is 0",
        }
    }
}

/// One unmatched mentee.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnmatchedMentee {
    /// Mentee index.
    pub mentee: u32,
    /// Why.
    pub reason: Reason,
    /// Index into [`Report::groups`] for [`Reason::AllEligibleMentorsFull`].
    pub group: Option<u32>,
}

/// A Hall violator: mentees `S` whose mentors `N(S)` lack `deficiency` slots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockingGroup {
    /// All mentees of `S` (matched and unmatched), ascending.
    pub mentees: Vec<u32>,
    /// The unmatched mentees of `S`, ascending.
    pub unmatched: Vec<u32>,
    /// `N(S)`, ascending.
    pub mentors: Vec<u32>,
    /// Total capacity of `N(S)`.
    pub capacity: u64,
    /// Extra slots needed: `|S| − capacity`, the number of unmatched mentees in `S`.
    pub deficiency: u64,
}

/// The unmatched report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Every unmatched mentee, ascending by index.
    pub mentees: Vec<UnmatchedMentee>,
    /// How many have no candidate pair.
    pub no_edges: u64,
    /// How many have only full mentors.
    pub all_full: u64,
    /// Blocking groups, largest deficiency first.
    pub groups: Vec<BlockingGroup>,
}

/// Mentee-major and mentor-major views of the pairs and of the chosen pairs.
struct Views {
    mentee_edges: Vec<Vec<u32>>,
    mentor_chosen: Vec<Vec<u32>>,
    units: Vec<u32>,
}

fn views(problem: &Problem, solution: &Solution) -> Views {
    let n = problem.mentee_capacity.len();
    let m = problem.mentor_capacity.len();
    let mut mentee_edges = vec![Vec::new(); n];
    for (idx, e) in problem.edges.iter().enumerate() {
        mentee_edges[e.mentee as usize].push(idx as u32);
    }
    let mut mentor_chosen = vec![Vec::new(); m];
    let mut units = vec![0u32; n];
    for &c in &solution.chosen {
        let e = problem.edges[c];
        mentor_chosen[e.mentor as usize].push(e.mentee);
        units[e.mentee as usize] += 1;
    }
    Views {
        mentee_edges,
        mentor_chosen,
        units,
    }
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let p = parent[x as usize];
        parent[x as usize] = parent[p as usize];
        x = p;
    }
    x
}

fn union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb) as usize] = ra.min(rb);
    }
}

/// Explains every unmatched mentee of an optimal `solution` (see the module docs).
pub fn analyse(problem: &Problem, solution: &Solution) -> Report {
    let n = problem.mentee_capacity.len();
    let m = problem.mentor_capacity.len();
    let v = views(problem, solution);
    // Nodes: mentees 0..n, mentors n..n+m.
    let mut parent: Vec<u32> = (0..(n + m) as u32).collect();
    let mut seen = vec![false; n + m];
    let mut queue = VecDeque::new();
    let mut report = Report::default();
    for i in 0..n {
        if v.units[i] > 0 {
            continue;
        }
        if problem.mentee_capacity[i] == 0 {
            report.mentees.push(UnmatchedMentee {
                mentee: i as u32,
                reason: Reason::NoCapacity,
                group: None,
            });
        } else if v.mentee_edges[i].is_empty() {
            report.no_edges += 1;
            report.mentees.push(UnmatchedMentee {
                mentee: i as u32,
                reason: Reason::NoEligibleMentor,
                group: None,
            });
        } else {
            report.all_full += 1;
            report.mentees.push(UnmatchedMentee {
                mentee: i as u32,
                reason: Reason::AllEligibleMentorsFull,
                group: None,
            });
            seen[i] = true;
            queue.push_back(i as u32);
        }
    }
    // Alternating search from all blocked mentees at once.
    while let Some(x) = queue.pop_front() {
        let x = x as usize;
        if x < n {
            for &idx in &v.mentee_edges[x] {
                let j = n + problem.edges[idx as usize].mentor as usize;
                union(&mut parent, x as u32, j as u32);
                if !seen[j] {
                    seen[j] = true;
                    queue.push_back(j as u32);
                }
            }
        } else {
            for &i in &v.mentor_chosen[x - n] {
                union(&mut parent, x as u32, i);
                if !seen[i as usize] {
                    seen[i as usize] = true;
                    queue.push_back(i);
                }
            }
        }
    }
    let mut group_of_root: std::collections::HashMap<u32, usize> = Default::default();
    let mut groups: Vec<BlockingGroup> = Vec::new();
    for node in 0..(n + m) {
        if !seen[node] {
            continue;
        }
        let root = find(&mut parent, node as u32);
        let g = *group_of_root.entry(root).or_insert_with(|| {
            groups.push(BlockingGroup {
                mentees: Vec::new(),
                unmatched: Vec::new(),
                mentors: Vec::new(),
                capacity: 0,
                deficiency: 0,
            });
            groups.len() - 1
        });
        let group = &mut groups[g];
        if node < n {
            group.mentees.push(node as u32);
            if v.units[node] == 0 {
                group.unmatched.push(node as u32);
                group.deficiency += 1;
            }
        } else {
            group.mentors.push((node - n) as u32);
            group.capacity += u64::from(problem.mentor_capacity[node - n]);
        }
    }
    // Largest deficiency first; stable on the smallest mentee index.
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&g| {
        (
            std::cmp::Reverse(groups[g].deficiency),
            groups[g].mentees[0],
        )
    });
    let mut new_index = vec![0u32; groups.len()];
    for (k, &g) in order.iter().enumerate() {
        new_index[g] = k as u32;
    }
    for item in &mut report.mentees {
        if item.reason == Reason::AllEligibleMentorsFull {
            let root = find(&mut parent, item.mentee);
            item.group = Some(new_index[group_of_root[&root]]);
        }
    }
    let mut slots: Vec<Option<BlockingGroup>> = groups.into_iter().map(Some).collect();
    report.groups = order.iter().filter_map(|&g| slots[g].take()).collect();
    report
}

/// A placement of `group.deficiency` extra slots among `N(S)` that covers every
/// unmatched mentee of the group: `(mentor, extra slots)`, ascending by mentor.
///
/// Slots are concentrated on as few mentors as the alternating paths allow: each
/// unmatched mentee uses an already suggested mentor when one is reachable.
pub fn suggest_slots(
    problem: &Problem,
    solution: &Solution,
    group: &BlockingGroup,
) -> Vec<(u32, u32)> {
    let n = problem.mentee_capacity.len();
    let m = problem.mentor_capacity.len();
    let v = views(problem, solution);
    // Working assignment inside the group: mentor -> mentees, mentee -> mentor.
    let mut held: Vec<Vec<u32>> = v.mentor_chosen.clone();
    let mut mentor_of: Vec<Option<u32>> = vec![None; n];
    for (j, list) in held.iter().enumerate() {
        for &i in list {
            mentor_of[i as usize] = Some(j as u32);
        }
    }
    let mut extra = vec![0u32; m];
    let mut pred_mentor: Vec<u32> = vec![u32::MAX; n]; // mentee reached from mentor
    let mut pred_mentee: Vec<u32> = vec![u32::MAX; m]; // mentor reached from mentee
    let mut seen_mentee = vec![u32::MAX; n];
    let mut seen_mentor = vec![u32::MAX; m];
    for (round, &x) in group.unmatched.iter().enumerate() {
        let round = round as u32;
        let mut queue = VecDeque::new();
        let mut reached_mentors = Vec::new();
        seen_mentee[x as usize] = round;
        queue.push_back(x);
        while let Some(i) = queue.pop_front() {
            for &idx in &v.mentee_edges[i as usize] {
                let j = problem.edges[idx as usize].mentor;
                if seen_mentor[j as usize] == round || mentor_of[i as usize] == Some(j) {
                    continue;
                }
                seen_mentor[j as usize] = round;
                pred_mentee[j as usize] = i;
                reached_mentors.push(j);
                for &i2 in &held[j as usize] {
                    if seen_mentee[i2 as usize] != round {
                        seen_mentee[i2 as usize] = round;
                        pred_mentor[i2 as usize] = j;
                        queue.push_back(i2);
                    }
                }
            }
        }
        // Prefer a mentor that already has suggested slots; otherwise the nearest.
        let Some(&target) = reached_mentors
            .iter()
            .find(|&&j| extra[j as usize] > 0)
            .or(reached_mentors.first())
        else {
            continue;
        };
        extra[target as usize] += 1;
        // Augment: walk back from the target mentor to x.
        let mut j = target;
        loop {
            let i = pred_mentee[j as usize];
            if let Some(old) = mentor_of[i as usize] {
                let list = &mut held[old as usize];
                if let Some(p) = list.iter().position(|&h| h == i) {
                    list.swap_remove(p);
                }
            }
            let previous = mentor_of[i as usize];
            mentor_of[i as usize] = Some(j);
            held[j as usize].push(i);
            if i == x {
                break;
            }
            j = previous.unwrap_or(u32::MAX);
            if j == u32::MAX {
                break;
            }
        }
    }
    (0..m as u32)
        .filter(|&j| extra[j as usize] > 0)
        .map(|j| (j, extra[j as usize]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assign::tests::small_problem;
    use crate::assign::{solve, Constraints, Edge};
    use proptest::prelude::*;

    fn single_unit(mut p: Problem) -> Problem {
        for a in &mut p.mentee_capacity {
            *a = 1;
        }
        p
    }

    #[test]
    fn reasons_and_group() {
        // Mentees 0, 1, 2 all want mentor 0 (capacity 1); mentee 3 has no candidate.
        let problem = Problem {
            mentee_capacity: vec![1, 1, 1, 1],
            mentor_capacity: vec![1, 5],
            edges: vec![
                Edge {
                    mentee: 0,
                    mentor: 0,
                    score: 3,
                },
                Edge {
                    mentee: 1,
                    mentor: 0,
                    score: 2,
                },
                Edge {
                    mentee: 2,
                    mentor: 0,
                    score: 1,
                },
            ],
        };
        let sol = solve(&problem, &Constraints::default()).unwrap();
        let report = analyse(&problem, &sol);
        assert_eq!(report.no_edges, 1);
        assert_eq!(report.all_full, 2);
        assert_eq!(report.groups.len(), 1);
        let g = &report.groups[0];
        assert_eq!(
            (g.mentees.clone(), g.mentors.clone()),
            (vec![0, 1, 2], vec![0])
        );
        assert_eq!((g.capacity, g.deficiency), (1, 2));
        assert_eq!(suggest_slots(&problem, &sol, g), vec![(0, 2)]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Adding the suggested slots covers the whole group; removing any one leaves
        /// someone uncovered; and each group is a Hall violator with that deficiency.
        #[test]
        fn suggested_slots_are_sufficient_and_minimal(problem in small_problem()) {
            let problem = single_unit(problem);
            let sol = solve(&problem, &Constraints::default()).unwrap();
            let report = analyse(&problem, &sol);
            let unmatched = problem.mentee_capacity.len() as u64 - sol.objective.covered;
            prop_assert_eq!(unmatched, report.mentees.len() as u64);
            for g in &report.groups {
                prop_assert_eq!(g.mentees.len() as u64 - g.capacity, g.deficiency);
                let plan = suggest_slots(&problem, &sol, g);
                let total: u32 = plan.iter().map(|p| p.1).sum();
                prop_assert_eq!(u64::from(total), g.deficiency);
                let mut bigger = problem.clone();
                for &(j, k) in &plan {
                    prop_assert!(g.mentors.contains(&j));
                    bigger.mentor_capacity[j as usize] += k;
                }
                let after = solve(&bigger, &Constraints::default()).unwrap();
                prop_assert_eq!(after.objective.covered, sol.objective.covered + g.deficiency);
                let covered: Vec<bool> = {
                    let mut c = vec![false; problem.mentee_capacity.len()];
                    for &e in &after.chosen { c[problem.edges[e].mentee as usize] = true; }
                    c
                };
                for &i in &g.mentees {
                    prop_assert!(covered[i as usize], "mentee {} still uncovered", i);
                }
                for &(j, _) in &plan {
                    let mut less = bigger.clone();
                    less.mentor_capacity[j as usize] -= 1;
                    let fewer = solve(&less, &Constraints::default()).unwrap();
                    prop_assert!(fewer.objective.covered < after.objective.covered);
                }
            }
        }
    }
}
