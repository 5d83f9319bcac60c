//! What the escalator raises on one scan, rule by rule, each from one bounded, set-based read:
//! stuck tasks and stale approvals (`overdue_tasks`), repeated failures (`failing_kinds`), new
//! dead letters (the `task.dead` events after the last one seen), exhausted budgets (the day's
//! spend, `goals_over_budget`) and goals at risk (the active goals' forecasts).

use super::EscalatorConfig;
use chrono::{DateTime, Utc};
use juggernaut_core::escalation::{EscalationKind as K, EscalationLevel as L, NewEscalation};
use juggernaut_core::forecast::{self, ForecastStatus};
use juggernaut_core::ids::EventId;
use juggernaut_core::{EventKind, Goal, GoalStatus, TaskStatus};
use juggernaut_store::capability::costs::EPSILON_USD;
use juggernaut_store::{AuditCursor, AuditFilter, CostFilter, GoalFilter, Store, StoreError};
use std::collections::HashSet;
use std::time::Duration;

/// Most records one read of a rule looks at.
const READ: u32 = 1000;

/// How far back the first scan of a leadership looks for dead letters (keys used before are
/// skipped, so an acknowledged one is not raised again).
const DEAD_LOOKBACK: chrono::Duration = chrono::Duration::hours(24);

fn new(key: String, kind: K, level: L, message: String) -> NewEscalation {
    NewEscalation {
        key,
        kind,
        level,
        task_id: None,
        goal_id: None,
        message: juggernaut_core::text::clipped(&message, juggernaut_core::escalation::MAX_MESSAGE),
    }
}

/// Stuck tasks and stale approvals.
pub async fn overdue(
    store: &dyn Store,
    c: &EscalatorConfig,
) -> Result<Vec<NewEscalation>, StoreError> {
    let found = store.overdue_tasks(c.stuck, c.stale_approval, READ).await?;
    let now = store.now().await?;
    Ok(found
        .into_iter()
        .map(|o| {
            let waited = (now - o.since).num_seconds().max(0);
            let what = format!("task {} (`{}` \"{}\")", o.task, o.kind, o.title);
            let mut e = if o.status == TaskStatus::WaitingApproval {
                new(
                    format!("stale_approval:{}", o.task),
                    K::StaleApproval,
                    L::Info,
                    format!("{what} has waited {waited}s for approval"),
                )
            } else {
                new(
                    format!("stuck:{}", o.task),
                    K::StuckTask,
                    L::Warning,
                    format!(
                        "{what} is {} and unclaimed for {waited}s: is a worker serving `{}`?",
                        o.status, o.kind
                    ),
                )
            };
            e.task_id = Some(o.task);
            e.goal_id = o.goal;
            e
        })
        .collect())
}

/// Kinds failing at least `failures_per_hour` times in the last hour.
pub async fn failures(
    store: &dyn Store,
    c: &EscalatorConfig,
    now: DateTime<Utc>,
) -> Result<Vec<NewEscalation>, StoreError> {
    let hour = now.format("%Y-%m-%dT%H");
    let found = store
        .failing_kinds(Duration::from_secs(3600), c.failures_per_hour, 100)
        .await?;
    Ok(found
        .into_iter()
        .map(|f| {
            new(
                format!("failures:{}:{hour}", f.kind),
                K::RepeatedFailures,
                L::Warning,
                format!(
                    "`{}` attempts failed {} times in the last hour (threshold {})",
                    f.kind, f.failures, c.failures_per_hour
                ),
            )
        })
        .collect())
}

/// Tasks that went `dead` after the event `after` (or, with none, in the last day with keys
/// not used yet), and the newest event id seen.
pub async fn dead_letters(
    store: &dyn Store,
    after: Option<EventId>,
    now: DateTime<Utc>,
) -> Result<(Vec<NewEscalation>, Option<EventId>), StoreError> {
    let filter = AuditFilter {
        kinds: vec![EventKind::TaskDead],
        since: after.is_none().then(|| now - DEAD_LOOKBACK),
        ..Default::default()
    };
    let page = store
        .audit(
            &filter,
            AuditCursor {
                before: None,
                limit: READ,
            },
        )
        .await?;
    let newest = page.events.first().map(|e| e.id).or(after);
    let mut raised: Vec<NewEscalation> = page
        .events
        .iter()
        .rev()
        .filter(|e| after.is_none_or(|a| e.id > a))
        .filter_map(|e| {
            let task = e.task_id?;
            let error = e.data["error"].as_str().unwrap_or("unknown error");
            let attempt = e.data["attempt"].as_i64().unwrap_or_default();
            let mut n = new(
                format!("dead:{task}"),
                K::DeadLetter,
                L::Warning,
                format!(
                    "task {task} is dead after {attempt} attempt(s): {error} \
                     (`juggernaut dlq` lists it; `juggernaut task retry {task}` requeues it)"
                ),
            );
            n.task_id = Some(task);
            n.goal_id = e.goal_id;
            Some(n)
        })
        .collect();
    if after.is_none() && !raised.is_empty() {
        let keys: Vec<String> = raised.iter().map(|e| e.key.clone()).collect();
        let used: HashSet<String> = store
            .escalation_keys_used(&keys)
            .await?
            .into_iter()
            .collect();
        raised.retain(|e| !used.contains(&e.key));
    }
    let mut seen = HashSet::new();
    raised.retain(|e| seen.insert(e.key.clone()));
    // More died than one read holds: the older ones are not listed one by one, so say so once.
    let oldest = page.events.last().map(|e| e.id);
    if page.events.len() >= READ as usize && after.is_some_and(|a| oldest.is_some_and(|o| o > a)) {
        let mut burst = new(
            format!("dead:burst:{}", newest.map_or(0, |n| n.0)),
            K::DeadLetter,
            L::Critical,
            format!(
                "more than {READ} tasks went dead since the last scan; only the newest are \
                 escalated one by one (`juggernaut dlq list` shows them all)"
            ),
        );
        burst.task_id = None;
        raised.push(burst);
    }
    Ok((raised, newest))
}

