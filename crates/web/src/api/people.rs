//! Profiles and the people directory.

use super::{paged_json, ApiJson, ApiQuery, IdPath, TextOrList};
use crate::auth::{ApiActor, ApiCaller};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use rapport_app::lists::{Cursor, ListQuery, Page};
use rapport_app::profiles::ProfileView;
use rapport_domain::person::ProfileInput;
use rapport_domain::PersonId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A person's profile as the caller may see it. `email`, `gender` and
/// `manager_email` are only filled for the person themself and admins.
///
/// The editable fields have the same names as in [`ProfileBody`], so a client
/// can read a profile, change a field and send it back.
#[derive(Serialize, ToSchema)]
pub struct PersonView {
    /// Person id.
    pub id: uuid::Uuid,
    /// Email (the person and admins only).
    pub email: Option<String>,
    /// Display name.
    pub name: String,
    /// Pronouns.
    pub pronouns: String,
    /// Self-described gender (the person and admins only; otherwise empty).
    pub gender: String,
    /// Biography.
    pub bio: String,
    /// `professional_contributor`, `team_leader` or `leader_of_leaders`.
    pub level: String,
    /// Years of professional experience.
    pub years_experience: u8,
    /// Skills the person can teach.
    pub skills_offered: Vec<String>,
    /// Skills the person wants to grow.
    pub skills_wanted: Vec<String>,
    /// Interests.
    pub interests: Vec<String>,
    /// Goal tags.
    pub goal_tags: Vec<String>,
    /// Goals in the person's own words.
    pub goals: String,
    /// Languages.
    pub languages: Vec<String>,
    /// IANA time zone.
    pub time_zone: String,
    /// Weekly availability in the person's zone, like `mon 09:00-11:30`.
    pub availability: Vec<String>,
    /// Department.
    pub department: String,
    /// Manager's person id (reporting line).
    pub manager_id: Option<uuid::Uuid>,
    /// Manager's name.
    pub manager_name: Option<String>,
    /// Manager's email (the person and admins only).
    pub manager_email: Option<String>,
    /// `members` or `private`.
    pub visibility: String,
    /// Last activity, Unix milliseconds.
    pub last_active_at: Option<i64>,
    /// Whether the caller may edit this profile.
    pub editable: bool,
    /// Whether the person is a site admin.
    pub is_admin: bool,
    /// Whether the person has an active account (false: invited, not joined yet).
    pub active: bool,
}

impl From<ProfileView> for PersonView {
    fn from(v: ProfileView) -> Self {
        let p = v.profile;
        Self {
            id: v.id.0,
            email: v.email,
            name: p.name,
            pronouns: p.pronouns,
            gender: p.gender,
            bio: p.bio,
            level: p.level.code().into(),
            years_experience: p.years_experience,
            skills_offered: p.skills_offered,
            skills_wanted: p.skills_wanted,
            interests: p.interests,
            goal_tags: p.goal_tags,
            goals: p.goals,
            languages: p.languages,
            time_zone: p.time_zone.into(),
            availability: p.availability.iter().map(|w| w.display()).collect(),
            department: p.department,
            manager_id: p.manager_id.map(|m| m.0),
            manager_name: v.manager_name,
            manager_email: v.manager_email,
            visibility: p.visibility.code().into(),
            last_active_at: v.last_active_at,
            editable: v.editable,
            is_admin: v.is_admin,
            active: v.active,
        }
    }
}

