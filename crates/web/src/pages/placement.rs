//! The actions beside each person a round left unplaced: raise a named
//! mentor's capacity (a form here), or invite mentors like the ones the fix
//! describes (a prefilled message in the manager's own mail program).

use super::programmes::{parse_id, Params};
use super::rounds::on_matching;
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use rapport_app::rounds::RoundView;
use rapport_domain::mentoring::EnrolmentStatus;
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::PersonId;
use rapport_store::EnrolmentView;
use std::collections::HashMap;

/// A full mentor whose capacity the manager can raise by one.
pub struct Raise {
    /// The mentor.
    pub person_id: PersonId,
    /// Their name.
    pub name: String,
    /// Their capacity after the raise.
    pub to: i32,
}

/// One unplaced person with the actions that would place them.
pub struct Unplaced {
    /// Their name.
    pub name: String,
    /// Why, in sentences.
    pub reason: String,
    /// What would place them.
    pub fix: Option<String>,
    /// A `mailto:` link with an invitation to mentors like the fix describes.
    pub invite: Option<String>,
    /// Named full mentors: one more place with any of them places this person.
    pub raise: Vec<Raise>,
}

/// The unplaced people of `round`, with their actions.
pub(super) fn unplaced(
    s: &AppState,
    (name, slug): (&str, &str),
    round: Option<&RoundView>,
    list: &[EnrolmentView],
) -> Vec<Unplaced> {
    let Some(round) = round else { return vec![] };
    let capacity: HashMap<PersonId, i32> = list
        .iter()
        .filter(|v| {
            matches!(
                v.enrolment.role,
                ProgrammeRole::Mentor | ProgrammeRole::Facilitator
            ) && v.enrolment.status == EnrolmentStatus::Approved
        })
        .map(|v| (v.enrolment.person_id, v.enrolment.capacity))
        .collect();
    round
        .result
        .unmatched
        .iter()
        .map(|u| Unplaced {
            name: u.name.clone(),
            reason: u.reason.clone(),
            fix: u.fix.clone(),
            invite: u
                .fix
                .as_deref()
                .map(|f| s.app.recruiting_invitation(name, slug, f).mailto()),
            raise: u
                .full_mentors
                .iter()
                .filter_map(|m| {
                    let now = *capacity.get(&m.person_id)?;
                    (now < rapport_app::placement::MAX_CAPACITY).then(|| Raise {
                        person_id: m.person_id,
                        name: m.name.clone(),
                        to: now + 1,
                    })
                })
                .collect(),
        })
        .collect()
}

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
