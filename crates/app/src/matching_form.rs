//! The matching settings as a form: one control per criterion weight, each
//! with a one-line explanation, and each hard rule as a toggle with its
//! parameter. The TOML ([`App::matching_settings`]) stays the full schema for
//! import and export; this form covers what managers tune, and leaves the
//! solver's knobs (`top_k`, the reference week, per-question weights) as
//! they are.
//!
//! Saving goes through [`App::set_matching_settings`], so the form and the
//! TOML are checked by the same rules and audited the same way.

use crate::{Actor, App, AppError, AppResult};
use rapport_domain::Invalid;
use rapport_matching::settings::{HardPreferences, Settings};
use std::collections::HashMap;

/// How a control is drawn and read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControlKind {
    /// A criterion weight: a whole number, drawn as a slider and a box.
    Weight,
    /// A number.
    Number,
    /// A rule that is on or off.
    Toggle,
    /// A rule that is on or off, with a number when on.
    ToggleNumber,
}

/// One control of the settings form.
#[derive(Clone, Debug)]
pub struct SettingControl {
    /// The posted name, the setting's dotted path (`weights.skills`).
    pub name: &'static str,
    /// What it is.
    pub label: &'static str,
    /// One line saying what it does.
    pub hint: &'static str,
    /// How it is drawn.
    pub kind: ControlKind,
    /// The number, as shown or as typed.
    pub value: String,
    /// Toggles: whether the rule is on.
    pub on: bool,
    /// Smallest allowed number.
    pub min: f64,
    /// Largest allowed number.
    pub max: f64,
    /// The error next to the control.
    pub error: Option<String>,
}

impl SettingControl {
    /// The name of a toggle's checkbox (`reach.max_time_zone_hours.on`).
    pub fn toggle_name(&self) -> String {
        format!("{}.on", self.name)
    }

    /// Whether the control is a criterion weight.
    pub fn is_weight(&self) -> bool {
        self.kind == ControlKind::Weight
    }
}

/// A control's definition: name, label, hint, kind, range.
type Def = (
    &'static str,
    &'static str,
    &'static str,
    ControlKind,
    f64,
    f64,
);

const DEFS: [Def; 19] = {
    use ControlKind::*;
    [
        (
            "weights.skills",
            "Skills",
            "Skills the mentee wants that the mentor offers.",
            Weight,
            0.0,
            100.0,
        ),
        (
            "weights.goals",
            "Goals",
            "Goal tags both people picked.",
            Weight,
            0.0,
            100.0,
        ),
        (
            "weights.goal_text",
            "Goals in their own words",
            "Goals written in similar words.",
            Weight,
            0.0,
            100.0,
        ),
        (
            "weights.level_gap",
            "Level gap",
            "Leadership levels close to the ideal gap below.",
            Weight,
            0.0,
            100.0,
        ),
        (
            "weights.availability",
            "Availability",
            "Hours both people are free in the same week.",
            Weight,
            0.0,
            100.0,
        ),
        (
            "weights.time_zone",
            "Time zone",
            "Time zones close together.",
            Weight,
            0.0,
            100.0,
        ),
        (
            "weights.interests",
            "Interests",
            "Interests both people share.",
            Weight,
            0.0,
            100.0,
        ),
        (
            "weights.answers",
            "Enrolment answers",
            "Similar answers to the enrolment questions.",
            Weight,
            0.0,
            100.0,
        ),
        (
            "weights.preferences",
            "Stated preferences",
            "Preferences people stated that the pair meets.",
            Weight,
            0.0,
            100.0,
        ),
        (
            "level_gap.ideal",
            "Ideal level gap",
            "Levels the mentor is ideally ahead (0 for peers, negative for reverse).",
            Number,
            -2.0,
            2.0,
        ),
        (
            "quality_floor",
            "Quality floor",
            "Pairs scoring below this many points (of 100) are never proposed.",
            Number,
            0.0,
            100.0,
        ),
        (
            "reach.target_overlap_hours",
            "Shared hours for full points",
            "Shared free hours a week that earn all the availability points.",
            Number,
            0.25,
            168.0,
        ),
        (
            "reach.require_shared_language",
            "Require a shared language",
            "Never pair people who share no language.",
            Toggle,
            0.0,
            0.0,
        ),
        (
            "hard_preferences",
            "Honour preferences marked as must-have",
            "Off: every preference only adds points.",
            Toggle,
            0.0,
            0.0,
        ),
        (
            "reach.max_time_zone_hours",
            "Limit the time-zone distance",
            "The most hours apart two people's zones may be.",
            ToggleNumber,
            0.0,
            24.0,
        ),
        (
            "reach.min_overlap_hours",
            "Require shared free hours",
            "The fewest free hours a week the pair must share.",
            ToggleNumber,
            0.0,
            168.0,
        ),
        (
            "seniority.min_years_ahead",
            "Years ahead at the same level",
            "At the same level, the mentor needs this many more years.",
            Number,
            0.0,
            80.0,
        ),
        (
            "seniority.min_level_gap",
            "Smallest level gap",
            "The fewest levels the mentor must be ahead.",
            ToggleNumber,
            -2.0,
            2.0,
        ),
        (
            "seniority.max_level_gap",
            "Largest level gap",
            "The most levels the mentor may be ahead.",
            ToggleNumber,
            -2.0,
            2.0,
        ),
    ]
};

