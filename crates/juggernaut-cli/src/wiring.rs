//! What the configuration makes of the handlers: the built-in ones plus `plan`, which plans with
//! the playbooks of the configured folder (checked on load; a bad file is reported and left out,
//! never half-used). Every command builds the same registry, so what `task enqueue` accepts is
//! what `up` runs.

use crate::config::Config;
use juggernaut_core::PlanCoverage;
use juggernaut_engine::node::Planning;
use juggernaut_handler::{Handler, Registry};
use juggernaut_planner::{Coverage, PlanHandler, Playbooks};
use std::sync::Arc;

/// The handlers and what the planner can do.
pub struct Wiring {
    /// Every handler this binary runs.
    pub registry: Registry,
    /// The playbooks that loaded, and the errors of those that did not.
    pub playbooks: Arc<Playbooks>,
    /// What can be planned.
    pub coverage: Arc<Coverage>,
}

impl Wiring {
    /// Loads the playbooks the configuration names and builds the registry.
    pub fn load(cfg: &Config) -> anyhow::Result<Self> {
        let catalog = crate::db::registry()?;
        let playbooks = Arc::new(Playbooks::load(&cfg.planner.playbooks_dir, &catalog));
        let coverage = Arc::new(Coverage::new(playbooks.clone(), None));
        let plan = PlanHandler::new(playbooks.clone(), catalog, cfg.planner.pacing.backoff);
        let mut handlers = juggernaut_handlers::builtin();
        handlers.push(Arc::new(plan) as Arc<dyn Handler>);
        let registry = Registry::new(handlers)?;
        Ok(Self {
            registry,
            playbooks,
            coverage,
        })
    }

    /// The planner loop's settings and coverage, for the node.
    pub fn planning(&self, cfg: &Config) -> Planning {
        Planning {
            config: cfg.planner.pacing.clone(),
            coverage: self.coverage.clone() as Arc<dyn PlanCoverage>,
        }
    }
}
