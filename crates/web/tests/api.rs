//! The JSON API over HTTP, against the real router on a fresh database.
//!
//! Every test runs on each database from `test_database_kinds()`: a
//! temporary SQLite file always, and PostgreSQL too when
//! `RAPPORT_TEST_DATABASE_URL` is set.

use axum::body::Body;
use axum::http::header;
use rapport_domain::PersonId;
use rapport_web::testing::{test_database_kinds, Auth, TestApp, PASSWORD};
use rapport_web::WebConfig;
use serde_json::{json, Value};
use Auth::{Anonymous, Bearer, Cookie};

const HOUR_MS: i64 = 3_600_000;

/// Steps of the API journeys, on the shared [`TestApp`].
trait ApiSteps {
    /// The newest queued email to `person` whose subject contains `subject`;
    /// it counts as expected.
    async fn email_to(&self, person: &str, subject: &str) -> String;
    /// The token of the link in the newest email about `subject`.
    async fn token_in_email(&self, person: &str, subject: &str) -> String;
    /// Signs up over the API; the person's id.
    async fn sign_up(&self, email: &str, name: &str) -> String;
    /// Signs up, confirms the email and signs in: `(person id, cookie)`.
    async fn signed_up_member(&self, email: &str, name: &str) -> (String, String);
    /// The site admin, signed in: `(person id, cookie)`.
    async fn admin_pair(&self) -> (String, String);
}

impl ApiSteps for TestApp {
    async fn email_to(&self, person: &str, subject: &str) -> String {
        let id = PersonId(person.parse().expect("a person id"));
        let mut tx = self.store().read().await.expect("a read transaction");
        let mut messages = tx.outbox_of(id).await.expect("the outbox");
        drop(tx);
        messages.sort_by_key(|m| m.created_at);
        let to = messages
            .iter()
            .rev()
            .find(|m| m.subject.contains(subject))
            .unwrap_or_else(|| panic!("no email about {subject:?} to {person}"))
            .to
            .clone();
        self.expect_email(&to, subject).await.body
    }

    async fn token_in_email(&self, person: &str, subject: &str) -> String {
        token_in(&self.email_to(person, subject).await)
    }

    async fn sign_up(&self, email: &str, name: &str) -> String {
        let r = self
            .call(
                "POST",
                "/api/v1/auth/sign-up",
                Anonymous,
                Some(json!({"email": email, "name": name, "password": PASSWORD})),
            )
            .await
            .expect(201);
        r.json["id"].as_str().expect("an id").to_string()
    }

    async fn signed_up_member(&self, email: &str, name: &str) -> (String, String) {
        let id = self.sign_up(email, name).await;
        let token = self.token_in_email(&id, "Confirm").await;
        self.call(
            "POST",
            "/api/v1/auth/verify-email",
            Anonymous,
            Some(json!({"token": token})),
        )
        .await
        .expect(204);
        let cookie = self
            .sign_in(email, PASSWORD)
            .await
            .expect(200)
            .session_cookie();
        (id, cookie)
    }

    async fn admin_pair(&self) -> (String, String) {
        let admin = self.admin().await;
        (admin.id.to_string(), admin.cookie)
    }
}

/// The `token=` parameter of the first link in an email body.
fn token_in(body: &str) -> String {
    let after = body.split("token=").nth(1).expect("a link with a token");
    after
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// A token with its last character changed.
fn tampered(token: &str) -> String {
    let mut t = token.to_string();
    let last = t.pop().expect("a non-empty token");
    t.push(if last == 'A' { 'B' } else { 'A' });
    t
}

fn full_profile(name: &str) -> Value {
    json!({
        "name": name,
        "pronouns": "she/her",
        "bio": "Backend engineer who likes teaching.",
        "level": "team_leader",
        "years_experience": 9,
        "skills_offered": ["Rust", "System design"],
        "skills_wanted": "Public speaking, Negotiation",
        "interests": "climbing",
        "goal_tags": [],
        "goals": "Grow into leading leaders.",
        "languages": "English, French",
        "time_zone": "Europe/Paris",
        "availability": "mon 09:00-11:00\nthu 14:00-15:30",
        "department": "Platform",
        "manager_email": "",
        "visibility": "members"
    })
}

#[tokio::test]
async fn sign_up_answers_201_then_409_and_422_naming_fields() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let r = t
            .call("POST", "/api/v1/auth/sign-up", Anonymous, Some(json!({"email": "ana@example.org", "name": "Ana", "password": PASSWORD, "unknown": "ignored"})))
            .await
            .expect(201);
        assert!(
            r.json["id"]
                .as_str()
                .is_some_and(|id| id.parse::<uuid::Uuid>().is_ok()),
            "{}",
            r.json
        );

        // The same email, differently cased, is a conflict on `email`.
        let r = t
            .call(
                "POST",
                "/api/v1/auth/sign-up",
                Anonymous,
                Some(json!({"email": "ANA@example.org", "name": "Ana Two", "password": PASSWORD})),
            )
            .await
            .expect_error(409, "conflict");
        assert_eq!(r.error_field(), "email", "{kind}");

        // Every invalid field is named at once.
        let r = t
            .call(
                "POST",
                "/api/v1/auth/sign-up",
                Anonymous,
                Some(json!({"email": "not-an-email", "name": "", "password": "short"})),
            )
            .await
            .expect_error(422, "invalid_field");
        let mut fields = r.fields();
        fields.sort();
        assert_eq!(fields, ["email", "name", "password"], "{}", r.json);

        // Missing fields are empty, so they are invalid, not malformed.
        let r = t
            .call(
                "POST",
                "/api/v1/auth/sign-up",
                Anonymous,
                Some(json!({"email": "bo@example.org", "name": "Bo"})),
            )
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(r.error_field(), "password");
        // The accepted sign-up asked Ana to confirm her address.
        t.expect_email("ana@example.org", "Confirm your email")
            .await;
        t.finish().await;
    }
}

