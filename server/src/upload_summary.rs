//! What `readyboard upload` tells CI after a run: the phase's score and verdict and how they
//! moved, what changed in each uploaded report since the previous run of its suite, the
//! blockers this run opened, and a link — as Markdown for a job summary
//! (`$GITHUB_STEP_SUMMARY`, a GitLab artifact) and as JSON for scripts.

use serde::Serialize;

/// Most check names listed per report under "new failures".
const LISTED: usize = 10;

/// The phase as the run found it and as it left it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseState {
    /// Phase score (`None`: nothing scored yet).
    pub score: Option<f64>,
    /// Verdict word (`ready`, `conditional`, `not_ready`, `no_go`).
    pub verdict: String,
}

/// One uploaded report and what changed since the previous run of its suite.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportChange {
    /// Report id.
    pub id: i64,
    /// Its page.
    pub url: String,
    /// Suite.
    pub suite: String,
    /// Whether this upload stored it (false: it was already stored).
    pub stored: bool,
    /// Checks.
    pub tests: u64,
    /// Failed or errored checks.
    pub failing: u64,
    /// Whether the suite had a previous run to compare with.
    pub compared: bool,
    /// Checks failing now that did not fail before (names).
    pub new_failures: Vec<String>,
    /// Checks fixed since the previous run.
    pub fixed: u64,
    /// Checks failing in both runs.
    pub still_failing: u64,
}

/// A blocker this run opened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewBlocker {
    /// critical, high, medium or low.
    pub severity: String,
    /// What blocks.
    pub title: String,
}

/// Everything the summary says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    /// Project slug.
    pub project: String,
    /// Phase slug.
    pub phase: String,
    /// The phase before the first upload of this run (`None`: unknown or new phase).
    pub before: Option<PhaseState>,
    /// The phase after the last upload.
    pub after: PhaseState,
    /// Why the verdict is what it is.
    pub reasons: Vec<String>,
    /// The uploaded reports.
    pub reports: Vec<ReportChange>,
    /// Blockers first seen in this run's reports.
    pub new_blockers: Vec<NewBlocker>,
    /// Open blockers of the phase after the run.
    pub open_blockers: u64,
    /// The phase's scorecard.
    pub scorecard_url: String,
}

fn verdict_label(v: &str) -> &str {
    readyboard_domain::scoring::Verdict::parse(v).map_or(v, |verdict| verdict.label())
}

fn score(s: Option<f64>) -> String {
    s.map(|s| format!("{s:.1}")).unwrap_or_else(|| "—".into())
}

/// Text for Markdown table cells and list items: pipes and line breaks would break the table.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The headline: score and verdict after the run, and how they moved.
fn headline(s: &RunSummary) -> String {
    let now = format!("**{}** · score **{}**", verdict_label(&s.after.verdict), score(s.after.score));
    let Some(before) = &s.before else { return now };
    let moved = match (before.score, s.after.score) {
        (Some(b), Some(a)) if (a - b).abs() >= 0.05 => format!(" ({:+.1} from {b:.1})", a - b),
        (Some(_), Some(_)) => " (unchanged)".into(),
        (None, Some(_)) => " (first score)".into(),
        _ => String::new(),
    };
    let verdict = if before.verdict != s.after.verdict {
        format!(" — was {}", verdict_label(&before.verdict))
    } else {
        String::new()
    };
    format!("{now}{moved}{verdict}")
}

/// The summary as Markdown.
pub fn markdown(s: &RunSummary) -> String {
    let mut out = format!("### readyboard · {} / {}\n\n{}\n\n", s.project, s.phase, headline(s));
    for r in &s.reasons {
        out += &format!("- {}\n", cell(r));
    }
    out += "\n| Report | Suite | Checks | Failing | New failures | Fixed | Still failing |\n";
    out += "|---|---|---:|---:|---:|---:|---:|\n";
    for r in &s.reports {
        let stored = if r.stored { "" } else { " (already stored)" };
        let (new, fixed, still) = if r.compared {
            (r.new_failures.len().to_string(), r.fixed.to_string(), r.still_failing.to_string())
        } else {
            ("first run".into(), "—".into(), "—".into())
        };
        out += &format!(
            "| [#{}]({}){stored} | {} | {} | {} | {new} | {fixed} | {still} |\n",
            r.id,
            r.url,
            cell(&r.suite),
            r.tests,
            r.failing
        );
    }
    for r in s.reports.iter().filter(|r| !r.new_failures.is_empty()) {
        out += &format!("\nNew failures in {} (#{}):\n", cell(&r.suite), r.id);
        for name in r.new_failures.iter().take(LISTED) {
            out += &format!("- `{}`\n", name.replace('`', "'"));
        }
        if r.new_failures.len() > LISTED {
            out += &format!("- … and {} more\n", r.new_failures.len() - LISTED);
        }
    }
    out += &format!("\nOpen blockers: {}", s.open_blockers);
    if s.new_blockers.is_empty() {
        out += " (none opened by this run)\n";
    } else {
        out += &format!(", {} opened by this run:\n", s.new_blockers.len());
        for b in &s.new_blockers {
            out += &format!("- **{}** {}\n", b.severity, cell(&b.title));
        }
    }
    out += &format!("\n[Open the scorecard]({})\n", s.scorecard_url);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary() -> RunSummary {
        RunSummary {
            project: "shop".into(),
            phase: "release-1".into(),
            before: Some(PhaseState { score: Some(80.0), verdict: "conditional".into() }),
            after: PhaseState { score: Some(72.7), verdict: "not_ready".into() },
            reasons: vec!["score 72.7 below ready threshold 90".into()],
            reports: vec![ReportChange {
                id: 7,
                url: "http://rb.test/reports/7".into(),
                suite: "api|v2".into(),
                stored: true,
                tests: 12,
                failing: 3,
                compared: true,
                new_failures: (0..12).map(|i| format!("bad_{i}")).collect(),
                fixed: 1,
                still_failing: 2,
            }],
            new_blockers: vec![NewBlocker { severity: "high".into(), title: "3 checks failing".into() }],
            open_blockers: 2,
            scorecard_url: "http://rb.test/p/shop/release-1".into(),
        }
    }

    #[test]
    fn the_headline_says_where_the_phase_went_and_from_where() {
        let md = markdown(&summary());
        assert!(md.starts_with("### readyboard · shop / release-1\n\n**NOT READY** · score **72.7** (-7.3 from 80.0) — was CONDITIONAL\n"), "{md}");
        assert!(md.contains("| [#7](http://rb.test/reports/7) | api\\|v2 | 12 | 3 | 12 | 1 | 2 |"), "{md}");
        assert!(md.contains("- `bad_9`\n- … and 2 more\n"), "{md}");
        assert!(md.contains("Open blockers: 2, 1 opened by this run:\n- **high** 3 checks failing\n"), "{md}");
        assert!(md.ends_with("[Open the scorecard](http://rb.test/p/shop/release-1)\n"));
    }

    #[test]
    fn a_first_run_says_so_instead_of_inventing_changes() {
        let mut s = summary();
        s.before = None;
        s.reports[0].compared = false;
        s.reports[0].new_failures.clear();
        s.new_blockers.clear();
        let md = markdown(&s);
        assert!(md.contains("\n**NOT READY** · score **72.7**\n"), "{md}");
        assert!(md.contains("| 12 | 3 | first run | — | — |"), "{md}");
        assert!(md.contains("Open blockers: 2 (none opened by this run)"), "{md}");
    }
}
