//! Site administration: invitations, the skill catalogue, the sign-up mode,
//! the audit log and admin rights. Everything here except reading the skill
//! catalogue is for site admins; others get 403.

use super::{link_header, ApiJson, ApiQuery, Created, IdPath, TextOrList};
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rapport_app::lists::ListQuery;
use rapport_app::lists::Start;
use rapport_domain::person::SignupMode;
use rapport_domain::{PersonId, SkillId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Someone to invite.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct InvitationBody {
    /// Their email address; the invitation goes there.
    #[schema(required = true)]
    pub email: String,
    /// Their name.
    #[schema(required = true)]
    pub name: String,
    /// Whether they become a site admin.
    pub admin: bool,
}

/// Invite someone
///
/// Creates an invited account and emails a link (valid 14 days) where the
/// person chooses their password. Recorded in the audit log.
#[utoipa::path(
    post,
    path = "/api/v1/admin/invitations",
    tag = "admin",
    request_body = InvitationBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The invited person's id.", body = Created),
        (status = 403, description = "`forbidden`: admins only.", body = ErrorBody),
        (status = 409, description = "`conflict` on `email`: an account with this email exists.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `email` or `name`.", body = ErrorBody),
    ),
)]
pub async fn invite(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<InvitationBody>,
) -> Result<Response, ApiError> {
    let id = s
        .app
        .invite(&actor, &body.email, &body.name, body.admin)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })).into_response())
}

/// A catalogue skill.
#[derive(Serialize, ToSchema)]
pub struct Skill {
    /// Skill id.
    pub id: uuid::Uuid,
    /// Name.
    pub name: String,
}

/// The skill catalogue.
#[derive(Serialize, ToSchema)]
pub struct SkillList {
    /// Every catalogue skill.
    pub skills: Vec<Skill>,
}

/// The skill catalogue
///
/// The skills people pick from for their profiles (they may also add their
/// own). Any signed-in person may read it.
#[utoipa::path(
    get,
    path = "/api/v1/skills",
    tag = "admin",
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "The catalogue.", body = SkillList)),
)]
pub async fn list_skills(
    State(s): State<AppState>,
    ApiActor(_signed_in): ApiActor,
) -> Result<Json<SkillList>, ApiError> {
    let skills = s
        .app
        .skills()
        .await?
        .into_iter()
        .map(|k| Skill {
            id: k.id.0,
            name: k.name,
        })
        .collect();
    Ok(Json(SkillList { skills }))
}

/// A skill name.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct SkillBody {
    /// The skill's name (up to 60 characters).
    #[schema(required = true)]
    pub name: String,
}

/// Add a catalogue skill
#[utoipa::path(
    post,
    path = "/api/v1/admin/skills",
    tag = "admin",
    request_body = SkillBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The new skill.", body = Skill),
        (status = 403, description = "`forbidden`: admins only.", body = ErrorBody),
        (status = 409, description = "`conflict` on `name`: the skill is already in the catalogue.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `name`.", body = ErrorBody),
    ),
)]
pub async fn add_skill(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<SkillBody>,
) -> Result<Response, ApiError> {
    let k = s.app.add_skill(&actor, &body.name).await?;
    let skill = Skill {
        id: k.id.0,
        name: k.name,
    };
    Ok((StatusCode::CREATED, Json(skill)).into_response())
}

