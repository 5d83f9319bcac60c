//! `[planner]`: where the playbooks are and how the leader's planner loop paces itself.
//!
//! ```toml
//! [planner]
//! playbooks_dir = "playbooks"   # relative to the config file's folder; default ./playbooks
//! interval_ms = 2000            # how often the leader looks for goals that need a plan
//! batch = 500                   # most plan tasks enqueued per pass
//! min_interval_secs = 600       # a goal is planned again no sooner than this
//! backoff_secs = 600            # after a failed (or impossible) plan
//! prompt_file = "prompts/plan.md" # the LLM planner's prompt (minijinja); default: built in
//! proactive_interval_secs = 60  # how often playbooks' [[proactive]] templates are asked
//! ```

use super::bounded;
use juggernaut_engine::node::PlannerConfig;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `[planner]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlanner {
    playbooks_dir: Option<PathBuf>,
    interval_ms: Option<u64>,
    batch: Option<u64>,
    min_interval_secs: Option<u64>,
    backoff_secs: Option<u64>,
    prompt_file: Option<PathBuf>,
    proactive_interval_secs: Option<u64>,
}

/// The planner's validated settings.
#[derive(Debug, Clone)]
pub struct Planner {
    /// The playbooks folder.
    pub playbooks_dir: PathBuf,
    /// The leader loop's pacing.
    pub pacing: PlannerConfig,
    /// The LLM planner's prompt template, if not the built-in one.
    pub prompt_file: Option<PathBuf>,
    /// How often the proactive pass runs.
    pub proactive_interval: Duration,
}

impl RawPlanner {
    /// Checks every key; a relative folder is taken from `base` (the config file's folder).
    pub fn validate(self, base: &Path, file: &str) -> anyhow::Result<Planner> {
        let d = PlannerConfig::default();
        let dir = self
            .playbooks_dir
            .unwrap_or_else(|| PathBuf::from("playbooks"));
        let secs = |name, v, default: Duration| -> anyhow::Result<Duration> {
            Ok(Duration::from_secs(bounded(
                name,
                v,
                default.as_secs(),
                (0, 30 * 86_400),
                file,
            )?))
        };
        let resolve = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        Ok(Planner {
            playbooks_dir: resolve(dir),
            prompt_file: self.prompt_file.map(resolve),
            proactive_interval: Duration::from_secs(bounded(
                "planner.proactive_interval_secs",
                self.proactive_interval_secs,
                60,
                (1, 86_400),
                file,
            )?),
            pacing: PlannerConfig {
                interval: Duration::from_millis(bounded(
                    "planner.interval_ms",
                    self.interval_ms,
                    2000,
                    (10, 3_600_000),
                    file,
                )?),
                batch: u32::try_from(bounded(
                    "planner.batch",
                    self.batch,
                    u64::from(d.batch),
                    (1, 10_000),
                    file,
                )?)
                .unwrap_or(d.batch),
                min_interval: secs(
                    "planner.min_interval_secs",
                    self.min_interval_secs,
                    d.min_interval,
                )?,
                backoff: secs("planner.backoff_secs", self.backoff_secs, d.backoff)?,
            },
        })
    }
}
