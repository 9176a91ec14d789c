//! Private means private, proved (issue 17, "Done means").
//!
//! A mentee plants a unique marker in each of the three things only they
//! (and, for two of them, the programme's managers) may ever read:
//!
//! - a **private note**: its author only — not the other member, not a
//!   manager, not an admin;
//! - a **pulse answer** (its free-text comment, and its distinctive scores
//!   as the health reasons word them): the author, and the programme's
//!   managers through the room's health;
//! - a **blind session feedback** comment: the author and the programme's
//!   managers.
//!
//! Admins act as managers of every programme (`RoomAccess::manager` is
//! `is_admin || manages`), so they are on the managers' side of the last two
//! rules, and on nobody's side of the first.
//!
//! Then, as every role, the test calls **every route** the server has — the
//! pages from `page_routes()` and the API from the OpenAPI document, the
//! same tables the authorization matrix reads — with real ids put in for
//! every path parameter, renders every email queued along the way (stored and
//! as delivered), every data export and every calendar feed, and asserts that
//! no marker shows up where it should not. A route with a parameter the test
//! cannot fill fails it loudly (see [`Ids::candidates`]): a new route is
//! covered the day it is added, or the test says what it needs.

use axum::body::Body;
use rapport_domain::mentoring::{MemberState, RoomOrigin, RoomStatus};
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::values::TimeZoneName;
use rapport_domain::{EnrolmentId, PersonId, ProgrammeId, RoomId};
use rapport_store::{EnrolmentRecord, NewRoom};
use rapport_web::testing::{test_database_kinds, Auth, Person, TestApp, START_MS};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// In the author's private note.
const NOTE: &str = "privnote-q7x2kzv";
/// In the author's pulse comment.
const PULSE: &str = "pulsecomment-m4v8zqa";
/// In the author's feedback on a held session.
const FEEDBACK: &str = "blindfeedback-r5t1wpe";
/// The author's distinctive pulse scores, as the health reasons put them
/// (nobody else in the room answers a pulse, so only theirs can say this).
const SCORES: &str = "scored acceptance 1 of 5";
/// Roadmaps (H6): in the author's private reflection on a roadmap step.
const ROADMAP_REFLECTION: &str = "roadmapreflection-h6k3p9w";
/// Growth Threads (H7): in the author's "only me" thread (title and post).
const ONLY_ME: &str = "onlymethread-k3j9w";
/// Growth Threads (H7): in the author's "my rooms" thread (title, post and
/// the room mate's comment): the author and the other member of their room.
const MY_ROOMS: &str = "myroomsthread-p8d2x";
const MARKERS: [&str; 9] = [
    NOTE,
    PULSE,
    SCORES,
    FEEDBACK,
    ROADMAP_REFLECTION,
    ONLY_ME,
    MY_ROOMS,
    REFLECTION,
    NEEDS,
];
/// In the author's private reflection answer (issue 19, H8).
const REFLECTION: &str = "privreflection-k3n9wqz";
/// The author's needs-check result, as only a result shows it (nobody else
/// takes the check here).
const NEEDS: &str = "A leadership gap: you need clearer direction from your own leader";
/// The seeded prompt the author answers.
const PROMPT: &str = "7e5f0000-0000-4000-8000-000000000001";

/// The author's note shared with the room (not private: a control).
const SHARED_NOTE: &str = "What we agreed to read.";

const DAY: i64 = 24 * 3_600_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    /// The mentee who wrote all three.
    Author,
    /// The other member of the room, its mentor.
    OtherMember,
    /// A mentor of the same programme, in no room with the author.
    OtherMentor,
    /// A mentee of the same programme, outside the room.
    Outsider,
    ManagerHere,
    ManagerElsewhere,
    Admin,
    Anonymous,
}

const ROLES: [Role; 8] = [
    Role::Author,
    Role::OtherMember,
    Role::OtherMentor,
    Role::Outsider,
    Role::ManagerHere,
    Role::ManagerElsewhere,
    Role::Admin,
    Role::Anonymous,
];

