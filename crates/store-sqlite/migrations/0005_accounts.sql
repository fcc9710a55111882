-- Accounts for people who sign in to the web UI (issue 8): a password per user, the count of
-- failed logins and the lock it leads to, and server-side sessions.
--
-- The password is kept as an argon2id PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`),
-- never in the clear; NULL means the account has no password (system accounts, or staff who
-- only use API tokens). A session row is found by the SHA-256 (hex) of its token: the token
-- itself lives only in the browser's cookie, so a copy of the database opens no session.

ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0);
ALTER TABLE users ADD COLUMN locked_until INTEGER; -- logins refused until then

CREATE TABLE sessions (
    id_hash      TEXT    NOT NULL PRIMARY KEY, -- SHA-256 (hex) of the session token
    user_id      TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL, -- for the idle timeout
    expires_at   INTEGER NOT NULL  -- the absolute end, however active the session is
) STRICT, WITHOUT ROWID;

-- Ending every session of a user (password change, account disabled), and purging old ones.
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
