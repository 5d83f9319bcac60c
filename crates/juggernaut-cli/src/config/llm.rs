//! `[llm]` and `[budgets]`: the OpenAI-compatible providers, which one plans, the model per
//! purpose, the price table, and the money limits every call is checked against. Keys come only
//! from the environment or a file (`api_key_env`, `api_key_file`), never from the config file.
//! `JUGGERNAUT_LLM_BASE_URL` selects a server (with `JUGGERNAUT_LLM_API_KEY` and
//! `JUGGERNAUT_LLM_MODEL`, which mean nothing without it) and wins over the file's providers;
//! `OPENROUTER_API_KEY` alone selects OpenRouter (SPEC §3a).
//!
//! ```toml
//! [llm]
//! provider = "local"               # which provider serves calls (default: the only one)
//! unpriced_reserve_usd = 0.01      # held before a call to a model with no price
//!
//! [llm.providers.local]
//! base_url = "http://127.0.0.1:11434/v1"
//! model = "llama3.1"               # the default model
//! api_key_env = "LOCAL_LLM_KEY"    # or api_key_file = "/run/secrets/llm"
//! timeout_secs = 120
//! max_retries = 3
//!
//! [llm.models]                     # a model per purpose (planning, coding, judging)
//! planning = "llama3.1:70b"
//!
//! [llm.prices."llama3.1:70b"]      # USD per million tokens, where the provider reports no cost
//! input_per_mtok = 0.5
//! output_per_mtok = 1.5
//!
//! [budgets]
//! day_usd = 20                     # all spending in one UTC day
//! model_day_usd = 10               # spending on one model in one UTC day
//! ```

use super::bounded;
use crate::exit::BadInput;
use juggernaut_llm::config::{OPENROUTER_BASE_URL, OPENROUTER_DEFAULT_MODEL};
use juggernaut_llm::{ApiKey, ModelPrice, Prices, Provider, Purpose};
use juggernaut_store::Limits;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `[llm]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLlm {
    provider: Option<String>,
    unpriced_reserve_usd: Option<f64>,
    #[serde(default)]
    providers: BTreeMap<String, RawProvider>,
    #[serde(default)]
    models: BTreeMap<String, String>,
    #[serde(default)]
    prices: BTreeMap<String, RawPrice>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvider {
    base_url: String,
    model: String,
    api_key_env: Option<String>,
    api_key_file: Option<PathBuf>,
    timeout_secs: Option<u64>,
    max_retries: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrice {
    input_per_mtok: f64,
    output_per_mtok: f64,
}

/// `[budgets]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBudgets {
    day_usd: Option<f64>,
    model_day_usd: Option<f64>,
}

/// The LLM settings: the provider that serves calls (if any), prices and limits.
#[derive(Debug, Clone, Default)]
pub struct Llm {
    /// The provider, `None` when no LLM is configured.
    pub provider: Option<Provider>,
    /// The price table.
    pub prices: Prices,
    /// Day and per-model day limits.
    pub limits: Limits,
}

/// The LLM variables of the environment (read by the caller, so this stays testable).
#[derive(Debug, Clone, Default)]
pub struct LlmEnv {
    /// `JUGGERNAUT_LLM_BASE_URL`.
    pub base_url: Option<String>,
    /// `JUGGERNAUT_LLM_API_KEY`.
    pub api_key: Option<String>,
    /// `JUGGERNAUT_LLM_MODEL`.
    pub model: Option<String>,
    /// `OPENROUTER_API_KEY`.
    pub openrouter_key: Option<String>,
}

impl LlmEnv {
    /// Reads the process environment (empty values count as unset).
    pub fn from_process() -> Self {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        Self {
            base_url: get("JUGGERNAUT_LLM_BASE_URL"),
            api_key: get("JUGGERNAUT_LLM_API_KEY"),
            model: get("JUGGERNAUT_LLM_MODEL"),
            openrouter_key: get("OPENROUTER_API_KEY"),
        }
    }
}

fn money(name: &str, v: Option<f64>, file: &str) -> anyhow::Result<Option<f64>> {
    match v {
        Some(x) if !(x.is_finite() && (0.0..=1e6).contains(&x)) => Err(BadInput(format!(
            "{file}: `{name}` = {x} is out of range: use 0 to 1000000 (USD)"
        ))
        .into()),
        other => Ok(other),
    }
}

impl RawBudgets {
    /// Checks the limits.
    pub fn validate(self, file: &str) -> anyhow::Result<Limits> {
        Ok(Limits {
            day_usd: money("budgets.day_usd", self.day_usd, file)?,
            item_day_usd: money("budgets.model_day_usd", self.model_day_usd, file)?,
        })
    }
}

