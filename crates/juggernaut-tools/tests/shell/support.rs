//! Helpers of the shell tests: a workspace outside /tmp, shells per sandbox mode, the bubblewrap
//! gate (skip, or fail under `JUGGERNAUT_REQUIRE_BWRAP=1`), and process markers for `pgrep`.

use juggernaut_tools::shell::bubblewrap;
use juggernaut_tools::{SandboxMode, Shell, ShellConfig, Tool, ToolContext, ToolError, Workspace};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

pub struct Rig {
    pub tmp: tempfile::TempDir,
    pub ctx: ToolContext,
}

impl Rig {
    /// A workspace under the target directory rather than /tmp, so that the sandbox's private
    /// /tmp is not what hides its neighbours.
    pub fn new() -> Self {
        let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        let ws = Workspace::at(tmp.path().join("ws"));
        ws.ensure().unwrap();
        let ctx = ToolContext {
            task_id: None,
            attempt: 1,
            lease_token: None,
            workspace: ws,
            cancel: CancellationToken::new(),
        };
        Self { tmp, ctx }
    }

    pub fn ws(&self) -> PathBuf {
        self.ctx.workspace.dir().canonicalize().unwrap()
    }

    pub async fn run(&self, shell: &Shell, args: Value) -> Result<Value, ToolError> {
        shell.call(&self.ctx, args).await.map(|o| o.content)
    }

    pub async fn ok(&self, shell: &Shell, command: &str) -> Value {
        match self.run(shell, json!({"command": command})).await {
            Ok(v) => v,
            Err(e) => panic!("`{command}` failed: {e}"),
        }
    }
}

pub fn shell(sandbox: SandboxMode, allow_network: bool) -> Shell {
    Shell::new(ShellConfig {
        sandbox,
        allow_network,
        timeout_default_secs: 20,
        ..ShellConfig::default()
    })
}

/// Whether bubblewrap tests can run; fails when CI requires them and they cannot.
pub async fn bwrap_or_skip(test: &str) -> bool {
    match bubblewrap().await {
        Ok(_) => true,
        Err(why) if std::env::var("JUGGERNAUT_REQUIRE_BWRAP").as_deref() == Ok("1") => {
            panic!("JUGGERNAUT_REQUIRE_BWRAP=1 but bubblewrap is not usable: {why}")
        }
        Err(why) => {
            eprintln!("skipping {test}: bubblewrap is not usable here: {why}");
            false
        }
    }
}

/// The modes to try: resource limits always, bubblewrap when usable.
pub async fn modes(test: &str) -> Vec<SandboxMode> {
    let mut m = vec![SandboxMode::Rlimits];
    if bwrap_or_skip(test).await {
        m.push(SandboxMode::Bubblewrap);
    }
    m
}

/// A `sleep` duration no other process uses, to find this test's processes with `pgrep`.
pub fn marker() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "9{}{:03}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Waits up to 5s for every `sleep MARKER` process to be gone.
pub fn assert_gone(marker: &str) {
    let started = Instant::now();
    loop {
        let found = std::process::Command::new("pgrep")
            .args(["-f", &format!("sleep {marker}")])
            .output()
            .unwrap();
        if !found.status.success() {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "processes outlived the command: {}",
            String::from_utf8_lossy(&found.stdout)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn model_error(r: Result<Value, ToolError>) -> String {
    match r {
        Err(ToolError::Model(m)) => m,
        other => panic!("expected a model error, got {other:?}"),
    }
}
