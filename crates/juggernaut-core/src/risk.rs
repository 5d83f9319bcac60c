//! Risk: how much harm a task can do if it goes wrong. [`RiskLevel`] is the band policies and
//! approvals speak of; [`RiskAssessment`] is a task's deterministic score with the factors that
//! made it (the handler crate's gate computes it from the kind, the tools, the money and the
//! reach; here is only what is stored and shown).

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

/// One factor of a score: what it is, how many points, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskFactor {
    /// `kind`, `tools`, `reach`, `money` or `breadth`.
    pub factor: String,
    /// Points it adds.
    pub points: u32,
    /// Why, for humans.
    pub why: String,
}

/// A task's risk: a score from 0 to 100, its band, the factors that make it up, and the tools
/// it was assessed with (an approval covers these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskAssessment {
    /// 0 (harmless) to 100.
    pub score: u32,
    /// The band the policy put the score in.
    pub level: RiskLevel,
    /// What the score is made of.
    pub factors: Vec<RiskFactor>,
    /// The tools the task may call, by name, sorted.
    pub tools: Vec<String>,
}

impl RiskAssessment {
    /// One line: `57 (medium): kind notify 15, tools 15 (notify: medium), ...`.
    pub fn explain(&self) -> String {
        let parts: Vec<String> = self
            .factors
            .iter()
            .filter(|f| f.points > 0)
            .map(|f| format!("{} +{} ({})", f.factor, f.points, f.why))
            .collect();
        if parts.is_empty() {
            return format!("{} ({}): nothing adds risk", self.score, self.level);
        }
        format!("{} ({}): {}", self.score, self.level, parts.join("; "))
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

    #[test]
    fn explanations_name_the_factors_that_add_points() {
        let a = RiskAssessment {
            score: 40,
            level: RiskLevel::Medium,
            factors: vec![
                RiskFactor {
                    factor: "kind".into(),
                    points: 0,
                    why: "noop".into(),
                },
                RiskFactor {
                    factor: "reach".into(),
                    points: 40,
                    why: "acts outside".into(),
                },
            ],
            tools: vec![],
        };
        assert_eq!(a.explain(), "40 (medium): reach +40 (acts outside)");
    }
}
