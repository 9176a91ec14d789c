//! The matching input: one person's profile, as a mentee or as a mentor.
//!
//! A profile is plain data (serde, so it can come from a database row, JSON or
//! the CSV reader in the CLI). Nothing here is validated beyond types; the
//! scorer treats unknown time zones as UTC and reports them through
//! [`crate::score::FeatureError`] when asked to be strict.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Leadership level, ordered from least to most senior.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// An individual contributor.
    ProfessionalContributor,
    /// Leads a team of contributors.
    TeamLeader,
    /// Leads other leaders.
    LeaderOfLeaders,
}

impl Level {
    /// Zero-based rank: contributor 0, team leader 1, leader of leaders 2.
    pub fn rank(self) -> u8 {
        match self {
            Level::ProfessionalContributor => 0,
            Level::TeamLeader => 1,
            Level::LeaderOfLeaders => 2,
        }
    }

    /// The level with the given rank, if any.
    pub fn from_rank(rank: u8) -> Option<Level> {
        match rank {
            0 => Some(Level::ProfessionalContributor),
            1 => Some(Level::TeamLeader),
            2 => Some(Level::LeaderOfLeaders),
            _ => None,
        }
    }

    /// A person-readable name ("Team Leader").
    pub fn label(self) -> &'static str {
        match self {
            Level::ProfessionalContributor => "Professional Contributor",
            Level::TeamLeader => "Team Leader",
            Level::LeaderOfLeaders => "Leader of Leaders",
        }
    }

    /// Parses the snake_case name, the label, or a short form (`pc`, `tl`, `lol`, `1`–`3`).
    pub fn parse(text: &str) -> Option<Level> {
        let t: String = text
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        match t.as_str() {
            "professionalcontributor" | "contributor" | "pc" | "ic" | "1" => {
                Some(Level::ProfessionalContributor)
            }
            "teamleader" | "tl" | "2" => Some(Level::TeamLeader),
            "leaderofleaders" | "lol" | "3" => Some(Level::LeaderOfLeaders),
            _ => None,
        }
    }
}

/// A skill with how much it matters: 1 (nice to have) to 5 (essential).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skill {
    /// Skill name; compared case-insensitively after trimming.
    pub name: String,
    /// 1 (nice to have) to 5 (essential). 0 is read as 1.
    #[serde(default = "default_priority")]
    pub priority: u8,
}

fn default_priority() -> u8 {
    1
}

/// Day of the week (ISO order, Monday first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Weekday {
    /// Zero-based index, Monday = 0.
    pub fn index(self) -> u8 {
        self as u8
    }

    /// The day with the given Monday-based index.
    pub fn from_index(i: u8) -> Option<Weekday> {
        [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ]
        .get(usize::from(i))
        .copied()
    }

    /// Parses `mon`, `Monday`, `MON` and so on.
    pub fn parse(text: &str) -> Option<Weekday> {
        let t = text.trim().to_ascii_lowercase();
        let p = t.get(..3)?;
        Some(match p {
            "mon" => Weekday::Mon,
            "tue" => Weekday::Tue,
            "wed" => Weekday::Wed,
            "thu" => Weekday::Thu,
            "fri" => Weekday::Fri,
            "sat" => Weekday::Sat,
            "sun" => Weekday::Sun,
            _ => return None,
        })
    }
}

/// A weekly availability window in the person's local time.
///
/// `end_minute` may be 1440 (midnight at the end of the day). A window with
/// `end_minute <= start_minute` is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// The local weekday.
    pub day: Weekday,
    /// Local start, minutes after midnight (0–1439).
    pub start_minute: u16,
    /// Local end, minutes after midnight (1–1440).
    pub end_minute: u16,
}

/// Whether a stated preference may be broken (soft) or never (hard).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    /// Honoured when possible; adds to the score when met.
    #[default]
    Soft,
    /// A pair that breaks it is not eligible (subject to the settings).
    Hard,
}

/// A preference with its strength.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preference<T> {
    /// What is preferred.
    pub value: T,
    /// Soft or hard.
    #[serde(default)]
    pub strength: Strength,
}

/// Same or different department as the other person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentChoice {
    /// The other person works in the same department.
    Same,
    /// The other person works in a different department.
    Different,
}

/// Preferences a person states about whom they are matched with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    /// Preferred gender of the other person (compared case-insensitively
    /// with their self-described gender; a person who did not describe one
    /// does not meet it).
    #[serde(default)]
    pub gender: Option<Preference<String>>,
    /// Same or different department.
    #[serde(default)]
    pub department: Option<Preference<DepartmentChoice>>,
    /// People (by id) this person does not want to be matched with.
    #[serde(default)]
    pub avoid: Vec<Preference<String>>,
}

impl Preferences {
    /// True when nothing is stated.
    pub fn is_empty(&self) -> bool {
        self.gender.is_none() && self.department.is_none() && self.avoid.is_empty()
    }
}

/// An answer to a programme question: chosen option ids, or free text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    /// Ids of the chosen options (single or multiple choice).
    Choices(Vec<String>),
    /// Free text.
    Text(String),
}

