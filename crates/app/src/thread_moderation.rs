//! Moderating Growth Threads: members report a post or comment with a
//! reason; the reported item becomes visible, on its own, to admins and to
//! the managers of the programme its thread is shared with, each view
//! audited; they hide it with a reason its author sees, or restore it.
//! Hiding and restoring ask for confirmation first (`confirm`).
//!
//! # Who moderates
//! Admins, for every thread; a programme's managers, for threads shared
//! with that programme. A manager never sees an "only me", "my rooms" or
//! "every member" thread through moderation: those reach admins only.

use crate::threads::{comment_not_found, post_not_found, PostView};
use crate::{markdown, App, AppError, AppResult};
use rapport_domain::policy::Actor;
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::threads::{Moderated, ThreadVisibility};
use rapport_domain::{PostId, ThreadCommentId};
use rapport_store::{PostRecord, ThreadCommentRecord, ThreadReportRecord, Tx};
use serde_json::json;
use uuid::Uuid;

/// How many reports the queue shows.
const QUEUE_LIMIT: i64 = 100;
/// The longest reason.
const REASON_MAX: usize = 1_000;

/// A report in the moderation queue, with the item it is about.
#[derive(Clone, Debug)]
pub struct ReportedItem {
    /// The report.
    pub report: ThreadReportRecord,
    /// The post (itself, or the comment's).
    pub post: PostRecord,
    /// The comment, when the report is about one.
    pub comment: Option<ThreadCommentRecord>,
    /// The reported text, rendered.
    pub html: String,
    /// Whether the reported item is hidden now.
    pub hidden: bool,
}

fn parse_reason(reason: &str) -> AppResult<String> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > REASON_MAX {
        return Err(AppError::invalid(
            "reason",
            format!("say why, in 1 to {REASON_MAX} characters"),
        ));
    }
    Ok(reason.to_string())
}

/// Whether `actor` moderates the thread a post is in.
fn moderates(actor: &Actor, post: &PostRecord) -> bool {
    actor.is_admin
        || (post.visibility == ThreadVisibility::Programme
            && post
                .programme_id
                .is_some_and(|p| actor.has_role(p, ProgrammeRole::Manager)))
}

/// Whether `actor` moderates any thread at all: admins, and managers of a
/// programme (its programme-wide threads). Decides who may open the
/// moderation queue and who sees it in the navigation.
pub fn moderates_any_thread(actor: &Actor) -> bool {
    actor.is_admin || actor.managed().next().is_some()
}

fn subject(target: Moderated, id: Uuid) -> String {
    format!("{}:{id}", target.code())
}

