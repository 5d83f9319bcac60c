//! Slack and generic webhooks: one JSON `POST`, redirects not followed. Only a 2xx answer
//! counts as sent. Slack answers `ok` and no id, so the id is made from the body's hash and the
//! time; a webhook's id is its JSON answer's `id`, else its `X-Request-Id` header, else made
//! the same way. The URL is a secret: errors name the channel and its configuration key.

use super::Note;
use crate::client;
use crate::error::ConfigError;
use juggernaut_tools::ToolError;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};
use std::collections::BTreeMap;
use std::time::Duration;

/// The most bytes of an answer read.
const MAX_ANSWER: usize = 64 * 1024;

/// Which JSON a sink posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Slack,
    Webhook,
}

/// A webhook to post to.
#[derive(Clone)]
pub(super) struct PostSink {
    shape: Shape,
    url: Url,
    headers: HeaderMap,
    client: reqwest::Client,
    key: String,
    timeout: Duration,
}

impl PostSink {
    /// A sink posting `shape` to `url` for channel `channel`.
    pub(super) fn new(
        shape: Shape,
        channel: &str,
        url: &str,
        headers: &BTreeMap<String, String>,
        client: reqwest::Client,
        timeout: Duration,
    ) -> Result<Self, ConfigError> {
        let base = format!("tools.notify.channels.{channel}");
        let key = match shape {
            Shape::Slack => format!("{base}.webhook_url"),
            Shape::Webhook => format!("{base}.url"),
        };
        let url = Url::parse(url.trim())
            .map_err(|e| ConfigError::new(&key, format!("not an absolute URL: {e}")))?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                return Err(ConfigError::new(
                    &key,
                    "plain http would send the webhook's secret in clear: use https (http only \
                     to a loopback address)",
                ));
            }
            _ => return Err(ConfigError::new(&key, "must be an https URL")),
        }
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            let at = format!("{base}.headers.{name}");
            let n = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| ConfigError::new(&at, "not a header name"))?;
            let v = HeaderValue::from_str(value).map_err(|_| {
                ConfigError::new(&at, "the value holds characters a header cannot carry")
            })?;
            map.insert(n, v);
        }
        map.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Ok(Self {
            shape,
            url,
            headers: map,
            client,
            key,
            timeout,
        })
    }

    /// Posts `note`; the message's id once the endpoint answered 2xx.
    pub(super) async fn send(&self, note: &Note) -> Result<(String, u16), ToolError> {
        let payload = match self.shape {
            Shape::Slack => serde_json::json!({"text": note.slack_text()}),
            Shape::Webhook => serde_json::json!({
                "channel": note.channel,
                "subject": note.subject,
                "text": note.text,
                "fields": note.fields,
            }),
        };
        let body = serde_json::to_vec(&payload)
            .map_err(|e| ToolError::model(format!("cannot encode the message: {e}")))?;
        let channel = &note.channel;
        let fail = |e: reqwest::Error| {
            ToolError::transient(format!(
                "channel `{channel}`: {}",
                client::describe(e, &self.url, self.timeout)
            ))
        };
        let mut response = self
            .client
            .post(self.url.clone())
            .headers(self.headers.clone())
            .body(body.clone())
            .send()
            .await
            .map_err(fail)?;
        let status = response.status();
        let request_id = response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let answer = client::read_capped(&mut response, MAX_ANSWER)
            .await
            .map_err(fail)?;
        if !status.is_success() {
            return Err(self.status_error(channel, status, &answer.bytes));
        }
        let made = || {
            let prefix = match self.shape {
                Shape::Slack => "slack",
                Shape::Webhook => "webhook",
            };
            format!(
                "{prefix}:{}:{}",
                client::short_hash(&body),
                client::unix_ms()
            )
        };
        let id = match self.shape {
            Shape::Slack => made(),
            Shape::Webhook => json_id(&answer.bytes)
                .or(request_id.filter(|r| !r.trim().is_empty()))
                .unwrap_or_else(made),
        };
        Ok((id, status.as_u16()))
    }

    fn status_error(&self, channel: &str, status: StatusCode, answer: &[u8]) -> ToolError {
        let said = String::from_utf8_lossy(answer);
        let said = client::snippet(said.trim(), 200).replace(self.url.path(), "/***");
        let key = &self.key;
        match status.as_u16() {
            429 | 500..=599 => ToolError::transient(format!(
                "channel `{channel}`: the endpoint answered {status}; the message was not taken"
            )),
            300..=399 => ToolError::fatal(format!(
                "channel `{channel}`: the endpoint redirected ({status}); redirects are not \
                 followed, set `{key}` to the final URL"
            )),
            401 | 403 | 404 | 410 => ToolError::fatal(format!(
                "channel `{channel}`: the endpoint refused the message ({status} {said}); check `{key}`"
            )),
            _ => ToolError::model(format!(
                "channel `{channel}`: the endpoint refused the message ({status}): {said}"
            )),
        }
    }
}

/// The `id` of a JSON answer (a string or a number).
fn json_id(answer: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(answer).ok()?;
    match v.get("id")? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn ids_from_json_answers() {
        assert_eq!(json_id(br#"{"id":"m-1"}"#).as_deref(), Some("m-1"));
        assert_eq!(json_id(br#"{"id":42}"#).as_deref(), Some("42"));
        assert_eq!(json_id(br#"{"id":""}"#), None);
        assert_eq!(json_id(b"ok"), None);
    }

    #[test]
    fn plain_http_is_refused_off_loopback() {
        let c = reqwest::Client::new();
        let t = Duration::from_secs(1);
        let none = BTreeMap::new();
        let e = PostSink::new(
            Shape::Slack,
            "ops",
            "http://hooks.test/SECRET",
            &none,
            c.clone(),
            t,
        )
        .err()
        .unwrap();
        assert_eq!(e.key, "tools.notify.channels.ops.webhook_url");
        assert!(!e.to_string().contains("SECRET"), "{e}");
        assert!(PostSink::new(Shape::Slack, "ops", "http://127.0.0.1:9/x", &none, c, t).is_ok());
    }
}
