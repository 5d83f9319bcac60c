//! `experiment_step`: one variant's counts for one iteration of an experiment. The leader's
//! experiments loop enqueues one per variant per iteration; the query comes from the stored
//! experiment (never from the task's input), with the variant as a quoted name, and runs through
//! `sql_query` (read-only by the database). The counts are recorded as the experiment's point for
//! this iteration and variant; a retried attempt finds the point recorded and keeps it.
//!
//! Input ([`StepInput`]): `{"experiment", "iteration", "variant"}`.
//! Result: `{"experiment", "iteration", "variant", "successes", "trials", "read": [s, t],
//! "call", "recorded"}` (`successes`/`trials` are the stored point's; `read` what this attempt
//! read; `recorded` whether this attempt stored it). Evidence: the `sql_query` call and the
//! point's row (`experiment_points`, key `EXPERIMENT:ITERATION:VARIANT`). The check: the call is
//! in the evidence and the stored point has the result's counts.

mod counts;

use crate::calls;
use async_trait::async_trait;
use juggernaut_core::Evidence;
use juggernaut_core::experiment::{Experiment, ExperimentId};
use juggernaut_handler::{Done, Handler, HandlerError, InputSpec, Outcome, TaskContext, TaskInput};
use juggernaut_store::NewPoint;
use juggernaut_tools::Permission;
use serde_json::json;

/// The `experiment_step` handler.
pub struct ExperimentStep;

/// `experiment_step`'s input.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// The experiment's id.
    pub experiment: i64,
    /// The iteration (1 for the first).
    pub iteration: u32,
    /// The variant whose counts to read.
    pub variant: String,
}

impl TaskInput for StepInput {
    fn validate(&self) -> Result<(), String> {
        if self.experiment < 1 {
            return Err("`experiment`: must be an experiment id (1 or more)".into());
        }
        if self.iteration < 1 {
            return Err("`iteration`: must be 1 or more".into());
        }
        if !juggernaut_core::goal::is_name(&self.variant) {
            return Err(format!(
                "`variant`: `{}` is not a variant name (1-64 of a-z, 0-9, `_` and `-`)",
                self.variant
            ));
        }
        Ok(())
    }
}

impl StepInput {
    /// The key of the point it records, as its evidence names it.
    pub fn key(&self) -> String {
        format!("{}:{}:{}", self.experiment, self.iteration, self.variant)
    }
}

async fn experiment(ctx: &TaskContext, id: i64) -> Result<Experiment, HandlerError> {
    ctx.handles
        .experiments
        .experiment(ExperimentId(id))
        .await
        .map_err(|e| HandlerError::retry(format!("reading experiment {id}: {e}")))?
        .ok_or_else(|| HandlerError::Permanent(format!("there is no experiment {id}")))
}

#[async_trait]
impl Handler for ExperimentStep {
    fn reach(&self, _input: &serde_json::Value) -> juggernaut_handler::gate::Reach {
        crate::reach::experiment_step()
    }

    fn kind(&self) -> &'static str {
        "experiment_step"
    }

    fn description(&self) -> &'static str {
        "reads one variant's conversions (successes, trials) for an experiment's iteration \
         through read-only SQL and records them as the experiment's point"
    }

    fn input(&self) -> InputSpec {
        InputSpec::of::<StepInput>()
    }

    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        let input: StepInput = ctx
            .input()
            .map_err(|e| HandlerError::Permanent(format!("experiment_step input: {e}")))?;
        let e = experiment(ctx, input.experiment).await?;
        if !e.spec.variants.iter().any(|v| v.name == input.variant) {
            return Err(HandlerError::Permanent(format!(
                "experiment {} has no variant `{}`",
                e.id, input.variant
            )));
        }
        let what = format!("variant `{}`'s counts", input.variant);
        let args = json!({
            "source": e.spec.metric.source,
            "query": e.spec.metric.query_for(&input.variant),
            "max_rows": 1,
        });
        let called = calls::call(ctx, "sql_query", args, &[Permission::Read], &what).await?;
        let (successes, trials) = counts::read(&called.output.content)
            .map_err(|why| HandlerError::Permanent(format!("{what}: {why}")))?;
        let point = NewPoint {
            experiment: e.id,
            iteration: input.iteration,
            variant: input.variant.clone(),
            successes,
            trials,
            task_id: Some(ctx.task.id),
        };
        let (stored, recorded) = ctx
            .handles
            .experiments
            .record_point(point, "experiment_step")
            .await
            .map_err(|err| {
                let message = format!("recording {what}: {err}");
                if err.is_retryable() {
                    HandlerError::retry(message)
                } else {
                    HandlerError::Permanent(message)
                }
            })?;
        let evidence = vec![
            called.evidence(),
            Evidence::Rows {
                table: "experiment_points".into(),
                keys: vec![input.key()],
            },
        ];
        Ok(Outcome::done(
            json!({
                "experiment": e.id.0,
                "iteration": input.iteration,
                "variant": input.variant,
                "successes": stored.successes,
                "trials": stored.trials,
                "read": [successes, trials],
                "call": called.id.0,
                "recorded": recorded,
            }),
            evidence,
        ))
    }

    async fn verify(&self, ctx: &TaskContext, done: &Done) -> Result<(), String> {
        let input: StepInput = ctx
            .input()
            .map_err(|e| format!("experiment_step input: {e}"))?;
        let call = calls::call_id(&done.result["call"]).ok_or("the result names no `call`")?;
        calls::has_calls(done, [call.as_str()])?;
        let key = input.key();
        let rows = done.evidence.iter().any(
            |e| matches!(e, Evidence::Rows { table, keys } if table == "experiment_points" && keys.contains(&key)),
        );
        if !rows {
            return Err(format!("no evidence of the point `{key}`"));
        }
        let points = ctx
            .handles
            .experiments
            .experiment_points(
                ExperimentId(input.experiment),
                juggernaut_store::MAX_EXPERIMENTS,
            )
            .await
            .map_err(|e| format!("reading the points back: {e}"))?;
        let stored = points
            .iter()
            .find(|p| p.iteration == input.iteration && p.variant == input.variant)
            .ok_or_else(|| format!("the point `{key}` is not stored"))?;
        let claimed = (
            done.result["successes"].as_u64(),
            done.result["trials"].as_u64(),
        );
        if claimed != (Some(stored.successes), Some(stored.trials)) {
            return Err(format!(
                "the result's counts {claimed:?} are not the stored point's ({}, {})",
                stored.successes, stored.trials
            ));
        }
        Ok(())
    }
}
