//! The enrolment-question list editor on the programme form (issue 18 §2).
//!
//! Each question is a fieldset (prompt, kind, choices, required, weight)
//! whose inputs are named `questions[i].part`, with its stable id in a hidden
//! input. The add, remove and move buttons are submit buttons named
//! `question_move`: the form posts back, the list changes, and the page comes
//! back with nothing saved. So the editor needs no JavaScript at all.

use super::Field;
use crate::PageError;
use rapport_app::programmes::ProgrammeInput;
use rapport_app::AppError;
use rapport_domain::programme::QuestionKind;
use rapport_domain::questions::{EditorMove, QuestionDraft, MAX_QUESTIONS};
use rapport_domain::Invalid;
use std::collections::BTreeMap;

/// One question of the editor, with the errors on its parts.
#[derive(Clone, Debug, Default)]
pub struct QuestionRow {
    /// Its place in the list, from 0 (the `i` of `questions[i]`).
    pub index: usize,
    /// Whether it is the last row (no "move down").
    pub last: bool,
    /// What it holds.
    pub draft: QuestionDraft,
    /// `(part, message)` for each part in error.
    pub errors: Vec<(String, String)>,
}

impl QuestionRow {
    /// The error on `part`, if any.
    pub fn error(&self, part: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(p, _)| p == part)
            .map(|(_, m)| m.as_str())
    }

    /// The choices as the textarea shows them, one per line.
    pub fn choices_text(&self) -> String {
        self.draft.choices.join("\n")
    }

    /// The kinds offered, `(code, label, selected)`.
    pub fn kinds(&self) -> Vec<(&'static str, &'static str, bool)> {
        QuestionKind::ALL
            .iter()
            .map(|k| (k.code(), k.label(), k.code() == self.draft.kind.trim()))
            .collect()
    }
}

/// The editor field for a programme form.
pub fn field(v: &ProgrammeInput) -> Field {
    let drafts = v.question_list.clone().unwrap_or_default();
    let n = drafts.len();
    let mut f = Field::new("questions", "Enrolment questions", "questions").hint(
        "What members answer when they enrol. Choices go one per line; a scale runs from 1 to 5 and takes no labels, two (for 1 and 5) or five. A weight from 1 to 100 makes similar answers count in matching.",
    );
    f.questions = drafts
        .into_iter()
        .enumerate()
        .map(|(index, draft)| QuestionRow {
            index,
            last: index + 1 == n,
            draft,
            errors: vec![],
        })
        .collect();
    f
}

/// Puts an error on `questions[i].part` beside its row, and names it in the
/// field's own error (which the error summary links to); false when the
/// error is not about a question of this form.
pub fn place_error(fields: &mut [Field], err: &Invalid) -> bool {
    let Some(f) = fields.iter_mut().find(|f| f.kind == "questions") else {
        return false;
    };
    if err.field == "questions" {
        f.error = Some(err.message.clone());
        return true;
    }
    let Some((i, part)) = index_and_part(err.field) else {
        return false;
    };
    let Some(row) = f.questions.get_mut(i) else {
        return false;
    };
    row.errors.push((part.to_string(), err.message.clone()));
    let summary = format!(
        "Question {}: {}",
        i + 1,
        rapport_domain::invalid::phrase(&err.message)
    );
    f.error = Some(match f.error.take() {
        Some(e) => format!("{e} {summary}"),
        None => summary,
    });
    true
}

/// `questions[2].choices` as `(2, "choices")`.
fn index_and_part(name: &str) -> Option<(usize, &str)> {
    let rest = name.strip_prefix("questions[")?;
    let (i, part) = rest.split_once("].")?;
    Some((i.parse().ok()?, part))
}

/// Reads a posted programme form: the fields, the question list (when the
/// editor was on the form) and the editor button pressed, if one was.
pub fn read(body: &[u8]) -> Result<(ProgrammeInput, Option<EditorMove>), PageError> {
    let unreadable = |_| {
        PageError(AppError::invalid(
            "form",
            "the form could not be read; reload the page and try again",
        ))
    };
    let mut v: ProgrammeInput = serde_urlencoded::from_bytes(body).map_err(unreadable)?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(unreadable)?;
    let mut drafts: BTreeMap<usize, QuestionDraft> = BTreeMap::new();
    let (mut editor, mut moved) = (false, None);
    for (k, val) in pairs {
        match k.as_str() {
            "question_editor" => editor = true,
            "question_move" => moved = EditorMove::parse(&val),
            _ => {
                // Rows past twice the maximum are dropped rather than kept in
                // memory; the check still refuses more than the maximum.
                let Some((i, part)) = index_and_part(&k).filter(|(i, _)| *i < 2 * MAX_QUESTIONS)
                else {
                    continue;
                };
                let d = drafts.entry(i).or_default();
                match part {
                    "id" => d.id = val,
                    "prompt" => d.prompt = val,
                    "kind" => d.kind = val,
                    "choices" => {
                        d.choices = val
                            .lines()
                            .map(str::trim)
                            .filter(|c| !c.is_empty())
                            .map(str::to_string)
                            .collect()
                    }
                    "required" => d.required = val == "true",
                    "weight" => d.weight = val,
                    _ => {}
                }
            }
        }
    }
    if editor {
        v.question_list = Some(drafts.into_values().collect());
    }
    Ok((v, moved))
}
