//! `http`: one HTTP request through the `http_request` tool (whose allowlist decides which hosts
//! may be reached), done when the answer has an expected status.
//!
//! Input ([`HttpInput`]): `{"method", "url", "headers"?, "body"?, "expect_status"?}`: a method
//! of GET, POST, PUT, PATCH, DELETE and HEAD; an absolute http(s) URL; a body only with POST,
//! PUT, PATCH or DELETE; expected statuses 100-599 (default: any 2xx). Anything else is refused
//! at enqueue, naming the field.
//!
//! An answer with another status fails the attempt with the status and a short excerpt of the
//! body: retryable for 429 and 5xx (after `Retry-After` when the server sent seconds), permanent
//! otherwise. A request that could not be made fails as the tool says.
//!
//! Result: `{"status", "url", "final_url", "call", "body"}` (the body as the tool read it, or an
//! excerpt when it is large). Evidence: the `ToolCall` and the tool's `HttpResponse`. The check:
//! an `HttpResponse` with an expected status, and the call the result names.

use crate::calls;
use async_trait::async_trait;
use juggernaut_core::Evidence;
use juggernaut_handler::{Done, Handler, HandlerError, InputSpec, Outcome, TaskContext, TaskInput};
use juggernaut_tools::Permission;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

/// What the request may need: `http_request` acts outside (any method), `Network` for a policy
/// that names it.
const ALLOWED: &[Permission] = &[Permission::Network, Permission::External];

/// Longest body kept in the result, serialised.
const MAX_RESULT_BODY: usize = 16 * 1024;

/// Characters of the body shown in a failure.
const EXCERPT: usize = 300;

/// The longest URL.
const MAX_URL: usize = 2000;

/// The `http` handler.
pub struct Http;

/// An HTTP method.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// PATCH.
    Patch,
    /// DELETE.
    Delete,
    /// HEAD.
    Head,
}

impl Method {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
            Self::Head => "HEAD",
        }
    }
}

/// `http`'s input.
#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpInput {
    /// GET, POST, PUT, PATCH, DELETE or HEAD.
    pub method: Method,
    /// An absolute http:// or https:// URL (its host must be allowed by `[tools.http]`).
    pub url: String,
    /// Request headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The body: a string is sent as text, anything else as JSON. Not with GET or HEAD.
    #[serde(default)]
    pub body: Option<Value>,
    /// The statuses that count as success (default: any 2xx).
    #[serde(default)]
    pub expect_status: Option<Vec<u16>>,
}

impl TaskInput for HttpInput {
    fn validate(&self) -> Result<(), String> {
        let url = self.url.trim();
        if !(url.starts_with("http://") || url.starts_with("https://"))
            || url.len() > MAX_URL
            || url.contains(char::is_whitespace)
        {
            return Err(format!(
                "`url`: must be an absolute http:// or https:// URL of at most {MAX_URL} bytes"
            ));
        }
        if self.body.is_some() && matches!(self.method, Method::Get | Method::Head) {
            return Err(format!(
                "`body`: a {} request carries no body; use POST, PUT, PATCH or DELETE",
                self.method.as_str()
            ));
        }
        if let Some(expected) = &self.expect_status {
            if expected.is_empty() || expected.len() > 100 {
                return Err(
                    "`expect_status`: give 1 to 100 statuses, or leave it out for any 2xx".into(),
                );
            }
            if let Some(bad) = expected.iter().find(|s| !(100..=599).contains(*s)) {
                return Err(format!(
                    "`expect_status`: {bad} is not an HTTP status (100-599)"
                ));
            }
        }
        Ok(())
    }
}

impl HttpInput {
    /// Whether `status` is what the input expects.
    pub fn expects(&self, status: u16) -> bool {
        match &self.expect_status {
            Some(list) => list.contains(&status),
            None => (200..300).contains(&status),
        }
    }

    fn expected_text(&self) -> String {
        match &self.expect_status {
            Some(list) => list
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            None => "2xx".into(),
        }
    }
}

