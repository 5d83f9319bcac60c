//! The tool-call ledger: a call is recorded with every field as given and a typed `tool.called`
//! event naming its task, in one transaction; calls are read back by ids (in id order, unknown
//! ids left out) and by task (oldest first, the limit clamped), and outlive their pruned task;
//! what the shared check refuses is refused by every backend, naming the field, with nothing
//! written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::audit::Payload;
use crate::capability::tool_calls::{
    MAX_ARGUMENTS_BYTES, MAX_ERROR_BYTES, MAX_RESULT_BYTES, MAX_TOOL_NAME, NewToolCall, ToolCallId,
    ToolCallRecord, ToolCallStatus,
};
use crate::conformance::support::*;
use crate::error::StoreError;
use juggernaut_core::{DomainError, EventKind, TaskId};
use serde_json::json;
use std::time::Duration;

/// A successful call for `task`.
fn call(task: Option<TaskId>, tool: &str) -> NewToolCall {
    NewToolCall {
        task_id: task,
        attempt: 2,
        lease_token: Some(41),
        tool: tool.into(),
        arguments: json!({
            "path": "src/main.rs",
            "lines": [1, 2, 3],
            "options": {"deep": true, "none": null, "ratio": 0.5},
            "text": "é ✓ \"quoted\"",
        }),
        result: "fn main() {}\n".into(),
        result_sha256: "0123456789abcdef".repeat(4),
        result_bytes: 13,
        status: ToolCallStatus::Ok,
        error: None,
        duration_us: 1_234,
        cost_usd: 0.125,
    }
}

/// Asserts that `got` holds everything `want` asked to record.
fn same(got: &ToolCallRecord, want: &NewToolCall) {
    let stored = NewToolCall {
        task_id: got.task_id,
        attempt: got.attempt,
        lease_token: got.lease_token,
        tool: got.tool.clone(),
        arguments: got.arguments.clone(),
        result: got.result.clone(),
        result_sha256: got.result_sha256.clone(),
        result_bytes: got.result_bytes,
        status: got.status,
        error: got.error.clone(),
        duration_us: got.duration_us,
        cost_usd: got.cost_usd,
    };
    assert_eq!(&stored, want);
}

/// The `tool.called` events, oldest first.
async fn tool_events(store: &S) -> Vec<juggernaut_core::AuditEvent> {
    all_events(store)
        .await
        .into_iter()
        .filter(|e| e.kind == EventKind::ToolCalled)
        .collect()
}

/// Every field comes back as recorded (JSON arguments, an error or none, a lease token or none,
/// a result at the size limit), and each call has its typed event naming its task.
pub async fn tool_calls_round_trip_with_their_events(store: S) {
    let t = add(&store, task("noop")).await.id;
    let ok = call(Some(t), "read_file");
    let failed = NewToolCall {
        task_id: None,
        attempt: 0,
        lease_token: None,
        tool: "t".repeat(MAX_TOOL_NAME),
        arguments: json!([]),
        result: "r".repeat(MAX_RESULT_BYTES),
        result_bytes: 1 << 40,
        status: ToolCallStatus::Error,
        error: Some("e".repeat(MAX_ERROR_BYTES)),
        duration_us: 0,
        cost_usd: 0.0,
        ..call(None, "x")
    };
    let before = store.now().await.unwrap();
    let a = store.record_tool_call(ok.clone(), "w1").await.unwrap();
    let b = store.record_tool_call(failed.clone(), "w2").await.unwrap();
    assert!(a < b, "{a} then {b}");
    let got = store.tool_calls(&[b, a]).await.unwrap();
    assert_eq!(got.iter().map(|c| c.id).collect::<Vec<_>>(), vec![a, b]);
    same(&got[0], &ok);
    same(&got[1], &failed);
    for c in &got {
        let lag = (c.at - before).num_seconds();
        assert!((-5..60).contains(&lag), "recorded at {} vs {before}", c.at);
    }
    assert_eq!(a.to_string().parse::<ToolCallId>().unwrap(), a);

    let events = tool_events(&store).await;
    assert_eq!(events.len(), 2);
    assert_eq!(
        (
            events[0].task_id,
            events[0].goal_id,
            events[0].actor.as_str()
        ),
        (Some(t), None, "w1")
    );
    assert_eq!((events[1].task_id, events[1].actor.as_str()), (None, "w2"));
    for (e, (id, c)) in events.iter().zip([(a, &ok), (b, &failed)]) {
        match Payload::parse(e.kind, &e.data).unwrap() {
            Payload::ToolCalled(p) => {
                assert_eq!(p.call, id);
                assert_eq!(p.tool, c.tool);
                assert_eq!(p.status, c.status);
                assert_eq!(p.duration_us, c.duration_us);
            }
            other => panic!("{other:?}"),
        }
    }
}

