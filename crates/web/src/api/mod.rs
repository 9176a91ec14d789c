//! The JSON API under `/api/v1`: the same operations as the pages, for
//! scripts and integrations.
//!
//! Handlers are thin: they parse the request into the app's inputs, call one
//! use case on [`rapport_app::App`] with the acting person, and answer JSON.
//! Every failure is an [`ApiError`] in the one documented shape.
//!
//! # One table for routes and documentation
//!
//! [`operations!`] below is the only list of API handlers. It expands to the
//! OpenAPI derive (`paths(...)`) *and* to the list the router is built from,
//! and the router takes each handler's method and path from the generated
//! document (matched by operation id, which utoipa sets to the handler's
//! name). So a handler cannot be routed without being documented, a route's
//! path and method cannot drift from its documentation, and a documented
//! operation cannot be left unrouted: [`routes`] panics at start-up if an
//! operation id is missing or repeated, and `tests/openapi_docs.rs` calls
//! every documented operation through the router.

mod admin;
mod agreements;
mod auth;
mod calendar;
mod closure;
mod csv_people;
mod enrolment;
mod extract;
mod goals;
mod health;
mod inbox;
mod me;
mod messages;
mod meta;
mod notes;
mod people;
mod programmes;
mod pulse;
mod rematch;
mod requests;
// Roadmaps (H6).
mod roadmaps;
mod rooms;
mod rounds;
mod safety;
mod sessions;
// Issue 17: a programme's room rules.
mod room_rules;
// Safe actions (issue 18 §5, H4).
mod reopening;
// Managers' tools in plain words (issue 18 §6).
mod placement;
// Growth Threads (H7).
mod threads;
// Reflection and the needs check (issue 19, H8).
mod reflection;
// Issue 18 §5 safe actions remainder (H4): pair edits in a draft round.
pub(crate) mod confirming;
mod round_edits;
// Issue 20 (H5): the coverage dashboard's lists, paged.
mod coverage;

pub use extract::{ApiJson, ApiQuery, IdPath, SessionToken};
// Issue 19 remainder (H2): the search page's "older results" link escapes q.
pub(crate) use roadmaps::query_escape;

use crate::error::{ErrorBody, ErrorDetail, FieldError};
use crate::openapi::Conventions;
use crate::{ApiError, AppState};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter};
use axum::Router;
use serde::Serialize;
use utoipa::openapi::path::HttpMethod;
use utoipa::ToSchema;

/// The prefix the API is nested under.
pub const PREFIX: &str = "/api/v1";

/// Builds a handler's method router for one method.
type MakeRoute = fn(MethodFilter) -> MethodRouter<AppState>;

macro_rules! operations {
    ($($module:ident :: $handler:ident),* $(,)?) => {
        /// The OpenAPI document of every operation in the table.
        #[derive(utoipa::OpenApi)]
        #[openapi(
            info(
                title = "Rapport API",
                description = "The JSON API of Rapport, the mentorship platform. See docs/api.md.",
                license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
            ),
            paths($($module::$handler),*),
            components(schemas(ErrorBody, ErrorDetail, FieldError)),
            modifiers(&Conventions),
            tags(
                (name = "auth", description = "Sign-up, sign-in, verification, password reset and invitations."),
                (name = "me", description = "The signed-in person's account: sessions, API tokens, email preferences, export and deletion."),
                (name = "people", description = "Profiles and the people directory."),
                (name = "programmes", description = "Programmes, enrolment, matching rounds, coverage and rooms."),
                (name = "requests", description = "Self-selected matching: recommendations, requests, questions, and a mentor's pause."),
                (name = "safety", description = "Blocking people, and confidential reports to a programme's managers."),
                (name = "admin", description = "Site administration: invitations, skill catalogue, sign-up mode, audit log, admin rights."),
                (name = "calendars", description = "Sessions as iCalendar files, and each person's private calendar feed."),
                (name = "meta", description = "The API's own description."),
                // Roadmaps (H6).
                (name = "roadmaps", description = "Roadmaps: versioned paths of steps, following them, and recommending them in rooms and programmes."),
                // Growth Threads (H7).
                (name = "threads", description = "Growth Threads: threads, posts, comments, reactions, moderation, following people, the feed and search."),
                // Issue 19, H8.
                (name = "reflection", description = "Reflection prompts, answers and schedules, room prompts, and the needs check."),
            ),
        )]
        pub(crate) struct ApiDoc;

        /// `(operation id, route builder)` for every handler in the table.
        fn handlers() -> Vec<(&'static str, MakeRoute)> {
            vec![$((
                stringify!($handler),
                (|m| axum::routing::on(m, $module::$handler)) as MakeRoute,
            )),*]
        }
    };
}

