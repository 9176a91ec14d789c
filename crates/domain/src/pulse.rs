//! The rapport pulse: a short check-in each member of a room answers for
//! themselves, on the schedule the programme's [`RoomRules`] set.
//!
//! Three items are scored 1 to 5 (genuineness, empathy, unconditional
//! positive regard, after Rogers), and one asks whether the mentorship is
//! working. A member's answers are theirs alone: the other members never see
//! them, nor anything derived from them; the programme's managers see them
//! only through the room's health (see [`crate::health`]).

use crate::room_rules::RoomRules;
use crate::Invalid;
use serde::{Deserialize, Serialize};

/// A day in milliseconds.
pub const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// One of the three scored items.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PulseItem {
    /// "I can be myself in this relationship."
    Genuineness,
    /// "I feel understood."
    Empathy,
    /// "I feel accepted, strengths and flaws alike" (unconditional positive regard).
    Acceptance,
}

impl PulseItem {
    /// Every item, in the order the form asks them.
    pub const ALL: [Self; 3] = [Self::Genuineness, Self::Empathy, Self::Acceptance];

    /// Stable code: the form field and JSON key.
    pub fn code(self) -> &'static str {
        match self {
            Self::Genuineness => "genuineness",
            Self::Empathy => "empathy",
            Self::Acceptance => "acceptance",
        }
    }

    /// The statement the member scores.
    pub fn question(self) -> &'static str {
        match self {
            Self::Genuineness => "I can be myself in this relationship",
            Self::Empathy => "I feel understood",
            Self::Acceptance => "I feel accepted, strengths and flaws alike",
        }
    }
}

/// The answer to "this mentorship is working for me".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Working {
    /// Yes.
    Yes,
    /// Not sure.
    NotSure,
    /// No.
    No,
}

impl Working {
    /// Every answer.
    pub const ALL: [Self; 3] = [Self::Yes, Self::NotSure, Self::No];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Yes => "yes",
            Self::NotSure => "not_sure",
            Self::No => "no",
        }
    }

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Yes => "Yes",
            Self::NotSure => "Not sure",
            Self::No => "No",
        }
    }

    /// Parses a code; the error names `working`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|w| w.code() == raw.trim())
            .ok_or_else(|| Invalid::new("working", "answer yes, not_sure or no"))
    }
}

/// A score from 1 to 5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct PulseScore(u8);

impl PulseScore {
    /// Parses a score for `field`: a whole number from 1 to 5.
    pub fn parse(field: &'static str, raw: i64) -> Result<Self, Invalid> {
        u8::try_from(raw)
            .ok()
            .filter(|s| (1..=5).contains(s))
            .map(Self)
            .ok_or_else(|| Invalid::new(field, "give a score from 1 to 5"))
    }

    /// The score.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<i64> for PulseScore {
    type Error = Invalid;
    fn try_from(raw: i64) -> Result<Self, Invalid> {
        Self::parse("score", raw)
    }
}

impl From<PulseScore> for i64 {
    fn from(s: PulseScore) -> Self {
        i64::from(s.0)
    }
}

/// One member's answers to one pulse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PulseAnswers {
    /// I can be myself in this relationship.
    pub genuineness: PulseScore,
    /// I feel understood.
    pub empathy: PulseScore,
    /// I feel accepted, strengths and flaws alike.
    pub acceptance: PulseScore,
    /// This mentorship is working for me.
    pub working: Working,
}

impl PulseAnswers {
    /// The score given to `item`.
    pub fn score(&self, item: PulseItem) -> u8 {
        match item {
            PulseItem::Genuineness => self.genuineness.get(),
            PulseItem::Empathy => self.empathy.get(),
            PulseItem::Acceptance => self.acceptance.get(),
        }
    }
}

/// A pulse that is open now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DuePulse {
    /// Its number: pulse `n` is due `pulse_first_day + n × pulse_every_days`
    /// days after the room started. One answer per member per number.
    pub round: u32,
    /// When it opened (ms): its day, or the first held session if that came later.
    pub opened_at: i64,
    /// When the next one opens and this one can no longer be answered (ms).
    pub closes_at: i64,
}

/// The day pulse `round` falls due (ms), before the first-session condition.
fn round_day(started_at: i64, rules: &RoomRules, round: u32) -> i64 {
    started_at
        + i64::from(rules.pulse_first_day) * DAY_MS
        + i64::from(round) * i64::from(rules.pulse_every_days.max(1)) * DAY_MS
}

