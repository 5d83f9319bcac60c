//! Small helpers the conformance cases share. Panics are the point here: this is test code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::api::{ClaimRequest, Completion, LeaseRef};
pub use crate::prelude::*;
use juggernaut_core::{Evidence, NewTask, Task, TaskId, TaskKind, TaskStatus, WorkerId};
use std::sync::Arc;
use std::time::Duration;

/// A shared store handle.
pub type S = Arc<dyn Store>;

/// A kind by name.
pub fn kind(name: &str) -> TaskKind {
    TaskKind::new(name).unwrap()
}

/// A default task of `kind`.
pub fn task(name: &str) -> NewTask {
    NewTask::new(kind(name))
}

/// A task with a dedupe key.
pub fn keyed(name: &str, key: &str) -> NewTask {
    NewTask {
        dedupe_key: Some(key.to_owned()),
        ..task(name)
    }
}

/// Enqueues one task and returns it.
pub async fn add(store: &S, t: NewTask) -> Task {
    store.enqueue(t).await.unwrap().task
}

/// A claim for `worker` of `noop` tasks with a 30 s lease.
pub fn claim_req(worker: &str, limit: u32) -> ClaimRequest {
    ClaimRequest {
        worker: WorkerId::from(worker),
        kinds: vec![kind("noop")],
        limit,
        lease: Duration::from_secs(30),
    }
}

/// Claims up to `limit` noop tasks with a lease of `lease`.
pub async fn claim_with(store: &S, worker: &str, limit: u32, lease: Duration) -> Vec<Task> {
    let req = ClaimRequest {
        lease,
        ..claim_req(worker, limit)
    };
    store.claim(&req).await.unwrap()
}

/// Claims up to `limit` noop tasks with a 30 s lease.
pub async fn claim(store: &S, worker: &str, limit: u32) -> Vec<Task> {
    store.claim(&claim_req(worker, limit)).await.unwrap()
}

/// The lease of a claimed task.
pub fn lease(t: &Task) -> LeaseRef {
    LeaseRef::of(t).expect("claimed task has a lease")
}

/// A completion with a run-record evidence.
pub fn done(t: &Task) -> Completion {
    let l = lease(t);
    Completion {
        lease: l,
        result: serde_json::json!({"ok": true}),
        evidence: vec![Evidence::HandlerRun {
            handler: "noop".into(),
            lease_token: l.token,
            duration_us: 1,
        }],
        children: vec![],
    }
}

/// The task's current status.
pub async fn status(store: &S, id: TaskId) -> TaskStatus {
    store.get(id).await.unwrap().expect("task exists").status
}

/// Waits for `d`.
pub async fn sleep(d: Duration) {
    tokio::time::sleep(d).await;
}

/// What disposes of a test's database once its case is done (drops a PostgreSQL database; a
/// SQLite file needs nothing).
#[async_trait::async_trait]
pub trait Guard: Send {
    /// Removes the database.
    async fn dispose(self);
}

#[async_trait::async_trait]
impl Guard for () {
    async fn dispose(self) {}
}

/// Every audit event of the store, oldest first.
pub async fn all_events(store: &S) -> Vec<juggernaut_core::AuditEvent> {
    let mut out = Vec::new();
    let mut after = juggernaut_core::ids::EventId(0);
    loop {
        let page = store.events_after(after, 500).await.unwrap();
        match page.last() {
            Some(last) => after = last.id,
            None => return out,
        }
        out.extend(page);
    }
}
