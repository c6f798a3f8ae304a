//! readyboard persistence: one API over SQLite (embedded default) and PostgreSQL.
//!
//! Every query is written once in SQL both backends accept (`$1` placeholders,
//! `RETURNING`, `ON CONFLICT`) and run on whichever pool the URL selected.

mod audit;
mod audit_subjects;
mod backup;
mod blockers;
mod cache;
mod changes;
mod check_set_cache;
mod check_sets;
mod checklist;
mod db;
mod decisions;
mod diff_cache;
mod error;
mod evaluation;
mod flaky;
mod flaky_cache;
mod identities;
mod ingest;
mod legacy_checks;
mod personal_tokens;
mod project_rows;
mod projects;
mod reads;
mod report_diff;
mod retention;
mod sessions;
mod token_rows;
mod tokens;
mod trend_series;
mod trends;
mod user_rows;
mod users;
mod webhooks;

pub use audit::{Actor, AuditEntry, AuditFilter, AuditKind, AuditRow, AuditSubject};
pub use backup::verify_sqlite_backup;
pub use blockers::{BLOCKER_SEVERITIES, BLOCKER_STATUSES, BlockerAssignment, BlockerFilter, BlockerItem, NewBlocker};
pub use cache::{Flight, Flights, GenCache, Lookup};
pub use changes::{CHANNEL, Change};
pub use check_sets::EncodedChecks;
pub use checklist::{ChecklistEntry, ChecklistItem, EvidenceName, ItemInput, Signoff, TemplateInfo};
pub use db::{Backend, Memo, Store, now_ms};
pub use decisions::{
    ChangesSince, Condition, DECISION_KINDS, DecisionRecord, NewDecision, Snapshot, SnapshotBlocker, SnapshotItem,
    SnapshotSuite,
};
pub use error::{StoreError, StoreResult};
pub use flaky::{FLAKY_WINDOW, SuiteFlaky};
pub use identities::{ExternalPerson, ExternalSignIn, NO_PASSWORD};
pub use ingest::{IngestOutcome, IngestTiming, NewReport, StoredReport};
pub use personal_tokens::{PERSONAL_TOKEN_NAME_MAX, PersonalTokenRow};
pub use projects::{PhaseRow, PhaseSettingsUpdate, ProjectRow, SuiteRow};
pub use reads::{BlockerRow, CheckRow, FindingRow, MetricRow, ReportJudgement, ReportRow};
pub use report_diff::{MetricChange, ReportDiff};
pub use retention::{MAX_RETENTION_DAYS, PruneTally};
pub use sessions::SessionBackend;
pub use tokens::{TokenRow, TokenScope};
pub use trends::{DecisionMark, HistoryRow, MetricRunRow, MetricTrend, NamedSeries, SuiteRunRow, SuiteTrend, Trends};
pub use users::UserRow;
pub use webhooks::{DeliveryRow, DueDelivery, RETRY_FOR_MS, WEBHOOK_EVENTS, WEBHOOK_FORMATS, WebhookRow, backoff_ms};
