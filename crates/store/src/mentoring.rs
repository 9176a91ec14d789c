//! Enrolments, requests and rooms. The rules that concurrent requests could
//! break (one open request per pair, mentor capacity, personal maximum) are
//! enforced by the database itself: see migration 0002.

use crate::{on_conn, Result, StoreError, Tx};
use rapport_domain::mentoring::{EnrolmentStatus, MemberState, RequestStatus, RoomStatus};
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::{EnrolmentId, PersonId, ProgrammeId, RequestId, RoomId};
use sqlx::Row;

/// A person's enrolment in a programme in one role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrolmentRecord {
    /// Id.
    pub id: EnrolmentId,
    /// Programme.
    pub programme_id: ProgrammeId,
    /// Person.
    pub person_id: PersonId,
    /// Mentee, mentor, peer or facilitator.
    pub role: ProgrammeRole,
    /// Where the application stands.
    pub status: EnrolmentStatus,
    /// Mentor capacity in this programme.
    pub capacity: i32,
    /// Answers to the programme's questions (JSON).
    pub answers: String,
    /// Stated preferences (JSON).
    pub preferences: String,
    /// Consent to use sensitive fields for matching.
    pub consent_sensitive: bool,
    /// Applied (ms).
    pub created_at: i64,
}

/// A request (mentee asks mentor) or offer (mentor asks mentee).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    /// Id.
    pub id: RequestId,
    /// Programme.
    pub programme_id: ProgrammeId,
    /// The mentee.
    pub mentee_id: PersonId,
    /// The mentor.
    pub mentor_id: PersonId,
    /// `request` or `offer`.
    pub direction: String,
    /// State.
    pub status: RequestStatus,
    /// The sender's message.
    pub message: String,
    /// When it expires (ms).
    pub expires_at: i64,
    /// Sent (ms).
    pub created_at: i64,
}

/// A new room and its members.
#[derive(Clone, Debug)]
pub struct NewRoom {
    /// Id.
    pub id: RoomId,
    /// Programme.
    pub programme_id: ProgrammeId,
    /// Initial status (proposed from a round, active from an accepted request).
    pub status: RoomStatus,
    /// `round` or `request`.
    pub origin: &'static str,
    /// Members: person, role and state.
    pub members: Vec<(PersonId, ProgrammeRole, MemberState)>,
}

fn corrupt(e: rapport_domain::Invalid) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