impl RawLlm {
    /// Checks every key and picks the provider: the environment's, else `[llm] provider` (or
    /// the only one), else OpenRouter when `OPENROUTER_API_KEY` is set, else none.
    pub fn validate(self, env: &LlmEnv, base: &Path, file: &str) -> anyhow::Result<Llm> {
        let bad = |m: String| anyhow::Error::from(BadInput(format!("{file}: {m}")));
        let mut prices = Prices::default();
        if let Some(r) = money("llm.unpriced_reserve_usd", self.unpriced_reserve_usd, file)? {
            prices.unpriced_reserve_usd = r;
        }
        for (model, p) in self.prices {
            let name = format!("llm.prices.\"{model}\"");
            money(
                &format!("{name}.input_per_mtok"),
                Some(p.input_per_mtok),
                file,
            )?;
            money(
                &format!("{name}.output_per_mtok"),
                Some(p.output_per_mtok),
                file,
            )?;
            prices.models.insert(
                model,
                ModelPrice {
                    input_per_mtok: p.input_per_mtok,
                    output_per_mtok: p.output_per_mtok,
                },
            );
        }
        let mut models = BTreeMap::new();
        for (purpose, model) in self.models {
            check_model(&format!("llm.models.{purpose}"), &model, file)?;
            let p = Purpose::parse(&purpose).ok_or_else(|| {
                bad(format!(
                    "unknown purpose `{purpose}` in [llm.models] (known: planning, coding, judging)"
                ))
            })?;
            models.insert(p, model);
        }
        let mut providers = BTreeMap::new();
        for (name, raw) in self.providers {
            providers.insert(name.clone(), raw.provider(&name, base, file)?);
        }
        if let Some(m) = &env.model {
            check_model("JUGGERNAUT_LLM_MODEL", m, "the environment")?;
        }
        let chosen = match (&env.base_url, &self.provider) {
            (Some(url), _) => Some(env_provider(url, env)),
            (None, Some(name)) => Some(providers.remove(name).ok_or_else(|| {
                bad(format!(
                    "[llm] provider = \"{name}\" names no [llm.providers.{name}] table"
                ))
            })?),
            (None, None) if providers.len() == 1 => providers.into_values().next(),
            (None, None) if providers.len() > 1 => {
                return Err(bad(format!(
                    "[llm] has {} providers: say which serves calls with `provider = \"NAME\"`",
                    providers.len()
                )));
            }
            (None, None) => env.openrouter_key.as_deref().map(|key| {
                let model = env.model.as_deref().unwrap_or(OPENROUTER_DEFAULT_MODEL);
                let mut p = Provider::new("openrouter", OPENROUTER_BASE_URL, model);
                p.api_key = Some(ApiKey::new(key));
                p
            }),
        };
        let provider = chosen.map(|mut p| {
            p.models.extend(models);
            p
        });
        Ok(Llm {
            provider,
            prices,
            limits: Limits::default(),
        })
    }
}

/// A model name the cost ledger can keep: 1-200 bytes, not blank.
fn check_model(name: &str, model: &str, file: &str) -> anyhow::Result<()> {
    if model.trim().is_empty() || model.len() > 200 {
        return Err(BadInput(format!("{file}: `{name}` must name a model (1-200 bytes)")).into());
    }
    Ok(())
}

fn env_provider(url: &str, env: &LlmEnv) -> Provider {
    let model = env.model.as_deref().unwrap_or("default");
    let mut p = Provider::new("env", url, model);
    p.api_key = env.api_key.as_deref().map(ApiKey::new);
    p
}

