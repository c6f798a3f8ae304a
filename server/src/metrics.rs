//! A few process counters exposed in Prometheus text format at `/metrics`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Counters updated by handlers and middleware.
#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    /// Responses by class: 2xx, 3xx, 4xx, 5xx.
    pub responses: [AtomicU64; 4],
    /// Reports stored.
    pub reports_created: AtomicU64,
    /// Uploads answered with an earlier identical report.
    pub reports_duplicate: AtomicU64,
    /// Uploads rejected.
    pub reports_rejected: AtomicU64,
    /// Failed logins.
    pub login_failures: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            started: Instant::now(),
            responses: Default::default(),
            reports_created: AtomicU64::new(0),
            reports_duplicate: AtomicU64::new(0),
            reports_rejected: AtomicU64::new(0),
            login_failures: AtomicU64::new(0),
        }
    }
}

impl Metrics {
    /// Counts one response by status code.
    pub fn record_status(&self, status: u16) {
        let i = match status {
            200..=299 => 0,
            300..=399 => 1,
            400..=499 => 2,
            _ => 3,
        };
        self.responses[i].fetch_add(1, Ordering::Relaxed);
    }

    /// Renders the exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP readyboard_uptime_seconds Seconds since the process started.\n");
        out.push_str("# TYPE readyboard_uptime_seconds gauge\n");
        out.push_str(&format!("readyboard_uptime_seconds {}\n", self.started.elapsed().as_secs()));
        out.push_str("# HELP readyboard_http_responses_total HTTP responses by status class.\n");
        out.push_str("# TYPE readyboard_http_responses_total counter\n");
        for (i, class) in ["2xx", "3xx", "4xx", "5xx"].iter().enumerate() {
            out.push_str(&format!(
                "readyboard_http_responses_total{{class=\"{class}\"}} {}\n",
                self.responses[i].load(Ordering::Relaxed)
            ));
        }
        for (name, help, v) in [
            ("readyboard_reports_created_total", "Reports stored.", &self.reports_created),
            ("readyboard_reports_duplicate_total", "Uploads that matched an earlier report.", &self.reports_duplicate),
            ("readyboard_reports_rejected_total", "Uploads rejected.", &self.reports_rejected),
            ("readyboard_login_failures_total", "Failed login attempts.", &self.login_failures),
        ] {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}\n",
                v.load(Ordering::Relaxed)
            ));
        }
        out
    }
}
