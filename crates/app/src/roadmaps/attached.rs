//! Roadmaps attached to rooms and programmes.
//!
//! # Contract
//! - A programme's managers (and admins) attach published roadmaps to the
//!   programme; its members see them as recommended.
//! - A room's mentors (and the programme's managers) attach published
//!   roadmaps to the room; they are offered to its mentees to follow.
//! - A room's mentors see, for the roadmaps attached to that room only, each
//!   mentee's progress and the reflections the mentee shared with that room.
//!   A mentee sees their own. Managers who are not members see which
//!   roadmaps are attached, never anyone's progress or reflections.

use super::{marks_of, not_found, RoadmapSummary};
use crate::rooms::RoomAccess;
use crate::sessions::SessionEdit;
use crate::{markdown, App, AppError, AppResult};
use rapport_domain::mentoring::SessionStatus;
use rapport_domain::policy::Actor;
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::roadmaps::{current_step, Progress};
use rapport_domain::{PersonId, RoadmapId, RoomId};
use rapport_store::Tx;

/// A reflection a mentee shared with the room.
#[derive(Clone, Debug)]
pub struct SharedReflection {
    /// The step's title.
    pub step: String,
    /// The reflection, rendered.
    pub html: String,
}

/// One mentee's standing on a room's roadmap, as the viewer may see it.
#[derive(Clone, Debug)]
pub struct MenteeStanding {
    /// Who.
    pub person_id: PersonId,
    /// Their name.
    pub name: String,
    /// Their progress, if they follow it.
    pub progress: Option<Progress>,
    /// Their current step's title.
    pub current_step: Option<String>,
    /// Reflections they shared with this room on this roadmap.
    pub reflections: Vec<SharedReflection>,
}

/// A roadmap attached to a room.
#[derive(Clone, Debug)]
pub struct RoomRoadmap {
    /// The listing.
    pub summary: RoadmapSummary,
    /// The mentees the viewer may see (the mentors: every mentee; a mentee:
    /// themselves; a manager: none).
    pub mentees: Vec<MenteeStanding>,
}

/// A room's roadmap section.
#[derive(Clone, Debug, Default)]
pub struct RoomRoadmaps {
    /// The attached roadmaps.
    pub items: Vec<RoomRoadmap>,
    /// The viewer may attach and detach roadmaps.
    pub can_attach: bool,
    /// The viewer may pull a current step into the next session's agenda.
    pub can_pull: bool,
}

fn leads_or_manages(access: &RoomAccess) -> AppResult<()> {
    if access.leads() || access.manager {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "the room's mentors and the programme's managers attach roadmaps".into(),
        ))
    }
}

impl App {
    async fn published_roadmap(&self, tx: &mut Tx, actor: &Actor, id: RoadmapId) -> AppResult<()> {
        let r = self.readable_roadmap(tx, actor, id).await?;
        if r.record.latest_version == 0 {
            return Err(AppError::Conflict {
                field: Some("roadmap_id"),
                message: "publish the roadmap before recommending it".into(),
            });
        }
        Ok(())
    }

