-- Issued documents and officials' public signing keys (issue 5); as in the SQLite store.
--
-- The view is TEXT, not JSONB: JSONB would reorder its keys and drop nothing of meaning, but the
-- stored text is what the document was rendered from, and keeping it byte for byte costs
-- nothing. Rows are written in the same transaction as the `DocumentIssued` event.
CREATE TABLE documents (
    id                  TEXT COLLATE "C" NOT NULL,
    case_id             TEXT COLLATE "C" NOT NULL REFERENCES cases (case_id),
    task_id             BIGINT NOT NULL,
    kind                TEXT   NOT NULL,
    hash                TEXT   NOT NULL, -- SHA-256 (hex) of the canonical content
    view                TEXT   NOT NULL, -- the document view, JSON text
    signature           TEXT,            -- the signature, JSON text, when signed
    verification_code   TEXT COLLATE "C",
    registration_number TEXT COLLATE "C",
    issued_at           BIGINT NOT NULL,
    revoked_at          BIGINT,
    -- The order documents were issued in (clocks of several replicas need not agree).
    seq                 BIGINT GENERATED ALWAYS AS IDENTITY,
    CONSTRAINT documents_pkey PRIMARY KEY (id),
    CONSTRAINT documents_verification_code_key UNIQUE (verification_code)
);

CREATE INDEX documents_by_case ON documents (case_id, seq);
CREATE INDEX documents_by_registration_number ON documents (registration_number);

-- Public keys of the officials who sign; the private keys never reach the database.
CREATE TABLE official_keys (
    key_id     TEXT COLLATE "C" NOT NULL,
    user_id    TEXT COLLATE "C" NOT NULL,
    algorithm  TEXT   NOT NULL,
    public_key TEXT   NOT NULL, -- PEM
    created_at BIGINT NOT NULL,
    CONSTRAINT official_keys_pkey PRIMARY KEY (key_id)
);

CREATE INDEX official_keys_by_user ON official_keys (user_id, created_at);
