//! Goals and agreements in the store, on SQLite and (when
//! `RAPPORT_TEST_DATABASE_URL` is set) PostgreSQL.

use rapport_domain::agreement::{AgreedDuration, MeetingFormat};
use rapport_domain::goals::GoalStatus;
use rapport_domain::mentoring::EnrolmentStatus;
use rapport_domain::mentoring::{EndReason, MemberState, RoomOrigin, RoomStatus};
use rapport_domain::person::{AccountStatus, Profile};
use rapport_domain::programme::{Cadence, ProgrammeKind, ProgrammeRole, ProgrammeStatus};
use rapport_domain::values::{PersonName, Slug};
use rapport_domain::{
    AgreementId, EnrolmentId, GoalId, MilestoneId, PersonId, ProgrammeId, RoomId,
};
use rapport_store::page::Start;
use rapport_store::testing::{fresh_store, test_database_kinds};
use rapport_store::*;

fn person(email: &str, name: &str) -> NewPerson {
    NewPerson {
        id: PersonId::new(),
        email: email.into(),
        status: AccountStatus::Active,
        is_admin: false,
        password_hash: None,
        email_verified_at: None,
        profile: Profile::new(PersonName::parse("name", name).unwrap()),
        now: 1_000,
    }
}

fn mentor_enrolment(programme: ProgrammeId, person: PersonId) -> EnrolmentRecord {
    EnrolmentRecord {
        id: EnrolmentId::new(),
        programme_id: programme,
        person_id: person,
        role: ProgrammeRole::Mentor,
        status: EnrolmentStatus::Approved,
        capacity: 3,
        answers: Default::default(),
        preferences: Default::default(),
        consent_sensitive: false,
        created_at: 0,
        conduct_accepted_at: Some(0),
        decided_at: None,
    }
}

/// A mentee's room with `mentor`.
fn pair_room(programme: ProgrammeId, mentor: PersonId, mentee: PersonId) -> NewRoom {
    NewRoom {
        id: RoomId::new(),
        programme_id: programme,
        status: RoomStatus::Active,
        origin: RoomOrigin::Request,
        members: vec![
            (mentor, ProgrammeRole::Mentor, MemberState::Accepted),
            (mentee, ProgrammeRole::Mentee, MemberState::Accepted),
        ],
        round_id: None,
    }
}

/// A programme, a mentor (Mira), a mentee (Tom) and their active room; and
/// a second mentor (Nina) for a re-match. Returns (programme, Mira, Tom,
/// Nina, room).
async fn setup(store: &Store) -> (ProgrammeId, PersonId, PersonId, PersonId, RoomId) {
    let programme = ProgrammeRecord::new(
        Slug::parse("slug", "pathways").unwrap(),
        "Pathways",
        ProgrammeKind::OneToOne,
        ProgrammeStatus::Running,
        0,
    );
    let (mira, tom, nina) = (
        person("mira@example.org", "Mira"),
        person("tom@example.org", "Tom"),
        person("nina@example.org", "Nina"),
    );
    let mut tx = store.write().await.unwrap();
    tx.insert_programme(&programme).await.unwrap();
    for p in [&mira, &tom, &nina] {
        tx.insert_person(p).await.unwrap();
    }
    for mentor in [mira.id, nina.id] {
        tx.insert_enrolment(&mentor_enrolment(programme.id, mentor))
            .await
            .unwrap();
    }
    let room = pair_room(programme.id, mira.id, tom.id);
    tx.insert_room(&room, 1_000).await.unwrap();
    tx.commit().await.unwrap();
    (programme.id, mira.id, tom.id, nina.id, room.id)
}

async fn each_db<F, Fut>(scenario: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for kind in test_database_kinds() {
        let (store, _dir) = fresh_store(kind)
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        scenario(store.clone()).await;
        store.close().await;
    }
}

fn goal(room: RoomId, owner: Option<PersonId>, title: &str, at: i64) -> GoalRecord {
    GoalRecord {
        id: GoalId::new(),
        room_id: room,
        owner_id: owner,
        owner_name: None,
        title: title.into(),
        description: "Why".into(),
        success_criteria: String::new(),
        target_date: Some(chrono::NaiveDate::from_ymd_opt(2027, 6, 30).unwrap()),
        status: GoalStatus::Open,
        manual_progress: 0,
        progress: 0,
        created_by: owner,
        created_at: at,
        updated_at: at,
    }
}

