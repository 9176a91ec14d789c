//! The data behind the room benchmarks (`rapport bench seed`, a subcommand
//! hidden from `--help`; driven by `bench/rooms`): one programme with many
//! active one-to-one rooms for the daily health scan, and one room filled
//! the way a long relationship fills it (50 sessions, 200 messages, 30 notes)
//! for the page timings.
//!
//! The people, enrolments and rooms of the large programme are written in
//! bulk, with the same rows the use cases write (the demo seeder and the
//! store tests do the same); everything in the measured room (sessions held
//! and cancelled, attendance, messages, notes, the sign-in session and the
//! API token) goes through the use cases, with a manual clock moved forward
//! from the room's start to today, so its rows, emails, jobs and health are
//! exactly those a real room leaves.

use crate::accounts::ClientInfo;
use crate::clock::ManualClock;
use crate::notes::NoteInput;
use crate::sessions::{ScheduleInput, StartInput, StatusInput};
use crate::{App, AppConfig, AppError, AppResult};
use rapport_domain::mentoring::{EnrolmentStatus, MemberState, RoomOrigin, RoomStatus};
use rapport_domain::person::{AccountStatus, Profile};
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole, ProgrammeStatus};
use rapport_domain::values::{PersonName, Slug, TimeZoneName};
use rapport_domain::{EnrolmentId, PersonId, ProgrammeId, RoomId};
use rapport_store::{EnrolmentRecord, NewPerson, NewRoom, ProgrammeRecord, Store};
use std::sync::Arc;

const DAY_MS: i64 = 86_400_000;
const WEEK_MS: i64 = 7 * DAY_MS;

/// The password of every bench account.
pub const BENCH_PASSWORD: &str = "rapport-bench-2026";
/// The measured room's mentor.
pub const BENCH_MENTOR: &str = "mentor@bench.rapport.example";
/// The measured room's mentee.
pub const BENCH_MENTEE: &str = "mentee@bench.rapport.example";
/// The programme's manager.
pub const BENCH_MANAGER: &str = "manager@bench.rapport.example";

/// What the measured room holds.
#[derive(Clone, Copy, Debug)]
pub struct RoomSize {
    /// Sessions (one weekly series; those already over are held, every
    /// eighth cancelled).
    pub sessions: usize,
    /// Messages, alternating between the two members.
    pub messages: usize,
    /// Notes, one in three private.
    pub notes: usize,
}

impl Default for RoomSize {
    fn default() -> Self {
        Self {
            sessions: 50,
            messages: 200,
            notes: 30,
        }
    }
}

/// What [`seed`] made, for the benchmark script.
#[derive(Clone, Debug)]
pub struct BenchSeed {
    /// The measured room.
    pub room: RoomId,
    /// The programme's slug.
    pub programme: String,
    /// Open rooms in the programme, the measured one included.
    pub rooms: usize,
    /// The mentee's sign-in session (the `rapport_session` cookie).
    pub mentee_cookie: String,
    /// The mentee's API token (`Authorization: Bearer`).
    pub mentee_token: String,
    /// The manager's sign-in session.
    pub manager_cookie: String,
}