/// A whole profile, replacing the current one. Missing fields are empty.
/// List fields take a comma-separated string (as in the form) or a list;
/// `availability` takes one window per line or a list of windows.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ProfileBody {
    /// Display name.
    #[schema(required = true)]
    pub name: String,
    /// Pronouns (up to 40 characters).
    pub pronouns: String,
    /// Self-described gender (up to 60 characters), used only for stated matching preferences.
    pub gender: String,
    /// Biography (up to 2000 characters).
    pub bio: String,
    /// `professional_contributor`, `team_leader` or `leader_of_leaders`.
    #[schema(required = true)]
    pub level: String,
    /// Years of experience, 0 to 60, as a number or a string.
    pub years_experience: YearsValue,
    /// Skills offered.
    pub skills_offered: TextOrList,
    /// Skills wanted.
    pub skills_wanted: TextOrList,
    /// Interests.
    pub interests: TextOrList,
    /// Goal tags.
    pub goal_tags: TextOrList,
    /// Goals, free text (up to 2000 characters).
    pub goals: String,
    /// Languages.
    pub languages: TextOrList,
    /// IANA time zone such as `Europe/Paris`; empty means UTC.
    pub time_zone: String,
    /// Weekly windows like `mon 09:00-11:30`.
    pub availability: TextOrList,
    /// Department.
    pub department: String,
    /// The manager's email (they must have an account); empty or null for none.
    pub manager_email: Option<String>,
    /// `members` (default) or `private`.
    pub visibility: String,
}

/// A whole number given as a JSON number or a string.
#[derive(Deserialize, Serialize, ToSchema, Clone, Debug)]
#[serde(untagged)]
pub enum YearsValue {
    /// A number.
    Number(i64),
    /// A string, as typed in the form.
    Text(String),
}

impl Default for YearsValue {
    fn default() -> Self {
        Self::Text(String::new())
    }
}

impl From<ProfileBody> for ProfileInput {
    fn from(b: ProfileBody) -> Self {
        Self {
            name: b.name,
            pronouns: b.pronouns,
            gender: b.gender,
            bio: b.bio,
            level: b.level,
            years_experience: match b.years_experience {
                YearsValue::Number(n) => n.to_string(),
                YearsValue::Text(t) => t,
            },
            skills_offered: b.skills_offered.joined(", "),
            skills_wanted: b.skills_wanted.joined(", "),
            interests: b.interests.joined(", "),
            goal_tags: b.goal_tags.joined(", "),
            goals: b.goals,
            languages: b.languages.joined(", "),
            time_zone: b.time_zone,
            availability: b.availability.joined("\n"),
            department: b.department,
            manager_email: b.manager_email.unwrap_or_default(),
            visibility: b.visibility,
        }
    }
}

/// Directory search.
#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct DirectoryParams {
    /// Words to find in names, skills, interests, languages and departments
    /// (each word anywhere inside a word: `mari` finds Mariana); empty lists
    /// everyone, newest first.
    pub q: String,
    /// 1-based page number (the older way; prefer the `Link` header's cursor).
    pub page: Option<i64>,
    /// Where to continue: the opaque cursor from the `Link` header of the
    /// previous answer. Without it (and without `page`), the first page.
    pub cursor: Option<String>,
    /// People per page, 1 to 100 (default 24).
    pub limit: Option<i64>,
}

/// One page of the directory.
#[derive(Serialize, ToSchema)]
pub struct DirectoryResult {
    /// People on this page, newest first (search results are not ranked:
    /// a rank would cost every match).
    pub people: Vec<PersonView>,
    /// Matches in all. Without `q`, exact. With `q`: counted up to 1,000
    /// (`more` says there are more), or, when the words are common,
    /// estimated to two figures from the share of matches among the newest
    /// people (`estimated`).
    pub total: i64,
    /// Whether more than `total` people match.
    pub more: bool,
    /// Whether `total` is an estimate.
    pub estimated: bool,
    /// This page, from 1; null when the page was read by cursor.
    pub page: Option<i64>,
    /// Page size.
    pub per_page: i64,
    /// Number of pages the counted total fills (at least 1).
    pub pages: i64,
}

