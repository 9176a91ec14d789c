//! Email delivery: SMTP through lettre when configured, otherwise one `.eml`
//! file per message in the outbox folder. Either way the message is the same
//! RFC 5322 text.

use crate::{AppConfig, AppError, AppResult};
use lettre::message::header::{ContentDisposition, ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use rapport_store::{Attachment, OutboxMessage};
use std::time::{Duration, UNIX_EPOCH};

/// The organisation's name, which emails sign with: the display name of the
/// From address (`Acme Mentoring <mentoring@acme.example>`), or "Rapport"
/// when the address has none. One setting, so the name a reader sees in
/// their inbox is the name the message speaks in.
pub fn organisation(config: &AppConfig) -> String {
    config
        .mail_from
        .parse::<Mailbox>()
        .ok()
        .and_then(|m| m.name)
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "Rapport".into())
}

/// Checks that `text` is an email address, optionally with a display name
/// (`Acme Mentoring <mentoring@acme.example>`), as the From of every email
/// must be; the configuration check calls it so a bad address is named at
/// start-up instead of at the first delivery.
pub fn check_address(text: &str) -> Result<(), String> {
    text.parse::<Mailbox>()
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The domain of Message-IDs: the base URL's host, so replies and bounces
/// point at the site that sent them.
fn message_id_domain(config: &AppConfig) -> &str {
    let rest = config
        .base_url
        .split_once("://")
        .map_or(config.base_url.as_str(), |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit('@').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    if host.is_empty() {
        "localhost"
    } else {
        host
    }
}

/// Builds the RFC 5322 message for an outbox row. Everything in it comes
/// from the row and the configuration (the Date is the queueing time, the
/// MIME boundary and Message-ID derive from the row's id), so a retry sends
/// the same bytes.
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
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(&m.subject)
        .date(UNIX_EPOCH + Duration::from_millis(u64::try_from(m.created_at).unwrap_or(0)))
        .message_id(Some(format!("<{}@{}>", m.id, message_id_domain(config))))
        // RFC 3834: every Rapport email is written by the machine, not a
        // person, so auto-responders (out-of-office, vacation) must not
        // answer it, and mail providers can tell it from personal mail.
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".into(),
        ));
    if let Some(url) = &m.unsubscribe_url {
        // RFC 8058: mail providers show an unsubscribe button and POST
        // `List-Unsubscribe=One-Click` to the URL, which the web route
        // accepts without a sign-in (the link is signed).
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".into(),
            ));
    }
    let built = match (&m.html, &m.attachment) {
        (Some(html), None) => builder.multipart(alternative(m, html)),
        // An attachment (an invitation's .ics file) goes beside the message:
        // multipart/mixed holding the text-or-HTML alternative first, then
        // the file, which calendar clients offer to add.
        (Some(html), Some(a)) => builder.multipart(
            MultiPart::mixed()
                .boundary(format!("rapport-mixed-{}", m.id.simple()))
                .multipart(alternative(m, html))
                .singlepart(attachment(a)?),
        ),
        (None, Some(a)) => builder.multipart(
            MultiPart::mixed()
                .boundary(format!("rapport-mixed-{}", m.id.simple()))
                .singlepart(SinglePart::plain(m.body.clone()))
                .singlepart(attachment(a)?),
        ),
        // Queued before emails had an HTML part: sent as it was written.
        (None, None) => builder.header(ContentType::TEXT_PLAIN).body(m.body.clone()),
    };
    built.map_err(|e| AppError::internal("could not build the message", e))
}

/// The text and HTML parts, text first: clients show the last part they
/// understand.
fn alternative(m: &OutboxMessage, html: &str) -> MultiPart {
    MultiPart::alternative()
        .boundary(format!("rapport-{}", m.id.simple()))
        .singlepart(SinglePart::plain(m.body.clone()))
        .singlepart(SinglePart::html(html.to_string()))
}

