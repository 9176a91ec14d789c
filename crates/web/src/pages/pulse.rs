//! The rapport check-in page: a member answers the open pulse and reads
//! their own past answers (nobody else's).

use super::programmes::{parse_id, Params};
use super::rooms::RoomTabs;
use super::{render, Ctx};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::pulse::{PulseInput, PulseView};
use rapport_app::AppError;
use rapport_domain::pulse::{PulseItem, Working};
use rapport_domain::RoomId;

/// One scored question on the form.
struct ScoreField {
    name: &'static str,
    question: &'static str,
    value: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "pulse.html")]
struct PulsePage {
    ctx: Ctx,
    title: &'static str,
    tabs: RoomTabs,
    v: PulseView,
    scores: Vec<ScoreField>,
    working: String,
    working_error: Option<String>,
    working_options: Vec<(&'static str, &'static str)>,
    comment: String,
    comment_error: Option<String>,
    form_error: Option<String>,
}

impl PulsePage {
    fn new(ctx: Ctx, id: RoomId, v: PulseView, f: &Params) -> Self {
        let value = |k: &str| f.get(k).cloned().unwrap_or_default();
        Self {
            ctx,
            title: "Rapport check-in",
            tabs: RoomTabs {
                id,
                current: "Health",
                ended: !v.status.is_open(),
            },
            v,
            scores: PulseItem::ALL
                .into_iter()
                .map(|i| ScoreField {
                    name: i.code(),
                    question: i.question(),
                    value: value(i.code()),
                    error: None,
                })
                .collect(),
            working: value("working"),
            working_error: None,
            working_options: Working::ALL.iter().map(|w| (w.code(), w.label())).collect(),
            comment: value("comment"),
            comment_error: None,
            form_error: None,
        }
    }

    fn with_error(&mut self, e: &AppError) {
        match e {
            AppError::Invalid(errs) => {
                for err in errs {
                    match err.field {
                        "working" => self.working_error = Some(err.message.clone()),
                        "comment" => self.comment_error = Some(err.message.clone()),
                        name => match self.scores.iter_mut().find(|s| s.name == name) {
                            Some(s) => s.error = Some(err.message.clone()),
                            None => self.form_error = Some(err.message.clone()),
                        },
                    }
                }
            }
            other => self.form_error = Some(other.to_string()),
        }
    }
}

async fn page(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let v = s.app.my_pulse(&who.actor, id).await?;
    let ctx = Ctx::new(Some(&who), q.get("done").map(String::as_str));
    Ok(render(&PulsePage::new(ctx, id, v, &Params::new())).into_response())
}

/// A score as typed: a number, or a value no score can be (named in the error).
fn score(f: &Params, name: &str) -> Option<i64> {
    f.get(name)
        .filter(|v| !v.trim().is_empty())
        .map(|v| v.trim().parse().unwrap_or(0))
}

async fn answer(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let input = PulseInput {
        genuineness: score(&f, "genuineness"),
        empathy: score(&f, "empathy"),
        acceptance: score(&f, "acceptance"),
        working: f.get("working").filter(|w| !w.is_empty()).cloned(),
        comment: f.get("comment").cloned().unwrap_or_default(),
    };
    match s.app.answer_pulse(&who.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/rooms/{id}/pulse?done=pulse_saved")).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let v = s.app.my_pulse(&who.actor, id).await?;
            let mut page = PulsePage::new(Ctx::new(Some(&who), None), id, v, &f);
            let status = crate::error::status_of(&e);
            page.with_error(&e);
            Ok((status, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The check-in pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/rooms/{id}/pulse", page)
        .post("/rooms/{id}/pulse", answer)
}
