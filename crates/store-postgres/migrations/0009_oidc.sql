-- Sign-in through an OpenID Connect provider (issue 8); as in the SQLite store: the subject
-- (`sub`) the provider knows a user by, NULL when not linked, at most one account per subject
-- (a unique constraint, which ignores NULLs). Compared byte for byte (COLLATE "C").

ALTER TABLE users ADD COLUMN oidc_subject TEXT COLLATE "C";
ALTER TABLE users ADD CONSTRAINT users_oidc_subject_key UNIQUE (oidc_subject);
