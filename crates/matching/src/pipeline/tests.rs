use super::*;
use crate::profile::{Level, Profile, Skill};
use crate::score::tests::person;
use crate::settings::{PairIds, Settings};
use crate::synthetic;
use proptest::prelude::*;

/// The exact optimum over every eligible pair (dense graph).
fn dense_objective(mentees: &[Profile], mentors: &[Profile], s: &Settings) -> Objective {
    let model = Model::build(mentees, mentors, s).unwrap();
    let rules = Rules::build(&model);
    let scanner = Scanner::new(&model, &rules);
    let mut edges = Vec::new();
    for i in 0..model.n_mentees() {
        for e in scanner.all_eligible(i) {
            edges.push(assign::Edge {
                mentee: e.mentee,
                mentor: e.mentor,
                score: e.score,
            });
        }
    }
    let problem = Problem {
        mentee_capacity: model.mentees.iter().map(|f| f.capacity).collect(),
        mentor_capacity: model.mentors.iter().map(|f| f.capacity).collect(),
        edges,
    };
    assign::solve(&problem, &assign::Constraints::default())
        .unwrap()
        .objective
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn lossless_pruning_equals_the_dense_optimum(
        seed in 0u64..100_000,
        k in 1u32..4,
        slots in 0.3f64..2.0,
        floor in 0u32..30,
        max_gap in prop::option::of(0i8..=2),
        min_gap in prop::option::of(0i8..=1),
    ) {
        let (e, r) = synthetic::population(seed, 60, 14, slots);
        let mut s = Settings::default();
        s.top_k = k;
        s.quality_floor = f64::from(floor);
        s.seniority.max_level_gap = max_gap;
        s.seniority.min_level_gap = match (min_gap, max_gap) {
            (Some(lo), Some(hi)) => Some(lo.min(hi)),
            (lo, _) => lo,
        };
        let out = run(&e, &r, &s, &Options::default()).unwrap();
        prop_assert!(out.certified);
        prop_assert_eq!(out.objective, dense_objective(&e, &r, &s));
        // Explanations add up to each match's score.
        for m in &out.matches {
            let x = m.explanation.as_ref().unwrap();
            prop_assert_eq!(x.score, m.score);
            prop_assert_eq!(x.items.iter().map(|i| i.points).sum::<i64>() + x.unstated, m.score);
        }
        prop_assert_eq!(
            out.unmatched.len() as u64,
            out.model.n_mentees() as u64 - out.objective.covered
        );
    }
}

fn speaker(id: &str, lang: &str, level: Level, years: u16) -> Profile {
    let mut p = person(id, level, years);
    p.languages = vec![lang.into()];
    p.skills_wanted = vec![Skill {
        name: "negotiation".into(),
        priority: 3,
    }];
    p
}

