//! The leader loop: every tick, take or renew leadership; while leading, run the watchdog, the
//! scheduler, the pruner and (when the node has them) the planner and the sampler when each is
//! due. Driven by a closed [`Event`] enum.

use super::LeaderConfig;
use super::escalator::{Escalating, Escalator};
use super::planner::{self, Planning};
use super::proactive::{self, Proactive};
use super::sampler::{Sampler, Sampling};
use super::{approvals, learner, pruner, scheduler, watchdog};
use crate::events::EventSink;
use crate::idle::{Idle, IdleBoard, Loop};
use juggernaut_core::WorkerId;
use juggernaut_handler::gate::Gate;
use juggernaut_store::Store;
use juggernaut_store::leadership::ENGINE;
use std::sync::Arc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Where the loops report: idle reasons and events.
#[derive(Clone)]
pub struct Reporting {
    /// Idle reasons.
    pub idle: IdleBoard,
    /// Engine events.
    pub events: EventSink,
}

/// The optional loops a node runs while it leads.
#[derive(Debug, Clone, Default)]
pub struct Loops {
    /// The planner.
    pub planning: Option<Planning>,
    /// The sampler.
    pub sampling: Option<Sampling>,
    /// The proactive pass, when the node proposes tasks from templates.
    pub proactive: Option<Proactive>,
    /// The policy whose approval timeouts the watchdog applies.
    pub gate: Gate,
    /// The escalator, when the node raises escalations.
    pub escalating: Option<Escalating>,
    /// The experiments loop, when the node can run `experiment_step`.
    pub experimenting: Option<super::Experimenting>,
}

/// What wakes the leader loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    /// Time to renew and run what is due.
    Tick,
    /// The node is stopping.
    Shutdown,
}

/// Runs until `stop`.
pub async fn run(
    store: Arc<dyn Store>,
    id: WorkerId,
    config: LeaderConfig,
    loops: Loops,
    report: Reporting,
    stop: CancellationToken,
) {
    let idle = &report.idle;
    let mut next_watchdog = Instant::now();
    let mut next_prune = Instant::now();
    let mut next_learn = Instant::now();
    let mut next_plan = Instant::now();
    let mut next_propose = Instant::now();
    let mut next_experiment = Instant::now();
    let mut leading = false;
    let mut schedules = scheduler::Scheduler::default();
    let mut sampler = Sampler::default();
    let mut escalator = Escalator::default();
    let mut next_escalate = Instant::now();
    loop {
        let event = tokio::select! {
            biased;
            _ = stop.cancelled() => Event::Shutdown,
            _ = tokio::time::sleep(if leading { config.tick } else { config.tick * 2 }) => Event::Tick,
        };
        if event == Event::Shutdown {
            sampler.stop();
            return;
        }
        let was_leading = leading;
        leading = match store.try_lead(ENGINE, &id, config.ttl).await {
            Ok(l) => l,
            Err(e) => {
                idle.idle(
                    Loop::Leader,
                    Idle::StoreUnavailable,
                    format!("store unavailable: {e}"),
                );
                false
            }
        };
        if !leading {
            // A pass under way belongs to the leader this node no longer is.
            sampler.stop();
            escalator.reset();
            follow(store.as_ref(), idle, &loops).await;
            continue;
        }
        idle.busy(Loop::Leader);
        if let Some(p) = loops.planning.as_ref().filter(|_| !was_leading) {
            planner::replan_outdated(store.as_ref(), &id, p, &report).await;
        }
        let now = Instant::now();
        if now >= next_watchdog {
            watchdog::tick(store.as_ref(), &id, &config, &report).await;
            approvals::tick(store.as_ref(), &id, loops.gate.policy(), &report).await;
            next_watchdog = now + config.watchdog_interval;
        }
        schedules.tick(store.as_ref(), &id, &report).await;
        if now >= next_prune {
            pruner::tick(store.as_ref(), &id, &config, &report).await;
            next_prune = now + config.prune_interval;
        }
        if now >= next_learn {
            learner::tick(store.as_ref(), &id, &config, &report).await;
            next_learn = now + config.learn_interval;
        }
        if let Some(p) = loops.planning.as_ref().filter(|_| now >= next_plan) {
            planner::tick(store.as_ref(), &id, p, &report).await;
            next_plan = now + p.config.interval;
        }
        if let Some(s) = &loops.sampling {
            sampler.tick(&store, s, &report).await;
        }
        if let Some(e) = loops.escalating.as_ref().filter(|_| now >= next_escalate) {
            escalator.tick(store.as_ref(), &id, e, &report).await;
            next_escalate = now + e.config.scan;
        }
        if let Some(x) = loops
            .experimenting
            .as_ref()
            .filter(|_| now >= next_experiment)
        {
            super::experiments::tick(store.as_ref(), &id.0, &report).await;
            next_experiment = now + x.interval;
        }
        if let Some(p) = loops.proactive.as_ref().filter(|_| now >= next_propose) {
            proactive::tick(store.as_ref(), p, &report).await;
            next_propose = now + p.interval;
        }
    }
}

/// Records who leads, for a node that does not.
async fn follow(store: &dyn Store, idle: &IdleBoard, loops: &Loops) {
    let (code, reason) = match store.leader(ENGINE).await {
        Ok(Some(l)) => (
            Idle::FollowingLeader,
            format!("following leader {}", l.holder),
        ),
        Ok(None) => (
            Idle::LeadershipFree,
            "leadership is free; will try again".to_owned(),
        ),
        Err(e) => (Idle::StoreUnavailable, format!("store unavailable: {e}")),
    };
    idle.idle(Loop::Leader, code, reason);
    let mut leader_only = vec![
        Loop::Watchdog,
        Loop::Scheduler,
        Loop::Pruner,
        Loop::Learner,
        Loop::Planner,
        Loop::Approvals,
    ];
    if loops.sampling.is_some() {
        leader_only.push(Loop::Sampler);
    }
    if loops.escalating.is_some() {
        leader_only.push(Loop::Escalator);
    }
    if loops.proactive.is_some() {
        leader_only.push(Loop::Proactive);
    }
    if loops.experimenting.is_some() {
        leader_only.push(Loop::Experiments);
    }
    for l in leader_only {
        idle.idle(l, Idle::NotLeader, "not the leader");
    }
}
