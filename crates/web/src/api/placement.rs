//! Placing the people a round left out: a manager raises a mentor's capacity
//! (issue 18 §6; the round page's "Raise …'s capacity" button).

use super::programmes::parse;
use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A mentor's new capacity.
#[derive(Deserialize, ToSchema)]
pub struct CapacityBody {
    /// How many mentees they take in this programme, 1 to 50, and at least
    /// as many as they mentor now.
    pub capacity: i32,
}

/// The capacity saved.
#[derive(Serialize, ToSchema)]
pub struct CapacityOut {
    /// The mentor's capacity now.
    pub capacity: i32,
}

/// Set a mentor's capacity (managers)
///
/// For an approved mentor (or facilitator) of the programme. Audited as
/// `enrolment.capacity`.
#[utoipa::path(put, path = "/api/v1/programmes/{slug}/mentors/{id}/capacity", tag = "programmes",
    params(("slug" = String, Path, description = "Programme slug."), ("id" = uuid::Uuid, Path, description = "The mentor's person id.")),
    request_body = CapacityBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Saved.", body = CapacityOut),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such programme, or not an approved mentor in it.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `capacity`: outside 1 to 50, or below their current mentees.", body = ErrorBody),
    ))]
pub async fn set_mentor_capacity(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<CapacityBody>,
) -> Result<Json<CapacityOut>, ApiError> {
    let id: rapport_domain::PersonId = parse(&id, "mentor")?;
    let capacity = s
        .app
        .set_mentor_capacity(&actor, &slug, id, &body.capacity.to_string())
        .await?;
    Ok(Json(CapacityOut { capacity }))
}
