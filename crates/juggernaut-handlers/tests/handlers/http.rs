//! `http` run for real against a local server through `http_request`: an expected answer, a
//! body sent and an expected non-2xx status, an answer worth retrying (503), one that is not
//! (404), a host the allowlist refuses, and inputs refused at enqueue.

use crate::support::{Rig, completed, ended, evidence_calls, serve, tools_of};
use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use juggernaut_core::{Evidence, TaskStatus};
use juggernaut_tools_net::{HttpConfig, HttpRequest};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// A server with `/ok`, `/items` (POST, echoes the body with 201), `/busy` (503, `Retry-After`)
/// and `/missing` (404); and a rig whose `http_request` may reach it.
async fn rig() -> (Rig, String, Arc<Mutex<Vec<Value>>>) {
    let posted = Arc::new(Mutex::new(Vec::new()));
    let seen = posted.clone();
    let app = axum::Router::new()
        .route("/ok", get(|| async { Json(json!({"n": 1})) }))
        .route(
            "/items",
            post(move |headers: HeaderMap, Json(body): Json<Value>| {
                let seen = seen.clone();
                async move {
                    let auth = headers
                        .get("x-token")
                        .map(|v| v.to_str().unwrap().to_owned());
                    seen.lock()
                        .unwrap()
                        .push(json!({"body": body, "token": auth}));
                    (StatusCode::CREATED, Json(json!({"id": 7})))
                }
            }),
        )
        .route(
            "/busy",
            get(|| async {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [("retry-after", "7")],
                    "try later",
                )
            }),
        )
        .route(
            "/missing",
            get(|| async { (StatusCode::NOT_FOUND, "no such thing") }),
        );
    let port = serve(app).await;
    let tool = HttpRequest::new(&HttpConfig {
        allow_hosts: vec![format!("127.0.0.1:{port}")],
        ..HttpConfig::default()
    })
    .unwrap();
    let rig = Rig::start(vec![Arc::new(tool)]).await;
    (rig, format!("http://127.0.0.1:{port}"), posted)
}

#[tokio::test]
async fn an_expected_answer_completes_the_task() {
    let (rig, base, _) = rig().await;
    let t = rig
        .run(
            "http",
            json!({"method": "GET", "url": format!("{base}/ok")}),
        )
        .await;
    completed(&t);
    let result = t.result.clone().unwrap();
    assert_eq!(result["status"], 200);
    assert_eq!(result["body"], json!({"n": 1}));
    let calls = rig.calls(t.id).await;
    assert_eq!(tools_of(&calls), ["http_request"]);
    assert_eq!(evidence_calls(&t), [calls[0].id.to_string()]);
    assert!(t.evidence.contains(&Evidence::HttpResponse {
        status: 200,
        url: format!("{base}/ok"),
    }));
}

#[tokio::test]
async fn a_body_is_sent_and_another_status_may_be_expected() {
    let (rig, base, posted) = rig().await;
    let input = json!({
        "method": "POST", "url": format!("{base}/items"),
        "headers": {"x-token": "abc"}, "body": {"name": "widget"}, "expect_status": [201],
    });
    let t = rig.run("http", input).await;
    completed(&t);
    assert_eq!(t.result.as_ref().unwrap()["body"], json!({"id": 7}));
    assert_eq!(
        posted.lock().unwrap().clone(),
        [json!({"body": {"name": "widget"}, "token": "abc"})]
    );
    // An answer outside `expect_status` fails even when it is a 2xx.
    let input = json!({"method": "GET", "url": format!("{base}/ok"), "expect_status": [204]});
    let err = ended(&rig.run("http", input).await, TaskStatus::Failed);
    assert!(err.contains("answered 200 (expected 204)"), "{err}");
}

#[tokio::test]
async fn a_server_error_is_retryable_and_a_404_is_not() {
    let (rig, base, _) = rig().await;
    let t = rig
        .run(
            "http",
            json!({"method": "GET", "url": format!("{base}/busy")}),
        )
        .await;
    // One attempt allowed: a retryable failure dead-letters it.
    let err = ended(&t, TaskStatus::Dead);
    assert!(
        err.contains("answered 503 (expected 2xx): try later"),
        "{err}"
    );
    let t = rig
        .run(
            "http",
            json!({"method": "GET", "url": format!("{base}/missing")}),
        )
        .await;
    let err = ended(&t, TaskStatus::Failed);
    assert!(
        err.contains("answered 404 (expected 2xx): no such thing"),
        "{err}"
    );
    assert_eq!(rig.calls(t.id).await.len(), 1);
}

#[tokio::test]
async fn a_host_the_allowlist_refuses_fails_the_task() {
    let (rig, _, _) = rig().await;
    let t = rig
        .run(
            "http",
            json!({"method": "GET", "url": "http://127.0.0.1:9/x"}),
        )
        .await;
    let err = ended(&t, TaskStatus::Failed);
    assert!(err.starts_with("GET http://127.0.0.1:9/x: "), "{err}");
}

#[tokio::test]
async fn bad_requests_are_refused_at_enqueue() {
    let rig = Rig::start(vec![]).await;
    let cases = [
        (
            json!({"method": "FETCH", "url": "http://a.test/"}),
            "`method`",
        ),
        (json!({"method": "GET", "url": "ftp://a.test/"}), "`url`"),
        (
            json!({"method": "GET", "url": "http://a.test/", "body": "x"}),
            "`body`: a GET request",
        ),
        (
            json!({"method": "GET", "url": "http://a.test/", "expect_status": [99]}),
            "`expect_status`: 99",
        ),
        (
            json!({"method": "GET", "url": "http://a.test/", "expect_status": []}),
            "`expect_status`",
        ),
        (
            json!({"method": "GET", "url": "http://a.test/", "timeout": 3}),
            "unknown field `timeout`",
        ),
    ];
    for (input, want) in cases {
        let err = rig.refused("http", input.clone());
        assert!(err.contains(want), "{input}: {err}");
    }
}
