//! The fake GitHub's endpoints and the real API's JSON shapes.
#![allow(clippy::result_large_err)]

use super::{FakePr, Received, Shared};
use axum::Router;
use axum::extract::{Path, Query, State as Ext};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The routes.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/repos/{o}/{r}/pulls", post(create).get(list))
        .route("/repos/{o}/{r}/pulls/{n}", get(pull))
        .route("/repos/{o}/{r}/pulls/{n}/reviews", get(reviews))
        .route("/repos/{o}/{r}/pulls/{n}/merge", put(merge))
        .route("/repos/{o}/{r}/commits/{sha}/check-runs", get(checks))
        .route("/repos/{o}/{r}/issues/{n}/comments", post(comment))
        .with_state(state)
}

/// A made-up but well-formed commit sha.
pub fn fake_sha(seed: u64) -> String {
    format!("{:040x}", seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
}

fn answer(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

fn message(status: StatusCode, text: &str) -> Response {
    answer(
        status,
        json!({"message": text, "documentation_url": "https://docs.github.com/rest",
               "status": status.as_u16().to_string()}),
    )
}

pub(super) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Records the request and checks its token; `Err` is the 401 to send.
fn admit(
    state: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &str,
) -> Result<(), Response> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut s = state.lock().unwrap();
    s.received.push(Received {
        method: method.to_string(),
        path: uri.to_string(),
        authorization: authorization.clone(),
        body: serde_json::from_str(body).unwrap_or(Value::Null),
    });
    let want = [format!("Bearer {}", s.token), format!("token {}", s.token)];
    if authorization.is_some_and(|a| want.contains(&a)) {
        Ok(())
    } else {
        Err(message(StatusCode::UNAUTHORIZED, "Bad credentials"))
    }
}

/// The commit `branch` points at in the bare repository, if it is there.
async fn branch_sha(bare: &PathBuf, branch: &str) -> Option<String> {
    let out = tokio::process::Command::new("git")
        .arg("--git-dir")
        .arg(bare)
        .args(["rev-parse", "--verify", "-q"])
        .arg(format!("refs/heads/{branch}^{{commit}}"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .await
        .ok()?;
    let sha = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (out.status.success() && !sha.is_empty()).then_some(sha)
}

fn repo_dir(state: &Shared, repo: &str) -> Option<PathBuf> {
    state.lock().unwrap().repos.get(repo).cloned()
}

/// The live pull request `n` of `repo`, or the 404 to send.
fn find(state: &Shared, repo: &str, n: u64) -> Result<FakePr, Response> {
    let s = state.lock().unwrap();
    s.prs
        .iter()
        .find(|p| p.repo == repo && p.number == n && !p.deleted)
        .cloned()
        .ok_or_else(|| message(StatusCode::NOT_FOUND, "Not Found"))
}

fn invalid(field: &str, code: &str) -> Response {
    answer(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"message": "Validation Failed",
               "errors": [{"resource": "PullRequest", "field": field, "code": code}],
               "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
               "status": "422"}),
    )
}

async fn create(
    Ext(state): Ext<Shared>,
    Path((o, r)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Err(denied) = admit(&state, &method, &uri, &headers, &body) {
        return denied;
    }
    let repo = format!("{o}/{r}");
    let Some(bare) = repo_dir(&state, &repo) else {
        return message(StatusCode::NOT_FOUND, "Not Found");
    };
    let Ok(req) = serde_json::from_str::<Value>(&body) else {
        return message(StatusCode::BAD_REQUEST, "Problems parsing JSON");
    };
    let text = |k: &str| req[k].as_str().unwrap_or_default().to_owned();
    let (title, base) = (text("title"), text("base"));
    let head = text("head");
    let head = head
        .split_once(':')
        .map_or(head.as_str(), |(_, b)| b)
        .to_owned();
    for (field, value) in [("title", &title), ("head", &head), ("base", &base)] {
        if value.is_empty() {
            return invalid(field, "missing_field");
        }
    }
    let Some(head_sha) = branch_sha(&bare, &head).await else {
        return invalid("head", "invalid");
    };
    let Some(base_sha) = branch_sha(&bare, &base).await else {
        return invalid("base", "invalid");
    };
    let mut s = state.lock().unwrap();
    let dup = s
        .prs
        .iter()
        .any(|p| p.repo == repo && p.head == head && p.base == base && p.state == "open");
    if dup {
        return answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"message": "Validation Failed", "errors": [{"resource": "PullRequest",
                   "code": "custom", "message": format!("A pull request already exists for {o}:{head}.")}]}),
        );
    }
    s.next_id += 1;
    let pr = FakePr {
        repo,
        number: s.next_id,
        title,
        body: text("body"),
        head,
        base,
        head_sha,
        state: "open".into(),
        merged: false,
        merge_commit_sha: None,
        deleted: false,
        reviews: Vec::new(),
        comments: Vec::new(),
        draft: req["draft"].as_bool().unwrap_or(false),
    };
    s.prs.push(pr.clone());
    answer(StatusCode::CREATED, s.pr_json(&pr, &base_sha))
}

