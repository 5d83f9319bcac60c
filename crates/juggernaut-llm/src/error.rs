//! What can go wrong with a model call, and whether trying again can help.

use juggernaut_store::StoreError;
use std::time::Duration;

/// Errors from an LLM call.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// The server answered with an error status (after the retries it allows).
    #[error("{provider}: HTTP {status}: {message}")]
    Status {
        /// The provider's name.
        provider: String,
        /// The status code.
        status: u16,
        /// The error text the server gave (clipped).
        message: String,
        /// How long the server asked us to wait, if it did.
        retry_after: Option<Duration>,
    },
    /// No answer within the timeout (after retries).
    #[error("{provider}: no answer within {timeout:?}")]
    Timeout {
        /// The provider's name.
        provider: String,
        /// The timeout per attempt.
        timeout: Duration,
    },
    /// The server could not be reached (after retries).
    #[error("{provider}: cannot reach the server: {message}")]
    Transport {
        /// The provider's name.
        provider: String,
        /// What failed.
        message: String,
    },
    /// The answer could not be read.
    #[error("{provider}: unreadable answer: {reason}")]
    Malformed {
        /// The provider's name.
        provider: String,
        /// What was wrong.
        reason: String,
        /// The body as received (clipped).
        raw: String,
    },
    /// A budget has no room for the call; it was not sent.
    #[error("{0}")]
    Budget(StoreError),
    /// The cost ledger failed.
    #[error("cost ledger: {0}")]
    Store(StoreError),
    /// The call cannot be made as asked (bad settings, a request the client refuses).
    #[error("{0}")]
    Invalid(String),
}

impl LlmError {
    /// Whether a later attempt may succeed (the task may be retried).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Status { status, .. } => *status == 429 || *status >= 500,
            Self::Timeout { .. } | Self::Transport { .. } => true,
            Self::Store(e) => e.is_retryable(),
            Self::Malformed { .. } | Self::Budget(_) | Self::Invalid(_) => false,
        }
    }

    /// How long the server asked to wait before the next try, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

impl From<StoreError> for LlmError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::BudgetExceeded { .. } => Self::Budget(e),
            other => Self::Store(other),
        }
    }
}
