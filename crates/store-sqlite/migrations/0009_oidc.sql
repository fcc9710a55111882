-- Sign-in through an OpenID Connect provider (issue 8): the subject (`sub`) the provider
-- knows a user by. The provider proves who the person is; the role and unit stay ours, so a
-- person signs in this way only through a local account linked here. NULL: not linked.
-- A subject belongs to at most one account (the unique index skips NULLs).

ALTER TABLE users ADD COLUMN oidc_subject TEXT;

CREATE UNIQUE INDEX users_by_oidc_subject ON users (oidc_subject);
