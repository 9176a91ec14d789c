//! Store conformance for closure and activation (migration 0012), on SQLite
//! and, when `RAPPORT_TEST_DATABASE_URL` is set, PostgreSQL.

use rapport_domain::closure::{CareerStep, SelfEfficacy, WouldMentor};
use rapport_domain::mentoring::{EnrolmentStatus, MemberState, RoomOrigin, RoomStatus};
use rapport_domain::person::{AccountStatus, Profile};
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole, ProgrammeStatus};
use rapport_domain::values::{PersonName, Slug};
use rapport_domain::{ClosureId, EnrolmentId, PersonId, RoomId, SkillId};
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

fn score(n: i64) -> SelfEfficacy {
    SelfEfficacy::new("self_efficacy", n).unwrap()
}

#[tokio::test]
async fn closures_outcomes_self_efficacy_and_activation_marks() {
    for kind in test_database_kinds() {
        let (store, _dir) = fresh_store(kind)
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let (ana, ben) = (
            person("ana@example.org", "Ana"),
            person("ben@example.org", "Ben"),
        );
        let p = ProgrammeRecord::new(
            Slug::parse("slug", "spring").unwrap(),
            "Spring",
            ProgrammeKind::OneToOne,
            ProgrammeStatus::Open,
            0,
        );
        let skill = SkillRecord {
            id: SkillId::new(),
            name: "Public speaking".into(),
        };
        let room = RoomId::new();
        let mut tx = store.write().await.unwrap();
        tx.insert_person(&ana).await.unwrap();
        tx.insert_person(&ben).await.unwrap();
        tx.insert_programme(&p).await.unwrap();
        tx.insert_skill(&skill, 0).await.unwrap();
        for (who, role, capacity) in [
            (ana.id, ProgrammeRole::Mentor, 3),
            (ben.id, ProgrammeRole::Mentee, 0),
        ] {
            tx.insert_enrolment(&EnrolmentRecord {
                id: EnrolmentId::new(),
                programme_id: p.id,
                person_id: who,
                role,
                status: EnrolmentStatus::Approved,
                capacity,
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
                id: room,
                programme_id: p.id,
                status: RoomStatus::Proposed,
                origin: RoomOrigin::Round,
                members: vec![
                    (ana.id, ProgrammeRole::Mentor, MemberState::Accepted),
                    (ben.id, ProgrammeRole::Mentee, MemberState::Accepted),
                ],
                round_id: None,
            },
            100,
        )
        .await
        .unwrap();
        assert!(tx
            .set_room_status(room, RoomStatus::Active, 1_000)
            .await
            .unwrap());

        // Self-efficacy at enrolment: optional, set, and kept when not given.
        let before = tx
            .enrolment_self_efficacy(p.id, ben.id, ProgrammeRole::Mentee)
            .await
            .unwrap();
        assert_eq!(before, None);
        tx.set_enrolment_self_efficacy(p.id, ben.id, ProgrammeRole::Mentee, Some(score(2)))
            .await
            .unwrap();
        tx.set_enrolment_self_efficacy(p.id, ben.id, ProgrammeRole::Mentee, None)
            .await
            .unwrap();
        let kept = tx
            .enrolment_self_efficacy(p.id, ben.id, ProgrammeRole::Mentee)
            .await
            .unwrap();
        assert_eq!(kept, Some(score(2)));
        let listed = tx.enrolments_in(p.id).await.unwrap();
        let of = |id: PersonId| {
            listed
                .iter()
                .find(|v| v.enrolment.person_id == id)
                .unwrap()
                .self_efficacy
        };
        assert_eq!((of(ben.id), of(ana.id)), (Some(2), None));

        // Activation: the room is listed while it has no first contact, and
        // each mark is set once (the inactivity mark once per spell).
        let listed = tx.rooms_for_activation(0).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].room_id, listed[0].started_at), (room, 1_000));
        assert!(tx.mark_members_prompted(room, 2_000).await.unwrap());
        assert!(!tx.mark_members_prompted(room, 3_000).await.unwrap());
        assert!(tx.mark_managers_prompted(room, 3_000).await.unwrap());
        assert!(!tx.mark_managers_prompted(room, 4_000).await.unwrap());
        assert!(tx.mark_inactivity_warned(room, 1_000, 5_000).await.unwrap());
        assert!(
            !tx.mark_inactivity_warned(room, 1_000, 6_000).await.unwrap(),
            "same spell"
        );
        assert!(
            tx.mark_inactivity_warned(room, 7_000, 8_000).await.unwrap(),
            "a new spell"
        );
        let a = tx
            .rooms_for_activation(10_000)
            .await
            .unwrap()
            .pop()
            .unwrap();
        assert_eq!(
            (
                a.members_prompted_at,
                a.managers_prompted_at,
                a.inactivity_warned_at
            ),
            (Some(2_000), Some(3_000), Some(8_000))
        );
        // Prompted, and active since: not listed until it goes quiet.
        tx.note_room_activity(room, ActivityKind::Message, 9_000)
            .await
            .unwrap();
        assert!(tx.rooms_for_activation(8_999).await.unwrap().is_empty());
        assert_eq!(tx.rooms_for_activation(9_000).await.unwrap().len(), 1);
        // Paused rooms are not listed.
        assert!(tx
            .set_room_status(room, RoomStatus::Paused, 9_500)
            .await
            .unwrap());
        assert!(tx.rooms_for_activation(i64::MAX).await.unwrap().is_empty());

        // Closures: one per member per room, skills in their own table, the
        // reflection read by `closure_of` only.
        assert!(tx
            .set_room_status(room, RoomStatus::Completed, 10_000)
            .await
            .unwrap());
        let closure = |who: PersonId, role, n: i64, before: Option<SelfEfficacy>| ClosureRecord {
            outcome: OutcomeRecord {
                id: ClosureId::new(),
                room_id: room,
                person_id: who,
                programme_id: p.id,
                role,
                self_efficacy: score(n),
                self_efficacy_at_enrolment: before,
                career_step: CareerStep::NewRole,
                would_mentor: WouldMentor::Yes,
                skills: vec!["Public speaking".into()],
                created_at: 11_000,
            },
            reflection: "private words".into(),
        };
        let gained = [GainedSkill {
            id: skill.id,
            name: skill.name.clone(),
        }];
        let mine = closure(ben.id, ProgrammeRole::Mentee, 4, Some(score(2)));
        tx.insert_closure(&mine, &gained).await.unwrap();
        assert_eq!(
            tx.closure_of(room, ben.id).await.unwrap(),
            Some(mine.clone())
        );
        assert_eq!(tx.closure_of(room, ana.id).await.unwrap(), None);
        tx.insert_closure(&closure(ana.id, ProgrammeRole::Mentor, 5, None), &[])
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.write().await.unwrap();
        let again = tx
            .insert_closure(&closure(ben.id, ProgrammeRole::Mentee, 3, None), &[])
            .await
            .unwrap_err();
        assert!(
            matches!(&again, StoreError::Conflict { constraint } if constraint == "closures_room_id_person_id_key"),
            "{again:?}"
        );
        drop(tx);

        let mut tx = store.write().await.unwrap();
        let outcomes = tx.outcomes_in(p.id).await.unwrap();
        assert_eq!(outcomes.len(), 2);
        assert_eq!(
            outcomes.iter().find(|o| o.person_id == ben.id),
            Some(&mine.outcome)
        );
        assert!(outcomes
            .iter()
            .find(|o| o.person_id == ana.id)
            .unwrap()
            .skills
            .is_empty());

        // A dropped catalogue skill stays counted by name; the author's
        // account going takes their closure with it.
        tx.delete_skill(skill.id).await.unwrap();
        assert_eq!(
            tx.closure_of(room, ben.id)
                .await
                .unwrap()
                .unwrap()
                .outcome
                .skills,
            ["Public speaking"]
        );
        assert!(tx.delete_person(ben.id).await.unwrap());
        assert_eq!(tx.outcomes_in(p.id).await.unwrap().len(), 1);
        tx.commit().await.unwrap();
        store.close().await;
    }
}
