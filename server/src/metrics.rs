//! The process's metrics, exposed in the OpenMetrics text format at `/metrics`: requests by
//! route with latency histograms, uploads by format, the database pool, and every phase's
//! score, verdict and open blockers.

use std::sync::atomic::AtomicU64;
use std::time::Instant;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use readyboard_store::Store;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

/// Who may read `/metrics`.
#[derive(Clone, Debug)]
pub enum Access {
    /// Anyone (the default: a local Prometheus scrapes without credentials).
    Public,
    /// Nobody: `/metrics` answers 404.
    Off,
    /// Callers sending `Authorization: Bearer <token>` with this token (never logged).
    Token(SecretString),
}

impl Access {
    /// From `--metrics public|off|token` and `--metrics-token` (a token implies `token`).
    pub fn from_args(mode: &str, token: Option<&str>) -> Result<Access, String> {
        let token = token.map(str::trim).filter(|t| !t.is_empty());
        match (mode.trim().to_ascii_lowercase().as_str(), token) {
            ("public" | "token", Some(t)) => Ok(Access::Token(t.into())),
            ("public", None) => Ok(Access::Public),
            ("off", _) => Ok(Access::Off),
            ("token", None) => Err("--metrics token needs --metrics-token (or READYBOARD_METRICS_TOKEN)".into()),
            (other, _) => Err(format!("--metrics {other}: expected public, off or token")),
        }
    }

    /// Whether a request with this `Authorization` header value may read the metrics; the
    /// token is compared in constant time, so the time taken reveals no matching prefix.
    pub fn allows(&self, authorization: Option<&str>) -> bool {
        match self {
            Access::Public => true,
            Access::Off => false,
            Access::Token(expected) => authorization
                .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
                .is_some_and(|given| bool::from(given.trim().as_bytes().ct_eq(expected.expose_secret().as_bytes()))),
        }
    }
}

/// Labels of a request: the route template (not the path, so the series stay few), the
/// method and the status class.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    class: String,
}

/// Labels of a request's duration.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: String,
}

/// Labels of an upload: the report format and what came of it.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct IngestLabels {
    format: String,
    outcome: String,
}

/// Labels of a format.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FormatLabels {
    format: String,
}

/// Labels of a webhook attempt: the event and what came of it.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WebhookLabels {
    event: String,
    outcome: String,
}

/// Labels of a status class (the original response counter).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClassLabels {
    class: String,
}

/// Labels of a phase.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PhaseLabels {
    project: String,
    phase: String,
}

/// Labels of a phase's verdict (1 for the current verdict, 0 for the others).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VerdictLabels {
    project: String,
    phase: String,
    verdict: String,
}

/// Labels of the connection pool's state.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: String,
}

/// Request durations from 1 ms to about 16 s.
fn duration_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// Report sizes from 1 KiB to 64 MiB.
fn size_histogram() -> Histogram {
    Histogram::new(exponential_buckets(1024.0, 4.0, 9))
}

type F64Gauge = Gauge<f64, AtomicU64>;

/// A phase as its gauges show it.
struct PhaseGauge {
    project: String,
    phase: String,
    score: Option<f64>,
    verdict: Option<String>,
    open_blockers: i64,
}

/// Every phase's evaluation as the pages show it (computed once per change, then cached).
async fn phase_gauges(store: &Store) -> Result<Vec<PhaseGauge>, readyboard_store::StoreError> {
    let mut out = Vec::new();
    for p in store.list_projects().await? {
        for ph in store.phases(p.id).await? {
            let card = store.evaluate_phase(&ph).await?;
            let blockers = store.open_blockers_by_severity(ph.id).await?;
            out.push(PhaseGauge {
                project: p.slug.clone(),
                phase: ph.slug.clone(),
                score: card.display_score(),
                verdict: Some(card.verdict.as_str().to_string()),
                open_blockers: blockers.iter().sum(),
            });
        }
    }
    Ok(out)
}

