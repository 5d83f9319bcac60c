//! API tokens: who may call the HTTP API, with which role. The store keeps only each token's
//! SHA-256 (lowercase hex), never the token; a record carries no hash either, so nothing read
//! from here can be replayed. Creating and revoking write `token.created` and `token.revoked`
//! audit events (name, role, who) in the same transaction. A revoked token stays listed and
//! never authenticates again.

use super::StoreResult;
use crate::error::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use juggernaut_core::{ApiRole, DomainError};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Longest token name, in bytes.
pub const MAX_TOKEN_NAME: usize = 64;

/// How stale `last_used_at` may grow before an authentication writes it again: at most one
/// write per token per minute, not one per request.
pub const TOUCH_INTERVAL: Duration = Duration::from_secs(60);

/// Identifies one token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TokenId(pub i64);

impl std::fmt::Display for TokenId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A token to store: its name, role and the SHA-256 of its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    /// What it is for (1-64 bytes, no control characters); unique among active tokens.
    pub name: String,
    /// What it may do.
    pub role: ApiRole,
    /// Lowercase hex SHA-256 of the secret (64 characters).
    pub sha256: String,
}

impl NewToken {
    /// What every backend refuses before writing: a blank, overlong or control-character name,
    /// and a hash that is not 64 lowercase hex digits.
    pub fn check(&self) -> StoreResult<()> {
        check_name(&self.name)?;
        check_sha256(&self.sha256)
    }
}

/// Refuses a name no token may have.
pub fn check_name(name: &str) -> StoreResult<()> {
    let bad = |reason: String| {
        Err(StoreError::Domain(DomainError::InvalidField {
            field: "name",
            reason,
        }))
    };
    if name.trim().is_empty() {
        return bad("a token needs a name (what or who it is for)".into());
    }
    if name.len() > MAX_TOKEN_NAME {
        return bad(format!("at most {MAX_TOKEN_NAME} bytes"));
    }
    if name.chars().any(char::is_control) {
        return bad("no control characters".into());
    }
    Ok(())
}

/// Whether `sha256` is 64 lowercase hex digits.
pub fn check_sha256(sha256: &str) -> StoreResult<()> {
    let hex = sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if hex {
        return Ok(());
    }
    Err(StoreError::Domain(DomainError::InvalidField {
        field: "sha256",
        reason: "must be 64 lowercase hex digits".into(),
    }))
}

/// The refusal of a revocation: no such token.
pub fn no_token(id: TokenId) -> StoreError {
    StoreError::Domain(DomainError::InvalidField {
        field: "token",
        reason: format!("no token has id {id} (`juggernaut token list` shows them)"),
    })
}

/// The refusal of a revocation: revoked before.
pub fn already_revoked(t: &TokenRecord) -> StoreError {
    let when = t
        .revoked_at
        .map(|at| at.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default();
    let by = t.revoked_by.as_deref().unwrap_or("?");
    StoreError::Domain(DomainError::InvalidField {
        field: "token",
        reason: format!(
            "token {} (`{}`) is already revoked (at {when} by {by})",
            t.id, t.name
        ),
    })
}

/// The refusal of a second active token with one name.
pub fn name_taken(name: &str, id: TokenId) -> StoreError {
    StoreError::Domain(DomainError::InvalidField {
        field: "name",
        reason: format!(
            "an active token is already named `{name}` (id {id}): pick another name or revoke it first"
        ),
    })
}

/// A stored token, without its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenRecord {
    /// Its id.
    pub id: TokenId,
    /// What it is for.
    pub name: String,
    /// What it may do.
    pub role: ApiRole,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// Who made it.
    pub created_by: String,
    /// When it last authenticated (to within [`TOUCH_INTERVAL`]).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Who revoked it.
    pub revoked_by: Option<String>,
}

impl TokenRecord {
    /// Whether it still authenticates.
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }
}

/// The token table.
#[async_trait]
pub trait Tokens: Send + Sync {
    /// Stores a token with its `token.created` event, in one transaction. Refuses
    /// (`StoreError::Domain`, nothing written) what [`NewToken::check`] refuses, a blank actor,
    /// and a name an active token already has.
    async fn create_token(&self, token: NewToken, actor: &str) -> StoreResult<TokenRecord>;

    /// Every token, revoked ones included, newest first.
    async fn tokens(&self) -> StoreResult<Vec<TokenRecord>>;

    /// Revokes a token with its `token.revoked` event, in one transaction. An unknown id or a
    /// token already revoked is refused (`StoreError::Domain` naming the token; nothing
    /// written).
    async fn revoke_token(&self, id: TokenId, actor: &str) -> StoreResult<TokenRecord>;

    /// The active token whose secret hashes to `sha256`, if any (a malformed hash finds none).
    /// Sets `last_used_at` when it is older than [`TOUCH_INTERVAL`] (or unset); the record
    /// returned carries the time before this use.
    async fn authenticate_token(&self, sha256: &str) -> StoreResult<Option<TokenRecord>>;
}

/// Refuses a blank actor (every event names who acted).
pub fn check_actor(actor: &str) -> StoreResult<()> {
    if actor.trim().is_empty() {
        return Err(StoreError::Domain(DomainError::InvalidField {
            field: "actor",
            reason: "must name who acted".into(),
        }));
    }
    Ok(())
}
