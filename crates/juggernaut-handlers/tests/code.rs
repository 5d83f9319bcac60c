//! The `code` kind through a real dispatcher, SQLite store, toolbox (file tools, shell, git,
//! GitHub), a local bare repository and the fake GitHub, with a watchdog loop making parked
//! tasks due as the leader would: a change with a passing test opens a pull request and parks;
//! it is not completed while the pull request is open; once merged, the next look completes it
//! with the pull request as evidence; work run again on the branch reuses its open pull request
//! rather than open a second. A closed pull request fails the task with the reason, a
//! deleted one says it is gone; without `github_repo` the pushed branch is the work; a failing
//! test fails the attempt with its output; `instructions` go to the configured editor, and
//! without one are refused. A `branch` that is the base, or not under `juggernaut/`, is
//! refused at enqueue, so the pull request is never skipped by pushing to `main`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use async_trait::async_trait;
use juggernaut_core::{Evidence, NewTask, Task, TaskId, TaskKind, TaskStatus};
use juggernaut_engine::{Dispatcher, DispatcherConfig};
use juggernaut_handler::context::Handles;
use juggernaut_handler::{Handler, HandlerError, Registry, TaskContext};
use juggernaut_handlers::code::{ALLOWED, Code, Editor};
use juggernaut_store::{Queue, Store, ToolCallId};
use juggernaut_testkit::fake_github::{FakeGitHub, bare_repo, git};
use juggernaut_testkit::fresh_sqlite;
use juggernaut_tools::{Redactor, Tool, ToolRegistry, Toolbox, Workspaces};
use juggernaut_tools_git::{Git, GitConfig, GitHub, GitHubConfig};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const TOKEN: &str = "gh-code-test-token-123";

struct Rig {
    store: Arc<dyn Store>,
    fake: FakeGitHub,
    bare: PathBuf,
    tmp: tempfile::TempDir,
    stop: CancellationToken,
}