/// Remove a catalogue skill
///
/// Profiles that list the skill keep it as free text.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/skills/{id}",
    tag = "admin",
    params(("id" = uuid::Uuid, Path, description = "Skill id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "The skill is removed."),
        (status = 403, description = "`forbidden`: admins only.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such skill.", body = ErrorBody),
    ),
)]
pub async fn remove_skill(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<SkillId>,
) -> Result<StatusCode, ApiError> {
    s.app.remove_skill(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How people may join.
#[derive(Serialize, ToSchema)]
pub struct SiteSettings {
    /// `open`, `invite_only` or `domains`.
    pub signup_mode: String,
    /// With `domains`: the email domains that may sign up.
    pub allowed_domains: Vec<String>,
}

impl From<SignupMode> for SiteSettings {
    fn from(mode: SignupMode) -> Self {
        Self {
            signup_mode: mode.code().into(),
            allowed_domains: match mode {
                SignupMode::Domains { domains } => domains,
                _ => vec![],
            },
        }
    }
}

/// New site settings.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct SiteSettingsBody {
    /// `open`, `invite_only` or `domains`.
    #[schema(required = true)]
    pub signup_mode: String,
    /// With `domains`: a list, or one comma-separated string, of email domains.
    pub allowed_domains: TextOrList,
}

/// Site settings
#[utoipa::path(
    get,
    path = "/api/v1/admin/settings",
    tag = "admin",
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The current settings.", body = SiteSettings),
        (status = 403, description = "`forbidden`: admins only.", body = ErrorBody),
    ),
)]
pub async fn get_settings(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<SiteSettings>, ApiError> {
    // The app's `signup_mode` serves sign-up itself, so it has no actor; the
    // admin check for reading the settings is made here.
    Ok(Json(s.app.site_settings(&actor).await?.into()))
}

/// Change site settings
///
/// Recorded in the audit log with the settings before and after.
#[utoipa::path(
    put,
    path = "/api/v1/admin/settings",
    tag = "admin",
    request_body = SiteSettingsBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The saved settings.", body = SiteSettings),
        (status = 403, description = "`forbidden`: admins only.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `signup_mode` or `allowed_domains`.", body = ErrorBody),
    ),
)]
pub async fn set_settings(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<SiteSettingsBody>,
) -> Result<Json<SiteSettings>, ApiError> {
    let domains = body.allowed_domains.joined(", ");
    let mode = s
        .app
        .set_signup_mode(&actor, &body.signup_mode, &domains)
        .await?;
    Ok(Json(mode.into()))
}

/// Which page of the audit log: `page`, or `cursor` (see "Lists and
/// pages" in the API docs); either with `limit`.
#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// 1-based page number, newest first. Kept for existing clients; prefer
    /// `cursor`.
    pub page: Option<i64>,
    /// Where to continue: the opaque cursor from the `Link` header of the
    /// previous answer. Not with `page`.
    pub cursor: Option<String>,
    /// Events per page, 1 to 100 (default 50).
    pub limit: Option<i64>,
    /// Only events by this person (issue 18 §6 filters; the `Link` header
    /// keeps them).
    pub person: Option<uuid::Uuid>,
    /// Only this action, like `round.publish`.
    pub action: Option<String>,
    /// Only events about this programme (its slug).
    pub programme: Option<String>,
    /// Only events at or after this time (Unix ms).
    pub from: Option<i64>,
    /// Only events before this time (Unix ms).
    pub until: Option<i64>,
}

/// One audit event.
#[derive(Serialize, ToSchema)]
pub struct AuditEvent {
    /// Event id.
    pub id: uuid::Uuid,
    /// Who did it, if their account still exists.
    pub actor_id: Option<uuid::Uuid>,
    /// Their name at the time (`System` for the command line).
    pub actor_name: String,
    /// What was done, like `person.invite`.
    pub action: String,
    /// What happened, in a sentence ("Alex Morgan published a round of
    /// Leadership Foundations: 51 rooms proposed.").
    pub sentence: String,
    /// What it was done to, like `person:ana@example.org`.
    pub subject: String,
    /// The state before, if any: a JSON object whose keys depend on `action`.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The state after, if any: a JSON object whose keys depend on `action`.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    /// When, Unix milliseconds.
    pub created_at: i64,
}

/// One page of the audit log.
#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    /// Events, newest first.
    pub events: Vec<AuditEvent>,
    /// Events in all, counted up to 1,000.
    pub total: i64,
    /// True when there are more than 1,000 events (and `total` says 1,000).
    pub total_capped: bool,
    /// This page, from 1; 0 when the page was read by `cursor`.
    pub page: i64,
    /// Page size (`limit`).
    pub per_page: i64,
    /// Number of pages of `total` (at least 1).
    pub pages: i64,
}

