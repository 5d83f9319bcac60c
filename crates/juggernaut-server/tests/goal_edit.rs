//! `PATCH /api/goals/{id}`, `POST /api/goals/{id}/plan` and `GET /api/goals/{id}/plan` through a
//! real listener on SQLite and PostgreSQL: an operator edits some fields (the rest stay; `null`
//! removes the deadline), a viewer may not, bad patches are 400, finished goals 409; a replan
//! request is accepted (202) for an active goal only; the plan view is 404 until a plan exists.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use juggernaut_core::plan::{PlanGraph, PlanTask};
use juggernaut_core::{GoalId, NewTask, TaskKind};
use juggernaut_store::{NewPlan, Store};
use serde_json::json;
use std::sync::Arc;
use support::{Server, error};

async fn scenario(store: Arc<dyn Store>) {
    let s = Server::start(store.clone()).await;
    let (viewer, operator) = (s.viewer.clone(), s.operator.clone());
    let body = json!({"title": "Grow", "tags": ["q3"], "deadline": "2031-01-01T00:00:00Z",
        "target": {"source": {"type": "manual"}, "target": 10.0, "unit": "leads"}});
    let g = s
        .post("/api/goals", &operator, &body.to_string(), 201)
        .await;
    let id = g["id"].as_i64().unwrap();
    let path = format!("/api/goals/{id}");

    let patch = r#"{"title": "Grow more", "deadline": null}"#;
    error(
        s.call("PATCH", &path, Some(&viewer), Some(patch)).await,
        403,
        "forbidden",
    );
    let (status, edited) = s.call("PATCH", &path, Some(&operator), Some(patch)).await;
    assert_eq!(status.as_u16(), 200, "{edited}");
    assert_eq!(edited["title"], "Grow more");
    assert_eq!(edited["deadline"], json!(null), "null removes it");
    assert_eq!(edited["tags"], json!(["q3"]), "absent keeps it");
    assert_eq!(edited["target"]["target"], 10.0);
    let budget = |b: &str| {
        let s = &s;
        let (path, operator, b) = (path.clone(), operator.clone(), b.to_owned());
        async move { s.call("PATCH", &path, Some(&operator), Some(&b)).await.1 }
    };
    let set = budget(r#"{"budget_usd": 5.0, "max_tasks": 9}"#).await;
    assert_eq!(
        (
            set["budget"]["money_usd"].clone(),
            set["budget"]["max_tasks"].clone()
        ),
        (json!(5.0), json!(9))
    );
    let cleared = budget(r#"{"budget_usd": null}"#).await;
    assert_eq!(cleared["budget"]["money_usd"], json!(null), "{cleared}");
    assert_eq!(cleared["budget"]["max_tasks"], 9, "absent keeps it");
    for bad in [
        r#"{}"#,
        r#"{"title": ""}"#,
        r#"{"colour": "red"}"#,
        r#"{"tags": 3}"#,
        "[1",
    ] {
        error(
            s.call("PATCH", &path, Some(&operator), Some(bad)).await,
            400,
            "bad_request",
        );
    }
    error(
        s.call("PATCH", "/api/goals/99999", Some(&operator), Some(patch))
            .await,
        404,
        "not_found",
    );

    error(
        s.call("GET", &format!("{path}/plan"), Some(&viewer), None)
            .await,
        404,
        "not_found",
    );
    let graph = PlanGraph {
        tasks: vec![PlanTask {
            key: "a".into(),
            kind: "noop".into(),
            title: "a".into(),
            input: json!({}),
            depends_on: vec![],
            priority: 0,
            acceptance: vec![],
        }],
    };
    let plan = NewPlan {
        goal_id: GoalId(id),
        version: 1,
        graph,
        made_by: "playbook:test@1".into(),
        tasks: vec![(NewTask::new(TaskKind::new("noop").unwrap()), vec![])],
    };
    store.store_plan(plan, "planner").await.unwrap();
    let shown = s.ok(&format!("{path}/plan"), &viewer).await;
    assert_eq!(shown["plan"]["version"], 1, "{shown}");
    assert_eq!(shown["diff"], json!(null));

    let asked = s.post(&format!("{path}/plan"), &operator, "{}", 202).await;
    assert_eq!(asked["id"], id);
    error(
        s.call("POST", &format!("{path}/plan"), Some(&viewer), Some("{}"))
            .await,
        403,
        "forbidden",
    );
    s.post(&format!("{path}/cancel"), &operator, "{}", 200)
        .await;
    error(
        s.call("POST", &format!("{path}/plan"), Some(&operator), Some("{}"))
            .await,
        409,
        "conflict",
    );
    error(
        s.call("PATCH", &path, Some(&operator), Some(patch)).await,
        409,
        "conflict",
    );
    let audit = s.ok("/api/audit?kind=goal.edited", &viewer).await;
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(3), "{audit}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn goal_edits_and_plans_on_sqlite() {
    let store = juggernaut_testkit::fresh_sqlite().await;
    scenario(store.clone()).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn goal_edits_and_plans_on_postgres() {
    let (store, db) = juggernaut_testkit::fresh_postgres().await;
    scenario(store.clone()).await;
    store.close().await;
    db.remove().await;
}
