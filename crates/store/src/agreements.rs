//! Room agreements: one row per version (see migration 0007), and each
//! member's confirmation of a version.

use crate::decode::corrupt_row;
use crate::page::{bind_keyset, keyset_sql, Page, Start};
use crate::pulse::ID_CHUNK;
use crate::{on_conn, Result, Tx};
use rapport_domain::agreement::{parse_day, AgreedDuration, MeetingFormat};
use rapport_domain::programme::Cadence;
use rapport_domain::{AgreementId, PersonId, RoomId};
use sqlx::Row;
use std::collections::HashMap;

/// One version of a room's agreement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgreementRecord {
    /// Id of this version.
    pub id: AgreementId,
    /// Its room.
    pub room_id: RoomId,
    /// 1 for the first agreement, one more for each revision.
    pub version: i32,
    /// How long the relationship is meant to last.
    pub duration: AgreedDuration,
    /// How often the members meet.
    pub cadence: Cadence,
    /// How they meet.
    pub format: MeetingFormat,
    /// What the mentee wants from the relationship (Markdown).
    pub mentee_wants: String,
    /// What each side expects of the other (Markdown).
    pub expectations: String,
    /// What stays between them (Markdown).
    pub confidentiality: String,
    /// How they will end well (Markdown).
    pub ending: String,
    /// Who wrote this version (none once their account is deleted).
    pub changed_by: Option<PersonId>,
    /// Their name, read with the row.
    pub changed_by_name: Option<String>,
    /// When (ms).
    pub created_at: i64,
}

/// A member's confirmation of one agreement version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmationRecord {
    /// Who confirmed.
    pub person_id: PersonId,
    /// When (ms).
    pub confirmed_at: i64,
}

const COLUMNS: &str = "a.id, a.room_id, a.version, a.duration_months, a.end_date, a.cadence, a.format, a.mentee_wants, a.expectations, a.confidentiality, a.ending, a.changed_by, p.name AS changed_by_name, a.created_at";

fn decode<R: Row>(r: &R) -> Result<AgreementRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i32: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id = AgreementId(r.try_get("id")?);
    let bad = |e: rapport_domain::Invalid| corrupt_row("agreement_versions", id, e);
    let months: Option<i32> = r.try_get("duration_months")?;
    let end: Option<String> = r.try_get("end_date")?;
    let duration = match (months, end) {
        (Some(m), None) => AgreedDuration::parse(Some(i64::from(m)), "").map_err(bad)?,
        (None, Some(d)) => AgreedDuration::Until(parse_day("end_date", &d).map_err(bad)?),
        _ => {
            return Err(corrupt_row(
                "agreement_versions",
                id,
                "exactly one of duration_months and end_date must be set",
            ))
        }
    };
    let cadence: String = r.try_get("cadence")?;
    let format: String = r.try_get("format")?;
    Ok(AgreementRecord {
        id,
        room_id: RoomId(r.try_get("room_id")?),
        version: r.try_get("version")?,
        duration,
        cadence: Cadence::parse("cadence", &cadence).map_err(bad)?,
        format: MeetingFormat::parse(&format).map_err(bad)?,
        mentee_wants: r.try_get("mentee_wants")?,
        expectations: r.try_get("expectations")?,
        confidentiality: r.try_get("confidentiality")?,
        ending: r.try_get("ending")?,
        changed_by: r
            .try_get::<Option<uuid::Uuid>, _>("changed_by")?
            .map(PersonId),
        changed_by_name: r.try_get("changed_by_name")?,
        created_at: r.try_get("created_at")?,
    })
}

