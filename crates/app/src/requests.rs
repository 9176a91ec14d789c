//! Self-selected matching: a mentee asks a mentor (a request), or a mentor
//! asks a mentee (an offer). Accepting opens a room at once.
//!
//! The rules people could race (one open request per pair, mentor capacity,
//! a mentor's personal maximum) are enforced by the database as well as
//! checked here, so concurrent accepts can never overfill a mentor.

use crate::{App, AppError, AppResult};
use rapport_domain::mentoring::{EnrolmentStatus, MemberState, RequestStatus, RoomStatus};
use rapport_domain::person::NotificationKind;
use rapport_domain::policy::Actor;
use rapport_domain::programme::{ProgrammeRole, ProgrammeStatus};
use rapport_domain::{PersonId, ProgrammeId, RequestId, RoomId};
use rapport_store::{NewRoom, RequestRecord};

/// Open requests a mentee may have in one programme at a time.
pub const MAX_OPEN_REQUESTS: i64 = 3;
/// How long a request waits for an answer by default.
pub const DEFAULT_EXPIRY_MS: i64 = 14 * 24 * 3_600_000;

fn gone() -> AppError {
    AppError::Conflict {
        field: None,
        message: "this request is no longer open: it was answered, withdrawn or has expired".into(),
    }
}

impl App {
    /// A mentee asks a mentor in a programme both are enrolled in.
    pub async fn send_request(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
        mentor: PersonId,
        message: &str,
    ) -> AppResult<RequestId> {
        let message = rapport_domain::values::text("message", message, 0, 2000, "a message")?;
        if mentor == actor.person_id {
            return Err(AppError::invalid(
                "mentor_id",
                "you cannot send a request to yourself",
            ));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let p = tx
            .programme(programme)
            .await?
            .ok_or_else(|| AppError::NotFound("that programme was not found".into()))?;
        if !matches!(p.status, ProgrammeStatus::Open | ProgrammeStatus::Running) {
            return Err(AppError::Conflict {
                field: None,
                message: format!(
                    "{} is not taking requests while it is {}",
                    p.name,
                    p.status.code()
                ),
            });
        }
        let approved = |e: Option<rapport_store::EnrolmentRecord>| {
            e.is_some_and(|e| e.status == EnrolmentStatus::Approved)
        };
        if !approved(
            tx.enrolment(programme, actor.person_id, ProgrammeRole::Mentee)
                .await?,
        ) {
            return Err(AppError::Forbidden(format!(
                "enrol in {} as a mentee, and wait for approval, before sending requests",
                p.name
            )));
        }
        if !approved(
            tx.enrolment(programme, mentor, ProgrammeRole::Mentor)
                .await?,
        ) {
            return Err(AppError::invalid(
                "mentor_id",
                "this person is not a mentor in this programme",
            ));
        }
        if tx
            .open_requests_of_mentee(programme, actor.person_id)
            .await?
            >= MAX_OPEN_REQUESTS
        {
            return Err(AppError::Conflict { field: None, message: format!("you already have {MAX_OPEN_REQUESTS} requests waiting in this programme; wait for an answer or withdraw one") });
        }
        let record = RequestRecord {
            id: RequestId::new(),
            programme_id: programme,
            mentee_id: actor.person_id,
            mentor_id: mentor,
            direction: "request".into(),
            status: RequestStatus::Pending,
            message,
            expires_at: now + DEFAULT_EXPIRY_MS,
            created_at: now,
        };
        tx.insert_request(&record).await?;
        let (mentee_rec, mentor_rec) =
            (tx.person(actor.person_id).await?, tx.person(mentor).await?);
        if let (Some(me), Some(m)) = (mentee_rec, mentor_rec) {
            let body = format!("Hello {},\n\n{} would like you to mentor them in {}.\n\nTheir message:\n{}\n\nAnswer within 14 days: {}/\n", m.profile.name, me.profile.name, p.name, record.message, self.config.base_url);
            self.queue_mail(
                &mut tx,
                Some(m.id),
                &m.email,
                NotificationKind::Matching,
                &format!("{} asks you to be their mentor", me.profile.name),
                &body,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(record.id)
    }

    /// The recipient accepts: the request closes and a room opens, active at
    /// once. A mentor with no space left gets 409 and nothing changes.
    pub async fn accept_request(&self, actor: &Actor, id: RequestId) -> AppResult<RoomId> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let r = self.request_for(&mut tx, actor, id).await?;
        if !recipient(&r, actor) {
            return Err(AppError::Forbidden(
                "only the person the request was sent to can accept it".into(),
            ));
        }
        if !tx.close_request(id, RequestStatus::Accepted, now).await? {
            return Err(gone());
        }
        let room = NewRoom {
            round_id: None,
            id: RoomId::new(),
            programme_id: r.programme_id,
            status: RoomStatus::Active,
            origin: "request",
            members: vec![
                (r.mentor_id, ProgrammeRole::Mentor, MemberState::Accepted),
                (r.mentee_id, ProgrammeRole::Mentee, MemberState::Accepted),
            ],
        };
        tx.insert_room(&room, now).await?;
        let sender = if r.direction == "request" {
            r.mentee_id
        } else {
            r.mentor_id
        };
        if let Some(p) = tx.person(sender).await? {
            let body = format!(
                "Hello {},\n\nYour mentoring request was accepted. Your room is open: {}/\n",
                p.profile.name, self.config.base_url
            );
            self.queue_mail(
                &mut tx,
                Some(p.id),
                &p.email,
                NotificationKind::Matching,
                "Your mentoring request was accepted",
                &body,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(room.id)
    }

    /// The recipient declines, optionally saying why.
    pub async fn decline_request(
        &self,
        actor: &Actor,
        id: RequestId,
        reason: &str,
    ) -> AppResult<()> {
        let _reason = rapport_domain::values::text("reason", reason, 0, 1000, "a reason")?;
        let mut tx = self.store.write().await?;
        let r = self.request_for(&mut tx, actor, id).await?;
        if !recipient(&r, actor) {
            return Err(AppError::Forbidden(
                "only the person the request was sent to can decline it".into(),
            ));
        }
        if !tx
            .close_request(id, RequestStatus::Declined, self.now())
            .await?
        {
            return Err(gone());
        }
        tx.commit().await?;
        Ok(())
    }

    /// The sender takes the request back.
    pub async fn withdraw_request(&self, actor: &Actor, id: RequestId) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        let r = self.request_for(&mut tx, actor, id).await?;
        if recipient(&r, actor) {
            return Err(AppError::Forbidden(
                "only the sender can withdraw a request; decline it instead".into(),
            ));
        }
        if !tx
            .close_request(id, RequestStatus::Withdrawn, self.now())
            .await?
        {
            return Err(gone());
        }
        tx.commit().await?;
        Ok(())
    }

    /// Loads a request the actor takes part in; anyone else gets 404.
    async fn request_for(
        &self,
        tx: &mut rapport_store::Tx,
        actor: &Actor,
        id: RequestId,
    ) -> AppResult<RequestRecord> {
        match tx.request(id).await? {
            Some(r) if r.mentee_id == actor.person_id || r.mentor_id == actor.person_id => Ok(r),
            _ => Err(AppError::NotFound("that request was not found".into())),
        }
    }
}

/// Whether the actor is the one who must answer.
fn recipient(r: &RequestRecord, actor: &Actor) -> bool {
    if r.direction == "request" {
        r.mentor_id == actor.person_id
    } else {
        r.mentee_id == actor.person_id
    }
}
