//! Roadmaps: curated, versioned paths of steps written by mentors and
//! managers, and the rules of following one.
//!
//! # Invariants
//! - A published version never changes; editing works on the one draft,
//!   and publishing it makes version N+1.
//! - A step keeps its [`RoadmapStepId`] in every version it appears in, so a
//!   follower's marks (stored against step ids) carry over when the roadmap
//!   changes, and moving to a newer version never loses a mark on a step
//!   that still exists.
//! - Progress is (done + skipped) / steps of the version the follower is on.

use crate::person::LeadershipLevel;
use crate::policy::Actor;
use crate::programme::ProgrammeRole;
use crate::{Invalid, RoadmapStepId, SkillId};
use serde::{Deserialize, Serialize};

/// The most steps a roadmap holds.
pub const MAX_STEPS: usize = 30;
/// The most resources one step lists.
pub const MAX_RESOURCES: usize = 12;
/// The most hours one step may ask for.
pub const MAX_EFFORT_HOURS: u32 = 200;

macro_rules! coded {
    ($(#[$doc:meta])* $name:ident, $field:literal, { $($(#[$vdoc:meta])* $variant:ident = $code:literal / $label:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every value.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
            /// Stable code used in storage, forms and the API.
            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code),+ }
            }
            /// Human label.
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }
            /// Parses a code; the error names the field and lists the codes.
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

coded!(
    /// What a step's resource is.
    ResourceKind, "resources", {
        /// Something to read online.
        Article = "article" / "Article",
        /// Something to watch.
        Video = "video" / "Video",
        /// A book.
        Book = "book" / "Book",
        /// Something to do.
        Exercise = "exercise" / "Exercise",
    }
);

coded!(
    /// Where a follower stands on one step.
    StepStatus, "status", {
        /// Finished.
        Done = "done" / "Done",
        /// Working on it now.
        Learning = "learning" / "Learning",
        /// Chosen not to do; counts towards progress like done.
        Skipped = "skipped" / "Skipped",
    }
);

coded!(
    /// The admin setting of who may publish roadmaps.
    Publishers, "publishers", {
        /// Mentors, managers and admins.
        Mentors = "mentors" / "Mentors, managers and admins",
        /// Managers and admins.
        Managers = "managers" / "Managers and admins",
        /// Admins only.
        Admins = "admins" / "Admins only",
    }
);

/// One resource of a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    /// Article, video, book or exercise.
    pub kind: ResourceKind,
    /// What it is called.
    pub title: String,
    /// Where it is (http or https); a book may have none.
    pub url: Option<String>,
}

/// One step of a roadmap version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Stable across versions.
    pub id: RoadmapStepId,
    /// Short title.
    pub title: String,
    /// Markdown body.
    pub body: String,
    /// Links to read, watch or do.
    pub resources: Vec<Resource>,
    /// Skills it builds, from the catalogue.
    pub skills: Vec<SkillId>,
    /// The leadership level it is for.
    pub level: LeadershipLevel,
    /// A question to reflect on once it is done.
    pub prompt: String,
    /// Expected effort in hours.
    pub effort_hours: u32,
}

/// Everything one version of a roadmap says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoadmapContent {
    /// Title, like "From Professional Contributor to Team Leader".
    pub title: String,
    /// A short Markdown summary.
    pub summary: String,
    /// The level the roadmap is for.
    pub level: LeadershipLevel,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

impl RoadmapContent {
    /// Every skill any step builds, each once, in first-seen order.
    pub fn skills(&self) -> Vec<SkillId> {
        let mut out: Vec<SkillId> = vec![];
        for s in self.steps.iter().flat_map(|s| &s.skills) {
            if !out.contains(s) {
                out.push(*s);
            }
        }
        out
    }

    /// Lower-case text searched by discovery: title, summary and step titles.
    pub fn search_text(&self) -> String {
        let mut t = format!("{} {}", self.title, self.summary);
        for s in &self.steps {
            t.push(' ');
            t.push_str(&s.title);
        }
        t.to_lowercase()
    }

    /// Total expected effort in hours.
    pub fn effort_hours(&self) -> u32 {
        self.steps.iter().map(|s| s.effort_hours).sum()
    }
}

/// What changed between two versions, by step id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StepChanges {
    /// Steps in the newer version only.
    pub added: Vec<RoadmapStepId>,
    /// Steps in the older version only.
    pub removed: Vec<RoadmapStepId>,
    /// Steps in both whose content differs.
    pub changed: Vec<RoadmapStepId>,
}

impl StepChanges {
    /// Nothing changed in the steps.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// The steps added, removed and changed from `old` to `new`.
pub fn changes(old: &[Step], new: &[Step]) -> StepChanges {
    let mut c = StepChanges::default();
    for n in new {
        match old.iter().find(|o| o.id == n.id) {
            None => c.added.push(n.id),
            Some(o) if o != n => c.changed.push(n.id),
            Some(_) => {}
        }
    }
    for o in old {
        if !new.iter().any(|n| n.id == o.id) {
            c.removed.push(o.id);
        }
    }
    c
}

/// A follower's progress over the steps of one version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Steps marked done.
    pub done: usize,
    /// Steps marked skipped.
    pub skipped: usize,
    /// Steps marked learning.
    pub learning: usize,
    /// Steps in the version.
    pub total: usize,
}

