//! Calendars: what a session change means for members' calendars and
//! reminders. The session use cases call [`App::session_changed`] inside
//! their transaction after every change a calendar must see.

use crate::{App, AppResult};
use rapport_domain::SessionId;

/// What happened to a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionChange {
    /// Newly scheduled.
    Scheduled,
    /// Its time, length, agenda or place changed.
    Changed,
    /// Cancelled.
    Cancelled,
}

impl App {
    /// Hook for invitations (METHOD:REQUEST / CANCEL) and reminders, run in
    /// the caller's transaction. The calendar work fills it in.
    #[allow(dead_code, clippy::unused_async)]
    pub(crate) async fn session_changed(
        &self,
        _tx: &mut rapport_store::Tx,
        _session: SessionId,
        _change: SessionChange,
        _now: i64,
    ) -> AppResult<()> {
        Ok(())
    }
}
