//! Enrolment questions as managers edit them: a list of drafts (prompt,
//! kind, choices, required, weight), each carrying the id of the question it
//! edits, so answers keep pointing at the right question when questions are
//! reordered or removed.
//!
//! # Contract
//! - A draft keeps its id only when it names a question the programme
//!   already has; every other draft gets a fresh id from the caller (ids are
//!   never reused, never positional, never chosen by a client).
//! - Errors name the draft's field as `questions[i].part` (`i` from 0, as in
//!   the JSON list and the form), every error at once.

use crate::invalid::Invalid;
use crate::programme::{Question, QuestionKind, SCALE_POINTS};
use std::sync::LazyLock;

/// The most questions a programme asks.
pub const MAX_QUESTIONS: usize = 20;

/// One question as the editor (form or JSON) holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuestionDraft {
    /// The id of the question this edits; empty for a new one.
    pub id: String,
    /// What is asked.
    pub prompt: String,
    /// Kind code: `text`, `single`, `multiple` or `scale`.
    pub kind: String,
    /// Options of a choice question, or a scale's labels (none, two or five).
    pub choices: Vec<String>,
    /// Whether an enrolment needs an answer.
    pub required: bool,
    /// Weight in matching, 0–100, as typed (empty: 0).
    pub weight: String,
}

impl QuestionDraft {
    /// The draft that edits a stored question.
    pub fn of(q: &Question) -> Self {
        Self {
            id: q.id.clone(),
            prompt: q.prompt.clone(),
            kind: q.kind.code().into(),
            choices: q.options.clone(),
            required: q.required,
            weight: if q.weight == 0 {
                String::new()
            } else {
                q.weight.to_string()
            },
        }
    }
}

/// The parts of a draft a field name can point at.
const PARTS: [&str; 6] = ["id", "prompt", "kind", "choices", "required", "weight"];

/// Field names `questions[i].part` for every draft a list may hold, made
/// once: errors carry `&'static str` field names, and this table is the
/// bounded set they can take.
static FIELD_NAMES: LazyLock<Vec<[String; 6]>> = LazyLock::new(|| {
    (0..MAX_QUESTIONS)
        .map(|i| PARTS.map(|p| format!("questions[{i}].{p}")))
        .collect()
});

/// `questions[i].part` as a field name (`questions` past the last draft).
pub fn field_name(i: usize, part: &str) -> &'static str {
    let j = PARTS.iter().position(|p| *p == part).unwrap_or(1);
    FIELD_NAMES
        .get(i)
        .map(|names| names[j].as_str())
        .unwrap_or("questions")
}

/// The label of each point of a scale: `1 — Not at all` … `5 — Very much`
/// with two labels, every point labelled with five, bare numbers with none.
pub fn scale_points(q: &Question) -> Vec<(String, String)> {
    let n = SCALE_POINTS.clone().count();
    SCALE_POINTS
        .map(|p| {
            let i = usize::from(p - 1);
            let label = match q.options.len() {
                5 => q.options.get(i).cloned(),
                2 if i == 0 => q.options.first().cloned(),
                2 if i == n - 1 => q.options.get(1).cloned(),
                _ => None,
            };
            let code = p.to_string();
            let text = match label {
                Some(l) => format!("{p} — {l}"),
                None => code.clone(),
            };
            (code, text)
        })
        .collect()
}

