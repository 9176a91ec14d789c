//! The inbox's manager counts and the in-app notifications, on both
//! databases; and (ignored by default) the manager counts at 100,000 people.

use rapport_domain::mentoring::{EnrolmentStatus, MemberState, RoomOrigin, RoomStatus};
use rapport_domain::person::{AccountStatus, Profile};
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole, ProgrammeStatus};
use rapport_domain::values::{PersonName, Slug};
use rapport_domain::{EnrolmentId, NotificationId, PersonId, ProgrammeId, RoomId};
use rapport_store::page::Start;
use rapport_store::testing::{fresh_store, test_database_kinds};
use rapport_store::*;

fn person(i: usize) -> NewPerson {
    NewPerson {
        id: PersonId::new(),
        email: format!("p{i}@example.org"),
        status: AccountStatus::Active,
        is_admin: false,
        password_hash: None,
        email_verified_at: None,
        profile: Profile::new(PersonName::parse("name", &format!("Person {i}")).unwrap()),
        now: 0,
    }
}

fn enrolment(
    p: ProgrammeId,
    person: PersonId,
    role: ProgrammeRole,
    status: EnrolmentStatus,
) -> EnrolmentRecord {
    EnrolmentRecord {
        id: EnrolmentId::new(),
        programme_id: p,
        person_id: person,
        role,
        status,
        capacity: if role == ProgrammeRole::Mentor { 5 } else { 0 },
        answers: Default::default(),
        preferences: Default::default(),
        consent_sensitive: false,
        created_at: 0,
        conduct_accepted_at: None,
        decided_at: None,
    }
}

/// A programme (open) managed by a new person; returns (programme, manager).
async fn programme(tx: &mut Tx, name: &str) -> (ProgrammeId, PersonId) {
    let slug = format!("p-{}", uuid::Uuid::new_v4().simple());
    let p = ProgrammeRecord::new(
        Slug::parse("slug", &slug).unwrap(),
        name,
        ProgrammeKind::OneToOne,
        ProgrammeStatus::Open,
        0,
    );
    tx.insert_programme(&p).await.unwrap();
    let m = NewPerson {
        email: format!("manager-{}@example.org", uuid::Uuid::new_v4().simple()),
        ..person(0)
    };
    tx.insert_person(&m).await.unwrap();
    tx.grant_role(p.id, m.id, ProgrammeRole::Manager, 0)
        .await
        .unwrap();
    (p.id, m.id)
}

/// `n` approved mentees, the first `placed` of them in proposed rooms with
/// one mentor; plus `applied` applications.
async fn fill(tx: &mut Tx, p: ProgrammeId, n: usize, placed: usize, applied: usize) {
    let mentor = NewPerson {
        email: format!("mentor-{}@example.org", uuid::Uuid::new_v4().simple()),
        ..person(0)
    };
    tx.insert_person(&mentor).await.unwrap();
    tx.insert_enrolment(&enrolment(
        p,
        mentor.id,
        ProgrammeRole::Mentor,
        EnrolmentStatus::Approved,
    ))
    .await
    .unwrap();
    for i in 0..n + applied {
        let x = NewPerson {
            email: format!("m{i}-{}@example.org", uuid::Uuid::new_v4().simple()),
            ..person(i)
        };
        tx.insert_person(&x).await.unwrap();
        let status = if i < n {
            EnrolmentStatus::Approved
        } else {
            EnrolmentStatus::Applied
        };
        tx.insert_enrolment(&enrolment(p, x.id, ProgrammeRole::Mentee, status))
            .await
            .unwrap();
        if i < placed {
            tx.insert_room(
                &NewRoom {
                    id: RoomId::new(),
                    programme_id: p,
                    status: RoomStatus::Proposed,
                    origin: RoomOrigin::Round,
                    members: vec![
                        (mentor.id, ProgrammeRole::Mentor, MemberState::Invited),
                        (x.id, ProgrammeRole::Mentee, MemberState::Invited),
                    ],
                    round_id: None,
                },
                0,
            )
            .await
            .unwrap();
        }
    }
}

