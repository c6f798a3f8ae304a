//! Parsers must return an error, never panic, whatever the bytes.

use proptest::prelude::*;
use readyboard_domain::ingest::{Format, detect, parse};

const JUNIT: &[u8] = include_bytes!("fixtures/sample-junit.xml");
const CTRF: &[u8] = include_bytes!("fixtures/sample-ctrf.json");
const READYBOARD: &[u8] = include_bytes!("fixtures/sample-readyboard.json");
const TRX: &[u8] = include_bytes!("fixtures/sample-trx.xml");
const NUNIT: &[u8] = include_bytes!("fixtures/sample-nunit.xml");
const XUNIT: &[u8] = include_bytes!("fixtures/sample-xunit.xml");
const GOTEST: &[u8] = include_bytes!("fixtures/sample-gotest.jsonl");
const JEST: &[u8] = include_bytes!("fixtures/sample-jest.json");
const PLAYWRIGHT: &[u8] = include_bytes!("fixtures/sample-playwright.json");
const PYTEST: &[u8] = include_bytes!("fixtures/sample-pytest.json");
const MOCHA: &[u8] = include_bytes!("fixtures/sample-mocha.json");
const SARIF: &[u8] = include_bytes!("fixtures/sample-sarif.sarif");
const K6: &[u8] = include_bytes!("fixtures/sample-k6.json");
const MARKDOWN: &[u8] = include_bytes!("fixtures/sample-report.md");

/// Detection, then every parser forced.
fn formats() -> impl Iterator<Item = Option<Format>> {
    std::iter::once(None).chain(Format::SUPPORTED.iter().copied().map(Some))
}

fn exercise(bytes: &[u8]) {
    let _ = detect(bytes);
    for f in formats() {
        if let Ok(r) = parse(bytes, f) {
            let _ = r.counts();
        }
    }
}

