//! Matching settings: criterion weights, hard constraints and solver knobs.
//!
//! This is the exact schema a programme's matching settings export to, and what
//! `rapport match assign --settings matching.toml` reads. Every field has a
//! default, unknown fields are refused (so a typo is an error, not a silent
//! default), and [`Settings::validate`] names the offending field.
//!
//! ```toml
//! kind = "one_to_one"
//! quality_floor = 20.0
//! top_k = 50
//! [weights]
//! skills = 30
//! goals = 15
//! [seniority]
//! min_years_ahead = 3
//! max_level_gap = 1
//! [reach]
//! max_time_zone_hours = 6
//! reference_week = "2026-01-05"
//! [[excluded]]
//! mentee = "ana@example.org"
//! mentor = "bo@example.org"
//! ```

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The kind of programme, which decides the seniority rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeKind {
    /// One mentor, one mentee: the mentor is ahead.
    #[default]
    OneToOne,
    /// One or more mentors with several mentees: the mentor is ahead.
    Group,
    /// Pairs at a similar level.
    Peer,
    /// The mentee is the more senior; the mentor offers a named skill area.
    Reverse,
    /// Peer circles: similar level.
    Circle,
}

/// The seniority relation a programme kind requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeniorityRule {
    /// Mentor at a higher level, or the same level with enough more years.
    Ahead,
    /// Mentee at a higher level, or the same level with enough more years.
    Reverse,
    /// Same level, years within a gap.
    Similar,
}

impl ProgrammeKind {
    /// The seniority rule for this kind.
    pub fn seniority_rule(self) -> SeniorityRule {
        match self {
            ProgrammeKind::OneToOne | ProgrammeKind::Group => SeniorityRule::Ahead,
            ProgrammeKind::Reverse => SeniorityRule::Reverse,
            ProgrammeKind::Peer | ProgrammeKind::Circle => SeniorityRule::Similar,
        }
    }
}

/// Relative criterion weights (configuration, not code). A criterion's share
/// of the 100 points is its weight divided by the sum of all weights.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// Skills the mentee wants that the mentor offers, priority-weighted.
    pub skills: u32,
    /// Shared goal tags.
    pub goals: u32,
    /// Free-text goal similarity (TF-IDF cosine).
    pub goal_text: u32,
    /// Level gap close to the ideal.
    pub level_gap: u32,
    /// Weekly availability overlap.
    pub availability: u32,
    /// Time-zone closeness.
    pub time_zone: u32,
    /// Shared interests.
    pub interests: u32,
    /// Matching answers to programme questions.
    pub answers: u32,
    /// Soft stated preferences met.
    pub preferences: u32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            skills: 30,
            goals: 15,
            goal_text: 10,
            level_gap: 10,
            availability: 10,
            time_zone: 5,
            interests: 5,
            answers: 10,
            preferences: 5,
        }
    }
}

impl Weights {
    /// Sum of all weights.
    pub fn total(&self) -> u64 {
        [
            self.skills,
            self.goals,
            self.goal_text,
            self.level_gap,
            self.availability,
            self.time_zone,
            self.interests,
            self.answers,
            self.preferences,
        ]
        .iter()
        .map(|&w| u64::from(w))
        .sum()
    }
}

/// How the level gap criterion scores a pair.
///
/// The gap is counted in levels in the direction the programme kind expects
/// (mentor minus mentee; mentee minus mentor for reverse mentoring). At the
/// ideal gap the criterion gives full points; each level short of it loses
/// `penalty_short`, each level beyond it loses `penalty_over` (fractions of
/// the criterion, floored at zero).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LevelGap {
    /// The ideal gap in levels ("a few steps ahead"); peers usually use 0.
    pub ideal: i8,
    /// Fraction of the criterion lost per level short of the ideal.
    pub penalty_short: f64,
    /// Fraction of the criterion lost per level beyond the ideal.
    pub penalty_over: f64,
}

impl Default for LevelGap {
    fn default() -> Self {
        LevelGap {
            ideal: 1,
            penalty_short: 0.5,
            penalty_over: 0.25,
        }
    }
}

