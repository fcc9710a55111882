-- The tamper-evident audit log (issue 8), as in the SQLite store: each event's hash in its
-- case's chain, its commit sequence, and the checkpoints that anchor every chain (see
-- store::chain and docs/decisions.md).
--
-- Events written before this migration keep NULL in both columns (they are append-only, so
-- they are not filled in afterwards); the verifier hashes them all the same, and the first
-- later event's stored hash commits to them. `seq` comes from a sequence: it has gaps and is
-- not commit-ordered by itself; commits hold a shared advisory lock that a checkpoint's mark
-- waits for (Store::audit_mark), so a mark is never overtaken.

ALTER TABLE events ADD COLUMN hash TEXT COLLATE "C"; -- SHA-256 (hex), see store::chain::event_hash
ALTER TABLE events ADD COLUMN seq BIGINT;

CREATE SEQUENCE events_seq AS BIGINT;
CREATE UNIQUE INDEX events_by_seq ON events (seq);

CREATE TABLE audit_checkpoints (
    seq     BIGINT NOT NULL,
    at      BIGINT NOT NULL,
    cases   BIGINT NOT NULL,
    events  BIGINT NOT NULL,
    through BIGINT NOT NULL, -- the events' seq it covers
    root    TEXT   NOT NULL,
    prev    TEXT   NOT NULL,
    hash    TEXT   NOT NULL,
    CONSTRAINT audit_checkpoints_pkey PRIMARY KEY (seq),
    CONSTRAINT audit_checkpoints_hash_key UNIQUE (hash),
    CONSTRAINT audit_checkpoints_seq_check CHECK (seq >= 1)
);

CREATE FUNCTION audit_checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit checkpoints are append-only';
END;
$$;

CREATE TRIGGER audit_checkpoints_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();
