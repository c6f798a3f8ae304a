//! A few process counters exposed in Prometheus text format at `/metrics`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Who may read `/metrics`.
#[derive(Clone, PartialEq, Eq)]
pub enum Access {
    /// Anyone (the default: a local Prometheus scrapes without credentials).
    Public,
    /// Nobody: `/metrics` answers 404.
    Off,
    /// Callers sending `Authorization: Bearer <token>` with this token.
    Token(String),
}

impl std::fmt::Debug for Access {
    // The token never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Access::Public => f.write_str("Public"),
            Access::Off => f.write_str("Off"),
            Access::Token(_) => f.write_str("Token(***)"),
        }
    }
}

impl Access {
    /// From `--metrics public|off|token` and `--metrics-token` (a token implies `token`).
    pub fn from_args(mode: &str, token: Option<&str>) -> Result<Access, String> {
        let token = token.map(str::trim).filter(|t| !t.is_empty());
        match (mode.trim().to_ascii_lowercase().as_str(), token) {
            ("public" | "token", Some(t)) => Ok(Access::Token(t.to_string())),
            ("public", None) => Ok(Access::Public),
            ("off", _) => Ok(Access::Off),
            ("token", None) => Err("--metrics token needs --metrics-token (or READYBOARD_METRICS_TOKEN)".into()),
            (other, _) => Err(format!("--metrics {other}: expected public, off or token")),
        }
    }

    /// Whether a request with this `Authorization` header value may read the metrics.
    pub fn allows(&self, authorization: Option<&str>) -> bool {
        match self {
            Access::Public => true,
            Access::Off => false,
            Access::Token(expected) => authorization
                .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
                .is_some_and(|given| constant_time_eq(given.trim().as_bytes(), expected.as_bytes())),
        }
    }
}

/// Compares without an early exit, so the time taken does not reveal a matching prefix.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

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

#[cfg(test)]
mod tests {
    use super::Access;

    #[test]
    fn metrics_access_follows_the_flags() {
        assert_eq!(Access::from_args("public", None), Ok(Access::Public));
        assert_eq!(Access::from_args("off", Some("t")), Ok(Access::Off));
        assert_eq!(Access::from_args("public", Some("s3cret")), Ok(Access::Token("s3cret".into())));
        assert!(Access::from_args("token", None).is_err());
        assert!(Access::from_args("open", None).is_err());
        let a = Access::Token("s3cret".into());
        assert!(a.allows(Some("Bearer s3cret")));
        assert!(!a.allows(Some("Bearer s3cre")));
        assert!(!a.allows(None));
        assert_eq!(format!("{a:?}"), "Token(***)");
    }
}
