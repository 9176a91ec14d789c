//! Publishing a roadmap's draft: the checks publishing makes, shared by the
//! use case and by the confirmation page that asks first (issue 19), which
//! says what publishing would do: the version it makes, how many followers
//! are told, and what changed since the newest published version.

use super::{publishers, ChangeTitles, Readable};
use crate::{App, AppError, AppResult};
use rapport_domain::policy::Actor;
use rapport_domain::roadmaps;
use rapport_domain::RoadmapId;
use rapport_store::{RoadmapVersionRecord, Tx};

/// What publishing the draft would do.
#[derive(Clone, Debug)]
pub struct PublishPreview {
    /// The draft's title.
    pub title: String,
    /// The version publishing makes.
    pub number: i32,
    /// Steps in the draft.
    pub steps: usize,
    /// Followers who are told (everyone following a published version).
    pub followers: usize,
    /// The newest published version and what changed since; `None` for a
    /// first version.
    pub changes: Option<(i32, ChangeTitles)>,
}

/// The draft `actor` may publish now: 403 when the site setting does not
/// let them, 409 without a draft, 422 for a draft without steps.
pub(super) async fn publishable<'r>(
    tx: &mut Tx,
    actor: &Actor,
    r: &'r Readable,
) -> AppResult<&'r RoadmapVersionRecord> {
    let setting = publishers(tx).await?;
    if !roadmaps::may_publish(actor, setting) {
        return Err(AppError::Forbidden(format!(
            "this site lets {} publish roadmaps; ask an admin",
            setting.label().to_lowercase()
        )));
    }
    let Some(draft) = r.draft() else {
        return Err(AppError::Conflict {
            field: Some("version"),
            message: "there is no draft to publish; edit the roadmap first".into(),
        });
    };
    if draft.content.steps.is_empty() {
        return Err(AppError::invalid(
            "steps",
            "add at least one step before publishing",
        ));
    }
    Ok(draft)
}

impl App {
    /// What publishing the roadmap's draft would do, answered with the same
    /// refusals as [`App::publish_roadmap`] (404 unreadable, 403 someone
    /// else's or not allowed to publish, 409 no draft), so the confirmation
    /// page shows nothing its reader could not do.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, roadmap = %id))]
    pub async fn roadmap_publish_preview(
        &self,
        actor: &Actor,
        id: RoadmapId,
    ) -> AppResult<PublishPreview> {
        let mut tx = self.store.read().await?;
        let r = self.own_roadmap(&mut tx, actor, id).await?;
        let draft = publishable(&mut tx, actor, &r).await?;
        let followers = tx
            .roadmap_followers(id)
            .await?
            .iter()
            .filter(|f| r.published(f.version).is_some())
            .count();
        Ok(PublishPreview {
            title: draft.content.title.clone(),
            number: draft.number,
            steps: draft.content.steps.len(),
            followers,
            changes: r.latest().map(|l| {
                (
                    l.number,
                    ChangeTitles::between(&l.content.steps, &draft.content.steps),
                )
            }),
        })
    }
}
