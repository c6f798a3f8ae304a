//! Readiness reports and decision records as Markdown, generated from stored evidence:
//! every figure comes from the scorecard, blockers, checklist and decisions.

use readyboard_domain::scoring::Scorecard;
use readyboard_store::{
    BlockerRow, ChecklistEntry, Condition, DecisionRecord, PhaseRow, ProjectRow, Snapshot, SnapshotBlocker,
    SnapshotItem,
};

/// Formats unix ms as `2026-11-22 10:04 UTC`.
pub fn datetime(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}-{:02} {:02}:{:02} UTC", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
}

/// Makes text safe inside a Markdown table cell (pipes, line breaks, HTML).
pub fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn score(s: Option<f64>) -> String {
    s.map_or_else(|| "—".to_string(), |v| format!("{v:.1}"))
}

/// "Decision: GO (override)".
fn decision_text(d: &DecisionRecord) -> String {
    readyboard_app::format::decision_text(d.decision, d.override_reason.is_some())
}

/// Everything the phase report is made of.
pub struct PhaseReport<'a> {
    /// The project.
    pub project: &'a ProjectRow,
    /// The phase.
    pub phase: &'a PhaseRow,
    /// Its evaluation now.
    pub card: &'a Scorecard,
    /// Open blockers.
    pub blockers: &'a [BlockerRow],
    /// The checklist.
    pub checklist: &'a [ChecklistEntry],
    /// Decisions, newest first.
    pub decisions: &'a [DecisionRecord],
    /// Base URL for links to reports.
    pub base_url: &'a str,
    /// When the report is generated (unix ms).
    pub now: i64,
}

/// The phase's readiness report as Markdown.
pub fn phase_markdown(r: &PhaseReport<'_>) -> String {
    [
        phase_verdict(r),
        categories_table(r.card),
        evidence_table(r.card, r.base_url),
        open_blockers(r.blockers),
        checklist_section(r.checklist),
        decisions_list(r.decisions),
    ]
    .concat()
}

/// The report's title, what it covers and the verdict with its reasons.
fn phase_verdict(r: &PhaseReport<'_>) -> String {
    let card = r.card;
    let mut md = format!("# {} — Readiness report\n\n", cell(&r.phase.name));
    md += &format!(
        "**Project:** {} · **Generated:** {} by readyboard from stored evidence\n\n",
        cell(&r.project.name),
        datetime(r.now)
    );
    md += "## Verdict\n\n";
    md += &format!(
        "**Evidence: {}** — phase score **{} / 100** (READY at ≥ {}, CONDITIONAL at ≥ {}; evidence older than {} days is stale)\n\n",
        card.verdict.label(),
        score(card.display_score()),
        r.phase.ready_threshold,
        r.phase.conditional_threshold,
        r.phase.freshness_days
    );
    for reason in &card.reasons {
        md += &format!("- {}\n", cell(reason));
    }
    md
}

/// The categories table: evidence kind, score, weight and check counts of each.
fn categories_table(card: &Scorecard) -> String {
    let mut md = String::from(
        "\n## Categories\n\n| Category | Evidence | Category score | Weight | Checks | Passed | Partial | Failed | Errors | Not run | Skipped |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for c in &card.categories {
        md += &format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            cell(&c.name),
            if c.measured { "measured" } else { "self-reported only" },
            score(c.score),
            c.weight,
            c.checks,
            c.counts.passed,
            c.counts.partial,
            c.counts.failed,
            c.counts.errors,
            c.counts.not_run,
            c.counts.skipped
        );
    }
    md += "\nSkipped checks are left out of the score; partial ones earn half credit (or score/max).\n";
    md
}

/// The evidence table: each suite's report, its age, score, claim and staleness.
fn evidence_table(card: &Scorecard, base_url: &str) -> String {
    let mut md = String::from(
        "\n## Evidence\n\n| Suite | Report | Age | Report's own score | Claimed | Stale |\n|---|---|---:|---:|---:|---|\n",
    );
    for s in &card.suites {
        let claimed = match (s.claimed_score, s.claim_differs) {
            (Some(c), Some(true)) => format!("{c:.1} (differs by more than 5)"),
            (Some(c), _) => format!("{c:.1}"),
            (None, _) => "—".into(),
        };
        md += &format!(
            "| {} | [#{id}]({}/reports/{id}) | {} d | {} | {} | {} |\n",
            cell(&s.suite),
            base_url,
            s.age_days(),
            score(s.score),
            claimed,
            if s.stale { "**stale**" } else { "no" },
            id = s.report_id
        );
    }
    md
}

