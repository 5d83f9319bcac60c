//! A fake OpenAI-compatible chat-completions server on loopback, for tests of the LLM client and
//! everything that calls a model. It answers from a script (text, tool calls, an error status
//! with `Retry-After`, a hang, a malformed body), records every request (body and
//! `Authorization` header) so tests can assert what was sent, and stops when dropped.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with this text as the message (usage: 100 prompt, 20 completion tokens).
    Text(String),
    /// 200 with this text and a reported cost in USD (as OpenRouter reports it).
    Costed(String, f64),
    /// 200 with these tool calls (name, arguments).
    ToolCalls(Vec<(String, Value)>),
    /// This status, with an optional `Retry-After` value and an error body.
    Status(u16, Option<String>, String),
    /// No answer for this long, then `Text("late")`.
    Hang(Duration),
    /// 200 with this body as it is (malformed JSON, odd shapes).
    Raw(String),
    /// 200 with this text followed by every `[call:N]` the request's tool results show: a model
    /// that cites the calls it was told about, whatever their ledger ids turned out to be.
    CiteToolResults(String),
}

impl Reply {
    /// 200 whose text is `value` serialised.
    pub fn json(value: &Value) -> Self {
        Self::Text(value.to_string())
    }
}

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The JSON body (`Value::Null` if it was not JSON).
    pub body: Value,
    /// The `Authorization` header.
    pub authorization: Option<String>,
}

impl Received {
    /// Every message's text, joined: what the model was told.
    pub fn prompt(&self) -> String {
        self.body["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["content"].as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[derive(Default)]
struct Script {
    replies: VecDeque<Reply>,
    fallback: Option<Reply>,
    received: Vec<Received>,
}

type Shared = Arc<Mutex<Script>>;

/// The running server; it stops when dropped.
pub struct FakeLlm {
    port: u16,
    script: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl FakeLlm {
    /// Starts on 127.0.0.1 on a free port. With nothing scripted it answers 500.
    pub async fn start() -> Self {
        let script: Shared = Arc::default();
        let app = Router::new()
            .route("/v1/chat/completions", post(answer))
            .with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { port, script, task }
    }

    /// The base URL to configure (`http://127.0.0.1:PORT/v1`).
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    /// Queues an answer.
    pub fn push(&self, reply: Reply) {
        self.script.lock().unwrap().replies.push_back(reply);
    }

    /// The answer given when the queue is empty (`None`: 500).
    pub fn fallback(&self, reply: Option<Reply>) {
        self.script.lock().unwrap().fallback = reply;
    }

    /// Requests received so far.
    pub fn received(&self) -> Vec<Received> {
        self.script.lock().unwrap().received.clone()
    }

    /// How many requests arrived.
    pub fn count(&self) -> usize {
        self.script.lock().unwrap().received.len()
    }
}

impl Drop for FakeLlm {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(State(script): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let reply = {
        let mut s = script.lock().unwrap();
        s.received.push(Received {
            body: serde_json::from_str(&body).unwrap_or(Value::Null),
            authorization: headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        });
        s.replies.pop_front().or_else(|| s.fallback.clone())
    };
    let model = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|b| b["model"].as_str().map(str::to_owned))
        .unwrap_or_default();
    match reply {
        None => (StatusCode::INTERNAL_SERVER_ERROR, "no scripted reply").into_response(),
        Some(Reply::CiteToolResults(t)) => {
            let cited = tool_result_calls(&body);
            let text = format!("{t} {}", cited.join(" "));
            ok(&model, json!({"role": "assistant", "content": text}), None)
        }
        Some(Reply::Hang(d)) => {
            tokio::time::sleep(d).await;
            ok(
                &model,
                json!({"role": "assistant", "content": "late"}),
                None,
            )
        }
        Some(Reply::Text(t)) => ok(&model, json!({"role": "assistant", "content": t}), None),
        Some(Reply::Costed(t, c)) => {
            ok(&model, json!({"role": "assistant", "content": t}), Some(c))
        }
        Some(Reply::ToolCalls(calls)) => {
            let calls: Vec<Value> = calls
                .iter()
                .enumerate()
                .map(|(i, (name, args))| {
                    json!({"id": format!("call_{i}"), "type": "function",
                           "function": {"name": name, "arguments": args.to_string()}})
                })
                .collect();
            ok(
                &model,
                json!({"role": "assistant", "content": null, "tool_calls": calls}),
                None,
            )
        }
        Some(Reply::Status(code, retry_after, body)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response =
                (status, json!({"error": {"message": body}}).to_string()).into_response();
            if let Some(v) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, v.parse().unwrap());
            }
            response
        }
        Some(Reply::Raw(body)) => (StatusCode::OK, body).into_response(),
    }
}

/// The `[call:N]` markers in the request's tool-result messages, in order.
fn tool_result_calls(body: &str) -> Vec<String> {
    let body: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let mut out = Vec::new();
    for m in body["messages"].as_array().into_iter().flatten() {
        if m["role"] != "tool" {
            continue;
        }
        let text = m["content"].as_str().unwrap_or_default();
        let mut rest = text;
        while let Some(at) = rest.find("[call:") {
            let Some(end) = rest[at..].find(']') else {
                break;
            };
            out.push(rest[at..at + end + 1].to_owned());
            rest = &rest[at + end + 1..];
        }
    }
    out
}

fn ok(model: &str, message: Value, cost: Option<f64>) -> Response {
    let mut usage = json!({"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120});
    if let Some(c) = cost {
        usage["cost"] = json!(c);
    }
    let body = json!({
        "id": "chatcmpl-fake", "object": "chat.completion", "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": usage,
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}
