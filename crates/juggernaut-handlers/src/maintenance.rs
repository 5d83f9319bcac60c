//! `maintenance`: housekeeping of the queue itself, as a task, so that it can be scheduled by cron,
//! retried, and audited like any other work (the leader's watchdog and pruner loops do the same
//! continuously; this kind is for an extra pass on demand or on a schedule of its own).
//!
//! It takes back tasks whose lease expired ([`Queue::rescue_expired`]: `ready` again, or `dead`
//! when out of attempts) and deletes terminal tasks finished before the retention window
//! ([`Retention::prune_terminal`]). Result: `{"rescued": [ids], "dead": [ids], "pruned": n}`.
//!
//! Input ([`MaintenanceInput`]), an object with at most one of:
//! - `retention_days`: a whole number of days, 1 to 36,500 (default 30);
//! - `retention_secs`: a whole number of seconds, at least 1, for windows shorter than a day.
//!
//! Anything else (a fraction, zero, a negative number, a string, an unknown field) is refused at
//! enqueue, naming the field.
//!
//! Evidence: the work happens inside the store's own transactions, which write their own audit
//! events, so there is no outside artifact to point at. What proves this attempt did the work is
//! its run record under the attempt's lease token (as for `noop`: a stale or foreign run cannot
//! complete the task) and a `tasks_pruned` metric point carrying the number of tasks the prune
//! deleted, which the verifier matches against the result.
//!
//! [`Queue::rescue_expired`]: juggernaut_store::Queue::rescue_expired
//! [`Retention::prune_terminal`]: juggernaut_store::Retention::prune_terminal

use crate::noop::ran;
use async_trait::async_trait;
use juggernaut_core::Evidence;
use juggernaut_handler::{Done, Handler, HandlerError, InputSpec, Outcome, TaskContext, TaskInput};
use juggernaut_store::StoreError;
use std::num::NonZeroU64;
use std::time::{Duration, Instant};

/// The metric its evidence records.
pub const METRIC: &str = "tasks_pruned";

/// Retention when the input names none: 30 days.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(30 * 86_400);

/// Longest retention in days (a hundred years).
const MAX_DAYS: u64 = 36_500;

/// The `maintenance` handler.
pub struct Maintenance;

/// `maintenance`'s input.
#[derive(Debug, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceInput {
    /// Prune terminal tasks finished more than this many days ago (1-36500; default 30).
    pub retention_days: Option<NonZeroU64>,
    /// The same in seconds, for windows shorter than a day.
    pub retention_secs: Option<NonZeroU64>,
}

impl TaskInput for MaintenanceInput {
    fn validate(&self) -> Result<(), String> {
        if self.retention_days.is_some() && self.retention_secs.is_some() {
            return Err("give `retention_days` or `retention_secs`, not both".into());
        }
        match self.retention_days {
            Some(d) if d.get() > MAX_DAYS => Err(format!(
                "`retention_days` {d} is too large (at most {MAX_DAYS})"
            )),
            _ => Ok(()),
        }
    }
}

impl MaintenanceInput {
    /// The retention window it asks for.
    pub fn retention(&self) -> Duration {
        match (self.retention_days, self.retention_secs) {
            (Some(d), _) => Duration::from_secs(d.get() * 86_400),
            (None, Some(s)) => Duration::from_secs(s.get()),
            (None, None) => DEFAULT_RETENTION,
        }
    }
}

fn store_failed(what: &str, e: StoreError) -> HandlerError {
    let msg = format!("maintenance: {what}: {e}");
    if e.is_retryable() {
        HandlerError::retry(msg)
    } else {
        HandlerError::Permanent(msg)
    }
}

#[async_trait]
impl Handler for Maintenance {
    fn kind(&self) -> &'static str {
        "maintenance"
    }

    fn description(&self) -> &'static str {
        "takes back expired leases and prunes terminal tasks past retention (watchdog)"
    }

    fn input(&self) -> InputSpec {
        InputSpec::of::<MaintenanceInput>()
    }

    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        let input: MaintenanceInput = if ctx.task.input.is_null() {
            MaintenanceInput::default()
        } else {
            ctx.input()
                .map_err(|e| HandlerError::Permanent(format!("maintenance input: {e}")))?
        };
        let started = Instant::now();
        let actor = format!("maintenance:task {}", ctx.task.id);
        let upkeep = &ctx.handles.housekeeping;
        let rescue = upkeep
            .rescue_expired(&actor)
            .await
            .map_err(|e| store_failed("rescue expired leases", e))?;
        let pruned = upkeep
            .prune_terminal(input.retention(), &actor)
            .await
            .map_err(|e| store_failed("prune terminal tasks", e))?;
        Ok(Outcome::done(
            serde_json::json!({
                "rescued": rescue.rescued,
                "dead": rescue.dead,
                "pruned": pruned,
            }),
            vec![
                Evidence::HandlerRun {
                    handler: self.kind().to_owned(),
                    lease_token: ctx.lease.token,
                    duration_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
                },
                Evidence::MetricPoints {
                    metric: METRIC.to_owned(),
                    count: u32::try_from(pruned).unwrap_or(u32::MAX),
                },
            ],
        ))
    }

    async fn verify(&self, ctx: &TaskContext, done: &Done) -> Result<(), String> {
        ran(self.kind(), ctx, done)?;
        let counted = done.evidence.iter().find_map(|e| match e {
            Evidence::MetricPoints { metric, count } if metric == METRIC => Some(*count),
            _ => None,
        });
        let Some(count) = counted else {
            return Err(format!("no `{METRIC}` metric points"));
        };
        let reported = done.result["pruned"]
            .as_u64()
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX));
        if reported == Some(count) {
            Ok(())
        } else {
            Err(format!(
                "`{METRIC}` records {count} but the result reports pruned = {}",
                done.result["pruned"]
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use juggernaut_handler::input::parse;
    use serde_json::json;

    fn refused(input: serde_json::Value) -> String {
        match parse::<MaintenanceInput>(&input) {
            Err(e) => e.to_string(),
            Ok(v) => panic!("{input} was accepted: {v:?}"),
        }
    }

    #[test]
    fn retention_defaults_to_thirty_days() {
        let r = |v| parse::<MaintenanceInput>(&v).unwrap().retention();
        assert_eq!(r(json!({})), DEFAULT_RETENTION);
        assert_eq!(
            r(json!({"retention_days": 2})),
            Duration::from_secs(2 * 86_400)
        );
        assert_eq!(r(json!({"retention_secs": 5})), Duration::from_secs(5));
    }

    #[test]
    fn bad_retention_is_refused_naming_the_field() {
        for bad in [json!(0), json!(-3), json!(1.5), json!("30")] {
            assert!(refused(json!({ "retention_days": bad })).contains("`retention_days`"));
            assert!(refused(json!({ "retention_secs": bad })).contains("`retention_secs`"));
        }
        assert!(refused(json!({"retention_day": 3})).contains("`retention_day`"));
        assert!(refused(json!({"retention_days": 1, "retention_secs": 1})).contains("not both"));
        assert!(refused(json!({"retention_days": u64::MAX})).contains("too large"));
        assert!(refused(json!([1])).contains("expected struct"));
    }
}
