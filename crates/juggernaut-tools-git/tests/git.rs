//! `git` and `git_push` against local bare repositories: clone, branch, commit and push (the
//! remote then holds the commit); remotes outside the allowed list, force-pushes and
//! non-fast-forward pushes refused; a planted token never in the tool's output, its errors or
//! the ledger while an HTTPS-like remote does receive it through the credential helper; hooks
//! never run; paths outside the workspace refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use axum::http::{HeaderMap, StatusCode, header};
use juggernaut_testkit::fake_github::{bare_repo, git};
use juggernaut_tools::ToolError;
use serde_json::json;
use std::sync::{Arc, Mutex};
use support::{TOKEN, world};

#[tokio::test]
async fn clone_branch_commit_push() {
    let w = world(&[]).await;
    let cloned = w
        .ok("git", json!({"op": "clone", "url": w.url(), "dir": "repo"}))
        .await;
    assert_eq!(cloned["branch"], "main");
    let base = cloned["head"].as_str().unwrap().to_owned();
    let out = w
        .ok(
            "git",
            json!({"op": "checkout", "dir": "repo", "target": "feature", "create": true}),
        )
        .await;
    assert_eq!(out["branch"], "feature");
    std::fs::write(w.ws("repo/hello.txt"), "hello\n").unwrap();
    std::fs::write(w.ws("repo/README.md"), "# changed\n").unwrap();
    let st = w.ok("git", json!({"op": "status", "dir": "repo"})).await;
    assert_eq!(st["clean"], false);
    let diff = w.ok("git", json!({"op": "diff", "dir": "repo"})).await;
    assert!(
        diff["diff"].as_str().unwrap().contains("+# changed"),
        "{diff}"
    );
    let st = w
        .ok("git", json!({"op": "add", "dir": "repo", "all": true}))
        .await;
    assert_eq!(st["changes"].as_array().unwrap().len(), 2, "{st}");
    let nothing_staged = w.err("git", json!({"op": "add", "dir": "repo"})).await;
    assert!(
        nothing_staged.contains("`paths` or `all"),
        "{nothing_staged}"
    );
    let commit = w
        .ok(
            "git",
            json!({"op": "commit", "dir": "repo", "message": "Say hello"}),
        )
        .await;
    let sha = commit["commit"].as_str().unwrap().to_owned();
    assert_eq!(sha.len(), 40);
    assert_ne!(sha, base);
    let again = w
        .err(
            "git",
            json!({"op": "commit", "dir": "repo", "message": "again"}),
        )
        .await;
    assert!(again.contains("nothing to commit"), "{again}");
    let log = w
        .ok("git", json!({"op": "log", "dir": "repo", "max_count": 5}))
        .await;
    assert_eq!(log["commits"][0]["commit"], sha.as_str());
    assert_eq!(log["commits"][0]["author"], "Juggernaut Test");
    assert_eq!(log["commits"][0]["subject"], "Say hello");

    let pushed = w
        .ok("git_push", json!({"dir": "repo", "branch": "feature"}))
        .await;
    assert_eq!(pushed["commit"], sha.as_str());
    assert_eq!(pushed["previous"], json!(null));
    assert_eq!(pushed["updated"], true);
    assert_eq!(git(&w.bare, &["rev-parse", "refs/heads/feature"]), sha);
    let remote = w
        .ok(
            "git",
            json!({"op": "ls_remote", "url": w.url(), "branch": "feature"}),
        )
        .await;
    assert_eq!(remote["commit"], sha.as_str());
    let missing = w
        .ok(
            "git",
            json!({"op": "ls_remote", "url": w.url(), "branch": "nope"}),
        )
        .await;
    assert_eq!(missing["commit"], json!(null));
    let same = w
        .ok("git_push", json!({"dir": "repo", "branch": "feature"}))
        .await;
    assert_eq!(same["updated"], false);

    // A branch and a worktree of it, both inside the workspace.
    w.ok(
        "git",
        json!({"op": "branch", "dir": "repo", "name": "side", "start": "main"}),
    )
    .await;
    let wt = w
        .ok(
            "git",
            json!({"op": "worktree_add", "dir": "repo", "path": "wt", "branch": "wt-1",
                          "start": "side"}),
        )
        .await;
    assert_eq!(wt["head"], base.as_str());
    assert!(w.ws("wt/README.md").exists());
}

