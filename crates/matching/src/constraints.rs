//! Hard constraints: filters on (mentee, mentor) pairs, each with its reason.
//!
//! A pair is eligible when no rule blocks it:
//! - not the same person, and neither is in the other's reporting line (one's
//!   manager, anyone up the chain, or anyone below);
//! - seniority for the programme kind (ahead, reverse with a named skill area,
//!   or similar);
//! - the level gap within `seniority.min_level_gap` and `seniority.max_level_gap`
//!   (when set);
//! - a shared language (when required);
//! - time-zone distance and weekly availability overlap on the reference week;
//! - stated preferences marked hard (when enforced);
//! - the pair is not excluded, nor matched before or declined;
//! - the score reaches the quality floor.
//!
//! [`Rules::why_not`] lists every rule that blocks a pair with a sentence a
//! programme manager understands. [`Rules::eligible`] is the fast path used for
//! candidate generation: O(1) per pair apart from the small per-mentee lists
//! of forbidden pairs, and the score itself.
//!
//! Reporting lines are checked in O(1) with an Euler tour of the management
//! forest: `a` is above `b` exactly when `tin[a] <= tin[b] && tout[b] <= tout[a]`.
//! Cycles in manager data are broken where they are found.

use foldhash::{HashMap, HashMapExt};

use crate::profile::Level;
use crate::score::{overlap_quarters, Features, Model};
use crate::settings::SeniorityRule;

/// A hard rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// The same person on both sides.
    SamePerson,
    /// One manages the other, directly or through others.
    ReportingLine,
    /// Seniority for the programme kind.
    Seniority,
    /// Level gap outside `seniority.min_level_gap` ..= `seniority.max_level_gap`.
    LevelGap,
    /// Reverse mentoring: the mentor offers none of the named skill areas.
    SkillArea,
    /// No shared language.
    SharedLanguage,
    /// Time zones too far apart.
    TimeZoneDistance,
    /// Not enough shared weekly availability.
    AvailabilityOverlap,
    /// A stated preference marked hard.
    HardPreference,
    /// Excluded by a programme manager.
    Excluded,
    /// Matched before, or declined by either person.
    PreviouslyMatched,
    /// Score below the quality floor.
    QualityFloor,
}

impl Rule {
    /// Every rule, in report order.
    pub const ALL: [Rule; 12] = [
        Rule::SamePerson,
        Rule::ReportingLine,
        Rule::Seniority,
        Rule::LevelGap,
        Rule::SkillArea,
        Rule::SharedLanguage,
        Rule::TimeZoneDistance,
        Rule::AvailabilityOverlap,
        Rule::HardPreference,
        Rule::Excluded,
        Rule::PreviouslyMatched,
        Rule::QualityFloor,
    ];

    /// Short machine name.
    pub fn name(self) -> &'static str {
        match self {
            Rule::SamePerson => "same_person",
            Rule::ReportingLine => "reporting_line",
            Rule::Seniority => "seniority",
            Rule::LevelGap => "level_gap",
            Rule::SkillArea => "skill_area",
            Rule::SharedLanguage => "shared_language",
            Rule::TimeZoneDistance => "time_zone_distance",
            Rule::AvailabilityOverlap => "availability_overlap",
            Rule::HardPreference => "hard_preference",
            Rule::Excluded => "excluded",
            Rule::PreviouslyMatched => "previously_matched",
            Rule::QualityFloor => "quality_floor",
        }
    }
}

/// One rule blocking one pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    /// The rule.
    pub rule: Rule,
    /// Why, in a sentence.
    pub sentence: String,
}

/// A pinned pair that cannot be placed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("pinned pair {mentee} / {mentor} refused: {}", reasons.iter().map(|b| format!("{} ({})", b.sentence, b.rule.name())).collect::<Vec<_>>().join("; "))]
pub struct PinRefused {
    /// Mentee id.
    pub mentee: String,
    /// Mentor id.
    pub mentor: String,
    /// Every rule it breaks (empty when an id is unknown; see `sentence`).
    pub reasons: Vec<Blocker>,
}

/// Hard rules compiled for one [`Model`].
#[derive(Debug, Clone)]
pub struct Rules {
    tin: Vec<u32>,
    tout: Vec<u32>,
    /// Per mentee: forbidden mentors (excluded or previous), sorted.
    forbidden: HashMap<u32, Vec<(u32, Rule)>>,
    max_tz_minutes: Option<u32>,
    min_overlap_quarters: Option<u32>,
    floor: i64,
    rule: SeniorityRule,
    min_years: u16,
    similar_gap: u16,
    /// Allowed level gaps, inclusive, in the direction of [`Rules::level_gap`];
    /// `i8::MIN..=i8::MAX` when no limit is set, so the check never needs a branch
    /// on whether the rule is on.
    min_level_gap: i8,
    max_level_gap: i8,
}

