//! Issue 17, sections 2 and 3: a room's agreement (versions, confirmations,
//! the terms health reads), goals, milestones, progress and its chart, and
//! comments, over the API and the pages, on every database.

use axum::body::Body;
use axum::http::header;
use rapport_domain::mentoring::{EnrolmentStatus, MemberState, RoomOrigin, RoomStatus};
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole, ProgrammeStatus};
use rapport_domain::values::Slug;
use rapport_domain::{EnrolmentId, GoalId, PersonId, ProgrammeId, RoomId};
use rapport_store::{EnrolmentRecord, NewRoom, ProgrammeRecord};
use rapport_web::testing::{test_database_kinds, Person, TestApp};
use serde_json::json;

/// A running programme of `kind` with an active room of `members`
/// (`(email, name, role)`), and a manager of the programme.
struct Room {
    id: RoomId,
    members: Vec<Person>,
    manager: Person,
    outsider: Person,
}

async fn room(t: &TestApp, kind: ProgrammeKind, members: &[(&str, &str, ProgrammeRole)]) -> Room {
    let slug = format!("p-{}", uuid::Uuid::new_v4().simple());
    let programme = ProgrammeRecord::new(
        Slug::parse("slug", &slug).unwrap(),
        "Pathways",
        kind,
        ProgrammeStatus::Running,
        0,
    );
    let mut people = vec![];
    for (email, name, _) in members {
        people.push(t.member(email, name).await);
    }
    let mut tx = t.store().write().await.unwrap();
    tx.insert_programme(&programme).await.unwrap();
    for (p, (_, _, role)) in people.iter().zip(members) {
        if *role == ProgrammeRole::Mentor {
            tx.insert_enrolment(&mentor_enrolment(programme.id, p.id))
                .await
                .unwrap();
        }
    }
    let new = NewRoom {
        id: RoomId::new(),
        programme_id: programme.id,
        status: RoomStatus::Active,
        origin: RoomOrigin::Request,
        members: people
            .iter()
            .zip(members)
            .map(|(p, (_, _, role))| (p.id, *role, MemberState::Accepted))
            .collect(),
        round_id: None,
    };
    tx.insert_room(&new, t.app.now()).await.unwrap();
    tx.commit().await.unwrap();
    let manager = t
        .manager_of(&slug, &format!("manager-{slug}@example.org"), "Mo Manager")
        .await;
    let outsider = t
        .member(&format!("outsider-{slug}@example.org"), "Otto Outsider")
        .await;
    Room {
        id: new.id,
        members: people,
        manager,
        outsider,
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

async fn pair(t: &TestApp) -> Room {
    room(
        t,
        ProgrammeKind::OneToOne,
        &[
            ("mira@example.org", "Mira Mentor", ProgrammeRole::Mentor),
            ("tom@example.org", "Tom Mentee", ProgrammeRole::Mentee),
        ],
    )
    .await
}

async fn end(t: &TestApp, id: RoomId) {
    let mut tx = t.store().write().await.unwrap();
    assert!(tx
        .end_room(
            id,
            RoomStatus::EndedEarly,
            Some((rapport_domain::mentoring::EndReason::Fit, None)),
            t.app.now()
        )
        .await
        .unwrap());
    tx.commit().await.unwrap();
}

fn agreement(months: i64, cadence: &str) -> serde_json::Value {
    json!({
        "duration_months": months,
        "cadence": cadence,
        "format": "video",
        "mentee_wants": "Find my **voice** in meetings.",
        "expectations": "Tom prepares; Mira listens.",
        "confidentiality": "What we say stays here.",
        "ending": "A last session to look back."
    })
}

#[tokio::test]
async fn members_write_confirm_and_revise_the_agreement_and_managers_read_it() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let r = pair(&t).await;
        let (mira, tom) = (&r.members[0], &r.members[1]);
        let base = format!("/api/v1/rooms/{}/agreement", r.id);

        // Before an agreement: the programme's cadence (every two weeks).
        let a = t.get(&base, tom.auth()).await.expect(200);
        assert_eq!(a.json["current"], serde_json::Value::Null);
        assert_eq!(a.json["terms"]["interval_days"], 14);
        assert_eq!(a.json["terms"]["from_agreement"], false);
        t.call(
            "POST",
            &format!("{base}/confirm"),
            tom.auth(),
            Some(json!({})),
        )
        .await
        .expect_error(409, "conflict");

        // Bad input names every field at fault, and nothing is stored.
        let bad = t
            .call(
                "PUT",
                &base,
                tom.auth(),
                Some(
                    json!({"duration_months": 5, "cadence": "daily", "format": "fax",
                    "mentee_wants": "<script>alert(1)</script>"}),
                ),
            )
            .await
            .expect_error(422, "invalid_field");
        let mut fields = bad.fields();
        fields.sort();
        assert_eq!(
            fields,
            ["cadence", "duration_months", "format", "mentee_wants"]
        );
        let both = t
            .call(
                "PUT",
                &base,
                tom.auth(),
                Some(json!({"duration_months": 6, "end_date": "2027-01-01", "cadence": "weekly", "format": "video"})),
            )
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(both.error_field(), "end_date");
        let a = t.get(&base, tom.auth()).await.expect(200);
        assert_eq!(a.json["current"], serde_json::Value::Null);

        // Tom writes it; both confirm.
        let v1 = t
            .call("PUT", &base, tom.auth(), Some(agreement(6, "monthly")))
            .await
            .expect(200);
        assert_eq!(v1.json["version"], 1);
        assert_eq!(v1.json["changed_by_name"], "Tom Mentee");
        let a = t.get(&base, mira.auth()).await.expect(200);
        assert_eq!(a.json["waiting_for"].as_array().unwrap().len(), 2);
        assert_eq!(a.json["terms"]["interval_days"], 30);
        assert_eq!(a.json["terms"]["from_agreement"], true);
        // Six months of monthly meetings: about six sessions.
        let expected = a.json["terms"]["expected_sessions"].as_i64().unwrap();
        assert!((5..=6).contains(&expected), "{expected}");
        t.call(
            "POST",
            &format!("{base}/confirm"),
            mira.auth(),
            Some(json!({"version": 1})),
        )
        .await
        .expect(200);
        let a = t
            .call(
                "POST",
                &format!("{base}/confirm"),
                tom.auth(),
                Some(json!({})),
            )
            .await
            .expect(200);
        assert_eq!(a.json["confirmed_by"].as_array().unwrap().len(), 2);
        assert!(a.json["waiting_for"].as_array().unwrap().is_empty());
        // Confirming twice is harmless.
        t.call(
            "POST",
            &format!("{base}/confirm"),
            tom.auth(),
            Some(json!({})),
        )
        .await
        .expect(200);

        // Mira revises it: a new version, and everyone confirms again.
        let v2 = t
            .call(
                "PUT",
                &base,
                mira.auth(),
                Some(json!({"end_date": "2027-12-31", "cadence": "weekly", "format": "mixed"})),
            )
            .await
            .expect(200);
        assert_eq!(v2.json["version"], 2);
        assert_eq!(v2.json["end_date"], "2027-12-31");
        assert_eq!(v2.json["duration_months"], serde_json::Value::Null);
        let a = t.get(&base, r.manager.auth()).await.expect(200);
        assert!(a.json["confirmed_by"].as_array().unwrap().is_empty());
        assert_eq!(a.json["waiting_for"].as_array().unwrap().len(), 2);
        assert_eq!(a.json["terms"]["interval_days"], 7);
        let stale = t
            .call(
                "POST",
                &format!("{base}/confirm"),
                tom.auth(),
                Some(json!({"version": 1})),
            )
            .await
            .expect_error(409, "conflict");
        assert_eq!(stale.error_field(), "version");

        // The versions, newest first, with who changed them; paged by cursor.
        let versions = t
            .get(&format!("{base}/versions"), r.manager.auth())
            .await
            .expect(200);
        let list = versions.json["versions"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0]["version"], 2);
        assert_eq!(list[0]["changed_by_name"], "Mira Mentor");
        assert_eq!(list[1]["version"], 1);
        assert_eq!(list[1]["mentee_wants"], "Find my **voice** in meetings.");
        let first = t
            .get(&format!("{base}/versions?limit=1"), tom.auth())
            .await
            .expect(200);
        let link = first.headers[header::LINK].to_str().unwrap().to_string();
        assert!(link.contains("rel=\"next\""), "{link}");
        let next = link
            .split(['<', '>'])
            .nth(1)
            .unwrap()
            .trim_start_matches("http://rapport.test");
        let second = t.get(next, tom.auth()).await.expect(200);
        assert_eq!(second.json["versions"][0]["version"], 1);
        t.get(&format!("{base}/versions?limit=101"), tom.auth())
            .await
            .expect_error(422, "invalid_field");

        // Managers read but do not write; outsiders see nothing.
        t.call("PUT", &base, r.manager.auth(), Some(agreement(3, "weekly")))
            .await
            .expect_error(403, "forbidden");
        t.call(
            "POST",
            &format!("{base}/confirm"),
            r.manager.auth(),
            Some(json!({})),
        )
        .await
        .expect_error(403, "forbidden");
        t.get(&base, r.outsider.auth())
            .await
            .expect_error(404, "not_found");
        t.get(&format!("{base}/versions"), r.outsider.auth())
            .await
            .expect_error(404, "not_found");

        // An ended room is read-only: 409 naming its state.
        end(&t, r.id).await;
        let e = t
            .call("PUT", &base, tom.auth(), Some(agreement(3, "weekly")))
            .await
            .expect_error(409, "conflict");
        assert!(e.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ended early"));
        t.call(
            "POST",
            &format!("{base}/confirm"),
            tom.auth(),
            Some(json!({})),
        )
        .await
        .expect_error(409, "conflict");
        t.get(&base, tom.auth()).await.expect(200);
        t.finish().await;
    }
}

