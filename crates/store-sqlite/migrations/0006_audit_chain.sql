-- The tamper-evident audit log (issue 8): each event's hash in its case's chain, its commit
-- sequence, and the checkpoints that anchor every chain (see store::chain and docs/decisions.md).
--
-- Events written before this migration keep NULL in both columns: SQLite has no SHA-256, and
-- events are append-only (the triggers of 0001), so they cannot be filled in afterwards. The
-- verifier still hashes them (the chain is defined over every event); only the stored value to
-- compare with is missing, and the first later event's stored hash commits to them.

ALTER TABLE events ADD COLUMN hash TEXT; -- SHA-256 (hex), see store::chain::event_hash
ALTER TABLE events ADD COLUMN seq INTEGER; -- commit order, 1, 2, … (one writer: no gaps)

CREATE UNIQUE INDEX events_by_seq ON events (seq);

CREATE TABLE audit_checkpoints (
    seq     INTEGER NOT NULL PRIMARY KEY CHECK (seq >= 1),
    at      INTEGER NOT NULL,
    cases   INTEGER NOT NULL,
    events  INTEGER NOT NULL,
    through INTEGER NOT NULL, -- the events' seq it covers
    root    TEXT    NOT NULL,
    prev    TEXT    NOT NULL,
    hash    TEXT    NOT NULL UNIQUE
) STRICT;

CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit checkpoints are append-only');
END;

CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit checkpoints are append-only');
END;
