-- The minutes a task's deadline was computed in, recorded when the engine writes the task row
-- (issue 9): 'office_minutes', or 'elapsed_minutes' for a limit in calendar days, such as the
-- KNB's extension of the coordination step. The compliance report used to replay the case's
-- event log to learn whether the extension had moved a task to calendar days; with this column
-- it reads the row alone. NULL: a row written before this migration, for which the report
-- still falls back to the event log.

ALTER TABLE tasks ADD COLUMN time_basis TEXT;
