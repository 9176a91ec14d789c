//! People: accounts and profiles.

use crate::values::{self, Email, PersonName, TimeZoneName};
use crate::{Invalid, PersonId};
use serde::{Deserialize, Serialize};

/// The three leadership levels the succession pipeline tracks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadershipLevel {
    /// Individual contributor.
    ProfessionalContributor,
    /// Leads a team of contributors.
    TeamLeader,
    /// Leads other leaders.
    LeaderOfLeaders,
}

impl LeadershipLevel {
    /// Every level, lowest first.
    pub const ALL: [Self; 3] = [
        Self::ProfessionalContributor,
        Self::TeamLeader,
        Self::LeaderOfLeaders,
    ];

    /// Stable code used in storage, forms and the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::ProfessionalContributor => "professional_contributor",
            Self::TeamLeader => "team_leader",
            Self::LeaderOfLeaders => "leader_of_leaders",
        }
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::ProfessionalContributor => "Professional Contributor",
            Self::TeamLeader => "Team Leader",
            Self::LeaderOfLeaders => "Leader of Leaders",
        }
    }

    /// Parses a code from a form or API field.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|l| l.code() == raw.trim())
            .ok_or_else(|| {
                Invalid::new(
                    field,
                    "level must be professional_contributor, team_leader or leader_of_leaders",
                )
            })
    }
}

/// One weekly availability window in the person's own time zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvailabilityWindow {
    /// 0 = Monday … 6 = Sunday.
    pub weekday: u8,
    /// Minutes after local midnight.
    pub start_minute: u16,
    /// Minutes after local midnight; greater than `start_minute`.
    pub end_minute: u16,
}

impl AvailabilityWindow {
    const DAYS: [&'static str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    /// Parses `mon 09:00-11:30` (day names in English, 24-hour times).
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        let err = || {
            Invalid::new(
                field,
                format!(
                    "\"{}\" is not a window like \"mon 09:00-11:30\"",
                    raw.trim()
                ),
            )
        };
        let raw = raw.trim().to_lowercase();
        let (day, times) = raw.split_once(' ').ok_or_else(err)?;
        let weekday = Self::DAYS
            .iter()
            .position(|d| day.starts_with(d))
            .ok_or_else(err)? as u8;
        let (a, b) = times.trim().split_once('-').ok_or_else(err)?;
        let minute = |t: &str| -> Option<u16> {
            let (h, m) = t.trim().split_once(':')?;
            let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
            (h <= 24 && m < 60 && h * 60 + m <= 1440).then_some(h * 60 + m)
        };
        let (start_minute, end_minute) = (minute(a).ok_or_else(err)?, minute(b).ok_or_else(err)?);
        if end_minute <= start_minute {
            return Err(Invalid::new(
                field,
                format!("\"{}\": the end must be after the start", raw.trim()),
            ));
        }
        Ok(Self {
            weekday,
            start_minute,
            end_minute,
        })
    }

    /// This window as a reader whose clock is `shift_minutes` ahead of its
    /// owner's sees it (the difference of the two zones' offsets, taken at
    /// one instant: daylight-saving changes inside the week are not
    /// followed). A window that crosses the reader's midnight comes back as
    /// two, one on each day; Sunday wraps round to Monday.
    pub fn shifted(&self, shift_minutes: i32) -> Vec<AvailabilityWindow> {
        const DAY: i32 = 24 * 60;
        const WEEK: i32 = 7 * DAY;
        let mut start =
            (i32::from(self.weekday) * DAY + i32::from(self.start_minute) + shift_minutes)
                .rem_euclid(WEEK);
        let mut left = i32::from(self.end_minute) - i32::from(self.start_minute);
        let mut out = vec![];
        while left > 0 {
            let day = start / DAY;
            let end = (start + left).min((day + 1) * DAY);
            out.push(AvailabilityWindow {
                // Within 0..7 and 0..=1440 by the rem_euclid and the min above.
                weekday: day as u8,
                start_minute: (start - day * DAY) as u16,
                end_minute: (end - day * DAY) as u16,
            });
            left -= end - start;
            start = end % WEEK;
        }
        out
    }

