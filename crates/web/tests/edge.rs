//! The web edge: what every answer goes through whatever the route. Error
//! bodies name the field and quote the request id, bodies that are too large
//! or not JSON are 413 and 415, every status answered is documented, panics
//! answer 500, security headers are on every answer, and the client address
//! behind proxies cannot be forged.
//!
//! The tests that touch the database run on each database from
//! `test_database_kinds()`.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::routing::get;
use axum::Router;
use rapport_web::openapi::{api_routes_list, document};
use rapport_web::testing::{test_database_kinds, Auth, TestApp, TextReply, PASSWORD};
use rapport_web::{TrustedProxies, WebConfig};
use serde_json::{json, Value};
use std::net::SocketAddr;

/// The error body, after checking the status, that it quotes the answer's
/// request id and that it has a message.
#[track_caller]
fn api_error(r: &TextReply, status: u16) -> Value {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    let json = r.json();
    assert_eq!(
        json["error"]["request_id"].as_str(),
        Some(r.request_id().as_str()),
        "{}",
        r.text
    );
    assert!(
        json["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{}",
        r.text
    );
    json["error"].clone()
}

/// A request with the site's Host and no credentials.
fn request(method: &str, uri: &str) -> axum::http::request::Builder {
    TestApp::request(method, uri, Auth::Anonymous)
}

/// A POST of `body` (as is, so it may be broken JSON) as `application/json`.
fn json_post(uri: &str, auth: Auth, body: &str) -> Request<Body> {
    TestApp::request("POST", uri, auth)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("a request")
}

#[tokio::test]
async fn wrong_types_and_missing_fields_name_the_field() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let r = t
            .reply_text(json_post(
                "/api/v1/auth/sign-up",
                Auth::Anonymous,
                r#"{"email": 5, "name": "Ana"}"#,
            ))
            .await;
        let e = api_error(&r, 400);
        assert_eq!(e["code"], "bad_request");
        assert_eq!(e["field"], "email", "{e}");

        let admin = t.admin().await;
        // A required field left out is named too.
        let r = t
            .reply_text(json_post(
                "/api/v1/programmes/nothing-here/status",
                admin.auth(),
                "{}",
            ))
            .await;
        let e = api_error(&r, 400);
        assert_eq!(e["field"], "status", "{e}");
        // Syntax errors have no field to name.
        let r = t
            .reply_text(json_post(
                "/api/v1/auth/sign-up",
                Auth::Anonymous,
                r#"{"email": "#,
            ))
            .await;
        assert_eq!(api_error(&r, 400)["field"], Value::Null);
        t.finish().await;
    }
}

