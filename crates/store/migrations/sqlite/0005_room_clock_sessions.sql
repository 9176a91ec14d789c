-- Rooms keep the times of their states and of their first and latest
-- activity (what activation, inactivity and health read), and hold sessions:
-- one row per meeting, a repeating series being one row per occurrence.
-- Times are Unix milliseconds in UTC; a session also keeps its organiser's
-- IANA zone, so it can be shown and exported as they booked it.

-- A programme's rules for its rooms (rapport_domain::room_rules::RoomRules);
-- '{}' reads as the defaults.
ALTER TABLE programmes ADD COLUMN room_rules TEXT NOT NULL DEFAULT '{}';

ALTER TABLE rooms ADD COLUMN started_at BIGINT;
ALTER TABLE rooms ADD COLUMN paused_at BIGINT;
ALTER TABLE rooms ADD COLUMN ended_at BIGINT;
ALTER TABLE rooms ADD COLUMN first_message_at BIGINT;
ALTER TABLE rooms ADD COLUMN first_session_at BIGINT;
ALTER TABLE rooms ADD COLUMN first_goal_at BIGINT;
ALTER TABLE rooms ADD COLUMN last_activity_at BIGINT;
UPDATE rooms SET started_at = created_at WHERE status IN ('active', 'paused', 'completed');
UPDATE rooms SET ended_at = updated_at WHERE status IN ('completed', 'ended_early');

CREATE TABLE sessions (
    id BLOB PRIMARY KEY NOT NULL,
    room_id BLOB NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    series_id BLOB,
    organiser_id BLOB REFERENCES people(id) ON DELETE SET NULL,
    starts_at BIGINT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes > 0 AND minutes <= 1440),
    zone TEXT NOT NULL,
    agenda TEXT NOT NULL DEFAULT '',
    link TEXT,
    place TEXT,
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'held', 'cancelled', 'missed')),
    cancelled_by BLOB REFERENCES people(id) ON DELETE SET NULL,
    cancel_reason TEXT,
    -- The iCalendar UID: a random UUID fixed for ever, with no personal data.
    uid TEXT NOT NULL UNIQUE,
    -- The iCalendar SEQUENCE: one more on every change a calendar must see.
    sequence INTEGER NOT NULL DEFAULT 0 CHECK (sequence >= 0),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sessions_room_idx ON sessions (room_id, starts_at);
CREATE INDEX sessions_due_idx ON sessions (status, starts_at);

CREATE TABLE session_attendance (
    session_id BLOB NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    person_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    attendance TEXT NOT NULL CHECK (attendance IN ('attended', 'late', 'no_show')),
    CONSTRAINT session_attendance_pkey PRIMARY KEY (session_id, person_id)
);
