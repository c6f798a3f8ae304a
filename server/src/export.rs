//! Readiness reports and decision records as Markdown, generated from stored evidence:
//! every figure comes from the scorecard, blockers, checklist and decisions.

use std::fmt::Write;

use readyboard_app::format::verdict_label;
use readyboard_domain::scoring::Scorecard;
use readyboard_store::{BlockerRow, ChecklistEntry, DecisionRecord, PhaseRow, ProjectRow};

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
    readyboard_app::format::decision_text(&d.decision, d.override_reason.is_some())
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
    let mut md = String::new();
    let card = r.card;
    let _ = writeln!(md, "# {} — Readiness report\n", cell(&r.phase.name));
    let _ = writeln!(
        md,
        "**Project:** {} · **Generated:** {} by readyboard from stored evidence\n",
        cell(&r.project.name),
        datetime(r.now)
    );
    let _ = writeln!(md, "## Verdict\n");
    let _ = writeln!(
        md,
        "**Evidence: {}** — phase score **{} / 100** (READY at ≥ {}, CONDITIONAL at ≥ {}; evidence older than {} days is stale)\n",
        verdict_label(card.verdict.as_str()),
        score(card.display_score()),
        r.phase.ready_threshold,
        r.phase.conditional_threshold,
        r.phase.freshness_days
    );
    for reason in &card.reasons {
        let _ = writeln!(md, "- {}", cell(reason));
    }
    let _ = writeln!(
        md,
        "\n## Categories\n\n| Category | Evidence | Category score | Weight | Checks | Passed | Partial | Failed | Errors | Not run | Skipped |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for c in &card.categories {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
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
    let _ = writeln!(md, "\nSkipped checks are left out of the score; partial ones earn half credit (or score/max).");
    let _ = writeln!(
        md,
        "\n## Evidence\n\n| Suite | Report | Age | Report's own score | Claimed | Stale |\n|---|---|---:|---:|---:|---|"
    );
    for s in &card.suites {
        let claimed = match (s.claimed_score, s.claim_differs) {
            (Some(c), Some(true)) => format!("{c:.1} (differs by more than 5)"),
            (Some(c), _) => format!("{c:.1}"),
            (None, _) => "—".into(),
        };
        let _ = writeln!(
            md,
            "| {} | [#{id}]({}/reports/{id}) | {} d | {} | {} | {} |",
            cell(&s.suite),
            r.base_url,
            s.age_days(),
            score(s.score),
            claimed,
            if s.stale { "**stale**" } else { "no" },
            id = s.report_id
        );
    }
    let _ = writeln!(md, "\n## Open blockers ({})\n", r.blockers.len());
    if r.blockers.is_empty() {
        let _ = writeln!(md, "None.");
    } else {
        let _ = writeln!(
            md,
            "| Severity | Blocker | Suite | Owner | Due | First seen | Seen in |\n|---|---|---|---|---|---|---:|"
        );
        for b in r.blockers {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} report{} |",
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
    }
    let required = r.checklist.iter().filter(|e| e.item.required).count();
    let signed = r
        .checklist
        .iter()
        .filter(|e| e.item.required && e.signed && matches!(e.item.status.as_str(), "done" | "waived"))
        .count();
    let _ = writeln!(md, "\n## Checklist ({signed} of {required} required items done and signed off)\n");
    if r.checklist.is_empty() {
        let _ = writeln!(md, "No checklist items.");
    } else {
        let _ = writeln!(
            md,
            "| # | Item | Status | Required | Owner | Evidence | Sign-off |\n|---:|---|---|---|---|---|---|"
        );
        for (i, e) in r.checklist.iter().enumerate() {
            let evidence = match (&e.item.evidence_suite, e.evidence_state) {
                (Some(suite), Some(state)) => {
                    let what = e.item.evidence_check.as_ref().map_or(suite.clone(), |c| format!("{suite} › {c}"));
                    format!("{}: {}", state.as_str(), cell(&what))
                }
                _ => "—".into(),
            };
            let sign = match e.signoffs.iter().find(|s| !s.needs_resign) {
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
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} |",
                i + 1,
                cell(&e.item.title),
                e.item.status.replace('_', " "),
                if e.item.required { "yes" } else { "no" },
                cell(e.item.owner.as_deref().unwrap_or("—")),
                evidence,
                sign
            );
        }
    }
    let _ = writeln!(md, "\n## Decisions\n");
    if r.decisions.is_empty() {
        let _ = writeln!(md, "No go/no-go decision recorded yet.");
    }
    for d in r.decisions {
        let _ = writeln!(
            md,
            "- **#{} {}** by {} on {} (evidence then: {}, phase score {}) — {}",
            d.id,
            decision_text(d),
            cell(&d.decided_by),
            datetime(d.decided_at),
            verdict_label(&d.snapshot.verdict),
            score(d.snapshot.score),
            cell(&d.rationale)
        );
    }
    md
}

