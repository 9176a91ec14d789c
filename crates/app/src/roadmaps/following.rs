//! Following a roadmap: marks on steps, private reflections (each shareable
//! with one of the follower's rooms), and moving to a newer version.
//!
//! # Contract
//! - Marks are stored by step id, never by position, so they carry over to
//!   every version that keeps the step. Moving to the newest version only
//!   changes which steps count; a mark on a step that still exists is kept
//!   as it was.
//! - A reflection is read by its writer alone, unless they share it with
//!   one room they are a current member of; then that room's mentors read it,
//!   and only while the roadmap is attached to that room (see
//!   [`super::attached`]).

use super::{marks_of, not_found, ChangeTitles, Readable, RoadmapSummary};
use crate::lists::{ListQuery, Page};
use crate::{markdown, App, AppError, AppResult};
use rapport_domain::policy::Actor;
use rapport_domain::roadmaps::{Progress, StepStatus};
use rapport_domain::{PersonId, RoadmapId, RoadmapStepId, RoomId};
use rapport_store::{FollowRecord, MarkRecord, Tx};

/// A follower's mark as sent.
#[derive(Clone, Debug, Default)]
pub struct ProgressInput {
    /// `done`, `learning` or `skipped`.
    pub status: String,
    /// Markdown reflection; empty for none.
    pub reflection: String,
    /// A room of the follower's to share the reflection with; none keeps it
    /// private.
    pub share_with_room: Option<RoomId>,
}

/// A roadmap the actor follows, with their progress.
#[derive(Clone, Debug)]
pub struct FollowedRoadmap {
    /// The roadmap's listing.
    pub summary: RoadmapSummary,
    /// Their follow (their version).
    pub follow: FollowRecord,
    /// Progress on their version.
    pub progress: Progress,
    /// The title of their current step, if any is left.
    pub current_step: Option<String>,
}

/// Recomputes `person`'s finished time on `version` of `r` from their marks.
async fn refresh_finished(
    tx: &mut Tx,
    r: &Readable,
    person: PersonId,
    version: i32,
    was: Option<i64>,
    now: i64,
) -> AppResult<Progress> {
    let steps = &r
        .published(version)
        .ok_or_else(|| AppError::internal_msg("a follower's version is not published"))?
        .content
        .steps;
    let marks = tx.roadmap_marks(r.record.id, person).await?;
    let p = Progress::of(steps, &marks_of(&marks));
    let finished = p.finished().then(|| was.unwrap_or(now));
    tx.update_roadmap_follow(r.record.id, person, version, finished)
        .await?;
    Ok(p)
}

