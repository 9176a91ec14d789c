-- Directory search without ranking every match (issue 20): a search walks
-- the members newest first and tests each one's text, stopping at the
-- page's end, and turns to the full-text index only for rare words
-- (crates/store/src/people.rs). The walk can read this index alone (an
-- index-only scan where the visibility map allows): it holds what the walk
-- tests, visibility and the search text.
CREATE INDEX people_directory_walk_idx ON people (created_at DESC, id) INCLUDE (status, visibility, search_text);
DROP INDEX people_directory_idx;

-- The directory's size, kept by the database: every person, and the people
-- the directory lists to members (their full-text entry's `listed`). A
-- search's total is estimated from them when its words are common, and the
-- list without words is counted from them, never by reading every row.
CREATE TABLE directory_size (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    people BIGINT NOT NULL CHECK (people >= 0),
    listed BIGINT NOT NULL CHECK (listed >= 0)
);
INSERT INTO directory_size (one, people, listed) VALUES (
    1,
    (SELECT COUNT(*) FROM people),
    (SELECT COUNT(*) FROM fulltext_docs WHERE kind = 'person' AND listed)
);
-- Statement triggers with transition tables: an import of thousands of
-- people moves the counters once per statement, not once per row (each row's
-- update would leave a dead version of the one counter row behind).
CREATE FUNCTION directory_size_people_in() RETURNS trigger AS $$
BEGIN
    UPDATE directory_size SET people = people + (SELECT COUNT(*) FROM added);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER directory_size_people_in AFTER INSERT ON people
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION directory_size_people_in();
CREATE FUNCTION directory_size_people_out() RETURNS trigger AS $$
BEGIN
    UPDATE directory_size SET people = people - (SELECT COUNT(*) FROM gone);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER directory_size_people_out AFTER DELETE ON people
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION directory_size_people_out();

-- Listed people: counted from the rows each statement wrote. Most writes to
-- the index (posts, or a profile edit that keeps its visibility) move
-- nothing, and then the counter row is left alone.
CREATE FUNCTION directory_size_listed_in() RETURNS trigger AS $$
DECLARE
    n BIGINT;
BEGIN
    SELECT COUNT(*) INTO n FROM added WHERE kind = 'person' AND listed;
    IF n <> 0 THEN
        UPDATE directory_size SET listed = listed + n;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER directory_size_listed_in AFTER INSERT ON fulltext_docs
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION directory_size_listed_in();
CREATE FUNCTION directory_size_listed_out() RETURNS trigger AS $$
DECLARE
    n BIGINT;
BEGIN
    SELECT COUNT(*) INTO n FROM gone WHERE kind = 'person' AND listed;
    IF n <> 0 THEN
        UPDATE directory_size SET listed = listed - n;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER directory_size_listed_out AFTER DELETE ON fulltext_docs
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION directory_size_listed_out();
CREATE FUNCTION directory_size_listed_change() RETURNS trigger AS $$
DECLARE
    n BIGINT;
BEGIN
    SELECT (SELECT COUNT(*) FROM added WHERE kind = 'person' AND listed)
         - (SELECT COUNT(*) FROM gone WHERE kind = 'person' AND listed) INTO n;
    IF n <> 0 THEN
        UPDATE directory_size SET listed = listed + n;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER directory_size_listed_change AFTER UPDATE ON fulltext_docs
    REFERENCING OLD TABLE AS gone NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION directory_size_listed_change();
