//! The scheduler: fires due cron schedules. Each fire time creates its task once (the store's
//! compare-and-set); missed fire times while no leader ran are not replayed, the next one is.

use super::leader::Reporting;
use crate::events::EngineEvent;
use crate::idle::Loop;
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
    for s in schedules.iter().filter(|s| s.next_fire_at <= now) {
        let next = match CronExpr::parse(&s.cron).map(|c| c.next_after(now)) {
            Ok(Some(n)) => n,
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
    let reason = match store.list_schedules().await {
        Ok(all) => match all.iter().min_by_key(|s| s.next_fire_at) {
            Some(s) => format!("next fire: `{}` at {}", s.name, s.next_fire_at.to_rfc3339()),
            None => "no schedules".to_owned(),
        },
        Err(e) => format!("store unavailable: {e}"),
    };
    idle.idle(Loop::Scheduler, reason);
}
