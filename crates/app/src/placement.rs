//! Placing the people a round left unplaced: the fixes a manager can act on
//! (issue 18 §6). A fix is either "raise this mentor's capacity", done here,
//! or "invite mentors like these", which the round page turns into a
//! prefilled invitation.

use crate::enrolment::save_enrolment;
use crate::{App, AppError, AppResult};
use rapport_domain::mentoring::EnrolmentStatus;
use rapport_domain::policy::Actor;
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::PersonId;
use rapport_matching::pipeline::UnmatchedKind;
use rapport_store::EnrolmentView;
use std::collections::HashMap;

/// The fix when the engine has no mentor template for someone.
pub fn fallback_fix(kind: UnmatchedKind) -> &'static str {
    match kind {
        UnmatchedKind::NoEligibleMentor => {
            "Invite a mentor who meets the programme's rules for them, relax the setting that rules mentors out, or offer them a place in a group."
        }
        UnmatchedKind::MentorsFull => {
            "Give one of the mentors who suit them room for one more mentee, invite another mentor like them, or offer them a place in a group."
        }
    }
}

/// Peers: nobody else is waiting.
pub const PEER_FIX_ALONE: &str = "Enrol more peers, then run matching again.";
/// Peers: nobody passes the rules with them.
pub const PEER_FIX_NONE: &str = "Enrol a peer at their level who shares a language and free hours with them, or relax the setting that rules peers out.";
/// Peers: the odd one out.
pub const PEER_FIX_ODD: &str =
    "Enrol one more compatible peer, or place them in a peer circle instead.";
/// Circles: too few for another circle.
pub const PEER_FIX_CIRCLE: &str =
    "Enrol more peers at their level, or pair them with one peer instead.";

/// The largest capacity a manager may give a mentor (the same bound members have).
pub const MAX_CAPACITY: i32 = 50;

/// A prefilled invitation to mentors who would place someone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    /// The subject line.
    pub subject: String,
    /// The message.
    pub body: String,
}

impl Invitation {
    /// A `mailto:` link that opens the manager's mail program with the
    /// invitation filled in (RFC 6068: every byte outside the unreserved set
    /// is percent-encoded).
    pub fn mailto(&self) -> String {
        format!(
            "mailto:?subject={}&body={}",
            percent(&self.subject),
            percent(&self.body)
        )
    }
}

/// Percent-encodes every byte outside the URL's unreserved set (RFC 3986).
pub fn percent(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A full mentor whose capacity the manager can raise by one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaiseOffer {
    /// The mentor.
    pub person_id: PersonId,
    /// Their name.
    pub name: String,
    /// Their capacity after the raise.
    pub to: i32,
}

/// One person a round left unplaced, with the actions that would place them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnplacedActions {
    /// Their name.
    pub name: String,
    /// Why, in sentences.
    pub reason: String,
    /// What would place them.
    pub fix: Option<String>,
    /// An invitation to mentors like the fix describes.
    pub invite: Option<Invitation>,
    /// Named full mentors: one more place with any of them places this person.
    pub raise: Vec<RaiseOffer>,
}

/// The raise offers for someone the round left out: each full mentor who
/// suits them, is still an approved mentor (or facilitator) of the programme
/// and is below [`MAX_CAPACITY`], offered at their current capacity plus one.
/// Mentors who left or were refused since the round ran are not offered.
pub fn raise_offers(
    full_mentors: &[crate::rounds::ProposalMember],
    enrolments: &[EnrolmentView],
) -> Vec<RaiseOffer> {
    let capacity: HashMap<PersonId, i32> = enrolments
        .iter()
        .filter(|v| {
            matches!(
                v.enrolment.role,
                ProgrammeRole::Mentor | ProgrammeRole::Facilitator
            ) && v.enrolment.status == EnrolmentStatus::Approved
        })
        .map(|v| (v.enrolment.person_id, v.enrolment.capacity))
        .collect();
    full_mentors
        .iter()
        .filter_map(|m| {
            let now = *capacity.get(&m.person_id)?;
            (now < MAX_CAPACITY).then(|| RaiseOffer {
                person_id: m.person_id,
                name: m.name.clone(),
                to: now + 1,
            })
        })
        .collect()
}

impl App {
    /// The people `round` left unplaced in the programme (`name`, `slug`),
    /// each with the actions a manager can take: raise a named full mentor's
    /// capacity by one ([`raise_offers`]) or send an invitation to mentors
    /// like the fix describes. `enrolments` is the programme's list as
    /// [`App::enrolments`] answers it to a manager, so the permission check
    /// has already been made.
    pub fn unplaced_actions(
        &self,
        (name, slug): (&str, &str),
        round: Option<&crate::rounds::RoundView>,
        enrolments: &[EnrolmentView],
    ) -> Vec<UnplacedActions> {
        let Some(round) = round else { return vec![] };
        round
            .result
            .unmatched
            .iter()
            .map(|u| UnplacedActions {
                name: u.name.clone(),
                reason: u.reason.clone(),
                fix: u.fix.clone(),
                invite: u
                    .fix
                    .as_deref()
                    .map(|f| self.recruiting_invitation(name, slug, f)),
                raise: raise_offers(&u.full_mentors, enrolments),
            })
            .collect()
    }

    /// The invitation a manager sends to recruit mentors like the ones `fix`
    /// describes, with a link to enrol in the programme.
    pub fn recruiting_invitation(&self, programme: &str, slug: &str, fix: &str) -> Invitation {
        Invitation {
            subject: format!("Mentors wanted for {programme}"),
            body: format!(
                "Hello,\n\nWe are looking for mentors for {programme}. What we need: {fix}\n\n\
                 If this could be you, enrol as a mentor here: {}/programmes/{slug}\n\nThank you!",
                self.config.base_url
            ),
        }
    }

