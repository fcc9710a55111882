-- Two indexes the benchmark suite found missing at a million cases (docs/benchmarks.md):
-- the open tasks per step that /metrics counts at every scrape (a full scan without it), and
-- one unit's tasks done in a period, which its head's compliance report reads.
CREATE INDEX tasks_open_by_step ON tasks (step, due_at, warn_at) WHERE done_at IS NULL;
CREATE INDEX tasks_done_by_unit ON tasks (unit, done_at) WHERE done_at IS NOT NULL;
