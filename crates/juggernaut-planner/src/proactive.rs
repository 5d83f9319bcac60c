//! Proactive generation from playbooks: a `[[proactive]]` entry proposes one task for every
//! active goal the playbook is the best match for, at most `per_day` times a UTC day (the day is
//! cut into that many slots and each slot's dedupe key is used once). Entries are checked on
//! load like plan tasks: a kind that has a handler, an input it accepts, never `plan`.

use crate::playbook::{Playbook, Playbooks, RawTask};
use chrono::{DateTime, Utc};
use juggernaut_core::plan::PLAN_KIND;
use juggernaut_core::proactive::{MAX_PER_DAY, Proposals, slot_key};
use juggernaut_core::{Goal, NewTask, Origin, TaskKind};
use juggernaut_handler::Registry;
use serde::Deserialize;
use std::collections::HashSet;

/// A `[[proactive]]` entry as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProactive {
    key: String,
    kind: String,
    title: String,
    #[serde(default)]
    input: Option<toml::Value>,
    #[serde(default)]
    priority: i32,
    #[serde(default = "one")]
    per_day: u32,
}

fn one() -> u32 {
    1
}

/// A checked entry: the task it makes, and how many a day.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    task: RawTask,
    per_day: u32,
}

impl From<RawProactive> for Template {
    fn from(r: RawProactive) -> Self {
        Self {
            task: RawTask {
                key: r.key,
                kind: r.kind,
                title: r.title,
                input: r.input,
                depends_on: Vec::new(),
                priority: r.priority,
                acceptance: Vec::new(),
            },
            per_day: r.per_day,
        }
    }
}

impl Playbook {
    /// Checks the `[[proactive]]` entries: unique keys, `per_day` in range, and each rendered
    /// for a sample goal into a task the registry accepts.
    pub(crate) fn check_proactive(&self, registry: &Registry) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        let mut keys = HashSet::new();
        for t in &self.proactive {
            let at = format!("[[proactive]] `{}`", t.task.key);
            if !keys.insert(t.task.key.clone()) {
                problems.push(format!("{at}: the key is used twice"));
            }
            if !(1..=MAX_PER_DAY).contains(&t.per_day) {
                problems.push(format!("{at}: `per_day` must be 1 to {MAX_PER_DAY}"));
            }
            if t.task.kind == PLAN_KIND {
                problems.push(format!("{at}: `plan` cannot be proposed"));
            }
        }
        let sample = juggernaut_core::NewGoal::titled("sample goal");
        match self.expand_spec(self.proactive.iter().map(|t| &t.task), &sample, 0) {
            Ok(graph) => {
                for t in &graph.tasks {
                    if let Err(e) = registry.check_task(&t.kind, &t.input) {
                        problems.push(format!("[[proactive]] `{}`: {e}", t.key));
                    }
                }
            }
            Err(e) => problems.extend(e.into_iter().map(|p| format!("[[proactive]] {p}"))),
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// The tasks this playbook proposes for `goal` in the slots of `now`.
    pub fn proposals(&self, goal: &Goal, now: DateTime<Utc>) -> Result<Vec<NewTask>, String> {
        let graph = self
            .expand_spec(
                self.proactive.iter().map(|t| &t.task),
                &goal.spec,
                goal.id.0,
            )
            .map_err(|p| p.join("; "))?;
        graph
            .tasks
            .into_iter()
            .zip(&self.proactive)
            .map(|(t, template)| {
                let kind = TaskKind::new(&t.kind).map_err(|e| e.to_string())?;
                let template_name = format!("{}.{}", self.name, t.key);
                Ok(NewTask {
                    title: t.title,
                    input: t.input,
                    goal_id: Some(goal.id),
                    priority: t.priority,
                    dedupe_key: Some(slot_key(goal.id.0, &template_name, template.per_day, now)),
                    origin: Origin::Proactive,
                    ..NewTask::new(kind)
                })
            })
            .collect()
    }
}

impl Proposals for Playbooks {
    fn propose(&self, goal: &Goal, now: DateTime<Utc>) -> Vec<NewTask> {
        let Some(book) = self.best(goal) else {
            return Vec::new();
        };
        book.proposals(goal, now).unwrap_or_else(|e| {
            tracing::warn!(goal = %goal.id, playbook = %book.name, error = %e, "proactive templates could not be rendered for this goal");
            Vec::new()
        })
    }
}
