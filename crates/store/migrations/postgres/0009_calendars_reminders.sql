-- Calendars: each person's private feed, the reminders already queued, and
-- the outbox's one attachment (an invitation's .ics file).

-- The private feed (GET /calendar/{token}.ics). The URL's token is derived
-- from the site key and `nonce` (so the account page can show it again);
-- only its SHA-256 is stored, and the feed is looked up by that hash. A reset
-- replaces the nonce and the hash, so the old URL answers 404.
CREATE TABLE calendar_feeds (
    person_id UUID PRIMARY KEY NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    nonce TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT calendar_feeds_token_hash_key UNIQUE (token_hash)
);

-- One row per reminder queued: a reminder (24 hours or 1 hour before) is
-- queued exactly once per member and start time, even across restarts and
-- several workers, because this key refuses a second row. A rescheduled
-- session has a new start time, so it gets reminders of its own.
CREATE TABLE session_reminders (
    session_id UUID NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    person_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('day', 'hour')),
    starts_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT session_reminders_pkey PRIMARY KEY (session_id, person_id, kind, starts_at)
);

-- An email's attachment (text only: an .ics file), stored with the message
-- so a retry sends the same bytes. All three are set, or none.
ALTER TABLE outbox ADD COLUMN attachment_name TEXT;
ALTER TABLE outbox ADD COLUMN attachment_type TEXT;
ALTER TABLE outbox ADD COLUMN attachment_text TEXT;
