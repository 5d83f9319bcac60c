//! `verifying`: a running task whose evidence is being re-checked keeps its lease. Entering it is
//! fenced like every lease operation; from it the task leaves by every way a running one does
//! (completed, failed and retried, released, rescued, timed out, handed back from a lost worker).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::WorkerRegistration;
use crate::api::{Failure, LeaseRef};
use crate::conformance::support::*;
use crate::error::StoreError;
use juggernaut_core::worker::{Role, WorkerState};
use juggernaut_core::{EventKind, FailureOutcome, NewTask, Task, TaskId, TaskStatus, WorkerId};
use std::time::Duration;

const SHORT: Duration = Duration::from_millis(100);

/// Enqueues a noop task, claims it for `worker` with a lease of `lease_for`, and marks it
/// verifying.
async fn verifying(store: &S, t: NewTask, worker: &str, lease_for: Duration) -> Task {
    let id = add(store, t).await.id;
    let held = claim_with(store, worker, 1, lease_for).await.remove(0);
    assert_eq!(held.id, id);
    store.begin_verify(lease(&held), worker).await.unwrap();
    assert_eq!(status(store, id).await, TaskStatus::Verifying);
    held
}

/// The last audit event of a task.
async fn last_event(store: &S, id: TaskId) -> juggernaut_core::AuditEvent {
    store.task_events(id).await.unwrap().pop().unwrap()
}

/// begin_verify marks the task `verifying` (its lease still shown) with a `task.verifying`
/// event; the holder then completes it; a second begin_verify, or one after the end, is refused.
pub async fn begin_verify_then_complete_works(store: S) {
    let held = verifying(&store, task("noop"), "w", Duration::from_secs(30)).await;
    let now = store.get(held.id).await.unwrap().unwrap();
    let shown = now.lease.expect("a verifying task shows its lease");
    assert_eq!(
        (shown.holder, shown.token),
        (WorkerId::from("w"), lease(&held).token)
    );
    let e = last_event(&store, held.id).await;
    assert_eq!(e.kind, EventKind::TaskVerifying);
    assert_eq!(
        (e.from_status, e.to_status),
        (Some(TaskStatus::Running), Some(TaskStatus::Verifying))
    );
    assert_eq!(e.actor, "w");
    assert_eq!(
        e.data,
        serde_json::json!({"lease_token": lease(&held).token})
    );
    match store.begin_verify(lease(&held), "w").await.unwrap_err() {
        StoreError::StaleLease { status, .. } => assert_eq!(status, TaskStatus::Verifying),
        other => panic!("expected StaleLease, got {other}"),
    }
    store.complete(done(&held)).await.unwrap();
    let t = store.get(held.id).await.unwrap().unwrap();
    assert_eq!(t.status, TaskStatus::Completed);
    assert_eq!(t.evidence.len(), 1);
    let e = last_event(&store, held.id).await;
    assert_eq!(
        (e.kind, e.from_status),
        (EventKind::TaskCompleted, Some(TaskStatus::Verifying))
    );
    assert!(matches!(
        store.begin_verify(lease(&held), "w").await,
        Err(StoreError::StaleLease {
            status: TaskStatus::Completed,
            ..
        })
    ));
    let ghost = LeaseRef {
        task_id: TaskId(held.id.0 + 1000),
        token: 1,
    };
    assert!(matches!(
        store.begin_verify(ghost, "w").await,
        Err(StoreError::NotFound(_))
    ));
}

/// A batch may complete running and verifying tasks together; each event names where it left.
pub async fn a_batch_completes_running_and_verifying_tasks(store: S) {
    let checked = verifying(&store, task("noop"), "w", Duration::from_secs(30)).await;
    add(&store, task("noop")).await;
    let plain = claim(&store, "w", 1).await.remove(0);
    let out = store
        .complete_batch(vec![done(&checked), done(&plain)])
        .await
        .unwrap();
    assert!(out.iter().all(Result::is_ok), "{out:?}");
    for (id, from) in [
        (checked.id, TaskStatus::Verifying),
        (plain.id, TaskStatus::Running),
    ] {
        assert_eq!(status(&store, id).await, TaskStatus::Completed);
        let e = last_event(&store, id).await;
        assert_eq!(
            (e.kind, e.from_status),
            (EventKind::TaskCompleted, Some(from))
        );
    }
}

