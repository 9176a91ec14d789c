//! Safe actions (issue 18 §5): reopening a closed programme.

use super::programmes::ProgrammeOut;
use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

/// A confirmed reopening.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ReopenBody {
    /// Must be true; without it nothing changes (409 naming `confirm`, whose
    /// message says what would happen).
    pub confirm: bool,
}

/// Reopen a closed programme (admins)
///
/// Within 30 days of closing, the programme returns to the status it had
/// before closing (`open` or `running`). Rooms completed before the close
/// stay completed. The reopening is audited (`programme.reopen`).
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/reopen", tag = "programmes", params(("slug" = String, Path, description = "Programme slug.")), request_body = ReopenBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The programme, reopened.", body = ProgrammeOut),
        (status = 403, description = "`forbidden`: not a site administrator.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such programme.", body = ErrorBody),
        (status = 409, description = "`conflict`: not confirmed (on `confirm`), not closed, or closed more than 30 days ago.", body = ErrorBody),
    ))]
pub async fn reopen_programme(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<ReopenBody>,
) -> Result<Json<ProgrammeOut>, ApiError> {
    Ok(Json(
        s.app
            .reopen_programme(&actor, &slug, body.confirm)
            .await?
            .into(),
    ))
}
