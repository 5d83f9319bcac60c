//! What the REST tests share: a listener on a loopback port over a given store, with a `noop`
//! kind that accepts any JSON object, one token per role, and a client that returns each
//! answer's status and JSON body.
#![allow(dead_code)]

use async_trait::async_trait;
use juggernaut_app::App;
use juggernaut_core::ApiRole;
use juggernaut_engine::idle::IdleBoard;
use juggernaut_handler::{
    Done, Handler, HandlerError, InputSpec, Outcome, Registry, TaskContext, TaskInput,
};
use juggernaut_server::{AppState, bind, spawn};
use juggernaut_store::Store;
use reqwest::StatusCode;
use serde_json::Value;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Any JSON object.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct AnyObject(pub serde_json::Map<String, Value>);

impl TaskInput for AnyObject {}

/// A `noop` kind for enqueue checks (these tests never run it).
pub struct Noop;

#[async_trait]
impl Handler for Noop {
    fn kind(&self) -> &'static str {
        "noop"
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

/// A running listener and a token of each role.
pub struct Server {
    pub base: String,
    pub http: reqwest::Client,
    pub viewer: String,
    pub approver: String,
    pub operator: String,
    pub admin: String,
    stop: CancellationToken,
    served: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Serves `store` on 127.0.0.1:0.
    pub async fn start(store: Arc<dyn Store>) -> Self {
        Self::start_with(store, vec![]).await
    }

    /// Serves `store` on 127.0.0.1:0 with these handlers besides `noop`.
    pub async fn start_with(store: Arc<dyn Store>, more: Vec<Arc<dyn Handler>>) -> Self {
        let mut handlers = vec![Arc::new(Noop) as Arc<dyn Handler>];
        handlers.extend(more);
        let registry = Registry::new(handlers).unwrap();
        let app = App::new(store.clone(), registry).with_day_budget(Some(20.0));
        let mut tokens = Vec::new();
        for (name, role) in [
            ("view", ApiRole::Viewer),
            ("lead", ApiRole::Approver),
            ("ops", ApiRole::Operator),
            ("root", ApiRole::Admin),
        ] {
            let issued = app.create_token(name, role, "alice").await.unwrap();
            tokens.push(issued.token().to_owned());
        }
        let state = AppState {
            store,
            app,
            worker: "w".into(),
            idle: IdleBoard::default(),
            events: Default::default(),
        };
        let listener = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let stop = CancellationToken::new();
        let served = spawn(listener, state, stop.clone());
        let mut t = tokens.into_iter();
        Self {
            base,
            http: reqwest::Client::new(),
            viewer: t.next().unwrap(),
            approver: t.next().unwrap(),
            operator: t.next().unwrap(),
            admin: t.next().unwrap(),
            stop,
            served,
        }
    }

    /// Stops the listener.
    pub async fn stop(self) {
        self.stop.cancel();
        self.served.await.unwrap();
    }

    /// One call: method, path, token, raw body.
    pub async fn call(
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
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("{status} {path}: not JSON: {text}"));
        (status, value)
    }

    /// A GET that must answer 200; its body.
    pub async fn ok(&self, path: &str, token: &str) -> Value {
        let (status, body) = self.call("GET", path, Some(token), None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    /// A POST that must answer `want`; its body.
    pub async fn post(&self, path: &str, token: &str, body: &str, want: u16) -> Value {
        let (status, got) = self.call("POST", path, Some(token), Some(body)).await;
        assert_eq!(status.as_u16(), want, "POST {path} {body}: {got}");
        got
    }
}

/// Asserts a JSON error with `status` and `code`; returns its message.
pub fn error(got: (StatusCode, Value), status: u16, code: &str) -> String {
    assert_eq!(got.0.as_u16(), status, "{}", got.1);
    assert_eq!(got.1["error"]["code"], code, "{}", got.1);
    got.1["error"]["message"].as_str().unwrap().to_owned()
}

/// The ids of a page's items.
pub fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect()
}
