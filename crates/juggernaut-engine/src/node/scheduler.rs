//! The scheduler: fires due cron schedules. Each fire time creates its task once (the store's
//! compare-and-set); missed fire times while no leader ran are not replayed, the next one is.

use super::leader::Reporting;
use crate::events::EngineEvent;
use crate::idle::Loop;
use chrono::{DateTime, Utc};
use juggernaut_core::WorkerId;
use juggernaut_core::schedule::CronExpr;
use juggernaut_store::Store;

/// One pass.
pub async fn tick(store: &dyn Store, id: &WorkerId, report: &Reporting) {
    let idle = &report.idle;
    let (schedules, now) = match (store.list_schedules().await, store.now().await) {
        (Ok(s), Ok(n)) => (s, n),
        (Err(e), _) | (_, Err(e)) => {
            return idle.idle(Loop::Scheduler, format!("store unavailable: {e}"));
        }
    };
    let actor = format!("scheduler:{id}");
    // Each schedule's next fire time after this pass, for the idle reason (no second read).
    let mut upcoming: Vec<(&str, DateTime<Utc>)> = schedules
        .iter()
        .filter(|s| s.next_fire_at > now)
        .map(|s| (s.name.as_str(), s.next_fire_at))
        .collect();
    for s in schedules.iter().filter(|s| s.next_fire_at <= now) {
        let next = match CronExpr::parse(&s.cron).map(|c| c.next_after(now)) {
            Ok(Some(n)) => {
                upcoming.push((s.name.as_str(), n));
                n
            }
            Ok(None) | Err(_) => {
                tracing::error!(schedule = %s.name, cron = %s.cron, "schedule can no longer fire; remove it");
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
            Err(e) => report.events.emit(EngineEvent::StoreFault {
                operation: "fire_schedule",
                error: e.to_string(),
            }),
        }
    }
    let reason = match upcoming.iter().min_by_key(|(_, at)| *at) {
        Some((name, at)) => format!("next fire: `{name}` at {}", at.to_rfc3339()),
        None => "no schedules".to_owned(),
    };
    idle.idle(Loop::Scheduler, reason);
}
