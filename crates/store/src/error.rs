use std::fmt;

/// What can go wrong in the store, in terms the app layer can act on.
#[derive(Debug)]
pub enum StoreError {
    /// A uniqueness or check constraint refused the write. `constraint` is the
    /// Postgres-style name (`people_email_key`) on both dialects.
    Conflict {
        /// The constraint's name.
        constraint: String,
    },
    /// The database is busy (SQLite lock timeout, Postgres serialization
    /// failure): the caller may retry.
    Busy,
    /// Stored data could not be decoded.
    Corrupt(String),
    /// Bad configuration (URL, unsupported operation for the dialect).
    Config(String),
    /// Any other database error.
    Database(sqlx::Error),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Conflict { constraint } => write!(f, "constraint {constraint} refused the write"),
            Self::Busy => f.write_str("the database is busy"),
            Self::Corrupt(m) => write!(f, "stored data is corrupt: {m}"),
            Self::Config(m) => f.write_str(m),
            Self::Database(e) => write!(f, "database error: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Self::Config(format!("migration failed: {e}"))
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        Self::Corrupt(e.to_string())
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            let code = db.code().map(|c| c.to_string()).unwrap_or_default();
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
                "mentor_capacity" | "mentor_personal_maximum" | "mentee_already_matched"
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
}
