//! The `/api` routes through a real listener on a loopback port, over SQLite and PostgreSQL:
//! tokens authenticate (401 without one, or with an unknown or revoked one), roles authorise
//! (a viewer reads but cannot approve: 403, the task still waiting), an approver decides, and
//! bad input is a JSON 4xx, never a 500.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use juggernaut_app::App;
use juggernaut_core::{ApiRole, NewTask, RiskLevel, TaskId, TaskKind, TaskStatus};
use juggernaut_engine::idle::IdleBoard;
use juggernaut_handler::Registry;
use juggernaut_server::{AppState, bind, spawn};
use juggernaut_store::{ApprovalRequest, ClaimRequest, LeaseRef, Store};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A `noop` task claimed and parked in `waiting_approval`, as a handler asking would.
async fn parked(store: &Arc<dyn Store>) -> TaskId {
    let kind = TaskKind::new("noop").unwrap();
    let id = store
        .enqueue(NewTask::new(kind.clone()))
        .await
        .unwrap()
        .task
        .id;
    let claimed = store
        .claim(&ClaimRequest {
            worker: "w".into(),
            kinds: vec![kind],
            limit: 1,
            lease: Duration::from_secs(30),
        })
        .await
        .unwrap();
    assert_eq!(claimed[0].id, id);
    let ask = ApprovalRequest {
        lease: LeaseRef::of(&claimed[0]).unwrap(),
        reason: "merges to main".into(),
        risk: RiskLevel::High,
        assessment: None,
    };
    store.request_approval(ask).await.unwrap();
    id
}

/// A client of one listener.
struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> (StatusCode, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_owned());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.call("GET", path, token, None).await
    }

    async fn post(&self, path: &str, token: Option<&str>, body: &str) -> (StatusCode, Value) {
        self.call("POST", path, token, Some(body)).await
    }
}

/// Asserts a JSON error of `code`, returning its message.
fn error(got: (StatusCode, Value), status: StatusCode, code: &str) -> String {
    assert_eq!(got.0, status, "{}", got.1);
    assert_eq!(got.1["error"]["code"], code, "{}", got.1);
    got.1["error"]["message"].as_str().unwrap().to_owned()
}

async fn status_of(store: &Arc<dyn Store>, id: TaskId) -> TaskStatus {
    store.get(id).await.unwrap().unwrap().status
}

