//! Issue 18 §5 (H4): pair edits in a draft round (reject, swap), "match
//! now" shown before it commits, and the confirmations the API and pages ask
//! for first (publish, close, remove a manager, decline, delete an account).

use axum::body::Body;
use axum::http::header;
use rapport_domain::person::ProfileInput;
use rapport_web::testing::{test_database_kinds, Person, TestApp, TextReply, PASSWORD};
use serde_json::{json, Value};

async fn page(t: &TestApp, path: &str, who: &Person) -> TextReply {
    let req = TestApp::request("GET", path, who.auth())
        .body(Body::empty())
        .unwrap();
    t.reply_text(req).await
}

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

struct World {
    slug: String,
    manager: Person,
    ana: Person,
    carl: Person,
    ben: Person,
    dee: Person,
}

/// An open one-to-one programme: mentors Ana and Carl (one place each),
/// mentees Ben and Dee, all approved and compatible.
async fn world(t: &TestApp) -> World {
    let slug = t.programme("Spring", "one_to_one").await;
    let admin = t.admin().await;
    t.app
        .move_programme(&t.actor(&admin).await, &slug, "open")
        .await
        .expect("the programme opens");
    let manager = t.manager_of(&slug, "mia@example.org", "Mia Manager").await;
    let ana = t.member("ana@example.org", "Ana Mentor").await;
    let carl = t.member("carl@example.org", "Carl Mentor").await;
    let ben = t.member("ben@example.org", "Ben Mentee").await;
    let dee = t.member("dee@example.org", "Dee Mentee").await;
    let path = format!("/api/v1/programmes/{slug}/enrolments");
    for (who, name, level, years, role) in [
        (&ana, "Ana Mentor", "leader_of_leaders", "15", "mentor"),
        (&carl, "Carl Mentor", "leader_of_leaders", "12", "mentor"),
        (
            &ben,
            "Ben Mentee",
            "professional_contributor",
            "2",
            "mentee",
        ),
        (
            &dee,
            "Dee Mentee",
            "professional_contributor",
            "3",
            "mentee",
        ),
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
        let r = t
            .call(
                "POST",
                &path,
                who.auth(),
                Some(json!({"role": role, "capacity": "1", "accept_conduct": true})),
            )
            .await
            .expect(201);
        let id = r.json["enrolments"][0].as_str().unwrap().to_string();
        t.call(
            "POST",
            &format!("{path}/{id}/decision"),
            manager.auth(),
            Some(json!({"decision": "approved"})),
        )
        .await
        .expect(204);
        t.expect_email(&who.email, "Your application").await;
    }
    World {
        slug,
        manager,
        ana,
        carl,
        ben,
        dee,
    }
}

/// The mentor the draft proposes for `mentee`.
fn mentor_of(round: &Value, mentee: &Person) -> Option<String> {
    round["result"]["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["members"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["person_id"] == mentee.id.to_string())
        })
        .and_then(|p| {
            p["members"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["role"] == "mentor")
                .map(|m| m["person_id"].as_str().unwrap().to_string())
        })
}

