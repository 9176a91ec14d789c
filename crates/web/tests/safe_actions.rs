//! Issue 18 §5 and §7 (H4): confirmations that count what will happen,
//! reopening a closed programme, the manager kept off other people's view of
//! a profile, the mentor pause form, the sign-in limit that counts failures
//! only, and the proposed room's notice once it has opened.

use axum::body::Body;
use axum::http::header;
use rapport_app::accounts::{SIGN_IN_FAILURES_PER_ACCOUNT, SIGN_IN_FAILURES_PER_ADDRESS};
use rapport_app::lists::ListQuery;
use rapport_domain::mentoring::{MemberState, RoomOrigin, RoomStatus};
use rapport_domain::person::ProfileInput;
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::RoomId;
use rapport_store::NewRoom;
use rapport_web::testing::{test_database_kinds, Auth, Person, TestApp, TextReply, PASSWORD};
use serde_json::json;

const DAY: i64 = 24 * 60 * 60 * 1000;

/// A page as `who` sees it.
async fn page(t: &TestApp, path: &str, who: &Person) -> TextReply {
    let req = TestApp::request("GET", path, who.auth())
        .body(Body::empty())
        .unwrap();
    t.reply_text(req).await
}

/// A form posted as `who`.
async fn post_form(t: &TestApp, path: &str, who: &Person, body: &str) -> TextReply {
    let req = TestApp::request("POST", path, who.auth())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap();
    t.reply_text(req).await
}

fn location(r: &TextReply) -> String {
    r.headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// An open one-to-one programme with an approved mentor (Ana) and mentee (Ben).
async fn programme_with_pair(t: &TestApp) -> (String, Person, Person, Person) {
    let slug = t.programme("Spring", "one_to_one").await;
    let admin = t.admin().await;
    t.app
        .move_programme(&t.actor(&admin).await, &slug, "open")
        .await
        .expect("the programme opens");
    let manager = t.manager_of(&slug, "mia@example.org", "Mia Manager").await;
    let mentor = t.member("ana@example.org", "Ana Mentor").await;
    let mentee = t.member("ben@example.org", "Ben Mentee").await;
    // A senior mentor and a junior mentee, so matching pairs them.
    for (who, name, level, years) in [
        (&mentor, "Ana Mentor", "leader_of_leaders", "15"),
        (&mentee, "Ben Mentee", "professional_contributor", "2"),
    ] {
        let input = ProfileInput {
            name: name.into(),
            level: level.into(),
            years_experience: years.into(),
            skills_offered: "Coaching".into(),
            skills_wanted: "Coaching".into(),
            languages: "English".into(),
            time_zone: "Europe/Lisbon".into(),
            visibility: "members".into(),
            ..ProfileInput::default()
        };
        t.app
            .update_profile(&t.actor(who).await, who.id, &input)
            .await
            .expect("the profile saves");
    }
    let path = format!("/api/v1/programmes/{slug}/enrolments");
    let r = t
        .call(
            "POST",
            &path,
            mentor.auth(),
            Some(json!({"role": "mentor", "accept_conduct": true})),
        )
        .await
        .expect(201);
    let mentor_enrolment = r.json["enrolments"][0].as_str().unwrap().to_string();
    let r = t
        .call(
            "POST",
            &path,
            mentee.auth(),
            Some(json!({"role": "mentee", "accept_conduct": true})),
        )
        .await
        .expect(201);
    let mentee_enrolment = r.json["enrolments"][0].as_str().unwrap().to_string();
    for id in [mentor_enrolment, mentee_enrolment] {
        t.call(
            "POST",
            &format!("{path}/{id}/decision"),
            manager.auth(),
            Some(json!({"decision": "approved"})),
        )
        .await
        .expect(204);
    }
    t.expect_email("ana@example.org", "Your application").await;
    t.expect_email("ben@example.org", "Your application").await;
    (slug, manager, mentor, mentee)
}

#[tokio::test]
async fn the_manager_on_a_profile_is_shown_to_the_person_and_admins_only() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let boss = t.member("boss@example.org", "Bea Boss").await;
        let ana = t.member("ana@example.org", "Ana Lima").await;
        let other = t.member("olga@example.org", "Olga Other").await;
        let admin = t.admin().await;
        let input = ProfileInput {
            name: "Ana Lima".into(),
            level: "team_leader".into(),
            years_experience: "8".into(),
            time_zone: "Europe/Lisbon".into(),
            visibility: "members".into(),
            manager_email: "boss@example.org".into(),
            ..ProfileInput::default()
        };
        t.app
            .update_profile(&t.actor(&ana).await, ana.id, &input)
            .await
            .expect("the profile saves");
        let path = format!("/people/{}", ana.id);
        let api = format!("/api/v1/people/{}", ana.id);
        for (who, sees) in [(&ana, true), (&admin, true), (&other, false)] {
            let html = page(&t, &path, who).await;
            assert_eq!(html.status, 200);
            assert_eq!(
                html.text.contains("Bea Boss"),
                sees,
                "{kind}: page for {}",
                who.email
            );
            let r = t.get(&api, who.auth()).await.expect(200);
            let body = r.json.to_string();
            assert_eq!(
                body.contains("Bea Boss"),
                sees,
                "{kind}: API for {}",
                who.email
            );
            assert_eq!(
                body.contains(&boss.id.to_string()),
                sees,
                "{kind}: API id for {}",
                who.email
            );
        }
        t.finish().await;
    }
}

