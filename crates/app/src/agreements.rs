//! A room's agreement: the members write it, each confirms it, and a revision
//! keeps the earlier versions and asks everyone to confirm again. Managers
//! read it. Its duration and cadence are the terms room health reads
//! ([`App::agreed_terms`]).

use crate::lists::{ListQuery, Page};
use crate::rooms::RoomAccess;
use crate::{markdown, App, AppError, AppResult};
use rapport_domain::agreement::{parse_day, AgreedDuration, AgreedTerms, MeetingFormat};
use rapport_domain::policy::Actor;
use rapport_domain::programme::Cadence;
use rapport_domain::{AgreementId, Invalid, PersonId, RoomId};
use rapport_store::{AgreementRecord, ProgrammeRecord, RoomRecord, Tx};

/// An agreement as a member writes it; every field is checked and every
/// error reported at once.
#[derive(Clone, Debug, Default)]
pub struct AgreementInput {
    /// 3, 6 or 12; or none, with `end_date`.
    pub duration_months: Option<i64>,
    /// `YYYY-MM-DD`, or empty, with `duration_months`.
    pub end_date: String,
    /// `weekly`, `every_two_weeks` or `monthly`.
    pub cadence: String,
    /// `video`, `in_person`, `phone` or `mixed`.
    pub format: String,
    /// What the mentee wants from the relationship (Markdown).
    pub mentee_wants: String,
    /// What each side expects of the other (Markdown).
    pub expectations: String,
    /// What stays between the members (Markdown).
    pub confidentiality: String,
    /// How they will end well (Markdown).
    pub ending: String,
}

impl AgreementInput {
    /// The input of an existing version, for an edit form.
    pub fn of(a: &AgreementRecord) -> Self {
        Self {
            duration_months: a.duration.months().map(i64::from),
            end_date: a
                .duration
                .end_date()
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            cadence: a.cadence.code().into(),
            format: a.format.code().into(),
            mentee_wants: a.mentee_wants.clone(),
            expectations: a.expectations.clone(),
            confidentiality: a.confidentiality.clone(),
            ending: a.ending.clone(),
        }
    }
}

/// Someone who confirmed the current version.
#[derive(Clone, Debug)]
pub struct Confirmation {
    /// Who.
    pub person_id: PersonId,
    /// Their name ("a former member" once their account is gone).
    pub name: String,
    /// When (ms).
    pub confirmed_at: i64,
}

/// The Markdown fields of a version, rendered for a page.
#[derive(Clone, Debug, Default)]
pub struct AgreementHtml {
    /// What the mentee wants.
    pub mentee_wants: String,
    /// Expectations of each side.
    pub expectations: String,
    /// Confidentiality.
    pub confidentiality: String,
    /// How to end well.
    pub ending: String,
}

impl AgreementHtml {
    /// Renders a version's Markdown with the one renderer.
    pub fn of(a: &AgreementRecord) -> Self {
        Self {
            mentee_wants: markdown::render(&a.mentee_wants),
            expectations: markdown::render(&a.expectations),
            confidentiality: markdown::render(&a.confidentiality),
            ending: markdown::render(&a.ending),
        }
    }
}

/// A room's agreement as one viewer sees it.
#[derive(Clone, Debug)]
pub struct AgreementView {
    /// The room.
    pub room: RoomRecord,
    /// The current version, if the members wrote one.
    pub current: Option<AgreementRecord>,
    /// The current version rendered.
    pub html: Option<AgreementHtml>,
    /// Who confirmed the current version.
    pub confirmed: Vec<Confirmation>,
    /// Current members who have not confirmed it yet.
    pub waiting_for: Vec<(PersonId, String)>,
    /// The viewer confirmed the current version.
    pub i_confirmed: bool,
    /// The viewer may write a version (a current member of a writable room).
    pub can_edit: bool,
    /// The viewer may confirm (as `can_edit`, with a version not yet confirmed).
    pub can_confirm: bool,
    /// The viewer manages the programme.
    pub manager: bool,
    /// The terms in force (the programme's cadence before an agreement).
    pub terms: AgreedTerms,
    /// The programme's cadence, the form's default.
    pub programme_cadence: Cadence,
}

