//! Checklist rules: item statuses, the built-in template, and the live state of an item
//! linked to evidence.

use serde::{Deserialize, Serialize};

use crate::model::Status;

/// Statuses an item may be in, in workflow order, by their stable names.
pub const ITEM_STATUSES: &[&str] = &["todo", "in_progress", "done", "blocked", "waived"];

/// Where a checklist item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Not started.
    Todo,
    /// Being worked on.
    InProgress,
    /// Done.
    Done,
    /// Cannot go on.
    Blocked,
    /// Not needed this time, with an approver's sign-off.
    Waived,
}

impl ItemStatus {
    /// Every status, in workflow order.
    pub const ALL: [ItemStatus; 5] =
        [ItemStatus::Todo, ItemStatus::InProgress, ItemStatus::Done, ItemStatus::Blocked, ItemStatus::Waived];

    /// The stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Todo => "todo",
            ItemStatus::InProgress => "in_progress",
            ItemStatus::Done => "done",
            ItemStatus::Blocked => "blocked",
            ItemStatus::Waived => "waived",
        }
    }

    /// Parses the stable name back.
    pub fn parse(s: &str) -> Option<ItemStatus> {
        ItemStatus::ALL.into_iter().find(|i| i.as_str() == s)
    }

    /// "To do", "In progress", …
    pub fn label(self) -> &'static str {
        match self {
            ItemStatus::Todo => "To do",
            ItemStatus::InProgress => "In progress",
            ItemStatus::Done => "Done",
            ItemStatus::Blocked => "Blocked",
            ItemStatus::Waived => "Waived",
        }
    }

    /// Whether a required item in this status, signed off, counts as complete for READY.
    pub fn settles(self) -> bool {
        matches!(self, ItemStatus::Done | ItemStatus::Waived)
    }
}

/// An approver's word on an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SignoffVerdict {
    /// The item is complete.
    Approve,
    /// It is not; the comment says why.
    Reject,
}

impl SignoffVerdict {
    /// Both verdicts.
    pub const ALL: [SignoffVerdict; 2] = [SignoffVerdict::Approve, SignoffVerdict::Reject];

    /// The stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            SignoffVerdict::Approve => "approve",
            SignoffVerdict::Reject => "reject",
        }
    }

    /// Parses the stable name back.
    pub fn parse(s: &str) -> Option<SignoffVerdict> {
        SignoffVerdict::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Reads the stable name a form or a request sent, or says what is wrong with it.
    pub fn read(s: &str) -> Result<SignoffVerdict, String> {
        SignoffVerdict::parse(s).ok_or_else(|| format!("verdict: `{s}` is not approve or reject"))
    }

    /// "Approved" or "Rejected".
    pub fn label(self) -> &'static str {
        match self {
            SignoffVerdict::Approve => "Approved",
            SignoffVerdict::Reject => "Rejected",
        }
    }
}

/// What an item's evidence link names in a suite's latest report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// A check: its result.
    Check,
    /// A metric: whether it met its target.
    Metric,
}

impl EvidenceKind {
    /// Both kinds.
    pub const ALL: [EvidenceKind; 2] = [EvidenceKind::Check, EvidenceKind::Metric];

