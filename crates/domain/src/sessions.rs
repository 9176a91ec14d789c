//! Session rules that need no I/O: turning a local wall-clock time into an
//! instant, repeating a session on a cadence, and finding times when every
//! member of a room is free.
//!
//! # Contract
//! - A session is booked as a local date and time in the organiser's IANA
//!   zone and stored as a UTC instant together with that zone.
//! - A repeating session keeps its **local** wall-clock time: a weekly 09:00
//!   in Europe/Lisbon stays 09:00 Lisbon time across a daylight-saving change,
//!   so its UTC instant moves by the change. A local time that does not exist
//!   (the hour skipped in spring) is read with the offset in force before the
//!   gap, as RFC 5545 does (02:30 becomes 03:30); a time that happens twice
//!   (autumn) is the first of the two.
//! - Monthly repeats fall on the same day of the month, or the month's last
//!   day when it is shorter (31 Jan, 28 Feb, 31 Mar …).

use crate::person::AvailabilityWindow;
use crate::programme::Cadence;
use crate::Invalid;
use chrono::{
    DateTime, Datelike, Duration, LocalResult, Months, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Timelike,
};
use chrono_tz::Tz;

/// The longest session, in minutes (24 hours).
pub const MAX_MINUTES: i32 = 24 * 60;
/// The most occurrences one proposal may create.
pub const MAX_OCCURRENCES: u32 = 52;
/// Suggested times start on these boundaries (minutes past the hour in UTC;
/// half-hour zones such as Asia/Kolkata land on their own whole and half hours).
pub const SUGGESTION_STEP_MINUTES: i64 = 30;

const MINUTE_MS: i64 = 60_000;

/// Parses a form's local date (`2026-12-08`) and time (`14:30`), naming the
/// field at fault.
pub fn parse_local(date: &str, time: &str) -> Result<NaiveDateTime, Invalid> {
    let d = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .map_err(|_| Invalid::new("date", "date must look like 2026-12-08"))?;
    let t = NaiveTime::parse_from_str(time.trim(), "%H:%M")
        .map_err(|_| Invalid::new("time", "time must look like 14:30 (24-hour clock)"))?;
    Ok(d.and_time(t))
}

/// The instant (UTC ms) of wall-clock time `local` in `zone`; see the module
/// contract for the hour skipped and the hour repeated.
pub fn local_to_utc(zone: Tz, local: NaiveDateTime) -> i64 {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.timestamp_millis(),
        LocalResult::Ambiguous(first, _) => first.timestamp_millis(),
        LocalResult::None => {
            // In a gap: the offset a day earlier is the one before the gap.
            let before = zone
                .offset_from_utc_datetime(&(local - Duration::days(1)))
                .fix();
            (local - Duration::seconds(i64::from(before.local_minus_utc())))
                .and_utc()
                .timestamp_millis()
        }
    }
}

/// The wall-clock time of `ms` in `zone`.
pub fn utc_to_local(zone: Tz, ms: i64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&zone).naive_local())
}

/// The first `count` occurrences (UTC ms) of a session that starts at wall
/// time `first` in `zone` and repeats on `cadence`, keeping its local time.
/// `count` 1 is a one-off.
pub fn occurrences(zone: Tz, first: NaiveDateTime, cadence: Cadence, count: u32) -> Vec<i64> {
    (0..count)
        .filter_map(|i| {
            let local = match cadence {
                Cadence::Weekly => first.checked_add_signed(Duration::weeks(i64::from(i)))?,
                Cadence::EveryTwoWeeks => {
                    first.checked_add_signed(Duration::weeks(2 * i64::from(i)))?
                }
                Cadence::Monthly => first.checked_add_months(Months::new(i))?,
            };
            Some(local_to_utc(zone, local))
        })
        .collect()
}

/// Checks a session's length: 1 minute to 24 hours.
pub fn check_minutes(minutes: i64) -> Result<i32, Invalid> {
    if (1..=i64::from(MAX_MINUTES)).contains(&minutes) {
        Ok(minutes as i32)
    } else {
        Err(Invalid::new(
            "minutes",
            "length must be between 1 minute and 24 hours (1440 minutes)",
        ))
    }
}

