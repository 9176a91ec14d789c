//! Every email Rapport sends, one typed struct per kind.
//!
//! Use cases fill a struct with data and hand it to `App::queue_mail`; the
//! prose lives here and in `templates/mail/`, where each kind has a plain-text
//! and an HTML template sharing one layout. Both are rendered once, when the
//! message is queued, and stored in the outbox, so a retried delivery sends
//! the same bytes.

use askama::Template;
use rapport_domain::mentoring::EnrolmentStatus;
use rapport_domain::person::NotificationKind;

/// What every template sees besides its own data.
pub(crate) struct Frame {
    /// The organisation's name, as the From address names it.
    pub site: String,
    /// The public base URL, without a trailing slash.
    pub base_url: String,
    /// The subject, which the HTML part also uses as its title and heading.
    pub subject: String,
    /// How to stop this kind of email; none for account mail.
    pub unsubscribe: Option<Unsubscribe>,
}

/// The one-click unsubscribe link and what it switches off.
pub(crate) struct Unsubscribe {
    /// The kind of email, in lower case, like "matching and requests".
    pub what: String,
    /// The signed link.
    pub url: String,
}

/// One kind of email.
pub(crate) trait Mail: Render {
    /// Which preference switches it off (account mail cannot be).
    fn kind(&self) -> NotificationKind;
    /// The subject line; `site` is the organisation's name.
    fn subject(&self, site: &str) -> String;
}

/// The text and HTML parts of an email; implemented by `templates!`.
pub(crate) trait Render {
    /// Renders `(text, html)`.
    fn render(&self, f: &Frame) -> askama::Result<(String, String)>;
}

/// Declares each kind's two templates: a kind is rendered by wrapping it with
/// the frame in a text and an HTML template struct.
macro_rules! templates {
    ($($kind:ident: $text:ident = $text_path:tt, $html:ident = $html_path:tt;)*) => {$(
        #[derive(Template)]
        #[template(path = $text_path)]
        struct $text<'a> {
            m: &'a $kind,
            f: &'a Frame,
        }

        #[derive(Template)]
        #[template(path = $html_path)]
        struct $html<'a> {
            m: &'a $kind,
            f: &'a Frame,
        }

        impl Render for $kind {
            fn render(&self, f: &Frame) -> askama::Result<(String, String)> {
                Ok(($text { m: self, f }.render()?, $html { m: self, f }.render()?))
            }
        }
    )*};
}

templates! {
    VerifyEmail: VerifyEmailText = "mail/verify_email.txt", VerifyEmailHtml = "mail/verify_email.html";
    ResetPassword: ResetPasswordText = "mail/reset_password.txt", ResetPasswordHtml = "mail/reset_password.html";
    Invitation: InvitationText = "mail/invitation.txt", InvitationHtml = "mail/invitation.html";
    EnrolmentDecided: EnrolmentDecidedText = "mail/enrolment_decided.txt", EnrolmentDecidedHtml = "mail/enrolment_decided.html";
    MatchProposed: MatchProposedText = "mail/match_proposed.txt", MatchProposedHtml = "mail/match_proposed.html";
    RequestReceived: RequestReceivedText = "mail/request_received.txt", RequestReceivedHtml = "mail/request_received.html";
    RequestRolledOver: RequestRolledOverText = "mail/request_rolled_over.txt", RequestRolledOverHtml = "mail/request_rolled_over.html";
    QuestionAsked: QuestionAskedText = "mail/question_asked.txt", QuestionAskedHtml = "mail/question_asked.html";
    QuestionAnswered: QuestionAnsweredText = "mail/question_answered.txt", QuestionAnsweredHtml = "mail/question_answered.html";
    RequestReminder: RequestReminderText = "mail/request_reminder.txt", RequestReminderHtml = "mail/request_reminder.html";
    OfferReceived: OfferReceivedText = "mail/offer_received.txt", OfferReceivedHtml = "mail/offer_received.html";
    RequestAccepted: RequestAcceptedText = "mail/request_accepted.txt", RequestAcceptedHtml = "mail/request_accepted.html";
    RoomChanged: RoomChangedText = "mail/room_changed.txt", RoomChangedHtml = "mail/room_changed.html";
    ReportWaiting: ReportWaitingText = "mail/report_waiting.txt", ReportWaitingHtml = "mail/report_waiting.html";
}