#[tokio::test]
async fn unreadable_bodies_are_400_and_oversized_ones_413() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let post = |body: &'static str, content_type: Option<&str>| {
            let mut b = TestApp::request("POST", "/api/v1/auth/sign-up", Anonymous);
            if let Some(ct) = content_type {
                b = b.header(header::CONTENT_TYPE, ct);
            }
            b.body(Body::from(body)).expect("a request")
        };
        let r = t
            .reply(post("{\"email\": ", Some("application/json")))
            .await
            .expect_error(400, "bad_request");
        assert!(
            r.json["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("not valid JSON"),
            "{}",
            r.json
        );
        t.reply(post("{}", None))
            .await
            .expect_error(415, "unsupported_media_type");
        t.reply(post(
            "email=a@b.org",
            Some("application/x-www-form-urlencoded"),
        ))
        .await
        .expect_error(415, "unsupported_media_type");
        let r = t
            .reply(post("{\"email\": 5}", Some("application/json")))
            .await
            .expect_error(400, "bad_request");
        assert!(
            r.json["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("email"),
            "names the problem: {}",
            r.json
        );
        t.reply(post("[1, 2]", Some("application/json")))
            .await
            .expect_error(400, "bad_request");

        let big = format!(
            "{{\"email\": \"{}\"}}",
            "a".repeat(rapport_web::BODY_LIMIT + 10)
        );
        let request = TestApp::request("POST", "/api/v1/auth/sign-up", Anonymous)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(big))
            .expect("a request");
        t.reply(request)
            .await
            .expect_error(413, "payload_too_large");

        // Query strings that do not parse are 400 too.
        let (_, cookie) = t.signed_up_member("ana@example.org", "Ana").await;
        t.get("/api/v1/people?page=first", Cookie(&cookie))
            .await
            .expect_error(400, "bad_request");
        t.finish().await;
    }
}

#[tokio::test]
async fn verification_then_sign_in_sets_a_safe_rotating_cookie() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let id = t.sign_up("ana@example.org", "Ana").await;

        // Not confirmed yet: the password is right but the answer is 403.
        t.sign_in("ana@example.org", PASSWORD)
            .await
            .expect_error(403, "forbidden");

        // The verification email is delivered as an .eml file carrying the link.
        assert!(t.app.run_due_jobs().await.expect("jobs run") >= 1);
        let eml: String = std::fs::read_dir(t.outbox_dir())
            .expect("the outbox folder")
            .map(|e| std::fs::read_to_string(e.expect("an entry").path()).expect("an .eml"))
            .collect();
        let unfolded = eml
            .replace("=\r\n", "")
            .replace("=\n", "")
            .replace("=3D", "=");
        let token = token_in(&unfolded);
        assert_eq!(
            token,
            t.token_in_email(&id, "Confirm").await,
            "the file and the outbox row agree"
        );

        let verify = |token: String| {
            t.call(
                "POST",
                "/api/v1/auth/verify-email",
                Anonymous,
                Some(json!({"token": token})),
            )
        };
        let r = verify(tampered(&token))
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(r.error_field(), "token");
        verify(token.clone()).await.expect(204);
        // A token works once.
        assert_eq!(
            verify(token)
                .await
                .expect_error(422, "invalid_field")
                .error_field(),
            "token"
        );

        t.sign_in("ana@example.org", "wrong password!!")
            .await
            .expect_error(401, "unauthenticated");
        let r = t.sign_in("ana@example.org", PASSWORD).await.expect(200);
        assert_eq!(r.json["person_id"], json!(id));
        let set = r.set_cookie();
        assert!(set.contains("HttpOnly"), "{set}");
        assert!(set.contains("SameSite=Lax"), "{set}");
        assert!(set.contains("Path=/"), "{set}");
        let cookie = r.session_cookie();

        let me = t.get("/api/v1/me", Cookie(&cookie)).await.expect(200);
        assert_eq!(me.json["email"], "ana@example.org");
        assert_eq!(me.json["name"], "Ana");
        t.get("/api/v1/me", Anonymous)
            .await
            .expect_error(401, "unauthenticated");
        t.get("/api/v1/me", Cookie("rapport_session=forged"))
            .await
            .expect_error(401, "unauthenticated");

        // Signing in again with the old cookie rotates it: the old one ends.
        let again = t
            .reply(
                TestApp::request("POST", "/api/v1/auth/sign-in", Cookie(&cookie))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(
                        json!({"email": "ana@example.org", "password": PASSWORD}).to_string(),
                    ))
                    .expect("a request"),
            )
            .await
            .expect(200);
        let rotated = again.session_cookie();
        assert_ne!(rotated, cookie);
        t.get("/api/v1/me", Cookie(&cookie))
            .await
            .expect_error(401, "unauthenticated");
        t.get("/api/v1/me", Cookie(&rotated)).await.expect(200);

        // Sign-out ends the session and clears the cookie.
        let out = t
            .call("POST", "/api/v1/auth/sign-out", Cookie(&rotated), None)
            .await
            .expect(204);
        assert!(
            out.set_cookie().contains("Max-Age=0"),
            "{}",
            out.set_cookie()
        );
        t.get("/api/v1/me", Cookie(&rotated))
            .await
            .expect_error(401, "unauthenticated");

        // A verification link expires after 48 hours.
        let late = t.sign_up("bo@example.org", "Bo").await;
        let token = t.token_in_email(&late, "Confirm").await;
        t.clock.advance(49 * HOUR_MS);
        assert_eq!(
            verify(token)
                .await
                .expect_error(422, "invalid_field")
                .error_field(),
            "token"
        );
        // Resending works and says the same for unknown addresses.
        t.call(
            "POST",
            "/api/v1/auth/resend-verification",
            Anonymous,
            Some(json!({"email": "bo@example.org"})),
        )
        .await
        .expect(202);
        t.call(
            "POST",
            "/api/v1/auth/resend-verification",
            Anonymous,
            Some(json!({"email": "nobody@example.org"})),
        )
        .await
        .expect(202);
        let fresh = t.token_in_email(&late, "Confirm").await;
        verify(fresh).await.expect(204);
        t.sign_in("bo@example.org", PASSWORD).await.expect(200);
        t.finish().await;
    }
}

