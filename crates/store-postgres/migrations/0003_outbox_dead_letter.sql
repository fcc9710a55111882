-- The outbox's dead-letter state: a message refused by the other system, or failing too many
-- times, becomes `dead` and waits for an operator instead of being tried forever. `dead_at`
-- records when it was given up on. The check constraint of 0001 had no name of its own; the
-- new one is named like the others.

ALTER TABLE outbox DROP CONSTRAINT outbox_state_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_state_check CHECK (state IN ('pending', 'delivered', 'dead'));
ALTER TABLE outbox ADD COLUMN dead_at BIGINT;

-- The operator's list of dead messages, newest first.
CREATE INDEX outbox_dead ON outbox (seq) WHERE state = 'dead';
