//! Goals, escalations, workers, schedules, costs and status through a real listener on SQLite
//! and PostgreSQL: each route at least once, roles, keyset pages, 404 and 409, and a malformed
//! body, path or query for every POST and list route answered with a 400 JSON error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use juggernaut_core::escalation::{EscalationKind, EscalationLevel};
use juggernaut_core::worker::Role;
use juggernaut_core::{GoalId, NewEscalation};
use juggernaut_store::{Store, WorkerRegistration};
use serde_json::json;
use std::sync::Arc;
use support::{Server, error, ids};

async fn scenario(store: Arc<dyn Store>) {
    let s = Server::start(store.clone()).await;
    let (viewer, operator) = (s.viewer.clone(), s.operator.clone());

    // Goals: added by an operator (not a viewer), listed in keyset pages, shown, moved.
    error(
        s.call(
            "POST",
            "/api/goals",
            Some(&viewer),
            Some(r#"{"title": "x"}"#),
        )
        .await,
        403,
        "forbidden",
    );
    let mut goals = Vec::new();
    for title in ["Grow", "Ship", "Hire"] {
        let body = json!({"title": title, "tags": ["q3"], "budget_usd": 5.0}).to_string();
        let g = s.post("/api/goals", &operator, &body, 201).await;
        assert_eq!(
            (g["status"].clone(), g["owner"].clone()),
            (json!("active"), json!("ops"))
        );
        goals.push(g["id"].as_i64().unwrap());
    }
    let one = s.ok("/api/goals?limit=2&tag=q3", &viewer).await;
    let cursor = one["next_cursor"].as_i64().unwrap();
    let two = s
        .ok(
            &format!("/api/goals?limit=2&tag=q3&cursor={cursor}"),
            &viewer,
        )
        .await;
    assert_eq!(ids(&one), vec![goals[2], goals[1]]);
    assert_eq!(
        (ids(&two), two["next_cursor"].clone()),
        (vec![goals[0]], json!(null))
    );
    assert_eq!(
        ids(&s.ok("/api/goals?status=paused", &viewer).await),
        Vec::<i64>::new()
    );
    let g = goals[0];
    let detail = s.ok(&format!("/api/goals/{g}"), &viewer).await;
    assert_eq!(detail["goal"]["title"], "Grow");
    assert!(
        detail["idle"].is_string() && detail["plan"].is_null(),
        "{detail}"
    );
    assert_eq!(detail["spend"]["calls"], 0);
    store.record_metric(GoalId(g), 12.5, "test").await.unwrap();
    let series = s
        .ok(&format!("/api/goals/{g}/progress?limit=10"), &viewer)
        .await;
    assert_eq!(series[0]["value"], 12.5);
    error(
        s.call("GET", "/api/goals/999999", Some(&viewer), None)
            .await,
        404,
        "not_found",
    );
    error(
        s.call("GET", "/api/goals/999999/progress", Some(&viewer), None)
            .await,
        404,
        "not_found",
    );
    let pause = format!("/api/goals/{g}/pause");
    assert_eq!(
        s.post(&pause, &operator, r#"{"reason": "wait"}"#, 200)
            .await["status"],
        "paused"
    );
    error(
        s.call("POST", &pause, Some(&operator), None).await,
        409,
        "conflict",
    );
    let resume = format!("/api/goals/{g}/resume");
    assert_eq!(
        s.post(&resume, &operator, "", 200).await["status"],
        "active"
    );
    let cancel = format!("/api/goals/{g}/cancel");
    assert_eq!(
        s.post(&cancel, &operator, "{}", 200).await["status"],
        "cancelled"
    );
    error(
        s.call("POST", &resume, Some(&operator), None).await,
        409,
        "conflict",
    );
    error(
        s.call("POST", "/api/goals/999999/pause", Some(&operator), None)
            .await,
        404,
        "not_found",
    );

    // Escalations: listed open (or all), acknowledged once by an operator.
    for n in 0..3 {
        let e = NewEscalation {
            key: format!("k{n}"),
            kind: EscalationKind::DeadLetter,
            level: EscalationLevel::Warning,
            task_id: None,
            goal_id: None,
            message: format!("number {n}"),
        };
        store.raise(e, "escalator").await.unwrap();
    }
    let page = s.ok("/api/escalations?limit=2", &viewer).await;
    let first = ids(&page)[0];
    assert_eq!(ids(&page).len(), 2);
    let rest = s
        .ok(
            &format!("/api/escalations?limit=2&cursor={}", page["next_cursor"]),
            &viewer,
        )
        .await;
    assert_eq!(ids(&rest).len(), 1);
    let ack = format!("/api/escalations/{first}/ack");
    error(
        s.call("POST", &ack, Some(&viewer), None).await,
        403,
        "forbidden",
    );
    let acked = s.post(&ack, &operator, r#"{"note": "on it"}"#, 200).await;
    assert_eq!(
        (acked["acked_by"].clone(), acked["ack_note"].clone()),
        (json!("token:ops"), json!("on it"))
    );
    error(
        s.call("POST", &ack, Some(&operator), None).await,
        409,
        "conflict",
    );
    error(
        s.call("POST", "/api/escalations/999999/ack", Some(&operator), None)
            .await,
        404,
        "not_found",
    );
    assert_eq!(ids(&s.ok("/api/escalations", &viewer).await).len(), 2);
    assert_eq!(
        ids(&s.ok("/api/escalations?all=true", &viewer).await).len(),
        3
    );

    // Workers, schedules, costs, status, whoami.
    let w = WorkerRegistration {
        id: "node-1".into(),
        roles: vec![Role::ALL[0]],
        kinds: vec!["noop".into()],
        concurrency: 2,
        host: "h".into(),
        pid: 1,
        version: "0".into(),
    };
    store.register_worker(&w).await.unwrap();
    let workers = s.ok("/api/workers", &viewer).await;
    assert_eq!(workers[0]["registration"]["id"], "node-1");
    assert_eq!(
        s.ok("/api/schedules", &viewer).await,
        json!({"valid": [], "invalid": []})
    );
    let costs = s
        .ok(
            &format!("/api/costs?goal={g}&day=2026-01-31&limit=5"),
            &viewer,
        )
        .await;
    assert_eq!(
        (costs["spend"]["calls"].clone(), costs["lines"].clone()),
        (json!(0), json!([]))
    );
    let status = s.ok("/api/status", &viewer).await;
    assert_eq!(status["workers"][0]["registration"]["id"], "node-1");
    assert!(
        status["tasks"].is_object() && status["spend_today"].is_object(),
        "{status}"
    );
    assert_eq!(status["day_budget_usd"], json!(20.0), "{status}");
    assert_eq!(s.ok("/api/tokens/whoami", &s.admin).await["role"], "admin");

    // Malformed input: a 400 JSON error for each POST and list route, never a 500.
    let posts = [
        "/api/tasks".to_owned(),
        "/api/tasks/1/retry".to_owned(),
        "/api/tasks/1/cancel".to_owned(),
        "/api/dead-letters/1/requeue".to_owned(),
        "/api/goals".to_owned(),
        format!("/api/goals/{}/pause", goals[1]),
        format!("/api/goals/{}/resume", goals[1]),
        format!("/api/goals/{}/cancel", goals[1]),
        "/api/approvals/1/approve".to_owned(),
        "/api/approvals/1/reject".to_owned(),
        format!("/api/escalations/{first}/ack"),
    ];
    for path in &posts {
        // Retry and requeue take no body; every other POST reads one.
        let reads_body = !path.ends_with("/retry") && !path.ends_with("/requeue");
        let bodies: &[&str] = if reads_body {
            &[
                "{",
                "[1]",
                "\"x\"",
                r#"{"unknown": 1}"#,
                r#"{"reason": 5, "note": 5, "kind": 5, "title": 5}"#,
            ]
        } else {
            &[]
        };
        for body in bodies {
            let got = s.call("POST", path, Some(&s.admin), Some(body)).await;
            error(got, 400, "bad_request");
        }
        for id in ["abc", "0", "-4", "1.5", "99999999999999999999"] {
            let bad = path.replacen(|c: char| c.is_ascii_digit(), "#", 1);
            if bad == *path {
                continue;
            }
            let at = bad.find('#').unwrap();
            let end = path[at..].find('/').map_or(path.len(), |e| at + e);
            let wrong = format!("{}{id}{}", &path[..at], &path[end..]);
            error(
                s.call("POST", &wrong, Some(&s.admin), Some("{}")).await,
                400,
                "bad_request",
            );
        }
    }
    for (path, query) in [
        ("/api/goals", "status=done"),
        ("/api/goals", "cursor=x"),
        ("/api/goals", "limit=0"),
        ("/api/dead-letters", "limit=-1"),
        ("/api/approvals", "cursor=0"),
        ("/api/escalations", "all=maybe"),
        ("/api/escalations", "limit=5000"),
        ("/api/costs", "day=31/01/2026"),
        ("/api/costs", "goal=g"),
        ("/api/costs", "limit=0"),
        (&format!("/api/goals/{g}/progress"), "limit=10001"),
        ("/api/workers", "x=1"),
        ("/api/tasks", "status=%FF"),
    ] {
        let got = s
            .call("GET", &format!("{path}?{query}"), Some(&viewer), None)
            .await;
        error(got, 400, "bad_request");
    }
    error(
        s.call("GET", "/api/nothing/here", Some(&viewer), None)
            .await,
        404,
        "not_found",
    );
    error(
        s.call("DELETE", "/api/goals", Some(&viewer), None).await,
        405,
        "method_not_allowed",
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn goal_and_engine_routes_on_sqlite() {
    let store = juggernaut_testkit::fresh_sqlite().await;
    scenario(store.clone()).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn goal_and_engine_routes_on_postgres() {
    let (store, db) = juggernaut_testkit::fresh_postgres().await;
    scenario(store.clone()).await;
    store.close().await;
    db.remove().await;
}
