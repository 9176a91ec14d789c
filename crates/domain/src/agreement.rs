//! A room's agreement: what its members agree at the start (how long, how
//! often, how they meet, what they want and expect), confirmed by each member.
//! A revision is a new version; the earlier ones are kept.
//!
//! The agreed duration and cadence drive room health: [`AgreedTerms`] is what
//! the health rules read, with the programme's cadence when no agreement exists.

use crate::programme::Cadence;
use crate::Invalid;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// How the members meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingFormat {
    /// Video calls.
    Video,
    /// In person.
    InPerson,
    /// Phone calls.
    Phone,
    /// A mix of these.
    Mixed,
}

impl MeetingFormat {
    /// Every format.
    pub const ALL: [Self; 4] = [Self::Video, Self::InPerson, Self::Phone, Self::Mixed];

    /// Stable code, in storage and the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Video => "video",
            Self::InPerson => "in_person",
            Self::Phone => "phone",
            Self::Mixed => "mixed",
        }
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Video => "Video calls",
            Self::InPerson => "In person",
            Self::Phone => "Phone calls",
            Self::Mixed => "A mix",
        }
    }

    /// Parses a code; the error names `format`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|f| f.code() == raw.trim())
            .ok_or_else(|| {
                Invalid::new("format", "format must be video, in_person, phone or mixed")
            })
    }
}

/// How long the relationship is meant to last: 3, 6 or 12 months from the
/// room's start, or until a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgreedDuration {
    /// This many months from the start (3, 6 or 12).
    Months(u8),
    /// Until this day (inclusive).
    Until(NaiveDate),
}

/// The months a duration may take.
pub const DURATION_MONTHS: [u8; 3] = [3, 6, 12];

impl AgreedDuration {
    /// Parses `months` (3, 6 or 12) or `end_date` (`YYYY-MM-DD`): exactly one
    /// must be given. Errors name `duration_months` or `end_date`.
    pub fn parse(months: Option<i64>, end_date: &str) -> Result<Self, Invalid> {
        let end_date = end_date.trim();
        match (months, end_date.is_empty()) {
            (Some(_), false) => Err(Invalid::new(
                "end_date",
                "give either a duration in months or an end date, not both",
            )),
            (None, true) => Err(Invalid::new(
                "duration_months",
                "choose a duration of 3, 6 or 12 months, or give an end date",
            )),
            (Some(m), true) => DURATION_MONTHS
                .into_iter()
                .find(|d| i64::from(*d) == m)
                .map(Self::Months)
                .ok_or_else(|| {
                    Invalid::new("duration_months", "duration must be 3, 6 or 12 months")
                }),
            (None, false) => parse_day("end_date", end_date).map(Self::Until),
        }
    }

    /// The months, if the duration is given in months.
    pub fn months(self) -> Option<u8> {
        match self {
            Self::Months(m) => Some(m),
            Self::Until(_) => None,
        }
    }

    /// The end day, if the duration is given as one (`YYYY-MM-DD`).
    pub fn end_date(self) -> Option<NaiveDate> {
        match self {
            Self::Until(d) => Some(d),
            Self::Months(_) => None,
        }
    }

    /// When the relationship ends (UTC ms) for a room that started at
    /// `start` (ms): the same day of the month `months` later, or the end of
    /// the given day (UTC).
    pub fn ends_at(self, start: i64) -> i64 {
        match self {
            Self::Months(m) => {
                let Some(t) = chrono::DateTime::from_timestamp_millis(start) else {
                    return start;
                };
                t.checked_add_months(chrono::Months::new(u32::from(m)))
                    .map_or(start, |t| t.timestamp_millis())
            }
            Self::Until(d) => end_of_day(d),
        }
    }

    /// Words for people: "6 months" or "until 2027-03-31".
    pub fn describe(self) -> String {
        match self {
            Self::Months(m) => format!("{m} months"),
            Self::Until(d) => format!("until {}", d.format("%Y-%m-%d")),
        }
    }
}

/// The last millisecond of `day` (UTC).
fn end_of_day(day: NaiveDate) -> i64 {
    day.and_hms_milli_opt(23, 59, 59, 999)
        .map(|t| t.and_utc().timestamp_millis())
        .unwrap_or_default()
}

