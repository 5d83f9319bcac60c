//! MCP over streamable HTTP: the test server in-process on 127.0.0.1, behind a bearer token.
//! The configured headers reach it, tools round-trip, `isError` is a model error, a server that
//! goes away ends the attempt (retryable) and, back, serves the next call; a refused token fails to connect without
//! showing the token.

use super::call;
use super::server::{HttpServer, TOKEN};
use juggernaut_mcp::{McpError, McpServerConfigs, connect_all};
use juggernaut_tools::ToolError;
use serde_json::json;

#[tokio::test]
async fn tools_round_trip_over_http_with_the_configured_headers() {
    let server = HttpServer::start().await;
    let configs = McpServerConfigs::from([("remote".to_owned(), server.config(TOKEN))]);
    let tools = connect_all(&configs).await.unwrap();
    assert!(
        tools.names().contains(&"remote__echo"),
        "{:?}",
        tools.names()
    );
    assert_eq!(
        call(&tools, "remote__echo", json!({"text": "over http"})).await,
        Ok(json!("over http"))
    );
    assert_eq!(
        call(&tools, "remote__add", json!({"a": -1, "b": 1})).await,
        Ok(json!({"sum": 0}))
    );
    assert_eq!(
        call(&tools, "remote__fail", json!({})).await,
        Err(ToolError::model("it failed on purpose"))
    );
    let addr = server.addr();
    server.stop().await;
    match call(&tools, "remote__echo", json!({"text": "anyone?"})).await {
        Err(ToolError::Abort { message, retryable }) => {
            assert!(retryable);
            assert!(message.starts_with("MCP server `remote`: "), "{message}");
            assert!(!message.contains(TOKEN), "{message}");
        }
        other => panic!("expected an abort, got {other:?}"),
    }
    // Back at the same address: the next call connects again.
    let server = HttpServer::start_on(&addr).await;
    assert_eq!(
        call(&tools, "remote__echo", json!({"text": "again"})).await,
        Ok(json!("again"))
    );
    tools.close().await;
    server.stop().await;
}

#[tokio::test]
async fn a_refused_token_fails_to_connect_without_showing_it() {
    let server = HttpServer::start().await;
    let wrong = "wrong-token-77aa";
    let configs = McpServerConfigs::from([("remote".to_owned(), server.config(wrong))]);
    let err = connect_all(&configs).await.unwrap_err();
    assert!(matches!(err, McpError::Connect { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("MCP server `remote`: cannot connect: "),
        "{text}"
    );
    assert!(!text.contains(wrong), "{text}");
    let shown = format!("{:?}", configs);
    assert!(!shown.contains(wrong), "{shown}");
    server.stop().await;
}
