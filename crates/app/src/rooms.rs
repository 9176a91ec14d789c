//! Rooms: one mentorship with N members (a pair, a group or a circle).
//!
//! A room proposed by a round waits for every member to accept. A decline
//! drops that member, who returns to the pool. When everyone left has
//! accepted and the room still has what its kind needs (a mentor and a
//! mentee, two peers, or the smallest circle), it becomes active; when it no
//! longer can, it ends and its people return to the pool. Everyone hears.

use crate::emails::{RoomChange, RoomChanged};
use crate::rounds::ExplanationLine;
use crate::{App, AppError, AppResult};
use rapport_domain::mentoring::{EndReason, MemberState, RoomEventKind, RoomStatus};
use rapport_domain::policy::Actor;
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole};
use rapport_domain::RoomId;
use rapport_store::{MemberRecord, ProgrammeRecord, RoomRecord, Tx};
use serde::Serialize;

/// Smallest circle that can meet.
pub const MIN_CIRCLE: usize = 3;

/// A room as one viewer sees it.
#[derive(Clone, Debug, Serialize)]
pub struct RoomView {
    /// The room and its members.
    #[serde(skip)]
    pub room: RoomRecord,
    /// Programme name.
    pub programme_name: String,
    /// Programme slug.
    pub programme_slug: String,
    /// Programme kind.
    pub programme_kind: ProgrammeKind,
    /// The viewer's own answer, if they are a member.
    pub my_state: Option<MemberState>,
    /// Whether the viewer manages the programme.
    pub manager: bool,
    /// Why this match was proposed: the full explanation for managers, the
    /// member-safe one for members.
    pub explanation: Option<Vec<ExplanationLine>>,
    /// The re-match links the viewer may follow (the person re-matched and
    /// the programme's managers): see [`crate::rematch::RematchLinks`].
    pub rematch: crate::rematch::RematchLinks,
}

/// Whether the members who have not declined still make a room of `kind`.
pub fn viable(kind: ProgrammeKind, members: &[MemberRecord]) -> bool {
    let live: Vec<&MemberRecord> = members
        .iter()
        .filter(|m| matches!(m.state, MemberState::Invited | MemberState::Accepted))
        .collect();
    let count = |r: ProgrammeRole| live.iter().filter(|m| m.role == r).count();
    match kind {
        ProgrammeKind::Peer => count(ProgrammeRole::Peer) >= 2,
        ProgrammeKind::Circle => count(ProgrammeRole::Peer) >= MIN_CIRCLE,
        _ => count(ProgrammeRole::Mentor) >= 1 && count(ProgrammeRole::Mentee) >= 1,
    }
}

/// How long after a room ends its closure survey and the feedback on its
/// last held session may still be written.
pub const GRACE_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// One actor's standing in one room, read once at the start of every room use
/// case ([`App::room_access`]): who they are to the room and what it allows.
#[derive(Clone, Debug)]
pub struct RoomAccess {
    /// The room and its members.
    pub room: RoomRecord,
    /// Its programme.
    pub programme: ProgrammeRecord,
    /// The actor manages the programme, or is an admin.
    pub manager: bool,
    /// The actor's own membership, in any state (a member who declined or
    /// left still reads the room's history).
    pub me: Option<MemberRecord>,
}

impl RoomAccess {
    /// The actor is a current member: invited or accepted, not declined or left.
    pub fn is_member(&self) -> bool {
        self.me.as_ref().is_some_and(|m| m.state.holds_seat())
    }

    /// The actor is a current mentor or facilitator of the room.
    pub fn leads(&self) -> bool {
        self.is_member()
            && self.me.as_ref().is_some_and(|m| {
                matches!(m.role, ProgrammeRole::Mentor | ProgrammeRole::Facilitator)
            })
    }

    /// Writes need an active or paused room: a proposed room opens when every
    /// member accepts, and an ended one stays readable but fixed. The 409
    /// names the room's state.
    pub fn writable(&self) -> AppResult<()> {
        match self.room.status {
            RoomStatus::Active | RoomStatus::Paused => Ok(()),
            RoomStatus::Proposed => Err(AppError::Conflict {
                field: None,
                message: "this room is proposed; it opens when every member has accepted".into(),
            }),
            s => Err(AppError::Conflict {
                field: None,
                message: format!(
                    "this room is {}; it can be read but no longer changed",
                    s.code().replace('_', " ")
                ),
            }),
        }
    }

    /// Like [`RoomAccess::writable`], and the actor must be a current member:
    /// the member record, or 403 for a manager who is not one.
    pub fn member_writes(&self) -> AppResult<&MemberRecord> {
        self.writable()?;
        match &self.me {
            Some(m) if m.state.holds_seat() => Ok(m),
            _ => Err(AppError::Forbidden(
                "only the room's members can do that".into(),
            )),
        }
    }