/// Search the people directory
///
/// Private profiles are listed only for admins (and the person themself).
/// One page at a time: the first page needs no cursor, and the next page is
/// in the `Link` header (`rel="next"`).
#[utoipa::path(
    get,
    path = "/api/v1/people",
    tag = "people",
    params(DirectoryParams),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of matches.", body = DirectoryResult,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 422, description = "`invalid_field` on `q` (the search is too long), `limit`, `cursor` or `page`.", body = ErrorBody),
    ),
)]
pub async fn directory(
    State(s): State<AppState>,
    caller: ApiCaller,
    ApiQuery(params): ApiQuery<DirectoryParams>,
) -> Result<Response, ApiError> {
    let query = ListQuery {
        page: params.page,
        cursor: params.cursor,
        limit: params.limit,
    };
    let d = s
        .app
        .directory_for(caller.reader(), &params.q, &query)
        .await;
    let d = d.map_err(|e| caller.refused(e))?;
    let parse = |c: Option<String>| c.as_deref().and_then(Cursor::parse);
    let page = Page {
        next: parse(d.next.clone()),
        prev: parse(d.prev.clone()),
        items: vec![()],
    };
    let path = if params.q.is_empty() {
        "/api/v1/people".to_string()
    } else {
        format!("/api/v1/people?q={}", query_value(&params.q))
    };
    let (pages, per_page) = (d.pages(), d.per_page);
    Ok(paged_json(&s, &path, per_page, page, |_| DirectoryResult {
        pages,
        total: d.total,
        more: d.more,
        estimated: d.estimated,
        page: d.page,
        per_page,
        people: d.people.into_iter().map(PersonView::from).collect(),
    }))
}

/// `text` as a URL query value: unreserved characters as they are, every
/// other byte percent-encoded.
fn query_value(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Read a profile
///
/// Someone else's private profile is 404 unless the caller is an admin or
/// manages one of their programmes.
#[utoipa::path(
    get,
    path = "/api/v1/people/{id}",
    tag = "people",
    params(("id" = uuid::Uuid, Path, description = "Person id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The profile.", body = PersonView),
        (status = 404, description = "`not_found`: no such person, or not yours to see.", body = ErrorBody),
    ),
)]
pub async fn get_person(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<PersonId>,
) -> Result<Json<PersonView>, ApiError> {
    Ok(Json(s.app.profile(&actor, id).await?.into()))
}

/// Replace a profile
///
/// People edit their own profile; admins edit anyone's. Every invalid field is
/// reported at once. Returns the saved profile.
#[utoipa::path(
    put,
    path = "/api/v1/people/{id}/profile",
    tag = "people",
    params(("id" = uuid::Uuid, Path, description = "Person id.")),
    request_body = ProfileBody,
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The saved profile.", body = PersonView),
        (status = 403, description = "`forbidden`: the caller may see this profile but not edit it.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such person, or not yours to see.", body = ErrorBody),
        (status = 422, description = "`invalid_field`: each bad field is named (`fields` lists them all).", body = ErrorBody),
    ),
)]
pub async fn update_profile(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<PersonId>,
    ApiJson(body): ApiJson<ProfileBody>,
) -> Result<Json<PersonView>, ApiError> {
    let input = ProfileInput::from(body);
    Ok(Json(s.app.update_profile(&actor, id, &input).await?.into()))
}

/// Delete someone's account (admin)
///
/// Removes the person and their data; other people's records stay whole and
/// the audit log records the deletion. To delete your own account use
/// `DELETE /api/v1/me`, which asks for your password.
#[utoipa::path(
    delete,
    path = "/api/v1/people/{id}",
    tag = "people",
    params(("id" = uuid::Uuid, Path, description = "Person id.")),
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "The account is deleted."),
        (status = 403, description = "`forbidden`: only admins delete other people's accounts.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such person.", body = ErrorBody),
        (status = 409, description = "`conflict`: this is the only administrator.", body = ErrorBody),
        (status = 422, description = "`invalid_field` on `password`: the target is yourself; use `DELETE /api/v1/me`.", body = ErrorBody),
    ),
)]
pub async fn delete_person(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath<PersonId>,
) -> Result<StatusCode, ApiError> {
    s.app.delete_account(&actor, id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}