impl Drop for Rig {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Writes `EDITED.md` through `fs_write`, as an LLM editor would.
struct FileEditor;

#[async_trait]
impl Editor for FileEditor {
    async fn edit(
        &self,
        ctx: &TaskContext,
        dir: &str,
        instructions: &str,
    ) -> Result<Vec<ToolCallId>, HandlerError> {
        let args = json!({"path": format!("{dir}/EDITED.md"), "content": instructions});
        let called = ctx.call_tool("fs_write", args, ALLOWED).await?;
        called
            .outcome
            .map_err(|e| HandlerError::Permanent(e.to_string()))?;
        Ok(vec![called.id])
    }
}

async fn rig(code: Code) -> Rig {
    let tmp = tempfile::tempdir().unwrap();
    let bare = bare_repo(tmp.path(), "app");
    let fake = FakeGitHub::start(TOKEN).await;
    fake.add_repo("acme/app", &bare);
    let git_cfg = GitConfig {
        allowed_remotes: vec![bare.display().to_string()],
        timeout_secs: 60,
        ..GitConfig::default()
    };
    let gh_cfg = GitHubConfig {
        api_url: fake.api_url(),
        token: Some(TOKEN.into()),
        timeout_secs: 10,
    };
    let git_tool = Git::with_token(git_cfg, None).unwrap();
    let github = GitHub::new(&gh_cfg).unwrap();
    let mut tools = juggernaut_tools::local_tools(Default::default());
    tools.extend([
        Arc::new(git_tool.push_tool()) as Arc<dyn Tool>,
        Arc::new(git_tool),
        Arc::new(github.merge_tool()),
        Arc::new(github),
    ]);
    let store = fresh_sqlite().await;
    let toolbox = Toolbox::new(
        Arc::new(ToolRegistry::new(tools).unwrap()),
        store.clone(),
        Redactor::new([TOKEN.to_owned()]),
    );
    let handles =
        Handles::over(store.clone()).with_tools(toolbox, Workspaces::new(tmp.path().join("ws")));
    let reg = Registry::new(vec![Arc::new(code) as Arc<dyn Handler>]).unwrap();
    let kinds = vec![reg.check("code").unwrap(), reg.check("code_fix").unwrap()];
    let mut cfg = DispatcherConfig::new("code-test".into(), kinds);
    cfg.poll_interval = Duration::from_millis(30);
    let queue: Arc<dyn Queue> = store.clone();
    let d = Dispatcher::new(queue, handles, reg, cfg);
    let stop = CancellationToken::new();
    let s = stop.clone();
    tokio::spawn(async move { d.run(s).await.unwrap() });
    // The leader's watchdog: parked tasks whose check time came are made ready again.
    let (watch, s) = (store.clone(), stop.clone());
    tokio::spawn(async move {
        while !s.is_cancelled() {
            let _ = watch.recheck_external("watchdog").await;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    Rig {
        store,
        fake,
        bare,
        tmp,
        stop,
    }
}

impl Rig {
    async fn enqueue(&self, kind: &str, input: Value) -> TaskId {
        let mut t = NewTask::new(TaskKind::new(kind).unwrap());
        t.input = input;
        t.max_attempts = 1;
        self.store.enqueue(t).await.unwrap().task.id
    }

    /// The task once `done` holds (30 s at most).
    async fn until(&self, id: TaskId, what: &str, done: impl Fn(&Task) -> bool) -> Task {
        tokio::time::timeout(Duration::from_secs(30), async {
            loop {
                let t = self.store.get(id).await.unwrap().unwrap();
                if done(&t) {
                    return t;
                }
                if t.status == juggernaut_core::TaskStatus::WaitingApproval {
                    // These tests are about the handlers: a person approves what the policy holds.
                    let yes = juggernaut_store::Decision {
                        approve: true,
                        actor: "test approver".into(),
                        reason: String::new(),
                        seen_at: None,
                    };
                    self.store.decide_approval(id, yes).await.unwrap();
                }

                if t.status.is_terminal() {
                    panic!(
                        "task {id} ended {:?} ({:?}) before {what}",
                        t.status, t.last_error
                    );
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("task {id}: no {what} in time"))
    }

    async fn finished(&self, id: TaskId) -> Task {
        self.until(id, "end", |t| t.status.is_terminal()).await
    }

    fn input(&self, extra: Value) -> Value {
        let mut input = json!({
            "repo_url": self.bare.display().to_string(),
            "title": "Say hello",
            "description": "Adds a greeting.",
            "changes": [{"path": "hello.txt", "content": "hello\n"}],
            "test_command": "grep -q hello hello.txt",
            "github_repo": "acme/app",
            "check_every_secs": 1,
        });
        for (k, v) in extra.as_object().unwrap() {
            input[k] = v.clone();
        }
        input
    }
}

fn parked_on(t: &Task) -> Option<u64> {
    (t.status == TaskStatus::AwaitingExternal)
        .then(|| t.result.as_ref()?["pr"]["number"].as_u64())
        .flatten()
}

#[tokio::test]
async fn a_pull_request_is_opened_watched_and_done_once_merged() {
    let rig = rig(Code::default()).await;
    let id = rig.enqueue("code", rig.input(json!({}))).await;
    let parked = rig
        .until(id, "pull request", |t| parked_on(t).is_some())
        .await;
    let n = parked_on(&parked).unwrap();
    let progress = parked.result.clone().unwrap();
    let branch = format!("juggernaut/task-{}", id.0);
    assert_eq!(progress["branch"], branch.as_str());
    let pr = &rig.fake.prs()[0];
    assert_eq!(
        (pr.number, pr.head.as_str(), pr.base.as_str()),
        (n, branch.as_str(), "main")
    );
    assert_eq!(pr.title, "Say hello");
    let pushed = git(&rig.bare, &["rev-parse", &format!("refs/heads/{branch}")]);
    assert_eq!(progress["commit"], pushed.as_str());
    assert_eq!(
        git(&rig.bare, &["show", &format!("{branch}:hello.txt")]),
        "hello"
    );
    let calls = rig.store.task_tool_calls(id, 100).await.unwrap();
    let tools: Vec<&str> = calls.iter().map(|c| c.tool.as_str()).collect();
    for t in ["git", "fs_write", "shell", "git_push", "github"] {
        assert!(tools.contains(&t), "{t} missing from {tools:?}");
    }

    // While the pull request is open, each look parks the task again.
    let looked = rig
        .until(id, "a second look", |t| {
            parked_on(t).is_some() && t.result.as_ref().unwrap()["checks"].as_u64() >= Some(2)
        })
        .await;
    assert_eq!(looked.status, TaskStatus::AwaitingExternal);
    assert_eq!(looked.attempts, 1, "looking does not spend attempts");

    rig.fake.merge(n);
    let t = rig.finished(id).await;
    assert_eq!(t.status, TaskStatus::Completed, "{:?}", t.last_error);
    assert!(t.evidence.iter().any(|e| matches!(e,
        Evidence::PullRequest { number, state, .. } if *number == n && state == "merged")));
    let first_calls = progress["tool_calls"].as_array().unwrap();
    for id in first_calls {
        let id = id.as_str().unwrap().to_owned();
        assert!(t.evidence.contains(&Evidence::ToolCall { id }), "{t:?}");
    }
    assert_eq!(t.result.unwrap()["pr"]["state"], "merged");
}

#[tokio::test]
async fn running_again_on_the_branch_reuses_its_open_pull_request() {
    let rig = rig(Code::default()).await;
    let input = rig.input(json!({"branch": "juggernaut/again"}));
    let first = rig.enqueue("code", input.clone()).await;
    let parked = rig.until(first, "pull request", |t| parked_on(t).is_some());
    let n = parked_on(&parked.await).unwrap();
    // As after an attempt that opened the pull request but failed before parking.
    let second = rig.enqueue("code", input).await;
    let again = rig.until(second, "pull request", |t| parked_on(t).is_some());
    assert_eq!(parked_on(&again.await), Some(n));
    assert_eq!(rig.fake.prs().len(), 1, "{:?}", rig.fake.prs());
    let opened = rig.fake.received();
    let opened = opened
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/pulls"));
    assert_eq!(opened.count(), 1);
}

#[tokio::test]
async fn closed_or_deleted_pull_requests_fail_with_the_reason() {
    let rig = rig(Code::default()).await;
    let closed = rig.enqueue("code_fix", rig.input(json!({}))).await;
    let n = parked_on(
        &rig.until(closed, "pull request", |t| parked_on(t).is_some())
            .await,
    )
    .unwrap();
    rig.fake.close(n);
    let t = rig.finished(closed).await;
    assert_eq!(t.status, TaskStatus::Failed);
    assert_eq!(
        t.last_error.as_deref(),
        Some(&*format!("pull request #{n} was closed without merging"))
    );

    let input = rig.input(json!({"branch": "juggernaut/gone"}));
    let gone = rig.enqueue("code", input).await;
    let n = parked_on(
        &rig.until(gone, "pull request", |t| parked_on(t).is_some())
            .await,
    )
    .unwrap();
    rig.fake.delete(n);
    let t = rig.finished(gone).await;
    assert_eq!(t.status, TaskStatus::Failed);
    assert_eq!(
        t.last_error.as_deref(),
        Some(&*format!("pull request #{n} is gone"))
    );
}

#[tokio::test]
async fn without_github_the_pushed_branch_is_the_work() {
    let rig = rig(Code::default()).await;
    let input = rig.input(json!({"github_repo": null, "branch": "juggernaut/plain"}));
    let id = rig.enqueue("code", input).await;
    let t = rig.finished(id).await;
    assert_eq!(t.status, TaskStatus::Completed, "{:?}", t.last_error);
    let result = t.result.unwrap();
    let sha = git(&rig.bare, &["rev-parse", "refs/heads/juggernaut/plain"]);
    assert_eq!(result["commit"], sha.as_str());
    let push = result["push_call"].as_str().unwrap().to_owned();
    assert_eq!(t.evidence[0], Evidence::ToolCall { id: push });
    assert!(rig.fake.prs().is_empty());
    let log = git(
        &rig.bare,
        &["log", "-1", "--format=%an <%ae>%n%B", "juggernaut/plain"],
    );
    assert!(
        log.starts_with("Juggernaut <juggernaut@localhost>\nSay hello\n\nAdds a greeting."),
        "{log}"
    );
}

#[tokio::test]
async fn a_failing_test_stops_before_anything_is_pushed() {
    let rig = rig(Code::default()).await;
    let input = rig.input(json!({"test_command": "echo 'expected hi, got hello' >&2; exit 3"}));
    let id = rig.enqueue("code", input).await;
    let t = rig.finished(id).await;
    assert_eq!(t.status, TaskStatus::Dead, "retryable, out of attempts");
    let why = t.last_error.unwrap();
    assert!(
        why.contains("the test command failed (exit 3)") && why.contains("expected hi"),
        "{why}"
    );
    let branches = git(&rig.bare, &["branch", "--list"]);
    assert!(!branches.contains("juggernaut/"), "{branches}");
    assert!(rig.fake.prs().is_empty());
    assert!(rig.tmp.path().join("ws").exists());
}

#[tokio::test]
async fn instructions_need_an_editor() {
    let rig = rig(Code::default()).await;
    let input = rig.input(json!({"changes": [], "instructions": "Add a greeting"}));
    let id = rig.enqueue("code", input.clone()).await;
    let t = rig.finished(id).await;
    assert_eq!(t.status, TaskStatus::Failed);
    assert!(t.last_error.unwrap().contains("need an editor"));

    let rig = rig_with_editor().await;
    let id = rig
        .enqueue("code", rig.input(json!({"changes": [], "instructions": "Add a greeting",
                                          "github_repo": null, "test_command": "test -f EDITED.md"})))
        .await;
    let t = rig.finished(id).await;
    assert_eq!(t.status, TaskStatus::Completed, "{:?}", t.last_error);
    let branch = format!("juggernaut/task-{}", id.0);
    assert_eq!(
        git(&rig.bare, &["show", &format!("{branch}:EDITED.md")]),
        "Add a greeting"
    );
}

async fn rig_with_editor() -> Rig {
    rig(Code::with_editor(Arc::new(FileEditor))).await
}

#[test]
fn pushing_to_the_base_or_an_existing_branch_is_refused_at_enqueue() {
    let reg = Registry::new(vec![Arc::new(Code::default()) as Arc<dyn Handler>]).unwrap();
    let input = |branch: Option<&str>, base: Option<&str>| {
        json!({"repo_url": "/srv/app.git", "title": "T", "description": "D",
               "changes": [{"path": "a.txt", "content": "a"}], "github_repo": "acme/app",
               "branch": branch, "base": base})
    };
    for (branch, base) in [
        ("main", None),
        ("develop", None),
        ("release", Some("develop")),
        ("feature/x", None),
        ("juggernaut", None),
        ("juggernaut/next", Some("juggernaut/next")),
    ] {
        let e = reg.check_task("code", &input(Some(branch), base));
        let e = e.unwrap_err().to_string();
        assert!(e.contains("`branch`"), "{branch} onto {base:?}: {e}");
    }
    for (branch, base) in [
        (Some("juggernaut/fix-1"), None),
        (Some("juggernaut/x"), Some("develop")),
        (None, Some("juggernaut/base")),
        (None, None),
    ] {
        let ok = reg.check_task("code_fix", &input(branch, base));
        assert!(ok.is_ok(), "{branch:?} onto {base:?}: {ok:?}");
    }
}
