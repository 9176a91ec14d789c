//! The profile form's pickers: skills from the catalogue as a checkbox list,
//! the time zone from every IANA zone, and weekly availability as a grid of
//! days × hours. Each is plain HTML that works without JavaScript;
//! `static/forms.js` adds a filter box, the browser's zone and drag-to-paint.
//!
//! The form posts repeated names (a checkbox per skill, a checkbox per hour),
//! which this module folds back into the one [`ProfileInput`] the API takes,
//! so `PUT /api/v1/me/profile` and the use case are unchanged.

use super::{Field, FormPage};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rapport_domain::person::{AvailabilityWindow, ProfileInput};
use std::collections::BTreeSet;

const DAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

/// One hour of the week in the availability grid.
pub struct WeekCell {
    /// What the checkbox posts: `mon-09`.
    pub code: String,
    /// Its accessible name: "Monday 09:00 to 10:00".
    pub label: String,
    /// Whether a saved window covers any of this hour.
    pub on: bool,
}

/// One hour of the day across the seven days.
pub struct WeekRow {
    /// `09:00`.
    pub hour: String,
    /// Monday to Sunday.
    pub cells: Vec<WeekCell>,
}

/// The day names the grid's columns show (short, long).
pub fn days() -> &'static [(&'static str, &'static str)] {
    &DAYS
}

impl Field {
    /// A checkbox list of `choices`; `chosen` is comma-separated. Chosen
    /// values that are not among the choices belong in a companion text field.
    pub fn checkboxes(
        name: &'static str,
        label: &'static str,
        choices: &[String],
        chosen: &str,
    ) -> Self {
        let mut f = Field::new(name, label, "checkboxes")
            .options(choices.iter().map(|c| (c.clone(), c.clone())).collect());
        f.value = chosen.to_string();
        f
    }

    /// Whether the comma-separated value holds `code` (case-insensitively,
    /// as tags compare).
    pub fn chosen(&self, code: &str) -> bool {
        self.value
            .split(',')
            .any(|v| v.trim().eq_ignore_ascii_case(code))
    }

    /// The grid of a `week` field, from its value (one window per line).
    /// Lines that do not parse mark nothing; the field's error names them.
    pub fn week_rows(&self) -> Vec<WeekRow> {
        let windows: Vec<AvailabilityWindow> = self
            .value
            .lines()
            .filter_map(|l| AvailabilityWindow::parse("availability", l).ok())
            .collect();
        (0u16..24)
            .map(|h| WeekRow {
                hour: format!("{h:02}:00"),
                cells: DAYS
                    .iter()
                    .enumerate()
                    .map(|(d, (code, name))| WeekCell {
                        code: format!("{code}-{h:02}"),
                        label: format!("{name} {h:02}:00 to {:02}:00", h + 1),
                        on: windows.iter().any(|w| {
                            usize::from(w.weekday) == d
                                && w.start_minute < (h + 1) * 60
                                && w.end_minute > h * 60
                        }),
                    })
                    .collect(),
            })
            .collect()
    }
}

impl FormPage {
    /// Whether the error summary shows: an error on the form or on a field.
    pub fn has_errors(&self) -> bool {
        self.form_error.is_some() || self.fields.iter().any(|f| f.error.is_some())
    }
}

