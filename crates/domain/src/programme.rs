//! Programmes and the roles people hold in them.

use crate::Invalid;
use serde::{Deserialize, Serialize};

/// A role a person holds in one programme. One person can be a mentor in one
/// programme and a mentee in another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeRole {
    /// Runs the programme.
    Manager,
    /// Mentors in it.
    Mentor,
    /// Is mentored in it.
    Mentee,
    /// Takes part as a peer.
    Peer,
    /// Facilitates a group or circle.
    Facilitator,
}

impl ProgrammeRole {
    /// Every role.
    pub const ALL: [Self; 5] = [
        Self::Manager,
        Self::Mentor,
        Self::Mentee,
        Self::Peer,
        Self::Facilitator,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Manager => "manager",
            Self::Mentor => "mentor",
            Self::Mentee => "mentee",
            Self::Peer => "peer",
            Self::Facilitator => "facilitator",
        }
    }

    /// Parses a code.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == raw.trim())
            .ok_or_else(|| {
                Invalid::new(
                    field,
                    "role must be manager, mentor, mentee, peer or facilitator",
                )
            })
    }
}

/// The kind of programme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeKind {
    /// One mentor, one mentee.
    OneToOne,
    /// One or more mentors with several mentees.
    Group,
    /// Pairs of people at a similar level.
    Peer,
    /// A less senior person mentors a more senior one in a named skill area.
    Reverse,
    /// A peer circle of 4–8 members, optionally with a facilitator.
    Circle,
}

impl ProgrammeKind {
    /// Every kind.
    pub const ALL: [Self; 5] = [
        Self::OneToOne,
        Self::Group,
        Self::Peer,
        Self::Reverse,
        Self::Circle,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::OneToOne => "one_to_one",
            Self::Group => "group",
            Self::Peer => "peer",
            Self::Reverse => "reverse",
            Self::Circle => "circle",
        }
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::OneToOne => "One-to-one mentoring",
            Self::Group => "Group mentoring",
            Self::Peer => "Peer mentoring",
            Self::Reverse => "Reverse mentoring",
            Self::Circle => "Peer circles",
        }
    }

    /// Parses a code.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == raw.trim())
            .ok_or_else(|| {
                Invalid::new(
                    field,
                    "kind must be one_to_one, group, peer, reverse or circle",
                )
            })
    }
}

/// Programme lifecycle: draft → open → running → closed, or open → closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeStatus {
    /// Being prepared; invisible to members.
    Draft,
    /// Taking enrolments and matching rounds.
    Open,
    /// Relationships under way.
    Running,
    /// Finished.
    Closed,
}

impl ProgrammeStatus {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Open => "open",
            Self::Running => "running",
            Self::Closed => "closed",
        }
    }

    /// Parses a code.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        [Self::Draft, Self::Open, Self::Running, Self::Closed]
            .into_iter()
            .find(|s| s.code() == raw.trim())
            .ok_or_else(|| Invalid::new(field, "status must be draft, open, running or closed"))
    }

    /// Checks a move; the error says which moves are allowed.
    pub fn move_to(self, to: Self) -> Result<Self, Invalid> {
        use ProgrammeStatus::*;
        match (self, to) {
            (Draft, Open) | (Open, Running) | (Running, Closed) | (Open, Closed) => Ok(to),
            _ => Err(Invalid::new(
                "status",
                format!(
                    "a programme cannot move from {} to {}; allowed moves are draft → open → running → closed, and open → closed",
                    self.code(),
                    to.code()
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programme_moves() {
        use ProgrammeStatus::*;
        assert!(Draft.move_to(Open).is_ok());
        assert!(Open.move_to(Closed).is_ok());
        assert!(Draft.move_to(Running).is_err());
        assert!(Closed.move_to(Open).is_err());
        assert!(Running.move_to(Open).is_err());
    }
}
