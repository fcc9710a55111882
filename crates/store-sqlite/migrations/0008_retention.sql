-- Retention (issue 8): a purged case's tombstone, and the one change to its events the
-- append-only triggers of 0001 now let through: replacing each body, once, by its redacted form
-- after the tombstone is written (see docs/retention.md and decision 32).
--
-- Number 0008: 0007 belongs to another change; the migrator applies whatever is pending in
-- order and does not need the numbers to be contiguous.

CREATE TABLE case_tombstones (
    case_id       TEXT    NOT NULL PRIMARY KEY REFERENCES cases (case_id),
    head_version  INTEGER NOT NULL CHECK (head_version >= 1),
    head_hash     TEXT    NOT NULL, -- the chain's head before redaction
    redacted_head TEXT    NOT NULL, -- the redaction chain's head (store::chain::redaction_hash)
    purged_at     INTEGER NOT NULL,
    purged_by     TEXT    NOT NULL,
    rule          TEXT    NOT NULL
) STRICT;

CREATE TRIGGER case_tombstones_no_update BEFORE UPDATE ON case_tombstones
BEGIN
    SELECT RAISE(ABORT, 'tombstones are append-only');
END;

CREATE TRIGGER case_tombstones_no_delete BEFORE DELETE ON case_tombstones
BEGIN
    SELECT RAISE(ABORT, 'tombstones are append-only');
END;

-- An event may be updated only if its case has a tombstone covering its version, only its
-- body changes, and the body is not redacted yet (a redacted body is an object with the key
-- "redacted"). Everything else is refused as before; deletion stays refused always.
DROP TRIGGER events_no_update;

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
WHEN NOT EXISTS (SELECT 1 FROM case_tombstones t WHERE t.case_id = OLD.case_id AND OLD.version <= t.head_version)
    OR NEW.case_id IS NOT OLD.case_id
    OR NEW.version IS NOT OLD.version
    OR NEW.at IS NOT OLD.at
    OR NEW.hash IS NOT OLD.hash
    OR NEW.seq IS NOT OLD.seq
    OR json_type(OLD.body, '$.redacted') IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