#[tokio::test]
async fn remotes_outside_the_allowed_list_are_refused() {
    let w = world(&[]).await;
    let other = bare_repo(w.tmp.path(), "other");
    let url = other.display().to_string();
    let e = w
        .err("git", json!({"op": "clone", "url": url, "dir": "x"}))
        .await;
    assert!(e.contains("is not under an allowed remote"), "{e}");
    w.ok("git", json!({"op": "clone", "url": w.url(), "dir": "repo"}))
        .await;
    w.ok(
        "git",
        json!({"op": "checkout", "dir": "repo", "target": "f", "create": true}),
    )
    .await;
    let e = w
        .err(
            "git_push",
            json!({"dir": "repo", "branch": "f", "remote": url}),
        )
        .await;
    assert!(e.contains("is not under an allowed remote"), "{e}");
    // A remote name whose URL is not allowed is refused the same way.
    git(&w.ws("repo"), &["remote", "add", "evil", &url]);
    let e = w
        .err(
            "git_push",
            json!({"dir": "repo", "branch": "f", "remote": "evil"}),
        )
        .await;
    assert!(e.contains("is not under an allowed remote"), "{e}");
    // Rewriting URLs in the repository's config does not get around the check.
    git(
        &w.ws("repo"),
        &["config", &format!("url.{url}.insteadOf"), &w.url()],
    );
    for remote in ["origin".to_owned(), w.url()] {
        let e = w
            .err(
                "git_push",
                json!({"dir": "repo", "branch": "f", "remote": remote}),
            )
            .await;
        assert!(e.contains("its configuration sets `url."), "{e}");
    }
    // A `.git` file cannot make a repository outside the workspace the one worked on.
    std::fs::create_dir_all(w.ws("fake")).unwrap();
    let seed = w.tmp.path().join("app-seed/.git");
    std::fs::write(w.ws("fake/.git"), format!("gitdir: {}\n", seed.display())).unwrap();
    let e = w.err("git", json!({"op": "status", "dir": "fake"})).await;
    assert!(e.contains("outside the task's workspace"), "{e}");
    assert!(git(&other, &["branch", "--list"]).contains("main"));
    assert!(!git(&other, &["branch", "--list"]).contains('f'));
    let e = w
        .err(
            "git",
            json!({"op": "clone", "url": "https://x-access-token:abc@github.com/a/b",
                            "dir": "y"}),
        )
        .await;
    assert!(e.contains("is refused"), "{e}");
    let e = w
        .err(
            "git",
            json!({"op": "clone", "url": w.url(), "dir": "../out"}),
        )
        .await;
    assert!(e.contains("`..` is not allowed"), "{e}");
}

#[tokio::test]
async fn force_pushes_are_refused() {
    let w = world(&[]).await;
    w.ok("git", json!({"op": "clone", "url": w.url(), "dir": "repo"}))
        .await;
    let e = w
        .err(
            "git_push",
            json!({"dir": "repo", "branch": "main", "force": true}),
        )
        .await;
    assert!(e.contains("force-push is refused"), "{e}");
    let e = w
        .err("git_push", json!({"dir": "repo", "branch": "+main"}))
        .await;
    assert!(e.contains("force-push"), "{e}");
    let e = w
        .err("git_push", json!({"dir": "repo", "branch": "main:other"}))
        .await;
    assert!(e.contains("is refused"), "{e}");
    // Someone else moves `main` on; our diverging commit cannot replace it.
    let before = git(&w.bare, &["rev-parse", "refs/heads/main"]);
    std::fs::write(w.ws("repo/mine.txt"), "mine").unwrap();
    w.ok(
        "git",
        json!({"op": "add", "dir": "repo", "paths": ["mine.txt"]}),
    )
    .await;
    w.ok(
        "git",
        json!({"op": "commit", "dir": "repo", "message": "mine"}),
    )
    .await;
    let theirs = tempfile::tempdir().unwrap();
    git(theirs.path(), &["clone", "-q", &w.url(), "t"]);
    let t = theirs.path().join("t");
    std::fs::write(t.join("theirs.txt"), "theirs").unwrap();
    git(&t, &["add", "-A"]);
    git(&t, &["commit", "-q", "-m", "theirs"]);
    git(&t, &["push", "-q", "origin", "main"]);
    let theirs_sha = git(&t, &["rev-parse", "HEAD"]);
    assert_ne!(theirs_sha, before);
    let e = w
        .err("git_push", json!({"dir": "repo", "branch": "main"}))
        .await;
    assert!(e.contains("never forced"), "{e}");
    assert_eq!(git(&w.bare, &["rev-parse", "refs/heads/main"]), theirs_sha);
}

