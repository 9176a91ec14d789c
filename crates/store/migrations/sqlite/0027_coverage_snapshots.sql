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
    programme_id BLOB PRIMARY KEY NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    version BIGINT NOT NULL
);
INSERT INTO coverage_versions (programme_id, version) SELECT id, 1 FROM programmes;

CREATE TABLE coverage_snapshots (
    programme_id BLOB PRIMARY KEY NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    -- The programme's version the figures were read at (read before them).
    version BIGINT NOT NULL,
    computed_at BIGINT NOT NULL,
    -- The dashboard as JSON, written and read by the app alone.
    body TEXT NOT NULL
);

CREATE TRIGGER coverage_programme_in AFTER INSERT ON programmes BEGIN
    INSERT INTO coverage_versions (programme_id, version) VALUES (NEW.id, 1);
END;
CREATE TRIGGER coverage_programme_kind AFTER UPDATE OF kind ON programmes BEGIN
    UPDATE coverage_versions SET version = version + 1 WHERE programme_id = NEW.id;
END;

CREATE TRIGGER coverage_enrolment_in AFTER INSERT ON enrolments BEGIN
    UPDATE coverage_versions SET version = version + 1 WHERE programme_id = NEW.programme_id;
END;
CREATE TRIGGER coverage_enrolment_change AFTER UPDATE ON enrolments BEGIN
    UPDATE coverage_versions SET version = version + 1 WHERE programme_id IN (OLD.programme_id, NEW.programme_id);
END;
CREATE TRIGGER coverage_enrolment_out AFTER DELETE ON enrolments BEGIN
    UPDATE coverage_versions SET version = version + 1 WHERE programme_id = OLD.programme_id;
END;

CREATE TRIGGER coverage_room_in AFTER INSERT ON rooms BEGIN
    UPDATE coverage_versions SET version = version + 1 WHERE programme_id = NEW.programme_id;
END;
CREATE TRIGGER coverage_room_status AFTER UPDATE OF status, programme_id ON rooms BEGIN
    UPDATE coverage_versions SET version = version + 1 WHERE programme_id IN (OLD.programme_id, NEW.programme_id);
END;
CREATE TRIGGER coverage_room_out AFTER DELETE ON rooms BEGIN
    UPDATE coverage_versions SET version = version + 1 WHERE programme_id = OLD.programme_id;
END;

CREATE TRIGGER coverage_member_in AFTER INSERT ON room_members BEGIN
    UPDATE coverage_versions SET version = version + 1 WHERE programme_id = NEW.programme_id;
END;
CREATE TRIGGER coverage_member_change AFTER UPDATE ON room_members BEGIN
    UPDATE coverage_versions SET version = version + 1 WHERE programme_id IN (OLD.programme_id, NEW.programme_id);
END;
CREATE TRIGGER coverage_member_out AFTER DELETE ON room_members BEGIN
    UPDATE coverage_versions SET version = version + 1 WHERE programme_id = OLD.programme_id;
END;

CREATE TRIGGER coverage_request_in AFTER INSERT ON requests BEGIN
    UPDATE coverage_versions SET version = version + 1 WHERE programme_id = NEW.programme_id;
END;
CREATE TRIGGER coverage_request_change AFTER UPDATE OF status, programme_id, mentee_id ON requests BEGIN
    UPDATE coverage_versions SET version = version + 1 WHERE programme_id IN (OLD.programme_id, NEW.programme_id);
END;
CREATE TRIGGER coverage_request_out AFTER DELETE ON requests BEGIN
    UPDATE coverage_versions SET version = version + 1 WHERE programme_id = OLD.programme_id;
END;

-- Coverage over time counts the day each room became active.
CREATE TRIGGER coverage_room_event_in AFTER INSERT ON room_events
WHEN NEW.to_status = 'active' BEGIN
    UPDATE coverage_versions SET version = version + 1
    WHERE programme_id = (SELECT programme_id FROM rooms WHERE id = NEW.room_id);
END;

-- The unplaced people of the latest round.
CREATE TRIGGER coverage_round_in AFTER INSERT ON match_rounds BEGIN
    UPDATE coverage_versions SET version = version + 1 WHERE programme_id = NEW.programme_id;
END;
CREATE TRIGGER coverage_round_change AFTER UPDATE OF status, result ON match_rounds BEGIN
    UPDATE coverage_versions SET version = version + 1 WHERE programme_id = NEW.programme_id;
END;
CREATE TRIGGER coverage_round_out AFTER DELETE ON match_rounds BEGIN
    UPDATE coverage_versions SET version = version + 1 WHERE programme_id = OLD.programme_id;
END;

-- The lists show names.
CREATE TRIGGER coverage_person_name AFTER UPDATE OF name ON people
WHEN NEW.name IS NOT OLD.name BEGIN
    UPDATE coverage_versions SET version = version + 1
    WHERE programme_id IN (SELECT programme_id FROM enrolments WHERE person_id = NEW.id);
END;
