//! Reflection and needs-check pages (issue 19): the member's reflection page
//! (schedule, waiting prompt, the library to choose from, every answer of
//! theirs), one prompt's answer form, a room's prompts, the admins' library,
//! and the needs check with its history.

use super::programmes::{parse_id, Params};
use super::rooms::RoomTabs;
use super::{render, status_for, Ctx};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::lists::ListQuery;
use rapport_app::needs::{NeedsAdvice, NeedsInput, NeedsResult, StepKind, LEADER_GUIDE};
use rapport_app::reflection::{
    AnswerInput, PromptInput, PromptView, ReflectionView, RoomPrompts, ScheduleView,
};
use rapport_app::AppError;
use rapport_domain::reflection::{Cadence, PromptTheme};
use rapport_domain::{PromptId, RoomId};

/// What the private choice promises, word for word on every answer form.
const PRIVATE_HINT: &str =
    "Private: only you will ever read it. Not your mentor, not the programme's managers, not administrators.";

fn list_of(q: &Params) -> ListQuery {
    ListQuery {
        page: None,
        cursor: q.get("cursor").cloned(),
        limit: None,
    }
}

fn cadences() -> Vec<(&'static str, &'static str)> {
    Cadence::ALL.iter().map(|c| (c.code(), c.label())).collect()
}

fn themes() -> Vec<(&'static str, &'static str)> {
    PromptTheme::ALL
        .iter()
        .map(|t| (t.code(), t.label()))
        .collect()
}

#[derive(Template)]
#[template(path = "reflection.html")]
struct ReflectionPage {
    ctx: Ctx,
    title: &'static str,
    schedule: ScheduleView,
    cadences: Vec<(&'static str, &'static str)>,
    prompts: Vec<PromptView>,
    answers: Vec<ReflectionView>,
    next: Option<String>,
    error: Option<String>,
}

async fn reflection(
    State(s): State<AppState>,
    who: PageActor,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    reflection_page(&s, &who, &q, None).await
}

async fn reflection_page(
    s: &AppState,
    who: &PageActor,
    q: &Params,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let schedule = s.app.reflection_schedule(&who.actor).await?;
    let prompts = s.app.active_prompts().await?;
    let page = s.app.my_reflections(&who.actor, &list_of(q)).await?;
    Ok((
        status_for(error.as_ref()),
        render(&ReflectionPage {
            ctx: Ctx::new(Some(who), q.get("done").map(String::as_str)),
            title: "Reflection",
            schedule,
            cadences: cadences(),
            prompts,
            answers: page.items,
            next: page.next.map(|c| c.encode()),
            error: error.map(|e| e.to_string()),
        }),
    )
        .into_response())
}

