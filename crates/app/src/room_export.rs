//! The rooms part of a person's data export: for every room they are or were
//! a member of, what they could read in it and what they wrote there.
//!
//! # Contract
//! - Included: the room's agreement (every version, with who confirmed it),
//!   its goals with milestones and comments (and the read-only snapshots a
//!   re-match left), its sessions with attendance, shared session notes and
//!   action items, the person's own session feedback and their own rapport
//!   pulse answers. Their notes, the room's messages and their closure
//!   answers come from [`crate::notes::export_of`] and
//!   [`crate::closure::export_of`].
//! - Never included: anyone else's session feedback or pulse answers (both
//!   are read filtered to the person in the query), anyone else's private
//!   note (notes are not read here at all), or other members' email
//!   addresses (members appear by name and role only).

use crate::AppResult;
use rapport_domain::{PersonId, RoomId};
use rapport_store::page::Start;
use rapport_store::Tx;
use serde_json::{json, Map, Value};

/// More rows than any one room holds: the export reads each list whole.
const ALL: i64 = 1_000_000;

/// Adds each room's contents to the room entries of an export (objects with
/// a `"room"` id, as `Tx::mentoring_of` lists them), in place.
pub(crate) async fn add_room_contents(
    tx: &mut Tx,
    person: PersonId,
    rooms: &mut [Value],
) -> AppResult<()> {
    let records = tx.rooms_of(person).await?;
    for entry in rooms.iter_mut() {
        let Some(obj) = entry.as_object_mut() else {
            continue;
        };
        let Some(id) = obj
            .get("room")
            .and_then(Value::as_str)
            .and_then(|s| uuid::Uuid::parse_str(s).ok())
            .map(RoomId)
        else {
            continue;
        };
        let Some(room) = records.iter().find(|r| r.id == id) else {
            continue;
        };
        obj.insert("started_at".into(), json!(room.started_at));
        obj.insert("paused_at".into(), json!(room.paused_at));
        obj.insert("ended_at".into(), json!(room.ended_at));
        obj.insert(
            "end_reason".into(),
            json!(room.end_reason.map(|r| r.code())),
        );
        obj.insert("end_note".into(), json!(room.end_note));
        obj.insert(
            "members".into(),
            room.members
                .iter()
                .map(|m| json!({"name": if m.person_id == person { "you".to_string() } else { m.name.clone() }, "role": m.role.code(), "state": m.state.code()}))
                .collect(),
        );
        contents(tx, person, id, obj).await?;
    }
    Ok(())
}

async fn contents(
    tx: &mut Tx,
    person: PersonId,
    room: RoomId,
    obj: &mut Map<String, Value>,
) -> AppResult<()> {
    let mut agreement = vec![];
    for a in tx.agreement_versions_all(room).await? {
        let confirmed: Vec<Value> = tx
            .agreement_confirmations(a.id)
            .await?
            .into_iter()
            .map(|c| json!({"by_you": c.person_id == person, "confirmed_at": c.confirmed_at}))
            .collect();
        agreement.push(json!({
            "version": a.version, "duration": a.duration.describe(), "cadence": a.cadence.code(),
            "format": a.format.code(), "mentee_wants": a.mentee_wants, "expectations": a.expectations,
            "confidentiality": a.confidentiality, "ending": a.ending,
            "changed_by": if a.changed_by == Some(person) { Some("you".to_string()) } else { a.changed_by_name },
            "created_at": a.created_at, "confirmations": confirmed,
        }));
    }
    obj.insert("agreement_versions".into(), agreement.into());

    let mut goals = vec![];
    for g in tx.goals_page(room, Start::Offset(0), ALL).await?.items {
        let milestones: Vec<Value> = tx
            .milestones_of(g.id)
            .await?
            .into_iter()
            .map(|m| json!({"title": m.title, "due_date": m.due_date.map(|d| d.to_string()), "done": m.done, "done_at": m.done_at, "created_at": m.created_at}))
            .collect();
        let comments: Vec<Value> = tx
            .goal_comments_page(g.id, Start::Offset(0), ALL)
            .await?
            .items
            .into_iter()
            .rev()
            .map(|c| json!({"author": if c.author_id == Some(person) { "you".to_string() } else { c.author_name.unwrap_or_else(|| "a former member".into()) }, "body": c.body, "created_at": c.created_at}))
            .collect();
        goals.push(json!({
            "id": g.id.0, "owner": if g.owner_id == Some(person) { Some("you".to_string()) } else { g.owner_name },
            "title": g.title, "description": g.description, "success_criteria": g.success_criteria,
            "target_date": g.target_date.map(|d| d.to_string()), "status": g.status.code(), "progress": g.progress,
            "created_at": g.created_at, "updated_at": g.updated_at,
            "milestones": milestones, "comments": comments,
        }));
    }
    obj.insert("goals".into(), goals.into());
    let snapshots: Vec<Value> = tx
        .goal_snapshots(room)
        .await?
        .into_iter()
        .map(|s| json!({"goal_id": s.goal_id.0, "moved_to_room": s.moved_to.0, "snapshot": s.snapshot, "created_at": s.created_at}))
        .collect();
    obj.insert("goals_moved_on".into(), snapshots.into());

    let mut sessions = vec![];
    for s in tx.sessions_of_room(room).await? {
        let attendance: Vec<Value> = tx
            .attendance(s.id)
            .await?
            .into_iter()
            .map(|(p, a)| json!({"you": p == person, "attendance": a.code()}))
            .collect();
        let notes = tx.session_notes(s.id).await?.map(
            |n| json!({"body": n.body, "updated_at": n.updated_at, "updated_by_you": n.updated_by == Some(person)}),
        );
        let actions: Vec<Value> = tx
            .action_items_of_session(s.id)
            .await?
            .into_iter()
            .map(|a| json!({"title": a.title, "yours": a.owner_id == Some(person), "due_on": a.due_on.map(|d| d.to_string()), "done_at": a.done_at, "created_at": a.created_at}))
            .collect();
        // Feedback is blind: only the person's own is read at all.
        let feedback: Vec<Value> = tx
            .session_feedback(s.id, Some(person))
            .await?
            .into_iter()
            .filter(|f| f.person_id == person)
            .map(|f| json!({"rating": f.rating, "comment": f.comment, "created_at": f.created_at}))
            .collect();
        sessions.push(json!({
            "id": s.id.0, "starts_at": s.starts_at, "minutes": s.minutes, "zone": s.zone.as_str(),
            "agenda": s.agenda, "link": s.link, "place": s.place, "status": s.status.code(),
            "cancelled_by_you": s.cancelled_by == Some(person), "cancel_reason": s.cancel_reason,
            "attendance": attendance, "shared_notes": notes, "action_items": actions,
            "your_feedback": feedback,
        }));
    }
    obj.insert("sessions".into(), sessions.into());

    // Pulse answers reach managers only, through health: the person gets
    // their own and nobody else's.
    let pulses: Vec<Value> = tx
        .pulses_of(room, person)
        .await?
        .into_iter()
        .filter(|p| p.person_id == person)
        .map(|p| json!({"check_in": p.round + 1, "answers": p.answers, "comment": p.comment, "answered_at": p.answered_at}))
        .collect();
    obj.insert("your_pulse_answers".into(), pulses.into());
    Ok(())
}
