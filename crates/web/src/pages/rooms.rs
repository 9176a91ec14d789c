//! Room pages: one room, answering a proposal, moving it (pause, complete,
//! end, leave: far-reaching moves ask first, see `confirm.rs`), its history,
//! the caller's rooms, and a programme's rooms for its managers.

use super::confirm::Confirm;
use super::programmes::{parse_id, Params};
use super::{render, Ctx, Field};
use crate::auth::{PageActor, PageFor, PageSession};
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::lists::ListQuery;
use rapport_app::room_life::{available_moves, RoomListQuery, RoomSummary, StatusChange};
use rapport_app::rooms::RoomView;
use rapport_app::AppError;
use rapport_domain::health::Level;
use rapport_domain::mentoring::{EndReason, RoomAction};
use rapport_domain::RoomId;
use rapport_store::RoomEventRecord;

/// The tabs over every page of one room (`room_tabs.html`). A room page's
/// template struct holds one as `tabs` and includes the partial.
pub(crate) struct RoomTabs {
    /// The room.
    pub id: RoomId,
    /// The current tab's label.
    pub current: &'static str,
    /// The room completed or ended (its closure tab shows).
    pub ended: bool,
}

impl RoomTabs {
    /// (label, link, is the current page), in order. Each room page adds its
    /// tab here.
    pub fn links(&self) -> Vec<(&'static str, String, bool)> {
        let id = self.id;
        let mut tabs: Vec<(&'static str, String)> = vec![
            ("Overview", format!("/rooms/{id}")),
            ("Agreement", format!("/rooms/{id}/agreement")),
            ("Goals", format!("/rooms/{id}/goals")),
            ("Sessions", format!("/rooms/{id}/sessions")),
            ("Notes", format!("/rooms/{id}/notes")),
            ("Messages", format!("/rooms/{id}/messages")),
            ("Health", format!("/rooms/{id}/health")),
            ("History", format!("/rooms/{id}/history")),
            // Issue 19, H8.
            ("Prompts", format!("/rooms/{id}/prompts")),
        ];
        tabs.extend(
            self.ended
                .then(|| ("Closure", format!("/rooms/{id}/closure"))),
        );
        tabs.into_iter()
            .map(|(label, href)| (label, href, label == self.current))
            .collect()
    }
}

#[derive(Template)]
#[template(path = "room.html")]
struct RoomPage {
    ctx: Ctx,
    title: String,
    tabs: RoomTabs,
    v: RoomView,
    /// Moves the viewer may make: (action code, button label, asks first).
    moves: Vec<(&'static str, &'static str, bool)>,
    /// The end note, rendered.
    end_note: Option<String>,
    /// Who proposed completion, by name.
    proposer: Option<String>,
    /// The viewer may start a no-fault re-match (a manager, or a member
    /// who answered no at their latest check-in).
    can_rematch: bool,
    /// The viewer was re-matched from this room: link to where it stands.
    rematched: bool,
    /// A mentor who reported a poor fit: where to find a mentor of their own.
    support: Option<rapport_app::rematch::MentorSupport>,
    /// Roadmaps (H6): the room's roadmap section.
    roadmaps: super::roadmaps::RoomSection,
}

/// The words of a move's button, and whether it asks for confirmation first
/// (the far-reaching ones: completing, ending, leaving).
fn move_button(a: RoomAction) -> (&'static str, &'static str, bool) {
    let (label, asks) = match a {
        RoomAction::Pause => ("Pause the room", false),
        RoomAction::Resume => ("Resume the room", false),
        RoomAction::ProposeCompletion => ("Propose completing the room", false),
        RoomAction::ConfirmCompletion => ("Confirm completion", true),
        RoomAction::Complete => ("Complete the room", true),
        RoomAction::End => ("End the room", true),
        RoomAction::Leave => ("Leave the room", true),
    };
    (a.code(), label, asks)
}

