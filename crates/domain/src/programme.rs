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

    /// The roles a person may enrol in, in the order forms offer them. This is
    /// the one statement of the rule: enrolment, the CSV import and the forms
    /// all read it.
    pub fn enrolment_roles(self) -> &'static [ProgrammeRole] {
        use ProgrammeRole::*;
        match self {
            Self::OneToOne | Self::Reverse => &[Mentee, Mentor],
            Self::Group => &[Mentee, Mentor, Facilitator],
            Self::Peer => &[Peer],
            Self::Circle => &[Peer, Facilitator],
        }
    }

    /// The choices an enrolment form offers: each allowed role by its code,
    /// plus `both` (mentee and mentor at once) where both are allowed.
    pub fn enrolment_choices(self) -> Vec<&'static str> {
        let roles = self.enrolment_roles();
        let mut out: Vec<&'static str> = vec![];
        for r in roles {
            out.push(r.code());
            if *r == ProgrammeRole::Mentor && roles.contains(&ProgrammeRole::Mentee) {
                out.push("both");
            }
        }
        out
    }

    /// The choices as a phrase for messages: `mentee, mentor, both or facilitator`.
    pub fn enrolment_choice_list(self) -> String {
        or_list(&self.enrolment_choices())
    }

    /// The roles an enrolment choice (see [`ProgrammeKind::enrolment_choices`])
    /// stands for; the error lists the choices this kind offers.
    pub fn roles_for_choice(
        self,
        field: &'static str,
        choice: &str,
    ) -> Result<Vec<ProgrammeRole>, Invalid> {
        let choice = choice.trim();
        let roles = self.enrolment_roles();
        if choice == "both" && self.enrolment_choices().contains(&"both") {
            return Ok(vec![ProgrammeRole::Mentee, ProgrammeRole::Mentor]);
        }
        roles
            .iter()
            .find(|r| r.code() == choice)
            .map(|r| vec![*r])
            .ok_or_else(|| {
                Invalid::new(
                    field,
                    format!(
                        "choose {} ({} programmes)",
                        self.enrolment_choice_list(),
                        self.code().replace('_', "-")
                    ),
                )
            })
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

/// `a, b or c`.
fn or_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [head @ .., last] => format!("{} or {last}", head.join(", ")),
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

/// How often a programme's pairs or groups are expected to meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// Once a week.
    Weekly,
    /// Every two weeks.
    EveryTwoWeeks,
    /// Once a month.
    Monthly,
}

impl Cadence {
    /// Every cadence.
    pub const ALL: [Self; 3] = [Self::Weekly, Self::EveryTwoWeeks, Self::Monthly];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Weekly => "weekly",
            Self::EveryTwoWeeks => "every_two_weeks",
            Self::Monthly => "monthly",
        }
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Weekly => "Weekly",
            Self::EveryTwoWeeks => "Every two weeks",
            Self::Monthly => "Monthly",
        }
    }

    /// Parses a code.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == raw.trim())
            .ok_or_else(|| {
                Invalid::new(field, "cadence must be weekly, every_two_weeks or monthly")
            })
    }
}

/// Who makes the matches in a programme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchingMode {
    /// Managers run matching rounds and publish them.
    Managers,
    /// Mentees request mentors from ranked recommendations.
    MenteesRequest,
    /// Mentors browse enrolled mentees and send offers.
    MentorsChoose,
}

impl MatchingMode {
    /// Every mode.
    pub const ALL: [Self; 3] = [Self::Managers, Self::MenteesRequest, Self::MentorsChoose];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Managers => "managers",
            Self::MenteesRequest => "mentees_request",
            Self::MentorsChoose => "mentors_choose",
        }
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Managers => "Managers match in bulk",
            Self::MenteesRequest => "Mentees request from recommendations",
            Self::MentorsChoose => "Mentors choose and send offers",
        }
    }

    /// Parses a code.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|m| m.code() == raw.trim())
            .ok_or_else(|| {
                Invalid::new(
                    field,
                    "matching mode must be managers, mentees_request or mentors_choose",
                )
            })
    }
}

/// The kind of answer an enrolment question takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// Exactly one option.
    Single,
    /// Any number of options.
    Multiple,
    /// Free text.
    Text,
    /// A point from 1 to 5; `options` label the ends (two) or every point (five).
    Scale,
}

impl QuestionKind {
    /// Every kind, in the order the editor offers them.
    pub const ALL: [QuestionKind; 4] = [Self::Text, Self::Single, Self::Multiple, Self::Scale];

