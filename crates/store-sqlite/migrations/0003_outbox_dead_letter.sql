-- The outbox's dead-letter state: a message refused by the other system, or failing too many
-- times, becomes `dead` and waits for an operator instead of being tried forever. `dead_at`
-- records when it was given up on.
--
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt: a new table with
-- the wider check, the rows copied with their `seq` (creation order), the old table dropped,
-- the new one renamed and the indexes made again. No other table refers to the outbox.

CREATE TABLE outbox_new (
    seq             INTEGER NOT NULL PRIMARY KEY,
    id              TEXT    NOT NULL UNIQUE,
    case_id         TEXT    NOT NULL REFERENCES cases (case_id),
    kind            TEXT    NOT NULL,
    payload         TEXT    NOT NULL, -- JSON
    idempotency_key TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    due_at          INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER,
    dead_at         INTEGER
) STRICT;

INSERT INTO outbox_new (seq, id, case_id, kind, payload, idempotency_key, state, attempts, due_at, last_error, created_at, delivered_at)
SELECT seq, id, case_id, kind, payload, idempotency_key, state, attempts, due_at, last_error, created_at, delivered_at FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;

CREATE INDEX outbox_due ON outbox (state, due_at);
CREATE INDEX outbox_by_case ON outbox (case_id);
