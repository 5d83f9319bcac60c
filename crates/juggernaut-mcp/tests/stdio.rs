//! MCP over stdio: the test server as a child process. Tools are listed under the prefix with
//! their schemas, calls round-trip, `isError` is a model error, a server that dies mid-call ends
//! the attempt (retryable) and the next call starts it again, a slow call times out, a cancelled
//! one stops, the child gets none of our environment (but what `env_from` names) and dies with
//! its session, and a bad command fails to connect clearly (with its stderr, secrets removed,
//! kept short however much it writes).

use super::server::stdio_config;
use super::{call, ctx, find};
use juggernaut_core::RiskLevel;
use juggernaut_mcp::{McpError, McpServerConfig, McpServerConfigs, connect_all};
use juggernaut_tools::{Permission, ToolError};
use serde_json::json;
use std::time::Duration;

fn configs(list: &[(&str, McpServerConfig)]) -> McpServerConfigs {
    list.iter()
        .map(|(n, c)| ((*n).to_owned(), c.clone()))
        .collect()
}

#[tokio::test]
async fn tools_are_listed_under_the_prefix_and_round_trip() {
    let tools = connect_all(&configs(&[("local", stdio_config(&[]))]))
        .await
        .unwrap();
    assert_eq!(tools.servers(), ["local"]);
    assert_eq!(
        tools.names(),
        [
            "local__add",
            "local__big",
            "local__die",
            "local__echo",
            "local__env",
            "local__fail",
            "local__pid",
            "local__slow"
        ]
    );
    let echo = find(&tools, "local__echo");
    assert_eq!(echo.description(), "Send the text back.");
    assert_eq!(echo.permission(), Permission::External);
    assert_eq!(echo.risk(), RiskLevel::Medium);
    let schema = echo.parameters();
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["properties"]["text"]["type"], "string");
    assert_eq!(schema["required"], json!(["text"]));
    assert_eq!(
        call(&tools, "local__echo", json!({"text": "héllo"})).await,
        Ok(json!("héllo"))
    );
    assert_eq!(
        call(&tools, "local__add", json!({"a": 2, "b": 40})).await,
        Ok(json!({"sum": 42}))
    );
    assert_eq!(
        call(&tools, "local__fail", json!({})).await,
        Err(ToolError::model("it failed on purpose"))
    );
    let bad = call(&tools, "local__add", json!({"a": "two"})).await;
    assert!(
        matches!(&bad, Err(ToolError::Model(m)) if m.contains("refused")),
        "{bad:?}"
    );
    let not_object = call(&tools, "local__echo", json!([1])).await;
    assert!(matches!(not_object, Err(ToolError::Model(_))));
    tools.close().await;
}

#[tokio::test]
async fn a_server_that_dies_mid_call_ends_the_attempt_and_is_started_again() {
    let tools = connect_all(&configs(&[("local", stdio_config(&[]))]))
        .await
        .unwrap();
    let first = call(&tools, "local__pid", json!({})).await.unwrap();
    match call(&tools, "local__die", json!({})).await {
        Err(ToolError::Abort { message, retryable }) => {
            assert!(retryable);
            assert!(message.starts_with("MCP server `local`: "), "{message}");
        }
        other => panic!("expected an abort, got {other:?}"),
    }
    let second = call(&tools, "local__pid", json!({})).await.unwrap();
    assert_ne!(first, second, "a new process serves the next call");
    assert_eq!(
        call(&tools, "local__echo", json!({"text": "back"})).await,
        Ok(json!("back"))
    );
    tools.close().await;
}

#[tokio::test]
async fn a_slow_call_times_out_and_a_cancelled_one_stops() {
    let mut config = stdio_config(&[]);
    config.timeout_secs = Some(1);
    let tools = connect_all(&configs(&[("local", config)])).await.unwrap();
    match call(&tools, "local__slow", json!({"ms": 5000})).await {
        Err(ToolError::Abort { message, retryable }) => {
            assert!(
                retryable && message.contains("no answer within 1 s"),
                "{message}"
            );
        }
        other => panic!("expected an abort, got {other:?}"),
    }
    let c = ctx();
    let cancel = c.cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        cancel.cancel();
    });
    let slow = find(&tools, "local__slow");
    let cancelled = slow.call(&c, json!({"ms": 800})).await;
    assert!(
        matches!(&cancelled, Err(ToolError::Abort { retryable: true, message }) if message.contains("cancelled")),
        "{cancelled:?}"
    );
    assert_eq!(
        call(&tools, "local__slow", json!({"ms": 1})).await,
        Ok(json!("done"))
    );
    tools.close().await;
}