/// Read the audit log
///
/// Who did what and when, with the state before and after: admin and manager
/// actions, account deletions. Newest first; the next page is in the `Link`
/// header.
#[utoipa::path(
    get,
    path = "/api/v1/admin/audit",
    tag = "admin",
    params(AuditParams),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of events.", body = AuditPage,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 403, description = "`forbidden`: admins only.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `limit` is not 1 to 100, `page` is out of range, or `cursor` is not one Rapport made (or came with `page`).", body = ErrorBody),
    ),
)]
pub async fn audit_log(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> Result<Response, ApiError> {
    let query = ListQuery {
        page: params.page,
        cursor: params.cursor,
        limit: params.limit,
    };
    let filter = rapport_app::audit_log::AuditQuery {
        person: params.person.map(PersonId),
        action: params.action,
        programme: params.programme,
        from: params.from,
        until: params.until,
    };
    // The totals count the whole log; the events are the filtered page.
    let (_, total, total_capped) = s.app.audit_log(&actor, &query).await?;
    let page = s.app.audit_entries(&actor, &filter, &query).await?;
    let (start, limit) = query.window()?;
    let mut path = "/api/v1/admin/audit".to_string();
    let mut sep = '?';
    for (k, v) in [
        ("person", filter.person.map(|p| p.to_string())),
        ("action", filter.action.clone()),
        ("programme", filter.programme.clone()),
        ("from", filter.from.map(|v| v.to_string())),
        ("until", filter.until.map(|v| v.to_string())),
    ] {
        if let Some(v) = v {
            path.push_str(&format!("{sep}{k}={}", rapport_app::placement::percent(&v)));
            sep = '&';
        }
    }
    let link = link_header(&s.app.config.base_url, &path, limit, &page);
    let events = page
        .items
        .into_iter()
        .map(
            |rapport_app::audit_log::AuditEntry {
                 record: r,
                 sentence,
             }| AuditEvent {
                id: r.id,
                actor_id: r.actor_id.map(|a| a.0),
                actor_name: r.actor_name,
                action: r.action,
                sentence,
                subject: r.subject,
                before: r.before_json,
                after: r.after_json,
                created_at: r.created_at,
            },
        )
        .collect();
    let body = Json(AuditPage {
        events,
        total,
        total_capped,
        page: match start {
            Start::Offset(offset) => offset / limit + 1,
            Start::Cursor(_) => 0,
        },
        per_page: limit,
        pages: ((total + limit - 1) / limit).max(1),
    });
    Ok(match link {
        Some(link) => ([(axum::http::header::LINK, link)], body).into_response(),
        None => body.into_response(),
    })
}

/// Whether someone is a site admin. `admin` is required: a missing value
/// must not silently remove rights.
#[derive(Deserialize, ToSchema)]
pub struct AdminBody {
    /// True to grant admin rights, false to remove them.
    pub admin: bool,
}

/// Grant or remove admin rights
///
/// The last admin cannot be removed. Recorded in the audit log.
#[utoipa::path(
    put,
    path = "/api/v1/admin/people/{id}/admin",
    tag = "admin",
    params(("id" = uuid::Uuid, Path, description = "Person id.")),
    request_body = AdminBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "The rights are updated."),
        (status = 403, description = "`forbidden`: admins only.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such person.", body = ErrorBody),
        (status = 409, description = "`conflict` on `is_admin`: this is the only admin.", body = ErrorBody),
    ),
)]
pub async fn set_admin(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<PersonId>,
    ApiJson(body): ApiJson<AdminBody>,
) -> Result<StatusCode, ApiError> {
    s.app.set_admin(&actor, id, body.admin).await?;
    Ok(StatusCode::NO_CONTENT)
}
