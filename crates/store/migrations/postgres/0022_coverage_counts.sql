-- The coverage dashboard counted by the database (issue 20): the waiting
-- list reads a programme's approved seekers in the order they have waited,
-- so its first page stops after the page instead of sorting every seeker.
CREATE INDEX enrolments_waiting_idx ON enrolments (programme_id, role, status, (COALESCE(decided_at, created_at)));
-- Coverage over time: the activations of a programme's rooms.
CREATE INDEX room_events_activation_idx ON room_events (room_id, to_status, created_at);
