//! A node: one Juggernaut process. It registers itself as a worker, heartbeats with its idle
//! reasons, runs the dispatcher for the kinds its roles serve, and competes for leadership of the
//! singleton loops (watchdog, scheduler, pruner, planner, sampler, proactive, escalator), which move to another node when
//! the leader dies.

pub mod approvals;
mod escalator;
pub mod experiments;
mod leader;
pub mod learner;
mod planner;
mod proactive;
mod pruner;
mod sampler;
mod scheduler;
mod watchdog;

pub use escalator::{Escalating, EscalationSink, Escalator, EscalatorConfig, Scan};
pub use experiments::Experimenting;
pub use planner::{PlannerConfig, Planning};
pub use proactive::Proactive;
pub use sampler::{MAX_GOALS, MetricReader, SamplerConfig, Sampling};

use crate::dispatcher::{Dispatcher, DispatcherConfig};
use crate::error::EngineError;
use crate::events::EventSink;
use crate::idle::IdleBoard;
use juggernaut_core::WorkerId;
use juggernaut_core::worker::{Role, WorkerState};
use juggernaut_handler::Registry;
use juggernaut_handler::context::Handles;
use juggernaut_handler::gate::Gate;
use juggernaut_store::leadership::ENGINE;
use juggernaut_store::{Store, WorkerRegistration};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The leader's loops and their limits.
#[derive(Debug, Clone)]
pub struct LeaderConfig {
    /// How long leadership lasts without renewal.
    pub ttl: Duration,
    /// How often the leader loop ticks (the scheduler's granularity).
    pub tick: Duration,
    /// How often the watchdog runs.
    pub watchdog_interval: Duration,
    /// A worker silent this long is lost.
    pub worker_lost_after: Duration,
    /// An attempt running longer than this fails.
    pub max_run: Duration,
    /// Terminal tasks older than this are pruned.
    pub retention: Duration,
    /// How often pruning runs.
    pub prune_interval: Duration,
    /// How often the learner captures learnings from tasks' ends.
    pub learn_interval: Duration,
    /// How old an audit event must be before the learner reads past it (PostgreSQL ids may
    /// commit out of order).
    pub learn_settle: Duration,
    /// Most audit events one learner batch looks at (1-1000).
    pub learn_batch: u32,
}

impl Default for LeaderConfig {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(5),
            tick: Duration::from_millis(500),
            watchdog_interval: Duration::from_secs(1),
            worker_lost_after: Duration::from_secs(6),
            max_run: Duration::from_secs(3600),
            retention: Duration::from_secs(30 * 24 * 3600),
            prune_interval: Duration::from_secs(3600),
            learn_interval: Duration::from_secs(2),
            learn_settle: Duration::from_secs(2),
            learn_batch: 1000,
        }
    }
}

/// How a node runs.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// The worker registration (id, roles, kinds, slots, host, pid, version).
    pub registration: WorkerRegistration,
    /// The dispatcher's settings.
    pub dispatcher: DispatcherConfig,
    /// How often the node heartbeats.
    pub heartbeat_interval: Duration,
    /// The leader's loops.
    pub leader: LeaderConfig,
}

