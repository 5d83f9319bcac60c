//! The application layer over a real SQLite store with the built-in handlers: the rules every
//! interface gets for free (only dead tasks leave the dead-letter queue, only a waiting task is
//! approved or rejected).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use juggernaut_app::{App, AppError};
use juggernaut_core::schedule::NewSchedule;
use juggernaut_core::{EventKind, NewTask, RiskLevel, TaskId, TaskKind, TaskStatus};
use juggernaut_handler::Registry;
use juggernaut_store::{ApprovalRequest, ClaimRequest, Failure, LeaseRef, PageRequest, TaskFilter};
use std::time::Duration;

async fn app() -> App {
    let store = juggernaut_testkit::fresh_sqlite().await;
    App::new(
        store,
        Registry::new(juggernaut_handlers::builtin(
            &juggernaut_handlers::Deps::default(),
        ))
        .unwrap(),
    )
}

fn task(kind: &str, input: serde_json::Value) -> NewTask {
    NewTask {
        input,
        ..NewTask::new(TaskKind::new(kind).unwrap())
    }
}

#[tokio::test]
async fn an_input_its_kind_refuses_is_refused_at_enqueue_naming_the_field() {
    let app = app().await;
    let bad = task("maintenance", serde_json::json!({"retention_days": "soon"}));
    let err = app.enqueue(bad.clone()).await.unwrap_err();
    assert!(err.is_bad_input());
    assert!(
        err.to_string()
            .starts_with("invalid input for `maintenance`: `retention_days`: invalid type"),
        "{err}"
    );
    let batch = vec![task("noop", serde_json::json!({})), bad];
    assert!(app.enqueue_batch(batch).await.is_err());
    let none = app
        .list_tasks(&TaskFilter::default(), PageRequest::default())
        .await
        .unwrap();
    assert!(none.items.is_empty(), "a refused batch enqueues nothing");
    let ok = app
        .enqueue(task(
            "maintenance",
            serde_json::json!({"retention_days": 7}),
        ))
        .await;
    assert!(ok.unwrap().created);
    app.store().close().await;
}

#[tokio::test]
async fn schedules_are_checked_like_the_tasks_they_make() {
    let app = app().await;
    let s = NewSchedule {
        name: "nightly".into(),
        cron: "0 3 * * *".into(),
        kind: TaskKind::new("maintenance").unwrap(),
        title: "prune".into(),
        input: serde_json::json!({"retention_dayz": 7}),
        priority: 0,
        max_attempts: 3,
    };
    let err = app.add_schedule(s.clone(), "ops").await.unwrap_err();
    assert!(
        err.to_string().contains("unknown field `retention_dayz`"),
        "{err}"
    );
    let good = NewSchedule {
        input: serde_json::json!({"retention_days": 7}),
        ..s
    };
    app.add_schedule(good, "ops").await.unwrap();
    assert_eq!(app.schedules().await.unwrap().valid.len(), 1);
    app.remove_schedule("nightly", "ops").await.unwrap();
    assert!(matches!(
        app.remove_schedule("nightly", "ops").await,
        Err(AppError::NoSchedule(_))
    ));
    app.store().close().await;
}

