//! Golden readings of hand-written readiness reports: for each report, the checks (name,
//! category, status), findings (severity, status, title) and claims a careful person
//! extracts, written down in `tests/goldens/<report>.golden`. readyboard's import must
//! match each file exactly. Add every report a user finds misread to this suite.
//!
//! The two shared seeds live outside the repository; when they are absent the test says so
//! on stderr and checks the repository's own reports only.

use std::path::{Path, PathBuf};

use readyboard_domain::ingest::markdown::reading::render;
use readyboard_domain::ingest::{Format, detect, parse};

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn check_golden(source: &Path) -> bool {
    let Ok(bytes) = std::fs::read(source) else {
        eprintln!("SKIPPED: {} not found; its golden reading was not checked", source.display());
        return false;
    };
    let name = source.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let golden_path = manifest().join("tests/goldens").join(format!("{name}.golden"));
    let golden = std::fs::read_to_string(&golden_path).unwrap_or_else(|e| panic!("{}: {e}", golden_path.display()));
    assert_eq!(detect(&bytes), Some(Format::Markdown), "{name} is detected as Markdown");
    let report = parse(&bytes, None).unwrap_or_else(|e| panic!("{name}: {e}"));
    let got = render(&report);
    if got != golden {
        let diff: Vec<String> = golden
            .lines()
            .filter(|l| !got.lines().any(|g| g == *l))
            .map(|l| format!("- {l}"))
            .chain(got.lines().filter(|l| !golden.lines().any(|g| g == *l)).map(|l| format!("+ {l}")))
            .collect();
        panic!("{name}: the reading differs from its golden file (- expected, + read):\n{}", diff.join("\n"));
    }
    true
}

#[test]
fn handwritten_reports_match_their_golden_readings() {
    let dir = manifest().join("tests/fixtures/handwritten");
    let mut sources: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("fixtures").filter_map(|e| e.ok().map(|e| e.path())).collect();
    sources.sort();
    assert!(sources.len() >= 3, "at least three hand-written reports of our own");
    for source in &sources {
        assert!(check_golden(source));
    }
}

#[test]
fn shared_seeds_match_their_golden_readings() {
    let seeds = manifest().join("../../shared/seeds");
    for name in ["phase3-hardening-review.md", "phase4-test-report.md"] {
        check_golden(&seeds.join(name));
    }
}
