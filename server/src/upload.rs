//! `readyboard upload`: sends report files to a server, retrying transient failures, and
//! gates CI on the phase's score or verdict.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use serde_json::Value;

use crate::cli::UploadArgs;
use crate::upload_summary::{NewBlocker, PhaseState, ReportChange, RunSummary};

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

/// Reads every file as the server would, without sending it; returns the exit code: 1 when
/// a file cannot be read or is not a report.
pub fn check(format: Option<&str>, patterns: &[String]) -> Result<ExitCode, String> {
    let forced = match format {
        Some(name) => Some(
            readyboard_domain::ingest::Format::parse_name(name).ok_or_else(|| format!("unknown format `{name}`"))?,
        ),
        None => None,
    };
    let mut failures = 0;
    for file in expand(patterns)? {
        let read = std::fs::read(&file).map_err(|e| format!("cannot read: {e}"));
        match read.and_then(|data| crate::intake::read(&data, forced).map_err(|e| e.to_string())) {
            Ok(parsed) => {
                let c = parsed.counts();
                println!(
                    "{file}: {} ({}), {} checks: {} passed, {} failed, {} errors, {} skipped; {} metrics, {} findings",
                    parsed.format,
                    parsed.provenance.as_str(),
                    c.tests,
                    c.passed,
                    c.failed,
                    c.errors,
                    c.skipped,
                    parsed.metrics.len(),
                    parsed.findings.len()
                );
            }
            Err(e) => {
                eprintln!("{file}: {e}");
                failures += 1;
            }
        }
    }
    Ok(if failures == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Uploads every file; returns the exit code.
pub async fn run(args: UploadArgs) -> Result<ExitCode, String> {
    let files = expand(&args.files)?;
    let client = http_client()?;
    let sender = Sender {
        client: &client,
        endpoint: format!("{}/api/v1/reports", args.url.trim_end_matches('/')),
        query: upload_query(&args),
        token: &args.token,
        json: args.json,
        retries: args.retries,
    };
    let base = args.url.trim_end_matches('/').to_string();
    let api = Api { client: &client, base: &base, token: &args.token };
    let wants_summary = args.summary.is_some() || args.json;
    // Where the phase stood before this run, when the command names it.
    let before = match (&args.project, &args.phase) {
        (Some(p), Some(ph)) if wants_summary => api.phase_state(p, ph).await,
        _ => None,
    };
    let mut uploaded: Vec<(Value, bool)> = Vec::new();
    let mut failures = 0;
    for file in &files {
        match sender.upload(file).await? {
            Some(done) => uploaded.push(done),
            None => failures += 1,
        }
    }
    if wants_summary && !uploaded.is_empty() {
        write_summary(&api, &args, before, &uploaded).await?;
    }
    if failures > 0 {
        eprintln!("{failures} of {} file(s) failed", files.len());
        return Ok(ExitCode::FAILURE);
    }
    match uploaded.last() {
        Some((last, _)) => gate(&args, last),
        None => Ok(ExitCode::SUCCESS),
    }
}

/// The HTTP client of the uploads: named after this version, patient with big reports.
fn http_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .user_agent(concat!("readyboard-upload/", env!("CARGO_PKG_VERSION")))
        .timeout(Duration::from_secs(300))
        .build()
        .map_err(|e| e.to_string())
}

/// The upload's query parameters: the placement and run options given on the command line.
fn upload_query(args: &UploadArgs) -> Vec<(&'static str, String)> {
    [
        ("project", &args.project),
        ("phase", &args.phase),
        ("suite", &args.suite),
        ("format", &args.format),
        ("run_id", &args.run_id),
        ("environment", &args.environment),
        ("commit", &args.commit),
        ("branch", &args.branch),
        ("ci_url", &args.ci_url),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k, v.clone()?)))
    .collect()
}

/// Sends report files to the upload endpoint with the run's parameters and token.
struct Sender<'a> {
    client: &'a reqwest::Client,
    endpoint: String,
    query: Vec<(&'static str, String)>,
    token: &'a str,
    /// Progress goes to stderr, leaving stdout to the JSON summary.
    json: bool,
    retries: u32,
}

