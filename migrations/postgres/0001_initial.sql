-- Initial schema. Timestamps are unix milliseconds (UTC) so both backends agree.

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('viewer', 'editor', 'approver', 'admin')),
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT  NOT NULL,
    last_login_at BIGINT
);

CREATE TABLE setup_tokens (
    token_hash TEXT   PRIMARY KEY,
    created_at BIGINT NOT NULL,
    used_at    BIGINT
);

CREATE TABLE projects (
    id            BIGSERIAL PRIMARY KEY,
    slug          TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    description   TEXT    NOT NULL DEFAULT '',
    public_status BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT  NOT NULL
);

CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    project_id   BIGINT  NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    prefix       TEXT    NOT NULL,
    created_by   BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    created_at   BIGINT  NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_project ON api_tokens(project_id);

CREATE TABLE phases (
    id                    BIGSERIAL PRIMARY KEY,
    project_id            BIGINT  NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    slug                  TEXT    NOT NULL,
    name                  TEXT    NOT NULL,
    position              BIGINT  NOT NULL DEFAULT 0,
    freshness_days        BIGINT  NOT NULL DEFAULT 14,
    ready_threshold       DOUBLE PRECISION NOT NULL DEFAULT 90,
    conditional_threshold DOUBLE PRECISION NOT NULL DEFAULT 70,
    category_weights      TEXT    NOT NULL DEFAULT '{}',
    score                 DOUBLE PRECISION,
    verdict               TEXT    NOT NULL DEFAULT 'not_ready',
    reasons               TEXT    NOT NULL DEFAULT '[]',
    evaluated_at          BIGINT,
    created_at            BIGINT  NOT NULL,
    UNIQUE (project_id, slug)
);

CREATE TABLE suites (
    id               BIGSERIAL PRIMARY KEY,
    phase_id         BIGINT NOT NULL REFERENCES phases(id) ON DELETE CASCADE,
    name             TEXT   NOT NULL,
    kind             TEXT,
    latest_report_id BIGINT,
    created_at       BIGINT NOT NULL,
    UNIQUE (phase_id, name)
);

