//! Room pages: one room, answering a proposal, and the caller's rooms.

use super::programmes::{parse_id, Params};
use super::{render, Ctx};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::rooms::RoomView;
use rapport_app::AppError;
use rapport_domain::RoomId;
use rapport_store::RoomRecord;

/// The tabs over every page of one room (`room_tabs.html`). A room page's
/// template struct holds one as `tabs` and includes the partial.
pub(crate) struct RoomTabs {
    /// The room.
    pub id: RoomId,
    /// The current tab's label.
    pub current: &'static str,
}

impl RoomTabs {
    /// (label, link, is the current page), in order. Each room page adds its
    /// tab here.
    pub fn links(&self) -> Vec<(&'static str, String, bool)> {
        let id = self.id;
        let tabs: Vec<(&'static str, String)> = vec![
            ("Overview", format!("/rooms/{id}")),
            ("Health", format!("/rooms/{id}/health")),
        ];
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
}

async fn room(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let v = s.app.room(&who.actor, id).await?;
    let title = v
        .room
        .members
        .iter()
        .map(|m| m.name.as_str())
        .collect::<Vec<_>>()
        .join(" & ");
    Ok(render(&RoomPage {
        ctx: Ctx::new(Some(&who), q.get("done").map(String::as_str)),
        title,
        tabs: RoomTabs {
            id,
            current: "Overview",
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
    s.app.answer_room(&who.actor, id, accept).await?;
    Ok(Redirect::to(&format!(
        "/rooms/{id}?done={}",
        if accept { "accepted" } else { "declined" }
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "rooms.html")]
struct RoomsPage {
    ctx: Ctx,
    title: &'static str,
    rooms: Vec<(RoomRecord, String)>,
}

async fn rooms(State(s): State<AppState>, who: PageActor) -> Result<Response, PageError> {
    let rooms = s.app.my_rooms(&who.actor).await?;
    Ok(render(&RoomsPage {
        ctx: Ctx::new(Some(&who), None),
        title: "My rooms",
        rooms,
    })
    .into_response())
}

/// The room pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/rooms", rooms)
        .get("/rooms/{id}", room)
        .post("/rooms/{id}/answer", answer)
}
