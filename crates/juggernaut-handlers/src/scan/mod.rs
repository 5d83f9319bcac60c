//! `scan`: the error scan. It reads the failures the learnings have seen repeatedly (one per
//! error fingerprint: the same error of the same kind, ids and numbers aside) and makes one fix
//! task for each, of the kind that can fix it (see [`fix`]): the task carries the dedupe key
//! `scan:FINGERPRINT:LAST_TASK` (the task that last failed so), and a key used before, by a fix
//! under way or ended, is not used again: a failure gets one fix however often the scan runs,
//! and another only if it comes back after it. A failure whose failing task is itself a fix is
//! left to people (escalations, the dead-letter queue), so fixes do not breed fixes. Put it on a
//! schedule (`juggernaut schedule add error-scan --cron '0 * * * *' --kind scan`).
//!
//! Input ([`ScanInput`]): `{"min_count"?: 2-1000 (default 3), "limit"?: 1-50 (default 10)}`.
//! Result: `{"found", "fixes": [{"fingerprint", "kind", "count", "learning", "fix_kind"}],
//! "already_fixed", "fix_failures"}`; the fix tasks are enqueued with the completion, in the
//! same transaction (origin `error_scan`). Evidence: the learnings it made fixes for (`Rows` of
//! `learnings`, their ids), which the verifier reads back (each must exist, be a failure and have
//! been seen `min_count` times), or, when it made none, the scan's own run record.

mod fix;

use crate::noop::ran;
use async_trait::async_trait;
use juggernaut_core::Evidence;
use juggernaut_core::learning::{LearningId, Outcome as Seen};
use juggernaut_core::task::Origin;
use juggernaut_handler::{Done, Handler, HandlerError, InputSpec, Outcome, TaskContext, TaskInput};
use juggernaut_store::{ChildTask, RepeatedFailure, StoreError};
use std::time::Instant;

/// The table its evidence names.
pub const TABLE: &str = "learnings";

/// Most repeated failures one scan reads.
const READ: u32 = 200;

/// The `scan` handler; `code_fixes` when `code` tasks can make edits from instructions.
pub struct Scan {
    code_fixes: bool,
}

impl Scan {
    /// The scan; with `code_fixes`, repeated `code` failures get `code` fix tasks.
    pub fn new(code_fixes: bool) -> Self {
        Self { code_fixes }
    }
}

/// `scan`'s input.
#[derive(Debug, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanInput {
    /// Failures seen at least this many times (2-1000, default 3).
    pub min_count: Option<u32>,
    /// Most fix tasks per scan (1-50, default 10).
    pub limit: Option<u32>,
}

impl ScanInput {
    fn min_count(&self) -> u32 {
        self.min_count.unwrap_or(3)
    }
}

impl TaskInput for ScanInput {
    fn validate(&self) -> Result<(), String> {
        if self.min_count.is_some_and(|n| !(2..=1000).contains(&n)) {
            return Err("`min_count` must be 2-1000".into());
        }
        if self.limit.is_some_and(|n| !(1..=50).contains(&n)) {
            return Err("`limit` must be 1-50".into());
        }
        Ok(())
    }
}

fn store_failed(what: &str, e: StoreError) -> HandlerError {
    let msg = format!("scan: {what}: {e}");
    if e.is_retryable() {
        HandlerError::retry(msg)
    } else {
        HandlerError::Permanent(msg)
    }
}

/// What one scan decided.
#[derive(Default)]
struct Plan {
    /// The failures fixed now, with their fix tasks.
    fixes: Vec<(RepeatedFailure, ChildTask)>,
    /// Failures whose failing task is itself a fix: left to people (escalations, the DLQ).
    fix_failures: usize,
    /// Failures whose latest occurrence already has a fix (under way or ended).
    already_fixed: usize,
}

