//! Accounts: sign-up, verification, sign-in and out, password reset,
//! invitations, sign-in sessions, API tokens, data export and deletion.

use crate::emails::{Frame, Invitation, Mail, ResetPassword, Unsubscribe, VerifyEmail};
use crate::secrets::{hash_password, hash_token, random_token, verify_password};
use crate::viewer::ApiReader;
use crate::{App, AppError, AppResult};
use rapport_domain::person::{AccountStatus, NotificationKind, Profile, SignupMode};
use rapport_domain::policy::{self, Actor};
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::values::{Email, NewPassword, PersonName};
use rapport_domain::{ApiTokenId, Invalid, LoginSessionId, PersonId, ProgrammeId};
use rapport_store::{
    ApiTokenRecord, AuditRecord, LoginSessionRecord, NewEmail, NewPerson, PersonRecord, Tx,
};
use serde::Serialize;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// How long a verification link works.
pub const VERIFY_TTL_MS: i64 = 2 * DAY;
/// How long a password-reset link works.
pub const RESET_TTL_MS: i64 = HOUR;
/// How long an invitation works.
pub const INVITE_TTL_MS: i64 = 14 * DAY;

/// What a sign-up form or API call sends.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SignUp {
    /// Email address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Password.
    pub password: String,
}

/// A new sign-in session; `token` goes into the cookie and is never stored.
#[derive(Debug)]
pub struct NewSession {
    /// The secret for the cookie.
    pub token: String,
    /// Who signed in.
    pub person_id: PersonId,
}

/// A freshly created API token; `secret` is shown once.
#[derive(Debug, Serialize)]
pub struct CreatedToken {
    /// Token id.
    pub id: ApiTokenId,
    /// Name.
    pub name: String,
    /// The secret, for `Authorization: Bearer`. Shown once, never again.
    pub secret: String,
}

/// Where the request came from, for session lists and rate limits.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    /// User-Agent header.
    pub user_agent: String,
    /// Client address (after proxy handling).
    pub ip: String,
}

/// The window in which sign-in, sign-up and reset attempts are counted.
pub const ATTEMPT_WINDOW_MS: i64 = 15 * 60_000;

/// Failed sign-ins allowed per account and address in a window (issue 18):
/// only failures count, so an office behind one address is not locked out
/// by its own successful sign-ins on launch day.
pub const SIGN_IN_FAILURES_PER_ACCOUNT: i64 = 10;

/// Failed sign-ins allowed per address in a window, whatever the accounts.
pub const SIGN_IN_FAILURES_PER_ADDRESS: i64 = 100;

/// The two counters a failed sign-in adds to: one per account and address
/// (the typed address is hashed, so the table holds no email addresses and
/// an unknown account counts exactly like a known one), one per address.
fn failure_keys(email: &str, client: &ClientInfo) -> [(String, i64); 2] {
    let account = hash_token(&email.to_lowercase());
    [
        (
            format!(
                "signin-fail:{}:{}",
                &account[..16.min(account.len())],
                client.ip
            ),
            SIGN_IN_FAILURES_PER_ACCOUNT,
        ),
        (
            format!("signin-fail:{}", client.ip),
            SIGN_IN_FAILURES_PER_ADDRESS,
        ),
    ]
}

/// What a disabled person is told when they try to sign in or use a
/// session or token that outlived the disabling.
fn disabled_account() -> AppError {
    AppError::Forbidden(
        "this account is disabled; ask an administrator of this site if you think it should not be"
            .into(),
    )
}

fn audit(
    actor: Option<&PersonRecord>,
    action: &str,
    subject: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    now: i64,
) -> AuditRecord {
    AuditRecord {
        id: uuid::Uuid::new_v4(),
        actor_id: actor.map(|a| a.id),
        actor_name: actor
            .map(|a| a.profile.name.clone())
            .unwrap_or_else(|| "System".into()),
        action: action.into(),
        subject,
        before_json: before,
        after_json: after,
        created_at: now,
    }
}

impl App {
    /// Loads the acting person and their programme roles.
    #[tracing::instrument(skip_all, fields(person = %person))]
    pub async fn actor(&self, person: PersonId) -> AppResult<Actor> {
        let mut tx = self.store.read().await?;
        Ok(self.actor_in(&mut tx, person).await?.0)
    }

