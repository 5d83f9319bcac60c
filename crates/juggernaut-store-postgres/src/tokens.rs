//! API tokens: created and revoked with their events in one transaction, listed newest first,
//! and looked up by SHA-256; `last_used_at` is written only when it is older than the touch
//! interval, by a conditional update, so concurrent requests write it at most once. Times come
//! from the database clock.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::{PostgresStore, finish};
use crate::time::dur_us;
use juggernaut_core::{ApiRole, EventKind};
use juggernaut_store::StoreError;
use juggernaut_store::audit::{Payload, TokenEvent};
use juggernaut_store::capability::tokens::{
    self as api, NewToken, TOUCH_INTERVAL, TokenId, TokenRecord,
};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

/// Columns selected for a token, in the order [`row`] reads them (never the hash).
const COLUMNS: &str =
    "id, name, role, created_at, created_by, last_used_at, revoked_at, revoked_by";

/// Whether `last_used_at` is older than the touch interval, bound at `$2` in microseconds.
const STALE: &str =
    "(last_used_at IS NULL OR last_used_at < now() - $2::bigint * interval '1 microsecond')";

fn corrupt(e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "api_tokens",
        reason: e.to_string(),
    }
}

fn row(r: &PgRow) -> Result<TokenRecord, StoreError> {
    let role: String = r.try_get("role").map_err(corrupt)?;
    Ok(TokenRecord {
        id: TokenId(r.try_get("id").map_err(corrupt)?),
        name: r.try_get("name").map_err(corrupt)?,
        role: role.parse::<ApiRole>().map_err(corrupt)?,
        created_at: r.try_get("created_at").map_err(corrupt)?,
        created_by: r.try_get("created_by").map_err(corrupt)?,
        last_used_at: r.try_get("last_used_at").map_err(corrupt)?,
        revoked_at: r.try_get("revoked_at").map_err(corrupt)?,
        revoked_by: r.try_get("revoked_by").map_err(corrupt)?,
    })
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
    store: &PostgresStore,
    token: NewToken,
    actor: &str,
) -> Result<TokenRecord, StoreError> {
    token.check()?;
    api::check_actor(actor)?;
    let mut tx = store.begin().await?;
    let created = insert(&mut tx, token, actor).await;
    finish(tx, created, "create_token").await
}

async fn insert(
    conn: &mut PgConnection,
    token: NewToken,
    actor: &str,
) -> Result<TokenRecord, StoreError> {
    // Serialises creations of one name, so the check below cannot race another creation.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('api_tokens:' || $1))")
        .bind(&token.name)
        .execute(&mut *conn)
        .await
        .map_err(db("create_token"))?;
    let taken: Option<i64> =
        sqlx::query_scalar("SELECT id FROM api_tokens WHERE name = $1 AND revoked_at IS NULL")
            .bind(&token.name)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db("create_token"))?;
    if let Some(id) = taken {
        return Err(api::name_taken(&token.name, TokenId(id)));
    }
    let sql = format!(
        "INSERT INTO api_tokens (name, role, token_sha256, created_by) \
         VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}"
    );
    let created = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&token.name)
        .bind(token.role.as_str())
        .bind(&token.sha256)
        .bind(actor)
        .fetch_one(&mut *conn)
        .await
        .map_err(db("create_token"))?;
    let created = row(&created)?;
    audit::record(conn, event(EventKind::TokenCreated, &created, actor)).await?;
    Ok(created)
}

/// Every token, newest first; see [`juggernaut_store::Tokens::tokens`].
pub async fn list(store: &PostgresStore) -> Result<Vec<TokenRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM api_tokens ORDER BY id DESC");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(store.pool())
        .await
        .map_err(db("tokens"))?;
    rows.iter().map(row).collect()
}

/// Revokes a token with its event; see [`juggernaut_store::Tokens::revoke_token`].
pub async fn revoke(
    store: &PostgresStore,
    id: TokenId,
    actor: &str,
) -> Result<TokenRecord, StoreError> {
    api::check_actor(actor)?;
    let mut tx = store.begin().await?;
    let revoked = mark_revoked(&mut tx, id, actor).await;
    finish(tx, revoked, "revoke_token").await
}

async fn mark_revoked(
    conn: &mut PgConnection,
    id: TokenId,
    actor: &str,
) -> Result<TokenRecord, StoreError> {
    let sql = format!(
        "UPDATE api_tokens SET revoked_at = now(), revoked_by = $2 \
         WHERE id = $1 AND revoked_at IS NULL RETURNING {COLUMNS}"
    );
    let revoked = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .bind(actor)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("revoke_token"))?;
    let Some(revoked) = revoked else {
        let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE id = $1");
        let found = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db("revoke_token"))?;
        return Err(match found.as_ref().map(row).transpose()? {
            Some(t) => api::already_revoked(&t),
            None => api::no_token(id),
        });
    };
    let revoked = row(&revoked)?;
    audit::record(conn, event(EventKind::TokenRevoked, &revoked, actor)).await?;
    Ok(revoked)
}

/// The active token with this hash; see [`juggernaut_store::Tokens::authenticate_token`].
pub async fn authenticate(
    store: &PostgresStore,
    sha256: &str,
) -> Result<Option<TokenRecord>, StoreError> {
    if api::check_sha256(sha256).is_err() {
        return Ok(None);
    }
    let sql = format!(
        "SELECT {COLUMNS}, {STALE} AS stale \
         FROM api_tokens WHERE token_sha256 = $1 AND revoked_at IS NULL"
    );
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(sha256)
        .bind(dur_us(TOUCH_INTERVAL))
        .fetch_optional(store.pool())
        .await
        .map_err(db("authenticate_token"))?;
    let Some(found) = found else {
        return Ok(None);
    };
    let stale: bool = found.try_get("stale").map_err(corrupt)?;
    let record = row(&found)?;
    if stale {
        let sql = format!("UPDATE api_tokens SET last_used_at = now() WHERE id = $1 AND {STALE}");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(record.id.0)
            .bind(dur_us(TOUCH_INTERVAL))
            .execute(store.pool())
            .await
            .map_err(db("authenticate_token"))?;
    }
    Ok(Some(record))
}