/// Checks an online link: an absolute http or https URL.
pub fn check_link(raw: &str) -> Result<Option<String>, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let lower = s.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(host)
            if !host.is_empty()
                && !host.starts_with('/')
                && s.len() <= 2000
                && !s.chars().any(|c| c.is_whitespace() || c.is_control()) =>
        {
            Ok(Some(s.to_string()))
        }
        _ => Err(Invalid::new(
            "link",
            "the link must be a web address starting with https:// or http://",
        )),
    }
}

/// One member's weekly availability, in their own zone.
#[derive(Clone, Debug)]
pub struct MemberAvailability<'a> {
    /// Their zone.
    pub zone: Tz,
    /// Their weekly windows (local times); empty when they have set none.
    pub windows: &'a [AvailabilityWindow],
}

/// Whether `[start, end)` lies inside one of the windows, read in the
/// member's zone. A window ends on its own day (at most 24:00), so a session
/// must start and end on the same local day.
fn fits(m: &MemberAvailability<'_>, start: i64, end: i64) -> bool {
    let (Some(a), Some(b)) = (utc_to_local(m.zone, start), utc_to_local(m.zone, end)) else {
        return false;
    };
    let start_minute = a.hour() * 60 + a.minute();
    let end_minute = if b.date() == a.date() {
        b.hour() * 60 + b.minute()
    } else if b.date() == a.date().succ_opt().unwrap_or(a.date())
        && b.hour() == 0
        && b.minute() == 0
    {
        24 * 60
    } else {
        return false;
    };
    let weekday = a.weekday().num_days_from_monday() as u8;
    m.windows.iter().any(|w| {
        w.weekday == weekday
            && u32::from(w.start_minute) <= start_minute
            && end_minute <= u32::from(w.end_minute)
    })
}

/// The next `limit` start times (UTC ms) after `from`, within `horizon_days`,
/// at which every member who has set availability is free for `minutes`,
/// and which do not overlap a `busy` interval (`[start, end)` UTC ms, the
/// room's other scheduled sessions). Candidates are the half-hour boundaries
/// in UTC. Members with no windows do not constrain the search; when no
/// member has any, there is nothing to suggest and the answer is empty.
///
/// Each member's windows are read in their own zone at the candidate's
/// instant, so a daylight-saving change between now and the slot moves the
/// slot's UTC time with it.
pub fn suggest_times(
    members: &[MemberAvailability<'_>],
    busy: &[(i64, i64)],
    from: i64,
    minutes: i32,
    horizon_days: i64,
    limit: usize,
) -> Vec<i64> {
    let constrained: Vec<&MemberAvailability<'_>> =
        members.iter().filter(|m| !m.windows.is_empty()).collect();
    if constrained.is_empty() || minutes <= 0 || limit == 0 {
        return vec![];
    }
    let step = SUGGESTION_STEP_MINUTES * MINUTE_MS;
    let length = i64::from(minutes) * MINUTE_MS;
    let mut start = from.div_euclid(step) * step + step;
    let end = from + horizon_days * 24 * 60 * MINUTE_MS;
    let mut out = vec![];
    while start <= end && out.len() < limit {
        let finish = start + length;
        if constrained.iter().all(|m| fits(m, start, finish))
            && !busy.iter().any(|(a, b)| start < *b && *a < finish)
        {
            out.push(start);
        }
        start += step;
    }
    out
}

/// Where a proposal to move a session stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RescheduleStatus {
    /// Waiting for the other members' answers.
    Open,
    /// Everyone accepted: the session moved.
    Accepted,
    /// Someone declined: the session stays where it was.
    Declined,
}

impl RescheduleStatus {
    /// Every value.
    pub const ALL: [Self; 3] = [Self::Open, Self::Accepted, Self::Declined];

    /// Stable code used in storage and the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
        }
    }

    /// Parses a code.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == raw.trim())
            .ok_or_else(|| Invalid::new("status", "must be one of: open, accepted, declined"))
    }
}

/// Checks a feedback rating: 1 (poor) to 4 (very good).
pub fn check_rating(rating: i64) -> Result<i16, Invalid> {
    if (1..=4).contains(&rating) {
        Ok(rating as i16)
    } else {
        Err(Invalid::new("rating", "rating must be 1, 2, 3 or 4"))
    }
}