#[tokio::test]
async fn goals_milestones_progress_and_comments_follow_ownership() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let r = pair(&t).await;
        let (mira, tom) = (&r.members[0], &r.members[1]);
        let goals = format!("/api/v1/rooms/{}/goals", r.id);

        // Bad input names the field; nothing is written.
        for (body, field) in [
            (json!({"title": " "}), "title"),
            (
                json!({"title": "Speak up", "target_date": "31/12/2027"}),
                "target_date",
            ),
            (
                json!({"title": "Speak up", "description": "<script>alert(1)</script>"}),
                "description",
            ),
            (
                json!({"title": "Speak up", "success_criteria": "[x](javascript:alert(1))"}),
                "success_criteria",
            ),
            (json!({"title": "Speak up", "shared": true}), "shared"),
        ] {
            let e = t
                .call("POST", &goals, tom.auth(), Some(body))
                .await
                .expect_error(422, "invalid_field");
            assert_eq!(e.error_field(), field);
        }
        let list = t.get(&goals, tom.auth()).await.expect(200);
        assert!(list.json["goals"].as_array().unwrap().is_empty());
        // A mentor comments on goals; they do not own them.
        t.call("POST", &goals, mira.auth(), Some(json!({"title": "Mine"})))
            .await
            .expect_error(403, "forbidden");
        t.call(
            "POST",
            &goals,
            r.manager.auth(),
            Some(json!({"title": "Mine"})),
        )
        .await
        .expect_error(403, "forbidden");
        t.call(
            "POST",
            &goals,
            r.outsider.auth(),
            Some(json!({"title": "Mine"})),
        )
        .await
        .expect_error(404, "not_found");

        let g = t
            .call(
                "POST",
                &goals,
                tom.auth(),
                Some(json!({"title": "Speak up in meetings", "description": "Once a *week*.", "target_date": "2027-06-30"})),
            )
            .await
            .expect(201);
        assert_eq!(g.json["owner_name"], "Tom Mentee");
        assert_eq!(g.json["progress"], 0);
        assert_eq!(g.json["status"], "open");
        let gid = g.json["id"].as_str().unwrap().to_string();
        let goal = format!("/api/v1/goals/{gid}");
        let mut tx = t.store().read().await.unwrap();
        let stored = tx.room(r.id).await.unwrap().unwrap();
        assert!(stored.activity.first_goal_at.is_some());
        drop(tx);

        // The owner sets progress while there are no milestones.
        let p = t
            .call("PUT", &goal, tom.auth(), Some(json!({"progress": 40})))
            .await
            .expect(200);
        assert_eq!(p.json["progress"], 40);
        for (body, field) in [
            (json!({"progress": 101}), "progress"),
            (json!({"progress": -1}), "progress"),
            (json!({"status": "finished"}), "status"),
            (json!({"target_date": "2027-13-01"}), "target_date"),
        ] {
            let e = t
                .call("PUT", &goal, tom.auth(), Some(body))
                .await
                .expect_error(422, "invalid_field");
            assert_eq!(e.error_field(), field);
        }
        // Only the owner changes it.
        t.call("PUT", &goal, mira.auth(), Some(json!({"progress": 90})))
            .await
            .expect_error(403, "forbidden");
        t.call(
            "PUT",
            &goal,
            r.manager.auth(),
            Some(json!({"progress": 90})),
        )
        .await
        .expect_error(403, "forbidden");
        t.call(
            "PUT",
            &goal,
            r.outsider.auth(),
            Some(json!({"progress": 90})),
        )
        .await
        .expect_error(404, "not_found");

        // Milestones: someone else's goal is 403 (404 to outsiders).
        let ms = format!("{goal}/milestones");
        t.call(
            "POST",
            &ms,
            mira.auth(),
            Some(json!({"title": "Ask a question"})),
        )
        .await
        .expect_error(403, "forbidden");
        t.call(
            "POST",
            &ms,
            r.outsider.auth(),
            Some(json!({"title": "Ask a question"})),
        )
        .await
        .expect_error(404, "not_found");
        let e = t
            .call(
                "POST",
                &ms,
                tom.auth(),
                Some(json!({"title": "Ask", "due_date": "tomorrow"})),
            )
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(e.error_field(), "due_date");
        let a = t
            .call(
                "POST",
                &ms,
                tom.auth(),
                Some(json!({"title": "Ask a question", "due_date": "2027-01-15"})),
            )
            .await
            .expect(201);
        t.call(
            "POST",
            &ms,
            tom.auth(),
            Some(json!({"title": "Present a slide"})),
        )
        .await
        .expect(201);
        let mid = a.json["id"].as_str().unwrap().to_string();
        let milestone = format!("/api/v1/milestones/{mid}");
        t.call("PUT", &milestone, mira.auth(), Some(json!({"done": true})))
            .await
            .expect_error(403, "forbidden");
        let done = t
            .call("PUT", &milestone, tom.auth(), Some(json!({"done": true})))
            .await
            .expect(200);
        assert_eq!(done.json["done"], true);
        let list = t.get(&goals, r.manager.auth()).await.expect(200);
        let listed = &list.json["goals"][0];
        assert_eq!(listed["progress"], 50, "{listed}");
        assert_eq!(listed["milestones"].as_array().unwrap().len(), 2);
        // With milestones, progress follows them.
        let e = t
            .call("PUT", &goal, tom.auth(), Some(json!({"progress": 70})))
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(e.error_field(), "progress");
        let s = t
            .call(
                "PUT",
                &goal,
                tom.auth(),
                Some(json!({"status": "achieved", "title": "Speak up, often"})),
            )
            .await
            .expect(200);
        assert_eq!(s.json["status"], "achieved");
        assert_eq!(s.json["progress"], 50);

        // Every change of progress is an event: 0, 40, 0 (a first milestone),
        // 50 (one of two done).
        let mut tx = t.store().read().await.unwrap();
        let id: GoalId = gid.parse().unwrap();
        let events: Vec<u8> = tx
            .progress_events(id)
            .await
            .unwrap()
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        assert_eq!(events, [0, 40, 0, 50]);
        drop(tx);

        // Comments: the owner and the mentor; managers read them.
        let comments = format!("{goal}/comments");
        t.call(
            "POST",
            &comments,
            mira.auth(),
            Some(json!({"body": "Proud of you."})),
        )
        .await
        .expect(201);
        t.call(
            "POST",
            &comments,
            tom.auth(),
            Some(json!({"body": "Thanks!"})),
        )
        .await
        .expect(201);
        t.call(
            "POST",
            &comments,
            r.manager.auth(),
            Some(json!({"body": "Hi"})),
        )
        .await
        .expect_error(403, "forbidden");
        t.call(
            "POST",
            &comments,
            r.outsider.auth(),
            Some(json!({"body": "Hi"})),
        )
        .await
        .expect_error(404, "not_found");
        let e = t
            .call(
                "POST",
                &comments,
                tom.auth(),
                Some(json!({"body": "<img src=x onerror=alert(1)>"})),
            )
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(e.error_field(), "body");
        let c = t.get(&comments, r.manager.auth()).await.expect(200);
        let c = c.json["comments"].as_array().unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0]["author_name"], "Tom Mentee");
        t.get(&comments, r.outsider.auth())
            .await
            .expect_error(404, "not_found");

        // An ended room keeps its goals readable and fixed.
        end(&t, r.id).await;
        t.call(
            "POST",
            &goals,
            tom.auth(),
            Some(json!({"title": "Another"})),
        )
        .await
        .expect_error(409, "conflict");
        t.call("PUT", &goal, tom.auth(), Some(json!({"status": "open"})))
            .await
            .expect_error(409, "conflict");
        t.call("POST", &ms, tom.auth(), Some(json!({"title": "Later"})))
            .await
            .expect_error(409, "conflict");
        t.call("PUT", &milestone, tom.auth(), Some(json!({"done": false})))
            .await
            .expect_error(409, "conflict");
        t.call("POST", &comments, mira.auth(), Some(json!({"body": "Bye"})))
            .await
            .expect_error(409, "conflict");
        t.get(&goals, tom.auth()).await.expect(200);
        t.finish().await;
    }
}

