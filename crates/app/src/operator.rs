//! The operator's use cases: what `rapport admin` does on the server's own
//! machine when the web UI cannot help (a lost password, the only admin gone).
//! Whoever can run the binary against the database is trusted as the site's
//! operator, so these take no [`Actor`](crate::Actor); every change is written
//! to the audit log with [`OPERATOR`] as the actor.

use crate::accounts::{CreatedToken, RESET_TTL_MS};
use crate::emails::{RequestClosed, RoomMove, RoomMoved};
use crate::secrets::{hash_password, hash_token, random_token};
use crate::{App, AppError, AppResult};
use rapport_domain::mentoring::{EndReason, RequestDirection, RequestStatus};
use rapport_domain::person::AccountStatus;
use rapport_domain::values::{Email, NewPassword};
use rapport_domain::{ApiTokenId, PersonId};
use rapport_store::{ApiTokenRecord, AuditRecord, DirectoryQuery, PersonRecord, Tx};

/// The actor's name in the audit log for everything done from the command line.
pub const OPERATOR: &str = "Command line (rapport admin)";

/// What disabling or enabling an account changed.
#[derive(Debug, Default)]
pub struct AccessChange {
    /// False when the account already was in that state (nothing changed).
    pub changed: bool,
    /// Sign-in sessions ended.
    pub sessions_ended: bool,
    /// API tokens revoked.
    pub tokens_revoked: usize,
    /// Open requests and offers closed, the other side told.
    pub requests_closed: usize,
}

/// How a password was reset from the command line.
#[derive(Debug)]
pub enum PasswordReset {
    /// The new password was set; every sign-in session ended.
    Set,
    /// A one-time link to choose a new password, valid for an hour.
    Link(String),
}

fn operator_audit(
    action: &str,
    subject: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    now: i64,
) -> AuditRecord {
    AuditRecord {
        id: uuid::Uuid::new_v4(),
        actor_id: None,
        actor_name: OPERATOR.into(),
        action: action.into(),
        subject,
        before_json: before,
        after_json: after,
        created_at: now,
    }
}

async fn person_named(tx: &mut Tx, email: &str) -> AppResult<PersonRecord> {
    let email = Email::parse("email", email)?;
    tx.person_by_email(email.as_str())
        .await?
        .ok_or_else(|| AppError::NotFound(format!("nobody has the address {}", email.as_str())))
}

impl App {
    /// Every account (invited ones too), by name; only admins with `admins_only`.
    #[tracing::instrument(skip_all, fields(admins_only = admins_only))]
    pub async fn operator_list_users(&self, admins_only: bool) -> AppResult<Vec<PersonRecord>> {
        let mut tx = self.store.read().await?;
        let mut all: Vec<PersonRecord> = vec![];
        // Read by keyset (the directory lists newest first), then sorted by name.
        let mut cursor = None;
        loop {
            let q = DirectoryQuery {
                include_private: true,
                limit: 500,
                cursor,
                ..Default::default()
            };
            let found = tx.directory(&q).await?;
            all.extend(found.page.items);
            cursor = found.page.next;
            if cursor.is_none() {
                break;
            }
        }
        all.retain(|p| p.is_admin || !admins_only);
        all.sort_by(|a, b| (&a.profile.name, a.id.0).cmp(&(&b.profile.name, b.id.0)));
        Ok(all)
    }