/// begin_verify with the token of a lease that expired and was claimed again is refused, the
/// way a late completion is, and changes nothing; the current holder's still works.
pub async fn stale_begin_verify_is_refused(store: S) {
    add(&store, task("noop")).await;
    let old = claim_with(&store, "slow", 1, SHORT).await.remove(0);
    sleep(SHORT * 2).await;
    assert_eq!(
        store.rescue_expired("test").await.unwrap().rescued,
        vec![old.id]
    );
    let new = claim(&store, "fast", 1).await.remove(0);
    let events_before = store.task_events(old.id).await.unwrap().len();
    match store.begin_verify(lease(&old), "slow").await.unwrap_err() {
        StoreError::StaleLease {
            task_id,
            token,
            status,
            current,
        } => {
            assert_eq!((task_id, token), (old.id, lease(&old).token));
            assert_eq!((status, current), (TaskStatus::Running, lease(&new).token));
        }
        other => panic!("expected StaleLease, got {other}"),
    }
    assert_eq!(status(&store, old.id).await, TaskStatus::Running);
    assert_eq!(
        store.task_events(old.id).await.unwrap().len(),
        events_before
    );
    store.begin_verify(lease(&new), "fast").await.unwrap();
    store.complete(done(&new)).await.unwrap();
    assert_eq!(status(&store, new.id).await, TaskStatus::Completed);
}