CREATE TABLE reports (
    id               BIGSERIAL PRIMARY KEY,
    suite_id         BIGINT  NOT NULL REFERENCES suites(id) ON DELETE CASCADE,
    phase_id         BIGINT  NOT NULL REFERENCES phases(id) ON DELETE CASCADE,
    format           TEXT    NOT NULL,
    content_hash     TEXT    NOT NULL,
    idempotency_key  TEXT,
    run_id           TEXT,
    environment      TEXT,
    commit_sha       TEXT,
    branch           TEXT,
    ci_url           TEXT,
    started_at       BIGINT,
    finished_at      BIGINT,
    received_at      BIGINT  NOT NULL,
    tests            BIGINT  NOT NULL DEFAULT 0,
    passed           BIGINT  NOT NULL DEFAULT 0,
    failed           BIGINT  NOT NULL DEFAULT 0,
    errors           BIGINT  NOT NULL DEFAULT 0,
    skipped          BIGINT  NOT NULL DEFAULT 0,
    score            DOUBLE PRECISION,
    claimed_score    DOUBLE PRECISION,
    claimed_verdict  TEXT,
    claimed_confidence DOUBLE PRECISION,
    notes            TEXT    NOT NULL DEFAULT '[]',
    raw_size         BIGINT  NOT NULL,
    raw_gzip         BYTEA    NOT NULL,
    token_id         BIGINT  REFERENCES api_tokens(id) ON DELETE SET NULL,
    uploaded_by      BIGINT  REFERENCES users(id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX reports_suite_hash ON reports(suite_id, content_hash);
CREATE UNIQUE INDEX reports_idempotency ON reports(phase_id, idempotency_key);
CREATE INDEX reports_suite_received ON reports(suite_id, received_at);
CREATE INDEX reports_phase_received ON reports(phase_id, received_at);

-- Per-report, per-category aggregates kept at ingest so scorecards never scan checks.
CREATE TABLE report_categories (
    report_id       BIGINT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    category        TEXT   NOT NULL,
    weighted_credit DOUBLE PRECISION NOT NULL,
    weight          DOUBLE PRECISION NOT NULL,
    checks          BIGINT NOT NULL,
    passed          BIGINT NOT NULL,
    failed          BIGINT NOT NULL,
    errors          BIGINT NOT NULL,
    skipped         BIGINT NOT NULL,
    PRIMARY KEY (report_id, category)
);

CREATE TABLE checks (
    id          BIGSERIAL PRIMARY KEY,
    report_id   BIGINT  NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    ordinal     BIGINT  NOT NULL,
    check_key   TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    suite_path  TEXT    NOT NULL,
    category    TEXT,
    status      TEXT    NOT NULL,
    status_rank BIGINT  NOT NULL,
    score       DOUBLE PRECISION,
    max_score   DOUBLE PRECISION,
    weight      DOUBLE PRECISION NOT NULL DEFAULT 1,
    blocking    BOOLEAN NOT NULL DEFAULT FALSE,
    duration_ms DOUBLE PRECISION,
    message     TEXT    NOT NULL DEFAULT '',
    details     TEXT    NOT NULL DEFAULT '',
    evidence_url TEXT   NOT NULL DEFAULT '',
    flaky       BOOLEAN NOT NULL DEFAULT FALSE,
    retries     BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX checks_report_rank ON checks(report_id, status_rank, ordinal);
CREATE INDEX checks_report_status ON checks(report_id, status, ordinal);

CREATE TABLE metrics (
    id           BIGSERIAL PRIMARY KEY,
    report_id    BIGINT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    name         TEXT   NOT NULL,
    category     TEXT,
    value        DOUBLE PRECISION NOT NULL,
    unit         TEXT   NOT NULL DEFAULT '',
    target_op    TEXT,
    target_value DOUBLE PRECISION,
    met          BOOLEAN
);
CREATE INDEX metrics_report ON metrics(report_id);

CREATE TABLE findings (
    id          BIGSERIAL PRIMARY KEY,
    report_id   BIGINT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    finding_key TEXT   NOT NULL,
    severity    TEXT   NOT NULL,
    status      TEXT   NOT NULL,
    category    TEXT,
    title       TEXT   NOT NULL,
    details     TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX findings_report ON findings(report_id);

CREATE TABLE blockers (
    id                 BIGSERIAL PRIMARY KEY,
    phase_id           BIGINT  NOT NULL REFERENCES phases(id) ON DELETE CASCADE,
    suite_id           BIGINT  REFERENCES suites(id) ON DELETE CASCADE,
    fingerprint        TEXT    NOT NULL,
    source             TEXT    NOT NULL CHECK (source IN ('finding', 'check', 'manual')),
    severity           TEXT    NOT NULL,
    title              TEXT    NOT NULL,
    details            TEXT    NOT NULL DEFAULT '',
    status             TEXT    NOT NULL CHECK (status IN ('open', 'resolved', 'waived')),
    owner              TEXT,
    due_date           TEXT,
    first_seen_at      BIGINT  NOT NULL,
    last_seen_at       BIGINT  NOT NULL,
    occurrences        BIGINT  NOT NULL DEFAULT 1,
    first_report_id    BIGINT  REFERENCES reports(id) ON DELETE SET NULL,
    last_report_id     BIGINT  REFERENCES reports(id) ON DELETE SET NULL,
    resolved_report_id BIGINT  REFERENCES reports(id) ON DELETE SET NULL,
    resolved_at        BIGINT,
    waived_by          BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    waive_reason       TEXT,
    created_by         BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    UNIQUE (phase_id, fingerprint)
);
CREATE INDEX blockers_phase_status ON blockers(phase_id, status);

CREATE TABLE checklist_items (
    id                BIGSERIAL PRIMARY KEY,
    phase_id          BIGINT  NOT NULL REFERENCES phases(id) ON DELETE CASCADE,
    position          BIGINT  NOT NULL,
    title             TEXT    NOT NULL,
    description       TEXT    NOT NULL DEFAULT '',
    category          TEXT,
    owner_id          BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    required          BOOLEAN NOT NULL DEFAULT TRUE,
    status            TEXT    NOT NULL DEFAULT 'todo'
                      CHECK (status IN ('todo', 'in_progress', 'done', 'blocked', 'waived')),
    due_date          TEXT,
    evidence_suite_id BIGINT  REFERENCES suites(id) ON DELETE SET NULL,
    evidence_check    TEXT,
    version           BIGINT  NOT NULL DEFAULT 1,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL
);
CREATE INDEX checklist_phase ON checklist_items(phase_id, position);

CREATE TABLE signoffs (
    id           BIGSERIAL PRIMARY KEY,
    item_id      BIGINT  NOT NULL REFERENCES checklist_items(id) ON DELETE CASCADE,
    user_id      BIGINT  NOT NULL REFERENCES users(id),
    verdict      TEXT    NOT NULL CHECK (verdict IN ('approve', 'reject')),
    comment      TEXT    NOT NULL DEFAULT '',
    item_version BIGINT  NOT NULL,
    needs_resign BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   BIGINT  NOT NULL
);
CREATE INDEX signoffs_item ON signoffs(item_id);

CREATE TABLE decisions (
    id              BIGSERIAL PRIMARY KEY,
    phase_id        BIGINT NOT NULL REFERENCES phases(id) ON DELETE CASCADE,
    decision        TEXT   NOT NULL CHECK (decision IN ('go', 'no_go', 'conditional_go')),
    rationale       TEXT   NOT NULL,
    conditions      TEXT   NOT NULL DEFAULT '[]',
    override_reason TEXT,
    decided_by      BIGINT NOT NULL REFERENCES users(id),
    decided_at      BIGINT NOT NULL,
    snapshot        TEXT   NOT NULL,
    supersedes_id   BIGINT REFERENCES decisions(id)
);
CREATE INDEX decisions_phase ON decisions(phase_id, decided_at);

CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor_user  BIGINT REFERENCES users(id) ON DELETE SET NULL,
    actor_token BIGINT REFERENCES api_tokens(id) ON DELETE SET NULL,
    actor_label TEXT   NOT NULL,
    action      TEXT   NOT NULL,
    entity      TEXT   NOT NULL,
    entity_id   TEXT,
    project_id  BIGINT REFERENCES projects(id) ON DELETE SET NULL,
    phase_id    BIGINT REFERENCES phases(id) ON DELETE SET NULL,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX audit_at ON audit_log(at);
CREATE INDEX audit_phase ON audit_log(phase_id, at);
