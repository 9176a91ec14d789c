//! Roadmaps: curated, versioned paths of steps (issue 19).
//!
//! # Who does what
//! - **Authors** are mentors and managers (in any programme) and admins.
//!   They write drafts; a draft is seen by its author alone, by any route.
//! - **Publishing** follows the admin setting `roadmap_publishers`:
//!   mentors (and managers and admins), managers (and admins), or admins only.
//!   Publishing the draft makes version N+1; a published version never
//!   changes (the store refuses it too).
//! - **Followers** are any signed-in member. Their marks are stored by step
//!   id and carry over between versions; they stay on their version until
//!   they move, and are told (in-app, and by email under their reminders
//!   preference) what a new version added, removed and changed. See
//!   [`following`].
//! - **Rooms and programmes** recommend published roadmaps. See [`attached`].
//!
//! This module holds authoring and discovery.

pub mod attached;
pub mod following;
mod input;
// Issue 19: publishing asks first.
pub mod publishing;

pub use input::{ResourceInput, RoadmapInput, StepInput};

use crate::lists::{ListQuery, Page};
use crate::{markdown, App, AppError, AppResult};
use rapport_domain::person::LeadershipLevel;
use rapport_domain::policy::Actor;
use rapport_domain::roadmaps::{self, Progress, Publishers, Step, StepChanges};
use rapport_domain::{PersonId, RoadmapId, RoadmapStepId, SkillId};
use rapport_store::{
    FollowRecord, MarkRecord, RoadmapFilter, RoadmapRecord, RoadmapVersionRecord, SkillRecord, Tx,
};
use serde::Serialize;

/// The site setting naming who may publish roadmaps.
const PUBLISHERS_KEY: &str = "roadmap_publishers";

pub(crate) fn not_found() -> AppError {
    AppError::NotFound("that roadmap was not found".into())
}

/// A roadmap as listed.
#[derive(Clone, Debug, Serialize)]
pub struct RoadmapSummary {
    /// The stored listing (title, level, counts).
    #[serde(skip)]
    pub record: RoadmapRecord,
    /// The author's name, or "a former member".
    pub author: String,
}

impl RoadmapSummary {
    pub(crate) fn new(record: RoadmapRecord) -> Self {
        Self {
            author: record
                .author_name
                .clone()
                .unwrap_or_else(|| crate::notes::FORMER_MEMBER.into()),
            record,
        }
    }
}

/// A step as one reader sees it.
#[derive(Clone, Debug, Serialize)]
pub struct StepView {
    /// The step.
    pub step: Step,
    /// Its body, rendered.
    pub html: String,
    /// The names of the skills it builds.
    pub skill_names: Vec<String>,
    /// The reader's own mark on it, if they follow the roadmap.
    #[serde(skip)]
    pub mark: Option<MarkRecord>,
    /// The reader's reflection, rendered.
    pub reflection_html: Option<String>,
}

/// One version of a roadmap, as a reader sees it.
#[derive(Clone, Debug)]
pub struct RoadmapView {
    /// The listing (title, level, counts, newest published version).
    pub summary: RoadmapSummary,
    /// The version shown: the follower's own, else the newest published,
    /// else (for its author) the draft.
    pub version: RoadmapVersionRecord,
    /// The summary, rendered.
    pub summary_html: String,
    /// The steps of the version shown.
    pub steps: Vec<StepView>,
    /// The reader wrote it.
    pub mine: bool,
    /// The reader may publish under the site's setting.
    pub can_publish: bool,
    /// The number of the author's draft, if one waits (authors only).
    pub draft: Option<i32>,
    /// The reader's follow, if they follow it.
    pub follow: Option<FollowRecord>,
    /// The reader's progress on the version shown, if they follow it.
    pub progress: Option<Progress>,
    /// What the newest version changed from the follower's, when they are
    /// behind: step titles added, removed and changed.
    pub behind: Option<ChangeTitles>,
    /// Total expected effort of the version shown, in hours.
    pub effort_hours: u32,
}

/// Step changes, named by title for people to read.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ChangeTitles {
    /// Step ids and the changes.
    pub ids: StepChanges,
    /// Titles of steps added.
    pub added: Vec<String>,
    /// Titles of steps removed.
    pub removed: Vec<String>,
    /// Titles of steps changed.
    pub changed: Vec<String>,
}