operations! {
    auth::sign_up,
    auth::sign_in,
    auth::sign_out,
    auth::forgot_password,
    auth::reset_password,
    auth::verify_email,
    auth::resend_verification,
    auth::accept_invitation,
    me::get_me,
    me::delete_me,
    me::list_sessions,
    me::revoke_session,
    me::list_tokens,
    me::create_token,
    me::revoke_token,
    me::get_notifications,
    me::set_notifications,
    me::export_data,
    inbox::get_inbox,
    inbox::notification_feed,
    inbox::mark_read,
    people::directory,
    people::get_person,
    people::update_profile,
    people::delete_person,
    admin::invite,
    admin::list_skills,
    admin::add_skill,
    admin::remove_skill,
    admin::get_settings,
    admin::set_settings,
    admin::audit_log,
    admin::set_admin,
    programmes::list_programmes,
    programmes::create_programme,
    programmes::get_programme,
    programmes::update_programme,
    programmes::move_programme,
    enrolment::enrol,
    enrolment::list_enrolments,
    enrolment::decide_enrolment,
    programmes::get_matching_settings,
    programmes::put_matching_settings,
    rounds::run_round,
    rounds::get_round,
    rounds::publish_round,
    rounds::set_pair_rule,
    rounds::coverage,
    programmes::list_managers,
    programmes::add_manager,
    programmes::remove_manager,
    programmes::get_conduct,
    programmes::put_conduct,
    csv_people::import_people,
    csv_people::export_people,
    rooms::list_rooms,
    enrolment::withdraw_enrolment,
    rooms::get_room,
    rooms::answer_room,
    pulse::get_pulse,
    pulse::answer_pulse,
    health::get_health,
    // Issue 17: agreement, goals, milestones, comments.
    agreements::get_agreement,
    agreements::put_agreement,
    agreements::confirm_agreement,
    agreements::agreement_versions,
    goals::list_goals,
    goals::create_goal,
    goals::update_goal,
    goals::add_milestone,
    goals::update_milestone,
    goals::list_goal_comments,
    goals::comment_on_goal,
    rooms::move_room,
    rooms::room_history,
    rooms::programme_rooms,
    rooms::complete_programme_rooms,
    // Issue 17, section 8: the no-fault re-match.
    rematch::start_rematch,
    rematch::get_rematch,
    rematch::pick_referral,
    rematch::get_carry_over,
    rematch::carry_note,
    requests::recommendations,
    requests::send_request,
    requests::list_requests,
    requests::mentee_suggestions,
    requests::search_mentors,
    requests::send_offer,
    requests::accept_request,
    requests::decline_request,
    requests::ask_request,
    requests::answer_request,
    requests::withdraw_request,
    requests::set_pause,
    safety::block_person,
    safety::unblock_person,
    safety::file_report,
    safety::list_reports,
    safety::resolve_report,
    // Room notes and messages.
    notes::list_notes,
    notes::create_note,
    notes::update_note,
    notes::delete_note,
    messages::list_messages,
    messages::create_message,
    messages::update_message,
    messages::delete_message,
    messages::read_messages,
    closure::get_closure,
    closure::post_closure,
    closure::programme_outcomes,
    calendar::session_ics,
    calendar::get_calendar,
    calendar::reset_calendar,
    sessions::list_room_sessions,
    sessions::create_room_session,
    sessions::suggested_times,
    sessions::get_session,
    sessions::update_session,
    sessions::reschedule_session,
    sessions::answer_reschedule,
    sessions::session_status,
    sessions::list_action_items,
    sessions::create_action_item,
    sessions::update_action_item,
    sessions::give_feedback,
    // Issue 17: a programme's room rules (pulse schedule, health thresholds).
    room_rules::get_room_rules,
    room_rules::put_room_rules,
    // Safe actions (issue 18 §5, H4).
    reopening::reopen_programme,
    // Managers' tools in plain words (issue 18 §6).
    placement::set_mentor_capacity,
    // Growth Threads (H7).
    threads::list_threads,
    threads::create_thread,
    threads::get_thread,
    threads::update_thread,
    threads::delete_thread,
    threads::list_thread_posts,
    threads::create_thread_post,
    threads::update_thread_post,
    threads::delete_thread_post,
    threads::create_thread_comment,
    threads::update_thread_comment,
    threads::delete_thread_comment,
    threads::put_reaction,
    threads::delete_reaction,
    threads::report_post,
    threads::report_comment,
    threads::hide_post,
    threads::restore_post,
    threads::hide_comment,
    threads::restore_comment,
    threads::follow_person,
    threads::unfollow_person,
    threads::get_feed,
    threads::search_threads,
    // Reflection and the needs check (issue 19, H8).
    reflection::list_prompts,
    reflection::create_prompt,
    reflection::update_prompt,
    reflection::answer_prompt,
    reflection::my_reflections,
    reflection::assign_room_prompt,
    reflection::put_reflection_schedule,
    reflection::get_needs_check,
    reflection::take_needs_check,
    meta::openapi_json,
    // Roadmaps (issue 19, H6).
    roadmaps::list_roadmaps,
    roadmaps::create_roadmap,
    roadmaps::get_roadmap,
    roadmaps::update_roadmap,
    roadmaps::publish_roadmap,
    roadmaps::roadmap_versions,
    roadmaps::follow_roadmap,
    roadmaps::unfollow_roadmap,
    roadmaps::move_to_latest,
    roadmaps::mark_step,
    roadmaps::my_roadmaps,
    roadmaps::attach_room_roadmap,
    roadmaps::detach_room_roadmap,
    roadmaps::attach_programme_roadmap,
    roadmaps::detach_programme_roadmap,
    // Issue 18 §5 safe actions remainder (H4): pair edits in a draft round.
    round_edits::edit_round_pair,
    // Issue 18 §6 (H6): a request with its sender's card.
    requests::get_request,
    // Issue 20 (H5): the coverage dashboard's lists, paged.
    coverage::coverage_waiting,
    coverage::coverage_loads,
}

