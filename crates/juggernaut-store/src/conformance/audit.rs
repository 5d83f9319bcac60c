//! The audit log's details are typed: whatever a backend writes, for every kind of event, parses
//! as that kind's [`Payload`](crate::audit::Payload).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::WorkerRegistration;
use crate::api::{ApprovalRequest, Decision, ExternalWait, Failure};
use crate::audit::Payload;
use crate::conformance::support::*;
use juggernaut_core::schedule::NewSchedule;
use juggernaut_core::worker::{Role, WorkerState};
use juggernaut_core::{EventKind, NewTask, RiskLevel, WorkerId};
use std::collections::BTreeSet;
use std::time::Duration;

/// Runs the store through every transition it has, then parses every event it wrote.
pub async fn every_event_has_its_kinds_payload(store: S) {
    exercise(&store).await;
    store
        .prune_terminal(Duration::ZERO, "pruner")
        .await
        .unwrap();
    // Pruning keeps the pruned tasks' events: the log holds them and the prune's own.
    let events = all_events(&store).await;
    let mut kinds = BTreeSet::new();
    for e in &events {
        if let Err(err) = Payload::parse(e.kind, &e.data) {
            panic!(
                "{} event {} has a payload of another shape: {err}: {}",
                e.kind, e.id, e.data
            );
        }
        kinds.insert(e.kind.as_str());
    }
    let missing: Vec<&str> = EventKind::ALL
        .iter()
        .map(|k| k.as_str())
        .filter(|k| !kinds.contains(k))
        .collect();
    assert!(missing.is_empty(), "not exercised: {missing:?}");
}