#[tokio::test]
async fn api_tokens_work_as_bearer_until_revoked_and_sessions_can_be_revoked() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let (id, cookie) = t.signed_up_member("ana@example.org", "Ana").await;

        t.call(
            "POST",
            "/api/v1/me/tokens",
            Cookie(&cookie),
            Some(json!({"name": ""})),
        )
        .await
        .expect_error(422, "invalid_field");
        let created = t
            .call(
                "POST",
                "/api/v1/me/tokens",
                Cookie(&cookie),
                Some(json!({"name": "laptop script"})),
            )
            .await
            .expect(201);
        let secret = created.json["secret"]
            .as_str()
            .expect("a secret")
            .to_string();
        let token_id = created.json["id"].as_str().expect("an id").to_string();

        let me = t.get("/api/v1/me", Bearer(&secret)).await.expect(200);
        assert_eq!(me.json["id"], json!(id));
        let list = t
            .get("/api/v1/me/tokens", Bearer(&secret))
            .await
            .expect(200);
        assert_eq!(list.json["tokens"][0]["name"], "laptop script");
        assert!(
            !list.json.to_string().contains(&secret),
            "the secret is never shown again"
        );
        assert!(list.json["tokens"][0]["last_used_at"].is_i64());

        // A bearer token is not subject to the cross-site check; cookies are.
        let evil = TestApp::request("POST", "/api/v1/me/tokens", Bearer(&secret))
            .header(header::ORIGIN, "https://evil.example")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"name": "from a script"}).to_string()))
            .expect("a request");
        t.reply(evil).await.expect(201);

        t.call(
            "DELETE",
            &format!("/api/v1/me/tokens/{token_id}"),
            Cookie(&cookie),
            None,
        )
        .await
        .expect(204);
        t.get("/api/v1/me", Bearer(&secret))
            .await
            .expect_error(401, "unauthenticated");
        t.call(
            "DELETE",
            &format!("/api/v1/me/tokens/{token_id}"),
            Cookie(&cookie),
            None,
        )
        .await
        .expect_error(404, "not_found");
        t.get("/api/v1/me", Bearer("rpt_made_up"))
            .await
            .expect_error(401, "unauthenticated");
        let malformed = TestApp::request("GET", "/api/v1/me", Anonymous)
            .header(header::AUTHORIZATION, "Basic YTpi")
            .body(Body::empty())
            .expect("a request");
        t.reply(malformed)
            .await
            .expect_error(401, "unauthenticated");

        // Sessions: the current one is marked; another can be revoked.
        let other = t
            .sign_in("ana@example.org", PASSWORD)
            .await
            .expect(200)
            .session_cookie();
        let sessions = t
            .get("/api/v1/me/sessions", Cookie(&cookie))
            .await
            .expect(200);
        let list = sessions.json["sessions"]
            .as_array()
            .expect("a list")
            .clone();
        assert_eq!(list.len(), 2, "{}", sessions.json);
        assert_eq!(
            list.iter().filter(|s| s["current"] == json!(true)).count(),
            1
        );
        let other_id = list
            .iter()
            .find(|s| s["current"] == json!(false))
            .expect("the other")["id"]
            .as_str()
            .expect("an id")
            .to_string();
        t.call(
            "DELETE",
            &format!("/api/v1/me/sessions/{other_id}"),
            Cookie(&cookie),
            None,
        )
        .await
        .expect(204);
        t.get("/api/v1/me", Cookie(&other))
            .await
            .expect_error(401, "unauthenticated");
        t.get("/api/v1/me", Cookie(&cookie)).await.expect(200);
        t.call(
            "DELETE",
            "/api/v1/me/sessions/not-a-uuid",
            Cookie(&cookie),
            None,
        )
        .await
        .expect_error(404, "not_found");
        t.call(
            "DELETE",
            &format!("/api/v1/me/sessions/{}", uuid::Uuid::new_v4()),
            Cookie(&cookie),
            None,
        )
        .await
        .expect_error(404, "not_found");
        t.finish().await;
    }
}

