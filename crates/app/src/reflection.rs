//! Reflection: the prompt library, each member's prompt schedule, answers,
//! and prompts a mentor assigns to their room.
//!
//! # Who reads an answer
//! - **private**: its author, and nobody else, by any route, ever. Not the
//!   room's other members, not managers, not admins.
//! - **room**: an answer to a prompt a mentor assigned to the room, shared
//!   with the room's members (not its programme's managers).
//! - **thread**: shared into one of the author's growth threads, readable as
//!   that thread is: it becomes an "update" post there. [`share_into_thread`]
//!   is the one place that joins the two.
//!
//! # Schedule
//! A member chooses never, weekly or fortnightly. The worker's sweep
//! ([`App::sweep_reflection_prompts`]) sends each member whose time has come
//! the next prompt of the library in order (by email, under the reminders
//! preference, and on the home page until it is answered), then moves their
//! next time on by the cadence, from the time it was due, not from when the
//! sweep ran, so prompts keep their weekday.

use crate::emails::ReflectionPrompt;
use crate::lists::{ListQuery, Page};
use crate::{markdown, Actor, App, AppError, AppResult};
use rapport_domain::reflection::{AnswerVisibility, Cadence, PromptTheme};
use rapport_domain::{Invalid, PromptId, ReflectionId, RoomId, RoomPromptId};
use rapport_store::{PromptRecord, ReflectionRecord, RoomPromptRecord, ScheduleRecord, Tx};
use serde::Serialize;

/// Longest prompt, in characters (the database checks it too).
pub const PROMPT_MAX: usize = 1000;
/// Longest answer, in characters.
pub const ANSWER_MAX: usize = 10_000;

/// What an admin sends to add or change a prompt.
#[derive(Clone, Debug, Default)]
pub struct PromptInput {
    /// A theme code.
    pub theme: String,
    /// The question (Markdown).
    pub body: String,
    /// Retire it (no longer sent or offered) or bring it back.
    pub retired: bool,
}

/// A prompt as a reader sees it.
#[derive(Clone, Debug, Serialize)]
pub struct PromptView {
    /// The stored prompt.
    #[serde(skip)]
    pub record: PromptRecord,
    /// The question, rendered.
    pub html: String,
}

impl PromptView {
    fn new(record: PromptRecord) -> Self {
        Self {
            html: markdown::render(&record.body),
            record,
        }
    }
}

/// What a member sends to answer a prompt.
#[derive(Clone, Debug, Default)]
pub struct AnswerInput {
    /// Markdown.
    pub body: String,
    /// `private`, `room` or `thread`.
    pub visibility: String,
    /// The room prompt it answers, when a mentor assigned the prompt.
    pub room_prompt_id: Option<String>,
    /// The growth thread to share it into (`thread` only).
    pub thread_id: Option<String>,
}

/// An answer as its reader sees it.
#[derive(Clone, Debug, Serialize)]
pub struct ReflectionView {
    /// The stored answer.
    #[serde(skip)]
    pub record: ReflectionRecord,
    /// The answer, rendered.
    pub html: String,
    /// The prompt, rendered.
    pub prompt_html: String,
    /// The reader wrote it.
    pub mine: bool,
}

impl ReflectionView {
    fn new(record: ReflectionRecord, reader: &Actor) -> Self {
        Self {
            html: markdown::render(&record.body),
            prompt_html: markdown::render(&record.prompt_body),
            mine: record.person_id == reader.person_id,
            record,
        }
    }
}

/// A prompt assigned to a room, with the answers the reader may read.
#[derive(Clone, Debug)]
pub struct RoomPromptView {
    /// The assignment.
    pub record: RoomPromptRecord,
    /// The question, rendered.
    pub html: String,
    /// Answers shared with the room, and the reader's own.
    pub answers: Vec<ReflectionView>,
    /// The reader has answered it.
    pub answered: bool,
}

/// A room's prompts as one member sees them.
#[derive(Clone, Debug)]
pub struct RoomPrompts {
    /// The room.
    pub room_id: RoomId,
    /// The reader may assign prompts (a current mentor or facilitator of an
    /// open room).
    pub can_assign: bool,
    /// The reader may answer (a current member of an open room).
    pub can_answer: bool,
    /// Newest first.
    pub prompts: Vec<RoomPromptView>,
}

