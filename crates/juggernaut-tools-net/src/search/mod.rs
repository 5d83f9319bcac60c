//! `web_search`: a query to the configured search provider — a SearXNG instance's JSON API or
//! the Brave Search API — and its results as `{title, url, snippet}`. The provider is
//! configuration, so its failures end the attempt: 429 and 5xx may pass (retryable), 401/403
//! and redirects need the configuration changed (fatal).

mod parse;

use crate::client;
use crate::error::{ConfigError, check_size, check_timeout};
use async_trait::async_trait;
use juggernaut_core::{Evidence, RiskLevel};
use juggernaut_store::url::{redact, scrub};
use juggernaut_tools::args::{parse_args, schema_of};
use juggernaut_tools::{Permission, Tool, ToolContext, ToolError, ToolOutput};
use reqwest::Url;
use reqwest::header::{ACCEPT, AUTHORIZATION};
use serde::Deserialize;
use std::time::Duration;

/// The largest provider answer read.
const MAX_ANSWER: usize = 2 * 1024 * 1024;

/// The longest query sent.
const MAX_QUERY_CHARS: usize = 400;

/// Brave's API address, used when `url` is not set.
const BRAVE_URL: &str = "https://api.search.brave.com";

/// Which search API `url` speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// A SearXNG instance (`GET {url}/search?q=…&format=json`; JSON must be enabled in its
    /// `search.formats`). An `api_key`, if set, is sent as `Authorization: Bearer`.
    Searxng,
    /// The Brave Search API (`GET {url}/res/v1/web/search?q=…` with `X-Subscription-Token`).
    Brave,
}

/// `[tools.search]`: the search provider.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchConfig {
    /// The provider.
    pub provider: Provider,
    /// The provider's base URL (Brave: defaults to its public API; SearXNG: required).
    #[serde(default)]
    pub url: Option<String>,
    /// The API key (Brave: required). The CLI reads it from the environment or a file.
    #[serde(default)]
    pub api_key: Option<String>,
    /// Time limit for one search, in seconds.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// The most results returned.
    #[serde(default = "default_max_results")]
    pub max_results: usize,
}

fn default_timeout() -> u64 {
    30
}

fn default_max_results() -> usize {
    10
}

impl std::fmt::Debug for SearchConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchConfig")
            .field("provider", &self.provider)
            .field("url", &self.url.as_deref().map(redact))
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("timeout_secs", &self.timeout_secs)
            .field("max_results", &self.max_results)
            .finish()
    }
}

/// Arguments of `web_search`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct Args {
    /// What to search for.
    query: String,
    /// How many results (at most the configured maximum, which is also the default).
    #[serde(default)]
    count: Option<usize>,
}

/// The `web_search` tool.
#[derive(Clone)]
pub struct WebSearch {
    provider: Provider,
    base: String,
    api_key: Option<String>,
    client: reqwest::Client,
    timeout: Duration,
    max_results: usize,
}

impl std::fmt::Debug for WebSearch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSearch")
            .field("provider", &self.provider)
            .field("base", &redact(&self.base))
            .finish_non_exhaustive()
    }
}