/// Every API route, relative to [`PREFIX`] (the caller nests it there).
///
/// # Panics
/// When the table and the document disagree (an operation id missing from
/// the document, or used twice). That is a programming error caught by any
/// test that builds the router.
pub fn routes() -> Router<AppState> {
    let doc = crate::openapi::document();
    let mut located = std::collections::HashMap::new();
    for (path, item) in &doc.paths.paths {
        for (method, op) in operations_of(item) {
            let id = op.operation_id.clone().unwrap_or_default();
            let previous = located.insert(id.clone(), (path.clone(), method));
            assert!(
                previous.is_none(),
                "operation id {id} is used twice in the API document"
            );
        }
    }
    let mut router = Router::new();
    for (id, make) in handlers() {
        let (path, method) = located
            .remove(id)
            .unwrap_or_else(|| panic!("handler {id} is in the table but not in the API document"));
        let relative = path
            .strip_prefix(PREFIX)
            .unwrap_or_else(|| panic!("documented path {path} does not start with {PREFIX}"));
        router = router.route(relative, make(filter_of(method)));
    }
    router
        .fallback(|| async { ApiError::no_route() })
        .method_not_allowed_fallback(method_not_allowed)
}

/// The operations of one path item, with their methods.
pub(crate) fn operations_of(
    item: &utoipa::openapi::PathItem,
) -> Vec<(HttpMethod, &utoipa::openapi::path::Operation)> {
    [
        (HttpMethod::Get, &item.get),
        (HttpMethod::Post, &item.post),
        (HttpMethod::Put, &item.put),
        (HttpMethod::Patch, &item.patch),
        (HttpMethod::Delete, &item.delete),
        (HttpMethod::Head, &item.head),
        (HttpMethod::Options, &item.options),
        (HttpMethod::Trace, &item.trace),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_ref().map(|op| (m, op)))
    .collect()
}