#[tokio::test]
async fn profiles_validate_and_respect_visibility_and_ownership() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let (ana, ana_cookie) = t.signed_up_member("ana@example.org", "Ana Lima").await;
        let (bo, bo_cookie) = t.signed_up_member("bo@example.org", "Bo Chen").await;

        // Invalid fields are all named.
        let mut bad = full_profile("Ana Lima");
        bad["time_zone"] = json!("Mars/Olympus");
        bad["level"] = json!("wizard");
        bad["availability"] = json!("someday");
        let r = t
            .call(
                "PUT",
                &format!("/api/v1/people/{ana}/profile"),
                Cookie(&ana_cookie),
                Some(bad),
            )
            .await
            .expect_error(422, "invalid_field");
        let fields = r.fields();
        for f in ["time_zone", "level", "availability"] {
            assert!(fields.iter().any(|x| x == f), "{f} is named: {}", r.json);
        }
        let mut bad = full_profile("Ana Lima");
        bad["time_zone"] = json!("Not/AZone");
        let r = t
            .call(
                "PUT",
                &format!("/api/v1/people/{ana}/profile"),
                Cookie(&ana_cookie),
                Some(bad),
            )
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(r.error_field(), "time_zone");

        // Lists as arrays or comma-separated strings, years as a number.
        let saved = t
            .call(
                "PUT",
                &format!("/api/v1/people/{ana}/profile"),
                Cookie(&ana_cookie),
                Some(full_profile("Ana Lima")),
            )
            .await
            .expect(200);
        assert_eq!(
            saved.json["skills_offered"],
            json!(["Rust", "System design"])
        );
        assert_eq!(
            saved.json["skills_wanted"],
            json!(["Public speaking", "Negotiation"])
        );
        assert_eq!(saved.json["years_experience"], 9);
        assert_eq!(saved.json["time_zone"], "Europe/Paris");
        assert_eq!(
            saved.json["availability"],
            json!(["mon 09:00-11:00", "thu 14:00-15:30"])
        );
        // What GET answers can be sent back as it is.
        let me = t.get("/api/v1/me", Cookie(&ana_cookie)).await.expect(200);
        let round_trip = t
            .call(
                "PUT",
                &format!("/api/v1/people/{ana}/profile"),
                Cookie(&ana_cookie),
                Some(me.json.clone()),
            )
            .await
            .expect(200);
        assert_eq!(round_trip.json["availability"], me.json["availability"]);
        assert_eq!(round_trip.json["skills_offered"], me.json["skills_offered"]);

        // The directory finds people by skill, and by name.
        let found = t
            .get("/api/v1/people?q=Rust", Cookie(&bo_cookie))
            .await
            .expect(200);
        let ids: Vec<&str> = found.json["people"]
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|p| p["id"].as_str())
            .collect();
        assert!(ids.contains(&ana.as_str()), "{}", found.json);
        assert!(!ids.contains(&bo.as_str()), "{}", found.json);
        assert_eq!(found.json["page"], 1);
        assert!(found.json["pages"].as_i64().is_some_and(|p| p >= 1));
        let by_name = t
            .get("/api/v1/people?q=Lima&page=1", Cookie(&bo_cookie))
            .await
            .expect(200);
        assert_eq!(by_name.json["total"], 1, "{}", by_name.json);
        // Others do not see private attributes.
        assert!(found.json["people"][0]["email"].is_null());
        let seen = t
            .get(&format!("/api/v1/people/{ana}"), Cookie(&bo_cookie))
            .await
            .expect(200);
        assert_eq!(seen.json["name"], "Ana Lima");
        assert!(seen.json["email"].is_null());
        assert_eq!(seen.json["editable"], false);

        // Someone else's public profile: visible, not editable (403).
        t.call(
            "PUT",
            &format!("/api/v1/people/{ana}/profile"),
            Cookie(&bo_cookie),
            Some(full_profile("Hijacked")),
        )
        .await
        .expect_error(403, "forbidden");

        // Someone else's private profile: 404, as if it did not exist.
        let mut private = full_profile("Ana Lima");
        private["visibility"] = json!("private");
        t.call(
            "PUT",
            &format!("/api/v1/people/{ana}/profile"),
            Cookie(&ana_cookie),
            Some(private),
        )
        .await
        .expect(200);
        t.get(&format!("/api/v1/people/{ana}"), Cookie(&bo_cookie))
            .await
            .expect_error(404, "not_found");
        t.call(
            "PUT",
            &format!("/api/v1/people/{ana}/profile"),
            Cookie(&bo_cookie),
            Some(full_profile("Hijacked")),
        )
        .await
        .expect_error(404, "not_found");
        let hidden = t
            .get("/api/v1/people?q=Rust", Cookie(&bo_cookie))
            .await
            .expect(200);
        assert!(
            !hidden.json.to_string().contains(&ana),
            "private people are not listed: {}",
            hidden.json
        );

        // Ids that do not parse or name nobody are 404 with the JSON shape.
        t.get("/api/v1/people/not-a-uuid", Cookie(&bo_cookie))
            .await
            .expect_error(404, "not_found");
        t.get(
            &format!("/api/v1/people/{}", uuid::Uuid::new_v4()),
            Cookie(&bo_cookie),
        )
        .await
        .expect_error(404, "not_found");
        t.get(&format!("/api/v1/people/{ana}"), Anonymous)
            .await
            .expect_error(401, "unauthenticated");

        // The admin sees and edits anyone, and the edit is audited.
        let (_, admin) = t.admin_pair().await;
        let r = t
            .get(&format!("/api/v1/people/{ana}"), Cookie(&admin))
            .await
            .expect(200);
        assert_eq!(r.json["email"], "ana@example.org");
        t.call(
            "PUT",
            &format!("/api/v1/people/{ana}/profile"),
            Cookie(&admin),
            Some(full_profile("Ana L.")),
        )
        .await
        .expect(200);
        let audit = t
            .get("/api/v1/admin/audit", Cookie(&admin))
            .await
            .expect(200);
        assert!(
            audit.json["events"]
                .as_array()
                .expect("events")
                .iter()
                .any(|e| e["action"] == "profile.update"),
            "{}",
            audit.json
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn admin_endpoints_refuse_members_and_work_for_admins() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let (member_id, member) = t.signed_up_member("ana@example.org", "Ana").await;
        let (admin_id, admin) = t.admin_pair().await;
        let someone = uuid::Uuid::new_v4();

        let member_calls: Vec<(&str, String, Option<Value>)> = vec![
            (
                "POST",
                "/api/v1/admin/invitations".into(),
                Some(json!({"email": "new@example.org", "name": "New"})),
            ),
            (
                "POST",
                "/api/v1/admin/skills".into(),
                Some(json!({"name": "Rust"})),
            ),
            ("DELETE", format!("/api/v1/admin/skills/{someone}"), None),
            ("GET", "/api/v1/admin/settings".into(), None),
            (
                "PUT",
                "/api/v1/admin/settings".into(),
                Some(json!({"signup_mode": "invite_only"})),
            ),
            ("GET", "/api/v1/admin/audit".into(), None),
            (
                "PUT",
                format!("/api/v1/admin/people/{member_id}/admin"),
                Some(json!({"admin": true})),
            ),
            ("DELETE", format!("/api/v1/people/{admin_id}"), None),
        ];
        for (method, path, body) in member_calls {
            let r = t.call(method, &path, Cookie(&member), body.clone()).await;
            assert_eq!(
                (r.status.as_u16(), r.error_code()),
                (403, "forbidden"),
                "{method} {path}: {}",
                r.json
            );
            let r = t.call(method, &path, Anonymous, body).await;
            assert_eq!(
                (r.status.as_u16(), r.error_code()),
                (401, "unauthenticated"),
                "{method} {path}: {}",
                r.json
            );
        }

        // Skills: anyone signed in reads; admins add and remove.
        let skill = t
            .call(
                "POST",
                "/api/v1/admin/skills",
                Cookie(&admin),
                Some(json!({"name": "Rust"})),
            )
            .await
            .expect(201);
        let skill_id = skill.json["id"].as_str().expect("an id").to_string();
        let r = t
            .call(
                "POST",
                "/api/v1/admin/skills",
                Cookie(&admin),
                Some(json!({"name": "rust"})),
            )
            .await
            .expect_error(409, "conflict");
        assert_eq!(r.error_field(), "name");
        t.call(
            "POST",
            "/api/v1/admin/skills",
            Cookie(&admin),
            Some(json!({"name": ""})),
        )
        .await
        .expect_error(422, "invalid_field");
        let skills = t.get("/api/v1/skills", Cookie(&member)).await.expect(200);
        assert_eq!(skills.json["skills"][0]["name"], "Rust");
        t.get("/api/v1/skills", Anonymous)
            .await
            .expect_error(401, "unauthenticated");
        t.call(
            "DELETE",
            &format!("/api/v1/admin/skills/{skill_id}"),
            Cookie(&admin),
            None,
        )
        .await
        .expect(204);
        t.call(
            "DELETE",
            &format!("/api/v1/admin/skills/{skill_id}"),
            Cookie(&admin),
            None,
        )
        .await
        .expect_error(404, "not_found");

        // Invitations: the invited person sets a password and is signed in.
        let invited = t
            .call(
                "POST",
                "/api/v1/admin/invitations",
                Cookie(&admin),
                Some(json!({"email": "cy@example.org", "name": "Cy", "admin": false})),
            )
            .await
            .expect(201);
        let cy = invited.json["id"].as_str().expect("an id").to_string();
        let r = t
            .call(
                "POST",
                "/api/v1/admin/invitations",
                Cookie(&admin),
                Some(json!({"email": "cy@example.org", "name": "Cy"})),
            )
            .await
            .expect_error(409, "conflict");
        assert_eq!(r.error_field(), "email");
        let r = t
            .call(
                "POST",
                "/api/v1/admin/invitations",
                Cookie(&admin),
                Some(json!({"email": "x", "name": ""})),
            )
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(r.fields().len(), 2, "{}", r.json);
        let token = t.token_in_email(&cy, "invited").await;
        let accept = |token: String, password: &str| {
            t.call(
                "POST",
                "/api/v1/auth/accept-invitation",
                Anonymous,
                Some(json!({"token": token, "password": password})),
            )
        };
        assert_eq!(
            accept(tampered(&token), PASSWORD)
                .await
                .expect_error(422, "invalid_field")
                .error_field(),
            "token"
        );
        assert_eq!(
            accept(token.clone(), "short")
                .await
                .expect_error(422, "invalid_field")
                .error_field(),
            "password"
        );
        let joined = accept(token.clone(), PASSWORD).await.expect(200);
        assert_eq!(joined.json["person_id"], json!(cy));
        let cy_cookie = joined.session_cookie();
        assert_eq!(
            t.get("/api/v1/me", Cookie(&cy_cookie))
                .await
                .expect(200)
                .json["active"],
            true
        );
        accept(token, PASSWORD)
            .await
            .expect_error(422, "invalid_field");

        // Settings: invite-only stops sign-up; domains allow some addresses.
        let s = t
            .get("/api/v1/admin/settings", Cookie(&admin))
            .await
            .expect(200);
        assert_eq!(
            s.json,
            json!({"signup_mode": "open", "allowed_domains": []})
        );
        t.call(
            "PUT",
            "/api/v1/admin/settings",
            Cookie(&admin),
            Some(json!({"signup_mode": "invite_only"})),
        )
        .await
        .expect(200);
        t.call(
            "POST",
            "/api/v1/auth/sign-up",
            Anonymous,
            Some(json!({"email": "dee@example.org", "name": "Dee", "password": PASSWORD})),
        )
        .await
        .expect_error(403, "forbidden");
        let s = t.call("PUT", "/api/v1/admin/settings", Cookie(&admin), Some(json!({"signup_mode": "domains", "allowed_domains": ["Example.COM", "example.net"]}))).await.expect(200);
        assert_eq!(
            s.json,
            json!({"signup_mode": "domains", "allowed_domains": ["example.com", "example.net"]})
        );
        t.call(
            "POST",
            "/api/v1/auth/sign-up",
            Anonymous,
            Some(json!({"email": "dee@example.com", "name": "Dee", "password": PASSWORD})),
        )
        .await
        .expect(201);
        t.call(
            "POST",
            "/api/v1/auth/sign-up",
            Anonymous,
            Some(json!({"email": "eve@example.org", "name": "Eve", "password": PASSWORD})),
        )
        .await
        .expect_error(403, "forbidden");
        let r = t
            .call(
                "PUT",
                "/api/v1/admin/settings",
                Cookie(&admin),
                Some(json!({"signup_mode": "domains", "allowed_domains": ""})),
            )
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(r.error_field(), "allowed_domains");
        let r = t
            .call(
                "PUT",
                "/api/v1/admin/settings",
                Cookie(&admin),
                Some(json!({"signup_mode": "everyone"})),
            )
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(r.error_field(), "signup_mode");

        // Admin rights: granted, then the last admin cannot step down.
        t.call(
            "PUT",
            &format!("/api/v1/admin/people/{member_id}/admin"),
            Cookie(&admin),
            Some(json!({})),
        )
        .await
        .expect_error(400, "bad_request");
        t.call(
            "PUT",
            &format!("/api/v1/admin/people/{member_id}/admin"),
            Cookie(&admin),
            Some(json!({"admin": true})),
        )
        .await
        .expect(204);
        assert_eq!(
            t.get("/api/v1/me", Cookie(&member)).await.expect(200).json["is_admin"],
            true
        );
        t.get("/api/v1/admin/settings", Cookie(&member))
            .await
            .expect(200);
        t.call(
            "PUT",
            &format!("/api/v1/admin/people/{member_id}/admin"),
            Cookie(&admin),
            Some(json!({"admin": false})),
        )
        .await
        .expect(204);
        let r = t
            .call(
                "PUT",
                &format!("/api/v1/admin/people/{admin_id}/admin"),
                Cookie(&admin),
                Some(json!({"admin": false})),
            )
            .await
            .expect_error(409, "conflict");
        assert_eq!(r.error_field(), "is_admin");
        t.call(
            "PUT",
            &format!("/api/v1/admin/people/{someone}/admin"),
            Cookie(&admin),
            Some(json!({"admin": true})),
        )
        .await
        .expect_error(404, "not_found");

        // The audit log shows who did what.
        let audit = t
            .get("/api/v1/admin/audit?page=1", Cookie(&admin))
            .await
            .expect(200);
        let actions: Vec<&str> = audit.json["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        for a in [
            "person.invite",
            "skill.add",
            "skill.remove",
            "settings.signup_mode",
            "person.set_admin",
        ] {
            assert!(actions.contains(&a), "{a} in {actions:?}");
        }
        let invite = audit.json["events"]
            .as_array()
            .expect("events")
            .iter()
            .find(|e| e["action"] == "person.invite")
            .expect("an invite event");
        assert_eq!(invite["actor_name"], "Ada Admin");
        assert_eq!(invite["after"]["email"], "cy@example.org");
        // The allowed domain signed up and was asked to confirm.
        t.expect_email("dee@example.com", "Confirm your email")
            .await;
        t.finish().await;
    }
}

