//! Closure surveys, their outcomes for programme reports, the self-efficacy
//! answer given at enrolment, and the activation marks the room sweep keeps
//! (see migration 0012).

use crate::decode::corrupt_row;
use crate::{on_conn, Result, StoreError, Tx};
use rapport_domain::closure::{CareerStep, SelfEfficacy, WouldMentor};
use rapport_domain::mentoring::RoomStatus;
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::{ClosureId, PersonId, ProgrammeId, RoomId, SkillId};
use sqlx::Row;

/// What a closure counts for reports: everything but the reflection, which
/// stays with [`ClosureRecord`] and is read by its author only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutcomeRecord {
    /// Id.
    pub id: ClosureId,
    /// The room.
    pub room_id: RoomId,
    /// The author.
    pub person_id: PersonId,
    /// The room's programme.
    pub programme_id: ProgrammeId,
    /// The author's role in the room.
    pub role: ProgrammeRole,
    /// Self-efficacy at closure.
    pub self_efficacy: SelfEfficacy,
    /// The author's answer at enrolment, if they gave one.
    pub self_efficacy_at_enrolment: Option<SelfEfficacy>,
    /// The career step taken.
    pub career_step: CareerStep,
    /// Would they mentor someone?
    pub would_mentor: WouldMentor,
    /// Skills gained, by catalogue name, sorted.
    pub skills: Vec<String>,
    /// Answered (ms).
    pub created_at: i64,
}

/// One member's closure survey, reflection included: for its author only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosureRecord {
    /// The outcomes.
    pub outcome: OutcomeRecord,
    /// The closing reflection (Markdown), private to its author.
    pub reflection: String,
}

/// A skill gained: the catalogue's skill and its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GainedSkill {
    /// The catalogue entry.
    pub id: SkillId,
    /// Its name when the closure was written.
    pub name: String,
}

/// What the activation sweep reads of an active room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivationRecord {
    /// The room.
    pub room_id: RoomId,
    /// Its programme.
    pub programme_id: ProgrammeId,
    /// When it became active (ms).
    pub started_at: i64,
    /// First message, session and goal, and the latest activity.
    pub activity: crate::RoomActivity,
    /// When the members were prompted about a missing first contact.
    pub members_prompted_at: Option<i64>,
    /// When the managers were.
    pub managers_prompted_at: Option<i64>,
    /// When the members were last warned about inactivity.
    pub inactivity_warned_at: Option<i64>,
}

const OUTCOME_COLUMNS: &str = "c.id, c.room_id, c.person_id, c.programme_id, c.role, c.self_efficacy, c.self_efficacy_at_enrolment, c.career_step, c.would_mentor, c.created_at";

fn outcome_row<R: Row>(r: &R) -> Result<OutcomeRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i32: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i32>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id = ClosureId(r.try_get("id")?);
    let bad = |e: rapport_domain::Invalid| corrupt_row("closures", id, e);
    let (role, step, mentor): (String, String, String) = (
        r.try_get("role")?,
        r.try_get("career_step")?,
        r.try_get("would_mentor")?,
    );
    let score: i32 = r.try_get("self_efficacy")?;
    let before: Option<i32> = r.try_get("self_efficacy_at_enrolment")?;
    Ok(OutcomeRecord {
        id,
        room_id: RoomId(r.try_get("room_id")?),
        person_id: PersonId(r.try_get("person_id")?),
        programme_id: ProgrammeId(r.try_get("programme_id")?),
        role: ProgrammeRole::parse("role", &role).map_err(bad)?,
        self_efficacy: SelfEfficacy::new("self_efficacy", score.into()).map_err(bad)?,
        self_efficacy_at_enrolment: before
            .map(|b| SelfEfficacy::new("self_efficacy_at_enrolment", b.into()))
            .transpose()
            .map_err(bad)?,
        career_step: CareerStep::parse(&step).map_err(bad)?,
        would_mentor: WouldMentor::parse(&mentor).map_err(bad)?,
        skills: vec![],
        created_at: r.try_get("created_at")?,
    })
}

