//! Running the `git` CLI: a cleared environment (only `PATH`, a private `HOME`, the locale and
//! the author, plus the token for the commands that talk to a remote), no user or system
//! configuration, hooks off, prompts off, submodules never recursed into, discovery stopped at
//! the workspace, a time limit, and output capped and redacted. The token is only ever in the
//! environment of `clone`, `ls-remote`, `push` and `fetch`, read by an inline credential helper
//! whose text names the variable, not the value; a local command (status, add, commit...) never
//! has it, so nothing a repository makes git run locally can read it.

use super::GitConfig;
use crate::secret::{Secret, clean_output};
use juggernaut_tools::ToolError;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};

/// Most bytes kept of each of a command's stdout and stderr.
pub const MAX_OUTPUT: usize = 32 * 1024;

/// The variable the credential helper reads the token from.
pub const TOKEN_VAR: &str = "JUGGERNAUT_GIT_TOKEN";

/// The credential helper: answers `get` with the token from the environment, nothing else.
const HELPER: &str = "!f() { test \"$1\" = get || exit 0; \
    test -n \"$JUGGERNAUT_GIT_TOKEN\" || exit 0; \
    printf 'username=x-access-token\\npassword=%s\\n' \"$JUGGERNAUT_GIT_TOKEN\"; }; f";

/// Settings every invocation gets, whatever a repository's own configuration says. Submodules
/// (and any repository nested in the work tree) are never recursed into: git would read the
/// inner repository's configuration, which nothing has checked.
const FORCED: [&str; 12] = [
    "core.hooksPath=/dev/null",
    "credential.helper=",
    "protocol.ext.allow=never",
    "commit.gpgSign=false",
    "tag.gpgSign=false",
    "core.fsmonitor=false",
    "advice.detachedHead=false",
    "submodule.recurse=false",
    "diff.ignoreSubmodules=all",
    "status.submoduleSummary=false",
    "push.recurseSubmodules=no",
    "fetch.recurseSubmodules=false",
];

/// The subcommands that talk to a remote: the only ones given the token.
const REMOTE: [&str; 4] = ["clone", "ls-remote", "push", "fetch"];

/// What a command did.
#[derive(Debug, Clone)]
pub struct Ran {
    /// Exit code (`-1` when killed by a signal).
    pub code: i32,
    /// Standard output, capped and redacted.
    pub stdout: String,
    /// Standard error, capped and redacted.
    pub stderr: String,
    /// Whether either was cut.
    pub truncated: bool,
}

impl Ran {
    /// Whether it exited 0.
    pub fn ok(&self) -> bool {
        self.code == 0
    }

    /// Its output for a message: stderr (else stdout), trimmed, at most the last 2000 bytes.
    pub fn tail(&self) -> String {
        let text = if self.stderr.trim().is_empty() {
            &self.stdout
        } else {
            &self.stderr
        };
        let text = text.trim();
        let mut start = text.len().saturating_sub(2000);
        while !text.is_char_boundary(start) {
            start += 1;
        }
        text[start..].to_owned()
    }
}

/// Runs git for the tools that share it.
#[derive(Debug)]
pub struct Runner {
    pub(crate) cfg: GitConfig,
    token: Option<Secret>,
    home: tempfile::TempDir,
}

impl Runner {
    /// A runner with `cfg` and this token.
    pub fn new(cfg: GitConfig, token: Option<Secret>) -> Result<Self, String> {
        if cfg.author_name.trim().is_empty() || cfg.author_email.trim().is_empty() {
            return Err("git: author_name and author_email must be set".into());
        }
        if cfg.timeout_secs == 0 {
            return Err("git: timeout_secs must be at least 1".into());
        }
        let home = tempfile::Builder::new()
            .prefix("juggernaut-git-home-")
            .tempdir()
            .map_err(|e| format!("git: cannot create a private HOME directory: {e}"))?;
        Ok(Self { cfg, token, home })
    }

    /// The private directory git runs with as `HOME` (and as its working directory outside
    /// any repository).
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// The token, for redaction.
    pub fn token(&self) -> Option<&Secret> {
        self.token.as_ref()
    }

