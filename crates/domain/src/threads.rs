//! Growth Threads: the vocabulary of a learning-in-public journal (issue 19).
//!
//! A thread declares who may read it; its posts, comments and reactions have
//! no visibility of their own, so narrowing the thread narrows them all.

use crate::Invalid;
use serde::{Deserialize, Serialize};

/// Defines a closed set of codes with `code`, `label`, `ALL` and `parse`.
macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal, { $($(#[$vdoc:meta])* $variant:ident => $code:literal, $label:literal;)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// Stable code (API, database).
            pub fn code(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)*
                }
            }

            /// Words for a person.
            pub fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)*
                }
            }

            /// Parses a code; anything else is an error naming `field` and
            /// listing the codes that are accepted.
            pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.code() == raw.trim())
                    .ok_or_else(|| {
                        let codes: Vec<&str> = Self::ALL.iter().map(|v| v.code()).collect();
                        Invalid::new(field, format!("unknown {}: use one of {}", $what, codes.join(", ")))
                    })
            }
        }
    };
}

code_enum!(
    /// Who may read a thread and everything in it.
    ThreadVisibility, "visibility", {
        /// Its author only.
        OnlyMe => "only_me", "Only me";
        /// The members of the author's proposed, active or paused rooms, now.
        MyRooms => "my_rooms", "My rooms";
        /// Everyone with a role in one programme the author belongs to.
        Programme => "programme", "A programme";
        /// Every signed-in member (never anonymous visitors).
        Members => "members", "Every member";
    }
);

code_enum!(
    /// What a post is.
    PostKind, "kind", {
        /// Something hard the author is working through.
        Challenge => "challenge", "Challenge";
        /// Something that clicked.
        Breakthrough => "breakthrough", "Breakthrough";
        /// A question to readers.
        Question => "question", "Question";
        /// News on the journey.
        Update => "update", "Update";
    }
);

code_enum!(
    /// The fixed set of reactions.
    ReactionKind, "reaction", {
        /// The post helped the reader.
        Helpful => "helpful", "Helpful";
        /// The reader has been there too.
        BeenThere => "been_there", "Been there";
        /// Encouragement.
        CheeringYouOn => "cheering_you_on", "Cheering you on";
    }
);

code_enum!(
    /// What a post may link to.
    LinkKind, "link kind", {
        /// A goal in one of the author's rooms.
        Goal => "goal", "Goal";
        /// A session in one of the author's rooms.
        Session => "session", "Session";
        /// A step of a roadmap (once roadmaps exist).
        RoadmapStep => "roadmap_step", "Roadmap step";
    }
);

/// What a report or moderation action is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Moderated {
    /// A post.
    Post,
    /// A comment.
    Comment,
}

impl Moderated {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Post => "post",
            Self::Comment => "comment",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_ones_name_the_field() {
        for v in ThreadVisibility::ALL {
            assert_eq!(ThreadVisibility::parse("visibility", v.code()), Ok(*v));
        }
        let e = ThreadVisibility::parse("visibility", "friends").unwrap_err();
        assert_eq!(e.field, "visibility");
        assert!(e.message.contains("only_me"), "{}", e.message);
        assert_eq!(
            ReactionKind::parse("kind", "been_there"),
            Ok(ReactionKind::BeenThere)
        );
        assert!(PostKind::parse("kind", "rant").is_err());
    }
}
