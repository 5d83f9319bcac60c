//! What the configuration makes of the handlers: the built-in ones plus `plan`, which plans with
//! the playbooks of the configured folder (checked on load; a bad file is reported and left out,
//! never half-used) and, where none matches, with the LLM planner when a provider is configured.
//! Every command builds the same registry, so what `task enqueue` accepts is what `up` runs.

use crate::config::Config;
use crate::exit::BadInput;
use juggernaut_core::PlanCoverage;
use juggernaut_core::proactive::Proposals;
use juggernaut_engine::node::{Experimenting, Planning, Proactive};
use juggernaut_handler::{Handler, Registry};
use juggernaut_llm::Client;
use juggernaut_planner::{Coverage, LlmPlanner, PlanHandler, Playbooks, PromptTemplate};
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
        let deps = deps(cfg)?;
        let catalog = Registry::new(juggernaut_handlers::builtin(&deps))?;
        let playbooks = Arc::new(Playbooks::load(&cfg.planner.playbooks_dir, &catalog));
        let llm = llm_planner(cfg)?;
        let coverage = Arc::new(Coverage::new(
            playbooks.clone(),
            llm.as_ref().map(|l| l.describe()),
        ));
        let mut plan = PlanHandler::new(playbooks.clone(), catalog, cfg.planner.pacing.backoff);
        if let Some(llm) = llm {
            plan = plan.with_llm(llm);
        }
        let mut handlers = juggernaut_handlers::builtin(&deps);
        handlers.push(Arc::new(plan) as Arc<dyn Handler>);
        let registry =
            Registry::new(handlers)?.with_unavailable(juggernaut_handlers::unavailable(&deps));
        Ok(Self {
            registry,
            playbooks,
            coverage,
        })
    }

    /// The proactive pass: the playbooks' `[[proactive]]` templates, for the node.
    pub fn proactive(&self, cfg: &Config) -> Proactive {
        Proactive {
            interval: cfg.planner.proactive_interval,
            proposals: self.playbooks.clone() as Arc<dyn Proposals>,
        }
    }

    /// The experiments loop, for the node, when `experiment_step` can run (a data source gives
    /// it `sql_query`); `every` is how often running experiments are looked at.
    pub fn experimenting(&self, every: std::time::Duration) -> Option<Experimenting> {
        let kind = juggernaut_core::experiment::tasks::STEP_KIND;
        self.registry
            .check(kind)
            .is_ok()
            .then_some(Experimenting { interval: every })
    }

    /// The planner loop's settings and coverage, for the node.
    pub fn planning(&self, cfg: &Config) -> Planning {
        Planning {
            config: cfg.planner.pacing.clone(),
            coverage: self.coverage.clone() as Arc<dyn PlanCoverage>,
        }
    }
}

/// What the built-in handlers are built with: the model for `agent` and `research`, if a
/// provider is configured.
pub fn deps(cfg: &Config) -> anyhow::Result<juggernaut_handlers::Deps> {
    let model = match cfg.llm.provider.clone() {
        Some(provider) => Some(juggernaut_handlers::agent::Model {
            client: Client::new(provider).map_err(|e| BadInput(e.to_string()))?,
            prices: cfg.llm.prices.clone(),
            limits: cfg.llm.limits,
        }),
        None => None,
    };
    let tools = cfg.tools.names(!cfg.sources.named.is_empty());
    Ok(juggernaut_handlers::Deps {
        model,
        tools: Some(tools),
        day_budget_usd: cfg.llm.limits.day_usd,
    })
}

/// The LLM planner, if a provider is configured.
fn llm_planner(cfg: &Config) -> anyhow::Result<Option<Arc<LlmPlanner>>> {
    let Some(provider) = cfg.llm.provider.clone() else {
        return Ok(None);
    };
    let template = match &cfg.planner.prompt_file {
        Some(path) => PromptTemplate::load(path).map_err(BadInput)?,
        None => PromptTemplate::builtin(),
    };
    let client = Client::new(provider).map_err(|e| BadInput(e.to_string()))?;
    Ok(Some(Arc::new(LlmPlanner::new(
        client,
        cfg.llm.prices.clone(),
        cfg.llm.limits,
        template,
    ))))
}
