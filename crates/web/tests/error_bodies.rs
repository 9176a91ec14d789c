//! The error bodies the API answers, one snapshot per error code, on every
//! database. A change to what a client reads (code, message, field, fields)
//! shows up as a snapshot diff to review, not as a silent drift.
//!
//! Request ids and other per-run values are redacted. Review changes with
//! `cargo insta review` (or rerun with `INSTA_UPDATE=always` and read the
//! diff of the `.snap` files).

use axum::body::Body;
use axum::http::header;
use insta::assert_json_snapshot;
use rapport_web::testing::{test_database_kinds, Auth, Reply, TestApp, PASSWORD};
use rapport_web::WebConfig;
use serde_json::json;

/// Snapshots `reply`'s body as `name`, redacting what differs per run.
#[track_caller]
fn snapshot(name: &str, reply: &Reply) {
    assert_json_snapshot!(name, reply.json, {
        ".error.request_id" => "[request id]",
    });
}

async fn sign_up(t: &TestApp, body: serde_json::Value) -> Reply {
    t.call("POST", "/api/v1/auth/sign-up", Auth::Anonymous, Some(body))
        .await
}

#[tokio::test]
async fn bad_request_bodies() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let raw = |body: &'static str| {
            TestApp::request("POST", "/api/v1/auth/sign-up", Auth::Anonymous)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .expect("a request")
        };
        let r = t.reply(raw("{\"email\": ")).await.expect(400);
        snapshot("400_bad_request_unreadable_json", &r);
        let r = t.reply(raw("{\"email\": 5}")).await.expect(400);
        snapshot("400_bad_request_wrong_type", &r);
        let no_type = TestApp::request("POST", "/api/v1/auth/sign-up", Auth::Anonymous)
            .body(Body::from("{}"))
            .expect("a request");
        let r = t.reply(no_type).await.expect(415);
        snapshot("415_unsupported_media_type", &r);
        t.finish().await;
    }
}

#[tokio::test]
async fn unauthenticated_forbidden_and_not_found_bodies() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let r = t.get("/api/v1/me", Auth::Anonymous).await.expect(401);
        snapshot("401_unauthenticated", &r);
        let r = t.sign_in("nobody@example.org", PASSWORD).await.expect(401);
        snapshot("401_unauthenticated_sign_in", &r);

        let ana = t.member("ana@example.org", "Ana Lima").await;
        let r = t.get("/api/v1/admin/audit", ana.auth()).await.expect(403);
        snapshot("403_forbidden", &r);
        let cross_site = TestApp::request("POST", "/api/v1/me/tokens", ana.auth())
            .header(header::ORIGIN, "https://evil.example")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"name": "laptop"}).to_string()))
            .expect("a request");
        let r = t.reply(cross_site).await.expect(403);
        snapshot("403_cross_site_request", &r);

        let r = t
            .get("/api/v1/programmes/no-such-programme", ana.auth())
            .await
            .expect(404);
        snapshot("404_not_found", &r);
        let r = t.get("/api/v1/no-such-route", ana.auth()).await.expect(404);
        snapshot("404_not_found_unrouted", &r);
        let r = t
            .call("DELETE", "/api/v1/auth/sign-up", Auth::Anonymous, None)
            .await
            .expect(405);
        snapshot("405_method_not_allowed", &r);
        t.finish().await;
    }
}

#[tokio::test]
async fn conflict_and_invalid_field_bodies() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        t.member("ana@example.org", "Ana Lima").await;
        let r = sign_up(
            &t,
            json!({"email": "ANA@example.org", "name": "Ana Again", "password": PASSWORD}),
        )
        .await
        .expect(409);
        snapshot("409_conflict_with_field", &r);

        let r = sign_up(
            &t,
            json!({"email": "not-an-address", "name": "", "password": "short"}),
        )
        .await
        .expect(422);
        snapshot("422_invalid_field_several", &r);
        let r = sign_up(
            &t,
            json!({"email": "bo@example.org", "name": "Bo Chen", "password": "short"}),
        )
        .await
        .expect(422);
        snapshot("422_invalid_field_one", &r);
        t.finish().await;
    }
}

#[tokio::test]
async fn payload_too_large_and_rate_limited_bodies() {
    for kind in test_database_kinds() {
        let t = TestApp::with(
            kind,
            WebConfig {
                auth_attempts_per_window: 2,
                ..WebConfig::default()
            },
            |_| {},
        )
        .await;
        let big = format!("{{\"name\": \"{}\"}}", "x".repeat(rapport_web::BODY_LIMIT));
        let request = TestApp::request("POST", "/api/v1/auth/sign-up", Auth::Anonymous)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(big))
            .expect("a request");
        let r = t.reply(request).await.expect(413);
        snapshot("413_payload_too_large", &r);

        for _ in 0..rapport_app::accounts::SIGN_IN_FAILURES_PER_ACCOUNT {
            t.sign_in("ana@example.org", "wrong password!!")
                .await
                .expect(401);
        }
        let r = t
            .sign_in("ana@example.org", "wrong password!!")
            .await
            .expect(429);
        snapshot("429_rate_limited", &r);
        t.finish().await;
    }
}
