-- The initial schema of the PostgreSQL store: the same tables as the SQLite store (the event
-- log, its projections, idempotency records, the outbox, timers, counters, definitions, users).
--
-- Timestamps are BIGINT microseconds since the Unix epoch (UTC), as in SQLite, so that both
-- backends keep exactly the precision the trait promises and compare the same way. JSON values
-- are JSONB (checked on write, queryable). Identifiers use the "C" collation so that ordering by
-- them is bytewise, as in SQLite, whatever the database's default collation.
-- Constraints that the code maps to errors are named explicitly (see src/error.rs).

-- Definition files, kept byte for byte (TEXT, not JSONB: they are TOML). `stored_at` is audit
-- information only, taken from the database's clock.
CREATE TABLE definitions (
    hash      TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    edition   TEXT COLLATE "C" NOT NULL,
    source    TEXT   NOT NULL,
    stored_at BIGINT NOT NULL DEFAULT ((EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT)
);

-- Per-year counters for case reference numbers.
CREATE TABLE counters (
    name  TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    value BIGINT NOT NULL
);

-- The case list projection, one row per case, replaced on every commit of the case. Its row is
-- also the lock a commit takes (SELECT … FOR UPDATE) before checking the case's version.
CREATE TABLE cases (
    case_id      TEXT COLLATE "C" NOT NULL,
    reference    TEXT COLLATE "C" NOT NULL,
    edition      TEXT   NOT NULL,
    edition_hash TEXT   NOT NULL,
    status       TEXT   NOT NULL,
    result       TEXT,
    sc_branch    TEXT   NOT NULL,
    provider     TEXT   NOT NULL,
    open_steps   JSONB  NOT NULL, -- array of step ids
    version      BIGINT NOT NULL,
    opened_at    BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    CONSTRAINT cases_pkey PRIMARY KEY (case_id),
    CONSTRAINT cases_reference_key UNIQUE (reference)
);

CREATE INDEX cases_by_sc_branch ON cases (sc_branch, opened_at);
CREATE INDEX cases_by_provider ON cases (provider, opened_at);
CREATE INDEX cases_by_opened_at ON cases (opened_at);

-- The event log: the source of truth. A case's versions are 1, 2, … without gaps.
CREATE TABLE events (
    case_id TEXT COLLATE "C" NOT NULL REFERENCES cases (case_id),
    version BIGINT NOT NULL CHECK (version >= 1),
    at      BIGINT NOT NULL,
    body    JSONB  NOT NULL, -- the whole event
    CONSTRAINT events_pkey PRIMARY KEY (case_id, version)
);

-- History is never rewritten: refuse it in the database too, not only in the code.
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END;
$$;

CREATE TRIGGER events_no_update_or_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();

-- The worklist projection, one row per task; done tasks stay for reports.
CREATE TABLE tasks (
    case_id      TEXT COLLATE "C" NOT NULL REFERENCES cases (case_id),
    task_id      BIGINT NOT NULL,
    reference    TEXT   NOT NULL,
    step         TEXT   NOT NULL,
    role         TEXT   NOT NULL,
    unit         TEXT   NOT NULL,
    assignee     TEXT,
    cites        JSONB  NOT NULL, -- array
    time_limit   TEXT   NOT NULL, -- the regulated limit as written
    opened_at    BIGINT NOT NULL,
    due_at       BIGINT,
    warn_at      BIGINT,
    escalated_to TEXT,
    done_at      BIGINT,
    outcome      TEXT,
    done_by      TEXT,
    CONSTRAINT tasks_pkey PRIMARY KEY (case_id, task_id)
);

CREATE INDEX tasks_worklist ON tasks (role, unit, done_at, due_at, opened_at);
CREATE INDEX tasks_by_assignee ON tasks (assignee);
CREATE INDEX tasks_done ON tasks (done_at) WHERE done_at IS NOT NULL;
CREATE INDEX tasks_escalated ON tasks (escalated_to, unit, done_at) WHERE escalated_to IS NOT NULL;

-- The first answer to each command, by the user who sent it and their key.
CREATE TABLE idempotency (
    user_id      TEXT   NOT NULL,
    idem_key     TEXT   NOT NULL,
    request_hash TEXT   NOT NULL,
    case_id      TEXT COLLATE "C" NOT NULL REFERENCES cases (case_id),
    response     JSONB  NOT NULL,
    created_at   BIGINT NOT NULL,
    CONSTRAINT idempotency_pkey PRIMARY KEY (user_id, idem_key)
);

-- Calls to external systems, written with the events that require them. `seq` records the
-- insertion order (creation order, also among messages of one commit).
CREATE TABLE outbox (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id              TEXT COLLATE "C" NOT NULL,
    case_id         TEXT COLLATE "C" NOT NULL REFERENCES cases (case_id),
    kind            TEXT   NOT NULL,
    payload         JSONB  NOT NULL,
    idempotency_key TEXT   NOT NULL,
    state           TEXT   NOT NULL CHECK (state IN ('pending', 'delivered')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    due_at          BIGINT NOT NULL,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    delivered_at    BIGINT,
    CONSTRAINT outbox_id_key UNIQUE (id)
);

-- Dispatchers claim pending messages by due time.
CREATE INDEX outbox_due ON outbox (due_at, seq) WHERE state = 'pending';
CREATE INDEX outbox_by_case ON outbox (case_id);

-- Timers: written with the event that causes them, claimed by a lease, marked fired in the
-- transaction that records their effect.
CREATE TABLE timers (
    id            TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    case_id       TEXT COLLATE "C" NOT NULL REFERENCES cases (case_id),
    kind          TEXT   NOT NULL,
    payload       JSONB  NOT NULL,
    due_at        BIGINT NOT NULL,
    state         TEXT   NOT NULL CHECK (state IN ('pending', 'fired')),
    attempts      BIGINT NOT NULL DEFAULT 0,
    claimed_until BIGINT,
    fired_at      BIGINT
);

CREATE INDEX timers_due ON timers (due_at, id) WHERE state = 'pending';
CREATE INDEX timers_by_case ON timers (case_id);

-- People and system accounts who sign in; only a hash of each API token is kept.
CREATE TABLE users (
    id           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    display_name TEXT    NOT NULL,
    role         TEXT    NOT NULL,
    unit         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL,
    active       BOOLEAN NOT NULL,
    CONSTRAINT users_token_hash_key UNIQUE (token_hash)
);
