-- The rapport pulse and room health (issue 17, sections 6 to 8).
--
-- pulse_answers: each member's own answers to each pulse of a room. Private
-- to them: only the app's health rules read them, and managers see them
-- only through a room's health. One answer per member per pulse; scores are
-- 1 to 5. Deleting an account deletes its answers.
CREATE TABLE pulse_answers (
    id BLOB PRIMARY KEY NOT NULL,
    room_id BLOB NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    person_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    -- Pulse n falls due pulse_first_day + n * pulse_every_days after the start.
    round INTEGER NOT NULL CHECK (round >= 0),
    -- The member's role in the room when they answered (the "side").
    role TEXT NOT NULL CHECK (role IN ('mentor', 'mentee', 'peer', 'facilitator')),
    genuineness INTEGER NOT NULL CHECK (genuineness BETWEEN 1 AND 5),
    empathy INTEGER NOT NULL CHECK (empathy BETWEEN 1 AND 5),
    acceptance INTEGER NOT NULL CHECK (acceptance BETWEEN 1 AND 5),
    working TEXT NOT NULL CHECK (working IN ('yes', 'not_sure', 'no')),
    -- Anything else, in their own words (Markdown); managers read it on the
    -- room's health page.
    comment TEXT NOT NULL DEFAULT '',
    answered_at BIGINT NOT NULL,
    CONSTRAINT pulse_answers_once UNIQUE (room_id, person_id, round)
);
CREATE INDEX pulse_answers_person_idx ON pulse_answers (person_id);

-- room_health: each open room's last assessment, so the managers' list sorts
-- worst first without recomputing. reasons is the JSON list of
-- rapport_domain::health::Reason. alerted_level is the level the programme's
-- managers were last told about (an alert goes out only when the room
-- becomes at risk, not on every sweep).
CREATE TABLE room_health (
    room_id BLOB PRIMARY KEY NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    level TEXT NOT NULL CHECK (level IN ('healthy', 'needs_attention', 'at_risk')),
    reasons TEXT NOT NULL,
    computed_at BIGINT NOT NULL,
    alerted_level TEXT CHECK (alerted_level IN ('healthy', 'needs_attention', 'at_risk'))
);
CREATE INDEX room_health_computed_idx ON room_health (computed_at);

-- health_nudges: the level each member was last nudged about, as they see it
-- (reasons from the other side's pulse never count), so a nudge goes out
-- once per change of level.
CREATE TABLE health_nudges (
    room_id BLOB NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    person_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    level TEXT NOT NULL CHECK (level IN ('healthy', 'needs_attention', 'at_risk')),
    notified_at BIGINT NOT NULL,
    CONSTRAINT health_nudges_pkey PRIMARY KEY (room_id, person_id)
);
CREATE INDEX health_nudges_person_idx ON health_nudges (person_id);

-- The daily health sweep selects open rooms by status.
CREATE INDEX rooms_status_idx ON rooms (status);