/// Parses a day as `YYYY-MM-DD`; the error names `field`.
pub fn parse_day(field: &'static str, raw: &str) -> Result<NaiveDate, Invalid> {
    let raw = raw.trim();
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2200).contains(&d.year()) && raw.len() == 10)
        .ok_or_else(|| Invalid::new(field, "enter a date as YYYY-MM-DD, for example 2027-01-31"))
}

/// Days between the meetings a cadence asks for.
pub fn interval_days(cadence: Cadence) -> i64 {
    match cadence {
        Cadence::Weekly => 7,
        Cadence::EveryTwoWeeks => 14,
        Cadence::Monthly => 30,
    }
}

/// The terms room health reads: from the current agreement, or from the
/// programme when the room has none yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct AgreedTerms {
    /// The cadence in force.
    pub cadence: Cadence,
    /// Days between meetings ([`interval_days`] of the cadence).
    pub interval_days: i64,
    /// Whether these come from a room agreement (false: the programme's).
    pub from_agreement: bool,
    /// When the relationship is meant to end (UTC ms), if known.
    pub ends_at: Option<i64>,
    /// How many sessions the whole relationship expects, if its end is known:
    /// the days from start to end over the interval, rounded down, at least 1.
    pub expected_sessions: Option<i64>,
}

impl AgreedTerms {
    /// Terms from a cadence, a start (ms) and an end (ms), if any.
    pub fn new(cadence: Cadence, from_agreement: bool, start: i64, ends_at: Option<i64>) -> Self {
        let interval = interval_days(cadence);
        let expected_sessions = ends_at.map(|end| {
            let days = (end - start).max(0) / (24 * 60 * 60 * 1000);
            (days / interval).max(1)
        });
        Self {
            cadence,
            interval_days: interval,
            from_agreement,
            ends_at,
            expected_sessions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_months_or_a_day() {
        assert_eq!(
            AgreedDuration::parse(Some(6), "").unwrap(),
            AgreedDuration::Months(6)
        );
        assert_eq!(
            AgreedDuration::parse(Some(5), "").unwrap_err().field,
            "duration_months"
        );
        assert_eq!(
            AgreedDuration::parse(None, "").unwrap_err().field,
            "duration_months"
        );
        assert_eq!(
            AgreedDuration::parse(Some(3), "2027-01-01")
                .unwrap_err()
                .field,
            "end_date"
        );
        assert_eq!(
            AgreedDuration::parse(None, "31/01/2027").unwrap_err().field,
            "end_date"
        );
        assert_eq!(
            AgreedDuration::parse(None, "2027-02-30").unwrap_err().field,
            "end_date"
        );
        let d = AgreedDuration::parse(None, "2027-01-31").unwrap();
        assert_eq!(d.describe(), "until 2027-01-31");
    }

    #[test]
    fn months_end_on_the_same_day_later() {
        // 2026-01-31 00:00 UTC plus one month clamps to 28 Feb; 3 months is 30 Apr.
        let start = NaiveDate::from_ymd_opt(2026, 1, 31)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        let end = AgreedDuration::Months(3).ends_at(start);
        let day = chrono::DateTime::from_timestamp_millis(end)
            .unwrap()
            .date_naive();
        assert_eq!(day, NaiveDate::from_ymd_opt(2026, 4, 30).unwrap());
    }

    #[test]
    fn terms_count_the_sessions_a_duration_holds() {
        let day = 24 * 60 * 60 * 1000;
        let t = AgreedTerms::new(Cadence::EveryTwoWeeks, true, 0, Some(180 * day));
        assert_eq!((t.interval_days, t.expected_sessions), (14, Some(12)));
        let t = AgreedTerms::new(Cadence::Weekly, false, 0, None);
        assert_eq!((t.interval_days, t.expected_sessions), (7, None));
        let t = AgreedTerms::new(Cadence::Monthly, true, 0, Some(3 * day));
        assert_eq!(t.expected_sessions, Some(1));
    }

    #[test]
    fn formats_parse_their_codes() {
        for f in MeetingFormat::ALL {
            assert_eq!(MeetingFormat::parse(f.code()).unwrap(), f);
        }
        assert_eq!(
            MeetingFormat::parse("carrier pigeon").unwrap_err().field,
            "format"
        );
    }
}