/// Checks an input into a version of room `room` (everything but its id,
/// version and author), reporting every bad field at once.
fn check(input: &AgreementInput) -> AppResult<(AgreedDuration, Cadence, MeetingFormat)> {
    let mut errors: Vec<Invalid> = vec![];
    let duration = AgreedDuration::parse(input.duration_months, &input.end_date)
        .map_err(|e| errors.push(e))
        .ok();
    let cadence = Cadence::parse("cadence", &input.cadence)
        .map_err(|e| errors.push(e))
        .ok();
    let format = MeetingFormat::parse(&input.format)
        .map_err(|e| errors.push(e))
        .ok();
    for (field, text) in [
        ("mentee_wants", &input.mentee_wants),
        ("expectations", &input.expectations),
        ("confidentiality", &input.confidentiality),
        ("ending", &input.ending),
    ] {
        if let Err(AppError::Invalid(mut e)) = markdown::check(field, text) {
            errors.append(&mut e);
        }
    }
    match (duration, cadence, format) {
        (Some(d), Some(c), Some(f)) if errors.is_empty() => Ok((d, c, f)),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// The terms in force for `room`, given its current agreement (if any) and
/// its programme: the agreement's cadence and end, or, before there is one,
/// the programme's cadence and last day. The start is when the room became
/// active (or was proposed). Pure, so lists compute it for many rooms from
/// batched reads.
pub(crate) fn terms_of(
    room: &RoomRecord,
    agreement: Option<&AgreementRecord>,
    programme: &ProgrammeRecord,
) -> AgreedTerms {
    let start = room.started_at.unwrap_or(room.created_at);
    if let Some(a) = agreement {
        return AgreedTerms::new(a.cadence, true, start, Some(a.duration.ends_at(start)));
    }
    let end = programme
        .ends_on
        .as_deref()
        .and_then(|d| parse_day("ends_on", d).ok())
        .map(|d| AgreedDuration::Until(d).ends_at(start));
    AgreedTerms::new(programme.cadence, false, start, end)
}

impl App {
    /// The terms room health reads for `room` ([`terms_of`]).
    pub(crate) async fn agreed_terms(
        &self,
        tx: &mut Tx,
        room: &RoomRecord,
    ) -> AppResult<AgreedTerms> {
        let agreement = tx.current_agreement(room.id).await?;
        let programme = tx
            .programme(room.programme_id)
            .await?
            .ok_or_else(|| AppError::internal_msg("a room's programme is missing"))?;
        Ok(terms_of(room, agreement.as_ref(), &programme))
    }

    async fn agreement_view(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        access: RoomAccess,
    ) -> AppResult<AgreementView> {
        let current = tx.current_agreement(access.room.id).await?;
        let confirmations = match &current {
            Some(a) => tx.agreement_confirmations(a.id).await?,
            None => vec![],
        };
        let name_of = |p: PersonId| {
            access
                .room
                .members
                .iter()
                .find(|m| m.person_id == p)
                .map_or_else(|| "a former member".to_string(), |m| m.name.clone())
        };
        let confirmed: Vec<Confirmation> = confirmations
            .iter()
            .map(|c| Confirmation {
                person_id: c.person_id,
                name: name_of(c.person_id),
                confirmed_at: c.confirmed_at,
            })
            .collect();
        let waiting_for = match current {
            Some(_) => access
                .room
                .members
                .iter()
                .filter(|m| m.state.holds_seat())
                .filter(|m| !confirmed.iter().any(|c| c.person_id == m.person_id))
                .map(|m| (m.person_id, m.name.clone()))
                .collect(),
            None => vec![],
        };
        let i_confirmed = confirmed.iter().any(|c| c.person_id == actor.person_id);
        let can_edit = access.writable().is_ok() && access.is_member();
        let terms = self.agreed_terms(tx, &access.room).await?;
        Ok(AgreementView {
            html: current.as_ref().map(AgreementHtml::of),
            can_confirm: can_edit && current.is_some() && !i_confirmed,
            current,
            confirmed,
            waiting_for,
            i_confirmed,
            can_edit,
            manager: access.manager,
            terms,
            programme_cadence: access.programme.cadence,
            room: access.room,
        })
    }

    /// A room's agreement, for its members and the programme's managers.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room))]
    pub async fn agreement(&self, actor: &Actor, room: RoomId) -> AppResult<AgreementView> {
        let mut tx = self.store.read().await?;
        self.agreement_in(&mut tx, actor, room).await
    }

    /// [`App::agreement`] in the caller's transaction.
    pub(crate) async fn agreement_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        room: RoomId,
    ) -> AppResult<AgreementView> {
        let access = self.room_access(tx, actor, room).await?;
        self.agreement_view(tx, actor, access).await
    }

    /// A member writes the agreement, or revises it: a new version, by them,
    /// now. Earlier versions stay; no one has confirmed the new one yet.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room))]
    pub async fn save_agreement(
        &self,
        actor: &Actor,
        room: RoomId,
        input: &AgreementInput,
    ) -> AppResult<AgreementRecord> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let access = self.room_access(&mut tx, actor, room).await?;
        access.member_writes()?;
        let (duration, cadence, format) = check(input)?;
        let version = tx
            .current_agreement(room)
            .await?
            .map_or(1, |a| a.version + 1);
        let mut record = AgreementRecord {
            id: AgreementId::new(),
            room_id: room,
            version,
            duration,
            cadence,
            format,
            mentee_wants: input.mentee_wants.trim().to_string(),
            expectations: input.expectations.trim().to_string(),
            confidentiality: input.confidentiality.trim().to_string(),
            ending: input.ending.trim().to_string(),
            changed_by: Some(actor.person_id),
            changed_by_name: None,
            created_at: now,
        };
        tx.insert_agreement(&record).await?;
        tx.commit().await?;
        record.changed_by_name = access
            .room
            .members
            .iter()
            .find(|m| m.person_id == actor.person_id)
            .map(|m| m.name.clone());
        Ok(record)
    }

    /// A member confirms the current agreement. `version`, when given, must
    /// be the current one (409 otherwise: someone revised it meanwhile).
    /// Confirming twice is harmless.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room))]
    pub async fn confirm_agreement(
        &self,
        actor: &Actor,
        room: RoomId,
        version: Option<i32>,
    ) -> AppResult<AgreementView> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let access = self.room_access(&mut tx, actor, room).await?;
        access.member_writes()?;
        let current = tx
            .current_agreement(room)
            .await?
            .ok_or_else(|| AppError::Conflict {
                field: None,
                message: "there is no agreement to confirm yet; write it first".into(),
            })?;
        if let Some(v) = version {
            if v != current.version {
                return Err(AppError::Conflict {
                    field: Some("version"),
                    message: format!(
                        "the agreement was revised: version {} is current; read it and confirm that",
                        current.version
                    ),
                });
            }
        }
        tx.confirm_agreement(current.id, actor.person_id, now)
            .await?;
        let view = self.agreement_view(&mut tx, actor, access).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// One page of a room's agreement versions, newest first.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, room = %room))]
    pub async fn agreement_versions(
        &self,
        actor: &Actor,
        room: RoomId,
        query: &ListQuery,
    ) -> AppResult<Page<AgreementRecord>> {
        let (start, limit) = query.window()?;
        let mut tx = self.store.read().await?;
        self.room_access(&mut tx, actor, room).await?;
        Ok(tx.agreement_versions_page(room, start, limit).await?)
    }
}
