//! The one validation error: which field, and what to do about it.

use std::fmt;

/// A value that failed validation. `field` names the input field as the person
/// typed it (form field name or JSON key); `message` says what to do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    /// The form field or JSON key at fault.
    pub field: &'static str,
    /// A sentence a person understands, saying how to fix it.
    pub message: String,
}

impl Invalid {
    /// An error for `field` with a message, which reads as a sentence
    /// (its first letter is made a capital: issue 18, §7).
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: sentence(message.into()),
        }
    }
}

/// `message` as a sentence: its first letter a capital ("Choose a date in
/// the future"). Every message a person reads passes through here once: the
/// [`Invalid`] constructor, and the web edge for the app's other errors, so
/// a message written in lower case in the code still reads right.
pub fn sentence(message: impl Into<String>) -> String {
    let message = message.into();
    // A message that opens with a setting's code ("quality_floor: …") keeps
    // it as written: the code is what the reader types.
    let first = message.split([' ', ':']).next().unwrap_or_default();
    if first.contains('_') {
        return message;
    }
    let mut chars = message.chars();
    match chars.next() {
        Some(c) if c.is_lowercase() => c.to_uppercase().chain(chars).collect(),
        _ => message,
    }
}

/// `message` as a phrase to go inside another sentence ("status must be
/// one of …"): the first letter lower-cased, unless the first word is an
/// acronym ("URL …") or a name.
pub fn phrase(message: &str) -> String {
    let first = message.split_whitespace().next().unwrap_or_default();
    let acronym = first.chars().count() > 1 && !first.chars().any(char::is_lowercase);
    let mut chars = message.chars();
    match chars.next() {
        Some(c) if c.is_uppercase() && !acronym => c.to_lowercase().chain(chars).collect(),
        _ => message.to_string(),
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for Invalid {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_go_inside_sentences() {
        assert_eq!(
            phrase("A choice needs two options"),
            "a choice needs two options"
        );
        assert_eq!(phrase("Must be one of: a, b"), "must be one of: a, b");
        assert_eq!(
            phrase("URL must start with https://"),
            "URL must start with https://"
        );
        assert_eq!(phrase("already lower"), "already lower");
        assert_eq!(
            sentence("quality_floor: must be 0 to 100"),
            "quality_floor: must be 0 to 100"
        );
    }

    #[test]
    fn messages_read_as_sentences() {
        assert_eq!(sentence("choose a date"), "Choose a date");
        assert_eq!(sentence("élan is needed"), "Élan is needed");
        assert_eq!(sentence("Already fine"), "Already fine");
        assert_eq!(sentence("`until` is empty"), "`until` is empty");
        assert_eq!(sentence(""), "");
        let e = Invalid::new("until", "choose a date in the future");
        assert_eq!(e.message, "Choose a date in the future");
        assert_eq!(e.field, "until");
    }
}
