//! `scan`: the error scan. It reads the failures the learnings have seen repeatedly (one per
//! error fingerprint: the same error of the same kind, ids and numbers aside) and makes one fix
//! task for each, of the kind that can fix it (see [`fix`]): the task carries the dedupe key
//! `scan:FINGERPRINT`, so a fingerprint has at most one fix under way however often the scan
//! runs. Put it on a schedule (`juggernaut schedule add error-scan --cron '0 * * * *' --kind
//! scan`).
//!
//! Input ([`ScanInput`]): `{"min_count"?: 2-1000 (default 3), "limit"?: 1-50 (default 10)}`.
//! Result: `{"found": n, "fixes": [{"fingerprint", "kind", "count", "fix_kind"}]}`; the fix
//! tasks are enqueued with the completion, in the same transaction (origin `error_scan`).
//! Evidence: the learnings it acted on (`Rows` of `learnings`, their ids), which the verifier
//! reads back (each must exist, be a failure and have been seen `min_count` times), or, when
//! nothing was found, the scan's own run record.

mod fix;

use crate::noop::ran;
use async_trait::async_trait;
use juggernaut_core::Evidence;
use juggernaut_core::learning::{LearningId, Outcome as Seen};
use juggernaut_handler::{Done, Handler, HandlerError, InputSpec, Outcome, TaskContext, TaskInput};
use juggernaut_store::{ChildTask, RepeatedFailure, StoreError};
use std::time::Instant;

/// The table its evidence names.
pub const TABLE: &str = "learnings";

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

impl Scan {
    /// The fix task for one repeated failure, with the failed task's input where it helps.
    async fn fix_for(
        &self,
        ctx: &TaskContext,
        f: &RepeatedFailure,
    ) -> Result<ChildTask, HandlerError> {
        let last_input = match f.last_task {
            Some(id) => ctx
                .handles
                .reads
                .get(id)
                .await
                .ok()
                .flatten()
                .map(|t| t.input),
            None => None,
        };
        let task = fix::task(f, last_input.as_ref(), self.code_fixes, ctx.task.goal_id)
            .map_err(|e| HandlerError::Permanent(format!("scan: fix task: {e}")))?;
        Ok(ChildTask {
            task,
            after: vec![],
        })
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
        let found = ctx
            .handles
            .learnings
            .repeated_failures(input.min_count(), input.limit.unwrap_or(10))
            .await
            .map_err(|e| store_failed("reading repeated failures", e))?;
        let mut children = Vec::with_capacity(found.len());
        let mut fixes = Vec::with_capacity(found.len());
        for f in &found {
            let child = self.fix_for(ctx, f).await?;
            fixes.push(serde_json::json!({
                "fingerprint": f.fingerprint, "kind": f.kind, "count": f.count,
                "learning": f.learning.0, "fix_kind": child.task.kind.as_str(),
            }));
            children.push(child);
        }
        let evidence = if found.is_empty() {
            vec![Evidence::HandlerRun {
                handler: self.kind().to_owned(),
                lease_token: ctx.lease.token,
                duration_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            }]
        } else {
            vec![Evidence::Rows {
                table: TABLE.to_owned(),
                keys: found.iter().map(|f| f.learning.0.to_string()).collect(),
            }]
        };
        let done = Done {
            result: serde_json::json!({ "found": found.len(), "fixes": fixes }),
            evidence,
        };
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
