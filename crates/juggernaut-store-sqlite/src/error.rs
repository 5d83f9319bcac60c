//! Maps driver errors to [`StoreError`], deciding which are transient.

use juggernaut_store::StoreError;

/// Wraps a driver error from `operation`.
pub fn db(operation: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| {
        let transient = match &e {
            sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut => true,
            // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with extended codes.
            sqlx::Error::Database(d) => d
                .code()
                .and_then(|c| c.parse::<i32>().ok())
                .is_some_and(|c| matches!(c & 0xff, 5 | 6)),
            _ => false,
        };
        StoreError::Database {
            operation,
            message: e.to_string(),
            transient,
        }
    }
}

/// A JSON (de)serialisation failure of a stored column.
pub fn json(table: &'static str) -> impl Fn(serde_json::Error) -> StoreError {
    move |e| StoreError::Corrupt {
        table,
        reason: e.to_string(),
    }
}