/// Confirms a new account's email address.
pub(crate) struct VerifyEmail {
    pub name: String,
    /// The one-time token (the stored copy is hashed).
    pub token: String,
}

impl Mail for VerifyEmail {
    fn kind(&self) -> NotificationKind {
        NotificationKind::Account
    }
    fn subject(&self, site: &str) -> String {
        format!("Confirm your email for {site}")
    }
}

/// A password reset link.
pub(crate) struct ResetPassword {
    pub name: String,
    pub token: String,
}

impl Mail for ResetPassword {
    fn kind(&self) -> NotificationKind {
        NotificationKind::Account
    }
    fn subject(&self, site: &str) -> String {
        format!("Reset your {site} password")
    }
}

/// An invitation to join, with the inviter's optional note.
pub(crate) struct Invitation {
    pub name: String,
    /// Who invited them ("An administrator" from the command line).
    pub inviter: String,
    pub note: Option<String>,
    pub token: String,
}

impl Mail for Invitation {
    fn kind(&self) -> NotificationKind {
        NotificationKind::Account
    }
    fn subject(&self, site: &str) -> String {
        format!("You are invited to {site}")
    }
}

/// A manager decided an application to a programme.
pub(crate) struct EnrolmentDecided {
    pub name: String,
    pub programme: String,
    pub slug: String,
    /// The role applied for, as its code (`mentor`, `mentee`, …).
    pub role: String,
    pub status: EnrolmentStatus,
}

impl EnrolmentDecided {
    fn outcome(&self) -> &'static str {
        match self.status {
            EnrolmentStatus::Approved => "is approved: you are in",
            EnrolmentStatus::Waitlisted => {
                "is on the waiting list; we will tell you when a place opens"
            }
            _ => "was not accepted this time",
        }
    }
}

impl Mail for EnrolmentDecided {
    fn kind(&self) -> NotificationKind {
        NotificationKind::Matching
    }
    fn subject(&self, _site: &str) -> String {
        format!("Your application to {}", self.programme)
    }
}

/// A published round proposes a match.
pub(crate) struct MatchProposed {
    pub name: String,
    pub programme: String,
    /// The other members' names, comma-separated.
    pub others: String,
    /// The room's id.
    pub room: String,
}

impl Mail for MatchProposed {
    fn kind(&self) -> NotificationKind {
        NotificationKind::Matching
    }
    fn subject(&self, _site: &str) -> String {
        format!("Your match in {}", self.programme)
    }
}

/// A mentee asks a mentor.
pub(crate) struct RequestReceived {
    pub name: String,
    pub mentee: String,
    pub programme: String,
    pub message: String,
    /// The day the request expires, `YYYY-MM-DD`.
    pub answer_by: String,
}

impl Mail for RequestReceived {
    fn kind(&self) -> NotificationKind {
        NotificationKind::Matching
    }
    fn subject(&self, _site: &str) -> String {
        format!("{} asks you to be their mentor", self.mentee)
    }
}

/// A request ran out of mentors to pass to.
pub(crate) struct RequestRolledOver {
    pub name: String,
    pub programme: String,
    pub slug: String,
    /// What happened to it, completing "Your mentoring request in P …".
    pub why: String,
}

impl Mail for RequestRolledOver {
    fn kind(&self) -> NotificationKind {
        NotificationKind::Matching
    }
    fn subject(&self, _site: &str) -> String {
        format!("Your request in {}", self.programme)
    }
}

/// A mentor asks the mentee a question about their request.
pub(crate) struct QuestionAsked {
    pub name: String,
    pub question: String,
}

impl Mail for QuestionAsked {
    fn kind(&self) -> NotificationKind {
        NotificationKind::Matching
    }
    fn subject(&self, _site: &str) -> String {
        "A question about your mentoring request".into()
    }
}

/// The mentee answered the mentor's question.
pub(crate) struct QuestionAnswered {
    pub name: String,
    pub answer: String,
}

impl Mail for QuestionAnswered {
    fn kind(&self) -> NotificationKind {
        NotificationKind::Matching
    }
    fn subject(&self, _site: &str) -> String {
        "An answer about a mentoring request".into()
    }
}

/// A pending request is about to expire.
pub(crate) struct RequestReminder {
    pub name: String,
    /// `YYYY-MM-DD`.
    pub expires: String,
}

