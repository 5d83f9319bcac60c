//! The `plan` kind: plans one goal at one version. The best matching playbook makes the graph;
//! where none matches, the LLM planner (if a provider is configured). The graph is checked (shape,
//! kinds, inputs, size), then stored as the goal's next version with its tasks enqueued in the
//! same transaction. Anything that goes wrong leaves its reason on the goal (`goal show`) and
//! holds planning back; nothing is enqueued from a plan that failed its checks.
//!
//! Input ([`PlanInput`]): `{"goal_id": N, "version": V}`, made by the leader's planner loop
//! (`juggernaut_core::plan::plan_task`).
//!
//! Evidence: the stored plan itself, `rows` in table `plans` keyed `GOAL:VERSION`; the verifier
//! reads it back and checks that it holds the tasks the result names.

use crate::graph;
use crate::llm::LlmPlanner;
use crate::playbook::Playbooks;
use async_trait::async_trait;
use juggernaut_core::plan::PLAN_KIND;
use juggernaut_core::{Evidence, Goal, GoalId, GoalStatus, Origin, Plan, PlanGraph};
use juggernaut_handler::{
    Done, Handler, HandlerError, InputSpec, Outcome, Registry, TaskContext, TaskInput,
};
use juggernaut_store::StoreError;
use std::sync::Arc;
use std::time::Duration;

/// The evidence table.
const TABLE: &str = "plans";

/// `plan`'s input.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    /// The goal to plan.
    pub goal_id: i64,
    /// The plan version to make (the goal's current version + 1).
    pub version: i64,
}

impl TaskInput for PlanInput {
    fn validate(&self) -> Result<(), String> {
        if self.goal_id < 1 {
            return Err("`goal_id` must be a goal's id (1 or more)".into());
        }
        if self.version < 1 {
            return Err("`version` must be 1 or more".into());
        }
        Ok(())
    }
}

/// Why an attempt made no plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanFailure {
    /// What went wrong, for the goal.
    pub reason: String,
    /// What the model answered, when the failure is about its answer.
    pub raw: Option<String>,
    /// Whether another attempt of the task may succeed (a timeout, a 503).
    pub retryable: bool,
    /// When to try again, if known.
    pub retry_after: Option<Duration>,
}

impl PlanFailure {
    /// A failure retrying cannot mend.
    pub fn permanent(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            raw: None,
            retryable: false,
            retry_after: None,
        }
    }
}

/// The `plan` handler.
pub struct PlanHandler {
    playbooks: Arc<Playbooks>,
    catalog: Registry,
    backoff: Duration,
    llm: Option<Arc<LlmPlanner>>,
}

impl PlanHandler {
    /// Plans with `playbooks` into kinds of `catalog` (the registry without `plan`); a goal
    /// whose planning failed is not tried again for `backoff`.
    pub fn new(playbooks: Arc<Playbooks>, catalog: Registry, backoff: Duration) -> Self {
        Self {
            playbooks,
            catalog,
            backoff,
            llm: None,
        }
    }

    /// Plans goals no playbook matches with `llm`.
    pub fn with_llm(mut self, llm: Arc<LlmPlanner>) -> Self {
        self.llm = Some(llm);
        self
    }

    /// The graph for `goal` and who made it.
    async fn make(
        &self,
        goal: &Goal,
        version: i64,
        ctx: &TaskContext,
    ) -> Result<(PlanGraph, String, Origin), PlanFailure> {
        if let Some(book) = self.playbooks.best(goal) {
            let graph = book
                .expand(goal)
                .map_err(|e| PlanFailure::permanent(e.to_string()))?;
            return Ok((graph, book.made_by(), Origin::Playbook));
        }
        if let Some(llm) = &self.llm {
            let (graph, made_by) = llm.plan(goal, version, &self.catalog, ctx).await?;
            return Ok((graph, made_by, Origin::Planner));
        }
        Err(PlanFailure::permanent(
            "no playbook matches this goal and no LLM provider is configured",
        ))
    }

    /// Plans `goal` at `version` and stores the plan with its tasks.
    async fn attempt(
        &self,
        goal: &Goal,
        version: i64,
        ctx: &TaskContext,
    ) -> Result<Plan, PlanFailure> {
        let (graph, made_by, origin) = self.make(goal, version, ctx).await?;
        let problems = graph::problems(&graph, &self.catalog);
        if !problems.is_empty() {
            return Err(PlanFailure::permanent(format!(
                "{made_by} made an invalid plan: {}",
                problems.join("; ")
            )));
        }
        let plan = graph::new_plan(goal, version, graph, made_by, origin)
            .map_err(PlanFailure::permanent)?;
        let actor = format!("planner:task {}", ctx.task.id);
        let stored = ctx
            .handles
            .goals
            .store_plan(plan, &actor)
            .await
            .map_err(|e| store_failure("store the plan", e))?;
        let declared = self
            .playbooks
            .best(goal)
            .and_then(|b| b.experiment.as_ref());
        if let Some(spec) = declared.filter(|_| origin == Origin::Playbook) {
            crate::experiment::start(ctx, goal, spec, &actor)
                .await
                .map_err(|e| store_failure("start the playbook's experiment", e))?;
        }
        Ok(stored)
    }

