//! Why someone is left unplaced, in sentences a programme manager reads without
//! knowing the engine: "No mentor speaks Hindi.", never "blocked only by
//! shared_language".
//!
//! # Contract
//! Every sentence starts with a capital letter, ends with a full stop, agrees in
//! number with its counts, and holds no internal name (no snake_case word, no
//! setting key). Every [`Rule`] has a phrase here through an exhaustive `match`, so
//! a new rule cannot reach a manager without words; the tests render every
//! sentence this module can produce and reject any snake_case word.

use crate::constraints::Rule;
use crate::profile::Level;

/// What one person is, for the sentences: their languages, level, years and zone.
#[derive(Debug, Clone, Copy)]
pub struct Seeker<'a> {
    /// Languages they speak, as the model interned them (lower case).
    pub languages: &'a [&'a str],
    /// Their level rank.
    pub level: u8,
    /// Years of experience.
    pub years: u16,
    /// Their time zone name.
    pub zone: &'a str,
}

/// "Portuguese", "Hindi": a language as people write it.
pub fn language(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "a", "a or b", "a, b or c".
pub fn either(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// "1 mentor", "3 mentors".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "1 year", "3 years".
pub fn years(n: u16) -> String {
    count(usize::from(n), "year", "years")
}

fn level(rank: u8) -> &'static str {
    Level::from_rank(rank).map_or("unknown", Level::label)
}

/// The sentence when `rule` rules out every mentor for the seeker.
pub fn every_mentor_blocked(rule: Rule, who: &Seeker) -> String {
    match rule {
        Rule::SamePerson => "They are the only mentor in the programme.".into(),
        Rule::ReportingLine => "Every mentor is in their reporting line.".into(),
        Rule::Seniority => format!(
            "No mentor fits the programme's seniority rule for a {} with {} of experience.",
            level(who.level),
            years(who.years)
        ),
        Rule::LevelGap => format!(
            "No mentor is within the programme's allowed level difference from a {}.",
            level(who.level)
        ),
        Rule::SkillArea => "No mentor offers the skill areas this programme is about.".into(),
        Rule::SharedLanguage => {
            let names: Vec<String> = who.languages.iter().map(|l| language(l)).collect();
            if names.is_empty() {
                "They list no language, so no mentor shares one with them.".into()
            } else {
                format!("No mentor speaks {}.", either(&names))
            }
        }
        Rule::TimeZoneDistance => format!(
            "No mentor's time zone is close enough to theirs ({}).",
            who.zone
        ),
        Rule::AvailabilityOverlap => {
            "No mentor shares enough free hours in the week with them.".into()
        }
        Rule::HardPreference => "No mentor meets a preference they marked as firm.".into(),
        Rule::Excluded => "A manager has ruled out every mentor for them.".into(),
        Rule::PreviouslyMatched => {
            "They have already been matched with, or declined, every mentor.".into()
        }
        Rule::QualityFloor => {
            "Every mentor would be a weaker match than the programme's minimum score.".into()
        }
    }
}

/// "3 mentors do not share a language with them": `n` mentors ruled out by `rule`.
pub fn mentors_blocked_by(rule: Rule, n: usize) -> String {
    let one = n == 1;
    let (is, does, has) = if one {
        ("is", "does", "has")
    } else {
        ("are", "do", "have")
    };
    let what = match rule {
        Rule::SamePerson => format!("{is} themselves"),
        Rule::ReportingLine => format!("{is} in their reporting line"),
        Rule::Seniority => format!("{does} not fit the seniority rule"),
        Rule::LevelGap => format!("{is} outside the allowed level difference"),
        Rule::SkillArea => format!("{does} not offer the programme's skill areas"),
        Rule::SharedLanguage => format!("{does} not share a language with them"),
        Rule::TimeZoneDistance => format!("{is} too many time zones away"),
        Rule::AvailabilityOverlap => format!("{does} not share enough free hours"),
        Rule::HardPreference => format!("{does} not meet a firm preference"),
        Rule::Excluded => format!("{has} been ruled out by a manager"),
        Rule::PreviouslyMatched => format!("{has} been matched with them before, or declined"),
        Rule::QualityFloor => format!("{does} not reach the minimum score"),
    };
    format!("{} {what}", count(n, "mentor", "mentors"))
}

/// No mentor is eligible, and no single rule explains it: how many each rule
/// rules out (`counts`, largest first), and which rules alone block someone
/// (`closest`).
pub fn mixed_rules(mentors: usize, counts: &[(Rule, usize)], closest: &[(Rule, usize)]) -> String {
    let parts: Vec<String> = counts
        .iter()
        .map(|&(r, c)| mentors_blocked_by(r, c))
        .collect();
    let mut s = format!(
        "Each of the {} breaks at least one rule: {}.",
        count(mentors, "mentor", "mentors"),
        parts.join(", ")
    );
    s.push_str(&closest_sentence(closest));
    s
}

/// " Nearest to a match: 2 mentors are ruled out only because …", or nothing.
pub fn closest_sentence(closest: &[(Rule, usize)]) -> String {
    if closest.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = closest
        .iter()
        .map(|&(r, c)| mentors_blocked_by(r, c))
        .collect();
    format!(
        " Nearest to a match, only one rule stands in the way: {}.",
        parts.join("; ")
    )
}

/// There are no mentors at all.
pub const NO_MENTORS: &str = "There are no mentors in the programme yet.";

/// Every mentor who suits them is full; `group` describes who competes for them.
pub fn mentors_full(eligible: usize, group: &str) -> String {
    let who = if eligible == 1 {
        "The one mentor who suits them is full.".to_string()
    } else {
        format!("All {eligible} mentors who suit them are full.")
    };
    if group.is_empty() {
        who
    } else {
        format!("{who} {group}")
    }
}

/// "Portuguese speakers at Team Leader level: 5 mentees compete for 1 place."
pub fn group(description: &str, mentees: usize, slots: u64) -> String {
    format!(
        "{description}: {} {} for {}.",
        count(mentees, "mentee", "mentees"),
        if mentees == 1 { "competes" } else { "compete" },
        count(slots as usize, "place", "places")
    )
}

/// Peers and circles: the reasons a peer is left out.
pub mod peer {
    use super::*;

    /// Nobody else is waiting.
    pub const ALONE: &str = "Nobody else is waiting yet.";
    /// Every compatible peer is already paired.
    pub const ODD_ONE_OUT: &str =
        "Every peer they are compatible with is already paired: they are the odd one out.";
    /// Too few for another circle.
    pub const TOO_FEW: &str = "Too few compatible people are left to form another circle.";

    /// No other peer passes the hard rules with them; `rules` are the rules that bind.
    pub fn none_compatible(rules: &[Rule]) -> String {
        let why: Vec<&str> = rules.iter().map(|&r| peer_rule(r)).collect();
        if why.is_empty() {
            "No other peer passes the programme's rules with them.".into()
        } else {
            format!(
                "No other peer passes the programme's rules with them: {}.",
                why.join(", ")
            )
        }
    }

    fn peer_rule(rule: Rule) -> &'static str {
        match rule {
            Rule::SamePerson => "they cannot be paired with themselves",
            Rule::ReportingLine => "some are in their reporting line",
            Rule::Seniority => "some do not fit the seniority rule",
            Rule::LevelGap => "some are too many levels apart",
            Rule::SkillArea => "some do not offer the programme's skill areas",
            Rule::SharedLanguage => "some share no language with them",
            Rule::TimeZoneDistance => "some are too many time zones away",
            Rule::AvailabilityOverlap => "some share too few free hours",
            Rule::HardPreference => "some do not meet a firm preference",
            Rule::Excluded => "a manager ruled some out",
            Rule::PreviouslyMatched => "some were matched with them before",
            Rule::QualityFloor => "some would be weaker than the minimum score",
        }
    }
}