/// Upper-case name of a method.
pub(crate) fn method_name(m: &HttpMethod) -> &'static str {
    match m {
        HttpMethod::Get => "GET",
        HttpMethod::Post => "POST",
        HttpMethod::Put => "PUT",
        HttpMethod::Patch => "PATCH",
        HttpMethod::Delete => "DELETE",
        HttpMethod::Head => "HEAD",
        HttpMethod::Options => "OPTIONS",
        HttpMethod::Trace => "TRACE",
    }
}

fn filter_of(m: HttpMethod) -> MethodFilter {
    match m {
        HttpMethod::Get => MethodFilter::GET,
        HttpMethod::Post => MethodFilter::POST,
        HttpMethod::Put => MethodFilter::PUT,
        HttpMethod::Patch => MethodFilter::PATCH,
        HttpMethod::Delete => MethodFilter::DELETE,
        HttpMethod::Head => MethodFilter::HEAD,
        HttpMethod::Options => MethodFilter::OPTIONS,
        HttpMethod::Trace => MethodFilter::TRACE,
    }
}

async fn method_not_allowed() -> Response {
    ApiError::method_not_allowed().into_response()
}

/// The id of something just created.
#[derive(Serialize, ToSchema)]
pub struct Created {
    /// Its id.
    pub id: uuid::Uuid,
}

/// A request was accepted; what happens next is in `message`.
#[derive(Serialize, ToSchema)]
pub struct Accepted {
    /// What happens next.
    pub message: String,
}

/// A text field given either as one string (comma- or newline-separated, as
/// in the form) or as a list of strings.
#[derive(serde::Deserialize, Serialize, ToSchema, Clone, Debug)]
#[serde(untagged)]
pub enum TextOrList {
    /// One string, separated as in the form.
    Text(String),
    /// A list of entries.
    List(Vec<String>),
}

impl Default for TextOrList {
    fn default() -> Self {
        Self::Text(String::new())
    }
}

impl TextOrList {
    /// The form's text: list entries joined with `separator`.
    pub fn joined(self, separator: &str) -> String {
        match self {
            Self::Text(t) => t,
            Self::List(l) => l.join(separator),
        }
    }
}

/// A list answer: `body(items)` as JSON, with the page's `Link` header
/// ([`link_header`]) when it has neighbours. Every paginated list answers
/// through here.
pub(crate) fn paged_json<T, B: serde::Serialize>(
    s: &AppState,
    path: &str,
    limit: i64,
    page: rapport_app::lists::Page<T>,
    body: impl FnOnce(Vec<T>) -> B,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let link = link_header(&s.app.config.base_url, path, limit, &page);
    let body = axum::Json(body(page.items));
    match link {
        Some(link) => ([(axum::http::header::LINK, link)], body).into_response(),
        None => body.into_response(),
    }
}

/// The `Link` header of a keyset page (RFC 8288): `rel="next"` and
/// `rel="prev"` URLs that repeat `limit` and carry the cursor, absolute on
/// the site's base URL so a client can follow them as they are. None when
/// the page has no neighbours.
pub(crate) fn link_header<T>(
    base_url: &str,
    path: &str,
    limit: i64,
    page: &rapport_app::lists::Page<T>,
) -> Option<axum::http::HeaderValue> {
    let links: Vec<String> = [(page.next, "next"), (page.prev, "prev")]
        .into_iter()
        .filter_map(|(cursor, rel)| {
            cursor.map(|c| {
                // A path with filters already has a query: the cursor joins it.
                let sep = if path.contains('?') { '&' } else { '?' };
                format!(
                    "<{base_url}{path}{sep}cursor={}&limit={limit}>; rel=\"{rel}\"",
                    c.encode()
                )
            })
        })
        .collect();
    if links.is_empty() {
        return None;
    }
    // Cursors are URL-safe base64 and the base URL is configuration, so the
    // value is plain ASCII; one that is not is left out rather than sent broken.
    axum::http::HeaderValue::from_str(&links.join(", ")).ok()
}