    /// A manager sets how many mentees an approved mentor (or facilitator)
    /// takes in their programme, usually to place someone a round left out.
    /// Refused below the mentor's current number of mentees. Audited.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, mentor = %mentor))]
    pub async fn set_mentor_capacity(
        &self,
        actor: &Actor,
        slug: &str,
        mentor: PersonId,
        capacity: &str,
    ) -> AppResult<i32> {
        let capacity = capacity
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|n| (1..=MAX_CAPACITY).contains(n))
            .ok_or_else(|| {
                AppError::invalid(
                    "capacity",
                    format!("Enter how many mentees they can take, from 1 to {MAX_CAPACITY}."),
                )
            })?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let mut found = None;
        for role in [ProgrammeRole::Mentor, ProgrammeRole::Facilitator] {
            if let Some(e) = tx
                .enrolment(p.id, mentor, role)
                .await?
                .filter(|e| e.status == EnrolmentStatus::Approved)
            {
                found = Some(e);
                break;
            }
        }
        let mut e = found.ok_or_else(|| {
            AppError::NotFound("that person is not an approved mentor in this programme".into())
        })?;
        let load = tx.mentor_load(p.id, mentor).await?;
        if i64::from(capacity) < load {
            return Err(AppError::invalid(
                "capacity",
                format!(
                    "They already mentor {load} {} here; enter at least {load}.",
                    if load == 1 { "person" } else { "people" }
                ),
            ));
        }
        let before = e.capacity;
        e.capacity = capacity;
        save_enrolment(&mut tx, &e, now).await?;
        self.audit_by(
            &mut tx,
            actor,
            "enrolment.capacity",
            format!("programme:{}", p.slug),
            Some(serde_json::json!({"person": mentor.to_string(), "capacity": before})),
            Some(serde_json::json!({"person": mentor.to_string(), "capacity": capacity})),
        )
        .await?;
        tx.commit().await?;
        Ok(capacity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rounds::ProposalMember;
    use rapport_store::EnrolmentRecord;

    fn enrolled(
        person: PersonId,
        role: ProgrammeRole,
        status: EnrolmentStatus,
        capacity: i32,
    ) -> EnrolmentView {
        EnrolmentView {
            enrolment: EnrolmentRecord {
                id: Default::default(),
                programme_id: Default::default(),
                person_id: person,
                role,
                status,
                capacity,
                answers: Default::default(),
                preferences: Default::default(),
                consent_sensitive: false,
                created_at: 0,
                conduct_accepted_at: None,
                decided_at: None,
            },
            name: "Someone".into(),
            email: "someone@example.org".into(),
            self_efficacy: None,
        }
    }

    /// Full mentors are offered one more place; mentors at the limit, no
    /// longer approved, or no longer mentors are not.
    #[test]
    fn raise_offers_add_one_place_to_approved_mentors_below_the_limit() {
        let [a, b, c, d, e] = [(); 5].map(|_| PersonId::new());
        let full: Vec<ProposalMember> = [a, b, c, d, e]
            .iter()
            .map(|&p| ProposalMember {
                person_id: p,
                name: format!("M {p}"),
                role: ProgrammeRole::Mentor,
            })
            .collect();
        let list = vec![
            enrolled(a, ProgrammeRole::Mentor, EnrolmentStatus::Approved, 2),
            enrolled(b, ProgrammeRole::Facilitator, EnrolmentStatus::Approved, 4),
            enrolled(
                c,
                ProgrammeRole::Mentor,
                EnrolmentStatus::Approved,
                MAX_CAPACITY,
            ),
            enrolled(d, ProgrammeRole::Mentor, EnrolmentStatus::Waitlisted, 1),
            enrolled(e, ProgrammeRole::Mentee, EnrolmentStatus::Approved, 1),
        ];
        let offers = raise_offers(&full, &list);
        assert_eq!(
            offers
                .iter()
                .map(|o| (o.person_id, o.to))
                .collect::<Vec<_>>(),
            vec![(a, 3), (b, 5)]
        );
        assert_eq!(offers[0].name, format!("M {a}"));
    }

    #[test]
    fn mailto_links_encode_every_reserved_byte() {
        let i = Invitation {
            subject: "Mentors wanted for A & B".into(),
            body: "Hi,\nspeak Hindi? 100%".into(),
        };
        assert_eq!(
            i.mailto(),
            "mailto:?subject=Mentors%20wanted%20for%20A%20%26%20B&body=Hi%2C%0Aspeak%20Hindi%3F%20100%25"
        );
    }

    /// Every reason and fix a round can show reads as a sentence, with no
    /// internal name (the engine's own sentences are checked in
    /// `rapport_matching::reasons`; these are the app's).
    #[test]
    fn every_fix_reads_as_a_sentence() {
        let mut all: Vec<String> = rapport_matching::reasons::every_sentence();
        all.extend(
            [
                fallback_fix(UnmatchedKind::NoEligibleMentor),
                fallback_fix(UnmatchedKind::MentorsFull),
                PEER_FIX_ALONE,
                PEER_FIX_NONE,
                PEER_FIX_ODD,
                PEER_FIX_CIRCLE,
            ]
            .map(String::from),
        );
        for s in all.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            assert_eq!(
                rapport_matching::reasons::internal_word(s),
                None,
                "internal name in {s:?}"
            );
            assert!(s.starts_with(char::is_uppercase) && s.ends_with('.'), "{s}");
        }
    }
}