#[tokio::test]
async fn a_manager_rejects_and_swaps_pairs_in_a_draft_round() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let w = world(&t).await;
        let round = t
            .call(
                "POST",
                &format!("/api/v1/programmes/{}/rounds", w.slug),
                w.manager.auth(),
                None,
            )
            .await
            .expect(201)
            .json;
        assert_eq!(round["result"]["placed"], 2, "{round}");
        let id = round["id"].as_str().unwrap().to_string();
        let pairs = format!("/api/v1/programmes/{}/rounds/{id}/pairs", w.slug);
        let ben_mentor = mentor_of(&round, &w.ben).expect("Ben is placed");
        let (bens, other) = if ben_mentor == w.ana.id.to_string() {
            (&w.ana, &w.carl)
        } else {
            (&w.carl, &w.ana)
        };

        // Members and outsiders cannot edit; a bad action names its field.
        t.call(
            "POST",
            &pairs,
            w.ben.auth(),
            Some(json!({"action": "reject", "mentee_id": w.ben.id})),
        )
        .await
        .expect_error(403, "forbidden");
        let r = t
            .call(
                "POST",
                &pairs,
                w.manager.auth(),
                Some(json!({"action": "shuffle", "mentee_id": w.ben.id})),
            )
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(r.json["error"]["field"], "action", "{}", r.json);

        // Swapping Ben to the other mentor, who is full with Dee: 422 on mentor_id.
        let r = t
            .call(
                "POST",
                &pairs,
                w.manager.auth(),
                Some(json!({"action": "swap", "mentee_id": w.ben.id, "mentor_id": other.id})),
            )
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(r.json["error"]["field"], "mentor_id", "{}", r.json);
        assert!(
            r.json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("no space left"),
            "{}",
            r.json
        );

        // Reject Dee's pair: the totals follow, and the round is no longer certified.
        let edited = t
            .call(
                "POST",
                &pairs,
                w.manager.auth(),
                Some(json!({"action": "reject", "mentee_id": w.dee.id})),
            )
            .await
            .expect(200)
            .json;
        assert_eq!(edited["result"]["placed"], 1, "{edited}");
        assert_eq!(edited["result"]["proposals"].as_array().unwrap().len(), 1);
        assert_eq!(edited["result"]["free_slots"], 1, "{edited}");
        assert_eq!(edited["result"]["certified"], false);
        let unmatched = edited["result"]["unmatched"].as_array().unwrap();
        assert!(
            unmatched
                .iter()
                .any(|u| u["person_id"] == w.dee.id.to_string()
                    && u["reason"].as_str().unwrap().contains("rejected")),
            "{edited}"
        );
        let score_before = edited["result"]["total_score"].as_f64().unwrap();

        // Now the other mentor has space: Ben moves to them, checked and scored.
        let swapped = t
            .call(
                "POST",
                &pairs,
                w.manager.auth(),
                Some(json!({"action": "swap", "mentee_id": w.ben.id, "mentor_id": other.id})),
            )
            .await
            .expect(200)
            .json;
        assert_eq!(mentor_of(&swapped, &w.ben), Some(other.id.to_string()));
        assert_eq!(swapped["result"]["placed"], 1);
        let proposal = &swapped["result"]["proposals"][0];
        assert!(!proposal["explanation"].as_array().unwrap().is_empty());
        let total = swapped["result"]["total_score"].as_f64().unwrap();
        assert!(
            (total - proposal["score"].as_f64().unwrap()).abs() < 1e-6 && total > 0.0,
            "{swapped} (was {score_before})"
        );
        assert_eq!(swapped["result"]["edits"].as_array().unwrap().len(), 2);
        assert!(swapped["result"]["no_shared_hours"].is_u64());

        // A forbidden pair is a hard rule: placing Dee with Ben's old mentor
        // after forbidding it is 422 naming mentor_id and the rule.
        t.call(
            "PUT",
            &format!("/api/v1/programmes/{}/pair-rules", w.slug),
            w.manager.auth(),
            Some(json!({"mentee_id": w.dee.id, "mentor_id": bens.id, "rule": "forbid"})),
        )
        .await
        .expect(204);
        let r = t
            .call(
                "POST",
                &pairs,
                w.manager.auth(),
                Some(json!({"action": "swap", "mentee_id": w.dee.id, "mentor_id": bens.id})),
            )
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(r.json["error"]["field"], "mentor_id");
        assert!(
            r.json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("excluded"),
            "{}",
            r.json
        );
        // Nothing was half-written: the round is as the last good edit left it.
        let now = t
            .get(
                &format!("/api/v1/programmes/{}/rounds/{id}", w.slug),
                w.manager.auth(),
            )
            .await
            .expect(200)
            .json;
        assert_eq!(now["result"], swapped["result"]);

        // Every edit is in the audit log, in a sentence.
        let admin = t.admin().await;
        let log = page(&t, "/admin/audit", &admin).await;
        assert!(
            log.text.contains("rejected the pair of Dee Mentee with"),
            "{}",
            log.text
        );
        assert!(log.text.contains("moved Ben Mentee from"), "{}", log.text);

        // Publishing asks first over the API too, and says what it would do.
        let publish = format!("/api/v1/programmes/{}/rounds/{id}/publish", w.slug);
        let r = t
            .call("POST", &publish, w.manager.auth(), None)
            .await
            .expect_error(409, "conflict");
        assert_eq!(r.json["error"]["field"], "confirm");
        let message = r.json["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("1 room") && message.contains("emails 2 people"),
            "{message}"
        );
        t.call(
            "POST",
            &publish,
            w.manager.auth(),
            Some(json!({"confirm": true})),
        )
        .await
        .expect(200);
        t.expect_email(&w.ben.email, "Your match in Spring").await;
        t.expect_email(&other.email, "Your match in Spring").await;

        // A published round's pairs are settled: 409.
        t.call(
            "POST",
            &pairs,
            w.manager.auth(),
            Some(json!({"action": "reject", "mentee_id": w.ben.id})),
        )
        .await
        .expect_error(409, "conflict");
        t.finish().await;
    }
}

