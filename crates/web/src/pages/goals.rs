//! The Goals tab of a room (the list, with progress bars, and the new goal
//! form) and one goal's page (milestones with done checkboxes, comments, the
//! progress chart).

use super::agreements::place;
use super::programmes::{parse_id, Params};
use super::rooms::RoomTabs;
use super::{render, status_for, Ctx, Field};
use crate::auth::PageActor;
use crate::charts::{Chart, LineChart, Series};
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::goals::{GoalChanges, GoalView, MilestoneInput, NewGoal, RoomGoals};
use rapport_app::lists::ListQuery;
use rapport_app::AppError;
use rapport_domain::goals::GoalStatus;
use rapport_domain::{GoalId, MilestoneId, RoomId};

fn day(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "goals.html")]
struct GoalsPage {
    ctx: Ctx,
    title: String,
    tabs: RoomTabs,
    g: RoomGoals,
    fields: Vec<Field>,
    form_error: Option<String>,
}

fn new_goal_fields(input: &NewGoal, g: &RoomGoals) -> Vec<Field> {
    let mut fields = vec![
        Field::new("title", "Goal", "text").value(input.title.clone()),
        Field::new("description", "Description", "textarea")
            .value(input.description.clone())
            .hint("Markdown."),
        Field::new(
            "success_criteria",
            "How you will know you got there",
            "textarea",
        )
        .value(input.success_criteria.clone())
        .hint("Markdown."),
        Field::new("target_date", "Target date (YYYY-MM-DD)", "date")
            .value(input.target_date.clone()),
    ];
    if g.can_add_shared && g.can_add_own {
        fields.push(
            Field::new("shared", "A goal for the whole room", "checkbox").value(if input.shared {
                "true"
            } else {
                ""
            }),
        );
    } else if g.can_add_shared {
        fields.push(Field::new("shared", "", "hidden").value("true"));
    }
    fields
}

async fn goals_page(
    s: &AppState,
    who: &PageActor,
    id: RoomId,
    notice: Option<&str>,
    posted: Option<(NewGoal, AppError)>,
) -> Result<Response, PageError> {
    let g = s
        .app
        .room_goals(
            &who.actor,
            id,
            &ListQuery {
                limit: Some(100),
                ..ListQuery::default()
            },
        )
        .await?;
    let (input, error) = match posted {
        Some((i, e)) => (i, Some(e)),
        None => (NewGoal::default(), None),
    };
    let mut fields = new_goal_fields(&input, &g);
    let form_error = match &error {
        Some(AppError::Invalid(errors)) => place(&mut fields, errors),
        Some(e) => Some(e.to_string()),
        None => None,
    };
    Ok((
        status_for(error.as_ref()),
        render(&GoalsPage {
            ctx: Ctx::new(Some(who), notice),
            title: format!("Goals: {}", g.access.room.member_names()),
            tabs: RoomTabs {
                id,
                current: "Goals",
                ended: !g.access.room.status.is_open(),
            },
            g,
            fields,
            form_error,
        }),
    )
        .into_response())
}

async fn list(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    goals_page(&s, &who, id, q.get("done").map(String::as_str), None).await
}

async fn create(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let input = NewGoal {
        title: get("title"),
        description: get("description"),
        success_criteria: get("success_criteria"),
        target_date: get("target_date"),
        shared: get("shared") == "true",
    };
    match s.app.create_goal(&who.actor, id, &input).await {
        Ok(goal) => {
            Ok(Redirect::to(&format!("/goals/{}?done=goal_created", goal.id)).into_response())
        }
        Err(e @ AppError::Invalid(_)) => goals_page(&s, &who, id, None, Some((input, e))).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "goal.html")]
struct GoalPage {
    ctx: Ctx,
    title: String,
    tabs: RoomTabs,
    v: GoalView,
    chart: Chart,
    edit_fields: Vec<Field>,
    milestone_fields: Vec<Field>,
    comment_fields: Vec<Field>,
    /// (which form, message) for an error not tied to one field.
    form_error: Option<(&'static str, String)>,
}

/// Which form on the goal page a post came from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Edit,
    Milestone,
    Comment,
}