/// Checks a list of drafts into questions. `existing` are the programme's
/// questions now (their ids may be kept); `fresh_id` makes an id for a new
/// question and is called until it returns one not in use.
pub fn check_drafts(
    drafts: &[QuestionDraft],
    existing: &[Question],
    mut fresh_id: impl FnMut() -> String,
) -> Result<Vec<Question>, Vec<Invalid>> {
    if drafts.len() > MAX_QUESTIONS {
        return Err(vec![Invalid::new(
            "questions",
            format!("at most {MAX_QUESTIONS} questions; remove some"),
        )]);
    }
    let mut errors = vec![];
    let mut out: Vec<Question> = vec![];
    for (i, d) in drafts.iter().enumerate() {
        let field = |part| field_name(i, part);
        let prompt = d.prompt.trim().to_string();
        if prompt.is_empty() || prompt.chars().count() > 300 {
            errors.push(Invalid::new(
                field("prompt"),
                "write the question, in 1 to 300 characters",
            ));
        }
        let Some(kind) = QuestionKind::from_code(&d.kind) else {
            errors.push(Invalid::new(
                field("kind"),
                "choose text, single, multiple or scale",
            ));
            continue;
        };
        let mut choices: Vec<String> = vec![];
        for c in d.choices.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
            if !choices.iter().any(|o| o.eq_ignore_ascii_case(c)) {
                choices.push(c.to_string());
            }
        }
        let choice_error = match kind {
            QuestionKind::Text if !choices.is_empty() => {
                Some("a text question has no choices; clear them or pick another kind")
            }
            QuestionKind::Single | QuestionKind::Multiple if choices.len() < 2 => {
                Some("a choice question needs at least two choices, one per line")
            }
            QuestionKind::Scale if ![0, 2, 5].contains(&choices.len()) => {
                Some("a scale takes no labels, two (for 1 and 5) or five (one per point)")
            }
            _ if choices.iter().any(|c| c.chars().count() > 120) => {
                Some("each choice needs at most 120 characters")
            }
            _ => None,
        };
        if let Some(message) = choice_error {
            errors.push(Invalid::new(field("choices"), message));
        }
        let weight = match d.weight.trim() {
            "" => 0,
            w => match w.parse::<u32>() {
                Ok(w) if w <= 100 => w,
                _ => {
                    errors.push(Invalid::new(
                        field("weight"),
                        "weight must be a whole number from 0 to 100",
                    ));
                    0
                }
            },
        };
        // An id is kept only if it is one of this programme's questions and
        // not already taken by an earlier draft (a copied row).
        let id = d.id.trim();
        let keep = existing.iter().any(|q| q.id == id) && !out.iter().any(|q| q.id == id);
        let id = if keep { id.to_string() } else { String::new() };
        out.push(Question {
            id,
            prompt,
            kind,
            options: choices,
            weight,
            required: d.required,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for i in 0..out.len() {
        if out[i].id.is_empty() {
            let id = loop {
                let id = fresh_id();
                let taken = out.iter().any(|q| q.id == id) || existing.iter().any(|q| q.id == id);
                if !id.is_empty() && !taken {
                    break id;
                }
            };
            out[i].id = id;
        }
    }
    Ok(out)
}

/// Keeps the ids of questions that the one-line form (which numbers
/// questions by position) re-read unchanged: a question whose prompt and
/// kind match an existing one keeps that one's id; others get fresh ids.
pub fn keep_ids_by_prompt(
    parsed: Vec<Question>,
    existing: &[Question],
    mut fresh_id: impl FnMut() -> String,
) -> Vec<Question> {
    let mut out: Vec<Question> = vec![];
    for mut q in parsed {
        let same = existing.iter().find(|e| {
            e.prompt == q.prompt && e.kind == q.kind && !out.iter().any(|o| o.id == e.id)
        });
        q.id = match same {
            Some(e) => e.id.clone(),
            None => loop {
                let id = fresh_id();
                let taken = out.iter().any(|o| o.id == id) || existing.iter().any(|e| e.id == id);
                if !id.is_empty() && !taken {
                    break id;
                }
            },
        };
        out.push(q);
    }
    out
}

/// What the list editor's buttons do to the list before it is posted back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditorMove {
    /// A blank question at the end.
    Add,
    /// Remove question `i`.
    Remove(usize),
    /// Swap question `i` with the one above.
    Up(usize),
    /// Swap question `i` with the one below.
    Down(usize),
}

impl EditorMove {
    /// Reads a button's value: `add`, `remove-2`, `up-2`, `down-2`.
    pub fn parse(raw: &str) -> Option<Self> {
        if raw == "add" {
            return Some(Self::Add);
        }
        let (what, i) = raw.split_once('-')?;
        let i = i.parse().ok()?;
        match what {
            "remove" => Some(Self::Remove(i)),
            "up" => Some(Self::Up(i)),
            "down" => Some(Self::Down(i)),
            _ => None,
        }
    }

    /// Applies the move; one that points past the list changes nothing.
    pub fn apply(self, drafts: &mut Vec<QuestionDraft>) {
        let n = drafts.len();
        match self {
            Self::Add if n < MAX_QUESTIONS => drafts.push(QuestionDraft {
                kind: "text".into(),
                ..Default::default()
            }),
            Self::Remove(i) if i < n => {
                drafts.remove(i);
            }
            Self::Up(i) if i > 0 && i < n => drafts.swap(i - 1, i),
            Self::Down(i) if i + 1 < n => drafts.swap(i, i + 1),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(id: &str, prompt: &str, kind: &str, choices: &[&str]) -> QuestionDraft {
        QuestionDraft {
            id: id.into(),
            prompt: prompt.into(),
            kind: kind.into(),
            choices: choices.iter().map(|c| c.to_string()).collect(),
            required: false,
            weight: String::new(),
        }
    }

    fn counter() -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("new{n}")
        }
    }

    #[test]
    fn ids_survive_reordering_and_removal_and_new_ones_are_fresh() {
        let existing = Question::parse_lines(
            "questions",
            "text: First?\nsingle: Second? | A | B\ntext: Third?",
        )
        .unwrap();
        // Remove the first, swap the others, add one, and try to claim a
        // stranger's id.
        let drafts = vec![
            draft("q3", "Third?", "text", &[]),
            draft("q2", "Second, reworded?", "single", &["A", "B"]),
            draft("", "Fourth?", "scale", &["Low", "High"]),
            draft("zzz", "Fifth?", "text", &[]),
            draft("q3", "Copied row?", "text", &[]),
        ];
        let out = check_drafts(&drafts, &existing, counter()).unwrap();
        let ids: Vec<&str> = out.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["q3", "q2", "new1", "new2", "new3"]);
        assert_eq!(out[1].prompt, "Second, reworded?");
        assert_eq!(out[2].kind, QuestionKind::Scale);
        // A fresh id that is already in use is never handed out.
        let out = check_drafts(&[draft("", "New?", "text", &[])], &existing, {
            let mut ids = vec!["q2".to_string(), "q9".to_string()].into_iter();
            move || ids.next().unwrap_or_default()
        })
        .unwrap();
        assert_eq!(out[0].id, "q9");
    }

    #[test]
    fn errors_name_the_draft_and_its_part() {
        let drafts = vec![
            draft("", "Fine?", "text", &[]),
            draft("", "", "text", &["x"]),
            draft("", "Pick", "single", &["Only"]),
            draft("", "Rate", "scale", &["a", "b", "c"]),
            draft("", "Odd", "poll", &[]),
            QuestionDraft {
                weight: "500".into(),
                ..draft("", "Heavy", "text", &[])
            },
        ];
        let errors = check_drafts(&drafts, &[], counter()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "questions[1].prompt",
                "questions[1].choices",
                "questions[2].choices",
                "questions[3].choices",
                "questions[4].kind",
                "questions[5].weight",
            ]
        );
        let too_many = vec![draft("", "x", "text", &[]); MAX_QUESTIONS + 1];
        assert_eq!(
            check_drafts(&too_many, &[], counter()).unwrap_err()[0].field,
            "questions"
        );
    }

    #[test]
    fn the_editor_buttons_move_questions() {
        let mut list = vec![draft("a", "A", "text", &[]), draft("b", "B", "text", &[])];
        EditorMove::parse("down-0").unwrap().apply(&mut list);
        assert_eq!(list[0].id, "b");
        EditorMove::parse("up-1").unwrap().apply(&mut list);
        assert_eq!(list[0].id, "a");
        EditorMove::parse("up-0").unwrap().apply(&mut list);
        EditorMove::parse("remove-7").unwrap().apply(&mut list);
        assert_eq!(list.len(), 2);
        EditorMove::parse("add").unwrap().apply(&mut list);
        assert_eq!(list[2].kind, "text");
        EditorMove::parse("remove-0").unwrap().apply(&mut list);
        assert_eq!(list[0].id, "b");
        assert!(EditorMove::parse("jump-1").is_none());
    }

    #[test]
    fn scales_answer_one_point_and_label_their_ends() {
        let q = check_drafts(
            &[QuestionDraft {
                required: true,
                ..draft("", "Confident?", "scale", &["Not at all", "Very"])
            }],
            &[],
            counter(),
        )
        .unwrap()
        .remove(0);
        let points = scale_points(&q);
        assert_eq!(points[0].1, "1 — Not at all");
        assert_eq!(points[2].1, "3");
        assert_eq!(points[4].1, "5 — Very");
        assert_eq!(q.check_answer("answers", &["4".into()]).unwrap(), ["4"]);
        assert!(q.check_answer("answers", &["6".into()]).is_err());
        assert!(q
            .check_answer("answers", &["2".into(), "3".into()])
            .is_err());
        let e = q.check_answer("answers", &[]).unwrap_err();
        assert!(e.message.contains("needs an answer"), "{e}");
        assert_eq!(
            Question::parse_lines("questions", &q.to_line()).unwrap()[0].options,
            q.options
        );
    }
}
