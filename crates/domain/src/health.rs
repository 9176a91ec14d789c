//! Room health, explained: every open room reads healthy, needs attention or
//! at risk, and carries each reason behind that. No opaque score.
//!
//! [`assess`] is the whole rule set, pure: the app gathers a room's facts into
//! a [`HealthInput`] and the programme's [`RoomRules`] give every threshold.
//!
//! # Rules (defaults in brackets)
//! - **Activation.** No held session `activation_attention_days` [14] after the
//!   room started: needs attention; `activation_risk_days` [30]: at risk.
//! - **Cadence kept.** The gap (time since the last held session, not counting
//!   paused time) longer than `cadence_attention_percent` [150 %] of the agreed
//!   interval: needs attention; longer than `cadence_risk_percent` [200 %] of
//!   it, or than `cadence_risk_days` [60] days: at risk.
//! - **Rapport pulse**, at risk when: an item of a member's latest answers is
//!   scored `pulse_low_score` [2] or lower; a member answered "no" to "this is
//!   working for me"; the same item fell at each of a member's last two
//!   pulses; or two sides' answers to the same item in the same pulse differ
//!   by `pulse_sides_apart` [2] or more (the mentor or facilitator against
//!   each mentee; peers against each other).
//! - **No-shows.** `no_show_limit` [2] no-shows within `no_show_window_days`
//!   [30] days: needs attention.
//!
//! Elapsed times are compared at millisecond precision: "14 days after" holds
//! from the 14th day on; "longer than" is strictly longer.

use crate::programme::{Cadence, ProgrammeRole};
use crate::pulse::{PulseAnswers, PulseItem, Working, DAY_MS};
use crate::room_rules::RoomRules;
use crate::{Invalid, PersonId};
use serde::{Deserialize, Serialize};

/// How a room is doing, best first (so `max` is the worst).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Nothing to act on.
    Healthy,
    /// The members should act.
    NeedsAttention,
    /// The programme's managers should act.
    AtRisk,
}

impl Level {
    /// Every level, best first.
    pub const ALL: [Self; 3] = [Self::Healthy, Self::NeedsAttention, Self::AtRisk];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::NeedsAttention => "needs_attention",
            Self::AtRisk => "at_risk",
        }
    }

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Healthy => "Healthy",
            Self::NeedsAttention => "Needs attention",
            Self::AtRisk => "At risk",
        }
    }

    /// Parses a code.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|l| l.code() == raw.trim())
            .ok_or_else(|| Invalid::new("level", "must be healthy, needs_attention or at_risk"))
    }
}

/// Which rule a reason comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// No held session yet, some time after the start.
    NoSessionYet,
    /// The gap is longer than the attention share of the interval.
    GapLong,
    /// The gap is longer than the risk share of the interval, or the day limit.
    GapAtRisk,
    /// A pulse item scored low.
    PulseLowScore,
    /// "This is working for me": no.
    PulseNotWorking,
    /// An item fell at each of a member's last two pulses.
    PulseFalling,
    /// Two sides' scores for one item are far apart.
    PulseSidesDiffer,
    /// Too many no-shows lately.
    NoShows,
}

impl ReasonCode {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::NoSessionYet => "no_session_yet",
            Self::GapLong => "gap_long",
            Self::GapAtRisk => "gap_at_risk",
            Self::PulseLowScore => "pulse_low_score",
            Self::PulseNotWorking => "pulse_not_working",
            Self::PulseFalling => "pulse_falling",
            Self::PulseSidesDiffer => "pulse_sides_differ",
            Self::NoShows => "no_shows",
        }
    }

    /// One concrete next step for the room's members.
    pub fn next_step(self) -> &'static str {
        match self {
            Self::NoSessionYet => "Schedule your first session.",
            Self::GapLong | Self::GapAtRisk => "Schedule your next session.",
            Self::PulseLowScore | Self::PulseFalling | Self::PulseSidesDiffer => {
                "Talk about how the relationship is going at your next session, or ask your programme's manager for a word."
            }
            Self::PulseNotWorking => {
                "Talk to your programme's manager: you can ask for a new match, without blame."
            }
            Self::NoShows => {
                "Agree session times that work for everyone, and say early when you cannot come."
            }
        }
    }
}

