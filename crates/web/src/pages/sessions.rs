//! Session pages: a room's Sessions tab (upcoming and past, the propose form
//! with suggested times) and one session (details, status with attendance,
//! rescheduling, notes, action items, feedback). Plain forms that POST, then
//! redirect with a notice; an error shows the page again with the message.

use super::confirm::Confirm;
use super::programmes::{parse_id, Params};
use super::rooms::RoomTabs;
use super::{render, Ctx, Field};
use crate::auth::{PageActor, PageFor, PageSession};
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::lists::ListQuery;
use rapport_app::sessions::{
    ActionItemInput, RoomSessions, ScheduleInput, SessionEdit, SessionView, StartInput,
    StatusInput, Suggestions,
};
use rapport_app::AppError;
use rapport_domain::mentoring::SessionStatus;
use rapport_domain::{ActionItemId, PersonId, RoomId, SessionId};
use rapport_store::{ActionItemRecord, SessionRecord};

/// The messages of an error, for the alert over a form.
fn messages(e: &AppError) -> Vec<String> {
    match e {
        AppError::Invalid(list) => list.iter().map(|i| i.message.clone()).collect(),
        AppError::Internal { .. } => {
            crate::error::log_internal(e);
            vec!["Something went wrong on our side; nothing was saved. Please try again.".into()]
        }
        e => vec![e.to_string()],
    }
}