impl RawProvider {
    fn provider(self, name: &str, base: &Path, file: &str) -> anyhow::Result<Provider> {
        let at = format!("llm.providers.{name}");
        let bad = |m: String| anyhow::Error::from(BadInput(format!("{file}: [{at}] {m}")));
        if !(self.base_url.starts_with("http://") || self.base_url.starts_with("https://")) {
            return Err(bad("base_url must start with http:// or https://".into()));
        }
        check_model(&format!("{at}.model"), &self.model, file)?;
        let mut p = Provider::new(name, &self.base_url, &self.model);
        p.timeout = Duration::from_secs(bounded(
            &format!("{at}.timeout_secs"),
            self.timeout_secs,
            120,
            (1, 3600),
            file,
        )?);
        p.max_retries = u32::try_from(bounded(
            &format!("{at}.max_retries"),
            self.max_retries,
            3,
            (0, 10),
            file,
        )?)
        .unwrap_or(3);
        p.api_key = super::secret::read(
            self.api_key_env.as_deref(),
            self.api_key_file.as_deref(),
            base,
            "api_key_env",
            "api_key_file",
        )
        .map_err(bad)?
        .map(|key| ApiKey::new(&key));
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `[llm]` part of a config file.
    #[derive(Deserialize)]
    struct File {
        #[serde(default)]
        llm: RawLlm,
    }

    fn raw(text: &str) -> anyhow::Result<RawLlm> {
        Ok(toml::from_str::<File>(text)?.llm)
    }

    fn llm(text: &str, env: &LlmEnv) -> anyhow::Result<Llm> {
        raw(text)?.validate(env, Path::new("/etc/j"), "test.toml")
    }

    const TWO: &str = "[llm.providers.a]\nbase_url = \"http://a/v1\"\nmodel = \"ma\"\n\
                       [llm.providers.b]\nbase_url = \"http://b/v1\"\nmodel = \"mb\"\n";

    #[test]
    fn nothing_configured_is_no_provider() {
        assert!(llm("", &LlmEnv::default()).unwrap().provider.is_none());
    }

    #[test]
    fn the_environment_selects_a_server_or_openrouter() {
        let env = LlmEnv {
            base_url: Some("http://127.0.0.1:9/v1".into()),
            api_key: Some("k".into()),
            model: Some("m".into()),
            openrouter_key: Some("or".into()),
        };
        let p = llm(TWO, &env).unwrap().provider.unwrap();
        assert_eq!(
            (p.base_url.as_str(), p.default_model.as_str()),
            ("http://127.0.0.1:9/v1", "m")
        );
        assert_eq!(p.api_key.unwrap().expose(), "k");
        let env = LlmEnv {
            openrouter_key: Some("or-key".into()),
            ..LlmEnv::default()
        };
        let p = llm("[llm.models]\nplanning = \"big\"\n", &env)
            .unwrap()
            .provider
            .unwrap();
        assert_eq!(p.base_url, OPENROUTER_BASE_URL);
        assert!(p.usage_include);
        assert_eq!(p.model_for(Purpose::Planning), "big");
        assert_eq!(p.model_for(Purpose::Coding), OPENROUTER_DEFAULT_MODEL);
    }

    #[test]
    fn file_providers_are_chosen_and_checked() {
        let err = |text: &str| llm(text, &LlmEnv::default()).unwrap_err().to_string();
        assert!(err(TWO).contains("say which serves calls"));
        let p = llm(
            &format!("[llm]\nprovider = \"b\"\n{TWO}"),
            &LlmEnv::default(),
        )
        .unwrap()
        .provider
        .unwrap();
        assert_eq!((p.name.as_str(), p.default_model.as_str()), ("b", "mb"));
        assert!(err("[llm]\nprovider = \"zz\"\n").contains("[llm.providers.zz]"));
        assert!(
            err("[llm.providers.x]\nbase_url = \"ftp://x\"\nmodel = \"m\"\n").contains("base_url")
        );
        assert!(
            err("[llm.providers.x]\nbase_url = \"http://x\"\nmodel = \"m\"\napi_key = \"sk\"\n")
                .contains("api_key")
        );
        assert!(
            err("[llm.providers.x]\nbase_url = \"http://x\"\nmodel = \"m\"\napi_key_env = \"JUGGERNAUT_TEST_SURELY_UNSET\"\n")
                .contains("JUGGERNAUT_TEST_SURELY_UNSET (api_key_env) is not set")
        );
        assert!(err("[llm.models]\nsinging = \"m\"\n").contains("unknown purpose `singing`"));
        assert!(err("[llm.models]\nplanning = \" \"\n").contains("must name a model"));
        assert!(
            err("[llm.prices.m]\ninput_per_mtok = -1\noutput_per_mtok = 1\n")
                .contains("out of range")
        );
    }

    #[test]
    fn keys_come_from_files_and_prices_from_the_table() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("key"), "sk-from-file\n").unwrap();
        let text = "[llm]\nunpriced_reserve_usd = 0.5\n[llm.providers.x]\nbase_url = \"http://x/v1\"\nmodel = \"m\"\napi_key_file = \"key\"\n[llm.prices.m]\ninput_per_mtok = 1\noutput_per_mtok = 2\n";
        let l = raw(text)
            .unwrap()
            .validate(&LlmEnv::default(), dir.path(), "t.toml")
            .unwrap();
        assert_eq!(
            l.provider.unwrap().api_key.unwrap().expose(),
            "sk-from-file"
        );
        assert_eq!(l.prices.unpriced_reserve_usd, 0.5);
        assert_eq!(l.prices.get("m").unwrap().output_per_mtok, 2.0);
        let b: RawBudgets = toml::from_str("day_usd = 5\nmodel_day_usd = 2\n").unwrap();
        let limits = b.validate("t.toml").unwrap();
        assert_eq!(
            (limits.day_usd, limits.item_day_usd),
            (Some(5.0), Some(2.0))
        );
        let b: RawBudgets = toml::from_str("day_usd = -5\n").unwrap();
        assert!(
            b.validate("t.toml")
                .unwrap_err()
                .to_string()
                .contains("budgets.day_usd")
        );
    }
}
