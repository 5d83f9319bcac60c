//! What the tests share: a tool context, a local axum server, a recorder of what a fake
//! endpoint received, and error-kind helpers.

use juggernaut_tools::{ToolContext, ToolError, Workspace};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// A context outside any task.
pub fn ctx() -> ToolContext {
    ToolContext {
        task_id: None,
        attempt: 1,
        lease_token: None,
        workspace: Workspace::at(std::env::temp_dir()),
        cancel: tokio_util::sync::CancellationToken::new(),
    }
}

/// Serves `app` on 127.0.0.1 (a free port) until the test's runtime ends.
pub async fn serve(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

/// What a fake endpoint received, in order.
#[derive(Debug, Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<String>>>);

impl Recorder {
    pub fn push(&self, s: impl Into<String>) {
        self.0.lock().unwrap().push(s.into());
    }

    pub fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// The message of a [`ToolError::Model`], or a panic naming what it was.
pub fn model_msg(e: ToolError) -> String {
    match e {
        ToolError::Model(m) => m,
        other => panic!("expected a model error, got {other:?}"),
    }
}

/// The message and retryability of a [`ToolError::Abort`].
pub fn abort(e: ToolError) -> (String, bool) {
    match e {
        ToolError::Abort { message, retryable } => (message, retryable),
        other => panic!("expected an abort, got {other:?}"),
    }
}
