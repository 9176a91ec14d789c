//! Reflection: the prompt library's themes, how often a member wants a
//! prompt, and who may read an answer.

use crate::Invalid;
use serde::Serialize;

const DAY_MS: i64 = 86_400_000;

/// What a prompt is about (the library's themes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PromptTheme {
    /// How mentorship has shaped one's leadership.
    Shaping,
    /// What one looks for in a mentor.
    Seeking,
    /// Reverse mentoring.
    Reverse,
    /// Critical feedback received and what changed.
    Feedback,
    /// Blind spots.
    BlindSpots,
    /// Staying authentic while taking advice.
    Authenticity,
    /// Transitions between leadership levels.
    Transitions,
    /// Building a learning culture in one's team.
    LearningCulture,
    /// Anything else an admin adds.
    Other,
}

impl PromptTheme {
    /// Every theme, in the library's order.
    pub const ALL: [Self; 9] = [
        Self::Shaping,
        Self::Seeking,
        Self::Reverse,
        Self::Feedback,
        Self::BlindSpots,
        Self::Authenticity,
        Self::Transitions,
        Self::LearningCulture,
        Self::Other,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Shaping => "shaping",
            Self::Seeking => "seeking",
            Self::Reverse => "reverse",
            Self::Feedback => "feedback",
            Self::BlindSpots => "blind_spots",
            Self::Authenticity => "authenticity",
            Self::Transitions => "transitions",
            Self::LearningCulture => "learning_culture",
            Self::Other => "other",
        }
    }

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Shaping => "How mentorship shapes your leadership",
            Self::Seeking => "What you look for in a mentor",
            Self::Reverse => "Reverse mentoring",
            Self::Feedback => "Critical feedback and what changed",
            Self::BlindSpots => "Blind spots",
            Self::Authenticity => "Staying yourself while taking advice",
            Self::Transitions => "Moving between leadership levels",
            Self::LearningCulture => "Building a learning culture",
            Self::Other => "Other",
        }
    }

    /// Parses a code, naming `field` when it is unknown.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|t| t.code() == raw.trim())
            .ok_or_else(|| {
                Invalid::new(
                    field,
                    "choose shaping, seeking, reverse, feedback, blind_spots, authenticity, transitions, learning_culture or other",
                )
            })
    }
}

/// How often a member gets a prompt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// No prompts.
    Never,
    /// One a week.
    Weekly,
    /// One every two weeks.
    Fortnightly,
}

impl Cadence {
    /// Every choice, in the form's order.
    pub const ALL: [Self; 3] = [Self::Never, Self::Weekly, Self::Fortnightly];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Never => "never",
            Self::Weekly => "weekly",
            Self::Fortnightly => "fortnightly",
        }
    }

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Never => "Never",
            Self::Weekly => "Every week",
            Self::Fortnightly => "Every two weeks",
        }
    }

    /// Parses a code, naming `field` when it is unknown.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == raw.trim())
            .ok_or_else(|| Invalid::new(field, "choose never, weekly or fortnightly"))
    }

    /// The time between two prompts; none for never.
    pub fn every_ms(self) -> Option<i64> {
        match self {
            Self::Never => None,
            Self::Weekly => Some(7 * DAY_MS),
            Self::Fortnightly => Some(14 * DAY_MS),
        }
    }
}

/// Who reads an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerVisibility {
    /// Its author alone, by any route, ever.
    Private,
    /// The current members of the room whose mentor assigned the prompt.
    Room,
    /// Whoever may read the growth thread it was shared into.
    Thread,
}

impl AnswerVisibility {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Room => "room",
            Self::Thread => "thread",
        }
    }

    /// Parses a code, naming `field` when it is unknown.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        [Self::Private, Self::Room, Self::Thread]
            .into_iter()
            .find(|v| v.code() == raw.trim())
            .ok_or_else(|| {
                Invalid::new(
                    field,
                    "choose private (only you, ever), room (your room, for a prompt your mentor assigned) or thread (one of your growth threads)",
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_bad_ones_name_the_field() {
        for t in PromptTheme::ALL {
            assert_eq!(PromptTheme::parse("theme", t.code()).unwrap(), t);
        }
        for c in Cadence::ALL {
            assert_eq!(Cadence::parse("cadence", c.code()).unwrap(), c);
        }
        assert_eq!(
            Cadence::parse("cadence", "daily").unwrap_err().field,
            "cadence"
        );
        assert_eq!(
            AnswerVisibility::parse("visibility", "public")
                .unwrap_err()
                .field,
            "visibility"
        );
        assert_eq!(Cadence::Fortnightly.every_ms(), Some(14 * DAY_MS));
        assert_eq!(Cadence::Never.every_ms(), None);
    }
}