/// What one attempt at sending a file came to.
enum Sent {
    /// Stored now (`true`) or already stored: the server's answer.
    Stored(Value, bool),
    /// Refused for good.
    Rejected,
    /// Failed in a way another attempt may get past.
    Retry,
}

impl Sender<'_> {
    /// Prints a progress line: on stdout, or on stderr when stdout carries the JSON summary.
    fn say(&self, line: &str) {
        if self.json { eprintln!("{line}") } else { println!("{line}") }
    }

    /// Reads and sends one file, retrying transient failures; `None` when it failed.
    async fn upload(&self, file: &str) -> Result<Option<(Value, bool)>, String> {
        let data = match std::fs::read(file) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{file}: cannot read: {e}");
                return Ok(None);
            }
        };
        let body = crate::intake::compress(&data);
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.send(file, &body, attempt).await? {
                Sent::Stored(v, created) => return Ok(Some((v, created))),
                Sent::Rejected => return Ok(None),
                Sent::Retry => {}
            }
            if attempt >= self.retries.max(1) {
                eprintln!("{file}: giving up after {attempt} attempts");
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_millis(500 * 2u64.pow(attempt.min(6)))).await;
        }
    }

    /// One attempt at sending a file's gzipped body; `Err` when the server's answer is unreadable.
    async fn send(&self, file: &str, body: &[u8], attempt: u32) -> Result<Sent, String> {
        let resp = self
            .client
            .post(&self.endpoint)
            .query(&self.query)
            .bearer_auth(self.token)
            .header("content-encoding", "gzip")
            .header("content-type", "application/octet-stream")
            .body(body.to_vec())
            .send()
            .await;
        match resp {
            Ok(r) if r.status().is_success() => {
                let created = r.status().as_u16() == 201;
                let v: Value = r.json().await.map_err(|e| format!("{file}: unreadable response: {e}"))?;
                self.say(&stored_line(file, &v, created));
                self.say(&format!("  {}", v["url"].as_str().unwrap_or("")));
                Ok(Sent::Stored(v, created))
            }
            Ok(r) if r.status().is_server_error() => {
                eprintln!("{file}: server error {} (attempt {attempt})", r.status());
                Ok(Sent::Retry)
            }
            Ok(r) => {
                let status = r.status();
                eprintln!("{file}: rejected with {status}: {}", rejection_detail(r).await);
                Ok(Sent::Rejected)
            }
            Err(e) => {
                eprintln!("{file}: {e} (attempt {attempt})");
                Ok(Sent::Retry)
            }
        }
    }
}

/// The line saying what the server made of an uploaded file and where the phase stands.
fn stored_line(file: &str, v: &Value, created: bool) -> String {
    format!(
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
    )
}

/// Why the server refused an upload: its problem's title and detail, or its text.
async fn rejection_detail(r: reqwest::Response) -> String {
    let text = r.text().await.unwrap_or_default();
    serde_json::from_str::<Value>(&text)
        .ok()
        .map(|v| format!("{}: {}", v["title"].as_str().unwrap_or(""), v["detail"].as_str().unwrap_or("")))
        .unwrap_or(text)
}

/// Writes the run's summary: appended as Markdown to `--summary`, printed as JSON with `--json`.
async fn write_summary(
    api: &Api<'_>,
    args: &UploadArgs,
    before: Option<PhaseState>,
    uploaded: &[(Value, bool)],
) -> Result<(), String> {
    let summary = api.summarize(before, uploaded).await;
    if let Some(path) = &args.summary {
        append(path, &crate::upload_summary::markdown(&summary))?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary).unwrap_or_default());
    }
    Ok(())
}

/// The CI gate's exit code: the phase the last upload left against `--fail-under` and `--require-verdict`.
fn gate(args: &UploadArgs, last: &Value) -> Result<ExitCode, String> {
    let score = last["score"].as_f64();
    let verdict = last["verdict"].as_str().unwrap_or("not_ready");
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
    Ok(ExitCode::SUCCESS)
}

