//! Goals: what the owner wants, with a measurable target read from a metric source (SPEC §2).
//! Progress is the metric's value against the target — never string matching.

use crate::ids::GoalId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A goal's life-cycle status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    /// Being pursued.
    Active,
    /// Held by the owner.
    Paused,
    /// Target reached.
    Achieved,
    /// Deadline passed short of the target.
    Missed,
    /// Abandoned.
    Cancelled,
}

/// Where a goal's metric is read from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MetricSource {
    /// A read-only SQL query returning one number, on a configured data source.
    Sql {
        /// The data source's configured name.
        source: String,
        /// The query.
        query: String,
    },
    /// A number at a JSON path in an HTTP response.
    HttpJson {
        /// The URL.
        url: String,
        /// The JSON pointer to the value.
        pointer: String,
    },
    /// A value set by hand.
    Manual,
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
}

/// Hard caps on what a goal may spend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Budget {
    /// Money in USD.
    pub money_usd: Option<f64>,
    /// Number of tasks.
    pub max_tasks: Option<u32>,
}

/// A business goal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Goal {
    /// Id.
    pub id: GoalId,
    /// Title.
    pub title: String,
    /// Longer description.
    pub description: String,
    /// Parent in the hierarchy (yearly → quarterly → weekly).
    pub parent_id: Option<GoalId>,
    /// Measurable target.
    pub target: Option<MetricTarget>,
    /// Deadline.
    pub deadline: Option<DateTime<Utc>>,
    /// Budget.
    pub budget: Budget,
    /// Status.
    pub status: GoalStatus,
    /// Owner.
    pub owner: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_bounded_ratio() {
        let t = MetricTarget {
            source: MetricSource::Manual,
            target: 50_000.0,
            unit: "USD".into(),
        };
        assert_eq!(t.progress(12_500.0), 0.25);
        assert_eq!(t.progress(-5.0), 0.0);
        assert_eq!(t.progress(80_000.0), 1.0);
        let zero = MetricTarget { target: 0.0, ..t };
        assert_eq!(zero.progress(0.0), 1.0);
    }
}
