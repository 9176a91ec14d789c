//! Far-reaching actions confirm first (issue 18 §5), on every route: the
//! API's publish, close and remove-manager take `confirm: true`. Without it
//! nothing changes, and the 409 on `confirm` says what would happen, with
//! real counts, once the caller has passed the same permission check as the
//! action itself (so a refusal never tells an outsider anything).

use crate::programmes::ProgrammeView;
use crate::rounds::Published;
use crate::{App, AppError, AppResult};
use rapport_domain::mentoring::RoundStatus;
use rapport_domain::policy::Actor;
use rapport_domain::{PersonId, RoundId};
use std::collections::BTreeSet;

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn ask(message: String) -> AppError {
    AppError::Conflict {
        field: Some("confirm"),
        message: format!("{message} Send \"confirm\": true to go ahead."),
    }
}

impl App {
    /// [`App::publish_round`], once confirmed.
    pub async fn publish_round_confirmed(
        &self,
        actor: &Actor,
        slug: &str,
        id: RoundId,
        confirm: bool,
    ) -> AppResult<Published> {
        if !confirm {
            let r = self.round(actor, slug, id).await?;
            if r.status == RoundStatus::Draft {
                let people: BTreeSet<PersonId> = r
                    .result
                    .proposals
                    .iter()
                    .flat_map(|p| p.members.iter().map(|m| m.person_id))
                    .collect();
                return Err(ask(format!(
                    "Publishing this round proposes {} and emails {}; it cannot be undone.",
                    count(r.result.proposals.len(), "room", "rooms"),
                    count(people.len(), "person", "people")
                )));
            }
        }
        self.publish_round(actor, slug, id).await
    }

    /// [`App::move_programme`]; closing must be confirmed.
    pub async fn move_programme_confirmed(
        &self,
        actor: &Actor,
        slug: &str,
        to: &str,
        confirm: bool,
    ) -> AppResult<ProgrammeView> {
        if to == "closed" && !confirm {
            let (p, people) = self.participant_count(actor, slug).await?;
            return Err(ask(format!(
                "Closing {} ends it for its {}: nobody can enrol and matching stops (an administrator can reopen it within 30 days).",
                p.name,
                count(people, "participant", "participants")
            )));
        }
        self.move_programme(actor, slug, to).await
    }

    /// [`App::remove_manager`], once confirmed.
    pub async fn remove_manager_confirmed(
        &self,
        actor: &Actor,
        slug: &str,
        person: PersonId,
        confirm: bool,
    ) -> AppResult<()> {
        if !confirm {
            let managers = self.programme_managers(actor, slug).await?;
            let Some((_, name, _)) = managers.iter().find(|(m, _, _)| *m == person) else {
                return Err(AppError::NotFound(
                    "that person is not a manager of this programme".into(),
                ));
            };
            return Err(ask(format!(
                "This removes {name} as a manager: they lose access to its participants, matching and reports, and {} will remain.",
                count(managers.len().saturating_sub(1), "manager", "managers")
            )));
        }
        self.remove_manager(actor, slug, person).await
    }
}