impl WebSearch {
    /// The tool, or what is wrong with `config`.
    pub fn new(config: &SearchConfig) -> Result<Self, ConfigError> {
        let timeout = check_timeout("tools.search.timeout_secs", config.timeout_secs)?;
        let base = match (config.provider, config.url.as_deref()) {
            (_, Some(u)) => u.trim().trim_end_matches('/').to_owned(),
            (Provider::Brave, None) => BRAVE_URL.to_owned(),
            (Provider::Searxng, None) => {
                return Err(ConfigError::new(
                    "tools.search.url",
                    "SearXNG needs the instance's URL",
                ));
            }
        };
        let parsed = Url::parse(&base).map_err(|e| {
            ConfigError::new("tools.search.url", format!("not an absolute URL: {e}"))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ConfigError::new(
                "tools.search.url",
                "must be an http(s) URL",
            ));
        }
        let api_key = config
            .api_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty());
        if config.provider == Provider::Brave && api_key.is_none() {
            return Err(ConfigError::new(
                "tools.search.api_key",
                "the Brave Search API needs an API key",
            ));
        }
        let max_results = check_size("tools.search.max_results", config.max_results)?;
        if max_results > 50 {
            return Err(ConfigError::new("tools.search.max_results", "at most 50"));
        }
        Ok(Self {
            provider: config.provider,
            base,
            api_key: api_key.map(str::to_owned),
            client: client::client(timeout, None)
                .map_err(|r| ConfigError::new("tools.search", r))?,
            timeout,
            max_results,
        })
    }

    /// The request URL for `query`.
    fn url(&self, query: &str, count: usize) -> Result<Url, ToolError> {
        let path = match self.provider {
            Provider::Searxng => "/search",
            Provider::Brave => "/res/v1/web/search",
        };
        let mut url = Url::parse(&format!("{}{path}", self.base))
            .map_err(|e| ToolError::fatal(format!("`tools.search.url` is unusable: {e}")))?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("q", query);
            match self.provider {
                Provider::Searxng => q.append_pair("format", "json"),
                Provider::Brave => q.append_pair("count", &count.min(20).to_string()),
            };
        }
        Ok(url)
    }

    async fn search(&self, url: &Url) -> Result<(u16, Vec<u8>), ToolError> {
        let mut rb = self
            .client
            .get(url.clone())
            .header(ACCEPT, "application/json");
        match (self.provider, &self.api_key) {
            (Provider::Brave, Some(k)) => rb = rb.header("X-Subscription-Token", k),
            (Provider::Searxng, Some(k)) => rb = rb.header(AUTHORIZATION, format!("Bearer {k}")),
            (_, None) => {}
        }
        let scrubbed = |m: String| scrub(&m, &self.base);
        let mut response = rb.send().await.map_err(|e| {
            ToolError::transient(scrubbed(format!(
                "web search: {}",
                client::describe(e, url, self.timeout)
            )))
        })?;
        let status = response.status();
        let capped = client::read_capped(&mut response, MAX_ANSWER)
            .await
            .map_err(|e| {
                ToolError::transient(scrubbed(format!(
                    "web search: {}",
                    client::describe(e, url, self.timeout)
                )))
            })?;
        if !status.is_success() {
            return Err(status_error(self.provider, status, &capped.bytes));
        }
        Ok((status.as_u16(), capped.bytes))
    }
}

/// The error for a provider's non-2xx answer.
fn status_error(provider: Provider, status: reqwest::StatusCode, body: &[u8]) -> ToolError {
    let said = client::snippet(String::from_utf8_lossy(body).trim(), 200);
    let code = status.as_u16();
    match code {
        429 | 500..=599 => ToolError::transient(format!(
            "the search provider answered {status}; try again later"
        )),
        401 | 403 => {
            let fix = match provider {
                Provider::Brave => "check `tools.search.api_key`",
                Provider::Searxng => {
                    "check `tools.search.url` and `tools.search.api_key`, and that the instance \
                     enables the `json` format (`search.formats` in its settings.yml)"
                }
            };
            ToolError::fatal(format!(
                "the search provider refused the request ({status}): {fix}"
            ))
        }
        300..=399 => ToolError::fatal(format!(
            "the search provider redirected ({status}); set `tools.search.url` to the final address"
        )),
        _ => ToolError::model(format!("the search provider answered {status}: {said}")),
    }
}

#[async_trait]
impl Tool for WebSearch {
    fn name(&self) -> &str {
        "web_search"
    }

    fn description(&self) -> &str {
        "Searches the web and returns results as {title, url, snippet}. Use fetch_page to read \
         a result."
    }

    fn parameters(&self) -> serde_json::Value {
        schema_of::<Args>()
    }

    fn risk(&self) -> RiskLevel {
        RiskLevel::Low
    }

    fn permission(&self) -> Permission {
        Permission::Network
    }

    async fn call(
        &self,
        _ctx: &ToolContext,
        args: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        let args: Args = parse_args(self.name(), args)?;
        let query = args.query.trim();
        if query.is_empty() {
            return Err(ToolError::model("`query` is empty"));
        }
        if query.chars().count() > MAX_QUERY_CHARS {
            return Err(ToolError::model(format!(
                "`query` is longer than {MAX_QUERY_CHARS} characters"
            )));
        }
        let count = match args.count {
            Some(0) => return Err(ToolError::model("`count` must be at least 1")),
            Some(n) => n.min(self.max_results),
            None => self.max_results,
        };
        let url = self.url(query, count)?;
        let (status, body) = tokio::time::timeout(self.timeout, self.search(&url))
            .await
            .map_err(|_| {
                ToolError::transient(format!(
                    "the search provider gave no answer within {} s",
                    self.timeout.as_secs()
                ))
            })??;
        let mut results = parse::results(self.provider, &body)?;
        results.truncate(count);
        let content = serde_json::json!({
            "query": query,
            "results": results,
        });
        Ok(
            ToolOutput::new(content).with_evidence(Evidence::HttpResponse {
                status,
                url: redact(url.as_str()),
            }),
        )
    }
}
