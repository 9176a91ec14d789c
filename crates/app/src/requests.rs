//! Self-selected matching: a mentee asks a mentor (a request), or a mentor
//! asks a mentee (an offer). Accepting opens a room at once.
//!
//! The rules people could race (one open request per pair, mentor capacity,
//! a mentor's personal maximum) are enforced by the database as well as
//! checked here, so concurrent accepts can never overfill a mentor.

use crate::emails::{
    OfferReceived, QuestionAnswered, QuestionAsked, RequestAccepted, RequestReceived,
    RequestReminder, RequestRolledOver,
};
use crate::{App, AppError, AppResult};
use rapport_domain::mentoring::{
    EnrolmentStatus, MemberState, RequestDirection, RequestStatus, RoomOrigin, RoomStatus,
};
use rapport_domain::policy::Actor;
use rapport_domain::programme::{MatchingMode, ProgrammeRole, ProgrammeStatus};
use rapport_domain::{PersonId, ProgrammeId, RequestId, RoomId};
use rapport_store::{NewRoom, ProgrammeRecord, RequestRecord, Tx};

/// Open requests a mentee may have in one programme at a time.
pub const MAX_OPEN_REQUESTS: i64 = 3;
/// How long a request waits for an answer by default.
pub const DEFAULT_EXPIRY_MS: i64 = 14 * DAY_MS;
/// Mentors are reminded this long before a request expires.
pub const REMIND_BEFORE_MS: i64 = 3 * DAY_MS;
const DAY_MS: i64 = 24 * 3_600_000;

/// A request with the names a list needs.
#[derive(Clone, Debug)]
pub struct RequestView {
    /// The request.
    pub request: RequestRecord,
    /// Whether the viewer is the one to answer.
    pub incoming: bool,
    /// The mentee's name.
    pub mentee_name: String,
    /// The mentor's name.
    pub mentor_name: String,
    /// The programme's name.
    pub programme: String,
    /// The programme's slug.
    pub programme_slug: String,
    /// The sender as the recipient sees them (issue 18 §6); none on the
    /// sender's own side.
    pub sender: Option<crate::request_list::SenderCard>,
}

/// A pause's last day as the mentor chose it (a calendar date, stored as
/// the start of that day in UTC): `9 Dec 2026`.
fn day(ms: i64) -> String {
    rapport_domain::values::TimeZoneName::utc().local_date(ms)
}

/// When a request expires, as its email's recipient reads it: the day and
/// time in their profile's zone, the zone named (never UTC unless it is
/// theirs).
fn expiry_for(recipient: &rapport_store::PersonRecord, ms: i64, now: i64) -> String {
    recipient.profile.time_zone.local_at(ms, now)
}

fn gone() -> AppError {
    AppError::Conflict {
        field: None,
        message: "this request is no longer open: it was answered, withdrawn or has expired".into(),
    }
}

