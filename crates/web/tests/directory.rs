//! Issue 20: the people directory finds partial names and skills, newest
//! first, pages by cursor with a `Link` header, counts exactly, up to a cap,
//! or estimates a common word's total, and API tokens record their use at
//! most every five minutes.

use rapport_app::Clock;
use rapport_web::testing::{test_database_kinds, Auth::Bearer, Auth::Cookie, Reply, TestApp};
use serde_json::{json, Value};

fn profile(name: &str, skills: &[&str]) -> Value {
    json!({
        "name": name,
        "level": "professional_contributor",
        "skills_offered": skills,
        "skills_wanted": [],
        "interests": [],
        "goal_tags": [],
        "languages": "English",
        "time_zone": "Europe/Paris",
        "availability": "",
        "department": "",
        "manager_email": "",
        "visibility": "members"
    })
}

fn names(reply: &Value) -> Vec<String> {
    reply["people"]
        .as_array()
        .expect("a list of people")
        .iter()
        .map(|p| p["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn link_of(reply: &Reply) -> Option<String> {
    reply
        .headers
        .get("link")
        .map(|v| v.to_str().unwrap().to_string())
}

/// The `rel="next"` URL of a `Link` header, made relative to the site.
fn next_link(link: &str) -> Option<String> {
    link.split(", ")
        .find(|l| l.ends_with("rel=\"next\""))
        .map(|l| {
            l.trim_start_matches('<')
                .split('>')
                .next()
                .unwrap()
                .trim_start_matches(rapport_web::testing::BASE_URL)
                .to_string()
        })
}

#[tokio::test]
async fn the_directory_finds_partial_names_and_skills() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let viewer = t.member("viewer@example.org", "Viewer Person").await;
        for (email, name, skills) in [
            ("mariana@example.org", "Mariana Costa", vec!["Negotiation"]),
            (
                "marisol@example.org",
                "Marisol Vega",
                vec!["Public speaking"],
            ),
            ("ana@example.org", "Ana Lima", vec!["Rust", "Negotiation"]),
            ("bruno@example.org", "Bruno Silva", vec!["Delegation"]),
        ] {
            let p = t.member(email, name).await;
            t.call(
                "PUT",
                &format!("/api/v1/people/{}/profile", p.id),
                Cookie(&p.cookie),
                Some(profile(name, &skills)),
            )
            .await
            .expect(200);
        }
        let search = |q: &str| {
            let path = format!("/api/v1/people?q={q}");
            let t = &t;
            let cookie = viewer.cookie.clone();
            async move { t.get(&path, Cookie(&cookie)).await.expect(200).json }
        };
        // A partial name, at the start of a word and inside one.
        let mut found = names(&search("mari").await);
        found.sort();
        assert_eq!(found, ["Mariana Costa", "Marisol Vega"]);
        let inside = names(&search("ana").await);
        assert!(inside.contains(&"Mariana Costa".to_string()), "{inside:?}");
        assert!(inside.contains(&"Ana Lima".to_string()), "{inside:?}");
        // A skill, and a skill with a name: every word must match.
        let mut negotiators = names(&search("negotiation").await);
        negotiators.sort();
        assert_eq!(negotiators, ["Ana Lima", "Mariana Costa"]);
        assert_eq!(names(&search("negotiation%20lima").await), ["Ana Lima"]);
        // Case does not matter; a short word narrows the matches.
        assert_eq!(names(&search("MARIANA").await), ["Mariana Costa"]);
        assert_eq!(names(&search("mari%20ve").await), ["Marisol Vega"]);
        let r = search("zzzqqq").await;
        assert_eq!(
            (r["total"].clone(), r["more"].clone()),
            (json!(0), json!(false))
        );

        // A profile edit is searchable at once: the index is written with it.
        let bruno = t
            .store()
            .read()
            .await
            .unwrap()
            .person_by_email("bruno@example.org")
            .await
            .unwrap()
            .unwrap();
        let admin = t.admin().await;
        t.call(
            "PUT",
            &format!("/api/v1/people/{}/profile", bruno.id),
            Cookie(&admin.cookie),
            Some(profile("Bruno Silva", &["Kubernetes"])),
        )
        .await
        .expect(200);
        assert_eq!(names(&search("kubern").await), ["Bruno Silva"]);
        assert!(names(&search("delegation").await).is_empty());

        // The page shows the same matches.
        let page = t
            .reply_text(
                TestApp::request("GET", "/people?q=mari", Cookie(&viewer.cookie))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert!(page.text.contains("Mariana Costa"), "{}", page.text);
        assert!(!page.text.contains("Bruno Silva"));
        t.finish().await;
    }
}

#[tokio::test]
async fn the_directory_pages_by_cursor_with_a_link_header() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let viewer = t.member("viewer@example.org", "Viewer Person").await;
        for i in 0..7 {
            t.member(
                &format!("coach{i}@example.org"),
                &format!("Coach Number{i}"),
            )
            .await;
            t.clock.advance(1_000);
        }
        // No cursor: the first page, newest first, with a next link.
        let first = t
            .get("/api/v1/people?limit=3", Cookie(&viewer.cookie))
            .await
            .expect(200);
        assert_eq!(
            names(&first.json),
            ["Coach Number6", "Coach Number5", "Coach Number4"]
        );
        assert_eq!(first.json["total"], 8);
        assert_eq!(first.json["page"], 1);
        let mut seen = names(&first.json);
        let mut link = next_link(&link_of(&first).expect("a Link header"));
        while let Some(next) = link {
            assert!(next.contains("cursor="), "{next}");
            let r = t.get(&next, Cookie(&viewer.cookie)).await.expect(200);
            assert!(r.json["page"].is_null(), "read by cursor");
            seen.extend(names(&r.json));
            link = link_of(&r).and_then(|l| next_link(&l));
        }
        assert_eq!(seen.len(), 8, "every member once: {seen:?}");
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 8);

        // A search pages too, and its links keep the words.
        let first = t
            .get("/api/v1/people?q=coach&limit=4", Cookie(&viewer.cookie))
            .await
            .expect(200);
        let next = next_link(&link_of(&first).expect("a Link header")).unwrap();
        assert!(next.starts_with("/api/v1/people?q=coach&cursor="), "{next}");
        let second = t.get(&next, Cookie(&viewer.cookie)).await.expect(200);
        let mut all = names(&first.json);
        all.extend(names(&second.json));
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 7, "{all:?}");

        // The page offers the next page by cursor.
        let page = t
            .reply_text(
                TestApp::request("GET", "/people?q=coach", Cookie(&viewer.cookie))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert!(page.text.contains("7 people found"), "{}", page.text);

        // A cursor Rapport did not make is 422 naming it.
        t.get("/api/v1/people?cursor=bzox", Cookie(&viewer.cookie))
            .await
            .expect_error(422, "invalid_field");
        t.finish().await;
    }
}

