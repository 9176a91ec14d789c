//! Caching of the static files under `/static/` (issue 20, "Compression and
//! caching"): each answer carries `Cache-Control` and an `ETag`, and a
//! browser that already holds the file (`If-None-Match`) gets `304 Not
//! Modified` with no body.
//!
//! The handlers serving those files stay as they are (each file is compiled
//! into the binary next to the page that uses it); this one middleware
//! covers them all, including files added later. The tag is a hash of the
//! bytes, so it changes exactly when a new build changes the file. It is a
//! weak tag (`W/"…"`) because the compression layer outside may re-encode
//! the body, and weak tags are the ones that survive that.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::hash::{Hash, Hasher};

/// How long a browser may use a static file before asking again (then with
/// `If-None-Match`, which costs a 304 and no body).
pub const CACHE_CONTROL: &str = "public, max-age=3600";

/// The largest static file this middleware tags; bigger bodies pass as they are.
const MAX_TAGGED: usize = 4 * 1024 * 1024;

/// Middleware: `Cache-Control`, `ETag` and `304 Not Modified` for `/static/`.
pub async fn cache(req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/")
        && matches!(*req.method(), Method::GET | Method::HEAD);
    if !is_static {
        return next.run(req).await;
    }
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(req).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_TAGGED).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "cannot read a static file's body");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let tag = etag(&bytes);
    parts
        .headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static(CACHE_CONTROL));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, v);
    }
    if if_none_match.is_some_and(|v| matches_tag(&v, &tag)) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A weak tag from the file's bytes.
fn etag(bytes: &[u8]) -> String {
    // SipHash with fixed keys: the same bytes give the same tag in every
    // process of one build, so several servers behind a balancer agree.
    let mut h = std::hash::DefaultHasher::new();
    bytes.hash(&mut h);
    format!("W/\"{:016x}-{:x}\"", h.finish(), bytes.len())
}

/// Whether an `If-None-Match` value names `tag` (weak comparison, as RFC
/// 9110 asks for `If-None-Match`; `*` matches anything).
fn matches_tag(header: &HeaderValue, tag: &str) -> bool {
    let Ok(list) = header.to_str() else {
        return false;
    };
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    list.split(',')
        .any(|t| t.trim() == "*" || bare(t) == bare(tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_compare_weakly_and_in_lists() {
        let tag = etag(b"body { color: red }");
        assert!(tag.starts_with("W/\""));
        assert_eq!(tag, etag(b"body { color: red }"));
        assert_ne!(tag, etag(b"body { color: blue }"));
        let strong = tag.trim_start_matches("W/").to_string();
        assert!(matches_tag(&HeaderValue::from_str(&strong).unwrap(), &tag));
        let list = format!("\"other\", {tag}");
        assert!(matches_tag(&HeaderValue::from_str(&list).unwrap(), &tag));
        assert!(matches_tag(&HeaderValue::from_static("*"), &tag));
        assert!(!matches_tag(&HeaderValue::from_static("\"other\""), &tag));
    }
}