    /// The code the forms and the API use.
    pub fn code(self) -> &'static str {
        match self {
            Self::Single => "single",
            Self::Multiple => "multiple",
            Self::Text => "text",
            Self::Scale => "scale",
        }
    }

    /// As people read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Single => "Choose one",
            Self::Multiple => "Choose any",
            Self::Text => "Text",
            Self::Scale => "Scale of 1 to 5",
        }
    }

    /// Reads a code; `None` for anything else.
    pub fn from_code(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == raw.trim())
    }
}

/// The points of a scale question.
pub const SCALE_POINTS: std::ops::RangeInclusive<u8> = 1..=5;

/// A question members answer when they enrol.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable id (`q1`, `q2`, …), the key of answers and of matching weights.
    pub id: String,
    /// What is asked.
    pub prompt: String,
    /// Single choice, multiple choice or free text.
    pub kind: QuestionKind,
    /// The options of a choice question.
    #[serde(default)]
    pub options: Vec<String>,
    /// Weight of similar answers in matching (0: not a criterion).
    #[serde(default)]
    pub weight: u32,
    /// Whether an enrolment needs an answer.
    #[serde(default)]
    pub required: bool,
}

impl Question {
    /// Parses the manager's one-line form of the questions, one per line:
    /// `single: Preferred meeting format? | In person | Video | weight=10`,
    /// `multiple: Topics? | Strategy | Hiring | Coaching`, `text: Anything else?`.
    pub fn parse_lines(field: &'static str, raw: &str) -> Result<Vec<Question>, Invalid> {
        let mut out = vec![];
        for (n, line) in raw
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            let line_no = n + 1;
            let (kind, rest) = line.split_once(':').ok_or_else(|| {
                Invalid::new(
                    field,
                    format!("line {line_no}: start with single:, multiple: or text:"),
                )
            })?;
            let kind = match QuestionKind::from_code(kind) {
                Some(k) => k,
                None => {
                    return Err(Invalid::new(
                        field,
                        format!("line {line_no}: `{}` is not a question kind; use single, multiple, text or scale", kind.trim()),
                    ))
                }
            };
            let mut parts = rest.split('|').map(str::trim);
            let prompt = parts.next().unwrap_or("").to_string();
            if prompt.is_empty() || prompt.chars().count() > 300 {
                return Err(Invalid::new(
                    field,
                    format!("line {line_no}: the question needs 1–300 characters"),
                ));
            }
            let mut options = vec![];
            let mut weight = 0;
            for part in parts.filter(|p| !p.is_empty()) {
                if let Some(w) = part.strip_prefix("weight=") {
                    weight = w
                        .trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|w| *w <= 100)
                        .ok_or_else(|| {
                            Invalid::new(
                                field,
                                format!(
                                    "line {line_no}: weight must be a whole number from 0 to 100"
                                ),
                            )
                        })?;
                } else if !options
                    .iter()
                    .any(|o: &String| o.eq_ignore_ascii_case(part))
                {
                    options.push(part.to_string());
                }
            }
            match kind {
                QuestionKind::Text if !options.is_empty() => {
                    return Err(Invalid::new(field, format!("line {line_no}: a text question has no options")))
                }
                QuestionKind::Single | QuestionKind::Multiple if options.len() < 2 => {
                    return Err(Invalid::new(field, format!("line {line_no}: a choice question needs at least two options, separated by |")))
                }
                QuestionKind::Scale if ![0, 2, 5].contains(&options.len()) => {
                    return Err(Invalid::new(field, format!("line {line_no}: a scale has no labels, two (for 1 and 5) or five")))
                }
                _ => {}
            }
            out.push(Question {
                id: format!("q{line_no}"),
                prompt,
                kind,
                options,
                weight,
                required: false,
            });
        }
        if out.len() > 20 {
            return Err(Invalid::new(field, "at most 20 questions"));
        }
        Ok(out)
    }

    /// The one-line form [`Question::parse_lines`] reads.
    pub fn to_line(&self) -> String {
        let mut line = format!("{}: {}", self.kind.code(), self.prompt);
        for o in &self.options {
            line.push_str(" | ");
            line.push_str(o);
        }
        if self.weight > 0 {
            line.push_str(&format!(" | weight={}", self.weight));
        }
        line
    }

    /// Checks an answer: the chosen options (or the text, as one item).
    /// Returns the answer to store; an empty answer is allowed (unanswered).
    pub fn check_answer(
        &self,
        field: &'static str,
        raw: &[String],
    ) -> Result<Vec<String>, Invalid> {
        let given: Vec<String> = raw
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if self.required && given.is_empty() {
            return Err(Invalid::new(
                field,
                format!("“{}” needs an answer", self.prompt),
            ));
        }
        match self.kind {
            QuestionKind::Scale => {
                let ok = given.len() <= 1
                    && given
                        .iter()
                        .all(|g| g.parse::<u8>().is_ok_and(|n| SCALE_POINTS.contains(&n)));
                if !ok {
                    return Err(Invalid::new(
                        field,
                        format!("answer “{}” with one number from 1 to 5", self.prompt),
                    ));
                }
                Ok(given)
            }
            QuestionKind::Text => {
                let text = given.join(" ");
                if text.chars().count() > 2000 {
                    return Err(Invalid::new(
                        field,
                        format!("the answer to “{}” is over 2000 characters", self.prompt),
                    ));
                }
                Ok(if text.is_empty() { vec![] } else { vec![text] })
            }
            QuestionKind::Single | QuestionKind::Multiple => {
                if self.kind == QuestionKind::Single && given.len() > 1 {
                    return Err(Invalid::new(
                        field,
                        format!("choose one answer to “{}”", self.prompt),
                    ));
                }
                for g in &given {
                    if !self.options.iter().any(|o| o == g) {
                        return Err(Invalid::new(
                            field,
                            format!(
                                "“{g}” is not an option of “{}”; choose from: {}",
                                self.prompt,
                                self.options.join(", ")
                            ),
                        ));
                    }
                }
                Ok(given)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrolment_roles_per_kind() {
        use ProgrammeKind::*;
        use ProgrammeRole::*;
        let table: Vec<(ProgrammeKind, &[ProgrammeRole], &[&str])> = vec![
            (OneToOne, &[Mentee, Mentor], &["mentee", "mentor", "both"]),
            (Reverse, &[Mentee, Mentor], &["mentee", "mentor", "both"]),
            (
                Group,
                &[Mentee, Mentor, Facilitator],
                &["mentee", "mentor", "both", "facilitator"],
            ),
            (ProgrammeKind::Peer, &[ProgrammeRole::Peer], &["peer"]),
            (
                Circle,
                &[ProgrammeRole::Peer, Facilitator],
                &["peer", "facilitator"],
            ),
        ];
        assert_eq!(table.len(), ProgrammeKind::ALL.len());
        for (kind, roles, choices) in table {
            assert_eq!(kind.enrolment_roles(), roles, "{kind:?}");
            assert_eq!(kind.enrolment_choices(), choices, "{kind:?}");
            // Every choice parses, and only to allowed roles.
            for c in choices {
                let rs = kind.roles_for_choice("role", c).unwrap();
                assert!(rs.iter().all(|r| roles.contains(r)), "{kind:?} {c}");
            }
            assert!(kind.roles_for_choice("role", "manager").is_err());
        }
        assert_eq!(
            Group.roles_for_choice("role", " both ").unwrap(),
            [Mentee, Mentor]
        );
        let e = Circle.roles_for_choice("role", "mentee").unwrap_err();
        assert_eq!(e.field, "role");
        assert_eq!(e.message, "Choose peer or facilitator (circle programmes)");
        let e = Group.roles_for_choice("role", "peer").unwrap_err();
        assert_eq!(
            e.message,
            "Choose mentee, mentor, both or facilitator (group programmes)"
        );
    }

    #[test]
    fn programme_moves() {
        use ProgrammeStatus::*;
        assert!(Draft.move_to(Open).is_ok());
        assert!(Open.move_to(Closed).is_ok());
        assert!(Draft.move_to(Running).is_err());
        assert!(Closed.move_to(Open).is_err());
        assert!(Running.move_to(Open).is_err());
    }

    #[test]
    fn questions_round_trip_and_name_the_line() {
        let raw = "single: Format? | In person | Video | weight=10\n\ntext: Anything else?\nmultiple: Topics | A | B";
        let qs = Question::parse_lines("questions", raw).unwrap();
        assert_eq!(qs.len(), 3);
        assert_eq!(qs[0].weight, 10);
        assert_eq!(qs[0].options, ["In person", "Video"]);
        assert_eq!(qs[1].id, "q2");
        let again: Vec<String> = qs.iter().map(Question::to_line).collect();
        assert_eq!(
            Question::parse_lines("questions", &again.join("\n")).unwrap(),
            qs
        );
        let e = Question::parse_lines("questions", "single: Only one | A").unwrap_err();
        assert!(
            e.message.contains("Line 1") && e.message.contains("two options"),
            "{e}"
        );
        assert!(Question::parse_lines("questions", "poll: x").is_err());
        assert_eq!(
            qs[0].check_answer("answers", &["Video".into()]).unwrap(),
            ["Video"]
        );
        assert!(qs[0].check_answer("answers", &["Phone".into()]).is_err());
        assert!(qs[0]
            .check_answer("answers", &["Video".into(), "In person".into()])
            .is_err());
        assert!(qs[2]
            .check_answer("answers", &["A".into(), "B".into()])
            .is_ok());
    }
}
