//! The gate end to end on a real SQLite file: a high-risk task cannot run without a person's
//! approval through any path — not by waiting, a restart, a rejection then a requeue, a dead
//! letter requeued, or a timeout — and a forbidden one never runs.

use async_trait::async_trait;
use juggernaut_core::{
    EscalationKind, EscalationLevel, Evidence, NewTask, RiskLevel, TaskId, TaskKind, TaskStatus,
    Waiting,
};
use juggernaut_engine::node::approvals;
use juggernaut_engine::{Dispatcher, DispatcherConfig};
use juggernaut_handler::context::Handles;
use juggernaut_handler::gate::{Gate, OnTimeout, Policy, Reach, Rule};
use juggernaut_handler::{Done, Handler, HandlerError, InputSpec, Outcome, Registry, TaskContext};
use juggernaut_handlers::noop::NoopInput;
use juggernaut_store::{Decision, Queue, Store};
use juggernaut_testkit::fresh_sqlite;
use juggernaut_tools::{
    Permission, Redactor, Tool, ToolContext, ToolError, ToolOutput, ToolRegistry, Toolbox,
    Workspaces,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A high-risk tool that acts outside (never called here: the kind's reach names it).
struct Merge;

#[async_trait]
impl Tool for Merge {
    fn name(&self) -> &str {
        "merge"
    }
    fn description(&self) -> &str {
        "merges a pull request"
    }
    fn parameters(&self) -> serde_json::Value {
        serde_json::json!({"type": "object"})
    }
    fn risk(&self) -> RiskLevel {
        RiskLevel::High
    }
    fn permission(&self) -> Permission {
        Permission::External
    }
    async fn call(&self, _: &ToolContext, _: serde_json::Value) -> Result<ToolOutput, ToolError> {
        Err(ToolError::model("not in this test"))
    }
}

/// A kind that may merge; counts its runs; fails for good when told to.
struct Merger(Arc<AtomicUsize>);

#[async_trait]
impl Handler for Merger {
    fn kind(&self) -> &'static str {
        "merger"
    }
    fn description(&self) -> &'static str {
        "may merge"
    }
    fn input(&self) -> InputSpec {
        InputSpec::of::<NoopInput>()
    }
    fn reach(&self, input: &serde_json::Value) -> Reach {
        if input.get("low").is_some() {
            return Reach::default();
        }
        Reach::with(&[Permission::External]).only(vec!["merge".into()])
    }
    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        if ctx.task.title == "fails" {
            return Err(HandlerError::Permanent("the merge conflicted".into()));
        }
        let evidence = vec![Evidence::HandlerRun {
            handler: "merger".into(),
            lease_token: ctx.lease.token,
            duration_us: 1,
        }];
        Ok(Outcome::done(serde_json::json!({}), evidence))
    }
    async fn verify(&self, _: &TaskContext, _: &Done) -> Result<(), String> {
        Ok(())
    }
}

struct Rig {
    store: Arc<dyn Store>,
    runs: Arc<AtomicUsize>,
    stop: CancellationToken,
    policy: Policy,
    _dir: tempfile::TempDir,
}

impl Rig {
    async fn new(policy: Policy) -> Self {
        let rig = Self {
            store: fresh_sqlite().await,
            runs: Arc::default(),
            stop: CancellationToken::new(),
            policy,
            _dir: tempfile::tempdir().unwrap(),
        };
        rig.start();
        rig
    }

    /// Starts a dispatcher.
    fn start(&self) {
        let reg =
            Registry::new(vec![Arc::new(Merger(self.runs.clone())) as Arc<dyn Handler>]).unwrap();
        let tools = ToolRegistry::new(vec![Arc::new(Merge) as Arc<dyn Tool>]).unwrap();
        let toolbox = Toolbox::new(Arc::new(tools), self.store.clone(), Redactor::default());
        let mut handles = Handles::over(self.store.clone())
            .with_tools(toolbox, Workspaces::new(self._dir.path()));
        handles.gate = Gate::new(self.policy.clone());
        let mut cfg = DispatcherConfig::new("gate-test".into(), reg.all_kinds());
        cfg.poll_interval = Duration::from_millis(20);
        let queue: Arc<dyn Queue> = self.store.clone();
        let d = Dispatcher::new(queue, handles, reg, cfg);
        let stop = self.stop.child_token();
        tokio::spawn(async move { d.run(stop).await.unwrap() });
    }

    /// Stops the dispatcher and starts another, as a process restart would.
    fn restart(&mut self) {
        self.stop.cancel();
        self.stop = CancellationToken::new();
        self.start();
    }

    async fn enqueue(&self, title: &str) -> TaskId {
        let mut t = NewTask::new(TaskKind::new("merger").unwrap());
        t.title = title.into();
        t.max_attempts = 1;
        self.store.enqueue(t).await.unwrap().task.id
    }

