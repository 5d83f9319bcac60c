//! `http_request`: one HTTP request to an allowed host. Redirects are followed by hand (at most
//! [`MAX_REDIRECTS`]), each hop checked against the allowlist; the response body is read up to
//! a cap. A non-2xx answer is still a result: the caller decides what it means.
//!
//! The tool's permission and risk are static, so they are the stricter of its methods':
//! [`Permission::External`] and [`RiskLevel::Medium`] (a `GET` alone would be `Network`/`Low`),
//! so a policy that allows it allows writes too.

mod body;

use crate::allow::AllowList;
use crate::client::{self, Outgoing};
use crate::error::{ConfigError, check_size, check_timeout};
use async_trait::async_trait;
use juggernaut_core::{Evidence, RiskLevel};
use juggernaut_store::url::redact;
use juggernaut_tools::args::{parse_args, schema_of};
use juggernaut_tools::{Permission, Tool, ToolContext, ToolError, ToolOutput};
use reqwest::{Method, Url};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// The most redirects followed.
pub const MAX_REDIRECTS: usize = 5;

/// `[tools.http]`: what `http_request` may reach and how much it reads and sends.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Hosts it may reach: `api.example.com`, `*.example.com` (hosts below it), with an
    /// optional `:port` that must match too. Empty: none.
    pub allow_hosts: Vec<String>,
    /// Time limit for the whole call, redirects and body included, in seconds.
    pub timeout_secs: u64,
    /// The most response-body bytes read; the rest is cut and the result says `truncated`.
    pub max_response_bytes: usize,
    /// The largest request body sent.
    pub max_request_bytes: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            allow_hosts: Vec::new(),
            timeout_secs: 30,
            max_response_bytes: 2 * 1024 * 1024,
            max_request_bytes: 1024 * 1024,
        }
    }
}

/// An HTTP method the tool sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
}

impl HttpMethod {
    fn method(self) -> Method {
        match self {
            Self::Get => Method::GET,
            Self::Post => Method::POST,
            Self::Put => Method::PUT,
            Self::Patch => Method::PATCH,
            Self::Delete => Method::DELETE,
            Self::Head => Method::HEAD,
        }
    }
}

/// Arguments of `http_request`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct Args {
    /// The method.
    method: HttpMethod,
    /// The absolute http(s) URL; its host must be allowed by the configuration.
    url: String,
    /// Request headers (not `Host`, `Content-Length`, `Transfer-Encoding` or `Connection`).
    #[serde(default)]
    headers: BTreeMap<String, String>,
    /// The body: a string is sent as is (`text/plain` unless a `Content-Type` header says
    /// otherwise), any other JSON value as JSON (`application/json`). Not with GET or HEAD.
    #[serde(default)]
    body: Option<serde_json::Value>,
}

/// The `http_request` tool.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    allow: AllowList,
    client: reqwest::Client,
    timeout: Duration,
    max_response: usize,
    max_request: usize,
}

impl HttpRequest {
    /// The tool, or what is wrong with `config`.
    pub fn new(config: &HttpConfig) -> Result<Self, ConfigError> {
        let timeout = check_timeout("tools.http.timeout_secs", config.timeout_secs)?;
        let allow = AllowList::parse("tools.http.allow_hosts", &config.allow_hosts, false)?;
        Ok(Self {
            allow,
            client: client::client(timeout, None).map_err(|r| ConfigError::new("tools.http", r))?,
            timeout,
            max_response: check_size("tools.http.max_response_bytes", config.max_response_bytes)?,
            max_request: check_size("tools.http.max_request_bytes", config.max_request_bytes)?,
        })
    }

    async fn send(&self, req: Outgoing) -> Result<serde_json::Value, ToolError> {
        let requested = req.url.clone();
        let head = req.method == Method::HEAD;
        let check = |u: &Url| self.allow.check(u);
        let timeout = self.timeout;
        let on_error =
            move |e: reqwest::Error, u: &Url| ToolError::model(client::describe(e, u, timeout));
        let mut arrived =
            client::follow(&self.client, req, MAX_REDIRECTS, &check, &on_error).await?;
        let status = arrived.response.status();
        let headers = client::useful_headers(arrived.response.headers());
        let content_type = arrived
            .response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let capped = if head {
            client::Capped {
                bytes: Vec::new(),
                truncated: false,
            }
        } else {
            client::read_capped(&mut arrived.response, self.max_response)
                .await
                .map_err(|e| on_error(e, &arrived.final_url))?
        };
        let mut out = serde_json::json!({
            "status": status.as_u16(),
            "url": redact(requested.as_str()),
            "final_url": redact(arrived.final_url.as_str()),
            "redirects": arrived.redirects,
            "headers": headers,
            "bytes": capped.bytes.len(),
            "truncated": capped.truncated,
        });
        body::describe_body(&mut out, &capped, content_type.as_deref());
        Ok(out)
    }
}

#[async_trait]
impl Tool for HttpRequest {
    fn name(&self) -> &str {
        "http_request"
    }

    fn description(&self) -> &str {
        "Sends one HTTP request (GET, POST, PUT, PATCH, DELETE or HEAD) to an allowed host and \
         returns the status, a few headers and the body (JSON when it parses, else text; cut at \
         the configured size, then `truncated` is true). Redirects to allowed hosts are \
         followed. A non-2xx status is returned, not treated as an error."
    }

    fn parameters(&self) -> serde_json::Value {
        schema_of::<Args>()
    }

    fn risk(&self) -> RiskLevel {
        RiskLevel::Medium
    }

    fn permission(&self) -> Permission {
        Permission::External
    }

    async fn call(
        &self,
        _ctx: &ToolContext,
        args: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        let args: Args = parse_args(self.name(), args)?;
        let url = Url::parse(args.url.trim())
            .map_err(|e| ToolError::model(format!("`url` is not an absolute URL: {e}")))?;
        self.allow.check(&url)?;
        let method = args.method.method();
        let (headers, body) =
            body::request_parts(&method, &args.headers, args.body, self.max_request)?;
        let req = Outgoing {
            method,
            url: url.clone(),
            headers,
            body,
        };
        let content = tokio::time::timeout(self.timeout, self.send(req))
            .await
            .map_err(|_| {
                ToolError::model(format!(
                    "no complete answer from {} within {} s",
                    client::origin(&url),
                    self.timeout.as_secs()
                ))
            })??;
        let status = content["status"].as_u64().unwrap_or_default();
        Ok(
            ToolOutput::new(content).with_evidence(Evidence::HttpResponse {
                status: u16::try_from(status).unwrap_or_default(),
                url: redact(url.as_str()),
            }),
        )
    }
}
