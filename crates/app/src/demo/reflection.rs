//! The demo's reflection and needs checks (issue 19), written through the
//! use cases after the rooms' story: the demo mentor assigns a prompt to
//! their mentee's room; the mentee keeps a weekly schedule, answers the room
//! prompt for the room and a library prompt privately; the mentor reflects
//! privately too; the mentee has taken the needs check twice (a mentorship
//! gap, then both), and the peer once (a leadership gap).

use super::DemoRooms;
use crate::needs::NeedsInput;
use crate::reflection::AnswerInput;
use crate::{App, AppError, AppResult};
use rapport_domain::PersonId;

/// Seeded prompts (migration 0020) the demo people answer.
const MENTOR_SHAPED_ME: &str = "7e5f0000-0000-4000-8000-000000000002";
const HARD_FEEDBACK: &str = "7e5f0000-0000-4000-8000-000000000007";
const STEPPED_UP: &str = "7e5f0000-0000-4000-8000-000000000013";

async fn person(app: &App, email: &str) -> AppResult<PersonId> {
    let mut tx = app.store.read().await?;
    tx.person_by_email(email)
        .await?
        .map(|p| p.id)
        .ok_or_else(|| AppError::internal_msg(format!("the demo has no {email}")))
}

fn needs(scores: [i64; 8]) -> NeedsInput {
    NeedsInput {
        scores: scores.map(Some),
    }
}

fn answer(body: &str, visibility: &str, room_prompt: Option<String>) -> AnswerInput {
    AnswerInput {
        body: body.into(),
        visibility: visibility.into(),
        room_prompt_id: room_prompt,
        thread_id: None,
    }
}

/// Writes the demo's reflections (see the module docs).
pub(super) async fn seed_reflection(app: &App, rooms: &DemoRooms) -> AppResult<()> {
    let mentor = app.actor(person(app, &rooms.mentor_email).await?).await?;
    let mentee = app.actor(person(app, &rooms.mentee_email).await?).await?;
    let peer = app.actor(person(app, &rooms.peer_email).await?).await?;
    // Their needs checks: the mentee's first named a mentorship gap, the
    // latest both.
    app.take_needs_check(&mentee, &needs([2, 5, 2, 4, 1, 5, 2, 4]))
        .await?;
    app.take_needs_check(&mentee, &needs([4, 4, 3, 5, 4, 4, 4, 3]))
        .await?;
    app.take_needs_check(&peer, &needs([5, 2, 4, 2, 4, 1, 5, 3]))
        .await?;
    app.set_reflection_schedule(&mentee, "weekly").await?;
    app.set_reflection_schedule(&mentor, "fortnightly").await?;
    app.answer_prompt(
        &mentor,
        MENTOR_SHAPED_ME.parse().map_err(|e| AppError::internal("demo prompt id", e))?,
        &answer(
            "My first manager never answered a question straight away; she asked what I had tried. I do the same now, but I say *why* I am asking, because without that it can feel like a test.",
            "private",
            None,
        ),
    )
    .await?;
    app.answer_prompt(
        &mentee,
        HARD_FEEDBACK.parse().map_err(|e| AppError::internal("demo prompt id", e))?,
        &answer(
            "In my first review I was told I *rescue* people instead of letting them struggle. I was annoyed for a week. Now I count to ten in stand-ups before I offer an answer, and two people on the team have started to speak first.",
            "private",
            None,
        ),
    )
    .await?;
    // The mentor's healthy room with the mentee gets a prompt; the mentee
    // shares their answer with the room.
    let shared = app
        .my_rooms(&mentee)
        .await?
        .into_iter()
        .map(|(r, _)| r)
        .find(|r| {
            r.status.is_under_way() && r.members.iter().any(|m| m.person_id == mentor.person_id)
        });
    if let Some(room) = shared {
        let rp = app.assign_room_prompt(&mentor, room.id, STEPPED_UP).await?;
        app.answer_prompt(
            &mentee,
            rp.prompt_id,
            &answer(
                "I stopped fixing the build myself. I am still writing every status report alone, which belongs to my old role: I will ask Sam to draft the next one.",
                "room",
                Some(rp.id.to_string()),
            ),
        )
        .await?;
    }
    Ok(())
}