#[tokio::test]
async fn a_common_word_gets_an_estimated_total_on_the_api_and_the_page() {
    use rapport_domain::person::{AccountStatus, Profile};
    use rapport_domain::values::PersonName;
    use rapport_domain::PersonId;
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let viewer = t.member("viewer@example.org", "Viewer Person").await;
        // 400 members written straight to the store (signing each up would
        // hash 400 passwords); every other one coaches.
        let mut tx = t.store().write().await.unwrap();
        for i in 0..400 {
            let mut profile =
                Profile::new(PersonName::parse("name", &format!("Member {i:03}")).unwrap());
            if i % 2 == 0 {
                profile.skills_offered = vec!["Coaching".into()];
            }
            tx.insert_person(&rapport_store::NewPerson {
                id: PersonId::new(),
                email: format!("m{i}@example.org"),
                status: AccountStatus::Active,
                is_admin: false,
                password_hash: Some("not a real hash".into()),
                email_verified_at: None,
                profile,
                now: 1_000 + i,
            })
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let r = t
            .get("/api/v1/people?q=coaching", Cookie(&viewer.cookie))
            .await
            .expect(200);
        assert_eq!(r.json["estimated"], true, "{}", r.json);
        assert_eq!(r.json["more"], false);
        let total = r.json["total"].as_i64().unwrap();
        assert!((140..=260).contains(&total), "about 200: {total}");
        // Newest first: the newest coach is member 398.
        assert_eq!(names(&r.json)[0], "Member 398");
        // Without words the count is exact: 400 and the viewer.
        let r = t
            .get("/api/v1/people", Cookie(&viewer.cookie))
            .await
            .expect(200);
        assert_eq!(
            (r.json["total"].clone(), r.json["estimated"].clone()),
            (json!(401), json!(false))
        );
        // A rare word is counted exactly.
        let r = t
            .get("/api/v1/people?q=member%20007", Cookie(&viewer.cookie))
            .await
            .expect(200);
        assert_eq!(
            (r.json["total"].clone(), r.json["estimated"].clone()),
            (json!(1), json!(false))
        );
        let page = t
            .reply_text(
                TestApp::request("GET", "/people?q=coaching", Cookie(&viewer.cookie))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert!(
            page.text.contains(&format!("About {total} people found")),
            "{}",
            page.text
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn a_token_records_its_use_at_most_every_five_minutes() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let ana = t.member("ana@example.org", "Ana Lima").await;
        let created = t
            .call(
                "POST",
                "/api/v1/me/tokens",
                Cookie(&ana.cookie),
                Some(json!({"name": "script"})),
            )
            .await
            .expect(201);
        let secret = created.json["secret"].as_str().unwrap().to_string();
        let last_used = || async {
            t.get("/api/v1/me/tokens", Cookie(&ana.cookie))
                .await
                .expect(200)
                .json["tokens"][0]["last_used_at"]
                .as_i64()
        };
        assert_eq!(last_used().await, None);
        let before = t.clock.now_ms();
        t.get("/api/v1/me", Bearer(&secret)).await.expect(200);
        let first = last_used().await.expect("the first use is recorded");
        assert!(first >= before);
        // Within five minutes, uses are reads: nothing is written.
        t.clock.advance(4 * 60_000);
        t.get("/api/v1/me", Bearer(&secret)).await.expect(200);
        assert_eq!(last_used().await, Some(first));
        // Past five minutes, the next use is recorded again.
        t.clock.advance(2 * 60_000);
        let later = t.clock.now_ms();
        t.get("/api/v1/me", Bearer(&secret)).await.expect(200);
        assert!(last_used().await.is_some_and(|at| at >= later));
        t.finish().await;
    }
}
