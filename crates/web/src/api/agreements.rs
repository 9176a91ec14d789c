//! A room's agreement: read, write or revise, confirm, and its versions.

use super::{paged_json, ApiJson, ApiQuery, IdPath};
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::response::Response;
use axum::Json;
use rapport_app::agreements::{AgreementInput, AgreementView};
use rapport_app::lists::ListQuery;
use rapport_domain::RoomId;
use rapport_store::AgreementRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One version of an agreement.
#[derive(Serialize, ToSchema)]
pub struct AgreementVersionOut {
    /// Id of this version.
    pub id: uuid::Uuid,
    /// 1, then one more for each revision.
    pub version: i32,
    /// 3, 6 or 12; null when `end_date` is set.
    pub duration_months: Option<u8>,
    /// `YYYY-MM-DD`; null when `duration_months` is set.
    pub end_date: Option<String>,
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
    /// How to end well (Markdown).
    pub ending: String,
    /// Who wrote this version (null once their account is deleted).
    pub changed_by: Option<uuid::Uuid>,
    /// Their name.
    pub changed_by_name: Option<String>,
    /// When, Unix milliseconds.
    pub created_at: i64,
}

impl From<AgreementRecord> for AgreementVersionOut {
    fn from(a: AgreementRecord) -> Self {
        Self {
            id: a.id.0,
            version: a.version,
            duration_months: a.duration.months(),
            end_date: a
                .duration
                .end_date()
                .map(|d| d.format("%Y-%m-%d").to_string()),
            cadence: a.cadence.code().into(),
            format: a.format.code().into(),
            mentee_wants: a.mentee_wants,
            expectations: a.expectations,
            confidentiality: a.confidentiality,
            ending: a.ending,
            changed_by: a.changed_by.map(|p| p.0),
            changed_by_name: a.changed_by_name,
            created_at: a.created_at,
        }
    }
}

/// A member and when they confirmed.
#[derive(Serialize, ToSchema)]
pub struct ConfirmationOut {
    /// Person id.
    pub person_id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// When, Unix milliseconds.
    pub confirmed_at: i64,
}

/// A member who has not confirmed yet.
#[derive(Serialize, ToSchema)]
pub struct WaitingOut {
    /// Person id.
    pub person_id: uuid::Uuid,
    /// Name.
    pub name: String,
}

/// The terms room health reads.
#[derive(Serialize, ToSchema)]
pub struct TermsOut {
    /// The cadence in force.
    pub cadence: String,
    /// Days between meetings.
    pub interval_days: i64,
    /// True when they come from the agreement, false for the programme's.
    pub from_agreement: bool,
    /// When the relationship is meant to end (Unix ms), if known.
    pub ends_at: Option<i64>,
    /// Sessions the whole relationship expects, if its end is known.
    pub expected_sessions: Option<i64>,
}

/// A room's agreement.
#[derive(Serialize, ToSchema)]
pub struct AgreementOut {
    /// The current version; null before the members write one.
    pub current: Option<AgreementVersionOut>,
    /// Who confirmed the current version.
    pub confirmed_by: Vec<ConfirmationOut>,
    /// Current members who have not confirmed it.
    pub waiting_for: Vec<WaitingOut>,
    /// The terms in force (the programme's cadence before an agreement).
    pub terms: TermsOut,
}

impl From<AgreementView> for AgreementOut {
    fn from(v: AgreementView) -> Self {
        Self {
            current: v.current.map(Into::into),
            confirmed_by: v
                .confirmed
                .into_iter()
                .map(|c| ConfirmationOut {
                    person_id: c.person_id.0,
                    name: c.name,
                    confirmed_at: c.confirmed_at,
                })
                .collect(),
            waiting_for: v
                .waiting_for
                .into_iter()
                .map(|(p, name)| WaitingOut {
                    person_id: p.0,
                    name,
                })
                .collect(),
            terms: TermsOut {
                cadence: v.terms.cadence.code().into(),
                interval_days: v.terms.interval_days,
                from_agreement: v.terms.from_agreement,
                ends_at: v.terms.ends_at,
                expected_sessions: v.terms.expected_sessions,
            },
        }
    }
}