    /// Attaches a published roadmap to a room (its mentors, the programme's
    /// managers); attaching twice is fine.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room, roadmap = %roadmap))]
    pub async fn attach_roadmap_to_room(
        &self,
        actor: &Actor,
        room: RoomId,
        roadmap: RoadmapId,
    ) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let access = self.room_access(&mut tx, actor, room).await?;
        leads_or_manages(&access)?;
        access.writable()?;
        self.published_roadmap(&mut tx, actor, roadmap).await?;
        tx.attach_roadmap_to_room(room, roadmap, actor.person_id, now)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Detaches a roadmap from a room; detaching twice is fine. The mentees'
    /// progress stays theirs, and their mentors no longer see it.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room, roadmap = %roadmap))]
    pub async fn detach_roadmap_from_room(
        &self,
        actor: &Actor,
        room: RoomId,
        roadmap: RoadmapId,
    ) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        let access = self.room_access(&mut tx, actor, room).await?;
        leads_or_manages(&access)?;
        tx.detach_roadmap_from_room(room, roadmap).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A programme's managers recommend a published roadmap to its members.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, roadmap = %roadmap))]
    pub async fn attach_roadmap_to_programme(
        &self,
        actor: &Actor,
        slug: &str,
        roadmap: RoadmapId,
    ) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        self.published_roadmap(&mut tx, actor, roadmap).await?;
        tx.attach_roadmap_to_programme(p.id, roadmap, actor.person_id, now)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stops recommending a roadmap in a programme; twice is fine.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, roadmap = %roadmap))]
    pub async fn detach_roadmap_from_programme(
        &self,
        actor: &Actor,
        slug: &str,
        roadmap: RoadmapId,
    ) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        tx.detach_roadmap_from_programme(p.id, roadmap).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The roadmaps a programme recommends, for whoever may see the programme.
    pub async fn programme_roadmaps(
        &self,
        actor: &Actor,
        slug: &str,
    ) -> AppResult<Vec<RoadmapSummary>> {
        let mut tx = self.store.read().await?;
        let p = self.programme_for(&mut tx, actor, slug).await?;
        Ok(tx
            .roadmaps_of_programme(p.id)
            .await?
            .into_iter()
            .map(RoadmapSummary::new)
            .collect())
    }

    /// A room's roadmap section, as the viewer may see it.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room))]
    pub async fn room_roadmaps(&self, actor: &Actor, room: RoomId) -> AppResult<RoomRoadmaps> {
        let mut tx = self.store.read().await?;
        let access = self.room_access(&mut tx, actor, room).await?;
        self.room_roadmaps_in(&mut tx, actor, &access).await
    }

    /// [`App::room_roadmaps`] inside `tx`, for a viewer whose access is known.
    pub(crate) async fn room_roadmaps_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        access: &RoomAccess,
    ) -> AppResult<RoomRoadmaps> {
        let room = access.room.id;
        let mentees: Vec<(PersonId, String)> = access
            .room
            .members
            .iter()
            .filter(|m| m.role == ProgrammeRole::Mentee && m.state.holds_seat())
            .filter(|m| access.leads() || (access.is_member() && m.person_id == actor.person_id))
            .map(|m| (m.person_id, m.name.clone()))
            .collect();
        let mut items = vec![];
        for record in tx.roadmaps_of_room(room).await? {
            let mut standings = vec![];
            for (person, name) in &mentees {
                standings.push(standing(tx, record.id, room, *person, name).await?);
            }
            items.push(RoomRoadmap {
                summary: RoadmapSummary::new(record),
                mentees: standings,
            });
        }
        Ok(RoomRoadmaps {
            items,
            can_attach: (access.leads() || access.manager) && access.writable().is_ok(),
            can_pull: access.is_member() && access.writable().is_ok(),
        })
    }

    /// Adds the mentees' current step on an attached roadmap to the agenda
    /// of the room's next scheduled session (a current member asks; a mentee
    /// adds their own step only). Returns the session changed.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room, roadmap = %roadmap))]
    pub async fn pull_roadmap_step_into_agenda(
        &self,
        actor: &Actor,
        room: RoomId,
        roadmap: RoadmapId,
    ) -> AppResult<rapport_domain::SessionId> {
        let now = self.now();
        let (session, agenda) = {
            let mut tx = self.store.read().await?;
            let access = self.room_access(&mut tx, actor, room).await?;
            access.member_writes()?;
            let attached = tx.roadmaps_of_room(room).await?;
            let Some(record) = attached.into_iter().find(|r| r.id == roadmap) else {
                return Err(not_found());
            };
            let next = tx
                .sessions_of_room(room)
                .await?
                .into_iter()
                .find(|s| s.status == SessionStatus::Scheduled && s.starts_at >= now)
                .ok_or_else(|| AppError::Conflict {
                    field: None,
                    message: "schedule the room's next session first".into(),
                })?;
            let mut lines = vec![];
            for m in access.room.members.iter().filter(|m| {
                m.role == ProgrammeRole::Mentee
                    && m.state.holds_seat()
                    && (access.leads() || m.person_id == actor.person_id)
            }) {
                let s = standing(&mut tx, roadmap, room, m.person_id, &m.name).await?;
                if let Some(step) = s.current_step {
                    lines.push(format!(
                        "- Roadmap *{}*: {}'s current step, **{step}**",
                        record.title, m.name
                    ));
                }
            }
            if lines.is_empty() {
                return Err(AppError::Conflict {
                    field: None,
                    message: "no mentee of this room has a current step on this roadmap yet".into(),
                });
            }
            let mut agenda = next.agenda.trim_end().to_string();
            if !agenda.is_empty() {
                agenda.push_str("\n\n");
            }
            agenda.push_str(&lines.join("\n"));
            (next.id, agenda)
        };
        self.edit_session(
            actor,
            session,
            &SessionEdit {
                agenda: Some(agenda),
                ..SessionEdit::default()
            },
        )
        .await?;
        Ok(session)
    }
}

/// One mentee's standing on one roadmap attached to `room`: their progress
/// (if they follow it) and the reflections they shared with this room.
async fn standing(
    tx: &mut Tx,
    roadmap: RoadmapId,
    room: RoomId,
    person: PersonId,
    name: &str,
) -> AppResult<MenteeStanding> {
    let mut out = MenteeStanding {
        person_id: person,
        name: name.into(),
        progress: None,
        current_step: None,
        reflections: vec![],
    };
    let Some(follow) = tx.roadmap_follow(roadmap, person).await? else {
        return Ok(out);
    };
    let Some(version) = tx.roadmap_version(roadmap, follow.version).await? else {
        return Ok(out);
    };
    let marks = tx.roadmap_marks(roadmap, person).await?;
    let steps = &version.content.steps;
    let marked = marks_of(&marks);
    out.progress = Some(Progress::of(steps, &marked));
    out.current_step = current_step(steps, &marked).map(|s| s.title.clone());
    for m in marks.iter().filter(|m| m.shared_room_id == Some(room)) {
        if let (Some(text), Some(step)) = (&m.reflection, steps.iter().find(|s| s.id == m.step_id))
        {
            out.reflections.push(SharedReflection {
                step: step.title.clone(),
                html: markdown::render(text),
            });
        }
    }
    Ok(out)
}
