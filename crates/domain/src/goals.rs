//! Goals and milestones: what a member (or, in a group, the whole room) works
//! towards, and how far along it is.
//!
//! # Rules
//! - A goal belongs to a room and to one member (a mentee or a peer); group
//!   rooms may also hold shared goals, with no owner.
//! - Progress is the share of done milestones; a goal without milestones has
//!   the progress its owner sets (0–100). Every change is kept as a progress
//!   event, which the chart draws.
//! - The owner edits the goal and its milestones (any current member, for a
//!   shared goal). The owner, the room's mentor or facilitator and, in peer
//!   rooms and circles, the other members comment.

use crate::programme::{ProgrammeKind, ProgrammeRole};
use crate::Invalid;
use serde::{Deserialize, Serialize};

/// Where a goal stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    /// Being worked on.
    Open,
    /// Reached.
    Achieved,
    /// Given up, or no longer wanted.
    Dropped,
}

impl GoalStatus {
    /// Every status.
    pub const ALL: [Self; 3] = [Self::Open, Self::Achieved, Self::Dropped];

    /// Stable code, in storage and the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Achieved => "achieved",
            Self::Dropped => "dropped",
        }
    }

    /// Parses a code; the error names `status`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == raw.trim())
            .ok_or_else(|| Invalid::new("status", "status must be open, achieved or dropped"))
    }
}

impl std::fmt::Display for GoalStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A goal's progress, 0 to 100: the share of done milestones (rounded
/// down), or `manual` when there are none.
pub fn progress(done: usize, total: usize, manual: u8) -> u8 {
    // done <= total, so the share is at most 100; no milestones: the owner's number.
    match (done.min(total) * 100).checked_div(total) {
        Some(share) => share as u8,
        None => manual.min(100),
    }
}

/// Parses a progress the owner sets: a whole number from 0 to 100.
pub fn parse_progress(raw: i64) -> Result<u8, Invalid> {
    u8::try_from(raw)
        .ok()
        .filter(|p| *p <= 100)
        .ok_or_else(|| Invalid::new("progress", "progress must be a whole number from 0 to 100"))
}

/// Longest goal or milestone title (characters).
pub const MAX_TITLE: usize = 200;

/// Checks a title: 1 to [`MAX_TITLE`] characters after trimming.
pub fn parse_title(field: &'static str, raw: &str) -> Result<String, Invalid> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(Invalid::new(field, "give it a title"));
    }
    if t.chars().count() > MAX_TITLE {
        return Err(Invalid::new(
            field,
            format!("keep the title to {MAX_TITLE} characters; put details in the description"),
        ));
    }
    Ok(t.to_string())
}

/// Whether a member in `role` may own goals (mentees and peers do).
pub fn owns_goals(role: ProgrammeRole) -> bool {
    matches!(role, ProgrammeRole::Mentee | ProgrammeRole::Peer)
}

/// Whether a room of `kind` may hold shared goals (group rooms and circles).
pub fn allows_shared_goals(kind: ProgrammeKind) -> bool {
    matches!(kind, ProgrammeKind::Group | ProgrammeKind::Circle)
}

/// Whether a current member in `role` may comment on a goal owned by
/// `owner_is_me` (or shared, when `shared`) in a room of `kind`.
pub fn may_comment(
    kind: ProgrammeKind,
    role: ProgrammeRole,
    owner_is_me: bool,
    shared: bool,
) -> bool {
    owner_is_me
        || shared
        || matches!(role, ProgrammeRole::Mentor | ProgrammeRole::Facilitator)
        || matches!(kind, ProgrammeKind::Peer | ProgrammeKind::Circle)
}

/// A goal as it stood when its owner moved to a new room (a re-match): the
/// old room keeps this read-only copy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalSnapshot {
    /// Title.
    pub title: String,
    /// Description (Markdown).
    pub description: String,
    /// Success criteria (Markdown).
    pub success_criteria: String,
    /// Target day, `YYYY-MM-DD`.
    pub target_date: Option<String>,
    /// Status.
    pub status: GoalStatus,
    /// Progress, 0–100.
    pub progress: u8,
    /// Milestones: title, due day, done.
    pub milestones: Vec<SnapshotMilestone>,
}

/// A milestone in a [`GoalSnapshot`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotMilestone {
    /// Title.
    pub title: String,
    /// Due day, `YYYY-MM-DD`.
    pub due_date: Option<String>,
    /// Done.
    pub done: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_follows_milestones_or_the_owner() {
        assert_eq!(progress(0, 0, 40), 40);
        assert_eq!(progress(1, 3, 40), 33);
        assert_eq!(progress(3, 3, 0), 100);
        assert_eq!(progress(0, 2, 90), 0);
        assert_eq!(progress(0, 0, 200), 100);
    }

    #[test]
    fn progress_is_0_to_100() {
        assert_eq!(parse_progress(0).unwrap(), 0);
        assert_eq!(parse_progress(100).unwrap(), 100);
        assert_eq!(parse_progress(101).unwrap_err().field, "progress");
        assert_eq!(parse_progress(-1).unwrap_err().field, "progress");
    }

    #[test]
    fn titles_are_short_and_present() {
        assert_eq!(parse_title("title", "  Speak up  ").unwrap(), "Speak up");
        assert_eq!(parse_title("title", " ").unwrap_err().field, "title");
        assert!(parse_title("title", &"x".repeat(201)).is_err());
        assert_eq!(GoalStatus::parse("done").unwrap_err().field, "status");
        assert_eq!(GoalStatus::parse("achieved").unwrap(), GoalStatus::Achieved);
    }

    #[test]
    fn who_comments() {
        use ProgrammeKind as K;
        use ProgrammeRole as R;
        assert!(may_comment(K::OneToOne, R::Mentor, false, false));
        assert!(may_comment(K::OneToOne, R::Mentee, true, false));
        assert!(!may_comment(K::Group, R::Mentee, false, false));
        assert!(may_comment(K::Group, R::Mentee, false, true));
        assert!(may_comment(K::Peer, R::Peer, false, false));
        assert!(may_comment(K::Circle, R::Peer, false, false));
        assert!(owns_goals(R::Mentee) && owns_goals(R::Peer) && !owns_goals(R::Mentor));
        assert!(allows_shared_goals(K::Group) && !allows_shared_goals(K::OneToOne));
    }
}
