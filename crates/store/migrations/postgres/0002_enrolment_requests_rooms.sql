-- Enrolments, mentoring requests and rooms, with the core rules enforced by
-- the database so concurrent requests cannot break them:
--   * one enrolment per person, programme and role;
--   * one open (pending or needs_info) request per pair in a programme;
--   * a mentor's open rooms in a programme never exceed their capacity;
--   * a mentor's open rooms across programmes never exceed their personal maximum.
-- Postgres enforces the counts in a trigger that first locks the mentor's
-- people row, so concurrent inserts for one mentor are serialised and each
-- sees the others' committed seats.

ALTER TABLE people ADD COLUMN max_mentees INTEGER CHECK (max_mentees IS NULL OR max_mentees >= 0);
ALTER TABLE people ADD COLUMN paused_until BIGINT;
ALTER TABLE programmes ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';

CREATE TABLE enrolments (
    id UUID PRIMARY KEY NOT NULL,
    programme_id UUID NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    person_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
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
    id UUID PRIMARY KEY NOT NULL,
    programme_id UUID NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    mentee_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    mentor_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    direction TEXT NOT NULL CHECK (direction IN ('request', 'offer')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'needs_info', 'accepted', 'declined', 'withdrawn', 'expired')),
    message TEXT NOT NULL DEFAULT '',
    question TEXT,
    answer TEXT,
    decline_reason TEXT,
    rank_group UUID,
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
    id UUID PRIMARY KEY NOT NULL,
    programme_id UUID NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'active', 'paused', 'completed', 'ended_early')),
    origin TEXT NOT NULL CHECK (origin IN ('round', 'request')),
    end_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE room_members (
    room_id UUID NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    person_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    programme_id UUID NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('mentor', 'mentee', 'peer', 'facilitator')),
    state TEXT NOT NULL CHECK (state IN ('invited', 'accepted', 'declined', 'left')),
    created_at BIGINT NOT NULL,
    CONSTRAINT room_members_pkey PRIMARY KEY (room_id, person_id)
);
CREATE INDEX room_members_person_idx ON room_members (person_id, role);

CREATE FUNCTION room_members_mentor_capacity() RETURNS trigger AS $$
DECLARE
    personal INTEGER;
    here INTEGER;
    cap INTEGER;
BEGIN
    IF NEW.role <> 'mentor' THEN
        RETURN NEW;
    END IF;
    -- Serialise seat-taking per mentor.
    SELECT max_mentees INTO personal FROM people WHERE id = NEW.person_id FOR UPDATE;
    SELECT COALESCE(MAX(capacity), 0) INTO cap FROM enrolments
        WHERE person_id = NEW.person_id AND programme_id = NEW.programme_id AND role = 'mentor' AND status = 'approved';
    SELECT COUNT(*) INTO here FROM room_members m JOIN rooms r ON r.id = m.room_id
        WHERE m.person_id = NEW.person_id AND m.programme_id = NEW.programme_id AND m.role = 'mentor'
          AND m.state IN ('invited', 'accepted') AND r.status IN ('proposed', 'active', 'paused');
    IF here >= cap THEN
        RAISE EXCEPTION 'mentor_capacity' USING ERRCODE = '23514', CONSTRAINT = 'mentor_capacity';
    END IF;
    IF personal IS NOT NULL AND (SELECT COUNT(*) FROM room_members m JOIN rooms r ON r.id = m.room_id
            WHERE m.person_id = NEW.person_id AND m.role = 'mentor'
              AND m.state IN ('invited', 'accepted') AND r.status IN ('proposed', 'active', 'paused')) >= personal THEN
        RAISE EXCEPTION 'mentor_personal_maximum' USING ERRCODE = '23514', CONSTRAINT = 'mentor_personal_maximum';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER room_members_mentor_capacity BEFORE INSERT ON room_members
    FOR EACH ROW EXECUTE FUNCTION room_members_mentor_capacity();
