//! The gate: no task runs, and no tool is called, beyond what the policy allows. Before a claimed
//! task's handler starts, the gate scores it ([`score`]) from what its handler says it may do
//! ([`Reach`]) and applies the [`Policy`]: `auto` runs, `forbidden` fails for good, and
//! `approval` runs only if a person's approval in the task's audit trail covers the score and the
//! tools (an approval is voided by a rejection or a requeue); otherwise the task parks as
//! `waiting_approval` with the score and its explanation. While it runs, every tool call goes
//! through the run's [`Envelope`]: a tool the approval did not cover, that the policy would not
//! run on its own, pauses the task for a new approval instead of running; the worker's roles
//! bound the permissions any call may use.

mod envelope;
pub mod policy;
pub mod score;

pub use envelope::{Beyond, Envelope};
pub use policy::{OnTimeout, Policy, Rule, Timeouts};
pub use score::{Reach, ToolFacts};

use crate::Handler;
use juggernaut_core::worker::Role;
use juggernaut_core::{AuditEvent, EventKind, RiskAssessment};
use juggernaut_store::audit::ApprovalRequested;
use juggernaut_tools::{Permission, ToolRegistry};
use std::sync::Arc;

/// What the gate decided for one run.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Run within this envelope.
    Run(Envelope),
    /// Park for a person's approval.
    Ask {
        /// Why, with the score explained.
        reason: String,
        /// The score.
        assessment: RiskAssessment,
    },
    /// Never run.
    Forbid(String),
}

/// The policy and what this worker's roles allow.
#[derive(Debug, Clone)]
pub struct Gate {
    policy: Arc<Policy>,
    permissions: Vec<Permission>,
}

impl Default for Gate {
    fn default() -> Self {
        Self::new(Policy::default())
    }
}

/// Every permission.
pub const ALL_PERMISSIONS: [Permission; 5] = [
    Permission::Read,
    Permission::Write,
    Permission::Execute,
    Permission::Network,
    Permission::External,
];

/// The permissions a worker's tool calls may use, by role: executors act; strategists and
/// analysts read, write their workspace and read the network; orchestrators and watchdogs
/// only read and write their workspace.
pub fn role_permissions(role: Role) -> &'static [Permission] {
    match role {
        Role::Executor => &ALL_PERMISSIONS,
        Role::Strategist | Role::Analyst => {
            &[Permission::Read, Permission::Write, Permission::Network]
        }
        Role::Orchestrator | Role::Watchdog => &[Permission::Read, Permission::Write],
    }
}

impl Gate {
    /// A gate applying `policy`, on a worker that may use every permission.
    pub fn new(policy: Policy) -> Self {
        Self {
            policy: Arc::new(policy),
            permissions: ALL_PERMISSIONS.to_vec(),
        }
    }

    /// The same gate on a worker with `roles`: its calls may use only what the roles allow.
    pub fn for_roles(mut self, roles: &[Role]) -> Self {
        let mut p: Vec<Permission> = roles
            .iter()
            .flat_map(|r| role_permissions(*r).iter().copied())
            .collect();
        p.sort();
        p.dedup();
        self.permissions = p;
        self
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The score of a task of `handler`'s kind with `input`.
    pub fn assess(
        &self,
        handler: &dyn Handler,
        input: &serde_json::Value,
        tools: &ToolRegistry,
    ) -> RiskAssessment {
        self.admit(handler, input, tools).assessment
    }

    /// Scores a run of `handler` on `input` once and applies the policy: the rest of the
    /// decision waits only for the task's audit trail ([`Admission::needs_history`]).
    pub fn admit(
        &self,
        handler: &dyn Handler,
        input: &serde_json::Value,
        tools: &ToolRegistry,
    ) -> Admission {
        let reach = handler.reach(input);
        let facts = score::reachable(&reach, tools);
        let kind = handler.kind();
        let assessment = score::score(kind, handler.risk(), &facts, reach.spend_usd, &self.policy);
        let (rule, why) = self.rule(kind, &assessment);
        let envelope = Envelope::new(
            self.policy.clone(),
            self.permissions.clone(),
            (kind, handler.risk(), reach.spend_usd),
            Vec::new(),
        );
        Admission {
            calls_tools: !reach.permissions.is_empty(),
            assessment,
            rule,
            why,
            envelope,
        }
    }

    /// Whether [`Gate::verdict`] needs the task's audit trail; see [`Admission::needs_history`].
    pub fn needs_history(
        &self,
        handler: &dyn Handler,
        input: &serde_json::Value,
        tools: &ToolRegistry,
    ) -> bool {
        self.admit(handler, input, tools).needs_history()
    }

    /// The policy's rule for `assessment` of `kind`, and why.
    pub fn rule(&self, kind: &str, assessment: &RiskAssessment) -> (Rule, String) {
        self.policy.rule(kind, assessment.level, &assessment.tools)
    }

    /// The verdict for a run of `handler` on `input`; see [`Admission::verdict`].
    pub fn verdict(
        &self,
        handler: &dyn Handler,
        input: &serde_json::Value,
        tools: &ToolRegistry,
        events: Option<&[AuditEvent]>,
    ) -> Verdict {
        self.admit(handler, input, tools).verdict(events)
    }
}

/// A run scored and ruled on, before its audit trail is read.
#[derive(Debug, Clone)]
pub struct Admission {
    calls_tools: bool,
    assessment: RiskAssessment,
    rule: Rule,
    why: String,
    envelope: Envelope,
}

impl Admission {
    /// Whether [`Admission::verdict`] needs the task's audit trail: when the rule is `approval`,
    /// or when the task may call tools (an approval may have widened them).
    pub fn needs_history(&self) -> bool {
        self.calls_tools || self.rule == Rule::Approval
    }

