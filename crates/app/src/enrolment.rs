//! Enrolment: members apply to a programme (as mentee, mentor, both, or
//! peer), answer its questions, state preferences and accept the code of
//! conduct; managers approve, waitlist or decline, or enrol people in bulk.
//!
//! Approval grants the programme role, so the permission policy sees
//! approved participants only.

use crate::emails::EnrolmentDecided;
use crate::{App, AppError, AppResult};
use rapport_domain::mentoring::EnrolmentStatus;
use rapport_domain::policy::Actor;
use rapport_domain::preferences::{DepartmentChoice, Stated, StatedPreferences, Strength};
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole, Question};
use rapport_domain::values::Email;
use rapport_domain::{EnrolmentId, Invalid, PersonId};
use rapport_store::{EnrolmentRecord, EnrolmentView, ProgrammeRecord, Tx};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a member submits to enrol.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EnrolInput {
    /// `mentee`, `mentor`, `both` (one-to-one, group, reverse) or `peer`
    /// (peer and circle programmes; `facilitator` in circles and groups).
    pub role: String,
    /// Answers by question id: the chosen options, or the text as one item.
    pub answers: BTreeMap<String, Vec<String>>,
    /// Mentees this mentor takes in this programme (mentors only; empty
    /// for the programme's default).
    pub capacity: String,
    /// Preferred gender of the other person (empty for none).
    pub preferred_gender: String,
    /// Whether the gender preference is a must (`true`) or a wish.
    pub gender_is_hard: bool,
    /// `same`, `different` or empty: department of the other person.
    pub department: String,
    /// Whether the department preference is a must.
    pub department_is_hard: bool,
    /// Emails of people not to be matched with, comma-separated.
    pub avoid: String,
    /// Consent to use gender, department and reporting line for matching.
    pub consent_sensitive: bool,
    /// Acceptance of the community's code of conduct (required).
    pub accept_conduct: bool,
    /// The answer to [`rapport_domain::closure::SELF_EFFICACY_QUESTION`],
    /// 1 to 5; empty for no answer (asked again at closure, to compare).
    pub self_efficacy: String,
}

/// The enrolment's optional self-efficacy answer, with any error added to
/// the form's other errors so one answer names every bad field.
fn with_self_efficacy<T>(
    checked: AppResult<T>,
    input: &EnrolInput,
) -> AppResult<(T, Option<rapport_domain::closure::SelfEfficacy>)> {
    let raw = input.self_efficacy.trim();
    let score = if raw.is_empty() {
        Ok(None)
    } else {
        rapport_domain::closure::SelfEfficacy::parse("self_efficacy", raw).map(Some)
    };
    match (checked, score) {
        (Ok(t), Ok(score)) => Ok((t, score)),
        (Err(AppError::Invalid(mut errors)), Err(e)) => {
            errors.push(e);
            Err(AppError::Invalid(errors))
        }
        (Err(e), _) => Err(e),
        (Ok(_), Err(e)) => Err(AppError::Invalid(vec![e])),
    }
}

/// The roles an enrolment choice stands for in a programme of `kind` (the
/// rule itself lives in [`ProgrammeKind::roles_for_choice`]).
pub fn roles_for(kind: ProgrammeKind, choice: &str) -> Result<Vec<ProgrammeRole>, Invalid> {
    kind.roles_for_choice("role", choice)
}

/// Saves an enrolment. The store refuses a status move that the domain does
/// not allow from what is stored now, which happens when someone else moved
/// the enrolment after we read it.
pub(crate) async fn save_enrolment(tx: &mut Tx, e: &EnrolmentRecord, now: i64) -> AppResult<()> {
    if tx.update_enrolment(e, now).await? {
        Ok(())
    } else {
        Err(AppError::Conflict {
            field: None,
            message: format!(
                "this enrolment changed while you were working on it and cannot become {} now; reload the page and try again",
                e.status.code()
            ),
        })
    }
}