/// `GET /repos/{o}/{r}/pulls`: newest first, filtered by `state` (default `open`), `head`
/// (`owner:branch`, as GitHub wants it) and `base`.
async fn list(
    Ext(state): Ext<Shared>,
    Path((o, r)): Path<(String, String)>,
    Query(q): Query<BTreeMap<String, String>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = admit(&state, &method, &uri, &headers, "") {
        return denied;
    }
    let repo = format!("{o}/{r}");
    let Some(bare) = repo_dir(&state, &repo) else {
        return message(StatusCode::NOT_FOUND, "Not Found");
    };
    let want = q.get("state").map_or("open", String::as_str);
    let head = q.get("head").map(|h| h.split_once(':').unwrap_or(("", h)));
    let prs: Vec<FakePr> = state
        .lock()
        .unwrap()
        .prs
        .iter()
        .rev()
        .filter(|p| {
            p.repo == repo
                && !p.deleted
                && (want == "all" || p.state == want)
                && head.is_none_or(|(owner, branch)| owner == o && p.head == branch)
                && q.get("base").is_none_or(|b| *b == p.base)
        })
        .cloned()
        .collect();
    let mut list = Vec::new();
    for pr in &prs {
        let base_sha = branch_sha(&bare, &pr.base).await.unwrap_or_default();
        list.push(state.lock().unwrap().pr_json(pr, &base_sha));
    }
    answer(StatusCode::OK, Value::Array(list))
}

async fn pull(
    Ext(state): Ext<Shared>,
    Path((o, r, n)): Path<(String, String, u64)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = admit(&state, &method, &uri, &headers, "") {
        return denied;
    }
    let repo = format!("{o}/{r}");
    let mut pr = match find(&state, &repo, n) {
        Ok(pr) => pr,
        Err(e) => return e,
    };
    let bare = repo_dir(&state, &repo).unwrap_or_default();
    let base_sha = branch_sha(&bare, &pr.base).await.unwrap_or_default();
    if pr.state == "open"
        && let Some(sha) = branch_sha(&bare, &pr.head).await
    {
        pr.head_sha = sha.clone();
        let mut s = state.lock().unwrap();
        if let Some(p) = s.prs.iter_mut().find(|p| p.number == n) {
            p.head_sha = sha;
        }
    }
    let s = state.lock().unwrap();
    answer(StatusCode::OK, s.pr_json(&pr, &base_sha))
}

async fn reviews(
    Ext(state): Ext<Shared>,
    Path((o, r, n)): Path<(String, String, u64)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = admit(&state, &method, &uri, &headers, "") {
        return denied;
    }
    let pr = match find(&state, &format!("{o}/{r}"), n) {
        Ok(pr) => pr,
        Err(e) => return e,
    };
    let list: Vec<Value> = pr
        .reviews
        .iter()
        .enumerate()
        .map(|(i, (user, st))| {
            json!({"id": i + 1, "user": {"login": user}, "body": "", "state": st,
                   "commit_id": pr.head_sha, "submitted_at": now()})
        })
        .collect();
    answer(StatusCode::OK, Value::Array(list))
}

async fn checks(
    Ext(state): Ext<Shared>,
    Path((o, r, sha)): Path<(String, String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = admit(&state, &method, &uri, &headers, "") {
        return denied;
    }
    if repo_dir(&state, &format!("{o}/{r}")).is_none() {
        return message(StatusCode::NOT_FOUND, "Not Found");
    }
    let s = state.lock().unwrap();
    let runs: Vec<Value> = s
        .checks
        .iter()
        .enumerate()
        .filter(|(_, (c_sha, _, _))| *c_sha == sha)
        .map(|(i, (_, name, conclusion))| {
            json!({"id": i + 1, "name": name, "head_sha": sha, "status": "completed",
                   "conclusion": conclusion, "started_at": now(), "completed_at": now(),
                   "html_url": format!("{}/{o}/{r}/runs/{}", s.base_url, i + 1)})
        })
        .collect();
    answer(
        StatusCode::OK,
        json!({"total_count": runs.len(), "check_runs": runs}),
    )
}

async fn comment(
    Ext(state): Ext<Shared>,
    Path((o, r, n)): Path<(String, String, u64)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Err(denied) = admit(&state, &method, &uri, &headers, &body) {
        return denied;
    }
    let repo = format!("{o}/{r}");
    if let Err(e) = find(&state, &repo, n) {
        return e;
    }
    let text = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v["body"].as_str().map(str::to_owned))
        .unwrap_or_default();
    if text.is_empty() {
        return invalid("body", "missing_field");
    }
    let mut s = state.lock().unwrap();
    s.next_id += 1;
    let id = s.next_id;
    if let Some(p) = s.prs.iter_mut().find(|p| p.number == n) {
        p.comments.push(text.clone());
    }
    answer(
        StatusCode::CREATED,
        json!({"id": id, "body": text, "user": {"login": "juggernaut"}, "created_at": now(),
               "html_url": format!("{}/{repo}/pull/{n}#issuecomment-{id}", s.base_url)}),
    )
}

async fn merge(
    Ext(state): Ext<Shared>,
    Path((o, r, n)): Path<(String, String, u64)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Err(denied) = admit(&state, &method, &uri, &headers, &body) {
        return denied;
    }
    let pr = match find(&state, &format!("{o}/{r}"), n) {
        Ok(pr) => pr,
        Err(e) => return e,
    };
    if pr.state != "open" {
        return message(
            StatusCode::METHOD_NOT_ALLOWED,
            "Pull Request is not mergeable",
        );
    }
    let req = serde_json::from_str::<Value>(&body).unwrap_or(Value::Null);
    if let Some(sha) = req["sha"].as_str()
        && sha != pr.head_sha
    {
        return message(
            StatusCode::CONFLICT,
            "Head branch was modified. Review and try the merge again.",
        );
    }
    let mut s = state.lock().unwrap();
    let sha = fake_sha(n);
    if let Some(p) = s.prs.iter_mut().find(|p| p.number == n) {
        p.state = "closed".into();
        p.merged = true;
        p.merge_commit_sha = Some(sha.clone());
    }
    answer(
        StatusCode::OK,
        json!({"sha": sha, "merged": true, "message": "Pull Request successfully merged"}),
    )
}
