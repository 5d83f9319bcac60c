//! Dependencies: readiness waits for them; a dead one blocks its dependents; requeue unblocks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::api::{Failure, LeaseRef, TaskFilter};
use crate::conformance::support::*;
use crate::error::StoreError;
use juggernaut_core::{EventKind, NewTask, TaskId, TaskStatus};

fn after(deps: &[TaskId]) -> NewTask {
    NewTask {
        depends_on: deps.to_vec(),
        ..task("noop")
    }
}

async fn kill(store: &S, id: TaskId) {
    let c = claim(store, "w", 10).await;
    let t = c
        .iter()
        .find(|t| t.id == id)
        .expect("claimed the task to kill");
    let f = Failure {
        lease: lease(t),
        error: "boom".into(),
        retryable: false,
        retry_after: None,
    };
    store.fail(f).await.unwrap();
    for other in c.iter().filter(|t| t.id != id) {
        store.complete(done(other)).await.unwrap();
    }
}

/// A dependency on a task that does not exist is refused; nothing is written.
pub async fn unknown_dependency_is_refused_and_changes_nothing(store: S) {
    let a = add(&store, task("noop")).await;
    let err = store
        .enqueue_batch(vec![task("noop"), after(&[a.id, TaskId(999_999)])])
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownDependency(TaskId(999_999))),
        "{err}"
    );
    assert_eq!(store.count(&TaskFilter::default()).await.unwrap(), 1);
}

/// A task is `pending` until all its dependencies completed, then `ready`.
pub async fn dependencies_gate_readiness(store: S) {
    let a = add(&store, task("noop")).await;
    let b = add(&store, task("noop")).await;
    let c = add(&store, after(&[a.id, b.id, a.id])).await;
    assert_eq!(c.status, TaskStatus::Pending);
    assert_eq!(c.pending_deps, 2);
    let mut deps = store.dependencies(c.id).await.unwrap();
    deps.sort();
    assert_eq!(deps, vec![a.id, b.id]);
    let first = claim(&store, "w", 1).await;
    assert_eq!(first[0].id, a.id);
    store.complete(done(&first[0])).await.unwrap();
    assert_eq!(status(&store, c.id).await, TaskStatus::Pending);
    let second = claim(&store, "w", 5).await;
    assert_eq!(second.iter().map(|t| t.id).collect::<Vec<_>>(), vec![b.id]);
    store.complete(done(&second[0])).await.unwrap();
    let now = store.get(c.id).await.unwrap().unwrap();
    assert_eq!((now.status, now.pending_deps), (TaskStatus::Ready, 0));
    let d = add(&store, after(&[a.id])).await;
    assert_eq!(d.status, TaskStatus::Ready, "completed deps count as met");
}

/// When a task fails for good, its dependents and theirs become `blocked`.
pub async fn dead_dependency_blocks_dependents_transitively(store: S) {
    let a = add(&store, task("noop")).await;
    let b = add(&store, after(&[a.id])).await;
    let c = add(&store, after(&[b.id])).await;
    let other = add(&store, task("noop")).await;
    kill(&store, a.id).await;
    assert_eq!(status(&store, a.id).await, TaskStatus::Failed);
    assert_eq!(status(&store, b.id).await, TaskStatus::Blocked);
    assert_eq!(status(&store, c.id).await, TaskStatus::Blocked);
    assert_eq!(status(&store, other.id).await, TaskStatus::Completed);
    let ev = store.task_events(c.id).await.unwrap();
    assert_eq!(ev.last().unwrap().kind, EventKind::TaskBlocked);
}

/// Requeueing the dead dependency unblocks the chain, and it then runs to the end.
pub async fn requeue_unblocks_dependents(store: S) {
    let a = add(&store, task("noop")).await;
    let b = add(&store, after(&[a.id])).await;
    let c = add(&store, after(&[b.id])).await;
    kill(&store, a.id).await;
    let again = store.requeue(a.id, "test").await.unwrap();
    assert_eq!(again.attempts, 0);
    assert_eq!(status(&store, b.id).await, TaskStatus::Pending);
    assert_eq!(status(&store, c.id).await, TaskStatus::Pending);
    for expected in [a.id, b.id, c.id] {
        let got = claim(&store, "w", 5).await;
        assert_eq!(got.iter().map(|t| t.id).collect::<Vec<_>>(), vec![expected]);
        store.complete(done(&got[0])).await.unwrap();
    }
    assert_eq!(status(&store, c.id).await, TaskStatus::Completed);
}

/// Depending on a cancelled task blocks the new task at once; so does cancelling a dependency.
pub async fn dependency_on_cancelled_task_is_blocked_at_once(store: S) {
    let a = add(&store, task("noop")).await;
    let b = add(&store, after(&[a.id])).await;
    store.cancel(a.id, "test", "changed my mind").await.unwrap();
    assert_eq!(status(&store, b.id).await, TaskStatus::Blocked);
    let c = add(&store, after(&[a.id])).await;
    assert_eq!(c.status, TaskStatus::Blocked);
    let stale = LeaseRef {
        task_id: a.id,
        token: 0,
    };
    assert!(
        store
            .heartbeat(&"w".into(), &[stale], std::time::Duration::from_secs(1))
            .await
            .unwrap()
            .is_empty()
    );
}
