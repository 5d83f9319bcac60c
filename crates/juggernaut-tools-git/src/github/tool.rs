//! The `github` tool (create, find, read and comment on pull requests) and the `github_merge`
//! tool. Opening, finding, reading and merging a pull request give `Evidence::PullRequest` with
//! its state.

use super::api::{Api, ApiError};
use super::{GitHubConfig, PrState, check_repo, find_open_pull, get_pull};
use async_trait::async_trait;
use juggernaut_core::{Evidence, RiskLevel};
use juggernaut_tools::args::{parse_args, schema_of};
use juggernaut_tools::{Permission, Tool, ToolContext, ToolError, ToolOutput};
use reqwest::Method;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

/// One `github` operation.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum GitHubArgs {
    /// Opens a pull request of `head` into `base`; `head` must have been pushed.
    CreatePullRequest {
        /// `owner/name`.
        repo: String,
        /// The branch with the changes (`branch`, or `owner:branch` from a fork).
        head: String,
        /// The branch to merge into.
        base: String,
        /// The title.
        title: String,
        /// The description (Markdown).
        #[serde(default)]
        body: String,
        /// Open it as a draft.
        #[serde(default)]
        draft: bool,
    },
    /// The open pull request of `head` into `base`, if there is one (`found` says): what to
    /// reuse rather than open a second one.
    FindPullRequest {
        /// `owner/name`.
        repo: String,
        /// The branch (`branch`, or `owner:branch` from a fork).
        head: String,
        /// The branch it merges into.
        base: String,
    },
    /// A pull request's state (open, closed or merged), head commit, reviews, and the check
    /// runs of its head commit.
    GetPullRequest {
        /// `owner/name`.
        repo: String,
        /// Its number.
        number: u64,
    },
    /// Comments on a pull request (or issue).
    Comment {
        /// `owner/name`.
        repo: String,
        /// Its number.
        number: u64,
        /// The comment (Markdown).
        body: String,
    },
}

/// How `github_merge` merges.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MergeMethod {
    /// A merge commit.
    Merge,
    /// One squashed commit.
    Squash,
    /// The commits rebased onto the base.
    Rebase,
}

/// `github_merge`'s arguments.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeArgs {
    /// `owner/name`.
    pub repo: String,
    /// The pull request's number.
    pub number: u64,
    /// How (default: merge).
    #[serde(default)]
    pub method: Option<MergeMethod>,
    /// Merge only if the head is still at this commit.
    #[serde(default)]
    pub sha: Option<String>,
}

/// The `github` tool.
#[derive(Debug, Clone)]
pub struct GitHub {
    api: Api,
}

impl GitHub {
    /// The tool with `cfg`.
    pub fn new(cfg: &GitHubConfig) -> Result<Self, String> {
        Ok(Self {
            api: Api::new(cfg)?,
        })
    }

    /// The `github_merge` tool with the same configuration.
    pub fn merge_tool(&self) -> GitHubMerge {
        GitHubMerge {
            api: self.api.clone(),
        }
    }
}

/// A pull request as the tools answer it, and its evidence.
fn pull_output(pr: &PrState, extra: Value) -> ToolOutput {
    let mut content = json!({
        "number": pr.number, "url": pr.url, "state": pr.state.as_str(),
        "merged": pr.state == super::PrStatus::Merged, "title": pr.title,
        "head": {"ref": pr.head_ref, "sha": pr.head_sha}, "base": {"ref": pr.base_ref},
        "merge_commit_sha": pr.merge_commit_sha,
    });
    if let (Some(obj), Value::Object(more)) = (content.as_object_mut(), extra) {
        obj.extend(more);
    }
    ToolOutput::new(content).with_evidence(Evidence::PullRequest {
        url: pr.url.clone(),
        number: pr.number,
        state: pr.state.as_str().to_owned(),
    })
}

fn parsed(v: &Value) -> Result<PrState, ToolError> {
    PrState::from_json(v).map_err(ToolError::transient)
}

fn refuse(message: String) -> ToolError {
    ToolError::model(message)
}

fn need(value: &str, field: &str, max: usize) -> Result<(), ToolError> {
    if value.trim().is_empty() || value.len() > max || value.contains('\0') {
        return Err(refuse(format!(
            "`{field}` must be 1-{max} bytes of text without NUL"
        )));
    }
    Ok(())
}

impl GitHub {
    async fn create(&self, args: GitHubArgs) -> Result<ToolOutput, ApiError> {
        let GitHubArgs::CreatePullRequest {
            repo,
            head,
            base,
            title,
            body,
            draft,
        } = args
        else {
            return Err(ApiError::Refused("not a create_pull_request".into()));
        };
        let req = json!({"title": title, "head": head, "base": base, "body": body,
                         "draft": draft});
        let v = self
            .api
            .send(Method::POST, &format!("/repos/{repo}/pulls"), Some(&req))
            .await?;
        let pr = PrState::from_json(&v).map_err(ApiError::Unavailable)?;
        Ok(pull_output(&pr, json!({"repo": repo})))
    }

