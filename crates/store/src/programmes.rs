//! Programmes and the roles people hold in them.

use crate::decode::{corrupt_row, json_column};
use crate::{on_conn, Result, Tx};
use rapport_domain::programme::{
    Cadence, MatchingMode, ProgrammeKind, ProgrammeRole, ProgrammeStatus, Question,
};
use rapport_domain::room_rules::RoomRules;
use rapport_domain::values::Slug;
use rapport_domain::{PersonId, ProgrammeId};
use sqlx::Row;

/// A stored programme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgrammeRecord {
    /// Id.
    pub id: ProgrammeId,
    /// URL slug, unique; kept parsed so a record always holds a valid one.
    pub slug: Slug,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Kind.
    pub kind: ProgrammeKind,
    /// Status.
    pub status: ProgrammeStatus,
    /// Created (ms).
    pub created_at: i64,
    /// First day (`YYYY-MM-DD`), if set.
    pub starts_on: Option<String>,
    /// Last day (`YYYY-MM-DD`), if set.
    pub ends_on: Option<String>,
    /// How often people meet.
    pub cadence: Cadence,
    /// Mentor capacity when a mentor does not set one.
    pub default_capacity: i32,
    /// Who makes the matches.
    pub matching_mode: MatchingMode,
    /// Whether a running programme keeps taking enrolments and rounds.
    pub rolling_admission: bool,
    /// Days a request waits for an answer.
    pub request_expiry_days: i32,
    /// Enrolment questions.
    pub questions: Vec<Question>,
    /// Goal catalogue.
    pub goals: Vec<String>,
    /// Matching settings: the engine's `Settings` as a JSON object, decoded
    /// into that type by the app (an empty object means the kind's defaults).
    pub settings: serde_json::Value,
    /// Smallest peer circle.
    pub group_min: i32,
    /// Largest peer circle.
    pub group_max: i32,
    /// The rules for its rooms (lateness, pulse, health, inactivity).
    pub room_rules: RoomRules,
}

impl ProgrammeRecord {
    /// A programme with the defaults for everything but its identity. The
    /// slug is already parsed: a record never holds one that is not valid.
    pub fn new(
        slug: Slug,
        name: &str,
        kind: ProgrammeKind,
        status: ProgrammeStatus,
        now: i64,
    ) -> Self {
        Self {
            id: ProgrammeId::new(),
            slug,
            name: name.into(),
            description: String::new(),
            kind,
            status,
            created_at: now,
            starts_on: None,
            ends_on: None,
            cadence: Cadence::EveryTwoWeeks,
            default_capacity: 2,
            matching_mode: MatchingMode::Managers,
            rolling_admission: false,
            request_expiry_days: 14,
            questions: vec![],
            goals: vec![],
            settings: serde_json::json!({}),
            group_min: 4,
            group_max: 8,
            room_rules: RoomRules::default(),
        }
    }
}

const PROGRAMME_COLUMNS: &str = "id, slug, name, description, kind, status, created_at, starts_on, ends_on, cadence, default_capacity, matching_mode, rolling_admission, request_expiry_days, questions, goals, settings, group_min, group_max, room_rules";

/// A programme as a list of someone's programmes names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgrammeName {
    /// Id.
    pub id: ProgrammeId,
    /// URL slug.
    pub slug: Slug,
    /// Name.
    pub name: String,
    /// Status.
    pub status: ProgrammeStatus,
}

/// The programmes someone has a role in or an enrolment with, and those
/// enrolments ([`Tx::programmes_of`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProgrammesOf {
    /// Each programme once, by name.
    pub programmes: Vec<ProgrammeName>,
    /// Their enrolments, oldest first (withdrawn ones too).
    pub enrolments: Vec<crate::EnrolmentRecord>,
}

fn programme_row<R: Row>(r: &R) -> Result<ProgrammeRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i32: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> bool: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    let cadence: String = r.try_get("cadence")?;
    let mode: String = r.try_get("matching_mode")?;
    let slug: String = r.try_get("slug")?;
    let id = ProgrammeId(r.try_get("id")?);
    let corrupt = |e| corrupt_row("programmes", id, e);
    Ok(ProgrammeRecord {
        id,
        slug: Slug::parse("slug", &slug).map_err(corrupt)?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        kind: ProgrammeKind::parse("kind", &kind).map_err(corrupt)?,
        status: ProgrammeStatus::parse("status", &status).map_err(corrupt)?,
        created_at: r.try_get("created_at")?,
        starts_on: r.try_get("starts_on")?,
        ends_on: r.try_get("ends_on")?,
        cadence: Cadence::parse("cadence", &cadence).map_err(corrupt)?,
        default_capacity: r.try_get("default_capacity")?,
        matching_mode: MatchingMode::parse("matching_mode", &mode).map_err(corrupt)?,
        rolling_admission: r.try_get("rolling_admission")?,
        request_expiry_days: r.try_get("request_expiry_days")?,
        questions: json_column(r, "questions", "programmes", id)?,
        goals: json_column(r, "goals", "programmes", id)?,
        settings: json_column(r, "settings", "programmes", id)?,
        group_min: r.try_get("group_min")?,
        group_max: r.try_get("group_max")?,
        room_rules: json_column(r, "room_rules", "programmes", id)?,
    })
}

