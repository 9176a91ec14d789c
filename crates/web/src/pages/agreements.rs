//! The Agreement tab of a room: the current agreement, who confirmed it, the
//! form to write or revise it, the confirm button, and earlier versions.

use super::programmes::{parse_id, Params};
use super::rooms::RoomTabs;
use super::{render, status_for, Ctx, Field};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::agreements::{AgreementHtml, AgreementInput, AgreementView};
use rapport_app::lists::ListQuery;
use rapport_app::AppError;
use rapport_domain::agreement::{MeetingFormat, DURATION_MONTHS};
use rapport_domain::programme::Cadence;
use rapport_domain::{Invalid, RoomId};
use rapport_store::AgreementRecord;

#[derive(Template)]
#[template(path = "agreement.html")]
struct AgreementPage {
    ctx: Ctx,
    title: String,
    tabs: RoomTabs,
    v: AgreementView,
    fields: Vec<Field>,
    form_error: Option<String>,
    /// Earlier versions (not the current one), newest first, rendered.
    earlier: Vec<(AgreementRecord, AgreementHtml)>,
}

/// Puts each invalid field's message next to its field; returns the rest.
pub(super) fn place(fields: &mut [Field], errors: &[Invalid]) -> Option<String> {
    let mut loose = vec![];
    for e in errors {
        match fields.iter_mut().find(|f| f.name == e.field) {
            Some(f) => f.error = Some(e.message.clone()),
            None => loose.push(e.message.clone()),
        }
    }
    (!loose.is_empty()).then(|| loose.join(" "))
}

fn fields(input: &AgreementInput) -> Vec<Field> {
    let mut months = vec![(String::new(), "An end date instead".to_string())];
    months.extend(
        DURATION_MONTHS
            .iter()
            .map(|m| (m.to_string(), format!("{m} months"))),
    );
    vec![
        Field::new("duration_months", "How long", "select")
            .value(
                input
                    .duration_months
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
            )
            .options(months)
            .hint("From the day the room opened."),
        Field::new("end_date", "Or until (YYYY-MM-DD)", "date")
            .value(input.end_date.clone())
            .hint("Only when you chose an end date above."),
        Field::new("cadence", "How often you meet", "select")
            .value(input.cadence.clone())
            .options(
                Cadence::ALL
                    .iter()
                    .map(|c| (c.code().to_string(), c.label().to_string()))
                    .collect(),
            ),
        Field::new("format", "How you meet", "select")
            .value(input.format.clone())
            .options(
                MeetingFormat::ALL
                    .iter()
                    .map(|f| (f.code().to_string(), f.label().to_string()))
                    .collect(),
            ),
        Field::new(
            "mentee_wants",
            "What the mentee wants from this",
            "textarea",
        )
        .value(input.mentee_wants.clone())
        .hint("Markdown."),
        Field::new("expectations", "What each of you expects", "textarea")
            .value(input.expectations.clone())
            .hint("Of yourselves and of each other. Markdown."),
        Field::new("confidentiality", "Confidentiality", "textarea")
            .value(input.confidentiality.clone())
            .hint("What stays between you. Markdown."),
        Field::new("ending", "How you will end well", "textarea")
            .value(input.ending.clone())
            .hint("Markdown."),
    ]
}

async fn page(
    s: &AppState,
    who: &PageActor,
    id: RoomId,
    notice: Option<&str>,
    posted: Option<(AgreementInput, AppError)>,
) -> Result<Response, PageError> {
    let v = s.app.agreement(&who.actor, id).await?;
    let versions = s
        .app
        .agreement_versions(
            &who.actor,
            id,
            &ListQuery {
                limit: Some(100),
                ..ListQuery::default()
            },
        )
        .await?;
    let earlier = versions
        .items
        .into_iter()
        .skip(1)
        .map(|a| {
            let html = AgreementHtml::of(&a);
            (a, html)
        })
        .collect();
    let (input, error) = match posted {
        Some((input, e)) => (input, Some(e)),
        None => (
            v.current.as_ref().map_or_else(
                || AgreementInput {
                    duration_months: Some(6),
                    cadence: v.programme_cadence.code().into(),
                    format: MeetingFormat::Video.code().into(),
                    ..AgreementInput::default()
                },
                AgreementInput::of,
            ),
            None,
        ),
    };
    let mut fields = fields(&input);
    let form_error = match &error {
        Some(AppError::Invalid(errors)) => place(&mut fields, errors),
        Some(e) => Some(e.to_string()),
        None => None,
    };
    let title = v.room.member_names();
    Ok((
        status_for(error.as_ref()),
        render(&AgreementPage {
            ctx: Ctx::new(Some(who), notice),
            title: format!("Agreement: {title}"),
            tabs: RoomTabs {
                id,
                current: "Agreement",
                ended: !v.room.status.is_open(),
            },
            v,
            fields,
            form_error,
            earlier,
        }),
    )
        .into_response())
}

async fn show(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    page(&s, &who, id, q.get("done").map(String::as_str), None).await
}

async fn save(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let months = get("duration_months");
    let mut input = AgreementInput {
        duration_months: None,
        end_date: get("end_date"),
        cadence: get("cadence"),
        format: get("format"),
        mentee_wants: get("mentee_wants"),
        expectations: get("expectations"),
        confidentiality: get("confidentiality"),
        ending: get("ending"),
    };
    if !months.trim().is_empty() {
        match months.trim().parse() {
            Ok(m) => input.duration_months = Some(m),
            Err(_) => {
                let e = AppError::invalid("duration_months", "duration must be 3, 6 or 12 months");
                return page(&s, &who, id, None, Some((input, e))).await;
            }
        }
    }
    match s.app.save_agreement(&who.actor, id, &input).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/rooms/{id}/agreement?done=agreement_saved")).into_response(),
        ),
        Err(e @ AppError::Invalid(_)) => page(&s, &who, id, None, Some((input, e))).await,
        Err(e) => Err(e.into()),
    }
}

async fn confirm(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let version = f.get("version").and_then(|v| v.trim().parse().ok());
    s.app.confirm_agreement(&who.actor, id, version).await?;
    Ok(Redirect::to(&format!("/rooms/{id}/agreement?done=agreement_confirmed")).into_response())
}

/// The agreement pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/rooms/{id}/agreement", show)
        .post("/rooms/{id}/agreement", save)
        .post("/rooms/{id}/agreement/confirm", confirm)
}