/// The open blockers section: a table of them, or "None.".
fn open_blockers(blockers: &[BlockerRow]) -> String {
    let mut md = format!("\n## Open blockers ({})\n\n", blockers.len());
    if blockers.is_empty() {
        md += "None.\n";
        return md;
    }
    md += "| Severity | Blocker | Suite | Owner | Due | First seen | Seen in |\n|---|---|---|---|---|---|---:|\n";
    for b in blockers {
        md += &format!(
            "| {} | {} | {} | {} | {} | {} | {} report{} |\n",
            b.severity,
            cell(&b.title),
            cell(b.suite.as_deref().unwrap_or("(by hand)")),
            cell(b.owner.as_deref().unwrap_or("—")),
            b.due_date.as_deref().unwrap_or("—"),
            datetime(b.first_seen_at),
            b.occurrences,
            if b.occurrences == 1 { "" } else { "s" }
        );
    }
    md
}

/// The checklist section: how many required items are signed off, and a table of items.
fn checklist_section(checklist: &[ChecklistEntry]) -> String {
    let required = checklist.iter().filter(|e| e.item.required).count();
    let signed = checklist.iter().filter(|e| e.item.required && e.signed && e.item.status.settles()).count();
    let mut md = format!("\n## Checklist ({signed} of {required} required items done and signed off)\n\n");
    if checklist.is_empty() {
        md += "No checklist items.\n";
        return md;
    }
    md += "| # | Item | Status | Required | Owner | Evidence | Sign-off |\n|---:|---|---|---|---|---|---|\n";
    for (i, e) in checklist.iter().enumerate() {
        md += &format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            i + 1,
            cell(&e.item.title),
            e.item.status.as_str().replace('_', " "),
            if e.item.required { "yes" } else { "no" },
            cell(e.item.owner.as_deref().unwrap_or("—")),
            item_evidence(e),
            item_signoff(e)
        );
    }
    md
}

/// A checklist item's linked evidence and its state, or "—".
fn item_evidence(e: &ChecklistEntry) -> String {
    match (&e.item.evidence_suite, e.evidence_state) {
        (Some(suite), Some(state)) => {
            let what = e.item.evidence_check.as_ref().map_or(suite.clone(), |c| format!("{suite} › {c}"));
            format!("{}: {}", state.as_str(), cell(&what))
        }
        _ => "—".into(),
    }
}

/// Who signed a checklist item off and how, or why it is not signed.
fn item_signoff(e: &ChecklistEntry) -> String {
    match e.signoffs.iter().find(|s| !s.needs_resign) {
        Some(s) if e.signed => format!(
            "approved by {} ({}){}",
            cell(&s.username),
            datetime(s.created_at),
            s.despite
                .as_deref()
                .map(|d| format!(" **despite {d} evidence**: {}", cell(&s.comment)))
                .unwrap_or_default()
        ),
        Some(s) => format!("{} by {}", s.verdict, cell(&s.username)),
        None if !e.signoffs.is_empty() => "needs re-sign".into(),
        None => "not signed".into(),
    }
}

/// The decisions section: one line per decision with the evidence it was made on.
fn decisions_list(decisions: &[DecisionRecord]) -> String {
    let mut md = String::from("\n## Decisions\n\n");
    if decisions.is_empty() {
        md += "No go/no-go decision recorded yet.\n";
    }
    for d in decisions {
        md += &format!(
            "- **#{} {}** by {} on {} (evidence then: {}, phase score {}) — {}\n",
            d.id,
            decision_text(d),
            cell(&d.decided_by),
            datetime(d.decided_at),
            d.snapshot.verdict.label(),
            score(d.snapshot.score),
            cell(&d.rationale)
        );
    }
    md
}

/// A decision record as Markdown: the decision, its conditions and the frozen evidence.
pub fn decision_markdown(project: &ProjectRow, phase: &PhaseRow, d: &DecisionRecord, base_url: &str) -> String {
    [
        decision_heading(project, phase, d),
        decision_conditions(&d.conditions),
        snapshot_scores(&d.snapshot, base_url),
        snapshot_blockers(&d.snapshot.blockers),
        snapshot_checklist(&d.snapshot.checklist),
    ]
    .concat()
}

