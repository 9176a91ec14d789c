//! What each tab of a room's pages reads, in one read transaction per page
//! (issue 17, "Performance"). The tabs used to open the room once for the
//! tabs and title and again for their list (the Sessions tab read the
//! room's sessions twice more for suggested times, the Notes tab the room a
//! third time for who reads shared notes). Same answers, same permission
//! checks in the same order, one snapshot. Read for a session cookie
//! ([`PageReader::Session`]), the transaction reads the viewer too: one
//! transaction per page.

use crate::lists::{ListQuery, Page};
use crate::messages::MessageView;
use crate::notes::NoteView;
use crate::rematch::MentorSupport;
use crate::roadmaps::attached::RoomRoadmaps;
use crate::rooms::{RoomAccess, RoomView};
use crate::sessions::{RoomSessions, Suggestions};
use crate::viewer::{PageReader, PageViewer};
use crate::{App, AppError, AppResult};
use rapport_domain::sessions as rules;
use rapport_domain::RoomId;
use rapport_store::SessionRecord;

/// The Messages tab: the room and one page of its thread.
#[derive(Clone, Debug)]
pub struct MessagesTab {
    /// The viewer, when the tab was read for a session cookie.
    pub viewer: Option<PageViewer>,
    /// The viewer's standing in the room.
    pub access: RoomAccess,
    /// The page of messages, newest first.
    pub page: Page<MessageView>,
}

/// The Notes tab: the room, one page of the notes the viewer may read, and
/// whether the programme's managers read notes shared with the room.
#[derive(Clone, Debug)]
pub struct NotesTab {
    /// The viewer, when the tab was read for a session cookie.
    pub viewer: Option<PageViewer>,
    /// The viewer's standing in the room.
    pub access: RoomAccess,
    /// The page of notes.
    pub page: Page<NoteView>,
    /// The programme's managers read shared notes.
    pub managers_read_shared: bool,
}

/// The Sessions tab: the room's sessions, and suggested times when the
/// viewer may propose one.
#[derive(Clone, Debug)]
pub struct SessionsTab {
    /// The viewer, when the tab was read for a session cookie.
    pub viewer: Option<PageViewer>,
    /// As [`App::room_sessions`] answers, but with only the sessions still
    /// ahead (scheduled and not over yet), earliest first.
    pub sessions: RoomSessions,
    /// One page of the others, latest first: a room that has met weekly for
    /// years lists its history a page at a time.
    pub past: Page<SessionRecord>,
    /// As [`App::suggested_times`] answers, for a viewer who may propose.
    pub suggestions: Option<Suggestions>,
}

impl App {
    /// [`App::room`]'s 404 and [`App::room_messages`] in one read.
    #[tracing::instrument(skip_all, fields(room = %room))]
    pub async fn messages_tab(
        &self,
        reader: PageReader<'_>,
        room: RoomId,
        list: &ListQuery,
    ) -> AppResult<MessagesTab> {
        let (mut tx, actor, viewer) = self.page_read(reader).await?;
        let window = list.window()?;
        let access = self.room_access(&mut tx, &actor, room).await?;
        let page = self
            .room_messages_in(&mut tx, &actor, &access, window)
            .await?;
        Ok(MessagesTab {
            viewer,
            access,
            page,
        })
    }

    /// [`App::room`]'s 404, [`App::room_notes`] and
    /// [`App::managers_read_shared_notes`] in one read.
    #[tracing::instrument(skip_all, fields(room = %room))]
    pub async fn notes_tab(
        &self,
        reader: PageReader<'_>,
        room: RoomId,
        list: &ListQuery,
    ) -> AppResult<NotesTab> {
        let (mut tx, actor, viewer) = self.page_read(reader).await?;
        let window = list.window()?;
        let access = self.room_access(&mut tx, &actor, room).await?;
        let page = self.room_notes_in(&mut tx, &actor, &access, window).await?;
        let managers_read_shared = access.programme.room_rules.managers_read_shared_notes;
        Ok(NotesTab {
            viewer,
            access,
            page,
            managers_read_shared,
        })
    }

    /// [`App::room_sessions`] and, when the viewer may propose,
    /// [`App::suggested_times`] for `minutes` (the first `limit`), reading
    /// the room once: every session still ahead, and the page of `past`
    /// (its window) of the others.
    #[tracing::instrument(skip_all, fields(room = %room))]
    pub async fn sessions_tab(
        &self,
        reader: PageReader<'_>,
        room: RoomId,
        minutes: i64,
        limit: usize,
        past: &ListQuery,
    ) -> AppResult<SessionsTab> {
        let (mut tx, actor, viewer) = self.page_read(reader).await?;
        if !(1..=20).contains(&limit) {
            return Err(AppError::invalid("limit", "limit must be between 1 and 20"));
        }
        let (start, page_size) = past.window()?;
        let now = self.now();
        let access = self.room_access(&mut tx, &actor, room).await?;
        // Only sessions still ahead can clash with a suggested time.
        let sessions = tx.upcoming_sessions(room, now).await?;
        let past = tx.past_sessions_page(room, now, start, page_size).await?;
        let can_propose = access.member_writes().is_ok();
        let suggestions = if can_propose {
            let minutes = rules::check_minutes(minutes).map_err(|e| AppError::Invalid(vec![e]))?;
            Some(
                self.suggestions_in(&mut tx, &actor, &access, &sessions, minutes, limit)
                    .await?,
            )
        } else {
            None
        };
        Ok(SessionsTab {
            viewer,
            sessions: RoomSessions {
                cadence: access.programme.cadence,
                access,
                sessions,
                can_propose,
            },
            past,
            suggestions,
        })
    }
}

/// The Overview tab: the room as [`App::room`] answers it, with what the
/// page offers beside it: a re-match, the re-match already started from
/// it, a mentor of their own for a mentor who reported a poor fit, and the
/// room's roadmaps.
#[derive(Clone, Debug)]
pub struct OverviewTab {
    /// The viewer, when the tab was read for a session cookie.
    pub viewer: Option<PageViewer>,
    /// As [`App::room`] answers.
    pub view: RoomView,
    /// The viewer may start a re-match ([`App::rematch_preview`] answers).
    pub can_rematch: bool,
    /// The viewer was re-matched from this room
    /// ([`App::rematch_referrals`] answers).
    pub rematched: bool,
    /// As [`App::mentor_support`] answers.
    pub support: Option<MentorSupport>,
    /// As [`App::room_roadmaps`] answers.
    pub roadmaps: RoomRoadmaps,
}

impl App {
    /// The Overview tab in one read: the room was opened five times, once
    /// for each part of the page.
    #[tracing::instrument(skip_all, fields(room = %room))]
    pub async fn overview_tab(
        &self,
        reader: PageReader<'_>,
        room: RoomId,
    ) -> AppResult<OverviewTab> {
        let (mut tx, actor, viewer) = self.page_read(reader).await?;
        let actor = &actor;
        let access = self.room_access(&mut tx, actor, room).await?;
        let can_rematch = self.may_rematch_in(&mut tx, actor, &access).await?;
        let rematched = crate::rematch::rematched_from(&access).is_some();
        let support = crate::rematch::mentor_support_in(&mut tx, actor, &access).await?;
        let roadmaps = self.room_roadmaps_in(&mut tx, actor, &access).await?;
        let view = self.room_view_in(&mut tx, actor, access).await?;
        Ok(OverviewTab {
            viewer,
            view,
            can_rematch,
            rematched,
            support,
            roadmaps,
        })
    }
}
