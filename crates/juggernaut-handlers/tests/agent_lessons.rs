//! Learnings reach the agent's prompt: an agent task fails (its answer cites no tool call), the
//! leader's learner captures that ending, and the next agent task's first request to the model
//! carries the lesson in its "Lessons from earlier tasks" section; once a person retires the
//! learning, the next prompt leaves it out.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod llm_rig;

use juggernaut_core::TaskStatus;
use juggernaut_core::WorkerId;
use juggernaut_engine::LeaderConfig;
use juggernaut_engine::node::learner;
use juggernaut_store::{LearningFilter, LearningPage};
use juggernaut_testkit::fake_llm::Reply;
use llm_rig::Rig;
use serde_json::json;
use std::time::Duration;

/// Runs the leader's learner once, reading every event at once.
async fn capture(rig: &Rig) -> u64 {
    let config = LeaderConfig {
        learn_settle: Duration::ZERO,
        ..LeaderConfig::default()
    };
    let (n, _) = learner::capture(rig.store.as_ref(), &WorkerId::from("t"), &config)
        .await
        .unwrap();
    n
}

/// What the model was told in the latest request.
fn last_prompt(rig: &Rig) -> String {
    rig.llm.received().last().unwrap().prompt()
}

fn write_and_cite(rig: &Rig) {
    rig.llm.push(Reply::ToolCalls(vec![(
        "fs_write".into(),
        json!({"path": "orders.csv", "content": "id,total\n1,20\n"}),
    )]));
    rig.llm
        .push(Reply::CiteToolResults("Wrote the orders export.".into()));
}

#[tokio::test]
async fn a_failed_agent_task_teaches_the_next_prompt_until_retired() {
    let rig = Rig::start("agent", juggernaut_tools::local_tools(Default::default())).await;
    let input = json!({"instructions": "Export the orders to orders.csv", "max_steps": 4});
    // 1. The model claims success without calling a tool: the task fails verification.
    rig.llm
        .fallback(Some(Reply::Text("Done, orders exported.".into())));
    let failed = rig.run(input.clone()).await;
    assert_ne!(failed.status, TaskStatus::Completed);
    let error = failed.last_error.clone().unwrap();
    assert!(error.contains("produced no evidence"), "{error}");
    let before = rig.llm.count();
    assert!(!last_prompt(&rig).contains("Lessons from earlier tasks"));
    // 2. The learner captures it.
    assert_eq!(capture(&rig).await, 1);
    let learned = rig
        .store
        .learnings(&LearningFilter::default(), LearningPage::default())
        .await
        .unwrap();
    assert_eq!(learned.len(), 1);
    let lesson = &learned[0];
    assert!(lesson.outcome.is_failure() && lesson.kind == "agent");
    // 3. The next agent task's first request carries it.
    rig.llm.fallback(None);
    write_and_cite(&rig);
    let ok = rig.run(input.clone()).await;
    assert_eq!(ok.status, TaskStatus::Completed, "{:?}", ok.last_error);
    let first = rig.llm.received()[before].prompt();
    assert!(first.contains("=== Lessons from earlier tasks"), "{first}");
    assert!(first.contains(&lesson.title), "{first}");
    assert!(first.contains("produced no evidence"), "{first}");
    // 4. Retired, it is left out (the success just learned may show instead).
    capture(&rig).await;
    rig.store
        .retire_learning(lesson.id, true, "owner")
        .await
        .unwrap();
    let before = rig.llm.count();
    write_and_cite(&rig);
    let again = rig.run(input).await;
    assert_eq!(
        again.status,
        TaskStatus::Completed,
        "{:?}",
        again.last_error
    );
    let first = rig.llm.received()[before].prompt();
    assert!(!first.contains(&lesson.title), "{first}");
    assert!(!first.contains("produced no evidence"), "{first}");
    assert!(
        first.contains("agent succeeded with tools: fs_write"),
        "{first}"
    );
}