    /// Grants or removes site admin; the last admin cannot be removed.
    #[tracing::instrument(skip_all, fields(is_admin = is_admin))]
    pub async fn operator_set_admin(&self, email: &str, is_admin: bool) -> AppResult<bool> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let rec = person_named(&mut tx, email).await?;
        if rec.is_admin == is_admin {
            return Ok(false);
        }
        if rec.is_admin && tx.count_admins().await? <= 1 {
            return Err(AppError::Conflict {
                field: Some("is_admin"),
                message: format!(
                    "{} is the only administrator; make someone else an administrator first",
                    rec.email
                ),
            });
        }
        tx.set_admin(rec.id, is_admin, now).await?;
        tx.insert_audit(&operator_audit(
            "person.set_admin",
            format!("person:{}", rec.email),
            Some(serde_json::json!({"is_admin": rec.is_admin})),
            Some(serde_json::json!({"is_admin": is_admin})),
            now,
        ))
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Sets `password` on the account (ending every sign-in session), or
    /// without one makes a one-time link to choose a new password. An invited
    /// account becomes active either way, as a reset by mail would make it.
    #[tracing::instrument(skip_all, fields(with_password = password.is_some()))]
    pub async fn operator_reset_password(
        &self,
        email: &str,
        password: Option<&str>,
    ) -> AppResult<PasswordReset> {
        let hash = match password {
            Some(p) => {
                let p = NewPassword::parse("password", p)?;
                Some(hash_password(p.expose()).await?)
            }
            None => None,
        };
        let now = self.now();
        let mut tx = self.store.write().await?;
        let rec = person_named(&mut tx, email).await?;
        let result = match hash {
            Some(hash) => {
                tx.set_password(rec.id, &hash, now).await?;
                tx.mark_email_verified(rec.id, now).await?;
                tx.delete_login_sessions_of(rec.id).await?;
                PasswordReset::Set
            }
            None => {
                let token = random_token();
                tx.insert_email_token(
                    &hash_token(&token),
                    rec.id,
                    "reset",
                    now,
                    now + RESET_TTL_MS,
                )
                .await?;
                PasswordReset::Link(format!(
                    "{}/reset-password?token={token}",
                    self.config.base_url
                ))
            }
        };
        let how = match result {
            PasswordReset::Set => "password",
            PasswordReset::Link(_) => "link",
        };
        tx.insert_audit(&operator_audit(
            "person.reset_password",
            format!("person:{}", rec.email),
            None,
            Some(serde_json::json!({"how": how})),
            now,
        ))
        .await?;
        tx.commit().await?;
        Ok(result)
    }

    /// Creates an API token for the account; the secret is returned once.
    #[tracing::instrument(skip_all)]
    pub async fn operator_create_token(&self, email: &str, name: &str) -> AppResult<CreatedToken> {
        let name = rapport_domain::values::text("name", name, 1, 60, "a token name")?;
        let now = self.now();
        let secret = format!("rpt_{}", random_token());
        let mut tx = self.store.write().await?;
        let rec = person_named(&mut tx, email).await?;
        if rec.status != AccountStatus::Active {
            return Err(AppError::Conflict {
                field: Some("email"),
                message: format!(
                    "{} has not accepted their invitation yet; reset their password first",
                    rec.email
                ),
            });
        }
        let record = ApiTokenRecord {
            id: ApiTokenId::new(),
            person_id: rec.id,
            name: name.clone(),
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        };
        tx.insert_api_token(&record, &hash_token(&secret)).await?;
        tx.insert_audit(&operator_audit(
            "api_token.create",
            format!("person:{}", rec.email),
            None,
            Some(serde_json::json!({"token": record.id, "name": name})),
            now,
        ))
        .await?;
        tx.commit().await?;
        Ok(CreatedToken {
            id: record.id,
            name,
            secret,
        })
    }

