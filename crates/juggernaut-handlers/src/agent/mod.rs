//! `agent`: an LLM works on the task through tools, in a bounded loop ([`tool_loop`]). It is
//! registered only when an LLM provider is configured. Its answer is accepted only with
//! evidence: the successful tool calls of this attempt that the answer cites as `[call:ID]`
//! (re-read from the ledger by the verifier) and what those calls produced (files, messages).
//! An answer that cites nothing, or cites calls that failed or never happened, has no evidence
//! and fails verification; a model that describes a result instead of calling the tool gets
//! nothing for it.
//!
//! Input ([`AgentInput`]): `instructions` (1-20,000 characters), optional `tools` (names; all
//! its permissions allow by default), `permissions` (default read, write, network),
//! `max_steps` (1-100, default 20), `max_secs` (1-3,600, default 600), `max_cost_usd`
//! (0.0001-100, default 1).

pub mod cite;
pub mod guard;
pub mod tool_loop;

use async_trait::async_trait;
use juggernaut_core::Evidence;
use juggernaut_core::learning::Query;
use juggernaut_handler::{Done, Handler, HandlerError, InputSpec, Outcome, TaskContext, TaskInput};
use juggernaut_llm::Purpose;
use juggernaut_tools::Permission;
use std::time::Duration;
pub use tool_loop::{LoopLimits, LoopRequest, LoopResult, Model};

/// How the agent is told to work.
pub const SYSTEM: &str = "You are a careful operator. Do the task with the tools you are given. \
Never claim a result you did not get from a tool call. When you are done, answer in plain text \
and cite every tool call your answer relies on as [call:ID], with the ids shown in the tool \
results. An answer without cited successful calls is rejected.";

/// The `agent` handler.
pub struct Agent {
    model: Model,
}

impl Agent {
    /// An agent talking to `model`.
    pub fn new(model: Model) -> Self {
        Self { model }
    }
}

/// `agent`'s input.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentInput {
    /// What to do, in words.
    pub instructions: String,
    /// The tools it may use, by name (default: every tool its permissions allow).
    #[serde(default)]
    pub tools: Option<Vec<String>>,
    /// What its tool calls may touch (default read, write, network).
    #[serde(default)]
    pub permissions: Option<Vec<Permission>>,
    /// Model calls at most (1-100, default 20).
    #[serde(default)]
    pub max_steps: Option<u32>,
    /// Seconds at most (1-3600, default 600).
    #[serde(default)]
    pub max_secs: Option<u64>,
    /// US dollars at most for its LLM calls (default 1).
    #[serde(default)]
    pub max_cost_usd: Option<f64>,
}

impl TaskInput for AgentInput {
    fn validate(&self) -> Result<(), String> {
        let n = self.instructions.trim().chars().count();
        if n == 0 || n > 20_000 {
            return Err(format!(
                "`instructions` must be 1-20000 characters, not {n}"
            ));
        }
        if self.max_steps.is_some_and(|s| !(1..=100).contains(&s)) {
            return Err("`max_steps` must be 1-100".into());
        }
        if self.max_secs.is_some_and(|s| !(1..=3600).contains(&s)) {
            return Err("`max_secs` must be 1-3600".into());
        }
        if self
            .max_cost_usd
            .is_some_and(|c| !c.is_finite() || !(0.0001..=100.0).contains(&c))
        {
            return Err("`max_cost_usd` must be 0.0001-100".into());
        }
        if self.tools.as_ref().is_some_and(Vec::is_empty) {
            return Err("`tools` must name at least one tool when given".into());
        }
        Ok(())
    }
}

impl AgentInput {
    /// The loop's limits.
    pub fn limits(&self) -> LoopLimits {
        let d = LoopLimits::default();
        LoopLimits {
            max_steps: self.max_steps.unwrap_or(d.max_steps),
            max_time: self.max_secs.map_or(d.max_time, Duration::from_secs),
            max_cost_usd: self.max_cost_usd.unwrap_or(d.max_cost_usd),
            ..d
        }
    }
}