#[tokio::test]
async fn the_pause_form_keeps_the_date_and_refuses_a_maximum_below_current_mentees() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let (slug, _manager, mentor, mentee) = programme_with_pair(&t).await;
        let stranger = t.member("sam@example.org", "Sam Stranger").await;
        // Somebody who mentors nobody never sees the pause box.
        let html = page(&t, "/requests", &stranger).await;
        assert!(
            !html.text.contains("Taking a break from mentoring"),
            "{kind}"
        );
        let html = page(&t, "/requests", &mentor).await;
        assert!(
            html.text.contains("Taking a break from mentoring"),
            "{kind}"
        );

        // The date comes back in the field, and saving again keeps the pause.
        let r = post_form(
            &t,
            "/requests/pause",
            &mentor,
            "until=2099-03-01&max_mentees=",
        )
        .await;
        assert_eq!(r.status, 303, "{kind}: {}", r.text);
        let html = page(&t, "/requests", &mentor).await;
        assert!(
            html.text.contains(r#"value="2099-03-01""#),
            "{kind}: {}",
            html.text
        );
        assert!(html.text.contains("1 March 2099"), "{kind}");
        let r = post_form(
            &t,
            "/requests/pause",
            &mentor,
            "until=2099-03-01&max_mentees=",
        )
        .await;
        assert_eq!(r.status, 303, "{kind}");
        assert!(
            t.app
                .my_pause(&t.actor(&mentor).await)
                .await
                .unwrap()
                .is_some(),
            "{kind}: still paused"
        );
        t.app.set_pause(&t.actor(&mentor).await, "").await.unwrap();

        // Give the mentor one mentee, then ask for a maximum of 0.
        let programme = {
            let mut tx = t.store().read().await.unwrap();
            tx.programme_by_slug(&slug).await.unwrap().unwrap()
        };
        let mut tx = t.store().write().await.unwrap();
        let room = RoomId::new();
        tx.insert_room(
            &NewRoom {
                id: room,
                programme_id: programme.id,
                status: RoomStatus::Proposed,
                origin: RoomOrigin::Round,
                members: vec![
                    (mentor.id, ProgrammeRole::Mentor, MemberState::Accepted),
                    (mentee.id, ProgrammeRole::Mentee, MemberState::Accepted),
                ],
                round_id: None,
            },
            t.app.now(),
        )
        .await
        .unwrap();
        assert!(tx
            .set_room_status(room, RoomStatus::Active, t.app.now())
            .await
            .unwrap());
        tx.commit().await.unwrap();
        let r = post_form(
            &t,
            "/requests/pause",
            &mentor,
            "until=2099-04-02&max_mentees=0",
        )
        .await;
        assert_eq!(r.status, 422, "{kind}");
        assert!(
            r.text.contains("You mentor 1 person now")
                || r.text.contains("you mentor 1 person now"),
            "{kind}: {}",
            r.text
        );
        assert!(
            r.text.contains(r#"value="2099-04-02""#) && r.text.contains(r#"value="0""#),
            "{kind}: what was typed is kept"
        );
        assert!(
            t.app
                .my_pause(&t.actor(&mentor).await)
                .await
                .unwrap()
                .is_none(),
            "{kind}: nothing half-saved"
        );
        t.call(
            "PUT",
            "/api/v1/me/pause",
            mentor.auth(),
            Some(json!({"until": "", "max_mentees": "0"})),
        )
        .await
        .expect_error(422, "invalid_field");
        t.call(
            "PUT",
            "/api/v1/me/pause",
            mentor.auth(),
            Some(json!({"until": "", "max_mentees": "1"})),
        )
        .await
        .expect(200);
        t.finish().await;
    }
}

