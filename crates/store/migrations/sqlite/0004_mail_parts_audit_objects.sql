-- Emails are rendered once, when queued: the outbox keeps the HTML part and the
-- one-click unsubscribe URL next to the text part, so a retry sends the same
-- message. Rows queued before this migration have neither and go out as plain
-- text, as they were written.
ALTER TABLE outbox ADD COLUMN body_html TEXT;
ALTER TABLE outbox ADD COLUMN unsubscribe_url TEXT;

-- Audit states are JSON objects from now on, and the store refuses to read
-- anything else. Older rows held free text (a name, a status code) or a JSON
-- scalar; keep what they said under "value".
UPDATE audit_events SET before_json = CASE
    WHEN json_valid(before_json) THEN json_object('value', json(before_json))
    ELSE json_object('value', before_json) END
WHERE before_json IS NOT NULL
  AND NOT (json_valid(before_json) AND json_type(before_json) = 'object');
UPDATE audit_events SET after_json = CASE
    WHEN json_valid(after_json) THEN json_object('value', json(after_json))
    ELSE json_object('value', after_json) END
WHERE after_json IS NOT NULL
  AND NOT (json_valid(after_json) AND json_type(after_json) = 'object');

-- The audit log is read newest first by (created_at, id) keyset.
CREATE INDEX audit_events_keyset_idx ON audit_events (created_at, id);
DROP INDEX audit_events_created_idx;