#[tokio::test]
async fn the_draft_round_page_rejects_a_pair_without_javascript() {
    let t = TestApp::new("sqlite").await;
    let w = world(&t).await;
    let r = post_form(
        &t,
        &format!("/programmes/{}/matching/run", w.slug),
        &w.manager,
        "",
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let matching = format!("/programmes/{}/matching", w.slug);
    let html = page(&t, &matching, &w.manager).await;
    assert!(
        html.text.contains("Reject the pair of Ben Mentee"),
        "{}",
        html.text
    );
    assert!(html.text.contains("Swap Ben Mentee to"), "{}", html.text);
    let id = html
        .text
        .split("/matching/")
        .filter_map(|rest| rest.split_once("/pairs").map(|(id, _)| id))
        .find(|id| id.len() == 36)
        .expect("the draft's pair forms")
        .to_string();
    let action = format!("/programmes/{}/matching/{id}/pairs", w.slug);
    let r = post_form(
        &t,
        &action,
        &w.manager,
        &format!("action=reject&mentee_id={}", w.ben.id),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert!(
        location(&r).ends_with("/matching?done=pair_edited"),
        "{}",
        location(&r)
    );
    let html = page(&t, &matching, &w.manager).await;
    assert!(html.text.contains("Changed by hand"), "{}", html.text);
    assert!(
        html.text.contains("Rejected Ben Mentee with"),
        "{}",
        html.text
    );
    assert!(html.text.contains("Place someone by hand"), "{}", html.text);
    // A refused swap shows on the page with the reason, and changes nothing.
    let r = post_form(
        &t,
        &action,
        &w.manager,
        &format!("action=swap&mentee_id={}&mentor_id={}", w.ben.id, w.ben.id),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.text.contains("not an approved mentor with space"),
        "{}",
        r.text
    );
    t.finish().await;
}

#[tokio::test]
async fn match_now_shows_the_mentor_and_why_before_it_commits() {
    let t = TestApp::new("sqlite").await;
    let w = world(&t).await;
    let preview = format!("/programmes/{}/match-now?person_id={}", w.slug, w.ben.id);
    let html = page(&t, &preview, &w.manager).await;
    assert_eq!(html.status, 200, "{}", html.text);
    assert!(html.text.contains("Match Ben Mentee with"), "{}", html.text);
    assert!(html.text.contains("Why: "), "{}", html.text);
    assert!(html.text.contains("Nothing is proposed until you confirm"));
    // Looking committed nothing: no room, no email.
    let rooms = t
        .get(
            &format!("/api/v1/programmes/{}/rooms", w.slug),
            w.manager.auth(),
        )
        .await
        .expect(200);
    assert_eq!(
        rooms.json["rooms"].as_array().map_or(0, Vec::len),
        0,
        "{}",
        rooms.json
    );
    // Members cannot look.
    assert_eq!(page(&t, &preview, &w.ben).await.status, 403);
    // An old form without the previewed mentor goes to the preview first.
    let r = post_form(
        &t,
        &format!("/programmes/{}/match-now", w.slug),
        &w.manager,
        &format!("person_id={}", w.ben.id),
    )
    .await;
    assert_eq!(r.status, 303);
    assert!(
        location(&r).contains("/match-now?person_id="),
        "{}",
        location(&r)
    );
    // The confirmation posts the mentor it showed.
    let mentor = html
        .text
        .split("name=\"mentor_id\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let r = post_form(
        &t,
        &format!("/programmes/{}/match-now", w.slug),
        &w.manager,
        &format!("person_id={}&mentor_id={mentor}", w.ben.id),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert!(location(&r).starts_with("/rooms/"), "{}", location(&r));
    let mentor_email = if mentor == w.ana.id.to_string() {
        &w.ana.email
    } else {
        &w.carl.email
    };
    t.expect_email(&w.ben.email, "Your match in Spring").await;
    t.expect_email(mentor_email, "Your match in Spring").await;
    // A stale confirmation (the mentor is now full) is refused, not redirected.
    let r = post_form(
        &t,
        &format!("/programmes/{}/match-now", w.slug),
        &w.manager,
        &format!("person_id={}&mentor_id={mentor}", w.dee.id),
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.text);
    t.finish().await;
}

#[tokio::test]
async fn closing_and_removing_a_manager_over_the_api_confirm_first() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let w = world(&t).await;
        let second = t
            .manager_of(&w.slug, "max@example.org", "Max Manager")
            .await;
        let remove = format!("/api/v1/programmes/{}/managers/{}", w.slug, second.id);
        let r = t
            .call("DELETE", &remove, w.manager.auth(), None)
            .await
            .expect_error(409, "conflict");
        assert_eq!(r.json["error"]["field"], "confirm");
        assert!(
            r.json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("removes Max Manager as a manager"),
            "{}",
            r.json
        );
        // Outsiders learn nothing from an unconfirmed call.
        t.call("DELETE", &remove, w.ben.auth(), None)
            .await
            .expect_error(403, "forbidden");
        t.call(
            "DELETE",
            &format!("{remove}?confirm=true"),
            w.manager.auth(),
            None,
        )
        .await
        .expect(204);

        let status = format!("/api/v1/programmes/{}/status", w.slug);
        let r = t
            .call(
                "POST",
                &status,
                w.manager.auth(),
                Some(json!({"status": "closed"})),
            )
            .await
            .expect_error(409, "conflict");
        assert_eq!(r.json["error"]["field"], "confirm");
        assert!(
            r.json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("its 4 participants"),
            "{}",
            r.json
        );
        let p = t
            .get(&format!("/api/v1/programmes/{}", w.slug), w.manager.auth())
            .await
            .expect(200);
        assert_eq!(p.json["status"], "open", "{}", p.json);
        t.call(
            "POST",
            &status,
            w.manager.auth(),
            Some(json!({"status": "closed", "confirm": true})),
        )
        .await
        .expect(200);
        t.finish().await;
    }
}

#[tokio::test]
async fn declining_and_deleting_an_account_ask_first() {
    let t = TestApp::new("sqlite").await;
    let w = world(&t).await;
    let room = t
        .app
        .match_now(&t.actor(&w.manager).await, &w.slug, w.ben.id)
        .await
        .expect("Ben is matched");
    t.expect_email(&w.ben.email, "Your match in Spring").await;
    let mentor = t
        .get(&format!("/api/v1/rooms/{room}"), w.ben.auth())
        .await
        .expect(200)
        .json;
    let mentor_email = if mentor.to_string().contains(&w.ana.id.to_string()) {
        &w.ana.email
    } else {
        &w.carl.email
    };
    t.expect_email(mentor_email, "Your match in Spring").await;

    // The room page links to a confirmation; the form posts the decline.
    let html = page(&t, &format!("/rooms/{room}"), &w.ben).await;
    assert!(
        html.text
            .contains(&format!("data-confirm href=\"/rooms/{room}/decline\"")),
        "{}",
        html.text
    );
    let confirm = page(&t, &format!("/rooms/{room}/decline"), &w.ben).await;
    assert_eq!(confirm.status, 200);
    assert!(
        confirm.text.contains("Decline your match with"),
        "{}",
        confirm.text
    );
    assert!(confirm.text.contains("cannot be undone"));
    assert!(confirm
        .text
        .contains(&format!("action=\"/rooms/{room}/answer\"")));
    // Someone not invited is not asked.
    assert_eq!(
        page(&t, &format!("/rooms/{room}/decline"), &w.dee)
            .await
            .status,
        404
    );

    // Deleting an account: the account page links to the confirmation.
    let html = page(&t, "/account", &w.dee).await;
    assert!(html.text.contains("data-confirm href=\"/account/delete\""));
    let confirm = page(&t, "/account/delete", &w.dee).await;
    assert!(
        confirm.text.contains("This deletes your account")
            && confirm.text.contains("cannot be undone"),
        "{}",
        confirm.text
    );
    // A wrong password shows the confirmation again, with the error by the field.
    let r = post_form(&t, "/account/delete", &w.dee, "password=wrong").await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("Delete your account?"), "{}", r.text);
    assert!(r.text.contains("aria-invalid=\"true\""), "{}", r.text);
    let r = post_form(
        &t,
        "/account/delete",
        &w.dee,
        &format!("password={PASSWORD}"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text);
    t.finish().await;
}
