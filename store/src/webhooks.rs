//! Webhooks: endpoints admins register per project, and the queue of their deliveries.
//!
//! A delivery is queued by the audit entry of the change it tells of, in the same
//! transaction (see `crate::audit::write_audit`): a change that commits is told, one that
//! rolls back is not, and nothing is lost in a restart. Senders claim due deliveries (see
//! [`Store::claim_deliveries`]) and record what came of each attempt; a failed attempt is
//! tried again with exponential backoff for a day.

use readyboard_domain::webhooks::DeliveryStatus;
use serde::Serialize;
use serde_json::json;

use crate::audit::{Actor, AuditWrite, write_audit};
use crate::db::{BeginWrite, Db, Store, now_ms, on_pool, write_tx};
use crate::error::{StoreError, StoreResult};

/// The events an endpoint can ask for, with what each tells of.
pub const WEBHOOK_EVENTS: &[(&str, &str)] = &[
    ("report.ingested", "a report was stored"),
    ("verdict.changed", "the phase's evidence verdict changed"),
    ("blocker.opened", "a blocker was opened or reopened"),
    ("blocker.resolved", "a blocker was resolved"),
    ("blocker.waived", "a blocker was waived"),
    ("signoff.recorded", "a checklist item was signed off (approved or rejected)"),
    ("decision.recorded", "a go/no-go decision was recorded"),
];

/// The formats an endpoint can ask for.
pub const WEBHOOK_FORMATS: &[&str] = &["json", "slack"];

/// How long a delivery is tried, in milliseconds (a day).
pub const RETRY_FOR_MS: i64 = 24 * 3_600_000;

/// Queues a delivery of an audit entry ($1) as event $2 at $3, tried until $4, to every
/// endpoint of project $5 that asked for the event.
pub(crate) const QUEUE_SQL: &str = "INSERT INTO webhook_deliveries \
     (webhook_id, audit_id, event, status, attempts, next_attempt_at, retry_until, created_at) \
     SELECT w.id, $1, $2, 'pending', 0, $3, $4, $3 FROM webhooks w \
     WHERE w.project_id = $5 AND (',' || w.events || ',') LIKE ('%,' || $2 || ',%')";

/// The webhook event an audit action is told as, if any.
pub(crate) fn event_of(action: &str) -> Option<&'static str> {
    Some(match action {
        "report.create" => "report.ingested",
        "phase.verdict" => "verdict.changed",
        "blocker.create" | "blocker.reopen" => "blocker.opened",
        "blocker.resolve" => "blocker.resolved",
        "blocker.waive" => "blocker.waived",
        "signoff.create" => "signoff.recorded",
        "decision.create" => "decision.recorded",
        _ => return None,
    })
}

/// A registered endpoint (its secret is not part of it).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct WebhookRow {
    /// Id.
    pub id: i64,
    /// Project.
    pub project_id: i64,
    /// Where deliveries are posted.
    pub url: String,
    /// `json` or `slack`.
    pub format: String,
    /// The events it asked for, comma-separated.
    pub events: String,
    /// When it was registered (unix ms).
    pub created_at: i64,
}

/// A delivery as the project page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct DeliveryRow {
    /// Id.
    pub id: i64,
    /// The endpoint's id.
    pub webhook_id: i64,
    /// The endpoint's URL.
    pub url: String,
    /// The event told.
    pub event: String,
    /// Pending, delivered or failed (gave up after a day).
    pub status: DeliveryStatus,
    /// Attempts so far.
    pub attempts: i64,
    /// When it is tried next, while pending (unix ms).
    pub next_attempt_at: i64,
    /// The last attempt's HTTP status, if one was received.
    pub last_code: Option<i64>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// When it was queued (unix ms).
    pub created_at: i64,
    /// When it was delivered or given up (unix ms).
    pub finished_at: Option<i64>,
}

/// A claimed delivery with everything needed to send it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DueDelivery {
    /// The delivery's id.
    pub id: i64,
    /// Attempts including this one.
    pub attempts: i64,
    /// The event.
    pub event: String,
    /// Where to post it.
    pub url: String,
    /// `json` or `slack`.
    pub format: String,
    /// The secret it is signed with.
    pub secret: String,
    /// The change: its audit entry's id, time, action, actor and subject.
    pub audit_id: i64,
    /// When the change was made (unix ms).
    pub at: i64,
    /// The audit action (`report.create`…).
    pub action: String,
    /// Who made it.
    pub actor: String,
    /// What kind of thing it is about (`report`, `blocker`…).
    pub entity: String,
    /// Which one.
    pub entity_id: Option<String>,
    /// The state before, as JSON, when the change has one.
    pub before_json: Option<String>,
    /// The state after, as JSON.
    pub after_json: Option<String>,
    /// Project slug and name.
    pub project: String,
    /// Project name.
    pub project_name: String,
    /// Phase slug, when the change belongs to one.
    pub phase: Option<String>,
    /// Phase name.
    pub phase_name: Option<String>,
}

