//! Configuration: `juggernaut.toml` parsed raw (unknown keys refused), then validated into a typed
//! config; flags and `JUGGERNAUT_*` environment variables override the file.

use crate::exit::BadInput;
use juggernaut_core::worker::Role;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

/// The default listen address (SPEC §3a).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7777";

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    database_url: Option<String>,
    listen: Option<String>,
    #[serde(default)]
    engine: RawEngine,
    #[serde(default)]
    roles: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    watchdog: RawWatchdog,
    #[serde(default)]
    retention: RawRetention,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEngine {
    concurrency: Option<u32>,
    lease_secs: Option<u64>,
    poll_ms: Option<u64>,
    shutdown_grace_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWatchdog {
    worker_lost_after_secs: Option<u64>,
    max_run_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRetention {
    terminal_days: Option<u64>,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Database URL from the file, if any (flags and environment win).
    pub database_url: Option<String>,
    /// HTTP listen address.
    pub listen: SocketAddr,
    /// Slots per process.
    pub concurrency: u32,
    /// Lease length.
    pub lease: Duration,
    /// Poll fallback.
    pub poll: Duration,
    /// Shutdown grace.
    pub shutdown_grace: Duration,
    /// Kinds per role.
    pub roles: BTreeMap<Role, Vec<String>>,
    /// Silent this long: lost.
    pub worker_lost_after: Duration,
    /// Attempts longer than this fail.
    pub max_run: Duration,
    /// Terminal tasks kept this long.
    pub retention: Duration,
}

fn positive(name: &str, v: Option<u64>, default: u64, file: &str) -> anyhow::Result<u64> {
    match v {
        Some(0) => Err(BadInput(format!("{file}: `{name}` must be at least 1")).into()),
        Some(n) => Ok(n),
        None => Ok(default),
    }
}

fn role(name: &str, file: &str) -> anyhow::Result<Role> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).map_err(|_| {
        BadInput(format!(
            "{file}: unknown role `{name}` in [roles] (known: executor, strategist, analyst, orchestrator, watchdog)"
        ))
        .into()
    })
}

impl Config {
    /// Loads `path` (or `./juggernaut.toml` if present, else defaults) and applies overrides.
    pub fn load(
        path: Option<&Path>,
        listen: Option<&str>,
        concurrency: Option<u32>,
    ) -> anyhow::Result<Self> {
        let default_path = Path::new("juggernaut.toml");
        let (raw, file) = match path {
            Some(p) => (read(p)?, p.display().to_string()),
            None if default_path.exists() => (read(default_path)?, "juggernaut.toml".to_owned()),
            None => (Raw::default(), "defaults".to_owned()),
        };
        Self::validate(raw, &file, listen, concurrency)
    }

    fn validate(
        raw: Raw,
        file: &str,
        listen: Option<&str>,
        concurrency: Option<u32>,
    ) -> anyhow::Result<Self> {
        let listen_text = listen
            .map(str::to_owned)
            .or(raw.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen = listen_text.parse().map_err(|_| {
            BadInput(format!(
                "invalid listen address `{listen_text}`: use HOST:PORT such as {DEFAULT_LISTEN}"
            ))
        })?;
        let concurrency = concurrency.or(raw.engine.concurrency).unwrap_or(16);
        if !(1..=1024).contains(&concurrency) {
            return Err(BadInput(format!("concurrency {concurrency} is outside 1-1024")).into());
        }
        let mut roles: BTreeMap<Role, Vec<String>> = Role::ALL
            .iter()
            .map(|r| {
                (
                    *r,
                    r.default_kinds().iter().map(|k| (*k).to_owned()).collect(),
                )
            })
            .collect();
        for (name, kinds) in raw.roles {
            roles.insert(role(&name, file)?, kinds);
        }
        Ok(Self {
            database_url: raw.database_url,
            listen,
            concurrency,
            lease: Duration::from_secs(positive(
                "engine.lease_secs",
                raw.engine.lease_secs,
                30,
                file,
            )?),
            poll: Duration::from_millis(positive(
                "engine.poll_ms",
                raw.engine.poll_ms,
                1000,
                file,
            )?),
            shutdown_grace: Duration::from_secs(positive(
                "engine.shutdown_grace_secs",
                raw.engine.shutdown_grace_secs,
                30,
                file,
            )?),
            roles,
            worker_lost_after: Duration::from_secs(positive(
                "watchdog.worker_lost_after_secs",
                raw.watchdog.worker_lost_after_secs,
                6,
                file,
            )?),
            max_run: Duration::from_secs(positive(
                "watchdog.max_run_secs",
                raw.watchdog.max_run_secs,
                3600,
                file,
            )?),
            retention: Duration::from_secs(
                86_400
                    * positive(
                        "retention.terminal_days",
                        raw.retention.terminal_days,
                        30,
                        file,
                    )?,
            ),
        })
    }

    /// The kinds the given roles serve.
    pub fn kinds_of(&self, roles: &[Role]) -> Vec<String> {
        let mut kinds: Vec<String> = roles
            .iter()
            .flat_map(|r| self.roles.get(r).cloned().unwrap_or_default())
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }
}

fn read(path: &Path) -> anyhow::Result<Raw> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| BadInput(format!("cannot read config {}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| BadInput(format!("config {}: {e}", path.display())).into())
}

/// Parses `executor,analyst` into roles.
pub fn parse_roles(list: &str) -> anyhow::Result<Vec<Role>> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|r| role(r, "--roles"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> anyhow::Result<Config> {
        Config::validate(
            toml::from_str(text).map_err(|e| BadInput(e.to_string()))?,
            "test.toml",
            None,
            None,
        )
    }

    #[test]
    fn defaults_and_overrides() {
        let c = parse("").unwrap();
        assert_eq!(c.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(c.concurrency, 16);
        assert!(c.kinds_of(&[Role::Executor]).contains(&"noop".to_owned()));
        let c = parse("listen = \"127.0.0.1:9000\"\n[engine]\nconcurrency = 4\n[roles]\nexecutor = [\"noop\"]\n").unwrap();
        assert_eq!((c.listen.port(), c.concurrency), (9000, 4));
        assert_eq!(c.kinds_of(&[Role::Executor]), vec!["noop"]);
    }

    #[test]
    fn bad_config_is_named() {
        assert!(
            parse("[engine]\nconcurency = 4\n")
                .unwrap_err()
                .to_string()
                .contains("concurency")
        );
        assert!(
            parse("[roles]\nwizard = []\n")
                .unwrap_err()
                .to_string()
                .contains("unknown role `wizard`")
        );
        assert!(
            parse("[engine]\nlease_secs = 0\n")
                .unwrap_err()
                .to_string()
                .contains("engine.lease_secs")
        );
        assert!(
            parse("listen = \"nowhere\"\n")
                .unwrap_err()
                .to_string()
                .contains("invalid listen address `nowhere`")
        );
        assert!(
            parse_roles("executor, bogus")
                .unwrap_err()
                .to_string()
                .contains("unknown role `bogus`")
        );
    }
}
