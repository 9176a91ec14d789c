-- Growth Threads (issue 19): learning-in-public journals, their posts,
-- comments (one level deep), reactions, follows between people, reports and
-- moderation, and the one full-text index every document kind shares.
--
-- A thread's visibility governs everything under it: posts, comments and
-- reactions carry none of their own, so narrowing a thread narrows them all
-- in the same statement. Who may see a thread is decided in each query (the
-- app's one predicate), never stored per reader.

CREATE TABLE threads (
    id UUID PRIMARY KEY NOT NULL,
    author_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    title TEXT NOT NULL CHECK (length(title) > 0),
    visibility TEXT NOT NULL CHECK (visibility IN ('only_me', 'my_rooms', 'programme', 'members')),
    -- The programme a 'programme' thread is shared with, and only then.
    programme_id UUID REFERENCES programmes(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT threads_programme_iff_shared CHECK ((visibility = 'programme') = (programme_id IS NOT NULL))
);
CREATE INDEX threads_author_idx ON threads (author_id, created_at);
CREATE INDEX threads_programme_idx ON threads (programme_id);

-- A post may link to one goal or session its author could see when writing
-- (the app checks; there is no reference, the linked thing may go).
CREATE TABLE thread_posts (
    id UUID PRIMARY KEY NOT NULL,
    thread_id UUID NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    author_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('challenge', 'breakthrough', 'question', 'update')),
    body TEXT NOT NULL CHECK (length(body) > 0),
    link_kind TEXT CHECK (link_kind IN ('goal', 'session', 'roadmap_step')),
    link_id UUID,
    hidden_at BIGINT,
    hidden_reason TEXT,
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    CONSTRAINT thread_posts_link_whole CHECK ((link_kind IS NULL) = (link_id IS NULL)),
    CONSTRAINT thread_posts_hidden_with_reason CHECK ((hidden_at IS NULL) = (hidden_reason IS NULL))
);
-- The feed reads newest first across every thread, by keyset.
CREATE INDEX thread_posts_feed_idx ON thread_posts (created_at, id);
CREATE INDEX thread_posts_thread_idx ON thread_posts (thread_id, created_at);
CREATE INDEX thread_posts_author_idx ON thread_posts (author_id, created_at);

-- Comments are one level deep: a reply's parent is a top-level comment of
-- the same post (the app checks; the trigger below makes it certain).
CREATE TABLE thread_comments (
    id UUID PRIMARY KEY NOT NULL,
    post_id UUID NOT NULL REFERENCES thread_posts(id) ON DELETE CASCADE,
    parent_id UUID REFERENCES thread_comments(id) ON DELETE CASCADE,
    author_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    body TEXT NOT NULL CHECK (length(body) > 0),
    hidden_at BIGINT,
    hidden_reason TEXT,
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    CONSTRAINT thread_comments_hidden_with_reason CHECK ((hidden_at IS NULL) = (hidden_reason IS NULL))
);
CREATE INDEX thread_comments_post_idx ON thread_comments (post_id, created_at);
CREATE INDEX thread_comments_author_idx ON thread_comments (author_id);

-- Earlier bodies of edited posts and comments, kept for moderators.
CREATE TABLE thread_revisions (
    id UUID PRIMARY KEY NOT NULL,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('post', 'comment')),
    target_id UUID NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX thread_revisions_target_idx ON thread_revisions (target_id, created_at);

-- One reaction per person, post and kind: the key makes a repeated PUT a no-op.
CREATE TABLE post_reactions (
    post_id UUID NOT NULL REFERENCES thread_posts(id) ON DELETE CASCADE,
    person_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('helpful', 'been_there', 'cheering_you_on')),
    created_at BIGINT NOT NULL,
    CONSTRAINT post_reactions_pkey PRIMARY KEY (post_id, person_id, kind)
);
CREATE INDEX post_reactions_person_idx ON post_reactions (person_id);

-- A member's report of a post or comment; one per reporter and item.
CREATE TABLE thread_reports (
    id UUID PRIMARY KEY NOT NULL,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('post', 'comment')),
    target_id UUID NOT NULL,
    post_id UUID NOT NULL REFERENCES thread_posts(id) ON DELETE CASCADE,
    reporter_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    reason TEXT NOT NULL CHECK (length(reason) > 0),
    created_at BIGINT NOT NULL,
    CONSTRAINT thread_reports_once UNIQUE (target_id, reporter_id)
);
CREATE INDEX thread_reports_post_idx ON thread_reports (post_id);
CREATE INDEX thread_reports_created_idx ON thread_reports (created_at, id);

CREATE TABLE person_follows (
    follower_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    followee_id UUID NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    CONSTRAINT person_follows_pkey PRIMARY KEY (follower_id, followee_id),
    CONSTRAINT person_follows_not_self CHECK (follower_id <> followee_id)
);
CREATE INDEX person_follows_followee_idx ON person_follows (followee_id);

-- The pending "responses to your posts" notification of one author: at most
-- one at a time (the key), made with the first response and removed when its
-- job runs, so an author hears at most once per batch window.
CREATE TABLE thread_digests (
    person_id UUID PRIMARY KEY NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    since BIGINT NOT NULL,
    run_at BIGINT NOT NULL
);

-- Trigger: a reply to a reply is refused (comments are one level deep).
CREATE FUNCTION thread_comments_one_level() RETURNS trigger AS $$
BEGIN
    IF NEW.parent_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM thread_comments c WHERE c.id = NEW.parent_id AND (c.parent_id IS NOT NULL OR c.post_id <> NEW.post_id)
    ) THEN
        RAISE EXCEPTION 'thread_comments_one_level' USING ERRCODE = '23514', CONSTRAINT = 'thread_comments_one_level';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER thread_comments_one_level BEFORE INSERT ON thread_comments
    FOR EACH ROW EXECUTE FUNCTION thread_comments_one_level();

-- Full text: one table for every document kind ('thread', 'post'; people
-- later), written in the same transaction as the document itself
-- (crates/store/src/fulltext.rs). The 'simple' configuration: members
-- write in many languages, and stemming one of them would mangle the rest.
CREATE TABLE fulltext_docs (
    kind TEXT NOT NULL,
    doc_id UUID NOT NULL,
    body TEXT NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED,
    CONSTRAINT fulltext_docs_pkey PRIMARY KEY (kind, doc_id)
);
CREATE INDEX fulltext_docs_tsv_idx ON fulltext_docs USING GIN (tsv);

-- Whatever goes (a post, a thread, an account with everything in it, by
-- cascade) leaves neither its index entry nor its earlier revisions behind.
CREATE FUNCTION thread_items_forget() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'thread_posts' THEN
        DELETE FROM fulltext_docs WHERE kind = 'post' AND doc_id = OLD.id;
        DELETE FROM thread_revisions WHERE target_id = OLD.id;
    ELSIF TG_TABLE_NAME = 'threads' THEN
        DELETE FROM fulltext_docs WHERE kind = 'thread' AND doc_id = OLD.id;
    ELSE
        DELETE FROM thread_revisions WHERE target_id = OLD.id;
        DELETE FROM thread_reports WHERE target_id = OLD.id;
    END IF;
    RETURN OLD;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER thread_posts_forget AFTER DELETE ON thread_posts FOR EACH ROW EXECUTE FUNCTION thread_items_forget();
CREATE TRIGGER threads_forget AFTER DELETE ON threads FOR EACH ROW EXECUTE FUNCTION thread_items_forget();
CREATE TRIGGER thread_comments_forget AFTER DELETE ON thread_comments FOR EACH ROW EXECUTE FUNCTION thread_items_forget();
