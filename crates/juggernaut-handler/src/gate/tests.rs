//! Tests of the gate: verdicts per rule, approvals read from the audit trail (voided by a
//! rejection or a requeue), envelopes that ask before an uncovered tool, and role limits.

use super::*;
use crate::input::InputSpec;
use crate::outcome::{Done, HandlerError, Outcome};
use crate::{TaskContext, TaskInput};
use async_trait::async_trait;
use chrono::Utc;
use juggernaut_core::ids::EventId;
use juggernaut_core::{RiskLevel, TaskId};
use juggernaut_tools::{Tool, ToolContext, ToolError, ToolOutput};

struct Fake {
    name: &'static str,
    risk: RiskLevel,
    permission: Permission,
}

#[async_trait]
impl Tool for Fake {
    fn name(&self) -> &str {
        self.name
    }
    fn description(&self) -> &str {
        "fake"
    }
    fn parameters(&self) -> serde_json::Value {
        serde_json::json!({"type": "object"})
    }
    fn risk(&self) -> RiskLevel {
        self.risk
    }
    fn permission(&self) -> Permission {
        self.permission
    }
    async fn call(&self, _: &ToolContext, _: serde_json::Value) -> Result<ToolOutput, ToolError> {
        Err(ToolError::model("not called in these tests"))
    }
}

fn tools() -> ToolRegistry {
    let t = |name, risk, permission| -> Arc<dyn Tool> {
        Arc::new(Fake {
            name,
            risk,
            permission,
        })
    };
    ToolRegistry::new(vec![
        t("fs_read", RiskLevel::Low, Permission::Read),
        t("notify", RiskLevel::Medium, Permission::External),
        t("merge", RiskLevel::High, Permission::External),
        t("run", RiskLevel::Medium, Permission::Execute),
    ])
    .unwrap()
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Any {}
impl TaskInput for Any {}

/// A kind whose input names the tools it calls, with External permission.
struct Acts;

#[async_trait]
impl Handler for Acts {
    fn kind(&self) -> &'static str {
        "acts"
    }
    fn description(&self) -> &'static str {
        "acts"
    }
    fn input(&self) -> InputSpec {
        InputSpec::of::<Any>()
    }
    async fn run(&self, _: &TaskContext) -> Result<Outcome, HandlerError> {
        Err(HandlerError::Permanent("not run".into()))
    }
    async fn verify(&self, _: &TaskContext, _: &Done) -> Result<(), String> {
        Ok(())
    }
    fn reach(&self, input: &serde_json::Value) -> Reach {
        let names = input["tools"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let all = [Permission::Read, Permission::External, Permission::Execute];
        Reach::with(&all).only(names)
    }
}

fn event(id: i64, kind: EventKind, data: serde_json::Value) -> AuditEvent {
    AuditEvent {
        id: EventId(id),
        at: Utc::now(),
        kind,
        task_id: Some(TaskId(1)),
        goal_id: None,
        from_status: None,
        to_status: None,
        actor: "t".into(),
        data,
    }
}

fn asked(a: &RiskAssessment) -> AuditEvent {
    let data = serde_json::json!({"reason": "r", "risk": a.level, "assessment": a});
    event(1, EventKind::TaskApprovalRequested, data)
}

fn ask_of(v: Verdict) -> RiskAssessment {
    match v {
        Verdict::Ask { assessment, reason } => {
            assert!(reason.contains("needs approval"), "{reason}");
            assessment
        }
        other => panic!("expected to ask, got {other:?}"),
    }
}

#[test]
fn low_runs_and_medium_asks_until_an_approval_covers_it() {
    let gate = Gate::default();
    let reg = tools();
    let read = serde_json::json!({"tools": ["fs_read"]});
    assert!(matches!(
        gate.verdict(&Acts, &read, &reg, None),
        Verdict::Run(_)
    ));
    let send = serde_json::json!({"tools": ["notify"]});
    let a = ask_of(gate.verdict(&Acts, &send, &reg, None));
    assert_eq!(a.level, RiskLevel::Medium);
    let yes = event(
        2,
        EventKind::TaskApproved,
        serde_json::json!({"reason": ""}),
    );
    let trail = [asked(&a), yes.clone()];
    assert!(matches!(
        gate.verdict(&Acts, &send, &reg, Some(&trail)),
        Verdict::Run(_)
    ));
    // A wider task is not covered by the narrower approval.
    let both = serde_json::json!({"tools": ["notify", "merge"]});
    ask_of(gate.verdict(&Acts, &both, &reg, Some(&trail)));
    // A requeue or a rejection voids the approval.
    let requeued = event(3, EventKind::TaskRequeued, serde_json::json!({}));
    let trail = [asked(&a), yes.clone(), requeued];
    ask_of(gate.verdict(&Acts, &send, &reg, Some(&trail)));
    let no = event(
        2,
        EventKind::TaskRejected,
        serde_json::json!({"reason": "no"}),
    );
    ask_of(gate.verdict(&Acts, &send, &reg, Some(&[asked(&a), no])));
    // An approval of a request without a score covers nothing.
    let bare = event(
        1,
        EventKind::TaskApprovalRequested,
        serde_json::json!({"reason": "r", "risk": "high"}),
    );
    ask_of(gate.verdict(&Acts, &send, &reg, Some(&[bare, yes])));
}

