//! Queueing many emails at once, by the same rules as
//! [`App::queue_mail`](crate::App): the bell shows each (unless the kind is
//! account mail or repeats a count), a kind the recipient switched off is not
//! emailed, optional kinds carry the one-click unsubscribe. The recipients'
//! preferences are read in one query and the rows are written a hundred a
//! statement, in the caller's transaction (issue 17, "Performance": the
//! daily health scan queues thousands of nudges).

use crate::emails::Mail;
use crate::{App, AppResult};
use rapport_domain::person::NotificationKind;
use rapport_domain::{NotificationId, PersonId};
use rapport_store::{NotificationRecord, Tx};

/// One email to queue: the recipient (none for an address without an
/// account), their address, and the mail.
pub(crate) struct Outgoing<M> {
    pub person: Option<PersonId>,
    pub to: String,
    pub mail: M,
}

impl App {
    /// Queues every one of `mails` in `tx`, as [`App::queue_mail`] would one
    /// at a time.
    pub(crate) async fn queue_mails<M: Mail>(
        &self,
        tx: &mut Tx,
        mails: &[Outgoing<M>],
    ) -> AppResult<()> {
        if mails.is_empty() {
            return Ok(());
        }
        let mut people: Vec<PersonId> = mails
            .iter()
            .filter(|o| o.mail.kind() != NotificationKind::Account)
            .filter_map(|o| o.person)
            .collect();
        people.sort_unstable();
        people.dedup();
        let optouts = tx.notification_optouts_of(&people).await?;
        let now = self.now();
        let site = crate::mail::organisation(&self.config);
        let mut bell = vec![];
        let mut emails = Vec::with_capacity(mails.len());
        for o in mails {
            let kind = o.mail.kind();
            let mut unsubscribe = None;
            if let (Some(p), true) = (o.person, kind != NotificationKind::Account) {
                if let Some(off) = optouts.get(&p) {
                    if o.mail.in_app() {
                        bell.push(NotificationRecord {
                            id: NotificationId::new(),
                            person_id: p,
                            kind: kind.code().into(),
                            subject: o.mail.subject(&site),
                            link: o.mail.link(),
                            created_at: now,
                            read_at: None,
                        });
                    }
                    if off.iter().any(|k| k == kind.code()) {
                        continue;
                    }
                }
                unsubscribe = Some(self.unsubscribe_for(p, kind));
            }
            emails.push(self.render_mail(o.person, &o.to, &o.mail, unsubscribe)?);
        }
        tx.insert_notifications(&bell).await?;
        tx.queue_emails(&emails, now).await?;
        Ok(())
    }
}
