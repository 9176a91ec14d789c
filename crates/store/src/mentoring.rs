//! Enrolments, requests and rooms. The rules that concurrent requests could
//! break (one open request per pair, mentor capacity, personal maximum) are
//! enforced by the database itself: see migration 0002.

use crate::decode::{corrupt_row, json_column};
use crate::{on_conn, Result, StoreError, Tx};
use rapport_domain::mentoring::{
    EndReason, EnrolmentStatus, MemberState, RequestDirection, RequestStatus, RoomEventKind,
    RoomOrigin, RoomStatus,
};
use rapport_domain::preferences::StatedPreferences;
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::{EnrolmentId, PersonId, ProgrammeId, RequestId, RoomId, RoundId};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

/// A person's cap across programmes, pause, and open mentor seats (for the
/// personal maximum); callers add the `WHERE` on `p`.
fn mentor_limits_sql() -> String {
    format!("SELECT p.id, p.max_mentees, p.paused_until, (SELECT COUNT(*) FROM room_members m JOIN rooms r ON r.id = m.room_id WHERE m.person_id = p.id AND m.role = 'mentor' AND {}) AS seats FROM people p", open_seat_guard())
}

/// The SQL list `'a', 'b'` of `states`' codes, for a `status IN (…)` guard.
/// Guards are built from the domain's state machines (never written out by
/// hand) so the conditional updates cannot drift from the rules. An empty
/// list becomes `NULL`, which matches nothing. The codes are the domain's own
/// constants, never user input, so inlining them is safe.
pub(crate) fn codes_in<T: Copy>(states: &[T], code: fn(T) -> &'static str) -> String {
    if states.is_empty() {
        return "NULL".into();
    }
    states
        .iter()
        .map(|s| format!("'{}'", code(*s)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `status IN (…)` for the states a request may move to `to` from.
fn request_sources(to: RequestStatus) -> String {
    format!(
        "status IN ({})",
        codes_in(&RequestStatus::sources_of(to), RequestStatus::code)
    )
}

/// `status IN (…)` for the open request states.
pub(crate) fn request_open() -> String {
    format!(
        "status IN ({})",
        codes_in(&RequestStatus::open(), RequestStatus::code)
    )
}

/// A seat that counts: a seated member (`m`) of an open room (`r`).
fn open_seat_guard() -> String {
    format!(
        "m.state IN ({}) AND r.status IN ({})",
        codes_in(&MemberState::seated(), MemberState::code),
        codes_in(&RoomStatus::open(), RoomStatus::code)
    )
}

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
    /// Answers to the programme's questions, by question id: the chosen
    /// options, or the text as one item.
    pub answers: BTreeMap<String, Vec<String>>,
    /// Whom the person wants to be matched with (or not).
    pub preferences: StatedPreferences,
    /// Consent to use sensitive fields for matching.
    pub consent_sensitive: bool,
    /// Applied (ms).
    pub created_at: i64,
    /// When the person accepted the code of conduct (ms).
    pub conduct_accepted_at: Option<i64>,
    /// When a manager last decided on the application (ms).
    pub decided_at: Option<i64>,
}

/// An enrolment with the person's name and email, for managers' lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrolmentView {
    /// The enrolment.
    pub enrolment: EnrolmentRecord,
    /// The person's display name.
    pub name: String,
    /// The person's email.
    pub email: String,
    /// Their answer to the self-efficacy question at enrolment (1–5).
    pub self_efficacy: Option<i32>,
}

/// A room with its members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomRecord {
    /// Id.
    pub id: RoomId,
    /// Programme.
    pub programme_id: ProgrammeId,
    /// Status.
    pub status: RoomStatus,
    /// Proposed by a round, or opened by a request.
    pub origin: RoomOrigin,
    /// The round that proposed it, if any.
    pub round_id: Option<RoundId>,
    /// Why it ended early, if it did.
    pub end_reason: Option<EndReason>,
    /// The note given with the end reason, if any.
    pub end_note: Option<String>,
    /// The member whose completion proposal waits for confirmation (or was
    /// confirmed), if any.
    pub completion_proposed_by: Option<PersonId>,
    /// When completion was proposed (ms).
    pub completion_proposed_at: Option<i64>,
    /// Created, which is when it was proposed (ms).
    pub created_at: i64,
    /// When it first became active (ms).
    pub started_at: Option<i64>,
    /// When its current pause began (ms); none while it is not paused.
    pub paused_at: Option<i64>,
    /// When it completed or ended (ms).
    pub ended_at: Option<i64>,
    /// Its first and latest activity.
    pub activity: RoomActivity,
    /// Members in the order they were added (mentors first).
    pub members: Vec<MemberRecord>,
}

impl RoomRecord {
    /// The members' names, mentors first, as "Ana & Bo": a room's title.
    pub fn member_names(&self) -> String {
        self.members
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>()
            .join(" & ")
    }
}

/// What activation, inactivity and health read: a room's first message,
/// session and goal, and its latest activity of any kind (ms).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoomActivity {
    /// First message.
    pub first_message_at: Option<i64>,
    /// First session scheduled.
    pub first_session_at: Option<i64>,
    /// First goal set.
    pub first_goal_at: Option<i64>,
    /// Latest activity: a message, a held session, a note or a goal change.
    pub last_activity_at: Option<i64>,
}

impl RoomActivity {
    /// First contact: the earliest of the first message, session and goal.
    pub fn first_contact_at(&self) -> Option<i64> {
        [
            self.first_message_at,
            self.first_session_at,
            self.first_goal_at,
        ]
        .into_iter()
        .flatten()
        .min()
    }
}

