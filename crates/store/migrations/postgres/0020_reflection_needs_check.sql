-- Reflection prompts and the needs check (issue 19, "Reflection" and "Needs check").
--
-- reflection_prompts: the library admins keep. A retired prompt is never sent
-- again but keeps its answers. The seeded prompts below have fixed ids, so
-- every install has them once and an admin's edits stay theirs.
CREATE TABLE reflection_prompts (
    id UUID PRIMARY KEY NOT NULL,
    theme TEXT NOT NULL CHECK (theme IN ('shaping', 'seeking', 'reverse', 'feedback', 'blind_spots', 'authenticity', 'transitions', 'learning_culture', 'other')),
    body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 1000),
    retired_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX reflection_prompts_order_idx ON reflection_prompts (created_at, id);

-- reflection_schedules: how often each member wants a prompt. No row means
-- never. next_at is when the next prompt goes out (null for never);
-- last_prompt_id and last_sent_at are the prompt now waiting on the home page.
CREATE TABLE reflection_schedules (
    person_id UUID PRIMARY KEY NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    cadence TEXT NOT NULL CHECK (cadence IN ('never', 'weekly', 'fortnightly')),
    next_at BIGINT,
    last_prompt_id UUID REFERENCES reflection_prompts(id),
    last_sent_at BIGINT,
    updated_at BIGINT NOT NULL,
    CONSTRAINT reflection_schedules_next CHECK ((cadence = 'never') = (next_at IS NULL))
);
CREATE INDEX reflection_schedules_due_idx ON reflection_schedules (next_at);

-- room_prompts: a prompt a mentor assigned to their room, once per room.
CREATE TABLE room_prompts (
    id UUID PRIMARY KEY NOT NULL,
    room_id UUID NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    prompt_id UUID NOT NULL REFERENCES reflection_prompts(id),
    assigned_by UUID REFERENCES people(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT room_prompts_once UNIQUE (room_id, prompt_id)
);

-- reflection_answers: a member's answer to a prompt. private: its author
-- alone, ever. room: shared with the room of the room prompt it answers.
-- thread: shared into one of the author's growth threads; shared_thread_id
-- has no reference on purpose (threads are their own migration), and the
-- app checks the thread is the author's before it stores one.
CREATE TABLE reflection_answers (
    id UUID PRIMARY KEY NOT NULL,
    prompt_id UUID NOT NULL REFERENCES reflection_prompts(id),
    person_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    room_prompt_id UUID REFERENCES room_prompts(id) ON DELETE CASCADE,
    visibility TEXT NOT NULL CHECK (visibility IN ('private', 'room', 'thread')),
    shared_thread_id UUID,
    body TEXT NOT NULL CHECK (length(body) > 0),
    created_at BIGINT NOT NULL,
    CONSTRAINT reflection_answers_room CHECK (visibility <> 'room' OR room_prompt_id IS NOT NULL),
    CONSTRAINT reflection_answers_thread CHECK ((visibility = 'thread') = (shared_thread_id IS NOT NULL))
);
CREATE INDEX reflection_answers_person_idx ON reflection_answers (person_id, created_at);
CREATE INDEX reflection_answers_room_prompt_idx ON reflection_answers (room_prompt_id);

-- needs_checks: each person's needs-check answers, private to them and kept
-- as history. scores holds the eight answers in statement order, 1 to 5
-- each; the result is computed from them (rapport_domain::needs).
CREATE TABLE needs_checks (
    id UUID PRIMARY KEY NOT NULL,
    person_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    scores TEXT NOT NULL CHECK (scores ~ '^[1-5]{8}$'),
    created_at BIGINT NOT NULL
);
CREATE INDEX needs_checks_person_idx ON needs_checks (person_id, created_at);

-- The seeded library: two prompts on each theme the issue names.
INSERT INTO reflection_prompts (id, theme, body, created_at, updated_at) VALUES
    ('7e5f0000-0000-4000-8000-000000000001', 'shaping', 'Think of one decision you made this month. Whose voice from a past mentorship was in your head as you made it, and what did it change about the decision?', 0, 0),
    ('7e5f0000-0000-4000-8000-000000000002', 'shaping', 'What do you do as a leader today that you first saw someone who mentored you do? Where did you adapt it instead of copying it, and why?', 0, 0),
    ('7e5f0000-0000-4000-8000-000000000003', 'seeking', 'Describe the mentor you need now, not the one you needed two years ago. What has changed in you that changes the answer?', 0, 0),
    ('7e5f0000-0000-4000-8000-000000000004', 'seeking', 'What would a mentor have to do in your first conversation for you to trust them with a problem that really matters to you?', 0, 0),
    ('7e5f0000-0000-4000-8000-000000000005', 'reverse', 'What has someone less senior than you taught you recently? How did you let them know it mattered?', 0, 0),
    ('7e5f0000-0000-4000-8000-000000000006', 'reverse', 'Where are you most out of date? Who on your team could teach you, and what could you offer them in return?', 0, 0),
    ('7e5f0000-0000-4000-8000-000000000007', 'feedback', 'Recall the hardest feedback you have received. What did you feel first, what did you do next, and what is different in how you work now?', 0, 0),
    ('7e5f0000-0000-4000-8000-000000000008', 'feedback', 'Which piece of feedback have you heard more than once and not yet acted on? What has stopped you, honestly?', 0, 0),
    ('7e5f0000-0000-4000-8000-000000000009', 'blind_spots', 'If your team talked about your leadership in a room you were not in, what would they say? Which part would surprise you most?', 0, 0),
    ('7e5f0000-0000-4000-8000-000000000010', 'blind_spots', 'Pick a habit you are proud of. In which situations does that strength turn into something that gets in your team''s way?', 0, 0),
    ('7e5f0000-0000-4000-8000-000000000011', 'authenticity', 'Think of advice you chose not to follow. How did you decide, and would you decide the same way today?', 0, 0),
    ('7e5f0000-0000-4000-8000-000000000012', 'authenticity', 'When you try a way of leading that a mentor suggested, how do you tell stretching yourself from pretending to be someone else?', 0, 0),
    ('7e5f0000-0000-4000-8000-000000000013', 'transitions', 'What did you stop doing when you stepped up to your current level? What are you still doing that belongs to your old role?', 0, 0),
    ('7e5f0000-0000-4000-8000-000000000014', 'transitions', 'How do you judge a good week now, and how did you judge one a level ago? What does the difference tell you about the job?', 0, 0),
    ('7e5f0000-0000-4000-8000-000000000015', 'learning_culture', 'When did someone on your team last admit a mistake in front of others? What happened next, and what did everyone learn about learning here?', 0, 0),
    ('7e5f0000-0000-4000-8000-000000000016', 'learning_culture', 'What is one thing your team learned this quarter, and how would someone who joins next month find out about it?', 0, 0)
ON CONFLICT (id) DO NOTHING;
