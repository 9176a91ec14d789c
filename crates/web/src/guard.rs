//! Refuses state-changing requests from other sites.
//!
//! Browsers send `Sec-Fetch-Site` and `Origin` with every POST. A request
//! whose `Sec-Fetch-Site` is `cross-site` or `same-site` (another subdomain),
//! or whose `Origin` names another host, is refused with 403 before it
//! reaches a handler. Requests authenticated by a bearer token carry no
//! ambient credential and are not subject to the check.

use axum::extract::Request;
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Middleware: 403 for cross-site state-changing requests.
pub async fn refuse_cross_site(req: Request, next: Next) -> Response {
    if is_cross_site(&req) {
        tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
        return crate::ApiError::cross_site().into_response();
    }
    next.run(req).await
}

fn is_cross_site(req: &Request) -> bool {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    // One-click unsubscribe (RFC 8058) is POSTed by mail providers, from
    // their own sites. It reads no cookie: the signed link is the credential,
    // so a forged cross-site POST can do nothing the link's holder could not.
    if req.uri().path() == "/unsubscribe" {
        return false;
    }
    let headers = req.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "));
    if bearer && headers.get(header::COOKIE).is_none() {
        return false;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let origin_host = origin.split("://").nth(1).unwrap_or("");
        return origin == "null" || !origin_host.eq_ignore_ascii_case(host);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn req(method: Method, headers: &[(&str, &str)]) -> Request {
        let mut b = axum::http::Request::builder().method(method).uri("/x");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Body::empty()).unwrap()
    }

    #[test]
    fn cross_site_posts_are_refused() {
        assert!(is_cross_site(&req(
            Method::POST,
            &[("sec-fetch-site", "cross-site")]
        )));
        assert!(is_cross_site(&req(
            Method::POST,
            &[
                ("origin", "https://evil.example"),
                ("host", "rapport.example")
            ]
        )));
        assert!(is_cross_site(&req(
            Method::POST,
            &[("origin", "null"), ("host", "rapport.example")]
        )));
        assert!(!is_cross_site(&req(
            Method::POST,
            &[("sec-fetch-site", "same-origin")]
        )));
        assert!(!is_cross_site(&req(
            Method::POST,
            &[
                ("origin", "http://rapport.example"),
                ("host", "rapport.example")
            ]
        )));
        assert!(!is_cross_site(&req(
            Method::GET,
            &[("sec-fetch-site", "cross-site")]
        )));
        assert!(!is_cross_site(&req(
            Method::POST,
            &[
                ("authorization", "Bearer x"),
                ("sec-fetch-site", "cross-site")
            ]
        )));
        assert!(is_cross_site(&req(
            Method::POST,
            &[
                ("authorization", "Bearer x"),
                ("cookie", "a=b"),
                ("sec-fetch-site", "cross-site")
            ]
        )));
    }

    #[test]
    fn one_click_unsubscribe_is_let_through() {
        let post = axum::http::Request::builder()
            .method(Method::POST)
            .uri("/unsubscribe?person=p&kind=matching&sig=s")
            .header("sec-fetch-site", "cross-site")
            .header("origin", "https://mail.example")
            .body(Body::empty())
            .unwrap();
        assert!(!is_cross_site(&post));
    }
}
