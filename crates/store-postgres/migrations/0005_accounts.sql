-- Accounts for people who sign in to the web UI (issue 8); as in the SQLite store: a password
-- per user (an argon2id PHC string; NULL: none), the count of failed logins and the lock it
-- leads to, and server-side sessions found by the SHA-256 (hex) of their token, which itself
-- is never stored. Sessions are rows so that every replica sees a login and a logout at once.

ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN failed_logins BIGINT NOT NULL DEFAULT 0
    CONSTRAINT users_failed_logins_check CHECK (failed_logins >= 0);
ALTER TABLE users ADD COLUMN locked_until BIGINT; -- logins refused until then

CREATE TABLE sessions (
    id_hash      TEXT COLLATE "C" NOT NULL, -- SHA-256 (hex) of the session token
    user_id      TEXT COLLATE "C" NOT NULL,
    csrf_token   TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL, -- for the idle timeout
    expires_at   BIGINT NOT NULL, -- the absolute end, however active the session is
    CONSTRAINT sessions_pkey PRIMARY KEY (id_hash),
    CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

-- Ending every session of a user (password change, account disabled), and purging old ones.
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