async fn set_schedule(
    State(s): State<AppState>,
    who: PageActor,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let cadence = f.get("cadence").cloned().unwrap_or_default();
    match s.app.set_reflection_schedule(&who.actor, &cadence).await {
        Ok(_) => Ok(Redirect::to("/reflection?done=reflection_schedule").into_response()),
        Err(e @ AppError::Invalid(_)) => reflection_page(&s, &who, &Params::new(), Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "prompt.html")]
struct PromptPage {
    ctx: Ctx,
    title: &'static str,
    prompt: PromptView,
    private_hint: &'static str,
    body: String,
    error: Option<String>,
    /// The viewer's own growth threads, to share the answer into: (id, title).
    threads: Vec<(String, String)>,
}

async fn prompt_page(
    s: &AppState,
    who: &PageActor,
    id: PromptId,
    body: String,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let prompt = s.app.prompt(&who.actor, id).await?;
    // Issue 19 (H2): an answer can go into one of the viewer's own threads.
    let own = rapport_app::lists::ListQuery {
        page: None,
        cursor: None,
        limit: Some(100),
    };
    let threads = s
        .app
        .threads(&who.actor, Some(who.actor.person_id), &own)
        .await?
        .items
        .into_iter()
        .map(|t| (t.record.id.to_string(), t.record.title))
        .collect();
    Ok((
        status_for(error.as_ref()),
        render(&PromptPage {
            ctx: Ctx::new(Some(who), None),
            title: "Reflect",
            prompt,
            private_hint: PRIVATE_HINT,
            body,
            error: error.map(|e| e.to_string()),
            threads,
        }),
    )
        .into_response())
}

async fn prompt(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: PromptId = parse_id(&id, "prompt")?;
    prompt_page(&s, &who, id, String::new(), None).await
}

async fn answer(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: PromptId = parse_id(&id, "prompt")?;
    let input = AnswerInput {
        body: f.get("body").cloned().unwrap_or_default(),
        visibility: f
            .get("visibility")
            .cloned()
            .unwrap_or_else(|| "private".into()),
        room_prompt_id: f.get("room_prompt_id").cloned(),
        thread_id: f.get("thread_id").cloned(),
    };
    match s.app.answer_prompt(&who.actor, id, &input).await {
        Ok(a) => Ok(match a.record.room_id {
            Some(room) => Redirect::to(&format!("/rooms/{room}/prompts?done=reflection_saved")),
            None => Redirect::to("/reflection?done=reflection_saved"),
        }
        .into_response()),
        // A room prompt's form is on the room's page: back there.
        Err(e @ AppError::Invalid(_)) => {
            match f.get("room_id").and_then(|r| r.parse::<RoomId>().ok()) {
                Some(room) => room_prompts_page(&s, &who, room, &Params::new(), Some(e)).await,
                None => prompt_page(&s, &who, id, input.body, Some(e)).await,
            }
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "room_prompts.html")]
struct RoomPromptsPage {
    ctx: Ctx,
    title: &'static str,
    tabs: RoomTabs,
    v: RoomPrompts,
    library: Vec<PromptView>,
    private_hint: &'static str,
    error: Option<String>,
    /// The viewer (a mentor does not answer the prompt they assigned).
    me: Option<rapport_domain::PersonId>,
}

async fn room_prompts_page(
    s: &AppState,
    who: &PageActor,
    id: RoomId,
    q: &Params,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let room = s.app.room(&who.actor, id).await?;
    let v = s.app.room_prompts(&who.actor, id).await?;
    let library = if v.can_assign {
        s.app.active_prompts().await?
    } else {
        vec![]
    };
    Ok((
        status_for(error.as_ref()),
        render(&RoomPromptsPage {
            ctx: Ctx::new(Some(who), q.get("done").map(String::as_str)),
            title: "Reflection prompts",
            tabs: RoomTabs {
                id,
                current: "Prompts",
                ended: !room.room.status.is_open(),
            },
            v,
            library,
            me: Some(who.actor.person_id),
            private_hint: PRIVATE_HINT,
            error: error.map(|e| e.to_string()),
        }),
    )
        .into_response())
}

async fn room_prompts(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    room_prompts_page(&s, &who, id, &q, None).await
}

async fn assign(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let prompt = f.get("prompt_id").cloned().unwrap_or_default();
    match s.app.assign_room_prompt(&who.actor, id, &prompt).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/rooms/{id}/prompts?done=prompt_assigned")).into_response())
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            room_prompts_page(&s, &who, id, &Params::new(), Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin_prompts.html")]
struct AdminPromptsPage {
    ctx: Ctx,
    title: &'static str,
    prompts: Vec<PromptView>,
    next: Option<String>,
    themes: Vec<(&'static str, &'static str)>,
    draft: PromptInput,
    error: Option<String>,
}

async fn admin_prompts_page(
    s: &AppState,
    who: &PageActor,
    q: &Params,
    draft: PromptInput,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let page = s.app.prompts(&who.actor, true, &list_of(q)).await?;
    Ok((
        status_for(error.as_ref()),
        render(&AdminPromptsPage {
            ctx: Ctx::new(Some(who), q.get("done").map(String::as_str)),
            title: "Reflection prompts",
            prompts: page.items,
            next: page.next.map(|c| c.encode()),
            themes: themes(),
            draft,
            error: error.map(|e| e.to_string()),
        }),
    )
        .into_response())
}

async fn admin_prompts(
    State(s): State<AppState>,
    who: PageActor,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    admin_prompts_page(&s, &who, &q, PromptInput::default(), None).await
}

fn prompt_input(f: &Params) -> PromptInput {
    PromptInput {
        theme: f.get("theme").cloned().unwrap_or_default(),
        body: f.get("body").cloned().unwrap_or_default(),
        retired: f.get("retired").is_some_and(|v| v == "on" || v == "true"),
    }
}

async fn add_prompt(
    State(s): State<AppState>,
    who: PageActor,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let draft = prompt_input(&f);
    match s.app.add_prompt(&who.actor, &draft).await {
        Ok(_) => Ok(Redirect::to("/admin/prompts?done=prompt_added").into_response()),
        Err(e @ AppError::Invalid(_)) => {
            admin_prompts_page(&s, &who, &Params::new(), draft, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin_prompt.html")]
struct AdminPromptPage {
    ctx: Ctx,
    title: &'static str,
    id: PromptId,
    themes: Vec<(&'static str, &'static str)>,
    draft: PromptInput,
    error: Option<String>,
}

async fn admin_prompt(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: PromptId = parse_id(&id, "prompt")?;
    if !who.actor.is_admin {
        return Err(
            AppError::Forbidden("only administrators keep the prompt library".into()).into(),
        );
    }
    let p = s.app.prompt(&who.actor, id).await?;
    Ok(render(&AdminPromptPage {
        ctx: Ctx::new(Some(&who), None),
        title: "Edit a prompt",
        id,
        themes: themes(),
        draft: PromptInput {
            theme: p.record.theme.code().into(),
            body: p.record.body,
            retired: p.record.retired_at.is_some(),
        },
        error: None,
    })
    .into_response())
}

async fn edit_prompt(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: PromptId = parse_id(&id, "prompt")?;
    let draft = prompt_input(&f);
    match s.app.edit_prompt(&who.actor, id, &draft).await {
        Ok(_) => Ok(Redirect::to("/admin/prompts?done=prompt_saved").into_response()),
        Err(e @ AppError::Invalid(_)) => Ok((
            status_for(Some(&e)),
            render(&AdminPromptPage {
                ctx: Ctx::new(Some(&who), None),
                title: "Edit a prompt",
                id,
                themes: themes(),
                draft,
                error: Some(e.to_string()),
            }),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

/// One statement on the form.
struct StatementField {
    code: &'static str,
    text: &'static str,
    value: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "needs_check.html")]
struct NeedsPage {
    ctx: Ctx,
    title: &'static str,
    advice: Option<NeedsAdvice>,
    talk: bool,
    guide: &'static [&'static str],
    fields: Vec<StatementField>,
    error: Option<String>,
}

fn statement_fields(f: &Params, error: Option<&AppError>) -> Vec<StatementField> {
    rapport_app::needs::statements()
        .map(|(code, text, _)| StatementField {
            code,
            text,
            value: f.get(code).cloned().unwrap_or_default(),
            error: match error {
                Some(AppError::Invalid(errs)) => errs
                    .iter()
                    .find(|e| e.field == code)
                    .map(|e| e.message.clone()),
                _ => None,
            },
        })
        .collect()
}

async fn needs_page(
    s: &AppState,
    who: &PageActor,
    q: &Params,
    f: &Params,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let advice = s.app.needs_advice(&who.actor).await?;
    let talk = advice
        .as_ref()
        .is_some_and(|a| a.steps.iter().any(|s| s.kind == StepKind::TalkToLeader));
    Ok((
        status_for(error.as_ref()),
        render(&NeedsPage {
            ctx: Ctx::new(Some(who), q.get("done").map(String::as_str)),
            title: "Needs check",
            advice,
            talk,
            guide: &LEADER_GUIDE,
            fields: statement_fields(f, error.as_ref()),
            error: error
                .map(|_| "Answer every statement from 1 to 5; the ones left are marked.".into()),
        }),
    )
        .into_response())
}

async fn needs(
    State(s): State<AppState>,
    who: PageActor,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    needs_page(&s, &who, &q, &Params::new(), None).await
}

async fn take_needs(
    State(s): State<AppState>,
    who: PageActor,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let mut input = NeedsInput::default();
    for (slot, (code, _, _)) in input
        .scores
        .iter_mut()
        .zip(rapport_app::needs::statements())
    {
        *slot = f.get(code).and_then(|v| v.trim().parse().ok());
    }
    match s.app.take_needs_check(&who.actor, &input).await {
        Ok(_) => Ok(Redirect::to("/needs-check?done=needs_saved#result").into_response()),
        Err(e @ AppError::Invalid(_)) => needs_page(&s, &who, &Params::new(), &f, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "needs_history.html")]
struct NeedsHistoryPage {
    ctx: Ctx,
    title: &'static str,
    results: Vec<NeedsResult>,
    next: Option<String>,
}

async fn needs_history(
    State(s): State<AppState>,
    who: PageActor,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let page = s.app.needs_history(&who.actor, &list_of(&q)).await?;
    Ok(render(&NeedsHistoryPage {
        ctx: Ctx::new(Some(&who), None),
        title: "Your needs-check history",
        results: page.items,
        next: page.next.map(|c| c.encode()),
    })
    .into_response())
}

/// The reflection and needs-check pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/reflection", reflection)
        .post("/reflection/schedule", set_schedule)
        .get("/prompts/{id}", prompt)
        .post("/prompts/{id}/answers", answer)
        .form("/rooms/{id}/prompts", room_prompts, assign)
        .form("/admin/prompts", admin_prompts, add_prompt)
        .form("/admin/prompts/{id}", admin_prompt, edit_prompt)
        .form("/needs-check", needs, take_needs)
        .get("/needs-check/history", needs_history)
}
