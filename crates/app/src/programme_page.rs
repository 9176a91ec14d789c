//! The programme's overview page in one read (issue 20): the viewer, the
//! programme, the viewer's own enrolments, its roadmaps and, for those who
//! manage it, the coverage dashboard, the managers and whether it may be
//! reopened. The page was seven reads, each its own transaction and pool
//! checkout; on PostgreSQL each of those is three more round trips.

use crate::coverage::Coverage;
use crate::programmes::{managers_in, ProgrammeView};
use crate::reopening::Reopening;
use crate::roadmaps::RoadmapSummary;
use crate::viewer::{PageReader, PageViewer};
use crate::{App, AppResult};
use rapport_domain::{PersonId, RoadmapId};
use rapport_store::EnrolmentRecord;

/// How many published roadmaps a manager may choose from to recommend.
const ROADMAP_CHOICES: i64 = 100;

/// The overview page of one programme, as the viewer may see it.
#[derive(Clone, Debug)]
pub struct ProgrammePage {
    /// The viewer, when the page was read for a session cookie.
    pub viewer: Option<PageViewer>,
    /// The programme.
    pub programme: ProgrammeView,
    /// The viewer's own enrolments in it.
    pub mine: Vec<EnrolmentRecord>,
    /// The roadmaps it recommends.
    pub recommended: Vec<RoadmapSummary>,
    /// For its managers: published roadmaps (the newest hundred) it does not
    /// recommend yet, as (id, title).
    pub roadmap_choices: Vec<(RoadmapId, String)>,
    /// For its managers: the coverage dashboard ([`App::coverage`]).
    pub coverage: Option<Coverage>,
    /// For its managers: who manages it, as (id, name, email).
    pub managers: Vec<(PersonId, String, String)>,
    /// For an admin, when it closed recently enough to be reopened.
    pub reopening: Option<Reopening>,
}

impl App {
    /// The programme's overview page, read in one transaction (the coverage
    /// dashboard last: when it must be computed, its read may wait for
    /// another request computing it). Whoever may see the programme may
    /// read the page; the managers' parts are filled for its managers only.
    #[tracing::instrument(skip_all, fields(programme = %slug))]
    pub async fn programme_page(
        &self,
        reader: PageReader<'_>,
        slug: &str,
    ) -> AppResult<ProgrammePage> {
        let (mut tx, actor, viewer) = self.page_read(reader).await?;
        let record = self.programme_for(&mut tx, &actor, slug).await?;
        let mine = tx
            .enrolments_of(actor.person_id)
            .await?
            .into_iter()
            .filter(|e| e.programme_id == record.id)
            .collect();
        let programme = self.view_of(&actor, record.clone());
        // Managers choose more roadmaps to recommend from the newest
        // published: read with the recommended ones, in one statement.
        let (recommended, choices) = tx
            .programme_roadmaps(record.id, programme.can_manage.then_some(ROADMAP_CHOICES))
            .await?;
        let recommended: Vec<RoadmapSummary> =
            recommended.into_iter().map(RoadmapSummary::new).collect();
        let roadmap_choices = choices
            .into_iter()
            .filter(|r| !recommended.iter().any(|i| i.record.id == r.id))
            .map(|r| (r.id, r.title))
            .collect();
        let mut page = ProgrammePage {
            viewer,
            programme,
            mine,
            recommended,
            roadmap_choices,
            coverage: None,
            managers: vec![],
            reopening: None,
        };
        if !page.programme.can_manage {
            return Ok(page);
        }
        page.managers = managers_in(&mut tx, record.id).await?;
        if actor.is_admin {
            page.reopening = self.reopening_in(&mut tx, &record).await?;
        }
        page.coverage = Some(self.coverage_in(tx, &record).await?);
        Ok(page)
    }
}
