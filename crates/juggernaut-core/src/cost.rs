//! Cost entries: every LLM call or paid tool call writes one, and budgets are checked against the sum.

use crate::ids::{GoalId, TaskId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the money was spent on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostCategory {
    /// A model call.
    Llm,
    /// A paid tool call.
    Tool,
}

/// One line in the cost ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostEntry {
    /// The task that spent it.
    pub task_id: Option<TaskId>,
    /// The goal charged.
    pub goal_id: Option<GoalId>,
    /// Category.
    pub category: CostCategory,
    /// Model or tool name.
    pub item: String,
    /// Input tokens, for model calls.
    pub tokens_in: u64,
    /// Output tokens, for model calls.
    pub tokens_out: u64,
    /// Amount in USD.
    pub amount_usd: f64,
    /// When.
    pub at: DateTime<Utc>,
}

/// Sums entries per category; a budget check compares these against caps.
pub fn total_usd(entries: &[CostEntry]) -> f64 {
    entries.iter().map(|e| e.amount_usd).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_up() {
        let e = |amount_usd| CostEntry {
            task_id: None,
            goal_id: None,
            category: CostCategory::Llm,
            item: "m".into(),
            tokens_in: 1,
            tokens_out: 1,
            amount_usd,
            at: Utc::now(),
        };
        assert_eq!(total_usd(&[e(0.25), e(0.5)]), 0.75);
        assert_eq!(total_usd(&[]), 0.0);
    }
}
