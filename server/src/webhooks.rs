//! Sends queued webhook deliveries (see `readyboard_store::WebhookRow`): claims the due
//! ones, posts each as JSON or as a Slack-compatible message, signed, and records what came
//! of it. The request that caused a delivery only queued it, in its own transaction.
//!
//! Signature: `X-Readyboard-Signature: t=<unix seconds>,v1=<hex>`, where `<hex>` is the
//! HMAC-SHA256, keyed with the endpoint's secret, of `<t>.<body>`. A receiver recomputes it
//! and refuses a `t` more than five minutes from its clock, so a captured delivery cannot be
//! replayed later. `X-Readyboard-Event` names the event and `X-Readyboard-Delivery` the
//! delivery (the same on every attempt, for receivers that deduplicate).

use std::time::Duration;

use hmac::{Hmac, Mac};
use readyboard_store::{DueDelivery, Store, now_ms};
use serde_json::{Value, json};
use sha2::Sha256;

/// How long one attempt may take.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries claimed per pass.
const BATCH: i64 = 20;
/// How often the sender looks for due deliveries when no change woke it.
const POLL: Duration = Duration::from_secs(5);
/// Response text kept with a failed attempt.
const ERROR_CHARS: usize = 300;

/// The signature header of `body` sent at `t` (unix seconds) with `secret`.
pub fn signature(secret: &str, t: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// What deliveries are sent with.
pub struct Sender {
    client: reqwest::Client,
    /// The public address links in deliveries start with.
    base_url: String,
    metrics: Option<std::sync::Arc<crate::metrics::Metrics>>,
}

impl Sender {
    /// Sends with `timeout` per attempt and no redirects followed, links under `base_url`,
    /// attempts counted in `metrics`.
    pub fn new(timeout: Duration, base_url: &str, metrics: Option<std::sync::Arc<crate::metrics::Metrics>>) -> Sender {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("readyboard/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Sender { client, base_url: base_url.trim_end_matches('/').to_string(), metrics }
    }
}

/// Sends every delivery due now, in batches; returns how many attempts were made.
pub async fn deliver_due(store: &Store, sender: &Sender, timeout: Duration) -> usize {
    let mut made = 0;
    loop {
        // The lease outlasts the attempt, so that no other instance takes it meanwhile.
        let lease = timeout.as_millis() as i64 + 30_000;
        let due = match store.claim_deliveries(now_ms(), lease, BATCH).await {
            Ok(due) => due,
            Err(e) => {
                tracing::warn!(error = %e, "webhooks: cannot claim deliveries");
                return made;
            }
        };
        let count = due.len();
        let attempts = due.into_iter().map(|d| attempt(store, sender, d));
        futures_util::future::join_all(attempts).await;
        made += count;
        if (count as i64) < BATCH {
            return made;
        }
    }
}

/// One attempt at delivery `d`, recorded.
async fn attempt(store: &Store, sender: &Sender, d: DueDelivery) {
    let body = serde_json::to_vec(&payload(&d, &sender.base_url)).unwrap_or_default();
    let t = now_ms() / 1000;
    let sent = sender
        .client
        .post(&d.url)
        .header("content-type", "application/json")
        .header("x-readyboard-event", &d.event)
        .header("x-readyboard-delivery", d.id.to_string())
        .header("x-readyboard-signature", signature(&d.secret, t, &body))
        .body(body)
        .send()
        .await;
    let (delivered, code, error) = match sent {
        Ok(resp) if resp.status().is_success() => (true, Some(resp.status().as_u16() as i64), None),
        Ok(resp) => {
            let code = resp.status().as_u16() as i64;
            let text: String = resp.text().await.unwrap_or_default().chars().take(ERROR_CHARS).collect();
            (
                false,
                Some(code),
                Some(format!("HTTP {code}{}", if text.is_empty() { String::new() } else { format!(": {text}") })),
            )
        }
        Err(e) if e.is_timeout() => (false, None, Some("no answer within the time limit".to_string())),
        Err(e) if e.is_connect() => (false, None, Some("could not connect".to_string())),
        Err(e) => (false, None, Some(e.to_string())),
    };
    let outcome = if delivered { "delivered" } else { "failed" };
    if let Some(metrics) = &sender.metrics {
        metrics.record_webhook(&d.event, outcome);
    }
    tracing::info!(delivery = d.id, url = %d.url, event = %d.event, attempt = d.attempts, code, outcome, "webhook attempt");
    if let Err(e) = store.record_attempt(d.id, now_ms(), delivered, code, error.as_deref()).await {
        tracing::warn!(error = %e, delivery = d.id, "webhooks: cannot record an attempt");
    }
}

/// What is posted for delivery `d`: the change as JSON, or a Slack-compatible message.
pub fn payload(d: &DueDelivery, base_url: &str) -> Value {
    let link = link(d, base_url);
    if d.format == "slack" {
        return json!({ "text": format!("{} <{link}|Open in readyboard>", sentence(d)) });
    }
    let parse = |j: &Option<String>| j.as_deref().and_then(|j| serde_json::from_str::<Value>(j).ok());
    json!({
        "delivery": d.id,
        "event": d.event,
        "change": d.audit_id,
        "at": d.at,
        "actor": d.actor,
        "project": { "slug": d.project, "name": d.project_name },
        "phase": d.phase.as_ref().map(|slug| json!({ "slug": slug, "name": d.phase_name })),
        "subject": { "kind": d.entity, "id": d.entity_id },
        "before": parse(&d.before_json),
        "after": parse(&d.after_json),
        "url": link,
    })
}

/// The page of the change.
fn link(d: &DueDelivery, base_url: &str) -> String {
    let phase = d.phase.as_deref().map(|p| format!("/{p}")).unwrap_or_default();
    match (d.entity.as_str(), d.entity_id.as_deref()) {
        ("report", Some(id)) => format!("{base_url}/reports/{id}"),
        ("blocker", _) => format!("{base_url}/p/{}{phase}/blockers", d.project),
        ("checklist_item", _) => format!("{base_url}/p/{}{phase}/checklist", d.project),
        ("decision", Some(id)) if !phase.is_empty() => format!("{base_url}/p/{}{phase}/decisions/{id}", d.project),
        _ => format!("{base_url}/p/{}{phase}", d.project),
    }
}

/// One line saying what happened, for chat.
fn sentence(d: &DueDelivery) -> String {
    let after = d.after_json.as_deref().and_then(|j| serde_json::from_str::<Value>(j).ok()).unwrap_or_default();
    let before = d.before_json.as_deref().and_then(|j| serde_json::from_str::<Value>(j).ok()).unwrap_or_default();
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let place = match &d.phase_name {
        Some(phase) => format!("{} · {phase}", d.project_name),
        None => d.project_name.clone(),
    };
    let what = match d.event.as_str() {
        "report.ingested" => {
            format!("report #{} of suite {} stored", d.entity_id.as_deref().unwrap_or("?"), text(&after, "suite"))
        }
        "verdict.changed" => {
            let label = |v: &Value| readyboard_app::format::verdict_label(&text(v, "verdict"));
            format!("evidence verdict {} → {}", label(&before), label(&after))
        }
        "blocker.opened" => format!("blocker opened: {}", text(&after, "title")),
        "blocker.resolved" => format!("blocker resolved: {}", text(&after, "title")),
        "blocker.waived" => format!("blocker waived: {}", text(&after, "title")),
        "signoff.recorded" => format!("checklist item signed off ({})", text(&after, "verdict")),
        "decision.recorded" => format!("decision recorded: {}", text(&after, "decision")),
        other => other.to_string(),
    };
    format!("*{}*: {} (by {})", escape_chat(&place), escape_chat(&what), escape_chat(&d.actor))
}

/// `s` with the characters Slack-style markup gives meaning to escaped.
fn escape_chat(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Sends due deliveries for as long as the runtime runs: whenever a change is committed
/// (a queued delivery is one) and every few seconds (retries fall due with time).
pub fn spawn(store: Store, sender: Sender) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut views = store.watch_views();
        loop {
            deliver_due(&store, &sender, ATTEMPT_TIMEOUT).await;
            tokio::select! {
                _ = views.changed() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    })
}
