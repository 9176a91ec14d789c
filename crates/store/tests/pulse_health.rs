//! Conformance for pulse answers and room health (migration 0011), on
//! SQLite and, when `RAPPORT_TEST_DATABASE_URL` is set, PostgreSQL.

use rapport_domain::health::{Level, Reason, ReasonCode, Source};
use rapport_domain::mentoring::{
    Attendance, EnrolmentStatus, MemberState, RoomOrigin, RoomStatus, SessionStatus,
};
use rapport_domain::person::{AccountStatus, Profile};
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole, ProgrammeStatus};
use rapport_domain::pulse::{PulseAnswers, PulseScore, Working};
use rapport_domain::values::{PersonName, Slug, TimeZoneName};
use rapport_domain::{EnrolmentId, PersonId, PulseId, RoomId, SessionId};
use rapport_store::testing::{fresh_store, test_database_kinds};
use rapport_store::*;

fn person(email: &str, name: &str) -> NewPerson {
    NewPerson {
        id: PersonId::new(),
        email: email.into(),
        status: AccountStatus::Active,
        is_admin: false,
        password_hash: Some("hash".into()),
        email_verified_at: None,
        profile: Profile::new(PersonName::parse("name", name).unwrap()),
        now: 1_000,
    }
}

fn pulse(room: RoomId, who: PersonId, round: u32, empathy: i64) -> PulseRecord {
    PulseRecord {
        id: PulseId::new(),
        room_id: room,
        person_id: who,
        round,
        role: ProgrammeRole::Mentee,
        answers: PulseAnswers {
            genuineness: PulseScore::parse("genuineness", 4).unwrap(),
            empathy: PulseScore::parse("empathy", empathy).unwrap(),
            acceptance: PulseScore::parse("acceptance", 5).unwrap(),
            working: Working::NotSure,
        },
        comment: "in my own words".into(),
        answered_at: 10_000 + i64::from(round),
    }
}

fn session(room: RoomId, at: i64, status: SessionStatus) -> SessionRecord {
    SessionRecord {
        id: SessionId::new(),
        room_id: room,
        series_id: None,
        organiser_id: None,
        starts_at: at,
        minutes: 30,
        zone: TimeZoneName::utc(),
        agenda: String::new(),
        link: None,
        place: None,
        status,
        cancelled_by: None,
        cancel_reason: None,
        uid: uuid::Uuid::new_v4().to_string(),
        sequence: 0,
        created_at: at,
        updated_at: at,
    }
}

