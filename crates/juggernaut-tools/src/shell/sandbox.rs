//! Where a command runs. Bubblewrap, when it is installed and works here (probed once per
//! process), gives a command its own mount, PID, IPC, UTS and network namespaces, read-only
//! system directories, a private `/tmp`, no capabilities, and the task's workspace as the only
//! writable host directory. Without it, a command runs with resource limits only. Either way it
//! starts with an empty environment plus a minimal one, and under `ulimit`s set by a wrapper
//! shell (no `pre_exec`: `unsafe` is forbidden here).

use super::config::{SandboxMode, ShellConfig};
use crate::tool::ToolError;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::OnceCell;

/// The shell commands are run by.
pub(crate) const SH: &str = "/bin/sh";

/// `PATH` inside the sandbox.
const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// System directories bound read-only (or recreated as the symlinks they are, e.g. `/bin` →
/// `usr/bin` on merged-/usr systems).
const SYSTEM_DIRS: [&str; 7] = [
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
];

/// Files of `/etc` programs need and that hold no secrets (`/etc` itself is not bound).
const ETC_ALWAYS: [&str; 4] = [
    "/etc/alternatives",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
];

/// Files of `/etc` bound as well when the network is allowed (name resolution, CA roots).
const ETC_NETWORK: [&str; 6] = [
    "/etc/resolv.conf",
    "/etc/hosts",
    "/etc/nsswitch.conf",
    "/etc/ssl/certs",
    "/etc/ca-certificates",
    "/etc/pki/tls/certs",
];

/// A sandbox chosen for a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sandbox {
    /// Bubblewrap at this path.
    Bubblewrap(PathBuf),
    /// Resource limits only.
    Rlimits,
}

impl Sandbox {
    /// The name results report.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Bubblewrap(_) => "bubblewrap",
            Self::Rlimits => "rlimits",
        }
    }
}

/// The outcome of the one probe for bubblewrap: its path, or why it cannot be used.
static PROBE: OnceCell<Result<PathBuf, String>> = OnceCell::const_new();
static WARNED: AtomicBool = AtomicBool::new(false);

/// Whether bubblewrap is usable here: its path, or why not. Probed once per process.
pub async fn bubblewrap() -> Result<PathBuf, String> {
    PROBE.get_or_init(probe).await.clone()
}

/// The sandbox `mode` selects here.
pub(crate) async fn choose(mode: SandboxMode) -> Result<Sandbox, ToolError> {
    match mode {
        SandboxMode::Rlimits => {
            warn_once("sandbox = \"rlimits\" is configured");
            Ok(Sandbox::Rlimits)
        }
        SandboxMode::Bubblewrap => bubblewrap().await.map(Sandbox::Bubblewrap).map_err(|why| {
            ToolError::fatal(format!(
                "the shell is configured with sandbox = \"bubblewrap\", but bubblewrap is not \
                 usable here: {why}"
            ))
        }),
        SandboxMode::Auto => match bubblewrap().await {
            Ok(path) => Ok(Sandbox::Bubblewrap(path)),
            Err(why) => {
                warn_once(&why);
                Ok(Sandbox::Rlimits)
            }
        },
    }
}

fn warn_once(why: &str) {
    if !WARNED.swap(true, Ordering::Relaxed) {
        tracing::warn!(
            reason = why,
            "the shell tool runs commands WITHOUT a sandbox (resource limits only): they can read \
             and write whatever this process can, and use the network"
        );
    }
}

