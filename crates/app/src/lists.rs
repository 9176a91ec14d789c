//! Which page of a list to read: `?page=`, or `?cursor=` with `?limit=`.
//!
//! Every list that pages by `(created_at, id)` takes a [`ListQuery`] and reads
//! with the [`Start`] and size from [`ListQuery::window`]; the rules for the
//! parameters live here once.

use crate::{AppError, AppResult};
pub use rapport_store::page::{Cursor, Direction, Page, Start, TOTAL_CAP};

/// The largest page a client may ask for.
pub const MAX_LIMIT: i64 = 100;
/// The page size when none is asked for.
pub const DEFAULT_LIMIT: i64 = 50;

/// A client's choice of page, as it arrived.
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    /// 1-based page number (the older way, kept for existing clients).
    pub page: Option<i64>,
    /// An opaque cursor from a previous answer's `next` or `prev` link.
    pub cursor: Option<String>,
    /// Page size, 1 to [`MAX_LIMIT`].
    pub limit: Option<i64>,
}

impl ListQuery {
    /// Where to start and how many to read; a bad value is 422 naming it.
    pub fn window(&self) -> AppResult<(Start, i64)> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::invalid(
                "limit",
                format!("limit must be between 1 and {MAX_LIMIT}; follow the Link header for more"),
            ));
        }
        let cursor = self.cursor.as_deref().filter(|c| !c.is_empty());
        let start = match (cursor, self.page) {
            (Some(_), Some(_)) => {
                return Err(AppError::invalid(
                    "cursor",
                    "give either cursor or page, not both; drop page to follow a cursor",
                ))
            }
            (Some(text), None) => Start::Cursor(Cursor::parse(text).ok_or_else(|| {
                AppError::invalid(
                    "cursor",
                    "this cursor is not one Rapport made; use the link from the previous answer, or start again without a cursor",
                )
            })?),
            (None, page) => {
                let page = page.unwrap_or(1);
                if !(1..=100_000).contains(&page) {
                    return Err(AppError::invalid("page", "page must be between 1 and 100000"));
                }
                Start::Offset((page - 1) * limit)
            }
        };
        Ok((start, limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(q: ListQuery) -> String {
        match q.window() {
            Err(AppError::Invalid(errors)) => errors[0].field.to_string(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_parameters_name_their_field() {
        let q = |page, cursor: Option<&str>, limit| ListQuery {
            page,
            cursor: cursor.map(str::to_string),
            limit,
        };
        assert_eq!(field(q(None, None, Some(101))), "limit");
        assert_eq!(field(q(None, None, Some(0))), "limit");
        assert_eq!(field(q(None, Some("not a cursor"), None)), "cursor");
        assert_eq!(field(q(Some(2), Some("bzox"), None)), "cursor");
        assert_eq!(field(q(Some(0), None, None)), "page");
        assert_eq!(
            q(Some(3), None, Some(10)).window().unwrap(),
            (Start::Offset(20), 10)
        );
        assert_eq!(
            q(None, None, None).window().unwrap(),
            (Start::Offset(0), DEFAULT_LIMIT)
        );
    }
}
