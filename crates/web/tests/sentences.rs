//! Issue 18, §7: error messages begin with a capital letter and read as
//! sentences. The walk sends every API route (from the route table, so a new
//! route is walked too) a request it must refuse: anonymous, as a member
//! with ids that name nothing, with an empty JSON object, and with a body
//! that is not JSON; then a sample of bad values that reach the app's field
//! checks. Every message and every field message must start with a capital.

use axum::body::Body;
use axum::http::header;
use rapport_web::testing::{Auth, TestApp};
use serde_json::{json, Value};

/// The messages of an API error body: the main one and each field's.
fn messages(body: &Value) -> Vec<String> {
    let e = &body["error"];
    let mut out: Vec<String> = e["message"]
        .as_str()
        .map(String::from)
        .into_iter()
        .collect();
    if let Some(fields) = e["fields"].as_array() {
        out.extend(
            fields
                .iter()
                .filter_map(|f| f["message"].as_str().map(String::from)),
        );
    }
    out
}

/// Whether `message` starts as a sentence does: not with a lower-case letter.
fn reads_as_a_sentence(message: &str) -> bool {
    message.chars().next().is_some_and(|c| !c.is_lowercase())
}

/// `path` with its `{placeholders}` filled with ids and slugs that name nothing.
fn fill(path: &str) -> String {
    let nobody = "0b9b2a7e-6a77-4f55-9b0e-2d7b6f1c0c11";
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        let name = &rest[open + 1..close - 1];
        out.push_str(if name.contains("slug") {
            "no-such-programme"
        } else {
            nobody
        });
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

async fn errors_of(
    t: &TestApp,
    method: &str,
    path: &str,
    auth: Auth<'_>,
    body: Option<&str>,
) -> Vec<String> {
    let mut b = TestApp::request(method, path, auth).header(header::ORIGIN, "http://rapport.test");
    let request = match body {
        Some(text) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(text.to_string())),
        None => {
            b = b.header(header::ACCEPT, "application/json");
            b.body(Body::empty())
        }
    }
    .unwrap();
    let reply = t.reply_text(request).await;
    if reply.status.is_success() || reply.status.is_redirection() {
        return vec![];
    }
    match serde_json::from_str::<Value>(&reply.text) {
        Ok(v) => messages(&v)
            .into_iter()
            .map(|m| format!("{method} {path} ({}): {m}", reply.status.as_u16()))
            .collect(),
        Err(_) => vec![],
    }
}

#[tokio::test]
async fn every_api_error_message_reads_as_a_sentence() {
    let t = TestApp::new("sqlite").await;
    let member = t.member("mo@example.org", "Mo Member").await;
    let mut seen = vec![];
    for (method, path) in rapport_web::openapi::api_routes_list() {
        // Signing out would end the member's session for the rest of the walk.
        if path.ends_with("/sign-out") {
            continue;
        }
        let path = fill(&path);
        let method = method.to_uppercase();
        seen.extend(errors_of(&t, &method, &path, Auth::Anonymous, None).await);
        if method == "GET" {
            seen.extend(errors_of(&t, &method, &path, member.auth(), None).await);
        } else {
            seen.extend(errors_of(&t, &method, &path, member.auth(), Some("{}")).await);
            seen.extend(errors_of(&t, &method, &path, member.auth(), Some("not json")).await);
        }
    }
    // Values that reach the field checks of the app and the domain.
    let bad = [
        (
            "/api/v1/auth/sign-up",
            json!({"email": "not an address", "name": " ", "password": "short", "time_zone": "Nowhere/Land"}),
        ),
        (
            "/api/v1/auth/sign-in",
            json!({"email": "nobody@example.org", "password": "wrong password"}),
        ),
    ];
    for (path, body) in bad {
        seen.extend(errors_of(&t, "POST", path, Auth::Anonymous, Some(&body.to_string())).await);
    }
    let profile = json!({
        "name": "Mo Member", "level": "nobody", "years_experience": "many",
        "skills_offered": "", "skills_wanted": "", "interests": "", "goal_tags": "",
        "goals": "", "languages": "", "time_zone": "Nowhere/Land",
        "availability": "someday", "department": "", "manager_email": null, "visibility": "all"
    });
    seen.extend(
        errors_of(
            &t,
            "PUT",
            &format!("/api/v1/people/{}/profile", member.id),
            member.auth(),
            Some(&profile.to_string()),
        )
        .await,
    );
    assert!(
        seen.len() > 100,
        "the walk met too few errors: {}",
        seen.len()
    );
    let lower: Vec<&String> = seen
        .iter()
        .filter(|m| !reads_as_a_sentence(m.split_once("): ").map_or(m, |(_, msg)| msg)))
        .collect();
    assert!(
        lower.is_empty(),
        "error messages that do not start with a capital:\n{lower:#?}"
    );
    // The field is still named in the words.
    assert!(
        seen.iter()
            .any(|m| m.contains("(422): Time zone must be an IANA name")),
        "{seen:#?}"
    );
    t.leave_work("the walk may queue mail (a sign-up with good parts); it is about the refusals");
    t.finish().await;
}
