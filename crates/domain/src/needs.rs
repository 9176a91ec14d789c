//! The needs check: eight statements, four for each gap, each answered 1 to
//! 5, that tell a leadership gap from a mentorship gap.
//!
//! - A **leadership gap**: the person needs direction, clear goals and
//!   deadlines from their own leader (how to reach a team goal).
//! - A **mentorship gap**: the person needs guidance on who to become,
//!   self-discovery and where their career is going.
//!
//! # Contract
//! [`assess`] names a gap when its mean is at least 3.5 **and** at least 0.5
//! above the other's mean; when both means are at least 3.5 and neither is
//! 0.5 ahead the result is [`Gap::Both`]; otherwise [`Gap::Neither`]. It is
//! computed on the sums (a mean of 3.5 over four answers is a sum of 14, a
//! difference of 0.5 is a difference of 2), so no float rounding can move a
//! result across a line.

use crate::Invalid;
use serde::Serialize;

/// Which gap a statement is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    /// Direction and clarity from one's own leader.
    Leadership,
    /// Guidance on who to become.
    Mentorship,
}

/// One statement of the check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Statement {
    /// Stable code (the API's field name).
    pub code: &'static str,
    /// The gap it measures.
    pub gap: GapKind,
    /// The words the person rates, 1 (not at all true) to 5 (very true).
    pub text: &'static str,
}

/// The eight statements, in the order they are asked and stored. Leadership
/// and mentorship alternate, so neither block is answered on autopilot.
pub const STATEMENTS: [Statement; 8] = [
    Statement {
        code: "unclear_goals",
        gap: GapKind::Leadership,
        text: "I am not sure what my team is expected to deliver this quarter.",
    },
    Statement {
        code: "who_to_become",
        gap: GapKind::Mentorship,
        text: "I want help working out what kind of leader I want to become.",
    },
    Statement {
        code: "unclear_priorities",
        gap: GapKind::Leadership,
        text: "When priorities clash, I do not know which one my leader wants first.",
    },
    Statement {
        code: "strengths",
        gap: GapKind::Mentorship,
        text: "I would like to understand my strengths and blind spots better.",
    },
    Statement {
        code: "deadlines",
        gap: GapKind::Leadership,
        text: "I often learn about deadlines too late to plan for them.",
    },
    Statement {
        code: "career_path",
        gap: GapKind::Mentorship,
        text: "I am unsure which direction my career should take next.",
    },
    Statement {
        code: "decision_rights",
        gap: GapKind::Leadership,
        text: "I am not sure which decisions are mine to make and which need my leader.",
    },
    Statement {
        code: "outside_view",
        gap: GapKind::Mentorship,
        text: "I would value an outside view from someone who has walked this path before.",
    },
];

/// The eight answers, 1 to 5 each, in [`STATEMENTS`] order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NeedsAnswers([u8; 8]);

impl NeedsAnswers {
    /// Checks each answer; every missing or out-of-range one is named by its
    /// statement's code.
    pub fn parse(raw: &[Option<i64>; 8]) -> Result<Self, Vec<Invalid>> {
        let mut out = [0u8; 8];
        let mut errors = vec![];
        for (i, (s, v)) in STATEMENTS.iter().zip(raw).enumerate() {
            match v {
                Some(v @ 1..=5) => out[i] = *v as u8,
                Some(_) => errors.push(Invalid::new(
                    s.code,
                    "answer from 1 (not at all true) to 5 (very true)",
                )),
                None => errors.push(Invalid::new(
                    s.code,
                    "answer every statement, from 1 (not at all true) to 5 (very true)",
                )),
            }
        }
        if errors.is_empty() {
            Ok(Self(out))
        } else {
            Err(errors)
        }
    }

    /// The stored form: eight digits in statement order.
    pub fn code(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// Reads [`NeedsAnswers::code`]'s form.
    pub fn from_code(code: &str) -> Result<Self, Invalid> {
        let bad = || Invalid::new("scores", "must be eight digits from 1 to 5");
        let bytes = code.as_bytes();
        if bytes.len() != 8 {
            return Err(bad());
        }
        let mut out = [0u8; 8];
        for (o, b) in out.iter_mut().zip(bytes) {
            match b {
                b'1'..=b'5' => *o = b - b'0',
                _ => return Err(bad()),
            }
        }
        Ok(Self(out))
    }

    /// The answers, in statement order.
    pub fn scores(&self) -> [u8; 8] {
        self.0
    }

    /// The sum of the four answers about `gap`.
    fn sum(&self, gap: GapKind) -> u32 {
        STATEMENTS
            .iter()
            .zip(self.0)
            .filter(|(s, _)| s.gap == gap)
            .map(|(_, v)| u32::from(v))
            .sum()
    }
}

/// What the check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Gap {
    /// Direction from one's own leader is what is missing.
    Leadership,
    /// Guidance on who to become is what is missing.
    Mentorship,
    /// Both are high and neither stands out.
    Both,
    /// Neither is high enough, or neither stands out.
    Neither,
}

impl Gap {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Leadership => "leadership",
            Self::Mentorship => "mentorship",
            Self::Both => "both",
            Self::Neither => "neither",
        }
    }

    /// The result in words, for the person who took the check.
    pub fn label(self) -> &'static str {
        match self {
            Self::Leadership => "A leadership gap: you need clearer direction from your own leader",
            Self::Mentorship => "A mentorship gap: you want guidance on who to become",
            Self::Both => "Both: clearer direction from your leader, and guidance on who to become",
            Self::Neither => "Neither gap stands out right now",
        }
    }
}

