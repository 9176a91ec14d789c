//! The store conformance suite: every scenario runs on SQLite, and on
//! PostgreSQL when `RAPPORT_TEST_DATABASE_URL` is set (CI sets it).

use rapport_domain::person::{AccountStatus, Profile};
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole, ProgrammeStatus};
use rapport_domain::values::{PersonName, Slug};
use rapport_domain::{LoginSessionId, PersonId, ProgrammeId};
use rapport_store::page::Start;
use rapport_store::testing::{fresh_store, test_database_kinds};
use rapport_store::*;

fn person(email: &str, name: &str) -> NewPerson {
    let mut profile = Profile::new(PersonName::parse("name", name).unwrap());
    profile.skills_offered = vec!["Public speaking".into()];
    NewPerson {
        id: PersonId::new(),
        email: email.into(),
        status: AccountStatus::Active,
        is_admin: false,
        password_hash: Some("hash".into()),
        email_verified_at: None,
        profile,
        now: 1_000,
    }
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

#[tokio::test]
async fn migrations_have_the_same_versions_in_both_dialects() {
    let names = |d: &str| {
        let mut v: Vec<String> =
            std::fs::read_dir(format!("{}/migrations/{d}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"));
    assert!(!names("sqlite").is_empty());
}

#[tokio::test]
async fn people_round_trip_and_emails_are_unique() {
    each_db(|store| async move {
        let ana = person("ana@example.org", "Ana Lima");
        let mut tx = store.write().await.unwrap();
        tx.insert_person(&ana).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.write().await.unwrap();
        let err = tx
            .insert_person(&person("ana@example.org", "Other"))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::Conflict { constraint } if constraint == "people_email_key"),
            "{err:?}"
        );
        drop(tx);

        let mut tx = store.read().await.unwrap();
        let got = tx
            .person_by_email("ana@example.org")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got.id, ana.id);
        assert_eq!(got.profile, ana.profile);
        assert_eq!(got.status, AccountStatus::Active);
        assert_eq!(tx.count_people().await.unwrap(), 1);
    })
    .await;
}

#[tokio::test]
async fn directory_search_filters_visibility_and_pages() {
    each_db(|store| async move {
        let mut tx = store.write().await.unwrap();
        for i in 0..25 {
            tx.insert_person(&person(
                &format!("p{i}@example.org"),
                &format!("Person {i:02}"),
            ))
            .await
            .unwrap();
        }
        let mut hidden = person("hidden@example.org", "Hidden Speaker");
        hidden.profile.visibility = rapport_domain::person::Visibility::Private;
        tx.insert_person(&hidden).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.read().await.unwrap();
        let q = DirectoryQuery {
            text: "speaking".into(),
            limit: 10,
            offset: 20,
            ..Default::default()
        };
        let (page, total) = tx.search_people(&q).await.unwrap();
        assert_eq!(total, 25, "private profiles are not counted");
        assert_eq!(page.len(), 5);
        let q = DirectoryQuery {
            text: "hidden".into(),
            limit: 10,
            include_self: Some(hidden.id),
            ..Default::default()
        };
        assert_eq!(
            tx.search_people(&q).await.unwrap().1,
            1,
            "people always find themselves"
        );
        let q = DirectoryQuery {
            text: "100%_".into(),
            limit: 10,
            ..Default::default()
        };
        assert_eq!(
            tx.search_people(&q).await.unwrap().1,
            0,
            "LIKE wildcards are escaped"
        );
    })
    .await;
}