    /// Leaves the failure on the goal and turns it into the attempt's error.
    async fn failed(&self, goal: GoalId, f: PlanFailure, ctx: &TaskContext) -> HandlerError {
        let actor = format!("planner:task {}", ctx.task.id);
        let wait = f.retry_after.unwrap_or(self.backoff).max(self.backoff);
        let recorded = ctx
            .handles
            .goals
            .plan_failed(goal, &f.reason, f.raw.as_deref(), wait, &actor)
            .await;
        if let Err(e) = recorded {
            tracing::warn!(goal = %goal, error = %e, "could not record the planning failure on the goal");
        }
        if f.retryable {
            HandlerError::Retryable {
                message: f.reason,
                retry_after: f.retry_after,
            }
        } else {
            HandlerError::Permanent(f.reason)
        }
    }
}

fn store_failure(what: &str, e: StoreError) -> PlanFailure {
    PlanFailure {
        reason: format!("could not {what}: {e}"),
        raw: None,
        retryable: e.is_retryable(),
        retry_after: None,
    }
}

fn done(plan: &Plan) -> Outcome {
    Outcome::done(
        serde_json::json!({
            "goal_id": plan.goal_id.0,
            "version": plan.version,
            "made_by": plan.made_by,
            "tasks": plan.task_ids,
        }),
        vec![Evidence::Rows {
            table: TABLE.to_owned(),
            keys: vec![format!("{}:{}", plan.goal_id, plan.version)],
        }],
    )
}

#[async_trait]
impl Handler for PlanHandler {
    fn kind(&self) -> &'static str {
        PLAN_KIND
    }

    fn description(&self) -> &'static str {
        "plans a goal: the best matching playbook, else the LLM planner; stores the plan with its tasks (strategist)"
    }

    fn input(&self) -> InputSpec {
        InputSpec::of::<PlanInput>()
    }

    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        let input: PlanInput = ctx
            .input()
            .map_err(|e| HandlerError::Permanent(format!("plan input: {e}")))?;
        let id = GoalId(input.goal_id);
        let goals = &ctx.handles.goals;
        let goal = match goals.get_goal(id).await {
            Ok(Some(g)) => g,
            Ok(None) => return Err(HandlerError::Permanent(format!("goal {id} not found"))),
            Err(e) => {
                return Err(HandlerError::retry(format!(
                    "could not read goal {id}: {e}"
                )));
            }
        };
        if goal.plan_version == input.version {
            // An earlier attempt stored it and was cut short before it could say so.
            return stored(goals.as_ref(), id, input.version)
                .await
                .map(|p| done(&p));
        }
        if goal.plan_version > input.version {
            return Err(HandlerError::Permanent(format!(
                "goal {id} is already at plan version {}",
                goal.plan_version
            )));
        }
        if goal.status != GoalStatus::Active {
            return Err(HandlerError::Permanent(format!(
                "goal {id} is {}; nothing to plan",
                goal.status
            )));
        }
        match self.attempt(&goal, input.version, ctx).await {
            Ok(plan) => Ok(done(&plan)),
            Err(f) => Err(self.failed(id, f, ctx).await),
        }
    }

    async fn verify(&self, ctx: &TaskContext, done: &Done) -> Result<(), String> {
        let key = done.evidence.iter().find_map(|e| match e {
            Evidence::Rows { table, keys } if table == TABLE => keys.first().cloned(),
            _ => None,
        });
        let Some(key) = key else {
            return Err("no stored plan in the evidence".into());
        };
        let (goal, version) = key
            .split_once(':')
            .and_then(|(g, v)| Some((g.parse::<i64>().ok()?, v.parse::<i64>().ok()?)))
            .ok_or_else(|| format!("`{key}` is not GOAL:VERSION"))?;
        let plan = stored(ctx.handles.goals.as_ref(), GoalId(goal), version)
            .await
            .map_err(|e| e.to_string())?;
        let named: Vec<i64> = serde_json::from_value(done.result["tasks"].clone())
            .map_err(|e| format!("result `tasks`: {e}"))?;
        let held: Vec<i64> = plan.task_ids.iter().map(|t| t.0).collect();
        if named == held && !held.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "plan {key} holds tasks {held:?}; the result names {named:?}"
            ))
        }
    }
}

/// The stored plan of `goal` at `version`.
async fn stored(
    goals: &dyn juggernaut_store::GoalStore,
    goal: GoalId,
    version: i64,
) -> Result<Plan, HandlerError> {
    goals
        .plan(goal, version)
        .await
        .map_err(|e| {
            HandlerError::retry(format!("could not read plan {version} of goal {goal}: {e}"))
        })?
        .ok_or_else(|| {
            HandlerError::Permanent(format!("goal {goal} has no plan version {version}"))
        })
}
