//! Names for what audit entries are about. One query names a whole page of entries,
//! whatever its mix of users, reports, phases, projects, blockers, checklist items, tokens
//! and decisions.

use std::collections::{BTreeMap, HashMap};

use readyboard_domain::decisions::decision_label;
use serde::Serialize;

use crate::audit::AuditRow;
use crate::db::{Store, on_pool};
use crate::error::StoreResult;

/// What an audit entry is about, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditSubject {
    /// Readable name: "alice", "#96 · unit", "Prompt Studio · Phase 4", a blocker's title.
    pub name: String,
    /// Project slug, for things that belong to a project.
    pub project: Option<String>,
    /// Phase slug, for things that belong to a phase.
    pub phase: Option<String>,
    /// Whether the thing still exists (otherwise the name comes from the entry itself).
    pub found: bool,
}

/// Per entity kind, the `SELECT` of one arm of the lookup: kind, id, name, project slug,
/// project name and phase slug of the rows of that kind whose id is in the list that follows.
const LOOKUPS: &[(&str, &str)] = &[
    (
        "user",
        "SELECT 'user' AS kind, x.id, x.username AS name, NULL AS project, NULL AS project_name, NULL AS phase \
         FROM users x",
    ),
    (
        "token",
        "SELECT 'token' AS kind, x.id, x.name, p.slug AS project, p.name AS project_name, NULL AS phase \
         FROM api_tokens x JOIN projects p ON p.id = x.project_id",
    ),
    (
        "project",
        "SELECT 'project' AS kind, x.id, x.name, x.slug AS project, x.name AS project_name, NULL AS phase \
         FROM projects x",
    ),
    (
        "phase",
        "SELECT 'phase' AS kind, x.id, x.name, p.slug AS project, p.name AS project_name, x.slug AS phase \
         FROM phases x JOIN projects p ON p.id = x.project_id",
    ),
    (
        "report",
        "SELECT 'report' AS kind, x.id, s.name, p.slug AS project, p.name AS project_name, ph.slug AS phase \
         FROM reports x JOIN suites s ON s.id = x.suite_id \
         JOIN phases ph ON ph.id = x.phase_id JOIN projects p ON p.id = ph.project_id",
    ),
    (
        "blocker",
        "SELECT 'blocker' AS kind, x.id, x.title AS name, p.slug AS project, p.name AS project_name, \
         ph.slug AS phase FROM blockers x \
         JOIN phases ph ON ph.id = x.phase_id JOIN projects p ON p.id = ph.project_id",
    ),
    (
        "checklist_item",
        "SELECT 'checklist_item' AS kind, x.id, x.title AS name, p.slug AS project, p.name AS project_name, \
         ph.slug AS phase FROM checklist_items x \
         JOIN phases ph ON ph.id = x.phase_id JOIN projects p ON p.id = ph.project_id",
    ),
    (
        "decision",
        "SELECT 'decision' AS kind, x.id, x.decision AS name, p.slug AS project, p.name AS project_name, \
         ph.slug AS phase FROM decisions x \
         JOIN phases ph ON ph.id = x.phase_id JOIN projects p ON p.id = ph.project_id",
    ),
];

/// One row of the lookup.
#[derive(sqlx::FromRow)]
struct Named {
    kind: String,
    id: i64,
    name: String,
    project: Option<String>,
    project_name: Option<String>,
    phase: Option<String>,
}

impl Named {
    /// The name as the audit log shows it.
    fn subject(self) -> AuditSubject {
        let name = match self.kind.as_str() {
            "report" => format!("#{} · {}", self.id, self.name),
            "phase" => format!("{} · {}", self.project_name.unwrap_or_default(), self.name),
            "decision" => format!("#{} · {}", self.id, decision_label(&self.name)),
            _ => self.name,
        };
        AuditSubject { name, project: self.project, phase: self.phase, found: true }
    }
}

/// Ids to look up per kind, and the SQL and parameters of the one query that names them all.
fn lookup_query(rows: &[AuditRow]) -> Option<(String, Vec<i64>)> {
    let mut wanted: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for r in rows {
        if let Some(id) = r.entry.entity_id.as_deref().and_then(|i| i.parse::<i64>().ok())
            && LOOKUPS.iter().any(|(k, _)| *k == r.entry.entity)
        {
            let ids = wanted.entry(r.entry.entity.as_str()).or_default();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    let mut arms = Vec::new();
    let mut params = Vec::new();
    for (kind, select) in LOOKUPS {
        let Some(ids) = wanted.get(kind) else { continue };
        let marks: Vec<String> = (params.len() + 1..=params.len() + ids.len()).map(|i| format!("${i}")).collect();
        arms.push(format!("{select} WHERE x.id IN ({})", marks.join(", ")));
        params.extend(ids);
    }
    (!arms.is_empty()).then(|| (arms.join(" UNION ALL "), params))
}

/// A name for a thing that is gone, from the state the entry recorded, else its id.
fn remembered(row: &AuditRow, id: &str) -> AuditSubject {
    let recorded = [&row.entry.before_json, &row.entry.after_json].into_iter().flatten().find_map(|j| {
        let v: serde_json::Value = serde_json::from_str(j).ok()?;
        ["title", "name", "username"].iter().find_map(|k| v.get(k)?.as_str().map(str::to_string))
    });
    let name = match (recorded, id.parse::<i64>().is_ok()) {
        (Some(n), _) => n,
        // Not a row id: the entry names the thing itself (a template, a username typed at login).
        (None, false) => id.to_string(),
        (None, true) => format!("#{id}"),
    };
    AuditSubject { name, project: row.project.clone(), phase: row.phase.clone(), found: false }
}

impl Store {
    /// Fills in `subject` of each row with one query for the whole page.
    pub(crate) async fn name_subjects(&self, rows: &mut [AuditRow]) -> StoreResult<()> {
        let mut found: HashMap<(String, i64), AuditSubject> = HashMap::new();
        if let Some((sql, params)) = lookup_query(rows) {
            let named = on_pool!(self, pool => {
                let mut q = sqlx::query_as::<_, Named>(&sql);
                for p in &params {
                    q = q.bind(*p);
                }
                q.fetch_all(pool).await
            })?;
            for n in named {
                found.insert((n.kind.clone(), n.id), n.subject());
            }
        }
        for row in rows.iter_mut() {
            let Some(id) = row.entry.entity_id.clone() else { continue };
            let key = id.parse::<i64>().ok().map(|i| (row.entry.entity.clone(), i));
            row.subject = Some(match key.and_then(|k| found.get(&k)) {
                Some(s) => s.clone(),
                None => remembered(row, &id),
            });
        }
        Ok(())
    }
}
