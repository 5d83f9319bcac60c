//! A local fake OpenAI-compatible server for `P1-llm`: every chat completion is answered at once
//! with the same valid two-task plan, so the workload measures Juggernaut's planning path (the
//! prompt, the metered call, parsing, checks, storing) rather than a model.

use axum::Router;
use axum::routing::post;
use serde_json::json;

/// The running server; it stops when dropped.
pub struct FakeLlm {
    /// `http://127.0.0.1:PORT/v1`.
    pub base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeLlm {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the server on a free loopback port.
pub async fn start() -> anyhow::Result<FakeLlm> {
    let plan = json!({"tasks": [
        {"key": "prepare", "kind": "noop", "title": "Prepare", "input": {}},
        {"key": "review", "kind": "noop", "title": "Review", "input": {}, "depends_on": ["prepare"]}
    ]})
    .to_string();
    let body = json!({
        "id": "bench", "object": "chat.completion", "model": "bench-model",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": plan}}],
        "usage": {"prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100}
    })
    .to_string();
    let app = Router::new().route(
        "/v1/chat/completions",
        post(move || {
            let body = body.clone();
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    body,
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("P1-llm fake server stopped: {e}");
        }
    });
    Ok(FakeLlm {
        base_url: format!("http://127.0.0.1:{port}/v1"),
        task,
    })
}
