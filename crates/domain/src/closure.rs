//! Closure: what each member answers when a room completes or ends. The
//! outcome survey's values are typed here so the store keeps them as typed
//! columns that programme reports can count.

use crate::Invalid;
use serde::{Deserialize, Serialize};

/// The self-efficacy question, asked in the same words at enrolment and at
/// closure, so the two answers can be compared.
pub const SELF_EFFICACY_QUESTION: &str =
    "How confident are you that you can reach your development goals?";

/// The labels of the 1–5 scale, lowest first.
pub const SELF_EFFICACY_SCALE: [&str; 5] = [
    "1 – Not at all confident",
    "2 – Slightly confident",
    "3 – Somewhat confident",
    "4 – Quite confident",
    "5 – Completely confident",
];

/// An answer to [`SELF_EFFICACY_QUESTION`]: 1 (not at all) to 5 (completely).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct SelfEfficacy(u8);

impl SelfEfficacy {
    /// Parses a score for `field`; anything but 1..=5 is refused.
    pub fn new(field: &'static str, score: i64) -> Result<Self, Invalid> {
        if (1..=5).contains(&score) {
            Ok(Self(score as u8))
        } else {
            Err(Invalid::new(
                field,
                "answer how confident you are on the scale from 1 to 5",
            ))
        }
    }

    /// Parses form text for `field`: a number from 1 to 5.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        raw.trim()
            .parse::<i64>()
            .map_err(|_| {
                Invalid::new(
                    field,
                    "answer how confident you are on the scale from 1 to 5",
                )
            })
            .and_then(|n| Self::new(field, n))
    }

    /// The score.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<i64> for SelfEfficacy {
    type Error = Invalid;
    fn try_from(n: i64) -> Result<Self, Invalid> {
        Self::new("self_efficacy", n)
    }
}

impl From<SelfEfficacy> for i64 {
    fn from(s: SelfEfficacy) -> i64 {
        i64::from(s.0)
    }
}

/// Declares a coded enum of the survey: a stable code per value, parsed
/// with an error naming `field`.
macro_rules! survey_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal, { $($(#[$vdoc:meta])* $variant:ident = $code:literal, $label:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every value, in the order forms and reports list them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
            /// Stable code used in storage and the API.
            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code),+ }
            }
            /// The words a person reads.
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }
            /// Parses a code.
            pub fn parse(raw: &str) -> Result<Self, Invalid> {
                Self::ALL.iter().copied().find(|v| v.code() == raw.trim()).ok_or_else(|| {
                    Invalid::new($field, format!("must be one of: {}", Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", ")))
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

survey_enum!(
    /// The career step a member took during the mentorship.
    CareerStep, "career_step", {
        /// A promotion.
        Promotion = "promotion", "A promotion",
        /// A new role.
        NewRole = "new_role", "A new role",
        /// New responsibility in the same role.
        NewResponsibility = "new_responsibility", "New responsibility",
        /// None yet.
        NoneYet = "none_yet", "None yet",
    }
);

survey_enum!(
    /// "Would you mentor someone?"
    WouldMentor, "would_mentor", {
        /// Yes: a mentee who says so is invited to mentor ("one up, one down").
        Yes = "yes", "Yes",
        /// Maybe.
        Maybe = "maybe", "Maybe",
        /// No.
        No = "no", "No",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_efficacy_is_one_to_five() {
        assert_eq!(SelfEfficacy::new("x", 1).unwrap().get(), 1);
        assert_eq!(SelfEfficacy::parse("x", " 5 ").unwrap().get(), 5);
        for bad in [0, 6, -1] {
            assert_eq!(
                SelfEfficacy::new("self_efficacy", bad).unwrap_err().field,
                "self_efficacy"
            );
        }
        assert_eq!(SelfEfficacy::parse("f", "high").unwrap_err().field, "f");
        let parsed: Result<SelfEfficacy, _> = serde_json::from_str("9");
        assert!(parsed.is_err());
        assert_eq!(
            serde_json::to_string(&SelfEfficacy::new("x", 3).unwrap()).unwrap(),
            "3"
        );
    }

    #[test]
    fn survey_codes_round_trip() {
        for s in CareerStep::ALL {
            assert_eq!(CareerStep::parse(s.code()).unwrap(), *s);
        }
        for w in WouldMentor::ALL {
            assert_eq!(WouldMentor::parse(w.code()).unwrap(), *w);
        }
        assert_eq!(CareerStep::parse("ceo").unwrap_err().field, "career_step");
        assert_eq!(WouldMentor::parse("").unwrap_err().field, "would_mentor");
    }
}