    /// [`App::actor`] in the caller's transaction, with the person's record
    /// (a page reads their name and zone from it without reading it again).
    pub(crate) async fn actor_in(
        &self,
        tx: &mut Tx,
        person: PersonId,
    ) -> AppResult<(Actor, PersonRecord)> {
        let record = tx.person(person).await?.ok_or_else(|| {
            AppError::Unauthenticated("your account no longer exists; sign in again".into())
        })?;
        self.actor_of(tx, record).await
    }

    /// The actor `record` signs in as, its roles read in `tx`; a disabled
    /// account is refused.
    pub(crate) async fn actor_of(
        &self,
        tx: &mut Tx,
        record: PersonRecord,
    ) -> AppResult<(Actor, PersonRecord)> {
        let roles = tx.roles_of(record.id).await?;
        self.actor_with(record, roles)
    }

    /// The actor `record` signs in as, with the `roles` read with it (a
    /// credential's statement reads them: [`rapport_store::SignedIn`]); a
    /// disabled account is refused.
    pub(crate) fn actor_with(
        &self,
        record: PersonRecord,
        roles: Vec<(ProgrammeId, ProgrammeRole)>,
    ) -> AppResult<(Actor, PersonRecord)> {
        if record.disabled_at.is_some() {
            return Err(disabled_account());
        }
        let actor = Actor {
            person_id: record.id,
            is_admin: record.is_admin,
            roles,
        };
        Ok((actor, record))
    }

