/// A boxed cause, for errors whose type the caller does not need to know.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What can go wrong in the store, in terms the app layer can act on.
///
/// Each variant that wraps a lower error keeps it as its `source()`, so the
/// 500 log line can show the whole chain down to the driver's own message.
/// `Display` says only this layer's part; walk `source()` for the rest.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness or check constraint refused the write. `constraint` is the
    /// Postgres-style name (`people_email_key`) on both dialects.
    #[error("constraint {constraint} refused the write")]
    Conflict {
        /// The constraint's name.
        constraint: String,
    },
    /// The database is busy (SQLite lock timeout, Postgres serialization
    /// failure): the caller may retry.
    #[error("the database is busy")]
    Busy,
    /// A stored row could not be decoded.
    #[error("a stored {table} row{} does not decode", id.as_deref().map(|i| format!(" ({i})")).unwrap_or_default())]
    Corrupt {
        /// The table the row came from.
        table: &'static str,
        /// The row's id, when the decoder knows it.
        id: Option<String>,
        /// What did not decode (a plain message when there is no lower error).
        #[source]
        source: BoxError,
    },
    /// A stored JSON value could not be decoded.
    #[error("a stored JSON value does not decode")]
    Json(#[from] serde_json::Error),
    /// The migrations could not be applied.
    #[error("the database schema could not be migrated")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Bad configuration (URL, unsupported operation for the dialect).
    #[error("{0}")]
    Config(String),
    /// Any other database error.
    #[error("the database refused the operation")]
    Database(#[source] sqlx::Error),
}

impl StoreError {
    /// A row of `table` that does not decode; `why` is the lower error, or a
    /// plain message (`String` and `&str` convert) when there is none.
    pub fn corrupt(table: &'static str, id: Option<String>, why: impl Into<BoxError>) -> Self {
        Self::Corrupt {
            table,
            id,
            source: why.into(),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            let code = db.code().map(|c| c.to_string()).unwrap_or_default();
            // Operators follow a failed request down to SQL with
            // RUST_LOG=rapport_store=debug. Postgres keeps the row's values in
            // `detail`, which stays out of the log.
            tracing::debug!(
                code = %code,
                constraint = db.constraint().unwrap_or(""),
                message = db.message(),
                "the database refused a statement"
            );
            // SQLite: 5 SQLITE_BUSY, 6 SQLITE_LOCKED, 517 BUSY_SNAPSHOT, 261 BUSY_RECOVERY.
            // Postgres: 40001 serialization failure, 40P01 deadlock, 55P03 lock not available.
            if matches!(
                code.as_str(),
                "5" | "6" | "261" | "517" | "40001" | "40P01" | "55P03"
            ) {
                return Self::Busy;
            }
            if let Some(c) = db.constraint() {
                return Self::Conflict {
                    constraint: c.to_string(),
                };
            }
            // SQLite names the columns, not the constraint: "UNIQUE constraint failed: people.email".
            if let Some(cols) = db.message().strip_prefix("UNIQUE constraint failed: ") {
                return Self::Conflict {
                    constraint: sqlite_constraint_name(cols),
                };
            }
            // SQLite triggers raise their rule's name as the message.
            if matches!(
                db.message(),
                "mentor_capacity"
                    | "mentor_personal_maximum"
                    | "mentee_already_matched"
                    // Roadmaps (H6).
                    | "roadmap_versions_published_immutable"
            ) {
                return Self::Conflict {
                    constraint: db.message().to_string(),
                };
            }
            if db.message().starts_with("CHECK constraint failed") || code == "23514" {
                return Self::Conflict {
                    constraint: db.message().to_string(),
                };
            }
        }
        if matches!(e, sqlx::Error::PoolTimedOut) {
            return Self::Busy;
        }
        Self::Database(e)
    }
}

/// `people.email` → `people_email_key`; `a.x, a.y` → `a_x_y_key`, matching the
/// names the migrations give the same constraints on Postgres.
fn sqlite_constraint_name(cols: &str) -> String {
    let mut table = "";
    let mut names = Vec::new();
    for part in cols.split(',') {
        let (t, c) = part.trim().split_once('.').unwrap_or(("", part.trim()));
        table = t;
        names.push(c);
    }
    format!("{table}_{}_key", names.join("_"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn sqlite_names_follow_postgres_convention() {
        assert_eq!(
            super::sqlite_constraint_name("people.email"),
            "people_email_key"
        );
        assert_eq!(
            super::sqlite_constraint_name("skills.folded"),
            "skills_folded_key"
        );
    }

    #[test]
    fn a_database_error_keeps_the_driver_error_as_its_source() {
        use std::error::Error;
        let e = super::StoreError::from(sqlx::Error::Protocol("unexpected frame".into()));
        assert!(matches!(e, super::StoreError::Database(_)), "{e:?}");
        let source = e.source().expect("the sqlx error is kept");
        assert!(source.to_string().contains("unexpected frame"), "{source}");
    }

    #[test]
    fn a_corrupt_row_names_its_table_and_id_and_keeps_the_reason() {
        use std::error::Error;
        let e = super::StoreError::corrupt("people", Some("42".into()), "unknown account status x");
        assert_eq!(e.to_string(), "a stored people row (42) does not decode");
        assert_eq!(
            e.source().map(|s| s.to_string()).as_deref(),
            Some("unknown account status x")
        );
    }
}