impl Tx {
    /// Inserts an enrolment; a second one for the same role is
    /// `Conflict enrolments_programme_id_person_id_role_key`.
    pub async fn insert_enrolment(&mut self, e: &EnrolmentRecord) -> Result<()> {
        on_conn!(self, c => sqlx::query("INSERT INTO enrolments (id, programme_id, person_id, role, status, capacity, answers, preferences, consent_sensitive, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)")
            .bind(e.id.0).bind(e.programme_id.0).bind(e.person_id.0).bind(e.role.code()).bind(e.status.code()).bind(e.capacity)
            .bind(&e.answers).bind(&e.preferences).bind(e.consent_sensitive).bind(e.created_at)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// A person's enrolment in a programme in one role.
    pub async fn enrolment(
        &mut self,
        programme: ProgrammeId,
        person: PersonId,
        role: ProgrammeRole,
    ) -> Result<Option<EnrolmentRecord>> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT id, programme_id, person_id, role, status, capacity, answers, preferences, consent_sensitive, created_at FROM enrolments WHERE programme_id = $1 AND person_id = $2 AND role = $3")
                .bind(programme.0).bind(person.0).bind(role.code()).fetch_optional(c).await?;
            row.map(|r| {
                let (role, status): (String, String) = (r.try_get("role")?, r.try_get("status")?);
                Ok(EnrolmentRecord {
                    id: EnrolmentId(r.try_get("id")?),
                    programme_id: ProgrammeId(r.try_get("programme_id")?),
                    person_id: PersonId(r.try_get("person_id")?),
                    role: ProgrammeRole::parse("role", &role).map_err(corrupt)?,
                    status: EnrolmentStatus::parse(&status).map_err(corrupt)?,
                    capacity: r.try_get("capacity")?,
                    answers: r.try_get("answers")?,
                    preferences: r.try_get("preferences")?,
                    consent_sensitive: r.try_get("consent_sensitive")?,
                    created_at: r.try_get("created_at")?,
                })
            }).transpose()
        })
    }

    /// Inserts a request; a second open one for the pair is
    /// `Conflict requests_programme_id_mentee_id_mentor_id_key`.
    pub async fn insert_request(&mut self, r: &RequestRecord) -> Result<()> {
        on_conn!(self, c => sqlx::query("INSERT INTO requests (id, programme_id, mentee_id, mentor_id, direction, status, message, expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)")
            .bind(r.id.0).bind(r.programme_id.0).bind(r.mentee_id.0).bind(r.mentor_id.0).bind(&r.direction).bind(r.status.code())
            .bind(&r.message).bind(r.expires_at).bind(r.created_at)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// A request by id.
    pub async fn request(&mut self, id: RequestId) -> Result<Option<RequestRecord>> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT id, programme_id, mentee_id, mentor_id, direction, status, message, expires_at, created_at FROM requests WHERE id = $1")
                .bind(id.0).fetch_optional(c).await?;
            row.map(|r| {
                let status: String = r.try_get("status")?;
                Ok(RequestRecord {
                    id: RequestId(r.try_get("id")?),
                    programme_id: ProgrammeId(r.try_get("programme_id")?),
                    mentee_id: PersonId(r.try_get("mentee_id")?),
                    mentor_id: PersonId(r.try_get("mentor_id")?),
                    direction: r.try_get("direction")?,
                    status: RequestStatus::parse(&status).map_err(corrupt)?,
                    message: r.try_get("message")?,
                    expires_at: r.try_get("expires_at")?,
                    created_at: r.try_get("created_at")?,
                })
            }).transpose()
        })
    }

    /// Moves a request from an open state to `to`, only if it is still open
    /// and unexpired at `now`. Returns false when someone else moved it first.
    pub async fn close_request(
        &mut self,
        id: RequestId,
        to: RequestStatus,
        now: i64,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("UPDATE requests SET status = $2, updated_at = $3 WHERE id = $1 AND status IN ('pending', 'needs_info') AND expires_at > $3")
                .bind(id.0).bind(to.code()).bind(now).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Open requests a mentee has in a programme (pending or needing information).
    pub async fn open_requests_of_mentee(
        &mut self,
        programme: ProgrammeId,
        mentee: PersonId,
    ) -> Result<i64> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM requests WHERE programme_id = $1 AND mentee_id = $2 AND status IN ('pending', 'needs_info')")
                .bind(programme.0).bind(mentee.0).fetch_one(c).await?;
            Ok(row.try_get("n")?)
        })
    }

    /// Creates a room with its members. A mentor seat beyond capacity is
    /// `Conflict mentor_capacity` (or `mentor_personal_maximum`).
    pub async fn insert_room(&mut self, room: &NewRoom, now: i64) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO rooms (id, programme_id, status, origin, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)")
                .bind(room.id.0).bind(room.programme_id.0).bind(room.status.code()).bind(room.origin).bind(now)
                .execute(&mut *c).await?;
            for (person, role, state) in &room.members {
                sqlx::query("INSERT INTO room_members (room_id, person_id, programme_id, role, state, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(room.id.0).bind(person.0).bind(room.programme_id.0).bind(role.code()).bind(state.code()).bind(now)
                    .execute(&mut *c).await?;
            }
            Ok::<(), StoreError>(())
        })
    }

    /// Mentor seats a person holds in open rooms of a programme.
    pub async fn mentor_load(&mut self, programme: ProgrammeId, mentor: PersonId) -> Result<i64> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM room_members m JOIN rooms r ON r.id = m.room_id WHERE m.person_id = $1 AND m.programme_id = $2 AND m.role = 'mentor' AND m.state IN ('invited', 'accepted') AND r.status IN ('proposed', 'active', 'paused')")
                .bind(mentor.0).bind(programme.0).fetch_one(c).await?;
            Ok(row.try_get("n")?)
        })
    }

    /// Sets a room's status.
    pub async fn set_room_status(
        &mut self,
        id: RoomId,
        status: RoomStatus,
        now: i64,
    ) -> Result<()> {
        on_conn!(self, c => sqlx::query("UPDATE rooms SET status = $2, updated_at = $3 WHERE id = $1").bind(id.0).bind(status.code()).bind(now)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Everything a person takes part in, as JSON rows for their data export:
    /// enrolments, requests sent or received, and rooms with their role.
    pub async fn mentoring_of(
        &mut self,
        person: PersonId,
    ) -> Result<(
        Vec<serde_json::Value>,
        Vec<serde_json::Value>,
        Vec<serde_json::Value>,
    )> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT e.role, e.status, e.capacity, e.answers, e.preferences, e.created_at, p.name AS programme FROM enrolments e JOIN programmes p ON p.id = e.programme_id WHERE e.person_id = $1 ORDER BY e.created_at")
                .bind(person.0).fetch_all(&mut *c).await?;
            let enrolments = rows.iter().map(|r| Ok(serde_json::json!({
                "programme": r.try_get::<String, _>("programme")?, "role": r.try_get::<String, _>("role")?, "status": r.try_get::<String, _>("status")?,
                "capacity": r.try_get::<i32, _>("capacity")?, "answers": r.try_get::<String, _>("answers")?, "preferences": r.try_get::<String, _>("preferences")?,
                "created_at": r.try_get::<i64, _>("created_at")?,
            }))).collect::<Result<Vec<_>>>()?;
            let rows = sqlx::query("SELECT r.direction, r.status, r.message, r.created_at, r.expires_at, p.name AS programme, CASE WHEN r.mentee_id = $1 THEN 'mentee' ELSE 'mentor' END AS your_side FROM requests r JOIN programmes p ON p.id = r.programme_id WHERE r.mentee_id = $1 OR r.mentor_id = $1 ORDER BY r.created_at")
                .bind(person.0).fetch_all(&mut *c).await?;
            let requests = rows.iter().map(|r| Ok(serde_json::json!({
                "programme": r.try_get::<String, _>("programme")?, "direction": r.try_get::<String, _>("direction")?, "status": r.try_get::<String, _>("status")?,
                "your_side": r.try_get::<String, _>("your_side")?, "message": r.try_get::<String, _>("message")?,
                "created_at": r.try_get::<i64, _>("created_at")?, "expires_at": r.try_get::<i64, _>("expires_at")?,
            }))).collect::<Result<Vec<_>>>()?;
            let rows = sqlx::query("SELECT m.room_id, m.role, m.state, r.status, r.created_at, p.name AS programme FROM room_members m JOIN rooms r ON r.id = m.room_id JOIN programmes p ON p.id = r.programme_id WHERE m.person_id = $1 ORDER BY r.created_at")
                .bind(person.0).fetch_all(&mut *c).await?;
            let rooms = rows.iter().map(|r| Ok(serde_json::json!({
                "room": r.try_get::<uuid::Uuid, _>("room_id")?, "programme": r.try_get::<String, _>("programme")?, "your_role": r.try_get::<String, _>("role")?,
                "your_answer": r.try_get::<String, _>("state")?, "status": r.try_get::<String, _>("status")?, "created_at": r.try_get::<i64, _>("created_at")?,
            }))).collect::<Result<Vec<_>>>()?;
            Ok((enrolments, requests, rooms))
        })
    }

    /// Sets a person's cap on mentees across programmes (none for no cap).
    pub async fn set_max_mentees(&mut self, person: PersonId, max: Option<i32>) -> Result<()> {
        on_conn!(self, c => sqlx::query("UPDATE people SET max_mentees = $2 WHERE id = $1").bind(person.0).bind(max)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
