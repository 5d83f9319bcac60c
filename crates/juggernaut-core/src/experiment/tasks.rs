//! The tasks an experiment makes: one `experiment_step` per variant for each iteration (dedupe
//! key `experiment:ID:ITERATION:VARIANT`), and at its conclusion the rollout of a winning
//! treatment (`experiment:ID:rollout:VARIANT`) and the rollback of each loser
//! (`experiment:ID:rollback:VARIANT`), so that a rerun makes none of them twice.

use super::{Conclusion, Experiment, FollowUp};
use crate::kind::TaskKind;
use crate::task::{NewTask, Origin};
use serde_json::json;

/// The kind that reads one variant's counts for one iteration.
pub const STEP_KIND: &str = "experiment_step";

/// The input of a step: `{"experiment", "iteration", "variant"}`.
pub fn step_input(e: &Experiment, iteration: u32, variant: &str) -> serde_json::Value {
    json!({ "experiment": e.id.0, "iteration": iteration, "variant": variant })
}

/// The step tasks of iteration `iteration`, one per variant.
pub fn steps(e: &Experiment, iteration: u32) -> Vec<NewTask> {
    let Ok(kind) = TaskKind::new(STEP_KIND) else {
        return Vec::new();
    };
    e.spec
        .variants
        .iter()
        .map(|v| NewTask {
            title: format!(
                "Experiment {} ({}): read `{}`, iteration {iteration}",
                e.id,
                crate::text::clipped(&e.spec.name, 200),
                v.name
            ),
            input: step_input(e, iteration, &v.name),
            goal_id: e.spec.goal_id,
            dedupe_key: Some(format!("experiment:{}:{iteration}:{}", e.id, v.name)),
            origin: Origin::Experiment,
            ..NewTask::new(kind.clone())
        })
        .collect()
}

/// Longest task title, in bytes.
const MAX_TITLE: usize = 500;

fn follow_up(e: &Experiment, what: &str, template: &FollowUp, variant: &str) -> NewTask {
    let (title, input) = template.about(variant);
    NewTask {
        // A template's `{{variant}}` may make it longer than a task title may be.
        title: crate::text::clipped(&title, MAX_TITLE),
        input,
        goal_id: e.spec.goal_id,
        dedupe_key: Some(format!("experiment:{}:{what}:{variant}", e.id)),
        origin: Origin::Experiment,
        ..NewTask::new(template.kind.clone())
    }
}

/// The follow-ups of `c`: the winner's rollout when the winner is not the control, and each
/// loser's rollback, as the spec's templates say.
pub fn follow_ups(e: &Experiment, c: &Conclusion) -> Vec<NewTask> {
    let control = e.spec.control().map(|v| v.name.as_str());
    let mut out = Vec::new();
    if let (Some(w), Some(t)) = (c.winner.as_deref(), &e.spec.rollout)
        && Some(w) != control
    {
        out.push(follow_up(e, "rollout", t, w));
    }
    if let Some(t) = &e.spec.rollback {
        out.extend(c.losers.iter().map(|l| follow_up(e, "rollback", t, l)));
    }
    out
}
