//! The crash tests' harness: `juggernaut` child processes with their logs, a database and a
//! working directory shared by them, and probes of their HTTP listeners and of the store.

use juggernaut_core::{EventKind, NewTask, TaskId, TaskKind, TaskStatus, WorkerId};
use juggernaut_store::prelude::*;
use juggernaut_store::{StoreOptions, TaskFilter};
use juggernaut_store_postgres::PostgresStore;
use juggernaut_testkit::postgres::TestDatabase;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `juggernaut` child process, writing its output to a log file.
pub struct Proc {
    name: &'static str,
    child: Child,
    pub log: PathBuf,
}

impl Proc {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The last lines of its output.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// SIGKILL, as a crash would: no drain, no hand-back, no deregistration.
    pub fn kill_hard(&mut self) {
        let status = Command::new("kill")
            .args(["-KILL", &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -KILL {}", self.pid());
        self.child.wait().unwrap();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!(
                "--- {} (pid {}) log tail ---\n{}",
                self.name,
                self.child.id(),
                self.log_tail()
            );
        }
    }
}

/// A fresh, migrated database and a working directory for the processes that share it.
pub struct Cluster {
    pub db: TestDatabase,
    dir: tempfile::TempDir,
}

impl Cluster {
    pub async fn new() -> Self {
        let db = TestDatabase::create().await;
        let c = Self {
            db,
            dir: tempfile::tempdir().unwrap(),
        };
        let store = c.store().await;
        store.migrate().await.unwrap();
        store.close().await;
        c
    }

    /// A new connection pool on the database (close it when done).
    pub async fn store(&self) -> PostgresStore {
        PostgresStore::connect(&self.db.url, StoreOptions::default())
            .await
            .unwrap()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(assert_cmd::cargo::cargo_bin("juggernaut"));
        c.current_dir(self.dir.path())
            .env_remove("JUGGERNAUT_DATABASE_URL")
            .env_remove("DATABASE_URL")
            .args(["--database-url", &self.db.url])
            .args(args);
        c
    }

    /// Starts `juggernaut ARGS` in the background.
    pub fn spawn(&self, name: &'static str, args: &[&str]) -> Proc {
        let log = self.dir.path().join(format!("{name}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let err = out.try_clone().unwrap();
        let child = self
            .command(args)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap();
        Proc { name, child, log }
    }

    /// Runs `juggernaut ARGS --json` and parses its output.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.command(args).arg("--json").output().unwrap();
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    pub async fn remove(self) {
        self.db.remove().await;
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn listen(port: u16) -> String {
    format!("127.0.0.1:{port}")
}

pub fn http_get(port: u16, path: &str) -> Option<String> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    Some(buf)
}

pub fn healthy(port: u16) -> bool {
    http_get(port, "/healthz").is_some_and(|r| r.contains("200 OK"))
}

/// Tasks the process listening on `port` has completed, from its `/metrics`.
pub fn completed_by(port: u16) -> Option<u64> {
    let metrics = http_get(port, "/metrics")?;
    metrics
        .lines()
        .find_map(|l| l.strip_prefix("juggernaut_engine_events_total{event=\"task_completed\"} "))?
        .trim()
        .parse()
        .ok()
}

/// Polls `probe` every 50 ms until it yields a value; fails after `secs` seconds.
pub async fn eventually<T>(what: &str, secs: u64, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {secs}s waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn noop() -> TaskKind {
    TaskKind::new("noop").unwrap()
}

/// Enqueues `n` noop tasks in batches of `batch`; returns their ids.
pub async fn enqueue_noops(store: &PostgresStore, n: usize, batch: usize) -> Vec<TaskId> {
    let mut ids = Vec::with_capacity(n);
    while ids.len() < n {
        let k = batch.min(n - ids.len());
        let tasks = (0..k).map(|_| NewTask::new(noop())).collect();
        let done = store.enqueue_batch(tasks).await.unwrap();
        ids.extend(done.into_iter().map(|e| e.task.id));
    }
    ids
}

pub async fn count(store: &PostgresStore, status: TaskStatus) -> Option<u64> {
    let filter = TaskFilter {
        statuses: vec![status],
        ..Default::default()
    };
    store.count(&filter).await.ok()
}

/// Checks that every task completed exactly once; returns completions per worker.
pub async fn completions_by_worker(
    store: &PostgresStore,
    ids: &[TaskId],
) -> BTreeMap<String, usize> {
    let mut by = BTreeMap::new();
    for id in ids {
        let events = store.task_events(*id).await.unwrap();
        let done: Vec<_> = events
            .iter()
            .filter(|e| e.kind == EventKind::TaskCompleted)
            .collect();
        assert_eq!(done.len(), 1, "task {id} completed {} times", done.len());
        *by.entry(done[0].actor.clone()).or_default() += 1;
    }
    by
}

/// The state `juggernaut worker list --json` shows for `id`.
pub fn worker_state(c: &Cluster, id: &WorkerId) -> Option<String> {
    let list = c.json(&["worker", "list"]);
    list.as_array()?
        .iter()
        .find(|w| w["registration"]["id"] == id.0.as_str())
        .and_then(|w| w["state"].as_str().map(str::to_owned))
}