/// A check's result.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Assessment {
    /// Mean of the leadership statements, 1 to 5.
    pub leadership_mean: f64,
    /// Mean of the mentorship statements, 1 to 5.
    pub mentorship_mean: f64,
    /// The gap named.
    pub gap: Gap,
}

/// A mean of 3.5 over four answers.
const HIGH_SUM: u32 = 14;
/// A difference of 0.5 between means of four answers.
const AHEAD_SUM: u32 = 2;

/// Names the gap: see the module's contract.
pub fn assess(a: &NeedsAnswers) -> Assessment {
    let (l, m) = (a.sum(GapKind::Leadership), a.sum(GapKind::Mentorship));
    let gap = if l >= HIGH_SUM && l >= m + AHEAD_SUM {
        Gap::Leadership
    } else if m >= HIGH_SUM && m >= l + AHEAD_SUM {
        Gap::Mentorship
    } else if l >= HIGH_SUM && m >= HIGH_SUM {
        Gap::Both
    } else {
        Gap::Neither
    };
    Assessment {
        leadership_mean: f64::from(l) / 4.0,
        mentorship_mean: f64::from(m) / 4.0,
        gap,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Leadership answers go in the even places, mentorship in the odd.
    fn answers(l: [u8; 4], m: [u8; 4]) -> NeedsAnswers {
        let mut raw = [None; 8];
        for i in 0..4 {
            raw[2 * i] = Some(i64::from(l[i]));
            raw[2 * i + 1] = Some(i64::from(m[i]));
        }
        NeedsAnswers::parse(&raw).unwrap()
    }

    #[test]
    fn statements_alternate_four_for_each_gap() {
        for (i, s) in STATEMENTS.iter().enumerate() {
            let want = if i % 2 == 0 {
                GapKind::Leadership
            } else {
                GapKind::Mentorship
            };
            assert_eq!(s.gap, want, "{}", s.code);
        }
    }

    #[test]
    fn the_lines_fall_where_the_issue_draws_them() {
        // Exactly 3.5 and exactly 0.5 ahead: named.
        let a = assess(&answers([4, 4, 3, 3], [3, 3, 3, 3]));
        assert_eq!((a.leadership_mean, a.mentorship_mean), (3.5, 3.0));
        assert_eq!(a.gap, Gap::Leadership);
        // 3.5 but only 0.25 ahead, the other below 3.5: neither.
        assert_eq!(
            assess(&answers([4, 4, 3, 3], [4, 3, 3, 3])).gap,
            Gap::Neither
        );
        // Just under 3.5, far ahead: neither.
        assert_eq!(
            assess(&answers([4, 3, 3, 3], [1, 1, 1, 1])).gap,
            Gap::Neither
        );
        assert_eq!(
            assess(&answers([1, 2, 1, 2], [5, 4, 4, 4])).gap,
            Gap::Mentorship
        );
        // Both high, close together: both.
        assert_eq!(assess(&answers([5, 4, 4, 4], [4, 4, 4, 4])).gap, Gap::Both);
        // Both high, one 0.5 ahead: that one.
        assert_eq!(
            assess(&answers([5, 5, 4, 4], [4, 4, 4, 4])).gap,
            Gap::Leadership
        );
        assert_eq!(
            assess(&answers([1, 1, 1, 1], [1, 1, 1, 1])).gap,
            Gap::Neither
        );
    }

    #[test]
    fn bad_answers_name_each_statement() {
        let mut raw = [Some(3); 8];
        raw[1] = Some(6);
        raw[6] = None;
        let e = NeedsAnswers::parse(&raw).unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["who_to_become", "decision_rights"]);
        assert!(NeedsAnswers::from_code("1234").is_err());
        assert!(NeedsAnswers::from_code("12345670").is_err());
    }

    proptest! {
        /// Against the rule written with the means themselves.
        #[test]
        fn matches_the_rule_on_means(raw in proptest::array::uniform8(1u8..=5)) {
            let a = NeedsAnswers::parse(&raw.map(|v| Some(i64::from(v)))).unwrap();
            prop_assert_eq!(NeedsAnswers::from_code(&a.code()).unwrap(), a);
            let r = assess(&a);
            let (l, m) = (r.leadership_mean, r.mentorship_mean);
            let named = |x: f64, y: f64| x >= 3.5 && x - y >= 0.5;
            let want = if named(l, m) {
                Gap::Leadership
            } else if named(m, l) {
                Gap::Mentorship
            } else if l >= 3.5 && m >= 3.5 {
                Gap::Both
            } else {
                Gap::Neither
            };
            prop_assert_eq!(r.gap, want);
            // Raising a leadership answer never turns a leadership result away.
            if r.gap == Gap::Leadership {
                let mut up = raw;
                if let Some(i) = (0..8).step_by(2).find(|i| up[*i] < 5) {
                    up[i] += 1;
                    let b = NeedsAnswers::parse(&up.map(|v| Some(i64::from(v)))).unwrap();
                    prop_assert_eq!(assess(&b).gap, Gap::Leadership);
                }
            }
        }
    }
}