#[tokio::test]
async fn sign_in_counts_failures_only_per_account_and_address() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let ana = t.member("ana@example.org", "Ana Lima").await;
        // An office on launch day: many successful sign-ins from one address.
        for _ in 0..30 {
            t.sign_in(&ana.email, PASSWORD).await.expect(200);
        }
        for _ in 0..SIGN_IN_FAILURES_PER_ACCOUNT {
            t.sign_in(&ana.email, "wrong password!!")
                .await
                .expect_error(401, "unauthenticated");
        }
        let known = t
            .sign_in(&ana.email, PASSWORD)
            .await
            .expect_error(429, "rate_limited");
        for _ in 0..SIGN_IN_FAILURES_PER_ACCOUNT {
            t.sign_in("nobody@example.org", "wrong password!!")
                .await
                .expect_error(401, "unauthenticated");
        }
        let unknown = t
            .sign_in("nobody@example.org", "wrong password!!")
            .await
            .expect_error(429, "rate_limited");
        assert_eq!(
            known.json["error"]["message"], unknown.json["error"]["message"],
            "{kind}: the message never reveals whether the account exists"
        );
        // Another account from the same address still signs in.
        let bo = t.member("bo@example.org", "Bo Chen").await;
        t.sign_in(&bo.email, PASSWORD).await.expect(200);
        // The window passes.
        t.clock.advance(15 * 60_000);
        t.sign_in(&ana.email, PASSWORD).await.expect(200);
        const { assert!(SIGN_IN_FAILURES_PER_ADDRESS == 100) };
        t.finish().await;
    }
}

