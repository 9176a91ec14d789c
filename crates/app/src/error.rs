use rapport_domain::policy::Access;
use rapport_domain::Invalid;
use rapport_store::StoreError;
use std::fmt;

/// Result of a use case.
pub type AppResult<T> = Result<T, AppError>;

/// Why a use case refused or failed. The web layer maps each variant to one
/// status code and the JSON error shape.
#[derive(Debug)]
pub enum AppError {
    /// One or more fields are invalid (422).
    Invalid(Vec<Invalid>),
    /// No credential, or a bad one (401).
    Unauthenticated(String),
    /// The actor may know the thing exists but may not act (403).
    Forbidden(String),
    /// Not found, or not the actor's to know about (404).
    NotFound(String),
    /// The request conflicts with the current state (409), with the field at fault if any.
    Conflict {
        /// The field at fault.
        field: Option<&'static str>,
        /// What happened and what to do.
        message: String,
    },
    /// A limit was hit; try again later (429).
    RateLimited(String),
    /// A fault that is ours, not the caller's (500). Logged, never shown.
    Internal(String),
}

impl AppError {
    /// One invalid field.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![Invalid::new(field, message)])
    }

    /// Turns a policy answer into a result; `what` names the thing for 404s.
    pub fn check(access: Access, what: &str) -> AppResult<()> {
        match access {
            Access::Allowed => Ok(()),
            Access::Forbidden => Err(Self::Forbidden(format!(
                "you do not have permission to do this to {what}"
            ))),
            Access::Hidden => Err(Self::NotFound(format!("{what} was not found"))),
        }
    }

    /// Stable snake_case code, listed in docs/api.md.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invalid_field",
            Self::Unauthenticated(_) => "unauthenticated",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::Conflict { .. } => "conflict",
            Self::RateLimited(_) => "rate_limited",
            Self::Internal(_) => "internal",
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(errors) => {
                let parts: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                f.write_str(&parts.join("; "))
            }
            Self::Unauthenticated(m)
            | Self::Forbidden(m)
            | Self::NotFound(m)
            | Self::RateLimited(m)
            | Self::Internal(m) => f.write_str(m),
            Self::Conflict { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for AppError {}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        Self::Invalid(vec![e])
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Busy => Self::Conflict {
                field: None,
                message:
                    "the database is busy with other changes; nothing was saved, please try again"
                        .into(),
            },
            StoreError::Conflict { constraint } => {
                let (field, message) = conflict_message(&constraint);
                Self::Conflict {
                    field,
                    message: message.into(),
                }
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

/// Names the field and says what to do for each constraint a person can hit.
fn conflict_message(constraint: &str) -> (Option<&'static str>, &'static str) {
    match constraint {
        "people_email_key" => (
            Some("email"),
            "an account with this email already exists; sign in or reset your password",
        ),
        "skills_folded_key" => (Some("name"), "this skill is already in the catalogue"),
        "programmes_slug_key" => (
            Some("slug"),
            "another programme already uses this slug; choose another",
        ),
        "enrolments_programme_id_person_id_role_key" => (Some("role"), "you are already enrolled in this programme in this role"),
        "requests_programme_id_mentee_id_mentor_id_key" => (Some("mentor_id"), "there is already an open request between this mentee and mentor; wait for an answer or withdraw it"),
        "mentor_capacity" => (Some("mentor_id"), "this mentor has no space left in this programme; choose another mentor"),
        "mentee_already_matched" => (Some("mentee_id"), "this person already has a match (or a proposed one) in this programme"),
        "pair_rules_pkey" => (Some("mentor_id"), "this pair already has a rule; clear it first"),
        "mentor_personal_maximum" => (Some("mentor_id"), "this mentor has reached their personal maximum of mentees across programmes"),
        _ => (
            None,
            "this change conflicts with existing data; reload and try again",
        ),
    }
}