/// Every sentence this module can produce, for tests (here and in the app) that
/// prove no internal name reaches a reader.
pub fn every_sentence() -> Vec<String> {
    let langs = ["hindi", "portuguese"];
    let who = Seeker {
        languages: &langs,
        level: 0,
        years: 1,
        zone: "Asia/Kolkata",
    };
    let mut out = vec![
        NO_MENTORS.to_string(),
        peer::ALONE.into(),
        peer::ODD_ONE_OUT.into(),
        peer::TOO_FEW.into(),
        peer::none_compatible(&[]),
        peer::none_compatible(&Rule::ALL),
        mentors_full(1, ""),
        mentors_full(3, &group("Hindi speakers at Team Leader level", 5, 1)),
        mixed_rules(4, &Rule::ALL.map(|r| (r, 2)), &Rule::ALL.map(|r| (r, 1))),
    ];
    for r in Rule::ALL {
        out.push(every_mentor_blocked(r, &who));
        out.push(every_mentor_blocked(
            r,
            &Seeker {
                languages: &[],
                years: 0,
                ..who
            },
        ));
        for n in [1, 2] {
            out.push(closest_sentence(&[(r, n)]));
        }
    }
    out
}

/// The first word that reads like an internal name (`snake_case`, or a dotted
/// setting key such as `seniority.min_level_gap`), if any.
pub fn internal_word(sentence: &str) -> Option<&str> {
    sentence
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | ':' | '"'))
        .map(|w| w.trim_end_matches('.'))
        .find(|w| {
            let inner = |c: char| c == '_' || c == '.';
            w.contains(inner)
                && w.split(inner).filter(|p| !p.is_empty()).count() > 1
                && w.chars().all(|c| c.is_ascii_lowercase() || inner(c))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_reads_as_a_sentence() {
        for s in every_sentence().iter().filter(|s| !s.is_empty()) {
            let s = s.trim();
            assert_eq!(internal_word(s), None, "internal name in {s:?}");
            assert!(!s.contains("1 mentors"), "{s}");
            assert!(!s.contains("1 places") && !s.contains("1 years"), "{s}");
        }
        for s in [
            every_mentor_blocked(
                Rule::SharedLanguage,
                &Seeker {
                    languages: &["hindi"],
                    level: 0,
                    years: 0,
                    zone: "UTC",
                },
            ),
            mentors_full(2, ""),
            mixed_rules(2, &[(Rule::SharedLanguage, 2)], &[]),
        ] {
            assert!(s.starts_with(char::is_uppercase) && s.ends_with('.'), "{s}");
        }
    }

    #[test]
    fn the_detector_finds_internal_names() {
        assert_eq!(
            internal_word("3 blocked only by shared_language"),
            Some("shared_language")
        );
        assert_eq!(
            internal_word("within the gap (seniority.min_level_gap)"),
            Some("seniority.min_level_gap")
        );
        assert_eq!(internal_word("No mentor speaks Hindi."), None);
    }

    #[test]
    fn languages_and_lists_read_naturally() {
        assert_eq!(
            every_mentor_blocked(
                Rule::SharedLanguage,
                &Seeker {
                    languages: &["hindi"],
                    level: 0,
                    years: 2,
                    zone: "UTC"
                }
            ),
            "No mentor speaks Hindi."
        );
        let three = ["a".to_string(), "b".to_string(), "c".to_string()];
        assert_eq!(either(&three), "a, b or c");
        assert_eq!(
            mentors_blocked_by(Rule::Excluded, 1),
            "1 mentor has been ruled out by a manager"
        );
        assert_eq!(
            group("Hindi speakers", 1, 1),
            "Hindi speakers: 1 mentee competes for 1 place."
        );
    }
}