    /// Formats back to `mon 09:00-11:30`.
    pub fn display(&self) -> String {
        format!(
            "{} {:02}:{:02}-{:02}:{:02}",
            Self::DAYS[self.weekday as usize % 7],
            self.start_minute / 60,
            self.start_minute % 60,
            self.end_minute / 60,
            self.end_minute % 60
        )
    }
}

/// Who may see a profile in the directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Every signed-in member.
    #[default]
    Members,
    /// Only the person, admins and managers of their programmes.
    Private,
}

impl Visibility {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Members => "members",
            Self::Private => "private",
        }
    }
    /// Parses a code.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        match raw.trim() {
            "members" => Ok(Self::Members),
            "private" => Ok(Self::Private),
            _ => Err(Invalid::new(field, "visibility must be members or private")),
        }
    }
}

/// Account state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Invited by an admin; has not set a password yet.
    Invited,
    /// Can sign in.
    Active,
}

/// How new people may join, set by the admin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum SignupMode {
    /// Anyone may sign up.
    Open,
    /// Only invited people.
    InviteOnly,
    /// Anyone whose email is in one of these domains.
    Domains {
        /// Allowed email domains, lower case.
        domains: Vec<String>,
    },
}

impl SignupMode {
    /// Whether someone with `email` may sign up without an invitation.
    pub fn allows(&self, email: &Email) -> bool {
        match self {
            Self::Open => true,
            Self::InviteOnly => false,
            Self::Domains { domains } => domains.iter().any(|d| d == email.domain()),
        }
    }

    /// Parses the admin settings form: a mode code plus a comma-separated domain list.
    pub fn parse(mode: &str, domains: &str) -> Result<Self, Invalid> {
        match mode.trim() {
            "open" => Ok(Self::Open),
            "invite_only" => Ok(Self::InviteOnly),
            "domains" => {
                let list: Vec<String> = values::tags("allowed_domains", [domains], 50)?
                    .into_iter()
                    .map(|d| d.to_lowercase().trim_start_matches('@').to_string())
                    .collect();
                if list.is_empty() || list.iter().any(|d| !d.contains('.') || d.contains(' ')) {
                    return Err(Invalid::new(
                        "allowed_domains",
                        "list one or more domains, like example.org, example.com",
                    ));
                }
                Ok(Self::Domains { domains: list })
            }
            _ => Err(Invalid::new(
                "signup_mode",
                "sign-up mode must be open, invite_only or domains",
            )),
        }
    }

    /// Stable code of the mode.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::InviteOnly => "invite_only",
            Self::Domains { .. } => "domains",
        }
    }
}

/// Kinds of email a person can opt out of. Account security mail (verification,
/// password reset, invitations) cannot be turned off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// Account security: verify, reset, invitation. Always sent.
    Account,
    /// Matching: proposals, requests, offers.
    Matching,
    /// Programme news from managers.
    Programme,
    /// Reminders and digests.
    Digest,
    /// Session invitations, changes and reminders.
    Sessions,
    /// New messages and nudges in rooms.
    Rooms,
    /// Growth tools: new versions of followed roadmaps, responses to growth
    /// threads. Stored preferences from before this kind have no key for
    /// it, and a missing key means on.
    Growth,
}

