-- Webhooks: endpoints an admin registers per project for chosen events, told in JSON or as a
-- Slack-compatible message, signed with the endpoint's secret (kept to sign, never shown
-- again after it is made).
CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    url        TEXT   NOT NULL,
    format     TEXT   NOT NULL CHECK (format IN ('json', 'slack')),
    events     TEXT   NOT NULL,
    secret     TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX webhooks_project ON webhooks(project_id);

-- One delivery per endpoint and change, queued in the transaction that made the change, so
-- that it survives a restart and is sent once whichever instance sends it. Pending ones are
-- tried at next_attempt_at (with backoff) until retry_until; a claimed one has its
-- next_attempt_at moved past the attempt's time limit, so that no other sender takes it.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      BIGINT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    audit_id        BIGINT NOT NULL,
    event           TEXT   NOT NULL,
    status          TEXT   NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    retry_until     BIGINT NOT NULL,
    last_code       BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    finished_at     BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id, id);
