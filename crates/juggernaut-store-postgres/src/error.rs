//! Maps driver errors to [`StoreError`], deciding which are transient.

use juggernaut_store::StoreError;

/// Wraps a driver error from `operation`.
pub fn db(operation: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| StoreError::Database {
        operation,
        transient: is_transient(&e),
        message: e.to_string(),
    }
}

/// Faults that a retry of the same call can get past: a lost connection, an exhausted pool, a
/// serialization failure or deadlock, an administrator shutdown, too many connections.
pub fn is_transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(d) => d.code().is_some_and(|code| {
            matches!(code.as_ref(), "40001" | "40P01" | "57P01" | "53300") || code.starts_with("08")
        }),
        _ => false,
    }
}

/// A JSON (de)serialisation failure of a stored column.
pub fn json(table: &'static str) -> impl Fn(serde_json::Error) -> StoreError {
    move |e| StoreError::Corrupt {
        table,
        reason: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lost_connections_and_timeouts_are_transient() {
        let io = sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionReset));
        assert!(is_transient(&io));
        assert!(is_transient(&sqlx::Error::PoolTimedOut));
        assert!(!is_transient(&sqlx::Error::RowNotFound));
        assert!(!is_transient(&sqlx::Error::PoolClosed));
        let e = db("claim")(sqlx::Error::PoolTimedOut);
        assert!(e.is_retryable());
        assert!(e.to_string().contains("claim"));
    }
}