async fn room(
    State(s): State<AppState>,
    session: PageSession,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    // The viewer and the tab in one read.
    let who = PageFor::Session(&session);
    let rapport_app::room_pages::OverviewTab {
        viewer,
        view: v,
        can_rematch,
        rematched,
        support,
        roadmaps,
    } = s.app.overview_tab(who.reader(), id).await?;
    let who = who.actor(&s, viewer)?;
    let title = v.room.member_names();
    let moves = available_moves(&v, who.actor.person_id)
        .into_iter()
        .map(move_button)
        .collect();
    let end_note = v
        .room
        .end_note
        .as_deref()
        .map(rapport_app::markdown::render);
    let proposer = v.room.completion_proposed_by.and_then(|p| {
        v.room
            .members
            .iter()
            .find(|m| m.person_id == p)
            .map(|m| m.name.clone())
    });
    let roadmaps = super::roadmaps::room_section(&s, &who, roadmaps).await?;
    Ok(render(&RoomPage {
        roadmaps,
        can_rematch,
        rematched,
        support,
        moves,
        end_note,
        proposer,
        ctx: Ctx::new(Some(&who), q.get("done").map(String::as_str)),
        title,
        tabs: RoomTabs {
            id,
            current: "Overview",
            ended: !v.room.status.is_open(),
        },
        v,
    })
    .into_response())
}

async fn answer(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let accept = match f.get("answer").map(String::as_str) {
        Some("accept") => true,
        Some("decline") => false,
        _ => return Err(AppError::invalid("answer", "answer accept or decline").into()),
    };
    let status = s.app.answer_room(&who.actor, id, accept).await?;
    // The notice says what is true now: an acceptance that was the last
    // answer has opened the room, so it must not say the room opens later.
    let done = match (accept, status) {
        (false, _) => "declined",
        (true, rapport_domain::mentoring::RoomStatus::Proposed) => "accepted",
        (true, _) => "accepted_open",
    };
    Ok(Redirect::to(&format!("/rooms/{id}?done={done}")).into_response())
}

/// The confirmation page of `action` on room `v`: what happens, and the
/// reason and note an end (or a leave) takes.
fn confirm_move(v: &RoomView, action: RoomAction, f: &Params) -> Confirm {
    let id = v.room.id;
    let (title, intro, submit, danger) = match action {
        RoomAction::Pause => ("Pause this room?", "A pause puts the room on hold: nothing is lost, and it picks up where it left off.", "Pause the room", false),
        RoomAction::Resume => ("Resume this room?", "The room becomes active again.", "Resume the room", false),
        RoomAction::ProposeCompletion => ("Propose completing this room?", "The other side is asked to confirm that the room is done.", "Propose completion", false),
        RoomAction::ConfirmCompletion => ("Confirm that this room is complete?", "You agree that the relationship has done what it set out to do.", "Confirm completion", true),
        RoomAction::Complete => ("Complete this room?", "As a manager of the programme you complete the room alone.", "Complete the room", true),
        RoomAction::End => ("End this room early?", "Ending a room is final. Say why, in words that blame no one; the reason is shown to the members.", "End the room", true),
        RoomAction::Leave => ("Leave this room?", "You leave the group; the others carry on.", "Leave the room", true),
    };
    let mut c = Confirm::new(title, format!("/rooms/{id}/status"), format!("/rooms/{id}"))
        .hidden("action", action.code());
    c.intro = intro.into();
    c.submit = submit.into();
    c.danger = danger;
    let closes = [
        "The room becomes read-only: everything in it stays readable, and nothing can be changed."
            .to_string(),
        "The mentor's seat is freed at once, so they can be matched again.".to_string(),
        "The mentee goes back to the programme's pool, as its matching mode says.".to_string(),
        "Every member is told by email and asked for a closing reflection and the outcome survey."
            .to_string(),
    ];
    c.consequences = match action {
        RoomAction::ConfirmCompletion | RoomAction::Complete | RoomAction::End => closes.to_vec(),
        RoomAction::Leave => vec![
            "You leave the room; you can still read what happened before you left.".into(),
            format!(
                "The room carries on while it still has what a {} needs; otherwise it ends.",
                v.programme_kind.label().to_lowercase()
            ),
            "The others are told by email.".into(),
        ],
        _ => vec!["The other members are told by email.".into()],
    };
    let reasons = |first: &'static str| {
        let mut o = vec![(String::new(), first.to_string())];
        o.extend(
            EndReason::chosen()
                .into_iter()
                .map(|r| (r.code().to_string(), r.label().to_string())),
        );
        o
    };
    let value = |k: &str| f.get(k).cloned().unwrap_or_default();
    match action {
        RoomAction::End => {
            c.fields.push(
                Field::new("reason", "Why does the room end?", "select")
                    .options(reasons("Choose a reason"))
                    .value(value("reason")),
            );
            c.fields.push(
                Field::new("note", "A note (optional)", "textarea")
                    .hint("Shown in the room's history. Markdown; at most 2,000 characters.")
                    .value(value("note")),
            );
        }
        RoomAction::Leave => {
            c.fields.push(
                Field::new("reason", "Why do you leave? (optional)", "select")
                    .options(reasons("I'd rather not say"))
                    .value(value("reason")),
            );
            c.fields.push(
                Field::new("note", "A note (optional)", "textarea")
                    .hint("Shown in the room's history. Markdown; at most 2,000 characters.")
                    .value(value("note")),
            );
        }
        _ => {}
    }
    c
}