/// The body as text, for an excerpt.
fn body_text(body: &Value) -> String {
    match body {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Seconds of a `Retry-After` header, when it gives seconds (at most an hour).
fn retry_after(content: &Value) -> Option<Duration> {
    let secs: u64 = content["headers"]["retry-after"]
        .as_str()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs.min(3600)))
}

#[async_trait]
impl Handler for Http {
    fn reach(&self, _input: &serde_json::Value) -> juggernaut_handler::gate::Reach {
        crate::reach::http()
    }

    fn kind(&self) -> &'static str {
        "http"
    }

    fn description(&self) -> &'static str {
        "sends one HTTP request to an allowed host; done when the status is the expected one"
    }

    fn input(&self) -> InputSpec {
        InputSpec::of::<HttpInput>()
    }

    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        let input: HttpInput = ctx
            .input()
            .map_err(|e| HandlerError::Permanent(format!("http input: {e}")))?;
        let mut args = json!({
            "method": input.method,
            "url": input.url.trim(),
            "headers": input.headers,
        });
        if let Some(body) = &input.body {
            args["body"] = body.clone();
        }
        let shown = juggernaut_store::url::redact(input.url.trim());
        let what = format!("{} {shown}", input.method.as_str());
        let called = calls::call(ctx, "http_request", args, ALLOWED, &what).await?;
        let content = &called.output.content;
        let status = content["status"]
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .ok_or_else(|| {
                HandlerError::Permanent(format!("{what}: the tool gave back no status"))
            })?;
        let body = content.get("body").cloned().unwrap_or(Value::Null);
        if !input.expects(status) {
            let message = format!(
                "{what} answered {status} (expected {}): {}",
                input.expected_text(),
                calls::head(body_text(&body).trim(), EXCERPT)
            );
            return Err(if status == 429 || status >= 500 {
                HandlerError::Retryable {
                    message,
                    retry_after: retry_after(content),
                }
            } else {
                HandlerError::Permanent(message)
            });
        }
        let body = if body.to_string().len() <= MAX_RESULT_BODY {
            body
        } else {
            Value::String(calls::head(&body_text(&body), MAX_RESULT_BODY / 4))
        };
        let result = json!({
            "status": status,
            "url": content["url"],
            "final_url": content["final_url"],
            "call": called.id.0,
            "body": body,
        });
        Ok(Outcome::done(result, called.all_evidence()))
    }

    async fn verify(&self, ctx: &TaskContext, done: &Done) -> Result<(), String> {
        let input: HttpInput = ctx.input().map_err(|e| format!("http input: {e}"))?;
        let call =
            calls::call_id(&done.result["call"]).ok_or("the result names no `call`".to_owned())?;
        calls::has_calls(done, [call.as_str()])?;
        let answered = done
            .evidence
            .iter()
            .any(|e| matches!(e, Evidence::HttpResponse { status, .. } if input.expects(*status)));
        if answered {
            Ok(())
        } else {
            Err(format!(
                "no HTTP response with an expected status ({}) in the evidence",
                input.expected_text()
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use juggernaut_handler::input::parse;

    #[test]
    fn statuses_are_expected_as_asked() {
        let any = parse::<HttpInput>(&json!({"method": "GET", "url": "http://a.test/"})).unwrap();
        assert!(any.expects(200) && any.expects(299) && !any.expects(301));
        assert_eq!(any.expected_text(), "2xx");
        let only =
            parse::<HttpInput>(&json!({"method": "DELETE", "url": "https://a.test/x", "body": 1, "expect_status": [404, 204]}))
                .unwrap();
        assert!(only.expects(404) && !only.expects(200));
        assert_eq!(only.expected_text(), "404, 204");
    }

    #[test]
    fn retry_after_is_read_in_seconds_and_bounded() {
        let at = |v: &str| retry_after(&json!({"headers": {"retry-after": v}}));
        assert_eq!(at("7"), Some(Duration::from_secs(7)));
        assert_eq!(at("999999"), Some(Duration::from_secs(3600)));
        assert_eq!(at("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(retry_after(&json!({})), None);
    }
}
