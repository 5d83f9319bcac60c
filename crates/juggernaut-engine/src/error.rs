//! The engine's error type.

use juggernaut_store::StoreError;

/// Errors from the engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A kind no handler serves: it cannot be enqueued.
    #[error("no handler serves task kind `{kind}` (known kinds: {known})")]
    UnknownKind {
        /// The kind asked for.
        kind: String,
        /// The kinds that exist.
        known: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl EngineError {
    /// Whether repeating the call may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::UnknownKind { .. } => false,
            Self::Store(e) => e.is_retryable(),
        }
    }

    /// Whether the caller's input was at fault.
    pub fn is_bad_input(&self) -> bool {
        match self {
            Self::UnknownKind { .. } => true,
            Self::Store(e) => e.is_bad_input(),
        }
    }
}
