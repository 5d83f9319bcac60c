//! `noop`: does nothing but record its own run. It is the benchmark's kind and a smoke test of the
//! whole path (claim, lease, run, verify, complete). Its evidence is its run record: the handler's
//! name and the lease token of the attempt, which the verifier matches against the lease. Its
//! input is any JSON object (carried along, not read).

use async_trait::async_trait;
use juggernaut_core::Evidence;
use juggernaut_handler::{Done, Handler, HandlerError, InputSpec, Outcome, TaskContext, TaskInput};
use std::time::Instant;

/// The `noop` handler.
pub struct Noop;

/// Any JSON object.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct NoopInput(pub serde_json::Map<String, serde_json::Value>);

impl TaskInput for NoopInput {}

/// Whether `done` carries `handler`'s run record for the attempt `ctx` runs.
pub fn ran(handler: &str, ctx: &TaskContext, done: &Done) -> Result<(), String> {
    let ran = done.evidence.iter().any(|e| {
        matches!(e, Evidence::HandlerRun { handler: h, lease_token, .. }
            if h == handler && *lease_token == ctx.lease.token)
    });
    if ran {
        Ok(())
    } else {
        Err(format!(
            "no run record of `{handler}` for lease token {}",
            ctx.lease.token
        ))
    }
}

#[async_trait]
impl Handler for Noop {
    fn kind(&self) -> &'static str {
        "noop"
    }

    fn description(&self) -> &'static str {
        "does nothing; records its own run (benchmarks, smoke tests)"
    }

    fn input(&self) -> InputSpec {
        InputSpec::of::<NoopInput>()
    }

    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        let started = Instant::now();
        let started_at_us = chrono::Utc::now().timestamp_micros();
        Ok(Outcome::done(
            serde_json::json!({ "started_at_us": started_at_us }),
            vec![Evidence::HandlerRun {
                handler: self.kind().to_owned(),
                lease_token: ctx.lease.token,
                duration_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            }],
        ))
    }

    async fn verify(&self, ctx: &TaskContext, done: &Done) -> Result<(), String> {
        ran(self.kind(), ctx, done)
    }
}