#[tokio::test]
async fn password_reset_by_mailed_token() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let (id, cookie) = t.signed_up_member("ana@example.org", "Ana").await;
        let forgot = |email: &'static str| {
            t.call(
                "POST",
                "/api/v1/auth/forgot-password",
                Anonymous,
                Some(json!({"email": email})),
            )
        };
        let known = forgot("ana@example.org").await.expect(202);
        let unknown = forgot("nobody@example.org").await.expect(202);
        assert_eq!(
            known.json, unknown.json,
            "the answer does not reveal accounts"
        );
        forgot("not an email")
            .await
            .expect_error(422, "invalid_field");

        let token = t.token_in_email(&id, "Reset").await;
        let reset = |token: String, password: &'static str| {
            t.call(
                "POST",
                "/api/v1/auth/reset-password",
                Anonymous,
                Some(json!({"token": token, "password": password})),
            )
        };
        assert_eq!(
            reset(tampered(&token), "a brand new password")
                .await
                .expect_error(422, "invalid_field")
                .error_field(),
            "token"
        );
        assert_eq!(
            reset(token.clone(), "short")
                .await
                .expect_error(422, "invalid_field")
                .error_field(),
            "password"
        );
        reset(token.clone(), "a brand new password")
            .await
            .expect(204);
        // Every session ended; the old password no longer works.
        t.get("/api/v1/me", Cookie(&cookie))
            .await
            .expect_error(401, "unauthenticated");
        t.sign_in("ana@example.org", PASSWORD)
            .await
            .expect_error(401, "unauthenticated");
        t.sign_in("ana@example.org", "a brand new password")
            .await
            .expect(200);
        assert_eq!(
            reset(token, "another new password")
                .await
                .expect_error(422, "invalid_field")
                .error_field(),
            "token"
        );

        // A reset link works for one hour.
        forgot("ana@example.org").await.expect(202);
        let token = t.token_in_email(&id, "Reset").await;
        t.clock.advance(2 * HOUR_MS);
        assert_eq!(
            reset(token, "yet another password")
                .await
                .expect_error(422, "invalid_field")
                .error_field(),
            "token"
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn cross_site_state_changes_are_refused() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let (_, cookie) = t.signed_up_member("ana@example.org", "Ana").await;
        for (origin_header, value) in [
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ] {
            let request = TestApp::request("POST", "/api/v1/me/tokens", Cookie(&cookie))
                .header(origin_header, value)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({"name": "stolen"}).to_string()))
                .expect("a request");
            t.reply(request)
                .await
                .expect_error(403, "cross_site_request");
        }
        let request = TestApp::request("DELETE", "/api/v1/me", Cookie(&cookie))
            .header(header::ORIGIN, "https://evil.example")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"password": PASSWORD}).to_string()))
            .expect("a request");
        t.reply(request)
            .await
            .expect_error(403, "cross_site_request");
        // Nothing happened, and same-origin requests still work.
        let tokens = t
            .get("/api/v1/me/tokens", Cookie(&cookie))
            .await
            .expect(200);
        assert_eq!(tokens.json["tokens"], json!([]));
        let request = TestApp::request("POST", "/api/v1/me/tokens", Cookie(&cookie))
            .header(header::ORIGIN, "http://rapport.test")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"name": "mine"}).to_string()))
            .expect("a request");
        t.reply(request).await.expect(201);
        t.finish().await;
    }
}

