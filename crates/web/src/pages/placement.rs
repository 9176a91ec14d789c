//! The actions beside each person a round left unplaced: raise a named
//! mentor's capacity (a form here), or invite mentors like the ones the fix
//! describes (a prefilled message in the manager's own mail program). Which
//! actions to offer is decided in `app` (`App::unplaced_actions`); this page
//! only renders them and takes the raise.

use super::programmes::{parse_id, Params};
use super::rounds::on_matching;
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use rapport_domain::PersonId;

async fn set_capacity(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let person: PersonId = parse_id(
        f.get("person_id").map(String::as_str).unwrap_or(""),
        "mentor",
    )?;
    let r = s
        .app
        .set_mentor_capacity(
            &who.actor,
            &slug,
            person,
            f.get("capacity").map(String::as_str).unwrap_or(""),
        )
        .await;
    on_matching(&s, &who, &slug, r, "capacity_saved").await
}

/// The placement pages.
pub(super) fn routes() -> Routes {
    Routes::new().post("/programmes/{slug}/matching/capacity", set_capacity)
}
