//! Server-rendered pages: plain forms that POST, then redirect.

mod account;
mod admin;
mod agreements;
mod api_docs;
mod auth;
mod calendar;
mod closure;
mod confirm;
mod csv_people;
pub use csv_people::IMPORT_LIMIT;
pub(crate) use enrolment::participants_query;
mod enrolment;
mod goals;
mod health;
mod inbox;
mod messages;
mod notes;
mod people;
// Forms that help (issue 18 §2): the profile pickers, the questions list
// and the matching settings form.
mod matching_settings;
mod profile_form;
mod programmes;
mod pulse;
mod rematch;
// Roadmaps (H6).
mod requests;
pub(crate) mod roadmaps;
mod rooms;
mod rounds;
mod safety;
mod sessions;
// Safe actions (issue 18 §5, H4).
mod safe_actions;
// Managers' tools in plain words (issue 18 §6).
mod audit;
mod placement;
// Growth Threads (H7).
mod threads;
// Issue 20 (H5): the coverage dashboard, bounded and charted.
mod coverage;
// Reflection and the needs check (issue 19, H8).
mod reflection;
// Issue 18 §5 safe actions remainder (H4).
mod confirmations;
mod round_edits;
// Issue 19 remainder (H2): one search over threads, posts and roadmaps.
mod search;
// Issue 18 §2 (H6): the enrolment-question list editor.
pub(crate) mod question_editor;

use crate::auth::PageActor;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use rapport_app::AppError;
use rapport_domain::values::TimeZoneName;
use rapport_domain::{Invalid, PersonId};
use std::borrow::Cow;

/// What the layout shows about the signed-in person.
pub struct Me {
    /// Id.
    pub id: PersonId,
    /// Name.
    pub name: String,
    /// Admin?
    pub is_admin: bool,
    /// May they open the thread moderation queue (admins, programme
    /// managers)? `app` decides; the navigation links it only then.
    pub moderates_threads: bool,
    /// The navigation's one count (the bell): their unread messages in
    /// every room plus their unread notifications.
    pub attention_count: i64,
    /// Of that count, the unread notifications.
    pub unread_notifications: i64,
    /// Their unread messages per room.
    pub unread: Vec<(rapport_domain::RoomId, i64)>,
}

/// Layout context.
#[derive(Default)]
pub struct Ctx {
    /// Signed-in person.
    pub me: Option<Me>,
    /// A one-line confirmation.
    pub notice: Option<String>,
    /// The viewer's zone: their profile's, or UTC for anonymous pages (every
    /// time names its zone, so an anonymous page says it shows UTC).
    pub zone: TimeZoneName,
    /// The app's clock for a signed-in viewer (times this year leave the
    /// year out); anonymous pages always show the year.
    pub now: Option<i64>,
}

impl Ctx {
    /// Context for `who`, with an optional notice code from the query string.
    pub fn new(who: Option<&PageActor>, notice: Option<&str>) -> Self {
        Self {
            me: who.map(|a| Me {
                id: a.actor.person_id,
                name: a.name.clone(),
                is_admin: a.actor.is_admin,
                moderates_threads: rapport_app::thread_moderation::moderates_any_thread(&a.actor),
                attention_count: a.unread.iter().map(|(_, n)| n).sum::<i64>()
                    + a.unread_notifications,
                unread_notifications: a.unread_notifications,
                unread: a.unread.clone(),
            }),
            notice: notice.and_then(notice_text).map(String::from),
            zone: who.map_or_else(TimeZoneName::utc, |a| a.time_zone.clone()),
            now: who.map(|a| a.now),
        }
    }

    /// `ms` in the viewer's zone, with the zone named. Every time a page
    /// shows goes through here.
    pub fn when(&self, ms: impl std::borrow::Borrow<i64>) -> String {
        match self.now {
            Some(now) => self.zone.local_at(*ms.borrow(), now),
            None => self.zone.local(*ms.borrow()),
        }
    }

    /// The viewer's unread messages in `room` (0 when none or signed out).
    pub fn unread_in(&self, room: &rapport_domain::RoomId) -> i64 {
        self.me
            .as_ref()
            .and_then(|m| m.unread.iter().find(|(r, _)| r == room))
            .map_or(0, |(_, n)| *n)
    }

