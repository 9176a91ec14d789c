//! Programme pages and API against the real router, on every database:
//! forms keep input and put errors next to fields, illegal moves say why,
//! the API names bad fields, and a round runs, publishes and is answered.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::Response;
use rapport_app::accounts::ClientInfo;
use rapport_domain::person::ProfileInput;
use rapport_web::testing::{test_database_kinds, TestApp};
use serde_json::{json, Value};
use std::ops::Deref;

/// The shared [`TestApp`], with pages and API called as a browser would.
struct Site(TestApp);

impl Deref for Site {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.0
    }
}

async fn site(kind: &'static str) -> Site {
    Site(TestApp::new(kind).await)
}

impl Site {
    async fn cookie(&self, email: &str) -> String {
        let s = self
            .app
            .sign_in(email, "long enough pw", &ClientInfo::default(), None)
            .await
            .unwrap();
        format!("{}={}", rapport_web::SESSION_COOKIE, s.token)
    }

    async fn send(&self, method: &str, uri: &str, body: &str, cookie: &str) -> Response {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("host", "rapport.test")
            .header("origin", "http://rapport.test")
            .header("cookie", cookie);
        if !body.is_empty() {
            let kind = if uri.starts_with("/api/") {
                "application/json"
            } else {
                "application/x-www-form-urlencoded"
            };
            req = req.header("content-type", kind);
        }
        self.0
            .send(req.body(Body::from(body.to_string())).unwrap())
            .await
    }

    async fn finish(self) {
        self.0.finish().await
    }
}

