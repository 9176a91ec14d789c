//! The rapport pulse: each member answers, for themselves, the check-in that
//! is open (see [`rapport_domain::pulse::pulse_due`] for the schedule).
//!
//! - **Only when due.** A member answers the pulse that is open, once.
//!   Answering early is refused (409, saying when the next one opens): every
//!   side answers the same pulse in the same window, so the rules that
//!   compare sides and follow an item over time compare like with like.
//! - **Private.** A member reads their own answers only. Nobody else reads
//!   them here: the programme's managers see them through the room's health
//!   (its reasons name the item and the side) and nowhere else.
//! - **Never in the way.** Nothing else in a room waits for a pulse.

use crate::{markdown, Actor, App, AppError, AppResult};
use rapport_domain::mentoring::RoomStatus;
use rapport_domain::pulse::{next_pulse, pulse_due, DuePulse, PulseAnswers, PulseScore, Working};
use rapport_domain::{Invalid, PulseId, RoomId};
use rapport_store::{PulseRecord, Tx};

/// Longest comment, in characters.
pub const COMMENT_MAX: usize = 2000;

/// A member's answers as they typed them; every field is checked.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PulseInput {
    /// I can be myself in this relationship (1–5).
    pub genuineness: Option<i64>,
    /// I feel understood (1–5).
    pub empathy: Option<i64>,
    /// I feel accepted, strengths and flaws alike (1–5).
    pub acceptance: Option<i64>,
    /// This mentorship is working for me: `yes`, `not_sure` or `no`.
    pub working: Option<String>,
    /// Anything else, in their own words (Markdown, optional).
    pub comment: String,
}

/// One of the member's own past answers.
#[derive(Clone, Debug)]
pub struct MyPulse {
    /// The stored answers.
    pub record: PulseRecord,
    /// The comment, rendered.
    pub comment_html: String,
}

/// The pulse as one member sees it: what is open, and their own answers.
#[derive(Clone, Debug)]
pub struct PulseView {
    /// The room.
    pub room_id: RoomId,
    /// The room's status.
    pub status: RoomStatus,
    /// The pulse open now, if any.
    pub due: Option<DuePulse>,
    /// The member has answered the open pulse.
    pub answered: bool,
    /// When the next pulse opens, if known (none until a session is held).
    pub next_opens_at: Option<i64>,
    /// The member's own answers, newest first.
    pub mine: Vec<MyPulse>,
}

impl PulseView {
    /// Whether the form is shown: a pulse is open, unanswered, and the room
    /// can be written.
    pub fn can_answer(&self) -> bool {
        self.due.is_some() && !self.answered && self.status.is_under_way()
    }
}

