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
    /// The data source cannot be reached: the file is missing or cannot be opened, the server
    /// does not answer or refuses the login. Another try later may succeed.
    #[error("data source `{name}`: {reason}")]
    Unavailable {
        /// The source's name.
        name: String,
        /// What went wrong.
        reason: String,
    },
    /// The query failed, was refused, ran too long, or did not return what was asked (one
    /// number for a metric).
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

    /// Source `name` cannot be reached.
    pub(crate) fn unavailable(name: &str, reason: impl Into<String>) -> Self {
        Self::Unavailable {
            name: name.to_owned(),
            reason: reason.into(),
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

/// Why a read failed, before it is given the source's name.
#[derive(Debug)]
pub(crate) enum Fail {
    /// The source cannot be reached ([`SourceError::Unavailable`]).
    Unavailable(String),
    /// The source is configured in a way that must be changed ([`SourceError::Config`]).
    Config(String),
    /// The query failed or was refused ([`SourceError::Sql`]).
    Sql(String),
}

impl Fail {
    /// The error of source `name`, each reason passed through `clean` (which removes secrets).
    pub(crate) fn named(self, name: &str, clean: impl Fn(&str) -> String) -> SourceError {
        match self {
            Self::Unavailable(r) => SourceError::unavailable(name, clean(&r)),
            Self::Config(r) => SourceError::config(name, &clean(&r)),
            Self::Sql(r) => SourceError::sql(name, clean(&r)),
        }
    }
}