#[tokio::test]
async fn every_error_body_and_error_page_quotes_the_request_id() {
    let t = TestApp::new("sqlite").await;
    for (method, uri) in [
        ("GET", "/api/v1/no-such-endpoint"),
        ("GET", "/api/v1/me"),
        ("DELETE", "/api/v1/openapi.json"),
        ("GET", "/api/v1/people?page=first"),
    ] {
        let r = t
            .reply_text(request(method, uri).body(Body::empty()).unwrap())
            .await;
        assert!(r.status.is_client_error(), "{method} {uri}: {}", r.status);
        api_error(&r, r.status.as_u16());
    }
    // An id the client sent is kept and quoted.
    let r = t
        .reply_text(
            request("GET", "/api/v1/me")
                .header("x-request-id", "from-the-proxy-42")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(api_error(&r, 401)["request_id"], "from-the-proxy-42");

    // An error page says which id to quote.
    let admin = t.admin().await;
    let r = t
        .reply_text(
            TestApp::request("GET", "/programmes/no-such-programme", admin.auth())
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert!(
        r.text
            .contains(&format!("quote this id: {}", r.request_id())),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("not found. If you report this"),
        "the app's sentence ends before ours begins: {}",
        r.text
    );
    // So does the pages' own 404, for an address no route serves, signed
    // in or not.
    for auth in [Auth::Anonymous, admin.auth()] {
        let r = t
            .reply_text(
                TestApp::request("GET", "/no-such-page", auth)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
        assert!(r.text.contains("<html"), "{}", r.text);
        assert!(
            r.text
                .contains(&format!("quote this id: {}", r.request_id())),
            "{auth:?}: {}",
            r.text
        );
    }
    t.finish().await;
}

#[tokio::test]
async fn bodies_too_large_are_413_and_not_json_are_415_on_every_route() {
    let t = TestApp::new("sqlite").await;
    let cookie = t.admin().await.cookie;
    let doc = serde_json::to_value(document()).expect("a JSON document");
    let big = "x".repeat(rapport_web::BODY_LIMIT + 1);
    let mut json_bodies = 0;
    for (method, path) in api_routes_list() {
        let op = &doc["paths"][&path][method.to_lowercase()];
        let Some(content) = op["requestBody"]["content"].as_object() else {
            continue;
        };
        let uri = path
            .replace("{id}", &uuid::Uuid::new_v4().to_string())
            .replace("{slug}", "no-such-programme")
            .replace("{role}", "mentee");
        if !content.contains_key("application/json") {
            // The CSV import has its own, larger limit.
            let r = t
                .reply_text(
                    request(&method, &uri)
                        .header(header::CONTENT_TYPE, "text/csv")
                        .header(header::CONTENT_LENGTH, rapport_web::pages::IMPORT_LIMIT + 1)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            assert_eq!(api_error(&r, 413)["code"], "payload_too_large", "{path}");
            continue;
        }
        json_bodies += 1;
        // Declared too large: refused before the credential is even checked.
        let r = t
            .reply_text(
                request(&method, &uri)
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(header::CONTENT_LENGTH, big.len())
                    .body(Body::from(big.clone()))
                    .unwrap(),
            )
            .await;
        let e = api_error(&r, 413);
        assert_eq!(e["code"], "payload_too_large", "{method} {path}");
        assert!(
            e["message"].as_str().unwrap_or("").contains("256 KiB"),
            "{e}"
        );
        // Streamed without a length: the extractor's limit answers the same.
        let r = t
            .reply_text(
                request(&method, &uri)
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(header::COOKIE, &cookie)
                    .body(Body::from(big.clone()))
                    .unwrap(),
            )
            .await;
        if r.status != StatusCode::NOT_FOUND && r.status != StatusCode::FORBIDDEN {
            assert_eq!(api_error(&r, 413)["code"], "payload_too_large", "{path}");
        }
        // Not JSON by its content type.
        for content_type in [None, Some("application/x-www-form-urlencoded")] {
            let mut b = request(&method, &uri).header(header::COOKIE, &cookie);
            if let Some(ct) = content_type {
                b = b.header(header::CONTENT_TYPE, ct);
            }
            let r = t.reply_text(b.body(Body::from("a=b")).unwrap()).await;
            if r.status == StatusCode::NOT_FOUND || r.status == StatusCode::FORBIDDEN {
                continue; // Refused for who asks, before the body is read.
            }
            let e = api_error(&r, 415);
            assert_eq!(e["code"], "unsupported_media_type", "{method} {path}");
            assert!(
                e["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("Content-Type: application/json"),
                "{e}"
            );
        }
    }
    assert!(json_bodies >= 20, "{json_bodies}");

    // Form posts: 413 and 415 as pages that say so.
    let r = t
        .reply_text(
            request("POST", "/sign-in")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("email={big}")))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{:?}",
        r.headers
    );
    assert!(r.text.contains("256 KiB"), "{}", r.text);
    assert!(r.text.contains(&r.request_id()), "{}", r.text);
    let r = t
        .reply_text(
            request("POST", "/sign-in")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(r.text.contains("web form"), "{}", r.text);
    let r = t
        .reply_text(
            request("POST", "/sign-in")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::CONTENT_LENGTH, rapport_web::BODY_LIMIT + 1)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    t.finish().await;
}

/// The statuses an operation documents.
fn documented(doc: &Value, method: &str, path: &str) -> Vec<String> {
    doc["paths"][path][method.to_lowercase()]["responses"]
        .as_object()
        .map(|r| r.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn every_operation_documents_the_errors_its_shape_implies() {
    let doc = serde_json::to_value(document()).expect("a JSON document");
    for (method, path) in api_routes_list() {
        let statuses = documented(&doc, &method, &path);
        let op = &doc["paths"][&path][method.to_lowercase()];
        let mut expected = vec!["500"];
        if let Some(content) = op["requestBody"]["content"].as_object() {
            expected.push("413");
            if content.contains_key("application/json") {
                expected.extend(["400", "415"]);
            }
        }
        for status in expected {
            assert!(
                statuses.iter().any(|s| s == status),
                "{method} {path} does not document {status}: {statuses:?}"
            );
        }
    }
    for (method, path) in [
        ("POST", "/api/v1/programmes/{slug}/status"),
        ("POST", "/api/v1/requests/{id}/decline"),
    ] {
        assert!(
            documented(&doc, method, path).contains(&"422".to_string()),
            "{method} {path}"
        );
    }
    let status_doc = doc["paths"]["/api/v1/programmes/{slug}/status"]["post"]["description"]
        .as_str()
        .unwrap_or_default();
    for status in ["draft", "open", "running", "closed"] {
        assert!(status_doc.contains(status), "{status_doc}");
    }
}

/// Whatever the route answers to an anonymous caller, a signed-in admin
/// with an empty JSON object, or a body of the wrong type, is documented.
#[tokio::test]
async fn every_status_answered_is_documented() {
    let t = TestApp::new("sqlite").await;
    let cookie = t.admin().await.cookie;
    let doc = serde_json::to_value(document()).expect("a JSON document");
    let mut undocumented = Vec::new();
    for (method, path) in api_routes_list() {
        let uri = path
            .replace("{id}", &uuid::Uuid::new_v4().to_string())
            .replace("{slug}", "no-such-programme")
            .replace("{role}", "mentee");
        let has_body = doc["paths"][&path][method.to_lowercase()]["requestBody"].is_object();
        let mut attempts = vec![request(&method, &uri).body(Body::empty()).unwrap()];
        // Signed in, but not ending the admin's own session or account.
        let ends_session = matches!(
            (method.as_str(), path.as_str()),
            ("POST", "/api/v1/auth/sign-out") | ("DELETE", "/api/v1/me")
        );
        if ends_session {
        } else if has_body {
            // Right types, wrong values: an unknown status, an overlong reason.
            let wrong_values = json!({"status": "paused", "reason": "x".repeat(1001)}).to_string();
            for body in [
                "{}",
                "[]",
                "{\"name\": 5, \"status\": 5, \"email\": 5}",
                &wrong_values,
            ] {
                attempts.push(
                    request(&method, &uri)
                        .header(header::COOKIE, &cookie)
                        .header(header::CONTENT_TYPE, "application/json")
                        .body(Body::from(body.to_string()))
                        .unwrap(),
                );
            }
        } else {
            attempts.push(
                request(&method, &uri)
                    .header(header::COOKIE, &cookie)
                    .body(Body::empty())
                    .unwrap(),
            );
        }
        for attempt in attempts {
            let r = t.reply_text(attempt).await;
            let status = r.status.as_str().to_string();
            if !documented(&doc, &method, &path).contains(&status) {
                undocumented.push(format!("{method} {path}: {status} {}", r.text));
            }
        }
    }
    assert!(undocumented.is_empty(), "{undocumented:#?}");
    let r = t
        .reply_text(
            request("GET", "/api/v1/me")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "the admin stayed signed in");
    t.finish().await;
}

#[tokio::test]
async fn names_of_only_invisible_characters_are_refused() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let r = t
            .reply_text(json_post(
                "/api/v1/auth/sign-up",
                Auth::Anonymous,
                &json!({"email": "zw@example.org", "name": "\u{200B}\u{200C}\u{200D}", "password": PASSWORD}).to_string(),
            ))
            .await;
        let e = api_error(&r, 422);
        assert_eq!(e["field"], "name", "{e}");
        let admin = t.admin().await;
        let r = t
            .reply_text(json_post(
                "/api/v1/programmes",
                admin.auth(),
                &json!({"name": "\u{2060}\u{FEFF}\u{00AD}", "slug": "blank", "kind": "one_to_one"})
                    .to_string(),
            ))
            .await;
        let e = api_error(&r, 422);
        assert_eq!(e["field"], "name", "{e}");
        t.finish().await;
    }
}

async fn boom() -> &'static str {
    panic!("a test handler panicked on purpose")
}

#[tokio::test]
async fn a_panic_answers_500_with_the_request_id() {
    let routes = Router::new()
        .route("/boom", get(boom))
        .route("/api/v1/boom", get(boom));
    let t = TestApp::with("sqlite", WebConfig::default(), |c| {
        c.base_url = "https://rapport.test".into();
    })
    .await
    .serve_only(routes);

    let r = t
        .reply_text(request("GET", "/api/v1/boom").body(Body::empty()).unwrap())
        .await;
    let e = api_error(&r, 500);
    assert_eq!(e["code"], "internal");
    assert!(!r.text.contains("on purpose"), "panics are not shown");
    assert!(r.headers.contains_key(header::CONTENT_SECURITY_POLICY));

    let r = t
        .reply_text(request("GET", "/boom").body(Body::empty()).unwrap())
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(r.text.contains("<html"), "{}", r.text);
    assert!(
        r.text
            .contains(&format!("quote this id: {}", r.request_id())),
        "{}",
        r.text
    );
    assert!(!r.text.contains("on purpose"));
    assert!(r.headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
    t.finish().await;
}

#[tokio::test]
async fn security_headers_are_on_every_answer() {
    for (base_url, hsts) in [
        ("http://rapport.test", false),
        ("https://rapport.test", true),
    ] {
        let t = TestApp::with("sqlite", WebConfig::default(), |c| {
            c.base_url = base_url.into();
        })
        .await;
        for (method, uri) in [
            ("GET", "/"),
            ("GET", "/sign-in"),
            ("GET", "/static/rapport.css"),
            ("GET", "/no-such-page"),
            ("GET", "/api/v1/openapi.json"),
            ("GET", "/api/v1/me"),
            ("GET", "/api/v1/no-such-endpoint"),
            ("DELETE", "/api/v1/openapi.json"),
            ("GET", "/healthz"),
            ("POST", "/sign-in"),
        ] {
            let r = t
                .reply_text(request(method, uri).body(Body::empty()).unwrap())
                .await;
            let h = |name: header::HeaderName| {
                r.headers
                    .get(&name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_else(|| panic!("{method} {uri} ({}): no {name}", r.status))
                    .to_string()
            };
            let csp = h(header::CONTENT_SECURITY_POLICY);
            for directive in [
                "default-src 'self'",
                "script-src 'self'",
                "style-src 'self'",
                "frame-ancestors 'none'",
            ] {
                assert!(csp.contains(directive), "{csp}");
            }
            assert!(!csp.contains("unsafe-inline"), "{csp}");
            assert_eq!(h(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
            assert_eq!(h(header::REFERRER_POLICY), "same-origin");
            assert_eq!(
                r.headers.contains_key(header::STRICT_TRANSPORT_SECURITY),
                hsts,
                "{method} {uri} on {base_url}"
            );
        }
        t.finish().await;
    }
}

/// The pages carry no inline script or style the policy would block.
#[test]
fn templates_have_no_inline_script_or_style() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    // Templates may sit in folders of their own (`templates/roadmaps/`).
    let mut dirs = vec![root];
    let mut paths = vec![];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("the templates") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                paths.push(path);
            }
        }
    }
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("a template");
        for banned in [
            "style=",
            "<style",
            "<script>",
            " onclick=",
            " onload=",
            "javascript:",
        ] {
            assert!(
                !text.to_lowercase().contains(banned),
                "{} has {banned}",
                path.display()
            );
        }
    }
}

/// Signs in from `peer` with `forwarded` as X-Forwarded-For, and answers the
/// address the new session records. The peer reaches the handlers as
/// `ConnectInfo`, as `into_make_service_with_connect_info` would put it.
async fn address_seen(t: &TestApp, peer: &str, forwarded: Option<&str>) -> String {
    let mut b = request("POST", "/api/v1/auth/sign-in")
        .header(header::CONTENT_TYPE, "application/json")
        .extension(ConnectInfo(peer.parse::<SocketAddr>().expect("an address")));
    if let Some(f) = forwarded {
        b = b.header("x-forwarded-for", f);
    }
    let r = t
        .reply(
            b.body(Body::from(
                json!({"email": "admin@example.org", "password": PASSWORD}).to_string(),
            ))
            .unwrap(),
        )
        .await
        .expect(200);
    let sessions = t
        .get("/api/v1/me/sessions", Auth::Cookie(&r.session_cookie()))
        .await
        .json;
    let list = sessions["items"]
        .as_array()
        .or(sessions["sessions"].as_array())
        .or(sessions.as_array())
        .cloned()
        .unwrap_or_default();
    let current = list
        .iter()
        .find(|s| s["current"] == true)
        .or(list.first())
        .unwrap_or_else(|| panic!("a session in {sessions}"));
    current["ip"].as_str().expect("an ip").to_string()
}

#[tokio::test]
async fn the_client_address_is_the_rightmost_untrusted_hop() {
    for kind in test_database_kinds() {
        let web = WebConfig {
            trusted_proxies: "10.0.0.0/8,192.0.2.7".parse::<TrustedProxies>().unwrap(),
            ..WebConfig::default()
        };
        let t = TestApp::with(kind, web, |_| {}).await;
        t.admin().await;
        // The client wrote "6.6.6.6"; our proxies appended the rest.
        assert_eq!(
            address_seen(&t, "10.0.0.2:4000", Some("6.6.6.6, 203.0.113.9, 10.1.1.1")).await,
            "203.0.113.9"
        );
        assert_eq!(
            address_seen(&t, "192.0.2.7:4000", Some("203.0.113.10")).await,
            "203.0.113.10"
        );
        // A peer that is not our proxy: its header is ignored.
        assert_eq!(
            address_seen(&t, "198.51.100.4:4000", Some("203.0.113.9")).await,
            "198.51.100.4"
        );
        t.finish().await;
    }
    // `trust_proxy` trusts loopback, and only loopback.
    let t = TestApp::with(
        "sqlite",
        WebConfig {
            trust_proxy: true,
            ..WebConfig::default()
        },
        |_| {},
    )
    .await;
    t.admin().await;
    assert_eq!(
        address_seen(&t, "127.0.0.1:4000", Some("6.6.6.6, 203.0.113.9")).await,
        "203.0.113.9"
    );
    assert_eq!(
        address_seen(&t, "[::1]:4000", Some("203.0.113.8")).await,
        "203.0.113.8"
    );
    assert_eq!(
        address_seen(&t, "10.0.0.2:4000", Some("203.0.113.9")).await,
        "10.0.0.2"
    );
    t.finish().await;
}