/// Parses the input, naming every bad field at once.
fn parse(input: &PulseInput) -> AppResult<(PulseAnswers, String)> {
    let mut errors: Vec<Invalid> = vec![];
    let mut score = |field: &'static str, raw: Option<i64>| match raw {
        Some(v) => PulseScore::parse(field, v).map_err(|e| errors.push(e)).ok(),
        None => {
            errors.push(Invalid::new(field, "give a score from 1 to 5"));
            None
        }
    };
    let (g, e, a) = (
        score("genuineness", input.genuineness),
        score("empathy", input.empathy),
        score("acceptance", input.acceptance),
    );
    let working = match input.working.as_deref() {
        Some(w) => Working::parse(w).map_err(|e| errors.push(e)).ok(),
        None => {
            errors.push(Invalid::new("working", "answer yes, not_sure or no"));
            None
        }
    };
    let comment = input.comment.trim().to_string();
    if comment.chars().count() > COMMENT_MAX {
        errors.push(Invalid::new(
            "comment",
            format!("must be at most {COMMENT_MAX} characters"),
        ));
    } else if let Err(AppError::Invalid(mut e)) = markdown::check("comment", &comment) {
        errors.append(&mut e);
    }
    match (g, e, a, working) {
        (Some(genuineness), Some(empathy), Some(acceptance), Some(working))
            if errors.is_empty() =>
        {
            Ok((
                PulseAnswers {
                    genuineness,
                    empathy,
                    acceptance,
                    working,
                },
                comment,
            ))
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

impl App {
    /// Start of the room's first held session at or before `now`.
    async fn first_held_at(&self, tx: &mut Tx, room: RoomId, now: i64) -> AppResult<Option<i64>> {
        Ok(tx
            .sessions_of_room(room)
            .await?
            .iter()
            .filter(|s| {
                s.status == rapport_domain::mentoring::SessionStatus::Held && s.starts_at <= now
            })
            .map(|s| s.starts_at)
            .min())
    }

    /// The pulse for the actor, a member of room `id`: what is open and their
    /// own past answers. 403 for a manager who is not a member (managers see
    /// the pulse only through the room's health); 404 for anyone else.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %id))]
    pub async fn my_pulse(&self, actor: &Actor, id: RoomId) -> AppResult<PulseView> {
        let mut tx = self.store.read().await?;
        self.my_pulse_in(&mut tx, actor, id).await
    }

    /// [`App::my_pulse`] in the caller's transaction.
    pub(crate) async fn my_pulse_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: RoomId,
    ) -> AppResult<PulseView> {
        let now = self.now();
        let access = self.room_access(tx, actor, id).await?;
        if access.me.is_none() {
            return Err(AppError::Forbidden(
                "only the room's members answer its rapport check-in; managers see it through the room's health".into(),
            ));
        }
        let room = &access.room;
        let rules = &access.programme.room_rules;
        let held = self.first_held_at(tx, id, now).await?;
        let open = room.status.is_under_way();
        let started = room.started_at.or(Some(room.created_at));
        let due = open.then(|| pulse_due(started, held, rules, now)).flatten();
        let mine: Vec<MyPulse> = tx
            .pulses_of(id, actor.person_id)
            .await?
            .into_iter()
            .map(|record| MyPulse {
                comment_html: markdown::render(&record.comment),
                record,
            })
            .collect();
        let answered = due.is_some_and(|d| mine.iter().any(|p| p.record.round == d.round));
        Ok(PulseView {
            room_id: id,
            status: room.status,
            due,
            answered,
            next_opens_at: open
                .then(|| next_pulse(started, held, rules, now))
                .flatten(),
            mine,
        })
    }

    /// A member answers the open pulse of room `id`, once. 422 naming each
    /// bad field (a score of 6 names it); 409 when no pulse is open, when
    /// they already answered it, or when the room is not open; 403 for a
    /// manager who is not a member. The room's health is reassessed at once.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %id))]
    pub async fn answer_pulse(
        &self,
        actor: &Actor,
        id: RoomId,
        input: &PulseInput,
    ) -> AppResult<PulseRecord> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let access = self.room_access(&mut tx, actor, id).await?;
        let me = access.member_writes()?.clone();
        let (answers, comment) = parse(input)?;
        let rules = &access.programme.room_rules;
        let held = self.first_held_at(&mut tx, id, now).await?;
        let started = access.room.started_at.or(Some(access.room.created_at));
        let Some(due) = pulse_due(started, held, rules, now) else {
            let message = if held.is_none() {
                format!(
                    "no rapport check-in is open yet: the first opens {} days after the room started, once you have held a session",
                    rules.pulse_first_day
                )
            } else {
                format!(
                    "no rapport check-in is open yet: the first opens {} days after the room started",
                    rules.pulse_first_day
                )
            };
            return Err(AppError::Conflict {
                field: None,
                message,
            });
        };
        let record = PulseRecord {
            id: PulseId::new(),
            room_id: id,
            person_id: actor.person_id,
            round: due.round,
            role: me.role,
            answers,
            comment,
            answered_at: now,
        };
        if !tx.insert_pulse(&record).await? {
            return Err(AppError::Conflict {
                field: None,
                message: format!(
                    "you already answered this check-in; the next one opens {} days after it",
                    rules.pulse_every_days
                ),
            });
        }
        self.refresh_health(&mut tx, id, now).await?;
        tx.commit().await?;
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> PulseInput {
        PulseInput {
            genuineness: Some(4),
            empathy: Some(5),
            acceptance: Some(3),
            working: Some("not_sure".into()),
            comment: "Going *well*.".into(),
        }
    }

    fn fields(e: AppError) -> Vec<&'static str> {
        match e {
            AppError::Invalid(v) => v.into_iter().map(|i| i.field).collect(),
            other => panic!("not invalid: {other:?}"),
        }
    }

    #[test]
    fn every_bad_field_is_named() {
        let (a, c) = parse(&good()).unwrap();
        assert_eq!(a.empathy.get(), 5);
        assert_eq!(a.working, Working::NotSure);
        assert_eq!(c, "Going *well*.");
        let six = PulseInput {
            empathy: Some(6),
            ..good()
        };
        assert_eq!(fields(parse(&six).unwrap_err()), vec!["empathy"]);
        let many = PulseInput {
            genuineness: Some(0),
            acceptance: None,
            working: Some("maybe".into()),
            comment: "<script>alert(1)</script>".into(),
            ..good()
        };
        assert_eq!(
            fields(parse(&many).unwrap_err()),
            vec!["genuineness", "acceptance", "working", "comment"]
        );
        let long = PulseInput {
            comment: "x".repeat(COMMENT_MAX + 1),
            ..good()
        };
        assert_eq!(fields(parse(&long).unwrap_err()), vec!["comment"]);
    }
}
