//! Email delivery: SMTP through lettre when configured, otherwise one `.eml`
//! file per message in the outbox folder. Either way the message is the same
//! RFC 5322 text.

use crate::{AppConfig, AppError, AppResult};
use lettre::message::{header::ContentType, Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use rapport_store::OutboxMessage;

/// Builds the RFC 5322 message for an outbox row.
pub fn build(config: &AppConfig, m: &OutboxMessage) -> AppResult<Message> {
    let from: Mailbox = config.mail_from.parse().map_err(|e| {
        AppError::internal(
            format!("mail_from {:?} is not a valid address", config.mail_from),
            e,
        )
    })?;
    let to: Mailbox = m.to.parse().map_err(|e| {
        AppError::internal(format!("recipient {:?} is not a valid address", m.to), e)
    })?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(&m.subject)
        .message_id(Some(format!("<{}@rapport>", m.id)))
        .header(ContentType::TEXT_PLAIN)
        .body(m.body.clone())
        .map_err(|e| AppError::internal("could not build the message", e))
}

/// Delivers one message, by SMTP or to an `.eml` file.
pub async fn deliver(config: &AppConfig, m: &OutboxMessage) -> AppResult<()> {
    let message = build(config, m)?;
    match &config.smtp_url {
        Some(url) => {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map_err(|e| AppError::internal("RAPPORT_SMTP_URL is not usable", e))?
                .build();
            transport
                .send(message)
                .await
                .map_err(|e| AppError::internal("SMTP delivery failed", e))?;
        }
        None => {
            tokio::fs::create_dir_all(&config.outbox_dir)
                .await
                .map_err(|e| {
                    AppError::internal(format!("cannot create {}", config.outbox_dir.display()), e)
                })?;
            let path = config
                .outbox_dir
                .join(format!("{}-{}.eml", m.created_at, m.id));
            let tmp = path.with_extension("eml.tmp");
            tokio::fs::write(&tmp, message.formatted())
                .await
                .map_err(|e| AppError::internal(format!("cannot write {}", tmp.display()), e))?;
            tokio::fs::rename(&tmp, &path)
                .await
                .map_err(|e| AppError::internal(format!("cannot write {}", path.display()), e))?;
        }
    }
    Ok(())
}
