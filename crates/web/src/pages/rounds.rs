//! Matching pages: the latest round, running and publishing rounds, pair
//! rules, and matching one person now.

use super::programmes::{back, parse_id, Params};
use super::{render, Ctx};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Form;
use rapport_app::rounds::{PairRuleView, RoundView};
use rapport_app::AppError;
use rapport_domain::mentoring::EnrolmentStatus;
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole};
use rapport_domain::PersonId;

#[derive(Template)]
#[template(path = "matching.html")]
struct MatchingPage {
    ctx: Ctx,
    title: String,
    name: String,
    slug: String,
    round: Option<RoundView>,
    rules: Vec<PairRuleView>,
    seekers: Vec<(PersonId, String)>,
    givers: Vec<(PersonId, String)>,
    seeker_label: &'static str,
    giver_label: &'static str,
    error: Option<String>,
    /// Issue 18 §4: rounds run only while the programme takes them (a
    /// draft never offers "Run matching"); otherwise the page says why.
    takes_rounds: bool,
    status: &'static str,
    /// Unplaced people with the actions that would place them (issue 18 §6).
    unplaced: Vec<rapport_app::placement::UnplacedActions>,
    /// Issue 18 §5: the draft round's pairs can be rejected or swapped here
    /// (one-to-one and reverse programmes).
    pair_edits: bool,
}

async fn matching_page(
    s: &AppState,
    who: &PageActor,
    slug: &str,
    notice: Option<&str>,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let (p, list) = s.app.enrolments(&who.actor, slug).await?;
    let rounds = s.app.rounds(&who.actor, slug).await?;
    let rules = s.app.pair_rules(&who.actor, slug).await?;
    let peers = matches!(p.kind, ProgrammeKind::Peer | ProgrammeKind::Circle);
    let pick = |role: ProgrammeRole| -> Vec<(PersonId, String)> {
        list.iter()
            .filter(|v| v.enrolment.role == role && v.enrolment.status == EnrolmentStatus::Approved)
            .map(|v| (v.enrolment.person_id, v.name.clone()))
            .collect()
    };
    let (seekers, givers) = if peers {
        (pick(ProgrammeRole::Peer), pick(ProgrammeRole::Peer))
    } else {
        (pick(ProgrammeRole::Mentee), pick(ProgrammeRole::Mentor))
    };
    let status = super::status_for(error.as_ref());
    let takes_rounds = rapport_app::programmes::taking_enrolments(&p);
    let programme_status = p.status.code();
    let round = rounds.into_iter().next();
    let pair_edits = matches!(p.kind, ProgrammeKind::OneToOne | ProgrammeKind::Reverse)
        && round
            .as_ref()
            .is_some_and(|r| r.status == rapport_domain::mentoring::RoundStatus::Draft);
    let unplaced = s
        .app
        .unplaced_actions((&p.name, p.slug.as_str()), round.as_ref(), &list);
    Ok((
        status,
        render(&MatchingPage {
            takes_rounds,
            status: programme_status,
            ctx: Ctx::new(Some(who), notice),
            title: format!("Matching for {}", p.name),
            name: p.name,
            slug: p.slug.into(),
            round,
            rules,
            seekers,
            givers,
            seeker_label: if peers { "First peer" } else { "Mentee" },
            giver_label: if peers { "Second peer" } else { "Mentor" },
            error: error.map(|e| e.to_string()),
            unplaced,
            pair_edits,
        }),
    )
        .into_response())
}

async fn matching(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    matching_page(&s, &who, &slug, q.get("done").map(String::as_str), None).await
}

/// Rule errors (a refused pin, a round that cannot run) are shown on the
/// matching page itself, next to what the manager was doing.
pub(super) async fn on_matching<T>(
    s: &AppState,
    who: &PageActor,
    slug: &str,
    r: Result<T, AppError>,
    done: &str,
) -> Result<Response, PageError> {
    match r {
        Ok(_) => Ok(back(slug, "/matching", done)),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            matching_page(s, who, slug, None, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn run(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let r = s.app.run_round(&who.actor, &slug).await;
    on_matching(&s, &who, &slug, r, "round_run").await
}

async fn pair_rule(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id = |k: &str| f.get(k).and_then(|v| v.parse::<PersonId>().ok());
    let (Some(a), Some(b)) = (id("mentee_id"), id("mentor_id")) else {
        return Err(AppError::invalid("mentee_id", "choose two people").into());
    };
    let r = s
        .app
        .set_pair_rule(
            &who.actor,
            &slug,
            a,
            b,
            f.get("rule").map(String::as_str).unwrap_or(""),
        )
        .await;
    on_matching(&s, &who, &slug, r, "rule_saved").await
}

async fn publish(
    State(s): State<AppState>,
    who: PageActor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id: rapport_domain::RoundId = parse_id(&id, "round")?;
    let r = s.app.publish_round(&who.actor, &slug, id).await;
    on_matching(&s, &who, &slug, r, "published").await
}

/// The matching pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/programmes/{slug}/matching", matching)
        .post("/programmes/{slug}/matching/run", run)
        .post("/programmes/{slug}/matching/rules", pair_rule)
        .post("/programmes/{slug}/matching/{id}/publish", publish)
        // Issue 18 §5: the post commits only what the preview showed.
        .post(
            "/programmes/{slug}/match-now",
            super::round_edits::match_now,
        )
}
