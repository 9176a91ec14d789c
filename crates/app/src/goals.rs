//! Goals and milestones: set by a member (or shared by a group room), edited
//! by their owner, commented on by the mentor (and, in peer rooms, by the
//! other members), read by the programme's managers. Every progress change is
//! kept as an event, which the goal page draws as a chart.

use crate::lists::{ListQuery, Page};
use crate::rooms::RoomAccess;
use crate::{markdown, App, AppError, AppResult};
use chrono::NaiveDate;
use rapport_domain::agreement::parse_day;
use rapport_domain::goals::{
    allows_shared_goals, may_comment, owns_goals, parse_progress, parse_title, progress, GoalStatus,
};
use rapport_domain::policy::Actor;
use rapport_domain::{CommentId, GoalId, Invalid, MilestoneId, RoomId};
use rapport_store::{
    ActivityKind, CommentRecord, GoalRecord, GoalSnapshotRecord, MilestoneRecord, Tx,
};

/// Longest comment (characters).
pub const MAX_COMMENT: usize = 5_000;

/// A new goal.
#[derive(Clone, Debug, Default)]
pub struct NewGoal {
    /// Title, 1–200 characters.
    pub title: String,
    /// Description (Markdown).
    pub description: String,
    /// Success criteria (Markdown).
    pub success_criteria: String,
    /// `YYYY-MM-DD`, or empty.
    pub target_date: String,
    /// A goal of the whole room (group rooms and circles), with no owner.
    pub shared: bool,
}

/// Changes to a goal: fields left out stay as they are.
#[derive(Clone, Debug, Default)]
pub struct GoalChanges {
    /// Title.
    pub title: Option<String>,
    /// Description (Markdown).
    pub description: Option<String>,
    /// Success criteria (Markdown).
    pub success_criteria: Option<String>,
    /// `YYYY-MM-DD`, or empty to clear it.
    pub target_date: Option<String>,
    /// `open`, `achieved` or `dropped`.
    pub status: Option<String>,
    /// 0–100, for a goal without milestones.
    pub progress: Option<i64>,
}

/// A new milestone, or changes to one (fields left out stay).
#[derive(Clone, Debug, Default)]
pub struct MilestoneInput {
    /// Title.
    pub title: Option<String>,
    /// `YYYY-MM-DD`, or empty for none.
    pub due_date: Option<String>,
    /// Done.
    pub done: Option<bool>,
}

/// A goal with its milestones.
#[derive(Clone, Debug)]
pub struct GoalItem {
    /// The goal.
    pub goal: GoalRecord,
    /// Its milestones, by due day.
    pub milestones: Vec<MilestoneRecord>,
}

impl GoalItem {
    /// How many milestones are done.
    pub fn done(&self) -> usize {
        self.milestones.iter().filter(|m| m.done).count()
    }
}

/// A room's goals as one viewer sees them.
#[derive(Clone, Debug)]
pub struct RoomGoals {
    /// The room's standing for the viewer.
    pub access: RoomAccess,
    /// One page of goals, newest first.
    pub page: Page<GoalItem>,
    /// Read-only copies of goals that moved to another room with their owner.
    pub moved: Vec<GoalSnapshotRecord>,
    /// The viewer may set a goal of their own.
    pub can_add_own: bool,
    /// The viewer may set a shared goal (group rooms and circles).
    pub can_add_shared: bool,
}

/// One goal as one viewer sees it.
#[derive(Clone, Debug)]
pub struct GoalView {
    /// The room's standing for the viewer.
    pub access: RoomAccess,
    /// The goal and its milestones.
    pub item: GoalItem,
    /// The description, rendered.
    pub description_html: String,
    /// The success criteria, rendered.
    pub criteria_html: String,
    /// Progress over time: `(ms, value)`, earliest first.
    pub events: Vec<(i64, u8)>,
    /// The newest comments (up to 100), newest first, each with its rendered body.
    pub comments: Vec<(CommentRecord, String)>,
    /// The viewer may edit the goal and its milestones.
    pub can_edit: bool,
    /// The viewer may comment.
    pub can_comment: bool,
}

fn keep<T>(errors: &mut Vec<Invalid>, r: Result<T, Invalid>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

fn day(field: &'static str, raw: &str) -> Result<Option<NaiveDate>, Invalid> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        parse_day(field, raw).map(Some)
    }
}

