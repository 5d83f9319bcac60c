//! The dispatcher: claims ready tasks for its free slots in batches, runs each through its
//! handler and the verifier, keeps leases alive while handlers run, and hands results to a
//! completer that writes them in batches with fencing. Its loop consumes one closed [`Wake`]
//! enum, so every reason it does work is visible here.

mod completer;
mod execute;
mod held;
mod lanes;
mod lease_keeper;

use crate::error::EngineError;
use crate::events::{EngineEvent, EventSink};
use crate::idle::{Idle, IdleBoard, Loop};
use held::{Held, InFlight, forget};
use juggernaut_core::{Task, TaskKind, WorkerId};
use juggernaut_handler::Registry;
use juggernaut_handler::context::Handles;
use juggernaut_store::{ClaimRequest, LeaseRef, Queue};
use lanes::Lanes;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// How a dispatcher runs.
#[derive(Debug, Clone)]
pub struct DispatcherConfig {
    /// This worker's name, written as lease holder.
    pub worker: WorkerId,
    /// Kinds to claim (each must have a handler).
    pub kinds: Vec<TaskKind>,
    /// Tasks run at once.
    pub concurrency: u32,
    /// Tasks claimed ahead into a local buffer beyond the free slots, so claims and
    /// completions travel in batches.
    pub prefetch: u32,
    /// Lease length; extended every third of it while a handler runs.
    pub lease: Duration,
    /// Longest wait between claims when no signal arrives.
    pub poll_interval: Duration,
    /// Most completions written in one transaction; twice this many finished attempts may wait
    /// to be written before a finished attempt keeps its slot.
    pub completion_batch: usize,
    /// How long shutdown waits for in-flight tasks.
    pub shutdown_grace: Duration,
}

