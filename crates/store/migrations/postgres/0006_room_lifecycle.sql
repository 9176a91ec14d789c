-- Room lifecycle: an early end keeps a reason code and an optional note, a
-- pair's completion proposal waits for the other member's confirmation, and
-- every move is kept in the room's history.

ALTER TABLE rooms ADD COLUMN end_note TEXT;
ALTER TABLE rooms ADD COLUMN completion_proposed_by UUID REFERENCES people(id) ON DELETE SET NULL;
ALTER TABLE rooms ADD COLUMN completion_proposed_at BIGINT;
-- Until now only a declined proposal ended a room early, with a sentence as
-- its reason: that sentence becomes the note and the reason its code.
UPDATE rooms SET end_note = end_reason, end_reason = 'declined' WHERE end_reason IS NOT NULL;
ALTER TABLE rooms ADD CONSTRAINT rooms_end_reason CHECK (end_reason IN ('declined', 'goals_met', 'fit', 'time', 'left_organisation', 'inactive', 'conduct', 'other'));

CREATE TABLE room_events (
    id UUID PRIMARY KEY NOT NULL,
    room_id UUID NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    -- Who moved the room; none for the system (a round's proposal, activation).
    actor_id UUID REFERENCES people(id) ON DELETE SET NULL,
    action TEXT NOT NULL CHECK (action IN ('propose', 'accept', 'decline', 'activate', 'pause', 'resume', 'propose_completion', 'confirm_completion', 'complete', 'end', 'leave')),
    from_status TEXT CHECK (from_status IN ('proposed', 'active', 'paused', 'completed', 'ended_early')),
    to_status TEXT NOT NULL CHECK (to_status IN ('proposed', 'active', 'paused', 'completed', 'ended_early')),
    reason TEXT CHECK (reason IN ('declined', 'goals_met', 'fit', 'time', 'left_organisation', 'inactive', 'conduct', 'other')),
    note TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX room_events_room_idx ON room_events (room_id, created_at);