/// A decision record as Markdown: the decision, its conditions and the frozen evidence.
pub fn decision_markdown(project: &ProjectRow, phase: &PhaseRow, d: &DecisionRecord, base_url: &str) -> String {
    let mut md = String::new();
    let s = &d.snapshot;
    let _ = writeln!(md, "# Decision #{} — {} — {}\n", d.id, decision_text(d), cell(&phase.name));
    let _ = writeln!(
        md,
        "**Project:** {} · **Decided by:** {} · **When:** {}\n",
        cell(&project.name),
        cell(&d.decided_by),
        datetime(d.decided_at)
    );
    if let Some(prev) = d.supersedes_id {
        let _ = writeln!(md, "Supersedes decision #{prev}.\n");
    }
    if let Some(next) = d.superseded_by {
        let _ = writeln!(md, "Superseded by decision #{next}.\n");
    }
    let _ = writeln!(md, "## Rationale\n\n{}\n", d.rationale.trim());
    if let Some(o) = &d.override_reason {
        let _ =
            writeln!(md, "## Override\n\nGO although the evidence said {}: {}\n", verdict_label(&s.verdict), o.trim());
    }
    if !d.conditions.is_empty() {
        let _ = writeln!(md, "## Conditions\n");
        for c in &d.conditions {
            let who = c.owner.as_deref().map(|o| format!(" — {}", cell(o))).unwrap_or_default();
            let due = c.due_date.as_deref().map(|d| format!(" (due {d})")).unwrap_or_default();
            let _ = writeln!(md, "- {}{who}{due}", cell(&c.text));
        }
        md.push('\n');
    }
    let _ = writeln!(md, "## Evidence at the time\n");
    let _ = writeln!(
        md,
        "**Evidence: {}**, phase score **{} / 100** (READY at ≥ {}, CONDITIONAL at ≥ {}).\n",
        verdict_label(&s.verdict),
        score(s.score),
        s.ready_threshold,
        s.conditional_threshold
    );
    for reason in &s.reasons {
        let _ = writeln!(md, "- {}", cell(reason));
    }
    let _ = writeln!(md, "\n| Category | Score | Weight |\n|---|---:|---:|");
    for c in &s.categories {
        let _ = writeln!(md, "| {} | {} | {} |", cell(&c.name), score(c.score), c.weight);
    }
    let _ = writeln!(md, "\n| Suite | Report | Age | Score | Stale |\n|---|---|---:|---:|---|");
    for su in &s.suites {
        let _ = writeln!(
            md,
            "| {} | [#{id}]({base_url}/reports/{id}) | {} d | {} | {} |",
            cell(&su.suite),
            su.age_days,
            score(su.score),
            if su.stale { "**stale**" } else { "no" },
            id = su.report_id
        );
    }
    let _ = writeln!(md, "\n### Blockers open at the time ({})\n", s.blockers.len());
    if s.blockers.is_empty() {
        let _ = writeln!(md, "None.");
    }
    for b in &s.blockers {
        let waived = b.waive_reason.as_deref().map(|w| format!(" — waived: {}", cell(w))).unwrap_or_default();
        let _ = writeln!(md, "- [{}] {} ({}){waived}", b.severity, cell(&b.title), b.status);
    }
    let _ = writeln!(md, "\n### Checklist at the time\n");
    if s.checklist.is_empty() {
        let _ = writeln!(md, "No checklist items.");
    }
    for i in &s.checklist {
        let by = if i.signed_by.is_empty() {
            "not signed".to_string()
        } else {
            let despite: Vec<String> = i
                .signed_despite
                .iter()
                .map(|(u, state)| format!("{} approved despite {state} evidence", cell(u)))
                .collect();
            format!(
                "signed by {}{}",
                i.signed_by.iter().map(|(u, _)| cell(u)).collect::<Vec<_>>().join(", "),
                if despite.is_empty() { String::new() } else { format!(" (**{}**)", despite.join("; ")) }
            )
        };
        let _ = writeln!(
            md,
            "- {} — {}{}, {by}",
            cell(&i.title),
            i.status.replace('_', " "),
            if i.required { ", required" } else { "" }
        );
    }
    md
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
