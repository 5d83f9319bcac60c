//! A fake GitHub REST API on loopback, for tests of the GitHub tools and the `code` handler. It
//! holds repositories and pull requests in memory and answers the pull request endpoints with
//! the real API's JSON shapes: create, list (filtered by `head=owner:branch`, `base` and
//! `state`), get, reviews, check runs of a commit, comments, merge.
//! Every request needs `Authorization: Bearer <token>` with the configured token (401
//! otherwise) and is recorded. A repository is backed by a local bare git repository: a pull
//! request whose head (or base) branch was never pushed there is refused with 422, like GitHub
//! does. Tests drive the rest: [`FakeGitHub::merge`], [`FakeGitHub::close`],
//! [`FakeGitHub::delete`], [`FakeGitHub::add_check`], [`FakeGitHub::add_review`]. It stops when
//! dropped.

mod routes;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A pull request the fake holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakePr {
    /// `owner/name`.
    pub repo: String,
    /// Its number (unique across the fake's repositories).
    pub number: u64,
    /// Its title.
    pub title: String,
    /// Its description.
    pub body: String,
    /// The head branch.
    pub head: String,
    /// The base branch.
    pub base: String,
    /// The head commit (refreshed from the bare repository while open).
    pub head_sha: String,
    /// `open` or `closed`.
    pub state: String,
    /// Whether it was merged.
    pub merged: bool,
    /// The merge commit, once merged.
    pub merge_commit_sha: Option<String>,
    /// Deleted: every request about it answers 404.
    pub deleted: bool,
    /// Reviews: (user, state such as `APPROVED`).
    pub reviews: Vec<(String, String)>,
    /// Comments' bodies.
    pub comments: Vec<String>,
    /// Whether it is a draft.
    pub draft: bool,
}

/// A request the fake received.
#[derive(Debug, Clone)]
pub struct Received {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path (and query).
    pub path: String,
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// The JSON body (`Value::Null` if none or not JSON).
    pub body: serde_json::Value,
}

#[derive(Debug, Default)]
struct State {
    token: String,
    base_url: String,
    repos: BTreeMap<String, PathBuf>,
    prs: Vec<FakePr>,
    checks: Vec<(String, String, String)>,
    received: Vec<Received>,
    next_id: u64,
}

type Shared = Arc<Mutex<State>>;

impl State {
    /// The pull request's JSON as `GET /repos/{o}/{r}/pulls/{n}` gives it.
    fn pr_json(&self, pr: &FakePr, base_sha: &str) -> serde_json::Value {
        let (owner, _) = pr.repo.split_once('/').unwrap_or((&pr.repo, ""));
        let now = routes::now;
        let merged_at = pr.merged.then(now);
        let closed_at = (pr.state == "closed").then(now);
        let mergeable = if pr.state == "open" {
            serde_json::json!(true)
        } else {
            serde_json::Value::Null
        };
        serde_json::json!({
            "url": format!("{}/repos/{}/pulls/{}", self.base_url, pr.repo, pr.number),
            "id": pr.number * 1000, "node_id": format!("PR_fake{}", pr.number),
            "html_url": format!("{}/{}/pull/{}", self.base_url, pr.repo, pr.number),
            "number": pr.number, "state": pr.state, "locked": false,
            "title": pr.title, "body": pr.body, "draft": pr.draft,
            "user": {"login": "juggernaut", "type": "User"},
            "head": {"label": format!("{owner}:{}", pr.head), "ref": pr.head,
                     "sha": pr.head_sha, "repo": {"full_name": pr.repo}},
            "base": {"label": format!("{owner}:{}", pr.base), "ref": pr.base, "sha": base_sha,
                     "repo": {"full_name": pr.repo}},
            "merged": pr.merged, "merged_at": merged_at, "merge_commit_sha": pr.merge_commit_sha,
            "mergeable": mergeable, "created_at": now(), "updated_at": now(),
            "closed_at": closed_at,
        })
    }
}

