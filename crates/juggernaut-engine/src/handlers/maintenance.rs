//! `maintenance`: housekeeping of the queue itself, as a task, so that it can be scheduled by cron,
//! retried, and audited like any other work (the leader's watchdog and pruner loops do the same
//! continuously; this kind is for an extra pass on demand or on a schedule of its own).
//!
//! It takes back tasks whose lease expired ([`Store::rescue_expired`]: `ready` again, or `dead`
//! when out of attempts) and deletes terminal tasks finished before the retention window
//! ([`Coordination::prune_terminal`]). Result: `{"rescued": [ids], "dead": [ids], "pruned": n}`.
//!
//! Input, an object with at most one of:
//! - `retention_days`: a whole number of days, at least 1 (default 30);
//! - `retention_secs`: a whole number of seconds, at least 1, for windows shorter than a day.
//!
//! Anything else (a fraction, zero, a negative number, a string, an unknown field) fails the task
//! permanently, naming the field: retrying the same input cannot help.
//!
//! Evidence: the work happens inside the store's own transactions, which write their own audit
//! events, so there is no outside artifact to point at. What proves this attempt did the work is
//! its run record under the attempt's lease token (as for `noop`: a stale or foreign run cannot
//! complete the task) and a `tasks_pruned` metric point carrying the number of tasks the prune
//! deleted, which the verifier matches against the result.
//!
//! [`Store::rescue_expired`]: juggernaut_store::Store::rescue_expired
//! [`Coordination::prune_terminal`]: juggernaut_store::Coordination::prune_terminal

use crate::handler::{Handler, HandlerError, Outcome, TaskContext};
use async_trait::async_trait;
use juggernaut_core::Evidence;
use juggernaut_store::StoreError;
use std::time::{Duration, Instant};

/// The metric its evidence records.
pub const METRIC: &str = "tasks_pruned";

/// Retention when the input names none: 30 days.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(30 * 86_400);

/// The `maintenance` handler.
pub struct Maintenance;

/// Reads the retention window from the task's input.
pub fn retention(input: &serde_json::Value) -> Result<Duration, HandlerError> {
    let bad = |reason: String| HandlerError::Permanent(format!("maintenance input: {reason}"));
    let fields = match input {
        serde_json::Value::Null => return Ok(DEFAULT_RETENTION),
        serde_json::Value::Object(fields) => fields,
        other => return Err(bad(format!("expected a JSON object, got `{other}`"))),
    };
    if let Some(unknown) = fields
        .keys()
        .find(|k| *k != "retention_days" && *k != "retention_secs")
    {
        return Err(bad(format!(
            "unknown field `{unknown}` (known: retention_days, retention_secs)"
        )));
    }
    let whole = |field: &str, unit: &str| -> Result<Option<u64>, HandlerError> {
        match fields.get(field) {
            None => Ok(None),
            Some(v) => match v.as_u64() {
                Some(n) if n > 0 => Ok(Some(n)),
                _ => Err(bad(format!(
                    "`{field}` must be a whole number of {unit}, at least 1; got `{v}`"
                ))),
            },
        }
    };
    let days = whole("retention_days", "days")?;
    let secs = whole("retention_secs", "seconds")?;
    match (days, secs) {
        (Some(_), Some(_)) => Err(bad(
            "give `retention_days` or `retention_secs`, not both".to_owned()
        )),
        (Some(d), None) => d
            .checked_mul(86_400)
            .map(Duration::from_secs)
            .ok_or_else(|| bad(format!("`retention_days` {d} is too large"))),
        (None, Some(s)) => Ok(Duration::from_secs(s)),
        (None, None) => Ok(DEFAULT_RETENTION),
    }
}

fn store_failed(what: &str, e: StoreError) -> HandlerError {
    let msg = format!("maintenance: {what}: {e}");
    if e.is_retryable() {
        HandlerError::Retryable(msg)
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

    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        let retention = retention(&ctx.task.input)?;
        let started = Instant::now();
        let actor = format!("maintenance:task {}", ctx.task.id);
        let rescue = ctx
            .store
            .rescue_expired(&actor)
            .await
            .map_err(|e| store_failed("rescue expired leases", e))?;
        let pruned = ctx
            .store
            .prune_terminal(retention, &actor)
            .await
            .map_err(|e| store_failed("prune terminal tasks", e))?;
        Ok(Outcome {
            result: serde_json::json!({
                "rescued": rescue.rescued,
                "dead": rescue.dead,
                "pruned": pruned,
            }),
            evidence: vec![
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
        })
    }

    fn verify(&self, ctx: &TaskContext, outcome: &Outcome) -> Result<(), String> {
        let ran = outcome.evidence.iter().any(|e| {
            matches!(e, Evidence::HandlerRun { handler, lease_token, .. }
                if handler == self.kind() && *lease_token == ctx.lease.token)
        });
        if !ran {
            return Err(format!(
                "no run record of `maintenance` for lease token {}",
                ctx.lease.token
            ));
        }
        let counted = outcome.evidence.iter().find_map(|e| match e {
            Evidence::MetricPoints { metric, count } if metric == METRIC => Some(*count),
            _ => None,
        });
        let Some(count) = counted else {
            return Err(format!("no `{METRIC}` metric points"));
        };
        let reported = outcome.result["pruned"]
            .as_u64()
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX));
        if reported == Some(count) {
            Ok(())
        } else {
            Err(format!(
                "`{METRIC}` records {count} but the result reports pruned = {}",
                outcome.result["pruned"]
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refused(input: serde_json::Value) -> String {
        match retention(&input) {
            Err(HandlerError::Permanent(m)) => m,
            other => panic!("{input} was not refused permanently: {other:?}"),
        }
    }

    #[test]
    fn retention_defaults_to_thirty_days() {
        assert_eq!(retention(&json!({})).unwrap(), DEFAULT_RETENTION);
        assert_eq!(retention(&json!(null)).unwrap(), DEFAULT_RETENTION);
        assert_eq!(
            retention(&json!({"retention_days": 2})).unwrap(),
            Duration::from_secs(2 * 86_400)
        );
        assert_eq!(
            retention(&json!({"retention_secs": 5})).unwrap(),
            Duration::from_secs(5)
        );
    }

    #[test]
    fn bad_retention_is_permanent_and_names_the_field() {
        for bad in [json!(0), json!(-3), json!(1.5), json!("30"), json!(null)] {
            assert!(refused(json!({ "retention_days": bad })).contains("`retention_days`"));
            assert!(refused(json!({ "retention_secs": bad })).contains("`retention_secs`"));
        }
        assert!(refused(json!({"retention_day": 3})).contains("`retention_day`"));
        assert!(refused(json!({"retention_days": 1, "retention_secs": 1})).contains("not both"));
        assert!(refused(json!({"retention_days": u64::MAX})).contains("too large"));
        assert!(refused(json!([1])).contains("object"));
    }
}
