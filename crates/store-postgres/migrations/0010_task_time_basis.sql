-- The minutes a task's deadline was computed in, recorded with the task row (issue 9); as in
-- the SQLite store: 'office_minutes' or 'elapsed_minutes' (calendar-day limits, such as the
-- KNB's extension), NULL on rows written before this migration, for which the compliance
-- report falls back to the case's event log.

ALTER TABLE tasks ADD COLUMN time_basis TEXT;
