-- Enrolments, mentoring requests and rooms, with the core rules enforced by
-- the database so concurrent requests cannot break them:
--   * one enrolment per person, programme and role;
--   * one open (pending or needs_info) request per pair in a programme;
--   * a mentor's open rooms in a programme never exceed their capacity;
--   * a mentor's open rooms across programmes never exceed their personal maximum.
-- SQLite enforces the counts with triggers; write transactions are serialised
-- (BEGIN IMMEDIATE), so the count a trigger reads cannot change under it.

ALTER TABLE people ADD COLUMN max_mentees INTEGER CHECK (max_mentees IS NULL OR max_mentees >= 0);
ALTER TABLE people ADD COLUMN paused_until BIGINT;
ALTER TABLE programmes ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';

CREATE TABLE enrolments (
    id BLOB PRIMARY KEY NOT NULL,
    programme_id BLOB NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    person_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('mentee', 'mentor', 'peer', 'facilitator')),
    status TEXT NOT NULL CHECK (status IN ('applied', 'approved', 'waitlisted', 'declined', 'withdrawn')),
    capacity INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0 AND capacity <= 50),
    answers TEXT NOT NULL DEFAULT '{}',
    preferences TEXT NOT NULL DEFAULT '{}',
    consent_sensitive BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT enrolments_programme_id_person_id_role_key UNIQUE (programme_id, person_id, role)
);
CREATE INDEX enrolments_person_idx ON enrolments (person_id);

CREATE TABLE requests (
    id BLOB PRIMARY KEY NOT NULL,
    programme_id BLOB NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    mentee_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    mentor_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    direction TEXT NOT NULL CHECK (direction IN ('request', 'offer')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'needs_info', 'accepted', 'declined', 'withdrawn', 'expired')),
    message TEXT NOT NULL DEFAULT '',
    question TEXT,
    answer TEXT,
    decline_reason TEXT,
    rank_group BLOB,
    rank_position INTEGER,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK (mentee_id <> mentor_id)
);
CREATE UNIQUE INDEX requests_programme_id_mentee_id_mentor_id_key ON requests (programme_id, mentee_id, mentor_id) WHERE status IN ('pending', 'needs_info');
CREATE INDEX requests_mentor_idx ON requests (mentor_id, status);
CREATE INDEX requests_mentee_idx ON requests (mentee_id, status);

CREATE TABLE rooms (
    id BLOB PRIMARY KEY NOT NULL,
    programme_id BLOB NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'active', 'paused', 'completed', 'ended_early')),
    origin TEXT NOT NULL CHECK (origin IN ('round', 'request')),
    end_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE room_members (
    room_id BLOB NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    person_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    programme_id BLOB NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('mentor', 'mentee', 'peer', 'facilitator')),
    state TEXT NOT NULL CHECK (state IN ('invited', 'accepted', 'declined', 'left')),
    created_at BIGINT NOT NULL,
    CONSTRAINT room_members_pkey PRIMARY KEY (room_id, person_id)
);
CREATE INDEX room_members_person_idx ON room_members (person_id, role);

-- Capacity: a new mentor seat in an open room must fit the mentor's
-- programme capacity and their personal maximum across programmes.
CREATE TRIGGER room_members_mentor_capacity BEFORE INSERT ON room_members
WHEN NEW.role = 'mentor'
BEGIN
    SELECT RAISE(ABORT, 'mentor_capacity')
    WHERE (SELECT COUNT(*) FROM room_members m JOIN rooms r ON r.id = m.room_id
           WHERE m.person_id = NEW.person_id AND m.programme_id = NEW.programme_id AND m.role = 'mentor'
             AND m.state IN ('invited', 'accepted') AND r.status IN ('proposed', 'active', 'paused'))
        >= COALESCE((SELECT MAX(capacity) FROM enrolments e
                     WHERE e.person_id = NEW.person_id AND e.programme_id = NEW.programme_id AND e.role = 'mentor' AND e.status = 'approved'), 0);
    SELECT RAISE(ABORT, 'mentor_personal_maximum')
    WHERE (SELECT max_mentees FROM people WHERE id = NEW.person_id) IS NOT NULL
      AND (SELECT COUNT(*) FROM room_members m JOIN rooms r ON r.id = m.room_id
           WHERE m.person_id = NEW.person_id AND m.role = 'mentor'
             AND m.state IN ('invited', 'accepted') AND r.status IN ('proposed', 'active', 'paused'))
        >= (SELECT max_mentees FROM people WHERE id = NEW.person_id);
END;
