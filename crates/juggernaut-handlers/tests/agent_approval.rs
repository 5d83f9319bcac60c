//! An agent's tool call beyond what its task was admitted for pauses the task for a person's
//! approval instead of running: nothing is called until the approval, and the approval covers
//! that tool when the task runs again.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod llm_rig;

use async_trait::async_trait;
use juggernaut_core::{EventKind, RiskLevel, TaskStatus};
use juggernaut_store::audit::ApprovalRequested;
use juggernaut_testkit::fake_llm::Reply;
use juggernaut_tools::{Permission, Tool, ToolContext, ToolError, ToolOutput};
use llm_rig::Rig;
use serde_json::json;
use std::sync::Arc;

/// Sends a message outside (here: only says it did).
struct Shout;

#[async_trait]
impl Tool for Shout {
    fn name(&self) -> &str {
        "shout"
    }
    fn description(&self) -> &str {
        "sends a message to the team"
    }
    fn parameters(&self) -> serde_json::Value {
        json!({"type": "object", "properties": {"text": {"type": "string"}}})
    }
    fn risk(&self) -> RiskLevel {
        RiskLevel::Medium
    }
    fn permission(&self) -> Permission {
        Permission::External
    }
    async fn call(
        &self,
        _: &ToolContext,
        args: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        Ok(ToolOutput::new(json!({"sent": args["text"]})))
    }
}

#[tokio::test]
async fn a_call_beyond_the_approval_pauses_the_task_until_a_person_approves_it() {
    let mut tools = juggernaut_tools::local_tools(Default::default());
    tools.push(Arc::new(Shout));
    let rig = Rig::start("agent", tools).await;
    let shout = || Reply::ToolCalls(vec![("shout".into(), json!({"text": "done"}))]);
    // First run: the model wants to shout; the task parks before the call.
    rig.llm.push(shout());
    // After the approval the task runs again from the start.
    rig.llm.push(shout());
    rig.llm.push(Reply::Text("Told the team [call:1].".into()));
    let t = rig
        .run(json!({
            "instructions": "Tell the team",
            "permissions": ["read", "write", "external"],
            "max_steps": 4
        }))
        .await;
    assert_eq!(t.status, TaskStatus::Completed, "{:?}", t.last_error);
    let events = rig.store.task_events(t.id).await.unwrap();
    let asked = events
        .iter()
        .find(|e| e.kind == EventKind::TaskApprovalRequested)
        .expect("the task asked for approval");
    let asked: ApprovalRequested = serde_json::from_value(asked.data.clone()).unwrap();
    assert!(asked.reason.contains("`shout`"), "{}", asked.reason);
    let assessment = asked.assessment.unwrap();
    assert!(assessment.tools.contains(&"shout".to_owned()));
    assert_eq!(assessment.level, RiskLevel::Medium);
    // Only the approved run called it: one call in the ledger.
    let calls = rig.store.task_tool_calls(t.id, 10).await.unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].tool, "shout");
    let approved = events
        .iter()
        .position(|e| e.kind == EventKind::TaskApproved)
        .unwrap();
    assert!(events[approved].actor.contains("approver"));
}