/// Seeds an EMPTY database: `rooms - 1` bulk rooms plus the measured room of
/// `size`, all as of `now` (the real time: the measured room's sessions end
/// around it, some before and some after). Refuses a database with people.
pub async fn seed(
    store: &Store,
    config: AppConfig,
    rooms: usize,
    size: RoomSize,
    now: i64,
) -> AppResult<BenchSeed> {
    let hash = crate::secrets::hash_password(BENCH_PASSWORD).await?;
    // The measured room starts a week before its first session; the series
    // is weekly and a fifth of it lies ahead of `now`.
    let past = (size.sessions * 4).div_ceil(5) as i64;
    let room_start = now - (past + 1) * WEEK_MS;
    let programme = ProgrammeRecord::new(
        Slug::parse("slug", "bench").map_err(AppError::from)?,
        "Bench programme",
        ProgrammeKind::OneToOne,
        ProgrammeStatus::Running,
        room_start - 30 * DAY_MS,
    );
    let (mentor, mentee) = {
        let mut tx = store.write().await?;
        if tx.count_people().await? > 0 {
            return Err(AppError::Conflict {
                field: None,
                message: "the database already has people; seed an empty one".into(),
            });
        }
        tx.insert_programme(&programme).await?;
        let person = |email: &str, name: &str, zone: &str, joined: i64| -> AppResult<NewPerson> {
            let mut profile = Profile::new(PersonName::parse("name", name)?);
            profile.time_zone = TimeZoneName::parse("time_zone", zone)?;
            Ok(NewPerson {
                id: PersonId::new(),
                email: email.into(),
                status: AccountStatus::Active,
                is_admin: false,
                password_hash: Some(hash.clone()),
                email_verified_at: Some(joined),
                profile,
                now: joined,
            })
        };
        let joined = programme.created_at;
        let mentor = person(BENCH_MENTOR, "Ana Mentor", "Europe/Lisbon", joined)?;
        let mentee = person(BENCH_MENTEE, "Ben Mentee", "Asia/Kolkata", joined)?;
        let manager = person(BENCH_MANAGER, "Mia Manager", "America/New_York", joined)?;
        for p in [&mentor, &mentee, &manager] {
            tx.insert_person(p).await?;
        }
        tx.grant_role(programme.id, manager.id, ProgrammeRole::Manager, joined)
            .await?;
        enrol(
            &mut tx,
            programme.id,
            mentor.id,
            ProgrammeRole::Mentor,
            3,
            joined,
        )
        .await?;
        enrol(
            &mut tx,
            programme.id,
            mentee.id,
            ProgrammeRole::Mentee,
            0,
            joined,
        )
        .await?;
        tx.insert_room(
            &NewRoom {
                id: RoomId::new(),
                programme_id: programme.id,
                status: RoomStatus::Active,
                origin: RoomOrigin::Request,
                members: vec![
                    (mentor.id, ProgrammeRole::Mentor, MemberState::Accepted),
                    (mentee.id, ProgrammeRole::Mentee, MemberState::Accepted),
                ],
                round_id: None,
            },
            room_start,
        )
        .await?;
        bulk_rooms(&mut tx, &programme, &hash, rooms.saturating_sub(1), now).await?;
        tx.commit().await?;
        (mentor.id, mentee.id)
    };

    // Everything in the measured room goes through the use cases, on a clock
    // that walks from the room's start to `now`.
    let clock = Arc::new(ManualClock::new(room_start + 3_600_000));
    let app = App::new(store.clone(), clock.clone(), config).await?;
    let ana = app.actor(mentor).await?;
    let ben = app.actor(mentee).await?;
    let room = {
        let mut tx = store.read().await?;
        tx.rooms_of(mentee).await?[0].id
    };
    let first = chrono::DateTime::from_timestamp_millis(room_start + WEEK_MS)
        .expect("a time in range")
        .to_rfc3339();
    app.schedule_session(
        &ana,
        room,
        &ScheduleInput {
            start: StartInput {
                starts_at: Some(first),
                zone: Some("Europe/Lisbon".into()),
                ..StartInput::default()
            },
            minutes: 60,
            agenda: "Review the week: **what went well**, what was hard, and the next step.\n\n\
                     - progress on the current goal\n- one open question\n"
                .into(),
            link: "https://meet.example.org/bench".into(),
            place: String::new(),
            repeat: "weekly".into(),
            occurrences: size.sessions as i64,
        },
    )
    .await?;
    let sessions = app.room_sessions(&ana, room).await?.sessions;
    let (mut messages, mut notes) = (0usize, 0usize);
    for (i, s) in sessions.iter().enumerate() {
        let over = s.ends_at() + 600_000;
        // Messages and notes are spread evenly over the weeks before `now`.
        let weeks = past.max(1) as usize;
        let message_goal = ((i + 1) * size.messages).div_ceil(weeks).min(size.messages);
        let note_goal = ((i + 1) * size.notes).div_ceil(weeks).min(size.notes);
        while messages < message_goal {
            clock.advance(3 * 3_600_000);
            let who = if messages % 2 == 0 { &ben } else { &ana };
            app.post_message(who, room, &message_text(messages)).await?;
            messages += 1;
        }
        while notes < note_goal {
            clock.advance(3_600_000);
            let (who, visibility) = match notes % 3 {
                0 => (&ben, "private"),
                1 => (&ana, "room"),
                _ => (&ben, "room"),
            };
            app.write_note(
                who,
                room,
                &NoteInput {
                    body: note_text(notes),
                    visibility: visibility.into(),
                },
            )
            .await?;
            notes += 1;
        }
        if over >= now {
            continue;
        }
        let at = app.now().max(over);
        clock.advance(at - app.now());
        let input = if i % 8 == 7 {
            StatusInput {
                status: "cancelled".into(),
                attendance: vec![],
                reason: "Travel: we meet next week instead.".into(),
            }
        } else {
            let late = if i % 5 == 3 { "late" } else { "attended" };
            StatusInput {
                status: "held".into(),
                attendance: vec![
                    (mentor.to_string(), "attended".into()),
                    (mentee.to_string(), late.into()),
                ],
                reason: String::new(),
            }
        };
        app.set_session_status(&ana, s.id, &input).await?;
    }
    clock.advance((now - app.now()).max(0));
    // The emails and jobs the room queued are delivered now, as the worker
    // would have done along the way, so a server started on this database
    // has nothing left to catch up on while it is measured.
    while app.run_due_jobs().await? > 0 {}
    let client = ClientInfo {
        user_agent: "rapport bench".into(),
        ip: "127.0.0.1".into(),
    };
    let mentee_cookie = app
        .sign_in(BENCH_MENTEE, BENCH_PASSWORD, &client, None)
        .await?
        .token;
    let manager_cookie = app
        .sign_in(BENCH_MANAGER, BENCH_PASSWORD, &client, None)
        .await?
        .token;
    let mentee_token = app.create_api_token(&ben, "bench").await?.secret;
    Ok(BenchSeed {
        room,
        programme: programme.slug.to_string(),
        rooms: rooms.max(1),
        mentee_cookie,
        mentee_token,
        manager_cookie,
    })
}