/// The day's spend at the daily budget, and goals' spend at theirs.
pub async fn budgets(
    store: &dyn Store,
    c: &EscalatorConfig,
    now: DateTime<Utc>,
) -> Result<Vec<NewEscalation>, StoreError> {
    let mut out = Vec::new();
    if let Some(limit) = c.day_budget_usd {
        let day = now.date_naive();
        let spend = store
            .spend(&CostFilter {
                day: Some(day),
                ..Default::default()
            })
            .await?;
        if spend.total_usd() + EPSILON_USD >= limit {
            out.push(new(
                format!("budget:day:{day}"),
                K::BudgetExhausted,
                L::Critical,
                format!(
                    "the daily budget is spent: ${:.2} of ${limit:.2} on {day}; paid calls are \
                     refused until tomorrow (UTC) or a higher [budgets] limit",
                    spend.total_usd()
                ),
            ));
        }
    }
    for g in store.goals_over_budget(100).await? {
        let mut e = new(
            format!("budget:goal:{}", g.goal),
            K::BudgetExhausted,
            L::Critical,
            format!(
                "goal {} has spent its budget: ${:.2} of ${:.2}; its paid calls are refused",
                g.goal, g.spent_usd, g.budget_usd
            ),
        );
        e.goal_id = Some(g.goal);
        out.push(e);
    }
    Ok(out)
}

/// Active goals with a target and a deadline still ahead whose forecast falls short: the line
/// through their readings, extended to the deadline, stays under the target (critical when even
/// the top of its 90% interval does). A goal with too few readings for a line is at risk when
/// less than a quarter of its span is left and its latest reading is under half its target.
pub async fn goals_at_risk(
    store: &dyn Store,
    now: DateTime<Utc>,
) -> Result<Vec<NewEscalation>, StoreError> {
    let active = GoalFilter {
        statuses: vec![GoalStatus::Active],
        ..Default::default()
    };
    let mut out = Vec::new();
    for g in store.list_goals(&active, READ).await? {
        let (Some(deadline), Some(target)) = (g.spec.deadline, g.spec.target.as_ref()) else {
            continue;
        };
        if deadline <= now {
            continue;
        }
        let series = store.metric_series(g.id, forecast::MAX_POINTS).await?;
        let f = forecast::forecast(&series, target.target, deadline, now);
        let found = match f.status {
            ForecastStatus::AtRisk => Some((
                if f.certain_miss() {
                    L::Critical
                } else {
                    L::Warning
                },
                format!(
                    "goal {} (\"{}\") is forecast to miss its target: {}",
                    g.id, g.spec.title, f.explanation
                ),
            )),
            ForecastStatus::InsufficientData => late_and_low(&g, now).map(|m| (L::Warning, m)),
            ForecastStatus::Met | ForecastStatus::OnTrack => None,
        };
        if let Some((level, message)) = found {
            let day = now.date_naive();
            let mut e = new(
                format!("goal_at_risk:{}:{day}", g.id),
                K::GoalAtRisk,
                level,
                message,
            );
            e.goal_id = Some(g.id);
            out.push(e);
        }
    }
    Ok(out)
}

/// Without a rate: less than a quarter of the span left and under half the target.
fn late_and_low(g: &Goal, now: DateTime<Utc>) -> Option<String> {
    let deadline = g.spec.deadline?;
    let target = g.spec.target.as_ref()?;
    let current = g.current?;
    let span = deadline - g.created_at;
    let left = deadline - now;
    (left * 4 < span && current < target.target / 2.0).then(|| {
        format!(
            "goal {} (\"{}\") is at {current} of {} {} with {}h left of {}h (too few readings \
             for a forecast)",
            g.id,
            g.spec.title,
            target.target,
            target.unit,
            left.num_hours(),
            span.num_hours()
        )
    })
}
