//! What happens after a failed attempt: retry after an exponential backoff with jitter, dead-letter
//! when attempts run out, or fail for good when the handler says retrying cannot help.

use crate::transition::Action;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Exponential backoff: `base * 2^(attempt-1)`, capped at `max`, then scaled by a jitter factor
/// drawn from `[1 - jitter, 1]` so that tasks failing together do not retry together.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Backoff {
    /// Delay after the first failed attempt.
    pub base: Duration,
    /// Upper bound on any delay.
    pub max: Duration,
    /// Fraction of the delay that is randomised, in `[0, 1]`.
    pub jitter: f64,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(2),
            max: Duration::from_secs(3600),
            jitter: 0.5,
        }
    }
}

impl Backoff {
    /// The delay before retrying after failed attempt number `attempt` (1-based). `unit` is a
    /// random number in `[0, 1)` supplied by the caller, which keeps this function pure.
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let exp = attempt.saturating_sub(1).min(30);
        let raw = self.base.saturating_mul(1u32 << exp).min(self.max);
        let jitter = self.jitter.clamp(0.0, 1.0);
        let factor = 1.0 - jitter * unit.clamp(0.0, 1.0);
        raw.mul_f64(factor)
    }
}

/// The decision after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum FailureOutcome {
    /// Back to `pending`; runnable again after `delay`.
    Retry {
        /// How long to wait before the next attempt.
        delay: Duration,
    },
    /// Out of attempts: `dead`.
    Dead,
    /// Not retryable: `failed`.
    Failed,
}

/// The longest retry-after a handler may ask for.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// A failed attempt as the decision sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Failed {
    /// Attempts so far, counting the one that just failed.
    pub attempts: u32,
    /// Attempts allowed.
    pub max_attempts: u32,
    /// Whether another attempt may help.
    pub retryable: bool,
    /// When the handler says to try again (a `Retry-After`), if it knows.
    pub retry_after: Option<Duration>,
}

impl FailureOutcome {
    /// Decides what a failed attempt leads to. `unit` is a random number in `[0, 1)` for the
    /// backoff's jitter; a retry-after named by the handler wins over the backoff (at most
    /// [`MAX_RETRY_AFTER`]).
    pub fn decide(f: Failed, backoff: &Backoff, unit: f64) -> Self {
        if !f.retryable {
            Self::Failed
        } else if f.attempts >= f.max_attempts {
            Self::Dead
        } else {
            let delay = match f.retry_after {
                Some(after) => after.min(MAX_RETRY_AFTER),
                None => backoff.delay(f.attempts, unit),
            };
            Self::Retry { delay }
        }
    }

    /// The state-machine action this outcome performs.
    pub fn action(&self) -> Action {
        match self {
            Self::Retry { .. } => Action::Retry,
            Self::Dead => Action::Kill,
            Self::Failed => Action::FailPermanently,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: Backoff = Backoff {
        base: Duration::from_secs(1),
        max: Duration::from_secs(60),
        jitter: 0.5,
    };

    #[test]
    fn delay_doubles_until_capped() {
        let d: Vec<u64> = (1..=8).map(|a| B.delay(a, 0.0).as_secs()).collect();
        assert_eq!(d, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(B.delay(1000, 0.0), Duration::from_secs(60));
    }

    #[test]
    fn jitter_shrinks_delay_at_most_by_its_fraction() {
        assert_eq!(B.delay(3, 0.999_999).as_millis(), 2000);
        assert_eq!(B.delay(3, 0.5).as_millis(), 3000);
        assert_eq!(B.delay(3, 7.0), B.delay(3, 1.0));
    }

    #[test]
    fn decision_follows_attempts_and_retryability() {
        let f = |attempts, max_attempts, retryable| Failed {
            attempts,
            max_attempts,
            retryable,
            retry_after: None,
        };
        let decide = |x| FailureOutcome::decide(x, &B, 0.0);
        assert_eq!(decide(f(1, 3, false)), FailureOutcome::Failed);
        assert_eq!(decide(f(3, 3, true)), FailureOutcome::Dead);
        assert_eq!(decide(f(4, 3, true)), FailureOutcome::Dead);
        assert_eq!(
            decide(f(2, 3, true)),
            FailureOutcome::Retry {
                delay: Duration::from_secs(2)
            }
        );
        let told = Failed {
            retry_after: Some(Duration::from_secs(90)),
            ..f(1, 3, true)
        };
        assert_eq!(
            decide(told),
            FailureOutcome::Retry {
                delay: Duration::from_secs(90)
            }
        );
        let greedy = Failed {
            retry_after: Some(Duration::MAX),
            ..f(1, 3, true)
        };
        assert_eq!(
            decide(greedy),
            FailureOutcome::Retry {
                delay: MAX_RETRY_AFTER
            }
        );
        assert_eq!(FailureOutcome::Dead.action(), Action::Kill);
        assert_eq!(FailureOutcome::Failed.action(), Action::FailPermanently);
    }
}
