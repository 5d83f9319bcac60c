//! `[sources.NAME]` and `[sampler]`: the data sources goals' metric queries run on (opened
//! read-only), and how the leader's sampler reads every metric.
//!
//! ```toml
//! [sources.shop]
//! url = "sqlite://shop.db"           # a file, relative to the config file's folder
//! [sources.crm]
//! url_env = "CRM_DATABASE_URL"       # the URL (and its password) from the environment
//! [sampler]
//! interval_secs = 60                 # how often every metric is read (1-86400)
//! timeout_secs = 10                  # most time one read may take (1-300)
//! ```
//!
//! A `url_env` is read when a command needs the sources (`up`, `worker`), not when the file is
//! loaded, so other commands run without the secret.

use super::bounded;
use crate::exit::BadInput;
use juggernaut_engine::node::SamplerConfig;
use juggernaut_sources::SourceConfig;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `[sources.NAME]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    url: Option<String>,
    url_env: Option<String>,
}

/// `[sampler]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSampler {
    interval_secs: Option<u64>,
    timeout_secs: Option<u64>,
}

/// Where a source's URL comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceUrl {
    /// Written in the file (a relative SQLite path already resolved).
    Url(String),
    /// Read from this environment variable.
    Env(String),
}

/// The data sources and the sampler's settings, validated.
#[derive(Debug, Clone)]
pub struct Sources {
    /// Each source's URL, by name.
    pub named: BTreeMap<String, SourceUrl>,
    /// The sampler loop's pacing.
    pub sampler: SamplerConfig,
    /// Most time one read may take.
    pub timeout: Duration,
    /// The config file's folder (relative SQLite paths from the environment resolve here too).
    base: PathBuf,
}

/// Checks `[sources.*]` and `[sampler]`, naming the source or key that is wrong.
pub fn validate(
    raw: BTreeMap<String, RawSource>,
    sampler: RawSampler,
    base: &Path,
    file: &str,
) -> anyhow::Result<Sources> {
    let mut named = BTreeMap::new();
    for (name, s) in raw {
        let bad = |reason: String| BadInput(format!("{file}: [sources.{name}]: {reason}"));
        let url = match (s.url, s.url_env) {
            (Some(url), None) => {
                let url = resolved(&url, base);
                checked(&name, &url).map_err(bad)?;
                SourceUrl::Url(url)
            }
            (None, Some(var)) if is_env_name(&var) => SourceUrl::Env(var),
            (None, Some(var)) => {
                return Err(bad(format!(
                    "url_env `{}` is not an environment variable name",
                    var.escape_debug()
                ))
                .into());
            }
            _ => return Err(bad("give exactly one of `url` and `url_env`".into()).into()),
        };
        named.insert(name, url);
    }
    let interval = bounded(
        "sampler.interval_secs",
        sampler.interval_secs,
        SamplerConfig::default().interval.as_secs(),
        (1, 86_400),
        file,
    )?;
    let timeout = bounded(
        "sampler.timeout_secs",
        sampler.timeout_secs,
        10,
        (1, 300),
        file,
    )?;
    Ok(Sources {
        named,
        sampler: SamplerConfig {
            interval: Duration::from_secs(interval),
            ..SamplerConfig::default()
        },
        timeout: Duration::from_secs(timeout),
        base: base.to_path_buf(),
    })
}

impl Sources {
    /// Every source's URL, reading each `url_env` now; an unset or bad one is refused naming
    /// the source and the variable (never the value).
    pub fn resolve(&self) -> anyhow::Result<BTreeMap<String, SourceConfig>> {
        let mut out = BTreeMap::new();
        for (name, url) in &self.named {
            let url = match url {
                SourceUrl::Url(u) => u.clone(),
                SourceUrl::Env(var) => {
                    let value = std::env::var(var).map_err(|_| {
                        BadInput(format!(
                            "data source `{name}`: the environment variable {var} (its url_env) is not set"
                        ))
                    })?;
                    let url = resolved(value.trim(), &self.base);
                    checked(name, &url).map_err(|e| {
                        BadInput(format!("{e} (from the environment variable {var})"))
                    })?;
                    url
                }
            };
            out.insert(name.clone(), SourceConfig { url });
        }
        Ok(out)
    }

