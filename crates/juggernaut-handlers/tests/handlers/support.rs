//! What the handler tests share: a real dispatcher serving every built-in kind over a fresh
//! SQLite store, with a toolbox of the real tools (files and shell always, the others a test
//! adds) recording into the store's ledger and workspaces in a temporary directory; running a
//! task to its end; and small local servers.

use juggernaut_core::{NewTask, Task, TaskId, TaskStatus};
use juggernaut_engine::{Dispatcher, DispatcherConfig};
use juggernaut_handler::context::Handles;
use juggernaut_handler::{Registry, RegistryError};
use juggernaut_handlers::{Deps, builtin};
use juggernaut_store::{Queue, Store, ToolCallRecord};
use juggernaut_testkit::fresh_sqlite;
use juggernaut_tools::{
    FsList, FsRead, FsWrite, Redactor, SandboxMode, Shell, ShellConfig, Tool, ToolRegistry,
    Toolbox, Workspaces,
};
use juggernaut_tools_net::{Channel, Notify, NotifyConfig};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A store, a dispatcher running on it, and where its task workspaces are.
pub struct Rig {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The registry enqueues are checked against.
    pub registry: Registry,
    tmp: tempfile::TempDir,
    stop: CancellationToken,
}

impl Drop for Rig {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// A secret the rig's redactor knows, as the binary's knows every configured one.
pub const PLANTED_SECRET: &str = "sk-planted-secret-42";

/// The shell tool as tests use it: the configured sandbox, 20 s by default.
pub fn shell_tool() -> Shell {
    Shell::new(ShellConfig {
        sandbox: SandboxMode::Auto,
        timeout_default_secs: 20,
        ..ShellConfig::default()
    })
}

impl Rig {
    /// A rig whose toolbox has the file tools, the shell tool and `extra`.
    pub async fn start(extra: Vec<Arc<dyn Tool>>) -> Self {
        let store = fresh_sqlite().await;
        Self::start_on(store, extra).await
    }

    /// The same over an existing store (a test that seeds goals or costs first).
    pub async fn start_on(store: Arc<dyn Store>, extra: Vec<Arc<dyn Tool>>) -> Self {
        // Under the target directory, not /tmp: the sandbox gives commands a private /tmp.
        let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        let mut tools: Vec<Arc<dyn Tool>> = vec![
            Arc::new(FsRead),
            Arc::new(FsWrite::default()),
            Arc::new(FsList),
            Arc::new(shell_tool()),
        ];
        tools.extend(extra);
        let toolbox = Toolbox::new(
            Arc::new(ToolRegistry::new(tools).unwrap()),
            store.clone(),
            Redactor::new([PLANTED_SECRET.to_owned()]),
        );
        let handles = Handles::over(store.clone())
            .with_tools(toolbox, Workspaces::new(tmp.path().join("workspaces")));
        let registry = Registry::new(builtin(&Deps::default())).unwrap();
        let mut cfg = DispatcherConfig::new("handlers-test".into(), registry.all_kinds());
        cfg.poll_interval = Duration::from_millis(20);
        let queue: Arc<dyn Queue> = store.clone();
        let d = Dispatcher::new(queue, handles, registry.clone(), cfg);
        let stop = CancellationToken::new();
        let s = stop.clone();
        tokio::spawn(async move { d.run(s).await.unwrap() });
        Self {
            store,
            registry,
            tmp,
            stop,
        }
    }

    /// Where task `id`'s workspace is.
    pub fn workspace(&self, id: TaskId) -> PathBuf {
        self.tmp
            .path()
            .join("workspaces")
            .join(format!("task-{}", id.0))
    }

    /// Checks `input` for `kind` as an enqueue does, enqueues it with one attempt, and waits
    /// for the task to finish.
    pub async fn run(&self, kind: &str, input: Value) -> Task {
        let kind = self.registry.check_task(kind, &input).unwrap();
        let mut task = NewTask::new(kind);
        task.input = input;
        task.max_attempts = 1;
        let id = self.store.enqueue(task).await.unwrap().task.id;
        settled(&self.store, id).await
    }

    /// What the registry says about an input it refuses.
    pub fn refused(&self, kind: &str, input: Value) -> String {
        match self.registry.check_task(kind, &input) {
            Err(e @ RegistryError::BadInput { .. }) => e.to_string(),
            other => panic!("{kind} {input}: expected a refusal, got {other:?}"),
        }
    }

    /// The task's calls in the ledger, oldest first.
    pub async fn calls(&self, id: TaskId) -> Vec<ToolCallRecord> {
        self.store.task_tool_calls(id, 100).await.unwrap()
    }
}

/// The task once it is finished (30 s at most).
pub async fn settled(store: &Arc<dyn Store>, id: TaskId) -> Task {
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let t = store.get(id).await.unwrap().unwrap();
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
                store.decide_approval(id, yes).await.unwrap();
            }

            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("task {id} did not finish in time"))
}

/// Asserts the task completed, showing its error if not.
pub fn completed(t: &Task) {
    assert_eq!(
        t.status,
        TaskStatus::Completed,
        "task {} ended {:?}: {:?}",
        t.id,
        t.status,
        t.last_error
    );
}

/// The task's error, asserting it ended with `status`.
pub fn ended(t: &Task, status: TaskStatus) -> String {
    assert_eq!(t.status, status, "task {} result {:?}", t.id, t.result);
    t.last_error.clone().unwrap_or_default()
}

/// The ids of the task's `ToolCall` evidence.
pub fn evidence_calls(t: &Task) -> Vec<String> {
    t.evidence
        .iter()
        .filter_map(|e| match e {
            juggernaut_core::Evidence::ToolCall { id } => Some(id.clone()),
            _ => None,
        })
        .collect()
}

/// The tools of the calls, in order.
pub fn tools_of(calls: &[ToolCallRecord]) -> Vec<&str> {
    calls.iter().map(|c| c.tool.as_str()).collect()
}

/// Serves `app` on a free local port; returns the port.
pub async fn serve(app: axum::Router) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    port
}

/// A `notify` tool whose channel `ops` is a local webhook answering `{"id": "m-N"}`; the
/// messages it received.
pub async fn webhook() -> (Arc<dyn Tool>, Arc<Mutex<Vec<Value>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let seen = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let seen = seen.clone();
            async move {
                let mut all = seen.lock().unwrap();
                all.push(body);
                axum::Json(serde_json::json!({"id": format!("m-{}", all.len())}))
            }
        }),
    );
    let port = serve(app).await;
    let config = NotifyConfig {
        channels: BTreeMap::from([(
            "ops".to_owned(),
            Channel::Webhook {
                url: format!("http://127.0.0.1:{port}/hook"),
                headers: BTreeMap::new(),
            },
        )]),
        ..NotifyConfig::default()
    };
    (Arc::new(Notify::new(&config).unwrap()), received)
}