    /// Erases an account: the same deletion as the person's own "delete my
    /// account" ([`App::delete_account`]), recorded as done by the operator.
    #[tracing::instrument(skip_all)]
    pub async fn operator_erase_user(&self, email: &str) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let rec = person_named(&mut tx, email).await?;
        self.erase_person(&mut tx, &rec).await?;
        tx.insert_audit(&operator_audit(
            "person.delete",
            format!("person:{}", rec.id),
            Some(serde_json::json!({"id": rec.id, "by": "operator"})),
            None,
            now,
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Disables an account: the person can no longer sign in, their
    /// sign-in sessions end and their API tokens are revoked, and their open
    /// requests and offers are closed with the other side told. With
    /// `disabled` false the account may sign in again (what was closed stays
    /// closed). Refused for the last administrator, who would lock everyone
    /// out of the site's administration.
    #[tracing::instrument(skip_all, fields(disabled = disabled))]
    pub async fn operator_set_disabled(
        &self,
        email: &str,
        disabled: bool,
    ) -> AppResult<AccessChange> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let rec = person_named(&mut tx, email).await?;
        if disabled && rec.is_admin && tx.count_admins().await? <= 1 {
            return Err(AppError::Conflict {
                field: Some("email"),
                message: format!(
                    "{} is the only administrator; make someone else an administrator first",
                    rec.email
                ),
            });
        }
        let mut change = AccessChange {
            changed: tx
                .set_disabled(rec.id, disabled.then_some(now), now)
                .await?,
            ..AccessChange::default()
        };
        if !change.changed {
            return Ok(change);
        }
        if disabled {
            tx.delete_login_sessions_of(rec.id).await?;
            change.sessions_ended = true;
            for token in tx.api_tokens_of(rec.id).await? {
                if token.revoked_at.is_none() && tx.revoke_api_token(rec.id, token.id, now).await? {
                    change.tokens_revoked += 1;
                }
            }
            change.requests_closed = self.close_requests_of_leaver(&mut tx, &rec).await?;
            self.end_rooms_of_leaver(&mut tx, rec.id).await?;
        }
        tx.insert_audit(&operator_audit(
            if disabled {
                "person.disable"
            } else {
                "person.enable"
            },
            format!("person:{}", rec.email),
            Some(serde_json::json!({"disabled": !disabled})),
            Some(serde_json::json!({
                "disabled": disabled,
                "tokens_revoked": change.tokens_revoked,
                "requests_closed": change.requests_closed,
            })),
            now,
        ))
        .await?;
        tx.commit().await?;
        Ok(change)
    }

    /// Closes every open request and offer `leaver` sent or received, and
    /// tells the other side. A mentee's request to a mentor who left rolls
    /// over to the next mentor on the mentee's list, as a decline would (the
    /// mentee is told when none is left); every other case mails the other
    /// person that the request is closed.
    async fn close_requests_of_leaver(
        &self,
        tx: &mut Tx,
        leaver: &PersonRecord,
    ) -> AppResult<usize> {
        let now = self.now();
        let mut closed = 0;
        for r in tx.requests_of(leaver.id).await? {
            if !r.status.is_open()
                || !tx
                    .close_request(r.id, RequestStatus::Withdrawn, now)
                    .await?
            {
                continue;
            }
            closed += 1;
            let other = if r.mentee_id == leaver.id {
                r.mentor_id
            } else {
                r.mentee_id
            };
            if r.direction == RequestDirection::Request && r.mentor_id == leaver.id {
                self.roll_over_request(tx, &r, "was closed: the mentor no longer has an account")
                    .await?;
                continue;
            }
            let (Some(person), Some(programme)) =
                (tx.person(other).await?, tx.programme(r.programme_id).await?)
            else {
                continue;
            };
            let mail = RequestClosed {
                name: person.profile.name.clone(),
                other: leaver.profile.name.clone(),
                programme: programme.name.clone(),
            };
            self.queue_mail(tx, Some(person.id), &person.email, &mail)
                .await?;
        }
        Ok(closed)
    }

    /// The one place where disabling an account ends the person's open
    /// mentorship rooms (proposed, active or paused) with the reason
    /// `left_organisation`, through the lifecycle's ending (history, freed
    /// seats), and tells the room's other members in neutral words.
    async fn end_rooms_of_leaver(&self, tx: &mut Tx, leaver: PersonId) -> AppResult<()> {
        let now = self.now();
        for room in tx.rooms_of(leaver).await? {
            let seated = room
                .members
                .iter()
                .any(|m| m.person_id == leaver && m.state.holds_seat());
            if !room.status.is_open() || !seated {
                continue;
            }
            self.close_room(
                tx,
                &room,
                None,
                Some((EndReason::LeftOrganisation, None)),
                now,
            )
            .await?;
            let programme = tx
                .programme(room.programme_id)
                .await?
                .map(|p| p.name)
                .unwrap_or_default();
            for m in room
                .members
                .iter()
                .filter(|m| m.person_id != leaver && m.state.holds_seat())
            {
                let mail = RoomMoved {
                    name: m.name.clone(),
                    programme: programme.clone(),
                    room: room.id.to_string(),
                    change: RoomMove::Ended {
                        by: "Rapport".into(),
                        reason: EndReason::LeftOrganisation.label().to_lowercase(),
                    },
                    mentor_support: false,
                };
                self.queue_mail(tx, Some(m.person_id), &m.email, &mail)
                    .await?;
            }
        }
        Ok(())
    }
}
