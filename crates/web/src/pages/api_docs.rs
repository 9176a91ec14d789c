//! `/api/docs`: the API reference as a page, for anyone (like the OpenAPI
//! document it comes from). The text is `docs/api.md`'s: the Markdown that
//! [`crate::openapi::markdown`] generates from the OpenAPI document, shown
//! through the product's one Markdown renderer. No third-party UI bundle,
//! no script: the page works like every other.

use super::{render, Ctx};
use crate::auth::MaybeActor;
use crate::routes::Routes;
use askama::Template;
use axum::response::Html;
use std::sync::LazyLock;

/// The rendered reference: the document never changes while the process
/// runs, so it is rendered once.
static REFERENCE: LazyLock<String> = LazyLock::new(|| {
    let source = crate::openapi::markdown(&crate::openapi::document());
    // The note to editors at the top of docs/api.md is an HTML comment,
    // which the renderer (rightly) would show as text.
    let source: String = source
        .lines()
        .filter(|l| !(l.starts_with("<!--") && l.ends_with("-->")))
        .map(|l| format!("{l}\n"))
        .collect();
    rapport_app::markdown::render(&source)
});

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage {
    ctx: Ctx,
    title: &'static str,
    reference: &'static str,
}

async fn api_docs(MaybeActor(who): MaybeActor) -> Html<String> {
    render(&ApiDocsPage {
        ctx: Ctx::new(who.as_ref(), None),
        title: "API reference",
        reference: REFERENCE.as_str(),
    })
}

/// The page's route.
pub fn routes() -> Routes {
    Routes::new().get("/api/docs", api_docs)
}