    /// The verdict, given the task's audit trail when [`Admission::needs_history`] says so
    /// (`None` otherwise).
    pub fn verdict(self, events: Option<&[AuditEvent]>) -> Verdict {
        let Self {
            assessment: a,
            rule,
            why,
            envelope,
            ..
        } = self;
        let ok = events.and_then(approved);
        match rule {
            Rule::Auto => {
                let mut covered = a.tools;
                covered.extend(ok.map(|o| o.tools).unwrap_or_default());
                Verdict::Run(envelope.covering(covered))
            }
            Rule::Forbidden => Verdict::Forbid(format!("forbidden by {why}; risk {}", a.explain())),
            Rule::Approval => match ok {
                Some(ok) if covers(&ok, &a) => Verdict::Run(envelope.covering(ok.tools)),
                _ => Verdict::Ask {
                    reason: format!("needs approval by {why}; risk {}", a.explain()),
                    assessment: a,
                },
            },
        }
    }
}

/// The policy's kind rules that would never apply: kinds this binary does not know, and aliases
/// (rules are matched against canonical kinds). A kind left out for want of configuration is
/// known.
pub fn unknown_kinds(policy: &Policy, kinds: &crate::Registry) -> Vec<String> {
    policy
        .kinds
        .keys()
        .filter_map(|k| match kinds.get(k) {
            Some(h) if h.kind() != k.as_str() => Some(format!(
                "kind `{k}` is an alias: write its canonical kind `{}`",
                h.kind()
            )),
            Some(_) => None,
            None if kinds.check_known(k).is_ok() => None,
            None => Some(format!("kind `{k}` is not a kind this binary has")),
        })
        .collect()
}

/// The policy's tool rules for tools this configuration does not register (they apply once the
/// tool is configured).
pub fn unregistered_tools(policy: &Policy, tools: &ToolRegistry) -> Vec<String> {
    policy
        .tools
        .keys()
        .filter(|t| tools.get(t).is_none())
        .cloned()
        .collect()
}

/// The assessment the task's latest approval covers, from its audit trail: the one in the
/// request that the approval answered. A rejection or a requeue voids it; an approval of a
/// request without a score covers nothing.
pub fn approved(events: &[AuditEvent]) -> Option<RiskAssessment> {
    let mut asked: Option<RiskAssessment> = None;
    let mut ok: Option<RiskAssessment> = None;
    for e in events {
        match e.kind {
            EventKind::TaskApprovalRequested => {
                asked = serde_json::from_value::<ApprovalRequested>(e.data.clone())
                    .ok()
                    .and_then(|r| r.assessment);
            }
            EventKind::TaskApproved => ok = asked.take(),
            EventKind::TaskRejected | EventKind::TaskRequeued => {
                asked = None;
                ok = None;
            }
            _ => {}
        }
    }
    ok
}

/// Whether an approval of `ok` covers `now`: no higher score and no tool it did not name.
pub fn covers(ok: &RiskAssessment, now: &RiskAssessment) -> bool {
    now.score <= ok.score && now.tools.iter().all(|t| ok.tools.contains(t))
}

#[cfg(test)]
mod tests;