    /// The configured names, comma-separated (or `none`).
    pub fn listed(&self) -> String {
        if self.named.is_empty() {
            return "none".into();
        }
        self.named.keys().cloned().collect::<Vec<_>>().join(", ")
    }
}

/// A relative SQLite path taken from `base`; any other URL as it is.
fn resolved(url: &str, base: &Path) -> String {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"));
    match path {
        Some(p) if !p.is_empty() && !p.starts_with(':') && Path::new(p).is_relative() => {
            format!("sqlite://{}", base.join(p).display())
        }
        _ => url.to_owned(),
    }
}

fn checked(name: &str, url: &str) -> Result<(), String> {
    SourceConfig { url: url.into() }
        .check(name)
        .map_err(|e| e.to_string())
}

fn is_env_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 128 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Both {
        #[serde(default)]
        sources: BTreeMap<String, RawSource>,
        #[serde(default)]
        sampler: RawSampler,
    }

    fn parse(text: &str) -> anyhow::Result<Sources> {
        let raw: Both = toml::from_str(text).map_err(|e| BadInput(e.to_string()))?;
        validate(raw.sources, raw.sampler, Path::new("/etc/j"), "test.toml")
    }

    #[test]
    fn sources_resolve_relative_files_and_keep_secrets_in_the_environment() {
        let s = parse(
            "[sources.shop]\nurl = \"sqlite://data/shop.db\"\n[sources.abs]\nurl = \"sqlite:///srv/a.db\"\n\
             [sources.crm]\nurl_env = \"JG_TEST_UNSET_CRM_URL\"\n[sampler]\ninterval_secs = 5\n",
        )
        .unwrap();
        assert_eq!(
            s.named["shop"],
            SourceUrl::Url("sqlite:///etc/j/data/shop.db".into())
        );
        assert_eq!(s.named["abs"], SourceUrl::Url("sqlite:///srv/a.db".into()));
        assert_eq!(
            s.named["crm"],
            SourceUrl::Env("JG_TEST_UNSET_CRM_URL".into())
        );
        assert_eq!((s.sampler.interval.as_secs(), s.timeout.as_secs()), (5, 10));
        assert_eq!(s.listed(), "abs, crm, shop");
        let unset = s.resolve().unwrap_err().to_string();
        assert!(
            unset.contains("data source `crm`") && unset.contains("JG_TEST_UNSET_CRM_URL"),
            "{unset}"
        );
        let d = parse("").unwrap();
        assert_eq!(
            (d.sampler.interval.as_secs(), d.listed()),
            (60, "none".into())
        );
        assert!(d.resolve().unwrap().is_empty());
    }

    #[test]
    fn bad_sources_are_named() {
        let err = |text: &str| parse(text).unwrap_err().to_string();
        let scheme = err("[sources.shop]\nurl = \"mysql://u:S3cret@h/db\"\n");
        assert!(scheme.contains("[sources.shop]") && scheme.contains("unknown URL scheme"));
        assert!(!scheme.contains("S3cret"), "{scheme}");
        assert!(err("[sources.shop]\n").contains("exactly one of `url` and `url_env`"));
        assert!(
            err("[sources.shop]\nurl = \"sqlite://a.db\"\nurl_env = \"X\"\n")
                .contains("exactly one")
        );
        assert!(
            err("[sources.shop]\nurl_env = \"NOT A NAME\"\n")
                .contains("not an environment variable name")
        );
        assert!(err("[sources.Shop]\nurl = \"sqlite://a.db\"\n").contains("source name"));
        assert!(
            err("[sources.shop]\nurl = \"sqlite://a.db\"\npassword = \"x\"\n").contains("password")
        );
        assert!(err("[sampler]\ninterval_secs = 0\n").contains("sampler.interval_secs"));
        assert!(err("[sampler]\ntimeout_secs = 301\n").contains("sampler.timeout_secs"));
    }
}