    /// The calendar date of `ms` in the viewer's zone.
    pub fn date(&self, ms: impl std::borrow::Borrow<i64>) -> String {
        self.zone.local_date(*ms.borrow())
    }
}

/// Notices a redirect can ask for with `?done=CODE`.
fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "signed_up" => "Welcome! We sent you an email: open the link in it to confirm your address, then sign in.",
        "verified" => "Your email is confirmed. You can sign in now.",
        "reset_sent" => "If an account uses that address, we sent it a link to reset the password.",
        "password_reset" => "Your password is changed and every other session is signed out. Sign in with the new password.",
        "resent" => "If that account still needs confirming, we sent a new link.",
        "profile_saved" => "Your profile is saved.",
        "session_revoked" => "That session is signed out.",
        "token_revoked" => "The token is revoked.",
        "prefs_saved" => "Your email preferences are saved.",
        "invited" => "The invitation is on its way.",
        "skill_added" => "The skill is added.",
        "skill_removed" => "The skill is removed.",
        "settings_saved" => "Site settings are saved.",
        "admin_changed" => "Administrator rights are updated.",
        "deleted" => "Your account and your data are deleted.",
        "signed_out" => "You are signed out.",
        "unsubscribed" => "You will no longer get those emails.",
        "programme_created" => "The programme is created as a draft. Open it when it is ready for enrolment.",
        "programme_saved" => "The programme is saved.",
        "status_changed" => "The programme's status is changed.",
        "enrolled" => "You are enrolled. A manager will review your application.",
        "decided" => "The decision is saved and the person is told by email.",
        "enrolled_bulk" => "They are enrolled and approved.",
        "matching_saved" => "The matching settings are saved.",
        "round_run" => "Matching has run. Review the proposals below, then publish.",
        "rule_saved" => "The rule is saved. Run matching again to apply it.",
        "published" => "The round is published: everyone has been asked to accept their match.",
        "proposed" => "The match is proposed; both people have been asked to accept.",
        "accepted" => "You accepted. The room opens when everyone has answered.",
        // Issue 18 §7: the last acceptance opens the room.
        "reopened" => "The programme is reopened, in the status it had before closing.",
        "accepted_open" => "You accepted, and everyone has answered: the room is open.",
        "rematched" => "The re-match has started. Everyone in the room is told, in neutral words.",
        "note_copied" => "The note is copied to your new room.",
        "closure_saved" => "Your closure is saved. Thank you for looking back on the mentorship.",
        "declined" => "You declined. You are back in the pool for the next round.",
        "offer_sent" => "Your offer is on its way; the mentee accepts or declines.",
        "request_sent" => "Your request is on its way to your first choice.",
        "request_accepted" => "You accepted: your room is open.",
        "request_decline" => "The request is declined; the mentee is told.",
        "request_ask" => "Your question is sent; the request waits for the answer.",
        "request_answer" => "Your answer is sent; the request is pending again.",
        "request_withdraw" => "The request is withdrawn.",
        "conduct_saved" => "The code of conduct is saved.",
        "manager_added" => "They are a manager of this programme now.",
        "manager_removed" => "They are no longer a manager of this programme.",
        "withdrawn" => "You left the programme in that role.",
        "report_resolved" => "The report is resolved.",
        "reported" => "Thank you. Your report went to the programme's managers, and only they can read it.",
        "blocked" => "You blocked this person: you will not be matched, and neither of you can send the other requests.",
        "unblocked" => "The block is lifted.",
        "followed" => "You follow their growth threads now. Tick \"Only people I follow\" on the feed to read just them.",
        "unfollowed" => "You no longer follow their growth threads.",
        "pause_saved" => "Your availability is saved.",
        "pulse_saved" => "Thank you: your check-in answers are saved. Only you and your programme's managers see them.",
        "agreement_saved" => "The agreement is saved as a new version. Everyone confirms it again, you too.",
        "agreement_confirmed" => "You confirmed the agreement.",
        "goal_created" => "The goal is set. Add milestones to track your progress.",
        "goal_saved" => "The goal is saved.",
        "milestone_added" => "The milestone is added.",
        "milestone_saved" => "The milestone is saved.",
        "comment_added" => "Your comment is posted.",
        "note_saved" => "Your note is saved.",
        "note_deleted" => "The note is deleted.",
        "message_sent" => "Your message is sent.",
        "message_edited" => "Your message is changed; the thread shows it was edited.",
        "message_deleted" => "Your message is deleted; the thread shows where it was.",
        // Room lifecycle.
        "room_pause" => "The room is paused. Nothing is lost; resume it when you are ready.",
        "room_resume" => "The room is active again.",
        "room_propose_completion" => "You proposed completing the room; the other side is asked to confirm.",
        "room_confirm_completion" | "room_complete" => "The room is complete. Everyone is asked for a closing reflection.",
        "room_end" => "The room has ended. It stays readable; everyone is told.",
        "room_leave" => "You left the room.",
        "rooms_completed" => "Every open room is complete. You can close the programme now.",
        "calendar_reset" => "Your calendar feed has a new address; the old one no longer works. Subscribe again with the new one.",
        "session_scheduled" => "The session is planned; everyone in the room can see it.",
        "series_scheduled" => "The repeating sessions are planned; everyone in the room can see them.",
        "session_saved" => "The session is saved.",
        "session_status" => "The session's status is saved.",
        "reschedule_proposed" => "The new time is proposed; the session moves when everyone accepts.",
        "reschedule_answered" => "Your answer is saved; the session moves when everyone has accepted.",
        "reschedule_moved" => "Everyone accepted: the session has moved.",
        "reschedule_declined" => "You declined the new time; the session stays where it was.",
        "item_added" => "The action item is added.",
        "item_saved" => "The action item is saved.",
        "notifications_read" => "Your notifications are marked read.",
        // Roadmaps (H6).
        "roadmap_saved" => "The draft is saved. Only you see it until you publish it.",
        "roadmap_published" => "The roadmap is published. Its followers are told what changed.",
        "roadmap_followed" => "You follow this roadmap. Mark each step as you go.",
        "roadmap_unfollowed" => "You no longer follow this roadmap. Your marks stay yours if you follow it again.",
        "roadmap_moved" => "You moved to the newest version. Your marks on steps that still exist are kept.",
        "roadmap_marked" => "Your step is saved.",
        "roadmap_attached" => "The roadmap is attached.",
        "roadmap_detached" => "The roadmap is detached.",
        "feedback_saved" => "Thank you. Your feedback is saved; only you and the programme's managers see it.",
        // Managers' tools (issue 18 §6).
        "capacity_saved" => "The mentor's capacity is saved. Run matching again to place the people waiting.",
        // Growth Threads (H7).
        "thread_started" => "Your thread is started. Write its first post.",
        "thread_saved" => "The thread is saved; who may read it changed everywhere at once.",
        "post_published" => "Your post is published.",
        "post_deleted" => "The post is deleted, with its comments and reactions.",
        "comment_posted" => "Your comment is posted.",
        "post_saved" => "Your post is saved. Its earlier version is kept for moderators.",
        "comment_saved" => "Your comment is saved.",
        "comment_deleted" => "The comment is deleted, with its replies.",
        "thread_deleted" => "The thread is deleted, with everything in it.",
        "reaction_saved" => "Your reaction is saved.",
        "thread_reported" => "Thank you. The report goes to the people who moderate this thread.",
        "hidden" => "Hidden. Its author sees your reason.",
        "restored" => "Restored: everyone who may read the thread sees it again.",
        // Reflection and the needs check (issue 19, H8).
        "reflection_schedule" => "Your prompt schedule is saved.",
        "reflection_saved" => "Your answer is kept.",
        "prompt_assigned" => "The prompt is assigned: the room's members can answer it now.",
        "prompt_added" => "The prompt is added to the library.",
        "prompt_saved" => "The prompt is saved.",
        "needs_saved" => "Your result is saved in your history. Here is what it suggests.",
        _ => return None,
    })
}

