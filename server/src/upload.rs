//! `readyboard upload`: sends report files to a server, retrying transient failures, and
//! gates CI on the phase's score or verdict.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use serde_json::Value;

use crate::cli::UploadArgs;

/// Exit code when the phase falls short of `--fail-under` / `--require-verdict`.
const GATE_FAILED: u8 = 2;

fn verdict_rank(v: &str) -> Option<u8> {
    match v {
        "no_go" => Some(0),
        "not_ready" => Some(1),
        "conditional" => Some(2),
        "ready" => Some(3),
        _ => None,
    }
}

fn expand(patterns: &[String]) -> Result<Vec<String>, String> {
    let mut files = Vec::new();
    for p in patterns {
        if p.contains(['*', '?', '[']) {
            let matches: Vec<String> = glob::glob(p)
                .map_err(|e| format!("bad pattern {p}: {e}"))?
                .filter_map(Result::ok)
                .filter(|path| path.is_file())
                .map(|path| path.display().to_string())
                .collect();
            if matches.is_empty() {
                return Err(format!("no file matches {p}"));
            }
            files.extend(matches);
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

/// Uploads every file; returns the exit code.
pub async fn run(args: UploadArgs) -> Result<ExitCode, String> {
    let files = expand(&args.files)?;
    let client = reqwest::Client::builder()
        .user_agent(concat!("readyboard-upload/", env!("CARGO_PKG_VERSION")))
        .timeout(Duration::from_secs(300))
        .build()
        .map_err(|e| e.to_string())?;
    let endpoint = format!("{}/api/v1/reports", args.url.trim_end_matches('/'));
    let mut query: Vec<(&str, String)> = Vec::new();
    for (k, v) in [
        ("project", &args.project),
        ("phase", &args.phase),
        ("suite", &args.suite),
        ("format", &args.format),
        ("run_id", &args.run_id),
        ("environment", &args.environment),
        ("commit", &args.commit),
        ("branch", &args.branch),
        ("ci_url", &args.ci_url),
    ] {
        if let Some(v) = v {
            query.push((k, v.clone()));
        }
    }
    let mut last: Option<Value> = None;
    let mut failures = 0;
    for file in &files {
        let data = match std::fs::read(file) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{file}: cannot read: {e}");
                failures += 1;
                continue;
            }
        };
        let body = gzip(&data);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let resp = client
                .post(&endpoint)
                .query(&query)
                .bearer_auth(&args.token)
                .header("content-encoding", "gzip")
                .header("content-type", "application/octet-stream")
                .body(body.clone())
                .send()
                .await;
            let retry = match resp {
                Ok(r) if r.status().is_success() => {
                    let created = r.status().as_u16() == 201;
                    let v: Value = r.json().await.map_err(|e| format!("{file}: unreadable response: {e}"))?;
                    println!(
                        "{file}: {} report #{} ({}, suite {}): {} tests, {} passed, {} failed, {} errors, {} skipped; phase {} score {} → {}",
                        if created { "stored" } else { "already stored as" },
                        v["id"],
                        v["format"].as_str().unwrap_or("?"),
                        v["suite"].as_str().unwrap_or("?"),
                        v["counts"]["tests"],
                        v["counts"]["passed"],
                        v["counts"]["failed"],
                        v["counts"]["errors"],
                        v["counts"]["skipped"],
                        v["phase"].as_str().unwrap_or("?"),
                        v["score"],
                        v["verdict"].as_str().unwrap_or("?"),
                    );
                    println!("  {}", v["url"].as_str().unwrap_or(""));
                    last = Some(v);
                    false
                }
                Ok(r) if r.status().is_server_error() => {
                    eprintln!("{file}: server error {} (attempt {attempt})", r.status());
                    true
                }
                Ok(r) => {
                    let status = r.status();
                    let text = r.text().await.unwrap_or_default();
                    let detail = serde_json::from_str::<Value>(&text)
                        .ok()
                        .map(|v| {
                            format!("{}: {}", v["title"].as_str().unwrap_or(""), v["detail"].as_str().unwrap_or(""))
                        })
                        .unwrap_or(text);
                    eprintln!("{file}: rejected with {status}: {detail}");
                    failures += 1;
                    false
                }
                Err(e) => {
                    eprintln!("{file}: {e} (attempt {attempt})");
                    true
                }
            };
            if !retry {
                break;
            }
            if attempt >= args.retries.max(1) {
                eprintln!("{file}: giving up after {attempt} attempts");
                failures += 1;
                break;
            }
            tokio::time::sleep(Duration::from_millis(500 * 2u64.pow(attempt.min(6)))).await;
        }
    }
    if failures > 0 {
        eprintln!("{failures} of {} file(s) failed", files.len());
        return Ok(ExitCode::FAILURE);
    }
    if let Some(v) = last {
        let score = v["score"].as_f64();
        let verdict = v["verdict"].as_str().unwrap_or("not_ready");
        if let Some(min) = args.fail_under
            && score.is_none_or(|s| s < min)
        {
            eprintln!("gate: phase score {} is below {min}", score.map(|s| format!("{s:.1}")).unwrap_or("—".into()));
            return Ok(ExitCode::from(GATE_FAILED));
        }
        if let Some(req) = &args.require_verdict {
            let need =
                verdict_rank(req).ok_or_else(|| format!("unknown verdict `{req}` (ready, conditional, not_ready)"))?;
            if verdict_rank(verdict).unwrap_or(0) < need {
                eprintln!("gate: phase verdict is {verdict}, {req} required");
                return Ok(ExitCode::from(GATE_FAILED));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