/// An agreement as written: give `duration_months` or `end_date`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct AgreementBody {
    /// 3, 6 or 12 (or give `end_date`).
    pub duration_months: Option<i64>,
    /// `YYYY-MM-DD` (or give `duration_months`).
    pub end_date: String,
    /// `weekly`, `every_two_weeks` or `monthly`.
    #[schema(required = true)]
    pub cadence: String,
    /// `video`, `in_person`, `phone` or `mixed`.
    #[schema(required = true)]
    pub format: String,
    /// What the mentee wants from the relationship (Markdown, no HTML).
    pub mentee_wants: String,
    /// What each side expects of the other (Markdown, no HTML).
    pub expectations: String,
    /// What stays between the members (Markdown, no HTML).
    pub confidentiality: String,
    /// How to end well (Markdown, no HTML).
    pub ending: String,
}

/// Read a room's agreement
///
/// The current version, who confirmed it and who has not, and the terms in
/// force. For the room's members and the programme's managers.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/agreement", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Room id.")), security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "The agreement.", body = AgreementOut), (status = 404, description = "`not_found`.", body = ErrorBody)))]
pub async fn get_agreement(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<RoomId>,
) -> Result<Json<AgreementOut>, ApiError> {
    Ok(Json(s.app.agreement(&actor, id).await?.into()))
}

/// Write or revise a room's agreement (members)
///
/// Stores a new version by the caller. Earlier versions stay readable; every
/// member, the caller included, confirms the new version again.
#[utoipa::path(put, path = "/api/v1/rooms/{id}/agreement", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Room id.")), request_body = AgreementBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The new version.", body = AgreementVersionOut),
        (status = 403, description = "`forbidden`: a manager who is not a member.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: the room is proposed or has ended.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `duration_months`, `end_date`, `cadence`, `format`, or a Markdown field carrying HTML.", body = ErrorBody),
    ))]
pub async fn put_agreement(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<RoomId>,
    ApiJson(b): ApiJson<AgreementBody>,
) -> Result<Json<AgreementVersionOut>, ApiError> {
    let input = AgreementInput {
        duration_months: b.duration_months,
        end_date: b.end_date,
        cadence: b.cadence,
        format: b.format,
        mentee_wants: b.mentee_wants,
        expectations: b.expectations,
        confidentiality: b.confidentiality,
        ending: b.ending,
    };
    Ok(Json(s.app.save_agreement(&actor, id, &input).await?.into()))
}

/// Which version a member confirms.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ConfirmBody {
    /// The version read; when given and no longer current, 409.
    pub version: Option<i32>,
}

/// Confirm a room's agreement (members)
#[utoipa::path(post, path = "/api/v1/rooms/{id}/agreement/confirm", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Room id.")), request_body = ConfirmBody, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Confirmed (confirming twice is harmless).", body = AgreementOut),
        (status = 403, description = "`forbidden`: a manager who is not a member.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`conflict`: no agreement yet, `version` is no longer current, or the room is proposed or has ended.", body = ErrorBody),
    ))]
pub async fn confirm_agreement(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<RoomId>,
    ApiJson(b): ApiJson<ConfirmBody>,
) -> Result<Json<AgreementOut>, ApiError> {
    Ok(Json(
        s.app.confirm_agreement(&actor, id, b.version).await?.into(),
    ))
}

/// Which page of a list: `cursor` from the previous answer's `Link` header,
/// and `limit`.
#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Where to continue: the opaque cursor from the `Link` header.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 50).
    pub limit: Option<i64>,
}

impl PageParams {
    /// The app's list query.
    pub fn query(self) -> ListQuery {
        ListQuery {
            page: None,
            cursor: self.cursor,
            limit: self.limit,
        }
    }
}

/// One page of agreement versions.
#[derive(Serialize, ToSchema)]
pub struct AgreementVersionsOut {
    /// Versions, newest first.
    pub versions: Vec<AgreementVersionOut>,
}

/// List a room's agreement versions
///
/// Every version with who wrote it and when, newest first; the next page is
/// in the `Link` header.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/agreement/versions", tag = "programmes", params(("id" = uuid::Uuid, Path, description = "Room id."), PageParams), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of versions.", body = AgreementVersionsOut,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `limit` or `cursor`.", body = ErrorBody),
    ))]
pub async fn agreement_versions(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<RoomId>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Response, ApiError> {
    let query = params.query();
    let page = s.app.agreement_versions(&actor, id, &query).await?;
    let (_, limit) = query.window()?;
    Ok(paged_json(
        &s,
        &format!("/api/v1/rooms/{id}/agreement/versions"),
        limit,
        page,
        |items| AgreementVersionsOut {
            versions: items.into_iter().map(Into::into).collect(),
        },
    ))
}