/// One form field.
pub struct Field {
    /// Input name.
    pub name: Cow<'static, str>,
    /// Visible label.
    pub label: Cow<'static, str>,
    /// `text`, `email`, `password`, `textarea`, `select`, `hidden`, `number`, `search`.
    pub kind: &'static str,
    /// Current value.
    pub value: String,
    /// Help text.
    pub hint: String,
    /// The error next to the field.
    pub error: Option<String>,
    /// `autocomplete` attribute.
    pub autocomplete: &'static str,
    /// Options for selects: (code, label).
    pub options: Vec<(String, String)>,
    /// Programme kinds (codes, space-separated) the field applies to; empty
    /// for every kind. `static/forms.js` hides it when the kind changes.
    pub only_for: &'static str,
    /// The rows of a `questions` field (issue 18 §2: the list editor).
    pub questions: Vec<question_editor::QuestionRow>,
}

impl Field {
    /// A field with no value, hint or error.
    pub fn new(
        name: impl Into<Cow<'static, str>>,
        label: impl Into<Cow<'static, str>>,
        kind: &'static str,
    ) -> Self {
        Self {
            name: name.into(),
            label: label.into(),
            kind,
            value: String::new(),
            hint: String::new(),
            error: None,
            autocomplete: "",
            options: vec![],
            only_for: "",
            questions: vec![],
        }
    }
    /// Sets the value.
    pub fn value(mut self, v: impl Into<String>) -> Self {
        self.value = v.into();
        self
    }
    /// Sets the hint.
    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.hint = h.into();
        self
    }
    /// Sets autocomplete.
    pub fn auto(mut self, a: &'static str) -> Self {
        self.autocomplete = a;
        self
    }
    /// Sets select options.
    pub fn options(mut self, o: Vec<(String, String)>) -> Self {
        self.options = o;
        self
    }
    /// Limits the field to programmes of these kinds (space-separated codes).
    pub fn only_for(mut self, kinds: &'static str) -> Self {
        self.only_for = kinds;
        self
    }
}

