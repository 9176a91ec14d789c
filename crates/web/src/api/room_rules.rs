//! A programme's room rules: the rapport pulse schedule, the health
//! thresholds, lateness, first contact and inactivity (managers).

use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::Json;
use rapport_domain::room_rules::RoomRules;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;

/// A programme's room rules. On `PUT`, every field left out takes its
/// default; an unknown field is 400.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RoomRulesBody {
    /// More than this many minutes late counts as late (default 10).
    pub late_after_minutes: u32,
    /// The first rapport check-in opens this many days after the room
    /// started, once a session has been held (default 30; 0 opens it at the
    /// first held session).
    pub pulse_first_day: u32,
    /// Later check-ins open every this many days (default 60, at least 1).
    pub pulse_every_days: u32,
    /// No held session this many days after the start: needs attention (14).
    pub activation_attention_days: u32,
    /// No held session this many days after the start: at risk (30).
    pub activation_risk_days: u32,
    /// A gap longer than this share of the agreed interval, in per cent:
    /// needs attention (150).
    pub cadence_attention_percent: u32,
    /// A gap longer than this share of the agreed interval, in per cent: at risk (200).
    pub cadence_risk_percent: u32,
    /// A gap longer than this many days: at risk whatever the cadence (60).
    pub cadence_risk_days: u32,
    /// A check-in item scored this or lower: at risk (2).
    pub pulse_low_score: u32,
    /// Two sides' scores for one item this far apart or more: at risk (2).
    pub pulse_sides_apart: u32,
    /// This many no-shows (2) ...
    pub no_show_limit: u32,
    /// ... within this many days: needs attention (30).
    pub no_show_window_days: u32,
    /// No first contact after this many days: both members are prompted (7).
    pub first_contact_days: u32,
    /// No first contact after this many days: the managers too (14).
    pub first_contact_manager_days: u32,
    /// No activity for this many days: both members are warned (90).
    pub inactivity_days: u32,
    /// Then this many days without activity end the room as inactive (7).
    pub inactivity_grace_days: u32,
    /// Whether the programme's managers may read notes shared with a room (false).
    pub managers_read_shared_notes: bool,
}

impl Default for RoomRulesBody {
    fn default() -> Self {
        RoomRules::default().into()
    }
}

impl From<RoomRules> for RoomRulesBody {
    fn from(r: RoomRules) -> Self {
        Self {
            late_after_minutes: r.late_after_minutes,
            pulse_first_day: r.pulse_first_day,
            pulse_every_days: r.pulse_every_days,
            activation_attention_days: r.activation_attention_days,
            activation_risk_days: r.activation_risk_days,
            cadence_attention_percent: r.cadence_attention_percent,
            cadence_risk_percent: r.cadence_risk_percent,
            cadence_risk_days: r.cadence_risk_days,
            pulse_low_score: r.pulse_low_score,
            pulse_sides_apart: r.pulse_sides_apart,
            no_show_limit: r.no_show_limit,
            no_show_window_days: r.no_show_window_days,
            first_contact_days: r.first_contact_days,
            first_contact_manager_days: r.first_contact_manager_days,
            inactivity_days: r.inactivity_days,
            inactivity_grace_days: r.inactivity_grace_days,
            managers_read_shared_notes: r.managers_read_shared_notes,
        }
    }
}

impl From<RoomRulesBody> for RoomRules {
    fn from(b: RoomRulesBody) -> Self {
        Self {
            late_after_minutes: b.late_after_minutes,
            pulse_first_day: b.pulse_first_day,
            pulse_every_days: b.pulse_every_days,
            activation_attention_days: b.activation_attention_days,
            activation_risk_days: b.activation_risk_days,
            cadence_attention_percent: b.cadence_attention_percent,
            cadence_risk_percent: b.cadence_risk_percent,
            cadence_risk_days: b.cadence_risk_days,
            pulse_low_score: b.pulse_low_score,
            pulse_sides_apart: b.pulse_sides_apart,
            no_show_limit: b.no_show_limit,
            no_show_window_days: b.no_show_window_days,
            first_contact_days: b.first_contact_days,
            first_contact_manager_days: b.first_contact_manager_days,
            inactivity_days: b.inactivity_days,
            inactivity_grace_days: b.inactivity_grace_days,
            managers_read_shared_notes: b.managers_read_shared_notes,
        }
    }
}

/// Read a programme's room rules (managers)
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/room-rules", tag = "programmes", params(("slug" = String, Path, description = "Programme slug.")), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The rules in force.", body = RoomRulesBody),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such programme, or a draft the caller does not manage.", body = ErrorBody),
    ))]
pub async fn get_room_rules(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<RoomRulesBody>, ApiError> {
    Ok(Json(s.app.room_rules(&actor, &slug).await?.into()))
}

/// Replace a programme's room rules (managers)
///
/// The rapport check-in schedule, the health thresholds, lateness, first
/// contact and inactivity. Rooms read the new rules at their next event or
/// at the daily scan. Audited.
#[utoipa::path(put, path = "/api/v1/programmes/{slug}/room-rules", tag = "programmes", params(("slug" = String, Path, description = "Programme slug.")), request_body = RoomRulesBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Saved; the rules now in force.", body = RoomRulesBody),
        (status = 400, description = "`bad_request`: an unknown rule, or a value that is not a whole number.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such programme, or a draft the caller does not manage.", body = ErrorBody),
        (status = 422, description = "`invalid_field` naming the rule (an interval under one day, an \"at risk\" threshold gentler than its \"needs attention\" one).", body = ErrorBody),
    ))]
pub async fn put_room_rules(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<RoomRulesBody>,
) -> Result<Json<RoomRulesBody>, ApiError> {
    Ok(Json(
        s.app
            .set_room_rules(&actor, &slug, body.into())
            .await?
            .into(),
    ))
}
