//! The task routes through a real listener on SQLite and PostgreSQL: enqueue (operator only,
//! checked like the CLI), list with filters and keyset pages (two pages, no overlap), show with
//! events and tool calls, cancel and retry (409 in the wrong state, 404 unknown), the dead-letter
//! queue, approvals by role, and the audit log with `juggernaut audit`'s filters.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use juggernaut_core::{NewTask, RiskLevel, TaskId, TaskKind};
use juggernaut_store::{ApprovalRequest, ClaimRequest, Failure, LeaseRef, Store};
use serde_json::json;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use support::{Server, error, ids};

/// Claims the one ready `noop` task `id`.
async fn claim(store: &Arc<dyn Store>, id: TaskId) -> LeaseRef {
    let claimed = store
        .claim(&ClaimRequest {
            worker: "w".into(),
            kinds: vec![TaskKind::new("noop").unwrap()],
            limit: 1,
            lease: Duration::from_secs(30),
        })
        .await
        .unwrap();
    assert_eq!(claimed[0].id, id);
    LeaseRef::of(&claimed[0]).unwrap()
}

async fn scenario(store: Arc<dyn Store>) {
    let s = Server::start(store.clone()).await;
    let (viewer, approver, operator) = (s.viewer.clone(), s.approver.clone(), s.operator.clone());

    // No token: 401; a viewer or an approver cannot enqueue: 403, before the body is read.
    error(
        s.call("GET", "/api/tasks", None, None).await,
        401,
        "unauthorized",
    );
    for token in [&viewer, &approver] {
        let got = s.call("POST", "/api/tasks", Some(token), Some("{")).await;
        error(got, 403, "forbidden");
    }

    // Enqueue as the CLI does: checked kind and input, dedupe answered with 200.
    let mut made = Vec::new();
    for n in 0..5 {
        let body = json!({"kind": "noop", "title": format!("t{n}"), "input": {"n": n}});
        let got = s
            .post("/api/tasks", &operator, &body.to_string(), 201)
            .await;
        assert_eq!(got["created"], true);
        made.push(got["task"]["id"].as_i64().unwrap());
    }
    let dedupe = json!({"kind": "noop", "dedupe_key": "once"}).to_string();
    let first = s.post("/api/tasks", &operator, &dedupe, 201).await;
    let again = s.post("/api/tasks", &operator, &dedupe, 200).await;
    assert_eq!(
        (again["created"].clone(), again["task"]["id"].clone()),
        (json!(false), first["task"]["id"].clone())
    );
    made.push(first["task"]["id"].as_i64().unwrap());
    let msg = error(
        s.call(
            "POST",
            "/api/tasks",
            Some(&operator),
            Some(r#"{"kind": "nothing"}"#),
        )
        .await,
        400,
        "bad_request",
    );
    assert!(msg.contains("nothing"), "{msg}");
    let msg = error(
        s.call(
            "POST",
            "/api/tasks",
            Some(&operator),
            Some(r#"{"kind": "noop", "input": [1]}"#),
        )
        .await,
        400,
        "bad_request",
    );
    assert!(msg.contains("input") || msg.contains("object"), "{msg}");
    error(
        s.call(
            "POST",
            "/api/tasks",
            Some(&operator),
            Some(r#"{"kind": "noop", "depends_on": [999999]}"#),
        )
        .await,
        400,
        "bad_request",
    );

    // Two pages, no overlap, together every task, newest first.
    let one = s.ok("/api/tasks?limit=4", &viewer).await;
    let cursor = one["next_cursor"].as_i64().unwrap();
    let two = s
        .ok(&format!("/api/tasks?limit=4&cursor={cursor}"), &viewer)
        .await;
    assert!(two["next_cursor"].is_null(), "{two}");
    let (a, b) = (ids(&one), ids(&two));
    assert_eq!(a.len(), 4);
    assert!(a.iter().all(|x| !b.contains(x)), "{a:?} {b:?}");
    let mut all: Vec<i64> = a.into_iter().chain(b).collect();
    assert!(all.windows(2).all(|w| w[0] > w[1]), "newest first: {all:?}");
    all.sort_unstable();
    let mut want = made.clone();
    want.sort_unstable();
    assert_eq!(all, want);
    // Filters: statuses repeated or as a comma list, kind, goal.
    let ready = s
        .ok("/api/tasks?status=ready,pending&kind=noop", &viewer)
        .await;
    assert_eq!(ids(&ready).len(), 6);
    let ready = s
        .ok("/api/tasks?status=ready&status=pending", &viewer)
        .await;
    assert_eq!(ids(&ready).len(), 6);
    assert!(ids(&s.ok("/api/tasks?status=dead", &viewer).await).is_empty());
    assert!(ids(&s.ok("/api/tasks?goal=999", &viewer).await).is_empty());
    for bad in [
        "status=sleeping",
        "kind=No!",
        "limit=0",
        "limit=1001",
        "limit=x",
        "cursor=abc",
        "cursor=-3",
        "goal=0",
        "colour=red",
        "limit=1&limit=2",
    ] {
        let msg = error(
            s.call("GET", &format!("/api/tasks?{bad}"), Some(&viewer), None)
                .await,
            400,
            "bad_request",
        );
        assert!(!msg.is_empty(), "{bad}");
    }

    // Show: the task, its events, its tool calls, its dependencies.
    let id = made[0];
    let shown = s.ok(&format!("/api/tasks/{id}"), &viewer).await;
    assert_eq!(shown["task"]["id"], id);
    assert_eq!(shown["task"]["input"], json!({"n": 0}));
    assert_eq!(shown["events"][0]["kind"], "task.enqueued");
    assert_eq!(shown["tool_calls"], json!([]));
    assert_eq!(shown["depends_on"], json!([]));
    error(
        s.call("GET", "/api/tasks/999999", Some(&viewer), None)
            .await,
        404,
        "not_found",
    );
    error(
        s.call("GET", "/api/tasks/x", Some(&viewer), None).await,
        400,
        "bad_request",
    );

    // Cancel and retry: 409 in the wrong state, recorded as token:NAME.
    let cancel = format!("/api/tasks/{id}/cancel");
    error(
        s.call("POST", &cancel, Some(&viewer), Some("{}")).await,
        403,
        "forbidden",
    );
    let got = s
        .post(&cancel, &operator, r#"{"reason": "not needed"}"#, 200)
        .await;
    assert_eq!(got["status"], "cancelled");
    error(
        s.call("POST", &cancel, Some(&operator), Some("")).await,
        409,
        "conflict",
    );
    let retry = format!("/api/tasks/{id}/retry");
    let back = s.post(&retry, &operator, "", 200).await["status"].clone();
    assert!(back == "ready" || back == "pending", "{back}");
    error(
        s.call("POST", &retry, Some(&operator), None).await,
        409,
        "conflict",
    );
    error(
        s.call("POST", "/api/tasks/999999/retry", Some(&operator), None)
            .await,
        404,
        "not_found",
    );
    let events = store.task_events(TaskId(id)).await.unwrap();
    assert!(events.iter().any(|e| e.actor == "token:ops"), "{events:?}");

    // The dead-letter queue: a task out of attempts is listed and requeued once.
    let dead = NewTask {
        max_attempts: 1,
        ..NewTask::new(TaskKind::new("noop").unwrap())
    };
    let dead = store.enqueue(dead).await.unwrap().task.id;
    for t in &made {
        store
            .cancel(TaskId(*t), "test", "out of the way")
            .await
            .unwrap();
    }
    let lease = claim(&store, dead).await;
    store
        .fail(Failure {
            lease,
            error: "boom".into(),
            retryable: true,
            retry_after: None,
        })
        .await
        .unwrap();
    let letters = s.ok("/api/dead-letters?limit=10", &viewer).await;
    assert_eq!(ids(&letters), vec![dead.0]);
    let requeue = format!("/api/dead-letters/{dead}/requeue");
    error(
        s.call("POST", &requeue, Some(&approver), None).await,
        403,
        "forbidden",
    );
    let back = s.post(&requeue, &operator, "", 200).await["status"].clone();
    assert!(back == "ready" || back == "pending", "{back}");
    error(
        s.call("POST", &requeue, Some(&operator), None).await,
        409,
        "conflict",
    );
    error(
        s.call(
            "POST",
            "/api/dead-letters/999999/requeue",
            Some(&operator),
            None,
        )
        .await,
        404,
        "not_found",
    );

    // Approvals: an operator cannot approve; an approver can.
    let lease = claim(&store, dead).await;
    let ask = ApprovalRequest {
        lease,
        reason: "pays".into(),
        risk: RiskLevel::High,
        assessment: None,
    };
    store.request_approval(ask).await.unwrap();
    assert_eq!(ids(&s.ok("/api/approvals", &viewer).await), vec![dead.0]);
    let approve = format!("/api/approvals/{dead}/approve");
    error(
        s.call("POST", &approve, Some(&operator), Some("{}")).await,
        403,
        "forbidden",
    );
    s.post(&approve, &approver, r#"{"reason": "fine"}"#, 200)
        .await;

    // The audit log: by task, actor and kind; since; two pages without overlap.
    let by_task = s.ok(&format!("/api/audit?task={dead}"), &viewer).await;
    let kinds: HashSet<&str> = by_task["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains("task.enqueued") && kinds.contains("task.approved"),
        "{kinds:?}"
    );
    let by_actor = s
        .ok("/api/audit?actor=token:lead&kind=task.approved", &viewer)
        .await;
    assert_eq!(by_actor["items"].as_array().unwrap().len(), 1, "{by_actor}");
    let one = s.ok("/api/audit?limit=3", &viewer).await;
    let before = one["next_cursor"].as_i64().unwrap();
    let two = s
        .ok(&format!("/api/audit?limit=3&before={before}"), &viewer)
        .await;
    let (a, b) = (ids(&one), ids(&two));
    assert!(
        a.iter().all(|x| !b.contains(x)) && b.iter().all(|x| *x < before),
        "{a:?} {b:?}"
    );
    let later = s.ok("/api/audit?since=2999-01-01T00:00:00Z", &viewer).await;
    assert_eq!(later["items"], json!([]));
    for bad in [
        "kind=task.nothing",
        "since=yesterday",
        "before=0",
        "task=x",
        "limit=1001",
    ] {
        error(
            s.call("GET", &format!("/api/audit?{bad}"), Some(&viewer), None)
                .await,
            400,
            "bad_request",
        );
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_routes_on_sqlite() {
    let store = juggernaut_testkit::fresh_sqlite().await;
    scenario(store.clone()).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_routes_on_postgres() {
    let (store, db) = juggernaut_testkit::fresh_postgres().await;
    scenario(store.clone()).await;
    store.close().await;
    db.remove().await;
}
