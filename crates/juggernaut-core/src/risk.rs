//! Risk levels: how much harm a task can do if it goes wrong. Governance scores them from
//! declared facts; here they are only the bands that policies and approvals speak of.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A risk band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// Reversible and contained.
    Low,
    /// Reaches outside or costs money, within limits.
    Medium,
    /// Hard to undo: payments, merges, messages to customers.
    High,
}

impl RiskLevel {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

impl fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_serde_and_order_by_harm() {
        for r in [RiskLevel::Low, RiskLevel::Medium, RiskLevel::High] {
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
        assert!(RiskLevel::Low < RiskLevel::High);
    }
}
