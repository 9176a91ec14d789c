//! The OpenAPI document matches the router, describes every operation fully,
//! and `docs/api.md` is the Markdown rendered from it.
//!
//! When the API changes, regenerate the reference with:
//!
//! ```text
//! RAPPORT_WRITE_DOCS=1 cargo test -p rapport-web --test openapi_docs
//! ```

use axum::body::Body;
use axum::http::{Request, StatusCode};
use rapport_web::openapi::{api_routes_list, document, markdown, ERROR_CODES};
use rapport_web::testing::TestApp;
use serde_json::Value;
use std::path::PathBuf;
use tower::ServiceExt;

fn docs_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/api.md")
}

#[test]
fn docs_api_md_is_current() {
    let generated = markdown(&document());
    let path = docs_path();
    if std::env::var("RAPPORT_WRITE_DOCS").is_ok_and(|v| !v.is_empty() && v != "0") {
        std::fs::create_dir_all(path.parent().expect("docs/")).expect("create docs/");
        std::fs::write(&path, &generated).expect("write docs/api.md");
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "docs/api.md is not the reference generated from the OpenAPI document. Regenerate it with:\n\n    RAPPORT_WRITE_DOCS=1 cargo test -p rapport-web --test openapi_docs\n\nand commit the result."
    );
}

#[test]
fn docs_list_every_endpoint_and_error_code() {
    let md = markdown(&document());
    for (method, path) in api_routes_list() {
        assert!(
            md.contains(&format!("#### {method} {path}\n")),
            "{method} {path} has a section"
        );
    }
    for (code, status, _) in ERROR_CODES {
        assert!(
            md.contains(&format!("| `{code}` | {status} |")),
            "{code} is in the table"
        );
    }
    for needle in [
        "Authorization: Bearer",
        "SameSite=Lax",
        "cross_site_request",
        "\"field\"",
    ] {
        assert!(md.contains(needle), "the introduction mentions {needle}");
    }
}

/// Every operation is fully described: a summary, a tag, a success answer,
/// the error answers that follow from its shape, and schemas that resolve.
#[test]
fn every_operation_is_fully_described() {
    let json = serde_json::to_value(document()).expect("the document serialises");
    let schemas = json["components"]["schemas"].as_object().expect("schemas");
    let mut ids = std::collections::HashSet::new();
    for (path, item) in json["paths"].as_object().expect("paths") {
        assert!(path.starts_with("/api/v1/"), "{path}");
        for (method, op) in item.as_object().expect("an item") {
            let what = format!("{method} {path}");
            assert!(
                ids.insert(
                    op["operationId"]
                        .as_str()
                        .expect("an operation id")
                        .to_string()
                ),
                "{what}: unique operation id"
            );
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{what}: a summary"
            );
            assert!(op["tags"][0].is_string(), "{what}: a tag");
            let responses = op["responses"].as_object().expect("responses");
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{what}: a success answer"
            );
            assert!(responses.contains_key("500"), "{what}: 500");
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            if path != "/api/v1/openapi.json" && !path.starts_with("/api/v1/auth/") {
                assert!(secured, "{what}: needs a credential");
            }
            if secured {
                assert!(responses.contains_key("401"), "{what}: 401");
            }
            if op.get("requestBody").is_some() {
                assert!(
                    responses.contains_key("400") && responses.contains_key("413"),
                    "{what}: 400 and 413"
                );
            }
            if method != "get" {
                assert!(
                    responses.contains_key("403"),
                    "{what}: 403 cross_site_request"
                );
            }
            if path.contains('{') {
                assert!(
                    responses.contains_key("404"),
                    "{what}: 404 for an unknown id"
                );
            }
            for (status, r) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    assert_eq!(
                        r["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorBody",
                        "{what} {status}: the error shape"
                    );
                }
            }
        }
    }
    // Every reference names a schema the document holds.
    let text = json.to_string();
    for piece in text.split("\"#/components/schemas/").skip(1) {
        let name = piece.split('"').next().unwrap_or_default();
        assert!(
            schemas.contains_key(name),
            "schema {name} is referenced but missing"
        );
    }
}

/// Every documented operation is routed: calling it never reaches the API's
/// "no such endpoint" fallback or a 405. (The other direction holds by
/// construction: the router is built from the document; see `api::routes`.)
#[tokio::test]
async fn every_documented_route_is_served() {
    let t = TestApp::new("sqlite").await;
    let router = t.router.clone();
    // The fallback this test watches for really answers unrouted paths, so
    // the checks below cannot pass vacuously.
    let request = Request::builder()
        .uri("/api/v1/no-such-endpoint")
        .body(Body::empty())
        .expect("a request");
    let response = router.clone().oneshot(request).await.expect("infallible");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("a body");
    let fallback: Value = serde_json::from_slice(&bytes).expect("JSON");
    let no_route = fallback["error"]["message"]
        .as_str()
        .expect("a message")
        .to_string();
    let routes = api_routes_list();
    assert!(routes.len() >= 30, "{routes:?}");
    for (method, path) in routes {
        let uri = path
            .replace("{id}", &uuid::Uuid::new_v4().to_string())
            .replace("{slug}", "no-such-programme")
            .replace("{role}", "mentee")
            // Roadmaps (H6).
            .replace("{roadmap_id}", &uuid::Uuid::new_v4().to_string())
            .replace("{step_id}", &uuid::Uuid::new_v4().to_string())
            // Growth Threads (H7): a reaction kind.
            .replace("{kind}", "helpful");
        assert!(!uri.contains('{'), "{path}: every parameter is substituted");
        let request = Request::builder()
            .method(method.as_str())
            .uri(&uri)
            .body(Body::empty())
            .expect("a request");
        let response = router.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("a body");
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert_ne!(message, no_route, "{method} {path} is not routed");
        assert!(
            status.is_success() || status.is_client_error(),
            "{method} {path}: {status} {body}"
        );
    }
    t.finish().await;
}

#[tokio::test]
async fn openapi_json_serves_the_document() {
    let t = TestApp::new("sqlite").await;
    let router = t.router.clone();
    let request = Request::builder()
        .uri("/api/v1/openapi.json")
        .body(Body::empty())
        .expect("a request");
    let response = router.oneshot(request).await.expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(response.into_body(), 4 << 20)
        .await
        .expect("a body");
    let served: Value = serde_json::from_slice(&bytes).expect("JSON");
    assert_eq!(
        served,
        serde_json::to_value(document()).expect("the document")
    );
    t.finish().await;
}

#[test]
fn routes_list_names_methods_and_prefixed_paths() {
    let routes = api_routes_list();
    for expected in [
        ("POST", "/api/v1/auth/sign-up"),
        ("GET", "/api/v1/me"),
        ("DELETE", "/api/v1/me"),
        ("PUT", "/api/v1/people/{id}/profile"),
        ("PUT", "/api/v1/admin/people/{id}/admin"),
        ("GET", "/api/v1/openapi.json"),
    ] {
        assert!(
            routes
                .iter()
                .any(|(m, p)| (m.as_str(), p.as_str()) == expected),
            "{expected:?} in {routes:?}"
        );
    }
}