/// The values of a comma-separated list that are not in the catalogue, for
/// the "other" text box beside the checkboxes.
pub fn outside(catalogue: &[String], list: &str) -> String {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty() && !catalogue.iter().any(|c| c.eq_ignore_ascii_case(s)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every IANA zone, for the time-zone field's list.
pub fn zones() -> Vec<(String, String)> {
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|z| (z.name().to_string(), z.name().to_string()))
        .collect()
}

/// `mon-09` to (weekday, hour).
fn cell(raw: &str) -> Option<(u8, u16)> {
    let (day, hour) = raw.split_once('-')?;
    let d = DAYS.iter().position(|(c, _)| *c == day)?;
    let h: u16 = hour.parse().ok().filter(|h| *h < 24)?;
    Some((d as u8, h))
}

/// Checked hours as windows, one per run of consecutive hours in a day.
fn windows(cells: &BTreeSet<(u8, u16)>) -> Vec<String> {
    let mut out = vec![];
    let mut run: Option<(u8, u16, u16)> = None;
    for &(d, h) in cells {
        run = match run {
            Some((rd, start, end)) if rd == d && end == h => Some((rd, start, h + 1)),
            Some(done) => {
                out.push(done);
                Some((d, h, h + 1))
            }
            None => Some((d, h, h + 1)),
        };
    }
    out.extend(run);
    out.into_iter()
        .map(|(d, a, b)| {
            AvailabilityWindow {
                weekday: d,
                start_minute: a * 60,
                end_minute: b * 60,
            }
            .display()
        })
        .collect()
}

/// Reads the posted profile form. Skills are every checked box plus the
/// "other" box (comma-separated); availability is every checked hour, joined
/// into windows, plus any window typed as text (`mon 09:00-10:30`), so a
/// client that posts the plain fields of [`ProfileInput`] still works.
pub fn profile_input(pairs: Vec<(String, String)>) -> ProfileInput {
    let mut plain = serde_json::Map::new();
    let (mut offered, mut wanted, mut typed) = (vec![], vec![], vec![]);
    let mut cells = BTreeSet::new();
    for (k, v) in pairs {
        match k.as_str() {
            "skills_offered" | "skills_offered_other" => offered.push(v),
            "skills_wanted" | "skills_wanted_other" => wanted.push(v),
            "availability" => match cell(&v) {
                Some(c) => {
                    cells.insert(c);
                }
                None => typed.extend(v.lines().map(str::to_string)),
            },
            _ => {
                plain.insert(k, serde_json::Value::String(v));
            }
        }
    }
    let mut input: ProfileInput =
        serde_json::from_value(serde_json::Value::Object(plain)).unwrap_or_default();
    let join = |list: Vec<String>| {
        list.into_iter()
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    };
    input.skills_offered = join(offered);
    input.skills_wanted = join(wanted);
    let mut lines = windows(&cells);
    lines.extend(typed.into_iter().filter(|l| !l.trim().is_empty()));
    input.availability = lines.join("\n");
    input
}

/// `GET /static/forms.js`: the forms' progressive enhancement.
pub(super) async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/forms.js"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn checked_hours_become_windows() {
        let v = profile_input(pairs(&[
            ("name", "Ana"),
            ("availability", "mon-09"),
            ("availability", "mon-10"),
            ("availability", "mon-14"),
            ("availability", "tue-23"),
            ("skills_offered", "Coaching"),
            ("skills_offered", "Hiring"),
            ("skills_offered_other", "Rust, Go"),
        ]));
        assert_eq!(v.name, "Ana");
        assert_eq!(
            v.availability,
            "mon 09:00-11:00\nmon 14:00-15:00\ntue 23:00-24:00"
        );
        assert_eq!(v.skills_offered, "Coaching, Hiring, Rust, Go");
        assert_eq!(v.skills_wanted, "");
    }

    #[test]
    fn typed_windows_and_lists_still_work() {
        let v = profile_input(pairs(&[
            ("availability", "mon 09:30-10:00\nwed 08:00-09:00"),
            ("skills_wanted", "Delegation, Hiring"),
        ]));
        assert_eq!(v.availability, "mon 09:30-10:00\nwed 08:00-09:00");
        assert_eq!(v.skills_wanted, "Delegation, Hiring");
    }

    #[test]
    fn the_grid_marks_hours_a_window_touches() {
        let f = Field::new("availability", "A", "week").value("mon 09:30-11:00\nsun 23:00-24:00");
        let rows = f.week_rows();
        let on: Vec<&str> = rows
            .iter()
            .flat_map(|r| r.cells.iter())
            .filter(|c| c.on)
            .map(|c| c.code.as_str())
            .collect();
        assert_eq!(on, vec!["mon-09", "mon-10", "sun-23"]);
        assert_eq!(rows[9].cells[0].label, "Monday 09:00 to 10:00");
    }

    #[test]
    fn skills_outside_the_catalogue_go_to_the_other_box() {
        let cat = vec!["Coaching".to_string(), "Hiring".to_string()];
        assert_eq!(outside(&cat, "coaching, Rust , Hiring,Go"), "Rust, Go");
        let f = Field::checkboxes("skills_offered", "S", &cat, "coaching, Rust");
        assert!(f.chosen("Coaching") && !f.chosen("Hiring"));
    }
}
