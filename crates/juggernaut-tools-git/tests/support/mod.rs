//! What the git tools' tests share: a temporary directory with a workspace and bare
//! repositories, a toolbox recording into a fresh SQLite ledger with the planted token known to
//! its redactor, and a call context outside any task.

use juggernaut_store::Store;
use juggernaut_tools::{Redactor, Tool, ToolContext, ToolRegistry, Toolbox, Workspace};
use juggernaut_tools_git::{Git, GitConfig};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// A token that must never show up anywhere.
pub const TOKEN: &str = "ghp_PLANTEDsecretTOKEN0123456789";

/// One test's world.
pub struct World {
    /// Holds everything.
    pub tmp: tempfile::TempDir,
    /// The allowed bare repository.
    pub bare: PathBuf,
    /// The ledger.
    pub store: Arc<dyn Store>,
    /// The toolbox with `git` and `git_push`.
    pub toolbox: Toolbox,
    /// The call context (workspace `tmp/ws`).
    pub ctx: ToolContext,
}

/// The git configuration allowing `allowed`.
pub fn config(allowed: &[&Path]) -> GitConfig {
    GitConfig {
        allowed_remotes: allowed.iter().map(|p| p.display().to_string()).collect(),
        timeout_secs: 60,
        author_name: "Juggernaut Test".into(),
        author_email: "juggernaut@test.invalid".into(),
    }
}

/// A world whose tools allow `tmp/app.git` (and the extra remotes) and know the token.
pub async fn world(extra_allowed: &[String]) -> World {
    let tmp = tempfile::tempdir().unwrap();
    let bare = juggernaut_testkit::fake_github::bare_repo(tmp.path(), "app");
    let mut cfg = config(&[&bare]);
    cfg.allowed_remotes.extend(extra_allowed.iter().cloned());
    let git = Git::with_token(cfg, Some(TOKEN)).unwrap();
    let push = git.push_tool();
    let tools: Vec<Arc<dyn Tool>> = vec![Arc::new(git), Arc::new(push)];
    let store = juggernaut_testkit::fresh_sqlite().await;
    let toolbox = Toolbox::new(
        Arc::new(ToolRegistry::new(tools).unwrap()),
        store.clone(),
        Redactor::new([TOKEN.to_owned()]),
    );
    let ctx = ToolContext {
        task_id: None,
        attempt: 1,
        lease_token: None,
        workspace: Workspace::at(tmp.path().join("ws")),
        cancel: CancellationToken::new(),
    };
    World {
        tmp,
        bare,
        store,
        toolbox,
        ctx,
    }
}

impl World {
    /// Calls a tool through the toolbox; the ledger id and the outcome.
    pub async fn call(
        &self,
        tool: &str,
        args: serde_json::Value,
    ) -> (
        juggernaut_store::ToolCallId,
        Result<juggernaut_tools::ToolOutput, juggernaut_tools::ToolError>,
    ) {
        let all = [
            juggernaut_tools::Permission::Write,
            juggernaut_tools::Permission::External,
        ];
        let called = self
            .toolbox
            .call(&self.ctx, tool, args, &all)
            .await
            .unwrap();
        (called.id, called.outcome)
    }

    /// A call that must succeed: its content.
    pub async fn ok(&self, tool: &str, args: serde_json::Value) -> serde_json::Value {
        let (_, out) = self.call(tool, args.clone()).await;
        match out {
            Ok(o) => o.content,
            Err(e) => panic!("{tool} {args}: {e}"),
        }
    }

    /// A call that must fail: its message.
    pub async fn err(&self, tool: &str, args: serde_json::Value) -> String {
        let (_, out) = self.call(tool, args.clone()).await;
        match out {
            Ok(o) => panic!("{tool} {args} succeeded: {}", o.content),
            Err(e) => e.to_string(),
        }
    }

    /// A path of the workspace.
    pub fn ws(&self, rel: &str) -> PathBuf {
        self.tmp.path().join("ws").join(rel)
    }

    /// The bare repository as the tools are given it.
    pub fn url(&self) -> String {
        self.bare.display().to_string()
    }
}