#[tokio::test]
async fn manager_counts_are_per_programme_and_only_for_its_managers() {
    for kind in test_database_kinds() {
        let (store, _dir) = fresh_store(kind).await.unwrap();
        let mut tx = store.write().await.unwrap();
        let (a, ma) = programme(&mut tx, "Alpha").await;
        let (b, mb) = programme(&mut tx, "Beta").await;
        fill(&mut tx, a, 7, 3, 2).await;
        fill(&mut tx, b, 1, 0, 0).await;
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        let unplaced = tx.unplaced_counts(ma).await.unwrap();
        assert_eq!(unplaced.len(), 1, "{kind}");
        assert_eq!((unplaced[0].programme_id, unplaced[0].count), (a, 4));
        let apps = tx.applications_waiting(ma).await.unwrap();
        assert_eq!((apps[0].name.as_str(), apps[0].count), ("Alpha", 2));
        assert_eq!(tx.unplaced_counts(mb).await.unwrap()[0].count, 1);
        assert!(tx.applications_waiting(mb).await.unwrap().is_empty());
        // Someone who manages nothing has no counts.
        assert!(tx
            .unplaced_counts(PersonId::new())
            .await
            .unwrap()
            .is_empty());
        drop(tx);
        store.close().await;
    }
}

#[tokio::test]
async fn programmes_of_lists_each_programme_once_with_its_enrolments() {
    for kind in test_database_kinds() {
        let (store, _dir) = fresh_store(kind).await.unwrap();
        let mut tx = store.write().await.unwrap();
        let (gamma, _) = programme(&mut tx, "Gamma").await;
        let (alpha, _) = programme(&mut tx, "Alpha").await;
        let (beta, _) = programme(&mut tx, "Beta").await;
        let (_, _) = programme(&mut tx, "Delta, not hers").await;
        let ana = person(1);
        tx.insert_person(&ana).await.unwrap();
        // Gamma: mentor (older) and mentee; Alpha: manager only; Beta: a
        // withdrawn application.
        let mentee = EnrolmentRecord {
            created_at: 20,
            ..enrolment(
                gamma,
                ana.id,
                ProgrammeRole::Mentee,
                EnrolmentStatus::Applied,
            )
        };
        let mentor = EnrolmentRecord {
            created_at: 10,
            ..enrolment(
                gamma,
                ana.id,
                ProgrammeRole::Mentor,
                EnrolmentStatus::Approved,
            )
        };
        let withdrawn = EnrolmentRecord {
            created_at: 30,
            ..enrolment(
                beta,
                ana.id,
                ProgrammeRole::Mentee,
                EnrolmentStatus::Withdrawn,
            )
        };
        for e in [&mentee, &mentor, &withdrawn] {
            tx.insert_enrolment(e).await.unwrap();
        }
        tx.grant_role(alpha, ana.id, ProgrammeRole::Manager, 0)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        let of = tx.programmes_of(ana.id).await.unwrap();
        let names: Vec<&str> = of.programmes.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Alpha", "Beta", "Gamma"], "{kind}");
        assert_eq!(of.programmes[0].id, alpha);
        assert_eq!(of.programmes[0].status, ProgrammeStatus::Open);
        assert_eq!(
            of.enrolments,
            [mentor.clone(), mentee.clone(), withdrawn.clone()],
            "{kind}: oldest first, whole"
        );
        // Nobody's: nothing.
        assert_eq!(
            tx.programmes_of(PersonId::new()).await.unwrap(),
            ProgrammesOf::default()
        );
        drop(tx);
        store.close().await;
    }
}

#[tokio::test]
async fn open_requests_are_the_pending_and_questioned_ones_newest_first_with_names() {
    use rapport_domain::mentoring::{RequestDirection, RequestStatus};
    for kind in test_database_kinds() {
        let (store, _dir) = fresh_store(kind).await.unwrap();
        let mut tx = store.write().await.unwrap();
        let (p, _) = programme(&mut tx, "Alpha").await;
        let ana = person(1);
        tx.insert_person(&ana).await.unwrap();
        let statuses = [
            RequestStatus::Pending,
            RequestStatus::NeedsInfo,
            RequestStatus::Accepted,
            RequestStatus::Declined,
            RequestStatus::Expired,
            RequestStatus::Withdrawn,
        ];
        let mut ids = vec![];
        for (i, status) in statuses.into_iter().enumerate() {
            let mentor = NewPerson {
                email: format!("mentor{i}@example.org"),
                ..person(10 + i)
            };
            tx.insert_person(&mentor).await.unwrap();
            let r = RequestRecord {
                id: rapport_domain::RequestId::new(),
                programme_id: p,
                mentee_id: ana.id,
                mentor_id: mentor.id,
                direction: RequestDirection::Request,
                status,
                message: "Would you mentor me?".into(),
                expires_at: 1_000_000,
                created_at: 100 + i as i64,
                queue: vec![],
                question: None,
                answer: None,
                decline_reason: None,
            };
            tx.insert_request(&r).await.unwrap();
            ids.push(r.id);
        }
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        let open = tx.open_requests_of(ana.id).await.unwrap();
        let got: Vec<_> = open.iter().map(|r| r.request.id).collect();
        assert_eq!(got, [ids[1], ids[0]], "{kind}: open ones, newest first");
        assert_eq!(open[0].mentor_name, "Person 11");
        assert_eq!(open[0].mentee_name, "Person 1");
        assert_eq!(open[0].programme, "Alpha");
        drop(tx);
        store.close().await;
    }
}

