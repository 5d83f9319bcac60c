//! What can be planned: a goal is plannable when a playbook matches it or an LLM provider is
//! configured. The leader's planner loop asks before it enqueues a `plan` task, so a goal that
//! nothing can plan costs no model call and shows why on `goal show` and `status`.

use crate::playbook::Playbooks;
use juggernaut_core::{Goal, PlanCoverage};
use std::sync::Arc;

/// The playbooks, and whether a model may be asked.
#[derive(Debug, Clone)]
pub struct Coverage {
    playbooks: Arc<Playbooks>,
    llm: Option<String>,
}

impl Coverage {
    /// Coverage by `playbooks`, and by the LLM planner on `llm` (the provider and model, for
    /// humans) if one is configured.
    pub fn new(playbooks: Arc<Playbooks>, llm: Option<String>) -> Self {
        Self { playbooks, llm }
    }
}

impl PlanCoverage for Coverage {
    fn playbook_makers(&self) -> Option<Vec<String>> {
        Some(self.playbooks.books.iter().map(|b| b.made_by()).collect())
    }

    fn cannot_plan(&self, goal: &Goal) -> Option<String> {
        if self.llm.is_some() || self.playbooks.best(goal).is_some() {
            return None;
        }
        let books = match self.playbooks.books.len() {
            0 => "there are no playbooks".to_owned(),
            n => format!("none of the {n} playbooks matches it"),
        };
        Some(format!(
            "cannot be planned: {books} and no LLM provider is configured (set JUGGERNAUT_LLM_BASE_URL or OPENROUTER_API_KEY, or add a playbook whose [match] fits its tags or title)"
        ))
    }
}
