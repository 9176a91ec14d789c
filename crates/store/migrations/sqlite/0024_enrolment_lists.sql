-- The participants list pages newest first, filtered by status or not
-- (issues 18 and 20): each order is an index walk, not a sort of the programme.
CREATE INDEX enrolments_programme_created_idx ON enrolments (programme_id, created_at, id);
CREATE INDEX enrolments_programme_status_created_idx ON enrolments (programme_id, status, created_at, id);
-- Its prefix (programme_id, status) was an index of its own; one is enough.
DROP INDEX enrolments_programme_status_idx;
