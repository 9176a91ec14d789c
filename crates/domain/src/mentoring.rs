//! Enrolments, requests and rooms: the states they move through.

use crate::Invalid;
use serde::{Deserialize, Serialize};

macro_rules! coded_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal, { $($(#[$vdoc:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every value.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
            /// Stable code used in storage and the API.
            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code),+ }
            }
            /// Parses a code.
            pub fn parse(raw: &str) -> Result<Self, Invalid> {
                Self::ALL.iter().copied().find(|v| v.code() == raw.trim()).ok_or_else(|| {
                    Invalid::new($field, format!("must be one of: {}", Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", ")))
                })
            }
        }
    };
}

coded_enum!(
    /// Where an application to a programme stands.
    EnrolmentStatus, "status", {
        /// Waiting for a manager.
        Applied = "applied",
        /// In the programme.
        Approved = "approved",
        /// On the waiting list.
        Waitlisted = "waitlisted",
        /// Not accepted.
        Declined = "declined",
        /// Left by the person.
        Withdrawn = "withdrawn",
    }
);

coded_enum!(
    /// A mentoring request (mentee to mentor) or offer (mentor to mentee).
    RequestStatus, "status", {
        /// Waiting for the other side.
        Pending = "pending",
        /// The mentor asked a question; waiting for the mentee's answer.
        NeedsInfo = "needs_info",
        /// Accepted: a room exists.
        Accepted = "accepted",
        /// Declined by the recipient.
        Declined = "declined",
        /// Withdrawn by the sender.
        Withdrawn = "withdrawn",
        /// Nobody answered in time.
        Expired = "expired",
    }
);

impl RequestStatus {
    /// Whether the request still waits for someone (counts as open).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::NeedsInfo)
    }

    /// Checks a move. pending ⇄ needs_info; open → accepted | declined | withdrawn | expired.
    pub fn move_to(self, to: Self) -> Result<Self, Invalid> {
        use RequestStatus::*;
        let ok = matches!((self, to), (Pending, NeedsInfo) | (NeedsInfo, Pending))
            || (self.is_open() && matches!(to, Accepted | Declined | Withdrawn | Expired));
        if ok {
            Ok(to)
        } else {
            Err(illegal_move("request", self.code(), to.code()))
        }
    }
}

coded_enum!(
    /// A mentorship room's lifecycle: proposed → active ⇄ paused → completed | ended early.
    RoomStatus, "status", {
        /// Waiting for members to accept.
        Proposed = "proposed",
        /// Under way.
        Active = "active",
        /// On hold.
        Paused = "paused",
        /// Finished as planned.
        Completed = "completed",
        /// Ended before its time, with a reason.
        EndedEarly = "ended_early",
    }
);

impl RoomStatus {
    /// Whether the room holds a mentor's seat (counts against capacity).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Proposed | Self::Active | Self::Paused)
    }

    /// Checks a move. A closed room never reopens, so a freed seat stays free.
    pub fn move_to(self, to: Self) -> Result<Self, Invalid> {
        use RoomStatus::*;
        let ok = matches!(
            (self, to),
            (Proposed, Active)
                | (Proposed, EndedEarly)
                | (Active, Paused)
                | (Paused, Active)
                | (Active, Completed)
                | (Paused, Completed)
                | (Active, EndedEarly)
                | (Paused, EndedEarly)
        );
        if ok {
            Ok(to)
        } else {
            Err(illegal_move("room", self.code(), to.code()))
        }
    }
}

coded_enum!(
    /// A member's answer to a room proposal.
    MemberState, "state", {
        /// Asked, not answered yet.
        Invited = "invited",
        /// Said yes.
        Accepted = "accepted",
        /// Said no.
        Declined = "declined",
        /// Left the room.
        Left = "left",
    }
);

/// The error for a state change the lifecycle does not allow.
fn illegal_move(what: &str, from: &str, to: &str) -> Invalid {
    Invalid::new(
        "status",
        format!(
            "a {what} that is {} cannot become {}",
            from.replace('_', " "),
            to.replace('_', " ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_moves() {
        use RequestStatus::*;
        assert!(Pending.move_to(NeedsInfo).is_ok());
        assert!(NeedsInfo.move_to(Pending).is_ok());
        assert!(NeedsInfo.move_to(Accepted).is_ok());
        assert!(Expired.move_to(Accepted).is_err());
        assert!(Accepted.move_to(Declined).is_err());
        assert_eq!(RequestStatus::parse("needs_info").unwrap(), NeedsInfo);
        assert_eq!(RequestStatus::parse("nope").unwrap_err().field, "status");
    }

    #[test]
    fn room_moves_never_reopen() {
        use RoomStatus::*;
        assert!(Proposed.move_to(Active).is_ok());
        assert!(Active.move_to(Paused).is_ok() && Paused.move_to(Active).is_ok());
        for closed in [Completed, EndedEarly] {
            for to in RoomStatus::ALL {
                assert!(closed.move_to(*to).is_err());
            }
            assert!(!closed.is_open());
        }
    }
}
