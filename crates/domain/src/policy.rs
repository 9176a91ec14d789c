//! The permission policy, as pure functions of who is acting and on what.
//!
//! Each check answers [`Access`]: allowed, forbidden (the actor may know the
//! thing exists, 403) or hidden (the actor may not even know, 404). `app`
//! calls these for every use case; the web layer only maps the answer.

use crate::person::Visibility;
use crate::programme::ProgrammeRole;
use crate::{PersonId, ProgrammeId};

/// A signed-in person and what they hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// Who is acting.
    pub person_id: PersonId,
    /// Site administrator.
    pub is_admin: bool,
    /// Roles per programme.
    pub roles: Vec<(ProgrammeId, ProgrammeRole)>,
}

impl Actor {
    /// Whether the actor holds `role` in `programme`.
    pub fn has_role(&self, programme: ProgrammeId, role: ProgrammeRole) -> bool {
        self.roles.iter().any(|&(p, r)| p == programme && r == role)
    }

    /// Programmes the actor manages.
    pub fn managed(&self) -> impl Iterator<Item = ProgrammeId> + '_ {
        self.roles
            .iter()
            .filter(|(_, r)| *r == ProgrammeRole::Manager)
            .map(|(p, _)| *p)
    }
}

/// The answer of a permission check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Go ahead.
    Allowed,
    /// The actor may know the thing exists but may not act (403).
    Forbidden,
    /// The actor may not know the thing exists (404).
    Hidden,
}

impl Access {
    fn allow_if(cond: bool, otherwise: Access) -> Access {
        if cond {
            Access::Allowed
        } else {
            otherwise
        }
    }
}

/// Site administration: people, invitations, skill catalogue, settings, audit log.
pub fn administer(actor: &Actor) -> Access {
    Access::allow_if(actor.is_admin, Access::Forbidden)
}

/// Seeing someone's profile. `subject_programmes` are the programmes the subject
/// takes part in; their managers may always see it.
pub fn view_profile(
    actor: &Actor,
    subject: PersonId,
    visibility: Visibility,
    subject_programmes: &[ProgrammeId],
) -> Access {
    let manages_subject = actor.managed().any(|p| subject_programmes.contains(&p));
    let visible = actor.person_id == subject
        || actor.is_admin
        || manages_subject
        || visibility == Visibility::Members;
    Access::allow_if(visible, Access::Hidden)
}

/// Editing someone's profile: the person themself or an admin. Someone who can
/// see the profile but not edit it gets 403; someone who cannot see it gets 404.
pub fn edit_profile(
    actor: &Actor,
    subject: PersonId,
    visibility: Visibility,
    subject_programmes: &[ProgrammeId],
) -> Access {
    if actor.person_id == subject || actor.is_admin {
        return Access::Allowed;
    }
    match view_profile(actor, subject, visibility, subject_programmes) {
        Access::Allowed => Access::Forbidden,
        other => other,
    }
}

/// Managing a programme: its managers and admins. Members of the programme may
/// know it exists (403); everyone else gets 404 unless the programme is listed.
pub fn manage_programme(actor: &Actor, programme: ProgrammeId, listed: bool) -> Access {
    if actor.is_admin || actor.has_role(programme, ProgrammeRole::Manager) {
        return Access::Allowed;
    }
    let member = actor.roles.iter().any(|(p, _)| *p == programme);
    Access::allow_if(
        false,
        if member || listed {
            Access::Forbidden
        } else {
            Access::Hidden
        },
    )
}

/// Seeing a programme: draft programmes only to managers and admins.
pub fn view_programme(actor: &Actor, programme: ProgrammeId, listed: bool) -> Access {
    let member = actor.roles.iter().any(|(p, _)| *p == programme);
    Access::allow_if(actor.is_admin || member || listed, Access::Hidden)
}

/// A resource owned by one person (their sessions, tokens, notes): only the
/// owner. Others may not learn it exists.
pub fn own(actor: &Actor, owner: PersonId) -> Access {
    Access::allow_if(actor.person_id == owner, Access::Hidden)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(admin: bool, roles: Vec<(ProgrammeId, ProgrammeRole)>) -> Actor {
        Actor {
            person_id: PersonId::new(),
            is_admin: admin,
            roles,
        }
    }

    #[test]
    fn profiles() {
        let me = actor(false, vec![]);
        let other = PersonId::new();
        assert_eq!(
            view_profile(&me, me.person_id, Visibility::Private, &[]),
            Access::Allowed
        );
        assert_eq!(
            view_profile(&me, other, Visibility::Members, &[]),
            Access::Allowed
        );
        assert_eq!(
            view_profile(&me, other, Visibility::Private, &[]),
            Access::Hidden
        );
        assert_eq!(
            edit_profile(&me, other, Visibility::Members, &[]),
            Access::Forbidden
        );
        assert_eq!(
            edit_profile(&me, other, Visibility::Private, &[]),
            Access::Hidden
        );
        assert_eq!(
            edit_profile(&actor(true, vec![]), other, Visibility::Private, &[]),
            Access::Allowed
        );
        let p = ProgrammeId::new();
        let mgr = actor(false, vec![(p, ProgrammeRole::Manager)]);
        assert_eq!(
            view_profile(&mgr, other, Visibility::Private, &[p]),
            Access::Allowed
        );
        assert_eq!(
            view_profile(&mgr, other, Visibility::Private, &[ProgrammeId::new()]),
            Access::Hidden
        );
    }

    #[test]
    fn programmes_and_admin() {
        let p = ProgrammeId::new();
        let mentee = actor(false, vec![(p, ProgrammeRole::Mentee)]);
        assert_eq!(manage_programme(&mentee, p, false), Access::Forbidden);
        assert_eq!(
            manage_programme(&actor(false, vec![]), p, false),
            Access::Hidden
        );
        assert_eq!(
            manage_programme(&actor(false, vec![(p, ProgrammeRole::Manager)]), p, false),
            Access::Allowed
        );
        assert_eq!(
            manage_programme(
                &actor(false, vec![(ProgrammeId::new(), ProgrammeRole::Manager)]),
                p,
                true
            ),
            Access::Forbidden
        );
        assert_eq!(administer(&mentee), Access::Forbidden);
        assert_eq!(administer(&actor(true, vec![])), Access::Allowed);
        assert_eq!(own(&mentee, PersonId::new()), Access::Hidden);
    }
}
