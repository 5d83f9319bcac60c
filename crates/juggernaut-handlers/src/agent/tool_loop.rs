//! The agent tool loop: the model is shown the task and the tools it may use; each tool call it
//! asks for runs through the toolbox (so it is in the ledger) and its result goes back to it,
//! until it answers in text. Bounded by steps, time and money, and by the loop guard. The answer
//! must cite the calls it relied on as `[call:ID]`; only calls of this run that succeeded count.

use super::cite;
use super::guard::LoopGuard;
use juggernaut_core::Evidence;
use juggernaut_handler::{HandlerError, TaskContext};
use juggernaut_llm::{
    Charge, ChatRequest, Client, LlmError, Message, Metered, Prices, Purpose, Role, ToolCall,
};
use juggernaut_store::{CostFilter, Limits, ToolCallId};
use juggernaut_tools::Permission;
use std::time::{Duration, Instant};

/// Most bytes of a tool result shown to the model.
const MAX_SHOWN: usize = 16_000;
/// Most tool calls one model answer may ask for; the rest are answered with an error.
const MAX_CALLS_PER_STEP: usize = 8;
/// Most tool calls in one run.
const MAX_CALLS: usize = 60;
/// Most tokens one answer may take.
const MAX_TOKENS: u32 = 4096;

/// The model an agent talks to: a client, its prices, and the configured budgets.
#[derive(Clone)]
pub struct Model {
    /// The provider's client.
    pub client: Client,
    /// Prices per model.
    pub prices: Prices,
    /// Day and per-model day budgets.
    pub limits: Limits,
}

impl Model {
    /// The model metered against the task's cost ledger and the configured budgets.
    pub fn metered(&self, ctx: &TaskContext) -> Metered {
        Metered::new(
            self.client.clone(),
            ctx.handles.costs.clone(),
            self.prices.clone(),
            self.limits,
        )
    }

    /// What the task's calls are charged to.
    pub fn charge(ctx: &TaskContext) -> Charge {
        Charge {
            goal_id: ctx.task.goal_id,
            task_id: Some(ctx.task.id),
        }
    }
}

/// The loop's limits (every one finite).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoopLimits {
    /// Model calls at most.
    pub max_steps: u32,
    /// Wall-clock time at most.
    pub max_time: Duration,
    /// Money at most, for the task's LLM calls (reserved and settled).
    pub max_cost_usd: f64,
    /// The same call with the same arguments at most this many times.
    pub max_repeats: u32,
    /// Steps in a row without a new successful call at most.
    pub max_idle_steps: u32,
}

impl Default for LoopLimits {
    fn default() -> Self {
        Self {
            max_steps: 20,
            max_time: Duration::from_secs(600),
            max_cost_usd: 1.0,
            max_repeats: 2,
            max_idle_steps: 5,
        }
    }
}

/// What the loop is asked to do.
#[derive(Debug, Clone)]
pub struct LoopRequest {
    /// The system message.
    pub system: String,
    /// The task, for the model.
    pub prompt: String,
    /// The tools it may see, by name (`None`: every tool its permissions allow).
    pub tools: Option<Vec<String>>,
    /// The permissions its calls have.
    pub allowed: Vec<Permission>,
    /// The limits.
    pub limits: LoopLimits,
    /// Which model purpose (and so which model) it uses.
    pub purpose: Purpose,
}

/// One call the loop made.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The ledger id.
    pub id: ToolCallId,
    /// The tool.
    pub tool: String,
    /// Whether it succeeded.
    pub ok: bool,
    /// The evidence its output carried (files, messages).
    pub evidence: Vec<Evidence>,
    /// What it gave back (the output's content, or the error).
    pub content: serde_json::Value,
}

/// Where the loop got to.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopResult {
    /// The model's final answer.
    pub answer: String,
    /// Every call made.
    pub calls: Vec<Call>,
    /// The successful calls of this run that the answer cites.
    pub cited: Vec<ToolCallId>,
    /// Model calls made.
    pub steps: u32,
}

