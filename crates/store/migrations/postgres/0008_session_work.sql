-- The work around a session: its shared notes, action items (which carry
-- over to later sessions until done), proposals to move it (answered by
-- every other member) and each member's blind feedback after it is held.

-- Shared notes of a session (Markdown), one text per session.
CREATE TABLE session_notes (
    session_id UUID PRIMARY KEY NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    updated_by UUID REFERENCES people(id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL
);

-- An action item stays one row for ever: a later session shows it as
-- carried over (read through room_id) until it is done, never as a copy.
CREATE TABLE action_items (
    id UUID PRIMARY KEY NOT NULL,
    session_id UUID NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    room_id UUID NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    owner_id UUID REFERENCES people(id) ON DELETE SET NULL,
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    -- A calendar date, YYYY-MM-DD.
    due_on TEXT,
    done_at BIGINT,
    created_by UUID REFERENCES people(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX action_items_room_idx ON action_items (room_id, done_at);
CREATE INDEX action_items_session_idx ON action_items (session_id, created_at);

-- A proposal to move a session; at most one open per session.
CREATE TABLE session_reschedules (
    id UUID PRIMARY KEY NOT NULL,
    session_id UUID NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    proposed_by UUID REFERENCES people(id) ON DELETE SET NULL,
    starts_at BIGINT NOT NULL,
    zone TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'declined')),
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
CREATE UNIQUE INDEX session_reschedules_session_id_key ON session_reschedules (session_id) WHERE status = 'open';

CREATE TABLE reschedule_answers (
    reschedule_id UUID NOT NULL REFERENCES session_reschedules(id) ON DELETE CASCADE,
    person_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    answer TEXT NOT NULL CHECK (answer IN ('accept', 'decline')),
    answered_at BIGINT NOT NULL,
    CONSTRAINT reschedule_answers_pkey PRIMARY KEY (reschedule_id, person_id)
);

-- Feedback after a held session: blind (only its author and the
-- programme's managers read it), one answer per member per session.
CREATE TABLE session_feedback (
    session_id UUID NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    person_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    comment TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    CONSTRAINT session_feedback_session_id_person_id_key UNIQUE (session_id, person_id)
);
