//! Placeholders for statements that bind many values: `IN (…)` lists of
//! ids and multi-row INSERTs.
//!
//! PostgreSQL gets `$1, $2, …`. SQLite gets `?, ?, …`, because sqlx binds each
//! argument after asking SQLite for the parameter's name, and SQLite finds a
//! name by walking the statement's list of named parameters (`$k` is a name
//! there). Binding n named parameters therefore takes n² steps: with 500 ids
//! a statement, a quarter of the daily health scan went to
//! `sqlite3_bind_parameter_name`. Anonymous `?` are not in that list, and
//! sqlx binds them in order to the first arguments, while a `$k` elsewhere
//! in the same statement still binds to argument k. So a statement may start
//! its arguments with these lists and name the rest `$k`, as before.

use crate::Dialect;

/// `n` placeholders for the arguments from number `from` on: `$from, …` on
/// PostgreSQL, `?, …` on SQLite (where they bind in order).
fn run(dialect: Dialect, from: usize, n: usize) -> String {
    match dialect {
        Dialect::Sqlite => vec!["?"; n].join(", "),
        Dialect::Postgres => (from..from + n)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Placeholders for a statement's first `n` arguments, comma-separated:
/// `$1, …, $n`, or `?, …, ?` on SQLite. Write no other `?` before them.
pub(crate) fn leading(dialect: Dialect, n: usize) -> String {
    run(dialect, 1, n)
}

/// `(…), (…), …`: `rows` rows of `width` placeholders that take a
/// statement's first `rows × width` arguments, row by row.
pub(crate) fn value_rows(dialect: Dialect, rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", run(dialect, r * width + 1, width)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_numbered_on_postgres_and_anonymous_on_sqlite() {
        assert_eq!(leading(Dialect::Postgres, 3), "$1, $2, $3");
        assert_eq!(leading(Dialect::Sqlite, 3), "?, ?, ?");
        assert_eq!(
            value_rows(Dialect::Postgres, 2, 3),
            "($1, $2, $3), ($4, $5, $6)"
        );
        assert_eq!(value_rows(Dialect::Sqlite, 2, 2), "(?, ?), (?, ?)");
    }
}
