//! Webhook deliveries against a real HTTP receiver on loopback: what is sent and signed,
//! retries after errors and timeouts, and deliveries that survive a restart.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use readyboard_domain::ingest;
use readyboard_store::{Actor, NewReport, Store, now_ms};
use serde_json::Value;

/// What the receiver answers next: a status, after a delay.
type Plan = Arc<Mutex<VecDeque<(StatusCode, Duration)>>>;

/// A request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Clone)]
struct Receiver {
    plan: Plan,
    got: Arc<Mutex<Vec<Received>>>,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    r.got.lock().unwrap().push(Received { headers, body });
    let (status, delay) = r.plan.lock().unwrap().pop_front().unwrap_or((StatusCode::OK, Duration::ZERO));
    tokio::time::sleep(delay).await;
    status
}

/// Starts a receiver on loopback; returns its URL and its state.
async fn receiver() -> (String, Receiver) {
    let r = Receiver { plan: Arc::default(), got: Arc::default() };
    let app = Router::new().route("/hook", post(receive)).with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, r)
}

/// A SQLite file removed afterwards.
struct DbFile(std::path::PathBuf);

impl DbFile {
    fn new() -> DbFile {
        DbFile(std::env::temp_dir().join(format!("rb_hooks_{}.db", uuid::Uuid::new_v4().simple())))
    }
    fn url(&self) -> String {
        format!("sqlite://{}", self.0.display())
    }
}

impl Drop for DbFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

/// Stores a JUnit report of `cases` passing cases in shop / rc.
async fn store_report(store: &Store, project_id: i64, suite: &str, cases: usize) -> i64 {
    let body: String = (0..cases).map(|i| format!(r#"<testcase classname="c" name="t{i}"/>"#)).collect();
    let name = suite.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let raw = format!(r#"<testsuite name="{name}" tests="{cases}">{body}</testsuite>"#);
    let parsed = ingest::parse(raw.as_bytes(), None).expect("parses");
    let report = NewReport {
        project_id,
        phase: "rc".into(),
        phase_name: None,
        create_phase: true,
        suite: suite.into(),
        kind: None,
        run: parsed.run.clone(),
        parsed,
        started_at: None,
        finished_at: None,
        received_at: now_ms(),
        raw_gzip: raw.as_bytes().to_vec(),
        raw_size: raw.len() as i64,
        content_hash: format!("{suite}-{}", uuid::Uuid::new_v4().simple()),
        idempotency_key: None,
        encoded_checks: None,
    };
    store.ingest(&Actor::system("ci"), &report).await.expect("stored").report_id
}

const SECRET: &str = "whsec_test";

async fn setup(url: &str, file: &DbFile, format: &str) -> (Store, i64) {
    let store = Store::open(&file.url()).await.unwrap();
    let cli = Actor::system("test");
    let shop = store.create_project(&cli, "shop", "Shop", "").await.unwrap();
    let events = vec!["report.ingested".to_string(), "verdict.changed".to_string()];
    store.create_webhook(&cli, shop.id, url, format, &events, SECRET).await.unwrap();
    (store, shop.id)
}

async fn deliver(store: &Store) -> usize {
    deliver_counted(store, None).await
}

async fn deliver_counted(store: &Store, metrics: Option<Arc<readyboard_server::metrics::Metrics>>) -> usize {
    let timeout = Duration::from_millis(500);
    let sender = readyboard_server::webhooks::Sender::new(timeout, "https://rb.example/", metrics);
    readyboard_server::webhooks::deliver_due(store, &sender, timeout).await
}

/// The value of counter `metric` with `labels` in a Prometheus scrape of `metrics`.
async fn counter(
    metrics: &readyboard_server::metrics::Metrics,
    store: &Store,
    metric: &str,
    labels: &[(&str, &str)],
) -> f64 {
    let text = metrics.render(store).await;
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).expect("a valid exposition");
    scrape
        .samples
        .iter()
        .find(|s| s.metric == metric && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v) | prometheus_parse::Value::Untyped(v) => v,
            _ => f64::NAN,
        })
        .unwrap_or(0.0)
}

