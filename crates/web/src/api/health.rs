//! A room's health, explained: its level and the reasons the caller may see.

use super::programmes::parse;
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::Json;
use rapport_app::health::HealthView;
use rapport_domain::health::{Reason, Source};
use rapport_domain::RoomId;
use serde::Serialize;
use utoipa::ToSchema;

/// One reason behind a room's level.
#[derive(Serialize, ToSchema)]
pub struct ReasonOut {
    /// The rule: `no_session_yet`, `gap_long`, `gap_at_risk`,
    /// `pulse_low_score`, `pulse_not_working`, `pulse_falling`,
    /// `pulse_sides_differ` or `no_shows`.
    pub code: String,
    /// What happened, in words (pulse reasons name the item and the side).
    pub text: String,
    /// `needs_attention` or `at_risk`.
    pub level: String,
    /// Where it comes from: `activity`, `cadence`, `pulse`, `pulse_gap` or `no_show`.
    pub source: String,
    /// For pulse reasons, the sides (roles) whose answers it reads.
    pub sides: Vec<String>,
    /// For pulse reasons, the people whose answers it reads.
    pub people: Vec<uuid::Uuid>,
    /// One concrete next step.
    pub next_step: String,
}

impl From<&Reason> for ReasonOut {
    fn from(r: &Reason) -> Self {
        let (source, sides, people) = match r.source {
            Source::Activity => ("activity", vec![], vec![]),
            Source::Cadence => ("cadence", vec![], vec![]),
            Source::NoShow => ("no_show", vec![], vec![]),
            Source::Pulse { side, person } => ("pulse", vec![side.code().into()], vec![person.0]),
            Source::PulseGap { sides, people } => (
                "pulse_gap",
                sides.iter().map(|s| s.code().to_string()).collect(),
                people.iter().map(|p| p.0).collect(),
            ),
        };
        Self {
            code: r.code.code().into(),
            text: r.text.clone(),
            level: r.level.code().into(),
            source: source.into(),
            sides,
            people,
            next_step: r.code.next_step().into(),
        }
    }
}

/// A member's latest pulse comment (managers only).
#[derive(Serialize, ToSchema)]
pub struct CommentOut {
    /// Who.
    pub person_id: uuid::Uuid,
    /// Their name.
    pub name: String,
    /// Their role in the room.
    pub side: String,
    /// Which check-in: 1 is the first.
    pub check_in: u32,
    /// The comment, rendered and sanitised.
    pub html: String,
}

/// A room's health as the caller may see it.
#[derive(Serialize, ToSchema)]
pub struct HealthOut {
    /// The room.
    pub room: uuid::Uuid,
    /// The room's status; health is assessed while it is `active` or `paused`.
    pub status: String,
    /// `healthy`, `needs_attention` or `at_risk`, from the reasons the caller
    /// sees; none while the room is not open.
    pub level: Option<String>,
    /// The reasons the caller may see, worst first: every reason for the
    /// programme's managers; for members, those not from the pulse and those
    /// from their own answers.
    pub reasons: Vec<ReasonOut>,
    /// One concrete next step.
    pub next_step: Option<String>,
    /// When it was assessed (Unix ms).
    pub assessed_at: i64,
    /// Managers only (empty for members): each member's latest pulse comment.
    pub comments: Vec<CommentOut>,
}

impl From<HealthView> for HealthOut {
    fn from(v: HealthView) -> Self {
        Self {
            room: v.room_id.0,
            status: v.status.code().into(),
            level: v.health.as_ref().map(|h| h.level.code().into()),
            reasons: v
                .health
                .as_ref()
                .map(|h| h.reasons.iter().map(ReasonOut::from).collect())
                .unwrap_or_default(),
            next_step: v.next_step.map(String::from),
            assessed_at: v.assessed_at,
            comments: v
                .comments
                .into_iter()
                .map(|c| CommentOut {
                    person_id: c.person_id.0,
                    name: c.name,
                    side: c.side.code().into(),
                    check_in: c.check_in,
                    html: c.html,
                })
                .collect(),
        }
    }
}

/// Read a room's health (members and managers)
///
/// The level and every reason the caller may see, with one next step.
/// Members never see the other side's pulse answers nor anything derived from them.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/health", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Room id.")), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The room's health.", body = HealthOut),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
pub async fn get_health(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<HealthOut>, ApiError> {
    let id: RoomId = parse(&id, "room")?;
    Ok(Json(s.app.room_health(&actor, id).await?.into()))
}
