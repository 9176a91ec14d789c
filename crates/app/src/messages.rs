//! A room's message thread: one per room, Markdown bodies, edits and
//! deletions shown in place, a read position per member, unread counts, and
//! batched email about new messages.
//!
//! # Who reads the thread
//! The room's members (a member who left still reads its history). Managers
//! and admins who are not members do not: the thread is the members' own
//! conversation (403 for them, 404 for anyone else).
//!
//! # Batched email
//! A new message makes one pending digest per other current member (the
//! `message_digests` key allows one per recipient per room) and queues its
//! `room_digest` job [`DIGEST_DELAY_MS`] later. When the job runs it removes
//! the pending digest and emails the recipient only if messages are still
//! unread then, under the `rooms` notification kind (so switching it off
//! stops it). So a recipient gets at most one email per room per
//! 15 minutes, and never one about messages they have read.

use crate::emails::{DigestLine, RoomDigest};
use crate::lists::{ListQuery, Page};
use crate::notes::FORMER_MEMBER;
use crate::rooms::RoomAccess;
use crate::{markdown, App, AppError, AppResult};
use rapport_domain::policy::Actor;
use rapport_domain::{MessageId, PersonId, RoomId};
use rapport_store::{ActivityKind, MessageRecord};
use serde::Serialize;
use std::collections::HashMap;

/// How long after a message its recipients' digest email waits.
pub const DIGEST_DELAY_MS: i64 = 15 * 60_000;
/// The job kind that sends one digest.
pub const DIGEST_JOB: &str = "room_digest";
/// How many messages a digest email previews.
const PREVIEWS: usize = 3;
/// How long one preview may be (characters).
const PREVIEW_CHARS: usize = 140;

/// A message as one reader sees it.
#[derive(Clone, Debug, Serialize)]
pub struct MessageView {
    /// The stored message (an empty body once deleted).
    #[serde(skip)]
    pub record: MessageRecord,
    /// The author's name, or "a former member".
    pub author: String,
    /// The body rendered by the one Markdown renderer; none once deleted.
    pub html: Option<String>,
    /// The reader wrote it.
    pub mine: bool,
}

impl MessageView {
    fn new(record: MessageRecord, reader: &Actor) -> Self {
        Self {
            author: record
                .author_name
                .clone()
                .unwrap_or_else(|| FORMER_MEMBER.into()),
            html: record
                .deleted_at
                .is_none()
                .then(|| markdown::render(&record.body)),
            mine: record.author_id == Some(reader.person_id),
            record,
        }
    }
}

fn not_found() -> AppError {
    AppError::NotFound("that message was not found".into())
}

/// The thread is for the room's members, in any state.
fn members_only(access: &RoomAccess) -> AppResult<()> {
    if access.me.is_none() {
        return Err(AppError::Forbidden(
            "the message thread is for the room's members".into(),
        ));
    }
    Ok(())
}

fn parse_body(body: &str) -> AppResult<String> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid(
            "body",
            "write the message: it cannot be empty",
        ));
    }
    markdown::check("body", body)?;
    Ok(body.to_string())
}