impl Tx {
    /// Stores a closure with its skills. A second one by the same member for
    /// the same room is `Conflict closures_room_id_person_id_key`.
    pub async fn insert_closure(
        &mut self,
        c: &ClosureRecord,
        skills: &[GainedSkill],
    ) -> Result<()> {
        let o = &c.outcome;
        on_conn!(self, conn => {
            sqlx::query("INSERT INTO closures (id, room_id, person_id, programme_id, role, reflection, self_efficacy, self_efficacy_at_enrolment, career_step, would_mentor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                .bind(o.id.0).bind(o.room_id.0).bind(o.person_id.0).bind(o.programme_id.0).bind(o.role.code())
                .bind(&c.reflection).bind(i32::from(o.self_efficacy.get()))
                .bind(o.self_efficacy_at_enrolment.map(|s| i32::from(s.get())))
                .bind(o.career_step.code()).bind(o.would_mentor.code()).bind(o.created_at)
                .execute(&mut *conn).await?;
            for s in skills {
                sqlx::query("INSERT INTO closure_skills (closure_id, skill_id, name) VALUES ($1, $2, $3)")
                    .bind(o.id.0).bind(s.id.0).bind(&s.name)
                    .execute(&mut *conn).await?;
            }
            Ok::<(), StoreError>(())
        })
    }

    /// A member's own closure of a room, reflection included.
    pub async fn closure_of(
        &mut self,
        room: RoomId,
        person: PersonId,
    ) -> Result<Option<ClosureRecord>> {
        let sql = format!("SELECT {OUTCOME_COLUMNS}, c.reflection FROM closures c WHERE c.room_id = $1 AND c.person_id = $2");
        let found = on_conn!(self, conn => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0).bind(person.0).fetch_optional(&mut *conn).await?;
            row.map(|r| Ok::<_, StoreError>(ClosureRecord { outcome: outcome_row(&r)?, reflection: r.try_get("reflection")? })).transpose()
        })?;
        let Some(mut c) = found else { return Ok(None) };
        c.outcome.skills = self.closure_skills(c.outcome.id).await?;
        Ok(Some(c))
    }

    /// Every closure a person wrote, reflections included (for their own
    /// data export), oldest first.
    pub async fn closures_by(&mut self, person: PersonId) -> Result<Vec<ClosureRecord>> {
        let sql = format!("SELECT {OUTCOME_COLUMNS}, c.reflection FROM closures c WHERE c.person_id = $1 ORDER BY c.created_at, c.id");
        let mut out = on_conn!(self, conn => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person.0).fetch_all(&mut *conn).await?;
            rows.iter().map(|r| Ok::<_, StoreError>(ClosureRecord { outcome: outcome_row(r)?, reflection: r.try_get("reflection")? })).collect::<Result<Vec<_>>>()
        })?;
        for c in &mut out {
            c.outcome.skills = self.closure_skills(c.outcome.id).await?;
        }
        Ok(out)
    }

    async fn closure_skills(&mut self, id: ClosureId) -> Result<Vec<String>> {
        on_conn!(self, conn => {
            let rows = sqlx::query("SELECT name FROM closure_skills WHERE closure_id = $1 ORDER BY name").bind(id.0).fetch_all(conn).await?;
            rows.iter().map(|r| Ok(r.try_get("name")?)).collect()
        })
    }

    /// Every closure's outcomes in a programme, oldest first. The reflection
    /// is not read: reports never see it.
    pub async fn outcomes_in(&mut self, programme: ProgrammeId) -> Result<Vec<OutcomeRecord>> {
        let sql = format!("SELECT {OUTCOME_COLUMNS} FROM closures c WHERE c.programme_id = $1 ORDER BY c.created_at, c.id");
        let (mut out, skills) = on_conn!(self, conn => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(programme.0).fetch_all(&mut *conn).await?;
            let out = rows.iter().map(outcome_row).collect::<Result<Vec<_>>>()?;
            let skills = sqlx::query("SELECT s.closure_id, s.name FROM closure_skills s JOIN closures c ON c.id = s.closure_id WHERE c.programme_id = $1 ORDER BY s.name")
                .bind(programme.0).fetch_all(&mut *conn).await?
                .iter().map(|r| Ok((ClosureId(r.try_get("closure_id")?), r.try_get::<String, _>("name")?)))
                .collect::<Result<Vec<_>>>()?;
            Ok::<_, StoreError>((out, skills))
        })?;
        for (id, name) in skills {
            if let Some(o) = out.iter_mut().find(|o| o.id == id) {
                o.skills.push(name);
            }
        }
        Ok(out)
    }

    /// The self-efficacy a person gave when enrolling in a role.
    pub async fn enrolment_self_efficacy(
        &mut self,
        programme: ProgrammeId,
        person: PersonId,
        role: ProgrammeRole,
    ) -> Result<Option<SelfEfficacy>> {
        let raw: Option<i32> = on_conn!(self, c => {
            let row = sqlx::query("SELECT self_efficacy FROM enrolments WHERE programme_id = $1 AND person_id = $2 AND role = $3")
                .bind(programme.0).bind(person.0).bind(role.code()).fetch_optional(c).await?;
            row.map(|r| r.try_get::<Option<i32>, _>("self_efficacy")).transpose()?.flatten()
        });
        raw.map(|n| SelfEfficacy::new("self_efficacy", n.into()))
            .transpose()
            .map_err(|e| StoreError::corrupt("enrolments", None, e.to_string()))
    }

    /// Records the self-efficacy a person gives when enrolling in a role;
    /// `None` keeps what is stored.
    pub async fn set_enrolment_self_efficacy(
        &mut self,
        programme: ProgrammeId,
        person: PersonId,
        role: ProgrammeRole,
        score: Option<SelfEfficacy>,
    ) -> Result<()> {
        on_conn!(self, c => sqlx::query("UPDATE enrolments SET self_efficacy = COALESCE($4, self_efficacy) WHERE programme_id = $1 AND person_id = $2 AND role = $3")
            .bind(programme.0).bind(person.0).bind(role.code()).bind(score.map(|s| i32::from(s.get())))
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Active rooms the activation sweep may have to act on: no first
    /// contact and managers not yet prompted, or nothing since `quiet_since`.
    pub async fn rooms_for_activation(
        &mut self,
        quiet_since: i64,
    ) -> Result<Vec<ActivationRecord>> {
        let sql = format!(
            "SELECT r.id, r.programme_id, r.started_at, r.first_message_at, r.first_session_at, r.first_goal_at, r.last_activity_at, \
             a.members_prompted_at, a.managers_prompted_at, a.inactivity_warned_at \
             FROM rooms r LEFT JOIN room_activation a ON a.room_id = r.id \
             WHERE r.status = '{}' AND r.started_at IS NOT NULL AND ( \
               (r.first_message_at IS NULL AND r.first_session_at IS NULL AND r.first_goal_at IS NULL AND a.managers_prompted_at IS NULL) \
               OR COALESCE(r.last_activity_at, r.started_at) <= $1) \
             ORDER BY r.started_at, r.id",
            RoomStatus::Active.code()
        );
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(quiet_since).fetch_all(c).await?;
            rows.iter().map(|r| Ok(ActivationRecord {
                room_id: RoomId(r.try_get("id")?),
                programme_id: ProgrammeId(r.try_get("programme_id")?),
                started_at: r.try_get("started_at")?,
                activity: crate::RoomActivity {
                    first_message_at: r.try_get("first_message_at")?,
                    first_session_at: r.try_get("first_session_at")?,
                    first_goal_at: r.try_get("first_goal_at")?,
                    last_activity_at: r.try_get("last_activity_at")?,
                },
                members_prompted_at: r.try_get("members_prompted_at")?,
                managers_prompted_at: r.try_get("managers_prompted_at")?,
                inactivity_warned_at: r.try_get("inactivity_warned_at")?,
            })).collect()
        })
    }

    /// Marks a room's members as prompted about a missing first contact;
    /// false when they already were (each prompt goes once).
    pub async fn mark_members_prompted(&mut self, room: RoomId, now: i64) -> Result<bool> {
        self.mark_activation(
            room,
            "members_prompted_at",
            "room_activation.members_prompted_at IS NULL",
            now,
        )
        .await
    }

    /// Marks a room's managers as prompted; false when they already were.
    pub async fn mark_managers_prompted(&mut self, room: RoomId, now: i64) -> Result<bool> {
        self.mark_activation(
            room,
            "managers_prompted_at",
            "room_activation.managers_prompted_at IS NULL",
            now,
        )
        .await
    }

    /// Marks a room's members as warned about the inactive spell that began
    /// at `spell_start`; false when they were already warned during it.
    pub async fn mark_inactivity_warned(
        &mut self,
        room: RoomId,
        spell_start: i64,
        now: i64,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("INSERT INTO room_activation (room_id, inactivity_warned_at) VALUES ($1, $2) \
                ON CONFLICT (room_id) DO UPDATE SET inactivity_warned_at = excluded.inactivity_warned_at \
                WHERE room_activation.inactivity_warned_at IS NULL OR room_activation.inactivity_warned_at < $3")
                .bind(room.0).bind(now).bind(spell_start).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    async fn mark_activation(
        &mut self,
        room: RoomId,
        column: &'static str,
        unset: &'static str,
        now: i64,
    ) -> Result<bool> {
        let sql = format!(
            "INSERT INTO room_activation (room_id, {column}) VALUES ($1, $2) \
             ON CONFLICT (room_id) DO UPDATE SET {column} = excluded.{column} WHERE {unset}"
        );
        on_conn!(self, c => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0).bind(now).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }
}
