//! The product's one confirmation pattern: before a far-reaching action
//! (ending a room, leaving it, completing a whole programme's rooms), a GET
//! page says "Are you sure? Here is what happens", with the POST button and
//! a cancel link. It works without JavaScript. A page builds a [`Confirm`]
//! and answers [`Confirm::page`]; when the POST fails on a field, it answers
//! [`Confirm::with_error`], which shows the same page with the error.

use super::{render, Ctx, Field};
use crate::auth::PageActor;
use askama::Template;
use axum::response::{IntoResponse, Response};
use rapport_app::AppError;

/// What a confirmation page asks.
pub struct Confirm {
    /// The question, as the heading ("End this room?").
    pub title: String,
    /// One sentence on the action.
    pub intro: String,
    /// Here is what happens: one consequence per item.
    pub consequences: Vec<String>,
    /// Where the button posts.
    pub action: String,
    /// Fields the action takes (hidden ones included), like a reason.
    pub fields: Vec<Field>,
    /// The button's words ("End the room").
    pub submit: String,
    /// The action cannot be undone: the button is drawn as a danger.
    pub danger: bool,
    /// Where "Cancel" goes: the page the person came from.
    pub cancel: String,
    /// An error not tied to one field.
    pub form_error: Option<String>,
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    ctx: Ctx,
    title: String,
    c: Confirm,
}

impl Confirm {
    /// A confirmation page with a hidden field per `(name, value)`.
    pub fn new(
        title: impl Into<String>,
        action: impl Into<String>,
        cancel: impl Into<String>,
    ) -> Self {
        Self {
            title: title.into(),
            intro: String::new(),
            consequences: vec![],
            action: action.into(),
            fields: vec![],
            submit: "Confirm".into(),
            danger: false,
            cancel: cancel.into(),
            form_error: None,
        }
    }

    /// Adds a hidden field.
    pub fn hidden(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.fields
            .push(Field::new(name, name, "hidden").value(value.into()));
        self
    }

    /// The page.
    pub fn page(self, who: &PageActor) -> Response {
        render(&ConfirmPage {
            ctx: Ctx::new(Some(who), None),
            title: self.title.clone(),
            c: self,
        })
        .into_response()
    }

    /// The page again, with `e` next to its field (or on top), and the
    /// error's status.
    pub fn with_error(mut self, who: &PageActor, e: AppError) -> Response {
        let status = crate::error::status_of(&e);
        match &e {
            AppError::Internal { .. } => {
                crate::error::log_internal(&e);
                self.form_error = Some(
                    "Something went wrong on our side; nothing was changed. Please try again."
                        .into(),
                );
            }
            AppError::Invalid(errs) => {
                let mut loose = vec![];
                for err in errs {
                    match self
                        .fields
                        .iter_mut()
                        .find(|f| f.name == err.field && f.kind != "hidden")
                    {
                        Some(f) => f.error = Some(err.message.clone()),
                        None => loose.push(err.message.clone()),
                    }
                }
                if !loose.is_empty() {
                    self.form_error = Some(loose.join(" "));
                }
            }
            other => self.form_error = Some(other.to_string()),
        }
        (status, self.page(who)).into_response()
    }
}