/// Where a reason comes from: what a viewer may be shown depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// The activation clock (no held session yet).
    Activity,
    /// The cadence gap.
    Cadence,
    /// One member's own pulse answers.
    Pulse {
        /// Their role in the room.
        side: ProgrammeRole,
        /// Who.
        person: PersonId,
    },
    /// Two members' pulse answers compared: derived from both, so neither
    /// member may see it.
    PulseGap {
        /// Their roles, in the order of `people`.
        sides: [ProgrammeRole; 2],
        /// The two members: the mentor (or facilitator, or first peer) first.
        people: [PersonId; 2],
    },
    /// Attendance.
    NoShow,
}

impl Source {
    /// Whether it derives from anyone's pulse answers.
    pub fn is_pulse(&self) -> bool {
        matches!(self, Self::Pulse { .. } | Self::PulseGap { .. })
    }
}

/// One reason behind a room's level, in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// The rule.
    pub code: ReasonCode,
    /// What happened, in a sentence naming the item and side where it applies.
    pub text: String,
    /// Where it comes from.
    pub source: Source,
    /// The level this reason alone gives.
    pub level: Level,
}

/// A room's health: its level and every reason, worst first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// The worst level among the reasons; healthy without any.
    pub level: Level,
    /// Every reason, worst first (rule order within a level).
    pub reasons: Vec<Reason>,
}

impl Health {
    /// Health made of `reasons`: the level is the worst of them.
    pub fn of(mut reasons: Vec<Reason>) -> Self {
        reasons.sort_by_key(|r| std::cmp::Reverse(r.level));
        Self {
            level: reasons
                .iter()
                .map(|r| r.level)
                .max()
                .unwrap_or(Level::Healthy),
            reasons,
        }
    }

    /// The next step for the worst reason, if any.
    pub fn next_step(&self) -> Option<&'static str> {
        self.reasons.first().map(|r| r.code.next_step())
    }
}

/// A time the room was paused; `until` is none while the pause goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pause {
    /// Start (ms).
    pub from: i64,
    /// End (ms), none while paused.
    pub until: Option<i64>,
}

/// A current member, as the pulse rules name them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthMember {
    /// Who.
    pub person: PersonId,
    /// Their name.
    pub name: String,
    /// Their role in the room.
    pub role: ProgrammeRole,
}

/// One stored pulse answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PulseEntry {
    /// Who answered.
    pub person: PersonId,
    /// Which pulse.
    pub round: u32,
    /// Their answers.
    pub answers: PulseAnswers,
}

/// What [`assess`] reads about one room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthInput {
    /// When the room first became active (ms).
    pub started_at: i64,
    /// How often the members agreed to meet, in days; none applies only the
    /// day limit to the gap. Filled from the agreement once one exists, and
    /// from the programme's cadence before that.
    pub agreed_interval_days: Option<u32>,
    /// Every pause since the start (the current one with `until: None`).
    pub pauses: Vec<Pause>,
    /// Start of the latest held session at or before now (ms).
    pub last_held_at: Option<i64>,
    /// Start (ms) of the session of each no-show (one entry per member who
    /// did not come), from sessions that were not cancelled.
    pub no_shows: Vec<i64>,
    /// Current members.
    pub members: Vec<HealthMember>,
    /// Every pulse answer of the current members.
    pub pulses: Vec<PulseEntry>,
}

/// The interval a programme cadence means, in days.
pub fn cadence_interval_days(c: Cadence) -> u32 {
    match c {
        Cadence::Weekly => 7,
        Cadence::EveryTwoWeeks => 14,
        Cadence::Monthly => 30,
    }
}

/// Milliseconds from `from` to `to` that were not paused.
pub fn active_ms(from: i64, to: i64, pauses: &[Pause]) -> i64 {
    if to <= from {
        return 0;
    }
    let paused: i64 = pauses
        .iter()
        .map(|p| {
            let (a, b) = (p.from.max(from), p.until.unwrap_or(to).min(to));
            (b - a).max(0)
        })
        .sum();
    (to - from - paused).max(0)
}

fn days(ms: i64) -> String {
    match ms / DAY_MS {
        1 => "1 day".into(),
        n => format!("{n} days"),
    }
}

fn side_name(m: &HealthMember) -> String {
    format!("{} {}", m.role.code(), m.name)
}