#[test]
fn forbidden_tools_and_kinds_never_run() {
    let mut policy = Policy::default();
    policy.tools.insert("merge".into(), Rule::Forbidden);
    let gate = Gate::new(policy);
    let v = gate.verdict(
        &Acts,
        &serde_json::json!({"tools": ["merge"]}),
        &tools(),
        None,
    );
    let Verdict::Forbid(why) = v else {
        panic!("expected forbidden, got {v:?}")
    };
    assert!(why.contains("tool `merge`"), "{why}");
}

#[test]
fn an_envelope_asks_before_a_tool_its_approval_does_not_cover() {
    let gate = Gate::default();
    let reg = tools();
    let read = serde_json::json!({"tools": ["fs_read"]});
    let Verdict::Run(env) = gate.verdict(&Acts, &read, &reg, None) else {
        panic!("a read-only task runs")
    };
    assert_eq!(
        env.check(reg.get("fs_read").unwrap().as_ref(), &reg),
        Ok(())
    );
    let Err(Beyond::Ask { assessment, reason }) =
        env.check(reg.get("notify").unwrap().as_ref(), &reg)
    else {
        panic!("notify is beyond the envelope")
    };
    assert!(reason.contains("`notify`"), "{reason}");
    assert!(assessment.tools.contains(&"notify".to_owned()));
    // Once that wider request is approved, the next run covers notify.
    let yes = event(
        2,
        EventKind::TaskApproved,
        serde_json::json!({"reason": ""}),
    );
    let trail = [asked(&assessment), yes];
    let Verdict::Run(env) = gate.verdict(&Acts, &read, &reg, Some(&trail)) else {
        panic!("the approved task runs")
    };
    assert_eq!(env.check(reg.get("notify").unwrap().as_ref(), &reg), Ok(()));
    assert!(gate.needs_history(&Acts, &read, &reg));
}

#[test]
fn roles_bound_the_permissions_of_every_call() {
    let gate = Gate::default().for_roles(&[Role::Analyst]);
    let Verdict::Run(env) = gate.verdict(
        &Acts,
        &serde_json::json!({"tools": ["fs_read"]}),
        &tools(),
        None,
    ) else {
        panic!("runs")
    };
    assert_eq!(
        env.permitted(&[Permission::Read, Permission::External, Permission::Execute]),
        vec![Permission::Read]
    );
}

#[test]
fn an_uncovered_tool_is_scored_with_everything_covered_and_forbidden_wins_over_old_approvals() {
    let gate = Gate::default();
    let reg = tools();
    let read = serde_json::json!({"tools": ["fs_read"]});
    let Verdict::Run(env) = gate.verdict(&Acts, &read, &reg, None) else {
        panic!("a read-only task runs")
    };
    // Running programs is not free, though the tool alone would score low without its reach.
    let Err(Beyond::Ask { assessment, .. }) = env.check(reg.get("run").unwrap().as_ref(), &reg)
    else {
        panic!("running a program is beyond a read-only admission")
    };
    assert_eq!(
        assessment.level,
        RiskLevel::Medium,
        "{}",
        assessment.explain()
    );
    // After notify was approved, asking for `run` asks for notify and run together.
    let notified = ask_of_beyond(&env, &reg, "notify");
    let yes = event(
        2,
        EventKind::TaskApproved,
        serde_json::json!({"reason": ""}),
    );
    let trail = [asked(&notified), yes];
    let Verdict::Run(env) = gate.verdict(&Acts, &read, &reg, Some(&trail)) else {
        panic!("the approved task runs")
    };
    let both = ask_of_beyond(&env, &reg, "run");
    assert_eq!(both.tools, vec!["fs_read", "notify", "run"]);
    // A tool forbidden after it was approved is refused, approval or not.
    let mut policy = Policy::default();
    policy.tools.insert("notify".into(), Rule::Forbidden);
    let strict = Gate::new(policy);
    let Verdict::Run(env) = strict.verdict(&Acts, &read, &reg, Some(&trail)) else {
        panic!("the base task still runs")
    };
    let refused = env.check(reg.get("notify").unwrap().as_ref(), &reg);
    assert!(matches!(refused, Err(Beyond::Refused(_))), "{refused:?}");
}

fn ask_of_beyond(env: &Envelope, reg: &ToolRegistry, tool: &str) -> RiskAssessment {
    match env.check(reg.get(tool).unwrap().as_ref(), reg) {
        Err(Beyond::Ask { assessment, .. }) => assessment,
        other => panic!("expected {tool} to ask, got {other:?}"),
    }
}
