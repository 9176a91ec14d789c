use rapport_domain::policy::Access;
use rapport_domain::Invalid;
use rapport_store::StoreError;

/// Result of a use case.
pub type AppResult<T> = Result<T, AppError>;

/// A boxed cause of an internal error.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why a use case refused or failed. The web layer maps each variant to one
/// status code and the JSON error shape.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// One or more fields are invalid (422).
    #[error("{}", join_invalid(.0))]
    Invalid(Vec<Invalid>),
    /// No credential, or a bad one (401).
    #[error("{}", rapport_domain::invalid::sentence(.0.as_str()))]
    Unauthenticated(String),
    /// The actor may know the thing exists but may not act (403).
    #[error("{}", rapport_domain::invalid::sentence(.0.as_str()))]
    Forbidden(String),
    /// Not found, or not the actor's to know about (404).
    #[error("{}", rapport_domain::invalid::sentence(.0.as_str()))]
    NotFound(String),
    /// The request conflicts with the current state (409), with the field at fault if any.
    #[error("{}", rapport_domain::invalid::sentence(.message.as_str()))]
    Conflict {
        /// The field at fault.
        field: Option<&'static str>,
        /// What happened and what to do.
        message: String,
    },
    /// A limit was hit; try again later (429).
    #[error("{}", rapport_domain::invalid::sentence(.0.as_str()))]
    RateLimited(String),
    /// A fault that is ours, not the caller's (500). Logged whole, with
    /// [`error_chain`], and never shown: `context` says what we were doing,
    /// `source` keeps the cause (a [`StoreError`], an I/O error …) so the log
    /// reaches the root instead of a flattened string.
    #[error("{context}")]
    Internal {
        /// What the use case was doing when it failed.
        context: String,
        /// The lower error, when there is one.
        #[source]
        source: Option<BoxError>,
    },
}

impl AppError {
    /// One invalid field.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![Invalid::new(field, message)])
    }

    /// An internal fault caused by `source`; `context` says what we were doing.
    pub fn internal(context: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::Internal {
            context: context.into(),
            source: Some(source.into()),
        }
    }

    /// An internal fault with no lower error: a broken invariant of ours.
    pub fn internal_msg(context: impl Into<String>) -> Self {
        Self::Internal {
            context: context.into(),
            source: None,
        }
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
            Self::Internal { .. } => "internal",
        }
    }
}

fn join_invalid(errors: &[Invalid]) -> String {
    let parts: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    parts.join("; ")
}

/// The error and every `source()` below it, joined with ": "
/// ("context: cause: root cause"), for the operator's log line. Never show it
/// to the person who asked: it may name tables, paths and addresses.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        next = cause.source();
    }
    out
}

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
            other => Self::internal("the store failed", other),
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
        // Roadmaps (H6).
        "roadmap_versions_published_immutable" => (Some("version"), "a published roadmap version never changes; edit the draft and publish it as a new version"),
        "roadmap_follows_pkey" => (Some("roadmap_id"), "you already follow this roadmap"),
        _ => (
            None,
            "this change conflicts with existing data; reload and try again",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;

    #[test]
    fn an_internal_error_from_the_store_keeps_the_driver_error_at_its_root() {
        let store = StoreError::from(sqlx::Error::Protocol("unexpected frame".into()));
        let e = AppError::from(store);
        assert!(matches!(e, AppError::Internal { .. }), "{e:?}");
        let cause = e.source().expect("the store error is kept");
        assert!(cause.downcast_ref::<StoreError>().is_some(), "{cause:?}");
        let root = cause.source().expect("the sqlx error is kept");
        assert!(root.downcast_ref::<sqlx::Error>().is_some(), "{root:?}");
        assert!(root.source().is_none());
        let chain = error_chain(&e);
        assert!(
            chain.starts_with("the store failed: the database refused the operation: ")
                && chain.ends_with("unexpected frame"),
            "{chain}"
        );
    }

    #[test]
    fn conflicts_and_busy_stay_409s_not_internal() {
        assert!(matches!(
            AppError::from(StoreError::Busy),
            AppError::Conflict { .. }
        ));
        let taken = StoreError::Conflict {
            constraint: "people_email_key".into(),
        };
        assert!(matches!(
            AppError::from(taken),
            AppError::Conflict {
                field: Some("email"),
                ..
            }
        ));
    }
}
