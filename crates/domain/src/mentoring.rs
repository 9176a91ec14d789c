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

        /// The code, so templates and messages show what storage and the API use.
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
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

impl EnrolmentStatus {
    /// Checks a move. A manager decides (approved, waitlisted, declined) on any
    /// application the person has not withdrawn, and may change their mind; the
    /// person may withdraw from any state and apply again after a withdrawal or a
    /// decline; a manager may enrol someone who withdrew directly as approved.
    pub fn move_to(self, to: Self) -> Result<Self, Invalid> {
        use EnrolmentStatus::*;
        let ok = match to {
            Applied => matches!(self, Withdrawn | Declined),
            Approved => self != Approved,
            Waitlisted | Declined => !matches!(self, Withdrawn) && self != to,
            Withdrawn => self != Withdrawn,
        };
        if ok {
            Ok(to)
        } else {
            Err(illegal_move("enrolment", self.code(), to.code()))
        }
    }

    /// The states an enrolment may move to `to` from (see
    /// [`EnrolmentStatus::move_to`]). The store builds the guard of its
    /// conditional update from this list, so the SQL cannot drift from the rules.
    pub fn sources_of(to: Self) -> Vec<Self> {
        sources(Self::ALL, |s| s.move_to(to).is_ok())
    }
}

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

    /// The states a request may move to `to` from (see [`RequestStatus::move_to`]):
    /// the `status IN (…)` guard of the store's conditional updates, which is
    /// what keeps two people answering at once from both winning.
    pub fn sources_of(to: Self) -> Vec<Self> {
        sources(Self::ALL, |s| s.move_to(to).is_ok())
    }

    /// The open states (pending, needs_info).
    pub fn open() -> Vec<Self> {
        sources(Self::ALL, |s| s.is_open())
    }
}

coded_enum!(
    /// Who sent a request: the mentee asking (`request`) or the mentor offering (`offer`).
    RequestDirection, "direction", {
        /// A mentee asks a mentor.
        Request = "request",
        /// A mentor offers to mentor a mentee.
        Offer = "offer",
    }
);

coded_enum!(
    /// How a room came to be.
    RoomOrigin, "origin", {
        /// Proposed by a published matching round.
        Round = "round",
        /// Opened by an accepted request or offer.
        Request = "request",
    }
);

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

    /// The states a room may move to `to` from (see [`RoomStatus::move_to`]).
    pub fn sources_of(to: Self) -> Vec<Self> {
        sources(Self::ALL, |s| s.move_to(to).is_ok())
    }

    /// The open states, whose mentor seats count against capacity.
    pub fn open() -> Vec<Self> {
        sources(Self::ALL, |s| s.is_open())
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

impl MemberState {
    /// Whether the member holds a seat (invited or accepted): their seat counts
    /// against a mentor's capacity while the room is open.
    pub fn holds_seat(self) -> bool {
        matches!(self, Self::Invited | Self::Accepted)
    }

    /// The states that hold a seat.
    pub fn seated() -> Vec<Self> {
        sources(Self::ALL, |s| s.holds_seat())
    }
}

coded_enum!(
    /// Where a confidential report stands.
    ReportStatus, "status", {
        /// Waiting for a manager.
        Open = "open",
        /// A manager resolved it.
        Resolved = "resolved",
    }
);

coded_enum!(
    /// A matching round's lifecycle: draft → published, or draft → discarded.
    RoundStatus, "status", {
        /// Run, waiting for a manager to publish it.
        Draft = "draft",
        /// Published: its rooms were proposed.
        Published = "published",
        /// Superseded by a newer run, or thrown away.
        Discarded = "discarded",
    }
);

coded_enum!(
    /// A session: scheduled, then held, cancelled or missed.
    SessionStatus, "status", {
        /// Planned.
        Scheduled = "scheduled",
        /// It took place.
        Held = "held",
        /// Called off, by someone, for a reason.
        Cancelled = "cancelled",
        /// Nobody came, or it did not happen and was not cancelled.
        Missed = "missed",
    }
);

impl SessionStatus {
    /// Checks a move. Only a scheduled session moves; once held, cancelled or
    /// missed it stays so (a mistake is put right by scheduling another).
    pub fn move_to(self, to: Self) -> Result<Self, Invalid> {
        if self == Self::Scheduled && to != Self::Scheduled {
            Ok(to)
        } else {
            Err(illegal_move("session", self.code(), to.code()))
        }
    }

    /// The states a session may move to `to` from.
    pub fn sources_of(to: Self) -> Vec<Self> {
        sources(Self::ALL, |s| s.move_to(to).is_ok())
    }
}

coded_enum!(
    /// How one member attended a held session.
    Attendance, "attendance", {
        /// On time (or within the programme's lateness rule).
        Attended = "attended",
        /// Later than the programme's rule allows.
        Late = "late",
        /// Did not come.
        NoShow = "no_show",
    }
);

fn sources<T: Copy>(all: &[T], keep: impl Fn(T) -> bool) -> Vec<T> {
    all.iter().copied().filter(|s| keep(*s)).collect()
}

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

coded_enum!(
    /// Who reads a room note: its author alone (`private`), or the room
    /// (`room`: the current members, and the managers where the programme's
    /// room rules say so).
    NoteVisibility, "visibility", {
        /// The author, and nobody else, ever.
        Private = "private",
        /// Shared with the room.
        Room = "room",
    }
);

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
    fn request_sources_are_the_state_machine() {
        use RequestStatus::*;
        assert_eq!(RequestStatus::sources_of(NeedsInfo), [Pending]);
        assert_eq!(RequestStatus::sources_of(Pending), [NeedsInfo]);
        for closed in [Accepted, Declined, Withdrawn, Expired] {
            assert_eq!(RequestStatus::sources_of(closed), [Pending, NeedsInfo]);
        }
        assert_eq!(RequestStatus::open(), [Pending, NeedsInfo]);
    }

    #[test]
    fn room_sources_are_the_state_machine() {
        use RoomStatus::*;
        assert!(RoomStatus::sources_of(Proposed).is_empty());
        assert_eq!(RoomStatus::sources_of(Active), [Proposed, Paused]);
        assert_eq!(RoomStatus::sources_of(Paused), [Active]);
        assert_eq!(RoomStatus::sources_of(Completed), [Active, Paused]);
        assert_eq!(
            RoomStatus::sources_of(EndedEarly),
            [Proposed, Active, Paused]
        );
        assert_eq!(RoomStatus::open(), [Proposed, Active, Paused]);
        assert_eq!(
            MemberState::seated(),
            [MemberState::Invited, MemberState::Accepted]
        );
    }

    #[test]
    fn enrolment_sources_are_the_state_machine() {
        use EnrolmentStatus::*;
        assert_eq!(EnrolmentStatus::sources_of(Applied), [Declined, Withdrawn]);
        assert_eq!(
            EnrolmentStatus::sources_of(Approved),
            [Applied, Waitlisted, Declined, Withdrawn]
        );
        assert_eq!(
            EnrolmentStatus::sources_of(Waitlisted),
            [Applied, Approved, Declined]
        );
        assert_eq!(
            EnrolmentStatus::sources_of(Declined),
            [Applied, Approved, Waitlisted]
        );
        assert_eq!(
            EnrolmentStatus::sources_of(Withdrawn),
            [Applied, Approved, Waitlisted, Declined]
        );
        let e = Withdrawn.move_to(Declined).unwrap_err();
        assert!(
            e.message.contains("withdrawn cannot become declined"),
            "{e}"
        );
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