impl App {
    /// Checks an enrolment form against the programme and turns it into the
    /// stored answers and preferences.
    async fn check_enrolment(
        &self,
        tx: &mut Tx,
        p: &ProgrammeRecord,
        me: PersonId,
        input: &EnrolInput,
    ) -> AppResult<(
        Vec<ProgrammeRole>,
        BTreeMap<String, Vec<String>>,
        StatedPreferences,
        i32,
    )> {
        let mut errors = vec![];
        let roles = roles_for(p.kind, &input.role)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        let questions: Vec<Question> = p.questions.clone();
        let mut answers = BTreeMap::new();
        for (id, _) in input.answers.iter() {
            if !questions.iter().any(|q| &q.id == id) {
                errors.push(Invalid::new(
                    "answers",
                    format!("`{id}` is not a question of this programme"),
                ));
            }
        }
        for q in &questions {
            let given = input.answers.get(&q.id).cloned().unwrap_or_default();
            match q.check_answer("answers", &given) {
                Ok(a) if !a.is_empty() => {
                    answers.insert(q.id.clone(), a);
                }
                Ok(_) => {}
                Err(e) => errors.push(e),
            }
        }
        let capacity = if roles.contains(&ProgrammeRole::Mentor)
            || roles.contains(&ProgrammeRole::Facilitator)
        {
            let raw = input.capacity.trim();
            if raw.is_empty() {
                p.default_capacity
            } else {
                match raw.parse::<i32>().ok().filter(|n| (1..=50).contains(n)) {
                    Some(n) => n,
                    None => {
                        errors.push(Invalid::new(
                            "capacity",
                            "enter how many mentees you can take, from 1 to 50",
                        ));
                        0
                    }
                }
            }
        } else {
            0
        };
        let strength = |hard: bool| if hard { Strength::Hard } else { Strength::Soft };
        let mut prefs = StatedPreferences::default();
        let gender = input.preferred_gender.trim();
        if !gender.is_empty() {
            if gender.chars().count() > 60 {
                errors.push(Invalid::new(
                    "preferred_gender",
                    "the preferred gender must be at most 60 characters",
                ));
            }
            prefs.gender = Some(Stated {
                value: gender.to_string(),
                strength: strength(input.gender_is_hard),
            });
        }
        match input.department.trim() {
            "" => {}
            "same" => {
                prefs.department = Some(Stated {
                    value: DepartmentChoice::Same,
                    strength: strength(input.department_is_hard),
                })
            }
            "different" => {
                prefs.department = Some(Stated {
                    value: DepartmentChoice::Different,
                    strength: strength(input.department_is_hard),
                })
            }
            _ => errors.push(Invalid::new(
                "department",
                "choose same, different or no preference",
            )),
        }
        for raw in input
            .avoid
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match Email::parse("avoid", raw) {
                Ok(email) => match tx.person_by_email(email.as_str()).await? {
                    Some(person) if person.id != me => prefs.avoid.push(Stated {
                        value: person.id,
                        strength: Strength::Hard,
                    }),
                    Some(_) => errors.push(Invalid::new("avoid", "you cannot list yourself")),
                    None => errors.push(Invalid::new(
                        "avoid",
                        format!("nobody here uses {raw}; check the address"),
                    )),
                },
                Err(e) => errors.push(e),
            }
        }
        if (prefs.gender.is_some() || prefs.department.is_some()) && !input.consent_sensitive {
            errors.push(Invalid::new("consent_sensitive", "a gender or department preference needs your consent to use those fields for matching"));
        }
        if !input.accept_conduct {
            errors.push(Invalid::new(
                "accept_conduct",
                "accept the code of conduct to enrol",
            ));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        Ok((roles, answers, prefs, capacity))
    }

