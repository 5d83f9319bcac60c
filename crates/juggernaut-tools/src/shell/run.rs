//! Running one command: spawn it in a process group of its own, feed its stdin, keep at most
//! the cap of stdout and of stderr (draining the rest so it never blocks on a full pipe), and
//! end it on exit, timeout or cancellation by killing the whole group, so that nothing it
//! started outlives the call (in bubblewrap, killing `bwrap` ends the PID namespace with it).

use super::sandbox::{self, SH, Sandbox};
use crate::tool::ToolError;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

/// How long the output pipes may stay open after the command's group was killed (a process
/// that left the group may still hold them).
const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// What one command is.
pub(crate) struct Job<'a> {
    pub sandbox: &'a Sandbox,
    pub workspace: &'a Path,
    pub command: &'a str,
    pub stdin: Option<String>,
    pub limits: String,
    pub allow_network: bool,
    pub timeout: Duration,
    pub cap: usize,
}

/// The start of one output stream, and how long it was.
#[derive(Debug, Default)]
pub(crate) struct Captured {
    pub bytes: Vec<u8>,
    pub total: u64,
}

impl Captured {
    pub(crate) fn truncated(&self) -> bool {
        self.total > self.bytes.len() as u64
    }
}

/// How the command ended.
#[derive(Debug)]
pub(crate) enum End {
    Exited(ExitStatus),
    TimedOut,
    Cancelled,
}

/// What a command did.
#[derive(Debug)]
pub(crate) struct Ran {
    pub end: End,
    pub stdout: Captured,
    pub stderr: Captured,
}

/// Runs `job` to its end.
pub(crate) async fn run(job: Job<'_>, cancel: &CancellationToken) -> Result<Ran, ToolError> {
    let mut cmd = match job.sandbox {
        Sandbox::Bubblewrap(bwrap) => {
            let mut c = tokio::process::Command::new(bwrap);
            c.args(sandbox::bwrap_args(Some(job.workspace), job.allow_network))
                .arg(SH);
            c
        }
        Sandbox::Rlimits => tokio::process::Command::new(SH),
    };
    cmd.arg("-c")
        .arg(&job.limits)
        .arg("sh")
        .arg(job.command)
        .current_dir(job.workspace)
        .env_clear()
        .envs(sandbox::env(job.workspace))
        .process_group(0)
        .stdin(if job.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().map_err(|e| {
        ToolError::fatal(format!(
            "the shell could not start {}: {e}",
            match job.sandbox {
                Sandbox::Bubblewrap(p) => p.display().to_string(),
                Sandbox::Rlimits => SH.to_owned(),
            }
        ))
    })?;
    // From here on, however this future ends (even dropped), the group is killed.
    let mut group = GroupKill(child.id());
    let out = Arc::new(Mutex::new(Captured::default()));
    let err = Arc::new(Mutex::new(Captured::default()));
    let mut readers = Vec::new();
    if let Some(pipe) = child.stdout.take() {
        readers.push(tokio::spawn(drain(pipe, job.cap, Arc::clone(&out))));
    }
    if let Some(pipe) = child.stderr.take() {
        readers.push(tokio::spawn(drain(pipe, job.cap, Arc::clone(&err))));
    }
    let writer = match (job.stdin, child.stdin.take()) {
        (Some(input), Some(mut pipe)) => Some(tokio::spawn(async move {
            // A command that does not read all of its input is not an error.
            let _ = pipe.write_all(input.as_bytes()).await;
        })),
        _ => None,
    };
    let end = tokio::select! {
        status = child.wait() => End::Exited(status.map_err(|e| {
            ToolError::transient(format!("waiting for the command failed: {e}"))
        })?),
        () = tokio::time::sleep(job.timeout) => End::TimedOut,
        () = cancel.cancelled() => End::Cancelled,
    };
    group.kill();
    if !matches!(end, End::Exited(_)) {
        let _ = child.start_kill();
        let _ = tokio::time::timeout(DRAIN_GRACE, child.wait()).await;
    }
    if let Some(w) = writer {
        w.abort();
    }
    let deadline = tokio::time::Instant::now() + DRAIN_GRACE;
    for r in readers {
        let abort = r.abort_handle();
        if tokio::time::timeout_at(deadline, r).await.is_err() {
            abort.abort();
        }
    }
    Ok(Ran {
        end,
        stdout: take(&out),
        stderr: take(&err),
    })
}

fn take(c: &Mutex<Captured>) -> Captured {
    std::mem::take(&mut *c.lock().unwrap_or_else(PoisonError::into_inner))
}

/// Reads `pipe` to its end, keeping the first `cap` bytes and counting all.
async fn drain(mut pipe: impl AsyncRead + Unpin, cap: usize, into: Arc<Mutex<Captured>>) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match pipe.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut c = into.lock().unwrap_or_else(PoisonError::into_inner);
        let room = cap.saturating_sub(c.bytes.len());
        c.bytes.extend_from_slice(&buf[..n.min(room)]);
        c.total += n as u64;
    }
}

/// Kills the process group it names, once: when told to, or when dropped.
struct GroupKill(Option<u32>);

impl GroupKill {
    fn kill(&mut self) {
        if let Some(pgid) = self.0.take() {
            kill_group(pgid);
        }
    }
}

impl Drop for GroupKill {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `kill -KILL -PGID`, through the shell's builtin so that no `kill` binary is needed (and no
/// `unsafe` libc call). A group that is gone already is not an error.
fn kill_group(pgid: u32) {
    let done = std::process::Command::new(SH)
        .args(["-c", "kill -9 -\"$1\" 2>/dev/null", "sh", &pgid.to_string()])
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if let Err(e) = done {
        tracing::warn!(pgid, error = %e, "could not kill a shell command's process group");
    }
}