    /// The stable name, as the store's queries write it.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Check => "check",
            EvidenceKind::Metric => "metric",
        }
    }

    /// Parses the stable name back.
    pub fn parse(s: &str) -> Option<EvidenceKind> {
        EvidenceKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One item of a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateItem {
    /// Title.
    pub title: String,
    /// What "done" means.
    pub description: String,
    /// Category.
    pub category: String,
    /// Whether the verdict waits for it.
    pub required: bool,
}

/// Name of the built-in template.
pub const PRODUCTION_READINESS: &str = "Production readiness";

/// The built-in "Production readiness" template.
pub fn production_readiness() -> Vec<TemplateItem> {
    const ITEMS: &[(&str, &str, &str, bool)] = &[
        (
            "Health checks",
            "Liveness and readiness endpoints report the service and its dependencies.",
            "Operations",
            true,
        ),
        (
            "Structured logging",
            "Logs are structured (JSON), carry request ids and never contain secrets.",
            "Operations",
            true,
        ),
        (
            "Error handling",
            "Errors reach clients as clear messages; internal causes are logged, not leaked.",
            "Reliability",
            true,
        ),
        (
            "Configuration and secrets",
            "Configuration comes from the environment; secrets live in a secret store and are rotated.",
            "Security",
            true,
        ),
        (
            "Monitoring and alerting",
            "Dashboards for the golden signals; alerts page a person and link to a runbook.",
            "Operations",
            true,
        ),
        (
            "Load test",
            "A load test at expected peak × 2 meets the latency and error-rate targets.",
            "Performance",
            true,
        ),
        (
            "Failover test",
            "Losing an instance or the primary database recovers within the agreed time.",
            "Reliability",
            true,
        ),
        ("Security audit", "Dependency and code scans show no open critical or high findings.", "Security", true),
        ("TLS", "Every endpoint serves TLS 1.2+ with valid certificates and HSTS.", "Security", true),
        ("Rate limiting", "Public endpoints are rate limited per client.", "Security", true),
        ("CORS", "Cross-origin access is limited to the origins that need it.", "Security", false),
        (
            "Security headers",
            "CSP, X-Content-Type-Options, frame-ancestors and Referrer-Policy are set.",
            "Security",
            true,
        ),
        (
            "Backups and restore test",
            "Backups run on schedule and a restore was rehearsed end to end.",
            "Reliability",
            true,
        ),
        (
            "Database migrations",
            "Migrations run forwards and backwards on a copy of production data.",
            "Reliability",
            true,
        ),
        ("Runbooks", "Runbooks cover deploy, rollback and the known failure modes.", "Operations", true),
        ("Rollback plan", "A rollback takes one command and was tried in staging.", "Operations", true),
        ("On-call", "An on-call rotation is staffed and knows the service.", "Operations", true),
    ];
    ITEMS
        .iter()
        .map(|(title, description, category, required)| TemplateItem {
            title: (*title).to_string(),
            description: (*description).to_string(),
            category: (*category).to_string(),
            required: *required,
        })
        .collect()
}

/// What the evidence linked to an item says now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EvidenceState {
    /// The linked suite, check or metric passes.
    Passing,
    /// It fails (or errors, or misses its target).
    Failing,
    /// The suite's latest report is older than the freshness window.
    Stale,
    /// No report, or the named check or metric is not in the latest report.
    Missing,
}

impl EvidenceState {
    /// The stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceState::Passing => "passing",
            EvidenceState::Failing => "failing",
            EvidenceState::Stale => "stale",
            EvidenceState::Missing => "missing",
        }
    }

    /// Whether sign-offs given earlier must be given again.
    pub fn voids_signoffs(self) -> bool {
        matches!(self, EvidenceState::Failing | EvidenceState::Stale)
    }
}

/// What the latest report of a linked suite shows for an item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LinkedResult {
    /// The suite has no report.
    NoReport,
    /// The whole suite: its failed and errored checks, and checks run.
    Suite {
        /// Checks in the report.
        tests: u64,
        /// Failed plus errored.
        failing: u64,
    },
    /// A named check, if the report has it.
    Check(Option<Status>),
    /// A named metric: whether it met its target (`None`: no target), if the report has it.
    Metric(Option<Option<bool>>),
}

/// The live state of a linked item, given the age of the suite's latest report.
pub fn evidence_state(
    result: LinkedResult,
    report_at_ms: Option<i64>,
    now_ms: i64,
    freshness_days: u32,
) -> EvidenceState {
    let stale = report_at_ms.is_some_and(|at| now_ms - at > i64::from(freshness_days) * 86_400_000);
    let state = match result {
        LinkedResult::NoReport => return EvidenceState::Missing,
        LinkedResult::Suite { tests: 0, .. } => EvidenceState::Missing,
        LinkedResult::Suite { failing, .. } => {
            if failing > 0 {
                EvidenceState::Failing
            } else {
                EvidenceState::Passing
            }
        }
        LinkedResult::Check(None) | LinkedResult::Metric(None) => EvidenceState::Missing,
        LinkedResult::Check(Some(Status::Pass)) => EvidenceState::Passing,
        LinkedResult::Check(Some(Status::Skip | Status::NotRun)) => EvidenceState::Missing,
        LinkedResult::Check(Some(_)) => EvidenceState::Failing,
        LinkedResult::Metric(Some(Some(false))) => EvidenceState::Failing,
        LinkedResult::Metric(Some(_)) => EvidenceState::Passing,
    };
    if stale && state != EvidenceState::Missing { EvidenceState::Stale } else { state }
}