/// A generic form page.
#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    /// Layout.
    pub ctx: Ctx,
    /// Heading and title.
    pub title: &'static str,
    /// A paragraph under the heading.
    pub intro: String,
    /// Where the form posts.
    pub action: String,
    /// The fields.
    pub fields: Vec<Field>,
    /// Button text.
    pub submit: &'static str,
    /// An error not tied to one field.
    pub form_error: Option<String>,
    /// Links under the form.
    pub links: Vec<(&'static str, &'static str)>,
}

impl FormPage {
    /// Puts each error next to its field; errors for fields not on the form go on top.
    pub fn with_error(mut self, e: AppError) -> Response {
        let status = crate::error::status_of(&e);
        if let AppError::Internal { .. } = &e {
            crate::error::log_internal(&e);
            self.form_error = Some(
                "Something went wrong on our side; nothing was saved. Please try again.".into(),
            );
        } else if let AppError::Invalid(errs) = &e {
            let mut loose: Vec<&Invalid> = vec![];
            for err in errs {
                let placed = match self
                    .fields
                    .iter_mut()
                    .find(|f| f.name == err.field && f.kind != "hidden")
                {
                    Some(f) => {
                        f.error = Some(err.message.clone());
                        true
                    }
                    None => false,
                };
                if !placed && !question_editor::place_error(&mut self.fields, err) {
                    loose.push(err);
                }
            }
            if !loose.is_empty() {
                self.form_error = Some(
                    loose
                        .iter()
                        .map(|e| e.message.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                );
            }
        } else if let AppError::Conflict {
            field: Some(name),
            message,
        } = &e
        {
            match self.fields.iter_mut().find(|f| f.name == *name) {
                Some(f) => f.error = Some(message.clone()),
                None => self.form_error = Some(message.clone()),
            }
        } else {
            self.form_error = Some(e.to_string());
        }
        (status, render(&self)).into_response()
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    ctx: Ctx,
    title: &'a str,
    message: &'a str,
}

/// A page with a title and one message.
pub fn message_page(who: Option<&PageActor>, title: &str, message: &str) -> Html<String> {
    render(&MessagePage {
        ctx: Ctx::new(who, None),
        title,
        message,
    })
}

/// The status of a page that may carry a form-fixable error: the error's
/// status, or 200 without one.
pub fn status_for(error: Option<&AppError>) -> axum::http::StatusCode {
    error
        .map(crate::error::status_of)
        .unwrap_or(axum::http::StatusCode::OK)
}

/// Renders a template; a template error is logged and shown as a plain message.
pub fn render<T: Template>(t: &T) -> Html<String> {
    match t.render() {
        Ok(html) => Html(html),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            Html(
                "<!doctype html><title>Error</title><p>Something went wrong on our side.</p>"
                    .into(),
            )
        }
    }
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/rapport.css"),
    )
        .into_response()
}

