//! Checklists: items with owners and evidence links, optimistic concurrency, ordering,
//! sign-offs that lapse when the item or its evidence changes, and templates.

use readyboard_domain::checklist::{self, EvidenceKind, EvidenceState, LinkedResult, SignoffVerdict, TemplateItem};
use serde::Serialize;
use serde_json::json;

use crate::audit::{Actor, AuditWrite, write_audit};
use crate::db::{Store, now_ms, on_pool, write_tx};
use crate::error::{StoreError, StoreResult};
use crate::projects::PhaseRow;

/// A checklist item as stored, with its owner's and suite's names.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistItem {
    /// Row id.
    pub id: i64,
    /// Phase.
    pub phase_id: i64,
    /// Place in the list (ascending).
    pub position: i64,
    /// Title.
    pub title: String,
    /// What "done" means.
    pub description: String,
    /// Category.
    pub category: Option<String>,
    /// Owner's username.
    pub owner: Option<String>,
    /// Whether the verdict waits for it.
    pub required: bool,
    /// Where it stands.
    pub status: readyboard_domain::checklist::ItemStatus,
    /// Due date `YYYY-MM-DD`.
    pub due_date: Option<String>,
    /// Linked suite's name.
    pub evidence_suite: Option<String>,
    /// Linked check (key or name) or metric name within the suite.
    pub evidence_check: Option<String>,
    /// Bumped by every edit; an edit must name the version it started from.
    pub version: i64,
    /// Created (unix ms).
    pub created_at: i64,
    /// Last edited (unix ms).
    pub updated_at: i64,
}

/// A check or metric an item can be linked to: a name in a suite's latest report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceName {
    /// The suite.
    pub suite: String,
    /// The check's or metric's name.
    pub name: String,
    /// A check or a metric.
    pub kind: EvidenceKind,
}

/// An approver's approval or rejection of an item.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Signoff {
    /// Row id.
    pub id: i64,
    /// Item.
    pub item_id: i64,
    /// Who.
    pub username: String,
    /// Approve or reject.
    pub verdict: SignoffVerdict,
    /// Why.
    pub comment: String,
    /// Item version signed.
    pub item_version: i64,
    /// No longer counted: the item or its evidence changed, or the same person signed again.
    pub needs_resign: bool,
    /// When (unix ms).
    pub created_at: i64,
    /// An approval given while the linked evidence was `failing`, `stale` or `missing`.
    pub despite: Option<String>,
}

/// An item with its live evidence state and its sign-offs (newest first).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistEntry {
    /// The item.
    #[serde(flatten)]
    pub item: ChecklistItem,
    /// What the linked evidence says now; `None` without a link.
    pub evidence_state: Option<EvidenceState>,
    /// Report the state was read from.
    pub evidence_report_id: Option<i64>,
    /// Counted approvals and no counted rejection.
    pub signed: bool,
    /// Sign-offs, newest first, lapsed ones included.
    pub signoffs: Vec<Signoff>,
}

/// The fields a person edits.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ItemInput {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Category.
    pub category: Option<String>,
    /// Owner's username.
    pub owner: Option<String>,
    /// Required for the verdict.
    pub required: bool,
    /// Status.
    pub status: String,
    /// Due date `YYYY-MM-DD`.
    pub due_date: Option<String>,
    /// Linked suite's name.
    pub evidence_suite: Option<String>,
    /// Linked check or metric within that suite.
    pub evidence_check: Option<String>,
}

/// A template offered to fill a checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TemplateInfo {
    /// Name.
    pub name: String,
    /// Built into readyboard (cannot be changed).
    pub builtin: bool,
    /// Items.
    pub items: usize,
}

