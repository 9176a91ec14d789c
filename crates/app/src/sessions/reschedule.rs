//! Moving a session: a member proposes a new time, the others accept or
//! decline, and the session moves when every current member has accepted.

use super::{current, session_moved};
use crate::calendar::SessionChange;
use crate::sessions::StartInput;
use crate::{App, AppError, AppResult};
use rapport_domain::mentoring::SessionStatus;
use rapport_domain::policy::Actor;
use rapport_domain::sessions::{self as rules, RescheduleStatus};
use rapport_domain::{RescheduleId, SessionId};
use rapport_store::{RescheduleRecord, StoreError};

impl App {
    /// A member proposes a new time for a scheduled session; the others
    /// accept or decline. One open proposal per session.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, session = %id))]
    pub async fn propose_reschedule(
        &self,
        actor: &Actor,
        id: SessionId,
        start: &StartInput,
    ) -> AppResult<RescheduleId> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (s, access) = self.session_access(&mut tx, actor, id).await?;
        access.member_writes()?;
        if s.status != SessionStatus::Scheduled {
            return Err(AppError::Conflict {
                field: Some("status"),
                message: format!(
                    "this session is {}; only a scheduled session moves",
                    s.status.code()
                ),
            });
        }
        let default_zone = self.zone_of(&mut tx, actor.person_id).await?;
        let (local, zone) = start.resolve(&default_zone).map_err(AppError::Invalid)?;
        let starts_at = rules::local_to_utc(zone.tz(), local);
        if starts_at <= now {
            return Err(AppError::invalid(
                start.field(),
                "the new time must be in the future",
            ));
        }
        if starts_at == s.starts_at {
            return Err(AppError::invalid(
                start.field(),
                "that is when the session already starts",
            ));
        }
        if tx.open_reschedule(id).await?.is_some() {
            return Err(open_proposal());
        }
        let r = RescheduleRecord {
            id: RescheduleId::new(),
            session_id: id,
            proposed_by: Some(actor.person_id),
            starts_at,
            zone,
            status: RescheduleStatus::Open,
            created_at: now,
            decided_at: None,
            answers: vec![],
        };
        tx.insert_reschedule(&r).await.map_err(|e| match e {
            StoreError::Conflict { constraint }
                if constraint == "session_reschedules_session_id_key" =>
            {
                open_proposal()
            }
            e => e.into(),
        })?;
        tx.answer_reschedule(r.id, actor.person_id, true, now)
            .await?;
        tx.commit().await?;
        Ok(r.id)
    }

    /// Another member accepts or declines the open proposal. A decline
    /// closes it; when every current member has accepted, the session moves
    /// (a calendar change). Returns the proposal's status after the answer.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, session = %id, accept = accept))]
    pub async fn answer_reschedule(
        &self,
        actor: &Actor,
        id: SessionId,
        accept: bool,
    ) -> AppResult<RescheduleStatus> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (s, access) = self.session_access(&mut tx, actor, id).await?;
        access.member_writes()?;
        let Some(mut open) = tx.open_reschedule(id).await? else {
            return Err(AppError::Conflict {
                field: None,
                message: "nobody has proposed a new time for this session".into(),
            });
        };
        if open.proposed_by == Some(actor.person_id) {
            return Err(AppError::Conflict {
                field: None,
                message: "you proposed this time; the other members answer it".into(),
            });
        }
        if !accept {
            tx.answer_reschedule(open.id, actor.person_id, false, now)
                .await?;
            if !tx
                .close_reschedule(open.id, RescheduleStatus::Declined, now)
                .await?
            {
                return Err(session_moved());
            }
            tx.commit().await?;
            return Ok(RescheduleStatus::Declined);
        }
        if open.starts_at <= now {
            return Err(AppError::Conflict {
                field: None,
                message: "the proposed time has passed; decline it and propose another".into(),
            });
        }
        tx.answer_reschedule(open.id, actor.person_id, true, now)
            .await?;
        open.answers.retain(|(p, _)| *p != actor.person_id);
        open.answers.push((actor.person_id, true));
        let everyone = current(&access).iter().all(|m| {
            open.answers
                .iter()
                .any(|(p, yes)| *p == m.person_id && *yes)
        });
        if !everyone {
            tx.commit().await?;
            return Ok(RescheduleStatus::Open);
        }
        if !tx
            .close_reschedule(open.id, RescheduleStatus::Accepted, now)
            .await?
            || !tx.move_session(s.id, open.starts_at, now).await?
        {
            return Err(session_moved());
        }
        self.session_changed(&mut tx, id, SessionChange::Changed, now)
            .await?;
        tx.commit().await?;
        Ok(RescheduleStatus::Accepted)
    }
}

fn open_proposal() -> AppError {
    AppError::Conflict {
        field: None,
        message: "a new time is already proposed for this session; answer it first".into(),
    }
}
