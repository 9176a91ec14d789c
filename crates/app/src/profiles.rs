//! Profiles and the people directory.

use crate::lists::{ListQuery, Start};
use crate::viewer::{ApiRead, ApiReader};
use crate::{App, AppError, AppResult};
use rapport_domain::person::{Profile, ProfileInput};
use rapport_domain::policy::{self, Access, Actor};
use rapport_domain::values::Email;
use rapport_domain::{Invalid, PersonId, ProgrammeId};
use rapport_store::{DirectoryQuery, PersonRecord, Tx};
use serde::Serialize;

/// A profile as the actor may see it. Private attributes (email, gender) are
/// only filled for the person themself and admins.
#[derive(Clone, Debug, Serialize)]
pub struct ProfileView {
    /// Person id.
    pub id: PersonId,
    /// Email, for the person and admins only.
    pub email: Option<String>,
    /// The profile; `gender` is blanked for other viewers.
    pub profile: Profile,
    /// The manager's name, for the person and admins only.
    pub manager_name: Option<String>,
    /// The manager's email, for the person and admins (to edit the form).
    pub manager_email: Option<String>,
    /// Last activity (ms).
    pub last_active_at: Option<i64>,
    /// Whether the actor may edit it.
    pub editable: bool,
    /// Whether the account is an admin.
    pub is_admin: bool,
    /// Whether the person has accepted their invitation.
    pub active: bool,
}

/// One page of the directory.
#[derive(Clone, Debug, Serialize)]
pub struct DirectoryPage {
    /// People on this page.
    pub people: Vec<ProfileView>,
    /// Matches in all (issue 20: a page never counts every row): exact for
    /// the list without words; for a search counted up to [`crate::lists::TOTAL_CAP`]
    /// (`more` says there are more), or estimated to two figures when the
    /// words are common (`estimated`).
    pub total: i64,
    /// Whether more than `total` people match.
    pub more: bool,
    /// Whether `total` is an estimate.
    pub estimated: bool,
    /// 1-based page number when the page was read by number; none when it
    /// was read by cursor.
    pub page: Option<i64>,
    /// Page size.
    pub per_page: i64,
    /// The next page's cursor, if there is one.
    pub next: Option<String>,
    /// The previous page's cursor, when read by cursor and there is one.
    pub prev: Option<String>,
}

/// People on one directory page unless the client asks for another size.
pub const DIRECTORY_PAGE: i64 = 24;

impl DirectoryPage {
    /// The count as a reader sees it: "1,000+" past the cap, "About 2,500"
    /// for an estimate.
    pub fn total_label(&self) -> String {
        let text = thousands(self.total);
        if self.more {
            format!("{text}+")
        } else if self.estimated {
            format!("About {text}")
        } else {
            text
        }
    }

    /// The number of pages the counted total fills (at least 1); a lower
    /// bound when `more`.
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}

pub(crate) async fn programmes_of(tx: &mut Tx, person: PersonId) -> AppResult<Vec<ProgrammeId>> {
    Ok(tx
        .roles_of(person)
        .await?
        .into_iter()
        .map(|(p, _)| p)
        .collect())
}

fn view(
    actor: &Actor,
    rec: PersonRecord,
    manager: Option<&PersonRecord>,
    editable: bool,
) -> ProfileView {
    let privileged = actor.person_id == rec.id || actor.is_admin;
    let mut profile = rec.profile;
    if !privileged {
        // The profile form promises that a person's manager is never shown
        // to other members: only the person and admins see who it is.
        profile.gender.clear();
        profile.manager_id = None;
    }
    ProfileView {
        id: rec.id,
        email: privileged.then_some(rec.email.to_string()),
        manager_name: manager
            .filter(|_| privileged)
            .map(|m| m.profile.name.clone()),
        manager_email: manager.filter(|_| privileged).map(|m| m.email.to_string()),
        profile,
        last_active_at: rec.last_active_at,
        editable,
        is_admin: rec.is_admin,
        active: rec.status == rapport_domain::person::AccountStatus::Active,
    }
}

