//! Approvals: a running task asks a person (`waiting_approval`, with the reason and the risk; the
//! attempt does not count), and the person's decision sends it back to run (`pending`) or
//! cancels it (`cancelled`, blocking its dependents). Each step is audited with its actor.

use crate::audit::{self, Entry};
use crate::error::{db, json};
use crate::store::SqliteStore;
use crate::time::now_us;
use crate::{block, fence, read};
use juggernaut_core::{Action, EventKind, Task, TaskId, TaskStatus, Waiting, transition};
use juggernaut_store::audit::{ApprovalRequested, Payload, Reason};
use juggernaut_store::{ApprovalRequest, Decision, StoreError};

/// Parks a running task for approval; see [`juggernaut_store::Queue::request_approval`].
pub async fn request(store: &SqliteStore, r: ApprovalRequest) -> Result<(), StoreError> {
    r.check()?;
    let mut tx = store.write().await?;
    let held = fence::held(&mut tx, r.lease).await?;
    let waiting = Waiting::Approval {
        reason: r.reason.clone(),
        risk: r.risk,
        assessment: r.assessment.clone(),
    };
    sqlx::query(
        "UPDATE tasks SET status = 'waiting_approval', lease_expires_at = NULL, \
         attempts = MAX(attempts - 1, 0), waiting = ?, updated_at = ? WHERE id = ?",
    )
    .bind(serde_json::to_string(&waiting).map_err(json("tasks"))?)
    .bind(now_us())
    .bind(r.lease.task_id.0)
    .execute(&mut *tx)
    .await
    .map_err(db("request_approval"))?;
    let data = ApprovalRequested {
        reason: r.reason,
        risk: r.risk,
        assessment: r.assessment,
    };
    let e = Entry::transition(
        EventKind::TaskApprovalRequested,
        (r.lease.task_id.0, held.goal_id),
        Some(held.status),
        TaskStatus::WaitingApproval,
        &held.holder,
    )
    .with(Payload::ApprovalRequested(data).to_value());
    audit::record(&mut tx, e).await?;
    tx.commit().await.map_err(db("request_approval"))
}

/// Applies a person's decision; see [`juggernaut_store::Queue::decide_approval`].
pub async fn decide(store: &SqliteStore, id: TaskId, d: Decision) -> Result<Task, StoreError> {
    let mut tx = store.write().await?;
    let task = read::get(&mut *tx, id)
        .await?
        .ok_or(StoreError::NotFound(id))?;
    d.check_seen(&task)?;
    let (action, kind) = if d.approve {
        (Action::Approve, EventKind::TaskApproved)
    } else {
        (Action::Reject, EventKind::TaskRejected)
    };
    let to = transition::next(task.status, action)?;
    let now = now_us();
    sqlx::query(
        "UPDATE tasks SET status = ?1, waiting = NULL, run_at = ?2, updated_at = ?2, \
         finished_at = CASE WHEN ?1 = 'cancelled' THEN ?2 END WHERE id = ?3",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(id.0)
    .execute(&mut *tx)
    .await
    .map_err(db("decide_approval"))?;
    let reason = juggernaut_core::text::storable(&d.reason).into_owned();
    let e = Entry::transition(
        kind,
        (id.0, task.goal_id.map(|g| g.0)),
        Some(task.status),
        to,
        &d.actor,
    )
    .with(Payload::Reason(Reason { reason }).to_value());
    audit::record(&mut tx, e).await?;
    if to == TaskStatus::Cancelled {
        block::dependents(&mut tx, &[id.0], &d.actor).await?;
    }
    let after = read::get(&mut *tx, id)
        .await?
        .ok_or(StoreError::NotFound(id))?;
    tx.commit().await.map_err(db("decide_approval"))?;
    store
        .last_promote_us
        .store(0, std::sync::atomic::Ordering::Relaxed);
    store.signal.notify_waiters();
    Ok(after)
}
