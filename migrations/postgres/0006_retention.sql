-- Retention: a project may keep per-check rows and raw artifacts for a number of days
-- (NULL: forever). A pruned report keeps its row, counts and category aggregates.
ALTER TABLE projects ADD COLUMN retention_days BIGINT;
ALTER TABLE reports ADD COLUMN pruned_at BIGINT;