async fn text(r: Response) -> String {
    String::from_utf8(
        axum::body::to_bytes(r.into_body(), 1 << 22)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap()
}

async fn json_of(r: Response) -> Value {
    serde_json::from_str(&text(r).await).unwrap()
}

async fn person(
    s: &Site,
    email: &str,
    name: &str,
    level: &str,
    admin: bool,
) -> rapport_domain::PersonId {
    let id = s
        .app
        .create_user(email, name, "long enough pw", admin)
        .await
        .unwrap();
    let admin_actor = rapport_app::Actor {
        person_id: id,
        is_admin: true,
        roles: vec![],
    };
    let input = ProfileInput {
        name: name.into(),
        level: level.into(),
        years_experience: "10".into(),
        skills_offered: "Coaching".into(),
        skills_wanted: "Coaching".into(),
        languages: "English".into(),
        time_zone: "Europe/London".into(),
        visibility: "members".into(),
        ..Default::default()
    };
    s.app
        .update_profile(&admin_actor, id, &input)
        .await
        .unwrap();
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managers_and_members_through_pages_and_api() {
    for kind in test_database_kinds() {
        let s = site(kind).await;
        person(
            &s,
            "ada@example.org",
            "Ada Admin",
            "leader_of_leaders",
            true,
        )
        .await;
        let mentor = person(
            &s,
            "mo@example.org",
            "Mo Mentor",
            "leader_of_leaders",
            false,
        )
        .await;
        let mentee = person(
            &s,
            "mia@example.org",
            "Mia Mentee",
            "professional_contributor",
            false,
        )
        .await;
        let admin = s.cookie("ada@example.org").await;

        // The create form keeps input and shows every error next to its field.
        let r = s
            .send(
                "POST",
                "/programmes/new",
                "name=x&kind=one_to_one&cadence=daily&default_capacity=0&description=kept+text",
                &admin,
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = text(r).await;
        for field in ["name", "cadence", "default_capacity"] {
            assert!(
                page.contains(&format!("id=\"e-{field}\"")),
                "{field} error shown"
            );
        }
        assert!(page.contains("kept text"), "input kept");
        let r = s.send("POST", "/programmes/new", "name=Spring+Leaders&kind=one_to_one&default_capacity=2&questions=single%3A+Format%3F+%7C+Video+%7C+In+person", &admin).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            r.headers()["location"],
            "/programmes/spring-leaders?done=programme_created"
        );

        // An illegal move is refused with the allowed moves named.
        let r = s
            .send(
                "POST",
                "/programmes/spring-leaders/status",
                "status=running",
                &admin,
            )
            .await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert!(text(r).await.contains("draft → open → running → closed"));
        let r = s
            .send(
                "POST",
                "/programmes/spring-leaders/status",
                "status=open",
                &admin,
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);

        // The API names every bad field.
        let r = s.send("PUT", "/api/v1/programmes/spring-leaders", &json!({"name": "Spring Leaders", "default_capacity": 99, "starts_on": "2027-13-01"}).to_string(), &admin).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = json_of(r).await;
        let fields: Vec<&str> = body["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(&"default_capacity") && fields.contains(&"starts_on"),
            "{body}"
        );

        // Members enrol through the form; the code of conduct is required.
        let mia = s.cookie("mia@example.org").await;
        let r = s
            .send(
                "POST",
                "/programmes/spring-leaders/enrol",
                "role=mentee&q1=Video",
                &mia,
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(text(r).await.contains("id=\"e-accept_conduct\""));
        let r = s
            .send(
                "POST",
                "/programmes/spring-leaders/enrol",
                "role=mentee&q1=Video&accept_conduct=true",
                &mia,
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let mo = s.cookie("mo@example.org").await;
        let r = s.send("POST", "/api/v1/programmes/spring-leaders/enrolments", &json!({"role": "mentor", "capacity": "1", "accept_conduct": true, "answers": {"q1": ["Video"]}}).to_string(), &mo).await;
        assert_eq!(r.status(), StatusCode::CREATED);

        // The overview page, read in one transaction: a member sees where
        // they stand and nothing of the managers' section; the manager sees
        // the managers and the coverage dashboard.
        let page = text(s.send("GET", "/programmes/spring-leaders", "", &mia).await).await;
        assert!(
            page.contains("id=\"you\""),
            "the member's own section: {page}"
        );
        assert!(
            !page.contains("id=\"manage\"") && !page.contains("ada@example.org"),
            "no managers' section for a member"
        );
        let page = text(
            s.send("GET", "/programmes/spring-leaders", "", &admin)
                .await,
        )
        .await;
        assert!(
            page.contains("id=\"manage\"")
                && page.contains("ada@example.org")
                && page.contains("<h3>Coverage</h3>"),
            "the manager's section, its managers and the dashboard"
        );

        // The manager approves both, runs matching and publishes.
        let list = json_of(
            s.send(
                "GET",
                "/api/v1/programmes/spring-leaders/enrolments",
                "",
                &admin,
            )
            .await,
        )
        .await;
        for e in list.as_array().unwrap() {
            let r = s
                .send(
                    "POST",
                    &format!(
                        "/programmes/spring-leaders/participants/{}/decision",
                        e["id"].as_str().unwrap()
                    ),
                    "decision=approved",
                    &admin,
                )
                .await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
        }
        let r = s
            .send(
                "POST",
                "/programmes/spring-leaders/matching/run",
                "",
                &admin,
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let page = text(
            s.send("GET", "/programmes/spring-leaders/matching", "", &admin)
                .await,
        )
        .await;
        assert!(
            page.contains("Mia Mentee") && page.contains("Mo Mentor") && page.contains("1 / 1"),
            "the proposal and its count are shown"
        );
        let round = json_of(
            s.send(
                "POST",
                "/api/v1/programmes/spring-leaders/rounds",
                "",
                &admin,
            )
            .await,
        )
        .await;
        assert_eq!(round["result"]["placed"], 1, "{round}");
        let explanation = &round["result"]["proposals"][0]["explanation"];
        assert!(!explanation.as_array().unwrap().is_empty());
        let published = json_of(
            s.send(
                "POST",
                &format!(
                    "/api/v1/programmes/spring-leaders/rounds/{}/publish",
                    round["id"].as_str().unwrap()
                ),
                r#"{"confirm": true}"#,
                &admin,
            )
            .await,
        )
        .await;
        let room = published["rooms"][0].as_str().unwrap().to_string();

        // Each member answers; the room page shows the member-safe explanation.
        let page = text(s.send("GET", &format!("/rooms/{room}"), "", &mia).await).await;
        assert!(page.contains("Why this match") && page.contains("Accept"));
        let r = s
            .send(
                "POST",
                &format!("/api/v1/rooms/{room}/answer"),
                r#"{"answer":"maybe"}"#,
                &mia,
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(json_of(r).await["error"]["field"], "answer");
        let r = s
            .send(
                "POST",
                &format!("/rooms/{room}/answer"),
                "answer=accept",
                &mia,
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = s
            .send(
                "POST",
                &format!("/api/v1/rooms/{room}/answer"),
                r#"{"answer":"accept"}"#,
                &mo,
            )
            .await;
        assert_eq!(json_of(r).await["status"], "active");
        let coverage = json_of(
            s.send(
                "GET",
                "/api/v1/programmes/spring-leaders/coverage",
                "",
                &admin,
            )
            .await,
        )
        .await;
        assert_eq!(
            (coverage["matched"].as_u64(), coverage["unmatched"].as_u64()),
            (Some(1), Some(0)),
            "{coverage}"
        );
        let page = text(
            s.send("GET", "/programmes/spring-leaders", "", &admin)
                .await,
        )
        .await;
        assert!(page.contains("Coverage") && page.contains("Mentor load"));
        let _ = (mentor, mentee);
        // Each step of the journey told both people by email.
        for who in ["mia@example.org", "mo@example.org"] {
            for subject in [
                "Your application to Spring Leaders",
                "Your match in Spring Leaders",
                "Your room is active",
            ] {
                s.expect_email(who, subject).await;
            }
        }
        s.finish().await;
    }
}

/// The enrol form offers exactly the roles the domain allows for the kind:
/// a group programme takes facilitators, so its form offers them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_enrol_form_offers_the_roles_of_the_kind() {
    let s = site("sqlite").await;
    person(
        &s,
        "ada@example.org",
        "Ada Admin",
        "leader_of_leaders",
        true,
    )
    .await;
    person(
        &s,
        "fay@example.org",
        "Fay Facilitator",
        "team_leader",
        false,
    )
    .await;
    let admin = s.cookie("ada@example.org").await;
    for (kind, slug) in [("group", "team-circle"), ("peer", "peer-pairs")] {
        let name = slug.replace('-', "+");
        let r = s
            .send(
                "POST",
                "/programmes/new",
                &format!("name={name}&kind={kind}&default_capacity=3"),
                &admin,
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{kind}");
        let r = s
            .send(
                "POST",
                &format!("/programmes/{slug}/status"),
                "status=open",
                &admin,
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{kind}");
    }
    let fay = s.cookie("fay@example.org").await;
    let page = text(
        s.send("GET", "/programmes/team-circle/enrol", "", &fay)
            .await,
    )
    .await;
    for role in ["mentee", "mentor", "both", "facilitator"] {
        assert!(
            page.contains(&format!("<option value=\"{role}\"")),
            "group offers {role}"
        );
    }
    assert!(!page.contains("<option value=\"peer\""));
    let r = s
        .send(
            "POST",
            "/programmes/team-circle/enrol",
            "role=facilitator&capacity=4&accept_conduct=true",
            &fay,
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "a facilitator enrols");
    let page = text(
        s.send("GET", "/programmes/peer-pairs/enrol", "", &fay)
            .await,
    )
    .await;
    assert!(page.contains("<option value=\"peer\""));
    for role in ["mentee", "mentor", "both", "facilitator"] {
        assert!(
            !page.contains(&format!("<option value=\"{role}\"")),
            "peer programmes do not offer {role}"
        );
    }
    s.finish().await;
}
