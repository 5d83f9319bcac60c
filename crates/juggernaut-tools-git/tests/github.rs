//! `github` and `github_merge` against the fake GitHub: open a pull request of a pushed branch,
//! read it with its reviews and check runs, comment, merge; a bad token is fatal and names the
//! setting, a missing pull request is the caller's error, a branch never pushed is refused
//! (422), a rate limit is retryable with GitHub's `Retry-After`, and [`pull_request_state`]
//! follows the pull request from open to merged or closed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::http::{StatusCode, header};
use juggernaut_core::Evidence;
use juggernaut_testkit::fake_github::{FakeGitHub, bare_repo, push_branch};
use juggernaut_tools::{Tool, ToolContext, ToolError, ToolOutput, Workspace};
use juggernaut_tools_git::{GitHub, GitHubConfig, PrStatus, pull_request_state};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

const TOKEN: &str = "gh-fake-token-0123456789";

struct World {
    _tmp: tempfile::TempDir,
    fake: FakeGitHub,
    cfg: GitHubConfig,
    ctx: ToolContext,
    feature_sha: String,
}

async fn world() -> World {
    let tmp = tempfile::tempdir().unwrap();
    let bare = bare_repo(tmp.path(), "app");
    let feature_sha = push_branch(&bare, "feature");
    let fake = FakeGitHub::start(TOKEN).await;
    fake.add_repo("acme/app", &bare);
    let cfg = GitHubConfig {
        api_url: fake.api_url(),
        token: Some(TOKEN.into()),
        timeout_secs: 10,
    };
    let ctx = ToolContext {
        task_id: None,
        attempt: 1,
        lease_token: None,
        workspace: Workspace::at(tmp.path().join("ws")),
        cancel: CancellationToken::new(),
    };
    World {
        _tmp: tmp,
        fake,
        cfg,
        ctx,
        feature_sha,
    }
}

async fn call(tool: &dyn Tool, ctx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
    tool.call(ctx, args).await
}

fn pr_evidence(out: &ToolOutput) -> (u64, String) {
    match &out.evidence[..] {
        [Evidence::PullRequest { number, state, url }] => {
            assert!(url.ends_with(&format!("/acme/app/pull/{number}")), "{url}");
            (*number, state.clone())
        }
        other => panic!("evidence: {other:?}"),
    }
}

