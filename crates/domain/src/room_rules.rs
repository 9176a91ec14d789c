//! The rules a programme sets for its rooms: lateness, the rapport pulse
//! schedule, health thresholds, first contact and inactivity. Defaults follow
//! what mentoring research and established programmes use; a programme may
//! change any of them (stored as JSON in `programmes.room_rules`).

use serde::{Deserialize, Serialize};

/// A programme's room rules. Missing fields take their defaults, so older
/// settings read as the defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoomRules {
    /// More than this many minutes late counts as late.
    pub late_after_minutes: u32,
    /// The first pulse is due this many days after the room started (the
    /// other first pulse is due after the first held session).
    pub pulse_first_day: u32,
    /// Later pulses are due every this many days.
    pub pulse_every_days: u32,
    /// No held session this many days after the start: needs attention.
    pub activation_attention_days: u32,
    /// No held session this many days after the start: at risk.
    pub activation_risk_days: u32,
    /// A gap longer than this share of the agreed interval, in per cent
    /// (150 = 1.5 times): needs attention.
    pub cadence_attention_percent: u32,
    /// A gap longer than this share of the agreed interval, in per cent: at risk.
    pub cadence_risk_percent: u32,
    /// A gap longer than this many days: at risk whatever the cadence.
    pub cadence_risk_days: u32,
    /// A pulse item scored this or lower: at risk.
    pub pulse_low_score: u32,
    /// Two sides' scores for the same item this far apart or more: at risk.
    pub pulse_sides_apart: u32,
    /// This many no-shows ...
    pub no_show_limit: u32,
    /// ... within this many days: needs attention.
    pub no_show_window_days: u32,
    /// No first contact after this many days: both members are prompted.
    pub first_contact_days: u32,
    /// No first contact after this many days: the managers are prompted too.
    pub first_contact_manager_days: u32,
    /// No activity for this many days: both members are warned.
    pub inactivity_days: u32,
    /// After the warning, this many days without activity end the room as inactive.
    pub inactivity_grace_days: u32,
    /// Whether the programme's managers may read notes shared with a room.
    pub managers_read_shared_notes: bool,
}

impl Default for RoomRules {
    fn default() -> Self {
        Self {
            late_after_minutes: 10,
            pulse_first_day: 30,
            pulse_every_days: 60,
            activation_attention_days: 14,
            activation_risk_days: 30,
            cadence_attention_percent: 150,
            cadence_risk_percent: 200,
            cadence_risk_days: 60,
            pulse_low_score: 2,
            pulse_sides_apart: 2,
            no_show_limit: 2,
            no_show_window_days: 30,
            first_contact_days: 7,
            first_contact_manager_days: 14,
            inactivity_days: 90,
            inactivity_grace_days: 7,
            managers_read_shared_notes: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_rules_read_as_defaults() {
        let r: RoomRules = serde_json::from_str("{}").unwrap();
        assert_eq!(r, RoomRules::default());
        let r: RoomRules = serde_json::from_str(r#"{"late_after_minutes": 5}"#).unwrap();
        assert_eq!(r.late_after_minutes, 5);
        assert_eq!(r.pulse_every_days, 60);
        assert!(serde_json::from_str::<RoomRules>(r#"{"nope": 1}"#).is_err());
    }
}
