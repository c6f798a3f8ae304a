//! What an identity provider's claims mean here: the role a person gets from their groups
//! (or any claim), and the login names to try for a new account.

use readyboard_domain::role::Role;
use serde_json::{Map, Value};

/// How claims map to roles: the claim to read, which of its values give which role, and the
/// role of everyone else (`None`: they may not sign in).
#[derive(Debug, Clone, PartialEq)]
pub struct RoleMap {
    /// Claim path, dots between levels (`groups`, `realm_access.roles`).
    pub claim: String,
    /// A claim value and the role it gives.
    pub rules: Vec<(String, Role)>,
    /// The role when no rule matches.
    pub default: Option<Role>,
}

impl RoleMap {
    /// Reads `VALUE=ROLE,VALUE=ROLE` rules and a default role (`none` refuses the rest).
    pub fn parse(claim: &str, rules: &str, default: &str) -> Result<RoleMap, String> {
        let claim = claim.trim();
        if claim.is_empty() || claim.split('.').any(str::is_empty) {
            return Err(format!("--oidc-role-claim: {claim:?} is not a claim name (dots separate levels)"));
        }
        let role = |name: &str| {
            Role::parse(name.trim())
                .ok_or_else(|| format!("{:?} is not a role (viewer, editor, approver or admin)", name.trim()))
        };
        let rules = rules
            .split(',')
            .filter(|r| !r.trim().is_empty())
            .map(|rule| {
                let (value, name) =
                    rule.rsplit_once('=').ok_or_else(|| format!("--oidc-roles: {rule:?} is not VALUE=ROLE"))?;
                if value.trim().is_empty() {
                    return Err(format!("--oidc-roles: {rule:?} has no claim value"));
                }
                Ok((value.trim().to_string(), role(name).map_err(|e| format!("--oidc-roles: {e}"))?))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let default = match default.trim() {
            "none" => None,
            other => Some(role(other).map_err(|e| format!("--oidc-default-role: {e} nor none"))?),
        };
        Ok(RoleMap { claim: claim.to_string(), rules, default })
    }

    /// The highest role the person's claim values give, else the default role.
    pub fn role(&self, claims: &Map<String, Value>) -> Option<Role> {
        let values = claim_values(claims, &self.claim);
        self.rules
            .iter()
            .filter(|(value, _)| values.contains(&value.as_str()))
            .map(|(_, role)| *role)
            .max()
            .or(self.default)
    }

    /// Whether the claim is present at all (when it is not, the user info may carry it).
    pub fn has_claim(&self, claims: &Map<String, Value>) -> bool {
        lookup(claims, &self.claim).is_some()
    }
}

fn lookup<'a>(claims: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let first = claims.get(parts.next()?)?;
    parts.try_fold(first, |value, part| value.get(part))
}

/// The string values of a claim: one string, or the strings of an array.
fn claim_values<'a>(claims: &'a Map<String, Value>, path: &str) -> Vec<&'a str> {
    match lookup(claims, path) {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Login names to try for a new account, best first: the preferred username, the email's
/// local part, then the whole email.
pub fn names(preferred_username: Option<&str>, email: Option<&str>) -> Vec<String> {
    let local = email.and_then(|e| e.split_once('@')).map(|(local, _)| local);
    [preferred_username, local, email]
        .into_iter()
        .flatten()
        .filter(|n| !n.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn the_highest_matching_rule_wins_and_others_get_the_default() {
        let map = RoleMap::parse("groups", "staff=editor, rb-admins=admin,release=approver", "viewer").unwrap();
        assert_eq!(map.role(&claims(json!({"groups": ["staff", "rb-admins"]}))), Some(Role::Admin));
        assert_eq!(map.role(&claims(json!({"groups": ["release", "staff"]}))), Some(Role::Approver));
        assert_eq!(map.role(&claims(json!({"groups": "staff"}))), Some(Role::Editor));
        assert_eq!(map.role(&claims(json!({"groups": ["other"]}))), Some(Role::Viewer));
        assert_eq!(map.role(&claims(json!({}))), Some(Role::Viewer));
    }

    #[test]
    fn default_none_refuses_people_no_rule_matches() {
        let map = RoleMap::parse("groups", "staff=editor", "none").unwrap();
        assert_eq!(map.role(&claims(json!({"groups": ["guests"]}))), None);
        assert_eq!(map.role(&claims(json!({"groups": ["staff"]}))), Some(Role::Editor));
    }

    #[test]
    fn nested_claims_are_read_by_path() {
        let map = RoleMap::parse("realm_access.roles", "rb-admin=admin", "none").unwrap();
        let c = claims(json!({"realm_access": {"roles": ["rb-admin"]}}));
        assert!(map.has_claim(&c));
        assert_eq!(map.role(&c), Some(Role::Admin));
        assert!(!map.has_claim(&claims(json!({"realm_access": {}}))));
    }

    #[test]
    fn bad_settings_are_refused_with_the_flag_named() {
        assert!(RoleMap::parse("groups", "staff", "viewer").unwrap_err().contains("VALUE=ROLE"));
        assert!(RoleMap::parse("groups", "staff=root", "viewer").unwrap_err().contains("\"root\""));
        assert!(RoleMap::parse("groups", "=admin", "viewer").unwrap_err().contains("no claim value"));
        assert!(RoleMap::parse("groups", "", "boss").unwrap_err().contains("--oidc-default-role"));
        assert!(RoleMap::parse("a..b", "", "viewer").unwrap_err().contains("--oidc-role-claim"));
        // A value may hold '=' itself: the role is after the last one.
        let map = RoleMap::parse("groups", "team=a=admin", "none").unwrap();
        assert_eq!(map.rules, vec![("team=a".to_string(), Role::Admin)]);
    }

    #[test]
    fn names_come_from_the_username_then_the_email() {
        assert_eq!(names(Some("grace"), Some("gh@example.test")), ["grace", "gh", "gh@example.test"]);
        assert_eq!(names(None, Some("gh@example.test")), ["gh", "gh@example.test"]);
        assert_eq!(names(Some(" "), None), Vec::<String>::new());
    }
}