#[tokio::test]
async fn a_pull_request_from_open_to_merged() {
    let w = world().await;
    let gh = GitHub::new(&w.cfg).unwrap();
    let create = json!({"op": "create_pull_request", "repo": "acme/app", "head": "feature",
                        "base": "main", "title": "Add feature", "body": "Why and how."});
    let find = |base: &str| {
        json!({"op": "find_pull_request", "repo": "acme/app",
                                   "head": "feature", "base": base})
    };
    let none = call(&gh, &w.ctx, find("main")).await.unwrap();
    assert_eq!(none.content["found"], false);
    assert!(none.evidence.is_empty());
    let out = call(&gh, &w.ctx, create.clone()).await.unwrap();
    assert_eq!(pr_evidence(&out), (1, "open".to_owned()));
    assert_eq!(out.content["head"]["sha"], w.feature_sha.as_str());
    let again = call(&gh, &w.ctx, create).await.unwrap_err();
    assert!(again.to_string().contains("already exists"), "{again}");
    let found = call(&gh, &w.ctx, find("main")).await.unwrap();
    assert_eq!(pr_evidence(&found), (1, "open".to_owned()));
    assert_eq!(found.content["found"], true);
    assert_eq!(found.content["head"]["ref"], "feature");
    let elsewhere = call(&gh, &w.ctx, find("develop")).await.unwrap();
    assert_eq!(elsewhere.content["found"], false);
    let asked = &w.fake.received()[0];
    assert_eq!(
        asked.path,
        "/repos/acme/app/pulls?head=acme%3Afeature&base=main&state=open&per_page=1"
    );
    let sent = &w.fake.received()[1];
    assert_eq!(
        sent.authorization.as_deref(),
        Some(&*format!("Bearer {TOKEN}"))
    );
    assert_eq!(sent.body["title"], "Add feature");

    w.fake.add_review(1, "alice", "APPROVED");
    w.fake.add_check(&w.feature_sha, "success");
    w.fake
        .add_check("0000000000000000000000000000000000000000", "failure");
    let get = json!({"op": "get_pull_request", "repo": "acme/app", "number": 1});
    let out = call(&gh, &w.ctx, get.clone()).await.unwrap();
    assert_eq!(out.content["state"], "open");
    assert_eq!(out.content["merged"], false);
    assert_eq!(out.content["reviews"][0]["user"], "alice");
    assert_eq!(out.content["reviews"][0]["state"], "APPROVED");
    let checks = out.content["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 1, "only the head commit's checks");
    assert_eq!(checks[0]["conclusion"], "success");

    let out = call(
        &gh,
        &w.ctx,
        json!({"op": "comment", "repo": "acme/app", "number": 1, "body": "Looks good"}),
    )
    .await
    .unwrap();
    assert!(
        out.content["url"]
            .as_str()
            .unwrap()
            .contains("#issuecomment-")
    );
    assert_eq!(w.fake.prs()[0].comments, vec!["Looks good".to_owned()]);

    let state = pull_request_state(&w.cfg, "acme/app", 1).await.unwrap();
    assert_eq!(state.state, PrStatus::Open);
    let merge = gh.merge_tool();
    let stale = call(
        &merge,
        &w.ctx,
        json!({"repo": "acme/app", "number": 1, "sha": "1".repeat(40)}),
    )
    .await
    .unwrap_err();
    assert!(stale.to_string().contains("HTTP 409"), "{stale}");
    let out = call(
        &merge,
        &w.ctx,
        json!({"repo": "acme/app", "number": 1, "method": "squash"}),
    )
    .await
    .unwrap();
    assert_eq!(pr_evidence(&out), (1, "merged".to_owned()));
    let out = call(&gh, &w.ctx, get).await.unwrap();
    assert_eq!(pr_evidence(&out).1, "merged");
    let state = pull_request_state(&w.cfg, "acme/app", 1).await.unwrap();
    assert_eq!(state.state, PrStatus::Merged);
    let merged = call(&gh, &w.ctx, find("main")).await.unwrap();
    assert_eq!(merged.content["found"], false, "only open ones are found");
    assert!(state.merge_commit_sha.is_some());
    let twice = call(&merge, &w.ctx, json!({"repo": "acme/app", "number": 1}))
        .await
        .unwrap_err();
    assert!(matches!(twice, ToolError::Model(_)), "{twice:?}");
}

#[tokio::test]
async fn closed_and_deleted_pull_requests() {
    let w = world().await;
    let gh = GitHub::new(&w.cfg).unwrap();
    let create = json!({"op": "create_pull_request", "repo": "acme/app", "head": "feature",
                        "base": "main", "title": "T"});
    call(&gh, &w.ctx, create).await.unwrap();
    w.fake.close(1);
    let state = pull_request_state(&w.cfg, "acme/app", 1).await.unwrap();
    assert_eq!(state.state, PrStatus::Closed);
    w.fake.delete(1);
    let get = json!({"op": "get_pull_request", "repo": "acme/app", "number": 1});
    let e = call(&gh, &w.ctx, get).await.unwrap_err();
    assert!(
        matches!(&e, ToolError::Model(m) if m.contains("(HTTP 404")),
        "{e:?}"
    );
    let e = pull_request_state(&w.cfg, "acme/app", 1).await.unwrap_err();
    assert!(e.contains("HTTP 404"), "{e}");
}

#[tokio::test]
async fn refusals_say_what_to_fix() {
    let w = world().await;
    let gh = GitHub::new(&w.cfg).unwrap();
    let unpushed = json!({"op": "create_pull_request", "repo": "acme/app",
                          "head": "never-pushed", "base": "main", "title": "T"});
    let e = call(&gh, &w.ctx, unpushed).await.unwrap_err();
    assert!(
        matches!(&e, ToolError::Model(m) if m.contains("HTTP 422") && m.contains("`head`")),
        "{e:?}"
    );
    assert!(w.fake.prs().is_empty());

    let e = call(
        &gh,
        &w.ctx,
        json!({"op": "get_pull_request", "repo": "acme/app", "number": 7}),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&e, ToolError::Model(m) if m.contains("HTTP 404")),
        "{e:?}"
    );
    let e = call(
        &gh,
        &w.ctx,
        json!({"op": "get_pull_request", "repo": "nope", "number": 1}),
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("is not `owner/name`"), "{e}");

    let wrong = GitHubConfig {
        token: Some("wrong-token-value-42".into()),
        ..w.cfg.clone()
    };
    assert!(!format!("{wrong:?}").contains("wrong-token-value-42"));
    let bad = GitHub::new(&wrong).unwrap();
    let e = call(
        &bad,
        &w.ctx,
        json!({"op": "get_pull_request", "repo": "acme/app", "number": 1}),
    )
    .await
    .unwrap_err();
    match &e {
        ToolError::Abort { message, retryable } => {
            assert!(!retryable);
            assert!(
                message.contains("HTTP 401") && message.contains("GitHubConfig.token"),
                "{message}"
            );
            assert!(!message.contains("wrong-token-value-42"));
        }
        other => panic!("{other:?}"),
    }
    let none = GitHub::new(&GitHubConfig {
        token: None,
        ..w.cfg.clone()
    })
    .unwrap();
    let e = call(
        &none,
        &w.ctx,
        json!({"op": "get_pull_request", "repo": "acme/app", "number": 1}),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&e, ToolError::Abort { retryable: false, message } if message.contains("no token"))
    );
}

#[tokio::test]
async fn rate_limits_are_retryable_with_retry_after() {
    let app = axum::Router::new().fallback(|| async {
        (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "7")],
            r#"{"message":"API rate limit exceeded"}"#,
        )
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let cfg = GitHubConfig {
        api_url: format!("http://127.0.0.1:{port}"),
        token: Some(TOKEN.into()),
        timeout_secs: 5,
    };
    let w = world().await;
    let gh = GitHub::new(&cfg).unwrap();
    let e = call(
        &gh,
        &w.ctx,
        json!({"op": "get_pull_request", "repo": "acme/app", "number": 1}),
    )
    .await
    .unwrap_err();
    match e {
        ToolError::Abort { message, retryable } => {
            assert!(retryable);
            assert!(
                message.contains("HTTP 429") && message.contains("retry after 7s"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    server.abort();
}