fn num(v: impl ToString) -> String {
    v.to_string()
}

/// The controls showing `s`.
pub fn controls(s: &Settings) -> Vec<SettingControl> {
    let (w, r, sen) = (&s.weights, &s.reach, &s.seniority);
    DEFS.iter()
        .map(|&(name, label, hint, kind, min, max)| {
            let (value, on) = match name {
                "weights.skills" => (num(w.skills), true),
                "weights.goals" => (num(w.goals), true),
                "weights.goal_text" => (num(w.goal_text), true),
                "weights.level_gap" => (num(w.level_gap), true),
                "weights.availability" => (num(w.availability), true),
                "weights.time_zone" => (num(w.time_zone), true),
                "weights.interests" => (num(w.interests), true),
                "weights.answers" => (num(w.answers), true),
                "weights.preferences" => (num(w.preferences), true),
                "level_gap.ideal" => (num(s.level_gap.ideal), true),
                "quality_floor" => (num(s.quality_floor), true),
                "reach.target_overlap_hours" => (num(r.target_overlap_hours), true),
                "reach.require_shared_language" => (String::new(), r.require_shared_language),
                "hard_preferences" => (
                    String::new(),
                    s.hard_preferences == HardPreferences::Enforce,
                ),
                "reach.max_time_zone_hours" => optional(r.max_time_zone_hours, 6.0),
                "reach.min_overlap_hours" => optional(r.min_overlap_hours, 1.0),
                "seniority.min_years_ahead" => (num(sen.min_years_ahead), true),
                "seniority.min_level_gap" => optional(sen.min_level_gap, 1),
                "seniority.max_level_gap" => optional(sen.max_level_gap, 2),
                _ => unreachable!("every control is read above"),
            };
            SettingControl {
                name,
                label,
                hint,
                kind,
                value,
                on,
                min,
                max,
                error: None,
            }
        })
        .collect()
}

/// A rule that is off shows a sensible number to start from when turned on.
fn optional<T: ToString>(v: Option<T>, start: T) -> (String, bool) {
    match v {
        Some(v) => (v.to_string(), true),
        None => (start.to_string(), false),
    }
}

/// Puts the posted values into `controls`, so a refused form shows what
/// was typed. A checkbox that is not posted is off.
pub fn fill(controls: &mut [SettingControl], posted: &HashMap<String, String>) {
    for c in controls {
        if c.kind != ControlKind::Toggle {
            c.value = posted.get(c.name).cloned().unwrap_or_default();
        }
        if matches!(c.kind, ControlKind::Toggle | ControlKind::ToggleNumber) {
            c.on = posted.contains_key(&c.toggle_name());
        }
    }
}

/// Reads one control's number, or says how to fix it.
fn number(c: &SettingControl) -> Result<f64, Invalid> {
    let whole = c.is_weight() || c.name == "level_gap.ideal" || c.name.starts_with("seniority.");
    c.value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && (c.min..=c.max).contains(v) && (!whole || v.fract() == 0.0))
        .ok_or_else(|| {
            Invalid::new(
                c.name,
                format!(
                    "{} must be {} from {} to {}",
                    c.label,
                    if whole { "a whole number" } else { "a number" },
                    c.min,
                    c.max
                ),
            )
        })
}

