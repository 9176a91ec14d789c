//! Re-match pages: the confirmation page that starts a no-fault re-match
//! (`GET /rooms/{id}/rematch` on an open room), where a re-match stands for
//! the person re-matched (the same address once they left: the proposal,
//! why they wait, or a peer's ranked referrals with a button each), and the
//! carry-over step (`/rooms/{id}/carry-over`: their notes in the old room,
//! each with "copy to my new room").

use super::confirm::Confirm;
use super::programmes::{parse_id, Params};
use super::{render, Ctx, Field};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::rematch::{CarryOver, RematchInput, RematchOutcome};
use rapport_app::AppError;
use rapport_domain::RoomId;

#[derive(Template)]
#[template(path = "rematch.html")]
struct RematchPage {
    ctx: Ctx,
    title: String,
    o: RematchOutcome,
    /// The viewer is the person re-matched (else a manager or the mentor).
    mine: bool,
}

#[derive(Template)]
#[template(path = "carry_over.html")]
struct CarryOverPage {
    ctx: Ctx,
    title: String,
    c: CarryOver,
}

/// The confirmation page of a re-match of room `id`.
fn confirm_rematch(
    id: RoomId,
    subject: Option<&rapport_store::MemberRecord>,
    choices: &[rapport_store::MemberRecord],
    group: bool,
    mentored: bool,
    f: &Params,
) -> Confirm {
    let mut c = Confirm::new(
        "Start a no-fault re-match?",
        format!("/rooms/{id}/rematch"),
        format!("/rooms/{id}"),
    )
    .hidden("confirm", "true");
    let who = subject.map_or("the person you choose".to_string(), |m| m.name.clone());
    c.intro = format!("A re-match finds {who} someone who suits them better. Fit is nobody's fault, and the words Rapport uses blame no one.");
    let mut lines = vec![];
    if group {
        lines.push(format!(
            "{who} leaves the room; the others carry on while the room still has what it needs."
        ));
    } else {
        lines.push(
            "The room ends for fit (no fault). It stays readable; nothing in it can be changed."
                .into(),
        );
        lines.push("The mentor's seat is freed at once, so they can be matched again.".into());
    }
    if mentored {
        lines.push("Rapport proposes the best mentor who can take them now, never the same mentor again; both answer the proposal. If either declines, the next one follows.".into());
        lines.push("When nobody can take them yet, you see why and what would fix it; they wait in the pool and the programme's managers are told.".into());
        lines.push("Their goals and milestones move to the new room when it opens; the old room keeps a read-only copy. They can copy their notes across, one by one.".into());
    } else {
        lines.push(
            "They get a ranked list of peers to choose from; picking one proposes a room.".into(),
        );
    }
    lines.push("Everyone in the room is told by email, in neutral words, and asked for the closure survey when the room ends.".into());
    c.consequences = lines;
    c.submit = "Start the re-match".into();
    c.danger = true;
    let value = |k: &str| f.get(k).cloned().unwrap_or_default();
    if subject.is_none() {
        let mut o = vec![(String::new(), "Choose who".to_string())];
        o.extend(
            choices
                .iter()
                .map(|m| (m.person_id.to_string(), m.name.clone())),
        );
        c.fields.push(
            Field::new("person", "Who is re-matched?", "select")
                .options(o)
                .value(value("person")),
        );
    }
    c.fields.push(
        Field::new("note", "A note (optional)", "textarea")
            .hint("Kept in the room's history after Rapport's neutral words. Markdown; at most 2,000 characters.")
            .value(value("note")),
    );
    c
}

async fn confirm_or_status(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    // The person re-matched sees where it stands.
    match s.app.rematch_referrals(&who.actor, id).await {
        Ok(o) => {
            return Ok(status_page(
                &who,
                q.get("done").map(String::as_str),
                o,
                true,
            ))
        }
        Err(AppError::NotFound(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let v = s.app.room(&who.actor, id).await?;
    let (subject, choices, group) = s.app.rematch_preview(&who.actor, id).await?;
    let mentored = !matches!(
        v.programme_kind,
        rapport_domain::programme::ProgrammeKind::Peer
            | rapport_domain::programme::ProgrammeKind::Circle
    );
    Ok(confirm_rematch(id, subject.as_ref(), &choices, group, mentored, &q).page(&who))
}

fn status_page(who: &PageActor, notice: Option<&str>, o: RematchOutcome, mine: bool) -> Response {
    render(&RematchPage {
        ctx: Ctx::new(Some(who), notice),
        title: format!("Re-match: {}", o.person_name),
        mine,
        o,
    })
    .into_response()
}

async fn start(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let input = RematchInput {
        confirm: f.get("confirm").is_some_and(|v| v == "true"),
        note: f.get("note").cloned(),
        person: f.get("person").cloned(),
    };
    match s.app.start_rematch(&who.actor, id, &input).await {
        Ok(o) => {
            let mine = o.person_id == who.actor.person_id;
            Ok(status_page(&who, Some("rematched"), o, mine))
        }
        Err(e @ AppError::Invalid(_)) => {
            let v = s.app.room(&who.actor, id).await?;
            let (subject, choices, group) = s.app.rematch_preview(&who.actor, id).await?;
            let mentored = !matches!(
                v.programme_kind,
                rapport_domain::programme::ProgrammeKind::Peer
                    | rapport_domain::programme::ProgrammeKind::Circle
            );
            let subject = subject.filter(|_| !f.contains_key("person"));
            Ok(
                confirm_rematch(id, subject.as_ref(), &choices, group, mentored, &f)
                    .with_error(&who, e),
            )
        }
        Err(e) => Err(e.into()),
    }
}

async fn pick(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let peer = f.get("person_id").cloned().unwrap_or_default();
    let room = s.app.pick_referral(&who.actor, id, &peer).await?;
    Ok(Redirect::to(&format!("/rooms/{room}?done=proposed")).into_response())
}

async fn carry_over(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let c = s.app.carry_over(&who.actor, id).await?;
    Ok(render(&CarryOverPage {
        ctx: Ctx::new(Some(&who), q.get("done").map(String::as_str)),
        title: "Carry your notes over".into(),
        c,
    })
    .into_response())
}

async fn carry_note(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let note = f.get("note_id").cloned().unwrap_or_default();
    s.app.carry_note(&who.actor, id, &note).await?;
    Ok(Redirect::to(&format!("/rooms/{id}/carry-over?done=note_copied")).into_response())
}

/// The re-match pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/rooms/{id}/rematch", confirm_or_status)
        .post("/rooms/{id}/rematch", start)
        .post("/rooms/{id}/rematch/pick", pick)
        .get("/rooms/{id}/carry-over", carry_over)
        .post("/rooms/{id}/carry-over", carry_note)
}