fn clean(v: &Option<String>) -> Option<String> {
    v.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

const ITEM_SELECT: &str = "SELECT i.id, i.phase_id, i.position, i.title, i.description, i.category, \
     u.username AS owner, i.required, i.status, i.due_date, s.name AS evidence_suite, i.evidence_check, \
     i.version, i.created_at, i.updated_at FROM checklist_items i \
     LEFT JOIN users u ON u.id = i.owner_id LEFT JOIN suites s ON s.id = i.evidence_suite_id";

macro_rules! fetch_item {
    ($exec:expr, $id:expr) => {{
        sqlx::query_as::<_, ChecklistItem>(&format!("{ITEM_SELECT} WHERE i.id = $1"))
            .bind($id)
            .fetch_optional($exec)
            .await?
            .ok_or(StoreError::NotFound)?
    }};
}

/// Resolves owner and suite names to ids, or says which one is unknown.
macro_rules! resolve_refs {
    ($exec:expr, $phase_id:expr, $input:expr) => {{
        let input: &ItemInput = $input;
        let owner_id: Option<i64> = match clean(&input.owner) {
            None => None,
            Some(name) => Some(
                sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE username = $1")
                    .bind(&name)
                    .fetch_optional(&mut *$exec)
                    .await?
                    .ok_or_else(|| StoreError::Invalid(format!("owner: no user named `{name}`")))?,
            ),
        };
        let suite_id: Option<i64> = match clean(&input.evidence_suite) {
            None => None,
            Some(name) => Some(
                sqlx::query_scalar::<_, i64>("SELECT id FROM suites WHERE phase_id = $1 AND name = $2")
                    .bind($phase_id)
                    .bind(&name)
                    .fetch_optional(&mut *$exec)
                    .await?
                    .ok_or_else(|| StoreError::Invalid(format!("evidence: no suite named `{name}` in this phase")))?,
            ),
        };
        (owner_id, suite_id)
    }};
}

/// Refuses a check or metric name its suite's latest report does not have (a suite with
/// no report yet takes any name: its evidence shows as missing until one arrives).
macro_rules! require_evidence_name {
    ($exec:expr, $suite_id:expr, $input:expr) => {{
        let input: &ItemInput = $input;
        if let (Some(suite_id), Some(name)) = ($suite_id, clean(&input.evidence_check)) {
            let latest: Option<i64> = sqlx::query_scalar("SELECT latest_report_id FROM suites WHERE id = $1")
                .bind(suite_id)
                .fetch_optional(&mut *$exec)
                .await?
                .flatten();
            let mut known = None;
            if let Some(report_id) = latest {
                let metric: bool =
                    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM metrics WHERE report_id = $1 AND name = $2)")
                        .bind(report_id)
                        .bind(&name)
                        .fetch_one(&mut *$exec)
                        .await?;
                let body: Option<Vec<u8>> = sqlx::query_scalar("SELECT body FROM check_sets WHERE report_id = $1")
                    .bind(report_id)
                    .fetch_optional(&mut *$exec)
                    .await?;
                let check = match body {
                    Some(b) => crate::check_sets::find(&crate::check_sets::decode(&b)?, &name).is_some(),
                    None => false,
                };
                known = Some(metric || check);
            }
            if known == Some(false) {
                return Err(StoreError::Invalid(format!(
                    "evidence: the latest report of `{}` has no check or metric named `{name}`; pick one from the list",
                    clean(&input.evidence_suite).unwrap_or_default()
                )));
            }
        }
    }};
}

fn item_json(i: &ChecklistItem) -> serde_json::Value {
    json!({"title": i.title, "description": i.description, "category": i.category, "owner": i.owner,
           "required": i.required, "status": i.status, "due_date": i.due_date, "position": i.position,
           "evidence_suite": i.evidence_suite, "evidence_check": i.evidence_check, "version": i.version})
}

fn validate(input: &ItemInput) -> StoreResult<()> {
    checklist::validate_item(&input.title, &input.status, input.due_date.as_deref(), &input.description)
        .map_err(StoreError::Invalid)?;
    if clean(&input.evidence_check).is_some() && clean(&input.evidence_suite).is_none() {
        return Err(StoreError::Invalid("evidence: name the suite the check or metric belongs to".into()));
    }
    Ok(())
}

/// Marks the counted sign-offs of items as lapsed; returns how many.
macro_rules! lapse_signoffs {
    ($exec:expr, $item_id:expr) => {{
        sqlx::query("UPDATE signoffs SET needs_resign = TRUE WHERE item_id = $1 AND needs_resign = FALSE")
            .bind($item_id)
            .execute($exec)
            .await?
            .rows_affected()
    }};
}
pub(crate) use lapse_signoffs;

