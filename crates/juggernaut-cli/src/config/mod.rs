//! Configuration: `juggernaut.toml` parsed raw (unknown keys refused), then validated into a typed
//! config; flags and `JUGGERNAUT_*` environment variables override the file.

mod escalation;
mod governance;
mod llm;
mod planner;
pub(crate) mod secret;
mod sources;
mod tools;

pub use escalation::Escalation;
pub use governance::Governance;
pub use llm::{Llm, LlmEnv};
pub use planner::Planner;
pub use sources::Sources;
pub use tools::{RawChannel, Tools};

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
    #[serde(default)]
    planner: planner::RawPlanner,
    #[serde(default)]
    sources: BTreeMap<String, sources::RawSource>,
    #[serde(default)]
    sampler: sources::RawSampler,
    #[serde(default)]
    llm: llm::RawLlm,
    #[serde(default)]
    budgets: llm::RawBudgets,
    #[serde(default)]
    tools: tools::RawTools,
    #[serde(default)]
    governance: governance::RawGovernance,
    #[serde(default)]
    escalation: escalation::RawEscalation,
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
    /// Where it came from (a file name, or `defaults`).
    pub source: String,
    /// Database URL from the file, if any (flags and environment win).
    pub database_url: Option<String>,
    /// HTTP listen address as written (checked by [`Config::listen_addr`]).
    pub listen: Option<String>,
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
    /// Playbooks and the planner loop.
    pub planner: Planner,
    /// Data sources and the sampler loop.
    pub sources: Sources,
    /// The LLM provider, prices and money limits.
    pub llm: Llm,
    /// Task workspaces and the tools' settings.
    pub tools: Tools,
    /// The policy the gate applies.
    pub governance: Governance,
    /// The escalator and its notify channel.
    pub escalation: Escalation,
}

/// `v` (or `default`) if it lies in `min..=max`; the error names the key, the file and the range.
pub(crate) fn bounded(
    name: &str,
    v: Option<u64>,
    default: u64,
    range: (u64, u64),
    file: &str,
) -> anyhow::Result<u64> {
    let (min, max) = range;
    match v {
        None => Ok(default),
        Some(n) if (min..=max).contains(&n) => Ok(n),
        Some(n) => Err(BadInput(format!(
            "{file}: `{name}` = {n} is out of range: use {min} to {max}"
        ))
        .into()),
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

const DAY: u64 = 86_400;

impl Config {
    /// Loads `path` (or `./juggernaut.toml` if present, else defaults). Every command reads it.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let default_path = Path::new("juggernaut.toml");
        let (raw, file) = match path {
            Some(p) => (read(p)?, p.display().to_string()),
            None if default_path.exists() => (read(default_path)?, "juggernaut.toml".to_owned()),
            None => (Raw::default(), "defaults".to_owned()),
        };
        let base = path
            .and_then(Path::parent)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Self::validate(raw, &LlmEnv::from_process(), base, &file)
    }

    fn validate(raw: Raw, env: &LlmEnv, base: &Path, file: &str) -> anyhow::Result<Self> {
        let concurrency = bounded(
            "engine.concurrency",
            raw.engine.concurrency.map(u64::from),
            16,
            (1, 1024),
            file,
        )?;
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
        let e = &raw.engine;
        let w = &raw.watchdog;
        let planner = raw.planner.validate(base, file)?;
        let sources = sources::validate(raw.sources, raw.sampler, base, file)?;
        let mut llm = raw.llm.validate(env, base, file)?;
        llm.limits = raw.budgets.validate(file)?;
        let tools = raw.tools.validate(base, file)?;
        let governance = raw.governance.validate(base, file)?;
        let escalation =
            raw.escalation
                .validate(&tools.notify.channels, llm.limits.day_usd, file)?;
        Ok(Self {
            governance,
            escalation,
            tools,
            planner,
            sources,
            llm,
            source: file.to_owned(),
            database_url: raw.database_url,
            listen: raw.listen,
            concurrency: u32::try_from(concurrency).unwrap_or(16),
            lease: Duration::from_secs(bounded(
                "engine.lease_secs",
                e.lease_secs,
                30,
                (1, DAY),
                file,
            )?),
            poll: Duration::from_millis(bounded(
                "engine.poll_ms",
                e.poll_ms,
                1000,
                (1, 60_000),
                file,
            )?),
            shutdown_grace: Duration::from_secs(bounded(
                "engine.shutdown_grace_secs",
                e.shutdown_grace_secs,
                30,
                (1, DAY),
                file,
            )?),
            roles,
            worker_lost_after: Duration::from_secs(bounded(
                "watchdog.worker_lost_after_secs",
                w.worker_lost_after_secs,
                6,
                (1, DAY),
                file,
            )?),
            max_run: Duration::from_secs(bounded(
                "watchdog.max_run_secs",
                w.max_run_secs,
                3600,
                (1, 30 * DAY),
                file,
            )?),
            retention: Duration::from_secs(
                DAY * bounded(
                    "retention.terminal_days",
                    raw.retention.terminal_days,
                    30,
                    (1, 36_500),
                    file,
                )?,
            ),
        })
    }

    /// Applies a `--concurrency` (or `JUGGERNAUT_CONCURRENCY`) override.
    pub fn with_concurrency(mut self, concurrency: Option<u32>) -> Self {
        if let Some(c) = concurrency {
            self.concurrency = c;
        }
        self
    }

    /// The HTTP listen address: `flag` (or `JUGGERNAUT_LISTEN`), else the file's, else the
    /// default. Whether a non-loopback address may be used is decided with the store
    /// (`commands::listen`: it needs an active API token or `--insecure-listen`).
    pub fn listen_addr(&self, flag: Option<&str>) -> anyhow::Result<SocketAddr> {
        let text = flag.or(self.listen.as_deref()).unwrap_or(DEFAULT_LISTEN);
        text.parse().map_err(|_| {
            BadInput(format!(
                "invalid listen address `{text}`: use HOST:PORT such as {DEFAULT_LISTEN}"
            ))
            .into()
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
mod tests;