impl Tx {
    /// Inserts a programme; a taken slug is `Conflict programmes_slug_key`.
    pub async fn insert_programme(&mut self, p: &ProgrammeRecord) -> Result<()> {
        on_conn!(self, c => sqlx::query("INSERT INTO programmes (id, slug, name, description, kind, status, created_at, updated_at, starts_on, ends_on, cadence, default_capacity, matching_mode, rolling_admission, request_expiry_days, questions, goals, settings, group_min, group_max, room_rules) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)")
            .bind(p.id.0).bind(p.slug.as_str()).bind(&p.name).bind(&p.description).bind(p.kind.code()).bind(p.status.code()).bind(p.created_at)
            .bind(&p.starts_on).bind(&p.ends_on).bind(p.cadence.code()).bind(p.default_capacity).bind(p.matching_mode.code())
            .bind(p.rolling_admission).bind(p.request_expiry_days).bind(serde_json::to_string(&p.questions)?).bind(serde_json::to_string(&p.goals)?).bind(p.settings.to_string())
            .bind(p.group_min).bind(p.group_max).bind(serde_json::to_string(&p.room_rules)?)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Saves every editable field of a programme (not its id, kind or
    /// creation time). A taken slug is `Conflict programmes_slug_key`.
    pub async fn update_programme(&mut self, p: &ProgrammeRecord, now: i64) -> Result<()> {
        on_conn!(self, c => sqlx::query("UPDATE programmes SET slug = $2, name = $3, description = $4, status = $5, updated_at = $6, starts_on = $7, ends_on = $8, cadence = $9, default_capacity = $10, matching_mode = $11, rolling_admission = $12, request_expiry_days = $13, questions = $14, goals = $15, settings = $16, group_min = $17, group_max = $18, room_rules = $19 WHERE id = $1")
            .bind(p.id.0).bind(p.slug.as_str()).bind(&p.name).bind(&p.description).bind(p.status.code()).bind(now)
            .bind(&p.starts_on).bind(&p.ends_on).bind(p.cadence.code()).bind(p.default_capacity).bind(p.matching_mode.code())
            .bind(p.rolling_admission).bind(p.request_expiry_days).bind(serde_json::to_string(&p.questions)?).bind(serde_json::to_string(&p.goals)?).bind(p.settings.to_string())
            .bind(p.group_min).bind(p.group_max).bind(serde_json::to_string(&p.room_rules)?)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// One programme by slug.
    pub async fn programme_by_slug(&mut self, slug: &str) -> Result<Option<ProgrammeRecord>> {
        let sql = format!("SELECT {PROGRAMME_COLUMNS} FROM programmes WHERE slug = $1");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(slug).fetch_optional(c).await?;
            row.as_ref().map(programme_row).transpose()
        })
    }

    /// The people holding `role` in a programme.
    pub async fn holders(
        &mut self,
        programme: ProgrammeId,
        role: ProgrammeRole,
    ) -> Result<Vec<PersonId>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT person_id FROM programme_roles WHERE programme_id = $1 AND role = $2 ORDER BY created_at")
                .bind(programme.0).bind(role.code()).fetch_all(c).await?;
            rows.iter().map(|r| Ok(PersonId(r.try_get("person_id")?))).collect()
        })
    }

