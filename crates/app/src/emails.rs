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
    /// Where the person deals with it on the site (a path): the in-app
    /// notification's link. The home page, with its inbox, by default.
    fn link(&self) -> String {
        "/".into()
    }
    /// Whether it also shows in the person's notifications. Mail that only
    /// repeats a count the navigation already shows (unread messages) does not.
    fn in_app(&self) -> bool {
        true
    }
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
    SessionInvitation: SessionInvitationText = "mail/session_invitation.txt", SessionInvitationHtml = "mail/session_invitation.html";
    SessionReminder: SessionReminderText = "mail/session_reminder.txt", SessionReminderHtml = "mail/session_reminder.html";
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
    fn link(&self) -> String {
        format!("/programmes/{}", self.slug)
    }
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
    fn link(&self) -> String {
        format!("/rooms/{}", self.room)
    }
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
    /// When the request expires, in the recipient's zone, the zone named.
    pub answer_by: String,
}

impl Mail for RequestReceived {
    fn link(&self) -> String {
        "/requests".into()
    }
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
    fn link(&self) -> String {
        format!("/programmes/{}/mentors", self.slug)
    }
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
    fn link(&self) -> String {
        "/requests".into()
    }
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
    fn link(&self) -> String {
        "/requests".into()
    }
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
    /// When the request expires, in the recipient's zone, the zone named.
    pub expires: String,
}

impl Mail for RequestReminder {
    fn link(&self) -> String {
        "/requests".into()
    }
    fn kind(&self) -> NotificationKind {
        NotificationKind::Digest
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
    /// When the offer expires, in the recipient's zone, the zone named.
    pub answer_by: String,
}

impl Mail for OfferReceived {
    fn link(&self) -> String {
        "/requests".into()
    }
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
    fn link(&self) -> String {
        "/rooms".into()
    }
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
    fn link(&self) -> String {
        format!("/rooms/{}", self.room)
    }
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
    fn link(&self) -> String {
        format!("/programmes/{}/reports", self.slug)
    }
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
    fn link(&self) -> String {
        "/requests".into()
    }
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

// Calendars: session invitations (with an .ics attached) and reminders.

/// What an invitation says happened.
pub(crate) enum SessionNews {
    /// A new session.
    Scheduled,
    /// Its time, length, agenda or place changed.
    Changed,
    /// Cancelled, perhaps with a reason.
    Cancelled { reason: Option<String> },
}

/// A session was scheduled, changed or cancelled; the `.ics` file is attached.
pub(crate) struct SessionInvitation {
    pub name: String,
    pub programme: String,
    /// The other members' names: "Bo", "Bo and Cy".
    pub with: String,
    /// The start in the recipient's zone, the zone named.
    pub when: String,
    pub minutes: i32,
    /// The agenda as plain text.
    pub agenda: String,
    pub link: Option<String>,
    pub place: Option<String>,
    /// The session's id, for its page.
    pub session: String,
    pub news: SessionNews,
    /// Who made the change, when known.
    pub by: Option<String>,
}

impl SessionInvitation {
    fn line(&self) -> String {
        let by = self.by.as_deref().unwrap_or("Someone in your room");
        match &self.news {
            SessionNews::Scheduled => {
                format!("{by} scheduled a session with you in {}.", self.programme)
            }
            SessionNews::Changed => format!(
                "Your session in {} has changed. Here are its details as they stand now.",
                self.programme
            ),
            SessionNews::Cancelled { .. } => {
                format!("{by} cancelled your session in {}.", self.programme)
            }
        }
    }

    fn cancelled(&self) -> bool {
        matches!(self.news, SessionNews::Cancelled { .. })
    }

