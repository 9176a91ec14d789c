//! The participants list (issue 18 §6 "Lists", issue 20): paged by cursor,
//! filtered by status, role and name, newest first so a new application is
//! at the top, with the count of applications waiting beside the filter
//! that shows them; the page keeps its filters across a decision.

use axum::http::StatusCode;
use rapport_web::testing::{test_database_kinds, TestApp};
use serde_json::{json, Value};

/// An open programme with `mentees` mentees and two mentors imported
/// (approved), then two members who apply (the newest enrolments).
async fn programme_with_applications(t: &TestApp, mentees: usize) -> String {
    let slug = t.programme("Lists Cohort", "one_to_one").await;
    let admin = t.admin().await;
    let actor = t.actor(&admin).await;
    t.app.move_programme(&actor, &slug, "open").await.unwrap();
    let mut csv = String::from("email,name,role,capacity\n");
    for i in 0..mentees {
        csv.push_str(&format!("m{i:02}@example.org,Mentee {i:02},mentee,\n"));
    }
    csv.push_str("t0@example.org,Tomas Mentor,mentor,2\nt1@example.org,Teodora Mentor,mentor,3\n");
    t.app
        .import_people(&actor, &slug, csv.as_bytes(), false)
        .await
        .unwrap_or_else(|e| panic!("import: {e}"));
    t.app.run_due_jobs().await.unwrap();
    t.take_emails().await;
    for (email, name, role) in [
        ("zara@example.org", "Zara Applicant", "mentee"),
        ("yusuf@example.org", "Yusuf Applicant", "mentor"),
    ] {
        let who = t.member(email, name).await;
        let r = t
            .call(
                "POST",
                &format!("/api/v1/programmes/{slug}/enrolments"),
                who.auth(),
                Some(json!({"role": role, "capacity": "2", "accept_conduct": true})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    }
    t.take_emails().await;
    slug
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("a list: {v}"))
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_api_pages_filters_and_puts_new_applications_first() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let slug = programme_with_applications(&t, 5).await;
        let admin = t.admin().await;
        let base = format!("/api/v1/programmes/{slug}/enrolments");

        // Newest first: the two applications top the list, and the header
        // counts them.
        let r = t
            .get(&format!("{base}?limit=3"), admin.auth())
            .await
            .expect(200);
        let first = names(&r.json);
        assert_eq!(
            first[..2],
            ["Yusuf Applicant", "Zara Applicant"],
            "[{kind}]"
        );
        assert_eq!(r.json[0]["status"], "applied");
        assert_eq!(r.headers.get("x-applications").unwrap(), "2");
        // Cursor pages: every enrolment once, and back again.
        let mut seen = first.clone();
        let mut next = r.link("next");
        let mut last = None;
        while let Some(path) = next {
            assert!(path.contains("limit=3"), "{path}");
            let r = t.get(&path, admin.auth()).await.expect(200);
            seen.extend(names(&r.json));
            next = r.link("next");
            last = Some(r);
        }
        assert_eq!(seen.len(), 5 + 2 + 2, "[{kind}] {seen:?}");
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seen.len(), "no row twice: {seen:?}");
        let back = last.unwrap().link("prev").expect("a way back");
        let r = t.get(&back, admin.auth()).await.expect(200);
        assert_eq!(
            names(&r.json),
            seen[3..6],
            "[{kind}] the page before the last"
        );

        // Oldest first is the other end.
        let r = t
            .get(&format!("{base}?sort=oldest&limit=100"), admin.auth())
            .await
            .expect(200);
        let mut oldest = names(&r.json);
        assert_eq!(
            oldest[7..],
            ["Zara Applicant", "Yusuf Applicant"],
            "[{kind}]"
        );
        oldest.sort();
        assert_eq!(oldest, unique, "[{kind}]");

        // Filters: status, role, name or email; the Link header keeps them.
        let r = t
            .get(&format!("{base}?status=applied"), admin.auth())
            .await
            .expect(200);
        assert_eq!(names(&r.json), ["Yusuf Applicant", "Zara Applicant"]);
        let r = t
            .get(&format!("{base}?role=mentor&status=approved"), admin.auth())
            .await
            .expect(200);
        let mut mentors = names(&r.json);
        mentors.sort();
        assert_eq!(mentors, ["Teodora Mentor", "Tomas Mentor"]);
        let r = t
            .get(&format!("{base}?q=TEODORA"), admin.auth())
            .await
            .expect(200);
        assert_eq!(names(&r.json), ["Teodora Mentor"], "any case");
        let r = t
            .get(&format!("{base}?q=m03%40example"), admin.auth())
            .await
            .expect(200);
        assert_eq!(names(&r.json), ["Mentee 03"], "by email");
        let r = t
            .get(&format!("{base}?q=100%25"), admin.auth())
            .await
            .expect(200);
        assert_eq!(names(&r.json).len(), 0, "% is a character, not a wildcard");
        let r = t
            .get(
                &format!("{base}?role=mentee&q=mentee&limit=2"),
                admin.auth(),
            )
            .await
            .expect(200);
        let next = r.link("next").unwrap();
        assert!(
            next.contains("role=mentee") && next.contains("q=mentee"),
            "{next}"
        );
        let r = t.get(&next, admin.auth()).await.expect(200);
        assert!(names(&r.json).iter().all(|n| n.starts_with("Mentee")));

        // Bad filters: 422 naming the field.
        for (query, field) in [
            ("status=maybe", "status"),
            ("role=peer", "role"),
            ("sort=name", "sort"),
            ("limit=101", "limit"),
            ("cursor=nonsense", "cursor"),
        ] {
            let r = t
                .get(&format!("{base}?{query}"), admin.auth())
                .await
                .expect(422);
            assert_eq!(r.error_field(), field, "{query}");
        }
        let long = "x".repeat(101);
        let r = t
            .get(&format!("{base}?q={long}"), admin.auth())
            .await
            .expect(422);
        assert_eq!(r.error_field(), "q");
        t.finish().await;
    }
}