impl Tx {
    /// Stores a version. Its `version` must be one more than the room's
    /// latest (the `(room_id, version)` constraint refuses a second writer).
    pub async fn insert_agreement(&mut self, a: &AgreementRecord) -> Result<()> {
        let months = a.duration.months().map(i32::from);
        let end = a
            .duration
            .end_date()
            .map(|d| d.format("%Y-%m-%d").to_string());
        on_conn!(self, c => {
            sqlx::query("INSERT INTO agreement_versions (id, room_id, version, duration_months, end_date, cadence, format, mentee_wants, expectations, confidentiality, ending, changed_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
                .bind(a.id.0).bind(a.room_id.0).bind(a.version).bind(months).bind(end)
                .bind(a.cadence.code()).bind(a.format.code()).bind(&a.mentee_wants).bind(&a.expectations)
                .bind(&a.confidentiality).bind(&a.ending).bind(a.changed_by.map(|p| p.0)).bind(a.created_at)
                .execute(c).await?;
            Ok(())
        })
    }

    /// The room's current agreement: its latest version, if any.
    pub async fn current_agreement(&mut self, room: RoomId) -> Result<Option<AgreementRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM agreement_versions a LEFT JOIN people p ON p.id = a.changed_by WHERE a.room_id = $1 ORDER BY a.version DESC LIMIT 1");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0).fetch_optional(c).await?;
            row.as_ref().map(decode).transpose()
        })
    }

    /// The current agreement of each of `rooms` that has one, by room, in
    /// one query per 500 rooms.
    pub async fn current_agreements(
        &mut self,
        rooms: &[RoomId],
    ) -> Result<HashMap<RoomId, AgreementRecord>> {
        let mut out = HashMap::new();
        for chunk in rooms.chunks(ID_CHUNK) {
            let sql = format!("SELECT {COLUMNS} FROM agreement_versions a LEFT JOIN people p ON p.id = a.changed_by WHERE a.room_id IN ({}) AND a.version = (SELECT MAX(b.version) FROM agreement_versions b WHERE b.room_id = a.room_id)", crate::params::leading(self.dialect(), chunk.len()));
            on_conn!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(id.0);
                }
                for r in q.fetch_all(c).await?.iter() {
                    let a = decode(r)?;
                    out.insert(a.room_id, a);
                }
            });
        }
        Ok(out)
    }

    /// Every version of a room's agreement, oldest first (for a data export).
    pub async fn agreement_versions_all(&mut self, room: RoomId) -> Result<Vec<AgreementRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM agreement_versions a LEFT JOIN people p ON p.id = a.changed_by WHERE a.room_id = $1 ORDER BY a.version");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0).fetch_all(c).await?;
            rows.iter().map(decode).collect()
        })
    }

    /// One page of a room's agreement versions, newest first.
    pub async fn agreement_versions_page(
        &mut self,
        room: RoomId,
        start: Start,
        limit: i64,
    ) -> Result<Page<AgreementRecord>> {
        let sql = format!(
            "SELECT * FROM (SELECT {COLUMNS} FROM agreement_versions a LEFT JOIN people p ON p.id = a.changed_by WHERE a.room_id = $1) AS q {}",
            keyset_sql(start, 2, limit)
        );
        on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0);
            let q = bind_keyset!(q, start);
            let rows = q.fetch_all(&mut *c).await?;
            let items = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
            Ok(Page::from_rows(start, items, limit, |a| (a.created_at, a.id.0)))
        })
    }

    /// Records `person`'s confirmation of a version; false if they had
    /// already confirmed it.
    pub async fn confirm_agreement(
        &mut self,
        agreement: AgreementId,
        person: PersonId,
        now: i64,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("INSERT INTO agreement_confirmations (agreement_id, person_id, confirmed_at) VALUES ($1, $2, $3) ON CONFLICT (agreement_id, person_id) DO NOTHING")
                .bind(agreement.0).bind(person.0).bind(now).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Who confirmed a version, earliest first.
    pub async fn agreement_confirmations(
        &mut self,
        agreement: AgreementId,
    ) -> Result<Vec<ConfirmationRecord>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT person_id, confirmed_at FROM agreement_confirmations WHERE agreement_id = $1 ORDER BY confirmed_at, person_id")
                .bind(agreement.0).fetch_all(c).await?;
            rows.iter().map(|r| Ok(ConfirmationRecord {
                person_id: PersonId(r.try_get("person_id")?),
                confirmed_at: r.try_get("confirmed_at")?,
            })).collect()
        })
    }
}