/// A stored text attachment as a MIME part: its type with `charset=utf-8`
/// (an `.ics` file keeps its `method=` parameter, which calendar clients
/// read), and `Content-Disposition: attachment` with its file name.
fn attachment(a: &Attachment) -> AppResult<SinglePart> {
    let content_type =
        ContentType::parse(&format!("{}; charset=utf-8", a.content_type)).map_err(|e| {
            AppError::internal(
                format!("attachment type {:?} is not a MIME type", a.content_type),
                e,
            )
        })?;
    Ok(SinglePart::builder()
        .header(content_type)
        .header(ContentDisposition::attachment(&a.name))
        .body(a.text.clone()))
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

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn config() -> AppConfig {
        AppConfig {
            base_url: "https://mentoring.acme.example:8443/base".into(),
            mail_from: "Acme Mentoring <mentoring@acme.example>".into(),
            ..AppConfig::default()
        }
    }

    fn row(unsubscribe_url: Option<&str>, html: Option<&str>) -> OutboxMessage {
        OutboxMessage {
            id: Uuid::from_u128(0x1234),
            to: "ana@example.org".into(),
            kind: "matching".into(),
            subject: "Your match in Spring".into(),
            body: "Hello Ana,\n\nA plain part.\n".into(),
            html: html.map(str::to_string),
            unsubscribe_url: unsubscribe_url.map(str::to_string),
            attachment: None,
            created_at: 1_893_456_000_000,
            sent_at: None,
        }
    }

    fn header<'a>(text: &'a str, name: &str) -> Option<&'a str> {
        let head = text.split("\r\n\r\n").next().unwrap_or_default();
        head.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
    }

    #[test]
    fn a_message_is_multipart_alternative_with_its_headers_and_the_same_bytes_each_time() {
        let url = "https://mentoring.acme.example/unsubscribe?person=p&kind=matching&sig=s";
        let m = row(
            Some(url),
            Some("<!DOCTYPE html><html lang=\"en\"><p>An HTML part.</p></html>"),
        );
        let first = build(&config(), &m).unwrap().formatted();
        assert_eq!(
            first,
            build(&config(), &m).unwrap().formatted(),
            "a retry sends identical bytes"
        );
        let text = String::from_utf8(first).unwrap();
        assert_eq!(
            header(&text, "Message-ID"),
            Some("<00000000-0000-0000-0000-000000001234@mentoring.acme.example>")
        );
        assert_eq!(
            header(&text, "Date"),
            Some("Tue, 01 Jan 2030 00:00:00 +0000")
        );
        assert_eq!(header(&text, "Auto-Submitted"), Some("auto-generated"));
        assert_eq!(
            header(&text, "List-Unsubscribe"),
            Some(format!("<{url}>").as_str())
        );
        assert_eq!(
            header(&text, "List-Unsubscribe-Post"),
            Some("List-Unsubscribe=One-Click")
        );
        let content_type = header(&text, "Content-Type").unwrap();
        assert!(
            content_type.starts_with("multipart/alternative;"),
            "{content_type}"
        );
        let plain = text
            .find("Content-Type: text/plain; charset=utf-8")
            .expect("a text part");
        let html = text
            .find("Content-Type: text/html; charset=utf-8")
            .expect("an HTML part");
        assert!(
            plain < html,
            "text first: clients show the last part they understand"
        );
        assert!(text.contains("A plain part.") && text.contains("An HTML part."));
    }

    #[test]
    fn account_mail_has_no_unsubscribe_and_old_rows_stay_plain_text() {
        let text = String::from_utf8(
            build(&config(), &row(None, Some("<p>x</p>")))
                .unwrap()
                .formatted(),
        )
        .unwrap();
        assert_eq!(header(&text, "List-Unsubscribe"), None);
        assert_eq!(header(&text, "List-Unsubscribe-Post"), None);
        let old =
            String::from_utf8(build(&config(), &row(None, None)).unwrap().formatted()).unwrap();
        assert!(header(&old, "Content-Type")
            .unwrap()
            .starts_with("text/plain"));
        assert!(header(&old, "Message-ID").is_some() && header(&old, "Date").is_some());
    }

    #[test]
    fn an_attachment_makes_the_message_mixed_with_the_alternative_inside() {
        let ics = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n";
        let m = OutboxMessage {
            attachment: Some(Attachment {
                name: "session-2030-01-15.ics".into(),
                content_type: "text/calendar; method=REQUEST".into(),
                text: ics.into(),
            }),
            ..row(None, Some("<p>An HTML part.</p>"))
        };
        let first = build(&config(), &m).unwrap().formatted();
        assert_eq!(first, build(&config(), &m).unwrap().formatted());
        let text = String::from_utf8(first).unwrap();
        assert!(header(&text, "Content-Type")
            .unwrap()
            .starts_with("multipart/mixed;"));
        let alternative = text
            .find("multipart/alternative;")
            .expect("the alternative part");
        let calendar = text
            .find("Content-Type: text/calendar; method=REQUEST; charset=utf-8")
            .or_else(|| text.find("Content-Type: text/calendar; charset=utf-8; method=REQUEST"))
            .expect("the calendar part");
        assert!(alternative < calendar, "the message first, then the file");
        assert!(
            text.contains("Content-Disposition: attachment; filename=\"session-2030-01-15.ics\"")
        );
        assert!(text.contains(ics), "the file as it was stored, CRLF kept");
    }

    #[test]
    fn the_organisation_is_the_from_name() {
        assert_eq!(organisation(&config()), "Acme Mentoring");
        let bare = AppConfig {
            mail_from: "mentoring@acme.example".into(),
            ..AppConfig::default()
        };
        assert_eq!(organisation(&bare), "Rapport");
        for (base, host) in [
            ("http://127.0.0.1:8080", "127.0.0.1"),
            ("https://[::1]:8443/x", "::1"),
            ("https://user@host.example", "host.example"),
            ("nonsense", "nonsense"),
        ] {
            let c = AppConfig {
                base_url: base.into(),
                ..AppConfig::default()
            };
            assert_eq!(message_id_domain(&c), host, "{base}");
        }
    }
}
