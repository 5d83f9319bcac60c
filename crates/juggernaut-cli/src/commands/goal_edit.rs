//! `juggernaut goal edit ID` (only the flags given change; the result is checked like a new
//! goal) and `juggernaut goal replan ID` (the planner plans the goal again on its next pass).

use super::goal::{deadline, print_goal};
use crate::cli::{GoalChange, GoalEditArgs};
use crate::exit::BadInput;
use crate::output::clean;
use juggernaut_app::{App, GoalPatch};
use juggernaut_core::goal::{MetricSource, MetricTarget};
use juggernaut_core::{Goal, GoalId};

/// Applies the flags to the goal.
pub async fn edit(app: &App, a: GoalEditArgs, json: bool) -> anyhow::Result<()> {
    let id = GoalId(a.id);
    let goal = app.goal(id).await?;
    let patch = patch(&goal, a)?;
    let g = app.edit_goal(id, patch, "cli").await?;
    print_goal(
        &g,
        json,
        &format!(
            "goal {} edited: {} (the planner looks at it again)",
            g.id,
            clean(&g.spec.title)
        ),
    )
}

/// Asks for a new plan.
pub async fn replan(app: &App, c: GoalChange, json: bool) -> anyhow::Result<()> {
    let g = app.plan_goal(GoalId(c.id), "cli", &c.reason).await?;
    print_goal(
        &g,
        json,
        &format!(
            "goal {} will be planned again on the planner's next pass (once its open tasks end)",
            g.id
        ),
    )
}

/// The patch the flags describe, over `goal`'s current target.
fn patch(goal: &Goal, a: GoalEditArgs) -> anyhow::Result<GoalPatch> {
    let target = if a.no_target {
        Some(None)
    } else if a.target.is_some() || a.unit.is_some() {
        let current = goal.spec.target.clone();
        let Some(value) = a.target.or(current.as_ref().map(|t| t.target)) else {
            return Err(BadInput("--unit needs --target: the goal has no target".into()).into());
        };
        Some(Some(MetricTarget {
            source: current
                .as_ref()
                .map_or(MetricSource::Manual, |t| t.source.clone()),
            target: value,
            unit: a.unit.or(current.map(|t| t.unit)).unwrap_or_default(),
        }))
    } else {
        None
    };
    let deadline = match (a.no_deadline, a.deadline.as_deref()) {
        (true, _) => Some(None),
        (false, Some(d)) => Some(Some(deadline(d)?)),
        (false, None) => None,
    };
    let patch = GoalPatch {
        title: a.title,
        description: a.description,
        target,
        deadline,
        money_usd: a.budget_usd.map(Some),
        max_tasks: a.max_tasks.map(Some),
        tags: (!a.tag.is_empty()).then_some(a.tag),
    };
    if patch.fields().is_empty() {
        return Err(BadInput(
            "nothing to change: give at least one of --title, --description, --target, --unit, \
             --no-target, --deadline, --no-deadline, --budget-usd, --max-tasks, --tag"
                .into(),
        )
        .into());
    }
    Ok(patch)
}
