//! A programme's participants, one filtered page at a time (issues 18 §6
//! "Lists" and 20): the managers' list used to read every enrolment of the
//! programme on every view, and the API answered all of them at once.
//!
//! The page is a keyset page on `(created_at, id)`, newest first by default so
//! a new application is at the top. Filters (status, role, words of the name
//! or email) narrow the rows before the page is cut, and each combination is
//! its own SQL text, so both databases plan it with the filter's index.

use crate::mentoring::{enrolment_row, EnrolmentView, ENROLMENT_COLUMNS};
use crate::page::{keyset_k, Page, Start, TOTAL_CAP};
use crate::{on_conn, Result, Tx};
use rapport_domain::mentoring::EnrolmentStatus;
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::ProgrammeId;
use sqlx::Row;

/// Which participants a page holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnrolmentFilter {
    /// Only enrolments in this state.
    pub status: Option<EnrolmentStatus>,
    /// Only enrolments in this role.
    pub role: Option<ProgrammeRole>,
    /// Only people whose name or email contains this text (any case).
    pub text: Option<String>,
}

/// A participants page's order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EnrolmentOrder {
    /// Newest enrolment first: new applications at the top.
    #[default]
    Newest,
    /// Oldest first, the order the unpaged list used to answer in.
    Oldest,
}

impl Tx {
    /// One page of a programme's enrolments with the person's name and email,
    /// as [`EnrolmentFilter`] narrows them, in `order`.
    pub async fn enrolments_page(
        &mut self,
        programme: ProgrammeId,
        filter: &EnrolmentFilter,
        order: EnrolmentOrder,
        start: Start,
        limit: i64,
    ) -> Result<Page<EnrolmentView>> {
        let mut conditions = vec!["e.programme_id = $1".to_string()];
        let mut next = 2;
        if filter.status.is_some() {
            conditions.push(format!("e.status = ${next}"));
            next += 1;
        }
        if filter.role.is_some() {
            conditions.push(format!("e.role = ${next}"));
            next += 1;
        }
        if filter.text.is_some() {
            conditions.push(format!(
                "(LOWER(p.name) LIKE ${next} ESCAPE '\\' OR LOWER(p.email) LIKE ${next} ESCAPE '\\')"
            ));
            next += 1;
        }
        let sql = format!(
            "SELECT * FROM (SELECT {ENROLMENT_COLUMNS}, e.created_at AS k, e.self_efficacy, p.name, p.email FROM enrolments e JOIN people p ON p.id = e.person_id WHERE {}) AS x {}",
            conditions.join(" AND "),
            keyset_k(start, next, order == EnrolmentOrder::Newest, limit)
        );
        let pattern = filter.text.as_deref().map(crate::like_pattern);
        let rows = on_conn!(self, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(programme.0);
            if let Some(s) = filter.status {
                q = q.bind(s.code());
            }
            if let Some(r) = filter.role {
                q = q.bind(r.code());
            }
            if let Some(p) = &pattern {
                q = q.bind(p.as_str());
            }
            let rows = crate::page::bind_keyset!(q, start).fetch_all(c).await?;
            rows.iter().map(|r| Ok(EnrolmentView {
                enrolment: enrolment_row(r)?,
                name: r.try_get("name")?,
                email: r.try_get("email")?,
                self_efficacy: r.try_get("self_efficacy")?,
            })).collect::<Result<Vec<_>>>()?
        });
        Ok(Page::from_rows(start, rows, limit, |v| {
            (v.enrolment.created_at, v.enrolment.id.0)
        }))
    }

    /// How many of a programme's enrolments are in `status`, counted up to
    /// [`TOTAL_CAP`] + 1 (more reads as "more than").
    pub async fn enrolments_in_status(
        &mut self,
        programme: ProgrammeId,
        status: EnrolmentStatus,
    ) -> Result<i64> {
        let cap = TOTAL_CAP + 1;
        on_conn!(self, c => {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM (SELECT 1 FROM enrolments WHERE programme_id = $1 AND status = $2 LIMIT $3) AS x")
                .bind(programme.0).bind(status.code()).bind(cap).fetch_one(c).await?;
            Ok(n)
        })
    }

    /// The distinct people approved in a programme in any role but manager:
    /// its participants, as a confirmation counts them.
    pub async fn participants_count(&mut self, programme: ProgrammeId) -> Result<i64> {
        on_conn!(self, c => {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(DISTINCT person_id) FROM enrolments WHERE programme_id = $1 AND status = 'approved' AND role <> 'manager'")
                .bind(programme.0).fetch_one(c).await?;
            Ok(n)
        })
    }
}
