//! What a person states, on an enrolment, about whom they want to be matched
//! with: a preferred gender, same or different department, and people to
//! avoid.
//!
//! The stored JSON (`enrolments.preferences`) is this type's serde form, so
//! the store decodes it once when it reads the row and a row that does not
//! decode is an error naming the enrolment, never "no preferences". The
//! matching engine has its own `Preferences` (it cannot depend on this crate's
//! ids); the app converts one into the other. The JSON shape is the engine's,
//! field for field, so rows written before this type existed still decode.

use crate::PersonId;
use serde::{Deserialize, Serialize};

/// Whether a stated preference may be broken (soft) or never (hard).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    /// Honoured when possible.
    #[default]
    Soft,
    /// A pair that breaks it is not proposed (when the programme enforces
    /// hard preferences).
    Hard,
}

/// A preference with its strength.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stated<T> {
    /// What is preferred.
    pub value: T,
    /// Soft or hard; rows that omit it meant soft.
    #[serde(default)]
    pub strength: Strength,
}

/// Same or different department as the other person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentChoice {
    /// The other person works in the same department.
    Same,
    /// The other person works in a different department.
    Different,
}

/// An enrolment's stated preferences. Every field may be absent in stored
/// JSON (`{}` is "nothing stated"), but a field that is present must decode.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatedPreferences {
    /// Preferred self-described gender of the other person.
    #[serde(default)]
    pub gender: Option<Stated<String>>,
    /// Same or different department.
    #[serde(default)]
    pub department: Option<Stated<DepartmentChoice>>,
    /// People this person does not want to be matched with.
    #[serde(default)]
    pub avoid: Vec<Stated<PersonId>>,
}

impl StatedPreferences {
    /// True when nothing is stated.
    pub fn is_empty(&self) -> bool {
        self.gender.is_none() && self.department.is_none() && self.avoid.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_json_keeps_the_engine_shape() {
        let id = PersonId::new();
        let p = StatedPreferences {
            gender: Some(Stated {
                value: "woman".into(),
                strength: Strength::Hard,
            }),
            department: Some(Stated {
                value: DepartmentChoice::Different,
                strength: Strength::Soft,
            }),
            avoid: vec![Stated {
                value: id,
                strength: Strength::Hard,
            }],
        };
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "gender": {"value": "woman", "strength": "hard"},
                "department": {"value": "different", "strength": "soft"},
                "avoid": [{"value": id.to_string(), "strength": "hard"}],
            })
        );
        assert_eq!(
            serde_json::from_value::<StatedPreferences>(json).unwrap(),
            p
        );
    }

    #[test]
    fn empty_object_is_nothing_stated_but_a_bad_field_does_not_decode() {
        let none: StatedPreferences = serde_json::from_str("{}").unwrap();
        assert!(none.is_empty());
        let soft: StatedPreferences =
            serde_json::from_str(r#"{"department": {"value": "same"}}"#).unwrap();
        assert_eq!(soft.department.unwrap().strength, Strength::Soft);
        for bad in [
            r#"{"department": {"value": "upstairs"}}"#,
            r#"{"avoid": [{"value": "not an id"}]}"#,
            r#"{"gender": "woman"}"#,
            r#""none""#,
        ] {
            assert!(
                serde_json::from_str::<StatedPreferences>(bad).is_err(),
                "{bad} must not decode"
            );
        }
    }
}
