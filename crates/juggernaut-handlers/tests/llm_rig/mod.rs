//! What the LLM kinds' tests share: the fake model server, a fresh store, a dispatcher serving
//! one kind with the given tools (every call recorded), and running one task to its end.

use juggernaut_core::{NewTask, Task, TaskKind};
use juggernaut_engine::{Dispatcher, DispatcherConfig};
use juggernaut_handler::Registry;
use juggernaut_handler::context::Handles;
use juggernaut_handlers::agent::Model;
use juggernaut_handlers::{Deps, builtin};
use juggernaut_llm::{Client, Prices, Provider};
use juggernaut_store::{Limits, Queue, Store};
use juggernaut_testkit::fake_llm::FakeLlm;
use juggernaut_testkit::fresh_sqlite;
use juggernaut_tools::{Redactor, Tool, ToolRegistry, Toolbox, Workspaces};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A dispatcher serving one LLM kind over a fresh store; stops when dropped.
pub struct Rig {
    pub store: Arc<dyn Store>,
    pub llm: FakeLlm,
    kind: &'static str,
    _dir: tempfile::TempDir,
    stop: CancellationToken,
}

impl Rig {
    /// Serves `kind` with `tools`, its model the fake server (no retries).
    pub async fn start(kind: &'static str, tools: Vec<Arc<dyn Tool>>) -> Self {
        let llm = FakeLlm::start().await;
        let mut provider = Provider::new("fake", &llm.base_url(), "fake-model");
        provider.max_retries = 0;
        let model = Model {
            client: Client::new(provider).unwrap(),
            prices: Prices::default(),
            limits: Limits::default(),
        };
        let deps = Deps {
            model: Some(model),
            ..Deps::default()
        };
        let reg = Registry::new(builtin(&deps)).unwrap();
        let store = fresh_sqlite().await;
        let dir = tempfile::tempdir().unwrap();
        let registry = Arc::new(ToolRegistry::new(tools).unwrap());
        let toolbox = Toolbox::new(registry, store.clone(), Redactor::default());
        let workspaces = Workspaces::new(dir.path().join("ws"));
        let handles = Handles::over(store.clone()).with_tools(toolbox, workspaces);
        let mut cfg = DispatcherConfig::new("llm-test".into(), vec![reg.check(kind).unwrap()]);
        cfg.poll_interval = Duration::from_millis(30);
        let queue: Arc<dyn Queue> = store.clone();
        let d = Dispatcher::new(queue, handles, reg, cfg);
        let stop = CancellationToken::new();
        let s = stop.clone();
        tokio::spawn(async move { d.run(s).await.unwrap() });
        Self {
            store,
            llm,
            kind,
            _dir: dir,
            stop,
        }
    }

    /// Enqueues one task of the kind with `input` and one attempt; waits for its end (20 s).
    pub async fn run(&self, input: serde_json::Value) -> Task {
        let mut t = NewTask::new(TaskKind::new(self.kind).unwrap());
        t.input = input;
        t.max_attempts = 1;
        let id = self.store.enqueue(t).await.unwrap().task.id;
        tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                let t = self.store.get(id).await.unwrap().unwrap();
                if t.status.is_terminal() {
                    return t;
                }
                if t.status == juggernaut_core::TaskStatus::WaitingApproval {
                    // These tests are about the handlers: a person approves what the policy holds.
                    let yes = juggernaut_store::Decision {
                        approve: true,
                        actor: "test approver".into(),
                        reason: String::new(),
                        seen_at: None,
                    };
                    self.store.decide_approval(id, yes).await.unwrap();
                }

                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("the task did not finish in time")
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