#[tokio::test]
async fn the_child_gets_only_its_environment_and_dies_with_its_session() {
    let mut config = stdio_config(&[("GREETING", "hi there")]);
    config
        .env_from
        .insert("CHILD_TOKEN".into(), "JG_TEST_OUR_TOKEN".into());
    let ours = |v: &str| (v == "JG_TEST_OUR_TOKEN").then(|| "from-our-env-31".to_owned());
    let config = config.resolve("local", ours).unwrap();
    assert_eq!(config.secrets(), ["from-our-env-31"]);
    let tools = connect_all(&configs(&[("local", config)])).await.unwrap();
    let env = |name: &str| json!({"name": name});
    assert_eq!(
        call(&tools, "local__env", env("GREETING")).await,
        Ok(json!("hi there"))
    );
    assert_eq!(
        call(&tools, "local__env", env("CHILD_TOKEN")).await,
        Ok(json!("from-our-env-31"))
    );
    assert!(std::env::var_os("CARGO_MANIFEST_DIR").is_some());
    assert_eq!(
        call(&tools, "local__env", env("CARGO_MANIFEST_DIR")).await,
        Ok(json!(""))
    );
    assert!(
        !call(&tools, "local__env", env("PATH"))
            .await
            .unwrap()
            .as_str()
            .unwrap()
            .is_empty()
    );
    let pid = call(&tools, "local__pid", json!({})).await.unwrap();
    let stat = format!("/proc/{}/stat", pid.as_str().unwrap());
    assert!(alive(&stat));
    drop(tools);
    for _ in 0..50 {
        if !alive(&stat) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the child outlived its session");
}

/// Whether the process of `/proc/PID/stat` runs (a zombie does not).
fn alive(stat: &str) -> bool {
    std::fs::read_to_string(stat)
        .map(|s| !s.rsplit(") ").next().unwrap_or("").starts_with('Z'))
        .unwrap_or(false)
}

#[tokio::test]
async fn bad_commands_fail_clearly() {
    let missing = McpServerConfig::stdio("/nonexistent/mcp-server", []);
    let err = connect_all(&configs(&[("gone", missing)]))
        .await
        .unwrap_err();
    assert!(matches!(err, McpError::Connect { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("MCP server `gone`: cannot connect: cannot run `/nonexistent/mcp-server`"),
        "{text}"
    );
    let mut talker = McpServerConfig::stdio(
        "/bin/sh",
        [
            "-c".to_owned(),
            "echo \"not MCP, key=$KEY\" >&2; exit 1".to_owned(),
        ],
    );
    talker.env_from.insert("KEY".into(), "JG_TEST_KEY".into());
    let talker = talker
        .resolve("talker", |_| Some("sekrit-value-42".into()))
        .unwrap();
    let err = connect_all(&configs(&[("talker", talker)]))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("not MCP, key=[redacted]"), "{err}");
    assert!(!err.contains("sekrit-value-42"), "{err}");
    let bad = McpServerConfig::default();
    let err = connect_all(&configs(&[("empty", bad)])).await.unwrap_err();
    assert!(matches!(err, McpError::Config { .. }), "{err:?}");
}

#[tokio::test]
async fn a_child_flooding_stderr_is_kept_short() {
    let sh = |script: &str| McpServerConfig::stdio("/bin/sh", ["-c".to_owned(), script.to_owned()]);
    // Stderr gets a line of 20 MB that does not end; then stdout closes (the handshake fails).
    let endless = sh(
        "echo first words >&2; head -c 20000000 /dev/zero | tr '\\0' x >&2; \
                      exec 1>&-; sleep 5",
    );
    let err = connect_all(&configs(&[("flood", endless)]))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("first words | xxxx"),
        "{}",
        &err[..err.len().min(300)]
    );
    assert!(err.ends_with("xxx… [line cut]"), "{}", err.len());
    assert!(err.len() < 1500, "{}", err.len());
    // Many long lines: the tail keeps the last ones, a few KiB in all.
    let many = sh(
        "i=0; while [ $i -lt 60 ]; do printf '%0400d\\n' $i >&2; i=$((i+1)); done; \
         echo done >&2; exec 1>&-; sleep 5",
    );
    let err = connect_all(&configs(&[("many", many)]))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with("059 | done"),
        "{}",
        &err[err.len().saturating_sub(100)..]
    );
    assert!(err.len() < 5000, "{}", err.len());
}