async fn not_found(
    crate::auth::MaybeActor(who): crate::auth::MaybeActor,
    uri: axum::http::Uri,
) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::ApiError::no_route().into_response();
    }
    // Like every other error page, it quotes the request id, so a person
    // who followed a broken link can report it and be found in the log.
    let message = crate::error::with_request_id(
        "There is no page at this address: check it, or start again from the home page.".into(),
    );
    (
        axum::http::StatusCode::NOT_FOUND,
        message_page(who.as_ref(), "Not found", &message),
    )
        .into_response()
}

fn table() -> Routes {
    Routes::new()
        .get("/static/rapport.css", stylesheet)
        .merge(auth::routes())
        .merge(people::routes())
        .merge(account::routes())
        .merge(admin::routes())
        .merge(programmes::routes())
        .merge(enrolment::routes())
        .merge(rounds::routes())
        .merge(rooms::routes())
        .merge(pulse::routes())
        .merge(health::routes())
        .merge(inbox::routes())
        .merge(agreements::routes())
        .merge(goals::routes())
        .merge(closure::routes())
        .merge(rematch::routes())
        .merge(csv_people::routes())
        .merge(safety::routes())
        .merge(requests::routes())
        .merge(notes::routes())
        .merge(messages::routes())
        .merge(calendar::routes())
        .merge(sessions::routes())
        // Managers' tools in plain words (issue 18 §6).
        .merge(placement::routes())
        .merge(audit::routes())
        .merge(api_docs::routes())
        // Safe actions (issue 18 §5, H4).
        .merge(safe_actions::routes())
        // Roadmaps (H6).
        .merge(roadmaps::routes())
        // Growth Threads (H7).
        .merge(threads::routes())
        // Reflection and the needs check (issue 19, H8).
        .merge(reflection::routes())
        // Forms that help (H3).
        .merge(matching_settings::routes())
        // Issue 18 §5 safe actions remainder (H4).
        .merge(round_edits::routes())
        .merge(confirmations::routes())
        // Issue 19 remainder (H2): search.
        .merge(search::routes())
        // Issue 20 (H5): the coverage dashboard, bounded and charted.
        .merge(coverage::routes())
}

/// Every page route.
pub fn routes() -> Router<AppState> {
    table().into_parts().0.fallback(not_found)
}

/// Middleware for the pages: an error page (a [`crate::error::PageError`]) is
/// drawn where no request is at hand, so it would show the signed-out menu;
/// this draws it again with the signed-in person's menu, keeping its status
/// and headers. Other responses pass through untouched.
pub async fn error_menu(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::extract::FromRequestParts;
    let headers = req.headers().clone();
    let mut response = next.run(req).await;
    let Some(text) = response
        .extensions_mut()
        .remove::<crate::error::ErrorPageText>()
    else {
        return response;
    };
    let mut bare = axum::http::Request::new(());
    *bare.headers_mut() = headers;
    let (mut parts, ()) = bare.into_parts();
    let Ok(crate::auth::MaybeActor(Some(who))) =
        crate::auth::MaybeActor::from_request_parts(&mut parts, &state).await
    else {
        return response;
    };
    let (mut head, _) = response.into_parts();
    head.headers.remove(axum::http::header::CONTENT_LENGTH);
    let html = message_page(Some(&who), text.title, &text.message);
    axum::response::Response::from_parts(head, axum::body::Body::from(html.0))
}

/// Every (method, path) the pages serve, from the same table that builds them.
pub fn page_routes() -> Vec<(&'static str, &'static str)> {
    table().into_parts().1
}
