//! API tokens: made here (32 random bytes from a CSPRNG, written `jgt_` + 64 hex digits), shown
//! once to whoever created them, and kept by the store only as their SHA-256. Presenting a token
//! hashes it and looks the hash up among the active tokens; the role that comes back is what
//! every API call is authorised against (`juggernaut_core::token::allows`).

use crate::{App, AppError};
use juggernaut_core::ApiRole;
use juggernaut_store::{NewToken, TokenId, TokenRecord};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// What every token starts with, so that a leaked one is recognisable (secret scanners).
pub const TOKEN_PREFIX: &str = "jgt_";

/// Random bytes in a token.
const SECRET_BYTES: usize = 32;

/// The longest presented text that is hashed at all; anything longer is no token.
pub const MAX_PRESENTED_BYTES: usize = 256;

/// A token just made: its record, and the token itself, which exists nowhere else. Its `Debug`
/// never prints the token.
pub struct IssuedToken {
    /// What the store keeps.
    pub record: TokenRecord,
    token: String,
}

impl IssuedToken {
    /// The token, to show once.
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("record", &self.record)
            .field("token", &"***")
            .finish()
    }
}

/// Lowercase hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// A fresh token: [`TOKEN_PREFIX`] and 32 bytes from the thread's CSPRNG (seeded by the
/// operating system), in hex.
pub fn generate_token() -> String {
    let mut secret = [0u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut secret);
    format!("{TOKEN_PREFIX}{}", hex(&secret))
}

/// The SHA-256 of a token, in lowercase hex: what the store keeps and looks up.
pub fn token_sha256(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

impl App {
    /// Makes a token named `name` with `role`, recorded as made by `actor` (with its
    /// `token.created` event). The token is in the answer and nowhere else.
    pub async fn create_token(
        &self,
        name: &str,
        role: ApiRole,
        actor: &str,
    ) -> Result<IssuedToken, AppError> {
        let token = generate_token();
        let new = NewToken {
            name: name.trim().to_owned(),
            role,
            sha256: token_sha256(&token),
        };
        let record = self.store.create_token(new, actor).await?;
        Ok(IssuedToken { record, token })
    }

    /// Every token, revoked ones included, newest first (never a token or its hash).
    pub async fn tokens(&self) -> Result<Vec<TokenRecord>, AppError> {
        Ok(self.store.tokens().await?)
    }

    /// Revokes a token: it never authenticates again. An unknown id or a token already revoked
    /// is bad input, naming it.
    pub async fn revoke_token(&self, id: TokenId, actor: &str) -> Result<TokenRecord, AppError> {
        Ok(self.store.revoke_token(id, actor).await?)
    }

    /// The active token `presented` is, if any: text that cannot be a token (wrong prefix, too
    /// long) is none without a lookup.
    pub async fn authenticate(&self, presented: &str) -> Result<Option<TokenRecord>, AppError> {
        if !presented.starts_with(TOKEN_PREFIX) || presented.len() > MAX_PRESENTED_BYTES {
            return Ok(None);
        }
        Ok(self
            .store
            .authenticate_token(&token_sha256(presented))
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed_in_hex() {
        let a = generate_token();
        let b = generate_token();
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX));
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 64);
        assert!(a[4..].bytes().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(
            token_sha256("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let issued = IssuedToken {
            record: TokenRecord {
                id: TokenId(1),
                name: "n".into(),
                role: ApiRole::Viewer,
                created_at: chrono::Utc::now(),
                created_by: "a".into(),
                last_used_at: None,
                revoked_at: None,
                revoked_by: None,
            },
            token: a.clone(),
        };
        assert!(!format!("{issued:?}").contains(&a));
    }
}
