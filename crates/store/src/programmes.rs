//! Programmes and the roles people hold in them.

use crate::{on_conn, Result, StoreError, Tx};
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole, ProgrammeStatus};
use rapport_domain::{PersonId, ProgrammeId};
use sqlx::Row;

/// A stored programme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgrammeRecord {
    /// Id.
    pub id: ProgrammeId,
    /// URL slug, unique.
    pub slug: String,
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
}

fn corrupt(e: rapport_domain::Invalid) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

impl Tx {
    /// Inserts a programme; a taken slug is `Conflict programmes_slug_key`.
    pub async fn insert_programme(&mut self, p: &ProgrammeRecord) -> Result<()> {
        on_conn!(self, c => sqlx::query("INSERT INTO programmes (id, slug, name, description, kind, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)")
            .bind(p.id.0).bind(&p.slug).bind(&p.name).bind(&p.description).bind(p.kind.code()).bind(p.status.code()).bind(p.created_at)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// All programmes, by name.
    pub async fn programmes(&mut self) -> Result<Vec<ProgrammeRecord>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT id, slug, name, description, kind, status, created_at FROM programmes ORDER BY name, id").fetch_all(c).await?;
            rows.iter().map(|r| {
                let kind: String = r.try_get("kind")?;
                let status: String = r.try_get("status")?;
                Ok(ProgrammeRecord {
                    id: ProgrammeId(r.try_get("id")?),
                    slug: r.try_get("slug")?,
                    name: r.try_get("name")?,
                    description: r.try_get("description")?,
                    kind: ProgrammeKind::parse("kind", &kind).map_err(corrupt)?,
                    status: ProgrammeStatus::parse("status", &status).map_err(corrupt)?,
                    created_at: r.try_get("created_at")?,
                })
            }).collect()
        })
    }

    /// One programme by id.
    pub async fn programme(&mut self, id: ProgrammeId) -> Result<Option<ProgrammeRecord>> {
        Ok(self.programmes().await?.into_iter().find(|p| p.id == id))
    }

    /// Grants a role; granting one already held is a no-op.
    pub async fn grant_role(
        &mut self,
        programme: ProgrammeId,
        person: PersonId,
        role: ProgrammeRole,
        now: i64,
    ) -> Result<()> {
        on_conn!(self, c => sqlx::query("INSERT INTO programme_roles (programme_id, person_id, role, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
            .bind(programme.0).bind(person.0).bind(role.code()).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
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
                Ok((ProgrammeId(r.try_get("programme_id")?), ProgrammeRole::parse("role", &role).map_err(corrupt)?))
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
