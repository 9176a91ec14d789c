-- The bell: in-app notifications (issue 18, section 1).
--
-- Every email Rapport queues for a person (all but account mail) also leaves
-- one row here, whether or not they switched that kind of email off: the
-- preference controls the email, never what the person sees on the site.
-- Deleting the account deletes their notifications.
CREATE TABLE notifications (
    id BLOB PRIMARY KEY NOT NULL,
    person_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
-- The list, newest first, by keyset.
CREATE INDEX notifications_person_idx ON notifications (person_id, created_at);
-- The bell's unread count on every page.
CREATE INDEX notifications_unread_idx ON notifications (person_id) WHERE read_at IS NULL;

-- The action inbox counts what waits on a manager per programme; these keep
-- those counts index-only at 100,000 people.
CREATE INDEX enrolments_programme_status_idx ON enrolments (programme_id, status);
CREATE INDEX match_rounds_status_idx ON match_rounds (programme_id, status);
CREATE INDEX room_members_programme_idx ON room_members (programme_id, person_id, role);
CREATE INDEX session_feedback_person_idx ON session_feedback (person_id, session_id);
