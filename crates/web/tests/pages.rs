//! Page tests against the real router: forms show errors next to fields, the
//! sign-in cookie has the right flags, email links confirm with a POST,
//! metrics are guarded, and every response carries a request id.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::Response;
use rapport_web::testing::{test_database_kinds, TestApp};
use rapport_web::WebConfig;
use std::ops::Deref;
use tower::ServiceExt;

/// The shared [`TestApp`], with form posts as a browser sends them.
struct Site(TestApp);

impl Deref for Site {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.0
    }
}

async fn site(kind: &'static str, web: WebConfig) -> Site {
    Site(TestApp::with(kind, web, |_| {}).await)
}

impl Site {
    async fn send(&self, method: &str, uri: &str, form: &str, cookie: Option<&str>) -> Response {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("host", "rapport.test")
            .header("origin", "http://rapport.test");
        if !form.is_empty() {
            req = req.header("content-type", "application/x-www-form-urlencoded");
        }
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        self.0
            .send(req.body(Body::from(form.to_string())).unwrap())
            .await
    }

    /// The newest email, as delivered to the outbox folder.
    async fn last_email(&self) -> String {
        self.last_delivered_email().await
    }

    async fn finish(self) {
        self.0.finish().await
    }
}

async fn text(resp: Response) -> String {
    String::from_utf8(
        axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap()
}

fn link(email: &str, path: &str) -> String {
    let start = email.find(path).expect("the email has the link");
    email[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn sign_up_verify_sign_in_journey_over_forms() {
    for kind in test_database_kinds() {
        let s = site(kind, WebConfig::default()).await;
        let resp = s
            .send(
                "POST",
                "/sign-up",
                "name=Ana+Lima&email=ana%40example.org&password=short",
                None,
            )
            .await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = text(resp).await;
        assert!(
            html.contains(r#"id="e-password""#)
                && html.contains("Password must be at least 10 characters"),
            "{html}"
        );
        assert!(
            html.contains(r#"value="ana@example.org""#),
            "what the person typed is kept"
        );

        let resp = s
            .send(
                "POST",
                "/sign-up",
                "name=Ana+Lima&email=ana%40example.org&password=long+enough+pw",
                None,
            )
            .await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let resp = s
            .send(
                "POST",
                "/sign-up",
                "name=Ana+Again&email=ANA%40example.org&password=long+enough+pw",
                None,
            )
            .await;
        assert_eq!(resp.status(), StatusCode::CONFLICT);
        assert!(text(resp)
            .await
            .contains("an account with this email already exists"));

        let resp = s
            .send(
                "POST",
                "/sign-in",
                "email=ana%40example.org&password=long+enough+pw",
                None,
            )
            .await;
        assert_eq!(
            resp.status(),
            StatusCode::FORBIDDEN,
            "unverified accounts cannot sign in yet"
        );

        let email = s.last_email().await;
        assert!(
            email.contains("Subject: Confirm your email for Rapport"),
            "{email}"
        );
        let verify = link(&email, "/verify-email?token=");
        let page = s.send("GET", &verify, "", None).await;
        assert_eq!(
            page.status(),
            StatusCode::OK,
            "the link opens a confirm page; GET changes nothing"
        );
        assert!(text(page).await.contains("Confirm my email"));
        let token = verify.split("token=").nth(1).unwrap();
        assert_eq!(
            s.send("POST", "/verify-email", &format!("token={token}"), None)
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            s.send("POST", "/verify-email", &format!("token={token}"), None)
                .await
                .status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "a link works once"
        );

        let resp = s
            .send(
                "POST",
                "/sign-in",
                "email=ana%40example.org&password=long+enough+pw",
                None,
            )
            .await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let set = resp
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax") && !set.contains("Secure"),
            "{set}"
        );
        let cookie = set.split(';').next().unwrap().to_string();
        let home = text(s.send("GET", "/", "", Some(&cookie)).await).await;
        assert!(home.contains("Welcome, Ana Lima"));

        // Signing in again rotates the session: the old cookie stops working.
        let resp = s
            .send(
                "POST",
                "/sign-in",
                "email=ana%40example.org&password=long+enough+pw",
                Some(&cookie),
            )
            .await;
        let new_cookie = resp
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        assert_ne!(new_cookie, cookie);
        assert_eq!(
            s.send("GET", "/account", "", Some(&cookie)).await.status(),
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            s.send("GET", "/account", "", Some(&new_cookie))
                .await
                .status(),
            StatusCode::OK
        );
        s.finish().await;
    }
}

#[tokio::test]
async fn profile_form_shows_errors_next_to_fields_and_saves() {
    for kind in test_database_kinds() {
        let s = site(kind, WebConfig::default()).await;
        let id = s
            .app
            .create_user("bo@example.org", "Bo", "long enough pw", false)
            .await
            .unwrap();
        let session = s
            .app
            .sign_in(
                "bo@example.org",
                "long enough pw",
                &Default::default(),
                None,
            )
            .await
            .unwrap();
        let cookie = format!("{}={}", rapport_web::SESSION_COOKIE, session.token);
        let bad = "name=Bo&level=team_leader&years_experience=99&time_zone=Mars%2FBase&availability=someday&manager_email=nobody%40example.org";
        let resp = s
            .send("POST", &format!("/people/{id}/edit"), bad, Some(&cookie))
            .await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = text(resp).await;
        for field in [
            "years_experience",
            "time_zone",
            "availability",
            "manager_email",
        ] {
            assert!(
                html.contains(&format!(r#"id="e-{field}""#)),
                "no error shown next to {field}"
            );
        }
        assert!(html.contains("Mars/Base"), "the typed value is kept");
        let good = "name=Bo+Svensson&level=team_leader&years_experience=8&skills_offered=Coaching%2C+Rust&languages=English%2C+Swedish&time_zone=Europe%2FStockholm&availability=mon+09%3A00-10%3A00&visibility=members";
        assert_eq!(
            s.send("POST", &format!("/people/{id}/edit"), good, Some(&cookie))
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        let page = text(
            s.send("GET", &format!("/people/{id}"), "", Some(&cookie))
                .await,
        )
        .await;
        assert!(
            page.contains("Bo Svensson")
                && page.contains("Coaching")
                && page.contains("Europe/Stockholm")
                && page.contains("mon 09:00-10:00")
        );
        let found = text(s.send("GET", "/people?q=coaching", "", Some(&cookie)).await).await;
        assert!(found.contains("1 person found") && found.contains("Bo Svensson"));
        let missing = s.send("GET", "/people/not-a-uuid", "", Some(&cookie)).await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        // An error page keeps the signed-in menu (it is drawn again by the
        // pages' middleware), and a signed-out one does not grow it.
        let missing = text(missing).await;
        assert!(
            missing.contains("Sign out") && missing.contains("Not found"),
            "{missing}"
        );
        let anonymous = text(s.send("GET", "/no-such-page", "", None).await).await;
        assert!(!anonymous.contains("Sign out"), "{anonymous}");
        s.finish().await;
    }
}

#[tokio::test]
async fn oversized_bodies_cross_site_posts_request_ids_and_metrics() {
    let s = site(
        "sqlite",
        WebConfig {
            metrics_token: Some("m-secret".into()),
            ..WebConfig::default()
        },
    )
    .await;
    let big = format!("name={}", "x".repeat(rapport_web::BODY_LIMIT + 10));
    assert_eq!(
        s.send("POST", "/sign-up", &big, None).await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );

    let req = Request::builder()
        .method("POST")
        .uri("/sign-up")
        .header("host", "rapport.test")
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("name=a"))
        .unwrap();
    let resp = s.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(text(resp).await.contains("cross_site_request"));

    let resp = s.send("GET", "/healthz", "", None).await;
    assert!(
        resp.headers()
            .get("x-request-id")
            .is_some_and(|v| !v.is_empty()),
        "every response carries a request id"
    );

    assert_eq!(
        s.send("GET", "/metrics", "", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let req = Request::builder()
        .uri("/metrics")
        .header("authorization", "Bearer m-secret")
        .body(Body::empty())
        .unwrap();
    let body = text(s.router.clone().oneshot(req).await.unwrap()).await;
    assert!(
        body.contains(
            "rapport_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ),
        "{body}"
    );
    assert!(
        body.contains("rapport_http_request_duration_seconds_bucket")
            && body.contains("rapport_jobs_pending")
            && body.contains("rapport_db_pool_connections")
    );
    s.finish().await;
}

/// The example Prometheus rules in docs/operations.md name only metrics that
/// `/metrics` exports (with a histogram's `_bucket`, `_sum` and `_count`).
#[tokio::test]
async fn the_guides_alert_rules_name_exported_metrics() {
    let s = site(
        "sqlite",
        WebConfig {
            metrics_token: Some("m-secret".into()),
            ..WebConfig::default()
        },
    )
    .await;
    // One answered request, so the per-route series exist.
    s.send("GET", "/healthz", "", None).await;
    let req = Request::builder()
        .uri("/metrics")
        .header("authorization", "Bearer m-secret")
        .body(Body::empty())
        .unwrap();
    let body = text(s.router.clone().oneshot(req).await.unwrap()).await;
    let guide = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/operations.md"),
    )
    .unwrap();
    let rules = guide
        .split("### Alerts worth having")
        .nth(1)
        .and_then(|rest| rest.split("```yaml").nth(1))
        .and_then(|rest| rest.split("```").next())
        .expect("docs/operations.md has example alert rules");
    let mut named = 0;
    for (i, _) in rules.match_indices("rapport_") {
        let name: String = rules[i..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix))
            .unwrap_or(&name);
        assert!(
            body.contains(&format!("# TYPE {family} ")),
            "the alert rules name {name}, which /metrics does not export"
        );
        named += 1;
    }
    assert!(named >= 5, "the rules name Rapport's metrics");
    s.finish().await;
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_client() {
    let s = site(
        "sqlite",
        WebConfig {
            auth_attempts_per_window: 3,
            trust_proxy: true,
            ..WebConfig::default()
        },
    )
    .await;
    let attempt = |ip: &'static str| {
        let req = Request::builder()
            .method("POST")
            .uri("/sign-in")
            .header("host", "rapport.test")
            .header("x-forwarded-for", ip)
            .header("content-type", "application/x-www-form-urlencoded")
            // The header counts only from a trusted (here loopback) proxy.
            .extension(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                [127, 0, 0, 1],
                40_000,
            ))))
            .body(Body::from("email=a%40example.org&password=wrong+password"))
            .unwrap();
        s.router.clone().oneshot(req)
    };
    for _ in 0..rapport_app::accounts::SIGN_IN_FAILURES_PER_ACCOUNT {
        assert_eq!(
            attempt("203.0.113.7").await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        attempt("203.0.113.7").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        attempt("203.0.113.8").await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "other clients are not affected"
    );
    s.finish().await;
}

#[tokio::test]
async fn invitation_unsubscribe_and_admin_pages() {
    let s = site("sqlite", WebConfig::default()).await;
    s.app
        .create_user("admin@example.org", "Ada Admin", "long enough pw", true)
        .await
        .unwrap();
    let session = s
        .app
        .sign_in(
            "admin@example.org",
            "long enough pw",
            &Default::default(),
            None,
        )
        .await
        .unwrap();
    let admin = format!("{}={}", rapport_web::SESSION_COOKIE, session.token);
    let resp = s
        .send(
            "POST",
            "/admin/invitations",
            "email=cy%40nowhere&name=Cy",
            Some(&admin),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = text(resp).await;
    assert!(
        html.contains(r#"<span class="error" id="e-email">Enter a valid email address"#),
        "the error sits next to the email field: {html}"
    );
    assert!(
        html.contains(r#"value="cy@nowhere""#),
        "what the admin typed is kept"
    );
    assert_eq!(
        s.send(
            "POST",
            "/admin/invitations",
            "email=cy%40example.org&name=Cy+Invited",
            Some(&admin)
        )
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
    let email = s.last_email().await;
    let accept = link(&email, "/accept-invitation?token=");
    let token = accept.split("token=").nth(1).unwrap();
    let resp = s
        .send(
            "POST",
            "/accept-invitation",
            &format!("token={token}&password=short"),
            None,
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a bad password keeps the invitation usable"
    );
    let resp = s
        .send(
            "POST",
            "/accept-invitation",
            &format!("token={token}&password=long+enough+pw"),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let cookie = resp
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(text(s.send("GET", "/", "", Some(&cookie)).await)
        .await
        .contains("Welcome, Cy Invited"));
    let audit = text(s.send("GET", "/admin/audit", "", Some(&admin)).await).await;
    assert!(audit.contains("person.invite") && audit.contains("cy@example.org"));
    s.finish().await;
}

#[tokio::test]
async fn the_audit_page_links_newer_and_older_by_cursor() {
    let s = site("sqlite", WebConfig::default()).await;
    let id = s
        .app
        .create_user("admin@example.org", "Ada Admin", "long enough pw", true)
        .await
        .unwrap();
    let actor = s.app.actor(id).await.unwrap();
    for i in 0..55 {
        s.app
            .add_skill(&actor, &format!("Skill {i:02}"))
            .await
            .unwrap();
    }
    let session = s
        .app
        .sign_in(
            "admin@example.org",
            "long enough pw",
            &Default::default(),
            None,
        )
        .await
        .unwrap();
    let admin = format!("{}={}", rapport_web::SESSION_COOKIE, session.token);
    // The events share one millisecond (the clock stands still), so which
    // skills land on which page is up to their ids; what matters is that
    // the pages split them without overlap and link both ways.
    let skills = |html: &str| -> Vec<String> {
        html.split("Skill ")
            .skip(1)
            .map(|rest| rest[..2].to_string())
            // The page also names actions ("Skill added" in the filter).
            .filter(|n| n.chars().all(|c| c.is_ascii_digit()))
            .collect()
    };
    let href = |html: &str, label: &str| -> Option<String> {
        html.split("href=\"")
            .find(|p| p.starts_with("/admin/audit?cursor=") && p.contains(&format!(">{label}<")))
            .and_then(|p| p.split('"').next())
            .map(|h| h.replace("&#38;", "&"))
    };
    let first = text(s.send("GET", "/admin/audit", "", Some(&admin)).await).await;
    assert!(
        href(&first, "Newer").is_none(),
        "the first page has nothing newer"
    );
    let older = href(&first, "Older").expect("a link to older events");
    let second = text(s.send("GET", &older, "", Some(&admin)).await).await;
    assert!(href(&second, "Older").is_none(), "two pages hold 56 events");
    assert!(skills(&first).len() >= 49, "50 events a page");
    let mut all: Vec<String> = skills(&first).into_iter().chain(skills(&second)).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 55, "every skill once: {all:?}");
    let newer = href(&second, "Newer").expect("a link to newer events");
    let back = text(s.send("GET", &newer, "", Some(&admin)).await).await;
    assert_eq!(skills(&back), skills(&first));
    // A cursor that is not Rapport's is refused, naming it.
    let resp = s
        .send("GET", "/admin/audit?cursor=nope", "", Some(&admin))
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    s.finish().await;
}

/// `/api/docs` shows docs/api.md's reference through the product's Markdown
/// renderer: headings, tables and code, no script, for anyone.
#[tokio::test]
async fn the_api_reference_page_renders_the_generated_document() {
    let s = site("sqlite", WebConfig::default()).await;
    let resp = s.send("GET", "/api/docs", "", None).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = text(resp).await;
    assert!(
        html.contains("<title>API reference · Rapport</title>"),
        "{html}"
    );
    assert!(
        html.contains("<h1>Rapport API reference"),
        "the document's own heading"
    );
    assert!(
        html.contains("<table>"),
        "the parameter and status tables render"
    );
    assert!(html.contains("<code>/api/v1/openapi.json</code>"));
    assert!(
        !html.contains("&lt;!--") && !html.contains("<!--"),
        "the editors' note is left out, not shown as text"
    );
    // Our own small confirm-dialog script is on every page; nothing else.
    assert!(
        !html
            .replace(
                r#"<script src="/static/confirm-dialog.js" defer></script>"#,
                ""
            )
            .contains("<script"),
        "no script, no UI bundle"
    );
    // Every operation of the document appears on the page.
    let doc = rapport_web::openapi::document();
    for (path, _) in doc.paths.paths.iter() {
        assert!(html.contains(path.as_str()), "{path} is on the page");
    }
    s.finish().await;
}
