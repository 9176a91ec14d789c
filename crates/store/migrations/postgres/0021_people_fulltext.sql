-- Issue 20: the people directory searches the full-text index
-- (crates/store/src/fulltext.rs, kind 'person') instead of scanning
-- people.search_text with LIKE '%w%'. The body indexed is the same text
-- (name, email, department, level, skills, interests, goals, languages,
-- zone), written in the same transaction as every profile write.
-- `listed`: whether the directory shows the person to other members
-- (active, profile visible to members), kept by the store with every
-- profile and password write, so a search filters on the index's own rows
-- before its LIMIT and reads only the page's people.
ALTER TABLE fulltext_docs ADD COLUMN listed BOOLEAN NOT NULL DEFAULT FALSE;
INSERT INTO fulltext_docs (kind, doc_id, body, listed)
    SELECT 'person', id, search_text, status = 'active' AND visibility = 'members' FROM people 
    ON CONFLICT (kind, doc_id) DO UPDATE SET body = excluded.body, listed = excluded.listed;

-- Partial names ("mari" finds "Mariana", "ana" finds "Mariana" too) match
-- anywhere inside a word, as SQLite's trigram tokenizer does: a trigram GIN
-- index answers LIKE '%w%' over people's bodies. pg_trgm is a trusted
-- extension (PostgreSQL 13 and later), so the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
-- fastupdate off: a profile write goes straight into the index instead of
-- GIN's pending list, which the planner prices as a scan until a vacuum
-- merges it (after a bulk import it would walk past the index for hours).
CREATE INDEX fulltext_docs_person_trgm_idx ON fulltext_docs USING GIN (body gin_trgm_ops) WITH (fastupdate = off) WHERE kind = 'person';

-- An account that goes leaves no index entry behind.
CREATE FUNCTION people_forget_fulltext() RETURNS trigger AS $$
BEGIN
    DELETE FROM fulltext_docs WHERE kind = 'person' AND doc_id = OLD.id;
    RETURN OLD;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER people_forget_fulltext AFTER DELETE ON people FOR EACH ROW EXECUTE FUNCTION people_forget_fulltext();

-- The directory without search words lists newest members first, read by
-- keyset on (created_at DESC, id).
CREATE INDEX people_directory_idx ON people (created_at DESC, id);