    async fn get(&self, repo: &str, number: u64) -> Result<ToolOutput, ApiError> {
        let v = get_pull(&self.api, repo, number).await?;
        let pr = PrState::from_json(&v).map_err(ApiError::Unavailable)?;
        let reviews = self
            .api
            .send(
                Method::GET,
                &format!("/repos/{repo}/pulls/{number}/reviews?per_page=100"),
                None,
            )
            .await?;
        let reviews: Vec<Value> = reviews
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                json!({"user": r["user"]["login"], "state": r["state"],
                       "submitted_at": r["submitted_at"], "body": r["body"]})
            })
            .collect();
        let checks = if pr.head_sha.is_empty() {
            Vec::new()
        } else {
            let c = self
                .api
                .send(
                    Method::GET,
                    &format!(
                        "/repos/{repo}/commits/{}/check-runs?per_page=100",
                        pr.head_sha
                    ),
                    None,
                )
                .await?;
            c["check_runs"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| {
                    json!({"name": r["name"], "status": r["status"],
                                "conclusion": r["conclusion"]})
                })
                .collect()
        };
        Ok(pull_output(
            &pr,
            json!({"repo": repo, "draft": v["draft"], "mergeable": v["mergeable"],
                   "reviews": reviews, "checks": checks}),
        ))
    }

    async fn comment(&self, repo: &str, number: u64, body: &str) -> Result<ToolOutput, ApiError> {
        let v = self
            .api
            .send(
                Method::POST,
                &format!("/repos/{repo}/issues/{number}/comments"),
                Some(&json!({"body": body})),
            )
            .await?;
        Ok(ToolOutput::new(json!({
            "repo": repo, "number": number, "id": v["id"], "url": v["html_url"],
        })))
    }
}

#[async_trait]
impl Tool for GitHub {
    fn name(&self) -> &str {
        "github"
    }

    fn description(&self) -> &str {
        "GitHub pull requests, chosen by `op`: create_pull_request (of a pushed branch), \
         find_pull_request (the open one of a head branch into a base, if any), get_pull_request (state open/closed/merged, head commit, reviews, check runs), \
         comment. Merging is the separate `github_merge` tool."
    }

    fn parameters(&self) -> Value {
        let mut schema = schema_of::<GitHubArgs>();
        if let Some(obj) = schema.as_object_mut() {
            obj.insert("type".into(), "object".into());
        }
        schema
    }

    fn risk(&self) -> RiskLevel {
        RiskLevel::Medium
    }

    fn permission(&self) -> Permission {
        Permission::External
    }

    async fn call(&self, _ctx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let args: GitHubArgs = parse_args(self.name(), args)?;
        let result = match &args {
            GitHubArgs::CreatePullRequest {
                repo,
                head,
                base,
                title,
                body,
                ..
            } => {
                check_repo(repo).map_err(refuse)?;
                need(head, "head", 255)?;
                need(base, "base", 255)?;
                need(title, "title", 256)?;
                if body.len() > 65_536 || body.contains('\0') {
                    return Err(refuse(
                        "`body` must be at most 65536 bytes without NUL".into(),
                    ));
                }
                self.create(args).await
            }
            GitHubArgs::FindPullRequest { repo, head, base } => {
                check_repo(repo).map_err(refuse)?;
                need(head, "head", 255)?;
                need(base, "base", 255)?;
                let found = find_open_pull(&self.api, repo, head, base).await;
                found.and_then(|v| match v {
                    Some(v) => {
                        let pr = PrState::from_json(&v).map_err(ApiError::Unavailable)?;
                        Ok(pull_output(&pr, json!({"repo": repo, "found": true})))
                    }
                    None => Ok(ToolOutput::new(
                        json!({"repo": repo, "head": head, "base": base, "found": false}),
                    )),
                })
            }
            GitHubArgs::GetPullRequest { repo, number } => self.get(repo, *number).await,
            GitHubArgs::Comment { repo, number, body } => {
                check_repo(repo).map_err(refuse)?;
                need(body, "body", 65_536)?;
                self.comment(repo, *number, body).await
            }
        };
        result.map_err(ApiError::into_tool)
    }
}

/// The `github_merge` tool.
#[derive(Debug, Clone)]
pub struct GitHubMerge {
    api: Api,
}

impl GitHubMerge {
    /// The tool with `cfg`.
    pub fn new(cfg: &GitHubConfig) -> Result<Self, String> {
        Ok(GitHub::new(cfg)?.merge_tool())
    }
}

#[async_trait]
impl Tool for GitHubMerge {
    fn name(&self) -> &str {
        "github_merge"
    }

    fn description(&self) -> &str {
        "Merges a GitHub pull request (method merge, squash or rebase; optionally only if its \
         head is still at `sha`) and returns its merged state."
    }

    fn parameters(&self) -> Value {
        schema_of::<MergeArgs>()
    }

    fn risk(&self) -> RiskLevel {
        RiskLevel::High
    }

    fn permission(&self) -> Permission {
        Permission::External
    }

    async fn call(&self, _ctx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let args: MergeArgs = parse_args(self.name(), args)?;
        check_repo(&args.repo).map_err(refuse)?;
        if args.number == 0 {
            return Err(refuse("pull request numbers start at 1".into()));
        }
        let method = match args.method.unwrap_or(MergeMethod::Merge) {
            MergeMethod::Merge => "merge",
            MergeMethod::Squash => "squash",
            MergeMethod::Rebase => "rebase",
        };
        let mut req = json!({ "merge_method": method });
        if let Some(sha) = &args.sha {
            if sha.len() != 40 || !sha.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(refuse(format!(
                    "`sha` `{sha}` is not a 40-digit commit sha"
                )));
            }
            req["sha"] = json!(sha);
        }
        let path = format!("/repos/{}/pulls/{}/merge", args.repo, args.number);
        let merged = self
            .api
            .send(Method::PUT, &path, Some(&req))
            .await
            .map_err(ApiError::into_tool)?;
        if merged["merged"].as_bool() != Some(true) {
            return Err(refuse(format!(
                "GitHub did not merge #{}: {}",
                args.number,
                merged["message"].as_str().unwrap_or("no reason given")
            )));
        }
        let v = get_pull(&self.api, &args.repo, args.number)
            .await
            .map_err(ApiError::into_tool)?;
        let pr = parsed(&v)?;
        Ok(pull_output(
            &pr,
            json!({"repo": args.repo, "method": method, "merge_sha": merged["sha"]}),
        ))
    }
}
