//! Forms that help (issue 18 §2): the profile's pickers, the programme form
//! by kind, the questions list and the matching settings form, each posted
//! as a browser without JavaScript posts it.

use axum::body::Body;
use axum::http::header;
use rapport_web::testing::{test_database_kinds, Person, TestApp, TextReply};

async fn post_form(t: &TestApp, path: &str, who: &Person, body: &str) -> TextReply {
    t.reply_text(
        TestApp::request("POST", path, who.auth())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

async fn page(t: &TestApp, path: &str, who: &Person) -> TextReply {
    t.reply_text(
        TestApp::request("GET", path, who.auth())
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

fn checked(html: &str, name: &str, value: &str) -> bool {
    let needle = format!(r#"name="{name}" value="{value}""#);
    html.split(&needle)
        .nth(1)
        .is_some_and(|rest| rest.split('>').next().unwrap().contains("checked"))
}

#[tokio::test]
async fn the_profile_is_filled_with_the_pickers_without_javascript() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let admin = t.admin().await;
        for skill in ["Coaching", "Delegation", "Hiring"] {
            t.app
                .add_skill(&t.actor(&admin).await, skill)
                .await
                .unwrap();
        }
        let ana = t.member("ana@example.org", "Ana Lima").await;
        let edit = format!("/people/{}/edit", ana.id);
        let form = page(&t, &edit, &ana).await;
        assert_eq!(form.status, 200);
        for part in [
            r#"type="checkbox" name="skills_offered" value="Coaching""#,
            r#"name="skills_wanted" value="Hiring""#,
            r#"list="l-time_zone""#,
            r#"<option value="Europe/Lisbon">"#,
            r#"value="mon-09""#,
            r#"aria-label="Monday 09:00 to 10:00""#,
            r#"<script src="/static/forms.js" defer></script>"#,
        ] {
            assert!(form.text.contains(part), "no {part} in the form");
        }
        let saved = post_form(
            &t,
            &edit,
            &ana,
            "name=Ana+Lima&level=team_leader&years_experience=7\
             &skills_offered=Coaching&skills_offered=Hiring&skills_offered_other=Rust\
             &skills_wanted=Delegation&skills_wanted_other=\
             &time_zone=Europe%2FLisbon\
             &availability=mon-09&availability=mon-10&availability=thu-18\
             &visibility=members",
        )
        .await;
        assert_eq!(saved.status, 303, "{}", saved.text);
        let view = t
            .app
            .profile(&t.actor(&ana).await, ana.id)
            .await
            .unwrap()
            .profile;
        assert_eq!(view.skills_offered, ["Coaching", "Hiring", "Rust"]);
        assert_eq!(view.skills_wanted, ["Delegation"]);
        assert_eq!(view.time_zone.to_string(), "Europe/Lisbon");
        let windows: Vec<String> = view.availability.iter().map(|w| w.display()).collect();
        assert_eq!(windows, ["mon 09:00-11:00", "thu 18:00-19:00"]);
        // The form shows it all back: ticked boxes, the other skill typed.
        let again = page(&t, &edit, &ana).await.text;
        assert!(checked(&again, "skills_offered", "Coaching"));
        assert!(!checked(&again, "skills_offered", "Delegation"));
        assert!(checked(&again, "skills_wanted", "Delegation"));
        assert!(checked(&again, "availability", "mon-09"));
        assert!(checked(&again, "availability", "mon-10"));
        assert!(!checked(&again, "availability", "mon-11"));
        assert!(again.contains(r#"name="skills_offered_other" type="text" value="Rust""#));
        // Unticking every hour clears the availability.
        let cleared = post_form(
            &t,
            &edit,
            &ana,
            "name=Ana+Lima&level=team_leader&time_zone=Europe%2FLisbon&visibility=members",
        )
        .await;
        assert_eq!(cleared.status, 303);
        let view = t.app.profile(&t.actor(&ana).await, ana.id).await.unwrap();
        assert!(view.profile.availability.is_empty());
        t.finish().await;
    }
}

#[tokio::test]
async fn profile_errors_are_summarised_at_the_top_and_keep_what_was_entered() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let admin = t.admin().await;
        t.app
            .add_skill(&t.actor(&admin).await, "Coaching")
            .await
            .unwrap();
        let bo = t.member("bo@example.org", "Bo").await;
        let edit = format!("/people/{}/edit", bo.id);
        let r = post_form(
            &t,
            &edit,
            &bo,
            "name=&level=team_leader&years_experience=99&skills_offered=Coaching\
             &time_zone=Mars%2FBase&availability=tue-08&availability=someday&visibility=members",
        )
        .await;
        assert_eq!(r.status, 422);
        let html = r.text;
        let summary = html
            .split(r#"<div class="error-summary" role="alert" tabindex="-1""#)
            .nth(1)
            .expect("an error summary")
            .split("</div>")
            .next()
            .unwrap();
        for field in ["name", "years_experience", "time_zone", "availability"] {
            assert!(
                summary.contains(&format!(r##"href="#f-{field}""##)),
                "the summary does not link to {field}: {summary}"
            );
            assert!(
                html.contains(&format!(r#"id="f-{field}""#)),
                "no field {field}"
            );
        }
        // What was entered is kept: the zone typed, the box ticked, the hour.
        assert!(html.contains(r#"value="Mars/Base""#));
        assert!(checked(&html, "skills_offered", "Coaching"));
        assert!(checked(&html, "availability", "tue-08"));
        assert!(html.contains("someday"));
        t.finish().await;
    }
}

#[tokio::test]
async fn the_script_is_a_file_the_policy_allows() {
    let t = TestApp::new("sqlite").await;
    let r = t
        .reply_text(
            TestApp::request(
                "GET",
                "/static/forms.js",
                rapport_web::testing::Auth::Anonymous,
            )
            .body(Body::empty())
            .unwrap(),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert!(r.text.contains("resolvedOptions().timeZone"));
    t.finish().await;
}

#[tokio::test]
async fn the_programme_form_shows_only_the_fields_of_its_kind() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let admin = t.admin().await;
        let pair = t.programme("Pairs", "one_to_one").await;
        let circles = t.programme("Circles", "circle").await;
        let pairs_form = page(&t, &format!("/programmes/{pair}/edit"), &admin)
            .await
            .text;
        assert!(pairs_form.contains(r#"id="f-default_capacity""#));
        assert!(!pairs_form.contains(r#"id="f-group_min""#));
        assert!(!pairs_form.contains("Smallest peer circle"));
        // Hidden fields post back unchanged, so saving keeps them.
        assert!(pairs_form.contains(r#"type="hidden" name="group_min""#));
        let circle_form = page(&t, &format!("/programmes/{circles}/edit"), &admin)
            .await
            .text;
        assert!(circle_form.contains(r#"id="f-group_min""#));
        assert!(!circle_form.contains(r#"id="f-default_capacity""#));
        // Creating: the kind can change, so every field is there, marked for
        // the script that hides what does not apply.
        let new = page(&t, "/programmes/new", &admin).await.text;
        assert!(new.contains(r#"data-only-for="circle""#));
        assert!(new.contains(r#"data-only-for="one_to_one group reverse""#));
        t.finish().await;
    }
}
