//! Experiments through a real listener on SQLite and PostgreSQL: an operator starts one (a
//! viewer may not; a bad spec is a 400 naming the field), viewers list them in keyset pages and
//! by status and read one with its points and conclusion, an operator stops it with a reason
//! (404 unknown, 409 twice), and malformed queries, paths and bodies are 400s.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use async_trait::async_trait;
use juggernaut_handler::{Done, Handler, HandlerError, InputSpec, Outcome, TaskContext};
use juggernaut_store::{NewPoint, Store};
use serde_json::json;
use std::sync::Arc;
use support::{AnyObject, Server, error, ids};

/// An `experiment_step` kind, so that experiments can be started (these tests never run it).
struct Step;

#[async_trait]
impl Handler for Step {
    fn kind(&self) -> &'static str {
        "experiment_step"
    }

    fn description(&self) -> &'static str {
        "test kind"
    }

    fn input(&self) -> InputSpec {
        InputSpec::of::<AnyObject>()
    }

    async fn run(&self, _: &TaskContext) -> Result<Outcome, HandlerError> {
        Err(HandlerError::Permanent("not run in these tests".into()))
    }

    async fn verify(&self, _: &TaskContext, _: &Done) -> Result<(), String> {
        Err("not run in these tests".into())
    }
}

fn body(name: &str) -> serde_json::Value {
    json!({
        "name": name,
        "hypothesis": "Green converts better",
        "variants": [{"name": "blue", "control": true}, {"name": "green"}],
        "metric": {"source": "shop", "query": "SELECT SUM(b), COUNT(*) FROM v WHERE variant = {{variant}}"},
        "min_sample": 100,
        "max_duration_secs": 3600,
        "rule": {"type": "bayesian", "alpha": 0.05, "max_loss": 0.01},
        "rollout": {"kind": "noop", "title": "Roll out {{variant}}"},
    })
}

async fn scenario(store: Arc<dyn Store>) {
    let s = Server::start_with(store.clone(), vec![Arc::new(Step)]).await;
    let (viewer, operator) = (s.viewer.clone(), s.operator.clone());
    let first = body("First").to_string();
    error(
        s.call("POST", "/api/experiments", Some(&viewer), Some(&first))
            .await,
        403,
        "forbidden",
    );
    let mut made = Vec::new();
    for name in ["First", "Second", "Third"] {
        let e = s
            .post("/api/experiments", &operator, &body(name).to_string(), 201)
            .await;
        assert_eq!(
            (e["status"].clone(), e["created_by"].clone()),
            (json!("running"), json!("token:ops"))
        );
        made.push(e["id"].as_i64().unwrap());
    }
    let page = s.ok("/api/experiments?limit=2", &viewer).await;
    assert_eq!(ids(&page), [made[2], made[1]]);
    let next = s
        .ok(
            &format!("/api/experiments?limit=2&cursor={}", page["next_cursor"]),
            &viewer,
        )
        .await;
    assert_eq!(ids(&next), [made[0]]);
    assert!(next["next_cursor"].is_null());
    let id = juggernaut_core::experiment::ExperimentId(made[0]);
    store
        .start_iteration(id, 1, vec![], "leader")
        .await
        .unwrap();
    let point = NewPoint {
        experiment: id,
        iteration: 1,
        variant: "green".into(),
        successes: 4,
        trials: 9,
        task_id: None,
    };
    store.record_point(point, "w").await.unwrap();
    let one = s
        .ok(&format!("/api/experiments/{}", made[0]), &viewer)
        .await;
    assert_eq!(one["experiment"]["spec"]["name"], "First");
    assert_eq!(one["experiment"]["iteration"], 1);
    assert_eq!(one["points"][0]["trials"], 9);
    assert!(one["experiment"]["conclusion"].is_null());
    let stop = format!("/api/experiments/{}/stop", made[1]);
    error(
        s.call("POST", &stop, Some(&viewer), Some(r#"{"reason": "x"}"#))
            .await,
        403,
        "forbidden",
    );
    let stopped = s
        .post(&stop, &operator, r#"{"reason": "wrong page"}"#, 200)
        .await;
    assert_eq!(
        (stopped["status"].clone(), stopped["stop_reason"].clone()),
        (json!("stopped"), json!("wrong page"))
    );
    error(
        s.call(
            "POST",
            &stop,
            Some(&operator),
            Some(r#"{"reason": "again"}"#),
        )
        .await,
        409,
        "conflict",
    );
    error(
        s.call(
            "POST",
            "/api/experiments/999999/stop",
            Some(&operator),
            Some(r#"{"reason": "x"}"#),
        )
        .await,
        404,
        "not_found",
    );
    error(
        s.call("GET", "/api/experiments/999999", Some(&viewer), None)
            .await,
        404,
        "not_found",
    );
    assert_eq!(
        ids(&s.ok("/api/experiments?status=stopped", &viewer).await),
        [made[1]]
    );
    assert_eq!(
        ids(&s.ok("/api/experiments?status=running", &viewer).await).len(),
        2
    );
    // Bad input: each a 400 JSON error, naming what is wrong.
    let mut bad = body("Bad");
    bad["variants"][1]["control"] = json!(true);
    let why = error(
        s.call(
            "POST",
            "/api/experiments",
            Some(&operator),
            Some(&bad.to_string()),
        )
        .await,
        400,
        "bad_request",
    );
    assert!(why.contains("variants.control"), "{why}");
    let mut unknown = body("Bad");
    unknown["colour"] = json!("red");
    error(
        s.call(
            "POST",
            "/api/experiments",
            Some(&operator),
            Some(&unknown.to_string()),
        )
        .await,
        400,
        "bad_request",
    );
    let why = error(
        s.call(
            "POST",
            &format!("/api/experiments/{}/stop", made[2]),
            Some(&operator),
            Some("{}"),
        )
        .await,
        400,
        "bad_request",
    );
    assert!(why.contains("reason"), "{why}");
    for query in ["status=paused", "limit=0", "cursor=abc", "colour=red"] {
        let got = s
            .call(
                "GET",
                &format!("/api/experiments?{query}"),
                Some(&viewer),
                None,
            )
            .await;
        error(got, 400, "bad_request");
    }
    error(
        s.call("GET", "/api/experiments/abc", Some(&viewer), None)
            .await,
        400,
        "bad_request",
    );
    error(
        s.call("GET", "/api/experiments", None, None).await,
        401,
        "unauthorized",
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn experiment_routes_on_sqlite() {
    let store = juggernaut_testkit::fresh_sqlite().await;
    scenario(store.clone()).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn experiment_routes_on_postgres() {
    let (store, db) = juggernaut_testkit::fresh_postgres().await;
    scenario(store.clone()).await;
    store.close().await;
    db.remove().await;
}
