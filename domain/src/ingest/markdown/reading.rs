//! A plain-text rendering of what was read from a report — one line per check, finding and
//! claim — used by golden tests and by `readyboard` users checking an import.

use std::fmt::Write;

use crate::model::ParsedReport;

/// Renders checks (`check | name | category | status`), findings (`finding | severity |
/// status | title`) and claims (`claim | score|verdict|confidence | value`), in order.
pub fn render(r: &ParsedReport) -> String {
    let mut out = String::new();
    for c in &r.checks {
        let _ = writeln!(out, "check | {} | {} | {}", c.name, c.category.as_deref().unwrap_or("-"), c.status.as_str());
    }
    for f in &r.findings {
        let _ = writeln!(out, "finding | {} | {} | {}", f.severity.as_str(), f.status.as_str(), f.title);
    }
    if let Some(c) = &r.claimed {
        if let Some(s) = c.score {
            let _ = writeln!(out, "claim | score | {s}");
        }
        if let Some(v) = &c.verdict {
            let _ = writeln!(out, "claim | verdict | {v}");
        }
        if let Some(x) = c.confidence {
            let _ = writeln!(out, "claim | confidence | {x}");
        }
    }
    out
}
