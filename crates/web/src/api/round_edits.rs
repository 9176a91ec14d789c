//! Pair edits in a draft round (issue 18 §5).

use super::programmes::parse;
use super::rounds::RoundOut;
use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::Json;
use rapport_app::round_edits::PairEdit;
use rapport_domain::{PersonId, RoundId};
use serde::Deserialize;
use utoipa::ToSchema;

/// One edit to a draft round's pairs.
#[derive(Deserialize, ToSchema)]
pub struct PairEditBody {
    /// `reject` (take the mentee out of their proposed pair) or `swap`
    /// (propose the mentee with `mentor_id` instead; an unplaced mentee is
    /// placed this way).
    pub action: String,
    /// The mentee.
    pub mentee_id: uuid::Uuid,
    /// For `swap`, the new mentor (required); for `reject`, optional: the
    /// mentor the pair must be with.
    #[serde(default)]
    pub mentor_id: Option<uuid::Uuid>,
}

/// Reject or swap a pair in a draft round (managers)
///
/// A swap is checked against the programme's hard rules and the mentor's
/// space left (less the places this draft already proposes for them). The
/// answer is the round with its totals and quality signals computed again;
/// `result.edits` lists the edits, and `certified` is then false. Every edit
/// is audited (`round.pair_edit`).
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/rounds/{id}/pairs", tag = "programmes",
    params(("slug" = String, Path, description = "Programme slug."), ("id" = uuid::Uuid, Path, description = "Round id.")),
    request_body = PairEditBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The edited round.", body = RoundOut),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such programme or round.", body = ErrorBody),
        (status = 409, description = "`conflict`: the round is published or discarded, or the programme is not one-to-one or reverse.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `action`, `mentee_id` (no proposed pair, not waiting) or `mentor_id` (missing, full, or the pair breaks a hard rule, named).", body = ErrorBody),
    ))]
pub async fn edit_round_pair(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<PairEditBody>,
) -> Result<Json<RoundOut>, ApiError> {
    let id: RoundId = parse(&id, "round")?;
    let edit = PairEdit::parse(&body.action, body.mentor_id.map(PersonId))?;
    Ok(Json(
        s.app
            .edit_round_pair(&actor, &slug, id, PersonId(body.mentee_id), edit)
            .await?
            .into(),
    ))
}