impl Rules {
    /// Compiles the rules of `model.settings` for the model's people.
    pub fn build(model: &Model) -> Rules {
        let (tin, tout) = euler_tour(&model.managers);
        let s = &model.settings;
        let mentee_index: HashMap<&str, u32> = model
            .mentee_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i as u32))
            .collect();
        let mentor_index: HashMap<&str, u32> = model
            .mentor_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i as u32))
            .collect();
        let mut forbidden: HashMap<u32, Vec<(u32, Rule)>> = HashMap::new();
        for (list, rule) in [
            (&s.excluded, Rule::Excluded),
            (&s.previous, Rule::PreviouslyMatched),
        ] {
            for p in list {
                if let (Some(&i), Some(&j)) = (
                    mentee_index.get(p.mentee.as_str()),
                    mentor_index.get(p.mentor.as_str()),
                ) {
                    forbidden.entry(i).or_default().push((j, rule));
                }
            }
        }
        for v in forbidden.values_mut() {
            v.sort_unstable();
        }
        Rules {
            tin,
            tout,
            forbidden,
            max_tz_minutes: s
                .reach
                .max_time_zone_hours
                .map(|h| (h * 60.0).round() as u32),
            min_overlap_quarters: s.reach.min_overlap_hours.map(|h| (h * 4.0).ceil() as u32),
            floor: s.quality_floor_micro(),
            rule: s.kind.seniority_rule(),
            min_years: s.seniority.min_years_ahead,
            similar_gap: s.seniority.similar_max_years_gap,
            min_level_gap: s.seniority.min_level_gap.unwrap_or(i8::MIN),
            max_level_gap: s.seniority.max_level_gap.unwrap_or(i8::MAX),
        }
    }

    /// The level gap of a pair in the direction the programme kind expects: mentor
    /// minus mentee, or mentee minus mentor in reverse mentoring (as `[level_gap]`
    /// scores it).
    #[inline]
    fn level_gap(&self, e_level: u8, r_level: u8) -> i8 {
        let (ahead, behind) = if self.rule == SeniorityRule::Reverse {
            (e_level, r_level)
        } else {
            (r_level, e_level)
        };
        ahead as i8 - behind as i8
    }

    /// The level gap is within `seniority.min_level_gap ..= seniority.max_level_gap`.
    #[inline]
    pub(crate) fn level_gap_ok(&self, e_level: u8, r_level: u8) -> bool {
        let gap = self.level_gap(e_level, r_level);
        self.min_level_gap <= gap && gap <= self.max_level_gap
    }

    /// The quality floor in micro-units.
    pub fn floor(&self) -> i64 {
        self.floor
    }

    /// True when one of the two people manages the other, directly or not.
    #[inline]
    pub fn in_reporting_line(&self, a: u32, b: u32) -> bool {
        let (a, b) = (a as usize, b as usize);
        let above = |x: usize, y: usize| self.tin[x] <= self.tin[y] && self.tout[y] <= self.tout[x];
        above(a, b) || above(b, a)
    }

    /// Seniority for the programme kind (without the skill-area part).
    #[inline]
    pub fn seniority_ok(&self, e: &Features, r: &Features) -> bool {
        self.seniority_ranks_ok(e.level, e.years, r.level, r.years)
    }

    /// [`Rules::seniority_ok`] on the levels and years alone.
    #[inline]
    fn seniority_ranks_ok(&self, e_level: u8, e_years: u16, r_level: u8, r_years: u16) -> bool {
        match self.rule {
            SeniorityRule::Ahead => {
                r_level > e_level || (r_level == e_level && r_years >= e_years + self.min_years)
            }
            SeniorityRule::Reverse => {
                e_level > r_level || (e_level == r_level && e_years >= r_years + self.min_years)
            }
            SeniorityRule::Similar => {
                e_level == r_level && e_years.abs_diff(r_years) <= self.similar_gap
            }
        }
    }

    /// The mentor years that pass [`Rules::seniority_ranks_ok`] for a mentee of
    /// `e_level` with `e_years` and a mentor of `r_level`, as an inclusive range
    /// (`None` when no mentor of that level passes, also when the level gap is
    /// outside its limits). The candidate scan keeps a level's mentors sorted by
    /// years and reads only this range.
    pub(crate) fn years_range(&self, e_level: u8, e_years: u16, r_level: u8) -> Option<(u16, u16)> {
        if !self.level_gap_ok(e_level, r_level) {
            return None;
        }
        let (e, min, gap) = (
            u32::from(e_years),
            u32::from(self.min_years),
            u32::from(self.similar_gap),
        );
        let clip = |x: u32| x.min(u32::from(u16::MAX)) as u16;
        match (self.rule, r_level.cmp(&e_level)) {
            (SeniorityRule::Ahead, std::cmp::Ordering::Greater)
            | (SeniorityRule::Reverse, std::cmp::Ordering::Less) => Some((0, u16::MAX)),
            (SeniorityRule::Ahead, std::cmp::Ordering::Equal) => {
                (e + min <= u32::from(u16::MAX)).then(|| (clip(e + min), u16::MAX))
            }
            (SeniorityRule::Reverse, std::cmp::Ordering::Equal) => {
                e.checked_sub(min).map(|hi| (0, clip(hi)))
            }
            (SeniorityRule::Similar, std::cmp::Ordering::Equal) => {
                Some((clip(e.saturating_sub(gap)), clip(e + gap)))
            }
            _ => None,
        }
    }

    /// Position of a person in the management forest's tour, for
    /// [`Rules::compatible_plain`].
    pub(crate) fn tour(&self, person: u32) -> (u32, u32) {
        (self.tin[person as usize], self.tout[person as usize])
    }

    /// [`Rules::compatible`] for a mentor given by a few copied fields, when
    /// neither person states a preference, the language masks are exact and
    /// already share a bit, and `overlap` is the pair's shared quarter-hours.
    /// Equal to `compatible` in that case, without touching the mentor's
    /// features (a cache miss per mentor in the candidate scan).
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn compatible_plain(
        &self,
        e: &Features,
        person: u32,
        tour: (u32, u32),
        level: u8,
        years: u16,
        reverse_area: bool,
        offset_minutes: i32,
        overlap: u32,
    ) -> bool {
        if e.person == person
            || !self.seniority_ranks_ok(e.level, e.years, level, years)
            || !self.level_gap_ok(e.level, level)
        {
            return false;
        }
        if self.rule == SeniorityRule::Reverse && !reverse_area {
            return false;
        }
        if let Some(max) = self.max_tz_minutes {
            let d = (e.offset_minutes - offset_minutes).unsigned_abs() % 1440;
            if d.min(1440 - d) > max {
                return false;
            }
        }
        if self.min_overlap_quarters.is_some_and(|min| overlap < min) {
            return false;
        }
        let a = e.person as usize;
        let (bin, bout) = tour;
        let a_above_b = self.tin[a] <= bin && bout <= self.tout[a];
        let b_above_a = bin <= self.tin[a] && self.tout[a] <= bout;
        !(a_above_b || b_above_a)
    }

    /// Mentors forbidden for mentee `i` (excluded or previously matched).
    pub fn forbidden_for(&self, i: usize) -> &[(u32, Rule)] {
        self.forbidden.get(&(i as u32)).map_or(&[], Vec::as_slice)
    }

    /// Every rule except the quality floor and the forbidden-pair lists:
    /// the per-pair part of eligibility, cheap enough to run on every pair.
    #[inline]
    pub fn compatible(&self, model: &Model, e: &Features, r: &Features) -> bool {
        if e.person == r.person || !self.seniority_ok(e, r) || !self.level_gap_ok(e.level, r.level)
        {
            return false;
        }
        if self.rule == SeniorityRule::Reverse && !r.offers_reverse_area {
            return false;
        }
        if model.settings.reach.require_shared_language && !shares_language(model, e, r) {
            return false;
        }
        if let Some(max) = self.max_tz_minutes {
            if Model::tz_distance(e, r) > max {
                return false;
            }
        }
        if let Some(min) = self.min_overlap_quarters {
            if overlap_quarters(&e.avail, &r.avail) < min {
                return false;
            }
        }
        if self.in_reporting_line(e.person, r.person) {
            return false;
        }
        !model.enforce_hard || !hard_preference_broken(e, r)
    }

    /// The score of mentee `i` with mentor `j` when the pair is eligible.
    pub fn eligible(&self, model: &Model, i: usize, j: usize) -> Option<i64> {
        let (e, r) = (&model.mentees[i], &model.mentors[j]);
        if !self.compatible(model, e, r)
            || self.forbidden_for(i).iter().any(|&(m, _)| m as usize == j)
        {
            return None;
        }
        let s = model.score(i, j);
        (s >= self.floor).then_some(s)
    }

    /// Every rule that blocks mentee `i` with mentor `j` (empty when eligible).
    pub fn why_not(&self, model: &Model, i: usize, j: usize) -> Vec<Blocker> {
        let (e, r) = (&model.mentees[i], &model.mentors[j]);
        let (en, rn) = (&model.mentee_ids[i], &model.mentor_ids[j]);
        let mut out = Vec::new();
        let mut push = |rule: Rule, sentence: String| out.push(Blocker { rule, sentence });
        if e.person == r.person {
            push(Rule::SamePerson, format!("{en} cannot mentor themselves"));
        } else if self.in_reporting_line(e.person, r.person) {
            let (t, b) = (e.person as usize, r.person as usize);
            let sentence = if self.tin[b] <= self.tin[t] && self.tout[t] <= self.tout[b] {
                format!(
                    "{rn} is in {en}'s management chain (manages them directly or through others)"
                )
            } else {
                format!("{en} manages {rn}, directly or through others")
            };
            push(Rule::ReportingLine, sentence);
        }
        if !self.seniority_ok(e, r) {
            let who = |f: &Features| {
                format!(
                    "{} with {} years",
                    Level::from_rank(f.level).map_or("?", Level::label),
                    f.years
                )
            };
            let n = self.min_years;
            let need = match self.rule {
                SeniorityRule::Ahead => format!(
                    "the mentor must be at a higher level, or the same level with at least {n} more years"
                ),
                SeniorityRule::Reverse => format!(
                    "in reverse mentoring the mentee must be at a higher level, or the same level with at least {n} more years"
                ),
                SeniorityRule::Similar => format!(
                    "peers must be at the same level and within {} years of experience",
                    self.similar_gap
                ),
            };
            push(
                Rule::Seniority,
                format!("{need}: mentor is {}, mentee {}", who(r), who(e)),
            );
        }
        if !self.level_gap_ok(e.level, r.level) {
            push(Rule::LevelGap, self.level_gap_sentence(e.level, r.level));
        }
        if self.rule == SeniorityRule::Reverse && !r.offers_reverse_area {
            let areas = &model.settings.seniority.reverse_skill_areas;
            push(
                Rule::SkillArea,
                if areas.is_empty() {
                    "the reverse mentor offers no skills".to_string()
                } else {
                    format!(
                        "the reverse mentor offers none of the programme's skill areas: {}",
                        areas.join(", ")
                    )
                },
            );
        }
        if model.settings.reach.require_shared_language && !shares_language(model, e, r) {
            let names = |f: &Features| {
                if f.languages.is_empty() {
                    "no language listed".to_string()
                } else {
                    f.languages
                        .iter()
                        .map(|&l| model.languages.name(l))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            push(
                Rule::SharedLanguage,
                format!(
                    "no shared language: mentee speaks {}, mentor speaks {}",
                    names(e),
                    names(r)
                ),
            );
        }
        if let Some(max) = self.max_tz_minutes {
            let d = Model::tz_distance(e, r);
            if d > max {
                push(
                    Rule::TimeZoneDistance,
                    format!(
                        "time zones {} apart ({} and {}), more than the {} allowed",
                        hm(d),
                        model.zones.name(e.zone),
                        model.zones.name(r.zone),
                        hm(max)
                    ),
                );
            }
        }
        if let Some(min) = self.min_overlap_quarters {
            let q = overlap_quarters(&e.avail, &r.avail);
            if q < min {
                push(
                    Rule::AvailabilityOverlap,
                    format!(
                        "{} hours a week of shared availability, less than the {} required",
                        f64::from(q) / 4.0,
                        f64::from(min) / 4.0
                    ),
                );
            }
        }
        if model.enforce_hard {
            for (who, me, other, them) in [("mentee", e, r, "mentor"), ("mentor", r, e, "mentee")] {
                if let Some((g, true)) = me.prefs.gender {
                    if other.gender != Some(g) {
                        push(
                            Rule::HardPreference,
                            format!(
                                "the {who} requires a {} {them}; the {them}'s gender is {}",
                                model.genders.name(g),
                                other.gender.map_or("not given", |x| model.genders.name(x))
                            ),
                        );
                    }
                }
                if let Some((d, true)) = me.prefs.department {
                    if !dept_ok(d, me.department, other.department) {
                        push(
                            Rule::HardPreference,
                            format!(
                                "the {who} requires a {them} from {} department",
                                match d {
                                    crate::profile::DepartmentChoice::Same => "the same",
                                    crate::profile::DepartmentChoice::Different => "a different",
                                }
                            ),
                        );
                    }
                }
                if me.prefs.avoid.iter().any(|&(p, h)| h && p == other.person) {
                    push(
                        Rule::HardPreference,
                        format!("the {who} asked never to be matched with this {them}"),
                    );
                }
            }
        }
        for &(m, rule) in self.forbidden_for(i) {
            if m as usize == j {
                push(
                    rule,
                    match rule {
                        Rule::Excluded => "the programme managers excluded this pair".to_string(),
                        _ => "this pair was matched before, or one of them declined".to_string(),
                    },
                );
            }
        }
        let s = model.score(i, j);
        if s < self.floor {
            push(
                Rule::QualityFloor,
                format!(
                    "the score {} is below the quality floor of {}",
                    crate::fixed::format_micros(i128::from(s)),
                    crate::fixed::format_micros(i128::from(self.floor))
                ),
            );
        }
        out
    }

    /// The rules that block a pair, as a bit mask (`1 << rule as u16`); the
    /// same rules as [`Rules::why_not`] without building sentences, except
    /// that the quality floor is only checked when no other rule blocks.
    pub fn blocking(&self, model: &Model, i: usize, j: usize) -> u16 {
        let (e, r) = (&model.mentees[i], &model.mentors[j]);
        let mut mask = 0u16;
        let mut set = |rule: Rule| mask |= 1 << rule as u16;
        if e.person == r.person {
            set(Rule::SamePerson);
        } else if self.in_reporting_line(e.person, r.person) {
            set(Rule::ReportingLine);
        }
        if !self.seniority_ok(e, r) {
            set(Rule::Seniority);
        }
        if !self.level_gap_ok(e.level, r.level) {
            set(Rule::LevelGap);
        }
        if self.rule == SeniorityRule::Reverse && !r.offers_reverse_area {
            set(Rule::SkillArea);
        }
        if model.settings.reach.require_shared_language && !shares_language(model, e, r) {
            set(Rule::SharedLanguage);
        }
        if self
            .max_tz_minutes
            .is_some_and(|max| Model::tz_distance(e, r) > max)
        {
            set(Rule::TimeZoneDistance);
        }
        if self
            .min_overlap_quarters
            .is_some_and(|min| overlap_quarters(&e.avail, &r.avail) < min)
        {
            set(Rule::AvailabilityOverlap);
        }
        if model.enforce_hard && hard_preference_broken(e, r) {
            set(Rule::HardPreference);
        }
        for &(m, rule) in self.forbidden_for(i) {
            if m as usize == j {
                set(rule);
            }
        }
        // Scoring is the expensive part: only when nothing else blocks.
        if mask == 0 && model.score(i, j) < self.floor {
            mask |= 1 << Rule::QualityFloor as u16;
        }
        mask
    }

    /// Why a pair's level gap is outside the limits, naming both levels and the
    /// settings that set the limits, so a manager knows what to change.
    fn level_gap_sentence(&self, e_level: u8, r_level: u8) -> String {
        let label = |l: u8| Level::from_rank(l).map_or("?", Level::label);
        let gap = self.level_gap(e_level, r_level);
        let (first, second) = if self.rule == SeniorityRule::Reverse {
            ("mentee", "mentor")
        } else {
            ("mentor", "mentee")
        };
        let levels = |n: i8| format!("{n} level{}", if n.abs() == 1 { "" } else { "s" });
        let is = match gap {
            0 => format!("the {first} is at the same level as the {second}"),
            g if g > 0 => format!("the {first} is {} ahead of the {second}", levels(g)),
            g => format!("the {first} is {} behind the {second}", levels(-g)),
        };
        let allowed = match (self.min_level_gap, self.max_level_gap) {
            (i8::MIN, hi) => format!("at most {} ahead (seniority.max_level_gap)", levels(hi)),
            (lo, i8::MAX) => format!("at least {} ahead (seniority.min_level_gap)", levels(lo)),
            (lo, hi) if lo == hi => format!(
                "exactly {} ahead (seniority.min_level_gap and seniority.max_level_gap)",
                levels(lo)
            ),
            (lo, hi) => format!(
                "between {lo} and {} ahead (seniority.min_level_gap and seniority.max_level_gap)",
                levels(hi)
            ),
        };
        format!(
            "{is} (mentor is {}, mentee {}); the programme allows {allowed}",
            label(r_level),
            label(e_level),
        )
    }

    /// Resolves the pinned pairs to indices, refusing any that breaks a rule
    /// or names an unknown person.
    pub fn pins(&self, model: &Model) -> Result<Vec<(u32, u32)>, PinRefused> {
        let mut out = Vec::new();
        for p in &model.settings.pinned {
            let i = model.mentee_ids.iter().position(|x| *x == p.mentee);
            let j = model.mentor_ids.iter().position(|x| *x == p.mentor);
            let (Some(i), Some(j)) = (i, j) else {
                return Err(PinRefused {
                    mentee: p.mentee.clone(),
                    mentor: p.mentor.clone(),
                    reasons: vec![Blocker {
                        rule: Rule::Excluded,
                        sentence: format!(
                            "{} is not among the {}",
                            if i.is_none() { &p.mentee } else { &p.mentor },
                            if i.is_none() { "mentees" } else { "mentors" }
                        ),
                    }],
                });
            };
            let reasons = self.why_not(model, i, j);
            if !reasons.is_empty() {
                return Err(PinRefused {
                    mentee: p.mentee.clone(),
                    mentor: p.mentor.clone(),
                    reasons,
                });
            }
            out.push((i as u32, j as u32));
        }
        Ok(out)
    }
}

fn hm(minutes: u32) -> String {
    if minutes.is_multiple_of(60) {
        format!("{} h", minutes / 60)
    } else {
        format!("{} h {} min", minutes / 60, minutes % 60)
    }
}

fn dept_ok(
    choice: crate::profile::DepartmentChoice,
    mine: Option<u32>,
    theirs: Option<u32>,
) -> bool {
    use crate::profile::DepartmentChoice::*;
    match (mine, theirs) {
        (Some(a), Some(b)) => match choice {
            Same => a == b,
            Different => a != b,
        },
        _ => false,
    }
}

/// True when a hard stated preference of either person is not met.
#[inline]
pub fn hard_preference_broken(e: &Features, r: &Features) -> bool {
    for (me, other) in [(e, r), (r, e)] {
        if let Some((g, true)) = me.prefs.gender {
            if other.gender != Some(g) {
                return true;
            }
        }
        if let Some((d, true)) = me.prefs.department {
            if !dept_ok(d, me.department, other.department) {
                return true;
            }
        }
        if me.prefs.avoid.iter().any(|&(p, h)| h && p == other.person) {
            return true;
        }
    }
    false
}

/// True when the two people share a language.
#[inline]
pub fn shares_language(model: &Model, e: &Features, r: &Features) -> bool {
    if e.lang_mask & r.lang_mask == 0 {
        return false;
    }
    if model.lang_mask_exact {
        return true;
    }
    e.languages
        .iter()
        .any(|l| r.languages.binary_search(l).is_ok())
}

/// Entry and exit times of a DFS over the management forest.
fn euler_tour(managers: &[Option<u32>]) -> (Vec<u32>, Vec<u32>) {
    let n = managers.len();
    // Break cycles: follow each chain, marking; a node met again on the
    // current walk closes a cycle, and its manager link is dropped.
    let mut parent: Vec<Option<u32>> = managers.to_vec();
    let mut state = vec![0u8; n]; // 0 new, 1 on current walk, 2 done
    for start in 0..n {
        let mut path = Vec::new();
        let mut x = start;
        loop {
            match state[x] {
                2 => break,
                1 => {
                    parent[x] = None;
                    break;
                }
                _ => {}
            }
            state[x] = 1;
            path.push(x);
            match parent[x] {
                Some(p) if (p as usize) < n => x = p as usize,
                _ => break,
            }
        }
        for p in path {
            state[p] = 2;
        }
    }
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (c, p) in parent.iter().enumerate() {
        if let Some(p) = p {
            if (*p as usize) < n {
                children[*p as usize].push(c as u32);
            }
        }
    }
    let mut tin = vec![0u32; n];
    let mut tout = vec![0u32; n];
    let mut clock = 0u32;
    let mut stack: Vec<(u32, usize)> = Vec::new();
    for root in 0..n {
        if parent[root].is_some_and(|p| (p as usize) < n) {
            continue;
        }
        stack.push((root as u32, 0));
        tin[root] = clock;
        clock += 1;
        while let Some(&mut (v, ref mut k)) = stack.last_mut() {
            if let Some(&c) = children[v as usize].get(*k) {
                *k += 1;
                tin[c as usize] = clock;
                clock += 1;
                stack.push((c, 0));
            } else {
                tout[v as usize] = clock;
                clock += 1;
                stack.pop();
            }
        }
    }
    (tin, tout)
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::profile::{Preference, Profile, Strength};
    use crate::score::tests::person;
    use crate::settings::{PairIds, ProgrammeKind, Settings};

    fn rules_for(e: Vec<Profile>, r: Vec<Profile>, s: &Settings) -> (Model, Rules) {
        let m = Model::build(&e, &r, s).unwrap();
        let rules = Rules::build(&m);
        (m, rules)
    }

    #[test]
    fn years_range_is_exactly_the_seniority_rule_and_the_level_gap() {
        for kind in [
            ProgrammeKind::OneToOne,
            ProgrammeKind::Reverse,
            ProgrammeKind::Peer,
        ] {
            for ((min, gap), levels) in [(0u16, 0u16), (3, 5), (40, 2)].into_iter().flat_map(|y| {
                [
                    (None, None),
                    (Some(1), None),
                    (None, Some(1)),
                    (Some(0), Some(0)),
                    (Some(-1), Some(2)),
                ]
                .map(|l| (y, l))
            }) {
                let mut s = Settings::default();
                s.kind = kind;
                s.seniority.min_years_ahead = min;
                s.seniority.similar_max_years_gap = gap;
                (s.seniority.min_level_gap, s.seniority.max_level_gap) = levels;
                let (_, rules) = rules_for(Vec::new(), Vec::new(), &s);
                for el in 0..3u8 {
                    for rl in 0..3u8 {
                        for ey in [0u16, 1, 2, 3, 5, 10, 39, 40, 41, 60, u16::MAX - 2] {
                            let range = rules.years_range(el, ey, rl);
                            for ry in (0..=80u16).chain([u16::MAX - 3, u16::MAX]) {
                                let inside = range.is_some_and(|(lo, hi)| lo <= ry && ry <= hi);
                                // The rule's own sum may overflow at the top of u16.
                                if u32::from(ey) + u32::from(min.max(gap)) > u32::from(u16::MAX)
                                    || u32::from(ry) + u32::from(min.max(gap)) > u32::from(u16::MAX)
                                {
                                    continue;
                                }
                                assert_eq!(
                                    inside,
                                    rules.seniority_ranks_ok(el, ey, rl, ry)
                                        && rules.level_gap_ok(el, rl),
                                    "{kind:?} min {min} gap {gap} levels {levels:?}: {el}/{ey} vs {rl}/{ry}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn reporting_line_blocks_up_and_down_the_chain() {
        let mut a = person("a", Level::ProfessionalContributor, 1);
        a.manager = Some("b".into());
        let mut b = person("b", Level::TeamLeader, 5);
        b.manager = Some("c".into());
        let c = person("c", Level::LeaderOfLeaders, 20);
        let d = person("d", Level::LeaderOfLeaders, 20);
        let (m, rules) = rules_for(
            vec![a.clone()],
            vec![c.clone(), d, b.clone()],
            &Settings::default(),
        );
        let why = rules.why_not(&m, 0, 0);
        assert_eq!(why.len(), 1);
        assert_eq!(why[0].rule, Rule::ReportingLine);
        assert!(rules.eligible(&m, 0, 1).is_some());
        assert_eq!(rules.why_not(&m, 0, 2)[0].rule, Rule::ReportingLine);
        // Down the chain: c as a mentee of a (reverse programme) is blocked too.
        let s = Settings::default_for(ProgrammeKind::Reverse);
        let (m, rules) = rules_for(vec![c, b], vec![a], &s);
        assert!(rules
            .why_not(&m, 0, 0)
            .iter()
            .any(|b| b.rule == Rule::ReportingLine));
    }

    #[test]
    fn manager_cycles_do_not_hang() {
        let mut a = person("a", Level::ProfessionalContributor, 1);
        a.manager = Some("b".into());
        let mut b = person("b", Level::TeamLeader, 5);
        b.manager = Some("a".into());
        let (m, rules) = rules_for(vec![a], vec![b], &Settings::default());
        assert!(rules
            .why_not(&m, 0, 0)
            .iter()
            .any(|x| x.rule == Rule::ReportingLine));
    }

    #[test]
    fn why_not_lists_every_rule() {
        let mut e = person("e", Level::TeamLeader, 10);
        e.languages = vec!["Portuguese".into()];
        e.time_zone = "America/Sao_Paulo".into();
        e.preferences.gender = Some(Preference {
            value: "woman".into(),
            strength: Strength::Hard,
        });
        let r = {
            let mut r = person("r", Level::TeamLeader, 11);
            r.time_zone = "Asia/Tokyo".into();
            r
        };
        let mut s = Settings::default();
        s.seniority.min_level_gap = Some(1);
        s.reach.max_time_zone_hours = Some(6.0);
        s.reach.min_overlap_hours = Some(1.0);
        s.quality_floor = 99.0;
        s.excluded.push(PairIds {
            mentee: "e".into(),
            mentor: "r".into(),
        });
        let (m, rules) = rules_for(vec![e], vec![r], &s);
        let why = rules.why_not(&m, 0, 0);
        let got: Vec<Rule> = why.iter().map(|b| b.rule).collect();
        assert_eq!(
            got,
            vec![
                Rule::Seniority,
                Rule::LevelGap,
                Rule::SharedLanguage,
                Rule::TimeZoneDistance,
                Rule::AvailabilityOverlap,
                Rule::HardPreference,
                Rule::Excluded,
                Rule::QualityFloor
            ],
            "{why:?}"
        );
        assert!(
            why[2].sentence.contains("portuguese"),
            "{}",
            why[2].sentence
        );
        assert!(rules.eligible(&m, 0, 0).is_none());
    }

    #[test]
    fn seniority_per_kind() {
        let tl3 = person("a", Level::TeamLeader, 3);
        let tl6 = person("b", Level::TeamLeader, 6);
        let lol = person("c", Level::LeaderOfLeaders, 4);
        let (m, rules) = rules_for(
            vec![tl3.clone()],
            vec![tl6.clone(), lol.clone()],
            &Settings::default(),
        );
        assert!(rules.eligible(&m, 0, 0).is_some());
        assert!(rules.eligible(&m, 0, 1).is_some());
        let (m, rules) = rules_for(vec![tl6.clone()], vec![tl3.clone()], &Settings::default());
        assert_eq!(rules.why_not(&m, 0, 0)[0].rule, Rule::Seniority);
        // Reverse: senior mentee, and the mentor must offer a named area.
        let mut s = Settings::default_for(ProgrammeKind::Reverse);
        s.seniority.reverse_skill_areas = vec!["AI tools".into()];
        let mut junior = tl3.clone();
        junior.skills_offered = vec![crate::profile::Skill {
            name: "ai tools".into(),
            priority: 1,
        }];
        let (m, rules) = rules_for(vec![lol.clone()], vec![junior, tl6.clone()], &s);
        assert!(rules.eligible(&m, 0, 0).is_some());
        assert_eq!(rules.why_not(&m, 0, 1)[0].rule, Rule::SkillArea);
        // Similar: same level within 5 years.
        let s = Settings::default_for(ProgrammeKind::Peer);
        let (m, rules) = rules_for(vec![tl3], vec![tl6, lol], &s);
        assert!(rules.eligible(&m, 0, 0).is_some());
        assert_eq!(rules.why_not(&m, 0, 1)[0].rule, Rule::Seniority);
    }

    #[test]
    fn level_gap_limits_follow_the_programme_direction() {
        let pc = person("pc", Level::ProfessionalContributor, 2);
        let tl = person("tl", Level::TeamLeader, 8);
        let lol = person("lol", Level::LeaderOfLeaders, 20);
        // Ahead: mentor minus mentee, at most 1.
        let mut s = Settings::default();
        s.seniority.max_level_gap = Some(1);
        let (m, rules) = rules_for(vec![pc.clone()], vec![tl.clone(), lol.clone()], &s);
        assert!(rules.eligible(&m, 0, 0).is_some());
        assert!(rules.eligible(&m, 0, 1).is_none());
        assert!(!rules.compatible(&m, &m.mentees[0], &m.mentors[1]));
        assert_eq!(rules.blocking(&m, 0, 1), 1 << Rule::LevelGap as u16);
        let why = rules.why_not(&m, 0, 1);
        assert_eq!(why.len(), 1, "{why:?}");
        assert_eq!(why[0].rule, Rule::LevelGap);
        assert!(
            why[0].sentence.contains("2 levels ahead"),
            "{}",
            why[0].sentence
        );
        // Reverse: mentee minus mentor, so the same limit keeps a leader of leaders
        // from a contributor mentor and lets a team leader through.
        let mut s = Settings::default_for(ProgrammeKind::Reverse);
        s.seniority.max_level_gap = Some(1);
        let mut pc = pc;
        pc.skills_offered = vec![crate::profile::Skill {
            name: "ai tools".into(),
            priority: 1,
        }];
        let (m, rules) = rules_for(vec![lol, tl], vec![pc], &s);
        assert_eq!(rules.why_not(&m, 0, 0)[0].rule, Rule::LevelGap);
        assert!(
            rules.why_not(&m, 0, 0)[0]
                .sentence
                .starts_with("the mentee is 2 levels ahead"),
            "{}",
            rules.why_not(&m, 0, 0)[0].sentence
        );
        assert!(rules.eligible(&m, 1, 0).is_some());
        assert_eq!(Rule::LevelGap.name(), "level_gap");
        assert!(Rule::ALL.contains(&Rule::LevelGap));
    }

    #[test]
    fn pins_that_break_a_rule_are_refused_with_the_rule_named() {
        let e = person("e", Level::TeamLeader, 10);
        let r = person("r", Level::ProfessionalContributor, 1);
        let mut s = Settings::default();
        s.pinned.push(PairIds {
            mentee: "e".into(),
            mentor: "r".into(),
        });
        let (m, rules) = rules_for(vec![e], vec![r], &s);
        let err = rules.pins(&m).unwrap_err();
        assert!(err.to_string().contains("seniority"), "{err}");
    }
}
