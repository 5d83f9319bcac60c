//! Providers and models: where to send calls (an OpenAI-compatible base URL and its key), which
//! model serves each purpose, what calls cost where the provider does not say, and the key
//! wrapper that never prints its value.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// OpenRouter's API, selected when `OPENROUTER_API_KEY` is the only LLM setting.
pub const OPENROUTER_BASE_URL: &str = "https://openrouter.ai/api/v1";
/// The model OpenRouter gets when none is named: its router picks one.
pub const OPENROUTER_DEFAULT_MODEL: &str = "openrouter/auto";

/// What a call is for; each purpose may use its own model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Purpose {
    /// Turning goals into plans.
    Planning,
    /// Editing code.
    Coding,
    /// Judging results against acceptance criteria.
    Judging,
    /// Agent tool loops (`agent`, `research`).
    Agent,
}

impl Purpose {
    /// Every purpose.
    pub const ALL: [Self; 4] = [Self::Planning, Self::Coding, Self::Judging, Self::Agent];

    /// Its name in config and in the cost ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planning => "planning",
            Self::Coding => "coding",
            Self::Judging => "judging",
            Self::Agent => "agent",
        }
    }

    /// The purpose named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// An API key. Its `Debug` and `Display` never show it; only the HTTP header gets it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key (surrounding whitespace, as in a key file's trailing newline, is dropped).
    pub fn new(key: &str) -> Self {
        Self(key.trim().to_owned())
    }

    /// The key, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// One OpenAI-compatible server.
#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    /// Its name in config (`openrouter`, `local`, …).
    pub name: String,
    /// Base URL, up to and including the version (`…/v1`); `/chat/completions` is appended.
    pub base_url: String,
    /// The key, if the server needs one.
    pub api_key: Option<ApiKey>,
    /// The model for purposes that name none.
    pub default_model: String,
    /// Models per purpose.
    pub models: BTreeMap<Purpose, String>,
    /// Longest a call may take, each attempt.
    pub timeout: Duration,
    /// Retries after the first attempt (429, 5xx, timeouts, broken connections).
    pub max_retries: u32,
    /// Ask for the call's cost in the answer (OpenRouter's `usage: {include: true}`).
    pub usage_include: bool,
}

impl Provider {
    /// A provider at `base_url` with defaults: 120 s per attempt, 3 retries; OpenRouter's
    /// cost reporting is asked for when the URL is OpenRouter's.
    pub fn new(name: &str, base_url: &str, default_model: &str) -> Self {
        Self {
            name: name.to_owned(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key: None,
            default_model: default_model.to_owned(),
            models: BTreeMap::new(),
            timeout: Duration::from_secs(120),
            max_retries: 3,
            usage_include: base_url.contains("openrouter.ai"),
        }
    }

    /// The model serving `purpose`.
    pub fn model_for(&self, purpose: Purpose) -> &str {
        self.models
            .get(&purpose)
            .map_or(self.default_model.as_str(), String::as_str)
    }

    /// The chat-completions endpoint.
    pub fn endpoint(&self) -> String {
        format!("{}/chat/completions", self.base_url)
    }
}

/// What one model costs, in USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelPrice {
    /// Per million input tokens.
    pub input_per_mtok: f64,
    /// Per million output tokens.
    pub output_per_mtok: f64,
}

impl ModelPrice {
    /// The cost of `tokens_in` and `tokens_out`.
    pub fn cost(&self, tokens_in: u64, tokens_out: u64) -> f64 {
        (tokens_in as f64 * self.input_per_mtok + tokens_out as f64 * self.output_per_mtok) / 1e6
    }
}

/// The price table, and what to hold for a model it does not list.
#[derive(Debug, Clone, PartialEq)]
pub struct Prices {
    /// Prices per model.
    pub models: BTreeMap<String, ModelPrice>,
    /// What to reserve before calling a model with no price (its real cost is then whatever the
    /// provider reports, else 0: a local server).
    pub unpriced_reserve_usd: f64,
}

impl Default for Prices {
    fn default() -> Self {
        Self {
            models: BTreeMap::new(),
            unpriced_reserve_usd: 0.01,
        }
    }
}

impl Prices {
    /// The price of `model`, if listed.
    pub fn get(&self, model: &str) -> Option<&ModelPrice> {
        self.models.get(model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_never_print() {
        let k = ApiKey::new("sk-secret\n");
        assert_eq!(k.expose(), "sk-secret");
        assert!(!format!("{k:?} {k}").contains("secret"));
        let mut p = Provider::new("x", "http://h/v1/", "m");
        p.api_key = Some(k);
        assert!(!format!("{p:?}").contains("sk-secret"));
        assert_eq!(p.endpoint(), "http://h/v1/chat/completions");
    }

    #[test]
    fn purposes_fall_back_to_the_default_model() {
        let mut p = Provider::new("openrouter", OPENROUTER_BASE_URL, "d");
        assert!(p.usage_include);
        p.models.insert(Purpose::Coding, "c".into());
        assert_eq!(p.model_for(Purpose::Coding), "c");
        assert_eq!(p.model_for(Purpose::Planning), "d");
        assert_eq!(Purpose::parse("judging"), Some(Purpose::Judging));
        assert_eq!(Purpose::parse("x"), None);
    }

    #[test]
    fn prices_per_million_tokens() {
        let p = ModelPrice {
            input_per_mtok: 3.0,
            output_per_mtok: 15.0,
        };
        assert!((p.cost(1_000_000, 100_000) - 4.5).abs() < 1e-9);
    }
}
