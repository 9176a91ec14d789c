//! Compatibility scores from 0 to 100 points, each with its explanation.
//!
//! [`Model::build`] turns mentee and mentor [`Profile`]s into compact features:
//! interned ids (sorted `u32`), a 64-bit language mask, a 672-bit quarter-hour
//! availability bitset on the reference week in UTC, and a TF-IDF vector.
//!
//! # The score is a sum of integers
//! Scores are fixed-point micro-units ([`crate::fixed::SCALE`] per point). A
//! criterion with weight `w` out of a weight total `W` is worth at most
//! `Wc = floor(100 * SCALE * w / W)` micro-units, and its points are a sum of
//! integer parts, each rounded down:
//! - skills: for each wanted skill the mentor offers, `floor(Wc * p / P)` where
//!   `p` is its priority and `P` the sum of the mentee's wanted priorities;
//! - goals, interests: for each shared tag, `floor(Wc / n)` where `n` is the
//!   mentee's number of tags;
//! - answers: for each shared option of question `q`, `floor(Wc * wq / (Wm * k))`
//!   where `wq` is the question's weight, `Wm` the weight of the questions the
//!   mentee answered and `k` the mentee's number of options for `q`;
//! - goal text: for each shared term, `floor(Wc * a * b)` (TF-IDF weights);
//! - level gap, availability, time zone and preferences: one table look-up each.
//!
//! Because every part is an integer computed the same way wherever it is
//! computed, the items of an [`Explanation`] add up exactly to the score, and
//! the inverted-index path in [`crate::candidates`] reproduces [`Model::score`]
//! to the micro-unit. No score exceeds 100 points.

use foldhash::{HashMap, HashMapExt};

use rayon::prelude::*;

use chrono::{NaiveDate, NaiveTime, TimeZone as _};
use chrono_tz::Tz;

use crate::fixed::{format_micros, SCALE};
use crate::profile::{
    normalise_into, normalise_name, Answer, Attribute, DepartmentChoice, Profile, Strength,
};
use crate::settings::{HardPreferences, SeniorityRule, Settings, SettingsError};
use crate::text::{SparseVec, TextIndex};

/// The most a score can be: 100 points in micro-units.
pub const MAX_SCORE: i64 = 100 * SCALE;

/// 64-bit words in the availability bitset (672 quarter-hours a week).
pub const WEEK_WORDS: usize = 11;
/// Quarter-hours in a week.
pub const WEEK_QUARTERS: u32 = 7 * 24 * 4;

/// One scoring criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Criterion {
    /// Skills wanted vs offered.
    Skills,
    /// Shared goal tags.
    Goals,
    /// Free-text goal similarity.
    GoalText,
    /// Level gap against the ideal.
    LevelGap,
    /// Weekly availability overlap.
    Availability,
    /// Time-zone distance.
    TimeZone,
    /// Shared interests.
    Interests,
    /// Programme question answers.
    Answers,
    /// Soft stated preferences.
    Preferences,
}

impl Criterion {
    /// Every criterion, in explanation order.
    pub const ALL: [Criterion; 9] = [
        Criterion::Skills,
        Criterion::Goals,
        Criterion::GoalText,
        Criterion::LevelGap,
        Criterion::Availability,
        Criterion::TimeZone,
        Criterion::Interests,
        Criterion::Answers,
        Criterion::Preferences,
    ];

    /// Short machine name (`skills`, `goal_text`, ...), as in the settings.
    pub fn name(self) -> &'static str {
        match self {
            Criterion::Skills => "skills",
            Criterion::Goals => "goals",
            Criterion::GoalText => "goal_text",
            Criterion::LevelGap => "level_gap",
            Criterion::Availability => "availability",
            Criterion::TimeZone => "time_zone",
            Criterion::Interests => "interests",
            Criterion::Answers => "answers",
            Criterion::Preferences => "preferences",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// What a pair does not share (see [`Model::gaps`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairGaps {
    /// No hour of the week in common.
    pub no_shared_hours: bool,
    /// No goal in common.
    pub no_shared_goals: bool,
}

/// Who reads an explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Programme managers: everything.
    Manager,
    /// A member (mentee or mentor): never an attribute the other keeps private.
    Member,
}

/// One line of an explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplanationItem {
    /// The criterion.
    pub criterion: Criterion,
    /// Its contribution in micro-units.
    pub points: i64,
    /// A sentence a person understands.
    pub sentence: String,
}

/// A score with the items that make it up; the items add up to `score`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// Total in micro-units.
    pub score: i64,
    /// One item per criterion that earned points and has something to say.
    pub items: Vec<ExplanationItem>,
    /// Points every pair earns alike because nobody stated a preference: not
    /// an item, since "no stated preferences apply" tells the reader nothing.
    /// The items plus these add up to `score`.
    pub unstated: i64,
}

impl Explanation {
    /// One line: `skills +12.5: sentence; goals +5: sentence`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for it in &self.items {
            if !out.is_empty() {
                out.push_str("; ");
            }
            out.push_str(it.criterion.name());
            out.push_str(" +");
            out.push_str(&format_micros(i128::from(it.points)));
            out.push_str(": ");
            out.push_str(&it.sentence);
        }
        if self.unstated > 0 {
            if !out.is_empty() {
                out.push_str("; ");
            }
            out.push_str(UNSTATED_NAME);
            out.push_str(" +");
            out.push_str(&format_micros(i128::from(self.unstated)));
            out.push_str(": ");
            out.push_str(UNSTATED_SENTENCE);
        }
        out
    }
}

/// The name under which [`Explanation::unstated`] points are listed, so that
/// what a reader sees still adds up to the score.
pub const UNSTATED_NAME: &str = "baseline";
/// What [`Explanation::unstated`] points are, in words: every pair earns
/// them alike, so they say nothing about this pair (the issue asked for no
/// line that tells the reader nothing; this one tells them why the points are
/// there, and the total stays checkable).
pub const UNSTATED_SENTENCE: &str =
    "Points every pair earns alike, since nobody stated a preference";

/// A profile that cannot be turned into features.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// The settings are invalid.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// A profile field is unusable.
    #[error("{side} `{id}`, field `{field}`: {message}")]
    Profile {
        /// `mentee` or `mentor`.
        side: &'static str,
        /// The person's id.
        id: String,
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// String interner: names to dense `u32` ids.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    /// The id of a name, adding it when new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(name.to_string(), id);
        self.names.push(name.to_string());
        id
    }

    /// The id of a name once normalised (see [`normalise_name`]), adding it
    /// when new; `None` when nothing is left of it. `buf` is scratch space,
    /// reused so that a name already known costs no allocation.
    pub fn intern_normalised(&mut self, name: &str, buf: &mut String) -> Option<u32> {
        normalise_into(name, buf);
        (!buf.is_empty()).then(|| self.intern(buf))
    }

    /// The id of a name if known.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    /// The name of an id.
    pub fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Stated preferences in interned form; `bool` is "hard and enforced".
#[derive(Debug, Clone, Default)]
pub struct PrefFeatures {
    /// Preferred gender of the other person.
    pub gender: Option<(u32, bool)>,
    /// Same or different department.
    pub department: Option<(DepartmentChoice, bool)>,
    /// People to avoid (interned person ids).
    pub avoid: Vec<(u32, bool)>,
}

