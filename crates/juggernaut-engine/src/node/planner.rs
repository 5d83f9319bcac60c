//! The planner loop (leader only): decides in one query which goals need a plan (active, no open
//! task, not backing off after a failure, something changed since the last plan) and enqueues one
//! `plan` task per goal in one batch (a dedupe key per goal and plan version, so a pass that runs
//! twice makes nothing twice). A goal that nothing can plan (no matching playbook and no LLM
//! provider) is not enqueued: its reason goes on the goal, which is looked at again after the
//! backoff. No model is ever called to find out that there is nothing to do.

use super::leader::Reporting;
use crate::events::EngineEvent;
use crate::idle::{Idle, Loop};
use juggernaut_core::plan::plan_task;
use juggernaut_core::{GoalStatus, PlanCoverage, WorkerId};
use juggernaut_store::{GoalFilter, Store};
use std::sync::Arc;
use std::time::Duration;

/// The planner loop's settings.
#[derive(Debug, Clone)]
pub struct PlannerConfig {
    /// How often it looks.
    pub interval: Duration,
    /// Most goals it asks plans for in one pass.
    pub batch: u32,
    /// A goal is planned again no sooner than this after its last plan.
    pub min_interval: Duration,
    /// A goal whose planning failed (or that cannot be planned) waits this long.
    pub backoff: Duration,
}

impl Default for PlannerConfig {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(2),
            batch: 500,
            min_interval: Duration::from_secs(600),
            backoff: Duration::from_secs(600),
        }
    }
}

/// The planner loop's settings and what tells it which goals can be planned.
#[derive(Clone)]
pub struct Planning {
    /// Settings.
    pub config: PlannerConfig,
    /// Playbooks and the LLM provider, as far as deciding what can be planned goes.
    pub coverage: Arc<dyn PlanCoverage>,
}

impl std::fmt::Debug for Planning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Planning")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// One pass.
pub async fn tick(store: &dyn Store, id: &WorkerId, planning: &Planning, report: &Reporting) {
    let (config, coverage) = (&planning.config, planning.coverage.as_ref());
    let idle = &report.idle;
    let goals = match store.goals_to_plan(config.batch, config.min_interval).await {
        Ok(g) => g,
        Err(e) => return unavailable(report, "goals_to_plan", e.to_string()),
    };
    if goals.is_empty() {
        return quiet(store, report).await;
    }
    let actor = format!("planner:{id}");
    let mut tasks = Vec::with_capacity(goals.len());
    let mut stuck = 0usize;
    for g in &goals {
        let refusal = match coverage.cannot_plan(g) {
            Some(why) => why,
            None => match plan_task(g) {
                Ok(t) => {
                    tasks.push(t);
                    continue;
                }
                Err(e) => format!("cannot make its plan task: {e}"),
            },
        };
        stuck += 1;
        report.events.emit(EngineEvent::GoalNotPlannable {
            goal: g.id,
            reason: refusal.clone(),
        });
        if let Err(e) = store
            .plan_failed(g.id, &refusal, None, config.backoff, &actor)
            .await
        {
            return unavailable(report, "plan_failed", e.to_string());
        }
    }
    if tasks.is_empty() {
        return idle.idle(
            Loop::Planner,
            Idle::CannotPlan,
            format!(
                "{stuck} goal(s) need a plan but cannot be planned (no matching playbook and no LLM provider); see `juggernaut goal show`"
            ),
        );
    }
    match store.enqueue_batch(tasks).await {
        Ok(done) => {
            idle.busy(Loop::Planner);
            for e in done.into_iter().filter(|e| e.created) {
                if let Some(goal) = e.task.goal_id {
                    report.events.emit(EngineEvent::PlanRequested {
                        goal,
                        task: e.task.id,
                    });
                }
            }
        }
        Err(e) => unavailable(report, "enqueue_batch", e.to_string()),
    }
}

/// Marks goals whose plan came from a playbook that has changed since (run when this node
/// becomes the leader: playbooks are loaded when a process starts).
pub async fn replan_outdated(
    store: &dyn Store,
    id: &WorkerId,
    planning: &Planning,
    report: &Reporting,
) {
    let Some(makers) = planning.coverage.playbook_makers() else {
        return;
    };
    let actor = format!("planner:{id}");
    match store.replan_outdated(&makers, &actor).await {
        Ok(goals) => {
            for goal in goals {
                report.events.emit(EngineEvent::ReplanRequested { goal });
            }
        }
        Err(e) => unavailable(report, "replan_outdated", e.to_string()),
    }
}

/// Says why nothing needs planning: no active goal, or every active goal is busy, backing off
/// or planned recently.
async fn quiet(store: &dyn Store, report: &Reporting) {
    let active = GoalFilter {
        statuses: vec![GoalStatus::Active],
        ..Default::default()
    };
    let (code, text) = match store.list_goals(&active, 1).await {
        Ok(g) if g.is_empty() => (Idle::NoOpenGoals, "no active goal".to_owned()),
        Ok(_) => (
            Idle::NothingToDo,
            "every active goal has open tasks, is backing off after a failed plan, or was planned recently".to_owned(),
        ),
        Err(e) => (Idle::StoreUnavailable, format!("store unavailable: {e}")),
    };
    report.idle.idle(Loop::Planner, code, text);
}

fn unavailable(report: &Reporting, operation: &'static str, error: String) {
    report.idle.idle(
        Loop::Planner,
        Idle::StoreUnavailable,
        format!("store unavailable: {error}"),
    );
    report
        .events
        .emit(EngineEvent::StoreFault { operation, error });
}
