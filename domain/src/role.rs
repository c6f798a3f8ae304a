//! User roles, ordered by what they may do.

use serde::{Deserialize, Serialize};

/// A user's role; each role may do everything the roles below it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads everything.
    Viewer,
    /// Edits checklists and blockers.
    Editor,
    /// Signs off items, waives blockers, records decisions.
    Approver,
    /// Manages users, tokens, projects and settings.
    Admin,
}

impl Role {
    /// All roles, lowest first.
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Editor, Role::Approver, Role::Admin];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Approver => "approver",
            Role::Admin => "admin",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether this role includes `needed`.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn higher_roles_include_lower_ones() {
        assert!(Role::Admin.allows(Role::Viewer));
        assert!(Role::Approver.allows(Role::Editor));
        assert!(!Role::Editor.allows(Role::Approver));
        assert!(!Role::Viewer.allows(Role::Editor));
    }

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