async fn goal_page(
    s: &AppState,
    who: &PageActor,
    id: GoalId,
    notice: Option<&str>,
    posted: Option<(Which, Params, AppError)>,
) -> Result<Response, PageError> {
    let v = s.app.goal(&who.actor, id).await?;
    let goal = &v.item.goal;
    let empty = Params::new();
    let (which, form, error) = match &posted {
        Some((w, f, e)) => (Some(*w), f, Some(e)),
        None => (None, &empty, None),
    };
    let from = |w: Which, k: &str, default: String| {
        if which == Some(w) {
            form.get(k).cloned().unwrap_or_default()
        } else {
            default
        }
    };
    let mut edit_fields = vec![
        Field::new("title", "Goal", "text").value(from(Which::Edit, "title", goal.title.clone())),
        Field::new("description", "Description", "textarea")
            .value(from(Which::Edit, "description", goal.description.clone()))
            .hint("Markdown."),
        Field::new(
            "success_criteria",
            "How you will know you got there",
            "textarea",
        )
        .value(from(
            Which::Edit,
            "success_criteria",
            goal.success_criteria.clone(),
        ))
        .hint("Markdown."),
        Field::new("target_date", "Target date (YYYY-MM-DD)", "date").value(from(
            Which::Edit,
            "target_date",
            day(goal.target_date),
        )),
        Field::new("status", "Status", "select")
            .value(from(Which::Edit, "status", goal.status.code().into()))
            .options(
                GoalStatus::ALL
                    .iter()
                    .map(|s| (s.code().to_string(), s.code().to_string()))
                    .collect(),
            ),
    ];
    if v.item.milestones.is_empty() {
        edit_fields.push(
            Field::new("progress", "Progress (0 to 100)", "number")
                .value(from(
                    Which::Edit,
                    "progress",
                    goal.manual_progress.to_string(),
                ))
                .hint("With milestones, progress follows them instead."),
        );
    }
    let mut milestone_fields = vec![
        Field::new("milestone_title", "Milestone", "text").value(from(
            Which::Milestone,
            "milestone_title",
            String::new(),
        )),
        Field::new("due_date", "Due date (YYYY-MM-DD)", "date").value(from(
            Which::Milestone,
            "due_date",
            String::new(),
        )),
    ];
    let mut comment_fields = vec![Field::new("body", "Your comment", "textarea")
        .value(from(Which::Comment, "body", String::new()))
        .hint("Markdown.")];
    let form_error = match (which, error) {
        (Some(w), Some(AppError::Invalid(errors))) => {
            let target = match w {
                Which::Edit => &mut edit_fields,
                Which::Milestone => &mut milestone_fields,
                Which::Comment => &mut comment_fields,
            };
            // The milestone form's title is `milestone_title` (the edit form
            // has a `title` too, and ids on a page are unique).
            let errors: Vec<rapport_domain::Invalid> = errors
                .iter()
                .map(|e| match (w, e.field) {
                    (Which::Milestone, "title") => {
                        rapport_domain::Invalid::new("milestone_title", e.message.clone())
                    }
                    _ => e.clone(),
                })
                .collect();
            place(target, &errors).map(|m| (form_name(w), m))
        }
        (Some(w), Some(e)) => Some((form_name(w), e.to_string())),
        _ => None,
    };
    let chart = LineChart {
        id: format!("progress-{}", goal.id),
        title: format!("Progress of “{}” over time", goal.title),
        y_label: "Progress (%)".into(),
        y_max: 100.0,
        step: true,
        until: Some(s.app.now()),
        series: vec![Series {
            label: "Progress".into(),
            points: v.events.iter().map(|(t, p)| (*t, f64::from(*p))).collect(),
        }],
    }
    .render(&who.time_zone);
    let room_id = goal.room_id;
    let title = goal.title.clone();
    Ok((
        status_for(error),
        render(&GoalPage {
            ctx: Ctx::new(Some(who), notice),
            title,
            tabs: RoomTabs {
                id: room_id,
                current: "Goals",
                ended: !v.access.room.status.is_open(),
            },
            v,
            chart,
            edit_fields,
            milestone_fields,
            comment_fields,
            form_error,
        }),
    )
        .into_response())
}

fn form_name(w: Which) -> &'static str {
    match w {
        Which::Edit => "edit",
        Which::Milestone => "milestone",
        Which::Comment => "comment",
    }
}

async fn show(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let id: GoalId = parse_id(&id, "goal")?;
    goal_page(&s, &who, id, q.get("done").map(String::as_str), None).await
}

async fn save(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: GoalId = parse_id(&id, "goal")?;
    let progress = match f.get("progress").map(|p| p.trim()) {
        None | Some("") => None,
        Some(p) => match p.parse() {
            Ok(p) => Some(p),
            Err(_) => {
                let e =
                    AppError::invalid("progress", "progress must be a whole number from 0 to 100");
                return goal_page(&s, &who, id, None, Some((Which::Edit, f, e))).await;
            }
        },
    };
    let changes = GoalChanges {
        title: f.get("title").cloned(),
        description: f.get("description").cloned(),
        success_criteria: f.get("success_criteria").cloned(),
        target_date: f.get("target_date").cloned(),
        status: f.get("status").cloned(),
        progress,
    };
    match s.app.update_goal(&who.actor, id, &changes).await {
        Ok(_) => Ok(Redirect::to(&format!("/goals/{id}?done=goal_saved")).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            goal_page(&s, &who, id, None, Some((Which::Edit, f, e))).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn add_milestone(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: GoalId = parse_id(&id, "goal")?;
    let input = MilestoneInput {
        title: Some(f.get("milestone_title").cloned().unwrap_or_default()),
        due_date: f.get("due_date").cloned(),
        done: None,
    };
    match s.app.add_milestone(&who.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/goals/{id}?done=milestone_added")).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            goal_page(&s, &who, id, None, Some((Which::Milestone, f, e))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A milestone's done checkbox: an unticked box sends nothing, so the form
/// always carries `form=done` and a missing `done` means not done.
async fn save_milestone(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: MilestoneId = parse_id(&id, "milestone")?;
    let input = MilestoneInput {
        title: None,
        due_date: None,
        done: Some(f.get("done").is_some_and(|d| d == "true")),
    };
    let (_, goal) = s.app.update_milestone(&who.actor, id, &input).await?;
    Ok(Redirect::to(&format!("/goals/{}?done=milestone_saved", goal.id)).into_response())
}

async fn comment(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: GoalId = parse_id(&id, "goal")?;
    let body = f.get("body").cloned().unwrap_or_default();
    match s.app.comment_on_goal(&who.actor, id, &body).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/goals/{id}?done=comment_added#comments")).into_response())
        }
        Err(e @ AppError::Invalid(_)) => {
            goal_page(&s, &who, id, None, Some((Which::Comment, f, e))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The goal pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/rooms/{id}/goals", list)
        .post("/rooms/{id}/goals", create)
        .get("/goals/{id}", show)
        .post("/goals/{id}", save)
        .post("/goals/{id}/milestones", add_milestone)
        .post("/milestones/{id}", save_milestone)
        .post("/goals/{id}/comments", comment)
}