impl LoopResult {
    /// Evidence: each cited call plus the evidence those calls' outputs carried.
    pub fn evidence(&self) -> Vec<Evidence> {
        crate::calls::latest_files(self.cited_evidence())
    }

    fn cited_evidence(&self) -> Vec<Evidence> {
        let mut out = Vec::new();
        for c in self.calls.iter().filter(|c| self.cited.contains(&c.id)) {
            out.push(Evidence::ToolCall {
                id: c.id.to_string(),
            });
            out.extend(c.evidence.iter().cloned());
        }
        out
    }
}

fn stop(reason: impl Into<String>) -> HandlerError {
    HandlerError::Permanent(format!("agent stopped: {}", reason.into()))
}

/// The attempt's error for a failed model call: retryable (after the wait the server asked
/// for) when the call may succeed later.
pub fn llm_failed(e: LlmError) -> HandlerError {
    let message = format!("the LLM call failed: {e}");
    if e.is_retryable() {
        HandlerError::Retryable {
            message,
            retry_after: e.retry_after(),
        }
    } else {
        HandlerError::Permanent(message)
    }
}

/// Runs the loop for the task in `ctx`.
pub async fn run(
    ctx: &TaskContext,
    model: &Model,
    req: LoopRequest,
) -> Result<LoopResult, HandlerError> {
    let started = Instant::now();
    let registry = ctx.handles.tools.registry();
    let specs = registry.specs(req.tools.as_deref(), &req.allowed);
    let metered = model.metered(ctx);
    let charge = Model::charge(ctx);
    let mut chat = ChatRequest::new(
        vec![
            Message::system(req.system.clone()),
            Message::user(req.prompt.clone()),
        ],
        MAX_TOKENS,
    );
    chat.tools = specs;
    let mut guard = LoopGuard::new(req.limits.max_repeats, req.limits.max_idle_steps);
    let mut calls: Vec<Call> = Vec::new();
    let mut reminded = false;
    for step in 1..=req.limits.max_steps {
        let left = req.limits.max_time.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Err(stop(format!(
                "time limit of {:?} reached",
                req.limits.max_time
            )));
        }
        check_cost(ctx, &metered, &chat, req.purpose, req.limits.max_cost_usd).await?;
        let reply = match tokio::time::timeout(left, metered.chat(&chat, req.purpose, charge)).await
        {
            Ok(r) => r.map_err(llm_failed)?,
            Err(_) => {
                return Err(stop(format!(
                    "time limit of {:?} reached",
                    req.limits.max_time
                )));
            }
        };
        let answer = reply.response;
        if answer.tool_calls.is_empty() {
            let text = answer.content.unwrap_or_default();
            let cited = cited_successes(&text, &calls);
            let any_ok = calls.iter().any(|c| c.ok);
            if cited.is_empty() && any_ok && !reminded {
                reminded = true;
                chat.messages.push(Message::text(Role::Assistant, text));
                chat.messages.push(Message::user(REMIND));
                continue;
            }
            return Ok(LoopResult {
                answer: text,
                calls,
                cited,
                steps: step,
            });
        }
        chat.messages.push(Message {
            role: Role::Assistant,
            content: answer.content.clone(),
            tool_calls: answer.tool_calls.clone(),
            tool_call_id: None,
        });
        let before = calls.iter().filter(|c| c.ok).count();
        for (i, tc) in answer.tool_calls.iter().enumerate() {
            let shown = if i >= MAX_CALLS_PER_STEP {
                format!("error: at most {MAX_CALLS_PER_STEP} calls per step; this one was not run")
            } else {
                if calls.len() >= MAX_CALLS {
                    return Err(stop(format!(
                        "call limit of {MAX_CALLS} tool calls reached"
                    )));
                }
                let left = req.limits.max_time.saturating_sub(started.elapsed());
                match tokio::time::timeout(left, one_call(ctx, &req, &mut guard, tc, &mut calls))
                    .await
                {
                    Ok(shown) => shown?,
                    Err(_) => {
                        return Err(stop(format!(
                            "time limit of {:?} reached",
                            req.limits.max_time
                        )));
                    }
                }
            };
            chat.messages
                .push(Message::tool_result(tc.id.clone(), shown));
        }
        let progressed = calls.iter().filter(|c| c.ok).count() > before;
        guard.step(progressed).map_err(|s| stop(s.0))?;
    }
    Err(stop(format!(
        "step limit of {} reached without a final answer",
        req.limits.max_steps
    )))
}

