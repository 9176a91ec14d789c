-- Safe actions (issue 18 §5): a closed programme can be reopened by an admin
-- within 30 days, and returns to the status it had before closing. One row
-- per closed programme, written by the close and deleted by the reopening;
-- closed_from is that earlier status (open or running).
CREATE TABLE programme_closings (
    programme_id BLOB PRIMARY KEY NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    closed_at BIGINT NOT NULL,
    closed_from TEXT NOT NULL CHECK (closed_from IN ('draft', 'open', 'running'))
);
