//! Plans: the task graph made for a goal, by a playbook or by the LLM planner; stored with a
//! version, visible and diffable against the previous one (SPEC §2). The graph's shape is checked
//! here (keys, dependencies, cycles, size); whether its kinds exist and take its inputs is the
//! registry's call.

use crate::error::DomainError;
use crate::goal::Goal;
use crate::ids::{GoalId, TaskId};
use crate::kind::TaskKind;
use crate::task::{NewTask, Origin};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Most tasks one plan may hold.
pub const MAX_PLAN_TASKS: usize = 50;

/// One task of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanTask {
    /// Its name within the plan (`analyze`, `report`), for dependencies.
    pub key: String,
    /// Its task kind.
    pub kind: String,
    /// One line for humans.
    pub title: String,
    /// The handler's input.
    #[serde(default = "empty")]
    pub input: serde_json::Value,
    /// Keys of the plan's tasks that must complete first.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Higher runs first.
    #[serde(default)]
    pub priority: i32,
    /// What done means, for humans and for a judge on top of evidence.
    #[serde(default)]
    pub acceptance: Vec<String>,
}

fn empty() -> serde_json::Value {
    serde_json::Value::Object(Default::default())
}

/// A plan's task graph.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanGraph {
    /// The tasks.
    pub tasks: Vec<PlanTask>,
}

/// What is wrong with a graph: one entry per problem, each naming the task and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphErrors(pub Vec<String>);

impl std::fmt::Display for GraphErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("; "))
    }
}

impl PlanGraph {
    /// Checks keys (present, unique, names), kinds (valid names), titles, dependencies (known
    /// keys, none on itself) and that there is no cycle; every problem is listed.
    pub fn validate(&self) -> Result<(), GraphErrors> {
        let mut errors = Vec::new();
        if self.tasks.is_empty() {
            errors.push("the plan has no task".to_owned());
        }
        if self.tasks.len() > MAX_PLAN_TASKS {
            errors.push(format!(
                "the plan has {} tasks, more than the limit of {MAX_PLAN_TASKS}",
                self.tasks.len()
            ));
        }
        let mut keys = HashSet::new();
        for (i, t) in self.tasks.iter().enumerate() {
            let at = if t.key.is_empty() {
                format!("task {i}")
            } else {
                format!("task `{}`", t.key)
            };
            if !crate::goal::is_name(&t.key) {
                errors.push(format!("{at}: `key` must be 1-64 of a-z, 0-9, `_` and `-`"));
            } else if !keys.insert(t.key.as_str()) {
                errors.push(format!("{at}: `key` is used twice"));
            }
            if TaskKind::new(&t.kind).is_err() {
                errors.push(format!("{at}: `kind` `{}` is not a task kind name", t.kind));
            }
            if t.title.trim().is_empty() || t.title.len() > 500 {
                errors.push(format!("{at}: `title` must be 1-500 bytes"));
            }
            if t.depends_on.contains(&t.key) {
                errors.push(format!("{at}: depends on itself"));
            }
        }
        for t in &self.tasks {
            for d in t.depends_on.iter().filter(|d| !keys.contains(d.as_str())) {
                errors.push(format!(
                    "task `{}`: depends on `{d}`, which is not in the plan",
                    t.key
                ));
            }
        }
        if errors.is_empty() && self.order().is_none() {
            errors.push("the dependencies form a cycle".to_owned());
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(GraphErrors(errors))
        }
    }

