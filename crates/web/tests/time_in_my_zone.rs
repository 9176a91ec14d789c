//! Issue 18, §3: every time a person reads, on a page or in an email, is in
//! their own zone with the zone named by its city ("Tue 2 Jun, 14:30
//! (Kolkata)"); the year shows only when it is not this year; the mentor
//! directory converts availability to the viewer's zone and says so.
//! Ana mentors in Lisbon, Ben is her mentee in Kolkata (a half-hour zone).

use axum::body::Body;
use rapport_domain::mentoring::{EnrolmentStatus, MemberState, RoomOrigin, RoomStatus};
use rapport_domain::person::AvailabilityWindow;
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole, ProgrammeStatus};
use rapport_domain::values::{Slug, TimeZoneName};
use rapport_domain::{EnrolmentId, RoomId};
use rapport_store::{EnrolmentRecord, NewRoom, ProgrammeRecord};
use rapport_web::testing::{test_database_kinds, Person, TestApp, START_MS};
use serde_json::json;

async fn set_zone(t: &TestApp, who: &Person, zone: &str, windows: &[&str]) {
    let mut tx = t.store().write().await.unwrap();
    let mut p = tx.person(who.id).await.unwrap().unwrap();
    p.profile.time_zone = TimeZoneName::parse("zone", zone).unwrap();
    p.profile.availability = windows
        .iter()
        .map(|w| AvailabilityWindow::parse("availability", w).unwrap())
        .collect();
    tx.update_profile(who.id, p.email.as_str(), &p.profile, 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// An active room in the running programme `here`: Ana (Lisbon, free on
/// Mondays 13:00-15:00 her time) mentors Ben (Kolkata).
async fn room(kind: &'static str) -> (TestApp, RoomId, Person, Person) {
    let t = TestApp::new(kind).await;
    let programme = ProgrammeRecord::new(
        Slug::parse("slug", "here").unwrap(),
        "Here",
        ProgrammeKind::OneToOne,
        ProgrammeStatus::Running,
        0,
    );
    let ana = t.member("ana@example.org", "Ana Mentor").await;
    let ben = t.member("ben@example.org", "Ben Mentee").await;
    set_zone(&t, &ana, "Europe/Lisbon", &["mon 13:00-15:00"]).await;
    set_zone(&t, &ben, "Asia/Kolkata", &[]).await;
    let id = RoomId::new();
    let mut tx = t.store().write().await.unwrap();
    tx.insert_programme(&programme).await.unwrap();
    for (p, role) in [(&ana, ProgrammeRole::Mentor), (&ben, ProgrammeRole::Mentee)] {
        tx.grant_role(programme.id, p.id, role, 0).await.unwrap();
        tx.insert_enrolment(&EnrolmentRecord {
            id: EnrolmentId::new(),
            programme_id: programme.id,
            person_id: p.id,
            role,
            status: EnrolmentStatus::Approved,
            capacity: if role == ProgrammeRole::Mentor { 5 } else { 0 },
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
    tx.insert_room(
        &NewRoom {
            id,
            programme_id: programme.id,
            status: RoomStatus::Active,
            origin: RoomOrigin::Request,
            members: vec![
                (ana.id, ProgrammeRole::Mentor, MemberState::Accepted),
                (ben.id, ProgrammeRole::Mentee, MemberState::Accepted),
            ],
            round_id: None,
        },
        START_MS,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (t, id, ana, ben)
}

async fn page(t: &TestApp, path: &str, who: &Person) -> String {
    let r = t
        .reply_text(
            TestApp::request("GET", path, who.auth())
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{path}: {}", r.text);
    r.text
}

#[tokio::test]
async fn a_session_reads_in_each_members_zone_on_pages_and_in_emails() {
    for kind in test_database_kinds() {
        let (t, room, ana, ben) = room(kind).await;
        // START_MS is Thu 28 May 2026; 09:00 UTC on 2 June is 10:00 in
        // Lisbon (summer time) and 14:30 in Kolkata.
        let id = t
            .call(
                "POST",
                &format!("/api/v1/rooms/{room}/sessions"),
                ana.auth(),
                Some(json!({"starts_at": "2026-06-02T09:00:00Z", "minutes": 60})),
            )
            .await
            .expect(201)
            .json["ids"][0]
            .as_str()
            .unwrap()
            .to_string();
        let to_ben = t.expect_email("ben@example.org", "Session").await;
        assert!(
            to_ben.subject.contains("Tue 2 Jun, 14:30 (Kolkata)"),
            "{}",
            to_ben.subject
        );
        assert!(to_ben.body.contains("When: Tue 2 Jun, 14:30 (Kolkata)"));
        assert!(!to_ben.body.contains("UTC"), "{}", to_ben.body);
        assert!(to_ben
            .body
            .contains("When: Tue 2 Jun, 14:30 (Kolkata), for 60 minutes"));

        let session = format!("/sessions/{id}");
        let ben_page = page(&t, &session, &ben).await;
        assert!(
            ben_page.contains("Tue 2 Jun, 14:30 (Kolkata)"),
            "{ben_page}"
        );
        assert!(!ben_page.contains("09:00"), "no UTC time leaks: {ben_page}");
        let ana_page = page(&t, &session, &ana).await;
        assert!(ana_page.contains("Tue 2 Jun, 10:00 (Lisbon)"));

        // A session next year names its year (Lisbon is on winter time then).
        let next_year = t
            .call(
                "POST",
                &format!("/api/v1/rooms/{room}/sessions"),
                ana.auth(),
                Some(json!({"starts_at": "2027-01-05T09:00:00Z", "minutes": 60})),
            )
            .await
            .expect(201)
            .json["ids"][0]
            .as_str()
            .unwrap()
            .to_string();
        let later = page(&t, &format!("/sessions/{next_year}"), &ben).await;
        assert!(later.contains("Tue 5 Jan 2027, 14:30 (Kolkata)"), "{later}");
        let later = page(&t, &format!("/sessions/{next_year}"), &ana).await;
        assert!(later.contains("Tue 5 Jan 2027, 09:00 (Lisbon)"), "{later}");
        t.take_emails().await;
        t.finish().await;
    }
}

#[tokio::test]
async fn the_directory_shows_availability_in_the_viewers_zone_and_says_so() {
    for kind in test_database_kinds() {
        let (t, _, ana, ben) = room(kind).await;
        // Ana's Monday 13:00-15:00 in Lisbon (UTC+1 in May) is 17:30-19:30
        // in Kolkata (UTC+5:30).
        let for_ben = page(&t, "/programmes/here/directory", &ben).await;
        assert!(for_ben.contains("Available mon 17:30-19:30"), "{for_ben}");
        assert!(for_ben.contains("your time, Kolkata"), "{for_ben}");
        assert!(for_ben.contains("Availability is shown in your time zone, Kolkata"));
        let for_ana = page(&t, "/programmes/here/directory", &ana).await;
        assert!(for_ana.contains("Available mon 13:00-15:00"), "{for_ana}");
        assert!(for_ana.contains("your time, Lisbon"));
        t.finish().await;
    }
}
