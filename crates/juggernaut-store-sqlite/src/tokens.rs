//! API tokens: created and revoked with their events in one `BEGIN IMMEDIATE` transaction,
//! listed newest first, and looked up by SHA-256 from the read pool; `last_used_at` is written
//! only when it is older than the touch interval. Times are microseconds.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::SqliteStore;
use crate::time::{dur_us, from_us, now_us};
use juggernaut_core::{ApiRole, EventKind};
use juggernaut_store::StoreError;
use juggernaut_store::audit::{Payload, TokenEvent};
use juggernaut_store::capability::tokens::{
    self as api, NewToken, TOUCH_INTERVAL, TokenId, TokenRecord,
};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

/// Columns selected for a token, in the order [`row`] reads them (never the hash).
const COLUMNS: &str =
    "id, name, role, created_at, created_by, last_used_at, revoked_at, revoked_by";

fn corrupt(e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "api_tokens",
        reason: e.to_string(),
    }
}

fn row(r: &SqliteRow) -> Result<TokenRecord, StoreError> {
    let role: String = r.try_get("role").map_err(corrupt)?;
    let at = |col: &str| -> Result<Option<_>, StoreError> {
        Ok(r.try_get::<Option<i64>, _>(col)
            .map_err(corrupt)?
            .map(from_us))
    };
    Ok(TokenRecord {
        id: TokenId(r.try_get("id").map_err(corrupt)?),
        name: r.try_get("name").map_err(corrupt)?,
        role: role.parse::<ApiRole>().map_err(corrupt)?,
        created_at: from_us(r.try_get("created_at").map_err(corrupt)?),
        created_by: r.try_get("created_by").map_err(corrupt)?,
        last_used_at: at("last_used_at")?,
        revoked_at: at("revoked_at")?,
        revoked_by: r.try_get("revoked_by").map_err(corrupt)?,
    })
}

async fn by_id(
    conn: &mut SqliteConnection,
    id: TokenId,
) -> Result<Option<TokenRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE id = ?");
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(conn)
        .await
        .map_err(db("token"))?;
    found.as_ref().map(row).transpose()
}

fn event<'a>(kind: EventKind, t: &TokenRecord, actor: &'a str) -> Entry<'a> {
    let data = Payload::Token(TokenEvent {
        token: t.id,
        name: t.name.clone(),
        role: t.role,
    });
    Entry::about(kind, actor, data.to_value())
}

/// Stores a token with its event; see [`juggernaut_store::Tokens::create_token`].
pub async fn create(
    store: &SqliteStore,
    token: NewToken,
    actor: &str,
) -> Result<TokenRecord, StoreError> {
    token.check()?;
    api::check_actor(actor)?;
    let mut tx = store.write().await?;
    let taken: Option<i64> =
        sqlx::query_scalar("SELECT id FROM api_tokens WHERE name = ? AND revoked_at IS NULL")
            .bind(&token.name)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("create_token"))?;
    if let Some(id) = taken {
        let _ = tx.rollback().await;
        return Err(api::name_taken(&token.name, TokenId(id)));
    }
    let sql = format!(
        "INSERT INTO api_tokens (name, role, token_sha256, created_at, created_by) \
         VALUES (?, ?, ?, ?, ?) RETURNING {COLUMNS}"
    );
    let created = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&token.name)
        .bind(token.role.as_str())
        .bind(&token.sha256)
        .bind(now_us())
        .bind(actor)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("create_token"))?;
    let created = row(&created)?;
    audit::record(&mut tx, event(EventKind::TokenCreated, &created, actor)).await?;
    tx.commit().await.map_err(db("create_token"))?;
    Ok(created)
}

/// Every token, newest first; see [`juggernaut_store::Tokens::tokens`].
pub async fn list(store: &SqliteStore) -> Result<Vec<TokenRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM api_tokens ORDER BY id DESC");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(store.reader())
        .await
        .map_err(db("tokens"))?;
    rows.iter().map(row).collect()
}

/// Revokes a token with its event; see [`juggernaut_store::Tokens::revoke_token`].
pub async fn revoke(
    store: &SqliteStore,
    id: TokenId,
    actor: &str,
) -> Result<TokenRecord, StoreError> {
    api::check_actor(actor)?;
    let mut tx = store.write().await?;
    let sql = format!(
        "UPDATE api_tokens SET revoked_at = ?, revoked_by = ? \
         WHERE id = ? AND revoked_at IS NULL RETURNING {COLUMNS}"
    );
    let revoked = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now_us())
        .bind(actor)
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("revoke_token"))?;
    let Some(revoked) = revoked else {
        let why = match by_id(&mut tx, id).await? {
            Some(t) => api::already_revoked(&t),
            None => api::no_token(id),
        };
        let _ = tx.rollback().await;
        return Err(why);
    };
    let revoked = row(&revoked)?;
    audit::record(&mut tx, event(EventKind::TokenRevoked, &revoked, actor)).await?;
    tx.commit().await.map_err(db("revoke_token"))?;
    Ok(revoked)
}

/// The active token with this hash; see [`juggernaut_store::Tokens::authenticate_token`].
pub async fn authenticate(
    store: &SqliteStore,
    sha256: &str,
) -> Result<Option<TokenRecord>, StoreError> {
    if api::check_sha256(sha256).is_err() {
        return Ok(None);
    }
    let sql =
        format!("SELECT {COLUMNS} FROM api_tokens WHERE token_sha256 = ? AND revoked_at IS NULL");
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(sha256)
        .fetch_optional(store.reader())
        .await
        .map_err(db("authenticate_token"))?;
    let Some(found) = found.as_ref().map(row).transpose()? else {
        return Ok(None);
    };
    let now = now_us();
    let stale_before = now - dur_us(TOUCH_INTERVAL);
    let stale = found
        .last_used_at
        .is_none_or(|at| at.timestamp_micros() < stale_before);
    if stale {
        let mut tx = store.write().await?;
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = ? WHERE id = ? \
             AND (last_used_at IS NULL OR last_used_at < ?)",
        )
        .bind(now)
        .bind(found.id.0)
        .bind(stale_before)
        .execute(&mut *tx)
        .await
        .map_err(db("authenticate_token"))?;
        tx.commit().await.map_err(db("authenticate_token"))?;
    }
    Ok(Some(found))
}