impl App {
    /// A member who sees a post or comment reports it with a reason; true
    /// when new (a repeat by the same member changes nothing).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, id = %id))]
    pub async fn report_thread_item(
        &self,
        actor: &Actor,
        target: Moderated,
        id: Uuid,
        reason: &str,
    ) -> AppResult<bool> {
        let reason = parse_reason(reason)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let post_id = match target {
            Moderated::Post => self.visible_post(&mut tx, actor, PostId(id)).await?.id,
            Moderated::Comment => {
                self.visible_comment(&mut tx, actor, ThreadCommentId(id))
                    .await?
                    .post_id
            }
        };
        let added = tx
            .insert_thread_report(&ThreadReportRecord {
                id: Uuid::new_v4(),
                target,
                target_id: id,
                post_id,
                reporter_id: actor.person_id,
                reason,
                created_at: now,
            })
            .await?;
        if added {
            // The reason stays out of the log: it may quote the item.
            self.audit_by(
                &mut tx,
                actor,
                "thread.report",
                subject(target, id),
                None,
                None,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    /// The post and (for a comment) the comment, if `actor` moderates the
    /// thread and the item is reported or hidden; 404 otherwise, so the
    /// answer says nothing of items the actor may not see.
    async fn moderated_item(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        target: Moderated,
        id: Uuid,
    ) -> AppResult<(PostRecord, Option<ThreadCommentRecord>)> {
        let not_found = || match target {
            Moderated::Post => post_not_found(),
            Moderated::Comment => comment_not_found(),
        };
        let (post_id, comment) = match target {
            Moderated::Post => (PostId(id), None),
            Moderated::Comment => {
                let c = tx
                    .thread_comment(ThreadCommentId(id))
                    .await?
                    .ok_or_else(not_found)?;
                (c.post_id, Some(c))
            }
        };
        let post = tx.post(post_id).await?.ok_or_else(not_found)?;
        let hidden = match &comment {
            Some(c) => c.hidden.is_some(),
            None => post.hidden.is_some(),
        };
        if !moderates(actor, &post) || !(hidden || tx.is_reported(id).await?) {
            // Someone who sees it but may not moderate it learns that much.
            let sees = tx
                .thread_visible_to(post.thread_id, actor.person_id)
                .await?;
            return Err(if sees {
                AppError::Forbidden(
                    "only admins and the managers of the programme the thread is shared with moderate it, once it is reported".into(),
                )
            } else {
                not_found()
            });
        }
        Ok((post, comment))
    }

    /// Whether `actor` may hide or restore the item now, answered exactly
    /// as the hide and restore use cases answer (404 for an item the actor
    /// cannot see or that nobody reported, 403 for one they see but may not
    /// moderate), so the confirmation page in front of them says nothing
    /// more than the action would.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, id = %id))]
    pub async fn check_moderates_thread_item(
        &self,
        actor: &Actor,
        target: Moderated,
        id: Uuid,
    ) -> AppResult<()> {
        let mut tx = self.store.read().await?;
        self.moderated_item(&mut tx, actor, target, id).await?;
        Ok(())
    }

    /// A moderator hides a reported post or comment with a reason its
    /// author sees. Without `confirm`, 409 naming `confirm` and nothing
    /// changes.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, id = %id))]
    pub async fn hide_thread_item(
        &self,
        actor: &Actor,
        target: Moderated,
        id: Uuid,
        reason: &str,
        confirm: bool,
    ) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        self.moderated_item(&mut tx, actor, target, id).await?;
        let reason = parse_reason(reason)?;
        if !confirm {
            return Err(AppError::Conflict {
                field: Some("confirm"),
                message: format!(
                    "this hides the {} from everyone but its author, who sees your reason; send confirm: true to go ahead",
                    target.code()
                ),
            });
        }
        tx.set_hidden(target, id, Some((now, &reason))).await?;
        self.audit_by(
            &mut tx,
            actor,
            "thread.hide",
            subject(target, id),
            None,
            Some(json!({ "reason": reason })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A moderator restores a hidden post or comment. Without `confirm`,
    /// 409 naming `confirm` and nothing changes.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, id = %id))]
    pub async fn restore_thread_item(
        &self,
        actor: &Actor,
        target: Moderated,
        id: Uuid,
        confirm: bool,
    ) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        self.moderated_item(&mut tx, actor, target, id).await?;
        if !confirm {
            return Err(AppError::Conflict {
                field: Some("confirm"),
                message: format!(
                    "this shows the {} again to everyone who may read its thread; send confirm: true to go ahead",
                    target.code()
                ),
            });
        }
        tx.set_hidden(target, id, None).await?;
        self.audit_by(
            &mut tx,
            actor,
            "thread.restore",
            subject(target, id),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The moderation queue: the reports the actor moderates, newest first,
    /// each with its item; every item shown is an audited view. 403 for
    /// anyone who moderates nothing.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn moderation_queue(&self, actor: &Actor) -> AppResult<Vec<ReportedItem>> {
        if !moderates_any_thread(actor) {
            return Err(AppError::Forbidden(
                "the moderation queue is for admins and programme managers".into(),
            ));
        }
        let mut tx = self.store.write().await?;
        let reports = tx
            .thread_reports_for(actor.person_id, actor.is_admin, QUEUE_LIMIT)
            .await?;
        let mut out = Vec::with_capacity(reports.len());
        for report in reports {
            let Some(post) = tx.post(report.post_id).await? else {
                continue;
            };
            let comment = match report.target {
                Moderated::Post => None,
                Moderated::Comment => {
                    match tx.thread_comment(ThreadCommentId(report.target_id)).await? {
                        Some(c) => Some(c),
                        None => continue,
                    }
                }
            };
            let (body, hidden) = match &comment {
                Some(c) => (c.body.as_str(), c.hidden.is_some()),
                None => (post.body.as_str(), post.hidden.is_some()),
            };
            let html = markdown::render(body);
            self.audit_by(
                &mut tx,
                actor,
                "thread.report.view",
                subject(report.target, report.target_id),
                None,
                None,
            )
            .await?;
            out.push(ReportedItem {
                report,
                post,
                comment,
                html,
                hidden,
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    /// The author's view of their own post, hidden or not, with the
    /// moderator's reason (for the thread page's "hidden" notice).
    pub async fn own_post_view(&self, actor: &Actor, id: PostId) -> AppResult<PostView> {
        let mut tx = self.store.read().await?;
        let post = self.visible_post(&mut tx, actor, id).await?;
        let mut views = self.post_views(&mut tx, actor, vec![post]).await?;
        Ok(views.remove(0))
    }
}
