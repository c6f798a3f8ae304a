-- Provenance (PRODUCT.md rule 7): hand-written reports are self-reported, tool output measured.
ALTER TABLE reports ADD COLUMN provenance TEXT NOT NULL DEFAULT 'measured';
UPDATE reports SET provenance = 'self_reported' WHERE format = 'markdown';

-- Counts keep partial (warn) and not run apart: `failed` used to include warn/partial and
-- `skipped` used to include not_run. Existing rows are recounted from their checks (metric
-- targets are only ever pass or fail, so they need no recount).
ALTER TABLE reports ADD COLUMN partial BIGINT NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN not_run BIGINT NOT NULL DEFAULT 0;
UPDATE reports SET
    partial = (SELECT COUNT(*) FROM checks c WHERE c.report_id = reports.id AND c.status IN ('warn', 'partial')),
    not_run = (SELECT COUNT(*) FROM checks c WHERE c.report_id = reports.id AND c.status = 'not_run');
UPDATE reports SET failed = failed - partial, skipped = skipped - not_run;

ALTER TABLE report_categories ADD COLUMN partial BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_categories ADD COLUMN not_run BIGINT NOT NULL DEFAULT 0;
-- A check without a category was tallied under its suite's kind, else the suite's name.
UPDATE report_categories SET
    partial = (SELECT COUNT(*) FROM checks c JOIN reports r ON r.id = c.report_id JOIN suites s ON s.id = r.suite_id
               WHERE c.report_id = report_categories.report_id AND c.status IN ('warn', 'partial')
                 AND COALESCE(NULLIF(TRIM(c.category), ''), TRIM(COALESCE(s.kind, s.name))) = report_categories.category),
    not_run = (SELECT COUNT(*) FROM checks c JOIN reports r ON r.id = c.report_id JOIN suites s ON s.id = r.suite_id
               WHERE c.report_id = report_categories.report_id AND c.status = 'not_run'
                 AND COALESCE(NULLIF(TRIM(c.category), ''), TRIM(COALESCE(s.kind, s.name))) = report_categories.category);
UPDATE report_categories SET failed = failed - partial, skipped = skipped - not_run;

-- An approval given while the item's linked evidence was failing, stale or missing records
-- that state, so pages, decision snapshots and exports can say "approved despite …".
ALTER TABLE signoffs ADD COLUMN despite TEXT;

-- A report's own score is the phase formula applied to it alone: the mean of its category
-- scores (it used to pool every check, so a report and the scorecard could disagree about it).
-- Phases with custom category weights are recounted with equal weights here; their latest
-- reports are scored with the current weights wherever they are shown.
UPDATE reports SET score = (
    SELECT AVG(c.weighted_credit * 100.0 / c.weight) FROM report_categories c
    WHERE c.report_id = reports.id AND c.weight > 0
);