fn markdown_errors(errors: &mut Vec<Invalid>, field: &'static str, text: &str) {
    if let Err(AppError::Invalid(mut e)) = markdown::check(field, text) {
        errors.append(&mut e);
    }
}

fn invalid_unless_empty(errors: Vec<Invalid>) -> AppResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Whether the actor may edit `goal` in a room where they have `access`:
/// its owner, or any current member for a shared goal; writes need an open
/// room (409), and others get 403.
fn edit_check(access: &RoomAccess, actor: &Actor, goal: &GoalRecord) -> AppResult<()> {
    access.member_writes()?;
    match goal.owner_id {
        None => Ok(()),
        Some(owner) if owner == actor.person_id => Ok(()),
        Some(_) => Err(AppError::Forbidden(format!(
            "this goal is {}'s; only its owner changes it or its milestones",
            goal.owner_name.as_deref().unwrap_or("another member")
        ))),
    }
}

fn can_comment(access: &RoomAccess, actor: &Actor, goal: &GoalRecord) -> bool {
    access.writable().is_ok()
        && access.is_member()
        && access.me.as_ref().is_some_and(|me| {
            may_comment(
                access.programme.kind,
                me.role,
                goal.owner_id == Some(actor.person_id),
                goal.owner_id.is_none(),
            )
        })
}

