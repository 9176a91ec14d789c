//! The room's Health tab: its level, each reason in words and the next step;
//! managers see every reason and the members' own words from the pulse.

use super::programmes::{parse_id, Params};
use super::rooms::RoomTabs;
use super::{render, Ctx};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use rapport_app::health::HealthView;
use rapport_domain::RoomId;

#[derive(Template)]
#[template(path = "health.html")]
struct HealthPage {
    ctx: Ctx,
    title: &'static str,
    tabs: RoomTabs,
    v: HealthView,
    /// The viewer is a member (and may answer the check-in).
    member: bool,
}

async fn page(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let v = s.app.room_health(&who.actor, id).await?;
    let room = s.app.room(&who.actor, id).await?;
    let member = room.my_state.is_some_and(|m| m.holds_seat());
    Ok(render(&HealthPage {
        ctx: Ctx::new(Some(&who), q.get("done").map(String::as_str)),
        title: "Room health",
        tabs: RoomTabs {
            id,
            current: "Health",
            ended: !room.room.status.is_open(),
        },
        v,
        member,
    })
    .into_response())
}

/// The health page.
pub(super) fn routes() -> Routes {
    Routes::new().get("/rooms/{id}/health", page)
}
