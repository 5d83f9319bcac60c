//! The details of the API tokens' events, `token.created` and `token.revoked`: which token, its
//! name and role. Never the token or its hash.

use crate::capability::tokens::TokenId;
use juggernaut_core::ApiRole;
use serde::{Deserialize, Serialize};

/// `token.created` and `token.revoked` (the event's actor is who did it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenEvent {
    /// The token.
    pub token: TokenId,
    /// Its name.
    pub name: String,
    /// Its role.
    pub role: ApiRole,
}
