//! `fetch_page`: `GET` a web page from an allowed host and give back its readable text and
//! title. Only public addresses are reached unless `allow_private` (names are checked where
//! they are resolved, literal addresses before the request); redirects are followed by hand,
//! each hop checked the same way.

mod page;

use crate::allow::{AllowList, host_of};
use crate::client::{self, Outgoing};
use crate::error::{ConfigError, check_size, check_timeout};
use crate::ssrf::{self, GuardedResolver};
use async_trait::async_trait;
use juggernaut_core::{Evidence, RiskLevel};
use juggernaut_store::url::redact;
use juggernaut_tools::args::{parse_args, schema_of};
use juggernaut_tools::{Permission, Tool, ToolContext, ToolError, ToolOutput};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, Url};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// `[tools.fetch]`: which pages `fetch_page` may read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FetchConfig {
    /// Hosts it may read: as for `tools.http.allow_hosts`, and `*` for any host. Empty: none.
    pub allow_hosts: Vec<String>,
    /// Whether private, loopback and link-local addresses may be reached (off: only public).
    pub allow_private: bool,
    /// Time limit for the whole fetch, in seconds.
    pub timeout_secs: u64,
    /// The most bytes of a page read.
    pub max_bytes: usize,
    /// The most characters of text returned.
    pub max_text_chars: usize,
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            allow_hosts: Vec::new(),
            allow_private: false,
            timeout_secs: 30,
            max_bytes: 2 * 1024 * 1024,
            max_text_chars: 100_000,
        }
    }
}

/// Arguments of `fetch_page`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct Args {
    /// The page's absolute http(s) URL.
    url: String,
}

/// The `fetch_page` tool.
#[derive(Debug, Clone)]
pub struct FetchPage {
    allow: AllowList,
    allow_private: bool,
    client: reqwest::Client,
    timeout: Duration,
    max_bytes: usize,
    max_chars: usize,
}

impl FetchPage {
    /// The tool, or what is wrong with `config`.
    pub fn new(config: &FetchConfig) -> Result<Self, ConfigError> {
        let timeout = check_timeout("tools.fetch.timeout_secs", config.timeout_secs)?;
        let resolver = Arc::new(GuardedResolver {
            allow_private: config.allow_private,
        });
        Ok(Self {
            allow: AllowList::parse("tools.fetch.allow_hosts", &config.allow_hosts, true)?,
            allow_private: config.allow_private,
            client: client::client(timeout, Some(resolver))
                .map_err(|r| ConfigError::new("tools.fetch", r))?,
            timeout,
            max_bytes: check_size("tools.fetch.max_bytes", config.max_bytes)?,
            max_chars: check_size("tools.fetch.max_text_chars", config.max_text_chars)?,
        })
    }

    /// The allowlist, then (for a literal address) the address check.
    fn check(&self, url: &Url) -> Result<(), ToolError> {
        self.allow.check(url)?;
        if self.allow_private {
            return Ok(());
        }
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            _ => None,
        };
        match ip {
            Some(ip) if !ssrf::is_public(ip) => Err(private_refusal(&ssrf::PrivateAddress {
                host: host_of(url).unwrap_or_default(),
                ip,
            })),
            _ => Ok(()),
        }
    }

    async fn fetch(&self, url: Url) -> Result<(serde_json::Value, u16), ToolError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5"),
        );
        let req = Outgoing {
            method: Method::GET,
            url: url.clone(),
            headers,
            body: None,
        };
        let timeout = self.timeout;
        let on_error = move |e: reqwest::Error, u: &Url| match ssrf::refusal_in(&e) {
            Some(p) => private_refusal(&p),
            None => ToolError::model(client::describe(e, u, timeout)),
        };
        let check = |u: &Url| self.check(u);
        let mut arrived = client::follow(
            &self.client,
            req,
            crate::http::MAX_REDIRECTS,
            &check,
            &on_error,
        )
        .await?;
        let status = arrived.response.status();
        if !status.is_success() {
            return Err(ToolError::model(format!(
                "{} answered {status}; no page to read",
                client::origin(&arrived.final_url)
            )));
        }
        let content_type = arrived
            .response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let capped = client::read_capped(&mut arrived.response, self.max_bytes)
            .await
            .map_err(|e| on_error(e, &arrived.final_url))?;
        let max_chars = self.max_chars;
        let ct = content_type.clone();
        let read = tokio::task::spawn_blocking(move || {
            page::read(&capped.bytes, ct.as_deref(), max_chars)
        })
        .await
        .map_err(|e| ToolError::transient(format!("reading the page failed: {e}")))??;
        Ok((
            serde_json::json!({
                "url": redact(url.as_str()),
                "final_url": redact(arrived.final_url.as_str()),
                "status": status.as_u16(),
                "content_type": content_type,
                "title": read.title,
                "text": read.text,
                "truncated": capped.truncated || read.cut,
            }),
            status.as_u16(),
        ))
    }
}

fn private_refusal(p: &ssrf::PrivateAddress) -> ToolError {
    ToolError::model(format!(
        "refused: {p}; fetch_page reaches only public addresses \
         (set `tools.fetch.allow_private = true` to allow private ones)"
    ))
}

#[async_trait]
impl Tool for FetchPage {
    fn name(&self) -> &str {
        "fetch_page"
    }

    fn description(&self) -> &str {
        "Fetches a web page (GET) from an allowed public host and returns its title and \
         readable text (HTML converted to Markdown-like text, links listed at the end), cut at the \
         configured size (then `truncated` is true)."
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
        let url = Url::parse(args.url.trim())
            .map_err(|e| ToolError::model(format!("`url` is not an absolute URL: {e}")))?;
        self.check(&url)?;
        let (content, status) = tokio::time::timeout(self.timeout, self.fetch(url.clone()))
            .await
            .map_err(|_| {
                ToolError::model(format!(
                    "no complete answer from {} within {} s",
                    client::origin(&url),
                    self.timeout.as_secs()
                ))
            })??;
        Ok(
            ToolOutput::new(content).with_evidence(Evidence::HttpResponse {
                status,
                url: redact(url.as_str()),
            }),
        )
    }
}
