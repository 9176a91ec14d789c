//! The search page (issue 19): one box over the growth threads, posts and
//! roadmaps the viewer may see, newest first, a page at a time. The app
//! decides what is visible; this page only lays the hits out.

use super::programmes::Params;
use super::{render, status_for, Ctx};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use rapport_app::lists::ListQuery;
use rapport_app::markdown;
use rapport_app::threads::Found;
use rapport_app::AppError;

/// The longest excerpt of a post shown in the results, in characters.
const EXCERPT: usize = 240;

/// One hit as the page lists it.
struct Hit {
    /// "Roadmap", "Thread" or the post's kind.
    kind: &'static str,
    /// The link's words.
    title: String,
    /// Where it leads.
    href: String,
    /// Who and when.
    meta: String,
    /// A post's opening words.
    excerpt: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    ctx: Ctx,
    title: &'static str,
    q: String,
    hits: Option<Vec<Hit>>,
    next: Option<String>,
    q_escaped: String,
    error: Option<String>,
}

fn hit(ctx: &Ctx, found: Found) -> Hit {
    match found {
        Found::Roadmap(r) => Hit {
            kind: "Roadmap",
            meta: if r.record.latest_version == 0 {
                format!("Your draft · {}", r.record.level.label())
            } else {
                format!(
                    "By {} · {} · version {}",
                    r.author,
                    r.record.level.label(),
                    r.record.latest_version
                )
            },
            href: format!("/roadmaps/{}", r.record.id),
            title: r.record.title,
            excerpt: None,
        },
        Found::Thread(t) => Hit {
            kind: "Thread",
            meta: format!(
                "By {} · started {}",
                t.record.author_name,
                ctx.date(t.record.created_at)
            ),
            href: format!("/threads/{}", t.record.id),
            title: t.record.title,
            excerpt: None,
        },
        Found::Post(p) => {
            let text = markdown::plain(&p.record.body);
            let mut excerpt: String = text.chars().take(EXCERPT).collect();
            if text.chars().count() > EXCERPT {
                excerpt.push('…');
            }
            Hit {
                kind: p.record.kind.label(),
                meta: format!(
                    "By {} · {}",
                    p.record.author_name,
                    ctx.date(p.record.created_at)
                ),
                href: format!("/threads/{}#p-{}", p.record.thread_id, p.record.id),
                title: format!("A post in {}", p.record.thread_title),
                excerpt: Some(excerpt),
            }
        }
    }
}

async fn search(
    State(s): State<AppState>,
    who: PageActor,
    Query(params): Query<Params>,
) -> Result<Response, PageError> {
    let q = params.get("q").cloned().unwrap_or_default();
    let ctx = Ctx::new(Some(&who), None);
    let mut page = SearchPage {
        title: "Search",
        q_escaped: crate::api::query_escape(&q),
        q: q.clone(),
        hits: None,
        next: None,
        error: None,
        ctx,
    };
    let mut error = None;
    if !q.trim().is_empty() {
        let list = ListQuery {
            page: None,
            cursor: params.get("cursor").cloned().filter(|c| !c.is_empty()),
            limit: Some(20),
        };
        match s.app.search(&who.actor, &q, &list).await {
            Ok(found) => {
                page.next = found.next.map(|c| c.encode());
                page.hits = Some(found.items.into_iter().map(|f| hit(&page.ctx, f)).collect());
            }
            Err(e @ AppError::Invalid(_)) => {
                page.error = Some(e.to_string());
                error = Some(e);
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok((status_for(error.as_ref()), render(&page)).into_response())
}

/// The search page.
pub(super) fn routes() -> Routes {
    Routes::new().get("/search", search)
}
