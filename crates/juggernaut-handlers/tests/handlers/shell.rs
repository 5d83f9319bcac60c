//! `shell` run for real through the sandboxed `shell` tool: a command that succeeds, one that
//! exits with an unexpected code (retryable, with the end of stderr), an expected non-zero exit,
//! inputs refused at enqueue, and a secret a command prints kept out of everything stored.

use crate::support::{Rig, completed, ended, evidence_calls, tools_of};
use juggernaut_core::TaskStatus;
use serde_json::json;

#[tokio::test]
async fn a_command_that_succeeds_completes_the_task() {
    let rig = Rig::start(vec![]).await;
    let t = rig
        .run(
            "shell",
            json!({"command": "echo made > out.txt && cat out.txt && echo note >&2"}),
        )
        .await;
    completed(&t);
    let result = t.result.clone().unwrap();
    assert_eq!(result["exit_code"], 0);
    assert_eq!(result["stdout_tail"], "made\n");
    assert_eq!(result["stderr_tail"], "note\n");
    let calls = rig.calls(t.id).await;
    assert_eq!(tools_of(&calls), ["shell"]);
    assert_eq!(evidence_calls(&t), [calls[0].id.to_string()]);
    let out = std::fs::read_to_string(rig.workspace(t.id).join("out.txt")).unwrap();
    assert_eq!(out, "made\n", "the command ran in the task's workspace");
}

#[tokio::test]
async fn an_unexpected_exit_is_retryable_with_the_end_of_stderr() {
    let rig = Rig::start(vec![]).await;
    let t = rig
        .run(
            "shell",
            json!({"command": "echo starting; echo 'disk full' >&2; exit 3"}),
        )
        .await;
    // One attempt allowed: a retryable failure dead-letters it.
    let err = ended(&t, TaskStatus::Dead);
    assert!(err.contains("exited with 3 (expected 0)"), "{err}");
    assert!(err.contains("disk full"), "{err}");
    assert_eq!(rig.calls(t.id).await.len(), 1);
}

#[tokio::test]
async fn an_expected_non_zero_exit_completes_the_task() {
    let rig = Rig::start(vec![]).await;
    let t = rig
        .run(
            "shell",
            json!({"command": "test -e nothing-here", "expect_exit": 1}),
        )
        .await;
    completed(&t);
    assert_eq!(t.result.as_ref().unwrap()["exit_code"], 1);
}

#[tokio::test]
async fn bad_commands_are_refused_at_enqueue() {
    let rig = Rig::start(vec![]).await;
    let cases = [
        (json!({"command": "  "}), "`command`"),
        (
            json!({"command": "ls", "timeout_secs": 0}),
            "`timeout_secs`: 0",
        ),
        (
            json!({"command": "ls", "timeout_secs": 3601}),
            "`timeout_secs`: 3601",
        ),
        (
            json!({"command": "ls", "expect_exit": 256}),
            "`expect_exit`: 256",
        ),
        (
            json!({"command": "ls", "expect_exit": -1}),
            "`expect_exit`: -1",
        ),
        (json!({"command": ["ls"]}), "`command`"),
    ];
    for (input, want) in cases {
        let err = rig.refused("shell", input.clone());
        assert!(err.contains(want), "{want}: {err}");
    }
}

#[tokio::test]
async fn a_secret_a_command_prints_reaches_no_result_error_or_ledger() {
    use crate::support::PLANTED_SECRET;
    let rig = Rig::start(vec![]).await;
    let ok = rig
        .run(
            "shell",
            json!({"command": format!("echo token={PLANTED_SECRET}")}),
        )
        .await;
    let failed = rig
        .run(
            "shell",
            json!({"command": format!("echo {PLANTED_SECRET} >&2; exit 4")}),
        )
        .await;
    assert_eq!(ok.status, TaskStatus::Completed, "{:?}", ok.last_error);
    assert!(
        failed.last_error.as_deref().unwrap().contains("[redacted]"),
        "{failed:?}"
    );
    for t in [&ok, &failed] {
        // The input is the caller's own text; everything the work produced is checked.
        let stored = format!(
            "{:?}{:?}{:?}",
            t.result,
            t.last_error,
            rig.calls(t.id).await
        );
        assert!(!stored.contains(PLANTED_SECRET), "{stored}");
    }
}
