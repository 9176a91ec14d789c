//! The coverage dashboard, bounded and charted (issue 20, issue 18 §6): the
//! database counts, the answer carries only the first page of each list and
//! stays the same size as people enrol, the lists page on by cursor with a
//! `Link` header, and the page draws four charts with tables and pages its
//! lists without script.

use axum::http::StatusCode;
use rapport_web::testing::{test_database_kinds, TestApp};
use serde_json::Value;

/// Imports `mentees` mentees and three mentors (capacity 2, 1 and 4) into a
/// new programme; returns its slug. Invitations are consumed.
async fn programme_with(t: &TestApp, name: &str, mentees: usize) -> String {
    let slug = t.programme(name, "one_to_one").await;
    let admin = t.admin().await;
    let mut csv = String::from("email,name,role,capacity\n");
    for i in 0..mentees {
        csv.push_str(&format!(
            "{slug}-m{i:03}@example.org,Mentee {i:03},mentee,\n"
        ));
    }
    for (i, cap) in [2, 1, 4].iter().enumerate() {
        csv.push_str(&format!(
            "{slug}-t{i}@example.org,Mentor {i},mentor,{cap}\n"
        ));
    }
    t.app
        .import_people(&t.actor(&admin).await, &slug, csv.as_bytes(), false)
        .await
        .unwrap_or_else(|e| panic!("import: {e}"));
    t.app.run_due_jobs().await.unwrap();
    t.take_emails().await;
    slug
}

