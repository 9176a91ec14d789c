//! Issue 18 §5 (H4): confirmation first for declining (a proposed match, a
//! request or offer) and for deleting one's account, with the shared
//! [`Confirm`] pattern. The buttons that used to post at once are links
//! marked `data-confirm` to these pages, which `/static/confirm-dialog.js`
//! opens in a native `<dialog>`; without JavaScript the link opens the page.

use super::confirm::Confirm;
use super::Field;
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use axum::extract::{Path, State};
use axum::response::Response;
use rapport_app::AppError;
use rapport_domain::{RequestId, RoomId};

/// "Decline this match?" for a proposed room the viewer is invited to.
async fn decline_room_page(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: RoomId = id
        .parse()
        .map_err(|_| AppError::NotFound("That room was not found.".into()))?;
    let v = s.app.room(&who.actor, id).await?;
    let invited =
        v.my_state.is_some_and(|st| st.code() == "invited") && v.room.status.code() == "proposed";
    if !invited {
        return Err(AppError::Conflict {
            field: None,
            message: "There is no proposal here waiting for your answer.".into(),
        }
        .into());
    }
    let others: Vec<String> = v
        .room
        .members
        .iter()
        .filter(|m| m.person_id != who.actor.person_id)
        .map(|m| m.name.clone())
        .collect();
    let mut c = Confirm::new(
        format!("Decline your match with {}?", others.join(", ")),
        format!("/rooms/{id}/answer"),
        format!("/rooms/{id}"),
    )
    .hidden("answer", "decline");
    c.intro = "Declining cannot be undone: this proposal closes for everyone in it.".into();
    c.consequences = vec![
        format!(
            "The room with {} is not opened, and they are told you declined.",
            others.join(", ")
        ),
        format!(
            "You stay enrolled in {}; its managers can match you again.",
            v.programme_name
        ),
    ];
    c.submit = "Decline the match".into();
    c.danger = true;
    Ok(c.page(&who))
}

/// "Decline this request?" for a request (or offer) waiting on the viewer.
async fn decline_request_page(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: RequestId = id
        .parse()
        .map_err(|_| AppError::NotFound("That request was not found.".into()))?;
    let Some(v) = s
        .app
        .my_requests(&who.actor)
        .await?
        .into_iter()
        .find(|v| v.request.id == id && v.incoming)
    else {
        return Err(AppError::NotFound("That request was not found.".into()).into());
    };
    let from = if v.request.mentee_id == who.actor.person_id {
        v.mentor_name.clone()
    } else {
        v.mentee_name.clone()
    };
    let mut c = Confirm::new(
        format!("Decline {from}'s request?"),
        format!("/requests/{id}/decline"),
        "/requests".to_string(),
    );
    c.intro = "Declining cannot be undone: the request closes.".into();
    c.consequences = vec![
        format!("{from} is emailed that you declined, with your reason if you give one."),
        format!("{from} can still ask someone else in {}.", v.programme),
    ];
    c.fields.push(
        Field::new("reason", "Reason (optional)", "text")
            .hint("Kind and short: it is shown to them."),
    );
    c.submit = "Decline the request".into();
    c.danger = true;
    Ok(c.page(&who))
}

/// The confirmation in front of "delete my account".
pub(super) fn delete_account_confirm() -> Confirm {
    let mut c = Confirm::new("Delete your account?", "/account/delete", "/account");
    c.intro =
        "This deletes your account, your profile and your private notes, and cannot be undone."
            .into();
    c.consequences = vec![
        "Your profile, enrolments, requests and private notes are deleted.".into(),
        "Notes you shared and messages you sent stay in their rooms, shown as from a former member.".into(),
        "You are signed out everywhere, and your API tokens stop working.".into(),
    ];
    c.fields
        .push(Field::new("password", "Current password", "password").auto("current-password"));
    c.submit = "Delete my account".into();
    c.danger = true;
    c
}

async fn delete_account_page(who: PageActor) -> Result<Response, PageError> {
    Ok(delete_account_confirm().page(&who))
}

/// The confirmation pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/rooms/{id}/decline", decline_room_page)
        .get("/requests/{id}/decline", decline_request_page)
        .get("/account/delete", delete_account_page)
}