impl NotificationKind {
    /// Kinds a person may switch off: each one controls real email.
    /// `Programme` is left out until a use case sends programme
    /// announcements (its one template, the invitation to mentor, is not
    /// queued anywhere yet); adding it back is adding it here.
    pub const OPTIONAL: [Self; 5] = [
        Self::Matching,
        Self::Digest,
        Self::Sessions,
        Self::Rooms,
        Self::Growth,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Account => "account",
            Self::Matching => "matching",
            Self::Programme => "programme",
            Self::Digest => "digest",
            Self::Sessions => "sessions",
            Self::Rooms => "rooms",
            Self::Growth => "growth",
        }
    }
    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Account => "Account and security",
            Self::Matching => "Matching: proposals, requests and offers",
            Self::Programme => "Programme announcements",
            Self::Digest => "Reminders: requests about to expire",
            Self::Sessions => "Sessions: invitations, changes and reminders",
            Self::Rooms => "Rooms: new messages and nudges",
            Self::Growth => "Roadmaps and growth threads: new roadmap versions and responses",
        }
    }
    /// Parses a code.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        [
            Self::Account,
            Self::Matching,
            Self::Programme,
            Self::Digest,
            Self::Sessions,
            Self::Rooms,
            Self::Growth,
        ]
        .into_iter()
        .find(|k| k.code() == raw)
        .ok_or_else(|| Invalid::new(field, "unknown notification kind"))
    }
}

/// Everything on a person's profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Display name.
    pub name: String,
    /// Pronouns, free text.
    pub pronouns: String,
    /// Self-described gender; used only for stated matching preferences.
    pub gender: String,
    /// Short biography.
    pub bio: String,
    /// Leadership level.
    pub level: LeadershipLevel,
    /// Years of professional experience.
    pub years_experience: u8,
    /// Skills the person can teach.
    pub skills_offered: Vec<String>,
    /// Skills the person wants to grow.
    pub skills_wanted: Vec<String>,
    /// Interests outside work.
    pub interests: Vec<String>,
    /// Goal tags from the catalogue or free additions.
    pub goal_tags: Vec<String>,
    /// Goals in the person's own words.
    pub goals: String,
    /// Languages spoken.
    pub languages: Vec<String>,
    /// IANA time zone, kept parsed.
    pub time_zone: TimeZoneName,
    /// Weekly availability in the person's zone.
    pub availability: Vec<AvailabilityWindow>,
    /// Department.
    pub department: String,
    /// Manager (reporting line).
    pub manager_id: Option<PersonId>,
    /// Directory visibility.
    pub visibility: Visibility,
}

impl Profile {
    /// The profile of a new account.
    pub fn new(name: PersonName) -> Self {
        Self {
            name: name.as_str().to_string(),
            pronouns: String::new(),
            gender: String::new(),
            bio: String::new(),
            level: LeadershipLevel::ProfessionalContributor,
            years_experience: 0,
            skills_offered: vec![],
            skills_wanted: vec![],
            interests: vec![],
            goal_tags: vec![],
            goals: String::new(),
            languages: vec![],
            time_zone: TimeZoneName::utc(),
            availability: vec![],
            department: String::new(),
            manager_id: None,
            visibility: Visibility::Members,
        }
    }
}

/// Raw profile input, as typed in the form or sent to the API. Lists may be
/// given comma-separated; availability one window per line.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ProfileInput {
    /// Display name.
    pub name: String,
    /// Pronouns.
    pub pronouns: String,
    /// Self-described gender.
    pub gender: String,
    /// Biography.
    pub bio: String,
    /// Level code.
    pub level: String,
    /// Years of experience, as typed.
    pub years_experience: String,
    /// Comma-separated skills offered.
    pub skills_offered: String,
    /// Comma-separated skills wanted.
    pub skills_wanted: String,
    /// Comma-separated interests.
    pub interests: String,
    /// Comma-separated goal tags.
    pub goal_tags: String,
    /// Goals, free text.
    pub goals: String,
    /// Comma-separated languages.
    pub languages: String,
    /// IANA zone.
    pub time_zone: String,
    /// One window per line, like `mon 09:00-11:00`.
    pub availability: String,
    /// Department.
    pub department: String,
    /// Manager's email, empty for none.
    pub manager_email: String,
    /// `members` or `private`.
    pub visibility: String,
}

