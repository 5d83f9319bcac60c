//! A run's envelope: what its tool calls may do without asking again. The tools its approval (or
//! its automatic admission) covered run; another tool runs only if the task, scored again with
//! every covered tool and that one, is still one the policy runs on its own; otherwise the call
//! pauses the task for a new approval of that whole set. A tool the policy forbids never runs,
//! even if an approval named it before the rule was written.

use super::policy::{Policy, Rule};
use super::score::{self, ToolFacts};
use juggernaut_core::{RiskAssessment, RiskLevel};
use juggernaut_tools::{Permission, Tool, ToolRegistry};
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
        )
    }
}

fn facts_of(tool: &dyn Tool) -> ToolFacts {
    ToolFacts {
        name: tool.name().to_owned(),
        risk: tool.risk(),
        permission: tool.permission(),
    }
}

impl Envelope {
    /// An envelope for a task `(kind, its risk, its money)` whose calls are bounded by
    /// `permissions`, covering the tools named in `covered`.
    pub fn new(
        policy: Arc<Policy>,
        permissions: Vec<Permission>,
        task: (&str, RiskLevel, f64),
        covered: Vec<String>,
    ) -> Self {
        Self {
            policy,
            permissions,
            kind: task.0.to_owned(),
            kind_risk: task.1,
            spend_usd: task.2,
            covered,
        }
    }

    /// The same envelope covering the tools named in `covered`.
    pub fn covering(mut self, covered: Vec<String>) -> Self {
        self.covered = covered;
        self
    }

    /// The permissions a call may use: those asked for that the worker's roles allow.
    pub fn permitted(&self, asked: &[Permission]) -> Vec<Permission> {
        asked
            .iter()
            .copied()
            .filter(|p| self.permissions.contains(p))
            .collect()
    }

    /// Whether `tool` may be called in this run: never when the policy now forbids it; at once
    /// when covered; otherwise only if the task scored with every covered tool and this one
    /// (`tools` looks them up) is still one the policy runs on its own.
    pub fn check(&self, tool: &dyn Tool, tools: &ToolRegistry) -> Result<(), Beyond> {
        let name = tool.name();
        if self.policy.tools.get(name) == Some(&Rule::Forbidden) {
            return Err(Beyond::Refused(format!(
                "`{name}` is forbidden by the policy's rule for tool `{name}`"
            )));
        }
        if self.covered.iter().any(|c| c == name) {
            return Ok(());
        }
        let mut facts: Vec<ToolFacts> = self
            .covered
            .iter()
            .filter_map(|c| tools.get(c))
            .map(|t| facts_of(t.as_ref()))
            .collect();
        facts.push(facts_of(tool));
        facts.sort_by(|a, b| a.name.cmp(&b.name));
        facts.dedup_by(|a, b| a.name == b.name);
        let (kind, risk, spend) = (&self.kind, self.kind_risk, self.spend_usd);
        let assessment = score::score(kind, risk, &facts, spend, &self.policy);
        let (rule, why) = self.policy.rule(kind, assessment.level, &assessment.tools);
        match rule {
            Rule::Auto => Ok(()),
            Rule::Forbidden => Err(Beyond::Refused(format!("`{name}` is forbidden by {why}"))),
            Rule::Approval => Err(Beyond::Ask {
                reason: format!(
                    "wants to call `{name}`, which its approval does not cover ({why}); risk {}",
                    assessment.explain()
                ),
                assessment,
            }),
        }
    }
}
