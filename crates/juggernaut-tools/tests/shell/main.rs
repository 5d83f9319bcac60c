//! The shell tool with real processes, trying to get out: writing and reading outside the
//! workspace, seeing the parent's environment, reaching the network, outliving a timeout or a
//! cancellation, flooding the output. Sandbox-specific checks run when bubblewrap is usable here
//! and are skipped (with a note) when it is not, unless `JUGGERNAUT_REQUIRE_BWRAP=1`, which
//! turns a missing bubblewrap into a failure. The resource-limits mode is tested on its own.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod escape;
mod limits;
mod support;

use juggernaut_tools::{SandboxMode, Shell, ShellConfig, Tool, ToolError};
use serde_json::json;
use support::{Rig, model_error, modes, shell};

#[tokio::test]
async fn runs_in_the_workspace_with_exit_code_stdin_and_files() {
    let rig = Rig::new();
    for mode in modes("runs_in_the_workspace").await {
        let sh = shell(mode, false);
        let out = rig
            .run(
                &sh,
                json!({"command": "pwd; echo \"$HOME\"; cat; echo made > made.txt; echo oops >&2; exit 3",
                       "stdin": "from stdin\n"}),
            )
            .await
            .unwrap();
        let ws = rig.ws().display().to_string();
        assert_eq!(out["exit_code"], 3, "{mode:?}: {out}");
        assert_eq!(
            out["stdout"],
            format!("{ws}\n{ws}\nfrom stdin\n"),
            "{mode:?}"
        );
        assert_eq!(out["stderr"], "oops\n");
        assert_eq!(out["timed_out"], false);
        assert_eq!(out["truncated"], false);
        assert_eq!(out["sandbox"], mode.as_str());
        assert_eq!(
            std::fs::read_to_string(rig.ws().join("made.txt")).unwrap(),
            "made\n"
        );
        std::fs::remove_file(rig.ws().join("made.txt")).unwrap();
    }
}

#[tokio::test]
async fn bad_arguments_and_configuration_are_refused() {
    let rig = Rig::new();
    let sh = shell(SandboxMode::Rlimits, false);
    for (args, expect) in [
        (
            json!({"command": "true", "timeout_secs": 0}),
            "`timeout_secs` must be 1 to 240, not 0",
        ),
        (json!({"command": "true", "timeout_secs": 241}), "not 241"),
        (json!({"command": "  "}), "`command` is empty"),
        (json!({"command": "a\u{0}b"}), "NUL"),
        (json!({"command": "true", "env": {}}), "unknown field `env`"),
        (json!({}), "missing field `command`"),
    ] {
        let e = model_error(rig.run(&sh, args.clone()).await);
        assert!(e.contains(expect), "{args}: {e}");
    }
    let bad = Shell::new(ShellConfig {
        timeout_default_secs: 0,
        ..ShellConfig::default()
    });
    let r = rig.run(&bad, json!({"command": "true"})).await;
    assert!(
        matches!(&r, Err(ToolError::Abort { retryable: false, message }) if message.contains("timeout_default_secs")),
        "{r:?}"
    );
    assert_eq!(sh.permission(), juggernaut_tools::Permission::Execute);
    assert_eq!(sh.parameters()["required"], json!(["command"]));
}