fn capitalised(s: String) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => s,
    }
}

/// Assesses a room at `now`; see the module docs for every rule.
pub fn assess(input: &HealthInput, rules: &RoomRules, now: i64) -> Health {
    let mut reasons = vec![];
    activation(input, rules, now, &mut reasons);
    cadence(input, rules, now, &mut reasons);
    pulse(input, rules, &mut reasons);
    no_shows(input, rules, now, &mut reasons);
    Health::of(reasons)
}

fn activation(input: &HealthInput, rules: &RoomRules, now: i64, out: &mut Vec<Reason>) {
    if input.last_held_at.is_some_and(|h| h <= now) {
        return;
    }
    let elapsed = active_ms(input.started_at, now, &input.pauses);
    let (attention, risk) = (
        i64::from(rules.activation_attention_days) * DAY_MS,
        i64::from(rules.activation_risk_days) * DAY_MS,
    );
    let level = if elapsed >= risk {
        Level::AtRisk
    } else if elapsed >= attention {
        Level::NeedsAttention
    } else {
        return;
    };
    out.push(Reason {
        code: ReasonCode::NoSessionYet,
        text: format!(
            "No session has been held yet, {} after the room started, not counting paused time (needs attention from day {}, at risk from day {}).",
            days(elapsed),
            rules.activation_attention_days,
            rules.activation_risk_days
        ),
        source: Source::Activity,
        level,
    });
}

fn cadence(input: &HealthInput, rules: &RoomRules, now: i64, out: &mut Vec<Reason>) {
    let Some(last) = input.last_held_at.filter(|h| *h <= now) else {
        return;
    };
    let gap = i128::from(active_ms(last, now, &input.pauses));
    let interval = input
        .agreed_interval_days
        .map(|d| i128::from(d) * i128::from(DAY_MS));
    let over = |percent: u32| interval.is_some_and(|i| gap * 100 > i * i128::from(percent));
    let beyond_days = gap > i128::from(rules.cadence_risk_days) * i128::from(DAY_MS);
    let (code, level) = if over(rules.cadence_risk_percent) || beyond_days {
        (ReasonCode::GapAtRisk, Level::AtRisk)
    } else if over(rules.cadence_attention_percent) {
        (ReasonCode::GapLong, Level::NeedsAttention)
    } else {
        return;
    };
    let gap_ms = i64::try_from(gap).unwrap_or(i64::MAX);
    let text = match input.agreed_interval_days {
        Some(d) => format!(
            "The last session was held {} ago, not counting paused time. The agreed interval is {}: needs attention after {}, at risk after {} or after {} days.",
            days(gap_ms),
            days(i64::from(d) * DAY_MS),
            days(i64::from(d) * i64::from(rules.cadence_attention_percent) * DAY_MS / 100),
            days(i64::from(d) * i64::from(rules.cadence_risk_percent) * DAY_MS / 100),
            rules.cadence_risk_days
        ),
        None => format!(
            "The last session was held {} ago, not counting paused time: at risk after {} days.",
            days(gap_ms),
            rules.cadence_risk_days
        ),
    };
    out.push(Reason {
        code,
        text,
        source: Source::Cadence,
        level,
    });
}

