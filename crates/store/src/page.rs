//! Keyset pagination, the pattern every list copies.
//!
//! A list ordered newest first by `(created_at, id)` is paged by remembering
//! the key of the last (or first) row shown, not by an offset: a row inserted
//! meanwhile neither repeats nor skips a row, and the database seeks straight
//! to the key instead of counting past every earlier row. The key travels to
//! clients as an opaque [`Cursor`] string, so its shape can change without
//! breaking them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use uuid::Uuid;

/// Which way a cursor reads from its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Rows after the key in list order (older): the next page.
    Older,
    /// Rows before the key in list order (newer): the previous page.
    Newer,
}

/// A position in a list ordered newest first by `(created_at, id)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// The key's time (ms).
    pub created_at: i64,
    /// The key's id, which breaks ties between rows of the same millisecond.
    pub id: Uuid,
    /// Which side of the key to read.
    pub direction: Direction,
}

impl Cursor {
    /// The opaque text form: URL-safe base64, so it needs no escaping in a query.
    pub fn encode(&self) -> String {
        let d = match self.direction {
            Direction::Older => 'o',
            Direction::Newer => 'n',
        };
        URL_SAFE_NO_PAD.encode(format!("{d}:{}:{}", self.created_at, self.id.simple()))
    }

    /// Reads [`Cursor::encode`]'s output; anything else is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        let raw = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
        let raw = String::from_utf8(raw).ok()?;
        let mut parts = raw.splitn(3, ':');
        let direction = match parts.next()? {
            "o" => Direction::Older,
            "n" => Direction::Newer,
            _ => return None,
        };
        let created_at = parts.next()?.parse().ok()?;
        let id = Uuid::try_parse(parts.next()?).ok()?;
        Some(Self {
            created_at,
            id,
            direction,
        })
    }
}

/// Where a page starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// Skip this many rows from the newest (the older `?page=` lists).
    Offset(i64),
    /// Read from a cursor.
    Cursor(Cursor),
}

/// One page of a keyset list, with the cursors of its neighbours.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// The rows, newest first.
    pub items: Vec<T>,
    /// The page after this one (older rows), if there are any.
    pub next: Option<Cursor>,
    /// The page before this one (newer rows), if there are any. Only known
    /// when the page was read by cursor: an offset page links back by number.
    pub prev: Option<Cursor>,
}

impl<T> Page<T> {
    /// Builds the page from rows read with `limit + 1` (the extra row, dropped
    /// here, says whether more lie that way); `rows` are in reading order, so
    /// a [`Direction::Newer`] read arrives oldest first and is turned round.
    pub fn from_rows(
        start: Start,
        mut rows: Vec<T>,
        limit: i64,
        key: impl Fn(&T) -> (i64, Uuid),
    ) -> Self {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let reading_newer = matches!(start, Start::Cursor(c) if c.direction == Direction::Newer);
        if reading_newer {
            rows.reverse();
        }
        let at = |row: Option<&T>, direction| {
            row.map(|r| {
                let (created_at, id) = key(r);
                Cursor {
                    created_at,
                    id,
                    direction,
                }
            })
        };
        let (next, prev) = match start {
            Start::Offset(_) => (
                more.then(|| at(rows.last(), Direction::Older)).flatten(),
                None,
            ),
            Start::Cursor(c) => {
                // The side we came from has rows by construction: the cursor
                // was made from one of them. An empty page (its rows deleted
                // since) points back at the cursor's own key.
                let back = |direction| Some(Cursor { direction, ..c });
                if reading_newer {
                    (
                        at(rows.last(), Direction::Older).or_else(|| back(Direction::Older)),
                        more.then(|| at(rows.first(), Direction::Newer)).flatten(),
                    )
                } else {
                    (
                        more.then(|| at(rows.last(), Direction::Older)).flatten(),
                        at(rows.first(), Direction::Newer).or_else(|| back(Direction::Newer)),
                    )
                }
            }
        };
        Self {
            items: rows,
            next,
            prev,
        }
    }
}

/// Binds a page's values after [`keyset_sql`]'s placeholders: for a cursor
/// `created_at, id`; nothing for an offset (the `LIMIT` and `OFFSET` are
/// written into the SQL by [`limit_sql`]). A macro, so one line serves the
/// query of either database inside `on_conn!`.
macro_rules! bind_keyset {
    ($q:expr, $start:expr) => {
        match $start {
            $crate::page::Start::Offset(_) => $q,
            $crate::page::Start::Cursor(k) => $q.bind(k.created_at).bind(k.id),
        }
    };
}
pub(crate) use bind_keyset;