/// A byte-level mutation of a fixture: overwrite, insert, delete or truncate.
#[derive(Debug, Clone)]
enum Mutation {
    Set(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let snippets = prop::sample::select(vec![
        b"<".to_vec(),
        b">".to_vec(),
        b"&".to_vec(),
        b"&#0;".to_vec(),
        b"&#x110000;".to_vec(),
        b"]]>".to_vec(),
        b"<![CDATA[".to_vec(),
        b"<!DOCTYPE x>".to_vec(),
        b"</testcase>".to_vec(),
        b"<testsuite>".to_vec(),
        b"\"".to_vec(),
        b"{".to_vec(),
        b"[".to_vec(),
        b"\\".to_vec(),
        b"\0".to_vec(),
        vec![0xF0, 0x9F],
        b"1e999".to_vec(),
        b"-".to_vec(),
        b"\n".to_vec(),
        b"null".to_vec(),
        b"</test-case>".to_vec(),
        b"<UnitTestResult outcome=\"Failed\">".to_vec(),
        b"{\"Action\":\"fail\",\"Package\":\"p\"}\n".to_vec(),
        b"\x1b[31m".to_vec(),
        b"|".to_vec(),
        b"\n#".to_vec(),
        "\u{2705}".as_bytes().to_vec(),
        "\u{e2}\u{153}".as_bytes().to_vec(),
        vec![0xC3, 0xA2, 0xC5],
        b"\n- [x] ".to_vec(),
        b"/100".to_vec(),
    ]);
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<usize>(), prop_oneof![snippets, prop::collection::vec(any::<u8>(), 0..8)])
            .prop_map(|(i, s)| Mutation::Insert(i, s)),
        (any::<usize>(), 0usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(base: &[u8], muts: &[Mutation]) -> Vec<u8> {
    let mut v = base.to_vec();
    for m in muts {
        let len = v.len();
        match m {
            Mutation::Set(i, b) if len > 0 => v[i % len] = *b,
            Mutation::Insert(i, s) => {
                let at = i % (len + 1);
                v.splice(at..at, s.iter().copied());
            }
            Mutation::Delete(i, n) if len > 0 => {
                let at = i % len;
                let end = (at + n).min(len);
                v.drain(at..end);
            }
            Mutation::Truncate(i) => v.truncate(i % (len + 1)),
            _ => {}
        }
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        exercise(&bytes);
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,256}") {
        exercise(s.as_bytes());
        let wrapped = format!("<testsuite><testcase name=\"{s}\">{s}</testcase></testsuite>");
        exercise(wrapped.as_bytes());
        let json = format!("{{\"results\":{{\"tests\":[{s}]}}}}");
        exercise(json.as_bytes());
    }

    #[test]
    fn mutated_junit_never_panics(muts in prop::collection::vec(mutation(), 1..6)) {
        exercise(&apply(JUNIT, &muts));
    }

    #[test]
    fn mutated_ctrf_never_panics(muts in prop::collection::vec(mutation(), 1..6)) {
        exercise(&apply(CTRF, &muts));
    }

    #[test]
    fn mutated_readyboard_never_panics(muts in prop::collection::vec(mutation(), 1..6)) {
        exercise(&apply(READYBOARD, &muts));
    }

    #[test]
    fn mutated_trx_never_panics(muts in prop::collection::vec(mutation(), 1..6)) {
        exercise(&apply(TRX, &muts));
    }

    #[test]
    fn mutated_nunit_never_panics(muts in prop::collection::vec(mutation(), 1..6)) {
        exercise(&apply(NUNIT, &muts));
    }

    #[test]
    fn mutated_xunit_never_panics(muts in prop::collection::vec(mutation(), 1..6)) {
        exercise(&apply(XUNIT, &muts));
    }

    #[test]
    fn mutated_gotest_never_panics(muts in prop::collection::vec(mutation(), 1..6)) {
        exercise(&apply(GOTEST, &muts));
    }

    #[test]
    fn mutated_jest_never_panics(muts in prop::collection::vec(mutation(), 1..6)) {
        exercise(&apply(JEST, &muts));
    }

    #[test]
    fn mutated_playwright_never_panics(muts in prop::collection::vec(mutation(), 1..6)) {
        exercise(&apply(PLAYWRIGHT, &muts));
    }

    #[test]
    fn mutated_pytest_never_panics(muts in prop::collection::vec(mutation(), 1..6)) {
        exercise(&apply(PYTEST, &muts));
    }

    #[test]
    fn mutated_mocha_never_panics(muts in prop::collection::vec(mutation(), 1..6)) {
        exercise(&apply(MOCHA, &muts));
    }

    #[test]
    fn arbitrary_values_in_runner_shapes_never_panic(s in "\\PC{0,64}", n in any::<f64>()) {
        let q = serde_json::to_string(&s).unwrap_or_default();
        let docs = [
            format!("{{\"Action\":{q},\"Package\":{q},\"Test\":{q},\"Output\":{q},\"Elapsed\":{n}}}"),
            format!("{{\"numTotalTests\":1,\"startTime\":{n},\"testResults\":[{{\"name\":{q},\"assertionResults\":[{{\"title\":{q},\"status\":{q},\"duration\":{n},\"invocations\":{n},\"failureMessages\":[{q}]}}]}}]}}"),
            format!("{{\"config\":{{}},\"suites\":[{{\"title\":{q},\"specs\":[{{\"title\":{q},\"tests\":[{{\"status\":{q},\"expectedStatus\":{q},\"results\":[{{\"status\":{q},\"duration\":{n},\"error\":{{\"message\":{q}}}}}]}}]}}]}}]}}"),
            format!("{{\"exitcode\":{n},\"created\":{n},\"duration\":{n},\"tests\":[{{\"nodeid\":{q},\"outcome\":{q},\"call\":{{\"duration\":{n},\"outcome\":{q},\"longrepr\":{q}}}}}]}}"),
            format!("{{\"stats\":{{\"start\":{q}}},\"tests\":[{{\"title\":{q},\"fullTitle\":{q},\"duration\":{n},\"currentRetry\":{n},\"err\":{{\"message\":{q}}}}}],\"failures\":[{{\"title\":{q}}}]}}"),
            format!("<TestRun><Times start={q}/><Results><UnitTestResult testName={q} outcome={q} duration={q}/></Results></TestRun>"),
            format!("<test-run><test-suite type=\"Assembly\" name={q}><test-case name={q} result={q} label={q} duration={q}/></test-suite></test-run>"),
            format!("<assemblies><assembly name={q}><collection><test name={q} type={q} result={q} time={q}/></collection></assembly></assemblies>"),
        ];
        for d in &docs {
            exercise(d.as_bytes());
        }
    }

    #[test]
    fn mutated_sarif_never_panics(muts in prop::collection::vec(mutation(), 1..6)) {
        exercise(&apply(SARIF, &muts));
    }

    #[test]
    fn mutated_k6_never_panics(muts in prop::collection::vec(mutation(), 1..6)) {
        exercise(&apply(K6, &muts));
    }

    #[test]
    fn mutated_markdown_never_panics(muts in prop::collection::vec(mutation(), 1..6)) {
        exercise(&apply(MARKDOWN, &muts));
    }

    #[test]
    fn arbitrary_markdown_never_panics(s in "[#|\\-\\[\\]x:/0-9 \n\u{2705}\u{274c}\u{26a0}\u{fe0f}\u{e2}\u{153}\u{20ac}\u{f0}\u{178}a-zA-Z%→]{0,300}") {
        exercise(s.as_bytes());
        exercise(format!("# T\n\n{s}").as_bytes());
    }
}

#[test]
fn fixtures_parse() {
    let j = parse(JUNIT, None).unwrap();
    assert_eq!(j.format, "junit");
    let c = j.counts();
    assert_eq!((c.tests, c.passed, c.failed, c.skipped), (5, 2, 1, 2));
    assert_eq!(j.notes.len(), 1);
    assert!(j.checks[2].flaky);
    assert_eq!(j.checks[0].suite_path, "api › auth › api.AuthTest");

    let c = parse(CTRF, None).unwrap();
    assert_eq!(c.format, "ctrf");
    assert_eq!(c.counts().tests, 4);

    for (bytes, format, tests) in [
        (TRX, "trx", 3),
        (NUNIT, "nunit", 4),
        (XUNIT, "xunit", 3),
        (GOTEST, "gotest", 4),
        (JEST, "jest", 3),
        (PLAYWRIGHT, "playwright", 3),
        (PYTEST, "pytest-json", 3),
        (MOCHA, "mocha", 3),
    ] {
        let r = parse(bytes, None).unwrap_or_else(|e| panic!("{format}: {e}"));
        assert_eq!(r.format, format);
        let c = r.counts();
        assert_eq!(c.tests, tests, "{format}");
        assert_eq!(c.passed + c.partial + c.failed + c.errors + c.skipped + c.not_run, tests, "{format}");
        assert!(c.failed + c.errors >= 1, "{format} fixture has a failing test");
        assert!(r.checks.iter().any(|ch| !ch.message.is_empty()), "{format} keeps failure messages");
    }

    let r = parse(READYBOARD, None).unwrap();
    assert_eq!(r.format, "readyboard");
    // Two checks plus one metric with a target.
    assert_eq!(r.counts().tests, 3);
    assert_eq!(r.claimed.unwrap().score, Some(80.0));

    let s = parse(SARIF, None).unwrap();
    assert_eq!(s.format, "sarif");
    assert_eq!(s.findings.len(), 3);

    let k = parse(K6, None).unwrap();
    assert_eq!(k.format, "k6");
    // Two thresholds (one crossed) plus one check() that failed once in 100 (partial).
    let c = k.counts();
    assert_eq!((c.tests, c.passed, c.failed, c.partial), (3, 1, 1, 1));

    let m = parse(MARKDOWN, None).unwrap();
    assert_eq!(m.format, "markdown");
    assert_eq!(m.checks.len(), 3);
    assert_eq!(m.findings.len(), 1);
    let claimed = m.claimed.unwrap();
    assert_eq!((claimed.score, claimed.verdict.as_deref()), (Some(70.0), Some("no_go")));
}
