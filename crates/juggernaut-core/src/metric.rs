//! Metrics: where a goal's number is read from (read-only SQL on a configured data source, a
//! JSON value in an HTTP response, or a value set by hand), the target it is measured against,
//! and the readings recorded over time.

use crate::error::DomainError;
use crate::text;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a goal's metric is read from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum MetricSource {
    /// A read-only SQL query returning one number, on a configured data source.
    Sql {
        /// The data source's configured name.
        source: String,
        /// The query.
        query: String,
    },
    /// A number at a JSON pointer in an HTTP response.
    HttpJson {
        /// The URL.
        url: String,
        /// The JSON pointer to the value (`/data/total`).
        pointer: String,
    },
    /// A value set by hand (`juggernaut goal set-progress`).
    Manual,
}

impl MetricSource {
    /// Checks names, queries, URLs and pointers.
    pub fn validate(&self) -> Result<(), DomainError> {
        let bad = |field, reason: &str| {
            Err(DomainError::InvalidField {
                field,
                reason: reason.to_owned(),
            })
        };
        match self {
            Self::Sql { source, query } => {
                if !is_name(source) {
                    return bad("source", "must be 1-64 of a-z, 0-9, `_` and `-`");
                }
                if query.trim().is_empty() || query.len() > 10_000 {
                    return bad("metric sql", "must be 1-10000 bytes");
                }
                text::check_text("metric sql", query)
            }
            Self::HttpJson { url, pointer } => {
                if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() > 2000
                {
                    return bad(
                        "metric url",
                        "must be an http:// or https:// URL of at most 2000 bytes",
                    );
                }
                if !(pointer.is_empty() || pointer.starts_with('/')) {
                    return bad(
                        "metric pointer",
                        "must be a JSON pointer such as `/data/total`",
                    );
                }
                text::check_text("metric url", url)
            }
            Self::Manual => Ok(()),
        }
    }
}

/// A name of lowercase letters, digits, `_` and `-` (data sources, tags).
pub fn is_name(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// A measurable target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricTarget {
    /// Where the value comes from.
    pub source: MetricSource,
    /// The value that achieves the goal.
    pub target: f64,
    /// Unit for humans (`USD`, `leads`).
    pub unit: String,
}

impl MetricTarget {
    /// Progress in `[0, 1]` for a current value; a zero or negative target counts as reached.
    pub fn progress(&self, current: f64) -> f64 {
        if self.target <= 0.0 {
            1.0
        } else {
            (current / self.target).clamp(0.0, 1.0)
        }
    }

    /// Whether `current` reaches the target.
    pub fn is_met(&self, current: f64) -> bool {
        current >= self.target
    }
}

/// One sample of a goal's metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricPoint {
    /// The value.
    pub value: f64,
    /// When it was read.
    pub at: DateTime<Utc>,
    /// Who read it (`sampler`, `cli`).
    pub source: String,
}