/// A member's schedule, as they see it.
#[derive(Clone, Debug, Serialize)]
pub struct ScheduleView {
    /// How often.
    pub cadence: Cadence,
    /// When the next prompt goes out (ms), if any.
    pub next_at: Option<i64>,
    /// The prompt waiting for an answer, if one is.
    #[serde(skip)]
    pub waiting: Option<PromptRecord>,
}

fn not_found() -> AppError {
    AppError::NotFound("that prompt was not found".into())
}

fn admin_only(actor: &Actor) -> AppResult<()> {
    if actor.is_admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only administrators keep the prompt library".into(),
        ))
    }
}

/// Checks a prompt, naming every bad field.
fn parse_prompt(input: &PromptInput) -> AppResult<(PromptTheme, String)> {
    let mut errors: Vec<Invalid> = vec![];
    let theme = PromptTheme::parse("theme", &input.theme)
        .map_err(|e| errors.push(e))
        .ok();
    let body = input.body.trim().to_string();
    if body.is_empty() {
        errors.push(Invalid::new("body", "write the prompt: it cannot be empty"));
    } else if body.chars().count() > PROMPT_MAX {
        errors.push(Invalid::new(
            "body",
            format!("a prompt is at most {PROMPT_MAX} characters"),
        ));
    } else if let Err(AppError::Invalid(mut e)) = markdown::check("body", &body) {
        errors.append(&mut e);
    }
    match theme {
        Some(t) if errors.is_empty() => Ok((t, body)),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Checks an answer's text.
fn parse_body(raw: &str) -> AppResult<String> {
    let body = raw.trim().to_string();
    if body.is_empty() {
        return Err(AppError::invalid(
            "body",
            "write your answer: it cannot be empty",
        ));
    }
    if body.chars().count() > ANSWER_MAX {
        return Err(AppError::invalid(
            "body",
            format!("an answer is at most {ANSWER_MAX} characters"),
        ));
    }
    markdown::check("body", &body)?;
    Ok(body)
}

fn parse_uuid(field: &'static str, raw: &str, what: &str) -> AppResult<uuid::Uuid> {
    uuid::Uuid::parse_str(raw.trim())
        .map_err(|_| AppError::invalid(field, format!("{what} is not a valid id")))
}

/// Shares an answer into the author's growth thread `thread`: the one place
/// reflection meets growth threads.
///
/// `thread` must be one of the author's own threads (422 naming `thread_id`
/// otherwise, the same answer whether the thread is someone else's or does
/// not exist, so it says nothing about other people's threads). The answer
/// becomes an "update" post there, the prompt quoted above it, in the same
/// transaction as the answer row, so `shared_thread_id` is never set without
/// its post. The post is read as the thread is: an "only me" thread keeps
/// it private, and a later narrowing applies to it at once.
async fn share_into_thread(
    tx: &mut Tx,
    actor: &Actor,
    thread: uuid::Uuid,
    answer: &ReflectionRecord,
) -> AppResult<()> {
    let t = tx
        .thread(rapport_domain::ThreadId(thread))
        .await?
        .filter(|t| t.author_id == actor.person_id)
        .ok_or_else(|| {
            AppError::invalid(
                "thread_id",
                "choose one of your own growth threads, or answer privately",
            )
        })?;
    let quoted: Vec<String> = answer
        .prompt_body
        .lines()
        .map(|l| format!("> {l}"))
        .collect();
    let body = format!("{}\n\n{}", quoted.join("\n"), answer.body);
    crate::markdown::check("body", &body)?;
    let post = rapport_store::PostRecord {
        id: rapport_domain::PostId::new(),
        thread_id: t.id,
        thread_title: t.title,
        visibility: t.visibility,
        programme_id: t.programme_id,
        author_id: actor.person_id,
        author_name: t.author_name,
        kind: rapport_domain::threads::PostKind::Update,
        body,
        link: None,
        hidden: None,
        created_at: answer.created_at,
        edited_at: None,
    };
    tx.insert_post(&post).await?;
    Ok(())
}

impl App {
    /// One page of the prompt library, newest first: the prompts in use for
    /// everyone; with `with_retired`, the retired ones too (admins only, else
    /// 403).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn prompts(
        &self,
        actor: &Actor,
        with_retired: bool,
        list: &ListQuery,
    ) -> AppResult<Page<PromptView>> {
        if with_retired {
            admin_only(actor)?;
        }
        let (start, limit) = list.window()?;
        let mut tx = self.store.read().await?;
        let page = tx.prompts_page(with_retired, start, limit).await?;
        Ok(Page {
            items: page.items.into_iter().map(PromptView::new).collect(),
            next: page.next,
            prev: page.prev,
        })
    }

    /// Every prompt in use, in the order they are sent (for choosing one).
    pub async fn active_prompts(&self) -> AppResult<Vec<PromptView>> {
        let mut tx = self.store.read().await?;
        Ok(tx
            .active_prompts()
            .await?
            .into_iter()
            .map(PromptView::new)
            .collect())
    }

    /// One prompt: any signed-in person while it is in use, admins also once
    /// retired; 404 otherwise.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, prompt = %id))]
    pub async fn prompt(&self, actor: &Actor, id: PromptId) -> AppResult<PromptView> {
        let mut tx = self.store.read().await?;
        let p = tx.prompt(id).await?.ok_or_else(not_found)?;
        if p.retired_at.is_some() && !actor.is_admin {
            return Err(not_found());
        }
        Ok(PromptView::new(p))
    }

    /// An admin adds a prompt to the library.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn add_prompt(&self, actor: &Actor, input: &PromptInput) -> AppResult<PromptView> {
        admin_only(actor)?;
        let (theme, body) = parse_prompt(input)?;
        let now = self.now();
        let record = PromptRecord {
            id: PromptId::new(),
            theme,
            body,
            retired_at: input.retired.then_some(now),
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.store.write().await?;
        tx.insert_prompt(&record).await?;
        tx.commit().await?;
        Ok(PromptView::new(record))
    }

    /// An admin changes a prompt's theme or words, or retires it (or brings
    /// it back). Answers already written keep the prompt as it now reads.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, prompt = %id))]
    pub async fn edit_prompt(
        &self,
        actor: &Actor,
        id: PromptId,
        input: &PromptInput,
    ) -> AppResult<PromptView> {
        admin_only(actor)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let old = tx.prompt(id).await?.ok_or_else(not_found)?;
        let (theme, body) = parse_prompt(input)?;
        let record = PromptRecord {
            theme,
            body,
            retired_at: if input.retired {
                old.retired_at.or(Some(now))
            } else {
                None
            },
            updated_at: now,
            ..old
        };
        if !tx.update_prompt(&record).await? {
            return Err(not_found());
        }
        tx.commit().await?;
        Ok(PromptView::new(record))
    }

    /// A member answers a prompt: privately, shared with the room whose
    /// mentor assigned it (`room_prompt_id`), or into one of their growth
    /// threads. 422 naming each bad field; 404 for a retired prompt (unless
    /// it was assigned to their room) or a room prompt that is not theirs.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, prompt = %id))]
    pub async fn answer_prompt(
        &self,
        actor: &Actor,
        id: PromptId,
        input: &AnswerInput,
    ) -> AppResult<ReflectionView> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let prompt = tx.prompt(id).await?.ok_or_else(not_found)?;
        let visibility = AnswerVisibility::parse("visibility", &input.visibility)
            .map_err(|e| AppError::Invalid(vec![e]))?;
        let body = parse_body(&input.body)?;
        let room_prompt = match input.room_prompt_id.as_deref().filter(|s| !s.is_empty()) {
            Some(raw) => {
                let rp_id = RoomPromptId(parse_uuid("room_prompt_id", raw, "room_prompt_id")?);
                let rp = tx
                    .room_prompt(rp_id)
                    .await?
                    .filter(|rp| rp.prompt_id == id)
                    .ok_or_else(|| {
                        AppError::NotFound("that prompt was not assigned to your room".into())
                    })?;
                let access =
                    self.room_access(&mut tx, actor, rp.room_id)
                        .await
                        .map_err(|e| match e {
                            AppError::Forbidden(_) => AppError::NotFound(
                                "that prompt was not assigned to your room".into(),
                            ),
                            other => other,
                        })?;
                access.member_writes()?;
                Some(rp)
            }
            None => None,
        };
        if prompt.retired_at.is_some() && room_prompt.is_none() {
            return Err(not_found());
        }
        if visibility == AnswerVisibility::Room && room_prompt.is_none() {
            return Err(AppError::invalid(
                "visibility",
                "only a prompt your mentor assigned to your room can be shared with the room; answer privately",
            ));
        }
        let thread = match (
            visibility,
            input.thread_id.as_deref().filter(|s| !s.is_empty()),
        ) {
            (AnswerVisibility::Thread, Some(raw)) => {
                Some(parse_uuid("thread_id", raw, "thread_id")?)
            }
            (AnswerVisibility::Thread, None) => {
                return Err(AppError::invalid(
                    "thread_id",
                    "choose the growth thread to share your answer into",
                ))
            }
            _ => None,
        };
        let record = ReflectionRecord {
            id: ReflectionId::new(),
            prompt_id: id,
            prompt_body: prompt.body.clone(),
            person_id: actor.person_id,
            author_name: String::new(),
            room_prompt_id: room_prompt.as_ref().map(|r| r.id),
            room_id: room_prompt.as_ref().map(|r| r.room_id),
            visibility,
            shared_thread_id: thread,
            body,
            created_at: now,
        };
        if let Some(thread) = thread {
            share_into_thread(&mut tx, actor, thread, &record).await?;
        }
        tx.insert_reflection(&record).await?;
        let stored = tx
            .reflection(record.id)
            .await?
            .ok_or_else(|| AppError::internal_msg("an answer just written is missing"))?;
        tx.commit().await?;
        Ok(ReflectionView::new(stored, actor))
    }

    /// One page of the actor's own answers, newest first: private, shared
    /// and assigned alike. Nobody reads another person's list.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn my_reflections(
        &self,
        actor: &Actor,
        list: &ListQuery,
    ) -> AppResult<Page<ReflectionView>> {
        let (start, limit) = list.window()?;
        let mut tx = self.store.read().await?;
        let page = tx.reflections_page(actor.person_id, start, limit).await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|r| ReflectionView::new(r, actor))
                .collect(),
            next: page.next,
            prev: page.prev,
        })
    }

    /// A room's mentor (or facilitator) assigns a prompt in use to an open
    /// room; each other member then answers it. 403 for other members and
    /// managers; 404 for anyone outside the room or an unknown prompt; 409
    /// when the room is not open or already has that prompt.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room))]
    pub async fn assign_room_prompt(
        &self,
        actor: &Actor,
        room: RoomId,
        prompt: &str,
    ) -> AppResult<RoomPromptRecord> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let access = self.room_access(&mut tx, actor, room).await?;
        if !access.leads() {
            return Err(AppError::Forbidden(
                "only the room's mentor assigns reflection prompts".into(),
            ));
        }
        access.writable()?;
        let prompt_id = PromptId(parse_uuid("prompt_id", prompt, "prompt_id")?);
        let p = tx
            .prompt(prompt_id)
            .await?
            .filter(|p| p.retired_at.is_none())
            .ok_or_else(|| AppError::invalid("prompt_id", "choose a prompt from the library"))?;
        let record = RoomPromptRecord {
            id: RoomPromptId::new(),
            room_id: room,
            prompt_id,
            prompt_body: p.body,
            assigned_by: Some(actor.person_id),
            created_at: now,
        };
        if !tx.insert_room_prompt(&record).await? {
            return Err(AppError::Conflict {
                field: Some("prompt_id"),
                message: "this prompt is already assigned to the room; choose another".into(),
            });
        }
        tx.commit().await?;
        Ok(record)
    }

    /// The prompts assigned to room `room`, for its members (also those who
    /// left, who keep reading what was there): each with the answers shared
    /// with the room and the reader's own. 403 for managers who are not
    /// members (reflections stay with the room); 404 for anyone else.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room))]
    pub async fn room_prompts(&self, actor: &Actor, room: RoomId) -> AppResult<RoomPrompts> {
        let mut tx = self.store.read().await?;
        let access = self.room_access(&mut tx, actor, room).await?;
        if access.me.is_none() {
            return Err(AppError::Forbidden(
                "reflections stay with the room's members".into(),
            ));
        }
        let open = access.room.status.is_under_way();
        let mut prompts = vec![];
        for rp in tx.room_prompts_in(&[room]).await? {
            let answers: Vec<ReflectionView> = tx
                .room_prompt_answers(rp.id, actor.person_id)
                .await?
                .into_iter()
                .map(|a| ReflectionView::new(a, actor))
                .collect();
            prompts.push(RoomPromptView {
                html: markdown::render(&rp.prompt_body),
                answered: answers.iter().any(|a| a.mine),
                answers,
                record: rp,
            });
        }
        Ok(RoomPrompts {
            room_id: room,
            can_assign: open && access.leads(),
            can_answer: open && access.is_member(),
            prompts,
        })
    }

    /// The actor's schedule (never, when they have not chosen), with the
    /// prompt waiting for their answer.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn reflection_schedule(&self, actor: &Actor) -> AppResult<ScheduleView> {
        let mut tx = self.store.read().await?;
        self.reflection_schedule_in(&mut tx, actor).await
    }

    /// [`App::reflection_schedule`] in the caller's transaction.
    pub(crate) async fn reflection_schedule_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
    ) -> AppResult<ScheduleView> {
        let s = tx.reflection_schedule(actor.person_id).await?;
        let waiting = match &s {
            Some(ScheduleRecord {
                last_prompt_id: Some(p),
                last_sent_at: Some(at),
                ..
            }) if !tx.answered_since(actor.person_id, *p, *at).await? => {
                tx.prompt(*p).await?.filter(|p| p.retired_at.is_none())
            }
            _ => None,
        };
        Ok(ScheduleView {
            cadence: s.as_ref().map_or(Cadence::Never, |s| s.cadence),
            next_at: s.and_then(|s| s.next_at),
            waiting,
        })
    }

    /// The actor chooses how often they get a prompt. Choosing weekly or
    /// fortnightly sends the first one at the next sweep; choosing the same
    /// cadence again changes nothing.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn set_reflection_schedule(
        &self,
        actor: &Actor,
        cadence: &str,
    ) -> AppResult<ScheduleView> {
        let cadence = Cadence::parse("cadence", cadence).map_err(|e| AppError::Invalid(vec![e]))?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let old = tx.reflection_schedule(actor.person_id).await?;
        if old.as_ref().is_none_or(|o| o.cadence != cadence) {
            let record = ScheduleRecord {
                person_id: actor.person_id,
                cadence,
                next_at: cadence.every_ms().map(|_| now),
                last_prompt_id: old.as_ref().and_then(|o| o.last_prompt_id),
                last_sent_at: old.as_ref().and_then(|o| o.last_sent_at),
            };
            tx.put_reflection_schedule(&record, now).await?;
        }
        tx.commit().await?;
        self.reflection_schedule(actor).await
    }

    /// Sends every prompt that is due: see the module's doc. Safe to run on
    /// every poll; returns how many it sent.
    #[tracing::instrument(skip_all)]
    pub async fn sweep_reflection_prompts(&self) -> AppResult<usize> {
        let now = self.now();
        let mut tx = self.store.read().await?;
        let due = tx.reflection_schedules_due(now).await?;
        drop(tx);
        if due.is_empty() {
            return Ok(0);
        }
        let mut tx = self.store.write().await?;
        let prompts = tx.active_prompts().await?;
        let mut sent = 0;
        for s in due {
            // Read again under the write lock: another server may have sent it.
            let Some(s) = tx.reflection_schedule(s.person_id).await? else {
                continue;
            };
            let (Some(next_at), Some(every)) = (s.next_at, s.cadence.every_ms()) else {
                continue;
            };
            if next_at > now {
                continue;
            }
            let Some(person) = tx.person(s.person_id).await? else {
                continue;
            };
            // Skip the times missed while the server was down: one prompt,
            // and the next on the schedule's own beat.
            let mut next = next_at + every;
            while next <= now {
                next += every;
            }
            let prompt = next_prompt(&prompts, s.last_prompt_id);
            let record = ScheduleRecord {
                next_at: Some(next),
                last_prompt_id: prompt.map(|p| p.id).or(s.last_prompt_id),
                last_sent_at: if prompt.is_some() {
                    Some(now)
                } else {
                    s.last_sent_at
                },
                ..s
            };
            tx.put_reflection_schedule(&record, now).await?;
            let Some(prompt) = prompt else {
                continue; // an empty library: nothing to send
            };
            let mail = ReflectionPrompt {
                name: person.profile.name.clone(),
                question: prompt.body.clone(),
                prompt: prompt.id.to_string(),
                cadence: s.cadence.label().to_lowercase(),
            };
            self.queue_mail(&mut tx, Some(person.id), person.email.as_str(), &mail)
                .await?;
            sent += 1;
        }
        tx.commit().await?;
        Ok(sent)
    }

    /// The actor's reflection prompts waiting for an answer: the scheduled
    /// one, and each prompt assigned to one of their open rooms by someone
    /// else. `(title, link, since)`.
    pub(crate) async fn reflections_waiting(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        rooms: &[RoomId],
    ) -> AppResult<Vec<(RoomPromptOrPrompt, i64)>> {
        let mut out = vec![];
        let schedule = self.reflection_schedule_in(tx, actor).await?;
        if let Some(p) = schedule.waiting {
            let at = tx
                .reflection_schedule(actor.person_id)
                .await?
                .and_then(|s| s.last_sent_at)
                .unwrap_or(p.created_at);
            out.push((RoomPromptOrPrompt::Prompt(p), at));
        }
        if rooms.is_empty() {
            return Ok(out);
        }
        let answered = tx.answered_room_prompts(actor.person_id).await?;
        for rp in tx.room_prompts_in(rooms).await? {
            if rp.assigned_by != Some(actor.person_id) && !answered.contains(&rp.id) {
                let at = rp.created_at;
                out.push((RoomPromptOrPrompt::Room(rp), at));
            }
        }
        Ok(out)
    }
}