    fn reason(&self) -> Option<&str> {
        match &self.news {
            SessionNews::Cancelled { reason } => reason.as_deref(),
            _ => None,
        }
    }
}

impl Mail for SessionInvitation {
    fn link(&self) -> String {
        format!("/sessions/{}", self.session)
    }
    fn kind(&self) -> NotificationKind {
        NotificationKind::Sessions
    }
    fn subject(&self, _site: &str) -> String {
        match self.news {
            SessionNews::Scheduled => format!("Session with {}: {}", self.with, self.when),
            SessionNews::Changed => format!("Session changed: {}", self.when),
            SessionNews::Cancelled { .. } => format!("Session cancelled: {}", self.when),
        }
    }
}

/// A session starts in a day, or in an hour.
pub(crate) struct SessionReminder {
    pub name: String,
    pub programme: String,
    pub with: String,
    pub when: String,
    /// The 1-hour reminder (else the 24-hour one).
    pub soon: bool,
    pub minutes: i32,
    pub link: Option<String>,
    pub place: Option<String>,
    pub session: String,
}

impl SessionReminder {
    fn lead(&self) -> &'static str {
        if self.soon {
            "in an hour"
        } else {
            "tomorrow"
        }
    }
}

impl Mail for SessionReminder {
    fn link(&self) -> String {
        format!("/sessions/{}", self.session)
    }
    fn kind(&self) -> NotificationKind {
        NotificationKind::Sessions
    }
    fn subject(&self, _site: &str) -> String {
        format!("Reminder: session with {} {}", self.with, self.lead())
    }
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