async fn scenario(store: Arc<dyn Store>) {
    let app = App::new(store.clone(), Registry::new(vec![]).unwrap());
    let viewer = app
        .create_token("dash", ApiRole::Viewer, "alice")
        .await
        .unwrap();
    let approver = app
        .create_token("lead", ApiRole::Approver, "alice")
        .await
        .unwrap();
    let gone = app
        .create_token("old", ApiRole::Admin, "alice")
        .await
        .unwrap();
    app.revoke_token(gone.record.id, "alice").await.unwrap();
    let (viewer, approver, gone) = (viewer.token(), approver.token(), gone.token());
    let first = parked(&store).await;
    let second = parked(&store).await;

    let state = AppState {
        store: store.clone(),
        app,
        worker: "w".into(),
        idle: IdleBoard::default(),
        events: Default::default(),
    };
    let listener = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let stop = CancellationToken::new();
    let served = spawn(listener, state, stop.clone());
    let api = Api {
        base,
        http: reqwest::Client::new(),
    };

    // Health stays public; the API does not.
    assert_eq!(api.get("/healthz", None).await.0, StatusCode::OK);
    let msg = error(
        api.get("/api/approvals", None).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert!(msg.contains("Bearer"), "{msg}");
    error(
        api.get("/api/approvals", Some("jgt_00")).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let msg = error(
        api.get("/api/tokens/whoami", Some(gone)).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert!(msg.contains("revoked"), "{msg}");

    // A viewer reads, and cannot approve.
    let (code, page) = api.get("/api/approvals", Some(viewer)).await;
    assert_eq!(code, StatusCode::OK, "{page}");
    let ids: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![second.0, first.0]);
    assert_eq!(page["items"][0]["waiting"]["reason"], "merges to main");
    let (code, one) = api.get("/api/approvals?limit=1", Some(viewer)).await;
    assert_eq!(
        (code, one["next_cursor"].as_i64()),
        (StatusCode::OK, Some(second.0))
    );
    error(
        api.get("/api/approvals?limit=0", Some(viewer)).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    let (code, me) = api.get("/api/tokens/whoami", Some(viewer)).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(
        (
            me["name"].clone(),
            me["role"].clone(),
            me["permissions"].clone()
        ),
        (json!("dash"), json!("viewer"), json!(["read"]))
    );
    let approve_first = format!("/api/approvals/{first}/approve");
    let msg = error(
        api.post(&approve_first, Some(viewer), r#"{"reason": "ok"}"#)
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert!(
        msg.contains("role `viewer`") && msg.contains("admin or approver"),
        "{msg}"
    );
    assert_eq!(status_of(&store, first).await, TaskStatus::WaitingApproval);

    // Bad input is a 4xx naming it; nothing changes.
    let msg = error(
        api.post(&approve_first, Some(approver), r#"{"reason": "#)
            .await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    assert!(msg.contains("JSON object"), "{msg}");
    error(
        api.post(&approve_first, Some(approver), r#"{"why": "x"}"#)
            .await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    error(
        api.post(&approve_first, Some(approver), "[1]").await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    error(
        api.post("/api/approvals/abc/approve", Some(approver), "{}")
            .await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    error(
        api.post("/api/approvals/999999/approve", Some(approver), "{}")
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let reject_second = format!("/api/approvals/{second}/reject");
    let msg = error(
        api.post(&reject_second, Some(approver), "").await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    assert!(msg.contains("reason"), "{msg}");
    error(
        api.get(&approve_first, Some(approver)).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
    error(
        api.get("/api/nothing", Some(approver)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(status_of(&store, first).await, TaskStatus::WaitingApproval);

    // An approver decides, as `token:NAME`; a second decision is a conflict.
    let (code, task) = api
        .post(
            &approve_first,
            Some(approver),
            r#"{"reason": "looks right"}"#,
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{task}");
    assert_eq!(task["id"], first.0);
    let now = status_of(&store, first).await;
    assert!(
        matches!(now, TaskStatus::Ready | TaskStatus::Pending),
        "{now}"
    );
    let events = store.task_events(first).await.unwrap();
    let approved = events
        .iter()
        .find(|e| e.kind == juggernaut_core::EventKind::TaskApproved)
        .unwrap();
    assert_eq!(approved.actor, "token:lead");
    assert_eq!(approved.data["reason"], "looks right");
    let msg = error(
        api.post(&approve_first, Some(approver), "").await,
        StatusCode::CONFLICT,
        "conflict",
    );
    assert!(msg.contains("not waiting_approval"), "{msg}");
    let (code, task) = api
        .post(&reject_second, Some(approver), r#"{"reason": "too risky"}"#)
        .await;
    assert_eq!(
        (code, task["status"].clone()),
        (StatusCode::OK, json!("cancelled"))
    );

    // Revoking takes effect on the next call.
    let record = store
        .tokens()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "dash")
        .unwrap();
    assert!(record.last_used_at.is_some(), "use is recorded");
    store.revoke_token(record.id, "alice").await.unwrap();
    error(
        api.get("/api/approvals", Some(viewer)).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );

    stop.cancel();
    served.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_and_roles_guard_the_api_on_sqlite() {
    let store = juggernaut_testkit::fresh_sqlite().await;
    scenario(store.clone()).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_and_roles_guard_the_api_on_postgres() {
    let (store, db) = juggernaut_testkit::fresh_postgres().await;
    scenario(store.clone()).await;
    store.close().await;
    db.remove().await;
}