/// What a parsed report shows for an item linked to its suite.
pub(crate) fn linked_in_report(parsed: &readyboard_domain::model::ParsedReport, check: Option<&str>) -> LinkedResult {
    match check {
        None => {
            let c = parsed.counts();
            LinkedResult::Suite { tests: c.tests, failing: c.failed + c.errors }
        }
        Some(name) => {
            if let Some(c) = parsed.checks.iter().find(|c| c.id == name || c.name == name) {
                LinkedResult::Check(Some(c.status))
            } else if let Some(m) = parsed.metrics.iter().find(|m| m.name == name) {
                LinkedResult::Metric(Some(m.met()))
            } else {
                LinkedResult::Check(None)
            }
        }
    }
}

impl Store {
    /// The checks and metrics of each suite's latest report in a phase, by suite, metrics
    /// first, then by name; at most `limit` (the total comes second).
    pub async fn evidence_names(&self, phase_id: i64, limit: i64) -> StoreResult<(Vec<EvidenceName>, i64)> {
        let (latest, metrics) = on_pool!(self, pool => {
            let latest: Vec<(String, i64)> = sqlx::query_as(
                "SELECT name, latest_report_id FROM suites WHERE phase_id = $1 AND latest_report_id IS NOT NULL",
            ).bind(phase_id).fetch_all(pool).await?;
            let metrics: Vec<(String, String)> = sqlx::query_as(
                "SELECT DISTINCT s.name, m.name FROM suites s JOIN metrics m ON m.report_id = s.latest_report_id \
                 WHERE s.phase_id = $1",
            ).bind(phase_id).fetch_all(pool).await?;
            Ok::<_, StoreError>((latest, metrics))
        })?;
        let mut names: Vec<EvidenceName> =
            metrics.into_iter().map(|(suite, name)| EvidenceName { suite, name, kind: EvidenceKind::Metric }).collect();
        for (suite, report_id) in latest {
            let set = self.check_set(report_id).await?;
            let distinct: std::collections::BTreeSet<&str> = set.iter().map(|c| c.name.as_str()).collect();
            names.extend(distinct.into_iter().map(|name| EvidenceName {
                suite: suite.clone(),
                name: name.to_string(),
                kind: EvidenceKind::Check,
            }));
        }
        // By suite, metrics first, then by name.
        names.sort_by(|a, b| {
            let metric_first = |n: &EvidenceName| n.kind != EvidenceKind::Metric;
            (&a.suite, metric_first(a), &a.name).cmp(&(&b.suite, metric_first(b), &b.name))
        });
        names.dedup_by(|a, b| a.suite == b.suite && a.kind == b.kind && a.name == b.name);
        let total = names.len() as i64;
        names.truncate(usize::try_from(limit.max(0)).unwrap_or(usize::MAX));
        Ok((names, total))
    }

