//! Time as stored in SQLite: microseconds since the Unix epoch, so that comparisons are integer
//! comparisons and every row sorts the same way.

use chrono::{DateTime, Utc};
use std::time::Duration;

/// Now, in stored form.
pub fn now_us() -> i64 {
    Utc::now().timestamp_micros()
}

/// A stored time as a `DateTime`.
pub fn from_us(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).unwrap_or(DateTime::UNIX_EPOCH)
}

/// A duration in microseconds, saturating.
pub fn dur_us(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}
