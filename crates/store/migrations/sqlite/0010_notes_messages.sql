-- A room's notes and its message thread (issue 17, section 5).
--
-- Authors are nullable with ON DELETE SET NULL: when a person deletes their
-- account, their shared notes and messages stay, shown as "a former member",
-- so the others' history stays whole. Their PRIVATE notes are deleted first
-- (the app does it in the same transaction), and the CHECK below makes a
-- private note without its author impossible, so a forgotten delete fails
-- loudly instead of leaving an orphan nobody may read.

CREATE TABLE notes (
    id BLOB PRIMARY KEY NOT NULL,
    room_id BLOB NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    author_id BLOB REFERENCES people(id) ON DELETE SET NULL,
    visibility TEXT NOT NULL CHECK (visibility IN ('private', 'room')),
    body TEXT NOT NULL CHECK (length(body) > 0),
    -- The note this one was copied from (a re-match carries a mentee's notes
    -- into their new room as copies); no reference, the original may go.
    copied_from BLOB,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT notes_private_have_an_author CHECK (visibility = 'room' OR author_id IS NOT NULL)
);
CREATE INDEX notes_room_idx ON notes (room_id, created_at);
CREATE INDEX notes_author_idx ON notes (author_id);

-- One thread per room. A deleted message keeps its row (and its place in the
-- thread) without its body.
CREATE TABLE messages (
    id BLOB PRIMARY KEY NOT NULL,
    room_id BLOB NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    author_id BLOB REFERENCES people(id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    edited_at BIGINT,
    deleted_at BIGINT,
    created_at BIGINT NOT NULL,
    CONSTRAINT messages_body_until_deleted CHECK ((deleted_at IS NULL AND length(body) > 0) OR (deleted_at IS NOT NULL AND body = ''))
);
CREATE INDEX messages_room_idx ON messages (room_id, created_at);
CREATE INDEX messages_author_idx ON messages (author_id);

-- How far each member has read each thread: every message created at or
-- before read_at counts as read.
CREATE TABLE message_reads (
    room_id BLOB NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    person_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    read_at BIGINT NOT NULL,
    CONSTRAINT message_reads_pkey PRIMARY KEY (room_id, person_id)
);

-- The pending "new messages" email of one recipient in one room: at most one
-- per pair (the key), made with the first unread message and removed when
-- its job runs 15 minutes later.
CREATE TABLE message_digests (
    room_id BLOB NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    person_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    run_at BIGINT NOT NULL,
    CONSTRAINT message_digests_pkey PRIMARY KEY (room_id, person_id)
);