    /// The items of a phase in order, with live evidence state and sign-offs. Sign-offs of
    /// items whose evidence has gone stale lapse here (failing evidence lapses them at ingest).
    pub async fn checklist(&self, phase: &PhaseRow) -> StoreResult<Vec<ChecklistEntry>> {
        let now = now_ms();
        let (items, signoffs) = on_pool!(self, pool => {
            let items = sqlx::query_as::<_, ChecklistItem>(&format!("{ITEM_SELECT} WHERE i.phase_id = $1 ORDER BY i.position, i.id"))
                .bind(phase.id).fetch_all(pool).await?;
            let signoffs = sqlx::query_as::<_, Signoff>(
                "SELECT s.id, s.item_id, u.username, s.verdict, s.comment, s.item_version, s.needs_resign, s.created_at, s.despite \
                 FROM signoffs s JOIN checklist_items i ON i.id = s.item_id JOIN users u ON u.id = s.user_id \
                 WHERE i.phase_id = $1 ORDER BY s.created_at DESC, s.id DESC",
            ).bind(phase.id).fetch_all(pool).await?;
            Ok::<_, StoreError>((items, signoffs))
        })?;
        let mut out = Vec::with_capacity(items.len());
        let mut lapsed = Vec::new();
        for item in items {
            let (state, report_id, stale_since) = self.evidence_of(phase, &item, now).await?;
            let mut mine: Vec<Signoff> = signoffs.iter().filter(|s| s.item_id == item.id).cloned().collect();
            // Evidence that went stale voids the sign-offs given before it did (failing
            // evidence voids them when it arrives, at ingest).
            if let (Some(EvidenceState::Stale), Some(since)) = (state, stale_since) {
                let mut any = false;
                for s in mine.iter_mut().filter(|s| !s.needs_resign && s.created_at < since) {
                    s.needs_resign = true;
                    any = true;
                }
                if any {
                    lapsed.push((item.id, since));
                }
            }
            let signed = mine.iter().any(|s| !s.needs_resign && s.verdict == SignoffVerdict::Approve)
                && !mine.iter().any(|s| !s.needs_resign && s.verdict == SignoffVerdict::Reject);
            out.push(ChecklistEntry {
                item,
                evidence_state: state,
                evidence_report_id: report_id,
                signed,
                signoffs: mine,
            });
        }
        for (item_id, since) in lapsed {
            self.lapse_for_stale_evidence(phase, item_id, since).await?;
        }
        Ok(out)
    }

    async fn lapse_for_stale_evidence(&self, phase: &PhaseRow, item_id: i64, stale_since: i64) -> StoreResult<()> {
        write_tx!(self, tx => {
            let n = sqlx::query("UPDATE signoffs SET needs_resign = TRUE WHERE item_id = $1 AND needs_resign = FALSE AND created_at < $2")
                .bind(item_id).bind(stale_since).execute(&mut *tx).await?.rows_affected();
            if n > 0 {
                write_audit!(&mut *tx, &Actor::system("readyboard"), AuditWrite {
                    action: "signoff.lapse", entity: "checklist_item", entity_id: Some(item_id.to_string()),
                    project_id: Some(phase.project_id), phase_id: Some(phase.id), before: None,
                    after: Some(json!({"reason": "evidence stale", "signoffs": n})),
                })?;
            }
        });
        Ok(())
    }

