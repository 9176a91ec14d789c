//! The demo's rooms: a hundred days of mentoring played through the real use
//! cases, so a newcomer signs in to a living product.
//!
//! [`seed_rooms`] runs after [`seed`](super::seed) wrote the organisation. It
//! builds a second [`App`] over the same store with a [`ManualClock`] set
//! [`HISTORY_DAYS`] days back, and plays a script in time order: managers
//! run matching rounds, members accept, agree, set goals, meet, write notes
//! and messages, answer the rapport pulse, pause, complete and reflect. Every
//! other morning of the story it runs the worker's sweeps (health,
//! activation) and the due jobs, as the server would have. Nothing writes a
//! status into a table: every state is reached by the move that reaches it.
//!
//! # The rooms
//! In Leadership Foundations 2026 (one-to-one, every two weeks), by the
//! order the round proposed them ([`ARCS`]): healthy rooms, one that needs
//! attention (a cancelled session left a long gap), one at risk (a low
//! empathy score, the two sides far apart, and a gap past twice the
//! interval), one whose mentee answered "no, this isn't working" (the room
//! for the re-match, see [`rematch_one_mentee`]), a paused room, and two
//! completed three-month rooms with closure reflections and outcome surveys.
//! The programme has one seat fewer than mentees, so one mentee waits until a
//! completed room frees a seat; the manager matches them three days before
//! now and their new room is proposed, accepted by the mentor only.
//! In Peer Circles (peer pairs, monthly) every pair meets, and one pair ended
//! early. In Leading Through Change (group) each mentor meets a group of
//! three mentees every two weeks, and in the Engineering Leads Circle
//! (circle) the circles meet monthly: everyone accepts and confirms, and
//! attendance is taken for every member. The New Managers Cohort (group)
//! is a draft, so it has no rooms.
//!
//! # Email
//! The story's email (invitations, digests, nudges, alerts) is delivered
//! as it happens, in story time, as `.eml` files into
//! `<outbox>/demo-history/` and never over SMTP: nobody is flooded at
//! start-up, and the files show what Rapport sends. Reminders of sessions
//! long past are not replayed; those of sessions still to come are left to
//! the real worker.
//!
//! # Determinism
//! The script comes from [`DEMO_SEED`](super::DEMO_SEED) and the rounds'
//! results; ids are random, as everywhere in Rapport.

use super::generator::{CIRCLE_PROGRAMME, GROUP_PROGRAMME};
use super::room_words::*;
use super::{demo_data, DemoProgramme, DEMO_SEED};
use crate::agreements::AgreementInput;
use crate::closure::ClosureInput;
use crate::goals::{GoalChanges, MilestoneInput, NewGoal};
use crate::notes::NoteInput;
use crate::pulse::PulseInput;
use crate::room_life::StatusChange;
use crate::sessions::{ActionItemInput, ScheduleInput, SessionEdit, StartInput, StatusInput};
use crate::{Actor, App, AppConfig, AppError, AppResult, ManualClock};
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::{ActionItemId, GoalId, MilestoneId, PersonId, RoomId, SessionId};
use std::collections::HashMap;
use std::sync::Arc;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
/// How often the story runs the worker's sweeps and due jobs: every other
/// morning keeps start-up quick and still delivers every alert and nudge.
const SWEEP_EVERY: i64 = 2 * DAY;
/// How far back the story starts, in days.
pub const HISTORY_DAYS: i64 = 100;
/// The one-to-one programme the story plays in.
pub const PAST_COHORT: &str = "leadership-foundations-2026";
/// The peer programme.
pub const PEER_CIRCLES: &str = "peer-circles";

/// What a one-to-one room (or peer pair) lives through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storyline {
    /// Meets every two weeks; next sessions planned.
    Healthy,
    /// A cancelled session left a gap of over 1.5 intervals: needs attention.
    Drifting,
    /// A low pulse item, the sides far apart, and a long gap: at risk.
    AtRisk,
    /// The mentee answered "no, this isn't working": at risk; re-match.
    NotWorking,
    /// Paused by the mentee.
    Paused,
    /// Three months, completed, with closure surveys.
    Completed,
    /// Proposed three days ago to the mentee who waited for a seat.
    Proposed,
    /// A peer pair meeting monthly.
    Peers,
    /// A peer pair a manager ended early (time).
    PeersEnded,
    /// A mentor and a group of mentees, meeting every two weeks.
    Group,
    /// A peer circle with a facilitator, meeting monthly.
    Circle,
}

/// The arcs of the past cohort's rooms, in the order its round proposed
/// them; rooms past the list are healthy.
pub const ARCS: &[Storyline] = &[
    Storyline::Healthy,
    Storyline::Completed,
    Storyline::AtRisk,
    Storyline::Healthy,
    Storyline::Paused,
    Storyline::NotWorking,
    Storyline::Healthy,
    Storyline::Drifting,
    Storyline::Completed,
    Storyline::Healthy,
];

/// Which peer pair (by the round's order) ends early.
const PEER_ENDED: usize = 3;

/// What `serve --demo` prints about the rooms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoRooms {
    /// Rooms created, every state included.
    pub rooms: usize,
    /// A mentor with several rooms (the demo password signs them in).
    pub mentor_email: String,
    /// A mentee of one of that mentor's healthy rooms.
    pub mentee_email: String,
    /// A member of a peer pair.
    pub peer_email: String,
    /// Each room with its arc, for tests and the summary.
    pub arcs: Vec<(RoomId, Storyline)>,
}

