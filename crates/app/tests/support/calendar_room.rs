//! A room of two members in different zones, with sessions written straight
//! into the store (the session use cases are another area's): the fixture
//! of the calendar tests in `rapport-app` and `rapport-web`.
#![allow(dead_code)]

use rapport_domain::mentoring::{
    EnrolmentStatus, MemberState, RoomOrigin, RoomStatus, SessionStatus,
};
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole, ProgrammeStatus};
use rapport_domain::values::{Slug, TimeZoneName};
use rapport_domain::{EnrolmentId, PersonId, RoomId, SessionId};
use rapport_store::{EnrolmentRecord, NewRoom, ProgrammeRecord, SessionRecord};
use rapport_web::testing::{Person, TestApp};

/// Ana (mentor) and Bo (mentee) in an active room of "Mentoring".
pub struct CalendarRoom {
    pub ana: Person,
    pub bo: Person,
    pub room: RoomId,
}

/// Sets a person's profile zone.
pub async fn set_zone(t: &TestApp, person: PersonId, zone: &str) {
    let mut tx = t.store().write().await.unwrap();
    let rec = tx.person(person).await.unwrap().unwrap();
    let mut profile = rec.profile.clone();
    profile.time_zone = TimeZoneName::parse("zone", zone).unwrap();
    tx.update_profile(person, rec.email.as_str(), &profile, 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// The room, Ana in `ana_zone` and Bo in `bo_zone`.
pub async fn calendar_room(t: &TestApp, ana_zone: &str, bo_zone: &str) -> CalendarRoom {
    let ana = t.member("ana@example.org", "Ana Lima").await;
    let bo = t.member("bo@example.org", "Bo Chen").await;
    set_zone(t, ana.id, ana_zone).await;
    set_zone(t, bo.id, bo_zone).await;
    let programme = ProgrammeRecord::new(
        Slug::parse("slug", "mentoring").unwrap(),
        "Mentoring",
        ProgrammeKind::OneToOne,
        ProgrammeStatus::Running,
        0,
    );
    let room = NewRoom {
        id: RoomId::new(),
        programme_id: programme.id,
        status: RoomStatus::Active,
        origin: RoomOrigin::Request,
        members: vec![
            (ana.id, ProgrammeRole::Mentor, MemberState::Accepted),
            (bo.id, ProgrammeRole::Mentee, MemberState::Accepted),
        ],
        round_id: None,
    };
    let mut tx = t.store().write().await.unwrap();
    tx.insert_programme(&programme).await.unwrap();
    // The database counts a mentor's seats against their enrolment.
    for (person, role) in [
        (ana.id, ProgrammeRole::Mentor),
        (bo.id, ProgrammeRole::Mentee),
    ] {
        tx.grant_role(programme.id, person, role, 0).await.unwrap();
        tx.insert_enrolment(&EnrolmentRecord {
            id: EnrolmentId::new(),
            programme_id: programme.id,
            person_id: person,
            role,
            status: EnrolmentStatus::Approved,
            capacity: if role == ProgrammeRole::Mentor { 3 } else { 0 },
            answers: Default::default(),
            preferences: Default::default(),
            consent_sensitive: false,
            created_at: 0,
            conduct_accepted_at: Some(0),
            decided_at: None,
        })
        .await
        .unwrap();
    }
    tx.insert_room(&room, 0).await.unwrap();
    tx.commit().await.unwrap();
    CalendarRoom {
        ana,
        bo,
        room: room.id,
    }
}

/// A scheduled session organised by `organiser`, booked in `zone`.
pub async fn add_session(
    t: &TestApp,
    room: RoomId,
    organiser: PersonId,
    starts_at: i64,
    minutes: i32,
    zone: &str,
) -> SessionRecord {
    let now = t.app.now();
    let s = SessionRecord {
        id: SessionId::new(),
        room_id: room,
        series_id: None,
        organiser_id: Some(organiser),
        starts_at,
        minutes,
        zone: TimeZoneName::parse("zone", zone).unwrap(),
        agenda: "**Goals** for the quarter, and a long line that the calendar file has to fold because it is well over seventy-five octets: café, naïve, 東京.".into(),
        link: Some("https://meet.example/abc".into()),
        place: None,
        status: SessionStatus::Scheduled,
        cancelled_by: None,
        cancel_reason: None,
        uid: uuid::Uuid::new_v4().to_string(),
        sequence: 0,
        created_at: now,
        updated_at: now,
    };
    let mut tx = t.store().write().await.unwrap();
    tx.insert_session(&s).await.unwrap();
    tx.commit().await.unwrap();
    s
}

/// Cancels a session as `by`, as the session use case does (SEQUENCE one up).
pub async fn cancel(t: &TestApp, session: SessionId, by: PersonId) {
    let mut tx = t.store().write().await.unwrap();
    assert!(tx
        .set_session_status(
            session,
            SessionStatus::Cancelled,
            Some(by),
            Some("I am ill"),
            t.app.now()
        )
        .await
        .unwrap());
    tx.commit().await.unwrap();
}

/// Moves a session, as an accepted reschedule does (SEQUENCE one up).
pub async fn move_session(t: &TestApp, session: SessionId, starts_at: i64) {
    let mut tx = t.store().write().await.unwrap();
    tx.move_session_for_tests(session, starts_at, t.app.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// A local wall-clock time in `zone` as UTC ms.
pub fn local_ms(zone: &str, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    use chrono::TimeZone;
    let tz: chrono_tz::Tz = zone.parse().unwrap();
    tz.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .unwrap()
        .timestamp_millis()
}
