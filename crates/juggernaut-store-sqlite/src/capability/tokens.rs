//! [`Tokens`] for SQLite.

use crate::store::SqliteStore;
use crate::tokens;
use async_trait::async_trait;
use juggernaut_store::{NewToken, StoreResult, TokenId, TokenRecord, Tokens};

#[async_trait]
impl Tokens for SqliteStore {
    async fn create_token(&self, token: NewToken, actor: &str) -> StoreResult<TokenRecord> {
        tokens::create(self, token, actor).await
    }

    async fn tokens(&self) -> StoreResult<Vec<TokenRecord>> {
        tokens::list(self).await
    }

    async fn revoke_token(&self, id: TokenId, actor: &str) -> StoreResult<TokenRecord> {
        tokens::revoke(self, id, actor).await
    }

    async fn authenticate_token(&self, sha256: &str) -> StoreResult<Option<TokenRecord>> {
        tokens::authenticate(self, sha256).await
    }
}