impl App {
    /// A mentee asks a mentor in a programme both are enrolled in.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %programme, mentor = %mentor))]
    pub async fn send_request(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
        mentor: PersonId,
        message: &str,
    ) -> AppResult<RequestId> {
        let message = rapport_domain::values::text("message", message, 0, 2000, "a message")?;
        let mut tx = self.store.write().await?;
        let p = tx
            .programme(programme)
            .await?
            .ok_or_else(|| AppError::NotFound("that programme was not found".into()))?;
        let id = self
            .open_request(&mut tx, &p, actor.person_id, mentor, &message, &[])
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A mentee ranks up to three mentors in one go: the request goes to the
    /// first, and rolls over in order when it is declined or expires.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn request_mentors(
        &self,
        actor: &Actor,
        slug: &str,
        ranked: &[PersonId],
        message: &str,
    ) -> AppResult<RequestId> {
        let message = rapport_domain::values::text("message", message, 0, 2000, "a message")?;
        if ranked.is_empty() {
            return Err(AppError::invalid(
                "mentor_ids",
                "choose at least one mentor",
            ));
        }
        if ranked.len() > MAX_OPEN_REQUESTS as usize {
            return Err(AppError::invalid(
                "mentor_ids",
                format!("rank at most {MAX_OPEN_REQUESTS} mentors"),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        if !ranked.iter().all(|m| seen.insert(*m)) {
            return Err(AppError::invalid("mentor_ids", "rank each mentor once"));
        }
        let mut tx = self.store.write().await?;
        let p = self.programme_for(&mut tx, actor, slug).await?;
        let id = self
            .open_request(
                &mut tx,
                &p,
                actor.person_id,
                ranked[0],
                &message,
                &ranked[1..],
            )
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Checks every request rule and opens a pending request, telling the mentor.
    async fn open_request(
        &self,
        tx: &mut Tx,
        p: &ProgrammeRecord,
        mentee: PersonId,
        mentor: PersonId,
        message: &str,
        queue: &[PersonId],
    ) -> AppResult<RequestId> {
        let now = self.now();
        if !crate::programmes::taking_enrolments(p) && p.status != ProgrammeStatus::Running {
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
        if !approved(tx.enrolment(p.id, mentee, ProgrammeRole::Mentee).await?) {
            return Err(AppError::Forbidden(format!(
                "enrol in {} as a mentee, and wait for approval, before sending requests",
                p.name
            )));
        }
        if mentor == mentee {
            return Err(AppError::invalid(
                "mentor_id",
                "you cannot send a request to yourself",
            ));
        }
        if p.matching_mode != MatchingMode::MenteesRequest {
            return Err(AppError::Conflict {
                field: None,
                message: format!(
                    "in {}, {}; mentees do not send requests",
                    p.name,
                    p.matching_mode.label().to_lowercase()
                ),
            });
        }
        if !approved(tx.enrolment(p.id, mentor, ProgrammeRole::Mentor).await?) {
            return Err(AppError::invalid(
                "mentor_id",
                "this person is not a mentor in this programme",
            ));
        }
        if tx.blocked_either_way(mentee, mentor).await? {
            return Err(AppError::Conflict {
                field: Some("mentor_id"),
                message: "you cannot send a request to this person".into(),
            });
        }
        if tx
            .past_pairs(p.id)
            .await?
            .iter()
            .any(|&(a, b)| a == mentee && b == mentor)
        {
            return Err(AppError::Conflict { field: Some("mentor_id"), message: "this mentor already declined you, or you were matched before, in this programme; choose another mentor".into() });
        }
        let (_, paused_until, _) = tx.mentor_limits(mentor).await?;
        if let Some(until) = paused_until.filter(|t| *t > now) {
            return Err(AppError::Conflict {
                field: Some("mentor_id"),
                message: format!("this mentor is not taking mentees until {}", day(until)),
            });
        }
        if tx.open_requests_of_mentee(p.id, mentee).await? >= MAX_OPEN_REQUESTS {
            return Err(AppError::Conflict { field: None, message: format!("you already have {MAX_OPEN_REQUESTS} requests waiting in this programme; wait for an answer or withdraw one") });
        }
        let record = RequestRecord {
            id: RequestId::new(),
            programme_id: p.id,
            mentee_id: mentee,
            mentor_id: mentor,
            direction: RequestDirection::Request,
            status: RequestStatus::Pending,
            message: message.to_string(),
            expires_at: now + i64::from(p.request_expiry_days.max(1)) * DAY_MS,
            created_at: now,
            queue: queue.to_vec(),
            question: None,
            answer: None,
            decline_reason: None,
        };
        tx.insert_request(&record).await?;
        if let (Some(me), Some(m)) = (tx.person(mentee).await?, tx.person(mentor).await?) {
            let mail = RequestReceived {
                name: m.profile.name.clone(),
                mentee: me.profile.name.clone(),
                programme: p.name.clone(),
                message: record.message.clone(),
                answer_by: expiry_for(&m, record.expires_at, now),
            };
            self.queue_mail(tx, Some(m.id), &m.email, &mail).await?;
        }
        Ok(record.id)
    }

    /// After a decline or an expiry: the request rolls over to the next
    /// ranked mentor who can still take it; with nobody left, the mentee is
    /// told and pointed to fresh recommendations.
    /// [`Self::roll_over`] for the other use-case files (an operator
    /// disabling a mentor closes the requests sent to them).
    pub(crate) async fn roll_over_request(
        &self,
        tx: &mut Tx,
        r: &RequestRecord,
        why: &str,
    ) -> AppResult<Option<RequestId>> {
        self.roll_over(tx, r, why).await
    }

    async fn roll_over(
        &self,
        tx: &mut Tx,
        r: &RequestRecord,
        why: &str,
    ) -> AppResult<Option<RequestId>> {
        let Some(p) = tx.programme(r.programme_id).await? else {
            return Ok(None);
        };
        let mut queue: Vec<PersonId> = r.queue.clone();
        while !queue.is_empty() {
            let next = queue.remove(0);
            // A mentor who can no longer take it is skipped, not an error.
            match self
                .open_request(tx, &p, r.mentee_id, next, &r.message, &queue)
                .await
            {
                Ok(id) => return Ok(Some(id)),
                Err(e @ AppError::Internal { .. }) => return Err(e),
                Err(_) => continue,
            }
        }
        if let Some(me) = tx.person(r.mentee_id).await? {
            let mail = RequestRolledOver {
                name: me.profile.name.clone(),
                programme: p.name.clone(),
                slug: p.slug.to_string(),
                why: why.into(),
            };
            self.queue_mail(tx, Some(me.id), &me.email, &mail).await?;
        }
        Ok(None)
    }

    /// The mentor asks for more information: the request waits for the mentee.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, request = %id))]
    pub async fn ask_about_request(
        &self,
        actor: &Actor,
        id: RequestId,
        question: &str,
    ) -> AppResult<()> {
        let question =
            rapport_domain::values::text("question", question, 1, 1000, "your question")?;
        let mut tx = self.store.write().await?;
        let r = self.request_for(&mut tx, actor, id).await?;
        if !recipient(&r, actor) {
            return Err(AppError::Forbidden(
                "only the person the request was sent to can ask about it".into(),
            ));
        }
        if !tx.ask_on_request(id, &question, self.now()).await? {
            return Err(AppError::Conflict {
                field: None,
                message: "you can ask while the request is pending; this one is not".into(),
            });
        }
        if let Some(me) = tx.person(r.mentee_id).await? {
            let mail = QuestionAsked {
                name: me.profile.name.clone(),
                question,
            };
            self.queue_mail(&mut tx, Some(me.id), &me.email, &mail)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The mentee answers the mentor's question: the request is pending again.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, request = %id))]
    pub async fn answer_about_request(
        &self,
        actor: &Actor,
        id: RequestId,
        answer: &str,
    ) -> AppResult<()> {
        let answer = rapport_domain::values::text("answer", answer, 1, 2000, "your answer")?;
        let mut tx = self.store.write().await?;
        let r = self.request_for(&mut tx, actor, id).await?;
        if recipient(&r, actor) {
            return Err(AppError::Forbidden(
                "only the sender answers the question".into(),
            ));
        }
        if !tx.answer_on_request(id, &answer, self.now()).await? {
            return Err(AppError::Conflict {
                field: None,
                message: "there is no question waiting for an answer on this request".into(),
            });
        }
        if let Some(m) = tx.person(r.mentor_id).await? {
            let mail = QuestionAnswered {
                name: m.profile.name.clone(),
                answer,
            };
            self.queue_mail(&mut tx, Some(m.id), &m.email, &mail)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Expires overdue requests (rolling each over) and reminds mentors of
    /// requests expiring within [`REMIND_BEFORE_MS`]. The job worker runs it
    /// on every pass; returns (expired, reminded).
    #[tracing::instrument(skip_all)]
    pub async fn sweep_requests(&self) -> AppResult<(usize, usize)> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let mut expired = 0;
        for r in tx.overdue_requests(now, 200).await? {
            if tx.expire_request(r.id, now).await? {
                expired += 1;
                self.roll_over(&mut tx, &r, "expired without an answer")
                    .await?;
            }
        }
        let mut reminded = 0;
        for r in tx.requests_to_remind(now + REMIND_BEFORE_MS, 200).await? {
            if !tx.mark_reminded(r.id, now).await? {
                continue;
            }
            if let Some(m) = tx.person(r.mentor_id).await? {
                reminded += 1;
                let mail = RequestReminder {
                    name: m.profile.name.clone(),
                    expires: expiry_for(&m, r.expires_at, now),
                };
                self.queue_mail(&mut tx, Some(m.id), &m.email, &mail)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok((expired, reminded))
    }

    /// The requests the actor sent or received, newest first, with names and
    /// programmes: every page of [`App::my_requests_page`], so two queries
    /// per hundred requests rather than three per request.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn my_requests(&self, actor: &Actor) -> AppResult<Vec<RequestView>> {
        let mut tx = self.store.read().await?;
        self.my_requests_in(&mut tx, actor).await
    }

    /// [`App::my_requests`] in the caller's transaction.
    pub(crate) async fn my_requests_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
    ) -> AppResult<Vec<RequestView>> {
        let mut out = vec![];
        let mut query = crate::lists::ListQuery {
            limit: Some(crate::lists::MAX_LIMIT),
            ..Default::default()
        };
        loop {
            let page = self.my_requests_page_in(tx, actor, &query).await?;
            out.extend(page.items);
            match page.next {
                Some(next) => query.cursor = Some(next.encode()),
                None => return Ok(out),
            }
        }
    }

    /// Until when the actor is not taking mentees (none: taking them).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn my_pause(&self, actor: &Actor) -> AppResult<Option<i64>> {
        let mut tx = self.store.read().await?;
        let (_, until, _) = tx.mentor_limits(actor.person_id).await?;
        Ok(until.filter(|t| *t > self.now()))
    }

    /// The actor's personal maximum of mentees across programmes, and how
    /// many mentor seats they hold now.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn my_load(&self, actor: &Actor) -> AppResult<(Option<i32>, i64)> {
        let mut tx = self.store.read().await?;
        let (max, _, seats) = tx.mentor_limits(actor.person_id).await?;
        Ok((max, seats))
    }

    /// Sets the actor's personal maximum of mentees across all programmes
    /// (empty: no maximum). The database enforces it like programme capacity.
    /// A maximum below the mentees they have now is refused with a sentence
    /// saying what to do instead: it would otherwise be accepted silently and
    /// only stop new mentees, which is not what the person asked for.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn set_max_mentees(&self, actor: &Actor, raw: &str) -> AppResult<Option<i32>> {
        let mut tx = self.store.write().await?;
        let max = parse_max_mentees(&mut tx, actor, raw).await?;
        tx.set_max_mentees(actor.person_id, max).await?;
        tx.commit().await?;
        Ok(max)
    }

    /// Saves a mentor's pause and personal maximum together, in one
    /// transaction: both are checked before either is saved, so a refused
    /// maximum never leaves a half-saved pause behind.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn set_mentor_pause(
        &self,
        actor: &Actor,
        until: &str,
        max_mentees: &str,
    ) -> AppResult<(Option<i64>, Option<i32>)> {
        let at = self.parse_pause(until);
        let mut tx = self.store.write().await?;
        let max = parse_max_mentees(&mut tx, actor, max_mentees).await;
        let (at, max) = match (at, max) {
            (Ok(at), Ok(max)) => (at, max),
            (a, m) => {
                let mut all = vec![];
                for e in [a.err(), m.err()].into_iter().flatten() {
                    match e {
                        AppError::Invalid(errs) => all.extend(errs),
                        other => return Err(other),
                    }
                }
                return Err(AppError::Invalid(all));
            }
        };
        tx.set_paused_until(actor.person_id, at).await?;
        tx.set_max_mentees(actor.person_id, max).await?;
        tx.commit().await?;
        Ok((at, max))
    }

    /// In a programme where mentors choose, a mentor offers to mentor a
    /// waiting mentee; the mentee accepts or declines like a request.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, mentee = %mentee))]
    pub async fn send_offer(
        &self,
        actor: &Actor,
        slug: &str,
        mentee: PersonId,
        message: &str,
    ) -> AppResult<RequestId> {
        let message = rapport_domain::values::text("message", message, 0, 2000, "a message")?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let p = self.programme_for(&mut tx, actor, slug).await?;
        let approved = |e: Option<rapport_store::EnrolmentRecord>| {
            e.filter(|e| e.status == EnrolmentStatus::Approved)
        };
        let Some(mine) = approved(
            tx.enrolment(p.id, actor.person_id, ProgrammeRole::Mentor)
                .await?,
        ) else {
            return Err(AppError::Forbidden(format!(
                "offers come from approved mentors of {}",
                p.name
            )));
        };
        if p.matching_mode != MatchingMode::MentorsChoose {
            return Err(AppError::Conflict {
                field: None,
                message: format!(
                    "in {}, {}; mentors do not send offers",
                    p.name,
                    p.matching_mode.label().to_lowercase()
                ),
            });
        }
        if mentee == actor.person_id {
            return Err(AppError::invalid(
                "mentee_id",
                "you cannot make an offer to yourself",
            ));
        }
        if approved(tx.enrolment(p.id, mentee, ProgrammeRole::Mentee).await?).is_none() {
            return Err(AppError::invalid(
                "mentee_id",
                "this person is not an approved mentee in this programme",
            ));
        }
        if tx.blocked_either_way(mentee, actor.person_id).await? {
            return Err(AppError::Conflict {
                field: Some("mentee_id"),
                message: "you cannot make an offer to this person".into(),
            });
        }
        if tx
            .past_pairs(p.id)
            .await?
            .iter()
            .any(|&(a, b)| a == mentee && b == actor.person_id)
        {
            return Err(AppError::Conflict {
                field: Some("mentee_id"),
                message: "you were matched before, or one of you declined, in this programme"
                    .into(),
            });
        }
        if tx
            .open_seats(p.id)
            .await?
            .iter()
            .any(|s| s.person_id == mentee && s.role == ProgrammeRole::Mentee)
        {
            return Err(AppError::Conflict {
                field: Some("mentee_id"),
                message: "this mentee already has a match".into(),
            });
        }
        if tx.mentor_load(p.id, actor.person_id).await? >= i64::from(mine.capacity) {
            return Err(AppError::Conflict {
                field: None,
                message: "you have no space left in this programme; raise your capacity first"
                    .into(),
            });
        }
        let record = RequestRecord {
            id: RequestId::new(),
            programme_id: p.id,
            mentee_id: mentee,
            mentor_id: actor.person_id,
            direction: RequestDirection::Offer,
            status: RequestStatus::Pending,
            message,
            expires_at: now + i64::from(p.request_expiry_days.max(1)) * DAY_MS,
            created_at: now,
            queue: vec![],
            question: None,
            answer: None,
            decline_reason: None,
        };
        tx.insert_request(&record).await?;
        if let (Some(me), Some(m)) = (tx.person(mentee).await?, tx.person(actor.person_id).await?) {
            let mail = OfferReceived {
                name: me.profile.name.clone(),
                mentor: m.profile.name.clone(),
                programme: p.name.clone(),
                message: record.message.clone(),
                answer_by: expiry_for(&me, record.expires_at, now),
            };
            self.queue_mail(&mut tx, Some(me.id), &me.email, &mail)
                .await?;
        }
        tx.commit().await?;
        Ok(record.id)
    }

    /// A mentor pauses ("not taking mentees until DATE", `YYYY-MM-DD`) or
    /// resumes (empty). Paused mentors drop out of recommendations and rounds.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn set_pause(&self, actor: &Actor, until: &str) -> AppResult<Option<i64>> {
        let at = self.parse_pause(until)?;
        let mut tx = self.store.write().await?;
        tx.set_paused_until(actor.person_id, at).await?;
        tx.commit().await?;
        Ok(at)
    }

    /// `YYYY-MM-DD` in the future as the start of that day (UTC, as the
    /// page shows it back), or none for empty.
    fn parse_pause(&self, until: &str) -> AppResult<Option<i64>> {
        let until = until.trim();
        if until.is_empty() {
            return Ok(None);
        }
        let d = chrono::NaiveDate::parse_from_str(until, "%Y-%m-%d")
            .map_err(|_| AppError::invalid("until", "enter a date as YYYY-MM-DD"))?;
        let ms = d
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp_millis())
            .unwrap_or(0);
        if ms <= self.now() {
            return Err(AppError::invalid(
                "until",
                "choose a date in the future, or leave it empty to resume",
            ));
        }
        Ok(Some(ms))
    }

    /// The recipient accepts: the request closes and a room opens, active at
    /// once. A mentor with no space left gets 409 and nothing changes.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, request = %id))]
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
            origin: RoomOrigin::Request,
            members: vec![
                (r.mentor_id, ProgrammeRole::Mentor, MemberState::Accepted),
                (r.mentee_id, ProgrammeRole::Mentee, MemberState::Accepted),
            ],
        };
        tx.insert_room(&room, now).await?;
        let sender = if r.direction == RequestDirection::Request {
            r.mentee_id
        } else {
            r.mentor_id
        };
        if let Some(p) = tx.person(sender).await? {
            let mail = RequestAccepted {
                name: p.profile.name.clone(),
            };
            self.queue_mail(&mut tx, Some(p.id), &p.email, &mail)
                .await?;
        }
        tx.commit().await?;
        Ok(room.id)
    }