impl ChangeTitles {
    pub(crate) fn between(old: &[Step], new: &[Step]) -> Self {
        let ids = roadmaps::changes(old, new);
        let title = |steps: &[Step], id: &RoadmapStepId| {
            steps
                .iter()
                .find(|s| s.id == *id)
                .map(|s| s.title.clone())
                .unwrap_or_default()
        };
        Self {
            added: ids.added.iter().map(|i| title(new, i)).collect(),
            removed: ids.removed.iter().map(|i| title(old, i)).collect(),
            changed: ids.changed.iter().map(|i| title(new, i)).collect(),
            ids,
        }
    }

    /// One line: "2 steps added, 1 removed, 1 changed".
    pub fn sentence(&self) -> String {
        format!(
            "{} added, {} removed, {} changed",
            plural(self.added.len(), "step"),
            self.removed.len(),
            self.changed.len()
        )
    }
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// One version in a roadmap's history.
#[derive(Clone, Debug, Serialize)]
pub struct VersionSummary {
    /// 1, 2, …
    pub number: i32,
    /// Its title.
    pub title: String,
    /// Steps in it.
    pub steps: usize,
    /// When it was published; none for the author's draft.
    pub published_at: Option<i64>,
    /// What it changed from the version before (none for the first).
    pub changes: Option<ChangeTitles>,
}

/// Discovery filters as they arrive from a form or query.
#[derive(Clone, Debug, Default)]
pub struct RoadmapSearch {
    /// A skill's id or name; empty for any.
    pub skill: String,
    /// A level code; empty for any.
    pub level: String,
    /// Words to find in titles and summaries.
    pub q: String,
}

/// The reader's rights over one roadmap, and its versions.
pub(crate) struct Readable {
    pub record: RoadmapRecord,
    pub versions: Vec<RoadmapVersionRecord>,
    pub mine: bool,
}

impl Readable {
    /// The newest published version, if any.
    pub fn latest(&self) -> Option<&RoadmapVersionRecord> {
        self.versions
            .iter()
            .find(|v| v.number == self.record.latest_version)
    }

    /// A published version by number.
    pub fn published(&self, number: i32) -> Option<&RoadmapVersionRecord> {
        self.versions
            .iter()
            .find(|v| v.number == number && v.published_at.is_some())
    }

    /// The draft, if one waits.
    pub fn draft(&self) -> Option<&RoadmapVersionRecord> {
        self.versions.iter().find(|v| v.published_at.is_none())
    }
}

pub(crate) fn step_views(
    steps: &[Step],
    catalogue: &[SkillRecord],
    marks: &[MarkRecord],
) -> Vec<StepView> {
    steps
        .iter()
        .map(|s| {
            let mark = marks.iter().find(|m| m.step_id == s.id).cloned();
            StepView {
                html: markdown::render(&s.body),
                skill_names: s
                    .skills
                    .iter()
                    .filter_map(|id| catalogue.iter().find(|c| c.id == *id))
                    .map(|c| c.name.clone())
                    .collect(),
                reflection_html: mark
                    .as_ref()
                    .and_then(|m| m.reflection.as_deref())
                    .map(markdown::render),
                mark,
                step: s.clone(),
            }
        })
        .collect()
}

pub(crate) fn marks_of(marks: &[MarkRecord]) -> Vec<(RoadmapStepId, roadmaps::StepStatus)> {
    marks.iter().map(|m| (m.step_id, m.status)).collect()
}

impl App {
    /// Reads a roadmap the actor may see: a published one for anyone signed
    /// in, a draft-only one for its author alone (404 for anyone else).
    pub(crate) async fn readable_roadmap(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: RoadmapId,
    ) -> AppResult<Readable> {
        let record = tx.roadmap(id).await?.ok_or_else(not_found)?;
        let mine = record.author_id == Some(actor.person_id);
        if record.latest_version == 0 && !mine {
            return Err(not_found());
        }
        let mut versions = tx.roadmap_versions(id).await?;
        if !mine {
            versions.retain(|v| v.published_at.is_some());
        }
        Ok(Readable {
            record,
            versions,
            mine,
        })
    }

    /// Where a roadmap step is read: its roadmap, when the actor may read a
    /// version that holds it (a published version for anyone signed in, a
    /// draft for its author alone); 404 otherwise, without saying whether it
    /// exists. Posts link steps by id, as a step keeps its id across
    /// versions.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, step = %step))]
    pub async fn roadmap_of_step(
        &self,
        actor: &Actor,
        step: RoadmapStepId,
    ) -> AppResult<RoadmapId> {
        let mut tx = self.store.read().await?;
        let mut roadmaps: Vec<RoadmapId> = tx
            .versions_holding_step(step)
            .await?
            .iter()
            .map(|v| v.roadmap_id)
            .collect();
        roadmaps.dedup();
        for id in roadmaps {
            let readable = match self.readable_roadmap(&mut tx, actor, id).await {
                Ok(r) => r,
                Err(AppError::NotFound(_)) => continue,
                Err(e) => return Err(e),
            };
            let holds = |v: &RoadmapVersionRecord| v.content.steps.iter().any(|s| s.id == step);
            if readable.versions.iter().any(holds) {
                return Ok(id);
            }
        }
        Err(AppError::NotFound("that roadmap step was not found".into()))
    }