/// The pulse open at `now`, if any.
///
/// Pulses fall due `pulse_first_day` days after the room started and then
/// every `pulse_every_days`, but never before the room's first held session:
/// rapport is judged by people who have met. A pulse whose day came before
/// the first held session opens at that session. Each stays open until the
/// next one's day; a pulse nobody answered simply lapses (it never blocks
/// anything).
pub fn pulse_due(
    started_at: Option<i64>,
    first_held_at: Option<i64>,
    rules: &RoomRules,
    now: i64,
) -> Option<DuePulse> {
    let (start, held) = (started_at?, first_held_at?);
    if held > now {
        return None;
    }
    let first = round_day(start, rules, 0);
    if now < first {
        return None;
    }
    let every = i64::from(rules.pulse_every_days.max(1)) * DAY_MS;
    let round = u32::try_from((now - first) / every).unwrap_or(u32::MAX);
    let day = round_day(start, rules, round);
    Some(DuePulse {
        round,
        opened_at: day.max(held),
        closes_at: round_day(start, rules, round.saturating_add(1)),
    })
}

/// When the next pulse opens after `now` (ms); none while no session has
/// been held (the first one waits for it).
pub fn next_pulse(
    started_at: Option<i64>,
    first_held_at: Option<i64>,
    rules: &RoomRules,
    now: i64,
) -> Option<i64> {
    let start = started_at?;
    let held = first_held_at.filter(|h| *h <= now)?;
    let first = round_day(start, rules, 0);
    if now < first {
        return Some(first.max(held));
    }
    pulse_due(started_at, first_held_at, rules, now).map(|d| d.closes_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: i64 = 1_000_000_000_000;

    fn day(n: i64) -> i64 {
        START + n * DAY_MS
    }

    #[test]
    fn scores_are_one_to_five_and_the_error_names_the_field() {
        assert_eq!(PulseScore::parse("empathy", 1).unwrap().get(), 1);
        assert_eq!(PulseScore::parse("empathy", 5).unwrap().get(), 5);
        for bad in [0, 6, -1, 300] {
            let e = PulseScore::parse("empathy", bad).unwrap_err();
            assert_eq!(e.field, "empathy");
        }
        assert_eq!(Working::parse("not_sure").unwrap(), Working::NotSure);
        assert_eq!(Working::parse("maybe").unwrap_err().field, "working");
    }

    #[test]
    fn no_pulse_before_the_first_held_session() {
        let r = RoomRules::default();
        assert_eq!(pulse_due(Some(START), None, &r, day(45)), None);
        assert_eq!(next_pulse(Some(START), None, &r, day(45)), None);
        assert_eq!(pulse_due(None, Some(day(1)), &r, day(45)), None);
        // A session "held" in the future does not count yet.
        assert_eq!(pulse_due(Some(START), Some(day(50)), &r, day(45)), None);
    }

    #[test]
    fn the_schedule_is_day_30_then_every_60_days() {
        let r = RoomRules::default();
        let held = Some(day(3));
        // Table: (now, expected round open, opened at, closes at)
        // (now, expected: (round, opened at, closes at))
        type Open = Option<(u32, i64, i64)>;
        let table: [(i64, Open); 7] = [
            (day(30) - 1, None),
            (day(30), Some((0, day(30), day(90)))),
            (day(89), Some((0, day(30), day(90)))),
            (day(90) - 1, Some((0, day(30), day(90)))),
            (day(90), Some((1, day(90), day(150)))),
            (day(149), Some((1, day(90), day(150)))),
            (day(150), Some((2, day(150), day(210)))),
        ];
        for (now, want) in table {
            let got =
                pulse_due(Some(START), held, &r, now).map(|d| (d.round, d.opened_at, d.closes_at));
            assert_eq!(got, want, "at {}", (now - START) as f64 / DAY_MS as f64);
        }
        assert_eq!(next_pulse(Some(START), held, &r, day(10)), Some(day(30)));
        assert_eq!(next_pulse(Some(START), held, &r, day(31)), Some(day(90)));
    }

    #[test]
    fn a_late_first_session_opens_the_pulse_that_is_due() {
        let r = RoomRules::default();
        // First held at day 40: pulse 0 (day 30) opens at day 40.
        let d = pulse_due(Some(START), Some(day(40)), &r, day(41)).unwrap();
        assert_eq!((d.round, d.opened_at, d.closes_at), (0, day(40), day(90)));
        assert_eq!(next_pulse(Some(START), Some(day(40)), &r, day(39)), None);
        // First held at day 100: pulse 0 lapsed unopened, pulse 1 opens at 100.
        let d = pulse_due(Some(START), Some(day(100)), &r, day(100)).unwrap();
        assert_eq!((d.round, d.opened_at), (1, day(100)));
    }

    #[test]
    fn a_programme_can_change_the_schedule() {
        let r = RoomRules {
            pulse_first_day: 14,
            pulse_every_days: 28,
            ..RoomRules::default()
        };
        let d = pulse_due(Some(START), Some(day(1)), &r, day(43)).unwrap();
        assert_eq!((d.round, d.opened_at), (1, day(42)));
        // A zero interval reads as one day rather than dividing by zero.
        let r = RoomRules {
            pulse_every_days: 0,
            ..RoomRules::default()
        };
        assert_eq!(
            pulse_due(Some(START), Some(day(1)), &r, day(32))
                .unwrap()
                .round,
            2
        );
    }
}