    /// The live state of an item's evidence, the report it was read from, and when that
    /// report goes (or went) stale.
    async fn evidence_of(
        &self,
        phase: &PhaseRow,
        item: &ChecklistItem,
        now: i64,
    ) -> StoreResult<(Option<EvidenceState>, Option<i64>, Option<i64>)> {
        let Some(suite) = &item.evidence_suite else { return Ok((None, None, None)) };
        let latest: Option<(i64, i64, Option<i64>, i64, i64, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT r.id, r.received_at, r.finished_at, r.tests, r.failed, r.errors FROM suites s \
             JOIN reports r ON r.id = s.latest_report_id WHERE s.phase_id = $1 AND s.name = $2",
        ).bind(phase.id).bind(suite).fetch_optional(pool).await)?;
        let Some((report_id, received, finished, tests, failed, errors)) = latest else {
            return Ok((Some(EvidenceState::Missing), None, None));
        };
        let result = match item.evidence_check.as_deref() {
            None => LinkedResult::Suite { tests: tests.max(0) as u64, failing: (failed + errors).max(0) as u64 },
            Some(name) => {
                let set = self.check_set(report_id).await?;
                let check = crate::check_sets::find(&set, name).map(|c| c.status);
                match check {
                    Some(s) => LinkedResult::Check(Some(s)),
                    None => {
                        let metric: Option<Option<bool>> = on_pool!(self, pool => sqlx::query_scalar(
                            "SELECT met FROM metrics WHERE report_id = $1 AND name = $2 LIMIT 1",
                        ).bind(report_id).bind(name).fetch_optional(pool).await)?;
                        LinkedResult::Metric(metric)
                    }
                }
            }
        };
        let at = finished.unwrap_or(received);
        let days = phase.freshness_days.clamp(0, 3650) as u32;
        let stale_since = at + i64::from(days) * 86_400_000;
        Ok((Some(checklist::evidence_state(result, Some(at), now, days)), Some(report_id), Some(stale_since)))
    }

    /// One item.
    pub async fn checklist_item(&self, id: i64) -> StoreResult<ChecklistItem> {
        on_pool!(self, pool => {
            let item = fetch_item!(pool, id);
            Ok::<_, StoreError>(item)
        })
    }

    /// Adds an item at the end of a phase's checklist; audited.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, phase = phase.id))]
    pub async fn add_checklist_item(
        &self,
        actor: &Actor,
        phase: &PhaseRow,
        input: &ItemInput,
    ) -> StoreResult<ChecklistItem> {
        validate(input)?;
        let now = now_ms();
        let item = write_tx!(self, tx => {
            let (owner_id, suite_id) = resolve_refs!(tx, phase.id, input);
            require_evidence_name!(tx, suite_id, input);
            let position: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM checklist_items WHERE phase_id = $1")
                .bind(phase.id).fetch_one(&mut *tx).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO checklist_items (phase_id, position, title, description, category, owner_id, required, \
                 status, due_date, evidence_suite_id, evidence_check, version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12) RETURNING id",
            )
            .bind(phase.id).bind(position).bind(input.title.trim()).bind(input.description.trim())
            .bind(clean(&input.category)).bind(owner_id).bind(input.required).bind(&input.status)
            .bind(clean(&input.due_date)).bind(suite_id).bind(clean(&input.evidence_check)).bind(now)
            .fetch_one(&mut *tx).await?;
            let item = fetch_item!(&mut *tx, id);
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "checklist.create", entity: "checklist_item", entity_id: Some(id.to_string()),
                project_id: Some(phase.project_id), phase_id: Some(phase.id), before: None, after: Some(item_json(&item)),
            })?;
            item
        });
        Ok(item)
    }

    /// Edits an item that is still at `version`; a newer version is a conflict, so that two
    /// people never silently overwrite each other. Counted sign-offs lapse; audited.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, item = id))]
    pub async fn update_checklist_item(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: &ItemInput,
    ) -> StoreResult<ChecklistItem> {
        validate(input)?;
        let now = now_ms();
        let item = write_tx!(self, tx => {
            let before = fetch_item!(&mut *tx, id);
            if before.version != version {
                return Err(StoreError::Conflict(format!(
                    "this item was changed by someone else since you opened it (you edited version {version}, it is now at version {}); reload to see their changes",
                    before.version
                )));
            }
            let (owner_id, suite_id) = resolve_refs!(tx, before.phase_id, input);
            // A link kept as it was stays valid even when the suite's newest report dropped it.
            if (clean(&input.evidence_suite), clean(&input.evidence_check))
                != (before.evidence_suite.clone(), before.evidence_check.clone())
            {
                require_evidence_name!(tx, suite_id, input);
            }
            sqlx::query(
                "UPDATE checklist_items SET title = $1, description = $2, category = $3, owner_id = $4, required = $5, \
                 status = $6, due_date = $7, evidence_suite_id = $8, evidence_check = $9, version = version + 1, \
                 updated_at = $10 WHERE id = $11 AND version = $12",
            )
            .bind(input.title.trim()).bind(input.description.trim()).bind(clean(&input.category)).bind(owner_id)
            .bind(input.required).bind(&input.status).bind(clean(&input.due_date)).bind(suite_id)
            .bind(clean(&input.evidence_check)).bind(now).bind(id).bind(version)
            .execute(&mut *tx).await?;
            let lapsed = lapse_signoffs!(&mut *tx, id);
            let after = fetch_item!(&mut *tx, id);
            let project_id: i64 = sqlx::query_scalar("SELECT project_id FROM phases WHERE id = $1").bind(after.phase_id).fetch_one(&mut *tx).await?;
            let mut after_json = item_json(&after);
            after_json["signoffs_lapsed"] = json!(lapsed);
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "checklist.update", entity: "checklist_item", entity_id: Some(id.to_string()),
                project_id: Some(project_id), phase_id: Some(after.phase_id), before: Some(item_json(&before)), after: Some(after_json),
            })?;
            after
        });
        Ok(item)
    }

    /// Moves an item one place up or down; audited.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, item = id))]
    pub async fn move_checklist_item(&self, actor: &Actor, id: i64, up: bool) -> StoreResult<ChecklistItem> {
        let item = write_tx!(self, tx => {
            let item = fetch_item!(&mut *tx, id);
            let sql = if up {
                "SELECT id, position FROM checklist_items WHERE phase_id = $1 AND (position < $2 OR (position = $2 AND id < $3)) ORDER BY position DESC, id DESC LIMIT 1"
            } else {
                "SELECT id, position FROM checklist_items WHERE phase_id = $1 AND (position > $2 OR (position = $2 AND id > $3)) ORDER BY position, id LIMIT 1"
            };
            let neighbour: Option<(i64, i64)> = sqlx::query_as(sql).bind(item.phase_id).bind(item.position).bind(id).fetch_optional(&mut *tx).await?;
            if let Some((other, other_pos)) = neighbour {
                let (mine, theirs) = if other_pos == item.position {
                    if up { (other_pos, other_pos + 1) } else { (other_pos + 1, other_pos) }
                } else {
                    (other_pos, item.position)
                };
                sqlx::query("UPDATE checklist_items SET position = $1 WHERE id = $2").bind(mine).bind(id).execute(&mut *tx).await?;
                sqlx::query("UPDATE checklist_items SET position = $1 WHERE id = $2").bind(theirs).bind(other).execute(&mut *tx).await?;
                let project_id: i64 = sqlx::query_scalar("SELECT project_id FROM phases WHERE id = $1").bind(item.phase_id).fetch_one(&mut *tx).await?;
                write_audit!(&mut *tx, actor, AuditWrite {
                    action: "checklist.move", entity: "checklist_item", entity_id: Some(id.to_string()),
                    project_id: Some(project_id), phase_id: Some(item.phase_id),
                    before: Some(json!({"position": item.position})), after: Some(json!({"position": mine, "direction": if up { "up" } else { "down" }})),
                })?;
            }
            fetch_item!(&mut *tx, id)
        });
        Ok(item)
    }

    /// Deletes an item still at `version` with its sign-offs; audited.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, item = id))]
    pub async fn delete_checklist_item(&self, actor: &Actor, id: i64, version: i64) -> StoreResult<ChecklistItem> {
        let item = write_tx!(self, tx => {
            let item = fetch_item!(&mut *tx, id);
            if item.version != version {
                return Err(StoreError::Conflict(format!(
                    "this item was changed by someone else since you opened it (now version {}); reload before deleting it",
                    item.version
                )));
            }
            let project_id: i64 = sqlx::query_scalar("SELECT project_id FROM phases WHERE id = $1").bind(item.phase_id).fetch_one(&mut *tx).await?;
            sqlx::query("DELETE FROM checklist_items WHERE id = $1").bind(id).execute(&mut *tx).await?;
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "checklist.delete", entity: "checklist_item", entity_id: Some(id.to_string()),
                project_id: Some(project_id), phase_id: Some(item.phase_id), before: Some(item_json(&item)), after: None,
            })?;
            item
        });
        Ok(item)
    }

    /// Records a person's approval or rejection of an item (their earlier sign-off of it no
    /// longer counts); audited. Role checks belong to the caller; tokens cannot sign.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, item = id))]
    pub async fn sign_checklist_item(
        &self,
        actor: &Actor,
        id: i64,
        verdict: SignoffVerdict,
        comment: &str,
    ) -> StoreResult<Signoff> {
        let Some(user_id) = actor.user_id else {
            return Err(StoreError::Invalid("sign-offs are given by people, not tokens".into()));
        };
        let comment = comment.trim();
        if verdict == SignoffVerdict::Reject && comment.is_empty() {
            return Err(StoreError::Invalid("comment: say why the item is rejected".into()));
        }
        if comment.chars().count() > 2000 {
            return Err(StoreError::Invalid("comment: at most 2,000 characters".into()));
        }
        let now = now_ms();
        // Approving against the evidence is allowed, but never silently: it needs a reason
        // and stays marked wherever the sign-off is shown.
        let item = self.checklist_item(id).await?;
        let phase = self.phase_by_id(item.phase_id).await?;
        let (state, _, _) = self.evidence_of(&phase, &item, now).await?;
        let despite = match state {
            Some(s @ (EvidenceState::Failing | EvidenceState::Stale | EvidenceState::Missing))
                if verdict == SignoffVerdict::Approve =>
            {
                Some(s.as_str())
            }
            _ => None,
        };
        if let Some(state) = despite
            && comment.is_empty()
        {
            return Err(StoreError::Invalid(format!(
                "comment: the linked evidence is {state}; say why you approve despite it"
            )));
        }
        let signoff = write_tx!(self, tx => {
            let item = fetch_item!(&mut *tx, id);
            sqlx::query("UPDATE signoffs SET needs_resign = TRUE WHERE item_id = $1 AND user_id = $2 AND needs_resign = FALSE")
                .bind(id).bind(user_id).execute(&mut *tx).await?;
            let sid: i64 = sqlx::query_scalar(
                "INSERT INTO signoffs (item_id, user_id, verdict, comment, item_version, needs_resign, created_at, despite) \
                 VALUES ($1, $2, $3, $4, $5, FALSE, $6, $7) RETURNING id",
            ).bind(id).bind(user_id).bind(verdict).bind(comment).bind(item.version).bind(now).bind(despite)
            .fetch_one(&mut *tx).await?;
            let project_id: i64 = sqlx::query_scalar("SELECT project_id FROM phases WHERE id = $1").bind(item.phase_id).fetch_one(&mut *tx).await?;
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "signoff.create", entity: "checklist_item", entity_id: Some(id.to_string()),
                project_id: Some(project_id), phase_id: Some(item.phase_id), before: None,
                after: Some(json!({"verdict": verdict, "comment": comment, "item_version": item.version, "despite": despite})),
            })?;
            crate::evaluation::record_verdict!(tx, actor, &phase, now);
            sqlx::query_as::<_, Signoff>(
                "SELECT s.id, s.item_id, u.username, s.verdict, s.comment, s.item_version, s.needs_resign, s.created_at, s.despite \
                 FROM signoffs s JOIN users u ON u.id = s.user_id WHERE s.id = $1",
            ).bind(sid).fetch_one(&mut *tx).await?
        });
        Ok(signoff)
    }

    /// Templates: the built-in one first, then saved ones by name.
    pub async fn checklist_templates(&self) -> StoreResult<Vec<TemplateInfo>> {
        let saved: Vec<(String, String)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT name, items FROM checklist_templates ORDER BY name"
        ).fetch_all(pool).await)?;
        let mut out = vec![TemplateInfo {
            name: checklist::PRODUCTION_READINESS.into(),
            builtin: true,
            items: checklist::production_readiness().len(),
        }];
        out.extend(saved.into_iter().map(|(name, items)| TemplateInfo {
            name,
            builtin: false,
            items: serde_json::from_str::<Vec<TemplateItem>>(&items).map_or(0, |v| v.len()),
        }));
        Ok(out)
    }

    async fn template_items(&self, name: &str) -> StoreResult<Vec<TemplateItem>> {
        if name == checklist::PRODUCTION_READINESS {
            return Ok(checklist::production_readiness());
        }
        let items: Option<String> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT items FROM checklist_templates WHERE name = $1"
        ).bind(name).fetch_optional(pool).await)?;
        let items = items.ok_or_else(|| StoreError::Invalid(format!("template: no template named `{name}`")))?;
        serde_json::from_str(&items).map_err(|e| StoreError::Invalid(format!("template `{name}` is unreadable: {e}")))
    }

    /// Adds a template's items to a phase, skipping titles the checklist already has;
    /// returns how many were added. Audited as one entry.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, phase = phase.id))]
    pub async fn apply_checklist_template(&self, actor: &Actor, phase: &PhaseRow, name: &str) -> StoreResult<usize> {
        let items = self.template_items(name).await?;
        self.add_many(actor, phase, &items, json!({"template": name})).await
    }

    /// Copies another phase's items into this one (titles already present are skipped);
    /// status starts again at todo and sign-offs are not copied.
    #[tracing::instrument(skip_all, fields(actor = %actor.label))]
    pub async fn copy_checklist(&self, actor: &Actor, from: &PhaseRow, to: &PhaseRow) -> StoreResult<usize> {
        if from.id == to.id {
            return Err(StoreError::Invalid("copy: choose another phase than this one".into()));
        }
        let items = self.items_as_template(from.id).await?;
        self.add_many(actor, to, &items, json!({"copied_from_phase": from.id})).await
    }

    /// A phase's items as template items (title, description, category, required), in order.
    async fn items_as_template(&self, phase_id: i64) -> StoreResult<Vec<TemplateItem>> {
        Ok(self
            .checklist_items_plain(phase_id)
            .await?
            .into_iter()
            .map(|i| TemplateItem {
                title: i.title,
                description: i.description,
                category: i.category.unwrap_or_default(),
                required: i.required,
            })
            .collect())
    }

    async fn checklist_items_plain(&self, phase_id: i64) -> StoreResult<Vec<ChecklistItem>> {
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, ChecklistItem>(&format!("{ITEM_SELECT} WHERE i.phase_id = $1 ORDER BY i.position, i.id"))
            .bind(phase_id).fetch_all(pool).await)?,
        )
    }

    async fn add_many(
        &self,
        actor: &Actor,
        phase: &PhaseRow,
        items: &[TemplateItem],
        source: serde_json::Value,
    ) -> StoreResult<usize> {
        let now = now_ms();
        let added = write_tx!(self, tx => {
            let existing: Vec<String> = sqlx::query_scalar("SELECT title FROM checklist_items WHERE phase_id = $1")
                .bind(phase.id).fetch_all(&mut *tx).await?;
            let mut seen: std::collections::HashSet<String> = existing.iter().map(|t| t.trim().to_lowercase()).collect();
            let mut position: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) FROM checklist_items WHERE phase_id = $1")
                .bind(phase.id).fetch_one(&mut *tx).await?;
            let mut added = Vec::new();
            for t in items {
                if !seen.insert(t.title.trim().to_lowercase()) {
                    continue;
                }
                position += 1;
                sqlx::query(
                    "INSERT INTO checklist_items (phase_id, position, title, description, category, required, status, \
                     version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'todo', 1, $7, $7)",
                )
                .bind(phase.id).bind(position).bind(t.title.trim()).bind(t.description.trim())
                .bind(Some(t.category.trim()).filter(|c| !c.is_empty())).bind(t.required).bind(now)
                .execute(&mut *tx).await?;
                added.push(t.title.clone());
            }
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "checklist.fill", entity: "phase", entity_id: Some(phase.id.to_string()),
                project_id: Some(phase.project_id), phase_id: Some(phase.id), before: None,
                after: Some(json!({"source": source, "added": added})),
            })?;
            added.len()
        });
        Ok(added)
    }

    /// Saves a phase's checklist as a named template (admins); audited.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, phase = phase.id))]
    pub async fn save_checklist_template(
        &self,
        actor: &Actor,
        phase: &PhaseRow,
        name: &str,
    ) -> StoreResult<TemplateInfo> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::Invalid("name: 1 to 100 characters".into()));
        }
        if name == checklist::PRODUCTION_READINESS {
            return Err(StoreError::Conflict("the built-in template keeps its name; choose another".into()));
        }
        let items = self.items_as_template(phase.id).await?;
        if items.is_empty() {
            return Err(StoreError::Invalid("this checklist has no items to save".into()));
        }
        let now = now_ms();
        write_tx!(self, tx => {
            sqlx::query("INSERT INTO checklist_templates (name, items, created_by, created_at) VALUES ($1, $2, $3, $4)")
                .bind(name).bind(serde_json::to_string(&items).unwrap_or_else(|_| "[]".into())).bind(actor.user_id).bind(now)
                .execute(&mut *tx).await.map_err(|e| StoreError::unique(e, "a template with this name"))?;
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "template.create", entity: "checklist_template", entity_id: Some(name.to_string()),
                project_id: Some(phase.project_id), phase_id: Some(phase.id), before: None,
                after: Some(json!({"items": items.len()})),
            })?;
        });
        Ok(TemplateInfo { name: name.into(), builtin: false, items: items.len() })
    }
}
