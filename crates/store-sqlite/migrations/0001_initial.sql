-- The initial schema of the SQLite store: the append-only event log, its projections (case
-- summaries and tasks), idempotency records, the outbox, counters, definitions and users.
--
-- Timestamps are INTEGER microseconds since the Unix epoch (UTC). JSON values are TEXT.
-- Tables are STRICT so that a wrongly typed value is refused instead of silently coerced.

-- Definition files, kept byte for byte: a case refers to the exact text it was decided on.
-- `stored_at` is audit information only, nothing is decided on it; the trait passes no time
-- for it, so the database's clock records it.
CREATE TABLE definitions (
    hash      TEXT    NOT NULL PRIMARY KEY,
    edition   TEXT    NOT NULL,
    source    TEXT    NOT NULL,
    stored_at INTEGER NOT NULL DEFAULT (CAST(unixepoch('now', 'subsec') * 1000000 AS INTEGER))
) STRICT;

-- Per-year counters for case reference numbers.
CREATE TABLE counters (
    name  TEXT    NOT NULL PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;

-- The case list projection, one row per case, replaced on every commit of the case.
CREATE TABLE cases (
    case_id      TEXT    NOT NULL PRIMARY KEY,
    reference    TEXT    NOT NULL UNIQUE,
    edition      TEXT    NOT NULL,
    edition_hash TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    result       TEXT,
    sc_branch    TEXT    NOT NULL,
    provider     TEXT    NOT NULL,
    open_steps   TEXT    NOT NULL, -- JSON array of step ids
    version      INTEGER NOT NULL,
    opened_at    INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;

-- A unit sees the cases where it is the branch or the provider, newest first.
CREATE INDEX cases_by_sc_branch ON cases (sc_branch, opened_at);
CREATE INDEX cases_by_provider ON cases (provider, opened_at);
CREATE INDEX cases_by_opened_at ON cases (opened_at);

-- The event log: the source of truth. A case's versions are 1, 2, … without gaps.
CREATE TABLE events (
    case_id TEXT    NOT NULL REFERENCES cases (case_id),
    version INTEGER NOT NULL CHECK (version >= 1),
    at      INTEGER NOT NULL,
    body    TEXT    NOT NULL, -- the whole event as JSON
    PRIMARY KEY (case_id, version)
) STRICT, WITHOUT ROWID;

-- History is never rewritten: refuse it in the database too, not only in the code.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

-- The worklist projection, one row per task; done tasks stay for reports.
CREATE TABLE tasks (
    case_id    TEXT    NOT NULL REFERENCES cases (case_id),
    task_id    INTEGER NOT NULL,
    reference  TEXT    NOT NULL,
    step       TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    unit       TEXT    NOT NULL,
    assignee   TEXT,
    cites      TEXT    NOT NULL, -- JSON array
    time_limit TEXT    NOT NULL, -- the regulated limit as written
    opened_at  INTEGER NOT NULL,
    due_at     INTEGER, -- the deadline on the working calendar, when known
    warn_at    INTEGER, -- from then on the task is at risk
    escalated_to TEXT,  -- the role an overdue task was escalated to
    done_at    INTEGER,
    outcome    TEXT,
    done_by    TEXT,
    PRIMARY KEY (case_id, task_id)
) STRICT;

CREATE INDEX tasks_worklist ON tasks (role, unit, done_at, due_at, opened_at);
CREATE INDEX tasks_by_assignee ON tasks (assignee);
CREATE INDEX tasks_done ON tasks (done_at) WHERE done_at IS NOT NULL; -- compliance reports by period
CREATE INDEX tasks_escalated ON tasks (escalated_to, unit, done_at) WHERE escalated_to IS NOT NULL;

-- The first answer to each command, by the user who sent it and their key.
CREATE TABLE idempotency (
    user_id      TEXT    NOT NULL,
    idem_key     TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    case_id      TEXT    NOT NULL REFERENCES cases (case_id),
    response     TEXT    NOT NULL, -- JSON
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, idem_key)
) STRICT;

-- Calls to external systems, written with the events that require them.
-- `seq` records the insertion order: creation order survives a VACUUM (rowids of a table
-- without an INTEGER PRIMARY KEY may be renumbered) and ties in created_at.
CREATE TABLE outbox (
    seq             INTEGER NOT NULL PRIMARY KEY,
    id              TEXT    NOT NULL UNIQUE,
    case_id         TEXT    NOT NULL REFERENCES cases (case_id),
    kind            TEXT    NOT NULL,
    payload         TEXT    NOT NULL, -- JSON
    idempotency_key TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'delivered')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    due_at          INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER
) STRICT;

CREATE INDEX outbox_due ON outbox (state, due_at);
CREATE INDEX outbox_by_case ON outbox (case_id);

-- Timers: written with the event that causes them, claimed by a lease, marked fired in the
-- transaction that records their effect.
CREATE TABLE timers (
    id            TEXT    PRIMARY KEY,
    case_id       TEXT    NOT NULL REFERENCES cases (case_id),
    kind          TEXT    NOT NULL,
    payload       TEXT    NOT NULL, -- JSON
    due_at        INTEGER NOT NULL,
    state         TEXT    NOT NULL CHECK (state IN ('pending', 'fired')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    claimed_until INTEGER,
    fired_at      INTEGER
) STRICT;

CREATE INDEX timers_due ON timers (state, due_at);
CREATE INDEX timers_by_case ON timers (case_id);

-- People and system accounts who sign in; only a hash of each API token is kept.
CREATE TABLE users (
    id           TEXT    NOT NULL PRIMARY KEY,
    display_name TEXT    NOT NULL,
    role         TEXT    NOT NULL,
    unit         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    active       INTEGER NOT NULL CHECK (active IN (0, 1))
) STRICT;
