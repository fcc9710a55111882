-- The access log (issue 8): one row per view of a case's personal data, in one global hash
-- chain (see store::chain::access_hash and docs/decisions.md, 31). The row names who, when,
-- which case, what kind of view and from which address; never the data itself.
--
-- Checkpoints also anchor the log's newest row from now on. Checkpoints written before keep
-- NULL in the two new columns, and their hash stays over the fields they had.

CREATE TABLE access_log (
    seq      INTEGER NOT NULL PRIMARY KEY CHECK (seq >= 1), -- 1, 2, … (one writer: no gaps)
    at       INTEGER NOT NULL,
    user_id  TEXT    NOT NULL,
    role     TEXT    NOT NULL,
    unit     TEXT    NOT NULL,
    case_id  TEXT    NOT NULL,
    what     TEXT    NOT NULL, -- a store::Viewed code: case, receipt, document, coordination
    document TEXT,             -- the document's kind, for `document`
    language TEXT,             -- the document's language, for `document`
    origin   TEXT,             -- the client's IP address as the web layer saw it
    hash     TEXT    NOT NULL  -- SHA-256 (hex), see store::chain::access_hash
) STRICT;

CREATE INDEX access_log_by_case ON access_log (case_id, seq);
CREATE INDEX access_log_by_user ON access_log (user_id, seq);

CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;

CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;

ALTER TABLE audit_checkpoints ADD COLUMN access_through INTEGER; -- the access log's newest seq
ALTER TABLE audit_checkpoints ADD COLUMN access_head TEXT;       -- and its hash