#[tokio::test]
async fn export_holds_the_profile_and_deletion_keeps_others() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let (ana, ana_cookie) = t.signed_up_member("ana@example.org", "Ana Lima").await;
        let (bo, bo_cookie) = t.signed_up_member("bo@example.org", "Bo Chen").await;
        let mut profile = full_profile("Ana Lima");
        profile["manager_email"] = json!("bo@example.org");
        t.call(
            "PUT",
            &format!("/api/v1/people/{ana}/profile"),
            Cookie(&ana_cookie),
            Some(profile),
        )
        .await
        .expect(200);
        t.call(
            "POST",
            "/api/v1/me/tokens",
            Cookie(&ana_cookie),
            Some(json!({"name": "cli"})),
        )
        .await
        .expect(201);

        let export = t
            .get("/api/v1/me/export", Cookie(&ana_cookie))
            .await
            .expect(200);
        assert_eq!(export.json["format"], "rapport-personal-data/1");
        assert_eq!(export.json["account"]["email"], "ana@example.org");
        assert_eq!(export.json["profile"]["name"], "Ana Lima");
        assert_eq!(
            export.json["profile"]["bio"],
            "Backend engineer who likes teaching."
        );
        assert_eq!(export.json["api_tokens"][0]["name"], "cli");
        assert!(
            !export.json.to_string().contains("bo@example.org"),
            "no one else's email: {}",
            export.json
        );

        let r = t
            .call(
                "DELETE",
                "/api/v1/me",
                Cookie(&ana_cookie),
                Some(json!({"password": "not my password"})),
            )
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(r.error_field(), "password");
        let gone = t
            .call(
                "DELETE",
                "/api/v1/me",
                Cookie(&ana_cookie),
                Some(json!({"password": PASSWORD})),
            )
            .await
            .expect(204);
        assert!(gone.set_cookie().contains("Max-Age=0"));
        t.get("/api/v1/me", Cookie(&ana_cookie))
            .await
            .expect_error(401, "unauthenticated");
        t.sign_in("ana@example.org", PASSWORD)
            .await
            .expect_error(401, "unauthenticated");
        t.get(&format!("/api/v1/people/{ana}"), Cookie(&bo_cookie))
            .await
            .expect_error(404, "not_found");
        let bo_view = t
            .get(&format!("/api/v1/people/{bo}"), Cookie(&bo_cookie))
            .await
            .expect(200);
        assert_eq!(bo_view.json["name"], "Bo Chen");
        let dir = t
            .get("/api/v1/people", Cookie(&bo_cookie))
            .await
            .expect(200);
        assert_eq!(dir.json["total"], 1, "{}", dir.json);

        // An admin deletes someone; the audit log keeps the fact, not the data.
        let (_, admin) = t.admin_pair().await;
        t.call(
            "DELETE",
            &format!("/api/v1/people/{bo}"),
            Cookie(&admin),
            None,
        )
        .await
        .expect(204);
        t.get(&format!("/api/v1/people/{bo}"), Cookie(&admin))
            .await
            .expect_error(404, "not_found");
        t.call(
            "DELETE",
            &format!("/api/v1/people/{bo}"),
            Cookie(&admin),
            None,
        )
        .await
        .expect_error(404, "not_found");
        let audit = t
            .get("/api/v1/admin/audit", Cookie(&admin))
            .await
            .expect(200);
        let deletions = audit.json["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter(|e| e["action"] == "person.delete")
            .count();
        assert_eq!(deletions, 2, "{}", audit.json);
        assert!(
            !audit.json.to_string().contains("ana@example.org\""),
            "{}",
            audit.json
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn notification_preferences_round_trip() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let (_, cookie) = t.signed_up_member("ana@example.org", "Ana").await;
        let prefs = t
            .get("/api/v1/me/notifications", Cookie(&cookie))
            .await
            .expect(200);
        assert!(prefs.json["preferences"]
            .as_array()
            .expect("a list")
            .iter()
            .all(|p| p["enabled"] == json!(true)));
        let saved = t
            .call(
                "PUT",
                "/api/v1/me/notifications",
                Cookie(&cookie),
                Some(json!({"enabled": ["matching"]})),
            )
            .await
            .expect(200);
        let enabled: Vec<&str> = saved.json["preferences"]
            .as_array()
            .expect("a list")
            .iter()
            .filter(|p| p["enabled"] == json!(true))
            .filter_map(|p| p["kind"].as_str())
            .collect();
        assert_eq!(enabled, ["matching"]);
        assert_eq!(
            t.get("/api/v1/me/notifications", Cookie(&cookie))
                .await
                .expect(200)
                .json,
            saved.json
        );
        let r = t
            .call(
                "PUT",
                "/api/v1/me/notifications",
                Cookie(&cookie),
                Some(json!({"enabled": ["spam"]})),
            )
            .await
            .expect_error(422, "invalid_field");
        assert_eq!(r.error_field(), "enabled");
        assert!(r.json.to_string().contains("growth"), "{}", r.json);
        t.finish().await;
    }
}

