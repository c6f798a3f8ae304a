//! The checklist and its sign-off.

use serde::{Deserialize, Serialize};

/// A sign-off as the checklist shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignoffView {
    /// Who.
    pub username: String,
    /// Approve or reject.
    pub verdict: readyboard_domain::checklist::SignoffVerdict,
    /// Why.
    pub comment: String,
    /// When, formatted.
    pub at: String,
    /// No longer counted (item or evidence changed, or signed again).
    pub lapsed: bool,
    /// Approved although the linked evidence was `failing`, `stale` or `missing`.
    pub despite: Option<String>,
}

/// A checklist item with its live state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistItemView {
    /// Row id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Category.
    pub category: String,
    /// Owner's username (empty: nobody).
    pub owner: String,
    /// Required for READY.
    pub required: bool,
    /// Where it stands.
    pub status: readyboard_domain::checklist::ItemStatus,
    /// Due date (empty: none).
    pub due_date: String,
    /// Linked suite (empty: none).
    pub evidence_suite: String,
    /// Linked check or metric (empty: the whole suite).
    pub evidence_check: String,
    /// passing, failing, stale or missing.
    pub evidence_state: Option<String>,
    /// Report the state was read from.
    pub evidence_report_id: Option<i64>,
    /// Version the edit form starts from.
    pub version: i64,
    /// Counted approval and no counted rejection.
    pub signed: bool,
    /// Sign-offs, newest first.
    pub signoffs: Vec<SignoffView>,
}

/// `/p/{project}/{phase}/checklist`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistView {
    /// Project slug.
    pub project: String,
    /// Project name.
    pub project_name: String,
    /// Phase slug.
    pub phase: String,
    /// Phase name.
    pub phase_name: String,
    /// Items in order.
    pub items: Vec<ChecklistItemView>,
    /// Required items.
    pub required: usize,
    /// Required items done and signed.
    pub required_done_and_signed: usize,
    /// Templates (name, items).
    pub templates: Vec<(String, usize)>,
    /// Other phases of the project (slug, name).
    pub other_phases: Vec<(String, String)>,
    /// Suites of the phase, for evidence links.
    pub suites: Vec<String>,
    /// Checks and metrics of the suites' latest reports an item can link to, as (suite,
    /// name, kind), up to a limit.
    pub evidence_names: Vec<(String, String, readyboard_domain::checklist::EvidenceKind)>,
    /// How many such names there are in all.
    pub evidence_total: i64,
    /// Users, for owners.
    pub users: Vec<String>,
    /// Editors and up.
    pub can_edit: bool,
    /// Approvers and up.
    pub can_sign: bool,
    /// Admins.
    pub can_admin: bool,
}

/// The fields of a checklist item as its add and edit forms send them (empty text: not set).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemFields {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Category.
    pub category: String,
    /// Owner's username.
    pub owner: String,
    /// Present when the "required" box is ticked.
    #[serde(default)]
    pub required: Option<String>,
    /// Status key.
    pub status: String,
    /// Due date, `YYYY-MM-DD`.
    pub due_date: String,
    /// The suite whose evidence the item follows.
    pub evidence_suite: String,
    /// The check or metric in that suite.
    pub evidence_check: String,
}
