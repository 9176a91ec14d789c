//! What follows a session: action items (carried over to later sessions
//! until done) and each member's blind feedback after it is held.

use super::{current, one, ActionItems};
use crate::markdown;
use crate::rooms::RoomAccess;
use crate::sessions::ActionItemInput;
use crate::{App, AppError, AppResult};
use rapport_domain::mentoring::SessionStatus;
use rapport_domain::policy::Actor;
use rapport_domain::sessions as rules;
use rapport_domain::{ActionItemId, Invalid, SessionId};
use rapport_store::{
    ActionItemRecord, ActivityKind, FeedbackRecord, SessionRecord, StoreError, Tx,
};

impl App {
    /// A session's action items and the open items carried over to it.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, session = %id))]
    pub async fn action_items(&self, actor: &Actor, id: SessionId) -> AppResult<ActionItems> {
        let v = self.session(actor, id).await?;
        if v.private_to_members {
            return Err(AppError::Forbidden(
                "this programme keeps session notes and action items to the room's members".into(),
            ));
        }
        Ok(ActionItems {
            items: v.items,
            carried: v.carried,
        })
    }

    /// A member adds an action item to a session.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, session = %id))]
    pub async fn add_action_item(
        &self,
        actor: &Actor,
        id: SessionId,
        input: &ActionItemInput,
    ) -> AppResult<ActionItemId> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (s, access) = self.session_access(&mut tx, actor, id).await?;
        access.member_writes()?;
        let mut item = ActionItemRecord {
            id: ActionItemId::new(),
            session_id: id,
            room_id: s.room_id,
            owner_id: Some(actor.person_id),
            title: String::new(),
            due_on: None,
            done_at: None,
            created_by: Some(actor.person_id),
            created_at: now,
            updated_at: now,
        };
        if input.title.is_none() {
            return Err(AppError::invalid("title", "say what is to be done"));
        }
        apply_item(&access, &mut item, input, now)?;
        tx.insert_action_item(&item).await?;
        tx.note_room_activity(s.room_id, ActivityKind::Note, now)
            .await?;
        tx.commit().await?;
        Ok(item.id)
    }

    /// A member changes an action item (its title, owner, due date, or
    /// marks it done or open again).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, item = %id))]
    pub async fn update_action_item(
        &self,
        actor: &Actor,
        id: ActionItemId,
        input: &ActionItemInput,
    ) -> AppResult<ActionItemRecord> {
        let now = self.now();
        let not_found = || AppError::NotFound("that action item was not found".into());
        let mut tx = self.store.write().await?;
        let mut item = tx.action_item(id).await?.ok_or_else(not_found)?;
        let access = self
            .room_access(&mut tx, actor, item.room_id)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => not_found(),
                e => e,
            })?;
        access.member_writes()?;
        apply_item(&access, &mut item, input, now)?;
        item.updated_at = now;
        tx.update_action_item(&item).await?;
        tx.note_room_activity(item.room_id, ActivityKind::Note, now)
            .await?;
        tx.commit().await?;
        Ok(item)
    }

    /// Whether feedback on `s` may be given now: it was held, and the room
    /// is open, or it is the room's last held session and the room ended
    /// less than 30 days ago.
    pub(super) async fn feedback_open(
        &self,
        tx: &mut Tx,
        access: &RoomAccess,
        s: &SessionRecord,
        now: i64,
    ) -> AppResult<AppResult<()>> {
        if s.status != SessionStatus::Held {
            return Ok(Err(AppError::Conflict {
                field: None,
                message: "feedback is given on a held session".into(),
            }));
        }
        if let Err(e) = access.within_grace(now) {
            return Ok(Err(e));
        }
        if access.writable().is_err() {
            let last = tx
                .sessions_of_room(s.room_id)
                .await?
                .into_iter()
                .filter(|x| x.status == SessionStatus::Held)
                .max_by_key(|x| (x.starts_at, x.id.0));
            if last.map(|l| l.id) != Some(s.id) {
                return Ok(Err(AppError::Conflict {
                    field: None,
                    message: "this room has ended; feedback is open only on its last held session"
                        .into(),
                }));
            }
        }
        Ok(Ok(()))
    }

    /// A member rates a held session 1–4, with an optional comment, once.
    /// Blind: only they and the programme's managers ever read it.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, session = %id))]
    pub async fn give_feedback(
        &self,
        actor: &Actor,
        id: SessionId,
        rating: i64,
        comment: &str,
    ) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (s, access) = self.session_access(&mut tx, actor, id).await?;
        if !access.is_member() {
            return Err(AppError::Forbidden(
                "only the room's members give feedback on its sessions".into(),
            ));
        }
        let rating = rules::check_rating(rating).map_err(one)?;
        let comment = comment.trim();
        if comment.chars().count() > 2000 {
            return Err(AppError::invalid(
                "comment",
                "the comment can be at most 2000 characters",
            ));
        }
        markdown::check("comment", comment)?;
        self.feedback_open(&mut tx, &access, &s, now).await??;
        if !tx
            .session_feedback(id, Some(actor.person_id))
            .await?
            .is_empty()
        {
            return Err(already_rated());
        }
        tx.insert_feedback(&FeedbackRecord {
            session_id: id,
            person_id: actor.person_id,
            rating: i32::from(rating),
            comment: comment.to_string(),
            created_at: now,
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict { constraint }
                if constraint == "session_feedback_session_id_person_id_key" =>
            {
                already_rated()
            }
            e => e.into(),
        })?;
        tx.commit().await?;
        Ok(())
    }
}

fn already_rated() -> AppError {
    AppError::Conflict {
        field: Some("rating"),
        message: "you already gave feedback on this session".into(),
    }
}

/// Applies an action item's changes after checking them.
fn apply_item(
    access: &RoomAccess,
    item: &mut ActionItemRecord,
    input: &ActionItemInput,
    now: i64,
) -> AppResult<()> {
    let mut errors = vec![];
    if let Some(t) = &input.title {
        let t = t.trim();
        if t.is_empty() || t.chars().count() > 500 {
            errors.push(Invalid::new(
                "title",
                "the title must be 1 to 500 characters",
            ));
        } else if let Err(AppError::Invalid(v)) = markdown::check("title", t) {
            errors.extend(v);
        } else {
            item.title = t.to_string();
        }
    }
    if let Some(o) = input
        .owner_id
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
    {
        match current(access)
            .iter()
            .find(|m| m.person_id.to_string() == o)
        {
            Some(m) => item.owner_id = Some(m.person_id),
            None => errors.push(Invalid::new(
                "owner_id",
                "the owner must be a member of this room",
            )),
        }
    }
    if let Some(d) = &input.due_on {
        match rules::parse_due(d) {
            Ok(d) => item.due_on = d,
            Err(e) => errors.push(e),
        }
    }
    if let Some(done) = input.done {
        item.done_at = match (done, item.done_at) {
            (true, None) => Some(now),
            (true, at) => at,
            (false, _) => None,
        };
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}