/// A heartbeat extends a verifying task's lease, which then holds against rescue.
pub async fn heartbeat_extends_a_verifying_lease(store: S) {
    let held = verifying(&store, task("noop"), "w", SHORT).await;
    let before = store.get(held.id).await.unwrap().unwrap().lease.unwrap();
    let kept = store
        .heartbeat(
            &WorkerId::from("w"),
            &[lease(&held)],
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    assert_eq!(kept, vec![lease(&held)]);
    let after = store.get(held.id).await.unwrap().unwrap().lease.unwrap();
    assert!(after.expires_at > before.expires_at + chrono::Duration::seconds(30));
    sleep(SHORT * 2).await;
    assert!(
        store
            .rescue_expired("test")
            .await
            .unwrap()
            .rescued
            .is_empty(),
        "the extended lease holds"
    );
    assert_eq!(status(&store, held.id).await, TaskStatus::Verifying);
    store.complete(done(&held)).await.unwrap();
}

/// A verifying task whose lease expired is rescued back to `ready`; the late completion of its
/// old holder is refused.
pub async fn expired_verifying_lease_is_rescued(store: S) {
    let held = verifying(&store, task("noop"), "slow", SHORT).await;
    sleep(SHORT * 2).await;
    let report = store.rescue_expired("rescuer").await.unwrap();
    assert_eq!(report.rescued, vec![held.id]);
    let t = store.get(held.id).await.unwrap().unwrap();
    assert_eq!((t.status, t.lease), (TaskStatus::Ready, None));
    let e = last_event(&store, held.id).await;
    assert_eq!(
        (e.kind, e.from_status, e.to_status),
        (
            EventKind::TaskRescued,
            Some(TaskStatus::Verifying),
            Some(TaskStatus::Ready)
        )
    );
    assert!(matches!(
        store.complete(done(&held)).await,
        Err(StoreError::StaleLease {
            status: TaskStatus::Ready,
            ..
        })
    ));
    store
        .cancel(held.id, "ops", "out of the way")
        .await
        .unwrap();
    // Out of attempts, a verifying task's expired lease dead-letters it.
    let last = NewTask {
        max_attempts: 1,
        ..task("noop")
    };
    let held = verifying(&store, last, "slow", SHORT).await;
    sleep(SHORT * 2).await;
    let report = store.rescue_expired("rescuer").await.unwrap();
    assert_eq!(report.dead, vec![held.id]);
    assert_eq!(status(&store, held.id).await, TaskStatus::Dead);
}

/// A failure reported while verifying retries after a backoff (or ends the task when it cannot
/// be retried), like one reported while running.
pub async fn fail_from_verifying_retries(store: S) {
    let held = verifying(&store, task("noop"), "w", Duration::from_secs(30)).await;
    let f = Failure {
        lease: lease(&held),
        error: "verification failed: file changed".into(),
        retryable: true,
        retry_after: None,
    };
    let outcome = store.fail(f).await.unwrap();
    assert!(
        matches!(outcome, FailureOutcome::Retry { .. }),
        "{outcome:?}"
    );
    let t = store.get(held.id).await.unwrap().unwrap();
    assert_eq!((t.status, t.lease), (TaskStatus::Pending, None));
    assert!(t.last_error.unwrap().contains("file changed"));
    let e = last_event(&store, held.id).await;
    assert_eq!(
        (e.kind, e.from_status, e.to_status),
        (
            EventKind::TaskRetryScheduled,
            Some(TaskStatus::Verifying),
            Some(TaskStatus::Pending)
        )
    );
    assert!(matches!(
        store.complete(done(&held)).await,
        Err(StoreError::StaleLease { .. })
    ));
    store
        .cancel(held.id, "ops", "out of the way")
        .await
        .unwrap();
    let held = verifying(&store, task("noop"), "w", Duration::from_secs(30)).await;
    let f = Failure {
        lease: lease(&held),
        error: "the evidence names another task".into(),
        retryable: false,
        retry_after: None,
    };
    assert_eq!(store.fail(f).await.unwrap(), FailureOutcome::Failed);
    assert_eq!(status(&store, held.id).await, TaskStatus::Failed);
}

/// Release at shutdown, the run-time limit and a lost worker's hand-back take verifying tasks
/// as they take running ones; a worker lists its verifying tasks as in flight.
pub async fn verifying_tasks_are_handed_back_like_running_ones(store: S) {
    let held = verifying(&store, task("noop"), "w", Duration::from_secs(30)).await;
    assert_eq!(
        store.release(&[lease(&held)], "w").await.unwrap(),
        vec![held.id]
    );
    let t = store.get(held.id).await.unwrap().unwrap();
    assert_eq!((t.status, t.attempts), (TaskStatus::Ready, 0));
    let e = last_event(&store, held.id).await;
    assert_eq!(
        (e.kind, e.from_status),
        (EventKind::TaskReleased, Some(TaskStatus::Verifying))
    );

    let held = claim(&store, "w", 1).await.remove(0);
    store.begin_verify(lease(&held), "w").await.unwrap();
    sleep(Duration::from_millis(300)).await;
    assert_eq!(
        store
            .time_out_overdue(Duration::from_millis(200), "watchdog")
            .await
            .unwrap(),
        vec![held.id]
    );
    assert_eq!(status(&store, held.id).await, TaskStatus::Pending);
    let e = last_event(&store, held.id).await;
    assert_eq!(
        (e.kind, e.from_status),
        (EventKind::TaskTimedOut, Some(TaskStatus::Verifying))
    );
    store
        .cancel(held.id, "ops", "out of the way")
        .await
        .unwrap();

    let w = WorkerRegistration {
        id: WorkerId::from("w1"),
        roles: vec![Role::Executor],
        kinds: vec!["noop".into()],
        concurrency: 1,
        host: "h".into(),
        pid: 1,
        version: "0".into(),
    };
    store.register_worker(&w).await.unwrap();
    let lost = verifying(&store, task("noop"), "w1", Duration::from_secs(30)).await;
    let listed = store.list_workers().await.unwrap();
    assert_eq!(listed[0].in_flight, vec![lost.id]);
    sleep(Duration::from_millis(300)).await;
    let found = store
        .mark_lost_workers(Duration::from_millis(200), "watchdog")
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rescued, vec![lost.id]);
    assert_eq!(status(&store, lost.id).await, TaskStatus::Ready);
    store
        .worker_heartbeat(&w.id, WorkerState::Active, &serde_json::json!({}))
        .await
        .unwrap();
}
