//! The scheduler: fires due cron schedules. Each fire time creates its task once (the store's
//! compare-and-set); missed fire times while no leader ran are not replayed, the next one is.
//!
//! A schedule that cannot fire (a row written by an older binary or by hand that today's checks
//! refuse, or one whose fire the store refuses) is reported once, as a `schedule_skipped` event,
//! and skipped; the others fire as usual.

use super::leader::Reporting;
use crate::events::EngineEvent;
use crate::idle::{Idle, Loop};
use chrono::{DateTime, Utc};
use juggernaut_core::WorkerId;
use juggernaut_core::schedule::CronExpr;
use juggernaut_store::Store;
use std::collections::HashSet;

/// The scheduler's memory between passes: the bad schedules it has already reported.
#[derive(Debug, Default)]
pub struct Scheduler {
    reported: HashSet<(i64, String)>,
}

impl Scheduler {
    /// One pass.
    pub async fn tick(&mut self, store: &dyn Store, id: &WorkerId, report: &Reporting) {
        let idle = &report.idle;
        let (schedules, now) = match (store.list_schedules().await, store.now().await) {
            (Ok(s), Ok(n)) => (s, n),
            (Err(e), _) | (_, Err(e)) => {
                return idle.idle(
                    Loop::Scheduler,
                    Idle::StoreUnavailable,
                    format!("store unavailable: {e}"),
                );
            }
        };
        for bad in &schedules.invalid {
            self.skip(report, bad.id, &bad.name, bad.reason.clone());
        }
        let actor = format!("scheduler:{id}");
        // Each schedule's next fire time after this pass, for the idle reason (no second read).
        let mut upcoming: Vec<(&str, DateTime<Utc>)> = Vec::new();
        for s in &schedules.valid {
            if s.next_fire_at > now {
                upcoming.push((s.name.as_str(), s.next_fire_at));
                continue;
            }
            let next = match CronExpr::parse(&s.cron).map(|c| c.next_after(now)) {
                Ok(Some(n)) => n,
                Ok(None) => {
                    self.skip(report, s.id, &s.name, "it never fires again".into());
                    continue;
                }
                Err(e) => {
                    self.skip(report, s.id, &s.name, e.to_string());
                    continue;
                }
            };
            match store
                .fire_schedule(s.id, s.next_fire_at, next, &actor)
                .await
            {
                Ok(Some(task)) => report.events.emit(EngineEvent::ScheduleFired {
                    schedule: s.name.clone(),
                    task,
                }),
                Ok(None) => tracing::debug!(schedule = %s.name, "fired elsewhere"),
                Err(e) if e.is_retryable() => report.events.emit(EngineEvent::StoreFault {
                    operation: "fire_schedule",
                    error: e.to_string(),
                }),
                Err(e) => {
                    self.skip(report, s.id, &s.name, e.to_string());
                    continue;
                }
            }
            upcoming.push((s.name.as_str(), next));
        }
        let (code, reason) = match upcoming.iter().min_by_key(|(_, at)| *at) {
            Some((name, at)) => (
                Idle::WaitingForSchedule,
                format!("next fire: `{name}` at {}", at.to_rfc3339()),
            ),
            None if schedules.invalid.is_empty() => (Idle::NoSchedules, "no schedules".to_owned()),
            None => (Idle::NoSchedules, "no schedule that can fire".to_owned()),
        };
        let skipped = schedules.invalid.len();
        let reason = if skipped > 0 {
            format!(
                "{reason}; {skipped} invalid schedule(s) skipped (see `juggernaut schedule list`)"
            )
        } else {
            reason
        };
        idle.idle(Loop::Scheduler, code, reason);
    }

    /// Reports a schedule that cannot fire, once per schedule and reason.
    fn skip(&mut self, report: &Reporting, id: i64, name: &str, reason: String) {
        if self.reported.insert((id, reason.clone())) {
            report.events.emit(EngineEvent::ScheduleSkipped {
                schedule: name.to_owned(),
                reason,
            });
        }
    }
}