/// Who acts: a member by position (mentor or first peer 0, mentee or second
/// peer 1, further members of a group or circle 2, 3, …), or the
/// programme's manager.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    First,
    Second,
    Other(usize),
    Manager,
}
use Who::{First, Manager, Other, Second};

/// One step of the script.
#[derive(Clone, Debug)]
enum Act {
    Accept(Who),
    Message(Who, &'static str),
    ReadAll(Who),
    Agreement {
        who: Who,
        months: i64,
        cadence: &'static str,
        pick: usize,
    },
    Confirm(Who),
    Goal {
        who: Who,
        key: usize,
        words: usize,
        target_day: i64,
    },
    MilestoneDone(Who, usize, usize),
    GoalAchieved(Who, usize),
    GoalComment(Who, usize, &'static str),
    Schedule {
        who: Who,
        key: usize,
        starts: i64,
        agenda: &'static str,
    },
    Held {
        who: Who,
        key: usize,
        late: Option<Who>,
        notes: &'static str,
        items: Vec<(Who, &'static str, i64)>,
    },
    Cancel(Who, usize, &'static str),
    Missed(Who, usize),
    ItemDone(Who, usize, usize),
    Feedback(Who, usize, i64, &'static str),
    Note(Who, bool, &'static str),
    Move(
        Who,
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
    ),
    Closure(Who, ClosureInput),
    /// The manager matches the mentee who waited for a seat.
    MatchWaiting,
    /// The extension point for the re-match (see [`rematch_one_mentee`]).
    Rematch,
}

/// A room of the story and what its script created so far.
struct Slot {
    arc: Storyline,
    programme: &'static str,
    manager: PersonId,
    id: Option<RoomId>,
    members: Vec<PersonId>,
    started_at: Option<i64>,
    sessions: HashMap<usize, SessionId>,
    goals: HashMap<usize, GoalId>,
    milestones: HashMap<(usize, usize), MilestoneId>,
    items: HashMap<(usize, usize), ActionItemId>,
    pulses: Vec<(u32, Who)>,
}

/// Plays the demo's rooms into a store [`seed`](super::seed) has just
/// filled, ending at `now_ms` (see the module docs). Call it only after
/// `seed` answered `Some`: it assumes the demo organisation and nothing else.
pub async fn seed_rooms(app: &App, now_ms: i64) -> AppResult<DemoRooms> {
    let base = now_ms.div_euclid(DAY) * DAY - HISTORY_DAYS * DAY;
    let clock = Arc::new(ManualClock::new(base));
    let config = AppConfig {
        smtp_url: None,
        outbox_dir: app.config.outbox_dir.join("demo-history"),
        ..(*app.config).clone()
    };
    let demo = App {
        store: app.store.clone(),
        clock: clock.clone(),
        config: std::sync::Arc::new(config),
        secret: app.secret.clone(),
        coverage_locks: app.coverage_locks.clone(),
    };
    let data = demo_data(DEMO_SEED);
    let programme = |slug: &str| -> AppResult<&DemoProgramme> {
        data.programmes
            .iter()
            .find(|p| p.slug == slug)
            .ok_or_else(|| AppError::internal_msg(format!("the demo has no programme {slug}")))
    };
    let manager_of = |p: &DemoProgramme| p.roles[0].0;
    let mut player = Player {
        app: demo,
        clock,
        now_ms,
        next_tick: base + 6 * HOUR,
        actors: HashMap::new(),
        slots: vec![],
    };

    // Day 0: both programmes run a matching round and publish it.
    player.to(base + 9 * HOUR).await?;
    let past = programme(PAST_COHORT)?;
    let rooms = player.round(manager_of(past), PAST_COHORT).await?;
    for (i, (id, members)) in rooms.into_iter().enumerate() {
        let arc = ARCS.get(i).copied().unwrap_or(Storyline::Healthy);
        player.slot(arc, PAST_COHORT, manager_of(past), Some(id), members);
    }
    player.to(base + 11 * HOUR).await?;
    let peers = programme(PEER_CIRCLES)?;
    let rooms = player.round(manager_of(peers), PEER_CIRCLES).await?;
    for (i, (id, members)) in rooms.into_iter().enumerate() {
        let arc = if i == PEER_ENDED {
            Storyline::PeersEnded
        } else {
            Storyline::Peers
        };
        player.slot(arc, PEER_CIRCLES, manager_of(peers), Some(id), members);
    }
    // The group and the circle: rooms of more than two.
    player.to(base + 13 * HOUR).await?;
    for (slug, arc) in [
        (GROUP_PROGRAMME, Storyline::Group),
        (CIRCLE_PROGRAMME, Storyline::Circle),
    ] {
        let p = programme(slug)?;
        for (id, members) in player.round(manager_of(p), slug).await? {
            player.slot(arc, slug, manager_of(p), Some(id), members);
        }
    }
    // The room the waiting mentee gets once a seat is free.
    player.slot(
        Storyline::Proposed,
        PAST_COHORT,
        manager_of(past),
        None,
        vec![],
    );

    let mut script: Vec<(i64, usize, Act)> = vec![];
    for (n, slot) in player.slots.iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(DEMO_SEED ^ ((n as u64 + 1) << 20));
        for (at, act) in story(slot.arc, slot.members.len(), &mut rng) {
            script.push((base + at, n, act));
        }
    }
    // Stable: acts at the same instant keep the order the story gave them.
    script.sort_by_key(|(at, n, _)| (*at, *n));
    for (at, n, act) in script {
        if at >= now_ms {
            return Err(AppError::internal_msg(format!(
                "the demo script plays {act:?} after now"
            )));
        }
        player.to(at).await?;
        player.play(n, act).await?;
    }
    player.to(now_ms).await?;
    // Whatever the story left due is delivered into the demo history now,
    // so the real worker starts with only the mail still to come.
    player.app.run_due_jobs().await?;
    let summary = player.summary().await?;
    // Roadmaps (H6): built on the rooms, by the real clock.
    super::roadmaps::seed_roadmaps(app, &summary).await?;
    // Reflection and needs checks (issue 19, H8).
    super::reflection::seed_reflection(&player.app, &summary).await?;
    let mut tx = app.store.write().await?;
    tx.put_setting(ROOMS_SETTING, "done").await?;
    tx.commit().await?;
    Ok(summary)
}

/// The site setting that says whether the demo's rooms were all played:
/// `pending` from the moment [`seed`](super::seed) writes the organisation,
/// `done` once [`seed_rooms`] has finished.
pub const ROOMS_SETTING: &str = "demo_rooms";

/// Whether the demo organisation was written but its rooms were not all
/// played (an earlier `serve --demo` failed part-way): such a demo must not
/// be served. Databases seeded before the marker existed read as finished.
pub async fn rooms_unfinished(app: &App) -> AppResult<bool> {
    let mut tx = app.store.read().await?;
    Ok(tx.setting(ROOMS_SETTING).await?.as_deref() == Some("pending"))
}

/// The day (from the story's start) and time of day of an act, in ms.
fn at(day: i64, hour: i64, minute: i64) -> i64 {
    day * DAY + hour * HOUR + minute * MINUTE
}

fn date_of(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The script of one room: (offset from the story's start, act).
fn story(arc: Storyline, size: usize, rng: &mut ChaCha8Rng) -> Vec<(i64, Act)> {
    let mut s: Vec<(i64, Act)> = vec![];
    let pick = |rng: &mut ChaCha8Rng, list: &[&'static str]| *list.choose(rng).unwrap_or(&"");
    if arc == Storyline::Proposed {
        s.push((at(97, 10, 0), Act::MatchWaiting));
        s.push((at(98, 14, 20), Act::Accept(First)));
        return s;
    }
    let peers = matches!(
        arc,
        Storyline::Peers | Storyline::PeersEnded | Storyline::Circle
    );
    // The members past the first two, in a group or circle.
    let others: Vec<Who> = (2..size).map(Other).collect();
    let jitter = rng.random_range(0..50);
    s.push((at(0, 11, jitter), Act::Accept(First)));
    s.push((at(1, 8, 30 + jitter), Act::Accept(Second)));
    for (i, w) in others.iter().enumerate() {
        s.push((at(1, 9, jitter + i as i64), Act::Accept(*w)));
    }
    let (open, reply) = *OPENERS.choose(rng).unwrap_or(&OPENERS[0]);
    s.push((at(1, 12, jitter), Act::Message(First, open)));
    s.push((at(1, 17, jitter), Act::Message(Second, reply)));
    s.push((at(2, 8, jitter), Act::ReadAll(First)));

    // Held sessions (days), then the ones still to come (days after now).
    let (held, planned): (Vec<i64>, Vec<i64>) = match arc {
        Storyline::Healthy => (vec![6, 20, 34, 48, 62, 76, 90], vec![104, 118]),
        Storyline::Drifting => (vec![6, 20, 34, 48, 62, 78], vec![104]),
        Storyline::AtRisk => (vec![6, 20, 34, 52, 67], vec![]),
        Storyline::NotWorking => (vec![6, 20, 34, 48, 62, 76, 90], vec![]),
        Storyline::Paused => (vec![6, 20, 34, 48, 62, 74], vec![]),
        Storyline::Completed => (vec![5, 19, 33, 47, 61, 75, 86], vec![]),
        Storyline::Peers => (vec![8, 38, 68, 97], vec![127]),
        Storyline::Group => (vec![7, 21, 35, 49, 63, 77, 91], vec![105, 119]),
        Storyline::Circle => (vec![9, 39, 69, 96], vec![126]),
        Storyline::PeersEnded => (vec![8, 38], vec![]),
        Storyline::Proposed => (vec![], vec![]),
    };
    // Writes end when the room pauses, completes or ends.
    let open_until = match arc {
        Storyline::Paused => 80,
        Storyline::Completed => 88,
        Storyline::PeersEnded => 50,
        _ => 100,
    };
    // Who organises: the mentor at first, then either.
    let organiser = |k: usize| if k % 3 == 1 { Second } else { First };
    let hour = rng.random_range(13..17);
    let mut key = 0;
    for (k, day) in held.iter().enumerate() {
        let who = organiser(k);
        let agenda = if k == 0 {
            FIRST_AGENDA
        } else {
            pick(rng, AGENDAS)
        };
        s.push((
            at(day - 4, 10, jitter),
            Act::Schedule {
                who,
                key,
                starts: at(*day, hour, 0),
                agenda,
            },
        ));
        let late = (k == 2).then_some(Second);
        let mut items = vec![(Second, pick(rng, ACTION_ITEMS), day + 12)];
        if k == 0 && !peers {
            items.push((First, pick(rng, ACTION_ITEMS), day + 10));
        }
        let n_items = items.len();
        let notes = if k == 0 {
            "First session. We got to know each other and drafted our agreement: every two weeks, an hour, video by default. First focus: pick two goals by next time."
        } else {
            pick(rng, SESSION_NOTES)
        };
        s.push((
            at(*day, hour + 1, 10),
            Act::Held {
                who: Second,
                key,
                late,
                notes,
                items,
            },
        ));
        let (mine, theirs) = match arc {
            Storyline::AtRisk if k >= 2 => (2, 4),
            _ => (rng.random_range(3..=4), rng.random_range(3..=4)),
        };
        s.push((
            at(*day, hour + 3, jitter),
            Act::Feedback(Second, key, mine, pick(rng, FEEDBACK)),
        ));
        s.push((
            at(day + 1, 9, jitter),
            Act::Feedback(First, key, theirs, pick(rng, FEEDBACK)),
        ));
        if let Some(w) = others.first() {
            s.push((
                at(day + 1, 12, jitter),
                Act::Feedback(*w, key, rng.random_range(3..=4), pick(rng, FEEDBACK)),
            ));
        }
        for i in 0..n_items {
            if day + 7 < open_until {
                s.push((at(day + 7, 11, i as i64), Act::ItemDone(Second, key, i)));
            }
        }
        key += 1;
    }
    // A session that did not happen.
    match arc {
        Storyline::Drifting => {
            s.push((
                at(85, 10, 0),
                Act::Schedule {
                    who: First,
                    key,
                    starts: at(92, hour, 0),
                    agenda: pick(rng, AGENDAS),
                },
            ));
            s.push((at(91, 17, 40), Act::Cancel(Second, key, CANCEL_REASONS[0])));
            s.push((
                at(91, 17, 45),
                Act::Message(
                    Second,
                    "Sorry to cancel again. The quarter-end is eating everything; I've booked us a new slot after it.",
                ),
            ));
            key += 1;
        }
        Storyline::AtRisk => {
            s.push((
                at(78, 10, 0),
                Act::Schedule {
                    who: First,
                    key,
                    starts: at(81, hour, 0),
                    agenda: pick(rng, AGENDAS),
                },
            ));
            s.push((at(81, hour + 1, 5), Act::Missed(First, key)));
            key += 1;
        }
        _ => {}
    }
    for day in &planned {
        s.push((
            at(if peers { 98 } else { 96 }, 9, jitter),
            Act::Schedule {
                who: First,
                key,
                starts: at(*day, hour, 0),
                agenda: pick(rng, AGENDAS),
            },
        ));
        key += 1;
    }

    // The agreement, written after the first session and confirmed by both.
    let first = held.first().copied().unwrap_or(6);
    let (months, cadence) = match arc {
        Storyline::Completed => (3, "every_two_weeks"),
        Storyline::Peers | Storyline::PeersEnded | Storyline::Circle => (6, "monthly"),
        _ => (6, "every_two_weeks"),
    };
    let agreement_pick = rng.random_range(0..64);
    s.push((
        at(first, 19, jitter),
        Act::Agreement {
            who: Second,
            months,
            cadence,
            pick: agreement_pick,
        },
    ));
    s.push((at(first, 20, jitter), Act::Confirm(Second)));
    s.push((at(first + 1, 10, jitter), Act::Confirm(First)));
    for (i, w) in others.iter().enumerate() {
        s.push((at(first + 1, 12, jitter + i as i64), Act::Confirm(*w)));
    }

    // Goals: the mentee's two (each peer's one), with milestones.
    let mut words: Vec<usize> = (0..GOALS.len()).collect();
    rand::seq::SliceRandom::shuffle(words.as_mut_slice(), rng);
    // In a group or circle, the first two mentees (peers) after the mentor
    // (facilitator) own a goal each.
    let owners: &[Who] = if matches!(arc, Storyline::Group | Storyline::Circle) {
        &[Second, Other(2)]
    } else if peers {
        &[First, Second]
    } else {
        &[Second, Second]
    };
    for (g, owner) in owners.iter().enumerate() {
        s.push((
            at(first + 2, 18, g as i64 * 7),
            Act::Goal {
                who: *owner,
                key: g,
                words: words[g],
                target_day: if arc == Storyline::Completed { 88 } else { 170 },
            },
        ));
    }
    // Milestones done after sessions: goal 0 first, then goal 1.
    let done: Vec<(usize, usize)> = match arc {
        Storyline::Completed => vec![(0, 0), (0, 1), (1, 0), (0, 2), (1, 1), (1, 2)],
        Storyline::Healthy | Storyline::NotWorking => vec![(0, 0), (0, 1), (1, 0), (0, 2)],
        Storyline::Peers | Storyline::Group | Storyline::Circle => vec![(0, 0), (1, 0), (0, 1)],
        _ => vec![(0, 0), (1, 0)],
    };
    for (i, (g, m)) in done.iter().enumerate() {
        let Some(day) = held.get(i + 1) else { break };
        let owner = owners[*g];
        let other = if owner == First { Second } else { First };
        s.push((at(day + 2, 12, jitter), Act::MilestoneDone(owner, *g, *m)));
        if i % 2 == 0 {
            s.push((
                at(day + 2, 18, jitter),
                Act::GoalComment(other, *g, pick(rng, GOAL_COMMENTS)),
            ));
        }
    }
    if arc == Storyline::Completed {
        s.push((at(88, 13, 0), Act::GoalAchieved(Second, 0)));
        s.push((at(88, 13, 5), Act::GoalAchieved(Second, 1)));
    }

    // Notes: private ones for each side, one shared with the room.
    s.push((
        at(first + 1, 21, jitter),
        Act::Note(Second, true, pick(rng, MENTEE_PRIVATE)),
    ));
    s.push((
        at(first + 15, 7, jitter),
        Act::Note(First, true, pick(rng, MENTOR_PRIVATE)),
    ));
    s.push((
        at(first + 8, 13, jitter),
        Act::Note(First, false, pick(rng, ROOM_NOTES)),
    ));

    // Messages between sessions, each read by the other side.
    for day in held.windows(2).map(|w| (w[0] + w[1]) / 2) {
        let (ask, answer) = *BETWEEN.choose(rng).unwrap_or(&BETWEEN[0]);
        s.push((at(day, 9, jitter), Act::Message(Second, ask)));
        // Read in the app within minutes, so no digest email follows.
        s.push((at(day, 9, jitter + 8), Act::ReadAll(First)));
        s.push((at(day, 14, jitter), Act::Message(First, answer)));
        s.push((at(day, 14, jitter + 6), Act::ReadAll(Second)));
        for (i, w) in others.iter().enumerate() {
            s.push((at(day, 15, jitter + i as i64), Act::ReadAll(*w)));
        }
    }

    // How the room ends up.
    match arc {
        Storyline::Paused => {
            s.push((
                at(80, 16, 0),
                Act::Move(Second, "pause", None, Some(PAUSE_NOTE)),
            ));
        }
        Storyline::Completed => {
            s.push((
                at(88, 15, 0),
                Act::Move(Second, "propose_completion", None, Some(COMPLETION_NOTE)),
            ));
            s.push((
                at(89, 9, 15),
                Act::Move(First, "confirm_completion", None, None),
            ));
            s.push((at(90, 19, 0), Act::Closure(Second, closure(rng, Second))));
            s.push((at(92, 12, 0), Act::Closure(First, closure(rng, First))));
        }
        Storyline::PeersEnded => {
            s.push((
                at(50, 11, 0),
                Act::Move(Manager, "end", Some("time"), Some(PEER_END_NOTE)),
            ));
        }
        Storyline::NotWorking => {
            s.push((at(99, 10, 0), Act::Rematch));
        }
        _ => {}
    }
    s
}

fn closure(rng: &mut ChaCha8Rng, who: Who) -> ClosureInput {
    let mentee = who == Second;
    ClosureInput {
        reflection: if mentee {
            MENTEE_REFLECTIONS.choose(rng).copied().unwrap_or_default()
        } else {
            MENTOR_REFLECTIONS.choose(rng).copied().unwrap_or_default()
        }
        .to_string(),
        self_efficacy: if mentee { "4" } else { "5" }.into(),
        skills: if mentee {
            vec!["Giving feedback".into(), "Delegation".into()]
        } else {
            vec!["Coaching".into()]
        },
        career_step: if mentee {
            "new_responsibility"
        } else {
            "none_yet"
        }
        .into(),
        would_mentor: if mentee { "yes" } else { "maybe" }.into(),
    }
}

/// A member's answers to pulse `round`, or none when they let it lapse.
fn pulse_answers(arc: Storyline, who: Who, round: u32, salt: usize) -> Option<PulseInput> {
    let answers = |g: i64, e: i64, a: i64, w: &str, comment: &str| PulseInput {
        genuineness: Some(g),
        empathy: Some(e),
        acceptance: Some(a),
        working: Some(w.into()),
        comment: comment.into(),
    };
    let good = PULSE_GOOD[salt % PULSE_GOOD.len()];
    match (arc, who, round) {
        (Storyline::AtRisk, Second, 0) => Some(answers(4, 3, 4, "not_sure", "")),
        (Storyline::AtRisk, Second, _) => Some(answers(3, 2, 3, "not_sure", PULSE_STRAINED)),
        (Storyline::NotWorking, Second, 0) => Some(answers(3, 3, 4, "not_sure", "")),
        (Storyline::NotWorking, Second, _) => Some(answers(3, 3, 3, "no", PULSE_NOT_WORKING)),
        (Storyline::AtRisk | Storyline::NotWorking, _, _) => Some(answers(4, 4, 4, "yes", "")),
        (Storyline::Paused | Storyline::Completed, _, r) if r > 0 => None,
        (_, First, r) => Some(answers(4, 4 + i64::from(r.min(1)), 5, "yes", good)),
        (_, _, r) => Some(answers(5, 4, 4 + i64::from(r.min(1)), "yes", good)),
    }
}

/// Runs the script: the clock, the actors, and the rooms' runtime ids.
struct Player {
    app: App,
    clock: Arc<ManualClock>,
    now_ms: i64,
    next_tick: i64,
    actors: HashMap<PersonId, Actor>,
    slots: Vec<Slot>,
}

impl Player {
    fn slot(
        &mut self,
        arc: Storyline,
        programme: &'static str,
        manager: PersonId,
        id: Option<RoomId>,
        members: Vec<PersonId>,
    ) {
        self.slots.push(Slot {
            arc,
            programme,
            manager,
            id,
            members,
            started_at: None,
            sessions: HashMap::new(),
            goals: HashMap::new(),
            milestones: HashMap::new(),
            items: HashMap::new(),
            pulses: vec![],
        });
    }

    async fn actor(&mut self, person: PersonId) -> AppResult<Actor> {
        if let Some(a) = self.actors.get(&person) {
            return Ok(a.clone());
        }
        let a = self.app.actor(person).await?;
        self.actors.insert(person, a.clone());
        Ok(a)
    }

    /// Moves the clock to `t`, running each morning's sweeps on the way.
    async fn to(&mut self, t: i64) -> AppResult<()> {
        while self.next_tick <= t && self.next_tick < self.now_ms {
            let tick = self.next_tick;
            self.clock.advance(tick - self.app.now());
            self.morning().await?;
            self.next_tick += SWEEP_EVERY;
        }
        let now = self.app.now();
        if t > now {
            self.clock.advance(t - now);
        }
        Ok(())
    }

    /// What the worker does in the morning, plus the members' pulse answers.
    async fn morning(&mut self) -> AppResult<()> {
        // Session reminders are not replayed: a reminder for a meeting long
        // past is noise, and the real worker sends those still to come.
        self.app.sweep_health().await?;
        self.app.sweep_room_activation().await?;
        self.app.run_due_jobs().await?;
        let now = self.app.now();
        for n in 0..self.slots.len() {
            let (Some(id), Some(started)) = (self.slots[n].id, self.slots[n].started_at) else {
                continue;
            };
            let day = (now - started) / DAY;
            // Pulses open on day 30 and every 60 days after (the defaults);
            // the mentee (or second peer) answers on the first morning, the
            // other member on the next.
            if day < 30 || (day - 30) % 60 > 4 {
                continue;
            }
            let round = ((day - 30) / 60) as u32;
            let who = if !self.slots[n].pulses.contains(&(round, Second)) {
                Second
            } else if !self.slots[n].pulses.contains(&(round, First)) {
                First
            } else {
                continue;
            };
            self.slots[n].pulses.push((round, who));
            let arc = self.slots[n].arc;
            let Some(input) = pulse_answers(arc, who, round, n) else {
                continue;
            };
            let person = self.member(n, who)?;
            let actor = self.actor(person).await?;
            match self.app.answer_pulse(&actor, id, &input).await {
                Ok(_) => {}
                // Not open (no session held yet, or the room is closed):
                // the pulse lapses, as it would.
                Err(AppError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn member(&self, n: usize, who: Who) -> AppResult<PersonId> {
        let slot = &self.slots[n];
        match who {
            Manager => Some(slot.manager),
            First => slot.members.first().copied(),
            Second => slot.members.get(1).copied(),
            Other(i) => slot.members.get(i).copied(),
        }
        .ok_or_else(|| AppError::internal_msg(format!("demo room {n} has no {who:?}")))
    }

    /// Runs and publishes a round; the rooms with their members, mentor (or
    /// first peer) first.
    async fn round(
        &mut self,
        manager: PersonId,
        slug: &str,
    ) -> AppResult<Vec<(RoomId, Vec<PersonId>)>> {
        let actor = self.actor(manager).await?;
        let round = self.app.run_round(&actor, slug).await?;
        let published = self.app.publish_round(&actor, slug, round.id).await?;
        let mut out = vec![];
        for id in published.rooms {
            out.push((id, self.members_of(id).await?));
        }
        Ok(out)
    }

    async fn members_of(&self, id: RoomId) -> AppResult<Vec<PersonId>> {
        let mut tx = self.app.store.read().await?;
        let room = tx
            .room(id)
            .await?
            .ok_or_else(|| AppError::internal_msg("a demo room vanished"))?;
        let mut members = room.members;
        // Mentors and facilitators first, then in the order they were added.
        members
            .sort_by_key(|m| !matches!(m.role, ProgrammeRole::Mentor | ProgrammeRole::Facilitator));
        Ok(members.into_iter().map(|m| m.person_id).collect())
    }

    async fn play(&mut self, n: usize, act: Act) -> AppResult<()> {
        let room = self.slots[n].id;
        let id = || room.ok_or_else(|| AppError::internal_msg("the demo room is not there yet"));
        let who = match &act {
            Act::Accept(w)
            | Act::Message(w, _)
            | Act::ReadAll(w)
            | Act::Confirm(w)
            | Act::MilestoneDone(w, ..)
            | Act::GoalAchieved(w, _)
            | Act::GoalComment(w, ..)
            | Act::Cancel(w, ..)
            | Act::Missed(w, _)
            | Act::ItemDone(w, ..)
            | Act::Feedback(w, ..)
            | Act::Note(w, ..)
            | Act::Move(w, ..)
            | Act::Closure(w, _) => *w,
            Act::Agreement { who, .. } | Act::Goal { who, .. } | Act::Schedule { who, .. } => *who,
            Act::Held { who, .. } => *who,
            Act::MatchWaiting | Act::Rematch => Manager,
        };
        let person = self.member(n, who)?;
        let actor = self.actor(person).await?;
        let app = self.app.clone();
        match act {
            Act::Accept(_) => {
                app.answer_room(&actor, id()?, true).await?;
                let mut tx = app.store.read().await?;
                self.slots[n].started_at = tx.room(id()?).await?.and_then(|r| r.started_at);
            }
            Act::Message(_, body) => {
                app.post_message(&actor, id()?, body).await?;
            }
            Act::ReadAll(_) => app.mark_messages_read(&actor, id()?, None).await?,
            Act::Agreement {
                months,
                cadence,
                pick,
                ..
            } => {
                let input = AgreementInput {
                    duration_months: Some(months),
                    end_date: String::new(),
                    cadence: cadence.into(),
                    format: if pick % 3 == 0 { "mixed" } else { "video" }.into(),
                    mentee_wants: MENTEE_WANTS[pick % MENTEE_WANTS.len()].into(),
                    expectations: EXPECTATIONS[pick % EXPECTATIONS.len()].into(),
                    confidentiality: CONFIDENTIALITY[pick % CONFIDENTIALITY.len()].into(),
                    ending: ENDINGS[pick % ENDINGS.len()].into(),
                };
                app.save_agreement(&actor, id()?, &input).await?;
            }
            Act::Confirm(_) => {
                app.confirm_agreement(&actor, id()?, None).await?;
            }
            Act::Goal {
                key,
                words,
                target_day,
                ..
            } => {
                let w = &GOALS[words % GOALS.len()];
                let base = self.now_ms.div_euclid(DAY) * DAY - HISTORY_DAYS * DAY;
                let goal = app
                    .create_goal(
                        &actor,
                        id()?,
                        &NewGoal {
                            title: w.title.into(),
                            description: w.description.into(),
                            success_criteria: w.criteria.into(),
                            target_date: date_of(base + target_day * DAY),
                            shared: false,
                        },
                    )
                    .await?;
                self.slots[n].goals.insert(key, goal.id);
                let now = app.now();
                for (m, title) in w.milestones.iter().enumerate() {
                    let due = now + (m as i64 + 1) * 21 * DAY;
                    let ms = app
                        .add_milestone(
                            &actor,
                            goal.id,
                            &MilestoneInput {
                                title: Some((*title).into()),
                                due_date: Some(date_of(due)),
                                done: None,
                            },
                        )
                        .await?;
                    self.slots[n].milestones.insert((key, m), ms.id);
                }
            }
            Act::MilestoneDone(_, g, m) => {
                if let Some(ms) = self.slots[n].milestones.get(&(g, m)).copied() {
                    let input = MilestoneInput {
                        done: Some(true),
                        ..Default::default()
                    };
                    app.update_milestone(&actor, ms, &input).await?;
                }
            }
            Act::GoalAchieved(_, g) => {
                if let Some(goal) = self.slots[n].goals.get(&g).copied() {
                    let changes = GoalChanges {
                        status: Some("achieved".into()),
                        ..Default::default()
                    };
                    app.update_goal(&actor, goal, &changes).await?;
                }
            }
            Act::GoalComment(_, g, body) => {
                if let Some(goal) = self.slots[n].goals.get(&g).copied() {
                    app.comment_on_goal(&actor, goal, body).await?;
                }
            }
            Act::Schedule {
                key,
                starts,
                agenda,
                ..
            } => {
                let base = self.now_ms.div_euclid(DAY) * DAY - HISTORY_DAYS * DAY;
                let start = chrono::DateTime::from_timestamp_millis(base + starts)
                    .map(|d| d.to_rfc3339())
                    .unwrap_or_default();
                let input = ScheduleInput {
                    start: StartInput {
                        starts_at: Some(start),
                        ..Default::default()
                    },
                    minutes: 60,
                    agenda: agenda.into(),
                    link: "https://meet.example.org/rapport-demo".into(),
                    ..Default::default()
                };
                let ids = app.schedule_session(&actor, id()?, &input).await?;
                if let Some(s) = ids.first() {
                    self.slots[n].sessions.insert(key, *s);
                }
            }
            Act::Held {
                key,
                late,
                notes,
                items,
                ..
            } => {
                let session = self.session(n, key)?;
                let late = late.map(|w| self.member(n, w)).transpose()?;
                let attendance = self.slots[n]
                    .members
                    .iter()
                    .map(|p| {
                        let how = if late == Some(*p) { "late" } else { "attended" };
                        (p.to_string(), how.to_string())
                    })
                    .collect();
                let status = StatusInput {
                    status: "held".into(),
                    attendance,
                    reason: String::new(),
                };
                app.set_session_status(&actor, session, &status).await?;
                let edit = SessionEdit {
                    notes: Some(notes.into()),
                    ..Default::default()
                };
                app.edit_session(&actor, session, &edit).await?;
                let base = self.now_ms.div_euclid(DAY) * DAY - HISTORY_DAYS * DAY;
                for (i, (owner, title, due)) in items.into_iter().enumerate() {
                    let input = ActionItemInput {
                        title: Some(title.into()),
                        owner_id: Some(self.member(n, owner)?.to_string()),
                        due_on: Some(date_of(base + due * DAY)),
                        done: None,
                    };
                    let item = app.add_action_item(&actor, session, &input).await?;
                    self.slots[n].items.insert((key, i), item);
                }
            }
            Act::Cancel(_, key, reason) => {
                let status = StatusInput {
                    status: "cancelled".into(),
                    attendance: vec![],
                    reason: reason.into(),
                };
                app.set_session_status(&actor, self.session(n, key)?, &status)
                    .await?;
            }
            Act::Missed(_, key) => {
                let status = StatusInput {
                    status: "missed".into(),
                    ..Default::default()
                };
                app.set_session_status(&actor, self.session(n, key)?, &status)
                    .await?;
            }
            Act::ItemDone(_, key, i) => {
                if let Some(item) = self.slots[n].items.get(&(key, i)).copied() {
                    let input = ActionItemInput {
                        done: Some(true),
                        ..Default::default()
                    };
                    app.update_action_item(&actor, item, &input).await?;
                }
            }
            Act::Feedback(_, key, rating, comment) => {
                app.give_feedback(&actor, self.session(n, key)?, rating, comment)
                    .await?;
            }
            Act::Note(_, private, body) => {
                let input = NoteInput {
                    body: body.into(),
                    visibility: if private { "private" } else { "room" }.into(),
                };
                app.write_note(&actor, id()?, &input).await?;
            }
            Act::Move(_, action, reason, note) => {
                let change = StatusChange {
                    action: action.into(),
                    reason: reason.map(str::to_string),
                    note: note.map(str::to_string),
                };
                app.move_room(&actor, id()?, &change).await?;
            }
            Act::Closure(_, input) => {
                app.submit_closure(&actor, id()?, &input).await?;
            }
            Act::MatchWaiting => {
                let Some(waiting) = self.waiting_mentee().await? else {
                    return Err(AppError::internal_msg(
                        "no demo mentee is waiting for a seat",
                    ));
                };
                let room = app.match_now(&actor, PAST_COHORT, waiting).await?;
                self.slots[n].id = Some(room);
                self.slots[n].members = self.members_of(room).await?;
            }
            Act::Rematch => {
                let mentee = self.member(n, Second)?;
                let manager = self.slots[n].manager;
                let manager = self.actor(manager).await?;
                rematch_one_mentee(&app, &manager, id()?, mentee).await?;
            }
        }
        Ok(())
    }

    fn session(&self, n: usize, key: usize) -> AppResult<SessionId> {
        self.slots[n]
            .sessions
            .get(&key)
            .copied()
            .ok_or_else(|| AppError::internal_msg(format!("demo room {n} has no session {key}")))
    }

    /// The past cohort's mentee who has no room yet.
    async fn waiting_mentee(&self) -> AppResult<Option<PersonId>> {
        let data = demo_data(DEMO_SEED);
        let Some(p) = data.programmes.iter().find(|p| p.slug == PAST_COHORT) else {
            return Ok(None);
        };
        let placed: Vec<PersonId> = self
            .slots
            .iter()
            .filter(|s| s.programme == PAST_COHORT)
            .flat_map(|s| s.members.iter().copied())
            .collect();
        Ok(p.roles
            .iter()
            .filter(|(id, role)| *role == ProgrammeRole::Mentee && !placed.contains(id))
            .map(|(id, _)| *id)
            .next())
    }

    async fn summary(&self) -> AppResult<DemoRooms> {
        let arcs: Vec<(RoomId, Storyline)> = self
            .slots
            .iter()
            .filter_map(|s| s.id.map(|id| (id, s.arc)))
            .collect();
        let in_past = |s: &&Slot| s.programme == PAST_COHORT && s.members.len() == 2;
        // The mentor with the most rooms, and the mentee of their first
        // healthy one.
        let mut count: HashMap<PersonId, usize> = HashMap::new();
        for s in self.slots.iter().filter(in_past) {
            *count.entry(s.members[0]).or_default() += 1;
        }
        let mentor = self
            .slots
            .iter()
            .filter(in_past)
            .filter(|s| s.arc == Storyline::Healthy)
            .max_by_key(|s| (count[&s.members[0]], std::cmp::Reverse(s.members[0])))
            .ok_or_else(|| AppError::internal_msg("the demo has no healthy room"))?;
        let peer = self
            .slots
            .iter()
            .find(|s| s.arc == Storyline::Peers && !s.members.is_empty())
            .ok_or_else(|| AppError::internal_msg("the demo has no peer pair"))?;
        let mut tx = self.app.store.read().await?;
        let email = |p: Option<rapport_store::PersonRecord>| {
            p.map(|p| p.email.to_string()).unwrap_or_default()
        };
        Ok(DemoRooms {
            rooms: arcs.len(),
            mentor_email: email(tx.person(mentor.members[0]).await?),
            mentee_email: email(tx.person(mentor.members[1]).await?),
            peer_email: email(tx.person(peer.members[0]).await?),
            arcs,
        })
    }
}

/// One re-matched mentee (rooms issue, "Demo and docs").
///
/// Called once, on the story's day 99, for the room whose mentee answered
/// "no, this mentorship isn't working for me" at their second pulse, with
/// the programme's manager as the actor: the no-fault re-match ends `room`
/// for `fit`, the incremental re-match proposes a new mentor, and both
/// accept it, so the mentee's goals move to the new room while the old one
/// keeps its read-only snapshot. When no mentor has a seat, the mentee waits
/// in the pool, which is what the product would show too.
pub(crate) async fn rematch_one_mentee(
    app: &App,
    manager: &Actor,
    room: RoomId,
    mentee: PersonId,
) -> AppResult<()> {
    let outcome = app
        .start_rematch(
            manager,
            room,
            &crate::rematch::RematchInput {
                confirm: true,
                note: Some(REMATCH_NOTE.into()),
                person: Some(mentee.to_string()),
            },
        )
        .await?;
    let Some(new_room) = outcome.proposed else {
        return Ok(());
    };
    let view = app.room(manager, new_room).await?;
    for m in &view.room.members {
        let member = app.actor(m.person_id).await?;
        app.answer_room(&member, new_room, true).await?;
    }
    Ok(())
}
