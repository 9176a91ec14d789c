-- Roadmaps join the full-text index (issue 19): crates/store/src/fulltext.rs
-- DocKind::Roadmap. From now on the store indexes a roadmap in the same
-- transaction as its writes; this fills the index for roadmaps written
-- before: the published text, or for a roadmap never published its draft's
-- title (only its author finds it; the next edit indexes the whole draft).
INSERT INTO fulltext_docs (kind, doc_id, body)
    SELECT 'roadmap', id, CASE WHEN latest_version > 0 THEN search_text ELSE lower(title) END
    FROM roadmaps WHERE true
    ON CONFLICT (kind, doc_id) DO NOTHING;

-- A roadmap that goes leaves no index entry behind.
CREATE TRIGGER roadmaps_forget AFTER DELETE ON roadmaps BEGIN
    DELETE FROM fulltext_docs WHERE kind = 'roadmap' AND doc_id = OLD.id;
END;
