//! MCP over streamable HTTP: the test server in-process on 127.0.0.1, behind a bearer token.
//! The configured headers reach it, tools round-trip, `isError` is a model error, a server that
//! goes away ends the attempt (retryable) and, back, serves the next call; a refused token fails
//! to connect without showing the token; the token may come from our environment
//! (`header_env`); and results too large are cut (text) or refused (structured content).

use super::call;
use super::server::{HttpServer, TOKEN};
use juggernaut_mcp::tool::{MAX_STRUCTURED, MAX_TEXT};
use juggernaut_mcp::{McpError, McpServerConfig, McpServerConfigs, connect_all};
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

#[tokio::test]
async fn the_token_may_come_from_our_environment_and_large_results_are_capped() {
    let server = HttpServer::start().await;
    let mut config = McpServerConfig::http(&server.url);
    config
        .header_env
        .insert("Authorization".into(), "JG_TEST_MCP_AUTH".into());
    let unresolved = McpServerConfigs::from([("remote".to_owned(), config.clone())]);
    let err = connect_all(&unresolved).await.unwrap_err().to_string();
    assert!(err.contains("resolve the configuration"), "{err}");
    let bearer = format!("Bearer {TOKEN}");
    let resolved = config
        .resolve("remote", |v| {
            (v == "JG_TEST_MCP_AUTH").then(|| bearer.clone())
        })
        .unwrap();
    assert!(resolved.secrets().contains(&TOKEN.to_owned()));
    let configs = McpServerConfigs::from([("remote".to_owned(), resolved)]);
    let tools = connect_all(&configs).await.unwrap();
    let big = |bytes: usize, structured: bool| json!({"bytes": bytes, "structured": structured});
    assert_eq!(
        call(&tools, "remote__big", big(3, true)).await,
        Ok(json!({"data": "xxx"}))
    );
    match call(&tools, "remote__big", big(MAX_STRUCTURED + 1, true)).await {
        Err(ToolError::Model(m)) => assert!(m.contains("result was too large"), "{m}"),
        other => panic!(
            "expected a model error, got {:?}",
            other.map(|v| v.to_string().len())
        ),
    }
    let text = call(&tools, "remote__big", big(2 * MAX_TEXT, false)).await;
    let text = text.unwrap();
    let text = text.as_str().unwrap();
    assert!(text.len() < MAX_TEXT + 64, "{}", text.len());
    assert!(text.ends_with(&format!("[cut: {MAX_TEXT} more bytes]")));
    tools.close().await;
    server.stop().await;
}