    /// The tasks' indices in an order where every task comes after its dependencies; `None` if
    /// they form a cycle (or name a key that is not there).
    pub fn order(&self) -> Option<Vec<usize>> {
        let index: HashMap<&str, usize> = self
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| (t.key.as_str(), i))
            .collect();
        let mut state = vec![0u8; self.tasks.len()];
        let mut out = Vec::with_capacity(self.tasks.len());
        fn visit(
            i: usize,
            g: &PlanGraph,
            index: &HashMap<&str, usize>,
            state: &mut [u8],
            out: &mut Vec<usize>,
        ) -> bool {
            match state[i] {
                2 => return true,
                1 => return false,
                _ => {}
            }
            state[i] = 1;
            for d in &g.tasks[i].depends_on {
                match index.get(d.as_str()) {
                    Some(&j) if visit(j, g, index, state, out) => {}
                    _ => return false,
                }
            }
            state[i] = 2;
            out.push(i);
            true
        }
        for i in 0..self.tasks.len() {
            if !visit(i, self, &index, &mut state, &mut out) {
                return None;
            }
        }
        Some(out)
    }

    /// The graph with its tasks in dependency order (each after the tasks it depends on); as it
    /// was if it has a cycle.
    pub fn sorted(self) -> Self {
        match self.order() {
            Some(order) => {
                let mut slots: Vec<Option<PlanTask>> = self.tasks.into_iter().map(Some).collect();
                Self {
                    tasks: order.into_iter().filter_map(|i| slots[i].take()).collect(),
                }
            }
            None => self,
        }
    }

    /// What changed from `before` to this graph, by key.
    pub fn diff(&self, before: &PlanGraph) -> PlanDiff {
        let old: BTreeMap<&str, &PlanTask> =
            before.tasks.iter().map(|t| (t.key.as_str(), t)).collect();
        let new: BTreeMap<&str, &PlanTask> =
            self.tasks.iter().map(|t| (t.key.as_str(), t)).collect();
        PlanDiff {
            added: new
                .keys()
                .filter(|k| !old.contains_key(*k))
                .map(|k| k.to_string())
                .collect(),
            removed: old
                .keys()
                .filter(|k| !new.contains_key(*k))
                .map(|k| k.to_string())
                .collect(),
            changed: new
                .iter()
                .filter(|(k, t)| old.get(*k).is_some_and(|o| o != *t))
                .map(|(k, _)| k.to_string())
                .collect(),
        }
    }
}

/// The difference between two versions of a plan, by task key.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PlanDiff {
    /// Keys only in the newer plan.
    pub added: Vec<String>,
    /// Keys only in the older plan.
    pub removed: Vec<String>,
    /// Keys in both whose task differs.
    pub changed: Vec<String>,
}

/// A stored plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The goal.
    pub goal_id: GoalId,
    /// Its version (1, 2, ...).
    pub version: i64,
    /// The graph.
    pub graph: PlanGraph,
    /// Who made it: `playbook:NAME` or `llm:MODEL`.
    pub made_by: String,
    /// The tasks it enqueued, in graph order.
    pub task_ids: Vec<TaskId>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// The task kind that plans a goal.
pub const PLAN_KIND: &str = "plan";

/// The `plan` task for a goal's next plan version; its dedupe key makes one per goal and
/// version however often it is asked for.
pub fn plan_task(goal: &Goal) -> Result<NewTask, DomainError> {
    let version = goal.plan_version + 1;
    let mut title = format!("Plan goal {}: {}", goal.id, goal.spec.title);
    if title.len() > 200 {
        let cut = (0..=197)
            .rev()
            .find(|&i| title.is_char_boundary(i))
            .unwrap_or(0);
        title.truncate(cut);
        title.push_str("...");
    }
    Ok(NewTask {
        title,
        input: serde_json::json!({ "goal_id": goal.id.0, "version": version }),
        goal_id: Some(goal.id),
        dedupe_key: Some(format!("plan:{}:{version}", goal.id)),
        origin: Origin::Planner,
        max_attempts: 3,
        ..NewTask::new(TaskKind::new(PLAN_KIND)?)
    })
}

/// What knows whether a goal can be planned at all: whether a playbook matches it or an LLM
/// provider is configured. Asked before any planning is attempted, so that nothing is spent
/// finding out that nothing can be done.
pub trait PlanCoverage: Send + Sync {
    /// Why `goal` cannot be planned, if it cannot.
    fn cannot_plan(&self, goal: &Goal) -> Option<String>;

