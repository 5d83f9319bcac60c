//! Trying to get out of the sandbox: writing and reading outside the workspace, seeing the
//! parent's environment, reaching the network.

use crate::support::{Rig, bwrap_or_skip, marker, modes, shell};
use juggernaut_tools::SandboxMode;
use std::path::{Path, PathBuf};

#[tokio::test]
async fn bubblewrap_cannot_write_outside_the_workspace() {
    if !bwrap_or_skip("bubblewrap_cannot_write_outside_the_workspace").await {
        return;
    }
    let rig = Rig::new();
    let m = marker();
    let targets = [
        rig.tmp.path().join(format!("escape-{m}")),
        PathBuf::from(format!("/root/escape-{m}")),
        PathBuf::from(format!("/tmp/host-marker-{m}")),
        PathBuf::from(format!("/usr/escape-{m}")),
        PathBuf::from(format!("/escape-{m}")),
    ];
    let command = targets
        .iter()
        .map(|t| format!("echo x > {} ;", t.display()))
        .collect::<String>()
        + " echo done";
    let out = rig
        .ok(&shell(SandboxMode::Bubblewrap, false), &command)
        .await;
    assert_eq!(out["stdout"], "done\n", "{out}");
    for t in &targets {
        let there = t.exists();
        let _ = std::fs::remove_file(t);
        assert!(!there, "the sandbox wrote {}", t.display());
    }
}

#[tokio::test]
async fn bubblewrap_cannot_read_outside_the_workspace() {
    if !bwrap_or_skip("bubblewrap_cannot_read_outside_the_workspace").await {
        return;
    }
    let rig = Rig::new();
    let secret = rig.tmp.path().join("secret.txt");
    std::fs::write(&secret, "planted-secret-0xC0FFEE").unwrap();
    let command = format!(
        "cat {}; cat /etc/shadow; cat /etc/passwd; ls -A /root /home {}; ls /proc",
        secret.display(),
        rig.tmp.path().display()
    );
    let out = rig
        .ok(&shell(SandboxMode::Bubblewrap, false), &command)
        .await;
    let stdout = out["stdout"].as_str().unwrap();
    assert!(!stdout.contains("planted-secret"), "{out}");
    assert!(!stdout.lines().any(|l| l.starts_with("root:")), "{out}");
    assert!(!stdout.contains("secret.txt"), "{out}");
    // Only the sandbox's own processes are visible.
    let pids = stdout
        .lines()
        .filter(|l| l.chars().all(|c| c.is_ascii_digit()))
        .count();
    assert!(pids < 10, "{stdout}");
    // No capabilities: no device nodes, no mounts.
    let out = rig
        .ok(
            &shell(SandboxMode::Bubblewrap, false),
            "mknod /tmp/disk b 8 0 || echo no-mknod; mount -t tmpfs x /tmp 2>/dev/null || echo no-mount; \
             echo 1 > /proc/sys/vm/drop_caches 2>/dev/null || echo no-sysctl",
        )
        .await;
    assert_eq!(out["stdout"], "no-mknod\nno-mount\nno-sysctl\n", "{out}");
}

/// Re-runs itself with `JUGGERNAUT_TEST_SECRET` set (a test cannot set it in its own process:
/// `set_var` is unsafe), and in that run checks that no command can see it.
#[tokio::test]
async fn the_parent_environment_is_not_inherited() {
    const VAR: &str = "JUGGERNAUT_TEST_SECRET";
    let Ok(secret) = std::env::var(VAR) else {
        let run = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "escape::the_parent_environment_is_not_inherited",
                "--exact",
                "--nocapture",
            ])
            .env(VAR, "env-secret-4711")
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success() && report.contains("1 passed"),
            "the run with {VAR} set failed: {report}{}",
            String::from_utf8_lossy(&run.stderr)
        );
        return;
    };
    let rig = Rig::new();
    assert!(std::env::var("CARGO_MANIFEST_DIR").is_ok());
    for mode in modes("the_parent_environment_is_not_inherited").await {
        let out = rig.ok(&shell(mode, false), "env").await;
        let stdout = out["stdout"].as_str().unwrap();
        assert!(
            !stdout.contains(&secret) && !stdout.contains(VAR),
            "{mode:?}: {stdout}"
        );
        assert!(!stdout.contains("CARGO"), "{mode:?}: {stdout}");
        let mut names: Vec<&str> = stdout.lines().filter_map(|l| l.split('=').next()).collect();
        names.sort_unstable();
        names.retain(|n| !["PWD", "SHLVL", "_", "OLDPWD"].contains(n));
        assert_eq!(
            names,
            ["HOME", "LANG", "PATH", "TERM"],
            "{mode:?}: {stdout}"
        );
    }
}

#[tokio::test]
async fn bubblewrap_has_no_network_unless_allowed() {
    if !bwrap_or_skip("bubblewrap_has_no_network_unless_allowed").await {
        return;
    }
    let Some(bash) = ["/usr/bin/bash", "/bin/bash"]
        .into_iter()
        .find(|p| Path::new(p).exists())
    else {
        eprintln!("skipping bubblewrap_has_no_network_unless_allowed: no bash for /dev/tcp");
        return;
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let command = format!("{bash} -c 'exec 3<>/dev/tcp/127.0.0.1/{port} && echo connected' 2>&1");
    let rig = Rig::new();
    let out = rig
        .ok(&shell(SandboxMode::Bubblewrap, false), &command)
        .await;
    assert!(
        !out["stdout"].as_str().unwrap().contains("connected\n"),
        "{out}"
    );
    assert_ne!(out["exit_code"], 0, "{out}");
    assert!(
        listener.accept().is_err(),
        "the sandbox reached the listener"
    );
    // The same command with the network allowed connects, so the check above means something.
    let out = rig
        .ok(&shell(SandboxMode::Bubblewrap, true), &command)
        .await;
    assert_eq!(out["stdout"], "connected\n", "{out}");
    assert!(listener.accept().is_ok());
}
