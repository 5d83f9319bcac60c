//! One provider over reqwest: the body is sent with the key as a bearer token, each attempt is
//! bounded by the provider's timeout, and 429, 5xx, timeouts and broken connections are retried
//! per [`RetryPolicy`]. Error messages carry the server's text, clipped, never the key.

use crate::config::{Provider, Purpose};
use crate::error::LlmError;
use crate::retry::{RetryPolicy, parse_retry_after, retryable_status};
use crate::types::{ChatRequest, ChatResponse};
use crate::wire;
use chrono::Utc;
use juggernaut_core::text::clipped;
use std::time::Duration;

/// Largest answer body read (a longer one is refused as malformed).
pub const MAX_BODY: usize = 8 * 1024 * 1024;
/// Most bytes of an error body or bad answer kept in an error.
const KEEP: usize = 2000;

/// A client for one provider.
#[derive(Debug, Clone)]
pub struct Client {
    provider: Provider,
    policy: RetryPolicy,
    http: reqwest::Client,
}

/// What one attempt ended with.
enum Attempt {
    Done(Result<ChatResponse, LlmError>),
    Retry(LlmError),
}

impl Client {
    /// A client for `provider` with the default retry policy.
    pub fn new(provider: Provider) -> Result<Self, LlmError> {
        Self::with_policy(provider, RetryPolicy::default())
    }

    /// A client with its own retry policy.
    pub fn with_policy(provider: Provider, policy: RetryPolicy) -> Result<Self, LlmError> {
        if !(provider.base_url.starts_with("http://") || provider.base_url.starts_with("https://"))
        {
            return Err(LlmError::Invalid(format!(
                "provider {}: base URL must start with http:// or https://",
                provider.name
            )));
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(provider.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| LlmError::Invalid(format!("HTTP client: {e}")))?;
        Ok(Self {
            provider,
            policy,
            http,
        })
    }

    /// The provider.
    pub fn provider(&self) -> &Provider {
        &self.provider
    }

    /// The model a request for `purpose` goes to.
    pub fn model(&self, req: &ChatRequest, purpose: Purpose) -> String {
        req.model
            .clone()
            .unwrap_or_else(|| self.provider.model_for(purpose).to_owned())
    }

    /// Sends `req`, retrying what is worth retrying.
    pub async fn chat(
        &self,
        req: &ChatRequest,
        purpose: Purpose,
    ) -> Result<ChatResponse, LlmError> {
        let model = self.model(req, purpose);
        let body = wire::body(req, &model, self.provider.usage_include);
        let mut retry = 0;
        loop {
            let err = match self.attempt(&body, &model).await {
                Attempt::Done(result) => return result,
                Attempt::Retry(err) => err,
            };
            if retry >= self.provider.max_retries {
                return Err(err);
            }
            let wait = match err.retry_after() {
                Some(w) if w > self.policy.max_wait => return Err(err),
                Some(w) => w,
                None => self.policy.backoff(retry),
            };
            tracing::warn!(provider = %self.provider.name, retry = retry + 1, wait_ms = wait.as_millis() as u64, error = %err, "LLM call failed; retrying");
            tokio::time::sleep(wait).await;
            retry += 1;
        }
    }

    async fn attempt(&self, body: &serde_json::Value, model: &str) -> Attempt {
        let mut request = self
            .http
            .post(self.provider.endpoint())
            .timeout(self.provider.timeout)
            .json(body);
        if let Some(key) = &self.provider.api_key {
            request = request.bearer_auth(key.expose());
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => return Attempt::Retry(self.transport(e)),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, Utc::now()));
        let text = match read_body(response).await {
            Ok(t) => t,
            Err(e) => return Attempt::Retry(self.transport(e)),
        };
        if !(200..300).contains(&status) {
            let err = LlmError::Status {
                provider: self.provider.name.clone(),
                status,
                message: error_message(&text),
                retry_after,
            };
            return if retryable_status(status) {
                Attempt::Retry(err)
            } else {
                Attempt::Done(Err(err))
            };
        }
        Attempt::Done(
            wire::parse(&text, model).map_err(|reason| LlmError::Malformed {
                provider: self.provider.name.clone(),
                reason,
                raw: clipped(&text, KEEP),
            }),
        )
    }

    fn transport(&self, e: reqwest::Error) -> LlmError {
        if e.is_timeout() {
            LlmError::Timeout {
                provider: self.provider.name.clone(),
                timeout: self.provider.timeout,
            }
        } else {
            LlmError::Transport {
                provider: self.provider.name.clone(),
                message: clipped(&chain(&e.without_url()), KEEP),
            }
        }
    }
}

/// An error and its causes, joined (`error sending request: … : Connection refused`).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}

/// Reads the body, refusing one past [`MAX_BODY`].
async fn read_body(mut response: reqwest::Response) -> Result<String, reqwest::Error> {
    let mut buf = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if buf.len() + chunk.len() > MAX_BODY {
            buf.extend_from_slice(b"\n[answer longer than the limit: cut]");
            break;
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// The message in an error body (`{"error": {"message": …}}`), else the body, clipped.
fn error_message(text: &str) -> String {
    let msg = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("error").map(wire::error_text))
        .unwrap_or_else(|| text.trim().to_owned());
    clipped(&msg, KEEP)
}