/// A kind of room activity, for [`Tx::note_room_activity`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActivityKind {
    /// A message was posted.
    Message,
    /// A session was scheduled (counts as first contact, not as activity).
    SessionScheduled,
    /// A session was held.
    SessionHeld,
    /// A goal was set (first goal) or changed.
    Goal,
    /// A note was written.
    Note,
}

/// One member of a room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRecord {
    /// Who.
    pub person_id: PersonId,
    /// Their name.
    pub name: String,
    /// Their email.
    pub email: String,
    /// Their role in the room.
    pub role: ProgrammeRole,
    /// Their answer to the proposal.
    pub state: MemberState,
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
    /// A mentee's request or a mentor's offer.
    pub direction: RequestDirection,
    /// State.
    pub status: RequestStatus,
    /// The sender's message.
    pub message: String,
    /// When it expires (ms).
    pub expires_at: i64,
    /// Sent (ms).
    pub created_at: i64,
    /// Mentors still ranked after this one, for the roll-over.
    pub queue: Vec<PersonId>,
    /// The mentor's question, when they asked for more information.
    pub question: Option<String>,
    /// The mentee's answer to it.
    pub answer: Option<String>,
    /// Why it was declined, if it was.
    pub decline_reason: Option<String>,
}

pub(crate) const REQUEST_COLUMNS: &str = "id, programme_id, mentee_id, mentor_id, direction, status, message, expires_at, created_at, queue, question, answer, decline_reason";

pub(crate) fn request_row<R: Row>(r: &R) -> Result<RequestRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id = RequestId(r.try_get("id")?);
    let (status, direction): (String, String) = (r.try_get("status")?, r.try_get("direction")?);
    let bad = |e| corrupt_row("requests", id, e);
    Ok(RequestRecord {
        id,
        programme_id: ProgrammeId(r.try_get("programme_id")?),
        mentee_id: PersonId(r.try_get("mentee_id")?),
        mentor_id: PersonId(r.try_get("mentor_id")?),
        direction: RequestDirection::parse(&direction).map_err(bad)?,
        status: RequestStatus::parse(&status).map_err(bad)?,
        message: r.try_get("message")?,
        expires_at: r.try_get("expires_at")?,
        created_at: r.try_get("created_at")?,
        queue: json_column(r, "queue", "requests", id)?,
        question: r.try_get("question")?,
        answer: r.try_get("answer")?,
        decline_reason: r.try_get("decline_reason")?,
    })
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
    /// Proposed by a round, or opened by a request.
    pub origin: RoomOrigin,
    /// Members: person, role and state.
    pub members: Vec<(PersonId, ProgrammeRole, MemberState)>,
    /// The matching round that proposed it, if any.
    pub round_id: Option<RoundId>,
}

/// An open seat in a room: someone invited to or in a proposed, active or paused room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seat {
    /// Room.
    pub room_id: RoomId,
    /// Person.
    pub person_id: PersonId,
    /// Role.
    pub role: ProgrammeRole,
    /// Room status.
    pub room_status: RoomStatus,
    /// Room created (ms).
    pub room_created_at: i64,
}

pub(crate) const ENROLMENT_COLUMNS: &str = "e.id, e.programme_id, e.person_id, e.role, e.status, e.capacity, e.answers, e.preferences, e.consent_sensitive, e.created_at, e.conduct_accepted_at, e.decided_at";

pub(crate) fn enrolment_row<R: Row>(r: &R) -> Result<EnrolmentRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i32: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> bool: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id = EnrolmentId(r.try_get("id")?);
    let (role, status): (String, String) = (r.try_get("role")?, r.try_get("status")?);
    let bad = |e| corrupt_row("enrolments", id, e);
    Ok(EnrolmentRecord {
        id,
        programme_id: ProgrammeId(r.try_get("programme_id")?),
        person_id: PersonId(r.try_get("person_id")?),
        role: ProgrammeRole::parse("role", &role).map_err(bad)?,
        status: EnrolmentStatus::parse(&status).map_err(bad)?,
        capacity: r.try_get("capacity")?,
        answers: json_column(r, "answers", "enrolments", id)?,
        preferences: json_column(r, "preferences", "enrolments", id)?,
        consent_sensitive: r.try_get("consent_sensitive")?,
        created_at: r.try_get("created_at")?,
        conduct_accepted_at: r.try_get("conduct_accepted_at")?,
        decided_at: r.try_get("decided_at")?,
    })
}

impl Tx {
    /// Inserts an enrolment; a second one for the same role is
    /// `Conflict enrolments_programme_id_person_id_role_key`.
    pub async fn insert_enrolment(&mut self, e: &EnrolmentRecord) -> Result<()> {
        self.insert_enrolments(std::slice::from_ref(e)).await
    }