/// The process's metrics, in a Prometheus registry: updated by the middleware and handlers,
/// and by [`Metrics::render`] for what is read at scrape time (pool, phases, uptime).
#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    registry: Registry,
    responses: Family<ClassLabels, Counter>,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RouteLabels, Histogram, fn() -> Histogram>,
    ingests: Family<IngestLabels, Counter>,
    ingest_bytes: Family<FormatLabels, Histogram, fn() -> Histogram>,
    ingest_seconds: Family<FormatLabels, Histogram, fn() -> Histogram>,
    reports_created: Counter,
    reports_duplicate: Counter,
    reports_rejected: Counter,
    /// Failed logins.
    pub login_failures: Counter,
    uptime: Gauge,
    pool: Family<PoolLabels, Gauge>,
    phase_score: Family<PhaseLabels, F64Gauge>,
    phase_verdict: Family<VerdictLabels, Gauge>,
    phase_blockers: Family<PhaseLabels, Gauge>,
    webhooks: Family<WebhookLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let m = Metrics {
            started: Instant::now(),
            responses: Family::default(),
            requests: Family::default(),
            durations: Family::new_with_constructor(duration_histogram),
            ingests: Family::default(),
            ingest_bytes: Family::new_with_constructor(size_histogram),
            ingest_seconds: Family::new_with_constructor(duration_histogram),
            reports_created: Counter::default(),
            reports_duplicate: Counter::default(),
            reports_rejected: Counter::default(),
            login_failures: Counter::default(),
            uptime: Gauge::default(),
            pool: Family::default(),
            phase_score: Family::default(),
            phase_verdict: Family::default(),
            phase_blockers: Family::default(),
            webhooks: Family::default(),
            registry: Registry::default(),
        };
        registry.register("readyboard_uptime_seconds", "Seconds since the process started", m.uptime.clone());
        registry.register("readyboard_http_responses", "HTTP responses by status class", m.responses.clone());
        registry.register(
            "readyboard_http_requests",
            "HTTP requests by route template, method and status class",
            m.requests.clone(),
        );
        registry.register(
            "readyboard_http_request_duration_seconds",
            "Time to answer a request, by route template and method",
            m.durations.clone(),
        );
        registry.register("readyboard_ingest_reports", "Uploads by report format and outcome", m.ingests.clone());
        registry.register(
            "readyboard_ingest_report_bytes",
            "Size of stored reports as uploaded (after decompression), by format",
            m.ingest_bytes.clone(),
        );
        registry.register(
            "readyboard_ingest_duration_seconds",
            "Time from receiving an upload to storing it, by format",
            m.ingest_seconds.clone(),
        );
        registry.register("readyboard_reports_created", "Reports stored", m.reports_created.clone());
        registry.register(
            "readyboard_reports_duplicate",
            "Uploads that matched an earlier report",
            m.reports_duplicate.clone(),
        );
        registry.register("readyboard_reports_rejected", "Uploads rejected", m.reports_rejected.clone());
        registry.register("readyboard_login_failures", "Failed login attempts", m.login_failures.clone());
        registry.register("readyboard_db_pool_connections", "Database connections by state", m.pool.clone());
        registry.register("readyboard_phase_score", "Each phase's current score (0-100)", m.phase_score.clone());
        registry.register(
            "readyboard_phase_verdict",
            "Each phase's current verdict: 1 for the verdict it has, 0 for the others",
            m.phase_verdict.clone(),
        );
        registry.register("readyboard_phase_open_blockers", "Each phase's open blockers", m.phase_blockers.clone());
        registry.register(
            "readyboard_webhook_attempts",
            "Webhook delivery attempts by event and outcome (delivered, failed)",
            m.webhooks.clone(),
        );
        Metrics { registry, ..m }
    }
}

impl Metrics {
    /// Counts one answered request; `route` is the matched route template.
    pub fn record_request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let class = match status {
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        self.responses.get_or_create(&ClassLabels { class: class.into() }).inc();
        let (route, method) = (route.to_string(), method.to_string());
        self.requests
            .get_or_create(&RequestLabels { route: route.clone(), method: method.clone(), class: class.into() })
            .inc();
        self.durations.get_or_create(&RouteLabels { route, method }).observe(seconds);
    }

    /// Counts one upload of `format` (`unknown` when it could not be read) and what came of
    /// it (`created`, `duplicate`, `rejected`, also in the older per-outcome counters); sizes
    /// and times of stored ones.
    pub fn record_ingest(&self, format: &str, outcome: &str, bytes: Option<usize>, seconds: f64) {
        self.ingests.get_or_create(&IngestLabels { format: format.into(), outcome: outcome.into() }).inc();
        match outcome {
            "created" => self.reports_created.inc(),
            "duplicate" => self.reports_duplicate.inc(),
            _ => self.reports_rejected.inc(),
        };
        if let Some(bytes) = bytes {
            let labels = FormatLabels { format: format.into() };
            self.ingest_bytes.get_or_create(&labels).observe(bytes as f64);
            self.ingest_seconds.get_or_create(&labels).observe(seconds);
        }
    }

