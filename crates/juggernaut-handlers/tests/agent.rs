//! The `agent` kind against the fake LLM, through a real dispatcher, store, toolbox and file
//! tools: an answer citing a real tool call completes with that call (and the file it wrote)
//! as evidence; an answer that claims success without a call, describes a result instead of
//! calling the tool, or cites a call that never happened fails verification with the reason;
//! a model that repeats the same call is stopped by the loop guard.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod llm_rig;

use juggernaut_core::{Evidence, Task, TaskStatus};
use juggernaut_testkit::fake_llm::Reply;
use llm_rig::Rig;
use serde_json::json;

async fn rig() -> Rig {
    Rig::start("agent", juggernaut_tools::local_tools(Default::default())).await
}

impl Rig {
    async fn agent(&self, instructions: &str) -> Task {
        self.run(json!({ "instructions": instructions, "max_steps": 6 }))
            .await
    }
}

fn write_call() -> Reply {
    Reply::ToolCalls(vec![(
        "fs_write".into(),
        json!({"path": "notes/summary.md", "content": "# Summary\nrevenue is up\n"}),
    )])
}

#[tokio::test]
async fn an_answer_citing_a_real_call_completes_with_that_evidence() {
    let rig = rig().await;
    rig.llm.push(write_call());
    // The ledger's first call gets id 1 in a fresh store.
    rig.llm
        .push(Reply::Text("I wrote the summary [call:1].".into()));
    let t = rig.agent("Write a summary file").await;
    assert_eq!(t.status, TaskStatus::Completed, "{:?}", t.last_error);
    assert!(t.evidence.contains(&Evidence::ToolCall { id: "1".into() }));
    assert!(
        t.evidence.iter().any(
            |e| matches!(e, Evidence::File { path, .. } if path.ends_with("notes/summary.md"))
        )
    );
    let calls = rig.store.task_tool_calls(t.id, 10).await.unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].tool, "fs_write");
    // The model was shown the tool's result with its ledger id.
    let second = &rig.llm.received()[1];
    assert!(
        second.body.to_string().contains("[call:1]"),
        "{}",
        second.body
    );
}

#[tokio::test]
async fn claiming_success_without_evidence_fails_verification() {
    let rig = rig().await;
    rig.llm.push(Reply::Text(
        "Done! I wrote the summary file and sent it to the team.".into(),
    ));
    let t = rig.agent("Write a summary file").await;
    assert_ne!(t.status, TaskStatus::Completed);
    let why = t.last_error.unwrap();
    assert!(
        why.contains("verification failed") && why.contains("no evidence"),
        "{why}"
    );
    assert!(t.evidence.is_empty());
}

#[tokio::test]
async fn a_described_result_or_an_invented_id_is_not_evidence() {
    let rig = rig().await;
    rig.llm.push(write_call());
    // Cites a call that does not exist, after a reminder still cites nothing real.
    rig.llm
        .push(Reply::Text("The tool returned ok [call:42].".into()));
    rig.llm.push(Reply::Text(
        "As I said, the file is written [call:42].".into(),
    ));
    let t = rig.agent("Write a summary file").await;
    assert_ne!(t.status, TaskStatus::Completed);
    assert!(t.last_error.unwrap().contains("no evidence"));
    // The reminder told the model what counts.
    assert!(
        rig.llm.received()[2]
            .prompt()
            .contains("cites no tool call")
    );
}

#[tokio::test]
async fn the_loop_guard_stops_a_model_that_repeats_itself() {
    let rig = rig().await;
    rig.llm.fallback(Some(Reply::ToolCalls(vec![(
        "fs_list".into(),
        json!({"path": "."}),
    )])));
    let t = rig.agent("Look around").await;
    assert_ne!(t.status, TaskStatus::Completed);
    let why = t.last_error.unwrap();
    assert!(why.contains("loop guard"), "{why}");
    assert!(
        rig.llm.count() <= 4,
        "stopped early: {} calls",
        rig.llm.count()
    );
}
