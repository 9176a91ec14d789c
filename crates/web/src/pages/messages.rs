//! The Messages tab of a room: the thread (newest page, shown oldest to
//! newest), a compose form, and edit/delete for the viewer's own messages.
//! Opening the first page marks the thread read.

use super::programmes::{parse_id, Params};
use super::rooms::RoomTabs;
use super::{render, Ctx};
use crate::auth::{PageActor, PageFor, PageSession};
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::lists::ListQuery;
use rapport_app::messages::MessageView;
use rapport_app::room_pages::MessagesTab;
use rapport_app::rooms::RoomAccess;
use rapport_app::AppError;
use rapport_domain::{MessageId, RoomId};

#[derive(Template)]
#[template(path = "messages.html")]
struct MessagesPage {
    ctx: Ctx,
    title: String,
    tabs: RoomTabs,
    v: RoomAccess,
    /// Oldest first.
    messages: Vec<MessageView>,
    /// Earlier messages, if any.
    earlier: Option<String>,
    /// Later messages, when reading back.
    later: Option<String>,
    can_write: bool,
    draft: String,
    error: Option<String>,
}

/// Messages a page of the thread shows, the latest at the bottom; earlier
/// ones are a link away, as in any chat.
const MESSAGES_PAGE: i64 = 25;

async fn thread_page(
    s: &AppState,
    who: PageFor<'_>,
    id: RoomId,
    q: &Params,
    draft: String,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let cursor = q.get("cursor").cloned().filter(|c| !c.is_empty());
    let list = ListQuery {
        page: None,
        cursor: cursor.clone(),
        limit: Some(MESSAGES_PAGE),
    };
    // The room and the page of its thread in one read.
    let MessagesTab {
        viewer,
        access: v,
        page,
    } = s.app.messages_tab(who.reader(), id, &list).await?;
    let mut who = who.actor(s, viewer)?;
    // Opening the thread reads it; the navigation drops this room's count.
    // With nothing unread here there is nothing to move: the page stays a
    // read, not a write that would queue behind every other writer.
    if cursor.is_none() && who.unread.iter().any(|(r, n)| *r == id && *n > 0) {
        s.app.mark_messages_read(&who.actor, id, None).await?;
        who.unread.retain(|(r, _)| *r != id);
    }
    let can_write = v.is_member() && matches!(v.room.status.code(), "active" | "paused");
    let status = crate::pages::status_for(error.as_ref());
    let title = format!("Messages · {}", v.room.member_names());
    let mut messages = page.items;
    messages.reverse();
    Ok((
        status,
        render(&MessagesPage {
            ctx: Ctx::new(Some(&who), q.get("done").map(String::as_str)),
            title,
            tabs: RoomTabs {
                id,
                current: "Messages",
                ended: !v.room.status.is_open(),
            },
            v,
            messages,
            earlier: page.next.map(|c| c.encode()),
            later: page.prev.map(|c| c.encode()),
            can_write,
            draft,
            error: error.map(|e| e.to_string()),
        }),
    )
        .into_response())
}

async fn thread(
    State(s): State<AppState>,
    session: PageSession,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    thread_page(&s, PageFor::Session(&session), id, &q, String::new(), None).await
}

async fn post(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let body = f.get("body").cloned().unwrap_or_default();
    match s.app.post_message(&who.actor, id, &body).await {
        Ok(m) => Ok(Redirect::to(&format!(
            "/rooms/{id}/messages?done=message_sent#m-{}",
            m.record.id
        ))
        .into_response()),
        Err(e @ AppError::Invalid(_)) => {
            thread_page(&s, PageFor::Actor(&who), id, &Params::new(), body, Some(e)).await
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
    let id: MessageId = parse_id(&id, "message")?;
    let body = f.get("body").cloned().unwrap_or_default();
    let m = s.app.edit_message(&who.actor, id, &body).await?;
    Ok(Redirect::to(&format!(
        "/rooms/{}/messages?done=message_edited#m-{id}",
        m.record.room_id
    ))
    .into_response())
}

async fn delete(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: MessageId = parse_id(&id, "message")?;
    let room = s.app.delete_message(&who.actor, id).await?;
    Ok(Redirect::to(&format!("/rooms/{room}/messages?done=message_deleted")).into_response())
}

/// The Messages pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .form("/rooms/{id}/messages", thread, post)
        .post("/messages/{id}/edit", edit)
        .post("/messages/{id}/delete", delete)
}
