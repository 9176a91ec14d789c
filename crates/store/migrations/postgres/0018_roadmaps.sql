-- Roadmaps (issue 19): versioned paths of steps, followers and their marks,
-- and attachments to rooms and programmes.
--
-- A version's steps live in `content` (JSON, decoded once by the store into
-- the domain's RoadmapContent). A step keeps its id across versions, and a
-- follower's marks are stored against step ids, so progress carries over
-- when a roadmap changes. A published version never changes: the triggers
-- below refuse any UPDATE or DELETE of a published row, whatever the app does.

CREATE TABLE roadmaps (
    id UUID PRIMARY KEY NOT NULL,
    author_id UUID REFERENCES people(id) ON DELETE SET NULL,
    -- The newest published version; 0 while only a draft exists.
    latest_version INTEGER NOT NULL DEFAULT 0 CHECK (latest_version >= 0),
    -- Of the newest published version, for discovery.
    title TEXT NOT NULL,
    level TEXT NOT NULL,
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX roadmaps_published_idx ON roadmaps (latest_version, created_at);
CREATE INDEX roadmaps_level_idx ON roadmaps (level, created_at);
CREATE INDEX roadmaps_author_idx ON roadmaps (author_id);

CREATE TABLE roadmap_versions (
    roadmap_id UUID NOT NULL REFERENCES roadmaps(id) ON DELETE CASCADE,
    number INTEGER NOT NULL CHECK (number >= 1),
    content TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    published_at BIGINT,
    PRIMARY KEY (roadmap_id, number)
);
CREATE FUNCTION roadmap_versions_published_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.published_at IS NOT NULL THEN
        IF TG_OP = 'UPDATE' OR EXISTS (SELECT 1 FROM roadmaps r WHERE r.id = OLD.roadmap_id) THEN
            RAISE EXCEPTION 'roadmap_versions_published_immutable' USING ERRCODE = 'check_violation', CONSTRAINT = 'roadmap_versions_published_immutable';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER roadmap_versions_published_immutable BEFORE UPDATE OR DELETE ON roadmap_versions
    FOR EACH ROW EXECUTE FUNCTION roadmap_versions_published_immutable();

-- The skills of the newest published version, for browsing by skill.
CREATE TABLE roadmap_skills (
    roadmap_id UUID NOT NULL REFERENCES roadmaps(id) ON DELETE CASCADE,
    skill_id UUID NOT NULL REFERENCES skills(id) ON DELETE CASCADE,
    PRIMARY KEY (roadmap_id, skill_id)
);
CREATE INDEX roadmap_skills_skill_idx ON roadmap_skills (skill_id);

CREATE TABLE roadmap_follows (
    roadmap_id UUID NOT NULL REFERENCES roadmaps(id) ON DELETE CASCADE,
    person_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    finished_at BIGINT,
    PRIMARY KEY (roadmap_id, person_id),
    FOREIGN KEY (roadmap_id, version) REFERENCES roadmap_versions(roadmap_id, number)
);
CREATE INDEX roadmap_follows_person_idx ON roadmap_follows (person_id, created_at);

-- A follower's mark on one step, kept by step id across versions (and
-- across unfollowing: following again finds them).
CREATE TABLE roadmap_marks (
    roadmap_id UUID NOT NULL REFERENCES roadmaps(id) ON DELETE CASCADE,
    person_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    step_id UUID NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('done', 'learning', 'skipped')),
    -- Private to the person unless shared with one of their rooms.
    reflection TEXT,
    shared_room_id UUID REFERENCES rooms(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (roadmap_id, person_id, step_id),
    CONSTRAINT roadmap_marks_share_needs_reflection CHECK (shared_room_id IS NULL OR reflection IS NOT NULL)
);
CREATE INDEX roadmap_marks_room_idx ON roadmap_marks (shared_room_id);

CREATE TABLE roadmap_rooms (
    room_id UUID NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    roadmap_id UUID NOT NULL REFERENCES roadmaps(id) ON DELETE CASCADE,
    attached_by UUID REFERENCES people(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (room_id, roadmap_id)
);
CREATE INDEX roadmap_rooms_roadmap_idx ON roadmap_rooms (roadmap_id);

CREATE TABLE roadmap_programmes (
    programme_id UUID NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    roadmap_id UUID NOT NULL REFERENCES roadmaps(id) ON DELETE CASCADE,
    attached_by UUID REFERENCES people(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (programme_id, roadmap_id)
);
CREATE INDEX roadmap_programmes_roadmap_idx ON roadmap_programmes (roadmap_id);
