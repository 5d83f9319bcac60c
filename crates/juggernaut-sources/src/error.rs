//! Why a metric could not be read: each error names the data source (or the redacted URL) and
//! says what to change.

use thiserror::Error;

/// A failed read or a bad configuration.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SourceError {
    /// A data source's configuration is wrong.
    #[error("data source `{name}`: {reason}")]
    Config {
        /// The source's name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// The goal names a data source that is not configured.
    #[error("no data source named `{0}` is configured (add [sources.{0}] to the configuration)")]
    Unknown(String),
    /// A manual metric is set by hand, not read.
    #[error("the metric is set by hand (`juggernaut goal set-progress`), not read")]
    Manual,
    /// The query failed, ran too long, or did not return one number.
    #[error("data source `{name}`: {reason}")]
    Sql {
        /// The source's name.
        name: String,
        /// What went wrong.
        reason: String,
    },
    /// The request failed, or the JSON had no number at the pointer.
    #[error("GET {url}: {reason}")]
    Http {
        /// The URL, without credentials.
        url: String,
        /// What went wrong.
        reason: String,
    },
}

impl SourceError {
    /// A configuration error of source `name`.
    pub(crate) fn config(name: &str, reason: &str) -> Self {
        Self::Config {
            name: name.to_owned(),
            reason: reason.to_owned(),
        }
    }

    /// A failed SQL read of source `name`.
    pub(crate) fn sql(name: &str, reason: impl Into<String>) -> Self {
        Self::Sql {
            name: name.to_owned(),
            reason: reason.into(),
        }
    }
}