    /// New enrolments, 500 a statement: an import's rows are written
    /// together, and the coverage dashboard's statement trigger fires once
    /// per statement, not once per person (issue 20).
    pub async fn insert_enrolments(&mut self, list: &[EnrolmentRecord]) -> Result<()> {
        const ROWS: usize = 500;
        for chunk in list.chunks(ROWS) {
            let sql = format!(
                "INSERT INTO enrolments (id, programme_id, person_id, role, status, capacity, answers, preferences, consent_sensitive, created_at, updated_at, conduct_accepted_at, decided_at) VALUES {}",
                crate::params::value_rows(self.dialect(), chunk.len(), 13)
            );
            let json = chunk
                .iter()
                .map(|e| {
                    Ok((
                        serde_json::to_string(&e.answers)?,
                        serde_json::to_string(&e.preferences)?,
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            on_conn!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (e, (answers, preferences)) in chunk.iter().zip(&json) {
                    q = q.bind(e.id.0).bind(e.programme_id.0).bind(e.person_id.0).bind(e.role.code()).bind(e.status.code()).bind(e.capacity)
                        .bind(answers).bind(preferences).bind(e.consent_sensitive).bind(e.created_at).bind(e.created_at).bind(e.conduct_accepted_at).bind(e.decided_at);
                }
                q.execute(c).await.map(|r| r.rows_affected())
            })?;
        }
        Ok(())
    }

    /// A person's enrolment in a programme in one role.
    pub async fn enrolment(
        &mut self,
        programme: ProgrammeId,
        person: PersonId,
        role: ProgrammeRole,
    ) -> Result<Option<EnrolmentRecord>> {
        let sql = format!("SELECT {ENROLMENT_COLUMNS} FROM enrolments e WHERE e.programme_id = $1 AND e.person_id = $2 AND e.role = $3");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(programme.0).bind(person.0).bind(role.code()).fetch_optional(c).await?;
            row.as_ref().map(enrolment_row).transpose()
        })
    }