    /// Who may publish roadmaps (the admin setting; mentors by default).
    pub async fn roadmap_publishers(&self) -> AppResult<Publishers> {
        let mut tx = self.store.read().await?;
        publishers(&mut tx).await
    }

    /// An admin sets who may publish roadmaps; audited.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn set_roadmap_publishers(&self, actor: &Actor, code: &str) -> AppResult<Publishers> {
        AppError::check(rapport_domain::policy::administer(actor), "site settings")?;
        let new = Publishers::parse(code).map_err(|e| AppError::Invalid(vec![e]))?;
        let mut tx = self.store.write().await?;
        let before = publishers(&mut tx).await?;
        tx.put_setting(PUBLISHERS_KEY, new.code()).await?;
        self.audit_by(
            &mut tx,
            actor,
            "settings.roadmap_publishers",
            "site".into(),
            Some(serde_json::json!({ "publishers": before.code() })),
            Some(serde_json::json!({ "publishers": new.code() })),
        )
        .await?;
        tx.commit().await?;
        Ok(new)
    }

    /// One page of published roadmaps matching the search, newest first.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn roadmaps(
        &self,
        actor: &Actor,
        search: &RoadmapSearch,
        list: &ListQuery,
    ) -> AppResult<Page<RoadmapSummary>> {
        let _ = actor;
        let (start, limit) = list.window()?;
        let mut tx = self.store.read().await?;
        let skill = match search.skill.trim() {
            "" => None,
            s => Some(find_skill(&tx.skills().await?, s).ok_or_else(|| {
                AppError::invalid("skill", "choose a skill from the catalogue, or none")
            })?),
        };
        let level = match search.level.trim() {
            "" => None,
            l => Some(LeadershipLevel::parse("level", l)?),
        };
        let filter = RoadmapFilter {
            skill,
            level,
            text: search.q.trim().chars().take(200).collect(),
        };
        let page = tx.roadmaps_page(&filter, start, limit).await?;
        Ok(Page {
            items: page.items.into_iter().map(RoadmapSummary::new).collect(),
            next: page.next,
            prev: page.prev,
        })
    }

    /// The roadmaps the actor wrote (drafts too), newest first.
    pub async fn my_authored_roadmaps(&self, actor: &Actor) -> AppResult<Vec<RoadmapSummary>> {
        let mut tx = self.store.read().await?;
        Ok(tx
            .roadmaps_by(actor.person_id)
            .await?
            .into_iter()
            .map(RoadmapSummary::new)
            .collect())
    }

    /// The skill catalogue, for the editor and the search form.
    pub async fn roadmap_skills(&self) -> AppResult<Vec<SkillRecord>> {
        let mut tx = self.store.read().await?;
        Ok(tx.skills().await?)
    }

    /// One roadmap as the actor sees it. `version`: a published version to
    /// show (or, for its author, the draft's number); none shows the
    /// follower's own version, else the newest published, else the draft.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, roadmap = %id))]
    pub async fn roadmap(
        &self,
        actor: &Actor,
        id: RoadmapId,
        version: Option<i32>,
    ) -> AppResult<RoadmapView> {
        let mut tx = self.store.read().await?;
        let r = self.readable_roadmap(&mut tx, actor, id).await?;
        let follow = tx.roadmap_follow(id, actor.person_id).await?;
        let shown =
            match version {
                Some(n) => r.versions.iter().find(|v| v.number == n).ok_or_else(|| {
                    AppError::NotFound(format!("this roadmap has no version {n}"))
                })?,
                None => follow
                    .as_ref()
                    .and_then(|f| r.published(f.version))
                    .or_else(|| r.latest())
                    .or_else(|| r.draft())
                    .ok_or_else(not_found)?,
            }
            .clone();
        let marks = match &follow {
            Some(_) => tx.roadmap_marks(id, actor.person_id).await?,
            None => vec![],
        };
        let catalogue = tx.skills().await?;
        let marked = marks_of(&marks);
        let behind = match (&follow, r.latest()) {
            (Some(f), Some(latest)) if f.version < latest.number => r
                .published(f.version)
                .map(|old| ChangeTitles::between(&old.content.steps, &latest.content.steps)),
            _ => None,
        };
        let can_publish = r.mine && roadmaps::may_publish(actor, publishers(&mut tx).await?);
        Ok(RoadmapView {
            summary_html: markdown::render(&shown.content.summary),
            steps: step_views(&shown.content.steps, &catalogue, &marks),
            progress: follow
                .as_ref()
                .map(|_| Progress::of(&shown.content.steps, &marked)),
            effort_hours: shown.content.effort_hours(),
            draft: r.mine.then(|| r.draft().map(|d| d.number)).flatten(),
            mine: r.mine,
            can_publish,
            follow,
            behind,
            version: shown,
            summary: RoadmapSummary::new(r.record),
        })
    }

    /// The roadmap's versions, newest first: the published ones, and for its
    /// author the draft too.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, roadmap = %id))]
    pub async fn roadmap_versions(
        &self,
        actor: &Actor,
        id: RoadmapId,
    ) -> AppResult<Vec<VersionSummary>> {
        let mut tx = self.store.read().await?;
        let r = self.readable_roadmap(&mut tx, actor, id).await?;
        let vs = &r.versions;
        Ok(vs
            .iter()
            .enumerate()
            .map(|(i, v)| VersionSummary {
                number: v.number,
                title: v.content.title.clone(),
                steps: v.content.steps.len(),
                published_at: v.published_at,
                changes: vs
                    .get(i + 1)
                    .map(|older| ChangeTitles::between(&older.content.steps, &v.content.steps)),
            })
            .collect())
    }

    /// Issue 19 (H2): one page of the roadmap's versions, newest first, by
    /// cursor (the API's list): the published ones, and for its author the
    /// draft too; each with what it changed from the version before, even
    /// when that one is on the next page. 404 as [`App::roadmap`].
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, roadmap = %id))]
    pub async fn roadmap_versions_page(
        &self,
        actor: &Actor,
        id: RoadmapId,
        list: &ListQuery,
    ) -> AppResult<Page<VersionSummary>> {
        let (start, limit) = list.window()?;
        let mut tx = self.store.read().await?;
        let record = tx.roadmap(id).await?.ok_or_else(not_found)?;
        let mine = record.author_id == Some(actor.person_id);
        if record.latest_version == 0 && !mine {
            return Err(not_found());
        }
        let page = tx.roadmap_versions_page(id, mine, start, limit).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for (i, v) in page.items.iter().enumerate() {
            // Numbers run 1, 2, … without gaps: the one before is number - 1.
            let older = match page.items.get(i + 1) {
                Some(o) if o.number == v.number - 1 => Some(o.clone()),
                _ if v.number > 1 => tx.roadmap_version(id, v.number - 1).await?,
                _ => None,
            };
            items.push(VersionSummary {
                number: v.number,
                title: v.content.title.clone(),
                steps: v.content.steps.len(),
                published_at: v.published_at,
                changes: older.map(|o| ChangeTitles::between(&o.content.steps, &v.content.steps)),
            });
        }
        Ok(Page {
            items,
            next: page.next,
            prev: page.prev,
        })
    }

    /// A mentor, manager or admin starts a roadmap: its first draft.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn create_roadmap(
        &self,
        actor: &Actor,
        input: &RoadmapInput,
    ) -> AppResult<RoadmapId> {
        if !roadmaps::may_write(actor) {
            return Err(AppError::Forbidden(
                "mentors and managers write roadmaps; enrol as a mentor to write one".into(),
            ));
        }
        if input.version.is_some_and(|v| v != 1) {
            return Err(AppError::invalid(
                "version",
                "a new roadmap starts at version 1; leave version out",
            ));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let catalogue = tx.skills().await?;
        let content = input::parse(input, &catalogue, &[])?;
        let id = RoadmapId::new();
        tx.insert_roadmap(id, actor.person_id, &content, now)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The author edits the draft (making one from scratch when the newest
    /// version is published). Naming a published version in `version` is
    /// refused: a published version never changes.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, roadmap = %id))]
    pub async fn edit_roadmap(
        &self,
        actor: &Actor,
        id: RoadmapId,
        input: &RoadmapInput,
    ) -> AppResult<i32> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let r = self.own_roadmap(&mut tx, actor, id).await?;
        let draft = r.record.latest_version + 1;
        if let Some(v) = input.version {
            if r.published(v).is_some() {
                return Err(AppError::Conflict {
                    field: Some("version"),
                    message: format!(
                        "version {v} is published and never changes; edit the draft (version {draft}) and publish it"
                    ),
                });
            }
            if v != draft {
                return Err(AppError::invalid(
                    "version",
                    format!("the draft of this roadmap is version {draft}"),
                ));
            }
        }
        let known: Vec<RoadmapStepId> = r
            .versions
            .iter()
            .flat_map(|v| v.content.steps.iter().map(|s| s.id))
            .collect();
        let catalogue = tx.skills().await?;
        let content = input::parse(input, &catalogue, &known)?;
        tx.put_roadmap_draft(id, draft, &content, now).await?;
        tx.set_roadmap_draft_title(id, &content.title, content.level)
            .await?;
        tx.commit().await?;
        Ok(draft)
    }

    /// The author publishes the draft as version N+1, where the site's
    /// setting lets them; every follower is told what changed.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, roadmap = %id))]
    pub async fn publish_roadmap(&self, actor: &Actor, id: RoadmapId) -> AppResult<i32> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let r = self.own_roadmap(&mut tx, actor, id).await?;
        let draft = publishing::publishable(&mut tx, actor, &r).await?.clone();
        if !tx
            .publish_roadmap_version(id, draft.number, &draft.content, now)
            .await?
        {
            return Err(AppError::internal_msg("the draft to publish vanished"));
        }
        for f in tx.roadmap_followers(id).await? {
            let Some(theirs) = r.published(f.version) else {
                continue;
            };
            let Some(person) = tx.person(f.person_id).await? else {
                continue;
            };
            let ch = ChangeTitles::between(&theirs.content.steps, &draft.content.steps);
            // In-app always; by email unless they switched that kind off
            // (queue_mail decides both).
            let mail = crate::emails::RoadmapVersionPublished {
                name: person.profile.name.clone(),
                roadmap: draft.content.title.clone(),
                roadmap_id: id.to_string(),
                version: draft.number,
                theirs: f.version,
                added: ch.added,
                removed: ch.removed,
                changed: ch.changed,
            };
            self.queue_mail(&mut tx, Some(person.id), person.email.as_str(), &mail)
                .await?;
        }
        tx.commit().await?;
        Ok(draft.number)
    }

    /// A roadmap the actor wrote: 404 when unreadable, 403 when someone else's.
    async fn own_roadmap(&self, tx: &mut Tx, actor: &Actor, id: RoadmapId) -> AppResult<Readable> {
        let r = self.readable_roadmap(tx, actor, id).await?;
        if !r.mine {
            return Err(AppError::Forbidden(
                "only the roadmap's author can change or publish it".into(),
            ));
        }
        Ok(r)
    }
}