/// `s` with the form's values; every bad control is named.
pub fn apply(mut s: Settings, controls: &[SettingControl]) -> Result<Settings, Vec<Invalid>> {
    let mut errors = vec![];
    for c in controls {
        let on = c.on;
        let value = match c.kind {
            ControlKind::Toggle => 0.0,
            ControlKind::ToggleNumber if !on => 0.0,
            _ => match number(c) {
                Ok(v) => v,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            },
        };
        let when = |v: f64| on.then_some(v);
        match c.name {
            "weights.skills" => s.weights.skills = value as u32,
            "weights.goals" => s.weights.goals = value as u32,
            "weights.goal_text" => s.weights.goal_text = value as u32,
            "weights.level_gap" => s.weights.level_gap = value as u32,
            "weights.availability" => s.weights.availability = value as u32,
            "weights.time_zone" => s.weights.time_zone = value as u32,
            "weights.interests" => s.weights.interests = value as u32,
            "weights.answers" => s.weights.answers = value as u32,
            "weights.preferences" => s.weights.preferences = value as u32,
            "level_gap.ideal" => s.level_gap.ideal = value as i8,
            "quality_floor" => s.quality_floor = value,
            "reach.target_overlap_hours" => s.reach.target_overlap_hours = value,
            "reach.require_shared_language" => s.reach.require_shared_language = on,
            "hard_preferences" => {
                s.hard_preferences = if on {
                    HardPreferences::Enforce
                } else {
                    HardPreferences::AsSoft
                }
            }
            "reach.max_time_zone_hours" => s.reach.max_time_zone_hours = when(value),
            "reach.min_overlap_hours" => s.reach.min_overlap_hours = when(value),
            "seniority.min_years_ahead" => s.seniority.min_years_ahead = value as u16,
            "seniority.min_level_gap" => s.seniority.min_level_gap = when(value).map(|v| v as i8),
            "seniority.max_level_gap" => s.seniority.max_level_gap = when(value).map(|v| v as i8),
            _ => unreachable!("every control is written above"),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    s.validate().map_err(|e| {
        // Name the control when the setting has one; otherwise the form.
        let field = DEFS
            .iter()
            .map(|d| d.0)
            .find(|n| e.field.starts_with(n))
            .unwrap_or("weights.skills");
        let message = match e.field.as_str() {
            "weights" => "At least one weight must be above zero.".to_string(),
            _ => format!("{}: {}", label_of(field), e.message),
        };
        vec![Invalid::new(field, message)]
    })?;
    Ok(s)
}

fn label_of(name: &str) -> &'static str {
    DEFS.iter()
        .find(|d| d.0 == name)
        .map_or("This setting", |d| d.1)
}

impl App {
    /// The programme's matching settings as form controls (managers only).
    pub async fn matching_settings_controls(
        &self,
        actor: &Actor,
        slug: &str,
    ) -> AppResult<Vec<SettingControl>> {
        Ok(controls(&self.current_settings(actor, slug).await?))
    }

    /// Saves the settings form: the posted controls over the current
    /// settings, checked and saved like the TOML.
    pub async fn save_matching_settings_form(
        &self,
        actor: &Actor,
        slug: &str,
        posted: &HashMap<String, String>,
    ) -> AppResult<()> {
        let current = self.current_settings(actor, slug).await?;
        let mut form = controls(&current);
        fill(&mut form, posted);
        let s = apply(current, &form).map_err(AppError::Invalid)?;
        let raw =
            toml::to_string(&s).map_err(|e| AppError::internal("settings do not serialise", e))?;
        self.set_matching_settings(actor, slug, &raw).await
    }

    async fn current_settings(&self, actor: &Actor, slug: &str) -> AppResult<Settings> {
        let raw = self.matching_settings(actor, slug).await?;
        toml::from_str(&raw).map_err(|e| AppError::internal("stored settings do not parse", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(s: &Settings) -> HashMap<String, String> {
        let mut m = HashMap::new();
        for c in controls(s) {
            if c.kind != ControlKind::Toggle {
                m.insert(c.name.to_string(), c.value.clone());
            }
            if c.on && c.kind != ControlKind::Weight && c.kind != ControlKind::Number {
                m.insert(c.toggle_name(), "true".into());
            }
        }
        m
    }

    #[test]
    fn the_form_round_trips_every_setting_it_shows() {
        let mut s = Settings::default();
        s.weights.availability = 25;
        s.reach.max_time_zone_hours = Some(4.5);
        s.reach.require_shared_language = false;
        s.hard_preferences = HardPreferences::AsSoft;
        s.seniority.min_level_gap = Some(1);
        s.quality_floor = 12.5;
        let mut form = controls(&Settings::default());
        fill(&mut form, &posted(&s));
        assert_eq!(apply(Settings::default(), &form).unwrap(), s);
    }

    #[test]
    fn bad_values_name_their_control() {
        let mut p = posted(&Settings::default());
        p.insert("weights.skills".into(), "lots".into());
        p.insert("reach.max_time_zone_hours.on".into(), "true".into());
        p.insert("reach.max_time_zone_hours".into(), "30".into());
        let mut form = controls(&Settings::default());
        fill(&mut form, &p);
        let errs = apply(Settings::default(), &form).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["weights.skills", "reach.max_time_zone_hours"]);
        assert!(errs[0].message.starts_with("Skills must be a whole number"));
    }

    #[test]
    fn the_engine_rules_name_their_control_too() {
        let mut p = posted(&Settings::default());
        p.insert("seniority.min_level_gap.on".into(), "true".into());
        p.insert("seniority.min_level_gap".into(), "2".into());
        p.insert("seniority.max_level_gap.on".into(), "true".into());
        p.insert("seniority.max_level_gap".into(), "1".into());
        let mut form = controls(&Settings::default());
        fill(&mut form, &p);
        let errs = apply(Settings::default(), &form).unwrap_err();
        assert_eq!(errs[0].field, "seniority.max_level_gap");
        for w in DEFS.iter().filter(|d| d.3 == ControlKind::Weight) {
            p.insert(w.0.to_string(), "0".into());
        }
        let mut form = controls(&Settings::default());
        fill(&mut form, &p);
        p.remove("seniority.min_level_gap.on");
        let errs = apply(Settings::default(), &form).unwrap_err();
        assert!(
            errs.iter().any(|e| e.message.contains("weight")),
            "{errs:?}"
        );
    }
}