#[tokio::test]
async fn goals_move_to_the_new_room_and_leave_a_snapshot() {
    each_db(|store| async move {
        let (programme, mira, tom, nina, old) = setup(&store).await;
        let mut tx = store.write().await.unwrap();
        let mine = goal(old, Some(tom), "Negotiate a raise", 2_000);
        let shared = goal(old, None, "The room's goal", 2_001);
        tx.insert_goal(&mine).await.unwrap();
        tx.insert_goal(&shared).await.unwrap();
        let m = MilestoneRecord {
            id: MilestoneId::new(),
            goal_id: mine.id,
            title: "Research pay bands".into(),
            due_date: None,
            done: true,
            done_at: Some(2_100),
            created_at: 2_100,
            updated_at: 2_100,
        };
        tx.insert_milestone(&m).await.unwrap();
        tx.insert_progress_event(mine.id, 100, 2_100).await.unwrap();
        // The re-match: the old room ends, a new one opens with Nina.
        assert!(tx
            .end_room(
                old,
                RoomStatus::EndedEarly,
                Some((EndReason::Fit, None)),
                2_900
            )
            .await
            .unwrap());
        let room = pair_room(programme, nina, tom);
        tx.insert_room(&room, 2_900).await.unwrap();
        let new = room.id;
        assert_eq!(
            tx.move_goals(mira, old, new, 3_000).await.unwrap(),
            0,
            "the mentor owns none"
        );
        assert_eq!(tx.move_goals(tom, old, new, 3_000).await.unwrap(), 1);
        tx.commit().await.unwrap();

        let mut tx = store.read().await.unwrap();
        let moved = tx.goal(mine.id).await.unwrap().unwrap();
        assert_eq!(moved.room_id, new);
        assert_eq!(moved.owner_name.as_deref(), Some("Tom"));
        assert_eq!(tx.milestones_of(mine.id).await.unwrap(), vec![m]);
        assert_eq!(
            tx.progress_events(mine.id).await.unwrap(),
            vec![(2_100, 100)]
        );
        let left = tx.goals_page(old, Start::Offset(0), 10).await.unwrap();
        assert_eq!(left.items.len(), 1, "the shared goal stays");
        assert_eq!(left.items[0].id, shared.id);
        let snaps = tx.goal_snapshots(old).await.unwrap();
        assert_eq!(snaps.len(), 1);
        assert_eq!(snaps[0].goal_id, mine.id);
        assert_eq!(snaps[0].moved_to, new);
        assert_eq!(snaps[0].snapshot.title, "Negotiate a raise");
        assert_eq!(snaps[0].snapshot.target_date.as_deref(), Some("2027-06-30"));
        assert!(snaps[0].snapshot.milestones[0].done);
        assert!(tx.goal_snapshots(new).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn goal_rules_hold_in_the_database() {
    each_db(|store| async move {
        let (_, _, tom, _, room) = setup(&store).await;
        let mut tx = store.write().await.unwrap();
        let mut g = goal(room, Some(tom), "Speak up", 2_000);
        g.progress = 101;
        assert!(tx.insert_goal(&g).await.is_err(), "progress is 0 to 100");
        drop(tx);
        let mut tx = store.write().await.unwrap();
        let g = goal(room, Some(tom), "Speak up", 2_000);
        tx.insert_goal(&g).await.unwrap();
        let mut newer = goal(room, Some(tom), "Listen", 2_500);
        newer.status = GoalStatus::Achieved;
        tx.insert_goal(&newer).await.unwrap();
        let page = tx.goals_page(room, Start::Offset(0), 1).await.unwrap();
        assert_eq!(page.items[0].id, newer.id, "newest first");
        assert_eq!(page.items[0].status, GoalStatus::Achieved);
        let next = tx
            .goals_page(room, Start::Cursor(page.next.unwrap()), 1)
            .await
            .unwrap();
        assert_eq!(next.items[0].id, g.id);
        assert!(next.next.is_none());
        let c = CommentRecord {
            id: rapport_domain::CommentId::new(),
            goal_id: g.id,
            author_id: Some(tom),
            author_name: None,
            body: "Progress!".into(),
            created_at: 3_000,
        };
        tx.insert_goal_comment(&c).await.unwrap();
        let comments = tx
            .goal_comments_page(g.id, Start::Offset(0), 10)
            .await
            .unwrap();
        assert_eq!(comments.items[0].author_name.as_deref(), Some("Tom"));
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn agreements_keep_every_version_and_confirmations_per_version() {
    each_db(|store| async move {
        let (_, mira, tom, _, room) = setup(&store).await;
        let v = |version, duration, at| AgreementRecord {
            id: AgreementId::new(),
            room_id: room,
            version,
            duration,
            cadence: Cadence::Monthly,
            format: MeetingFormat::InPerson,
            mentee_wants: "Grow".into(),
            expectations: String::new(),
            confidentiality: String::new(),
            ending: String::new(),
            changed_by: Some(tom),
            changed_by_name: Some("Tom".into()),
            created_at: at,
        };
        let mut tx = store.write().await.unwrap();
        assert!(tx.current_agreement(room).await.unwrap().is_none());
        let one = v(1, AgreedDuration::Months(6), 2_000);
        tx.insert_agreement(&one).await.unwrap();
        assert!(tx.confirm_agreement(one.id, mira, 2_100).await.unwrap());
        assert!(
            !tx.confirm_agreement(one.id, mira, 2_200).await.unwrap(),
            "once"
        );
        let day = chrono::NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
        let two = v(2, AgreedDuration::Until(day), 3_000);
        tx.insert_agreement(&two).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.write().await.unwrap();
        assert!(
            tx.insert_agreement(&v(2, AgreedDuration::Months(3), 3_500))
                .await
                .is_err(),
            "one version 2"
        );
        drop(tx);
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.current_agreement(room).await.unwrap(), Some(two.clone()));
        assert!(tx.agreement_confirmations(two.id).await.unwrap().is_empty());
        assert_eq!(tx.agreement_confirmations(one.id).await.unwrap().len(), 1);
        let page = tx
            .agreement_versions_page(room, Start::Offset(0), 10)
            .await
            .unwrap();
        assert_eq!(page.items, vec![two, one]);
    })
    .await;
}
