-- The access log (issue 8), as in the SQLite store: one row per view of a case's personal
-- data, in one global hash chain (see store::chain::access_hash and docs/decisions.md, 31).
-- The row names who, when, which case, what kind of view and from which address; never the
-- data itself. Rows are numbered under a table lock (Store::record_access), not from a
-- sequence, so that the numbers have no gaps and follow the chain.
--
-- Checkpoints also anchor the log's newest row from now on. Checkpoints written before keep
-- NULL in the two new columns, and their hash stays over the fields they had.

CREATE TABLE access_log (
    seq      BIGINT NOT NULL,
    at       BIGINT NOT NULL,
    user_id  TEXT   NOT NULL,
    role     TEXT   NOT NULL,
    unit     TEXT   NOT NULL,
    case_id  TEXT   NOT NULL,
    what     TEXT   NOT NULL, -- a store::Viewed code: case, receipt, document, coordination
    document TEXT,            -- the document's kind, for `document`
    language TEXT,            -- the document's language, for `document`
    origin   TEXT,            -- the client's IP address as the web layer saw it
    hash     TEXT   NOT NULL, -- SHA-256 (hex), see store::chain::access_hash
    CONSTRAINT access_log_pkey PRIMARY KEY (seq),
    CONSTRAINT access_log_seq_check CHECK (seq >= 1)
);

CREATE INDEX access_log_by_case ON access_log (case_id, seq);
CREATE INDEX access_log_by_user ON access_log (user_id, seq);

CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only';
END;
$$;

CREATE TRIGGER access_log_no_update_or_delete BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION access_log_append_only();

ALTER TABLE audit_checkpoints ADD COLUMN access_through BIGINT; -- the access log's newest seq
ALTER TABLE audit_checkpoints ADD COLUMN access_head TEXT;      -- and its hash