    /// The current sign-up mode.
    #[tracing::instrument(skip_all)]
    pub async fn signup_mode(&self) -> AppResult<SignupMode> {
        let mut tx = self.store.read().await?;
        Ok(match tx.setting("signup_mode").await? {
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| AppError::internal("stored signup_mode is malformed", e))?,
            None => SignupMode::Open,
        })
    }

    /// Creates an account and mails a verification link. Every invalid field
    /// is reported at once.
    #[tracing::instrument(skip_all)]
    pub async fn sign_up(&self, input: &SignUp) -> AppResult<PersonId> {
        let (email, name, password) =
            account_fields(&input.email, &input.name, Some(&input.password))?;
        let password = password.expect("a password was given");
        if !self.signup_mode().await?.allows(&email) {
            return Err(AppError::Forbidden(
                "sign-up is by invitation or limited to certain email domains here; ask an administrator for an invitation".into(),
            ));
        }
        let hash = hash_password(password.expose()).await?;
        let now = self.now();
        let id = PersonId::new();
        let mut tx = self.store.write().await?;
        tx.insert_person(&NewPerson {
            id,
            email: email.as_str().into(),
            status: AccountStatus::Active,
            is_admin: false,
            password_hash: Some(hash),
            email_verified_at: None,
            profile: Profile::new(name.clone()),
            now,
        })
        .await?;
        self.send_verification(&mut tx, id, &email, name.as_str(), now)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn send_verification(
        &self,
        tx: &mut Tx,
        id: PersonId,
        email: &Email,
        name: &str,
        now: i64,
    ) -> AppResult<()> {
        let token = random_token();
        tx.insert_email_token(&hash_token(&token), id, "verify", now, now + VERIFY_TTL_MS)
            .await?;
        self.queue_mail(
            tx,
            Some(id),
            email.as_str(),
            &VerifyEmail {
                name: name.into(),
                token,
            },
        )
        .await
    }

    /// Mails a fresh verification link to an unverified account. Silent for
    /// unknown or verified addresses, so it reveals nothing.
    #[tracing::instrument(skip_all)]
    pub async fn resend_verification(&self, email: &str) -> AppResult<()> {
        let email = Email::parse("email", email)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        if let Some(p) = tx.person_by_email(email.as_str()).await? {
            if p.email_verified_at.is_none() && p.status == AccountStatus::Active {
                self.send_verification(&mut tx, p.id, &email, &p.profile.name, now)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Checks a one-time email token without using it (the page behind the link).
    #[tracing::instrument(skip_all, fields(purpose = %purpose))]
    pub async fn check_email_token(&self, token: &str, purpose: &str) -> AppResult<PersonRecord> {
        let mut tx = self.store.read().await?;
        let person = match tx
            .peek_email_token(&hash_token(token), purpose, self.now())
            .await?
        {
            Some(id) => tx.person(id).await?,
            None => None,
        };
        person.ok_or_else(|| expired_link(purpose))
    }

    /// Confirms an email address with the token from the verification mail.
    #[tracing::instrument(skip_all)]
    pub async fn verify_email(&self, token: &str) -> AppResult<PersonId> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let id = tx
            .consume_email_token(&hash_token(token), "verify", now)
            .await?
            .ok_or_else(|| expired_link("verify"))?;
        tx.mark_email_verified(id, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Signs in with email and password, replacing `previous` session if any
    /// (the session id rotates at every sign-in).
    #[tracing::instrument(skip_all)]
    /// Counts an attempt in `bucket` (`signin`, `signup` or `reset`) from
    /// the client's address and refuses it once there have been more than
    /// `limit` in the current 15-minute window. Counted in the database, so
    /// one limit holds across every server sharing it; committed before the
    /// attempt itself, so a refused or failed attempt still counts.
    pub async fn count_auth_attempt(
        &self,
        bucket: &str,
        client: &ClientInfo,
        limit: u32,
    ) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let hits = tx
            .count_attempt(&format!("{bucket}:{}", client.ip), now, ATTEMPT_WINDOW_MS)
            .await?;
        tx.commit().await?;
        if hits > i64::from(limit) {
            return Err(AppError::RateLimited(
                "too many attempts from your address; wait 15 minutes and try again".into(),
            ));
        }
        Ok(())
    }

    /// Deletes attempt counts whose window has passed (the job worker's sweep).
    pub async fn forget_old_auth_attempts(&self) -> AppResult<u64> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let gone = tx.forget_old_attempts(now, ATTEMPT_WINDOW_MS).await?;
        tx.commit().await?;
        Ok(gone)
    }

    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: &ClientInfo,
        previous: Option<&str>,
    ) -> AppResult<NewSession> {
        let email = Email::parse("email", email)?;
        if password.is_empty() {
            return Err(AppError::invalid("password", "enter your password"));
        }
        let keys = failure_keys(email.as_str(), client);
        self.refuse_after_failures(&keys).await?;
        let result = self.check_sign_in(&email, password, client, previous).await;
        if let Err(AppError::Unauthenticated(_)) = &result {
            self.count_failure(&keys).await?;
        }
        result
    }

    /// Refuses a sign-in once the failures in this window reach the limit
    /// for this account and address, or for this address. The message is the
    /// same whether or not the account exists.
    async fn refuse_after_failures(&self, keys: &[(String, i64); 2]) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.read().await?;
        for (key, limit) in keys {
            if tx.attempts(key, now, ATTEMPT_WINDOW_MS).await? >= *limit {
                return Err(AppError::RateLimited(
                    "Too many failed sign-ins from your address. Wait 15 minutes and try again, or reset your password.".into(),
                ));
            }
        }
        Ok(())
    }

    /// Counts one failed sign-in under both keys (committed on its own, so
    /// it holds whatever happens next).
    async fn count_failure(&self, keys: &[(String, i64); 2]) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        for (key, _) in keys {
            tx.count_attempt(key, now, ATTEMPT_WINDOW_MS).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn check_sign_in(
        &self,
        email: &Email,
        password: &str,
        client: &ClientInfo,
        previous: Option<&str>,
    ) -> AppResult<NewSession> {
        let bad = || AppError::Unauthenticated("email or password is incorrect".into());
        let person = {
            let mut tx = self.store.read().await?;
            tx.person_by_email(email.as_str()).await?
        };
        let Some(person) = person else {
            // Spend the same time as a real check so timing does not reveal accounts.
            let _ = verify_password(password, DUMMY_HASH).await;
            return Err(bad());
        };
        let Some(hash) = person.password_hash.as_deref() else {
            return Err(AppError::Unauthenticated(
                "this account has not set a password yet; use the link in your invitation".into(),
            ));
        };
        if !verify_password(password, hash).await? {
            return Err(bad());
        }
        if person.disabled_at.is_some() {
            return Err(disabled_account());
        }
        if person.email_verified_at.is_none() {
            return Err(AppError::Forbidden(format!(
                "confirm your email first: we sent a link to {}. You can ask for a new one on the sign-in page",
                person.email
            )));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        if let Some(prev) = previous {
            if let Some(old) = tx.login_session_by_hash(&hash_token(prev), now).await? {
                tx.delete_login_session(old.person_id, LoginSessionId(old.credential_id))
                    .await?;
            }
        }
        let token = self.start_session(&mut tx, person.id, client, now).await?;
        tx.touch_person(person.id, now).await?;
        tx.commit().await?;
        Ok(NewSession {
            token,
            person_id: person.id,
        })
    }

    async fn start_session(
        &self,
        tx: &mut Tx,
        person: PersonId,
        client: &ClientInfo,
        now: i64,
    ) -> AppResult<String> {
        let token = random_token();
        let record = LoginSessionRecord {
            id: LoginSessionId::new(),
            person_id: person,
            created_at: now,
            last_seen_at: now,
            expires_at: now + self.config.session_days * DAY,
            user_agent: client.user_agent.chars().take(200).collect(),
            ip: client.ip.chars().take(64).collect(),
        };
        tx.insert_login_session(&record, &hash_token(&token))
            .await?;
        Ok(token)
    }

    /// Resolves a session cookie to the signed-in actor, sliding its expiry.
    /// One read transaction, one statement: the session, its person and
    /// their roles ([`App::api_read`]; every API call by cookie begins here).
    #[tracing::instrument(skip_all)]
    pub async fn authenticate_session(&self, token: &str) -> AppResult<(Actor, LoginSessionId)> {
        let read = self.api_read(ApiReader::Session(token), false).await?;
        Ok((read.actor, LoginSessionId(read.credential)))
    }

    /// Whether the session's expiry is due to slide: at most every five
    /// minutes, so reads do not become writes.
    pub(crate) fn session_touch_due(&self, owner: &rapport_store::SessionOwner) -> bool {
        self.now() - owner.last_seen_at > 5 * 60_000
    }

    /// Slides the session's expiry forward and records activity, in a write
    /// transaction of its own, when [`App::session_touch_due`].
    pub(crate) async fn touch_session_if_due(
        &self,
        owner: &rapport_store::SessionOwner,
    ) -> AppResult<()> {
        if !self.session_touch_due(owner) {
            return Ok(());
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        tx.touch_login_session(
            LoginSessionId(owner.credential_id),
            now,
            now + self.config.session_days * DAY,
        )
        .await?;
        tx.touch_person(owner.person_id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Resolves a bearer token to the actor.
    #[tracing::instrument(skip_all)]
    pub async fn authenticate_token(&self, token: &str) -> AppResult<Actor> {
        Ok(self.api_read(ApiReader::Token(token), false).await?.actor)
    }

    /// Ends the session behind `token`.
    #[tracing::instrument(skip_all)]
    pub async fn sign_out(&self, token: &str) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        if let Some(s) = tx
            .login_session_by_hash(&hash_token(token), self.now())
            .await?
        {
            tx.delete_login_session(s.person_id, LoginSessionId(s.credential_id))
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Mails a reset link if the address has an account: active, or invited
    /// (someone imported with `--no-invite`, or who lost their invitation,
    /// chooses a password this way; following the link proves the address).
    /// Always succeeds for a well-formed address, so it reveals nothing.
    #[tracing::instrument(skip_all)]
    pub async fn forgot_password(&self, email: &str) -> AppResult<()> {
        let email = Email::parse("email", email)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        if let Some(p) = tx.person_by_email(email.as_str()).await? {
            if matches!(p.status, AccountStatus::Active | AccountStatus::Invited) {
                let token = random_token();
                tx.insert_email_token(&hash_token(&token), p.id, "reset", now, now + RESET_TTL_MS)
                    .await?;
                let mail = ResetPassword {
                    name: p.profile.name.clone(),
                    token,
                };
                self.queue_mail(&mut tx, Some(p.id), &p.email, &mail)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new password with a reset token; every existing session ends.
    #[tracing::instrument(skip_all)]
    pub async fn reset_password(&self, token: &str, password: &str) -> AppResult<PersonId> {
        let password = NewPassword::parse("password", password)?;
        let hash = hash_password(password.expose()).await?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let id = tx
            .consume_email_token(&hash_token(token), "reset", now)
            .await?
            .ok_or_else(|| expired_link("reset"))?;
        tx.set_password(id, &hash, now).await?;
        tx.mark_email_verified(id, now).await?;
        tx.delete_login_sessions_of(id).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An admin invites someone by email; they choose their own password.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, make_admin = make_admin))]
    pub async fn invite(
        &self,
        actor: &Actor,
        email: &str,
        name: &str,
        make_admin: bool,
    ) -> AppResult<PersonId> {
        AppError::check(policy::administer(actor), "invitations")?;
        let (email, name, _) = account_fields(email, name, None)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let admin = tx.person(actor.person_id).await?;
        let id = self
            .invite_in(
                &mut tx,
                admin.as_ref(),
                &email,
                Profile::new(name),
                make_admin,
                None,
                now,
            )
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The invitation path inside a caller's transaction: creates the invited
    /// account with `profile`, mails the link to choose a password and audits
    /// it. `inviter` is the person inviting (none: the system, e.g. the CLI);
    /// `note` is an extra paragraph for the email (such as the programme the
    /// person was enrolled in). Permission is the caller's to check.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn invite_in(
        &self,
        tx: &mut Tx,
        inviter: Option<&PersonRecord>,
        email: &Email,
        profile: Profile,
        make_admin: bool,
        note: Option<&str>,
        now: i64,
    ) -> AppResult<PersonId> {
        let id = PersonId::new();
        let name = profile.name.clone();
        tx.insert_person(&NewPerson {
            id,
            email: email.as_str().into(),
            status: AccountStatus::Invited,
            is_admin: make_admin,
            password_hash: None,
            email_verified_at: None,
            profile,
            now,
        })
        .await?;
        let token = random_token();
        tx.insert_email_token(&hash_token(&token), id, "invite", now, now + INVITE_TTL_MS)
            .await?;
        let mail = Invitation {
            name: name.to_string(),
            inviter: inviter
                .map(|a| a.profile.name.clone())
                .unwrap_or_else(|| "An administrator".into()),
            note: note.map(str::to_string),
            token,
        };
        self.queue_mail(tx, Some(id), email.as_str(), &mail).await?;
        tx.insert_audit(&audit(
            inviter,
            "person.invite",
            format!("person:{}", email.as_str()),
            None,
            Some(serde_json::json!({"email": email.as_str(), "name": name, "admin": make_admin})),
            now,
        ))
        .await?;
        Ok(id)
    }

    /// Accepts an invitation: sets the password, verifies the email and signs in.
    #[tracing::instrument(skip_all)]
    pub async fn accept_invitation(
        &self,
        token: &str,
        password: &str,
        client: &ClientInfo,
    ) -> AppResult<NewSession> {
        let password = NewPassword::parse("password", password)?;
        let hash = hash_password(password.expose()).await?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let id = tx
            .consume_email_token(&hash_token(token), "invite", now)
            .await?
            .ok_or_else(|| expired_link("invite"))?;
        tx.set_password(id, &hash, now).await?;
        tx.mark_email_verified(id, now).await?;
        let session = self.start_session(&mut tx, id, client, now).await?;
        tx.commit().await?;
        Ok(NewSession {
            token: session,
            person_id: id,
        })
    }

    /// Creates a first admin (or any account) from the command line, active and verified.
    #[tracing::instrument(skip_all, fields(is_admin = is_admin))]
    pub async fn create_user(
        &self,
        email: &str,
        name: &str,
        password: &str,
        is_admin: bool,
    ) -> AppResult<PersonId> {
        let (email, name, password) = account_fields(email, name, Some(password))?;
        let password = password.expect("a password was given");
        let hash = hash_password(password.expose()).await?;
        let now = self.now();
        let id = PersonId::new();
        let mut tx = self.store.write().await?;
        tx.insert_person(&NewPerson {
            id,
            email: email.as_str().into(),
            status: AccountStatus::Active,
            is_admin,
            password_hash: Some(hash),
            email_verified_at: Some(now),
            profile: Profile::new(name),
            now,
        })
        .await?;
        tx.insert_audit(&AuditRecord {
            // Only `rapport admin create-user` creates accounts this way.
            actor_name: crate::operator::OPERATOR.into(),
            ..audit(
                None,
                "person.create",
                format!("person:{}", email.as_str()),
                None,
                Some(serde_json::json!({"email": email.as_str(), "admin": is_admin, "via": "cli"})),
                now,
            )
        })
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The actor's live sign-in sessions.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn my_sessions(&self, actor: &Actor) -> AppResult<Vec<LoginSessionRecord>> {
        let mut tx = self.store.read().await?;
        Ok(tx.login_sessions_of(actor.person_id, self.now()).await?)
    }

    /// Revokes one of the actor's sessions.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, session = %id))]
    pub async fn revoke_session(&self, actor: &Actor, id: LoginSessionId) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        if !tx.delete_login_session(actor.person_id, id).await? {
            return Err(AppError::NotFound("that session was not found".into()));
        }
        tx.commit().await?;
        Ok(())
    }

    /// The actor's API tokens (without secrets).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn my_api_tokens(&self, actor: &Actor) -> AppResult<Vec<ApiTokenRecord>> {
        let mut tx = self.store.read().await?;
        Ok(tx.api_tokens_of(actor.person_id).await?)
    }

    /// Creates an API token for the actor; the secret is returned once.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn create_api_token(&self, actor: &Actor, name: &str) -> AppResult<CreatedToken> {
        let name = rapport_domain::values::text("name", name, 1, 60, "a token name")?;
        let now = self.now();
        let secret = format!("rpt_{}", random_token());
        let record = ApiTokenRecord {
            id: ApiTokenId::new(),
            person_id: actor.person_id,
            name: name.clone(),
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        };
        let mut tx = self.store.write().await?;
        if tx
            .api_tokens_of(actor.person_id)
            .await?
            .iter()
            .filter(|t| t.revoked_at.is_none())
            .count()
            >= 20
        {
            return Err(AppError::Conflict {
                field: Some("name"),
                message: "you have 20 active tokens; revoke one before creating another".into(),
            });
        }
        tx.insert_api_token(&record, &hash_token(&secret)).await?;
        tx.commit().await?;
        Ok(CreatedToken {
            id: record.id,
            name,
            secret,
        })
    }

    /// Revokes one of the actor's API tokens.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, token = %id))]
    pub async fn revoke_api_token(&self, actor: &Actor, id: ApiTokenId) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        if !tx.revoke_api_token(actor.person_id, id, self.now()).await? {
            return Err(AppError::NotFound(
                "that token was not found or is already revoked".into(),
            ));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Everything stored about the actor, as JSON.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn export_my_data(&self, actor: &Actor) -> AppResult<serde_json::Value> {
        let now = self.now();
        let mut tx = self.store.read().await?;
        let me = tx
            .person(actor.person_id)
            .await?
            .ok_or_else(|| AppError::NotFound("your account was not found".into()))?;
        let programmes = tx.programmes().await?;
        let roles: Vec<_> = tx.roles_of(actor.person_id).await?.into_iter().map(|(pid, role)| {
            let p = programmes.iter().find(|p| p.id == pid);
            serde_json::json!({"programme": p.map(|p| p.name.clone()), "programme_slug": p.map(|p| p.slug.clone()), "role": role.code()})
        }).collect();
        let sessions: Vec<_> = tx.login_sessions_of(actor.person_id, now).await?.into_iter().map(|s| serde_json::json!({"id": s.id, "created_at": s.created_at, "last_seen_at": s.last_seen_at, "user_agent": s.user_agent, "ip": s.ip})).collect();
        let tokens: Vec<_> = tx.api_tokens_of(actor.person_id).await?.into_iter().map(|t| serde_json::json!({"id": t.id, "name": t.name, "created_at": t.created_at, "last_used_at": t.last_used_at, "revoked_at": t.revoked_at})).collect();
        let messages: Vec<_> = tx.outbox_of(actor.person_id).await?.into_iter().map(|m| serde_json::json!({"kind": m.kind, "subject": m.subject, "body": m.body, "created_at": m.created_at, "sent_at": m.sent_at})).collect();
        let actions: Vec<_> = tx
            .audit_events_by(actor.person_id)
            .await?
            .into_iter()
            .map(|(a, s, at)| serde_json::json!({"action": a, "subject": s, "at": at}))
            .collect();
        let (enrolments, requests, mut rooms) = tx.mentoring_of(actor.person_id).await?;
        crate::room_export::add_room_contents(&mut tx, actor.person_id, &mut rooms).await?;
        let (notes, room_messages) = crate::notes::export_of(&mut tx, actor.person_id).await?;
        Ok(serde_json::json!({
            "format": "rapport-personal-data/1",
            "exported_at": now,
            "account": {"id": me.id, "email": me.email, "is_admin": me.is_admin, "email_verified_at": me.email_verified_at, "created_at": me.created_at, "last_active_at": me.last_active_at, "notification_optouts": me.notification_optouts},
            "profile": me.profile,
            "programme_roles": roles,
            "enrolments": enrolments,
            "requests": requests,
            "rooms": rooms,
            "closures": crate::closure::export_of(&mut tx, actor.person_id).await?,
            "notes": notes,
            "roadmap_marks": crate::roadmaps::export_of(&mut tx, actor.person_id).await?,
            "messages": room_messages,
            "emails_sent_to_you": messages,
            "notifications": tx.notifications_of(actor.person_id).await?.into_iter().map(|n| serde_json::json!({"kind": n.kind, "subject": n.subject, "link": n.link, "created_at": n.created_at, "read_at": n.read_at})).collect::<Vec<_>>(),
            "sign_in_sessions": sessions,
            "api_tokens": tokens,
            "your_admin_actions": actions,
            "reflection": crate::reflection::export_of(&mut tx, actor.person_id).await?,
            // Issue 19 (H2): growth threads and roadmap progress.
            "growth_threads": crate::threads::export_of(&mut tx, actor.person_id).await?,
            "roadmap_follows": crate::roadmaps::export_follows_of(&mut tx, actor.person_id).await?,
        }))
    }

    /// Deletes an account: the person themself (with their password) or an
    /// admin. Other people's records stay whole; the audit log keeps the fact
    /// of deletion without personal data.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, target = %target))]
    pub async fn delete_account(
        &self,
        actor: &Actor,
        target: PersonId,
        password: Option<&str>,
    ) -> AppResult<()> {
        let now = self.now();
        let (record, admin) = {
            let mut tx = self.store.read().await?;
            let record = tx.person(target).await?;
            let admin = tx.person(actor.person_id).await?;
            (record, admin)
        };
        let Some(record) = record else {
            return Err(AppError::NotFound("that person was not found".into()));
        };
        if actor.person_id == target {
            let hash = record.password_hash.as_deref().unwrap_or(DUMMY_HASH);
            if !verify_password(password.unwrap_or_default(), hash).await? {
                return Err(AppError::invalid(
                    "password",
                    "enter your current password to confirm deletion",
                ));
            }
        } else if !actor.is_admin {
            // Someone who may not even see the profile must not learn it exists.
            let mut tx = self.store.read().await?;
            let progs: Vec<_> = tx
                .roles_of(target)
                .await?
                .into_iter()
                .map(|(p, _)| p)
                .collect();
            return Err(
                match policy::view_profile(actor, target, record.profile.visibility, &progs) {
                    policy::Access::Allowed => AppError::Forbidden(
                        "only administrators can delete other people's accounts".into(),
                    ),
                    _ => AppError::NotFound("that person was not found".into()),
                },
            );
        }
        let mut tx = self.store.write().await?;
        self.erase_person(&mut tx, &record).await?;
        let actor_record = if actor.person_id == target {
            None
        } else {
            admin.as_ref()
        };
        tx.insert_audit(&audit(actor_record, "person.delete", format!("person:{target}"), Some(serde_json::json!({"id": target, "by": if actor.person_id == target { "self" } else { "admin" }})), None, now)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The deletion itself, shared by "delete my account", an admin's
    /// deletion and `rapport admin erase-user`: the person and everything
    /// that cascades with them, and their queued mail. The last
    /// administrator is kept.
    pub(crate) async fn erase_person(&self, tx: &mut Tx, record: &PersonRecord) -> AppResult<()> {
        if record.is_admin && tx.count_admins().await? <= 1 {
            return Err(AppError::Conflict {
                field: None,
                message: "this is the only administrator; make someone else an administrator first"
                    .into(),
            });
        }
        tx.delete_outbox_of(record.id).await?;
        // Private notes go with their author; shared notes and messages
        // stay, shown as "a former member" (their author is set to null).
        tx.delete_private_notes_of(record.id).await?;
        tx.delete_person(record.id).await?;
        Ok(())
    }

    /// Renders `mail` and queues it, unless the recipient switched its kind
    /// off. Optional kinds carry the signed one-click unsubscribe link, in the
    /// footer and (by `mail::build`) in `List-Unsubscribe`.
    pub(crate) async fn queue_mail(
        &self,
        tx: &mut Tx,
        person: Option<PersonId>,
        to: &str,
        mail: &impl Mail,
    ) -> AppResult<()> {
        self.queue_mail_with(tx, person, to, mail, None).await
    }

    /// Like [`App::queue_mail`], with a file attached (an invitation's
    /// `.ics`); nothing is queued when the recipient switched the kind off.
    pub(crate) async fn queue_mail_with(
        &self,
        tx: &mut Tx,
        person: Option<PersonId>,
        to: &str,
        mail: &impl Mail,
        attachment: Option<&rapport_store::Attachment>,
    ) -> AppResult<()> {
        let kind = mail.kind();
        let mut unsubscribe = None;
        if let (Some(p), true) = (person, kind != NotificationKind::Account) {
            if let Some(rec) = tx.person(p).await? {
                // The bell shows it whatever the email preference says: the
                // preference switches off the email, not the news.
                if mail.in_app() {
                    self.notify_in_app(
                        tx,
                        p,
                        kind,
                        &mail.subject(&crate::mail::organisation(&self.config)),
                        &mail.link(),
                    )
                    .await?;
                }
                if rec.notification_optouts.iter().any(|k| k == kind.code()) {
                    return Ok(());
                }
            }
            unsubscribe = Some(self.unsubscribe_for(p, kind));
        }
        let email = self.render_mail(person, to, mail, unsubscribe)?;
        let id = tx.queue_email(&email, self.now()).await?;
        if let Some(a) = attachment {
            tx.attach_to_email(id, a).await?;
        }
        Ok(())
    }

    /// The one-click unsubscribe an optional kind's mail to `person` carries.
    pub(crate) fn unsubscribe_for(&self, person: PersonId, kind: NotificationKind) -> Unsubscribe {
        Unsubscribe {
            what: kind.label().to_lowercase(),
            url: self.unsubscribe_link(person, kind),
        }
    }

    /// Renders `mail` in the site's frame, ready to queue.
    pub(crate) fn render_mail(
        &self,
        person: Option<PersonId>,
        to: &str,
        mail: &impl Mail,
        unsubscribe: Option<Unsubscribe>,
    ) -> AppResult<NewEmail> {
        let kind = mail.kind();
        let site = crate::mail::organisation(&self.config);
        let frame = Frame {
            subject: mail.subject(&site),
            site,
            base_url: self.config.base_url.clone(),
            unsubscribe,
        };
        let (body, html) = mail.render(&frame).map_err(|e| {
            AppError::internal(format!("could not render the {} email", kind.code()), e)
        })?;
        Ok(NewEmail {
            person_id: person,
            to: to.into(),
            kind: kind.code().into(),
            subject: frame.subject,
            body,
            html: Some(html),
            unsubscribe_url: frame.unsubscribe.map(|u| u.url),
        })
    }
}

/// Parses the fields of a new account, reporting every invalid one at once.
fn account_fields(
    email: &str,
    name: &str,
    password: Option<&str>,
) -> AppResult<(Email, PersonName, Option<NewPassword>)> {
    let mut errors = Vec::new();
    let email = Email::parse("email", email)
        .map_err(|e| errors.push(e))
        .ok();
    let name = PersonName::parse("name", name)
        .map_err(|e| errors.push(e))
        .ok();
    let password = password.map(|p| {
        NewPassword::parse("password", p)
            .map_err(|e| errors.push(e))
            .ok()
    });
    match (email, name, password) {
        (Some(email), Some(name), None) => Ok((email, name, None)),
        (Some(email), Some(name), Some(Some(password))) => Ok((email, name, Some(password))),
        _ => Err(AppError::Invalid(errors)),
    }
}

fn expired_link(purpose: &str) -> AppError {
    let what = match purpose {
        "verify" => "This confirmation link is invalid or has expired. Sign in to ask for a new one.",
        "reset" => "This password-reset link is invalid or has expired. Ask for a new one from the sign-in page.",
        _ => "This invitation is invalid, already used or expired. Ask an administrator to invite you again.",
    };
    AppError::Invalid(vec![Invalid::new("token", what)])
}

/// A valid argon2id hash of a random string, used to spend equal time when an
/// account does not exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$W9nTnUzfIYUpDO8Wz5BXqU+HjaNGPbSwnLdr1rFFOwk";

/// The answer to a session cookie that names no live session.
pub(crate) fn session_ended() -> AppError {
    AppError::Unauthenticated("your session has ended; sign in again".into())
}
