//! Requests paged with the house cursor (issue 20 cause 5), the sender's
//! card for the one answering a request (issue 18 §6), and enrolment
//! questions edited as a list with stable ids (issue 18 §2), on each
//! database through the real router.

use axum::body::Body;
use axum::http::header;
use rapport_domain::mentoring::{RequestDirection, RequestStatus};
use rapport_domain::person::LeadershipLevel;
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::values::TimeZoneName;
use rapport_domain::{PersonId, ProgrammeId, RequestId};
use rapport_store::{EnrolmentRecord, RequestRecord};
use rapport_web::testing::{test_database_kinds, Auth, Person, TestApp, TextReply, START_MS};
use serde_json::{json, Value};

fn enrolment(programme: ProgrammeId, person: PersonId, role: ProgrammeRole) -> EnrolmentRecord {
    EnrolmentRecord {
        created_at: START_MS,
        ..rapport_web::testing::approved_enrolment(programme, person, role)
    }
}

fn request(programme: ProgrammeId, mentee: PersonId, mentor: PersonId, at: i64) -> RequestRecord {
    RequestRecord {
        id: RequestId::new(),
        programme_id: programme,
        mentee_id: mentee,
        mentor_id: mentor,
        direction: RequestDirection::Request,
        status: RequestStatus::Pending,
        message: "Would you mentor me?".into(),
        expires_at: START_MS + 14 * 86_400_000,
        created_at: at,
        queue: vec![],
        question: None,
        answer: None,
        decline_reason: None,
    }
}