/// Seniority rule parameters (which rule applies comes from the kind).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Seniority {
    /// Ahead / reverse: at the same level, the more senior side needs at
    /// least this many more years.
    pub min_years_ahead: u16,
    /// Similar: the largest allowed difference in years.
    pub similar_max_years_gap: u16,
    /// Reverse: the mentor must offer at least one of these skill areas
    /// (empty means any skill).
    pub reverse_skill_areas: Vec<String>,
    /// Hard rule: the smallest allowed level gap, counted like `[level_gap]`
    /// (mentor minus mentee; mentee minus mentor for reverse mentoring).
    /// `None`: no limit beyond the seniority rule. `1` asks for a mentor at a
    /// higher level, never at the same level with more years.
    pub min_level_gap: Option<i8>,
    /// Hard rule: the largest allowed level gap, counted the same way. `None`:
    /// no limit. `1` keeps Leaders of Leaders away from Professional
    /// Contributors. The `[level_gap]` table only scores; this one filters.
    pub max_level_gap: Option<i8>,
}

impl Default for Seniority {
    fn default() -> Self {
        Seniority {
            min_years_ahead: 3,
            similar_max_years_gap: 5,
            reverse_skill_areas: Vec::new(),
            min_level_gap: None,
            max_level_gap: None,
        }
    }
}

/// Language, time-zone and availability constraints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Reach {
    /// Require at least one shared language.
    pub require_shared_language: bool,
    /// Largest allowed time-zone distance in hours (on the reference week).
    pub max_time_zone_hours: Option<f64>,
    /// Smallest allowed weekly availability overlap in hours.
    pub min_overlap_hours: Option<f64>,
    /// Overlap that earns full availability points, in hours per week.
    pub target_overlap_hours: f64,
    /// Monday (YYYY-MM-DD) of the week on which local times are converted to
    /// UTC, so results do not drift with daylight saving.
    pub reference_week: String,
}

impl Default for Reach {
    fn default() -> Self {
        Reach {
            require_shared_language: true,
            max_time_zone_hours: None,
            min_overlap_hours: None,
            target_overlap_hours: 4.0,
            reference_week: "2026-01-05".to_string(),
        }
    }
}

/// How stated preferences marked hard are handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HardPreferences {
    /// Hard preferences are hard constraints.
    #[default]
    Enforce,
    /// Every preference is treated as soft (it only adds to the score).
    AsSoft,
}

/// A (mentee, mentor) pair named by ids.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairIds {
    /// Mentee id.
    pub mentee: String,
    /// Mentor id.
    pub mentor: String,
}

/// Everything that configures a matching run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Programme kind (decides the seniority rule).
    pub kind: ProgrammeKind,
    /// Criterion weights.
    pub weights: Weights,
    /// Level gap scoring.
    pub level_gap: LevelGap,
    /// Seniority rule parameters.
    pub seniority: Seniority,
    /// Language, time-zone and availability.
    pub reach: Reach,
    /// Hard preference handling.
    pub hard_preferences: HardPreferences,
    /// Pairs scoring below this (0–100 points) are not eligible.
    pub quality_floor: f64,
    /// Relative weights of programme questions inside the answers criterion,
    /// by question id. Empty: every question both people answered counts equally.
    pub questions: BTreeMap<String, u32>,
    /// Pairs forced out.
    pub excluded: Vec<PairIds>,
    /// Pairs forced in (placed first, counted against capacity).
    pub pinned: Vec<PairIds>,
    /// Pairs matched before, or declined by either person (forced out).
    pub previous: Vec<PairIds>,
    /// Candidate mentors kept per mentee before the lossless re-check.
    pub top_k: u32,
    /// Most re-check rounds (each re-adds pruned pairs that would help).
    pub max_recheck_rounds: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            kind: ProgrammeKind::OneToOne,
            weights: Weights::default(),
            level_gap: LevelGap::default(),
            seniority: Seniority::default(),
            reach: Reach::default(),
            hard_preferences: HardPreferences::Enforce,
            quality_floor: 0.0,
            questions: BTreeMap::new(),
            excluded: Vec::new(),
            pinned: Vec::new(),
            previous: Vec::new(),
            top_k: 50,
            max_recheck_rounds: 16,
        }
    }
}

/// A settings value that cannot be used, with the field it came from.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("settings field `{field}`: {message}")]
pub struct SettingsError {
    /// Dotted field path, for example `reach.max_time_zone_hours`.
    pub field: String,
    /// What is wrong and what to do.
    pub message: String,
}

fn bad(field: &str, message: impl Into<String>) -> SettingsError {
    SettingsError {
        field: field.to_string(),
        message: message.into(),
    }
}

