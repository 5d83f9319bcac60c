//! A run's envelope: what its tool calls may do without asking again. The tools its approval (or
//! its automatic admission) covered run; another tool runs only if the policy would run it on its
//! own; otherwise the call pauses the task for a new approval, scored with that tool added.

use super::policy::{Policy, Rule};
use super::score::{self, ToolFacts};
use juggernaut_core::{RiskAssessment, RiskLevel};
use juggernaut_tools::{Permission, Tool};
use std::sync::Arc;

/// Why a call may not run as it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Beyond {
    /// Never: the policy forbids the tool.
    Refused(String),
    /// Only after a new approval covering the tool.
    Ask {
        /// Why, with the new score explained.
        reason: String,
        /// The task's score with the tool added.
        assessment: RiskAssessment,
    },
}

/// What a run's tool calls may do.
#[derive(Debug, Clone)]
pub struct Envelope {
    policy: Arc<Policy>,
    permissions: Vec<Permission>,
    kind: String,
    kind_risk: RiskLevel,
    spend_usd: f64,
    facts: Vec<ToolFacts>,
    covered: Vec<String>,
}

impl Default for Envelope {
    /// The default policy on a worker with every permission, covering no tool yet.
    fn default() -> Self {
        Self::new(
            Arc::new(Policy::default()),
            super::ALL_PERMISSIONS.to_vec(),
            ("", RiskLevel::Low, 0.0),
            Vec::new(),
            Vec::new(),
        )
    }
}

impl Envelope {
    /// An envelope for a task `(kind, its risk, its money)` assessed with `facts`, its calls
    /// bounded by `permissions`, covering the tools named in `covered`.
    pub fn new(
        policy: Arc<Policy>,
        permissions: Vec<Permission>,
        task: (&str, RiskLevel, f64),
        facts: Vec<ToolFacts>,
        covered: Vec<String>,
    ) -> Self {
        Self {
            policy,
            permissions,
            kind: task.0.to_owned(),
            kind_risk: task.1,
            spend_usd: task.2,
            facts,
            covered,
        }
    }

    /// The permissions a call may use: those asked for that the worker's roles allow.
    pub fn permitted(&self, asked: &[Permission]) -> Vec<Permission> {
        asked
            .iter()
            .copied()
            .filter(|p| self.permissions.contains(p))
            .collect()
    }

    /// Whether `tool` may be called in this run.
    pub fn check(&self, tool: &dyn Tool) -> Result<(), Beyond> {
        let name = tool.name();
        if self.covered.iter().any(|c| c == name) {
            return Ok(());
        }
        let alone = ToolFacts {
            name: name.to_owned(),
            risk: tool.risk(),
            permission: tool.permission(),
        };
        let own = score::score(
            name,
            RiskLevel::Low,
            std::slice::from_ref(&alone),
            0.0,
            &self.policy,
        );
        let (rule, why) = self.policy.rule("", own.level, &own.tools);
        match rule {
            Rule::Auto => Ok(()),
            Rule::Forbidden => Err(Beyond::Refused(format!("`{name}` is forbidden by {why}"))),
            Rule::Approval => {
                let mut facts = self.facts.clone();
                facts.retain(|f| f.name != name);
                facts.push(alone);
                facts.sort_by(|a, b| a.name.cmp(&b.name));
                let (kind, risk, spend) = (&self.kind, self.kind_risk, self.spend_usd);
                let assessment = score::score(kind, risk, &facts, spend, &self.policy);
                Err(Beyond::Ask {
                    reason: format!(
                        "wants to call `{name}`, which its approval does not cover ({why}); \
                         risk {}",
                        assessment.explain()
                    ),
                    assessment,
                })
            }
        }
    }
}
