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

/// The settings form's body that posts `controls` as they stand.
fn settings_body(controls: &[rapport_app::matching_form::SettingControl]) -> Vec<(String, String)> {
    use rapport_app::matching_form::ControlKind;
    let mut body = vec![];
    for c in controls {
        if c.kind != ControlKind::Toggle {
            body.push((c.name.to_string(), c.value.clone()));
        }
        if c.on && matches!(c.kind, ControlKind::Toggle | ControlKind::ToggleNumber) {
            body.push((c.toggle_name(), "true".to_string()));
        }
    }
    body
}

fn encode(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn set(pairs: &mut Vec<(String, String)>, name: &str, value: &str) {
    pairs.retain(|(k, _)| k != name);
    pairs.push((name.to_string(), value.to_string()));
}

#[tokio::test]
async fn the_matching_settings_form_round_trips_to_the_same_toml() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let admin = t.admin().await;
        let slug = t.programme("Leaders", "one_to_one").await;
        let actor = t.actor(&admin).await;
        let path = format!("/programmes/{slug}/settings");
        let html = page(&t, &path, &admin).await.text;
        for part in [
            r#"id="f-weights.availability""#,
            "Hours both people are free in the same week.",
            r#"name="reach.require_shared_language.on""#,
            r#"name="reach.max_time_zone_hours.on""#,
            "Import or export as TOML",
            r#"name="settings""#,
        ] {
            assert!(html.contains(part), "no {part} on the settings page");
        }
        // Posting the form unchanged leaves the TOML exactly as it was.
        let before = t.app.matching_settings(&actor, &slug).await.unwrap();
        let controls = t
            .app
            .matching_settings_controls(&actor, &slug)
            .await
            .unwrap();
        let mut body = settings_body(&controls);
        assert_eq!(
            post_form(&t, &path, &admin, &encode(&body)).await.status,
            303
        );
        assert_eq!(
            t.app.matching_settings(&actor, &slug).await.unwrap(),
            before
        );
        // A weight and a rule with its limit change just those settings.
        set(&mut body, "weights.availability", "25");
        set(&mut body, "reach.max_time_zone_hours.on", "true");
        set(&mut body, "reach.max_time_zone_hours", "4");
        body.retain(|(k, _)| k != "reach.require_shared_language.on");
        assert_eq!(
            post_form(&t, &path, &admin, &encode(&body)).await.status,
            303
        );
        let after = t.app.matching_settings(&actor, &slug).await.unwrap();
        let mut expected: toml::Value = toml::from_str(&before).unwrap();
        expected["weights"]["availability"] = toml::Value::Integer(25);
        let reach = expected["reach"].as_table_mut().unwrap();
        reach.insert("max_time_zone_hours".into(), toml::Value::Float(4.0));
        expected["reach"]["require_shared_language"] = toml::Value::Boolean(false);
        assert_eq!(toml::from_str::<toml::Value>(&after).unwrap(), expected);
        // The TOML import still works, and its result shows in the form.
        let imported = after.replace("availability = 25", "availability = 30");
        let r = post_form(
            &t,
            &path,
            &admin,
            &format!("settings={}", urlencode(&imported)),
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.text);
        let html = page(&t, &path, &admin).await.text;
        assert!(html.contains(r#"name="weights.availability" type="number" inputmode="numeric" min="0" max="100" step="1" value="30""#));
        t.finish().await;
    }
}

#[tokio::test]
async fn settings_errors_are_summarised_and_keep_what_was_typed() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let admin = t.admin().await;
        let slug = t.programme("Leaders", "one_to_one").await;
        let actor = t.actor(&admin).await;
        let path = format!("/programmes/{slug}/settings");
        let before = t.app.matching_settings(&actor, &slug).await.unwrap();
        let controls = t
            .app
            .matching_settings_controls(&actor, &slug)
            .await
            .unwrap();
        let mut body = settings_body(&controls);
        set(&mut body, "weights.skills", "lots");
        set(&mut body, "reach.min_overlap_hours.on", "true");
        set(&mut body, "reach.min_overlap_hours", "200");
        let r = post_form(&t, &path, &admin, &encode(&body)).await;
        assert_eq!(r.status, 422);
        assert!(
            r.text.contains(r##"href="#f-weights.skills""##),
            "{}",
            r.text
        );
        assert!(r.text.contains(r##"href="#f-reach.min_overlap_hours""##));
        assert!(r.text.contains(r#"value="lots""#) && r.text.contains(r#"value="200""#));
        // Nothing was saved.
        assert_eq!(
            t.app.matching_settings(&actor, &slug).await.unwrap(),
            before
        );
        // A refused import keeps the typed TOML, opens the box, says why.
        let r = post_form(&t, &path, &admin, "settings=colour+%3D+1").await;
        assert_eq!(r.status, 422);
        assert!(r.text.contains("<details class=\"card\" open>") && r.text.contains("colour = 1"));
        assert!(r.text.contains("error-summary"));
        t.finish().await;
    }
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