/// Runs one requested call (after the guard) and returns what the model is shown.
async fn one_call(
    ctx: &TaskContext,
    req: &LoopRequest,
    guard: &mut LoopGuard,
    tc: &ToolCall,
    calls: &mut Vec<Call>,
) -> Result<String, HandlerError> {
    let args: serde_json::Value = serde_json::from_str(&tc.arguments)
        .unwrap_or_else(|_| serde_json::Value::String(tc.arguments.clone()));
    guard.call(&tc.name, &args).map_err(|s| stop(s.0))?;
    if let Some(only) = &req.tools
        && !only.iter().any(|n| n == &tc.name)
    {
        return Ok(format!(
            "error: `{}` is not one of the tools of this task",
            tc.name
        ));
    }
    let called = ctx.call_tool(&tc.name, args, &req.allowed).await?;
    let (ok, content, evidence) = match called.outcome {
        // A command that failed or an error status is shown, but is not evidence.
        Ok(out) => match crate::calls::effective(&tc.name, &out.content) {
            Ok(()) => (true, out.content, out.evidence),
            Err((why, _)) => (
                false,
                serde_json::json!({"error": why, "output": out.content}),
                Vec::new(),
            ),
        },
        Err(juggernaut_tools::ToolError::Model(msg)) => {
            (false, serde_json::json!({"error": msg}), Vec::new())
        }
        Err(abort) => return Err(juggernaut_handler::outcome::tool_aborted(abort)),
    };
    let shown = serde_json::json!({
        "call": format!("[call:{}]", called.id),
        "ok": ok,
        "result": content,
    });
    let shown = ctx.handles.tools.redactor().text(&shown.to_string());
    calls.push(Call {
        id: called.id,
        tool: tc.name.clone(),
        ok,
        evidence,
        content,
    });
    Ok(juggernaut_core::text::clipped(&shown, MAX_SHOWN))
}

/// The cited ids that are successful calls of this run.
fn cited_successes(text: &str, calls: &[Call]) -> Vec<ToolCallId> {
    cite::cited(text)
        .into_iter()
        .filter(|id| calls.iter().any(|c| c.ok && c.id == *id))
        .collect()
}

/// Stops before a call that would take the task's LLM spending past its limit.
async fn check_cost(
    ctx: &TaskContext,
    metered: &Metered,
    chat: &ChatRequest,
    purpose: Purpose,
    max: f64,
) -> Result<(), HandlerError> {
    let filter = CostFilter {
        task_id: Some(ctx.task.id),
        ..CostFilter::default()
    };
    let spent = ctx
        .handles
        .costs
        .spend(&filter)
        .await
        .map_err(|e| HandlerError::retry(format!("reading the task's spending failed: {e}")))?;
    let so_far = spent.settled_usd + spent.reserved_usd;
    let next = metered.estimate(chat, &metered.client().model(chat, purpose));
    if so_far + next > max {
        return Err(stop(format!(
            "cost limit: {so_far:.4} USD spent and the next call may cost {next:.4}, over the task's {max:.4} USD"
        )));
    }
    Ok(())
}

/// Sent once when an answer cites none of the calls that succeeded.
const REMIND: &str = "Your answer cites no tool call. Cite the calls your answer relies on as \
[call:ID], using the ids shown in the tool results. Claims without a cited successful call are \
not accepted.";