/// Largest single weight; keeps all fixed-point arithmetic far from overflow.
pub const MAX_WEIGHT: u32 = 1_000_000;

impl Settings {
    /// Defaults suited to a programme kind (peers and circles ideally sit at
    /// the same level; reverse mentoring ideally one level apart, reversed).
    pub fn default_for(kind: ProgrammeKind) -> Settings {
        let mut s = Settings {
            kind,
            ..Settings::default()
        };
        if kind.seniority_rule() == SeniorityRule::Similar {
            s.level_gap.ideal = 0;
        }
        s
    }

    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let w = &self.weights;
        for (name, v) in [
            ("weights.skills", w.skills),
            ("weights.goals", w.goals),
            ("weights.goal_text", w.goal_text),
            ("weights.level_gap", w.level_gap),
            ("weights.availability", w.availability),
            ("weights.time_zone", w.time_zone),
            ("weights.interests", w.interests),
            ("weights.answers", w.answers),
            ("weights.preferences", w.preferences),
        ] {
            if v > MAX_WEIGHT {
                return Err(bad(name, format!("must be at most {MAX_WEIGHT}")));
            }
        }
        if w.total() == 0 {
            return Err(bad("weights", "at least one weight must be above zero"));
        }
        let lg = &self.level_gap;
        if !(-2..=2).contains(&lg.ideal) {
            return Err(bad("level_gap.ideal", "must be between -2 and 2 levels"));
        }
        for (name, v) in [
            ("level_gap.penalty_short", lg.penalty_short),
            ("level_gap.penalty_over", lg.penalty_over),
        ] {
            if !v.is_finite() || !(0.0..=1.0).contains(&v) {
                return Err(bad(name, "must be a fraction between 0 and 1"));
            }
        }
        if self.seniority.min_years_ahead > 80 {
            return Err(bad("seniority.min_years_ahead", "must be at most 80"));
        }
        if self.seniority.similar_max_years_gap > 80 {
            return Err(bad("seniority.similar_max_years_gap", "must be at most 80"));
        }
        for (name, gap) in [
            ("seniority.min_level_gap", self.seniority.min_level_gap),
            ("seniority.max_level_gap", self.seniority.max_level_gap),
        ] {
            if gap.is_some_and(|g| !(-2..=2).contains(&g)) {
                return Err(bad(
                    name,
                    "must be between -2 and 2 levels (there are three levels), or left out for no limit",
                ));
            }
        }
        if let (Some(lo), Some(hi)) = (self.seniority.min_level_gap, self.seniority.max_level_gap) {
            if lo > hi {
                return Err(bad(
                    "seniority.max_level_gap",
                    format!("is {hi}, below min_level_gap ({lo}): no pair could match; raise it or lower min_level_gap"),
                ));
            }
        }
        let r = &self.reach;
        if let Some(h) = r.max_time_zone_hours {
            if !h.is_finite() || !(0.0..=24.0).contains(&h) {
                return Err(bad(
                    "reach.max_time_zone_hours",
                    "must be between 0 and 24 hours",
                ));
            }
        }
        if let Some(h) = r.min_overlap_hours {
            if !h.is_finite() || !(0.0..=168.0).contains(&h) {
                return Err(bad(
                    "reach.min_overlap_hours",
                    "must be between 0 and 168 hours a week",
                ));
            }
        }
        if !r.target_overlap_hours.is_finite() || !(0.25..=168.0).contains(&r.target_overlap_hours)
        {
            return Err(bad(
                "reach.target_overlap_hours",
                "must be between 0.25 and 168 hours a week",
            ));
        }
        self.reference_monday()?;
        if !self.quality_floor.is_finite() || !(0.0..=100.0).contains(&self.quality_floor) {
            return Err(bad("quality_floor", "must be between 0 and 100 points"));
        }
        for (q, &v) in &self.questions {
            if v > MAX_WEIGHT {
                return Err(bad(
                    &format!("questions.{q}"),
                    format!("must be at most {MAX_WEIGHT}"),
                ));
            }
        }
        if self.top_k == 0 {
            return Err(bad("top_k", "must be at least 1"));
        }
        if self.max_recheck_rounds == 0 {
            return Err(bad("max_recheck_rounds", "must be at least 1"));
        }
        for (i, p) in self.pinned.iter().enumerate() {
            if self.excluded.contains(p) {
                return Err(bad(
                    &format!("pinned[{i}]"),
                    format!(
                        "the pair {} / {} is both pinned and excluded; remove one",
                        p.mentee, p.mentor
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The Monday of the reference week.
    pub fn reference_monday(&self) -> Result<NaiveDate, SettingsError> {
        let d = NaiveDate::parse_from_str(self.reach.reference_week.trim(), "%Y-%m-%d").map_err(
            |_| {
                bad(
                    "reach.reference_week",
                    "must be a date written YYYY-MM-DD (a Monday)",
                )
            },
        )?;
        if d.weekday() != chrono::Weekday::Mon {
            return Err(bad(
                "reach.reference_week",
                format!("{d} is a {:?}; give the Monday of the week", d.weekday()),
            ));
        }
        Ok(d)
    }

    /// The quality floor in micro-units (1 point = 1 000 000).
    pub fn quality_floor_micro(&self) -> i64 {
        (self.quality_floor * 1_000_000.0).round() as i64
    }
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate() {
        Settings::default().validate().unwrap();
        for k in [
            ProgrammeKind::OneToOne,
            ProgrammeKind::Group,
            ProgrammeKind::Peer,
            ProgrammeKind::Reverse,
            ProgrammeKind::Circle,
        ] {
            Settings::default_for(k).validate().unwrap();
        }
        assert_eq!(Settings::default().weights.total(), 100);
    }

    #[test]
    fn errors_name_the_field() {
        let mut s = Settings::default();
        s.reach.max_time_zone_hours = Some(30.0);
        assert_eq!(s.validate().unwrap_err().field, "reach.max_time_zone_hours");
        let mut s = Settings::default();
        s.reach.reference_week = "2026-01-06".into();
        let e = s.validate().unwrap_err();
        assert_eq!(e.field, "reach.reference_week");
        assert!(e.to_string().contains("Monday"));
        let mut s = Settings::default();
        s.weights = Weights {
            skills: 0,
            goals: 0,
            goal_text: 0,
            level_gap: 0,
            availability: 0,
            time_zone: 0,
            interests: 0,
            answers: 0,
            preferences: 0,
        };
        assert_eq!(s.validate().unwrap_err().field, "weights");
        let mut s = Settings::default();
        s.quality_floor = f64::NAN;
        assert_eq!(s.validate().unwrap_err().field, "quality_floor");
        let mut s = Settings::default();
        let p = PairIds {
            mentee: "a".into(),
            mentor: "b".into(),
        };
        s.pinned.push(p.clone());
        s.excluded.push(p);
        assert_eq!(s.validate().unwrap_err().field, "pinned[0]");
        let mut s = Settings::default();
        s.seniority.max_level_gap = Some(3);
        assert_eq!(s.validate().unwrap_err().field, "seniority.max_level_gap");
        let mut s = Settings::default();
        s.seniority.min_level_gap = Some(-3);
        assert_eq!(s.validate().unwrap_err().field, "seniority.min_level_gap");
        let mut s = Settings::default();
        s.seniority.min_level_gap = Some(2);
        s.seniority.max_level_gap = Some(1);
        let e = s.validate().unwrap_err();
        assert_eq!(e.field, "seniority.max_level_gap");
        assert!(e.message.contains("min_level_gap"), "{e}");
    }

    /// Programmes store their settings as TOML (the app reads and writes them with
    /// `toml`), so the level-gap limits must survive the trip, and leaving them out
    /// must keep them off.
    #[test]
    fn level_gap_limits_round_trip_through_toml() {
        let s: Settings =
            toml::from_str("[seniority]\nmin_level_gap = 1\nmax_level_gap = 1\n").unwrap();
        assert_eq!(s.seniority.min_level_gap, Some(1));
        assert_eq!(s.seniority.max_level_gap, Some(1));
        s.validate().unwrap();
        let text = toml::to_string(&s).unwrap();
        assert!(text.contains("max_level_gap = 1"), "{text}");
        assert_eq!(toml::from_str::<Settings>(&text).unwrap(), s);
        let text = toml::to_string(&Settings::default()).unwrap();
        assert!(
            !text.contains("max_level_gap") && !text.contains("min_level_gap"),
            "{text}"
        );
        let back: Settings = toml::from_str(&text).unwrap();
        assert_eq!(back.seniority.max_level_gap, None);
    }
}