/// By ids: id order, unknown ids left out, at most 1000 asked. By task: oldest first, the limit
/// clamped to 1-1000, and the calls outlive their task once it is pruned.
pub async fn tool_calls_are_read_by_ids_and_by_task(store: S) {
    let t = add(&store, task("noop")).await.id;
    let mut mine = Vec::new();
    for n in 0..3 {
        let c = call(Some(t), &format!("tool{n}"));
        mine.push(store.record_tool_call(c, "w").await.unwrap());
    }
    let other = store
        .record_tool_call(call(Some(TaskId(t.0 + 1000)), "other"), "w")
        .await
        .unwrap();
    let unknown = ToolCallId(other.0 + 1000);
    let got = store
        .tool_calls(&[mine[2], unknown, mine[0]])
        .await
        .unwrap();
    assert_eq!(
        got.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![mine[0], mine[2]]
    );
    assert!(store.tool_calls(&[]).await.unwrap().is_empty());
    assert!(store.tool_calls(&[unknown]).await.unwrap().is_empty());
    let many: Vec<ToolCallId> = (1..=1001).map(ToolCallId).collect();
    assert!(matches!(
        store.tool_calls(&many).await,
        Err(StoreError::Domain(DomainError::InvalidField {
            field: "ids",
            ..
        }))
    ));
    assert_eq!(store.tool_calls(&many[..1000]).await.unwrap().len(), 4);

    let ids = |calls: Vec<ToolCallRecord>| calls.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(ids(store.task_tool_calls(t, 10).await.unwrap()), mine);
    assert_eq!(ids(store.task_tool_calls(t, 2).await.unwrap()), mine[..2]);
    assert_eq!(ids(store.task_tool_calls(t, 0).await.unwrap()), mine[..1]);
    assert_eq!(ids(store.task_tool_calls(t, u32::MAX).await.unwrap()), mine);
    let tools: Vec<String> = store
        .task_tool_calls(t, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.tool)
        .collect();
    assert_eq!(tools, ["tool0", "tool1", "tool2"]);
    assert!(
        store
            .task_tool_calls(TaskId(t.0 + 2000), 10)
            .await
            .unwrap()
            .is_empty()
    );

    let held = claim(&store, "w", 1).await;
    store.complete(done(&held[0])).await.unwrap();
    sleep(Duration::from_millis(5)).await;
    assert_eq!(
        store
            .prune_terminal(Duration::ZERO, "pruner")
            .await
            .unwrap(),
        1
    );
    assert!(store.get(t).await.unwrap().is_none());
    assert_eq!(ids(store.task_tool_calls(t, 10).await.unwrap()), mine);
}

/// Every refusal of the shared check, on every backend, naming the field and writing nothing.
pub async fn bad_tool_calls_are_refused(store: S) {
    let t = add(&store, task("noop")).await.id;
    let ok = call(Some(t), "read_file");
    let cases = [
        (
            "tool",
            NewToolCall {
                tool: String::new(),
                ..ok.clone()
            },
        ),
        (
            "tool",
            NewToolCall {
                tool: "t".repeat(MAX_TOOL_NAME + 1),
                ..ok.clone()
            },
        ),
        (
            "tool",
            NewToolCall {
                tool: "read\0file".into(),
                ..ok.clone()
            },
        ),
        (
            "arguments",
            NewToolCall {
                arguments: json!({"big": "a".repeat(MAX_ARGUMENTS_BYTES)}),
                ..ok.clone()
            },
        ),
        (
            "arguments",
            NewToolCall {
                arguments: json!({"path": "a\0b"}),
                ..ok.clone()
            },
        ),
        (
            "arguments",
            NewToolCall {
                arguments: json!({"a\0": 1}),
                ..ok.clone()
            },
        ),
        (
            "result",
            NewToolCall {
                result: "r".repeat(MAX_RESULT_BYTES + 1),
                ..ok.clone()
            },
        ),
        (
            "result",
            NewToolCall {
                result: "out\0put".into(),
                ..ok.clone()
            },
        ),
        (
            "result_sha256",
            NewToolCall {
                result_sha256: "abc".into(),
                ..ok.clone()
            },
        ),
        (
            "result_sha256",
            NewToolCall {
                result_sha256: "AB".repeat(32),
                ..ok.clone()
            },
        ),
        (
            "result_sha256",
            NewToolCall {
                result_sha256: "g".repeat(64),
                ..ok.clone()
            },
        ),
        (
            "error",
            NewToolCall {
                error: Some("e".repeat(MAX_ERROR_BYTES + 1)),
                ..ok.clone()
            },
        ),
        (
            "error",
            NewToolCall {
                error: Some("bad\0".into()),
                ..ok.clone()
            },
        ),
        (
            "cost_usd",
            NewToolCall {
                cost_usd: f64::NAN,
                ..ok.clone()
            },
        ),
        (
            "cost_usd",
            NewToolCall {
                cost_usd: -0.5,
                ..ok.clone()
            },
        ),
        (
            "cost_usd",
            NewToolCall {
                cost_usd: f64::INFINITY,
                ..ok.clone()
            },
        ),
        (
            "result_bytes",
            NewToolCall {
                result_bytes: u64::MAX,
                ..ok.clone()
            },
        ),
        (
            "duration_us",
            NewToolCall {
                duration_us: u64::MAX,
                ..ok.clone()
            },
        ),
    ];
    for (want, bad) in cases {
        match store.record_tool_call(bad, "w").await {
            Err(StoreError::Domain(DomainError::InvalidField { field, .. })) => {
                assert_eq!(field, want);
            }
            other => panic!("expected a refusal naming `{want}`, got {other:?}"),
        }
    }
    assert!(store.task_tool_calls(t, 1000).await.unwrap().is_empty());
    assert!(tool_events(&store).await.is_empty());
    store.record_tool_call(ok, "w").await.unwrap();
}
