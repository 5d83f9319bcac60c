//! A repository inside the one worked on cannot get a program run on the host: the sandboxed
//! test command can write the workspace, so it could `git init` a nested repository whose own
//! configuration sets a clean filter; `status`, `diff`, `add` and `commit` would then recurse
//! into it and run the filter outside the sandbox, with the token in its environment. They
//! refuse a work tree holding a nested `.git` (directory or file) or a gitlink in the index
//! instead, and the filter never runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use juggernaut_testkit::fake_github::git;
use serde_json::json;
use support::{World, world};

/// The operations that look at the work tree, each of which must refuse.
fn ops() -> [serde_json::Value; 5] {
    [
        json!({"op": "status", "dir": "repo"}),
        json!({"op": "diff", "dir": "repo"}),
        json!({"op": "diff", "dir": "repo", "staged": true}),
        json!({"op": "add", "dir": "repo", "all": true}),
        json!({"op": "commit", "dir": "repo", "message": "with the nested repository"}),
    ]
}

/// Clones the allowed remote into `repo` and plants, as a sandboxed command could, a nested
/// repository `repo/sub` with a committed file, then a clean filter on every path that writes
/// its environment to `marker` (outside the workspace), and a modification for it to clean.
async fn planted(w: &World) -> std::path::PathBuf {
    w.ok("git", json!({"op": "clone", "url": w.url(), "dir": "repo"}))
        .await;
    let sub = w.ws("repo/sub");
    std::fs::create_dir_all(&sub).unwrap();
    git(&sub, &["init", "-q", "-b", "main"]);
    std::fs::write(sub.join("a.txt"), "one\n").unwrap();
    git(&sub, &["add", "a.txt"]);
    git(&sub, &["commit", "-q", "-m", "inner"]);
    let marker = w.tmp.path().join("filter-ran");
    let cmd = format!("env > '{}'; cat", marker.display());
    git(&sub, &["config", "filter.x.clean", &cmd]);
    std::fs::write(sub.join(".gitattributes"), "* filter=x\n").unwrap();
    std::fs::write(sub.join("a.txt"), "two\n").unwrap();
    marker
}

fn refused(e: &str) {
    assert!(
        e.contains("nested") || e.contains("submodule"),
        "not refused for the nested repository: {e}"
    );
}

#[tokio::test]
async fn a_nested_repository_with_a_clean_filter_is_refused_and_never_run() {
    let w = world(&[]).await;
    let marker = planted(&w).await;
    for args in ops() {
        let e = w.err("git", args.clone()).await;
        refused(&e);
        assert!(
            !marker.exists(),
            "{args}: the nested repository's filter ran"
        );
    }
    // Deeper down, and as a `.git` file instead of a directory, the same.
    std::fs::rename(w.ws("repo/sub"), w.tmp.path().join("moved")).unwrap();
    std::fs::create_dir_all(w.ws("repo/a/b")).unwrap();
    std::fs::rename(w.tmp.path().join("moved"), w.ws("repo/a/b/sub")).unwrap();
    for args in ops() {
        refused(&w.err("git", args).await);
    }
    std::fs::remove_dir_all(w.ws("repo/a")).unwrap();
    std::fs::create_dir_all(w.ws("repo/c")).unwrap();
    std::fs::write(w.ws("repo/c/.git"), "gitdir: ../.git\n").unwrap();
    for args in ops() {
        refused(&w.err("git", args).await);
    }
    std::fs::remove_dir_all(w.ws("repo/c")).unwrap();
    // Once it is gone the repository is worked on again.
    let st = w.ok("git", json!({"op": "status", "dir": "repo"})).await;
    assert_eq!(st["clean"], true, "{st}");
    assert!(!marker.exists(), "the nested repository's filter ran");
    // Each refusal is in the ledger as a failed call.
    let ids: Vec<_> = (1..=40).map(juggernaut_store::ToolCallId).collect();
    let calls = w.store.tool_calls(&ids).await.unwrap();
    let refusals = calls
        .iter()
        .filter(|c| c.error.as_deref().is_some_and(|e| e.contains("nested")))
        .count();
    assert_eq!(refusals, 15, "{calls:?}");
}

#[tokio::test]
async fn a_nested_repository_already_staged_as_a_gitlink_is_refused() {
    let w = world(&[]).await;
    let marker = planted(&w).await;
    // The sandbox can write `.git/index` too: stage the nested repository as a gitlink.
    git(&w.ws("repo"), &["add", "sub"]);
    let staged = git(&w.ws("repo"), &["ls-files", "-s", "sub"]);
    assert!(staged.starts_with("160000 "), "{staged}");
    for args in ops() {
        refused(&w.err("git", args).await);
        assert!(!marker.exists(), "the nested repository's filter ran");
    }
    // A gitlink without any checkout of it is refused as well.
    std::fs::remove_dir_all(w.ws("repo/sub")).unwrap();
    let e = w.err("git", json!({"op": "status", "dir": "repo"})).await;
    assert!(e.contains("gitlink"), "{e}");
    assert!(!marker.exists(), "the nested repository's filter ran");
}

#[tokio::test]
async fn a_symlink_is_not_followed_and_a_plain_repository_still_works() {
    let w = world(&[]).await;
    w.ok("git", json!({"op": "clone", "url": w.url(), "dir": "repo"}))
        .await;
    // A symlink to another repository is a link, not a nested repository: it is not walked.
    let other = w.tmp.path().join("app-seed");
    std::os::unix::fs::symlink(&other, w.ws("repo/link")).unwrap();
    std::fs::write(w.ws("repo/new.txt"), "new\n").unwrap();
    let st = w
        .ok("git", json!({"op": "add", "dir": "repo", "all": true}))
        .await;
    assert_eq!(st["changes"].as_array().unwrap().len(), 2, "{st}");
    w.ok(
        "git",
        json!({"op": "commit", "dir": "repo", "message": "plain"}),
    )
    .await;
}
