-- Programmes in full (dates, cadence, capacity, matching mode, questions,
-- goal catalogue), matching rounds with pins and forbids, and the safety
-- tables (blocks and confidential reports).
--
-- A mentee (or peer) holds at most one open seat per programme: a trigger
-- refuses a second one, so a stale round or a racing request cannot give a
-- mentee two mentors at once (Postgres locks the person row first, so
-- concurrent inserts for one mentee are serialised).

ALTER TABLE programmes ADD COLUMN starts_on TEXT;
ALTER TABLE programmes ADD COLUMN ends_on TEXT;
ALTER TABLE programmes ADD COLUMN cadence TEXT NOT NULL DEFAULT 'every_two_weeks' CHECK (cadence IN ('weekly', 'every_two_weeks', 'monthly'));
ALTER TABLE programmes ADD COLUMN default_capacity INTEGER NOT NULL DEFAULT 2 CHECK (default_capacity >= 1 AND default_capacity <= 50);
ALTER TABLE programmes ADD COLUMN matching_mode TEXT NOT NULL DEFAULT 'managers' CHECK (matching_mode IN ('managers', 'mentees_request', 'mentors_choose'));
ALTER TABLE programmes ADD COLUMN rolling_admission BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE programmes ADD COLUMN request_expiry_days INTEGER NOT NULL DEFAULT 14 CHECK (request_expiry_days >= 1 AND request_expiry_days <= 90);
ALTER TABLE programmes ADD COLUMN questions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE programmes ADD COLUMN goals TEXT NOT NULL DEFAULT '[]';
ALTER TABLE programmes ADD COLUMN group_min INTEGER NOT NULL DEFAULT 4 CHECK (group_min >= 2 AND group_min <= 20);
ALTER TABLE programmes ADD COLUMN group_max INTEGER NOT NULL DEFAULT 8 CHECK (group_max >= 2 AND group_max <= 20);

ALTER TABLE enrolments ADD COLUMN conduct_accepted_at BIGINT;
ALTER TABLE enrolments ADD COLUMN decided_at BIGINT;
-- A mentee may rank up to three mentors: the request goes to the first and
-- `queue` holds the rest, in order, for the roll-over.
ALTER TABLE requests ADD COLUMN queue TEXT NOT NULL DEFAULT '[]';
ALTER TABLE requests ADD COLUMN reminded_at BIGINT;
CREATE INDEX requests_open_expiry_idx ON requests (status, expires_at);

CREATE INDEX enrolments_programme_idx ON enrolments (programme_id, role, status);

CREATE TABLE match_rounds (
    id UUID PRIMARY KEY NOT NULL,
    programme_id UUID NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'discarded')),
    settings TEXT NOT NULL,
    result TEXT NOT NULL,
    created_by UUID REFERENCES people(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    published_at BIGINT
);
CREATE INDEX match_rounds_programme_idx ON match_rounds (programme_id, created_at);

ALTER TABLE rooms ADD COLUMN round_id UUID REFERENCES match_rounds(id) ON DELETE SET NULL;

CREATE TABLE pair_rules (
    programme_id UUID NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    mentee_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    mentor_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    rule TEXT NOT NULL CHECK (rule IN ('pin', 'forbid')),
    created_by UUID REFERENCES people(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT pair_rules_pkey PRIMARY KEY (programme_id, mentee_id, mentor_id),
    CHECK (mentee_id <> mentor_id)
);

CREATE TABLE blocks (
    blocker_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    blocked_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    CONSTRAINT blocks_pkey PRIMARY KEY (blocker_id, blocked_id),
    CHECK (blocker_id <> blocked_id)
);
CREATE INDEX blocks_blocked_idx ON blocks (blocked_id);

CREATE TABLE reports (
    id UUID PRIMARY KEY NOT NULL,
    programme_id UUID NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    reporter_id UUID REFERENCES people(id) ON DELETE SET NULL,
    subject_id UUID REFERENCES people(id) ON DELETE SET NULL,
    request_id UUID REFERENCES requests(id) ON DELETE SET NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    resolution TEXT,
    resolved_by UUID REFERENCES people(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    resolved_at BIGINT
);
CREATE INDEX reports_programme_idx ON reports (programme_id, status, created_at);

CREATE FUNCTION room_members_one_seat() RETURNS trigger AS $$
BEGIN
    IF NEW.role NOT IN ('mentee', 'peer') THEN
        RETURN NEW;
    END IF;
    PERFORM 1 FROM people WHERE id = NEW.person_id FOR UPDATE;
    IF EXISTS (SELECT 1 FROM room_members m JOIN rooms r ON r.id = m.room_id
           WHERE m.person_id = NEW.person_id AND m.programme_id = NEW.programme_id AND m.role = NEW.role
             AND m.state IN ('invited', 'accepted') AND r.status IN ('proposed', 'active', 'paused')) THEN
        RAISE EXCEPTION 'mentee_already_matched' USING ERRCODE = '23514', CONSTRAINT = 'mentee_already_matched';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER room_members_one_seat BEFORE INSERT ON room_members
    FOR EACH ROW EXECUTE FUNCTION room_members_one_seat();