impl NodeConfig {
    /// A node named `worker` on `host` with `roles` serving `kinds` on `concurrency` slots.
    pub fn new(
        worker: WorkerId,
        host: String,
        roles: Vec<Role>,
        registry: &Registry,
        wanted_kinds: &[String],
        concurrency: u32,
    ) -> Self {
        let kinds = registry.served(wanted_kinds);
        let mut dispatcher = DispatcherConfig::new(worker.clone(), kinds.clone());
        dispatcher.concurrency = concurrency;
        Self {
            registration: WorkerRegistration {
                id: worker,
                roles,
                kinds: kinds.iter().map(|k| k.to_string()).collect(),
                concurrency,
                host,
                pid: std::process::id(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            dispatcher,
            heartbeat_interval: Duration::from_secs(1),
            leader: LeaderConfig::default(),
        }
    }
}

/// A unique worker name: the host, the process id and a random suffix.
pub fn worker_name(host: &str) -> WorkerId {
    WorkerId(format!(
        "{host}-{}-{:04x}",
        std::process::id(),
        rand::random::<u16>()
    ))
}

/// One process's engine.
pub struct Node {
    store: Arc<dyn Store>,
    registry: Registry,
    config: NodeConfig,
    idle: IdleBoard,
    events: EventSink,
    planning: Option<Planning>,
    sampling: Option<Sampling>,
    proactive: Option<Proactive>,
    escalating: Option<Escalating>,
    experimenting: Option<Experimenting>,
    tools: Option<(juggernaut_tools::Toolbox, juggernaut_tools::Workspaces)>,
    gate: Gate,
}

impl Node {
    /// A node over `store` running `registry`'s handlers.
    pub fn new(store: Arc<dyn Store>, registry: Registry, config: NodeConfig) -> Self {
        Self {
            store,
            registry,
            config,
            idle: IdleBoard::default(),
            events: EventSink::default(),
            planning: None,
            sampling: None,
            proactive: None,
            escalating: None,
            experimenting: None,
            tools: None,
            gate: Gate::default(),
        }
    }

    /// Gives handlers these tools and task workspaces (none are registered otherwise).
    pub fn with_tools(
        mut self,
        tools: juggernaut_tools::Toolbox,
        workspaces: juggernaut_tools::Workspaces,
    ) -> Self {
        self.tools = Some((tools, workspaces));
        self
    }

    /// Applies this policy gate (the default policy otherwise): it scores every task before it
    /// runs, holds tool calls to what was approved, and its approval timeouts run while the node
    /// leads. The node's roles bound the permissions of its tool calls.
    pub fn with_gate(mut self, gate: Gate) -> Self {
        self.gate = gate;
        self
    }

    /// Runs the planner loop while this node leads.
    pub fn with_planning(mut self, planning: Planning) -> Self {
        self.planning = Some(planning);
        self
    }

    /// Proposes tasks from proactive templates while this node leads.
    pub fn with_proactive(mut self, proactive: Proactive) -> Self {
        self.proactive = Some(proactive);
        self
    }

    /// Runs the escalator while this node leads: escalations are raised every scan and, with a
    /// sink, each is sent once.
    pub fn with_escalations(mut self, escalating: Escalating) -> Self {
        self.escalating = Some(escalating);
        self
    }

    /// Runs the experiments loop (iterations, conclusions, follow-ups) while this node leads;
    /// give it only where `experiment_step` can run.
    pub fn with_experiments(mut self, experimenting: Experimenting) -> Self {
        self.experimenting = Some(experimenting);
        self
    }

    /// Runs the sampler loop (metrics read into their series, deadlines) while this node leads.
    pub fn with_sampling(mut self, sampling: Sampling) -> Self {
        self.sampling = Some(sampling);
        self
    }

    /// Its idle reasons (shared with the HTTP listener).
    pub fn idle_board(&self) -> IdleBoard {
        self.idle.clone()
    }

    /// Its event sink (shared with the HTTP listener).
    pub fn events(&self) -> EventSink {
        self.events.clone()
    }

    /// Its worker id.
    pub fn worker(&self) -> &WorkerId {
        &self.config.registration.id
    }

    /// Runs until `shutdown`: registers, heartbeats, leads when elected, dispatches; on shutdown
    /// drains, hands back unfinished work, resigns and deregisters.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), EngineError> {
        let id = self.config.registration.id.clone();
        self.store
            .register_worker(&self.config.registration)
            .await?;
        let stop_loops = CancellationToken::new();
        let beat = tokio::spawn(heartbeat(
            self.store.clone(),
            id.clone(),
            self.config.heartbeat_interval,
            self.idle.clone(),
            shutdown.clone(),
            stop_loops.clone(),
        ));
        let lead = tokio::spawn(leader::run(
            self.store.clone(),
            id.clone(),
            self.config.leader.clone(),
            leader::Loops {
                planning: self.planning.clone(),
                sampling: self.sampling.clone(),
                proactive: self.proactive.clone(),
                escalating: self.escalating.clone(),
                experimenting: self.experimenting.clone(),
                gate: self.gate.clone(),
            },
            leader::Reporting {
                idle: self.idle.clone(),
                events: self.events.clone(),
            },
            stop_loops.clone(),
        ));
        let mut handles = Handles::over(self.store.clone());
        handles.gate = self.gate.for_roles(&self.config.registration.roles);
        if let Some((tools, workspaces)) = self.tools {
            handles = handles.with_tools(tools, workspaces);
        }
        let queue: Arc<dyn juggernaut_store::Queue> = self.store.clone();
        let dispatcher = Dispatcher::new(queue, handles, self.registry, self.config.dispatcher)
            .with_idle_board(self.idle.clone())
            .with_events(self.events.clone());
        let result = dispatcher.run(shutdown).await;
        stop_loops.cancel();
        let _ = beat.await;
        let _ = lead.await;
        if let Err(e) = self.store.resign(ENGINE, &id).await {
            tracing::warn!(error = %e, "could not resign leadership; it will expire");
        }
        if let Err(e) = self.store.deregister_worker(&id).await {
            tracing::warn!(error = %e, "could not deregister; the watchdog will mark this worker lost");
        }
        result
    }
}

/// Heartbeats the registry with the node's state and idle reasons until `stop`.
async fn heartbeat(
    store: Arc<dyn Store>,
    id: WorkerId,
    every: Duration,
    idle: IdleBoard,
    shutdown: CancellationToken,
    stop: CancellationToken,
) {
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
        let state = if shutdown.is_cancelled() {
            WorkerState::Draining
        } else {
            WorkerState::Active
        };
        if let Err(e) = store.worker_heartbeat(&id, state, &idle.to_json()).await {
            tracing::warn!(error = %e, "worker heartbeat failed");
        }
    }
}
