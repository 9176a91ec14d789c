-- The no-fault re-match (issue 17, section 8): a room proposed by a
-- re-match remembers the room that ended (or that the person left) for fit,
-- and who is being re-matched. Every referral of one re-match points at the
-- same first room, so the mentors already tried are the mentors of the rooms
-- that point at it. A room's `origin` stays how its first proposal came to be
-- ('round' for the engine's proposal, 'request' for a picked peer); this row
-- is what marks it as a re-match.
CREATE TABLE room_rematches (
    room_id UUID PRIMARY KEY NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    from_room_id UUID NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    person_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    started_by UUID REFERENCES people(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX room_rematches_from_idx ON room_rematches (from_room_id, created_at);
