-- The phase's evaluation after every stored report, so trends never recompute history.
CREATE TABLE phase_history (
    id                INTEGER PRIMARY KEY,
    phase_id          BIGINT NOT NULL REFERENCES phases(id) ON DELETE CASCADE,
    report_id         BIGINT REFERENCES reports(id) ON DELETE SET NULL,
    at                BIGINT NOT NULL,
    score             DOUBLE PRECISION,
    verdict           TEXT   NOT NULL,
    categories        TEXT   NOT NULL DEFAULT '[]',
    blockers_critical BIGINT NOT NULL DEFAULT 0,
    blockers_high     BIGINT NOT NULL DEFAULT 0,
    blockers_medium   BIGINT NOT NULL DEFAULT 0,
    blockers_low      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX phase_history_phase_at ON phase_history(phase_id, at);