impl Progress {
    /// (done + skipped) / steps, counting only marks on steps of `steps`
    /// (a mark on a step a newer version removed is kept but not counted).
    pub fn of(steps: &[Step], marks: &[(RoadmapStepId, StepStatus)]) -> Self {
        let mut p = Self {
            total: steps.len(),
            ..Self::default()
        };
        for s in steps {
            match marks.iter().find(|(id, _)| *id == s.id).map(|m| m.1) {
                Some(StepStatus::Done) => p.done += 1,
                Some(StepStatus::Skipped) => p.skipped += 1,
                Some(StepStatus::Learning) => p.learning += 1,
                None => {}
            }
        }
        p
    }

    /// Whole percent complete, 0 to 100.
    pub fn percent(self) -> u32 {
        if self.total == 0 {
            return 0;
        }
        (((self.done + self.skipped) * 100) / self.total) as u32
    }

    /// Every step is done or skipped.
    pub fn finished(self) -> bool {
        self.total > 0 && self.done + self.skipped == self.total
    }
}

/// The follower's current step: the first one not yet done or skipped.
pub fn current_step<'a>(
    steps: &'a [Step],
    marks: &[(RoadmapStepId, StepStatus)],
) -> Option<&'a Step> {
    steps.iter().find(|s| {
        !marks
            .iter()
            .any(|(id, st)| *id == s.id && matches!(st, StepStatus::Done | StepStatus::Skipped))
    })
}

/// Mentors and managers (in any programme) and admins write roadmaps.
pub fn may_write(actor: &Actor) -> bool {
    actor.is_admin
        || actor
            .roles
            .iter()
            .any(|(_, r)| matches!(r, ProgrammeRole::Mentor | ProgrammeRole::Manager))
}

/// Whether `actor` may publish under the site's `publishers` setting.
pub fn may_publish(actor: &Actor, publishers: Publishers) -> bool {
    let has = |role| actor.roles.iter().any(|(_, r)| *r == role);
    actor.is_admin
        || match publishers {
            Publishers::Mentors => has(ProgrammeRole::Mentor) || has(ProgrammeRole::Manager),
            Publishers::Managers => has(ProgrammeRole::Manager),
            Publishers::Admins => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProgrammeId;

    fn step(title: &str) -> Step {
        Step {
            id: RoadmapStepId::new(),
            title: title.into(),
            body: String::new(),
            resources: vec![],
            skills: vec![],
            level: LeadershipLevel::TeamLeader,
            prompt: String::new(),
            effort_hours: 2,
        }
    }

    #[test]
    fn changes_name_added_removed_and_changed_steps_by_id() {
        let (a, b, c) = (step("a"), step("b"), step("c"));
        let mut b2 = b.clone();
        b2.body = "more".into();
        let d = step("d");
        let ch = changes(&[a.clone(), b, c.clone()], &[a, b2.clone(), d.clone()]);
        assert_eq!(ch.added, vec![d.id]);
        assert_eq!(ch.removed, vec![c.id]);
        assert_eq!(ch.changed, vec![b2.id]);
    }

    #[test]
    fn progress_counts_done_and_skipped_of_this_versions_steps_only() {
        let (a, b, c) = (step("a"), step("b"), step("c"));
        let gone = RoadmapStepId::new();
        let marks = [
            (a.id, StepStatus::Done),
            (b.id, StepStatus::Learning),
            (c.id, StepStatus::Skipped),
            (gone, StepStatus::Done),
        ];
        let steps = [a.clone(), b.clone(), c.clone()];
        let p = Progress::of(&steps, &marks);
        assert_eq!((p.done, p.skipped, p.learning, p.total), (1, 1, 1, 3));
        assert_eq!(p.percent(), 66);
        assert!(!p.finished());
        assert_eq!(current_step(&steps, &marks).map(|s| s.id), Some(b.id));
        let all = [
            (a.id, StepStatus::Done),
            (b.id, StepStatus::Done),
            (c.id, StepStatus::Skipped),
        ];
        assert!(Progress::of(&steps, &all).finished());
        assert_eq!(Progress::of(&[], &[]).percent(), 0);
    }

    #[test]
    fn publishing_follows_the_admin_setting() {
        let p = ProgrammeId::new();
        let mentor = Actor {
            person_id: crate::PersonId::new(),
            is_admin: false,
            roles: vec![(p, ProgrammeRole::Mentor)],
        };
        let manager = Actor {
            roles: vec![(p, ProgrammeRole::Manager)],
            ..mentor.clone()
        };
        let mentee = Actor {
            roles: vec![(p, ProgrammeRole::Mentee)],
            ..mentor.clone()
        };
        assert!(may_write(&mentor) && may_write(&manager) && !may_write(&mentee));
        assert!(may_publish(&mentor, Publishers::Mentors));
        assert!(!may_publish(&mentor, Publishers::Managers));
        assert!(may_publish(&manager, Publishers::Managers));
        assert!(!may_publish(&manager, Publishers::Admins));
        assert_eq!(Publishers::parse("nobody").unwrap_err().field, "publishers");
    }
}
