//! The leader loop: every tick, take or renew leadership; while leading, run the watchdog, the
//! scheduler, the pruner and (when the node plans goals) the planner when each is due. Driven by a closed [`Event`] enum.

use super::LeaderConfig;
use super::planner::{self, Planning};
use super::{pruner, scheduler, watchdog};
use crate::events::EventSink;
use crate::idle::{Idle, IdleBoard, Loop};
use juggernaut_core::WorkerId;
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
    planning: Option<Planning>,
    report: Reporting,
    stop: CancellationToken,
) {
    let idle = &report.idle;
    let mut next_watchdog = Instant::now();
    let mut next_prune = Instant::now();
    let mut next_plan = Instant::now();
    let mut leading = false;
    let mut schedules = scheduler::Scheduler::default();
    loop {
        let event = tokio::select! {
            biased;
            _ = stop.cancelled() => Event::Shutdown,
            _ = tokio::time::sleep(if leading { config.tick } else { config.tick * 2 }) => Event::Tick,
        };
        if event == Event::Shutdown {
            return;
        }
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
            follow(store.as_ref(), idle).await;
            continue;
        }
        idle.busy(Loop::Leader);
        let now = Instant::now();
        if now >= next_watchdog {
            watchdog::tick(store.as_ref(), &id, &config, &report).await;
            next_watchdog = now + config.watchdog_interval;
        }
        schedules.tick(store.as_ref(), &id, &report).await;
        if now >= next_prune {
            pruner::tick(store.as_ref(), &id, &config, &report).await;
            next_prune = now + config.prune_interval;
        }
        if let Some(p) = planning.as_ref().filter(|_| now >= next_plan) {
            planner::tick(store.as_ref(), &id, p, &report).await;
            next_plan = now + p.config.interval;
        }
    }
}

/// Records who leads, for a node that does not.
async fn follow(store: &dyn Store, idle: &IdleBoard) {
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
    for l in [Loop::Watchdog, Loop::Scheduler, Loop::Pruner, Loop::Planner] {
        idle.idle(l, Idle::NotLeader, "not the leader");
    }
}