impl App {
    /// A person's profile, if the actor may see it.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, person = %id))]
    pub async fn profile(&self, actor: &Actor, id: PersonId) -> AppResult<ProfileView> {
        let mut tx = self.store.read().await?;
        let rec = tx
            .person(id)
            .await?
            .ok_or_else(|| AppError::NotFound("that person was not found".into()))?;
        self.profile_of(&mut tx, actor, rec).await
    }

    /// The caller's own profile, read with their credential in one read
    /// transaction ([`App::api_read`]): `GET /api/v1/me`.
    #[tracing::instrument(skip_all)]
    pub async fn my_profile_for(&self, who: ApiReader<'_>) -> AppResult<ProfileView> {
        let ApiRead {
            mut tx, actor, me, ..
        } = self.api_read(who, false).await?;
        self.profile_of(&mut tx, &actor, me).await
    }

    /// [`App::profile`] of the record `rec`, read in `tx`.
    async fn profile_of(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        rec: PersonRecord,
    ) -> AppResult<ProfileView> {
        let id = rec.id;
        let progs = programmes_of(tx, id).await?;
        AppError::check(
            policy::view_profile(actor, id, rec.profile.visibility, &progs),
            "that person",
        )?;
        let editable =
            policy::edit_profile(actor, id, rec.profile.visibility, &progs) == Access::Allowed;
        let manager = match rec.profile.manager_id {
            Some(m) => tx.person(m).await?,
            None => None,
        };
        Ok(view(actor, rec, manager.as_ref(), editable))
    }

    /// Replaces a profile from form or API input; every bad field is reported.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, person = %id))]
    pub async fn update_profile(
        &self,
        actor: &Actor,
        id: PersonId,
        input: &ProfileInput,
    ) -> AppResult<ProfileView> {
        let mut tx = self.store.write().await?;
        let rec = tx
            .person(id)
            .await?
            .ok_or_else(|| AppError::NotFound("that person was not found".into()))?;
        let progs = programmes_of(&mut tx, id).await?;
        AppError::check(
            policy::edit_profile(actor, id, rec.profile.visibility, &progs),
            "that profile",
        )?;
        let mut errors = Vec::new();
        let manager = match input.manager_email.trim() {
            "" => None,
            raw => match Email::parse("manager_email", raw) {
                Err(e) => {
                    errors.push(e);
                    None
                }
                Ok(email) => match tx.person_by_email(email.as_str()).await? {
                    None => {
                        errors.push(Invalid::new(
                            "manager_email",
                            "no one with this email has an account here",
                        ));
                        None
                    }
                    Some(m) if m.id == id => {
                        errors.push(Invalid::new(
                            "manager_email",
                            "you cannot be your own manager",
                        ));
                        None
                    }
                    Some(m) => {
                        if reports_to(&mut tx, m.id, id).await? {
                            errors.push(Invalid::new("manager_email", format!("{} already reports to this person, so they cannot be their manager", m.profile.name)));
                        }
                        Some(m)
                    }
                },
            },
        };
        let profile = match input.parse(manager.as_ref().map(|m| m.id)) {
            Ok(p) if errors.is_empty() => p,
            Ok(_) => return Err(AppError::Invalid(errors)),
            Err(mut e) => {
                e.append(&mut errors);
                return Err(AppError::Invalid(e));
            }
        };
        let now = self.now();
        tx.update_profile(id, &rec.email, &profile, now).await?;
        if actor.person_id != id {
            let admin = tx.person(actor.person_id).await?;
            tx.insert_audit(&rapport_store::AuditRecord {
                id: uuid::Uuid::new_v4(),
                actor_id: Some(actor.person_id),
                actor_name: admin.map(|a| a.profile.name).unwrap_or_default(),
                action: "profile.update".into(),
                subject: format!("person:{}", rec.email),
                before_json: Some(
                    serde_json::to_value(&rec.profile)
                        .map_err(|e| AppError::internal("an audit state does not serialise", e))?,
                ),
                after_json: Some(
                    serde_json::to_value(&profile)
                        .map_err(|e| AppError::internal("an audit state does not serialise", e))?,
                ),
                created_at: now,
            })
            .await?;
        }
        tx.commit().await?;
        self.profile(actor, id).await
    }