/// The running fake; it stops when dropped.
pub struct FakeGitHub {
    port: u16,
    state: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl FakeGitHub {
    /// Starts on 127.0.0.1 on a free port, accepting only `token`.
    pub async fn start(token: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state: Shared = Arc::new(Mutex::new(State {
            token: token.to_owned(),
            base_url: format!("http://127.0.0.1:{port}"),
            ..State::default()
        }));
        let app = routes::router(state.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { port, state, task }
    }

    /// The API URL to configure (`http://127.0.0.1:PORT`).
    pub fn api_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Adds repository `owner/name`, backed by the bare repository at `bare`.
    pub fn add_repo(&self, full_name: &str, bare: impl Into<PathBuf>) {
        self.lock().repos.insert(full_name.to_owned(), bare.into());
    }

    /// Merges pull request `number` (as if someone pressed the button).
    pub fn merge(&self, number: u64) {
        self.with_pr(number, |pr| {
            pr.state = "closed".into();
            pr.merged = true;
            pr.merge_commit_sha = Some(routes::fake_sha(number));
        });
    }

    /// Closes pull request `number` without merging.
    pub fn close(&self, number: u64) {
        self.with_pr(number, |pr| pr.state = "closed".into());
    }

    /// Deletes pull request `number`: it answers 404 from now on.
    pub fn delete(&self, number: u64) {
        self.with_pr(number, |pr| pr.deleted = true);
    }

    /// Adds a completed check run named after its conclusion to commit `sha`.
    pub fn add_check(&self, sha: &str, conclusion: &str) {
        self.lock().checks.push((
            sha.to_owned(),
            format!("ci/{conclusion}"),
            conclusion.to_owned(),
        ));
    }

    /// Adds a review by `user` in `state` (`APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`).
    pub fn add_review(&self, number: u64, user: &str, state: &str) {
        self.with_pr(number, |pr| pr.reviews.push((user.into(), state.into())));
    }

    /// The pull requests, by number.
    pub fn prs(&self) -> Vec<FakePr> {
        self.lock().prs.clone()
    }

    /// The requests received so far.
    pub fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    fn with_pr(&self, number: u64, f: impl FnOnce(&mut FakePr)) {
        let mut s = self.lock();
        let pr = s
            .prs
            .iter_mut()
            .find(|p| p.number == number)
            .unwrap_or_else(|| panic!("the fake has no pull request #{number}"));
        f(pr);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Runs `git` in `dir` for a test's setup (no user or system configuration, a fixed author),
/// panicking on failure; its stdout, trimmed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@localhost"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "core.hooksPath=/dev/null",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A bare repository `parent/name.git` whose `main` holds one commit (a `README.md`).
pub fn bare_repo(parent: &Path, name: &str) -> PathBuf {
    let bare = parent.join(format!("{name}.git"));
    std::fs::create_dir_all(&bare).unwrap();
    git(&bare, &["init", "--bare", "-q", "-b", "main"]);
    let seed = parent.join(format!("{name}-seed"));
    std::fs::create_dir_all(&seed).unwrap();
    git(&seed, &["init", "-q", "-b", "main"]);
    std::fs::write(seed.join("README.md"), format!("# {name}\n")).unwrap();
    git(&seed, &["add", "README.md"]);
    git(&seed, &["commit", "-q", "-m", "first"]);
    git(&seed, &["push", "-q", bare.to_str().unwrap(), "main:main"]);
    bare
}

/// Pushes a new branch `branch` of `bare` (one commit on top of `main`); its sha.
pub fn push_branch(bare: &Path, branch: &str) -> String {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("w");
    git(work.path(), &["clone", "-q", bare.to_str().unwrap(), "w"]);
    git(&dir, &["checkout", "-q", "-b", branch]);
    std::fs::write(
        dir.join(format!("{}.txt", branch.replace('/', "_"))),
        branch,
    )
    .unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", &format!("work on {branch}")]);
    git(&dir, &["push", "-q", "origin", branch]);
    git(&dir, &["rev-parse", "HEAD"])
}