    /// An enrolment by id.
    pub async fn enrolment_by_id(&mut self, id: EnrolmentId) -> Result<Option<EnrolmentRecord>> {
        let sql = format!("SELECT {ENROLMENT_COLUMNS} FROM enrolments e WHERE e.id = $1");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(id.0).fetch_optional(c).await?;
            row.as_ref().map(enrolment_row).transpose()
        })
    }

    /// Every enrolment in a programme with the person's name and email,
    /// oldest first.
    pub async fn enrolments_in(&mut self, programme: ProgrammeId) -> Result<Vec<EnrolmentView>> {
        let sql = format!("SELECT {ENROLMENT_COLUMNS}, e.self_efficacy, p.name, p.email FROM enrolments e JOIN people p ON p.id = e.person_id WHERE e.programme_id = $1 ORDER BY e.created_at, p.name, e.role");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(programme.0).fetch_all(c).await?;
            rows.iter().map(|r| Ok(EnrolmentView { enrolment: enrolment_row(r)?, name: r.try_get("name")?, email: r.try_get("email")?, self_efficacy: r.try_get("self_efficacy")? })).collect()
        })
    }

    /// Every enrolment a person has, oldest first.
    pub async fn enrolments_of(&mut self, person: PersonId) -> Result<Vec<EnrolmentRecord>> {
        let sql = format!("SELECT {ENROLMENT_COLUMNS} FROM enrolments e WHERE e.person_id = $1 ORDER BY e.created_at");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(person.0).fetch_all(c).await?;
            rows.iter().map(enrolment_row).collect()
        })
    }

    /// Saves an enrolment's answers, preferences, capacity, consent, status
    /// and decision time. The status either stays or makes a move the domain
    /// allows ([`EnrolmentStatus::sources_of`]) from what is stored now; false
    /// when it does not (someone moved the enrolment meanwhile).
    pub async fn update_enrolment(&mut self, e: &EnrolmentRecord, now: i64) -> Result<bool> {
        let sql = format!(
            "UPDATE enrolments SET status = $2, capacity = $3, answers = $4, preferences = $5, consent_sensitive = $6, conduct_accepted_at = $7, decided_at = $8, updated_at = $9 WHERE id = $1 AND (status = $2 OR status IN ({}))",
            codes_in(&EnrolmentStatus::sources_of(e.status), EnrolmentStatus::code)
        );
        let answers = serde_json::to_string(&e.answers)?;
        let preferences = serde_json::to_string(&e.preferences)?;
        on_conn!(self, c => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(e.id.0).bind(e.status.code()).bind(e.capacity).bind(&answers).bind(&preferences).bind(e.consent_sensitive)
                .bind(e.conduct_accepted_at).bind(e.decided_at).bind(now)
                .execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Inserts a request; a second open one for the pair is
    /// `Conflict requests_programme_id_mentee_id_mentor_id_key`.
    pub async fn insert_request(&mut self, r: &RequestRecord) -> Result<()> {
        on_conn!(self, c => sqlx::query("INSERT INTO requests (id, programme_id, mentee_id, mentor_id, direction, status, message, expires_at, created_at, updated_at, queue) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)")
            .bind(r.id.0).bind(r.programme_id.0).bind(r.mentee_id.0).bind(r.mentor_id.0).bind(r.direction.code()).bind(r.status.code())
            .bind(&r.message).bind(r.expires_at).bind(r.created_at).bind(serde_json::to_string(&r.queue)?)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// A request by id.
    pub async fn request(&mut self, id: RequestId) -> Result<Option<RequestRecord>> {
        let sql = format!("SELECT {REQUEST_COLUMNS} FROM requests WHERE id = $1");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(id.0).fetch_optional(c).await?;
            row.as_ref().map(request_row).transpose()
        })
    }

    /// Records a decline's reason.
    pub async fn set_decline_reason(&mut self, id: RequestId, reason: &str) -> Result<()> {
        on_conn!(self, c => sqlx::query("UPDATE requests SET decline_reason = $2 WHERE id = $1").bind(id.0).bind(reason)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The mentor asks a question: pending → needs_info. False when the
    /// request was not pending (or has expired).
    pub async fn ask_on_request(
        &mut self,
        id: RequestId,
        question: &str,
        now: i64,
    ) -> Result<bool> {
        let to = RequestStatus::NeedsInfo;
        let sql = format!("UPDATE requests SET status = '{}', question = $2, updated_at = $3 WHERE id = $1 AND {} AND expires_at > $3", to.code(), request_sources(to));
        on_conn!(self, c => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id.0).bind(question).bind(now).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// The mentee answers: needs_info → pending. False when no question waits.
    pub async fn answer_on_request(
        &mut self,
        id: RequestId,
        answer: &str,
        now: i64,
    ) -> Result<bool> {
        let to = RequestStatus::Pending;
        let sql = format!("UPDATE requests SET status = '{}', answer = $2, updated_at = $3 WHERE id = $1 AND {} AND expires_at > $3", to.code(), request_sources(to));
        on_conn!(self, c => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id.0).bind(answer).bind(now).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Open requests whose time ran out at `now`, oldest first.
    pub async fn overdue_requests(&mut self, now: i64, limit: i64) -> Result<Vec<RequestRecord>> {
        let cond = format!(
            "{} AND expires_at <= $1 ORDER BY expires_at LIMIT $2",
            request_open()
        );
        self.requests_where_at(&cond, now, limit).await
    }

    /// Open requests expiring before `before` whose mentor has not been reminded.
    pub async fn requests_to_remind(
        &mut self,
        before: i64,
        limit: i64,
    ) -> Result<Vec<RequestRecord>> {
        let cond = format!(
            "{} AND expires_at <= $1 AND reminded_at IS NULL ORDER BY expires_at LIMIT $2",
            request_open()
        );
        self.requests_where_at(&cond, before, limit).await
    }

    async fn requests_where_at(
        &mut self,
        cond: &str,
        at: i64,
        limit: i64,
    ) -> Result<Vec<RequestRecord>> {
        let sql = format!("SELECT {REQUEST_COLUMNS} FROM requests WHERE {cond}");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(at).bind(limit).fetch_all(c).await?;
            rows.iter().map(request_row).collect()
        })
    }

    /// Marks a request's reminder as sent; false if another worker did first.
    pub async fn mark_reminded(&mut self, id: RequestId, now: i64) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("UPDATE requests SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL").bind(id.0).bind(now).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Expires an overdue open request; false if it was answered meanwhile.
    pub async fn expire_request(&mut self, id: RequestId, now: i64) -> Result<bool> {
        let to = RequestStatus::Expired;
        let sql = format!("UPDATE requests SET status = '{}', updated_at = $2 WHERE id = $1 AND {} AND expires_at <= $2", to.code(), request_sources(to));
        on_conn!(self, c => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id.0).bind(now).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Moves a request to `to`, only from a state the domain allows
    /// ([`RequestStatus::sources_of`]) and only while unexpired at `now`.
    /// Returns false when someone else moved it first.
    pub async fn close_request(
        &mut self,
        id: RequestId,
        to: RequestStatus,
        now: i64,
    ) -> Result<bool> {
        let sql = format!("UPDATE requests SET status = $2, updated_at = $3 WHERE id = $1 AND {} AND expires_at > $3", request_sources(to));
        on_conn!(self, c => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql))
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
        let sql = format!(
            "SELECT COUNT(*) AS n FROM requests WHERE programme_id = $1 AND mentee_id = $2 AND {}",
            request_open()
        );
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(programme.0).bind(mentee.0).fetch_one(c).await?;
            Ok(row.try_get("n")?)
        })
    }

    /// Creates a room with its members. A mentor seat beyond capacity is
    /// `Conflict mentor_capacity` (or `mentor_personal_maximum`).
    pub async fn insert_room(&mut self, room: &NewRoom, now: i64) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO rooms (id, programme_id, status, origin, created_at, updated_at, round_id, started_at) VALUES ($1, $2, $3, $4, $5, $5, $6, $7)")
                .bind(room.id.0).bind(room.programme_id.0).bind(room.status.code()).bind(room.origin.code()).bind(now).bind(room.round_id.map(|r| r.0))
                // A room opened by an accepted request starts at once.
                .bind((room.status == RoomStatus::Active).then_some(now))
                .execute(&mut *c).await?;
            for (person, role, state) in &room.members {
                sqlx::query("INSERT INTO room_members (room_id, person_id, programme_id, role, state, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(room.id.0).bind(person.0).bind(room.programme_id.0).bind(role.code()).bind(state.code()).bind(now)
                    .execute(&mut *c).await?;
            }
            Ok::<(), StoreError>(())
        })?;
        // The history starts with the proposal (and, for a room opened by an
        // accepted request, its activation).
        self.insert_room_event(
            room.id,
            None,
            RoomEventKind::Propose,
            None,
            RoomStatus::Proposed,
            None,
            None,
            now,
        )
        .await?;
        if room.status != RoomStatus::Proposed {
            self.insert_room_event(
                room.id,
                None,
                RoomEventKind::Activate,
                Some(RoomStatus::Proposed),
                room.status,
                None,
                None,
                now,
            )
            .await?;
        }
        Ok(())
    }

    /// Mentor seats a person holds in open rooms of a programme.
    pub async fn mentor_load(&mut self, programme: ProgrammeId, mentor: PersonId) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) AS n FROM room_members m JOIN rooms r ON r.id = m.room_id WHERE m.person_id = $1 AND m.programme_id = $2 AND m.role = 'mentor' AND {}", open_seat_guard());
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(mentor.0).bind(programme.0).fetch_one(c).await?;
            Ok(row.try_get("n")?)
        })
    }

    /// Moves a room to `status`; see [`Tx::end_room`].
    pub async fn set_room_status(
        &mut self,
        id: RoomId,
        status: RoomStatus,
        now: i64,
    ) -> Result<bool> {
        self.end_room(id, status, None, now).await
    }

    /// Moves a room to `status` (with an end reason and note, when it ends
    /// early), only from a state the domain allows ([`RoomStatus::sources_of`]).
    /// False when the room was not in one (someone moved it first).
    pub async fn end_room(
        &mut self,
        id: RoomId,
        status: RoomStatus,
        end: Option<(EndReason, Option<&str>)>,
        now: i64,
    ) -> Result<bool> {
        let (reason, note) = match end {
            Some((r, n)) => (Some(r.code()), n),
            None => (None, None),
        };
        let sql = format!(
            "UPDATE rooms SET status = $2, updated_at = $3, end_reason = COALESCE($4, end_reason), end_note = COALESCE($5, end_note), \
             started_at = CASE WHEN $2 = 'active' THEN COALESCE(started_at, $3) ELSE started_at END, \
             paused_at = CASE WHEN $2 = 'paused' THEN $3 WHEN $2 = 'active' THEN NULL ELSE paused_at END, \
             ended_at = CASE WHEN $2 IN ('completed', 'ended_early') THEN $3 ELSE ended_at END \
             WHERE id = $1 AND status IN ({})",
            codes_in(&RoomStatus::sources_of(status), RoomStatus::code)
        );
        on_conn!(self, c => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).bind(status.code()).bind(now).bind(reason).bind(note).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Records activity in a room: the first of each kind is kept, and every
    /// kind but a scheduled session moves `last_activity_at` on.
    pub async fn note_room_activity(
        &mut self,
        room: RoomId,
        kind: ActivityKind,
        now: i64,
    ) -> Result<()> {
        let (first, last) = match kind {
            ActivityKind::Message => (Some("first_message_at"), true),
            ActivityKind::SessionScheduled => (Some("first_session_at"), false),
            ActivityKind::SessionHeld => (Some("first_session_at"), true),
            ActivityKind::Goal => (Some("first_goal_at"), true),
            ActivityKind::Note => (None, true),
        };
        let mut sets = vec![];
        if let Some(col) = first {
            sets.push(format!("{col} = COALESCE({col}, $2)"));
        }
        if last {
            sets.push("last_activity_at = $2".to_string());
        }
        let sql = format!("UPDATE rooms SET {} WHERE id = $1", sets.join(", "));
        on_conn!(self, c => {
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0).bind(now).execute(c).await?;
            Ok(())
        })
    }

    /// Records a member's answer; returns false if they are not in the room.
    pub async fn set_member_state(
        &mut self,
        room: RoomId,
        person: PersonId,
        state: MemberState,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("UPDATE room_members SET state = $3 WHERE room_id = $1 AND person_id = $2")
                .bind(room.0).bind(person.0).bind(state.code()).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// A room with its members.
    pub async fn room(&mut self, id: RoomId) -> Result<Option<RoomRecord>> {
        Ok(self.rooms_where("r.id = $1", id.0).await?.pop())
    }

    /// Every room of a programme, newest first.
    pub async fn rooms_in(&mut self, programme: ProgrammeId) -> Result<Vec<RoomRecord>> {
        self.rooms_where("r.programme_id = $1", programme.0).await
    }

    /// Every room a person is a member of, newest first.
    pub async fn rooms_of(&mut self, person: PersonId) -> Result<Vec<RoomRecord>> {
        self.rooms_where(
            "r.id IN (SELECT room_id FROM room_members WHERE person_id = $1)",
            person.0,
        )
        .await
    }

    async fn rooms_where(&mut self, cond: &str, arg: uuid::Uuid) -> Result<Vec<RoomRecord>> {
        self.rooms_where_all(cond, &[arg]).await
    }

    /// Rooms with their members, newest first, where `cond` holds; `cond`
    /// uses `$1` to `$n` for `args`.
    pub(crate) async fn rooms_where_all(
        &mut self,
        cond: &str,
        args: &[uuid::Uuid],
    ) -> Result<Vec<RoomRecord>> {
        let sql = format!("SELECT r.id, r.programme_id, r.status, r.origin, r.round_id, r.end_reason, r.end_note, r.completion_proposed_by, r.completion_proposed_at, r.created_at, r.started_at, r.paused_at, r.ended_at, r.first_message_at, r.first_session_at, r.first_goal_at, r.last_activity_at, m.person_id, m.role, m.state, p.name, p.email FROM rooms r JOIN room_members m ON m.room_id = r.id JOIN people p ON p.id = m.person_id WHERE {cond} ORDER BY r.created_at DESC, r.id, CASE m.role WHEN 'mentor' THEN 0 WHEN 'facilitator' THEN 1 ELSE 2 END, m.created_at, p.name");
        on_conn!(self, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
            for arg in args {
                q = q.bind(*arg);
            }
            let rows = q.fetch_all(c).await?;
            let mut out: Vec<RoomRecord> = vec![];
            for r in &rows {
                let id = RoomId(r.try_get("id")?);
                let bad = |e| corrupt_row("rooms", id, e);
                if out.last().map(|x| x.id) != Some(id) {
                    let (status, origin): (String, String) = (r.try_get("status")?, r.try_get("origin")?);
                    out.push(RoomRecord {
                        id,
                        programme_id: ProgrammeId(r.try_get("programme_id")?),
                        status: RoomStatus::parse(&status).map_err(bad)?,
                        origin: RoomOrigin::parse(&origin).map_err(bad)?,
                        round_id: r.try_get::<Option<uuid::Uuid>, _>("round_id")?.map(RoundId),
                        end_reason: r
                            .try_get::<Option<String>, _>("end_reason")?
                            .map(|c| EndReason::parse(&c).map_err(bad))
                            .transpose()?,
                        end_note: r.try_get("end_note")?,
                        completion_proposed_by: r
                            .try_get::<Option<uuid::Uuid>, _>("completion_proposed_by")?
                            .map(PersonId),
                        completion_proposed_at: r.try_get("completion_proposed_at")?,
                        created_at: r.try_get("created_at")?,
                        started_at: r.try_get("started_at")?,
                        paused_at: r.try_get("paused_at")?,
                        ended_at: r.try_get("ended_at")?,
                        activity: RoomActivity {
                            first_message_at: r.try_get("first_message_at")?,
                            first_session_at: r.try_get("first_session_at")?,
                            first_goal_at: r.try_get("first_goal_at")?,
                            last_activity_at: r.try_get("last_activity_at")?,
                        },
                        members: vec![],
                    });
                }
                let (role, state): (String, String) = (r.try_get("role")?, r.try_get("state")?);
                if let Some(room) = out.last_mut() {
                    room.members.push(MemberRecord {
                        person_id: PersonId(r.try_get("person_id")?),
                        name: r.try_get("name")?,
                        email: r.try_get("email")?,
                        role: ProgrammeRole::parse("role", &role).map_err(bad)?,
                        state: MemberState::parse(&state).map_err(bad)?,
                    });
                }
            }
            Ok(out)
        })
    }

    /// Every open seat in a programme: people invited to or in proposed,
    /// active or paused rooms.
    pub async fn open_seats(&mut self, programme: ProgrammeId) -> Result<Vec<Seat>> {
        let sql = format!("SELECT m.room_id, m.person_id, m.role, r.status, r.created_at FROM room_members m JOIN rooms r ON r.id = m.room_id WHERE m.programme_id = $1 AND {} ORDER BY r.created_at", open_seat_guard());
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(programme.0).fetch_all(c).await?;
            rows.iter().map(|r| {
                let (role, status): (String, String) = (r.try_get("role")?, r.try_get("status")?);
                let room_id = RoomId(r.try_get("room_id")?);
                let bad = |e| corrupt_row("room_members", room_id, e);
                Ok(Seat {
                    room_id,
                    person_id: PersonId(r.try_get("person_id")?),
                    role: ProgrammeRole::parse("role", &role).map_err(bad)?,
                    room_status: RoomStatus::parse(&status).map_err(bad)?,
                    room_created_at: r.try_get("created_at")?,
                })
            }).collect()
        })
    }

    /// Pairs that must not be proposed again in a programme: every two people
    /// who shared a room (whatever became of it), and every request or offer
    /// that was declined. Each pair is returned once per occurrence.
    pub async fn past_pairs(
        &mut self,
        programme: ProgrammeId,
    ) -> Result<Vec<(PersonId, PersonId)>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT a.person_id AS x, b.person_id AS y FROM room_members a JOIN room_members b ON a.room_id = b.room_id AND a.person_id <> b.person_id WHERE a.programme_id = $1 UNION SELECT mentee_id AS x, mentor_id AS y FROM requests WHERE programme_id = $1 AND status = 'declined'")
                .bind(programme.0).fetch_all(c).await?;
            rows.iter().map(|r| Ok((PersonId(r.try_get("x")?), PersonId(r.try_get("y")?)))).collect()
        })
    }

    /// Requests and offers in a programme, newest first.
    pub async fn requests_in(&mut self, programme: ProgrammeId) -> Result<Vec<RequestRecord>> {
        self.requests_where("programme_id = $1", programme.0).await
    }

    /// Requests and offers a person sent or received, newest first.
    pub async fn requests_of(&mut self, person: PersonId) -> Result<Vec<RequestRecord>> {
        self.requests_where("(mentee_id = $1 OR mentor_id = $1)", person.0)
            .await
    }

    async fn requests_where(&mut self, cond: &str, arg: uuid::Uuid) -> Result<Vec<RequestRecord>> {
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM requests WHERE {cond} ORDER BY created_at DESC, id"
        );
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(arg).fetch_all(c).await?;
            rows.iter().map(request_row).collect()
        })
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
            let rows = sqlx::query("SELECT e.id, e.role, e.status, e.capacity, e.answers, e.preferences, e.created_at, p.name AS programme FROM enrolments e JOIN programmes p ON p.id = e.programme_id WHERE e.person_id = $1 ORDER BY e.created_at")
                .bind(person.0).fetch_all(&mut *c).await?;
            // Answers and preferences decode like any enrolment read, so the
            // export shows them as JSON objects (not JSON text inside JSON)
            // and a corrupt row names itself instead of exporting garbage.
            let enrolments = rows.iter().map(|r| {
                let id = EnrolmentId(r.try_get("id")?);
                let answers: BTreeMap<String, Vec<String>> = json_column(r, "answers", "enrolments", id)?;
                let preferences: StatedPreferences = json_column(r, "preferences", "enrolments", id)?;
                Ok(serde_json::json!({
                "programme": r.try_get::<String, _>("programme")?, "role": r.try_get::<String, _>("role")?, "status": r.try_get::<String, _>("status")?,
                "capacity": r.try_get::<i32, _>("capacity")?, "answers": answers, "preferences": preferences,
                "created_at": r.try_get::<i64, _>("created_at")?,
            }))}).collect::<Result<Vec<_>>>()?;
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

    /// A mentor's limits across programmes: their personal maximum, the time
    /// they are paused until, and the mentor seats they hold in open rooms.
    pub async fn mentor_limits(
        &mut self,
        person: PersonId,
    ) -> Result<(Option<i32>, Option<i64>, i64)> {
        on_conn!(self, c => {
            let sql = format!("{} WHERE p.id = $1", mentor_limits_sql());
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person.0).fetch_one(c).await?;
            Ok((row.try_get("max_mentees")?, row.try_get("paused_until")?, row.try_get("seats")?))
        })
    }

    /// [`Tx::mentor_limits`] for everyone enrolled in a programme, by id, in one
    /// query.
    pub async fn mentor_limits_in(
        &mut self,
        programme: ProgrammeId,
    ) -> Result<HashMap<PersonId, (Option<i32>, Option<i64>, i64)>> {
        on_conn!(self, c => {
            let sql = format!("{} WHERE p.id IN (SELECT person_id FROM enrolments WHERE programme_id = $1)", mentor_limits_sql());
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(programme.0).fetch_all(c).await?;
            rows.iter()
                .map(|row| {
                    Ok((
                        PersonId(row.try_get("id")?),
                        (row.try_get("max_mentees")?, row.try_get("paused_until")?, row.try_get("seats")?),
                    ))
                })
                .collect()
        })
    }

    /// Pauses a mentor until a time (ms), or resumes them (`None`).
    pub async fn set_paused_until(&mut self, person: PersonId, until: Option<i64>) -> Result<()> {
        on_conn!(self, c => sqlx::query("UPDATE people SET paused_until = $2 WHERE id = $1").bind(person.0).bind(until)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Sets a person's cap on mentees across programmes (none for no cap).
    pub async fn set_max_mentees(&mut self, person: PersonId, max: Option<i32>) -> Result<()> {
        on_conn!(self, c => sqlx::query("UPDATE people SET max_mentees = $2 WHERE id = $1").bind(person.0).bind(max)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}

/// Corrupt rows, written with raw SQL (which the public API cannot do, hence
/// a test inside the crate): each read names the table, the row and the
/// column, instead of decoding to an empty default.
#[cfg(test)]
mod corrupt_rows {
    use super::*;
    use crate::testing::{fresh_store, test_database_kinds};
    use crate::{NewPerson, ProgrammeRecord};
    use rapport_domain::person::{AccountStatus, Profile};
    use rapport_domain::programme::{ProgrammeKind, ProgrammeStatus};
    use rapport_domain::values::{PersonName, Slug};

    fn person(email: &str) -> NewPerson {
        NewPerson {
            id: PersonId::new(),
            email: email.into(),
            status: AccountStatus::Active,
            is_admin: false,
            password_hash: None,
            email_verified_at: None,
            profile: Profile::new(PersonName::parse("name", "Someone").unwrap()),
            now: 0,
        }
    }

    fn programme() -> ProgrammeRecord {
        ProgrammeRecord::new(
            Slug::parse("slug", "pp").unwrap(),
            "P",
            ProgrammeKind::OneToOne,
            ProgrammeStatus::Open,
            0,
        )
    }

    /// An approved mentee with one answer and no stated preferences.
    fn mentee_enrolment(p: &ProgrammeRecord, mentee: &NewPerson) -> EnrolmentRecord {
        EnrolmentRecord {
            id: EnrolmentId::new(),
            programme_id: p.id,
            person_id: mentee.id,
            role: ProgrammeRole::Mentee,
            status: EnrolmentStatus::Approved,
            capacity: 0,
            answers: BTreeMap::from([("q1".to_string(), vec!["Video".to_string()])]),
            preferences: StatedPreferences::default(),
            consent_sensitive: false,
            created_at: 0,
            conduct_accepted_at: None,
            decided_at: None,
        }
    }

    async fn corrupt(tx: &mut Tx, sql: &'static str, id: uuid::Uuid) {
        on_conn!(tx, c => sqlx::query(sql).bind(id).execute(c).await.map(|_| ())).unwrap();
    }

    fn assert_names(err: StoreError, table: &str, id: impl std::fmt::Display, column: &str) {
        let StoreError::Corrupt {
            table: t,
            id: Some(row),
            source,
        } = &err
        else {
            panic!("expected Corrupt with an id, got {err:?}")
        };
        assert_eq!((*t, row.as_str()), (table, id.to_string().as_str()));
        assert!(
            source.to_string().contains(column),
            "{source} names {column}"
        );
    }

    #[tokio::test]
    async fn a_row_that_does_not_decode_names_its_table_and_id() {
        for kind in test_database_kinds() {
            let (store, _dir) = fresh_store(kind).await.unwrap();
            let (mentor, mentee) = (person("mo@example.org"), person("mia@example.org"));
            let p = programme();
            let mut tx = store.write().await.unwrap();
            tx.insert_programme(&p).await.unwrap();
            tx.insert_person(&mentor).await.unwrap();
            tx.insert_person(&mentee).await.unwrap();
            let e = mentee_enrolment(&p, &mentee);
            tx.insert_enrolment(&e).await.unwrap();
            assert_eq!(tx.enrolment_by_id(e.id).await.unwrap().unwrap(), e);
            let r = RequestRecord {
                id: RequestId::new(),
                programme_id: p.id,
                mentee_id: mentee.id,
                mentor_id: mentor.id,
                direction: RequestDirection::Request,
                status: RequestStatus::Pending,
                message: "Hello".into(),
                expires_at: 10,
                created_at: 0,
                queue: vec![mentor.id],
                question: None,
                answer: None,
                decline_reason: None,
            };
            tx.insert_request(&r).await.unwrap();
            assert_eq!(tx.request(r.id).await.unwrap().unwrap(), r);

            corrupt(
                &mut tx,
                "UPDATE enrolments SET answers = '{\"q1\": 7' WHERE id = $1",
                e.id.0,
            )
            .await;
            assert_names(
                tx.enrolment_by_id(e.id).await.unwrap_err(),
                "enrolments",
                e.id,
                "answers",
            );
            corrupt(
                &mut tx,
                "UPDATE requests SET queue = '[\"not an id\"]' WHERE id = $1",
                r.id.0,
            )
            .await;
            assert_names(
                tx.request(r.id).await.unwrap_err(),
                "requests",
                r.id,
                "queue",
            );
            assert_names(
                tx.requests_of(mentee.id).await.unwrap_err(),
                "requests",
                r.id,
                "queue",
            );
            corrupt(
                &mut tx,
                "UPDATE programmes SET questions = '[{\"id\": \"q1\"}]' WHERE id = $1",
                p.id.0,
            )
            .await;
            assert_names(
                tx.programme(p.id).await.unwrap_err(),
                "programmes",
                p.id,
                "questions",
            );
            // A validated value is parsed again on the way out: a stored email
            // that is not one is named, not passed on as text.
            assert_eq!(
                tx.person(mentor.id).await.unwrap().unwrap().email,
                "mo@example.org"
            );
            corrupt(
                &mut tx,
                "UPDATE people SET email = 'mo at example' WHERE id = $1",
                mentor.id.0,
            )
            .await;
            assert_names(
                tx.person(mentor.id).await.unwrap_err(),
                "people",
                mentor.id,
                "email",
            );
            drop(tx);
            store.close().await;
        }
    }

    #[tokio::test]
    async fn stated_preferences_and_round_snapshots_decode_once_and_name_a_bad_row() {
        use crate::RoundRecord;
        use rapport_domain::mentoring::RoundStatus;
        use rapport_domain::preferences::{DepartmentChoice, Stated, Strength};
        for kind in test_database_kinds() {
            let (store, _dir) = fresh_store(kind).await.unwrap();
            let (mentee, avoided) = (person("mia@example.org"), person("al@example.org"));
            let p = programme();
            let mut tx = store.write().await.unwrap();
            tx.insert_programme(&p).await.unwrap();
            tx.insert_person(&mentee).await.unwrap();
            tx.insert_person(&avoided).await.unwrap();
            let mut e = EnrolmentRecord {
                status: EnrolmentStatus::Applied,
                preferences: StatedPreferences {
                    gender: None,
                    department: Some(Stated {
                        value: DepartmentChoice::Different,
                        strength: Strength::Hard,
                    }),
                    avoid: vec![Stated {
                        value: avoided.id,
                        strength: Strength::Hard,
                    }],
                },
                consent_sensitive: true,
                ..mentee_enrolment(&p, &mentee)
            };
            tx.insert_enrolment(&e).await.unwrap();
            assert_eq!(tx.enrolment_by_id(e.id).await.unwrap().unwrap(), e);
            e.preferences.department = None;
            assert!(tx.update_enrolment(&e, 1).await.unwrap());
            assert_eq!(tx.enrolment_by_id(e.id).await.unwrap().unwrap(), e);
            // The personal data export shows what was stated as JSON, not
            // JSON text inside JSON.
            let (enrolments, _, _) = tx.mentoring_of(mentee.id).await.unwrap();
            assert_eq!(
                enrolments[0]["preferences"],
                serde_json::json!({"gender": null, "department": null, "avoid": [{"value": avoided.id.to_string(), "strength": "hard"}]})
            );
            assert_eq!(
                enrolments[0]["answers"],
                serde_json::json!({"q1": ["Video"]})
            );

            let round = RoundRecord {
                id: RoundId::new(),
                programme_id: p.id,
                status: RoundStatus::Draft,
                settings: serde_json::json!({"weights": {"skills": 30}}),
                result: serde_json::json!({"placed": 0, "proposals": []}),
                created_by: Some(mentee.id),
                created_at: 0,
                published_at: None,
            };
            tx.insert_round(&round).await.unwrap();
            assert_eq!(tx.round(round.id).await.unwrap().unwrap(), round);

            // Valid JSON of the wrong shape is as corrupt as broken JSON:
            // "department" must be same or different, never "no preference".
            corrupt(
                &mut tx,
                "UPDATE enrolments SET preferences = '{\"department\": {\"value\": \"upstairs\"}}' WHERE id = $1",
                e.id.0,
            )
            .await;
            assert_names(
                tx.enrolment_by_id(e.id).await.unwrap_err(),
                "enrolments",
                e.id,
                "preferences",
            );
            assert_names(
                tx.mentoring_of(mentee.id).await.unwrap_err(),
                "enrolments",
                e.id,
                "preferences",
            );
            corrupt(
                &mut tx,
                "UPDATE match_rounds SET settings = '{\"weights\": ' WHERE id = $1",
                round.id.0,
            )
            .await;
            assert_names(
                tx.round(round.id).await.unwrap_err(),
                "match_rounds",
                round.id,
                "settings",
            );
            corrupt(
                &mut tx,
                "UPDATE match_rounds SET settings = '{}', result = '' WHERE id = $1",
                round.id.0,
            )
            .await;
            assert_names(
                tx.rounds_in(p.id).await.unwrap_err(),
                "match_rounds",
                round.id,
                "result",
            );
            drop(tx);
            store.close().await;
        }
    }
}
