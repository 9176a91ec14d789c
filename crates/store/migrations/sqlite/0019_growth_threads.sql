-- Growth Threads (issue 19): learning-in-public journals, their posts,
-- comments (one level deep), reactions, follows between people, reports and
-- moderation, and the one full-text index every document kind shares.
--
-- A thread's visibility governs everything under it: posts, comments and
-- reactions carry none of their own, so narrowing a thread narrows them all
-- in the same statement. Who may see a thread is decided in each query (the
-- app's one predicate), never stored per reader.

CREATE TABLE threads (
    id BLOB PRIMARY KEY NOT NULL,
    author_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    title TEXT NOT NULL CHECK (length(title) > 0),
    visibility TEXT NOT NULL CHECK (visibility IN ('only_me', 'my_rooms', 'programme', 'members')),
    -- The programme a 'programme' thread is shared with, and only then.
    programme_id BLOB REFERENCES programmes(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT threads_programme_iff_shared CHECK ((visibility = 'programme') = (programme_id IS NOT NULL))
);
CREATE INDEX threads_author_idx ON threads (author_id, created_at);
CREATE INDEX threads_programme_idx ON threads (programme_id);

-- A post may link to one goal or session its author could see when writing
-- (the app checks; there is no reference, the linked thing may go).
CREATE TABLE thread_posts (
    id BLOB PRIMARY KEY NOT NULL,
    thread_id BLOB NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    author_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('challenge', 'breakthrough', 'question', 'update')),
    body TEXT NOT NULL CHECK (length(body) > 0),
    link_kind TEXT CHECK (link_kind IN ('goal', 'session', 'roadmap_step')),
    link_id BLOB,
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
    id BLOB PRIMARY KEY NOT NULL,
    post_id BLOB NOT NULL REFERENCES thread_posts(id) ON DELETE CASCADE,
    parent_id BLOB REFERENCES thread_comments(id) ON DELETE CASCADE,
    author_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
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
    id BLOB PRIMARY KEY NOT NULL,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('post', 'comment')),
    target_id BLOB NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX thread_revisions_target_idx ON thread_revisions (target_id, created_at);

-- One reaction per person, post and kind: the key makes a repeated PUT a no-op.
CREATE TABLE post_reactions (
    post_id BLOB NOT NULL REFERENCES thread_posts(id) ON DELETE CASCADE,
    person_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('helpful', 'been_there', 'cheering_you_on')),
    created_at BIGINT NOT NULL,
    CONSTRAINT post_reactions_pkey PRIMARY KEY (post_id, person_id, kind)
);
CREATE INDEX post_reactions_person_idx ON post_reactions (person_id);

-- A member's report of a post or comment; one per reporter and item.
CREATE TABLE thread_reports (
    id BLOB PRIMARY KEY NOT NULL,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('post', 'comment')),
    target_id BLOB NOT NULL,
    post_id BLOB NOT NULL REFERENCES thread_posts(id) ON DELETE CASCADE,
    reporter_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    reason TEXT NOT NULL CHECK (length(reason) > 0),
    created_at BIGINT NOT NULL,
    CONSTRAINT thread_reports_once UNIQUE (target_id, reporter_id)
);
CREATE INDEX thread_reports_post_idx ON thread_reports (post_id);
CREATE INDEX thread_reports_created_idx ON thread_reports (created_at, id);

CREATE TABLE person_follows (
    follower_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    followee_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    CONSTRAINT person_follows_pkey PRIMARY KEY (follower_id, followee_id),
    CONSTRAINT person_follows_not_self CHECK (follower_id <> followee_id)
);
CREATE INDEX person_follows_followee_idx ON person_follows (followee_id);

-- The pending "responses to your posts" notification of one author: at most
-- one at a time (the key), made with the first response and removed when its
-- job runs, so an author hears at most once per batch window.
CREATE TABLE thread_digests (
    person_id BLOB PRIMARY KEY NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    since BIGINT NOT NULL,
    run_at BIGINT NOT NULL
);

-- A reply to a reply is refused (comments are one level deep).
CREATE TRIGGER thread_comments_one_level BEFORE INSERT ON thread_comments
WHEN NEW.parent_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM thread_comments c WHERE c.id = NEW.parent_id AND (c.parent_id IS NOT NULL OR c.post_id <> NEW.post_id)
)
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: thread_comments_one_level');
END;

-- Full text: one table for every document kind ('thread', 'post'; people
-- later), written in the same transaction as the document itself
-- (crates/store/src/fulltext.rs), and an FTS5 index over it with the
-- trigram tokenizer (partial words match), kept current by triggers.
CREATE TABLE fulltext_docs (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    doc_id BLOB NOT NULL,
    body TEXT NOT NULL,
    CONSTRAINT fulltext_docs_key UNIQUE (kind, doc_id)
);
CREATE VIRTUAL TABLE fulltext USING fts5(body, content='fulltext_docs', content_rowid='seq', tokenize='trigram');
CREATE TRIGGER fulltext_docs_ai AFTER INSERT ON fulltext_docs BEGIN
    INSERT INTO fulltext (rowid, body) VALUES (NEW.seq, NEW.body);
END;
CREATE TRIGGER fulltext_docs_ad AFTER DELETE ON fulltext_docs BEGIN
    INSERT INTO fulltext (fulltext, rowid, body) VALUES ('delete', OLD.seq, OLD.body);
END;
CREATE TRIGGER fulltext_docs_au AFTER UPDATE ON fulltext_docs BEGIN
    INSERT INTO fulltext (fulltext, rowid, body) VALUES ('delete', OLD.seq, OLD.body);
    INSERT INTO fulltext (rowid, body) VALUES (NEW.seq, NEW.body);
END;

-- Whatever goes (a post, a thread, an account with everything in it, by
-- cascade) leaves neither its index entry nor its earlier revisions behind.
CREATE TRIGGER thread_posts_forget AFTER DELETE ON thread_posts BEGIN
    DELETE FROM fulltext_docs WHERE kind = 'post' AND doc_id = OLD.id;
    DELETE FROM thread_revisions WHERE target_id = OLD.id;
END;
CREATE TRIGGER threads_forget AFTER DELETE ON threads BEGIN
    DELETE FROM fulltext_docs WHERE kind = 'thread' AND doc_id = OLD.id;
END;
CREATE TRIGGER thread_comments_forget AFTER DELETE ON thread_comments BEGIN
    DELETE FROM thread_revisions WHERE target_id = OLD.id;
    DELETE FROM thread_reports WHERE target_id = OLD.id;
END;