    /// Counts one webhook delivery attempt for `event`: `delivered` or `failed`.
    pub fn record_webhook(&self, event: &str, outcome: &str) {
        self.webhooks.get_or_create(&WebhookLabels { event: event.into(), outcome: outcome.into() }).inc();
    }

    /// Renders the exposition text (OpenMetrics), reading the pool and every phase's score,
    /// verdict and open blockers as they stand.
    pub async fn render(&self, store: &Store) -> String {
        self.uptime.set(self.started.elapsed().as_secs() as i64);
        let (size, idle) = store.pool_stats();
        self.pool.get_or_create(&PoolLabels { state: "idle".into() }).set(idle as i64);
        self.pool.get_or_create(&PoolLabels { state: "in_use".into() }).set(i64::from(size) - idle as i64);
        match phase_gauges(store).await {
            Ok(phases) => {
                self.phase_score.clear();
                self.phase_verdict.clear();
                self.phase_blockers.clear();
                for p in phases {
                    let labels = PhaseLabels { project: p.project.clone(), phase: p.phase.clone() };
                    if let Some(score) = p.score {
                        self.phase_score.get_or_create(&labels).set(score);
                    }
                    self.phase_blockers.get_or_create(&labels).set(p.open_blockers);
                    for verdict in ["ready", "conditional", "not_ready", "no_go"] {
                        let v = VerdictLabels {
                            project: p.project.clone(),
                            phase: p.phase.clone(),
                            verdict: verdict.into(),
                        };
                        self.phase_verdict.get_or_create(&v).set(i64::from(p.verdict.as_deref() == Some(verdict)));
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "phase gauges could not be read for /metrics"),
        }
        let mut out = String::new();
        if let Err(e) = encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "metrics could not be encoded");
        }
        out
    }
}

/// Middleware: counts every answered request by its route template, method and status
/// class, with its duration.
pub async fn track(
    axum::extract::State(metrics): axum::extract::State<std::sync::Arc<Metrics>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().to_string();
    let started = Instant::now();
    let resp = next.run(req).await;
    metrics.record_request(&route, &method, resp.status().as_u16(), started.elapsed().as_secs_f64());
    resp
}

#[cfg(test)]
mod tests {
    use super::Access;

    #[test]
    fn metrics_access_follows_the_flags() {
        assert!(matches!(Access::from_args("public", None), Ok(Access::Public)));
        assert!(matches!(Access::from_args("off", Some("t")), Ok(Access::Off)));
        assert!(Access::from_args("token", None).is_err());
        assert!(Access::from_args("open", None).is_err());
        let a = Access::from_args("public", Some("s3cret")).expect("a token implies token mode");
        assert!(a.allows(Some("Bearer s3cret")));
        assert!(!a.allows(Some("Bearer s3cre")));
        assert!(!a.allows(Some("Bearer s3cret0")));
        assert!(!a.allows(None));
        assert!(!format!("{a:?}").contains("s3cret"), "{a:?}");
    }
}

#[cfg(test)]
mod dashboard {
    /// Every metric the Grafana dashboard in docs/ queries is one the server exposes.
    #[tokio::test]
    async fn the_dashboard_queries_only_metrics_that_exist() {
        let store = readyboard_store::Store::open("sqlite::memory:").await.expect("store");
        crate::demo::load(&store).await.expect("demo data");
        let metrics = super::Metrics::default();
        metrics.record_request("/healthz", "GET", 200, 0.01);
        metrics.record_ingest("junit", "created", Some(2048), 0.1);
        metrics.record_webhook("report.ingested", "delivered");
        let exposed = metrics.render(&store).await;
        let dashboard: serde_json::Value =
            serde_json::from_str(include_str!("../../docs/grafana-dashboard.json")).expect("valid JSON");
        let exprs: Vec<String> = dashboard["panels"]
            .as_array()
            .expect("panels")
            .iter()
            .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
            .filter_map(|t| t["expr"].as_str().map(str::to_string))
            .collect();
        assert!(exprs.len() >= 10, "{exprs:?}");
        for expr in &exprs {
            for name in
                expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| w.starts_with("readyboard_"))
            {
                let family = name.trim_end_matches("_bucket").trim_end_matches("_total");
                assert!(
                    exposed.contains(&format!("# TYPE {family} ")),
                    "the dashboard queries {name}, which /metrics does not expose"
                );
            }
        }
    }
}