/// Who may read `marker` anywhere in the product.
fn may_read(marker: &str, role: Role) -> bool {
    match marker {
        NOTE | ROADMAP_REFLECTION | ONLY_ME | REFLECTION | NEEDS => role == Role::Author,
        MY_ROOMS => matches!(role, Role::Author | Role::OtherMember),
        PULSE | SCORES | FEEDBACK => matches!(role, Role::Author | Role::ManagerHere | Role::Admin),
        _ => unreachable!("unknown marker {marker}"),
    }
}

/// The markers in `text` that `role` may not read.
fn leaked(text: &str, role: Role) -> Vec<&'static str> {
    MARKERS
        .into_iter()
        .filter(|m| text.contains(m) && !may_read(m, role))
        .collect()
}

/// Real ids for each kind of path parameter.
struct Ids {
    room: RoomId,
    /// The held session (with the feedback) and a scheduled one.
    sessions: Vec<String>,
    /// The private note and a shared one.
    notes: Vec<String>,
    goal: String,
    milestone: String,
    item: String,
    message: String,
    /// The author's enrolment.
    enrolment: EnrolmentId,
    author: PersonId,
    mentor: PersonId,
    /// An account nobody cares about, for the admin's writes on people
    /// (deleting the author would end the test, not prove anything).
    bystander: PersonId,
    /// Each role's own calendar feed file (`{token}.ics`).
    feeds: BTreeMap<Role, String>,
    /// Roadmaps (H6): the roadmap the author follows (attached to the
    /// room) and the step with their private reflection.
    roadmap: String,
    roadmap_step: String,
    /// Growth Threads (H7): the "only me" and "my rooms" threads, their
    /// posts, and the room mate's comment.
    threads: Vec<String>,
    posts: Vec<String>,
    comments: Vec<String>,
}

impl Ids {
    /// The values to try for the parameter `param` that follows the path
    /// segment `before`, when `role` calls `method`. Panics on a parameter
    /// it does not know: a new kind of route must say which real ids it
    /// takes before the privacy proof can pass.
    fn candidates(
        &self,
        route: &str,
        before: &str,
        param: &str,
        method: &str,
        role: Role,
    ) -> Vec<String> {
        let random = || vec![uuid::Uuid::new_v4().to_string()];
        let read = method == "GET";
        match (before, param) {
            (_, "action") => vec!["ask".into()],
            ("rooms", _) => vec![self.room.to_string()],
            ("sessions", _)
                if route.contains("/me/sessions/") || route.starts_with("/account/") =>
            {
                // The caller's own sign-in sessions: nothing of anyone else.
                random()
            }
            ("sessions", _) => self.sessions.clone(),
            ("notes", _) => self.notes.clone(),
            ("goals", _) => vec![self.goal.clone()],
            ("milestones", _) => vec![self.milestone.clone()],
            ("action-items", _) => vec![self.item.clone()],
            ("messages", _) => vec![self.message.clone()],
            // Growth Threads (H7).
            ("threads", _) => self.threads.clone(),
            ("posts", _) => self.posts.clone(),
            ("comments", _) => self.comments.clone(),
            ("reactions", "kind") => vec!["helpful".into()],
            // Reflection (issue 19, H8): the prompt the author answered.
            ("prompts", _) => vec![PROMPT.into()],
            // Managers' tools (issue 18 §6): a mentor's capacity.
            ("mentors", "id") => vec![self.mentor.to_string()],
            ("people", _) if read => vec![self.author.to_string(), self.mentor.to_string()],
            ("people", _) => vec![self.bystander.to_string()],
            ("programmes", "slug") => vec!["here".into(), "elsewhere".into()],
            ("enrolments" | "participants", "id") => vec![self.enrolment.to_string()],
            ("mine", "role") => vec!["mentee".into(), "mentor".into()],
            // Roadmaps (H6).
            ("roadmaps", _) => vec![self.roadmap.clone()],
            ("progress" | "steps", "step_id") => vec![self.roadmap_step.clone()],
            // A post's link to a step (issue 19): the same step.
            ("roadmap-steps", _) => vec![self.roadmap_step.clone()],
            ("calendar", "file") => vec![self
                .feeds
                .get(&role)
                .cloned()
                .unwrap_or_else(|| "forged.ics".into())],
            // Ids of things that hold no room content: API tokens, skills,
            // managers, safety reports, rounds, requests. Any id does.
            (
                "tokens" | "skills" | "managers" | "reports" | "rounds" | "matching" | "requests",
                _,
            ) => random(),
            _ => panic!(
                "the privacy test cannot fill {{{param}}} after /{before}/ in {method} {route}: \
                 add the real ids it takes to `Ids::candidates` in crates/web/tests/privacy.rs"
            ),
        }
    }