/// Checks the fields of an item as a person typed them; returns what to fix.
pub fn validate_item(title: &str, status: &str, due_date: Option<&str>, description: &str) -> Result<(), String> {
    let title = title.trim();
    if title.is_empty() {
        return Err("title: must not be empty".into());
    }
    if title.chars().count() > 200 {
        return Err("title: at most 200 characters".into());
    }
    if description.chars().count() > 4000 {
        return Err("description: at most 4,000 characters".into());
    }
    if !ITEM_STATUSES.contains(&status) {
        return Err(format!("status: `{status}` is not one of {}", ITEM_STATUSES.join(", ")));
    }
    if let Some(d) = due_date.map(str::trim).filter(|d| !d.is_empty()) {
        let ok = d.len() == 10
            && d.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() })
            && (1..=12).contains(&d[5..7].parse::<u32>().unwrap_or(0))
            && (1..=31).contains(&d[8..10].parse::<u32>().unwrap_or(0));
        if !ok {
            return Err(format!("due date: `{d}` is not a date like 2026-12-01"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    #[test]
    fn the_production_template_covers_the_usual_ground() {
        let t = production_readiness();
        let titles: Vec<&str> = t.iter().map(|i| i.title.as_str()).collect();
        for must in
            ["Health checks", "Load test", "Failover test", "Security audit", "Backups and restore test", "On-call"]
        {
            assert!(titles.contains(&must), "{must}");
        }
        assert_eq!(t.len(), 17);
        assert!(t.iter().all(|i| !i.description.is_empty()));
    }

    #[test]
    fn linked_checks_pass_fail_or_go_missing() {
        let now = 10 * DAY;
        assert_eq!(evidence_state(LinkedResult::Check(Some(Status::Pass)), Some(now), now, 7), EvidenceState::Passing);
        assert_eq!(evidence_state(LinkedResult::Check(Some(Status::Error)), Some(now), now, 7), EvidenceState::Failing);
        assert_eq!(
            evidence_state(LinkedResult::Check(Some(Status::Partial)), Some(now), now, 7),
            EvidenceState::Failing
        );
        assert_eq!(evidence_state(LinkedResult::Check(Some(Status::Skip)), Some(now), now, 7), EvidenceState::Missing);
        assert_eq!(evidence_state(LinkedResult::Check(None), Some(now), now, 7), EvidenceState::Missing);
        assert_eq!(evidence_state(LinkedResult::NoReport, None, now, 7), EvidenceState::Missing);
    }

    #[test]
    fn suites_and_metrics_follow_their_results_and_age() {
        let now = 10 * DAY;
        let suite_ok = LinkedResult::Suite { tests: 5, failing: 0 };
        assert_eq!(evidence_state(suite_ok, Some(now - DAY), now, 7), EvidenceState::Passing);
        assert_eq!(evidence_state(suite_ok, Some(now - 8 * DAY), now, 7), EvidenceState::Stale);
        assert_eq!(
            evidence_state(LinkedResult::Suite { tests: 5, failing: 1 }, Some(now), now, 7),
            EvidenceState::Failing
        );
        assert_eq!(
            evidence_state(LinkedResult::Suite { tests: 0, failing: 0 }, Some(now), now, 7),
            EvidenceState::Missing
        );
        assert_eq!(evidence_state(LinkedResult::Metric(Some(Some(false))), Some(now), now, 7), EvidenceState::Failing);
        assert_eq!(evidence_state(LinkedResult::Metric(Some(None)), Some(now), now, 7), EvidenceState::Passing);
        assert!(EvidenceState::Stale.voids_signoffs() && EvidenceState::Failing.voids_signoffs());
        assert!(!EvidenceState::Missing.voids_signoffs());
    }

    #[test]
    fn item_fields_are_checked_with_a_reason() {
        assert!(validate_item("TLS", "done", Some("2026-12-01"), "").is_ok());
        let names: Vec<_> = ItemStatus::ALL.iter().map(|i| i.as_str()).collect();
        assert_eq!(names, ITEM_STATUSES, "the enum and the accepted words agree");
        assert!(ItemStatus::ALL.iter().all(|i| ItemStatus::parse(i.as_str()) == Some(*i)));
        assert!(validate_item("  ", "done", None, "").unwrap_err().starts_with("title"));
        assert!(validate_item("TLS", "finished", None, "").unwrap_err().contains("todo, in_progress"));
        assert!(validate_item("TLS", "todo", Some("1/12/2026"), "").unwrap_err().starts_with("due date"));
        assert!(validate_item("TLS", "todo", Some("2026-13-01"), "").is_err());
        assert!(validate_item("TLS", "todo", Some(""), "").is_ok());
    }
}
