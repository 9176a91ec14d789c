//! Closure pages: a member's closure survey of a room (`/rooms/{id}/closure`)
//! and a programme's outcomes for its managers.

use super::programmes::{parse_id, Params};
use super::rooms::RoomTabs;
use super::{render, Ctx};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::closure::{ClosureInput, ClosureView, ClosureWindow, OutcomesReport};
use rapport_app::AppError;
use rapport_domain::closure::{
    CareerStep, WouldMentor, SELF_EFFICACY_QUESTION, SELF_EFFICACY_SCALE,
};
use rapport_domain::RoomId;

#[derive(Template)]
#[template(path = "closure.html")]
struct ClosurePage {
    ctx: Ctx,
    title: String,
    tabs: RoomTabs,
    v: ClosureView,
    /// What the form shows (the last answer tried, after an error).
    input: ClosureInput,
    /// Errors by field; `""` for the form as a whole.
    errors: Vec<(&'static str, String)>,
    question: &'static str,
    scale: Vec<(String, &'static str)>,
    steps: Vec<(&'static str, &'static str)>,
    mentor: Vec<(&'static str, &'static str)>,
}

impl ClosurePage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    fn chosen_skill(&self, name: &str) -> bool {
        self.input.skills.iter().any(|s| s == name)
    }

    fn open_until(&self) -> Option<i64> {
        match self.v.window {
            ClosureWindow::Open { until } => Some(until),
            _ => None,
        }
    }

    fn closed_since(&self) -> Option<i64> {
        match self.v.window {
            ClosureWindow::Closed { since } => Some(since),
            _ => None,
        }
    }

    fn not_ended(&self) -> bool {
        self.v.window == ClosureWindow::NotEnded
    }
}

fn page(who: &PageActor, notice: Option<&str>, v: ClosureView, input: ClosureInput) -> ClosurePage {
    let title = v.room.member_names();
    ClosurePage {
        ctx: Ctx::new(Some(who), notice),
        title: format!("Closure: {title}"),
        tabs: RoomTabs {
            id: v.room.id,
            current: "Closure",
            ended: !v.room.status.is_open(),
        },
        v,
        input,
        errors: vec![],
        question: SELF_EFFICACY_QUESTION,
        scale: SELF_EFFICACY_SCALE
            .iter()
            .enumerate()
            .map(|(i, l)| ((i + 1).to_string(), *l))
            .collect(),
        steps: CareerStep::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        mentor: WouldMentor::ALL
            .iter()
            .map(|w| (w.code(), w.label()))
            .collect(),
    }
}

async fn closure(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let v = s.app.closure(&who.actor, id).await?;
    Ok(render(&page(
        &who,
        q.get("done").map(String::as_str),
        v,
        ClosureInput::default(),
    ))
    .into_response())
}

async fn close(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let mut input = ClosureInput::default();
    for (k, val) in pairs {
        match k.as_str() {
            "reflection" => input.reflection = val,
            "self_efficacy" => input.self_efficacy = val,
            "skills" => input.skills.push(val),
            "career_step" => input.career_step = val,
            "would_mentor" => input.would_mentor = val,
            _ => {}
        }
    }
    match s.app.submit_closure(&who.actor, id, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/rooms/{id}/closure?done=closure_saved")).into_response())
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let status = crate::error::status_of(&e);
            let v = s.app.closure(&who.actor, id).await?;
            let mut p = page(&who, None, v, input);
            p.errors = match e {
                AppError::Invalid(errs) => errs.into_iter().map(|e| (e.field, e.message)).collect(),
                other => vec![("", other.to_string())],
            };
            Ok((status, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "outcomes.html")]
struct OutcomesPage {
    ctx: Ctx,
    title: String,
    r: OutcomesReport,
}

impl OutcomesPage {
    fn mean(v: &Option<f64>) -> String {
        v.map_or_else(|| "—".into(), |m| format!("{m:.1}"))
    }

    fn change(v: &Option<f64>) -> String {
        v.map_or_else(|| "—".into(), |m| format!("{m:+.1}"))
    }
}

async fn outcomes(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let r = s.app.programme_outcomes(&who.actor, &slug).await?;
    Ok((
        StatusCode::OK,
        render(&OutcomesPage {
            ctx: Ctx::new(Some(&who), None),
            title: format!("Outcomes of {}", r.programme_name),
            r,
        }),
    )
        .into_response())
}

/// The closure pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .form("/rooms/{id}/closure", closure, close)
        .get("/programmes/{slug}/outcomes", outcomes)
}
