//! Limits: a timeout or a cancellation kills everything a command started, output is capped per
//! stream, and the resource-limits mode sets its `ulimit`s.

use crate::support::{Rig, assert_gone, marker, model_error, modes, shell};
use juggernaut_tools::{SandboxMode, Shell, ShellConfig, ToolError};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_timeout_kills_everything_the_command_started() {
    for mode in modes("a_timeout_kills_everything_the_command_started").await {
        let rig = Rig::new();
        let m = marker();
        let mut command = format!(
            "echo started; i=0; while [ $i -lt 30 ]; do (sleep {m} &); sleep {m} & i=$((i+1)); done; "
        );
        if mode == SandboxMode::Bubblewrap {
            // A new session leaves the process group; the PID namespace still ends with bwrap.
            command.push_str(&format!("setsid sleep {m} & "));
        }
        command.push_str(&format!("sleep {m}"));
        let started = Instant::now();
        let e = model_error(
            rig.run(
                &shell(mode, false),
                json!({"command": command, "timeout_secs": 1}),
            )
            .await,
        );
        assert!(started.elapsed() < Duration::from_secs(8), "{mode:?}");
        assert!(e.contains("ran out of time after 1s"), "{e}");
        assert!(
            e.contains("started") && e.contains("\"timed_out\":true"),
            "{e}"
        );
        assert_gone(&m);
    }
}

#[tokio::test]
async fn cancellation_kills_the_command() {
    for mode in modes("cancellation_kills_the_command").await {
        let rig = Rig::new();
        let m = marker();
        let cancel = rig.ctx.cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            cancel.cancel();
        });
        let r = rig
            .run(
                &shell(mode, false),
                json!({"command": format!("sleep {m} & sleep {m}")}),
            )
            .await;
        assert!(
            matches!(
                r,
                Err(ToolError::Abort {
                    retryable: true,
                    ..
                })
            ),
            "{mode:?}: {r:?}"
        );
        assert_gone(&m);
    }
}

#[tokio::test]
async fn huge_output_is_capped_per_stream() {
    for mode in modes("huge_output_is_capped_per_stream").await {
        let rig = Rig::new();
        let sh = Shell::new(ShellConfig {
            sandbox: mode,
            output_cap_bytes: 64 * 1024,
            ..ShellConfig::default()
        });
        let out = rig
            .ok(
                &sh,
                r"head -c 5000000 /dev/zero | tr '\0' a; echo fin >&2; exit 4",
            )
            .await;
        assert_eq!(out["exit_code"], 4, "{mode:?}");
        assert_eq!(out["truncated"], true);
        assert_eq!(out["stdout"].as_str().unwrap().len(), 64 * 1024);
        assert_eq!(out["stdout_bytes"], 5_000_000);
        assert_eq!(out["stderr"], "fin\n");
    }
}

#[tokio::test]
async fn rlimits_mode_sets_the_limits() {
    let rig = Rig::new();
    let sh = Shell::new(ShellConfig {
        sandbox: SandboxMode::Rlimits,
        memory_mb: 64,
        file_size_mb: 1,
        ..ShellConfig::default()
    });
    let out = rig.ok(&sh, "ulimit -v; ulimit -n; ulimit -f").await;
    assert_eq!(out["stdout"], "65536\n256\n2048\n", "{out}");
    assert_eq!(out["sandbox"], "rlimits");
    // Memory: a 100 MB string does not fit in 64 MiB of address space.
    let out = rig
        .ok(
            &sh,
            r"x=$(head -c 100000000 /dev/zero | tr '\0' a); echo ${#x}",
        )
        .await;
    assert_ne!(out["exit_code"], 0, "{out}");
    assert!(
        !out["stdout"].as_str().unwrap().contains("100000000"),
        "{out}"
    );
    // File size: writing past 1 MiB stops there.
    let out = rig
        .ok(&sh, "head -c 3000000 /dev/zero > big; wc -c < big")
        .await;
    assert_eq!(out["stdout"], "1048576\n", "{out}");
}