async fn exercise(store: &S) {
    let w = WorkerRegistration {
        id: WorkerId::from("w"),
        roles: vec![Role::Executor],
        kinds: vec!["noop".into()],
        concurrency: 1,
        host: "h".into(),
        pid: 1,
        version: "0".into(),
    };
    store.register_worker(&w).await.unwrap();
    store
        .try_lead("engine", &w.id, Duration::from_secs(5))
        .await
        .unwrap();
    // completed, with a child that waits on a dependency
    let dep = add(store, task("noop")).await;
    let child = add(
        store,
        NewTask {
            depends_on: vec![dep.id],
            ..task("noop")
        },
    )
    .await;
    let held = claim(store, "w", 1).await;
    store
        .heartbeat(&w.id, &[lease(&held[0])], Duration::from_secs(30))
        .await
        .unwrap();
    store.begin_verify(lease(&held[0]), "w").await.unwrap();
    store.complete(done(&held[0])).await.unwrap();
    assert_eq!(
        status(store, child.id).await,
        juggernaut_core::TaskStatus::Ready
    );
    // retry, then dead, which blocks a dependent; requeue unblocks it
    let flaky = add(
        store,
        NewTask {
            max_attempts: 2,
            ..task("noop")
        },
    )
    .await;
    let blocked = add(
        store,
        NewTask {
            depends_on: vec![flaky.id],
            ..task("noop")
        },
    )
    .await;
    for _ in 0..2 {
        loop {
            let held = claim(store, "w", 10).await;
            if let Some(t) = held.iter().find(|t| t.id == flaky.id) {
                let f = Failure {
                    lease: lease(t),
                    error: "boom".into(),
                    retryable: true,
                    retry_after: None,
                };
                store.fail(f).await.unwrap();
                for other in held.iter().filter(|o| o.id != flaky.id) {
                    store.release(&[lease(other)], "w").await.unwrap();
                }
                break;
            }
            for other in &held {
                store.release(&[lease(other)], "w").await.unwrap();
            }
            sleep(Duration::from_millis(50)).await;
        }
    }
    assert_eq!(
        status(store, blocked.id).await,
        juggernaut_core::TaskStatus::Blocked
    );
    store.requeue(flaky.id, "ops").await.unwrap();
    // failed for good; cancelled
    store.cancel(blocked.id, "ops", "not needed").await.unwrap();
    drain(store).await;
    let bad = add(store, task("noop")).await;
    let held = claim(store, "w", 1).await;
    let f = Failure {
        lease: lease(&held[0]),
        error: "bad input".into(),
        retryable: false,
        retry_after: None,
    };
    store.fail(f).await.unwrap();
    assert_eq!(
        status(store, bad.id).await,
        juggernaut_core::TaskStatus::Failed
    );
    // rescued from a lapsed lease; timed out
    add(store, task("noop")).await;
    claim_with(store, "w", 1, Duration::from_millis(1)).await;
    sleep(Duration::from_millis(20)).await;
    store.rescue_expired("rescuer").await.unwrap();
    claim(store, "w", 1).await;
    sleep(Duration::from_millis(20)).await;
    store
        .time_out_overdue(Duration::from_millis(1), "watchdog")
        .await
        .unwrap();
    drain(store).await;
    // external wait and recheck; approval request, approval and rejection
    add(store, task("noop")).await;
    let held = claim(store, "w", 1).await;
    let wait = ExternalWait {
        lease: lease(&held[0]),
        what: "pull request #1".into(),
        check_after: Duration::ZERO,
        progress: serde_json::json!({"pr": 1}),
    };
    store.await_external(wait).await.unwrap();
    store.recheck_external("watchdog").await.unwrap();
    drain(store).await;
    for approve in [true, false] {
        add(store, task("noop")).await;
        let held = claim(store, "w", 1).await;
        let ask = ApprovalRequest {
            lease: lease(&held[0]),
            reason: "merges".into(),
            risk: RiskLevel::High,
            assessment: None,
        };
        store.request_approval(ask).await.unwrap();
        let d = Decision {
            approve,
            actor: "owner".into(),
            reason: "checked".into(),
            seen_at: None,
        };
        store.decide_approval(held[0].id, d).await.unwrap();
    }
    drain(store).await;
    // goals: added, paused and resumed, a reading, a plan, a failed planning attempt
    let g = store
        .add_goal(juggernaut_core::NewGoal::titled("g"), "owner")
        .await
        .unwrap();
    store
        .set_goal_status(g.id, juggernaut_core::GoalStatus::Paused, "owner", "x")
        .await
        .unwrap();
    store
        .set_goal_status(g.id, juggernaut_core::GoalStatus::Active, "owner", "y")
        .await
        .unwrap();
    store.record_metric(g.id, 1.0, "cli").await.unwrap();
    store
        .store_plan(
            crate::NewPlan {
                made_by: "playbook:test@1".into(),
                ..super::goals::chain(g.id, 1, 1)
            },
            "planner",
        )
        .await
        .unwrap();
    store
        .plan_failed(g.id, "later", Some("prose"), Duration::ZERO, "planner")
        .await
        .unwrap();
    assert_eq!(
        store.replan_outdated(&[], "planner").await.unwrap(),
        vec![g.id]
    );
    let edit = juggernaut_core::NewGoal::titled("edited");
    store
        .edit_goal(g.id, edit, None, "w", "changed: title")
        .await
        .unwrap();
    let report = super::reports::report("Week");
    store.save_report(report, "w").await.unwrap();
    // costs: a reservation and its settlement
    let r = crate::Reservation {
        goal_id: Some(g.id),
        task_id: None,
        category: juggernaut_core::cost::CostCategory::Llm,
        item: "model".into(),
        purpose: "planning".into(),
        amount_usd: 0.5,
    };
    let cost = store
        .reserve(&r, &crate::Limits::default(), "w")
        .await
        .unwrap();
    store
        .settle(cost, &crate::Usage::default(), "w")
        .await
        .unwrap();
    // a tool call
    let call = crate::NewToolCall {
        task_id: None,
        attempt: 1,
        lease_token: None,
        tool: "read_file".into(),
        arguments: serde_json::json!({"path": "a"}),
        result: "text".into(),
        result_sha256: "0".repeat(64),
        result_bytes: 4,
        status: crate::ToolCallStatus::Ok,
        error: None,
        duration_us: 1,
        cost_usd: 0.0,
    };
    store.record_tool_call(call, "w").await.unwrap();
    // an API token, created and revoked
    let token = crate::NewToken {
        name: "ci".into(),
        role: juggernaut_core::ApiRole::Viewer,
        sha256: "a".repeat(64),
    };
    let token = store.create_token(token, "owner").await.unwrap();
    store.revoke_token(token.id, "owner").await.unwrap();
    // an escalation, raised and acknowledged
    let raised = juggernaut_core::NewEscalation {
        key: "dead:1".into(),
        kind: juggernaut_core::EscalationKind::DeadLetter,
        level: juggernaut_core::EscalationLevel::Warning,
        task_id: None,
        goal_id: None,
        message: "task 1 is dead".into(),
    };
    let (raised, _) = store.raise(raised, "escalator").await.unwrap();
    store.ack(raised.id, "owner", "seen").await.unwrap();
    crate::conformance::experiments::exercise(store).await;
    drain(store).await;
    crate::conformance::learnings::exercise(store).await;
    // workers, schedules, pruning
    store
        .worker_heartbeat(&w.id, WorkerState::Active, &serde_json::json!({}))
        .await
        .unwrap();
    sleep(Duration::from_millis(20)).await;
    store
        .mark_lost_workers(Duration::from_millis(1), "watchdog")
        .await
        .unwrap();
    store
        .worker_heartbeat(&w.id, WorkerState::Active, &serde_json::json!({}))
        .await
        .unwrap();
    let s = NewSchedule {
        name: "s".into(),
        cron: "* * * * * *".into(),
        kind: kind("noop"),
        title: "s".into(),
        input: serde_json::json!({}),
        priority: 0,
        max_attempts: 1,
    };
    let s = store.add_schedule(s, "ops").await.unwrap();
    let next = s.next_fire_at + chrono::Duration::seconds(1);
    store
        .fire_schedule(s.id, s.next_fire_at, next, "scheduler")
        .await
        .unwrap();
    store.remove_schedule("s", "ops").await.unwrap();
    drain(store).await;
    let pending = add(
        store,
        NewTask {
            run_at: Some(chrono::Utc::now() + chrono::Duration::milliseconds(30)),
            ..task("noop")
        },
    )
    .await;
    sleep(Duration::from_millis(50)).await;
    // A claim may promote the task due now and hand it out on a later call, or take another
    // ready task first: claim until it is the one running.
    for _ in 0..50 {
        let taken = claim(store, "w", 1).await;
        if taken.iter().any(|t| t.id == pending.id) {
            break;
        }
        sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        status(store, pending.id).await,
        juggernaut_core::TaskStatus::Running
    );
    store.deregister_worker(&w.id).await.unwrap();
}

/// Completes whatever is ready.
async fn drain(store: &S) {
    loop {
        let held = claim(store, "w", 100).await;
        if held.is_empty() {
            return;
        }
        for t in &held {
            store.complete(done(t)).await.unwrap();
        }
    }
}