#[tokio::test]
async fn hooks_never_run() {
    use std::os::unix::fs::PermissionsExt;
    let w = world(&[]).await;
    w.ok("git", json!({"op": "clone", "url": w.url(), "dir": "repo"}))
        .await;
    let marker = w.tmp.path().join("hook-ran");
    let script = format!("#!/bin/sh\ntouch '{}'\n", marker.display());
    let own = w.tmp.path().join("own-hooks");
    std::fs::create_dir_all(&own).unwrap();
    for dir in [w.ws("repo/.git/hooks"), own.clone()] {
        for hook in [
            "pre-commit",
            "commit-msg",
            "post-commit",
            "post-checkout",
            "pre-push",
        ] {
            let p = dir.join(hook);
            std::fs::write(&p, &script).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    w.ok(
        "git",
        json!({"op": "checkout", "dir": "repo", "target": "h", "create": true}),
    )
    .await;
    std::fs::write(w.ws("repo/a.txt"), "a").unwrap();
    w.ok("git", json!({"op": "add", "dir": "repo", "all": true}))
        .await;
    w.ok(
        "git",
        json!({"op": "commit", "dir": "repo", "message": "no hooks"}),
    )
    .await;
    w.ok("git_push", json!({"dir": "repo", "branch": "h"}))
        .await;
    assert!(!marker.exists(), "a repository hook ran");
    // A repository that points hooks (or filters, editors...) elsewhere is not worked on.
    git(
        &w.ws("repo"),
        &["config", "core.hooksPath", own.to_str().unwrap()],
    );
    let e = w
        .err(
            "git",
            json!({"op": "commit", "dir": "repo", "message": "x"}),
        )
        .await;
    assert!(e.contains("sets `core.hookspath`"), "{e}");
    git(&w.ws("repo"), &["config", "--unset", "core.hooksPath"]);
    git(
        &w.ws("repo"),
        &[
            "config",
            "filter.x.clean",
            &format!("touch '{}'", marker.display()),
        ],
    );
    let e = w
        .err("git", json!({"op": "add", "dir": "repo", "all": true}))
        .await;
    assert!(e.contains("sets `filter.x.clean`"), "{e}");
    assert!(!marker.exists(), "a configured program ran");
}

/// A remote that asks for Basic credentials and records what it was sent.
async fn auth_remote() -> (u16, Arc<Mutex<Vec<String>>>, tokio::task::JoinHandle<()>) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let s = seen.clone();
    let app = axum::Router::new().fallback(move |headers: HeaderMap| {
        let s = s.clone();
        async move {
            if let Some(a) = headers.get(header::AUTHORIZATION) {
                s.lock().unwrap().push(a.to_str().unwrap().to_owned());
            }
            (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Basic realm=\"fake\"")],
                "no",
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, seen, task)
}

#[tokio::test]
async fn the_token_reaches_the_remote_and_nothing_else() {
    let (port, seen, server) = auth_remote().await;
    let remote = format!("http://127.0.0.1:{port}/acme/app.git");
    let w = world(&[format!("http://127.0.0.1:{port}/acme")]).await;
    w.ok("git", json!({"op": "clone", "url": w.url(), "dir": "repo"}))
        .await;
    // The token in a commit message comes back redacted.
    std::fs::write(w.ws("repo/t.txt"), TOKEN).unwrap();
    w.ok("git", json!({"op": "add", "dir": "repo", "all": true}))
        .await;
    let message = format!("leak {TOKEN} here");
    w.ok(
        "git",
        json!({"op": "commit", "dir": "repo", "message": message}),
    )
    .await;
    let log = w.ok("git", json!({"op": "log", "dir": "repo"})).await;
    assert!(!log.to_string().contains(TOKEN), "{log}");
    assert!(log.to_string().contains("[redacted]"), "{log}");
    let diff = w
        .ok(
            "git",
            json!({"op": "diff", "dir": "repo", "staged": false, "paths": ["t.txt"]}),
        )
        .await;
    assert!(!diff.to_string().contains(TOKEN));
    // The credential helper hands the token to the remote that asks; the failure says nothing
    // of it.
    let (_, out) = w
        .call(
            "git",
            json!({"op": "ls_remote", "url": remote, "branch": "main"}),
        )
        .await;
    let e = out.unwrap_err();
    assert!(matches!(e, ToolError::Model(_)), "{e:?}");
    assert!(!e.to_string().contains(TOKEN), "{e}");
    let push = w
        .err(
            "git_push",
            json!({"dir": "repo", "branch": "main", "remote": remote}),
        )
        .await;
    assert!(!push.contains(TOKEN), "{push}");
    let expected = "Basic eC1hY2Nlc3MtdG9rZW46Z2hwX1BMQU5URURzZWNyZXRUT0tFTjAxMjM0NTY3ODk=";
    assert!(
        seen.lock().unwrap().iter().any(|a| a == expected),
        "the remote never got the token: {:?}",
        seen.lock().unwrap()
    );
    // Nothing recorded in the ledger holds it.
    let ids: Vec<_> = (1..=50).map(juggernaut_store::ToolCallId).collect();
    let calls = w.store.tool_calls(&ids).await.unwrap();
    assert!(calls.len() >= 6);
    for c in &calls {
        let all = format!("{} {} {:?}", c.arguments, c.result, c.error);
        assert!(!all.contains(TOKEN), "ledger leaks the token: {all}");
    }
    assert!(
        calls
            .iter()
            .any(|c| c.arguments.to_string().contains("leak [redacted] here"))
    );
    server.abort();
}
