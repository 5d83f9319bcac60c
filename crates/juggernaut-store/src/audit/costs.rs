//! The details of the cost ledger's events, `cost.reserved` and `cost.settled`.

use crate::capability::costs::CostId;
use juggernaut_core::cost::CostCategory;
use serde::{Deserialize, Serialize};

/// `cost.reserved` (the event names the goal and task charged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostReserved {
    /// The ledger line.
    pub cost: CostId,
    /// Model call or paid tool call.
    pub category: CostCategory,
    /// The model or tool.
    pub item: String,
    /// What for.
    pub purpose: String,
    /// What is held.
    pub amount_usd: f64,
}

/// `cost.settled` (the event names the goal and task charged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostSettled {
    /// The ledger line.
    pub cost: CostId,
    /// The model or tool.
    pub item: String,
    /// What was held.
    pub reserved_usd: f64,
    /// What the call cost.
    pub amount_usd: f64,
    /// Input tokens.
    pub tokens_in: u64,
    /// Output tokens.
    pub tokens_out: u64,
}
