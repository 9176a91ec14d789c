//! A programme's participants for its managers, one page at a time
//! (issue 18 §6 "Lists", issue 20): filtered by status, role and name,
//! newest first so a new application is at the top, and with the count of
//! applications waiting for a decision beside the filter that shows them.

use crate::lists::{ListQuery, Page};
use crate::{App, AppError, AppResult};
use rapport_domain::mentoring::EnrolmentStatus;
use rapport_domain::policy::Actor;
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole};
use rapport_store::{EnrolmentFilter, EnrolmentOrder, EnrolmentView, ProgrammeRecord};

/// Longest name or email fragment a filter takes.
pub const MAX_TEXT: usize = 100;

/// The participants list's filters as a client sent them (query parameters).
#[derive(Clone, Debug, Default)]
pub struct ParticipantQuery {
    /// An enrolment status code, or none (or `all`) for every status.
    pub status: Option<String>,
    /// A role code, or none (or `all`) for every role.
    pub role: Option<String>,
    /// Words of the person's name or email.
    pub q: Option<String>,
    /// `newest` (the default) or `oldest`.
    pub sort: Option<String>,
}

/// One page of participants, with what the list's filters need.
#[derive(Clone, Debug)]
pub struct Participants {
    /// The programme.
    pub programme: ProgrammeRecord,
    /// The page, in the order asked for.
    pub page: Page<EnrolmentView>,
    /// The filters, checked.
    pub filter: EnrolmentFilter,
    /// The order, checked.
    pub order: EnrolmentOrder,
    /// Applications waiting for a decision, counted up to
    /// [`crate::lists::TOTAL_CAP`] + 1.
    pub applications: i64,
}

/// The roles a programme of `kind` enrols, plus its managers.
pub fn listed_roles(kind: ProgrammeKind) -> Vec<ProgrammeRole> {
    let mut roles = kind.enrolment_roles().to_vec();
    roles.push(ProgrammeRole::Manager);
    roles
}

fn chosen(raw: &Option<String>) -> Option<&str> {
    raw.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty() && *v != "all")
}

impl ParticipantQuery {
    /// Checks the filters for a programme of `kind`: a 422 naming the field.
    pub fn check(&self, kind: ProgrammeKind) -> AppResult<(EnrolmentFilter, EnrolmentOrder)> {
        let status = chosen(&self.status)
            .map(|s| EnrolmentStatus::parse(s).map_err(|e| AppError::Invalid(vec![e])))
            .transpose()?;
        let roles = listed_roles(kind);
        let role = chosen(&self.role)
            .map(|code| {
                ProgrammeRole::parse("role", code)
                    .ok()
                    .filter(|r| roles.contains(r))
                    .ok_or_else(|| {
                        let codes: Vec<&str> = roles.iter().map(|r| r.code()).collect();
                        AppError::invalid(
                            "role",
                            format!("role must be one of: {}", codes.join(", ")),
                        )
                    })
            })
            .transpose()?;
        let text = self
            .q
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if text.as_ref().is_some_and(|t| t.chars().count() > MAX_TEXT) {
            return Err(AppError::invalid(
                "q",
                format!("q must be at most {MAX_TEXT} characters"),
            ));
        }
        let order = match self.sort.as_deref().map(str::trim).unwrap_or("") {
            "" | "newest" => EnrolmentOrder::Newest,
            "oldest" => EnrolmentOrder::Oldest,
            _ => return Err(AppError::invalid("sort", "sort must be newest or oldest")),
        };
        Ok((EnrolmentFilter { status, role, text }, order))
    }
}

impl App {
    /// One page of a programme's participants, for its managers.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn participants(
        &self,
        actor: &Actor,
        slug: &str,
        query: &ParticipantQuery,
        list: &ListQuery,
    ) -> AppResult<Participants> {
        let (start, limit) = list.window()?;
        let mut tx = self.store.read().await?;
        let programme = self.managed_programme(&mut tx, actor, slug).await?;
        let (filter, order) = query.check(programme.kind)?;
        let page = tx
            .enrolments_page(programme.id, &filter, order, start, limit)
            .await?;
        let applications = tx
            .enrolments_in_status(programme.id, EnrolmentStatus::Applied)
            .await?;
        Ok(Participants {
            programme,
            page,
            filter,
            order,
            applications,
        })
    }

    /// The programme, for one of its managers: the permission check of the
    /// pages and routes that manage it, without reading its participants.
    pub async fn programme_to_manage(
        &self,
        actor: &Actor,
        slug: &str,
    ) -> AppResult<ProgrammeRecord> {
        let mut tx = self.store.read().await?;
        self.managed_programme(&mut tx, actor, slug).await
    }

    /// The programme and how many people take part in it (approved in any
    /// role but manager), for its managers: what closing it would end.
    pub async fn participant_count(
        &self,
        actor: &Actor,
        slug: &str,
    ) -> AppResult<(ProgrammeRecord, usize)> {
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let n = tx.participants_count(p.id).await?;
        Ok((p, usize::try_from(n).unwrap_or(0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(q: ParticipantQuery, kind: ProgrammeKind) -> String {
        match q.check(kind) {
            Err(AppError::Invalid(e)) => e[0].field.to_string(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn filters_are_checked_against_the_programme() {
        let q = |status: &str, role: &str, sort: &str| ParticipantQuery {
            status: Some(status.into()),
            role: Some(role.into()),
            q: None,
            sort: Some(sort.into()),
        };
        let (f, o) = q("applied", "mentee", "")
            .check(ProgrammeKind::OneToOne)
            .unwrap();
        assert_eq!(f.status, Some(EnrolmentStatus::Applied));
        assert_eq!(f.role, Some(ProgrammeRole::Mentee));
        assert_eq!(o, EnrolmentOrder::Newest);
        let (f, o) = q("all", "", "oldest").check(ProgrammeKind::Peer).unwrap();
        assert_eq!((f.status, f.role), (None, None));
        assert_eq!(o, EnrolmentOrder::Oldest);
        assert_eq!(field(q("maybe", "", ""), ProgrammeKind::OneToOne), "status");
        // A peer programme has no mentees.
        assert_eq!(field(q("", "mentee", ""), ProgrammeKind::Peer), "role");
        assert_eq!(field(q("", "", "name"), ProgrammeKind::OneToOne), "sort");
        let long = ParticipantQuery {
            q: Some("x".repeat(MAX_TEXT + 1)),
            ..Default::default()
        };
        assert_eq!(field(long, ProgrammeKind::OneToOne), "q");
    }
}