/// Profile attributes a person may keep private from other members.
///
/// Gender, department and reporting line are always treated as private in
/// member-facing explanations; this list adds more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribute {
    /// Self-described gender.
    Gender,
    /// Department.
    Department,
    /// Manager and reporting line.
    ReportingLine,
    /// Leadership level.
    Level,
    /// Years of experience.
    Years,
    /// Languages.
    Languages,
    /// Time zone and availability.
    TimeZone,
    /// Interests.
    Interests,
    /// Answers to programme questions.
    Answers,
}

impl Attribute {
    /// Attributes that are never shown to other members.
    pub const ALWAYS_PRIVATE: [Attribute; 3] = [
        Attribute::Gender,
        Attribute::Department,
        Attribute::ReportingLine,
    ];
}

/// One person's matching profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Stable, case-sensitive id (for example an email or a user id).
    pub id: String,
    /// Leadership level.
    pub level: Level,
    /// Years of professional experience.
    #[serde(default)]
    pub years: u16,
    /// Skills this person can teach (as a mentor).
    #[serde(default)]
    pub skills_offered: Vec<Skill>,
    /// Skills this person wants to grow (as a mentee).
    #[serde(default)]
    pub skills_wanted: Vec<Skill>,
    /// Goal tags from the programme's goal catalogue.
    #[serde(default)]
    pub goals: Vec<String>,
    /// Goals in the person's own words.
    #[serde(default)]
    pub goals_text: String,
    /// Interests outside work.
    #[serde(default)]
    pub interests: Vec<String>,
    /// Languages spoken, compared case-insensitively.
    #[serde(default)]
    pub languages: Vec<String>,
    /// IANA time zone, for example `Europe/Lisbon`.
    #[serde(default = "default_zone")]
    pub time_zone: String,
    /// Weekly availability in local time.
    #[serde(default)]
    pub availability: Vec<Window>,
    /// Department, if known.
    #[serde(default)]
    pub department: Option<String>,
    /// Id of this person's manager, if known (the reporting line).
    #[serde(default)]
    pub manager: Option<String>,
    /// Self-described gender, if the person chose to give one.
    #[serde(default)]
    pub gender: Option<String>,
    /// Stated preferences about the other person.
    #[serde(default)]
    pub preferences: Preferences,
    /// As a mentor: how many mentees. As a mentee: how many mentors (default 1).
    #[serde(default = "default_capacity")]
    pub capacity: u32,
    /// Answers to programme questions, by question id.
    #[serde(default)]
    pub answers: BTreeMap<String, Answer>,
    /// Attributes this person keeps private from other members (in addition
    /// to [`Attribute::ALWAYS_PRIVATE`]).
    #[serde(default)]
    pub private: Vec<Attribute>,
}

fn default_zone() -> String {
    "UTC".to_string()
}

fn default_capacity() -> u32 {
    1
}

impl Profile {
    /// A minimal profile: the given id and level, UTC, capacity 1, nothing else.
    pub fn new(id: impl Into<String>, level: Level) -> Profile {
        Profile {
            id: id.into(),
            level,
            years: 0,
            skills_offered: Vec::new(),
            skills_wanted: Vec::new(),
            goals: Vec::new(),
            goals_text: String::new(),
            interests: Vec::new(),
            languages: Vec::new(),
            time_zone: default_zone(),
            availability: Vec::new(),
            department: None,
            manager: None,
            gender: None,
            preferences: Preferences::default(),
            capacity: 1,
            answers: BTreeMap::new(),
            private: Vec::new(),
        }
    }

    /// True when other members must not learn `attr` of this person.
    pub fn keeps_private(&self, attr: Attribute) -> bool {
        Attribute::ALWAYS_PRIVATE.contains(&attr) || self.private.contains(&attr)
    }
}

/// Normalises a tag, skill, language or option name for comparison:
/// trimmed, lower-cased, inner whitespace collapsed.
pub fn normalise_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    normalise_into(name, &mut out);
    out
}

/// [`normalise_name`] into `out` (cleared first), reusing its allocation.
pub fn normalise_into(name: &str, out: &mut String) {
    out.clear();
    for word in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_and_parse() {
        assert!(Level::ProfessionalContributor < Level::TeamLeader);
        assert!(Level::TeamLeader < Level::LeaderOfLeaders);
        assert_eq!(Level::parse("Team Leader"), Some(Level::TeamLeader));
        assert_eq!(
            Level::parse("leader_of_leaders"),
            Some(Level::LeaderOfLeaders)
        );
        assert_eq!(Level::parse("pc"), Some(Level::ProfessionalContributor));
        assert_eq!(Level::parse("boss"), None);
        for r in 0..3 {
            assert_eq!(Level::from_rank(r).map(Level::rank), Some(r));
        }
    }

    #[test]
    fn weekdays_parse() {
        assert_eq!(Weekday::parse("Monday"), Some(Weekday::Mon));
        assert_eq!(Weekday::parse("sun"), Some(Weekday::Sun));
        assert_eq!(Weekday::parse("x"), None);
        assert_eq!(Weekday::from_index(6), Some(Weekday::Sun));
    }

    #[test]
    fn names_normalise() {
        assert_eq!(normalise_name("  Public   Speaking "), "public speaking");
    }

    #[test]
    fn gender_is_always_private() {
        let p = Profile::new("a", Level::TeamLeader);
        assert!(p.keeps_private(Attribute::Gender));
        assert!(!p.keeps_private(Attribute::Level));
    }
}
