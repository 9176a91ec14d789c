//! Typed ids: a person id cannot be passed where a programme id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random id.
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// A person: an account plus a profile.
    PersonId
);
id_type!(
    /// A mentoring programme.
    ProgrammeId
);
id_type!(
    /// A sign-in session (the cookie holds a secret, not this id).
    LoginSessionId
);
id_type!(
    /// A personal API token.
    ApiTokenId
);
id_type!(
    /// An entry in the skill catalogue.
    SkillId
);
id_type!(
    /// A person's enrolment in a programme in one role.
    EnrolmentId
);
id_type!(
    /// A mentoring request or offer.
    RequestId
);
id_type!(
    /// A mentorship room (1:1 or group).
    RoomId
);
id_type!(
    /// A matching round: one run of the matcher over a programme.
    RoundId
);
id_type!(
    /// A confidential report to a programme's managers.
    ReportId
);
id_type!(
    /// A meeting of a room's members (one occurrence of a series).
    SessionId
);
id_type!(
    /// A repeating series of sessions.
    SeriesId
);
id_type!(
    /// One version of a room's agreement.
    AgreementId
);
id_type!(
    /// A goal, owned by one member (or shared by a group room).
    GoalId
);
id_type!(
    /// A milestone of a goal.
    MilestoneId
);
id_type!(
    /// A comment on a goal.
    CommentId
);
id_type!(
    /// An action item from a session.
    ActionItemId
);
id_type!(
    /// A proposal to move a session to a new time.
    RescheduleId
);
id_type!(
    /// A note, private to its author or shared with the room.
    NoteId
);
id_type!(
    /// A message in a room's thread.
    MessageId
);
id_type!(
    /// A member's answers to one rapport pulse.
    PulseId
);
id_type!(
    /// A member's closing reflection and outcome survey.
    ClosureId
);

id_type!(
    /// An in-app notification (the bell's list).
    NotificationId
);

// Roadmaps (issue 19, H6).
id_type!(
    /// A roadmap: a curated path of steps, versioned.
    RoadmapId
);
id_type!(
    /// A roadmap step; the same id across every version of its roadmap.
    RoadmapStepId
);
// Growth Threads (issue 19).
id_type!(
    /// A growth thread: one member's learning-in-public journal.
    ThreadId
);
id_type!(
    /// A dated post in a growth thread.
    PostId
);
id_type!(
    /// A comment on a post (or a reply to one, one level deep).
    ThreadCommentId
);
// Reflection and the needs check (issue 19, H8).
id_type!(
    /// A reflection prompt in the library.
    PromptId
);
id_type!(
    /// A prompt a mentor assigned to their room.
    RoomPromptId
);
id_type!(
    /// A member's answer to a reflection prompt.
    ReflectionId
);
id_type!(
    /// One needs check a person took.
    NeedsCheckId
);