#[tokio::test]
async fn group_rooms_share_goals_and_peers_comment_on_each_other() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let g = room(
            &t,
            ProgrammeKind::Group,
            &[
                ("gail@example.org", "Gail Mentor", ProgrammeRole::Mentor),
                ("ann@example.org", "Ann Mentee", ProgrammeRole::Mentee),
                ("bo@example.org", "Bo Mentee", ProgrammeRole::Mentee),
            ],
        )
        .await;
        let (gail, ann, bo) = (&g.members[0], &g.members[1], &g.members[2]);
        let goals = format!("/api/v1/rooms/{}/goals", g.id);
        let own = t
            .call(
                "POST",
                &goals,
                ann.auth(),
                Some(json!({"title": "Ann's own"})),
            )
            .await
            .expect(201);
        let shared = t
            .call(
                "POST",
                &goals,
                gail.auth(),
                Some(json!({"title": "Ship the group project", "shared": true})),
            )
            .await
            .expect(201);
        assert_eq!(shared.json["owner_id"], serde_json::Value::Null);
        let own_comments = format!(
            "/api/v1/goals/{}/comments",
            own.json["id"].as_str().unwrap()
        );
        let shared_goal = format!("/api/v1/goals/{}", shared.json["id"].as_str().unwrap());
        // Another mentee of a group neither comments on nor changes Ann's goal…
        t.call(
            "POST",
            &own_comments,
            bo.auth(),
            Some(json!({"body": "Nice"})),
        )
        .await
        .expect_error(403, "forbidden");
        t.call(
            "POST",
            &own_comments,
            gail.auth(),
            Some(json!({"body": "Nice"})),
        )
        .await
        .expect(201);
        // …while any member works on a shared goal.
        t.call(
            "POST",
            &format!("{shared_goal}/milestones"),
            bo.auth(),
            Some(json!({"title": "Draft"})),
        )
        .await
        .expect(201);
        t.call(
            "POST",
            &format!("{shared_goal}/comments"),
            bo.auth(),
            Some(json!({"body": "On it"})),
        )
        .await
        .expect(201);

        let p = room(
            &t,
            ProgrammeKind::Peer,
            &[
                ("pia@example.org", "Pia Peer", ProgrammeRole::Peer),
                ("quinn@example.org", "Quinn Peer", ProgrammeRole::Peer),
            ],
        )
        .await;
        let (pia, quinn) = (&p.members[0], &p.members[1]);
        let pg = t
            .call(
                "POST",
                &format!("/api/v1/rooms/{}/goals", p.id),
                pia.auth(),
                Some(json!({"title": "Learn Rust"})),
            )
            .await
            .expect(201);
        let pid = pg.json["id"].as_str().unwrap();
        t.call(
            "POST",
            &format!("/api/v1/goals/{pid}/comments"),
            quinn.auth(),
            Some(json!({"body": "Pair on it?"})),
        )
        .await
        .expect(201);
        t.call(
            "POST",
            &format!("/api/v1/goals/{pid}/milestones"),
            quinn.auth(),
            Some(json!({"title": "Borrow book"})),
        )
        .await
        .expect_error(403, "forbidden");
        t.finish().await;
    }
}

