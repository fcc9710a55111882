-- Issued documents and officials' public signing keys (issue 5).
--
-- A document keeps the view it was rendered from as JSON text, exactly as written, so that it
-- renders again to the same PDF and its canonical content can be checked against its hash and
-- signature years later. Rows are written in the same transaction as the `DocumentIssued` event.
CREATE TABLE documents (
    id                  TEXT    NOT NULL PRIMARY KEY,
    case_id             TEXT    NOT NULL REFERENCES cases (case_id),
    task_id             INTEGER NOT NULL,
    kind                TEXT    NOT NULL,
    hash                TEXT    NOT NULL, -- SHA-256 (hex) of the canonical content
    view                TEXT    NOT NULL, -- the document view, JSON
    signature           TEXT,             -- the signature, JSON, when signed
    verification_code   TEXT    UNIQUE,   -- the public verification code (invitations)
    registration_number TEXT,             -- the invitation's number, for revocation
    issued_at           INTEGER NOT NULL,
    revoked_at          INTEGER
) STRICT;

-- Issue order is insertion order (rowid).
CREATE INDEX documents_by_case ON documents (case_id);
CREATE INDEX documents_by_registration_number ON documents (registration_number);

-- Public keys of the officials who sign; the private keys live in the server's keys directory
-- (or a national PKI's device), never here. A user's newest key is the one they sign with.
CREATE TABLE official_keys (
    key_id     TEXT    NOT NULL PRIMARY KEY,
    user_id    TEXT    NOT NULL,
    algorithm  TEXT    NOT NULL,
    public_key TEXT    NOT NULL, -- PEM
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX official_keys_by_user ON official_keys (user_id, created_at);
