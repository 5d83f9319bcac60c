//! The process's Prometheus metrics, kept with prometheus-client and fed only by engine events
//! (and, at scrape time, by the queue counts and idle reasons the server reads): events by name,
//! how long tasks waited from ready to claim, how long each kind ran, how long result write-back
//! took. Every label takes its values from a closed set, so the number of series is bounded.

use crate::events::{EVENT_NAMES, EngineEvent};
use crate::idle::{Idle, Loop};
use juggernaut_core::TaskStatus;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventLabel {
    event: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabel {
    status: String,
}

/// `loop` and `reason` (`loop` is a keyword, hence pairs rather than a struct).
type IdleLabels = Vec<(String, String)>;

/// Seconds from half a millisecond to about two minutes, doubling.
fn seconds() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 18))
}

/// The registry and its series.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// Each event's counter, by [`EngineEvent::index`] (handles into the registered family, so
    /// counting needs no label lookup).
    events: Vec<Counter>,
    claim_wait: Histogram,
    run: Family<KindLabel, Histogram, fn() -> Histogram>,
    write_back: Histogram,
    tasks: Family<StatusLabel, Gauge>,
    leader: Gauge,
    idle: Family<IdleLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Every series, registered; closed label sets start at zero.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let family = Family::<EventLabel, Counter>::default();
        let events: Vec<Counter> = EVENT_NAMES
            .iter()
            .map(|name| {
                family
                    .get_or_create(&EventLabel {
                        event: (*name).into(),
                    })
                    .clone()
            })
            .collect();
        let claim_wait = seconds();
        let run = Family::<KindLabel, Histogram, fn() -> Histogram>::new_with_constructor(seconds);
        let write_back = seconds();
        let tasks = Family::<StatusLabel, Gauge>::default();
        let leader = Gauge::default();
        let idle = Family::<IdleLabels, Gauge>::default();
        registry.register(
            "juggernaut_engine_events",
            "Engine events this process emitted, by event",
            family,
        );
        registry.register(
            "juggernaut_claim_wait_seconds",
            "Time from a task being ready (its run time, or its creation) to its claim",
            claim_wait.clone(),
        );
        registry.register(
            "juggernaut_run_seconds",
            "Time a handler and its verifier took, by kind",
            run.clone(),
        );
        registry.register(
            "juggernaut_write_back_seconds",
            "Time to write a batch of results to the store",
            write_back.clone(),
        );
        registry.register("juggernaut_tasks", "Tasks by status", tasks.clone());
        registry.register(
            "juggernaut_leader",
            "1 if this process leads the singleton loops",
            leader.clone(),
        );
        registry.register(
            "juggernaut_idle",
            "1 for each loop of this process that is idle, labelled with why (a code; `juggernaut status` has the sentence)",
            idle.clone(),
        );
        Self {
            registry,
            events,
            claim_wait,
            run,
            write_back,
            tasks,
            leader,
            idle,
        }
    }

    /// Counts an event and records its timings.
    pub fn observe(&self, e: &EngineEvent) {
        if let Some(c) = self.events.get(e.index()) {
            c.inc();
        }
        match e {
            EngineEvent::TaskClaimed { waited_ms, .. } => {
                self.claim_wait.observe(*waited_ms as f64 / 1000.0)
            }
            EngineEvent::TaskRan { kind, run_ms, .. } => self
                .run
                .get_or_create(&KindLabel { kind: kind.clone() })
                .observe(*run_ms as f64 / 1000.0),
            EngineEvent::ResultsWritten { write_ms, .. } => {
                self.write_back.observe(*write_ms as f64 / 1000.0)
            }
            _ => {}
        }
    }

    /// How many of each event, by name.
    pub fn event_counts(&self) -> Vec<(&'static str, u64)> {
        EVENT_NAMES
            .iter()
            .zip(&self.events)
            .map(|(n, c)| (*n, c.get()))
            .collect()
    }

    /// Sets the scrape-time gauges: queue counts, leadership, idle reasons.
    pub fn set_state(
        &self,
        counts: &[(TaskStatus, u64)],
        leading: bool,
        idle: &[(&'static str, Idle, String)],
    ) {
        for status in TaskStatus::ALL {
            let n = counts
                .iter()
                .find(|(s, _)| *s == status)
                .map_or(0, |(_, n)| *n);
            self.tasks
                .get_or_create(&StatusLabel {
                    status: status.as_str().into(),
                })
                .set(i64::try_from(n).unwrap_or(i64::MAX));
        }
        self.leader.set(i64::from(leading));
        for l in Loop::ALL {
            for code in Idle::ALL {
                let on = idle
                    .iter()
                    .any(|(name, c, _)| *name == l.as_str() && *c == code);
                let labels = vec![
                    ("loop".to_owned(), l.as_str().to_owned()),
                    ("reason".to_owned(), code.as_str().to_owned()),
                ];
                self.idle.get_or_create(&labels).set(i64::from(on));
            }
        }
    }

    /// The text exposition of every series (OpenMetrics).
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use juggernaut_core::TaskId;

    #[test]
    fn events_and_state_render_with_closed_labels() {
        let m = Metrics::new();
        m.observe(&EngineEvent::TaskRan {
            task: TaskId(1),
            kind: "noop".into(),
            run_ms: 3,
        });
        m.set_state(
            &[(TaskStatus::Ready, 4)],
            true,
            &[("scheduler", Idle::NoSchedules, "free text".into())],
        );
        let text = m.render();
        assert!(
            text.contains("juggernaut_engine_events_total{event=\"task_ran\"} 1"),
            "{text}"
        );
        assert!(text.contains("juggernaut_engine_events_total{event=\"task_completed\"} 0"));
        assert!(
            text.contains("juggernaut_run_seconds_count{kind=\"noop\"} 1"),
            "{text}"
        );
        assert!(text.contains("juggernaut_tasks{status=\"ready\"} 4"));
        assert!(text.contains("juggernaut_leader 1"));
        assert!(
            text.contains("juggernaut_idle{loop=\"scheduler\",reason=\"no_schedules\"} 1"),
            "{text}"
        );
        assert!(text.contains("juggernaut_idle{loop=\"scheduler\",reason=\"not_leader\"} 0"));
        assert!(!text.contains("free text"));
    }
}