/// The permissions an agent has unless its input says otherwise.
pub const DEFAULT_PERMISSIONS: [Permission; 3] =
    [Permission::Read, Permission::Write, Permission::Network];

#[async_trait]
impl Handler for Agent {
    fn reach(&self, input: &serde_json::Value) -> juggernaut_handler::gate::Reach {
        crate::reach::agent(input)
    }

    fn kind(&self) -> &'static str {
        "agent"
    }

    fn description(&self) -> &'static str {
        "an LLM does the task through tools; accepted only with the tool calls it cites"
    }

    fn input(&self) -> InputSpec {
        InputSpec::of::<AgentInput>()
    }

    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        let input: AgentInput = ctx
            .input()
            .map_err(|e| HandlerError::Permanent(format!("agent input: {e}")))?;
        if let Some(names) = &input.tools {
            let unknown = ctx.handles.tools.registry().unknown(names);
            if !unknown.is_empty() {
                return Err(HandlerError::Permanent(format!(
                    "agent input names tools that do not exist: {}",
                    unknown.join(", ")
                )));
            }
        }
        let mut prompt = format!("Task: {}\n\n{}", ctx.task.title, input.instructions);
        let query = lessons_query(ctx, &input).await;
        if let Some(lessons) = ctx.handles.learnings.section(&query).await {
            prompt.push_str("\n\n");
            prompt.push_str(&lessons);
        }
        let req = LoopRequest {
            system: SYSTEM.to_owned(),
            prompt,
            tools: input.tools.clone(),
            allowed: input
                .permissions
                .clone()
                .unwrap_or_else(|| DEFAULT_PERMISSIONS.to_vec()),
            limits: input.limits(),
            purpose: Purpose::Agent,
        };
        let done = tool_loop::run(ctx, &self.model, req).await?;
        Ok(Outcome::done(result(&done), done.evidence()))
    }

    async fn verify(&self, _ctx: &TaskContext, done: &Done) -> Result<(), String> {
        cites_its_calls(done)
    }
}

/// What the task's lessons are ranked against: its kind, its goal's tags (when it has a goal
/// that can be read), its title and instructions.
async fn lessons_query(ctx: &TaskContext, input: &AgentInput) -> Query {
    let tags = match ctx.task.goal_id {
        Some(id) => match ctx.handles.goals.get_goal(id).await {
            Ok(Some(goal)) => goal.spec.tags,
            _ => Vec::new(),
        },
        None => Vec::new(),
    };
    Query {
        kind: Some(ctx.task.kind.as_str().to_owned()),
        tags,
        text: format!("{} {}", ctx.task.title, input.instructions),
    }
}

/// The result stored with the task.
pub fn result(done: &LoopResult) -> serde_json::Value {
    serde_json::json!({
        "answer": done.answer,
        "cited": done.cited,
        "steps": done.steps,
        "calls": done.calls.iter().map(|c| serde_json::json!({
            "id": c.id, "tool": c.tool, "ok": c.ok,
        })).collect::<Vec<_>>(),
    })
}

/// The answer cites at least one call, and every cited call is among the evidence.
pub fn cites_its_calls(done: &Done) -> Result<(), String> {
    let answer = done.result["answer"].as_str().unwrap_or_default();
    let cited = cite::cited(answer);
    let proven: Vec<String> = done
        .evidence
        .iter()
        .filter_map(|e| match e {
            Evidence::ToolCall { id } => Some(id.clone()),
            _ => None,
        })
        .collect();
    if proven.is_empty() {
        return Err("the answer cites no successful tool call of this attempt".into());
    }
    match proven
        .iter()
        .find(|id| !cited.iter().any(|c| c.to_string() == **id))
    {
        Some(id) => Err(format!(
            "tool call {id} is evidence but the answer does not cite it"
        )),
        None => Ok(()),
    }
}