async fn dashboard(t: &TestApp, slug: &str) -> (Value, usize) {
    let admin = t.admin().await;
    let r = t
        .reply_text(
            TestApp::request(
                "GET",
                &format!("/api/v1/programmes/{slug}/coverage"),
                admin.auth(),
            )
            .body(axum::body::Body::empty())
            .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    (r.json(), r.text.len())
}

#[tokio::test]
async fn counts_come_from_the_database_and_the_answer_does_not_grow_with_people() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let small = programme_with(&t, "Small Cohort", 25).await;
        let large = programme_with(&t, "Large Cohort", 60).await;
        let (c, small_len) = dashboard(&t, &small).await;
        assert_eq!(c["participants"], 25, "[{kind}] {c}");
        assert_eq!(
            (
                c["matched"].as_u64(),
                c["pending"].as_u64(),
                c["unmatched"].as_u64()
            ),
            (Some(0), Some(0), Some(25)),
            "[{kind}]"
        );
        assert_eq!(c["mentors"], 3);
        assert_eq!(c["applications"], 0);
        assert_eq!(
            c["waiting"].as_array().unwrap().len(),
            20,
            "[{kind}] the first page only"
        );
        assert!(c["waiting_next"].is_string());
        assert_eq!(c["loads"].as_array().unwrap().len(), 3);
        assert!(c["loads_next"].is_null());
        // Histograms: every mentor is empty; everyone has waited under a week.
        assert_eq!(c["mentor_load"][0]["label"], "Empty (0%)");
        assert_eq!(c["mentor_load"][0]["count"], 3);
        assert_eq!(c["time_waiting"][0]["count"], 25);
        assert_eq!(
            c["unplaced_by_reason"].as_array().unwrap().len(),
            0,
            "no round yet"
        );
        let last = c["over_time"].as_array().unwrap().last().cloned().unwrap();
        assert_eq!(
            (last["approved"].as_u64(), last["matched"].as_u64()),
            (Some(25), Some(0))
        );

        let (c, large_len) = dashboard(&t, &large).await;
        assert_eq!(c["unmatched"], 60);
        assert_eq!(c["waiting"].as_array().unwrap().len(), 20);
        // More than twice the people, the same size give or take the
        // digits of the counts: the answer is bounded by the page size.
        assert!(
            large_len.abs_diff(small_len) < 64,
            "[{kind}] the dashboard grew from {small_len} to {large_len} bytes"
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn the_lists_page_by_cursor_with_a_link_header_and_check_their_parameters() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let slug = programme_with(&t, "Paged Cohort", 5).await;
        let admin = t.admin().await;
        let base = format!("/api/v1/programmes/{slug}/coverage/waiting");

        // No cursor: the first page; the Link header names the next one.
        let r = t
            .get(&format!("{base}?limit=2"), admin.auth())
            .await
            .expect(200);
        let link = r
            .headers
            .get("link")
            .expect("a Link header")
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            link.contains("rel=\"next\"") && link.contains("limit=2"),
            "{link}"
        );
        let first: Vec<String> = names(&r.json["waiting"]);
        assert_eq!(first.len(), 2);
        let next = link.split('<').nth(1).unwrap().split('>').next().unwrap();
        let next = next.trim_start_matches("http://rapport.test");
        let path = &next[next.find("/api/").unwrap()..];
        let r = t.get(path, admin.auth()).await.expect(200);
        let second = names(&r.json["waiting"]);
        assert_eq!(second.len(), 2);
        assert!(
            second.iter().all(|n| !first.contains(n)),
            "{first:?} then {second:?}"
        );
        // The third page holds the last one and links back only.
        let link = r.headers.get("link").unwrap().to_str().unwrap().to_string();
        let next = link.split('<').nth(1).unwrap().split('>').next().unwrap();
        let path = &next[next.find("/api/").unwrap()..];
        let r = t.get(path, admin.auth()).await.expect(200);
        assert_eq!(names(&r.json["waiting"]).len(), 1);
        let link = r
            .headers
            .get("link")
            .map(|l| l.to_str().unwrap().to_string())
            .unwrap_or_default();
        assert!(!link.contains("rel=\"next\""), "{link}");

        // Sorting: newest first is the reverse of longest first here (all
        // approved in one import, so ties go by id; both orders are total).
        let all = names(
            &t.get(&format!("{base}?limit=10"), admin.auth())
                .await
                .expect(200)
                .json["waiting"],
        );
        let newest = names(
            &t.get(&format!("{base}?limit=10&sort=newest"), admin.auth())
                .await
                .expect(200)
                .json["waiting"],
        );
        assert_eq!(all.len(), 5);
        assert_eq!(newest.len(), 5);

        // Loads: fullest first, filtered by role, paged with the filter kept.
        let loads = format!("/api/v1/programmes/{slug}/coverage/loads");
        let r = t
            .get(
                &format!("{loads}?limit=1&role=mentor&sort=emptiest"),
                admin.auth(),
            )
            .await
            .expect(200);
        let link = r.headers.get("link").unwrap().to_str().unwrap().to_string();
        assert!(
            link.contains("sort=emptiest") && link.contains("role=mentor"),
            "{link}"
        );
        assert_eq!(r.json["loads"][0]["role"], "mentor");
        assert_eq!(r.json["loads"][0]["seats"], 0);
        let r = t
            .get(&format!("{loads}?role=facilitator"), admin.auth())
            .await
            .expect(200);
        assert_eq!(r.json["loads"].as_array().unwrap().len(), 0);

        // Bad parameters: 422 naming the field.
        for (path, field) in [
            (format!("{base}?sort=sideways"), "sort"),
            (format!("{base}?limit=0"), "limit"),
            (format!("{base}?cursor=nonsense"), "cursor"),
            (format!("{loads}?role=mentee"), "role"),
            (format!("{loads}?sort=longest"), "sort"),
        ] {
            let r = t.get(&path, admin.auth()).await.expect(422);
            assert_eq!(r.error_field(), field, "{path}");
        }
        t.finish().await;
    }
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_page_draws_four_charts_with_tables_and_pages_its_lists_without_script() {
    let t = TestApp::new("sqlite").await;
    let slug = programme_with(&t, "Charted Cohort", 23).await;
    let admin = t.admin().await;
    let page = t
        .reply_text(
            TestApp::request("GET", &format!("/programmes/{slug}/coverage"), admin.auth())
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text;
    for title in [
        "Coverage over time",
        "Mentor load (seats ÷ capacity)",
        "Time waiting for a match",
    ] {
        assert!(
            html.contains("<figcaption id=") && html.contains(title),
            "{title}"
        );
    }
    // Three charts have data, each an SVG with a table alternative; the
    // unplaced chart has no round yet and says so.
    assert_eq!(html.matches("<svg").count(), 3, "{html}");
    assert_eq!(html.matches("the numbers as a table").count(), 3);
    assert!(html.contains("<th scope=\"col\">Waited</th>"));
    assert!(html.contains("<td>Under 1 week</td><td>23</td>"), "{html}");
    assert!(html.contains("Nothing to show yet."));
    // The first page of the waiting list (20 of 23) and a plain link on.
    assert_eq!(html.matches("Match now").count(), 20);
    let next = html
        .split("rel=\"next\"")
        .next()
        .and_then(|h| h.rsplit("href=\"").next())
        .and_then(|h| h.split('"').next())
        .unwrap()
        .replace("&amp;", "&");
    assert!(next.contains("wcursor="), "{next}");
    let second = t
        .reply_text(
            TestApp::request("GET", &next.replace("#waiting", ""), admin.auth())
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(second.text.matches("Match now").count(), 3);
    assert!(second.text.contains(">First page</a>"));
    // A filter form that works without script, and bad input is 422.
    assert!(html.contains("name=\"lrole\"") && html.contains("name=\"wsort\""));
    let bad = t
        .reply_text(
            TestApp::request(
                "GET",
                &format!("/programmes/{slug}/coverage?lsort=up"),
                admin.auth(),
            )
            .body(axum::body::Body::empty())
            .unwrap(),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    t.finish().await;
}

/// The kept dashboard (migration 0027): computed once and read again while
/// nothing it counts changed, and computed again the moment something did,
/// whether written by a use case or straight into the tables (the database
/// moves the programme's version, not the code that writes).
#[tokio::test]
async fn the_kept_dashboard_is_read_until_something_it_counts_changes() {
    use rapport_store::coverage::DAY;
    use rapport_store::ActivityKind;
    use rapport_web::testing::active_pair_room;
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let slug = programme_with(&t, "Kept Cohort", 5).await;
        let admin = t.actor(&t.admin().await).await;
        let programme = t.app.programme(&admin, &slug).await.unwrap().record.id;
        let kept = || async {
            let mut tx = t.store().read().await.unwrap();
            tx.coverage_kept(programme).await.unwrap()
        };
        let c = t.app.coverage(&admin, &slug).await.unwrap();
        assert_eq!(
            (c.participants, c.unmatched, c.mentors),
            (5, 5, 3),
            "[{kind}]"
        );
        let first = kept().await;
        let (version, computed_at, _) = first.snapshot.clone().expect("kept");
        assert_eq!(
            version, first.version,
            "[{kind}] kept at the current version"
        );
        assert_eq!(computed_at, t.app.now());

        // Nothing changed, half a minute on: the kept one is read.
        t.clock.advance(30_000);
        let again = t.app.coverage(&admin, &slug).await.unwrap();
        assert_eq!(again.participants, 5);
        assert_eq!(kept().await, first, "[{kind}] read, not computed again");

        // A room written straight into the tables: counted at once.
        let mentor = t.member("kept-mentor@example.org", "Kept Mentor").await;
        let mentee = t.member("kept-mentee@example.org", "Kept Mentee").await;
        let now = t.app.now();
        let mut tx = t.store().write().await.unwrap();
        active_pair_room(&mut tx, programme, (mentor.id, mentee.id), now, now).await;
        tx.commit().await.unwrap();
        let c = t.app.coverage(&admin, &slug).await.unwrap();
        assert_eq!(
            (c.participants, c.matched, c.unmatched, c.mentors),
            (6, 1, 5, 4),
            "[{kind}]"
        );
        assert!(kept().await.version > first.version);

        // A room's other columns move nothing; its status does.
        let v = kept().await.version;
        let room = {
            let mut tx = t.store().read().await.unwrap();
            tx.rooms_of(mentee.id).await.unwrap()[0].id
        };
        let mut tx = t.store().write().await.unwrap();
        tx.note_room_activity(room, ActivityKind::Message, now + 1)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            kept().await.version,
            v,
            "[{kind}] a message is not a change"
        );
        let mut tx = t.store().write().await.unwrap();
        assert!(tx
            .set_room_status(room, rapport_domain::mentoring::RoomStatus::Paused, now + 2)
            .await
            .unwrap());
        tx.commit().await.unwrap();
        assert!(kept().await.version > v, "[{kind}] a status is");

        // The longest waiting person renames themselves: the list says so.
        let who = c.waiting[0].person_id;
        let mut tx = t.store().write().await.unwrap();
        let mut rec = tx.person(who).await.unwrap().unwrap();
        rec.profile.name = "Renamed Waiter".into();
        tx.update_profile(who, &rec.email, &rec.profile, now + 3)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let c = t.app.coverage(&admin, &slug).await.unwrap();
        assert_eq!(c.waiting[0].name, "Renamed Waiter", "[{kind}]");

        // Only the clock moves: eight days on, the days and the chart follow.
        t.clock.advance(8 * DAY);
        let c = t.app.coverage(&admin, &slug).await.unwrap();
        assert_eq!(c.waiting[0].days, 8, "[{kind}]");
        assert_eq!(c.time_waiting[0].count, 0, "[{kind}] {:?}", c.time_waiting);
        assert_eq!(c.time_waiting[1].count, 5, "[{kind}] {:?}", c.time_waiting);
        t.finish().await;
    }
}
