//! Users, their roles, and the one-time setup token for the first admin.

use readyboard_domain::role::Role;
use serde_json::json;

use crate::audit::{Actor, AuditWrite, write_audit};
use crate::cache::Lookup;
use crate::db::BeginWrite;
use crate::db::{Store, now_ms, on_pool};
use crate::error::{StoreError, StoreResult};

pub use crate::user_rows::*;

impl Store {
    /// Creates a user; `Conflict("username")` when the name is taken.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, user = %username))]
    pub async fn create_user(
        &self,
        actor: &Actor,
        username: &str,
        password_hash: &str,
        role: Role,
    ) -> StoreResult<UserRow> {
        if !valid_username(username) {
            return Err(StoreError::Invalid("username: 1–64 characters of letters, digits, '-', '_', '.', '@'".into()));
        }
        let row = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let row = sqlx::query_as::<_, UserRow>(&format!(
                "INSERT INTO users (username, password_hash, role, disabled, created_at) \
                 VALUES ($1, $2, $3, FALSE, $4) RETURNING {USER_COLUMNS}"
            ))
            .bind(username)
            .bind(password_hash)
            .bind(role.as_str())
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| StoreError::unique(e, "username"))?;
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "user.create", entity: "user", entity_id: Some(row.id.to_string()),
                project_id: None, phase_id: None, before: None,
                after: Some(json!({"username": username, "role": role.as_str()})),
            })?;
            tx.commit().await?;
            self.accounts_changed();
            Ok::<_, StoreError>(row)
        })?;
        Ok(row)
    }

    /// Finds a user by login name.
    pub async fn user_by_name(&self, username: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
        Ok(on_pool!(self, pool => sqlx::query_as::<_, UserRow>(&sql).bind(username).fetch_optional(pool).await)?)
    }

    /// Finds a user by id.
    pub async fn user_by_id(&self, id: i64) -> StoreResult<Option<UserRow>> {
        // Read on every page request; a role change or a disabled account is a committed
        // change and empties the cache at once (other instances: within the cache's TTL).
        let generation = self.caches.accounts.current();
        let flights = (&self.caches.account_flights, &("user", id));
        let _lookup = match self.caches.users.lookup(&id, generation, now_ms, flights, false).await {
            Lookup::Ready(user) => return Ok(Some(user)),
            Lookup::Compute(guard) => guard,
        };
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let user = on_pool!(self, pool => sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_optional(pool).await)?;
        if let Some(u) = &user {
            self.caches.users.put(id, generation, now_ms(), u.clone());
        }
        Ok(user)
    }

    /// Every user, by name.
    pub async fn list_users(&self) -> StoreResult<Vec<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
        Ok(on_pool!(self, pool => sqlx::query_as::<_, UserRow>(&sql).fetch_all(pool).await)?)
    }

    /// How many users exist (zero means first start).
    pub async fn count_users(&self) -> StoreResult<i64> {
        Ok(on_pool!(self, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users").fetch_one(pool).await)?)
    }

    /// Replaces a user's password hash.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, user = %username))]
    pub async fn set_password(&self, actor: &Actor, username: &str, password_hash: &str) -> StoreResult<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id = sqlx::query_scalar::<_, i64>("UPDATE users SET password_hash = $1 WHERE username = $2 RETURNING id")
                .bind(password_hash)
                .bind(username)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "user.password", entity: "user", entity_id: Some(id.to_string()),
                project_id: None, phase_id: None, before: None, after: None,
            })?;
            tx.commit().await?;
            self.accounts_changed();
            Ok::<_, StoreError>(())
        })
    }

    /// Changes a user's role.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, user = %username))]
    pub async fn set_role(&self, actor: &Actor, username: &str, role: Role) -> StoreResult<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let before = sqlx::query_as::<_, (i64, String)>("SELECT id, role FROM users WHERE username = $1")
                .bind(username)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
            sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                .bind(role.as_str())
                .bind(before.0)
                .execute(&mut *tx)
                .await?;
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "user.role", entity: "user", entity_id: Some(before.0.to_string()),
                project_id: None, phase_id: None,
                before: Some(json!({"role": before.1})), after: Some(json!({"role": role.as_str()})),
            })?;
            tx.commit().await?;
            self.accounts_changed();
            Ok::<_, StoreError>(())
        })
    }

    /// Enables or disables a user.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, user = user_id))]
    pub async fn set_disabled(&self, actor: &Actor, user_id: i64, disabled: bool) -> StoreResult<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let n = sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
                .bind(disabled)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            write_audit!(&mut *tx, actor, AuditWrite {
                action: if disabled { "user.disable" } else { "user.enable" }, entity: "user",
                entity_id: Some(user_id.to_string()), project_id: None, phase_id: None,
                before: None, after: Some(json!({"disabled": disabled})),
            })?;
            tx.commit().await?;
            self.accounts_changed();
            Ok::<_, StoreError>(())
        })
    }

    /// Records a successful login.
    pub async fn touch_login(&self, user_id: i64) -> StoreResult<()> {
        on_pool!(self, pool => sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
            .bind(now_ms()).bind(user_id).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Stores the hash of a one-time setup token (replacing unused ones).
    pub async fn create_setup_token(&self, token_hash: &str) -> StoreResult<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("DELETE FROM setup_tokens WHERE used_at IS NULL").execute(&mut *tx).await?;
            sqlx::query("INSERT INTO setup_tokens (token_hash, created_at) VALUES ($1, $2)")
                .bind(token_hash).bind(now_ms()).execute(&mut *tx).await?;
            tx.commit().await?;
            self.accounts_changed();
            Ok::<_, StoreError>(())
        })
    }

    /// Creates the first admin with a setup token; fails when the token is unknown or used,
    /// or when any user already exists.
    pub async fn consume_setup_token(
        &self,
        token_hash: &str,
        username: &str,
        password_hash: &str,
    ) -> StoreResult<UserRow> {
        if !valid_username(username) {
            return Err(StoreError::Invalid("username: 1–64 characters of letters, digits, '-', '_', '.', '@'".into()));
        }
        let _guard = self.write_lock.lock().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let users = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users").fetch_one(&mut *tx).await?;
            let n = sqlx::query("UPDATE setup_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL")
                .bind(now_ms()).bind(token_hash).execute(&mut *tx).await?.rows_affected();
            if n == 0 || users > 0 {
                return Err(StoreError::NotFound);
            }
            let row = sqlx::query_as::<_, UserRow>(&format!(
                "INSERT INTO users (username, password_hash, role, disabled, created_at) \
                 VALUES ($1, $2, 'admin', FALSE, $3) RETURNING {USER_COLUMNS}"
            ))
            .bind(username).bind(password_hash).bind(now_ms())
            .fetch_one(&mut *tx).await?;
            let actor = Actor::system("setup link");
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "user.create", entity: "user", entity_id: Some(row.id.to_string()),
                project_id: None, phase_id: None, before: None,
                after: Some(json!({"username": username, "role": "admin"})),
            })?;
            tx.commit().await?;
            self.accounts_changed();
            Ok::<_, StoreError>(row)
        })
    }
}
