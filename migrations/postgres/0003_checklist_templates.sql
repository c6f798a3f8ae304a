-- Checklists saved as templates by admins; the built-in template lives in code.
CREATE TABLE checklist_templates (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT   NOT NULL UNIQUE,
    items      TEXT   NOT NULL,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
