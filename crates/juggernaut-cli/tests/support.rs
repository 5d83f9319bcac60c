//! Runs the binary in a temporary working directory, so the default SQLite path is private.

use assert_cmd::Command;
use std::path::PathBuf;

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