    /// The recipient declines, optionally saying why.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, request = %id))]
    pub async fn decline_request(
        &self,
        actor: &Actor,
        id: RequestId,
        reason: &str,
    ) -> AppResult<()> {
        let reason = rapport_domain::values::text("reason", reason, 0, 1000, "a reason")?;
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
        if !reason.is_empty() {
            tx.set_decline_reason(id, &reason).await?;
        }
        if r.direction == RequestDirection::Request {
            let why = if reason.is_empty() {
                "was declined".to_string()
            } else {
                format!("was declined: {reason}")
            };
            self.roll_over(&mut tx, &r, &why).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The sender takes the request back.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, request = %id))]
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
    if r.direction == RequestDirection::Request {
        r.mentor_id == actor.person_id
    } else {
        r.mentee_id == actor.person_id
    }
}

/// A personal maximum as typed (empty: none), refused when it is out of
/// range or below the mentees the actor has now.
async fn parse_max_mentees(tx: &mut Tx, actor: &Actor, raw: &str) -> AppResult<Option<i32>> {
    let max = match raw.trim() {
        "" => return Ok(None),
        v => v
            .parse::<i32>()
            .ok()
            .filter(|n| (0..=100).contains(n))
            .ok_or_else(|| {
                AppError::invalid(
                    "max_mentees",
                    "enter a whole number from 0 to 100, or leave it empty for no maximum",
                )
            })?,
    };
    let (_, _, seats) = tx.mentor_limits(actor.person_id).await?;
    if i64::from(max) < seats {
        return Err(AppError::invalid(
            "max_mentees",
            format!(
                "you mentor {seats} {} now, so your maximum cannot be {max}; choose {seats} or more, or pause to take no new mentees",
                if seats == 1 { "person" } else { "people" }
            ),
        ));
    }
    Ok(Some(max))
}