#[tokio::test]
async fn goals_move_with_their_owner_and_leave_a_snapshot() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let old = pair(&t).await;
        let tom = &old.members[1];
        let g = t
            .call(
                "POST",
                &format!("/api/v1/rooms/{}/goals", old.id),
                tom.auth(),
                Some(json!({"title": "Negotiate a raise"})),
            )
            .await
            .expect(201);
        let gid = g.json["id"].as_str().unwrap().to_string();
        t.call(
            "POST",
            &format!("/api/v1/goals/{gid}/milestones"),
            tom.auth(),
            Some(json!({"title": "Research pay bands", "done": true})),
        )
        .await
        .expect(201);
        // A new room for Tom with another mentor (what a re-match makes).
        // The re-match ends the old room first: a mentee holds one open seat.
        end(&t, old.id).await;
        let nina = t.member("nina@example.org", "Nina Mentor").await;
        let programme = t
            .store()
            .read()
            .await
            .unwrap()
            .room(old.id)
            .await
            .unwrap()
            .unwrap()
            .programme_id;
        let new = RoomId::new();
        let mut tx = t.store().write().await.unwrap();
        tx.insert_enrolment(&mentor_enrolment(programme, nina.id))
            .await
            .unwrap();
        tx.insert_room(
            &NewRoom {
                id: new,
                programme_id: programme,
                status: RoomStatus::Active,
                origin: RoomOrigin::Request,
                members: vec![
                    (nina.id, ProgrammeRole::Mentor, MemberState::Accepted),
                    (tom.id, ProgrammeRole::Mentee, MemberState::Accepted),
                ],
                round_id: None,
            },
            t.app.now(),
        )
        .await
        .unwrap();
        assert_eq!(
            tx.move_goals(tom.id, old.id, new, t.app.now())
                .await
                .unwrap(),
            1
        );
        tx.commit().await.unwrap();

        let moved = t
            .get(&format!("/api/v1/rooms/{}/goals", new), tom.auth())
            .await
            .expect(200);
        assert_eq!(moved.json["goals"][0]["id"], gid.as_str());
        assert_eq!(moved.json["goals"][0]["progress"], 100);
        let left = t
            .get(
                &format!("/api/v1/rooms/{}/goals", old.id),
                old.members[0].auth(),
            )
            .await
            .expect(200);
        assert!(left.json["goals"].as_array().unwrap().is_empty());
        let snap = &left.json["moved"][0];
        assert_eq!(snap["snapshot"]["title"], "Negotiate a raise");
        assert_eq!(snap["snapshot"]["milestones"][0]["done"], true);
        assert_eq!(snap["moved_to"], new.to_string());
        // The old mentor no longer reaches the goal; the new one does.
        t.call(
            "POST",
            &format!("/api/v1/goals/{gid}/comments"),
            old.members[0].auth(),
            Some(json!({"body": "Hi"})),
        )
        .await
        .expect_error(404, "not_found");
        t.call(
            "POST",
            &format!("/api/v1/goals/{gid}/comments"),
            nina.auth(),
            Some(json!({"body": "Welcome"})),
        )
        .await
        .expect(201);
        // The old room's page shows the read-only copy.
        let page = t
            .reply_text(
                TestApp::request(
                    "GET",
                    &format!("/rooms/{}/goals", old.id),
                    old.members[0].auth(),
                )
                .body(Body::empty())
                .unwrap(),
            )
            .await;
        assert_eq!(page.status, 200);
        assert!(page.text.contains("Goals that moved on"), "{}", page.text);
        assert!(page.text.contains("Negotiate a raise"));
        t.finish().await;
    }
}