    /// A member applies to a programme. Applying again in a role they hold
    /// is refused (409) unless they withdrew or were declined, in which case
    /// the application is renewed.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn enrol(
        &self,
        actor: &Actor,
        slug: &str,
        input: &EnrolInput,
    ) -> AppResult<Vec<EnrolmentId>> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let p = tx
            .programme_by_slug(slug)
            .await?
            .filter(|p| p.status != rapport_domain::programme::ProgrammeStatus::Draft)
            .ok_or_else(|| AppError::NotFound("that programme was not found".into()))?;
        if !crate::programmes::taking_enrolments(&p) {
            return Err(AppError::Conflict {
                field: None,
                message: format!(
                    "{} is not taking enrolments while it is {}",
                    p.name,
                    p.status.code()
                ),
            });
        }
        let checked = self
            .check_enrolment(&mut tx, &p, actor.person_id, input)
            .await;
        let ((roles, answers, prefs, capacity), efficacy) = with_self_efficacy(checked, input)?;
        let mut ids = vec![];
        for role in roles {
            let record = EnrolmentRecord {
                id: EnrolmentId::new(),
                programme_id: p.id,
                person_id: actor.person_id,
                role,
                status: EnrolmentStatus::Applied,
                capacity: if role == ProgrammeRole::Mentor || role == ProgrammeRole::Facilitator {
                    capacity
                } else {
                    0
                },
                answers: answers.clone(),
                preferences: prefs.clone(),
                consent_sensitive: input.consent_sensitive,
                created_at: now,
                conduct_accepted_at: Some(now),
                decided_at: None,
            };
            match tx.enrolment(p.id, actor.person_id, role).await? {
                Some(old)
                    if matches!(
                        old.status,
                        EnrolmentStatus::Withdrawn | EnrolmentStatus::Declined
                    ) =>
                {
                    let renewed = EnrolmentRecord {
                        id: old.id,
                        created_at: now,
                        ..record
                    };
                    save_enrolment(&mut tx, &renewed, now).await?;
                    ids.push(old.id);
                }
                Some(_) => {
                    return Err(AppError::Conflict {
                        field: Some("role"),
                        message: format!(
                            "you are already enrolled in {} as {}",
                            p.name,
                            role.code()
                        ),
                    })
                }
                None => {
                    tx.insert_enrolment(&record).await?;
                    ids.push(record.id);
                }
            }
            tx.set_enrolment_self_efficacy(p.id, actor.person_id, role, efficacy)
                .await?;
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// A member updates their own enrolment's answers, preferences and
    /// capacity (the status stays).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn update_my_enrolment(
        &self,
        actor: &Actor,
        slug: &str,
        input: &EnrolInput,
    ) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let p = self.programme_for(&mut tx, actor, slug).await?;
        let checked = self
            .check_enrolment(&mut tx, &p, actor.person_id, input)
            .await;
        let ((roles, answers, prefs, capacity), efficacy) = with_self_efficacy(checked, input)?;
        for role in roles {
            let mut e = tx
                .enrolment(p.id, actor.person_id, role)
                .await?
                .ok_or_else(|| {
                    AppError::NotFound(format!("you are not enrolled as {}", role.code()))
                })?;
            e.answers = answers.clone();
            e.preferences = prefs.clone();
            e.consent_sensitive = input.consent_sensitive;
            if role == ProgrammeRole::Mentor || role == ProgrammeRole::Facilitator {
                e.capacity = capacity;
            }
            save_enrolment(&mut tx, &e, now).await?;
            tx.set_enrolment_self_efficacy(p.id, actor.person_id, role, efficacy)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A member leaves a programme in one role.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, role = %role))]
    pub async fn withdraw_enrolment(&self, actor: &Actor, slug: &str, role: &str) -> AppResult<()> {
        let role = ProgrammeRole::parse("role", role).map_err(|e| AppError::Invalid(vec![e]))?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let p = self.programme_for(&mut tx, actor, slug).await?;
        let mut e = tx
            .enrolment(p.id, actor.person_id, role)
            .await?
            .filter(|e| !matches!(e.status, EnrolmentStatus::Withdrawn))
            .ok_or_else(|| {
                AppError::NotFound(format!("you are not enrolled as {}", role.code()))
            })?;
        e.status = EnrolmentStatus::Withdrawn;
        save_enrolment(&mut tx, &e, now).await?;
        tx.revoke_role(p.id, actor.person_id, role).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every enrolment in a programme, for its managers.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn enrolments(
        &self,
        actor: &Actor,
        slug: &str,
    ) -> AppResult<(ProgrammeRecord, Vec<EnrolmentView>)> {
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let list = tx.enrolments_in(p.id).await?;
        Ok((p, list))
    }

    /// The actor's own enrolments in a programme.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn my_enrolments(
        &self,
        actor: &Actor,
        slug: &str,
    ) -> AppResult<Vec<EnrolmentRecord>> {
        let mut tx = self.store.read().await?;
        let p = self.programme_for(&mut tx, actor, slug).await?;
        Ok(tx
            .enrolments_of(actor.person_id)
            .await?
            .into_iter()
            .filter(|e| e.programme_id == p.id)
            .collect())
    }

    /// A manager approves, waitlists or declines an application. Approval
    /// grants the role; anything else takes it away.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, enrolment = %id, decision = %decision))]
    pub async fn decide_enrolment(
        &self,
        actor: &Actor,
        slug: &str,
        id: EnrolmentId,
        decision: &str,
    ) -> AppResult<EnrolmentStatus> {
        let to = EnrolmentStatus::parse(decision).map_err(|_| {
            AppError::invalid("decision", "choose approved, waitlisted or declined")
        })?;
        if !matches!(
            to,
            EnrolmentStatus::Approved | EnrolmentStatus::Waitlisted | EnrolmentStatus::Declined
        ) {
            return Err(AppError::invalid(
                "decision",
                "choose approved, waitlisted or declined",
            ));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let mut e = tx
            .enrolment_by_id(id)
            .await?
            .filter(|e| e.programme_id == p.id)
            .ok_or_else(|| AppError::NotFound("that enrolment was not found".into()))?;
        if e.status == EnrolmentStatus::Withdrawn {
            return Err(AppError::Conflict {
                field: Some("decision"),
                message: "this person withdrew; they can apply again".into(),
            });
        }
        e.status = to;
        e.decided_at = Some(now);
        save_enrolment(&mut tx, &e, now).await?;
        if to == EnrolmentStatus::Approved {
            tx.grant_role(p.id, e.person_id, e.role, now).await?;
        } else {
            tx.revoke_role(p.id, e.person_id, e.role).await?;
        }
        if let Some(person) = tx.person(e.person_id).await? {
            let mail = EnrolmentDecided {
                name: person.profile.name.clone(),
                programme: p.name.clone(),
                slug: p.slug.to_string(),
                role: e.role.code().into(),
                status: to,
            };
            self.queue_mail(&mut tx, Some(person.id), &person.email, &mail)
                .await?;
        }
        self.audit_by(
            &mut tx,
            actor,
            "enrolment.decide",
            format!("programme:{}", p.slug),
            None,
            Some(serde_json::json!({"person": e.person_id.to_string(), "role": e.role.code(), "status": to.code()})),
        )
        .await?;
        tx.commit().await?;
        Ok(to)
    }

    /// A manager enrols existing accounts directly (approved), by email and
    /// role. Returns how many were enrolled; people already enrolled in that
    /// role are approved if they were not.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, role = %role))]
    pub async fn enrol_in_bulk(
        &self,
        actor: &Actor,
        slug: &str,
        emails: &str,
        role: &str,
    ) -> AppResult<usize> {
        let role = ProgrammeRole::parse("role", role).map_err(|e| AppError::Invalid(vec![e]))?;
        if role == ProgrammeRole::Manager {
            return Err(AppError::invalid(
                "role",
                "add managers on the managers page",
            ));
        }
        let list: Vec<&str> = emails
            .split([',', '\n', ';', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if list.is_empty() {
            return Err(AppError::invalid("emails", "enter at least one email"));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let mut people = vec![];
        let mut errors = vec![];
        for raw in list {
            match Email::parse("emails", raw) {
                Ok(email) => match tx.person_by_email(email.as_str()).await? {
                    Some(person) => people.push(person.id),
                    None => errors.push(Invalid::new(
                        "emails",
                        format!("nobody has an account with {raw}; invite them or import a CSV"),
                    )),
                },
                Err(_) => errors.push(Invalid::new(
                    "emails",
                    format!("{raw} is not an email address"),
                )),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        for person in &people {
            self.enrol_approved(&mut tx, &p, *person, role, None, now)
                .await?;
        }
        self.audit_by(
            &mut tx,
            actor,
            "enrolment.bulk",
            format!("programme:{}", p.slug),
            None,
            Some(serde_json::json!({"people": people.len(), "role": role.code()})),
        )
        .await?;
        tx.commit().await?;
        Ok(people.len())
    }

    /// Enrols someone as approved (or approves their existing enrolment),
    /// granting the role. `capacity` defaults to the programme's.
    pub(crate) async fn enrol_approved(
        &self,
        tx: &mut Tx,
        p: &ProgrammeRecord,
        person: PersonId,
        role: ProgrammeRole,
        capacity: Option<i32>,
        now: i64,
    ) -> AppResult<()> {
        let existing = tx.enrolment(p.id, person, role).await?;
        approve_enrolment(tx, p, existing, person, role, capacity, now).await
    }
}

/// [`App::enrol_approved`] for a caller that has read the person's
/// enrolment in `role` already (`existing`; none for someone new to the
/// site, whom an import has just created): approves it, or inserts an
/// approved one, and grants the role.
pub(crate) async fn approve_enrolment(
    tx: &mut Tx,
    p: &ProgrammeRecord,
    existing: Option<EnrolmentRecord>,
    person: PersonId,
    role: ProgrammeRole,
    capacity: Option<i32>,
    now: i64,
) -> AppResult<()> {
    match existing {
        Some(mut e) => {
            e.status = EnrolmentStatus::Approved;
            e.decided_at = Some(now);
            if capacity.is_some() {
                e.capacity = seat_capacity(p, role, capacity);
            }
            save_enrolment(tx, &e, now).await?;
        }
        None => {
            let e = approved_enrolment(p, person, role, capacity, now);
            return insert_approved(tx, &[e], now).await;
        }
    }
    tx.grant_role(p.id, person, role, now).await?;
    Ok(())
}

/// The capacity of an approved `role`: what was given, else the
/// programme's default for those who take people; none for the others.
fn seat_capacity(p: &ProgrammeRecord, role: ProgrammeRole, capacity: Option<i32>) -> i32 {
    if matches!(role, ProgrammeRole::Mentor | ProgrammeRole::Facilitator) {
        capacity.unwrap_or(p.default_capacity)
    } else {
        0
    }
}

/// A new approved enrolment of `person` in `role`, with its capacity, not
/// yet written.
pub(crate) fn approved_enrolment(
    p: &ProgrammeRecord,
    person: PersonId,
    role: ProgrammeRole,
    capacity: Option<i32>,
    now: i64,
) -> EnrolmentRecord {
    EnrolmentRecord {
        id: EnrolmentId::new(),
        programme_id: p.id,
        person_id: person,
        role,
        status: EnrolmentStatus::Approved,
        capacity: seat_capacity(p, role, capacity),
        answers: BTreeMap::new(),
        preferences: Default::default(),
        consent_sensitive: false,
        created_at: now,
        conduct_accepted_at: None,
        decided_at: Some(now),
    }
}

/// Writes new approved enrolments (of people with none in their roles)
/// and grants their roles: a few statements however many there are.
pub(crate) async fn insert_approved(
    tx: &mut Tx,
    list: &[EnrolmentRecord],
    now: i64,
) -> AppResult<()> {
    if list.is_empty() {
        return Ok(());
    }
    tx.insert_enrolments(list).await?;
    let grants: Vec<_> = list
        .iter()
        .map(|e| (e.programme_id, e.person_id, e.role))
        .collect();
    tx.grant_roles(&grants, now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_follow_the_kind() {
        use ProgrammeRole::*;
        assert_eq!(
            roles_for(ProgrammeKind::OneToOne, "both").unwrap(),
            vec![Mentee, Mentor]
        );
        assert_eq!(roles_for(ProgrammeKind::Peer, "peer").unwrap(), vec![Peer]);
        assert_eq!(
            roles_for(ProgrammeKind::Circle, "facilitator").unwrap(),
            vec![Facilitator]
        );
        assert_eq!(
            roles_for(ProgrammeKind::Peer, "mentee").unwrap_err().field,
            "role"
        );
        assert_eq!(
            roles_for(ProgrammeKind::OneToOne, "peer")
                .unwrap_err()
                .field,
            "role"
        );
    }
}
