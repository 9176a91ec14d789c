//! Many rows in few statements, for the daily health scan (issue 17,
//! "Performance"): the scan of 10,000 rooms queues thousands of nudges, and
//! one statement per email, job and notification (plus a read of each
//! recipient) cost more than everything else it does.

use crate::pulse::ID_CHUNK;
use crate::{on_conn, NewEmail, NotificationRecord, Result, Tx};
use rapport_domain::PersonId;
use sqlx::Row;
use std::collections::HashMap;
use uuid::Uuid;

/// Rows a multi-row INSERT carries: at most nine values a row stays well
/// under every dialect's parameter limit.
const ROWS: usize = 100;

impl Tx {
    /// The notification kinds each of `people` switched off, for those who
    /// exist (someone deleted is left out), in one query per 500 people.
    pub async fn notification_optouts_of(
        &mut self,
        people: &[PersonId],
    ) -> Result<HashMap<PersonId, Vec<String>>> {
        let mut out = HashMap::with_capacity(people.len());
        for chunk in people.chunks(ID_CHUNK) {
            let sql = format!(
                "SELECT id, notification_optouts FROM people WHERE id IN ({})",
                crate::params::leading(self.dialect(), chunk.len())
            );
            on_conn!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(id.0);
                }
                for r in q.fetch_all(c).await?.iter() {
                    let raw: String = r.try_get("notification_optouts")?;
                    out.insert(
                        PersonId(r.try_get("id")?),
                        raw.split(',').filter(|s| !s.is_empty()).map(String::from).collect(),
                    );
                }
            });
        }
        Ok(out)
    }

    /// Inserts in-app notifications, [`ROWS`] a statement.
    pub async fn insert_notifications(&mut self, list: &[NotificationRecord]) -> Result<()> {
        for chunk in list.chunks(ROWS) {
            let sql = format!("INSERT INTO notifications (id, person_id, kind, subject, link, created_at, read_at) VALUES {}", crate::params::value_rows(self.dialect(), chunk.len(), 7));
            on_conn!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for n in chunk {
                    q = q.bind(n.id.0).bind(n.person_id.0).bind(&n.kind).bind(&n.subject).bind(&n.link).bind(n.created_at).bind(n.read_at);
                }
                q.execute(c).await?;
            });
        }
        Ok(())
    }

    /// Queues emails and their delivery jobs, as [`Tx::queue_email`] does
    /// one at a time, [`ROWS`] a statement. Returns the new ids, in order.
    pub async fn queue_emails(&mut self, list: &[NewEmail], now: i64) -> Result<Vec<Uuid>> {
        let ids: Vec<Uuid> = list.iter().map(|_| Uuid::new_v4()).collect();
        for (chunk, ids) in list.chunks(ROWS).zip(ids.chunks(ROWS)) {
            let sql = format!("INSERT INTO outbox (id, person_id, to_addr, kind, subject, body_text, body_html, unsubscribe_url, created_at) VALUES {}", crate::params::value_rows(self.dialect(), chunk.len(), 9));
            on_conn!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (e, id) in chunk.iter().zip(ids) {
                    q = q.bind(*id).bind(e.person_id.map(|p| p.0)).bind(&e.to).bind(&e.kind).bind(&e.subject).bind(&e.body).bind(&e.html).bind(&e.unsubscribe_url).bind(now);
                }
                q.execute(c).await?;
            });
            let sql = format!(
                "INSERT INTO jobs (id, kind, payload, run_at, created_at) VALUES {}",
                crate::params::value_rows(self.dialect(), chunk.len(), 5)
            );
            let payloads: Vec<String> = ids.iter().map(Uuid::to_string).collect();
            on_conn!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for p in &payloads {
                    q = q.bind(Uuid::new_v4()).bind("send_email").bind(p.as_str()).bind(now).bind(now);
                }
                q.execute(c).await?;
            });
        }
        Ok(ids)
    }
}