impl ProfileInput {
    /// Validates every field; the manager is resolved by the caller from
    /// `manager_email`. Returns all field errors, not only the first.
    pub fn parse(&self, manager_id: Option<PersonId>) -> Result<Profile, Vec<Invalid>> {
        let mut errors = Vec::new();
        macro_rules! take {
            ($e:expr $(,)?) => {
                match $e {
                    Ok(v) => Some(v),
                    Err(e) => {
                        errors.push(e);
                        None
                    }
                }
            };
        }
        let name = take!(PersonName::parse("name", &self.name));
        let pronouns = take!(values::text("pronouns", &self.pronouns, 0, 40, "pronouns"));
        let gender = take!(values::text("gender", &self.gender, 0, 60, "gender"));
        let bio = take!(values::text("bio", &self.bio, 0, 2000, "a bio"));
        let level = take!(LeadershipLevel::parse("level", &self.level));
        let years = take!(match self.years_experience.trim() {
            "" => Ok(0),
            s => s.parse::<u8>().ok().filter(|y| *y <= 60).ok_or_else(|| {
                Invalid::new(
                    "years_experience",
                    "years of experience must be a whole number from 0 to 60",
                )
            }),
        });
        let skills_offered = take!(values::tags(
            "skills_offered",
            [self.skills_offered.as_str()],
            30,
        ));
        let skills_wanted = take!(values::tags(
            "skills_wanted",
            [self.skills_wanted.as_str()],
            30,
        ));
        let interests = take!(values::tags("interests", [self.interests.as_str()], 30));
        let goal_tags = take!(values::tags("goal_tags", [self.goal_tags.as_str()], 20));
        let goals = take!(values::text("goals", &self.goals, 0, 2000, "goals"));
        let languages = take!(values::tags("languages", [self.languages.as_str()], 10));
        let tz = take!(if self.time_zone.trim().is_empty() {
            Ok(TimeZoneName::utc())
        } else {
            TimeZoneName::parse("time_zone", &self.time_zone)
        });
        let availability = take!(self
            .availability
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| AvailabilityWindow::parse("availability", l))
            .collect::<Result<Vec<_>, _>>()
            .and_then(|w| {
                if w.len() > 21 {
                    Err(Invalid::new("availability", "at most 21 windows a week"))
                } else {
                    Ok(w)
                }
            }),);
        let department = take!(values::text(
            "department",
            &self.department,
            0,
            100,
            "department",
        ));
        let visibility = take!(if self.visibility.trim().is_empty() {
            Ok(Visibility::Members)
        } else {
            Visibility::parse("visibility", &self.visibility)
        });
        if !errors.is_empty() {
            return Err(errors);
        }
        // Every `take` above succeeded, so each Option is Some.
        let (
            Some(name),
            Some(pronouns),
            Some(gender),
            Some(bio),
            Some(level),
            Some(years),
            Some(skills_offered),
            Some(skills_wanted),
            Some(interests),
            Some(goal_tags),
            Some(goals),
            Some(languages),
            Some(tz),
            Some(availability),
            Some(department),
            Some(visibility),
        ) = (
            name,
            pronouns,
            gender,
            bio,
            level,
            years,
            skills_offered,
            skills_wanted,
            interests,
            goal_tags,
            goals,
            languages,
            tz,
            availability,
            department,
            visibility,
        )
        else {
            unreachable!("no errors means every field parsed")
        };
        Ok(Profile {
            name: name.as_str().to_string(),
            pronouns,
            gender,
            bio,
            level,
            years_experience: years,
            skills_offered,
            skills_wanted,
            interests,
            goal_tags,
            goals,
            languages,
            time_zone: tz,
            availability,
            department,
            manager_id,
            visibility,
        })
    }

    /// The form pre-filled from a stored profile.
    pub fn from_profile(p: &Profile, manager_email: Option<&str>) -> Self {
        Self {
            name: p.name.clone(),
            pronouns: p.pronouns.clone(),
            gender: p.gender.clone(),
            bio: p.bio.clone(),
            level: p.level.code().into(),
            years_experience: p.years_experience.to_string(),
            skills_offered: p.skills_offered.join(", "),
            skills_wanted: p.skills_wanted.join(", "),
            interests: p.interests.join(", "),
            goal_tags: p.goal_tags.join(", "),
            goals: p.goals.clone(),
            languages: p.languages.join(", "),
            time_zone: p.time_zone.to_string(),
            availability: p
                .availability
                .iter()
                .map(|w| w.display())
                .collect::<Vec<_>>()
                .join("\n"),
            department: p.department.clone(),
            manager_email: manager_email.unwrap_or_default().to_string(),
            visibility: p.visibility.code().into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn availability_windows_parse_and_round_trip() {
        let w = AvailabilityWindow::parse("availability", "Mon 09:00-11:30").unwrap();
        assert_eq!((w.weekday, w.start_minute, w.end_minute), (0, 540, 690));
        assert_eq!(w.display(), "mon 09:00-11:30");
        assert!(AvailabilityWindow::parse("availability", "mon 11:00-09:00").is_err());
        assert!(AvailabilityWindow::parse("availability", "someday").is_err());
    }

    #[test]
    fn availability_reads_in_another_zone_split_at_midnight() {
        let w = |raw: &str| AvailabilityWindow::parse("availability", raw).unwrap();
        let shown = |raw: &str, shift: i32| -> Vec<String> {
            w(raw)
                .shifted(shift)
                .iter()
                .map(AvailabilityWindow::display)
                .collect()
        };
        // Lisbon (UTC+0 in winter) to Kolkata (UTC+5:30): a half-hour zone.
        assert_eq!(shown("mon 09:00-11:00", 330), ["mon 14:30-16:30"]);
        // Crossing the reader's midnight splits the window.
        assert_eq!(shown("mon 20:00-23:00", 330), ["tue 01:30-04:30"]);
        assert_eq!(
            shown("mon 17:00-20:00", 330),
            ["mon 22:30-24:00", "tue 00:00-01:30"]
        );
        // Westwards, Monday morning is still Sunday; Sunday wraps to Monday.
        assert_eq!(shown("mon 02:00-04:00", -300), ["sun 21:00-23:00"]);
        assert_eq!(shown("sun 22:00-23:00", 120), ["mon 00:00-01:00"]);
        assert_eq!(shown("wed 10:00-12:00", 0), ["wed 10:00-12:00"]);
    }

    #[test]
    fn profile_input_reports_every_bad_field() {
        let input = ProfileInput {
            name: "".into(),
            level: "boss".into(),
            years_experience: "99".into(),
            time_zone: "Nowhere/Land".into(),
            ..Default::default()
        };
        let errs = input.parse(None).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec!["name", "level", "years_experience", "time_zone"]
        );
    }

    #[test]
    fn profile_input_parses_lists() {
        let input = ProfileInput {
            name: "Ana".into(),
            level: "team_leader".into(),
            years_experience: "7".into(),
            skills_offered: "Rust, Public speaking".into(),
            languages: "English, Portuguese".into(),
            availability: "mon 09:00-10:00\n\ntue 14:00-15:00".into(),
            ..Default::default()
        };
        let p = input.parse(None).unwrap();
        assert_eq!(p.level, LeadershipLevel::TeamLeader);
        assert_eq!(p.skills_offered, vec!["Rust", "Public speaking"]);
        assert_eq!(p.availability.len(), 2);
        assert_eq!(p.time_zone, "UTC");
        let back = ProfileInput::from_profile(&p, None).parse(None).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn signup_modes() {
        let e = Email::parse("email", "a@corp.org").unwrap();
        assert!(SignupMode::Open.allows(&e));
        assert!(!SignupMode::InviteOnly.allows(&e));
        let d = SignupMode::parse("domains", "@Corp.org, x.com").unwrap();
        assert!(d.allows(&e));
        assert!(!d.allows(&Email::parse("email", "a@other.org").unwrap()));
        assert_eq!(
            SignupMode::parse("domains", "").unwrap_err().field,
            "allowed_domains"
        );
    }
}
