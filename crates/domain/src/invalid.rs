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
    /// An error for `field` with a message.
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for Invalid {}