#[tokio::test]
async fn only_dead_tasks_leave_the_dead_letter_queue() {
    let app = app().await;
    let t = app
        .enqueue(NewTask {
            max_attempts: 1,
            ..task("noop", serde_json::json!({}))
        })
        .await
        .unwrap()
        .task;
    let alive = app.requeue_dead(&[t.id], "ops").await.unwrap_err();
    assert!(alive.to_string().contains("is ready, not dead"), "{alive}");
    let f = Failure {
        lease: claim_one(&app).await,
        error: "boom".into(),
        retryable: true,
        retry_after: None,
    };
    app.store().fail(f).await.unwrap();
    assert_eq!(
        app.dead_letters(PageRequest::default())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let back = app.requeue_dead(&[t.id], "ops").await.unwrap();
    assert_eq!(back[0].status, TaskStatus::Pending);
    let detail = app.show_task(t.id).await.unwrap();
    assert!(detail.events.len() >= 4);
    assert!(app.show_task(TaskId(999)).await.unwrap_err().is_bad_input());
    let status = app.status().await.unwrap();
    assert_eq!(status.count(TaskStatus::Pending), 1);
    app.store().close().await;
}

/// Claims one ready `noop` task, as a worker would, and returns its lease.
async fn claim_one(app: &App) -> LeaseRef {
    let claimed = app
        .store()
        .claim(&ClaimRequest {
            worker: "w".into(),
            kinds: vec![TaskKind::new("noop").unwrap()],
            limit: 1,
            lease: Duration::from_secs(30),
        })
        .await
        .unwrap();
    LeaseRef::of(&claimed[0]).unwrap()
}

/// Parks a fresh `noop` task in `waiting_approval`, as a handler asking for approval would.
async fn parked(app: &App, reason: &str) -> TaskId {
    let t = app
        .enqueue(task("noop", serde_json::json!({})))
        .await
        .unwrap()
        .task;
    let ask = ApprovalRequest {
        lease: claim_one(app).await,
        reason: reason.into(),
        risk: RiskLevel::High,
        assessment: None,
    };
    app.store().request_approval(ask).await.unwrap();
    t.id
}

#[tokio::test]
async fn only_a_task_waiting_for_approval_is_decided_and_a_rejection_says_why() {
    let app = app().await;
    let first = parked(&app, "merges to main").await;
    let second = parked(&app, "deletes a branch").await;
    let waiting = app.approvals(PageRequest::default()).await.unwrap().items;
    let ids: Vec<TaskId> = waiting.iter().map(|t| t.id).collect();
    assert_eq!(ids, vec![second, first], "newest first");

    let approved = app.approve(first, "alice", "").await.unwrap();
    assert_eq!(approved.status, TaskStatus::Pending);
    let again = app.approve(first, "alice", "").await.unwrap_err();
    assert!(again.is_bad_input());
    assert!(
        again
            .to_string()
            .contains("is pending, not waiting_approval"),
        "{again}"
    );

    let silent = app.reject(second, "bob", "  ").await.unwrap_err();
    assert!(silent.is_bad_input());
    assert!(silent.to_string().contains("reason"), "{silent}");
    let rejected = app.reject(second, "bob", "too risky").await.unwrap();
    assert_eq!(rejected.status, TaskStatus::Cancelled);
    let events = app.show_task(second).await.unwrap().events;
    let e = events
        .iter()
        .find(|e| e.kind == EventKind::TaskRejected)
        .unwrap();
    assert_eq!(
        (e.actor.as_str(), e.data["reason"].as_str()),
        ("bob", Some("too risky"))
    );
    assert!(
        app.approvals(PageRequest::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        app.approve(TaskId(999), "alice", "")
            .await
            .unwrap_err()
            .is_bad_input()
    );
    app.store().close().await;
}

/// A page of the largest size (1000) cannot look one row ahead: it still says where the next
/// page starts, so a client paging through 1001 learnings sees them all.
#[tokio::test]
async fn a_full_page_of_the_largest_size_still_has_a_next_cursor() {
    use juggernaut_core::learning::{NewLearning, Outcome};
    let app = app().await;
    let store = app.store().clone();
    let t = store
        .enqueue(NewTask::new(TaskKind::new("noop").unwrap()))
        .await
        .unwrap()
        .task
        .id;
    let learning = |i: usize| NewLearning {
        fingerprint: format!("fp{i:04}"),
        kind: "noop".into(),
        outcome: Outcome::Succeeded,
        title: format!("lesson {i}"),
        summary: "worked".into(),
        tags: vec![],
        error: None,
        tools: vec![],
        task: t,
        goal: None,
        at: chrono::Utc::now(),
    };
    let first: Vec<_> = (0..1000).map(learning).collect();
    store.record_learnings(first, 0, 1, "test").await.unwrap();
    store
        .record_learnings(vec![learning(1000)], 1, 2, "test")
        .await
        .unwrap();
    let q = |before| juggernaut_app::LearningQuery {
        kind: None,
        outcome: None,
        tag: None,
        all: false,
        before,
        limit: 1000,
    };
    let one = app.learnings(q(None)).await.unwrap();
    assert_eq!(one.items.len(), 1000);
    let cursor = one.next_cursor.expect("a cursor after a full page of 1000");
    let two = app.learnings(q(Some(cursor))).await.unwrap();
    assert_eq!(two.items.len(), 1);
    assert_eq!(two.next_cursor, None);
}
