//! A playbook's experiment: an `[experiment]` table with an experiment's spec but no goal
//! (`name`, `hypothesis`, `variants`, `metric`, `min_sample`, `max_duration_secs`,
//! `interval_secs`, `rule`, `rollout`, `rollback`). It is checked on load (the spec's own checks,
//! the `experiment_step` kind available, the follow-up templates accepted by their kinds for
//! every variant), and started for the goal the playbook plans, once: while the goal has a
//! running experiment of that name, planning again starts none.
//!
//! ```toml
//! [experiment]
//! name = "Quote form"
//! hypothesis = "An instant price converts better than a callback"
//! min_sample = 500
//! max_duration_secs = 1209600
//! variants = [{ name = "callback", control = true }, { name = "instant" }]
//! metric = { source = "shop", query = "SELECT SUM(converted), COUNT(*) FROM visits WHERE variant = {{variant}}" }
//! rule = { type = "bayesian", alpha = 0.05, max_loss = 0.002 }
//! ```

use juggernaut_core::Goal;
use juggernaut_core::experiment::ExperimentSpec;
use juggernaut_core::experiment::tasks::STEP_KIND;
use juggernaut_handler::{Registry, TaskContext};
use juggernaut_store::{ExperimentPage, MAX_EXPERIMENTS, StoreError};

/// The `[experiment]` table as a checked spec (its goal left empty), or every problem.
pub fn parse(raw: &toml::Value, registry: &Registry) -> Result<ExperimentSpec, Vec<String>> {
    let at = |e: String| vec![format!("[experiment]: {e}")];
    if raw.get("goal_id").is_some() {
        return Err(at(
            "`goal_id` is not given here: the experiment serves the goal the playbook plans".into(),
        ));
    }
    let spec: ExperimentSpec = raw
        .clone()
        .try_into()
        .map_err(|e: toml::de::Error| at(e.to_string()))?;
    spec.check().map_err(|e| at(e.to_string()))?;
    registry.check(STEP_KIND).map_err(|e| at(e.to_string()))?;
    let mut problems = Vec::new();
    for (field, template) in [("rollout", &spec.rollout), ("rollback", &spec.rollback)] {
        let Some(template) = template else { continue };
        for v in &spec.variants {
            let (_, input) = template.about(&v.name);
            if let Err(e) = registry.check_task(template.kind.as_str(), &input) {
                problems.push(format!("[experiment] `{field}` for `{}`: {e}", v.name));
            }
        }
    }
    if problems.is_empty() {
        Ok(spec)
    } else {
        Err(problems)
    }
}

/// Starts `spec` for `goal` unless the goal has had an experiment of its name (running,
/// concluded or stopped: a playbook's experiment runs once per goal, however often the goal is
/// planned again); returns whether it started one.
pub async fn start(
    ctx: &TaskContext,
    goal: &Goal,
    spec: &ExperimentSpec,
    actor: &str,
) -> Result<bool, StoreError> {
    let page = ExperimentPage {
        status: None,
        before: None,
        limit: MAX_EXPERIMENTS,
    };
    let had = ctx.handles.experiments.experiments(page).await?;
    if had
        .iter()
        .any(|e| e.spec.goal_id == Some(goal.id) && e.spec.name == spec.name)
    {
        return Ok(false);
    }
    let spec = ExperimentSpec {
        goal_id: Some(goal.id),
        ..spec.clone()
    };
    ctx.handles
        .experiments
        .create_experiment(spec, actor)
        .await?;
    Ok(true)
}
