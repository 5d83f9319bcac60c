//! `[tools.notify]`: the channels `notify` may send on. Webhook URLs (Slack's carry their
//! secret in the path), webhook headers and SMTP passwords are secrets: [`Channel`]'s `Debug`
//! shows none of them.

use juggernaut_store::url::redact;
use serde::Deserialize;
use std::collections::BTreeMap;

/// `[tools.notify]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotifyConfig {
    /// The channels by name (`[tools.notify.channels.NAME]`).
    pub channels: BTreeMap<String, Channel>,
    /// Time limit for sending one message, in seconds.
    pub timeout_secs: u64,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            channels: BTreeMap::new(),
            timeout_secs: 30,
        }
    }
}

/// One channel, chosen by `type = "slack" | "webhook" | "email"`.
#[derive(Clone, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum Channel {
    /// A Slack incoming webhook.
    Slack {
        /// The webhook's URL (a secret).
        webhook_url: String,
    },
    /// A generic JSON webhook: `POST {channel, subject, text, fields}`.
    Webhook {
        /// Where to post (may carry a secret).
        url: String,
        /// Headers sent with every post (e.g. an authorization token; secrets).
        #[serde(default)]
        headers: BTreeMap<String, String>,
    },
    /// Email over SMTP.
    Email {
        /// `smtp://host:port` (no TLS), `smtp://host?tls=required` (STARTTLS) or
        /// `smtps://user:pass@host` (TLS); credentials as user information.
        smtp_url: String,
        /// The sender address.
        from: String,
        /// The recipients.
        to: Vec<String>,
    },
}

impl Channel {
    /// `slack`, `webhook` or `email`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Slack { .. } => "slack",
            Self::Webhook { .. } => "webhook",
            Self::Email { .. } => "email",
        }
    }
}

impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Slack { .. } => f
                .debug_struct("Slack")
                .field("webhook_url", &"***")
                .finish(),
            Self::Webhook { url, headers } => f
                .debug_struct("Webhook")
                .field("url", &origin_only(url))
                .field("headers", &headers.keys().collect::<Vec<_>>())
                .finish(),
            Self::Email { smtp_url, from, to } => f
                .debug_struct("Email")
                .field("smtp_url", &redact(smtp_url))
                .field("from", from)
                .field("to", to)
                .finish(),
        }
    }
}

/// `scheme://host:port/***`: a URL without the path and query that may hold its secret.
pub(crate) fn origin_only(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!("{}/***", u.origin().ascii_serialization()),
        Err(_) => "***".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn toml_shaped_config_reads_and_debug_hides_secrets() {
        let cfg: NotifyConfig = serde_json::from_value(serde_json::json!({
            "channels": {
                "ops": {"type": "slack", "webhook_url": "https://hooks.slack.test/services/T/B/SECRET1"},
                "hook": {"type": "webhook", "url": "https://h.test/in/SECRET2",
                         "headers": {"Authorization": "Bearer SECRET3"}},
                "mail": {"type": "email", "smtp_url": "smtps://bob:SECRET4@mail.test",
                         "from": "j@x.test", "to": ["a@x.test"]},
            }
        }))
        .unwrap();
        let shown = format!("{cfg:?}");
        for s in ["SECRET1", "SECRET2", "SECRET3", "SECRET4"] {
            assert!(!shown.contains(s), "{shown}");
        }
        assert!(shown.contains("h.test"), "{shown}");
        let bad = serde_json::from_value::<NotifyConfig>(serde_json::json!({
            "channels": {"x": {"type": "slack", "webhook_url": "https://a", "extra": 1}}
        }));
        assert!(bad.is_err());
    }
}