    /// Searches the directory by name, skill, interest, language, department,
    /// newest members first (a rank would cost every match; see
    /// `rapport_store`'s `DirectorySql`).
    /// Reads one page by `?page=` (the older way) or by cursor (issue 20);
    /// 24 people a page unless `list.limit` says otherwise.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn directory(
        &self,
        actor: &Actor,
        text: &str,
        list: &ListQuery,
    ) -> AppResult<DirectoryPage> {
        let mut tx = if directory_plans_generic(list) {
            self.store.read_generic_plans().await?
        } else {
            self.store.read().await?
        };
        self.directory_in(&mut tx, actor, text, list).await
    }

    /// [`App::directory`] for an API call, its credential checked in the
    /// search's own read transaction ([`App::api_read`]).
    #[tracing::instrument(skip_all)]
    pub async fn directory_for(
        &self,
        who: ApiReader<'_>,
        text: &str,
        list: &ListQuery,
    ) -> AppResult<DirectoryPage> {
        let ApiRead { mut tx, actor, .. } =
            self.api_read(who, directory_plans_generic(list)).await?;
        self.directory_in(&mut tx, &actor, text, list).await
    }

    /// [`App::directory`] in the caller's transaction.
    async fn directory_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        text: &str,
        list: &ListQuery,
    ) -> AppResult<DirectoryPage> {
        if text.chars().count() > 200 {
            return Err(AppError::invalid(
                "q",
                "search terms must be at most 200 characters",
            ));
        }
        let list = ListQuery {
            limit: list.limit.or(Some(DIRECTORY_PAGE)),
            ..list.clone()
        };
        let (start, per_page) = list.window()?;
        let (offset, cursor) = match start {
            Start::Offset(o) => (o, None),
            Start::Cursor(c) => (0, Some(c)),
        };
        let q = DirectoryQuery {
            text: text.into(),
            include_private: actor.is_admin,
            include_self: Some(actor.person_id),
            limit: per_page,
            offset,
            cursor,
        };
        let found = tx.directory(&q).await?;
        let people = found
            .page
            .items
            .into_iter()
            .map(|p| {
                let editable = actor.is_admin || actor.person_id == p.id;
                view(actor, p, None, editable)
            })
            .collect();
        Ok(DirectoryPage {
            people,
            total: found.total,
            more: found.more,
            estimated: found.estimated,
            page: cursor.is_none().then_some(offset / per_page + 1),
            per_page,
            next: found.page.next.map(|c| c.encode()),
            prev: found.page.prev.map(|c| c.encode()),
        })
    }
}

/// Whether the directory's read plans its statements generically
/// ([`rapport_store::Store::read_generic_plans`]): from the list's start,
/// PostgreSQL then plans the search's statements once per connection, where
/// planning them for each search's words was a third of its time (issue
/// 20). A cursor's range is as wide as its values say, which a generic plan
/// cannot know (its walk read every person).
fn directory_plans_generic(list: &ListQuery) -> bool {
    list.cursor.is_none()
}

/// Whether `person` is in `boss`'s reporting chain below them, i.e. `person`
/// reports (directly or not) to `boss`. Walks up from `person`, bounded.
async fn reports_to(tx: &mut Tx, person: PersonId, boss: PersonId) -> AppResult<bool> {
    let mut current = person;
    for _ in 0..64 {
        let Some(rec) = tx.person(current).await? else {
            return Ok(false);
        };
        match rec.profile.manager_id {
            Some(m) if m == boss => return Ok(true),
            Some(m) => current = m,
            None => return Ok(false),
        }
    }
    Ok(false)
}

/// `n` with a comma between thousands: 12,345.
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(total: i64, more: bool, estimated: bool) -> DirectoryPage {
        DirectoryPage {
            people: vec![],
            total,
            more,
            estimated,
            page: Some(1),
            per_page: DIRECTORY_PAGE,
            next: None,
            prev: None,
        }
    }

    #[test]
    fn totals_read_as_counts_caps_and_estimates() {
        assert_eq!(page(7, false, false).total_label(), "7");
        assert_eq!(page(1_000, true, false).total_label(), "1,000+");
        assert_eq!(page(2_500, false, true).total_label(), "About 2,500");
        assert_eq!(page(120_000, false, false).total_label(), "120,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }
}
