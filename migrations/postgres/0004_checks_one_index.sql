-- Status filters use status_rank (one value per status), so one index on checks serves the
-- failures-first listing and the per-status listing; each index costs time at every ingest.
DROP INDEX IF EXISTS checks_report_status;