    /// The arguments before the subcommand: the forced settings, and the credential helper
    /// when `args` talk to a remote and there is a token.
    fn settings(&self, args: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        for setting in FORCED {
            out.extend(["-c".to_owned(), setting.to_owned()]);
        }
        if self.token.is_some() && remote(args) {
            out.extend(["-c".to_owned(), format!("credential.helper={HELPER}")]);
        }
        out
    }

    /// The whole environment of `git <args>` (it starts from an empty one): the token only
    /// when `args` talk to a remote.
    fn environment(&self, args: &[String], ceiling: &Path) -> Vec<(&'static str, OsString)> {
        let mut env: Vec<(&'static str, OsString)> = vec![
            ("PATH", path_var()),
            ("HOME", self.home.path().into()),
            ("LANG", "C".into()),
            ("LC_ALL", "C".into()),
            ("GIT_TERMINAL_PROMPT", "0".into()),
            ("GIT_CONFIG_NOSYSTEM", "1".into()),
            ("GIT_CONFIG_GLOBAL", "/dev/null".into()),
            ("GIT_CEILING_DIRECTORIES", ceiling.into()),
            ("GIT_SSH_COMMAND", "ssh -o BatchMode=yes".into()),
            ("GIT_AUTHOR_NAME", (&self.cfg.author_name).into()),
            ("GIT_AUTHOR_EMAIL", (&self.cfg.author_email).into()),
            ("GIT_COMMITTER_NAME", (&self.cfg.author_name).into()),
            ("GIT_COMMITTER_EMAIL", (&self.cfg.author_email).into()),
        ];
        if let Some(t) = self.token.as_ref().filter(|_| remote(args)) {
            env.push((TOKEN_VAR, t.expose().into()));
        }
        env
    }

    /// Runs `git <args>` in `cwd`, never looking for a repository above `ceiling`.
    pub async fn run(&self, cwd: &Path, ceiling: &Path, args: &[String]) -> Result<Ran, ToolError> {
        self.run_capped(cwd, ceiling, args, MAX_OUTPUT).await
    }

    /// [`Runner::run`] keeping up to `max` bytes of each output (for output read, not shown).
    pub async fn run_capped(
        &self,
        cwd: &Path,
        ceiling: &Path,
        args: &[String],
        max: usize,
    ) -> Result<Ran, ToolError> {
        let mut cmd = tokio::process::Command::new("git");
        cmd.args(self.settings(args))
            .args(args)
            .current_dir(cwd)
            .env_clear()
            .envs(self.environment(args, ceiling))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let op = args.first().map_or("", String::as_str);
        let mut child = cmd.spawn().map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                ToolError::fatal("the `git` program was not found on PATH")
            } else {
                ToolError::transient(format!("starting `git {op}` failed: {e}"))
            }
        })?;
        let (Some(out), Some(err)) = (child.stdout.take(), child.stderr.take()) else {
            return Err(ToolError::transient("git's output could not be captured"));
        };
        let limit = Duration::from_secs(self.cfg.timeout_secs);
        let work = async {
            let (out, err, status) = tokio::join!(capped(out, max), capped(err, max), child.wait());
            (out, err, status)
        };
        let Ok((out, err, status)) = tokio::time::timeout(limit, work).await else {
            return Err(ToolError::model(format!(
                "`git {op}` took longer than {}s and was stopped",
                self.cfg.timeout_secs
            )));
        };
        let status =
            status.map_err(|e| ToolError::transient(format!("waiting for `git {op}`: {e}")))?;
        let token = self.token.as_ref();
        let (stdout, cut_out) = clean_output(&out.0, out.1, max, token);
        let (stderr, cut_err) = clean_output(&err.0, err.1, max, token);
        Ok(Ran {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr,
            truncated: cut_out || cut_err,
        })
    }

    /// Runs git and refuses a non-zero exit with `what` and git's own words.
    pub async fn ok(
        &self,
        cwd: &Path,
        ceiling: &Path,
        args: &[String],
        what: &str,
    ) -> Result<Ran, ToolError> {
        let ran = self.run(cwd, ceiling, args).await?;
        if ran.ok() {
            Ok(ran)
        } else {
            Err(ToolError::model(format!(
                "{what} failed (git exited {}): {}",
                ran.code,
                ran.tail()
            )))
        }
    }
}