#[tokio::test]
async fn a_stored_report_is_posted_signed_and_recorded_as_delivered() {
    let (url, r) = receiver().await;
    let file = DbFile::new();
    let (store, shop) = setup(&url, &file, "json").await;
    let report = store_report(&store, shop, "api", 3).await;
    let metrics = Arc::new(readyboard_server::metrics::Metrics::default());
    assert_eq!(deliver_counted(&store, Some(metrics.clone())).await, 2, "the report and the phase's first verdict");
    let labels = [("event", "report.ingested"), ("outcome", "delivered")];
    assert_eq!(counter(&metrics, &store, "readyboard_webhook_attempts_total", &labels).await, 1.0);
    let got = r.got.lock().unwrap().clone();
    let events: Vec<_> = got.iter().map(|g| g.headers["x-readyboard-event"].to_str().unwrap().to_string()).collect();
    assert!(events.contains(&"report.ingested".to_string()), "{events:?}");
    let ingested = got.iter().find(|g| g.headers["x-readyboard-event"] == "report.ingested").unwrap();
    // The signature is the HMAC of "<t>.<body>" with the secret, and t is now.
    let sig = ingested.headers["x-readyboard-signature"].to_str().unwrap();
    let t: i64 = sig.strip_prefix("t=").and_then(|s| s.split(',').next()).unwrap().parse().unwrap();
    assert!((now_ms() / 1000 - t).abs() <= 5, "t is the time of sending");
    assert_eq!(sig, readyboard_server::webhooks::signature(SECRET, t, &ingested.body));
    assert_ne!(sig, readyboard_server::webhooks::signature("another secret", t, &ingested.body));
    let body: Value = serde_json::from_slice(&ingested.body).unwrap();
    assert_eq!(body["event"], "report.ingested");
    assert_eq!(body["project"]["slug"], "shop");
    assert_eq!(body["phase"]["slug"], "rc");
    assert_eq!(body["subject"], serde_json::json!({"kind": "report", "id": report.to_string()}));
    assert_eq!(body["after"]["tests"], 3);
    assert_eq!(body["url"], format!("https://rb.example/reports/{report}"));
    assert_eq!(ingested.headers["x-readyboard-delivery"], body["delivery"].to_string().as_str());
    let listed = store.deliveries(shop, 10).await.unwrap();
    assert!(
        listed.iter().all(|d| d.status.as_str() == "delivered" && d.attempts == 1 && d.last_code == Some(200)),
        "{listed:?}"
    );
    assert_eq!(deliver(&store).await, 0, "nothing is sent twice");
    let verdict = got.iter().find(|g| g.headers["x-readyboard-event"] == "verdict.changed").unwrap();
    let body: Value = serde_json::from_slice(&verdict.body).unwrap();
    assert_eq!(
        (body["before"]["verdict"].as_str(), body["after"]["verdict"].as_str()),
        (Some("not_ready"), Some("ready"))
    );

    // A critical blocker opened by hand turns the verdict to NO-GO: that is told too.
    let phase = store.phase(shop, "rc").await.unwrap();
    let blocker =
        readyboard_store::NewBlocker { severity: "critical".into(), title: "Data loss".into(), ..Default::default() };
    store.add_blocker(&Actor::system("lead"), phase.id, &blocker).await.unwrap();
    assert_eq!(deliver(&store).await, 1, "the endpoint asked for verdicts, not blockers");
    let last = r.got.lock().unwrap().last().cloned().unwrap();
    let body: Value = serde_json::from_slice(&last.body).unwrap();
    assert_eq!((body["event"].as_str(), body["after"]["verdict"].as_str()), (Some("verdict.changed"), Some("no_go")));
    assert_eq!(body["actor"], "lead");
}

#[tokio::test]
async fn a_failed_attempt_is_retried_after_a_pause_and_a_timeout_counts_as_a_failure() {
    let (url, r) = receiver().await;
    let file = DbFile::new();
    let (store, shop) = setup(&url, &file, "json").await;
    // Only the report: the verdict stays "not ready".
    let hooks = store.webhooks(shop).await.unwrap();
    store.delete_webhook(&Actor::system("test"), shop, hooks[0].id).await.unwrap();
    store
        .create_webhook(&Actor::system("test"), shop, &url, "json", &["report.ingested".into()], SECRET)
        .await
        .unwrap();
    r.plan.lock().unwrap().extend([
        (StatusCode::INTERNAL_SERVER_ERROR, Duration::ZERO),
        (StatusCode::OK, Duration::from_secs(2)),
        (StatusCode::OK, Duration::ZERO),
    ]);
    store_report(&store, shop, "api", 1).await;
    assert_eq!(deliver(&store).await, 1);
    let d = &store.deliveries(shop, 1).await.unwrap()[0];
    assert_eq!((d.status.as_str(), d.attempts, d.last_code), ("pending", 1, Some(500)));
    let wait = d.next_attempt_at - now_ms();
    assert!((25_000..=30_000).contains(&wait), "tried again in 30 s, not {wait} ms");
    assert_eq!(deliver(&store).await, 0, "not before its time");
    // Due again: the receiver now takes longer than the attempt may.
    store_time_travel(&file, 31_000).await;
    assert_eq!(deliver(&store).await, 1);
    let d = &store.deliveries(shop, 1).await.unwrap()[0];
    assert_eq!((d.status.as_str(), d.attempts, d.last_code), ("pending", 2, None));
    assert_eq!(d.last_error.as_deref(), Some("no answer within the time limit"));
    let wait = d.next_attempt_at - now_ms();
    assert!((55_000..=60_000).contains(&wait), "the pause doubles: {wait} ms");
    store_time_travel(&file, 61_000).await;
    assert_eq!(deliver(&store).await, 1);
    let d = &store.deliveries(shop, 1).await.unwrap()[0];
    assert_eq!((d.status.as_str(), d.attempts, d.last_code), ("delivered", 3, Some(200)));
    assert_eq!(r.got.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn queued_deliveries_survive_a_restart_and_chat_gets_a_message() {
    let (url, r) = receiver().await;
    let file = DbFile::new();
    let (store, shop) = setup(&url, &file, "slack").await;
    let report = store_report(&store, shop, "api <&>", 2).await;
    // Stopped before anything was sent.
    store.close().await;
    drop(store);
    let store = Store::open(&file.url()).await.unwrap();
    assert!(deliver(&store).await >= 1);
    let got = r.got.lock().unwrap().clone();
    let ingested =
        got.iter().find(|g| g.headers["x-readyboard-event"] == "report.ingested").expect("told after the restart");
    let body: Value = serde_json::from_slice(&ingested.body).unwrap();
    let text = body["text"].as_str().unwrap();
    assert_eq!(
        text,
        format!(
            "*Shop · rc*: report #{report} of suite api &lt;&amp;&gt; stored (by ci) <https://rb.example/reports/{report}|Open in readyboard>"
        )
    );
}

/// Moves every pending delivery's next attempt `ms` earlier, as if that much time passed.
async fn store_time_travel(file: &DbFile, ms: i64) {
    let pool = sqlx::SqlitePool::connect(&file.url()).await.unwrap();
    sqlx::query("UPDATE webhook_deliveries SET next_attempt_at = next_attempt_at - $1 WHERE status = 'pending'")
        .bind(ms)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}
