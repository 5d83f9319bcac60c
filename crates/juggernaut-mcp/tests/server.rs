//! A small MCP server of our own (rmcp's server side), offering `echo`, `add` (structured
//! output), `fail` (`isError`), `die` (the process exits mid-call), `pid`, `env`, `slow` and
//! `big` (a result of the size asked, text or structured). It runs two ways:
//!
//! - over stdio, as a child: this test binary run again with [`stdio_config`], whose only test
//!   is [`stdio_server_entry`] and which serves MCP on stdin and on file descriptor 3 (the shell
//!   wrapper points descriptor 3 at the real stdout and sends the test harness's own output to
//!   `/dev/null`, so nothing but MCP reaches the client);
//! - over streamable HTTP on 127.0.0.1, in-process ([`HttpServer`]), behind a check of the
//!   `Authorization` header.

use juggernaut_mcp::McpServerConfig;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, Content, ServerCapabilities, ServerInfo};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{Json, ServerHandler, ServiceExt, tool, tool_handler, tool_router};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// The variable that makes this binary serve MCP over stdio.
const SERVE: &str = "JG_MCP_TEST_SERVE_STDIO";

/// The token the HTTP server wants.
pub const TOKEN: &str = "test-token-5f3a9c";

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct EchoArgs {
    /// The text to send back.
    pub text: String,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct AddArgs {
    /// The first term.
    pub a: i64,
    /// The second term.
    pub b: i64,
}

#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Sum {
    pub sum: i64,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct SlowArgs {
    /// Milliseconds to wait.
    pub ms: u64,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct BigArgs {
    /// Bytes of data.
    pub bytes: usize,
    /// As structured content (`{"data": ...}`) rather than text.
    pub structured: bool,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct EnvArgs {
    /// The variable's name.
    pub name: String,
}

/// The server.
#[derive(Debug, Clone)]
pub struct TestServer {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl TestServer {
    pub fn new() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }

    #[tool(description = "Send the text back.")]
    fn echo(&self, Parameters(EchoArgs { text }): Parameters<EchoArgs>) -> String {
        text
    }

    #[tool(description = "Add two integers.")]
    fn add(&self, Parameters(AddArgs { a, b }): Parameters<AddArgs>) -> Json<Sum> {
        Json(Sum { sum: a + b })
    }

    #[tool(description = "Fail, always.")]
    fn fail(&self) -> Result<CallToolResult, rmcp::ErrorData> {
        Ok(CallToolResult::error(vec![Content::text(
            "it failed on purpose",
        )]))
    }

    #[tool(description = "Exit the server's process.")]
    fn die(&self) -> String {
        std::process::exit(3)
    }

    #[tool(description = "The server's process id.")]
    fn pid(&self) -> String {
        std::process::id().to_string()
    }

    #[tool(description = "An environment variable of the server (empty if unset).")]
    fn env(&self, Parameters(EnvArgs { name }): Parameters<EnvArgs>) -> String {
        std::env::var(name).unwrap_or_default()
    }

    #[tool(description = "A result of `bytes` bytes of data.")]
    fn big(
        &self,
        Parameters(BigArgs { bytes, structured }): Parameters<BigArgs>,
    ) -> Result<CallToolResult, rmcp::ErrorData> {
        let data = "x".repeat(bytes);
        Ok(if structured {
            CallToolResult::structured(serde_json::json!({ "data": data }))
        } else {
            CallToolResult::success(vec![Content::text(data)])
        })
    }

    #[tool(description = "Wait, then answer.")]
    async fn slow(&self, Parameters(SlowArgs { ms }): Parameters<SlowArgs>) -> String {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        "done".into()
    }
}

#[tool_handler]
impl ServerHandler for TestServer {
    fn get_info(&self) -> ServerInfo {
        ServerInfo {
            capabilities: ServerCapabilities::builder().enable_tools().build(),
            ..Default::default()
        }
    }
}

/// This binary as an MCP server over stdio, with `env` added to its environment.
pub fn stdio_config(env: &[(&str, &str)]) -> McpServerConfig {
    let exe = std::env::current_exe().unwrap();
    let mut c = McpServerConfig::stdio(
        "/bin/sh",
        [
            "-c".to_owned(),
            r#"exec "$0" "$@" 3>&1 1>/dev/null"#.to_owned(),
            exe.display().to_string(),
            "--exact".to_owned(),
            "server::stdio_server_entry".to_owned(),
            "--nocapture".to_owned(),
            "--test-threads=1".to_owned(),
        ],
    );
    c.env.insert(SERVE.into(), "1".into());
    for (k, v) in env {
        c.env.insert((*k).into(), (*v).into());
    }
    c
}

/// Serves MCP over stdin and descriptor 3 when run by [`stdio_config`]; passes otherwise.
#[test]
fn stdio_server_entry() {
    if std::env::var_os(SERVE).is_none() {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let out = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/fd/3")
            .unwrap();
        let transport = (tokio::io::stdin(), tokio::fs::File::from_std(out));
        let running = TestServer::new().serve(transport).await.unwrap();
        let _ = running.waiting().await;
    });
}

/// The server over streamable HTTP on 127.0.0.1, until stopped.
pub struct HttpServer {
    pub url: String,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl HttpServer {
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0").await
    }

    /// The server at `addr` (`127.0.0.1:0`: a free port).
    pub async fn start_on(addr: &str) -> Self {
        let stop = CancellationToken::new();
        let service = StreamableHttpService::new(
            || Ok(TestServer::new()),
            Arc::new(LocalSessionManager::default()),
            StreamableHttpServerConfig {
                cancellation_token: stop.child_token(),
                ..Default::default()
            },
        );
        let router = axum::Router::new()
            .nest_service("/mcp", service)
            .layer(axum::middleware::from_fn(authorized));
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let url = format!("http://{}/mcp", listener.local_addr().unwrap());
        let done = stop.clone();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move { done.cancelled_owned().await })
                .await;
        });
        Self { url, stop, task }
    }

    /// Its address.
    pub fn addr(&self) -> String {
        self.url
            .trim_start_matches("http://")
            .trim_end_matches("/mcp")
            .to_owned()
    }

    /// A configuration reaching it with `token`.
    pub fn config(&self, token: &str) -> McpServerConfig {
        let mut c = McpServerConfig::http(&self.url);
        c.headers
            .insert("Authorization".into(), format!("Bearer {token}"));
        c.timeout_secs = Some(5);
        c
    }

    /// Stops it: open sessions end, the port closes.
    pub async fn stop(self) {
        self.stop.cancel();
        self.task.abort();
        let _ = self.task.await;
    }
}

/// Refuses requests without the right bearer token.
async fn authorized(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let expected = format!("Bearer {TOKEN}");
    let ok = request
        .headers()
        .get("authorization")
        .is_some_and(|v| v.as_bytes() == expected.as_bytes());
    if ok {
        next.run(request).await
    } else {
        axum::response::IntoResponse::into_response(axum::http::StatusCode::UNAUTHORIZED)
    }
}