async fn post_form(
    t: &TestApp,
    path: &str,
    who: &Person,
    body: &str,
) -> rapport_web::testing::TextReply {
    t.reply_text(
        TestApp::request("POST", path, who.auth())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

async fn page(t: &TestApp, path: &str, who: &Person) -> rapport_web::testing::TextReply {
    t.reply_text(
        TestApp::request("GET", path, who.auth())
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

fn location(r: &rapport_web::testing::TextReply) -> String {
    r.headers[header::LOCATION].to_str().unwrap().to_string()
}

#[tokio::test]
async fn the_agreement_and_goal_pages_work_without_javascript() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let r = pair(&t).await;
        let (mira, tom) = (&r.members[0], &r.members[1]);
        let overview = page(&t, &format!("/rooms/{}", r.id), tom).await;
        assert!(overview
            .text
            .contains(&format!("href=\"/rooms/{}/agreement\"", r.id)));
        assert!(overview
            .text
            .contains(&format!("href=\"/rooms/{}/goals\"", r.id)));

        // The agreement tab: the form, its errors in place, then a version.
        let base = format!("/rooms/{}/agreement", r.id);
        let empty = page(&t, &base, tom).await;
        assert_eq!(empty.status, 200);
        assert!(empty.text.contains("No agreement yet"));
        assert!(empty.text.contains("aria-current=\"page\">Agreement"));
        let bad = post_form(&t, &base, tom, "duration_months=6&cadence=monthly&format=video&mentee_wants=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
        assert_eq!(bad.status, 422);
        assert!(bad.text.contains("id=\"e-mentee_wants\""), "{}", bad.text);
        assert!(bad.text.contains("aria-invalid=\"true\""));
        let ok = post_form(&t, &base, tom, "duration_months=&end_date=2027-09-30&cadence=monthly&format=in_person&mentee_wants=Find+my+*voice*&expectations=&confidentiality=&ending=").await;
        assert_eq!(ok.status, 303);
        assert_eq!(location(&ok), format!("{base}?done=agreement_saved"));
        let shown = page(&t, &location(&ok), mira).await;
        assert!(shown.text.contains("version 1"));
        assert!(shown.text.contains("<em>voice</em>"), "rendered Markdown");
        assert!(shown.text.contains("I confirm this agreement"));
        let confirmed = post_form(&t, &format!("{base}/confirm"), mira, "version=1").await;
        assert_eq!(confirmed.status, 303);
        let after = page(&t, &base, mira).await;
        assert!(after.text.contains("You confirmed this version"));
        assert!(after.text.contains("Waiting for: Tom Mentee"));
        // A revision: the earlier version stays, under "Earlier versions".
        post_form(
            &t,
            &base,
            mira,
            "duration_months=3&cadence=weekly&format=video",
        )
        .await;
        let revised = page(&t, &base, &r.manager).await;
        assert!(revised.text.contains("Earlier versions"));
        assert!(
            !revised.text.contains("I confirm this agreement"),
            "managers read only"
        );
        assert!(!revised.text.contains("Save the agreement"));

        // The goals tab: set a goal, add milestones, tick one, comment.
        let goals = format!("/rooms/{}/goals", r.id);
        let bad = post_form(&t, &goals, tom, "title=Speak&target_date=soon").await;
        assert_eq!(bad.status, 422);
        assert!(bad.text.contains("id=\"e-target_date\""));
        let made = post_form(
            &t,
            &goals,
            tom,
            "title=Speak+%3Cup%3E&description=Often&success_criteria=&target_date=2027-06-30",
        )
        .await;
        assert_eq!(made.status, 303);
        let goal_path = location(&made).split('?').next().unwrap().to_string();
        let gid = goal_path.trim_start_matches("/goals/").to_string();
        let m = post_form(
            &t,
            &format!("{goal_path}/milestones"),
            tom,
            "milestone_title=Ask+a+question&due_date=2027-01-10",
        )
        .await;
        assert_eq!(m.status, 303);
        let bad = post_form(
            &t,
            &format!("{goal_path}/milestones"),
            tom,
            "milestone_title=&due_date=",
        )
        .await;
        assert_eq!(bad.status, 422);
        assert!(
            bad.text.contains("id=\"e-milestone_title\""),
            "{}",
            bad.text
        );
        post_form(
            &t,
            &format!("{goal_path}/milestones"),
            tom,
            "milestone_title=Present&due_date=",
        )
        .await;
        let mut tx = t.store().read().await.unwrap();
        let ms = tx.milestones_of(gid.parse().unwrap()).await.unwrap();
        drop(tx);
        let tick = post_form(
            &t,
            &format!("/milestones/{}", ms[0].id),
            tom,
            "form=done&done=true",
        )
        .await;
        assert_eq!(tick.status, 303);
        assert_eq!(location(&tick), format!("{goal_path}?done=milestone_saved"));
        let c = post_form(&t, &format!("{goal_path}/comments"), mira, "body=Well+done").await;
        assert_eq!(c.status, 303);
        let shown = page(&t, &goal_path, tom).await;
        assert_eq!(shown.status, 200);
        assert!(
            shown.text.contains("Speak &lt;up&gt;"),
            "titles are escaped"
        );
        assert!(
            shown.text.contains(" checked>"),
            "a done milestone is ticked"
        );
        assert!(shown.text.contains("value=\"50\""), "progress bar at 50%");
        assert!(shown.text.contains("<svg"), "the progress chart");
        assert!(shown.text.contains("<table>"), "the chart's table");
        assert!(shown.text.contains("Well done"));
        assert!(!shown.text.contains("style="), "no inline styles");
        // The mentor sees no edit form, and posting one is refused.
        let as_mentor = page(&t, &goal_path, mira).await;
        assert!(!as_mentor.text.contains("Change this goal"));
        assert!(as_mentor.text.contains("Your comment"));
        let refused = post_form(&t, &goal_path, mira, "title=Mine").await;
        assert_eq!(refused.status, 403);
        let list = page(&t, &goals, &r.manager).await;
        assert!(list.text.contains("<progress"));
        assert!(
            !list.text.contains("Set the goal"),
            "managers do not set goals"
        );
        let hidden = page(&t, &goal_path, &r.outsider).await;
        assert_eq!(hidden.status, 404);
        t.finish().await;
    }
}

#[tokio::test]
async fn a_deleted_account_leaves_its_comments_and_versions_as_a_former_member() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let r = pair(&t).await;
        let (mira, tom) = (&r.members[0], &r.members[1]);
        t.call(
            "PUT",
            &format!("/api/v1/rooms/{}/agreement", r.id),
            mira.auth(),
            Some(agreement(12, "monthly")),
        )
        .await
        .expect(200);
        let g = t
            .call(
                "POST",
                &format!("/api/v1/rooms/{}/goals", r.id),
                tom.auth(),
                Some(json!({"title": "Lead a project"})),
            )
            .await
            .expect(201);
        let comments = format!("/api/v1/goals/{}/comments", g.json["id"].as_str().unwrap());
        t.call(
            "POST",
            &comments,
            mira.auth(),
            Some(json!({"body": "You can do it."})),
        )
        .await
        .expect(201);
        t.call(
            "DELETE",
            "/api/v1/me",
            mira.auth(),
            Some(json!({"password": rapport_web::testing::PASSWORD})),
        )
        .await
        .expect(204);
        t.take_emails().await;
        let c = t.get(&comments, tom.auth()).await.expect(200);
        assert_eq!(c.json["comments"][0]["author_name"], "a former member");
        assert_eq!(c.json["comments"][0]["author_id"], serde_json::Value::Null);
        assert_eq!(c.json["comments"][0]["body"], "You can do it.");
        let v = t
            .get(
                &format!("/api/v1/rooms/{}/agreement/versions", r.id),
                tom.auth(),
            )
            .await
            .expect(200);
        assert_eq!(v.json["versions"][0]["changed_by"], serde_json::Value::Null);
        let page = page(&t, &format!("/rooms/{}/agreement", r.id), tom).await;
        assert!(
            page.text.contains("Written by a former member"),
            "{}",
            page.text
        );
        t.finish().await;
    }
}