/// A page's `LIMIT` (one row more than `limit`, to learn whether there is a
/// next page) and, for an offset past the first row, its `OFFSET`, written
/// into the SQL as numbers rather than bound. PostgreSQL cannot plan a bound
/// `LIMIT` once for every value, so it planned each list query afresh on
/// every request (the feed spent more time planning than running, issue 19);
/// with the numbers in the text a prepared statement keeps one plan. Both
/// are integers, so nothing from a request reaches the SQL as text.
pub(crate) fn limit_sql(start: Start, limit: i64) -> String {
    let rows = limit.max(0) + 1;
    match start {
        Start::Offset(offset) if offset > 0 => format!("LIMIT {rows} OFFSET {offset}"),
        _ => format!("LIMIT {rows}"),
    }
}

/// The SQL tail that reads one page of `limit`: a `WHERE` on the key (or
/// none), the order, and [`limit_sql`]. `first` is the number of the first
/// placeholder to use; bind with [`bind_keyset!`]: for a cursor
/// `created_at, id`, for an offset nothing.
pub(crate) fn keyset_sql(start: Start, first: usize, limit: i64) -> String {
    let (a, b) = (first, first + 1);
    let lim = limit_sql(start, limit);
    match start {
        Start::Offset(_) => format!("ORDER BY created_at DESC, id {lim}"),
        Start::Cursor(Cursor {
            direction: Direction::Older,
            ..
        }) => format!(
            "WHERE created_at < ${a} OR (created_at = ${a} AND id > ${b}) ORDER BY created_at DESC, id {lim}"
        ),
        Start::Cursor(Cursor {
            direction: Direction::Newer,
            ..
        }) => format!(
            "WHERE created_at > ${a} OR (created_at = ${a} AND id < ${b}) ORDER BY created_at, id DESC {lim}"
        ),
    }
}

/// The SQL tail of one keyset page over a derived table with columns `k`
/// (the i64 key) and `id`: `WHERE`, `ORDER BY`, `LIMIT` (and `OFFSET`).
/// `desc` is the list's order on `k`; ties go by `id` ascending. Bind as
/// [`crate::page::bind_keyset!`] does, from placeholder `first`.
pub(crate) fn keyset_k(start: Start, first: usize, desc: bool, limit: i64) -> String {
    let (a, b) = (first, first + 1);
    let lim = limit_sql(start, limit);
    let (after, before, fwd, back) = if desc {
        ("<", ">", "k DESC, id", "k, id DESC")
    } else {
        (">", "<", "k, id", "k DESC, id DESC")
    };
    match start {
        Start::Offset(_) => format!("ORDER BY {fwd} {lim}"),
        Start::Cursor(Cursor {
            direction: Direction::Older,
            ..
        }) => format!("WHERE k {after} ${a} OR (k = ${a} AND id > ${b}) ORDER BY {fwd} {lim}"),
        Start::Cursor(Cursor {
            direction: Direction::Newer,
            ..
        }) => format!("WHERE k {before} ${a} OR (k = ${a} AND id < ${b}) ORDER BY {back} {lim}"),
    }
}

/// Totals are counted up to this many; past it a list says "more than".
pub const TOTAL_CAP: i64 = 1_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_its_text_form_and_nothing_else_parses() {
        let c = Cursor {
            created_at: 1_700_000_000_123,
            id: Uuid::new_v4(),
            direction: Direction::Newer,
        };
        assert_eq!(Cursor::parse(&c.encode()), Some(c));
        for bad in [
            "",
            "!!",
            "bzox",
            &URL_SAFE_NO_PAD.encode("x:1:abc"),
            &URL_SAFE_NO_PAD.encode("o:one:00000000000000000000000000000000"),
        ] {
            assert_eq!(Cursor::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn pages_link_to_their_neighbours() {
        let key = |r: &(i64, Uuid)| *r;
        let rows: Vec<(i64, Uuid)> = (0..4)
            .rev()
            .map(|t| (t, Uuid::from_u128(t as u128)))
            .collect();
        let first = Page::from_rows(Start::Offset(0), rows[..3].to_vec(), 2, key);
        assert_eq!(first.items.len(), 2);
        assert_eq!(first.prev, None);
        let next = first.next.expect("more rows");
        assert_eq!((next.created_at, next.direction), (2, Direction::Older));
        let last = Page::from_rows(Start::Cursor(next), rows[2..].to_vec(), 2, key);
        assert_eq!(last.next, None);
        assert_eq!(
            last.prev.map(|c| (c.created_at, c.direction)),
            Some((1, Direction::Newer))
        );
        // Reading newer arrives oldest first and is turned round.
        let back = Page::from_rows(
            Start::Cursor(last.prev.unwrap()),
            vec![rows[1], rows[0]],
            2,
            key,
        );
        assert_eq!(back.items, vec![rows[0], rows[1]]);
        assert_eq!(back.prev, None);
        assert_eq!(back.next.map(|c| c.created_at), Some(2));
    }
}