async fn probe() -> Result<PathBuf, String> {
    let bwrap = find_bwrap().ok_or("`bwrap` is not installed (not found on PATH)")?;
    let mut cmd = tokio::process::Command::new(&bwrap);
    cmd.args(bwrap_args(None, false))
        .args([SH, "-c", "exit 0"])
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let run = tokio::time::timeout(Duration::from_secs(10), cmd.output());
    match run.await {
        Err(_) => Err(format!(
            "{} did not finish a trial run within 10s",
            bwrap.display()
        )),
        Ok(Err(e)) => Err(format!("{} could not be started: {e}", bwrap.display())),
        Ok(Ok(out)) if out.status.success() => Ok(bwrap),
        Ok(Ok(out)) => Err(format!(
            "a trial run of {} failed ({}): {}",
            bwrap.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}

fn find_bwrap() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("bwrap"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain([PathBuf::from("/usr/bin/bwrap"), PathBuf::from("/bin/bwrap")])
        .find(|p| p.is_file())
}

/// Bubblewrap's arguments up to the command: namespaces, mounts, and `workspace` bound
/// read-write at its own path and made the working directory (`/` when there is none).
pub(crate) fn bwrap_args(workspace: Option<&Path>, allow_network: bool) -> Vec<OsString> {
    let mut a: Vec<OsString> = Vec::new();
    let mut push = |items: &[&str]| a.extend(items.iter().map(OsString::from));
    push(&["--unshare-all"]);
    if allow_network {
        push(&["--share-net"]);
    }
    push(&["--die-with-parent", "--new-session", "--cap-drop", "ALL"]);
    for dir in SYSTEM_DIRS {
        match std::fs::symlink_metadata(dir) {
            Ok(m) if m.file_type().is_symlink() => {
                if let Ok(target) = std::fs::read_link(dir) {
                    a.extend([
                        OsString::from("--symlink"),
                        target.into_os_string(),
                        dir.into(),
                    ]);
                }
            }
            Ok(m) if m.is_dir() => a.extend(["--ro-bind", dir, dir].map(OsString::from)),
            _ => {}
        }
    }
    let etc = ETC_ALWAYS
        .iter()
        .chain(if allow_network { &ETC_NETWORK[..] } else { &[] });
    for f in etc {
        a.extend(["--ro-bind-try", f, f].map(OsString::from));
    }
    // A fresh /proc for the new PID namespace, with its sysctls read-only: the sandbox runs as
    // root (without capabilities), and some sysctls check nothing but file permissions.
    a.extend(
        [
            "--proc",
            "/proc",
            "--ro-bind",
            "/proc/sys",
            "/proc/sys",
            "--dev",
            "/dev",
            "--tmpfs",
            "/tmp",
        ]
        .map(OsString::from),
    );
    match workspace {
        Some(ws) => {
            a.push("--bind".into());
            a.push(ws.into());
            a.push(ws.into());
            a.push("--chdir".into());
            a.push(ws.into());
        }
        None => a.extend(["--chdir", "/"].map(OsString::from)),
    }
    a
}

/// The wrapper script that sets the resource limits and then runs `"$1"` with `/bin/sh -c`.
/// Each limit is only ever lowered (setting both the soft and the hard limit), so a stricter
/// limit already in place stays; a limit that cannot be set stops the command (exit 125).
pub(crate) fn limits_script(config: &ShellConfig, timeout: Duration) -> String {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    // CPU seconds across all threads: the wall-clock limit on every core, plus one.
    let cpu = timeout
        .as_secs()
        .max(1)
        .saturating_mul(cores)
        .saturating_add(1);
    let mut script = String::from(
        "lim() { h=$(ulimit -H \"$1\") || exit 125; \
         if [ \"$h\" = unlimited ] || [ \"$h\" -gt \"$2\" ]; then ulimit \"$1\" \"$2\" || \
         { echo \"juggernaut: cannot set resource limit ulimit $1 $2\" >&2; exit 125; }; fi; }; ",
    );
    script.push_str(&format!("lim -t {cpu}; lim -n 256; "));
    if config.memory_mb > 0 {
        script.push_str(&format!(
            "lim -v {}; ",
            config.memory_mb.saturating_mul(1024)
        ));
    }
    if config.file_size_mb > 0 {
        // 512-byte blocks, as both dash and POSIX-mode bash count them.
        script.push_str(&format!(
            "lim -f {}; ",
            config.file_size_mb.saturating_mul(2048)
        ));
    }
    script.push_str("exec /bin/sh -c \"$1\"");
    script
}

/// The whole environment a command sees.
pub(crate) fn env(workspace: &Path) -> Vec<(OsString, OsString)> {
    vec![
        ("PATH".into(), PATH.into()),
        ("HOME".into(), workspace.into()),
        ("LANG".into(), "C.UTF-8".into()),
        ("TERM".into(), "dumb".into()),
    ]
}