    pub(super) fn check(name: &str, mail: &impl Mail) {
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
                answer_by: "Tue 15 Jan 2030, 09:30 (Kolkata)".into(),
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
                expires: "Tue 15 Jan 2030, 09:30 (Kolkata)".into(),
            },
        );
        check(
            "offer_received",
            &OfferReceived {
                name: NAME.into(),
                mentor: "Eve".into(),
                programme: "Spring & Summer".into(),
                message: MESSAGE.into(),
                answer_by: "Tue 15 Jan 2030, 09:30 (Kolkata)".into(),
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

    fn invitation(news: SessionNews) -> SessionInvitation {
        SessionInvitation {
            name: NAME.into(),
            programme: "Spring & Summer".into(),
            with: "Bo <Bo>".into(),
            when: "Wed 15 Jan 2030, 10:00 (Kolkata)".into(),
            minutes: 45,
            agenda: "Goals for the quarter\n\nPublic speaking & pacing".into(),
            link: Some("https://meet.example/abc?x=1&y=2".into()),
            place: None,
            session: "00000000-0000-0000-0000-0000000000bb".into(),
            news,
            by: Some("Bo <Bo>".into()),
        }
    }

    #[test]
    fn session_emails() {
        check("session_scheduled", &invitation(SessionNews::Scheduled));
        check("session_changed", &invitation(SessionNews::Changed));
        check(
            "session_cancelled",
            &invitation(SessionNews::Cancelled {
                reason: Some("I am ill & sorry".into()),
            }),
        );
        for (soon, name) in [
            (false, "session_reminder_day"),
            (true, "session_reminder_hour"),
        ] {
            check(
                name,
                &SessionReminder {
                    name: NAME.into(),
                    programme: "Spring & Summer".into(),
                    with: "Bo and Cy".into(),
                    when: "Wed 15 Jan 2030, 10:00 (Lisbon)".into(),
                    soon,
                    minutes: 60,
                    link: None,
                    place: Some("Room 4 <north>".into()),
                    session: "00000000-0000-0000-0000-0000000000bb".into(),
                },
            );
        }
    }
}

// Closure and activation: first-contact prompts, the inactivity warning and
// ending, and the "one up, one down" invitation to mentor. Dates are the
// recipient's, in their own zone, named.

templates! {
    FirstContactPrompt: FirstContactPromptText = "mail/first_contact_prompt.txt", FirstContactPromptHtml = "mail/first_contact_prompt.html";
    FirstContactManager: FirstContactManagerText = "mail/first_contact_manager.txt", FirstContactManagerHtml = "mail/first_contact_manager.html";
    InactivityWarning: InactivityWarningText = "mail/inactivity_warning.txt", InactivityWarningHtml = "mail/inactivity_warning.html";
    RoomEndedInactive: RoomEndedInactiveText = "mail/room_ended_inactive.txt", RoomEndedInactiveHtml = "mail/room_ended_inactive.html";
    MentorInvitation: MentorInvitationText = "mail/mentor_invitation.txt", MentorInvitationHtml = "mail/mentor_invitation.html";
}

/// A room's members have not made first contact.
pub(crate) struct FirstContactPrompt {
    pub name: String,
    pub programme: String,
    pub room: String,
    /// When the room started, in the recipient's zone.
    pub started: String,
    /// Days since then.
    pub days: u32,
}

impl Mail for FirstContactPrompt {
    fn link(&self) -> String {
        format!("/rooms/{}", self.room)
    }
    fn kind(&self) -> NotificationKind {
        NotificationKind::Rooms
    }
    fn subject(&self, _site: &str) -> String {
        format!("Say hello in your room in {}", self.programme)
    }
}

/// A programme's managers hear of a room still without first contact.
pub(crate) struct FirstContactManager {
    pub name: String,
    pub programme: String,
    pub room: String,
    /// The members' names.
    pub members: String,
    /// When the room started, in the recipient's zone.
    pub started: String,
    pub days: u32,
}

impl Mail for FirstContactManager {
    fn link(&self) -> String {
        format!("/rooms/{}", self.room)
    }
    fn kind(&self) -> NotificationKind {
        NotificationKind::Rooms
    }
    fn subject(&self, _site: &str) -> String {
        format!("A room in {} has not started", self.programme)
    }
}

/// A room has been quiet for the programme's inactivity limit.
pub(crate) struct InactivityWarning {
    pub name: String,
    pub programme: String,
    pub room: String,
    /// The last activity (or the start), in the recipient's zone.
    pub since: String,
    /// The day the room ends if nobody acts, in the recipient's zone.
    pub ends_on: String,
}

impl Mail for InactivityWarning {
    fn link(&self) -> String {
        format!("/rooms/{}", self.room)
    }
    fn kind(&self) -> NotificationKind {
        NotificationKind::Rooms
    }
    fn subject(&self, _site: &str) -> String {
        format!("Your room in {} has been quiet", self.programme)
    }
}

/// A room ended as inactive: its members (with the closure survey) and its
/// programme's managers hear.
pub(crate) struct RoomEndedInactive {
    pub name: String,
    pub programme: String,
    pub room: String,
    /// The members' names (for managers).
    pub members: String,
    /// Whether the recipient is a member (else a manager).
    pub member: bool,
    /// The last activity (or the start), in the recipient's zone.
    pub since: String,
    /// The last day of the closure survey, in the recipient's zone.
    pub closure_until: String,
}

impl Mail for RoomEndedInactive {
    fn link(&self) -> String {
        format!("/rooms/{}", self.room)
    }
    fn kind(&self) -> NotificationKind {
        NotificationKind::Rooms
    }
    fn subject(&self, _site: &str) -> String {
        if self.member {
            format!("Your room in {} ended as inactive", self.programme)
        } else {
            format!("A room in {} ended as inactive", self.programme)
        }
    }
}

/// A mentee who would mentor someone is invited to ("one up, one down").
pub(crate) struct MentorInvitation {
    pub name: String,
    /// The programme they closed a room in.
    pub programme: String,
    /// The next programme taking mentors: (name, slug), if any.
    pub next: Option<(String, String)>,
}

impl Mail for MentorInvitation {
    fn link(&self) -> String {
        "/programmes".into()
    }
    fn kind(&self) -> NotificationKind {
        NotificationKind::Programme
    }
    fn subject(&self, _site: &str) -> String {
        "Would you mentor someone? One up, one down".into()
    }
}

#[cfg(test)]
mod closure_activation_tests {
    //! One snapshot per template and variant, as in `tests` above.
    use super::*;

    fn check(name: &str, mail: &impl Mail) {
        let f = Frame {
            site: "Acme Mentoring".into(),
            base_url: "https://mentoring.acme.example".into(),
            subject: mail.subject("Acme Mentoring"),
            unsubscribe: Some(Unsubscribe {
                what: mail.kind().label().to_lowercase(),
                url: format!("https://mentoring.acme.example/unsubscribe?person=00000000-0000-0000-0000-000000000001&kind={}&sig=c2ln", mail.kind().code()),
            }),
        };
        let (text, html) = mail.render(&f).expect("the templates render");
        insta::assert_snapshot!(
            format!("{name}.txt"),
            format!("Subject: {}\n\n{text}", f.subject)
        );
        insta::assert_snapshot!(format!("{name}.html"), html);
        assert!(html.contains("<h1"), "a heading names the email");
        assert!(html.contains("Stop emails like this"));
        assert!(!html.contains("<script"), "{html}");
    }

    const NAME: &str = "Ana <Ana> O'Brien & Co";
    const ROOM: &str = "00000000-0000-0000-0000-0000000000aa";

    #[test]
    fn activation_emails() {
        check(
            "first_contact_prompt",
            &FirstContactPrompt {
                name: NAME.into(),
                programme: "Spring & Summer".into(),
                room: ROOM.into(),
                started: "3 Mar 2030 (Lisbon)".into(),
                days: 7,
            },
        );
        check(
            "first_contact_manager",
            &FirstContactManager {
                name: NAME.into(),
                programme: "Spring & Summer".into(),
                room: ROOM.into(),
                members: "Bea & Carl".into(),
                started: "3 Mar 2030 (Kolkata)".into(),
                days: 14,
            },
        );
        check(
            "inactivity_warning",
            &InactivityWarning {
                name: NAME.into(),
                programme: "Spring & Summer".into(),
                room: ROOM.into(),
                since: "3 Mar 2030 (Lisbon)".into(),
                ends_on: "8 Jun 2030 (Lisbon)".into(),
            },
        );
        for (member, name) in [
            (true, "room_ended_inactive_member"),
            (false, "room_ended_inactive_manager"),
        ] {
            check(
                name,
                &RoomEndedInactive {
                    name: NAME.into(),
                    programme: "Spring & Summer".into(),
                    room: ROOM.into(),
                    members: "Bea & Carl".into(),
                    member,
                    since: "3 Mar 2030 (Lisbon)".into(),
                    closure_until: "8 Jul 2030 (Lisbon)".into(),
                },
            );
        }
    }

    #[test]
    fn mentor_invitation_emails() {
        check(
            "mentor_invitation_next",
            &MentorInvitation {
                name: NAME.into(),
                programme: "Spring & Summer".into(),
                next: Some(("Autumn <Cohort>".into(), "autumn".into())),
            },
        );
        check(
            "mentor_invitation_list",
            &MentorInvitation {
                name: NAME.into(),
                programme: "Spring & Summer".into(),
                next: None,
            },
        );
    }
}

// Room messages (issue 17, notes and messages): the batched "new messages"
// email. Kept in one block so the other room emails merge beside it.
templates! {
    RoomDigest: RoomDigestText = "mail/room_digest.txt", RoomDigestHtml = "mail/room_digest.html";
}

/// One unread message in a [`RoomDigest`]: who wrote it and its first words
/// as plain text.
pub(crate) struct DigestLine {
    pub author: String,
    pub preview: String,
}

/// Messages wait unread in a room (at most one per room per recipient per
/// 15 minutes; never about messages already read).
pub(crate) struct RoomDigest {
    pub name: String,
    pub programme: String,
    pub room: String,
    /// How many messages are unread.
    pub unread: usize,
    /// The newest few, oldest first.
    pub lines: Vec<DigestLine>,
}

impl RoomDigest {
    fn count(&self) -> String {
        match self.unread {
            1 => "1 new message".into(),
            n => format!("{n} new messages"),
        }
    }
}

impl Mail for RoomDigest {
    fn in_app(&self) -> bool {
        false
    }
    fn kind(&self) -> NotificationKind {
        NotificationKind::Rooms
    }
    fn subject(&self, _site: &str) -> String {
        format!("{} in your room in {}", self.count(), self.programme)
    }
}

#[cfg(test)]
mod room_digest_tests {
    use super::tests::check;
    use super::*;

    #[test]
    fn room_digest() {
        check(
            "room_digest",
            &RoomDigest {
                name: "Ana <Ana> O'Brien & Co".into(),
                programme: "Spring & Summer".into(),
                room: "00000000-0000-0000-0000-0000000000aa".into(),
                unread: 4,
                lines: vec![
                    DigestLine {
                        author: "Bea".into(),
                        preview: "Could we move <Thursday> & talk about pacing?".into(),
                    },
                    DigestLine {
                        author: "a former member".into(),
                        preview: "Thanks for the session…".into(),
                    },
                ],
            },
        );
    }
}

// Room lifecycle (issue 17, section 1): pauses, completion, early ends,
// members leaving, and a programme's rooms completed at its end.

templates! {
    RoomMoved: RoomMovedText = "mail/room_moved.txt", RoomMovedHtml = "mail/room_moved.html";
}

/// What happened to an active or paused room.
#[derive(Clone, Debug)]
pub(crate) enum RoomMove {
    /// Someone paused it.
    Paused { by: String },
    /// Someone resumed it.
    Resumed { by: String },
    /// A member proposed completing it; the reader confirms.
    CompletionProposed { by: String },
    /// It completed (confirmed by a member, or by a manager).
    Completed { by: String },
    /// The programme's manager completed every room as the programme ends.
    ProgrammeEnded,
    /// It ended early, for a reason (its neutral label).
    Ended { by: String, reason: String },
    /// A member left; the room carries on.
    Left { by: String },
}

/// An active or paused room changed.
pub(crate) struct RoomMoved {
    pub name: String,
    pub programme: String,
    pub room: String,
    pub change: RoomMove,
    /// The reader, a mentor who ended the room for fit, is offered a
    /// mentor of their own.
    pub mentor_support: bool,
}

impl RoomMoved {
    fn line(&self) -> String {
        match &self.change {
            RoomMove::Paused { by } => format!("{by} paused your room in {}. Nothing is lost: it picks up where it left off when it is resumed.", self.programme),
            RoomMove::Resumed { by } => format!("{by} resumed your room in {}.", self.programme),
            RoomMove::CompletionProposed { by } => format!("{by} proposed completing your room in {}. Open the room to confirm it, or talk it over first.", self.programme),
            RoomMove::Completed { by } => format!("Your room in {} is complete: {by} confirmed it.", self.programme),
            RoomMove::ProgrammeEnded => format!("{} has ended, so your room in it is complete.", self.programme),
            RoomMove::Ended { by, reason } => format!("{by} ended your room in {}. Reason: {reason}.", self.programme),
            RoomMove::Left { by } => format!("{by} left your room in {}. The room carries on with everyone else.", self.programme),
        }
    }

    /// The room closed: the email asks for the closing reflection.
    fn closed(&self) -> bool {
        matches!(
            self.change,
            RoomMove::Completed { .. } | RoomMove::ProgrammeEnded | RoomMove::Ended { .. }
        )
    }
}

impl Mail for RoomMoved {
    fn link(&self) -> String {
        format!("/rooms/{}", self.room)
    }
    fn kind(&self) -> NotificationKind {
        NotificationKind::Rooms
    }
    fn subject(&self, _site: &str) -> String {
        match &self.change {
            RoomMove::Paused { .. } => format!("Your room in {} is paused", self.programme),
            RoomMove::Resumed { .. } => format!("Your room in {} is active again", self.programme),
            RoomMove::CompletionProposed { .. } => {
                format!("Confirm that your room in {} is complete", self.programme)
            }
            RoomMove::Completed { .. } | RoomMove::ProgrammeEnded => {
                format!("Your room in {} is complete", self.programme)
            }
            RoomMove::Ended { .. } => format!("Your room in {} has ended", self.programme),
            RoomMove::Left { .. } => format!("A member left your room in {}", self.programme),
        }
    }
}

#[cfg(test)]
mod room_life_tests {
    use super::*;

    #[test]
    fn room_moved_emails() {
        let frame = |m: &RoomMoved| {
            Frame {
            site: "Acme Mentoring".into(),
            base_url: "https://mentoring.acme.example".into(),
            subject: m.subject("Acme Mentoring"),
            unsubscribe: Some(Unsubscribe {
                what: NotificationKind::Rooms.label().to_lowercase(),
                url: "https://mentoring.acme.example/unsubscribe?person=00000000-0000-0000-0000-000000000001&kind=rooms&sig=c2ln".into(),
            }),
        }
        };
        let by = || "Bea <B> & Co".to_string();
        for (name, change) in [
            ("room_paused", RoomMove::Paused { by: by() }),
            ("room_resumed", RoomMove::Resumed { by: by() }),
            (
                "room_completion_proposed",
                RoomMove::CompletionProposed { by: by() },
            ),
            ("room_completed", RoomMove::Completed { by: by() }),
            ("room_programme_ended", RoomMove::ProgrammeEnded),
            (
                "room_ended",
                RoomMove::Ended {
                    by: by(),
                    reason: "Not enough time".into(),
                },
            ),
            ("room_left", RoomMove::Left { by: by() }),
        ] {
            let mail = RoomMoved {
                name: "Ana <Ana> O'Brien & Co".into(),
                programme: "Spring & Summer".into(),
                room: "00000000-0000-0000-0000-0000000000aa".into(),
                change,
                mentor_support: false,
            };
            let f = frame(&mail);
            let (text, html) = mail.render(&f).expect("the templates render");
            insta::assert_snapshot!(
                format!("{name}.txt"),
                format!("Subject: {}\n\n{text}", f.subject)
            );
            insta::assert_snapshot!(format!("{name}.html"), html);
            assert!(html.contains("Stop emails like this"));
            assert_eq!(text.contains("/closure"), mail.closed(), "{name}");
            assert!(!html.contains("<B>"), "escaped: {html}");
        }
    }
}

// Room health (issue 17, section 8): nudges to members, alerts to managers.
templates! {
    HealthNudge: HealthNudgeText = "mail/health_nudge.txt", HealthNudgeHtml = "mail/health_nudge.html";
    HealthAlert: HealthAlertText = "mail/health_alert.txt", HealthAlertHtml = "mail/health_alert.html";
}

/// A room needs its members' attention: the reasons the recipient may see
/// (never another member's pulse answers) and one next step.
pub(crate) struct HealthNudge {
    pub name: String,
    pub programme: String,
    pub room: String,
    /// The other members' names.
    pub with: String,
    /// What the recipient sees is at risk, not only needs attention.
    pub at_risk: bool,
    pub reasons: Vec<String>,
    pub next_step: String,
}

impl Mail for HealthNudge {
    fn link(&self) -> String {
        format!("/rooms/{}/health", self.room)
    }
    fn kind(&self) -> NotificationKind {
        NotificationKind::Rooms
    }
    fn subject(&self, _site: &str) -> String {
        format!("Your room in {} needs attention", self.programme)
    }
}

/// A room became at risk: the programme's managers hear, with the reasons
/// (pulse reasons name the item and the side).
pub(crate) struct HealthAlert {
    pub name: String,
    pub programme: String,
    pub room: String,
    /// The members, with their roles.
    pub members: String,
    pub reasons: Vec<String>,
}

impl Mail for HealthAlert {
    fn link(&self) -> String {
        format!("/rooms/{}/health", self.room)
    }
    fn kind(&self) -> NotificationKind {
        NotificationKind::Rooms
    }
    fn subject(&self, _site: &str) -> String {
        format!("A room in {} is at risk", self.programme)
    }
}

#[cfg(test)]
mod health_email_tests {
    use super::tests::check;
    use super::*;

    #[test]
    fn health_emails() {
        check(
            "health_nudge",
            &HealthNudge {
                name: "Ana <Ana> O'Brien & Co".into(),
                programme: "Spring & Summer".into(),
                room: "00000000-0000-0000-0000-0000000000aa".into(),
                with: "Bea & Carl".into(),
                at_risk: false,
                reasons: vec![
                    "The last session was held 22 days ago, not counting paused time.".into(),
                ],
                next_step: "Schedule your next session.".into(),
            },
        );
        check(
            "health_nudge_at_risk",
            &HealthNudge {
                name: "Bea".into(),
                programme: "Spring & Summer".into(),
                room: "00000000-0000-0000-0000-0000000000aa".into(),
                with: String::new(),
                at_risk: true,
                reasons: vec!["Mentee Bea scored empathy 2 of 5 (\u{201c}I feel understood\u{201d}) at check-in 1.".into()],
                next_step: "Talk about how the relationship is going at your next session, or ask your programme's manager for a word.".into(),
            },
        );
        check(
            "health_alert",
            &HealthAlert {
                name: "Mo <Manager>".into(),
                programme: "Spring & Summer".into(),
                room: "00000000-0000-0000-0000-0000000000aa".into(),
                members: "Ana (mentor), Bea (mentee)".into(),
                reasons: vec![
                    "Mentee Bea answered no to \u{201c}this mentorship is working for me\u{201d} at check-in 1.".into(),
                    "Mentor Ana and mentee Bea differ by 3 on empathy at check-in 1 (5 and 2).".into(),
                ],
            },
        );
    }
}

// The no-fault re-match (issue 17, section 8): the people of the old room,
// the person re-matched, a mentor offered a mentor of their own, and the
// managers when nobody can take the person yet. Neutral words throughout.

templates! {
    RoomRematched: RoomRematchedText = "mail/room_rematched.txt", RoomRematchedHtml = "mail/room_rematched.html";
}

/// What the person being re-matched hears happens next.
#[derive(Clone, Debug)]
pub(crate) enum RematchNext {
    /// A new mentor is proposed; they answer in the new room.
    Proposed { mentor: String, room: String },
    /// Nobody can take them now: why, and what would fix it (the manager is told).
    Waiting { reason: String, fix: Option<String> },
    /// Peers and circles: a ranked list to choose from.
    Referrals,
}

/// Who a [`RoomRematched`] email is for.
#[derive(Clone, Debug)]
pub(crate) enum RematchMail {
    /// The person being re-matched.
    Moved { next: RematchNext, closed: bool },
    /// Another member of the old room (the mentor, or the others in a group).
    Others {
        person: String,
        closed: bool,
        /// A mentor who reported a poor fit is offered a mentor of their own.
        mentor_support: bool,
    },
    /// A manager: nobody can take the person now.
    NoneFound {
        person: String,
        reason: String,
        fix: Option<String>,
    },
}

/// A room ended (or a member left it) for fit, so someone can be matched
/// with a mentor or peer who suits them better. Nobody is to blame.
pub(crate) struct RoomRematched {
    pub name: String,
    pub programme: String,
    /// The old room.
    pub room: String,
    pub mail: RematchMail,
}

impl RoomRematched {
    fn closed(&self) -> bool {
        matches!(
            self.mail,
            RematchMail::Moved { closed: true, .. } | RematchMail::Others { closed: true, .. }
        )
    }

    fn mentor_support(&self) -> bool {
        matches!(
            self.mail,
            RematchMail::Others {
                mentor_support: true,
                ..
            }
        )
    }

    fn line(&self) -> String {
        let p = &self.programme;
        match &self.mail {
            RematchMail::Moved { closed: true, .. } => format!("Your room in {p} has ended so that you can be matched with someone who suits you better. Fit is nobody's fault: people click, or they don't, and that is fine."),
            RematchMail::Moved { .. } => format!("You have left your group in {p} so that you can be matched with someone who suits you better. Fit is nobody's fault."),
            RematchMail::Others { person, closed: true, .. } => format!("Your room in {p} has ended so that {person} can be matched with someone who suits them better. Fit is nobody's fault: people click, or they don't, and that is fine. Your place is free again, so you can be matched with someone new."),
            RematchMail::Others { person, .. } => format!("{person} has left your room in {p} to be matched with someone who suits them better. Fit is nobody's fault. The room carries on with everyone else."),
            RematchMail::NoneFound { person, reason, .. } => format!("{person} asked for a new match in {p} after a change of fit, and nobody can take them yet: {reason}."),
        }
    }

    /// The new mentor and room, when one is proposed.
    fn proposed(&self) -> Option<(&str, &str)> {
        match &self.mail {
            RematchMail::Moved {
                next: RematchNext::Proposed { mentor, room },
                ..
            } => Some((mentor, room)),
            _ => None,
        }
    }

    /// Why nobody can take the person being re-matched yet.
    fn waiting(&self) -> Option<&str> {
        match &self.mail {
            RematchMail::Moved {
                next: RematchNext::Waiting { reason, .. },
                ..
            } => Some(reason),
            _ => None,
        }
    }

    /// Peers and circles choose from a ranked list.
    fn referrals(&self) -> bool {
        matches!(
            self.mail,
            RematchMail::Moved {
                next: RematchNext::Referrals,
                ..
            }
        )
    }

    fn fix(&self) -> Option<&str> {
        match &self.mail {
            RematchMail::NoneFound { fix, .. } => fix.as_deref(),
            RematchMail::Moved {
                next: RematchNext::Waiting { fix, .. },
                ..
            } => fix.as_deref(),
            _ => None,
        }
    }
}

impl Mail for RoomRematched {
    fn kind(&self) -> NotificationKind {
        match self.mail {
            RematchMail::NoneFound { .. } => NotificationKind::Matching,
            _ => NotificationKind::Rooms,
        }
    }
    fn subject(&self, _site: &str) -> String {
        match &self.mail {
            RematchMail::Moved {
                next: RematchNext::Proposed { .. },
                ..
            } => format!("A new match for you in {}", self.programme),
            RematchMail::Moved { .. } => format!("Finding you a new match in {}", self.programme),
            RematchMail::Others { closed: true, .. } => {
                format!("Your room in {} has ended", self.programme)
            }
            RematchMail::Others { .. } => format!("A member left your room in {}", self.programme),
            RematchMail::NoneFound { person, .. } => {
                format!("{person} is waiting for a new match in {}", self.programme)
            }
        }
    }
}

#[cfg(test)]
mod rematch_email_tests {
    use super::tests::check;
    use super::*;

    #[test]
    fn rematch_emails() {
        let room = || "00000000-0000-0000-0000-0000000000aa".to_string();
        let mail = |m: RematchMail| RoomRematched {
            name: "Bea <B> & Co".into(),
            programme: "Spring & Summer".into(),
            room: room(),
            mail: m,
        };
        for (name, m) in [
            (
                "room_rematched_proposed",
                RematchMail::Moved {
                    next: RematchNext::Proposed {
                        mentor: "Cy <C>".into(),
                        room: "00000000-0000-0000-0000-0000000000bb".into(),
                    },
                    closed: true,
                },
            ),
            (
                "room_rematched_waiting",
                RematchMail::Moved {
                    next: RematchNext::Waiting {
                        reason: "every mentor who suits them is full".into(),
                        fix: Some("add one mentor place".into()),
                    },
                    closed: true,
                },
            ),
            (
                "room_rematched_referrals",
                RematchMail::Moved {
                    next: RematchNext::Referrals,
                    closed: false,
                },
            ),
            (
                "room_rematched_mentor",
                RematchMail::Others {
                    person: "Bea".into(),
                    closed: true,
                    mentor_support: true,
                },
            ),
            (
                "room_rematched_group",
                RematchMail::Others {
                    person: "Bea".into(),
                    closed: false,
                    mentor_support: false,
                },
            ),
            (
                "room_rematched_manager",
                RematchMail::NoneFound {
                    person: "Bea".into(),
                    reason: "no eligible mentor has space".into(),
                    fix: Some("recruit a mentor <now> & soon".into()),
                },
            ),
        ] {
            check(name, &mail(m));
        }
    }
}

// Reflection (issue 19, H8): the scheduled prompt.
templates! {
    ReflectionPrompt: ReflectionPromptText = "mail/reflection_prompt.txt", ReflectionPromptHtml = "mail/reflection_prompt.html";
}

/// A member's scheduled reflection prompt. A reminder they asked for, so it
/// follows the reminders preference; the schedule itself says how often.
pub(crate) struct ReflectionPrompt {
    pub name: String,
    /// The prompt's question, as plain text.
    pub question: String,
    /// The prompt's id, for the link.
    pub prompt: String,
    /// "every week" or "every two weeks".
    pub cadence: String,
}

impl Mail for ReflectionPrompt {
    fn link(&self) -> String {
        format!("/prompts/{}", self.prompt)
    }
    fn kind(&self) -> NotificationKind {
        NotificationKind::Digest
    }
    fn subject(&self, _site: &str) -> String {
        "Your reflection prompt".into()
    }
}

// Issue 19 (H2): a followed roadmap has a new version.
templates! {
    RoadmapVersionPublished: RoadmapVersionPublishedText = "mail/roadmap_version_published.txt", RoadmapVersionPublishedHtml = "mail/roadmap_version_published.html";
}

/// A roadmap the person follows has a new published version: what changed
/// since the version they are on, by step title. They stay on their version
/// until they move, so the mail says how. News they asked for by following,
/// under the growth-tools preference, so it can be switched off without
/// losing request reminders.
pub(crate) struct RoadmapVersionPublished {
    pub name: String,
    /// The roadmap's title (of the new version).
    pub roadmap: String,
    /// The roadmap's id, for the link.
    pub roadmap_id: String,
    /// The new version's number.
    pub version: i32,
    /// The version the follower is on.
    pub theirs: i32,
    /// Titles of steps added, removed and changed since their version.
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
}

impl RoadmapVersionPublished {
    fn nothing_listed(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

impl Mail for RoadmapVersionPublished {
    fn link(&self) -> String {
        format!("/roadmaps/{}", self.roadmap_id)
    }
    fn kind(&self) -> NotificationKind {
        NotificationKind::Growth
    }
    fn subject(&self, _site: &str) -> String {
        format!("{} has a new version {}", self.roadmap, self.version)
    }
}

#[cfg(test)]
mod roadmap_tests {
    //! One snapshot per variant, as in `tests` above.
    use super::tests::check;
    use super::*;

    #[test]
    fn a_new_roadmap_version_lists_its_changes() {
        let mail = |added: &[&str], removed: &[&str], changed: &[&str]| RoadmapVersionPublished {
            name: "Ana <Ana> O'Brien & Co".into(),
            roadmap: "From contributor to \"team leader\" & beyond".into(),
            roadmap_id: "00000000-0000-0000-0000-000000000009".into(),
            version: 3,
            theirs: 1,
            added: added.iter().map(|s| s.to_string()).collect(),
            removed: removed.iter().map(|s| s.to_string()).collect(),
            changed: changed.iter().map(|s| s.to_string()).collect(),
        };
        check(
            "roadmap_version_published",
            &mail(&["Run a <retro>"], &["Old & gone"], &["Delegate one task"]),
        );
        check("roadmap_version_published_same_steps", &mail(&[], &[], &[]));
    }
}
