//! Limits on every name and text a report brings in, in one place.
//!
//! A report is refused (422) when a name is too long or unsafe, and long free texts are cut
//! with a visible marker, so one upload cannot make every later page that shows it huge. The
//! same rules run before either database sees the report, so SQLite and PostgreSQL store the
//! same thing (PostgreSQL refuses NUL in text, which is therefore replaced everywhere).
//!
//! | what | limit |
//! |---|---|
//! | project, phase, phase name, suite, kind, category, run id, environment, commit, branch, metric name and unit, finding id | 200 characters |
//! | check id and name, suite path, finding title, evidence and CI URLs | 1,000 characters |
//! | check message and details, finding details | 64 KiB each, cut with [`TRUNCATED`] |
//! | phase, phase name, suite, kind | no control characters, no `..` path segment, no leading `/` or `\` |
//! | numbers | finite; `max` > 0, `weight` ≥ 0; a negative or non-finite duration is dropped |

use crate::model::{ParsedReport, RunMeta};

/// Longest project, phase, suite and other short name, in characters.
pub const NAME_MAX_CHARS: usize = 200;
/// Longest check id or name (parameterised test names run long), in characters.
pub const CHECK_NAME_MAX_CHARS: usize = 1_000;
/// Longest message or details text kept, in bytes; the rest is cut.
pub const TEXT_MAX_BYTES: usize = 64 * 1024;
/// Appended where a text was cut.
pub const TRUNCATED: &str = " … [truncated by readyboard]";

/// Why a report is refused: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct LimitError {
    /// The field, e.g. `suite` or `checks[3].name`.
    pub field: String,
    /// What is wrong, for a person.
    pub problem: String,
}

fn refuse(field: impl Into<String>, problem: impl Into<String>) -> LimitError {
    LimitError { field: field.into(), problem: problem.into() }
}

/// Checks a short name shown in headings and used in links (suite, phase name, kind…).
pub fn label(field: &str, value: &str) -> Result<(), LimitError> {
    text_name(field, value, NAME_MAX_CHARS)?;
    if value.chars().any(char::is_control) {
        return Err(refuse(field, "control characters (NUL, ESC, line breaks…) are not allowed"));
    }
    if value.starts_with('/') || value.starts_with('\\') {
        return Err(refuse(field, "must not start with `/`"));
    }
    if value.split(['/', '\\']).any(|seg| seg.trim() == "..") {
        return Err(refuse(field, "must not contain a `..` path segment"));
    }
    Ok(())
}

/// Checks the length of a name that may hold any text.
fn text_name(field: &str, value: &str, max_chars: usize) -> Result<(), LimitError> {
    // Byte length bounds the character count from above: most names skip the count.
    if value.len() > max_chars && value.chars().count() > max_chars {
        return Err(refuse(field, format!("at most {max_chars} characters")));
    }
    Ok(())
}

/// Checks an optional short name.
fn short(field: &str, value: Option<&str>) -> Result<(), LimitError> {
    value.map_or(Ok(()), |v| text_name(field, v, NAME_MAX_CHARS))
}

/// Cuts `s` to [`TEXT_MAX_BYTES`] (on a character boundary) with a marker, and replaces NUL.
pub fn clip_text(s: &mut String) {
    if s.len() > TEXT_MAX_BYTES {
        let mut end = TEXT_MAX_BYTES - TRUNCATED.len();
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push_str(TRUNCATED);
    }
    strip_nul(s);
}

/// Replaces NUL, which PostgreSQL cannot store in text, with U+FFFD.
fn strip_nul(s: &mut String) {
    if s.contains('\0') {
        *s = s.replace('\0', "\u{FFFD}");
    }
}

/// Checks where a report goes and its run metadata: the values stored beside it.
pub fn placement(
    phase: &str,
    phase_name: Option<&str>,
    suite: &str,
    kind: Option<&str>,
    run: &RunMeta,
) -> Result<(), LimitError> {
    label("phase", phase)?;
    if let Some(name) = phase_name {
        label("phase_name", name)?;
    }
    label("suite", suite)?;
    if let Some(kind) = kind {
        label("kind", kind)?;
    }
    run_meta(run)
}

fn run_meta(run: &RunMeta) -> Result<(), LimitError> {
    short("run.id", run.id.as_deref())?;
    short("run.environment", run.environment.as_deref())?;
    short("run.commit", run.commit.as_deref())?;
    short("run.branch", run.branch.as_deref())?;
    short("run.started_at", run.started_at.as_deref())?;
    short("run.finished_at", run.finished_at.as_deref())?;
    if let Some(url) = &run.url {
        text_name("run.url", url, CHECK_NAME_MAX_CHARS)?;
    }
    for (field, v) in [
        ("run.id", &run.id),
        ("run.environment", &run.environment),
        ("run.commit", &run.commit),
        ("run.branch", &run.branch),
        ("run.url", &run.url),
    ] {
        if v.as_deref().is_some_and(|v| v.contains('\0')) {
            return Err(refuse(field, "NUL is not allowed"));
        }
    }
    Ok(())
}

fn finite(field: impl FnOnce() -> String, v: f64) -> Result<f64, LimitError> {
    if v.is_finite() { Ok(v) } else { Err(refuse(field(), "must be a finite number")) }
}