#[tokio::test]
async fn a_closed_programme_is_reopened_by_an_admin_within_30_days() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let slug = t.programme("Autumn", "one_to_one").await;
        let admin = t.admin().await;
        let manager = t.manager_of(&slug, "mia@example.org", "Mia Manager").await;
        let second = t.manager_of(&slug, "max@example.org", "Max Manager").await;
        let status = format!("/api/v1/programmes/{slug}/status");
        for to in ["open", "running"] {
            t.call("POST", &status, manager.auth(), Some(json!({"status": to})))
                .await
                .expect(200);
        }
        // Closing and removing a manager ask first, saying what happens.
        let close = page(&t, &format!("/programmes/{slug}/close"), &manager).await;
        assert_eq!(close.status, 200, "{kind}");
        assert!(
            close.text.contains("Close Autumn?") && close.text.contains("0 participants"),
            "{kind}"
        );
        let remove = page(
            &t,
            &format!("/programmes/{slug}/managers/{}/remove", second.id),
            &manager,
        )
        .await;
        assert_eq!(remove.status, 200, "{kind}");
        assert!(
            remove.text.contains("Remove Max Manager as a manager?")
                && remove.text.contains("2 managers will remain"),
            "{kind}: {}",
            remove.text
        );
        let r = post_form(
            &t,
            &format!("/programmes/{slug}/status"),
            &manager,
            "status=closed",
        )
        .await;
        assert_eq!(r.status, 303, "{kind}");

        let reopen = format!("/api/v1/programmes/{slug}/reopen");
        t.call(
            "POST",
            &reopen,
            manager.auth(),
            Some(json!({"confirm": true})),
        )
        .await
        .expect_error(403, "forbidden");
        let r = t
            .call("POST", &reopen, admin.auth(), Some(json!({})))
            .await
            .expect_error(409, "conflict");
        assert_eq!(r.error_field(), "confirm", "{kind}");
        let overview = page(&t, &format!("/programmes/{slug}"), &admin).await;
        assert!(
            overview
                .text
                .contains(&format!("/programmes/{slug}/reopen")),
            "{kind}"
        );
        let confirm = page(&t, &format!("/programmes/{slug}/reopen"), &admin).await;
        assert_eq!(confirm.status, 200, "{kind}");
        assert!(
            confirm.text.contains("before closing: running"),
            "{kind}: {}",
            confirm.text
        );
        let r = post_form(
            &t,
            &format!("/programmes/{slug}/reopen"),
            &admin,
            "confirm=yes",
        )
        .await;
        assert_eq!(
            location(&r),
            format!("/programmes/{slug}?done=reopened"),
            "{kind}"
        );
        let p = t
            .get(&format!("/api/v1/programmes/{slug}"), admin.auth())
            .await
            .expect(200);
        assert_eq!(p.json["status"], "running", "{kind}");
        let (log, _, _) = t
            .app
            .audit_log(&t.actor(&admin).await, &ListQuery::default())
            .await
            .unwrap();
        assert!(
            log.items.iter().any(|a| a.action == "programme.reopen"),
            "{kind}: audited"
        );
        t.call(
            "POST",
            &reopen,
            admin.auth(),
            Some(json!({"confirm": true})),
        )
        .await
        .expect_error(409, "conflict");

        // Closed again, then 31 days later: too late.
        t.call(
            "POST",
            &status,
            manager.auth(),
            Some(json!({"status": "closed", "confirm": true})),
        )
        .await
        .expect(200);
        t.clock.advance(31 * DAY);
        // Sessions have expired meanwhile: the admin signs in again.
        let admin = Person {
            cookie: t
                .sign_in(&admin.email, PASSWORD)
                .await
                .expect(200)
                .session_cookie(),
            ..admin
        };
        let r = t
            .call(
                "POST",
                &reopen,
                admin.auth(),
                Some(json!({"confirm": true})),
            )
            .await
            .expect_error(409, "conflict");
        assert!(
            r.json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("30 days"),
            "{kind}"
        );
        let overview = page(&t, &format!("/programmes/{slug}"), &admin).await;
        assert!(
            !overview
                .text
                .contains(&format!("/programmes/{slug}/reopen")),
            "{kind}"
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn publishing_a_round_asks_first_and_counts_the_people_emailed() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let (slug, manager, _mentor, _mentee) = programme_with_pair(&t).await;
        let round = t
            .app
            .run_round(&t.actor(&manager).await, &slug)
            .await
            .expect("matching runs");
        let matching = page(&t, &format!("/programmes/{slug}/matching"), &manager).await;
        let link = format!(
            "data-confirm href=\"/programmes/{slug}/matching/{}/publish\"",
            round.id
        );
        assert!(matching.text.contains(&link), "{kind}: {}", matching.text);
        let confirm = page(
            &t,
            &format!("/programmes/{slug}/matching/{}/publish", round.id),
            &manager,
        )
        .await;
        assert_eq!(confirm.status, 200, "{kind}");
        assert!(
            confirm.text.contains("This emails 2 people"),
            "{kind}: {}",
            confirm.text
        );
        assert!(confirm.text.contains("1 room is proposed"), "{kind}");
        let r = post_form(
            &t,
            &format!("/programmes/{slug}/matching/{}/publish", round.id),
            &manager,
            "",
        )
        .await;
        assert_eq!(r.status, 303, "{kind}");
        t.take_emails().await;
        // A published round is not offered again.
        let again = page(
            &t,
            &format!("/programmes/{slug}/matching/{}/publish", round.id),
            &manager,
        )
        .await;
        assert_eq!(again.status, 409, "{kind}");
        t.finish().await;
    }
}

