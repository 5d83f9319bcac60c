//! How a filtered page of tasks is read on a large store: a filter by status and kind (without a
//! goal) becomes one index range per `(status, kind)` pair, each read newest first below the
//! cursor and cut at the page size, and the page is the newest of their union. Each branch is a
//! few index entries whatever the table's size, so a page costs the same for a filter that
//! matches most tasks, a few, or none (a plain scan by id would read the whole table to find a
//! page of rare tasks). A goal filter uses the goal's own index instead. The backends turn the
//! branches into SQL.

use crate::api::TaskFilter;
use juggernaut_core::{TaskKind, TaskStatus};

/// Most branches a page read is split into; a larger filter (many kinds) is read by one scan.
pub const MAX_BRANCHES: usize = 64;

/// One index range of a page read: tasks with this status (and, if given, this kind).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    /// The status.
    pub status: TaskStatus,
    /// The kind, when the filter names kinds.
    pub kind: Option<TaskKind>,
}

impl TaskFilter {
    /// The branches a page of this filter is read as, or `None` when a plain query is better:
    /// no status and no kind (the primary key gives the order), a goal (its index holds few
    /// rows), or more than [`MAX_BRANCHES`] pairs. Repeated statuses or kinds count once; a
    /// filter by kind alone takes every status.
    pub fn branches(&self) -> Option<Vec<Branch>> {
        if self.goal_id.is_some() || (self.statuses.is_empty() && self.kinds.is_empty()) {
            return None;
        }
        let mut statuses: Vec<TaskStatus> = if self.statuses.is_empty() {
            TaskStatus::ALL.to_vec()
        } else {
            self.statuses.clone()
        };
        statuses.sort_by_key(|s| s.as_str());
        statuses.dedup();
        let mut kinds: Vec<Option<TaskKind>> = self.kinds.iter().cloned().map(Some).collect();
        kinds.sort();
        kinds.dedup();
        if kinds.is_empty() {
            kinds.push(None);
        }
        if statuses.len().saturating_mul(kinds.len()) > MAX_BRANCHES {
            return None;
        }
        Some(
            statuses
                .iter()
                .flat_map(|s| {
                    kinds.iter().map(|k| Branch {
                        status: *s,
                        kind: k.clone(),
                    })
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use juggernaut_core::GoalId;

    fn kind(k: &str) -> TaskKind {
        TaskKind::new(k).unwrap()
    }

    #[test]
    fn plain_filters_have_no_branches() {
        assert_eq!(TaskFilter::default().branches(), None);
        let goal = TaskFilter {
            goal_id: Some(GoalId(1)),
            statuses: vec![TaskStatus::Ready],
            ..Default::default()
        };
        assert_eq!(goal.branches(), None);
        let many = TaskFilter {
            kinds: (0..6).map(|i| kind(&format!("k{i}"))).collect(),
            ..Default::default()
        };
        assert_eq!(many.branches(), None, "11 statuses x 6 kinds > 64");
    }

    #[test]
    fn branches_pair_each_status_with_each_kind_once() {
        let f = TaskFilter {
            statuses: vec![TaskStatus::Ready, TaskStatus::Dead, TaskStatus::Ready],
            kinds: vec![kind("b"), kind("a"), kind("b")],
            goal_id: None,
        };
        let b = f.branches().unwrap();
        assert_eq!(b.len(), 4);
        assert!(b.contains(&Branch {
            status: TaskStatus::Dead,
            kind: Some(kind("a"))
        }));
        let by_kind = TaskFilter {
            kinds: vec![kind("a")],
            ..Default::default()
        };
        assert_eq!(by_kind.branches().unwrap().len(), TaskStatus::ALL.len());
        let by_status = TaskFilter {
            statuses: vec![TaskStatus::Failed],
            ..Default::default()
        };
        assert_eq!(
            by_status.branches().unwrap(),
            vec![Branch {
                status: TaskStatus::Failed,
                kind: None
            }]
        );
    }
}
