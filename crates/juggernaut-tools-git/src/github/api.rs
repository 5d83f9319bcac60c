//! The GitHub REST client: one request at a time with the token as a bearer header, and every
//! failure sorted by what should happen next: a token GitHub refuses is fatal (it names the
//! setting to fix), a missing thing or a refused request is the caller's to fix, and a rate
//! limit, a 5xx or a network failure may pass (with GitHub's `Retry-After`, if it sent one).

use super::GitHubConfig;
use crate::secret::{Secret, redact};
use juggernaut_core::text::clipped;
use juggernaut_tools::ToolError;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::Duration;

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The configuration cannot work (no token, a bad URL).
    Config(String),
    /// GitHub refused the token (401, or 403 without a rate limit).
    Auth(String),
    /// Not there (404).
    NotFound(String),
    /// GitHub refused the request as made (422, 405, 409, other 4xx).
    Refused(String),
    /// GitHub or the network failed; a later try may pass.
    Unavailable(String),
}

impl ApiError {
    /// What is wrong.
    pub fn message(&self) -> &str {
        match self {
            Self::Config(m) | Self::Auth(m) | Self::NotFound(m) | Self::Refused(m) => m,
            Self::Unavailable(m) => m,
        }
    }

    /// As a tool's error: fatal for the configuration and the token, shown to the caller for
    /// a 404 or a refusal, retryable for the rest.
    pub fn into_tool(self) -> ToolError {
        match self {
            Self::Config(m) | Self::Auth(m) => ToolError::fatal(m),
            Self::NotFound(m) | Self::Refused(m) => ToolError::model(m),
            Self::Unavailable(m) => ToolError::transient(m),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// A client for one GitHub API.
#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<Secret>,
}

impl Api {
    /// A client for `cfg`.
    pub fn new(cfg: &GitHubConfig) -> Result<Self, String> {
        let base = cfg.api_url.trim_end_matches('/').to_owned();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(format!(
                "github: api_url `{}` must be an http(s) URL",
                cfg.api_url
            ));
        }
        if cfg.timeout_secs == 0 {
            return Err("github: timeout_secs must be at least 1".into());
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(cfg.timeout_secs))
            .user_agent(concat!("juggernaut/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("github: building the HTTP client failed: {e}"))?;
        Ok(Self {
            http,
            base,
            token: cfg.token.as_deref().and_then(Secret::new),
        })
    }

    /// Sends `method path` with an optional JSON body; the answer's JSON (null when empty).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, ApiError> {
        let Some(token) = &self.token else {
            return Err(ApiError::Config(
                "github: no token is configured (GitHubConfig.token); GitHub needs one for \
                 pull requests"
                    .into(),
            ));
        };
        let what = format!("{method} {path}");
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token.expose())
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28");
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.map_err(|e| {
            let why = if e.is_timeout() {
                "timed out".to_owned()
            } else {
                e.without_url().to_string()
            };
            ApiError::Unavailable(self.clean(&format!("GitHub: {what} failed: {why}")))
        })?;
        let status = resp.status();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let retry_after = header("retry-after");
        let limited = header("x-ratelimit-remaining").as_deref() == Some("0");
        let text = resp.text().await.map_err(|e| {
            ApiError::Unavailable(self.clean(&format!("GitHub: reading {what}: {e}")))
        })?;
        if status.is_success() {
            if text.trim().is_empty() {
                return Ok(Value::Null);
            }
            return serde_json::from_str(&text).map_err(|e| {
                ApiError::Unavailable(format!(
                    "GitHub: {what} answered JSON that does not parse: {e}"
                ))
            });
        }
        let said = self.clean(&said(&text));
        let code = status.as_u16();
        let after = retry_after
            .as_deref()
            .map(|s| format!("; retry after {s}s (Retry-After)"))
            .unwrap_or_default();
        Err(match status {
            StatusCode::UNAUTHORIZED => ApiError::Auth(format!(
                "GitHub refused the token (HTTP 401: {said}) for {what}: check the configured \
                 GitHub token (GitHubConfig.token)"
            )),
            StatusCode::FORBIDDEN if limited || retry_after.is_some() => ApiError::Unavailable(
                format!("GitHub rate-limited {what} (HTTP 403: {said}){after}"),
            ),
            StatusCode::FORBIDDEN => ApiError::Auth(format!(
                "GitHub forbade {what} (HTTP 403: {said}): the configured token \
                 (GitHubConfig.token) lacks the permission"
            )),
            StatusCode::NOT_FOUND => {
                ApiError::NotFound(format!("GitHub: {what} was not found (HTTP 404: {said})"))
            }
            StatusCode::TOO_MANY_REQUESTS => ApiError::Unavailable(format!(
                "GitHub rate-limited {what} (HTTP 429: {said}){after}"
            )),
            s if s.is_server_error() => {
                ApiError::Unavailable(format!("GitHub failed {what} (HTTP {code}: {said}){after}"))
            }
            _ => ApiError::Refused(format!("GitHub refused {what} (HTTP {code}): {said}")),
        })
    }

    /// Text with the token replaced.
    fn clean(&self, text: &str) -> String {
        redact(text, self.token.as_ref())
    }
}

/// What GitHub said in an error body: its `message` and each entry of `errors`, else the body's
/// start.
fn said(body: &str) -> String {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return clipped(body.trim(), 300);
    };
    let mut parts = Vec::new();
    if let Some(m) = v["message"].as_str() {
        parts.push(m.to_owned());
    }
    for e in v["errors"].as_array().into_iter().flatten() {
        if let Some(m) = e["message"].as_str() {
            parts.push(m.to_owned());
        } else if let Some(obj) = e.as_object() {
            let get = |k: &str| obj.get(k).and_then(Value::as_str).unwrap_or("?").to_owned();
            parts.push(format!(
                "{} `{}` is {}",
                get("resource"),
                get("field"),
                get("code")
            ));
        }
    }
    if parts.is_empty() {
        clipped(body.trim(), 300)
    } else {
        clipped(&parts.join("; "), 1000)
    }
}
