//! The toolbox against a real SQLite ledger: every call is recorded (successes, tool errors,
//! unknown tools, refused permissions) with secrets redacted from the arguments and the result,
//! long results truncated but hashed whole; a cancelled task's call ends the attempt.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use async_trait::async_trait;
use juggernaut_core::{RiskLevel, TaskId};
use juggernaut_store::ToolCallStatus;
use juggernaut_testkit::fresh_sqlite;
use juggernaut_tools::{
    Permission, Redactor, Tool, ToolContext, ToolError, ToolOutput, ToolRegistry, Toolbox,
    Workspace,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Echoes its `text` argument `times` times; `fail` makes it refuse; `sleep` makes it wait.
struct Echo;

#[async_trait]
impl Tool for Echo {
    fn name(&self) -> &str {
        "echo"
    }
    fn description(&self) -> &str {
        "echoes"
    }
    fn parameters(&self) -> Value {
        json!({"type": "object"})
    }
    fn risk(&self) -> RiskLevel {
        RiskLevel::Low
    }
    fn permission(&self) -> Permission {
        Permission::Read
    }
    async fn call(&self, _ctx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        if args["fail"].as_bool() == Some(true) {
            return Err(ToolError::model("asked to fail with sk-secret-value-1"));
        }
        if let Some(ms) = args["sleep_ms"].as_u64() {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        let times = args["times"].as_u64().unwrap_or(1) as usize;
        Ok(ToolOutput::new(
            json!({ "echo": args["text"].as_str().unwrap_or("").repeat(times) }),
        ))
    }
}

fn ctx(cancel: CancellationToken) -> ToolContext {
    ToolContext {
        task_id: Some(TaskId(7)),
        attempt: 1,
        lease_token: Some(3),
        workspace: Workspace::at(std::env::temp_dir().join("juggernaut-toolbox-test")),
        cancel,
    }
}

async fn toolbox() -> (Arc<dyn juggernaut_store::Store>, Toolbox) {
    let store = fresh_sqlite().await;
    let reg = ToolRegistry::new(vec![Arc::new(Echo)]).unwrap();
    let secrets = Redactor::new(["sk-secret-value-1".to_owned()]);
    let tb = Toolbox::new(Arc::new(reg), store.clone(), secrets)
        .with_timeout(Duration::from_millis(500));
    (store, tb)
}

#[tokio::test]
async fn every_call_is_recorded_with_secrets_redacted() {
    let (store, tb) = toolbox().await;
    let c = ctx(CancellationToken::new());
    let read = [Permission::Read];
    let ok = tb
        .call(
            &c,
            "echo",
            json!({"text": "key sk-secret-value-1", "password": "hunter22"}),
            &read,
        )
        .await
        .unwrap();
    assert!(ok.outcome.is_ok());
    let failed = tb
        .call(&c, "echo", json!({"fail": true}), &read)
        .await
        .unwrap();
    assert!(matches!(failed.outcome, Err(ToolError::Model(_))));
    let unknown = tb.call(&c, "nope", json!({}), &read).await.unwrap();
    assert!(
        unknown
            .outcome
            .unwrap_err()
            .to_string()
            .contains("no tool is called `nope`")
    );
    let refused = tb
        .call(&c, "echo", json!({}), &[Permission::Write])
        .await
        .unwrap();
    assert!(
        refused
            .outcome
            .unwrap_err()
            .to_string()
            .contains("needs the `read` permission")
    );

    let calls = store.task_tool_calls(TaskId(7), 10).await.unwrap();
    assert_eq!(calls.len(), 4);
    assert_eq!(calls[0].id, ok.id);
    assert_eq!(calls[0].status, ToolCallStatus::Ok);
    assert_eq!((calls[0].attempt, calls[0].lease_token), (1, Some(3)));
    let everything = format!("{calls:?}");
    assert!(!everything.contains("sk-secret-value-1"), "{everything}");
    assert!(!everything.contains("hunter22"), "{everything}");
    assert_eq!(calls[1].status, ToolCallStatus::Error);
    assert!(calls[1].error.as_deref().unwrap().contains("[redacted]"));
    assert_eq!(calls[2].tool, "nope");
}

#[tokio::test]
async fn long_results_are_truncated_but_hashed_whole() {
    let (store, tb) = toolbox().await;
    let c = ctx(CancellationToken::new());
    let called = tb
        .call(
            &c,
            "echo",
            json!({"text": "abcdefgh", "times": 10_000}),
            &[Permission::Read],
        )
        .await
        .unwrap();
    let whole = called.outcome.unwrap().content.to_string();
    let rec = &store.tool_calls(&[called.id]).await.unwrap()[0];
    assert_eq!(rec.result_bytes, whole.len() as u64);
    assert!(rec.result.len() <= juggernaut_store::capability::tool_calls::MAX_RESULT_BYTES);
    assert_eq!(
        rec.result_sha256,
        hex::encode(Sha256::digest(whole.as_bytes()))
    );
}

#[tokio::test]
async fn slow_and_cancelled_calls_end_as_their_type_says() {
    let (_store, tb) = toolbox().await;
    let read = [Permission::Read];
    let slow = tb
        .call(
            &ctx(CancellationToken::new()),
            "echo",
            json!({"sleep_ms": 5_000}),
            &read,
        )
        .await
        .unwrap();
    assert!(matches!(slow.outcome, Err(ToolError::Model(m)) if m.contains("took longer")));
    let cancel = CancellationToken::new();
    cancel.cancel();
    let gone = tb
        .call(&ctx(cancel), "echo", json!({"sleep_ms": 5_000}), &read)
        .await
        .unwrap();
    assert!(matches!(
        gone.outcome,
        Err(ToolError::Abort {
            retryable: true,
            ..
        })
    ));
}

#[test]
fn the_registry_refuses_duplicates_and_bad_names_and_yields_specs() {
    let dup = ToolRegistry::new(vec![Arc::new(Echo), Arc::new(Echo)]);
    assert_eq!(
        dup.unwrap_err().to_string(),
        "two tools claim the name `echo`"
    );
    let reg = ToolRegistry::new(vec![Arc::new(Echo)]).unwrap();
    assert_eq!(reg.specs(None, &[Permission::Read]).len(), 1);
    assert!(reg.specs(None, &[Permission::Write]).is_empty());
    assert!(
        reg.specs(Some(&["other".into()]), &Permission::ALL)
            .is_empty()
    );
    assert_eq!(reg.unknown(&["echo".into(), "x".into()]), vec!["x"]);
    assert!(!juggernaut_tools::registry::valid_name("a b"));
}
