//! When to try a call again and how long to wait: 429, 5xx, timeouts and broken connections are
//! retried with exponential backoff and full jitter; a `Retry-After` header (seconds or an HTTP
//! date) is honoured instead, unless it asks for longer than the client will wait, in which case
//! the error carries the wait so the task is retried later instead of holding a worker.

use chrono::{DateTime, Utc};
use rand::Rng;
use std::time::{Duration, SystemTime};

/// Backoff settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// The first backoff (doubled each retry).
    pub base: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured in place; longer asks end the call.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_millis(500),
            max_backoff: Duration::from_secs(20),
            max_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0 for the first), with full jitter.
    pub fn backoff(&self, retry: u32) -> Duration {
        let cap = self
            .base
            .saturating_mul(1u32 << retry.min(16))
            .min(self.max_backoff);
        let ms = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::rng().random_range(ms / 2..=ms.max(1)))
    }
}

/// Whether an HTTP status is worth retrying.
pub fn retryable_status(status: u16) -> bool {
    status == 429 || (500..=599).contains(&status)
}

/// Reads a `Retry-After` value: delta seconds or an HTTP date (a date in the past is 0).
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e9)));
    }
    let at: DateTime<Utc> = httpdate::parse_http_date(value)
        .ok()
        .map(SystemTime::into)?;
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_a_date() {
        let now = Utc::now();
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("1.5", now),
            Some(Duration::from_millis(1500))
        );
        let later = httpdate::fmt_http_date(SystemTime::from(now) + Duration::from_secs(30));
        let d = parse_retry_after(&later, now).unwrap();
        assert!(d <= Duration::from_secs(30) && d >= Duration::from_secs(28));
        let past = httpdate::fmt_http_date(SystemTime::UNIX_EPOCH);
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default();
        assert!(p.backoff(0) <= Duration::from_millis(500));
        assert!(p.backoff(30) <= Duration::from_secs(20));
        assert!(p.backoff(30) >= Duration::from_secs(10));
        assert!(retryable_status(429) && retryable_status(503) && !retryable_status(400));
    }
}