#[tokio::test]
async fn the_page_shows_new_applications_first_and_keeps_its_filters_after_a_decision() {
    let t = TestApp::new("sqlite").await;
    let slug = programme_with_applications(&t, 3).await;
    let admin = t.admin().await;
    let page = |path: String| {
        let t = &t;
        let admin = &admin;
        async move {
            let r = t
                .reply_text(
                    TestApp::request("GET", &path, admin.auth())
                        .body(axum::body::Body::empty())
                        .unwrap(),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            r.text
        }
    };
    let html = page(format!("/programmes/{slug}/participants")).await;
    assert!(
        html.contains("<strong>2 new applications</strong> waiting for your decision"),
        "{html}"
    );
    assert!(html.contains(&format!(
        "href=\"/programmes/{slug}/participants?status=applied\""
    )));
    // The newest application is the first row.
    let first_row = html
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(
        first_row.contains("Yusuf Applicant") && first_row.contains("new application"),
        "{first_row}"
    );

    // Filtered to applications: only they are listed, and the filter shows.
    let html = page(format!("/programmes/{slug}/participants?status=applied")).await;
    assert_eq!(html.matches("<tr>").count(), 1 + 2, "a header and two rows");
    assert!(html.contains("<option value=\"applied\" selected>New applications</option>"));
    assert!(html.contains("Clear the filters"));
    // The count stays; the link to the list already shown goes.
    assert!(html.contains("<strong>2 new applications</strong> waiting for your decision."));
    assert!(!html.contains("Show only new applications"), "{html}");

    // A decision from the filtered list comes back to it.
    let zara = t
        .get(
            &format!("/api/v1/programmes/{slug}/enrolments?q=zara"),
            admin.auth(),
        )
        .await
        .expect(200)
        .json[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = t
        .reply_text(
            TestApp::request(
                "POST",
                &format!("/programmes/{slug}/participants/{zara}/decision"),
                admin.auth(),
            )
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(
                "decision=approved&list=status%3Dapplied",
            ))
            .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    t.expect_email("zara@example.org", "Your application").await;
    let location = r
        .headers
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        location,
        format!("/programmes/{slug}/participants?done=decided&status=applied")
    );
    let html = page(location).await;
    assert!(
        html.contains("<strong>1 new application</strong>"),
        "{html}"
    );
    assert!(!html.contains("Zara Applicant"));

    // Nothing matches: the page says so instead of an empty table.
    let html = page(format!("/programmes/{slug}/participants?q=nobody-at-all")).await;
    assert!(html.contains("Nobody matches these filters."));
    t.finish().await;
}
