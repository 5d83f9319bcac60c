//! Approval timeouts, applied by the leader with the watchdog: a task waiting for approval past
//! its band's timeout is decided by the policy. Only a low-risk task whose policy says so is
//! approved by time; every other one expires as rejected (cancelled, its dependents blocked) and
//! is escalated. A high-risk task is never approved by time, whatever the policy says.

use super::leader::Reporting;
use crate::events::EngineEvent;
use crate::idle::{Idle, Loop};
use juggernaut_core::task::MAX_WAITING_BYTES;
use juggernaut_core::text::clipped;
use juggernaut_core::{
    EscalationKind, EscalationLevel, NewEscalation, RiskLevel, Task, TaskStatus, Waiting, WorkerId,
};
use juggernaut_handler::gate::{OnTimeout, Policy};
use juggernaut_store::{Decision, PageRequest, Store, StoreError, TaskFilter};

/// Most waiting tasks looked at per pass (the oldest are decided on later passes).
const PAGES: usize = 10;

/// Decides the approvals that waited too long, and says what still waits; reports store faults.
pub async fn tick(store: &dyn Store, id: &WorkerId, policy: &Policy, report: &Reporting) {
    match pass(store, id, policy).await {
        Ok(_) => match waiting(store).await {
            Ok(0) => report.idle.idle(
                Loop::Approvals,
                Idle::NothingToDo,
                "no task waits for approval",
            ),
            Ok(n) => report.idle.idle(
                Loop::Approvals,
                Idle::WaitingForApproval,
                format!(
                    "{n} task(s) wait for a person's approval (`juggernaut approval list`); \
                     undecided ones expire by the policy's timeouts"
                ),
            ),
            Err(e) => fault(report, &e),
        },
        Err(e) => fault(report, &e),
    }
}

async fn waiting(store: &dyn Store) -> Result<u64, StoreError> {
    let filter = TaskFilter {
        statuses: vec![TaskStatus::WaitingApproval],
        ..Default::default()
    };
    store.count(&filter).await
}

fn fault(report: &Reporting, e: &StoreError) {
    report.idle.idle(
        Loop::Approvals,
        Idle::StoreUnavailable,
        format!("store unavailable: {e}"),
    );
    report.events.emit(EngineEvent::StoreFault {
        operation: "approval_timeouts",
        error: e.to_string(),
    });
}

/// One pass: the tasks decided, with whether each was approved.
pub async fn pass(
    store: &dyn Store,
    id: &WorkerId,
    policy: &Policy,
) -> Result<Vec<(Task, bool)>, StoreError> {
    let now = store.now().await?;
    let filter = TaskFilter {
        statuses: vec![TaskStatus::WaitingApproval],
        ..Default::default()
    };
    let mut decided = Vec::new();
    let mut before = None;
    for _ in 0..PAGES {
        let page = store
            .list(
                &filter,
                PageRequest {
                    before,
                    limit: 1000,
                },
            )
            .await?;
        for task in &page.items {
            let level = match &task.waiting {
                Some(Waiting::Approval { risk, .. }) => *risk,
                _ => RiskLevel::High,
            };
            let (limit, on_timeout) = policy.timeout(level);
            let waited = (now - task.updated_at).to_std().unwrap_or_default();
            if waited < limit {
                continue;
            }
            let approve = level == RiskLevel::Low && on_timeout == OnTimeout::Approve;
            let reason = if approve {
                format!("approved by the policy: low risk and no decision within {limit:?}")
            } else {
                format!("no decision within {limit:?}: a {level}-risk approval expires as rejected")
            };
            let decision = Decision {
                approve,
                actor: format!("policy:{id}"),
                reason,
                // Only the request this pass looked at: one made since is not decided by time.
                seen_at: Some(task.updated_at),
            };
            match store.decide_approval(task.id, decision).await {
                Ok(after) => {
                    if !approve && let Err(e) = escalate(store, id, &after, level, limit).await {
                        // The decision stands; the others still get theirs.
                        tracing::warn!(task = %after.id, error = %e, "expired approval not escalated");
                    }
                    decided.push((after, approve));
                }
                // Decided by a person meanwhile.
                Err(StoreError::Domain(_) | StoreError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        match page.next_cursor {
            Some(c) => before = Some(c),
            None => break,
        }
    }
    Ok(decided)
}

/// Raises an `approval_expired` escalation for a task rejected by time (critical for high risk).
async fn escalate(
    store: &dyn Store,
    id: &WorkerId,
    task: &Task,
    level: RiskLevel,
    waited: std::time::Duration,
) -> Result<(), StoreError> {
    let e = NewEscalation {
        key: format!("approval_expired:{}", task.id),
        kind: EscalationKind::ApprovalExpired,
        level: if level == RiskLevel::High {
            EscalationLevel::Critical
        } else {
            EscalationLevel::Warning
        },
        task_id: Some(task.id),
        goal_id: task.goal_id,
        message: clipped(
            &format!(
                "task {} `{}` ({}) waited {waited:?} for approval and was rejected by the policy; \
                 `juggernaut task retry {}` asks again",
                task.id, task.kind, task.title, task.id
            ),
            MAX_WAITING_BYTES,
        ),
    };
    store.raise(e, &format!("policy:{id}")).await.map(|_| ())
}
