-- Emails are rendered once, when queued: the outbox keeps the HTML part and the
-- one-click unsubscribe URL next to the text part, so a retry sends the same
-- message. Rows queued before this migration have neither and go out as plain
-- text, as they were written.
ALTER TABLE outbox ADD COLUMN body_html TEXT;
ALTER TABLE outbox ADD COLUMN unsubscribe_url TEXT;

-- Audit states are JSON objects from now on, and the store refuses to read
-- anything else. Older rows held free text (a name, a status code) or a JSON
-- scalar; keep what they said under "value". PostgreSQL 15 has no IS JSON
-- test, so a throwaway function catches the cast error instead.
CREATE FUNCTION rapport_0004_audit_object(t TEXT) RETURNS TEXT LANGUAGE plpgsql AS $$
DECLARE
    v JSONB;
BEGIN
    IF t IS NULL THEN
        RETURN NULL;
    END IF;
    BEGIN
        v := t::jsonb;
    EXCEPTION WHEN others THEN
        RETURN jsonb_build_object('value', t)::text;
    END;
    IF jsonb_typeof(v) = 'object' THEN
        RETURN t;
    END IF;
    RETURN jsonb_build_object('value', v)::text;
END
$$;
UPDATE audit_events
SET before_json = rapport_0004_audit_object(before_json),
    after_json = rapport_0004_audit_object(after_json)
WHERE before_json IS NOT NULL OR after_json IS NOT NULL;
DROP FUNCTION rapport_0004_audit_object(TEXT);

-- The audit log is read newest first by (created_at, id) keyset.
CREATE INDEX audit_events_keyset_idx ON audit_events (created_at, id);
DROP INDEX audit_events_created_idx;
