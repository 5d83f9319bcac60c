//! Administration: migrations are idempotent, a migrated database is current, the clock answers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::conformance::support::*;

/// Migrating an up-to-date database applies nothing and keeps the version; it is then current.
pub async fn migrate_is_idempotent_and_current(store: S) {
    let first = store.migrate().await.unwrap();
    let second = store.migrate().await.unwrap();
    assert!(second.applied.is_empty());
    assert_eq!(first.version, second.version);
    assert!(second.version >= 1);
    store.check_current_schema().await.unwrap();
}

/// The clock answers, close to this machine's.
pub async fn now_is_a_clock(store: S) {
    let db = store.now().await.unwrap();
    let here = chrono::Utc::now();
    assert!((here - db).num_seconds().abs() < 60, "{db} vs {here}");
}