/// Preferences stored before a kind existed name no key for it: the new
/// kind (growth tools) is on, and the stored choices still hold.
#[tokio::test]
async fn a_preference_stored_before_a_kind_existed_leaves_that_kind_on() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let ana = t.member("ana@example.org", "Ana").await;
        let mut tx = t.store().write().await.unwrap();
        tx.set_notification_optouts(ana.id, &["digest", "rooms"], 0)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let prefs = t
            .get("/api/v1/me/notifications", ana.auth())
            .await
            .expect(200)
            .json;
        let enabled: Vec<(&str, bool)> = prefs["preferences"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|p| (p["kind"].as_str().unwrap(), p["enabled"] == json!(true)))
            .collect();
        assert_eq!(
            enabled,
            [
                ("matching", true),
                ("digest", false),
                ("sessions", true),
                ("rooms", false),
                ("growth", true)
            ],
            "[{kind}]"
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn authentication_endpoints_are_rate_limited() {
    for kind in test_database_kinds() {
        let web = WebConfig {
            auth_attempts_per_window: 3,
            ..WebConfig::default()
        };
        let t = TestApp::with(kind, web, |_| {}).await;
        // Failed sign-ins have their own limit (10 per account and address).
        for _ in 0..rapport_app::accounts::SIGN_IN_FAILURES_PER_ACCOUNT {
            t.sign_in("ana@example.org", PASSWORD)
                .await
                .expect_error(401, "unauthenticated");
        }
        t.sign_in("ana@example.org", PASSWORD)
            .await
            .expect_error(429, "rate_limited");
        for _ in 0..3 {
            t.call(
                "POST",
                "/api/v1/auth/forgot-password",
                Anonymous,
                Some(json!({"email": "a@example.org"})),
            )
            .await
            .expect(202);
        }
        t.call(
            "POST",
            "/api/v1/auth/resend-verification",
            Anonymous,
            Some(json!({"email": "a@example.org"})),
        )
        .await
        .expect_error(429, "rate_limited");
        // Sign-up has its own bucket.
        t.sign_up("bo@example.org", "Bo").await;
        t.expect_email("bo@example.org", "Confirm your email").await;
        t.finish().await;
    }
}

/// Two servers on one database (two routers on one store, as two `rapport
/// serve` processes behind a load balancer) enforce one sign-in limit
/// together: the attempts are counted in the database, not per process,
/// so alternating between servers does not double the allowance.
#[tokio::test]
async fn the_sign_in_limit_holds_across_servers_sharing_a_database() {
    use tower::ServiceExt;
    for kind in test_database_kinds() {
        let web = WebConfig {
            auth_attempts_per_window: 4,
            trusted_proxies: rapport_web::TrustedProxies::parse_all(["10.0.0.1"]).unwrap(),
            ..WebConfig::default()
        };
        let t = TestApp::with(kind, web.clone(), |_| {}).await;
        let servers = [
            t.router.clone(),
            rapport_web::router(rapport_web::AppState::new(t.app.clone(), web)),
        ];
        let attempt = |server: usize, client: &str| {
            let req = axum::http::Request::builder()
                .method("POST")
                .uri("/api/v1/auth/sign-in")
                .header("host", "rapport.test")
                .header("content-type", "application/json")
                .header("x-forwarded-for", client)
                .extension(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                    [10, 0, 0, 1],
                    40_000,
                ))))
                .body(Body::from(
                    r#"{"email":"ana@example.org","password":"wrong password"}"#,
                ))
                .unwrap();
            servers[server].clone().oneshot(req)
        };
        let mut statuses = vec![];
        for i in 0..12 {
            statuses.push(
                attempt(i % 2, "203.0.113.7")
                    .await
                    .unwrap()
                    .status()
                    .as_u16(),
            );
        }
        let mut expected = vec![401; 10];
        expected.extend([429, 429]);
        assert_eq!(statuses, expected, "{kind}");
        assert_eq!(
            attempt(1, "203.0.113.8").await.unwrap().status().as_u16(),
            401,
            "{kind}: another client is not limited"
        );
        // The window passes on the shared clock: both servers let the
        // client try again.
        t.clock.advance(15 * 60_000);
        assert_eq!(
            attempt(0, "203.0.113.7").await.unwrap().status().as_u16(),
            401,
            "{kind}"
        );
        assert_eq!(
            attempt(1, "203.0.113.7").await.unwrap().status().as_u16(),
            401,
            "{kind}"
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn unknown_api_routes_and_methods_answer_json() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        t.get("/api/v1/nothing-here", Anonymous)
            .await
            .expect_error(404, "not_found");
        t.call("PATCH", "/api/v1/me", Anonymous, None)
            .await
            .expect_error(405, "method_not_allowed");
        let doc = t.get("/api/v1/openapi.json", Anonymous).await.expect(200);
        assert!(doc.json["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.")));
        t.finish().await;
    }
}