    async fn until(&self, id: TaskId, status: TaskStatus) -> juggernaut_core::Task {
        for _ in 0..500 {
            let t = self.store.get(id).await.unwrap().unwrap();
            if t.status == status {
                return t;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("task {id} never became {status:?}");
    }

    async fn decide(&self, id: TaskId, approve: bool) {
        let d = Decision {
            approve,
            actor: "alice".into(),
            reason: "checked".into(),
            seen_at: None,
        };
        self.store.decide_approval(id, d).await.unwrap();
    }

    fn runs(&self) -> usize {
        self.runs.load(Ordering::SeqCst)
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_high_risk_task_waits_through_a_restart_and_runs_once_approved() {
    let mut rig = Rig::new(Policy::default()).await;
    let id = rig.enqueue("merge it").await;
    let t = rig.until(id, TaskStatus::WaitingApproval).await;
    let Some(Waiting::Approval {
        risk,
        assessment: Some(a),
        reason,
    }) = t.waiting
    else {
        panic!("no assessment: {:?}", t.waiting)
    };
    assert_eq!(
        (risk, a.level, a.tools.clone()),
        (RiskLevel::High, RiskLevel::High, vec!["merge".to_owned()])
    );
    assert!(reason.contains("merge"), "{reason}");
    assert_eq!(t.attempts, 0, "asking is not an attempt");
    // A restart does not move it.
    rig.restart();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        rig.store.get(id).await.unwrap().unwrap().status,
        TaskStatus::WaitingApproval
    );
    assert_eq!(rig.runs(), 0);
    rig.decide(id, true).await;
    rig.until(id, TaskStatus::Completed).await;
    assert_eq!(rig.runs(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejection_or_a_dead_letter_requeued_asks_again() {
    let rig = Rig::new(Policy::default()).await;
    let id = rig.enqueue("merge it").await;
    rig.until(id, TaskStatus::WaitingApproval).await;
    rig.decide(id, false).await;
    rig.until(id, TaskStatus::Cancelled).await;
    rig.store.requeue(id, "mallory").await.unwrap();
    rig.until(id, TaskStatus::WaitingApproval).await;
    assert_eq!(rig.runs(), 0, "a requeued rejection never runs unapproved");
    // Approved, it runs and dies; requeued from the dead letters it asks again.
    let dies = rig.enqueue("fails").await;
    rig.until(dies, TaskStatus::WaitingApproval).await;
    rig.decide(dies, true).await;
    rig.until(dies, TaskStatus::Failed).await;
    assert_eq!(rig.runs(), 1);
    rig.store.requeue(dies, "mallory").await.unwrap();
    rig.until(dies, TaskStatus::WaitingApproval).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(rig.runs(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeouts_reject_high_risk_and_approve_low_risk_only_where_the_policy_says() {
    let mut policy = Policy::default();
    policy.timeouts.high = Duration::from_millis(200);
    policy.timeouts.low = Duration::from_millis(200);
    policy.timeouts.low_on_timeout = OnTimeout::Approve;
    let rig = Rig::new(policy.clone()).await;
    let id = rig.enqueue("merge it").await;
    rig.until(id, TaskStatus::WaitingApproval).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let decided = approvals::pass(rig.store.as_ref(), &"leader".into(), &policy)
        .await
        .unwrap();
    assert_eq!(decided.len(), 1);
    assert!(
        !decided[0].1,
        "a high-risk approval is never granted by time"
    );
    rig.until(id, TaskStatus::Cancelled).await;
    let events = rig.store.task_events(id).await.unwrap();
    let last = events.last().unwrap();
    assert!(last.actor.starts_with("policy:"), "{}", last.actor);
    assert_eq!(rig.runs(), 0);
    let raised = rig.store.unnotified(10).await.unwrap();
    assert_eq!(raised.len(), 1, "one escalation for the expired approval");
    assert_eq!(raised[0].kind, EscalationKind::ApprovalExpired);
    assert_eq!(raised[0].level, EscalationLevel::Critical);
    assert_eq!(raised[0].task_id, Some(id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_low_risk_approval_is_granted_by_time_only_where_the_policy_says() {
    let mut policy = Policy::default();
    policy.kinds.insert("merger".into(), Rule::Approval);
    policy.timeouts.low = Duration::from_millis(200);
    let rig = Rig::new(policy.clone()).await;
    let mut t = NewTask::new(TaskKind::new("merger").unwrap());
    t.input = serde_json::json!({"low": true});
    let id = rig.store.enqueue(t).await.unwrap().task.id;
    let waiting = rig.until(id, TaskStatus::WaitingApproval).await;
    assert!(matches!(
        waiting.waiting,
        Some(Waiting::Approval {
            risk: RiskLevel::Low,
            ..
        })
    ));
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The policy says nothing: low risk expires as rejected too.
    let leader = "leader".into();
    let mut kept = policy.clone();
    kept.timeouts.low = Duration::from_secs(3600);
    assert!(
        approvals::pass(rig.store.as_ref(), &leader, &kept)
            .await
            .unwrap()
            .is_empty()
    );
    policy.timeouts.low_on_timeout = OnTimeout::Approve;
    let decided = approvals::pass(rig.store.as_ref(), &leader, &policy)
        .await
        .unwrap();
    assert_eq!((decided.len(), decided[0].1), (1, true));
    rig.until(id, TaskStatus::Completed).await;
    assert_eq!(rig.runs(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forbidden_task_fails_without_running() {
    let mut policy = Policy::default();
    policy.tools.insert("merge".into(), Rule::Forbidden);
    let rig = Rig::new(policy).await;
    let id = rig.enqueue("merge it").await;
    let t = rig.until(id, TaskStatus::Failed).await;
    let error = t.last_error.unwrap_or_default();
    assert!(
        error.contains("forbidden") && error.contains("merge"),
        "{error}"
    );
    assert_eq!(rig.runs(), 0);
}