fn pulse(input: &HealthInput, rules: &RoomRules, out: &mut Vec<Reason>) {
    let answers_of = |p: PersonId| {
        let mut v: Vec<&crate::health::PulseEntry> =
            input.pulses.iter().filter(|e| e.person == p).collect();
        v.sort_by_key(|e| e.round);
        v
    };
    for m in &input.members {
        let mine = answers_of(m.person);
        let Some(latest) = mine.last() else { continue };
        let source = Source::Pulse {
            side: m.role,
            person: m.person,
        };
        for item in PulseItem::ALL {
            let s = latest.answers.score(item);
            if u32::from(s) <= rules.pulse_low_score {
                out.push(Reason {
                    code: ReasonCode::PulseLowScore,
                    text: format!(
                        "{} scored {} {s} of 5 (\u{201c}{}\u{201d}) at check-in {}.",
                        capitalised(side_name(m)),
                        item.code(),
                        item.question(),
                        latest.round + 1
                    ),
                    source,
                    level: Level::AtRisk,
                });
            }
        }
        if latest.answers.working == Working::No {
            out.push(Reason {
                code: ReasonCode::PulseNotWorking,
                text: format!(
                    "{} answered no to \u{201c}this mentorship is working for me\u{201d} at check-in {}.",
                    capitalised(side_name(m)),
                    latest.round + 1
                ),
                source,
                level: Level::AtRisk,
            });
        }
        if let [.., a, b, c] = mine.as_slice() {
            for item in PulseItem::ALL {
                let (x, y, z) = (
                    a.answers.score(item),
                    b.answers.score(item),
                    c.answers.score(item),
                );
                if y < x && z < y {
                    out.push(Reason {
                        code: ReasonCode::PulseFalling,
                        text: format!(
                            "{}\u{2019}s {} score fell at each of their last two check-ins ({x}, then {y}, then {z}).",
                            capitalised(side_name(m)),
                            item.code()
                        ),
                        source,
                        level: Level::AtRisk,
                    });
                }
            }
        }
    }
    for (a, b) in compared_pairs(&input.members) {
        let (pa, pb) = (answers_of(a.person), answers_of(b.person));
        // The latest pulse both answered.
        let Some((ea, eb)) = pa
            .iter()
            .rev()
            .find_map(|ea| pb.iter().find(|eb| eb.round == ea.round).map(|eb| (ea, eb)))
        else {
            continue;
        };
        for item in PulseItem::ALL {
            let (x, y) = (ea.answers.score(item), eb.answers.score(item));
            let apart = x.abs_diff(y);
            if u32::from(apart) >= rules.pulse_sides_apart.max(1) {
                out.push(Reason {
                    code: ReasonCode::PulseSidesDiffer,
                    text: format!(
                        "{} and {} differ by {apart} on {} at check-in {} ({x} and {y}).",
                        capitalised(side_name(a)),
                        side_name(b),
                        item.code(),
                        ea.round + 1
                    ),
                    source: Source::PulseGap {
                        sides: [a.role, b.role],
                        people: [a.person, b.person],
                    },
                    level: Level::AtRisk,
                });
            }
        }
    }
}

/// The pairs whose answers are compared: each mentor or facilitator against
/// each mentee; in a room without mentees, every two peers.
fn compared_pairs(members: &[HealthMember]) -> Vec<(&HealthMember, &HealthMember)> {
    let leads: Vec<_> = members
        .iter()
        .filter(|m| matches!(m.role, ProgrammeRole::Mentor | ProgrammeRole::Facilitator))
        .collect();
    let mentees: Vec<_> = members
        .iter()
        .filter(|m| m.role == ProgrammeRole::Mentee)
        .collect();
    if !leads.is_empty() && !mentees.is_empty() {
        return leads
            .iter()
            .flat_map(|l| mentees.iter().map(move |m| (*l, *m)))
            .collect();
    }
    let peers: Vec<_> = members
        .iter()
        .filter(|m| m.role == ProgrammeRole::Peer)
        .collect();
    let mut out = vec![];
    for (i, a) in peers.iter().enumerate() {
        for b in &peers[i + 1..] {
            out.push((*a, *b));
        }
    }
    out
}

