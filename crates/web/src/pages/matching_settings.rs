//! A programme's matching settings as a form: a control per criterion
//! weight with its one-line explanation, hard rules as toggles with their
//! parameter, and the full TOML behind a disclosure for import and export.

use super::programmes::back;
use super::{render, Ctx};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Form;
use rapport_app::matching_form::SettingControl;
use rapport_app::AppError;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "matching_settings.html")]
struct SettingsPage {
    ctx: Ctx,
    title: &'static str,
    slug: String,
    fields: Vec<SettingControl>,
    /// An error not tied to one control (the TOML's).
    form_error: Option<String>,
    /// The TOML for import and export, as stored or as typed.
    toml: String,
    /// Open the TOML disclosure (when its import was refused).
    toml_open: bool,
}

impl SettingsPage {
    /// Whether the error summary shows.
    fn has_errors(&self) -> bool {
        self.form_error.is_some() || self.fields.iter().any(|f| f.error.is_some())
    }

    fn weights(&self) -> impl Iterator<Item = &SettingControl> {
        self.fields.iter().filter(|f| f.is_weight())
    }

    fn rules(&self) -> impl Iterator<Item = &SettingControl> {
        self.fields.iter().filter(|f| !f.is_weight())
    }
}

async fn page(s: &AppState, who: &PageActor, slug: &str) -> Result<SettingsPage, PageError> {
    Ok(SettingsPage {
        ctx: Ctx::new(Some(who), None),
        title: "Matching settings",
        slug: slug.to_string(),
        fields: s.app.matching_settings_controls(&who.actor, slug).await?,
        form_error: None,
        toml: s.app.matching_settings(&who.actor, slug).await?,
        toml_open: false,
    })
}

async fn show(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    Ok(render(&page(&s, &who, &slug).await?).into_response())
}

/// Saves the form, or, when the TOML box is posted, imports the TOML.
async fn save(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Form(posted): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let saved = match posted.get("settings") {
        Some(raw) => s.app.set_matching_settings(&who.actor, &slug, raw).await,
        None => {
            s.app
                .save_matching_settings_form(&who.actor, &slug, &posted)
                .await
        }
    };
    let errors = match saved {
        Ok(()) => return Ok(back(&slug, "", "matching_saved")),
        Err(AppError::Invalid(errors)) => errors,
        Err(e) => return Err(e.into()),
    };
    let mut p = page(&s, &who, &slug).await?;
    if let Some(raw) = posted.get("settings") {
        p.toml = raw.clone();
        p.toml_open = true;
        p.form_error = Some(
            errors
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        );
    } else {
        rapport_app::matching_form::fill(&mut p.fields, &posted);
        for e in errors {
            match p.fields.iter_mut().find(|f| f.name == e.field) {
                Some(f) => f.error = Some(e.message),
                None => p.form_error = Some(e.message),
            }
        }
    }
    let status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok((status, render(&p)).into_response())
}

pub(super) fn routes() -> Routes {
    Routes::new().form("/programmes/{slug}/settings", show, save)
}