    /// For the closure survey and feedback on the last held session: an open
    /// room, or one that ended less than [`GRACE_MS`] ago.
    pub fn within_grace(&self, now: i64) -> AppResult<()> {
        if self.room.status.is_open() && self.room.status != RoomStatus::Proposed {
            return Ok(());
        }
        match self.room.ended_at {
            Some(end) if now - end <= GRACE_MS => Ok(()),
            _ => self.writable(),
        }
    }
}

impl App {
    /// The actor's standing in room `id`: for its members (in any state) and
    /// the programme's managers; anyone else, and any room that does not
    /// exist, 404 with the same words, so ids cannot be probed.
    pub(crate) async fn room_access(
        &self,
        tx: &mut rapport_store::Tx,
        actor: &Actor,
        id: RoomId,
    ) -> AppResult<RoomAccess> {
        let not_found = || AppError::NotFound("that room was not found".into());
        let room = tx.room(id).await?.ok_or_else(not_found)?;
        let programme = tx
            .programme(room.programme_id)
            .await?
            .ok_or_else(not_found)?;
        let manager = actor.is_admin || actor.has_role(programme.id, ProgrammeRole::Manager);
        let me = room
            .members
            .iter()
            .find(|m| m.person_id == actor.person_id)
            .cloned();
        if me.is_none() && !manager {
            return Err(not_found());
        }
        Ok(RoomAccess {
            room,
            programme,
            manager,
            me,
        })
    }

    /// A room, for its members and the programme's managers; anyone else 404.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %id))]
    pub async fn room(&self, actor: &Actor, id: RoomId) -> AppResult<RoomView> {
        let mut tx = self.store.read().await?;
        let access = self.room_access(&mut tx, actor, id).await?;
        self.room_view_in(&mut tx, actor, access).await
    }

    /// [`App::room`] inside `tx`, for a viewer whose access is known.
    pub(crate) async fn room_view_in(
        &self,
        tx: &mut rapport_store::Tx,
        actor: &Actor,
        access: RoomAccess,
    ) -> AppResult<RoomView> {
        let RoomAccess {
            room,
            programme: p,
            manager,
            ..
        } = access;
        let my_state = room
            .members
            .iter()
            .find(|m| m.person_id == actor.person_id)
            .map(|m| m.state);
        let ids: Vec<_> = room.members.iter().map(|m| m.person_id).collect();
        let explanation = self
            .room_explanation(tx, p.id, room.round_id, &ids, manager && my_state.is_none())
            .await?;
        let rematch = crate::rematch::links(tx, room.id, actor.person_id, manager).await?;
        Ok(RoomView {
            rematch,
            programme_name: p.name,
            programme_slug: p.slug.to_string(),
            programme_kind: p.kind,
            my_state,
            manager,
            explanation,
            room,
        })
    }