/// The error a field of the propose form shows, if any.
fn field_error(e: Option<&AppError>, field: &str) -> Option<String> {
    match e {
        Some(AppError::Invalid(list)) => {
            let m: Vec<&str> = list
                .iter()
                .filter(|i| i.field == field)
                .map(|i| i.message.as_str())
                .collect();
            (!m.is_empty()).then(|| m.join(" "))
        }
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    ctx: Ctx,
    title: String,
    tabs: RoomTabs,
    v: RoomSessions,
    /// One page of the past sessions (`v.sessions` holds those ahead).
    past: Vec<SessionRecord>,
    /// Cursors of the earlier and later pages of past sessions.
    earlier: Option<String>,
    later: Option<String>,
    suggestions: Option<Suggestions>,
    form: Params,
    error: Option<AppError>,
}

impl SessionsPage {
    fn value(&self, name: &str, default: &str) -> String {
        self.form
            .get(name)
            .cloned()
            .unwrap_or_else(|| default.to_string())
    }
    fn err(&self, field: &str) -> Option<String> {
        field_error(self.error.as_ref(), field)
    }
    fn alert(&self) -> Vec<String> {
        self.error.as_ref().map(messages).unwrap_or_default()
    }
    /// The plain inputs of the propose form, with their values and errors.
    fn inputs(&self) -> Vec<Input> {
        let zone = self.ctx.zone.to_string();
        [
            ("date", "Date", "date", "", "In the time zone below."),
            ("time", "Start time", "time", "", "24-hour clock, e.g. 14:30."),
            ("zone", "Time zone", "text", zone.as_str(), "An IANA zone such as Europe/Lisbon; a repeating session keeps this zone's local time."),
            ("minutes", "Length in minutes", "number", "60", "1 to 1440."),
            ("link", "Online link (optional)", "url", "", "A web address starting with https://."),
            ("place", "Place (optional)", "text", "", ""),
        ]
        .into_iter()
        .map(|(name, label, kind, default, hint)| Input {
            name,
            label,
            kind,
            value: self.value(name, default),
            hint,
            error: self.err(name),
        })
        .collect()
    }
    /// (code, label, selected) for the repeat select.
    fn repeat_options(&self) -> Vec<(&'static str, String, bool)> {
        let chosen = self.value("repeat", "");
        let mut out = vec![("", "Once".to_string(), chosen.is_empty())];
        for c in rapport_domain::programme::Cadence::ALL {
            let label = if c == self.v.cadence {
                format!("{} (the programme's cadence)", c.label())
            } else {
                c.label().to_string()
            };
            out.push((c.code(), label, chosen == c.code()));
        }
        out
    }
}

/// One input of the propose form.
struct Input {
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    value: String,
    hint: &'static str,
    error: Option<String>,
}

/// Past sessions a page of the Sessions tab lists; the rest are a link away.
const PAST_PAGE: i64 = 10;

async fn sessions_page(
    s: &AppState,
    who: PageFor<'_>,
    id: RoomId,
    form: Params,
    notice: Option<&str>,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let minutes = form
        .get("minutes")
        .and_then(|m| m.trim().parse::<i64>().ok())
        .filter(|m| (1..=1440).contains(m))
        .unwrap_or(60);
    // The room, its sessions ahead, a page of the others and the suggested
    // times in one read.
    let past = ListQuery {
        page: None,
        cursor: form.get("cursor").cloned().filter(|c| !c.is_empty()),
        limit: Some(PAST_PAGE),
    };
    let tab = s
        .app
        .sessions_tab(who.reader(), id, minutes, 5, &past)
        .await?;
    let who = who.actor(s, tab.viewer)?;
    let (v, suggestions) = (tab.sessions, tab.suggestions);
    let earlier = tab.past.next.map(|c| c.encode());
    let later = tab.past.prev.map(|c| c.encode());
    let past = tab.past.items;
    let title = format!("Sessions: {}", v.access.room.member_names());
    let status = super::status_for(error.as_ref());
    Ok((
        status,
        render(&SessionsPage {
            ctx: Ctx::new(Some(&who), notice),
            title,
            tabs: RoomTabs {
                id,
                current: "Sessions",
                ended: !v.access.room.status.is_open(),
            },
            past,
            earlier,
            later,
            suggestions,
            form,
            error,
            v,
        }),
    )
        .into_response())
}

async fn sessions(
    State(s): State<AppState>,
    session: PageSession,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let notice = q.get("done").cloned();
    let who = PageFor::Session(&session);
    sessions_page(&s, who, id, q, notice.as_deref(), None).await
}

fn start_of(f: &Params) -> StartInput {
    StartInput {
        starts_at: None,
        date: f.get("date").cloned(),
        time: f.get("time").cloned(),
        zone: f.get("zone").cloned(),
    }
}

async fn propose(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let number = |name: &str| {
        f.get(name)
            .map(|v| v.trim().parse::<i64>().unwrap_or(-1))
            .unwrap_or(0)
    };
    let input = ScheduleInput {
        start: start_of(&f),
        minutes: number("minutes"),
        agenda: f.get("agenda").cloned().unwrap_or_default(),
        link: f.get("link").cloned().unwrap_or_default(),
        place: f.get("place").cloned().unwrap_or_default(),
        repeat: f.get("repeat").cloned().unwrap_or_default(),
        occurrences: number("occurrences"),
    };
    match s.app.schedule_session(&who.actor, id, &input).await {
        Ok(ids) => Ok(Redirect::to(&format!(
            "/rooms/{id}/sessions?done={}",
            if ids.len() > 1 {
                "series_scheduled"
            } else {
                "session_scheduled"
            }
        ))
        .into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            sessions_page(&s, PageFor::Actor(&who), id, f, None, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "session.html")]
struct SessionPage {
    ctx: Ctx,
    title: String,
    tabs: RoomTabs,
    v: SessionView,
    error: Vec<String>,
    now: i64,
}

impl SessionPage {
    fn name(&self, id: &Option<PersonId>) -> String {
        self.v.name_of(*id)
    }
    fn member_name(&self, id: &PersonId) -> String {
        self.v.name_of(Some(*id))
    }
    fn due(&self, a: &ActionItemRecord) -> String {
        a.due_on
            .map(|d| d.format("%-d %b %Y").to_string())
            .unwrap_or_default()
    }
    fn members(&self) -> Vec<(PersonId, String)> {
        self.v
            .access
            .room
            .members
            .iter()
            .filter(|m| m.state.holds_seat())
            .map(|m| (m.person_id, m.name.clone()))
            .collect()
    }
    fn scheduled(&self) -> bool {
        self.v.session.status == SessionStatus::Scheduled
    }
    fn started(&self) -> bool {
        self.v.session.starts_at <= self.now
    }
    fn i_answered(&self) -> bool {
        let me = self.ctx.me.as_ref().map(|m| m.id);
        self.v
            .reschedule
            .as_ref()
            .is_some_and(|r| r.answers.iter().any(|(p, _)| Some(*p) == me))
    }
    fn accepted_names(&self) -> String {
        self.v
            .reschedule
            .as_ref()
            .map(|r| {
                r.answers
                    .iter()
                    .filter(|(_, yes)| *yes)
                    .map(|(p, _)| self.v.name_of(Some(*p)))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    }
    /// The start as the organiser booked it, in their zone.
    fn booked_as(&self) -> String {
        let z = &self.v.session.zone;
        match self.ctx.now {
            Some(now) => z.local_at(self.v.session.starts_at, now),
            None => z.local(self.v.session.starts_at),
        }
    }
    fn is_me(&self, id: &PersonId) -> bool {
        self.ctx.me.as_ref().is_some_and(|m| m.id == *id)
    }
    fn ratings(&self) -> [(u8, &'static str); 4] {
        [
            (1, "1 — poor"),
            (2, "2 — fair"),
            (3, "3 — good"),
            (4, "4 — very good"),
        ]
    }
    fn default_zone(&self) -> String {
        self.ctx.zone.to_string()
    }
}

async fn session_page(
    s: &AppState,
    who: &PageActor,
    id: SessionId,
    notice: Option<&str>,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let v = s.app.session(&who.actor, id).await?;
    let status = super::status_for(error.as_ref());
    let ctx = Ctx::new(Some(who), notice);
    let title = format!("Session on {}", ctx.when(v.session.starts_at));
    Ok((
        status,
        render(&SessionPage {
            tabs: RoomTabs {
                id: v.session.room_id,
                current: "Sessions",
                ended: !v.access.room.status.is_open(),
            },
            ctx,
            title,
            error: error.as_ref().map(messages).unwrap_or_default(),
            now: s.app.now(),
            v,
        }),
    )
        .into_response())
}

async fn session(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let id: SessionId = parse_id(&id, "session")?;
    session_page(&s, &who, id, q.get("done").map(String::as_str), None).await
}

/// After a session form: back to the session with a notice, or the page
/// again with the error (404 and 403 stay error pages).
async fn after(
    s: &AppState,
    who: &PageActor,
    id: SessionId,
    result: Result<(), AppError>,
    done: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/sessions/{id}?done={done}")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            session_page(s, who, id, None, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: SessionId = parse_id(&id, "session")?;
    let edit = SessionEdit {
        minutes: f
            .get("minutes")
            .map(|m| m.trim().parse::<i64>().unwrap_or(-1)),
        agenda: f.get("agenda").cloned(),
        link: f.get("link").cloned(),
        place: f.get("place").cloned(),
        notes: f.get("notes").cloned(),
    };
    let r = s.app.edit_session(&who.actor, id, &edit).await;
    after(&s, &who, id, r, "session_saved").await
}

/// "Cancel this session?": what cancelling does, and the reason it takes.
fn confirm_cancel(who: &PageActor, v: &SessionView, reason: &str) -> Confirm {
    let id = v.session.id;
    let ctx = Ctx::new(Some(who), None);
    let others: Vec<String> = v
        .access
        .room
        .members
        .iter()
        .filter(|m| m.person_id != who.actor.person_id && m.state.holds_seat())
        .map(|m| m.name.clone())
        .collect();
    let mut c = Confirm::new(
        "Cancel this session?",
        format!("/sessions/{id}/status"),
        format!("/sessions/{id}"),
    )
    .hidden("status", "cancelled");
    c.intro = format!(
        "The session on {}{} will not take place.",
        ctx.when(v.session.starts_at),
        if others.is_empty() {
            String::new()
        } else {
            format!(" with {}", others.join(", "))
        }
    );
    c.consequences = vec![
        "Every other member is told by email, with a calendar cancellation that takes it out of their calendar.".into(),
        "It stays in the room's list of sessions as cancelled, with who cancelled it and your reason, which the members see.".into(),
        "Nobody counts as absent: a cancelled session has no no-shows.".into(),
        "It cannot be undone; schedule a new session if you still want to meet.".into(),
    ];
    c.fields.push(
        Field::new("reason", "Why cancel?", "text")
            .value(reason)
            .hint("Required. The other members read it."),
    );
    c.submit = "Cancel the session".into();
    c.danger = true;
    c
}

async fn confirm_cancel_page(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: SessionId = parse_id(&id, "session")?;
    let v = s.app.session(&who.actor, id).await?;
    if !v.access.is_member() {
        return Err(
            AppError::Forbidden("only the room's members cancel its sessions".into()).into(),
        );
    }
    Ok(confirm_cancel(&who, &v, "").page(&who))
}

async fn set_status(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: SessionId = parse_id(&id, "session")?;
    let status = f.get("status").cloned().unwrap_or_default();
    if status == "cancelled" {
        // Cancelling is confirmed first (GET /sessions/{id}/cancel); a bad
        // reason shows that page again with the error next to the field.
        let reason = f.get("reason").cloned().unwrap_or_default();
        let input = StatusInput {
            status,
            attendance: vec![],
            reason: reason.clone(),
        };
        return match s.app.set_session_status(&who.actor, id, &input).await {
            Ok(_) => {
                Ok(Redirect::to(&format!("/sessions/{id}?done=session_status")).into_response())
            }
            Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
                let v = s.app.session(&who.actor, id).await?;
                Ok(confirm_cancel(&who, &v, &reason).with_error(&who, e))
            }
            Err(e) => Err(e.into()),
        };
    }
    // Attendance is asked for on the form as attendance_<person id>; only a
    // held session records it.
    let attendance = if status == "held" {
        f.iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("attendance_")
                    .map(|p| (p.to_string(), v.clone()))
            })
            .collect()
    } else {
        vec![]
    };
    let input = StatusInput {
        status,
        attendance,
        reason: f.get("reason").cloned().unwrap_or_default(),
    };
    let r = s
        .app
        .set_session_status(&who.actor, id, &input)
        .await
        .map(|_| ());
    after(&s, &who, id, r, "session_status").await
}

async fn reschedule(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: SessionId = parse_id(&id, "session")?;
    let r = s
        .app
        .propose_reschedule(&who.actor, id, &start_of(&f))
        .await
        .map(|_| ());
    after(&s, &who, id, r, "reschedule_proposed").await
}

async fn reschedule_answer(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: SessionId = parse_id(&id, "session")?;
    let accept = match f.get("answer").map(String::as_str) {
        Some("accept") => true,
        Some("decline") => false,
        _ => return Err(AppError::invalid("answer", "answer accept or decline").into()),
    };
    let r = s.app.answer_reschedule(&who.actor, id, accept).await;
    let done = match &r {
        Ok(rapport_domain::sessions::RescheduleStatus::Accepted) => "reschedule_moved",
        Ok(rapport_domain::sessions::RescheduleStatus::Declined) => "reschedule_declined",
        _ => "reschedule_answered",
    };
    after(&s, &who, id, r.map(|_| ()), done).await
}

async fn add_item(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: SessionId = parse_id(&id, "session")?;
    let input = ActionItemInput {
        title: Some(f.get("title").cloned().unwrap_or_default()),
        owner_id: f.get("owner_id").cloned(),
        due_on: f.get("due_on").cloned(),
        done: None,
    };
    let r = s
        .app
        .add_action_item(&who.actor, id, &input)
        .await
        .map(|_| ());
    after(&s, &who, id, r, "item_added").await
}

async fn update_item(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: ActionItemId = parse_id(&id, "action item")?;
    let input = ActionItemInput {
        title: f.get("title").cloned(),
        owner_id: f.get("owner_id").cloned(),
        due_on: f.get("due_on").cloned(),
        done: f.get("done").map(|d| d == "true"),
    };
    // The form says which session page it was on (a carried-over item is
    // changed from a later session's page).
    let back: Option<SessionId> = f.get("back").and_then(|b| b.parse().ok());
    match s.app.update_action_item(&who.actor, id, &input).await {
        Ok(item) => Ok(Redirect::to(&format!(
            "/sessions/{}?done=item_saved",
            back.unwrap_or(item.session_id)
        ))
        .into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) if back.is_some() => {
            session_page(&s, &who, back.unwrap_or_default(), None, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn feedback(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: SessionId = parse_id(&id, "session")?;
    let rating = f
        .get("rating")
        .map(|r| r.trim().parse::<i64>().unwrap_or(0))
        .unwrap_or(0);
    let r = s
        .app
        .give_feedback(
            &who.actor,
            id,
            rating,
            f.get("comment").map(String::as_str).unwrap_or_default(),
        )
        .await;
    after(&s, &who, id, r, "feedback_saved").await
}

/// The session pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/rooms/{id}/sessions", sessions)
        .post("/rooms/{id}/sessions", propose)
        .get("/sessions/{id}", session)
        .post("/sessions/{id}", edit)
        .post("/sessions/{id}/status", set_status)
        .get("/sessions/{id}/cancel", confirm_cancel_page)
        .post("/sessions/{id}/reschedule", reschedule)
        .post("/sessions/{id}/reschedule/answer", reschedule_answer)
        .post("/sessions/{id}/action-items", add_item)
        .post("/action-items/{id}", update_item)
        .post("/sessions/{id}/feedback", feedback)
}