/// The decision's title, who made it and when, what it supersedes, its rationale and override.
fn decision_heading(project: &ProjectRow, phase: &PhaseRow, d: &DecisionRecord) -> String {
    let mut md = format!("# Decision #{} — {} — {}\n\n", d.id, decision_text(d), cell(&phase.name));
    md += &format!(
        "**Project:** {} · **Decided by:** {} · **When:** {}\n\n",
        cell(&project.name),
        cell(&d.decided_by),
        datetime(d.decided_at)
    );
    if let Some(prev) = d.supersedes_id {
        md += &format!("Supersedes decision #{prev}.\n\n");
    }
    if let Some(next) = d.superseded_by {
        md += &format!("Superseded by decision #{next}.\n\n");
    }
    md += &format!("## Rationale\n\n{}\n\n", d.rationale.trim());
    if let Some(o) = &d.override_reason {
        md += &format!("## Override\n\nGO although the evidence said {}: {}\n\n", d.snapshot.verdict.label(), o.trim());
    }
    md
}

/// The conditions attached to a decision, with owners and due dates (nothing when none).
fn decision_conditions(conditions: &[Condition]) -> String {
    if conditions.is_empty() {
        return String::new();
    }
    let mut md = String::from("## Conditions\n\n");
    for c in conditions {
        let who = c.owner.as_deref().map(|o| format!(" — {}", cell(o))).unwrap_or_default();
        let due = c.due_date.as_deref().map(|d| format!(" (due {d})")).unwrap_or_default();
        md += &format!("- {}{who}{due}\n", cell(&c.text));
    }
    md.push('\n');
    md
}

/// The evidence frozen with a decision: verdict, reasons, category and suite tables.
fn snapshot_scores(s: &Snapshot, base_url: &str) -> String {
    let mut md = String::from("## Evidence at the time\n\n");
    md += &format!(
        "**Evidence: {}**, phase score **{} / 100** (READY at ≥ {}, CONDITIONAL at ≥ {}).\n\n",
        s.verdict.label(),
        score(s.score),
        s.ready_threshold,
        s.conditional_threshold
    );
    for reason in &s.reasons {
        md += &format!("- {}\n", cell(reason));
    }
    md += "\n| Category | Score | Weight |\n|---|---:|---:|\n";
    for c in &s.categories {
        md += &format!("| {} | {} | {} |\n", cell(&c.name), score(c.score), c.weight);
    }
    md += "\n| Suite | Report | Age | Score | Stale |\n|---|---|---:|---:|---|\n";
    for su in &s.suites {
        md += &format!(
            "| {} | [#{id}]({base_url}/reports/{id}) | {} d | {} | {} |\n",
            cell(&su.suite),
            su.age_days,
            score(su.score),
            if su.stale { "**stale**" } else { "no" },
            id = su.report_id
        );
    }
    md
}

/// The blockers open or waived when the decision was made.
fn snapshot_blockers(blockers: &[SnapshotBlocker]) -> String {
    let mut md = format!("\n### Blockers open at the time ({})\n\n", blockers.len());
    if blockers.is_empty() {
        md += "None.\n";
    }
    for b in blockers {
        let waived = b.waive_reason.as_deref().map(|w| format!(" — waived: {}", cell(w))).unwrap_or_default();
        md += &format!("- [{}] {} ({}){waived}\n", b.severity, cell(&b.title), b.status);
    }
    md
}

/// The checklist as it stood when the decision was made, with who had signed what.
fn snapshot_checklist(checklist: &[SnapshotItem]) -> String {
    let mut md = String::from("\n### Checklist at the time\n\n");
    if checklist.is_empty() {
        md += "No checklist items.\n";
    }
    for i in checklist {
        md += &format!(
            "- {} — {}{}, {}\n",
            cell(&i.title),
            i.status.as_str().replace('_', " "),
            if i.required { ", required" } else { "" },
            snapshot_signers(i)
        );
    }
    md
}

/// Who had signed a checklist item off at the time, and who did so despite its evidence.
fn snapshot_signers(i: &SnapshotItem) -> String {
    if i.signed_by.is_empty() {
        return "not signed".to_string();
    }
    let despite: Vec<String> =
        i.signed_despite.iter().map(|(u, state)| format!("{} approved despite {state} evidence", cell(u))).collect();
    format!(
        "signed by {}{}",
        i.signed_by.iter().map(|(u, _)| cell(u)).collect::<Vec<_>>().join(", "),
        if despite.is_empty() { String::new() } else { format!(" (**{}**)", despite.join("; ")) }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(cell("a | b\nc"), "a \\| b c");
        assert_eq!(cell("<script>x</script>"), "&lt;script&gt;x&lt;/script&gt;");
    }

    #[test]
    fn times_are_utc_minutes() {
        assert_eq!(datetime(0), "1970-01-01 00:00 UTC");
        assert_eq!(datetime(1_700_000_000_000), "2023-11-14 22:13 UTC");
    }
}