    /// The rooms the actor is a member of, newest first.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn my_rooms(&self, actor: &Actor) -> AppResult<Vec<(RoomRecord, String)>> {
        let mut tx = self.store.read().await?;
        self.my_rooms_in(&mut tx, actor).await
    }

    /// [`App::my_rooms`] in the caller's transaction.
    pub(crate) async fn my_rooms_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
    ) -> AppResult<Vec<(RoomRecord, String)>> {
        let rooms = tx.rooms_of(actor.person_id).await?;
        // Each programme's name read once: most people's rooms share one.
        let mut names: Vec<(rapport_domain::ProgrammeId, String)> = vec![];
        let mut out = vec![];
        for r in rooms {
            let name = match names.iter().find(|(id, _)| *id == r.programme_id) {
                Some((_, name)) => name.clone(),
                None => {
                    let name = tx
                        .programme(r.programme_id)
                        .await?
                        .map(|p| p.name)
                        .unwrap_or_default();
                    names.push((r.programme_id, name.clone()));
                    name
                }
            };
            out.push((r, name));
        }
        Ok(out)
    }

    /// A member accepts or declines a proposed room.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %id, accept = accept))]
    pub async fn answer_room(
        &self,
        actor: &Actor,
        id: RoomId,
        accept: bool,
    ) -> AppResult<RoomStatus> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let RoomAccess {
            mut room,
            programme: p,
            ..
        } = self.room_access(&mut tx, actor, id).await?;
        let Some(me) = room
            .members
            .iter_mut()
            .find(|m| m.person_id == actor.person_id)
        else {
            return Err(AppError::Forbidden(
                "only the room's members answer its proposal".into(),
            ));
        };
        if room.status != RoomStatus::Proposed {
            return Err(AppError::Conflict {
                field: None,
                message: format!(
                    "this room is {}; proposals are answered while it is proposed",
                    room.status.code().replace('_', " ")
                ),
            });
        }
        if me.state != MemberState::Invited {
            return Err(AppError::Conflict {
                field: None,
                message: format!(
                    "you already {} this proposal",
                    if me.state == MemberState::Accepted {
                        "accepted"
                    } else {
                        "declined"
                    }
                ),
            });
        }
        let my_name = me.name.clone();
        me.state = if accept {
            MemberState::Accepted
        } else {
            MemberState::Declined
        };
        tx.set_member_state(id, actor.person_id, me.state).await?;
        let answer = if accept {
            RoomEventKind::Accept
        } else {
            RoomEventKind::Decline
        };
        let proposed = Some(RoomStatus::Proposed);
        tx.insert_room_event(
            id,
            Some(actor.person_id),
            answer,
            proposed,
            RoomStatus::Proposed,
            None,
            None,
            now,
        )
        .await?;
        let status = if !viable(p.kind, &room.members) {
            let reason = format!(
                "{my_name} declined, so the room no longer has what a {} needs",
                p.kind.label().to_lowercase()
            );
            RoomStatus::Proposed
                .move_to(RoomStatus::EndedEarly)
                .map_err(|e| AppError::internal("a proposed room cannot end early", e))?;
            let end = Some((EndReason::Declined, Some(reason.as_str())));
            if !tx.end_room(id, RoomStatus::EndedEarly, end, now).await? {
                return Err(room_moved());
            }
            tx.insert_room_event(
                id,
                Some(actor.person_id),
                RoomEventKind::End,
                proposed,
                RoomStatus::EndedEarly,
                Some(EndReason::Declined),
                Some(&reason),
                now,
            )
            .await?;
            // A re-match's proposal that was declined: the next referral follows.
            self.next_referral(&mut tx, &p, id, now).await?;
            RoomStatus::EndedEarly
        } else if room.members.iter().all(|m| m.state != MemberState::Invited) {
            if !tx.end_room(id, RoomStatus::Active, None, now).await? {
                return Err(room_moved());
            }
            tx.insert_room_event(
                id,
                None,
                RoomEventKind::Activate,
                proposed,
                RoomStatus::Active,
                None,
                None,
                now,
            )
            .await?;
            // A re-match's room opened: the person's goals follow them.
            self.rematch_opened(&mut tx, id, now).await?;
            RoomStatus::Active
        } else {
            RoomStatus::Proposed
        };
        let change = match (status, accept) {
            (RoomStatus::Active, _) => Some(RoomChange::Active),
            (RoomStatus::EndedEarly, _) => Some(RoomChange::Cancelled {
                by: my_name.clone(),
            }),
            (_, false) => Some(RoomChange::Declined {
                by: my_name.clone(),
            }),
            _ => None,
        };
        if let Some(change) = change {
            let mut mail = RoomChanged {
                name: String::new(),
                programme: p.name.clone(),
                room: id.to_string(),
                change,
            };
            for m in room
                .members
                .iter()
                .filter(|m| m.person_id != actor.person_id || status == RoomStatus::Active)
            {
                mail.name = m.name.clone();
                self.queue_mail(&mut tx, Some(m.person_id), &m.email, &mail)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(status)
    }
}

/// The store refused a room move: someone moved the room after we read it.
fn room_moved() -> AppError {
    AppError::Conflict {
        field: None,
        message: "this room changed while you were answering; reload the page and try again".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_domain::PersonId;

    fn m(role: ProgrammeRole, state: MemberState) -> MemberRecord {
        MemberRecord {
            person_id: PersonId::new(),
            name: String::new(),
            email: String::new(),
            role,
            state,
        }
    }

    #[test]
    fn rooms_need_their_kind() {
        use MemberState::*;
        use ProgrammeRole::*;
        assert!(viable(
            ProgrammeKind::OneToOne,
            &[m(Mentor, Invited), m(Mentee, Accepted)]
        ));
        assert!(!viable(
            ProgrammeKind::OneToOne,
            &[m(Mentor, Declined), m(Mentee, Accepted)]
        ));
        assert!(viable(
            ProgrammeKind::Group,
            &[
                m(Mentor, Accepted),
                m(Mentee, Declined),
                m(Mentee, Accepted)
            ]
        ));
        assert!(!viable(
            ProgrammeKind::Peer,
            &[m(Peer, Accepted), m(Peer, Declined)]
        ));
        assert!(viable(
            ProgrammeKind::Circle,
            &[
                m(Peer, Accepted),
                m(Peer, Accepted),
                m(Peer, Invited),
                m(Peer, Declined)
            ]
        ));
        assert!(!viable(
            ProgrammeKind::Circle,
            &[m(Peer, Accepted), m(Peer, Accepted), m(Peer, Declined)]
        ));
    }
}
