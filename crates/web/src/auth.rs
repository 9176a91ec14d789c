//! Who is asking: session cookies for pages, bearer tokens or cookies for the API.

use crate::{ApiError, AppState, PageError};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use rapport_app::accounts::ClientInfo;
use rapport_app::viewer::{ApiReader, PageReader, PageViewer};
use rapport_app::{Actor, AppError};
use std::net::SocketAddr;

/// Name of the sign-in cookie.
pub const SESSION_COOKIE: &str = "rapport_session";

/// The value of cookie `name`, if sent.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

/// The `Set-Cookie` value for a new session.
pub fn session_cookie(state: &AppState, token: &str) -> String {
    let secure = if state.web.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let max_age = state.app.config.session_days * 86_400;
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(state: &AppState) -> String {
    let secure = if state.web.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

/// User agent and client address. The address is the connection's, unless
/// that is a trusted proxy: then it is the rightmost `X-Forwarded-For` entry
/// that is not one (see [`crate::client_address`]), since entries further
/// left may be forged by the client.
pub fn client_info(parts: &Parts, state: &AppState) -> ClientInfo {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let forwarded: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let ip = peer.map(|peer| state.web.trusted_proxies.client(peer, &forwarded));
    ClientInfo {
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
        ip: ip.map_or_else(|| "unknown".into(), |ip| ip.to_string()),
    }
}

/// Extracts the client's info.
pub struct Client(pub ClientInfo);

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Client(client_info(parts, state)))
    }
}

async fn from_cookie(parts: &Parts, state: &AppState) -> Result<Option<Actor>, AppError> {
    match cookie(parts, SESSION_COOKIE) {
        Some(token) if !token.is_empty() => match state.app.authenticate_session(token).await {
            Ok((actor, _)) => Ok(Some(actor)),
            Err(AppError::Unauthenticated(_)) => Ok(None),
            Err(e) => Err(e),
        },
        _ => Ok(None),
    }
}

/// The signed-in person for an API call: a bearer token, or the session cookie.
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer(parts)? {
            return Ok(ApiActor(state.app.authenticate_token(token).await?));
        }
        match from_cookie(parts, state).await? {
            Some(actor) => Ok(ApiActor(actor)),
            None => Err(not_signed_in().into()),
        }
    }
}

/// The bearer token of an API call, if it sends an `Authorization` header;
/// a header that is not `Bearer <token>` is refused.
fn bearer(parts: &Parts) -> Result<Option<&str>, ApiError> {
    let Some(auth) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = auth
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            ApiError::from(AppError::Unauthenticated(
                "the Authorization header must be `Bearer <token>`".into(),
            ))
        })?;
    Ok(Some(token.trim()))
}

/// An API call with no credential, or a session that has ended.
fn not_signed_in() -> AppError {
    AppError::Unauthenticated(
        "sign in, or send an API token as `Authorization: Bearer <token>`".into(),
    )
}

/// The credential of an API call, not yet checked: the API's hot reads (the
/// directory, one's own profile, rooms and requests) hand it to the app,
/// which checks it in the call's own read transaction
/// ([`rapport_app::viewer::ApiReader`]; one transaction a call, issue 20).
/// Every other route takes [`ApiActor`], which checks it first. Both answer
/// a bad credential alike.
pub struct ApiCaller {
    credential: String,
    token: bool,
}

impl ApiCaller {
    /// The credential, for the app.
    pub fn reader(&self) -> ApiReader<'_> {
        if self.token {
            ApiReader::Token(&self.credential)
        } else {
            ApiReader::Session(&self.credential)
        }
    }

    /// An error from the app's read, as [`ApiActor`] answers it: a session
    /// that has ended is a call without a credential.
    pub fn refused(&self, e: AppError) -> ApiError {
        match e {
            AppError::Unauthenticated(_) if !self.token => not_signed_in().into(),
            e => e.into(),
        }
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer(parts)? {
            return Ok(ApiCaller {
                credential: token.to_string(),
                token: true,
            });
        }
        match cookie(parts, SESSION_COOKIE) {
            Some(c) if !c.is_empty() => Ok(ApiCaller {
                credential: c.to_string(),
                token: false,
            }),
            _ => Err(not_signed_in().into()),
        }
    }
}