    /// Every concrete path for `route` as `role` calls it with `method`.
    fn paths(&self, method: &str, route: &str, role: Role) -> Vec<String> {
        let mut paths = vec![String::new()];
        let mut before = "";
        for segment in route.split('/').skip(1) {
            let options = match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(param) => self.candidates(route, before, param, method, role),
                None => vec![segment.to_string()],
            };
            paths = paths
                .iter()
                .flat_map(|p| options.iter().map(move |o| format!("{p}/{o}")))
                .collect();
            if !segment.starts_with('{') {
                before = segment;
            }
        }
        paths
    }
}

struct World {
    t: TestApp,
    people: BTreeMap<Role, Person>,
    ids: Ids,
}

fn enrolment(programme: ProgrammeId, person: PersonId, role: ProgrammeRole) -> EnrolmentRecord {
    rapport_web::testing::approved_enrolment(programme, person, role)
}

fn rfc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn id_of(v: &Value) -> String {
    v["id"]
        .as_str()
        .or_else(|| v["ids"][0].as_str())
        .unwrap_or_else(|| panic!("no id in {v}"))
        .to_string()
}

/// An active one-to-one room in "here": the author (mentee, in Kolkata) and
/// the other member (mentor, in São Paulo). Sessions are held, and the
/// author writes the three private things plus ordinary room content.
async fn world(kind: &'static str) -> World {
    let t = TestApp::with(
        kind,
        rapport_web::WebConfig {
            auth_attempts_per_window: 100_000,
            ..rapport_web::WebConfig::default()
        },
        |c| c.session_days = 400,
    )
    .await;
    let here = t.programme("Here", "one_to_one").await;
    let elsewhere = t.programme("Elsewhere", "one_to_one").await;
    assert_eq!((here.as_str(), elsewhere.as_str()), ("here", "elsewhere"));
    let mut people = BTreeMap::new();
    people.insert(Role::Admin, t.admin().await);
    people.insert(
        Role::ManagerHere,
        t.manager_of("here", "mo@example.org", "Mo Manager").await,
    );
    people.insert(
        Role::ManagerElsewhere,
        t.manager_of("elsewhere", "el@example.org", "El Elsewhere")
            .await,
    );
    for (role, email, name) in [
        (Role::Author, "bea@example.org", "Bea Mentee"),
        (Role::OtherMember, "ana@example.org", "Ana Mentor"),
        (Role::OtherMentor, "oto@example.org", "Oto Mentor"),
        (Role::Outsider, "cy@example.org", "Cy Outsider"),
    ] {
        people.insert(role, t.member(email, name).await);
    }
    let bystander = t.member("by@example.org", "By Stander").await;
    let p = |r: Role| people[&r].id;
    let room = RoomId::new();
    let author_enrolment = enrolment(ProgrammeId::new(), p(Role::Author), ProgrammeRole::Mentee);
    let mut tx = t.store().write().await.unwrap();
    let mut programme = tx.programme_by_slug("here").await.unwrap().unwrap();
    // The permissive setting: managers read the notes shared with the room,
    // so a private note's only shield is its visibility.
    programme.room_rules.managers_read_shared_notes = true;
    tx.update_programme(&programme, START_MS).await.unwrap();
    for (role, zone) in [
        (Role::Author, "Asia/Kolkata"),
        (Role::OtherMember, "America/Sao_Paulo"),
    ] {
        let mut person = tx.person(p(role)).await.unwrap().unwrap();
        person.profile.time_zone = TimeZoneName::parse("zone", zone).unwrap();
        tx.update_profile(p(role), person.email.as_str(), &person.profile, 0)
            .await
            .unwrap();
    }
    for (role, as_) in [
        (Role::Author, ProgrammeRole::Mentee),
        (Role::OtherMember, ProgrammeRole::Mentor),
        (Role::OtherMentor, ProgrammeRole::Mentor),
        (Role::Outsider, ProgrammeRole::Mentee),
    ] {
        tx.grant_role(programme.id, p(role), as_, 0).await.unwrap();
        let e = if role == Role::Author {
            EnrolmentRecord {
                programme_id: programme.id,
                ..author_enrolment.clone()
            }
        } else {
            enrolment(programme.id, p(role), as_)
        };
        tx.insert_enrolment(&e).await.unwrap();
    }
    tx.insert_room(
        &NewRoom {
            id: room,
            programme_id: programme.id,
            status: RoomStatus::Active,
            origin: RoomOrigin::Request,
            members: vec![
                (
                    p(Role::OtherMember),
                    ProgrammeRole::Mentor,
                    MemberState::Accepted,
                ),
                (
                    p(Role::Author),
                    ProgrammeRole::Mentee,
                    MemberState::Accepted,
                ),
            ],
            round_id: None,
        },
        START_MS,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let author = people[&Role::Author].clone();
    let mentor = people[&Role::OtherMember].clone();
    let rooms = format!("/api/v1/rooms/{room}");
    let post = |who: &Person, path: String, body: Value| {
        let (t, cookie) = (&t, who.cookie.clone());
        async move {
            t.call("POST", &path, Auth::Cookie(&cookie), Some(body))
                .await
        }
    };
    // A session a day in, held; the pulse opens on day 30.
    let held = id_of(
        &post(
            &mentor,
            format!("{rooms}/sessions"),
            json!({"starts_at": rfc(t.app.now() + DAY), "minutes": 60, "agenda": "First meeting"}),
        )
        .await
        .expect(201)
        .json,
    );
    t.clock.advance(DAY + 3_600_000);
    post(
        &mentor,
        format!("/api/v1/sessions/{held}/status"),
        json!({"status": "held", "attendance": {
            author.id.to_string(): "attended", mentor.id.to_string(): "attended"}}),
    )
    .await
    .expect(200);
    post(
        &author,
        format!("/api/v1/sessions/{held}/feedback"),
        json!({"rating": 2, "comment": format!("Honestly: {FEEDBACK}")}),
    )
    .await
    .expect(204);
    t.clock.advance(30 * DAY);
    post(
        &author,
        format!("{rooms}/pulse"),
        json!({"genuineness": 2, "empathy": 3, "acceptance": 1, "working": "not_sure",
               "comment": format!("Between us: {PULSE}")}),
    )
    .await
    .expect(201);
    let private = id_of(
        &post(
            &author,
            format!("{rooms}/notes"),
            json!({"body": format!("Only mine: {NOTE}"), "visibility": "private"}),
        )
        .await
        .expect(201)
        .json,
    );
    let shared = id_of(
        &post(
            &author,
            format!("{rooms}/notes"),
            json!({"body": SHARED_NOTE, "visibility": "room"}),
        )
        .await
        .expect(201)
        .json,
    );
    let goal = id_of(
        &post(
            &author,
            format!("{rooms}/goals"),
            json!({"title": "Lead a planning meeting"}),
        )
        .await
        .expect(201)
        .json,
    );
    let milestone = id_of(
        &post(
            &author,
            format!("/api/v1/goals/{goal}/milestones"),
            json!({"title": "Draft the agenda", "due_date": "2027-01-15"}),
        )
        .await
        .expect(201)
        .json,
    );
    post(
        &mentor,
        format!("/api/v1/goals/{goal}/comments"),
        json!({"body": "Good first step."}),
    )
    .await
    .expect(201);
    let message = id_of(
        &post(
            &author,
            format!("{rooms}/messages"),
            json!({"body": "See you next week."}),
        )
        .await
        .expect(201)
        .json,
    );
    let next = id_of(
        &post(
            &mentor,
            format!("{rooms}/sessions"),
            json!({"starts_at": rfc(t.app.now() + 7 * DAY), "minutes": 45, "agenda": "Follow-up"}),
        )
        .await
        .expect(201)
        .json,
    );
    let item = id_of(
        &post(
            &mentor,
            format!("/api/v1/sessions/{held}/action-items"),
            json!({"title": "Send the draft"}),
        )
        .await
        .expect(201)
        .json,
    );
    // Roadmaps (H6): the mentor publishes a roadmap and attaches it to the
    // room; the author follows it and keeps a private reflection on a step.
    let roadmap = id_of(
        &post(
            &mentor,
            "/api/v1/roadmaps".into(),
            json!({"title": "Lead a team", "level": "team_leader",
                   "steps": [{"title": "One", "level": "team_leader"}, {"title": "Two", "level": "team_leader"}]}),
        )
        .await
        .expect(201)
        .json,
    );
    let published = post(
        &mentor,
        format!("/api/v1/roadmaps/{roadmap}/publish"),
        json!({}),
    )
    .await
    .expect(200)
    .json;
    let roadmap_step = published["steps"][0]["id"].as_str().unwrap().to_string();
    t.call(
        "PUT",
        &format!("{rooms}/roadmaps/{roadmap}"),
        mentor.auth(),
        None,
    )
    .await
    .expect(204);
    post(
        &author,
        format!("/api/v1/roadmaps/{roadmap}/follow"),
        json!({}),
    )
    .await
    .expect(201);
    t.call(
        "PUT",
        &format!("/api/v1/roadmaps/{roadmap}/progress/{roadmap_step}"),
        author.auth(),
        Some(json!({"status": "done", "reflection": format!("Only mine: {ROADMAP_REFLECTION}")})),
    )
    .await
    .expect(200);
    // Growth Threads (H7): an "only me" and a "my rooms" thread, each with
    // a post carrying its marker; the room mate comments on the second.
    let mut threads = vec![];
    let mut posts = vec![];
    for (visibility, marker) in [("only_me", ONLY_ME), ("my_rooms", MY_ROOMS)] {
        let thread = id_of(
            &post(
                &author,
                "/api/v1/threads".into(),
                json!({"title": format!("Learning to delegate {marker}"), "visibility": visibility}),
            )
            .await
            .expect(201)
            .json,
        );
        posts.push(id_of(
            &post(
                &author,
                format!("/api/v1/threads/{thread}/posts"),
                json!({"kind": "challenge", "body": format!("Handing over the rota: {marker}"), "link_kind": "goal", "link_id": goal}),
            )
            .await
            .expect(201)
            .json,
        ));
        threads.push(thread);
    }
    let comments = vec![id_of(
        &post(
            &mentor,
            format!("/api/v1/posts/{}/comments", posts[1]),
            json!({"body": format!("Proud of you: {MY_ROOMS}")}),
        )
        .await
        .expect(201)
        .json,
    )];
    // Reflection (issue 19, H8): a private answer and a needs check.
    post(
        &author,
        format!("/api/v1/prompts/{PROMPT}/answers"),
        json!({"body": format!("Just for me: {REFLECTION}"), "visibility": "private"}),
    )
    .await
    .expect(201);
    post(
        &author,
        "/api/v1/me/needs-check".into(),
        json!({"unclear_goals": 5, "who_to_become": 1, "unclear_priorities": 5, "strengths": 1,
               "deadlines": 4, "career_path": 2, "decision_rights": 5, "outside_view": 1}),
    )
    .await
    .expect(201);
    let mut feeds = BTreeMap::new();
    for role in ROLES.into_iter().filter(|r| *r != Role::Anonymous) {
        let url = t
            .app
            .calendar_feed_url(&t.actor(&people[&role]).await)
            .await
            .unwrap();
        feeds.insert(role, url.rsplit('/').next().unwrap().to_string());
    }
    World {
        ids: Ids {
            room,
            sessions: vec![held, next],
            notes: vec![private, shared],
            goal,
            milestone,
            item,
            message,
            enrolment: author_enrolment.id,
            roadmap,
            roadmap_step,
            author: author.id,
            mentor: mentor.id,
            bystander: bystander.id,
            feeds,
            threads,
            posts,
            comments,
        },
        people,
        t,
    }
}

/// What one call answered.
struct Seen {
    role: Role,
    method: String,
    path: String,
    status: u16,
    text: String,
}

impl World {
    fn cookie(&self, role: Role) -> Option<&str> {
        self.people.get(&role).map(|p| p.cookie.as_str())
    }

    async fn call(&self, role: Role, method: &str, path: &str) -> Seen {
        let api = path.starts_with("/api/");
        let mut req =
            TestApp::request(method, path, Auth::Anonymous).header("origin", "http://rapport.test");
        if let Some(c) = self.cookie(role) {
            req = req.header("cookie", c);
        }
        let body = if method == "GET" {
            Body::empty()
        } else if api {
            req = req.header("content-type", "application/json");
            Body::from("{}")
        } else {
            req = req.header("content-type", "application/x-www-form-urlencoded");
            Body::empty()
        };
        let r = self.t.reply_text(req.body(body).unwrap()).await;
        let mut text = r.text;
        for (name, value) in &r.headers {
            text.push_str(&format!("\n{name}: {}", value.to_str().unwrap_or("")));
        }
        Seen {
            role,
            method: method.into(),
            path: path.into(),
            status: r.status.as_u16(),
            text,
        }
    }

    /// A write may have signed the caller out (`/sign-out`, revoking their
    /// sessions): sign them back in, so later calls are not answered as to
    /// a stranger (which would prove nothing).
    async fn still_signed_in(&mut self, role: Role) {
        let Some(person) = self.people.get(&role).cloned() else {
            return;
        };
        let me = self.t.get("/api/v1/me", person.auth()).await;
        if me.status == 200 {
            return;
        }
        let cookie = self
            .t
            .sign_in(&person.email, rapport_web::testing::PASSWORD)
            .await
            .expect(200)
            .session_cookie();
        self.people.get_mut(&role).unwrap().cookie = cookie;
    }
}

/// Every route the server answers, as `(method, route pattern)`.
fn every_route() -> Vec<(String, String)> {
    let mut routes: BTreeSet<(String, String)> = rapport_web::page_routes()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    routes.extend(rapport_web::openapi::api_routes_list());
    // Reads first, so every role reads the world as it was planted; the
    // writes come after, and the checks at the end prove it still stands.
    let (mut reads, writes): (Vec<_>, Vec<_>) = routes.into_iter().partition(|(m, _)| m == "GET");
    reads.extend(writes);
    reads
}

#[test]
fn every_route_parameter_has_real_ids() {
    // Without a database: fails as soon as a route takes a parameter the
    // proof below cannot fill.
    let ids = Ids {
        room: RoomId::new(),
        sessions: vec!["s".into()],
        notes: vec!["n".into()],
        goal: "g".into(),
        milestone: "m".into(),
        item: "i".into(),
        message: "msg".into(),
        enrolment: EnrolmentId::new(),
        author: PersonId::new(),
        mentor: PersonId::new(),
        bystander: PersonId::new(),
        feeds: BTreeMap::new(),
        roadmap: "r".into(),
        roadmap_step: "st".into(),
        threads: vec!["t".into()],
        posts: vec!["p".into()],
        comments: vec!["c".into()],
    };
    for (method, route) in every_route() {
        for role in ROLES {
            for path in ids.paths(&method, &route, role) {
                assert!(!path.contains('{'), "{method} {route} → {path}");
            }
        }
    }
}

#[tokio::test]
async fn private_items_reach_no_one_else_by_any_route_email_export_or_feed() {
    for kind in test_database_kinds() {
        let mut w = world(kind).await;
        let mut seen: Vec<Seen> = vec![];
        for (method, route) in every_route() {
            // The author's own writes prove nothing about privacy (and one
            // deletes the note); every other role writes too.
            let writers = ROLES
                .into_iter()
                .filter(|r| method == "GET" || *r != Role::Author);
            for role in writers {
                for path in w.ids.paths(&method, &route, role) {
                    let s = w.call(role, &method, &path).await;
                    assert!(
                        s.status != 500,
                        "[{kind}] {method} {path} as {role:?} answered 500: {}",
                        s.text
                    );
                    seen.push(s);
                    if method != "GET" {
                        w.still_signed_in(role).await;
                    }
                }
            }
        }
        // Issue 19 remainder (H2): the search, asked for each marker by name.
        for marker in MARKERS {
            let q: String = marker
                .chars()
                .map(|c| if c.is_alphanumeric() { c } else { '+' })
                .collect();
            for role in ROLES {
                for path in [format!("/api/v1/search?q={q}"), format!("/search?q={q}")] {
                    let mut s = w.call(role, "GET", &path).await;
                    assert!(s.status != 500, "[{kind}] {path} as {role:?}: {}", s.text);
                    // The search page echoes what was asked, in the box and
                    // in "nothing matches": the asker's own words, not a
                    // leak. Only those two echoes are taken out; a marker in
                    // a result still counts.
                    let asked = q.replace('+', " ");
                    s.text = s
                        .text
                        .replace(&format!("value=\"{asked}\""), "")
                        .replace(&format!("“{asked}”"), "");
                    seen.push(s);
                }
            }
        }
        let mut leaks: Vec<String> = seen
            .iter()
            .flat_map(|s| {
                leaked(&s.text, s.role).into_iter().map(move |m| {
                    format!(
                        "{} {} as {:?} ({}) shows {m}",
                        s.method, s.path, s.role, s.status
                    )
                })
            })
            .collect();

        // The proof is only worth something if the markers were there to
        // find: the author reads all three, the programme's manager the
        // pulse comment and the feedback, through the same calls.
        let found = |role: Role, marker: &str| {
            seen.iter()
                .any(|s| s.role == role && s.text.contains(marker))
        };
        for (role, marker) in [
            (Role::Author, NOTE),
            (Role::Author, ROADMAP_REFLECTION),
            (Role::Author, PULSE),
            (Role::Author, FEEDBACK),
            (Role::Author, SCORES),
            (Role::Author, REFLECTION),
            (Role::Author, NEEDS),
            (Role::ManagerHere, PULSE),
            (Role::ManagerHere, SCORES),
            (Role::ManagerHere, FEEDBACK),
            (Role::Author, ONLY_ME),
            (Role::Author, MY_ROOMS),
            (Role::OtherMember, MY_ROOMS),
        ] {
            assert!(
                found(role, marker),
                "[{kind}] no route showed {marker} to {role:?}: the ids or the set-up are wrong"
            );
        }
        // The other member really reached the room (real ids, not 404s).
        let reached = |role: Role, path: String| {
            seen.iter()
                .any(|s| s.role == role && s.method == "GET" && s.path == path && s.status == 200)
        };
        for path in [
            format!("/api/v1/rooms/{}/notes", w.ids.room),
            format!("/api/v1/sessions/{}", w.ids.sessions[0]),
            format!("/rooms/{}", w.ids.room),
            format!("/calendar/{}", w.ids.feeds[&Role::OtherMember]),
            "/api/v1/me/export".into(),
        ] {
            assert!(
                reached(Role::OtherMember, path.clone()),
                "[{kind}] the other member did not get {path}"
            );
        }
        assert!(
            found(Role::ManagerHere, SHARED_NOTE),
            "[{kind}] the manager did not read the shared note: the programme's setting did not take"
        );
        for path in [
            format!("/api/v1/rooms/{}/notes", w.ids.room),
            format!("/api/v1/rooms/{}/health", w.ids.room),
            format!("/sessions/{}", w.ids.sessions[0]),
            "/api/v1/programmes/here/export".into(),
        ] {
            assert!(
                reached(Role::ManagerHere, path.clone()),
                "[{kind}] the manager did not get {path}"
            );
        }

        // After every write by everyone, the author still has all three
        // (nothing above destroyed what it was looking for).
        let author = w.people[&Role::Author].clone();
        let export =
            w.t.get("/api/v1/me/export", author.auth())
                .await
                .expect(200);
        let export = export.json.to_string();
        assert!(
            export.contains(NOTE),
            "[{kind}] the author's export lacks their private note"
        );

        // Every email: as stored and as delivered. The time moves on so the
        // reminders, health sweeps and message digests go out too.
        w.t.clock.advance(8 * DAY);
        w.t.app.sweep_session_reminders().await.unwrap();
        w.t.app.sweep_health().await.unwrap();
        w.t.app.run_due_jobs().await.unwrap();
        let role_of = |to: &str| {
            w.people
                .iter()
                .find(|(_, p)| p.email.eq_ignore_ascii_case(to))
                .map(|(r, _)| *r)
                // Anyone else (an invitee, the bystander) may read nothing.
                .unwrap_or(Role::Anonymous)
        };
        let emails = w.t.take_emails().await;
        assert!(!emails.is_empty(), "[{kind}] the walk queued no email");
        for m in &emails {
            let text = format!(
                "{}\n{}\n{}\n{}",
                m.subject,
                m.body,
                m.html.clone().unwrap_or_default(),
                m.attachment
                    .as_ref()
                    .map(|a| a.text.clone())
                    .unwrap_or_default()
            );
            for marker in leaked(&text, role_of(&m.to)) {
                leaks.push(format!(
                    "the email {:?} to {} shows {marker}",
                    m.subject, m.to
                ));
            }
        }
        for entry in std::fs::read_dir(w.t.outbox_dir()).unwrap() {
            let raw = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let raw = raw.replace("=\r\n", "").replace("=3D", "=");
            let to = raw
                .lines()
                .find_map(|l| l.strip_prefix("To: "))
                .map(|t| {
                    t.rsplit('<')
                        .next()
                        .unwrap()
                        .trim_end_matches('>')
                        .to_string()
                })
                .unwrap_or_default();
            for marker in leaked(&raw, role_of(&to)) {
                leaks.push(format!("a delivered email to {to} shows {marker}"));
            }
        }
        // Every data export and every calendar feed, read afresh after all
        // the writes (the routes above read them before).
        for role in ROLES.into_iter().filter(|r| *r != Role::Anonymous) {
            w.still_signed_in(role).await;
            // The walk reset the feeds (`/account/calendar/reset`): ask again.
            let feed =
                w.t.app
                    .calendar_feed_url(&w.t.actor(&w.people[&role]).await)
                    .await
                    .unwrap();
            let feed = format!("/calendar/{}", feed.rsplit('/').next().unwrap());
            for path in [
                "/api/v1/me/export".to_string(),
                "/account/export".into(),
                "/api/v1/programmes/here/export".into(),
                "/programmes/here/export.csv".into(),
                feed.clone(),
            ] {
                let s = w.call(role, "GET", &path).await;
                if path == feed || path.starts_with("/api/v1/me") || path == "/account/export" {
                    assert_eq!(s.status, 200, "[{kind}] {path} as {role:?}: {}", s.text);
                }
                for marker in leaked(&s.text, role) {
                    leaks.push(format!("{path} as {role:?} shows {marker}"));
                }
            }
        }
        assert!(
            leaks.is_empty(),
            "[{kind}] {} leaks:\n{}",
            leaks.len(),
            leaks.join("\n")
        );
        w.t.leave_work(
            "every route is called as every role; the emails it queues are read above, not expected one by one",
        );
        w.t.finish().await;
    }
}