#[tokio::test]
async fn the_audit_log_pages_by_cursor_with_a_link_header() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let admin = t.admin().await.cookie;
        for name in ["Rust", "Go", "Zig", "Elm", "Lua"] {
            t.call(
                "POST",
                "/api/v1/admin/skills",
                Cookie(&admin),
                Some(json!({"name": name})),
            )
            .await
            .expect(201);
        }
        // Bad parameters are 422 naming the field.
        for (query, field) in [
            ("limit=101", "limit"),
            ("limit=0", "limit"),
            ("cursor=not-ours", "cursor"),
            ("page=2&cursor=bzox", "cursor"),
        ] {
            let r = t
                .get(&format!("/api/v1/admin/audit?{query}"), Cookie(&admin))
                .await
                .expect_error(422, "invalid_field");
            assert_eq!(r.error_field(), field, "{query}");
        }
        // Page by page through the Link header, newest first, nothing twice.
        let mut url = "/api/v1/admin/audit?limit=2".to_string();
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            let r = t.get(&url, Cookie(&admin)).await.expect(200);
            pages += 1;
            assert_eq!(r.json["total"], 6, "five skills and the admin's account");
            assert_eq!(r.json["total_capped"], false);
            assert_eq!(r.json["per_page"], 2);
            for e in r.json["events"].as_array().expect("events") {
                if e["action"] != "skill.add" {
                    continue;
                }
                assert!(e["after"].is_object(), "states are JSON objects: {e}");
                assert!(e["before"].is_null(), "{e}");
                seen.push(e["after"]["name"].as_str().expect("a name").to_string());
            }
            let link = r
                .headers
                .get("link")
                .map(|v| v.to_str().expect("ASCII").to_string());
            let Some(next) = link.as_deref().and_then(|l| {
                l.split(", ")
                    .find(|p| p.ends_with("rel=\"next\""))
                    .map(|p| p.to_string())
            }) else {
                break;
            };
            let target = next
                .trim_start_matches('<')
                .split('>')
                .next()
                .expect("a URL");
            assert!(
                target.starts_with("http://rapport.test/api/v1/admin/audit?cursor="),
                "{target}"
            );
            assert!(target.ends_with("&limit=2"), "{target}");
            url = target.trim_start_matches("http://rapport.test").to_string();
        }
        assert_eq!(pages, 3);
        assert_eq!(seen, ["Lua", "Elm", "Zig", "Go", "Rust"]);
        // The second page links back to the first.
        let first = t
            .get("/api/v1/admin/audit?limit=2", Cookie(&admin))
            .await
            .expect(200);
        let link = first.headers["link"].to_str().expect("ASCII").to_string();
        assert!(
            !link.contains("rel=\"prev\""),
            "the first page has no previous: {link}"
        );
        let next = link
            .trim_start_matches("<http://rapport.test")
            .split('>')
            .next()
            .unwrap()
            .to_string();
        let second = t.get(&next, Cookie(&admin)).await.expect(200);
        assert_eq!(second.json["page"], 0, "a cursor page has no number");
        let link = second.headers["link"].to_str().expect("ASCII").to_string();
        let prev = link
            .split(", ")
            .find(|p| p.ends_with("rel=\"prev\""))
            .expect("a prev link")
            .trim_start_matches("<http://rapport.test")
            .split('>')
            .next()
            .unwrap()
            .to_string();
        let back = t.get(&prev, Cookie(&admin)).await.expect(200);
        assert_eq!(back.json["events"], first.json["events"]);
        // `page` keeps working.
        let p3 = t
            .get("/api/v1/admin/audit?page=3&limit=2", Cookie(&admin))
            .await
            .expect(200);
        assert_eq!(p3.json["page"], 3);
        assert_eq!(p3.json["pages"], 3);
        assert_eq!(p3.json["events"][0]["after"]["name"], "Rust");
        t.finish().await;
    }
}

#[tokio::test]
async fn one_click_unsubscribe_works_from_a_mail_provider() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let ana = t.member("ana@example.org", "Ana").await;
        let (person, cookie) = (ana.id, ana.cookie);
        let link = t
            .app
            .unsubscribe_link(person, rapport_domain::person::NotificationKind::Matching);
        let path = link.trim_start_matches("http://rapport.test");
        // RFC 8058: a POST of this body to the link, from the provider's
        // servers: no cookie, another site, and no further interaction.
        let request = TestApp::request("POST", path, Anonymous)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "cross-site")
            .header(header::ORIGIN, "https://mail.example")
            .body(Body::from("List-Unsubscribe=One-Click"))
            .expect("a request");
        let r = t.send(request).await;
        assert_eq!(
            r.status(),
            axum::http::StatusCode::SEE_OTHER,
            "unsubscribed and sent on"
        );
        let prefs = t
            .get("/api/v1/me/notifications", Cookie(&cookie))
            .await
            .expect(200);
        let matching = prefs.json["preferences"]
            .as_array()
            .expect("a list")
            .iter()
            .find(|p| p["kind"] == "matching")
            .expect("the matching preference")
            .clone();
        assert_eq!(matching["enabled"], false, "{}", prefs.json);
        // A tampered link does nothing.
        let forged = path.replace("kind=matching", "kind=programme");
        let request = TestApp::request("POST", &forged, Anonymous)
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
            .body(Body::from("--x\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--x--\r\n"))
            .expect("a request");
        let r = t.send(request).await;
        assert_eq!(r.status(), axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        t.finish().await;
    }
}
