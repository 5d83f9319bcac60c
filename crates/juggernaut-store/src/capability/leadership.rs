//! Leader election for the singleton loops: a lease row per leadership name.

use super::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use juggernaut_core::WorkerId;
use serde::Serialize;
use std::time::Duration;

/// The name of the engine's leadership (watchdog, scheduler, pruner).
pub const ENGINE: &str = "engine";

/// Who leads a singleton loop.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaderInfo {
    /// The leadership's name ([`ENGINE`]).
    pub name: String,
    /// The leader.
    pub holder: WorkerId,
    /// Since when.
    pub acquired_at: DateTime<Utc>,
    /// Until when, unless renewed.
    pub expires_at: DateTime<Utc>,
}

/// Leadership leases.
#[async_trait]
pub trait Leadership: Send + Sync {
    /// Takes or renews the leadership `name` for `ttl`; true if `holder` leads now.
    async fn try_lead(&self, name: &str, holder: &WorkerId, ttl: Duration) -> StoreResult<bool>;

    /// Gives up the leadership if `holder` has it.
    async fn resign(&self, name: &str, holder: &WorkerId) -> StoreResult<()>;

    /// The current leader, if the leadership is held and not expired.
    async fn leader(&self, name: &str) -> StoreResult<Option<LeaderInfo>>;
}
