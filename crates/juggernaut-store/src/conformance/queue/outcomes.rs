//! What a handler may ask for besides a plain completion: child tasks enqueued with the parent's
//! completion, a retry at a time it names, a wait for something outside, a person's approval.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::api::{ApprovalRequest, ChildTask, Decision, ExternalWait, Failure, TaskFilter};
use crate::conformance::support::*;
use crate::error::StoreError;
use juggernaut_core::{EventKind, GoalId, NewTask, RiskLevel, TaskStatus, Waiting};
use std::time::Duration;

fn child(title: &str, after: Vec<usize>) -> ChildTask {
    ChildTask {
        task: NewTask {
            title: title.into(),
            ..task("noop")
        },
        after,
    }
}

/// Children are enqueued in the completion's transaction, under the parent, with its goal, and
/// wait on the siblings they name.
pub async fn children_are_enqueued_with_the_completion(store: S) {
    let parent = add(
        &store,
        NewTask {
            goal_id: Some(GoalId(7)),
            ..task("noop")
        },
    )
    .await;
    let held = claim(&store, "w", 1).await;
    let mut c = done(&held[0]);
    c.children = vec![
        child("a", vec![]),
        child("b", vec![0]),
        child("c", vec![0, 1]),
    ];
    store.complete(c).await.unwrap();
    assert_eq!(status(&store, parent.id).await, TaskStatus::Completed);
    let page = store
        .list(&TaskFilter::default(), Default::default())
        .await
        .unwrap();
    let kids: Vec<_> = page.items.iter().filter(|t| t.id != parent.id).collect();
    assert_eq!(kids.len(), 3);
    for k in &kids {
        assert_eq!((k.parent_id, k.goal_id), (Some(parent.id), Some(GoalId(7))));
    }
    let by_title = |t: &str| kids.iter().find(|k| k.title == t).unwrap();
    let (a, b, c) = (by_title("a"), by_title("b"), by_title("c"));
    assert_eq!(
        (a.status, b.status, c.status),
        (TaskStatus::Ready, TaskStatus::Pending, TaskStatus::Pending)
    );
    assert_eq!(store.dependencies(c.id).await.unwrap(), vec![a.id, b.id]);
    let events = store.task_events(a.id).await.unwrap();
    assert_eq!(events[0].kind, EventKind::TaskEnqueued);
}

/// A child that fails validation, or names a sibling after it, refuses the whole completion:
/// the parent stays running, nothing is enqueued.
pub async fn bad_children_refuse_the_completion(store: S) {
    let parent = add(&store, task("noop")).await;
    let held = claim(&store, "w", 1).await;
    let mut c = done(&held[0]);
    c.children = vec![child("a", vec![1]), child("b", vec![])];
    let err = store.complete(c.clone()).await.unwrap_err();
    assert!(
        err.to_string().contains("child 0 depends on child 1"),
        "{err}"
    );
    c.children = vec![ChildTask {
        task: NewTask {
            max_attempts: 0,
            ..task("noop")
        },
        after: vec![],
    }];
    let err = store.complete(c.clone()).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Domain(_)) && err.to_string().contains("max_attempts"),
        "{err}"
    );
    c.children = vec![ChildTask {
        task: NewTask {
            depends_on: vec![juggernaut_core::TaskId(999_999)],
            ..task("noop")
        },
        after: vec![],
    }];
    let err = store.complete(c.clone()).await.unwrap_err();
    assert!(matches!(err, StoreError::UnknownDependency(_)), "{err}");
    assert_eq!(status(&store, parent.id).await, TaskStatus::Running);
    assert_eq!(store.count(&TaskFilter::default()).await.unwrap(), 1);
    c.children = vec![];
    store.complete(c).await.unwrap();
}

/// A retry-after named by the handler sets the next attempt's time, not the backoff.
pub async fn retry_after_sets_the_next_attempt(store: S) {
    let t = add(&store, task("noop")).await;
    let held = claim(&store, "w", 1).await;
    let f = Failure {
        lease: lease(&held[0]),
        error: "429".into(),
        retryable: true,
        retry_after: Some(Duration::from_secs(120)),
    };
    store.fail(f).await.unwrap();
    let after = store.get(t.id).await.unwrap().unwrap();
    assert_eq!(after.status, TaskStatus::Pending);
    let wait = (after.run_at - chrono::Utc::now()).num_seconds();
    assert!((100..=121).contains(&wait), "next attempt in {wait}s");
}

