//! The sampler loop (leader only): every `interval`, active goals past their deadline become
//! `missed`, then every other active goal whose metric is read (not set by hand) is read through
//! the [`MetricReader`] and the value recorded into its series; a reading that meets the target
//! achieves the goal in the same transaction. A pass runs as a task of its own, so slow sources
//! never hold up leadership or the watchdog, and passes never overlap. A source that fails is
//! reported when its error changes, not every pass; `status` shows the goals that cannot be read.
//!
//! The engine does not know what a source is: the binary gives it a reader (SQL data sources,
//! JSON over HTTP) that turns a goal into a number.

use super::leader::Reporting;
use crate::events::EngineEvent;
use crate::idle::{Idle, Loop};
use async_trait::async_trait;
use futures::StreamExt;
use juggernaut_core::goal::MetricSource;
use juggernaut_core::text::clipped;
use juggernaut_core::{Goal, GoalId, GoalStatus};
use juggernaut_store::{GoalFilter, Store, StoreError};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Most active goals looked at in one pass (the store lists at most this many at once).
pub const MAX_GOALS: u32 = 1000;

/// Longest read error kept and reported, in bytes.
const MAX_REASON: usize = 500;

/// Who records the readings (the series' `source`, the audit actor).
const ACTOR: &str = "sampler";

/// Reads a goal's metric now.
#[async_trait]
pub trait MetricReader: Send + Sync {
    /// The goal's current value; `Ok(None)` when its metric is not read (no target, or set by
    /// hand). An error is one sentence naming the source, without credentials.
    async fn read(&self, goal: &Goal) -> Result<Option<f64>, String>;
}

/// The sampler loop's settings.
#[derive(Debug, Clone)]
pub struct SamplerConfig {
    /// How often it reads every metric.
    pub interval: Duration,
    /// How many reads run at once.
    pub concurrency: usize,
}

impl Default for SamplerConfig {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(60),
            concurrency: 4,
        }
    }
}

/// The sampler loop's settings and what reads the metrics.
#[derive(Clone)]
pub struct Sampling {
    /// Settings.
    pub config: SamplerConfig,
    /// The metric reader.
    pub reader: Arc<dyn MetricReader>,
}

impl std::fmt::Debug for Sampling {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sampling")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Each goal's last read error.
type Failures = HashMap<GoalId, String>;

/// The loop across passes: when the next is due, the pass in flight, the errors last reported.
#[derive(Debug, Default)]
pub(super) struct Sampler {
    next: Option<Instant>,
    running: Option<JoinHandle<Failures>>,
    failures: Failures,
}

impl Sampler {
    /// Starts a pass if one is due and none is running.
    pub(super) async fn tick(
        &mut self,
        store: &Arc<dyn Store>,
        sampling: &Sampling,
        report: &Reporting,
    ) {
        if let Some(done) = self.running.take_if(|h| h.is_finished()) {
            self.failures = done.await.unwrap_or_default();
        }
        let now = Instant::now();
        if self.running.is_some() || self.next.is_some_and(|n| now < n) {
            return;
        }
        self.next = Some(now + sampling.config.interval);
        self.running = Some(tokio::spawn(pass(
            store.clone(),
            sampling.clone(),
            report.clone(),
            std::mem::take(&mut self.failures),
        )));
    }

    /// Stops the pass in flight (the node is stopping, or no longer leads).
    pub(super) fn stop(&mut self) {
        if let Some(h) = self.running.take() {
            h.abort();
        }
    }
}

/// Whether a goal's metric is read by the sampler (it has a target not set by hand).
fn is_read(goal: &Goal) -> bool {
    goal.spec
        .target
        .as_ref()
        .is_some_and(|t| !matches!(t.source, MetricSource::Manual))
}

/// One pass: misses, reads, records; returns the errors now standing.
async fn pass(
    store: Arc<dyn Store>,
    sampling: Sampling,
    report: Reporting,
    mut failures: Failures,
) -> Failures {
    match store.mark_missed(ACTOR).await {
        Ok(goals) if !goals.is_empty() => report.events.emit(EngineEvent::GoalsMissed { goals }),
        Ok(_) => {}
        Err(e) => return unavailable(&report, "mark_missed", e, failures),
    }
    let active = GoalFilter {
        statuses: vec![GoalStatus::Active],
        ..Default::default()
    };
    let goals = match store.list_goals(&active, MAX_GOALS).await {
        Ok(g) => g,
        Err(e) => return unavailable(&report, "list_goals", e, failures),
    };
    let capped = if goals.len() >= MAX_GOALS as usize {
        format!(" (only the newest {MAX_GOALS} active goals are read)")
    } else {
        String::new()
    };
    let measured: Vec<Goal> = goals.into_iter().filter(is_read).collect();
    if measured.is_empty() {
        report.idle.idle(
            Loop::Sampler,
            Idle::NoOpenGoals,
            "no active goal has a metric to read",
        );
        failures.clear();
        return failures;
    }
    let reader = sampling.reader.clone();
    let mut readings = futures::stream::iter(measured)
        .map(|g| {
            let reader = reader.clone();
            async move {
                let value = reader.read(&g).await;
                (g.id, value)
            }
        })
        .buffer_unordered(sampling.config.concurrency.max(1));
    let (mut seen, mut recorded, mut failed) = (HashSet::new(), 0usize, Vec::new());
    while let Some((goal, value)) = readings.next().await {
        seen.insert(goal);
        let reason = match value {
            Ok(None) => continue,
            Ok(Some(value)) => match store.record_metric(goal, value, ACTOR).await {
                Ok(r) => {
                    recorded += 1;
                    failures.remove(&goal);
                    report
                        .events
                        .emit(EngineEvent::MetricSampled { goal, value });
                    if r.achieved {
                        report
                            .events
                            .emit(EngineEvent::GoalAchieved { goal, value });
                    }
                    continue;
                }
                Err(e @ StoreError::Domain(_)) => format!("the reading {value} was refused: {e}"),
                Err(e) => return unavailable(&report, "record_metric", e, failures),
            },
            Err(reason) => clipped(&reason, MAX_REASON),
        };
        if failures.get(&goal) != Some(&reason) {
            report.events.emit(EngineEvent::MetricReadFailed {
                goal,
                reason: reason.clone(),
            });
        }
        failed.push(format!("goal {goal}: {reason}"));
        failures.insert(goal, reason);
    }
    failures.retain(|g, _| seen.contains(g));
    let every = sampling.config.interval.as_secs_f64();
    if failed.is_empty() {
        report.idle.idle(
            Loop::Sampler,
            Idle::WaitingForNextPass,
            format!("recorded {recorded} reading(s){capped}; next pass in {every} s"),
        );
    } else {
        report.idle.idle(
            Loop::Sampler,
            Idle::MetricsUnreadable,
            format!(
                "{} metric(s) cannot be read (recorded {recorded}{capped}): {}",
                failed.len(),
                clipped(&failed.join("; "), 2 * MAX_REASON)
            ),
        );
    }
    failures
}

fn unavailable(
    report: &Reporting,
    operation: &'static str,
    error: StoreError,
    failures: Failures,
) -> Failures {
    let error = error.to_string();
    report.idle.idle(
        Loop::Sampler,
        Idle::StoreUnavailable,
        format!("store unavailable: {error}"),
    );
    report
        .events
        .emit(EngineEvent::StoreFault { operation, error });
    failures
}
