//! GitHub: the `github` tool (open, find, read and comment on pull requests), the
//! `github_merge` tool, and [`pull_request_state`], the plain read a verifier makes.

mod api;
pub mod tool;

use api::{Api, ApiError};
use reqwest::Method;
use serde::Serialize;
use serde_json::Value;
pub use tool::{GitHub, GitHubMerge};

/// How the GitHub tools are configured.
#[derive(Clone, PartialEq, Eq)]
pub struct GitHubConfig {
    /// The API's base URL.
    pub api_url: String,
    /// The token (the binary reads it from the environment or a file). Never shown.
    pub token: Option<String>,
    /// Longest one request may take, in seconds.
    pub timeout_secs: u64,
}

impl Default for GitHubConfig {
    fn default() -> Self {
        Self {
            api_url: "https://api.github.com".into(),
            token: None,
            timeout_secs: 30,
        }
    }
}

impl std::fmt::Debug for GitHubConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHubConfig")
            .field("api_url", &self.api_url)
            .field("token", &self.token.as_ref().map(|_| crate::REDACTED))
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

/// Where a pull request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrStatus {
    /// Open.
    Open,
    /// Closed without being merged.
    Closed,
    /// Merged.
    Merged,
}

impl PrStatus {
    /// `open`, `closed` or `merged`, as `Evidence::PullRequest` carries it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Merged => "merged",
        }
    }
}

/// A pull request as a verifier needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrState {
    /// Its number.
    pub number: u64,
    /// Its web URL.
    pub url: String,
    /// Open, closed or merged.
    pub state: PrStatus,
    /// Its title.
    pub title: String,
    /// The head branch.
    pub head_ref: String,
    /// The head commit.
    pub head_sha: String,
    /// The base branch.
    pub base_ref: String,
    /// The merge commit, once merged.
    pub merge_commit_sha: Option<String>,
}

impl PrState {
    /// Reads GitHub's pull request JSON.
    pub fn from_json(v: &Value) -> Result<Self, String> {
        let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        let number = v["number"]
            .as_u64()
            .ok_or("GitHub's pull request has no `number`")?;
        let merged = v["merged"].as_bool().unwrap_or(false) || !v["merged_at"].is_null();
        let state = match (v["state"].as_str(), merged) {
            (_, true) => PrStatus::Merged,
            (Some("open"), false) => PrStatus::Open,
            (Some("closed"), false) => PrStatus::Closed,
            (other, _) => return Err(format!("GitHub's pull request has state {other:?}")),
        };
        let merge_commit_sha = v["merge_commit_sha"]
            .as_str()
            .filter(|_| merged)
            .map(str::to_owned);
        Ok(Self {
            number,
            url: s(&v["html_url"]),
            state,
            title: s(&v["title"]),
            head_ref: s(&v["head"]["ref"]),
            head_sha: s(&v["head"]["sha"]),
            base_ref: s(&v["base"]["ref"]),
            merge_commit_sha,
        })
    }
}

/// Checks that `repo` is `owner/name`.
pub fn check_repo(repo: &str) -> Result<(), String> {
    let ok_part = |p: &str| {
        !p.is_empty()
            && p != "."
            && p != ".."
            && p.len() <= 100
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    match repo.split_once('/') {
        Some((owner, name)) if ok_part(owner) && ok_part(name) => Ok(()),
        _ => Err(format!("repository `{repo}` is not `owner/name`")),
    }
}

/// Reads a pull request's JSON.
pub(crate) async fn get_pull(api: &Api, repo: &str, number: u64) -> Result<Value, ApiError> {
    check_repo(repo).map_err(ApiError::Refused)?;
    if number == 0 {
        return Err(ApiError::Refused("pull request numbers start at 1".into()));
    }
    api.send(Method::GET, &format!("/repos/{repo}/pulls/{number}"), None)
        .await
}

/// The first open pull request of `head` (`branch`, or `owner:branch`; a bare branch is taken
/// as the repository owner's) into `base` in `repo`, as GitHub's JSON, or `None`.
pub(crate) async fn find_open_pull(
    api: &Api,
    repo: &str,
    head: &str,
    base: &str,
) -> Result<Option<Value>, ApiError> {
    check_repo(repo).map_err(ApiError::Refused)?;
    let head = match (head.contains(':'), repo.split_once('/')) {
        (false, Some((owner, _))) => format!("{owner}:{head}"),
        _ => head.to_owned(),
    };
    let mut url = reqwest::Url::parse("http://query.invalid/")
        .map_err(|e| ApiError::Refused(format!("building the query: {e}")))?;
    url.query_pairs_mut()
        .append_pair("head", &head)
        .append_pair("base", base)
        .append_pair("state", "open")
        .append_pair("per_page", "1");
    let query = url.query().unwrap_or_default();
    let listed = api
        .send(Method::GET, &format!("/repos/{repo}/pulls?{query}"), None)
        .await?;
    match listed {
        Value::Array(mut prs) if !prs.is_empty() => Ok(Some(prs.swap_remove(0))),
        Value::Array(_) => Ok(None),
        _ => Err(ApiError::Unavailable(format!(
            "GitHub: listing the pull requests of `{repo}` answered something other than a list"
        ))),
    }
}

/// The state of pull request `number` of `repo`: what a verifier asks. Any failure (the token,
/// the network, a missing pull request) is the error's text.
pub async fn pull_request_state(
    cfg: &GitHubConfig,
    repo: &str,
    number: u64,
) -> Result<PrState, String> {
    let api = Api::new(cfg)?;
    let v = get_pull(&api, repo, number)
        .await
        .map_err(|e| e.to_string())?;
    PrState::from_json(&v)
}
