//! Conformance cases for the dialects of TRX, NUnit, xUnit.net, go test2json and mocha that
//! real files use: one small hand-written fixture per case, read as an upload is read
//! (format detected from the content), with the counts the format's own tooling gives.

use readyboard_domain::ingest::{Format, detect, parse};
use readyboard_domain::model::{ParsedReport, Status};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/dialects/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn read(name: &str, format: Format) -> ParsedReport {
    let bytes = fixture(name);
    assert_eq!(detect(&bytes), Some(format), "{name} detected");
    parse(&bytes, None).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn statuses(r: &ParsedReport) -> Vec<Status> {
    r.checks.iter().map(|c| c.status).collect()
}

/// (tests, passed, failed, errors, skipped or not run, of which not run).
/// (tests, passed, failed, errors, skipped, not run); warn/partial are counted apart.
fn counts(r: &ParsedReport) -> (u64, u64, u64, u64, u64, u64) {
    let c = r.counts();
    (c.tests, c.passed, c.failed, c.errors, c.skipped, c.not_run)
}

use Status::{Error, Fail, NotRun, Pass, Skip, Warn};

#[test]
fn nunit2_executed_tests_without_result_pass_unless_they_hold_a_failure() {
    let r = read("nunit2-executed-without-result.xml", Format::Nunit);
    assert_eq!(statuses(&r), vec![Pass, Fail, Pass, Skip]);
    assert_eq!(counts(&r), (4, 2, 1, 0, 1, 0));
    assert_eq!(r.checks[1].message, "Expected: 0 But was: 1");
    assert_eq!(r.checks[3].message, "pricing rules pending");
}

#[test]
fn nunit2_misspelt_success_is_decided_by_result_or_failure_and_reported() {
    let r = read("nunit2-misspelt-success.xml", Format::Nunit);
    assert_eq!(statuses(&r), vec![Pass, Pass, Fail, Fail]);
    assert_eq!(counts(&r), (4, 2, 2, 0, 0, 0));
    for value in ["Ture", "treu", "Fasle", "yes"] {
        assert!(r.notes.iter().any(|n| n.contains(&format!("success=\"{value}\""))), "{value}: {:?}", r.notes);
    }
}

#[test]
fn nunit3_labels_count_as_the_nunit_console_counts_them() {
    let r = read("nunit3-labels.xml", Format::Nunit);
    // Passed, Failed, Failed:Error, Failed:Invalid, Failed:Cancelled, Failed + a timeout's
    // label, Skipped:Ignored, Skipped:Explicit, Inconclusive.
    assert_eq!(statuses(&r), vec![Pass, Fail, Error, Error, Error, Error, Skip, Skip, NotRun]);
    assert_eq!(counts(&r), (9, 1, 1, 4, 2, 1));
}

#[test]
fn nunit_with_a_doctype_is_read_and_its_entities_never_expanded() {
    let r = read("nunit-doctype.xml", Format::Nunit);
    assert_eq!(statuses(&r), vec![Pass, Pass]);
    assert!(r.checks[1].name.ends_with("Prints & exits"), "{}", r.checks[1].name);

    let bytes = fixture("nunit-xxe.xml");
    assert_eq!(detect(&bytes), Some(Format::Nunit));
    let e = parse(&bytes, None).unwrap_err().to_string();
    assert!(e.contains("DOCTYPE declares entities") && e.contains("line 2"), "{e}");
    assert!(!e.contains("root:"), "nothing was read from the entity: {e}");
}

#[test]
fn an_mstest_named_nunit_file_from_a_converter_in_utf16_is_recognised() {
    let r = read("nunit-mstest-converter-utf16.xml", Format::Nunit);
    assert_eq!(r.format, "nunit");
    assert_eq!(statuses(&r), vec![Pass, Fail, Skip]);
    assert_eq!(r.checks[0].name, "TestMethod_TotalsLines");
    assert_eq!(r.checks[1].message, "Assert.AreEqual failed. Expected:<1.05>. Actual:<1.04>.");
}

#[test]
fn trx_outcomes_map_as_the_trx_schema_counts_them() {
    let r = read("trx-outcomes.trx", Format::Trx);
    assert_eq!(statuses(&r), vec![Pass, Fail, Skip, NotRun, Error, Error, Error, Pass, Warn, NotRun, NotRun, NotRun]);
    // Warn is counted as partial (half credit in the score); skip and not run apart.
    assert_eq!(counts(&r), (12, 2, 1, 3, 1, 4));
    assert_eq!(r.counts().partial, 1);
}

#[test]
fn go_parents_and_subtests_count_apart_and_failed_packages_are_errors() {
    let r = read("gotest-subtests-and-package-failures.jsonl", Format::Gotest);
    let ids: Vec<(&str, Status)> = r.checks.iter().map(|c| (c.id.as_str(), c.status)).collect();
    assert_eq!(
        ids,
        vec![
            ("example.com/shop/cart::TestTotals", Fail),
            ("example.com/shop/cart::TestTotals/empty", Pass),
            ("example.com/shop/cart::TestTotals/discount", Fail),
            ("example.com/shop/cart::TestEmpty", Pass),
            ("example.com/shop/db::[package failed]", Error),
            ("example.com/shop/api::[build failed]", Error),
        ]
    );
    assert_eq!(counts(&r), (6, 2, 2, 2, 0, 0));
    assert_eq!(r.checks[4].message, "package failed outside any test: TestMain: cannot reach database");
    assert_eq!(r.checks[5].message, "package failed to build: api/handler.go:12:2: undefined: render");
}

#[test]
fn mocha_hook_failures_are_errors_not_failures_of_the_named_test() {
    let r = read("mocha-hooks.json", Format::Mocha);
    let names: Vec<(&str, Status)> = r.checks.iter().map(|c| (c.name.as_str(), c.status)).collect();
    assert_eq!(
        names,
        vec![
            ("lists users", Pass),
            ("creates a user", Pass),
            ("deletes a user", Skip),
            (r#""after each" hook for "creates a user""#, Error),
            (r#""before each" hook for "charges a card""#, Error),
            (r#""after all" hook"#, Error),
        ]
    );
    // mocha's own stats: 3 failures (the hooks), 2 passes, 1 pending.
    assert_eq!(counts(&r), (6, 2, 0, 3, 1, 0));
}