#[tokio::test]
async fn notifications_page_newest_first_and_only_their_owner_marks_them_read() {
    for kind in test_database_kinds() {
        let (store, _dir) = fresh_store(kind).await.unwrap();
        let (ana, bea) = (person(1), person(2));
        let mut tx = store.write().await.unwrap();
        tx.insert_person(&ana).await.unwrap();
        tx.insert_person(&bea).await.unwrap();
        let mut ids = vec![];
        for i in 0..5 {
            let n = NotificationRecord {
                id: NotificationId::new(),
                person_id: ana.id,
                kind: "matching".into(),
                subject: format!("news {i}"),
                link: "/requests".into(),
                created_at: 1_000 + i,
                read_at: None,
            };
            tx.insert_notification(&n).await.unwrap();
            ids.push(n.id);
        }
        tx.commit().await.unwrap();
        let mut tx = store.write().await.unwrap();
        let page = tx
            .notifications_page(ana.id, Start::Offset(0), 2)
            .await
            .unwrap();
        let subjects: Vec<_> = page.items.iter().map(|n| n.subject.as_str()).collect();
        assert_eq!(subjects, ["news 4", "news 3"]);
        let next = tx
            .notifications_page(ana.id, Start::Cursor(page.next.unwrap()), 2)
            .await
            .unwrap();
        assert_eq!(next.items[0].subject, "news 2");
        assert_eq!(tx.unread_notifications(ana.id).await.unwrap(), 5);
        assert_eq!(
            tx.mark_notifications_read(bea.id, Some(&ids), 2_000)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            tx.mark_notifications_read(ana.id, Some(&ids[..2]), 2_000)
                .await
                .unwrap(),
            2
        );
        assert_eq!(tx.unread_notifications(ana.id).await.unwrap(), 3);
        // The navigation's one read: no rooms, three notifications.
        let counts = tx.viewer_counts(ana.id).await.unwrap();
        assert_eq!((counts.unread, counts.unread_notifications), (vec![], 3));
        assert!(!counts.in_rooms && !counts.open_requests);
        assert_eq!(
            tx.mark_notifications_read(ana.id, None, 2_100)
                .await
                .unwrap(),
            3
        );
        assert_eq!(tx.unread_notifications(ana.id).await.unwrap(), 0);
        assert_eq!(tx.notifications_of(ana.id).await.unwrap().len(), 5);
        tx.commit().await.unwrap();
        // Deleting the account deletes them.
        let mut tx = store.write().await.unwrap();
        assert!(tx.delete_person(ana.id).await.unwrap());
        assert!(tx.notifications_of(ana.id).await.unwrap().is_empty());
        tx.commit().await.unwrap();
        store.close().await;
    }
}

/// The manager's counts at 100,000 approved mentees, none placed (the worst
/// case: every one is looked up for a seat): a measurement, not a timed
/// assertion. `cargo test -p rapport-store --test inbox -- --ignored --nocapture`
#[tokio::test]
#[ignore]
async fn manager_counts_at_one_hundred_thousand_people() {
    for kind in test_database_kinds() {
        let (store, _dir) = fresh_store(kind).await.unwrap();
        let mut tx = store.write().await.unwrap();
        let (p, m) = programme(&mut tx, "Big").await;
        tx.commit().await.unwrap();
        for _ in 0..20 {
            let mut tx = store.write().await.unwrap();
            fill(&mut tx, p, 5_000, 0, 0).await;
            tx.commit().await.unwrap();
        }
        let mut tx = store.read().await.unwrap();
        let t = std::time::Instant::now();
        let unplaced = tx.unplaced_counts(m).await.unwrap();
        let a = t.elapsed();
        let t = std::time::Instant::now();
        tx.applications_waiting(m).await.unwrap();
        tx.reports_waiting(m).await.unwrap();
        tx.draft_rounds(m).await.unwrap();
        let b = t.elapsed();
        println!(
            "{kind}: {} unplaced counted in {a:?}; applications, reports and rounds in {b:?}",
            unplaced[0].count
        );
        drop(tx);
        store.close().await;
    }
}
