//! Personal access tokens: a person's own bearer token for the REST API, acting as that
//! person with their current role (a disabled person's tokens stop working). Project tokens
//! stay upload-only. Only a token's hash is stored.

use serde::Serialize;
use serde_json::json;

use crate::audit::{Actor, AuditWrite, write_audit};
use crate::db::BeginWrite;
use crate::db::{Store, now_ms, on_pool};
use crate::error::{StoreError, StoreResult};
use crate::users::UserRow;

/// A personal token as listed (never the token itself).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PersonalTokenRow {
    /// Row id.
    pub id: i64,
    /// Whose token it is.
    pub username: String,
    /// What it is for.
    pub name: String,
    /// First characters, to recognise it.
    pub prefix: String,
    /// Created, unix ms.
    pub created_at: i64,
    /// Last used, unix ms.
    pub last_used_at: Option<i64>,
    /// Revoked, unix ms.
    pub revoked_at: Option<i64>,
}

/// Longest token name, in characters.
pub const PERSONAL_TOKEN_NAME_MAX: usize = 100;

const SELECT: &str = "SELECT t.id, u.username, t.name, t.prefix, t.created_at, t.last_used_at, t.revoked_at \
     FROM personal_tokens t JOIN users u ON u.id = t.user_id";

impl Store {
    /// Creates a personal token for `username` from its hash; audited.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, user = %username))]
    pub async fn create_personal_token(
        &self,
        actor: &Actor,
        username: &str,
        name: &str,
        token_hash: &str,
        prefix: &str,
    ) -> StoreResult<PersonalTokenRow> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > PERSONAL_TOKEN_NAME_MAX {
            return Err(StoreError::Invalid(format!(
                "A token needs a name of 1 to {PERSONAL_TOKEN_NAME_MAX} characters."
            )));
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let user_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
                .bind(username).fetch_optional(&mut *tx).await?.ok_or(StoreError::NotFound)?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO personal_tokens (user_id, name, token_hash, prefix, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(user_id).bind(name).bind(token_hash).bind(prefix).bind(now_ms())
            .fetch_one(&mut *tx).await?;
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "personal_token.create", entity: "user", entity_id: Some(user_id.to_string()),
                project_id: None, phase_id: None, before: None,
                after: Some(json!({"token": id, "name": name, "prefix": prefix})),
            })?;
            let row = sqlx::query_as::<_, PersonalTokenRow>(&format!("{SELECT} WHERE t.id = $1"))
                .bind(id).fetch_one(&mut *tx).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(row)
        })
    }

    /// The person a live personal token acts as (`None`: unknown, revoked, or its owner is
    /// disabled); records its use at most once a minute.
    pub async fn personal_token_user(&self, token_hash: &str) -> StoreResult<Option<UserRow>> {
        let found: Option<(i64, Option<i64>, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT t.id, t.last_used_at, t.user_id FROM personal_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = FALSE",
        ).bind(token_hash).fetch_optional(pool).await)?;
        let Some((id, last_used, user_id)) = found else { return Ok(None) };
        let now = now_ms();
        if last_used.is_none_or(|t| now - t > 60_000) {
            on_pool!(self, pool => sqlx::query("UPDATE personal_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now).bind(id).execute(pool).await.map(|_| ()))?;
        }
        self.user_by_id(user_id).await
    }

    /// Every personal token, newest first.
    pub async fn list_personal_tokens(&self) -> StoreResult<Vec<PersonalTokenRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, PersonalTokenRow>(&format!("{SELECT} ORDER BY t.id DESC"))
            .fetch_all(pool).await)?)
    }

    /// One person's personal tokens, newest first.
    pub async fn personal_tokens_of(&self, user_id: i64) -> StoreResult<Vec<PersonalTokenRow>> {
        let sql = format!("{SELECT} WHERE t.user_id = $1 ORDER BY t.id DESC");
        Ok(on_pool!(self, pool => sqlx::query_as::<_, PersonalTokenRow>(&sql).bind(user_id).fetch_all(pool).await)?)
    }

    /// Revokes any personal token (the command line); `NotFound` when unknown or already
    /// revoked; audited.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, id = id))]
    pub async fn revoke_personal_token(&self, actor: &Actor, id: i64) -> StoreResult<()> {
        self.revoke_personal(actor, id, None).await
    }

    /// Revokes personal token `id` only if it belongs to `user_id`; `NotFound` when unknown,
    /// someone else's or already revoked, so a person cannot tell others' tokens apart; audited.
    #[tracing::instrument(skip_all, fields(actor = %actor.label, id, user = user_id))]
    pub async fn revoke_own_personal_token(&self, actor: &Actor, user_id: i64, id: i64) -> StoreResult<()> {
        self.revoke_personal(actor, id, Some(user_id)).await
    }

    /// Revokes token `id`, when `owner` is given only if it is theirs.
    async fn revoke_personal(&self, actor: &Actor, id: i64, owner: Option<i64>) -> StoreResult<()> {
        let only_owner = if owner.is_some() { " AND user_id = $3" } else { "" };
        let sql = format!(
            "UPDATE personal_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL{only_owner} RETURNING user_id"
        );
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let mut update = sqlx::query_scalar::<_, i64>(&sql).bind(now_ms()).bind(id);
            if let Some(owner) = owner {
                update = update.bind(owner);
            }
            let user_id = update.fetch_optional(&mut *tx).await?.ok_or(StoreError::NotFound)?;
            write_audit!(&mut *tx, actor, AuditWrite {
                action: "personal_token.revoke", entity: "user", entity_id: Some(user_id.to_string()),
                project_id: None, phase_id: None, before: None, after: Some(json!({"token": id})),
            })?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        })
    }
}