/// Compact per-person features.
#[derive(Debug, Clone)]
pub struct Features {
    /// Interned person id (shared by mentees and mentors).
    pub person: u32,
    /// Level rank 0–2.
    pub level: u8,
    /// Years of experience.
    pub years: u16,
    /// As mentee: wanted skill ids with their micro-unit contribution, by id.
    pub wanted: Vec<(u32, i64)>,
    /// As mentee: goal tag ids with contribution.
    pub goals_keyed: Vec<(u32, i64)>,
    /// As mentee: interest ids with contribution.
    pub interests_keyed: Vec<(u32, i64)>,
    /// As mentee: (question, option) ids with contribution.
    pub answers_keyed: Vec<(u32, i64)>,
    /// As mentor: offered skill ids, sorted.
    pub offered: Vec<u32>,
    /// Goal tag ids, sorted.
    pub goals: Vec<u32>,
    /// Interest ids, sorted.
    pub interests: Vec<u32>,
    /// (question, option) ids, sorted.
    pub answers: Vec<u32>,
    /// TF-IDF vector of the free-text goals.
    pub text: SparseVec,
    /// Bit `term % 64` set for each text term (no shared bit: no shared term).
    pub text_mask: u64,
    /// Language ids, sorted.
    pub languages: Vec<u32>,
    /// Bit `id % 64` set for each language.
    pub lang_mask: u64,
    /// Interned time-zone name.
    pub zone: u32,
    /// UTC offset in minutes on the reference week.
    pub offset_minutes: i32,
    /// Availability quarter-hours of the reference week, in UTC.
    pub avail: [u64; WEEK_WORDS],
    /// Number of available quarter-hours.
    pub avail_quarters: u32,
    /// Interned department.
    pub department: Option<u32>,
    /// Interned gender (normalised).
    pub gender: Option<u32>,
    /// Stated preferences.
    pub prefs: PrefFeatures,
    /// Capacity (mentor slots, or mentors wanted by a mentee).
    pub capacity: u32,
    /// Bit per [`Attribute`] kept private.
    pub private: u16,
    /// Reverse programmes: offers one of the named skill areas.
    pub offers_reverse_area: bool,
}

impl Features {
    /// True when `attr` must not be shown to the other member.
    pub fn keeps_private(&self, attr: Attribute) -> bool {
        self.private & (1 << attr as u16) != 0
    }
}

/// All features of a run, with the tables that make scoring a few look-ups.
#[derive(Debug, Clone)]
pub struct Model {
    /// The settings used.
    pub settings: Settings,
    /// Mentee ids, by mentee index.
    pub mentee_ids: Vec<String>,
    /// Mentor ids, by mentor index.
    pub mentor_ids: Vec<String>,
    /// Mentee features.
    pub mentees: Vec<Features>,
    /// Mentor features.
    pub mentors: Vec<Features>,
    /// Person ids (mentees, mentors and managers).
    pub people: Interner,
    /// Skills.
    pub skills: Interner,
    /// Goal tags.
    pub goals: Interner,
    /// Interests.
    pub interests: Interner,
    /// (question, option) keys, as `question\u{1f}option`.
    pub answers: Interner,
    /// Languages.
    pub languages: Interner,
    /// Time zones.
    pub zones: Interner,
    /// Departments.
    pub departments: Interner,
    /// Genders.
    pub genders: Interner,
    /// Text dictionary.
    pub text: TextIndex,
    /// Manager of each interned person, if known.
    pub managers: Vec<Option<u32>>,
    /// Maximum points per criterion (micro-units), by [`Criterion`] order.
    pub cap: [i64; 9],
    /// Level points by (mentee rank, mentor rank).
    pub level_table: [[i64; 3]; 3],
    /// Time-zone points by distance in minutes / 15 (0..=48).
    pub tz_table: Vec<i64>,
    /// Availability points by overlapping quarter-hours (0..=672).
    pub avail_table: Vec<i64>,
    /// True when fewer than 65 languages exist, so the mask is exact.
    pub lang_mask_exact: bool,
    /// Whether hard preferences are enforced.
    pub enforce_hard: bool,
}

fn lang_bit(id: u32) -> u64 {
    1u64 << (id % 64)
}

/// Parses an IANA zone name.
pub fn parse_zone(name: &str) -> Option<Tz> {
    name.trim().parse::<Tz>().ok()
}

/// UTC offset of a zone, in minutes, at noon UTC on the given Monday.
fn offset_on(zone: Tz, monday: NaiveDate) -> i32 {
    use chrono::Offset as _;
    let t = monday.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default());
    zone.offset_from_utc_datetime(&t).fix().local_minus_utc() / 60
}

/// Local wall-clock minute of the reference week -> UTC minute of the week
/// (wrapping), using the real zone rules on that date.
fn utc_minute(zone: Tz, monday: NaiveDate, day: u8, minute: u16) -> i64 {
    let date = monday + chrono::Duration::days(i64::from(day));
    let (h, m) = (u32::from(minute / 60), u32::from(minute % 60));
    let local = if h >= 24 {
        (date + chrono::Duration::days(1)).and_time(NaiveTime::MIN)
    } else {
        date.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default())
    };
    let utc = match zone.from_local_datetime(&local).earliest() {
        Some(t) => t.naive_utc(),
        // A local time skipped by a clock change: shift by an hour.
        None => zone
            .from_local_datetime(&(local + chrono::Duration::hours(1)))
            .earliest()
            .map_or(local, |t| t.naive_utc()),
    };
    let start = monday.and_time(NaiveTime::MIN);
    (utc - start).num_minutes().rem_euclid(7 * 24 * 60)
}

/// Counts shared quarter-hours.
#[inline]
pub fn overlap_quarters(a: &[u64; WEEK_WORDS], b: &[u64; WEEK_WORDS]) -> u32 {
    let mut n = 0;
    for k in 0..WEEK_WORDS {
        n += (a[k] & b[k]).count_ones();
    }
    n
}

