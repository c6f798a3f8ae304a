-- A report's checks are stored as one compressed record per report (see the store's
-- check_sets module) instead of a row per check: the keys, names and suite paths that
-- repeat in every run took most of the room. `checks` is how many the record holds.
-- Rows of the old `checks` table are moved here by the store when it opens, a batch of
-- reports per transaction, and the table is dropped once empty.
CREATE TABLE check_sets (
    report_id INTEGER PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
    checks    BIGINT  NOT NULL,
    body      BLOB    NOT NULL
);