/// A prompt waiting on someone: scheduled, or assigned to their room.
pub(crate) enum RoomPromptOrPrompt {
    /// Sent on their schedule.
    Prompt(PromptRecord),
    /// Assigned to one of their rooms.
    Room(RoomPromptRecord),
}

/// The prompt after `last` in the library's order, wrapping round; the
/// first when none was sent or `last` is retired. None for an empty library.
fn next_prompt(prompts: &[PromptRecord], last: Option<PromptId>) -> Option<&PromptRecord> {
    let after = last
        .and_then(|l| prompts.iter().position(|p| p.id == l))
        .map_or(0, |i| i + 1);
    prompts.get(after).or_else(|| prompts.first())
}

/// The reflection part of a person's data export: every answer they wrote
/// and every needs check they took. Only the person's own rows are read.
pub(crate) async fn export_of(
    tx: &mut Tx,
    person: rapport_domain::PersonId,
) -> AppResult<serde_json::Value> {
    let schedule = tx.reflection_schedule(person).await?;
    let answers: Vec<serde_json::Value> = tx
        .reflections_by(person)
        .await?
        .into_iter()
        .map(|a| {
            serde_json::json!({
                "id": a.id, "prompt": a.prompt_body, "visibility": a.visibility.code(),
                "room_id": a.room_id, "shared_thread_id": a.shared_thread_id,
                "body": a.body, "created_at": a.created_at,
            })
        })
        .collect();
    let checks: Vec<serde_json::Value> = tx
        .needs_checks_by(person)
        .await?
        .into_iter()
        .map(|n| {
            let a = rapport_domain::needs::assess(&n.answers);
            serde_json::json!({
                "id": n.id, "scores": n.answers.scores(), "result": a.gap.code(),
                "leadership_mean": a.leadership_mean, "mentorship_mean": a.mentorship_mean,
                "created_at": n.created_at,
            })
        })
        .collect();
    Ok(serde_json::json!({
        "schedule": schedule.map_or("never", |s| s.cadence.code()),
        "answers": answers,
        "needs_checks": checks,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt(n: u128) -> PromptRecord {
        PromptRecord {
            id: PromptId(uuid::Uuid::from_u128(n)),
            theme: PromptTheme::Other,
            body: format!("Prompt {n}"),
            retired_at: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn prompts_go_out_in_order_and_wrap_round() {
        let all = [prompt(1), prompt(2), prompt(3)];
        assert_eq!(next_prompt(&all, None).unwrap().id, all[0].id);
        assert_eq!(next_prompt(&all, Some(all[0].id)).unwrap().id, all[1].id);
        assert_eq!(next_prompt(&all, Some(all[2].id)).unwrap().id, all[0].id);
        // A retired (so missing) last prompt starts again at the first.
        assert_eq!(
            next_prompt(&all, Some(PromptId::new())).unwrap().id,
            all[0].id
        );
        assert!(next_prompt(&[], None).is_none());
    }

    #[test]
    fn bad_prompts_name_every_field() {
        let bad = PromptInput {
            theme: "misc".into(),
            body: " ".into(),
            retired: false,
        };
        match parse_prompt(&bad) {
            Err(AppError::Invalid(e)) => {
                let f: Vec<_> = e.iter().map(|e| e.field).collect();
                assert_eq!(f, ["theme", "body"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_body("<script>x</script>"),
            Err(AppError::Invalid(_))
        ));
    }
}