fn parse_action(raw: Option<&String>) -> Result<RoomAction, AppError> {
    RoomAction::parse(raw.map_or("", String::as_str)).map_err(|e| AppError::Invalid(vec![e]))
}

async fn confirm_status(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let v = s.app.room(&who.actor, id).await?;
    let action = parse_action(q.get("action"))?;
    Ok(confirm_move(&v, action, &q).page(&who))
}

async fn move_status(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let action = parse_action(f.get("action"))?;
    let change = StatusChange {
        action: action.code().into(),
        reason: f.get("reason").cloned(),
        note: f.get("note").cloned(),
    };
    match s.app.move_room(&who.actor, id, &change).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/rooms/{id}?done=room_{}", action.code())).into_response())
        }
        Err(e @ AppError::Invalid(_)) => {
            let v = s.app.room(&who.actor, id).await?;
            Ok(confirm_move(&v, action, &f).with_error(&who, e))
        }
        Err(e) => Err(e.into()),
    }
}

/// One line of the history page.
struct HistoryLine {
    event: RoomEventRecord,
    /// The note, rendered.
    note: Option<String>,
}

#[derive(Template)]
#[template(path = "room_history.html")]
struct HistoryPage {
    ctx: Ctx,
    title: String,
    tabs: RoomTabs,
    lines: Vec<HistoryLine>,
    /// The older page's link, if any.
    older: Option<String>,
}