#[tokio::test]
async fn the_last_acceptance_says_the_room_is_open() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let (slug, _manager, mentor, mentee) = programme_with_pair(&t).await;
        let programme = {
            let mut tx = t.store().read().await.unwrap();
            tx.programme_by_slug(&slug).await.unwrap().unwrap()
        };
        let room = RoomId::new();
        let mut tx = t.store().write().await.unwrap();
        tx.insert_room(
            &NewRoom {
                id: room,
                programme_id: programme.id,
                status: RoomStatus::Proposed,
                origin: RoomOrigin::Round,
                members: vec![
                    (mentor.id, ProgrammeRole::Mentor, MemberState::Invited),
                    (mentee.id, ProgrammeRole::Mentee, MemberState::Invited),
                ],
                round_id: None,
            },
            t.app.now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let path = format!("/rooms/{room}/answer");
        let r = post_form(&t, &path, &mentor, "answer=accept").await;
        assert_eq!(
            location(&r),
            format!("/rooms/{room}?done=accepted"),
            "{kind}"
        );
        let r = post_form(&t, &path, &mentee, "answer=accept").await;
        assert_eq!(
            location(&r),
            format!("/rooms/{room}?done=accepted_open"),
            "{kind}"
        );
        let html = page(&t, &location(&r), &mentee).await;
        assert!(
            html.text.contains("the room is open") && !html.text.contains("The room opens when"),
            "{kind}"
        );
        t.take_emails().await;
        t.finish().await;
    }
}

#[tokio::test]
async fn the_confirm_dialog_script_is_served_and_every_page_loads_it() {
    let t = TestApp::new("sqlite").await;
    let req = TestApp::request("GET", "/static/confirm-dialog.js", Auth::Anonymous)
        .body(Body::empty())
        .unwrap();
    let r = t.reply_text(req).await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains("showModal"));
    let req = TestApp::request("GET", "/sign-in", Auth::Anonymous)
        .body(Body::empty())
        .unwrap();
    let r = t.reply_text(req).await;
    assert!(r
        .text
        .contains(r#"<script src="/static/confirm-dialog.js" defer></script>"#));
    t.finish().await;
}

#[tokio::test]
async fn a_draft_programme_never_offers_run_matching() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let slug = t.programme("Drafty", "one_to_one").await;
        let admin = t.admin().await;
        let html = page(&t, &format!("/programmes/{slug}/matching"), &admin).await;
        assert_eq!(html.status, 200, "{kind}");
        assert!(!html.text.contains(">Run matching</button>"), "{kind}");
        assert!(
            html.text
                .contains("This programme is draft, so matching cannot run yet"),
            "{kind}"
        );
        t.app
            .move_programme(&t.actor(&admin).await, &slug, "open")
            .await
            .unwrap();
        let html = page(&t, &format!("/programmes/{slug}/matching"), &admin).await;
        assert!(html.text.contains(">Run matching</button>"), "{kind}");
        t.finish().await;
    }
}

#[tokio::test]
async fn mentees_in_a_manager_matched_programme_are_not_asked_to_rank_mentors() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let (slug, _manager, _mentor, mentee) = programme_with_pair(&t).await;
        let p = t
            .get(&format!("/api/v1/programmes/{slug}"), mentee.auth())
            .await
            .expect(200);
        assert_eq!(p.json["matching_mode"], "managers", "{kind}");
        let html = page(&t, &format!("/programmes/{slug}/mentors"), &mentee).await;
        assert_eq!(html.status, 200, "{kind}");
        assert!(
            !html.text.contains("Rank up to three") && !html.text.contains("Send request"),
            "{kind}"
        );
        assert!(
            html.text
                .contains("Its managers make the matches in rounds"),
            "{kind}: {}",
            html.text
        );
        t.finish().await;
    }
}
