//! Timing check on a large generated report; run with
//! `READYBOARD_PERF_FILE=<junit.xml> cargo test --release --test perf -- --ignored --nocapture`.

use std::time::Instant;

use readyboard_domain::ingest::parse;

#[test]
#[ignore = "needs READYBOARD_PERF_FILE and a release build"]
fn large_report_parse_time() {
    let Some(path) = std::env::var_os("READYBOARD_PERF_FILE") else {
        eprintln!("SKIPPED: READYBOARD_PERF_FILE not set");
        return;
    };
    let bytes = std::fs::read(&path).expect("read perf file");
    let mut best = f64::MAX;
    let mut tests = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let r = parse(&bytes, None).expect("parse");
        best = best.min(t.elapsed().as_secs_f64() * 1000.0);
        tests = r.counts().tests;
    }
    println!("parsed {} bytes, {tests} checks, best of 5: {best:.1} ms", bytes.len());
}
