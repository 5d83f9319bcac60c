//! An audit event on its way into the `events` table: what every backend's audit writer takes.

use juggernaut_core::{EventKind, TaskStatus};

/// One event to write (the store assigns id and time).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<'a> {
    /// What happened.
    pub kind: EventKind,
    /// The task, if any.
    pub task_id: Option<i64>,
    /// The goal, if any.
    pub goal_id: Option<i64>,
    /// Status before.
    pub from: Option<TaskStatus>,
    /// Status after.
    pub to: Option<TaskStatus>,
    /// Who did it.
    pub actor: &'a str,
    /// Details.
    pub data: serde_json::Value,
}

impl<'a> Entry<'a> {
    /// A transition event for one task (`task` is its id and goal).
    pub fn transition(
        kind: EventKind,
        task: (i64, Option<i64>),
        from: Option<TaskStatus>,
        to: TaskStatus,
        actor: &'a str,
    ) -> Self {
        Self {
            kind,
            task_id: Some(task.0),
            goal_id: task.1,
            from,
            to: Some(to),
            actor,
            data: serde_json::Value::Object(Default::default()),
        }
    }

    /// An event about no task (workers, leadership, schedules).
    pub fn about(kind: EventKind, actor: &'a str, data: serde_json::Value) -> Self {
        Self {
            kind,
            task_id: None,
            goal_id: None,
            from: None,
            to: None,
            actor,
            data,
        }
    }

    /// Names the goal it concerns.
    pub fn for_goal(mut self, goal: i64) -> Self {
        self.goal_id = Some(goal);
        self
    }

    /// Adds details.
    pub fn with(mut self, data: serde_json::Value) -> Self {
        self.data = data;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transition_and_about_fill_the_right_fields() {
        let t = Entry::transition(
            EventKind::TaskClaimed,
            (7, Some(2)),
            Some(TaskStatus::Ready),
            TaskStatus::Running,
            "w",
        )
        .with(serde_json::json!({"lease_token": 1}));
        assert_eq!(
            (t.task_id, t.goal_id, t.to),
            (Some(7), Some(2), Some(TaskStatus::Running))
        );
        assert_eq!(t.data["lease_token"], 1);
        let a = Entry::about(EventKind::LeaderElected, "n1", serde_json::json!({}));
        assert_eq!((a.task_id, a.from, a.to), (None, None, None));
    }
}
