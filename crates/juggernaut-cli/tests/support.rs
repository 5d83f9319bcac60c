//! Runs the binary in a temporary working directory, so the default SQLite path is private.

use assert_cmd::Command;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A working directory for one test.
pub struct Cwd {
    pub dir: tempfile::TempDir,
}

impl Cwd {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// `juggernaut ARGS` in this directory, with no database URL from the environment.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("juggernaut").unwrap();
        c.current_dir(self.dir.path())
            .env_remove("JUGGERNAUT_DATABASE_URL")
            .env_remove("DATABASE_URL")
            .args(args);
        for var in LLM_VARS {
            c.env_remove(var);
        }
        c
    }

    /// Runs and parses stdout as JSON, asserting success.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.cmd(args).arg("--json").output().unwrap();
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// The default database file.
    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join(".juggernaut/juggernaut.db")
    }

    /// The default database as a URL.
    pub fn db_url(&self) -> String {
        format!("sqlite://{}", self.db_path().display())
    }
}

/// Runs `args` and asserts the exit code and that stderr contains `needle` and no panic; returns
/// stderr.
pub fn fails_with(cwd: &Cwd, args: &[&str], code: i32, needle: &str) -> String {
    let out = cwd.cmd(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    assert!(
        stderr.contains(needle),
        "{args:?}: expected `{needle}` in: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn http_get(port: u16, path: &str) -> Option<String> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    Some(buf)
}

pub fn wait_for(what: &str, secs: u64, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A running `juggernaut up`, killed when dropped.
pub struct Engine(pub Child);

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The LLM settings of the environment, cleared for every command the tests run.
pub const LLM_VARS: [&str; 4] = [
    "JUGGERNAUT_LLM_BASE_URL",
    "JUGGERNAUT_LLM_API_KEY",
    "JUGGERNAUT_LLM_MODEL",
    "OPENROUTER_API_KEY",
];

pub fn start_up(cwd: &Cwd, port: u16) -> Engine {
    let listen = format!("127.0.0.1:{port}");
    spawn(
        cwd,
        &["up", "--listen", &listen, "--concurrency", "4"],
        &[],
        true,
    )
}

/// `juggernaut ARGS` in the background with `envs` set (and no other LLM or database settings);
/// stdout piped (for a test to read when the process has ended) if `piped`.
pub fn spawn(cwd: &Cwd, args: &[&str], envs: &[(&str, &str)], piped: bool) -> Engine {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("juggernaut"));
    let out = if piped { Stdio::piped() } else { Stdio::null() };
    c.current_dir(cwd.dir.path())
        .env_remove("JUGGERNAUT_DATABASE_URL")
        .args(args)
        .stdout(out)
        .stderr(Stdio::null());
    for var in LLM_VARS {
        c.env_remove(var);
    }
    c.envs(envs.iter().copied());
    Engine(c.spawn().unwrap())
}
