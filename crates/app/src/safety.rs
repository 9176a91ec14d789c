//! Safety: blocking a person, and confidential reports to a programme's
//! managers.
//!
//! A block works both ways for matching: the two are never proposed to each
//! other, recommended to each other, or able to send each other requests or
//! offers, and open requests between them are closed. Reports are visible to
//! the programme's managers (and admins) only, and are handled from their
//! queue.

use crate::emails::ReportWaiting;
use crate::{App, AppError, AppResult};
use rapport_domain::mentoring::{ReportStatus, RequestStatus};
use rapport_domain::policy::{self, Actor};
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::values::text;
use rapport_domain::{PersonId, ReportId, RequestId};
use rapport_store::ReportRecord;
use serde::Serialize;

/// A report as the managers' queue shows it.
#[derive(Clone, Debug, Serialize)]
pub struct ReportView {
    /// Id.
    pub id: ReportId,
    /// Who reported (none if they deleted their account).
    pub reporter: Option<String>,
    /// Who is reported.
    pub subject: Option<String>,
    /// The subject's id.
    pub subject_id: Option<PersonId>,
    /// The request reported, if any.
    pub request_id: Option<RequestId>,
    /// Why.
    pub reason: String,
    /// Open or resolved.
    pub status: ReportStatus,
    /// What the managers did.
    pub resolution: Option<String>,
    /// When (ms).
    pub created_at: i64,
}

impl App {
    /// `actor` blocks `person`, whose profile they must be able to see (404
    /// otherwise, as for the profile itself). Open requests between them are
    /// closed.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, person = %person))]
    pub async fn block(&self, actor: &Actor, person: PersonId) -> AppResult<()> {
        if person == actor.person_id {
            return Err(AppError::invalid("person_id", "you cannot block yourself"));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let rec = tx
            .person(person)
            .await?
            .ok_or_else(|| AppError::NotFound("that person was not found".into()))?;
        // You can only block someone you can see: otherwise a block would
        // confirm that a private profile exists. Checked here, not at the
        // edge, so the CLI and every future caller keep the rule.
        let programmes = crate::profiles::programmes_of(&mut tx, person).await?;
        AppError::check(
            policy::view_profile(actor, person, rec.profile.visibility, &programmes),
            "that person",
        )?;
        tx.block(actor.person_id, person, now).await?;
        for r in tx.requests_of(actor.person_id).await? {
            let between = (r.mentee_id == person || r.mentor_id == person) && r.status.is_open();
            if between {
                // Closed as withdrawn, not declined: a block is not a verdict
                // on the pair, so lifting it lets them be matched again.
                let to = RequestStatus::Withdrawn;
                tx.close_request(r.id, to, now).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Lifts a block; 404 if there was none.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, person = %person))]
    pub async fn unblock(&self, actor: &Actor, person: PersonId) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        if !tx.unblock(actor.person_id, person).await? {
            return Err(AppError::NotFound(
                "you have not blocked that person".into(),
            ));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Whether the actor blocks `person`.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, person = %person))]
    pub async fn blocks(&self, actor: &Actor, person: PersonId) -> AppResult<bool> {
        let mut tx = self.store.read().await?;
        Ok(tx.blocked_by(actor.person_id).await?.contains(&person))
    }

    /// Reports a person (and optionally one request) to a programme's
    /// managers. The reporter must take part in or manage the programme; the
    /// managers are told by email that a report waits, without its content.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, person = person.map(tracing::field::display), request = request.map(tracing::field::display)))]
    pub async fn report(
        &self,
        actor: &Actor,
        slug: &str,
        person: Option<PersonId>,
        request: Option<RequestId>,
        reason: &str,
    ) -> AppResult<ReportId> {
        let reason = text("reason", reason, 10, 4000, "the reason")?;
        if person.is_none() && request.is_none() {
            return Err(AppError::invalid(
                "person_id",
                "name the person or the request you report",
            ));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let p = self.programme_for(&mut tx, actor, slug).await?;
        let takes_part = actor.is_admin
            || actor.roles.iter().any(|(id, _)| *id == p.id)
            || !tx
                .enrolments_of(actor.person_id)
                .await?
                .iter()
                .all(|e| e.programme_id != p.id);
        if !takes_part {
            return Err(AppError::Forbidden(format!(
                "reports in {} come from the people taking part in it",
                p.name
            )));
        }
        if let Some(id) = person {
            tx.person(id)
                .await?
                .ok_or_else(|| AppError::invalid("person_id", "that person was not found"))?;
        }
        if let Some(id) = request {
            let r = tx.request(id).await?.filter(|r| {
                r.programme_id == p.id
                    && (r.mentee_id == actor.person_id || r.mentor_id == actor.person_id)
            });
            if r.is_none() {
                return Err(AppError::invalid(
                    "request_id",
                    "that request is not one of yours in this programme",
                ));
            }
        }
        let record = ReportRecord {
            id: ReportId::new(),
            programme_id: p.id,
            reporter_id: Some(actor.person_id),
            subject_id: person,
            request_id: request,
            reason,
            status: ReportStatus::Open,
            resolution: None,
            created_at: now,
        };
        tx.insert_report(&record).await?;
        for m in tx.holders(p.id, ProgrammeRole::Manager).await? {
            if let Some(manager) = tx.person(m).await? {
                let mail = ReportWaiting {
                    name: manager.profile.name.clone(),
                    programme: p.name.clone(),
                    slug: p.slug.to_string(),
                };
                self.queue_mail(&mut tx, Some(manager.id), &manager.email, &mail)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(record.id)
    }

    /// A programme's reports, open first; managers only.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn reports(&self, actor: &Actor, slug: &str) -> AppResult<Vec<ReportView>> {
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let mut out = vec![];
        for r in tx.reports_in(p.id).await? {
            let name = |p: Option<rapport_store::PersonRecord>| p.map(|p| p.profile.name);
            let reporter = match r.reporter_id {
                Some(id) => name(tx.person(id).await?),
                None => None,
            };
            let subject = match r.subject_id {
                Some(id) => name(tx.person(id).await?),
                None => None,
            };
            out.push(ReportView {
                id: r.id,
                reporter,
                subject,
                subject_id: r.subject_id,
                request_id: r.request_id,
                reason: r.reason,
                status: r.status,
                resolution: r.resolution,
                created_at: r.created_at,
            });
        }
        Ok(out)
    }

    /// Resolves an open report with what was done; managers only.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, report = %id))]
    pub async fn resolve_report(
        &self,
        actor: &Actor,
        slug: &str,
        id: ReportId,
        resolution: &str,
    ) -> AppResult<()> {
        let resolution = text("resolution", resolution, 3, 4000, "what you did")?;
        let mut tx = self.store.write().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        if !tx
            .resolve_report(p.id, id, actor.person_id, &resolution, self.now())
            .await?
        {
            return Err(AppError::NotFound(
                "no open report has that id in this programme".into(),
            ));
        }
        self.audit_by(
            &mut tx,
            actor,
            "report.resolve",
            format!("programme:{}", p.slug),
            None,
            Some(serde_json::json!({"report": id.to_string()})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
