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

    /// Whether the relationship is under way (active or paused): what room
    /// health assesses, and what a pulse, a reflection or a re-match needs.
    pub fn is_under_way(self) -> bool {
        matches!(self, Self::Active | Self::Paused)
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
    /// Why a room ended early. `declined` is set by the proposal answers
    /// alone (someone said no and the room could not go ahead).
    EndReason, "reason", {
        /// A member declined the proposal.
        Declined = "declined",
        /// The goals were met sooner than planned.
        GoalsMet = "goals_met",
        /// The match was not a good fit (no fault: a re-match follows).
        Fit = "fit",
        /// Someone no longer has the time.
        Time = "time",
        /// Someone left the organisation.
        LeftOrganisation = "left_organisation",
        /// Nobody acted for the programme's inactivity limit.
        Inactive = "inactive",
        /// A breach of the code of conduct.
        Conduct = "conduct",
        /// Anything else; the note says what.
        Other = "other",
    }
);

impl EndReason {
    /// The reasons a person may give when ending a room: every one but
    /// `declined`, which only the proposal answers set.
    pub fn chosen() -> Vec<Self> {
        sources(Self::ALL, |r| r != Self::Declined)
    }

    /// A neutral sentence for pages and emails, blaming no one.
    pub fn label(self) -> &'static str {
        match self {
            Self::Declined => "A member declined the proposal",
            Self::GoalsMet => "The goals were met",
            Self::Fit => "Not the right fit (no fault)",
            Self::Time => "Not enough time",
            Self::LeftOrganisation => "Someone left the organisation",
            Self::Inactive => "No activity for too long",
            Self::Conduct => "The code of conduct",
            Self::Other => "Another reason",
        }
    }
}

coded_enum!(
    /// A move a person asks of a room (`POST /api/v1/rooms/{id}/status`).
    RoomAction, "action", {
        /// Put an active room on hold.
        Pause = "pause",
        /// Take a paused room up again.
        Resume = "resume",
        /// Ask the others to agree that the room is done.
        ProposeCompletion = "propose_completion",
        /// Agree that the room is done: it completes.
        ConfirmCompletion = "confirm_completion",
        /// A manager completes the room alone.
        Complete = "complete",
        /// End the room early, with a reason.
        End = "end",
        /// Leave a group room or circle; the others carry on while they can.
        Leave = "leave",
    }
);

coded_enum!(
    /// One entry of a room's history: a move and who made it.
    RoomEventKind, "action", {
        /// The room was proposed (by a round, or by an accepted request).
        Propose = "propose",
        /// A member accepted the proposal.
        Accept = "accept",
        /// A member declined the proposal.
        Decline = "decline",
        /// Everyone had accepted: the room opened.
        Activate = "activate",
        /// Put on hold.
        Pause = "pause",
        /// Taken up again.
        Resume = "resume",
        /// A member proposed completing the room.
        ProposeCompletion = "propose_completion",
        /// The completion was confirmed: the room completed.
        ConfirmCompletion = "confirm_completion",
        /// A manager completed the room.
        Complete = "complete",
        /// The room ended early.
        End = "end",
        /// A member left the room.
        Leave = "leave",
    }
);

impl RoomEventKind {
    /// A short phrase for the history page ("paused the room").
    pub fn label(self) -> &'static str {
        match self {
            Self::Propose => "proposed the room",
            Self::Accept => "accepted the proposal",
            Self::Decline => "declined the proposal",
            Self::Activate => "the room opened",
            Self::Pause => "paused the room",
            Self::Resume => "resumed the room",
            Self::ProposeCompletion => "proposed completing the room",
            Self::ConfirmCompletion => "confirmed completion",
            Self::Complete => "completed the room",
            Self::End => "ended the room",
            Self::Leave => "left the room",
        }
    }
}

/// Who is asking for a room move, as [`RoomMoveRules::check`] needs it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mover {
    /// A current member (invited or accepted).
    pub member: bool,
    /// A current mentor or facilitator of the room.
    pub leads: bool,
    /// A manager of the programme (or an admin).
    pub manager: bool,
    /// The member who proposed completion is the mover.
    pub proposed_completion: bool,
}

/// The shape of a room, for who may move it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoomShape {
    /// A group or circle (a room of more than two, by kind): members may
    /// leave it, and where it has a lead, the lead pauses and completes it.
    pub group: bool,
    /// It has a current mentor or facilitator.
    pub led: bool,
}

impl RoomShape {
    /// Its leads decide pauses and completion: a group with a lead. A pair,
    /// or a circle without a facilitator, decides together.
    pub fn lead_decides(self) -> bool {
        self.group && self.led
    }
}