    /// The people who hold `role` in `programme`, in the order they were
    /// given it: [`Tx::holders`] with each person's record, in one
    /// statement (a programme's page lists its managers).
    pub async fn holder_people(
        &mut self,
        programme: ProgrammeId,
        role: ProgrammeRole,
    ) -> Result<Vec<crate::PersonRecord>> {
        let sql = format!(
            "SELECT {} FROM programme_roles r JOIN people p ON p.id = r.person_id WHERE r.programme_id = $1 AND r.role = $2 ORDER BY r.created_at",
            crate::people::person_columns_of("p")
        );
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(programme.0).bind(role.code()).fetch_all(c).await?;
            rows.iter().map(crate::people::decode).collect()
        })
    }

    /// Takes a role away; returns whether it was held.
    pub async fn revoke_role(
        &mut self,
        programme: ProgrammeId,
        person: PersonId,
        role: ProgrammeRole,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("DELETE FROM programme_roles WHERE programme_id = $1 AND person_id = $2 AND role = $3")
                .bind(programme.0).bind(person.0).bind(role.code()).execute(c).await?;
            Ok(r.rows_affected() > 0)
        })
    }

    /// All programmes, by name.
    pub async fn programmes(&mut self) -> Result<Vec<ProgrammeRecord>> {
        let sql = format!("SELECT {PROGRAMME_COLUMNS} FROM programmes ORDER BY name, id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(c).await?;
            rows.iter().map(programme_row).collect()
        })
    }

    /// The programmes `person` has a role in or an enrolment with, each
    /// once, with those enrolments, in one statement: what their start page
    /// lists (issue 20: on PostgreSQL every statement of a page is a round
    /// trip, and the page read every programme, then the enrolments).
    pub async fn programmes_of(&mut self, person: PersonId) -> Result<ProgrammesOf> {
        // A row per enrolment, and one for a programme held by a role alone
        // (its enrolment columns NULL). The enrolment's own programme_id is
        // the programme's id, so that column is the programme's.
        const SQL: &str = "SELECT pr.id AS programme_id, pr.slug AS programme_slug, pr.name AS programme_name, pr.status AS programme_status, \
            e.id, e.person_id, e.role, e.status, e.capacity, e.answers, e.preferences, e.consent_sensitive, e.created_at, e.conduct_accepted_at, e.decided_at \
            FROM programmes pr LEFT JOIN enrolments e ON e.programme_id = pr.id AND e.person_id = $1 \
            WHERE e.id IS NOT NULL OR pr.id IN (SELECT programme_id FROM programme_roles WHERE person_id = $1) \
            ORDER BY COALESCE(e.created_at, 0), e.id, pr.name, pr.id";
        on_conn!(self, c => {
            let rows = sqlx::query(SQL).bind(person.0).fetch_all(c).await?;
            let mut out = ProgrammesOf::default();
            for r in &rows {
                let id = ProgrammeId(r.try_get("programme_id")?);
                if !out.programmes.iter().any(|p| p.id == id) {
                    let (slug, status): (String, String) = (r.try_get("programme_slug")?, r.try_get("programme_status")?);
                    let corrupt = |e| corrupt_row("programmes", id, e);
                    out.programmes.push(ProgrammeName {
                        id,
                        slug: Slug::parse("slug", &slug).map_err(corrupt)?,
                        name: r.try_get("programme_name")?,
                        status: ProgrammeStatus::parse("status", &status).map_err(corrupt)?,
                    });
                }
                if r.try_get::<Option<uuid::Uuid>, _>("id")?.is_some() {
                    out.enrolments.push(crate::mentoring::enrolment_row(r)?);
                }
            }
            out.programmes.sort_by(|a, b| (&a.name, a.id.0).cmp(&(&b.name, b.id.0)));
            Ok(out)
        })
    }

    /// One programme by id.
    pub async fn programme(&mut self, id: ProgrammeId) -> Result<Option<ProgrammeRecord>> {
        let sql = format!("SELECT {PROGRAMME_COLUMNS} FROM programmes WHERE id = $1");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(id.0).fetch_optional(c).await?;
            row.as_ref().map(programme_row).transpose()
        })
    }

    /// Grants a role; granting one already held is a no-op.
    pub async fn grant_role(
        &mut self,
        programme: ProgrammeId,
        person: PersonId,
        role: ProgrammeRole,
        now: i64,
    ) -> Result<()> {
        self.grant_roles(&[(programme, person, role)], now).await
    }

    /// [`Tx::grant_role`] for many, 500 a statement (an import's rows).
    pub async fn grant_roles(
        &mut self,
        grants: &[(ProgrammeId, PersonId, ProgrammeRole)],
        now: i64,
    ) -> Result<()> {
        const ROWS: usize = 500;
        for chunk in grants.chunks(ROWS) {
            let sql = format!(
                "INSERT INTO programme_roles (programme_id, person_id, role, created_at) VALUES {} ON CONFLICT DO NOTHING",
                crate::params::value_rows(self.dialect(), chunk.len(), 4)
            );
            on_conn!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (programme, person, role) in chunk {
                    q = q.bind(programme.0).bind(person.0).bind(role.code()).bind(now);
                }
                q.execute(c).await.map(|r| r.rows_affected())
            })?;
        }
        Ok(())
    }

    /// The roles a person holds.
    pub async fn roles_of(
        &mut self,
        person: PersonId,
    ) -> Result<Vec<(ProgrammeId, ProgrammeRole)>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT programme_id, role FROM programme_roles WHERE person_id = $1 ORDER BY created_at, role")
                .bind(person.0).fetch_all(c).await?;
            rows.iter().map(|r| {
                let role: String = r.try_get("role")?;
                let programme = ProgrammeId(r.try_get("programme_id")?);
                let bad = |e| corrupt_row("programme_roles", format!("{programme}/{person}"), e);
                Ok((programme, ProgrammeRole::parse("role", &role).map_err(bad)?))
            }).collect()
        })
    }

    /// How many people hold `role` in `programme`.
    pub async fn count_role(&mut self, programme: ProgrammeId, role: ProgrammeRole) -> Result<i64> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM programme_roles WHERE programme_id = $1 AND role = $2")
                .bind(programme.0).bind(role.code()).fetch_one(c).await?;
            Ok(row.try_get("n")?)
        })
    }
}