impl Mail for RequestReminder {
    fn kind(&self) -> NotificationKind {
        NotificationKind::Matching
    }
    fn subject(&self, _site: &str) -> String {
        "A mentoring request expires soon".into()
    }
}

/// A mentor offers to mentor someone.
pub(crate) struct OfferReceived {
    pub name: String,
    pub mentor: String,
    pub programme: String,
    pub message: String,
    /// `YYYY-MM-DD`.
    pub answer_by: String,
}

impl Mail for OfferReceived {
    fn kind(&self) -> NotificationKind {
        NotificationKind::Matching
    }
    fn subject(&self, _site: &str) -> String {
        format!("{} offers to mentor you", self.mentor)
    }
}

/// The other side accepted a request or offer.
pub(crate) struct RequestAccepted {
    pub name: String,
}

impl Mail for RequestAccepted {
    fn kind(&self) -> NotificationKind {
        NotificationKind::Matching
    }
    fn subject(&self, _site: &str) -> String {
        "Your mentoring request was accepted".into()
    }
}

/// What happened to a proposed room.
pub(crate) enum RoomChange {
    /// Everyone accepted.
    Active,
    /// Someone declined and the room cannot go ahead.
    Cancelled { by: String },
    /// Someone declined and the others can still go ahead.
    Declined { by: String },
}

/// A proposed room changed.
pub(crate) struct RoomChanged {
    pub name: String,
    pub programme: String,
    pub room: String,
    pub change: RoomChange,
}

impl RoomChanged {
    fn line(&self) -> String {
        match &self.change {
            RoomChange::Active => format!("Everyone accepted: your room in {} is active.", self.programme),
            RoomChange::Cancelled { by } => format!("{by} declined, so this match will not go ahead. You are back in the pool for the next round."),
            RoomChange::Declined { by } => format!("{by} declined; the room goes ahead with the others once they accept."),
        }
    }
}

impl Mail for RoomChanged {
    fn kind(&self) -> NotificationKind {
        NotificationKind::Matching
    }
    fn subject(&self, _site: &str) -> String {
        match self.change {
            RoomChange::Active => "Your room is active".into(),
            RoomChange::Cancelled { .. } => {
                format!("Your match in {} will not go ahead", self.programme)
            }
            RoomChange::Declined { .. } => format!("A change to your match in {}", self.programme),
        }
    }
}

/// A confidential report waits for a programme's managers.
pub(crate) struct ReportWaiting {
    pub name: String,
    pub programme: String,
    pub slug: String,
}

impl Mail for ReportWaiting {
    fn kind(&self) -> NotificationKind {
        NotificationKind::Matching
    }
    fn subject(&self, _site: &str) -> String {
        format!("A report in {}", self.programme)
    }
}

// Self-hosting (issue 21): the other side of a request whose sender or
// recipient an operator disabled.

/// A request or offer closed because the other person left.
pub(crate) struct RequestClosed {
    pub name: String,
    /// The person who left.
    pub other: String,
    pub programme: String,
}

impl Mail for RequestClosed {
    fn kind(&self) -> NotificationKind {
        NotificationKind::Matching
    }
    fn subject(&self, _site: &str) -> String {
        format!("A mentoring request in {} is closed", self.programme)
    }
}

templates! {
    RequestClosed: RequestClosedText = "mail/request_closed.txt", RequestClosedHtml = "mail/request_closed.html";
}

#[cfg(test)]
mod tests {
    //! One snapshot per template, text and HTML, with fixed data: a change to
    //! any email shows up as a reviewed diff. The data carries `<`, `&` and
    //! quotes so the snapshots also show the HTML part escaping them.
    use super::*;

    fn frame(mail: &impl Mail, unsubscribe: bool) -> Frame {
        Frame {
            site: "Acme Mentoring".into(),
            base_url: "https://mentoring.acme.example".into(),
            subject: mail.subject("Acme Mentoring"),
            unsubscribe: unsubscribe.then(|| Unsubscribe {
                what: NotificationKind::Matching.label().to_lowercase(),
                url: "https://mentoring.acme.example/unsubscribe?person=00000000-0000-0000-0000-000000000001&kind=matching&sig=c2ln".into(),
            }),
        }
    }

