//! From a checked task graph to the plan the store keeps: every task's kind must have a handler
//! that plans may use and take the task's input (the registry's checks, naming the task), the
//! graph's shape must hold (keys, dependencies, no cycle, size), and the tasks come out in
//! dependency order, each with a dedupe key per goal and task key so that a plan cannot open a
//! second copy of a task that is still open.

use juggernaut_core::plan::PLAN_KIND;
use juggernaut_core::{Goal, NewTask, Origin, PlanGraph, TaskKind};
use juggernaut_handler::Registry;
use juggernaut_store::NewPlan;
use std::collections::HashMap;

/// Every problem with `graph` as a plan for this registry: its shape, then each task's kind and
/// input. Empty when it is fit to store.
pub fn problems(graph: &PlanGraph, registry: &Registry) -> Vec<String> {
    let mut out = match graph.validate() {
        Ok(()) => Vec::new(),
        Err(e) => e.0,
    };
    for t in &graph.tasks {
        if t.kind == PLAN_KIND {
            out.push(format!(
                "task `{}`: a plan cannot contain a `plan` task",
                t.key
            ));
        } else if let Err(e) = registry.check_task(&t.kind, &t.input) {
            out.push(format!("task `{}`: {e}", t.key));
        }
    }
    out
}

/// The plan to store for `goal` at `version`, made by `made_by`; the graph must have passed
/// [`problems`].
pub fn new_plan(
    goal: &Goal,
    version: i64,
    graph: PlanGraph,
    made_by: String,
    origin: Origin,
) -> Result<NewPlan, String> {
    let graph = graph.sorted();
    let position: HashMap<&str, usize> = graph
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.key.as_str(), i))
        .collect();
    let mut tasks = Vec::with_capacity(graph.tasks.len());
    for t in &graph.tasks {
        let kind = TaskKind::new(&t.kind).map_err(|e| format!("task `{}`: {e}", t.key))?;
        let after: Vec<usize> = t
            .depends_on
            .iter()
            .filter_map(|d| position.get(d.as_str()).copied())
            .collect();
        let task = NewTask {
            title: t.title.clone(),
            input: t.input.clone(),
            goal_id: Some(goal.id),
            priority: t.priority,
            dedupe_key: Some(format!("goal:{}:{}", goal.id, t.key)),
            origin,
            ..NewTask::new(kind)
        };
        tasks.push((task, after));
    }
    Ok(NewPlan {
        goal_id: goal.id,
        version,
        graph,
        made_by,
        tasks,
    })
}
