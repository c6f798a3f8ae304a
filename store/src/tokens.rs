//! Project-scoped API tokens, stored as SHA-256 hashes.

use serde_json::json;

use crate::audit::{Actor, AuditWrite, write_audit};
use crate::cache::Lookup;
use crate::db::BeginWrite;
use crate::db::{Store, now_ms, on_pool};
use crate::error::{StoreError, StoreResult};

pub use crate::token_rows::*;

/// The query a token row is read with (its project's slug joined).
const TOKEN_SELECT: &str = "SELECT t.id, t.project_id, p.slug AS project_slug, t.name, t.prefix, \
     t.created_at, t.last_used_at, t.revoked_at FROM api_tokens t JOIN projects p ON p.id = t.project_id";

impl Store {
    /// Stores a new token's hash for `project_id`.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, project = project_id))]
    pub async fn create_token(
        &self,
        actor: &Actor,
        project_id: i64,
        name: &str,
        token_hash: &str,
        prefix: &str,
    ) -> StoreResult<TokenRow> {
        if name.trim().is_empty() || name.len() > 100 {
            return Err(StoreError::Invalid("name: 1–100 characters".into()));
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id = sqlx::query_scalar::<_, i64>(
                "INSERT INTO api_tokens (project_id, name, token_hash, prefix, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(project_id).bind(name).bind(token_hash).bind(prefix).bind(actor.user_id).bind(now_ms())
            .fetch_one(&mut *tx).await
            .map_err(|e| StoreError::unique(e, "token"))?;
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "token.create", entity: "token", entity_id: Some(id.to_string()),
                project_id: Some(project_id), phase_id: None, before: None,
                after: Some(json!({"name": name, "prefix": prefix})),
            })?;
            let row = sqlx::query_as::<_, TokenRow>(&format!("{TOKEN_SELECT} WHERE t.id = $1"))
                .bind(id).fetch_one(&mut *tx).await?;
            tx.commit().await?;
            self.accounts_changed();
            Ok::<_, StoreError>(row)
        })
    }

    /// Resolves an active token by its hash and records its use.
    pub async fn token_scope(&self, token_hash: &str) -> StoreResult<Option<TokenScope>> {
        // A busy CI token's entry ages out under many requests at once: one looks it up.
        let generation = self.caches.accounts.current();
        let flights = (&self.caches.account_flights, &("token", token_hash));
        let _lookup = match self.caches.tokens.lookup(token_hash, generation, now_ms, flights, false).await {
            Lookup::Ready(scope) => return Ok(Some(scope)),
            Lookup::Compute(guard) => guard,
        };
        let row = on_pool!(self, pool => sqlx::query_as::<_, TokenRow>(&format!(
            "{TOKEN_SELECT} WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
        ))
        .bind(token_hash)
        .fetch_optional(pool)
        .await)?;
        let Some(row) = row else { return Ok(None) };
        let now = now_ms();
        // Coarse last-used updates keep a busy CI token from writing on every request.
        if row.last_used_at.is_none_or(|t| now - t > 60_000) {
            on_pool!(self, pool => sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now).bind(row.id).execute(pool).await.map(|_| ()))?;
        }
        let scope =
            TokenScope { token_id: row.id, name: row.name, project_id: row.project_id, project_slug: row.project_slug };
        self.caches.tokens.put(token_hash.to_string(), generation, now, scope.clone());
        Ok(Some(scope))
    }

    /// Every token, newest first.
    pub async fn list_tokens(&self) -> StoreResult<Vec<TokenRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, TokenRow>(&format!("{TOKEN_SELECT} ORDER BY t.id DESC"))
            .fetch_all(pool).await)?)
    }

    /// Revokes a token; `NotFound` when unknown or already revoked.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, id = id))]
    pub async fn revoke_token(&self, actor: &Actor, id: i64) -> StoreResult<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let project_id = sqlx::query_scalar::<_, i64>(
                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING project_id",
            )
            .bind(now_ms()).bind(id).fetch_optional(&mut *tx).await?.ok_or(StoreError::NotFound)?;
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "token.revoke", entity: "token", entity_id: Some(id.to_string()),
                project_id: Some(project_id), phase_id: None, before: None, after: None,
            })?;
            tx.commit().await?;
            self.accounts_changed();
            Ok::<_, StoreError>(())
        })
    }
}
