-- Retention (issue 8), as in the SQLite store: a purged case's tombstone, and the one change
-- to its events the append-only trigger of 0001 now lets through: replacing each body, once,
-- by its redacted form after the tombstone is written (see docs/retention.md, decision 32).
--
-- Number 0008: 0007 belongs to another change; the migrator applies whatever is pending in
-- order and does not need the numbers to be contiguous.

CREATE TABLE case_tombstones (
    case_id       TEXT COLLATE "C" NOT NULL,
    head_version  BIGINT NOT NULL,
    head_hash     TEXT   NOT NULL, -- the chain's head before redaction
    redacted_head TEXT   NOT NULL, -- the redaction chain's head (store::chain::redaction_hash)
    purged_at     BIGINT NOT NULL,
    purged_by     TEXT   NOT NULL,
    rule          TEXT   NOT NULL,
    CONSTRAINT case_tombstones_pkey PRIMARY KEY (case_id),
    CONSTRAINT case_tombstones_case_fkey FOREIGN KEY (case_id) REFERENCES cases (case_id),
    CONSTRAINT case_tombstones_head_version_check CHECK (head_version >= 1)
);

CREATE FUNCTION case_tombstones_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'tombstones are append-only';
END;
$$;

CREATE TRIGGER case_tombstones_no_update_or_delete BEFORE UPDATE OR DELETE ON case_tombstones
    FOR EACH ROW EXECUTE FUNCTION case_tombstones_append_only();

-- The events' trigger (0001) calls this function for UPDATE and DELETE: an update passes only
-- if the case has a tombstone covering the event's version, only the body changes, and the
-- body is not redacted yet. Deletion stays refused always.
CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND EXISTS (SELECT 1 FROM case_tombstones t WHERE t.case_id = OLD.case_id AND OLD.version <= t.head_version)
        AND NEW.case_id = OLD.case_id
        AND NEW.version = OLD.version
        AND NEW.at = OLD.at
        AND NEW.hash IS NOT DISTINCT FROM OLD.hash
        AND NEW.seq IS NOT DISTINCT FROM OLD.seq
        AND NOT (jsonb_typeof(OLD.body) = 'object' AND OLD.body ? 'redacted')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'events are append-only';
END;
$$;