#[test]
fn unmatched_reasons_and_the_suggested_fix_covers_them() {
    let mut mentees = Vec::new();
    // Five Team Leaders who speak only Portuguese compete for one slot.
    for i in 0..5 {
        mentees.push(speaker(
            &format!("pt{i}"),
            "Portuguese",
            Level::TeamLeader,
            5,
        ));
    }
    // Two Japanese speakers nobody can mentor.
    for i in 0..2 {
        mentees.push(speaker(
            &format!("jp{i}"),
            "Japanese",
            Level::ProfessionalContributor,
            2,
        ));
    }
    // English speakers with plenty of room.
    for i in 0..4 {
        mentees.push(speaker(
            &format!("en{i}"),
            "English",
            Level::ProfessionalContributor,
            1,
        ));
    }
    let mut mentors = vec![speaker("m-pt", "Portuguese", Level::LeaderOfLeaders, 20)];
    mentors[0].capacity = 1;
    let mut en = speaker("m-en", "English", Level::TeamLeader, 10);
    en.capacity = 10;
    mentors.push(en);
    let s = Settings::default();
    let out = run(&mentees, &mentors, &s, &Options::default()).unwrap();
    assert_eq!(out.objective.covered, 5);
    assert_eq!(out.unmatched.len(), 6);
    let jp: Vec<&Unmatched> = out
        .unmatched
        .iter()
        .filter(|u| out.model.mentee_ids[u.mentee as usize].starts_with("jp"))
        .collect();
    assert_eq!(jp.len(), 2);
    for u in &jp {
        assert_eq!(u.kind, UnmatchedKind::NoEligibleMentor);
        assert!(
            u.reason.contains("No mentor speaks Japanese"),
            "{}",
            u.reason
        );
    }
    assert_eq!(out.groups.len(), 1, "{:?}", out.groups);
    assert_eq!(
        out.groups[0].description,
        "Portuguese speakers at Team Leader level: 5 mentees compete for 1 place."
    );
    assert_eq!(out.groups[0].uncovered, 4);
    let total: u32 = out.fixes.iter().map(|f| f.slots).sum();
    assert_eq!(total, 6);
    assert!(out.fixes.iter().any(|f| f.sentence.contains("Portuguese")));

    // Add the suggested mentors: everyone is covered.
    let mut more = mentors.clone();
    more.extend(out.fixes.iter().map(|f| f.mentor.clone()));
    let again = run(&mentees, &more, &s, &Options::default()).unwrap();
    assert_eq!(again.objective.covered, mentees.len() as u64);
    assert!(again.unmatched.is_empty());

    // Minimal: one slot fewer in any suggestion leaves someone uncovered.
    for k in 0..out.fixes.len() {
        let mut fewer = mentors.clone();
        for (x, f) in out.fixes.iter().enumerate() {
            let mut t = f.mentor.clone();
            if x == k {
                t.capacity -= 1;
            }
            fewer.push(t);
        }
        let r = run(&mentees, &fewer, &s, &Options::default()).unwrap();
        assert_eq!(r.objective.covered, mentees.len() as u64 - 1);
    }
}

#[test]
fn fixes_cover_a_synthetic_population() {
    let (e, r) = synthetic::population(11, 300, 30, 0.6);
    let mut s = Settings::default();
    s.reach.max_time_zone_hours = Some(5.0);
    s.quality_floor = 15.0;
    let out = run(&e, &r, &s, &Options::default()).unwrap();
    assert!(!out.unmatched.is_empty());
    let mut more = r.clone();
    more.extend(out.fixes.iter().map(|f| f.mentor.clone()));
    let again = run(&e, &more, &s, &Options::default()).unwrap();
    assert_eq!(
        again.objective.covered,
        e.len() as u64,
        "{:?}",
        again.unmatched.first()
    );
}

#[test]
fn pins_are_placed_and_marked() {
    let (e, r) = synthetic::population(5, 40, 10, 1.0);
    let mut s = Settings::default();
    let model = Model::build(&e, &r, &s).unwrap();
    let rules = Rules::build(&model);
    // Pin some eligible pair that is not the mentee's best.
    let scanner = Scanner::new(&model, &rules);
    let (i, j) = (0..model.n_mentees())
        .find_map(|i| {
            let mut all = scanner.all_eligible(i);
            all.sort_by_key(|x| x.score);
            (all.len() > 1).then(|| (i, all[0].mentor as usize))
        })
        .unwrap();
    s.pinned.push(PairIds {
        mentee: e[i].id.clone(),
        mentor: r[j].id.clone(),
    });
    let out = run(&e, &r, &s, &Options::default()).unwrap();
    let m = out.matches.iter().find(|m| m.mentee as usize == i).unwrap();
    assert_eq!(m.mentor as usize, j);
    assert!(m.pinned);
}

#[test]
fn matches_csv_is_the_same_whatever_the_parts() {
    let (e, r) = synthetic::population(9, 120, 30, 1.0);
    let out = run(
        &e,
        &r,
        &Settings::default(),
        &Options {
            explain: Some(crate::score::Audience::Manager),
        },
    )
    .unwrap();
    assert!(out.matches.len() > 50);
    for explain in [false, true] {
        let whole = out
            .write_matches_in(Vec::new(), explain, usize::MAX)
            .unwrap();
        let parts = out.write_matches_in(Vec::new(), explain, 7).unwrap();
        assert_eq!(
            String::from_utf8(parts).unwrap(),
            String::from_utf8(whole.clone()).unwrap()
        );
        let text = String::from_utf8(whole).unwrap();
        let mut rd = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = rd.headers().unwrap().iter().map(str::to_string).collect();
        assert_eq!(header.len(), if explain { 4 } else { 3 });
        let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), out.matches.len());
        for (row, m) in rows.iter().zip(&out.matches) {
            assert_eq!(&row[0], out.model.mentee_ids[m.mentee as usize]);
            assert_eq!(&row[1], out.model.mentor_ids[m.mentor as usize]);
            if explain {
                assert!(!row[3].is_empty());
            }
        }
    }
}

