//! The audit log in sentences, with filters by person, action, programme and
//! date (issue 18 §6): "Alex Morgan published a round of Leadership
//! Foundations: 51 rooms proposed." The stored JSON stays beside each
//! sentence for whoever needs the detail.

use crate::lists::{ListQuery, Page};
use crate::{App, AppError, AppResult};
use rapport_domain::policy::{self, Actor};
use rapport_domain::PersonId;
use rapport_store::{AuditFilter, AuditRecord};
use serde_json::Value;
use std::collections::HashMap;

/// What the audit log shows: every field optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Who acted.
    pub person: Option<PersonId>,
    /// The action code, like `round.publish` (see [`ACTIONS`]).
    pub action: Option<String>,
    /// A programme's slug.
    pub programme: Option<String>,
    /// From this time (ms, inclusive).
    pub from: Option<i64>,
    /// Before this time (ms).
    pub until: Option<i64>,
}

/// One event with its sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// The stored event.
    pub record: AuditRecord,
    /// What happened, in a sentence.
    pub sentence: String,
}

/// The choices of the log's filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditChoices {
    /// Everyone who has acted, by name.
    pub people: Vec<(PersonId, String)>,
    /// Every programme: slug and name.
    pub programmes: Vec<(String, String)>,
}

/// Every action the log records, with its name in words, for the action filter.
pub const ACTIONS: &[(&str, &str)] = &[
    ("api_token.create", "API token created"),
    ("enrolment.bulk", "People enrolled in bulk"),
    ("enrolment.capacity", "Mentor capacity changed"),
    ("enrolment.decide", "Application decided"),
    ("person.create", "Account created"),
    ("person.delete", "Account deleted"),
    ("person.invite", "Person invited"),
    ("person.reset_password", "Password reset"),
    ("person.set_admin", "Admin rights changed"),
    ("programme.create", "Programme created"),
    ("programme.manager.add", "Manager added"),
    ("programme.manager.remove", "Manager removed"),
    ("programme.rooms_completed", "Rooms completed"),
    ("programme.settings", "Matching settings changed"),
    ("programme.status", "Programme status changed"),
    ("programme.update", "Programme edited"),
    ("report.resolve", "Report resolved"),
    ("room.rematch", "Re-match started"),
    ("round.match_now", "Matched now"),
    ("round.pair_edit", "Pair edited in a draft round"),
    ("round.pair_rule", "Pin or forbid changed"),
    ("round.publish", "Round published"),
    ("round.run", "Matching run"),
    ("settings.signup_mode", "Sign-up mode changed"),
    ("site.code_of_conduct", "Code of conduct changed"),
    ("skill.add", "Skill added"),
    ("skill.remove", "Skill removed"),
];

/// Names the sentences use: programmes by slug, people by id.
#[derive(Default)]
pub struct Names {
    /// Programme name by slug.
    pub programmes: HashMap<String, String>,
    /// Person name by id (as text).
    pub people: HashMap<String, String>,
}

fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The event in a sentence.
pub fn sentence(e: &AuditRecord, names: &Names) -> String {
    let who = e.actor_name.as_str();
    let (kind, key) = e
        .subject
        .split_once(':')
        .unwrap_or(("", e.subject.as_str()));
    let programme = || {
        names
            .programmes
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    };
    let after = e.after_json.as_ref();
    let before = e.before_json.as_ref();
    let field = |v: Option<&Value>, k: &str| -> Option<String> {
        v.and_then(|v| v.get(k)).map(|x| match x {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    };
    let num = |k: &str| {
        after
            .and_then(|v| v.get(k))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    let person = || {
        field(after, "person")
            .map(|id| names.people.get(&id).cloned().unwrap_or(id))
            .unwrap_or_else(|| "someone".into())
    };
    let role = field(after, "role").unwrap_or_default();
    let s = match e.action.as_str() {
        "round.run" => format!(
            "{who} ran matching in {}: {} of {} placed",
            programme(),
            num("placed"),
            num("pool")
        ),
        "round.publish" => format!(
            "{who} published a round of {}: {} proposed",
            programme(),
            count(num("rooms"), "room", "rooms")
        ),
        "round.pair_rule" => format!("{who} changed a pin or forbid in {}", programme()),
        "round.match_now" => format!("{who} matched {} now in {}", person(), programme()),
        "round.pair_edit" => {
            let mentee = field(after, "mentee_name").unwrap_or_else(&person);
            let from = field(after, "from_name").filter(|n| n != "null");
            match (field(after, "action").as_deref(), from) {
                (Some("reject"), from) => format!(
                    "{who} rejected the pair of {mentee} with {} in the draft round of {}",
                    from.unwrap_or_else(|| "their mentor".into()),
                    programme()
                ),
                (_, Some(from)) => format!(
                    "{who} moved {mentee} from {from} to {} in the draft round of {}",
                    field(after, "to_name").unwrap_or_else(|| "another mentor".into()),
                    programme()
                ),
                (_, None) => format!(
                    "{who} placed {mentee} with {} in the draft round of {}",
                    field(after, "to_name").unwrap_or_else(|| "a mentor".into()),
                    programme()
                ),
            }
        }
        "enrolment.decide" => format!(
            "{who} {} {}'s application as {role} in {}",
            match field(after, "status").as_deref() {
                Some("approved") => "approved",
                Some("waitlisted") => "waitlisted",
                _ => "declined",
            },
            person(),
            programme()
        ),
        "enrolment.bulk" => format!(
            "{who} enrolled {} as {role} in {}",
            count(num("people"), "person", "people"),
            programme()
        ),
        "enrolment.capacity" => format!(
            "{who} changed {}'s capacity in {} from {} to {}",
            person(),
            programme(),
            field(before, "capacity").unwrap_or_else(|| "?".into()),
            field(after, "capacity").unwrap_or_else(|| "?".into())
        ),
        "programme.create" => format!("{who} created {}", programme()),
        "programme.update" => format!("{who} edited {}", programme()),
        "programme.status" => format!(
            "{who} moved {} from {} to {}",
            programme(),
            field(before, "status").unwrap_or_else(|| "?".into()),
            field(after, "status").unwrap_or_else(|| "?".into())
        ),
        "programme.settings" => format!("{who} changed the matching settings of {}", programme()),
        "programme.rooms_completed" => format!(
            "{who} completed {} in {}",
            count(num("rooms"), "room", "rooms"),
            programme()
        ),
        "programme.manager.add" => format!(
            "{who} made {} a manager of {}",
            field(after, "email").unwrap_or_else(|| "someone".into()),
            programme()
        ),
        "programme.manager.remove" => {
            format!("{who} removed {} as a manager of {}", person(), programme())
        }
        "person.invite" => format!(
            "{who} invited {}{}",
            key,
            if field(after, "admin").as_deref() == Some("true") {
                " as an admin"
            } else {
                ""
            }
        ),
        "person.create" => format!("{who} created an account for {key}"),
        "person.delete" => format!("{who} deleted the account of {key}"),
        "person.reset_password" => format!("{who} reset the password of {key}"),
        "person.set_admin" => {
            if field(after, "is_admin").as_deref() == Some("true") {
                format!("{who} gave {key} admin rights")
            } else {
                format!("{who} took admin rights from {key}")
            }
        }
        "api_token.create" => format!("{who} created an API token for {key}"),
        "report.resolve" => format!("{who} resolved a report"),
        "room.rematch" => format!("{who} started a re-match for {}", person()),
        "settings.signup_mode" => format!("{who} changed who can sign up"),
        "site.code_of_conduct" => format!("{who} changed the code of conduct"),
        "skill.add" => format!("{who} added a skill to the catalogue"),
        "skill.remove" => format!("{who} removed a skill from the catalogue"),
        other => {
            let what = ACTIONS
                .iter()
                .find(|(code, _)| *code == other)
                .map_or(other, |(_, label)| *label);
            match kind {
                "programme" => format!("{who}: {what} in {}", programme()),
                _ => format!("{who}: {what}"),
            }
        }
    };
    format!("{s}.")
}

/// Every programme's slug and name.
async fn programme_names(tx: &mut rapport_store::Tx) -> AppResult<Vec<(String, String)>> {
    Ok(tx
        .programmes()
        .await?
        .into_iter()
        .map(|p| (p.slug.to_string(), p.name))
        .collect())
}

impl App {
    /// One page of the audit log (admins), with each event in a sentence.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn audit_entries(
        &self,
        actor: &Actor,
        query: &AuditQuery,
        list: &ListQuery,
    ) -> AppResult<Page<AuditEntry>> {
        AppError::check(policy::administer(actor), "the audit log")?;
        if let Some(a) = &query.action {
            if !ACTIONS.iter().any(|(code, _)| code == a) {
                return Err(AppError::invalid(
                    "action",
                    "choose an action from the list",
                ));
            }
        }
        let (start, limit) = list.window()?;
        let filter = AuditFilter {
            actor: query.person,
            action: query.action.clone(),
            subject: query.programme.as_ref().map(|s| format!("programme:{s}")),
            from: query.from,
            until: query.until,
        };
        let mut tx = self.store.read().await?;
        let page = tx.audit_page_filtered(&filter, start, limit).await?;
        let mut names = Names {
            programmes: programme_names(&mut tx).await?.into_iter().collect(),
            people: HashMap::new(),
        };
        for e in &page.items {
            let id = e
                .after_json
                .as_ref()
                .and_then(|v| v.get("person"))
                .and_then(Value::as_str);
            if let Some(id) = id.filter(|id| !names.people.contains_key(*id)) {
                if let Some(p) = match id.parse::<PersonId>() {
                    Ok(pid) => tx.person(pid).await?,
                    Err(_) => None,
                } {
                    names.people.insert(id.to_string(), p.profile.name);
                }
            }
        }
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|record| AuditEntry {
                    sentence: sentence(&record, &names),
                    record,
                })
                .collect(),
            next: page.next,
            prev: page.prev,
        })
    }

    /// The choices of the audit log's filters (admins).
    pub async fn audit_choices(&self, actor: &Actor) -> AppResult<AuditChoices> {
        AppError::check(policy::administer(actor), "the audit log")?;
        let mut tx = self.store.read().await?;
        Ok(AuditChoices {
            people: tx.audit_actors().await?,
            programmes: programme_names(&mut tx).await?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(
        action: &str,
        subject: &str,
        before: Option<Value>,
        after: Option<Value>,
    ) -> AuditRecord {
        AuditRecord {
            id: uuid::Uuid::nil(),
            actor_id: None,
            actor_name: "Alex Morgan".into(),
            action: action.into(),
            subject: subject.into(),
            before_json: before,
            after_json: after,
            created_at: 0,
        }
    }

    #[test]
    fn events_read_as_sentences() {
        let mut names = Names::default();
        names
            .programmes
            .insert("lf".into(), "Leadership Foundations".into());
        let e = event(
            "round.publish",
            "programme:lf",
            None,
            Some(serde_json::json!({"rooms": 51, "skipped": 0})),
        );
        assert_eq!(
            sentence(&e, &names),
            "Alex Morgan published a round of Leadership Foundations: 51 rooms proposed."
        );
        let e = event(
            "programme.status",
            "programme:lf",
            Some(serde_json::json!({"status": "draft"})),
            Some(serde_json::json!({"status": "open"})),
        );
        assert_eq!(
            sentence(&e, &names),
            "Alex Morgan moved Leadership Foundations from draft to open."
        );
        // Every known action reads as a sentence without its code.
        for (code, _) in ACTIONS {
            let s = sentence(&event(code, "programme:lf", None, None), &names);
            assert!(s.starts_with("Alex Morgan ") && s.ends_with('.'), "{s}");
            assert!(!s.contains(code), "{s}");
        }
    }
}
