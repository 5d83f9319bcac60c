//! Durations as bound to PostgreSQL. Instants are never bound: leases, due times and rescue are
//! computed from the database clock (`now()`), so that several machines agree on them.

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