impl App {
    /// The goal and the actor's standing in its room (404 for anyone who
    /// may not see the room).
    async fn goal_access(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: GoalId,
    ) -> AppResult<(GoalRecord, RoomAccess)> {
        let not_found = || AppError::NotFound("that goal was not found".into());
        let goal = tx.goal(id).await?.ok_or_else(not_found)?;
        let access = self
            .room_access(tx, actor, goal.room_id)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => not_found(),
                e => e,
            })?;
        Ok((goal, access))
    }

    /// Recomputes a goal's progress from its milestones (or the owner's
    /// number) and, when it changed, saves it and records a progress event.
    async fn settle_progress(
        &self,
        tx: &mut Tx,
        goal: &mut GoalRecord,
        milestones: &[MilestoneRecord],
        changed: bool,
        now: i64,
    ) -> AppResult<()> {
        let done = milestones.iter().filter(|m| m.done).count();
        let value = progress(done, milestones.len(), goal.manual_progress);
        let moved = value != goal.progress;
        goal.progress = value;
        if moved || changed {
            goal.updated_at = now;
            tx.update_goal(goal).await?;
        }
        if moved {
            tx.insert_progress_event(goal.id, value, now).await?;
        }
        tx.note_room_activity(goal.room_id, ActivityKind::Goal, now)
            .await?;
        Ok(())
    }

    /// One page of a room's goals, with the snapshots of goals that moved out.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room))]
    pub async fn room_goals(
        &self,
        actor: &Actor,
        room: RoomId,
        query: &ListQuery,
    ) -> AppResult<RoomGoals> {
        let (start, limit) = query.window()?;
        let mut tx = self.store.read().await?;
        let access = self.room_access(&mut tx, actor, room).await?;
        let page = tx.goals_page(room, start, limit).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for goal in page.items {
            let milestones = tx.milestones_of(goal.id).await?;
            items.push(GoalItem { goal, milestones });
        }
        let moved = tx.goal_snapshots(room).await?;
        let writes = access.writable().is_ok() && access.is_member();
        let my_role = access.me.as_ref().map(|m| m.role);
        Ok(RoomGoals {
            can_add_own: writes && my_role.is_some_and(owns_goals),
            can_add_shared: writes && allows_shared_goals(access.programme.kind),
            page: Page {
                items,
                next: page.next,
                prev: page.prev,
            },
            moved,
            access,
        })
    }

    /// A member sets a goal: their own (mentees and peers), or, in a group
    /// room or circle, a shared goal of the room.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room))]
    pub async fn create_goal(
        &self,
        actor: &Actor,
        room: RoomId,
        input: &NewGoal,
    ) -> AppResult<GoalRecord> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let access = self.room_access(&mut tx, actor, room).await?;
        let me = access.member_writes()?.clone();
        if input.shared && !allows_shared_goals(access.programme.kind) {
            return Err(AppError::invalid(
                "shared",
                "only group rooms and circles have shared goals; set a goal of your own",
            ));
        }
        if !input.shared && !owns_goals(me.role) {
            return Err(AppError::Forbidden(
                "goals belong to mentees and peers; a mentor comments on them".into(),
            ));
        }
        let mut errors = vec![];
        let title = keep(&mut errors, parse_title("title", &input.title));
        let target = keep(&mut errors, day("target_date", &input.target_date));
        markdown_errors(&mut errors, "description", &input.description);
        markdown_errors(&mut errors, "success_criteria", &input.success_criteria);
        invalid_unless_empty(errors)?;
        let (Some(title), Some(target_date)) = (title, target) else {
            return Err(AppError::internal_msg("checked fields are missing"));
        };
        let goal = GoalRecord {
            id: GoalId::new(),
            room_id: room,
            owner_id: (!input.shared).then_some(actor.person_id),
            owner_name: (!input.shared).then(|| me.name.clone()),
            title,
            description: input.description.trim().into(),
            success_criteria: input.success_criteria.trim().into(),
            target_date,
            status: GoalStatus::Open,
            manual_progress: 0,
            progress: 0,
            created_by: Some(actor.person_id),
            created_at: now,
            updated_at: now,
        };
        tx.insert_goal(&goal).await?;
        tx.insert_progress_event(goal.id, 0, now).await?;
        tx.note_room_activity(room, ActivityKind::Goal, now).await?;
        tx.commit().await?;
        Ok(goal)
    }

    /// One goal with its milestones, progress history and newest comments.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, goal = %id))]
    pub async fn goal(&self, actor: &Actor, id: GoalId) -> AppResult<GoalView> {
        let mut tx = self.store.read().await?;
        let (goal, access) = self.goal_access(&mut tx, actor, id).await?;
        let milestones = tx.milestones_of(id).await?;
        let events = tx.progress_events(id).await?;
        let comments = tx
            .goal_comments_page(id, rapport_store::page::Start::Offset(0), 100)
            .await?
            .items
            .into_iter()
            .map(|c| {
                let html = markdown::render(&c.body);
                (c, html)
            })
            .collect();
        Ok(GoalView {
            can_edit: edit_check(&access, actor, &goal).is_ok(),
            can_comment: can_comment(&access, actor, &goal),
            description_html: markdown::render(&goal.description),
            criteria_html: markdown::render(&goal.success_criteria),
            events,
            comments,
            item: GoalItem { goal, milestones },
            access,
        })
    }

    /// The owner changes a goal: its fields, status, or (without milestones)
    /// its progress.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, goal = %id))]
    pub async fn update_goal(
        &self,
        actor: &Actor,
        id: GoalId,
        changes: &GoalChanges,
    ) -> AppResult<GoalItem> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (mut goal, access) = self.goal_access(&mut tx, actor, id).await?;
        edit_check(&access, actor, &goal)?;
        let milestones = tx.milestones_of(id).await?;
        let mut errors = vec![];
        if let Some(t) = &changes.title {
            if let Some(t) = keep(&mut errors, parse_title("title", t)) {
                goal.title = t;
            }
        }
        if let Some(d) = &changes.description {
            markdown_errors(&mut errors, "description", d);
            goal.description = d.trim().into();
        }
        if let Some(c) = &changes.success_criteria {
            markdown_errors(&mut errors, "success_criteria", c);
            goal.success_criteria = c.trim().into();
        }
        if let Some(d) = &changes.target_date {
            if let Some(d) = keep(&mut errors, day("target_date", d)) {
                goal.target_date = d;
            }
        }
        if let Some(s) = &changes.status {
            if let Some(s) = keep(&mut errors, GoalStatus::parse(s)) {
                goal.status = s;
            }
        }
        if let Some(p) = changes.progress {
            if let Some(p) = keep(&mut errors, parse_progress(p)) {
                if !milestones.is_empty() && p != goal.progress {
                    errors.push(Invalid::new(
                        "progress",
                        "this goal has milestones, so its progress follows them: mark milestones done instead",
                    ));
                }
                goal.manual_progress = p;
            }
        }
        invalid_unless_empty(errors)?;
        self.settle_progress(&mut tx, &mut goal, &milestones, true, now)
            .await?;
        tx.commit().await?;
        Ok(GoalItem { goal, milestones })
    }

    /// The owner adds a milestone to a goal.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, goal = %id))]
    pub async fn add_milestone(
        &self,
        actor: &Actor,
        id: GoalId,
        input: &MilestoneInput,
    ) -> AppResult<MilestoneRecord> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (mut goal, access) = self.goal_access(&mut tx, actor, id).await?;
        edit_check(&access, actor, &goal)?;
        let mut errors = vec![];
        let title = keep(
            &mut errors,
            parse_title("title", input.title.as_deref().unwrap_or_default()),
        );
        let due = keep(
            &mut errors,
            day("due_date", input.due_date.as_deref().unwrap_or_default()),
        );
        invalid_unless_empty(errors)?;
        let (Some(title), Some(due_date)) = (title, due) else {
            return Err(AppError::internal_msg("checked fields are missing"));
        };
        let done = input.done.unwrap_or(false);
        let milestone = MilestoneRecord {
            id: MilestoneId::new(),
            goal_id: id,
            title,
            due_date,
            done,
            done_at: done.then_some(now),
            created_at: now,
            updated_at: now,
        };
        tx.insert_milestone(&milestone).await?;
        let milestones = tx.milestones_of(id).await?;
        self.settle_progress(&mut tx, &mut goal, &milestones, false, now)
            .await?;
        tx.commit().await?;
        Ok(milestone)
    }

    /// The owner changes a milestone: its title, due day, or done flag.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, milestone = %id))]
    pub async fn update_milestone(
        &self,
        actor: &Actor,
        id: MilestoneId,
        input: &MilestoneInput,
    ) -> AppResult<(MilestoneRecord, GoalRecord)> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let not_found = || AppError::NotFound("that milestone was not found".into());
        let mut milestone = tx.milestone(id).await?.ok_or_else(not_found)?;
        let (mut goal, access) = self
            .goal_access(&mut tx, actor, milestone.goal_id)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => not_found(),
                e => e,
            })?;
        edit_check(&access, actor, &goal)?;
        let mut errors = vec![];
        if let Some(t) = &input.title {
            if let Some(t) = keep(&mut errors, parse_title("title", t)) {
                milestone.title = t;
            }
        }
        if let Some(d) = &input.due_date {
            if let Some(d) = keep(&mut errors, day("due_date", d)) {
                milestone.due_date = d;
            }
        }
        invalid_unless_empty(errors)?;
        if let Some(done) = input.done {
            if done != milestone.done {
                milestone.done = done;
                milestone.done_at = done.then_some(now);
            }
        }
        milestone.updated_at = now;
        tx.update_milestone(&milestone).await?;
        let milestones = tx.milestones_of(goal.id).await?;
        self.settle_progress(&mut tx, &mut goal, &milestones, false, now)
            .await?;
        tx.commit().await?;
        Ok((milestone, goal))
    }

    /// One page of a goal's comments, newest first: for the room's members
    /// and the programme's managers.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, goal = %id))]
    pub async fn goal_comments(
        &self,
        actor: &Actor,
        id: GoalId,
        query: &ListQuery,
    ) -> AppResult<Page<CommentRecord>> {
        let (start, limit) = query.window()?;
        let mut tx = self.store.read().await?;
        self.goal_access(&mut tx, actor, id).await?;
        Ok(tx.goal_comments_page(id, start, limit).await?)
    }

    /// A comment on a goal: by its owner, the room's mentor or facilitator,
    /// and, in peer rooms and circles, the other members (shared goals: any
    /// member).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, goal = %id))]
    pub async fn comment_on_goal(
        &self,
        actor: &Actor,
        id: GoalId,
        body: &str,
    ) -> AppResult<CommentRecord> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (goal, access) = self.goal_access(&mut tx, actor, id).await?;
        let me = access.member_writes()?.clone();
        if !can_comment(&access, actor, &goal) {
            return Err(AppError::Forbidden(
                "in this room, the goal's owner and the mentor comment on it".into(),
            ));
        }
        let body = body.trim();
        if body.is_empty() {
            return Err(AppError::invalid("body", "write a comment first"));
        }
        if body.chars().count() > MAX_COMMENT {
            return Err(AppError::invalid(
                "body",
                format!("keep a comment to {MAX_COMMENT} characters"),
            ));
        }
        markdown::check("body", body)?;
        let comment = CommentRecord {
            id: CommentId::new(),
            goal_id: id,
            author_id: Some(actor.person_id),
            author_name: Some(me.name),
            body: body.into(),
            created_at: now,
        };
        tx.insert_goal_comment(&comment).await?;
        tx.commit().await?;
        Ok(comment)
    }
}