impl Scan {
    /// The fix tasks for the repeated failures that have none yet, at most `limit`.
    async fn plan(
        &self,
        ctx: &TaskContext,
        found: Vec<RepeatedFailure>,
        limit: usize,
    ) -> Result<Plan, HandlerError> {
        let keys: Vec<String> = found
            .iter()
            .map(|f| fix::dedupe_key(&f.fingerprint, f.last_task))
            .collect();
        let used = ctx
            .handles
            .reads
            .used_dedupe_keys(&keys)
            .await
            .map_err(|e| store_failed("reading fixes made before", e))?;
        let mut plan = Plan::default();
        for (f, key) in found.into_iter().zip(keys) {
            if plan.fixes.len() >= limit {
                break;
            }
            if used.contains(&key) {
                plan.already_fixed += 1;
                continue;
            }
            let last = match f.last_task {
                Some(id) => ctx.handles.reads.get(id).await.ok().flatten(),
                None => None,
            };
            if last.as_ref().is_some_and(|t| t.origin == Origin::ErrorScan) {
                plan.fix_failures += 1;
                continue;
            }
            let task = fix::task(
                &f,
                last.as_ref().map(|t| &t.input),
                self.code_fixes,
                ctx.task.goal_id,
            )
            .map_err(|e| HandlerError::Permanent(format!("scan: fix task: {e}")))?;
            let child = ChildTask {
                task,
                after: vec![],
            };
            plan.fixes.push((f, child));
        }
        Ok(plan)
    }
}

#[async_trait]
impl Handler for Scan {
    fn kind(&self) -> &'static str {
        "scan"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["error_scan"]
    }

    fn description(&self) -> &'static str {
        "error scan: one fix task per failure seen repeatedly (by error fingerprint), deduplicated"
    }

    fn input(&self) -> InputSpec {
        InputSpec::of::<ScanInput>()
    }

    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        let started = Instant::now();
        let input: ScanInput = ctx
            .input()
            .map_err(|e| HandlerError::Permanent(e.to_string()))?;
        let limit = input.limit.unwrap_or(10);
        let found = ctx
            .handles
            .learnings
            .repeated_failures(input.min_count(), READ)
            .await
            .map_err(|e| store_failed("reading repeated failures", e))?;
        let seen = found.len();
        let plan = self.plan(ctx, found, limit as usize).await?;
        let fixes: Vec<_> = plan
            .fixes
            .iter()
            .map(|(f, child)| {
                serde_json::json!({
                    "fingerprint": f.fingerprint, "kind": f.kind, "count": f.count,
                    "learning": f.learning.0, "fix_kind": child.task.kind.as_str(),
                })
            })
            .collect();
        let evidence = if plan.fixes.is_empty() {
            vec![Evidence::HandlerRun {
                handler: self.kind().to_owned(),
                lease_token: ctx.lease.token,
                duration_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            }]
        } else {
            vec![Evidence::Rows {
                table: TABLE.to_owned(),
                keys: plan
                    .fixes
                    .iter()
                    .map(|(f, _)| f.learning.0.to_string())
                    .collect(),
            }]
        };
        let done = Done {
            result: serde_json::json!({
                "found": seen, "fixes": fixes, "already_fixed": plan.already_fixed,
                "fix_failures": plan.fix_failures,
            }),
            evidence,
        };
        let children = plan.fixes.into_iter().map(|(_, c)| c).collect();
        Ok(Outcome::Spawn { done, children })
    }

    async fn verify(&self, ctx: &TaskContext, done: &Done) -> Result<(), String> {
        let keys = done.evidence.iter().find_map(|e| match e {
            Evidence::Rows { table, keys } if table == TABLE => Some(keys),
            _ => None,
        });
        let Some(keys) = keys else {
            return ran(self.kind(), ctx, done);
        };
        let min = ctx
            .input::<ScanInput>()
            .map_err(|e| e.to_string())?
            .min_count();
        for key in keys {
            let id = key
                .parse()
                .map(LearningId)
                .map_err(|_| format!("`{key}` is not a learning id"))?;
            let l = ctx
                .handles
                .learnings
                .learning(id)
                .await
                .map_err(|e| format!("reading learning {id}: {e}"))?
                .ok_or_else(|| format!("learning {id} does not exist"))?;
            if !matches!(l.outcome, Seen::Failed | Seen::Dead) || l.count < min {
                return Err(format!(
                    "learning {id} is not a failure seen {min} times ({:?}, {} times)",
                    l.outcome, l.count
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