/// Applies the limits to a parsed report: refuses over-long or unsafe names and impossible
/// numbers, cuts long texts. Every parser's result goes through it.
pub fn enforce(report: &mut ParsedReport) -> Result<(), LimitError> {
    let p = &report.placement;
    short("project", p.project.as_deref())?;
    for (field, v) in [("phase", &p.phase), ("phase_name", &p.phase_name), ("suite", &p.suite), ("kind", &p.kind)] {
        if let Some(v) = v {
            label(field, v)?;
        }
    }
    run_meta(&report.run)?;
    for (i, c) in report.checks.iter_mut().enumerate() {
        let at = |what: &str| format!("checks[{i}].{what}");
        text_name(&at("id"), &c.id, CHECK_NAME_MAX_CHARS)?;
        text_name(&at("name"), &c.name, CHECK_NAME_MAX_CHARS)?;
        text_name(&at("suite_path"), &c.suite_path, CHECK_NAME_MAX_CHARS)?;
        text_name(&at("evidence_url"), &c.evidence_url, CHECK_NAME_MAX_CHARS)?;
        short(&at("category"), c.category.as_deref())?;
        for s in [&mut c.id, &mut c.name, &mut c.suite_path, &mut c.evidence_url] {
            strip_nul(s);
        }
        if let Some(cat) = &mut c.category {
            strip_nul(cat);
        }
        clip_text(&mut c.message);
        clip_text(&mut c.details);
        if let Some(score) = c.score {
            finite(|| at("score"), score)?;
        }
        if let Some(max) = c.max
            && finite(|| at("max"), max)? <= 0.0
        {
            return Err(refuse(at("max"), "must be greater than 0"));
        }
        if finite(|| at("weight"), c.weight)? < 0.0 {
            return Err(refuse(at("weight"), "must not be negative"));
        }
        c.duration_ms = c.duration_ms.filter(|d| d.is_finite() && *d >= 0.0);
    }
    for (i, m) in report.metrics.iter_mut().enumerate() {
        let at = |what: &str| format!("metrics[{i}].{what}");
        text_name(&at("name"), &m.name, NAME_MAX_CHARS)?;
        text_name(&at("unit"), &m.unit, NAME_MAX_CHARS)?;
        short(&at("category"), m.category.as_deref())?;
        strip_nul(&mut m.name);
        strip_nul(&mut m.unit);
        finite(|| at("value"), m.value)?;
        if let Some(t) = &m.target {
            finite(|| at("target.value"), t.value)?;
        }
    }
    for (i, f) in report.findings.iter_mut().enumerate() {
        let at = |what: &str| format!("findings[{i}].{what}");
        text_name(&at("id"), &f.id, NAME_MAX_CHARS)?;
        text_name(&at("title"), &f.title, CHECK_NAME_MAX_CHARS)?;
        short(&at("category"), f.category.as_deref())?;
        strip_nul(&mut f.id);
        strip_nul(&mut f.title);
        clip_text(&mut f.details);
    }
    if let Some(claimed) = &report.claimed {
        short("claimed.verdict", claimed.verdict.as_deref())?;
    }
    for note in &mut report.notes {
        clip_text(note);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Check, Status};

    fn check(name: &str) -> Check {
        Check { id: name.into(), name: name.into(), status: Status::Pass, weight: 1.0, ..Default::default() }
    }

    fn report_with(check: Check) -> ParsedReport {
        ParsedReport { checks: vec![check], ..Default::default() }
    }

    #[test]
    fn unsafe_suite_and_phase_names_are_refused() {
        for bad in [
            "../../../etc/passwd",
            "a/../b",
            "/etc",
            "nul\0here",
            "esc\u{1b}[31m",
            "line\nbreak",
            "..",
            "a\\..\\b",
            " .. /x",
        ] {
            assert!(label("suite", bad).is_err(), "{bad:?}");
        }
        for good in ["unit", "api/integration", "Phase 3 — Hardening", "v1.2.3", "smoke..tests"] {
            assert_eq!(label("suite", good), Ok(()), "{good:?}");
        }
        assert!(label("suite", &"x".repeat(NAME_MAX_CHARS + 1)).is_err());
        assert_eq!(label("suite", &"é".repeat(NAME_MAX_CHARS)), Ok(()), "the limit counts characters");
    }

    #[test]
    fn an_overlong_check_name_is_refused_with_its_position() {
        let mut r = report_with(check(&"n".repeat(30 * 1024 * 1024)));
        let err = enforce(&mut r).expect_err("refused");
        assert_eq!(err.field, "checks[0].id");
        let mut r = report_with(check(&"n".repeat(CHECK_NAME_MAX_CHARS)));
        assert_eq!(enforce(&mut r), Ok(()));
    }

    #[test]
    fn long_texts_are_cut_with_a_marker_and_nul_is_replaced() {
        let mut c = check("a");
        c.message = "m".repeat(TEXT_MAX_BYTES * 3);
        c.details = "é".repeat(TEXT_MAX_BYTES);
        c.name = "with\0nul".into();
        let mut r = report_with(c);
        enforce(&mut r).expect("accepted");
        let c = &r.checks[0];
        assert!(c.message.len() <= TEXT_MAX_BYTES && c.message.ends_with(TRUNCATED));
        assert!(c.details.len() <= TEXT_MAX_BYTES && c.details.ends_with(TRUNCATED));
        assert_eq!(c.name, "with\u{FFFD}nul");
    }

    #[test]
    fn impossible_numbers_are_refused() {
        for (score, max, weight) in [
            (None, Some(0.0), 1.0),
            (None, Some(-1.0), 1.0),
            (Some(f64::INFINITY), None, 1.0),
            (None, None, -1.0),
            (None, Some(f64::NAN), 1.0),
        ] {
            let mut c = check("a");
            (c.score, c.max, c.weight) = (score, max, weight);
            assert!(enforce(&mut report_with(c)).is_err(), "{score:?} {max:?} {weight}");
        }
        let mut c = check("a");
        c.duration_ms = Some(-5.0);
        let mut r = report_with(c);
        enforce(&mut r).expect("accepted");
        assert_eq!(r.checks[0].duration_ms, None, "a negative duration is dropped");
    }
}
