//! The escalator (leader only): every scan it raises escalations for stuck tasks, repeated
//! failures, new dead letters, stale approvals, exhausted budgets and goals at risk (see
//! [`rules`]), deduplicated by the store on their keys, then sends every open escalation not yet
//! sent through the node's [`EscalationSink`] (the CLI's is the `notify` tool) and marks it
//! sent. A failed send is tried again on the next scan, reported once per escalation, never
//! fatal. Without a sink escalations are only recorded, and the idle reason says so.

mod rules;

use super::leader::Reporting;
use crate::events::EngineEvent;
use crate::idle::{Idle, Loop};
use async_trait::async_trait;
use juggernaut_core::ids::EventId;
use juggernaut_core::{Escalation, EscalationId, NewEscalation, WorkerId};
use juggernaut_store::{Store, StoreError};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

/// Most unsent escalations sent per scan (the rest go on the next ones).
const SENDS_PER_SCAN: u32 = 100;

/// Where escalations go: a person's channel.
#[async_trait]
pub trait EscalationSink: Send + Sync {
    /// What it sends to, for status lines (`notify channel ops`).
    fn describe(&self) -> String;

    /// Sends one escalation; `Err` says why it was not sent.
    async fn send(&self, escalation: &Escalation) -> Result<(), String>;
}

/// The escalator's thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct EscalatorConfig {
    /// How often it scans.
    pub scan: Duration,
    /// A task ready (or due) this long without a claim is stuck.
    pub stuck: Duration,
    /// A task waiting for approval this long is stale.
    pub stale_approval: Duration,
    /// A kind failing this many attempts within an hour is escalated.
    pub failures_per_hour: u32,
    /// The daily money budget (`[budgets]`), if any: spending it is escalated.
    pub day_budget_usd: Option<f64>,
}

impl Default for EscalatorConfig {
    fn default() -> Self {
        Self {
            scan: Duration::from_secs(60),
            stuck: Duration::from_secs(900),
            stale_approval: Duration::from_secs(14_400),
            failures_per_hour: 5,
            day_budget_usd: None,
        }
    }
}

/// The escalator's settings and where it sends.
#[derive(Clone)]
pub struct Escalating {
    /// Thresholds and pacing.
    pub config: EscalatorConfig,
    /// Where new escalations are sent; `None`: only recorded.
    pub sink: Option<Arc<dyn EscalationSink>>,
}

impl std::fmt::Debug for Escalating {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Escalating")
            .field("config", &self.config)
            .field("sink", &self.sink.as_ref().map(|s| s.describe()))
            .finish()
    }
}

/// What one scan did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// Escalations created.
    pub created: Vec<EscalationId>,
    /// Open escalations raised again (counted).
    pub counted: usize,
    /// Escalations sent and marked.
    pub sent: Vec<EscalationId>,
    /// Escalations whose send failed.
    pub unsent: Vec<EscalationId>,
}

/// The escalator's memory across scans while this node leads.
#[derive(Debug, Default)]
pub struct Escalator {
    /// The newest `task.dead` event already looked at.
    dead_after: Option<EventId>,
    /// Escalations whose failed send was reported.
    reported: HashSet<EscalationId>,
}

impl Escalator {
    /// Forgets the dead-letter cursor (leadership was lost: the next leader's first scan looks
    /// back instead).
    pub fn reset(&mut self) {
        self.dead_after = None;
    }

    /// One scan, reported through idle reasons and events.
    pub async fn tick(
        &mut self,
        store: &dyn Store,
        id: &WorkerId,
        escalating: &Escalating,
        report: &Reporting,
    ) {
        let scan = match self.scan(store, id, escalating, report).await {
            Ok(s) => s,
            Err(e) => {
                report.idle.idle(
                    Loop::Escalator,
                    Idle::StoreUnavailable,
                    format!("store unavailable: {e}"),
                );
                return report.events.emit(EngineEvent::StoreFault {
                    operation: "escalate",
                    error: e.to_string(),
                });
            }
        };
        let next = escalating.config.scan.as_secs();
        let (code, text) = match &escalating.sink {
            None => (
                Idle::NoNotifyChannel,
                format!(
                    "raised {} new escalation(s), {} again; recorded only: no notify channel \
                     ([escalation] channel); next scan in {next}s",
                    scan.created.len(),
                    scan.counted
                ),
            ),
            Some(sink) => (
                Idle::WaitingForNextPass,
                format!(
                    "raised {} new escalation(s), {} again; sent {} to {}{}; next scan in {next}s",
                    scan.created.len(),
                    scan.counted,
                    scan.sent.len(),
                    sink.describe(),
                    if scan.unsent.is_empty() {
                        String::new()
                    } else {
                        format!(", {} failed (retried next scan)", scan.unsent.len())
                    }
                ),
            ),
        };
        report.idle.idle(Loop::Escalator, code, text);
    }

    /// Raises what the rules find, then sends what is unsent.
    pub async fn scan(
        &mut self,
        store: &dyn Store,
        id: &WorkerId,
        escalating: &Escalating,
        report: &Reporting,
    ) -> Result<Scan, StoreError> {
        let c = &escalating.config;
        let now = store.now().await?;
        let mut found: Vec<NewEscalation> = rules::overdue(store, c).await?;
        found.extend(rules::failures(store, c, now).await?);
        let (dead, newest) = rules::dead_letters(store, self.dead_after, now).await?;
        found.extend(dead);
        found.extend(rules::budgets(store, c, now).await?);
        found.extend(rules::goals_at_risk(store, now).await?);
        let actor = format!("escalator:{id}");
        let mut scan = Scan::default();
        for e in found {
            let key = e.key.clone();
            match store.raise(e, &actor).await {
                Ok((raised, true)) => {
                    scan.created.push(raised.id);
                    report.events.emit(EngineEvent::EscalationRaised {
                        escalation: raised.id,
                        key: raised.key,
                        kind: raised.kind,
                        level: raised.level,
                    });
                }
                Ok((_, false)) => scan.counted += 1,
                Err(err) if !err.is_retryable() => report.events.emit(EngineEvent::StoreFault {
                    operation: "raise_escalation",
                    error: format!("escalation {key} refused: {err}"),
                }),
                Err(err) => return Err(err),
            }
        }
        // Only after every dead letter up to `newest` was raised.
        self.dead_after = newest;
        if let Some(sink) = &escalating.sink {
            self.send(store, sink.as_ref(), report, &mut scan).await?;
        }
        Ok(scan)
    }

    async fn send(
        &mut self,
        store: &dyn Store,
        sink: &dyn EscalationSink,
        report: &Reporting,
        scan: &mut Scan,
    ) -> Result<(), StoreError> {
        for e in store.unnotified(SENDS_PER_SCAN).await? {
            match sink.send(&e).await {
                Ok(()) => {
                    // Marked at once: a later failure must not send this one again.
                    store.mark_notified(&[e.id]).await?;
                    self.reported.remove(&e.id);
                    scan.sent.push(e.id);
                }
                Err(error) => {
                    if self.reported.insert(e.id) {
                        report.events.emit(EngineEvent::EscalationNotSent {
                            escalation: e.id,
                            error,
                        });
                    }
                    scan.unsent.push(e.id);
                }
            }
        }
        Ok(())
    }
}
