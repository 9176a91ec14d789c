//! Safe actions (issue 18 §5): the confirmation pages in front of
//! publishing a round, closing a programme and removing a manager, and the
//! reopening of a closed programme. Each GET page says what will happen with
//! real counts and posts to the action's existing route; the link that opens
//! it carries `data-confirm`, which `/static/confirm-dialog.js` turns into a
//! native `<dialog>` showing the same page. Without JavaScript the link
//! simply opens the page.

use super::confirm::Confirm;
use super::programmes::{back, parse_id, Params};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Form;
use rapport_app::AppError;
use rapport_domain::mentoring::RoundStatus;
use rapport_domain::{PersonId, RoundId};
use std::collections::BTreeSet;

/// `n thing` or `n things`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The script that opens confirmation pages in a native `<dialog>`.
async fn confirm_dialog_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/confirm-dialog.js"),
    )
        .into_response()
}

/// "Publish this round?": how many rooms are proposed and how many people
/// are emailed.
async fn publish_page(
    State(s): State<AppState>,
    who: PageActor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id: RoundId = parse_id(&id, "round")?;
    let p = s.app.programme(&who.actor, &slug).await?;
    let round = s
        .app
        .rounds(&who.actor, &slug)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| AppError::NotFound("that round was not found".into()))?;
    if round.status != RoundStatus::Draft {
        return Err(AppError::Conflict {
            field: None,
            message:
                "this round is already published or discarded; run matching again for a fresh one"
                    .into(),
        }
        .into());
    }
    let proposals = round.result.proposals.len();
    let people: BTreeSet<PersonId> = round
        .result
        .proposals
        .iter()
        .flat_map(|pr| pr.members.iter().map(|m| m.person_id))
        .collect();
    let waiting = round.result.unmatched.len();
    let mut c = Confirm::new(
        format!("Publish this round of {}?", p.record.name),
        format!("/programmes/{slug}/matching/{id}/publish"),
        format!("/programmes/{slug}/matching"),
    );
    c.intro = format!(
        "This emails {} and cannot be undone.",
        count(people.len(), "person", "people")
    );
    c.consequences = vec![
        format!(
            "{} proposed, one per pair.",
            count(proposals, "room is", "rooms are")
        ),
        format!(
            "{} asked by email to accept their match.",
            count(people.len(), "person is", "people are")
        ),
    ];
    if waiting > 0 {
        c.consequences.push(format!(
            "{} waiting for the next round.",
            count(
                waiting,
                "person who was not placed stays",
                "people who were not placed stay"
            )
        ));
    }
    c.consequences
        .push("Anyone matched meanwhile, or a mentor who filled up, is skipped and listed.".into());
    c.submit = format!("Publish {}", count(proposals, "proposal", "proposals"));
    Ok(c.page(&who))
}

/// "Close this programme?"
async fn close_page(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let p = s.app.programme(&who.actor, &slug).await?;
    let (_, approved) = s.app.participant_count(&who.actor, &slug).await?;
    let mut c = Confirm::new(
        format!("Close {}?", p.record.name),
        format!("/programmes/{slug}/status"),
        format!("/programmes/{slug}"),
    )
    .hidden("status", "closed");
    c.intro = format!(
        "Closing ends the programme for its {}.",
        count(approved, "participant", "participants")
    );
    c.consequences = vec![
        "Nobody can enrol, and matching stops.".into(),
        "Every room must be completed first; the programme refuses to close while one is active or paused.".into(),
        "A site administrator can reopen it within 30 days; it then returns to its status before closing.".into(),
    ];
    c.submit = "Close the programme".into();
    c.danger = true;
    Ok(c.page(&who))
}

/// "Remove this manager?"
async fn remove_manager_page(
    State(s): State<AppState>,
    who: PageActor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id: PersonId = parse_id(&id, "manager")?;
    let p = s.app.programme(&who.actor, &slug).await?;
    let managers = s.app.programme_managers(&who.actor, &slug).await?;
    let name = managers
        .iter()
        .find(|(m, _, _)| *m == id)
        .map(|(_, name, _)| name.clone())
        .ok_or_else(|| {
            AppError::NotFound("that person is not a manager of this programme".into())
        })?;
    let mut c = Confirm::new(
        format!("Remove {name} as a manager?"),
        format!("/programmes/{slug}/managers/{id}/remove"),
        format!("/programmes/{slug}"),
    );
    c.intro = format!(
        "{name} will no longer manage {}; {} will remain.",
        p.record.name,
        count(managers.len().saturating_sub(1), "manager", "managers")
    );
    c.consequences = vec![
        format!("{name} loses access to its participants, matching and reports."),
        "Anyone who manages the programme can add them again.".into(),
    ];
    c.submit = "Remove the manager".into();
    c.danger = true;
    Ok(c.page(&who))
}

/// "Reopen this programme?" (admins, within 30 days of closing).
async fn reopen_page(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let Some(r) = s.app.reopening(&who.actor, &slug).await? else {
        return Err(AppError::Conflict {
            field: None,
            message: "this programme is not closed, or closed more than 30 days ago, so it cannot be reopened".into(),
        }
        .into());
    };
    let mut c = Confirm::new(
        format!("Reopen {}?", r.name),
        format!("/programmes/{slug}/reopen"),
        format!("/programmes/{slug}"),
    )
    .hidden("confirm", "yes");
    c.intro = format!(
        "It closed {}; it can be reopened until {}.",
        who.when(r.closed_at),
        who.when(r.until)
    );
    c.consequences = vec![
        format!(
            "The programme returns to its status before closing: {}.",
            r.back_to.code()
        ),
        "Rooms completed when it closed stay completed.".into(),
        "The reopening is written to the audit log.".into(),
    ];
    c.submit = "Reopen the programme".into();
    Ok(c.page(&who))
}

async fn reopen(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let confirm = f.get("confirm").map(String::as_str) == Some("yes");
    s.app.reopen_programme(&who.actor, &slug, confirm).await?;
    Ok(back(&slug, "", "reopened"))
}

/// The safe-action pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/static/confirm-dialog.js", confirm_dialog_js)
        .get("/programmes/{slug}/matching/{id}/publish", publish_page)
        .get("/programmes/{slug}/close", close_page)
        .get(
            "/programmes/{slug}/managers/{id}/remove",
            remove_manager_page,
        )
        .get("/programmes/{slug}/reopen", reopen_page)
        .post("/programmes/{slug}/reopen", reopen)
}
