//! The engine's error type.

use juggernaut_store::StoreError;

/// Errors from the engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The store failed in a way retrying does not fix.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl EngineError {
    /// Whether repeating the call may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Store(e) => e.is_retryable(),
        }
    }

    /// Whether the caller's input was at fault.
    pub fn is_bad_input(&self) -> bool {
        match self {
            Self::Store(e) => e.is_bad_input(),
        }
    }
}