/// The signed-in person for a page, with what the layout shows.
#[derive(Clone)]
pub struct PageActor {
    /// The actor.
    pub actor: Actor,
    /// Display name.
    pub name: String,
    /// The zone every time on their pages is shown in (their profile's).
    pub time_zone: rapport_domain::values::TimeZoneName,
    /// Their unread messages per room (rooms with none left out), read once
    /// per page: the room tabs, the rooms list and the navigation's count.
    pub unread: Vec<(rapport_domain::RoomId, i64)>,
    /// Their unread in-app notifications (the bell adds them to the unread
    /// messages: one count).
    pub unread_notifications: i64,
    /// The app's clock when the page was asked for: which year is "this
    /// year" when a time is shown.
    pub now: i64,
}

impl PageActor {
    /// `ms` in this person's zone, the zone named, the year only when it is
    /// not this year (issue 18, "time in my zone").
    pub fn when(&self, ms: i64) -> String {
        self.time_zone.local_at(ms, self.now)
    }
}

impl FromRequestParts<AppState> for PageActor {
    type Rejection = PageError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match MaybeActor::from_request_parts(parts, state).await?.0 {
            Some(a) => Ok(a),
            None => Err(sign_in_first()),
        }
    }
}

/// A page asked for without a live session: the answer sends the person
/// to sign in.
fn sign_in_first() -> PageError {
    PageError(AppError::Unauthenticated("sign in to continue".into()))
}

/// The signed-in person, if any.
pub struct MaybeActor(pub Option<PageActor>);

impl FromRequestParts<AppState> for MaybeActor {
    type Rejection = PageError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // One read transaction for the viewer, their name and zone, and the
        // navigation's counts (issue 17, "Performance").
        let token = match cookie(parts, SESSION_COOKIE) {
            Some(token) if !token.is_empty() => token,
            _ => return Ok(MaybeActor(None)),
        };
        let v = match state.app.page_viewer(token).await {
            Ok(v) => v,
            Err(AppError::Unauthenticated(_)) => return Ok(MaybeActor(None)),
            Err(e) => return Err(e.into()),
        };
        Ok(MaybeActor(Some(PageActor::from_viewer(v, state))))
    }
}

impl PageActor {
    /// The page's actor from the viewer `app` read.
    fn from_viewer(v: PageViewer, state: &AppState) -> Self {
        PageActor {
            actor: v.actor,
            name: v.name,
            time_zone: v.time_zone,
            unread: v.unread,
            unread_notifications: v.unread_notifications,
            now: state.app.now(),
        }
    }
}

/// The session cookie of a page that reads its viewer in its own read
/// transaction ([`PageReader::Session`]), where [`PageActor`] would read it
/// in one of its own first: the room tabs (issue 17, "Performance"). No
/// cookie is an ended session, as for [`PageActor`].
pub struct PageSession(String);

impl FromRequestParts<AppState> for PageSession {
    type Rejection = PageError;
    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match cookie(parts, SESSION_COOKIE) {
            Some(token) if !token.is_empty() => Ok(PageSession(token.to_string())),
            _ => Err(sign_in_first()),
        }
    }
}

/// The session cookie, if the request carries one, for a page that anyone
/// may read and that reads its viewer in its own transaction (the home
/// page). Whether the session is live is for that read to tell.
pub struct MaybeSession(pub Option<PageSession>);

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = PageError;
    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(MaybeSession(match cookie(parts, SESSION_COOKIE) {
            Some(token) if !token.is_empty() => Some(PageSession(token.to_string())),
            _ => None,
        }))
    }
}

/// Who a page is read for: the request's [`PageActor`] (a form shown again
/// after a refused write), or its [`PageSession`].
#[derive(Clone, Copy)]
pub enum PageFor<'a> {
    /// The viewer, already read.
    Actor(&'a PageActor),
    /// The cookie: the page's read reads the viewer.
    Session(&'a PageSession),
}

impl PageFor<'_> {
    /// What to hand the app's page read.
    pub fn reader(&self) -> PageReader<'_> {
        match self {
            PageFor::Actor(a) => PageReader::Actor(&a.actor),
            PageFor::Session(s) => PageReader::Session(&s.0),
        }
    }

    /// The page's actor: the one given, or the viewer the page's read
    /// answered with.
    pub fn actor(
        &self,
        state: &AppState,
        read: Option<PageViewer>,
    ) -> Result<PageActor, PageError> {
        match (self, read) {
            (_, Some(v)) => Ok(PageActor::from_viewer(v, state)),
            (PageFor::Actor(a), None) => Ok((*a).clone()),
            // A session read always answers with its viewer.
            (PageFor::Session(_), None) => Err(sign_in_first()),
        }
    }
}