/// An external wait parks the task with what it waits for and its progress; at the check time
/// it is ready again and the look does not spend an attempt. A stale lease is refused.
pub async fn external_waits_are_parked_and_rechecked(store: S) {
    let t = add(
        &store,
        NewTask {
            max_attempts: 1,
            ..task("noop")
        },
    )
    .await;
    let held = claim(&store, "w", 1).await;
    let wait = ExternalWait {
        lease: lease(&held[0]),
        what: "pull request #12 merged".into(),
        check_after: Duration::from_millis(300),
        progress: serde_json::json!({"pr": 12}),
    };
    store.await_external(wait.clone()).await.unwrap();
    let parked = store.get(t.id).await.unwrap().unwrap();
    assert_eq!(parked.status, TaskStatus::AwaitingExternal);
    assert!(parked.lease.is_none());
    assert_eq!(parked.result, Some(serde_json::json!({"pr": 12})));
    match parked.waiting {
        Some(Waiting::External { what, .. }) => assert_eq!(what, "pull request #12 merged"),
        other => panic!("waiting: {other:?}"),
    }
    assert!(matches!(
        store.await_external(wait).await,
        Err(StoreError::StaleLease { .. })
    ));
    assert!(
        store.recheck_external("watchdog").await.unwrap().is_empty(),
        "not yet"
    );
    sleep(Duration::from_millis(400)).await;
    assert_eq!(
        store.recheck_external("watchdog").await.unwrap(),
        vec![t.id]
    );
    let again = store.get(t.id).await.unwrap().unwrap();
    assert_eq!(
        (again.status, again.attempts, again.waiting),
        (TaskStatus::Ready, 0, None)
    );
    let held = claim(&store, "w", 1).await;
    assert_eq!(
        held[0].id, t.id,
        "runs again to look, within its one attempt"
    );
    store.complete(done(&held[0])).await.unwrap();
}

/// An approval request parks the task with the reason and risk; approval sends it back to run,
/// rejection cancels it and blocks its dependents; deciding twice is refused.
pub async fn approvals_park_until_a_person_decides(store: S) {
    let t = add(&store, task("noop")).await;
    let dependent = add(
        &store,
        NewTask {
            depends_on: vec![t.id],
            ..task("noop")
        },
    )
    .await;
    let held = claim(&store, "w", 1).await;
    let assessment = juggernaut_core::RiskAssessment {
        score: 75,
        level: RiskLevel::High,
        factors: vec![juggernaut_core::RiskFactor {
            factor: "tools".into(),
            points: 75,
            why: "may call `github_merge`".into(),
        }],
        tools: vec!["github_merge".into()],
    };
    let ask = ApprovalRequest {
        lease: lease(&held[0]),
        reason: "merges to main".into(),
        risk: RiskLevel::High,
        assessment: Some(assessment.clone()),
    };
    store.request_approval(ask).await.unwrap();
    let parked = store.get(t.id).await.unwrap().unwrap();
    assert_eq!(parked.status, TaskStatus::WaitingApproval);
    assert_eq!(
        parked.waiting,
        Some(Waiting::Approval {
            reason: "merges to main".into(),
            risk: RiskLevel::High,
            assessment: Some(assessment.clone()),
        })
    );
    // The request's event keeps the score: an approval covers what it was shown.
    let events = store.task_events(t.id).await.unwrap();
    let asked = events
        .iter()
        .find(|e| e.kind == juggernaut_core::EventKind::TaskApprovalRequested)
        .unwrap();
    assert_eq!(
        asked.data["assessment"],
        serde_json::to_value(&assessment).unwrap()
    );
    // A decision that saw another request (an older parking) is refused and changes nothing.
    let stale = Decision {
        approve: true,
        actor: "policy".into(),
        reason: "timed out".into(),
        seen_at: Some(parked.updated_at - chrono::Duration::seconds(1)),
    };
    let refused = store.decide_approval(t.id, stale).await.unwrap_err();
    assert!(refused.to_string().contains("asked again"), "{refused}");
    let still = store.get(t.id).await.unwrap().unwrap();
    assert_eq!(still.status, TaskStatus::WaitingApproval);
    let yes = Decision {
        approve: true,
        actor: "owner".into(),
        reason: "reviewed".into(),
        seen_at: None,
    };
    let approved = store.decide_approval(t.id, yes.clone()).await.unwrap();
    assert_eq!(
        (approved.status, approved.waiting.clone()),
        (TaskStatus::Pending, None)
    );
    assert!(matches!(
        store.decide_approval(t.id, yes).await,
        Err(StoreError::Domain(_))
    ));
    let events = store.task_events(t.id).await.unwrap();
    let e = events
        .iter()
        .find(|e| e.kind == EventKind::TaskApproved)
        .unwrap();
    assert_eq!(
        (e.actor.as_str(), e.data["reason"].as_str()),
        ("owner", Some("reviewed"))
    );
    sleep(Duration::from_millis(20)).await;
    let held = claim(&store, "w", 1).await;
    assert_eq!(held[0].id, t.id);
    let ask = ApprovalRequest {
        lease: lease(&held[0]),
        reason: "again".into(),
        risk: RiskLevel::Medium,
        assessment: None,
    };
    store.request_approval(ask).await.unwrap();
    let no = Decision {
        approve: false,
        actor: "owner".into(),
        reason: "too risky".into(),
        seen_at: None,
    };
    let rejected = store.decide_approval(t.id, no).await.unwrap();
    assert_eq!(rejected.status, TaskStatus::Cancelled);
    assert_eq!(status(&store, dependent.id).await, TaskStatus::Blocked);
}