/// The wait before attempt `attempts + 1` after `attempts` failed ones: 30 s, doubling, at
/// most an hour.
pub fn backoff_ms(attempts: i64) -> i64 {
    let doublings = attempts.clamp(1, 8) - 1;
    (30_000 << doublings).min(3_600_000)
}

impl Store {
    /// Registers an endpoint for `events` of a project; `Invalid` naming the field when the
    /// URL, format or events are not acceptable.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, project = project_id))]
    pub async fn create_webhook(
        &self,
        actor: &Actor,
        project_id: i64,
        url: &str,
        format: &str,
        events: &[String],
        secret: &str,
    ) -> StoreResult<WebhookRow> {
        let url = url.trim();
        let valid_url = (url.starts_with("https://") || url.starts_with("http://")) && url.len() <= 2048;
        if !valid_url || url.chars().any(char::is_whitespace) {
            return Err(StoreError::Invalid("url: an http:// or https:// address of at most 2,048 characters".into()));
        }
        if !WEBHOOK_FORMATS.contains(&format) {
            return Err(StoreError::Invalid("format: json or slack".into()));
        }
        if events.is_empty() || events.iter().any(|e| !WEBHOOK_EVENTS.iter().any(|(name, _)| name == e)) {
            let names: Vec<_> = WEBHOOK_EVENTS.iter().map(|(n, _)| *n).collect();
            return Err(StoreError::Invalid(format!("events: one or more of {}", names.join(", "))));
        }
        let events = events.join(",");
        let row = write_tx!(self, tx => {
            let row: WebhookRow = sqlx::query_as(
                "INSERT INTO webhooks (project_id, url, format, events, secret, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, project_id, url, format, events, created_at",
            )
            .bind(project_id).bind(url).bind(format).bind(&events).bind(secret).bind(now_ms())
            .fetch_one(&mut *tx).await?;
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "webhook.create", entity: "webhook", entity_id: Some(row.id.to_string()),
                project_id: Some(project_id), phase_id: None, before: None,
                after: Some(json!({"url": row.url, "format": row.format, "events": row.events})),
            })?;
            row
        });
        Ok(row)
    }

    /// Removes an endpoint of a project, and its deliveries.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, project = project_id, id = id))]
    pub async fn delete_webhook(&self, actor: &Actor, project_id: i64, id: i64) -> StoreResult<()> {
        write_tx!(self, tx => {
            let row: Option<WebhookRow> = sqlx::query_as(
                "DELETE FROM webhooks WHERE id = $1 AND project_id = $2 \
                 RETURNING id, project_id, url, format, events, created_at",
            )
            .bind(id).bind(project_id).fetch_optional(&mut *tx).await?;
            let row = row.ok_or(StoreError::NotFound)?;
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "webhook.delete", entity: "webhook", entity_id: Some(id.to_string()),
                project_id: Some(project_id), phase_id: None,
                before: Some(json!({"url": row.url, "format": row.format, "events": row.events})), after: None,
            })?;
        });
        Ok(())
    }

    /// A project's endpoints, oldest first.
    pub async fn webhooks(&self, project_id: i64) -> StoreResult<Vec<WebhookRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, WebhookRow>(
            "SELECT id, project_id, url, format, events, created_at FROM webhooks WHERE project_id = $1 ORDER BY id",
        )
        .bind(project_id)
        .fetch_all(pool)
        .await)?)
    }

    /// The newest deliveries to a project's endpoints, at most `limit`.
    pub async fn deliveries(&self, project_id: i64, limit: i64) -> StoreResult<Vec<DeliveryRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, DeliveryRow>(
            "SELECT d.id, d.webhook_id, w.url, d.event, d.status, d.attempts, d.next_attempt_at, d.last_code, \
             d.last_error, d.created_at, d.finished_at FROM webhook_deliveries d \
             JOIN webhooks w ON w.id = d.webhook_id WHERE w.project_id = $1 ORDER BY d.id DESC LIMIT $2",
        )
        .bind(project_id)
        .bind(limit)
        .fetch_all(pool)
        .await)?)
    }

    /// Sends a delivery of a project again now (and tries it for another day).
    #[tracing::instrument(skip_all, fields(actor = %actor.label, project = project_id, id = id))]
    pub async fn redeliver(&self, actor: &Actor, project_id: i64, id: i64) -> StoreResult<()> {
        let now = now_ms();
        write_tx!(self, tx => {
            let done = sqlx::query(
                "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1, retry_until = $2, \
                 finished_at = NULL WHERE id = $3 AND webhook_id IN (SELECT id FROM webhooks WHERE project_id = $4)",
            )
            .bind(now).bind(now + RETRY_FOR_MS).bind(id).bind(project_id)
            .execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "webhook.redeliver", entity: "webhook_delivery", entity_id: Some(id.to_string()),
                project_id: Some(project_id), phase_id: None, before: None, after: None,
            })?;
        });
        Ok(())
    }

    /// Claims up to `limit` deliveries due at `now` for one attempt each, which must end
    /// within `lease_ms` (until then nobody else takes them); oldest due first.
    pub async fn claim_deliveries(&self, now: i64, lease_ms: i64, limit: i64) -> StoreResult<Vec<DueDelivery>> {
        // Other instances claim at the same time on PostgreSQL: rows one of them locked are
        // left to it. SQLite has one writer at a time.
        let lock = if matches!(self.db, Db::Postgres(_)) { " FOR UPDATE SKIP LOCKED" } else { "" };
        let claim = format!(
            "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = $1 \
             WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $2 \
             ORDER BY next_attempt_at, id LIMIT $3{lock}) RETURNING id"
        );
        let _guard = self.write_lock.lock().await;
        let due = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let ids: Vec<i64> = sqlx::query_scalar(&claim)
                .bind(now + lease_ms).bind(now).bind(limit).fetch_all(&mut *tx).await?;
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            // The claimed rows whole, in one query (ids are numbers: listed inline).
            let listed = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
            let sql = format!(
                "SELECT d.id, d.attempts, d.event, w.url, w.format, w.secret, a.id AS audit_id, a.at, a.action, \
                 a.actor_label AS actor, a.entity, a.entity_id, a.before_json, a.after_json, p.slug AS project, \
                 p.name AS project_name, ph.slug AS phase, ph.name AS phase_name \
                 FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
                 JOIN audit_log a ON a.id = d.audit_id JOIN projects p ON p.id = w.project_id \
                 LEFT JOIN phases ph ON ph.id = a.phase_id WHERE d.id IN ({listed}) ORDER BY d.next_attempt_at, d.id"
            );
            let due: Vec<DueDelivery> = sqlx::query_as(&sql).fetch_all(&mut *tx).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(due)
        })?;
        Ok(due)
    }

    /// Records what came of an attempt at delivery `id` ending at `now`: delivered, or
    /// failed with the status received (if any) and why, to be tried again after the
    /// backoff unless its day is over.
    pub async fn record_attempt(
        &self,
        id: i64,
        now: i64,
        delivered: bool,
        code: Option<i64>,
        error: Option<&str>,
    ) -> StoreResult<()> {
        let _guard = self.write_lock.lock().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            if delivered {
                sqlx::query(
                    "UPDATE webhook_deliveries SET status = 'delivered', last_code = $1, last_error = NULL, \
                     finished_at = $2 WHERE id = $3",
                )
                .bind(code).bind(now).bind(id).execute(&mut *tx).await?;
            } else {
                let row: Option<(i64, i64)> =
                    sqlx::query_as("SELECT attempts, retry_until FROM webhook_deliveries WHERE id = $1")
                        .bind(id).fetch_optional(&mut *tx).await?;
                let Some((attempts, retry_until)) = row else { return Ok(()) };
                let next = now + backoff_ms(attempts);
                let (status, finished) =
                    if next > retry_until { (DeliveryStatus::Failed, Some(now)) } else { (DeliveryStatus::Pending, None) };
                sqlx::query(
                    "UPDATE webhook_deliveries SET status = $1, next_attempt_at = $2, last_code = $3, \
                     last_error = $4, finished_at = $5 WHERE id = $6",
                )
                .bind(status).bind(next).bind(code).bind(error).bind(finished).bind(id)
                .execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(())
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_from_thirty_seconds_up_to_an_hour() {
        let waits: Vec<_> = (1..=9).map(backoff_ms).collect();
        assert_eq!(waits, [30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000]);
        assert_eq!(backoff_ms(40), 3_600_000);
    }

    #[test]
    fn every_event_an_action_maps_to_can_be_asked_for() {
        let actions = ["report.create", "phase.verdict", "blocker.create", "blocker.reopen", "blocker.resolve"];
        for action in actions.iter().chain(&["blocker.waive", "signoff.create", "decision.create"]) {
            let event = event_of(action).expect("told");
            assert!(WEBHOOK_EVENTS.iter().any(|(name, _)| *name == event), "{event}");
        }
        assert_eq!(event_of("auth.login"), None);
        assert_eq!(event_of("checklist.update"), None);
    }
}