/// The first [`PREVIEW_CHARS`] characters of a message as plain text.
fn preview(body: &str) -> String {
    let plain = markdown::plain(body).replace('\n', " ");
    if plain.chars().count() <= PREVIEW_CHARS {
        return plain;
    }
    let cut: String = plain.chars().take(PREVIEW_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

impl App {
    /// One page of a room's thread, newest page first (the items newest
    /// first; a page shows them oldest to newest).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room))]
    pub async fn room_messages(
        &self,
        actor: &Actor,
        room: RoomId,
        list: &ListQuery,
    ) -> AppResult<Page<MessageView>> {
        let (start, limit) = list.window()?;
        let mut tx = self.store.read().await?;
        let access = self.room_access(&mut tx, actor, room).await?;
        self.room_messages_in(&mut tx, actor, &access, (start, limit))
            .await
    }

    /// [`App::room_messages`] in the caller's transaction, for a room whose
    /// access is already read: 403 for a manager who is not a member.
    pub(crate) async fn room_messages_in(
        &self,
        tx: &mut rapport_store::Tx,
        actor: &Actor,
        access: &RoomAccess,
        (start, limit): (crate::lists::Start, i64),
    ) -> AppResult<Page<MessageView>> {
        members_only(access)?;
        let page = tx.messages_page(access.room.id, start, limit).await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|m| MessageView::new(m, actor))
                .collect(),
            next: page.next,
            prev: page.prev,
        })
    }

    /// A current member posts a message; the others' digest emails are
    /// scheduled (see the module docs).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room))]
    pub async fn post_message(
        &self,
        actor: &Actor,
        room: RoomId,
        body: &str,
    ) -> AppResult<MessageView> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let access = self.room_access(&mut tx, actor, room).await?;
        access.member_writes()?;
        let body = parse_body(body)?;
        let record = MessageRecord {
            id: MessageId::new(),
            room_id: room,
            author_id: Some(actor.person_id),
            author_name: None,
            body,
            edited_at: None,
            deleted_at: None,
            created_at: now,
        };
        tx.insert_message(&record).await?;
        tx.note_room_activity(room, ActivityKind::Message, now)
            .await?;
        // Writing in a thread reads it up to there.
        tx.mark_read(room, actor.person_id, now).await?;
        let run_at = now + DIGEST_DELAY_MS;
        for m in access
            .room
            .members
            .iter()
            .filter(|m| m.state.holds_seat() && m.person_id != actor.person_id)
        {
            if tx.schedule_digest(room, m.person_id, run_at).await? {
                tx.queue_job(DIGEST_JOB, &format!("{room}:{}", m.person_id), run_at)
                    .await?;
            }
        }
        let stored = tx
            .message(record.id)
            .await?
            .ok_or_else(|| AppError::internal_msg("a message just posted is missing"))?;
        tx.commit().await?;
        Ok(MessageView::new(stored, actor))
    }

    /// A message the actor may read and wrote, in a room that can be
    /// written: 404 if unreadable, 403 if someone else's, 409 if deleted or
    /// the room has ended.
    async fn own_message(
        &self,
        tx: &mut rapport_store::Tx,
        actor: &Actor,
        id: MessageId,
    ) -> AppResult<MessageRecord> {
        let message = tx.message(id).await?.ok_or_else(not_found)?;
        let access = self
            .room_access(tx, actor, message.room_id)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => not_found(),
                other => other,
            })?;
        if access.me.is_none() {
            return Err(not_found());
        }
        if message.author_id != Some(actor.person_id) {
            return Err(AppError::Forbidden(
                "only the message's author can change or delete it".into(),
            ));
        }
        access.writable()?;
        if message.deleted_at.is_some() {
            return Err(AppError::Conflict {
                field: None,
                message: "this message is deleted; write a new one instead".into(),
            });
        }
        Ok(message)
    }

    /// The author edits their message; the thread shows it was edited.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, message = %id))]
    pub async fn edit_message(
        &self,
        actor: &Actor,
        id: MessageId,
        body: &str,
    ) -> AppResult<MessageView> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        self.own_message(&mut tx, actor, id).await?;
        let body = parse_body(body)?;
        if !tx.edit_message(id, &body, now).await? {
            return Err(not_found());
        }
        let stored = tx.message(id).await?.ok_or_else(not_found)?;
        tx.commit().await?;
        Ok(MessageView::new(stored, actor))
    }

    /// The author deletes their message: it keeps its place in the thread
    /// as "message deleted", and its text is gone from everywhere.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, message = %id))]
    /// Returns the message's room.
    pub async fn delete_message(&self, actor: &Actor, id: MessageId) -> AppResult<RoomId> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let message = self.own_message(&mut tx, actor, id).await?;
        if !tx.delete_message(id, now).await? {
            return Err(not_found());
        }
        tx.commit().await?;
        Ok(message.room_id)
    }

    /// Marks the room's thread read for the actor: up to now, or up to the
    /// message `up_to` (which must be in this room: 422 naming `up_to`).
    /// The read position never moves back.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room))]
    pub async fn mark_messages_read(
        &self,
        actor: &Actor,
        room: RoomId,
        up_to: Option<MessageId>,
    ) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let access = self.room_access(&mut tx, actor, room).await?;
        members_only(&access)?;
        let at = match up_to {
            None => now,
            Some(id) => match tx.message(id).await? {
                Some(m) if m.room_id == room => m.created_at,
                _ => {
                    return Err(AppError::invalid(
                        "up_to",
                        "that message is not in this room's thread; give the id of one of its messages, or leave up_to out to mark everything read",
                    ))
                }
            },
        };
        tx.mark_read(room, actor.person_id, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The actor's unread messages per room (rooms with none left out).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn unread_counts(&self, actor: &Actor) -> AppResult<HashMap<RoomId, i64>> {
        let mut tx = self.store.read().await?;
        Ok(tx
            .unread_counts(actor.person_id)
            .await?
            .into_iter()
            .collect())
    }

    /// The one number the navigation's bell shows: the signed-in person's
    /// unread messages in every room plus their unread notifications.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn attention_count(&self, actor: &Actor) -> AppResult<i64> {
        let messages: i64 = self.unread_counts(actor).await?.values().sum();
        Ok(messages + self.unread_notification_count(actor).await?)
    }

    /// Runs one `room_digest` job (payload `room:person`): emails the
    /// recipient about the room's messages still unread, if any.
    pub(crate) async fn run_room_digest(&self, payload: &str) -> AppResult<()> {
        let bad =
            |e: String| AppError::internal_msg(format!("bad room_digest payload {payload:?}: {e}"));
        let (room, person) = payload
            .split_once(':')
            .ok_or_else(|| bad("no ':'".into()))?;
        let room: RoomId = room.parse().map_err(|e: uuid::Error| bad(e.to_string()))?;
        let person: PersonId = person
            .parse()
            .map_err(|e: uuid::Error| bad(e.to_string()))?;
        let mut tx = self.store.write().await?;
        // Gone with the account or the room: nothing to send.
        if !tx.take_digest(room, person).await? {
            tx.commit().await?;
            return Ok(());
        }
        let unread = tx.unread_messages(room, person).await?;
        let (Some(record), Some(room_record)) = (tx.person(person).await?, tx.room(room).await?)
        else {
            tx.commit().await?;
            return Ok(());
        };
        if unread.is_empty() {
            tx.commit().await?;
            return Ok(());
        }
        let programme = tx
            .programme(room_record.programme_id)
            .await?
            .map(|p| p.name)
            .unwrap_or_default();
        let lines = unread
            .iter()
            .rev()
            .take(PREVIEWS)
            .rev()
            .map(|m| DigestLine {
                author: m
                    .author_name
                    .clone()
                    .unwrap_or_else(|| FORMER_MEMBER.into()),
                preview: preview(&m.body),
            })
            .collect();
        let mail = RoomDigest {
            name: record.profile.name.clone(),
            programme,
            room: room.to_string(),
            unread: unread.len(),
            lines,
        };
        self.queue_mail(&mut tx, Some(person), record.email.as_str(), &mail)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_are_plain_and_short() {
        assert_eq!(preview("**Hi** there\n\nnext"), "Hi there next");
        let long = "word ".repeat(100);
        let p = preview(&long);
        assert!(
            p.chars().count() <= PREVIEW_CHARS && p.ends_with('…'),
            "{p}"
        );
    }

    #[test]
    fn empty_and_scripted_bodies_are_refused_naming_body() {
        for bad in ["", "   ", "<script>alert(1)</script>"] {
            assert!(
                matches!(parse_body(bad), Err(AppError::Invalid(e)) if e[0].field == "body"),
                "{bad:?}"
            );
        }
    }
}