impl App {
    /// The actor follows a published roadmap, on its newest version; their
    /// earlier marks, if they followed before, still count.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, roadmap = %id))]
    pub async fn follow_roadmap(&self, actor: &Actor, id: RoadmapId) -> AppResult<FollowRecord> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let r = self.readable_roadmap(&mut tx, actor, id).await?;
        let latest = r.record.latest_version;
        if latest == 0 {
            return Err(AppError::Conflict {
                field: None,
                message: "this roadmap is a draft; publish it before anyone can follow it".into(),
            });
        }
        if tx.roadmap_follow(id, actor.person_id).await?.is_some() {
            return Err(AppError::Conflict {
                field: Some("roadmap_id"),
                message: "you already follow this roadmap".into(),
            });
        }
        let follow = FollowRecord {
            roadmap_id: id,
            person_id: actor.person_id,
            version: latest,
            created_at: now,
            finished_at: None,
        };
        tx.insert_roadmap_follow(&follow).await?;
        refresh_finished(&mut tx, &r, actor.person_id, latest, None, now).await?;
        let follow = tx
            .roadmap_follow(id, actor.person_id)
            .await?
            .ok_or_else(|| AppError::internal_msg("a follow just made is missing"))?;
        tx.commit().await?;
        Ok(follow)
    }

    /// The actor stops following; their marks and reflections stay theirs
    /// (following again finds them). Stopping twice is fine.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, roadmap = %id))]
    pub async fn unfollow_roadmap(&self, actor: &Actor, id: RoadmapId) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        self.readable_roadmap(&mut tx, actor, id).await?;
        tx.delete_roadmap_follow(id, actor.person_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The follower moves to the newest published version; returns what
    /// changed from theirs. Marks on steps that still exist are kept.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, roadmap = %id))]
    pub async fn move_to_latest_roadmap(
        &self,
        actor: &Actor,
        id: RoadmapId,
    ) -> AppResult<ChangeTitles> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (r, follow) = self.followed(&mut tx, actor, id).await?;
        let (Some(old), Some(new)) = (r.published(follow.version), r.latest()) else {
            return Err(AppError::internal_msg(
                "a followed roadmap lost its versions",
            ));
        };
        let changes = ChangeTitles::between(&old.content.steps, &new.content.steps);
        let latest = new.number;
        refresh_finished(
            &mut tx,
            &r,
            actor.person_id,
            latest,
            follow.finished_at,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(changes)
    }

    /// The follower marks a step of their version done, learning or
    /// skipped, with an optional reflection, private unless shared with one
    /// of their rooms.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, roadmap = %id, step = %step))]
    pub async fn mark_roadmap_step(
        &self,
        actor: &Actor,
        id: RoadmapId,
        step: RoadmapStepId,
        input: &ProgressInput,
    ) -> AppResult<Progress> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (r, follow) = self.followed(&mut tx, actor, id).await?;
        let in_version = r
            .published(follow.version)
            .is_some_and(|v| v.content.steps.iter().any(|s| s.id == step));
        if !in_version {
            return Err(AppError::NotFound(
                "that step is not in your version of this roadmap".into(),
            ));
        }
        let mut errors = vec![];
        let status = StepStatus::parse(&input.status)
            .map_err(|e| errors.push(e))
            .ok();
        let reflection = input.reflection.trim().to_string();
        if let Err(AppError::Invalid(mut e)) = markdown::check("reflection", &reflection) {
            errors.append(&mut e);
        }
        let reflection = (!reflection.is_empty()).then_some(reflection);
        if let Some(room) = input.share_with_room {
            if reflection.is_none() {
                errors.push(rapport_domain::Invalid::new(
                    "room_id",
                    "write a reflection to share, or leave the room empty",
                ));
            } else if !self.holds_seat_in(&mut tx, actor.person_id, room).await? {
                errors.push(rapport_domain::Invalid::new(
                    "room_id",
                    "share with one of your own rooms, or keep the reflection private",
                ));
            }
        }
        let Some(status) = status.filter(|_| errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        tx.put_roadmap_mark(&MarkRecord {
            roadmap_id: id,
            person_id: actor.person_id,
            step_id: step,
            status,
            reflection,
            shared_room_id: input.share_with_room,
            created_at: now,
            updated_at: now,
        })
        .await?;
        let p = refresh_finished(
            &mut tx,
            &r,
            actor.person_id,
            follow.version,
            follow.finished_at,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(p)
    }

    /// One page of the roadmaps the actor follows, newest follow first.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn my_roadmaps(
        &self,
        actor: &Actor,
        list: &ListQuery,
    ) -> AppResult<Page<FollowedRoadmap>> {
        let (start, limit) = list.window()?;
        let mut tx = self.store.read().await?;
        let page = tx
            .roadmap_follows_page(actor.person_id, start, limit)
            .await?;
        let mut items = vec![];
        for f in page.items {
            let Some(record) = tx.roadmap(f.roadmap_id).await? else {
                continue;
            };
            let version = tx.roadmap_version(f.roadmap_id, f.version).await?;
            let marks = marks_of(&tx.roadmap_marks(f.roadmap_id, actor.person_id).await?);
            let steps = version.map(|v| v.content.steps).unwrap_or_default();
            items.push(FollowedRoadmap {
                progress: Progress::of(&steps, &marks),
                current_step: rapport_domain::roadmaps::current_step(&steps, &marks)
                    .map(|s| s.title.clone()),
                summary: RoadmapSummary::new(record),
                follow: f,
            });
        }
        Ok(Page {
            items,
            next: page.next,
            prev: page.prev,
        })
    }

    /// The rooms the actor may share a reflection with: those they hold a
    /// seat in now, with their programme's name.
    pub async fn reflection_rooms(&self, actor: &Actor) -> AppResult<Vec<(RoomId, String)>> {
        let mut tx = self.store.read().await?;
        let mut out = vec![];
        for room in tx.rooms_of(actor.person_id).await? {
            let seat = room
                .members
                .iter()
                .any(|m| m.person_id == actor.person_id && m.state.holds_seat());
            if seat && room.status.is_open() {
                let name = tx
                    .programme(room.programme_id)
                    .await?
                    .map(|p| p.name)
                    .unwrap_or_default();
                let others: Vec<_> = room
                    .members
                    .iter()
                    .filter(|m| m.person_id != actor.person_id)
                    .map(|m| m.name.clone())
                    .collect();
                out.push((room.id, format!("{name}: with {}", others.join(", "))));
            }
        }
        Ok(out)
    }

    async fn holds_seat_in(&self, tx: &mut Tx, person: PersonId, room: RoomId) -> AppResult<bool> {
        Ok(tx.room(room).await?.is_some_and(|r| {
            r.status.is_open()
                && r.members
                    .iter()
                    .any(|m| m.person_id == person && m.state.holds_seat())
        }))
    }

    /// A roadmap the actor follows: 404 when unreadable, 409 when not followed.
    async fn followed(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: RoadmapId,
    ) -> AppResult<(Readable, FollowRecord)> {
        let r = self.readable_roadmap(tx, actor, id).await?;
        let follow = tx
            .roadmap_follow(id, actor.person_id)
            .await?
            .ok_or_else(|| AppError::Conflict {
                field: None,
                message: "you do not follow this roadmap; follow it first".into(),
            })?;
        if r.published(follow.version).is_none() {
            return Err(not_found());
        }
        Ok((r, follow))
    }
}