/// Appends `text` to the file at `path` (a CI job summary collects several steps).
fn append(path: &str, text: &str) -> Result<(), String> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot write the summary to {path}: {e}"))?;
    f.write_all(text.as_bytes()).map_err(|e| format!("cannot write the summary to {path}: {e}"))
}

/// The read API as the summary uses it, with the upload's token.
struct Api<'a> {
    client: &'a reqwest::Client,
    base: &'a str,
    token: &'a str,
}

impl Api<'_> {
    /// `GET` a JSON document; `None` when it cannot be read (the summary then says less).
    async fn get(&self, path: &str) -> Option<Value> {
        let resp = self.client.get(format!("{}{path}", self.base)).bearer_auth(self.token).send().await.ok()?;
        if !resp.status().is_success() {
            return None;
        }
        resp.json().await.ok()
    }

    /// The phase's score and verdict now (`None`: no such phase yet, or unreadable).
    async fn phase_state(&self, project: &str, phase: &str) -> Option<PhaseState> {
        let v = self.get(&format!("/api/v1/projects/{project}/phases/{phase}/status")).await?;
        Some(PhaseState { score: v["score"].as_f64(), verdict: v["verdict"].as_str()?.to_string() })
    }

    /// What the run did, read back from the server after the last upload.
    async fn summarize(&self, before: Option<PhaseState>, uploaded: &[(Value, bool)]) -> RunSummary {
        let (last, _) = &uploaded[uploaded.len() - 1];
        let (project, phase) = (text(&last["project"]), text(&last["phase"]));
        let mut reports = Vec::new();
        for (v, created) in uploaded {
            let id = v["id"].as_i64().unwrap_or_default();
            let diff = self.get(&format!("/api/v1/reports/{id}/diff")).await.unwrap_or(Value::Null);
            let names = |list: &Value| -> Vec<String> {
                list.as_array().map(|l| l.iter().map(|e| text(&e["name"])).collect()).unwrap_or_default()
            };
            let count = |list: &Value| list.as_array().map_or(0, |l| l.len() as u64);
            reports.push(ReportChange {
                id,
                url: text(&v["url"]),
                suite: text(&v["suite"]),
                stored: *created,
                tests: v["counts"]["tests"].as_u64().unwrap_or_default(),
                failing: v["counts"]["failed"].as_u64().unwrap_or_default()
                    + v["counts"]["errors"].as_u64().unwrap_or_default(),
                compared: diff["previous"].is_i64() && diff["checks_pruned"] != Value::Bool(true),
                new_failures: names(&diff["new_failures"]),
                fixed: count(&diff["fixed"]),
                still_failing: count(&diff["still_failing"]),
            });
        }
        let ids: Vec<i64> = reports.iter().filter(|r| r.stored).map(|r| r.id).collect();
        let blockers = self.get(&format!("/api/v1/projects/{project}/phases/{phase}/blockers")).await;
        let open: Vec<&Value> = blockers
            .as_ref()
            .and_then(|b| b["items"].as_array())
            .map(|items| items.iter().filter(|b| b["status"] == "open").collect())
            .unwrap_or_default();
        let new_blockers = open
            .iter()
            .filter(|b| b["occurrences"] == 1 && b["last_report_id"].as_i64().is_some_and(|id| ids.contains(&id)))
            .map(|b| NewBlocker { severity: text(&b["severity"]), title: text(&b["title"]) })
            .collect();
        let status = self.get(&format!("/api/v1/projects/{project}/phases/{phase}/status")).await;
        let after = PhaseState { score: last["score"].as_f64(), verdict: text(&last["verdict"]) };
        let reasons =
            status.and_then(|s| s["reasons"].as_array().map(|r| r.iter().map(text).collect())).unwrap_or_default();
        RunSummary {
            // The server's own address for people (its base URL), as its report links use.
            scorecard_url: format!(
                "{}/p/{project}/{phase}",
                text(&last["url"]).rsplit_once("/reports/").map_or(self.base, |(base, _)| base)
            ),
            project,
            phase,
            before,
            after,
            reasons,
            reports,
            new_blockers,
            open_blockers: open.len() as u64,
        }
    }
}

/// A JSON string's text (empty when it is not a string).
fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}