/// Parses an action item's due date (`2026-12-08`); empty means none.
pub fn parse_due(raw: &str) -> Result<Option<NaiveDate>, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| Invalid::new("due_on", "due date must look like 2026-12-08"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tz(name: &str) -> Tz {
        name.parse().unwrap()
    }

    fn local(zone: Tz, ms: i64) -> String {
        utc_to_local(zone, ms)
            .unwrap()
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    fn utc(s: &str) -> i64 {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
            .unwrap()
            .and_utc()
            .timestamp_millis()
    }

    fn w(line: &str) -> AvailabilityWindow {
        AvailabilityWindow::parse("availability", line).unwrap()
    }

    #[test]
    fn weekly_repeats_keep_local_time_across_dst() {
        // Lisbon leaves summer time on Sun 25 Oct 2026 (UTC+1 → UTC+0).
        let lisbon = tz("Europe/Lisbon");
        let first = parse_local("2026-10-20", "09:00").unwrap();
        let times = occurrences(lisbon, first, Cadence::Weekly, 3);
        assert_eq!(times.len(), 3);
        for t in &times {
            assert!(
                local(lisbon, *t).ends_with("09:00"),
                "{}",
                local(lisbon, *t)
            );
        }
        assert_eq!(times[0], utc("2026-10-20 08:00"));
        assert_eq!(times[1], utc("2026-10-27 09:00"));
        assert_eq!(times[2] - times[1], 7 * 24 * 3_600_000);
        // New York enters summer time on Sun 8 Mar 2026 (UTC-5 → UTC-4).
        let ny = tz("America/New_York");
        let first = parse_local("2026-03-02", "18:30").unwrap();
        let times = occurrences(ny, first, Cadence::EveryTwoWeeks, 2);
        assert_eq!(times[0], utc("2026-03-02 23:30"));
        assert_eq!(times[1], utc("2026-03-16 22:30"));
    }

    #[test]
    fn monthly_repeats_clamp_to_the_month_end() {
        let utc_zone = tz("UTC");
        let first = parse_local("2027-01-31", "10:00").unwrap();
        let days: Vec<String> = occurrences(utc_zone, first, Cadence::Monthly, 3)
            .into_iter()
            .map(|t| local(utc_zone, t))
            .collect();
        assert_eq!(
            days,
            ["2027-01-31 10:00", "2027-02-28 10:00", "2027-03-31 10:00"]
        );
    }

    #[test]
    fn skipped_and_repeated_hours() {
        let ny = tz("America/New_York");
        // 02:30 does not exist on 8 Mar 2026: read with the offset before (EST).
        let gap = local_to_utc(ny, parse_local("2026-03-08", "02:30").unwrap());
        assert_eq!(gap, utc("2026-03-08 07:30"));
        assert_eq!(local(ny, gap), "2026-03-08 03:30");
        // 01:30 happens twice on 1 Nov 2026: the first (EDT).
        let twice = local_to_utc(ny, parse_local("2026-11-01", "01:30").unwrap());
        assert_eq!(twice, utc("2026-11-01 05:30"));
    }

    #[test]
    fn half_hour_zones_convert() {
        let kolkata = tz("Asia/Kolkata");
        let t = local_to_utc(kolkata, parse_local("2026-12-08", "09:30").unwrap());
        assert_eq!(t, utc("2026-12-08 04:00"));
        // Adelaide is UTC+10:30 in December (summer time).
        let adelaide = tz("Australia/Adelaide");
        let t = local_to_utc(adelaide, parse_local("2026-12-08", "09:30").unwrap());
        assert_eq!(t, utc("2026-12-07 23:00"));
    }

    #[test]
    fn bad_local_input_names_the_field() {
        assert_eq!(parse_local("8/12/2026", "10:00").unwrap_err().field, "date");
        assert_eq!(
            parse_local("2026-12-08", "25:00").unwrap_err().field,
            "time"
        );
        assert_eq!(check_minutes(0).unwrap_err().field, "minutes");
        assert_eq!(check_minutes(1441).unwrap_err().field, "minutes");
        assert_eq!(check_minutes(60).unwrap(), 60);
        assert_eq!(check_link("javascript:alert(1)").unwrap_err().field, "link");
        assert_eq!(check_link("ftp://x").unwrap_err().field, "link");
        assert_eq!(check_link("https://").unwrap_err().field, "link");
        assert_eq!(check_link("").unwrap(), None);
        assert_eq!(
            check_link(" https://meet.example/abc ").unwrap().as_deref(),
            Some("https://meet.example/abc")
        );
    }

    #[test]
    fn suggestions_meet_every_members_windows_in_their_own_zone() {
        // Ana in Kolkata (UTC+5:30) is free Mon 18:00-20:00 her time
        // (12:30-14:30 UTC); Ben in Lisbon (UTC+0 in December) Mon 13:00-17:00.
        let ana = [w("mon 18:00-20:00")];
        let ben = [w("mon 13:00-17:00")];
        let members = [
            MemberAvailability {
                zone: tz("Asia/Kolkata"),
                windows: &ana,
            },
            MemberAvailability {
                zone: tz("Europe/Lisbon"),
                windows: &ben,
            },
        ];
        // From Sun 6 Dec 2026, 12:00 UTC.
        let got = suggest_times(&members, &[], utc("2026-12-06 12:00"), 60, 7, 10);
        assert_eq!(
            got,
            [utc("2026-12-07 13:00"), utc("2026-12-07 13:30")],
            "both free 13:00-14:30 UTC on Monday"
        );
        // A session already booked 13:00-14:00 overlaps both slots.
        let busy = [(utc("2026-12-07 13:00"), utc("2026-12-07 14:00"))];
        assert!(suggest_times(&members, &busy, utc("2026-12-06 12:00"), 60, 7, 10).is_empty());
    }

    #[test]
    fn suggestions_follow_a_dst_change_and_half_hour_offsets() {
        // Adelaide (UTC+9:30 in winter, +10:30 from Sun 4 Oct 2026) is free
        // Tue 07:00-08:00; New York (UTC-4 until Sun 1 Nov 2026, then -5) is
        // free Mon 17:30-18:30 (the same instant in the week before any change).
        let adelaide = [w("tue 07:00-08:00")];
        let ny = [w("mon 17:30-18:30")];
        let members = [
            MemberAvailability {
                zone: tz("Australia/Adelaide"),
                windows: &adelaide,
            },
            MemberAvailability {
                zone: tz("America/New_York"),
                windows: &ny,
            },
        ];
        // Week of 21 Sep 2026: Adelaide Tue 07:00 = Mon 21:30 UTC; New York
        // Mon 17:30 EDT = 21:30 UTC. They meet.
        let got = suggest_times(&members, &[], utc("2026-09-20 00:00"), 60, 7, 5);
        assert_eq!(got, [utc("2026-09-21 21:30")]);
        // After Adelaide springs forward (4 Oct) its Tue 07:00 is Mon 20:30
        // UTC while New York is still 21:30: an hour apart, no slot.
        assert!(suggest_times(&members, &[], utc("2026-10-04 00:00"), 60, 7, 5).is_empty());
        // After New York falls back (1 Nov), Mon 17:30 EST = 22:30 UTC: still apart.
        assert!(suggest_times(&members, &[], utc("2026-11-01 12:00"), 60, 7, 5).is_empty());
        // A 30-minute session fits neither week: the windows do not overlap.
        assert!(suggest_times(&members, &[], utc("2026-10-04 00:00"), 30, 7, 5).is_empty());
    }

    #[test]
    fn nobody_with_availability_means_no_suggestion() {
        let none: [AvailabilityWindow; 0] = [];
        let members = [MemberAvailability {
            zone: tz("UTC"),
            windows: &none,
        }];
        assert!(suggest_times(&members, &[], 0, 60, 14, 5).is_empty());
        // A member without windows does not block the others.
        let some = [w("mon 09:00-10:00")];
        let members = [
            MemberAvailability {
                zone: tz("UTC"),
                windows: &none,
            },
            MemberAvailability {
                zone: tz("UTC"),
                windows: &some,
            },
        ];
        let got = suggest_times(&members, &[], utc("2026-12-06 00:00"), 60, 7, 5);
        assert_eq!(got, [utc("2026-12-07 09:00")]);
    }
}
