//! Accounts of people who sign in through an OpenID Connect provider: the provider's
//! `(issuer, subject)` names one readyboard account, created at the first sign-in with the
//! role the provider's claims map to, and given that role again at every sign-in.

use readyboard_domain::role::Role;
use serde_json::json;

use crate::audit::{Actor, AuditWrite, write_audit};
use crate::db::BeginWrite;
use crate::db::{Store, now_ms, on_pool};
use crate::error::{StoreError, StoreResult};
use crate::users::{USER_COLUMNS, UserRow, valid_username};

/// The password hash of an account made by a sign-in: no password verifies against it, so
/// such a person signs in through their provider only (until an admin sets a password).
pub const NO_PASSWORD: &str = "!external";

/// Who a provider says signs in.
#[derive(Debug, Clone)]
pub struct ExternalPerson<'a> {
    /// The provider's issuer URL.
    pub issuer: &'a str,
    /// The provider's stable identifier of the person.
    pub subject: &'a str,
    /// Login names to try for a new account, best first (e.g. preferred username, email).
    pub names: Vec<String>,
    /// The role the provider's claims map to.
    pub role: Role,
}

/// What a sign-in found.
#[derive(Debug, Clone)]
pub enum ExternalSignIn {
    /// The person's account, with the role from this sign-in.
    Account(UserRow),
    /// An admin disabled the account: the provider's word does not enable it again.
    Disabled(UserRow),
}

/// A login name made of the characters account names allow, or `None` when nothing is left.
fn login_name(candidate: &str) -> Option<String> {
    let name: String = candidate
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@') { c } else { '-' })
        .take(56)
        .collect();
    let name = name.trim_matches('-').to_string();
    valid_username(&name).then_some(name)
}

/// Names to try for a new account: the person's first usable name, then with 2…100 after it.
fn candidates(person: &ExternalPerson<'_>) -> impl Iterator<Item = String> {
    let base = person
        .names
        .iter()
        .find_map(|n| login_name(n))
        .or_else(|| login_name(&format!("user-{}", person.subject)))
        .unwrap_or_else(|| "user".to_string());
    (1..=100).map(move |i| if i == 1 { base.clone() } else { format!("{base}-{i}") })
}

impl Store {
    /// The ids of accounts that sign in through a provider.
    pub async fn external_accounts(&self) -> StoreResult<std::collections::HashSet<i64>> {
        let ids: Vec<i64> = on_pool!(self, pool => sqlx::query_scalar("SELECT DISTINCT user_id FROM external_identities")
            .fetch_all(pool).await)?;
        Ok(ids.into_iter().collect())
    }

    /// Signs in a person known to an identity provider: their account (created the first time
    /// under the first free name of `person.names`), its role set to `person.role`; audited.
    // One transaction on either database (the macro repeats the body per pool), which is
    // why the lookup, the role update and the creation stay in one function.
    #[tracing::instrument(skip_all, fields(issuer = %person.issuer))]
    pub async fn sign_in_external(&self, person: &ExternalPerson<'_>) -> StoreResult<ExternalSignIn> {
        let actor = Actor::system(&format!("sign-in through {}", person.issuer));
        // Whether an account was made or a role changed: only then are cached accounts stale.
        let mut changed = true;
        let outcome = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let known: Option<i64> =
                sqlx::query_scalar("SELECT user_id FROM external_identities WHERE issuer = $1 AND subject = $2")
                    .bind(person.issuer)
                    .bind(person.subject)
                    .fetch_optional(&mut *tx)
                    .await?;
            let now = now_ms();
            let user = if let Some(id) = known {
                let user = sqlx::query_as::<_, UserRow>(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                if user.disabled {
                    return Ok(ExternalSignIn::Disabled(user));
                }
                changed = user.role != person.role;
                if changed {
                    sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                        .bind(person.role.as_str())
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    write_audit!(&mut *tx, &actor, AuditWrite {
                        action: "user.role", entity: "user", entity_id: Some(id.to_string()),
                        project_id: None, phase_id: None,
                        before: Some(json!({"role": user.role.as_str()})), after: Some(json!({"role": person.role.as_str()})),
                    })?;
                }
                sqlx::query("UPDATE external_identities SET last_seen_at = $1 WHERE issuer = $2 AND subject = $3")
                    .bind(now)
                    .bind(person.issuer)
                    .bind(person.subject)
                    .execute(&mut *tx)
                    .await?;
                UserRow { role: person.role, ..user }
            } else {
                // A name already taken is never reused: a provider's "admin" is not the
                // local admin. The first free one of the name, then the name with 2, 3, …
                let mut name = None;
                for n in candidates(person) {
                    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
                        .bind(&n)
                        .fetch_optional(&mut *tx)
                        .await?;
                    if taken.is_none() {
                        name = Some(n);
                        break;
                    }
                }
                let name = name.ok_or_else(|| StoreError::Conflict("username".into()))?;
                let user = sqlx::query_as::<_, UserRow>(&format!(
                    "INSERT INTO users (username, password_hash, role, disabled, created_at) \
                     VALUES ($1, $2, $3, FALSE, $4) RETURNING {USER_COLUMNS}"
                ))
                .bind(&name)
                .bind(NO_PASSWORD)
                .bind(person.role.as_str())
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| StoreError::unique(e, "username"))?;
                sqlx::query(
                    "INSERT INTO external_identities (issuer, subject, user_id, created_at, last_seen_at) \
                     VALUES ($1, $2, $3, $4, $4)",
                )
                .bind(person.issuer)
                .bind(person.subject)
                .bind(user.id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                write_audit!(&mut *tx, &actor, AuditWrite {
                    action: "user.create", entity: "user", entity_id: Some(user.id.to_string()),
                    project_id: None, phase_id: None, before: None,
                    after: Some(json!({"username": name, "role": person.role.as_str(), "issuer": person.issuer})),
                })?;
                user
            };
            tx.commit().await?;
            Ok::<_, StoreError>(ExternalSignIn::Account(user))
        })?;
        if changed {
            self.accounts_changed();
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::login_name;

    #[test]
    fn login_names_keep_allowed_characters_only() {
        assert_eq!(login_name("grace").as_deref(), Some("grace"));
        assert_eq!(login_name("Grace Hopper").as_deref(), Some("Grace-Hopper"));
        assert_eq!(login_name("ada@example.test").as_deref(), Some("ada@example.test"));
        assert_eq!(login_name("  ").as_deref(), None);
        assert_eq!(login_name("日本").as_deref(), None);
        assert_eq!(login_name(&"x".repeat(200)).map(|n| n.len()), Some(56));
    }
}