async fn page(t: &TestApp, path: &str, who: &Person) -> TextReply {
    t.reply_text(
        TestApp::request("GET", path, who.auth())
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

async fn post_form(t: &TestApp, path: &str, who: &Person, body: &str) -> TextReply {
    let req = TestApp::request("POST", path, who.auth())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap();
    t.reply_text(req).await
}

fn next_link(headers: &axum::http::HeaderMap) -> Option<String> {
    let link = headers.get(header::LINK)?.to_str().ok()?.to_string();
    link.split(',')
        .find(|l| l.contains("rel=\"next\""))
        .and_then(|l| l.split('<').nth(1))
        .and_then(|l| l.split('>').next())
        .map(|url| {
            // The link is absolute on the base URL; the router takes the path.
            let i = url.find("/api/v1/").expect("an API link");
            url[i..].to_string()
        })
}

#[tokio::test]
async fn requests_come_a_page_at_a_time_and_the_mentor_sees_who_is_asking() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let slug = t.programme("Leadership Foundations", "one_to_one").await;
        let mentor = t.member("ana@example.org", "Ana Mentor").await;
        let outsider = t.member("oz@example.org", "Oz Outsider").await;
        let mut mentees = vec![];
        for i in 0..5 {
            mentees.push(
                t.member(&format!("m{i}@example.org"), &format!("Mentee {i}"))
                    .await,
            );
        }
        let mut tx = t.store().write().await.unwrap();
        let p = tx.programme_by_slug(&slug).await.unwrap().unwrap();
        tx.grant_role(p.id, mentor.id, ProgrammeRole::Mentor, 0)
            .await
            .unwrap();
        tx.insert_enrolment(&enrolment(p.id, mentor.id, ProgrammeRole::Mentor))
            .await
            .unwrap();
        let mut ids = vec![];
        for (i, m) in mentees.iter().enumerate() {
            tx.grant_role(p.id, m.id, ProgrammeRole::Mentee, 0)
                .await
                .unwrap();
            tx.insert_enrolment(&enrolment(p.id, m.id, ProgrammeRole::Mentee))
                .await
                .unwrap();
            let r = request(p.id, m.id, mentor.id, START_MS + i as i64 * 1000);
            ids.push(r.id);
            tx.insert_request(&r).await.unwrap();
        }
        // Mentee 4, the newest, says who they are.
        let mut bea = tx.person(mentees[4].id).await.unwrap().unwrap();
        bea.profile.level = LeadershipLevel::TeamLeader;
        bea.profile.skills_wanted = vec!["Delegation".into(), "Hiring".into()];
        bea.profile.goal_tags = vec!["First-time manager".into()];
        bea.profile.goals = "Lead my first team well.".into();
        bea.profile.time_zone = TimeZoneName::parse("time_zone", "Europe/Lisbon").unwrap();
        tx.update_profile(bea.id, bea.email.as_str(), &bea.profile, START_MS)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // No cursor: the first page, the same body shape as before, with
        // a Link to the next page; following it walks every request once.
        let first = t
            .get("/api/v1/requests?limit=2", mentor.auth())
            .await
            .expect(200);
        let rows = first.json.as_array().expect("a list").clone();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["id"], ids[4].to_string());
        assert_eq!(rows[0]["mentee_name"], "Mentee 4");
        assert_eq!(rows[0]["programme"], "Leadership Foundations");
        assert_eq!(rows[0]["incoming"], true);
        let mut seen: Vec<String> = rows
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        let mut next = next_link(&first.headers);
        while let Some(path) = next {
            let r = t.get(&path, mentor.auth()).await.expect(200);
            seen.extend(
                r.json
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["id"].as_str().unwrap().to_string()),
            );
            next = next_link(&r.headers);
        }
        let want: Vec<String> = ids.iter().rev().map(|i| i.to_string()).collect();
        assert_eq!(seen, want);
        // Without a limit, all five fit the default page and no Link is sent.
        let all = t.get("/api/v1/requests", mentor.auth()).await.expect(200);
        assert_eq!(all.json.as_array().unwrap().len(), 5);
        assert!(all.headers.get(header::LINK).is_none());
        t.get("/api/v1/requests?cursor=nonsense", mentor.auth())
            .await
            .expect_error(422, "invalid_field");

        // The detail: the mentor sees the sender's card; the sender sees
        // none; anyone else, nothing at all.
        let path = format!("/api/v1/requests/{}", ids[4]);
        let d = t.get(&path, mentor.auth()).await.expect(200).json;
        assert_eq!(d["request"]["id"], ids[4].to_string());
        let s = &d["sender"];
        assert_eq!(s["name"], "Mentee 4");
        assert_eq!(s["level"], "team_leader");
        assert_eq!(s["skills_wanted"], json!(["Delegation", "Hiring"]));
        assert_eq!(s["goal_tags"], json!(["First-time manager"]));
        assert_eq!(s["time_zone"], "Europe/Lisbon");
        assert!(s["local_time"].as_str().unwrap().ends_with("(Lisbon)"));
        assert!(s["profile_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/people/{}", mentees[4].id)));
        let own = t.get(&path, mentees[4].auth()).await.expect(200).json;
        assert_eq!(own["sender"], Value::Null);
        t.get(&path, outsider.auth())
            .await
            .expect_error(404, "not_found");
        t.get(&path, Auth::Anonymous).await.expect(401);

        // The page: the mentor sees the card and a link to the profile,
        // twenty requests a page.
        let html = page(&t, "/requests", &mentor).await.text;
        assert!(html.contains("Delegation, Hiring"), "{html}");
        assert!(
            html.contains("Team leader")
                || html.contains("team leader")
                || html.contains("Team Leader"),
            "{html}"
        );
        assert!(html.contains("Europe/Lisbon"));
        assert!(html.contains(&format!("href=\"/people/{}\"", mentees[4].id)));
        assert!(!html.contains("Older requests"));
        t.finish().await;
    }
}

