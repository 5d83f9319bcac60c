//! Durations as bound to PostgreSQL, and the database clock. Instants are never bound for
//! comparisons with the clock: leases, due times, rescue, silence and run-time limits are computed
//! from the database clock (`now()`), so that several machines agree on them.

use crate::error::db;
use crate::store::PostgresStore;
use chrono::{DateTime, Utc};
use juggernaut_store::StoreError;
use std::time::Duration;

/// Longest duration bound (ten years): beyond it `now() + d` would leave the interval range.
const MAX_US: i64 = 10 * 366 * 24 * 3600 * 1_000_000;

/// SQL for `now()` plus the microseconds bound at parameter `$n`.
pub fn now_plus(n: u8) -> String {
    format!("now() + ${n}::bigint * interval '1 microsecond'")
}

/// A duration in microseconds, capped at ten years.
pub fn dur_us(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(MAX_US).min(MAX_US)
}

/// The database clock; see [`juggernaut_store::Coordination::now`].
pub async fn now(store: &PostgresStore) -> Result<DateTime<Utc>, StoreError> {
    sqlx::query_scalar("SELECT now()")
        .fetch_one(store.pool())
        .await
        .map_err(db("now"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_saturate() {
        assert_eq!(dur_us(Duration::from_millis(1500)), 1_500_000);
        assert_eq!(dur_us(Duration::MAX), MAX_US);
        assert_eq!(now_plus(3), "now() + $3::bigint * interval '1 microsecond'");
    }
}