async fn history(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let v = s.app.room(&who.actor, id).await?;
    let list = ListQuery {
        page: None,
        cursor: q.get("cursor").cloned(),
        limit: None,
    };
    let page = s.app.room_history(&who.actor, id, &list).await?;
    let older = page
        .next
        .map(|c| format!("/rooms/{id}/history?cursor={}", c.encode()));
    let lines = page
        .items
        .into_iter()
        .map(|event| HistoryLine {
            note: event.note.as_deref().map(rapport_app::markdown::render),
            event,
        })
        .collect();
    Ok(render(&HistoryPage {
        ctx: Ctx::new(Some(&who), None),
        title: format!("History: {}", v.room.member_names()),
        tabs: RoomTabs {
            id,
            current: "History",
            ended: !v.room.status.is_open(),
        },
        lines,
        older,
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "rooms.html")]
struct RoomsPage {
    ctx: Ctx,
    title: &'static str,
    rooms: Vec<RoomSummary>,
}

async fn rooms(State(s): State<AppState>, who: PageActor) -> Result<Response, PageError> {
    let rooms = s.app.my_room_summaries(&who.actor).await?;
    Ok(render(&RoomsPage {
        ctx: Ctx::new(Some(&who), None),
        title: "My rooms",
        rooms,
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "programme_rooms.html")]
struct ProgrammeRoomsPage {
    ctx: Ctx,
    title: String,
    slug: String,
    rooms: Vec<RoomSummary>,
    /// Rooms still active or paused.
    open: usize,
    /// The filters as chosen (codes, empty for all).
    status: String,
    health: String,
    /// Status filter choices: (code, label).
    statuses: Vec<(&'static str, &'static str)>,
    /// Health filter choices: (code, label).
    levels: Vec<(&'static str, &'static str)>,
    older: Option<String>,
    newer: Option<String>,
}

async fn programme_rooms(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let list = ListQuery {
        page: None,
        cursor: q.get("cursor").cloned(),
        limit: None,
    };
    let filter = RoomListQuery {
        status: q.get("status").cloned(),
        health: q.get("health").cloned(),
    };
    let page = s
        .app
        .programme_rooms(&who.actor, &slug, &list, &filter)
        .await?;
    let (name, open) = s.app.open_room_count(&who.actor, &slug).await?;
    let checked = filter.filter()?;
    let status = checked.status.map_or("", |st| st.code()).to_string();
    let health = checked.level.map_or("", |l| l.code()).to_string();
    // Codes only (checked above), so the links need no escaping.
    let link = |c: rapport_app::lists::Cursor| {
        format!(
            "/programmes/{slug}/rooms?status={status}&health={health}&cursor={}",
            c.encode()
        )
    };
    Ok(render(&ProgrammeRoomsPage {
        ctx: Ctx::new(Some(&who), q.get("done").map(String::as_str)),
        title: format!("Rooms of {name}"),
        older: page.next.map(link),
        newer: page.prev.map(link),
        slug,
        rooms: page.items,
        open,
        status,
        health,
        statuses: vec![
            ("proposed", "Proposed"),
            ("active", "Active"),
            ("paused", "Paused"),
            ("completed", "Completed"),
            ("ended_early", "Ended early"),
        ],
        levels: Level::ALL
            .iter()
            .rev()
            .map(|l| (l.code(), l.label()))
            .collect(),
    })
    .into_response())
}

fn confirm_complete_all(slug: &str, name: &str, open: usize) -> Confirm {
    let mut c = Confirm::new(
        "Complete every open room?",
        format!("/programmes/{slug}/rooms/complete"),
        format!("/programmes/{slug}/rooms"),
    )
    .hidden("confirm", "true");
    c.intro = format!("As {name} ends, its active and paused rooms complete together.");
    c.consequences = vec![
        format!("{open} room{} complete{} at once, in one step.", if open == 1 { "" } else { "s" }, if open == 1 { "s" } else { "" }),
        "Each room becomes read-only: everything in it stays readable.".into(),
        "Every mentor's seat is freed.".into(),
        "Every member of each room is told by email and asked for a closing reflection and the outcome survey.".into(),
        "Proposed rooms that nobody has answered are left as they are.".into(),
    ];
    c.submit = format!("Complete {open} room{}", if open == 1 { "" } else { "s" });
    c.danger = true;
    c
}

async fn confirm_complete(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let (name, open) = s.app.open_room_count(&who.actor, &slug).await?;
    Ok(confirm_complete_all(&slug, &name, open).page(&who))
}

async fn complete_all(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let confirm = f.get("confirm").is_some_and(|v| v == "true");
    s.app
        .complete_programme_rooms(&who.actor, &slug, confirm)
        .await?;
    Ok(Redirect::to(&format!("/programmes/{slug}/rooms?done=rooms_completed")).into_response())
}

/// The room pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/rooms", rooms)
        .get("/rooms/{id}", room)
        .post("/rooms/{id}/answer", answer)
        .get("/rooms/{id}/status", confirm_status)
        .post("/rooms/{id}/status", move_status)
        .get("/rooms/{id}/history", history)
        .get("/programmes/{slug}/rooms", programme_rooms)
        .get("/programmes/{slug}/rooms/complete", confirm_complete)
        .post("/programmes/{slug}/rooms/complete", complete_all)
}