/// A contributor whose only mentors sit two levels up, in a programme that allows
/// at most one: never paired, and the unmatched reason names the level gap. The
/// suggested mentor is one level up, and covers them.
#[test]
fn the_level_gap_limit_is_a_hard_rule_with_its_reason() {
    let e = speaker("e", "English", Level::ProfessionalContributor, 2);
    let tl = speaker("tl", "English", Level::TeamLeader, 8);
    let lol = speaker("lol", "English", Level::LeaderOfLeaders, 20);
    let mut s = Settings::default();
    s.seniority.max_level_gap = Some(1);
    // Without the limit the leader of leaders is eligible, so it is the limit that
    // keeps them apart below.
    let free = run(
        std::slice::from_ref(&e),
        std::slice::from_ref(&lol),
        &Settings::default(),
        &Options::default(),
    )
    .unwrap();
    assert_eq!(free.objective.covered, 1);
    let out = run(
        std::slice::from_ref(&e),
        std::slice::from_ref(&lol),
        &s,
        &Options::default(),
    )
    .unwrap();
    assert!(out.matches.is_empty());
    assert_eq!(out.unmatched.len(), 1);
    let u = &out.unmatched[0];
    assert_eq!(u.kind, UnmatchedKind::NoEligibleMentor);
    assert!(
        u.reason
            .contains("No mentor is within the programme's allowed level difference")
            && crate::reasons::internal_word(&u.reason).is_none(),
        "{}",
        u.reason
    );
    let rules = Rules::build(&out.model);
    let why = rules.why_not(&out.model, 0, 0);
    assert_eq!(why.len(), 1, "{why:?}");
    assert_eq!(why[0].rule, Rule::LevelGap);
    assert_eq!(
        why[0].sentence,
        "the mentor is 2 levels ahead of the mentee (mentor is Leader of Leaders, mentee \
         Professional Contributor); the programme allows at most 1 level ahead \
         (seniority.max_level_gap)"
    );
    // The suggested mentor is within the limit and covers the mentee.
    assert_eq!(out.fixes.len(), 1);
    assert_eq!(out.fixes[0].mentor.level, Level::TeamLeader);
    let more = vec![lol.clone(), out.fixes[0].mentor.clone()];
    let again = run(std::slice::from_ref(&e), &more, &s, &Options::default()).unwrap();
    assert_eq!(again.objective.covered, 1);
    assert_eq!(again.matches[0].mentor, 1);

    // With a team leader too, only the team leader is a candidate, however few
    // slots it has left: the pair over the gap is never proposed.
    let scored = Model::build(std::slice::from_ref(&e), &[lol.clone(), tl.clone()], &s).unwrap();
    let rules = Rules::build(&scored);
    let scanner = Scanner::new(&scored, &rules);
    let all: Vec<u32> = scanner.all_eligible(0).iter().map(|x| x.mentor).collect();
    assert_eq!(all, [1]);
    let graph = scanner.generate(5);
    assert!(graph.row(0).iter().all(|x| x.mentor == 1));

    // A minimum gap keeps a same-level mentor with many more years out, and the
    // suggested mentor is as far up as the minimum asks.
    let mut s = Settings::default();
    s.seniority.min_level_gap = Some(2);
    let peer = speaker("peer", "English", Level::ProfessionalContributor, 20);
    let out = run(std::slice::from_ref(&e), &[peer], &s, &Options::default()).unwrap();
    assert!(out.matches.is_empty());
    let why = Rules::build(&out.model).why_not(&out.model, 0, 0);
    assert_eq!(why.len(), 1, "{why:?}");
    assert_eq!(why[0].rule, Rule::LevelGap);
    assert!(
        why[0]
            .sentence
            .starts_with("the mentor is at the same level as the mentee")
            && why[0]
                .sentence
                .ends_with("at least 2 levels ahead (seniority.min_level_gap)"),
        "{}",
        why[0].sentence
    );
    assert_eq!(out.fixes[0].mentor.level, Level::LeaderOfLeaders);
}
