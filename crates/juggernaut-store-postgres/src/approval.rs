//! Approvals: a running task asks a person (`waiting_approval`, with the reason and the risk; the
//! attempt does not count), and the person's decision sends it back to run (`pending`) or
//! cancels it (`cancelled`, blocking its dependents). Each step is audited with its actor.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::{CHANNEL, PostgresStore, finish};
use crate::{block, fence, row};
use juggernaut_core::{Action, EventKind, Task, TaskId, TaskStatus, Waiting, transition};
use juggernaut_store::audit::{ApprovalRequested, Payload, Reason};
use juggernaut_store::{ApprovalRequest, Decision, StoreError};
use sqlx::PgConnection;

/// Parks a running task for approval; see [`juggernaut_store::Queue::request_approval`].
pub async fn request(store: &PostgresStore, r: ApprovalRequest) -> Result<(), StoreError> {
    r.check()?;
    let mut tx = store.begin().await?;
    let parked = request_held(&mut tx, &r).await;
    finish(tx, parked, "request_approval").await
}

async fn request_held(conn: &mut PgConnection, r: &ApprovalRequest) -> Result<(), StoreError> {
    let held = fence::held(&mut *conn, r.lease).await?;
    let waiting = Waiting::Approval {
        reason: r.reason.clone(),
        risk: r.risk,
        assessment: r.assessment.clone(),
    };
    sqlx::query(
        "UPDATE tasks SET status = 'waiting_approval', lease_expires_at = NULL, \
         attempts = GREATEST(attempts - 1, 0), waiting = $2, updated_at = now() WHERE id = $1",
    )
    .bind(r.lease.task_id.0)
    .bind(serde_json::to_value(&waiting).unwrap_or_default())
    .execute(&mut *conn)
    .await
    .map_err(db("request_approval"))?;
    let data = ApprovalRequested {
        reason: r.reason.clone(),
        risk: r.risk,
        assessment: r.assessment.clone(),
    };
    let e = Entry::transition(
        EventKind::TaskApprovalRequested,
        (r.lease.task_id.0, held.goal_id),
        Some(held.status),
        TaskStatus::WaitingApproval,
        &held.holder,
    )
    .with(Payload::ApprovalRequested(data).to_value());
    audit::record(conn, e).await
}

/// Applies a person's decision; see [`juggernaut_store::Queue::decide_approval`].
pub async fn decide(store: &PostgresStore, id: TaskId, d: Decision) -> Result<Task, StoreError> {
    let mut tx = store.begin().await?;
    let decided = decide_locked(&mut tx, id, &d).await;
    let after = finish(tx, decided, "decide_approval").await?;
    store.signal.notify_waiters();
    Ok(after)
}

async fn decide_locked(
    conn: &mut PgConnection,
    id: TaskId,
    d: &Decision,
) -> Result<Task, StoreError> {
    let task = fence::lock(&mut *conn, id).await?;
    d.check_seen(&task)?;
    let (action, kind) = if d.approve {
        (Action::Approve, EventKind::TaskApproved)
    } else {
        (Action::Reject, EventKind::TaskRejected)
    };
    let to = transition::next(task.status, action)?;
    let sql = format!(
        "UPDATE tasks SET status = $2, waiting = NULL, run_at = now(), updated_at = now(), \
         finished_at = CASE WHEN $2 = 'cancelled' THEN now() END WHERE id = $1 RETURNING {}",
        row::columns()
    );
    let after = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .bind(to.as_str())
        .fetch_one(&mut *conn)
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
    audit::record(&mut *conn, e).await?;
    if to == TaskStatus::Cancelled {
        block::dependents(&mut *conn, &[id.0], &d.actor).await?;
    } else {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(CHANNEL)
            .execute(&mut *conn)
            .await
            .map_err(db("decide_approval"))?;
    }
    row::task(&after)
}