/// The parent's `PATH`, or a plain default.
fn path_var() -> OsString {
    std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into())
}

/// Whether `git <args>` talks to a remote.
fn remote(args: &[String]) -> bool {
    args.first().is_some_and(|op| REMOTE.contains(&op.as_str()))
}

/// Reads a stream to its end, keeping the first `max` bytes plus a margin for the redaction's
/// cut; returns them and the total written.
async fn capped<R: AsyncRead + Unpin>(mut r: R, max: usize) -> (Vec<u8>, usize) {
    let keep = max.saturating_add(512);
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let mut total = 0usize;
    loop {
        match r.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                total += n;
                if buf.len() < keep {
                    let take = n.min(keep - buf.len());
                    buf.extend_from_slice(&chunk[..take]);
                }
            }
        }
    }
    (buf, total)
}

/// The workspace's directory made absolute and created, and the ceiling above it (its parent),
/// so git never takes a repository outside the workspace for the one it was pointed at.
pub fn anchors(ws: &juggernaut_tools::Workspace) -> Result<(PathBuf, PathBuf), ToolError> {
    let dir = ws
        .ensure()
        .map_err(|e| ToolError::transient(format!("the task's workspace: {e}")))?;
    let dir = dir
        .canonicalize()
        .map_err(|e| ToolError::transient(format!("the task's workspace: {e}")))?;
    let ceiling = dir.parent().map_or_else(|| dir.clone(), Path::to_path_buf);
    Ok((dir, ceiling))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn only_commands_that_talk_to_a_remote_get_the_token() {
        let token = Secret::new("ghp_unitTOKEN");
        let runner = Runner::new(GitConfig::default(), token).unwrap();
        let ceiling = Path::new("/tmp");
        let has = |a: &[&str]| {
            let a = args(a);
            let env = runner.environment(&a, ceiling);
            let in_env = env
                .iter()
                .any(|(k, v)| *k == TOKEN_VAR || v == "ghp_unitTOKEN");
            let helper = runner.settings(&a).iter().any(|s| s.contains(TOKEN_VAR));
            assert_eq!(in_env, helper, "{a:?}");
            in_env
        };
        for local in [
            &["status", "--porcelain=v1"][..],
            &["add", "--all", "--"],
            &["commit", "--no-verify", "-m", "x"],
            &["diff", "--cached"],
            &["ls-files", "-s"],
            &["config", "--list"],
            &["checkout", "main", "--"],
            &["log"],
            &["rev-parse", "HEAD"],
            &["remote", "get-url", "--push", "origin"],
            &[],
        ] {
            assert!(!has(local), "{local:?} has the token");
        }
        for remote in [
            &["clone", "--", "u", "d"][..],
            &["ls-remote", "--heads"],
            &["push", "--porcelain"],
            &["fetch"],
        ] {
            assert!(has(remote), "{remote:?} lacks the token");
        }
        // Every call runs with submodules off and the user's configuration ignored.
        let settings = runner.settings(&args(&["status"])).join(" ");
        for s in ["submodule.recurse=false", "diff.ignoreSubmodules=all"] {
            assert!(settings.contains(s), "{settings}");
        }
        let env = runner.environment(&args(&["status"]), ceiling);
        assert!(
            env.iter()
                .any(|(k, v)| *k == "GIT_CONFIG_GLOBAL" && v == "/dev/null")
        );
        // Without a token, no helper and no variable at all.
        let plain = Runner::new(GitConfig::default(), None).unwrap();
        let push = args(&["push"]);
        assert!(
            !plain
                .environment(&push, ceiling)
                .iter()
                .any(|(k, _)| *k == TOKEN_VAR)
        );
        assert!(!plain.settings(&push).iter().any(|s| s.contains(TOKEN_VAR)));
    }
}
