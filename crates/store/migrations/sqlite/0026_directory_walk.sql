-- Directory search without ranking every match (issue 20): a search walks
-- the members newest first and tests each one's text, stopping at the
-- page's end, and turns to the full-text index only for rare words
-- (crates/store/src/people.rs). The walk reads this index alone: it holds
-- what the walk tests (visibility and the search text), so no person's row
-- is read until the page's own people are.
CREATE INDEX people_directory_walk_idx ON people (created_at DESC, id, status, visibility, search_text);
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
CREATE TRIGGER directory_size_person_in AFTER INSERT ON people BEGIN
    UPDATE directory_size SET people = people + 1;
END;
CREATE TRIGGER directory_size_person_out AFTER DELETE ON people BEGIN
    UPDATE directory_size SET people = people - 1;
END;
CREATE TRIGGER directory_size_listed_in AFTER INSERT ON fulltext_docs
WHEN NEW.kind = 'person' AND NEW.listed BEGIN
    UPDATE directory_size SET listed = listed + 1;
END;
CREATE TRIGGER directory_size_listed_out AFTER DELETE ON fulltext_docs
WHEN OLD.kind = 'person' AND OLD.listed BEGIN
    UPDATE directory_size SET listed = listed - 1;
END;
CREATE TRIGGER directory_size_listed_change AFTER UPDATE OF listed ON fulltext_docs
WHEN NEW.kind = 'person' AND NEW.listed IS NOT OLD.listed BEGIN
    UPDATE directory_size SET listed = listed + (CASE WHEN NEW.listed THEN 1 ELSE -1 END);
END;
