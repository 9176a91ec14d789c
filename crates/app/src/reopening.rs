//! Reopening a closed programme (issue 18 §5). An admin may reopen a
//! programme within [`REOPEN_WINDOW_MS`] of closing it; it returns to the
//! status it had before closing. Closing needs every room completed first,
//! so the rooms the close completed stay completed: reopening touches the
//! programme's status only. Every reopening is audited.

use crate::programmes::ProgrammeView;
use crate::{App, AppError, AppResult};
use rapport_domain::policy::Actor;
use rapport_domain::programme::ProgrammeStatus;
use rapport_store::{ProgrammeRecord, Tx};
use serde::Serialize;

/// How long after closing a programme may be reopened: 30 days.
pub const REOPEN_WINDOW_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// What reopening a closed programme would do, for the confirmation.
#[derive(Clone, Debug, Serialize)]
pub struct Reopening {
    /// The programme's name.
    pub name: String,
    /// When it closed (ms).
    pub closed_at: i64,
    /// The status it returns to.
    pub back_to: ProgrammeStatus,
    /// Until when it may be reopened (ms).
    pub until: i64,
}

impl App {
    /// Whether (and how) the admin may reopen the programme now: `None`
    /// when it is not closed, its closing was not recorded, or the window
    /// has passed. Only admins ask; others are refused.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn reopening(&self, actor: &Actor, slug: &str) -> AppResult<Option<Reopening>> {
        admin_only(actor)?;
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        self.reopening_in(&mut tx, &p).await
    }

    /// [`App::reopening`] in `tx`, for a programme the caller has checked
    /// an admin asks about.
    pub(crate) async fn reopening_in(
        &self,
        tx: &mut Tx,
        p: &ProgrammeRecord,
    ) -> AppResult<Option<Reopening>> {
        if p.status != ProgrammeStatus::Closed {
            return Ok(None);
        }
        let now = self.now();
        Ok(tx
            .closing(p.id)
            .await?
            .filter(|(at, _)| now - at <= REOPEN_WINDOW_MS)
            .map(|(closed_at, back_to)| Reopening {
                name: p.name.clone(),
                closed_at,
                back_to,
                until: closed_at + REOPEN_WINDOW_MS,
            }))
    }

    /// Reopens a closed programme into the status it had before closing.
    /// Far-reaching, so it must be confirmed: without `confirm` nothing
    /// changes and the 409 says what would happen.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn reopen_programme(
        &self,
        actor: &Actor,
        slug: &str,
        confirm: bool,
    ) -> AppResult<ProgrammeView> {
        admin_only(actor)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let mut p = self.managed_programme(&mut tx, actor, slug).await?;
        if p.status != ProgrammeStatus::Closed {
            return Err(AppError::Conflict {
                field: None,
                message: format!(
                    "{} is {}, not closed, so there is nothing to reopen",
                    p.name,
                    p.status.code()
                ),
            });
        }
        let Some((closed_at, back_to)) = tx.closing(p.id).await? else {
            return Err(AppError::Conflict {
                field: None,
                message: format!(
                    "{} was closed before closings were recorded, so it cannot be reopened; create a new programme instead",
                    p.name
                ),
            });
        };
        if now - closed_at > REOPEN_WINDOW_MS {
            return Err(AppError::Conflict {
                field: None,
                message: format!(
                    "{} closed more than 30 days ago, so it can no longer be reopened; create a new programme instead",
                    p.name
                ),
            });
        }
        if !confirm {
            return Err(AppError::Conflict {
                field: Some("confirm"),
                message: format!(
                    "this reopens {} as {} (its status before closing); its completed rooms stay completed; send confirm: true to go ahead",
                    p.name,
                    back_to.code()
                ),
            });
        }
        p.status = back_to;
        tx.update_programme(&p, now).await?;
        tx.forget_closing(p.id).await?;
        self.audit_by(
            &mut tx,
            actor,
            "programme.reopen",
            format!("programme:{}", p.slug),
            Some(serde_json::json!({"status": "closed"})),
            Some(serde_json::json!({"status": back_to.code()})),
        )
        .await?;
        tx.commit().await?;
        Ok(self.view_of(actor, p))
    }
}

fn admin_only(actor: &Actor) -> AppResult<()> {
    if actor.is_admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only a site administrator can reopen a closed programme".into(),
        ))
    }
}