fn no_shows(input: &HealthInput, rules: &RoomRules, now: i64, out: &mut Vec<Reason>) {
    if rules.no_show_limit == 0 {
        return;
    }
    let since = now - i64::from(rules.no_show_window_days) * DAY_MS;
    let n = input
        .no_shows
        .iter()
        .filter(|t| **t > since && **t <= now)
        .count();
    if n >= rules.no_show_limit as usize {
        out.push(Reason {
            code: ReasonCode::NoShows,
            text: format!(
                "{n} no-shows in the last {} days (needs attention from {}).",
                rules.no_show_window_days, rules.no_show_limit
            ),
            source: Source::NoShow,
            level: Level::NeedsAttention,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pulse::PulseScore;

    const START: i64 = 1_000_000_000_000;
    const MS: i64 = 1;

    fn day(n: i64) -> i64 {
        START + n * DAY_MS
    }

    fn base() -> HealthInput {
        HealthInput {
            started_at: START,
            agreed_interval_days: Some(14),
            pauses: vec![],
            last_held_at: None,
            no_shows: vec![],
            members: vec![],
            pulses: vec![],
        }
    }

    fn codes(h: &Health) -> Vec<(ReasonCode, Level)> {
        h.reasons.iter().map(|r| (r.code, r.level)).collect()
    }

    #[test]
    fn activation_boundaries() {
        let r = RoomRules::default();
        let table = [
            (day(14) - MS, Level::Healthy),
            (day(14), Level::NeedsAttention),
            (day(30) - MS, Level::NeedsAttention),
            (day(30), Level::AtRisk),
            (day(200), Level::AtRisk),
        ];
        for (now, want) in table {
            let h = assess(&base(), &r, now);
            assert_eq!(h.level, want, "at {now}");
            if want != Level::Healthy {
                assert_eq!(codes(&h), vec![(ReasonCode::NoSessionYet, want)]);
                assert_eq!(h.reasons[0].source, Source::Activity);
            }
        }
        // A held session ends the activation clock; one in the future does not.
        let held = HealthInput {
            last_held_at: Some(day(20)),
            ..base()
        };
        assert_eq!(assess(&held, &r, day(21)).level, Level::Healthy);
        assert_eq!(assess(&held, &r, day(19)).level, Level::NeedsAttention);
    }

    #[test]
    fn activation_does_not_count_paused_time() {
        let r = RoomRules::default();
        let paused = HealthInput {
            pauses: vec![Pause {
                from: day(5),
                until: Some(day(15)),
            }],
            ..base()
        };
        assert_eq!(assess(&paused, &r, day(24) - MS).level, Level::Healthy);
        assert_eq!(assess(&paused, &r, day(24)).level, Level::NeedsAttention);
        // Paused now, since day 10: the clock stands still at 10 days.
        let ongoing = HealthInput {
            pauses: vec![Pause {
                from: day(10),
                until: None,
            }],
            ..base()
        };
        assert_eq!(assess(&ongoing, &r, day(100)).level, Level::Healthy);
    }

    #[test]
    fn cadence_gap_boundaries() {
        let r = RoomRules::default();
        let held = |interval: Option<u32>| HealthInput {
            last_held_at: Some(day(0)),
            agreed_interval_days: interval,
            ..base()
        };
        // Every two weeks: attention after 21 days, at risk after 28.
        let table = [
            (Some(14), day(21), Level::Healthy),
            (Some(14), day(21) + MS, Level::NeedsAttention),
            (Some(14), day(28), Level::NeedsAttention),
            (Some(14), day(28) + MS, Level::AtRisk),
            // Monthly: attention after 45 days; at risk after 60 (2× and the day limit agree).
            (Some(30), day(45), Level::Healthy),
            (Some(30), day(45) + MS, Level::NeedsAttention),
            (Some(30), day(60), Level::NeedsAttention),
            (Some(30), day(60) + MS, Level::AtRisk),
            // A long interval: the 60-day limit comes first.
            (Some(40), day(60), Level::Healthy),
            (Some(40), day(60) + MS, Level::AtRisk),
            // No interval: only the day limit.
            (None, day(60), Level::Healthy),
            (None, day(60) + MS, Level::AtRisk),
        ];
        for (interval, now, want) in table {
            let h = assess(&held(interval), &r, now);
            assert_eq!(h.level, want, "interval {interval:?} at {now}");
            match want {
                Level::Healthy => assert!(h.reasons.is_empty()),
                Level::NeedsAttention => assert_eq!(codes(&h), vec![(ReasonCode::GapLong, want)]),
                Level::AtRisk => assert_eq!(codes(&h), vec![(ReasonCode::GapAtRisk, want)]),
            }
        }
    }

    #[test]
    fn the_gap_does_not_count_paused_time() {
        let r = RoomRules::default();
        let input = HealthInput {
            last_held_at: Some(day(0)),
            pauses: vec![Pause {
                from: day(5),
                until: Some(day(25)),
            }],
            ..base()
        };
        // 41 days since, 20 paused: a gap of 21 days.
        assert_eq!(assess(&input, &r, day(41)).level, Level::Healthy);
        assert_eq!(
            assess(&input, &r, day(41) + MS).level,
            Level::NeedsAttention
        );
        // A pause before the last session does not shorten the gap.
        let earlier = HealthInput {
            last_held_at: Some(day(30)),
            pauses: vec![Pause {
                from: day(5),
                until: Some(day(25)),
            }],
            ..base()
        };
        assert_eq!(
            assess(&earlier, &r, day(51) + MS).level,
            Level::NeedsAttention
        );
    }

    #[test]
    fn programmes_change_the_thresholds() {
        let r = RoomRules {
            activation_attention_days: 7,
            activation_risk_days: 10,
            cadence_attention_percent: 120,
            cadence_risk_percent: 300,
            cadence_risk_days: 90,
            ..RoomRules::default()
        };
        assert_eq!(assess(&base(), &r, day(7)).level, Level::NeedsAttention);
        assert_eq!(assess(&base(), &r, day(10)).level, Level::AtRisk);
        let held = HealthInput {
            last_held_at: Some(day(0)),
            agreed_interval_days: Some(10),
            ..base()
        };
        assert_eq!(assess(&held, &r, day(12) + MS).level, Level::NeedsAttention);
        assert_eq!(assess(&held, &r, day(30)).level, Level::NeedsAttention);
        assert_eq!(assess(&held, &r, day(30) + MS).level, Level::AtRisk);
    }

    #[test]
    fn no_shows_in_the_window() {
        let r = RoomRules::default();
        let input = |times: Vec<i64>| HealthInput {
            last_held_at: Some(day(39)),
            no_shows: times,
            ..base()
        };
        let now = day(40);
        // (no-show times, expected level)
        let table = [
            (vec![day(20)], Level::Healthy),
            (vec![day(20), day(39)], Level::NeedsAttention),
            (vec![day(10) + MS, day(39)], Level::NeedsAttention),
            // Exactly 30 days ago is outside the window.
            (vec![day(10), day(39)], Level::Healthy),
            (vec![day(1), day(2), day(39)], Level::Healthy),
        ];
        for (times, want) in table {
            let h = assess(&input(times.clone()), &r, now);
            assert_eq!(h.level, want, "{times:?}");
            if want == Level::NeedsAttention {
                assert_eq!(codes(&h), vec![(ReasonCode::NoShows, want)]);
                assert_eq!(h.reasons[0].source, Source::NoShow);
            }
        }
    }

    fn answers(g: i64, e: i64, a: i64, w: Working) -> PulseAnswers {
        PulseAnswers {
            genuineness: PulseScore::parse("genuineness", g).unwrap(),
            empathy: PulseScore::parse("empathy", e).unwrap(),
            acceptance: PulseScore::parse("acceptance", a).unwrap(),
            working: w,
        }
    }

    fn pair() -> (HealthMember, HealthMember) {
        (
            HealthMember {
                person: PersonId::new(),
                name: "Ana".into(),
                role: ProgrammeRole::Mentor,
            },
            HealthMember {
                person: PersonId::new(),
                name: "Bea".into(),
                role: ProgrammeRole::Mentee,
            },
        )
    }

    fn with_pulses(members: Vec<HealthMember>, pulses: Vec<PulseEntry>) -> HealthInput {
        HealthInput {
            last_held_at: Some(day(30)),
            members,
            pulses,
            ..base()
        }
    }

    fn entry(p: &HealthMember, round: u32, a: PulseAnswers) -> PulseEntry {
        PulseEntry {
            person: p.person,
            round,
            answers: a,
        }
    }

    #[test]
    fn pulse_low_scores_and_a_no_are_at_risk_and_name_the_item_and_side() {
        let r = RoomRules::default();
        let (ana, bea) = pair();
        let now = day(31);
        // (Bea's answers, expected codes)
        let table = [
            (answers(3, 3, 3, Working::Yes), vec![]),
            (answers(3, 3, 3, Working::NotSure), vec![]),
            (
                answers(3, 2, 3, Working::Yes),
                vec![ReasonCode::PulseLowScore],
            ),
            (
                answers(1, 3, 2, Working::Yes),
                vec![ReasonCode::PulseLowScore, ReasonCode::PulseLowScore],
            ),
            (
                answers(3, 3, 3, Working::No),
                vec![ReasonCode::PulseNotWorking],
            ),
        ];
        for (bea_answers, want) in table {
            let input = with_pulses(
                vec![ana.clone(), bea.clone()],
                vec![entry(&bea, 0, bea_answers)],
            );
            let h = assess(&input, &r, now);
            assert_eq!(
                h.reasons.iter().map(|r| r.code).collect::<Vec<_>>(),
                want,
                "{bea_answers:?}"
            );
            for reason in &h.reasons {
                assert_eq!(reason.level, Level::AtRisk);
                assert_eq!(
                    reason.source,
                    Source::Pulse {
                        side: ProgrammeRole::Mentee,
                        person: bea.person
                    }
                );
                assert!(reason.text.starts_with("Mentee Bea"), "{}", reason.text);
            }
        }
        let input = with_pulses(
            vec![ana.clone(), bea.clone()],
            vec![entry(&bea, 0, answers(3, 2, 3, Working::Yes))],
        );
        let h = assess(&input, &r, now);
        assert!(
            h.reasons[0].text.contains("scored empathy 2 of 5"),
            "{}",
            h.reasons[0].text
        );
    }

    #[test]
    fn only_the_latest_answers_count_for_low_scores() {
        let r = RoomRules::default();
        let (ana, bea) = pair();
        let input = with_pulses(
            vec![ana.clone(), bea.clone()],
            vec![
                entry(&bea, 0, answers(1, 1, 1, Working::No)),
                entry(&bea, 1, answers(4, 4, 4, Working::Yes)),
            ],
        );
        assert_eq!(assess(&input, &r, day(31)).level, Level::Healthy);
    }

    #[test]
    fn an_item_falling_at_each_of_the_last_two_pulses() {
        let r = RoomRules::default();
        let (ana, bea) = pair();
        let run = |scores: &[i64]| {
            let pulses = scores
                .iter()
                .enumerate()
                .map(|(i, s)| entry(&bea, i as u32, answers(5, *s, 5, Working::Yes)))
                .collect();
            assess(
                &with_pulses(vec![ana.clone(), bea.clone()], pulses),
                &r,
                day(31),
            )
        };
        // (empathy at each pulse, falling?)
        let table: [(&[i64], bool); 6] = [
            (&[5, 4, 3], true),
            (&[5, 4], false),
            (&[5, 4, 4], false),
            (&[5, 5, 4], false),
            (&[3, 5, 4, 3], true),
            (&[5, 4, 3, 3], false),
        ];
        for (scores, falling) in table {
            let h = run(scores);
            let got = h.reasons.iter().any(|r| r.code == ReasonCode::PulseFalling);
            assert_eq!(got, falling, "{scores:?}");
            if falling {
                assert_eq!(h.level, Level::AtRisk);
                let reason = h
                    .reasons
                    .iter()
                    .find(|r| r.code == ReasonCode::PulseFalling)
                    .unwrap();
                assert!(reason.text.contains("empathy"), "{}", reason.text);
            }
        }
    }

    #[test]
    fn sides_that_differ_by_two_are_at_risk_and_come_from_both() {
        let r = RoomRules::default();
        let (ana, bea) = pair();
        // (Ana's empathy, Bea's empathy, expected differ?)
        let table = [(4, 3, false), (5, 3, true), (3, 5, true), (5, 4, false)];
        for (a, b, want) in table {
            let input = with_pulses(
                vec![ana.clone(), bea.clone()],
                vec![
                    entry(&ana, 0, answers(4, a, 4, Working::Yes)),
                    entry(&bea, 0, answers(4, b, 4, Working::Yes)),
                ],
            );
            let h = assess(&input, &r, day(31));
            let differ: Vec<_> = h
                .reasons
                .iter()
                .filter(|r| r.code == ReasonCode::PulseSidesDiffer)
                .collect();
            assert_eq!(!differ.is_empty(), want, "{a} vs {b}");
            if want {
                assert_eq!(
                    differ[0].source,
                    Source::PulseGap {
                        sides: [ProgrammeRole::Mentor, ProgrammeRole::Mentee],
                        people: [ana.person, bea.person]
                    }
                );
                assert!(differ[0].text.contains("on empathy"), "{}", differ[0].text);
            }
        }
        // Answers to different pulses are not compared.
        let input = with_pulses(
            vec![ana.clone(), bea.clone()],
            vec![
                entry(&ana, 0, answers(5, 5, 5, Working::Yes)),
                entry(&bea, 1, answers(3, 3, 3, Working::Yes)),
            ],
        );
        assert_eq!(assess(&input, &r, day(31)).level, Level::Healthy);
    }

    #[test]
    fn in_groups_the_mentor_is_compared_with_each_mentee_and_peers_with_each_other() {
        let r = RoomRules::default();
        let (ana, bea) = pair();
        let cy = HealthMember {
            person: PersonId::new(),
            name: "Cy".into(),
            role: ProgrammeRole::Mentee,
        };
        let input = with_pulses(
            vec![ana.clone(), bea.clone(), cy.clone()],
            vec![
                entry(&ana, 0, answers(5, 5, 5, Working::Yes)),
                entry(&bea, 0, answers(5, 5, 5, Working::Yes)),
                // Cy differs from Ana; Bea and Cy (both mentees) are not compared.
                entry(&cy, 0, answers(3, 5, 5, Working::Yes)),
            ],
        );
        let h = assess(&input, &r, day(31));
        assert_eq!(
            codes(&h),
            vec![(ReasonCode::PulseSidesDiffer, Level::AtRisk)]
        );
        assert!(
            matches!(h.reasons[0].source, Source::PulseGap { people, .. } if people == [ana.person, cy.person])
        );
        let peer = |n: &str| HealthMember {
            person: PersonId::new(),
            name: n.into(),
            role: ProgrammeRole::Peer,
        };
        let (p, q, s) = (peer("P"), peer("Q"), peer("S"));
        let input = with_pulses(
            vec![p.clone(), q.clone(), s.clone()],
            vec![
                entry(&p, 0, answers(5, 5, 5, Working::Yes)),
                entry(&q, 0, answers(5, 5, 5, Working::Yes)),
                entry(&s, 0, answers(5, 5, 3, Working::Yes)),
            ],
        );
        assert_eq!(assess(&input, &r, day(31)).reasons.len(), 2);
    }

    #[test]
    fn reasons_are_worst_first_and_the_level_is_the_worst() {
        let r = RoomRules::default();
        let (ana, bea) = pair();
        let input = HealthInput {
            last_held_at: Some(day(0)),
            no_shows: vec![day(20), day(21)],
            ..with_pulses(
                vec![ana, bea.clone()],
                vec![entry(&bea, 0, answers(2, 4, 4, Working::Yes))],
            )
        };
        let h = assess(&input, &r, day(22));
        assert_eq!(
            codes(&h),
            vec![
                (ReasonCode::PulseLowScore, Level::AtRisk),
                (ReasonCode::GapLong, Level::NeedsAttention),
                (ReasonCode::NoShows, Level::NeedsAttention),
            ]
        );
        assert_eq!(h.level, Level::AtRisk);
        assert_eq!(h.next_step(), Some(ReasonCode::PulseLowScore.next_step()));
        assert_eq!(Health::of(vec![]).level, Level::Healthy);
        assert_eq!(Health::of(vec![]).next_step(), None);
    }

    #[test]
    fn reasons_round_trip_as_json() {
        let (ana, bea) = pair();
        let input = with_pulses(
            vec![ana.clone(), bea.clone()],
            vec![
                entry(&ana, 0, answers(5, 5, 5, Working::Yes)),
                entry(&bea, 0, answers(2, 5, 5, Working::No)),
            ],
        );
        let h = assess(&input, &RoomRules::default(), day(31));
        let json = serde_json::to_string(&h.reasons).unwrap();
        assert!(json.contains(r#""kind":"pulse_gap""#), "{json}");
        let back: Vec<Reason> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, h.reasons);
        for l in Level::ALL {
            assert_eq!(Level::parse(l.code()).unwrap(), l);
        }
    }

    #[test]
    fn active_time_clips_pauses_to_the_span() {
        let p = [Pause {
            from: 10,
            until: Some(20),
        }];
        assert_eq!(active_ms(0, 30, &p), 20);
        assert_eq!(active_ms(15, 30, &p), 10);
        assert_eq!(active_ms(25, 30, &p), 5);
        assert_eq!(active_ms(0, 15, &p), 10);
        assert_eq!(active_ms(30, 0, &p), 0);
        assert_eq!(
            active_ms(
                0,
                30,
                &[Pause {
                    from: 10,
                    until: None
                }]
            ),
            10
        );
    }
}