    /// The `made_by` of every playbook as loaded now (`playbook:NAME@FINGERPRINT`), so that
    /// goals planned by a playbook since edited are planned again; `None` when not known.
    fn playbook_makers(&self) -> Option<Vec<String>> {
        None
    }
}

impl DomainError {
    /// A plan that fails its checks.
    pub fn bad_plan(errors: &GraphErrors) -> Self {
        DomainError::InvalidField {
            field: "plan",
            reason: errors.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_task_is_one_per_goal_and_version() {
        let goal = Goal {
            id: GoalId(4),
            spec: crate::goal::NewGoal::titled(&"é".repeat(150)),
            status: crate::goal::GoalStatus::Active,
            current: None,
            plan_version: 2,
            plan_error: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        };
        let t = plan_task(&goal).unwrap();
        assert_eq!(t.kind.as_str(), PLAN_KIND);
        assert_eq!(t.input, serde_json::json!({"goal_id": 4, "version": 3}));
        assert_eq!(t.dedupe_key.as_deref(), Some("plan:4:3"));
        assert_eq!((t.goal_id, t.origin), (Some(GoalId(4)), Origin::Planner));
        assert!(t.title.len() <= 200 && t.title.ends_with("..."));
        assert!(t.validate().is_ok());
    }

    fn t(key: &str, deps: &[&str]) -> PlanTask {
        PlanTask {
            key: key.into(),
            kind: "noop".into(),
            title: format!("do {key}"),
            input: empty(),
            depends_on: deps.iter().map(|d| d.to_string()).collect(),
            priority: 0,
            acceptance: vec![],
        }
    }

    #[test]
    fn a_well_formed_graph_orders_dependencies_first() {
        let g = PlanGraph {
            tasks: vec![
                t("report", &["analyze"]),
                t("analyze", &["fetch"]),
                t("fetch", &[]),
            ],
        };
        assert!(g.validate().is_ok());
        let keys: Vec<&str> = g
            .order()
            .unwrap()
            .iter()
            .map(|&i| g.tasks[i].key.as_str())
            .collect();
        assert_eq!(keys, ["fetch", "analyze", "report"]);
    }

    #[test]
    fn every_problem_is_named() {
        let cycle = PlanGraph {
            tasks: vec![t("a", &["b"]), t("b", &["a"])],
        };
        assert_eq!(
            cycle.validate().unwrap_err().0,
            vec!["the dependencies form a cycle"]
        );
        let mut bad = PlanGraph {
            tasks: vec![t("a", &["zzz"]), t("a", &[]), t("Bad Key", &[])],
        };
        bad.tasks[1].kind = "Phone!".into();
        let errors = bad.validate().unwrap_err().to_string();
        for needle in [
            "`key` is used twice",
            "not a task kind name",
            "`key` must be",
            "depends on `zzz`",
        ] {
            assert!(errors.contains(needle), "{needle}: {errors}");
        }
        assert!(PlanGraph::default().validate().is_err());
        let big = PlanGraph {
            tasks: (0..=MAX_PLAN_TASKS)
                .map(|i| t(&format!("t{i}"), &[]))
                .collect(),
        };
        assert!(
            big.validate()
                .unwrap_err()
                .to_string()
                .contains("more than the limit")
        );
    }

    #[test]
    fn diff_names_added_removed_and_changed_keys() {
        let before = PlanGraph {
            tasks: vec![t("a", &[]), t("b", &[])],
        };
        let mut changed = t("b", &[]);
        changed.title = "other".into();
        let after = PlanGraph {
            tasks: vec![changed, t("c", &[])],
        };
        let d = after.diff(&before);
        assert_eq!(
            (d.added, d.removed, d.changed),
            (vec!["c".into()], vec!["a".into()], vec!["b".into()])
        );
    }
}
