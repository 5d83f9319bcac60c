//! The proactive pass (leader only): asks the playbooks' `[[proactive]]` templates what to
//! propose for each active goal, drops proposals whose slot of the day was already used (its
//! dedupe key is on a task in any state), and enqueues the rest in one batch. Templates cap
//! themselves per day; the pass is idempotent, so a second leader or a re-run makes nothing
//! twice. No model is called: proposals are templates.

use super::leader::Reporting;
use crate::events::EngineEvent;
use crate::idle::{Idle, Loop};
use juggernaut_core::proactive::Proposals;
use juggernaut_core::{GoalStatus, NewTask};
use juggernaut_store::{GoalFilter, Store};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

/// Most goals looked at per pass.
const GOALS_PER_PASS: u32 = 1000;

/// The proactive pass's settings and the templates.
#[derive(Clone)]
pub struct Proactive {
    /// How often it looks.
    pub interval: Duration,
    /// What proposes tasks.
    pub proposals: Arc<dyn Proposals>,
}

impl std::fmt::Debug for Proactive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proactive")
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

/// One pass.
pub async fn tick(store: &dyn Store, proactive: &Proactive, report: &Reporting) {
    let active = GoalFilter {
        statuses: vec![GoalStatus::Active],
        ..Default::default()
    };
    let goals = match store.list_goals(&active, GOALS_PER_PASS).await {
        Ok(g) => g,
        Err(e) => return unavailable(report, "list_goals", e.to_string()),
    };
    let now = match store.now().await {
        Ok(t) => t,
        Err(e) => return unavailable(report, "now", e.to_string()),
    };
    let proposed: Vec<NewTask> = goals
        .iter()
        .flat_map(|g| proactive.proposals.propose(g, now))
        .collect();
    if proposed.is_empty() {
        let why = if goals.is_empty() {
            (Idle::NoOpenGoals, "no active goal".to_owned())
        } else {
            (
                Idle::NothingToDo,
                "no proactive template matches an active goal".to_owned(),
            )
        };
        return report.idle.idle(Loop::Proactive, why.0, why.1);
    }
    let mut fresh = Vec::with_capacity(proposed.len());
    for chunk in proposed.chunks(1000) {
        let keys: Vec<String> = chunk.iter().filter_map(|t| t.dedupe_key.clone()).collect();
        let used: HashSet<String> = match store.used_dedupe_keys(&keys).await {
            Ok(u) => u.into_iter().collect(),
            Err(e) => return unavailable(report, "used_dedupe_keys", e.to_string()),
        };
        fresh.extend(
            chunk
                .iter()
                .filter(|t| t.dedupe_key.as_ref().is_some_and(|k| !used.contains(k)))
                .cloned(),
        );
    }
    if fresh.is_empty() {
        return report.idle.idle(
            Loop::Proactive,
            Idle::NothingToDo,
            "every proactive template has used today's slots".to_owned(),
        );
    }
    match store.enqueue_batch(fresh.clone()).await {
        Ok(done) => {
            report.idle.busy(Loop::Proactive);
            for e in done.into_iter().filter(|e| e.created) {
                announce(report, e.task.goal_id, e.task.id);
            }
        }
        // One proposal the store refuses (its rendered input, say) must not hold back the
        // others: they go one by one, and the refused one is reported.
        Err(e) if !e.is_retryable() => one_by_one(store, fresh, report).await,
        Err(e) => unavailable(report, "enqueue_batch", e.to_string()),
    }
}

async fn one_by_one(store: &dyn Store, tasks: Vec<NewTask>, report: &Reporting) {
    report.idle.busy(Loop::Proactive);
    for t in tasks {
        let key = t.dedupe_key.clone().unwrap_or_default();
        match store.enqueue(t).await {
            Ok(e) if e.created => announce(report, e.task.goal_id, e.task.id),
            Ok(_) => {}
            Err(e) => report.events.emit(EngineEvent::StoreFault {
                operation: "enqueue_proposal",
                error: format!("proposal {key} refused: {e}"),
            }),
        }
    }
}

fn announce(
    report: &Reporting,
    goal: Option<juggernaut_core::GoalId>,
    task: juggernaut_core::TaskId,
) {
    report.events.emit(EngineEvent::TaskProposed { goal, task });
}

fn unavailable(report: &Reporting, operation: &'static str, error: String) {
    report.idle.idle(
        Loop::Proactive,
        Idle::StoreUnavailable,
        format!("store unavailable: {error}"),
    );
    report
        .events
        .emit(EngineEvent::StoreFault { operation, error });
}