impl DispatcherConfig {
    /// Defaults for `worker` serving `kinds`: 16 slots, 30 s leases, 1 s poll.
    pub fn new(worker: WorkerId, kinds: Vec<TaskKind>) -> Self {
        Self {
            worker,
            kinds,
            concurrency: 16,
            prefetch: 48,
            lease: Duration::from_secs(30),
            poll_interval: Duration::from_secs(1),
            completion_batch: 100,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Why the dispatcher's loop woke up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wake {
    /// First pass.
    Start,
    /// The store signalled that work may have arrived.
    WorkSignal,
    /// A slot became free.
    SlotFreed,
    /// The poll interval passed.
    PollTick,
    /// Shutdown was requested.
    Shutdown,
}

/// A claimed task waiting in the local buffer, with the token that stops it.
type Claimed = (Task, CancellationToken);

/// Claims and runs tasks until shut down.
pub struct Dispatcher {
    queue: Arc<dyn Queue>,
    handles: Handles,
    registry: Registry,
    config: DispatcherConfig,
    idle: IdleBoard,
    events: EventSink,
}

impl Dispatcher {
    /// A dispatcher over `queue` running `registry`'s handlers, which are given `handles`.
    pub fn new(
        queue: Arc<dyn Queue>,
        handles: Handles,
        registry: Registry,
        config: DispatcherConfig,
    ) -> Self {
        Self {
            queue,
            handles,
            registry,
            config,
            idle: IdleBoard::default(),
            events: EventSink::default(),
        }
    }

    /// Emits its events on `sink` (shared with the rest of the process).
    pub fn with_events(mut self, sink: EventSink) -> Self {
        self.events = sink;
        self
    }

    /// Reports idle reasons on `board` (shared with the rest of the process).
    pub fn with_idle_board(mut self, board: IdleBoard) -> Self {
        self.idle = board;
        self
    }

    /// Its events (counts, live feed).
    pub fn events(&self) -> EventSink {
        self.events.clone()
    }

    /// Runs until `shutdown` is cancelled, then stops claiming, lets in-flight tasks finish within
    /// the grace period, and writes their results.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), EngineError> {
        let unwritten = self.config.completion_batch.max(1) * 2;
        let lanes = Lanes::new(self.config.concurrency as usize, unwritten);
        let inflight: InFlight = Arc::default();
        let (tx, rx) = mpsc::channel(unwritten);
        let completer = completer::Completer {
            queue: self.queue.clone(),
            max_batch: self.config.completion_batch,
            inflight: inflight.clone(),
            lanes: lanes.clone(),
            events: self.events.clone(),
        };
        let completer = tokio::spawn(completer.run(rx));
        let keeper_stop = CancellationToken::new();
        let keeper = tokio::spawn(lease_keeper::run(
            self.queue.clone(),
            self.config.worker.clone(),
            self.config.lease,
            inflight.clone(),
            self.events.clone(),
            keeper_stop.clone(),
        ));
        let result = self.claim_loop(&shutdown, &lanes, &inflight, &tx).await;
        self.idle
            .idle(Loop::Dispatcher, Idle::ShuttingDown, "shutting down");
        self.drain(&lanes, &inflight).await;
        drop(tx);
        let _ = completer.await;
        keeper_stop.cancel();
        let _ = keeper.await;
        result
    }

    async fn claim_loop(
        &self,
        shutdown: &CancellationToken,
        lanes: &Arc<Lanes>,
        inflight: &InFlight,
        tx: &mpsc::Sender<completer::Finished>,
    ) -> Result<(), EngineError> {
        let signal = self.queue.work_signal().await?;
        let concurrency = self.config.concurrency as usize;
        let capacity = concurrency + self.config.prefetch as usize;
        let mut buffer: VecDeque<Claimed> = VecDeque::new();
        let mut wake = Wake::Start;
        while wake != Wake::Shutdown {
            let notified = signal.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            self.start_buffered(&mut buffer, lanes, inflight, tx);
            let held = lanes.running() + buffer.len();
            let mut drained = true;
            // Refill only once the buffer no longer covers the slots, so claims come in batches.
            if held <= concurrency && held < capacity {
                match self
                    .claim_into(capacity - held, inflight, &mut buffer)
                    .await
                {
                    Ok(got) => {
                        drained = got < capacity - held;
                        self.report_idle(got, held);
                    }
                    // A transient fault (the database restarting, a killed connection) never
                    // stops the worker: it says why it is idle and tries again next wake-up.
                    Err(e) if e.is_retryable() => {
                        self.idle.idle(
                            Loop::Dispatcher,
                            Idle::StoreUnavailable,
                            format!("store unavailable: {e}"),
                        );
                        let error = e.to_string();
                        self.events.emit(EngineEvent::StoreFault {
                            operation: "claim",
                            error,
                        });
                    }
                    Err(e) => return Err(e.into()),
                }
                self.start_buffered(&mut buffer, lanes, inflight, tx);
            } else {
                drained = false;
            }
            wake = tokio::select! {
                biased;
                _ = shutdown.cancelled() => Wake::Shutdown,
                _ = lanes.slot_freed.notified(), if !drained || !buffer.is_empty() => Wake::SlotFreed,
                _ = &mut notified, if drained => Wake::WorkSignal,
                _ = tokio::time::sleep(self.config.poll_interval) => Wake::PollTick,
            };
            tracing::trace!(?wake, "dispatcher woke");
        }
        let unstarted: Vec<LeaseRef> = buffer
            .iter()
            .filter_map(|(task, cancel)| {
                cancel.cancel();
                LeaseRef::of(task)
            })
            .collect();
        self.release(&unstarted, inflight).await;
        Ok(())
    }

    /// Starts buffered tasks on free slots.
    fn start_buffered(
        &self,
        buffer: &mut VecDeque<Claimed>,
        lanes: &Arc<Lanes>,
        inflight: &InFlight,
        tx: &mpsc::Sender<completer::Finished>,
    ) {
        while !buffer.is_empty() {
            let Some(permit) = lanes.try_slot() else {
                return;
            };
            if let Some((task, cancel)) = buffer.pop_front() {
                let env = execute::Env {
                    registry: &self.registry,
                    handles: &self.handles,
                    queue: &self.queue,
                    worker: &self.config.worker,
                    events: &self.events,
                    lanes,
                    inflight,
                };
                execute::spawn(task, cancel, permit, tx.clone(), &env);
            }
        }
    }

    /// Claims up to `want` tasks into the local buffer; returns how many.
    async fn claim_into(
        &self,
        want: usize,
        inflight: &InFlight,
        buffer: &mut VecDeque<Claimed>,
    ) -> Result<usize, juggernaut_store::StoreError> {
        let req = ClaimRequest {
            worker: self.config.worker.clone(),
            kinds: self.config.kinds.clone(),
            limit: u32::try_from(want).unwrap_or(u32::MAX),
            lease: self.config.lease,
        };
        let tasks = self.queue.claim(&req).await?;
        let got = tasks.len();
        let now = chrono::Utc::now();
        for t in &tasks {
            let ready_since = t.run_at.max(t.created_at);
            let waited_ms = u64::try_from((now - ready_since).num_milliseconds()).unwrap_or(0);
            self.events.emit(EngineEvent::TaskClaimed {
                task: t.id,
                kind: t.kind.to_string(),
                waited_ms,
            });
        }
        let Ok(mut map) = inflight.lock() else {
            return Ok(got);
        };
        for task in tasks {
            let Some(lease) = LeaseRef::of(&task) else {
                tracing::error!(task = %task.id, "claimed task has no lease; skipped");
                continue;
            };
            let cancel = CancellationToken::new();
            let held = Held {
                lease,
                cancel: cancel.clone(),
                finished: false,
            };
            map.insert(task.id, held);
            buffer.push_back((task, cancel));
        }
        Ok(got)
    }

    /// Records why the dispatcher is idle after a claim, or that it is busy.
    fn report_idle(&self, got: usize, held: usize) {
        if got == 0 && held == 0 {
            let kinds: Vec<&str> = self.config.kinds.iter().map(|k| k.as_str()).collect();
            let (code, reason) = if kinds.is_empty() {
                (
                    Idle::NoKinds,
                    "this worker serves no task kind that has a handler".to_owned(),
                )
            } else {
                (
                    Idle::NoReadyTasks,
                    format!("no ready tasks of kinds {}", kinds.join(", ")),
                )
            };
            self.idle.idle(Loop::Dispatcher, code, reason);
        } else {
            self.idle.busy(Loop::Dispatcher);
        }
    }

    /// Waits for in-flight tasks up to the grace period, then stops the ones still running and
    /// hands their leases back so another worker takes them at once (finished ones are left to
    /// the completer).
    async fn drain(&self, lanes: &Lanes, inflight: &InFlight) {
        let waited = tokio::time::timeout(self.config.shutdown_grace, lanes.settled()).await;
        if waited.is_err() {
            let left: Vec<Held> = match inflight.lock() {
                Ok(map) => map.values().filter(|h| !h.finished).cloned().collect(),
                Err(_) => Vec::new(),
            };
            tracing::warn!(
                tasks = left.len(),
                "shutdown grace over; handing in-flight tasks back"
            );
            for h in &left {
                h.cancel.cancel();
            }
            let leases: Vec<LeaseRef> = left.into_iter().map(|h| h.lease).collect();
            self.release(&leases, inflight).await;
        }
    }

    /// Hands leases back to the store (the attempts do not count) and forgets them.
    async fn release(&self, leases: &[LeaseRef], inflight: &InFlight) {
        if leases.is_empty() {
            return;
        }
        match self.queue.release(leases, &self.config.worker.0).await {
            Ok(released) => self.events.emit(EngineEvent::LeasesReleased {
                count: released.len(),
            }),
            Err(e) => tracing::warn!(error = %e, "could not hand leases back; they will lapse"),
        }
        forget(inflight, leases.iter().copied());
    }
}