    fn check(name: &str, mail: &impl Mail) {
        let optional = mail.kind() != NotificationKind::Account;
        let f = frame(mail, optional);
        let (text, html) = mail.render(&f).expect("the templates render");
        insta::assert_snapshot!(
            format!("{name}.txt"),
            format!("Subject: {}\n\n{text}", f.subject)
        );
        insta::assert_snapshot!(format!("{name}.html"), html);
        assert!(html.contains("<html lang=\"en\">"));
        assert!(html.contains("<h1"), "a heading names the email");
        assert_eq!(
            html.contains("Stop emails like this"),
            optional,
            "only optional mail offers to unsubscribe"
        );
        assert!(!html.contains("<script"), "{html}");
    }

    const NAME: &str = "Ana <Ana> O'Brien & Co";
    const MESSAGE: &str = "Hi!\nCould we talk about <b>public speaking</b> & pacing?";

    #[test]
    fn account_emails() {
        check(
            "verify_email",
            &VerifyEmail {
                name: NAME.into(),
                token: "tok_verify-123".into(),
            },
        );
        check(
            "reset_password",
            &ResetPassword {
                name: NAME.into(),
                token: "tok_reset-123".into(),
            },
        );
        check(
            "invitation",
            &Invitation {
                name: NAME.into(),
                inviter: "Bea Admin".into(),
                note: Some("Welcome aboard!\nSee you at the kick-off.".into()),
                token: "tok_invite-123".into(),
            },
        );
        check(
            "invitation_without_note",
            &Invitation {
                name: NAME.into(),
                inviter: "An administrator".into(),
                note: None,
                token: "tok_invite-456".into(),
            },
        );
    }

    #[test]
    fn programme_and_round_emails() {
        for (status, name) in [
            (EnrolmentStatus::Approved, "enrolment_approved"),
            (EnrolmentStatus::Waitlisted, "enrolment_waitlisted"),
            (EnrolmentStatus::Declined, "enrolment_declined"),
        ] {
            check(
                name,
                &EnrolmentDecided {
                    name: NAME.into(),
                    programme: "Spring & Summer".into(),
                    slug: "spring".into(),
                    role: "mentee".into(),
                    status,
                },
            );
        }
        check(
            "match_proposed",
            &MatchProposed {
                name: NAME.into(),
                programme: "Spring & Summer".into(),
                others: "Bea, Carl".into(),
                room: "00000000-0000-0000-0000-0000000000aa".into(),
            },
        );
        for (change, name) in [
            (RoomChange::Active, "room_active"),
            (
                RoomChange::Cancelled { by: "Carl".into() },
                "room_cancelled",
            ),
            (RoomChange::Declined { by: "Carl".into() }, "room_declined"),
        ] {
            check(
                name,
                &RoomChanged {
                    name: NAME.into(),
                    programme: "Spring & Summer".into(),
                    room: "00000000-0000-0000-0000-0000000000aa".into(),
                    change,
                },
            );
        }
        check(
            "report_waiting",
            &ReportWaiting {
                name: NAME.into(),
                programme: "Spring & Summer".into(),
                slug: "spring".into(),
            },
        );
    }

    #[test]
    fn request_emails() {
        check(
            "request_received",
            &RequestReceived {
                name: NAME.into(),
                mentee: "Dan".into(),
                programme: "Spring & Summer".into(),
                message: MESSAGE.into(),
                answer_by: "2030-01-15".into(),
            },
        );
        check(
            "request_rolled_over",
            &RequestRolledOver {
                name: NAME.into(),
                programme: "Spring & Summer".into(),
                slug: "spring".into(),
                why: "expired without an answer".into(),
            },
        );
        check(
            "question_asked",
            &QuestionAsked {
                name: NAME.into(),
                question: MESSAGE.into(),
            },
        );
        check(
            "question_answered",
            &QuestionAnswered {
                name: NAME.into(),
                answer: MESSAGE.into(),
            },
        );
        check(
            "request_reminder",
            &RequestReminder {
                name: NAME.into(),
                expires: "2030-01-15".into(),
            },
        );
        check(
            "offer_received",
            &OfferReceived {
                name: NAME.into(),
                mentor: "Eve".into(),
                programme: "Spring & Summer".into(),
                message: MESSAGE.into(),
                answer_by: "2030-01-15".into(),
            },
        );
        check("request_accepted", &RequestAccepted { name: NAME.into() });
        check(
            "request_closed",
            &RequestClosed {
                name: NAME.into(),
                other: "Dan".into(),
                programme: "Spring & Summer".into(),
            },
        );
    }
}
