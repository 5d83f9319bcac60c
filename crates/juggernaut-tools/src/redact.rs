//! Secrets never reach the ledger, logs or prompts: a [`Redactor`] knows the secret values the
//! configuration loaded (API keys, tokens, passwords) and the argument names that carry secrets,
//! and replaces them with `[redacted]` in what is recorded.

use serde_json::Value;

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// Shortest value treated as a secret (shorter ones would redact ordinary words).
const MIN_SECRET: usize = 6;

/// Argument names whose values are secrets whatever they hold.
const SECRET_KEYS: [&str; 9] = [
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "authorization",
    "cookie",
    "private_key",
];

/// Replaces known secret values and secret-named fields.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    /// A redactor of these secret values (short or empty ones are ignored).
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .filter(|s| s.chars().count() >= MIN_SECRET)
            .collect();
        // Longest first, so a secret that contains another is replaced whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Self { secrets }
    }

    /// Adds secret values.
    pub fn with(mut self, more: impl IntoIterator<Item = String>) -> Self {
        let mut all = std::mem::take(&mut self.secrets);
        all.extend(more);
        Self::new(all)
    }

    /// The text with every known secret replaced.
    pub fn text(&self, s: &str) -> String {
        let mut out = s.to_owned();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
        out
    }

    /// The JSON value with known secrets replaced everywhere and secret-named fields blanked.
    pub fn json(&self, v: &Value) -> Value {
        match v {
            Value::String(s) if looks_like_url(s) => {
                Value::String(self.text(&juggernaut_store::url::redact(s)))
            }
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(items) => Value::Array(items.iter().map(|i| self.json(i)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let v = if is_secret_key(k) && !v.is_null() {
                            Value::String(REDACTED.into())
                        } else {
                            self.json(v)
                        };
                        (self.text(k), v)
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// A string that is one URL (its user information and secret-named query parameters are
/// hidden even when the configuration did not know them).
fn looks_like_url(s: &str) -> bool {
    s.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+')
    }) && !s.contains(char::is_whitespace)
}

/// Whether a field's name says it holds a secret.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase().replace('-', "_");
    SECRET_KEYS
        .iter()
        .any(|s| k == *s || k.ends_with(&format!("_{s}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_replaced_everywhere() {
        let r = Redactor::new(["sk-live-123456".to_owned(), "abc".to_owned()]);
        let v = json!({
            "url": "https://x/?key=sk-live-123456",
            "headers": {"Authorization": "Bearer zzz", "X-Api-Key": "q"},
            "github_token": "ghp_1",
            "list": ["sk-live-123456", 3],
            "note": "abc stays: too short to be a secret"
        });
        let out = r.json(&v);
        let text = out.to_string();
        assert!(
            !text.contains("sk-live-123456") && !text.contains("zzz") && !text.contains("ghp_1")
        );
        assert_eq!(out["headers"]["X-Api-Key"], REDACTED);
        assert_eq!(out["note"], v["note"]);
        assert_eq!(out["list"][1], 3);
        let url = r.json(&json!({"url": "https://api.x/v1?api_key=abc123&q=1"}));
        assert_eq!(url["url"], "https://api.x/v1?api_key=***&q=1");
        let creds = r.json(&json!(["postgres://bob:pw@db/x", "see https://x/ now"]));
        assert_eq!(creds[0], "postgres://bob:***@db/x");
        assert_eq!(creds[1], "see https://x/ now");
    }
}