async fn enrol(
    tx: &mut rapport_store::Tx,
    programme: ProgrammeId,
    person: PersonId,
    role: ProgrammeRole,
    capacity: i32,
    now: i64,
) -> AppResult<()> {
    tx.insert_enrolment(&EnrolmentRecord {
        id: EnrolmentId::new(),
        programme_id: programme,
        person_id: person,
        role,
        status: EnrolmentStatus::Approved,
        capacity,
        answers: Default::default(),
        preferences: Default::default(),
        consent_sensitive: false,
        created_at: now,
        conduct_accepted_at: Some(now),
        decided_at: Some(now),
    })
    .await?;
    Ok(())
}

/// `count` active one-to-one rooms, twenty to a mentor, with start dates
/// spread so the scan meets every level: most rooms started within the last
/// two weeks (healthy), some 14–29 days ago with no session held (needs
/// attention), some 30–90 days ago (at risk).
async fn bulk_rooms(
    tx: &mut rapport_store::Tx,
    programme: &ProgrammeRecord,
    hash: &str,
    count: usize,
    now: i64,
) -> AppResult<()> {
    let joined = programme.created_at;
    let mut mentor = PersonId::new();
    for i in 0..count {
        let person = |email: String, name: String| -> AppResult<NewPerson> {
            Ok(NewPerson {
                id: PersonId::new(),
                email,
                status: AccountStatus::Active,
                is_admin: false,
                password_hash: Some(hash.to_string()),
                email_verified_at: Some(joined),
                profile: Profile::new(PersonName::parse("name", &name)?),
                now: joined,
            })
        };
        if i % 20 == 0 {
            let m = person(
                format!("mentor{}@bench.rapport.example", i / 20),
                format!("Mentor {}", i / 20),
            )?;
            tx.insert_person(&m).await?;
            enrol(tx, programme.id, m.id, ProgrammeRole::Mentor, 20, joined).await?;
            mentor = m.id;
        }
        let mentee = person(
            format!("mentee{i}@bench.rapport.example"),
            format!("Mentee {i}"),
        )?;
        tx.insert_person(&mentee).await?;
        enrol(
            tx,
            programme.id,
            mentee.id,
            ProgrammeRole::Mentee,
            0,
            joined,
        )
        .await?;
        let days_ago = match i % 20 {
            0..=13 => (i % 14) as i64,
            14..=16 => 14 + (i % 16) as i64,
            _ => 30 + (i % 61) as i64,
        };
        tx.insert_room(
            &NewRoom {
                id: RoomId::new(),
                programme_id: programme.id,
                status: RoomStatus::Active,
                origin: RoomOrigin::Round,
                members: vec![
                    (mentor, ProgrammeRole::Mentor, MemberState::Accepted),
                    (mentee.id, ProgrammeRole::Mentee, MemberState::Accepted),
                ],
                round_id: None,
            },
            now - days_ago * DAY_MS - 3_600_000,
        )
        .await?;
    }
    Ok(())
}

/// A message of one to four short Markdown paragraphs.
fn message_text(i: usize) -> String {
    const LINES: [&str; 6] = [
        "Thanks for today. I tried the **one-page summary** you suggested and it helped.",
        "Could we spend part of next session on the stakeholder map? I keep missing someone.",
        "Here is the article I mentioned: [Giving feedback well](https://example.org/feedback).",
        "- draft the plan\n- share it with the team\n- ask for one piece of feedback",
        "I am travelling on Thursday, so I may be slow to answer. *Back on Monday.*",
        "That worked. The team agreed to try it for a month.",
    ];
    (0..=(i % 4))
        .map(|k| LINES[(i + k) % LINES.len()])
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A note of a few hundred words of Markdown: a heading, a list and
/// paragraphs.
fn note_text(i: usize) -> String {
    let mut s = format!("## Reflection {}\n\n", i + 1);
    s.push_str(
        "What I noticed this week, and what I want to try next. The aim is a \
         habit, not a one-off: *small steps, reviewed often*.\n\n",
    );
    for k in 0..5 {
        s.push_str(&format!(
            "- Step {}: talk to one person outside the team about [the plan](https://example.org/plan/{i}).\n",
            k + 1
        ));
    }
    s.push('\n');
    for _ in 0..3 {
        s.push_str(
            "Delegating is harder than it sounds. I hand work over and then take it back \
             when it goes slowly, which teaches the team that my deadlines are not real. \
             Next time I will agree the checkpoints up front and keep to them, and say \
             out loud what good enough looks like.\n\n",
        );
    }
    s
}