#[tokio::test]
async fn questions_are_edited_as_a_list_and_keep_their_ids() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let admin = t.admin().await;
        let slug = t.programme("Leadership Foundations", "one_to_one").await;
        let edit = format!("/programmes/{slug}/edit");
        let api = format!("/api/v1/programmes/{slug}");
        let questions = |v: &Value| v["questions"].as_array().unwrap().clone();

        // The API takes the list as JSON; errors name the question's field.
        let bad = t
            .call(
                "PUT",
                &api,
                admin.auth(),
                Some(json!({"name": "Leadership Foundations", "questions": [
                    {"prompt": "Format?", "kind": "single", "choices": ["Video", "In person"]},
                    {"prompt": "Topics?", "kind": "multiple", "choices": ["Only one"]},
                ]})),
            )
            .await;
        assert_eq!(bad.status.as_u16(), 422, "{:?}", bad.json);
        assert_eq!(bad.error_field(), "questions[1].choices");

        let saved = t
            .call(
                "PUT",
                &api,
                admin.auth(),
                Some(json!({"name": "Leadership Foundations", "questions": [
                    {"prompt": "Format?", "kind": "single", "choices": ["Video", "In person"], "required": true},
                    {"prompt": "Confident leading?", "kind": "scale", "choices": ["Not at all", "Very"]},
                    {"prompt": "Anything else?", "kind": "text"},
                ]})),
            )
            .await
            .expect(200)
            .json;
        let qs = questions(&saved);
        assert_eq!(qs.len(), 3);
        assert_eq!(qs[0]["required"], true);
        assert_eq!(qs[1]["kind"], "scale");
        let (format_id, scale_id, text_id) = (
            qs[0]["id"].as_str().unwrap().to_string(),
            qs[1]["id"].as_str().unwrap().to_string(),
            qs[2]["id"].as_str().unwrap().to_string(),
        );

        // The no-JS editor: each question a fieldset; "add" posts back a
        // blank one and saves nothing.
        let form = page(&t, &edit, &admin).await;
        assert!(
            form.text.contains(
                "name=\"questions[1].prompt\" type=\"text\" value=\"Confident leading?\""
            ),
            "{}",
            form.text
        );
        assert!(form
            .text
            .contains(&format!("name=\"questions[0].id\" value=\"{format_id}\"")));
        let fields = format!(
            "name=Leadership+Foundations&question_editor=1\
             &questions[0].id={format_id}&questions[0].prompt=Format%3F&questions[0].kind=single&questions[0].choices=Video%0AIn+person&questions[0].required=true\
             &questions[1].id={scale_id}&questions[1].prompt=Confident+leading%3F&questions[1].kind=scale&questions[1].choices=Not+at+all%0AVery\
             &questions[2].id={text_id}&questions[2].prompt=Anything+else%3F&questions[2].kind=text"
        );
        let added = post_form(&t, &edit, &admin, &format!("{fields}&question_move=add")).await;
        assert_eq!(added.status.as_u16(), 200);
        assert!(added.text.contains("Question 4"));
        assert!(added.text.contains("name=\"questions[3].prompt\""));
        let moved = post_form(&t, &edit, &admin, &format!("{fields}&question_move=up-2")).await;
        assert!(moved
            .text
            .contains("name=\"questions[1].prompt\" type=\"text\" value=\"Anything else?\""));
        let unchanged = t.get(&api, admin.auth()).await.expect(200).json;
        assert_eq!(questions(&unchanged).len(), 3);

        // Save with the first removed and the other two swapped: the ids
        // stay with their questions.
        let reordered = format!(
            "name=Leadership+Foundations&question_editor=1\
             &questions[0].id={text_id}&questions[0].prompt=Anything+else%3F&questions[0].kind=text\
             &questions[1].id={scale_id}&questions[1].prompt=How+confident%3F&questions[1].kind=scale&questions[1].choices=Not+at+all%0AVery"
        );
        let r = post_form(&t, &edit, &admin, &reordered).await;
        assert_eq!(r.status.as_u16(), 303, "{}", r.text);
        let after = questions(&t.get(&api, admin.auth()).await.expect(200).json);
        assert_eq!(after.len(), 2);
        assert_eq!(after[0]["id"], text_id.as_str());
        assert_eq!(after[1]["id"], scale_id.as_str());
        assert_eq!(after[1]["prompt"], "How confident?");

        // A bad row comes back beside its fieldset and in the summary.
        let wrong = "name=Leadership+Foundations&question_editor=1\
             &questions[0].prompt=Pick%3F&questions[0].kind=single&questions[0].choices=Only";
        let r = post_form(&t, &edit, &admin, wrong).await;
        assert_eq!(r.status.as_u16(), 422, "{}", r.text);
        assert!(r.text.contains("id=\"e-q-0-choices\""), "{}", r.text);
        assert!(
            r.text
                .contains("Question 1: a choice question needs at least two choices"),
            "{}",
            r.text
        );

        // The enrolment form renders the scale with its labels.
        let enrol = page(&t, &format!("/programmes/{slug}/enrol"), &admin).await;
        if enrol.status.as_u16() == 200 {
            assert!(enrol.text.contains("1 — Not at all"), "{}", enrol.text);
            assert!(enrol.text.contains("5 — Very"));
        }
        t.finish().await;
    }
}