/// What a permitted move does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoomMove {
    /// The room moves to this status.
    To(RoomStatus),
    /// The mover's completion proposal is recorded; the status stays.
    ProposeCompletion,
    /// The mover leaves; the room carries on while it is still viable.
    Leave,
}

/// Why a move was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MoveRefusal {
    /// The mover may not make it (403): the text says who may.
    NotYours(String),
    /// The room's state forbids it (409): the text names the state.
    State(String),
}

/// The rules of section 1 of the rooms issue: who may make which move, in
/// which state. Pure, so every cell is a table test.
pub struct RoomMoveRules;

impl RoomMoveRules {
    /// Checks `action` by `mover` on a room of `shape` in `status`, where
    /// `proposal` says whether someone proposed completion already.
    pub fn check(
        action: RoomAction,
        shape: RoomShape,
        status: RoomStatus,
        mover: Mover,
        proposal: bool,
    ) -> Result<RoomMove, MoveRefusal> {
        use RoomAction::*;
        let state = |what: &str| {
            MoveRefusal::State(format!(
                "this room is {}; {what}",
                status.code().replace('_', " ")
            ))
        };
        if !matches!(status, RoomStatus::Active | RoomStatus::Paused) {
            return Err(state(if status == RoomStatus::Proposed {
                "it opens when every member has accepted, so answer the proposal instead"
            } else {
                "it can be read but no longer changed"
            }));
        }
        let members_only = || MoveRefusal::NotYours("only the room's members can do that".into());
        let lead_only = || {
            MoveRefusal::NotYours(
                "in a group or circle, its mentor or facilitator does that".into(),
            )
        };
        let leader_ok = |m: Mover| {
            if !m.member {
                Err(members_only())
            } else if shape.lead_decides() && !m.leads {
                Err(lead_only())
            } else {
                Ok(())
            }
        };
        match action {
            Pause => {
                leader_ok(mover)?;
                if status == RoomStatus::Paused {
                    return Err(state("resume it first"));
                }
                Ok(RoomMove::To(RoomStatus::Paused))
            }
            Resume => {
                leader_ok(mover)?;
                if status == RoomStatus::Active {
                    return Err(state("only a paused room resumes"));
                }
                Ok(RoomMove::To(RoomStatus::Active))
            }
            ProposeCompletion => {
                if !mover.member {
                    return Err(members_only());
                }
                if proposal {
                    return Err(MoveRefusal::State(
                        "completion is already proposed; it waits for confirmation".into(),
                    ));
                }
                Ok(RoomMove::ProposeCompletion)
            }
            ConfirmCompletion => {
                if !mover.member {
                    return Err(members_only());
                }
                if shape.lead_decides() {
                    return if mover.leads {
                        Ok(RoomMove::To(RoomStatus::Completed))
                    } else {
                        Err(lead_only())
                    };
                }
                if !proposal {
                    return Err(MoveRefusal::State(
                        "nobody has proposed completing this room yet; propose it first".into(),
                    ));
                }
                if mover.proposed_completion {
                    return Err(MoveRefusal::NotYours(
                        "you proposed completion; another member confirms it".into(),
                    ));
                }
                Ok(RoomMove::To(RoomStatus::Completed))
            }
            Complete => {
                if !mover.manager {
                    return Err(MoveRefusal::NotYours(
                        "a manager of the programme completes a room alone; members propose and confirm completion".into(),
                    ));
                }
                Ok(RoomMove::To(RoomStatus::Completed))
            }
            End => {
                if !mover.member && !mover.manager {
                    return Err(members_only());
                }
                Ok(RoomMove::To(RoomStatus::EndedEarly))
            }
            Leave => {
                if !mover.member {
                    return Err(members_only());
                }
                if !shape.group {
                    return Err(MoveRefusal::State(
                        "a pair cannot be left by one member; end the room instead".into(),
                    ));
                }
                Ok(RoomMove::Leave)
            }
        }
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
    /// Every move, by every kind of mover, in a pair, a led group and a
    /// circle without a facilitator, with the answer expected in each cell.
    #[test]
    fn room_moves_and_who_may_make_them() {
        use RoomAction::*;
        use RoomStatus::{Active, Completed, EndedEarly, Paused, Proposed};
        let pair = RoomShape {
            group: false,
            led: true,
        };
        let group = RoomShape {
            group: true,
            led: true,
        };
        let circle = RoomShape {
            group: true,
            led: false,
        };
        let member = Mover {
            member: true,
            ..Mover::default()
        };
        let lead = Mover {
            member: true,
            leads: true,
            ..Mover::default()
        };
        let manager = Mover {
            manager: true,
            ..Mover::default()
        };
        let proposer = Mover {
            proposed_completion: true,
            ..member
        };
        // (action, shape, status, mover, proposal made, expected):
        // Ok(move), or Err(true) for 403, Err(false) for 409.
        type Want = Result<RoomMove, bool>;
        let to = |s| Ok(RoomMove::To(s));
        let cases: Vec<(RoomAction, RoomShape, RoomStatus, Mover, bool, Want)> = vec![
            // Pause and resume: either member of a pair; the lead of a group.
            (Pause, pair, Active, member, false, to(Paused)),
            (Pause, pair, Active, lead, false, to(Paused)),
            (Pause, pair, Paused, member, false, Err(false)),
            (Pause, group, Active, member, false, Err(true)),
            (Pause, group, Active, lead, false, to(Paused)),
            (Pause, circle, Active, member, false, to(Paused)),
            (Pause, pair, Active, manager, false, Err(true)),
            (Resume, pair, Paused, member, false, to(Active)),
            (Resume, pair, Active, member, false, Err(false)),
            (Resume, group, Paused, member, false, Err(true)),
            (Resume, group, Paused, lead, false, to(Active)),
            (Resume, pair, Paused, manager, false, Err(true)),
            // Completion in a pair: one proposes, the other confirms.
            (
                ProposeCompletion,
                pair,
                Active,
                member,
                false,
                Ok(RoomMove::ProposeCompletion),
            ),
            (
                ProposeCompletion,
                pair,
                Paused,
                member,
                false,
                Ok(RoomMove::ProposeCompletion),
            ),
            (ProposeCompletion, pair, Active, member, true, Err(false)),
            (ProposeCompletion, pair, Active, manager, false, Err(true)),
            (ConfirmCompletion, pair, Active, member, false, Err(false)),
            (ConfirmCompletion, pair, Active, proposer, true, Err(true)),
            (ConfirmCompletion, pair, Active, member, true, to(Completed)),
            (ConfirmCompletion, pair, Paused, lead, true, to(Completed)),
            (ConfirmCompletion, pair, Active, manager, true, Err(true)),
            // In a group the lead confirms directly; in a circle with no
            // facilitator the members decide as a pair does.
            (ConfirmCompletion, group, Active, lead, false, to(Completed)),
            (ConfirmCompletion, group, Active, member, true, Err(true)),
            (
                ProposeCompletion,
                group,
                Active,
                member,
                false,
                Ok(RoomMove::ProposeCompletion),
            ),
            (ConfirmCompletion, circle, Active, member, false, Err(false)),
            (
                ConfirmCompletion,
                circle,
                Active,
                member,
                true,
                to(Completed),
            ),
            // Managers complete or end alone; members end with a reason.
            (Complete, pair, Active, manager, false, to(Completed)),
            (Complete, group, Paused, manager, false, to(Completed)),
            (Complete, pair, Active, member, false, Err(true)),
            (Complete, group, Active, lead, false, Err(true)),
            (End, pair, Active, manager, false, to(EndedEarly)),
            (End, pair, Paused, member, false, to(EndedEarly)),
            (End, group, Active, member, false, to(EndedEarly)),
            (End, pair, Active, Mover::default(), false, Err(true)),
            // Leaving: groups and circles only.
            (Leave, group, Active, member, false, Ok(RoomMove::Leave)),
            (Leave, circle, Paused, member, false, Ok(RoomMove::Leave)),
            (Leave, group, Active, lead, false, Ok(RoomMove::Leave)),
            (Leave, pair, Active, member, false, Err(false)),
            (Leave, group, Active, manager, false, Err(true)),
        ];
        for (action, shape, status, mover, proposal, want) in cases {
            let got = RoomMoveRules::check(action, shape, status, mover, proposal)
                .map_err(|e| matches!(e, MoveRefusal::NotYours(_)));
            assert_eq!(
                got, want,
                "{action} in {shape:?} ({status}) by {mover:?}, proposal {proposal}"
            );
        }
        // No move at all on a proposed or closed room: 409 naming the state.
        for status in [Proposed, Completed, EndedEarly] {
            for action in RoomAction::ALL {
                for mover in [member, lead, manager] {
                    match RoomMoveRules::check(*action, pair, status, mover, false) {
                        Err(MoveRefusal::State(m)) => {
                            assert!(m.contains(&status.code().replace('_', " ")), "{m}")
                        }
                        other => panic!("{action} on a {status} room: {other:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn end_reasons_are_the_issues_codes() {
        let codes: Vec<_> = EndReason::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(
            codes,
            [
                "declined",
                "goals_met",
                "fit",
                "time",
                "left_organisation",
                "inactive",
                "conduct",
                "other"
            ]
        );
        assert!(!EndReason::chosen().contains(&EndReason::Declined));
        assert_eq!(EndReason::parse("bored").unwrap_err().field, "reason");
        assert_eq!(RoomAction::parse("explode").unwrap_err().field, "action");
    }
}
