//! Goals changed by people: an edit of some of a goal's fields (the rest kept; the result
//! checked like a new goal), and a request that the planner look at a goal again now. Both make
//! the planner consider the goal on its next pass.

use crate::{App, AppError};
use chrono::{DateTime, Utc};
use juggernaut_core::{DomainError, Goal, GoalId, GoalStatus, MetricTarget, NewGoal};
use juggernaut_store::StoreError;
use juggernaut_store::capability::goals::GOAL_CHANGED;

/// How often an edit is applied again to a goal that changed while it was being made.
const EDIT_TRIES: u32 = 5;

/// The fields to change; `None` keeps a field. `target` and `deadline` can be removed
/// (`Some(None)`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoalPatch {
    /// A new title.
    pub title: Option<String>,
    /// A new description.
    pub description: Option<String>,
    /// A new target, or none.
    pub target: Option<Option<MetricTarget>>,
    /// A new deadline, or none.
    pub deadline: Option<Option<DateTime<Utc>>>,
    /// A new money budget in USD, or none.
    pub money_usd: Option<Option<f64>>,
    /// A new task cap, or none.
    pub max_tasks: Option<Option<u32>>,
    /// New tags (replace the tags).
    pub tags: Option<Vec<String>>,
}

impl GoalPatch {
    /// The names of the fields it changes.
    pub fn fields(&self) -> Vec<&'static str> {
        let named = [
            ("title", self.title.is_some()),
            ("description", self.description.is_some()),
            ("target", self.target.is_some()),
            ("deadline", self.deadline.is_some()),
            ("budget_usd", self.money_usd.is_some()),
            ("max_tasks", self.max_tasks.is_some()),
            ("tags", self.tags.is_some()),
        ];
        named
            .into_iter()
            .filter(|(_, on)| *on)
            .map(|(n, _)| n)
            .collect()
    }

    /// `spec` with the patch applied.
    pub fn apply(self, mut spec: NewGoal) -> NewGoal {
        if let Some(t) = self.title {
            spec.title = t;
        }
        if let Some(d) = self.description {
            spec.description = d;
        }
        if let Some(t) = self.target {
            spec.target = t;
        }
        if let Some(d) = self.deadline {
            spec.deadline = d;
        }
        if let Some(m) = self.money_usd {
            spec.budget.money_usd = m;
        }
        if let Some(m) = self.max_tasks {
            spec.budget.max_tasks = m;
        }
        if let Some(t) = self.tags {
            spec.tags = t;
        }
        spec
    }
}

impl App {
    /// Changes some of an active or paused goal's fields; the planner looks at it again.
    pub async fn edit_goal(
        &self,
        id: GoalId,
        patch: GoalPatch,
        actor: &str,
    ) -> Result<Goal, AppError> {
        let fields = patch.fields();
        if fields.is_empty() {
            return Err(AppError::Domain(DomainError::InvalidField {
                field: "goal",
                reason: "nothing to change: give at least one of title, description, target, \
                         deadline, budget_usd, max_tasks, tags"
                    .into(),
            }));
        }
        let reason = format!("changed: {}", fields.join(", "));
        // The patch is applied to the goal as read; the store refuses the write if the goal
        // changed since (another edit, a reading), and it is applied again to the new read.
        let mut tries = 0;
        loop {
            let goal = self.goal(id).await?;
            if !matches!(goal.status, GoalStatus::Active | GoalStatus::Paused) {
                return Err(AppError::Conflict(format!(
                    "invalid goal status: goal {id} is {}; only active or paused goals can be \
                     edited",
                    goal.status
                )));
            }
            let spec = patch.clone().apply(goal.spec);
            spec.validate()?;
            let written = self
                .store
                .edit_goal(id, spec, Some(goal.updated_at), actor, &reason)
                .await;
            match written {
                Err(StoreError::Domain(DomainError::InvalidField { field, .. }))
                    if field == GOAL_CHANGED && tries < EDIT_TRIES =>
                {
                    tries += 1;
                }
                other => return Ok(other?),
            }
        }
    }

    /// Asks the planner to plan an active goal again on its next pass (after the goal's open
    /// tasks end and no sooner than its minimum interval).
    pub async fn plan_goal(&self, id: GoalId, actor: &str, reason: &str) -> Result<Goal, AppError> {
        let goal = self.goal(id).await?;
        if goal.status != GoalStatus::Active {
            return Err(AppError::Conflict(format!(
                "invalid goal status: goal {id} is {}; only an active goal is planned (resume it \
                 first)",
                goal.status
            )));
        }
        let reason = if reason.trim().is_empty() {
            "asked for a new plan"
        } else {
            reason
        };
        Ok(self.store.request_replan(id, actor, reason).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let spec = NewGoal {
            deadline: Some(Utc::now()),
            tags: vec!["a".into()],
            ..NewGoal::titled("t")
        };
        let patch = GoalPatch {
            title: Some("u".into()),
            deadline: Some(None),
            ..Default::default()
        };
        assert_eq!(patch.fields(), vec!["title", "deadline"]);
        let after = patch.apply(spec);
        assert_eq!(after.title, "u");
        assert_eq!(after.deadline, None);
        assert_eq!(after.tags, vec!["a".to_owned()]);
        assert!(GoalPatch::default().fields().is_empty());
    }
}