#[tokio::test]
async fn pulse_answers_and_health_facts_round_trip() {
    for kind in test_database_kinds() {
        let (store, _dir) = fresh_store(kind).await.unwrap();
        let (ana, bea, cy) = (
            person("ana@example.org", "Ana"),
            person("bea@example.org", "Bea"),
            person("cy@example.org", "Cy"),
        );
        let programme = ProgrammeRecord::new(
            Slug::parse("slug", "pulse").unwrap(),
            "Pulse",
            ProgrammeKind::Group,
            ProgrammeStatus::Running,
            0,
        );
        let (room, other) = (RoomId::new(), RoomId::new());
        let mut tx = store.write().await.unwrap();
        for p in [&ana, &bea, &cy] {
            tx.insert_person(p).await.unwrap();
        }
        tx.insert_programme(&programme).await.unwrap();
        tx.insert_enrolment(&EnrolmentRecord {
            id: EnrolmentId::new(),
            programme_id: programme.id,
            person_id: ana.id,
            role: ProgrammeRole::Mentor,
            status: EnrolmentStatus::Approved,
            capacity: 5,
            answers: Default::default(),
            preferences: Default::default(),
            consent_sensitive: false,
            created_at: 0,
            conduct_accepted_at: Some(0),
            decided_at: None,
        })
        .await
        .unwrap();
        for (id, members) in [
            (
                room,
                vec![
                    (ana.id, ProgrammeRole::Mentor, MemberState::Accepted),
                    (bea.id, ProgrammeRole::Mentee, MemberState::Accepted),
                    (cy.id, ProgrammeRole::Mentee, MemberState::Left),
                ],
            ),
            (
                other,
                vec![
                    (ana.id, ProgrammeRole::Mentor, MemberState::Accepted),
                    (cy.id, ProgrammeRole::Mentee, MemberState::Accepted),
                ],
            ),
        ] {
            tx.insert_room(
                &NewRoom {
                    id,
                    programme_id: programme.id,
                    status: RoomStatus::Proposed,
                    origin: RoomOrigin::Round,
                    members,
                    round_id: None,
                },
                100,
            )
            .await
            .unwrap();
            assert!(tx
                .set_room_status(id, RoomStatus::Active, 200)
                .await
                .unwrap());
        }
        // One answer per member per pulse.
        assert!(tx.insert_pulse(&pulse(room, bea.id, 0, 4)).await.unwrap());
        assert!(!tx.insert_pulse(&pulse(room, bea.id, 0, 1)).await.unwrap());
        assert!(tx.insert_pulse(&pulse(room, bea.id, 1, 2)).await.unwrap());
        let mine = tx.pulses_of(room, bea.id).await.unwrap();
        assert_eq!(mine.iter().map(|p| p.round).collect::<Vec<_>>(), vec![1, 0]);
        assert_eq!(
            mine[1].answers.empathy.get(),
            4,
            "the second answer to pulse 0 was not written"
        );
        assert_eq!(mine[0].answers.working, Working::NotSure);
        assert!(tx.pulses_of(room, ana.id).await.unwrap().is_empty());
        // Sessions: held ones give the first and last; a cancelled one's
        // no-show does not count, nor one before the window.
        let s1 = session(room, 1_000, SessionStatus::Held);
        let s2 = session(room, 5_000, SessionStatus::Held);
        let s3 = session(room, 6_000, SessionStatus::Cancelled);
        let s4 = session(room, 90_000, SessionStatus::Held);
        for s in [&s1, &s2, &s3, &s4] {
            tx.insert_session(s).await.unwrap();
        }
        tx.set_attendance(s1.id, &[(bea.id, Attendance::NoShow)])
            .await
            .unwrap();
        tx.set_attendance(
            s2.id,
            &[(bea.id, Attendance::NoShow), (ana.id, Attendance::Late)],
        )
        .await
        .unwrap();
        tx.set_attendance(s3.id, &[(bea.id, Attendance::NoShow)])
            .await
            .unwrap();
        tx.save_nudge_levels(&[(room, bea.id, Level::NeedsAttention)], 7_000)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.read().await.unwrap();
        let facts = tx
            .health_facts(&[room, other, RoomId::new()], 10_000, 2_000)
            .await
            .unwrap();
        assert_eq!(facts.len(), 2, "{kind}: unknown rooms are skipped");
        let f = facts.iter().find(|f| f.room_id == room).unwrap();
        assert_eq!(f.status, RoomStatus::Active);
        assert_eq!(f.started_at, Some(200));
        assert_eq!(
            f.members.iter().map(|m| m.person_id).collect::<Vec<_>>(),
            vec![ana.id, bea.id],
            "current members only, mentors first"
        );
        assert_eq!(
            (f.first_held_at, f.last_held_at),
            (Some(1_000), Some(5_000)),
            "held ones only (not the cancelled one), and not the future one"
        );
        assert_eq!(f.no_shows, vec![5_000]);
        assert_eq!(f.pulses.len(), 2);
        assert_eq!(f.nudged, vec![(bea.id, Level::NeedsAttention)]);
        assert_eq!(f.stored, None);
        let g = facts.iter().find(|f| f.room_id == other).unwrap();
        assert!(g.pulses.is_empty() && g.no_shows.is_empty() && g.last_held_at.is_none());
        drop(tx);

        // Stored health: upserted, sorted worst first, and forgotten once closed.
        let reason = Reason {
            code: ReasonCode::PulseLowScore,
            text: "Mentee Bea scored empathy 2 of 5.".into(),
            source: Source::Pulse {
                side: ProgrammeRole::Mentee,
                person: bea.id,
            },
            level: Level::AtRisk,
        };
        let mut tx = store.write().await.unwrap();
        assert_eq!(tx.stale_health_rooms(0, 10).await.unwrap().len(), 2);
        tx.save_health(&[
            HealthRecord {
                room_id: other,
                level: Level::Healthy,
                reasons: vec![],
                computed_at: 500,
                alerted_level: None,
            },
            HealthRecord {
                room_id: room,
                level: Level::NeedsAttention,
                reasons: vec![],
                computed_at: 500,
                alerted_level: None,
            },
        ])
        .await
        .unwrap();
        tx.save_health(&[HealthRecord {
            room_id: room,
            level: Level::AtRisk,
            reasons: vec![reason.clone()],
            computed_at: 600,
            alerted_level: Some(Level::AtRisk),
        }])
        .await
        .unwrap();
        let h = tx.room_health(room).await.unwrap().unwrap();
        assert_eq!(
            (h.level, h.computed_at, h.alerted_level),
            (Level::AtRisk, 600, Some(Level::AtRisk))
        );
        assert_eq!(h.reasons, vec![reason]);
        let list = tx.health_in_programme(programme.id).await.unwrap();
        assert_eq!(
            list.iter().map(|h| h.room_id).collect::<Vec<_>>(),
            vec![room, other]
        );
        assert_eq!(tx.unhealthy_rooms_of(bea.id).await.unwrap().len(), 1);
        assert!(
            tx.unhealthy_rooms_of(cy.id).await.unwrap().is_empty(),
            "{kind}: cy left that room"
        );
        assert_eq!(tx.stale_health_rooms(550, 10).await.unwrap(), vec![other]);
        assert!(tx.stale_health_rooms(499, 10).await.unwrap().is_empty());
        assert!(tx
            .set_room_status(other, RoomStatus::Completed, 700)
            .await
            .unwrap());
        assert!(
            tx.health_facts(&[other], 10_000, 2_000)
                .await
                .unwrap()
                .is_empty(),
            "{kind}: a closed room has no health facts"
        );
        assert_eq!(tx.forget_closed_health().await.unwrap(), 1);
        assert!(tx.room_health(other).await.unwrap().is_none());
        assert!(tx.room_health(room).await.unwrap().is_some());
        tx.commit().await.unwrap();
        store.close().await;
    }
}
