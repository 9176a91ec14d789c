//! A person's requests and offers, one keyset page at a time, with the names
//! a list shows read in the same query (issue 20: the list used to run three
//! more queries per row), and the people a page is about read in one batch.

use crate::mentoring::{codes_in, request_row, RequestRecord, REQUEST_COLUMNS};
use crate::page::{bind_keyset, keyset_sql, Page, Start};
use crate::people::{decode, PERSON_COLUMNS};
use crate::pulse::ID_CHUNK;
use crate::{on_conn, PersonRecord, Result, Tx};
use rapport_domain::mentoring::RequestStatus;
use rapport_domain::PersonId;
use sqlx::Row;
use std::collections::HashMap;

/// A request with the names its list shows.
#[derive(Clone, Debug)]
pub struct RequestListRow {
    /// The request.
    pub request: RequestRecord,
    /// The mentee's name (empty once their account is deleted).
    pub mentee_name: String,
    /// The mentor's name (empty once their account is deleted).
    pub mentor_name: String,
    /// The programme's name.
    pub programme: String,
    /// The programme's slug.
    pub programme_slug: String,
}

impl Tx {
    /// One page of the requests and offers `person` sent or received, newest
    /// first, with names and programme: one query whatever the page size.
    pub async fn requests_page_of(
        &mut self,
        person: PersonId,
        start: Start,
        limit: i64,
    ) -> Result<Page<RequestListRow>> {
        let sql = format!(
            "SELECT * FROM ({}) AS t {}",
            list_sql(""),
            keyset_sql(start, 2, limit)
        );
        on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person.0);
            let q = bind_keyset!(q, start);
            let rows = q.fetch_all(&mut *c).await?;
            let items = rows.iter().map(list_row).collect::<Result<Vec<_>>>()?;
            Ok(Page::from_rows(start, items, limit, |v| (v.request.created_at, v.request.id.0)))
        })
    }

    /// The requests and offers `person` sent or received that are still
    /// open (pending, or waiting for an answer to a question), newest first,
    /// with names and programme: what their inbox reads. Answered, declined
    /// and expired ones, which a long-serving mentor has by the hundred, are
    /// not read at all.
    pub async fn open_requests_of(&mut self, person: PersonId) -> Result<Vec<RequestListRow>> {
        let open = codes_in(
            &[RequestStatus::Pending, RequestStatus::NeedsInfo],
            RequestStatus::code,
        );
        let sql = format!(
            "{} ORDER BY r.created_at DESC, r.id",
            list_sql(&format!(" AND r.status IN ({open})"))
        );
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person.0).fetch_all(&mut *c).await?;
            rows.iter().map(list_row).collect()
        })
    }

    /// The people with these ids that exist, by id: one query per 500 ids.
    pub async fn people_by_ids(
        &mut self,
        ids: &[PersonId],
    ) -> Result<HashMap<PersonId, PersonRecord>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(ID_CHUNK) {
            let sql = format!(
                "SELECT {PERSON_COLUMNS} FROM people WHERE id IN ({})",
                crate::params::leading(self.dialect(), chunk.len())
            );
            on_conn!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(id.0);
                }
                for r in q.fetch_all(c).await?.iter() {
                    let p = decode(r)?;
                    out.insert(p.id, p);
                }
            });
        }
        Ok(out)
    }
}

/// The requests `person` (`$1`) sent or received, with the names a list
/// shows, and `and` added to the condition.
fn list_sql(and: &str) -> String {
    let columns = REQUEST_COLUMNS
        .split(", ")
        .map(|c| format!("r.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT {columns}, COALESCE(me.name, '') AS mentee_name, COALESCE(mo.name, '') AS mentor_name, COALESCE(g.name, '') AS programme_name, COALESCE(g.slug, '') AS programme_slug FROM requests r LEFT JOIN people me ON me.id = r.mentee_id LEFT JOIN people mo ON mo.id = r.mentor_id LEFT JOIN programmes g ON g.id = r.programme_id WHERE (r.mentee_id = $1 OR r.mentor_id = $1){and}"
    )
}

/// A [`list_sql`] row.
fn list_row<R: Row>(r: &R) -> Result<RequestListRow>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(RequestListRow {
        request: request_row(r)?,
        mentee_name: r.try_get("mentee_name")?,
        mentor_name: r.try_get("mentor_name")?,
        programme: r.try_get("programme_name")?,
        programme_slug: r.try_get("programme_slug")?,
    })
}
