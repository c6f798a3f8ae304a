//! The admin, audit log and webhook pages.

use serde::{Deserialize, Serialize};

/// A user on the admin page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserLine {
    /// Id.
    pub id: i64,
    /// Name.
    pub username: String,
    /// Role.
    pub role: String,
    /// Disabled.
    pub disabled: bool,
    /// Last login, formatted.
    pub last_login: Option<String>,
    /// Signs in through the company provider (which sets the role at each sign-in).
    pub company: bool,
}

/// A project's API token on the admin page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectTokenLine {
    /// Project slug.
    pub project: String,
    /// The token.
    pub token: super::TokenLine,
}

/// Everything the admin page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminView {
    /// Users.
    pub users: Vec<UserLine>,
    /// Tokens.
    pub tokens: Vec<ProjectTokenLine>,
    /// Project slugs and names.
    pub projects: Vec<(String, String)>,
}

/// One audit entry on the audit log page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditLine {
    /// Row id.
    pub id: i64,
    /// When, formatted.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What was done.
    pub action: String,
    /// What kind of thing ("report", "checklist item").
    pub entity: String,
    /// Which one, by name ("#96 · unit", "alice"), if the entry names one.
    pub subject: Option<String>,
    /// Where that thing is shown, if it still exists and has a page.
    pub href: Option<String>,
    /// The phase the change belongs to: (link, "Project · Phase").
    pub place: Option<(String, String)>,
    /// State before (JSON), if any.
    pub before: Option<String>,
    /// State after (JSON), if any.
    pub after: Option<String>,
}

/// `/audit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditView {
    /// Entries, newest first.
    pub entries: Vec<AuditLine>,
    /// Actors to filter by.
    pub actors: Vec<String>,
    /// Actions to filter by.
    pub actions: Vec<String>,
    /// Phases to filter by: (`project/phase`, label).
    pub phases: Vec<(String, String)>,
    /// Which entries: `changes`, `signins` or `all`.
    pub kind: String,
    /// Entries matching the filters, all pages together.
    pub total: i64,
    /// Id to continue from for older entries.
    pub older: Option<i64>,
}

/// An endpoint as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HookLine {
    /// Id.
    pub id: i64,
    /// Where deliveries go.
    pub url: String,
    /// `json` or `slack`.
    pub format: String,
    /// The events it is told of.
    pub events: Vec<String>,
}

/// A delivery as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryLine {
    /// Id.
    pub id: i64,
    /// The endpoint's URL.
    pub url: String,
    /// The event.
    pub event: String,
    /// Pending, delivered or failed.
    pub status: readyboard_domain::webhooks::DeliveryStatus,
    /// Attempts so far.
    pub attempts: i64,
    /// The last answer's HTTP status.
    pub code: Option<i64>,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// When it was queued, relative.
    pub queued: String,
    /// When it is tried next (pending only), relative.
    pub next: Option<String>,
}

/// The webhooks section's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhooksView {
    /// The endpoints.
    pub hooks: Vec<HookLine>,
    /// The newest deliveries.
    pub deliveries: Vec<DeliveryLine>,
    /// Every event an endpoint can ask for, with what it tells of.
    pub events: Vec<(String, String)>,
}
