-- A room's agreement, kept as versions: a revision adds a version and never
-- changes an earlier one. Each member confirms a version; a new version
-- starts with no confirmations, so everyone confirms again.
CREATE TABLE agreement_versions (
    id BLOB PRIMARY KEY NOT NULL,
    room_id BLOB NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version >= 1),
    -- Exactly one of a duration in months (3, 6, 12) and an end day.
    duration_months INTEGER CHECK (duration_months IN (3, 6, 12)),
    end_date TEXT,
    cadence TEXT NOT NULL CHECK (cadence IN ('weekly', 'every_two_weeks', 'monthly')),
    format TEXT NOT NULL CHECK (format IN ('video', 'in_person', 'phone', 'mixed')),
    mentee_wants TEXT NOT NULL DEFAULT '',
    expectations TEXT NOT NULL DEFAULT '',
    confidentiality TEXT NOT NULL DEFAULT '',
    ending TEXT NOT NULL DEFAULT '',
    changed_by BLOB REFERENCES people(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT agreement_versions_duration CHECK ((duration_months IS NULL) <> (end_date IS NULL)),
    CONSTRAINT agreement_versions_room_version UNIQUE (room_id, version)
);
CREATE INDEX agreement_versions_page_idx ON agreement_versions (room_id, created_at);

CREATE TABLE agreement_confirmations (
    agreement_id BLOB NOT NULL REFERENCES agreement_versions(id) ON DELETE CASCADE,
    person_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    confirmed_at BIGINT NOT NULL,
    CONSTRAINT agreement_confirmations_pkey PRIMARY KEY (agreement_id, person_id)
);

-- Goals belong to a room and to one member (owner_id), or to the whole room
-- (owner_id NULL, group rooms). A re-match moves a member's goals to the new
-- room (room_id changes) and leaves a snapshot in goal_snapshots.
CREATE TABLE goals (
    id BLOB PRIMARY KEY NOT NULL,
    room_id BLOB NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    owner_id BLOB REFERENCES people(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    success_criteria TEXT NOT NULL DEFAULT '',
    target_date TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'achieved', 'dropped')),
    -- What the owner set, read while the goal has no milestones.
    manual_progress INTEGER NOT NULL DEFAULT 0 CHECK (manual_progress BETWEEN 0 AND 100),
    -- The progress in force: the share of done milestones, or manual_progress.
    progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    created_by BLOB REFERENCES people(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX goals_room_idx ON goals (room_id, created_at);
CREATE INDEX goals_owner_idx ON goals (owner_id, room_id);

CREATE TABLE milestones (
    id BLOB PRIMARY KEY NOT NULL,
    goal_id BLOB NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    due_date TEXT,
    done BOOLEAN NOT NULL DEFAULT FALSE,
    done_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX milestones_goal_idx ON milestones (goal_id, created_at);

-- Every change of a goal's progress, for the chart.
CREATE TABLE goal_progress_events (
    id BLOB PRIMARY KEY NOT NULL,
    goal_id BLOB NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
    value INTEGER NOT NULL CHECK (value BETWEEN 0 AND 100),
    at BIGINT NOT NULL
);
CREATE INDEX goal_progress_events_goal_idx ON goal_progress_events (goal_id, at);

CREATE TABLE goal_comments (
    id BLOB PRIMARY KEY NOT NULL,
    goal_id BLOB NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
    -- NULL once the author's account is deleted ("a former member").
    author_id BLOB REFERENCES people(id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX goal_comments_goal_idx ON goal_comments (goal_id, created_at);

-- A read-only copy of a goal, left in the room it moved out of.
CREATE TABLE goal_snapshots (
    id BLOB PRIMARY KEY NOT NULL,
    room_id BLOB NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    goal_id BLOB NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
    owner_id BLOB REFERENCES people(id) ON DELETE CASCADE,
    moved_to BLOB NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    -- rapport_domain::goals::GoalSnapshot as JSON.
    snapshot TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX goal_snapshots_room_idx ON goal_snapshots (room_id, created_at);
