-- The coverage dashboard's waiting list is ordered by how long each seeker
-- has waited, then by person: the index of 0022 gave only the first, so
-- seekers who waited equally long (everyone one import brought in) were read
-- and sorted whole before the first page (9.6 ms for 9,000 on SQLite). With
-- the person last, the page is an index walk that stops at the page's end.
DROP INDEX enrolments_waiting_idx;
CREATE INDEX enrolments_waiting_idx ON enrolments (programme_id, role, status, (COALESCE(decided_at, created_at)), person_id);