#[tokio::test]
async fn sessions_tokens_and_one_time_email_tokens() {
    each_db(|store| async move {
        let ana = person("ana@example.org", "Ana");
        let mut tx = store.write().await.unwrap();
        tx.insert_person(&ana).await.unwrap();
        let s = LoginSessionRecord {
            id: LoginSessionId::new(),
            person_id: ana.id,
            created_at: 0,
            last_seen_at: 0,
            expires_at: 10_000,
            user_agent: "test".into(),
            ip: "127.0.0.1".into(),
        };
        tx.insert_login_session(&s, "h1").await.unwrap();
        tx.insert_email_token("e1", ana.id, "verify", 0, 5_000)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.write().await.unwrap();
        assert_eq!(
            tx.login_session_by_hash("h1", 5_000)
                .await
                .unwrap()
                .unwrap()
                .person_id,
            ana.id
        );
        assert!(
            tx.login_session_by_hash("h1", 10_001)
                .await
                .unwrap()
                .is_none(),
            "expired sessions are refused"
        );
        // The session, its person and their roles in one read, as every
        // page starts.
        let signed = tx.session_person("h1", 5_000).await.unwrap().unwrap();
        let (owner, who) = (&signed.owner, &signed.person);
        assert_eq!((owner.credential_id, owner.person_id), (s.id.0, ana.id));
        assert_eq!(owner.last_seen_at, 0);
        assert_eq!((who.id, who.email.as_str()), (ana.id, "ana@example.org"));
        assert_eq!(who.profile.name.as_str(), "Ana");
        assert_eq!(signed.roles, vec![], "no roles: one row, and none read");
        assert!(tx.session_person("h1", 10_001).await.unwrap().is_none());
        // With roles: a row per role, read in the order `roles_of` reads.
        let (spring, autumn) = (
            ProgrammeRecord::new(
                Slug::parse("slug", "spring").unwrap(),
                "Spring",
                ProgrammeKind::OneToOne,
                ProgrammeStatus::Open,
                0,
            ),
            ProgrammeRecord::new(
                Slug::parse("slug", "autumn").unwrap(),
                "Autumn",
                ProgrammeKind::OneToOne,
                ProgrammeStatus::Open,
                0,
            ),
        );
        tx.insert_programme(&spring).await.unwrap();
        tx.insert_programme(&autumn).await.unwrap();
        tx.grant_role(autumn.id, ana.id, ProgrammeRole::Manager, 2)
            .await
            .unwrap();
        tx.grant_role(spring.id, ana.id, ProgrammeRole::Mentor, 1)
            .await
            .unwrap();
        tx.grant_role(spring.id, ana.id, ProgrammeRole::Mentee, 1)
            .await
            .unwrap();
        let signed = tx.session_person("h1", 5_000).await.unwrap().unwrap();
        assert_eq!(signed.person.id, ana.id);
        assert_eq!(signed.roles, tx.roles_of(ana.id).await.unwrap());
        assert_eq!(signed.roles.len(), 3);
        assert_eq!(signed.roles[2], (autumn.id, ProgrammeRole::Manager));
        assert!(tx.session_person("nope", 5_000).await.unwrap().is_none());
        // With the viewer's counts, in the same statement, as pages read it.
        let (viewer, counts) = tx.session_viewer("h1", 5_000).await.unwrap().unwrap();
        assert_eq!(viewer.owner, signed.owner);
        assert_eq!(viewer.person, signed.person);
        assert_eq!(viewer.roles, signed.roles, "the roles in the same order");
        assert_eq!(counts, tx.viewer_counts(ana.id).await.unwrap());
        assert!(tx.session_viewer("h1", 10_001).await.unwrap().is_none());
        assert!(tx.session_viewer("nope", 5_000).await.unwrap().is_none());
        assert!(
            tx.consume_email_token("e1", "reset", 1_000)
                .await
                .unwrap()
                .is_none(),
            "purpose must match"
        );
        assert_eq!(
            tx.consume_email_token("e1", "verify", 1_000).await.unwrap(),
            Some(ana.id)
        );
        assert!(
            tx.consume_email_token("e1", "verify", 1_000)
                .await
                .unwrap()
                .is_none(),
            "a token works once"
        );
        assert!(
            !tx.delete_login_session(PersonId::new(), s.id)
                .await
                .unwrap(),
            "only the owner can revoke"
        );
        assert!(tx.delete_login_session(ana.id, s.id).await.unwrap());
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn jobs_are_claimed_once_and_retried_after_failure() {
    each_db(|store| async move {
        let mut tx = store.write().await.unwrap();
        let id = tx
            .queue_email(
                &NewEmail {
                    person_id: None,
                    to: "a@example.org".into(),
                    kind: "account".into(),
                    subject: "Hi".into(),
                    body: "Body".into(),
                    html: Some("<p>Body</p>".into()),
                    unsubscribe_url: None,
                },
                100,
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.write().await.unwrap();
        let job = tx.claim_job(100, 1_000).await.unwrap().expect("due job");
        assert_eq!(job.kind, "send_email");
        assert_eq!(job.payload, id.to_string());
        assert!(
            tx.claim_job(100, 1_000).await.unwrap().is_none(),
            "a leased job is not claimed twice"
        );
        tx.fail_job(job.id, "smtp down", 5_000, false, 200)
            .await
            .unwrap();
        assert!(
            tx.claim_job(4_999, 1_000).await.unwrap().is_none(),
            "backoff is respected"
        );
        let again = tx.claim_job(5_000, 1_000).await.unwrap().unwrap();
        assert_eq!(again.attempts, 2);
        tx.finish_job(again.id, 5_001).await.unwrap();
        assert_eq!(tx.job_counts().await.unwrap(), (0, 0));
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn deleting_a_person_cascades_their_credentials_and_keeps_others() {
    each_db(|store| async move {
        let (ana, bea) = (
            person("ana@example.org", "Ana"),
            person("bea@example.org", "Bea"),
        );
        let programme = ProgrammeRecord::new(
            Slug::parse("slug", "spring").unwrap(),
            "Spring",
            ProgrammeKind::OneToOne,
            ProgrammeStatus::Open,
            0,
        );
        let mut tx = store.write().await.unwrap();
        tx.insert_person(&ana).await.unwrap();
        let mut bea2 = bea.clone();
        bea2.profile.manager_id = Some(ana.id);
        tx.insert_person(&bea2).await.unwrap();
        tx.insert_programme(&programme).await.unwrap();
        tx.grant_role(programme.id, ana.id, ProgrammeRole::Mentor, 0)
            .await
            .unwrap();
        tx.grant_role(programme.id, ana.id, ProgrammeRole::Mentor, 0)
            .await
            .unwrap();
        tx.grant_role(programme.id, bea.id, ProgrammeRole::Mentee, 0)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.write().await.unwrap();
        assert_eq!(
            tx.roles_of(ana.id).await.unwrap(),
            vec![(programme.id, ProgrammeRole::Mentor)]
        );
        assert!(tx.delete_person(ana.id).await.unwrap());
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        assert!(tx.person(ana.id).await.unwrap().is_none());
        assert_eq!(
            tx.count_role(programme.id, ProgrammeRole::Mentor)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            tx.count_role(programme.id, ProgrammeRole::Mentee)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            tx.person(bea.id).await.unwrap().unwrap().email,
            "bea@example.org"
        );
    })
    .await;
}

#[tokio::test]
async fn settings_skills_and_audit() {
    each_db(|store| async move {
        let mut tx = store.write().await.unwrap();
        tx.put_setting("signup_mode", "open").await.unwrap();
        tx.put_setting("signup_mode", "invite_only").await.unwrap();
        assert_eq!(tx.setting("signup_mode").await.unwrap().as_deref(), Some("invite_only"));
        tx.insert_skill(&SkillRecord { id: rapport_domain::SkillId::new(), name: "Rust".into() }, 0).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.write().await.unwrap();
        let err = tx.insert_skill(&SkillRecord { id: rapport_domain::SkillId::new(), name: "rust".into() }, 0).await.unwrap_err();
        assert!(matches!(&err, StoreError::Conflict { constraint } if constraint == "skills_folded_key"), "{err:?}");
        drop(tx);
        let mut tx = store.write().await.unwrap();
        for i in 0..3 {
            tx.insert_audit(&AuditRecord { id: uuid::Uuid::new_v4(), actor_id: None, actor_name: "System".into(), action: format!("a{i}"), subject: "s".into(), before_json: None, after_json: Some(serde_json::json!({"i": i})), created_at: i }).await.unwrap();
        }
        let page = tx.audit_page(Start::Offset(0), 2).await.unwrap();
        assert_eq!(tx.audit_total().await.unwrap(), (3, false));
        assert_eq!(page.items.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), vec!["a2", "a1"]);
        assert_eq!(page.items[0].after_json, Some(serde_json::json!({"i": 2})), "states come back as JSON values");
        let next = tx.audit_page(Start::Cursor(page.next.expect("a third event")), 2).await.unwrap();
        assert_eq!(next.items.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), vec!["a0"]);
        assert_eq!(next.next, None);
        let back = tx.audit_page(Start::Cursor(next.prev.expect("newer events")), 2).await.unwrap();
        assert_eq!(back.items.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), vec!["a2", "a1"]);
        assert_eq!(back.prev, None);
        // Several events in one millisecond page by id, none repeated or lost.
        for i in 0..4 {
            tx.insert_audit(&AuditRecord { id: uuid::Uuid::new_v4(), actor_id: None, actor_name: "System".into(), action: format!("same{i}"), subject: "s".into(), before_json: None, after_json: None, created_at: 10 }).await.unwrap();
        }
        let mut seen = Vec::new();
        let mut start = Start::Offset(0);
        loop {
            let page = tx.audit_page(start, 3).await.unwrap();
            seen.extend(page.items.iter().map(|e| e.id));
            match page.next {
                Some(c) => start = Start::Cursor(c),
                None => break,
            }
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!((seen.len(), unique.len()), (7, 7));
        // A state that is not an object is refused on the way in...
        let err = tx.insert_audit(&AuditRecord { id: uuid::Uuid::new_v4(), actor_id: None, actor_name: "System".into(), action: "x".into(), subject: "s".into(), before_json: Some(serde_json::json!("text")), after_json: None, created_at: 20 }).await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn an_audit_row_that_is_not_json_is_corrupt_and_named() {
    for kind in test_database_kinds() {
        let (url, _dir) = rapport_store::testing::fresh_database_url(kind)
            .await
            .unwrap();
        let store = Store::connect(&url).await.unwrap();
        let id = uuid::Uuid::new_v4();
        let mut tx = store.write().await.unwrap();
        tx.insert_audit(&AuditRecord {
            id,
            actor_id: None,
            actor_name: "System".into(),
            action: "x".into(),
            subject: "s".into(),
            before_json: None,
            after_json: None,
            created_at: 1,
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // Written behind the store's back, as releases before 0004 did.
        let spoil = "UPDATE audit_events SET after_json = 'Spring cohort'";
        if kind == "sqlite" {
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            sqlx::query(spoil).execute(&pool).await.unwrap();
            pool.close().await;
        } else {
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            sqlx::query(spoil).execute(&pool).await.unwrap();
            pool.close().await;
        }
        let mut tx = store.read().await.unwrap();
        let err = tx.audit_page(Start::Offset(0), 10).await.unwrap_err();
        let StoreError::Corrupt {
            table,
            id: row,
            source,
        } = err
        else {
            panic!("{kind}: {err:?}")
        };
        let message = format!("{table} {} {source}", row.unwrap_or_default());
        assert!(
            message.contains("audit_events")
                && message.contains(&id.to_string())
                && message.contains("after_json"),
            "{kind}: {message}"
        );
        drop(tx);
        store.close().await;
    }
}

mod mentoring {
    use super::*;
    use rapport_domain::mentoring::{EnrolmentStatus, MemberState, RequestStatus, RoomStatus};
    use rapport_domain::{EnrolmentId, RequestId, RoomId};

    async fn programme_with(
        store: &Store,
        mentor: &NewPerson,
        capacity: i32,
        mentees: &[NewPerson],
    ) -> ProgrammeId {
        let slug = format!("p-{}", uuid::Uuid::new_v4().simple());
        let programme = ProgrammeRecord::new(
            Slug::parse("slug", &slug).unwrap(),
            "P",
            ProgrammeKind::OneToOne,
            ProgrammeStatus::Open,
            0,
        );
        let mut tx = store.write().await.unwrap();
        tx.insert_programme(&programme).await.unwrap();
        if tx.person(mentor.id).await.unwrap().is_none() {
            tx.insert_person(mentor).await.unwrap();
        }
        let enrol = |person: PersonId, role: ProgrammeRole, capacity: i32| EnrolmentRecord {
            id: EnrolmentId::new(),
            programme_id: programme.id,
            person_id: person,
            role,
            status: EnrolmentStatus::Approved,
            capacity,
            answers: Default::default(),
            preferences: Default::default(),
            consent_sensitive: false,
            created_at: 0,
            conduct_accepted_at: None,
            decided_at: None,
        };
        tx.insert_enrolment(&enrol(mentor.id, ProgrammeRole::Mentor, capacity))
            .await
            .unwrap();
        for m in mentees {
            tx.insert_person(m).await.unwrap();
            tx.insert_enrolment(&enrol(m.id, ProgrammeRole::Mentee, 0))
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        programme.id
    }

    fn request(programme: ProgrammeId, mentee: PersonId, mentor: PersonId) -> RequestRecord {
        RequestRecord {
            id: RequestId::new(),
            programme_id: programme,
            mentee_id: mentee,
            mentor_id: mentor,
            direction: rapport_domain::mentoring::RequestDirection::Request,
            status: RequestStatus::Pending,
            message: "Hello".into(),
            expires_at: 1_000_000,
            created_at: 0,
            queue: vec![],
            question: None,
            answer: None,
            decline_reason: None,
        }
    }

    /// `n` mentees `{prefix}0@example.org`, … named "Mentee 0", ….
    fn numbered_mentees(prefix: &str, n: usize) -> Vec<NewPerson> {
        (0..n)
            .map(|i| person(&format!("{prefix}{i}@example.org"), &format!("Mentee {i}")))
            .collect()
    }

    /// Accepting a request: close it and open a room, in one transaction.
    async fn accept(store: &Store, r: &RequestRecord) -> std::result::Result<(), StoreError> {
        let mut tx = store.write().await?;
        if !tx.close_request(r.id, RequestStatus::Accepted, 10).await? {
            return Err(StoreError::Conflict {
                constraint: "request_not_open".into(),
            });
        }
        let room = NewRoom {
            round_id: None,
            id: RoomId::new(),
            programme_id: r.programme_id,
            status: RoomStatus::Active,
            origin: rapport_domain::mentoring::RoomOrigin::Request,
            members: vec![
                (r.mentor_id, ProgrammeRole::Mentor, MemberState::Accepted),
                (r.mentee_id, ProgrammeRole::Mentee, MemberState::Accepted),
            ],
        };
        tx.insert_room(&room, 10).await?;
        tx.commit().await
    }

    #[tokio::test]
    async fn one_enrolment_per_role_and_one_open_request_per_pair() {
        each_db(|store| async move {
            let mentor = person("mentor@example.org", "Mentor");
            let mentee = person("mentee@example.org", "Mentee");
            let p = programme_with(&store, &mentor, 2, std::slice::from_ref(&mentee)).await;
            let mut tx = store.write().await.unwrap();
            let again = EnrolmentRecord { id: EnrolmentId::new(), programme_id: p, person_id: mentee.id, role: ProgrammeRole::Mentee, status: EnrolmentStatus::Applied, capacity: 0, answers: Default::default(), preferences: Default::default(), consent_sensitive: false, created_at: 0, conduct_accepted_at: None, decided_at: None };
            let err = tx.insert_enrolment(&again).await.unwrap_err();
            assert!(matches!(&err, StoreError::Conflict { constraint } if constraint == "enrolments_programme_id_person_id_role_key"), "{err:?}");
            drop(tx);
            let mut tx = store.write().await.unwrap();
            let first = request(p, mentee.id, mentor.id);
            tx.insert_request(&first).await.unwrap();
            let err = tx.insert_request(&request(p, mentee.id, mentor.id)).await.unwrap_err();
            assert!(matches!(&err, StoreError::Conflict { constraint } if constraint == "requests_programme_id_mentee_id_mentor_id_key"), "{err:?}");
            drop(tx);
            let mut tx = store.write().await.unwrap();
            tx.insert_request(&first).await.unwrap();
            assert!(tx.close_request(first.id, RequestStatus::Declined, 5).await.unwrap());
            assert!(!tx.close_request(first.id, RequestStatus::Accepted, 5).await.unwrap(), "a declined request cannot be accepted");
            // A page's counts say whether either party has a request open:
            // not a closed one.
            for who in [mentee.id, mentor.id] {
                let counts = tx.viewer_counts(who).await.unwrap();
                assert!(!counts.open_requests && !counts.in_rooms, "{counts:?}");
            }
            tx.insert_request(&request(p, mentee.id, mentor.id)).await.unwrap();
            for who in [mentee.id, mentor.id] {
                let counts = tx.viewer_counts(who).await.unwrap();
                assert!(counts.open_requests && !counts.in_rooms, "{counts:?}");
            }
            assert_eq!(tx.open_requests_of_mentee(p, mentee.id).await.unwrap(), 1, "a closed request frees the pair");
            tx.commit().await.unwrap();
            let mut tx = store.write().await.unwrap();
            let r = tx.request(first.id).await.unwrap().unwrap();
            assert_eq!(r.status, RequestStatus::Declined);
            assert!(!tx.close_request(r.id, RequestStatus::Accepted, 2_000_000).await.unwrap(), "expired requests cannot move");
        })
        .await;
    }

    #[tokio::test]
    async fn fifty_concurrent_accepts_fill_a_capacity_of_two_exactly() {
        each_db(|store| async move {
            let mentor = person("busy@example.org", "Busy Mentor");
            let mentees = numbered_mentees("m", 50);
            let p = programme_with(&store, &mentor, 2, &mentees).await;
            let requests: Vec<RequestRecord> = mentees
                .iter()
                .map(|m| request(p, m.id, mentor.id))
                .collect();
            let mut tx = store.write().await.unwrap();
            for r in &requests {
                tx.insert_request(r).await.unwrap();
            }
            tx.commit().await.unwrap();

            let handles: Vec<_> = requests
                .into_iter()
                .map(|r| {
                    let store = store.clone();
                    tokio::spawn(async move { accept(&store, &r).await })
                })
                .collect();
            let mut ok = 0;
            for h in handles {
                match h.await.unwrap() {
                    Ok(()) => ok += 1,
                    Err(StoreError::Conflict { constraint }) => {
                        assert_eq!(constraint, "mentor_capacity")
                    }
                    Err(other) => {
                        panic!("a refused accept must be a capacity conflict, got {other:?}")
                    }
                }
            }
            assert_eq!(ok, 2, "exactly the capacity is filled");
            let mut tx = store.read().await.unwrap();
            assert_eq!(tx.mentor_load(p, mentor.id).await.unwrap(), 2);
        })
        .await;
    }

    #[tokio::test]
    async fn batched_people_and_limits_match_the_one_at_a_time_queries() {
        each_db(|store| async move {
            let mentor = person("lim@example.org", "Limited Mentor");
            let mentees = numbered_mentees("e", 3);
            let outsider = person("out@example.org", "Outsider");
            let p = programme_with(&store, &mentor, 3, &mentees).await;
            let mut tx = store.write().await.unwrap();
            tx.insert_person(&outsider).await.unwrap();
            tx.set_max_mentees(mentor.id, Some(4)).await.unwrap();
            tx.set_paused_until(mentor.id, Some(99)).await.unwrap();
            let r = request(p, mentees[0].id, mentor.id);
            tx.insert_request(&r).await.unwrap();
            tx.commit().await.unwrap();
            accept(&store, &r).await.unwrap();

            let mut tx = store.read().await.unwrap();
            let people = tx.people_enrolled_in(p).await.unwrap();
            assert_eq!(
                people.len(),
                4,
                "the mentor and three mentees, not the outsider"
            );
            assert!(!people.contains_key(&outsider.id));
            let limits = tx.mentor_limits_in(p).await.unwrap();
            assert_eq!(limits.len(), 4);
            for id in people.keys() {
                assert_eq!(
                    Some(&tx.person(*id).await.unwrap().unwrap()),
                    people.get(id)
                );
                assert_eq!(tx.mentor_limits(*id).await.unwrap(), limits[id]);
            }
            assert_eq!(limits[&mentor.id], (Some(4), Some(99), 1));
        })
        .await;
    }

    #[tokio::test]
    async fn a_personal_maximum_caps_load_across_programmes() {
        each_db(|store| async move {
            let mentor = person("cap@example.org", "Capped Mentor");
            let a = person("a@example.org", "A");
            let b = person("b@example.org", "B");
            let p1 = programme_with(&store, &mentor, 5, std::slice::from_ref(&a)).await;
            let p2 = programme_with(&store, &mentor, 5, std::slice::from_ref(&b)).await;
            let mut tx = store.write().await.unwrap();
            tx.set_max_mentees(mentor.id, Some(1)).await.unwrap();
            tx.commit().await.unwrap();
            let (r1, r2) = (request(p1, a.id, mentor.id), request(p2, b.id, mentor.id));
            let mut tx = store.write().await.unwrap();
            tx.insert_request(&r1).await.unwrap();
            tx.insert_request(&r2).await.unwrap();
            tx.commit().await.unwrap();
            accept(&store, &r1).await.unwrap();
            let err = accept(&store, &r2).await.unwrap_err();
            assert!(matches!(&err, StoreError::Conflict { constraint } if constraint == "mentor_personal_maximum"), "{err:?}");
        })
        .await;
    }
    /// Ending or completing a room frees the mentor's seat at once: with a
    /// capacity of one, a second room is refused while the first is open and
    /// taken once it ended (and again once the next one completed). The
    /// history keeps every move, and a completion proposal is recorded once.
    #[tokio::test]
    async fn a_freed_seat_can_be_taken_again_and_history_keeps_every_move() {
        use rapport_domain::mentoring::{EndReason, RoomEventKind};
        each_db(|store| async move {
            let mentor = person("seat-mentor@example.org", "Mentor");
            let mentees = numbered_mentees("seat", 3);
            let programme = programme_with(&store, &mentor, 1, &mentees).await;
            let room_with = |mentee: PersonId| NewRoom {
                round_id: None,
                id: RoomId::new(),
                programme_id: programme,
                status: RoomStatus::Active,
                origin: rapport_domain::mentoring::RoomOrigin::Request,
                members: vec![
                    (mentor.id, ProgrammeRole::Mentor, MemberState::Accepted),
                    (mentee, ProgrammeRole::Mentee, MemberState::Accepted),
                ],
            };
            let first = room_with(mentees[0].id);
            let mut tx = store.write().await.unwrap();
            tx.insert_room(&first, 10).await.unwrap();
            tx.commit().await.unwrap();

            let mut tx = store.write().await.unwrap();
            let err = tx.insert_room(&room_with(mentees[1].id), 11).await.unwrap_err();
            assert!(
                matches!(&err, StoreError::Conflict { constraint } if constraint == "mentor_capacity"),
                "{err:?}"
            );
            drop(tx);

            let mut tx = store.write().await.unwrap();
            assert!(tx.propose_completion(first.id, mentees[0].id, 12).await.unwrap());
            assert!(
                !tx.propose_completion(first.id, mentor.id, 12).await.unwrap(),
                "one proposal at a time"
            );
            assert!(tx
                .end_room(first.id, RoomStatus::EndedEarly, Some((EndReason::Time, Some("busy"))), 13)
                .await
                .unwrap());
            tx.insert_room_event(first.id, Some(mentor.id), RoomEventKind::End, Some(RoomStatus::Active), RoomStatus::EndedEarly, Some(EndReason::Time), Some("busy"), 13)
                .await
                .unwrap();
            assert_eq!(tx.mentor_load(programme, mentor.id).await.unwrap(), 0);
            let second = room_with(mentees[1].id);
            tx.insert_room(&second, 14).await.unwrap();
            tx.commit().await.unwrap();

            let mut tx = store.write().await.unwrap();
            assert!(tx.set_room_status(second.id, RoomStatus::Completed, 15).await.unwrap());
            tx.insert_room(&room_with(mentees[2].id), 16).await.unwrap();
            tx.commit().await.unwrap();

            let mut tx = store.read().await.unwrap();
            let ended = tx.room(first.id).await.unwrap().unwrap();
            assert_eq!(
                (ended.status, ended.end_reason, ended.end_note.as_deref(), ended.ended_at),
                (RoomStatus::EndedEarly, Some(EndReason::Time), Some("busy"), Some(13))
            );
            assert_eq!(ended.completion_proposed_by, Some(mentees[0].id));
            let history = tx.room_events_page(first.id, Start::Offset(0), 10).await.unwrap();
            let moves: Vec<_> = history.items.iter().map(|e| (e.action, e.from, e.to)).collect();
            // Newest first; the proposal and the activation share a millisecond.
            assert_eq!(moves[0], (RoomEventKind::End, Some(RoomStatus::Active), RoomStatus::EndedEarly));
            assert!(moves.contains(&(RoomEventKind::Activate, Some(RoomStatus::Proposed), RoomStatus::Active)));
            assert!(moves.contains(&(RoomEventKind::Propose, None, RoomStatus::Proposed)));
            assert_eq!(history.items.len(), 3);
            assert_eq!(history.items[0].actor_name.as_deref(), Some("Mentor"));
            assert_eq!(history.items[0].reason, Some(EndReason::Time));
            let page = tx.rooms_page(programme, Start::Offset(0), 2).await.unwrap();
            assert_eq!(page.items.len(), 2);
            assert!(page.next.is_some());
            let rest = tx
                .rooms_page(programme, Start::Cursor(page.next.unwrap()), 2)
                .await
                .unwrap();
            assert_eq!(rest.items.iter().map(|r| r.id).collect::<Vec<_>>(), [first.id]);
            assert_eq!(
                tx.room_ids_in(programme, &[RoomStatus::Active]).await.unwrap().len(),
                1
            );
            let none = tx.session_summary(first.id, 0).await.unwrap();
            assert_eq!(none, SessionSummary::default());
        })
        .await;
    }
}

/// Audit rows written before 0004 held free text and JSON scalars; the
/// migration keeps what they said, as objects the store can read.
#[tokio::test]
async fn migration_0004_turns_old_audit_states_into_objects() {
    use sqlx::migrate::Migrator;
    let before_0004 = |m: &Migrator| {
        Migrator::with_migrations(
            m.migrations
                .iter()
                .filter(|x| x.version < 4)
                .cloned()
                .collect(),
        )
    };
    let legacy = [
        (
            uuid::Uuid::from_u128(1),
            Some("Spring cohort"),
            Some("{\"name\":\"Spring\"}"),
        ),
        (uuid::Uuid::from_u128(2), Some("\"draft\""), Some("42")),
        (uuid::Uuid::from_u128(3), None, None),
    ];
    const INSERT: &str = "INSERT INTO audit_events (id, actor_id, actor_name, action, subject, before_json, after_json, created_at) VALUES ($1, NULL, 'System', 'old', 's', $2, $3, $4)";
    for kind in test_database_kinds() {
        let _dir;
        let url = if kind == "sqlite" {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
            _dir = Some(dir);
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            before_0004(&sqlx::migrate!("./migrations/sqlite"))
                .run(&pool)
                .await
                .unwrap();
            for (i, (id, before, after)) in legacy.iter().enumerate() {
                sqlx::query(INSERT)
                    .bind(id)
                    .bind(before)
                    .bind(after)
                    .bind(i as i64)
                    .execute(&pool)
                    .await
                    .unwrap();
            }
            pool.close().await;
            url
        } else {
            _dir = None;
            let base = std::env::var("RAPPORT_TEST_DATABASE_URL").unwrap();
            let name = format!("rapport_test_{}", uuid::Uuid::new_v4().simple());
            let admin = sqlx::PgPool::connect(&base).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&admin)
                .await
                .unwrap();
            admin.close().await;
            let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            before_0004(&sqlx::migrate!("./migrations/postgres"))
                .run(&pool)
                .await
                .unwrap();
            for (i, (id, before, after)) in legacy.iter().enumerate() {
                sqlx::query(INSERT)
                    .bind(id)
                    .bind(before)
                    .bind(after)
                    .bind(i as i64)
                    .execute(&pool)
                    .await
                    .unwrap();
            }
            pool.close().await;
            url
        };
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let mut tx = store.read().await.unwrap();
        let mut events = tx.audit_page(Start::Offset(0), 10).await.unwrap().items;
        events.sort_by_key(|e| e.id);
        let states: Vec<_> = events
            .iter()
            .map(|e| (e.before_json.clone(), e.after_json.clone()))
            .collect();
        assert_eq!(
            states,
            vec![
                (
                    Some(serde_json::json!({"value": "Spring cohort"})),
                    Some(serde_json::json!({"name": "Spring"}))
                ),
                (
                    Some(serde_json::json!({"value": "draft"})),
                    Some(serde_json::json!({"value": 42}))
                ),
                (None, None),
            ],
            "{kind}"
        );
        drop(tx);
        store.close().await;
    }
}

mod moves {
    use super::*;
    use rapport_domain::mentoring::{EnrolmentStatus, MemberState, RoomStatus};
    use rapport_domain::RoomId;

    /// The conditional updates take their allowed "from" states from the
    /// domain's state machines: a closed room never reopens, and a withdrawn
    /// enrolment cannot be declined, whatever the caller asks.
    #[tokio::test]
    async fn rooms_and_enrolments_move_only_as_the_domain_allows() {
        each_db(|store| async move {
            let mentor = person("mentor@example.org", "Mentor");
            let mentee = person("mentee@example.org", "Mentee");
            let programme = ProgrammeRecord::new(
                Slug::parse("slug", "moves").unwrap(),
                "Moves",
                ProgrammeKind::OneToOne,
                ProgrammeStatus::Open,
                0,
            );
            let mut tx = store.write().await.unwrap();
            tx.insert_programme(&programme).await.unwrap();
            tx.insert_person(&mentor).await.unwrap();
            tx.insert_person(&mentee).await.unwrap();
            tx.insert_enrolment(&EnrolmentRecord {
                id: rapport_domain::EnrolmentId::new(),
                programme_id: programme.id,
                person_id: mentor.id,
                role: ProgrammeRole::Mentor,
                status: EnrolmentStatus::Approved,
                capacity: 1,
                answers: Default::default(),
                preferences: Default::default(),
                consent_sensitive: false,
                created_at: 0,
                conduct_accepted_at: None,
                decided_at: None,
            })
            .await
            .unwrap();
            let room = NewRoom {
                round_id: None,
                id: RoomId::new(),
                programme_id: programme.id,
                status: RoomStatus::Proposed,
                origin: rapport_domain::mentoring::RoomOrigin::Round,
                members: vec![
                    (mentor.id, ProgrammeRole::Mentor, MemberState::Invited),
                    (mentee.id, ProgrammeRole::Mentee, MemberState::Invited),
                ],
            };
            tx.insert_room(&room, 1).await.unwrap();
            assert!(
                !tx.set_room_status(room.id, RoomStatus::Completed, 2)
                    .await
                    .unwrap(),
                "a proposed room cannot complete"
            );
            assert!(
                !tx.set_room_status(room.id, RoomStatus::Paused, 2)
                    .await
                    .unwrap(),
                "a proposed room cannot pause"
            );
            assert!(tx
                .set_room_status(room.id, RoomStatus::Active, 2)
                .await
                .unwrap());
            assert!(tx
                .set_room_status(room.id, RoomStatus::Completed, 3)
                .await
                .unwrap());
            assert!(
                !tx.set_room_status(room.id, RoomStatus::Active, 4)
                    .await
                    .unwrap(),
                "a closed room never reopens"
            );
            assert!(!tx
                .end_room(
                    room.id,
                    RoomStatus::EndedEarly,
                    Some((rapport_domain::mentoring::EndReason::Other, Some("late"))),
                    4,
                )
                .await
                .unwrap());
            let stored = tx.room(room.id).await.unwrap().unwrap();
            assert_eq!(
                (stored.status, stored.end_reason),
                (RoomStatus::Completed, None)
            );

            let mut e = EnrolmentRecord {
                id: rapport_domain::EnrolmentId::new(),
                programme_id: programme.id,
                person_id: mentee.id,
                role: ProgrammeRole::Mentee,
                status: EnrolmentStatus::Applied,
                capacity: 0,
                answers: Default::default(),
                preferences: Default::default(),
                consent_sensitive: false,
                created_at: 0,
                conduct_accepted_at: None,
                decided_at: None,
            };
            tx.insert_enrolment(&e).await.unwrap();
            assert!(
                tx.update_enrolment(&e, 1).await.unwrap(),
                "a save that keeps the status"
            );
            e.status = EnrolmentStatus::Withdrawn;
            assert!(tx.update_enrolment(&e, 2).await.unwrap());
            e.status = EnrolmentStatus::Declined;
            assert!(
                !tx.update_enrolment(&e, 3).await.unwrap(),
                "a withdrawn enrolment cannot be declined"
            );
            e.status = EnrolmentStatus::Applied;
            assert!(
                tx.update_enrolment(&e, 4).await.unwrap(),
                "and may apply again"
            );
            let stored = tx.enrolment_by_id(e.id).await.unwrap().unwrap();
            assert_eq!(stored.status, EnrolmentStatus::Applied);
        })
        .await;
    }
}

mod calendars {
    use super::*;
    use rapport_domain::mentoring::{EnrolmentStatus, MemberState, RoomStatus, SessionStatus};
    use rapport_domain::values::TimeZoneName;
    use rapport_domain::{RoomId, SessionId};

    /// Feed tokens are found by their hash and replaced whole; reminders are
    /// owed to accepted members of active rooms for scheduled sessions, and
    /// recorded once per start time; an email keeps its attachment.
    #[tokio::test]
    async fn feeds_reminders_and_attachments() {
        each_db(|store| async move {
            let ana = person("ana@example.org", "Ana");
            let bo = person("bo@example.org", "Bo");
            let programme = ProgrammeRecord::new(
                Slug::parse("slug", "cal").unwrap(),
                "Cal",
                ProgrammeKind::OneToOne,
                ProgrammeStatus::Running,
                0,
            );
            let mut tx = store.write().await.unwrap();
            tx.insert_programme(&programme).await.unwrap();
            tx.insert_person(&ana).await.unwrap();
            tx.insert_person(&bo).await.unwrap();

            // Feeds.
            assert_eq!(tx.calendar_feed_nonce(ana.id).await.unwrap(), None);
            tx.set_calendar_feed(ana.id, "n1", "h1", 1).await.unwrap();
            assert_eq!(tx.calendar_feed_owner("h1").await.unwrap(), Some(ana.id));
            tx.set_calendar_feed(ana.id, "n2", "h2", 2).await.unwrap();
            assert_eq!(tx.calendar_feed_owner("h1").await.unwrap(), None, "reset");
            assert_eq!(tx.calendar_feed_owner("h2").await.unwrap(), Some(ana.id));
            assert_eq!(
                tx.calendar_feed_nonce(ana.id).await.unwrap().as_deref(),
                Some("n2")
            );

            // Reminders.
            tx.insert_enrolment(&EnrolmentRecord {
                id: rapport_domain::EnrolmentId::new(),
                programme_id: programme.id,
                person_id: ana.id,
                role: ProgrammeRole::Mentor,
                status: EnrolmentStatus::Approved,
                capacity: 1,
                answers: Default::default(),
                preferences: Default::default(),
                consent_sensitive: false,
                created_at: 0,
                conduct_accepted_at: None,
                decided_at: None,
            })
            .await
            .unwrap();
            let room = NewRoom {
                round_id: None,
                id: RoomId::new(),
                programme_id: programme.id,
                status: RoomStatus::Active,
                origin: rapport_domain::mentoring::RoomOrigin::Request,
                members: vec![
                    (ana.id, ProgrammeRole::Mentor, MemberState::Accepted),
                    (bo.id, ProgrammeRole::Mentee, MemberState::Accepted),
                ],
            };
            tx.insert_room(&room, 1).await.unwrap();
            let session = |starts_at: i64, status: SessionStatus| SessionRecord {
                id: SessionId::new(),
                room_id: room.id,
                series_id: None,
                organiser_id: Some(ana.id),
                starts_at,
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
                created_at: 0,
                updated_at: 0,
            };
            let soon = session(1_000, SessionStatus::Scheduled);
            let later = session(5_000, SessionStatus::Scheduled);
            let gone = session(1_500, SessionStatus::Cancelled);
            for s in [&soon, &later, &gone] {
                tx.insert_session(s).await.unwrap();
            }
            let due = tx
                .reminders_due(ReminderKind::Hour, 0, 2_000)
                .await
                .unwrap();
            assert_eq!(
                due.iter().map(|d| d.session_id).collect::<Vec<_>>(),
                [soon.id, soon.id],
                "both members, the scheduled session in the window only"
            );
            assert!(tx
                .record_reminder(&due[0], ReminderKind::Hour, 10)
                .await
                .unwrap());
            assert!(
                !tx.record_reminder(&due[0], ReminderKind::Hour, 11)
                    .await
                    .unwrap(),
                "once"
            );
            assert!(
                tx.record_reminder(&due[0], ReminderKind::Day, 11)
                    .await
                    .unwrap(),
                "kinds apart"
            );
            let left = tx
                .reminders_due(ReminderKind::Hour, 0, 2_000)
                .await
                .unwrap();
            assert_eq!(left, [due[1]]);
            tx.move_session_for_tests(soon.id, 1_200, 12).await.unwrap();
            assert_eq!(
                tx.reminders_due(ReminderKind::Hour, 0, 2_000)
                    .await
                    .unwrap()
                    .len(),
                2,
                "a new start time is owed its own reminders"
            );
            tx.set_room_status(room.id, RoomStatus::Paused, 13)
                .await
                .unwrap();
            assert!(
                tx.reminders_due(ReminderKind::Hour, 0, 9_000)
                    .await
                    .unwrap()
                    .is_empty(),
                "none in a paused room"
            );

            // An attachment travels with its message.
            let id = tx
                .queue_email(
                    &NewEmail {
                        person_id: Some(bo.id),
                        to: "bo@example.org".into(),
                        kind: "sessions".into(),
                        subject: "Session".into(),
                        body: "Body".into(),
                        html: Some("<p>Body</p>".into()),
                        unsubscribe_url: None,
                    },
                    100,
                )
                .await
                .unwrap();
            let file = Attachment {
                name: "session-2030-01-15.ics".into(),
                content_type: "text/calendar; method=REQUEST".into(),
                text: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".into(),
            };
            tx.attach_to_email(id, &file).await.unwrap();
            let m = tx.outbox_message(id).await.unwrap().unwrap();
            assert_eq!(m.attachment, Some(file));
            tx.commit().await.unwrap();
        })
        .await;
    }
}

mod notes_messages {
    use super::*;
    use rapport_domain::mentoring::{EnrolmentStatus, MemberState, NoteVisibility, RoomStatus};
    use rapport_domain::{EnrolmentId, MessageId, NoteId, RoomId};

    /// A programme with one mentor and two mentees, each mentee in an
    /// active room with the mentor: (mentor, ann, bob, ann's room, bob's room).
    async fn two_rooms(store: &Store) -> (PersonId, PersonId, PersonId, RoomId, RoomId) {
        let programme = ProgrammeRecord::new(
            Slug::parse("slug", "notes").unwrap(),
            "Notes",
            ProgrammeKind::OneToOne,
            ProgrammeStatus::Open,
            0,
        );
        let people = [
            person("mentor@example.org", "Mia Mentor"),
            person("ann@example.org", "Ann"),
            person("bob@example.org", "Bob"),
        ];
        let mut tx = store.write().await.unwrap();
        tx.insert_programme(&programme).await.unwrap();
        for (i, p) in people.iter().enumerate() {
            tx.insert_person(p).await.unwrap();
            tx.insert_enrolment(&EnrolmentRecord {
                id: EnrolmentId::new(),
                programme_id: programme.id,
                person_id: p.id,
                role: if i == 0 {
                    ProgrammeRole::Mentor
                } else {
                    ProgrammeRole::Mentee
                },
                status: EnrolmentStatus::Approved,
                capacity: if i == 0 { 2 } else { 0 },
                answers: Default::default(),
                preferences: Default::default(),
                consent_sensitive: false,
                created_at: 0,
                conduct_accepted_at: None,
                decided_at: None,
            })
            .await
            .unwrap();
        }
        let mut rooms = vec![];
        for mentee in &people[1..] {
            let room = NewRoom {
                round_id: None,
                id: RoomId::new(),
                programme_id: programme.id,
                status: RoomStatus::Active,
                origin: rapport_domain::mentoring::RoomOrigin::Round,
                members: vec![
                    (people[0].id, ProgrammeRole::Mentor, MemberState::Accepted),
                    (mentee.id, ProgrammeRole::Mentee, MemberState::Accepted),
                ],
            };
            tx.insert_room(&room, 0).await.unwrap();
            rooms.push(room.id);
        }
        tx.commit().await.unwrap();
        (people[0].id, people[1].id, people[2].id, rooms[0], rooms[1])
    }

    fn note(room: RoomId, author: PersonId, body: &str, v: NoteVisibility, at: i64) -> NoteRecord {
        NoteRecord {
            id: NoteId::new(),
            room_id: room,
            author_id: Some(author),
            author_name: None,
            visibility: v,
            body: body.into(),
            copied_from: None,
            created_at: at,
            updated_at: at,
        }
    }

    fn message(room: RoomId, author: PersonId, body: &str, at: i64) -> MessageRecord {
        MessageRecord {
            id: MessageId::new(),
            room_id: room,
            author_id: Some(author),
            author_name: None,
            body: body.into(),
            edited_at: None,
            deleted_at: None,
            created_at: at,
        }
    }

    #[tokio::test]
    async fn note_scopes_copies_and_account_deletion() {
        each_db(|store| async move {
            let (mentor, ann, _bob, room, other_room) = two_rooms(&store).await;
            let mut tx = store.write().await.unwrap();
            let private = note(room, ann, "ann private", NoteVisibility::Private, 10);
            let shared = note(room, ann, "ann shared", NoteVisibility::Room, 20);
            let mentors = note(room, mentor, "mentor private", NoteVisibility::Private, 30);
            for n in [&private, &shared, &mentors] {
                tx.insert_note(n).await.unwrap();
            }
            tx.commit().await.unwrap();

            let mut tx = store.read().await.unwrap();
            let bodies = |p: rapport_store::page::Page<NoteRecord>| {
                p.items.into_iter().map(|n| n.body).collect::<Vec<_>>()
            };
            let seen = tx
                .notes_page(room, NoteScope::OwnAndShared(ann), Start::Offset(0), 10)
                .await
                .unwrap();
            assert_eq!(bodies(seen), ["ann shared", "ann private"]);
            let seen = tx
                .notes_page(room, NoteScope::OwnAndShared(mentor), Start::Offset(0), 10)
                .await
                .unwrap();
            assert_eq!(bodies(seen), ["mentor private", "ann shared"]);
            let seen = tx
                .notes_page(room, NoteScope::Shared, Start::Offset(0), 10)
                .await
                .unwrap();
            assert_eq!(bodies(seen), ["ann shared"]);
            let seen = tx
                .notes_page(room, NoteScope::Own(ann), Start::Offset(0), 1)
                .await
                .unwrap();
            let next = seen.next.expect("a second page");
            assert_eq!(bodies(seen), ["ann shared"]);
            let seen = tx
                .notes_page(room, NoteScope::Own(ann), Start::Cursor(next), 1)
                .await
                .unwrap();
            assert_eq!(bodies(seen), ["ann private"]);
            let got = tx.note(shared.id).await.unwrap().unwrap();
            assert_eq!(got.author_name.as_deref(), Some("Ann"));
            drop(tx);

            // A copy carries body, author and visibility into the new room,
            // remembering its source.
            let mut tx = store.write().await.unwrap();
            let copy = tx.copy_note(&private, other_room, 99).await.unwrap();
            tx.commit().await.unwrap();
            let mut tx = store.read().await.unwrap();
            let c = tx.note(copy).await.unwrap().unwrap();
            assert_eq!(
                (
                    c.room_id,
                    c.author_id,
                    c.visibility,
                    c.body.as_str(),
                    c.copied_from,
                    c.created_at
                ),
                (
                    other_room,
                    Some(ann),
                    NoteVisibility::Private,
                    "ann private",
                    Some(private.id),
                    99
                )
            );
            assert_eq!(tx.notes_by(ann).await.unwrap().len(), 3);
            drop(tx);

            // A private note cannot outlive its author: deleting the person
            // first fails the database rule...
            let mut tx = store.write().await.unwrap();
            assert!(tx.delete_person(ann).await.is_err());
            drop(tx);
            // ... and deleting their private notes first lets the shared one
            // stay, authorless.
            let mut tx = store.write().await.unwrap();
            assert_eq!(tx.delete_private_notes_of(ann).await.unwrap(), 2);
            assert!(tx.delete_person(ann).await.unwrap());
            tx.commit().await.unwrap();
            let mut tx = store.read().await.unwrap();
            let left = tx
                .notes_page(room, NoteScope::OwnAndShared(mentor), Start::Offset(0), 10)
                .await
                .unwrap();
            let left: Vec<_> = left
                .items
                .iter()
                .map(|n| (n.body.as_str(), n.author_id, n.author_name.clone()))
                .collect();
            assert_eq!(
                left,
                [
                    (
                        "mentor private",
                        Some(mentor),
                        Some("Mia Mentor".to_string())
                    ),
                    ("ann shared", None, None)
                ]
            );
            assert!(tx.note(copy).await.unwrap().is_none());
        })
        .await;
    }

    #[tokio::test]
    async fn threads_read_positions_and_one_pending_digest() {
        each_db(|store| async move {
            let (mentor, ann, bob, room, other_room) = two_rooms(&store).await;
            let mut tx = store.write().await.unwrap();
            let first = message(room, ann, "one", 10);
            let second = message(room, ann, "two", 20);
            for m in [
                &first,
                &second,
                &message(room, mentor, "reply", 30),
                &message(other_room, bob, "bob", 40),
            ] {
                tx.insert_message(m).await.unwrap();
            }
            tx.commit().await.unwrap();

            let mut tx = store.write().await.unwrap();
            let mut counts = tx.unread_counts(mentor).await.unwrap();
            counts.sort();
            let mut want = vec![(room, 2), (other_room, 1)];
            want.sort();
            assert_eq!(counts, want);
            assert_eq!(tx.unread_counts(ann).await.unwrap(), [(room, 1)]);
            // With the unread notifications, in one read: none yet.
            let counts = tx.viewer_counts(mentor).await.unwrap();
            let mut rooms = counts.unread.clone();
            rooms.sort();
            assert_eq!((rooms, counts.unread_notifications), (want.clone(), 0));
            assert!(!counts.took_needs_check && !counts.reflection_prompted);
            assert!(counts.in_rooms && !counts.open_requests);
            // The same counts with a session of the mentor's, in one statement.
            let session = LoginSessionRecord {
                id: LoginSessionId::new(),
                person_id: mentor,
                created_at: 0,
                last_seen_at: 0,
                expires_at: 1_000,
                user_agent: "test".into(),
                ip: "127.0.0.1".into(),
            };
            tx.insert_login_session(&session, "mentor").await.unwrap();
            let (viewer, mut with) = tx.session_viewer("mentor", 50).await.unwrap().unwrap();
            with.unread.sort();
            assert_eq!(viewer.person.id, mentor);
            assert_eq!((with.unread, with.unread_notifications), (want.clone(), 0));
            assert!(with.in_rooms && !with.open_requests);
            // Reading moves forward only.
            tx.mark_read(room, mentor, 10).await.unwrap();
            tx.mark_read(room, mentor, 5).await.unwrap();
            assert_eq!(tx.read_position(room, mentor).await.unwrap(), Some(10));
            let unread: Vec<_> = tx
                .unread_messages(room, mentor)
                .await
                .unwrap()
                .into_iter()
                .map(|m| m.body)
                .collect();
            assert_eq!(unread, ["two"]);
            // Deleted: no body, no longer unread; not editable again.
            assert!(tx.delete_message(second.id, 50).await.unwrap());
            assert!(!tx.delete_message(second.id, 51).await.unwrap());
            assert!(!tx.edit_message(second.id, "back", 52).await.unwrap());
            assert!(tx.edit_message(first.id, "one!", 53).await.unwrap());
            assert!(tx.unread_messages(room, mentor).await.unwrap().is_empty());
            let gone = tx.message(second.id).await.unwrap().unwrap();
            assert_eq!((gone.body.as_str(), gone.deleted_at), ("", Some(50)));
            // The thread, newest first, keeps the deleted message's place.
            let page = tx.messages_page(room, Start::Offset(0), 2).await.unwrap();
            let bodies: Vec<_> = page.items.iter().map(|m| m.body.as_str()).collect();
            assert_eq!(bodies, ["reply", ""]);
            let older = tx
                .messages_page(room, Start::Cursor(page.next.unwrap()), 2)
                .await
                .unwrap();
            assert_eq!(older.items[0].edited_at, Some(53));
            // One pending digest per recipient per room.
            assert!(tx.schedule_digest(room, mentor, 100).await.unwrap());
            assert!(!tx.schedule_digest(room, mentor, 200).await.unwrap());
            assert!(tx.schedule_digest(other_room, mentor, 200).await.unwrap());
            assert!(tx.take_digest(room, mentor).await.unwrap());
            assert!(!tx.take_digest(room, mentor).await.unwrap());
            assert!(tx.schedule_digest(room, mentor, 300).await.unwrap());
            // The export reads the rooms a person is in: both sides' messages.
            assert_eq!(tx.messages_of_member(bob).await.unwrap().len(), 1);
            assert_eq!(tx.messages_of_member(mentor).await.unwrap().len(), 4);
            // A deleted author's messages stay, authorless.
            assert!(tx.delete_person(ann).await.unwrap());
            let kept = tx.message(first.id).await.unwrap().unwrap();
            assert_eq!((kept.author_id, kept.author_name), (None, None));
            tx.commit().await.unwrap();
        })
        .await;
    }
}
