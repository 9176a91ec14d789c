//! Decoding rows once: JSON columns into typed values, and the error for a
//! row that does not decode, which names the table, the row and the column
//! so an operator can find and repair it. Never replaced by a default.

use crate::{Result, StoreError};
use sqlx::Row;

/// Decodes a JSON text column. Corrupt JSON is an error naming the table,
/// row and column, never an empty default.
pub(crate) fn json_column<R: Row, T: serde::de::DeserializeOwned>(
    r: &R,
    column: &str,
    table: &'static str,
    id: impl std::fmt::Display,
) -> Result<T>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let raw: String = r.try_get(column)?;
    serde_json::from_str(&raw).map_err(|e| corrupt_row(table, id, format!("{column}: {e}")))
}

/// A row that does not decode: the error names the table and the row's id,
/// so an operator can find and repair it. Never replaced by a default.
pub(crate) fn corrupt_row(
    table: &'static str,
    id: impl std::fmt::Display,
    e: impl std::fmt::Display,
) -> StoreError {
    StoreError::corrupt(table, Some(id.to_string()), e.to_string())
}
