//! The `agent` kind against the fake LLM, through a real dispatcher, store, toolbox and file
//! tools: an answer citing a real tool call completes with that call (and the file it wrote)
//! as evidence; an answer that claims success without a call, describes a result instead of
//! calling the tool, or cites a call that never happened fails verification with the reason;
//! a model that repeats the same call is stopped by the loop guard.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use juggernaut_core::{Evidence, NewTask, Task, TaskKind, TaskStatus};
use juggernaut_engine::{Dispatcher, DispatcherConfig};
use juggernaut_handler::Registry;
use juggernaut_handler::context::Handles;
use juggernaut_handlers::agent::Model;
use juggernaut_handlers::{Deps, builtin};
use juggernaut_llm::{Client, Prices, Provider};
use juggernaut_store::{Limits, Queue, Store};
use juggernaut_testkit::fake_llm::{FakeLlm, Reply};
use juggernaut_testkit::fresh_sqlite;
use juggernaut_tools::{Redactor, ToolRegistry, Toolbox, Workspaces};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

struct Rig {
    store: Arc<dyn Store>,
    llm: FakeLlm,
    _dir: tempfile::TempDir,
    stop: CancellationToken,
}

async fn rig() -> Rig {
    let llm = FakeLlm::start().await;
    let mut provider = Provider::new("fake", &llm.base_url(), "fake-model");
    provider.max_retries = 0;
    let model = Model {
        client: Client::new(provider).unwrap(),
        prices: Prices::default(),
        limits: Limits::default(),
    };
    let reg = Registry::new(builtin(&Deps {
        model: Some(model),
        tools: None,
    }))
    .unwrap();
    let store = fresh_sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let tools = ToolRegistry::new(juggernaut_tools::local_tools(Default::default())).unwrap();
    let toolbox = Toolbox::new(Arc::new(tools), store.clone(), Redactor::default());
    let handles =
        Handles::over(store.clone()).with_tools(toolbox, Workspaces::new(dir.path().join("ws")));
    let mut cfg = DispatcherConfig::new("agent-test".into(), vec![reg.check("agent").unwrap()]);
    cfg.poll_interval = Duration::from_millis(30);
    let queue: Arc<dyn Queue> = store.clone();
    let d = Dispatcher::new(queue, handles, reg, cfg);
    let stop = CancellationToken::new();
    let s = stop.clone();
    tokio::spawn(async move { d.run(s).await.unwrap() });
    Rig {
        store,
        llm,
        _dir: dir,
        stop,
    }
}

impl Rig {
    async fn run(&self, instructions: &str) -> Task {
        let mut t = NewTask::new(TaskKind::new("agent").unwrap());
        t.input = json!({ "instructions": instructions, "max_steps": 6 });
        t.max_attempts = 1;
        let id = self.store.enqueue(t).await.unwrap().task.id;
        tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                let t = self.store.get(id).await.unwrap().unwrap();
                if t.status.is_terminal() {
                    return t;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("the agent task did not finish")
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        self.stop.cancel();
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
    let t = rig.run("Write a summary file").await;
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
    let t = rig.run("Write a summary file").await;
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
    let t = rig.run("Write a summary file").await;
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
    let t = rig.run("Look around").await;
    assert_ne!(t.status, TaskStatus::Completed);
    let why = t.last_error.unwrap();
    assert!(why.contains("loop guard"), "{why}");
    assert!(
        rig.llm.count() <= 4,
        "stopped early: {} calls",
        rig.llm.count()
    );
}
