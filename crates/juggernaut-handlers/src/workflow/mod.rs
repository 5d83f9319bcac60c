//! `workflow`: deterministic steps, each one tool call with templated arguments; no model is
//! asked anything.
//!
//! Input ([`WorkflowInput`]): `{"steps": [{"id", "tool", "args", "continue_on_error"}], "vars"}`
//! with 1-50 steps of unique ids (a-z, 0-9, `_`). Every string inside `args` is a minijinja
//! template that sees `input` (the `vars` object) and `steps.ID.output` (the content an earlier
//! step's tool gave back); a template that does not parse, or reads anything else, is refused at
//! enqueue naming the argument, and an undefined value at run time fails the step, as does a
//! template that runs out of fuel (more than [`input::FUEL`] instructions for one string); the
//! rendering runs on a blocking thread, not the runtime's.
//!
//! The steps run in order through the toolbox (every call in the ledger) with every permission.
//! A step whose tool fails ends the attempt, retryable only when the tool says so (an error the
//! tool puts on its arguments or a 404 is permanent; a `shell` step that exits non-zero and an
//! `http_request` answered 429 or 5xx are retryable: an answer is not success), unless the step says
//! `continue_on_error`: then it is listed as not ok, with the error, and the next step runs (a
//! tool that cannot work at all or a cancelled attempt still ends it).
//!
//! Result: `{"steps": [{"id", "tool", "call", "ok", "error"?}]}` where `call` is the ledger id.
//! Evidence: one `ToolCall` per successful call and the evidence each output carries. The check:
//! every step of the input is listed, in order, and every step listed as ok has its `ToolCall`.

pub mod input;

use crate::calls::{self, ALL};
use async_trait::async_trait;
use input::WorkflowInput;
use juggernaut_core::Evidence;
use juggernaut_handler::{Done, Handler, HandlerError, InputSpec, Outcome, TaskContext};
use juggernaut_tools::ToolError;
use serde_json::{Map, json};
use std::sync::Arc;

/// The `workflow` handler.
pub struct Workflow;

/// One step as the result lists it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StepResult {
    /// The step's id.
    pub id: String,
    /// The tool it called.
    pub tool: String,
    /// The call's ledger id.
    pub call: i64,
    /// Whether the tool did its work.
    pub ok: bool,
    /// Why it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[async_trait]
impl Handler for Workflow {
    fn reach(&self, input: &serde_json::Value) -> juggernaut_handler::gate::Reach {
        crate::reach::workflow(input)
    }

    fn kind(&self) -> &'static str {
        "workflow"
    }

    fn description(&self) -> &'static str {
        "runs deterministic tool-call steps in order, arguments templated from vars and earlier \
         outputs (no LLM)"
    }

    fn input(&self) -> InputSpec {
        InputSpec::of::<WorkflowInput>()
    }

    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        let input: WorkflowInput = ctx
            .input()
            .map_err(|e| HandlerError::Permanent(format!("workflow input: {e}")))?;
        let env = Arc::new(input::environment());
        let mut outputs = Map::new();
        let mut listed = Vec::with_capacity(input.steps.len());
        let mut evidence = Vec::new();
        for step in &input.steps {
            let what = format!("step `{}` (`{}`)", step.id, step.tool);
            if ctx.cancel.is_cancelled() {
                return Err(HandlerError::retry(format!(
                    "{what}: the attempt was cancelled before it ran"
                )));
            }
            let scope = json!({ "input": input.vars, "steps": outputs });
            // Rendering is CPU work (bounded by the environment's fuel): off the async threads.
            let (env, raw) = (Arc::clone(&env), step.args.clone());
            let args = tokio::task::spawn_blocking(move || input::render(&env, &raw, &scope))
                .await
                .map_err(|e| HandlerError::retry(format!("{what}: rendering stopped: {e}")))?
                .map_err(|e| HandlerError::Permanent(format!("{what}: {e}")))?;
            let called = ctx
                .call_tool(&step.tool, args, ALL)
                .await
                .map_err(|e| calls::prefixed(&what, e))?;
            let mut row = StepResult {
                id: step.id.clone(),
                tool: step.tool.clone(),
                call: called.id.0,
                ok: true,
                error: None,
            };
            let outcome = called.outcome.and_then(|out| {
                calls::effective(&step.tool, &out.content)
                    .map(|()| out)
                    .map_err(|(why, retryable)| {
                        if retryable && !step.continue_on_error {
                            ToolError::transient(why)
                        } else {
                            ToolError::model(why)
                        }
                    })
            });
            match outcome {
                Ok(out) => {
                    evidence.push(Evidence::ToolCall {
                        id: called.id.to_string(),
                    });
                    evidence.extend(out.evidence);
                    outputs.insert(step.id.clone(), json!({ "output": out.content }));
                }
                Err(ToolError::Model(message)) if step.continue_on_error => {
                    row.ok = false;
                    row.error = Some(message);
                }
                Err(e) => return Err(calls::failed(&what, e)),
            }
            listed.push(row);
        }
        Ok(Outcome::done(
            json!({ "steps": listed }),
            calls::latest_files(evidence),
        ))
    }

    async fn verify(&self, ctx: &TaskContext, done: &Done) -> Result<(), String> {
        let input: WorkflowInput = ctx.input().map_err(|e| format!("workflow input: {e}"))?;
        let listed: Vec<StepResult> = serde_json::from_value(done.result["steps"].clone())
            .map_err(|e| format!("the result's `steps` is not a list of steps: {e}"))?;
        let ran: Vec<(&str, &str)> = listed
            .iter()
            .map(|s| (s.id.as_str(), s.tool.as_str()))
            .collect();
        let asked: Vec<(&str, &str)> = input
            .steps
            .iter()
            .map(|s| (s.id.as_str(), s.tool.as_str()))
            .collect();
        if ran != asked {
            return Err(format!(
                "the result lists steps {ran:?} but the workflow has {asked:?}"
            ));
        }
        let ok_calls: Vec<String> = listed
            .iter()
            .filter(|s| s.ok)
            .map(|s| s.call.to_string())
            .collect();
        calls::has_calls(done, ok_calls.iter().map(String::as_str))
    }
}
