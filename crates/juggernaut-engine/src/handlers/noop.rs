//! `noop`: does nothing but record its own run. It is the benchmark's kind and a smoke test of the
//! whole path (claim, lease, run, verify, complete). Its evidence is its run record: the handler's
//! name and the lease token of the attempt, which the verifier matches against the lease.

use crate::handler::{Handler, HandlerError, Outcome, TaskContext};
use async_trait::async_trait;
use juggernaut_core::Evidence;
use std::time::Instant;

/// The `noop` handler.
pub struct Noop;

#[async_trait]
impl Handler for Noop {
    fn kind(&self) -> &'static str {
        "noop"
    }

    fn description(&self) -> &'static str {
        "does nothing; records its own run (benchmarks, smoke tests)"
    }

    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        let started = Instant::now();
        let started_at_us = chrono::Utc::now().timestamp_micros();
        Ok(Outcome {
            result: serde_json::json!({ "started_at_us": started_at_us }),
            evidence: vec![Evidence::HandlerRun {
                handler: self.kind().to_owned(),
                lease_token: ctx.lease.token,
                duration_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            }],
        })
    }

    fn verify(&self, ctx: &TaskContext, outcome: &Outcome) -> Result<(), String> {
        let ran = outcome.evidence.iter().any(|e| {
            matches!(e, Evidence::HandlerRun { handler, lease_token, .. }
                if handler == self.kind() && *lease_token == ctx.lease.token)
        });
        if ran {
            Ok(())
        } else {
            Err(format!(
                "no run record of `noop` for lease token {}",
                ctx.lease.token
            ))
        }
    }
}