/// Sum of contributions for keys the mentor also has (merge of sorted lists).
#[inline]
fn keyed_sum(keyed: &[(u32, i64)], other: &[u32]) -> i64 {
    let (mut i, mut j, mut s) = (0, 0, 0i64);
    while i < keyed.len() && j < other.len() {
        let (k, c) = keyed[i];
        match k.cmp(&other[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += c;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

/// Text points for one shared term: `floor(cap * a * b)`.
///
/// Caps and term weights are never negative, so the product is not either and
/// truncation is its floor; `as` truncates without the call to `floor` that
/// x86-64's baseline instruction set needs.
#[inline]
pub fn text_part(cap: i64, a: f32, b: f32) -> i64 {
    let x = cap as f64 * f64::from(a) * f64::from(b);
    debug_assert!(x >= 0.0, "text weights and caps are not negative");
    x as i64
}

fn sorted_ids(it: impl IntoIterator<Item = u32>) -> Vec<u32> {
    let mut v: Vec<u32> = it.into_iter().collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// `floor(cap * num / den)` without overflow.
pub(crate) fn share(cap: i64, num: u64, den: u64) -> i64 {
    if den == 0 {
        return 0;
    }
    (i128::from(cap) * i128::from(num) / i128::from(den)) as i64
}

/// The bit of a text term in [`Features::text_mask`].
#[inline]
pub(crate) fn text_bit(term: u32) -> usize {
    (term % 64) as usize
}

/// Time zones parsed so far while building features: each name's zone and UTC
/// offset, and the UTC minute of each (zone, day, local minute) of the week.
#[derive(Default)]
struct ZoneCache {
    offsets: HashMap<String, (Tz, i32)>,
    utc: HashMap<(Tz, u8, u16), i64>,
}

impl Model {
    /// Builds features for every mentee and mentor. Ids must be unique within
    /// each side; time zones must be IANA names.
    pub fn build(
        mentees: &[Profile],
        mentors: &[Profile],
        settings: &Settings,
    ) -> Result<Model, ModelError> {
        settings.validate()?;
        let monday = settings.reference_monday()?;
        let w = &settings.weights;
        let total = w.total();
        let caps_w = [
            w.skills,
            w.goals,
            w.goal_text,
            w.level_gap,
            w.availability,
            w.time_zone,
            w.interests,
            w.answers,
            w.preferences,
        ];
        let mut cap = [0i64; 9];
        for (c, &wc) in cap.iter_mut().zip(caps_w.iter()) {
            *c = share(MAX_SCORE, u64::from(wc), total);
        }
        let mut m = Model {
            settings: settings.clone(),
            mentee_ids: Vec::with_capacity(mentees.len()),
            mentor_ids: Vec::with_capacity(mentors.len()),
            mentees: Vec::with_capacity(mentees.len()),
            mentors: Vec::with_capacity(mentors.len()),
            people: Interner::default(),
            skills: Interner::default(),
            goals: Interner::default(),
            interests: Interner::default(),
            answers: Interner::default(),
            languages: Interner::default(),
            zones: Interner::default(),
            departments: Interner::default(),
            genders: Interner::default(),
            text: TextIndex::default(),
            managers: Vec::new(),
            cap,
            level_table: [[0; 3]; 3],
            tz_table: Vec::new(),
            avail_table: Vec::new(),
            lang_mask_exact: true,
            enforce_hard: settings.hard_preferences == HardPreferences::Enforce,
        };
        m.fill_tables();
        // Goal texts (split, counted, then turned into vectors, all in parallel) do
        // not depend on the rest of the features, which are built in one pass
        // because names are numbered in order of first appearance: the two run side
        // by side, and each person's text vector is set afterwards.
        let ((text, vectors), built) = rayon::join(
            || {
                let split: Vec<crate::text::Terms> = mentees
                    .par_iter()
                    .chain(mentors.par_iter())
                    .map(|p| crate::text::terms(&p.goals_text))
                    .collect();
                let index = TextIndex::from_terms(&split);
                let vectors: Vec<SparseVec> =
                    split.par_iter().map(|t| index.vector_of(t)).collect();
                (index, vectors)
            },
            || m.all_features(mentees, mentors, monday),
        );
        built?;
        m.text = text;
        // In order: mentees first, then mentors, as the texts were split.
        for (f, v) in m
            .mentees
            .iter_mut()
            .chain(m.mentors.iter_mut())
            .zip(vectors)
        {
            f.text_mask = v
                .terms
                .iter()
                .fold(0u64, |mask, &t| mask | (1u64 << text_bit(t)));
            f.text = v;
        }
        m.lang_mask_exact = m.languages.len() <= 64;
        // Reporting lines: managers by interned person.
        m.managers = vec![None; m.people.len()];
        for p in mentees.iter().chain(mentors.iter()) {
            if let Some(mgr) = p
                .manager
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                let me = m.people.intern(&p.id);
                let boss = m.people.intern(mgr);
                if m.managers.len() < m.people.len() {
                    m.managers.resize(m.people.len(), None);
                }
                if boss != me {
                    m.managers[me as usize] = Some(boss);
                }
            }
        }
        m.managers.resize(m.people.len(), None);
        Ok(m)
    }

    /// Every person's features except the goal-text vector (left empty), with
    /// ids and names checked, mentees first.
    fn all_features(
        &mut self,
        mentees: &[Profile],
        mentors: &[Profile],
        monday: NaiveDate,
    ) -> Result<(), ModelError> {
        let reverse_areas: Vec<String> = self
            .settings
            .seniority
            .reverse_skill_areas
            .iter()
            .map(|s| normalise_name(s))
            .collect();
        let mut zones = ZoneCache::default();
        for (side, list) in [("mentee", mentees), ("mentor", mentors)] {
            let mut seen: HashMap<&str, ()> = HashMap::with_capacity(list.len());
            for p in list {
                if p.id.is_empty() {
                    return Err(ModelError::Profile {
                        side,
                        id: p.id.clone(),
                        field: "id",
                        message: "is empty".into(),
                    });
                }
                if seen.insert(p.id.as_str(), ()).is_some() {
                    return Err(ModelError::Profile {
                        side,
                        id: p.id.clone(),
                        field: "id",
                        message: format!("appears twice among the {side}s"),
                    });
                }
                let f = self.features(p, side, monday, &reverse_areas, &mut zones)?;
                if side == "mentee" {
                    self.mentee_ids.push(p.id.clone());
                    self.mentees.push(f);
                } else {
                    self.mentor_ids.push(p.id.clone());
                    self.mentors.push(f);
                }
            }
        }
        Ok(())
    }

    fn fill_tables(&mut self) {
        let s = &self.settings;
        let rule = s.kind.seniority_rule();
        let lvl_cap = self.cap[Criterion::LevelGap.index()];
        for e in 0..3i32 {
            for r in 0..3i32 {
                let gap = if rule == SeniorityRule::Reverse {
                    e - r
                } else {
                    r - e
                };
                let diff = gap - i32::from(s.level_gap.ideal);
                let frac = if diff < 0 {
                    1.0 - s.level_gap.penalty_short * f64::from(-diff)
                } else {
                    1.0 - s.level_gap.penalty_over * f64::from(diff)
                };
                self.level_table[e as usize][r as usize] =
                    (lvl_cap as f64 * frac.clamp(0.0, 1.0)).floor() as i64;
            }
        }
        let tz_cap = self.cap[Criterion::TimeZone.index()];
        self.tz_table = (0..=48u64).map(|q| share(tz_cap, 48 - q, 48)).collect();
        let av_cap = self.cap[Criterion::Availability.index()];
        let target = ((s.reach.target_overlap_hours * 4.0).round() as u64).max(1);
        self.avail_table = (0..=u64::from(WEEK_QUARTERS))
            .map(|q| share(av_cap, q.min(target), target))
            .collect();
    }

    fn features(
        &mut self,
        p: &Profile,
        side: &'static str,
        monday: NaiveDate,
        reverse_areas: &[String],
        zones: &mut ZoneCache,
    ) -> Result<Features, ModelError> {
        let err = |field: &'static str, message: String| ModelError::Profile {
            side,
            id: p.id.clone(),
            field,
            message,
        };
        let zone_name = p.time_zone.trim();
        let zone_name = if zone_name.is_empty() {
            "UTC"
        } else {
            zone_name
        };
        let (tz, offset) = match zones.offsets.get(zone_name) {
            Some(&z) => z,
            None => {
                let tz = parse_zone(zone_name).ok_or_else(|| {
                    err(
                        "time_zone",
                        format!(
                            "`{zone_name}` is not an IANA time zone (for example Europe/Lisbon)"
                        ),
                    )
                })?;
                let z = (tz, offset_on(tz, monday));
                zones.offsets.insert(zone_name.to_string(), z);
                z
            }
        };
        let mut avail = [0u64; WEEK_WORDS];
        for wdw in &p.availability {
            if wdw.end_minute > 1440 || wdw.start_minute >= 1440 {
                return Err(err(
                    "availability",
                    "times must be between 00:00 and 24:00".into(),
                ));
            }
            if wdw.end_minute <= wdw.start_minute {
                continue;
            }
            let day = wdw.day.index();
            let a = *zones
                .utc
                .entry((tz, day, wdw.start_minute))
                .or_insert_with(|| utc_minute(tz, monday, day, wdw.start_minute));
            let len = i64::from(wdw.end_minute - wdw.start_minute);
            // Quarter-hours, rounded to the nearest quarter.
            let qa = (a + 7) / 15;
            let qb = (a + len + 7) / 15;
            for q in qa..qb {
                let q = q.rem_euclid(i64::from(WEEK_QUARTERS)) as usize;
                avail[q / 64] |= 1u64 << (q % 64);
            }
        }
        let avail_quarters = avail.iter().map(|w| w.count_ones()).sum();

        // Skills wanted, priority-weighted contributions.
        let mut buf = String::new();
        let mut wanted: Vec<(u32, u8)> = Vec::new();
        for s in &p.skills_wanted {
            if let Some(id) = self.skills.intern_normalised(&s.name, &mut buf) {
                wanted.push((id, s.priority.clamp(1, 5)));
            }
        }
        wanted.sort_unstable();
        wanted.dedup_by_key(|x| x.0);
        let psum: u64 = wanted.iter().map(|&(_, pr)| u64::from(pr)).sum();
        let skill_cap = self.cap[Criterion::Skills.index()];
        let wanted = wanted
            .into_iter()
            .map(|(id, pr)| (id, share(skill_cap, u64::from(pr), psum)))
            .collect();
        let offered = sorted_ids(
            p.skills_offered
                .iter()
                .filter_map(|s| self.skills.intern_normalised(&s.name, &mut buf)),
        );
        let offers_reverse_area = if reverse_areas.is_empty() {
            !offered.is_empty()
        } else {
            p.skills_offered
                .iter()
                .any(|s| reverse_areas.contains(&normalise_name(&s.name)))
        };
        let goals = sorted_ids(
            p.goals
                .iter()
                .filter_map(|g| self.goals.intern_normalised(g, &mut buf)),
        );
        let gcap = self.cap[Criterion::Goals.index()];
        let goals_keyed = goals
            .iter()
            .map(|&g| (g, share(gcap, 1, goals.len() as u64)))
            .collect();
        let interests = sorted_ids(
            p.interests
                .iter()
                .filter_map(|g| self.interests.intern_normalised(g, &mut buf)),
        );
        let icap = self.cap[Criterion::Interests.index()];
        let interests_keyed = interests
            .iter()
            .map(|&g| (g, share(icap, 1, interests.len() as u64)))
            .collect();

        // Answers: (question, option) keys; free text becomes its terms.
        let qweights = &self.settings.questions;
        let mut per_q: Vec<(u64, Vec<u32>)> = Vec::new();
        let mut key = String::new();
        for (q, ans) in &p.answers {
            let qw = if qweights.is_empty() {
                1
            } else {
                u64::from(qweights.get(q).copied().unwrap_or(0))
            };
            if qw == 0 {
                continue;
            }
            // Keys are `question\u{1f}option`, built in one reused buffer.
            let mut ids = Vec::new();
            let mut add = |o: &str| {
                if !o.is_empty() {
                    key.clear();
                    key.push_str(q);
                    key.push('\u{1f}');
                    key.push_str(o);
                    ids.push(self.answers.intern(&key));
                }
            };
            match ans {
                Answer::Choices(c) => {
                    for o in c {
                        normalise_into(o, &mut buf);
                        add(&buf);
                    }
                }
                Answer::Text(t) => {
                    for o in crate::text::tokens(t) {
                        add(&o);
                    }
                }
            }
            let keys = sorted_ids(ids);
            if !keys.is_empty() {
                per_q.push((qw, keys));
            }
        }
        let qsum: u64 = per_q.iter().map(|(w, _)| *w).sum();
        let acap = self.cap[Criterion::Answers.index()];
        let mut answers_keyed: Vec<(u32, i64)> = Vec::new();
        for (qw, keys) in &per_q {
            let c = share(acap, *qw, qsum * keys.len() as u64);
            answers_keyed.extend(keys.iter().map(|&k| (k, c)));
        }
        answers_keyed.sort_unstable();
        let answers = answers_keyed.iter().map(|&(k, _)| k).collect();

        let languages = sorted_ids(
            p.languages
                .iter()
                .filter_map(|g| self.languages.intern_normalised(g, &mut buf)),
        );
        let lang_mask = languages.iter().fold(0u64, |m, &l| m | lang_bit(l));
        let department = p
            .department
            .as_deref()
            .and_then(|d| self.departments.intern_normalised(d, &mut buf));
        let gender = p
            .gender
            .as_deref()
            .and_then(|g| self.genders.intern_normalised(g, &mut buf));
        let enforce = self.settings.hard_preferences == HardPreferences::Enforce;
        let hard = |s: Strength| enforce && s == Strength::Hard;
        let prefs = PrefFeatures {
            gender: p.preferences.gender.as_ref().map(|g| {
                (
                    self.genders.intern(&normalise_name(&g.value)),
                    hard(g.strength),
                )
            }),
            department: p
                .preferences
                .department
                .as_ref()
                .map(|d| (d.value, hard(d.strength))),
            avoid: p
                .preferences
                .avoid
                .iter()
                .map(|a| (self.people.intern(a.value.trim()), hard(a.strength)))
                .collect(),
        };
        let mut private = 0u16;
        for a in Attribute::ALWAYS_PRIVATE.iter().chain(p.private.iter()) {
            private |= 1 << *a as u16;
        }
        Ok(Features {
            person: self.people.intern(&p.id),
            level: p.level.rank(),
            years: p.years,
            wanted,
            goals_keyed,
            interests_keyed,
            answers_keyed,
            offered,
            goals,
            interests,
            answers,
            text_mask: 0,
            text: SparseVec::default(),
            languages,
            lang_mask,
            zone: self.zones.intern(zone_name),
            offset_minutes: offset,
            avail,
            avail_quarters,
            department,
            gender,
            prefs,
            capacity: p.capacity,
            private,
            offers_reverse_area,
        })
    }

    /// Number of mentees.
    pub fn n_mentees(&self) -> usize {
        self.mentees.len()
    }

    /// Number of mentors.
    pub fn n_mentors(&self) -> usize {
        self.mentors.len()
    }

    /// Time-zone distance in minutes: the shorter way around the clock between the two
    /// UTC offsets on the reference week, so never more than 12 hours. UTC+13 and
    /// UTC−8 are 3 hours apart, not 21: 09:00 in Auckland is 12:00 the day before in
    /// Los Angeles, which is what matters for meeting.
    #[inline]
    pub fn tz_distance(a: &Features, b: &Features) -> u32 {
        let d = (a.offset_minutes - b.offset_minutes).unsigned_abs() % 1440;
        d.min(1440 - d)
    }

    /// (stated, met) preference counts for a pair, both sides together.
    pub fn preference_counts(&self, e: &Features, r: &Features) -> (u32, u32) {
        let (mut n, mut m) = (0, 0);
        for (me, other) in [(e, r), (r, e)] {
            if let Some((g, _)) = me.prefs.gender {
                n += 1;
                m += u32::from(other.gender == Some(g));
            }
            if let Some((d, _)) = me.prefs.department {
                n += 1;
                m += u32::from(dept_met(d, me.department, other.department));
            }
            for &(who, _) in &me.prefs.avoid {
                if who == other.person {
                    n += 1;
                }
            }
        }
        (n, m)
    }

    /// Preference points: all met (or none stated) earns the full criterion.
    #[inline]
    pub fn preference_points(&self, e: &Features, r: &Features) -> i64 {
        let cap = self.cap[Criterion::Preferences.index()];
        if e.prefs.gender.is_none()
            && e.prefs.department.is_none()
            && e.prefs.avoid.is_empty()
            && r.prefs.gender.is_none()
            && r.prefs.department.is_none()
            && r.prefs.avoid.is_empty()
        {
            return cap;
        }
        let (n, m) = self.preference_counts(e, r);
        if n == 0 {
            cap
        } else {
            share(cap, u64::from(m), u64::from(n))
        }
    }

    /// Points of every criterion for mentee `i` and mentor `j`, in
    /// [`Criterion::ALL`] order. Their sum is [`Model::score`].
    pub fn breakdown(&self, i: usize, j: usize) -> [i64; 9] {
        let e = &self.mentees[i];
        let r = &self.mentors[j];
        let text_cap = self.cap[Criterion::GoalText.index()];
        let text: i64 = e
            .text
            .shared(&r.text)
            .map(|(_, a, b)| text_part(text_cap, a, b))
            .sum();
        [
            keyed_sum(&e.wanted, &r.offered),
            keyed_sum(&e.goals_keyed, &r.goals),
            text,
            self.level_table[e.level as usize][r.level as usize],
            self.avail_table[overlap_quarters(&e.avail, &r.avail) as usize],
            self.tz_table[(Self::tz_distance(e, r) / 15) as usize],
            keyed_sum(&e.interests_keyed, &r.interests),
            keyed_sum(&e.answers_keyed, &r.answers),
            self.preference_points(e, r),
        ]
    }

    /// The points that do not depend on shared tags or text: level gap,
    /// availability, time zone and preferences.
    #[inline]
    pub fn dense_points(&self, e: &Features, r: &Features) -> i64 {
        self.level_table[e.level as usize][r.level as usize]
            + self.avail_table[overlap_quarters(&e.avail, &r.avail) as usize]
            + self.tz_table[(Self::tz_distance(e, r) / 15) as usize]
            + self.preference_points(e, r)
    }

    /// What mentee `i` and mentor `j` do not share, for the round's quality
    /// signals: weekly hours (none in common, or not given by either) and goals
    /// (no goal chosen by both, and no key word in common in the written ones).
    pub fn gaps(&self, i: usize, j: usize) -> PairGaps {
        let (e, r) = (&self.mentees[i], &self.mentors[j]);
        PairGaps {
            no_shared_hours: overlap_quarters(&e.avail, &r.avail) == 0,
            // Goals are chosen from a list or written: either kind shared counts.
            no_shared_goals: intersect(&e.goals, &r.goals).is_empty()
                && e.text.shared(&r.text).next().is_none(),
        }
    }

    /// Compatibility of mentee `i` with mentor `j`, in micro-units (0 to 100 points).
    pub fn score(&self, i: usize, j: usize) -> i64 {
        self.breakdown(i, j).iter().sum()
    }

    /// The score with one sentence per criterion, for the given audience,
    /// written about "the mentee" and "the mentor" (see [`Model::explain_to`]).
    pub fn explain(&self, i: usize, j: usize, audience: Audience) -> Explanation {
        self.explain_to(i, j, audience, Reader::Neither)
    }

    /// The score with one sentence per criterion that says something, written
    /// to `reader` ("you want delegation; they offer it"). A criterion worth no
    /// points is left out: a line such as "no stated preferences apply" tells
    /// the reader nothing. The items still add up to the score.
    pub fn explain_to(
        &self,
        i: usize,
        j: usize,
        audience: Audience,
        reader: Reader,
    ) -> Explanation {
        let parts = self.breakdown(i, j);
        let e = &self.mentees[i];
        let r = &self.mentors[j];
        let voice = Voice::of(reader);
        let mut items = Vec::new();
        let mut unstated = 0;
        for c in Criterion::ALL {
            if self.cap[c.index()] == 0 || parts[c.index()] == 0 {
                continue;
            }
            if c == Criterion::Preferences && self.preference_counts(e, r).0 == 0 {
                unstated += parts[c.index()];
                continue;
            }
            items.push(ExplanationItem {
                criterion: c,
                points: parts[c.index()],
                sentence: capitalise(&self.sentence(c, e, r, audience, &voice)),
            });
        }
        Explanation {
            score: parts.iter().sum(),
            items,
            unstated,
        }
    }

    fn names(interner: &Interner, ids: &[u32], limit: usize) -> String {
        let v: Vec<&str> = ids.iter().take(limit).map(|&i| interner.name(i)).collect();
        let mut text = match v.as_slice() {
            [] => String::new(),
            [one] => one.to_string(),
            [init @ .., last] if ids.len() <= limit => format!("{} and {last}", init.join(", ")),
            all => all.join(", "),
        };
        if ids.len() > limit {
            text.push_str(&format!(" and {} more", ids.len() - limit));
        }
        text
    }

    fn sentence(
        &self,
        c: Criterion,
        e: &Features,
        r: &Features,
        audience: Audience,
        v: &Voice,
    ) -> String {
        let member = audience == Audience::Member;
        let hidden = |a: Attribute| member && (e.keeps_private(a) || r.keeps_private(a));
        match c {
            Criterion::Skills => {
                let shared: Vec<u32> = e
                    .wanted
                    .iter()
                    .map(|&(k, _)| k)
                    .filter(|k| r.offered.binary_search(k).is_ok())
                    .collect();
                let names = Self::names(&self.skills, &shared, 5);
                if shared.len() == e.wanted.len() {
                    format!(
                        "{} {names}; {} {}",
                        v.mentee_wants,
                        v.mentor_offers,
                        if shared.len() == 1 {
                            "it"
                        } else {
                            "all of them"
                        }
                    )
                } else {
                    format!(
                        "{} {}; {} {names}",
                        v.mentee_wants,
                        plural(e.wanted.len(), "skill", "skills"),
                        v.mentor_offers
                    )
                }
            }
            Criterion::Goals => {
                let shared = intersect(&e.goals, &r.goals);
                format!(
                    "{} share {}: {}",
                    v.both,
                    plural(shared.len(), "goal", "goals"),
                    Self::names(&self.goals, &shared, 5)
                )
            }
            Criterion::GoalText => {
                let mut shared: Vec<(u32, f64)> = e
                    .text
                    .shared(&r.text)
                    .map(|(t, a, b)| (t, f64::from(a) * f64::from(b)))
                    .collect();
                let cos: f64 = shared.iter().map(|x| x.1).sum();
                shared.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                let words: Vec<&str> = shared
                    .iter()
                    .map(|&(t, _)| self.text.term(t))
                    .filter(|w| telling_word(w))
                    .take(4)
                    .collect();
                let percent = ((cos * 100.0).round() as i64).max(1);
                if words.is_empty() {
                    format!("{} written goals are {percent}% alike", v.both_pos)
                } else {
                    format!(
                        "{} written goals are {percent}% alike; both mention {}",
                        v.both_pos,
                        words.join(", ")
                    )
                }
            }
            Criterion::LevelGap => {
                let gap = i32::from(r.level) - i32::from(e.level);
                let ideal = i32::from(self.settings.level_gap.ideal);
                let rule = self.settings.kind.seniority_rule();
                let wanted_gap = if rule == SeniorityRule::Reverse {
                    -gap
                } else {
                    gap
                };
                let verdict = if wanted_gap == ideal {
                    "the ideal gap"
                } else if wanted_gap < ideal {
                    "less than the ideal gap"
                } else {
                    "more than the ideal gap"
                };
                if hidden(Attribute::Level) {
                    format!("the difference in seniority is {verdict}")
                } else {
                    let lvl =
                        |x: u8| crate::profile::Level::from_rank(x).map_or("?", |l| l.label());
                    let years = i32::from(r.years) - i32::from(e.years);
                    let yrs = if hidden(Attribute::Years) || years == 0 {
                        String::new()
                    } else {
                        let n = years.unsigned_abs();
                        format!(
                            " with {n} {} {} of experience",
                            if years > 0 { "more" } else { "fewer" },
                            if n == 1 { "year" } else { "years" }
                        )
                    };
                    format!(
                        "{} a {}{yrs}, {} a {}: {}, {verdict}",
                        v.mentor_is,
                        lvl(r.level),
                        v.mentee_is,
                        lvl(e.level),
                        steps(gap)
                    )
                }
            }
            Criterion::Availability => {
                let q = overlap_quarters(&e.avail, &r.avail);
                format!(
                    "{} have {} a week free at the same time (the programme aims for {})",
                    v.both,
                    hours(f64::from(q) / 4.0),
                    hours(self.settings.reach.target_overlap_hours)
                )
            }
            Criterion::TimeZone => {
                let d = Self::tz_distance(e, r);
                let apart = if d == 0 {
                    format!("{} are on the same clock", v.both)
                } else {
                    format!("{} clocks are {} apart", v.both_pos, hours_text(d))
                };
                if hidden(Attribute::TimeZone) {
                    apart
                } else if e.zone == r.zone {
                    format!("{apart} ({})", self.zones.name(e.zone))
                } else {
                    format!(
                        "{apart} ({} and {})",
                        self.zones.name(e.zone),
                        self.zones.name(r.zone)
                    )
                }
            }
            Criterion::Interests => {
                let shared = intersect(&e.interests, &r.interests);
                if hidden(Attribute::Interests) {
                    format!(
                        "{} share {}",
                        v.both,
                        plural(shared.len(), "interest", "interests")
                    )
                } else {
                    format!(
                        "{} share an interest in {}",
                        v.both,
                        Self::names(&self.interests, &shared, 5)
                    )
                }
            }
            Criterion::Answers => {
                let shared = intersect(&e.answers, &r.answers);
                let mut qs: Vec<&str> = shared
                    .iter()
                    .map(|&k| self.answers.name(k).split('\u{1f}').next().unwrap_or(""))
                    .collect();
                qs.dedup();
                let n = plural(qs.len(), "programme question", "programme questions");
                if hidden(Attribute::Answers) {
                    format!("{} answered {n} alike", v.both)
                } else {
                    format!("{} answered {n} alike ({})", v.both, qs.join(", "))
                }
            }
            Criterion::Preferences => {
                let (n, m) = self.preference_counts(e, r);
                if member {
                    if m == n {
                        "the match meets the stated preferences".into()
                    } else {
                        format!("the match meets {m} of {n} stated preferences")
                    }
                } else {
                    self.preference_detail(e, r)
                }
            }
        }
    }

    fn preference_detail(&self, e: &Features, r: &Features) -> String {
        let mut parts = Vec::new();
        for (who, me, other) in [("mentee", e, r), ("mentor", r, e)] {
            let them = if who == "mentee" { "mentor" } else { "mentee" };
            if let Some((g, hard)) = me.prefs.gender {
                let got = other.gender.map_or("not given", |x| self.genders.name(x));
                let ok = other.gender == Some(g);
                parts.push(format!(
                    "{who} prefers a {} {them} ({}), {them}'s gender is {got}: {}",
                    self.genders.name(g),
                    if hard { "hard" } else { "soft" },
                    if ok { "met" } else { "not met" }
                ));
            }
            if let Some((d, hard)) = me.prefs.department {
                let ok = dept_met(d, me.department, other.department);
                let dn = |x: Option<u32>| x.map_or("unknown", |x| self.departments.name(x));
                parts.push(format!(
                    "{who} prefers a {them} from {} department ({}), departments {} and {}: {}",
                    match d {
                        DepartmentChoice::Same => "the same",
                        DepartmentChoice::Different => "a different",
                    },
                    if hard { "hard" } else { "soft" },
                    dn(me.department),
                    dn(other.department),
                    if ok { "met" } else { "not met" }
                ));
            }
            for &(a, _) in &me.prefs.avoid {
                if a == other.person {
                    parts.push(format!("{who} asked not to be matched with this {them}"));
                }
            }
        }
        parts.join("; ")
    }
}

fn dept_met(choice: DepartmentChoice, mine: Option<u32>, theirs: Option<u32>) -> bool {
    match (mine, theirs) {
        (Some(a), Some(b)) => match choice {
            DepartmentChoice::Same => a == b,
            DepartmentChoice::Different => a != b,
        },
        _ => false,
    }
}

fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    a.iter()
        .copied()
        .filter(|x| b.binary_search(x).is_ok())
        .collect()
}

/// Who reads an explanation, so it can say "you".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// The mentee: "you want …; they offer …".
    Mentee,
    /// The mentor: "they want …; you offer …".
    Mentor,
    /// Someone else (a manager, or a page both members read).
    Neither,
}

/// The words an explanation uses for each side, for one [`Reader`].
struct Voice {
    mentee_wants: &'static str,
    mentor_offers: &'static str,
    mentee_is: &'static str,
    mentor_is: &'static str,
    both: &'static str,
    both_pos: &'static str,
}

impl Voice {
    fn of(reader: Reader) -> Self {
        match reader {
            Reader::Mentee => Voice {
                mentee_wants: "you want",
                mentor_offers: "they offer",
                mentee_is: "you are",
                mentor_is: "they are",
                both: "you both",
                both_pos: "your",
            },
            Reader::Mentor => Voice {
                mentee_wants: "they want",
                mentor_offers: "you offer",
                mentee_is: "they are",
                mentor_is: "you are",
                both: "you both",
                both_pos: "your",
            },
            Reader::Neither => Voice {
                mentee_wants: "the mentee wants",
                mentor_offers: "the mentor offers",
                mentee_is: "the mentee is",
                mentor_is: "the mentor is",
                both: "they both",
                both_pos: "their",
            },
        }
    }
}

/// "1 year", "3 years".
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "1 hour", "2.5 hours".
fn hours(h: f64) -> String {
    if h == 1.0 {
        "1 hour".into()
    } else {
        format!("{h} hours")
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Words that say something about a goal: not filler that the stop-word list
/// leaves in because it can matter in a longer text ("team", "new", "role").
fn telling_word(w: &str) -> bool {
    const FILLER: &[&str] = &[
        "build", "career", "develop", "good", "goal", "grow", "make", "new", "people", "role",
        "skill", "start", "take", "team", "thing", "time", "use",
    ];
    w.chars().count() > 3 && !FILLER.contains(&w)
}

fn steps(gap: i32) -> String {
    match gap {
        0 => "same level".into(),
        1 => "one level ahead".into(),
        -1 => "one level behind".into(),
        g if g > 0 => format!("{g} levels ahead"),
        g => format!("{} levels behind", -g),
    }
}

fn hours_text(minutes: u32) -> String {
    if minutes.is_multiple_of(60) {
        format!("{} h", minutes / 60)
    } else {
        format!("{} h {} min", minutes / 60, minutes % 60)
    }
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
pub(crate) mod tests {
    use super::*;
    use crate::profile::{Level, Preference, Skill, Weekday, Window};
    use proptest::prelude::*;

    #[test]
    fn interning_normalises_and_reuses_ids() {
        let (mut names, mut buf) = (Interner::default(), String::from("stale"));
        let a = names.intern_normalised("  Public   SPEAKING ", &mut buf);
        assert_eq!(a, Some(0));
        assert_eq!(names.intern_normalised("public speaking", &mut buf), a);
        assert_eq!(names.name(0), "public speaking");
        assert_eq!(names.intern_normalised(" \t ", &mut buf), None);
        assert_eq!(names.intern_normalised("Ünïcode Name", &mut buf), Some(1));
        assert_eq!(names.get("ünïcode name"), Some(1));
        assert_eq!(names.len(), 2);
    }

    pub(crate) fn person(id: &str, level: Level, years: u16) -> Profile {
        let mut p = Profile::new(id, level);
        p.years = years;
        p.languages = vec!["English".into()];
        p.time_zone = "Europe/London".into();
        p.availability = vec![Window {
            day: Weekday::Tue,
            start_minute: 9 * 60,
            end_minute: 12 * 60,
        }];
        p
    }

    fn skill(n: &str, p: u8) -> Skill {
        Skill {
            name: n.into(),
            priority: p,
        }
    }

    #[test]
    fn explanation_items_add_up_and_rank_good_pairs_higher() {
        let mut e = person("e", Level::ProfessionalContributor, 2);
        e.skills_wanted = vec![skill("Public speaking", 3), skill("negotiation", 1)];
        e.goals = vec!["leadership".into(), "visibility".into()];
        e.goals_text = "Become confident presenting to executives".into();
        e.interests = vec!["chess".into()];
        let mut good = person("good", Level::TeamLeader, 9);
        good.skills_offered = vec![skill("public speaking", 1)];
        good.goals = vec!["leadership".into()];
        good.goals_text = "I coach people presenting to executives".into();
        good.interests = vec!["Chess".into()];
        let mut poor = person("poor", Level::LeaderOfLeaders, 20);
        poor.time_zone = "Asia/Tokyo".into();
        poor.skills_offered = vec![skill("budgeting", 1)];
        let m = Model::build(&[e], &[good, poor], &Settings::default()).unwrap();
        let a = m.explain(0, 0, Audience::Manager);
        let b = m.explain(0, 1, Audience::Manager);
        assert_eq!(
            a.items.iter().map(|i| i.points).sum::<i64>() + a.unstated,
            a.score
        );
        assert_eq!(a.score, m.score(0, 0));
        assert!(a.score > b.score, "{} vs {}", a.render(), b.render());
        assert!(a.score <= MAX_SCORE);
        // 3 of 4 priority points of 30 for skills.
        assert_eq!(a.items[0].points, 22_500_000);
        assert!(a.render().contains("public speaking"), "{}", a.render());
        // Tokyo is 9 h from London in January.
        assert_eq!(Model::tz_distance(&m.mentees[0], &m.mentors[1]), 9 * 60);
    }

    /// Issue 18 §6: explanations are written to their reader, with correct
    /// plurals, no signed or negative years, no filler words, no line that
    /// says nothing.
    #[test]
    fn explanations_read_as_sentences_to_their_reader() {
        let mut e = person("e", Level::ProfessionalContributor, 12);
        e.skills_wanted = vec![skill("delegation", 1)];
        e.goals = vec!["leadership".into()];
        e.goals_text = "I want to build a new team and grow into leadership".into();
        e.interests = vec!["chess".into()];
        let mut r = person("r", Level::TeamLeader, 11);
        r.skills_offered = vec![skill("delegation", 1), skill("budgeting", 1)];
        r.goals = vec!["leadership".into()];
        r.goals_text = "I help a new team grow into leadership".into();
        r.interests = vec!["chess".into()];
        let m = Model::build(&[e], &[r], &Settings::default()).unwrap();
        let to_mentee = m.explain_to(0, 0, Audience::Member, Reader::Mentee);
        let text: Vec<&str> = to_mentee
            .items
            .iter()
            .map(|i| i.sentence.as_str())
            .collect();
        assert!(
            text.contains(&"You want delegation; they offer it"),
            "{text:?}"
        );
        let to_mentor = m.explain_to(0, 0, Audience::Member, Reader::Mentor);
        assert!(
            to_mentor.items[0].sentence == "They want delegation; you offer it",
            "{:?}",
            to_mentor.items
        );
        let manager = m.explain(0, 0, Audience::Manager);
        let all: Vec<String> = [&to_mentee, &to_mentor, &manager]
            .iter()
            .flat_map(|x| x.items.iter().map(|i| i.sentence.clone()))
            .collect();
        for s in &all {
            assert!(s.starts_with(char::is_uppercase), "{s}");
            for bad in [
                "+1",
                "-1",
                "1 years",
                "1 shared interests",
                "1 goals",
                "no stated preferences",
                " new",
                " team",
            ] {
                assert!(!s.contains(bad), "{bad:?} in {s:?}");
            }
        }
        assert!(
            all.iter().any(|s| s.contains("1 fewer year of experience")),
            "{all:?}"
        );
        assert!(
            all.iter().any(|s| s.contains("share 1 goal: leadership")),
            "{all:?}"
        );
        assert!(
            all.iter().any(|s| s.contains("both mention leadership")),
            "{all:?}"
        );
        assert!(manager.items.iter().all(|i| i.points != 0));
        assert_eq!(
            manager.items.iter().map(|i| i.points).sum::<i64>() + manager.unstated,
            manager.score
        );
    }

    #[test]
    fn member_rendering_hides_private_attributes() {
        let mut e = person("e", Level::ProfessionalContributor, 2);
        e.preferences.gender = Some(Preference {
            value: "Woman".into(),
            strength: Strength::Soft,
        });
        e.preferences.department = Some(Preference {
            value: DepartmentChoice::Different,
            strength: Strength::Soft,
        });
        e.department = Some("Logistics".into());
        let mut r = person("r", Level::TeamLeader, 10);
        r.gender = Some("woman".into());
        r.department = Some("Finance".into());
        r.interests = vec!["sailing".into()];
        r.private = vec![Attribute::Interests, Attribute::Level];
        e.interests = vec!["sailing".into()];
        let m = Model::build(&[e], &[r], &Settings::default()).unwrap();
        let full = m.explain(0, 0, Audience::Manager).render();
        let safe = m.explain(0, 0, Audience::Member);
        let safe_text = safe.render();
        assert!(full.contains("woman") && full.contains("Finance".to_lowercase().as_str()));
        for secret in ["woman", "finance", "logistics", "sailing", "Team Leader"] {
            assert!(
                !safe_text.to_lowercase().contains(&secret.to_lowercase()),
                "{safe_text}"
            );
        }
        assert!(
            safe_text.contains("meets the stated preferences"),
            "{safe_text}"
        );
        assert_eq!(safe.score, m.score(0, 0));
        assert_eq!(
            safe.items.iter().map(|i| i.points).sum::<i64>() + safe.unstated,
            safe.score
        );
    }

    #[test]
    fn availability_uses_reference_week_and_dst() {
        // New York 09:00-12:00 on Tuesday is 14:00-17:00 UTC in January,
        // London 14:00-16:00 is the same in UTC: 2 hours overlap.
        let mut e = person("e", Level::ProfessionalContributor, 1);
        e.time_zone = "America/New_York".into();
        let mut r = person("r", Level::TeamLeader, 5);
        r.availability[0].start_minute = 14 * 60;
        r.availability[0].end_minute = 16 * 60;
        let m = Model::build(&[e.clone()], &[r.clone()], &Settings::default()).unwrap();
        assert_eq!(
            overlap_quarters(&m.mentees[0].avail, &m.mentors[0].avail),
            8
        );
        // In July (DST in both) New York is UTC-4, London UTC+1: 13:00-16:00 vs 13:00-15:00 UTC.
        let mut s = Settings::default();
        s.reach.reference_week = "2026-07-06".into();
        let m = Model::build(&[e], &[r], &s).unwrap();
        assert_eq!(
            overlap_quarters(&m.mentees[0].avail, &m.mentors[0].avail),
            8
        );
        assert_eq!(Model::tz_distance(&m.mentees[0], &m.mentors[0]), 300);
    }

    #[test]
    fn time_zone_distance_goes_around_the_clock() {
        // On the default reference week (January) Auckland keeps daylight time, UTC+13,
        // and Los Angeles standard time, UTC−8: 21 hours apart as offsets, 3 hours
        // apart on the clock.
        let mut e = person("e", Level::ProfessionalContributor, 1);
        e.time_zone = "Pacific/Auckland".into();
        let mut r = person("r", Level::TeamLeader, 5);
        r.time_zone = "America/Los_Angeles".into();
        let mut s = Settings::default();
        s.reach.max_time_zone_hours = Some(3.0);
        let m = Model::build(&[e], &[r], &s).unwrap();
        assert_eq!(m.mentees[0].offset_minutes, 13 * 60);
        assert_eq!(m.mentors[0].offset_minutes, -8 * 60);
        assert_eq!(Model::tz_distance(&m.mentees[0], &m.mentors[0]), 3 * 60);
        // The hard rule measures the same way: three hours are allowed here.
        let rules = crate::constraints::Rules::build(&m);
        assert!(rules.why_not(&m, 0, 0).is_empty());
    }

    #[test]
    fn bad_zone_names_the_person_and_field() {
        let mut e = person("e@x", Level::ProfessionalContributor, 1);
        e.time_zone = "Mars/Olympus".into();
        let err = Model::build(&[e], &[], &Settings::default()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("e@x") && text.contains("time_zone"), "{text}");
    }

    fn arb_profile(id: String) -> impl Strategy<Value = Profile> {
        let names = ["a", "b", "c", "d", "e", "f"];
        (
            0u8..3,
            0u16..30,
            proptest::collection::vec((0usize..6, 1u8..6), 0..4),
            proptest::collection::vec(0usize..6, 0..4),
            proptest::collection::vec(0usize..6, 0..4),
            proptest::collection::vec(0usize..6, 0..3),
            0usize..4,
            (0u8..7, 0u16..1400, 1u16..600),
            proptest::collection::vec(0usize..6, 0..3),
        )
            .prop_map(
                move |(lvl, years, want, off, goals, ints, tz, win, words)| {
                    let mut p = Profile::new(id.clone(), Level::from_rank(lvl).unwrap());
                    p.years = years;
                    p.skills_wanted = want.iter().map(|&(k, pr)| skill(names[k], pr)).collect();
                    p.skills_offered = off.iter().map(|&k| skill(names[k], 1)).collect();
                    p.goals = goals.iter().map(|&k| names[k].to_string()).collect();
                    p.interests = ints.iter().map(|&k| names[k].to_string()).collect();
                    p.languages = vec!["en".into()];
                    p.time_zone =
                        ["UTC", "Europe/Lisbon", "Asia/Kolkata", "America/Chicago"][tz].into();
                    p.availability = vec![Window {
                        day: Weekday::from_index(win.0).unwrap(),
                        start_minute: win.1,
                        end_minute: (win.1 + win.2).min(1440),
                    }];
                    let vocab = [
                        "speaking", "finance", "strategy", "coaching", "hiring", "design",
                    ];
                    p.goals_text = words
                        .iter()
                        .map(|&k| vocab[k])
                        .collect::<Vec<_>>()
                        .join(" ");
                    p.answers.insert(
                        "q1".into(),
                        Answer::Choices(goals.iter().map(|&k| names[k].to_string()).collect()),
                    );
                    p
                },
            )
    }

    proptest! {
        #[test]
        fn items_always_add_up_to_a_score_within_range(
            e in arb_profile("e".into()),
            r in arb_profile("r".into()),
            w in proptest::collection::vec(0u32..50, 9),
        ) {
            let mut s = Settings::default();
            if w.iter().sum::<u32>() > 0 {
                s.weights = crate::settings::Weights {
                    skills: w[0], goals: w[1], goal_text: w[2], level_gap: w[3],
                    availability: w[4], time_zone: w[5], interests: w[6], answers: w[7],
                    preferences: w[8],
                };
            }
            let m = Model::build(&[e], &[r], &s).unwrap();
            for aud in [Audience::Manager, Audience::Member] {
                let x = m.explain(0, 0, aud);
                prop_assert_eq!(x.items.iter().map(|i| i.points).sum::<i64>() + x.unstated, x.score);
                prop_assert_eq!(x.score, m.score(0, 0));
            }
            let b = m.breakdown(0, 0);
            for c in Criterion::ALL {
                prop_assert!(b[c.index()] >= 0 && b[c.index()] <= m.cap[c.index()]);
            }
            prop_assert!(m.score(0, 0) <= MAX_SCORE);
        }
    }
}
