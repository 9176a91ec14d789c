//! The bell's page: the signed-in person's notifications, newest first,
//! with "mark read" for one (then on to where it points) or for all.

use super::programmes::Params;
use super::{render, Ctx};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::lists::ListQuery;
use rapport_app::notifications::NotificationRecord;
use rapport_domain::NotificationId;

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    ctx: Ctx,
    title: &'static str,
    items: Vec<NotificationRecord>,
    /// Some of them are unread.
    any_unread: bool,
    /// Older notifications, if any.
    older: Option<String>,
    /// Newer notifications, when reading back.
    newer: Option<String>,
}

async fn list(
    State(s): State<AppState>,
    who: PageActor,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let query = ListQuery {
        page: None,
        cursor: q.get("cursor").cloned().filter(|c| !c.is_empty()),
        limit: None,
    };
    let page = s.app.my_notifications(&who.actor, &query).await?;
    Ok(render(&NotificationsPage {
        ctx: Ctx::new(Some(&who), q.get("done").map(String::as_str)),
        title: "Notifications",
        any_unread: page.items.iter().any(|n| n.read_at.is_none()),
        items: page.items,
        older: page.next.map(|c| c.encode()),
        newer: page.prev.map(|c| c.encode()),
    })
    .into_response())
}

/// A path on this site to go on to, or none: never another site.
fn local(next: Option<&String>) -> Option<&str> {
    next.map(String::as_str)
        .filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
}

async fn mark_read(
    State(s): State<AppState>,
    who: PageActor,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    // One notification (`id`), or all of them (`all`); an id that is not
    // one changes nothing rather than everything.
    match (f.get("id"), f.get("all")) {
        (Some(id), _) => {
            if let Ok(id) = id.parse::<uuid::Uuid>() {
                s.app
                    .mark_notifications_read(&who.actor, Some(&[NotificationId(id)]))
                    .await?;
            }
        }
        (None, Some(_)) => {
            s.app.mark_notifications_read(&who.actor, None).await?;
        }
        (None, None) => {}
    }
    let to = local(f.get("next")).unwrap_or("/notifications?done=notifications_read");
    Ok(Redirect::to(to).into_response())
}

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/notifications", list)
        .post("/notifications/read", mark_read)
}

#[cfg(test)]
mod tests {
    use super::local;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        let s = |x: &str| Some(x.to_string());
        assert_eq!(local(s("/rooms/1").as_ref()), Some("/rooms/1"));
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "rooms"] {
            assert_eq!(local(s(bad).as_ref()), None, "{bad}");
        }
    }
}
