//! The LLM planner, for goals no playbook matches. The model is shown the goal and the kinds a
//! plan may use (with their input schemas) and asked for a plan as JSON following a schema made
//! from the registry. Its answer is checked like any plan (shape, kinds, inputs, size, the goal's
//! task budget); an answer that fails gets one repair attempt that shows the model the problems,
//! and after that the goal keeps the reason and the raw answer. Every call is metered: a budget
//! without room stops planning with its reason on the goal, before any request is sent.

use crate::graph;
use crate::handler::PlanFailure;
use crate::prompt::PromptTemplate;
use crate::schema::{self, KindInfo};
use juggernaut_core::learning::Query;
use juggernaut_core::{Goal, PlanGraph};
use juggernaut_handler::{Registry, TaskContext};
use juggernaut_llm::{
    Charge, ChatRequest, Client, LlmError, Message, Metered, Prices, Purpose, ResponseFormat,
};
use juggernaut_store::Limits;

/// Most tokens a plan may take.
const MAX_TOKENS: u32 = 4096;
/// The fixed system message; the template is the user message.
const SYSTEM: &str = "You are a careful planner. You answer with one JSON object only.";

/// The LLM planner.
pub struct LlmPlanner {
    client: Client,
    prices: Prices,
    limits: Limits,
    template: PromptTemplate,
}

impl LlmPlanner {
    /// Plans through `client`, metered with `prices` under `limits`, prompting with `template`.
    pub fn new(client: Client, prices: Prices, limits: Limits, template: PromptTemplate) -> Self {
        Self {
            client,
            prices,
            limits,
            template,
        }
    }

    /// The provider and model, for humans (`status`, `goal show`).
    pub fn describe(&self) -> String {
        format!(
            "{} ({})",
            self.client.provider().name,
            self.client.provider().model_for(Purpose::Planning)
        )
    }

    /// A checked plan for `goal` at `version` and who made it (`llm:MODEL`).
    pub async fn plan(
        &self,
        goal: &Goal,
        version: i64,
        catalog: &Registry,
        ctx: &TaskContext,
    ) -> Result<(PlanGraph, String), PlanFailure> {
        let kinds = schema::kinds(catalog);
        let lessons = ctx.handles.learnings.section(&lessons_query(goal)).await;
        let prompt = self
            .template
            .render(goal, version, &kinds, lessons.as_deref())
            .map_err(PlanFailure::permanent)?;
        let mut req = request(prompt, &kinds);
        let metered = Metered::new(
            self.client.clone(),
            ctx.handles.costs.clone(),
            self.prices.clone(),
            self.limits,
        );
        let charge = Charge {
            goal_id: Some(goal.id),
            task_id: Some(ctx.task.id),
        };
        let mut repaired = false;
        loop {
            let reply = metered
                .chat(&req, Purpose::Planning, charge)
                .await
                .map_err(call_failure)?;
            let model = reply.response.model.clone();
            let raw = reply.response.content.clone().unwrap_or_default();
            match check(&raw, goal, catalog) {
                Ok(graph) => return Ok((graph, format!("llm:{model}"))),
                Err(problems) if !repaired => {
                    repaired = true;
                    req.messages
                        .push(Message::text(juggernaut_llm::Role::Assistant, raw));
                    req.messages.push(Message::user(repair(&problems)));
                }
                Err(problems) => {
                    return Err(PlanFailure {
                        reason: format!(
                            "the LLM's plan was invalid after one repair attempt: {}",
                            problems.join("; ")
                        ),
                        raw: Some(raw),
                        retryable: false,
                        retry_after: None,
                    });
                }
            }
        }
    }
}

/// What the goal's lessons are ranked against: its tags, title and description (any kind).
fn lessons_query(goal: &Goal) -> Query {
    Query {
        kind: None,
        tags: goal.spec.tags.clone(),
        text: format!("{} {}", goal.spec.title, goal.spec.description),
    }
}

fn request(prompt: String, kinds: &[KindInfo]) -> ChatRequest {
    let mut req = ChatRequest::new(
        vec![Message::system(SYSTEM), Message::user(prompt)],
        MAX_TOKENS,
    );
    req.response_format = Some(ResponseFormat::JsonSchema {
        name: "plan".to_owned(),
        schema: schema::plan_schema(kinds),
        strict: false,
    });
    req.temperature = Some(0.2);
    req
}

fn repair(problems: &[String]) -> String {
    let list: String = problems.iter().map(|p| format!("- {p}\n")).collect();
    format!(
        "That plan cannot be used:\n{list}Answer again with the corrected plan: one JSON object of the form {{\"tasks\": [...]}} and nothing else."
    )
}

/// The graph in `raw`, or every problem with it.
fn check(raw: &str, goal: &Goal, catalog: &Registry) -> Result<PlanGraph, Vec<String>> {
    let value = juggernaut_llm::extract::json_object(raw).map_err(|e| vec![e])?;
    let graph: PlanGraph = serde_path_to_error::deserialize(value)
        .map_err(|e| vec![format!("at `{}`: {}", e.path(), e.inner())])?;
    let mut problems = graph::problems(&graph, catalog);
    if let Some(max) = goal.spec.budget.max_tasks
        && graph.tasks.len() > max as usize
    {
        problems.push(format!(
            "the plan has {} tasks; the goal's budget allows {max}",
            graph.tasks.len()
        ));
    }
    if problems.is_empty() {
        Ok(graph)
    } else {
        Err(problems)
    }
}

/// What a failed call means for planning: a budget without room or a refusal ends the attempt
/// with its reason; a timeout, 429 or 5xx is retried (after the wait asked for).
fn call_failure(e: LlmError) -> PlanFailure {
    let raw = match &e {
        LlmError::Malformed { raw, .. } => Some(raw.clone()),
        _ => None,
    };
    PlanFailure {
        reason: match &e {
            LlmError::Budget(b) => format!("planning stopped: {b}"),
            other => format!("the LLM call failed: {other}"),
        },
        raw,
        retryable: e.is_retryable(),
        retry_after: e.retry_after(),
    }
}
