//! The demo's webhook sink: a local HTTP endpoint on loopback that records what `notify` posts
//! to it, so that the demo's messages are really sent and really received without reaching
//! outside the machine. It stops with the demo.

use axum::Json;
use axum::extract::State;
use axum::routing::post;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// The running sink.
pub struct Sink {
    addr: std::net::SocketAddr,
    received: Arc<Mutex<Vec<serde_json::Value>>>,
    stop: CancellationToken,
}

async fn hook(
    State(received): State<Arc<Mutex<Vec<serde_json::Value>>>>,
    Json(body): Json<serde_json::Value>,
) -> Json<serde_json::Value> {
    let id = match received.lock() {
        Ok(mut r) => {
            r.push(body);
            r.len()
        }
        Err(_) => 0,
    };
    Json(serde_json::json!({ "id": format!("demo-{id}") }))
}

impl Sink {
    /// Starts listening on 127.0.0.1 (a free port).
    pub async fn start() -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let received = Arc::new(Mutex::new(Vec::new()));
        let app = axum::Router::new()
            .route("/hook", post(hook))
            .with_state(received.clone());
        let stop = CancellationToken::new();
        let token = stop.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(token.cancelled_owned())
                .await;
        });
        Ok(Self {
            addr,
            received,
            stop,
        })
    }

    /// The URL `notify` posts to.
    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// The messages received so far.
    pub fn received(&self) -> Vec<serde_json::Value> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Stops listening.
    pub fn stop(&self) {
        self.stop.cancel();
    }
}