async fn publishers(tx: &mut Tx) -> AppResult<Publishers> {
    match tx.setting(PUBLISHERS_KEY).await? {
        None => Ok(Publishers::Mentors),
        Some(code) => Publishers::parse(&code).map_err(|e| {
            AppError::internal(
                format!("the site setting {PUBLISHERS_KEY} holds {code:?}"),
                e,
            )
        }),
    }
}

/// A catalogue skill by id or by name (case-insensitive).
pub(crate) fn find_skill(catalogue: &[SkillRecord], key: &str) -> Option<SkillId> {
    let key = key.trim();
    catalogue
        .iter()
        .find(|s| s.id.to_string() == key || s.name.eq_ignore_ascii_case(key))
        .map(|s| s.id)
}

/// The roadmap part of a person's data export: every mark they made, with
/// their reflections (their own words, private ones too).
pub(crate) async fn export_of(tx: &mut Tx, person: PersonId) -> AppResult<Vec<serde_json::Value>> {
    Ok(tx
        .roadmap_marks_by(person)
        .await?
        .into_iter()
        .map(|m| {
            serde_json::json!({
                "roadmap_id": m.roadmap_id, "step_id": m.step_id, "status": m.status.code(),
                "reflection": m.reflection, "shared_room_id": m.shared_room_id,
                "created_at": m.created_at, "updated_at": m.updated_at,
            })
        })
        .collect())
}

/// Issue 19 (H2): the rest of a person's roadmap progress for their export:
/// the roadmaps they follow, the version they are on and when they finished
/// it, with the roadmap's title. Their marks are in [`export_of`].
pub(crate) async fn export_follows_of(
    tx: &mut Tx,
    person: PersonId,
) -> AppResult<Vec<serde_json::Value>> {
    let mut out = vec![];
    for f in tx.roadmap_follows_by(person).await? {
        let title = tx.roadmap(f.roadmap_id).await?.map(|r| r.title);
        out.push(serde_json::json!({
            "roadmap_id": f.roadmap_id, "roadmap": title, "version": f.version,
            "followed_at": f.created_at, "finished_at": f.finished_at,
        }));
    }
    Ok(out)
}
