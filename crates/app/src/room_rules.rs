//! A programme's room rules (issue 17, sections 6, 7 and 10: "a programme
//! can change them"): the rapport pulse schedule, the health thresholds,
//! lateness, first contact and inactivity. Managers read and replace them;
//! every field left out takes its default.

use crate::{App, AppError, AppResult};
use rapport_domain::policy::Actor;
use rapport_domain::room_rules::RoomRules;
use rapport_domain::Invalid;

/// The checks a set of rules must pass: every interval at least one day,
/// every "at risk" threshold no gentler than its "needs attention" one.
fn check(r: &RoomRules) -> AppResult<()> {
    let mut errors = vec![];
    let mut at_least = |field: &'static str, v: u32, min: u32| {
        if v < min {
            errors.push(Invalid::new(
                field,
                format!("{field} must be at least {min}"),
            ));
        }
    };
    at_least("pulse_every_days", r.pulse_every_days, 1);
    at_least("activation_risk_days", r.activation_risk_days, 1);
    at_least(
        "cadence_attention_percent",
        r.cadence_attention_percent,
        100,
    );
    at_least("cadence_risk_days", r.cadence_risk_days, 1);
    at_least("pulse_low_score", r.pulse_low_score, 1);
    at_least("pulse_sides_apart", r.pulse_sides_apart, 1);
    at_least("no_show_limit", r.no_show_limit, 1);
    at_least("no_show_window_days", r.no_show_window_days, 1);
    at_least("inactivity_days", r.inactivity_days, 1);
    let mut not_below = |field: &'static str, v: u32, other: &str, min: u32| {
        if v < min {
            errors.push(Invalid::new(
                field,
                format!("{field} must be at least {other}"),
            ));
        }
    };
    not_below(
        "activation_risk_days",
        r.activation_risk_days,
        "activation_attention_days",
        r.activation_attention_days,
    );
    not_below(
        "cadence_risk_percent",
        r.cadence_risk_percent,
        "cadence_attention_percent",
        r.cadence_attention_percent,
    );
    not_below(
        "first_contact_manager_days",
        r.first_contact_manager_days,
        "first_contact_days",
        r.first_contact_days,
    );
    if r.pulse_low_score > 5 {
        errors.push(Invalid::new(
            "pulse_low_score",
            "pulse_low_score must be at most 5",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

impl App {
    /// The programme's room rules. Managers only.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn room_rules(&self, actor: &Actor, slug: &str) -> AppResult<RoomRules> {
        let mut tx = self.store.read().await?;
        Ok(self
            .managed_programme(&mut tx, actor, slug)
            .await?
            .room_rules)
    }

    /// Replaces the programme's room rules (checked; 422 naming the field)
    /// and reassesses nothing now: the next event in a room, or the daily
    /// scan, reads the new rules. Managers only; audited.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn set_room_rules(
        &self,
        actor: &Actor,
        slug: &str,
        rules: RoomRules,
    ) -> AppResult<RoomRules> {
        check(&rules)?;
        let mut tx = self.store.write().await?;
        let mut p = self.managed_programme(&mut tx, actor, slug).await?;
        let before = serde_json::to_value(&p.room_rules).ok();
        p.room_rules = rules;
        tx.update_programme(&p, self.now()).await?;
        self.audit_by(
            &mut tx,
            actor,
            "programme.room_rules",
            format!("programme:{}", p.slug),
            before,
            serde_json::to_value(&p.room_rules).ok(),
        )
        .await?;
        tx.commit().await?;
        Ok(p.room_rules)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_pass_and_a_bad_rule_names_its_field() {
        assert!(check(&RoomRules::default()).is_ok());
        let bad = RoomRules {
            pulse_every_days: 0,
            cadence_risk_percent: 120,
            ..RoomRules::default()
        };
        let Err(AppError::Invalid(e)) = check(&bad) else {
            panic!("accepted")
        };
        let fields: Vec<&str> = e.iter().map(|i| i.field).collect();
        assert_eq!(fields, ["pulse_every_days", "cadence_risk_percent"]);
    }
}
