//! The signed-in person's action inbox and in-app notifications.

use super::{paged_json, ApiJson, ApiQuery};
use crate::auth::ApiActor;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::response::Response;
use axum::Json;
use rapport_app::inbox::InboxEntry;
use rapport_app::lists::ListQuery;
use rapport_domain::NotificationId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Which page of a list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// A cursor from a previous answer's `Link` header.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 50).
    pub limit: Option<i64>,
    /// 1-based page number (instead of a cursor).
    pub page: Option<i64>,
}

impl PageParams {
    fn query(self) -> ListQuery {
        ListQuery {
            page: self.page,
            cursor: self.cursor,
            limit: self.limit,
        }
    }
}

/// One thing waiting on you.
#[derive(Serialize, ToSchema)]
pub struct InboxEntryOut {
    /// A key stable while the entry waits.
    pub id: uuid::Uuid,
    /// `proposal`, `request`, `question`, `applications`, `round_to_publish`,
    /// `unplaced`, `reports`, `agreement`, `pulse`, `feedback`, `nudge`,
    /// `reschedule` or `closure`.
    pub kind: String,
    /// What waits, in a sentence.
    pub title: String,
    /// More, when it helps (for a nudge: the reasons and the next step).
    pub detail: String,
    /// Where it is done: a path on this site.
    pub link: String,
    /// The link's words.
    pub action: String,
    /// By when (ms since 1970), if there is a deadline.
    pub deadline: Option<i64>,
    /// When it arrived (ms since 1970).
    pub at: i64,
    /// For an entry that stands for several (a manager's), how many.
    pub count: Option<i64>,
}

impl From<InboxEntry> for InboxEntryOut {
    fn from(e: InboxEntry) -> Self {
        Self {
            id: e.id,
            kind: e.kind.code().into(),
            title: e.title,
            detail: e.detail,
            link: e.link,
            action: e.action.into(),
            deadline: e.deadline,
            at: e.at,
            count: e.count,
        }
    }
}

/// Your action inbox
///
/// Everything waiting on you, each with the path where it is done, ordered
/// by deadline, then newest. A manager's entries are one per programme with
/// a count. The next page is in the `Link` header.
#[utoipa::path(get, path = "/api/v1/me/inbox", tag = "me", params(PageParams), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of the inbox.", body = Vec<InboxEntryOut>,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 422, description = "`invalid_field`: `limit` is not 1 to 100, `page` is out of range, or `cursor` is not one Rapport made (or came with `page`).", body = ErrorBody),
    ))]
pub async fn get_inbox(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Response, ApiError> {
    let query = params.query();
    let page = s.app.inbox_page(&actor, &query).await?;
    let (_, limit) = query.window()?;
    Ok(paged_json(&s, "/api/v1/me/inbox", limit, page, |items| {
        items
            .into_iter()
            .map(InboxEntryOut::from)
            .collect::<Vec<_>>()
    }))
}

/// One in-app notification.
#[derive(Serialize, ToSchema)]
pub struct NotificationOut {
    /// Id.
    pub id: uuid::Uuid,
    /// The kind of news (`matching`, `digest`, `sessions`, `rooms`, `growth`): the
    /// same kinds as the email preferences.
    pub kind: String,
    /// One line.
    pub subject: String,
    /// Where to go: a path on this site.
    pub link: String,
    /// When (ms since 1970).
    pub created_at: i64,
    /// When you read it, if you did.
    pub read_at: Option<i64>,
}

/// Your notifications
///
/// The news Rapport sent you, newest first: everything it emailed you
/// (whatever your email preferences), except account mail and message
/// digests (unread messages are counted per room). The next page is in the
/// `Link` header.
#[utoipa::path(get, path = "/api/v1/me/notifications/feed", tag = "me", params(PageParams), security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of notifications.", body = Vec<NotificationOut>,
            headers(("link" = String, description = "`<…>; rel=\"next\"` and `<…>; rel=\"prev\"` when there are such pages."))),
        (status = 422, description = "`invalid_field`: `limit` is not 1 to 100, `page` is out of range, or `cursor` is not one Rapport made (or came with `page`).", body = ErrorBody),
    ))]
pub async fn notification_feed(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Response, ApiError> {
    let query = params.query();
    let page = s.app.my_notifications(&actor, &query).await?;
    let (_, limit) = query.window()?;
    Ok(paged_json(
        &s,
        "/api/v1/me/notifications/feed",
        limit,
        page,
        |items| {
            items
                .into_iter()
                .map(|n| NotificationOut {
                    id: n.id.0,
                    kind: n.kind,
                    subject: n.subject,
                    link: n.link,
                    created_at: n.created_at,
                    read_at: n.read_at,
                })
                .collect::<Vec<_>>()
        },
    ))
}

/// Which notifications to mark read.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct MarkRead {
    /// The ids to mark read (at most 100).
    pub ids: Vec<uuid::Uuid>,
    /// Mark every notification read instead.
    pub all: bool,
}

/// What marking read changed.
#[derive(Serialize, ToSchema)]
pub struct MarkedRead {
    /// How many notifications changed from unread to read.
    pub marked: u64,
    /// Your unread notifications left.
    pub unread: i64,
}

/// Mark notifications read
///
/// Names the notifications to mark read, or `"all": true`. Ids that are not
/// yours, or already read, change nothing.
#[utoipa::path(post, path = "/api/v1/me/notifications/read", tag = "me", request_body = MarkRead, security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "How many changed, and how many are left unread.", body = MarkedRead),
        (status = 422, description = "`invalid_field` on `ids`: none named without `all`, or more than 100.", body = ErrorBody),
    ))]
pub async fn mark_read(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<MarkRead>,
) -> Result<Json<MarkedRead>, ApiError> {
    let ids: Vec<NotificationId> = body.ids.into_iter().map(NotificationId).collect();
    if !body.all && ids.is_empty() {
        return Err(rapport_app::AppError::invalid(
            "ids",
            "name the notifications to mark read, or send \"all\": true",
        )
        .into());
    }
    let marked = s
        .app
        .mark_notifications_read(&actor, (!body.all).then_some(ids.as_slice()))
        .await?;
    let unread = s.app.unread_notification_count(&actor).await?;
    Ok(Json(MarkedRead { marked, unread }))
}
