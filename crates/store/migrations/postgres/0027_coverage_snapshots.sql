-- The coverage dashboard, kept for reading (issue 20). Its figures count
-- every seeker and mentor of a programme: a few milliseconds at 10,000
-- people, seconds at 100,000. So the figures are computed once and kept, and
-- read again until something they count changes.
--
-- `coverage_versions` holds a number per programme that the database moves
-- whenever a row the dashboard counts changes: an enrolment, a room or its
-- members, a request, a room becoming active, a round, a programme's kind,
-- or the name of someone enrolled. A kept dashboard (`coverage_snapshots`)
-- is read only while its version is the programme's (crates/app/src/
-- coverage.rs); otherwise it is computed again. Rows that only touch other
-- columns (a room's `updated_at`, say) leave the number alone.
CREATE TABLE coverage_versions (
    programme_id UUID PRIMARY KEY NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    version BIGINT NOT NULL
);
INSERT INTO coverage_versions (programme_id, version) SELECT id, 1 FROM programmes;

CREATE TABLE coverage_snapshots (
    programme_id UUID PRIMARY KEY NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    -- The programme's version the figures were read at (read before them).
    version BIGINT NOT NULL,
    computed_at BIGINT NOT NULL,
    -- The dashboard as JSON, written and read by the app alone.
    body TEXT NOT NULL
);

-- Programmes are written one at a time: row triggers.
CREATE FUNCTION coverage_programme_in() RETURNS trigger AS $$
BEGIN
    INSERT INTO coverage_versions (programme_id, version) VALUES (NEW.id, 1);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER coverage_programme_in AFTER INSERT ON programmes
    FOR EACH ROW EXECUTE FUNCTION coverage_programme_in();
CREATE FUNCTION coverage_programme_kind() RETURNS trigger AS $$
BEGIN
    UPDATE coverage_versions SET version = version + 1 WHERE programme_id = NEW.id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER coverage_programme_kind AFTER UPDATE OF kind ON programmes
    FOR EACH ROW EXECUTE FUNCTION coverage_programme_kind();

-- Everything else: statement triggers with transition tables, so that an
-- import or a round's thousand rooms moves each programme's number once per
-- statement (a row trigger would leave a dead version of the one row behind
-- for every row written). `added` and `gone` are the statement's new and old
-- rows; every table here has a `programme_id`.
CREATE FUNCTION coverage_bump_added() RETURNS trigger AS $$
BEGIN
    UPDATE coverage_versions SET version = version + 1
    WHERE programme_id IN (SELECT programme_id FROM added);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE FUNCTION coverage_bump_gone() RETURNS trigger AS $$
BEGIN
    UPDATE coverage_versions SET version = version + 1
    WHERE programme_id IN (SELECT programme_id FROM gone);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE FUNCTION coverage_bump_changed() RETURNS trigger AS $$
BEGIN
    UPDATE coverage_versions SET version = version + 1
    WHERE programme_id IN (SELECT programme_id FROM added UNION SELECT programme_id FROM gone);
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER coverage_enrolment_in AFTER INSERT ON enrolments
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump_added();
CREATE TRIGGER coverage_enrolment_change AFTER UPDATE ON enrolments
    REFERENCING OLD TABLE AS gone NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump_changed();
CREATE TRIGGER coverage_enrolment_out AFTER DELETE ON enrolments
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump_gone();

CREATE TRIGGER coverage_member_in AFTER INSERT ON room_members
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump_added();
CREATE TRIGGER coverage_member_change AFTER UPDATE ON room_members
    REFERENCING OLD TABLE AS gone NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump_changed();
CREATE TRIGGER coverage_member_out AFTER DELETE ON room_members
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump_gone();

CREATE TRIGGER coverage_room_in AFTER INSERT ON rooms
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump_added();
CREATE TRIGGER coverage_room_out AFTER DELETE ON rooms
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump_gone();
-- Rooms are updated often for what the dashboard does not count (their
-- `updated_at`): only a change of status or programme moves the number.
CREATE FUNCTION coverage_room_change() RETURNS trigger AS $$
BEGIN
    UPDATE coverage_versions SET version = version + 1
    WHERE programme_id IN (
        SELECT n.programme_id FROM added n JOIN gone o ON o.id = n.id
        WHERE n.status IS DISTINCT FROM o.status OR n.programme_id IS DISTINCT FROM o.programme_id
        UNION
        SELECT o.programme_id FROM added n JOIN gone o ON o.id = n.id
        WHERE n.status IS DISTINCT FROM o.status OR n.programme_id IS DISTINCT FROM o.programme_id);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER coverage_room_change AFTER UPDATE ON rooms
    REFERENCING OLD TABLE AS gone NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION coverage_room_change();

CREATE TRIGGER coverage_request_in AFTER INSERT ON requests
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump_added();
CREATE FUNCTION coverage_request_change() RETURNS trigger AS $$
BEGIN
    UPDATE coverage_versions SET version = version + 1
    WHERE programme_id IN (
        SELECT n.programme_id FROM added n JOIN gone o ON o.id = n.id
        WHERE n.status IS DISTINCT FROM o.status OR n.programme_id IS DISTINCT FROM o.programme_id OR n.mentee_id IS DISTINCT FROM o.mentee_id
        UNION
        SELECT o.programme_id FROM added n JOIN gone o ON o.id = n.id
        WHERE n.status IS DISTINCT FROM o.status OR n.programme_id IS DISTINCT FROM o.programme_id OR n.mentee_id IS DISTINCT FROM o.mentee_id);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER coverage_request_change AFTER UPDATE ON requests
    REFERENCING OLD TABLE AS gone NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION coverage_request_change();
CREATE TRIGGER coverage_request_out AFTER DELETE ON requests
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump_gone();

-- Coverage over time counts the day each room became active.
CREATE FUNCTION coverage_room_event_in() RETURNS trigger AS $$
BEGIN
    UPDATE coverage_versions SET version = version + 1
    WHERE programme_id IN (SELECT r.programme_id FROM added a JOIN rooms r ON r.id = a.room_id WHERE a.to_status = 'active');
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER coverage_room_event_in AFTER INSERT ON room_events
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION coverage_room_event_in();

-- The unplaced people of the latest round.
CREATE TRIGGER coverage_round_in AFTER INSERT ON match_rounds
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump_added();
CREATE TRIGGER coverage_round_change AFTER UPDATE ON match_rounds
    REFERENCING OLD TABLE AS gone NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump_changed();
CREATE TRIGGER coverage_round_out AFTER DELETE ON match_rounds
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump_gone();

-- The lists show names.
CREATE FUNCTION coverage_person_name() RETURNS trigger AS $$
BEGIN
    UPDATE coverage_versions SET version = version + 1
    WHERE programme_id IN (
        SELECT e.programme_id FROM added n JOIN gone o ON o.id = n.id JOIN enrolments e ON e.person_id = n.id
        WHERE n.name IS DISTINCT FROM o.name);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER coverage_person_name AFTER UPDATE ON people
    REFERENCING OLD TABLE AS gone NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION coverage_person_name();
