//! Issue 18 §5 (H4): a draft round's pairs edited by hand (reject a pair,
//! swap a mentee to another mentor) from forms on the matching page, and
//! "match now" shown before anything is committed: the proposed mentor and
//! the explanation on a confirmation page (the shared [`Confirm`] pattern).

use super::confirm::Confirm;
use super::programmes::{parse_id, Params};
use super::rounds::on_matching;
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::round_edits::PairEdit;
use rapport_app::AppError;
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::{PersonId, RoundId};

/// Reject or swap, from the draft round's forms; errors (a full mentor, a
/// broken hard rule) show on the matching page next to the round.
async fn edit_pair(
    State(s): State<AppState>,
    who: PageActor,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: RoundId = parse_id(&id, "round")?;
    let person = |k: &'static str| {
        f.get(k)
            .filter(|v| !v.is_empty())
            .map(|v| {
                v.parse::<PersonId>()
                    .map_err(|_| AppError::invalid(k, "Choose a person from the list."))
            })
            .transpose()
    };
    let r = async {
        let mentee = person("mentee_id")?
            .ok_or_else(|| AppError::invalid("mentee_id", "Choose the mentee."))?;
        let edit = PairEdit::parse(
            f.get("action").map(String::as_str).unwrap_or(""),
            person("mentor_id")?,
        )?;
        s.app
            .edit_round_pair(&who.actor, &slug, id, mentee, edit)
            .await
    }
    .await;
    on_matching(&s, &who, &slug, r, "pair_edited").await
}

/// "Match now" for one waiting person, before anything is committed: who
/// Rapport proposes and why, with the button that proposes the room.
async fn match_now_preview(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let person: PersonId = parse_id(
        q.get("person_id").map(String::as_str).unwrap_or(""),
        "person",
    )?;
    let p = s.app.programme(&who.actor, &slug).await?;
    let proposal = s.app.match_now_preview(&who.actor, &slug, person).await?;
    let name = |role: ProgrammeRole| {
        proposal
            .members
            .iter()
            .find(|m| m.role == role)
            .map(|m| (m.person_id, m.name.clone()))
    };
    let (Some((mentor_id, mentor)), Some((_, mentee))) =
        (name(ProgrammeRole::Mentor), name(ProgrammeRole::Mentee))
    else {
        return Err(AppError::Conflict {
            field: None,
            message: "No mentor can take them now; run matching for the whole pool.".into(),
        }
        .into());
    };
    let mut c = Confirm::new(
        format!("Match {mentee} with {mentor}?"),
        format!("/programmes/{slug}/match-now"),
        format!("/programmes/{slug}"),
    )
    .hidden("person_id", person.to_string())
    .hidden("mentor_id", mentor_id.to_string());
    c.intro = format!(
        "Rapport proposes {mentor} for {mentee} in {}: {:.1} points. Nothing is proposed until you confirm.",
        p.record.name, proposal.score
    );
    c.consequences = proposal
        .explanation
        .iter()
        .map(|l| format!("Why: {} (+{:.1} points)", l.sentence, l.points))
        .collect();
    c.consequences.push(format!(
        "A proposed room is created and {mentee} and {mentor} are emailed to accept it."
    ));
    c.submit = format!("Propose {mentor}");
    Ok(c.page(&who))
}

/// Proposes the room the preview showed. Without the previewed mentor (an
/// old form, a bookmarked post) it shows the preview first.
pub(super) async fn match_now(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let person: PersonId = parse_id(
        f.get("person_id").map(String::as_str).unwrap_or(""),
        "person",
    )?;
    let Some(mentor) = f.get("mentor_id").and_then(|v| v.parse::<PersonId>().ok()) else {
        // Nothing is committed unseen: a refusal (nobody can take them) is
        // answered now, anything else goes to the preview.
        s.app.match_now_preview(&who.actor, &slug, person).await?;
        return Ok(
            Redirect::to(&format!("/programmes/{slug}/match-now?person_id={person}"))
                .into_response(),
        );
    };
    let room = s
        .app
        .match_now_expecting(&who.actor, &slug, person, Some(mentor))
        .await?;
    Ok(Redirect::to(&format!("/rooms/{room}?done=proposed")).into_response())
}

/// The pair-edit and match-now pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .post("/programmes/{slug}/matching/{id}/pairs", edit_pair)
        .get("/programmes/{slug}/match-now", match_now_preview)
}
