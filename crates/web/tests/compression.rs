//! Compression and caching (issue 20): answers are compressed for clients
//! that accept gzip or brotli (and only for them), and static files carry
//! `Cache-Control` and an `ETag`, answering 304 to a matching
//! `If-None-Match`.

use axum::body::Body;
use axum::http::{header, Response, StatusCode};
use rapport_web::testing::{Auth, TestApp};

async fn body_of(r: Response<Body>) -> Vec<u8> {
    axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec()
}

fn header_of(r: &Response<Body>, name: header::HeaderName) -> &str {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

async fn get(t: &TestApp, path: &str, headers: &[(header::HeaderName, &str)]) -> Response<Body> {
    let mut b = TestApp::request("GET", path, Auth::Anonymous);
    for (k, v) in headers {
        b = b.header(k, *v);
    }
    t.send(b.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn answers_are_compressed_for_clients_that_accept_it() {
    let t = TestApp::new("sqlite").await;
    // No Accept-Encoding: the body as it is.
    let plain = get(&t, "/static/rapport.css", &[]).await;
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(header_of(&plain, header::CONTENT_ENCODING), "");
    let plain = body_of(plain).await;
    assert!(String::from_utf8_lossy(&plain).contains('{'));

    let gz = get(
        &t,
        "/static/rapport.css",
        &[(header::ACCEPT_ENCODING, "gzip")],
    )
    .await;
    assert_eq!(gz.status(), StatusCode::OK);
    assert_eq!(header_of(&gz, header::CONTENT_ENCODING), "gzip");
    assert!(header_of(&gz, header::VARY)
        .to_ascii_lowercase()
        .contains("accept-encoding"));
    let gz = body_of(gz).await;
    assert_eq!(&gz[..2], &[0x1f, 0x8b], "a gzip stream");
    assert!(
        gz.len() < plain.len() / 2,
        "{} vs {}",
        gz.len(),
        plain.len()
    );

    let br = get(
        &t,
        "/static/rapport.css",
        &[(header::ACCEPT_ENCODING, "br;q=1.0, gzip;q=0.5")],
    )
    .await;
    assert_eq!(header_of(&br, header::CONTENT_ENCODING), "br");
    let br = body_of(br).await;
    assert!(
        br.len() < plain.len() / 2,
        "{} vs {}",
        br.len(),
        plain.len()
    );

    // Pages and the API too.
    let page = get(&t, "/sign-in", &[(header::ACCEPT_ENCODING, "gzip")]).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(header_of(&page, header::CONTENT_ENCODING), "gzip");
    let api = get(
        &t,
        "/api/v1/openapi.json",
        &[(header::ACCEPT_ENCODING, "br")],
    )
    .await;
    assert_eq!(api.status(), StatusCode::OK);
    assert_eq!(header_of(&api, header::CONTENT_ENCODING), "br");
    t.finish().await;
}

#[tokio::test]
async fn static_files_carry_cache_headers_and_answer_304() {
    let t = TestApp::new("sqlite").await;
    for path in [
        "/static/rapport.css",
        "/static/confirm-dialog.js",
        "/static/forms.js",
    ] {
        let first = get(&t, path, &[]).await;
        assert_eq!(first.status(), StatusCode::OK, "{path}");
        assert!(
            header_of(&first, header::CACHE_CONTROL).contains("max-age="),
            "{path}"
        );
        let tag = header_of(&first, header::ETAG).to_string();
        assert!(tag.starts_with("W/\""), "{path}: {tag}");
        let body = body_of(first).await;
        assert!(!body.is_empty());

        // The same tag on every request (and so on every server of a build).
        let again = get(&t, path, &[]).await;
        assert_eq!(header_of(&again, header::ETAG), tag, "{path}");

        // The browser holds it: 304, no body, still the tag and caching.
        for held in [tag.clone(), tag.trim_start_matches("W/").to_string()] {
            let r = get(
                &t,
                path,
                &[
                    (header::IF_NONE_MATCH, held.as_str()),
                    (header::ACCEPT_ENCODING, "gzip, br"),
                ],
            )
            .await;
            assert_eq!(r.status(), StatusCode::NOT_MODIFIED, "{path}: {held}");
            assert_eq!(header_of(&r, header::ETAG), tag);
            assert!(header_of(&r, header::CACHE_CONTROL).contains("max-age="));
            assert_eq!(header_of(&r, header::CONTENT_ENCODING), "");
            assert!(body_of(r).await.is_empty(), "{path}");
        }

        // A stale tag gets the file.
        let r = get(&t, path, &[(header::IF_NONE_MATCH, "W/\"stale\"")]).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(body_of(r).await, body);
    }

    // Pages are not tagged: they change with every request's data.
    let page = get(&t, "/sign-in", &[]).await;
    assert_eq!(header_of(&page, header::ETAG), "");
    // An unknown static file is still a plain 404.
    let missing = get(&t, "/static/nothing.js", &[]).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(header_of(&missing, header::ETAG), "");
    t.finish().await;
}
