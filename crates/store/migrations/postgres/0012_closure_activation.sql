-- Closure and activation. Each member of a room that completed or ended
-- answers one closure survey: a private reflection and the outcomes that
-- programme reports count (typed columns, skills in a join table). The
-- self-efficacy question is asked at enrolment too, so the two compare.
-- Activation keeps when a room's members and managers were prompted about
-- a missing first contact, and when its members were last warned about
-- inactivity (each once per room, or once per inactive spell).

ALTER TABLE enrolments ADD COLUMN self_efficacy INTEGER CHECK (self_efficacy BETWEEN 1 AND 5);

CREATE TABLE closures (
    id UUID PRIMARY KEY NOT NULL,
    room_id UUID NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    -- A closure is its author's: it goes with their account.
    person_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    programme_id UUID NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('mentee', 'mentor', 'peer', 'facilitator')),
    -- Markdown, private to its author: no other person reads it by any route.
    reflection TEXT NOT NULL DEFAULT '',
    self_efficacy INTEGER NOT NULL CHECK (self_efficacy BETWEEN 1 AND 5),
    -- The author's answer at enrolment, copied when they close, so a report
    -- compares the two even after the enrolment changes.
    self_efficacy_at_enrolment INTEGER CHECK (self_efficacy_at_enrolment BETWEEN 1 AND 5),
    career_step TEXT NOT NULL CHECK (career_step IN ('promotion', 'new_role', 'new_responsibility', 'none_yet')),
    would_mentor TEXT NOT NULL CHECK (would_mentor IN ('yes', 'maybe', 'no')),
    created_at BIGINT NOT NULL,
    CONSTRAINT closures_room_id_person_id_key UNIQUE (room_id, person_id)
);
CREATE INDEX closures_programme_idx ON closures (programme_id);

-- Skills gained, from the catalogue. The name is kept, so a report still
-- counts a skill the catalogue later drops.
CREATE TABLE closure_skills (
    closure_id UUID NOT NULL REFERENCES closures(id) ON DELETE CASCADE,
    skill_id UUID REFERENCES skills(id) ON DELETE SET NULL,
    name TEXT NOT NULL,
    CONSTRAINT closure_skills_pkey PRIMARY KEY (closure_id, name)
);

CREATE TABLE room_activation (
    room_id UUID PRIMARY KEY NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    members_prompted_at BIGINT,
    managers_prompted_at BIGINT,
    inactivity_warned_at BIGINT
);
